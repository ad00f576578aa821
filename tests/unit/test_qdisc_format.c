// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/pkt_sched.h>

#include "netnsctl/qdisc.h"
#include "netnsctl/units.h"

#define MS 1000000ULL

static uint32_t pct(const char *s)
{
	struct nn_error e = { 0 };
	uint32_t p = 0;

	assert_int_equal(nn_parse_percent(s, "test", &p, &e), 0);
	return p;
}

static struct nn_qdisc_info netem(struct nn_netem s)
{
	struct nn_qdisc_info q = { .kind = NN_QDISC_NETEM, .kind_name = "netem",
				   .handle = NN_QDISC_HANDLE, .parent = TC_H_ROOT };

	q.u.netem = s;
	return q;
}

static struct nn_qdisc_info tbf(struct nn_tbf s)
{
	struct nn_qdisc_info q = { .kind = NN_QDISC_TBF, .kind_name = "tbf",
				   .handle = NN_QDISC_HANDLE, .parent = TC_H_ROOT };

	q.u.tbf = s;
	return q;
}

static void expect_text(const struct nn_qdisc_info *q, const char *want)
{
	char buf[1024];

	assert_ptr_equal(nn_qdisc_format(buf, sizeof(buf), q), buf);
	assert_string_equal(buf, want);
}

static void expect_json(const struct nn_qdisc_info *q, const char *want)
{
	char buf[2048];

	assert_ptr_equal(nn_qdisc_format_json(buf, sizeof(buf), q), buf);
	assert_string_equal(buf, want);
}

static void test_netem_text(void **state)
{
	struct nn_qdisc_info q;

	(void)state;
	q = netem((struct nn_netem){ .delay_ns = 100 * MS, .jitter_ns = 10 * MS,
				     .delay_corr = pct("25%"), .dist = NN_DIST_NORMAL,
				     .loss = pct("1%"), .reorder = pct("25%"), .gap = 1,
				     .corrupt = pct("0.1%"), .rate = 1250000, .limit = 1000 });
	expect_text(&q, "netem delay 100ms jitter 10ms correlation 25% distribution normal "
			"loss 1% reorder 25% corrupt 0.1% rate 10Mbit");

	/* Every correlation, a real gap and a non-default limit. */
	q = netem((struct nn_netem){ .delay_ns = 1500 * 1000, .loss = pct("0.25%"),
				     .loss_corr = pct("10%"), .duplicate = pct("2%"),
				     .duplicate_corr = pct("3%"), .reorder = pct("50%"),
				     .reorder_corr = pct("4%"), .gap = 5, .corrupt = pct("5%"),
				     .corrupt_corr = pct("6%"), .limit = 250 });
	expect_text(&q, "netem delay 1.5ms loss 0.25% loss-correlation 10% duplicate 2% "
			"duplicate-correlation 3% reorder 50% reorder-correlation 4% gap 5 "
			"corrupt 5% corrupt-correlation 6% limit 250");

	/* Nothing set: the kind alone (a spec limit 0 means the default). */
	q = netem((struct nn_netem){ 0 });
	expect_text(&q, "netem");
}

static void test_tbf_and_other_text(void **state)
{
	struct nn_qdisc_info q;

	(void)state;
	q = tbf((struct nn_tbf){ .rate = 1250000, .burst = 5000, .limit = 67500,
				 .latency_ns = 50 * MS });
	expect_text(&q, "tbf rate 10Mbit burst 5000b limit 67500b latency 50ms");
	q = tbf((struct nn_tbf){ .rate = 125000000, .burst = 32768 });
	expect_text(&q, "tbf rate 1Gbit burst 32Kb");

	memset(&q, 0, sizeof(q));
	snprintf(q.kind_name, sizeof(q.kind_name), "noqueue");
	q.parent = TC_H_ROOT;
	expect_text(&q, "noqueue");
	q.kind_name[0] = '\0';
	expect_text(&q, "unknown");
}

static void test_json(void **state)
{
	struct nn_qdisc_info q;

	(void)state;
	q = netem((struct nn_netem){ .delay_ns = 100 * MS, .jitter_ns = 10 * MS,
				     .dist = NN_DIST_PARETO, .loss = pct("1%"), .limit = 1000 });
	expect_json(&q, "{\"kind\":\"netem\",\"handle\":\"1:\",\"parent\":\"root\","
			"\"delay\":\"100ms\",\"delay_ns\":100000000,"
			"\"jitter\":\"10ms\",\"jitter_ns\":10000000,"
			"\"correlation\":\"0%\",\"correlation_prob\":0,"
			"\"distribution\":\"pareto\","
			"\"loss\":\"1%\",\"loss_prob\":42949673,"
			"\"loss_correlation\":\"0%\",\"loss_correlation_prob\":0,"
			"\"duplicate\":\"0%\",\"duplicate_prob\":0,"
			"\"duplicate_correlation\":\"0%\",\"duplicate_correlation_prob\":0,"
			"\"reorder\":\"0%\",\"reorder_prob\":0,"
			"\"reorder_correlation\":\"0%\",\"reorder_correlation_prob\":0,"
			"\"gap\":0,"
			"\"corrupt\":\"0%\",\"corrupt_prob\":0,"
			"\"corrupt_correlation\":\"0%\",\"corrupt_correlation_prob\":0,"
			"\"rate\":\"0bit\",\"rate_bytes_per_sec\":0,"
			"\"limit\":1000}");

	q = tbf((struct nn_tbf){ .rate = 5000000000ULL, .burst = 1 << 20, .limit = 3 << 20,
				 .latency_ns = 419431 * 1000ULL });
	expect_json(&q, "{\"kind\":\"tbf\",\"handle\":\"1:\",\"parent\":\"root\","
			"\"rate\":\"40Gbit\",\"rate_bytes_per_sec\":5000000000,"
			"\"burst\":\"1Mb\",\"burst_bytes\":1048576,"
			"\"limit\":\"3Mb\",\"limit_bytes\":3145728,"
			"\"latency\":\"419.431ms\",\"latency_ns\":419431000}");

	/* Handles as tc prints them; kind names escaped. */
	memset(&q, 0, sizeof(q));
	snprintf(q.kind_name, sizeof(q.kind_name), "we\"ird\\\x01");
	q.handle = 0x80010002;
	q.parent = TC_H_INGRESS;
	expect_json(&q, "{\"kind\":\"we\\\"ird\\\\\\u0001\",\"handle\":\"8001:2\","
			"\"parent\":\"ingress\"}");
	q.handle = 0;
	q.parent = 0x00010001;
	snprintf(q.kind_name, sizeof(q.kind_name), "bfifo");
	expect_json(&q, "{\"kind\":\"bfifo\",\"handle\":\"0:\",\"parent\":\"1:1\"}");
}

