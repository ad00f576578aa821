// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The planner: (spec, snapshot) -> typed steps.  Pure: it reads the lab and
 * the snapshot and nothing else, so that every decision it makes (what is
 * missing, stale, another's, to be pruned) is tested without a kernel
 * (tests/unit/test_plan.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>

#include "netnsctl/ifb.h"
#include "netnsctl/owner.h"
#include "engine/plan.h"

const char *nn_route_name(char *buf, size_t len, const struct nn_prefix *dst)
{
	if (dst->len == 0) {
		snprintf(buf, len, "%s", dst->family == AF_INET ? "default" : "default6");
		return buf;
	}
	return nn_format_prefix(buf, len, dst, true);
}

const char *nn_owner_text(char *buf, size_t len, const char *owner)
{
	if (!strncmp(owner, "lab:", 4))
		snprintf(buf, len, "lab \"%s\"", owner + 4);
	else
		snprintf(buf, len, "netnsctl %s", owner);
	return buf;
}

bool nn_step_is_removal(enum nn_step_kind k)
{
	switch (k) {
	case NN_STEP_NETNS_DEL:
	case NN_STEP_VETH_DEL:
	case NN_STEP_LINK_DEL:
	case NN_STEP_NAT_DEL:
	case NN_STEP_ROUTE_DEL:
	case NN_STEP_FWD_RESTORE:
	case NN_STEP_FWD_HANDOVER:
	case NN_STEP_CMD_STOP:
	case NN_STEP_CLIENTS_DEL:
	case NN_STEP_PARTITION_DEL:	/* the addresses it held may be others now */
	case NN_STEP_REDIRECT_DEL:
	case NN_STEP_CLSACT_DEL:
		return true;
	default:
		return false;
	}
}

/* --- the plan ----------------------------------------------------------- */

void nn_plan_free(struct nn_plan *p)
{
	if (!p)
		return;
	free(p->steps);
	nn_hash_free(&p->made_links);
	nn_hash_free(&p->deleted_ns);
	nn_hash_free(&p->made_ns);
	free(p->commands);
	free(p->groups);
	for (size_t i = 0; i < p->n_tcs; i++)
		free(p->tcs[i]);
	free(p->tcs);
	free(p);
}

size_t nn_plan_len(const struct nn_plan *p)
{
	return p->n;
}

const struct nn_step *nn_plan_step(const struct nn_plan *p, size_t i)
{
	return &p->steps[i];
}

int nn_plan_check(const struct nn_plan *p, struct nn_error *e)
{
	if (!p->refusal.code)
		return 0;
	*e = p->refusal;
	return -e->code;
}

size_t nn_plan_commands(const struct nn_plan *p, const struct nn_plan_command **v)
{
	*v = p->commands;
	return p->n_commands;
}

size_t nn_plan_groups(const struct nn_plan *p, const struct nn_plan_group **v)
{
	*v = p->groups;
	return p->n_groups;
}

size_t nn_plan_rollback(const struct nn_plan *p, size_t failed, size_t *order)
{
	size_t n = 0, i = failed < p->n ? failed + 1 : p->n;

	while (i-- > 0)
		if (p->steps[i].run.done && !nn_step_is_removal(p->steps[i].kind))
			order[n++] = i;
	return n;
}

static struct nn_step *add_step(struct nn_plan *p, enum nn_step_kind kind,
				enum nn_step_state state, enum nn_step_reason why, const char *ns,
				const char *ifname, struct nn_error *e)
{
	struct nn_step *s;

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
	s->kind = kind;
	s->state = state;
	s->reason = why;
	p->n_link_dels += kind == NN_STEP_LINK_DEL;
	snprintf(s->ns, sizeof(s->ns), "%s", ns);
	if (ifname)
		snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	return s;
}

static const char *link_key(char *buf, size_t len, const char *ns, const char *ifname)
{
	snprintf(buf, len, "%s/%s", ns, ifname);
	return buf;
}

/* A link an earlier step makes (a veth end, a bridge, a macvlan). */
static int mark_made(struct nn_plan *p, const char *ns, const char *ifname, struct nn_error *e)
{
	char key[300];

	if (nn_hash_put(&p->made_links, link_key(key, sizeof(key), ns, ifname), NULL) < 0)
		return nn_error_set(e, ENOMEM, "cannot plan");
	return 0;
}

static bool plan_makes_link(const struct nn_plan *p, const char *ns, const char *ifname)
{
	char key[300];

	return nn_hash_find(&p->made_links, link_key(key, sizeof(key), ns, ifname), NULL);
}

/* Namespace NS goes, by step P->n - 1 (NULL: the clients' steps). */
static int mark_deleted(struct nn_plan *p, const char *ns, struct nn_error *e)
{
	if (nn_hash_put(&p->deleted_ns, ns, (void *)(uintptr_t)p->n) < 0)
		return nn_error_set(e, ENOMEM, "cannot plan");
	return 0;
}

static bool plan_deletes_ns(const struct nn_plan *p, const char *ns)
{
	return nn_hash_find(&p->deleted_ns, ns, NULL);
}

/* Namespace NAME as observed; a namespace never observed does not exist
 * (observe reads every namespace a plan can touch). */
static const struct nn_snap_ns *sns(const struct nn_snapshot *snap, const char *name)
{
	return nn_snap_ns(snap, name);
}

static bool exists(const struct nn_snap_ns *ob)
{
	return ob && ob->exists;
}

static uint64_t cookie_of(const struct nn_snap_ns *ob)
{
	return exists(ob) ? ob->cookie : 0;
}

/* Is link L of OB one the journal proves netnsctl's? */
static bool link_ours(const struct nn_snapshot *snap, const struct nn_snap_ns *ob,
		      const struct nn_link_info *l)
{
	const struct nn_journal_entry *j =
		nn_snap_journal(snap, NN_OBJ_LINK, ob->name, l->name, ob->cookie);

	return j && nn_owner_link(j, l);
}

static const char *why_text(enum nn_step_reason why)
{
	return why == NN_WHY_OTHER_MAC ? "another MAC" : "it is paired with another link";
}

/*
 * Delete link L of OB, stale for WHY, to make it again as the lab wants it:
 * only when the journal proves it netnsctl's.  A link of that name that
 * anything else made is refused, never deleted (nor could a rollback bring
 * it back).
 */
static int plan_stale_del(struct nn_plan *p, const struct nn_snapshot *snap,
			  const struct nn_snap_ns *ob, const struct nn_link_info *l,
			  enum nn_step_reason why, struct nn_error *e)
{
	struct nn_step *s;

	if (!link_ours(snap, ob, l))
		return nn_error_setx(e, EEXIST, "%s in %s was not made by netnsctl (%s): not replaced",
				     l->name, nn_where(ob->name), why_text(why));
	s = add_step(p, NN_STEP_LINK_DEL, NN_STATE_DIFFERS, why, ob->name, l->name, e);
	if (!s)
		return -e->code;
	s->run.ifindex = l->ifindex;
	return 0;
}

bool nn_veth_may_pair(const struct nn_link_info *la, const struct nn_link_info *lb)
{
	return !strcmp(la->kind, "veth") && !strcmp(lb->kind, "veth") &&
	       la->peer_ifindex == lb->ifindex && lb->peer_ifindex == la->ifindex;
}

/* Are LA in A and LB in B the two ends of one veth?  ifindexes are per
 * namespace: only the namespace ids prove the peers.  One side's id is
 * enough (observe reads one): with it, that end's peer is the link of the
 * other's ifindex in the other namespace, i.e. the other end, and a veth's
 * ends are each other's peers.  Each id the snapshot has must match. */
static bool is_pair(const struct nn_snapshot *snap, const struct nn_snap_ns *a,
		    const struct nn_link_info *la, const struct nn_snap_ns *b,
		    const struct nn_link_info *lb)
{
	int32_t id_ab, id_ba;
	bool ab, ba;

	if (!nn_veth_may_pair(la, lb))
		return false;
	if (a == b)
		return !la->peer_nsid_set && !lb->peer_nsid_set;
	if (!la->peer_nsid_set || !lb->peer_nsid_set)
		return false;
	ab = nn_snap_nsid(snap, a->name, b->name, &id_ab);
	ba = nn_snap_nsid(snap, b->name, a->name, &id_ba);
	return (ab || ba) && (!ab || (id_ab >= 0 && id_ab == la->peer_nsid)) &&
	       (!ba || (id_ba >= 0 && id_ba == lb->peer_nsid));
}

static int plan_link_end(struct nn_plan *p, const struct nn_snap_ns *ob, const char *ifname,
			 const struct nn_link_info *have, bool fresh, bool has_addr,
			 const struct nn_prefix *want, struct nn_error *e)
{
	struct nn_step *s;

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
			s = add_step(p, NN_STEP_ADDR_DEL, NN_STATE_EXTRA, NN_WHY_OTHER_ADDR, ob->name,
				     ifname, e);
			if (!s)
				return -e->code;
			s->u.addr = ai->addr;
			s->run.ifindex = have->ifindex;
		}
		if (!present) {
			s = add_step(p, NN_STEP_ADDR_ADD, NN_STATE_MISSING, NN_WHY_ABSENT, ob->name,
				     ifname, e);
			if (!s)
				return -e->code;
			s->u.addr = *want;
			/* A link made by this plan: the create says its ifindex. */
			s->run.ifindex = fresh ? 0 : have->ifindex;
		}
	}
	if (fresh || !have->up) {
		s = add_step(p, NN_STEP_LINK_UP, NN_STATE_MISSING, fresh ? NN_WHY_ABSENT : NN_WHY_DOWN,
			     ob->name, ifname, e);
		if (!s)
			return -e->code;
		s->run.ifindex = fresh ? 0 : have->ifindex;
	}
	return 0;
}

