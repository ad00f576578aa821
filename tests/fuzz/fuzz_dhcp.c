// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DHCP messages from the network: the input is a UDP payload for
 * nn_dhcp_decode, in a heap block of exactly its length.  A refusal is
 * -EBADMSG with a proper message.  What decodes has the header bytes where
 * RFC 2131 puts them, NUL-terminated text, a domain that cannot break
 * resolv.conf, a valid netmask; and re-encoded as plain options (no
 * overload) it decodes to the same message.
 *
 * Then nn_dhcp_encode with a client message drawn from the input (the
 * hostname is a piece of it): it is refused exactly when dhcp.h says, never
 * writes past the buffer, needs the same length whatever the buffer, and
 * decodes to what was asked for.
 */
#include <errno.h>
#include <arpa/inet.h>

#include "netnsctl/dhcp.h"
#include "fuzz.h"

#define COOKIE_OFF 236
#define OPTS_MAX 2048

static const uint8_t prl_sent[] = { 1, 3, 6, 15, 51, 58, 59 };

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_text(const char *what, const char *s)
{
	FUZZ_CHECK(memchr(s, '\0', 256), "%s not NUL-terminated", what);
}

/* What every decoded message must look like, against the raw bytes. */
static void check_decoded(const uint8_t *p, const struct nn_dhcp_msg *m)
{
	uint32_t mask;
	size_t i;

	FUZZ_CHECK(m->op == 1 || m->op == 2, "op %u", m->op);
	FUZZ_CHECK(m->type != 0, "message type 0 decoded");
	FUZZ_CHECK(m->hlen <= 16, "hlen %u", m->hlen);
	FUZZ_CHECK(m->op == p[0] && m->htype == p[1] && m->hlen == p[2] && m->hops == p[3],
		   "op/htype/hlen/hops not from bytes 0-3");
	FUZZ_CHECK(m->xid == be32(p + 4), "xid %08x, bytes %08x", m->xid, be32(p + 4));
	FUZZ_CHECK(m->secs == (p[8] << 8 | p[9]) && m->flags == (p[10] << 8 | p[11]),
		   "secs/flags not from bytes 8-11");
	FUZZ_CHECK(!memcmp(&m->ciaddr, p + 12, 4) && !memcmp(&m->yiaddr, p + 16, 4) &&
		   !memcmp(&m->siaddr, p + 20, 4) && !memcmp(&m->giaddr, p + 24, 4),
		   "addresses not from bytes 12-27");
	FUZZ_CHECK(!memcmp(m->chaddr, p + 28, 16), "chaddr not from bytes 28-43");
	FUZZ_CHECK(m->overload <= 3, "overload %u", m->overload);
	FUZZ_CHECK(m->n_dns <= NN_DHCP_DNS_MAX, "%u DNS servers", m->n_dns);

	check_text("hostname", m->hostname);
	check_text("message", m->message);
	check_text("domain", m->domain);
	/* The domain goes into resolv.conf. */
	for (i = 0; m->domain[i]; i++) {
		unsigned char c = (unsigned char)m->domain[i];

		FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.',
			   "domain byte 0x%02x", c);
	}
	if (m->has_subnet_mask) {
		mask = ntohl(m->subnet_mask.s_addr);
		FUZZ_CHECK(mask && !(~mask & (~mask + 1)), "netmask %08x", mask);
	}
	FUZZ_CHECK(m->client_id_len != 1, "client id of 1 byte");
}

static uint8_t *put_opt(uint8_t *o, uint8_t code, const void *v, size_t len)
{
	FUZZ_CHECK(len <= 255, "option %u of %zu bytes", code, len);
	o[0] = code;
	o[1] = (uint8_t)len;
	memcpy(o + 2, v, len);
	return o + 2 + len;
}

static uint8_t *put_text(uint8_t *o, uint8_t code, const char *s)
{
	return *s ? put_opt(o, code, s, strlen(s)) : o;
}

/* M as a message with every option in the options field, in another order,
 * and without overload: the same header, so it decodes to M again. */