static void test_truncation(void **state)
{
	struct nn_qdisc_info q = tbf((struct nn_tbf){ .rate = 1250000, .burst = 5000,
						      .limit = 67500, .latency_ns = 50 * MS });
	char full[256], buf[64];
	size_t len;

	(void)state;
	nn_qdisc_format(full, sizeof(full), &q);
	for (len = 1; len <= sizeof(buf); len++) {
		memset(buf, 'X', sizeof(buf));
		nn_qdisc_format(buf, len, &q);
		assert_true(strlen(buf) < len);
		assert_memory_equal(buf, full, strlen(buf));
		if (len < sizeof(buf))
			assert_int_equal(buf[len], 'X');
	}
	nn_qdisc_format_json(full, sizeof(full), &q);
	for (len = 1; len <= sizeof(buf); len++) {
		memset(buf, 'X', sizeof(buf));
		nn_qdisc_format_json(buf, len, &q);
		assert_true(strlen(buf) < len);
		assert_memory_equal(buf, full, strlen(buf));
		if (len < sizeof(buf))
			assert_int_equal(buf[len], 'X');
	}
	/* No room at all: nothing is written. */
	buf[0] = 'X';
	nn_qdisc_format(buf, 0, &q);
	assert_int_equal(buf[0], 'X');
}

static void test_same(void **state)
{
	struct nn_qdisc_info want, have;

	(void)state;
	/* A spec's defaults against what the kernel reports. */
	want = netem((struct nn_netem){ .delay_ns = 10 * MS, .reorder = pct("25%") });
	have = netem((struct nn_netem){ .delay_ns = 10 * MS, .reorder = pct("25%"), .gap = 1,
					.limit = 1000 });
	assert_true(nn_qdisc_same(&want, &have));
	/* The kernel does not report the distribution. */
	want.u.netem.jitter_ns = have.u.netem.jitter_ns = MS;
	want.u.netem.dist = NN_DIST_NORMAL;
	assert_true(nn_qdisc_same(&want, &have));
	have.u.netem.reorder_corr = 1;
	assert_false(nn_qdisc_same(&want, &have));
	have.u.netem.reorder_corr = 0;
	have.u.netem.limit = 999;
	assert_false(nn_qdisc_same(&want, &have));

	want = tbf((struct nn_tbf){ .rate = 1250000 });
	have = tbf((struct nn_tbf){ .rate = 1250000, .burst = 25000, .limit = 87500,
				    .latency_ns = 50 * MS });
	assert_true(nn_qdisc_same(&want, &have));
	have.u.tbf.burst = 25001;
	assert_false(nn_qdisc_same(&want, &have));
	/* At 10 Gbit/s a 64 ns tick is 80 bytes: the burst comes back rounded. */
	want = tbf((struct nn_tbf){ .rate = 1250000000ULL, .burst = 100000, .limit = 200000 });
	have = tbf((struct nn_tbf){ .rate = 1250000000ULL, .burst = 100030, .limit = 200000 });
	assert_true(nn_qdisc_same(&want, &have));
	have.u.tbf.burst = 100100;
	assert_false(nn_qdisc_same(&want, &have));

	have = netem((struct nn_netem){ 0 });
	assert_false(nn_qdisc_same(&want, &have));
}

/* nn_qdisc_find: a binary search over roots sorted by ifindex. */
static void test_find(void **state)
{
	struct nn_qdisc_info roots[5] = {
		{ .ifindex = 1 }, { .ifindex = 3 }, { .ifindex = 4 }, { .ifindex = 9 },
		{ .ifindex = 1000 },
	};

	(void)state;
	assert_null(nn_qdisc_find(NULL, 0, 1));
	assert_null(nn_qdisc_find(roots, 0, 1));
	for (size_t i = 0; i < 5; i++) {
		assert_ptr_equal(nn_qdisc_find(roots, 5, roots[i].ifindex), &roots[i]);
		assert_ptr_equal(nn_qdisc_find(roots, i + 1, roots[i].ifindex), &roots[i]);
	}
	assert_null(nn_qdisc_find(roots, 5, 0));
	assert_null(nn_qdisc_find(roots, 5, 2));
	assert_null(nn_qdisc_find(roots, 5, 5));
	assert_null(nn_qdisc_find(roots, 5, 1001));
	assert_null(nn_qdisc_find(roots, 5, -1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netem_text),
		cmocka_unit_test(test_tbf_and_other_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
