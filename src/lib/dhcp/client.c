// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "netnsctl/dhcp.h"
#include "netnsctl/dhcp_pace.h"
#include "util/show.h"

#define SEC 1000ULL
#define RETRANS_FIRST_MS (4 * SEC)	/* RFC 2131 4.1: 4 s, doubling ... */
#define RETRANS_MAX_MS (64 * SEC)	/* ... up to 64 s, randomized by +-1 s */
#define JITTER_MS 1000
#define RENEW_RETRY_MIN_MS (60 * SEC)	/* RFC 2131 4.4.5 */
/* Floors under what a server may ask (docs/clients.md): a lease shorter than
 * NN_DHCP_LEASE_MIN_S is taken as that long, as dhcpcd does, and no renewal
 * comes sooner than RENEW_MIN_MS after a lease was got.  Without them a
 * 1-second lease (T1 = 0.5 s, T2 = 0.875 s, in whole seconds 0 and 0) or
 * T1 = T2 = 0 had every client renew as fast as the server answered. */
#define RENEW_MIN_MS (NN_DHCP_RENEW_MIN_S * SEC)
#define DECLINE_WAIT_MS (10 * SEC)	/* RFC 2131 3.1 step 5 */
#define NEVER UINT64_MAX

const char *nn_dhcp_state_name(enum nn_dhcp_state s)
{
	switch (s) {
	case NN_DHCP_INIT: return "INIT";
	case NN_DHCP_SELECTING: return "SELECTING";
	case NN_DHCP_REQUESTING: return "REQUESTING";
	case NN_DHCP_BOUND: return "BOUND";
	case NN_DHCP_RENEWING: return "RENEWING";
	case NN_DHCP_REBINDING: return "REBINDING";
	case NN_DHCP_RELEASED: return "RELEASED";
	}
	return "unknown";
}

int nn_dhcp_client_init(struct nn_dhcp_client *c,
			const struct nn_dhcp_client_config *cfg, struct nn_error *e)
{
	size_t n = 0;

	if (cfg->hostname) {
		n = strnlen(cfg->hostname, sizeof(c->hostname));
		if (n == 0 || n >= sizeof(c->hostname)) {
			struct nn_shown sh;

			return nn_error_setx(e, EINVAL, "invalid DHCP hostname \"%s\": %s",
					     nn_show(&sh, cfg->hostname),
					     n ? "longer than 255 bytes" : "empty");
		}
	}
	memset(c, 0, sizeof(*c));
	c->state = NN_DHCP_INIT;
	memcpy(c->mac, cfg->mac, sizeof(c->mac));
	c->unicast_ok = cfg->unicast_ok;
	c->fast_retransmit = cfg->fast_retransmit;
	memcpy(c->hostname, cfg->hostname ? cfg->hostname : "", n);
	c->rng = cfg->seed;
	return 0;
}

/* splitmix64: the caller seeds it, so runs replay exactly in tests. */
static uint64_t next_random(struct nn_dhcp_client *c)
{
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > NEVER - b ? NEVER : a + b;
}

/* Delay after the TRIES-th send of DISCOVER or REQUEST.  A paced client's
 * is about 1 s, doubling (dhcp_pace.h says why). */
static uint64_t retrans_delay(struct nn_dhcp_client *c)
{
	unsigned shift = c->tries > 0 ? c->tries - 1 : 0;
	uint64_t base = shift >= 4 ? RETRANS_MAX_MS : RETRANS_FIRST_MS << shift;

	if (c->fast_retransmit)
		return nn_dhcp_backoff_ms(c->tries, next_random(c));
	return base - JITTER_MS + next_random(c) % (2 * JITTER_MS + 1);
}

struct out {
	struct nn_dhcp_action *a;
	size_t n;
};

static struct nn_dhcp_action *push(struct out *o, enum nn_dhcp_action_type type)
{
	struct nn_dhcp_action *a = &o->a[o->n++];

	memset(a, 0, sizeof(*a));
	a->type = type;
	return a;
}

