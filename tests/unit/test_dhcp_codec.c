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

#define X16 "xxxxxxxxxxxxxxxx"
#define XS96 X16 X16 X16 X16 X16 X16

static const uint8_t mac[6] = { 0xca, 0xcb, 0x20, 0xd3, 0xac, 0x98 };

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

#define assert_ip_equal(a, s) assert_int_equal((a).s_addr, ip(s).s_addr)

/* Decode from an exact-size heap copy, so ASan sees any read past LEN. */
static int decode_exact(const uint8_t *buf, size_t len, struct nn_dhcp_msg *m,
			struct nn_error *e)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	r = nn_dhcp_decode(copy, len, m, e);
	free(copy);
	return r;
}

/*
 * Captured from dnsmasq 2.90 (--dhcp-range=10.77.0.50,10.77.0.150,255.255.255.0,2m
 * --dhcp-option=option:dns-server,10.77.0.1,10.77.0.2 --domain=lab.test) answering
 * nn_dhcp_encode()'s DISCOVER and REQUEST over a veth: 306-byte OFFER and ACK
 * (they differ only in option 53), and a 300-byte NAK for a REQUEST of
 * 10.77.0.250, outside the range.
 */
static const uint8_t dnsmasq_offer_hdr[] = {
	0x02, 0x01, 0x06, 0x00, 0x83, 0xf5, 0x6e, 0x4f, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0a, 0x4d, 0x00, 0x59, 0x0a, 0x4d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xca, 0xcb, 0x20, 0xd3,
	0xac, 0x98,
};

static const uint8_t dnsmasq_offer_opts[] = {
	0x35, 0x01, 0x02, 0x36, 0x04, 0x0a, 0x4d, 0x00, 0x01, 0x33, 0x04, 0x00, 0x00, 0x00, 0x78, 0x3a,
	0x04, 0x00, 0x00, 0x00, 0x3c, 0x3b, 0x04, 0x00, 0x00, 0x00, 0x69, 0x01, 0x04, 0xff, 0xff, 0xff,
	0x00, 0x1c, 0x04, 0x0a, 0x4d, 0x00, 0xff, 0x03, 0x04, 0x0a, 0x4d, 0x00, 0x01, 0x0f, 0x08, 0x6c,
	0x61, 0x62, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x06, 0x08, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d, 0x00,
	0x02, 0xff,
};

static const uint8_t dnsmasq_nak_hdr[] = {
	0x02, 0x01, 0x06, 0x00, 0x4e, 0x41, 0x4b, 0x21, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xca, 0xcb, 0x20, 0xd3,
	0xac, 0x98,
};

static const uint8_t dnsmasq_nak_opts[] = {
	0x35, 0x01, 0x06, 0x36, 0x04, 0x0a, 0x4d, 0x00, 0x01, 0x38, 0x15, 0x61, 0x64, 0x64, 0x72, 0x65,
	0x73, 0x73, 0x20, 0x6e, 0x6f, 0x74, 0x20, 0x61, 0x76, 0x61, 0x69, 0x6c, 0x61, 0x62, 0x6c, 0x65,
	0xff,
};

struct pkt {
	uint8_t b[2048];
	size_t len;
};

static void put(struct pkt *p, const uint8_t *bytes, size_t n)
{
	assert_true(p->len + n <= sizeof(p->b));
	if (n == 0)
		return;
	memcpy(p->b + p->len, bytes, n);
	p->len += n;
}

#define PUT(p, ...) put((p), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* Header (zero-filled to 236), cookie, then OPTS; padded to TOTAL. */
static void assemble(struct pkt *p, const uint8_t *hdr, size_t hdr_len,
		     const uint8_t *opts, size_t opt_len, size_t total)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->b, hdr, hdr_len);
	p->len = 236;
	PUT(p, 0x63, 0x82, 0x53, 0x63);
	put(p, opts, opt_len);
	if (p->len < total)
		p->len = total;
}

static void dnsmasq_offer(struct pkt *p, uint8_t type)
{
	assemble(p, dnsmasq_offer_hdr, sizeof(dnsmasq_offer_hdr),
		 dnsmasq_offer_opts, sizeof(dnsmasq_offer_opts), 306);
	assert_int_equal(p->len, 306);
	p->b[242] = type;
}

/* A reply header and cookie with no options yet: append with PUT. */
static void bare_reply(struct pkt *p)
{
	assemble(p, dnsmasq_offer_hdr, sizeof(dnsmasq_offer_hdr), NULL, 0, 0);
}

static void expect_bad(const struct pkt *p, const char *msg)
{
	struct nn_error e = { 0 };
	struct nn_dhcp_msg m;

	assert_int_equal(decode_exact(p->b, p->len, &m, &e), -EBADMSG);
	assert_int_equal(e.code, EBADMSG);
	if (msg)
		assert_string_equal(e.msg, msg);
	else
		assert_true(e.msg[0] != '\0');
	/* A rejected message leaves nothing behind to be used by mistake. */
	{
		static const struct nn_dhcp_msg zero;

		assert_memory_equal(&m, &zero, sizeof(m));
	}
}

