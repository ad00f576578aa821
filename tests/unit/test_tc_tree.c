// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tc tree without the kernel: selectors, checks, normalization, the
 * u32 nodes of a rule and back, and the diff a planner follows.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "netnsctl/tc.h"
#include "netnsctl/units.h"
#include "kernel/tc/tree.h"

#define MS 1000000ULL

static struct nn_tc_tree want, have;

/* --------------------------------------------------------------- helpers */

static void to(struct nn_tc_match *m, const char *s)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_tc_match_add_to(m, s, &e), 0);
}

static void port(struct nn_tc_match *m, const char *s)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_tc_match_add_port(m, s, &e), 0);
}

static void proto(struct nn_tc_match *m, const char *s)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_tc_match_add_proto(m, s, &e), 0);
}

static struct nn_tc_leaf delay(uint64_t ms)
{
	struct nn_tc_leaf l = { .has_netem = true };

	l.netem.delay_ns = ms * MS;
	return l;
}

static struct nn_tc_leaf rate(uint64_t bytes)
{
	struct nn_tc_leaf l = { .has_tbf = true };

	l.tbf.rate = bytes;
	return l;
}

static struct nn_tc_rule *add_rule(struct nn_tc_tree *t, const char *dst, struct nn_tc_leaf leaf)
{
	struct nn_tc_rule *r = &t->rules[t->n_rules++];

	memset(r, 0, sizeof(*r));
	if (dst)
		to(&r->match, dst);
	r->leaf = leaf;
	return r;
}

static void new_tree(struct nn_tc_tree *t)
{
	memset(t, 0, sizeof(*t));
	t->handle = NN_QDISC_HANDLE;
}

static void expect_tree_check(const struct nn_tc_tree *t, int err, const char *msg)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_tc_tree_check(t, &e), err);
	if (msg && strcmp(e.msg, msg))
		fail_msg("message \"%s\", expected \"%s\"", e.msg, msg);
}

/* HAVE as a dump would give it back: WANT normalized, slots from a first diff. */
static void as_dumped(struct nn_tc_tree *h, const struct nn_tc_tree *w)
{
	static struct nn_tc_tree empty, copy;
	struct nn_tc_diff d;

	copy = *w;
	memset(&empty, 0, sizeof(empty));
	nn_tc_tree_diff(&copy, &empty, &d);
	*h = copy;
}

/* ------------------------------------------------------------- selectors */

static void test_parse_selectors(void **state)
{
	struct nn_tc_match m = { 0 };
	struct nn_error e = { 0 };
	char t[256];

	(void)state;
	to(&m, "10.0.2.0/24");
	to(&m, "10.0.3.7");	/* a host */
	to(&m, "fd00::/64");
	port(&m, "80");
	proto(&m, "tcp");
	proto(&m, "udp");
	assert_int_equal(m.n_to, 3);
	assert_int_equal(m.to[1].len, 32);
	assert_string_equal(nn_tc_match_text(t, sizeof(t), &m),
			    "to 10.0.2.0/24 to 10.0.3.7/32 to fd00::/64 port 80 proto tcp proto udp");

	assert_int_equal(nn_tc_match_add_to(&m, "10.0.2.1/24", &e), -EINVAL);
	assert_string_equal(e.msg, "invalid --to: invalid CIDR \"10.0.2.1/24\": host bits set, did you mean 10.0.2.0/24?");
	assert_int_equal(nn_tc_match_add_to(&m, "example.org", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "\"example.org\""));
	assert_int_equal(nn_tc_match_add_port(&m, "0", &e), -ERANGE);
	assert_non_null(strstr(e.msg, "\"0\""));
	assert_int_equal(nn_tc_match_add_port(&m, "65536", &e), -ERANGE);
	assert_int_equal(nn_tc_match_add_port(&m, "http", &e), -EINVAL);
	assert_int_equal(nn_tc_match_add_proto(&m, "sctp", &e), -EINVAL);
	assert_string_equal(e.msg, "invalid --proto \"sctp\": expected tcp, udp or icmp");

	/* At most NN_TC_MAX_* of each, named. */
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < NN_TC_MAX_TO; i++)
		to(&m, "10.9.0.0/16");
	assert_int_equal(nn_tc_match_add_to(&m, "10.8.0.0/16", &e), -E2BIG);
	assert_non_null(strstr(e.msg, "\"10.8.0.0/16\""));
	for (int i = 0; i < NN_TC_MAX_PORTS; i++)
		port(&m, "22");
	assert_int_equal(nn_tc_match_add_port(&m, "23", &e), -E2BIG);
	memset(&m, 0, sizeof(m));
	assert_string_equal(nn_tc_match_text(t, sizeof(t), &m), "any");
}