/* A deadline already past (a late ACK for a short lease) fires at once. */
static void arm(struct nn_dhcp_client *c, struct out *o, uint64_t now, uint64_t at)
{
	if (at < now)
		at = now;
	c->deadline_ms = at == NEVER ? 0 : at;
	push(o, NN_DHCP_ACT_TIMER)->timer_ms = c->deadline_ms;
}

static void new_xid(struct nn_dhcp_client *c)
{
	c->xid = (uint32_t)next_random(c);
}

static int send_msg(struct nn_dhcp_client *c, struct out *o,
		    enum nn_dhcp_build_kind kind, uint64_t now, struct nn_error *e)
{
	struct nn_dhcp_build b = {
		.kind = kind,
		.xid = c->xid,
		.hostname = c->hostname[0] ? c->hostname : NULL,
	};
	struct nn_dhcp_action *a = push(o, NN_DHCP_ACT_SEND);
	struct nn_dhcp_send *s = &a->send;
	uint64_t secs = (now - c->started_ms) / SEC;
	int r;

	memcpy(b.chaddr, c->mac, sizeof(b.chaddr));
	b.secs = secs > UINT16_MAX ? UINT16_MAX : secs;
	s->dst.s_addr = htonl(INADDR_BROADCAST);
	switch (kind) {
	case NN_DHCP_BUILD_DISCOVER:
		b.broadcast = !c->unicast_ok;
		break;
	case NN_DHCP_BUILD_REQUEST_SELECTING:
		b.broadcast = !c->unicast_ok;
		b.requested = c->offered;
		b.server_id = c->server_id;
		break;
	case NN_DHCP_BUILD_REQUEST_RENEWING:
		b.ciaddr = s->src = c->lease.address;
		s->dst = c->lease.server_id;
		break;
	case NN_DHCP_BUILD_REQUEST_REBINDING:
		b.ciaddr = s->src = c->lease.address;
		break;
	case NN_DHCP_BUILD_RELEASE:
		b.secs = 0;
		b.ciaddr = s->src = c->lease.address;
		b.server_id = s->dst = c->lease.server_id;
		break;
	case NN_DHCP_BUILD_DECLINE:
		b.secs = 0;
		b.requested = c->lease.address;
		b.server_id = c->lease.server_id;
		break;
	}
	r = nn_dhcp_encode(&b, s->pkt, sizeof(s->pkt), e);
	if (r < 0)
		return r;
	s->len = r;
	s->type = kind == NN_DHCP_BUILD_DISCOVER ? NN_DHCP_DISCOVER :
		  kind == NN_DHCP_BUILD_RELEASE ? NN_DHCP_RELEASE :
		  kind == NN_DHCP_BUILD_DECLINE ? NN_DHCP_DECLINE : NN_DHCP_REQUEST;
	return 0;
}

static int start_discover(struct nn_dhcp_client *c, struct out *o, uint64_t now,
			  struct nn_error *e)
{
	int r;

	c->state = NN_DHCP_SELECTING;
	new_xid(c);
	c->tries = 1;
	c->started_ms = now;
	c->offered.s_addr = c->server_id.s_addr = 0;
	r = send_msg(c, o, NN_DHCP_BUILD_DISCOVER, now, e);
	if (r)
		return r;
	arm(c, o, now, now + retrans_delay(c));
	return 0;
}

/* Back to INIT after a NAK.  The first restart is immediate (RFC 2131 3.1
 * step 5).  The next NAK_QUICK ones come after a random pause under a second:
 * a server that does not probe addresses before offering them (dnsmasq
 * --no-ping) offers one free address to several clients starting at once
 * and NAKs all but the first, which must not cost them seconds each.  A
 * server that keeps refusing then gets DISCOVERs 4 s, 8 s ... 64 s apart
 * instead of a storm from every client. */
#define NAK_QUICK 3

static int restart_after_nak(struct nn_dhcp_client *c, struct out *o, uint64_t now,
			     struct nn_error *e)
{
	unsigned n = c->naks++;
	uint64_t wait;

