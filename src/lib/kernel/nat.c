// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "netnsctl/ctx.h"
#include "netnsctl/nat.h"
#include "util/cleanup.h"
#include "kernel/nat_codec.h"
#include "kernel/nft.h"
#include "kernel/nl.h"

#define NO_NAT "this kernel has no nftables NAT"

/* A NETLINK_NETFILTER socket made inside NS: it stays bound to it. */
static struct mnl_socket *nat_open(struct nn_ns *ns, struct nn_error *e)
{
	struct mnl_socket *nl = nn_nft_open(ns, e);

	if (!nl && e->code == EPROTONOSUPPORT)
		nn_error_set(e, EPROTONOSUPPORT, NO_NAT " (no nfnetlink)");
	return nl;
}

/* Errors on a read that mean nftables (or its ip family) is missing: then
 * there can be no table either. */
static bool no_nat_errno(int err)
{
	return nn_nft_no_family(err);
}

/* Which errors of a transaction's messages mean a kernel without NAT, as
 * each kind answers (UML 6.1 without the ip family refuses the table with
 * EOPNOTSUPP; a missing chain type or expression is ENOENT; an existing
 * chain with another hook EOPNOTSUPP, which is not this). */
static bool means_no_nat(enum nn_nft_msg_kind kind, int err)
{
	switch (kind) {
	case NN_NFT_MSG_TABLE: return err == EOPNOTSUPP || err == EAFNOSUPPORT;
	case NN_NFT_MSG_CHAIN: return err == ENOENT || err == EAFNOSUPPORT;
	case NN_NFT_MSG_RULE: return err == ENOENT;
	default: return false;
	}
}

/* --- dump --- */

struct dump {
	struct nn_nat_found *found;
	size_t n, cap;
	struct nn_error *e;
	int err;
};

static int dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	char chain[256];

	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWRULE)
		return MNL_CB_OK;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		struct nn_nat_found *f = realloc(d->found, cap * sizeof(*f));

		if (!f) {
			d->err = nn_error_set(d->e, ENOMEM, "cannot read the rules of table ip " NN_NAT_TABLE);
			return MNL_CB_ERROR;
		}
		d->found = f;
		d->cap = cap;
	}
	d->err = nn_nat_rule_decode(nlh, &d->found[d->n], chain, sizeof(chain), d->e);
	if (d->err < 0)
		return MNL_CB_ERROR;
	d->n++;
	return MNL_CB_OK;
}

/* Every rule of the table, as the kernel has them; none when the table or
 * nftables itself is missing. */
static int dump_rules(struct mnl_socket *nl, struct nn_nat_found **found, size_t *n,
		      struct nn_error *e)
{
	_cleanup_free_ char *buf = calloc(1, NN_NAT_MSG_MAX);	/* padding goes out too */
	struct dump d = { .e = e };

	*found = NULL;
	*n = 0;
	if (!buf)
		return nn_error_set(e, ENOMEM, "cannot read the rules of table ip " NN_NAT_TABLE);
	if (nn_nft_dump(nl, nn_nat_getrule_msg(buf, nn_nft_seq()), dump_cb, &d,
			"cannot read the rules of table ip " NN_NAT_TABLE, e) < 0) {
		free(d.found);
		return -e->code;
	}
	*found = d.found;
	*n = d.n;
	return 0;
}

/* --- transactions --- */

/* A batch of nft.c's whose errors say NAT is missing where they mean it. */
static int batch_start(struct nn_nft_batch *b, struct nn_error *e)
{
	if (nn_nft_batch_start(b, e) < 0)
		return -e->code;
	b->missing = means_no_nat;
	return 0;
}

static int batch_send(struct mnl_socket *nl, struct nn_nft_batch *b, struct nn_error *e)
{
	return nn_nft_batch_send(nl, b, NO_NAT, e);
}

/* The table and the chains WANT: only those, as an empty base chain still
 * costs every packet through its hook. */
