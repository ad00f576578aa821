// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "netnsctl/partition.h"
#include "kernel/partition_codec.h"
#include "kernel/nft_codec.h"
#include "util/cleanup.h"

/* nft's datatypes of the set keys, and its byte order enum (BIG_ENDIAN) */
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_IP6ADDR 8
#define NFT_BYTEORDER_BIG_ENDIAN 2

/* --- ids --- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* FNV-1a over the sorted names of a group, each with its NUL. */
static uint64_t hash_group(uint64_t h, const char *const *v, size_t n)
{
	const char **s = calloc(n ? n : 1, sizeof(*s));

	if (!s)
		abort();
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), str_cmp);
	for (size_t i = 0; i < n; i++)
		for (const char *c = s[i];; c++) {
			h = (h ^ (uint8_t)*c) * 1099511628211ULL;
			if (!*c)
				break;
		}
	free(s);
	return h;
}

void nn_partition_id(char buf[NN_PARTITION_ID_MAX], const char *const *a, size_t na,
		     const char *const *b, size_t nb)
{
	const uint64_t basis = 14695981039346656037ULL;
	uint64_t ha = hash_group(basis, a, na), hb = hash_group(basis, b, nb);
	/* the two groups in an order of their own, then both together */
	uint64_t lo = ha < hb ? ha : hb, hi = ha < hb ? hb : ha;
	uint64_t h = basis;

	for (int i = 0; i < 8; i++)
		h = (h ^ ((lo >> (8 * i)) & 0xff)) * 1099511628211ULL;
	for (int i = 0; i < 8; i++)
		h = (h ^ ((hi >> (8 * i)) & 0xff)) * 1099511628211ULL;
	snprintf(buf, NN_PARTITION_ID_MAX, "p%016llx", (unsigned long long)h);
}

int nn_partition_id_check(const char *id, struct nn_error *e)
{
	size_t len = strnlen(id, NN_PARTITION_ID_MAX);

	if (len == 0 || len >= NN_PARTITION_ID_MAX)
		return nn_error_setx(e, EINVAL, "invalid partition id \"%.40s\": 1 to %d characters",
				     id, NN_PARTITION_ID_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') ||
		      id[i] == '_' || id[i] == '-'))
			return nn_error_setx(e, EINVAL, "invalid partition id \"%.40s\": only a-z, 0-9, _ and -",
					     id);
	return 0;
}

const char *nn_part_set_name(char *buf, size_t len, const char *id, int family)
{
	snprintf(buf, len, "%s-%c", id, family == AF_INET6 ? '6' : '4');
	return buf;
}

/* --- building --- */

static void *must(void *p)
{
	/* libnftnl's allocations are a few bytes: as malloc in a parser */
	if (!p)
		abort();
	return p;
}

static void put_udata(struct nftnl_udata_buf *ud, uint8_t comment_type, const char *id,
		      uint64_t nonce)
{
	char comment[NN_PARTITION_ID_MAX + 16];
	uint64_t be = htobe64(nonce);

	snprintf(comment, sizeof(comment), NN_PART_COMMENT_PREFIX "%s", id);
	nftnl_udata_put_strz(ud, comment_type, comment);
	if (nonce)
		nftnl_udata_put(ud, NN_PART_UDATA_NONCE, sizeof(be), &be);
}

struct nlmsghdr *nn_part_table_msg(char *buf, uint32_t seq, int type)
{
	struct nftnl_table *t = must(nftnl_table_alloc());

	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NN_PARTITION_TABLE);
	if (type == NFT_MSG_NEWTABLE) {
		struct nftnl_udata_buf *ud = must(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));

		nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, NN_PART_TABLE_COMMENT);
		nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	/* CREATE without EXCL: an existing table is fine (and keeps its comment) */
	return nn_nft_table_msg(buf, type, NFPROTO_INET,
				(type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0) | NLM_F_ACK, seq, t);
}

