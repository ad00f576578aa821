// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/dhcp.h"

/* ------------------------------------------------------------ helpers */

#define SEC 1000ULL
#define A16 "aaaaaaaaaaaaaaaa"
#define AS96 A16 A16 A16 A16 A16 A16

static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

#define assert_ip_equal(a, s) assert_int_equal((a).s_addr, ip(s).s_addr)

static struct nn_dhcp_action act[NN_DHCP_ACTIONS_MAX];

static void new_client(struct nn_dhcp_client *c, uint64_t seed)
{
	struct nn_dhcp_client_config cfg = { .seed = seed, .hostname = "client-01" };
	struct nn_error e = { 0 };

	memcpy(cfg.mac, mac, 6);
	assert_int_equal(nn_dhcp_client_init(c, &cfg, &e), 0);
	assert_int_equal(c->state, NN_DHCP_INIT);
}

/* Feed one event; fills act[] and returns how many actions. */
static int feed(struct nn_dhcp_client *c, enum nn_dhcp_event_type type,
		const struct nn_dhcp_msg *m, uint64_t now)
{
	struct nn_dhcp_event ev = { .type = type, .msg = m };
	struct nn_error e = { 0 };
	int n;

	memset(act, 0x5a, sizeof(act));
	n = nn_dhcp_client_event(c, &ev, now, act, NN_DHCP_ACTIONS_MAX, &e);
	if (n < 0)
		fail_msg("event %d failed: %s", type, e.msg);
	assert_true(n <= NN_DHCP_ACTIONS_MAX);
	return n;
}

/* Decode the packet of act[I], checking what every client packet shares. */
static void sent(int i, struct nn_dhcp_msg *m)
{
	struct nn_error e = { 0 };

	assert_int_equal(act[i].type, NN_DHCP_ACT_SEND);
	if (nn_dhcp_decode(act[i].send.pkt, act[i].send.len, m, &e))
		fail_msg("sent packet does not decode: %s", e.msg);
	assert_int_equal(m->op, NN_BOOTREQUEST);
	assert_int_equal(m->type, act[i].send.type);
	assert_memory_equal(m->chaddr, mac, 6);
	assert_int_equal(m->client_id_len, 7);
}

static void assert_timer(int i, uint64_t at)
{
	assert_int_equal(act[i].type, NN_DHCP_ACT_TIMER);
	assert_int_equal(act[i].timer_ms, at);
}

/* A server's reply as bytes, then decoded: the path a driver takes. */
struct reply {
	uint8_t type;
	uint32_t xid;
	const char *yiaddr;
	const char *server;		/* NULL: no option 54 */
	uint32_t lease, t1, t2;		/* 0: absent */
	const char *mask;		/* NULL: absent */
	const char *router;
	const char *message;
	uint8_t op;			/* 0: BOOTREPLY */
	const uint8_t *chaddr;		/* NULL: ours */
};

static void put_addr(uint8_t **p, uint8_t code, const char *s)
{
	struct in_addr a = ip(s);

	*(*p)++ = code;
	*(*p)++ = 4;
	memcpy(*p, &a, 4);
	*p += 4;
}

static void put_u32(uint8_t **p, uint8_t code, uint32_t v)
{
	uint32_t n = htonl(v);

	*(*p)++ = code;
	*(*p)++ = 4;
	memcpy(*p, &n, 4);
	*p += 4;
}

static struct nn_dhcp_msg reply(const struct reply *r)
{
	uint8_t buf[600] = { 0 }, *p = buf + 240;
	struct nn_error e = { 0 };
	struct nn_dhcp_msg m;
	uint32_t xid = htonl(r->xid);

	buf[0] = r->op ? r->op : NN_BOOTREPLY;
	buf[1] = 1;
	buf[2] = 6;
	memcpy(buf + 4, &xid, 4);
	if (r->yiaddr) {
		struct in_addr y = ip(r->yiaddr);

		memcpy(buf + 16, &y, 4);
	}
	memcpy(buf + 28, r->chaddr ? r->chaddr : mac, 6);
	memcpy(buf + 236, "\x63\x82\x53\x63", 4);
	*p++ = 53;
	*p++ = 1;
	*p++ = r->type;
	if (r->server)
		put_addr(&p, 54, r->server);
	if (r->lease)
		put_u32(&p, 51, r->lease);
	if (r->t1)
		put_u32(&p, 58, r->t1);
	if (r->t2)
		put_u32(&p, 59, r->t2);
	if (r->mask)
		put_addr(&p, 1, r->mask);
	if (r->router)
		put_addr(&p, 3, r->router);
	if (r->type == NN_DHCP_OFFER || r->type == NN_DHCP_ACK) {
		memcpy(p, "\x06\x08\xc0\x00\x02\x35\xc0\x00\x02\x36", 10);
		p += 10;
		memcpy(p, "\x0f\x08lab.test", 10);
		p += 10;
	}
	if (r->message) {
		*p++ = 56;
		*p++ = strlen(r->message);
		memcpy(p, r->message, strlen(r->message));
		p += strlen(r->message);
	}
	*p++ = 255;
	if (nn_dhcp_decode(buf, 300, &m, &e))
		fail_msg("test reply does not decode: %s", e.msg);
	return m;
}

static struct reply lease_reply(uint8_t type, uint32_t xid)
{
	struct reply r = {
		.type = type, .xid = xid, .yiaddr = "192.0.2.50", .server = "192.0.2.1",
		.lease = 3600, .t1 = 1800, .t2 = 3150,
		.mask = "255.255.255.0", .router = "192.0.2.1",
	};