static void test_normalize_match(void **state)
{
	struct nn_tc_match a = { 0 }, b = { 0 };

	(void)state;
	to(&a, "10.0.3.0/24");
	to(&a, "10.0.2.0/24");
	to(&a, "10.0.3.0/24");
	port(&a, "443");
	port(&a, "80");
	port(&a, "443");
	nn_tc_match_normalize(&a);
	assert_int_equal(a.n_to, 2);
	assert_int_equal(a.to[0].addr.bytes[2], 2);
	assert_int_equal(a.n_ports, 2);
	assert_int_equal(a.ports[0], 80);
	/* Ports without a protocol: tcp and udp. */
	assert_int_equal(a.protos, NN_TC_TCP | NN_TC_UDP);

	to(&b, "10.0.2.0/24");
	to(&b, "10.0.3.0/24");
	port(&b, "80");
	port(&b, "443");
	proto(&b, "udp");
	proto(&b, "tcp");
	assert_true(nn_tc_match_same(&a, &b));
	proto(&b, "icmp");
	assert_false(nn_tc_match_same(&a, &b));

	/* Every IPv4 and every IPv6 destination is no destination selector. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	to(&a, "0.0.0.0/0");
	to(&a, "::/0");
	proto(&a, "icmp");
	proto(&b, "icmp");
	assert_true(nn_tc_match_same(&a, &b));
	memset(&a, 0, sizeof(a));
	to(&a, "0.0.0.0/0");
	proto(&a, "icmp");
	assert_false(nn_tc_match_same(&a, &b));
}

/* ----------------------------------------------------------------- check */

static void test_check(void **state)
{
	struct nn_tc_rule *r;

	(void)state;
	new_tree(&want);
	want.dflt = delay(10);
	expect_tree_check(&want, 0, NULL);
	want.handle = 0x20000;	/* neither 1: nor the random range */
	expect_tree_check(&want, -EINVAL, "invalid root handle 2:0: netnsctl uses 1: or 1000: to 7fff:");
	want.handle = 0x12340000;
	expect_tree_check(&want, 0, NULL);
	want.handle = 0x12340001;
	expect_tree_check(&want, -EINVAL, NULL);
	want.handle = NN_QDISC_HANDLE;

	/* A leaf's own check, named by its rule. */
	r = add_rule(&want, "10.0.2.0/24", delay(0));
	r->leaf.netem.jitter_ns = 5 * MS;
	expect_tree_check(&want, -EINVAL, "rule 1 (to 10.0.2.0/24): --jitter \"5ms\" needs a non-zero --delay");
	r->leaf = rate(0);
	expect_tree_check(&want, -EINVAL, "rule 1 (to 10.0.2.0/24): tbf needs a non-zero --rate");
	r->leaf = rate(125000);
	expect_tree_check(&want, 0, NULL);

	/* A selector that selects everything is the default. */
	memset(&r->match, 0, sizeof(r->match));
	expect_tree_check(&want, -EINVAL, "rule 1 (any): selects all traffic: that is the default, not a rule");
	port(&r->match, "53");
	proto(&r->match, "icmp");
	expect_tree_check(&want, -EINVAL,
		     "rule 1 (port 53 proto icmp): --port selects tcp or udp traffic, not icmp");
	memset(&r->match, 0, sizeof(r->match));
	to(&r->match, "10.0.2.0/24");

	/* Two rules of one selector. */
	r = add_rule(&want, "10.0.2.0/24", delay(5));
	expect_tree_check(&want, -EINVAL,
		     "rule 2 (to 10.0.2.0/24): selects the same traffic as rule 1 (to 10.0.2.0/24)");
	memset(&r->match, 0, sizeof(r->match));
	to(&r->match, "10.0.3.0/24");
	expect_tree_check(&want, 0, NULL);

	/* Slots, when given: in range and each its own. */
	want.rules[0].slot = 2;
	want.rules[1].slot = 2;
	expect_tree_check(&want, -EINVAL, "rule 2 (to 10.0.3.0/24): has the class slot of rule 1");
	want.rules[1].slot = NN_TC_SLOT_MAX + 1;
	expect_tree_check(&want, -EINVAL, NULL);
	want.rules[1].slot = 1;	/* the default class */
	expect_tree_check(&want, -EINVAL, NULL);
	want.rules[1].slot = 3;
	expect_tree_check(&want, 0, NULL);

	/* Host bits in a destination set by hand. */
	want.rules[1].match.to[0].addr.bytes[3] = 1;
	expect_tree_check(&want, -EINVAL, "rule 2 (to 10.0.3.1/24): invalid --to \"10.0.3.1/24\": host bits set");
	want.rules[1].match.to[0].addr.bytes[3] = 0;

	want.n_rules = NN_TC_MAX_RULES + 1;
	expect_tree_check(&want, -E2BIG, NULL);
}

/* --------------------------------------------------------- u32 expansion */

static unsigned int count_sels(const struct nn_tc_match *m0, struct nn_u32_sel *out)
{
	struct nn_tc_match m = *m0;

	nn_tc_match_normalize(&m);
	return nn_tc_match_sels(&m, out);
}

static void expect_back(const struct nn_tc_match *m0)
{
	static struct nn_u32_sel sels[NN_TC_MAX_SELS];
	struct nn_tc_match m = *m0, back;
	struct nn_error e = { 0 };
	unsigned int n;

	nn_tc_match_normalize(&m);
	n = nn_tc_match_sels(&m, sels);
	/* Reversed, as a kernel may list them. */
	for (unsigned int i = 0; i < n / 2; i++) {
		struct nn_u32_sel s = sels[i];

		sels[i] = sels[n - 1 - i];
		sels[n - 1 - i] = s;
	}
	if (nn_tc_match_from_sels(sels, n, &back, &e) < 0)
		fail_msg("%s", e.msg);
	assert_true(nn_tc_match_same(&m, &back));
}

static void test_sels(void **state)
{
	static struct nn_u32_sel s[NN_TC_MAX_SELS];
	struct nn_tc_match m = { 0 };

	(void)state;
	/* Only a protocol: both families. */
	proto(&m, "icmp");
	assert_int_equal(count_sels(&m, s), 2);
	assert_int_equal(s[0].family, AF_INET);
	assert_int_equal(s[0].ipproto, IPPROTO_ICMP);
	assert_int_equal(s[1].family, AF_INET6);
	assert_int_equal(s[1].ipproto, IPPROTO_ICMPV6);
	expect_back(&m);

	/* A port: tcp and udp, each family. */
	memset(&m, 0, sizeof(m));
	port(&m, "80");
	assert_int_equal(count_sels(&m, s), 4);
	expect_back(&m);

	/* Destinations x protocols x ports; icmp without the ports. */
	memset(&m, 0, sizeof(m));
	to(&m, "10.0.2.0/24");
	to(&m, "fd00::/64");
	proto(&m, "tcp");
	proto(&m, "icmp");
	assert_int_equal(count_sels(&m, s), 4);
	expect_back(&m);
	port(&m, "80");
	port(&m, "443");
	/* ports with icmp are refused by the check; the expansion leaves icmp
	 * port-less: 2 destinations x (tcp x 2 ports + icmp) */
	assert_int_equal(count_sels(&m, s), 6);

	memset(&m, 0, sizeof(m));
	to(&m, "10.0.2.0/24");
	to(&m, "10.0.3.0/24");
	to(&m, "0.0.0.0/0");
	port(&m, "53");
	proto(&m, "udp");
	assert_int_equal(count_sels(&m, s), 3);
	expect_back(&m);

	/* The most a rule can have. */
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < NN_TC_MAX_TO; i++) {
		char net[32];

		snprintf(net, sizeof(net), "10.%d.0.0/16", i);
		to(&m, net);
	}
	for (int i = 0; i < NN_TC_MAX_PORTS; i++) {
		char p[8];

		snprintf(p, sizeof(p), "%d", 1000 + i);
		port(&m, p);
	}
	assert_int_equal(count_sels(&m, s), NN_TC_MAX_TO * NN_TC_MAX_PORTS * 2);
	expect_back(&m);
}

