// SPDX-License-Identifier: GPL-2.0-or-later
/* The snapshot the planner reads (snapshot.h): builders and lookups, no I/O. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/snapshot.h"

struct nn_snapshot *nn_snapshot_new(void)
{
	return calloc(1, sizeof(struct nn_snapshot));
}

static void ns_free(struct nn_snap_ns *ns)
{
	free(ns->name);
	free(ns->links);
	nn_hash_free(&ns->link_idx);
	free(ns->addrs);
	free(ns->routes);
	free(ns->roots);
	free(ns->tcs);
	free(ns);
}

void nn_snapshot_free(struct nn_snapshot *snap)
{
	size_t it = 0;
	void *v;

	if (!snap)
		return;
	for (size_t i = 0; i < snap->n_ns; i++)
		ns_free(snap->ns[i]);
	free(snap->ns);
	nn_hash_free(&snap->ns_idx);
	nn_hash_free(&snap->nsids);
	while (nn_hash_next(&snap->homes, &it, NULL, &v))
		free(v);
	nn_hash_free(&snap->homes);
	free(snap->nats);
	free(snap->timed);
	free(snap->journal);
	nn_hash_free(&snap->journal_idx);
	free(snap->procs);
	for (size_t i = 0; i < snap->n_groups; i++) {
		free(snap->groups[i]->clients);
		free(snap->groups[i]);
	}
	free(snap->groups);
	free(snap);
}

/* Room for one more of *N elements of SIZE in *V (capacity *CAP). */
static int reserve(void *v, size_t *cap, size_t n, size_t size)
{
	void **pv = v, *nv;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 8;
	if (!(nv = realloc(*pv, c * size)))
		return -ENOMEM;
	*pv = nv;
	*cap = c;
	return 0;
}

struct nn_snap_ns *nn_snap_add_ns(struct nn_snapshot *snap, const char *name)
{
	struct nn_snap_ns *ns = nn_hash_get(&snap->ns_idx, name), **v;

	if (ns)
		return ns;
	if (!(v = realloc(snap->ns, (snap->n_ns + 1) * sizeof(*v))))
		return NULL;
	snap->ns = v;
	if (!(ns = calloc(1, sizeof(*ns))) || !(ns->name = strdup(name)) ||
	    nn_hash_put(&snap->ns_idx, name, ns) < 0) {
		if (ns)
			free(ns->name);
		free(ns);
		return NULL;
	}
	snap->ns[snap->n_ns++] = ns;
	return ns;
}

int nn_snap_add_link(struct nn_snap_ns *ns, const struct nn_link_info *l)
{
	if (reserve(&ns->links, &ns->cap_links, ns->n_links, sizeof(*l)) < 0 ||
	    nn_hash_put(&ns->link_idx, l->name, (void *)(uintptr_t)(ns->n_links + 1)) < 0)
		return -ENOMEM;
	ns->links[ns->n_links++] = *l;
	return 0;
}

void nn_snap_drop_links(struct nn_snap_ns *ns)
{
	ns->n_links = 0;
	nn_hash_free(&ns->link_idx);
}

int nn_snap_add_addr(struct nn_snap_ns *ns, const struct nn_addr_info *a)
{
	if (reserve(&ns->addrs, &ns->cap_addrs, ns->n_addrs, sizeof(*a)) < 0)
		return -ENOMEM;
	ns->addrs[ns->n_addrs++] = *a;
	return 0;
}

int nn_snap_add_route(struct nn_snap_ns *ns, const struct nn_route_info *r)
{
	if (reserve(&ns->routes, &ns->cap_routes, ns->n_routes, sizeof(*r)) < 0)
		return -ENOMEM;
	ns->routes[ns->n_routes++] = *r;
	return 0;
}

int nn_snap_add_root(struct nn_snap_ns *ns, const struct nn_qdisc_info *q)
{
	size_t i;

	if (reserve(&ns->roots, &ns->cap_roots, ns->n_roots, sizeof(*q)) < 0)
		return -ENOMEM;
	/* Kept sorted: a dump comes sorted, so this is an append. */
	for (i = ns->n_roots; i > 0 && ns->roots[i - 1].ifindex > q->ifindex; i--)
		ns->roots[i] = ns->roots[i - 1];
	ns->roots[i] = *q;
	ns->n_roots++;
	return 0;
}

/* "A/B": neither part holds a '/' (a namespace or interface name). */
static const char *pair_key(char *buf, size_t len, const char *a, const char *b)
{
	snprintf(buf, len, "%s/%s", a, b);
	return buf;
}

