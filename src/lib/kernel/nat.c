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
#include "kernel/nl.h"

#define NO_NAT "this kernel has no nftables NAT"
#define DUMP_BUF 32768

/* A NETLINK_NETFILTER socket made inside NS: it stays bound to it. */
static struct mnl_socket *nat_open(struct nn_ns *ns, struct nn_error *e)
{
	struct mnl_socket *nl;
	int saved, err = 0, one = 1;

	if (nn_ns_enter(ns, &saved, e) < 0)
		return NULL;
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		err = errno;
	nn_ns_leave(saved);
	if (!nl) {
		if (err == EPROTONOSUPPORT)
			nn_error_set(e, err, NO_NAT " (no nfnetlink)");
		else
			nn_error_set(e, err, "cannot open a netfilter netlink socket in %s", nn_ns_label(ns));
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		mnl_socket_close(nl);
		nn_error_set(e, err, "cannot bind a netfilter netlink socket in %s", nn_ns_label(ns));
		return NULL;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return nl;
}

static void nat_close(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
}
#define _cleanup_nat_ __attribute__((cleanup(nat_close)))

static uint32_t next_seq(void)
{
	static __thread uint32_t seq;

	if (!seq)
		seq = (uint32_t)time(NULL) << 8;
	return ++seq;
}

/* Errors on a read that mean nftables (or its ip family) is missing: then
 * there can be no table either. */
static bool no_nat_errno(int err)
{
	return err == EOPNOTSUPP || err == EAFNOSUPPORT || err == EPROTONOSUPPORT;
}

/* What a message of a transaction is, for telling a kernel without NAT from
 * other failures: each answers that differently (UML 6.1 without the ip
 * family refuses the table with EOPNOTSUPP; a missing chain type or
 * expression is ENOENT; an existing chain with another hook EOPNOTSUPP). */
enum msg_kind { MSG_TABLE, MSG_CHAIN, MSG_RULE, MSG_OTHER };

static bool means_no_nat(enum msg_kind kind, int err)
{
	switch (kind) {
	case MSG_TABLE: return err == EOPNOTSUPP || err == EAFNOSUPPORT;
	case MSG_CHAIN: return err == ENOENT || err == EAFNOSUPPORT;
	case MSG_RULE: return err == ENOENT;
	default: return err == EPROTONOSUPPORT;
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
	_cleanup_free_ char *buf = calloc(1, DUMP_BUF);	/* padding goes out too */
	struct dump d = { .e = e };
	uint32_t seq = next_seq(), portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh;
	ssize_t len;

	*found = NULL;
	*n = 0;
	if (!buf)
		return nn_error_set(e, ENOMEM, "cannot read the rules of table ip " NN_NAT_TABLE);
	nlh = nn_nat_getrule_msg(buf, seq);
	nn_nl_count(0, 1, true);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return nn_error_set(e, errno, "cannot read the rules of table ip " NN_NAT_TABLE);
	for (;;) {
		const struct nlmsghdr *m;
		int left;

		len = mnl_socket_recvfrom(nl, buf, DUMP_BUF);
		if (len < 0) {
			free(d.found);
			return nn_error_set(e, errno, "cannot read the rules of table ip " NN_NAT_TABLE);
		}
		left = (int)len;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR) {
				free(d.found);
				return nn_error_setx(e, EINTR, "cannot read the rules of table ip " NN_NAT_TABLE
						     ": the ruleset changed while it was read; try again");
			}
			if (m->nlmsg_type == NLMSG_DONE)
				goto done;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = mnl_nlmsg_get_payload(m);
				char extack[256];

				if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*err) || err->error == 0)
					goto done;
				if (err->error == -ENOENT || no_nat_errno(-err->error))
					goto done;
				free(d.found);
				nn_nl_parse_extack(m, extack, sizeof(extack));
				return nn_error_set_kernel(e, -err->error, extack,
							   "cannot read the rules of table ip " NN_NAT_TABLE);
			}
			if (dump_cb(m, &d) != MNL_CB_OK) {
				free(d.found);
				return d.err;
			}
		}
	}
done:
	*found = d.found;
	*n = d.n;
	return 0;
}

/* --- transactions --- */

#define BATCH_MAX 16
/* room for BATCH_MAX of the largest messages, past the batch's limit too */
#define BATCH_LIMIT (BATCH_MAX * NN_NAT_MSG_MAX)

struct batch {
	char *buf;
	struct mnl_nlmsg_batch *b;
	uint32_t seq[BATCH_MAX];
	char what[BATCH_MAX][160];
	enum msg_kind kind[BATCH_MAX];
	size_t n;
	bool overflow;
	uint32_t begin_seq, end_seq;
};

