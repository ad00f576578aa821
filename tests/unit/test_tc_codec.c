// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The htb, u32 and mirred codecs and the tree decoder, against what tc
 * sends and what kernels dump (tc_dumps.h, captured by tc-capture.sh).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "netnsctl/tc.h"
#include "netnsctl/units.h"
#include "kernel/tc/tree.h"
#include "tc_dumps.h"

#define MS 1000000ULL

/* ------------------------------------------------------------ helpers */

static struct nlmsghdr *new_request(uint16_t type)
{
	void *buf = calloc(1, NN_TC_MSG_SPACE);
	struct nlmsghdr *nlh;

	assert_non_null(buf);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct tcmsg));
	return nlh;
}

static const struct nlattr *top_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct tcmsg))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/* TCA_KIND is KIND and TCA_OPTIONS' payload is exactly WANT. */
static void expect_options(const struct nlmsghdr *nlh, const char *kind, const unsigned char *want,
			   size_t len)
{
	const struct nlattr *k = top_attr(nlh, TCA_KIND), *o = top_attr(nlh, TCA_OPTIONS);

	assert_non_null(k);
	assert_string_equal(mnl_attr_get_str(k), kind);
	assert_non_null(o);
	/* A plain nest, as tc sends it (no NLA_F_NESTED). */
	assert_int_equal(o->nla_type, TCA_OPTIONS);
	assert_int_equal(mnl_attr_get_payload_len(o), len);
	assert_memory_equal(mnl_attr_get_payload(o), want, len);
}

static struct nlattr *options_copy(const struct nlmsghdr *nlh)
{
	const struct nlattr *o = top_attr(nlh, TCA_OPTIONS);
	struct nlattr *c;

	assert_non_null(o);
	c = malloc(o->nla_len);
	assert_non_null(c);
	memcpy(c, o, o->nla_len);
	return c;
}

static struct nn_prefix cidr(const char *s)
{
	struct nn_error e = { 0 };
	struct nn_prefix p;

	assert_int_equal(nn_parse_cidr(s, &p, &e), 0);
	return p;
}

/* --------------------------------------------------------------- htb */

static void test_htb_qdisc_bytes(void **state)
{
	struct nlmsghdr *nlh = new_request(RTM_NEWQDISC);
	struct nlattr *o;
	struct nn_error e = { 0 };
	uint32_t defcls = 0;

	(void)state;
	nn_htb_qdisc_encode(nlh, 1);
	expect_options(nlh, "htb", tc_htb_qdisc, sizeof(tc_htb_qdisc));
	o = options_copy(nlh);
	assert_int_equal(nn_htb_qdisc_decode(o, &defcls, &e), 0);
	assert_int_equal(defcls, 1);
	free(o);
	free(nlh);
}

/* tc's class bytes with the two rate-table fields netnsctl leaves zero
 * (cell_log, cell_align: only for kernels that need the tables, which a
 * known link layer spares; the kernel neither uses nor dumps them). */
static void without_table_fields(unsigned char *parms)
{
	for (int r = 0; r < 2; r++) {
		struct tc_ratespec *rs = (struct tc_ratespec *)(parms + r * sizeof(*rs));

		assert_int_equal(rs->cell_log, 3);
		assert_int_equal(rs->cell_align, -1);
		rs->cell_log = 0;
		rs->cell_align = 0;
	}
}

