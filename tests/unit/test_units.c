// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/units.h"

#define SENTINEL64 0x5a5a5a5a5a5a5a5aULL
#define SENTINEL32 0x5a5a5a5aU

/* Parse S with every parser through one shape, so the checks below stay short. */
enum kind { TIME, PERCENT, RATE, SIZE };

static int parse(enum kind k, const char *s, const char *what, uint64_t *out,
		 struct nn_error *e)
{
	uint32_t v32 = SENTINEL32;
	int ret;

	*out = SENTINEL64;
	switch (k) {
	case TIME:
		return nn_parse_time(s, what, out, e);
	case RATE:
		return nn_parse_rate(s, what, out, e);
	case PERCENT:
		ret = nn_parse_percent(s, what, &v32, e);
		break;
	case SIZE:
	default:
		ret = nn_parse_size(s, what, &v32, e);
		break;
	}
	*out = v32 == SENTINEL32 ? SENTINEL64 : v32;
	return ret;
}

static void check_ok(enum kind k, const char *s, uint64_t want)
{
	struct nn_error e = { 0 };
	uint64_t v;
	int ret;

	ret = parse(k, s, "value", &v, &e);
	if (ret)
		print_error("\"%s\": unexpected error %d: %s\n", s, ret, e.msg);
	assert_int_equal(ret, 0);
	if (v != want)
		print_error("\"%s\": got %llu, want %llu\n", s, (unsigned long long)v,
			    (unsigned long long)want);
	assert_true(v == want);
}

/* A failing parse returns -ERR, fills E with the same code, names the value
 * and leaves the output alone; MSG, when given, is the exact text. */
static void check_bad(enum kind k, const char *s, const char *what, int err, const char *msg)
{
	struct nn_error e = { 0 };
	char prefix[128];
	uint64_t v;
	int ret;

	ret = parse(k, s, what, &v, &e);
	if (ret != -err)
		print_error("\"%s\": got %d (%s), want %d\n", s ? s : "(null)", ret, e.msg, -err);
	assert_int_equal(ret, -err);
	assert_int_equal(e.code, err);
	assert_true(v == SENTINEL64);
	snprintf(prefix, sizeof(prefix), "invalid %s \"", what);
	assert_memory_equal(e.msg, prefix, strlen(prefix));
	assert_null(strchr(e.msg, '\n'));
	if (msg)
		assert_string_equal(e.msg, msg);
}

static void test_time_units(void **state)
{
	check_ok(TIME, "100ms", 100000000ULL);
	check_ok(TIME, "1.5s", 1500000000ULL);
	check_ok(TIME, "250us", 250000ULL);
	check_ok(TIME, "12ns", 12ULL);
	check_ok(TIME, "12.5us", 12500ULL);
	check_ok(TIME, "2sec", 2000000000ULL);
	check_ok(TIME, "3secs", 3000000000ULL);
	check_ok(TIME, "4msec", 4000000ULL);
	check_ok(TIME, "5msecs", 5000000ULL);
	check_ok(TIME, "6usec", 6000ULL);
	check_ok(TIME, "7usecs", 7000ULL);
	check_ok(TIME, "8nsec", 8ULL);
	check_ok(TIME, "9nsecs", 9ULL);
	check_ok(TIME, "0", 0);
	check_ok(TIME, "0ms", 0);
	check_ok(TIME, "007ms", 7000000ULL);
	check_ok(TIME, "0.000000001s", 1);
	check_ok(TIME, "0.001ms", 1000);
	check_ok(TIME, "1.0000000000000000000000001s", 1000000000ULL);
}

static void test_time_bare_is_usec(void **state)
{
	check_ok(TIME, "10", 10000ULL);
	check_ok(TIME, "1.5", 1500ULL);
	check_ok(TIME, "0.001", 1ULL);
}

