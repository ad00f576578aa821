/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_ROUTE_H
#define NETNSCTL_ROUTE_H

/*
 * Routes in the main table, and the per-namespace IPv4 forwarding switch.
 * A route is (destination prefix, gateway, output link); a default route is
 * destination 0.0.0.0/0 (or ::/0).
 */

#include <stdbool.h>
#include <stddef.h>

#include "netnsctl/addr.h"
#include "netnsctl/error.h"

struct nn_ns;

/*
 * The protocol (rtm_protocol) of the routes netnsctl makes: a value no
 * routing daemon uses (iproute2's rt_protos, linux/rtnetlink.h), so that a
 * route shows whose it is, and a delete naming it removes only such a route.
 */
#define NN_RTPROT 110

struct nn_route_info {
	struct nn_prefix dst;		/* 0.0.0.0/0 for the default route */
	bool has_gw;
	struct nn_prefix gw;		/* len: 32 or 128 */
	int ifindex;			/* output link, 0 when none */
	int protocol;			/* RTPROT_*: RTPROT_KERNEL for connected routes */
	int scope;
};

/* Routes of the main table of NS (both families), one dump.  *OUT is malloc()ed. */
int nn_route_list(struct nn_ns *ns, struct nn_route_info **out, size_t *n, struct nn_error *e);

/*
 * Add (or replace: NLM_F_REPLACE) the route to DST via GW (NULL: on-link)
 * out of IFINDEX (0: let the kernel pick by GW) in NS, protocol static.
 */
int nn_route_replace(struct nn_ns *ns, const struct nn_prefix *dst, const struct nn_prefix *gw,
		     int ifindex, struct nn_error *e);
/* The same with protocol PROTO (NN_RTPROT for a route netnsctl owns). */
int nn_route_replace_proto(struct nn_ns *ns, const struct nn_prefix *dst, const struct nn_prefix *gw,
			   int ifindex, int proto, struct nn_error *e);
/* Delete the route to DST (any gateway); a route already gone is fine (0). */
int nn_route_del(struct nn_ns *ns, const struct nn_prefix *dst, struct nn_error *e);
/* The same, only a route of protocol PROTO (0: any): the kernel matches it. */
int nn_route_del_proto(struct nn_ns *ns, const struct nn_prefix *dst, int proto, struct nn_error *e);

/* net.ipv4.ip_forward of NS: read (0/1) and write. */
int nn_forwarding_get(struct nn_ns *ns, bool *on, struct nn_error *e);
int nn_forwarding_set(struct nn_ns *ns, bool on, struct nn_error *e);

#endif
