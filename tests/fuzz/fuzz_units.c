// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tc values on the command line: nn_parse_time/percent/rate/size/uint and
 * nn_netem_dist_parse on the input as a string, and the format functions on
 * values drawn from it.  Checked: every failure is -EINVAL or -ERANGE with a
 * proper message; parse(format(x)) == x for time, rate and size (within the
 * printed precision for percentages); a bare number means what its default
 * unit spelled out means; and the parsers agree with nn_parse_uint on plain
 * integers.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>

#include "netnsctl/qdisc.h"
#include "netnsctl/units.h"
#include "fuzz.h"

typedef unsigned __int128 u128;

#define FMT_MAX 64

static void check_failure(int ret, const struct nn_error *e, const char *what, const char *s)
{
	char prefix[64];

	FUZZ_CHECK(ret == -EINVAL || ret == -ERANGE, "ret %d for %s \"%s\"", ret, what, s);
	snprintf(prefix, sizeof(prefix), "invalid %s \"", what);
	fuzz_check_error(e, ret, prefix, s);
}

static void time_roundtrip(uint64_t ns, struct fuzz_rng *r)
{
	char buf[FMT_MAX];
	struct nn_error e;
	uint64_t back = 0;
	int ret;

	nn_format_time(buf, sizeof(buf), ns);
	ret = nn_parse_time(buf, "delay", &back, &e);
	FUZZ_CHECK(ret == 0 && back == ns, "%" PRIu64 "ns -> \"%s\" -> %d, %" PRIu64, ns, buf,
		   ret, back);
	FUZZ_CHECK_TRUNCATED(1 + fuzz_rng_next(r) % 24, buf, nn_format_time(fbuf, flen, ns));
}

static void rate_roundtrip(uint64_t rate, struct fuzz_rng *r)
{
	char buf[FMT_MAX];
	struct nn_error e;
	uint64_t back = 0;
	int ret;

	nn_format_rate(buf, sizeof(buf), rate);
	if (!rate)
		return;
	ret = nn_parse_rate(buf, "rate", &back, &e);
	FUZZ_CHECK(ret == 0 && back == rate, "%" PRIu64 "bps -> \"%s\" -> %d, %" PRIu64, rate,
		   buf, ret, back);
	FUZZ_CHECK_TRUNCATED(1 + fuzz_rng_next(r) % 32, buf, nn_format_rate(fbuf, flen, rate));
}

static void size_roundtrip(uint32_t size, struct fuzz_rng *r)
{
	char buf[FMT_MAX];
	struct nn_error e;
	uint32_t back = 0;
	int ret;

	nn_format_size(buf, sizeof(buf), size);
	if (!size)
		return;
	ret = nn_parse_size(buf, "burst", &back, &e);
	FUZZ_CHECK(ret == 0 && back == size, "%" PRIu32 " bytes -> \"%s\" -> %d, %" PRIu32, size,
		   buf, ret, back);
	FUZZ_CHECK_TRUNCATED(1 + fuzz_rng_next(r) % 16, buf, nn_format_size(fbuf, flen, size));
}

/* Percentages are printed rounded: parse(format(p)) is within half a unit of
 * the last printed digit of p, and a non-zero p never prints as "0%". */
static void percent_roundtrip(uint32_t prob, struct fuzz_rng *r)
{
	char buf[FMT_MAX];
	const char *dot;
	struct nn_error e;
	uint32_t back = 0;
	double pct = nn_percent_of(prob), tol;
	uint64_t diff;
	int ret, digits = 0;

	FUZZ_CHECK(pct >= 0.0 && pct <= 100.0, "%" PRIu32 " is %f%%", prob, pct);
	nn_format_percent(buf, sizeof(buf), prob);
	FUZZ_CHECK(!prob || strcmp(buf, "0%"), "%" PRIu32 " shows as 0%%", prob);
	ret = nn_parse_percent(buf, "loss", &back, &e);
	FUZZ_CHECK(ret == 0, "%" PRIu32 " -> \"%s\" -> %d %s", prob, buf, ret, e.msg);
	dot = strchr(buf, '.');
	if (dot)
		digits = (int)strcspn(dot + 1, "%");
	tol = ceil(0.5 * pow(10.0, -digits) * UINT32_MAX / 100.0) + 1;
	diff = back > prob ? back - prob : prob - back;
	FUZZ_CHECK((double)diff <= tol, "%" PRIu32 " -> \"%s\" -> %" PRIu32 ", off by more than %.0f",
		   prob, buf, back, tol);
	FUZZ_CHECK_TRUNCATED(1 + fuzz_rng_next(r) % 16, buf, nn_format_percent(fbuf, flen, prob));
}

