/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_ENGINE_SNAPSHOT_H
#define NETNSCTL_ENGINE_SNAPSHOT_H

/*
 * A snapshot: everything the planner knows of the system, as plain data.
 * observe.c fills one from the kernel, the journal and the lab's records
 * (only what the plan of a lab needs); unit tests build one by hand with the
 * builders below (no I/O here).  Facts that take I/O to find out (where a
 * veth's peer lives, which id a namespace gives another) are observed and
 * stored here, so that the planner is a pure function of (spec, snapshot).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/ifb.h"
#include "netnsctl/journal.h"
#include "netnsctl/link.h"
#include "netnsctl/nat.h"
#include "netnsctl/proc.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/route.h"
#include "netnsctl/timed.h"
#include "netnsctl/tc.h"
#include "util/hash.h"

/* What was read of a namespace (a fact not read is not known: the planner
 * takes it as empty only where observe promises to read it). */
enum {
	NN_SNAP_LINKS = 1u << 0,
	NN_SNAP_ADDRS = 1u << 1,
	NN_SNAP_ROUTES = 1u << 2,
	NN_SNAP_FWD = 1u << 3,
	NN_SNAP_ROOTS = 1u << 4,
};

struct nn_snap_ns {
	char *name;			/* "" the host */
	bool exists;			/* a live namespace of that name */
	bool dead;			/* !exists: only a dead mount point is left */
	uint64_t cookie;		/* exists: its cookie (SO_NETNS_COOKIE) */
	unsigned have;			/* NN_SNAP_* */
	/* Every link (NN_SNAP_LINKS), or, without it, the few a narrow
	 * re-apply's roots are on, brief (nn_link_find_brief()). */
	struct nn_link_info *links;
	size_t n_links, cap_links;
	struct nn_hash link_idx;	/* name -> index + 1 */
	struct nn_addr_info *addrs;
	size_t n_addrs, cap_addrs;
	struct nn_route_info *routes;
	size_t n_routes, cap_routes;
	bool fwd;
	struct nn_qdisc_info *roots;	/* sorted by ifindex */
	size_t n_roots, cap_roots;
	/* Read only for the links a lab's tc trees name (and their ifbs). */
	struct nn_snap_tc *tcs;
	size_t n_tcs;
};

/* The tc tree on a link's root, and (for a link, not an ifb) what its
 * ingress has. */
struct nn_snap_tc {
	int ifindex;
	struct nn_tc_tree tree;
	bool has_ingress;
	struct nn_tc_ingress in;
};

/* A command recorded as started by a lab (STATE_DIR/labs/LAB/procs). */
struct nn_snap_proc {
	struct nn_proc p;
	bool alive;
	char lab[256];
};

/* A client of a group: its name, its number and who made it. */
struct nn_snap_client {
	char name[256];
	unsigned k;
	char owner[64];
};

/* The clients of a prefix ("" all clients), and whether the lab's record
 * says it made a group of that prefix. */
struct nn_snap_group {
	char prefix[256];
	bool recorded;
	struct nn_snap_client *clients;
	size_t n_clients;
};

struct nn_snapshot {
	/* Observed for the lab's root qdiscs only (a re-apply that changes
	 * nothing else, lab.h): the planner plans those and nothing more. */
	bool only_qdiscs;
	/* IPv4 forwarding of a namespace made now: the kernel copies it from
	 * the initial namespace, or the current one, or takes its default
	 * (net.core.devconf_inherit_init_net); off when that cannot be told. */
	bool fresh_fwd;
	struct nn_snap_ns **ns;
	size_t n_ns;
	struct nn_hash ns_idx;		/* name -> struct nn_snap_ns * */
	struct nn_hash nsids;		/* "A/B" -> id B has in A, + 1 (0: none) */
	struct nn_hash homes;		/* "NS/IF" -> where that veth's peer lives */
	bool have_nats;
	struct nn_nat_rule *nats;	/* the host's netnsctl table */
	size_t n_nats;
	struct nn_journal_entry *journal;	/* what netnsctl made, all owners */
	size_t n_journal, cap_journal;
	struct nn_hash journal_idx;	/* kind, cookie, ns, name -> index + 1 */
	struct nn_snap_proc *procs;
	size_t n_procs;
	struct nn_snap_group **groups;
	size_t n_groups;
	/* The deadline journal (timed.h): the changes netnsctl holds (links
	 * taken down, partitions), read for the plans of such changes. */
	bool have_timed;
	struct nn_timed *timed;
	size_t n_timed;
};