static void add_table_and_chains(struct nn_nft_batch *b, const enum nn_nat_chain *want, size_t nwant)
{
	uint32_t seq = nn_nft_seq();

	nn_nat_table_msg(nn_nft_batch_slot(b), seq, NFT_MSG_NEWTABLE);
	nn_nft_batch_add(b, seq, NN_NFT_MSG_TABLE, "cannot create table ip " NN_NAT_TABLE);
	for (size_t w = 0; w < nwant; w++) {
		enum nn_nat_chain c = want[w];

		seq = nn_nft_seq();
		nn_nat_chain_msg(nn_nft_batch_slot(b), seq, c);
		nn_nft_batch_add(b, seq, NN_NFT_MSG_CHAIN, "cannot create chain %s (type nat hook %s priority %d) in table ip "
			  NN_NAT_TABLE, nn_nat_chains[c].name, nn_nat_chains[c].name, nn_nat_chains[c].prio);
	}
}

static void add_delrule(struct nn_nft_batch *b, const struct nn_nat_found *f, const char *chain)
{
	uint32_t seq = nn_nft_seq();

	nn_nat_delrule_msg(nn_nft_batch_slot(b), seq, chain, f->rule.handle);
	nn_nft_batch_add(b, seq, NN_NFT_MSG_OTHER, "cannot delete rule \"%s\" (handle %llu) from chain %s",
		  f->rule.tag, (unsigned long long)f->rule.handle, chain);
}

/* A dump names the chain of each rule only through found->chain; rules in a
 * chain netnsctl does not make are not deleted by tag (they cannot have been
 * made here). */
static const char *chain_name(const struct nn_nat_found *f)
{
	return f->chain >= 0 ? nn_nat_chains[f->chain].name : NULL;
}

int nn_nat_rule_add(struct nn_ns *ns, const struct nn_nat_rule *rule, struct nn_error *e)
{
	_cleanup_nft_ struct mnl_socket *nl = NULL;
	_cleanup_free_ struct nn_nat_found *found = NULL;
	enum nn_nat_chain want[2];
	size_t n = 0, nwant, matches = 0, tagged = 0;
	struct nn_nft_batch b;
	int ret;

	if (nn_nat_rule_check(rule, e) < 0)
		return -e->code;
	nl = nat_open(ns, e);
	if (!nl)
		return -e->code;
	if (dump_rules(nl, &found, &n, e) < 0)
		return -e->code;

	if (rule->kind == NN_NAT_MASQUERADE) {
		want[0] = NN_NAT_CHAIN_POSTROUTING;
		nwant = 1;
	} else {
		want[0] = NN_NAT_CHAIN_PREROUTING;
		want[1] = NN_NAT_CHAIN_OUTPUT;
		nwant = 2;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(found[i].rule.tag, rule->tag))
			continue;
		tagged++;
		for (size_t w = 0; w < nwant; w++)
			if (found[i].chain == (int)want[w] && nn_nat_rule_same(&found[i].rule, rule))
				matches |= 1u << w;
	}
	if (tagged == nwant && matches == (1u << nwant) - 1)
		return 0;

	if (batch_start(&b, e) < 0)
		return -e->code;
	add_table_and_chains(&b, want, nwant);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(found[i].rule.tag, rule->tag) || !chain_name(&found[i]))
			continue;
		add_delrule(&b, &found[i], chain_name(&found[i]));
	}
	for (size_t w = 0; w < nwant; w++) {
		uint32_t seq = nn_nft_seq();

		nn_nat_rule_msg(nn_nft_batch_slot(&b), seq, want[w], rule);
		nn_nft_batch_add(&b, seq, NN_NFT_MSG_RULE, "cannot add rule \"%s\" to chain %s", rule->tag,
			  nn_nat_chains[want[w]].name);
	}
	ret = batch_send(nl, &b, e);
	nn_nft_batch_free(&b);
	return ret < 0 ? ret : 1;
}

static int table_seen(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	*(int *)arg = 1;
	return MNL_CB_OK;
}

/* Is table ip netnsctl there?  1 yes, 0 no. */
static int table_exists(struct mnl_socket *nl, struct nn_error *e)
{
	char buf[NN_NAT_MSG_MAX] = { 0 };
	int found = 0;

	if (nn_nft_dump(nl, nn_nat_table_msg(buf, nn_nft_seq(), NFT_MSG_GETTABLE), table_seen, &found,
			"cannot look up table ip " NN_NAT_TABLE, e) < 0)
		return -e->code;
	return found;
}

