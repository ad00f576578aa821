// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/netns.h"
#include "cleanup.h"

#define NSNAME_MAX 256

struct lab_veth {
	char ns[2][NSNAME_MAX];
	char ifname[2][IFNAMSIZ];
	bool has_addr;
	struct nn_prefix addr[2];
};

struct lab_qdisc {
	char ns[NSNAME_MAX];
	char ifname[IFNAMSIZ];
	struct nn_qdisc_info want;
};

struct nn_lab {
	char owner[64];
	char (*ns)[NSNAME_MAX];
	size_t n_ns;
	struct lab_veth *veths;
	size_t n_veths;
	struct lab_qdisc *qdiscs;
	size_t n_qdiscs;
};

enum op {
	OP_NS_ADD,
	OP_LINK_DEL,
	OP_VETH_ADD,
	OP_ADDR_DEL,
	OP_ADDR_ADD,
	OP_LINK_UP,
	OP_QDISC_SET,
	OP_QDISC_CLEAR,
};

struct step {
	enum op op;
	char ns[NSNAME_MAX], ns2[NSNAME_MAX];
	char ifname[IFNAMSIZ], ifname2[IFNAMSIZ];
	struct nn_prefix addr;
	struct nn_qdisc_info q;		/* wanted (QDISC_SET) */
	struct nn_qdisc_info prev;	/* what was there, for undo */
	bool has_prev;
	char text[320];
	bool done;
};

struct nn_plan {
	char owner[64];
	struct step *steps;
	size_t n, cap;
};

/* --- the lab ---------------------------------------------------------- */

struct nn_lab *nn_lab_new(const char *owner)
{
	struct nn_lab *lab = calloc(1, sizeof(*lab));

	if (lab)
		snprintf(lab->owner, sizeof(lab->owner), "%s", owner ? owner : "-");
	return lab;
}

void nn_lab_free(struct nn_lab *lab)
{
	if (!lab)
		return;
	free(lab->ns);
	free(lab->veths);
	free(lab->qdiscs);
	free(lab);
}

static void *grow(void *v, size_t n, size_t size)
{
	return realloc(v, (n + 1) * size);
}

int nn_lab_add_netns(struct nn_lab *lab, const char *name, struct nn_error *e)
{
	char (*v)[NSNAME_MAX];

	if (nn_check_netns_name(name, e) < 0)
		return -e->code;
	for (size_t i = 0; i < lab->n_ns; i++)
		if (!strcmp(lab->ns[i], name))
			return 0;
	v = grow(lab->ns, lab->n_ns, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe namespace \"%s\"", name);
	lab->ns = v;
	snprintf(lab->ns[lab->n_ns++], NSNAME_MAX, "%s", name);
	return 0;
}

int nn_lab_add_veth(struct nn_lab *lab, const char *ns_a, const char *if_a,
		    const char *ns_b, const char *if_b, const struct nn_prefix *addr_a,
		    const struct nn_prefix *addr_b, struct nn_error *e)
{
	struct lab_veth *v;

	if (nn_lab_add_netns(lab, ns_a, e) < 0 || nn_lab_add_netns(lab, ns_b, e) < 0 ||
	    nn_check_ifname(if_a, e) < 0 || nn_check_ifname(if_b, e) < 0)
		return -e->code;
	if (!strcmp(ns_a, ns_b) && !strcmp(if_a, if_b))
		return nn_error_setx(e, EINVAL, "both ends of the pair are \"%s\" in namespace \"%s\"",
				     if_a, ns_a);
	v = grow(lab->veths, lab->n_veths, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe veth \"%s\"", if_a);
	lab->veths = v;
	v = &lab->veths[lab->n_veths++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns[0], NSNAME_MAX, "%s", ns_a);
	snprintf(v->ns[1], NSNAME_MAX, "%s", ns_b);
	snprintf(v->ifname[0], IFNAMSIZ, "%s", if_a);
	snprintf(v->ifname[1], IFNAMSIZ, "%s", if_b);
	if (addr_a && addr_b) {
		v->has_addr = true;
		v->addr[0] = *addr_a;
		v->addr[1] = *addr_b;
	}
	return 0;
}