static void test_time_rounding(void **state)
{
	check_ok(TIME, "0.4ns", 0);
	check_ok(TIME, "0.5ns", 1);
	check_ok(TIME, "1.49ns", 1);
	check_ok(TIME, "0.0004", 0);	/* 0.4 ns */
	check_ok(TIME, "0.0000000015s", 2);
}

static void test_time_limits(void **state)
{
	check_ok(TIME, "18446744073709551615ns", UINT64_MAX);
	check_ok(TIME, "18446744073.709551615s", UINT64_MAX);
	check_ok(TIME, "18446744073709551.615us", UINT64_MAX);
	check_bad(TIME, "18446744073709551616ns", "delay", ERANGE,
		  "invalid delay \"18446744073709551616ns\": too large, at most 18446744073.709551615s");
	check_bad(TIME, "18446744073.709551616s", "delay", ERANGE, NULL);
	check_bad(TIME, "18446744073709552us", "delay", ERANGE, NULL);
	check_bad(TIME, "18446744074s", "delay", ERANGE, NULL);
	check_bad(TIME, "99999999999999999999999999999999999999999999s", "delay", ERANGE, NULL);
	check_bad(TIME, "18446744073709551615", "delay", ERANGE, NULL);	/* bare: us */
}

static void test_time_bad(void **state)
{
	check_bad(TIME, "10xs", "delay", EINVAL, "invalid delay \"10xs\": unknown unit \"xs\"");
	check_bad(TIME, "", "delay", EINVAL, "invalid delay \"\": empty");
	check_bad(TIME, NULL, "delay", EINVAL, "invalid delay \"\": empty");
	check_bad(TIME, "-1ms", "delay", EINVAL, "invalid delay \"-1ms\": must not be negative");
	check_bad(TIME, "+1ms", "delay", EINVAL, "invalid delay \"+1ms\": not a number");
	check_bad(TIME, " 1ms", "delay", EINVAL, "invalid delay \" 1ms\": contains whitespace");
	check_bad(TIME, "1ms ", "delay", EINVAL, NULL);
	check_bad(TIME, "1 ms", "delay", EINVAL, NULL);
	check_bad(TIME, "1\tms", "delay", EINVAL, NULL);
	check_bad(TIME, "1ms\n", "delay", EINVAL, "invalid delay \"1ms\\x0a\": contains whitespace");
	check_bad(TIME, "nan", "delay", EINVAL, "invalid delay \"nan\": not a number");
	check_bad(TIME, "NaN", "delay", EINVAL, NULL);
	check_bad(TIME, "inf", "delay", EINVAL, NULL);
	check_bad(TIME, "infinity", "delay", EINVAL, NULL);
	check_bad(TIME, "0x10", "delay", EINVAL, "invalid delay \"0x10\": unknown unit \"x10\"");
	check_bad(TIME, "1e3", "delay", EINVAL, NULL);
	check_bad(TIME, "1e3ms", "delay", EINVAL, NULL);
	check_bad(TIME, "1.", "delay", EINVAL, "invalid delay \"1.\": not a number");
	check_bad(TIME, "1.ms", "delay", EINVAL, NULL);
	check_bad(TIME, ".5ms", "delay", EINVAL, NULL);
	check_bad(TIME, "1..5ms", "delay", EINVAL, NULL);
	check_bad(TIME, "1.5.5ms", "delay", EINVAL, "invalid delay \"1.5.5ms\": unknown unit \".5ms\"");
	check_bad(TIME, "1,5ms", "delay", EINVAL, NULL);
	check_bad(TIME, "ms", "delay", EINVAL, NULL);
	check_bad(TIME, "10MS", "delay", EINVAL, NULL);	/* tc's time units are lower case */
	check_bad(TIME, "10m", "delay", EINVAL, NULL);
	check_bad(TIME, "10min", "delay", EINVAL, NULL);
	check_bad(TIME, "10ms5", "delay", EINVAL, "invalid delay \"10ms5\": unknown unit \"ms5\"");
	check_bad(TIME, "1%", "delay", EINVAL, NULL);
	check_bad(TIME, "1\x01", "delay", EINVAL,
		  "invalid delay \"1\\x01\": unknown unit \"\\x01\"");
	check_bad(TIME, "1\"ms", "delay", EINVAL,
		  "invalid delay \"1\\\"ms\": unknown unit \"\\\"ms\"");
	check_bad(TIME, "1\xc3\xa9", "jitter", EINVAL,
		  "invalid jitter \"1\\xc3\\xa9\": unknown unit \"\\xc3\\xa9\"");
}

