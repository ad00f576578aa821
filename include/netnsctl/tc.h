/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_TC_H
#define NETNSCTL_TC_H

/*
 * The tc configuration of one direction of a link, as one typed tree
 * (docs/impairments.md has the design and the handle plan):
 *
 *   no rules:   root H: = the leaf: netem, tbf, or netem with a tbf child
 *               (900:, parent H:1): delay first, then the rate limit.
 *   rules:      root H: htb, default class H:1
 *                 class H:1  (default)   leaf 101: [tbf child 901:]
 *                 class H:S  (rule S)    leaf 1SS: [tbf child 9SS:]   (S = 2..255)
 *               u32 filters on H: (protocol all), one priority per rule
 *               (its place: first rule 1, ...), each selecting class H:S.
 *
 * The htb classes only sort traffic: rate and ceil are NN_TC_OPEN_RATE, far
 * above any link's, so the impairment is the leaf alone and a rule's rate
 * limit is its tbf.  The same struct comes back from a dump (nn_tc_tree_get),
 * so a planner compares like with like (nn_tc_tree_diff) and can add, change
 * or remove one rule on its own.  Ingress is the same tree on an ifb
 * (nn_ifb_*) that a u32 match-all filter with a mirred redirect on the
 * link's clsact ingress hook feeds.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netnsctl/addr.h"
#include "netnsctl/error.h"
#include "netnsctl/qdisc.h"

struct nn_ns;
struct nlmsghdr;
struct nlattr;

#define NN_TC_MAX_RULES 32	/* rules on one tree */
#define NN_TC_MAX_TO 8		/* destinations in one rule */
#define NN_TC_MAX_PORTS 8	/* ports in one rule */

/* Class minors: the default class and the rules' slots. */
#define NN_TC_DEFAULT_MINOR 1
#define NN_TC_SLOT_MIN 2
#define NN_TC_SLOT_MAX 255
/* Leaf majors: leaf of class H:S is (NN_TC_LEAF_BASE + S):, its tbf child
 * (NN_TC_CHILD_BASE + S):; the tbf child of a root netem is NN_TC_CHILD_BASE:.
 * They stay below the random root handles (NN_QDISC_HANDLE_MIN:) and above
 * 1: (the root on netnsctl's own links), so no root can collide with them. */
#define NN_TC_LEAF_BASE 0x100
#define NN_TC_CHILD_BASE 0x900
/* rate and ceil of the htb classes: 1 Tbit/s, which sorts without shaping. */
#define NN_TC_OPEN_RATE 125000000000ULL
/* their burst and cburst: 8 us at that rate, a whole number of 64 ns ticks */
#define NN_TC_OPEN_BURST 1000000U
#define NN_TC_OPEN_QUANTUM 200000U
/* The priority of netnsctl's ingress redirect: after every filter of lower
 * number, so an admin's own ingress filters on a link keep running first
 * (and not tc's automatic 49152). */
#define NN_TC_REDIRECT_PRIO 0xfff0

/* Protocols a rule can select (bits); a rule with ports and no protocol
 * means tcp and udp. */
enum nn_tc_proto { NN_TC_TCP = 1, NN_TC_UDP = 2, NN_TC_ICMP = 4 };
#define NN_TC_PROTO_ALL (NN_TC_TCP | NN_TC_UDP | NN_TC_ICMP)

/*
 * What a rule selects: a packet matches when its destination is in one of
 * TO (none: any, IPv4 and IPv6), AND its destination port is one of PORTS
 * (none: any), AND its protocol is one of PROTOS (0: any).  icmp is ICMP
 * on IPv4 and ICMPv6 on IPv6.  A port selects only packets whose transport
 * header is where u32 reads it: IPv4 without options and not a later
 * fragment, IPv6 without extension headers; the rest go to the default.
 */
struct nn_tc_match {
	struct nn_prefix to[NN_TC_MAX_TO];
	unsigned int n_to;
	uint16_t ports[NN_TC_MAX_PORTS];
	unsigned int n_ports;
	unsigned int protos;	/* NN_TC_* bits */
};

/* An impairment: netem, tbf, both (netem with a tbf child), or none. */
struct nn_tc_leaf {
	bool has_netem, has_tbf;
	struct nn_netem netem;
	struct nn_tbf tbf;
};

struct nn_tc_rule {
	struct nn_tc_match match;
	struct nn_tc_leaf leaf;	/* none: the rule's traffic is exempt from the default */
	uint16_t slot;		/* class H:slot; 0 until nn_tc_tree_diff (or the caller) gives one */
	uint16_t prio;		/* its filters' priority: its place, from 1 (normalize sets it) */
};

