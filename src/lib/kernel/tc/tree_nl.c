// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tc tree of a link in the kernel: read back from dumps (qdiscs, the
 * root's classes and filters), made whole, and changed one rule at a time.
 * Requests are built with libmnl and sent on the namespace's socket, so the
 * kernel's own errno and extended ack reach the user.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "netnsctl/ctx.h"
#include "netnsctl/tc.h"
#include "kernel/nl.h"
#include "kernel/tc/tcmsg.h"
#include "kernel/tc/tree.h"
#include "util/cleanup.h"

#define ETH_P_ALL_BE 0x0300	/* htons(ETH_P_ALL): "protocol all" */

/* ------------------------------------------------------------------ dumps */

struct raw {
	char *buf;
	size_t len, cap;
	bool oom;
};

/* Keep every message of the dump as it came. */
static int raw_cb(const struct nlmsghdr *nlh, void *data)
{
	struct raw *r = data;
	size_t n = NLMSG_ALIGN(nlh->nlmsg_len);

	if (r->oom)
		return MNL_CB_OK;
	if (r->len + n > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16384;
		char *b;

		while (cap < r->len + n)
			cap *= 2;
		b = realloc(r->buf, cap);
		if (!b) {
			r->oom = true;
			return MNL_CB_OK;
		}
		r->buf = b;
		r->cap = cap;
	}
	memset(r->buf + r->len, 0, n);
	memcpy(r->buf + r->len, nlh, nlh->nlmsg_len);
	r->len += n;
	return MNL_CB_OK;
}

static int dump_raw(struct nn_ns *ns, uint16_t get, int ifindex, uint32_t parent, struct raw *r,
		    struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));
	int ret;

	memset(buf, 0, sizeof(buf));
	ret = nn_mnl_talk(ns, nn_tc_request(buf, get, NLM_F_DUMP, ifindex, parent, 0, 0), raw_cb, r, e,
			  "cannot read the %s of ifindex %d in %s",
			  get == RTM_GETQDISC ? "qdiscs" : get == RTM_GETTCLASS ? "classes" : "filters",
			  ifindex, nn_ns_label(ns));
	if (ret == 0 && r->oom)
		ret = nn_error_set(e, ENOMEM, "cannot read the tc objects of ifindex %d", ifindex);
	return ret;
}

int nn_tc_tree_get(struct nn_ns *ns, int ifindex, struct nn_tc_tree *t, struct nn_error *e)
{
	struct raw q = { 0 }, c = { 0 }, f = { 0 };
	struct nn_tc_msgs mq, mc, mf;
	uint32_t handle;
	bool htb;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = dump_raw(ns, RTM_GETQDISC, ifindex, 0, &q, e);
	mq = (struct nn_tc_msgs){ q.buf, q.len };
	if (ret == 0)
		ret = nn_tc_decode_root(ifindex, &mq, &handle, &htb, e);
	/* An htb root's classes and filters: the dumps of its own block. */
	if (ret == 1 && htb) {
		ret = dump_raw(ns, RTM_GETTCLASS, ifindex, handle, &c, e);
		if (ret == 0)
			ret = dump_raw(ns, RTM_GETTFILTER, ifindex, handle, &f, e);
	}
	mc = (struct nn_tc_msgs){ c.buf, c.len };
	mf = (struct nn_tc_msgs){ f.buf, f.len };
	if (ret >= 0)
		ret = nn_tc_tree_decode(t, ifindex, &mq, &mc, &mf, e);
	free(q.buf);
	free(c.buf);
	free(f.buf);
	return ret;
}

/* --------------------------------------------------------------- requests */