static void test_long_value_is_cut_in_message(void **state)
{
	char s[400], msg[NN_ERROR_MAX];
	struct nn_error e = { 0 };
	uint64_t v;

	memset(s, '7', 300);
	strcpy(s + 300, "xs");
	assert_int_equal(nn_parse_time(s, "delay", &v, &e), -EINVAL);
	snprintf(msg, sizeof(msg), "invalid delay \"%.96s...\": unknown unit \"xs\"", s);
	assert_string_equal(e.msg, msg);

	/* Escaping cannot overflow the message buffer either. */
	memset(s, 1, 399);
	s[0] = '1';
	s[399] = '\0';
	assert_int_equal(nn_parse_time(s, "delay", &v, &e), -EINVAL);
	assert_true(strlen(e.msg) < NN_ERROR_MAX);
}

static void test_null_error_object(void **state)
{
	uint64_t v;

	assert_int_equal(nn_parse_time("10xs", "delay", &v, NULL), -EINVAL);
	assert_int_equal(nn_parse_time("1ms", "delay", &v, NULL), 0);
	assert_true(v == 1000000);
}

static void test_percent(void **state)
{
	check_ok(PERCENT, "0%", 0);
	check_ok(PERCENT, "0", 0);
	check_ok(PERCENT, "0.0%", 0);
	check_ok(PERCENT, "100%", UINT32_MAX);
	check_ok(PERCENT, "100", UINT32_MAX);
	check_ok(PERCENT, "100.000%", UINT32_MAX);
	check_ok(PERCENT, "1%", 42949673);
	check_ok(PERCENT, "0.25%", 10737418);
	check_ok(PERCENT, "50%", 2147483648U);
	check_ok(PERCENT, "20%", 858993459);
	check_ok(PERCENT, "0.1%", 4294967);
	check_ok(PERCENT, "12.5%", 536870912);
	check_ok(PERCENT, "33.3333%", 1431654333);
	check_ok(PERCENT, "99.9999%", 4294963000U);
	check_ok(PERCENT, "0.0001%", 4295);
	check_ok(PERCENT, "0.00000001%", 0);
	check_ok(PERCENT, "0.00000002%", 1);
}

static void test_percent_bad(void **state)
{
	check_bad(PERCENT, "150%", "loss", ERANGE,
		  "invalid loss \"150%\": must be between 0% and 100%");
	check_bad(PERCENT, "101", "loss", ERANGE, NULL);
	check_bad(PERCENT, "100.0001%", "loss", ERANGE, NULL);
	check_bad(PERCENT, "100.00000000000000000001%", "loss", ERANGE, NULL);
	check_bad(PERCENT, "99999999999999999999999999999%", "loss", ERANGE, NULL);
	check_bad(PERCENT, "-1%", "loss", EINVAL, "invalid loss \"-1%\": must not be negative");
	check_bad(PERCENT, "-0%", "loss", EINVAL, NULL);
	check_bad(PERCENT, "+1%", "loss", EINVAL, NULL);
	check_bad(PERCENT, "1%%", "loss", EINVAL, "invalid loss \"1%%\": unknown unit \"%%\"");
	check_bad(PERCENT, "1 %", "loss", EINVAL, NULL);
	check_bad(PERCENT, "1pct", "loss", EINVAL, NULL);
	check_bad(PERCENT, "%", "loss", EINVAL, "invalid loss \"%\": not a number");
	check_bad(PERCENT, "", "duplicate", EINVAL, "invalid duplicate \"\": empty");
	check_bad(PERCENT, "nan%", "loss", EINVAL, NULL);
	check_bad(PERCENT, "0x1%", "loss", EINVAL, NULL);
}

