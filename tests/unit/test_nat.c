// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>

#include "netnsctl/addr.h"
#include "netnsctl/lab.h"
#include "netnsctl/nat.h"
#include "kernel/nat_codec.h"

/* ------------------------------------------------------------ helpers */

static struct nn_nat_rule masq(const char *tag, const char *cidr, const char *except)
{
	struct nn_nat_rule r = { .kind = NN_NAT_MASQUERADE };
	struct nn_error e = { 0 };

	snprintf(r.tag, sizeof(r.tag), "%s", tag);
	assert_int_equal(nn_parse_cidr(cidr, &r.src, &e), 0);
	snprintf(r.except_if, sizeof(r.except_if), "%s", except);
	return r;
}

static struct nn_nat_rule dnat(const char *tag, int proto, uint16_t port, const char *to, uint16_t to_port)
{
	struct nn_nat_rule r = { .kind = NN_NAT_DNAT, .proto = proto, .port = port, .to_port = to_port };

	snprintf(r.tag, sizeof(r.tag), "%s", tag);
	assert_int_equal(inet_pton(AF_INET, to, &r.to), 1);
	return r;
}

/* Build RULE for CHAIN and read it back. */
static struct nn_nat_found round_trip(const struct nn_nat_rule *rule, enum nn_nat_chain chain)
{
	static char buf[NN_NAT_MSG_MAX];
	struct nn_nat_found f;
	struct nn_error e = { 0 };
	char name[256];
	struct nlmsghdr *nlh;

	assert_int_equal(nn_nat_rule_check(rule, &e), 0);
	memset(buf, 0xa5, sizeof(buf));
	nlh = nn_nat_rule_msg(buf, 42, chain, rule);
	assert_true(nlh->nlmsg_len <= sizeof(buf));
	assert_int_equal(NFNL_MSG_TYPE(nlh->nlmsg_type), NFT_MSG_NEWRULE);
	assert_int_equal(nlh->nlmsg_seq, 42);
	assert_true(nlh->nlmsg_flags & NLM_F_APPEND);
	assert_int_equal(nn_nat_rule_decode(nlh, &f, name, sizeof(name), &e), 0);
	assert_string_equal(name, nn_nat_chains[chain].name);
	assert_int_equal(f.chain, chain);
	return f;
}

static void assert_same_rule(const struct nn_nat_rule *got, const struct nn_nat_rule *want)
{
	assert_int_equal(got->kind, want->kind);
	assert_string_equal(got->tag, want->tag);
	assert_true(nn_nat_rule_same(got, want));
}

/* ------------------------------------------------------------ round trips */

static void test_masq_round_trip(void **state)
{
	static const char *const cidrs[] = { "10.200.0.0/30", "10.0.0.0/8", "192.0.2.7/32", "0.0.0.0/0",
					     "172.16.0.0/12" };

	(void)state;
	for (size_t i = 0; i < sizeof(cidrs) / sizeof(cidrs[0]); i++) {
		struct nn_nat_rule r = masq("masq inner", cidrs[i], "nn-inner");
		struct nn_nat_found f = round_trip(&r, NN_NAT_CHAIN_POSTROUTING);

		assert_same_rule(&f.rule, &r);
		assert_string_equal(f.rule.except_if, "nn-inner");
		assert_int_equal(f.rule.src.len, r.src.len);

		r.except_if[0] = '\0';
		f = round_trip(&r, NN_NAT_CHAIN_POSTROUTING);
		assert_same_rule(&f.rule, &r);
		assert_string_equal(f.rule.except_if, "");
	}
}

static void test_masq_full_ifname(void **state)
{
	struct nn_nat_rule r = masq("m", "10.1.0.0/16", "abcdefghijklmno");	/* 15 bytes */
	struct nn_nat_found f = round_trip(&r, NN_NAT_CHAIN_POSTROUTING);

	(void)state;
	assert_same_rule(&f.rule, &r);
	assert_string_equal(f.rule.except_if, "abcdefghijklmno");
}

