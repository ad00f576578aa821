// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "netnsctl/dhcp.h"
#include "util/show.h"

/* BOOTP header offsets (RFC 2131 figure 1). */
#define OFF_OP		0
#define OFF_HTYPE	1
#define OFF_HLEN	2
#define OFF_HOPS	3
#define OFF_XID		4
#define OFF_SECS	8
#define OFF_FLAGS	10
#define OFF_CIADDR	12
#define OFF_YIADDR	16
#define OFF_SIADDR	20
#define OFF_GIADDR	24
#define OFF_CHADDR	28
#define OFF_SNAME	44
#define OFF_FILE	108
#define OFF_COOKIE	236

#define SNAME_LEN	64
#define FILE_LEN	128
#define CHADDR_LEN	16

#define FLAG_BROADCAST	0x8000
#define HTYPE_ETHER	1
#define MAGIC_COOKIE	0x63825363U

enum {
	OPT_PAD = 0,
	OPT_SUBNET_MASK = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_HOSTNAME = 12,
	OPT_DOMAIN = 15,
	OPT_REQUESTED_IP = 50,
	OPT_LEASE_TIME = 51,
	OPT_OVERLOAD = 52,
	OPT_MSG_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_PRL = 55,
	OPT_MESSAGE = 56,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_CLIENT_ID = 61,
	OPT_END = 255,
};

static const uint8_t param_request_list[] = {
	OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS, OPT_DOMAIN,
	OPT_LEASE_TIME, OPT_T1, OPT_T2,
};

