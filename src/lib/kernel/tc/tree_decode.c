// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A link's tc tree from the messages of its dumps (qdiscs, the root's
 * classes and filters), without the kernel: nn_tc_tree_get() reads the
 * dumps, this turns them into a struct nn_tc_tree, and the unit tests feed
 * it dumps captured from real kernels.  Whatever is not of netnsctl's
 * shape makes the tree "other", with the reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "netnsctl/tc.h"
#include "kernel/tc/tcmsg.h"
#include "kernel/tc/tree.h"
#include "util/cleanup.h"

/* ------------------------------------------------------------------ dumps */

enum qkind { Q_OTHER, Q_NETEM, Q_TBF, Q_HTB };

struct qd {
	uint32_t handle, parent;
	char kind[16];
	enum qkind k;
	bool bad;		/* its options did not decode */
	struct nn_netem netem;
	struct nn_tbf tbf;
	uint32_t defcls;
	bool used;		/* accounted for in the tree */
};

struct cl {
	uint32_t classid, parent;
	bool htb, bad;
	struct nn_htb_class c;
};

struct fl {
	struct nn_u32_info u;
	char kind[16];
	bool u32;		/* decoded as u32 */
};

struct dump {
	int ifindex;
	uint16_t type;
	void *v;
	size_t n, cap, size;
	int err;
	struct nn_error e;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data);

static void *grow(struct dump *d)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		void *v = realloc(d->v, cap * d->size);

		if (!v)
			return NULL;
		d->v = v;
		d->cap = cap;
	}
	return (char *)d->v + d->n++ * d->size;
}

static void decode_qd(const struct nlmsghdr *nlh, struct qd *q)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TCA_MAX + 1];
	struct nn_error ignored = { 0 };
	const char *kind;

	memset(q, 0, sizeof(*q));
	q->handle = tcm->tcm_handle;
	q->parent = tcm->tcm_parent;
	if (nn_tc_msg_parse(nlh, tb, TCA_MAX) < 0 || !tb[TCA_KIND] || !(kind = nn_attr_str(tb[TCA_KIND]))) {
		q->bad = true;
		snprintf(q->kind, sizeof(q->kind), "?");
		return;
	}
	snprintf(q->kind, sizeof(q->kind), "%s", kind);
	if (!strcmp(kind, "netem"))
		q->k = Q_NETEM;
	else if (!strcmp(kind, "tbf"))
		q->k = Q_TBF;
	else if (!strcmp(kind, "htb"))
		q->k = Q_HTB;
	if (q->k == Q_OTHER)
		return;
	if (!tb[TCA_OPTIONS])
		q->bad = true;
	else if (q->k == Q_NETEM)
		q->bad = nn_netem_decode(tb[TCA_OPTIONS], &q->netem, &ignored) < 0;
	else if (q->k == Q_TBF)
		q->bad = nn_tbf_decode(tb[TCA_OPTIONS], &q->tbf, &ignored) < 0;
	else
		q->bad = nn_htb_qdisc_decode(tb[TCA_OPTIONS], &q->defcls, &ignored) < 0;
}

static void decode_cl(const struct nlmsghdr *nlh, struct cl *c)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TCA_MAX + 1];
	struct nn_error ignored = { 0 };
	const char *kind;

	memset(c, 0, sizeof(*c));
	c->classid = tcm->tcm_handle;
	c->parent = tcm->tcm_parent;
	if (nn_tc_msg_parse(nlh, tb, TCA_MAX) < 0 || !tb[TCA_KIND] || !(kind = nn_attr_str(tb[TCA_KIND]))) {
		c->bad = true;
		return;
	}
	c->htb = !strcmp(kind, "htb");
	if (c->htb)
		c->bad = !tb[TCA_OPTIONS] || nn_htb_class_decode(tb[TCA_OPTIONS], &c->c, &ignored) < 0;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	void *slot;

	if (d->err || nlh->nlmsg_type != d->type)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*tcm))) {
		d->err = nn_error_setx(&d->e, EPROTO, "truncated tc message");
		return MNL_CB_OK;
	}
	/* The kernel dumps every device's qdiscs whatever ifindex is asked. */
	if (tcm->tcm_ifindex != d->ifindex)
		return MNL_CB_OK;
	slot = grow(d);
	if (!slot) {
		d->err = nn_error_set(&d->e, ENOMEM, "cannot read tc objects");
		return MNL_CB_OK;
	}
	if (d->type == RTM_NEWQDISC) {
		decode_qd(nlh, slot);
	} else if (d->type == RTM_NEWTCLASS) {
		decode_cl(nlh, slot);
	} else {
		struct fl *f = slot;
		struct nn_error e = { 0 };
		int r = nn_u32_decode(nlh, &f->u, f->kind, &e);

		f->u32 = r == 0;
		if (r < 0 && r != -ENOTSUP) {
			d->err = r;
			d->e = e;
		}
	}
	return MNL_CB_OK;
}

