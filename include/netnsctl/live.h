/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_LIVE_H
#define NETNSCTL_LIVE_H

/*
 * Namespaces as the kernel has them now, read for a picture (graph) or a
 * listing (list): one dump per namespace and kind, and the link a veth's
 * peer (or a macvlan's parent) is, across namespaces.  Ifindexes repeat
 * across namespaces, so a peer in another namespace is found by the id its
 * namespace has as seen from the link's (IFLA_LINK_NETNSID, RTM_GETNSID),
 * never by ifindex alone.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/error.h"
#include "netnsctl/link.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/route.h"

struct nn_ctx;

struct nn_live_nsid {
	size_t space;
	int32_t nsid;
};

/*
 * One namespace as read.  Its handle is not kept: a handle holds a
 * namespace fd and netlink sockets, and hundreds of namespaces would run
 * into the file limit.  Handles are taken again for the few nsid requests.
 */
struct nn_live_ns {
	const char *name;		/* "" for the host; the caller's string */
	bool live;			/* false: deleted since the listing */
	struct nn_link_info *links;	/* sorted by ifindex */
	size_t n_links;
	bool *marked;			/* one per link, false: for the caller */
	struct nn_addr_info *addrs;
	size_t n_addrs;
	struct nn_qdisc_info *roots;	/* root qdiscs, by ifindex */
	size_t n_roots;
	struct nn_route_info *routes;	/* with ROUTES only */
	size_t n_routes;
	struct nn_live_nsid *ids;	/* what this namespace calls the others */
	size_t n_ids, cap_ids;
};

/* Read SP->name (links, addresses, root qdiscs, and its routes with
 * ROUTES): 1 and SP->live when read, 0 when the namespace went away. */
int nn_live_read(struct nn_ctx *ctx, struct nn_live_ns *sp, bool routes, struct nn_error *e);
void nn_live_free(struct nn_live_ns *sp);

/* The link of SP with IFINDEX, or NULL. */
const struct nn_link_info *nn_live_link(const struct nn_live_ns *sp, int ifindex);

/* Let go of SP's handle (taken again when needed). */
void nn_live_release(struct nn_ctx *ctx, const struct nn_live_ns *sp);

/*
 * The link that link L of SPACES[I] points at (a veth's peer, a macvlan's
 * parent): in I itself when the kernel gave no namespace id, else in the
 * space whose id, as I sees it, is L's.  Only spaces that have that ifindex
 * are asked, in order.  0 with *OUT NULL: not in any space read here (a
 * namespace without a name, or gone).
 */
int nn_live_peer(struct nn_ctx *ctx, struct nn_live_ns *spaces, size_t n, size_t i,
		 const struct nn_link_info *l, size_t *j, const struct nn_link_info **out,
		 struct nn_error *e);

#endif
