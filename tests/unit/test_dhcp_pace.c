// SPDX-License-Identifier: GPL-2.0-or-later
/* The pacing of many DHCP clients: window, rate cap, backoff, latency
 * figures; every clock here is a fake one. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/dhcp_pace.h"
#include "netnsctl/stats.h"

#define MS 1000ULL
#define SEC 1000000ULL

/* ------------------------------------------------------------ window */

static void test_slow_start_then_additive(void **state)
{
	struct nn_dhcp_pace p;
	uint64_t t[64];
	unsigned i;

	nn_dhcp_pace_init(&p, 0);
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_WINDOW_INIT);

	/* The window's worth may start, then no more until one ends. */
	for (i = 0; i < NN_DHCP_PACE_WINDOW_INIT; i++) {
		assert_int_equal(nn_dhcp_pace_wait(&p, 1000), 0);
		t[i] = nn_dhcp_pace_start(&p, 1000);
		assert_int_equal(t[i], i + 1);
	}
	assert_int_equal(nn_dhcp_pace_wait(&p, 1000), UINT64_MAX);

	/* Slow start: one more per answer, up to the threshold. */
	for (i = 0; i < NN_DHCP_PACE_WINDOW_INIT; i++) {
		nn_dhcp_pace_answer(&p, t[i], 1000);
		assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_WINDOW_INIT + i + 1);
	}
	assert_int_equal(p.inflight, 0);
	while (nn_dhcp_pace_window(&p) < NN_DHCP_PACE_SSTHRESH_INIT)
		nn_dhcp_pace_answer(&p, nn_dhcp_pace_start(&p, 2000), 1000);
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_SSTHRESH_INIT);

	/* Then one more per window of answers. */
	for (i = 0; i < NN_DHCP_PACE_SSTHRESH_INIT - 1; i++)
		nn_dhcp_pace_answer(&p, nn_dhcp_pace_start(&p, 3000), 1000);
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_SSTHRESH_INIT);
	nn_dhcp_pace_answer(&p, nn_dhcp_pace_start(&p, 3000), 1000);
	nn_dhcp_pace_answer(&p, nn_dhcp_pace_start(&p, 3000), 1000);
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_SSTHRESH_INIT + 1);
	assert_int_equal(p.window_peak, NN_DHCP_PACE_SSTHRESH_INIT + 1);

	/* Slow answers do not grow it: the server's queue is filling. */
	nn_dhcp_pace_answer(&p, nn_dhcp_pace_start(&p, 3000), NN_DHCP_PACE_SLOW_US);
	nn_dhcp_pace_answer(&p, nn_dhcp_pace_start(&p, 3000), 10 * NN_DHCP_PACE_SLOW_US);
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_SSTHRESH_INIT + 1);
	assert_int_equal(p.slow, 2);
	assert_int_equal(p.inflight, 0);

	/* It stops at the maximum. */
	for (i = 0; i < 2000000; i++)
		nn_dhcp_pace_answer(&p, nn_dhcp_pace_start(&p, 4000), 1000);
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_WINDOW_MAX);
}