/*
 * A veth end L in A stands where this plan wants one end of the pair V and is
 * not paired as wanted.  It is stale, and replaced, only when its peer lives
 * in one of the lab's own namespaces (the lab says how those connect), in a
 * namespace this plan deletes, or in a namespace without a name (left behind,
 * unreachable by name).  A complete pair to any other named namespace, or to
 * the host, works for somebody: refused, never deleted.
 */
static int check_replaceable(const struct nn_plan *p, const struct nn_snapshot *snap,
			     const struct nn_lab *lab, const struct lab_veth *v,
			     const struct nn_snap_ns *a, const struct nn_link_info *l,
			     struct nn_error *e)
{
	char ifopt[IFNAMSIZ + 16] = "";
	const char *home = a->name;

	if (l->peer_nsid_set && !nn_snap_home(snap, a->name, l->name, &home))
		return nn_error_setx(e, EIO, "where the peer of %s in %s lives was not observed",
				     l->name, nn_where(a->name));
	if (!home)
		return 0;
	if (!strcmp(home, v->ns[0]) || !strcmp(home, v->ns[1]) ||
	    (*home && (nn_lab_has_ns(lab, home) || plan_deletes_ns(p, home))))
		return 0;
	if (!*home || !*a->name)
		return nn_error_setx(e, EEXIST,
				     "%s in %s already connects to %s; name other links, or remove that pair first",
				     l->name, nn_where(a->name), nn_where(home));
	if (strcmp(l->name, "veth-a"))
		snprintf(ifopt, sizeof(ifopt), " --if-a %s", l->name);
	/* create-veth-pair's options by name: the advice is one to follow. */
	return nn_error_setx(e, EEXIST,
			     "%s in %s already connects to %s; name other links%s, or delete-veth-pair %s %s%s first",
			     l->name, nn_where(a->name), home,
			     !strcmp(lab->owner, "create-veth-pair") ? " with --if-a/--if-b" : "",
			     a->name, home, ifopt);
}

/* Where a lab wants a veth end, a link of another kind is the user's: not
 * replaced (and a deleted link could not be brought back by a rollback). */
static int check_kind(const struct nn_snap_ns *ob, const struct nn_link_info *l, const char *kind,
		      struct nn_error *e)
{
	if (!l || !strcmp(l->kind, kind))
		return 0;
	return nn_error_setx(e, EEXIST, "%s in %s is a %s link, not a %s: not replaced", l->name,
			     nn_where(ob->name), *l->kind ? l->kind : "plain", kind);
}

static int plan_veth(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_lab *lab,
		     const struct lab_veth *v, struct nn_error *e)
{
	const struct nn_snap_ns *a = sns(snap, v->ns[0]), *b = sns(snap, v->ns[1]);
	struct nn_snap_ns none_a = { .name = (char *)v->ns[0] }, none_b = { .name = (char *)v->ns[1] };
	const struct nn_link_info *la = exists(a) ? nn_snap_link(a, v->ifname[0]) : NULL;
	const struct nn_link_info *lb = exists(b) ? nn_snap_link(b, v->ifname[1]) : NULL;
	bool paired;
	struct nn_step *s;

	if (!a)
		a = &none_a;
	if (!b)
		b = &none_b;
	paired = la && lb && is_pair(snap, a, la, b, lb);
	if (!paired) {
		if (check_kind(a, la, "veth", e) < 0 || check_kind(b, lb, "veth", e) < 0)
			return -e->code;
		if ((la && check_replaceable(p, snap, lab, v, a, la, e) < 0) ||
		    (lb && check_replaceable(p, snap, lab, v, b, lb, e) < 0))
			return -e->code;
		if ((la && plan_stale_del(p, snap, a, la, NN_WHY_OTHER_PEER, e) < 0) ||
		    (lb && plan_stale_del(p, snap, b, lb, NN_WHY_OTHER_PEER, e) < 0))
			return -e->code;
		s = add_step(p, NN_STEP_VETH_ADD, NN_STATE_MISSING, NN_WHY_ABSENT, a->name,
			     v->ifname[0], e);
		if (!s)
			return -e->code;
		snprintf(s->ns2, sizeof(s->ns2), "%s", b->name);
		snprintf(s->ifname2, sizeof(s->ifname2), "%s", v->ifname[1]);
		if (mark_made(p, a->name, v->ifname[0], e) < 0 ||
		    mark_made(p, b->name, v->ifname[1], e) < 0)
			return -e->code;
	}
	if (*v->master) {
		const struct nn_link_info *br = exists(b) ? nn_snap_link(b, v->master) : NULL;

		if (br && strcmp(br->kind, "bridge"))
			return nn_error_setx(e, EINVAL, "%s in %s is a %s link, not a bridge",
					     v->master, nn_where(b->name), *br->kind ? br->kind : "plain");
		if (!br && !plan_makes_link(p, b->name, v->master))
			return nn_error_setx(e, ENODEV, "no bridge \"%s\" in %s", v->master,
					     nn_where(b->name));
		if (!paired || !br || lb->master != br->ifindex) {
			int prev = paired ? lb->master : 0;

			s = add_step(p, NN_STEP_LINK_MASTER, prev ? NN_STATE_DIFFERS : NN_STATE_MISSING,
				     prev ? NN_WHY_OTHER_VALUE : NN_WHY_ABSENT, b->name, v->ifname[1], e);
			if (!s)
				return -e->code;
			s->u.master.prev = prev;
			snprintf(s->ifname2, sizeof(s->ifname2), "%s", v->master);
			s->run.ifindex = paired ? lb->ifindex : 0;
			s->run.ifindex2 = br ? br->ifindex : 0;
		}
	}
	if (plan_link_end(p, a, v->ifname[0], la, !paired, v->has_addr[0], &v->addr[0], e) < 0 ||
	    plan_link_end(p, b, v->ifname[1], lb, !paired, v->has_addr[1], &v->addr[1], e) < 0)
		return -e->code;
	return 0;
}

static int plan_bridge(struct nn_plan *p, const struct nn_snapshot *snap,
		       const struct lab_bridge *v, struct nn_error *e)
{
	const struct nn_snap_ns *ob = sns(snap, v->ns);
	struct nn_snap_ns none = { .name = (char *)v->ns };
	const struct nn_link_info *l = exists(ob) ? nn_snap_link(ob, v->name) : NULL;

	if (!ob)
		ob = &none;
	if (check_kind(ob, l, "bridge", e) < 0)
		return -e->code;
	if (!l && (!add_step(p, NN_STEP_BRIDGE_ADD, NN_STATE_MISSING, NN_WHY_ABSENT, ob->name,
			     v->name, e) ||
		   mark_made(p, ob->name, v->name, e) < 0))
		return -e->code;
	return plan_link_end(p, ob, v->name, l, !l, v->has_addr, &v->addr, e);
}

