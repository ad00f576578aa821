// SPDX-License-Identifier: GPL-2.0-or-later
/* Partitions without a kernel: ids, the messages of table inet netnsctl
 * built and read back, other forms refused, and the per-id merge that
 * decides what is whole and whose. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "netnsctl/partition.h"
#include "kernel/nft.h"
#include "kernel/partition_codec.h"

static char buf[NN_NFT_MSG_MAX];

static void test_id(void **state)
{
	const char *a[] = { "a1", "a2", "a3" }, *a_other[] = { "a3", "a1", "a2" };
	const char *b[] = { "b1", "b2" }, *b_other[] = { "b2", "b1" };
	const char *c[] = { "a1", "a2" }, *d[] = { "a3", "b1", "b2" };
	char x[NN_PARTITION_ID_MAX], y[NN_PARTITION_ID_MAX], z[NN_PARTITION_ID_MAX];
	struct nn_error e = { 0 };

	(void)state;
	nn_partition_id(x, a, 3, b, 2);
	assert_int_equal(strlen(x), 17);
	assert_int_equal(x[0], 'p');
	assert_int_equal(nn_partition_id_check(x, &e), 0);
	/* the same groups, in any order, either side first */
	nn_partition_id(y, b_other, 2, a_other, 3);
	assert_string_equal(x, y);
	/* the same names split otherwise is another partition */
	nn_partition_id(z, c, 2, d, 3);
	assert_string_not_equal(x, z);
	assert_int_equal(nn_partition_id_check("", &e), -EINVAL);
	assert_int_equal(nn_partition_id_check("P1", &e), -EINVAL);
	assert_string_equal(e.msg, "invalid partition id \"P1\": only a-z, 0-9, _ and -");
	assert_int_equal(nn_partition_id_check("a-very-long-id-of-thirty-two-chr", &e), -EINVAL);
	assert_int_equal(nn_partition_id_check("split_1-b", &e), 0);
}

static struct nn_part_obj decode_rule(struct nlmsghdr *nlh)
{
	struct nn_part_obj o;
	struct nn_error e = { 0 };

	assert_true(nlh->nlmsg_len <= sizeof(buf));
	assert_int_equal(nn_part_rule_decode(nlh, &o, &e), 0);
	return o;
}

static void test_rule_round_trip(void **state)
{
	struct nn_part_obj o;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = nn_part_rule_msg(buf, 7, "p0123456789abcdef", AF_INET, 0x1122334455667788ULL, 1);
	assert_int_equal(NFNL_MSG_TYPE(nlh->nlmsg_type), NFT_MSG_NEWRULE);
	assert_true(nlh->nlmsg_flags & NLM_F_APPEND);
	o = decode_rule(nlh);
	assert_int_equal(o.type, NN_PART_RULE);
	assert_string_equal(o.id, "p0123456789abcdef");
	assert_string_equal(o.name, "input");
	assert_int_equal(o.nonce, 0x1122334455667788ULL);
	assert_int_equal(o.family, AF_INET);

	o = decode_rule(nn_part_rule_msg(buf, 8, "split", AF_INET6, 42, 2));
	assert_string_equal(o.id, "split");
	assert_int_equal(o.family, AF_INET6);
	assert_int_equal(o.nonce, 42);
}

/* The comment is what `nft list` shows: type COMMENT, the text and its NUL. */
static void test_rule_comment(void **state)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	const uint8_t *p;
	uint32_t n = 0;

	(void)state;
	assert_int_equal(nftnl_rule_nlmsg_parse(nn_part_rule_msg(buf, 1, "p1", AF_INET, 5, 1), r), 0);
	p = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &n);
	assert_true(n >= 2 + sizeof("partition p1"));
	assert_int_equal(p[0], NFTNL_UDATA_RULE_COMMENT);
	assert_int_equal(p[1], sizeof("partition p1"));
	assert_memory_equal(p + 2, "partition p1", sizeof("partition p1"));
	assert_int_equal(p[2 + p[1]], NN_PART_UDATA_NONCE);
	nftnl_rule_free(r);
}