	if (n == 0)
		return start_discover(c, o, now, e);
	if (n <= NAK_QUICK) {
		wait = 1 + next_random(c) % JITTER_MS;
	} else {
		n -= NAK_QUICK;
		wait = n > 4 ? RETRANS_MAX_MS : RETRANS_FIRST_MS << (n - 1);
	}
	c->state = NN_DHCP_INIT;
	arm(c, o, now, now + wait);
	return 0;
}

static void lose(struct nn_dhcp_client *c, struct out *o, enum nn_dhcp_lost_reason why)
{
	struct nn_dhcp_action *a = push(o, NN_DHCP_ACT_LOST);

	a->lost = why;
	a->lease = c->lease;
	memset(&c->lease, 0, sizeof(c->lease));
}

static bool usable_unicast(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	/* not 0/8, 127/8, multicast, class E or broadcast */
	return (h >> 24) != 0 && (h >> 24) != 127 && h < 0xe0000000U;
}

static unsigned classful_prefix(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	if (h < 0x80000000U)
		return 8;
	if (h < 0xc0000000U)
		return 16;
	return 24;
}

static unsigned mask_prefix(struct in_addr m)
{
	uint32_t h = ntohl(m.s_addr);
	unsigned n = 0;

	while (n < 32 && (h & (0x80000000U >> n)))
		n++;
	return n;
}

/* An OFFER or ACK we could configure; on failure, *why says what is wrong. */
static bool lease_usable(const struct nn_dhcp_msg *m, const char **why)
{
	unsigned prefix;
	uint32_t host, hostmask;

	if (!usable_unicast(m->yiaddr)) {
		*why = "offered address is not a unicast address";
		return false;
	}
	if (!m->has_server_id || !usable_unicast(m->server_id)) {
		*why = "no usable server identifier (option 54)";
		return false;
	}
	if (!m->has_lease || m->lease_s == 0) {
		*why = "no lease time (option 51)";
		return false;
	}
	prefix = m->has_subnet_mask ? mask_prefix(m->subnet_mask) : classful_prefix(m->yiaddr);
	if (prefix <= 30) {
		hostmask = 0xffffffffU >> prefix;
		host = ntohl(m->yiaddr.s_addr) & hostmask;
		if (host == 0 || host == hostmask) {
			*why = "offered address is the subnet's network or broadcast address";
			return false;
		}
	}
	return true;
}

static uint64_t at_s(uint64_t base, uint32_t s)
{
	return s == NN_DHCP_INFINITE ? NEVER : add_sat(base, (uint64_t)s * SEC);
}

/* Lease times count from the first send of the REQUEST that was answered
 * (RFC 2131 4.4.1), so a slow reply never stretches the lease.  They are
 * worked out in milliseconds: in whole seconds 7/8 of a 1-second lease is 0. */
static void take_lease(struct nn_dhcp_client *c, const struct nn_dhcp_msg *m)
{
	struct nn_dhcp_lease *l = &c->lease;
	uint32_t lease = m->lease_s;
	uint64_t lease_ms, t1 = NEVER, t2 = NEVER;

	memset(l, 0, sizeof(*l));
	l->address = m->yiaddr;
	l->server_id = m->server_id;
	l->prefixlen = m->has_subnet_mask ? mask_prefix(m->subnet_mask)
					  : classful_prefix(m->yiaddr);
	l->netmask.s_addr = htonl(l->prefixlen ? 0xffffffffU << (32 - l->prefixlen) : 0);
	if (m->has_router)
		l->router = m->router;
	l->n_dns = m->n_dns;
	memcpy(l->dns, m->dns, sizeof(l->dns));
	memcpy(l->domain, m->domain, sizeof(l->domain));

	if (lease != NN_DHCP_INFINITE) {
		if (lease < NN_DHCP_LEASE_MIN_S)
			lease = NN_DHCP_LEASE_MIN_S;
		lease_ms = (uint64_t)lease * SEC;
		/* RFC 2131 4.4.5 defaults (T1 = 0.5, T2 = 0.875 of the lease) when
		 * the server's are missing, 0, or not T1 < T2 < lease. */
		t2 = m->has_t2 && m->t2_s > 0 && m->t2_s < lease ? (uint64_t)m->t2_s * SEC
								 : lease_ms * 7 / 8;
		t1 = m->has_t1 && m->t1_s > 0 && (uint64_t)m->t1_s * SEC < t2
			? (uint64_t)m->t1_s * SEC : lease_ms / 2;
		if (t1 < RENEW_MIN_MS)
			t1 = RENEW_MIN_MS;
		if (t1 > t2)
			t1 = t2;
		if (t2 < t1)
			t2 = t1;
	}
	l->lease_s = lease;
	l->t1_s = t1 == NEVER ? NN_DHCP_INFINITE : t1 / SEC;
	l->t2_s = t2 == NEVER ? NN_DHCP_INFINITE : t2 / SEC;
	l->t1_ms = t1 == NEVER ? NEVER : add_sat(c->sent_ms, t1);
	l->t2_ms = t2 == NEVER ? NEVER : add_sat(c->sent_ms, t2);
	l->expiry_ms = at_s(c->sent_ms, lease);
}