static void test_rate(void **state)
{
	check_ok(RATE, "1mbit", 125000);
	check_ok(RATE, "10mbit", 1250000);
	check_ok(RATE, "10Mbit", 1250000);
	check_ok(RATE, "10MBIT", 1250000);
	check_ok(RATE, "1mbps", 1000000);
	check_ok(RATE, "1gbit", 125000000);
	check_ok(RATE, "1tbit", 125000000000ULL);
	check_ok(RATE, "500kbit", 62500);
	check_ok(RATE, "8bit", 1);
	check_ok(RATE, "8", 1);		/* bare: bits per second */
	check_ok(RATE, "1000", 125);
	check_ok(RATE, "1.5mbit", 187500);
	check_ok(RATE, "12bit", 2);	/* 1.5 bytes/s rounds up */
	check_ok(RATE, "1kibit", 128);
	check_ok(RATE, "1mibit", 131072);
	check_ok(RATE, "1gibit", 134217728);
	check_ok(RATE, "1tibit", 137438953472ULL);
	check_ok(RATE, "1bps", 1);
	check_ok(RATE, "1kbps", 1000);
	check_ok(RATE, "1gbps", 1000000000);
	check_ok(RATE, "1tbps", 1000000000000ULL);
	check_ok(RATE, "1kibps", 1024);
	check_ok(RATE, "1mibps", 1048576);
	check_ok(RATE, "1gibps", 1073741824);
	check_ok(RATE, "1tibps", 1099511627776ULL);
	check_ok(RATE, "18446744073709551615bps", UINT64_MAX);
	check_ok(RATE, "147573952589676412920bit", UINT64_MAX);	/* more bits than 2^64 */
	check_ok(RATE, "147573952.58967641292tbit", UINT64_MAX);
}

static void test_rate_bad(void **state)
{
	check_bad(RATE, "0", "rate", EINVAL, "invalid rate \"0\": must be greater than 0");
	check_bad(RATE, "0kbit", "rate", EINVAL, NULL);
	check_bad(RATE, "0.0mbit", "rate", EINVAL, NULL);
	check_bad(RATE, "1bit", "rate", ERANGE,
		  "invalid rate \"1bit\": too small, at least 8bit (1 byte/s)");
	check_bad(RATE, "0.0001bit", "rate", ERANGE, NULL);
	check_bad(RATE, "18446744073709551616bps", "rate", ERANGE, NULL);
	check_bad(RATE, "147573952589676412924bit", "rate", ERANGE, NULL);
	check_bad(RATE, "20000000tbps", "rate", ERANGE, NULL);
	check_bad(RATE, "10xbit", "rate", EINVAL, "invalid rate \"10xbit\": unknown unit \"xbit\"");
	check_bad(RATE, "10mb", "rate", EINVAL, NULL);	/* a size unit, not a rate */
	check_bad(RATE, "-1mbit", "rate", EINVAL, NULL);
	check_bad(RATE, "1 mbit", "rate", EINVAL, NULL);
	check_bad(RATE, "mbit", "rate", EINVAL, NULL);
	check_bad(RATE, "inf", "rate", EINVAL, NULL);
	check_bad(RATE, "0x10mbit", "rate", EINVAL, NULL);
}

