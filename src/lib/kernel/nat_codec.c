// SPDX-License-Identifier: GPL-2.0-or-later
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "util/cleanup.h"
#include "util/show.h"
#include "kernel/nat_codec.h"
#include "kernel/nft_codec.h"

const struct nn_nat_chain_info nn_nat_chains[NN_NAT_CHAIN_COUNT] = {
	[NN_NAT_CHAIN_POSTROUTING] = { "postrouting", NF_INET_POST_ROUTING, 100 },
	[NN_NAT_CHAIN_PREROUTING] = { "prerouting", NF_INET_PRE_ROUTING, -100 },
	[NN_NAT_CHAIN_OUTPUT] = { "output", NF_INET_LOCAL_OUT, -100 },
};

int nn_nat_chain_by_name(const char *name)
{
	for (int i = 0; i < NN_NAT_CHAIN_COUNT; i++)
		if (!strcmp(nn_nat_chains[i].name, name))
			return i;
	return -1;
}

bool nn_nat_tag_plain(const char *s)
{
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("._:/@+-=,", *c)))
			return false;
	return true;
}

int nn_nat_tag_check(const char *tag, struct nn_error *e)
{
	struct nn_shown shown;
	size_t n = strlen(tag);

	if (!n || n >= NN_NAT_TAG_MAX)
		return nn_error_setx(e, EINVAL, "invalid NAT rule tag \"%s\": 1 to %d characters",
				     nn_show(&shown, tag), NN_NAT_TAG_MAX - 1);
	if (!nn_nat_tag_plain(tag))
		return nn_error_setx(e, EINVAL,
				     "invalid NAT rule tag \"%s\": only letters, digits and ._:/@+-=,",
				     nn_show(&shown, tag));
	return 0;
}

void nn_nat_tag_for(char *buf, size_t len, const char *prefix, const char *name)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	if (nn_nat_tag_plain(name) && *name && (size_t)snprintf(buf, len, "%s:%s", prefix, name) < len)
		return;
	snprintf(buf, len, "%s=%08x", prefix, h);
}

int nn_nat_rule_check(const struct nn_nat_rule *r, struct nn_error *e)
{
	size_t len = strnlen(r->tag, sizeof(r->tag));

	if (len == 0)
		return nn_error_setx(e, EINVAL, "invalid NAT rule tag \"\": empty");
	if (len >= sizeof(r->tag))
		return nn_error_setx(e, EINVAL, "invalid NAT rule tag \"%.64s...\": longer than %zu bytes",
				     r->tag, sizeof(r->tag) - 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)r->tag[i];

		/* nft prints the comment in double quotes without escaping */
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			return nn_error_setx(e, EINVAL, "invalid NAT rule tag \"%s\": only printable ASCII without '\"' or '\\\\'",
					     r->tag);
	}
	switch (r->kind) {
	case NN_NAT_MASQUERADE:
		if (r->src.family != AF_INET || r->src.len > 32)
			return nn_error_setx(e, EINVAL, "NAT rule \"%s\": masquerade needs an IPv4 source network",
					     r->tag);
		len = strnlen(r->except_if, sizeof(r->except_if));
		if (len >= sizeof(r->except_if))
			return nn_error_setx(e, EINVAL, "NAT rule \"%s\": interface name \"%.16s...\" too long",
					     r->tag, r->except_if);
		return 0;
	case NN_NAT_DNAT:
		if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
			return nn_error_setx(e, EINVAL, "NAT rule \"%s\": invalid protocol \"%d\": tcp or udp",
					     r->tag, r->proto);
		if (!r->port || !r->to_port)
			return nn_error_setx(e, EINVAL, "NAT rule \"%s\": invalid port \"0\"", r->tag);
		if (r->to.s_addr == htonl(INADDR_ANY))
			return nn_error_setx(e, EINVAL, "NAT rule \"%s\": invalid address \"0.0.0.0\"", r->tag);
		return 0;
	case NN_NAT_OTHER:
	default:
		return nn_error_setx(e, EINVAL, "NAT rule \"%s\": not a masquerade or DNAT rule", r->tag);
	}
}