static void test_dnat_round_trip(void **state)
{
	struct nn_nat_rule t = dnat("dnat tcp 8080", IPPROTO_TCP, 8080, "10.200.0.2", 80);
	struct nn_nat_rule u = dnat("dnat udp 65535", IPPROTO_UDP, 65535, "192.0.2.1", 1);
	struct nn_nat_found f;

	(void)state;
	f = round_trip(&t, NN_NAT_CHAIN_PREROUTING);
	assert_same_rule(&f.rule, &t);
	assert_int_equal(f.rule.port, 8080);
	assert_int_equal(f.rule.to_port, 80);
	assert_int_equal(f.rule.proto, IPPROTO_TCP);
	assert_int_equal(f.rule.to.s_addr, t.to.s_addr);
	f = round_trip(&t, NN_NAT_CHAIN_OUTPUT);
	assert_same_rule(&f.rule, &t);
	f = round_trip(&u, NN_NAT_CHAIN_PREROUTING);
	assert_same_rule(&f.rule, &u);
	assert_int_equal(f.rule.port, 65535);
	assert_int_equal(f.rule.to_port, 1);
	assert_int_equal(f.rule.proto, IPPROTO_UDP);
}

/* The tag is the TLV nft writes for a comment: type 0, length, the string and its NUL. */
static void test_tag_is_an_nft_comment(void **state)
{
	static char buf[NN_NAT_MSG_MAX];
	struct nn_nat_rule r = masq("masq inner", "10.200.0.0/30", "");
	const struct nlattr *attr;
	struct nlmsghdr *nlh;
	bool seen = false;

	(void)state;
	nlh = nn_nat_rule_msg(buf, 1, NN_NAT_CHAIN_POSTROUTING, &r);
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		const uint8_t *p = mnl_attr_get_payload(attr);

		if (mnl_attr_get_type(attr) != NFTA_RULE_USERDATA)
			continue;
		seen = true;
		assert_int_equal(mnl_attr_get_payload_len(attr), 2 + sizeof("masq inner"));
		assert_int_equal(p[0], 0);
		assert_int_equal(p[1], sizeof("masq inner"));
		assert_memory_equal(p + 2, "masq inner", sizeof("masq inner"));
	}
	assert_true(seen);
}

/* The bytes nft shows for its own `tcp dport 8080 ... dnat to 10.200.0.2:80`
 * (nft --debug=netlink): the port in network order, l4proto one byte. */
static void test_dnat_wire_values(void **state)
{
	static char buf[NN_NAT_MSG_MAX];
	struct nn_nat_rule r = dnat("d", IPPROTO_TCP, 8080, "10.200.0.2", 80);
	struct nftnl_rule *nr = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *x;
	const char *names[16];
	size_t n = 0;

	(void)state;
	assert_int_equal(nftnl_rule_nlmsg_parse(nn_nat_rule_msg(buf, 1, NN_NAT_CHAIN_PREROUTING, &r), nr), 0);
	it = nftnl_expr_iter_create(nr);
	while ((x = nftnl_expr_iter_next(it)) && n < 16) {
		uint32_t len = 0;
		const uint8_t *d;

		names[n] = nftnl_expr_get_str(x, NFTNL_EXPR_NAME);
		if (n == 1) {
			d = nftnl_expr_get(x, NFTNL_EXPR_CMP_DATA, &len);
			assert_int_equal(len, 1);
			assert_int_equal(d[0], 6);
		}
		if (n == 3) {
			d = nftnl_expr_get(x, NFTNL_EXPR_CMP_DATA, &len);
			assert_int_equal(len, 2);
			assert_int_equal(d[0], 0x1f);
			assert_int_equal(d[1], 0x90);
		}
		/* ip daddr != 127.0.0.0/8: loopback is not forwarded (it hung) */
		if (n == 4)
			assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_PAYLOAD_OFFSET), 16);
		if (n == 5) {
			d = nftnl_expr_get(x, NFTNL_EXPR_BITWISE_MASK, &len);
			assert_int_equal(len, 4);
			assert_memory_equal(d, "\xff\0\0\0", 4);
		}
		if (n == 6) {
			assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_CMP_OP), NFT_CMP_NEQ);
			d = nftnl_expr_get(x, NFTNL_EXPR_CMP_DATA, &len);
			assert_int_equal(len, 4);
			assert_memory_equal(d, "\x7f\0\0\0", 4);
		}
		if (n == 11)
			assert_int_equal(nftnl_expr_get_u32(x, NFTNL_EXPR_NAT_TYPE), NFT_NAT_DNAT);
		n++;
	}
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(nr);
	assert_int_equal(n, 12);
	assert_string_equal(names[0], "meta");
	assert_string_equal(names[4], "payload");
	assert_string_equal(names[5], "bitwise");
	assert_string_equal(names[7], "fib");
	assert_string_equal(names[9], "immediate");
	assert_string_equal(names[11], "nat");
}