int nn_lab_add_qdisc(struct nn_lab *lab, const char *ns, const char *ifname,
		     const struct nn_qdisc_info *want, struct nn_error *e)
{
	struct lab_qdisc *v;

	if (nn_check_netns_name(ns, e) < 0 || nn_check_ifname(ifname, e) < 0)
		return -e->code;
	v = grow(lab->qdiscs, lab->n_qdiscs, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe a qdisc on \"%s\"", ifname);
	lab->qdiscs = v;
	v = &lab->qdiscs[lab->n_qdiscs++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns, NSNAME_MAX, "%s", ns);
	snprintf(v->ifname, IFNAMSIZ, "%s", ifname);
	v->want = *want;
	return 0;
}

/* --- observing ---------------------------------------------------------- */

/* What one namespace holds, read once per plan. */
struct obs {
	char name[NSNAME_MAX];
	bool exists;
	bool will_exist;		/* made by this plan */
	struct nn_link_info *links;
	size_t n_links;
	struct nn_addr_info *addrs;
	size_t n_addrs;
};

struct observer {
	struct nn_ctx *ctx;
	struct obs *v;
	size_t n;
};

static void observer_free(struct observer *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].links);
		free(o->v[i].addrs);
	}
	free(o->v);
}

static int observe(struct observer *o, const char *name, struct obs **out, struct nn_error *e)
{
	struct nn_ns *ns;
	struct obs *ob;

	for (size_t i = 0; i < o->n; i++) {
		if (!strcmp(o->v[i].name, name)) {
			*out = &o->v[i];
			return 0;
		}
	}
	ob = grow(o->v, o->n, sizeof(*ob));
	if (!ob)
		return nn_error_set(e, ENOMEM, "cannot observe namespace \"%s\"", name);
	o->v = ob;
	ob = &o->v[o->n++];
	memset(ob, 0, sizeof(*ob));
	snprintf(ob->name, sizeof(ob->name), "%s", name);
	*out = ob;
	if (nn_netns_exists(o->ctx, name) != 1)
		return 0;
	ob->exists = true;
	if (nn_ctx_ns(o->ctx, name, &ns, e) < 0)
		return -e->code;
	if (nn_link_list(ns, &ob->links, &ob->n_links, e) < 0 ||
	    nn_addr_list(ns, &ob->addrs, &ob->n_addrs, e) < 0)
		return -e->code;
	return 0;
}

static const struct nn_link_info *obs_link(const struct obs *ob, const char *ifname)
{
	for (size_t i = 0; i < ob->n_links; i++)
		if (!strcmp(ob->links[i].name, ifname))
			return &ob->links[i];
	return NULL;
}

/* --- planning ----------------------------------------------------------- */

static struct step *add_step(struct nn_plan *p, enum op op, const char *ns, const char *ifname,
			     struct nn_error *e)
{
	struct step *s;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;

		s = realloc(p->steps, cap * sizeof(*s));
		if (!s) {
			nn_error_set(e, ENOMEM, "cannot plan");
			return NULL;
		}
		p->steps = s;
		p->cap = cap;
	}
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	snprintf(s->ns, sizeof(s->ns), "%s", ns);
	if (ifname)
		snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	return s;
}

/* Are IF_A in A and IF_B in B the two ends of one veth? */
static int is_pair(struct observer *o, const struct obs *a, const struct nn_link_info *la,
		   const struct obs *b, const struct nn_link_info *lb, bool *paired,
		   struct nn_error *e)
{
	struct nn_ns *na, *nb;
	int32_t id_ab, id_ba;

	*paired = false;
	if (strcmp(la->kind, "veth") || strcmp(lb->kind, "veth") ||
	    la->peer_ifindex != lb->ifindex || lb->peer_ifindex != la->ifindex)
		return 0;
	if (a == b) {
		*paired = !la->peer_nsid_set && !lb->peer_nsid_set;
		return 0;
	}
	if (!la->peer_nsid_set || !lb->peer_nsid_set)
		return 0;
	/* ifindexes are per namespace: only the namespace ids prove the peers. */
	if (nn_ctx_ns(o->ctx, a->name, &na, e) < 0 || nn_ctx_ns(o->ctx, b->name, &nb, e) < 0 ||
	    nn_ns_peer_nsid(na, nb, &id_ab, e) < 0 || nn_ns_peer_nsid(nb, na, &id_ba, e) < 0)
		return -e->code;
	*paired = id_ab >= 0 && id_ab == la->peer_nsid && id_ba >= 0 && id_ba == lb->peer_nsid;
	return 0;
}