static int del_table(struct mnl_socket *nl, struct nn_error *e)
{
	struct nn_nft_batch b;
	uint32_t seq;
	int ret;

	if (batch_start(&b, e) < 0)
		return -e->code;
	seq = nn_nft_seq();
	nn_nat_table_msg(nn_nft_batch_slot(&b), seq, NFT_MSG_DELTABLE);
	nn_nft_batch_add(&b, seq, NN_NFT_MSG_OTHER, "cannot delete table ip " NN_NAT_TABLE);
	ret = batch_send(nl, &b, e);
	nn_nft_batch_free(&b);
	return ret;
}

int nn_nat_rule_del(struct nn_ns *ns, const char *tag, uint64_t nonce, struct nn_error *e)
{
	_cleanup_nft_ struct mnl_socket *nl = NULL;
	_cleanup_free_ struct nn_nat_found *found = NULL;
	size_t n = 0, left = 0, left_in[NN_NAT_CHAIN_COUNT] = { 0 }, gone_in[NN_NAT_CHAIN_COUNT] = { 0 };
	struct nn_nft_batch b;
	int ret;

	nl = nat_open(ns, e);
	if (!nl)
		return no_nat_errno(e->code) ? (nn_error_clear(e), 0) : -e->code;
	if (dump_rules(nl, &found, &n, e) < 0)
		return -e->code;
	if (batch_start(&b, e) < 0)
		return -e->code;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(found[i].rule.tag, tag) || !chain_name(&found[i]) ||
		    (nonce && found[i].rule.nonce != nonce)) {
			left++;
			if (found[i].chain >= 0)
				left_in[found[i].chain]++;
			continue;
		}
		gone_in[found[i].chain]++;
		add_delrule(&b, &found[i], chain_name(&found[i]));
	}
	/* A chain of ours this leaves empty goes too (the table, below, when
	 * nothing is left at all). */
	for (int c = 0; left && c < NN_NAT_CHAIN_COUNT; c++) {
		if (gone_in[c] && !left_in[c]) {
			uint32_t seq = nn_nft_seq();

			nn_nat_delchain_msg(nn_nft_batch_slot(&b), seq, c);
			nn_nft_batch_add(&b, seq, NN_NFT_MSG_OTHER, "cannot delete the empty chain %s", nn_nat_chains[c].name);
		}
	}
	if (!left) {
		/* the last rule gone (or none there): the table goes with its chains */
		ret = table_exists(nl, e);
		if (ret < 0) {
			nn_nft_batch_free(&b);
			return ret;
		}
		if (ret) {
			uint32_t seq = nn_nft_seq();

			nn_nat_table_msg(nn_nft_batch_slot(&b), seq, NFT_MSG_DELTABLE);
			nn_nft_batch_add(&b, seq, NN_NFT_MSG_OTHER, "cannot delete table ip " NN_NAT_TABLE);
		}
	}
	if (!b.n) {
		nn_nft_batch_free(&b);
		return 0;
	}
	ret = batch_send(nl, &b, e);
	nn_nft_batch_free(&b);
	return ret < 0 ? ret : 1;
}

int nn_nat_rule_list(struct nn_ns *ns, struct nn_nat_rule **out, size_t *n, struct nn_error *e)
{
	_cleanup_nft_ struct mnl_socket *nl = NULL;
	_cleanup_free_ struct nn_nat_found *found = NULL;
	size_t nfound = 0;

	*out = NULL;
	*n = 0;
	nl = nat_open(ns, e);
	if (!nl)
		return no_nat_errno(e->code) ? (nn_error_clear(e), 0) : -e->code;
	if (dump_rules(nl, &found, &nfound, e) < 0)
		return -e->code;
	if (nn_nat_merge(found, nfound, out, n) < 0)
		return nn_error_set(e, ENOMEM, "cannot read the rules of table ip " NN_NAT_TABLE);
	return 0;
}

int nn_nat_table_del(struct nn_ns *ns, struct nn_error *e)
{
	_cleanup_nft_ struct mnl_socket *nl = NULL;
	int ret;

	nl = nat_open(ns, e);
	if (!nl)
		return no_nat_errno(e->code) ? (nn_error_clear(e), 0) : -e->code;
	ret = table_exists(nl, e);
	if (ret <= 0)
		return ret;
	ret = del_table(nl, e);
	if (ret < 0)
		return e->code == ENOENT ? (nn_error_clear(e), 0) : ret;
	return 1;
}
