// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Observe: read what the plan of a lab needs into a snapshot (snapshot.h),
 * one dump per namespace and kind, only the kinds the lab touches, and the
 * facts that take I/O to find (a veth's peer's namespace, namespace ids,
 * dead mount points).  Then nn_plan_make(): observe, plan (pure), and ask
 * the kernel for what the steps will need of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "netnsctl/ctx.h"
#include "netnsctl/ifb.h"
#include "netnsctl/journal.h"
#include "netnsctl/netns.h"
#include "netnsctl/owner.h"
#include "netnsctl/timed.h"
#include "util/cleanup.h"
#include "kernel/nl.h"
#include "engine/plan.h"

struct observer {
	struct nn_ctx *ctx;
	const struct nn_lab *lab;
	struct nn_snapshot *snap;
	struct nn_hash pruned;		/* namespaces the prune deletes: nothing in
					 * them needs reading */
	struct nn_hash held;		/* name -> fd of a namespace whose cookie was
					 * read without a handle: kept as the
					 * handle of one the prune deletes */
	int self;			/* this thread's namespace, to come back
					 * to from each cookie read (-1: not
					 * opened yet) */
};

static int nomem(struct nn_error *e)
{
	return nn_error_set(e, ENOMEM, "cannot observe");
}

/*
 * Namespace NAME with at least WANT (NN_SNAP_*) read, when it exists.
 * Existence and the cookie are read once, on first sight.
 */
/*
 * Namespace NAME, seen for the first time: whether it is one and its cookie,
 * read through its handle, kept for the dumps that follow (HANDLE), or
 * read and let go (a journal may name thousands); when it is none, with
 * DEAD, whether only a dead mount point is left.
 */
static int first_sight(struct observer *o, const char *name, bool handle, bool dead,
		       struct nn_snap_ns **out, struct nn_error *e)
{
	struct nn_snap_ns *sn = nn_snap_add_ns(o->snap, name);
	struct nn_ns *ns;
	bool cached;
	int r, fd = -1;

	if (!(*out = sn))
		return nomem(e);
	/* A handle held already (or the host's) gives the cookie; else one
	 * open serves the look, the cookie, and the handle or the hold. */
	cached = !*name || nn_ctx_ns_cached(o->ctx, name, &ns);
	r = !*name ? 1 : cached ? nn_netns_exists(o->ctx, name, e) : nn_netns_open(o->ctx, name, &fd, e);
	if (r < 0)
		return r;
	sn->exists = r == 1;
	if (sn->exists && cached)
		return nn_ctx_ns(o->ctx, name, &ns, e) < 0 || nn_ns_cookie(ns, &sn->cookie, e) < 0 ?
			       -e->code : 0;
	if (sn->exists && handle)
		return nn_ctx_ns_adopt(o->ctx, name, fd, NULL, NULL, &ns, e) < 0 ||
				       nn_ns_cookie(ns, &sn->cookie, e) < 0 ?
			       -e->code : 0;
	if (sn->exists) {
		/* Its descriptor held: the delete checks its cookie by it
		 * (nn_netns_same()), not by entering it again. */
		if (o->self < 0 && (o->self = open("/proc/thread-self/ns/net",
						   O_RDONLY | O_CLOEXEC)) < 0)
			r = nn_error_set(e, errno, "cannot open the current network namespace");
		else if (nn_netns_fd_cookie(fd, o->self, name, &sn->cookie, e) < 0)
			r = -e->code;
		else if (nn_hash_put(&o->held, name, (void *)(intptr_t)fd) < 0)
			r = nomem(e);
		if (r < 0)
			close(fd);
		return r < 0 ? r : 0;
	}
	if (dead && (r = nn_netns_dead(o->ctx, name, e)) < 0)
		return r;
	sn->dead = dead && r == 1;
	return 0;
}

static int look(struct observer *o, const char *name, unsigned want, struct nn_snap_ns **out,
		struct nn_error *e)
{
	struct nn_snap_ns *sn = (struct nn_snap_ns *)nn_snap_ns(o->snap, name);
	struct nn_ns *ns;
	int r;