struct nlmsghdr *nn_part_chain_msg(char *buf, uint32_t seq)
{
	struct nftnl_chain *c = must(nftnl_chain_alloc());

	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NN_PARTITION_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, NN_PARTITION_CHAIN);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_IN);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, NN_PARTITION_PRIO);
	return nn_nft_chain_msg(buf, NFT_MSG_NEWCHAIN, NFPROTO_INET,
				NLM_F_CREATE | NLM_F_ACK, seq, c);
}

static struct nftnl_set *set_new(const char *id, int family)
{
	struct nftnl_set *s = must(nftnl_set_alloc());
	char name[NN_PARTITION_ID_MAX + 4];

	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NN_PARTITION_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, nn_part_set_name(name, sizeof(name), id, family));
	return s;
}

struct nlmsghdr *nn_part_set_msg(char *buf, uint32_t seq, const char *id, int family,
				 uint64_t nonce, uint32_t set_id)
{
	struct nftnl_set *s = set_new(id, family);
	struct nftnl_udata_buf *ud = must(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));

	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, family == AF_INET6 ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, family == AF_INET6 ? 16 : 4);
	nftnl_set_set_u32(s, NFTNL_SET_ID, set_id);
	/* as nft writes a set of addresses, so that `nft list` prints them */
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, NFT_BYTEORDER_BIG_ENDIAN);
	put_udata(ud, NFTNL_UDATA_SET_COMMENT, id, nonce);
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return nn_nft_set_msg(buf, NFT_MSG_NEWSET, NFPROTO_INET,
			      NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, seq, s);
}

struct nlmsghdr *nn_part_setelem_msg(char *buf, uint32_t seq, const char *id, int family,
				     const void *addrs, size_t n)
{
	struct nftnl_set *s = set_new(id, family);
	size_t len = family == AF_INET6 ? 16 : 4;
	struct nlmsghdr *nlh;

	for (size_t i = 0; i < n; i++) {
		struct nftnl_set_elem *el = must(nftnl_set_elem_alloc());

		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, (const char *)addrs + i * len, (uint32_t)len);
		nftnl_set_elem_add(s, el);
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSETELEM, NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return nlh;
}

static void add_expr(struct nftnl_rule *r, const char *name, struct nftnl_expr **out)
{
	*out = must(nftnl_expr_alloc(name));
	nftnl_rule_add_expr(r, *out);
}

struct nlmsghdr *nn_part_rule_msg(char *buf, uint32_t seq, const char *id, int family,
				  uint64_t nonce, uint32_t set_id)
{
	struct nftnl_rule *r = must(nftnl_rule_alloc());
	struct nftnl_udata_buf *ud = must(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
	uint8_t proto = family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	char name[NN_PARTITION_ID_MAX + 4];
	struct nftnl_expr *x;

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NN_PARTITION_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, NN_PARTITION_CHAIN);
	put_udata(ud, NFTNL_UDATA_RULE_COMMENT, id, nonce);
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);

	add_expr(r, "meta", &x);
	nftnl_expr_set_u32(x, NFTNL_EXPR_META_KEY, NFT_META_NFPROTO);
	nftnl_expr_set_u32(x, NFTNL_EXPR_META_DREG, NFT_REG_1);
	add_expr(r, "cmp", &x);
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(x, NFTNL_EXPR_CMP_DATA, &proto, 1);
	add_expr(r, "payload", &x);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_OFFSET, family == AF_INET6 ? 8 : 12);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_LEN, family == AF_INET6 ? 16 : 4);
	add_expr(r, "lookup", &x);
	nftnl_expr_set_u32(x, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(x, NFTNL_EXPR_LOOKUP_SET, nn_part_set_name(name, sizeof(name), id, family));
	nftnl_expr_set_u32(x, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	add_expr(r, "immediate", &x);
	nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_VERDICT, NF_DROP);

	return nn_nft_rule_msg(buf, NFT_MSG_NEWRULE, NFPROTO_INET,
			       NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, seq, r);
}

