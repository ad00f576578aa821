// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Apply: one loop over a plan's steps.  Each step journals what it will make
 * (with the mark the object will bear: owner.h) before it asks the kernel,
 * and what it made after; a failure, or a signal, undoes the done steps in
 * reverse.  Links are named by the ifindex the plan read or the create
 * reported, never looked up again per step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "netnsctl/change.h"
#include "netnsctl/ctx.h"
#include "netnsctl/ifb.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/nat.h"
#include "netnsctl/netns.h"
#include "netnsctl/owner.h"
#include "netnsctl/route.h"
#include "engine/plan.h"

struct applier {
	struct nn_ctx *ctx;
	struct nn_plan *p;
	const char *owner;
	struct nn_hash made;	/* "NS/IF" -> ifindex of a link this run made */
	bool *intended;		/* per step: its qdisc intent is on disk, its
				 * request not made yet (qdisc_intents()) */
	size_t unmounted;	/* the NETNS_DEL steps before this index were
				 * done by del_netns_run(), their records not */
	size_t del_failed;	/* 1 + the one of them that failed, */
	struct nn_error del_error;	/* with its error */
};

static const char *link_key(char *buf, size_t len, const char *ns, const char *ifname)
{
	snprintf(buf, len, "%s/%s", ns, ifname);
	return buf;
}

static int remember(struct applier *a, const char *ns, const char *ifname, int ifindex,
		    struct nn_error *e)
{
	char key[300];

	if (nn_hash_put(&a->made, link_key(key, sizeof(key), ns, ifname),
			(void *)(intptr_t)ifindex) < 0)
		return nn_error_set(e, ENOMEM, "cannot apply");
	return 0;
}

/*
 * The handle of NSNAME and the ifindex of its link IFNAME: PLANNED (what
 * the plan read), else the one a step of this run made, else, for a link
 * that came otherwise (another step's side effect), one lookup.
 */
static int link_index(struct applier *a, const char *nsname, const char *ifname, int planned,
		      struct nn_ns **ns, int *ifindex, struct nn_error *e)
{
	struct nn_link_info li;
	char key[300];
	void *v;

	if (nn_ctx_ns(a->ctx, nsname, ns, e) < 0)
		return -e->code;
	if (planned) {
		*ifindex = planned;
		return 0;
	}
	if (nn_hash_find(&a->made, link_key(key, sizeof(key), nsname, ifname), &v)) {
		*ifindex = (int)(intptr_t)v;
		return 0;
	}
	if (nn_link_get(*ns, ifname, &li, e) < 0)
		return -e->code;
	*ifindex = li.ifindex;
	return 0;
}

/* The link IFNAME in NSNAME when it bears MAC (the one a step made): 1 and
 * *NS, *IFINDEX; 0 when it is gone or another link has the name now. */
static int link_with_mac(struct nn_ctx *ctx, const char *nsname, const char *ifname,
			 const uint8_t mac[6], struct nn_ns **ns, int *ifindex, struct nn_error *e)
{
	struct nn_link_info li;
	int r;

	if (nn_ctx_ns(ctx, nsname, ns, e) < 0)
		return -e->code;
	if ((r = nn_link_find(*ns, ifname, &li, e)) <= 0)
		return r;
	*ifindex = li.ifindex;
	return !memcmp(li.mac, mac, 6);
}

static int set_qdisc(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_qdisc_info *q,
		     struct nn_error *e)
{
	switch (q->kind) {
	case NN_QDISC_NETEM:
		return nn_qdisc_netem_replace(ns, ifindex, handle, &q->u.netem, e);
	case NN_QDISC_TBF: {
		struct nn_tbf t = q->u.tbf;

		/* One read back from the kernel (an undo's) carries both its
		 * limit and the latency that limit stands for: the limit says it. */
		if (t.limit)
			t.latency_ns = 0;
		return nn_qdisc_tbf_replace(ns, ifindex, handle, &t, e);
	}
	default:
		return nn_qdisc_clear(ns, ifindex, e) < 0 ? -e->code : 0;
	}
}

static uint64_t random_nonce(void)
{
	uint64_t v = 0;

	while (!v)
		while (getrandom(&v, sizeof(v), 0) != sizeof(v))
			;
	return v;
}

struct ns_intent {
	struct nn_ctx *ctx;
	struct nn_step *s;
	const char *owner;
};

/* Called by nn_netns_add_proven() between making the namespace and naming it. */
static int ns_intent(uint64_t cookie, void *arg, struct nn_error *e)
{
	struct ns_intent *a = arg;
	struct nn_proof proof;

	a->s->run.cookie = cookie;
	nn_proof_cookie(&proof, cookie);
	return nn_journal_intent(a->ctx, NN_OBJ_NETNS, "-", a->s->ns, a->owner, &proof, e);
}

/* The journal's record of what ADOPT step S names, owned by OWNER. */
static int adopt_record(struct nn_ctx *ctx, const struct nn_step *s, const char *owner,
			struct nn_error *e)
{
	bool ns = s->u.adopt.kind == NN_OBJ_NETNS;

	return nn_journal_made(ctx, s->u.adopt.kind, ns ? "-" : s->ns, ns ? s->ns : s->ifname,
			       s->u.adopt.id, owner, &s->u.adopt.proof, e);
}

static volatile sig_atomic_t cancel_sig;

/* A namespace the plan judged ours, or found only a dead mount point of:
 * deleted when it still is that (not another one named so since).  Its
 * journal record is del_netns()'s. */
static int del_netns_kernel(struct nn_ctx *ctx, struct nn_step *s, struct nn_error *e)
{
	uint64_t cookie = 0;
	struct nn_ns *ns;
	int r;

	/* A handle held since the plan read its cookie (observe.c keeps one
	 * of each namespace its prune deletes): when the name still is that
	 * namespace, it is one and has that cookie; else the handle is let
	 * go and both are read again. */
	if (nn_ctx_ns_cached(ctx, s->ns, &ns) && nn_netns_same(ctx, s->ns, ns))
		r = 1;
	else if (nn_ctx_ns_forget(ctx, s->ns), (r = nn_netns_exists(ctx, s->ns, e)) < 0)
		return r;
	if (r == 1 && (nn_ctx_ns(ctx, s->ns, &ns, e) < 0 || nn_ns_cookie(ns, &cookie, e) < 0))
		return -e->code;
	if (r == 0 && !s->run.cookie && (r = nn_netns_dead(ctx, s->ns, e)) < 0)
		return r;
	if (r == 1 && cookie == s->run.cookie) {
		if (nn_netns_del(ctx, s->ns, e) < 0)
			return -e->code;
		s->run.done = true;
	}
	return 0;
}

static int del_netns(struct nn_ctx *ctx, struct nn_step *s, struct nn_error *e)
{
	if (del_netns_kernel(ctx, s, e) < 0)
		return -e->code;
	return nn_journal_gone(ctx, NN_OBJ_NETNS, "-", s->ns, e);
}

/*
 * The run of NETNS_DEL steps from I: each namespace deleted, one after the
 * other, before any of their journal records is written or reported (the
 * loop does that as it comes to each).  The kernel frees a deleted
 * namespace in a work queue that takes all those released by the time it
 * runs in one batch; deletes spread out over the records and the output
 * between them land in more batches, and their unmounts then wait behind
 * the teardown's RCU grace periods.  Stops at the first that fails (the
 * loop reports its error when it comes to it: not tried again, as a delete
 * that got half way would find no namespace the second time) or at a
 * signal.
 */
static void del_netns_run(struct applier *a, size_t i)
{
	struct nn_plan *p = a->p;

	for (; i < p->n && p->steps[i].kind == NN_STEP_NETNS_DEL && !cancel_sig; i++) {
		if (p->steps[i].run.done)
			break;
		if (del_netns_kernel(a->ctx, &p->steps[i], &a->del_error) < 0) {
			a->del_failed = ++i;
			break;
		}
	}
	a->unmounted = i;
}