static void expect_ok(const struct pkt *p, struct nn_dhcp_msg *m)
{
	struct nn_error e = { 0 };
	int r = decode_exact(p->b, p->len, m, &e);

	if (r)
		fail_msg("decode failed: %s", e.msg);
}

/* ------------------------------------------------------------ dnsmasq */

static void test_decode_dnsmasq_offer(void **state)
{
	struct nn_dhcp_msg m;
	struct pkt p;

	dnsmasq_offer(&p, NN_DHCP_OFFER);
	expect_ok(&p, &m);
	assert_int_equal(m.op, NN_BOOTREPLY);
	assert_int_equal(m.htype, 1);
	assert_int_equal(m.hlen, 6);
	assert_int_equal(m.xid, 0x83f56e4f);
	assert_int_equal(m.flags, 0x8000);
	assert_ip_equal(m.ciaddr, "0.0.0.0");
	assert_ip_equal(m.yiaddr, "10.77.0.89");
	assert_ip_equal(m.siaddr, "10.77.0.1");
	assert_ip_equal(m.giaddr, "0.0.0.0");
	assert_memory_equal(m.chaddr, mac, 6);
	assert_int_equal(m.type, NN_DHCP_OFFER);
	assert_true(m.has_server_id);
	assert_ip_equal(m.server_id, "10.77.0.1");
	assert_true(m.has_lease && m.has_t1 && m.has_t2);
	assert_int_equal(m.lease_s, 120);
	assert_int_equal(m.t1_s, 60);
	assert_int_equal(m.t2_s, 105);
	assert_true(m.has_subnet_mask);
	assert_ip_equal(m.subnet_mask, "255.255.255.0");
	assert_true(m.has_router);
	assert_ip_equal(m.router, "10.77.0.1");
	assert_int_equal(m.n_dns, 2);
	assert_ip_equal(m.dns[0], "10.77.0.1");
	assert_ip_equal(m.dns[1], "10.77.0.2");
	assert_string_equal(m.domain, "lab.test");
	assert_string_equal(m.message, "");
	assert_int_equal(m.overload, 0);
	assert_false(m.has_requested);
	assert_int_equal(m.client_id_len, 0);
	assert_string_equal(nn_dhcp_type_name(m.type), "OFFER");
}

static void test_decode_dnsmasq_ack(void **state)
{
	struct nn_dhcp_msg m;
	struct pkt p;

	dnsmasq_offer(&p, NN_DHCP_ACK);
	expect_ok(&p, &m);
	assert_int_equal(m.type, NN_DHCP_ACK);
	assert_ip_equal(m.yiaddr, "10.77.0.89");
	assert_int_equal(m.lease_s, 120);
}

static void test_decode_dnsmasq_nak(void **state)
{
	struct nn_dhcp_msg m;
	struct pkt p;

	assemble(&p, dnsmasq_nak_hdr, sizeof(dnsmasq_nak_hdr),
		 dnsmasq_nak_opts, sizeof(dnsmasq_nak_opts), 300);
	expect_ok(&p, &m);
	assert_int_equal(m.type, NN_DHCP_NAK);
	assert_int_equal(m.xid, 0x4e414b21);
	assert_ip_equal(m.yiaddr, "0.0.0.0");
	assert_ip_equal(m.server_id, "10.77.0.1");
	assert_string_equal(m.message, "address not available");
	assert_false(m.has_lease);
	assert_false(m.has_router);
	assert_int_equal(m.n_dns, 0);
}

/* Every prefix of a real OFFER: short of the header it is rejected, and
 * cut inside an option it is rejected; cut between options it is accepted
 * (END may be missing) as long as option 53 made it. */
static void test_decode_every_truncation(void **state)
{
	/* offsets (from 240) where an option starts, and the end */
	static const size_t bounds[] = { 0, 3, 9, 15, 21, 27, 33, 39, 45, 55, 65, 66 };
	struct pkt full, p;
	size_t len, k;

	dnsmasq_offer(&full, NN_DHCP_OFFER);
	for (len = 0; len <= full.len; len++) {
		struct nn_error e = { 0 };
		struct nn_dhcp_msg m;
		bool at_bound = false;
		int r;

		p = full;
		p.len = len;
		r = decode_exact(p.b, p.len, &m, &e);
		for (k = 0; k < sizeof(bounds) / sizeof(bounds[0]); k++)
			at_bound |= len == 240 + bounds[k];
		if (len < 240) {
			assert_int_equal(r, -EBADMSG);
			if (len == 100)
				assert_string_equal(e.msg, "DHCP message of 100 bytes is shorter than the 240-byte header");
		} else if (len == 240) {
			assert_int_equal(r, -EBADMSG);
			assert_string_equal(e.msg, "DHCP message has no message type (option 53)");
		} else if (at_bound || len == full.len) {
			assert_int_equal(r, 0);
		} else {
			assert_int_equal(r, -EBADMSG);
		}
	}
}

