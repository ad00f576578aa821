// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The planner of tc trees (lab.h: nn_lab_add_tc_*; issue 17): one direction
 * of a link against the snapshot, as steps of the one plan.  Pure, as
 * plan.c (tests/unit/plan-pure.sh checks both).
 *
 * Egress: the tree on the link's root is netnsctl's when the journal's
 * qdisc record proves its root (owner.h); then it is edited in place (one
 * TC_TREE_CHANGE step a rule), else replaced whole (TC_TREE_SET).
 * Ingress: the tree is on the link's ifb, which must be netnsctl's (an
 * interface of that name that is not is never touched: the plan fails);
 * the redirect to it comes last (the ifb's tree is there before traffic
 * is), and an empty tree takes the redirect, the ifb and netnsctl's clsact
 * away in that order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/pkt_sched.h>

#include "netnsctl/ifb.h"
#include "netnsctl/owner.h"
#include "engine/plan.h"

static struct nn_step_tc *new_tc(struct nn_plan *p, const struct lab_tc *t, struct nn_error *e)
{
	struct nn_step_tc **v = realloc(p->tcs, (p->n_tcs + 1) * sizeof(*v));
	struct nn_step_tc *tc;

	if (!v || !(tc = calloc(1, sizeof(*tc)))) {
		if (v)
			p->tcs = v;
		nn_error_set(e, ENOMEM, "cannot plan");
		return NULL;
	}
	p->tcs = v;
	p->tcs[p->n_tcs++] = tc;
	snprintf(tc->ns, sizeof(tc->ns), "%s", t->ns);
	snprintf(tc->link, sizeof(tc->link), "%s", t->ifname);
	tc->ingress = t->ingress;
	return tc;
}

/* WANT: BASE with the leaf EDIT names changed (nn_lab_add_tc_edit). */
static int edit_tree(const struct nn_tc_edit *ed, const struct nn_tc_tree *base,
		     struct nn_tc_tree *want, struct nn_error *e)
{
	struct nn_tc_leaf *leaf;
	unsigned int i;

	*want = *base;
	want->other[0] = 0;
	if (ed->has_match) {
		for (i = 0; i < want->n_rules; i++)
			if (nn_tc_match_same(&want->rules[i].match, &ed->match))
				break;
		if (ed->what == NN_TC_EDIT_CLEAR) {
			if (i < want->n_rules) {
				memmove(&want->rules[i], &want->rules[i + 1],
					(want->n_rules - i - 1) * sizeof(want->rules[0]));
				want->n_rules--;
			}
			return 0;
		}
		if (i == want->n_rules) {
			if (want->n_rules >= NN_TC_MAX_RULES)
				return nn_error_setx(e, E2BIG,
						     "too many rules: at most %d on one link and direction",
						     NN_TC_MAX_RULES);
			memset(&want->rules[i], 0, sizeof(want->rules[i]));
			want->rules[i].match = ed->match;
			want->n_rules++;
		}
		leaf = &want->rules[i].leaf;
	} else {
		if (ed->what == NN_TC_EDIT_CLEAR) {
			memset(want, 0, sizeof(*want));
			return 0;
		}
		leaf = &want->dflt;
	}
	if (ed->what == NN_TC_EDIT_NETEM) {
		leaf->has_netem = true;
		leaf->netem = ed->netem;
	} else {
		leaf->has_tbf = true;
		leaf->tbf = ed->tbf;
	}
	return 0;
}

/* tbf drops every packet longer than its bucket (as plan_qdisc checks). */
/* TC's wanted tree: T's (a lab's), or T's edit of the tree there (ON_HAVE:
 * netnsctl's tree to edit, else an empty one).  An empty one is all zero. */
static int want_tree(struct nn_step_tc *tc, const struct lab_tc *t, bool on_have, struct nn_error *e)
{
	struct nn_tc_tree *base = calloc(1, sizeof(*base));
	int ret;

	if (!base)
		return nn_error_set(e, ENOMEM, "cannot plan");
	if (on_have)
		*base = tc->have;
	ret = t->is_edit ? edit_tree(&t->edit, base, &tc->want, e) : (tc->want = t->want, 0);
	free(base);
	if (ret == 0 && nn_tc_tree_empty(&tc->want))
		memset(&tc->want, 0, sizeof(tc->want));
	return ret;
}