	return r;
}

static struct nn_dhcp_msg offer(const struct nn_dhcp_client *c)
{
	struct reply r = lease_reply(NN_DHCP_OFFER, c->xid);

	return reply(&r);
}

static struct nn_dhcp_msg ack(const struct nn_dhcp_client *c)
{
	struct reply r = lease_reply(NN_DHCP_ACK, c->xid);

	return reply(&r);
}

static struct nn_dhcp_msg nak(const struct nn_dhcp_client *c, const char *server)
{
	struct reply r = { .type = NN_DHCP_NAK, .xid = c->xid, .server = server,
			   .message = "address not available" };

	return reply(&r);
}

/* START at 1 s, OFFER at 1.5 s, ACK at 1.6 s: BOUND, lease counted from 1.5 s. */
static void bind_client(struct nn_dhcp_client *c, uint64_t seed)
{
	struct nn_dhcp_msg m;

	new_client(c, seed);
	assert_int_equal(feed(c, NN_DHCP_EV_START, NULL, 1000), 2);
	m = offer(c);
	assert_int_equal(feed(c, NN_DHCP_EV_PACKET, &m, 1500), 2);
	m = ack(c);
	assert_int_equal(feed(c, NN_DHCP_EV_PACKET, &m, 1600), 2);
	assert_int_equal(c->state, NN_DHCP_BOUND);
}

/* ------------------------------------------------------------ conversation */

static void test_conversation(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m, s;
	const struct nn_dhcp_lease *l;
	uint32_t xid;

	new_client(&c, 1);

	/* INIT -> SELECTING: broadcast DISCOVER */
	assert_int_equal(feed(&c, NN_DHCP_EV_START, NULL, 1000), 2);
	assert_int_equal(c.state, NN_DHCP_SELECTING);
	sent(0, &s);
	assert_int_equal(s.type, NN_DHCP_DISCOVER);
	assert_int_equal(s.xid, c.xid);
	assert_int_equal(s.flags, 0x8000);
	assert_int_equal(s.secs, 0);
	assert_ip_equal(s.ciaddr, "0.0.0.0");
	assert_false(s.has_requested);
	assert_false(s.has_server_id);
	assert_int_equal(s.prl_len, 7);
	assert_string_equal(s.hostname, "client-01");
	assert_ip_equal(act[0].send.src, "0.0.0.0");
	assert_ip_equal(act[0].send.dst, "255.255.255.255");
	assert_int_equal(act[1].type, NN_DHCP_ACT_TIMER);
	assert_in_range(act[1].timer_ms, 1000 + 3000, 1000 + 5000);
	assert_int_equal(c.deadline_ms, act[1].timer_ms);
	xid = c.xid;

	/* OFFER -> REQUESTING: broadcast REQUEST with 50 and 54, same xid */
	m = offer(&c);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 1500), 2);
	assert_null(c.ignored);
	assert_int_equal(c.state, NN_DHCP_REQUESTING);
	sent(0, &s);
	assert_int_equal(s.type, NN_DHCP_REQUEST);
	assert_int_equal(s.xid, xid);
	assert_int_equal(s.flags, 0x8000);
	assert_ip_equal(s.ciaddr, "0.0.0.0");
	assert_true(s.has_requested);
	assert_ip_equal(s.requested, "192.0.2.50");
	assert_true(s.has_server_id);
	assert_ip_equal(s.server_id, "192.0.2.1");
	assert_string_equal(s.hostname, "client-01");
	assert_ip_equal(act[0].send.src, "0.0.0.0");
	assert_ip_equal(act[0].send.dst, "255.255.255.255");
	assert_int_equal(act[1].type, NN_DHCP_ACT_TIMER);
	assert_in_range(act[1].timer_ms, 1500 + 3000, 1500 + 5000);

	/* ACK -> BOUND: the lease, and the timer at T1 from the REQUEST's send */
	m = ack(&c);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 1600), 2);
	assert_int_equal(c.state, NN_DHCP_BOUND);
	assert_int_equal(act[0].type, NN_DHCP_ACT_BOUND);
	l = &act[0].lease;
	assert_ip_equal(l->address, "192.0.2.50");
	assert_int_equal(l->prefixlen, 24);
	assert_ip_equal(l->netmask, "255.255.255.0");
	assert_ip_equal(l->server_id, "192.0.2.1");
	assert_ip_equal(l->router, "192.0.2.1");
	assert_int_equal(l->n_dns, 2);
	assert_ip_equal(l->dns[0], "192.0.2.53");
	assert_ip_equal(l->dns[1], "192.0.2.54");
	assert_string_equal(l->domain, "lab.test");
	assert_int_equal(l->lease_s, 3600);
	assert_int_equal(l->t1_s, 1800);
	assert_int_equal(l->t2_s, 3150);
	assert_int_equal(l->t1_ms, 1500 + 1800 * SEC);
	assert_int_equal(l->t2_ms, 1500 + 3150 * SEC);
	assert_int_equal(l->expiry_ms, 1500 + 3600 * SEC);
	assert_timer(1, 1500 + 1800 * SEC);
	assert_int_equal(c.deadline_ms, 1500 + 1800 * SEC);

	/* A duplicate ACK in BOUND changes nothing. */
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 1700), 0);
	assert_string_equal(c.ignored, "no request outstanding");
	assert_int_equal(c.state, NN_DHCP_BOUND);
}