struct nlmsghdr *nn_part_delrule_msg(char *buf, uint32_t seq, const char *chain, uint64_t handle)
{
	struct nftnl_rule *r = must(nftnl_rule_alloc());

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NN_PARTITION_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	return nn_nft_rule_msg(buf, NFT_MSG_DELRULE, NFPROTO_INET, NLM_F_ACK, seq, r);
}

struct nlmsghdr *nn_part_delset_msg(char *buf, uint32_t seq, const char *name)
{
	struct nftnl_set *s = must(nftnl_set_alloc());

	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NN_PARTITION_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	return nn_nft_set_msg(buf, NFT_MSG_DELSET, NFPROTO_INET, NLM_F_ACK, seq, s);
}

struct nlmsghdr *nn_part_getrule_msg(char *buf, uint32_t seq)
{
	struct nftnl_rule *r = must(nftnl_rule_alloc());

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NN_PARTITION_TABLE);
	return nn_nft_rule_msg(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP | NLM_F_ACK, seq, r);
}

struct nlmsghdr *nn_part_getset_msg(char *buf, uint32_t seq)
{
	struct nftnl_set *s = must(nftnl_set_alloc());

	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NN_PARTITION_TABLE);
	return nn_nft_set_msg(buf, NFT_MSG_GETSET, NFPROTO_INET, NLM_F_DUMP | NLM_F_ACK, seq, s);
}

/* --- reading --- */

/* The comment (type COMMENT_TYPE) "partition ID" and the nonce of userdata P (N bytes). */
static void decode_udata(const uint8_t *p, uint32_t n, uint8_t comment_type, char *id,
			 uint64_t *nonce)
{
	static const char prefix[] = NN_PART_COMMENT_PREFIX;
	const char *v;
	size_t l;
	struct nn_error e;

	nn_nft_udata_read(p, n, comment_type, NN_PART_UDATA_NONCE, &v, &l, nonce);
	id[0] = '\0';
	if (!v || l <= sizeof(prefix) - 1 || strncmp(v, prefix, sizeof(prefix) - 1) ||
	    l - sizeof(prefix) >= NN_PARTITION_ID_MAX)
		return;
	memcpy(id, v + sizeof(prefix) - 1, l - (sizeof(prefix) - 1));
	if (nn_partition_id_check(id, &e) < 0)
		id[0] = '\0';
}

struct xs {
	const struct nftnl_expr *x[8];
	size_t n;
};

static bool is(const struct nftnl_expr *x, const char *name)
{
	return !strcmp(nftnl_expr_get_str(x, NFTNL_EXPR_NAME), name);
}

static bool u32_is(const struct nftnl_expr *x, uint16_t attr, uint32_t want)
{
	return nftnl_expr_is_set(x, attr) && nftnl_expr_get_u32(x, attr) == want;
}