static void check_reencoded(const uint8_t *p, const struct nn_dhcp_msg *m)
{
	static uint8_t buf[COOKIE_OFF + 4 + OPTS_MAX];
	struct nn_dhcp_msg back, want = *m;
	struct nn_error e;
	uint8_t *o, *copy;
	size_t len;
	int ret;

	memcpy(buf, p, COOKIE_OFF + 4);
	o = buf + COOKIE_OFF + 4;
	if (m->n_dns)
		o = put_opt(o, 6, m->dns, 4 * m->n_dns);
	o = put_text(o, 15, m->domain);
	o = put_text(o, 12, m->hostname);
	o = put_text(o, 56, m->message);
	if (m->prl_len)
		o = put_opt(o, 55, m->prl, m->prl_len);
	if (m->client_id_len)
		o = put_opt(o, 61, m->client_id, m->client_id_len);
	if (m->has_lease)
		o = put_opt(o, 51, &(uint32_t){ htonl(m->lease_s) }, 4);
	if (m->has_t2)
		o = put_opt(o, 59, &(uint32_t){ htonl(m->t2_s) }, 4);
	if (m->has_t1)
		o = put_opt(o, 58, &(uint32_t){ htonl(m->t1_s) }, 4);
	if (m->has_router)
		o = put_opt(o, 3, &m->router, 4);
	if (m->has_subnet_mask)
		o = put_opt(o, 1, &m->subnet_mask, 4);
	if (m->has_requested)
		o = put_opt(o, 50, &m->requested, 4);
	if (m->has_server_id)
		o = put_opt(o, 54, &m->server_id, 4);
	o = put_opt(o, 53, &m->type, 1);
	*o++ = 255;
	len = (size_t)(o - buf);

	copy = malloc(len);
	if (!copy)
		abort();
	memcpy(copy, buf, len);
	ret = nn_dhcp_decode(copy, len, &back, &e);
	free(copy);
	FUZZ_CHECK(ret == 0, "re-encoded message does not decode: %d %.512s", ret, e.msg);
	want.overload = 0;
	FUZZ_CHECK(!memcmp(&want, &back, sizeof(want)),
		   "re-encoded message decodes differently");
}

static void fuzz_decode(const uint8_t *data, size_t size)
{
	struct nn_dhcp_msg m;
	struct nn_error e;
	uint8_t *p = malloc(size ? size : 1);
	int ret;

	if (!p)
		abort();
	memcpy(p, data, size);
	fuzz_error_poison(&e);
	ret = nn_dhcp_decode(p, size, &m, &e);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EBADMSG, "decode: %d", ret);
		fuzz_check_error(&e, ret, NULL, "");
		FUZZ_CHECK(strstr(e.msg, "DHCP") || strstr(e.msg, "BOOTP"), "message \"%s\"",
			   e.msg);
	} else {
		FUZZ_CHECK(ret == 0, "decode: %d", ret);
		FUZZ_CHECK(size >= NN_DHCP_HDR_LEN, "%zu bytes decoded", size);
		check_decoded(p, &m);
		check_reencoded(p, &m);
	}
	free(p);
}

static struct in_addr some_addr(struct fuzz_rng *r)
{
	uint64_t v = fuzz_rng_next(r);

	return (struct in_addr){ .s_addr = v & 1 ? 0 : (uint32_t)(v >> 32) };
}

/* Encode into exactly LEN bytes: ASan sees a write past them. */
static int encode_into(const struct nn_dhcp_build *b, size_t len, uint8_t *out,
		       struct nn_error *e)
{
	uint8_t *buf = malloc(len ? len : 1);
	int ret;

	if (!buf)
		abort();
	fuzz_error_poison(e);
	ret = nn_dhcp_encode(b, buf, len, e);
	if (ret > 0 && out)
		memcpy(out, buf, (size_t)ret);
	free(buf);
	return ret;
}

