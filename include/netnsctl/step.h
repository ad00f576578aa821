/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_STEP_H
#define NETNSCTL_STEP_H

/*
 * One step of a plan (lab.h), typed: what it does (its kind), to which
 * object (a namespace, a link, an address, a route, a qdisc, a bridge port,
 * a NAT rule, a lab's command, a client group), with which values, and why.
 * Every text and JSON form of a step is made from these fields here; no
 * caller ever reads a step's meaning back from its text.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <sys/types.h>

#include "netnsctl/addr.h"
#include "netnsctl/journal.h"
#include "netnsctl/link.h"
#include "netnsctl/nat.h"
#include "netnsctl/partition.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/tc.h"

#define NN_STEP_NAME_MAX 256	/* a namespace's name: NAME_MAX + 1 */

/*
 * One direction of a link's tc trees as a plan sees it (the plan owns it;
 * the TC_* and ingress steps point to it): what is wanted, what is there,
 * how they differ, and what --print-tc needs.
 */
struct nn_step_tc {
	char ns[NN_STEP_NAME_MAX];
	char link[IFNAMSIZ];
	bool ingress;
	char dev[IFNAMSIZ];		/* the tree's device: LINK, or its ifb */
	struct nn_tc_tree want, have;
	struct nn_tc_diff d;		/* nn_tc_tree_diff(want, have) */
	bool have_ours;			/* HAVE is netnsctl's to edit or put back */
	unsigned int mtu;		/* LINK's (the ifb gets it) */
	bool ifb_exists;
	uint8_t ifb_mac[6];
	bool clsact_new;		/* the link has no ingress qdisc yet */
	bool clsact_ours;		/* it has netnsctl's clsact */
	uint64_t cookie;		/* the redirect's of netnsctl's there, 0 none */
};

enum nn_step_kind {
	NN_STEP_NETNS_ADD,	/* create namespace NS */
	NN_STEP_NETNS_DEL,	/* delete namespace NS (the links in it go with it) */
	NN_STEP_VETH_ADD,	/* veth IFNAME in NS <-> IFNAME2 in NS2 */
	NN_STEP_VETH_DEL,	/* delete veth IFNAME in NS, its peer IFNAME2 in NS2 with it */
	NN_STEP_BRIDGE_ADD,	/* bridge IFNAME in NS */
	NN_STEP_MACVLAN_ADD,	/* macvlan IFNAME in NS on parent IFNAME2 in NS2 */
	NN_STEP_LINK_DEL,	/* delete link IFNAME in NS */
	NN_STEP_LINK_MASTER,	/* IFNAME in NS becomes a port of bridge IFNAME2 */
	NN_STEP_LINK_UP,	/* set IFNAME in NS up */
	NN_STEP_ADDR_ADD,	/* u.addr on IFNAME in NS */
	NN_STEP_ADDR_DEL,
	NN_STEP_ROUTE_SET,	/* u.route in NS (made or replaced) */
	NN_STEP_ROUTE_DEL,
	NN_STEP_FWD_SET,	/* IPv4 forwarding of NS to u.fwd.on */
	NN_STEP_FWD_RESTORE,	/* back to the value before netnsctl changed it */
	NN_STEP_FWD_HANDOVER,	/* left as it is: owner u.fwd.heir relies on it */
	NN_STEP_QDISC_SET,	/* root qdisc of IFNAME in NS to u.qdisc.want */
	NN_STEP_QDISC_CLEAR,	/* back to the kernel's default */
	NN_STEP_NAT_ADD,	/* u.nat.rule in the host (made or replaced) */
	NN_STEP_NAT_DEL,	/* the rule tagged u.nat.rule.tag */
	NN_STEP_ADOPT,		/* the journal's record of namespace NS (IFNAME ""), or of
				 * link IFNAME in NS, gets this plan's owner */
	NN_STEP_CMD_START,	/* command u.cmd.index of node NS (a lab's) */
	NN_STEP_CMD_STOP,
	NN_STEP_CLIENTS_ADD,	/* clients u.clients.prefix 1..count */
	NN_STEP_CLIENTS_DEL,	/* clients first..last of the prefix (or all of them) */
	NN_STEP_LINK_STATE,	/* IFNAME in NS administratively u.link.up (link-down,
				 * link-up, a timeline's down/up): journalled as a
				 * held or timed change (change.h) */
	NN_STEP_PARTITION_ADD,	/* partition u.part.id: NS's groups (change.h) */
	NN_STEP_PARTITION_DEL,	/* heal partition u.part.id (netnsctl's: journalled) */
	/* tc trees (tc.h, ifb.h; docs/impairments.md).  IFNAME is the tree's
	 * device: the link (its egress), or its ifb (IFNAME2 the link whose
	 * ingress it carries); u.tc.t the tree wanted and the one there. */
	NN_STEP_TC_TREE_SET,	/* the whole tree of IFNAME in NS made anew (replaced) */
	NN_STEP_TC_TREE_CHANGE,	/* one rule (or the default leaf) of it, in place */
	NN_STEP_TC_TREE_CLEAR,	/* back to the kernel's default root */
	NN_STEP_IFB_ADD,	/* ifb IFNAME in NS for the ingress of IFNAME2 (deleted:
				 * LINK_DEL) */
	NN_STEP_REDIRECT_ADD,	/* the ingress of IFNAME in NS to ifb IFNAME2: clsact
				 * (when none) and a u32 mirred redirect */
	NN_STEP_REDIRECT_DEL,	/* netnsctl's redirect off the ingress of IFNAME */
	NN_STEP_CLSACT_DEL,	/* netnsctl's clsact of IFNAME, once nothing is on it */
	NN_STEP_KINDS
};