static void test_renew(void **state)
{
	uint64_t t1 = 1500 + 1800 * SEC, t2 = 1500 + 3150 * SEC, now;
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m, s;
	uint32_t old_xid;

	bind_client(&c, 2);
	old_xid = c.xid;

	/* Early or spurious timers do nothing. */
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, t1 - 1), 0);
	assert_int_equal(c.state, NN_DHCP_BOUND);

	/* T1: unicast REQUEST from the leased address to the server, ciaddr set,
	 * no 50/54, no broadcast flag, a new xid. */
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, t1), 2);
	assert_int_equal(c.state, NN_DHCP_RENEWING);
	sent(0, &s);
	assert_int_equal(s.type, NN_DHCP_REQUEST);
	assert_int_not_equal(s.xid, old_xid);
	assert_int_equal(s.xid, c.xid);
	assert_int_equal(s.flags, 0);
	assert_int_equal(s.secs, 0);
	assert_ip_equal(s.ciaddr, "192.0.2.50");
	assert_false(s.has_requested);
	assert_false(s.has_server_id);
	assert_ip_equal(act[0].send.src, "192.0.2.50");
	assert_ip_equal(act[0].send.dst, "192.0.2.1");
	/* RFC 2131 4.4.5: retry half-way to T2 */
	assert_timer(1, t1 + (t2 - t1) / 2);

	/* ACK: BOUND again, times counted from the renewal's send. */
	now = t1 + 300;
	m = ack(&c);
	m.lease_s = 7200;
	m.has_t1 = m.has_t2 = false;
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, now), 2);
	assert_int_equal(c.state, NN_DHCP_BOUND);
	assert_int_equal(act[0].type, NN_DHCP_ACT_BOUND);
	assert_int_equal(act[0].lease.lease_s, 7200);
	assert_int_equal(act[0].lease.t1_s, 3600);	/* defaults: 1/2 and 7/8 */
	assert_int_equal(act[0].lease.t2_s, 6300);
	assert_int_equal(act[0].lease.expiry_ms, t1 + 7200 * SEC);
	assert_timer(1, t1 + 3600 * SEC);
}

/* No answer to renewals: retries half-way to T2 (min 60 s), then REBINDING
 * at T2 with broadcasts half-way to expiry, then the lease is lost. */
static void test_renew_rebind_expire(void **state)
{
	uint64_t t1 = 1500 + 1800 * SEC, t2 = 1500 + 3150 * SEC, exp = 1500 + 3600 * SEC;
	uint64_t now, next;
	struct nn_dhcp_client c;
	struct nn_dhcp_msg s;
	unsigned renews = 0, rebinds = 0;
	uint32_t renew_xid = 0;

	bind_client(&c, 3);
	now = t1;
	while (now < t2) {
		assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, now), 2);
		assert_int_equal(c.state, NN_DHCP_RENEWING);
		sent(0, &s);
		assert_ip_equal(act[0].send.dst, "192.0.2.1");
		if (renews++ == 0)
			renew_xid = s.xid;
		assert_int_equal(s.xid, renew_xid);	/* one transaction */
		assert_int_equal(s.secs, (now - t1) / SEC);
		next = now + ((t2 - now) / 2 < 60 * SEC ? 60 * SEC : (t2 - now) / 2);
		assert_timer(1, next < t2 ? next : t2);
		now = act[1].timer_ms;
	}
	/* 1350 s to T2: 675, 337.5, 168.75, 84.375, 60, then the rest (24.375) */
	assert_int_equal(renews, 6);

	while (now < exp) {
		assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, now), 2);
		assert_int_equal(c.state, NN_DHCP_REBINDING);
		sent(0, &s);
		assert_int_equal(s.type, NN_DHCP_REQUEST);
		assert_int_not_equal(s.xid, renew_xid);
		assert_int_equal(s.flags, 0);
		assert_ip_equal(s.ciaddr, "192.0.2.50");
		assert_false(s.has_requested);
		assert_false(s.has_server_id);
		assert_ip_equal(act[0].send.src, "192.0.2.50");
		assert_ip_equal(act[0].send.dst, "255.255.255.255");
		next = now + ((exp - now) / 2 < 60 * SEC ? 60 * SEC : (exp - now) / 2);
		assert_timer(1, next < exp ? next : exp);
		now = act[1].timer_ms;
		rebinds++;
	}
	/* 450 s: 225, 112.5, 60, 52.5 */
	assert_int_equal(rebinds, 4);

	/* Expiry: LOST, then a fresh DISCOVER. */
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, exp), 3);
	assert_int_equal(act[0].type, NN_DHCP_ACT_LOST);
	assert_int_equal(act[0].lost, NN_DHCP_LOST_EXPIRED);
	assert_ip_equal(act[0].lease.address, "192.0.2.50");
	assert_int_equal(act[0].lease.prefixlen, 24);
	sent(1, &s);
	assert_int_equal(s.type, NN_DHCP_DISCOVER);
	assert_int_equal(act[2].type, NN_DHCP_ACT_TIMER);
	assert_int_equal(c.state, NN_DHCP_SELECTING);
	assert_int_equal(c.lease.address.s_addr, 0);
}