static void test_size(void **state)
{
	check_ok(SIZE, "32kbit", 4096);
	check_ok(SIZE, "64kb", 65536);
	check_ok(SIZE, "1500b", 1500);
	check_ok(SIZE, "1500", 1500);
	check_ok(SIZE, "1k", 1024);
	check_ok(SIZE, "32Kb", 32768);
	check_ok(SIZE, "1m", 1048576);
	check_ok(SIZE, "1mb", 1048576);
	check_ok(SIZE, "1Mb", 1048576);
	check_ok(SIZE, "1g", 1073741824);
	check_ok(SIZE, "3gb", 3221225472U);
	check_ok(SIZE, "1mbit", 131072);
	check_ok(SIZE, "1gbit", 134217728);
	check_ok(SIZE, "1.5kb", 1536);
	check_ok(SIZE, "1b", 1);
	check_ok(SIZE, "1.5b", 2);
	check_ok(SIZE, "4294967295", UINT32_MAX);
	check_ok(SIZE, "4294967295b", UINT32_MAX);
	check_ok(SIZE, "4194303.999kb", UINT32_MAX);	/* 4294967294.976 */
	check_ok(SIZE, "4194303.9995kb", UINT32_MAX);	/* 4294967295.488 */
}

static void test_size_bad(void **state)
{
	check_bad(SIZE, "4294967296", "burst", ERANGE,
		  "invalid burst \"4294967296\": too large, at most 4294967295 bytes");
	check_bad(SIZE, "4gb", "burst", ERANGE, NULL);
	check_bad(SIZE, "4194304kb", "burst", ERANGE, NULL);
	check_bad(SIZE, "4194303.9996kb", "burst", ERANGE, NULL);	/* 4294967295.59 */
	check_bad(SIZE, "99999999999999999999999999kb", "burst", ERANGE, NULL);
	check_bad(SIZE, "0", "burst", EINVAL, "invalid burst \"0\": must be greater than 0");
	check_bad(SIZE, "0kb", "burst", EINVAL, NULL);
	check_bad(SIZE, "0.4b", "burst", ERANGE, NULL);
	check_bad(SIZE, "1bit", "burst", EINVAL, "invalid burst \"1bit\": unknown unit \"bit\"");
	check_bad(SIZE, "1kib", "burst", EINVAL, NULL);
	check_bad(SIZE, "1mbps", "burst", EINVAL, NULL);
	check_bad(SIZE, "-1kb", "burst", EINVAL, NULL);
	check_bad(SIZE, "1 kb", "burst", EINVAL, NULL);
	check_bad(SIZE, "", "burst", EINVAL, NULL);
}

static void check_uint_ok(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
	struct nn_error e = { 0 };
	uint64_t v = SENTINEL64;

	assert_int_equal(nn_parse_uint(s, "limit", min, max, &v, &e), 0);
	assert_true(v == want);
}

static void check_uint_bad(const char *s, uint64_t min, uint64_t max, int err,
			   const char *msg)
{
	struct nn_error e = { 0 };
	uint64_t v = SENTINEL64;

	assert_int_equal(nn_parse_uint(s, "limit", min, max, &v, &e), -err);
	assert_int_equal(e.code, err);
	assert_true(v == SENTINEL64);
	if (msg)
		assert_string_equal(e.msg, msg);
}