/* The rule's family when it is "meta nfproto F, saddr, lookup @ID-F, drop". */
static int rule_form(const struct xs *xs, const char *id)
{
	const struct nftnl_expr *m, *c, *pl, *lk, *im;
	char want[NN_PARTITION_ID_MAX + 4];
	const uint8_t *proto;
	uint32_t len = 0;
	int family;

	if (xs->n != 5)
		return 0;
	m = xs->x[0], c = xs->x[1], pl = xs->x[2], lk = xs->x[3], im = xs->x[4];
	if (!is(m, "meta") || !is(c, "cmp") || !is(pl, "payload") || !is(lk, "lookup") ||
	    !is(im, "immediate"))
		return 0;
	if (!u32_is(m, NFTNL_EXPR_META_KEY, NFT_META_NFPROTO) ||
	    !u32_is(m, NFTNL_EXPR_META_DREG, NFT_REG_1) || !u32_is(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1) ||
	    !u32_is(c, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ) || !nftnl_expr_is_set(c, NFTNL_EXPR_CMP_DATA))
		return 0;
	proto = nftnl_expr_get(c, NFTNL_EXPR_CMP_DATA, &len);
	if (!proto || len != 1 || (proto[0] != NFPROTO_IPV4 && proto[0] != NFPROTO_IPV6))
		return 0;
	family = proto[0] == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	if (!u32_is(pl, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1) ||
	    !u32_is(pl, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER) ||
	    !u32_is(pl, NFTNL_EXPR_PAYLOAD_OFFSET, family == AF_INET6 ? 8 : 12) ||
	    !u32_is(pl, NFTNL_EXPR_PAYLOAD_LEN, family == AF_INET6 ? 16 : 4))
		return 0;
	/* an inverted lookup ("!= @set") is another rule */
	if (!u32_is(lk, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1) || !nftnl_expr_is_set(lk, NFTNL_EXPR_LOOKUP_SET) ||
	    (nftnl_expr_is_set(lk, NFTNL_EXPR_LOOKUP_FLAGS) && nftnl_expr_get_u32(lk, NFTNL_EXPR_LOOKUP_FLAGS)) ||
	    nftnl_expr_is_set(lk, NFTNL_EXPR_LOOKUP_DREG) ||
	    strcmp(nftnl_expr_get_str(lk, NFTNL_EXPR_LOOKUP_SET), nn_part_set_name(want, sizeof(want), id, family)))
		return 0;
	if (!u32_is(im, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT) || !u32_is(im, NFTNL_EXPR_IMM_VERDICT, NF_DROP))
		return 0;
	return family;
}

int nn_part_rule_decode(const struct nlmsghdr *nlh, struct nn_part_obj *out, struct nn_error *e)
{
	struct nftnl_rule *nr = nftnl_rule_alloc();
	struct xs xs = { .n = 0 };
	int more;

	if (!nr)
		return nn_error_set(e, ENOMEM, "cannot read an nftables rule");
	memset(out, 0, sizeof(*out));
	out->type = NN_PART_RULE;
	if (!nn_nft_attrs_whole(nlh) || nftnl_rule_nlmsg_parse(nlh, nr) < 0) {
		nftnl_rule_free(nr);
		return nn_error_setx(e, EPROTO, "cannot read an nftables rule: malformed message");
	}
	snprintf(out->name, sizeof(out->name), "%s",
		 nftnl_rule_is_set(nr, NFTNL_RULE_CHAIN) ? nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN) : "");
	if (nftnl_rule_is_set(nr, NFTNL_RULE_HANDLE))
		out->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
	if (nftnl_rule_is_set(nr, NFTNL_RULE_USERDATA)) {
		uint32_t n = 0;
		const uint8_t *p = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &n);

		decode_udata(p, n, NFTNL_UDATA_RULE_COMMENT, out->id, &out->nonce);
	}
	if ((more = nn_nft_rule_exprs(nr, xs.x, NN_ARRAY_SIZE(xs.x), &xs.n, e)) < 0) {
		nftnl_rule_free(nr);
		return more;
	}
	if (!more && out->id[0] && !strcmp(out->name, NN_PARTITION_CHAIN))
		out->family = rule_form(&xs, out->id);
	nftnl_rule_free(nr);
	return 0;
}