	if (!sn && (r = first_sight(o, name, true, false, &sn, e)) < 0)
		return r;
	if (out)
		*out = sn;
	want &= ~sn->have;
	if (!sn->exists || !want)
		return 0;
	if (nn_ctx_ns(o->ctx, name, &ns, e) < 0)
		return -e->code;
	if (want & NN_SNAP_LINKS)
		nn_snap_drop_links(sn);
	/* Each kind one dump, its entries added to the snapshot. */
#define DUMP(bit, type, list, add)                                                   \
	if (want & (bit)) {                                                          \
		type *v = NULL;                                                      \
		size_t n = 0;                                                        \
                                                                                     \
		r = list(ns, &v, &n, e) < 0 ? -e->code : 0;                          \
		for (size_t i = 0; !r && i < n; i++)                                 \
			r = add(sn, &v[i]) < 0 ? nomem(e) : 0;                       \
		free(v);                                                             \
		if (r)                                                               \
			return r;                                                    \
	}
	DUMP(NN_SNAP_LINKS, struct nn_link_info, nn_link_list, nn_snap_add_link)
	DUMP(NN_SNAP_ADDRS, struct nn_addr_info, nn_addr_list, nn_snap_add_addr)
	DUMP(NN_SNAP_ROUTES, struct nn_route_info, nn_route_list, nn_snap_add_route)
	/* The roots of every link: one dump per namespace, not one per link. */
	DUMP(NN_SNAP_ROOTS, struct nn_qdisc_info, nn_qdisc_roots, nn_snap_add_root)
#undef DUMP
	if ((want & NN_SNAP_FWD) && nn_forwarding_get(ns, &sn->fwd, e) < 0)
		return -e->code;
	sn->have |= want;
	return 0;
}

/* A namespace a record names: existence and cookie, read without keeping
 * a handle open, or, when it is not a namespace, whether only a dead mount
 * point is left. */
static int look_record_ns(struct observer *o, const char *name, struct nn_snap_ns **out,
			  struct nn_error *e)
{
	if ((*out = (struct nn_snap_ns *)nn_snap_ns(o->snap, name)))
		return 0;
	return first_sight(o, name, false, true, out, e);
}

static int look_nats(struct observer *o, struct nn_error *e)
{
	struct nn_nat_rule *v = NULL;
	struct nn_ns *host;
	size_t n = 0;
	int r = 0;

	if (o->snap->have_nats)
		return 0;
	if (nn_ctx_ns(o->ctx, "", &host, e) < 0 || nn_nat_rule_list(host, &v, &n, e) < 0)
		return -e->code;
	for (size_t i = 0; !r && i < n; i++)
		r = nn_snap_add_nat(o->snap, &v[i]) < 0 ? nomem(e) : 0;
	free(v);
	o->snap->have_nats = true;
	return r;
}

/* The id B has as seen from A (both exist). */
static int look_nsid(struct observer *o, const char *a, const char *b, struct nn_error *e)
{
	struct nn_ns *na, *nb;
	int32_t id;

	if (nn_snap_nsid(o->snap, a, b, &id))
		return 0;
	if (nn_ctx_ns(o->ctx, a, &na, e) < 0 || nn_ctx_ns(o->ctx, b, &nb, e) < 0 ||
	    nn_ns_peer_nsid(na, nb, &id, e) < 0)
		return -e->code;
	return nn_snap_set_nsid(o->snap, a, b, id) < 0 ? nomem(e) : 0;
}

/*
 * Where the peer of veth L in A lives, when L stands where a pair is wanted
 * and is not that pair: the lab's own namespaces and the host first (the
 * usual answers), then every namespace of the run dir.  Not found: a
 * namespace without a name.
 */
static int look_home(struct observer *o, const struct nn_snap_ns *a, const struct nn_link_info *l,
		     struct nn_error *e)
{
	const struct nn_lab *lab = o->lab;
	char **names = NULL;
	const char *home;
	struct nn_ns *na, *nc;
	size_t n = 0;
	int32_t id;
	int ret = 0;