/*
 * The steps right after a create (step I) that act on the links it makes:
 * their port, their addresses and their links up.  Some are done by the
 * create itself or right after it, and only reported when the loop comes
 * to them (their run.done is set):
 *   - A, the request's own device, is made a port of its bridge and up in
 *     the create request (the kernel takes a master only for the device the
 *     request makes, and the peer up not at all: ENOTCONN).  A is the end
 *     with a LINK_MASTER step, else the first end.
 *   - B, a veth's peer, gets its addresses and is set up right after it
 *     (nn_link_addrs_up(), from inside its namespace).
 * A failure after the create undoes the create, which takes all of these
 * with it: so they need no undo of their own.
 */
#define FOLD_ADDRS 4

struct fold {
	bool a_is_peer;		/* A is the step's second end (NS2/IFNAME2) */
	struct nn_step *master;	/* A's LINK_MASTER step, or NULL */
	struct nn_step *up;	/* A's LINK_UP step, or NULL */
	struct nn_step *b_up;	/* B's LINK_UP step, or NULL */
	struct nn_step *b_addr[FOLD_ADDRS];	/* B's ADDR_ADD steps */
	size_t n_b_addr;
};

static bool is_end(const struct nn_step *t, const char *ns, const char *ifname)
{
	return *ifname && !strcmp(t->ns, ns) && !strcmp(t->ifname, ifname);
}

/* Step T is one of those after the create S: on one of its links. */
static bool follows(const struct nn_step *s, const struct nn_step *t, bool *a_end, bool *b_end)
{
	*a_end = is_end(t, s->ns, s->ifname);
	*b_end = s->kind == NN_STEP_VETH_ADD && is_end(t, s->ns2, s->ifname2);
	return (t->kind == NN_STEP_LINK_MASTER || t->kind == NN_STEP_ADDR_ADD ||
		t->kind == NN_STEP_LINK_UP) && (*a_end || *b_end);
}

static void fold(struct nn_plan *p, size_t i, struct fold *f)
{
	const struct nn_step *s = &p->steps[i];
	bool a_end, b_end;

	memset(f, 0, sizeof(*f));
	for (size_t k = i + 1; k < p->n && follows(s, &p->steps[k], &a_end, &b_end); k++)
		if (p->steps[k].kind == NN_STEP_LINK_MASTER && !f->master) {
			f->master = &p->steps[k];
			f->a_is_peer = b_end;
		}
	for (size_t k = i + 1; k < p->n && follows(s, &p->steps[k], &a_end, &b_end); k++) {
		struct nn_step *t = &p->steps[k];
		bool is_a = f->a_is_peer ? b_end : a_end;

		if (t->kind == NN_STEP_LINK_UP && is_a)
			f->up = t;
		else if (t->kind == NN_STEP_LINK_UP && s->kind == NN_STEP_VETH_ADD)
			f->b_up = t;
		else if (t->kind == NN_STEP_ADDR_ADD && !is_a && s->kind == NN_STEP_VETH_ADD &&
			 !f->b_up && f->n_b_addr < FOLD_ADDRS)
			f->b_addr[f->n_b_addr++] = t;
	}
	/* B's addresses go with its up, or are the loop's. */
	if (!f->b_up)
		f->n_b_addr = 0;
}

/* After the create went through: the steps it did are done (their links'
 * ifindexes are the applier's by then). */
static void fold_done(struct fold *f)
{
	if (f->master)
		f->master->run.done = true;
	if (f->up)
		f->up->run.done = true;
	if (f->b_up)
		f->b_up->run.done = true;
	for (size_t k = 0; k < f->n_b_addr; k++)
		f->b_addr[k]->run.done = true;
}

static int master_error(const struct nn_step *s, struct nn_error *e)
{
	if (e->code == EXFULL)
		return nn_error_setx(e, EXFULL,
				     "cannot attach %s to bridge %s in %s: it has its maximum of ports (1023)",
				     s->ifname, s->ifname2, nn_where(s->ns));
	return nn_error_prefix(e, "%s, bridge %s", s->ifname, s->ifname2);
}

/*
 * After a create request of a link with MAC failed: did it make the link
 * all the same (a failure after the kernel's answer)?  Then its step is
 * done, its undo deletes it and its intent stands; else the intent is
 * retracted.  A look we cannot make counts as made: an intent kept for a
 * link that is not there proves nothing, a link without one would be
 * orphaned.  One look-up, on the failure path only.
 */
static bool made_anyway(struct applier *a, const char *nsname, const char *ifname,
			const uint8_t *mac)
{
	struct nn_error ignored = { 0 };
	struct nn_ns *ns;
	int ifindex;

	return link_with_mac(a->ctx, nsname, ifname, mac, &ns, &ifindex, &ignored) != 0;
}

/*
 * The intents of the N links ONE request makes: the last one synced, which
 * syncs them all (journal.h): on disk before the request, as the journal's
 * crash safety needs.  A failure retracts those written.
 */
static int link_intents(struct applier *a, const struct nn_step *s, const struct nn_proof *pa,
			const struct nn_proof *pb, struct nn_error *e)
{
	struct nn_error ignored = { 0 };

	if (!pb)
		return nn_journal_intent(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, a->owner, pa, e);
	if (nn_journal_intent_unsynced(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, a->owner, pa, e) < 0)
		return -e->code;
	if (nn_journal_intent(a->ctx, NN_OBJ_LINK, s->ns2, s->ifname2, a->owner, pb, e) < 0) {
		nn_journal_retract(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, &ignored);
		return -e->code;
	}
	return 0;
}

static void link_retract(struct applier *a, const struct nn_step *s, bool two)
{
	struct nn_error ignored = { 0 };

	nn_journal_retract(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, &ignored);
	if (two)
		nn_journal_retract(a->ctx, NN_OBJ_LINK, s->ns2, s->ifname2, &ignored);
}

/* B's addresses and up, right after the create (FOLD). */
static int fold_b(struct nn_ns *ns_b, int ib, const struct fold *f, struct nn_error *e)
{
	struct nn_prefix addrs[FOLD_ADDRS];

	if (!f->b_up)
		return 0;
	for (size_t k = 0; k < f->n_b_addr; k++)
		addrs[k] = f->b_addr[k]->u.addr;
	return nn_link_addrs_up(ns_b, ib, addrs, f->n_b_addr, e);
}

/*
 * A veth pair in one request (nn_veth_create()): both MACs, A a port of its
 * bridge and up, B made in its namespace, both ifindexes from the kernel's
 * answer; then B's addresses and up.  For a star node that is 2 + the
 * addresses' round trips, with the namespace's own (lo up): the floor's.
 */