/* ------------------------------------------------------------ other forms */

/* A rule message with EXPRS, as someone editing the table might leave. */
static struct nn_nat_found decode_custom(const char *tag, void (*fill)(struct nftnl_rule *))
{
	static char buf[NN_NAT_MSG_MAX];
	struct nftnl_rule *nr = nftnl_rule_alloc();
	struct nn_nat_found f;
	struct nn_error e = { 0 };
	struct nlmsghdr *nlh;
	char name[256];

	nftnl_rule_set_u32(nr, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	nftnl_rule_set_str(nr, NFTNL_RULE_TABLE, NN_NAT_TABLE);
	nftnl_rule_set_str(nr, NFTNL_RULE_CHAIN, "mychain");
	nftnl_rule_set_u64(nr, NFTNL_RULE_HANDLE, 77);
	if (tag) {
		uint8_t ud[64];
		size_t l = strlen(tag) + 1;

		ud[0] = 0;
		ud[1] = (uint8_t)l;
		memcpy(ud + 2, tag, l);
		nftnl_rule_set_data(nr, NFTNL_RULE_USERDATA, ud, (uint32_t)(l + 2));
	}
	fill(nr);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_IPV4, 0, 1);
	nftnl_rule_nlmsg_build_payload(nlh, nr);
	nftnl_rule_free(nr);
	assert_int_equal(nn_nat_rule_decode(nlh, &f, name, sizeof(name), &e), 0);
	assert_string_equal(name, "mychain");
	assert_int_equal(f.chain, -1);
	assert_int_equal(f.rule.handle, 77);
	return f;
}

static void fill_masq_random(struct nftnl_rule *nr)
{
	struct nftnl_expr *x = nftnl_expr_alloc("payload");
	uint32_t net = htonl(0x0ac80000);

	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_OFFSET, 12);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_LEN, 4);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(x, NFTNL_EXPR_CMP_DATA, &net, 4);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("masq");
	nftnl_expr_set_u32(x, NFTNL_EXPR_MASQ_FLAGS, NF_NAT_RANGE_PROTO_RANDOM);
	nftnl_rule_add_expr(nr, x);
}

/* forward-port's DNAT as a netnsctl before 2026-12 wrote it: without
 * "ip daddr != 127.0.0.0/8" */
static void fill_dnat_with_loopback(struct nftnl_rule *nr)
{
	static const uint8_t tcp = IPPROTO_TCP;
	uint16_t port = htons(8080), to_port = htons(80);
	uint32_t local = RTN_LOCAL, to = htonl(0x0ac80002);
	struct nftnl_expr *x = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(x, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
	nftnl_expr_set_u32(x, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(x, NFTNL_EXPR_CMP_DATA, &tcp, 1);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("payload");
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_OFFSET, 2);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_LEN, 2);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(x, NFTNL_EXPR_CMP_DATA, &port, 2);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("fib");
	nftnl_expr_set_u32(x, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(x, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(x, NFTNL_EXPR_CMP_DATA, &local, 4);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(x, NFTNL_EXPR_IMM_DATA, &to, 4);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_DREG, NFT_REG_2);
	nftnl_expr_set(x, NFTNL_EXPR_IMM_DATA, &to_port, 2);
	nftnl_rule_add_expr(nr, x);
	x = nftnl_expr_alloc("nat");
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
	nftnl_rule_add_expr(nr, x);
}

static void fill_masq_plain(struct nftnl_rule *nr)
{
	nftnl_rule_add_expr(nr, nftnl_expr_alloc("masq"));
}

static void fill_nothing(struct nftnl_rule *nr)
{
	(void)nr;
}

static void test_other_forms(void **state)
{
	struct nn_nat_found f;

	(void)state;
	/* masquerade random: the match is ours, the target is not */
	f = decode_custom("masq inner", fill_masq_random);
	assert_int_equal(f.rule.kind, NN_NAT_OTHER);
	assert_string_equal(f.rule.tag, "masq inner");
	/* masquerade of everything: no source match */
	f = decode_custom("x", fill_masq_plain);
	assert_int_equal(f.rule.kind, NN_NAT_OTHER);
	/* an older forward-port's DNAT, which took 127.0.0.1 too: another
	 * rule, so that the next forward-port or apply replaces it */
	f = decode_custom("dnat:tcp:8080", fill_dnat_with_loopback);
	assert_int_equal(f.rule.kind, NN_NAT_OTHER);
	assert_string_equal(f.rule.tag, "dnat:tcp:8080");
	/* no expressions, no tag */
	f = decode_custom(NULL, fill_nothing);
	assert_int_equal(f.rule.kind, NN_NAT_OTHER);
	assert_string_equal(f.rule.tag, "");
}

static void test_decode_malformed(void **state)
{
	static char buf[256];
	struct nlmsghdr *nlh;
	struct nn_nat_found f;
	struct nn_error e = { 0 };
	char name[256];

	(void)state;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_IPV4, 0, 1);
	/* an attribute running past the end of the message */
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "postrouting");
	((struct nlattr *)((char *)nlh + NLMSG_HDRLEN + sizeof(struct nfgenmsg)))->nla_len = 200;
	assert_int_equal(nn_nat_rule_decode(nlh, &f, name, sizeof(name), &e), -EPROTO);
	assert_int_equal(e.code, EPROTO);
}