static int plan_macvlan(struct nn_plan *p, const struct nn_snapshot *snap,
			const struct lab_macvlan *v, struct nn_error *e)
{
	const struct nn_snap_ns *ob = sns(snap, v->ns), *pob = sns(snap, v->parent_ns);
	struct nn_snap_ns none = { .name = (char *)v->ns };
	const struct nn_link_info *l, *parent = exists(pob) ? nn_snap_link(pob, v->parent) : NULL;
	struct nn_step *s;

	if (!ob)
		ob = &none;
	if (!parent && !plan_makes_link(p, v->parent_ns, v->parent))
		return nn_error_setx(e, ENODEV, "no interface \"%s\" in %s", v->parent,
				     nn_where(v->parent_ns));
	l = exists(ob) ? nn_snap_link(ob, v->ifname) : NULL;
	if (check_kind(ob, l, "macvlan", e) < 0)
		return -e->code;
	if (l && memcmp(l->mac, v->mac, 6)) {
		if (plan_stale_del(p, snap, ob, l, NN_WHY_OTHER_MAC, e) < 0)
			return -e->code;
		l = NULL;
	}
	if (!l) {
		s = add_step(p, NN_STEP_MACVLAN_ADD, NN_STATE_MISSING, NN_WHY_ABSENT, ob->name,
			     v->ifname, e);
		if (!s || mark_made(p, ob->name, v->ifname, e) < 0)
			return -e->code;
		snprintf(s->ns2, sizeof(s->ns2), "%s", v->parent_ns);
		snprintf(s->ifname2, sizeof(s->ifname2), "%s", v->parent);
		memcpy(s->u.macvlan.mac, v->mac, 6);
		s->u.macvlan.mode = v->mode;
		if (parent && !plan_makes_link(p, v->parent_ns, v->parent))
			s->run.ifindex2 = parent->ifindex;
	}
	return plan_link_end(p, ob, v->ifname, l, !l, false, NULL, e);
}

/* Does an earlier step of this plan delete the link IFINDEX of OB?  Its
 * routes go with it. */
static bool plan_drops_link(const struct nn_plan *p, const struct nn_snap_ns *ob, int ifindex)
{
	for (size_t i = 0; p->n_link_dels && i < p->n; i++) {
		const struct nn_step *s = &p->steps[i];

		if (s->kind == NN_STEP_LINK_DEL && s->run.ifindex == ifindex && !strcmp(s->ns, ob->name))
			return true;
	}
	return false;
}

static int plan_route(struct nn_plan *p, const struct nn_snapshot *snap,
		      const struct lab_route *v, struct nn_error *e)
{
	const struct nn_snap_ns *ob = sns(snap, v->ns);
	const struct nn_link_info *l = NULL;
	const struct nn_route_info *prev = NULL;
	struct nn_step *s;

	if (*v->ifname) {
		l = exists(ob) ? nn_snap_link(ob, v->ifname) : NULL;
		if (!l && !plan_makes_link(p, v->ns, v->ifname))
			return nn_error_setx(e, ENODEV, "no interface \"%s\" in %s", v->ifname,
					     nn_where(v->ns));
	}
	for (size_t i = 0; exists(ob) && i < ob->n_routes; i++) {
		const struct nn_route_info *r = &ob->routes[i];

		/* On a link this plan deletes (a stale one it makes again):
		 * gone before this step, neither there nor to put back. */
		if (!nn_prefix_equal(&r->dst, &v->dst) || plan_drops_link(p, ob, r->ifindex))
			continue;
		if (r->has_gw == v->has_gw && (!v->has_gw || nn_prefix_equal(&r->gw, &v->gw)) &&
		    (!l || r->ifindex == l->ifindex))
			return 0;
		prev = r;
	}
	s = add_step(p, NN_STEP_ROUTE_SET, prev ? NN_STATE_DIFFERS : NN_STATE_MISSING,
		     prev ? NN_WHY_OTHER_VALUE : NN_WHY_ABSENT, v->ns, *v->ifname ? v->ifname : NULL, e);
	if (!s)
		return -e->code;
	if (prev) {
		s->u.route.has_prev = true;
		s->u.route.prev_has_gw = prev->has_gw;
		s->u.route.prev_gw = prev->gw;
		s->u.route.prev_ifindex = prev->ifindex;
		s->u.route.prev_proto = prev->protocol;
	}
	if (l && !plan_makes_link(p, v->ns, v->ifname))
		s->run.ifindex = l->ifindex;
	s->u.route.dst = v->dst;
	s->u.route.gw = v->gw;
	s->u.route.has_gw = v->has_gw;
	s->u.route.dev = *v->ifname;
	return 0;
}

/* The journal's record of forwarding in OB as it is now (not one of an
 * earlier namespace of that name), or NULL. */
static const struct nn_journal_entry *fwd_record(const struct nn_snapshot *snap,
						 const struct nn_snap_ns *ob)
{
	const struct nn_journal_entry *j;

	if (!exists(ob))
		return NULL;
	j = nn_snap_journal(snap, NN_OBJ_SYSCTL, ob->name, "ipv4.ip_forward", ob->cookie);
	return j && j->id ? j : NULL;
}

static int plan_fwd(struct nn_plan *p, const struct nn_snapshot *snap, const struct lab_fwd *v,
		    struct nn_error *e)
{
	const struct nn_snap_ns *ob = sns(snap, v->ns);
	const struct nn_journal_entry *rec;
	/* A namespace made by this plan starts with what the kernel gives a
	 * new one. */
	bool now = exists(ob) ? ob->fwd : snap->fresh_fwd;
	struct nn_step *s;

	if (now == v->on)
		return 0;
	s = add_step(p, NN_STEP_FWD_SET, exists(ob) ? NN_STATE_DIFFERS : NN_STATE_MISSING,
		     exists(ob) ? NN_WHY_OTHER_VALUE : NN_WHY_ABSENT, v->ns, NULL, e);
	if (!s)
		return -e->code;
	s->u.fwd.on = v->on;
	s->u.fwd.prev = now;
	s->u.fwd.fresh = !exists(ob);
	/* Changed again: what is restored in the end is still the value
	 * from before the first change. */
	rec = fwd_record(snap, ob);
	s->u.fwd.orig = rec ? rec->id == 2 : now;
	return 0;
}

static int plan_nat(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_nat_rule *r,
		    struct nn_error *e)
{
	const struct nn_nat_rule *have = NULL;
	struct nn_step *s;