/* A rule as someone else might write it in the table: not ours. */
static struct nlmsghdr *hand_rule(const char *comment, const char *chain, bool invert, uint32_t verdict)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	uint8_t proto = NFPROTO_IPV4;
	struct nftnl_expr *x;
	struct nlmsghdr *nlh;

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NN_PARTITION_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 99);
	if (comment) {
		nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
	}
	nftnl_udata_buf_free(ud);
	x = nftnl_expr_alloc("meta");
	nftnl_expr_set_u32(x, NFTNL_EXPR_META_KEY, NFT_META_NFPROTO);
	nftnl_expr_set_u32(x, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, x);
	x = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(x, NFTNL_EXPR_CMP_DATA, &proto, 1);
	nftnl_rule_add_expr(r, x);
	x = nftnl_expr_alloc("payload");
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_OFFSET, 12);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_LEN, 4);
	nftnl_rule_add_expr(r, x);
	x = nftnl_expr_alloc("lookup");
	nftnl_expr_set_u32(x, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(x, NFTNL_EXPR_LOOKUP_SET, "p1-4");
	if (invert)
		nftnl_expr_set_u32(x, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	nftnl_rule_add_expr(r, x);
	x = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_VERDICT, verdict);
	nftnl_rule_add_expr(r, x);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, 0, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	return nlh;
}

static void test_rule_other_forms(void **state)
{
	struct nn_part_obj o;

	(void)state;
	/* the form itself, written by hand: ours by its comment (no nonce) */
	o = decode_rule(hand_rule("partition p1", "input", false, NF_DROP));
	assert_string_equal(o.id, "p1");
	assert_int_equal(o.family, AF_INET);
	assert_int_equal(o.nonce, 0);
	assert_int_equal(o.handle, 99);
	/* "!= @p1-4", accept, another chain: no form of ours */
	assert_int_equal(decode_rule(hand_rule("partition p1", "input", true, NF_DROP)).family, 0);
	assert_int_equal(decode_rule(hand_rule("partition p1", "input", false, NF_ACCEPT)).family, 0);
	o = decode_rule(hand_rule("partition p1", "forward", false, NF_DROP));
	assert_int_equal(o.family, 0);
	assert_string_equal(o.name, "forward");
	/* no comment, another comment, a comment with an id netnsctl never writes */
	assert_string_equal(decode_rule(hand_rule(NULL, "input", false, NF_DROP)).id, "");
	assert_string_equal(decode_rule(hand_rule("block p1", "input", false, NF_DROP)).id, "");
	assert_string_equal(decode_rule(hand_rule("partition P/1", "input", false, NF_DROP)).id, "");
	/* a rule naming another id's set is not that id's */
	assert_int_equal(decode_rule(hand_rule("partition p2", "input", false, NF_DROP)).family, 0);
}

static void test_set_round_trip(void **state)
{
	struct nn_part_obj o;
	struct nn_error e = { 0 };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = nn_part_set_msg(buf, 3, "p1", AF_INET, 0xabc, 1);
	assert_int_equal(NFNL_MSG_TYPE(nlh->nlmsg_type), NFT_MSG_NEWSET);
	assert_int_equal(nn_part_set_decode(nlh, &o, &e), 0);
	assert_int_equal(o.type, NN_PART_SET);
	assert_string_equal(o.name, "p1-4");
	assert_string_equal(o.id, "p1");
	assert_int_equal(o.nonce, 0xabc);
	assert_int_equal(o.family, AF_INET);
	assert_int_equal(nn_part_set_decode(nn_part_set_msg(buf, 3, "p1", AF_INET6, 5, 2), &o, &e), 0);
	assert_string_equal(o.name, "p1-6");
	assert_int_equal(o.family, AF_INET6);
}