static void test_shrink_once_per_loss(void **state)
{
	struct nn_dhcp_pace p;
	uint64_t t[NN_DHCP_PACE_WINDOW_INIT], late;
	unsigned i;

	nn_dhcp_pace_init(&p, 0);
	for (i = 0; i < NN_DHCP_PACE_WINDOW_INIT; i++)
		t[i] = nn_dhcp_pace_start(&p, 1000);

	/* The first timeout halves the window ... */
	nn_dhcp_pace_timeout(&p, t[0]);
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_WINDOW_INIT / 2);
	assert_int_equal(p.inflight, NN_DHCP_PACE_WINDOW_INIT - 1);
	/* ... and those sent with it, lost in the same burst, do not again. */
	for (i = 1; i < 4; i++)
		nn_dhcp_pace_timeout(&p, t[i]);
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_WINDOW_INIT / 2);
	assert_int_equal(p.timeouts, 4);
	assert_int_equal(p.shrinks, 1);
	/* 4 in flight fill the halved window. */
	assert_int_equal(nn_dhcp_pace_wait(&p, 2000), UINT64_MAX);
	nn_dhcp_pace_answer(&p, t[4], 1000);
	/* Past the threshold: no slow start, +1/4 does not make a whole one. */
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_WINDOW_INIT / 2);
	assert_int_equal(nn_dhcp_pace_wait(&p, 2000), 0);

	/* An exchange started after the halving that times out is a new loss. */
	late = nn_dhcp_pace_start(&p, 2000);
	nn_dhcp_pace_timeout(&p, late);
	assert_int_equal(nn_dhcp_pace_window(&p), NN_DHCP_PACE_WINDOW_INIT / 4);
	assert_int_equal(p.shrinks, 2);

	/* A NAK is a loss too, counted apart. */
	late = nn_dhcp_pace_start(&p, 2500);
	nn_dhcp_pace_nak(&p, late);
	assert_int_equal(nn_dhcp_pace_window(&p), 1);
	assert_int_equal(p.naks, 1);
	assert_int_equal(p.shrinks, 3);
	assert_int_equal(p.timeouts, 5);

	/* Never below one. */
	for (i = 0; i < 10; i++)
		nn_dhcp_pace_timeout(&p, nn_dhcp_pace_start(&p, 3000));
	assert_int_equal(nn_dhcp_pace_window(&p), 1);
	assert_int_equal(p.cwnd, 1024);

	/* An abandoned exchange frees its place and changes nothing else;
	 * ticket 0 (none) is no exchange. */
	nn_dhcp_pace_abandon(&p, t[5]);
	nn_dhcp_pace_abandon(&p, 0);
	nn_dhcp_pace_answer(&p, 0, 1000);
	nn_dhcp_pace_timeout(&p, 0);
	assert_int_equal(p.inflight, 2);	/* t[6], t[7] */
	assert_int_equal(nn_dhcp_pace_window(&p), 1);
}

/* At most RATE starts in any second, the most the cap allows, and no
 * burst after a pause. */
static void rate_cap_from(uint64_t base)
{
	static const unsigned rates[] = { 1, 3, 50, 333, 1000, 7919, NN_DHCP_PACE_RATE_MAX };

	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		unsigned rate = rates[r], n = 0, cap = rate * 8 + 10;
		uint64_t *at = calloc(cap, sizeof(*at)), now = base;
		struct nn_dhcp_pace p;

		assert_non_null(at);
		nn_dhcp_pace_init(&p, rate);
		/* A client waits for what wait() says and starts; answers at once. */
		while (now < base + 10 * SEC && n < cap) {
			uint64_t w = nn_dhcp_pace_wait(&p, now);

			assert_int_not_equal(w, UINT64_MAX);
			if (w) {
				assert_true(w > now);
				now = w;
				continue;
			}
			at[n++] = now;
			nn_dhcp_pace_answer(&p, nn_dhcp_pace_start(&p, now), 1000);
			/* a pause of 3 s in the middle */
			if (n == (rate * 5 + 1) / 2 + 1)
				now += 3 * SEC;
		}
		for (unsigned i = 0, j = 0; i < n; i++) {
			while (at[i] - at[j] >= SEC)
				j++;
			if (i - j + 1 > rate)
				fail_msg("rate %u: %u starts in 1 s ending at %u", rate, i - j + 1, i);
		}
		/* 10 s less the pause: the cap, not less (a start per interval) */
		assert_in_range(n, rate * 7 - 1, rate * 7 + 1);
		free(at);
	}
}