static void fuzz_encode(const uint8_t *data, size_t size, struct fuzz_rng *r)
{
	static uint8_t pkt[NN_DHCP_MSG_MAX], again[NN_DHCP_MSG_MAX];
	struct nn_dhcp_build b = { 0 };
	struct nn_dhcp_msg m;
	struct nn_error e;
	char *hostname = NULL;
	bool ciaddr = false, requested = false, server = false, prl = false, bad;
	size_t len;
	uint8_t type = 0;
	int ret;

	b.kind = (enum nn_dhcp_build_kind)(fuzz_rng_next(r) % 7);
	b.xid = (uint32_t)fuzz_rng_next(r);
	b.secs = (uint16_t)fuzz_rng_next(r);
	b.broadcast = fuzz_rng_next(r) & 1;
	for (len = 0; len < 6; len++)
		b.chaddr[len] = (uint8_t)fuzz_rng_next(r);
	b.ciaddr = some_addr(r);
	b.requested = some_addr(r);
	b.server_id = some_addr(r);
	if (fuzz_rng_next(r) & 1) {
		len = fuzz_rng_next(r) % 300;
		hostname = fuzz_strndup(data, len < size ? len : size);
		b.hostname = hostname;
	}

	switch (b.kind) {
	case NN_DHCP_BUILD_DISCOVER:
		type = NN_DHCP_DISCOVER;
		requested = b.requested.s_addr != 0;
		prl = true;
		break;
	case NN_DHCP_BUILD_REQUEST_SELECTING:
		type = NN_DHCP_REQUEST;
		requested = server = prl = true;
		break;
	case NN_DHCP_BUILD_REQUEST_RENEWING:
	case NN_DHCP_BUILD_REQUEST_REBINDING:
		type = NN_DHCP_REQUEST;
		ciaddr = prl = true;
		break;
	case NN_DHCP_BUILD_RELEASE:
		type = NN_DHCP_RELEASE;
		ciaddr = server = true;
		break;
	case NN_DHCP_BUILD_DECLINE:
		type = NN_DHCP_DECLINE;
		requested = server = true;
		break;
	}
	bad = !type || (ciaddr && !b.ciaddr.s_addr) || (requested && !b.requested.s_addr) ||
	      (server && !b.server_id.s_addr) ||
	      (prl && hostname && (!*hostname || strlen(hostname) > 255));

	ret = encode_into(&b, NN_DHCP_MSG_MAX, pkt, &e);
	if (bad) {
		FUZZ_CHECK(ret == -EINVAL, "kind %d should be refused: %d", (int)b.kind, ret);
		fuzz_check_error(&e, ret, NULL, "");
		goto out;
	}
	FUZZ_CHECK(ret >= NN_DHCP_MSG_MIN && ret <= NN_DHCP_MSG_MAX,
		   "kind %d encodes to %d: %.512s", (int)b.kind, ret, e.msg);
	len = (size_t)ret;

	/* Any buffer: too short is -ENOSPC, else the same bytes. */
	{
		size_t other = fuzz_rng_next(r) % (NN_DHCP_MSG_MAX + 64);

		ret = encode_into(&b, other, again, &e);
		if (other < len) {
			FUZZ_CHECK(ret == -ENOSPC, "%zu of %zu bytes: %d", other, len, ret);
			fuzz_check_error(&e, ret, NULL, "");
		} else {
			FUZZ_CHECK(ret == (int)len && !memcmp(pkt, again, len),
				   "%zu-byte buffer: %d, not the same %zu bytes", other, ret, len);
		}
	}

	ret = nn_dhcp_decode(pkt, len, &m, &e);
	FUZZ_CHECK(ret == 0, "own %s does not decode: %d %.512s", nn_dhcp_type_name(type), ret,
		   e.msg);
	check_decoded(pkt, &m);
	FUZZ_CHECK(m.op == NN_BOOTREQUEST && m.htype == 1 && m.hlen == 6 && m.type == type &&
		   m.xid == b.xid && m.secs == b.secs && m.flags == (b.broadcast ? 0x8000 : 0),
		   "header of own %s", nn_dhcp_type_name(type));
	FUZZ_CHECK(!memcmp(m.chaddr, b.chaddr, 6) && !memcmp(m.chaddr + 6, "\0\0\0\0\0\0\0\0\0", 10),
		   "chaddr of own message");
	FUZZ_CHECK(m.ciaddr.s_addr == (ciaddr ? b.ciaddr.s_addr : 0), "ciaddr");
	FUZZ_CHECK(m.has_requested == requested &&
		   (!requested || m.requested.s_addr == b.requested.s_addr), "option 50");
	FUZZ_CHECK(m.has_server_id == server &&
		   (!server || m.server_id.s_addr == b.server_id.s_addr), "option 54");
	FUZZ_CHECK(m.client_id_len == 7 && m.client_id[0] == 1 &&
		   !memcmp(m.client_id + 1, b.chaddr, 6), "option 61");
	FUZZ_CHECK(prl ? m.prl_len == sizeof(prl_sent) && !memcmp(m.prl, prl_sent, sizeof(prl_sent))
		       : m.prl_len == 0, "option 55");
	FUZZ_CHECK(!strcmp(m.hostname, prl && hostname ? hostname : ""), "option 12 \"%s\"",
		   m.hostname);
out:
	free(hostname);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng r;

	fuzz_decode(data, size);
	fuzz_rng_init(&r, data, size);
	fuzz_encode(data, size, &r);
	return 0;
}
