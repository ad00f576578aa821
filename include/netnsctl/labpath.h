/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_LABPATH_H
#define NETNSCTL_LABPATH_H

/*
 * Paths through a lab as its file describes it: which interfaces (and so
 * which root qdiscs) a packet from one node to an address leaves by, hop by
 * hop, following the routes the lab would install (connected subnets, the
 * nodes' routes, the uplinks' default routes) and its IPv4 forwarding
 * switches.  This is the lab's claim, not the kernel's state: verify derives
 * an expectation's bounds from it and measures the kernel against them.
 * Pure: no I/O.
 *
 * Modelled: veth links, bridges and their members (a member's egress on the
 * way into the bridge, the port's egress on the way out), uplinks to the host
 * (the host forwards when the lab has one).  Not modelled: client groups
 * (their addresses come from DHCP), IPv6 forwarding (netnsctl turns on IPv4
 * forwarding only), policy routing, NAT.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "netnsctl/addr.h"
#include "netnsctl/error.h"
#include "netnsctl/labfile.h"

#define NN_PATH_MAX_HOPS 64

/* Where a path's hops are: the host, or a node by index. */
#define NN_PATH_HOST ((ssize_t)-1)
#define NN_PATH_NOBODY ((ssize_t)-2)

struct nn_path_hop {
	const char *ns;		/* the node's name, "" for the host */
	const char *ifname;	/* the interface the packet leaves by */
	const struct nn_labfile_impair *egress;	/* its root qdisc in the file, NULL for none */
	size_t segment;		/* the link, bridge or uplink it crosses (an index) */
};

struct nn_path {
	bool reached;
	char why[192];		/* when not reached: "b does not forward (forwarding: false)" */
	bool has_src;
	struct nn_prefix src;	/* the source address the packet leaves with (len: full) */
	ssize_t dst_node;	/* who owns the destination: a node, NN_PATH_HOST or NN_PATH_NOBODY */
	size_t n_hops;
	struct nn_path_hop hops[NN_PATH_MAX_HOPS];
};

/*
 * The path from node SRC to DST (an address).  Always returns a path:
 * reached false and WHY when the lab drops the packet.  Returns 0, or
 * -ENOMEM.
 */
int nn_labpath_trace(const struct nn_labfile *lf, size_t src, const struct nn_prefix *dst,
		     struct nn_path *path, struct nn_error *e);

/*
 * The round trip of a probe from node SRC to DST: FWD as nn_labpath_trace(),
 * and REV from DST's owner back to FWD's source address (unreached when FWD
 * is, or when the replies are dropped: "replies: ...").
 */
int nn_labpath_round_trip(const struct nn_labfile *lf, size_t src, const struct nn_prefix *dst,
			  struct nn_path *fwd, struct nn_path *rev, struct nn_error *e);

/* Node NODE's addresses in the file (links, members, bridges it holds,
 * uplinks), at most MAX of them into OUT, in file order.  Returns how many
 * there are (possibly more than MAX). */
size_t nn_labpath_node_addrs(const struct nn_labfile *lf, size_t node, struct nn_prefix *out,
			     size_t max);

/* True when the two paths cross a common link, bridge or uplink. */
bool nn_labpath_share(const struct nn_path *a, const struct nn_path *b);

#endif
