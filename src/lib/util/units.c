// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/show.h"
#include "netnsctl/units.h"

typedef unsigned __int128 u128;

/*
 * Fraction digits kept.  With the largest multiplier (2^40) and denominator
 * (100) every intermediate of scale() stays below 2^121, inside one u128.
 */
#define FRAC_MAX 15

struct unit {
	const char *name;
	uint64_t num;		/* one NAME is num/den result units */
	uint64_t den;
};

static const struct unit time_units[] = {
	{ "ns", 1, 1 }, { "nsec", 1, 1 }, { "nsecs", 1, 1 },
	{ "us", 1000, 1 }, { "usec", 1000, 1 }, { "usecs", 1000, 1 },
	{ "ms", 1000000, 1 }, { "msec", 1000000, 1 }, { "msecs", 1000000, 1 },
	{ "s", 1000000000, 1 }, { "sec", 1000000000, 1 }, { "secs", 1000000000, 1 },
	{ NULL, 0, 0 },
};

#define KI 1024ULL
#define MI (KI * KI)
#define GI (MI * KI)
#define TI (GI * KI)

/* Bytes per second; tc's rates are SI unless spelled with "i". */
static const struct unit rate_units[] = {
	{ "bit", 1, 8 },
	{ "kbit", 1000ULL, 8 }, { "mbit", 1000000ULL, 8 },
	{ "gbit", 1000000000ULL, 8 }, { "tbit", 1000000000000ULL, 8 },
	{ "kibit", KI, 8 }, { "mibit", MI, 8 }, { "gibit", GI, 8 }, { "tibit", TI, 8 },
	{ "bps", 1, 1 },
	{ "kbps", 1000ULL, 1 }, { "mbps", 1000000ULL, 1 },
	{ "gbps", 1000000000ULL, 1 }, { "tbps", 1000000000000ULL, 1 },
	{ "kibps", KI, 1 }, { "mibps", MI, 1 }, { "gibps", GI, 1 }, { "tibps", TI, 1 },
	{ NULL, 0, 0 },
};

/* Bytes; tc's sizes are 1024-based, bits included ("32kbit" = 4096). */
static const struct unit size_units[] = {
	{ "b", 1, 1 },
	{ "k", KI, 1 }, { "kb", KI, 1 },
	{ "m", MI, 1 }, { "mb", MI, 1 },
	{ "g", GI, 1 }, { "gb", GI, 1 },
	{ "kbit", KI, 8 }, { "mbit", MI, 8 }, { "gbit", GI, 8 },
	{ NULL, 0, 0 },
};

static const struct unit percent_units[] = {
	{ "%", UINT32_MAX, 100 },
	{ NULL, 0, 0 },
};

/*
 * digits[.digits], then whatever follows as the unit.  The integer part may
 * pass 2^64 (bits before they become bytes); capped at 2^72 so that times the
 * largest multiplier (2^40) it still fits a u128.
 */
#define IP_CAP ((u128)UINT64_MAX << 8)
struct decimal {
	u128 ip;		/* capped at IP_CAP, with overflow set */
	uint64_t fp;		/* the first fd fraction digits */
	unsigned int fd;
	bool tail;		/* a non-zero fraction digit past FRAC_MAX */
	bool overflow;		/* the integer part went past IP_CAP */
	const char *unit;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static const char *noun(const char *what)
{
	return what && *what ? what : "value";
}

static int parse_decimal(const char *s, const char *what, struct decimal *d,
			 struct nn_error *e)
{
	struct nn_shown b;
	const char *p;

	memset(d, 0, sizeof(*d));
	if (!s || !*s)
		return nn_error_setx(e, EINVAL, "invalid %s \"\": empty", noun(what));
	for (p = s; *p; p++)
		if (is_space(*p))
			return nn_error_setx(e, EINVAL, "invalid %s \"%s\": contains whitespace",
					     noun(what), nn_show(&b, s));
	if (*s == '-')
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": must not be negative",
				     noun(what), nn_show(&b, s));
	if (!is_digit(*s))
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": not a number",
				     noun(what), nn_show(&b, s));

	for (p = s; is_digit(*p); p++) {
		unsigned int v = *p - '0';

		if (d->overflow || d->ip > (IP_CAP - v) / 10)
			d->overflow = true;
		else
			d->ip = d->ip * 10 + v;
	}
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return nn_error_setx(e, EINVAL, "invalid %s \"%s\": not a number",
					     noun(what), nn_show(&b, s));
		for (; is_digit(*p); p++) {
			if (d->fd < FRAC_MAX) {
				d->fp = d->fp * 10 + (*p - '0');
				d->fd++;
			} else if (*p != '0') {
				d->tail = true;
			}
		}
	}
	d->unit = p;
	return 0;
}