struct nn_tc_tree {
	uint32_t handle;	/* root H:0; 0 in a dump of a link with the kernel's default root */
	struct nn_tc_leaf dflt;	/* no rules: the root; with rules: the default class's leaf */
	unsigned int n_rules;
	struct nn_tc_rule rules[NN_TC_MAX_RULES];
	/* From a dump only: "" when the tree is of the shape above, else what
	 * is not ("root qdisc fq_codel", "filter at priority 3 is a flower");
	 * such a tree is replaced as a whole, never edited. */
	char other[128];
};

/* ------------------------------------------------------------ pure: model */

/* Parsers for the selectors, as the CLI and lab files spell them; each adds
 * one value to M.  -EINVAL naming the value ('invalid --to "10.0.2.1/24":
 * host bits set ...', 'invalid --port "0"', 'invalid --proto "sctp":
 * expected tcp, udp or icmp'); -E2BIG past NN_TC_MAX_TO / NN_TC_MAX_PORTS. */
int nn_tc_match_add_to(struct nn_tc_match *m, const char *s, struct nn_error *e);
int nn_tc_match_add_port(struct nn_tc_match *m, const char *s, struct nn_error *e);
int nn_tc_match_add_proto(struct nn_tc_match *m, const char *s, struct nn_error *e);

/* Is the leaf an impairment at all? */
bool nn_tc_leaf_empty(const struct nn_tc_leaf *l);
/* Is the tree no impairment (no leaf, no rules): the link's default root? */
bool nn_tc_tree_empty(const struct nn_tc_tree *t);

/*
 * Check T without the kernel: the handle (NN_QDISC_HANDLE or one of the
 * random range), every leaf (nn_netem_check, nn_tbf_check), every rule
 * (a selector that selects something; ports only with tcp/udp; ports 1..65535;
 * no host bits in a destination; at most NN_TC_MAX_* of each; no two rules
 * with the same selector; slots, when set, distinct and in range).
 * -EINVAL with a message naming the rule ("rule 2 (--to 10.0.2.0/24): ...").
 */
int nn_tc_tree_check(const struct nn_tc_tree *t, struct nn_error *e);

/*
 * Make T compare field by field with a dump: leaves normalized
 * (nn_netem_normalize, nn_tbf_normalize), destinations and ports sorted and
 * without duplicates, ports without protocol become tcp+udp, each rule's
 * prio its place (1, 2, ...).
 */
void nn_tc_tree_normalize(struct nn_tc_tree *t);

/* Whether two leaves are the same impairment (nn_qdisc_same for each part). */
bool nn_tc_leaf_same(const struct nn_tc_leaf *want, const struct nn_tc_leaf *have);
/* For messages and plan lines: "to 10.0.2.0/24 port 80 proto tcp" (the CLI's
 * words without "--"), "any" for an empty selector.  Returns BUF. */
const char *nn_tc_match_text(char *buf, size_t len, const struct nn_tc_match *m);
/* Whether two selectors select the same traffic (after normalization). */
bool nn_tc_match_same(const struct nn_tc_match *a, const struct nn_tc_match *b);

/* ------------------------------------------------------------ pure: diff */

enum nn_tc_op {
	NN_TC_RULE_ADD,		/* want[w] is new: class, leaf, filters */
	NN_TC_RULE_DEL,		/* have[h] goes: filters, class */
	NN_TC_RULE_LEAF,	/* the same selector, another impairment: the leaf changes in place */
	NN_TC_RULE_MOVE,	/* the same selector at another place: its filters move */
};

struct nn_tc_step {
	enum nn_tc_op op;
	int want, have;		/* rule indices in WANT and HAVE, -1 where none */
};

struct nn_tc_diff {
	bool clear;		/* WANT is empty and HAVE is not: remove the root */
	bool rebuild;		/* set the whole tree anew (nn_tc_tree_set) ... */
	char why[160];		/* ... because of this: "root is htb, want netem" */
	bool dflt;		/* the default leaf (the root's, without rules) changes */
	unsigned int n;		/* then these, by rule */
	struct nn_tc_step steps[2 * NN_TC_MAX_RULES];
};

/*
 * What it takes to make HAVE (a dump) into WANT (checked).  WANT is
 * normalized and each of its rules gets a slot: the slot of HAVE's rule
 * with the same selector, else the lowest one neither tree uses.  Rules are
 * told apart by their selectors, so a re-apply of the same rules is no
 * step at all (nn_tc_diff_empty), and changing one rule's impairment is one
 * NN_TC_RULE_LEAF.  Pure.
 */
void nn_tc_tree_diff(struct nn_tc_tree *want, const struct nn_tc_tree *have, struct nn_tc_diff *d);
bool nn_tc_diff_empty(const struct nn_tc_diff *d);

/* ------------------------------------------------------------ pure: codecs */

/* Room a request buffer needs for any tc request built here. */
#define NN_TC_MSG_SPACE NN_QDISC_MSG_SPACE

