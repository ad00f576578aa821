// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A tree as text: the tc commands of --print-tc (values tc reads back as
 * the same integers), and show-qdisc's lines and nested JSON.  That the
 * commands make the same kernel state is checked on real kernels by
 * t-tc-tree.sh (host) and f-tc-tree.sh (UML, netem).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/tc.h"
#include "netnsctl/units.h"

#define MS 1000000ULL

static struct nn_tc_tree t, empty;

/* noinline: GCC 12 at -O3 takes the memstream's buffer for a dangling local */
static __attribute__((noinline)) char *print(const char *ns, const char *dev, struct nn_tc_tree *tree)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct nn_tc_diff d;

	assert_non_null(f);
	nn_tc_tree_diff(tree, &empty, &d);	/* slots */
	nn_tc_print(f, ns, dev, tree);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void expect_print(struct nn_tc_tree *tree, const char *ns, const char *want)
{
	char *got = print(ns, "veth-a", tree);

	if (strcmp(got, want))
		fail_msg("got:\n%s\nwant:\n%s", got, want);
	free(got);
}

static void new_tree(void)
{
	memset(&t, 0, sizeof(t));
	t.handle = NN_QDISC_HANDLE;
}

static void to(struct nn_tc_match *m, const char *s)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_tc_match_add_to(m, s, &e), 0);
}

static void test_print_root(void **state)
{
	(void)state;
	new_tree();
	t.dflt.has_netem = true;
	t.dflt.netem.delay_ns = 100 * MS;
	t.dflt.netem.jitter_ns = 1500000;
	t.dflt.netem.dist = NN_DIST_NORMAL;
	t.dflt.has_tbf = true;
	t.dflt.tbf.rate = 1250000;
	expect_print(&t, "sva",
		     "tc -n sva qdisc add dev veth-a root handle 1: netem delay 100ms 1500us distribution normal limit 1000\n"
		     "tc -n sva qdisc add dev veth-a parent 1:1 handle 900: tbf rate 10mbit burst 25000b limit 87500b\n");
	/* tbf alone, a random root handle, the host namespace, an exact latency as a limit. */
	new_tree();
	t.handle = 0x3a2c0000;
	t.dflt.has_tbf = true;
	t.dflt.tbf.rate = 1234567;
	t.dflt.tbf.burst = 5000;
	t.dflt.tbf.latency_ns = 10 * MS;
	expect_print(&t, "", "tc qdisc add dev veth-a root handle 3a2c: tbf rate 9876536bit burst 5000b limit 17345b\n");
	/* Nothing to impair: no command. */
	new_tree();
	expect_print(&t, "", "");
}

static void test_print_netem_values(void **state)
{
	struct nn_error e = { 0 };

	(void)state;
	new_tree();
	t.dflt.has_netem = true;
	t.dflt.netem.delay_ns = 1234567;	/* not a whole microsecond: in ns */
	t.dflt.netem.jitter_ns = 2000000000;	/* 2 s */
	assert_int_equal(nn_parse_percent("25%", "x", &t.dflt.netem.delay_corr, &e), 0);
	assert_int_equal(nn_parse_percent("0.1%", "x", &t.dflt.netem.loss, &e), 0);
	assert_int_equal(nn_parse_percent("10%", "x", &t.dflt.netem.loss_corr, &e), 0);
	assert_int_equal(nn_parse_percent("0.5%", "x", &t.dflt.netem.duplicate, &e), 0);
	assert_int_equal(nn_parse_percent("5%", "x", &t.dflt.netem.reorder, &e), 0);
	t.dflt.netem.gap = 5;
	assert_int_equal(nn_parse_percent("0.01%", "x", &t.dflt.netem.corrupt, &e), 0);
	t.dflt.netem.rate = 1000000000000ULL / 8 * 3;	/* 3 Tbit/s: rate64 */
	t.dflt.netem.limit = 5000;
	expect_print(&t, "",
		     "tc qdisc add dev veth-a root handle 1: netem delay 1234567ns 2s 25% loss 0.1% 10% "
		     "duplicate 0.5% reorder 5% gap 5 corrupt 0.01% rate 3tbit limit 5000\n");
}