static void test_rate_cap(void **state)
{
	(void)state;
	rate_cap_from(5 * SEC);
	/* 7 years after the boot: us * 100000 is past 2^64 there */
	rate_cap_from(7ULL * 365 * 86400 * SEC);

	/* No cap: the window alone. */
	struct nn_dhcp_pace p;

	nn_dhcp_pace_init(&p, 0);
	for (unsigned i = 0; i < NN_DHCP_PACE_WINDOW_INIT; i++) {
		assert_int_equal(nn_dhcp_pace_wait(&p, 1), 0);
		nn_dhcp_pace_start(&p, 1);
	}
	assert_int_equal(nn_dhcp_pace_wait(&p, 1), UINT64_MAX);
	/* the rate's limit */
	nn_dhcp_pace_init(&p, NN_DHCP_PACE_RATE_MAX * 10);
	assert_int_equal(p.max_rate, NN_DHCP_PACE_RATE_MAX);
	nn_dhcp_pace_start(&p, 1);
	assert_int_equal(nn_dhcp_pace_wait(&p, 1), 11);
}

/* ------------------------------------------------------------ backoff */

static void test_backoff_schedule(void **state)
{
	static const uint64_t base[] = { 1, 2, 4, 8, 16, 32, 64, 64, 64, 64, 64 };
	uint64_t lo[11], hi[11];

	for (unsigned k = 0; k < 11; k++) {
		lo[k] = UINT64_MAX;
		hi[k] = 0;
	}
	/* the extremes of the random number */
	for (unsigned k = 0; k < 11; k++) {
		assert_int_equal(nn_dhcp_backoff_ms(k + 1, 0), base[k] * 750);
		assert_int_equal(nn_dhcp_backoff_ms(k + 1, base[k] * 500), base[k] * 1250);
	}
	/* tries 0 (misuse) is the first */
	assert_int_equal(nn_dhcp_backoff_ms(0, 0), 750);
	assert_int_equal(nn_dhcp_backoff_ms(1000, 0), 48000);
	/* spread over the whole range */
	uint64_t x = 0x243f6a8885a308d3ULL;

	for (unsigned i = 0; i < 20000; i++) {
		unsigned k = i % 11;
		uint64_t d;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		d = nn_dhcp_backoff_ms(k + 1, x);
		assert_in_range(d, base[k] * 750, base[k] * 1250);
		lo[k] = d < lo[k] ? d : lo[k];
		hi[k] = d > hi[k] ? d : hi[k];
	}
	for (unsigned k = 0; k < 11; k++) {
		assert_true(lo[k] < base[k] * 760);
		assert_true(hi[k] > base[k] * 1240);
	}
}

/*
 * The client state machine with its backoff on a fake clock: a paced
 * client's DISCOVER that nobody answers is sent again after about 1 s, 2 s,
 * 4 s ...; a client without fast_retransmit keeps RFC 2131's 4 s.
 */
static void test_backoff_in_client(void **state)
{
	struct nn_dhcp_client_config cfg = { .mac = { 2, 0, 0, 0, 0, 1 }, .seed = 7 };
	struct nn_dhcp_action act[NN_DHCP_ACTIONS_MAX];
	struct nn_dhcp_event ev = { .type = NN_DHCP_EV_START };
	struct nn_error e = { 0 };
	struct nn_dhcp_client c;
	uint64_t now = 1000, base = 1000;

	assert_int_equal(nn_dhcp_client_init(&c, &cfg, &e), 0);
	assert_int_equal(nn_dhcp_client_event(&c, &ev, now, act, NN_DHCP_ACTIONS_MAX, &e), 2);
	assert_in_range(c.deadline_ms - now, 3000, 5000);

	cfg.fast_retransmit = true;
	assert_int_equal(nn_dhcp_client_init(&c, &cfg, &e), 0);
	assert_int_equal(nn_dhcp_client_event(&c, &ev, now, act, NN_DHCP_ACTIONS_MAX, &e), 2);
	for (int i = 0; i < 8; i++) {
		uint64_t d = c.deadline_ms - now;

		assert_in_range(d, base * 3 / 4, base * 5 / 4);
		now = c.deadline_ms;
		ev.type = NN_DHCP_EV_TIMER;
		assert_int_equal(nn_dhcp_client_event(&c, &ev, now, act, NN_DHCP_ACTIONS_MAX, &e), 2);
		assert_int_equal(act[0].type, NN_DHCP_ACT_SEND);
		assert_int_equal(act[0].send.type, NN_DHCP_DISCOVER);
		base = base < 64000 ? base * 2 : 64000;
	}
}