/* ------------------------------------------------------------ checks */

static void expect_bad(const struct nn_nat_rule *r, const char *msg)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_nat_rule_check(r, &e), -EINVAL);
	assert_string_equal(e.msg, msg);
}

/* Issue #12: connect-host --nat café made the tag "masq:#HASH", which the
 * tag check refuses.  A name a tag cannot hold is hashed after "PREFIX=". */
static void test_tag_for(void **state)
{
	struct nn_nat_rule r;
	struct nn_error e = { 0 };
	char tag[NN_NAT_TAG_MAX], other[NN_NAT_TAG_MAX], name[300];
	struct nn_lab *lab;

	nn_nat_tag_for(tag, sizeof(tag), "masq", "sva");
	assert_string_equal(tag, "masq:sva");
	nn_nat_tag_for(tag, sizeof(tag), "masq", "caf\xc3\xa9");
	assert_int_equal(strncmp(tag, "masq=", 5), 0);
	assert_int_equal(strspn(tag + 5, "0123456789abcdef"), 8);
	assert_int_equal(strlen(tag), 13);
	nn_nat_tag_for(other, sizeof(other), "masq", "caf\xc3\xa9");
	assert_string_equal(tag, other);	/* stable */
	nn_nat_tag_for(other, sizeof(other), "masq", "a#b");
	assert_string_not_equal(tag, other);
	/* a name that is one's hash form is still a plain tag, not a clash */
	nn_nat_tag_for(other, sizeof(other), "masq", tag + 5);
	assert_int_equal(strncmp(other, "masq:", 5), 0);
	/* too long for a tag: hashed too */
	memset(name, 'a', 200);
	name[200] = '\0';
	nn_nat_tag_for(tag, sizeof(tag), "masq", name);
	assert_int_equal(strlen(tag), 13);
	/* every form passes the rule check */
	memset(&r, 0, sizeof(r));
	r.kind = NN_NAT_MASQUERADE;
	r.src.family = AF_INET;
	r.src.len = 30;
	nn_nat_tag_for(r.tag, sizeof(r.tag), "masq", "caf\xc3\xa9");
	assert_int_equal(nn_nat_rule_check(&r, &e), 0);
	/* and the engine's, stricter (the tag goes into the journal) */
	lab = nn_lab_new("connect-host:x");
	assert_non_null(lab);
	if (nn_lab_add_nat(lab, &r, &e) < 0)
		fail_msg("%s", e.msg);
	nn_lab_free(lab);
}