	for (size_t i = 0; i < snap->n_nats; i++)
		if (!strcmp(snap->nats[i].tag, r->tag))
			have = &snap->nats[i];
	if (have && nn_nat_rule_same(r, have))
		return 0;
	s = add_step(p, NN_STEP_NAT_ADD, have ? NN_STATE_DIFFERS : NN_STATE_MISSING,
		     have ? NN_WHY_OTHER_VALUE : NN_WHY_ABSENT, "", NULL, e);
	if (!s)
		return -e->code;
	s->u.nat.rule = *r;
	if (have) {
		const struct nn_journal_entry *j =
			nn_snap_journal(snap, NN_OBJ_NAT, "", r->tag, cookie_of(sns(snap, "")));

		s->u.nat.prev = *have;
		s->u.nat.has_prev = true;
		if (j && nn_owner_nat(j, have, 1))
			snprintf(s->u.nat.prev_owner, sizeof(s->u.nat.prev_owner), "%s", j->owner);
	}
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

/*
 * The handle of the root qdisc a plan sets on link L of OB (ROOT: its root
 * now, NULL none): the handle of netnsctl's own root there (so that it is
 * changed in place), 1: on a link netnsctl made, else 0: a free random one,
 * picked when the step runs (owner.h: an admin's root on the admin's link
 * may well be 1:).
 */
static uint32_t qdisc_handle(const struct nn_snapshot *snap, const struct nn_snap_ns *ob,
			     const struct nn_link_info *l, const struct nn_qdisc_info *root)
{
	const struct nn_journal_entry *j =
		nn_snap_journal(snap, NN_OBJ_QDISC, ob->name, l->name, ob->cookie);

	if (root && j && nn_owner_qdisc(j, l, root))
		return root->handle;
	return link_ours(snap, ob, l) ? NN_QDISC_HANDLE : 0;
}

/*
 * A lab that changes only netnsctl's roots (a timeline's events): ROOT, on
 * link L of OB, must be one the journal proves netnsctl made; another's
 * (an admin's tc, another program's) is never replaced or cleared.
 */
static int check_own_root(const struct nn_plan *p, const struct nn_snapshot *snap,
			  const struct nn_snap_ns *ob, const struct nn_link_info *l,
			  const struct nn_qdisc_info *root, struct nn_error *e)
{
	const struct nn_journal_entry *j =
		nn_snap_journal(snap, NN_OBJ_QDISC, ob->name, l->name, ob->cookie);

	if (!p->lab->own_roots || (j && nn_owner_qdisc(j, l, root)))
		return 0;
	return nn_error_setx(e, EBUSY,
			     "the root qdisc %s %x: of %s in %s was not made by netnsctl: not touched",
			     root->kind_name, root->handle >> 16, l->name, nn_where(ob->name));
}

static int plan_qdisc(struct nn_plan *p, const struct nn_snapshot *snap,
		      const struct lab_qdisc *q, struct nn_error *e)
{
	const struct nn_snap_ns *ob = sns(snap, q->ns);
	const struct nn_qdisc_info *have = NULL;
	const struct nn_link_info *l;
	bool fresh = false;
	struct nn_step *s;
	int ret;

	if (!exists(ob) && !nn_hash_find(&p->made_ns, q->ns, NULL))
		return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", q->ns);
	l = exists(ob) ? nn_snap_link(ob, q->ifname) : NULL;
	/* A stale link this plan deletes and makes again starts with the
	 * kernel's default root, whatever the old one had. */
	if (l && plan_makes_link(p, q->ns, q->ifname))
		l = NULL;
	if (!l) {
		/* Made by an earlier step of this plan? */
		fresh = plan_makes_link(p, q->ns, q->ifname);
		if (!fresh)
			return *q->ns ? nn_error_setx(e, ENODEV,
						      "no interface \"%s\" in namespace \"%s\"",
						      q->ifname, q->ns)
				      : nn_error_setx(e, ENODEV, "no interface \"%s\" in the host",
						      q->ifname);
	}
	/* The kernel's default root (handle 0) is "none" here. */
	if (l && (have = nn_snap_root(ob, l->ifindex)) && !have->handle)
		have = NULL;
	if (q->want.kind == NN_QDISC_OTHER) {
		if (!have)
			return 0;
		if ((ret = check_own_root(p, snap, ob, l, have, e)) < 0)
			return ret;
		s = add_step(p, NN_STEP_QDISC_CLEAR, NN_STATE_DIFFERS, NN_WHY_OTHER_VALUE, q->ns,
			     q->ifname, e);
		if (!s)
			return -e->code;
		s->u.qdisc.prev = *have;
		s->u.qdisc.has_prev = true;
		s->run.ifindex = l->ifindex;
		return 0;
	}
	/* tbf drops every packet longer than its bucket: a burst below one
	 * full-size frame (MTU plus the Ethernet header the qdisc counts)
	 * passes nothing of that size.  A link this plan makes has the
	 * kernel's default MTU. */
	if (q->want.kind == NN_QDISC_TBF && q->want.u.tbf.burst) {
		uint32_t frame = (l ? l->mtu : 1500) + ETH_HLEN;

		if (q->want.u.tbf.burst < frame)
			return nn_error_setx(e, EMSGSIZE,
					     "invalid burst of %u bytes: smaller than a full-size frame on %s in %s (MTU %u + %d bytes of header); at least %ub",
					     q->want.u.tbf.burst, q->ifname, nn_where(q->ns),
					     frame - ETH_HLEN, ETH_HLEN, frame);
	}
	/* A timed change sets a deadline even on the root it would make. */
	if (have && qdisc_same(&q->want, have) && !q->for_ns)
		return 0;
	if (q->for_ns && !l)
		return nn_error_setx(e, ENODEV, "no interface \"%s\" in namespace \"%s\" (a timed change is of what exists)",
				     q->ifname, nn_where(q->ns));
	if (have && (ret = check_own_root(p, snap, ob, l, have, e)) < 0)
		return ret;
	s = add_step(p, NN_STEP_QDISC_SET, have ? NN_STATE_DIFFERS : NN_STATE_MISSING,
		     have ? NN_WHY_OTHER_VALUE : NN_WHY_ABSENT, q->ns, q->ifname, e);
	if (!s)
		return -e->code;
	s->u.qdisc.handle = fresh ? NN_QDISC_HANDLE : qdisc_handle(snap, ob, l, have);
	s->u.qdisc.want = q->want;
	s->u.qdisc.for_ns = q->for_ns;
	s->run.ifindex = l ? l->ifindex : 0;
	if (have) {
		s->u.qdisc.prev = *have;
		s->u.qdisc.has_prev = true;
	}
	return 0;
}

/* --- changes to what exists: link states, partitions, heals ---------- */

static int plan_link_state(struct nn_plan *p, const struct nn_snapshot *snap,
			   const struct lab_link_state *v, struct nn_error *e)
{
	const struct nn_snap_ns *ob = sns(snap, v->ns);
	const struct nn_link_info *l;
	struct nn_step *s;

	if (!exists(ob))
		return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", v->ns);
	if (!(l = nn_snap_link(ob, v->ifname)))
		return *v->ns ? nn_error_setx(e, ENODEV, "no interface \"%s\" in namespace \"%s\"",
					      v->ifname, v->ns)
			      : nn_error_setx(e, ENODEV, "no interface \"%s\" in the host", v->ifname);
	/* Down already (by whomever: a link down by hand stays the admin's
	 * and no record claims it), or up already. */
	if (l->up == v->up)
		return 0;
	s = add_step(p, NN_STEP_LINK_STATE, NN_STATE_DIFFERS, v->up ? NN_WHY_DOWN : NN_WHY_ASKED, v->ns,
		     v->ifname, e);
	if (!s)
		return -e->code;
	s->u.link.up = v->up;
	s->u.link.prev = l->up;
	s->u.link.for_ns = v->for_ns;
	s->run.ifindex = l->ifindex;
	return 0;
}

/* Does the deadline journal hold partition ID (netnsctl made it)? */
static bool partition_held(const struct nn_snapshot *snap, const char *id)
{
	for (size_t i = 0; i < snap->n_timed; i++)
		if (snap->timed[i].kind == NN_TIMED_PARTITION && !strcmp(snap->timed[i].name, id))
			return true;
	return false;
}

static bool plan_heals(const struct nn_plan *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].kind == NN_STEP_PARTITION_DEL && !strcmp(p->steps[i].u.part.id, id))
			return true;
	return false;
}

static int plan_partition(struct nn_plan *p, const struct nn_snapshot *snap,
			  const struct lab_partition *v, struct nn_error *e)
{
	struct nn_step *s;

	for (size_t k = 0; k < v->na + v->nb; k++)
		if (!exists(sns(snap, v->names[k])))
			return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", v->names[k]);
	/* The same two groups partitioned already (in either order: one id). */
	if (partition_held(snap, v->id) && !plan_heals(p, v->id))
		return 0;
	s = add_step(p, NN_STEP_PARTITION_ADD, NN_STATE_MISSING, NN_WHY_ABSENT, "", NULL, e);
	if (!s)
		return -e->code;
	snprintf(s->u.part.id, sizeof(s->u.part.id), "%s", v->id);
	s->u.part.a = (const char *const *)v->names;
	s->u.part.na = v->na;
	s->u.part.b = (const char *const *)v->names + v->na;
	s->u.part.nb = v->nb;
	s->u.part.for_ns = v->for_ns;
	return 0;
}

/* Heal V's partition (every one: V->id ""), once each, as the deadline
 * journal holds them: what netnsctl made, and nothing else. */
static int plan_heal(struct nn_plan *p, const struct nn_snapshot *snap, const struct lab_partition *v,
		     struct nn_error *e)
{
	for (size_t i = 0; i < snap->n_timed; i++) {
		const struct nn_timed *t = &snap->timed[i];
		struct nn_step *s;

		if (t->kind != NN_TIMED_PARTITION || (*v->id && strcmp(t->name, v->id)) ||
		    plan_heals(p, t->name))
			continue;
		if (!(s = add_step(p, NN_STEP_PARTITION_DEL, NN_STATE_EXTRA, NN_WHY_ASKED, "", NULL, e)))
			return -e->code;
		snprintf(s->u.part.id, sizeof(s->u.part.id), "%s", t->name);
	}
	return 0;
}

static int plan_changes(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_lab *lab,
			struct nn_error *e)
{
	int ret = 0;

	for (size_t i = 0; i < lab->n_heals && ret == 0; i++)
		ret = plan_heal(p, snap, &lab->heals[i], e);
	for (size_t i = 0; i < lab->n_link_states && ret == 0; i++)
		ret = plan_link_state(p, snap, &lab->link_states[i], e);
	for (size_t i = 0; i < lab->n_partitions && ret == 0; i++)
		ret = plan_partition(p, snap, &lab->partitions[i], e);
	return ret;
}

/* --- pruning: what this lab's owner made and the lab no longer has --- */