int nn_snap_set_nsid(struct nn_snapshot *snap, const char *ns, const char *other, int32_t id)
{
	char key[600];

	/* Stored + 2: -1 (none) becomes 1, and 0 is "not known". */
	return nn_hash_put(&snap->nsids, pair_key(key, sizeof(key), ns, other),
			   (void *)(intptr_t)((intptr_t)id + 2));
}

int nn_snap_nsid(const struct nn_snapshot *snap, const char *ns, const char *other, int32_t *id)
{
	char key[600];
	void *v;

	if (!nn_hash_find(&snap->nsids, pair_key(key, sizeof(key), ns, other), &v))
		return 0;
	*id = (int32_t)((intptr_t)v - 2);
	return 1;
}

int nn_snap_set_home(struct nn_snapshot *snap, const char *ns, const char *ifname,
		     const char *home)
{
	char key[600], *v, *old = NULL;

	/* A leading '+' tells a named home ("" is the host) from none. */
	if (asprintf(&v, "%s%s", home ? "+" : "", home ? home : "") < 0)
		return -ENOMEM;
	pair_key(key, sizeof(key), ns, ifname);
	nn_hash_find(&snap->homes, key, (void **)&old);
	if (nn_hash_put(&snap->homes, key, v) < 0) {
		free(v);
		return -ENOMEM;
	}
	free(old);
	return 0;
}

int nn_snap_home(const struct nn_snapshot *snap, const char *ns, const char *ifname,
		 const char **home)
{
	char key[600];
	const char *v;

	if (!(v = nn_hash_get(&snap->homes, pair_key(key, sizeof(key), ns, ifname))))
		return 0;
	*home = *v == '+' ? v + 1 : NULL;
	return 1;
}