	if (!l->peer_nsid_set || nn_snap_home(o->snap, a->name, l->name, &home))
		return 0;
	if (nn_ctx_ns(o->ctx, a->name, &na, e) < 0)
		return -e->code;
	for (size_t i = 0; i <= lab->n_ns; i++) {
		const char *c = i < lab->n_ns ? lab->ns[i] : "";
		int r = *c ? nn_netns_exists(o->ctx, c, e) : 1;

		if (r < 0)
			return r;
		if (!r || !strcmp(c, a->name))
			continue;
		if (nn_ctx_ns(o->ctx, c, &nc, e) < 0 || nn_ns_peer_nsid(na, nc, &id, e) < 0)
			return -e->code;
		if (id >= 0 && id == l->peer_nsid)
			return nn_snap_set_home(o->snap, a->name, l->name, c) < 0 ? nomem(e) : 0;
	}
	if (nn_netns_list(o->ctx, &names, &n, e) < 0)
		return -e->code;
	home = NULL;
	for (size_t i = 0; i < n && !home; i++) {
		if (!strcmp(names[i], a->name))
			continue;
		if (nn_ctx_ns(o->ctx, names[i], &nc, e) < 0 || nn_ns_peer_nsid(na, nc, &id, e) < 0) {
			/* Deleted since it was listed: not where the peer is. */
			if (e->code == ENOENT) {
				nn_error_clear(e);
				continue;
			}
			ret = -e->code;
			break;
		}
		if (id >= 0 && id == l->peer_nsid)
			home = names[i];
	}
	if (ret == 0 && nn_snap_set_home(o->snap, a->name, l->name, home) < 0)
		ret = nomem(e);
	nn_netns_list_free(names, n);
	return ret;
}

/* Both ends of pair V, their namespace ids when they may be one pair, and
 * where the peers of ends that are not the pair live. */
static int look_veth(struct observer *o, const struct lab_veth *v, struct nn_error *e)
{
	const struct nn_link_info *la = NULL, *lb = NULL;
	struct nn_snap_ns *a, *b;
	int32_t id_ab = -1, id_ba = -1;
	bool paired = false;

	if (look(o, v->ns[0], NN_SNAP_LINKS | (v->has_addr[0] ? NN_SNAP_ADDRS : 0), &a, e) < 0 ||
	    look(o, v->ns[1], NN_SNAP_LINKS | (v->has_addr[1] ? NN_SNAP_ADDRS : 0), &b, e) < 0)
		return -e->code;
	if (a->exists)
		la = nn_snap_link(a, v->ifname[0]);
	if (b->exists)
		lb = nn_snap_link(b, v->ifname[1]);
	if (la && lb && nn_veth_may_pair(la, lb)) {
		if (a == b) {
			paired = !la->peer_nsid_set && !lb->peer_nsid_set;
		} else if (la->peer_nsid_set && lb->peer_nsid_set) {
			/* One id proves the pair (plan.c, is_pair()): asked where
			 * the kernel finds it sooner, not in the host, whose
			 * table holds an id for every namespace with a veth
			 * into it and is searched end to end. */
			if (*b->name) {
				if (look_nsid(o, b->name, a->name, e) < 0)
					return -e->code;
				nn_snap_nsid(o->snap, b->name, a->name, &id_ba);
				paired = id_ba >= 0 && id_ba == lb->peer_nsid;
			} else {
				if (look_nsid(o, a->name, b->name, e) < 0)
					return -e->code;
				nn_snap_nsid(o->snap, a->name, b->name, &id_ab);
				paired = id_ab >= 0 && id_ab == la->peer_nsid;
			}
		}
	}
	if (paired)
		return 0;
	if ((la && !strcmp(la->kind, "veth") && look_home(o, a, la, e) < 0) ||
	    (lb && !strcmp(lb->kind, "veth") && look_home(o, b, lb, e) < 0))
		return -e->code;
	return 0;
}

/* Is J a record the prune of the lab removes? */
static bool prunes(const struct nn_lab *lab, const struct nn_journal_entry *j)
{
	return lab->prune && (lab->every_owner || !strcmp(j->owner, lab->owner));
}

/* The ids of the namespaces the prune deletes as seen from A, those not
 * read yet, all asked in a few sends; the handles opened for it let go. */