static int do_veth(struct applier *a, struct nn_plan *p, size_t i, struct nn_error *e)
{
	struct nn_step *s = &p->steps[i];
	struct nn_proof pa, pb;
	struct nn_ns *ns, *ns2, *master_ns;
	struct nn_veth_end ea, eb, *va, *vb;
	struct fold f;
	int master = 0, ret;

	fold(p, i, &f);
	nn_link_random_mac(s->run.mac);
	nn_link_random_mac(s->run.mac2);
	nn_proof_mac(&pa, s->run.mac);
	nn_proof_mac(&pb, s->run.mac2);
	if (nn_ctx_ns(a->ctx, s->ns, &ns, e) < 0 || nn_ctx_ns(a->ctx, s->ns2, &ns2, e) < 0 ||
	    (f.master && link_index(a, f.master->ns, f.master->ifname2, f.master->run.ifindex2,
				    &master_ns, &master, e) < 0))
		return -e->code;
	ea = (struct nn_veth_end){ .ns = ns, .name = s->ifname, .mac = s->run.mac };
	eb = (struct nn_veth_end){ .ns = ns2, .name = s->ifname2, .mac = s->run.mac2 };
	va = f.a_is_peer ? &eb : &ea;
	vb = f.a_is_peer ? &ea : &eb;
	va->master = master;
	va->up = f.up != NULL;
	if (link_intents(a, s, &pa, &pb, e) < 0)
		return -e->code;
	ret = nn_veth_create(va, vb, e);
	if (ret == 0)
		ret = fold_b(vb->ns, vb->ifindex, &f, e);
	if (ret < 0 && !(ea.ifindex && eb.ifindex) &&
	    !made_anyway(a, nn_ns_name(va->ns), va->name, va->mac)) {
		/* Nothing made (the kernel makes the pair whole or not at all). */
		link_retract(a, s, true);
		return f.master && e->code == EXFULL ? master_error(f.master, e) : ret;
	}
	/* Made: from here on an undo deletes it (by its name and MAC), and the
	 * folded steps with it. */
	s->run.done = true;
	if (ret < 0)
		return ret;
	s->run.ifindex = ea.ifindex;
	s->run.ifindex2 = eb.ifindex;
	fold_done(&f);
	if (remember(a, s->ns, s->ifname, ea.ifindex, e) < 0 ||
	    remember(a, s->ns2, s->ifname2, eb.ifindex, e) < 0 ||
	    nn_journal_made(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, (uint64_t)ea.ifindex, a->owner,
			    &pa, e) < 0 ||
	    nn_journal_made(a->ctx, NN_OBJ_LINK, s->ns2, s->ifname2, (uint64_t)eb.ifindex, a->owner,
			    &pb, e) < 0)
		return -e->code;
	return 0;
}

/* A bridge (up in its create request when the plan sets it up) or a
 * macvlan: one link with a MAC of netnsctl's, its ifindex from the create. */
static int do_one_link(struct applier *a, struct nn_plan *p, size_t i, struct nn_error *e)
{
	struct nn_step *s = &p->steps[i];
	bool bridge = s->kind == NN_STEP_BRIDGE_ADD;
	const uint8_t *mac = bridge ? s->run.mac : s->u.macvlan.mac;
	struct nn_ns *ns, *pns;
	struct nn_proof proof;
	struct fold f;
	int ifindex = 0, parent = 0, r;

	fold(p, i, &f);
	if (bridge)
		nn_link_random_mac(s->run.mac);
	nn_proof_mac(&proof, mac);
	if (nn_ctx_ns(a->ctx, s->ns, &ns, e) < 0 ||
	    (!bridge && link_index(a, s->ns2, s->ifname2, s->run.ifindex2, &pns, &parent, e) < 0) ||
	    link_intents(a, s, &proof, NULL, e) < 0)
		return -e->code;
	if (!bridge)
		f.up = NULL;	/* a macvlan is made down: its up is the loop's */
	r = bridge ? nn_bridge_create(ns, s->ifname, mac, f.up != NULL, &ifindex, e)
		   : nn_macvlan_create(pns, parent, ns, s->ifname, mac, s->u.macvlan.mode,
				       &ifindex, e);
	if (r < 0 && !made_anyway(a, s->ns, s->ifname, mac)) {
		link_retract(a, s, false);
		return r;
	}
	s->run.done = true;
	if (r < 0)
		return r;
	s->run.ifindex = ifindex;
	fold_done(&f);
	if (remember(a, s->ns, s->ifname, ifindex, e) < 0)
		return -e->code;
	return nn_journal_made(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, (uint64_t)ifindex, a->owner,
			       &proof, e);
}

static int do_qdisc(struct applier *a, struct nn_step *s, struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	struct nn_proof proof;
	struct nn_ns *ns;
	int ifindex;

	if (s->kind == NN_STEP_QDISC_CLEAR) {
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0) {
			if (e->code != ENODEV)
				return -e->code;
			/* Its link is gone (a bridge port whose peer's
			 * namespace an earlier step deleted): so is the qdisc. */
			nn_error_clear(e);
			return nn_journal_gone(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, e);
		}
		if (nn_qdisc_clear(ns, ifindex, e) < 0) {
			if (e->code != ENODEV)
				return -e->code;
			nn_error_clear(e);	/* gone meanwhile, and its qdisc with it */
		}
		s->run.done = true;
		return nn_journal_gone(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, e);
	}
	/* For a while: the deadline journal's record and the reverter first,
	 * the root in place or on a free handle (change.h). */
	if (s->u.qdisc.for_ns) {
		if (nn_change_qdisc(a->ctx, s->ns, s->ifname, &s->u.qdisc.want, s->u.qdisc.for_ns, a->owner,
				    NULL, e) < 0)
			return -e->code;
		s->run.done = true;
		return 0;
	}
	if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0 ||
	    (!s->u.qdisc.handle && nn_qdisc_free_handle(ns, ifindex, &s->u.qdisc.handle, e) < 0))
		return -e->code;
	nn_proof_qdisc(&proof, s->u.qdisc.handle, ifindex);
	if (!a->intended[s - a->p->steps] &&
	    nn_journal_intent(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, a->owner, &proof, e) < 0)
		return -e->code;
	a->intended[s - a->p->steps] = false;
	/* A refused replace leaves the old qdisc (see qdisc.h). */
	if (set_qdisc(ns, ifindex, s->u.qdisc.handle, &s->u.qdisc.want, e) < 0) {
		nn_journal_retract(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, &ignored);
		return -e->code;
	}
	s->run.done = true;
	return nn_journal_made(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, (uint64_t)ifindex, a->owner,
			       &proof, e);
}

static int do_route(struct applier *a, struct nn_step *s, struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	struct nn_proof proof;
	struct nn_ns *ns;
	int ifindex = 0;
	char name[64];

	nn_route_name(name, sizeof(name), &s->u.route.dst);
	if (s->kind == NN_STEP_ROUTE_DEL) {
		/* Only a route of netnsctl's protocol: the kernel matches it. */
		if (nn_ctx_ns(a->ctx, s->ns, &ns, e) < 0 ||
		    nn_route_del_proto(ns, &s->u.route.dst, NN_RTPROT, e) < 0)
			return -e->code;
		s->run.done = true;
		return nn_journal_gone(a->ctx, NN_OBJ_ROUTE, s->ns, name, e);
	}
	if (s->u.route.dev) {
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0)
			return -e->code;
	} else if (nn_ctx_ns(a->ctx, s->ns, &ns, e) < 0) {
		return -e->code;
	}
	/* Replacing a route that was there does not make it ours: it keeps
	 * its protocol, and no record claims it. */
	nn_proof_route(&proof);
	if (!s->u.route.has_prev &&
	    nn_journal_intent(a->ctx, NN_OBJ_ROUTE, s->ns, name, a->owner, &proof, e) < 0)
		return -e->code;
	if (nn_route_replace_proto(ns, &s->u.route.dst, s->u.route.has_gw ? &s->u.route.gw : NULL,
				   ifindex, s->u.route.has_prev ? s->u.route.prev_proto : NN_RTPROT,
				   e) < 0) {
		if (!s->u.route.has_prev)
			nn_journal_retract(a->ctx, NN_OBJ_ROUTE, s->ns, name, &ignored);
		return -e->code;
	}
	s->run.done = true;
	if (s->u.route.has_prev)
		return 0;
	return nn_journal_made(a->ctx, NN_OBJ_ROUTE, s->ns, name, 1, a->owner, &proof, e);
}