static void test_rebind_ack_from_other_server(void **state)
{
	uint64_t t2 = 1500 + 3150 * SEC;
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m, s;
	struct reply r;

	bind_client(&c, 4);
	/* The driver slept through T1: the timer at T2 goes straight to REBINDING. */
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, t2 + 5), 2);
	assert_int_equal(c.state, NN_DHCP_REBINDING);
	sent(0, &s);
	assert_ip_equal(act[0].send.dst, "255.255.255.255");

	r = lease_reply(NN_DHCP_ACK, c.xid);
	r.server = "192.0.2.2";
	m = reply(&r);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, t2 + 10), 2);
	assert_int_equal(c.state, NN_DHCP_BOUND);
	assert_ip_equal(act[0].lease.server_id, "192.0.2.2");
	assert_int_equal(act[0].lease.expiry_ms, t2 + 5 + 3600 * SEC);

	/* The next renewal is unicast to the new server. */
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, act[1].timer_ms), 2);
	assert_int_equal(c.state, NN_DHCP_RENEWING);
	assert_ip_equal(act[0].send.dst, "192.0.2.2");

	/* In RENEWING, only the lease's server may answer. */
	r = lease_reply(NN_DHCP_ACK, c.xid);
	r.server = "192.0.2.1";
	m = reply(&r);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, c.deadline_ms - 1), 0);
	assert_string_equal(c.ignored, "ACK from a server other than the lease's");
}

static void test_slept_past_expiry(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg s;

	bind_client(&c, 5);
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, 1500 + 9999 * SEC), 3);
	assert_int_equal(act[0].type, NN_DHCP_ACT_LOST);
	assert_int_equal(act[0].lost, NN_DHCP_LOST_EXPIRED);
	sent(1, &s);
	assert_int_equal(s.type, NN_DHCP_DISCOVER);
}

/* ------------------------------------------------------------ NAK */

static void test_nak_requesting(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m, s;
	uint32_t xid;
	uint64_t at, wake;

	new_client(&c, 6);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	m = offer(&c);
	feed(&c, NN_DHCP_EV_PACKET, &m, 1100);
	xid = c.xid;

	/* A NAK from a server we did not select is ignored. */
	m = nak(&c, "192.0.2.9");
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 1200), 0);
	assert_string_equal(c.ignored, "NAK from a server we did not ask");
	assert_int_equal(c.state, NN_DHCP_REQUESTING);

	/* Ours: back to INIT and straight into a new DISCOVER, new xid. */
	m = nak(&c, "192.0.2.1");
	assert_string_equal(m.message, "address not available");
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 1300), 2);
	assert_int_equal(c.state, NN_DHCP_SELECTING);
	sent(0, &s);
	assert_int_equal(s.type, NN_DHCP_DISCOVER);
	assert_int_not_equal(s.xid, xid);
	assert_int_equal(s.secs, 0);

	/* The second to fourth NAK in a row: a random pause under a second
	 * (a server that offered one address to several clients at once). */
	at = 1400;
	for (unsigned i = 0; i < 3; i++) {
		m = offer(&c);
		feed(&c, NN_DHCP_EV_PACKET, &m, at);
		m = nak(&c, i == 0 ? NULL : "192.0.2.1");	/* without 54: still ours */
		assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, at + 100), 1);
		assert_int_equal(c.state, NN_DHCP_INIT);
		wake = act[0].timer_ms;
		assert_true(wake > at + 100 && wake <= at + 100 + SEC);
		assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, wake - 1), 0);
		assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, wake), 2);
		assert_int_equal(c.state, NN_DHCP_SELECTING);
		sent(0, &s);
		assert_int_equal(s.type, NN_DHCP_DISCOVER);
		at = c.deadline_ms + 1;
	}

	/* Then 4 s, 8 s ...: the waits grow to 64 s and stay there. */
	for (unsigned i = 0; i < 8; i++) {
		uint64_t want[] = { 4, 8, 16, 32, 64, 64, 64, 64 };

		m = offer(&c);
		feed(&c, NN_DHCP_EV_PACKET, &m, at);
		m = nak(&c, "192.0.2.1");
		assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, at + 1), 1);
		assert_timer(0, at + 1 + want[i] * SEC);
		feed(&c, NN_DHCP_EV_TIMER, NULL, act[0].timer_ms);
		at = c.deadline_ms + 1;
	}

	/* A lease resets the count: the next NAK restarts at once. */
	m = offer(&c);
	feed(&c, NN_DHCP_EV_PACKET, &m, at);
	m = ack(&c);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, at + 1), 2);
	assert_int_equal(c.naks, 0);
}

static void test_nak_renewing(void **state)
{
	uint64_t t1 = 1500 + 1800 * SEC;
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m, s;

	bind_client(&c, 7);
	feed(&c, NN_DHCP_EV_TIMER, NULL, t1);
	assert_int_equal(c.state, NN_DHCP_RENEWING);
	m = nak(&c, "192.0.2.1");
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, t1 + 10), 3);
	assert_int_equal(act[0].type, NN_DHCP_ACT_LOST);
	assert_int_equal(act[0].lost, NN_DHCP_LOST_NAK);
	assert_ip_equal(act[0].lease.address, "192.0.2.50");
	sent(1, &s);
	assert_int_equal(s.type, NN_DHCP_DISCOVER);
	assert_int_equal(act[2].type, NN_DHCP_ACT_TIMER);
	assert_int_equal(c.state, NN_DHCP_SELECTING);
}