/* ------------------------------------------------------------ encoder */

static void test_encode_discover_bytes(void **state)
{
	static const uint8_t opts[] = {
		0x35, 0x01, 0x01,
		0x3d, 0x07, 0x01, 0xca, 0xcb, 0x20, 0xd3, 0xac, 0x98,
		0x37, 0x07, 0x01, 0x03, 0x06, 0x0f, 0x33, 0x3a, 0x3b,
		0x0c, 0x0b, 's', 'c', 'r', 'a', 't', 'c', 'h', 'h', 'o', 's', 't',
		0xff,
	};
	struct nn_dhcp_build b = {
		.kind = NN_DHCP_BUILD_DISCOVER,
		.xid = 0x83f56e4f,
		.secs = 3,
		.broadcast = true,
		.hostname = "scratchhost",
	};
	struct nn_error e = { 0 };
	uint8_t buf[NN_DHCP_MSG_MAX], zero[236] = { 0 };
	int n;

	memcpy(b.chaddr, mac, 6);
	memset(buf, 0xaa, sizeof(buf));
	n = nn_dhcp_encode(&b, buf, sizeof(buf), &e);
	assert_int_equal(n, 300);
	assert_memory_equal(buf, ((const uint8_t[]){ 1, 1, 6, 0, 0x83, 0xf5, 0x6e, 0x4f,
						    0, 3, 0x80, 0 }), 12);
	assert_memory_equal(buf + 12, zero, 16);	/* ciaddr .. giaddr */
	assert_memory_equal(buf + 28, mac, 6);
	assert_memory_equal(buf + 34, zero, 236 - 34);	/* chaddr pad, sname, file */
	assert_memory_equal(buf + 236, ((const uint8_t[]){ 0x63, 0x82, 0x53, 0x63 }), 4);
	assert_memory_equal(buf + 240, opts, sizeof(opts));
	assert_memory_equal(buf + 240 + sizeof(opts), zero, 300 - 240 - sizeof(opts));
	assert_int_equal(buf[300], 0xaa);		/* nothing past the length */
}

static void encode_decode(const struct nn_dhcp_build *b, struct nn_dhcp_msg *m)
{
	struct nn_error e = { 0 };
	uint8_t buf[NN_DHCP_MSG_MAX];
	int n;

	n = nn_dhcp_encode(b, buf, sizeof(buf), &e);
	if (n < 0)
		fail_msg("encode failed: %s", e.msg);
	assert_true(n >= NN_DHCP_MSG_MIN && n <= NN_DHCP_MSG_MAX);
	assert_int_equal(decode_exact(buf, n, m, &e), 0);
	assert_int_equal(m->op, NN_BOOTREQUEST);
	assert_int_equal(m->htype, 1);
	assert_int_equal(m->hlen, 6);
	assert_int_equal(m->xid, b->xid);
	assert_int_equal(m->secs, b->secs);
	assert_int_equal(m->flags, b->broadcast ? 0x8000 : 0);
	assert_memory_equal(m->chaddr, b->chaddr, 6);
	assert_int_equal(m->client_id_len, 7);
	assert_int_equal(m->client_id[0], 1);
	assert_memory_equal(m->client_id + 1, b->chaddr, 6);
	assert_ip_equal(m->yiaddr, "0.0.0.0");
	assert_ip_equal(m->siaddr, "0.0.0.0");
	assert_ip_equal(m->giaddr, "0.0.0.0");
}

static struct nn_dhcp_build full_build(enum nn_dhcp_build_kind kind)
{
	struct nn_dhcp_build b = {
		.kind = kind,
		.xid = 0xdeadbeef,
		.secs = 17,
		.broadcast = true,
		.ciaddr = ip("192.0.2.10"),
		.requested = ip("192.0.2.10"),
		.server_id = ip("192.0.2.1"),
		.hostname = "client-07",
	};

	memcpy(b.chaddr, mac, 6);
	return b;
}

static void assert_prl(const struct nn_dhcp_msg *m)
{
	assert_int_equal(m->prl_len, 7);
	assert_memory_equal(m->prl, ((const uint8_t[]){ 1, 3, 6, 15, 51, 58, 59 }), 7);
}