static int check_bursts(const struct nn_step_tc *tc, const struct nn_tc_tree *t, struct nn_error *e)
{
	uint32_t frame = tc->mtu + ETH_HLEN;

	for (unsigned int i = 0; i <= t->n_rules; i++) {
		const struct nn_tc_leaf *l = i < t->n_rules ? &t->rules[i].leaf : &t->dflt;

		if (l->has_tbf && l->tbf.burst && l->tbf.burst < frame)
			return nn_error_setx(e, EMSGSIZE,
					     "invalid burst of %u bytes: smaller than a full-size frame on %s in %s (MTU %u + %d bytes of header); at least %ub",
					     l->tbf.burst, tc->link, nn_where(tc->ns), tc->mtu, ETH_HLEN,
					     frame);
	}
	return 0;
}

static struct nn_step *tc_step(struct nn_plan *p, enum nn_step_kind kind, enum nn_step_state state,
			       enum nn_step_reason why, struct nn_step_tc *tc, const char *dev,
			       struct nn_error *e)
{
	struct nn_step *s = nn_plan_add_step(p, kind, state, why, tc->ns, dev, e);

	if (s)
		s->u.tc.t = tc;
	return s;
}

/* The steps that make TC's tree WANT out of HAVE on its device (set,
 * change by rule, or nothing), HAVE_OURS said. */
static int tree_steps(struct nn_plan *p, struct nn_step_tc *tc, int dev_ifindex, struct nn_error *e)
{
	bool fresh = nn_tc_tree_empty(&tc->have);
	struct nn_step *s;
	bool first = true;

	if (!tc->have_ours || tc->d.rebuild || fresh) {
		s = tc_step(p, NN_STEP_TC_TREE_SET, fresh ? NN_STATE_MISSING : NN_STATE_DIFFERS,
			    fresh ? NN_WHY_ABSENT : NN_WHY_OTHER_VALUE, tc, tc->dev, e);
		if (!s)
			return -e->code;
		s->run.ifindex = dev_ifindex;
		return 0;
	}
	/* In the kernel's order (nn_tc_tree_sync): removals, moves, leaves,
	 * the default, additions; the first step carries them all out. */
	static const int order[] = { NN_TC_RULE_DEL, NN_TC_RULE_MOVE, NN_TC_RULE_LEAF, -1, NN_TC_RULE_ADD };
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (unsigned int i = 0; i < (order[k] < 0 ? (tc->d.dflt ? 1u : 0u) : tc->d.n); i++) {
			const struct nn_tc_step *ts = order[k] < 0 ? NULL : &tc->d.steps[i];

			if (ts && (int)ts->op != order[k])
				continue;
			s = tc_step(p, NN_STEP_TC_TREE_CHANGE,
				    ts && ts->op == NN_TC_RULE_ADD ? NN_STATE_MISSING
				    : ts && ts->op == NN_TC_RULE_DEL ? NN_STATE_EXTRA : NN_STATE_DIFFERS,
				    ts && ts->op == NN_TC_RULE_ADD ? NN_WHY_ABSENT
				    : ts && ts->op == NN_TC_RULE_DEL ? NN_WHY_ASKED : NN_WHY_OTHER_VALUE,
				    tc, tc->dev, e);
			if (!s)
				return -e->code;
			s->u.tc.op = ts ? (int)ts->op : -1;
			s->u.tc.want = ts ? ts->want : -1;
			s->u.tc.have = ts ? ts->have : -1;
			s->u.tc.first = first;
			s->run.ifindex = dev_ifindex;
			first = false;
		}
	}
	return 0;
}