static int do_fwd(struct applier *a, struct nn_step *s, struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	struct nn_ns *ns;

	if (s->kind == NN_STEP_FWD_HANDOVER) {
		s->run.done = true;
		return nn_journal_made(a->ctx, NN_OBJ_SYSCTL, s->ns, "ipv4.ip_forward",
				       s->u.fwd.prev ? 2 : 1, s->u.fwd.heir, NULL, e);
	}
	if (nn_ctx_ns(a->ctx, s->ns, &ns, e) < 0)
		return -e->code;
	/* The value to restore is recorded before the change: an intent
	 * could not carry it, and a kill between the write and a later
	 * record would lose it.  Where it is is kept: an undo voids it
	 * in place, which needs no room on a full disk. */
	if (s->kind == NN_STEP_FWD_SET &&
	    nn_journal_append(a->ctx, NN_JOURNAL_MADE, NN_OBJ_SYSCTL, s->ns, "ipv4.ip_forward",
			      s->u.fwd.orig ? 2 : 1, a->owner, NULL, &s->run.at, e) < 0)
		return -e->code;
	if (nn_forwarding_set(ns, s->u.fwd.on, e) < 0) {
		if (s->kind == NN_STEP_FWD_SET)
			nn_journal_void(a->ctx, s->run.at, &ignored);
		return -e->code;
	}
	s->run.done = true;
	if (s->kind == NN_STEP_FWD_RESTORE)
		return nn_journal_gone(a->ctx, NN_OBJ_SYSCTL, s->ns, "ipv4.ip_forward", e);
	return 0;
}

static int do_nat(struct applier *a, struct nn_step *s, struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	const char *tag = s->u.nat.rule.tag;
	struct nn_nat_rule rule;
	struct nn_proof proof;
	struct nn_ns *ns;
	int ret;

	if (nn_ctx_ns(a->ctx, "", &ns, e) < 0)
		return -e->code;
	if (s->kind == NN_STEP_NAT_DEL) {
		if (nn_nat_rule_del(ns, tag, s->run.nonce, e) < 0)
			return -e->code;
		s->run.done = true;
		return nn_journal_gone(a->ctx, NN_OBJ_NAT, "", tag, e);
	}
	rule = s->u.nat.rule;
	rule.nonce = s->run.nonce = random_nonce();
	nn_proof_nat(&proof, s->run.nonce);
	if (nn_journal_intent(a->ctx, NN_OBJ_NAT, "", tag, a->owner, &proof, e) < 0)
		return -e->code;
	if ((ret = nn_nat_rule_add(ns, &rule, e)) <= 0) {
		/* 0: the same rule was there meanwhile, someone else's */
		nn_journal_retract(a->ctx, NN_OBJ_NAT, "", tag, &ignored);
		return ret;
	}
	s->run.done = true;
	return nn_journal_made(a->ctx, NN_OBJ_NAT, "", tag, 1, a->owner, &proof, e);
}

/*
 * A change to what exists (change.h): journalled in the deadline journal
 * before the kernel is asked, as a held change or one with a deadline (the
 * reverter started first), so that cleanup, link-up, heal or the reverter
 * put back exactly what netnsctl changed.  Nothing to change any more (the
 * link went down meanwhile): the step is done without a change.
 */
static int do_change(struct applier *a, struct nn_step *s, struct nn_error *e)
{
	size_t healed = 0;
	int ret;

	switch (s->kind) {
	case NN_STEP_LINK_STATE:
		ret = nn_change_link(a->ctx, s->ns, s->ifname, s->u.link.up, s->u.link.for_ns, NULL, e);
		break;
	case NN_STEP_PARTITION_ADD:
		ret = nn_change_partition(a->ctx, s->u.part.a, s->u.part.na, s->u.part.b, s->u.part.nb,
					  s->u.part.for_ns, NULL, NULL, e);
		break;
	default:
		ret = nn_change_heal(a->ctx, s->u.part.id, &healed, e);
		break;
	}
	if (ret < 0)
		return ret;
	s->run.done = ret > 0;
	return 0;
}

/*
 * The intents of the qdisc sets from step I on, up to the first step of
 * another kind, written together and synced once (a sync per qdisc was
 * most of a re-apply's time): still on disk before the first request they
 * cover.  A step whose link or free handle cannot be had ends the group; it
 * fails in its own turn.  Intents whose request never comes (an earlier one
 * failed, a signal) are retracted by retract_intended().
 */
static int qdisc_intents(struct applier *a, size_t i, struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	struct nn_plan *p = a->p;
	size_t n = 0;

	for (size_t k = i; k < p->n; k++) {
		struct nn_step *s = &p->steps[k];
		struct nn_proof proof;
		struct nn_ns *ns;
		int ifindex;

		/* a timed set is journalled by change.h, in its own journal */
		if (s->kind != NN_STEP_QDISC_SET || s->run.done || s->u.qdisc.for_ns)
			break;
		if (a->intended[k])
			continue;
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, &ignored) < 0 ||
		    (!s->u.qdisc.handle &&
		     nn_qdisc_free_handle(ns, ifindex, &s->u.qdisc.handle, &ignored) < 0)) {
			nn_error_clear(&ignored);
			break;
		}
		nn_proof_qdisc(&proof, s->u.qdisc.handle, ifindex);
		if (nn_journal_intent_unsynced(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, a->owner,
					       &proof, e) < 0)
			return -e->code;
		a->intended[k] = true;
		n++;
	}
	return n && nn_journal_sync(a->ctx, e) < 0 ? -e->code : 0;
}

/* The qdisc intents written ahead whose request was not made. */
static void retract_intended(struct applier *a)
{
	struct nn_error ignored = { 0 };

	for (size_t k = 0; k < a->p->n; k++) {
		if (!a->intended[k])
			continue;
		nn_journal_retract(a->ctx, NN_OBJ_QDISC, a->p->steps[k].ns, a->p->steps[k].ifname,
				   &ignored);
		a->intended[k] = false;
	}
}

/*
 * One step.  Intents, with the proof the object will bear, are journalled
 * before the kernel is asked; a request the kernel refuses retracts them.
 * S->run.done is set as soon as the kernel changed something, so a failure
 * in the bookkeeping after it is undone too.
 */
/* --- tc trees (plan_tc.c) --------------------------------------------- */

/* Tree steps whose device is the link itself journal its root as the one
 * root qdisc is (NN_OBJ_QDISC with its handle); on an ifb the ifb's own
 * record covers all on it. */
static int do_tc_tree(struct applier *a, size_t i, struct nn_error *e)
{
	struct nn_step *s = &a->p->steps[i];
	struct nn_step_tc *t = s->u.tc.t;
	struct nn_error ignored = { 0 };
	struct nn_proof proof;
	struct nn_ns *ns;
	uint32_t h;
	int ifindex;

	if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0)
		return -e->code;
	switch (s->kind) {
	case NN_STEP_TC_TREE_SET:
		if (!t->want.handle) {
			if (nn_qdisc_free_handle(ns, ifindex, &h, e) < 0)
				return -e->code;
			t->want.handle = h & 0xffff0000u;
		}
		nn_proof_qdisc(&proof, t->want.handle, ifindex);
		if (!t->ingress &&
		    nn_journal_intent(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, a->owner, &proof, e) < 0)
			return -e->code;
		if (nn_tc_tree_set(ns, ifindex, &t->want, e) < 0) {
			if (!t->ingress)
				nn_journal_retract(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, &ignored);
			return -e->code;
		}
		s->run.done = true;
		return t->ingress ? 0 : nn_journal_made(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname,
							(uint64_t)ifindex, a->owner, &proof, e);
	case NN_STEP_TC_TREE_CHANGE:
		/* The first of a tree's changes makes them all, in the order
		 * the kernel takes (nn_tc_tree_sync puts the tree back when
		 * one fails); the root and its record stay. */
		if (nn_tc_tree_sync(ns, ifindex, &t->want, &t->have, &t->d, e) < 0)
			return -e->code;
		for (size_t k = i; k < a->p->n; k++)
			if (a->p->steps[k].kind == NN_STEP_TC_TREE_CHANGE && a->p->steps[k].u.tc.t == t)
				a->p->steps[k].run.done = true;
		return 0;
	default:	/* TC_TREE_CLEAR */
		if (nn_tc_tree_clear(ns, ifindex, e) < 0)
			return -e->code;
		s->run.done = true;
		return nn_journal_gone(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, e);
	}
}