bool nn_nat_rule_same(const struct nn_nat_rule *a, const struct nn_nat_rule *b)
{
	if (a->kind != b->kind || strncmp(a->tag, b->tag, sizeof(a->tag)))
		return false;
	switch (a->kind) {
	case NN_NAT_MASQUERADE:
		return a->src.family == b->src.family && a->src.len == b->src.len &&
		       a->src.addr.v4.s_addr == b->src.addr.v4.s_addr &&
		       !strncmp(a->except_if, b->except_if, sizeof(a->except_if));
	case NN_NAT_DNAT:
		return a->proto == b->proto && a->port == b->port && a->to_port == b->to_port &&
		       a->to.s_addr == b->to.s_addr;
	default:
		return false;	/* an unknown rule never matches a wanted one */
	}
}

/* --- building --- */

static void add_expr(struct nftnl_rule *r, struct nftnl_expr *x)
{
	nftnl_rule_add_expr(r, x);
}

static struct nftnl_expr *expr(const char *name)
{
	struct nftnl_expr *x = nftnl_expr_alloc(name);

	/* libnftnl allocations are a few bytes: treat failure as fatal like malloc in a parser */
	if (!x)
		abort();
	return x;
}

static void add_cmp(struct nftnl_rule *r, uint32_t reg, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *x = expr("cmp");

	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_SREG, reg);
	nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(x, NFTNL_EXPR_CMP_DATA, data, len);
	add_expr(r, x);
}

static void add_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *x = expr("payload");

	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_LEN, len);
	add_expr(r, x);
}

static void add_meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *x = expr("meta");

	nftnl_expr_set_u32(x, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(x, NFTNL_EXPR_META_DREG, NFT_REG_1);
	add_expr(r, x);
}

static void add_imm(struct nftnl_rule *r, uint32_t reg, const void *data, uint32_t len)
{
	struct nftnl_expr *x = expr("immediate");

	nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_DREG, reg);
	nftnl_expr_set(x, NFTNL_EXPR_IMM_DATA, data, len);
	add_expr(r, x);
}

static uint32_t prefix_mask(uint8_t len)
{
	return len ? htonl(~0u << (32 - len)) : 0;
}

static void build_masq(struct nftnl_rule *r, const struct nn_nat_rule *rule)
{
	uint32_t mask = prefix_mask(rule->src.len), net = rule->src.addr.v4.s_addr & mask;

	add_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	if (rule->src.len < 32) {
		uint32_t zero = 0;
		struct nftnl_expr *x = expr("bitwise");

		nftnl_expr_set_u32(x, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_BITWISE_LEN, 4);
		nftnl_expr_set(x, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
		nftnl_expr_set(x, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
		add_expr(r, x);
	}
	add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &net, 4);
	if (rule->except_if[0]) {
		/* IFNAMSIZ with zero padding: an exact name, as nft compares it */
		char name[IFNAMSIZ] = { 0 };

		memcpy(name, rule->except_if, strnlen(rule->except_if, IFNAMSIZ - 1));
		add_meta(r, NFT_META_OIFNAME);
		add_cmp(r, NFT_REG_1, NFT_CMP_NEQ, name, sizeof(name));
	}
	add_expr(r, expr("masq"));
}

static void build_dnat(struct nftnl_rule *r, const struct nn_nat_rule *rule)
{
	uint8_t proto = (uint8_t)rule->proto;
	uint16_t port = htons(rule->port), to_port = htons(rule->to_port);
	uint32_t local = RTN_LOCAL, zero = 0;
	uint32_t loop_mask = htonl(0xff000000u), loop_net = htonl(0x7f000000u);
	struct nftnl_expr *x;

	add_meta(r, NFT_META_L4PROTO);
	add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &proto, 1);
	add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &port, 2);

	/*
	 * ip daddr != 127.0.0.0/8: loopback stays the host's own.  Rewritten,
	 * a connection to 127.0.0.1 left with its loopback source, which the
	 * kernel refuses to route out of another interface unless
	 * route_localnet is set on it (and then the namespace's kernel drops
	 * it as a martian): the client hung.  Not rewritten, it reaches the
	 * host's own port, or is refused at once.
	 */
	add_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
	x = expr("bitwise");
	nftnl_expr_set_u32(x, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(x, NFTNL_EXPR_BITWISE_MASK, &loop_mask, 4);
	nftnl_expr_set(x, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
	add_expr(r, x);
	add_cmp(r, NFT_REG_1, NFT_CMP_NEQ, &loop_net, 4);

	x = expr("fib");
	nftnl_expr_set_u32(x, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(x, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	add_expr(r, x);
	add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &local, 4);

	add_imm(r, NFT_REG_1, &rule->to.s_addr, 4);
	add_imm(r, NFT_REG_2, &to_port, 2);
	x = expr("nat");
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG_1);
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
	nftnl_expr_set_u32(x, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG_2);
	add_expr(r, x);
}

static struct nftnl_rule *rule_new(const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		abort();
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NN_NAT_TABLE);
	if (chain)
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

struct nlmsghdr *nn_nat_rule_msg(char *buf, uint32_t seq, enum nn_nat_chain chain,
				 const struct nn_nat_rule *rule)
{
	struct nftnl_rule *r = rule_new(nn_nat_chains[chain].name);
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

	if (!ud)
		abort();
	/* the TLV nft writes for `comment "..."`: type COMMENT, the string and its NUL */
	nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, rule->tag);
	if (rule->nonce) {
		uint64_t be = htobe64(rule->nonce);

		nftnl_udata_put(ud, NN_NAT_UDATA_NONCE, sizeof(be), &be);
	}
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	if (rule->kind == NN_NAT_MASQUERADE)
		build_masq(r, rule);
	else
		build_dnat(r, rule);
	return nn_nft_rule_msg(buf, NFT_MSG_NEWRULE, NFPROTO_IPV4,
			       NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, seq, r);
}

