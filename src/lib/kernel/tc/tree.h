/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_TC_TREE_H
#define NETNSCTL_TC_TREE_H

/* Internal to src/lib/kernel/tc: a rule's selector as u32 nodes, handles. */

#include <stdint.h>
#include <linux/pkt_sched.h>

#include "netnsctl/tc.h"

/* At most this many u32 nodes for one rule: NN_TC_MAX_TO * NN_TC_MAX_PORTS
 * * 3 protocols. */
#define NN_TC_MAX_SELS (NN_TC_MAX_TO * NN_TC_MAX_PORTS * 3)

/* The u32 nodes of M (normalized), in the order they are added; returns
 * how many. */
unsigned int nn_tc_match_sels(const struct nn_tc_match *m, struct nn_u32_sel *out);
/* The selector whose nodes are SELS, or -ENOTSUP when they are not the
 * nodes of any one selector (E says why). */
int nn_tc_match_from_sels(const struct nn_u32_sel *sels, unsigned int n, struct nn_tc_match *m,
			  struct nn_error *e);
/* Normalize one selector (see nn_tc_tree_normalize). */
void nn_tc_match_normalize(struct nn_tc_match *m);
void nn_tc_leaf_normalize(struct nn_tc_leaf *l);

/* Messages as a dump gives them, one after another. */
struct nn_tc_msgs {
	const void *buf;
	size_t len;
};

/* The root qdisc of IFINDEX in QDISCS: 1 with its HANDLE and whether it is
 * htb, 0 when the root is the kernel's default. */
int nn_tc_decode_root(int ifindex, const struct nn_tc_msgs *qdiscs, uint32_t *handle, bool *htb,
		      struct nn_error *e);
/* The tree of IFINDEX from the dumps of its qdiscs and (an htb root's)
 * classes and filters: as nn_tc_tree_get.  Pure; every length checked. */
int nn_tc_tree_decode(struct nn_tc_tree *t, int ifindex, const struct nn_tc_msgs *qdiscs,
		      const struct nn_tc_msgs *classes, const struct nn_tc_msgs *filters,
		      struct nn_error *e);

/* The handles of the leaf of class minor MINOR (0: the root's leaf) under a
 * root of major HANDLE. */
static inline uint32_t nn_tc_leaf_handle(uint32_t handle, unsigned int minor)
{
	return minor ? (uint32_t)(NN_TC_LEAF_BASE + minor) << 16 : TC_H_MAJ(handle);
}

static inline uint32_t nn_tc_child_handle(unsigned int minor)
{
	return (uint32_t)(NN_TC_CHILD_BASE + minor) << 16;
}

#endif