static int do_tc(struct applier *a, size_t i, struct nn_error *e)
{
	struct nn_step *s = &a->p->steps[i];
	struct nn_step_tc *t = s->u.tc.t;
	struct nn_error ignored = { 0 };
	struct nn_proof proof, cp;
	struct nn_ns *ns;
	int ifindex, ifb, ret;

	switch (s->kind) {
	case NN_STEP_IFB_ADD:
		nn_link_random_mac(s->run.mac);
		nn_proof_mac(&proof, s->run.mac);
		if (nn_ctx_ns(a->ctx, s->ns, &ns, e) < 0 ||
		    nn_journal_intent(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, a->owner, &proof, e) < 0)
			return -e->code;
		if ((ret = nn_ifb_add(ns, s->ifname, s->run.mac, t->mtu, e)) < 0) {
			nn_journal_retract(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, &ignored);
			return ret;
		}
		s->run.done = true;
		s->run.ifindex = ret;
		if (remember(a, s->ns, s->ifname, ret, e) < 0)
			return -e->code;
		return nn_journal_made(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, (uint64_t)ret, a->owner,
				       &proof, e);
	case NN_STEP_REDIRECT_ADD:
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0 ||
		    link_index(a, s->ns, s->ifname2, s->run.ifindex2, &ns, &ifb, e) < 0)
			return -e->code;
		/* netnsctl's redirect made again (its ifb was made anew): the
		 * old one, to no device, drops what it takes. */
		if (s->u.tc.cookie && nn_tc_ingress_redirect_del(ns, ifindex, s->u.tc.cookie, e) < 0)
			return -e->code;
		s->run.nonce = nn_tc_cookie_new();
		nn_proof_cookie(&proof, s->run.nonce);
		memset(&cp, 0, sizeof(cp));
		cp.set = true;
		cp.value = (uint64_t)ifindex;
		cp.ifindex = ifindex;
		if ((t->clsact_new &&
		     nn_journal_intent_unsynced(a->ctx, NN_OBJ_CLSACT, s->ns, s->ifname, a->owner, &cp, e) < 0) ||
		    nn_journal_intent(a->ctx, NN_OBJ_FILTER, s->ns, s->ifname, a->owner, &proof, e) < 0)
			return -e->code;
		if ((ret = nn_tc_ingress_redirect_add(ns, ifindex, ifb, s->run.nonce, e)) < 0) {
			nn_journal_retract(a->ctx, NN_OBJ_FILTER, s->ns, s->ifname, &ignored);
			if (t->clsact_new)
				nn_journal_retract(a->ctx, NN_OBJ_CLSACT, s->ns, s->ifname, &ignored);
			return ret;
		}
		s->run.done = true;
		s->u.tc.made_clsact = ret == 1;
		if (nn_journal_made(a->ctx, NN_OBJ_FILTER, s->ns, s->ifname, (uint64_t)ifindex, a->owner,
				    &proof, e) < 0)
			return -e->code;
		if (s->u.tc.made_clsact)
			return nn_journal_made(a->ctx, NN_OBJ_CLSACT, s->ns, s->ifname, (uint64_t)ifindex,
					       a->owner, &cp, e);
		if (t->clsact_new)
			nn_journal_retract(a->ctx, NN_OBJ_CLSACT, s->ns, s->ifname, &ignored);
		return 0;
	case NN_STEP_REDIRECT_DEL:
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0 ||
		    nn_tc_ingress_redirect_del(ns, ifindex, s->u.tc.cookie, e) < 0)
			return -e->code;
		s->run.done = true;
		return nn_journal_gone(a->ctx, NN_OBJ_FILTER, s->ns, s->ifname, e);
	case NN_STEP_CLSACT_DEL:
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0)
			return -e->code;
		if ((ret = nn_tc_ingress_clsact_del(ns, ifindex, e)) < 0)
			return ret;
		s->run.done = true;
		/* Kept (someone's filter is on it): it stays on the record. */
		return ret == 1 ? nn_journal_gone(a->ctx, NN_OBJ_CLSACT, s->ns, s->ifname, e) : 0;
	default:
		return do_tc_tree(a, i, e);
	}
}

/* Put back what tc step S did (best effort, as undo_step). */
static void undo_tc(struct applier *a, struct nn_step *s)
{
	struct nn_step_tc *t = s->u.tc.t;
	struct nn_tc_tree *back, *now;
	struct nn_tc_diff *bd;
	struct nn_error e = { 0 };
	struct nn_proof proof;
	struct nn_ns *ns;
	int ifindex = 0;

	switch (s->kind) {
	case NN_STEP_IFB_ADD:
		if (link_with_mac(a->ctx, s->ns, s->ifname, s->run.mac, &ns, &ifindex, &e) == 1)
			nn_link_del(ns, ifindex, &e);
		nn_journal_gone(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, &e);
		return;
	case NN_STEP_REDIRECT_ADD:
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, &e) < 0 ||
		    nn_tc_ingress_redirect_del(ns, ifindex, s->run.nonce, &e) < 0)
			return;
		nn_journal_gone(a->ctx, NN_OBJ_FILTER, s->ns, s->ifname, &e);
		if (s->u.tc.made_clsact && nn_tc_ingress_clsact_del(ns, ifindex, &e) == 1)
			nn_journal_gone(a->ctx, NN_OBJ_CLSACT, s->ns, s->ifname, &e);
		return;
	case NN_STEP_TC_TREE_SET:
	case NN_STEP_TC_TREE_CLEAR:
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, &e) < 0)
			return;
		if (t->have_ours && !t->have.other[0] && !nn_tc_tree_empty(&t->have)) {
			if (nn_tc_tree_set(ns, ifindex, &t->have, &e) == 0 && !t->ingress) {
				nn_proof_qdisc(&proof, t->have.handle, ifindex);
				nn_journal_made(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, (uint64_t)ifindex,
						a->owner, &proof, &e);
			}
		} else if (s->kind == NN_STEP_TC_TREE_SET) {
			/* (an admin's root replaced cannot be put back as it was) */
			if (nn_tc_tree_clear(ns, ifindex, &e) >= 0 && !t->ingress)
				nn_journal_gone(a->ctx, NN_OBJ_QDISC, s->ns, s->ifname, &e);
		}
		return;
	case NN_STEP_TC_TREE_CHANGE:
		/* The first of the tree's changes undoes them all. */
		if (!s->u.tc.first ||
		    link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, &e) < 0)
			return;
		back = malloc(sizeof(*back));
		now = malloc(sizeof(*now));
		bd = malloc(sizeof(*bd));
		if (back && now && bd) {
			*back = t->have;
			*now = t->want;
			nn_tc_tree_diff(back, now, bd);
			nn_tc_tree_sync(ns, ifindex, back, now, bd, &e);
		}
		free(back);
		free(now);
		free(bd);
		return;
	default:
		return;
	}
}

