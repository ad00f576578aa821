// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Addresses and networks: nn_parse_ifaddr and nn_parse_cidr on the input as
 * a string, then nn_format_prefix, nn_prefix_network and nn_prefix_hosts on
 * what they return and on prefixes made of bytes drawn from the input.
 * Checked: a CIDR is an interface address with a length and no host bits;
 * every prefix prints and parses back to itself; the hosts of a network are
 * consecutive, inside it, skip what addr.h says they skip, and run out
 * exactly where the network does.
 */
#include <errno.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "netnsctl/addr.h"
#include "fuzz.h"

#define PFX_MAX (INET6_ADDRSTRLEN + 8)
#define COUNT_MAX 260

static unsigned int family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

/* Big-endian increment, as a second opinion on nn_prefix_hosts' own. */
static void increment(struct nn_prefix *p)
{
	int i;

	for (i = (int)family_bits(p->family) / 8 - 1; i >= 0; i--)
		if (++p->addr.bytes[i])
			break;
}

static bool all_host_bits(const struct nn_prefix *p, int bit)
{
	unsigned int i;

	for (i = p->len; i < family_bits(p->family); i++)
		if (!!(p->addr.bytes[i / 8] & (0x80 >> (i % 8))) != bit)
			return false;
	return true;
}

static void check_hosts(const struct nn_prefix *a, unsigned int count)
{
	static struct nn_prefix out[COUNT_MAX];
	char buf[PFX_MAX], netbuf[PFX_MAX], want[160];
	unsigned int bits = family_bits(a->family), hostbits = bits - a->len, i;
	unsigned long long usable;
	struct nn_prefix net, next;
	struct nn_error e;
	int ret;

	if (hostbits == 0)
		usable = 0;
	else if (hostbits == 1)
		usable = 2;
	else if (hostbits >= 64)
		usable = ~0ULL;
	else
		usable = (1ULL << hostbits) - (a->family == AF_INET ? 2 : 1);

	nn_prefix_network(a, &net);
	fuzz_error_poison(&e);
	ret = nn_prefix_hosts(a, count, out, &e);
	nn_format_prefix(netbuf, sizeof(netbuf), &net, true);
	if (count > usable) {
		snprintf(want, sizeof(want), "network \"%s\" is too small for %u address%s",
			 netbuf, count, count == 1 ? "" : "es");
		FUZZ_CHECK(ret == -EINVAL, "%u hosts of %s: %d, only %llu usable", count, netbuf,
			   ret, usable);
		fuzz_check_error(&e, ret, want, netbuf);
		return;
	}
	FUZZ_CHECK(ret == 0, "%u hosts of %s: %d %s", count, netbuf, ret, e.msg);
	next = net;
	/* The network address itself only on a /31 or /127. */
	if (hostbits >= 2)
		increment(&next);
	for (i = 0; i < count; i++) {
		struct nn_prefix n;

		nn_format_prefix(buf, sizeof(buf), &out[i], true);
		FUZZ_CHECK(nn_prefix_equal(&out[i], &next), "host %u of %s is %s", i, netbuf, buf);
		nn_prefix_network(&out[i], &n);
		FUZZ_CHECK(nn_prefix_equal(&n, &net), "host %s outside its network", buf);
		if (hostbits >= 2)
			FUZZ_CHECK(!all_host_bits(&out[i], 0), "host %s is the network address",
				   buf);
		if (hostbits >= 2 && a->family == AF_INET)
			FUZZ_CHECK(!all_host_bits(&out[i], 1), "host %s is the broadcast address",
				   buf);
		increment(&next);
	}
}

static void check_roundtrip(const struct nn_prefix *a, struct fuzz_rng *r)
{
	char buf[PFX_MAX];
	struct nn_prefix back, net;
	struct nn_error e;
	int ret;

	nn_format_prefix(buf, sizeof(buf), a, true);
	ret = nn_parse_ifaddr(buf, &back, &e);
	FUZZ_CHECK(ret == 0 && nn_prefix_equal(a, &back), "-> \"%s\" -> %d", buf, ret);
	FUZZ_CHECK_TRUNCATED(1 + fuzz_rng_next(r) % 48, buf,
			     nn_format_prefix(fbuf, flen, a, true));

	nn_format_prefix(buf, sizeof(buf), a, false);
	ret = nn_parse_ifaddr(buf, &back, &e);
	FUZZ_CHECK(ret == 0 && back.len == family_bits(a->family) &&
		   !memcmp(back.addr.bytes, a->addr.bytes, family_bits(a->family) / 8),
		   "-> \"%s\" -> %d", buf, ret);

	nn_prefix_network(a, &net);
	nn_format_prefix(buf, sizeof(buf), &net, true);
	ret = nn_parse_cidr(buf, &back, &e);
	FUZZ_CHECK(ret == 0 && nn_prefix_equal(&net, &back), "network \"%s\" -> %d %s", buf,
		   ret, ret ? e.msg : "");
}