static const struct unit *find_unit(const struct unit *units, const char *name,
				    bool icase)
{
	for (; units->name; units++)
		if (icase ? !strcasecmp(units->name, name) : !strcmp(units->name, name))
			return units;
	return NULL;
}

static int lookup_unit(const char *s, const char *what, const struct decimal *d,
		       const struct unit *units, const struct unit *bare,
		       bool icase, const struct unit **u, struct nn_error *e)
{
	struct nn_shown b, bu;

	if (!*d->unit) {
		*u = bare;
		return 0;
	}
	*u = find_unit(units, d->unit, icase);
	if (!*u)
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": unknown unit \"%s\"",
				     noun(what), nn_show(&b, s), nn_show(&bu, d->unit));
	return 0;
}

static u128 pow10_u128(unsigned int n)
{
	u128 r = 1;

	while (n--)
		r *= 10;
	return r;
}

/*
 * round(value * num / den), half up, in exact integers.  Fraction digits
 * past FRAC_MAX are dropped: they are worth less than 1e-3 of a result unit.
 * False when the result does not fit u64.
 */
static bool scale(const struct decimal *d, const struct unit *u, uint64_t *out)
{
	u128 p10 = pow10_u128(d->fd);
	u128 whole, x, den, r;

	if (d->overflow)
		return false;
	whole = d->ip * u->num;
	if (whole / u->den > UINT64_MAX)
		return false;
	x = whole * p10 + (u128)d->fp * u->num;
	den = p10 * u->den;
	r = (x + den / 2) / den;
	if (r > UINT64_MAX)
		return false;
	*out = (uint64_t)r;
	return true;
}

/*
 * S as a decimal in one of UNITS (BARE without one): *FITS false when
 * the value in base units does not fit 64 bits (*V then unset).
 */
static int parse_scaled(const char *s, const char *what, const struct unit *units,
			const struct unit *bare, bool icase, struct decimal *d, uint64_t *v,
			bool *fits, struct nn_error *e)
{
	const struct unit *u;
	int ret;

	if ((ret = parse_decimal(s, what, d, e)) < 0 ||
	    (ret = lookup_unit(s, what, d, units, bare, icase, &u, e)) < 0)
		return ret;
	*fits = scale(d, u, v);
	return 0;
}

/* A rate or a size: not 0, and not so small that it rounds to 0 (LEAST). */
static int positive(const char *s, const char *what, const struct decimal *d, uint64_t v,
		    const char *least, struct nn_error *e)
{
	struct nn_shown b;

	if (!d->ip && !d->fp && !d->tail)
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": must be greater than 0",
				     noun(what), nn_show(&b, s));
	if (!v)
		return nn_error_setx(e, ERANGE, "invalid %s \"%s\": too small, at least %s",
				     noun(what), nn_show(&b, s), least);
	return 0;
}

int nn_parse_time(const char *s, const char *what, uint64_t *ns, struct nn_error *e)
{
	static const struct unit bare = { "us", 1000, 1 };
	struct decimal d;
	struct nn_shown b;
	uint64_t v = 0;
	bool fits;
	int ret;

	if ((ret = parse_scaled(s, what, time_units, &bare, false, &d, &v, &fits, e)) < 0)
		return ret;
	if (!fits)
		return nn_error_setx(e, ERANGE,
				     "invalid %s \"%s\": too large, at most 18446744073.709551615s",
				     noun(what), nn_show(&b, s));
	*ns = v;
	return 0;
}

int nn_parse_percent(const char *s, const char *what, uint32_t *prob, struct nn_error *e)
{
	struct decimal d;
	struct nn_shown b;
	uint64_t v = 0;
	bool fits;
	int ret;

	if ((ret = parse_scaled(s, what, percent_units, &percent_units[0], false, &d, &v, &fits, e)) < 0)
		return ret;
	if (d.overflow || d.ip > 100 || (d.ip == 100 && (d.fp || d.tail)) || !fits || v > UINT32_MAX)
		return nn_error_setx(e, ERANGE,
				     "invalid %s \"%s\": must be between 0%% and 100%%",
				     noun(what), nn_show(&b, s));
	*prob = (uint32_t)v;
	return 0;
}