static void test_htb_class_bytes(void **state)
{
	struct nlmsghdr *nlh = new_request(RTM_NEWTCLASS);
	unsigned char want[sizeof(tc_htb_class_open)];
	struct nn_htb_class c, back;
	struct nn_error e = { 0 };
	struct nlattr *o;

	(void)state;
	/* 1 Tbit/s: RATE64 and CEIL64 first, then the parameters, as tc. */
	nn_htb_class_open(&c);
	assert_int_equal(nn_htb_class_encode(nlh, &c, &e), 0);
	memcpy(want, tc_htb_class_open, sizeof(want));
	without_table_fields(want + 24 + NLA_HDRLEN);
	expect_options(nlh, "htb", want, sizeof(want));
	o = options_copy(nlh);
	assert_int_equal(nn_htb_class_decode(o, &back, &e), 0);
	assert_true(back.rate == NN_TC_OPEN_RATE && back.ceil == NN_TC_OPEN_RATE);
	assert_int_equal(back.burst, NN_TC_OPEN_BURST);
	assert_int_equal(back.cburst, NN_TC_OPEN_BURST);
	assert_int_equal(back.quantum, NN_TC_OPEN_QUANTUM);
	assert_true(nn_htb_class_same(&c, &back));
	free(o);
	free(nlh);

	/* Below 4 GB/s: no 64-bit attributes, bursts in ticks as tc counts them. */
	nlh = new_request(RTM_NEWTCLASS);
	memset(&c, 0, sizeof(c));
	c.rate = 1250000;
	c.ceil = 2500000;
	c.burst = 25000;
	c.cburst = 50000;
	c.quantum = 1514;
	assert_int_equal(nn_htb_class_encode(nlh, &c, &e), 0);
	unsigned char want2[sizeof(tc_htb_class_10mbit)];

	memcpy(want2, tc_htb_class_10mbit, sizeof(want2));
	without_table_fields(want2 + NLA_HDRLEN);
	expect_options(nlh, "htb", want2, sizeof(want2));
	free(nlh);

	/* A ceil below the rate, or no burst, is refused. */
	nlh = new_request(RTM_NEWTCLASS);
	c.ceil = 1;
	assert_int_equal(nn_htb_class_encode(nlh, &c, &e), -EINVAL);
	c.ceil = c.rate;
	c.burst = 0;
	assert_int_equal(nn_htb_class_encode(nlh, &c, &e), -EINVAL);
	free(nlh);
}

static void test_htb_class_same_slack(void **state)
{
	struct nn_htb_class a, b;

	(void)state;
	nn_htb_class_open(&a);
	b = a;
	/* One tick at 1 Tbit/s is 8000 bytes: a dump may be off by that. */
	b.burst += 8000;
	assert_true(nn_htb_class_same(&a, &b));
	b.burst += 1;
	assert_false(nn_htb_class_same(&a, &b));
	b = a;
	b.quantum = 1514;
	assert_false(nn_htb_class_same(&a, &b));
	b = a;
	b.rate = 125000;
	assert_false(nn_htb_class_same(&a, &b));
}

/* --------------------------------------------------------------- u32 */

static void test_u32_bytes(void **state)
{
	struct nn_u32_sel dst = { .family = AF_INET, .has_to = true, .to = cidr("10.0.2.0/24") };
	struct nn_u32_sel p4 = { .family = AF_INET, .has_to = true, .to = cidr("10.0.2.0/24"),
				 .port = 80, .ipproto = 6 };
	struct nn_u32_sel p6 = { .family = AF_INET6, .has_to = true, .to = cidr("2001:db8:1::/48"),
				 .port = 53, .ipproto = 17 };
	struct nn_error e = { 0 };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = new_request(RTM_NEWTFILTER);
	assert_int_equal(nn_u32_classify_encode(nlh, &dst, 0x10001, &e), 0);
	expect_options(nlh, "u32", tc_u32_dst, sizeof(tc_u32_dst));
	free(nlh);
	nlh = new_request(RTM_NEWTFILTER);
	assert_int_equal(nn_u32_classify_encode(nlh, &p4, 0x10002, &e), 0);
	expect_options(nlh, "u32", tc_u32_port4, sizeof(tc_u32_port4));
	free(nlh);
	nlh = new_request(RTM_NEWTFILTER);
	assert_int_equal(nn_u32_classify_encode(nlh, &p6, 0x10002, &e), 0);
	expect_options(nlh, "u32", tc_u32_port6, sizeof(tc_u32_port6));
	free(nlh);

	/* Nothing to classify with, or into. */
	nlh = new_request(RTM_NEWTFILTER);
	dst.family = AF_UNSPEC;
	assert_int_equal(nn_u32_classify_encode(nlh, &dst, 0x10002, &e), -EINVAL);
	dst.family = AF_INET;
	assert_int_equal(nn_u32_classify_encode(nlh, &dst, 0, &e), -EINVAL);
	free(nlh);
}