static const char *hstr(char *buf, size_t len, uint32_t h)
{
	if (h == TC_H_ROOT)
		snprintf(buf, len, "root");
	else if (TC_H_MIN(h))
		snprintf(buf, len, "%x:%x", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
	else
		snprintf(buf, len, "%x:", TC_H_MAJ(h) >> 16);
	return buf;
}

/* Send NLH; a missing qdisc kind gets the same message as nn_qdisc_*. */
static int talk(struct nn_ns *ns, struct nlmsghdr *nlh, const char *kind, struct nn_error *e,
		const char *what)
{
	int ret = nn_mnl_talk(ns, nlh, NULL, NULL, e, "%s", what);

	if (ret == -ENOENT && kind && strstr(e->msg, "kind is unknown")) {
		char kernel[NN_ERROR_MAX];
		size_t n = strlen(what);

		snprintf(kernel, sizeof(kernel), "%s", !strncmp(e->msg, what, n) && e->msg[n] == ':' ?
			 e->msg + n + 2 : e->msg);
		return nn_error_setx(e, ENOENT, "this kernel has no sch_%s (%s)", kind, kernel);
	}
	return ret;
}

enum put_kind { PUT_NETEM, PUT_TBF, PUT_HTB };

static int qdisc_put(struct nn_ns *ns, int ifindex, uint32_t parent, uint32_t handle,
		     enum put_kind k, const struct nn_tc_leaf *l, struct nn_error *e)
{
	_cleanup_free_ void *buf = calloc(1, NN_TC_MSG_SPACE);
	static const char *const names[] = { "netem", "tbf", "htb" };
	struct nlmsghdr *nlh;
	char what[200], p[24], h[24];
	int ret = 0;

	if (!buf)
		return nn_error_set(e, ENOMEM, "cannot set a qdisc");
	nlh = nn_tc_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, parent, handle, 0);
	if (k == PUT_NETEM) {
		ret = nn_netem_encode(nlh, &l->netem, e);
	} else if (k == PUT_TBF) {
		struct nn_tbf tbf = l->tbf;

		/* From a dump or normalized, a tbf has both; the limit counts. */
		if (tbf.limit)
			tbf.latency_ns = 0;
		ret = nn_tbf_encode(nlh, &tbf, e);
	}
	else
		nn_htb_qdisc_encode(nlh, NN_TC_DEFAULT_MINOR);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "cannot set %s %s at %s of ifindex %d in %s", names[k],
		 handle ? hstr(h, sizeof(h), handle) : "", hstr(p, sizeof(p), parent), ifindex,
		 nn_ns_label(ns));
	return talk(ns, nlh, names[k], e, what);
}

/* A pfifo root with a handle the kernel picks, in place of the root. */
static int pfifo_put(struct nn_ns *ns, int ifindex, struct nn_error *e)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nlh = nn_tc_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, TC_H_ROOT, 0, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "pfifo");
	return nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot replace the root qdisc of ifindex %d in %s",
			   ifindex, nn_ns_label(ns));
}

static int qdisc_del(struct nn_ns *ns, int ifindex, uint32_t parent, uint32_t handle,
		     struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));
	char p[24], h[24];
	int ret;

	memset(buf, 0, sizeof(buf));
	ret = nn_mnl_talk(ns, nn_tc_request(buf, RTM_DELQDISC, 0, ifindex, parent, handle, 0), NULL,
			  NULL, e, "cannot remove qdisc %s at %s of ifindex %d in %s",
			  hstr(h, sizeof(h), handle), hstr(p, sizeof(p), parent), ifindex, nn_ns_label(ns));
	if (ret == -ENOENT) {
		nn_error_clear(e);
		return 0;
	}
	return ret;
}

/*
 * Make L the leaf at PARENT (handle MAJOR, tbf child CHILD when stacked).
 * HAVE: what is there now (NULL: unknown or nothing).  In place where the
 * kind stays (no packet queued in it is lost); another kind at MAJOR is
 * replaced atomically: grafted first under a handle the kernel picks (the
 * kernel refuses to change a qdisc into another kind), then under MAJOR.
 */