static void test_check(void **state)
{
	struct nn_nat_rule r;
	struct nn_error e = { 0 };

	(void)state;
	r = masq("", "10.0.0.0/8", "");
	expect_bad(&r, "invalid NAT rule tag \"\": empty");
	r = masq("a\"b", "10.0.0.0/8", "");
	expect_bad(&r, "invalid NAT rule tag \"a\"b\": only printable ASCII without '\"' or '\\\\'");
	r = masq("tab\there", "10.0.0.0/8", "");
	assert_int_equal(nn_nat_rule_check(&r, &e), -EINVAL);
	r = masq("x", "10.0.0.0/8", "");
	memset(r.tag, 'a', sizeof(r.tag));
	assert_int_equal(nn_nat_rule_check(&r, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "longer than 127 bytes"));
	r.tag[sizeof(r.tag) - 1] = '\0';
	assert_int_equal(nn_nat_rule_check(&r, &e), 0);	/* 127 is fine */

	r = masq("m", "fd00::/64", "");
	expect_bad(&r, "NAT rule \"m\": masquerade needs an IPv4 source network");
	r = masq("m", "10.0.0.0/8", "");
	memset(r.except_if, 'x', sizeof(r.except_if));
	assert_int_equal(nn_nat_rule_check(&r, &e), -EINVAL);

	r = dnat("d", IPPROTO_SCTP, 1, "10.0.0.1", 1);
	expect_bad(&r, "NAT rule \"d\": invalid protocol \"132\": tcp or udp");
	r = dnat("d", IPPROTO_TCP, 0, "10.0.0.1", 1);
	expect_bad(&r, "NAT rule \"d\": invalid port \"0\"");
	r = dnat("d", IPPROTO_TCP, 1, "10.0.0.1", 0);
	expect_bad(&r, "NAT rule \"d\": invalid port \"0\"");
	r = dnat("d", IPPROTO_UDP, 1, "0.0.0.0", 1);
	expect_bad(&r, "NAT rule \"d\": invalid address \"0.0.0.0\"");
	r.kind = NN_NAT_OTHER;
	assert_int_equal(nn_nat_rule_check(&r, &e), -EINVAL);
}

static void test_same(void **state)
{
	struct nn_nat_rule a = masq("m", "10.0.0.0/8", "v"), b = a;
	struct nn_nat_rule d = dnat("d", IPPROTO_TCP, 1, "10.0.0.1", 2), d2 = d;

	(void)state;
	b.handle = 99;
	assert_true(nn_nat_rule_same(&a, &b));
	b.src.len = 9;
	assert_false(nn_nat_rule_same(&a, &b));
	b = a;
	strcpy(b.except_if, "w");
	assert_false(nn_nat_rule_same(&a, &b));
	b = a;
	strcpy(b.tag, "n");
	assert_false(nn_nat_rule_same(&a, &b));
	assert_true(nn_nat_rule_same(&d, &d2));
	d2.proto = IPPROTO_UDP;
	assert_false(nn_nat_rule_same(&d, &d2));
	d2 = d;
	d2.to_port = 3;
	assert_false(nn_nat_rule_same(&d, &d2));
	d2 = d;
	d2.kind = NN_NAT_OTHER;
	assert_false(nn_nat_rule_same(&d2, &d2));	/* never matches, not even itself */
}

/* ------------------------------------------------------------ one per tag */

static struct nn_nat_found found(int chain, struct nn_nat_rule r)
{
	struct nn_nat_found f = { .chain = chain, .rule = r };

	return f;
}

/* netnsctl's nonce travels beside the tag, is read back, and does not make
 * two rules differ; halves of a DNAT rule with other nonces prove nothing. */
static void test_nonce(void **state)
{
	struct nn_nat_rule m = masq("masq:a", "10.200.0.0/30", "nn-a");
	struct nn_nat_rule d = dnat("dnat:tcp:80", IPPROTO_TCP, 80, "10.200.0.2", 8080);
	struct nn_nat_found f[2], g;
	struct nn_nat_rule *out;
	size_t n;

	(void)state;
	g = round_trip(&m, NN_NAT_CHAIN_POSTROUTING);
	assert_true(g.rule.nonce == 0);
	m.nonce = 0x0123456789abcdefULL;
	g = round_trip(&m, NN_NAT_CHAIN_POSTROUTING);
	assert_true(g.rule.nonce == 0x0123456789abcdefULL);
	assert_string_equal(g.rule.tag, "masq:a");
	g.rule.nonce = 7;
	assert_true(nn_nat_rule_same(&g.rule, &m));

	d.nonce = 5;
	f[0] = round_trip(&d, NN_NAT_CHAIN_PREROUTING);
	f[1] = round_trip(&d, NN_NAT_CHAIN_OUTPUT);
	assert_int_equal(nn_nat_merge(f, 2, &out, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].kind, NN_NAT_DNAT);
	assert_true(out[0].nonce == 5);
	free(out);
	f[1].rule.nonce = 6;
	assert_int_equal(nn_nat_merge(f, 2, &out, &n), 0);
	assert_int_equal(out[0].kind, NN_NAT_DNAT);
	assert_true(out[0].nonce == 0);
	free(out);
}

