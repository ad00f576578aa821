// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "netnsctl/dhcp_pace.h"

#define ONE 1024U			/* one exchange, in the window's units */
#define BACKOFF_FIRST_MS 1000ULL
#define BACKOFF_MAX_MS 64000ULL

void nn_dhcp_pace_init(struct nn_dhcp_pace *p, unsigned max_rate)
{
	memset(p, 0, sizeof(*p));
	if (max_rate > NN_DHCP_PACE_RATE_MAX)
		max_rate = NN_DHCP_PACE_RATE_MAX;
	p->max_rate = max_rate;
	p->cwnd = NN_DHCP_PACE_WINDOW_INIT * ONE;
	p->ssthresh = NN_DHCP_PACE_SSTHRESH_INIT * ONE;
	p->window_peak = NN_DHCP_PACE_WINDOW_INIT;
}

unsigned nn_dhcp_pace_window(const struct nn_dhcp_pace *p)
{
	unsigned w = p->cwnd / ONE;

	return w ? w : 1;
}

/* NOW_US from the first start, in us. */
static uint64_t since_origin(const struct nn_dhcp_pace *p, uint64_t now_us)
{
	return now_us > p->origin ? now_us - p->origin : 0;
}

uint64_t nn_dhcp_pace_wait(const struct nn_dhcp_pace *p, uint64_t now_us)
{
	if (p->inflight >= nn_dhcp_pace_window(p))
		return UINT64_MAX;
	if (p->max_rate && p->next && since_origin(p, now_us) * p->max_rate < p->next)
		return p->origin + (p->next + p->max_rate - 1) / p->max_rate;
	return 0;
}

uint64_t nn_dhcp_pace_start(struct nn_dhcp_pace *p, uint64_t now_us)
{
	p->inflight++;
	/* Depth one: a start after a pause earns no burst, so no second holds
	 * more than max_rate starts.  A start less than 1 us after its time
	 * (the clock's resolution) keeps the schedule, so the rate is exact. */
	if (p->max_rate) {
		uint64_t now;

		if (!p->next)
			p->origin = now_us;
		now = since_origin(p, now_us) * p->max_rate;

		p->next = (now < p->next + p->max_rate ? p->next : now) + 1000000;
	}
	return ++p->seq;
}

static void leave(struct nn_dhcp_pace *p, uint64_t ticket)
{
	if (ticket && p->inflight)
		p->inflight--;
}

void nn_dhcp_pace_answer(struct nn_dhcp_pace *p, uint64_t ticket, uint64_t rtt_us)
{
	unsigned w;

	if (!ticket)
		return;
	leave(p, ticket);
	p->answered++;
	if (rtt_us >= NN_DHCP_PACE_SLOW_US) {
		p->slow++;
		return;
	}
	if (p->cwnd < p->ssthresh) {
		p->cwnd += ONE;			/* slow start: doubles each round */
	} else {
		uint32_t step = ONE * ONE / p->cwnd;	/* one more a window's worth */

		p->cwnd += step ? step : 1;
	}
	if (p->cwnd > NN_DHCP_PACE_WINDOW_MAX * ONE)
		p->cwnd = NN_DHCP_PACE_WINDOW_MAX * ONE;
	w = nn_dhcp_pace_window(p);
	if (w > p->window_peak)
		p->window_peak = w;
}

static void shrink(struct nn_dhcp_pace *p, uint64_t ticket)
{
	/* Exchanges that were under way when the window last shrank belong to
	 * the same loss: one burst of drops halves the window once. */
	if (ticket <= p->recover)
		return;
	p->recover = p->seq;
	p->shrinks++;
	p->cwnd /= 2;
	if (p->cwnd < ONE)
		p->cwnd = ONE;
	p->ssthresh = p->cwnd;
}

void nn_dhcp_pace_timeout(struct nn_dhcp_pace *p, uint64_t ticket)
{
	if (!ticket)
		return;
	leave(p, ticket);
	p->timeouts++;
	shrink(p, ticket);
}

void nn_dhcp_pace_nak(struct nn_dhcp_pace *p, uint64_t ticket)
{
	if (!ticket)
		return;
	leave(p, ticket);
	p->naks++;
	shrink(p, ticket);
}