static int leaf_set(struct nn_ns *ns, int ifindex, uint32_t parent, uint32_t major, uint32_t child,
		    const struct nn_tc_leaf *l, const struct nn_tc_leaf *have, struct nn_error *e)
{
	enum put_kind k = l->has_netem ? PUT_NETEM : PUT_TBF;
	int ret;

	if (nn_tc_leaf_empty(l)) {
		if (parent == TC_H_ROOT)
			return nn_tc_tree_clear(ns, ifindex, e) < 0 ? -e->code : 0;
		/* htb puts its default pfifo back. */
		return have && !nn_tc_leaf_empty(have) ? qdisc_del(ns, ifindex, parent, major, e) : 0;
	}
	ret = qdisc_put(ns, ifindex, parent, major, k, l, e);
	/* EINVAL "Invalid qdisc name": MAJOR is of another kind.  The
	 * kernel checks that before it looks the new kind up, so a missing
	 * kind shows only in the graft, whose error is the one to report. */
	if (ret == -EINVAL && (!have || have->has_netem != l->has_netem)) {
		ret = qdisc_put(ns, ifindex, parent, 0, k, l, e);
		if (ret == 0)
			ret = qdisc_put(ns, ifindex, parent, major, k, l, e);
	}
	if (ret < 0)
		return ret;
	if (l->has_netem && l->has_tbf)
		return qdisc_put(ns, ifindex, TC_H_MAKE(major, 1), child, PUT_TBF, l, e);
	if (l->has_netem && have && have->has_netem && have->has_tbf)
		return qdisc_del(ns, ifindex, TC_H_MAKE(major, 1), child, e);
	return 0;
}

static int class_add(struct nn_ns *ns, int ifindex, uint32_t handle, unsigned int minor,
		     struct nn_error *e)
{
	char buf[512] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nn_htb_class c;
	struct nlmsghdr *nlh;
	char h[24];

	memset(buf, 0, sizeof(buf));
	nn_htb_class_open(&c);
	nlh = nn_tc_request(buf, RTM_NEWTCLASS, NLM_F_CREATE | NLM_F_EXCL, ifindex, handle,
			    TC_H_MAKE(handle, minor), 0);
	if (nn_htb_class_encode(nlh, &c, e) < 0)
		return -e->code;
	return nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot add class %s to ifindex %d in %s",
			   hstr(h, sizeof(h), TC_H_MAKE(handle, minor)), ifindex, nn_ns_label(ns));
}

static int class_del(struct nn_ns *ns, int ifindex, uint32_t handle, unsigned int minor,
		     struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));
	char h[24];
	int ret;

	memset(buf, 0, sizeof(buf));
	ret = nn_mnl_talk(ns, nn_tc_request(buf, RTM_DELTCLASS, 0, ifindex, handle,
					    TC_H_MAKE(handle, minor), 0),
			  NULL, NULL, e, "cannot remove class %s of ifindex %d in %s",
			  hstr(h, sizeof(h), TC_H_MAKE(handle, minor)), ifindex, nn_ns_label(ns));
	if (ret == -ENOENT) {
		nn_error_clear(e);
		return 0;
	}
	return ret;
}

/* Remove the filters at PRIO of the root block (the whole priority). */
static int filters_del(struct nn_ns *ns, int ifindex, uint32_t handle, uint16_t prio,
		       struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));
	int ret;

	memset(buf, 0, sizeof(buf));
	ret = nn_mnl_talk(ns, nn_tc_request(buf, RTM_DELTFILTER, 0, ifindex, handle, 0,
					    (uint32_t)prio << 16),
			  NULL, NULL, e, "cannot remove the filters at priority %u of ifindex %d in %s",
			  prio, ifindex, nn_ns_label(ns));
	if (ret == -ENOENT) {
		nn_error_clear(e);
		return 0;
	}
	return ret;
}

