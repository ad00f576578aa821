/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_LAB_H
#define NETNSCTL_LAB_H

/*
 * One engine for every command that makes something: a lab (the desired
 * state: namespaces, veth pairs with addresses, root qdiscs) is compared with
 * what the kernel has (one dump per namespace and object kind), giving a plan
 * of steps, each naming its object and reason.  Applying the plan records each
 * object in the journal before making it and, when a step fails, undoes what
 * this run did, in reverse.  An empty plan is "unchanged".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/addr.h"
#include "netnsctl/error.h"
#include "netnsctl/link.h"
#include "netnsctl/nat.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/step.h"
#include "netnsctl/tc.h"

struct nn_ctx;
struct nn_lab;
struct nn_plan;

/* OWNER names the command or lab file in the journal ("create-veth-pair").
 * "*" is every owner: with prune, a plan that removes everything the
 * journal says netnsctl made (cleanup). */
struct nn_lab *nn_lab_new(const char *owner);
void nn_lab_free(struct nn_lab *lab);

/* Namespace NAME must exist (made when missing). */
int nn_lab_add_netns(struct nn_lab *lab, const char *name, struct nn_error *e);

/*
 * A veth pair IF_A in NS_A <-> IF_B in NS_B, both ends up, with ADDR_A and
 * ADDR_B (both NULL for none).  The namespaces are added to the lab.  Any
 * other link of those names, or other addresses of the same family on them,
 * is stale and replaced.
 */
int nn_lab_add_veth(struct nn_lab *lab, const char *ns_a, const char *if_a,
		    const char *ns_b, const char *if_b, const struct nn_prefix *addr_a,
		    const struct nn_prefix *addr_b, struct nn_error *e);

/*
 * The root qdisc of IFNAME in NS is WANT; WANT->kind NN_QDISC_OTHER means
 * "the kernel's default" (clear).  The namespace and link must exist, or be
 * made by this lab.
 */
int nn_lab_add_qdisc(struct nn_lab *lab, const char *ns, const char *ifname,
		     const struct nn_qdisc_info *want, struct nn_error *e);

/*
 * Bridge BR in NS ("" = the host namespace), up, with ADDR (NULL: none).
 */
int nn_lab_add_bridge(struct nn_lab *lab, const char *ns, const char *br,
		      const struct nn_prefix *addr, struct nn_error *e);

/*
 * A veth IFNAME in NS (up, with ADDR, NULL for none) whose peer PORT, in
 * BR_NS, is an up port of bridge BR (which the lab or the kernel has).
 */
int nn_lab_add_port(struct nn_lab *lab, const char *ns, const char *ifname,
		    const struct nn_prefix *addr, const char *br_ns, const char *br,
		    const char *port, struct nn_error *e);

/*
 * A macvlan IFNAME in NS, up, with MAC and MODE, on link PARENT of PARENT_NS
 * ("" = the host).  A link IFNAME of another kind or MAC is stale and replaced.
 */
int nn_lab_add_macvlan(struct nn_lab *lab, const char *ns, const char *ifname,
		       const char *parent_ns, const char *parent, const uint8_t mac[6],
		       enum nn_macvlan_mode mode, struct nn_error *e);

/* Route in NS to DST via GW (NULL: on-link) out of IFNAME (NULL: any). */
int nn_lab_add_route(struct nn_lab *lab, const char *ns, const struct nn_prefix *dst,
		     const struct nn_prefix *gw, const char *ifname, struct nn_error *e);

/* IPv4 forwarding of NS ("" = the host) is ON. */
int nn_lab_set_forwarding(struct nn_lab *lab, const char *ns, bool on, struct nn_error *e);

/* A NAT rule in the host namespace (see nat.h); its tag names it. */
int nn_lab_add_nat(struct nn_lab *lab, const struct nn_nat_rule *rule, struct nn_error *e);

/*
 * Prune: objects the journal says this lab's owner made and the lab no longer
 * describes get delete steps (namespaces, host-side links, NAT rules).  An
 * empty lab with prune on is "destroy".
 */
void nn_lab_set_prune(struct nn_lab *lab, bool prune);