/* ------------------------------------------------------------ latency */

static const uint8_t mac[6] = { 2, 0, 0x5e, 0, 0, 9 };

static struct nn_dhcp_msg answer(const struct nn_dhcp_client *c, uint8_t type)
{
	struct nn_dhcp_msg m;

	memset(&m, 0, sizeof(m));
	m.op = NN_BOOTREPLY;
	m.htype = 1;
	m.hlen = 6;
	m.xid = c->xid;
	memcpy(m.chaddr, mac, 6);
	m.type = type;
	inet_pton(AF_INET, "192.0.2.50", &m.yiaddr);
	m.has_server_id = true;
	inet_pton(AF_INET, "192.0.2.1", &m.server_id);
	m.has_lease = true;
	m.lease_s = 1000;
	m.has_subnet_mask = true;
	inet_pton(AF_INET, "255.255.255.0", &m.subnet_mask);
	return m;
}

/* Feed EV (packet MSG when not NULL) at NOW_US and note it; returns the
 * number of actions. */
static int step(struct nn_dhcp_client *c, struct nn_dhcp_timing *t, enum nn_dhcp_event_type type,
		const struct nn_dhcp_msg *msg, uint64_t rx_us, uint64_t now_us)
{
	struct nn_dhcp_action act[NN_DHCP_ACTIONS_MAX];
	struct nn_dhcp_event ev = { .type = type, .msg = msg };
	struct nn_error e = { 0 };
	enum nn_dhcp_state before = c->state;
	int n = nn_dhcp_client_event(c, &ev, now_us / 1000, act, NN_DHCP_ACTIONS_MAX, &e);

	assert_true(n >= 0);
	nn_dhcp_timing_note(t, before, c, &ev, act, n, rx_us, now_us);
	return n;
}