static int filters_add(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tc_rule *r,
		       struct nn_error *e)
{
	_cleanup_free_ struct nn_u32_sel *sels = calloc(NN_TC_MAX_SELS, sizeof(*sels));
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
	unsigned int n;
	char h[24];
	int ret = 0;

	if (!sels)
		return nn_error_set(e, ENOMEM, "cannot add filters");
	n = nn_tc_match_sels(&r->match, sels);
	for (unsigned int i = 0; i < n && ret == 0; i++) {
		struct nlmsghdr *nlh;

		memset(buf, 0, sizeof(buf));
		nlh = nn_tc_request(buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex, handle, 0,
				    TC_H_MAKE((uint32_t)r->prio << 16, ETH_P_ALL_BE));
		ret = nn_u32_classify_encode(nlh, &sels[i], TC_H_MAKE(handle, r->slot), e);
		if (ret == 0)
			ret = nn_mnl_talk(ns, nlh, NULL, NULL, e,
					  "cannot add a filter at priority %u for class %s of ifindex %d in %s",
					  r->prio, hstr(h, sizeof(h), TC_H_MAKE(handle, r->slot)), ifindex,
					  nn_ns_label(ns));
	}
	if (ret < 0) {
		struct nn_error ignored = { 0 };

		filters_del(ns, ifindex, handle, r->prio, &ignored);
	}
	return ret;
}

/* --------------------------------------------------------------- the API */

int nn_tc_kind_probe(struct nn_ns *ns, const char *kind, struct nn_error *e)
{
	return nn_qdisc_kind_probe(ns, kind, e);
}

int nn_tc_tree_clear(struct nn_ns *ns, int ifindex, struct nn_error *e)
{
	return nn_qdisc_clear(ns, ifindex, e);
}

int nn_tc_rule_add(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tc_rule *r,
		   struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	int ret;

	if (r->slot < NN_TC_SLOT_MIN || r->slot > NN_TC_SLOT_MAX || !r->prio)
		return nn_error_setx(e, EINVAL, "rule without a class slot or a priority");
	ret = class_add(ns, ifindex, handle, r->slot, e);
	if (ret < 0)
		return ret;
	ret = leaf_set(ns, ifindex, TC_H_MAKE(handle, r->slot), nn_tc_leaf_handle(handle, r->slot),
		       nn_tc_child_handle(r->slot), &r->leaf, NULL, e);
	if (ret == 0)
		ret = filters_add(ns, ifindex, handle, r, e);
	if (ret < 0)
		class_del(ns, ifindex, handle, r->slot, &ignored);
	return ret;
}

int nn_tc_rule_del(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tc_rule *r,
		   struct nn_error *e)
{
	/* Filters first: the kernel keeps a class that a filter selects. */
	if (filters_del(ns, ifindex, handle, r->prio, e) < 0)
		return -e->code;
	return class_del(ns, ifindex, handle, r->slot, e);
}

int nn_tc_rule_leaf(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tc_rule *want,
		    const struct nn_tc_rule *have, struct nn_error *e)
{
	if (want->slot != have->slot)
		return nn_error_setx(e, EINVAL, "a rule's leaf changes in its own class");
	return leaf_set(ns, ifindex, TC_H_MAKE(handle, want->slot), nn_tc_leaf_handle(handle, want->slot),
			nn_tc_child_handle(want->slot), &want->leaf, &have->leaf, e);
}

int nn_tc_rule_move(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tc_rule *want,
		    const struct nn_tc_rule *have, struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	int ret;

	ret = filters_del(ns, ifindex, handle, have->prio, e);
	if (ret < 0)
		return ret;
	ret = filters_add(ns, ifindex, handle, want, e);
	if (ret < 0)
		filters_add(ns, ifindex, handle, have, &ignored);
	return ret;
}