const char *nn_dhcp_type_name(unsigned type)
{
	static const char *const names[] = {
		[NN_DHCP_DISCOVER] = "DISCOVER", [NN_DHCP_OFFER] = "OFFER",
		[NN_DHCP_REQUEST] = "REQUEST", [NN_DHCP_DECLINE] = "DECLINE",
		[NN_DHCP_ACK] = "ACK", [NN_DHCP_NAK] = "NAK",
		[NN_DHCP_RELEASE] = "RELEASE", [NN_DHCP_INFORM] = "INFORM",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

/* ------------------------------------------------------------ encoder */

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint8_t *put_opt(uint8_t *p, uint8_t code, const void *v, uint8_t len)
{
	p[0] = code;
	p[1] = len;
	memcpy(p + 2, v, len);
	return p + 2 + len;
}

static uint8_t *put_addr_opt(uint8_t *p, uint8_t code, struct in_addr a)
{
	return put_opt(p, code, &a.s_addr, 4);
}

int nn_dhcp_encode(const struct nn_dhcp_build *b, void *buf, size_t len,
		   struct nn_error *e)
{
	bool with_ciaddr = false, with_requested = false, with_server = false;
	bool with_prl = false;
	uint8_t client_id[1 + 6], type;
	size_t need, host_len = 0;
	uint8_t *p = buf;
	const char *what;

	switch (b->kind) {
	case NN_DHCP_BUILD_DISCOVER:
		what = "DISCOVER";
		type = NN_DHCP_DISCOVER;
		with_requested = b->requested.s_addr != 0;
		with_prl = true;
		break;
	case NN_DHCP_BUILD_REQUEST_SELECTING:
		what = "REQUEST (selecting)";
		type = NN_DHCP_REQUEST;
		with_requested = with_server = with_prl = true;
		break;
	case NN_DHCP_BUILD_REQUEST_RENEWING:
		what = "REQUEST (renewing)";
		type = NN_DHCP_REQUEST;
		with_ciaddr = with_prl = true;
		break;
	case NN_DHCP_BUILD_REQUEST_REBINDING:
		what = "REQUEST (rebinding)";
		type = NN_DHCP_REQUEST;
		with_ciaddr = with_prl = true;
		break;
	case NN_DHCP_BUILD_RELEASE:
		what = "RELEASE";
		type = NN_DHCP_RELEASE;
		with_ciaddr = with_server = true;
		break;
	case NN_DHCP_BUILD_DECLINE:
		what = "DECLINE";
		type = NN_DHCP_DECLINE;
		with_requested = with_server = true;
		break;
	default:
		return nn_error_setx(e, EINVAL, "unknown DHCP message kind %d", (int)b->kind);
	}

	if (with_ciaddr && !b->ciaddr.s_addr)
		return nn_error_setx(e, EINVAL, "DHCP %s needs the client address", what);
	if (with_requested && !b->requested.s_addr)
		return nn_error_setx(e, EINVAL, "DHCP %s needs the requested address", what);
	if (with_server && !b->server_id.s_addr)
		return nn_error_setx(e, EINVAL, "DHCP %s needs the server identifier", what);
	/* RFC 2131 table 5: hostname and parameter list go with DISCOVER and REQUEST only. */
	if (b->hostname && with_prl) {
		host_len = strnlen(b->hostname, 256);
		if (host_len == 0 || host_len > 255) {
			struct nn_shown sh;

			return nn_error_setx(e, EINVAL, "invalid DHCP hostname \"%s\": %s",
					     nn_show(&sh, b->hostname),
					     host_len ? "longer than 255 bytes" : "empty");
		}
	}

	need = NN_DHCP_HDR_LEN + 3 + 2 + sizeof(client_id) + 1;
	if (with_requested)
		need += 6;
	if (with_server)
		need += 6;
	if (with_prl)
		need += 2 + sizeof(param_request_list);
	if (host_len)
		need += 2 + host_len;
	if (need < NN_DHCP_MSG_MIN)
		need = NN_DHCP_MSG_MIN;
	if (len < need)
		return nn_error_setx(e, ENOSPC, "DHCP %s needs %zu bytes, the buffer has %zu",
				     what, need, len);

	memset(p, 0, need);
	p[OFF_OP] = NN_BOOTREQUEST;
	p[OFF_HTYPE] = HTYPE_ETHER;
	p[OFF_HLEN] = 6;
	put_u32(p + OFF_XID, b->xid);
	put_u16(p + OFF_SECS, b->secs);
	put_u16(p + OFF_FLAGS, b->broadcast ? FLAG_BROADCAST : 0);
	if (with_ciaddr)
		memcpy(p + OFF_CIADDR, &b->ciaddr.s_addr, 4);
	memcpy(p + OFF_CHADDR, b->chaddr, 6);
	put_u32(p + OFF_COOKIE, MAGIC_COOKIE);

	p += NN_DHCP_HDR_LEN;
	p = put_opt(p, OPT_MSG_TYPE, &type, 1);
	client_id[0] = HTYPE_ETHER;
	memcpy(client_id + 1, b->chaddr, 6);
	p = put_opt(p, OPT_CLIENT_ID, client_id, sizeof(client_id));
	if (with_requested)
		p = put_addr_opt(p, OPT_REQUESTED_IP, b->requested);
	if (with_server)
		p = put_addr_opt(p, OPT_SERVER_ID, b->server_id);
	if (with_prl)
		p = put_opt(p, OPT_PRL, param_request_list, sizeof(param_request_list));
	if (host_len)
		p = put_opt(p, OPT_HOSTNAME, b->hostname, host_len);
	*p = OPT_END;
	return need;
}

/* ------------------------------------------------------------ decoder */

struct parser {
	struct nn_dhcp_msg *m;
	uint8_t seen[256 / 8];
	struct nn_error *e;
};

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static struct in_addr get_addr(const uint8_t *p)
{
	struct in_addr a;

	memcpy(&a.s_addr, p, 4);
	return a;
}

static int want_len(struct parser *ps, unsigned code, size_t len, size_t want)
{
	if (len != want)
		return nn_error_setx(ps->e, EBADMSG,
				     "DHCP option %u has length %zu, expected %zu",
				     code, len, want);
	return 0;
}

static int want_addrs(struct parser *ps, unsigned code, size_t len)
{
	if (len == 0 || len % 4)
		return nn_error_setx(ps->e, EBADMSG,
				     "DHCP option %u has length %zu, expected a multiple of 4",
				     code, len);
	return 0;
}

/* NVT ASCII: drop trailing NULs (RFC 2132 2.), refuse empty and embedded NULs. */
static int take_text(struct parser *ps, unsigned code, const uint8_t *v, size_t len,
		     char out[256])
{
	while (len && v[len - 1] == '\0')
		len--;
	if (len == 0)
		return nn_error_setx(ps->e, EBADMSG, "DHCP option %u is empty", code);
	if (memchr(v, '\0', len))
		return nn_error_setx(ps->e, EBADMSG, "DHCP option %u contains a NUL byte", code);
	memcpy(out, v, len);
	out[len] = '\0';
	return 0;
}

static int check_domain(struct parser *ps, const char *s)
{
	struct nn_shown sh;
	size_t i;

	/* It ends up in resolv.conf: a space or newline would inject lines. */
	for (i = 0; s[i]; i++) {
		unsigned char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return nn_error_setx(ps->e, EBADMSG,
					     "invalid DHCP domain name \"%s\": byte 0x%02x at %zu",
					     nn_show(&sh, s), c, i);
	}
	return 0;
}

static bool mask_contiguous(uint32_t host_order)
{
	uint32_t inv = ~host_order;

	return (inv & (inv + 1)) == 0;
}

static int take_option(struct parser *ps, unsigned code, const uint8_t *v, size_t len)
{
	struct nn_dhcp_msg *m = ps->m;
	unsigned i;
	int r;

	switch (code) {
	case OPT_SUBNET_MASK: case OPT_ROUTER: case OPT_DNS: case OPT_HOSTNAME:
	case OPT_DOMAIN: case OPT_REQUESTED_IP: case OPT_LEASE_TIME:
	case OPT_OVERLOAD: case OPT_MSG_TYPE: case OPT_SERVER_ID: case OPT_PRL:
	case OPT_MESSAGE: case OPT_T1: case OPT_T2: case OPT_CLIENT_ID:
		if (ps->seen[code / 8] & (1U << (code % 8)))
			return nn_error_setx(ps->e, EBADMSG, "DHCP option %u appears twice", code);
		ps->seen[code / 8] |= 1U << (code % 8);
		break;
	default:
		return 0;
	}

	switch (code) {
	case OPT_MSG_TYPE:
		if ((r = want_len(ps, code, len, 1)))
			return r;
		if (v[0] == 0)
			return nn_error_setx(ps->e, EBADMSG, "DHCP message type (option 53) is 0");
		m->type = v[0];
		return 0;
	case OPT_OVERLOAD:
		/* Only the options field can hold it: file and sname are parsed
		 * after it was seen, so a 52 there is a duplicate, never a loop. */
		if ((r = want_len(ps, code, len, 1)))
			return r;
		if (v[0] < 1 || v[0] > 3)
			return nn_error_setx(ps->e, EBADMSG,
					     "DHCP option overload (52) has invalid value %u", v[0]);
		m->overload = v[0];
		return 0;
	case OPT_SUBNET_MASK:
		if ((r = want_len(ps, code, len, 4)))
			return r;
		if (!get_u32(v) || !mask_contiguous(get_u32(v))) {
			char s[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, v, s, sizeof(s));
			return nn_error_setx(ps->e, EBADMSG,
					     "DHCP subnet mask \"%s\" is not a valid netmask", s);
		}
		m->subnet_mask = get_addr(v);
		m->has_subnet_mask = true;
		return 0;
	case OPT_ROUTER:
		if ((r = want_addrs(ps, code, len)))
			return r;
		m->router = get_addr(v);
		m->has_router = true;
		return 0;
	case OPT_DNS:
		if ((r = want_addrs(ps, code, len)))
			return r;
		for (i = 0; i < len / 4 && i < NN_DHCP_DNS_MAX; i++)
			m->dns[i] = get_addr(v + 4 * i);
		m->n_dns = i;
		return 0;
	case OPT_HOSTNAME:
		return take_text(ps, code, v, len, m->hostname);
	case OPT_DOMAIN:
		if ((r = take_text(ps, code, v, len, m->domain)))
			return r;
		return check_domain(ps, m->domain);
	case OPT_MESSAGE:
		return take_text(ps, code, v, len, m->message);
	case OPT_REQUESTED_IP:
		if ((r = want_len(ps, code, len, 4)))
			return r;
		m->requested = get_addr(v);
		m->has_requested = true;
		return 0;
	case OPT_SERVER_ID:
		if ((r = want_len(ps, code, len, 4)))
			return r;
		m->server_id = get_addr(v);
		m->has_server_id = true;
		return 0;
	case OPT_LEASE_TIME:
		if ((r = want_len(ps, code, len, 4)))
			return r;
		m->lease_s = get_u32(v);
		m->has_lease = true;
		return 0;
	case OPT_T1:
		if ((r = want_len(ps, code, len, 4)))
			return r;
		m->t1_s = get_u32(v);
		m->has_t1 = true;
		return 0;
	case OPT_T2:
		if ((r = want_len(ps, code, len, 4)))
			return r;
		m->t2_s = get_u32(v);
		m->has_t2 = true;
		return 0;
	case OPT_PRL:
		if (len == 0)
			return nn_error_setx(ps->e, EBADMSG, "DHCP option %u is empty", code);
		memcpy(m->prl, v, len);
		m->prl_len = len;
		return 0;
	case OPT_CLIENT_ID:
		if (len < 2)
			return nn_error_setx(ps->e, EBADMSG,
					     "DHCP option %u has length %zu, expected at least 2",
					     code, len);
		memcpy(m->client_id, v, len);
		m->client_id_len = len;
		return 0;
	}
	return 0;
}

/* One field of options: the options area, or file/sname under overload. */
static int parse_field(struct parser *ps, const uint8_t *f, size_t len,
		       const char *field)
{
	size_t i = 0;
	int r;

	while (i < len) {
		unsigned code = f[i], olen;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (len - i < 2)
			return nn_error_setx(ps->e, EBADMSG,
					     "DHCP option %u is cut off at the end of the %s field",
					     code, field);
		olen = f[i + 1];
		if (olen > len - i - 2)
			return nn_error_setx(ps->e, EBADMSG,
					     "DHCP option %u has length %u but only %zu bytes are left in the %s field",
					     code, olen, len - i - 2, field);
		r = take_option(ps, code, f + i + 2, olen);
		if (r)
			return r;
		i += 2 + olen;
	}
	return 0;
}

int nn_dhcp_decode(const void *buf, size_t len, struct nn_dhcp_msg *m,
		   struct nn_error *e)
{
	struct parser ps = { .m = m, .e = e };
	const uint8_t *p = buf;
	uint32_t cookie;
	int r;

	memset(m, 0, sizeof(*m));
	if (!p || len < NN_DHCP_HDR_LEN)
		return nn_error_setx(e, EBADMSG,
				     "DHCP message of %zu bytes is shorter than the %d-byte header",
				     p ? len : 0, NN_DHCP_HDR_LEN);
	cookie = get_u32(p + OFF_COOKIE);
	if (cookie != MAGIC_COOKIE)
		return nn_error_setx(e, EBADMSG,
				     "DHCP message has magic cookie 0x%08x, expected 0x%08x",
				     cookie, MAGIC_COOKIE);
	if (p[OFF_OP] != NN_BOOTREQUEST && p[OFF_OP] != NN_BOOTREPLY)
		return nn_error_setx(e, EBADMSG, "BOOTP op %u is neither request nor reply",
				     p[OFF_OP]);
	if (p[OFF_HLEN] > CHADDR_LEN)
		return nn_error_setx(e, EBADMSG, "BOOTP hardware address length %u exceeds %d",
				     p[OFF_HLEN], CHADDR_LEN);
	m->op = p[OFF_OP];
	m->htype = p[OFF_HTYPE];
	m->hlen = p[OFF_HLEN];
	m->hops = p[OFF_HOPS];
	m->xid = get_u32(p + OFF_XID);
	m->secs = (uint16_t)(p[OFF_SECS] << 8 | p[OFF_SECS + 1]);
	m->flags = (uint16_t)(p[OFF_FLAGS] << 8 | p[OFF_FLAGS + 1]);
	m->ciaddr = get_addr(p + OFF_CIADDR);
	m->yiaddr = get_addr(p + OFF_YIADDR);
	m->siaddr = get_addr(p + OFF_SIADDR);
	m->giaddr = get_addr(p + OFF_GIADDR);
	memcpy(m->chaddr, p + OFF_CHADDR, CHADDR_LEN);

	r = parse_field(&ps, p + NN_DHCP_HDR_LEN, len - NN_DHCP_HDR_LEN, "options");
	/* RFC 2131 4.1 / RFC 3396: options, then file, then sname. */
	if (!r && (m->overload & 1))
		r = parse_field(&ps, p + OFF_FILE, FILE_LEN, "file");
	if (!r && (m->overload & 2))
		r = parse_field(&ps, p + OFF_SNAME, SNAME_LEN, "sname");
	if (!r && !m->type)
		r = nn_error_setx(e, EBADMSG, "DHCP message has no message type (option 53)");
	if (r) {
		memset(m, 0, sizeof(*m));
		return r;
	}
	return 0;
}