/*
 * The links and the roots the lab has, by "ns/ifname" (link_key()): the
 * prune asks once per record, and a lab of N nodes has N records and N
 * links (a linear search was 6% of a status of star 1023).
 */
struct lab_index {
	struct nn_hash links;	/* veth ends, bridges, macvlans, and the ifbs
				 * of ingress trees (never pruned as links
				 * of their own) */
	struct nn_hash roots;	/* links with a qdisc or an egress tree */
};

static int index_put(struct nn_hash *h, const char *ns, const char *ifname)
{
	char key[300];

	return nn_hash_put(h, link_key(key, sizeof(key), ns, ifname), NULL);
}

static bool index_has(const struct nn_hash *h, const char *ns, const char *ifname)
{
	char key[300];

	return nn_hash_find(h, link_key(key, sizeof(key), ns, ifname), NULL);
}

static int lab_index_make(struct lab_index *x, const struct nn_lab *lab, struct nn_error *e)
{
	char ifb[IFNAMSIZ];
	int r = 0;

	for (size_t i = 0; !r && i < lab->n_veths; i++)
		for (int k = 0; !r && k < 2; k++)
			r = index_put(&x->links, lab->veths[i].ns[k], lab->veths[i].ifname[k]);
	for (size_t i = 0; !r && i < lab->n_bridges; i++)
		r = index_put(&x->links, lab->bridges[i].ns, lab->bridges[i].name);
	for (size_t i = 0; !r && i < lab->n_macvlans; i++)
		r = index_put(&x->links, lab->macvlans[i].ns, lab->macvlans[i].ifname);
	for (size_t i = 0; !r && i < lab->n_qdiscs; i++)
		r = index_put(&x->roots, lab->qdiscs[i].ns, lab->qdiscs[i].ifname);
	for (size_t i = 0; !r && i < lab->n_tcs; i++) {
		/* An ingress tree has an ifb; an egress tree is its link's
		 * root (its record is a qdisc's). */
		if (lab->tcs[i].ingress) {
			nn_ifb_name(lab->tcs[i].ifname, ifb);
			r = index_put(&x->links, lab->tcs[i].ns, ifb);
		} else {
			r = index_put(&x->roots, lab->tcs[i].ns, lab->tcs[i].ifname);
		}
	}
	return r < 0 ? nn_error_set(e, ENOMEM, "cannot plan") : 0;
}

static bool lab_has_route(const struct nn_lab *lab, const char *ns, const char *name)
{
	char buf[64];

	for (size_t i = 0; i < lab->n_routes; i++)
		if (!strcmp(lab->routes[i].ns, ns) &&
		    !strcmp(nn_route_name(buf, sizeof(buf), &lab->routes[i].dst), name))
			return true;
	return false;
}

static bool lab_has_fwd(const struct nn_lab *lab, const char *ns)
{
	for (size_t i = 0; i < lab->n_fwds; i++)
		if (!strcmp(lab->fwds[i].ns, ns))
			return true;
	return false;
}

static bool lab_has_nat(const struct nn_lab *lab, const char *tag)
{
	for (size_t i = 0; i < lab->n_nats; i++)
		if (!strcmp(lab->nats[i].tag, tag))
			return true;
	return false;
}

/* Is J one of the records LAB prunes? */
static bool prunes(const struct nn_lab *lab, const struct nn_journal_entry *j)
{
	return lab->every_owner || !strcmp(j->owner, lab->owner);
}

/* The namespace J's object is in (its own, for a namespace record), when it
 * still is the one J names. */
static const struct nn_snap_ns *record_ns(const struct nn_snapshot *snap,
					  const struct nn_journal_entry *j)
{
	const struct nn_snap_ns *ob = sns(snap, j->kind == NN_OBJ_NETNS ? j->name : j->ns);

	if (!exists(ob))
		return NULL;
	if (j->kind == NN_OBJ_NETNS ? nn_owner_netns(j, ob->cookie) : nn_owner_in_ns(j, ob->cookie))
		return ob;
	return NULL;
}

/* An owner other than J's with objects in J's namespace, or NULL. */
static const char *other_owner(const struct nn_snapshot *snap, const struct nn_journal_entry *j)
{
	for (size_t i = 0; i < snap->n_journal; i++) {
		const struct nn_journal_entry *o = &snap->journal[i];

		if (o->kind != NN_OBJ_NETNS && o->kind != NN_OBJ_SYSCTL && strcmp(o->owner, j->owner) &&
		    !strcmp(o->ns, j->ns) && o->ns_cookie == j->ns_cookie)
			return o->owner;
	}
	return NULL;
}

/* Namespace records first: their links, routes and qdiscs go with them.
 * A namespace of which only a dead mount point is left goes too. */
static int prune_namespaces(struct nn_plan *p, const struct nn_snapshot *snap,
			    const struct nn_lab *lab, struct nn_error *e)
{
	for (size_t i = 0; i < snap->n_journal; i++) {
		const struct nn_journal_entry *j = &snap->journal[i];
		const struct nn_snap_ns *ob, *seen;
		struct nn_step *s;

		if (j->kind != NN_OBJ_NETNS || !prunes(lab, j) || nn_lab_has_ns(lab, j->name) ||
		    plan_deletes_ns(p, j->name))
			continue;
		ob = record_ns(snap, j);
		seen = sns(snap, j->name);
		if (!ob && !(seen && !seen->exists && seen->dead))
			continue;
		s = add_step(p, NN_STEP_NETNS_DEL, NN_STATE_EXTRA, NN_WHY_PRUNED, j->name, NULL, e);
		if (!s || mark_deleted(p, j->name, e) < 0)
			return -e->code;
		s->run.cookie = cookie_of(ob);
	}
	return 0;
}

static int prune_fwd(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_lab *lab,
		     const struct nn_journal_entry *j, const struct nn_snap_ns *ob,
		     struct nn_error *e)
{
	const char *heir = lab->every_owner ? NULL : other_owner(snap, j);
	struct nn_step *s;

	if (lab_has_fwd(lab, j->ns) || !j->id)
		return 0;
	/* Another owner with objects in that namespace may rely on
	 * forwarding without having switched it on: it inherits. */
	if (heir) {
		s = add_step(p, NN_STEP_FWD_HANDOVER, NN_STATE_DIFFERS, NN_WHY_HEIR, j->ns, NULL, e);
		if (!s)
			return -e->code;
		snprintf(s->u.fwd.heir, sizeof(s->u.fwd.heir), "%s", heir);
		s->u.fwd.prev = j->id == 2;
		return 0;
	}
	/* Everything netnsctl made goes (cleanup): a value already back as it
	 * was needs no step, and the journal is started afresh at the end. */
	if (lab->every_owner && (ob->have & NN_SNAP_FWD) && ob->fwd == (j->id == 2))
		return 0;
	s = add_step(p, NN_STEP_FWD_RESTORE, NN_STATE_EXTRA, NN_WHY_PRUNED, j->ns, NULL, e);
	if (!s)
		return -e->code;
	s->u.fwd.on = j->id == 2;
	return 0;
}

/* Which namespace that this plan deletes has id ID in namespace NS, by the
 * ids observe read (look_gone_peers): a map "NS#ID" -> name, made once per
 * namespace NS. */
struct gone_peers {
	struct nn_hash seen;	/* namespaces whose ids are in the map */
	struct nn_hash ids;
};

static const char *peer_goes(struct nn_plan *p, const struct nn_snapshot *snap,
			     struct gone_peers *g, const char *ns, const struct nn_link_info *l,
			     struct nn_error *e)
{
	char key[300];
	const char *d;
	size_t it = 0;
	int32_t id;

	if (strcmp(l->kind, "veth") || !l->peer_nsid_set || !nn_hash_len(&p->deleted_ns))
		return NULL;
	if (!nn_hash_find(&g->seen, ns, NULL)) {
		if (nn_hash_put(&g->seen, ns, NULL) < 0) {
			nn_error_set(e, ENOMEM, "cannot plan");
			return NULL;
		}
		while (nn_hash_next(&p->deleted_ns, &it, &d, NULL)) {
			if (!nn_snap_nsid(snap, ns, d, &id) || id < 0)
				continue;
			snprintf(key, sizeof(key), "%s#%d", ns, (int)id);
			if (nn_hash_put(&g->ids, key, (void *)d) < 0) {
				nn_error_set(e, ENOMEM, "cannot plan");
				return NULL;
			}
		}
	}
	snprintf(key, sizeof(key), "%s#%d", ns, (int)l->peer_nsid);
	return nn_hash_get(&g->ids, key);
}