/* The messages of TYPE about IFINDEX in M, decoded into D's array. */
static int collect(const struct nn_tc_msgs *m, uint16_t type, int ifindex, size_t size,
		   struct dump *d, struct nn_error *e)
{
	size_t off = 0, len = m && m->buf ? m->len : 0;

	memset(d, 0, sizeof(*d));
	d->ifindex = ifindex;
	d->type = type;
	d->size = size;
	/* Bounded here: mnl_nlmsg_ok() takes an nlmsg_len of 2^31 and more
	 * for a negative length, which passes its check. */
	while (!d->err && len - off >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)m->buf + off);
		size_t n = nlh->nlmsg_len;

		if (n < NLMSG_HDRLEN || n > len - off)
			break;
		dump_cb(nlh, d);
		off += NLMSG_ALIGN(n) < len - off ? NLMSG_ALIGN(n) : len - off;
	}
	if (!d->err && off != len)
		d->err = nn_error_setx(&d->e, EPROTO, "%zu bytes of a cut tc message", len - off);
	if (d->err) {
		*e = d->e;
		free(d->v);
		d->v = NULL;
		return d->err;
	}
	return 0;
}

static void other(struct nn_tc_tree *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void other(struct nn_tc_tree *t, const char *fmt, ...)
{
	va_list ap;

	if (t->other[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->other, sizeof(t->other), fmt, ap);
	va_end(ap);
}

static struct qd *find_q(struct qd *q, size_t n, uint32_t parent)
{
	for (size_t i = 0; i < n; i++)
		if (q[i].parent == parent && !q[i].used)
			return &q[i];
	return NULL;
}

/* The leaf of netnsctl's shape at PARENT: MAJOR, maybe with a tbf child CHILD. */
static void read_leaf(struct nn_tc_tree *t, struct qd *q, size_t n, struct qd *top, uint32_t major,
		      uint32_t child, struct nn_tc_leaf *l)
{
	struct qd *c;

	memset(l, 0, sizeof(*l));
	if (!top)
		return;
	top->used = true;
	if (top->bad || (top->k != Q_NETEM && top->k != Q_TBF)) {
		other(t, "qdisc %x: is %s", TC_H_MAJ(top->handle) >> 16, top->kind);
		return;
	}
	if (top->handle != major)
		other(t, "qdisc %x: has not the handle netnsctl gives it (%x:)", TC_H_MAJ(top->handle) >> 16,
		      TC_H_MAJ(major) >> 16);
	if (top->k == Q_TBF) {
		l->has_tbf = true;
		l->tbf = top->tbf;
		goto made;
	}
	l->has_netem = true;
	l->netem = top->netem;
	c = find_q(q, n, TC_H_MAKE(top->handle, 1));
	if (!c)
		goto made;
	c->used = true;
	if (c->bad || c->k != Q_TBF || c->handle != child) {
		other(t, "netem %x: has a child %s %x:", TC_H_MAJ(top->handle) >> 16, c->kind,
		      TC_H_MAJ(c->handle) >> 16);
		return;
	}
	l->has_tbf = true;
	l->tbf = c->tbf;
made:
	/* What netnsctl sets is what its defaults make of it (a tbf without
	 * a bucket or a queue is not): else a spec could never equal it. */
	if (!nn_tc_leaf_same(l, l))
		other(t, "qdisc %x: has parameters netnsctl does not set", TC_H_MAJ(top->handle) >> 16);
}

static int cmp_rule_prio(const void *a, const void *b)
{
	const struct nn_tc_rule *x = a, *y = b;

	return (x->prio > y->prio) - (x->prio < y->prio);
}

static int read_rules(const struct nn_tc_msgs *classes, const struct nn_tc_msgs *filters, int ifindex,
		      struct nn_tc_tree *t, struct qd *q, size_t nq, struct nn_error *e)
{
	_cleanup_free_ struct nn_u32_sel *sels = NULL;
	struct dump dc, df;
	struct cl *cls;
	struct fl *fls;
	struct nn_htb_class open;
	uint32_t h = t->handle;
	bool have_default = false;
	int ret;

	ret = collect(classes, RTM_NEWTCLASS, ifindex, sizeof(struct cl), &dc, e);
	if (ret < 0)
		return ret;
	ret = collect(filters, RTM_NEWTFILTER, ifindex, sizeof(struct fl), &df, e);
	if (ret < 0) {
		free(dc.v);
		return ret;
	}
	cls = dc.v;
	fls = df.v;
	sels = calloc(NN_TC_MAX_SELS, sizeof(*sels));
	if (!sels) {
		free(dc.v);
		free(df.v);
		return nn_error_set(e, ENOMEM, "cannot read the tc tree of ifindex %d", ifindex);
	}
	nn_htb_class_open(&open);
	for (size_t i = 0; i < dc.n && !t->other[0]; i++) {
		struct cl *c = &cls[i];
		unsigned int minor = TC_H_MIN(c->classid);
		struct nn_tc_leaf *leaf;

		if (TC_H_MAJ(c->classid) != h)
			continue;
		if (!c->htb || c->bad || c->parent != TC_H_ROOT || !nn_htb_class_same(&open, &c->c)) {
			other(t, "class %x:%x is not one netnsctl makes", TC_H_MAJ(h) >> 16, minor);
			break;
		}
		if (minor == NN_TC_DEFAULT_MINOR) {
			have_default = true;
			leaf = &t->dflt;
		} else if (minor >= NN_TC_SLOT_MIN && minor <= NN_TC_SLOT_MAX && t->n_rules < NN_TC_MAX_RULES) {
			struct nn_tc_rule *r = &t->rules[t->n_rules++];

			memset(r, 0, sizeof(*r));
			r->slot = (uint16_t)minor;
			leaf = &r->leaf;
		} else {
			other(t, "class %x:%x is not one netnsctl makes", TC_H_MAJ(h) >> 16, minor);
			break;
		}
		read_leaf(t, q, nq, find_q(q, nq, c->classid), nn_tc_leaf_handle(h, minor),
			  nn_tc_child_handle(minor), leaf);
	}
	if (!have_default)
		other(t, "htb %x: without netnsctl's default class", TC_H_MAJ(h) >> 16);
	if (!t->n_rules)
		other(t, "htb %x: without rules", TC_H_MAJ(h) >> 16);

	/* Filters: one priority per rule, all of it selecting the rule's class. */
	for (unsigned int r = 0; r < t->n_rules && !t->other[0]; r++) {
		struct nn_tc_rule *rule = &t->rules[r];
		uint32_t cid = TC_H_MAKE(h, rule->slot);
		unsigned int n = 0;

		for (size_t i = 0; i < df.n; i++) {
			struct fl *f = &fls[i];

			if (!f->u32 || f->u.is_ht || !f->u.has_classid || f->u.classid != cid)
				continue;
			if (rule->prio && f->u.prio != rule->prio) {
				other(t, "class %x:%x is selected at two priorities", TC_H_MAJ(h) >> 16, rule->slot);
				break;
			}
			rule->prio = f->u.prio;
			if (n == NN_TC_MAX_SELS) {
				other(t, "class %x:%x has too many filters", TC_H_MAJ(h) >> 16, rule->slot);
				break;
			}
			sels[n++] = f->u.sel;
		}
		if (t->other[0])
			break;
		if (!n) {
			other(t, "class %x:%x has no filter", TC_H_MAJ(h) >> 16, rule->slot);
			break;
		}
		if (nn_tc_match_from_sels(sels, n, &rule->match, e) < 0) {
			other(t, "the filters at priority %u: %s", rule->prio, e->msg);
			nn_error_clear(e);
		}
	}
	/* Every filter must be one of a rule's. */
	for (size_t i = 0; i < df.n && !t->other[0]; i++) {
		struct fl *f = &fls[i];
		bool known = false;

		if (f->u32 && f->u.is_ht)
			continue;
		if (!f->u32) {
			other(t, "a filter of kind %s at priority %u", f->kind, f->u.prio);
			break;
		}
		for (unsigned int r = 0; r < t->n_rules; r++)
			known |= f->u.has_classid && f->u.classid == TC_H_MAKE(h, t->rules[r].slot);
		if (!known || !f->u.sel_ours || f->u.n_actions || f->u.protocol != ETH_P_ALL)
			other(t, "the filter %x at priority %u is not one netnsctl makes", f->u.handle,
			      f->u.prio);
	}
	if (!t->other[0])
		qsort(t->rules, t->n_rules, sizeof(t->rules[0]), cmp_rule_prio);
	free(dc.v);
	free(df.v);
	return 0;
}

int nn_tc_decode_root(int ifindex, const struct nn_tc_msgs *qdiscs, uint32_t *handle, bool *htb,
		      struct nn_error *e)
{
	struct dump dq;
	struct qd *q;
	int ret, found = 0;

	*handle = 0;
	*htb = false;
	ret = collect(qdiscs, RTM_NEWQDISC, ifindex, sizeof(struct qd), &dq, e);
	if (ret < 0)
		return ret;
	q = dq.v;
	for (size_t i = 0; i < dq.n; i++)
		if (q[i].parent == TC_H_ROOT && q[i].handle) {
			*handle = q[i].handle;
			*htb = q[i].k == Q_HTB && !q[i].bad;
			found = 1;
		}
	free(dq.v);
	return found;
}

int nn_tc_tree_decode(struct nn_tc_tree *t, int ifindex, const struct nn_tc_msgs *qdiscs,
		      const struct nn_tc_msgs *classes, const struct nn_tc_msgs *filters,
		      struct nn_error *e)
{
	struct dump dq;
	struct qd *q, *root = NULL;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = collect(qdiscs, RTM_NEWQDISC, ifindex, sizeof(struct qd), &dq, e);
	if (ret < 0)
		return ret;
	q = dq.v;
	for (size_t i = 0; i < dq.n; i++) {
		/* Not in the egress tree: the ingress/clsact qdisc, and the
		 * kernel's invisible default qdiscs (handle 0). */
		if (q[i].parent == TC_H_INGRESS || (!q[i].handle && q[i].parent != TC_H_ROOT))
			q[i].used = true;
		if (q[i].parent == TC_H_ROOT)
			root = &q[i];
	}
	if (!root || !root->handle) {
		free(dq.v);
		return 0;
	}
	root->used = true;
	t->handle = root->handle;
	if (root->bad) {
		other(t, "root qdisc %s does not decode", root->kind);
	} else if (root->k == Q_NETEM || root->k == Q_TBF) {
		root->used = false;
		read_leaf(t, q, dq.n, root, root->handle, nn_tc_child_handle(0), &t->dflt);
	} else if (root->k == Q_HTB) {
		if (root->defcls != NN_TC_DEFAULT_MINOR)
			other(t, "htb %x: with default class %x", TC_H_MAJ(root->handle) >> 16, root->defcls);
		else
			ret = read_rules(classes, filters, ifindex, t, q, dq.n, e);
	} else {
		other(t, "root qdisc %s", root->kind);
	}
	for (size_t i = 0; ret == 0 && i < dq.n && !t->other[0]; i++)
		if (!q[i].used)
			other(t, "qdisc %s %x: under %x:%x", q[i].kind, TC_H_MAJ(q[i].handle) >> 16,
			      TC_H_MAJ(q[i].parent) >> 16, TC_H_MIN(q[i].parent));
	free(dq.v);
	if (ret < 0)
		return ret;
	if (t->other[0]) {
		/* Only the handle and why: nothing in it is compared. */
		uint32_t handle = t->handle;
		char why[sizeof(t->other)];

		memcpy(why, t->other, sizeof(why));
		memset(t, 0, sizeof(*t));
		t->handle = handle;
		memcpy(t->other, why, sizeof(why));
	}
	return 1;
}