/* The elements as the kernel reads them: ELEMENTS { elem { KEY { VALUE } } ... }.
 * (libnftnl's own parser refuses the list its builder writes: it numbers
 * the elements' nests 1, 2, ... and then wants NFTA_LIST_ELEM for each.) */
static void test_setelem(void **state)
{
	struct in6_addr v6[NN_PART_ELEMS_PER_MSG];
	const struct nlattr *a, *list = NULL, *el;
	struct nlmsghdr *nlh;
	char set[32] = "";
	size_t n = 0;

	(void)state;
	memset(v6, 0, sizeof(v6));
	for (int i = 0; i < NN_PART_ELEMS_PER_MSG; i++) {
		v6[i].s6_addr[0] = 0xfd;
		v6[i].s6_addr[14] = (uint8_t)(i >> 8);
		v6[i].s6_addr[15] = (uint8_t)i;
	}
	/* the most elements a message takes fit the room of one */
	nlh = nn_part_setelem_msg(buf, 9, "p1", AF_INET6, v6, NN_PART_ELEMS_PER_MSG);
	assert_true(nlh->nlmsg_len <= NN_NFT_MSG_MAX);
	assert_int_equal(NFNL_MSG_TYPE(nlh->nlmsg_type), NFT_MSG_NEWSETELEM);
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_SET)
			snprintf(set, sizeof(set), "%s", mnl_attr_get_str(a));
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_ELEMENTS)
			list = a;
	}
	assert_string_equal(set, "p1-6");
	assert_non_null(list);
	mnl_attr_for_each_nested(el, list) {
		const struct nlattr *k, *v;
		bool found = false;

		mnl_attr_for_each_nested(k, el) {
			if (mnl_attr_get_type(k) != NFTA_SET_ELEM_KEY)
				continue;
			mnl_attr_for_each_nested(v, k) {
				assert_int_equal(mnl_attr_get_type(v), NFTA_DATA_VALUE);
				assert_int_equal(mnl_attr_get_payload_len(v), 16);
				assert_memory_equal(mnl_attr_get_payload(v), &v6[n], 16);
				found = true;
			}
		}
		assert_true(found);
		n++;
	}
	assert_int_equal(n, NN_PART_ELEMS_PER_MSG);
}

static void test_table(void **state)
{
	struct nn_error e = { 0 };

	(void)state;
	assert_int_equal(nn_part_table_decode(nn_part_table_msg(buf, 1, NFT_MSG_NEWTABLE), &e), 1);
	/* a table of that name without netnsctl's comment is not netnsctl's */
	assert_int_equal(nn_part_table_decode(nn_part_table_msg(buf, 1, NFT_MSG_DELTABLE), &e), 0);
}

static void test_malformed(void **state)
{
	struct nn_part_obj o;
	struct nn_error e = { 0 };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = nn_part_rule_msg(buf, 1, "p1", AF_INET, 5, 1);
	nlh->nlmsg_len -= 4;	/* the last attribute cut */
	assert_int_equal(nn_part_rule_decode(nlh, &o, &e), -EPROTO);
	assert_string_equal(e.msg, "cannot read an nftables rule: malformed message");
	nlh = nn_part_set_msg(buf, 1, "p1", AF_INET, 5, 1);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	assert_int_equal(nn_part_set_decode(nlh, &o, &e), -EPROTO);
}

static struct nn_part_obj obj(int type, const char *id, uint64_t nonce, int family)
{
	struct nn_part_obj o = { .type = type, .nonce = nonce, .family = family };

	snprintf(o.id, sizeof(o.id), "%s", id);
	return o;
}