/*
 * What the journal says this lab's owner made and the lab no longer has,
 * where it still is what the owner made (owner.h): removed.  Anything else
 * under those names is left alone.
 */
static int prune_objects(struct nn_plan *p, const struct nn_snapshot *snap,
			 const struct nn_lab *lab, const struct lab_index *x, struct gone_peers *gp,
			 struct nn_error *e)
{
	int ret = 0;

	for (size_t i = 0; i < snap->n_journal && ret == 0; i++) {
		const struct nn_journal_entry *j = &snap->journal[i];
		const struct nn_qdisc_info *root;
		const struct nn_link_info *l;
		const struct nn_snap_ns *ob;
		struct nn_step *s;
		const char *d;

		/* In a namespace this plan deletes, everything goes with it. */
		if (j->kind == NN_OBJ_NETNS || !prunes(lab, j) || plan_deletes_ns(p, j->ns) ||
		    !(ob = record_ns(snap, j)))
			continue;
		switch (j->kind) {
		case NN_OBJ_LINK:
			l = nn_snap_link(ob, j->name);
			if (index_has(&x->links, j->ns, j->name) || !l || !nn_owner_link(j, l))
				break;
			s = add_step(p, NN_STEP_LINK_DEL, NN_STATE_EXTRA, NN_WHY_PRUNED, j->ns, j->name, e);
			if (!s) {
				ret = -e->code;
				break;
			}
			s->run.ifindex = l->ifindex;
			/* A veth end whose peer's namespace goes goes with it. */
			if ((d = peer_goes(p, snap, gp, j->ns, l, e))) {
				snprintf(s->ns2, sizeof(s->ns2), "%s", d);
				s->run.with = (uintptr_t)nn_hash_get(&p->deleted_ns, d);
			} else if (e->code) {
				ret = -e->code;
			}
			break;
		case NN_OBJ_QDISC:
			l = nn_snap_link(ob, j->name);
			if (index_has(&x->roots, j->ns, j->name) || !l)
				break;
			root = nn_snap_root(ob, l->ifindex);
			if (!nn_owner_qdisc(j, l, root))
				break;
			s = add_step(p, NN_STEP_QDISC_CLEAR, NN_STATE_EXTRA, NN_WHY_PRUNED, j->ns, j->name, e);
			if (!s)
				return -e->code;
			s->run.ifindex = l->ifindex;
			/* What an undo puts back: this root, recorded again. */
			s->u.qdisc.has_prev = true;
			s->u.qdisc.prev = *root;
			s->u.qdisc.prev_ours = true;
			break;
		case NN_OBJ_ROUTE:
			if (lab_has_route(lab, j->ns, j->name) ||
			    !nn_owner_route(j, ob->routes, ob->n_routes))
				break;
			s = add_step(p, NN_STEP_ROUTE_DEL, NN_STATE_EXTRA, NN_WHY_PRUNED, j->ns, NULL, e);
			if (!s)
				return -e->code;
			nn_journal_route_dst(j->name, &s->u.route.dst);
			break;
		case NN_OBJ_SYSCTL:
			ret = prune_fwd(p, snap, lab, j, ob, e);
			break;
		case NN_OBJ_NAT:
			if (lab_has_nat(lab, j->name) || !nn_owner_nat(j, snap->nats, snap->n_nats))
				break;
			s = add_step(p, NN_STEP_NAT_DEL, NN_STATE_EXTRA, NN_WHY_PRUNED, "", NULL, e);
			if (!s)
				return -e->code;
			snprintf(s->u.nat.rule.tag, sizeof(s->u.nat.rule.tag), "%s", j->name);
			s->run.nonce = nn_owner_nat_nonce(j);
			break;
		case NN_OBJ_NETNS:
		/* Ingress redirects and their clsact: nn_plan_tc_prune. */
		case NN_OBJ_FILTER:
		case NN_OBJ_CLSACT:
			break;
		}
	}
	return ret;
}

static int plan_prune(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_lab *lab,
		      struct nn_error *e)
{
	struct gone_peers g = { NN_HASH_INIT, NN_HASH_INIT };
	struct lab_index x = { NN_HASH_INIT, NN_HASH_INIT };
	int ret = prune_namespaces(p, snap, lab, e);

	/* Redirects and clsact first: the ifbs they use go with the links. */
	if (ret == 0)
		ret = nn_plan_tc_prune(p, snap, lab, e);
	if (ret == 0)
		ret = lab_index_make(&x, lab, e);
	if (ret == 0)
		ret = prune_objects(p, snap, lab, &x, &g, e);
	nn_hash_free(&g.seen);
	nn_hash_free(&g.ids);
	nn_hash_free(&x.links);
	nn_hash_free(&x.roots);
	return ret;
}

/* --- claims: what the lab describes that another owner made --------- */

/*
 * The journal's record of namespace NS (IFNAME NULL) or of link IFNAME in
 * NS when an owner other than LAB's made it and it still is that object
 * (the namespace by its cookie, a link by its namespace's cookie and its
 * ifindex or MAC), or NULL.
 */
static const struct nn_journal_entry *made_by_other(const struct nn_snapshot *snap,
						    const struct nn_lab *lab, const char *ns,
						    const char *ifname)
{
	const struct nn_snap_ns *ob = sns(snap, ns);
	const struct nn_journal_entry *j;
	const struct nn_link_info *l = NULL;

	if (!exists(ob))
		return NULL;
	if (ifname) {
		j = nn_snap_journal(snap, NN_OBJ_LINK, ns, ifname, ob->cookie);
		if (!j || !(l = nn_snap_link(ob, ifname)) || !nn_owner_link(j, l))
			return NULL;
	} else if (!(j = nn_snap_journal(snap, NN_OBJ_NETNS, "-", ns, 0)) ||
		   !nn_owner_netns(j, ob->cookie)) {
		return NULL;
	}
	if (!*j->owner || !strcmp(j->owner, "-") || !strcmp(j->owner, lab->owner))
		return NULL;
	return j;
}

/* Namespace NS (IFNAME NULL) or link IFNAME in NS, if another owner made
 * it: refused, or a step that adopts it. */
static int claim(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_lab *lab,
		 const char *ns, const char *ifname, struct nn_error *e)
{
	const struct nn_journal_entry *j = made_by_other(snap, lab, ns, ifname);
	const struct nn_snap_ns *ob = sns(snap, ns);
	char who[96], what[320];
	struct nn_step *s;

	if (!j)
		return 0;
	nn_owner_text(who, sizeof(who), j->owner);
	if (ifname)
		snprintf(what, sizeof(what), "%s in %s", ifname, nn_where(ns));
	else
		snprintf(what, sizeof(what), "namespace %s", ns);
	if (lab->claim == NN_CLAIM_REFUSE)
		return nn_error_setx(e, EBUSY, "%s belongs to %s: not taken over without adopting it",
				     what, who);
	s = add_step(p, NN_STEP_ADOPT, NN_STATE_DIFFERS, NN_WHY_OTHER_OWNER, ns, ifname, e);
	if (!s)
		return -e->code;
	s->u.adopt.kind = j->kind;
	s->u.adopt.id = j->id;
	/* the proof goes with the record (owner.h): a killed owner's intent
	 * becomes a "made" record of what the kernel has */
	s->u.adopt.proof = j->id ? j->proof : j->intent;
	if (!j->id)
		s->u.adopt.id = ifname ? (uint64_t)nn_snap_link(ob, ifname)->ifindex : ob->cookie;
	snprintf(s->u.adopt.owner, sizeof(s->u.adopt.owner), "%s", j->owner);
	return 0;
}

/* Everything the lab names that another lab or command may have made:
 * its namespaces and its links (veth ends, bridges, macvlans). */
static int plan_claims(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_lab *lab,
		       struct nn_error *e)
{
	int ret = 0;

	for (size_t i = 0; i < lab->n_ns && ret == 0; i++)
		ret = claim(p, snap, lab, lab->ns[i], NULL, e);
	for (size_t i = 0; i < lab->n_veths && ret == 0; i++)
		for (int k = 0; k < 2 && ret == 0; k++)
			ret = claim(p, snap, lab, lab->veths[i].ns[k], lab->veths[i].ifname[k], e);
	for (size_t i = 0; i < lab->n_bridges && ret == 0; i++)
		ret = claim(p, snap, lab, lab->bridges[i].ns, lab->bridges[i].name, e);
	for (size_t i = 0; i < lab->n_macvlans && ret == 0; i++)
		ret = claim(p, snap, lab, lab->macvlans[i].ns, lab->macvlans[i].ifname, e);
	return ret;
}