static void test_timing(void **state)
{
	struct nn_dhcp_client_config cfg = { .seed = 11 };
	struct nn_dhcp_timing t = { 0 };
	struct nn_error e = { 0 };
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m;
	uint64_t d2, t1_us;

	memcpy(cfg.mac, mac, 6);
	assert_int_equal(nn_dhcp_client_init(&c, &cfg, &e), 0);

	/* 1.000 s: DISCOVER, lost; about 1 s later again; OFFER 3 ms after. */
	step(&c, &t, NN_DHCP_EV_START, NULL, 1 * SEC, 1 * SEC);
	assert_int_equal(t.start_us, 1 * SEC);
	d2 = c.deadline_ms * MS;
	step(&c, &t, NN_DHCP_EV_TIMER, NULL, d2, d2);
	assert_int_equal(t.retransmits, 1);
	m = answer(&c, NN_DHCP_OFFER);
	/* arrived at +3 ms, handled at +5 ms (held by the window): the REQUEST
	 * counts from +5 ms, the OFFER from +3 ms */
	step(&c, &t, NN_DHCP_EV_PACKET, &m, d2 + 3 * MS, d2 + 5 * MS);
	assert_int_equal(c.state, NN_DHCP_REQUESTING);
	assert_int_equal(t.offer_us, d2 + 3 * MS);
	assert_int_equal(t.request_us, d2 + 5 * MS);

	/* NAK: at once a new DISCOVER (new transaction), answered in 2 ms. */
	m = answer(&c, NN_DHCP_NAK);
	step(&c, &t, NN_DHCP_EV_PACKET, &m, d2 + 7 * MS, d2 + 7 * MS);
	assert_int_equal(c.state, NN_DHCP_SELECTING);
	assert_int_equal(t.naks, 1);
	assert_int_equal(t.discover_us, d2 + 7 * MS);
	m = answer(&c, NN_DHCP_OFFER);
	step(&c, &t, NN_DHCP_EV_PACKET, &m, d2 + 9 * MS, d2 + 9 * MS);

	/* The REQUEST is lost once, its second send answered 4 ms later. */
	step(&c, &t, NN_DHCP_EV_TIMER, NULL, c.deadline_ms * MS, c.deadline_ms * MS);
	assert_int_equal(t.retransmits, 2);
	m = answer(&c, NN_DHCP_ACK);
	uint64_t ack = c.deadline_ms * MS - 100 * MS;	/* before its next retransmission */

	assert_false(t.leased);
	assert_int_equal(step(&c, &t, NN_DHCP_EV_PACKET, &m, ack, ack + 1), 2);
	assert_int_equal(c.state, NN_DHCP_BOUND);
	assert_true(t.leased);
	assert_int_equal(t.discover_offer_us, 2 * MS);
	assert_int_equal(t.request_ack_us, ack - (d2 + 9 * MS));
	assert_int_equal(t.total_us, ack - 1 * SEC);
	assert_int_equal(t.lease_retransmits, 2);
	assert_int_equal(t.lease_naks, 1);
	assert_int_equal(t.renewals, 0);

	/* Renewal at T1 (500 s): lost once, the second send answered in 1 ms. */
	t1_us = c.lease.t1_ms * MS;
	step(&c, &t, NN_DHCP_EV_TIMER, NULL, t1_us, t1_us);
	assert_int_equal(c.state, NN_DHCP_RENEWING);
	step(&c, &t, NN_DHCP_EV_TIMER, NULL, c.deadline_ms * MS, c.deadline_ms * MS);
	m = answer(&c, NN_DHCP_ACK);
	step(&c, &t, NN_DHCP_EV_PACKET, &m, c.deadline_ms * MS - 5 * SEC,
	     c.deadline_ms * MS - 5 * SEC);
	assert_int_equal(c.state, NN_DHCP_BOUND);
	assert_int_equal(t.renewals, 1);
	assert_int_equal(t.renew_latency_us, t.renewed_us - t1_us);
	assert_int_equal(t.renew_retransmits, 1);
	/* the acquisition's figures stay */
	assert_int_equal(t.total_us, ack - 1 * SEC);
	assert_int_equal(t.lease_retransmits, 2);

	/* The next renewal answered at once: no retransmission. */
	t1_us = c.lease.t1_ms * MS;
	step(&c, &t, NN_DHCP_EV_TIMER, NULL, t1_us, t1_us);
	m = answer(&c, NN_DHCP_ACK);
	step(&c, &t, NN_DHCP_EV_PACKET, &m, t1_us + 700, t1_us + 700);
	assert_int_equal(t.renewals, 2);
	assert_int_equal(t.renew_latency_us, 700);
	assert_int_equal(t.renew_retransmits, 0);
}

static void test_percentile(void **state)
{
	uint64_t v[100], one[1] = { 42 };

	for (unsigned i = 0; i < 100; i++)
		v[i] = (i * 37) % 100 + 1;	/* 1 .. 100, shuffled */
	assert_int_equal(nn_percentile_rank(v, 100, 50), 50);
	assert_int_equal(nn_percentile_rank(v, 100, 90), 90);
	assert_int_equal(nn_percentile_rank(v, 100, 99), 99);
	assert_int_equal(nn_percentile_rank(v, 100, 100), 100);
	assert_int_equal(nn_percentile_rank(v, 100, 1), 1);
	assert_int_equal(nn_percentile_rank(one, 1, 50), 42);
	assert_int_equal(nn_percentile_rank(one, 1, 99), 42);
	assert_int_equal(nn_percentile_rank(NULL, 0, 50), 0);
	uint64_t three[3] = { 30, 10, 20 };

	assert_int_equal(nn_percentile_rank(three, 3, 50), 20);
	assert_int_equal(nn_percentile_rank(three, 3, 90), 30);
}

/* ------------------------------------------------------------ simulation */

/*
 * N clients, each needing two exchanges (DISCOVER -> OFFER, REQUEST -> ACK),
 * against a server that handles one request per SERVICE_US and queues at
 * most QUEUE (the rest are dropped, as a full socket buffer drops them).
 * Clients retransmit with nn_dhcp_backoff_ms().  Everything runs on a fake
 * clock in microseconds.  WINDOWED false is the burst of before: every
 * client at once, no window.
 */