struct nn_snapshot *nn_snapshot_new(void);
void nn_snapshot_free(struct nn_snapshot *snap);

/* Builders: 0 or -ENOMEM.  A namespace added twice is the same one. */
struct nn_snap_ns *nn_snap_add_ns(struct nn_snapshot *snap, const char *name);
int nn_snap_add_link(struct nn_snap_ns *ns, const struct nn_link_info *l);
/* Forget NS's links (brief ones, before a dump of them all). */
void nn_snap_drop_links(struct nn_snap_ns *ns);
int nn_snap_add_addr(struct nn_snap_ns *ns, const struct nn_addr_info *a);
int nn_snap_add_route(struct nn_snap_ns *ns, const struct nn_route_info *r);
int nn_snap_add_root(struct nn_snap_ns *ns, const struct nn_qdisc_info *q);
/* The tree on IFINDEX's root (TREE), or what its ingress has (IN); each
 * may be NULL.  A second call for IFINDEX adds to the first. */
int nn_snap_add_tc(struct nn_snap_ns *ns, int ifindex, const struct nn_tc_tree *tree,
		   const struct nn_tc_ingress *in);
/* The id OTHER has as seen from NS (RTM_GETNSID), -1: none. */
int nn_snap_set_nsid(struct nn_snapshot *snap, const char *ns, const char *other, int32_t id);
/* Veth IFNAME of NS has its peer in namespace HOME ("" the host; NULL: a
 * namespace without a name). */
int nn_snap_set_home(struct nn_snapshot *snap, const char *ns, const char *ifname,
		     const char *home);
int nn_snap_add_nat(struct nn_snapshot *snap, const struct nn_nat_rule *r);
/* The journal's record J (as nn_journal_owned() merges them). */
int nn_snap_add_journal(struct nn_snapshot *snap, const struct nn_journal_entry *j);
/* All N records of V (malloc()ed, as nn_journal_owned() gives them), V
 * taken over: freed with the snapshot, or here. */
int nn_snap_take_journal(struct nn_snapshot *snap, struct nn_journal_entry *v, size_t n);
int nn_snap_add_proc(struct nn_snapshot *snap, const struct nn_proc *p, bool alive,
		     const char *lab);
/* A record of the deadline journal (sets have_timed). */
int nn_snap_add_timed(struct nn_snapshot *snap, const struct nn_timed *t);
struct nn_snap_group *nn_snap_add_group(struct nn_snapshot *snap, const char *prefix);
int nn_snap_add_client(struct nn_snap_group *g, const char *name, unsigned k, const char *owner);

/* Lookups: NULL when not in the snapshot. */
const struct nn_snap_ns *nn_snap_ns(const struct nn_snapshot *snap, const char *name);
const struct nn_link_info *nn_snap_link(const struct nn_snap_ns *ns, const char *ifname);
const struct nn_link_info *nn_snap_link_by_index(const struct nn_snap_ns *ns, int ifindex);
/* The root qdisc of IFINDEX, NULL when none was reported. */
const struct nn_qdisc_info *nn_snap_root(const struct nn_snap_ns *ns, int ifindex);
/* What was read of IFINDEX's trees, NULL when nothing. */
const struct nn_snap_tc *nn_snap_tc(const struct nn_snap_ns *ns, int ifindex);
/* 1 and *ID when known (-1: OTHER has no id in NS), else 0. */
int nn_snap_nsid(const struct nn_snapshot *snap, const char *ns, const char *other, int32_t *id);
/* 1 with HOME (NULL: unnamed) when known, else 0. */
int nn_snap_home(const struct nn_snapshot *snap, const char *ns, const char *ifname,
		 const char **home);
/* The record of KIND, NS, NAME in the namespace of cookie NS_COOKIE (0 for
 * a namespace record), or NULL. */
const struct nn_journal_entry *nn_snap_journal(const struct nn_snapshot *snap,
					       enum nn_obj_kind kind, const char *ns,
					       const char *name, uint64_t ns_cookie);
const struct nn_snap_group *nn_snap_group(const struct nn_snapshot *snap, const char *prefix);

#endif