static void test_redirect_bytes(void **state)
{
	static const uint8_t ck[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	struct nlmsghdr *nlh = new_request(RTM_NEWTFILTER);
	struct nn_error e = { 0 };
	uint64_t cookie;

	(void)state;
	memcpy(&cookie, ck, sizeof(cookie));
	assert_int_equal(nn_u32_redirect_encode(nlh, 4, cookie, &e), 0);
	expect_options(nlh, "u32", tc_u32_redirect, sizeof(tc_u32_redirect));
	assert_int_equal(nn_u32_redirect_encode(nlh, 0, cookie, &e), -EINVAL);
	free(nlh);
}

static void expect_roundtrip(const struct nn_u32_sel *s)
{
	struct tc_u32_key keys[8];
	struct nn_u32_sel back;
	struct nn_error e = { 0 };
	unsigned int n = nn_u32_sel_keys(s, keys);

	assert_true(n >= 1 && n <= 8);
	if (nn_u32_sel_from_keys(keys, n, &back, &e) < 0)
		fail_msg("family %d len %u port %u proto %u: %s", s->family, s->to.len, s->port,
			 s->ipproto, e.msg);
	assert_int_equal(back.family, s->family);
	assert_int_equal(back.port, s->port);
	assert_int_equal(back.ipproto, s->ipproto);
	assert_int_equal(back.has_to, s->has_to && s->to.len);
	if (back.has_to) {
		assert_int_equal(back.to.len, s->to.len);
		assert_memory_equal(back.to.addr.bytes, s->to.addr.bytes, 16);
	}
	/* Any order of the same keys reads the same. */
	for (unsigned int i = 0; i + 1 < n; i += 2) {
		struct tc_u32_key k = keys[i];

		keys[i] = keys[i + 1];
		keys[i + 1] = k;
	}
	assert_int_equal(nn_u32_sel_from_keys(keys, n, &back, &e), 0);
	assert_int_equal(back.port, s->port);
}

static void test_u32_roundtrip(void **state)
{
	static const char *const nets[] = { "10.0.0.0/8", "192.168.1.128/25", "10.1.2.3/32",
					    "fd00::/64", "2001:db8::/32", "2001:db8:1:2:3:4:5:0/112",
					    "2001:db8::1/128", "fc00::/7" };

	(void)state;
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		struct nn_u32_sel s = { .has_to = true, .to = cidr(nets[i]) };

		s.family = s.to.family;
		expect_roundtrip(&s);
		s.ipproto = 17;
		s.port = 53;
		expect_roundtrip(&s);
		s.port = 0;
		s.ipproto = s.family == AF_INET ? 1 : 58;
		expect_roundtrip(&s);
	}
	for (int f = 0; f < 2; f++) {
		struct nn_u32_sel s = { .family = f ? AF_INET6 : AF_INET };

		expect_roundtrip(&s);
		s.ipproto = 6;
		expect_roundtrip(&s);
		s.port = 65535;
		expect_roundtrip(&s);
	}
	struct nn_u32_sel all = { .family = AF_UNSPEC };
	struct tc_u32_key k[8];

	assert_int_equal(nn_u32_sel_keys(&all, k), 1);
	assert_true(!k[0].mask && !k[0].val && !k[0].off);
	expect_roundtrip(&all);
}

static void key(struct tc_u32_key *k, int off, uint32_t val, uint32_t mask)
{
	k->off = off;
	k->val = htonl(val);
	k->mask = htonl(mask);
	k->offmask = 0;
}