struct nlmsghdr *nn_nat_delrule_msg(char *buf, uint32_t seq, const char *chain, uint64_t handle)
{
	struct nftnl_rule *r = rule_new(chain);

	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	return nn_nft_rule_msg(buf, NFT_MSG_DELRULE, NFPROTO_IPV4, NLM_F_ACK, seq, r);
}

struct nlmsghdr *nn_nat_getrule_msg(char *buf, uint32_t seq)
{
	struct nftnl_rule *r = rule_new(NULL);

	return nn_nft_rule_msg(buf, NFT_MSG_GETRULE, NFPROTO_IPV4, NLM_F_DUMP | NLM_F_ACK, seq, r);
}

struct nlmsghdr *nn_nat_table_msg(char *buf, uint32_t seq, int type)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t)
		abort();
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NN_NAT_TABLE);
	return nn_nft_table_msg(buf, type, NFPROTO_IPV4,
				(type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0) | NLM_F_ACK, seq, t);
}

/* Chain CHAIN of our table, by name (what a delete needs). */
static struct nftnl_chain *chain_named(enum nn_nat_chain chain)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		abort();
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_IPV4);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NN_NAT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, nn_nat_chains[chain].name);
	return c;
}

struct nlmsghdr *nn_nat_chain_msg(char *buf, uint32_t seq, enum nn_nat_chain chain)
{
	struct nftnl_chain *c = chain_named(chain);

	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)nn_nat_chains[chain].hooknum);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, nn_nat_chains[chain].prio);
	/* CREATE without EXCL: an existing chain with the same hook is fine */
	return nn_nft_chain_msg(buf, NFT_MSG_NEWCHAIN, NFPROTO_IPV4,
				NLM_F_CREATE | NLM_F_ACK, seq, c);
}

struct nlmsghdr *nn_nat_delchain_msg(char *buf, uint32_t seq, enum nn_nat_chain chain)
{
	struct nftnl_chain *c = chain_named(chain);

	return nn_nft_chain_msg(buf, NFT_MSG_DELCHAIN, NFPROTO_IPV4, NLM_F_ACK, seq, c);
}

/* --- reading --- */

/* A rule's expressions, flattened for matching against the two forms. */
struct xs {
	const struct nftnl_expr *x[16];
	size_t n, i;
};

static const struct nftnl_expr *next_of(struct xs *xs, const char *name)
{
	const struct nftnl_expr *x;

	if (xs->i >= xs->n)
		return NULL;
	x = xs->x[xs->i];
	if (strcmp(nftnl_expr_get_str(x, NFTNL_EXPR_NAME), name))
		return NULL;
	xs->i++;
	return x;
}

static bool peek_is(const struct xs *xs, const char *name)
{
	return xs->i < xs->n && !strcmp(nftnl_expr_get_str(xs->x[xs->i], NFTNL_EXPR_NAME), name);
}

static bool u32_is(const struct nftnl_expr *x, uint16_t attr, uint32_t want)
{
	return nftnl_expr_is_set(x, attr) && nftnl_expr_get_u32(x, attr) == want;
}

/* DATA of LEN bytes, exactly, from attribute ATTR. */
static bool data_of(const struct nftnl_expr *x, uint16_t attr, void *data, uint32_t len)
{
	const void *p;
	uint32_t got = 0;

	if (!nftnl_expr_is_set(x, attr))
		return false;
	p = nftnl_expr_get(x, attr, &got);
	if (!p || got != len)
		return false;
	memcpy(data, p, len);
	return true;
}