int nn_tc_default_set(struct nn_ns *ns, int ifindex, const struct nn_tc_tree *want,
		      const struct nn_tc_tree *have, struct nn_error *e)
{
	const struct nn_tc_leaf *h = have && !have->other[0] ? &have->dflt : NULL;

	if (!want->n_rules)
		return leaf_set(ns, ifindex, TC_H_ROOT, want->handle, nn_tc_child_handle(0), &want->dflt, h, e);
	return leaf_set(ns, ifindex, TC_H_MAKE(want->handle, NN_TC_DEFAULT_MINOR),
			nn_tc_leaf_handle(want->handle, NN_TC_DEFAULT_MINOR),
			nn_tc_child_handle(NN_TC_DEFAULT_MINOR), &want->dflt, h, e);
}

static int probe_kinds(struct nn_ns *ns, const struct nn_tc_tree *t, struct nn_error *e)
{
	bool netem = t->dflt.has_netem, tbf = t->dflt.has_tbf;

	for (unsigned int i = 0; i < t->n_rules; i++) {
		netem |= t->rules[i].leaf.has_netem;
		tbf |= t->rules[i].leaf.has_tbf;
	}
	if (t->n_rules && nn_tc_kind_probe(ns, "htb", e) <= 0)
		return e->code ? -e->code : -ENOENT;
	if (netem && nn_tc_kind_probe(ns, "netem", e) <= 0)
		return e->code ? -e->code : -ENOENT;
	if (tbf && nn_tc_kind_probe(ns, "tbf", e) <= 0)
		return e->code ? -e->code : -ENOENT;
	return 0;
}

int nn_tc_tree_set(struct nn_ns *ns, int ifindex, const struct nn_tc_tree *t0, struct nn_error *e)
{
	_cleanup_free_ struct nn_tc_tree *t = malloc(sizeof(*t));
	struct nn_qdisc_info root;
	struct nn_error ignored = { 0 };
	enum put_kind top;
	int ret;

	if (!t)
		return nn_error_set(e, ENOMEM, "cannot set a tc tree");
	*t = *t0;
	if (nn_tc_tree_check(t, e) < 0)
		return -e->code;
	nn_tc_tree_normalize(t);
	if (nn_tc_tree_empty(t))
		return nn_tc_tree_clear(ns, ifindex, e) < 0 ? -e->code : 0;
	for (unsigned int i = 0; i < t->n_rules; i++)
		if (!t->rules[i].slot)
			return nn_error_setx(e, EINVAL, "rule %u has no class slot", i + 1);
	ret = probe_kinds(ns, t, e);
	if (ret < 0)
		return ret;
	ret = nn_qdisc_root(ns, ifindex, &root, e);
	if (ret < 0)
		return ret;
	top = t->n_rules ? PUT_HTB : t->dflt.has_netem ? PUT_NETEM : PUT_TBF;
	/*
	 * A new tree, never an edit of the old one.  Where the root already
	 * has our handle, a request for it would change that qdisc (or be
	 * refused, for another kind), and a request without a handle changes
	 * a root of the same kind too (tc_modify_qdisc(); 6.18 no longer
	 * grafts anew for NLM_F_EXCL).  So a pfifo takes the old tree's place
	 * first, in one atomic graft, and ours then takes the pfifo's.
	 */
	if (ret == 1 && root.handle == t->handle) {
		ret = pfifo_put(ns, ifindex, e);
		if (ret < 0)
			return ret;
	}
	ret = qdisc_put(ns, ifindex, TC_H_ROOT, t->handle, top, &t->dflt, e);
	if (ret < 0)
		goto undo;
	if (!t->n_rules) {
		if (t->dflt.has_netem && t->dflt.has_tbf)
			ret = qdisc_put(ns, ifindex, TC_H_MAKE(t->handle, 1), nn_tc_child_handle(0), PUT_TBF,
					&t->dflt, e);
		if (ret < 0)
			goto undo;
		return 0;
	}
	ret = class_add(ns, ifindex, t->handle, NN_TC_DEFAULT_MINOR, e);
	if (ret == 0)
		ret = nn_tc_default_set(ns, ifindex, t, NULL, e);
	for (unsigned int i = 0; ret == 0 && i < t->n_rules; i++)
		ret = nn_tc_rule_add(ns, ifindex, t->handle, &t->rules[i], e);
	if (ret == 0)
		return 0;
undo:
	/* The old tree is gone already: leave the kernel's default root. */
	nn_tc_tree_clear(ns, ifindex, &ignored);
	return ret;
}