/* What status calls the difference a step makes good. */
enum nn_step_state {
	NN_STATE_MISSING,	/* it makes what is not there */
	NN_STATE_DIFFERS,	/* it changes what is there */
	NN_STATE_EXTRA,		/* it removes what is there and is not wanted */
};

enum nn_step_reason {
	NN_WHY_ABSENT,		/* not there */
	NN_WHY_DOWN,		/* the link is down */
	NN_WHY_OTHER_VALUE,	/* there, with other values */
	NN_WHY_OTHER_PEER,	/* a veth end paired with another link */
	NN_WHY_OTHER_MAC,	/* a macvlan with another MAC */
	NN_WHY_OTHER_ADDR,	/* another address of the family on the link */
	NN_WHY_PRUNED,		/* made by the owner, no longer wanted by it */
	NN_WHY_ASKED,		/* a delete asked for by name */
	NN_WHY_OTHER_OWNER,	/* made by another lab or command */
	NN_WHY_HEIR,		/* another owner has objects in the namespace */
	NN_WHY_NOT_RUNNING,	/* a command that does not run */
	NN_WHY_CHANGED,		/* a command whose words changed */
	NN_WHY_BEYOND_COUNT,	/* clients beyond a group's count */
	NN_WHY_REASONS
};

struct nn_step {
	enum nn_step_kind kind;
	enum nn_step_state state;
	enum nn_step_reason reason;
	char ns[NN_STEP_NAME_MAX];	/* the object's namespace, "" the host */
	char ifname[IFNAMSIZ];		/* its link, "" none */
	char ns2[NN_STEP_NAME_MAX];	/* the other end's (see the kinds) */
	char ifname2[IFNAMSIZ];
	union {
		struct nn_prefix addr;			/* ADDR_* */
		struct {				/* ROUTE_* */
			struct nn_prefix dst, gw;
			bool has_gw;
			bool dev;			/* out of IFNAME */
			/* ROUTE_SET over a route that was there: it is not
			 * ours, and an undo puts it back */
			bool has_prev, prev_has_gw;
			struct nn_prefix prev_gw;
			int prev_ifindex, prev_proto;
		} route;
		struct {				/* FWD_* */
			bool on;			/* SET, RESTORE: the value set */
			bool prev;			/* the kernel's before the step */
			bool fresh;			/* SET in a namespace this plan makes */
			bool orig;			/* the value before netnsctl first changed it */
			char heir[64];			/* HANDOVER */
		} fwd;
		struct {				/* QDISC_* */
			struct nn_qdisc_info want;	/* SET */
			struct nn_qdisc_info prev;	/* what was there, for an undo */
			bool has_prev;
			bool prev_ours;			/* CLEAR of one netnsctl made: an
							 * undo records it again */
			uint32_t handle;		/* SET: 0 picks a free one */
			uint64_t for_ns;		/* SET for this long, then put back
							 * (change.h; 0: for good) */
		} qdisc;
		struct {				/* NAT_* */
			struct nn_nat_rule rule;	/* ADD: the rule; DEL: its tag */
			struct nn_nat_rule prev;	/* ADD over another rule of the tag */
			bool has_prev;
			char prev_owner[64];		/* that rule's, when netnsctl's */
		} nat;
		struct {				/* MACVLAN_ADD */
			uint8_t mac[6];
			enum nn_macvlan_mode mode;
		} macvlan;
		struct {				/* LINK_MASTER */
			int prev;			/* the bridge before (0: none) */
		} master;
		struct {				/* ADOPT: the journal's record */
			enum nn_obj_kind kind;		/* NETNS or LINK */
			uint64_t id;
			char owner[64];			/* whose it was */
			struct nn_proof proof;
		} adopt;
		struct {				/* CMD_* */
			unsigned index;			/* from 0; shown from 1 */
			char *const *argv;		/* START: the lab's (lives as long) */
			size_t spec;			/* START: its index in the lab */
			pid_t pid;			/* STOP: the process; START: once started */
			uint64_t start_time;
			char lab[NN_STEP_NAME_MAX];	/* STOP of cleanup: the lab's name */
		} cmd;
		struct {				/* TC_*, IFB_ADD, REDIRECT_*, CLSACT_DEL */
			struct nn_step_tc *t;		/* the plan's (NULL: CLSACT_DEL,
							 * REDIRECT_DEL of a prune) */
			int op;				/* CHANGE: enum nn_tc_op, -1 the
							 * default leaf */
			int want, have;			/* CHANGE: the rules (-1 none) */
			bool first;			/* CHANGE: the first of its tree's,
							 * which carries out all of them */
			uint64_t cookie;		/* REDIRECT_DEL: the one removed;
							 * REDIRECT_ADD: netnsctl's old
							 * one, removed first (0: none) */
			bool made_clsact;		/* REDIRECT_ADD, as it runs */
		} tc;
		struct {				/* CLIENTS_* */
			char prefix[NN_STEP_NAME_MAX];	/* DEL: "" for every client */
			unsigned first, last;		/* the numbers; DEL 0..0: all owned */
			unsigned count;			/* DEL: how many there are */
			unsigned have;			/* ADD: how many of 1..last exist */
			char parent[IFNAMSIZ];		/* ADD */
			size_t spec;			/* ADD: its index in the lab */
		} clients;
		struct {				/* LINK_STATE */
			bool up;			/* the state set */
			bool prev;			/* the state before: an undo's */
			uint64_t for_ns;		/* down for this long (0: held) */
		} link;
		struct {				/* PARTITION_* */
			char id[NN_PARTITION_ID_MAX];
			const char *const *a, *const *b;	/* ADD: the groups (the lab's) */
			size_t na, nb;
			uint64_t for_ns;		/* ADD: for this long (0: held) */
		} part;
	} u;
	/*
	 * What apply sets and checks (not part of what a step says): the mark
	 * the object made bears, chosen or read as it is made, or the mark of
	 * the object a removal was judged by, so that a removal or an undo
	 * finding another object under the name leaves it alone.
	 */
	struct {
		uint64_t cookie;	/* NETNS_ADD (read as it is made), NETNS_DEL */
		uint8_t mac[6], mac2[6];	/* VETH_ADD (mac2: the peer), BRIDGE_ADD */
		int ifindex;		/* LINK_DEL, VETH_DEL: the link judged; made links */
		int ifindex2;		/* VETH_ADD: the peer's */
		uint64_t nonce;		/* NAT_ADD, NAT_DEL */
		off_t at;		/* FWD_SET: where its journal record is */
		size_t with;		/* LINK_DEL: 1 + the NETNS_DEL step that takes
					 * the link with it (its peer's namespace);
					 * in a rollback, 1 + the NETNS_ADD step whose
					 * undo takes the step's link(s) with it */
		bool done;		/* the kernel (or the system) was changed */
	} run;
};

/* "create veth a in x <-> b in y": the step as apply and --dry-run say it. */
const char *nn_step_text(const struct nn_step *s, char *buf, size_t len);

/* The step as status says it: "missing: create namespace a", "not running:
 * command 1 in srv: ...", "extra: 1 client beyond cl2". */
const char *nn_step_status(const struct nn_step *s, char *buf, size_t len);

/* "missing", "differs", "extra". */
const char *nn_step_state_name(enum nn_step_state state);

/*
 * The step as one JSON object (docs/json.md):
 *   {"state":"missing","kind":"addr","action":"add","reason":"absent",
 *    "ns":"a","link":"to-b","addr":"10.0.0.1/30","step":"add 10.0.0.1/30 to to-b in a"}
 * The members besides state, kind, action, reason, ns and step depend on
 * the kind.
 */
void nn_step_json(FILE *f, const struct nn_step *s);

#endif