/* --- what must not exist -------------------------------------------- */

static int plan_del_ns(struct nn_plan *p, const struct nn_snapshot *snap, const char *name,
		       struct nn_error *e)
{
	const struct nn_snap_ns *ob = sns(snap, name);
	struct nn_step *s;

	if (!ob || (!ob->exists && !ob->dead) || plan_deletes_ns(p, name))
		return 0;
	s = add_step(p, NN_STEP_NETNS_DEL, NN_STATE_EXTRA, NN_WHY_ASKED, name, NULL, e);
	if (!s || mark_deleted(p, name, e) < 0)
		return -e->code;
	s->run.cookie = cookie_of(ob);
	return 0;
}

/* Veth V->if_a in V->ns_a, but only when it is a veth whose peer lives in
 * V->ns_b: both ends go. */
static int plan_del_veth(struct nn_plan *p, const struct nn_snapshot *snap,
			 const struct lab_del_veth *v, struct nn_error *e)
{
	const struct nn_snap_ns *a = sns(snap, v->ns_a), *b = sns(snap, v->ns_b);
	const struct nn_link_info *la = exists(a) ? nn_snap_link(a, v->if_a) : NULL, *peer;
	struct nn_step *s;
	int32_t id = -1;

	if (!la)
		return 0;
	if (strcmp(la->kind, "veth"))
		return nn_error_setx(e, EINVAL, "%s in %s is a %s link, not a veth: not deleted",
				     v->if_a, v->ns_a, *la->kind ? la->kind : "plain");
	if (strcmp(v->ns_a, v->ns_b)) {
		if (exists(b) && !nn_snap_nsid(snap, v->ns_a, v->ns_b, &id))
			return nn_error_setx(e, EIO, "the id of namespace \"%s\" in \"%s\" was not observed",
					     v->ns_b, v->ns_a);
		if (id < 0 || !la->peer_nsid_set || la->peer_nsid != id)
			return nn_error_setx(e, EINVAL, "%s in %s is not paired with a link in %s: not deleted",
					     v->if_a, v->ns_a, v->ns_b);
	} else if (la->peer_nsid_set) {
		/* Both ends here: a peer elsewhere makes it another pair. */
		return nn_error_setx(e, EINVAL, "%s in %s is not paired with a link in %s: not deleted",
				     v->if_a, v->ns_a, v->ns_b);
	} else {
		b = a;
	}
	peer = nn_snap_link_by_index(b, la->peer_ifindex);
	s = add_step(p, NN_STEP_VETH_DEL, NN_STATE_EXTRA, NN_WHY_ASKED, v->ns_a, v->if_a, e);
	if (!s)
		return -e->code;
	snprintf(s->ns2, sizeof(s->ns2), "%s", v->ns_b);
	if (peer)
		snprintf(s->ifname2, sizeof(s->ifname2), "%s", peer->name);
	s->run.ifindex = la->ifindex;
	return 0;
}

/* --- the lab run: commands and client groups ------------------------- */

static const struct lab_command *command_of(const struct nn_lab *lab, const struct nn_proc *r)
{
	for (size_t i = 0; i < lab->n_cmds; i++)
		if (lab->cmds[i].index == r->index && !strcmp(lab->cmds[i].node, r->node))
			return &lab->cmds[i];
	return NULL;
}

/*
 * The recorded commands that must stop: those the lab no longer has, or
 * has with other words, and a second record of one; the rest run on (the
 * dead ones are forgotten by the next record written).  *KEPT[i]: the pid
 * of lab command i that runs as it should, 0 none.
 */
static int plan_stops(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_lab *lab,
		      pid_t *kept, struct nn_error *e)
{
	for (size_t i = 0; i < snap->n_procs; i++) {
		const struct nn_snap_proc *r = &snap->procs[i];
		const struct lab_command *c = lab->every_owner ? NULL : command_of(lab, &r->p);
		size_t ci = c ? (size_t)(c - lab->cmds) : 0;
		struct nn_step *s;

		if (c && r->alive && !kept[ci] && r->p.argv_hash == c->argv_hash) {
			kept[ci] = r->p.pid ? r->p.pid : -1;
			continue;
		}
		if (!r->alive)
			continue;
		s = add_step(p, NN_STEP_CMD_STOP, c ? NN_STATE_DIFFERS : NN_STATE_EXTRA,
			     c ? NN_WHY_CHANGED : NN_WHY_PRUNED, r->p.node, NULL, e);
		if (!s)
			return -e->code;
		s->u.cmd.index = r->p.index;
		s->u.cmd.pid = r->p.pid;
		s->u.cmd.start_time = r->p.start_time;
		if (lab->every_owner)
			snprintf(s->u.cmd.lab, sizeof(s->u.cmd.lab), "%s", r->lab);
	}
	return 0;
}

static const struct lab_group *group_of(const struct nn_lab *lab, const char *prefix)
{
	for (size_t i = 0; i < lab->n_groups; i++)
		if (!strcmp(lab->groups[i].prefix, prefix))
			return &lab->groups[i];
	return NULL;
}

static bool was_named(const struct nn_lab *lab, const char *prefix)
{
	for (size_t i = 0; i < lab->n_old_groups; i++)
		if (!strcmp(lab->old_groups[i], prefix))
			return true;
	return false;
}

static struct nn_step *clients_del(struct nn_plan *p, enum nn_step_state state,
				   enum nn_step_reason why, const char *prefix, unsigned count,
				   struct nn_error *e)
{
	struct nn_step *s = add_step(p, NN_STEP_CLIENTS_DEL, state, why, "", NULL, e);

	if (s) {
		snprintf(s->u.clients.prefix, sizeof(s->u.clients.prefix), "%s", prefix);
		s->u.clients.count = count;
	}
	return s;
}

/*
 * Client groups this lab made that it no longer has (or, with every owner,
 * every client), then of each group it has: a client of its names someone
 * else made (refused), the ones it made beyond the count (deleted).
 */
static int plan_group_removals(struct nn_plan *p, const struct nn_snapshot *snap,
			       const struct nn_lab *lab, struct nn_error *e)
{
	for (size_t i = 0; i < snap->n_groups; i++) {
		const struct nn_snap_group *g = snap->groups[i];
		unsigned owned = 0;

		if (lab->every_owner) {
			if (*g->prefix || !g->n_clients)
				continue;
			if (!clients_del(p, NN_STATE_EXTRA, NN_WHY_PRUNED, "", (unsigned)g->n_clients, e))
				return -e->code;
			/* Their namespaces go with them. */
			for (size_t k = 0; k < g->n_clients; k++)
				if (mark_deleted(p, g->clients[k].name, e) < 0)
					return -e->code;
			continue;
		}
		if (group_of(lab, g->prefix) || (!g->recorded && !was_named(lab, g->prefix)))
			continue;
		for (size_t k = 0; k < g->n_clients; k++)
			owned += !strcmp(g->clients[k].owner, lab->group_owner);
		if (owned && !clients_del(p, NN_STATE_EXTRA, NN_WHY_PRUNED, g->prefix, owned, e))
			return -e->code;
	}
	for (size_t i = 0; i < lab->n_groups; i++) {
		const struct lab_group *lg = &lab->groups[i];
		const struct nn_snap_group *g = nn_snap_group(snap, lg->prefix);
		struct nn_plan_group *pg = &p->groups[i];
		unsigned last = 0;
		struct nn_step *s;

		snprintf(pg->prefix, sizeof(pg->prefix), "%s", lg->prefix);
		pg->count = lg->spec.count;
		for (size_t k = 0; g && k < g->n_clients; k++) {
			const struct nn_snap_client *c = &g->clients[k];

			/* A client of the group's names that another made
			 * (create-clients by hand, another lab) is not taken
			 * over: neither counted as the lab's nor ever deleted
			 * with it. */
			if (strcmp(c->owner, lab->group_owner)) {
				if (c->k <= lg->spec.count && !p->refusal.code)
					nn_error_setx(&p->refusal, EEXIST,
						      "%s: client group %s: client %s (made by %s), not by lab %s: not taken over",
						      lg->where, lg->prefix, c->name,
						      *c->owner ? c->owner : "someone else", lab->name);
				continue;
			}
			if (c->k <= lg->spec.count) {
				pg->present++;
			} else {
				pg->extra++;
				last = c->k > last ? c->k : last;
			}
		}
		if (!pg->extra)
			continue;
		/* A group made smaller: the clients it made beyond COUNT go. */
		s = clients_del(p, NN_STATE_EXTRA, NN_WHY_BEYOND_COUNT, lg->prefix, pg->extra, e);
		if (!s)
			return -e->code;
		s->u.clients.first = lg->spec.count + 1;
		s->u.clients.last = last;
	}
	return 0;
}