static int plan_egress(struct nn_plan *p, const struct nn_snapshot *snap, const struct lab_tc *t,
		       const struct nn_snap_ns *ob, const struct nn_link_info *l, struct nn_error *e)
{
	const struct nn_journal_entry *j = NULL;
	const struct nn_qdisc_info *root = NULL;
	const struct nn_snap_tc *st;
	struct nn_step_tc *tc = new_tc(p, t, e);
	uint32_t handle = 0;
	struct nn_step *s;
	int ret;

	if (!tc)
		return -e->code;
	snprintf(tc->dev, sizeof(tc->dev), "%s", t->ifname);
	tc->mtu = l ? l->mtu : 1500;
	if (l && (st = nn_snap_tc(ob, l->ifindex)))
		tc->have = st->tree;
	if (l) {
		root = nn_snap_root(ob, l->ifindex);
		j = nn_snap_journal(snap, NN_OBJ_QDISC, ob->name, l->name, ob->cookie);
		tc->have_ours = root && root->handle && j && nn_owner_qdisc(j, l, root);
	}
	/* Nothing of netnsctl's to stack on or select in: the one root qdisc,
	 * as before trees (plan_qdisc). */
	if (t->is_edit && t->edit.root_ok &&
	    (!tc->have_ours || tc->have.other[0] || nn_tc_tree_empty(&tc->have) ||
	     t->edit.what == NN_TC_EDIT_CLEAR ||
	     (!tc->have.n_rules && (t->edit.what == NN_TC_EDIT_NETEM ? !tc->have.dflt.has_tbf
								   : !tc->have.dflt.has_netem)))) {
		struct lab_qdisc q = { 0 };

		snprintf(q.ns, sizeof(q.ns), "%s", t->ns);
		snprintf(q.ifname, sizeof(q.ifname), "%s", t->ifname);
		if (t->edit.what == NN_TC_EDIT_NETEM) {
			q.want.kind = NN_QDISC_NETEM;
			q.want.u.netem = t->edit.netem;
			snprintf(q.want.kind_name, sizeof(q.want.kind_name), "netem");
		} else if (t->edit.what == NN_TC_EDIT_TBF) {
			q.want.kind = NN_QDISC_TBF;
			q.want.u.tbf = t->edit.tbf;
			snprintf(q.want.kind_name, sizeof(q.want.kind_name), "tbf");
		} else {
			q.want.kind = NN_QDISC_OTHER;
		}
		tc->want = tc->have;	/* (--print-tc never takes this way) */
		return nn_plan_qdisc(p, snap, &q, e);
	}
	/* netnsctl's root keeps its handle; on netnsctl's link (or one this
	 * plan makes) 1:, else a free random one picked when the step runs
	 * (owner.h: an admin's root may well be 1:). */
	if (tc->have_ours)
		handle = tc->have.handle;
	else if (!l || ((j = nn_snap_journal(snap, NN_OBJ_LINK, ob->name, l->name, ob->cookie)) &&
			nn_owner_link(j, l)))
		handle = NN_QDISC_HANDLE;
	if ((ret = want_tree(tc, t, tc->have_ours && !tc->have.other[0], e)) < 0)
		return ret;
	if (nn_tc_tree_empty(&tc->want)) {
		/* clear-qdisc: any root without a selector (as before);
		 * netnsctl's tree only with one, or from a lab. */
		if (!l || nn_tc_tree_empty(&tc->have) ||
		    !(tc->have_ours || (t->is_edit && !t->edit.has_match)))
			return 0;
		s = tc_step(p, NN_STEP_TC_TREE_CLEAR, NN_STATE_DIFFERS, NN_WHY_OTHER_VALUE, tc, tc->dev, e);
		if (!s)
			return -e->code;
		s->run.ifindex = l->ifindex;
		return 0;
	}
	/* The check wants a handle of the kinds netnsctl gives; 0 (one picked
	 * when the step runs) passes as 1: here. */
	tc->want.handle = TC_H_MAJ(handle ? handle : NN_QDISC_HANDLE);
	if (nn_tc_tree_check(&tc->want, e) < 0 || check_bursts(tc, &tc->want, e) < 0)
		return -e->code;
	tc->want.handle = TC_H_MAJ(handle);
	nn_tc_tree_diff(&tc->want, &tc->have, &tc->d);
	return tree_steps(p, tc, l ? l->ifindex : 0, e);
}