static int plan_link_end(struct nn_plan *p, const struct obs *ob, const char *ifname,
			 const struct nn_link_info *have, bool fresh, bool has_addr,
			 const struct nn_prefix *want, struct nn_error *e)
{
	char a[64];
	struct step *s;

	if (has_addr) {
		bool present = false;

		for (size_t i = 0; !fresh && i < ob->n_addrs; i++) {
			const struct nn_addr_info *ai = &ob->addrs[i];

			if (ai->ifindex != have->ifindex || ai->addr.family != want->family ||
			    ai->scope == RT_SCOPE_LINK)
				continue;
			if (nn_prefix_equal(&ai->addr, want)) {
				present = true;
				continue;
			}
			s = add_step(p, OP_ADDR_DEL, ob->name, ifname, e);
			if (!s)
				return -e->code;
			s->addr = ai->addr;
			snprintf(s->text, sizeof(s->text), "remove stale address %s from %s in %s",
				 nn_format_prefix(a, sizeof(a), &ai->addr, true), ifname, ob->name);
		}
		if (!present) {
			s = add_step(p, OP_ADDR_ADD, ob->name, ifname, e);
			if (!s)
				return -e->code;
			s->addr = *want;
			snprintf(s->text, sizeof(s->text), "add %s to %s in %s",
				 nn_format_prefix(a, sizeof(a), want, true), ifname, ob->name);
		}
	}
	if (fresh || !have->up) {
		s = add_step(p, OP_LINK_UP, ob->name, ifname, e);
		if (!s)
			return -e->code;
		snprintf(s->text, sizeof(s->text), "set %s in %s up", ifname, ob->name);
	}
	return 0;
}

static int plan_veth(struct nn_plan *p, struct observer *o, const struct lab_veth *v,
		     struct nn_error *e)
{
	const struct nn_link_info *la = NULL, *lb = NULL;
	struct obs *a, *b;
	bool paired = false;
	struct step *s;

	if (observe(o, v->ns[0], &a, e) < 0 || observe(o, v->ns[1], &b, e) < 0)
		return -e->code;
	if (a->exists)
		la = obs_link(a, v->ifname[0]);
	if (b->exists)
		lb = obs_link(b, v->ifname[1]);
	if (la && lb && is_pair(o, a, la, b, lb, &paired, e) < 0)
		return -e->code;

	if (!paired) {
		/* Only veth halves are ours to replace: a bridge or another kind
		 * of link of that name is the user's, and a deleted link cannot be
		 * brought back by a rollback. */
		if (la && strcmp(la->kind, "veth"))
			return nn_error_setx(e, EEXIST, "%s in %s is a %s link, not a veth: not replaced",
					     la->name, a->name, *la->kind ? la->kind : "plain");
		if (lb && strcmp(lb->kind, "veth"))
			return nn_error_setx(e, EEXIST, "%s in %s is a %s link, not a veth: not replaced",
					     lb->name, b->name, *lb->kind ? lb->kind : "plain");
		if (la) {
			s = add_step(p, OP_LINK_DEL, a->name, la->name, e);
			if (!s)
				return -e->code;
			snprintf(s->text, sizeof(s->text),
				 "delete stale %s in %s (it is paired with another link)", la->name,
				 a->name);
		}
		if (lb) {
			s = add_step(p, OP_LINK_DEL, b->name, lb->name, e);
			if (!s)
				return -e->code;
			snprintf(s->text, sizeof(s->text),
				 "delete stale %s in %s (it is paired with another link)", lb->name,
				 b->name);
		}
		s = add_step(p, OP_VETH_ADD, a->name, v->ifname[0], e);
		if (!s)
			return -e->code;
		snprintf(s->ns2, sizeof(s->ns2), "%s", b->name);
		snprintf(s->ifname2, sizeof(s->ifname2), "%s", v->ifname[1]);
		snprintf(s->text, sizeof(s->text), "create veth %s in %s <-> %s in %s",
			 v->ifname[0], a->name, v->ifname[1], b->name);
	}
	if (plan_link_end(p, a, v->ifname[0], la, !paired, v->has_addr, &v->addr[0], e) < 0 ||
	    plan_link_end(p, b, v->ifname[1], lb, !paired, v->has_addr, &v->addr[1], e) < 0)
		return -e->code;
	return 0;
}