int nn_snap_add_nat(struct nn_snapshot *snap, const struct nn_nat_rule *r)
{
	struct nn_nat_rule *v = realloc(snap->nats, (snap->n_nats + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	snap->nats = v;
	snap->nats[snap->n_nats++] = *r;
	snap->have_nats = true;
	return 0;
}

int nn_snap_add_timed(struct nn_snapshot *snap, const struct nn_timed *t)
{
	struct nn_timed *v = realloc(snap->timed, (snap->n_timed + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	snap->timed = v;
	snap->timed[snap->n_timed++] = *t;
	snap->have_timed = true;
	return 0;
}

/* A record's key: a namespace by its name alone (its own records carry no
 * namespace cookie), anything else by kind, its namespace's cookie and
 * name, then its own name, which may hold any byte and so comes last. */
static const char *journal_key(char *buf, size_t len, enum nn_obj_kind kind, const char *ns,
			       const char *name, uint64_t ns_cookie)
{
	if (kind == NN_OBJ_NETNS)
		return nn_hash_key(buf, len, (unsigned)kind, 0, "", name);
	return nn_hash_key(buf, len, (unsigned)kind, ns_cookie, ns, name);
}

/* Index the record at I of the journal (the first of a key is the one
 * found, as a search in order would). */
static int index_journal(struct nn_snapshot *snap, size_t i)
{
	const struct nn_journal_entry *j = &snap->journal[i];
	char key[700];

	journal_key(key, sizeof(key), j->kind, j->ns, j->name, j->ns_cookie);
	if (!nn_hash_find(&snap->journal_idx, key, NULL) &&
	    nn_hash_put(&snap->journal_idx, key, (void *)(uintptr_t)(i + 1)) < 0)
		return -ENOMEM;
	return 0;
}

int nn_snap_add_journal(struct nn_snapshot *snap, const struct nn_journal_entry *j)
{
	if (reserve(&snap->journal, &snap->cap_journal, snap->n_journal, sizeof(*j)) < 0)
		return -ENOMEM;
	snap->journal[snap->n_journal] = *j;
	if (index_journal(snap, snap->n_journal) < 0)
		return -ENOMEM;
	snap->n_journal++;
	return 0;
}

int nn_snap_take_journal(struct nn_snapshot *snap, struct nn_journal_entry *v, size_t n)
{
	size_t had = snap->n_journal;

	if (!had) {
		/* the records stay where nn_journal_owned() read them */
		free(snap->journal);
		snap->journal = v;
		snap->n_journal = snap->cap_journal = n;
		for (size_t i = 0; i < n; i++)
			if (index_journal(snap, i) < 0)
				return -ENOMEM;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (nn_snap_add_journal(snap, &v[i]) < 0) {
			free(v);
			return -ENOMEM;
		}
	free(v);
	return 0;
}

const struct nn_journal_entry *nn_snap_journal(const struct nn_snapshot *snap,
					       enum nn_obj_kind kind, const char *ns,
					       const char *name, uint64_t ns_cookie)
{
	char key[700];
	uintptr_t i = (uintptr_t)nn_hash_get(&snap->journal_idx,
					     journal_key(key, sizeof(key), kind, ns, name, ns_cookie));

	return i ? &snap->journal[i - 1] : NULL;
}

int nn_snap_add_proc(struct nn_snapshot *snap, const struct nn_proc *p, bool alive,
		     const char *lab)
{
	struct nn_snap_proc *v = realloc(snap->procs, (snap->n_procs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	snap->procs = v;
	v = &snap->procs[snap->n_procs++];
	memset(v, 0, sizeof(*v));
	v->p = *p;
	v->alive = alive;
	snprintf(v->lab, sizeof(v->lab), "%s", lab ? lab : "");
	return 0;
}

struct nn_snap_group *nn_snap_add_group(struct nn_snapshot *snap, const char *prefix)
{
	struct nn_snap_group **v, *g = (struct nn_snap_group *)nn_snap_group(snap, prefix);

	if (g)
		return g;
	if (!(v = realloc(snap->groups, (snap->n_groups + 1) * sizeof(*v))))
		return NULL;
	snap->groups = v;
	if (!(g = calloc(1, sizeof(*g))))
		return NULL;
	snprintf(g->prefix, sizeof(g->prefix), "%s", prefix);
	snap->groups[snap->n_groups++] = g;
	return g;
}

int nn_snap_add_client(struct nn_snap_group *g, const char *name, unsigned k, const char *owner)
{
	struct nn_snap_client *v = realloc(g->clients, (g->n_clients + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	g->clients = v;
	v = &g->clients[g->n_clients++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->owner, sizeof(v->owner), "%s", owner);
	v->k = k;
	return 0;
}

const struct nn_snap_group *nn_snap_group(const struct nn_snapshot *snap, const char *prefix)
{
	/* A lab has a handful of groups. */
	for (size_t i = 0; i < snap->n_groups; i++)
		if (!strcmp(snap->groups[i]->prefix, prefix))
			return snap->groups[i];
	return NULL;
}

const struct nn_snap_ns *nn_snap_ns(const struct nn_snapshot *snap, const char *name)
{
	return nn_hash_get(&snap->ns_idx, name);
}

const struct nn_link_info *nn_snap_link(const struct nn_snap_ns *ns, const char *ifname)
{
	uintptr_t i = ns ? (uintptr_t)nn_hash_get(&ns->link_idx, ifname) : 0;

	return i ? &ns->links[i - 1] : NULL;
}

const struct nn_link_info *nn_snap_link_by_index(const struct nn_snap_ns *ns, int ifindex)
{
	for (size_t i = 0; ns && i < ns->n_links; i++)
		if (ns->links[i].ifindex == ifindex)
			return &ns->links[i];
	return NULL;
}

const struct nn_qdisc_info *nn_snap_root(const struct nn_snap_ns *ns, int ifindex)
{
	size_t lo = 0, hi = ns ? ns->n_roots : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ns->roots[mid].ifindex == ifindex)
			return &ns->roots[mid];
		if (ns->roots[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct nn_snap_tc *nn_snap_tc(const struct nn_snap_ns *ns, int ifindex)
{
	for (size_t i = 0; ns && i < ns->n_tcs; i++)
		if (ns->tcs[i].ifindex == ifindex)
			return &ns->tcs[i];
	return NULL;
}

int nn_snap_add_tc(struct nn_snap_ns *ns, int ifindex, const struct nn_tc_tree *tree,
		   const struct nn_tc_ingress *in)
{
	struct nn_snap_tc *t = (struct nn_snap_tc *)nn_snap_tc(ns, ifindex);

	if (!t) {
		/* Few: the links one lab's trees name. */
		t = realloc(ns->tcs, (ns->n_tcs + 1) * sizeof(*t));
		if (!t)
			return -ENOMEM;
		ns->tcs = t;
		t = &ns->tcs[ns->n_tcs++];
		memset(t, 0, sizeof(*t));
		t->ifindex = ifindex;
	}
	if (tree)
		t->tree = *tree;
	if (in) {
		t->in = *in;
		t->has_ingress = true;
	}
	return 0;
}