static void expect_not_ours(const struct tc_u32_key *k, unsigned int n)
{
	struct nn_u32_sel s;
	struct nn_error e = { 0 };

	assert_int_equal(nn_u32_sel_from_keys(k, n, &s, &e), -ENOTSUP);
	if (!strstr(e.msg, "netnsctl"))
		fail_msg("message \"%s\"", e.msg);
}

static void test_u32_not_ours(void **state)
{
	struct tc_u32_key k[8];

	(void)state;
	/* No version key. */
	key(&k[0], 16, 0x0a000000, 0xff000000);
	expect_not_ours(k, 1);
	/* A port without the header checks (tc's bare "match ip dport"). */
	key(&k[0], 0, 0x40000000, 0xf0000000);
	key(&k[1], 8, 0x00060000, 0x00ff0000);
	key(&k[2], 20, 80, 0x0000ffff);
	expect_not_ours(k, 3);
	/* A source address (offset 12). */
	key(&k[1], 12, 0x0a000000, 0xff000000);
	expect_not_ours(k, 2);
	/* A mask that is no prefix. */
	key(&k[1], 16, 0x0a000000, 0xff00ff00);
	expect_not_ours(k, 2);
	/* Value bits outside the mask. */
	key(&k[1], 16, 0x0a000001, 0xffffff00);
	expect_not_ours(k, 2);
	/* A key twice. */
	key(&k[1], 8, 0x00060000, 0x00ff0000);
	key(&k[2], 8, 0x00060000, 0x00ff0000);
	expect_not_ours(k, 3);
	/* An IPv6 destination whose first word is partial but a later one is set. */
	key(&k[0], 0, 0x60000000, 0xf0000000);
	key(&k[1], 24, 0x20010000, 0xffff0000);
	key(&k[2], 28, 0x00000001, 0xffffffff);
	expect_not_ours(k, 3);
	/* A port on a protocol that has none. */
	key(&k[0], 0, 0x60000000, 0xf0000000);
	key(&k[1], 4, 0x00003a00, 0x0000ff00);
	key(&k[2], 40, 80, 0x0000ffff);
	expect_not_ours(k, 3);
	/* A variable offset. */
	key(&k[0], 0, 0x40000000, 0xf0000000);
	k[0].offmask = 1;
	expect_not_ours(k, 1);
}

/* The messages of a dump, one by one. */
#define for_each_msg(nlh, buf, len)                                                      \
	for (int _l = (int)(len), _once = ((nlh) = (const struct nlmsghdr *)(buf), 1); _once;  \
	     _once = 0)                                                                       \
		for (; mnl_nlmsg_ok((nlh), _l); (nlh) = mnl_nlmsg_next((nlh), &_l))

static void test_u32_decode_dumps(void **state)
{
	const struct nlmsghdr *nlh;
	struct nn_error e = { 0 };
	unsigned int nodes = 0, hts = 0;

	(void)state;
	for_each_msg(nlh, htb_filters, sizeof(htb_filters)) {
		struct nn_u32_info u;
		char kind[16];

		assert_int_equal(nn_u32_decode(nlh, &u, kind, &e), 0);
		assert_string_equal(kind, "u32");
		assert_int_equal(u.protocol, 0x0003);	/* ETH_P_ALL */
		if (u.is_ht) {
			hts++;
			continue;
		}
		nodes++;
		assert_true(u.sel_ours);
		assert_true(u.has_classid);
		assert_int_equal(u.n_actions, 0);
		if (u.prio == 1) {
			/* to 10.0.2.0/24 port 80: tcp and udp */
			assert_int_equal(u.classid, 0x10002);
			assert_int_equal(u.sel.family, AF_INET);
			assert_int_equal(u.sel.port, 80);
			assert_true(u.sel.ipproto == 6 || u.sel.ipproto == 17);
			assert_int_equal(u.sel.to.len, 24);
		} else {
			assert_int_equal(u.prio, 2);
			assert_int_equal(u.classid, 0x10003);
			assert_int_equal(u.sel.family, AF_INET6);
			assert_int_equal(u.sel.ipproto, 58);
			assert_int_equal(u.sel.to.len, 48);
		}
	}
	assert_int_equal(nodes, 3);
	assert_int_equal(hts, 4);	/* a chain line and a table line per priority */

	nodes = 0;
	for_each_msg(nlh, ingress_filters, sizeof(ingress_filters)) {
		struct nn_u32_info u;
		char kind[16];

		assert_int_equal(nn_u32_decode(nlh, &u, kind, &e), 0);
		if (u.is_ht)
			continue;
		nodes++;
		assert_int_equal(u.prio, NN_TC_REDIRECT_PRIO);
		assert_true(u.has_mirred);
		assert_int_equal(u.mirred_ifindex, 4);
		assert_true(u.has_cookie);
		assert_true(u.cookie == 0x82a535b41265012fULL);
		assert_int_equal(u.n_actions, 1);
		assert_int_equal(u.sel.family, AF_UNSPEC);
		assert_true(u.sel_ours);
	}
	assert_int_equal(nodes, 1);
}

