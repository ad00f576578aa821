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
 * Like nn_link_find, but only its ifindex, name, MTU, MAC and IFF_UP
 * (kind, carrier, master and peer left 0): read by the interface ioctls,
 * which look a name up where RTM_GETLINK fills every attribute of the link
 * (a bridge port's dump is ~20 us here, these ~7).
 */
int nn_link_find_brief(struct nn_ns *ns, const char *name, struct nn_link_info *out,
		       struct nn_error *e);
/* The name of link IFINDEX in NS into NAME: 1, or 0 when there is none.
 * One ioctl, which takes no RTNL (a dump waits for it, and holds it). */
int nn_link_name_of(struct nn_ns *ns, int ifindex, char name[IFNAMSIZ], struct nn_error *e);

/*
 * One end of a veth pair for nn_veth_create().
 *   ns, name   where it is made and what it is called
 *   mac        6 bytes set in the create request (the journal's proof that
 *              the link is netnsctl's), NULL: the kernel picks one
 *   ifindex    in: the index to give it, 0: the kernel's choice; out: its
 *              index.  The kernel takes B's only together with A's
 *              (veth_newlink()); in a namespace just made, 2 is the first
 *              free one unless the kernel made fallback tunnel devices there
 *   master     A only: the bridge (an ifindex in A's namespace) to make A a
 *              port of, in the same request; 0: none
 *   up         A only: A up in the same request.  B cannot be: asking for
 *              the peer up in the create request fails (ENOTCONN), so B is
 *              brought up afterwards, from inside its namespace
 */
struct nn_veth_end {
	struct nn_ns *ns;
	const char *name;
	const uint8_t *mac;
	int ifindex;
	int master;
	bool up;
};

/*
 * A veth pair A <-> B in one RTM_NEWLINK, B placed straight into its
 * namespace (IFLA_NET_NS_FD), returning both indexes in A->ifindex and
 * B->ifindex without looking the links up again: the indexes asked for when
 * the kernel took them; else the kernel's copy of A (NLM_F_ECHO, whose
 * IFLA_LINK is B's index), on kernels that echo it (6.18 here); else, on
 * kernels that do not (6.1), one RTM_GETLINK of A.  An index taken (EBUSY
 * for B's, EEXIST for A's) is tried once more with the kernel's choice.
 * A refused master (EXFULL: the bridge has its 1023 ports) leaves no pair.
 * Round trips: 1, or 2 on a kernel that does not echo and without indexes.
 */
int nn_veth_create(struct nn_veth_end *a, struct nn_veth_end *b, struct nn_error *e);

/*
 * nn_veth_create() of NAME_A in NS_A and NAME_B in NS_B, each end with its
 * MAC (NULL: the kernel picks one), both down, indexes not returned.
 */
int nn_veth_add(struct nn_ns *ns_a, const char *name_a, const uint8_t mac_a[6],
		struct nn_ns *ns_b, const char *name_b, const uint8_t mac_b[6],
		struct nn_error *e);

int nn_link_set_up(struct nn_ns *ns, int ifindex, bool up, struct nn_error *e);

/*
 * Addresses ADDRS[0..N) on link IFINDEX of NS (one already there is fine),
 * then the link up: N + 1 requests, each answered before the next, so a
 * failure names its address.  For a link just made (the peer of a veth in
 * its namespace): with the veth's own request, a star node's link costs
 * 3 round trips.  (An address and up in one sendmsg, both acks read after
 * it, saved 2-4 us of the 50-70 us the two take, of about 1 ms a star node
 * costs: measured in 600 fresh namespaces, 2026-12-07; not worth losing
 * which request failed.)
 */
int nn_link_addrs_up(struct nn_ns *ns, int ifindex, const struct nn_prefix *addrs, size_t n,
		     struct nn_error *e);
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
 * IFINDEX (may be NULL): in, the index to give it in TARGET (0: the
 * kernel's choice; in a namespace just made, 2 is free unless the kernel
 * made fallback tunnels there); out, its index.  An index taken is tried
 * once more with the kernel's choice (6.1 looks a requested index up in the
 * parent's namespace and says EEXIST when a link there has it).  The
 * kernel's choice costs one RTM_GETLINK in TARGET when TARGET is not
 * PARENT_NS (the echo of a link made in another namespace goes to the
 * socket there, not this one) or the kernel does not echo.
 */
int nn_macvlan_create(struct nn_ns *parent_ns, int parent_ifindex, struct nn_ns *target,
		      const char *name, const uint8_t *mac, enum nn_macvlan_mode mode,
		      int *ifindex, struct nn_error *e);
/* nn_macvlan_create() without the index. */
int nn_macvlan_add(struct nn_ns *parent_ns, int parent_ifindex, struct nn_ns *target,
		   const char *name, const uint8_t *mac, enum nn_macvlan_mode mode,
		   struct nn_error *e);

/* A bridge NAME in NS (STP off) with MAC (NULL: the kernel's choice, which
 * the first port then changes), up in the same request when UP; with
 * IFINDEX (may be NULL) its index, from the kernel's echo (one RTM_GETLINK
 * more on kernels that do not echo, as 6.1). */
int nn_bridge_create(struct nn_ns *ns, const char *name, const uint8_t mac[6], bool up,
		     int *ifindex, struct nn_error *e);
/* nn_bridge_create(), down, without the index. */
int nn_bridge_add(struct nn_ns *ns, const char *name, const uint8_t mac[6], struct nn_error *e);

/* A MAC of netnsctl's own choosing: random, unicast, locally administered. */
void nn_link_random_mac(uint8_t mac[6]);

/* Make IFINDEX a port of bridge MASTER (0: no master). */
int nn_link_set_master(struct nn_ns *ns, int ifindex, int master, struct nn_error *e);

/* The id NS gives namespace OTHER (RTM_GETNSID), or -1 when it has none. */
int nn_ns_peer_nsid(struct nn_ns *ns, struct nn_ns *other, int32_t *nsid, struct nn_error *e);
/* The same for N namespaces, their ids in NSIDS: many requests a send. */
int nn_ns_peer_nsids(struct nn_ns *ns, struct nn_ns *const *others, size_t n, int32_t *nsids,
		     struct nn_error *e);

#endif
