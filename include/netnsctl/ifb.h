/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_IFB_H
#define NETNSCTL_IFB_H

/*
 * Impairments on ingress: the traffic a link receives is redirected (u32
 * match-all filter, mirred egress redirect, on the link's clsact ingress
 * hook) to an ifb device of netnsctl's, whose egress carries the
 * impairment tree (nn_tc_tree_set on the ifb); the ifb then hands each
 * packet back to the link's receive path.  One ifb per impaired link, in
 * the link's namespace, named after the link.
 *
 * Ownership (owner.h, journal.h): the ifb is a link netnsctl makes with a
 * MAC of its own choosing (the proof, set in the create request); the
 * redirect filter bears a random 64-bit cookie on its action (the proof;
 * the kernel keeps and dumps it, also after the ifb is gone, when the
 * filter's target reads as no device); the clsact qdisc is netnsctl's when
 * the journal says netnsctl made it, and is removed only once no filter
 * of anyone's is left on it.  These functions only talk to the kernel: the
 * engine journals.
 */

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "netnsctl/error.h"

struct nn_ns;

/*
 * The ifb for LINK (pure): "ifb-LINK" when that fits in 15 bytes (LINK up
 * to 11), else "ifb-" + LINK's first 4 bytes + "-" + 6 hex digits of
 * LINK's FNV-1a hash ("ifb-veth-3fa2c1" for "veth-sva-client"), so a person
 * can tell which link it serves and two links of one namespace do not get
 * one name (2^-24).
 */
void nn_ifb_name(const char *link, char name[IFNAMSIZ]);

/*
 * Make ifb NAME in NS, up, with MAC (the ownership proof), MTU (the
 * impaired link's, so no redirected packet is too big for it; 0: the
 * kernel's) and a queue of 1000 packets (an ifb's default 32 would drop
 * the unimpaired traffic of a busy default class).  One request, create
 * exclusive: -EEXIST when NAME is taken.  Returns its ifindex (> 0).
 * Remove it with nn_link_del().
 */
int nn_ifb_add(struct nn_ns *ns, const char *name, const uint8_t mac[6], unsigned int mtu,
	       struct nn_error *e);

/* A random non-zero cookie for a redirect (getrandom). */
uint64_t nn_tc_cookie_new(void);

/* netnsctl's redirect on a link's ingress, read back. */
struct nn_tc_redirect {
	uint16_t prio;
	uint16_t protocol;
	uint32_t handle;	/* the u32 node */
	int ifindex;		/* target; 0 when the device is gone */
	uint64_t cookie;
};

#define NN_TC_MAX_REDIRECTS 8

struct nn_tc_ingress {
	char qdisc[16];		/* "clsact", "ingress", or "" for none */
	unsigned int n_filters;	/* filters of any kind and owner on it (both hooks of a clsact) */
	unsigned int n_redirects;	/* of these, u32 mirred redirects with an 8-byte cookie */
	struct nn_tc_redirect redirects[NN_TC_MAX_REDIRECTS];
};

/* What the ingress of IFINDEX has (a qdisc dump, filter dumps of its hooks). */
int nn_tc_ingress_get(struct nn_ns *ns, int ifindex, struct nn_tc_ingress *out,
		      struct nn_error *e);

/*
 * Redirect what IFINDEX receives to TARGET (the ifb), with COOKIE: a clsact
 * qdisc when the link has no ingress qdisc (an admin's clsact or ingress is
 * used as it is), and a u32 match-all filter at NN_TC_REDIRECT_PRIO with
 * one mirred egress redirect.  Returns 1 when it made the clsact qdisc
 * (the engine journals that), 0 when it used one that was there; a
 * redirect with COOKIE to TARGET already there is left as it is.  On
 * failure a clsact it made is removed again.
 */
int nn_tc_ingress_redirect_add(struct nn_ns *ns, int ifindex, int target, uint64_t cookie,
			       struct nn_error *e);

/* Remove every redirect on IFINDEX's ingress that bears COOKIE (and their
 * priority's filter list when nothing else is left in it).  Returns how
 * many; 0 is fine. */
int nn_tc_ingress_redirect_del(struct nn_ns *ns, int ifindex, uint64_t cookie, struct nn_error *e);

/* Remove the clsact qdisc of IFINDEX if no filter is left on it: 1
 * removed, 0 kept (a filter left, an ingress qdisc, or none at all).  Only
 * for a clsact the journal says netnsctl made. */
int nn_tc_ingress_clsact_del(struct nn_ns *ns, int ifindex, struct nn_error *e);

#endif