/* tc reads a percentage P as rint(P / 100 * UINT32_MAX): every probability
 * printed must come back as itself. */
static void test_percent_exact(void **state)
{
	uint32_t probs[2000];
	size_t n = 0;

	(void)state;
	probs[n++] = 1;
	probs[n++] = 2;
	probs[n++] = UINT32_MAX;
	probs[n++] = UINT32_MAX - 1;
	probs[n++] = UINT32_MAX / 2;
	srand(17);
	while (n < sizeof(probs) / sizeof(probs[0]))
		probs[n++] = ((uint32_t)rand() << 16) ^ (uint32_t)rand();
	for (size_t i = 0; i < n; i++) {
		char *out, *p;
		uint32_t back;

		new_tree();
		t.dflt.has_netem = true;
		t.dflt.netem.loss = probs[i];
		out = print("", "x", &t);
		p = strstr(out, " loss ");
		assert_non_null(p);
		back = (uint32_t)rint(strtod(p + 6, NULL) / 100. * UINT32_MAX);
		if (back != probs[i] || strchr(p + 6, 'e'))
			fail_msg("%u printed as %s", probs[i], p + 6);
		free(out);
	}
}

static void test_print_htb(void **state)
{
	struct nn_tc_rule *r;
	struct nn_error e = { 0 };

	(void)state;
	new_tree();
	t.dflt.has_netem = true;
	t.dflt.netem.delay_ns = 10 * MS;
	r = &t.rules[t.n_rules++];
	to(&r->match, "10.0.2.0/24");
	assert_int_equal(nn_tc_match_add_port(&r->match, "80", &e), 0);
	r->leaf.has_tbf = true;
	r->leaf.tbf.rate = 125000;
	r = &t.rules[t.n_rules++];
	to(&r->match, "2001:db8::/48");
	assert_int_equal(nn_tc_match_add_proto(&r->match, "icmp", &e), 0);
	r->leaf.has_netem = true;
	r->leaf.netem.delay_ns = 5 * MS;
	r->leaf.has_tbf = true;
	r->leaf.tbf.rate = 625000;
	r = &t.rules[t.n_rules++];
	to(&r->match, "10.0.9.0/24");	/* exempt from the default */
	expect_print(&t, "sva",
		     "tc -n sva qdisc add dev veth-a root handle 1: htb default 1\n"
		     "tc -n sva class add dev veth-a parent 1: classid 1:1 htb rate 1tbit ceil 1tbit burst 1000000b cburst 1000000b quantum 200000\n"
		     "tc -n sva qdisc add dev veth-a parent 1:1 handle 101: netem delay 10ms limit 1000\n"
		     "tc -n sva class add dev veth-a parent 1: classid 1:2 htb rate 1tbit ceil 1tbit burst 1000000b cburst 1000000b quantum 200000\n"
		     "tc -n sva qdisc add dev veth-a parent 1:2 handle 102: tbf rate 1mbit burst 3028b limit 9278b\n"
		     "tc -n sva filter add dev veth-a parent 1: prio 1 protocol all u32 match u8 0x45 0xff at 0 match u16 0x0 0x1fff at 6 match ip protocol 6 0xff match ip dst 10.0.2.0/24 match ip dport 80 0xffff flowid 1:2\n"
		     "tc -n sva filter add dev veth-a parent 1: prio 1 protocol all u32 match u8 0x45 0xff at 0 match u16 0x0 0x1fff at 6 match ip protocol 17 0xff match ip dst 10.0.2.0/24 match ip dport 80 0xffff flowid 1:2\n"
		     "tc -n sva class add dev veth-a parent 1: classid 1:3 htb rate 1tbit ceil 1tbit burst 1000000b cburst 1000000b quantum 200000\n"
		     "tc -n sva qdisc add dev veth-a parent 1:3 handle 103: netem delay 5ms limit 1000\n"
		     "tc -n sva qdisc add dev veth-a parent 103:1 handle 903: tbf rate 5mbit burst 12500b limit 43750b\n"
		     "tc -n sva filter add dev veth-a parent 1: prio 2 protocol all u32 match u8 0x60 0xf0 at 0 match ip6 protocol 58 0xff match ip6 dst 2001:db8::/48 flowid 1:3\n"
		     "tc -n sva class add dev veth-a parent 1: classid 1:4 htb rate 1tbit ceil 1tbit burst 1000000b cburst 1000000b quantum 200000\n"
		     "tc -n sva filter add dev veth-a parent 1: prio 3 protocol all u32 match u8 0x40 0xf0 at 0 match ip dst 10.0.9.0/24 flowid 1:4\n");
}

