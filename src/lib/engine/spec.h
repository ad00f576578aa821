/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_ENGINE_SPEC_H
#define NETNSCTL_ENGINE_SPEC_H

/*
 * The spec (struct nn_lab, built through lab.h and labrun.h): what should
 * exist, and what should not.  Internal: the planner and observe read it;
 * callers build it through the nn_lab_* functions.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "netnsctl/clients.h"
#include "netnsctl/lab.h"
#include "netnsctl/partition.h"
#include "netnsctl/step.h"
#include "util/hash.h"

#define NSNAME_MAX NN_STEP_NAME_MAX

struct lab_veth {
	char ns[2][NSNAME_MAX];
	char ifname[2][IFNAMSIZ];
	bool has_addr[2];
	struct nn_prefix addr[2];
	char master[IFNAMSIZ];		/* end 1 is a port of this bridge ("" none) */
};

struct lab_bridge {
	char ns[NSNAME_MAX];
	char name[IFNAMSIZ];
	bool has_addr;
	struct nn_prefix addr;
};

struct lab_macvlan {
	char ns[NSNAME_MAX], parent_ns[NSNAME_MAX];
	char ifname[IFNAMSIZ], parent[IFNAMSIZ];
	uint8_t mac[6];
	enum nn_macvlan_mode mode;
};

struct lab_route {
	char ns[NSNAME_MAX];
	char ifname[IFNAMSIZ];		/* "" for any */
	struct nn_prefix dst, gw;
	bool has_gw;
};

struct lab_fwd {
	char ns[NSNAME_MAX];
	bool on;
};

struct lab_qdisc {
	char ns[NSNAME_MAX];
	char ifname[IFNAMSIZ];
	struct nn_qdisc_info want;
	uint64_t for_ns;		/* a timed change (change.h), 0: for good */
};

/* A link's administrative state (a change to what exists: change.h). */
struct lab_link_state {
	char ns[NSNAME_MAX];
	char ifname[IFNAMSIZ];
	bool up;
	uint64_t for_ns;		/* down for this long, 0: held */
};

/* A partition of two groups of namespaces, or (DEL) its heal. */
struct lab_partition {
	char id[NN_PARTITION_ID_MAX];	/* heal of every one: "" */
	char **names;			/* A's, then B's (the lab's own copies) */
	size_t na, nb;
	uint64_t for_ns;
};

/* A veth asked to go: IF_A in NS_A, whose peer must be in NS_B. */
struct lab_del_veth {
	char ns_a[NSNAME_MAX], ns_b[NSNAME_MAX];
	char if_a[IFNAMSIZ];
};

/* A command of a lab's node (labrun.h). */
struct lab_command {
	char node[NSNAME_MAX];
	unsigned index;
	char **argv;			/* the lab's own copy */
	uint64_t argv_hash;
};

/* A client group of a lab (labrun.h). */
struct lab_group {
	struct nn_clients_spec spec;	/* prefix and parent point below */
	char prefix[NSNAME_MAX];
	char parent[IFNAMSIZ];
	char where[NSNAME_MAX + 64];	/* "FILE:LINE:COL" for messages */
};

/* One direction of a link's tc trees (lab.h: nn_lab_add_tc_*). */
struct lab_tc {
	char ns[NSNAME_MAX];
	char ifname[IFNAMSIZ];
	bool ingress;
	bool is_edit;
	struct nn_tc_edit edit;		/* is_edit */
	struct nn_tc_tree want;		/* !is_edit */
};

struct nn_run_ops;

struct nn_lab {
	char owner[64];
	bool every_owner;		/* owner "*": prune what any owner made (cleanup) */
	char (*ns)[NSNAME_MAX];
	size_t n_ns;
	struct nn_hash ns_idx;		/* name -> index + 1 */
	struct lab_veth *veths;
	size_t n_veths;
	struct lab_qdisc *qdiscs;
	size_t n_qdiscs;
	struct lab_bridge *bridges;
	size_t n_bridges;
	struct lab_macvlan *macvlans;
	size_t n_macvlans;
	struct lab_route *routes;
	size_t n_routes;
	struct lab_fwd *fwds;
	size_t n_fwds;
	struct nn_nat_rule *nats;
	size_t n_nats;
	char (*del_ns)[NSNAME_MAX];	/* namespaces asked to go */
	size_t n_del_ns;
	struct lab_del_veth *del_veths;
	size_t n_del_veths;
	bool prune;
	bool new_namespaces;
	enum nn_lab_claim claim;
	/* Differs from what was last applied in root qdiscs only: observe and
	 * plan those (labrun.c decides; status never does). */
	bool narrow;

	/* The lab run (labrun.c): a lab file's commands, client groups and
	 * records, in STATE_DIR/labs/NAME.  RUN is NULL for the labs of
	 * commands (create-veth-pair ...). */
	const struct nn_run_ops *run;
	char name[NSNAME_MAX];
	struct lab_command *cmds;
	size_t n_cmds;
	struct lab_group *groups;
	size_t n_groups;
	char group_owner[64];		/* the journal's owner of its clients */
	char (*old_groups)[NSNAME_MAX];	/* prefixes its file names (destroy FILE) */
	size_t n_old_groups;
	bool forget;			/* destroy: its records go when done */

	/* Changes to what exists (change.h: link-down, partition, a
	 * timeline's events): each observes only what it touches. */
	struct lab_link_state *link_states;
	size_t n_link_states;
	struct lab_partition *partitions, *heals;
	size_t n_partitions, n_heals;
	/* Root qdiscs are set or cleared only where the root is the kernel's
	 * default or netnsctl's (journalled): another's is refused. */
	bool own_roots;
	char *applied_path;		/* apply: what is recorded when done */
	char *applied_text;
	size_t applied_len;
	char *applied_shape;		/* its shape (shape.h), as recorded */
	size_t applied_shape_len;
	struct lab_tc *tcs;		/* tc trees (lab.h) */
	size_t n_tcs;
	bool no_probe;			/* nn_lab_set_no_probe */
};

/* NAME (not "") is one of LAB's namespaces. */
bool nn_lab_has_ns(const struct nn_lab *lab, const char *name);

#endif