static void test_roundtrip_discover(void **state)
{
	struct nn_dhcp_build b = full_build(NN_DHCP_BUILD_DISCOVER);
	struct nn_dhcp_msg m;

	b.requested.s_addr = 0;
	encode_decode(&b, &m);
	assert_int_equal(m.type, NN_DHCP_DISCOVER);
	assert_ip_equal(m.ciaddr, "0.0.0.0");
	assert_false(m.has_requested);
	assert_false(m.has_server_id);
	assert_prl(&m);
	assert_string_equal(m.hostname, "client-07");

	/* A DISCOVER may ask for its previous address (RFC 2131 table 5). */
	b = full_build(NN_DHCP_BUILD_DISCOVER);
	b.hostname = NULL;
	b.broadcast = false;
	encode_decode(&b, &m);
	assert_true(m.has_requested);
	assert_ip_equal(m.requested, "192.0.2.10");
	assert_false(m.has_server_id);
	assert_string_equal(m.hostname, "");
}

static void test_roundtrip_request_selecting(void **state)
{
	struct nn_dhcp_build b = full_build(NN_DHCP_BUILD_REQUEST_SELECTING);
	struct nn_dhcp_msg m;

	encode_decode(&b, &m);
	assert_int_equal(m.type, NN_DHCP_REQUEST);
	assert_ip_equal(m.ciaddr, "0.0.0.0");
	assert_true(m.has_requested);
	assert_ip_equal(m.requested, "192.0.2.10");
	assert_true(m.has_server_id);
	assert_ip_equal(m.server_id, "192.0.2.1");
	assert_prl(&m);
	assert_string_equal(m.hostname, "client-07");
}

static void test_roundtrip_request_renewing_rebinding(void **state)
{
	enum nn_dhcp_build_kind kinds[] = { NN_DHCP_BUILD_REQUEST_RENEWING,
					    NN_DHCP_BUILD_REQUEST_REBINDING };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct nn_dhcp_build b = full_build(kinds[i]);
		struct nn_dhcp_msg m;

		b.broadcast = false;
		encode_decode(&b, &m);
		assert_int_equal(m.type, NN_DHCP_REQUEST);
		assert_ip_equal(m.ciaddr, "192.0.2.10");
		/* RFC 2131 4.3.2: 50 and 54 MUST NOT be sent when renewing/rebinding */
		assert_false(m.has_requested);
		assert_false(m.has_server_id);
		assert_prl(&m);
	}
}

static void test_roundtrip_release(void **state)
{
	struct nn_dhcp_build b = full_build(NN_DHCP_BUILD_RELEASE);
	struct nn_dhcp_msg m;

	b.broadcast = false;
	encode_decode(&b, &m);
	assert_int_equal(m.type, NN_DHCP_RELEASE);
	assert_ip_equal(m.ciaddr, "192.0.2.10");
	assert_true(m.has_server_id);
	assert_ip_equal(m.server_id, "192.0.2.1");
	assert_false(m.has_requested);
	assert_int_equal(m.prl_len, 0);
	assert_string_equal(m.hostname, "");
}

static void test_roundtrip_decline(void **state)
{
	struct nn_dhcp_build b = full_build(NN_DHCP_BUILD_DECLINE);
	struct nn_dhcp_msg m;

	encode_decode(&b, &m);
	assert_int_equal(m.type, NN_DHCP_DECLINE);
	assert_ip_equal(m.ciaddr, "0.0.0.0");
	assert_true(m.has_requested);
	assert_ip_equal(m.requested, "192.0.2.10");
	assert_true(m.has_server_id);
	assert_int_equal(m.prl_len, 0);
	assert_string_equal(m.hostname, "");
}

static void test_encode_longest_hostname(void **state)
{
	struct nn_dhcp_build b = full_build(NN_DHCP_BUILD_REQUEST_SELECTING);
	char host[256];
	struct nn_error e = { 0 };
	struct nn_dhcp_msg m;
	uint8_t buf[NN_DHCP_MSG_MAX];
	int n;

	memset(host, 'h', 255);
	host[255] = '\0';
	b.hostname = host;
	n = nn_dhcp_encode(&b, buf, sizeof(buf), &e);
	assert_true(n > NN_DHCP_MSG_MIN && n <= NN_DHCP_MSG_MAX);
	assert_int_equal(buf[n - 1], 0xff);
	assert_int_equal(decode_exact(buf, n, &m, &e), 0);
	assert_string_equal(m.hostname, host);

	/* One byte short of what it needs: -ENOSPC, and no write past LEN. */
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(nn_dhcp_encode(&b, buf, n - 1, &e), -ENOSPC);
	assert_int_equal(buf[0], 0xaa);
}

static void expect_encode_error(const struct nn_dhcp_build *b, size_t len, int err,
				const char *msg)
{
	struct nn_error e = { 0 };
	uint8_t buf[NN_DHCP_MSG_MAX];

	assert_int_equal(nn_dhcp_encode(b, buf, len, &e), err);
	assert_string_equal(e.msg, msg);
}