static void fuzz_string(const char *s, struct fuzz_rng *r)
{
	struct nn_prefix a, c, net;
	struct nn_error e, ec;
	char buf[PFX_MAX], want[PFX_MAX + 40];
	unsigned int bits, usable;
	int ret, ret_c;

	fuzz_error_poison(&e);
	ret = nn_parse_ifaddr(s, &a, &e);
	fuzz_error_poison(&ec);
	ret_c = nn_parse_cidr(s, &c, &ec);
	if (ret_c < 0)
		fuzz_check_error(&ec, ret_c, "invalid CIDR \"", s);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL, "address \"%s\": %d", s, ret);
		fuzz_check_error(&e, ret, "invalid address \"", s);
		FUZZ_CHECK(ret_c < 0, "\"%s\" a CIDR but not an address", s);
		return;
	}

	bits = family_bits(a.family);
	FUZZ_CHECK(bits && a.len <= bits, "\"%s\": family %d, length %u", s, a.family, a.len);
	nn_prefix_network(&a, &net);
	if (!strchr(s, '/')) {
		FUZZ_CHECK(a.len == bits, "\"%s\" without a length is /%u", s, a.len);
		FUZZ_CHECK(ret_c == -EINVAL, "CIDR \"%s\" without a length: %d", s, ret_c);
	} else if (!nn_prefix_equal(&a, &net)) {
		snprintf(want, sizeof(want), "host bits set, did you mean %s?",
			 nn_format_prefix(buf, sizeof(buf), &net, true));
		FUZZ_CHECK(ret_c == -EINVAL && strstr(ec.msg, want),
			   "CIDR \"%s\" with host bits: %d \"%s\"", s, ret_c, ec.msg);
	} else {
		FUZZ_CHECK(ret_c == 0 && nn_prefix_equal(&a, &c), "CIDR \"%s\": %d %s", s, ret_c,
			   ec.msg);
	}

	check_roundtrip(&a, r);
	check_hosts(&a, (unsigned int)(fuzz_rng_next(r) % 9));
	/* Right at the end of small networks. */
	if (bits - a.len <= 8) {
		usable = bits - a.len == 1 ? 2 : bits == a.len ? 0 :
			 (1U << (bits - a.len)) - (a.family == AF_INET ? 2 : 1);
		check_hosts(&a, usable);
		check_hosts(&a, usable + 1);
	}
}

/* Prefixes nobody parsed: any family, any length, any bytes. */
static void fuzz_raw(struct fuzz_rng *r)
{
	static const int families[] = { AF_INET, AF_INET6, AF_UNSPEC, AF_PACKET, -1 };
	static struct nn_prefix out[8];
	struct nn_prefix p, net;
	char buf[PFX_MAX];
	struct nn_error e;
	unsigned int i;
	uint64_t v;
	int ret;

	memset(&p, 0, sizeof(p));
	p.family = families[fuzz_rng_next(r) % 5];
	p.len = (uint8_t)fuzz_rng_next(r);
	for (i = 0; i < sizeof(p.addr.bytes); i += sizeof(v)) {
		v = fuzz_rng_next(r);
		memcpy(p.addr.bytes + i, &v, sizeof(v));
	}

	nn_prefix_network(&p, &net);
	FUZZ_CHECK(nn_prefix_equal(&p, &p), "a prefix differs from itself");
	nn_format_prefix(buf, sizeof(buf), &p, true);
	FUZZ_CHECK_TRUNCATED(1 + fuzz_rng_next(r) % 48, buf,
			     nn_format_prefix(fbuf, flen, &p, true));
	fuzz_error_poison(&e);
	ret = nn_prefix_hosts(&p, (unsigned int)(fuzz_rng_next(r) % 9), out, &e);
	if (!family_bits(p.family) || p.len > family_bits(p.family)) {
		FUZZ_CHECK(ret == -EINVAL, "hosts of family %d /%u: %d", p.family, p.len, ret);
		fuzz_check_error(&e, ret, NULL, buf);
	} else {
		FUZZ_CHECK(ret == 0 || ret == -EINVAL, "hosts of %s: %d", buf, ret);
		check_roundtrip(&p, r);
		check_hosts(&p, (unsigned int)(fuzz_rng_next(r) % 9));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	struct nn_prefix p;
	struct nn_error e;
	struct fuzz_rng r;
	int ret;

	fuzz_rng_init(&r, data, size);
	fuzz_string(s, &r);
	fuzz_raw(&r);
	free(s);

	/* NULL is the empty string. */
	fuzz_error_poison(&e);
	ret = nn_parse_ifaddr(NULL, &p, &e);
	fuzz_check_error(&e, ret, "invalid address \"\": missing address", "(null)");
	fuzz_error_poison(&e);
	ret = nn_parse_cidr(NULL, &p, &e);
	fuzz_check_error(&e, ret, "invalid CIDR \"\": missing address", "(null)");
	return 0;
}