static void test_sels_not_one_rule(void **state)
{
	static struct nn_u32_sel s[NN_TC_MAX_SELS];
	struct nn_tc_match m = { 0 }, back;
	struct nn_error e = { 0 };
	unsigned int n;

	(void)state;
	to(&m, "10.0.2.0/24");
	to(&m, "10.0.3.0/24");
	port(&m, "80");
	port(&m, "443");
	n = count_sels(&m, s);
	assert_int_equal(n, 8);
	/* One node short of the product. */
	assert_int_equal(nn_tc_match_from_sels(s, n - 1, &back, &e), -ENOTSUP);
	/* A node twice. */
	s[n - 1] = s[0];
	assert_int_equal(nn_tc_match_from_sels(s, n, &back, &e), -ENOTSUP);
	/* Any protocol beside a given one. */
	n = count_sels(&m, s);
	s[0].ipproto = 0;
	s[0].port = 0;
	assert_int_equal(nn_tc_match_from_sels(s, n, &back, &e), -ENOTSUP);
	/* A protocol netnsctl does not select. */
	n = count_sels(&m, s);
	s[0].ipproto = IPPROTO_SCTP;
	assert_int_equal(nn_tc_match_from_sels(s, n, &back, &e), -ENOTSUP);
	/* IPv4's ICMP on IPv6. */
	memset(&m, 0, sizeof(m));
	to(&m, "fd00::/64");
	proto(&m, "icmp");
	n = count_sels(&m, s);
	s[0].ipproto = IPPROTO_ICMP;
	assert_int_equal(nn_tc_match_from_sels(s, n, &back, &e), -ENOTSUP);
	/* Only one family of "any destination". */
	memset(&m, 0, sizeof(m));
	proto(&m, "tcp");
	n = count_sels(&m, s);
	assert_int_equal(n, 2);
	assert_int_equal(nn_tc_match_from_sels(s, 1, &back, &e), 0);
	assert_int_equal(back.n_to, 1);	/* 0.0.0.0/0: IPv4 only, a selector of its own */
	assert_false(nn_tc_match_same(&back, &m));
	assert_int_equal(nn_tc_match_from_sels(s, 0, &back, &e), -ENOTSUP);
}