static void test_encode_errors(void **state)
{
	struct nn_dhcp_build b;
	char host[300];

	b = full_build(NN_DHCP_BUILD_REQUEST_SELECTING);
	b.server_id.s_addr = 0;
	expect_encode_error(&b, NN_DHCP_MSG_MAX, -EINVAL,
			    "DHCP REQUEST (selecting) needs the server identifier");
	b = full_build(NN_DHCP_BUILD_REQUEST_SELECTING);
	b.requested.s_addr = 0;
	expect_encode_error(&b, NN_DHCP_MSG_MAX, -EINVAL,
			    "DHCP REQUEST (selecting) needs the requested address");
	b = full_build(NN_DHCP_BUILD_REQUEST_RENEWING);
	b.ciaddr.s_addr = 0;
	expect_encode_error(&b, NN_DHCP_MSG_MAX, -EINVAL,
			    "DHCP REQUEST (renewing) needs the client address");
	b = full_build(NN_DHCP_BUILD_RELEASE);
	b.server_id.s_addr = 0;
	expect_encode_error(&b, NN_DHCP_MSG_MAX, -EINVAL,
			    "DHCP RELEASE needs the server identifier");
	b = full_build(NN_DHCP_BUILD_DECLINE);
	b.requested.s_addr = 0;
	expect_encode_error(&b, NN_DHCP_MSG_MAX, -EINVAL,
			    "DHCP DECLINE needs the requested address");
	b = full_build(NN_DHCP_BUILD_DISCOVER);
	b.hostname = "";
	expect_encode_error(&b, NN_DHCP_MSG_MAX, -EINVAL,
			    "invalid DHCP hostname \"\": empty");
	memset(host, 'x', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	b.hostname = host;
	expect_encode_error(&b, NN_DHCP_MSG_MAX, -EINVAL,
			    "invalid DHCP hostname \"" XS96 "...\": longer than 255 bytes");
	b = full_build(NN_DHCP_BUILD_DISCOVER);
	expect_encode_error(&b, 299, -ENOSPC, "DHCP DISCOVER needs 300 bytes, the buffer has 299");
	b.kind = 42;
	expect_encode_error(&b, NN_DHCP_MSG_MAX, -EINVAL, "unknown DHCP message kind 42");
}

/* ------------------------------------------------------------ malformed */

static void test_decode_bad_header(void **state)
{
	struct pkt p;

	dnsmasq_offer(&p, NN_DHCP_OFFER);
	p.b[236] = 0x64;
	expect_bad(&p, "DHCP message has magic cookie 0x64825363, expected 0x63825363");

	dnsmasq_offer(&p, NN_DHCP_OFFER);
	memset(p.b + 236, 0, 4);
	expect_bad(&p, "DHCP message has magic cookie 0x00000000, expected 0x63825363");

	dnsmasq_offer(&p, NN_DHCP_OFFER);
	p.b[0] = 3;
	expect_bad(&p, "BOOTP op 3 is neither request nor reply");

	dnsmasq_offer(&p, NN_DHCP_OFFER);
	p.b[2] = 17;
	expect_bad(&p, "BOOTP hardware address length 17 exceeds 16");

	/* A plain BOOTP reply (no option 53) is not DHCP. */
	bare_reply(&p);
	PUT(&p, 0x36, 4, 10, 77, 0, 1, 0xff);
	expect_bad(&p, "DHCP message has no message type (option 53)");

	/* Pads only. */
	bare_reply(&p);
	PUT(&p, 0, 0, 0, 0, 0);
	expect_bad(&p, "DHCP message has no message type (option 53)");

	/* END before 53: what follows END is not read. */
	bare_reply(&p);
	PUT(&p, 0xff, 0x35, 1, 2);
	expect_bad(&p, "DHCP message has no message type (option 53)");

	{
		struct nn_error e = { 0 };
		struct nn_dhcp_msg m;

		assert_int_equal(nn_dhcp_decode(NULL, 300, &m, &e), -EBADMSG);
	}
}

static void test_decode_option_bounds(void **state)
{
	struct pkt p;

	/* Length byte missing at the very end. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x36);
	expect_bad(&p, "DHCP option 54 is cut off at the end of the options field");

	/* Length running past the end. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x0f, 10, 'a', 'b', 'c');
	expect_bad(&p, "DHCP option 15 has length 10 but only 3 bytes are left in the options field");

	/* ... also for options we do not interpret. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0xfa, 255, 1, 2, 3);
	expect_bad(&p, "DHCP option 250 has length 255 but only 3 bytes are left in the options field");

	/* The largest length exactly filling the message is fine. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0xfa, 255);
	p.len += 255;
	{
		struct nn_dhcp_msg m;

		expect_ok(&p, &m);
		assert_int_equal(m.type, NN_DHCP_OFFER);
	}
}

static void test_decode_option_lengths(void **state)
{
	struct pkt p;

	bare_reply(&p);
	PUT(&p, 0x35, 2, 2, 2, 0xff);
	expect_bad(&p, "DHCP option 53 has length 2, expected 1");
	bare_reply(&p);
	PUT(&p, 0x35, 0, 0xff);
	expect_bad(&p, "DHCP option 53 has length 0, expected 1");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 0, 0xff);
	expect_bad(&p, "DHCP message type (option 53) is 0");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x36, 3, 10, 77, 0, 0xff);
	expect_bad(&p, "DHCP option 54 has length 3, expected 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x36, 0, 0xff);
	expect_bad(&p, "DHCP option 54 has length 0, expected 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x33, 5, 0, 0, 0, 0x78, 0, 0xff);
	expect_bad(&p, "DHCP option 51 has length 5, expected 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x3a, 2, 0, 1, 0xff);
	expect_bad(&p, "DHCP option 58 has length 2, expected 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x3b, 8, 0, 0, 0, 1, 0, 0, 0, 2, 0xff);
	expect_bad(&p, "DHCP option 59 has length 8, expected 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x01, 0, 0xff);
	expect_bad(&p, "DHCP option 1 has length 0, expected 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x03, 0, 0xff);
	expect_bad(&p, "DHCP option 3 has length 0, expected a multiple of 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x03, 6, 10, 0, 0, 1, 10, 0, 0xff);
	expect_bad(&p, "DHCP option 3 has length 6, expected a multiple of 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x06, 0, 0xff);
	expect_bad(&p, "DHCP option 6 has length 0, expected a multiple of 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x0f, 0, 0xff);
	expect_bad(&p, "DHCP option 15 is empty");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x0f, 2, 0, 0, 0xff);
	expect_bad(&p, "DHCP option 15 is empty");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x38, 0, 0xff);
	expect_bad(&p, "DHCP option 56 is empty");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x37, 0, 0xff);
	expect_bad(&p, "DHCP option 55 is empty");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x3d, 1, 1, 0xff);
	expect_bad(&p, "DHCP option 61 has length 1, expected at least 2");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 0, 0xff);
	expect_bad(&p, "DHCP option 52 has length 0, expected 1");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 2, 1, 1, 0xff);
	expect_bad(&p, "DHCP option 52 has length 2, expected 1");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 4, 0xff);
	expect_bad(&p, "DHCP option overload (52) has invalid value 4");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 0, 0xff);
	expect_bad(&p, "DHCP option overload (52) has invalid value 0");
}

static void test_decode_option_values(void **state)
{
	struct nn_dhcp_msg m;
	struct pkt p;

	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x01, 4, 255, 0, 255, 0, 0xff);
	expect_bad(&p, "DHCP subnet mask \"255.0.255.0\" is not a valid netmask");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x01, 4, 0, 0, 0, 0, 0xff);
	expect_bad(&p, "DHCP subnet mask \"0.0.0.0\" is not a valid netmask");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x01, 4, 255, 255, 255, 255, 0xff);
	expect_ok(&p, &m);
	assert_ip_equal(m.subnet_mask, "255.255.255.255");

	/* A domain name ends up in resolv.conf: no line breaks or spaces. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x0f, 5, 'a', '\n', 'n', 's', ' ', 0xff);
	expect_bad(&p, "invalid DHCP domain name \"a\\x0ans \": byte 0x0a at 1");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x0f, 3, 'a', ' ', 'b', 0xff);
	expect_bad(&p, "invalid DHCP domain name \"a b\": byte 0x20 at 1");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x0f, 3, 'a', 0, 'b', 0xff);
	expect_bad(&p, "DHCP option 15 contains a NUL byte");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x38, 3, 'n', 0, 'o', 0xff);
	expect_bad(&p, "DHCP option 56 contains a NUL byte");

	/* Trailing NULs are dropped (RFC 2132 2.). */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x0f, 6, 'l', 'a', 'b', '-', 0, 0,
	    0x38, 4, 'n', 'o', '!', 0, 0xff);
	expect_ok(&p, &m);
	assert_string_equal(m.domain, "lab-");
	assert_string_equal(m.message, "no!");

	/* Five DNS servers: the first three are kept; all routers but the first dropped. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x06, 20, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5,
	    0x03, 8, 10, 0, 0, 1, 10, 0, 0, 2, 0xff);
	expect_ok(&p, &m);
	assert_int_equal(m.n_dns, 3);
	assert_ip_equal(m.dns[0], "1.1.1.1");
	assert_ip_equal(m.dns[2], "3.3.3.3");
	assert_ip_equal(m.router, "10.0.0.1");

	/* A 255-byte domain fills the buffer exactly, NUL included. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x0f, 255);
	memset(p.b + p.len, 'd', 255);
	p.len += 255;
	PUT(&p, 0xff);
	expect_ok(&p, &m);
	assert_int_equal(strlen(m.domain), 255);

	/* Zero-length unknown options (e.g. rapid commit, 80) are fine. */
	bare_reply(&p);
	PUT(&p, 0x50, 0, 0x35, 1, 5, 0xff);
	expect_ok(&p, &m);
	assert_int_equal(m.type, NN_DHCP_ACK);
}