static int plan_ingress(struct nn_plan *p, const struct nn_snapshot *snap, const struct lab_tc *t,
			const struct nn_snap_ns *ob, const struct nn_link_info *l, struct nn_error *e)
{
	const struct nn_link_info *fb = NULL;
	const struct nn_journal_entry *j;
	const struct nn_snap_tc *st;
	struct nn_step_tc *tc = new_tc(p, t, e);
	struct nn_tc_ingress in;
	bool redirect_ok = false, clsact_ours = false;
	struct nn_step *s;
	int ret;

	if (!tc)
		return -e->code;
	nn_ifb_name(t->ifname, tc->dev);
	tc->mtu = l ? l->mtu : 1500;
	memset(&in, 0, sizeof(in));
	if (l && (st = nn_snap_tc(ob, l->ifindex)) && st->has_ingress)
		in = st->in;
	tc->clsact_new = !in.qdisc[0];
	if (l && (fb = nn_snap_link(ob, tc->dev))) {
		j = nn_snap_journal(snap, NN_OBJ_LINK, ob->name, tc->dev, ob->cookie);
		if (!j || !nn_owner_link(j, fb))
			return nn_error_setx(e, EEXIST,
					     "interface \"%s\" in %s is not netnsctl's: it cannot carry the ingress impairments of %s",
					     tc->dev, nn_where(t->ns), t->ifname);
		tc->ifb_exists = true;
		memcpy(tc->ifb_mac, fb->mac, 6);
		if ((st = nn_snap_tc(ob, fb->ifindex)))
			tc->have = st->tree;
		tc->have_ours = true;	/* the ifb is netnsctl's: so is all on it */
	}
	if (l && (j = nn_snap_journal(snap, NN_OBJ_FILTER, ob->name, t->ifname, ob->cookie)) &&
	    nn_owner_filter(j, l, &in)) {
		tc->cookie = j->id ? j->proof.value : j->intent.value;
		for (unsigned int i = 0; i < in.n_redirects && i < NN_TC_MAX_REDIRECTS; i++)
			if (in.redirects[i].cookie == tc->cookie && fb && in.redirects[i].ifindex == fb->ifindex)
				redirect_ok = true;
	}
	if (l && (j = nn_snap_journal(snap, NN_OBJ_CLSACT, ob->name, t->ifname, ob->cookie)))
		clsact_ours = tc->clsact_ours = nn_owner_clsact(j, l, &in);
	if ((ret = want_tree(tc, t, !tc->have.other[0], e)) < 0)
		return ret;
	if (nn_tc_tree_empty(&tc->want)) {
		if (tc->cookie) {
			if (!(s = tc_step(p, NN_STEP_REDIRECT_DEL, NN_STATE_EXTRA, NN_WHY_ASKED, tc, t->ifname, e)))
				return -e->code;
			s->u.tc.cookie = tc->cookie;
			s->run.ifindex = l->ifindex;
		}
		if (fb) {
			if (!(s = nn_plan_add_step(p, NN_STEP_LINK_DEL, NN_STATE_EXTRA, NN_WHY_ASKED, t->ns,
						   tc->dev, e)))
				return -e->code;
			s->run.ifindex = fb->ifindex;
		}
		if (clsact_ours) {
			if (!(s = tc_step(p, NN_STEP_CLSACT_DEL, NN_STATE_EXTRA, NN_WHY_ASKED, tc, t->ifname, e)))
				return -e->code;
			s->run.ifindex = l->ifindex;
		}
		return 0;
	}
	tc->want.handle = NN_QDISC_HANDLE;
	if (nn_tc_tree_check(&tc->want, e) < 0 || check_bursts(tc, &tc->want, e) < 0)
		return -e->code;
	nn_tc_tree_diff(&tc->want, &tc->have, &tc->d);
	if (!fb) {
		if (!(s = tc_step(p, NN_STEP_IFB_ADD, NN_STATE_MISSING, NN_WHY_ABSENT, tc, tc->dev, e)))
			return -e->code;
		snprintf(s->ifname2, sizeof(s->ifname2), "%s", t->ifname);
	}
	if ((ret = tree_steps(p, tc, fb ? fb->ifindex : 0, e)) < 0)
		return ret;
	/* The redirect last: the ifb's tree is there before traffic is. */
	if (!redirect_ok) {
		if (!(s = tc_step(p, NN_STEP_REDIRECT_ADD, NN_STATE_MISSING, NN_WHY_ABSENT, tc, t->ifname, e)))
			return -e->code;
		snprintf(s->ifname2, sizeof(s->ifname2), "%s", tc->dev);
		s->u.tc.cookie = tc->cookie;	/* netnsctl's old one, removed first */
		s->run.ifindex = l ? l->ifindex : 0;
		s->run.ifindex2 = fb ? fb->ifindex : 0;
	}
	return 0;
}