/* Every namespace of LAB must be made by its plan: one that exists already
 * is someone else's, and the plan is refused (-EEXIST) rather than use it. */
void nn_lab_set_new_namespaces(struct nn_lab *lab, bool on);
/*
 * What the plan does with a namespace or link the lab describes when the
 * journal says another owner (another lab, a command) made it and it is
 * still that object:
 *   NN_CLAIM_SHARE   use it as it is, the default: commands share what other
 *                    commands made (create-veth-pair in create-namespaces'
 *                    namespaces)
 *   NN_CLAIM_REFUSE  fail, naming the owner (lab files: a second lab that
 *                    declares node "a" must not take over another lab's "a")
 *   NN_CLAIM_ADOPT   a step makes this lab its owner in the journal (lab
 *                    files with "adopt: true"); the old owner's destroy
 *                    leaves it, and its apply refuses it from then on
 */
enum nn_lab_claim { NN_CLAIM_SHARE, NN_CLAIM_REFUSE, NN_CLAIM_ADOPT };
void nn_lab_set_claim(struct nn_lab *lab, enum nn_lab_claim claim);

/*
 * The opposite of a lab's objects: what must not exist.  Namespace NAME
 * (deleted when it does: delete-namespaces); veth IF_A in NS_A whose peer
 * is in NS_B (both ends deleted: delete-veth-pair).  A name that is
 * something else (another kind of link, a veth paired elsewhere) fails the
 * plan, naming it.
 */
int nn_lab_del_netns(struct nn_lab *lab, const char *name, struct nn_error *e);
int nn_lab_del_veth(struct nn_lab *lab, const char *ns_a, const char *if_a, const char *ns_b,
		    struct nn_error *e);

/*
 * Observe what the plan of LAB needs (one dump per namespace and kind, only
 * the kinds LAB touches), then plan: the steps (step.h) that make the lab
 * true, in order: removals, namespaces, bridges, veths and ports, macvlans,
 * forwarding, routes, qdiscs, NAT, then commands and client groups.  The
 * kernel is asked before for what the steps need of it (the qdisc kinds).
 * LAB must outlive the plan.
 */
int nn_plan_make(struct nn_ctx *ctx, const struct nn_lab *lab, struct nn_plan **plan,
		 struct nn_error *e);
void nn_plan_free(struct nn_plan *plan);
size_t nn_plan_len(const struct nn_plan *plan);
const struct nn_step *nn_plan_step(const struct nn_plan *plan, size_t i);

/*
 * Whether PLAN may be applied: -errno with the reason when apply would
 * refuse it before its first step (a lab's client group of names another
 * made).  status shows such a plan's steps; apply and --dry-run refuse it.
 */
int nn_plan_check(const struct nn_plan *plan, struct nn_error *e);

typedef void (*nn_step_cb)(const struct nn_step *step, void *arg);

/*
 * Carry out PLAN in order, calling DONE after each step.  On a failure undo
 * this run's steps in reverse (reporting each through UNDONE, which may be
 * NULL) and return the failing step's error.  Each step journals what it
 * makes before it asks the kernel (journal.h).
 */
int nn_plan_apply(struct nn_ctx *ctx, struct nn_plan *plan, nn_step_cb done,
		  nn_step_cb undone, void *arg, struct nn_error *e);

/*
 * Ask a running nn_plan_apply() to stop before its next step, undo what it
 * did and fail with ECANCELED.  Async-signal-safe: for SIGINT/SIGTERM
 * handlers.  SIG is remembered for the exit status; long callers (the DHCP
 * loop of create-clients) poll nn_plan_cancelled() too.
 */
void nn_plan_cancel(int sig);
/* The signal given to nn_plan_cancel(), 0 when none. */
int nn_plan_cancelled(void);

/*
 * Undo every step of an applied PLAN, in reverse: for a caller whose later
 * phase failed (create-clients when a lease does not come).  Best effort.
 */
void nn_plan_undo(struct nn_ctx *ctx, struct nn_plan *plan, nn_step_cb undone, void *arg);