struct sim {
	unsigned n, queue;
	uint64_t service_us;
	bool windowed;
	unsigned max_rate;
	/* results */
	unsigned leased, sends, retransmits, drops;
	uint64_t end_us;
};

struct sclient {
	unsigned stage;		/* 0 new, 1 discovering, 2 requesting, 3 leased */
	uint64_t deadline, ticket, sent;
	unsigned tries;
	bool due;		/* wants to send */
};

static void run_sim(struct sim *s)
{
	struct sclient *c = calloc(s->n, sizeof(*c));
	unsigned *q = calloc(s->queue, sizeof(*q));
	unsigned qlen = 0, qhead = 0;
	uint64_t now = 0, busy_until = 0, rng = 0x853c49e6748fea9bULL;
	struct nn_dhcp_pace p;

	assert_non_null(c);
	assert_non_null(q);
	nn_dhcp_pace_init(&p, s->max_rate);
	for (unsigned i = 0; i < s->n; i++)
		c[i].due = true;
	while (s->leased < s->n && now < 600 * SEC) {
		uint64_t next = UINT64_MAX;

		/* the server answers the head of its queue */
		if (qlen && now >= busy_until) {
			struct sclient *k = &c[q[qhead] / 4];
			unsigned stage = q[qhead] % 4;

			qhead = (qhead + 1) % s->queue;
			qlen--;
			busy_until = now + s->service_us;
			/* a late answer to a request already retransmitted still
			 * counts; a second answer to one stage does not */
			if (k->stage == stage) {
				nn_dhcp_pace_answer(&p, k->ticket, now - k->sent);
				k->ticket = 0;
				k->stage++;
				k->tries = 0;
				k->due = k->stage == 2;
				if (k->stage == 3)
					s->leased++;
			}
		}
		/* timeouts */
		for (unsigned i = 0; i < s->n; i++) {
			if ((c[i].stage == 1 || c[i].stage == 2) && !c[i].due && now >= c[i].deadline) {
				nn_dhcp_pace_timeout(&p, c[i].ticket);
				c[i].ticket = 0;
				c[i].due = true;
				s->retransmits++;
			}
		}
		/* sends: those with an answer first, then the rest, by index */
		for (unsigned pass = 0; pass < 2; pass++) {
			for (unsigned i = 0; i < s->n; i++) {
				struct sclient *k = &c[i];

				if (!k->due || (pass == 0) != (k->stage == 2 && k->tries == 0))
					continue;
				if (s->windowed && nn_dhcp_pace_wait(&p, now))
					break;
				k->due = false;
				if (k->stage == 0)
					k->stage = 1;
				k->ticket = s->windowed ? nn_dhcp_pace_start(&p, now) : 0;
				k->tries++;
				k->sent = now;
				rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
				k->deadline = now + nn_dhcp_backoff_ms(k->tries, rng >> 11) * MS;
				s->sends++;
				if (qlen == s->queue) {
					s->drops++;
				} else {
					q[(qhead + qlen) % s->queue] = i * 4 + k->stage;
					qlen++;
				}
			}
		}
		/* the next thing to happen */
		if (qlen)
			next = busy_until > now ? busy_until : now + 1;
		for (unsigned i = 0; i < s->n; i++)
			if ((c[i].stage == 1 || c[i].stage == 2) && !c[i].due && c[i].deadline < next)
				next = c[i].deadline;
		if (s->windowed && p.max_rate) {
			uint64_t w = nn_dhcp_pace_wait(&p, now);

			if (w && w != UINT64_MAX && w < next)
				next = w;
		}
		if (next == UINT64_MAX)
			break;
		now = next > now ? next : now + 1;
	}
	s->end_us = now;
	free(c);
	free(q);
}