static int batch_start(struct batch *b, struct nn_error *e)
{
	memset(b, 0, sizeof(*b));
	b->buf = calloc(1, 2 * BATCH_LIMIT);
	if (!b->buf)
		return nn_error_set(e, ENOMEM, "cannot change table ip " NN_NAT_TABLE);
	b->b = mnl_nlmsg_batch_start(b->buf, BATCH_LIMIT);
	b->begin_seq = next_seq();
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->b), b->begin_seq);
	mnl_nlmsg_batch_next(b->b);
	return 0;
}

static void batch_free(struct batch *b)
{
	if (b->b)
		mnl_nlmsg_batch_stop(b->b);
	free(b->buf);
}

static char *batch_slot(struct batch *b)
{
	return mnl_nlmsg_batch_current(b->b);
}

__attribute__((format(printf, 4, 5)))
static void batch_add(struct batch *b, uint32_t seq, enum msg_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (b->n == BATCH_MAX) {
		b->overflow = true;
		return;
	}
	b->seq[b->n] = seq;
	b->kind[b->n] = kind;
	va_start(ap, fmt);
	vsnprintf(b->what[b->n], sizeof(b->what[b->n]), fmt, ap);
	va_end(ap);
	b->n++;
	if (!mnl_nlmsg_batch_next(b->b))
		b->overflow = true;
}

static int batch_error(struct batch *b, size_t i, int err, const char *extack, struct nn_error *e)
{
	const char *what = i < b->n ? b->what[i] : "cannot change table ip " NN_NAT_TABLE;

	/* an error on BEGIN (no nf_tables at all) has i == b->n */
	if (means_no_nat(i < b->n ? b->kind[i] : MSG_TABLE, err) || err == EPROTONOSUPPORT) {
		char inner[NN_ERROR_MAX];

		nn_error_set_kernel(e, err, extack, "%s", what);
		snprintf(inner, sizeof(inner), "%s", e->msg);
		return nn_error_setx(e, err, NO_NAT " (%s)", inner);
	}
	return nn_error_set_kernel(e, err, extack, "%s", what);
}

/*
 * Send the batch; every message in it asked for an ACK, so the kernel
 * answers each (0 or its error) before sendmsg returns.  The first error
 * wins: the kernel has then aborted the whole transaction.
 */
static int batch_send(struct mnl_socket *nl, struct batch *b, struct nn_error *e)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	char buf[16384] = { 0 };
	size_t acked = 0;
	int first_err = 0;
	size_t first_i = 0;
	char first_extack[256] = "";
	ssize_t len;

	if (b->overflow)
		return nn_error_setx(e, E2BIG, "cannot change table ip " NN_NAT_TABLE
				     ": more than %d changes in one transaction", BATCH_MAX - 1);
	b->end_seq = next_seq();
	nftnl_batch_end(mnl_nlmsg_batch_current(b->b), b->end_seq);
	mnl_nlmsg_batch_next(b->b);
	nn_nl_count(0, (unsigned)b->n + 2, true);	/* with the batch's begin and end */
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b->b), mnl_nlmsg_batch_size(b->b)) < 0)
		return nn_error_set(e, errno, "cannot change table ip " NN_NAT_TABLE);

	while (acked < b->n) {
		const struct nlmsghdr *m;
		int left;

		len = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), first_err ? MSG_DONTWAIT : 0);
		if (len < 0) {
			if (first_err && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			return nn_error_set(e, errno, "cannot change table ip " NN_NAT_TABLE);
		}
		left = (int)len;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			const struct nlmsgerr *err;
			size_t i;

			if (m->nlmsg_pid != portid || m->nlmsg_type != NLMSG_ERROR)
				continue;
			err = mnl_nlmsg_get_payload(m);
			if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
				return nn_error_setx(e, EPROTO, "cannot change table ip " NN_NAT_TABLE
						     ": truncated netlink error");
			for (i = 0; i < b->n && b->seq[i] != m->nlmsg_seq; i++)
				;
			if (i == b->n && m->nlmsg_seq != b->begin_seq && m->nlmsg_seq != b->end_seq)
				continue;
			if (i < b->n)
				acked++;
			if (err->error && !first_err) {
				first_err = -err->error;
				first_i = i;
				nn_nl_parse_extack(m, first_extack, sizeof(first_extack));
			}
			/* an error on BEGIN or END: nothing else will come */
			if (err->error && i == b->n)
				acked = b->n;
		}
	}
	if (first_err)
		return batch_error(b, first_i, first_err, first_extack, e);
	return 0;
}

/* The table and the chains WANT: only those, as an empty base chain still
 * costs every packet through its hook. */
static void add_table_and_chains(struct batch *b, const enum nn_nat_chain *want, size_t nwant)
{
	uint32_t seq = next_seq();

	nn_nat_table_msg(batch_slot(b), seq, NFT_MSG_NEWTABLE);
	batch_add(b, seq, MSG_TABLE, "cannot create table ip " NN_NAT_TABLE);
	for (size_t w = 0; w < nwant; w++) {
		enum nn_nat_chain c = want[w];

		seq = next_seq();
		nn_nat_chain_msg(batch_slot(b), seq, c);
		batch_add(b, seq, MSG_CHAIN, "cannot create chain %s (type nat hook %s priority %d) in table ip "
			  NN_NAT_TABLE, nn_nat_chains[c].name, nn_nat_chains[c].name, nn_nat_chains[c].prio);
	}
}