/*
 * Changes to what exists (change.h, docs/timelines.md), planned like any
 * other: each observes only what it touches (one namespace's links, the
 * deadline journal), so that a timeline's event is planned in a few
 * milliseconds.
 *
 * IFNAME in NS ("" the host) administratively UP, or down (held, or for
 * FOR_NS: the reverter brings it up).  Down is journalled as a change;
 * up drops the records that held the link down.
 */
int nn_lab_set_link_state(struct nn_lab *lab, const char *ns, const char *ifname, bool up,
			  uint64_t for_ns, struct nn_error *e);
/* Namespaces A (NA) partitioned from B (NB) (partition.h), held or for
 * FOR_NS; the same two groups partitioned already: nothing to do.  A name
 * twice or in both groups: -EINVAL. */
int nn_lab_add_partition(struct nn_lab *lab, const char *const *a, size_t na, const char *const *b,
			 size_t nb, uint64_t for_ns, struct nn_error *e);
/* Partition ID healed (NULL: every one the deadline journal holds). */
int nn_lab_heal(struct nn_lab *lab, const char *id, struct nn_error *e);
/* WANT (netem or tbf) as the root qdisc of IFNAME in NS for FOR_NS (> 0),
 * then back to the root it had (change.h's nn_change_qdisc: journalled in
 * the deadline journal, the reverter started first): add-delay and
 * set-rate with --for.  Planned even when the root is WANT already (the
 * deadline is what it adds). */
int nn_lab_add_timed_qdisc(struct nn_lab *lab, const char *ns, const char *ifname,
			   const struct nn_qdisc_info *want, uint64_t for_ns, struct nn_error *e);
/* Root qdiscs are set in place or cleared only where the root is the
 * kernel's default or one netnsctl made (the journal's proof): another's
 * root fails the plan (-EBUSY), naming it.  A timeline's events. */
void nn_lab_set_own_roots(struct nn_lab *lab, bool on);

/*
 * tc trees (issue 17, docs/impairments.md): one direction of link IFNAME in
 * NS ("" the host).  Egress: the tree on the link's root.  Ingress: the
 * tree on the link's ifb (ifb.h, made when missing), with the link's
 * ingress redirected to it; an empty tree takes the redirect, the ifb and
 * netnsctl's clsact away.  The link must exist (or be made by the lab).
 *
 * nn_lab_add_tc_tree: the tree is WANT (checked; rules told apart by their
 * selectors, so that a re-apply of the same rules changes nothing and one
 * rule changed is one step).
 *
 * nn_lab_add_tc_edit: the tree is the one there with one leaf changed, as
 * add-delay, set-rate and clear-qdisc say: EDIT's selector's rule (none:
 * the default leaf) gets its netem or tbf, or (CLEAR) goes; CLEAR without a
 * selector takes the whole tree (egress: any root, as clear-qdisc always
 * did).  ROOT_OK: egress only and nothing of netnsctl's to stack on or
 * select in, it is the one root qdisc of nn_lab_add_qdisc (QDISC_* steps,
 * the same texts as before trees).
 */
struct nn_tc_edit {
	enum { NN_TC_EDIT_NETEM, NN_TC_EDIT_TBF, NN_TC_EDIT_CLEAR } what;
	bool has_match;
	struct nn_tc_match match;
	struct nn_netem netem;
	struct nn_tbf tbf;
	bool root_ok;
};
int nn_lab_add_tc_tree(struct nn_lab *lab, const char *ns, const char *ifname, bool ingress,
		       const struct nn_tc_tree *want, struct nn_error *e);
int nn_lab_add_tc_edit(struct nn_lab *lab, const char *ns, const char *ifname, bool ingress,
		       const struct nn_tc_edit *edit, struct nn_error *e);

/* Plan LAB without asking the kernel for the qdisc kinds its steps use
 * (--print-tc: the commands may be for another machine). */
void nn_lab_set_no_probe(struct nn_lab *lab, bool on);

/* The tc tree directions PLAN looked at, steps or not (--print-tc). */
size_t nn_plan_tc_len(const struct nn_plan *plan);
const struct nn_step_tc *nn_plan_tc(const struct nn_plan *plan, size_t i);

#endif