static void test_print_ingress(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x5e, 0x11, 0x22, 0x33, 0x44 };
	static const uint8_t ck[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	struct nn_tc_diff d;
	uint64_t cookie;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	memcpy(&cookie, ck, sizeof(cookie));
	new_tree();
	t.dflt.has_tbf = true;
	t.dflt.tbf.rate = 1250000;
	nn_tc_tree_diff(&t, &empty, &d);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	nn_tc_print_ingress(f, "sva", "veth-a", "ifb-veth-a", mac, 1500, true, cookie, &t);
	nn_tc_print_ingress(f, "", "eth0", "ifb-eth0", mac, 9000, false, cookie, &t);
	fclose(f);
	assert_string_equal(buf,
			    "ip -n sva link add ifb-veth-a address 02:5e:11:22:33:44 mtu 1500 txqueuelen 1000 up type ifb\n"
			    "tc -n sva qdisc add dev veth-a clsact\n"
			    "tc -n sva filter add dev veth-a ingress prio 65520 protocol all u32 match u32 0 0 action mirred egress redirect dev ifb-veth-a cookie 0123456789abcdef\n"
			    "tc -n sva qdisc add dev ifb-veth-a root handle 1: tbf rate 10mbit burst 25000b limit 87500b\n"
			    "ip link add ifb-eth0 address 02:5e:11:22:33:44 mtu 9000 txqueuelen 1000 up type ifb\n"
			    "tc filter add dev eth0 ingress prio 65520 protocol all u32 match u32 0 0 action mirred egress redirect dev ifb-eth0 cookie 0123456789abcdef\n"
			    "tc qdisc add dev ifb-eth0 root handle 1: tbf rate 10mbit burst 25000b limit 87500b\n");
	free(buf);
}

static char *format(const struct nn_tc_tree *tree, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		nn_tc_tree_format_json(f, tree);
	else
		nn_tc_tree_format(f, tree);
	fclose(f);
	return buf;
}

static void expect_format(const struct nn_tc_tree *tree, const char *text, const char *json)
{
	char *a = format(tree, false), *b = format(tree, true);

	if (strcmp(a, text))
		fail_msg("text:\n%s\nwant:\n%s", a, text);
	if (strcmp(b, json))
		fail_msg("json:\n%s\nwant:\n%s", b, json);
	free(a);
	free(b);
}