/* S followed by SUFFIX parses as S alone: the unit a bare number stands for. */
static void check_bare_unit(const char *s, const char *suffix, uint64_t bare,
			    int (*parse)(const char *, uint64_t *))
{
	char buf[512];
	uint64_t v = 0;
	int ret;

	if (strlen(s) + strlen(suffix) >= sizeof(buf))
		return;
	snprintf(buf, sizeof(buf), "%s%s", s, suffix);
	ret = parse(buf, &v);
	FUZZ_CHECK(ret == 0 && v == bare, "\"%s\" is %" PRIu64 ", \"%s\" is %d, %" PRIu64, s,
		   bare, buf, ret, v);
}

static int parse_time_u64(const char *s, uint64_t *v)
{
	struct nn_error e;

	return nn_parse_time(s, "delay", v, &e);
}

static int parse_rate_u64(const char *s, uint64_t *v)
{
	struct nn_error e;

	return nn_parse_rate(s, "rate", v, &e);
}

static int parse_size_u64(const char *s, uint64_t *v)
{
	struct nn_error e;
	uint32_t b = 0;
	int ret = nn_parse_size(s, "burst", &b, &e);

	*v = b;
	return ret;
}

static int parse_percent_u64(const char *s, uint64_t *v)
{
	struct nn_error e;
	uint32_t p = 0;
	int ret = nn_parse_percent(s, "loss", &p, &e);

	*v = p;
	return ret;
}

/* Values that print in whole units as often as not: a small mantissa times a
 * power of ten or of two, or any bit pattern. */
static uint64_t some_value(struct fuzz_rng *r)
{
	uint64_t m = fuzz_rng_next(r) % 10000, k = fuzz_rng_next(r);

	switch (k % 3) {
	case 0:
		for (k = (k >> 8) % 20; k--;)
			if (m <= UINT64_MAX / 10)
				m *= 10;
		return m;
	case 1:
		return (k >> 8) % 64 < 50 ? m << (k >> 8) % 50 : m;
	default:
		return fuzz_rng_bits(r);
	}
}

static bool is_bare_number(const char *s)
{
	return *s && strspn(s, "0123456789.") == strlen(s);
}

