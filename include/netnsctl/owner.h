/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_OWNER_H
#define NETNSCTL_OWNER_H

/*
 * Ownership: is the object the kernel has now under a journal record's name
 * the one netnsctl made?  Decided here and nowhere else, by pure judges of
 * what was observed: the planner (its prune, which is also cleanup's and
 * destroy's, its claims, and the stale objects an apply would replace) and
 * the clients code ask here, and delete or replace nothing as netnsctl's
 * without a yes.
 *
 * The object must bear what its record names:
 *  - after a "made" record: the kernel's id (a namespace's cookie, a link's
 *    ifindex) and the record's proof when it has one (journal.h);
 *  - after an intent with no "made" record (netnsctl was killed in
 *    between, or has the object on its way): the intent's proof.  An intent
 *    without a proof (an older journal) proves nothing;
 *  - a link, qdisc, route or sysctl record also names its namespace by
 *    cookie: a namespace of the same name made later is another, and
 *    nothing in it is netnsctl's by that record.
 * Qdiscs, routes and NAT rules count only with a proof (the made records of
 * older journals had none for them: what they name is left alone).  A proof
 * is made sound by the create request itself: the kernel makes the object
 * with the mark or not at all, so no object can be netnsctl's without it,
 * and another program's object of the same name bears it only by a chance
 * of 2^-46 (a random MAC), 2^-64 (a NAT nonce), never (a cookie: the kernel
 * does not reuse one), or by choosing to (a route's protocol NN_RTPROT, a
 * qdisc's random handle: 1 in 28671).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/addr.h"
#include "netnsctl/journal.h"
#include "netnsctl/link.h"
#include "netnsctl/nat.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/route.h"

/* The proofs, from what the create request sets. */
void nn_proof_cookie(struct nn_proof *p, uint64_t cookie);
void nn_proof_mac(struct nn_proof *p, const uint8_t mac[6]);
void nn_proof_qdisc(struct nn_proof *p, uint32_t handle, int ifindex);
void nn_proof_route(struct nn_proof *p);
void nn_proof_nat(struct nn_proof *p, uint64_t nonce);

/* What was observed, judged (pure: no I/O).  J is a record of the kind the
 * function names. */
/* Namespace J->name has cookie COOKIE now. */
bool nn_owner_netns(const struct nn_journal_entry *j, uint64_t cookie);
/* J's namespace (J->ns) has cookie COOKIE now: still the one J names. */
bool nn_owner_in_ns(const struct nn_journal_entry *j, uint64_t cookie);
/* L is the link named J->name in J's namespace. */
bool nn_owner_link(const struct nn_journal_entry *j, const struct nn_link_info *l);
/* ROOT (NULL: none) is the root qdisc of link L, named J->name. */
bool nn_owner_qdisc(const struct nn_journal_entry *j, const struct nn_link_info *l,
		    const struct nn_qdisc_info *root);
/* IN (nn_tc_ingress_get of L, named J->name) has the redirect J made: one
 * bearing J's cookie. */
struct nn_tc_ingress;
bool nn_owner_filter(const struct nn_journal_entry *j, const struct nn_link_info *l,
		     const struct nn_tc_ingress *in);
/* L, named J->name, is the link J made its clsact on and has a clsact
 * (removed only when empty: nn_tc_ingress_clsact_del). */
bool nn_owner_clsact(const struct nn_journal_entry *j, const struct nn_link_info *l,
		     const struct nn_tc_ingress *in);
/* V: the routes of J's namespace. */
bool nn_owner_route(const struct nn_journal_entry *j, const struct nn_route_info *v, size_t n);
/* V: the host's NAT rules (nn_nat_rule_list). */
bool nn_owner_nat(const struct nn_journal_entry *j, const struct nn_nat_rule *v, size_t n);
/* The nonce a NAT record names, 0 when none. */
uint64_t nn_owner_nat_nonce(const struct nn_journal_entry *j);

/* A route record's name ("10.1.0.0/24", "default", "default6") as a
 * destination; -1 for a name netnsctl does not write. */
int nn_journal_route_dst(const char *name, struct nn_prefix *dst);

/* The journal entry of KIND, NS, NAME in the namespace of cookie NS_COOKIE
 * (0 for a namespace record) in V (N entries), or NULL. */
const struct nn_journal_entry *nn_journal_find(const struct nn_journal_entry *v, size_t n,
					       enum nn_obj_kind kind, const char *ns,
					       const char *name, uint64_t ns_cookie);

#endif