static void test_format(void **state)
{
	struct nn_tc_diff d;
	struct nn_error e = { 0 };
	struct nn_tc_rule *r;

	(void)state;
	new_tree();
	expect_format(&t, "none\n", "{\"kind\":\"none\"}");

	t.dflt.has_netem = true;
	t.dflt.netem.delay_ns = 50 * MS;
	t.dflt.has_tbf = true;
	t.dflt.tbf.rate = 1250000;
	nn_tc_tree_diff(&t, &empty, &d);
	expect_format(&t,
		      "root 1: netem delay 50ms, then tbf rate 10Mbit burst 25000b limit 87500b\n",
		      "{\"kind\":\"netem\",\"handle\":\"1:\",\"parent\":\"root\",\"delay\":\"50ms\",\"delay_ns\":50000000,"
		      "\"jitter\":\"0us\",\"jitter_ns\":0,\"correlation\":\"0%\",\"correlation_prob\":0,\"loss\":\"0%\",\"loss_prob\":0,"
		      "\"loss_correlation\":\"0%\",\"loss_correlation_prob\":0,\"duplicate\":\"0%\",\"duplicate_prob\":0,"
		      "\"duplicate_correlation\":\"0%\",\"duplicate_correlation_prob\":0,\"reorder\":\"0%\",\"reorder_prob\":0,"
		      "\"reorder_correlation\":\"0%\",\"reorder_correlation_prob\":0,\"gap\":0,\"corrupt\":\"0%\",\"corrupt_prob\":0,"
		      "\"corrupt_correlation\":\"0%\",\"corrupt_correlation_prob\":0,\"rate\":\"0bit\",\"rate_bytes_per_sec\":0,\"limit\":1000,"
		      "\"child\":{\"kind\":\"tbf\",\"handle\":\"900:\",\"parent\":\"1:1\",\"rate\":\"10Mbit\",\"rate_bytes_per_sec\":1250000,"
		      "\"burst\":\"25000b\",\"burst_bytes\":25000,\"limit\":\"87500b\",\"limit_bytes\":87500,\"latency\":\"0us\",\"latency_ns\":0}}");

	new_tree();
	r = &t.rules[t.n_rules++];
	to(&r->match, "10.0.2.0/24");
	assert_int_equal(nn_tc_match_add_port(&r->match, "80", &e), 0);
	assert_int_equal(nn_tc_match_add_proto(&r->match, "tcp", &e), 0);
	r->leaf.has_tbf = true;
	r->leaf.tbf.rate = 125000;
	nn_tc_tree_diff(&t, &empty, &d);
	expect_format(&t,
		      "root 1: htb\n"
		      "  class 1:2 rule 1 to 10.0.2.0/24 port 80 proto tcp: tbf rate 1Mbit burst 3028b limit 9278b\n"
		      "  class 1:1 default: no impairment\n",
		      "{\"kind\":\"htb\",\"handle\":\"1:\",\"parent\":\"root\",\"default\":\"1:1\",\"classes\":["
		      "{\"class\":\"1:2\",\"default\":false,\"prio\":1,\"to\":[\"10.0.2.0/24\"],\"ports\":[80],\"protocols\":[\"tcp\"],"
		      "\"qdisc\":{\"kind\":\"tbf\",\"handle\":\"102:\",\"parent\":\"1:2\",\"rate\":\"1Mbit\",\"rate_bytes_per_sec\":125000,"
		      "\"burst\":\"3028b\",\"burst_bytes\":3028,\"limit\":\"9278b\",\"limit_bytes\":9278,\"latency\":\"0us\",\"latency_ns\":0}},"
		      "{\"class\":\"1:1\",\"default\":true,\"qdisc\":null}]}");

	/* A leaf alone, as a plan line shows a change. */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		assert_non_null(f);
		nn_tc_leaf_format(f, &t.rules[0].leaf);
		fputs(" -> ", f);
		nn_tc_leaf_format(f, &t.dflt);
		fclose(f);
		assert_string_equal(buf, "tbf rate 1Mbit burst 3028b limit 9278b -> no impairment");
		free(buf);
	}

	memset(&t, 0, sizeof(t));
	t.handle = 0x80010000;
	snprintf(t.other, sizeof(t.other), "root qdisc \"fq_codel\"");
	expect_format(&t, "not netnsctl's: root qdisc \"fq_codel\"\n",
		      "{\"kind\":\"other\",\"other\":\"root qdisc \\\"fq_codel\\\"\"}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_root),
		cmocka_unit_test(test_print_netem_values),
		cmocka_unit_test(test_percent_exact),
		cmocka_unit_test(test_print_htb),
		cmocka_unit_test(test_print_ingress),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