static void test_decode_duplicates(void **state)
{
	struct nn_dhcp_msg m;
	struct pkt p;

	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x35, 1, 5, 0xff);
	expect_bad(&p, "DHCP option 53 appears twice");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x36, 4, 10, 0, 0, 1, 0x36, 4, 10, 0, 0, 2, 0xff);
	expect_bad(&p, "DHCP option 54 appears twice");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x06, 4, 1, 1, 1, 1, 0x06, 4, 2, 2, 2, 2, 0xff);
	expect_bad(&p, "DHCP option 6 appears twice");

	/* Unknown options may repeat. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x1c, 4, 10, 0, 0, 255, 0x1c, 4, 10, 0, 0, 255, 0xff);
	expect_ok(&p, &m);
}

static void test_decode_missing_end(void **state)
{
	struct nn_dhcp_msg m;
	struct pkt p;

	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x36, 4, 10, 0, 0, 1);
	expect_ok(&p, &m);
	assert_int_equal(m.type, NN_DHCP_OFFER);
	assert_ip_equal(m.server_id, "10.0.0.1");

	/* Garbage after END is not read, even if it is malformed. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0xff, 0x35, 200, 0x36, 1);
	expect_ok(&p, &m);
	assert_int_equal(m.type, NN_DHCP_OFFER);
}

/* ------------------------------------------------------------ overload */