static void fuzz_string(const char *s, struct fuzz_rng *r)
{
	struct nn_error e;
	uint64_t t = 0, rate = 0, u = 0, umin, umax;
	uint32_t pct = 0, size = 0;
	enum nn_netem_dist dist;
	int rt, rp, rr, rs, ru, ret;

	fuzz_error_poison(&e);
	rt = nn_parse_time(s, "delay", &t, &e);
	if (rt < 0) {
		check_failure(rt, &e, "delay", s);
	} else {
		time_roundtrip(t, r);
		if (is_bare_number(s))
			check_bare_unit(s, "us", t, parse_time_u64);
	}

	/* The noun is optional. */
	fuzz_error_poison(&e);
	ret = nn_parse_time(s, NULL, &u, &e);
	FUZZ_CHECK(ret == rt && (ret < 0 || u == t), "\"%s\": %d without a noun, %d with", s,
		   ret, rt);
	if (ret < 0)
		check_failure(ret, &e, "value", s);

	fuzz_error_poison(&e);
	rp = nn_parse_percent(s, "loss", &pct, &e);
	if (rp < 0) {
		check_failure(rp, &e, "loss", s);
	} else {
		percent_roundtrip(pct, r);
		if (is_bare_number(s))
			check_bare_unit(s, "%", pct, parse_percent_u64);
	}

	fuzz_error_poison(&e);
	rr = nn_parse_rate(s, "rate", &rate, &e);
	if (rr < 0) {
		check_failure(rr, &e, "rate", s);
	} else {
		FUZZ_CHECK(rate > 0, "rate 0 from \"%s\"", s);
		rate_roundtrip(rate, r);
		if (is_bare_number(s))
			check_bare_unit(s, "bit", rate, parse_rate_u64);
	}

	fuzz_error_poison(&e);
	rs = nn_parse_size(s, "burst", &size, &e);
	if (rs < 0) {
		check_failure(rs, &e, "burst", s);
	} else {
		FUZZ_CHECK(size > 0, "size 0 from \"%s\"", s);
		size_roundtrip(size, r);
		if (is_bare_number(s))
			check_bare_unit(s, "b", size, parse_size_u64);
	}

	/* A plain integer N: the other parsers take it in their bare unit. */
	fuzz_error_poison(&e);
	ru = nn_parse_uint(s, "limit", 0, UINT64_MAX, &u, &e);
	if (ru < 0) {
		check_failure(ru, &e, "limit", s);
	} else {
		u128 bits = u, bytes = (bits + 4) / 8;

		FUZZ_CHECK(strspn(s, "0123456789") == strlen(s), "uint from \"%s\"", s);
		FUZZ_CHECK(u <= UINT64_MAX / 1000 ? rt == 0 && t == u * 1000 : rt == -ERANGE,
			   "\"%s\": time %d %" PRIu64, s, rt, t);
		FUZZ_CHECK(u <= 100 ? rp == 0 && pct == ((u128)u * UINT32_MAX + 50) / 100
				    : rp == -ERANGE,
			   "\"%s\": percent %d %" PRIu32, s, rp, pct);
		FUZZ_CHECK(u == 0 ? rr == -EINVAL : bytes == 0 ? rr == -ERANGE
						   : rr == 0 && rate == bytes,
			   "\"%s\": rate %d %" PRIu64, s, rr, rate);
		FUZZ_CHECK(u == 0 ? rs == -EINVAL : u > UINT32_MAX ? rs == -ERANGE
						   : rs == 0 && size == u,
			   "\"%s\": size %d %" PRIu32, s, rs, size);
	}

	/* The same digits against a range drawn from the input. */
	umin = fuzz_rng_bits(r);
	umax = fuzz_rng_bits(r);
	if (umin > umax) {
		uint64_t tmp = umin;

		umin = umax;
		umax = tmp;
	}
	fuzz_error_poison(&e);
	ret = nn_parse_uint(s, "count", umin, umax, &u, &e);
	if (ret < 0) {
		check_failure(ret, &e, "count", s);
		FUZZ_CHECK(ru < 0 || u < umin || u > umax, "\"%s\" refused in [%" PRIu64 ", %" PRIu64 "]",
			   s, umin, umax);
	} else {
		FUZZ_CHECK(ru == 0 && u >= umin && u <= umax, "\"%s\" -> %" PRIu64 " in [%" PRIu64
			   ", %" PRIu64 "]", s, u, umin, umax);
	}

	fuzz_error_poison(&e);
	ret = nn_netem_dist_parse(s, &dist, &e);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL, "dist \"%s\": %d", s, ret);
		fuzz_check_error(&e, ret, "invalid --distribution \"", s);
	} else {
		FUZZ_CHECK(!strcmp(nn_netem_dist_name(dist), s), "dist \"%s\" is %d", s, (int)dist);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	struct fuzz_rng r;
	uint64_t v;

	fuzz_rng_init(&r, data, size);
	fuzz_string(s, &r);

	time_roundtrip(some_value(&r), &r);
	v = some_value(&r);
	rate_roundtrip(v ? v : 1, &r);
	for (v = some_value(&r); v > UINT32_MAX; v >>= 16)
		;
	size_roundtrip(v ? (uint32_t)v : 1, &r);
	percent_roundtrip((uint32_t)some_value(&r), &r);
	free(s);
	return 0;
}