static void test_merge(void **state)
{
	struct nn_part_obj v[] = {
		obj(NN_PART_SET, "p1", 5, AF_INET), obj(NN_PART_SET, "p1", 5, AF_INET6),
		obj(NN_PART_RULE, "p1", 5, AF_INET), obj(NN_PART_RULE, "p1", 5, AF_INET6),
		obj(NN_PART_RULE, "", 0, 0),				/* someone's rule */
		obj(NN_PART_SET, "p2", 7, AF_INET), obj(NN_PART_RULE, "p2", 7, AF_INET),	/* half */
		obj(NN_PART_SET, "p3", 1, AF_INET), obj(NN_PART_SET, "p3", 1, AF_INET6),
		obj(NN_PART_RULE, "p3", 1, AF_INET), obj(NN_PART_RULE, "p3", 2, AF_INET6),	/* two runs */
		obj(NN_PART_SET, "p4", 1, AF_INET), obj(NN_PART_SET, "p4", 1, AF_INET6),
		obj(NN_PART_RULE, "p4", 1, AF_INET), obj(NN_PART_RULE, "p4", 1, 0),		/* edited */
		obj(NN_PART_SET, "p5", 1, AF_INET), obj(NN_PART_SET, "p5", 1, AF_INET6),
		obj(NN_PART_RULE, "p5", 1, AF_INET), obj(NN_PART_RULE, "p5", 1, AF_INET6),
		obj(NN_PART_RULE, "p5", 1, AF_INET6),						/* twice */
		obj(NN_PART_SET, "p6", 0, AF_INET), obj(NN_PART_SET, "p6", 0, AF_INET6),
		obj(NN_PART_RULE, "p6", 0, AF_INET), obj(NN_PART_RULE, "p6", 0, AF_INET6),	/* no mark */
	};
	struct nn_partition_found *f;
	size_t n;

	(void)state;
	assert_int_equal(nn_part_merge(v, sizeof(v) / sizeof(v[0]), &f, &n), 0);
	assert_int_equal(n, 6);
	assert_string_equal(f[0].id, "p1");
	assert_true(f[0].whole);
	assert_int_equal(f[0].nonce, 5);
	assert_int_equal(f[0].rules, 3);
	assert_int_equal(f[0].sets, 3);
	assert_string_equal(f[1].id, "p2");
	assert_false(f[1].whole);
	assert_int_equal(f[1].rules, 1);
	assert_int_equal(f[1].nonce, 7);
	assert_false(f[2].whole);
	assert_int_equal(f[2].nonce, 0);
	assert_false(f[3].whole);
	assert_false(f[4].whole);
	assert_false(f[5].whole);
	free(f);
	assert_int_equal(nn_part_merge(v, 0, &f, &n), 0);
	assert_int_equal(n, 0);
	free(f);
}

static void test_overlap(void **state)
{
	struct in_addr a4[2], b4[1];
	struct in6_addr a6[1], b6[2];
	struct nn_partition_addrs a = { a4, 2, a6, 1 }, b = { b4, 1, b6, 2 };
	char text[64];

	(void)state;
	inet_pton(AF_INET, "10.0.0.1", &a4[0]);
	inet_pton(AF_INET, "10.0.0.2", &a4[1]);
	inet_pton(AF_INET, "10.0.0.3", &b4[0]);
	inet_pton(AF_INET6, "fd00::1", &a6[0]);
	inet_pton(AF_INET6, "fd00::2", &b6[0]);
	inet_pton(AF_INET6, "fe80::1", &b6[1]);
	assert_int_equal(nn_partition_addrs_overlap(&a, &b, text, sizeof(text)), 0);
	inet_pton(AF_INET6, "fd00::1", &b6[1]);
	assert_int_equal(nn_partition_addrs_overlap(&a, &b, text, sizeof(text)), 1);
	assert_string_equal(text, "fd00::1");
	inet_pton(AF_INET, "10.0.0.2", &b4[0]);
	assert_int_equal(nn_partition_addrs_overlap(&a, &b, text, sizeof(text)), 1);
	assert_string_equal(text, "10.0.0.2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_rule_round_trip),
		cmocka_unit_test(test_rule_comment),
		cmocka_unit_test(test_rule_other_forms),
		cmocka_unit_test(test_set_round_trip),
		cmocka_unit_test(test_setelem),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_overlap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