static int sync_steps(struct nn_ns *ns, int ifindex, const struct nn_tc_tree *want,
		      const struct nn_tc_tree *have, const struct nn_tc_diff *d, struct nn_error *e)
{
	uint32_t h = want->handle;
	int ret = 0;

	if (d->clear)
		return nn_tc_tree_clear(ns, ifindex, e) < 0 ? -e->code : 0;
	if (d->rebuild)
		return nn_tc_tree_set(ns, ifindex, want, e);
	for (unsigned int i = 0; ret == 0 && i < d->n; i++)
		if (d->steps[i].op == NN_TC_RULE_DEL)
			ret = nn_tc_rule_del(ns, ifindex, h, &have->rules[d->steps[i].have], e);
	/* Moves: every old priority freed before any new one is taken. */
	for (unsigned int i = 0; ret == 0 && i < d->n; i++)
		if (d->steps[i].op == NN_TC_RULE_MOVE)
			ret = filters_del(ns, ifindex, h, have->rules[d->steps[i].have].prio, e);
	for (unsigned int i = 0; ret == 0 && i < d->n; i++)
		if (d->steps[i].op == NN_TC_RULE_MOVE)
			ret = filters_add(ns, ifindex, h, &want->rules[d->steps[i].want], e);
	for (unsigned int i = 0; ret == 0 && i < d->n; i++)
		if (d->steps[i].op == NN_TC_RULE_LEAF)
			ret = nn_tc_rule_leaf(ns, ifindex, h, &want->rules[d->steps[i].want],
					      &have->rules[d->steps[i].have], e);
	if (ret == 0 && d->dflt)
		ret = nn_tc_default_set(ns, ifindex, want, have, e);
	for (unsigned int i = 0; ret == 0 && i < d->n; i++)
		if (d->steps[i].op == NN_TC_RULE_ADD)
			ret = nn_tc_rule_add(ns, ifindex, h, &want->rules[d->steps[i].want], e);
	return ret;
}

int nn_tc_tree_sync(struct nn_ns *ns, int ifindex, const struct nn_tc_tree *want,
		    const struct nn_tc_tree *have, const struct nn_tc_diff *d, struct nn_error *e)
{
	_cleanup_free_ struct nn_tc_tree *back = NULL, *now = NULL;
	struct nn_tc_diff undo;
	struct nn_error e2 = { 0 };
	int ret;

	/* A kernel without a kind the steps need: refused before any step. */
	if (!d->clear && (d->dflt || d->n)) {
		ret = probe_kinds(ns, want, e);
		if (ret < 0)
			return ret;
	}
	ret = sync_steps(ns, ifindex, want, have, d, e);
	if (ret == 0 || d->clear || d->rebuild)
		return ret;	/* clear and rebuild undo their own part */
	back = malloc(sizeof(*back));
	now = malloc(sizeof(*now));
	if (!back || !now)
		return ret;
	/* Put HAVE back: what is there now, diffed against it. */
	*back = *have;
	if (nn_tc_tree_get(ns, ifindex, now, &e2) < 0 ||
	    (nn_tc_tree_diff(back, now, &undo), sync_steps(ns, ifindex, back, now, &undo, &e2) < 0)) {
		char first[NN_ERROR_MAX];

		snprintf(first, sizeof(first), "%s", e->msg);
		nn_error_setx(e, -ret, "%s (and the tree could not be put back: %s)", first, e2.msg);
	}
	return ret;
}