void nn_dhcp_pace_abandon(struct nn_dhcp_pace *p, uint64_t ticket)
{
	leave(p, ticket);
}

uint64_t nn_dhcp_backoff_ms(unsigned tries, uint64_t random)
{
	unsigned shift = tries > 0 ? tries - 1 : 0;
	uint64_t base = shift >= 6 ? BACKOFF_MAX_MS : BACKOFF_FIRST_MS << shift;

	return base - base / 4 + random % (base / 2 + 1);
}

/* ------------------------------------------------------------ latency */

static bool acquiring(enum nn_dhcp_state s)
{
	return s == NN_DHCP_SELECTING || s == NN_DHCP_REQUESTING;
}

static bool has_lease(enum nn_dhcp_state s)
{
	return s == NN_DHCP_BOUND || s == NN_DHCP_RENEWING || s == NN_DHCP_REBINDING;
}

static void note_send(struct nn_dhcp_timing *t, enum nn_dhcp_state before,
		      const struct nn_dhcp_client *c, const struct nn_dhcp_event *ev,
		      const struct nn_dhcp_send *s, uint64_t rx_us, uint64_t now_us)
{
	bool timed_out = ev->type == NN_DHCP_EV_TIMER && acquiring(before);

	if (s->type == NN_DHCP_DISCOVER) {
		/* A new acquisition: started, or after a lease was lost. */
		if (!t->start_us || has_lease(before) || ev->type == NN_DHCP_EV_START) {
			t->start_us = now_us;
			t->retransmits = 0;
			t->naks = 0;
		}
		if (timed_out)
			t->retransmits++;
		if (c->tries == 1)
			t->discover_us = now_us;
		return;
	}
	if (s->type != NN_DHCP_REQUEST)
		return;
	if (c->state == NN_DHCP_REQUESTING) {
		if (timed_out)
			t->retransmits++;
		if (c->tries == 1) {
			t->offer_us = rx_us;
			t->request_us = now_us;
		}
		return;
	}
	if (c->state == NN_DHCP_RENEWING || c->state == NN_DHCP_REBINDING) {
		if (c->tries == 1) {
			t->renew_request_us = now_us;
			t->renew_sends = 0;
		}
		t->renew_sends++;
	}
}

static uint64_t since(uint64_t from, uint64_t to)
{
	return from && to > from ? to - from : 0;
}

void nn_dhcp_timing_note(struct nn_dhcp_timing *t, enum nn_dhcp_state before,
			 const struct nn_dhcp_client *c, const struct nn_dhcp_event *ev,
			 const struct nn_dhcp_action *acts, int n, uint64_t rx_us,
			 uint64_t now_us)
{
	if (ev->type == NN_DHCP_EV_PACKET && ev->msg && ev->msg->type == NN_DHCP_NAK &&
	    !c->ignored && before == NN_DHCP_REQUESTING)
		t->naks++;
	for (int i = 0; i < n; i++) {
		const struct nn_dhcp_action *a = &acts[i];

		if (a->type == NN_DHCP_ACT_SEND) {
			note_send(t, before, c, ev, &a->send, rx_us, now_us);
		} else if (a->type == NN_DHCP_ACT_BOUND && before == NN_DHCP_REQUESTING) {
			t->leased = true;
			t->acquired_us = rx_us;
			t->discover_offer_us = since(t->discover_us, t->offer_us);
			t->request_ack_us = since(t->request_us, rx_us);
			t->total_us = since(t->start_us, rx_us);
			t->lease_retransmits = t->retransmits;
			t->lease_naks = t->naks;
			t->start_us = 0;
		} else if (a->type == NN_DHCP_ACT_BOUND && has_lease(before) &&
			   before != NN_DHCP_BOUND) {
			t->renewals++;
			t->renewed_us = rx_us;
			t->renew_latency_us = since(t->renew_request_us, rx_us);
			t->renew_retransmits = t->renew_sends ? t->renew_sends - 1 : 0;
			t->renew_sends = 0;
		}
	}
}