static void test_decode_overload_file(void **state)
{
	struct nn_dhcp_msg m;
	struct pkt p;

	bare_reply(&p);
	PUT(&p, 0x34, 1, 1, 0xff);
	/* file (offset 108): message type, lease time, END, then junk that must be ignored */
	memcpy(p.b + 108, ((const uint8_t[]){ 0x35, 1, 5, 0x33, 4, 0, 0, 0x0e, 0x10, 0xff, 0x35, 1, 6 }), 13);
	/* sname is not overloaded: its bytes are a name, not options */
	memcpy(p.b + 44, ((const uint8_t[]){ 0x35, 1, 6 }), 3);
	expect_ok(&p, &m);
	assert_int_equal(m.overload, 1);
	assert_int_equal(m.type, NN_DHCP_ACK);
	assert_int_equal(m.lease_s, 3600);
}

static void test_decode_overload_both(void **state)
{
	struct nn_dhcp_msg m;
	struct pkt p;

	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 3, 0xff);
	memcpy(p.b + 108, ((const uint8_t[]){ 0x36, 4, 10, 0, 0, 1 }), 6);	/* no END: field ends */
	memcpy(p.b + 44, ((const uint8_t[]){ 0, 0, 0x0f, 3, 'l', 'a', 'b', 0xff }), 8);
	expect_ok(&p, &m);
	assert_int_equal(m.overload, 3);
	assert_ip_equal(m.server_id, "10.0.0.1");
	assert_string_equal(m.domain, "lab");

	/* sname only: file is not parsed. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 2, 0xff);
	memcpy(p.b + 108, ((const uint8_t[]){ 0x35, 1, 5 }), 3);
	memcpy(p.b + 44, ((const uint8_t[]){ 0x33, 4, 0, 0, 0, 60 }), 6);
	expect_ok(&p, &m);
	assert_int_equal(m.type, NN_DHCP_OFFER);
	assert_int_equal(m.lease_s, 60);
}

static void test_decode_overload_hostile(void **state)
{
	struct pkt p;

	/* An option in file running past its 128 bytes (into the cookie). */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 1, 0xff);
	p.b[108 + 120] = 0x0f;
	p.b[108 + 121] = 20;
	expect_bad(&p, "DHCP option 15 has length 20 but only 6 bytes are left in the file field");

	/* A length byte that would be the first cookie byte. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 1, 0xff);
	p.b[108 + 127] = 0x0f;
	expect_bad(&p, "DHCP option 15 is cut off at the end of the file field");

	/* The same for sname (past it lies file). */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 2, 0xff);
	p.b[44 + 62] = 0xfa;
	p.b[44 + 63] = 2;
	expect_bad(&p, "DHCP option 250 has length 2 but only 0 bytes are left in the sname field");

	/* 52 inside an overloaded field (a loop, were it followed). */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 1, 0xff);
	memcpy(p.b + 108, ((const uint8_t[]){ 0x34, 1, 3, 0xff }), 4);
	expect_bad(&p, "DHCP option 52 appears twice");
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 1, 0xff);
	memcpy(p.b + 44, ((const uint8_t[]){ 0x34, 1, 3, 0xff }), 4);
	{
		struct nn_dhcp_msg m;

		/* sname is not overloaded here, so its 52 is just name bytes */
		expect_ok(&p, &m);
		assert_int_equal(m.overload, 1);
	}

	/* Duplicate across fields. */
	bare_reply(&p);
	PUT(&p, 0x35, 1, 2, 0x34, 1, 1, 0xff);
	memcpy(p.b + 108, ((const uint8_t[]){ 0x35, 1, 5, 0xff }), 4);
	expect_bad(&p, "DHCP option 53 appears twice");

	/* 53 only in a field that is not overloaded. */
	bare_reply(&p);
	PUT(&p, 0xff);
	memcpy(p.b + 108, ((const uint8_t[]){ 0x35, 1, 5, 0xff }), 4);
	expect_bad(&p, "DHCP message has no message type (option 53)");
}