/* ------------------------------------------------------------------ diff */

static void expect_no_steps(struct nn_tc_tree *w, const struct nn_tc_tree *h)
{
	struct nn_tc_diff d;

	nn_tc_tree_diff(w, h, &d);
	if (!nn_tc_diff_empty(&d))
		fail_msg("clear %d rebuild %d (%s) default %d steps %u", d.clear, d.rebuild, d.why, d.dflt,
			 d.n);
}

static void test_diff_same(void **state)
{
	struct nn_tc_rule *r;

	(void)state;
	new_tree(&want);
	want.dflt = delay(10);
	want.dflt.has_tbf = true;
	want.dflt.tbf.rate = 1250000;
	as_dumped(&have, &want);
	expect_no_steps(&want, &have);

	r = add_rule(&want, "10.0.2.0/24", rate(125000));
	port(&r->match, "80");
	add_rule(&want, "fd00::/64", delay(5));
	as_dumped(&have, &want);
	assert_int_equal(have.rules[0].slot, NN_TC_SLOT_MIN);
	assert_int_equal(have.rules[1].slot, NN_TC_SLOT_MIN + 1);
	assert_int_equal(have.rules[1].prio, 2);
	/* The same rules again, spelled otherwise: nothing to do. */
	new_tree(&want);
	want.dflt = delay(10);
	want.dflt.has_tbf = true;
	want.dflt.tbf.rate = 1250000;
	r = add_rule(&want, "10.0.2.0/24", rate(125000));
	proto(&r->match, "udp");
	proto(&r->match, "tcp");
	port(&r->match, "80");
	port(&r->match, "80");
	add_rule(&want, "fd00::/64", delay(5));
	expect_no_steps(&want, &have);
	assert_int_equal(want.rules[1].slot, have.rules[1].slot);

	/* Empty against empty, and against the kernel's default root. */
	new_tree(&want);
	memset(&have, 0, sizeof(have));
	expect_no_steps(&want, &have);
}