static bool qdisc_same(const struct nn_qdisc_info *want, const struct nn_qdisc_info *have)
{
	/* The kernel never reports netem's jitter table: with jitter asked for,
	 * only sending the spec again makes sure the table is the one asked for. */
	if (want->kind == NN_QDISC_NETEM && want->u.netem.jitter_ns)
		return false;
	return nn_qdisc_same(want, have);
}

static int plan_qdisc(struct nn_plan *p, struct observer *o, const struct lab_qdisc *q,
		      struct nn_error *e)
{
	const struct nn_link_info *l;
	struct nn_qdisc_info root;
	struct nn_ns *ns;
	bool fresh = false, have_root = false;
	int ret;
	char txt[200];
	struct step *s;
	struct obs *ob;

	if (observe(o, q->ns, &ob, e) < 0)
		return -e->code;
	if (!ob->exists && !ob->will_exist)
		return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", q->ns);
	l = ob->exists ? obs_link(ob, q->ifname) : NULL;
	if (!l) {
		/* Made by an earlier step of this plan? */
		for (size_t i = 0; i < p->n && !fresh; i++)
			fresh = p->steps[i].op == OP_VETH_ADD &&
				((!strcmp(p->steps[i].ns, q->ns) && !strcmp(p->steps[i].ifname, q->ifname)) ||
				 (!strcmp(p->steps[i].ns2, q->ns) && !strcmp(p->steps[i].ifname2, q->ifname)));
		if (!fresh)
			return nn_error_setx(e, ENODEV, "no interface \"%s\" in namespace \"%s\"",
					     q->ifname, q->ns);
	}
	memset(&root, 0, sizeof(root));
	if (l) {
		if (nn_ctx_ns(o->ctx, q->ns, &ns, e) < 0 ||
		    (ret = nn_qdisc_root(ns, l->ifindex, &root, e)) < 0)
			return -e->code;
		/* The kernel's default root (handle 0) is "none" here. */
		have_root = ret == 1 && root.handle != 0;
	}
	if (q->want.kind == NN_QDISC_OTHER) {
		if (!have_root)
			return 0;
		s = add_step(p, OP_QDISC_CLEAR, q->ns, q->ifname, e);
		if (!s)
			return -e->code;
		s->prev = root;
		s->has_prev = true;
		snprintf(s->text, sizeof(s->text), "clear qdisc %s on %s in %s", root.kind_name,
			 q->ifname, q->ns);
		return 0;
	}
	if (have_root && qdisc_same(&q->want, &root))
		return 0;
	s = add_step(p, OP_QDISC_SET, q->ns, q->ifname, e);
	if (!s)
		return -e->code;
	s->q = q->want;
	s->prev = root;
	s->has_prev = have_root;
	nn_qdisc_format(txt, sizeof(txt), &q->want);
	snprintf(s->text, sizeof(s->text), "%s qdisc %s on %s in %s",
		 have_root ? "replace" : "set", txt, q->ifname, q->ns);
	return 0;
}

int nn_plan_make(struct nn_ctx *ctx, const struct nn_lab *lab, struct nn_plan **out,
		 struct nn_error *e)
{
	struct observer o = { .ctx = ctx };
	struct nn_plan *p = calloc(1, sizeof(*p));
	struct obs *ob;
	int ret = 0;