static void test_nak_rebinding_any_server(void **state)
{
	uint64_t t2 = 1500 + 3150 * SEC;
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m;

	bind_client(&c, 8);
	feed(&c, NN_DHCP_EV_TIMER, NULL, t2);
	assert_int_equal(c.state, NN_DHCP_REBINDING);
	m = nak(&c, "192.0.2.77");
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, t2 + 10), 3);
	assert_int_equal(act[0].type, NN_DHCP_ACT_LOST);
	assert_int_equal(act[0].lost, NN_DHCP_LOST_NAK);
}

/* ------------------------------------------------------------ retransmission */

static void test_discover_backoff(void **state)
{
	static const uint64_t base[] = { 4, 8, 16, 32, 64, 64, 64, 64, 64, 64 };
	uint64_t first_min = UINT64_MAX, first_max = 0;
	uint64_t seed;

	for (seed = 100; seed < 164; seed++) {
		struct nn_dhcp_client c;
		struct nn_dhcp_msg s;
		uint64_t now = 1000;
		uint32_t xid;
		unsigned i;

		new_client(&c, seed);
		assert_int_equal(feed(&c, NN_DHCP_EV_START, NULL, now), 2);
		xid = c.xid;
		for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
			uint64_t delay = act[1].timer_ms - now;

			assert_in_range(delay, base[i] * SEC - 1000, base[i] * SEC + 1000);
			if (i == 0) {
				first_min = delay < first_min ? delay : first_min;
				first_max = delay > first_max ? delay : first_max;
			}
			now = act[1].timer_ms;
			assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, now), 2);
			sent(0, &s);
			assert_int_equal(s.type, NN_DHCP_DISCOVER);
			assert_int_equal(s.xid, xid);	/* retransmissions keep the xid */
			assert_int_equal(s.secs, (now - 1000) / SEC);
			assert_int_equal(c.state, NN_DHCP_SELECTING);
		}
	}
	/* The jitter is really random across seeds. */
	assert_true(first_max - first_min > 1000);
}

static void test_request_retries_then_restart(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m, s;
	uint64_t now = 2000;
	uint32_t xid;
	unsigned i;

	new_client(&c, 9);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	m = offer(&c);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, now), 2);
	xid = c.xid;
	for (i = 1; i < NN_DHCP_REQUEST_TRIES; i++) {
		uint64_t base = 4 * SEC << (i - 1);

		assert_in_range(act[1].timer_ms - now, base - 1000, base + 1000);
		now = act[1].timer_ms;
		assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, now), 2);
		sent(0, &s);
		assert_int_equal(s.type, NN_DHCP_REQUEST);
		assert_int_equal(s.xid, xid);
		assert_ip_equal(s.requested, "192.0.2.50");
		assert_int_equal(c.state, NN_DHCP_REQUESTING);
	}
	/* No answer to the last one: start over. */
	now = act[1].timer_ms;
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, now), 2);
	sent(0, &s);
	assert_int_equal(s.type, NN_DHCP_DISCOVER);
	assert_int_not_equal(s.xid, xid);
	assert_int_equal(c.state, NN_DHCP_SELECTING);
}

/* A late ACK to the first REQUEST still counts its lease from that send. */
static void test_lease_counts_from_first_request(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m;

	new_client(&c, 10);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	m = offer(&c);
	feed(&c, NN_DHCP_EV_PACKET, &m, 2000);
	feed(&c, NN_DHCP_EV_TIMER, NULL, c.deadline_ms);	/* second REQUEST */
	m = ack(&c);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, c.deadline_ms - 1), 2);
	assert_int_equal(act[0].lease.expiry_ms, 2000 + 3600 * SEC);
}

/* ------------------------------------------------------------ filtering */

static void expect_ignored(struct nn_dhcp_client *c, const struct nn_dhcp_msg *m,
			   uint64_t now, const char *why)
{
	struct nn_dhcp_client before = *c;

	assert_int_equal(feed(c, NN_DHCP_EV_PACKET, m, now), 0);
	assert_non_null(c->ignored);
	assert_string_equal(c->ignored, why);
	c->ignored = NULL;
	assert_memory_equal(c, &before, sizeof(before));
}

static void test_ignored_in_selecting(void **state)
{
	static const uint8_t other[6] = { 0x02, 0, 0x5e, 0x10, 0, 2 };
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m;
	struct reply r;

	new_client(&c, 11);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);

	r = lease_reply(NN_DHCP_OFFER, c.xid + 1);
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "transaction id is not ours");
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.chaddr = other;
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "client hardware address is not ours");
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.op = NN_BOOTREQUEST;
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "not a BOOTREPLY");
	r = lease_reply(NN_DHCP_ACK, c.xid);
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "ACK while selecting");
	m = nak(&c, "192.0.2.1");
	expect_ignored(&c, &m, 1100, "NAK while selecting");
	r = lease_reply(NN_DHCP_DISCOVER, c.xid);
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "not an OFFER, ACK or NAK");

	/* OFFERs we could not use */
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.server = NULL;
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "no usable server identifier (option 54)");
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.lease = 0;
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "no lease time (option 51)");
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.yiaddr = NULL;
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "offered address is not a unicast address");
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.yiaddr = "224.0.0.5";
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "offered address is not a unicast address");
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.yiaddr = "192.0.2.255";
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "offered address is the subnet's network or broadcast address");
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.yiaddr = "192.0.2.0";
	m = reply(&r);
	expect_ignored(&c, &m, 1100, "offered address is the subnet's network or broadcast address");

	/* After all that, the real OFFER still works. */
	m = offer(&c);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 1200), 2);
	assert_int_equal(c.state, NN_DHCP_REQUESTING);
}