static void test_diff_rules(void **state)
{
	struct nn_tc_diff d;

	(void)state;
	new_tree(&want);
	want.dflt = delay(10);
	add_rule(&want, "10.0.1.0/24", delay(50));
	add_rule(&want, "10.0.2.0/24", delay(60));
	add_rule(&want, "10.0.3.0/24", delay(70));
	as_dumped(&have, &want);

	/* One impairment changes: its leaf, nothing else. */
	want.rules[1].leaf = delay(61);
	nn_tc_tree_diff(&want, &have, &d);
	assert_false(d.rebuild || d.clear || d.dflt);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.steps[0].op, NN_TC_RULE_LEAF);
	assert_int_equal(d.steps[0].want, 1);
	assert_int_equal(d.steps[0].have, 1);

	/* The default changes. */
	as_dumped(&have, &want);
	want.dflt = delay(11);
	nn_tc_tree_diff(&want, &have, &d);
	assert_true(d.dflt);
	assert_int_equal(d.n, 0);

	/* A rule goes, another comes: the new one gets the lowest free slot
	 * (not the one being removed: its class is still there until then),
	 * the others keep theirs and move up. */
	as_dumped(&have, &want);
	want.rules[0] = want.rules[1];
	want.rules[1] = want.rules[2];
	want.n_rules = 2;
	add_rule(&want, "10.0.4.0/24", delay(80));
	nn_tc_tree_diff(&want, &have, &d);
	assert_false(d.rebuild);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.steps[0].op, NN_TC_RULE_DEL);
	assert_int_equal(d.steps[0].have, 0);
	assert_int_equal(d.steps[1].op, NN_TC_RULE_MOVE);
	assert_int_equal(d.steps[2].op, NN_TC_RULE_MOVE);
	assert_int_equal(d.steps[3].op, NN_TC_RULE_ADD);
	assert_int_equal(d.steps[3].want, 2);
	assert_int_equal(want.rules[0].slot, have.rules[1].slot);
	assert_int_equal(want.rules[1].slot, have.rules[2].slot);
	assert_int_equal(want.rules[2].slot, NN_TC_SLOT_MIN + 3);
	assert_int_equal(want.rules[0].prio, 1);

	/* Two rules swap places: two moves. */
	as_dumped(&have, &want);
	{
		struct nn_tc_rule r = want.rules[0];

		want.rules[0] = want.rules[1];
		want.rules[1] = r;
	}
	nn_tc_tree_diff(&want, &have, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.steps[0].op, NN_TC_RULE_MOVE);
	assert_int_equal(d.steps[1].op, NN_TC_RULE_MOVE);
}