static int do_step(struct applier *a, size_t i, struct nn_error *e)
{
	struct nn_step *s = &a->p->steps[i];
	struct nn_error ignored = { 0 };
	struct nn_ns *ns;
	int ifindex = 0, master = 0, ret;

	/* Done by del_netns_run(), its record still to write, or failed there. */
	if (s->kind == NN_STEP_NETNS_DEL && i < a->unmounted) {
		if (i + 1 == a->del_failed) {
			*e = a->del_error;
			return -e->code;
		}
		return nn_journal_gone(a->ctx, NN_OBJ_NETNS, "-", s->ns, e);
	}
	/* Done already by an earlier step's request (a veth's create). */
	if (s->run.done)
		return 0;
	switch (s->kind) {
	case NN_STEP_NETNS_ADD: {
		struct ns_intent ni = { a->ctx, s, a->owner };
		struct nn_proof proof;

		s->run.cookie = 0;
		ret = nn_netns_add_proven(a->ctx, s->ns, ns_intent, &ni, e);
		if (ret <= 0) {
			if (s->run.cookie)
				nn_journal_retract(a->ctx, NN_OBJ_NETNS, "-", s->ns, &ignored);
			/* Made by someone else (ip netns add) since the plan was
			 * made: not ours to journal, nor to delete on undo. */
			return ret < 0 ? ret : nn_error_setx(e, EEXIST,
				"namespace \"%s\" was made by another program meanwhile: run apply again",
				s->ns);
		}
		s->run.done = true;
		nn_proof_cookie(&proof, s->run.cookie);
		return nn_journal_made(a->ctx, NN_OBJ_NETNS, "-", s->ns, s->run.cookie, a->owner,
				       &proof, e);
	}
	case NN_STEP_NETNS_DEL:
		return del_netns(a->ctx, s, e);
	case NN_STEP_LINK_DEL:
	case NN_STEP_VETH_DEL:
		/* A veth end whose peer's namespace an earlier step deleted goes
		 * with it, in the kernel's teardown of that namespace. */
		if (s->kind == NN_STEP_LINK_DEL && s->run.with && s->run.with <= a->p->n &&
		    a->p->steps[s->run.with - 1].run.done) {
			s->run.done = true;
			return nn_journal_gone(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, e);
		}
		/* By the ifindex judged ours: gone with its peer (or its
		 * namespace) by an earlier step is fine, and ifindexes are not
		 * handed out again while a namespace lives. */
		if (nn_ctx_ns(a->ctx, s->ns, &ns, e) < 0 || nn_link_del(ns, s->run.ifindex, e) < 0)
			return -e->code;
		s->run.done = true;
		if (s->kind == NN_STEP_VETH_DEL && *s->ifname2 &&
		    nn_journal_gone(a->ctx, NN_OBJ_LINK, s->ns2, s->ifname2, e) < 0)
			return -e->code;
		return nn_journal_gone(a->ctx, NN_OBJ_LINK, s->ns, s->ifname, e);
	case NN_STEP_VETH_ADD:
		return do_veth(a, a->p, i, e);
	case NN_STEP_BRIDGE_ADD:
	case NN_STEP_MACVLAN_ADD:
		return do_one_link(a, a->p, i, e);
	case NN_STEP_ADDR_ADD:
	case NN_STEP_ADDR_DEL:
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0)
			return -e->code;
		if ((s->kind == NN_STEP_ADDR_ADD ? nn_addr_add(ns, ifindex, &s->u.addr, e)
						 : nn_addr_del(ns, ifindex, &s->u.addr, e)) < 0)
			return -e->code;
		s->run.done = true;
		return 0;
	case NN_STEP_LINK_UP:
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0 ||
		    nn_link_set_up(ns, ifindex, true, e) < 0)
			return -e->code;
		s->run.done = true;
		return 0;
	case NN_STEP_LINK_MASTER:
		if (link_index(a, s->ns, s->ifname2, s->run.ifindex2, &ns, &master, e) < 0 ||
		    link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, e) < 0)
			return -e->code;
		if (nn_link_set_master(ns, ifindex, master, e) < 0)
			return master_error(s, e);
		s->run.done = true;
		return 0;
	case NN_STEP_QDISC_SET:
		if (!a->intended[i] && qdisc_intents(a, i, e) < 0)
			return -e->code;
		return do_qdisc(a, s, e);
	case NN_STEP_QDISC_CLEAR:
		return do_qdisc(a, s, e);
	case NN_STEP_ROUTE_SET:
	case NN_STEP_ROUTE_DEL:
		return do_route(a, s, e);
	case NN_STEP_FWD_SET:
	case NN_STEP_FWD_RESTORE:
	case NN_STEP_FWD_HANDOVER:
		return do_fwd(a, s, e);
	case NN_STEP_NAT_ADD:
	case NN_STEP_NAT_DEL:
		return do_nat(a, s, e);
	case NN_STEP_ADOPT:
		if (adopt_record(a->ctx, s, a->owner, e) < 0)
			return -e->code;
		s->run.done = true;
		return 0;
	case NN_STEP_CMD_START:
	case NN_STEP_CMD_STOP:
	case NN_STEP_CLIENTS_ADD:
	case NN_STEP_CLIENTS_DEL:
		if (!a->p->lab->run)
			break;
		return a->p->lab->run->do_step(a->ctx, a->p, s, e);
	case NN_STEP_LINK_STATE:
	case NN_STEP_PARTITION_ADD:
	case NN_STEP_PARTITION_DEL:
		return do_change(a, s, e);
	case NN_STEP_TC_TREE_SET:
	case NN_STEP_TC_TREE_CHANGE:
	case NN_STEP_TC_TREE_CLEAR:
	case NN_STEP_IFB_ADD:
	case NN_STEP_REDIRECT_ADD:
	case NN_STEP_REDIRECT_DEL:
	case NN_STEP_CLSACT_DEL:
		return do_tc(a, i, e);
	case NN_STEP_KINDS:
		break;
	}
	return nn_error_setx(e, EINVAL, "unknown plan step");
}

/*
 * Best effort: the first error is the one the user needs to see.  Each undo
 * looks for the mark its step made (a cookie, a MAC, a handle, a protocol,
 * a nonce) and leaves an object of the name without it alone.
 */