static void test_ignored_in_requesting(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m;
	struct reply r;

	new_client(&c, 12);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	m = offer(&c);
	feed(&c, NN_DHCP_EV_PACKET, &m, 1100);

	/* A second server's OFFER (to the same DISCOVER) arrives late. */
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.server = "192.0.2.2";
	m = reply(&r);
	expect_ignored(&c, &m, 1150, "OFFER while not selecting");
	r = lease_reply(NN_DHCP_ACK, c.xid);
	r.server = "192.0.2.2";
	m = reply(&r);
	expect_ignored(&c, &m, 1150, "ACK from a server we did not select");
	r = lease_reply(NN_DHCP_ACK, c.xid);
	r.yiaddr = "192.0.2.51";
	m = reply(&r);
	expect_ignored(&c, &m, 1150, "ACK for an address we did not request");
	r = lease_reply(NN_DHCP_ACK, c.xid ^ 0x80000000U);
	m = reply(&r);
	expect_ignored(&c, &m, 1150, "transaction id is not ours");
}

static void test_stale_xid_after_renew(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m;
	struct reply r;
	uint32_t first_xid;

	bind_client(&c, 13);
	first_xid = c.xid;
	feed(&c, NN_DHCP_EV_TIMER, NULL, c.deadline_ms);
	assert_int_equal(c.state, NN_DHCP_RENEWING);
	/* An ACK replayed from the first exchange is not an answer to the renewal. */
	r = lease_reply(NN_DHCP_ACK, first_xid);
	m = reply(&r);
	expect_ignored(&c, &m, c.deadline_ms - 1, "transaction id is not ours");
	r = lease_reply(NN_DHCP_ACK, c.xid);
	r.yiaddr = "192.0.2.99";
	m = reply(&r);
	expect_ignored(&c, &m, c.deadline_ms - 1, "ACK for an address other than the lease's");
}

/* ------------------------------------------------------------ release, decline */

static void test_release(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m, s;

	bind_client(&c, 14);
	assert_int_equal(feed(&c, NN_DHCP_EV_RELEASE, NULL, 5000), 3);
	sent(0, &s);
	assert_int_equal(s.type, NN_DHCP_RELEASE);
	assert_ip_equal(s.ciaddr, "192.0.2.50");
	assert_true(s.has_server_id);
	assert_ip_equal(s.server_id, "192.0.2.1");
	assert_false(s.has_requested);
	assert_int_equal(s.prl_len, 0);
	assert_string_equal(s.hostname, "");
	assert_int_equal(s.flags, 0);
	assert_int_equal(s.secs, 0);
	assert_ip_equal(act[0].send.src, "192.0.2.50");
	assert_ip_equal(act[0].send.dst, "192.0.2.1");
	assert_int_equal(act[1].type, NN_DHCP_ACT_LOST);
	assert_int_equal(act[1].lost, NN_DHCP_LOST_RELEASED);
	assert_ip_equal(act[1].lease.address, "192.0.2.50");
	assert_timer(2, 0);
	assert_int_equal(c.state, NN_DHCP_RELEASED);
	assert_int_equal(c.deadline_ms, 0);

	/* Released: quiet until started again. */
	assert_int_equal(feed(&c, NN_DHCP_EV_RELEASE, NULL, 5001), 0);
	m = ack(&c);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 5002), 0);
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, 99999999), 0);
	assert_int_equal(feed(&c, NN_DHCP_EV_START, NULL, 6000), 2);
	sent(0, &s);
	assert_int_equal(s.type, NN_DHCP_DISCOVER);
}

static void test_release_without_lease(void **state)
{
	struct nn_dhcp_client c;

	new_client(&c, 15);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	assert_int_equal(feed(&c, NN_DHCP_EV_RELEASE, NULL, 1001), 1);
	assert_timer(0, 0);
	assert_int_equal(c.state, NN_DHCP_RELEASED);
}

static void test_decline(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg s;

	bind_client(&c, 16);
	assert_int_equal(feed(&c, NN_DHCP_EV_DECLINE, NULL, 2000), 3);
	sent(0, &s);
	assert_int_equal(s.type, NN_DHCP_DECLINE);
	assert_ip_equal(s.ciaddr, "0.0.0.0");
	assert_ip_equal(s.requested, "192.0.2.50");
	assert_ip_equal(s.server_id, "192.0.2.1");
	assert_int_equal(s.prl_len, 0);
	assert_ip_equal(act[0].send.src, "0.0.0.0");
	assert_ip_equal(act[0].send.dst, "255.255.255.255");
	assert_int_equal(act[1].type, NN_DHCP_ACT_LOST);
	assert_int_equal(act[1].lost, NN_DHCP_LOST_DECLINED);
	assert_timer(2, 2000 + 10 * SEC);	/* RFC 2131 3.1: wait 10 s */
	assert_int_equal(c.state, NN_DHCP_INIT);
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, 2000 + 10 * SEC), 2);
	sent(0, &s);
	assert_int_equal(s.type, NN_DHCP_DISCOVER);
	assert_false(s.has_requested);
}

/* ------------------------------------------------------------ lease times */