static void test_u32_decode_bad(void **state)
{
	const struct nlmsghdr *src = NULL, *nlh;
	struct nn_u32_info u;
	struct nn_error e = { 0 };
	char kind[16];
	unsigned char *copy;

	(void)state;
	for_each_msg(nlh, htb_filters, sizeof(htb_filters)) {
		if (nn_u32_decode(nlh, &u, kind, &e) == 0 && !u.is_ht) {
			src = nlh;
			break;
		}
	}
	assert_non_null(src);
	/* Every shorter message: an error or a table entry, never a read past it. */
	for (uint32_t len = NLMSG_HDRLEN; len < src->nlmsg_len; len += 4) {
		copy = malloc(len);
		assert_non_null(copy);
		memcpy(copy, src, len);
		((struct nlmsghdr *)copy)->nlmsg_len = len;
		if (nn_u32_decode((struct nlmsghdr *)copy, &u, kind, &e) == 0)
			assert_false(u.sel_ours && !u.is_ht && u.sel.port == 0 && u.sel.family == 0);
		free(copy);
	}
	/* Another kind of filter. */
	copy = malloc(src->nlmsg_len);
	assert_non_null(copy);
	memcpy(copy, src, src->nlmsg_len);
	nlh = (const struct nlmsghdr *)copy;
	{
		struct nlattr *k = (struct nlattr *)top_attr(nlh, TCA_KIND);

		memcpy(mnl_attr_get_payload(k), "bpf", 4);
	}
	assert_int_equal(nn_u32_decode(nlh, &u, kind, &e), -ENOTSUP);
	assert_string_equal(kind, "bpf");
	free(copy);
}

/* ------------------------------------------------------- tree decoding */

static int decode(struct nn_tc_tree *t, int ifindex, const void *q, size_t nq, const void *c,
		  size_t nc, const void *f, size_t nf)
{
	struct nn_tc_msgs mq = { q, nq }, mc = { c, nc }, mf = { f, nf };
	struct nn_error e = { 0 };
	int ret = nn_tc_tree_decode(t, ifindex, &mq, &mc, &mf, &e);

	if (ret < 0)
		fprintf(stderr, "decode: %s\n", e.msg);
	return ret;
}