static void undo_step(struct applier *a, struct nn_step *s)
{
	struct nn_ctx *ctx = a->ctx;
	struct nn_error e = { 0 };
	struct nn_proof proof;
	struct nn_ns *ns;
	uint64_t cookie;
	int ifindex = 0;
	char name[64];

	/* A link the rollback leaves to a namespace's deletion goes with its
	 * addresses, its up and its port: nothing to put back on it. */
	if (s->run.with && s->kind != NN_STEP_VETH_ADD && s->kind != NN_STEP_BRIDGE_ADD &&
	    s->kind != NN_STEP_MACVLAN_ADD)
		return;
	switch (s->kind) {
	case NN_STEP_NETNS_ADD:
		if (nn_netns_exists(ctx, s->ns, &e) == 1 && nn_ctx_ns(ctx, s->ns, &ns, &e) == 0 &&
		    nn_ns_cookie(ns, &cookie, &e) == 0 && cookie == s->run.cookie &&
		    nn_netns_del(ctx, s->ns, &e) >= 0)
			nn_journal_gone(ctx, NN_OBJ_NETNS, "-", s->ns, &e);
		break;
	case NN_STEP_VETH_ADD:
		/* Left to the deletion of its namespace (run.with): a veth
		 * deleted alone costs the kernel an RCU grace period, a
		 * namespace's teardown takes all of them in one. */
		if (!s->run.with &&
		    link_with_mac(ctx, s->ns, s->ifname, s->run.mac, &ns, &ifindex, &e) == 1)
			nn_link_del(ns, ifindex, &e);
		nn_journal_gone(ctx, NN_OBJ_LINK, s->ns, s->ifname, &e);
		nn_journal_gone(ctx, NN_OBJ_LINK, s->ns2, s->ifname2, &e);
		break;
	case NN_STEP_ADDR_ADD:
	case NN_STEP_ADDR_DEL:
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, &e) == 0) {
			if (s->kind == NN_STEP_ADDR_ADD)
				nn_addr_del(ns, ifindex, &s->u.addr, &e);
			else
				nn_addr_add(ns, ifindex, &s->u.addr, &e);
		}
		break;
	case NN_STEP_LINK_UP:
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, &e) == 0)
			nn_link_set_up(ns, ifindex, false, &e);
		break;
	case NN_STEP_QDISC_SET:
	case NN_STEP_QDISC_CLEAR: {
		struct nn_qdisc_info root;
		const struct nn_qdisc_info *prev = &s->u.qdisc.prev;

		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, &e) < 0)
			break;
		if (s->u.qdisc.has_prev && prev->kind != NN_QDISC_OTHER) {
			/* Back as it was, under its own handle. */
			if (set_qdisc(ns, ifindex, prev->handle, prev, &e) == 0 && s->u.qdisc.prev_ours) {
				nn_proof_qdisc(&proof, prev->handle, ifindex);
				nn_journal_made(ctx, NN_OBJ_QDISC, s->ns, s->ifname, (uint64_t)ifindex,
						a->owner, &proof, &e);
			}
		} else if (s->kind == NN_STEP_QDISC_CLEAR ||
			   (nn_qdisc_root(ns, ifindex, &root, &e) == 1 && root.handle == s->u.qdisc.handle)) {
			nn_qdisc_clear(ns, ifindex, &e);
		}
		break;
	}
	case NN_STEP_BRIDGE_ADD:
	case NN_STEP_MACVLAN_ADD:
		if (!s->run.with && link_with_mac(ctx, s->ns, s->ifname,
				  s->kind == NN_STEP_BRIDGE_ADD ? s->run.mac : s->u.macvlan.mac, &ns,
				  &ifindex, &e) == 1)
			nn_link_del(ns, ifindex, &e);
		nn_journal_gone(ctx, NN_OBJ_LINK, s->ns, s->ifname, &e);
		break;
	case NN_STEP_LINK_MASTER:
		/* Back on the bridge it was on, if any (that bridge may be gone:
		 * then it stays on none). */
		if (link_index(a, s->ns, s->ifname, s->run.ifindex, &ns, &ifindex, &e) == 0 &&
		    nn_link_set_master(ns, ifindex, s->u.master.prev, &e) < 0 && s->u.master.prev)
			nn_link_set_master(ns, ifindex, 0, &e);
		break;
	case NN_STEP_ROUTE_SET:
		if (nn_ctx_ns(ctx, s->ns, &ns, &e) < 0)
			break;
		if (s->u.route.has_prev) {
			nn_route_replace_proto(ns, &s->u.route.dst,
					       s->u.route.prev_has_gw ? &s->u.route.prev_gw : NULL,
					       s->u.route.prev_ifindex, s->u.route.prev_proto, &e);
			break;
		}
		nn_route_del_proto(ns, &s->u.route.dst, NN_RTPROT, &e);
		nn_journal_gone(ctx, NN_OBJ_ROUTE, s->ns,
				nn_route_name(name, sizeof(name), &s->u.route.dst), &e);
		break;
	case NN_STEP_FWD_SET:
		if (nn_ctx_ns(ctx, s->ns, &ns, &e) == 0)
			nn_forwarding_set(ns, s->u.fwd.prev, &e);
		/* The record as it was before this step (an earlier change's, or
		 * none), without a byte more: a full disk must not leave this
		 * step's record to turn the admin's forwarding back later. */
		nn_journal_void(ctx, s->run.at, &e);
		break;
	case NN_STEP_NAT_ADD: {
		const char *tag = s->u.nat.rule.tag;

		if (nn_ctx_ns(ctx, "", &ns, &e) == 0) {
			if (s->u.nat.has_prev)
				nn_nat_rule_add(ns, &s->u.nat.prev, &e);
			else
				nn_nat_rule_del(ns, tag, s->run.nonce, &e);
		}
		/* The rule put back keeps its own nonce: the record is its
		 * owner's again, or none. */
		if (s->u.nat.has_prev && *s->u.nat.prev_owner) {
			nn_proof_nat(&proof, s->u.nat.prev.nonce);
			nn_journal_made(ctx, NN_OBJ_NAT, "", tag, 1, s->u.nat.prev_owner, &proof, &e);
		} else {
			nn_journal_gone(ctx, NN_OBJ_NAT, "", tag, &e);
		}
		break;
	}
	case NN_STEP_LINK_STATE:
		/* Back as it was: up drops the record the step's down made; a
		 * down puts back the hold an up dropped. */
		nn_change_link(ctx, s->ns, s->ifname, s->u.link.prev, 0, NULL, &e);
		break;
	case NN_STEP_PARTITION_ADD:
		nn_change_heal(ctx, s->u.part.id, NULL, &e);
		break;
	case NN_STEP_ADOPT:
		/* Its owner before gets it back. */
		adopt_record(ctx, s, s->u.adopt.owner, &e);
		break;
	case NN_STEP_CMD_START:
	case NN_STEP_CLIENTS_ADD:
		if (a->p->lab->run)
			a->p->lab->run->undo_step(ctx, a->p, s);
		break;
	case NN_STEP_TC_TREE_SET:
	case NN_STEP_TC_TREE_CHANGE:
	case NN_STEP_TC_TREE_CLEAR:
	case NN_STEP_IFB_ADD:
	case NN_STEP_REDIRECT_ADD:
		undo_tc(a, s);
		break;
	default:
		/* Removals (stale links, pruned objects) are not brought back. */
		break;
	}
}

/*
 * The links that went with their peer's namespace (LINK_DEL steps taken by
 * a NETNS_DEL) are gone when the apply returns: the kernel tears such a
 * namespace down in a work queue, after its last reference went.  Polled
 * by ifindex; what is still there after a while (the kernel busy, or a
 * reference held elsewhere) is deleted.
 */
#define GONE_POLL_NS 2000000L
#define GONE_POLLS 2500		/* 5 s */

/*
 * The link step S waits to see gone with a namespace (run.with: 1 + the
 * step that deletes it): a LINK_DEL taken by a NETNS_DEL, or the end of a
 * pair made by a VETH_ADD that a rollback left to the deletion of the other
 * end's namespace.  1 and that link, or 0.
 */
static bool lingers(const struct nn_plan *p, const struct nn_step *s, const char **ns,
		    const char **ifname, int *ifindex)
{
	if (!s->run.with)
		return false;
	if (s->kind == NN_STEP_LINK_DEL && s->run.done) {
		*ns = s->ns, *ifname = s->ifname, *ifindex = s->run.ifindex;
		return true;
	}
	if (s->kind != NN_STEP_VETH_ADD)
		return false;
	if (!strcmp(p->steps[s->run.with - 1].ns, s->ns))
		*ns = s->ns2, *ifname = s->ifname2, *ifindex = s->run.ifindex2;
	else
		*ns = s->ns, *ifname = s->ifname, *ifindex = s->run.ifindex;
	return true;
}

static int wait_gone_with(struct applier *a, struct nn_error *e)
{
	struct nn_plan *p = a->p;
	bool waiting = true;

	for (int poll = 0; waiting; poll++) {
		const char *nsname, *ifname;
		char name[IFNAMSIZ];
		struct nn_ns *ns;
		int ifindex, r;

		waiting = false;
		for (size_t i = 0; i < p->n; i++) {
			struct nn_step *s = &p->steps[i];

			if (!lingers(p, s, &nsname, &ifname, &ifindex))
				continue;
			r = nn_ctx_ns(a->ctx, nsname, &ns, e);
			if (r == -ENOENT) {
				/* Its namespace gone too (both ends'
				 * deleted): so is the link. */
				nn_error_clear(e);
				s->run.with = 0;
				continue;
			}
			/* By its ifindex, one ioctl: a dump of the namespace's
			 * links a poll would take RTNL from the kernel's
			 * teardown it waits for. */
			if (r < 0 || (r = nn_link_name_of(ns, ifindex, name, e)) < 0)
				return -e->code;
			if (r == 0 || strcmp(name, ifname)) {
				s->run.with = 0;
				continue;
			}
			if (poll < GONE_POLLS) {
				waiting = true;
				continue;
			}
			if (nn_link_del(ns, ifindex, e) < 0)
				return -e->code;
			s->run.with = 0;
		}
		if (waiting)
			nanosleep(&(struct timespec){ 0, GONE_POLL_NS }, NULL);
	}
	return 0;
}