int nn_parse_rate(const char *s, const char *what, uint64_t *bytes_per_sec,
		  struct nn_error *e)
{
	struct decimal d;
	struct nn_shown b;
	uint64_t v = 0;
	bool fits;
	int ret;

	if ((ret = parse_scaled(s, what, rate_units, &rate_units[0], true, &d, &v, &fits, e)) < 0)
		return ret;
	if (!fits)
		return nn_error_setx(e, ERANGE,
				     "invalid %s \"%s\": too large, at most %llubps",
				     noun(what), nn_show(&b, s), (unsigned long long)UINT64_MAX);
	/* tc carries rates in whole bytes per second. */
	if ((ret = positive(s, what, &d, v, "8bit (1 byte/s)", e)) < 0)
		return ret;
	*bytes_per_sec = v;
	return 0;
}

int nn_parse_size(const char *s, const char *what, uint32_t *bytes, struct nn_error *e)
{
	struct decimal d;
	struct nn_shown b;
	uint64_t v = 0;
	bool fits;
	int ret;

	if ((ret = parse_scaled(s, what, size_units, &size_units[0], true, &d, &v, &fits, e)) < 0)
		return ret;
	if (!fits || v > UINT32_MAX)
		return nn_error_setx(e, ERANGE,
				     "invalid %s \"%s\": too large, at most 4294967295 bytes",
				     noun(what), nn_show(&b, s));
	if ((ret = positive(s, what, &d, v, "1 byte", e)) < 0)
		return ret;
	*bytes = (uint32_t)v;
	return 0;
}

int nn_parse_uint(const char *s, const char *what, uint64_t min, uint64_t max,
		  uint64_t *out, struct nn_error *e)
{
	struct decimal d;
	struct nn_shown b;
	int ret;

	ret = parse_decimal(s, what, &d, e);
	if (ret < 0)
		return ret;
	if (d.fd)
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": not a whole number",
				     noun(what), nn_show(&b, s));
	if (*d.unit)
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": not a number",
				     noun(what), nn_show(&b, s));
	if (d.overflow || d.ip < min || d.ip > max)
		return nn_error_setx(e, ERANGE, "invalid %s \"%s\": must be between %llu and %llu",
				     noun(what), nn_show(&b, s), (unsigned long long)min,
				     (unsigned long long)max);
	*out = (uint64_t)d.ip;
	return 0;
}

/* V / UNIT as an exact decimal (UNIT a power of ten, DIGITS its exponent). */
static const char *format_decimal(char *buf, size_t len, u128 v, uint64_t unit,
				  unsigned int digits, const char *suffix)
{
	uint64_t ip = (uint64_t)(v / unit), rem = (uint64_t)(v % unit);
	char frac[24];
	int n;

	if (!rem) {
		snprintf(buf, len, "%llu%s", (unsigned long long)ip, suffix);
		return buf;
	}
	n = snprintf(frac, sizeof(frac), "%0*llu", (int)digits, (unsigned long long)rem);
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	snprintf(buf, len, "%llu.%s%s", (unsigned long long)ip, frac, suffix);
	return buf;
}

const char *nn_format_time(char *buf, size_t len, uint64_t ns)
{
	if (!ns)
		snprintf(buf, len, "0us");
	else if (ns >= 1000000000ULL)
		format_decimal(buf, len, ns, 1000000000ULL, 9, "s");
	else if (ns >= 1000000ULL)
		format_decimal(buf, len, ns, 1000000ULL, 6, "ms");
	else if (ns >= 1000ULL)
		format_decimal(buf, len, ns, 1000ULL, 3, "us");
	else
		format_decimal(buf, len, ns, 1, 0, "ns");
	return buf;
}

const char *nn_format_rate(char *buf, size_t len, uint64_t bytes_per_sec)
{
	static const struct { uint64_t unit; unsigned int digits; const char *name; } r[] = {
		{ 1000000000000ULL, 12, "Tbit" },
		{ 1000000000ULL, 9, "Gbit" },
		{ 1000000ULL, 6, "Mbit" },
		{ 1000ULL, 3, "Kbit" },
	};
	u128 bits = (u128)bytes_per_sec * 8;
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (bits >= r[i].unit)
			return format_decimal(buf, len, bits, r[i].unit, r[i].digits, r[i].name);
	return format_decimal(buf, len, bits, 1, 0, "bit");
}