static void parse_spec(struct nn_tc_tree *t, const char *const *words)
{
	struct nn_tc_leaf *leaf = &t->dflt;
	struct nn_tc_match *m = NULL;
	struct nn_error e = { 0 };

	memset(t, 0, sizeof(*t));
	t->handle = NN_QDISC_HANDLE;
	for (size_t i = 0; words[i]; i++) {
		const char *w = words[i], *v = words[i + 1];

		if (!strcmp(w, "rule")) {
			leaf = &t->rules[t->n_rules].leaf;
			m = &t->rules[t->n_rules++].match;
			continue;
		}
		i++;
		if (!strcmp(w, "delay")) {
			leaf->has_netem = true;
			assert_int_equal(nn_parse_time(v, "delay", &leaf->netem.delay_ns, &e), 0);
		} else if (!strcmp(w, "jitter")) {
			assert_int_equal(nn_parse_time(v, "jitter", &leaf->netem.jitter_ns, &e), 0);
		} else if (!strcmp(w, "loss")) {
			leaf->has_netem = true;
			assert_int_equal(nn_parse_percent(v, "loss", &leaf->netem.loss, &e), 0);
		} else if (!strcmp(w, "rate")) {
			leaf->has_tbf = true;
			assert_int_equal(nn_parse_rate(v, "rate", &leaf->tbf.rate, &e), 0);
		} else if (!strcmp(w, "to")) {
			assert_int_equal(nn_tc_match_add_to(m, v, &e), 0);
		} else if (!strcmp(w, "port")) {
			assert_int_equal(nn_tc_match_add_port(m, v, &e), 0);
		} else if (!strcmp(w, "proto")) {
			assert_int_equal(nn_tc_match_add_proto(m, v, &e), 0);
		} else {
			fail_msg("unknown word %s", w);
		}
	}
	assert_int_equal(nn_tc_tree_check(t, &e), 0);
}

static void expect_same(struct nn_tc_tree *want, const struct nn_tc_tree *have)
{
	struct nn_tc_diff d;

	assert_string_equal(have->other, "");
	nn_tc_tree_diff(want, have, &d);
	if (!nn_tc_diff_empty(&d))
		fail_msg("differs: clear %d rebuild %d (%s) default %d steps %u", d.clear, d.rebuild, d.why,
			 d.dflt, d.n);
}

static void test_tree_decode_host(void **state)
{
	static const char *const spec[] = { "rate", "50mbit", "rule", "to", "10.0.2.0/24", "port", "80",
					    "rate", "1mbit", "rule", "to", "2001:db8::/48", "proto",
					    "icmp", "rate", "5mbit", NULL };
	static struct nn_tc_tree t, want;
	uint32_t handle;
	bool htb;
	struct nn_tc_msgs mq = { htb_qdiscs, sizeof(htb_qdiscs) };
	struct nn_error e = { 0 };

	(void)state;
	assert_int_equal(nn_tc_decode_root(3, &mq, &handle, &htb, &e), 1);
	assert_int_equal(handle, 0x10000);
	assert_true(htb);
	assert_int_equal(decode(&t, 3, htb_qdiscs, sizeof(htb_qdiscs), htb_classes,
				sizeof(htb_classes), htb_filters, sizeof(htb_filters)), 1);
	assert_int_equal(t.handle, 0x10000);
	assert_int_equal(t.n_rules, 2);
	assert_int_equal(t.rules[0].slot, 2);
	assert_int_equal(t.rules[0].prio, 1);
	assert_int_equal(t.rules[0].match.n_ports, 1);
	assert_int_equal(t.rules[0].match.protos, NN_TC_TCP | NN_TC_UDP);
	assert_int_equal(t.rules[1].match.protos, NN_TC_ICMP);
	assert_true(t.dflt.has_tbf && !t.dflt.has_netem);
	assert_true(t.dflt.tbf.rate == 6250000);
	parse_spec(&want, spec);
	expect_same(&want, &t);

	/* veth-b (ifindex 2) has only the clsact: no tree (the kernel's default root). */
	assert_int_equal(decode(&t, 2, htb_qdiscs, sizeof(htb_qdiscs), NULL, 0, NULL, 0), 0);
	assert_true(nn_tc_tree_empty(&t));
	assert_int_equal(t.handle, 0);
}