static void test_merge(void **state)
{
	struct nn_nat_rule m = masq("masq a", "10.200.0.0/30", "nn-a");
	struct nn_nat_rule d = dnat("dnat tcp 80", IPPROTO_TCP, 80, "10.200.0.2", 8080);
	struct nn_nat_rule d2 = d, untagged = m, *out;
	struct nn_nat_found f[8];
	size_t n;

	(void)state;
	d2.to_port = 1;
	untagged.tag[0] = '\0';

	/* whole rules */
	f[0] = found(NN_NAT_CHAIN_POSTROUTING, m);
	f[1] = found(NN_NAT_CHAIN_PREROUTING, d);
	f[2] = found(NN_NAT_CHAIN_OUTPUT, d);
	assert_int_equal(nn_nat_merge(f, 3, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_same_rule(&out[0], &m);
	assert_same_rule(&out[1], &d);
	free(out);

	/* DNAT only in prerouting; masquerade in the wrong chain; untagged twice */
	f[0] = found(NN_NAT_CHAIN_PREROUTING, m);
	f[1] = found(NN_NAT_CHAIN_PREROUTING, d);
	f[2] = found(NN_NAT_CHAIN_POSTROUTING, untagged);
	f[3] = found(NN_NAT_CHAIN_POSTROUTING, untagged);
	assert_int_equal(nn_nat_merge(f, 4, &out, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i].kind, NN_NAT_OTHER);
	assert_string_equal(out[0].tag, "masq a");
	assert_string_equal(out[1].tag, "dnat tcp 80");
	free(out);

	/* the two DNAT halves differ; masquerade twice */
	f[0] = found(NN_NAT_CHAIN_PREROUTING, d);
	f[1] = found(NN_NAT_CHAIN_OUTPUT, d2);
	f[2] = found(NN_NAT_CHAIN_POSTROUTING, m);
	f[3] = found(NN_NAT_CHAIN_POSTROUTING, m);
	assert_int_equal(nn_nat_merge(f, 4, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].kind, NN_NAT_OTHER);
	assert_int_equal(out[1].kind, NN_NAT_OTHER);
	free(out);

	/* a tag in a foreign chain */
	f[0] = found(-1, m);
	assert_int_equal(nn_nat_merge(f, 1, &out, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].kind, NN_NAT_OTHER);
	free(out);

	assert_int_equal(nn_nat_merge(f, 0, &out, &n), 0);
	assert_null(out);
	assert_int_equal(n, 0);
}

static void test_other_messages(void **state)
{
	static char buf[NN_NAT_MSG_MAX];
	struct nlmsghdr *nlh;

	(void)state;
	nlh = nn_nat_table_msg(buf, 5, NFT_MSG_NEWTABLE);
	assert_int_equal(NFNL_MSG_TYPE(nlh->nlmsg_type), NFT_MSG_NEWTABLE);
	assert_true(nlh->nlmsg_flags & NLM_F_CREATE);
	assert_false(nlh->nlmsg_flags & NLM_F_EXCL);
	nlh = nn_nat_chain_msg(buf, 6, NN_NAT_CHAIN_OUTPUT);
	assert_int_equal(NFNL_MSG_TYPE(nlh->nlmsg_type), NFT_MSG_NEWCHAIN);
	assert_false(nlh->nlmsg_flags & NLM_F_EXCL);
	nlh = nn_nat_delrule_msg(buf, 7, "prerouting", 12);
	assert_int_equal(NFNL_MSG_TYPE(nlh->nlmsg_type), NFT_MSG_DELRULE);
	nlh = nn_nat_getrule_msg(buf, 8);
	assert_true(nlh->nlmsg_flags & NLM_F_DUMP);
	assert_int_equal(nn_nat_chain_by_name("output"), NN_NAT_CHAIN_OUTPUT);
	assert_int_equal(nn_nat_chain_by_name("forward"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masq_round_trip),
		cmocka_unit_test(test_masq_full_ifname),
		cmocka_unit_test(test_dnat_round_trip),
		cmocka_unit_test(test_tag_is_an_nft_comment),
		cmocka_unit_test(test_dnat_wire_values),
		cmocka_unit_test(test_other_forms),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_tag_for),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_nonce),
		cmocka_unit_test(test_other_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