/* ------------------------------------------------------------ fuzz-ish */

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void check_decoded(int r, const struct nn_dhcp_msg *m, const struct nn_error *e)
{
	if (r == 0) {
		assert_true(m->type != 0);
		assert_true(m->n_dns <= NN_DHCP_DNS_MAX);
		assert_true(m->hlen <= 16);
		assert_true(memchr(m->domain, '\0', sizeof(m->domain)) != NULL);
		assert_true(memchr(m->hostname, '\0', sizeof(m->hostname)) != NULL);
		assert_true(memchr(m->message, '\0', sizeof(m->message)) != NULL);
	} else {
		assert_int_equal(r, -EBADMSG);
		assert_true(e->msg[0] != '\0');
		assert_non_null(memchr(e->msg, '\0', sizeof(e->msg)));
	}
}

/* Mutations of real messages, then random option soup; every length from
 * exact-size heap buffers.  Under ASan this is the bounds check. */
static void test_decode_mutations(void **state)
{
	struct pkt base[3], p;
	unsigned i, j, ok = 0, bad = 0;

	dnsmasq_offer(&base[0], NN_DHCP_OFFER);
	assemble(&base[1], dnsmasq_nak_hdr, sizeof(dnsmasq_nak_hdr),
		 dnsmasq_nak_opts, sizeof(dnsmasq_nak_opts), 300);
	bare_reply(&base[2]);
	PUT(&base[2], 0x35, 1, 2, 0x34, 1, 3, 0xff);

	for (i = 0; i < 60000; i++) {
		struct nn_error e = { 0 };
		struct nn_dhcp_msg m;
		unsigned flips;
		int r;

		p = base[i % 3];
		flips = 1 + rnd() % 6;
		for (j = 0; j < flips; j++) {
			size_t at = rnd() % p.len;

			/* Mostly hit the options and the overloaded fields. */
			if (rnd() % 4)
				at = 240 + rnd() % (p.len - 240 + 1);
			if (at >= p.len)
				at = p.len - 1;
			p.b[at] = rnd() % 3 ? (uint8_t)rnd() : (uint8_t[]){ 0, 1, 3, 6, 15, 50, 52, 53, 54, 56, 255 }[rnd() % 11];
		}
		if (rnd() % 3 == 0)
			p.len = rnd() % (p.len + 1);
		r = decode_exact(p.b, p.len, &m, &e);
		check_decoded(r, &m, &e);
		if (r)
			bad++;
		else
			ok++;
	}
	/* The mutations reach both outcomes, so the loop tests something. */
	assert_true(ok > 1000);
	assert_true(bad > 1000);

	for (i = 0; i < 20000; i++) {
		struct nn_error e = { 0 };
		struct nn_dhcp_msg m;
		size_t len = 240 + rnd() % 400;
		int r;

		bare_reply(&p);
		for (j = 236; j < len; j++)
			p.b[j] = (uint8_t)rnd();
		memcpy(p.b + 236, ((const uint8_t[]){ 0x63, 0x82, 0x53, 0x63 }), 4);
		for (j = 44; j < 236; j++)
			p.b[j] = (uint8_t)rnd();
		p.len = len;
		r = decode_exact(p.b, p.len, &m, &e);
		check_decoded(r, &m, &e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_dnsmasq_offer),
		cmocka_unit_test(test_decode_dnsmasq_ack),
		cmocka_unit_test(test_decode_dnsmasq_nak),
		cmocka_unit_test(test_decode_every_truncation),
		cmocka_unit_test(test_encode_discover_bytes),
		cmocka_unit_test(test_roundtrip_discover),
		cmocka_unit_test(test_roundtrip_request_selecting),
		cmocka_unit_test(test_roundtrip_request_renewing_rebinding),
		cmocka_unit_test(test_roundtrip_release),
		cmocka_unit_test(test_roundtrip_decline),
		cmocka_unit_test(test_encode_longest_hostname),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_decode_bad_header),
		cmocka_unit_test(test_decode_option_bounds),
		cmocka_unit_test(test_decode_option_lengths),
		cmocka_unit_test(test_decode_option_values),
		cmocka_unit_test(test_decode_duplicates),
		cmocka_unit_test(test_decode_missing_end),
		cmocka_unit_test(test_decode_overload_file),
		cmocka_unit_test(test_decode_overload_both),
		cmocka_unit_test(test_decode_overload_hostile),
		cmocka_unit_test(test_decode_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