void nn_plan_cancel(int sig)
{
	cancel_sig = sig;
}

int nn_plan_cancelled(void)
{
	return cancel_sig;
}

/*
 * What a rollback leaves to the deletion of the namespaces it deletes (the
 * NETNS_ADD steps of ORDER, its N done steps to undo): deleting a link, or
 * setting it down or off its bridge, costs the kernel an RCU grace period
 * each, a namespace's teardown takes all its links in one.  Marked with
 * run.with (1 + that NETNS_ADD step):
 *   - a bridge or macvlan in such a namespace;
 *   - a pair with an end in one (both ifindexes known): its other end is
 *     only waited for (wait_gone_with), and deleted if it lingers;
 *   - the addresses, ups and ports of those links and of any link in such a
 *     namespace.
 * A namespace found not to be ours any more is not deleted: its pairs then
 * go after the wait, as any link that lingers.
 */
static void leave_to_namespaces(struct applier *a, const size_t *order, size_t n)
{
	struct nn_plan *p = a->p;
	struct nn_hash dying = { 0 }, going = { 0 };
	char key[300];
	void *v;

	for (size_t k = 0; k < n; k++)
		if (p->steps[order[k]].kind == NN_STEP_NETNS_ADD &&
		    nn_hash_put(&dying, p->steps[order[k]].ns, (void *)(uintptr_t)(order[k] + 1)) < 0)
			goto out;	/* no memory: each undone on its own */
	if (!dying.n)
		goto out;
	for (size_t k = 0; k < n; k++) {
		struct nn_step *s = &p->steps[order[k]];

		if (s->kind == NN_STEP_VETH_ADD && s->run.ifindex && s->run.ifindex2 &&
		    (nn_hash_find(&dying, s->ns, &v) || nn_hash_find(&dying, s->ns2, &v))) {
			s->run.with = (uintptr_t)v;
			if (nn_hash_put(&going, link_key(key, sizeof(key), s->ns, s->ifname), v) < 0 ||
			    nn_hash_put(&going, link_key(key, sizeof(key), s->ns2, s->ifname2), v) < 0)
				goto out;
		} else if ((s->kind == NN_STEP_BRIDGE_ADD || s->kind == NN_STEP_MACVLAN_ADD) &&
			   nn_hash_find(&dying, s->ns, &v)) {
			s->run.with = (uintptr_t)v;
		}
	}
	for (size_t k = 0; k < n; k++) {
		struct nn_step *s = &p->steps[order[k]];

		if ((s->kind == NN_STEP_LINK_UP || s->kind == NN_STEP_LINK_MASTER ||
		     s->kind == NN_STEP_ADDR_ADD || s->kind == NN_STEP_ADDR_DEL) &&
		    (nn_hash_find(&dying, s->ns, &v) ||
		     nn_hash_find(&going, link_key(key, sizeof(key), s->ns, s->ifname), &v)))
			s->run.with = (uintptr_t)v;
	}
out:
	nn_hash_free(&dying);
	nn_hash_free(&going);
}

static void undo_upto(struct applier *a, size_t failed, nn_step_cb undone, void *arg)
{
	struct nn_error ignored = { 0 };
	struct nn_plan *p = a->p;
	size_t *order = malloc((p->n + 1) * sizeof(*order)), n;

	if (!order)
		return;
	n = nn_plan_rollback(p, failed, order);
	leave_to_namespaces(a, order, n);
	for (size_t k = 0; k < n; k++) {
		struct nn_step *s = &p->steps[order[k]];

		undo_step(a, s);
		s->run.done = false;
		if (undone)
			undone(s, arg);
	}
	free(order);
	/* Best effort, as every undo: the error that made the rollback is the
	 * one to report. */
	wait_gone_with(a, &ignored);
}

/* The made links the plan's steps recorded (an earlier apply of it). */
static void applier_init(struct applier *a, struct nn_ctx *ctx, struct nn_plan *p)
{
	memset(a, 0, sizeof(*a));
	a->ctx = ctx;
	a->p = p;
	a->owner = p->owner;
	for (size_t i = 0; i < p->n; i++) {
		const struct nn_step *s = &p->steps[i];

		if (!s->run.done)
			continue;
		if (s->kind == NN_STEP_VETH_ADD) {
			remember(a, s->ns, s->ifname, s->run.ifindex, NULL);
			remember(a, s->ns2, s->ifname2, s->run.ifindex2, NULL);
		} else if (s->kind == NN_STEP_BRIDGE_ADD || s->kind == NN_STEP_MACVLAN_ADD) {
			remember(a, s->ns, s->ifname, s->run.ifindex, NULL);
		}
	}
}

int nn_plan_apply(struct nn_ctx *ctx, struct nn_plan *p, nn_step_cb done, nn_step_cb undone,
		  void *arg, struct nn_error *e)
{
	const struct nn_lab *lab = p->lab;
	struct applier a;
	char text[512];
	size_t i;
	int ret = 0;

	if (nn_plan_check(p, e) < 0)
		return -e->code;
	/* Before the first step, which may be handed a record's offset: a
	 * journal grown long is compacted.  A rewrite that fails leaves the
	 * old file whole (temp file + rename), which holds the same. */
	if (p->n && nn_journal_compact(ctx, e) < 0)
		nn_error_clear(e);
	applier_init(&a, ctx, p);
	if (!(a.intended = calloc(p->n + 1, sizeof(*a.intended)))) {
		nn_hash_free(&a.made);
		return nn_error_set(e, ENOMEM, "cannot apply");
	}
	for (i = 0; i < p->n; i++) {
		nn_step_text(&p->steps[i], text, sizeof(text));
		/* A namespace del_netns_run() deleted (or failed to) gets its
		 * record and its report, signal or not. */
		if (cancel_sig && !(p->steps[i].kind == NN_STEP_NETNS_DEL && i < a.unmounted)) {
			ret = nn_error_setx(e, ECANCELED, "interrupted by signal %d before: %s",
					    (int)cancel_sig, text);
			break;
		}
		nn_ctx_progress(ctx, text, i, p->n);
		if (p->steps[i].kind == NN_STEP_NETNS_DEL && i >= a.unmounted)
			del_netns_run(&a, i);
		ret = do_step(&a, i, e);
		if (ret < 0)
			break;
		if (done)
			done(&p->steps[i], arg);
	}
	nn_ctx_progress(ctx, "", p->n, p->n);
	/* A lab's last steps wait (for leases, say): a signal meanwhile
	 * takes the whole lab back. */
	if (ret == 0 && lab->run && cancel_sig)
		ret = nn_error_setx(e, ECANCELED, "interrupted by signal %d", (int)cancel_sig);
	if (ret < 0) {
		retract_intended(&a);
		free(a.intended);
		/* The failing step too, when it got as far as changing the kernel. */
		undo_upto(&a, i, undone, arg);
		nn_hash_free(&a.made);
		return ret;
	}
	free(a.intended);
	a.intended = NULL;
	ret = wait_gone_with(&a, e);
	nn_hash_free(&a.made);
	if (ret < 0)
		return ret;
	/* Everything every owner made is gone, or was not netnsctl's any
	 * more: the journal starts afresh. */
	if (lab->every_owner && lab->prune && nn_journal_rewrite(ctx, NULL, 0, e) < 0)
		return -e->code;
	if (lab->run && lab->run->finish && lab->run->finish(ctx, p, e) < 0)
		return -e->code;
	/* The "made" and "gone" records, appended without their own sync, are
	 * on disk before the apply says it succeeded (journal.h). */
	return nn_journal_sync(ctx, e) < 0 ? -e->code : 0;
}

void nn_plan_undo(struct nn_ctx *ctx, struct nn_plan *p, nn_step_cb undone, void *arg)
{
	struct applier a;

	applier_init(&a, ctx, p);
	undo_upto(&a, p->n, undone, arg);
	nn_hash_free(&a.made);
}
