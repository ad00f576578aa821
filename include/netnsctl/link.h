/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_LINK_H
#define NETNSCTL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "netnsctl/addr.h"
#include "netnsctl/error.h"

struct nn_ns;

/* A link as one RTM_GETLINK dump reports it. */
struct nn_link_info {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[16];		/* "veth", "bridge", ... ; "" when the kernel gives none */
	bool up;		/* IFF_UP asked for (admin state) */
	bool lower_up;		/* IFF_LOWER_UP: carrier */
	int peer_ifindex;	/* IFLA_LINK: a veth's peer, 0 when none */
	bool peer_nsid_set;	/* the peer lives in another namespace ... */
	int32_t peer_nsid;	/* ... with this id as seen from here */
	int master;		/* IFLA_MASTER, 0 when none */
	unsigned int mtu;
	uint8_t mac[6];
};

/* An address as one RTM_GETADDR dump reports it. */
struct nn_addr_info {
	int ifindex;
	struct nn_prefix addr;
	int scope;		/* RT_SCOPE_*: link-local ones are the kernel's own */
};

/* All links of NS, one dump.  *OUT is malloc()ed. */
int nn_link_list(struct nn_ns *ns, struct nn_link_info **out, size_t *n, struct nn_error *e);
/* All addresses of NS (both families), one dump.  *OUT is malloc()ed. */
int nn_addr_list(struct nn_ns *ns, struct nn_addr_info **out, size_t *n, struct nn_error *e);

/* The link called NAME in NS: 1 and *OUT filled, or 0 when there is none. */
int nn_link_find(struct nn_ns *ns, const char *name, struct nn_link_info *out, struct nn_error *e);
/* Like nn_link_find, but a missing link is -ENODEV 'no interface "NAME" in namespace "X"'. */
int nn_link_get(struct nn_ns *ns, const char *name, struct nn_link_info *out, struct nn_error *e);

/*
 * A veth pair NAME_A in NS_A and NAME_B in NS_B, made in one request with the
 * peer placed straight into NS_B (IFLA_NET_NS_FD), each end with its MAC
 * (NULL: the kernel picks one) set in that request.  Both ends are down:
 * asking for the peer up in the create request fails (ENOTCONN).
 */
int nn_veth_add(struct nn_ns *ns_a, const char *name_a, const uint8_t mac_a[6],
		struct nn_ns *ns_b, const char *name_b, const uint8_t mac_b[6],
		struct nn_error *e);

int nn_link_set_up(struct nn_ns *ns, int ifindex, bool up, struct nn_error *e);
/* Delete a link; a link already gone is fine (returns 0). */
int nn_link_del(struct nn_ns *ns, int ifindex, struct nn_error *e);

/* macvlan modes, the kernel's MACVLAN_MODE_* values. */
enum nn_macvlan_mode {
	NN_MACVLAN_PRIVATE = 1,
	NN_MACVLAN_VEPA = 2,
	NN_MACVLAN_BRIDGE = 4,
	NN_MACVLAN_PASSTHRU = 8,
};

/* "bridge" -> NN_MACVLAN_BRIDGE ...; -EINVAL naming the value. */
int nn_parse_macvlan_mode(const char *s, enum nn_macvlan_mode *mode, struct nn_error *e);
const char *nn_macvlan_mode_name(enum nn_macvlan_mode mode);

/*
 * A macvlan NAME with MAC (NULL: the kernel picks) and MODE on link
 * PARENT_IFINDEX of PARENT_NS, created straight inside TARGET (IFLA_NET_NS_FD),
 * down.  Duplicate MACs are accepted here and fail only at link up.
 */
int nn_macvlan_add(struct nn_ns *parent_ns, int parent_ifindex, struct nn_ns *target,
		   const char *name, const uint8_t *mac, enum nn_macvlan_mode mode,
		   struct nn_error *e);

/* A bridge NAME in NS (down, STP off) with MAC (NULL: the kernel's choice,
 * which the first port then changes). */
int nn_bridge_add(struct nn_ns *ns, const char *name, const uint8_t mac[6], struct nn_error *e);

/* A MAC of netnsctl's own choosing: random, unicast, locally administered. */
void nn_link_random_mac(uint8_t mac[6]);

/* Make IFINDEX a port of bridge MASTER (0: no master). */
int nn_link_set_master(struct nn_ns *ns, int ifindex, int master, struct nn_error *e);

/* The id NS gives namespace OTHER (RTM_GETNSID), or -1 when it has none. */
int nn_ns_peer_nsid(struct nn_ns *ns, struct nn_ns *other, int32_t *nsid, struct nn_error *e);

#endif