/* cmp OP on register REG with LEN bytes into DATA */
static bool match_cmp(struct xs *xs, uint32_t reg, uint32_t op, void *data, uint32_t len)
{
	const struct nftnl_expr *x = next_of(xs, "cmp");

	return x && u32_is(x, NFTNL_EXPR_CMP_SREG, reg) && u32_is(x, NFTNL_EXPR_CMP_OP, op) &&
	       data_of(x, NFTNL_EXPR_CMP_DATA, data, len);
}

static bool match_payload(struct xs *xs, uint32_t *reg, uint32_t base, uint32_t off, uint32_t len)
{
	const struct nftnl_expr *x = next_of(xs, "payload");

	if (!x || !u32_is(x, NFTNL_EXPR_PAYLOAD_BASE, base) ||
	    !u32_is(x, NFTNL_EXPR_PAYLOAD_OFFSET, off) || !u32_is(x, NFTNL_EXPR_PAYLOAD_LEN, len) ||
	    !nftnl_expr_is_set(x, NFTNL_EXPR_PAYLOAD_DREG))
		return false;
	*reg = nftnl_expr_get_u32(x, NFTNL_EXPR_PAYLOAD_DREG);
	return true;
}

static bool match_meta(struct xs *xs, uint32_t *reg, uint32_t key)
{
	const struct nftnl_expr *x = next_of(xs, "meta");

	if (!x || !u32_is(x, NFTNL_EXPR_META_KEY, key) || !nftnl_expr_is_set(x, NFTNL_EXPR_META_DREG))
		return false;
	*reg = nftnl_expr_get_u32(x, NFTNL_EXPR_META_DREG);
	return true;
}

static int prefix_len_of(uint32_t mask_be)
{
	uint32_t m = ntohl(mask_be);
	int len = 0;

	while (len < 32 && (m & (0x80000000u >> len)))
		len++;
	/* a non-contiguous mask is no prefix */
	return m == (len ? ~0u << (32 - len) : 0) ? len : -1;
}