static void test_simulated_slow_server(void **state)
{
	/* 100 clients, a server of 50 requests a second and a queue of 20 */
	struct sim burst = { .n = 100, .queue = 20, .service_us = 20 * MS, .windowed = false };
	struct sim paced = burst, capped = burst;

	run_sim(&burst);
	paced.windowed = true;
	run_sim(&paced);
	capped.windowed = true;
	capped.max_rate = 40;
	run_sim(&capped);
	print_message("burst: %u leased, %u sends, %u drops, %u retransmissions, %.2f s\n",
		      burst.leased, burst.sends, burst.drops, burst.retransmits, burst.end_us / 1e6);
	print_message("paced: %u leased, %u sends, %u drops, %u retransmissions, %.2f s\n",
		      paced.leased, paced.sends, paced.drops, paced.retransmits, paced.end_us / 1e6);
	print_message("capped at 40/s: %u leased, %u sends, %u drops, %u retransmissions, %.2f s\n",
		      capped.leased, capped.sends, capped.drops, capped.retransmits,
		      capped.end_us / 1e6);
	assert_int_equal(paced.leased, 100);
	assert_int_equal(capped.leased, 100);
	/* the burst overruns the queue; the window does not */
	assert_true(burst.drops > 50);
	assert_true(paced.retransmits <= 5);
	assert_int_equal(capped.drops, 0);
	/* 200 requests at 50 a second take 4 s: the window gets close */
	assert_true(paced.end_us < 5 * SEC);
	assert_true(paced.end_us < burst.end_us);
	/* the cap holds: 200 requests at 40 a second take about 5 s */
	assert_true(capped.end_us >= 200 * SEC / 40 - SEC);
}

/* The same server with a deep queue (a socket buffer of 160 requests): the
 * burst is queued whole, and its clients time out and retransmit while
 * their first requests still wait; the paced ones do not. */
static void test_simulated_deep_queue(void **state)
{
	struct sim burst = { .n = 200, .queue = 160, .service_us = 20 * MS };
	struct sim paced = burst;

	run_sim(&burst);
	paced.windowed = true;
	run_sim(&paced);
	print_message("burst: %u leased, %u sends, %u drops, %u retransmissions, %.2f s\n",
		      burst.leased, burst.sends, burst.drops, burst.retransmits, burst.end_us / 1e6);
	print_message("paced: %u leased, %u sends, %u drops, %u retransmissions, %.2f s\n",
		      paced.leased, paced.sends, paced.drops, paced.retransmits, paced.end_us / 1e6);
	assert_int_equal(paced.leased, 200);
	assert_true(burst.retransmits > 100);
	assert_true(paced.retransmits <= 10);
	assert_true(paced.end_us < 9 * SEC);
}

/* A fast server (5000 requests a second): the window costs next to nothing. */
static void test_simulated_fast_server(void **state)
{
	struct sim burst = { .n = 500, .queue = 160, .service_us = 200 };
	struct sim paced = burst;

	run_sim(&burst);
	paced.windowed = true;
	run_sim(&paced);
	print_message("burst: %u leased, %u sends, %u drops, %u retransmissions, %.3f s\n",
		      burst.leased, burst.sends, burst.drops, burst.retransmits, burst.end_us / 1e6);
	print_message("paced: %u leased, %u sends, %u drops, %u retransmissions, %.3f s\n",
		      paced.leased, paced.sends, paced.drops, paced.retransmits, paced.end_us / 1e6);
	assert_int_equal(paced.leased, 500);
	assert_int_equal(paced.retransmits, 0);
	/* 1000 requests at 5000 a second: 0.2 s */
	assert_true(paced.end_us < 300 * MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_start_then_additive),
		cmocka_unit_test(test_shrink_once_per_loss),
		cmocka_unit_test(test_rate_cap),
		cmocka_unit_test(test_backoff_schedule),
		cmocka_unit_test(test_backoff_in_client),
		cmocka_unit_test(test_timing),
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_simulated_slow_server),
		cmocka_unit_test(test_simulated_deep_queue),
		cmocka_unit_test(test_simulated_fast_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