/* Append TCA_KIND "htb" and TCA_OPTIONS (TCA_HTB_INIT: version 3, r2q 10,
 * default class DEFCLS) of an htb qdisc. */
void nn_htb_qdisc_encode(struct nlmsghdr *nlh, uint32_t defcls);
/* The TCA_OPTIONS of an htb qdisc: its default class minor. */
int nn_htb_qdisc_decode(const struct nlattr *options, uint32_t *defcls, struct nn_error *e);

/* An htb class as netnsctl makes them (and a dump gives back). */
struct nn_htb_class {
	uint64_t rate, ceil;	/* bytes/s */
	uint32_t burst, cburst;	/* bytes (the kernel keeps 64 ns ticks) */
	uint32_t quantum;
	uint32_t prio;
};
/* netnsctl's class: NN_TC_OPEN_RATE, NN_TC_OPEN_BURST, NN_TC_OPEN_QUANTUM. */
void nn_htb_class_open(struct nn_htb_class *c);
/* TCA_KIND "htb" and TCA_OPTIONS: TCA_HTB_RATE64/CEIL64 (above 4 GB/s) and
 * TCA_HTB_PARMS (link layer ethernet, so no rate tables are needed). */
int nn_htb_class_encode(struct nlmsghdr *nlh, const struct nn_htb_class *c, struct nn_error *e);
int nn_htb_class_decode(const struct nlattr *options, struct nn_htb_class *c, struct nn_error *e);
/* Whether HAVE is WANT to within the tick rounding of the bursts. */
bool nn_htb_class_same(const struct nn_htb_class *want, const struct nn_htb_class *have);

/* One u32 filter node as netnsctl writes them: a rule's selector for one
 * (family, destination, port, protocol), or the match-all of a redirect. */
struct nn_u32_sel {
	int family;		/* AF_INET, AF_INET6; AF_UNSPEC: match all */
	bool has_to;
	struct nn_prefix to;
	uint16_t port;		/* 0: any */
	uint8_t ipproto;	/* IPPROTO_*: 0 any */
};

/* The keys of SEL, in the order and the form tc writes for the "match"
 * words nn_tc_print uses.  KEYS has room for 8; returns how many. */
struct tc_u32_key;
unsigned int nn_u32_sel_keys(const struct nn_u32_sel *sel, struct tc_u32_key *keys);
/* Back from keys (any order).  -ENOTSUP when they are not keys netnsctl
 * writes (the message says which). */
int nn_u32_sel_from_keys(const struct tc_u32_key *keys, unsigned int n, struct nn_u32_sel *sel,
			 struct nn_error *e);

/* TCA_KIND "u32" and TCA_OPTIONS for a node selecting CLASSID: TCA_U32_CLASSID
 * and TCA_U32_SEL (terminal), as tc sends "... u32 match ... flowid X". */
int nn_u32_classify_encode(struct nlmsghdr *nlh, const struct nn_u32_sel *sel, uint32_t classid,
			   struct nn_error *e);
/* TCA_KIND "u32" and TCA_OPTIONS for "u32 match u32 0 0 action mirred egress
 * redirect dev IFINDEX cookie COOKIE": TCA_U32_ACT (one mirred action,
 * TC_ACT_STOLEN, with its 8-byte TCA_ACT_COOKIE) and TCA_U32_SEL. */
int nn_u32_redirect_encode(struct nlmsghdr *nlh, int ifindex, uint64_t cookie, struct nn_error *e);

/* A u32 filter read back. */
struct nn_u32_info {
	uint32_t handle;	/* 0 for a hash table (no key node: skipped by callers) */
	uint16_t prio;
	uint16_t protocol;	/* host order: ETH_P_ALL ... */
	bool is_ht;		/* a hash table, not a key node */
	bool has_classid;
	uint32_t classid;
	struct nn_u32_sel sel;	/* when sel_ours */
	bool sel_ours;		/* the keys are ones netnsctl writes */
	bool has_mirred;	/* one mirred egress redirect ... */
	int mirred_ifindex;	/* ... to this device (0: it is gone) */
	bool has_cookie;
	uint64_t cookie;	/* its action's cookie, when 8 bytes */
	unsigned int n_actions;
};
/* Decode one RTM_NEWTFILTER message (any kind: a kind other than u32 gives
 * -ENOTSUP and KIND filled).  Validates every length. */
int nn_u32_decode(const struct nlmsghdr *nlh, struct nn_u32_info *out, char kind[16],
		  struct nn_error *e);

/* ------------------------------------------------------------ pure: text */