static void test_tree_decode_uml(void **state)
{
	static const char *const stacked[] = { "delay", "20ms", "jitter", "2ms", "loss", "0.5%",
					       "rate", "10mbit", NULL };
	static const char *const spec[] = { "delay", "5ms", "rule", "to", "10.0.2.0/24", "delay",
					    "50ms", "rate", "10mbit", "rule", "port", "80", "proto",
					    "tcp", "loss", "2.5%", "rule", "to", "fd00::/64", "delay",
					    "1ms", NULL };
	static struct nn_tc_tree t, want;

	(void)state;
	/* Root netem with its tbf child, from the 6.1 kernel of the UML lane. */
	assert_int_equal(decode(&t, 3, stacked_qdiscs, sizeof(stacked_qdiscs), NULL, 0, NULL, 0), 1);
	assert_true(t.dflt.has_netem && t.dflt.has_tbf);
	assert_int_equal(t.dflt.netem.delay_ns, 20 * MS);
	assert_int_equal(t.dflt.tbf.rate, 1250000);
	parse_spec(&want, stacked);
	expect_same(&want, &t);

	assert_int_equal(decode(&t, 5, htb_netem_qdiscs, sizeof(htb_netem_qdiscs), htb_netem_classes,
				sizeof(htb_netem_classes), htb_netem_filters, sizeof(htb_netem_filters)),
			 1);
	assert_int_equal(t.n_rules, 3);
	assert_true(t.rules[0].leaf.has_netem && t.rules[0].leaf.has_tbf);
	parse_spec(&want, spec);
	expect_same(&want, &t);
	/* One rule's impairment changed: one step, that rule's leaf. */
	want.rules[1].leaf.netem.loss /= 2;
	{
		struct nn_tc_diff d;

		nn_tc_tree_diff(&want, &t, &d);
		assert_false(d.rebuild || d.clear || d.dflt);
		assert_int_equal(d.n, 1);
		assert_int_equal(d.steps[0].op, NN_TC_RULE_LEAF);
		assert_int_equal(d.steps[0].want, 1);
	}
}

/* A copy of BUF whose message number NTH of type TYPE (counting from 0) is
 * changed by FN; *LEN is its length. */
static unsigned char *mutate(const unsigned char *buf, size_t len, uint16_t type, int nth,
			     void (*fn)(struct nlmsghdr *))
{
	unsigned char *c = malloc(len);
	struct nlmsghdr *nlh;
	int l = (int)len, i = 0;

	assert_non_null(c);
	memcpy(c, buf, len);
	for (nlh = (struct nlmsghdr *)c; mnl_nlmsg_ok(nlh, l); nlh = (struct nlmsghdr *)mnl_nlmsg_next(nlh, &l))
		if (nlh->nlmsg_type == type && ((struct tcmsg *)mnl_nlmsg_get_payload(nlh))->tcm_ifindex == 3 &&
		    i++ == nth) {
			fn(nlh);
			return c;
		}
	fail_msg("no message %d of type %u", nth, type);
	return NULL;
}

static void defcls_2(struct nlmsghdr *nlh)
{
	const struct nlattr *o = top_attr(nlh, TCA_OPTIONS);
	struct tc_htb_glob *g;

	if (!o || strcmp(mnl_attr_get_str(top_attr(nlh, TCA_KIND)), "htb"))
		fail_msg("not the htb root");
	g = mnl_attr_get_payload(mnl_attr_get_payload(o));
	g->defcls = 2;
}

static void class_slow(struct nlmsghdr *nlh)
{
	const struct nlattr *o = top_attr(nlh, TCA_OPTIONS), *a;

	mnl_attr_for_each_nested(a, o)
		if (mnl_attr_get_type(a) == TCA_HTB_RATE64)
			*(uint64_t *)mnl_attr_get_payload(a) = 125000;
}

static void to_bpf(struct nlmsghdr *nlh)
{
	memcpy(mnl_attr_get_payload(top_attr(nlh, TCA_KIND)), "bpf", 4);
}

static void leaf_elsewhere(struct nlmsghdr *nlh)
{
	struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

	if (tcm->tcm_parent != TC_H_ROOT)
		tcm->tcm_handle = 0x2020000;
}