static int plan_run_removals(struct nn_plan *p, const struct nn_snapshot *snap,
			     const struct nn_lab *lab, pid_t *kept, struct nn_error *e)
{
	p->n_commands = lab->n_cmds;
	p->n_groups = lab->n_groups;
	if ((lab->n_cmds && !(p->commands = calloc(lab->n_cmds, sizeof(*p->commands)))) ||
	    (lab->n_groups && !(p->groups = calloc(lab->n_groups, sizeof(*p->groups)))))
		return nn_error_set(e, ENOMEM, "cannot plan");
	if (plan_stops(p, snap, lab, kept, e) < 0 || plan_group_removals(p, snap, lab, e) < 0)
		return -e->code;
	return 0;
}

/* Commands before clients: one may be the DHCP server they ask. */
static int plan_run_adds(struct nn_plan *p, const struct nn_lab *lab, const pid_t *kept,
			 struct nn_error *e)
{
	struct nn_step *s;

	for (size_t i = 0; i < lab->n_cmds; i++) {
		const struct lab_command *c = &lab->cmds[i];
		struct nn_plan_command *pc = &p->commands[i];

		snprintf(pc->node, sizeof(pc->node), "%s", c->node);
		pc->index = c->index;
		pc->argv = c->argv;
		pc->pid = kept[i] > 0 ? kept[i] : 0;
		if (kept[i])
			continue;
		s = add_step(p, NN_STEP_CMD_START, NN_STATE_MISSING, NN_WHY_NOT_RUNNING, c->node, NULL, e);
		if (!s)
			return -e->code;
		s->u.cmd.index = c->index;
		s->u.cmd.argv = c->argv;
		s->u.cmd.spec = i;
	}
	for (size_t i = 0; i < lab->n_groups; i++) {
		const struct lab_group *g = &lab->groups[i];

		if (p->groups[i].present == g->spec.count)
			continue;
		s = add_step(p, NN_STEP_CLIENTS_ADD, NN_STATE_MISSING, NN_WHY_ABSENT, "", NULL, e);
		if (!s)
			return -e->code;
		snprintf(s->u.clients.prefix, sizeof(s->u.clients.prefix), "%s", g->prefix);
		snprintf(s->u.clients.parent, sizeof(s->u.clients.parent), "%s", g->parent);
		s->u.clients.first = 1;
		s->u.clients.last = g->spec.count;
		s->u.clients.have = p->groups[i].present;
		s->u.clients.spec = i;
	}
	return 0;
}

/* --- the whole plan --------------------------------------------------- */

static int plan_namespaces(struct nn_plan *p, const struct nn_snapshot *snap,
			   const struct nn_lab *lab, struct nn_error *e)
{
	for (size_t i = 0; i < lab->n_ns; i++) {
		const struct nn_snap_ns *ob = sns(snap, lab->ns[i]);
		const struct nn_link_info *lo;

		if (!exists(ob)) {
			if (!add_step(p, NN_STEP_NETNS_ADD, NN_STATE_MISSING, NN_WHY_ABSENT, lab->ns[i],
				      NULL, e) ||
			    nn_hash_put(&p->made_ns, lab->ns[i], NULL) < 0)
				return e->code ? -e->code : nn_error_set(e, ENOMEM, "cannot plan");
		} else if (lab->new_namespaces) {
			return nn_error_setx(e, EEXIST, "namespace \"%s\" exists and was not made by netnsctl for this: not touched",
					     ob->name);
		} else if ((lo = nn_snap_link(ob, "lo")) && !lo->up) {
			struct nn_step *s = add_step(p, NN_STEP_LINK_UP, NN_STATE_MISSING, NN_WHY_DOWN,
						     ob->name, "lo", e);

			if (!s)
				return -e->code;
			s->run.ifindex = lo->ifindex;
		}
	}
	return 0;
}

int nn_plan_build(const struct nn_lab *lab, const struct nn_snapshot *snap,
		  struct nn_plan **out, struct nn_error *e)
{
	struct nn_plan *p = calloc(1, sizeof(*p));
	pid_t *kept = calloc(lab->n_cmds + 1, sizeof(*kept));
	int ret = 0;

	if (!p || !kept) {
		free(p);
		free(kept);
		return nn_error_set(e, ENOMEM, "cannot plan");
	}
	p->lab = lab;
	snprintf(p->owner, sizeof(p->owner), "%s", lab->owner);
	if (snap->only_qdiscs) {
		for (size_t i = 0; i < lab->n_qdiscs && ret == 0; i++)
			ret = plan_qdisc(p, snap, &lab->qdiscs[i], e);
		if (ret == 0)
			ret = plan_changes(p, snap, lab, e);
		for (size_t i = 0; i < lab->n_tcs && ret == 0; i++)
			ret = nn_plan_tc_item(p, snap, &lab->tcs[i], e);
		goto out;
	}
	/* Removals first: they free names and addresses the lab may reuse;
	 * processes first of all: they may hold what is removed next. */
	ret = plan_run_removals(p, snap, lab, kept, e);
	for (size_t i = 0; i < lab->n_del_veths && ret == 0; i++)
		ret = plan_del_veth(p, snap, &lab->del_veths[i], e);
	for (size_t i = 0; i < lab->n_del_ns && ret == 0; i++)
		ret = plan_del_ns(p, snap, lab->del_ns[i], e);
	if (ret == 0 && lab->prune)
		ret = plan_prune(p, snap, lab, e);
	if (ret == 0 && lab->claim != NN_CLAIM_SHARE)
		ret = plan_claims(p, snap, lab, e);
	if (ret == 0)
		ret = plan_namespaces(p, snap, lab, e);
	for (size_t i = 0; i < lab->n_bridges && ret == 0; i++)
		ret = plan_bridge(p, snap, &lab->bridges[i], e);
	for (size_t i = 0; i < lab->n_veths && ret == 0; i++)
		ret = plan_veth(p, snap, lab, &lab->veths[i], e);
	for (size_t i = 0; i < lab->n_macvlans && ret == 0; i++)
		ret = plan_macvlan(p, snap, &lab->macvlans[i], e);
	for (size_t i = 0; i < lab->n_fwds && ret == 0; i++)
		ret = plan_fwd(p, snap, &lab->fwds[i], e);
	for (size_t i = 0; i < lab->n_routes && ret == 0; i++)
		ret = plan_route(p, snap, &lab->routes[i], e);
	for (size_t i = 0; i < lab->n_qdiscs && ret == 0; i++)
		ret = plan_qdisc(p, snap, &lab->qdiscs[i], e);
	for (size_t i = 0; i < lab->n_tcs && ret == 0; i++)
		ret = nn_plan_tc_item(p, snap, &lab->tcs[i], e);
	for (size_t i = 0; i < lab->n_nats && ret == 0; i++)
		ret = plan_nat(p, snap, &lab->nats[i], e);
	if (ret == 0)
		ret = plan_changes(p, snap, lab, e);
	if (ret == 0)
		ret = plan_run_adds(p, lab, kept, e);
out:
	free(kept);
	if (ret < 0) {
		nn_plan_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

/* --- for plan_tc.c ---------------------------------------------------- */

struct nn_step *nn_plan_add_step(struct nn_plan *p, enum nn_step_kind kind,
				 enum nn_step_state state, enum nn_step_reason why, const char *ns,
				 const char *ifname, struct nn_error *e)
{
	return add_step(p, kind, state, why, ns, ifname, e);
}

int nn_plan_qdisc(struct nn_plan *p, const struct nn_snapshot *snap, const struct lab_qdisc *q,
		  struct nn_error *e)
{
	return plan_qdisc(p, snap, q, e);
}

bool nn_plan_makes_link(const struct nn_plan *p, const char *ns, const char *ifname)
{
	return plan_makes_link(p, ns, ifname);
}

bool nn_plan_deletes_ns(const struct nn_plan *p, const char *ns)
{
	return plan_deletes_ns(p, ns);
}

bool nn_plan_makes_ns(const struct nn_plan *p, const char *ns)
{
	return nn_hash_find(&p->made_ns, ns, NULL);
}

size_t nn_plan_tc_len(const struct nn_plan *p)
{
	return p->n_tcs;
}

const struct nn_step_tc *nn_plan_tc(const struct nn_plan *p, size_t i)
{
	return p->tcs[i];
}