static int look_nsids(struct observer *o, const char *a, struct nn_error *e)
{
	size_t n = nn_hash_len(&o->pruned), k = 0, it = 0;
	struct nn_ns **nss = calloc(n ? n : 1, sizeof(*nss)), *na;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	int32_t *ids = calloc(n ? n : 1, sizeof(*ids)), id;
	bool *opened = calloc(n ? n : 1, sizeof(*opened));
	const char *d;
	int ret = 0;

	if (!nss || !names || !ids || !opened)
		ret = nomem(e);
	else if (nn_ctx_ns(o->ctx, a, &na, e) < 0)
		ret = -e->code;
	while (ret == 0 && nn_hash_next(&o->pruned, &it, &d, NULL)) {
		if (nn_snap_nsid(o->snap, a, d, &id))
			continue;
		opened[k] = !nn_ctx_ns_cached(o->ctx, d, &nss[k]);
		if (opened[k] && nn_ctx_ns(o->ctx, d, &nss[k], e) < 0) {
			ret = -e->code;
			break;
		}
		names[k++] = d;
	}
	if (ret == 0 && nn_ns_peer_nsids(na, nss, k, ids, e) < 0)
		ret = -e->code;
	for (size_t i = 0; ret == 0 && i < k; i++)
		if (nn_snap_set_nsid(o->snap, a, names[i], ids[i]) < 0)
			ret = nomem(e);
	for (size_t i = 0; i < k; i++)
		if (opened[i])
			nn_ctx_ns_forget(o->ctx, names[i]);
	free(nss);
	free(names);
	free(ids);
	free(opened);
	return ret;
}

/*
 * What the prune needs: the namespace of each record the lab's owner (or
 * every owner) made, and what the kind of the record asks for in it.
 * Nothing is read in a namespace the prune deletes (its objects go with it).
 */
/*
 * The ids the namespaces the prune deletes have in a namespace that stays
 * and holds veth ends the prune would delete: an end whose peer is in a
 * namespace that goes, goes with it (in the kernel's batch of that
 * namespace's teardown; a delete of its own costs the kernel a
 * synchronize_net each).  The handles of the namespaces that go are let go.
 */
static int look_gone_peers(struct observer *o, struct nn_error *e)
{
	const struct nn_snapshot *snap = o->snap;
	struct nn_hash stays = NN_HASH_INIT;
	int ret = 0;

	if (!nn_hash_len(&o->pruned))
		return 0;
	for (size_t i = 0; i < snap->n_journal && ret == 0; i++) {
		const struct nn_journal_entry *j = &snap->journal[i];
		const struct nn_snap_ns *sn = nn_snap_ns(snap, j->ns);
		const struct nn_link_info *l;

		if (j->kind != NN_OBJ_LINK || !prunes(o->lab, j) || !sn || !(sn->have & NN_SNAP_LINKS) ||
		    !(l = nn_snap_link(sn, j->name)) || strcmp(l->kind, "veth") || !l->peer_nsid_set ||
		    nn_hash_find(&stays, j->ns, NULL))
			continue;
		if (nn_hash_put(&stays, j->ns, NULL) < 0) {
			ret = nomem(e);
			break;
		}
		ret = look_nsids(o, j->ns, e);
	}
	nn_hash_free(&stays);
	return ret;
}

/* What the ingress of link IFNAME in NS has, read once (nothing when the
 * link is not there). */
static int look_ingress(struct observer *o, const char *nsname, const char *ifname, struct nn_error *e)
{
	const struct nn_link_info *l;
	const struct nn_snap_tc *st;
	struct nn_tc_ingress in;
	struct nn_snap_ns *sn;
	struct nn_ns *ns;

	if (look(o, nsname, NN_SNAP_LINKS, &sn, e) < 0)
		return -e->code;
	if (!sn->exists || !(l = nn_snap_link(sn, ifname)) ||
	    ((st = nn_snap_tc(sn, l->ifindex)) && st->has_ingress))
		return 0;
	if (nn_ctx_ns(o->ctx, nsname, &ns, e) < 0 || nn_tc_ingress_get(ns, l->ifindex, &in, e) < 0)
		return -e->code;
	return nn_snap_add_tc(sn, l->ifindex, NULL, &in) < 0 ? nomem(e) : 0;
}