static void add_delrule(struct batch *b, const struct nn_nat_found *f, const char *chain)
{
	uint32_t seq = next_seq();

	nn_nat_delrule_msg(batch_slot(b), seq, chain, f->rule.handle);
	batch_add(b, seq, MSG_OTHER, "cannot delete rule \"%s\" (handle %llu) from chain %s",
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
	_cleanup_nat_ struct mnl_socket *nl = NULL;
	_cleanup_free_ struct nn_nat_found *found = NULL;
	enum nn_nat_chain want[2];
	size_t n = 0, nwant, matches = 0, tagged = 0;
	struct batch b;
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
		uint32_t seq = next_seq();

		nn_nat_rule_msg(batch_slot(&b), seq, want[w], rule);
		batch_add(&b, seq, MSG_RULE, "cannot add rule \"%s\" to chain %s", rule->tag,
			  nn_nat_chains[want[w]].name);
	}
	ret = batch_send(nl, &b, e);
	batch_free(&b);
	return ret < 0 ? ret : 1;
}

/* Is table ip netnsctl there?  1 yes, 0 no. */
static int table_exists(struct mnl_socket *nl, struct nn_error *e)
{
	char buf[8192] = { 0 };
	uint32_t seq = next_seq(), portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh = nn_nat_table_msg(buf, seq, NFT_MSG_GETTABLE);
	ssize_t len;
	int found = 0;

	nn_nl_count(0, 1, true);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return nn_error_set(e, errno, "cannot look up table ip " NN_NAT_TABLE);
	for (;;) {
		const struct nlmsghdr *m;
		int left;

		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0)
			return nn_error_set(e, errno, "cannot look up table ip " NN_NAT_TABLE);
		left = (int)len;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			const struct nlmsgerr *err;
			char extack[256];

			if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_type != NLMSG_ERROR) {
				found = 1;
				continue;
			}
			err = mnl_nlmsg_get_payload(m);
			if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
				return nn_error_setx(e, EPROTO, "cannot look up table ip " NN_NAT_TABLE
						     ": truncated netlink error");
			if (err->error == 0)
				return found;
			if (err->error == -ENOENT || no_nat_errno(-err->error))
				return 0;
			nn_nl_parse_extack(m, extack, sizeof(extack));
			return nn_error_set_kernel(e, -err->error, extack, "cannot look up table ip " NN_NAT_TABLE);
		}
	}
}

static int del_table(struct mnl_socket *nl, struct nn_error *e)
{
	struct batch b;
	uint32_t seq;
	int ret;

	if (batch_start(&b, e) < 0)
		return -e->code;
	seq = next_seq();
	nn_nat_table_msg(batch_slot(&b), seq, NFT_MSG_DELTABLE);
	batch_add(&b, seq, MSG_OTHER, "cannot delete table ip " NN_NAT_TABLE);
	ret = batch_send(nl, &b, e);
	batch_free(&b);
	return ret;
}

int nn_nat_rule_del(struct nn_ns *ns, const char *tag, uint64_t nonce, struct nn_error *e)
{
	_cleanup_nat_ struct mnl_socket *nl = NULL;
	_cleanup_free_ struct nn_nat_found *found = NULL;
	size_t n = 0, left = 0, left_in[NN_NAT_CHAIN_COUNT] = { 0 }, gone_in[NN_NAT_CHAIN_COUNT] = { 0 };
	struct batch b;
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
			uint32_t seq = next_seq();

			nn_nat_delchain_msg(batch_slot(&b), seq, c);
			batch_add(&b, seq, MSG_OTHER, "cannot delete the empty chain %s", nn_nat_chains[c].name);
		}
	}
	if (!left) {
		/* the last rule gone (or none there): the table goes with its chains */
		ret = table_exists(nl, e);
		if (ret < 0) {
			batch_free(&b);
			return ret;
		}
		if (ret) {
			uint32_t seq = next_seq();

			nn_nat_table_msg(batch_slot(&b), seq, NFT_MSG_DELTABLE);
			batch_add(&b, seq, MSG_OTHER, "cannot delete table ip " NN_NAT_TABLE);
		}
	}
	if (!b.n) {
		batch_free(&b);
		return 0;
	}
	ret = batch_send(nl, &b, e);
	batch_free(&b);
	return ret < 0 ? ret : 1;
}

int nn_nat_rule_list(struct nn_ns *ns, struct nn_nat_rule **out, size_t *n, struct nn_error *e)
{
	_cleanup_nat_ struct mnl_socket *nl = NULL;
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
	_cleanup_nat_ struct mnl_socket *nl = NULL;
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