static void test_lease_time_fixups(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m;
	struct reply r;

	/* T1 after T2, T2 after the lease: the RFC 2131 defaults instead. */
	new_client(&c, 17);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	m = offer(&c);
	feed(&c, NN_DHCP_EV_PACKET, &m, 1000);
	r = lease_reply(NN_DHCP_ACK, c.xid);
	r.lease = 1000;
	r.t1 = 900;
	r.t2 = 2000;
	m = reply(&r);
	feed(&c, NN_DHCP_EV_PACKET, &m, 1000);
	assert_int_equal(act[0].lease.t1_s, 500);
	assert_int_equal(act[0].lease.t2_s, 875);

	/* A valid short T2 with T1 missing: T1 may not pass it. */
	new_client(&c, 18);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	m = offer(&c);
	feed(&c, NN_DHCP_EV_PACKET, &m, 1000);
	r = lease_reply(NN_DHCP_ACK, c.xid);
	r.lease = 1000;
	r.t1 = 0;
	r.t2 = 300;
	m = reply(&r);
	feed(&c, NN_DHCP_EV_PACKET, &m, 1000);
	assert_int_equal(act[0].lease.t2_s, 300);
	assert_int_equal(act[0].lease.t1_s, 300);
}

static void test_infinite_lease(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m;
	struct reply r;

	new_client(&c, 19);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	m = offer(&c);
	feed(&c, NN_DHCP_EV_PACKET, &m, 1000);
	r = lease_reply(NN_DHCP_ACK, c.xid);
	r.lease = NN_DHCP_INFINITE;
	m = reply(&r);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 1000), 2);
	assert_int_equal(act[0].lease.lease_s, NN_DHCP_INFINITE);
	assert_int_equal(act[0].lease.expiry_ms, UINT64_MAX);
	assert_int_equal(act[0].lease.t1_ms, UINT64_MAX);
	assert_timer(1, 0);
	assert_int_equal(c.deadline_ms, 0);
	assert_int_equal(feed(&c, NN_DHCP_EV_TIMER, NULL, UINT64_MAX - 1), 0);
	assert_int_equal(c.state, NN_DHCP_BOUND);
}

static void test_classful_without_mask(void **state)
{
	struct nn_dhcp_client c;
	struct nn_dhcp_msg m;
	struct reply r;

	new_client(&c, 20);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	r = lease_reply(NN_DHCP_OFFER, c.xid);
	r.yiaddr = "10.1.2.3";
	r.mask = NULL;
	r.router = NULL;
	m = reply(&r);
	feed(&c, NN_DHCP_EV_PACKET, &m, 1000);
	r.type = NN_DHCP_ACK;
	m = reply(&r);
	assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 1000), 2);
	assert_int_equal(act[0].lease.prefixlen, 8);
	assert_ip_equal(act[0].lease.netmask, "255.0.0.0");
	assert_ip_equal(act[0].lease.router, "0.0.0.0");
}

/* ------------------------------------------------------------ API */

static void test_unicast_ok_and_no_hostname(void **state)
{
	struct nn_dhcp_client_config cfg = { .seed = 1, .unicast_ok = true };
	struct nn_dhcp_client c;
	struct nn_error e = { 0 };
	struct nn_dhcp_msg s;

	memcpy(cfg.mac, mac, 6);
	assert_int_equal(nn_dhcp_client_init(&c, &cfg, &e), 0);
	feed(&c, NN_DHCP_EV_START, NULL, 1000);
	sent(0, &s);
	assert_int_equal(s.flags, 0);
	assert_string_equal(s.hostname, "");
}

static void test_deterministic_seed(void **state)
{
	struct nn_dhcp_client a, b, d;

	new_client(&a, 42);
	new_client(&b, 42);
	new_client(&d, 43);
	feed(&a, NN_DHCP_EV_START, NULL, 1000);
	feed(&b, NN_DHCP_EV_START, NULL, 1000);
	feed(&d, NN_DHCP_EV_START, NULL, 1000);
	assert_int_equal(a.xid, b.xid);
	assert_int_equal(a.deadline_ms, b.deadline_ms);
	assert_int_not_equal(a.xid, d.xid);
}