static void test_uint(void **state)
{
	check_uint_ok("0", 0, 10, 0);
	check_uint_ok("10", 0, 10, 10);
	check_uint_ok("007", 0, 10, 7);
	check_uint_ok("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
	check_uint_ok("4294967295", 1, UINT32_MAX, UINT32_MAX);

	check_uint_bad("11", 0, 10, ERANGE, "invalid limit \"11\": must be between 0 and 10");
	check_uint_bad("0", 1, 10, ERANGE, "invalid limit \"0\": must be between 1 and 10");
	check_uint_bad("18446744073709551616", 0, UINT64_MAX, ERANGE, NULL);
	check_uint_bad("4294967296", 1, UINT32_MAX, ERANGE, NULL);
	check_uint_bad("1.5", 0, 10, EINVAL, "invalid limit \"1.5\": not a whole number");
	check_uint_bad("1.0", 0, 10, EINVAL, NULL);
	check_uint_bad("12x", 0, 100, EINVAL, "invalid limit \"12x\": not a number");
	check_uint_bad("1k", 0, 100000, EINVAL, NULL);
	check_uint_bad("", 0, 10, EINVAL, "invalid limit \"\": empty");
	check_uint_bad(NULL, 0, 10, EINVAL, NULL);
	check_uint_bad("-1", 0, 10, EINVAL, "invalid limit \"-1\": must not be negative");
	check_uint_bad("+1", 0, 10, EINVAL, NULL);
	check_uint_bad(" 1", 0, 10, EINVAL, NULL);
	check_uint_bad("1 ", 0, 10, EINVAL, NULL);
	check_uint_bad("0x10", 0, 100, EINVAL, NULL);
	check_uint_bad("1e2", 0, 1000, EINVAL, NULL);
}

static void test_format_time(void **state)
{
	char buf[64];

	assert_string_equal(nn_format_time(buf, sizeof(buf), 100000000ULL), "100ms");
	assert_string_equal(nn_format_time(buf, sizeof(buf), 1500000000ULL), "1.5s");
	assert_string_equal(nn_format_time(buf, sizeof(buf), 250000ULL), "250us");
	assert_string_equal(nn_format_time(buf, sizeof(buf), 12ULL), "12ns");
	assert_string_equal(nn_format_time(buf, sizeof(buf), 12500ULL), "12.5us");
	assert_string_equal(nn_format_time(buf, sizeof(buf), 0), "0us");
	assert_string_equal(nn_format_time(buf, sizeof(buf), 999), "999ns");
	assert_string_equal(nn_format_time(buf, sizeof(buf), 1000), "1us");
	assert_string_equal(nn_format_time(buf, sizeof(buf), 1000001), "1.000001ms");
	assert_string_equal(nn_format_time(buf, sizeof(buf), 60000000000ULL), "60s");
	assert_string_equal(nn_format_time(buf, sizeof(buf), UINT64_MAX),
			    "18446744073.709551615s");
}

static void test_format_rate(void **state)
{
	char buf[64];

	assert_string_equal(nn_format_rate(buf, sizeof(buf), 1250000), "10Mbit");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), 125000000), "1Gbit");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), 62500), "500Kbit");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), 1), "8bit");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), 0), "0bit");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), 100), "800bit");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), 125), "1Kbit");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), 187500), "1.5Mbit");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), 125000000000ULL), "1Tbit");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), UINT64_MAX),
			    "147573952.58967641292Tbit");
}

static void test_format_size(void **state)
{
	char buf[64];

	assert_string_equal(nn_format_size(buf, sizeof(buf), 1500), "1500b");
	assert_string_equal(nn_format_size(buf, sizeof(buf), 32768), "32Kb");
	assert_string_equal(nn_format_size(buf, sizeof(buf), 4096), "4Kb");
	assert_string_equal(nn_format_size(buf, sizeof(buf), 1048576), "1Mb");
	assert_string_equal(nn_format_size(buf, sizeof(buf), 1536), "1536b");
	assert_string_equal(nn_format_size(buf, sizeof(buf), 1073741824), "1Gb");
	assert_string_equal(nn_format_size(buf, sizeof(buf), 3221225472U), "3Gb");
	assert_string_equal(nn_format_size(buf, sizeof(buf), 0), "0b");
	assert_string_equal(nn_format_size(buf, sizeof(buf), UINT32_MAX), "4294967295b");
}

static void test_format_percent(void **state)
{
	char buf[64];

	assert_string_equal(nn_format_percent(buf, sizeof(buf), 42949673), "1%");
	assert_string_equal(nn_format_percent(buf, sizeof(buf), 10737418), "0.25%");
	assert_string_equal(nn_format_percent(buf, sizeof(buf), 858993459), "20%");
	assert_string_equal(nn_format_percent(buf, sizeof(buf), UINT32_MAX), "100%");
	assert_string_equal(nn_format_percent(buf, sizeof(buf), 0), "0%");
	assert_string_equal(nn_format_percent(buf, sizeof(buf), 1431654333), "33.3333%");
	assert_string_equal(nn_format_percent(buf, sizeof(buf), 4295), "0.0001%");
	/* Never "0%" for a non-zero probability. */
	assert_string_equal(nn_format_percent(buf, sizeof(buf), 1), "0.00000002328%");
	assert_string_equal(nn_format_percent(buf, sizeof(buf), 429), "0.000009988%");

	assert_true(nn_percent_of(0) == 0.0);
	assert_true(nn_percent_of(UINT32_MAX) == 100.0);
	assert_true(nn_percent_of(42949673) > 0.99999 && nn_percent_of(42949673) < 1.00001);
}