static void expect_other(const unsigned char *q, size_t nq, const unsigned char *c, size_t nc,
			 const unsigned char *f, size_t nf, const char *why)
{
	static struct nn_tc_tree t;

	assert_int_equal(decode(&t, 3, q, nq, c, nc, f, nf), 1);
	if (!strstr(t.other, why))
		fail_msg("other \"%s\", expected \"%s\"", t.other, why);
	assert_int_equal(t.n_rules, 0);
	assert_int_equal(t.handle, 0x10000);
}

static void test_tree_decode_other(void **state)
{
	unsigned char *m;

	(void)state;
	m = mutate(htb_qdiscs, sizeof(htb_qdiscs), RTM_NEWQDISC, 0, defcls_2);
	expect_other(m, sizeof(htb_qdiscs), htb_classes, sizeof(htb_classes), htb_filters,
		     sizeof(htb_filters), "default class 2");
	free(m);
	m = mutate(htb_classes, sizeof(htb_classes), RTM_NEWTCLASS, 1, class_slow);
	expect_other(htb_qdiscs, sizeof(htb_qdiscs), m, sizeof(htb_classes), htb_filters,
		     sizeof(htb_filters), "is not one netnsctl makes");
	free(m);
	m = mutate(htb_filters, sizeof(htb_filters), RTM_NEWTFILTER, 2, to_bpf);
	expect_other(htb_qdiscs, sizeof(htb_qdiscs), htb_classes, sizeof(htb_classes), m,
		     sizeof(htb_filters), "kind bpf");
	free(m);
	/* Classes without their filters. */
	expect_other(htb_qdiscs, sizeof(htb_qdiscs), htb_classes, sizeof(htb_classes), NULL, 0,
		     "has no filter");
	/* A leaf under another handle than netnsctl gives it. */
	m = mutate(htb_qdiscs, sizeof(htb_qdiscs), RTM_NEWQDISC, 1, leaf_elsewhere);
	expect_other(m, sizeof(htb_qdiscs), htb_classes, sizeof(htb_classes), htb_filters,
		     sizeof(htb_filters), "has not the handle netnsctl gives it");
	free(m);
}

static void test_tree_decode_cut(void **state)
{
	static struct nn_tc_tree t;
	struct nn_tc_msgs mq = { htb_qdiscs, 0 }, mc = { NULL, 0 }, mf = { NULL, 0 };
	struct nn_error e = { 0 };

	(void)state;
	/* Every cut of the dump: an error or a tree, never a read past it
	 * (ASan checks each exact-size copy). */
	for (size_t len = 1; len < sizeof(htb_filters); len += 7) {
		unsigned char *c = malloc(len);

		assert_non_null(c);
		memcpy(c, htb_filters, len);
		mq.len = sizeof(htb_qdiscs);
		mc = (struct nn_tc_msgs){ htb_classes, sizeof(htb_classes) };
		mf = (struct nn_tc_msgs){ c, len };
		(void)nn_tc_tree_decode(&t, 3, &mq, &mc, &mf, &e);
		free(c);
	}
	mf = (struct nn_tc_msgs){ htb_filters, sizeof(htb_filters) - 3 };
	assert_int_equal(nn_tc_tree_decode(&t, 3, &mq, &mc, &mf, &e), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_htb_qdisc_bytes),
		cmocka_unit_test(test_htb_class_bytes),
		cmocka_unit_test(test_htb_class_same_slack),
		cmocka_unit_test(test_u32_bytes),
		cmocka_unit_test(test_redirect_bytes),
		cmocka_unit_test(test_u32_roundtrip),
		cmocka_unit_test(test_u32_not_ours),
		cmocka_unit_test(test_u32_decode_dumps),
		cmocka_unit_test(test_u32_decode_bad),
		cmocka_unit_test(test_tree_decode_host),
		cmocka_unit_test(test_tree_decode_uml),
		cmocka_unit_test(test_tree_decode_other),
		cmocka_unit_test(test_tree_decode_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