static uint64_t renew_at(const struct nn_dhcp_client *c, uint64_t now)
{
	uint64_t floor = add_sat(now, RENEW_MIN_MS);

	if (c->lease.t1_ms >= floor)
		return c->lease.t1_ms;
	return floor < c->lease.expiry_ms ? floor : c->lease.expiry_ms;
}

static void bind_lease(struct nn_dhcp_client *c, struct out *o, const struct nn_dhcp_msg *m,
		       uint64_t now)
{
	take_lease(c, m);
	c->state = NN_DHCP_BOUND;
	c->naks = 0;
	c->tries = 0;
	push(o, NN_DHCP_ACT_BOUND)->lease = c->lease;
	/* An answer to a REQUEST first sent long ago can leave T1 behind us:
	 * the next REQUEST still waits RENEW_MIN_MS (or the lease's end). */
	arm(c, o, now, renew_at(c, now));
}

static uint64_t half_way(uint64_t now, uint64_t end)
{
	uint64_t wait = (end - now) / 2;

	if (wait < RENEW_RETRY_MIN_MS)
		wait = RENEW_RETRY_MIN_MS;
	wait = add_sat(now, wait);
	return wait < end ? wait : end;
}

/* The lease timer: T1, T2, the retransmissions between them, and expiry.
 * Checked from the latest deadline down, so a driver that slept through T1
 * and T2 goes straight to where the lease really is. */
static int lease_timer(struct nn_dhcp_client *c, struct out *o, uint64_t now,
		       struct nn_error *e)
{
	struct nn_dhcp_lease *l = &c->lease;
	int r;

	if (now >= l->expiry_ms) {
		lose(c, o, NN_DHCP_LOST_EXPIRED);
		return start_discover(c, o, now, e);
	}
	if (now >= l->t2_ms) {
		if (c->state != NN_DHCP_REBINDING) {
			if (c->state == NN_DHCP_BOUND)
				c->started_ms = now;
			c->state = NN_DHCP_REBINDING;
			new_xid(c);
			c->tries = 0;
		}
		if (c->tries++ == 0)
			c->sent_ms = now;
		r = send_msg(c, o, NN_DHCP_BUILD_REQUEST_REBINDING, now, e);
		if (r)
			return r;
		arm(c, o, now, half_way(now, l->expiry_ms));
		return 0;
	}
	if (now >= l->t1_ms) {
		if (c->state != NN_DHCP_RENEWING) {
			c->state = NN_DHCP_RENEWING;
			c->started_ms = now;
			new_xid(c);
			c->tries = 0;
		}
		if (c->tries++ == 0)
			c->sent_ms = now;
		r = send_msg(c, o, NN_DHCP_BUILD_REQUEST_RENEWING, now, e);
		if (r)
			return r;
		arm(c, o, now, half_way(now, l->t2_ms));
		return 0;
	}
	arm(c, o, now, l->t1_ms);
	return 0;
}

static int on_timer(struct nn_dhcp_client *c, struct out *o, uint64_t now,
		    struct nn_error *e)
{
	int r;