static void test_format_small_buffer(void **state)
{
	char buf[4];

	assert_ptr_equal(nn_format_time(buf, sizeof(buf), 1500000000ULL), buf);
	assert_string_equal(buf, "1.5");
	assert_string_equal(nn_format_rate(buf, sizeof(buf), 1250000), "10M");
	assert_string_equal(nn_format_size(buf, sizeof(buf), 1500), "150");
	assert_string_equal(nn_format_percent(buf, sizeof(buf), 10737418), "0.2");
}

/* Deterministic, so a failure reproduces. */
static uint64_t next_random(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* parse(format(x)) == x: exact for time, rate and size, whatever the value. */
static void test_round_trip_exact(void **state)
{
	static const uint64_t typical_ns[] = {
		1, 999, 1000, 12500, 250000, 1000000, 100000000, 1500000000ULL,
		60000000000ULL, 1234567891ULL, UINT64_MAX,
	};
	static const uint64_t typical_rate[] = {
		1, 2, 100, 125, 62500, 125000, 187500, 1250000, 125000000,
		125000000000ULL, 1099511627776ULL, UINT64_MAX,
	};
	static const uint32_t typical_size[] = {
		1, 1500, 1536, 4096, 32768, 65536, 1048576, 1073741824, UINT32_MAX,
	};
	struct nn_error e = { 0 };
	uint64_t seed = 0x9e3779b97f4a7c15ULL, x, v;
	uint32_t x32, v32;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(typical_ns) / sizeof(typical_ns[0]) + 100000; i++) {
		x = i < sizeof(typical_ns) / sizeof(typical_ns[0]) ? typical_ns[i] :
			next_random(&seed) >> (i % 64);
		nn_format_time(buf, sizeof(buf), x);
		assert_int_equal(nn_parse_time(buf, "delay", &v, &e), 0);
		if (v != x)
			print_error("time %llu -> \"%s\" -> %llu\n", (unsigned long long)x, buf,
				    (unsigned long long)v);
		assert_true(v == x);
	}
	for (i = 0; i < sizeof(typical_rate) / sizeof(typical_rate[0]) + 100000; i++) {
		x = i < sizeof(typical_rate) / sizeof(typical_rate[0]) ? typical_rate[i] :
			next_random(&seed) >> (i % 64);
		if (!x)
			continue;
		nn_format_rate(buf, sizeof(buf), x);
		assert_int_equal(nn_parse_rate(buf, "rate", &v, &e), 0);
		if (v != x)
			print_error("rate %llu -> \"%s\" -> %llu\n", (unsigned long long)x, buf,
				    (unsigned long long)v);
		assert_true(v == x);
	}
	for (i = 0; i < sizeof(typical_size) / sizeof(typical_size[0]) + 100000; i++) {
		x32 = i < sizeof(typical_size) / sizeof(typical_size[0]) ? typical_size[i] :
			(uint32_t)(next_random(&seed) >> (32 + i % 32));
		if (i >= sizeof(typical_size) / sizeof(typical_size[0]) && i % 3 == 0)
			x32 &= ~0x3ffU;	/* multiples of 1024 take the Kb/Mb/Gb path */
		if (!x32)
			continue;
		nn_format_size(buf, sizeof(buf), x32);
		assert_int_equal(nn_parse_size(buf, "burst", &v32, &e), 0);
		assert_int_equal(v32, x32);
	}
}