	if (!p)
		return nn_error_set(e, ENOMEM, "cannot plan");
	snprintf(p->owner, sizeof(p->owner), "%s", lab->owner);
	for (size_t i = 0; i < lab->n_ns && ret == 0; i++) {
		ret = observe(&o, lab->ns[i], &ob, e);
		if (ret == 0 && !ob->exists) {
			struct step *s = add_step(p, OP_NS_ADD, ob->name, NULL, e);

			if (!s) {
				ret = -e->code;
				break;
			}
			ob->will_exist = true;
			snprintf(s->text, sizeof(s->text), "create namespace %s", ob->name);
		} else if (ret == 0) {
			const struct nn_link_info *lo = obs_link(ob, "lo");

			if (lo && !lo->up) {
				struct step *s = add_step(p, OP_LINK_UP, ob->name, "lo", e);

				if (!s) {
					ret = -e->code;
					break;
				}
				snprintf(s->text, sizeof(s->text), "set lo in %s up", ob->name);
			}
		}
	}
	for (size_t i = 0; i < lab->n_veths && ret == 0; i++)
		ret = plan_veth(p, &o, &lab->veths[i], e);
	for (size_t i = 0; i < lab->n_qdiscs && ret == 0; i++)
		ret = plan_qdisc(p, &o, &lab->qdiscs[i], e);
	observer_free(&o);
	if (ret < 0) {
		nn_plan_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

void nn_plan_free(struct nn_plan *p)
{
	if (!p)
		return;
	free(p->steps);
	free(p);
}

size_t nn_plan_len(const struct nn_plan *p)
{
	return p->n;
}

const char *nn_plan_step_text(const struct nn_plan *p, size_t i)
{
	return p->steps[i].text;
}

/* --- applying ----------------------------------------------------------- */

static int link_index(struct nn_ctx *ctx, const char *nsname, const char *ifname,
		      struct nn_ns **ns, int *ifindex, struct nn_error *e)
{
	struct nn_link_info li;

	if (nn_ctx_ns(ctx, nsname, ns, e) < 0 || nn_link_get(*ns, ifname, &li, e) < 0)
		return -e->code;
	*ifindex = li.ifindex;
	return 0;
}

static int made_link(struct nn_ctx *ctx, struct nn_ns *ns, const char *ifname,
		     const char *owner, struct nn_error *e)
{
	struct nn_link_info li;

	if (nn_link_get(ns, ifname, &li, e) < 0)
		return -e->code;
	return nn_journal_made(ctx, NN_OBJ_LINK, nn_ns_name(ns), ifname, (uint64_t)li.ifindex,
			       owner, e);
}

static int set_qdisc(struct nn_ns *ns, int ifindex, const struct nn_qdisc_info *q,
		     struct nn_error *e)
{
	switch (q->kind) {
	case NN_QDISC_NETEM:
		return nn_qdisc_netem_replace(ns, ifindex, &q->u.netem, e);
	case NN_QDISC_TBF:
		return nn_qdisc_tbf_replace(ns, ifindex, &q->u.tbf, e);
	default:
		return nn_qdisc_clear(ns, ifindex, e) < 0 ? -e->code : 0;
	}
}

/*
 * One step.  Intents are journalled before the kernel is asked; a request
 * the kernel refuses retracts them.  S->done is set as soon as the kernel
 * changed something, so a failure in the bookkeeping after it is undone too.
 */
static int do_step(struct nn_ctx *ctx, const char *owner, struct step *s, struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	struct nn_ns *ns, *ns2;
	uint64_t cookie;
	int ifindex = 0;

	switch (s->op) {
	case OP_NS_ADD:
		if (nn_journal_intent(ctx, NN_OBJ_NETNS, "-", s->ns, owner, e) < 0)
			return -e->code;
		if (nn_netns_add(ctx, s->ns, e) < 0) {
			nn_journal_retract(ctx, NN_OBJ_NETNS, "-", s->ns, &ignored);
			return -e->code;
		}
		s->done = true;
		if (nn_ctx_ns(ctx, s->ns, &ns, e) < 0 || nn_ns_cookie(ns, &cookie, e) < 0)
			return -e->code;
		return nn_journal_made(ctx, NN_OBJ_NETNS, "-", s->ns, cookie, owner, e);
	case OP_LINK_DEL:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0) {
			if (e->code != ENODEV)
				return -e->code;
			/* Gone with its peer, deleted by an earlier step. */
			nn_error_clear(e);
			return 0;
		}
		if (nn_link_del(ns, ifindex, e) < 0)
			return -e->code;
		s->done = true;
		return nn_journal_gone(ctx, NN_OBJ_LINK, s->ns, s->ifname, e);
	case OP_VETH_ADD:
		if (nn_ctx_ns(ctx, s->ns, &ns, e) < 0 || nn_ctx_ns(ctx, s->ns2, &ns2, e) < 0 ||
		    nn_journal_intent(ctx, NN_OBJ_LINK, s->ns, s->ifname, owner, e) < 0 ||
		    nn_journal_intent(ctx, NN_OBJ_LINK, s->ns2, s->ifname2, owner, e) < 0)
			return -e->code;
		if (nn_veth_add(ns, s->ifname, ns2, s->ifname2, e) < 0) {
			nn_journal_retract(ctx, NN_OBJ_LINK, s->ns, s->ifname, &ignored);
			nn_journal_retract(ctx, NN_OBJ_LINK, s->ns2, s->ifname2, &ignored);
			return -e->code;
		}
		s->done = true;
		if (made_link(ctx, ns, s->ifname, owner, e) < 0 ||
		    made_link(ctx, ns2, s->ifname2, owner, e) < 0)
			return -e->code;
		return 0;
	case OP_ADDR_DEL:
	case OP_ADDR_ADD:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0)
			return -e->code;
		if ((s->op == OP_ADDR_ADD ? nn_addr_add(ns, ifindex, &s->addr, e)
					  : nn_addr_del(ns, ifindex, &s->addr, e)) < 0)
			return -e->code;
		s->done = true;
		return 0;
	case OP_LINK_UP:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0 ||
		    nn_link_set_up(ns, ifindex, true, e) < 0)
			return -e->code;
		s->done = true;
		return 0;
	case OP_QDISC_CLEAR:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0 ||
		    nn_qdisc_clear(ns, ifindex, e) < 0)
			return -e->code;
		s->done = true;
		return nn_journal_gone(ctx, NN_OBJ_QDISC, s->ns, s->ifname, e);
	case OP_QDISC_SET:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0 ||
		    nn_journal_intent(ctx, NN_OBJ_QDISC, s->ns, s->ifname, owner, e) < 0)
			return -e->code;
		/* A refused replace leaves the old qdisc (see qdisc.h). */
		if (set_qdisc(ns, ifindex, &s->q, e) < 0) {
			nn_journal_retract(ctx, NN_OBJ_QDISC, s->ns, s->ifname, &ignored);
			return -e->code;
		}
		s->done = true;
		return nn_journal_made(ctx, NN_OBJ_QDISC, s->ns, s->ifname, (uint64_t)ifindex,
				       owner, e);
	}
	return nn_error_setx(e, EINVAL, "unknown plan step");
}

