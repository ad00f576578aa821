// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "util/show.h"
#include "netnsctl/addr.h"

static unsigned int family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

static void clear_host_bits(struct nn_prefix *p)
{
	unsigned int bits = family_bits(p->family), i;

	for (i = p->len; i < bits; i++)
		p->addr.bytes[i / 8] &= ~(0x80 >> (i % 8));
}

/*
 * "ADDR[/LEN]" into P.  NOUN names the thing in messages; without "/LEN",
 * a CIDR is an error and an interface address is a single host.
 */
static int parse_prefix(const char *s, const char *noun, bool need_len,
			struct nn_prefix *p, struct nn_error *e)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash, *q;
	struct nn_shown b, bl;
	unsigned int len = 0, max;
	size_t n;

	if (!s)
		s = "";
	memset(p, 0, sizeof(*p));
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (!n)
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": missing address",
				     noun, nn_show(&b, s));
	if (n < sizeof(addr)) {
		memcpy(addr, s, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET, addr, &p->addr.v4) == 1)
			p->family = AF_INET;
		else if (inet_pton(AF_INET6, addr, &p->addr.v6) == 1)
			p->family = AF_INET6;
	}
	if (!p->family) {
		memset(p, 0, sizeof(*p));
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": not an IPv4 or IPv6 address",
				     noun, nn_show(&b, s));
	}
	max = family_bits(p->family);

	if (!slash) {
		if (need_len)
			return nn_error_setx(e, EINVAL, "invalid %s \"%s\": missing prefix length",
					     noun, nn_show(&b, s));
		p->len = max;
		return 0;
	}
	q = slash + 1;
	if (!*q)
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": missing prefix length",
				     noun, nn_show(&b, s));
	for (; *q >= '0' && *q <= '9'; q++)
		if (len <= max)
			len = len * 10 + (*q - '0');
	if (*q)
		return nn_error_setx(e, EINVAL,
				     "invalid %s \"%s\": prefix length \"%s\" is not a number",
				     noun, nn_show(&b, s), nn_show(&bl, slash + 1));
	if (len > max)
		return nn_error_setx(e, EINVAL,
				     "invalid %s \"%s\": prefix length \"%s\" is out of range (0-%u)",
				     noun, nn_show(&b, s), nn_show(&bl, slash + 1), max);
	p->len = len;
	return 0;
}

int nn_parse_cidr(const char *s, struct nn_prefix *net, struct nn_error *e)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct nn_prefix p, want;
	struct nn_shown b;
	int ret;

	ret = parse_prefix(s, "CIDR", true, &p, e);
	if (ret < 0)
		return ret;
	nn_prefix_network(&p, &want);
	if (!nn_prefix_equal(&p, &want))
		return nn_error_setx(e, EINVAL, "invalid CIDR \"%s\": host bits set, did you mean %s?",
				     nn_show(&b, s), nn_format_prefix(buf, sizeof(buf), &want, true));
	*net = p;
	return 0;
}

int nn_parse_ifaddr(const char *s, struct nn_prefix *addr, struct nn_error *e)
{
	struct nn_prefix p;
	int ret;

	ret = parse_prefix(s, "address", false, &p, e);
	if (ret < 0)
		return ret;
	*addr = p;
	return 0;
}

/* ADDR += V, on the big-endian address bytes. */
static void add_to(struct nn_prefix *p, unsigned int v)
{
	int i = family_bits(p->family) / 8 - 1;
	unsigned long long carry = v;

	for (; i >= 0 && carry; i--) {
		carry += p->addr.bytes[i];
		p->addr.bytes[i] = carry & 0xff;
		carry >>= 8;
	}
}

int nn_prefix_hosts(const struct nn_prefix *net, unsigned int count,
		    struct nn_prefix *out, struct nn_error *e)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned int bits, hostbits, first, i;
	unsigned long long usable;
	struct nn_prefix base;

	bits = family_bits(net->family);
	if (!bits || net->len > bits)
		return nn_error_setx(e, EINVAL, "invalid network: unsupported address family %d",
				     net->family);
	hostbits = bits - net->len;
	/*
	 * IPv4 loses the network and broadcast addresses, IPv6 only the
	 * subnet-router anycast one; a point-to-point /31 or /127 keeps both.
	 */
	if (hostbits == 1) {
		first = 0;
		usable = 2;
	} else if (hostbits == 0) {
		first = 0;
		usable = 0;
	} else {
		first = 1;
		if (hostbits >= 64)
			usable = ~0ULL;
		else
			usable = (1ULL << hostbits) - (net->family == AF_INET ? 2 : 1);
	}
	nn_prefix_network(net, &base);
	if (count > usable)
		return nn_error_setx(e, EINVAL, "network \"%s\" is too small for %u address%s",
				     nn_format_prefix(buf, sizeof(buf), &base, true), count,
				     count == 1 ? "" : "es");
	for (i = 0; i < count; i++) {
		out[i] = base;
		add_to(&out[i], first + i);
	}
	return 0;
}

void nn_prefix_network(const struct nn_prefix *addr, struct nn_prefix *net)
{
	*net = *addr;
	clear_host_bits(net);
}

bool nn_prefix_equal(const struct nn_prefix *a, const struct nn_prefix *b)
{
	unsigned int bits = family_bits(a->family);

	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr.bytes, b->addr.bytes, bits / 8);
}

const char *nn_format_prefix(char *buf, size_t len, const struct nn_prefix *p, bool with_len)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr.bytes, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	if (with_len)
		snprintf(buf, len, "%s/%u", addr, p->len);
	else
		snprintf(buf, len, "%s", addr);
	return buf;
}

void nn_prefix_sockaddr(const struct nn_prefix *a, uint16_t port, struct sockaddr_storage *ss,
			socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr = a->addr.v4;
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = a->addr.v6;
		*len = sizeof(*s6);
	}
}