/* Every percentage with up to four decimals survives format and parse. */
static void test_round_trip_percent(void **state)
{
	struct nn_error e = { 0 };
	uint32_t prob, back;
	char in[32], buf[64];
	unsigned int k;
	int ret;

	for (k = 0; k <= 1000000; k++) {
		snprintf(in, sizeof(in), "%u.%04u%%", k / 10000, k % 10000);
		ret = nn_parse_percent(in, "loss", &prob, &e);
		assert_int_equal(ret, 0);
		nn_format_percent(buf, sizeof(buf), prob);
		ret = nn_parse_percent(buf, "loss", &back, &e);
		assert_int_equal(ret, 0);
		if (back != prob)
			print_error("\"%s\" -> %u -> \"%s\" -> %u\n", in, prob, buf, back);
		assert_int_equal(back, prob);
	}
	/* And the canonical spellings come back as they were written. */
	{
		static const char *const canon[] = {
			"0%", "0.0001%", "0.25%", "1%", "12.5%", "20%", "33.3333%",
			"99.9999%", "100%",
		};
		for (k = 0; k < sizeof(canon) / sizeof(canon[0]); k++) {
			assert_int_equal(nn_parse_percent(canon[k], "loss", &prob, &e), 0);
			assert_string_equal(nn_format_percent(buf, sizeof(buf), prob), canon[k]);
		}
	}
}

/* Notes for values tc reads otherwise than many expect (issue #13, item 6). */
static void test_unit_notes(void **state)
{
	struct nn_error e = { 0 };
	char buf[256];

	(void)state;
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "10mbps", NN_UNIT_RATE), 1);
	assert_string_equal(buf, "10mbps is 10 megabytes/s = 80Mbit/s, as in tc; for megabits write 10mbit");
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "1.5KBps", NN_UNIT_RATE), 1);
	assert_string_equal(buf, "1.5KBps is 1.5 kilobytes/s = 12Kbit/s, as in tc; for kilobits write 1.5Kbit");
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "2bps", NN_UNIT_RATE), 1);
	assert_string_equal(buf, "2bps is 2 bytes/s = 16bit/s, as in tc; for bits write 2bit");
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "100", NN_UNIT_TIME), 1);
	assert_string_equal(buf, "100 is 100us (microseconds), as in tc; for milliseconds write 100ms");
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "1000", NN_UNIT_RATE), 1);
	assert_string_equal(buf, "1000 is 1000 bits/s, as in tc; for megabits write 1000mbit");
	/* no trap: nothing to say */
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "10mbit", NN_UNIT_RATE), 0);
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "100ms", NN_UNIT_TIME), 0);
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "100us", NN_UNIT_TIME), 0);
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "10mbps", NN_UNIT_TIME), 0);
	assert_int_equal(nn_unit_note(buf, sizeof(buf), "", NN_UNIT_RATE), 0);

	assert_int_equal(nn_unit_required("100", "delay", NN_UNIT_TIME, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid delay \"100\": no unit (100ms? 100us?)");
	assert_int_equal(nn_unit_required("1.5", "rate", NN_UNIT_RATE, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid rate \"1.5\": no unit (1.5mbit? 1.5kbit?)");
	assert_int_equal(nn_unit_required("100ms", "delay", NN_UNIT_TIME, &e), 0);
	assert_int_equal(nn_unit_required("10mbps", "rate", NN_UNIT_RATE, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_units),
		cmocka_unit_test(test_time_bare_is_usec),
		cmocka_unit_test(test_time_rounding),
		cmocka_unit_test(test_time_limits),
		cmocka_unit_test(test_time_bad),
		cmocka_unit_test(test_long_value_is_cut_in_message),
		cmocka_unit_test(test_null_error_object),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_percent_bad),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rate_bad),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_size_bad),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_format_rate),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_format_percent),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_round_trip_exact),
		cmocka_unit_test(test_round_trip_percent),
		cmocka_unit_test(test_unit_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