static void test_diff_rebuild(void **state)
{
	struct nn_tc_diff d;

	(void)state;
	new_tree(&want);
	want.dflt = delay(10);
	memset(&have, 0, sizeof(have));
	nn_tc_tree_diff(&want, &have, &d);
	assert_true(d.rebuild);
	assert_string_equal(d.why, "the link has no tree yet");

	/* Another root handle. */
	as_dumped(&have, &want);
	have.handle = 0x12340000;
	nn_tc_tree_diff(&want, &have, &d);
	assert_true(d.rebuild);
	assert_string_equal(d.why, "root 1234: is to be 1:");

	/* The first rule: the root becomes htb. */
	as_dumped(&have, &want);
	add_rule(&want, "10.0.2.0/24", delay(50));
	nn_tc_tree_diff(&want, &have, &d);
	assert_true(d.rebuild);
	assert_string_equal(d.why, "root is netem, to be htb with rules");

	/* The last rule goes: back to a root leaf. */
	as_dumped(&have, &want);
	want.n_rules = 0;
	nn_tc_tree_diff(&want, &have, &d);
	assert_true(d.rebuild);
	assert_string_equal(d.why, "root is htb with rules, to be netem");

	/* A tree netnsctl did not make is replaced whole, never edited. */
	memset(&have, 0, sizeof(have));
	have.handle = NN_QDISC_HANDLE;
	snprintf(have.other, sizeof(have.other), "root qdisc fq_codel");
	nn_tc_tree_diff(&want, &have, &d);
	assert_true(d.rebuild);
	assert_string_equal(d.why, "the link has a tree netnsctl did not make: root qdisc fq_codel");

	/* Without rules, a leaf of another kind is a change of the default. */
	new_tree(&want);
	want.dflt = rate(125000);
	as_dumped(&have, &want);
	want.dflt = delay(10);
	nn_tc_tree_diff(&want, &have, &d);
	assert_false(d.rebuild);
	assert_true(d.dflt);
}

static void test_diff_clear(void **state)
{
	struct nn_tc_diff d;

	(void)state;
	new_tree(&want);
	want.dflt = delay(10);
	add_rule(&want, "10.0.2.0/24", delay(50));
	as_dumped(&have, &want);
	new_tree(&want);
	nn_tc_tree_diff(&want, &have, &d);
	assert_true(d.clear);
	assert_false(d.rebuild);
	assert_int_equal(d.n, 0);
	/* A foreign root is cleared too (the planner decides whether it may). */
	memset(&have, 0, sizeof(have));
	have.handle = 0x80010000;
	snprintf(have.other, sizeof(have.other), "root qdisc pfifo");
	nn_tc_tree_diff(&want, &have, &d);
	assert_true(d.clear);
}

/* A stacked leaf: netem and tbf each compared; tbf's burst within a tick. */
static void test_leaf_same(void **state)
{
	struct nn_tc_leaf a = delay(10), b;

	(void)state;
	a.has_tbf = true;
	a.tbf.rate = 1250000000;	/* 10 Gbit/s: 80 bytes a 64 ns tick */
	b = a;
	nn_tc_leaf_normalize(&b);
	assert_true(nn_tc_leaf_same(&a, &b));
	b.tbf.burst += 40;	/* a dump's rounding: half a tick */
	assert_true(nn_tc_leaf_same(&a, &b));
	b.tbf.burst += 1;
	assert_false(nn_tc_leaf_same(&a, &b));
	b.tbf.burst -= 41;
	b.has_tbf = false;
	assert_false(nn_tc_leaf_same(&a, &b));
	b = a;
	b.netem.loss = 1;
	assert_false(nn_tc_leaf_same(&a, &b));
	/* A tbf given its latency equals its limit read back. */
	a = rate(1250000);
	a.tbf.latency_ns = 100 * MS;
	b = a;
	nn_tc_leaf_normalize(&b);
	assert_int_equal(b.tbf.latency_ns, 0);
	assert_int_equal(b.tbf.limit, 1250000 / 10 + 25000);
	assert_true(nn_tc_leaf_same(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_selectors),
		cmocka_unit_test(test_normalize_match),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_sels),
		cmocka_unit_test(test_sels_not_one_rule),
		cmocka_unit_test(test_diff_same),
		cmocka_unit_test(test_diff_rules),
		cmocka_unit_test(test_diff_rebuild),
		cmocka_unit_test(test_diff_clear),
		cmocka_unit_test(test_leaf_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