static bool decode_masq(struct xs *xs, struct nn_nat_rule *r)
{
	uint32_t reg, net, mask = ~0u, zero;
	const struct nftnl_expr *x;
	int len = 32;

	if (!match_payload(xs, &reg, NFT_PAYLOAD_NETWORK_HEADER, 12, 4))
		return false;
	if (peek_is(xs, "bitwise")) {
		x = next_of(xs, "bitwise");
		if (!u32_is(x, NFTNL_EXPR_BITWISE_SREG, reg) || !u32_is(x, NFTNL_EXPR_BITWISE_DREG, reg) ||
		    !u32_is(x, NFTNL_EXPR_BITWISE_LEN, 4) ||
		    (nftnl_expr_is_set(x, NFTNL_EXPR_BITWISE_OP) &&
		     nftnl_expr_get_u32(x, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL) ||
		    !data_of(x, NFTNL_EXPR_BITWISE_MASK, &mask, 4) ||
		    !data_of(x, NFTNL_EXPR_BITWISE_XOR, &zero, 4) || zero)
			return false;
		len = prefix_len_of(mask);
		if (len < 0)
			return false;
	}
	if (!match_cmp(xs, reg, NFT_CMP_EQ, &net, 4) || (net & ~mask))
		return false;
	r->src.family = AF_INET;
	r->src.addr.v4.s_addr = net;
	r->src.len = (uint8_t)len;
	if (peek_is(xs, "meta")) {
		char name[IFNAMSIZ];

		if (!match_meta(xs, &reg, NFT_META_OIFNAME) ||
		    !match_cmp(xs, reg, NFT_CMP_NEQ, name, sizeof(name)))
			return false;
		/* the exact-name form only: NUL-terminated with zero padding */
		if (!name[0] || strnlen(name, sizeof(name)) == sizeof(name))
			return false;
		for (size_t i = strlen(name); i < sizeof(name); i++)
			if (name[i])
				return false;
		memcpy(r->except_if, name, sizeof(name));
	}
	x = next_of(xs, "masq");
	/* flags (random, persistent) or a port range are another rule */
	if (!x || nftnl_expr_is_set(x, NFTNL_EXPR_MASQ_FLAGS) ||
	    nftnl_expr_is_set(x, NFTNL_EXPR_MASQ_REG_PROTO_MIN) ||
	    nftnl_expr_is_set(x, NFTNL_EXPR_MASQ_REG_PROTO_MAX))
		return false;
	r->kind = NN_NAT_MASQUERADE;
	return xs->i == xs->n;
}

/* immediate data into register REG */
static bool match_imm(struct xs *xs, uint32_t *reg, void *data, uint32_t len)
{
	const struct nftnl_expr *x = next_of(xs, "immediate");

	if (!x || !nftnl_expr_is_set(x, NFTNL_EXPR_IMM_DREG) || !data_of(x, NFTNL_EXPR_IMM_DATA, data, len))
		return false;
	*reg = nftnl_expr_get_u32(x, NFTNL_EXPR_IMM_DREG);
	return true;
}

static bool optional_reg_is(const struct nftnl_expr *x, uint16_t attr, uint32_t want)
{
	return !nftnl_expr_is_set(x, attr) || nftnl_expr_get_u32(x, attr) == want;
}

static bool decode_dnat(struct xs *xs, struct nn_nat_rule *r)
{
	uint32_t reg, addr_reg, port_reg, local, addr, mask, zero, net;
	uint16_t port, to_port;
	const struct nftnl_expr *x;
	uint8_t proto;

	if (!match_meta(xs, &reg, NFT_META_L4PROTO) || !match_cmp(xs, reg, NFT_CMP_EQ, &proto, 1) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return false;
	if (!match_payload(xs, &reg, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2) ||
	    !match_cmp(xs, reg, NFT_CMP_EQ, &port, 2))
		return false;
	/* ip daddr != 127.0.0.0/8 (a rule without it, from a netnsctl before,
	 * is another rule: the next apply replaces it) */
	if (!match_payload(xs, &reg, NFT_PAYLOAD_NETWORK_HEADER, 16, 4))
		return false;
	x = next_of(xs, "bitwise");
	if (!x || !u32_is(x, NFTNL_EXPR_BITWISE_SREG, reg) || !u32_is(x, NFTNL_EXPR_BITWISE_DREG, reg) ||
	    !u32_is(x, NFTNL_EXPR_BITWISE_LEN, 4) ||
	    (nftnl_expr_is_set(x, NFTNL_EXPR_BITWISE_OP) &&
	     nftnl_expr_get_u32(x, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL) ||
	    !data_of(x, NFTNL_EXPR_BITWISE_MASK, &mask, 4) || mask != htonl(0xff000000u) ||
	    !data_of(x, NFTNL_EXPR_BITWISE_XOR, &zero, 4) || zero)
		return false;
	if (!match_cmp(xs, reg, NFT_CMP_NEQ, &net, 4) || net != htonl(0x7f000000u))
		return false;
	x = next_of(xs, "fib");
	if (!x || !u32_is(x, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE) ||
	    !u32_is(x, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR) || !nftnl_expr_is_set(x, NFTNL_EXPR_FIB_DREG))
		return false;
	reg = nftnl_expr_get_u32(x, NFTNL_EXPR_FIB_DREG);
	if (!match_cmp(xs, reg, NFT_CMP_EQ, &local, 4) || local != RTN_LOCAL)
		return false;
	if (!match_imm(xs, &addr_reg, &addr, 4) || !match_imm(xs, &port_reg, &to_port, 2) ||
	    addr_reg == port_reg)
		return false;
	x = next_of(xs, "nat");
	if (!x || !u32_is(x, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT) ||
	    !u32_is(x, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4) ||
	    !u32_is(x, NFTNL_EXPR_NAT_REG_ADDR_MIN, addr_reg) ||
	    !optional_reg_is(x, NFTNL_EXPR_NAT_REG_ADDR_MAX, addr_reg) ||
	    !u32_is(x, NFTNL_EXPR_NAT_REG_PROTO_MIN, port_reg) ||
	    !optional_reg_is(x, NFTNL_EXPR_NAT_REG_PROTO_MAX, port_reg))
		return false;
	/* the kernel reports the flags it derived from the registers; others
	 * (random, persistent, netmap) make another rule */
	if (nftnl_expr_is_set(x, NFTNL_EXPR_NAT_FLAGS) &&
	    (nftnl_expr_get_u32(x, NFTNL_EXPR_NAT_FLAGS) &
	     ~(uint32_t)(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED)))
		return false;
	r->kind = NN_NAT_DNAT;
	r->proto = proto;
	r->port = ntohs(port);
	r->to_port = ntohs(to_port);
	r->to.s_addr = addr;
	return xs->i == xs->n && r->port && r->to_port;
}

static void decode_tag(const struct nftnl_rule *nr, char *tag, size_t len, uint64_t *nonce)
{
	const uint8_t *p = NULL;
	const char *c;
	uint32_t n = 0;
	size_t l;

	if (nftnl_rule_is_set(nr, NFTNL_RULE_USERDATA))
		p = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &n);
	nn_nft_udata_read(p, n, NFTNL_UDATA_RULE_COMMENT, NN_NAT_UDATA_NONCE, &c, &l, nonce);
	tag[0] = '\0';
	if (c && l <= len)
		memcpy(tag, c, l);
}

int nn_nat_rule_decode(const struct nlmsghdr *nlh, struct nn_nat_found *out,
		       char *chain, size_t chain_len, struct nn_error *e)
{
	struct nftnl_rule *nr = nftnl_rule_alloc();
	struct xs xs = { .n = 0 };
	int more;

	if (!nr)
		return nn_error_set(e, ENOMEM, "cannot read an nftables rule");
	memset(out, 0, sizeof(*out));
	if (!nn_nft_attrs_whole(nlh) || nftnl_rule_nlmsg_parse(nlh, nr) < 0) {
		nftnl_rule_free(nr);
		return nn_error_setx(e, EPROTO, "cannot read an nftables rule: malformed message");
	}
	snprintf(chain, chain_len, "%s",
		 nftnl_rule_is_set(nr, NFTNL_RULE_CHAIN) ? nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN) : "");
	out->chain = nn_nat_chain_by_name(chain);
	if (nftnl_rule_is_set(nr, NFTNL_RULE_HANDLE))
		out->rule.handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
	decode_tag(nr, out->rule.tag, sizeof(out->rule.tag), &out->rule.nonce);

	if ((more = nn_nft_rule_exprs(nr, xs.x, NN_ARRAY_SIZE(xs.x), &xs.n, e)) < 0) {
		nftnl_rule_free(nr);
		return more;
	}

	out->rule.kind = NN_NAT_OTHER;
	if (!more && xs.n) {
		const char *first = nftnl_expr_get_str(xs.x[0], NFTNL_EXPR_NAME);
		struct nn_nat_rule r = out->rule;

		if (!strcmp(first, "payload") ? decode_masq(&xs, &r) : decode_dnat(&xs, &r))
			out->rule = r;
		else
			out->rule.kind = NN_NAT_OTHER;
	}
	nftnl_rule_free(nr);
	return 0;
}

/* --- per tag --- */

static bool whole(const struct nn_nat_found *found, size_t n, const char *tag, size_t first,
		  struct nn_nat_rule *r)
{
	bool seen[NN_NAT_CHAIN_COUNT] = { false };
	size_t count = 0;

	*r = found[first].rule;
	for (size_t i = first; i < n; i++) {
		const struct nn_nat_found *f = &found[i];

		if (strcmp(f->rule.tag, tag))
			continue;
		count++;
		if (f->chain < 0 || seen[f->chain] || f->rule.kind == NN_NAT_OTHER ||
		    !nn_nat_rule_same(&f->rule, r))
			return false;
		/* Halves of a DNAT rule with other marks were not made together:
		 * the rule proves nobody's. */
		if (f->rule.nonce != r->nonce)
			r->nonce = 0;
		seen[f->chain] = true;
	}
	if (r->kind == NN_NAT_MASQUERADE)
		return count == 1 && seen[NN_NAT_CHAIN_POSTROUTING];
	return count == 2 && seen[NN_NAT_CHAIN_PREROUTING] && seen[NN_NAT_CHAIN_OUTPUT];
}

int nn_nat_merge(const struct nn_nat_found *found, size_t n, struct nn_nat_rule **out, size_t *nout)
{
	struct nn_nat_rule *rules = NULL;
	size_t k = 0;

	*out = NULL;
	*nout = 0;
	if (!n)
		return 0;
	rules = calloc(n, sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *tag = found[i].rule.tag;
		bool dup = false;

		for (size_t j = 0; *tag && j < i && !dup; j++)
			dup = !strcmp(found[j].rule.tag, tag);
		if (dup)
			continue;
		rules[k] = found[i].rule;
		if (!*tag || !whole(found, n, tag, i, &rules[k]))
			rules[k].kind = NN_NAT_OTHER;
		k++;
	}
	*out = rules;
	*nout = k;
	return 0;
}