static int look_prune(struct observer *o, struct nn_error *e)
{
	const struct nn_snapshot *snap = o->snap;
	const struct nn_lab *lab = o->lab;
	struct nn_snap_ns *sn;

	for (size_t i = 0; i < snap->n_journal; i++) {
		const struct nn_journal_entry *j = &snap->journal[i];

		if (j->kind != NN_OBJ_NETNS || !prunes(lab, j) || nn_lab_has_ns(lab, j->name))
			continue;
		if (look_record_ns(o, j->name, &sn, e) < 0)
			return -e->code;
		if (sn->exists && nn_owner_netns(j, sn->cookie)) {
			struct nn_ns *ns;
			void *fd;

			if (nn_hash_put(&o->pruned, j->name, NULL) < 0)
				return nomem(e);
			if (nn_hash_del(&o->held, j->name, &fd) &&
			    nn_ctx_ns_adopt(o->ctx, j->name, (int)(intptr_t)fd, NULL, &sn->cookie, &ns,
					    e) < 0)
				return -e->code;
		}
	}
	for (size_t i = 0; i < snap->n_journal; i++) {
		const struct nn_journal_entry *j = &snap->journal[i];
		static const unsigned needs[] = {
			[NN_OBJ_LINK] = NN_SNAP_LINKS,
			[NN_OBJ_QDISC] = NN_SNAP_LINKS | NN_SNAP_ROOTS,
			[NN_OBJ_ROUTE] = NN_SNAP_ROUTES,
		};
		unsigned want;

		if (j->kind == NN_OBJ_NETNS || !prunes(lab, j) || nn_hash_find(&o->pruned, j->ns, NULL))
			continue;
		if (j->kind == NN_OBJ_NAT) {
			if (look_nats(o, e) < 0)
				return -e->code;
			continue;
		}
		if (look_record_ns(o, j->ns, &sn, e) < 0)
			return -e->code;
		if (!sn->exists || !nn_owner_in_ns(j, sn->cookie))
			continue;
		want = j->kind < NN_ARRAY_SIZE(needs) ? needs[j->kind] : 0;
		/* cleanup leaves forwarding that is as it was alone */
		if (j->kind == NN_OBJ_SYSCTL && lab->every_owner)
			want = NN_SNAP_FWD;
		if (want && look(o, j->ns, want, NULL, e) < 0)
			return -e->code;
		/* An ingress redirect or clsact: what its link's ingress has. */
		if ((j->kind == NN_OBJ_FILTER || j->kind == NN_OBJ_CLSACT) && look_ingress(o, j->ns, j->name, e) < 0)
			return -e->code;
	}
	return look_gone_peers(o, e);
}

static int look_del_veth(struct observer *o, const struct lab_del_veth *v, struct nn_error *e)
{
	struct nn_snap_ns *a, *b;

	if (look(o, v->ns_a, NN_SNAP_LINKS, &a, e) < 0 || look(o, v->ns_b, NN_SNAP_LINKS, &b, e) < 0)
		return -e->code;
	if (a->exists && b->exists && a != b && nn_snap_link(a, v->if_a))
		return look_nsid(o, v->ns_a, v->ns_b, e);
	return 0;
}

static int look_journal(struct observer *o, struct nn_error *e)
{
	struct nn_journal_entry *v = NULL;
	size_t n = 0;

	if (nn_journal_owned(o->ctx, &v, &n, e) < 0)
		return -e->code;
	return nn_snap_take_journal(o->snap, v, n) < 0 ? nomem(e) : 0;
}

/* The number in FILE (one line), or -1 when there is none. */
static int read_number(const char *file)
{
	char buf[32];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoi(buf);
}

/* The nsfs inode of the initial network namespace on newer kernels
 * (PROC_NET_INIT_INO: 6.18 here; 6.1 gives it the first dynamic one). */
#define NET_INIT_INO 0xEFFFFFF9u

/* Is this process in the initial network namespace?  Its nsfs inode says
 * so on newer kernels; else kthreadd's namespace (PID 2, when this process
 * sees the initial PID namespace) is the initial one. */