/* Best effort: the first error is the one the user needs to see. */
static void undo_step(struct nn_ctx *ctx, struct step *s)
{
	struct nn_error e = { 0 };
	struct nn_ns *ns;
	int ifindex = 0;

	switch (s->op) {
	case OP_NS_ADD:
		if (nn_netns_del(ctx, s->ns, &e) >= 0)
			nn_journal_gone(ctx, NN_OBJ_NETNS, "-", s->ns, &e);
		break;
	case OP_VETH_ADD:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, &e) == 0)
			nn_link_del(ns, ifindex, &e);
		nn_journal_gone(ctx, NN_OBJ_LINK, s->ns, s->ifname, &e);
		nn_journal_gone(ctx, NN_OBJ_LINK, s->ns2, s->ifname2, &e);
		break;
	case OP_ADDR_ADD:
	case OP_ADDR_DEL:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, &e) == 0) {
			if (s->op == OP_ADDR_ADD)
				nn_addr_del(ns, ifindex, &s->addr, &e);
			else
				nn_addr_add(ns, ifindex, &s->addr, &e);
		}
		break;
	case OP_LINK_UP:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, &e) == 0)
			nn_link_set_up(ns, ifindex, false, &e);
		break;
	case OP_QDISC_SET:
	case OP_QDISC_CLEAR:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, &e) == 0) {
			if (s->has_prev && s->prev.kind != NN_QDISC_OTHER)
				set_qdisc(ns, ifindex, &s->prev, &e);
			else
				nn_qdisc_clear(ns, ifindex, &e);
		}
		break;
	case OP_LINK_DEL:
		/* A stale link removed for repair is not brought back. */
		break;
	}
}

int nn_plan_apply(struct nn_ctx *ctx, struct nn_plan *p, nn_step_cb done, nn_step_cb undone,
		  void *arg, struct nn_error *e)
{
	size_t i;
	int ret;

	for (i = 0; i < p->n; i++) {
		ret = do_step(ctx, p->owner, &p->steps[i], e);
		if (ret < 0)
			break;
		if (done)
			done(p->steps[i].text, arg);
	}
	if (i == p->n)
		return 0;
	/* The failing step too, when it got as far as changing the kernel. */
	i++;
	while (i-- > 0) {
		if (!p->steps[i].done || p->steps[i].op == OP_LINK_DEL)
			continue;
		undo_step(ctx, &p->steps[i]);
		if (undone)
			undone(p->steps[i].text, arg);
	}
	return -e->code;
}