int nn_plan_tc_item(struct nn_plan *p, const struct nn_snapshot *snap, const struct lab_tc *t,
	       struct nn_error *e)
{
	const struct nn_snap_ns *ob = nn_snap_ns(snap, t->ns);
	const struct nn_link_info *l = NULL;
	bool live = ob && ob->exists;

	if (!live && !nn_plan_makes_ns(p, t->ns))
		return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", t->ns);
	l = live ? nn_snap_link(ob, t->ifname) : NULL;
	/* A stale link this plan makes again starts with the kernel's roots. */
	if (l && nn_plan_makes_link(p, t->ns, t->ifname))
		l = NULL;
	if (!l && !nn_plan_makes_link(p, t->ns, t->ifname))
		return *t->ns ? nn_error_setx(e, ENODEV, "no interface \"%s\" in namespace \"%s\"", t->ifname,
					      t->ns)
			      : nn_error_setx(e, ENODEV, "no interface \"%s\" in the host", t->ifname);
	return t->ingress ? plan_ingress(p, snap, t, ob, l, e) : plan_egress(p, snap, t, ob, l, e);
}

static bool lab_has_ingress(const struct nn_lab *lab, const char *ns, const char *ifname)
{
	for (size_t i = 0; i < lab->n_tcs; i++)
		if (lab->tcs[i].ingress && !strcmp(lab->tcs[i].ns, ns) && !strcmp(lab->tcs[i].ifname, ifname))
			return true;
	return false;
}

int nn_plan_tc_prune(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_lab *lab,
		     struct nn_error *e)
{
	static const enum nn_obj_kind order[] = { NN_OBJ_FILTER, NN_OBJ_CLSACT };

	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (size_t i = 0; i < snap->n_journal; i++) {
			const struct nn_journal_entry *j = &snap->journal[i];
			const struct nn_snap_ns *ob;
			const struct nn_link_info *l;
			const struct nn_snap_tc *st;
			struct nn_step *s;

			if (j->kind != order[k] || !(lab->every_owner || !strcmp(j->owner, lab->owner)) ||
			    nn_plan_deletes_ns(p, j->ns) || lab_has_ingress(lab, j->ns, j->name))
				continue;
			/* Its namespace still the record's, its link there with
			 * the ingress read (observe.c: look_prune), and the
			 * proof on it; else it is left alone. */
			if (!(ob = nn_snap_ns(snap, j->ns)) || !ob->exists || !nn_owner_in_ns(j, ob->cookie) ||
			    !(l = nn_snap_link(ob, j->name)) || !(st = nn_snap_tc(ob, l->ifindex)) ||
			    !st->has_ingress)
				continue;
			if (j->kind == NN_OBJ_FILTER ? !nn_owner_filter(j, l, &st->in)
						     : !nn_owner_clsact(j, l, &st->in))
				continue;
			s = nn_plan_add_step(p, j->kind == NN_OBJ_FILTER ? NN_STEP_REDIRECT_DEL : NN_STEP_CLSACT_DEL,
					     NN_STATE_EXTRA, NN_WHY_PRUNED, j->ns, j->name, e);
			if (!s)
				return -e->code;
			s->run.ifindex = l->ifindex;
			if (j->kind == NN_OBJ_FILTER)
				s->u.tc.cookie = j->id ? j->proof.value : j->intent.value;
		}
	}
	return 0;
}