static bool in_init_net(void)
{
	struct stat self, kthreadd;
	char comm[32] = "";
	int fd;

	if (stat("/proc/self/ns/net", &self) < 0)
		return false;
	if (self.st_ino == NET_INIT_INO)
		return true;
	if ((fd = open("/proc/2/comm", O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if (read(fd, comm, sizeof(comm) - 1) < 0)
		comm[0] = 0;
	close(fd);
	return !strcmp(comm, "kthreadd\n") && stat("/proc/2/ns/net", &kthreadd) == 0 &&
	       kthreadd.st_ino == self.st_ino && kthreadd.st_dev == self.st_dev;
}

/*
 * The forwarding a namespace made now starts with (devinet_init_net()):
 * net.core.devconf_inherit_init_net of the namespace that makes it, this
 * one, says whose IPv4 settings it copies: 2 the kernel's defaults (off),
 * 3 this namespace's, 0 and 1 (and kernels without the setting) the
 * initial namespace's, which are this one's when this is it.  Anywhere
 * else they cannot be read: taken as off.
 */
static int look_fresh_fwd(struct observer *o, struct nn_error *e)
{
	int mode = read_number("/proc/sys/net/core/devconf_inherit_init_net");
	struct nn_snap_ns *host;

	if (mode == 2 || (mode != 3 && !in_init_net()))
		return 0;
	if (look(o, "", NN_SNAP_FWD, &host, e) < 0)
		return -e->code;
	o->snap->fresh_fwd = host->fwd;
	return 0;
}

/*
 * A tc tree's link (lab.h: nn_lab_add_tc_*): its links and roots, then,
 * for this link alone, the tree on its root (egress), or the tree on its
 * ifb and what its ingress has (ingress).  Nothing when the link is not
 * there (yet).
 */
static int look_tc(struct observer *o, const struct lab_tc *t, struct nn_error *e)
{
	const struct nn_link_info *l, *fb;
	struct nn_snap_ns *sn;
	struct nn_tc_tree *tree;
	struct nn_tc_ingress in;
	char ifb[IFNAMSIZ];
	struct nn_ns *ns;
	int ret;

	if ((ret = look(o, t->ns, NN_SNAP_LINKS | NN_SNAP_ROOTS, &sn, e)) < 0)
		return ret;
	if (!sn->exists || !(l = nn_snap_link(sn, t->ifname)))
		return 0;
	if (nn_ctx_ns(o->ctx, t->ns, &ns, e) < 0)
		return -e->code;
	if (!(tree = calloc(1, sizeof(*tree))))
		return nomem(e);
	if (!t->ingress) {
		ret = nn_tc_tree_get(ns, l->ifindex, tree, e);
		if (ret >= 0)
			ret = nn_snap_add_tc(sn, l->ifindex, tree, NULL) < 0 ? nomem(e) : 0;
		free(tree);
		return ret;
	}
	nn_ifb_name(t->ifname, ifb);
	ret = nn_tc_ingress_get(ns, l->ifindex, &in, e) < 0 ? -e->code : 0;
	if (ret == 0)
		ret = nn_snap_add_tc(sn, l->ifindex, NULL, &in) < 0 ? nomem(e) : 0;
	if (ret == 0 && (fb = nn_snap_link(sn, ifb)) && (ret = nn_tc_tree_get(ns, fb->ifindex, tree, e)) >= 0)
		ret = nn_snap_add_tc(sn, fb->ifindex, tree, NULL) < 0 ? nomem(e) : 0;
	free(tree);
	return ret;
}

/*
 * The link of root qdisc Q, when its namespace's links are not dumped:
 * looked up by name, brief (nn_link_find_brief(): what a root's plan reads
 * of it), where a dump would fill every attribute of every link.
 */
static int look_root_link(struct observer *o, const struct lab_qdisc *q, struct nn_error *e)
{
	struct nn_snap_ns *sn;
	struct nn_link_info l;
	struct nn_ns *ns;
	int r;

	if ((r = look(o, q->ns, NN_SNAP_ROOTS, &sn, e)) < 0)
		return r;
	if (!sn->exists || (sn->have & NN_SNAP_LINKS) || nn_snap_link(sn, q->ifname))
		return 0;
	if (nn_ctx_ns(o->ctx, q->ns, &ns, e) < 0)
		return -e->code;
	if ((r = nn_link_find_brief(ns, q->ifname, &l, e)) <= 0)
		return r;
	return nn_snap_add_link(sn, &l) < 0 ? nomem(e) : 0;
}

/* A re-apply that changes only root qdiscs: their links and roots, and the
 * journal (whose roots and links are netnsctl's). */
static int observe_qdiscs(struct observer *o, struct nn_error *e)
{
	const struct nn_lab *lab = o->lab;
	int ret;

	o->snap->only_qdiscs = true;
	for (size_t i = 0; i < lab->n_qdiscs; i++)
		if ((ret = look_root_link(o, &lab->qdiscs[i], e)) < 0)
			return ret;
	for (size_t i = 0; i < lab->n_tcs; i++)
		if ((ret = look_tc(o, &lab->tcs[i], e)) < 0)
			return ret;
	return 0;
}

/*
 * Changes to what exists (link states, partitions, heals): the links of
 * the namespace of each link, whether each namespace of a partition is
 * one, and the deadline journal, which holds the changes netnsctl made.
 * Nothing else: a timeline's event is planned from these alone.
 */
static int look_changes(struct observer *o, struct nn_error *e)
{
	const struct nn_lab *lab = o->lab;
	struct nn_timed *v = NULL;
	struct nn_snap_ns *sn;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < lab->n_link_states; i++)
		if ((r = look(o, lab->link_states[i].ns, NN_SNAP_LINKS, NULL, e)) < 0)
			return r;
	for (size_t i = 0; i < lab->n_partitions; i++)
		for (size_t k = 0; k < lab->partitions[i].na + lab->partitions[i].nb; k++)
			if ((r = look_record_ns(o, lab->partitions[i].names[k], &sn, e)) < 0)
				return r;
	if (!lab->n_link_states && !lab->n_partitions && !lab->n_heals)
		return 0;
	if (nn_timed_load(o->ctx, &v, &n, NULL, e) < 0)
		return -e->code;
	o->snap->have_timed = true;
	for (size_t i = 0; !r && i < n; i++)
		r = nn_snap_add_timed(o->snap, &v[i]) < 0 ? nomem(e) : 0;
	free(v);
	return r;
}

static int observe_all(struct observer *o, bool narrow, struct nn_error *e)
{
	const struct nn_lab *lab = o->lab;
	bool fresh = false;
	int ret;

	if ((ret = look_journal(o, e)) < 0 || (ret = look(o, "", 0, NULL, e)) < 0 ||
	    (ret = look_changes(o, e)) < 0)
		return ret;
	if (narrow)
		return observe_qdiscs(o, e);
	for (size_t i = 0; i < lab->n_ns; i++) {
		char what[NSNAME_MAX + 32];

		snprintf(what, sizeof(what), "look at namespace %s", lab->ns[i]);
		nn_ctx_progress(o->ctx, what, i, lab->n_ns);
		if ((ret = look(o, lab->ns[i], NN_SNAP_LINKS, NULL, e)) < 0)
			return ret;
	}
	nn_ctx_progress(o->ctx, "", lab->n_ns, lab->n_ns);
	for (size_t i = 0; i < lab->n_del_ns; i++) {
		struct nn_snap_ns *sn;

		if ((ret = look_record_ns(o, lab->del_ns[i], &sn, e)) < 0)
			return ret;
	}
	for (size_t i = 0; i < lab->n_del_veths; i++)
		if ((ret = look_del_veth(o, &lab->del_veths[i], e)) < 0)
			return ret;
	if (lab->prune && (ret = look_prune(o, e)) < 0)
		return ret;
	for (size_t i = 0; i < lab->n_bridges; i++)
		if ((ret = look(o, lab->bridges[i].ns,
				NN_SNAP_LINKS | (lab->bridges[i].has_addr ? NN_SNAP_ADDRS : 0), NULL, e)) < 0)
			return ret;
	for (size_t i = 0; i < lab->n_veths; i++)
		if ((ret = look_veth(o, &lab->veths[i], e)) < 0)
			return ret;
	for (size_t i = 0; i < lab->n_macvlans; i++)
		if ((ret = look(o, lab->macvlans[i].ns, NN_SNAP_LINKS, NULL, e)) < 0 ||
		    (ret = look(o, lab->macvlans[i].parent_ns, NN_SNAP_LINKS, NULL, e)) < 0)
			return ret;
	for (size_t i = 0; i < lab->n_fwds; i++) {
		struct nn_snap_ns *sn;

		if ((ret = look(o, lab->fwds[i].ns, NN_SNAP_FWD, &sn, e)) < 0 ||
		    (!sn->exists && !fresh && (ret = look_fresh_fwd(o, e)) < 0))
			return ret;
		fresh |= !sn->exists;
	}
	for (size_t i = 0; i < lab->n_routes; i++)
		if ((ret = look(o, lab->routes[i].ns, NN_SNAP_LINKS | NN_SNAP_ROUTES, NULL, e)) < 0)
			return ret;
	for (size_t i = 0; i < lab->n_qdiscs; i++)
		if ((ret = look(o, lab->qdiscs[i].ns, NN_SNAP_LINKS | NN_SNAP_ROOTS, NULL, e)) < 0)
			return ret;
	for (size_t i = 0; i < lab->n_tcs; i++)
		if ((ret = look_tc(o, &lab->tcs[i], e)) < 0)
			return ret;
	if (lab->n_nats && (ret = look_nats(o, e)) < 0)
		return ret;
	if (lab->run && (ret = lab->run->observe(o->ctx, lab, o->snap, e)) < 0)
		return ret;
	return 0;
}

static int observe(struct nn_ctx *ctx, const struct nn_lab *lab, bool narrow,
		   struct nn_snapshot **out, struct nn_error *e)
{
	struct observer o = { .ctx = ctx, .lab = lab, .snap = nn_snapshot_new(), .self = -1 };
	int ret;

	if (!o.snap)
		return nomem(e);
	ret = observe_all(&o, narrow, e);
	nn_hash_free(&o.pruned);
	{
		const char *name;
		void *fd;

		for (size_t it = 0; nn_hash_next(&o.held, &it, &name, &fd);)
			close((int)(intptr_t)fd);
		nn_hash_free(&o.held);
	}
	if (o.self >= 0)
		close(o.self);
	if (ret < 0) {
		nn_snapshot_free(o.snap);
		return ret;
	}
	*out = o.snap;
	return 0;
}

int nn_observe(struct nn_ctx *ctx, const struct nn_lab *lab, struct nn_snapshot **out,
	       struct nn_error *e)
{
	return observe(ctx, lab, lab->narrow, out, e);
}

/*
 * What the kernel must have for this plan, asked before its first step (a
 * lab with netem on a kernel without it made 7 steps, then rolled them all
 * back; --dry-run promised them).  Only the qdisc kinds the plan sets, one
 * request each, in the namespace netnsctl runs in (kinds are the kernel's,
 * not a namespace's).  Link kinds are not probed: veth, bridge and macvlan
 * are in every kernel netnsctl is tested on, and a probe that makes no link
 * has no cheap form (RTM_NEWLINK validates the kind last).
 */
static int probe_kernel(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_error *e)
{
	static const char *const kinds[3] = { "netem", "tbf", "htb" };
	bool need[3] = { false, false, false };
	struct nn_ns *host;

	for (size_t i = 0; i < p->n; i++) {
		if (p->steps[i].kind == NN_STEP_TC_TREE_SET || p->steps[i].kind == NN_STEP_TC_TREE_CHANGE) {
			const struct nn_tc_tree *t = &p->steps[i].u.tc.t->want;

			/* A tree's leaves, and htb for its rules. */
			need[2] |= t->n_rules > 0;
			for (unsigned int r = 0; r <= t->n_rules; r++) {
				const struct nn_tc_leaf *l = r < t->n_rules ? &t->rules[r].leaf : &t->dflt;

				need[0] |= l->has_netem;
				need[1] |= l->has_tbf;
			}
		}
		if (p->steps[i].kind != NN_STEP_QDISC_SET)
			continue;
		/* A root of the kind is there (a change in place: a timeline's
		 * ramp step): the kernel has it. */
		if (p->steps[i].u.qdisc.has_prev && p->steps[i].u.qdisc.prev.kind == p->steps[i].u.qdisc.want.kind)
			continue;
		need[0] |= p->steps[i].u.qdisc.want.kind == NN_QDISC_NETEM;
		need[1] |= p->steps[i].u.qdisc.want.kind == NN_QDISC_TBF;
	}
	for (int k = 0; k < 3; k++) {
		int ret;

		if (!need[k])
			continue;
		if (nn_ctx_ns(ctx, "", &host, e) < 0)
			return -e->code;
		ret = k == 2 ? nn_tc_kind_probe(host, kinds[k], e) : nn_qdisc_kind_probe(host, kinds[k], e);
		if (ret <= 0)
			return ret < 0 ? ret : -e->code;
	}
	return 0;
}

int nn_plan_make(struct nn_ctx *ctx, const struct nn_lab *lab, struct nn_plan **out,
		 struct nn_error *e)
{
	struct nn_snapshot *snap = NULL;
	int ret;

	if ((ret = nn_observe(ctx, lab, &snap, e)) < 0)
		return ret;
	ret = nn_plan_build(lab, snap, out, e);
	nn_snapshot_free(snap);
	/* A qdisc's link or namespace gone behind the lab's back: only the
	 * whole lab's plan makes it again. */
	if (ret < 0 && lab->narrow && (e->code == ENOENT || e->code == ENODEV)) {
		nn_error_clear(e);
		if ((ret = observe(ctx, lab, false, &snap, e)) < 0)
			return ret;
		ret = nn_plan_build(lab, snap, out, e);
		nn_snapshot_free(snap);
	}
	if (ret == 0 && !lab->no_probe && (ret = probe_kernel(ctx, *out, e)) < 0) {
		nn_plan_free(*out);
		*out = NULL;
	}
	return ret;
}