/* Only whole units, so the output parses back to the same byte count. */
const char *nn_format_size(char *buf, size_t len, uint32_t bytes)
{
	if (bytes && !(bytes % GI))
		snprintf(buf, len, "%lluGb", (unsigned long long)(bytes / GI));
	else if (bytes && !(bytes % MI))
		snprintf(buf, len, "%lluMb", (unsigned long long)(bytes / MI));
	else if (bytes && !(bytes % KI))
		snprintf(buf, len, "%lluKb", (unsigned long long)(bytes / KI));
	else
		snprintf(buf, len, "%lub", (unsigned long)bytes);
	return buf;
}

double nn_percent_of(uint32_t prob)
{
	return (double)prob * 100.0 / (double)UINT32_MAX;
}

/*
 * Four decimals, more for tiny values so that a non-zero probability never
 * shows as "0%" (four significant digits then), trailing zeros dropped.
 */
const char *nn_format_percent(char *buf, size_t len, uint32_t prob)
{
	double p = nn_percent_of(prob), t;
	char tmp[48];
	int digits = 4, n;

	for (t = p * 10; prob && t < 1 && digits < 12; t *= 10)
		digits++;
	n = snprintf(tmp, sizeof(tmp), "%.*f", digits, p);
	while (n > 0 && tmp[n - 1] == '0')
		tmp[--n] = '\0';
	if (n > 0 && tmp[n - 1] == '.')
		tmp[--n] = '\0';
	snprintf(buf, len, "%s%%", tmp);
	return buf;
}

/* Digits with at most one '.': a number without a unit. */
static bool is_bare(const char *s)
{
	bool dot = false;

	if (!is_digit(*s))
		return false;
	for (; *s; s++) {
		if (*s == '.' && !dot)
			dot = true;
		else if (!is_digit(*s))
			return false;
	}
	return true;
}

int nn_unit_note(char *buf, size_t len, const char *s, enum nn_unit_kind kind)
{
	static const struct {
		const char *prefix, *bytes, *bits;
	} words[] = {
		{ "", "bytes", "bits" }, { "k", "kilobytes", "kilobits" },
		{ "m", "megabytes", "megabits" }, { "g", "gigabytes", "gigabits" },
		{ "t", "terabytes", "terabits" }, { "ki", "kibibytes", "kibibits" },
		{ "mi", "mebibytes", "mebibits" }, { "gi", "gibibytes", "gibibits" },
		{ "ti", "tebibytes", "tebibits" },
	};
	char num[64], unit[16], bits[32];
	struct nn_error e = { 0 };
	size_t n, ulen;
	uint64_t v = 0;

	if (!s || !*s)
		return 0;
	if (is_bare(s)) {
		if (kind == NN_UNIT_TIME)
			snprintf(buf, len, "%s is %sus (microseconds), as in tc; for milliseconds write %sms",
				 s, s, s);
		else
			snprintf(buf, len, "%s is %s bits/s, as in tc; for megabits write %smbit", s, s, s);
		return 1;
	}
	if (kind != NN_UNIT_RATE)
		return 0;
	n = strspn(s, "0123456789.");
	ulen = strlen(s + n);
	if (n >= sizeof(num) || ulen < 3 || ulen >= sizeof(unit) || strcasecmp(s + n + ulen - 3, "bps"))
		return 0;
	memcpy(num, s, n);
	num[n] = '\0';
	snprintf(unit, sizeof(unit), "%.*s", (int)(ulen - 3), s + n);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(unit, words[i].prefix))
			continue;
		if (nn_parse_rate(s, "rate", &v, &e) < 0 || v > UINT64_MAX / 8)
			return 0;
		snprintf(buf, len, "%s is %s %s/s = %s/s, as in tc; for %s write %s%sbit", s, num,
			 words[i].bytes, nn_format_rate(bits, sizeof(bits), v), words[i].bits, num,
			 unit);
		return 1;
	}
	return 0;
}

int nn_unit_required(const char *s, const char *what, enum nn_unit_kind kind,
		     struct nn_error *e)
{
	struct nn_shown b;

	if (!s || !is_bare(s))
		return 0;
	if (kind == NN_UNIT_TIME)
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": no unit (%sms? %sus?)", noun(what),
				     nn_show(&b, s), b.s, b.s);
	return nn_error_setx(e, EINVAL, "invalid %s \"%s\": no unit (%smbit? %skbit?)", noun(what),
			     nn_show(&b, s), b.s, b.s);
}