/*
 * The tc commands that make T on DEV (in namespace NS, "" for the host:
 * "tc -n NS ..."), one a line to F, on a link that has no qdisc of its
 * own: "tc qdisc add dev DEV root handle 1: netem delay 100ms", classes,
 * leaves, "tc filter add ... u32 match ip dst 10.0.2.0/24 ... flowid 1:2".
 * Every value is written so that tc sends what netnsctl does (exact bytes,
 * bits, ns and probabilities), and the kernel ends up with the tree
 * nn_tc_tree_get reads back as T.  T must be checked; slots set.
 */
void nn_tc_print(FILE *f, const char *ns, const char *dev, const struct nn_tc_tree *t);
/* The same for the ingress of LINK through the ifb IFB with MAC: "ip link
 * add", "ip link set up", "tc qdisc add dev LINK clsact" (when MAKE_CLSACT),
 * the redirect filter with COOKIE, then the tree on IFB. */
void nn_tc_print_ingress(FILE *f, const char *ns, const char *link, const char *ifb,
			 const uint8_t mac[6], unsigned int mtu, bool make_clsact, uint64_t cookie,
			 const struct nn_tc_tree *t);

/* One leaf, for plan lines ("netem delay 10ms, then tbf rate 10Mbit ...",
 * "no impairment"), without a newline. */
void nn_tc_leaf_format(FILE *f, const struct nn_tc_leaf *l);
/* The tree as show-qdisc prints it, one line a node, indented:
 *   root 1: htb default 1:1
 *     class 1:1 (default): netem delay 10ms
 *     class 1:2 to 10.0.2.0/24 port 80 proto tcp: tbf rate 10Mbit ... */
void nn_tc_tree_format(FILE *f, const struct nn_tc_tree *t);
/* The same as one nested JSON object (no newline): {"handle":"1:","kind":"htb",
 * "default":{...leaf...},"rules":[{"class":"1:2","prio":1,"to":[...],"ports":[...],
 * "protocols":[...],"leaf":{"netem":{...},"tbf":{...}}}]}; a leaf's parts are
 * nn_qdisc_format_json objects. */
void nn_tc_tree_format_json(FILE *f, const struct nn_tc_tree *t);

/* ------------------------------------------------------------ the kernel */

/*
 * The tree on IFINDEX in NS (dumps of its qdiscs, of the classes and
 * filters of its root): 1 and *T, 0 when the root is the kernel's default
 * (T empty, handle 0).  A tree not of netnsctl's shape is read with
 * T->other saying why.
 */
int nn_tc_tree_get(struct nn_ns *ns, int ifindex, struct nn_tc_tree *t, struct nn_error *e);

/*
 * Make T (checked, slots set) the whole tc tree of IFINDEX, replacing what
 * is there.  The kinds T uses are probed first, so a kernel without one
 * (sch_netem) is "this kernel has no sch_netem (...)" with nothing changed.
 * A later failure removes the root it made (the link has the kernel's
 * default root then) and returns the kernel's error.  An empty T clears.
 */
int nn_tc_tree_set(struct nn_ns *ns, int ifindex, const struct nn_tc_tree *t, struct nn_error *e);
/* Remove the root of IFINDEX and all below it: 1 removed, 0 nothing there. */
int nn_tc_tree_clear(struct nn_ns *ns, int ifindex, struct nn_error *e);

/*
 * The steps of a diff, one at a time, for a planner that journals each.
 * HANDLE is the tree's root.  Each either does all it says or, failing,
 * undoes its own part and returns the kernel's error.
 */
/* The default leaf: the root's (no rules) or the default class's. */
int nn_tc_default_set(struct nn_ns *ns, int ifindex, const struct nn_tc_tree *want,
		      const struct nn_tc_tree *have, struct nn_error *e);
int nn_tc_rule_add(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tc_rule *r,
		   struct nn_error *e);
int nn_tc_rule_del(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tc_rule *r,
		   struct nn_error *e);
/* WANT and HAVE: the same slot. */
int nn_tc_rule_leaf(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tc_rule *want,
		    const struct nn_tc_rule *have, struct nn_error *e);
/* Move HAVE's filters to WANT's priority (delete, then add). */
int nn_tc_rule_move(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tc_rule *want,
		    const struct nn_tc_rule *have, struct nn_error *e);

/*
 * Apply D (from nn_tc_tree_diff(WANT, HAVE)) in an order that works:
 * removals, moves, leaf changes, additions.  On a failure the tree is put
 * back as HAVE (best effort; the error says when that failed too).
 */
int nn_tc_tree_sync(struct nn_ns *ns, int ifindex, const struct nn_tc_tree *want,
		    const struct nn_tc_tree *have, const struct nn_tc_diff *d, struct nn_error *e);

/* Does the kernel have qdisc KIND ("netem", "tbf", "htb")?  As
 * nn_qdisc_kind_probe. */
int nn_tc_kind_probe(struct nn_ns *ns, const char *kind, struct nn_error *e);

#endif