static void test_misuse(void **state)
{
	struct nn_dhcp_client_config cfg = { .hostname = "" };
	struct nn_dhcp_event ev = { .type = NN_DHCP_EV_START };
	struct nn_dhcp_client c;
	struct nn_error e = { 0 };
	char host[300];

	memcpy(cfg.mac, mac, 6);
	assert_int_equal(nn_dhcp_client_init(&c, &cfg, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid DHCP hostname \"\": empty");
	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	cfg.hostname = host;
	assert_int_equal(nn_dhcp_client_init(&c, &cfg, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid DHCP hostname \"" AS96 "...\": longer than 255 bytes");
	host[255] = '\0';
	assert_int_equal(nn_dhcp_client_init(&c, &cfg, &e), 0);

	assert_int_equal(nn_dhcp_client_event(&c, &ev, 1000, act, NN_DHCP_ACTIONS_MAX - 1, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "DHCP client needs room for 4 actions, got 3");
	assert_int_equal(nn_dhcp_client_event(&c, &ev, 0, act, NN_DHCP_ACTIONS_MAX, &e), -EINVAL);
	assert_string_equal(e.msg, "DHCP client time must be after 0 ms");
	assert_int_equal(c.state, NN_DHCP_INIT);

	assert_int_equal(nn_dhcp_client_event(&c, &ev, 1000, act, NN_DHCP_ACTIONS_MAX, &e), 2);
	assert_int_equal(nn_dhcp_client_event(&c, &ev, 1001, act, NN_DHCP_ACTIONS_MAX, &e), -EINVAL);
	assert_string_equal(e.msg, "DHCP client already running (SELECTING)");
	ev.type = NN_DHCP_EV_PACKET;
	assert_int_equal(nn_dhcp_client_event(&c, &ev, 1001, act, NN_DHCP_ACTIONS_MAX, &e), -EINVAL);
	assert_string_equal(e.msg, "DHCP packet event without a message");
	ev.type = NN_DHCP_EV_DECLINE;
	assert_int_equal(nn_dhcp_client_event(&c, &ev, 1001, act, NN_DHCP_ACTIONS_MAX, &e), -EINVAL);
	assert_string_equal(e.msg, "DHCP client has no lease to decline (SELECTING)");
	ev.type = 99;
	assert_int_equal(nn_dhcp_client_event(&c, &ev, 1001, act, NN_DHCP_ACTIONS_MAX, &e), -EINVAL);
	assert_string_equal(e.msg, "unknown DHCP client event 99");
	assert_int_equal(c.state, NN_DHCP_SELECTING);

	/* The longest hostname still fits a REQUEST. */
	{
		struct nn_dhcp_msg m = offer(&c);

		assert_int_equal(feed(&c, NN_DHCP_EV_PACKET, &m, 1002), 2);
		assert_true(act[0].send.len <= NN_DHCP_MSG_MAX);
	}
	assert_string_equal(nn_dhcp_state_name(NN_DHCP_REBINDING), "REBINDING");
	assert_string_equal(nn_dhcp_type_name(NN_DHCP_NAK), "NAK");
	assert_string_equal(nn_dhcp_type_name(0), "unknown");
	assert_string_equal(nn_dhcp_type_name(200), "unknown");
}

/* Random events and hostile packets in random states: never more actions
 * than promised, never an error, never a timer in the past. */
static void test_random_walk(void **state)
{
	static uint64_t r = 0x9e3779b97f4a7c15ULL;
	struct nn_dhcp_client c;
	unsigned visits[NN_DHCP_RELEASED + 1] = { 0 };
	uint64_t now = 1000;
	unsigned i;

	new_client(&c, 99);
	for (i = 0; i < 50000; i++) {
		struct nn_dhcp_msg m;
		struct reply rp;
		unsigned pick;
		int n, k;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		pick = r % 16;
		now += r % 5000;
		if (pick == 0 && (c.state == NN_DHCP_INIT || c.state == NN_DHCP_RELEASED)) {
			n = feed(&c, NN_DHCP_EV_START, NULL, now);
		} else if (pick == 1 && (r >> 20) % 50 == 0) {
			n = feed(&c, NN_DHCP_EV_RELEASE, NULL, now);
		} else if (pick < 8) {
			if (c.deadline_ms && (r >> 8) % 2)
				now = c.deadline_ms;
			n = feed(&c, NN_DHCP_EV_TIMER, NULL, now);
		} else {
			static const uint8_t types[] = { NN_DHCP_OFFER, NN_DHCP_ACK, NN_DHCP_NAK, 9 };

			rp = lease_reply(types[(r >> 12) % 4], (r >> 14) % 4 ? c.xid : (uint32_t)r);
			if ((r >> 18) % 5 == 0)
				rp.server = "192.0.2.2";
			if ((r >> 21) % 7 == 0)
				rp.yiaddr = "192.0.2.51";
			if ((r >> 24) % 9 == 0)
				rp.lease = 2;
			m = reply(&rp);
			n = feed(&c, NN_DHCP_EV_PACKET, &m, now);
		}
		for (k = 0; k < n; k++) {
			if (act[k].type == NN_DHCP_ACT_TIMER && act[k].timer_ms)
				assert_true(act[k].timer_ms >= now);
			if (act[k].type == NN_DHCP_ACT_SEND) {
				struct nn_dhcp_msg s;

				sent(k, &s);
			}
		}
		/* Every state but BOUND-forever and RELEASED keeps a timer. */
		if (c.state != NN_DHCP_RELEASED && c.state != NN_DHCP_INIT)
			assert_true(c.deadline_ms != 0);
		visits[c.state]++;
	}
	/* The walk really went everywhere. */
	for (i = NN_DHCP_SELECTING; i <= NN_DHCP_RELEASED; i++)
		if (visits[i] < 20)
			fail_msg("state %s visited %u times", nn_dhcp_state_name(i), visits[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversation),
		cmocka_unit_test(test_renew),
		cmocka_unit_test(test_renew_rebind_expire),
		cmocka_unit_test(test_rebind_ack_from_other_server),
		cmocka_unit_test(test_slept_past_expiry),
		cmocka_unit_test(test_nak_requesting),
		cmocka_unit_test(test_nak_renewing),
		cmocka_unit_test(test_nak_rebinding_any_server),
		cmocka_unit_test(test_discover_backoff),
		cmocka_unit_test(test_request_retries_then_restart),
		cmocka_unit_test(test_lease_counts_from_first_request),
		cmocka_unit_test(test_ignored_in_selecting),
		cmocka_unit_test(test_ignored_in_requesting),
		cmocka_unit_test(test_stale_xid_after_renew),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_release_without_lease),
		cmocka_unit_test(test_decline),
		cmocka_unit_test(test_lease_time_fixups),
		cmocka_unit_test(test_infinite_lease),
		cmocka_unit_test(test_classful_without_mask),
		cmocka_unit_test(test_unicast_ok_and_no_hostname),
		cmocka_unit_test(test_deterministic_seed),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_random_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