int nn_part_set_decode(const struct nlmsghdr *nlh, struct nn_part_obj *out, struct nn_error *e)
{
	struct nftnl_set *s = nftnl_set_alloc();
	char want[NN_PARTITION_ID_MAX + 4];

	if (!s)
		return nn_error_set(e, ENOMEM, "cannot read an nftables set");
	memset(out, 0, sizeof(*out));
	out->type = NN_PART_SET;
	if (!nn_nft_attrs_whole(nlh) || nftnl_set_nlmsg_parse(nlh, s) < 0 ||
	    !nftnl_set_is_set(s, NFTNL_SET_NAME)) {
		nftnl_set_free(s);
		return nn_error_setx(e, EPROTO, "cannot read an nftables set: malformed message");
	}
	snprintf(out->name, sizeof(out->name), "%s", nftnl_set_get_str(s, NFTNL_SET_NAME));
	if (nftnl_set_is_set(s, NFTNL_SET_USERDATA)) {
		uint32_t n = 0;
		const uint8_t *p = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &n);

		decode_udata(p, n, NFTNL_UDATA_SET_COMMENT, out->id, &out->nonce);
	}
	if (out->id[0] && nftnl_set_is_set(s, NFTNL_SET_KEY_TYPE) && nftnl_set_is_set(s, NFTNL_SET_KEY_LEN)) {
		uint32_t type = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE), len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		uint32_t flags = nftnl_set_is_set(s, NFTNL_SET_FLAGS) ? nftnl_set_get_u32(s, NFTNL_SET_FLAGS) : 0;

		if (!flags && type == NFT_TYPE_IPADDR && len == 4 &&
		    !strcmp(out->name, nn_part_set_name(want, sizeof(want), out->id, AF_INET)))
			out->family = AF_INET;
		else if (!flags && type == NFT_TYPE_IP6ADDR && len == 16 &&
			 !strcmp(out->name, nn_part_set_name(want, sizeof(want), out->id, AF_INET6)))
			out->family = AF_INET6;
	}
	nftnl_set_free(s);
	return 0;
}

int nn_part_table_decode(const struct nlmsghdr *nlh, struct nn_error *e)
{
	struct nftnl_table *t = nftnl_table_alloc();
	int marked = 0;

	if (!t)
		return nn_error_set(e, ENOMEM, "cannot read an nftables table");
	if (!nn_nft_attrs_whole(nlh) || nftnl_table_nlmsg_parse(nlh, t) < 0) {
		nftnl_table_free(t);
		return nn_error_setx(e, EPROTO, "cannot read an nftables table: malformed message");
	}
	if (nftnl_table_is_set(t, NFTNL_TABLE_USERDATA)) {
		uint32_t n = 0, off = 0;
		const uint8_t *p = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &n);

		while (p && off + 2 <= n && off + 2 + p[off + 1] <= n) {
			if (p[off] == NFTNL_UDATA_TABLE_COMMENT && p[off + 1] == sizeof(NN_PART_TABLE_COMMENT) &&
			    !memcmp(p + off + 2, NN_PART_TABLE_COMMENT, sizeof(NN_PART_TABLE_COMMENT)))
				marked = 1;
			off += 2u + p[off + 1];
		}
	}
	nftnl_table_free(t);
	return marked;
}

int nn_part_merge(const struct nn_part_obj *objs, size_t n, struct nn_partition_found **out,
		  size_t *nout)
{
	struct nn_partition_found *v = calloc(n ? n : 1, sizeof(*v));
	bool *bad = calloc(n ? n : 1, sizeof(*bad));
	size_t k = 0;

	*out = NULL;
	*nout = 0;
	if (!v || !bad) {
		free(v);
		free(bad);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct nn_part_obj *o = &objs[i];
		unsigned int bit = o->family == AF_INET ? 1 : o->family == AF_INET6 ? 2 : 0;
		unsigned int *have;
		size_t j;

		if (!o->id[0])
			continue;
		for (j = 0; j < k && strcmp(v[j].id, o->id); j++)
			;
		if (j == k) {
			snprintf(v[k].id, sizeof(v[k].id), "%s", o->id);
			v[k].nonce = o->nonce;
			k++;
		} else if (v[j].nonce != o->nonce) {
			/* made by different runs: it proves nobody's */
			v[j].nonce = 0;
			bad[j] = true;
		}
		have = o->type == NN_PART_RULE ? &v[j].rules : &v[j].sets;
		/* a rule of another form or chain, or a twice-made one */
		if (!bit || (*have & bit))
			bad[j] = true;
		*have |= bit;
	}
	for (size_t j = 0; j < k; j++)
		v[j].whole = !bad[j] && v[j].nonce && v[j].rules == 3 && v[j].sets == 3;
	free(bad);
	*out = v;
	*nout = k;
	return 0;
}