	if (!c->deadline_ms || now < c->deadline_ms)
		return 0;
	c->deadline_ms = 0;
	switch (c->state) {
	case NN_DHCP_INIT:
		return start_discover(c, o, now, e);
	case NN_DHCP_SELECTING:
		c->tries++;
		r = send_msg(c, o, NN_DHCP_BUILD_DISCOVER, now, e);
		if (r)
			return r;
		arm(c, o, now, now + retrans_delay(c));
		return 0;
	case NN_DHCP_REQUESTING:
		/* RFC 2131 4.4.1: no answer after retransmitting: back to INIT. */
		if (c->tries >= NN_DHCP_REQUEST_TRIES)
			return start_discover(c, o, now, e);
		c->tries++;
		r = send_msg(c, o, NN_DHCP_BUILD_REQUEST_SELECTING, now, e);
		if (r)
			return r;
		arm(c, o, now, now + retrans_delay(c));
		return 0;
	case NN_DHCP_BOUND:
	case NN_DHCP_RENEWING:
	case NN_DHCP_REBINDING:
		return lease_timer(c, o, now, e);
	case NN_DHCP_RELEASED:
		break;
	}
	return 0;
}

static bool ours(struct nn_dhcp_client *c, const struct nn_dhcp_msg *m)
{
	if (m->op != NN_BOOTREPLY)
		c->ignored = "not a BOOTREPLY";
	else if (m->xid != c->xid)
		c->ignored = "transaction id is not ours";
	else if (m->htype != 1 || m->hlen != 6 || memcmp(m->chaddr, c->mac, 6))
		c->ignored = "client hardware address is not ours";
	else
		return true;
	return false;
}

static int on_packet(struct nn_dhcp_client *c, struct out *o, const struct nn_dhcp_msg *m,
		     uint64_t now, struct nn_error *e)
{
	const char *why;
	int r;

	switch (c->state) {
	case NN_DHCP_SELECTING:
	case NN_DHCP_REQUESTING:
	case NN_DHCP_RENEWING:
	case NN_DHCP_REBINDING:
		break;
	default:
		c->ignored = "no request outstanding";
		return 0;
	}
	if (!ours(c, m))
		return 0;

	switch (m->type) {
	case NN_DHCP_OFFER:
		if (c->state != NN_DHCP_SELECTING) {
			c->ignored = "OFFER while not selecting";
			return 0;
		}
		if (!lease_usable(m, &why)) {
			c->ignored = why;
			return 0;
		}
		c->offered = m->yiaddr;
		c->server_id = m->server_id;
		c->state = NN_DHCP_REQUESTING;
		c->tries = 1;
		c->sent_ms = now;
		r = send_msg(c, o, NN_DHCP_BUILD_REQUEST_SELECTING, now, e);
		if (r)
			return r;
		arm(c, o, now, now + retrans_delay(c));
		return 0;

	case NN_DHCP_ACK:
		if (c->state == NN_DHCP_SELECTING) {
			c->ignored = "ACK while selecting";
			return 0;
		}
		if (!lease_usable(m, &why)) {
			c->ignored = why;
			return 0;
		}
		if (c->state == NN_DHCP_REQUESTING) {
			if (m->server_id.s_addr != c->server_id.s_addr) {
				c->ignored = "ACK from a server we did not select";
				return 0;
			}
			if (m->yiaddr.s_addr != c->offered.s_addr) {
				c->ignored = "ACK for an address we did not request";
				return 0;
			}
		} else {
			if (c->state == NN_DHCP_RENEWING &&
			    m->server_id.s_addr != c->lease.server_id.s_addr) {
				c->ignored = "ACK from a server other than the lease's";
				return 0;
			}
			if (m->yiaddr.s_addr != c->lease.address.s_addr) {
				c->ignored = "ACK for an address other than the lease's";
				return 0;
			}
		}
		bind_lease(c, o, m, now);
		return 0;

	case NN_DHCP_NAK: {
		struct in_addr expect = c->state == NN_DHCP_RENEWING ? c->lease.server_id
								    : c->server_id;

		if (c->state == NN_DHCP_SELECTING) {
			c->ignored = "NAK while selecting";
			return 0;
		}
		/* In REBINDING any server may answer (RFC 2131 4.4.5). */
		if (c->state != NN_DHCP_REBINDING && m->has_server_id &&
		    m->server_id.s_addr != expect.s_addr) {
			c->ignored = "NAK from a server we did not ask";
			return 0;
		}
		if (c->state == NN_DHCP_RENEWING || c->state == NN_DHCP_REBINDING)
			lose(c, o, NN_DHCP_LOST_NAK);
		return restart_after_nak(c, o, now, e);
	}
	default:
		c->ignored = "not an OFFER, ACK or NAK";
		return 0;
	}
}

static bool has_lease(const struct nn_dhcp_client *c)
{
	return c->state == NN_DHCP_BOUND || c->state == NN_DHCP_RENEWING ||
	       c->state == NN_DHCP_REBINDING;
}

int nn_dhcp_client_event(struct nn_dhcp_client *c, const struct nn_dhcp_event *ev,
			 uint64_t now_ms, struct nn_dhcp_action *out,
			 size_t max_actions, struct nn_error *e)
{
	struct out o = { .a = out };
	int r = 0;

	if (max_actions < NN_DHCP_ACTIONS_MAX)
		return nn_error_setx(e, EINVAL, "DHCP client needs room for %d actions, got %zu",
				     NN_DHCP_ACTIONS_MAX, max_actions);
	if (now_ms == 0)
		return nn_error_setx(e, EINVAL, "DHCP client time must be after 0 ms");
	c->ignored = NULL;

	switch (ev->type) {
	case NN_DHCP_EV_START:
		if (c->state != NN_DHCP_INIT && c->state != NN_DHCP_RELEASED)
			return nn_error_setx(e, EINVAL, "DHCP client already running (%s)",
					     nn_dhcp_state_name(c->state));
		c->naks = 0;
		r = start_discover(c, &o, now_ms, e);
		break;
	case NN_DHCP_EV_PACKET:
		if (!ev->msg)
			return nn_error_setx(e, EINVAL, "DHCP packet event without a message");
		r = on_packet(c, &o, ev->msg, now_ms, e);
		break;
	case NN_DHCP_EV_TIMER:
		r = on_timer(c, &o, now_ms, e);
		break;
	case NN_DHCP_EV_RELEASE:
		if (c->state == NN_DHCP_RELEASED)
			break;
		if (has_lease(c)) {
			r = send_msg(c, &o, NN_DHCP_BUILD_RELEASE, now_ms, e);
			if (r)
				break;
			lose(c, &o, NN_DHCP_LOST_RELEASED);
		}
		c->state = NN_DHCP_RELEASED;
		arm(c, &o, now_ms, NEVER);
		break;
	case NN_DHCP_EV_DECLINE:
		if (!has_lease(c))
			return nn_error_setx(e, EINVAL, "DHCP client has no lease to decline (%s)",
					     nn_dhcp_state_name(c->state));
		r = send_msg(c, &o, NN_DHCP_BUILD_DECLINE, now_ms, e);
		if (r)
			break;
		lose(c, &o, NN_DHCP_LOST_DECLINED);
		c->state = NN_DHCP_INIT;
		arm(c, &o, now_ms, now_ms + DECLINE_WAIT_MS);
		break;
	default:
		return nn_error_setx(e, EINVAL, "unknown DHCP client event %d", (int)ev->type);
	}
	if (r < 0)
		return r;
	return o.n;
}

int nn_dhcp_client_resume(struct nn_dhcp_client *c, const struct nn_dhcp_client_config *cfg,
			  const struct nn_dhcp_lease *lease, uint64_t now_ms, struct nn_error *e)
{
	int r = nn_dhcp_client_init(c, cfg, e);

	if (r < 0)
		return r;
	if (!lease->address.s_addr || !lease->server_id.s_addr)
		return nn_error_setx(e, EINVAL, "DHCP lease to resume has no address or server");
	c->state = NN_DHCP_BOUND;
	c->lease = *lease;
	new_xid(c);
	c->deadline_ms = lease->t1_ms == NEVER ? 0 : lease->t1_ms > now_ms ? lease->t1_ms : now_ms;
	return 0;
}
