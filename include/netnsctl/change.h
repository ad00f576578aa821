/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_CHANGE_H
#define NETNSCTL_CHANGE_H

/*
 * Changes to what exists (docs/timelines.md): a link taken down, two groups
 * of namespaces partitioned, a root qdisc set for a while.  Each is
 * journalled in the deadline journal (timed.h) BEFORE the kernel is
 * changed, with what the object was and what the change makes it:
 *  - with a duration (`--for`), the record has a deadline and the reverter
 *    puts the object back then, even when the maker is gone;
 *  - without one (link-down, partition), the record is held
 *    (NN_TIMED_NEVER): link-up, heal and cleanup put it back.
 * Either way an object is put back only while it still is what the change
 * made it (same namespace cookie, same ifindex, same state): that is the
 * proof that the change is netnsctl's (owner.h's rule).
 *
 * Every function here expects the caller to hold the state lock
 * (nn_state_lock) and returns 1 when it changed the kernel, 0 when nothing
 * needed changing (idempotent), or -errno with E filled, the kernel and the
 * journal as they were.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/error.h"
#include "netnsctl/partition.h"
#include "netnsctl/qdisc.h"

struct nn_ctx;

/* A deadline FOR_NS from now (0: held, NN_TIMED_NEVER). */
uint64_t nn_change_deadline(uint64_t for_ns);

/*
 * IFNAME in namespace NS ("" the host) administratively UP or down.  Down on
 * a link that is up journals a record (deadline FOR_NS from now, 0: held)
 * and, with a deadline, makes sure a reverter runs (nn_reverter_ensure with
 * REVERTER_ARGV, NULL: this program) before the link goes down.  Down on a
 * link already down: 0, nothing journalled.  Up drops every record that
 * holds this link down (the user put it back) and brings it up when it is
 * down.
 */
int nn_change_link(struct nn_ctx *ctx, const char *ns, const char *ifname, bool up,
		   uint64_t for_ns, char *const reverter_argv[], struct nn_error *e);

/*
 * WANT (netem or tbf) as the root qdisc of IFNAME in NS for FOR_NS (> 0),
 * then back to the root it had: the kernel's default, or a netem or tbf
 * (another root cannot be put back exactly: -EOPNOTSUPP naming it, nothing
 * changed).  The new root takes the old one's handle when it is a netem or
 * tbf (a change in place, RTM_NEWQDISC with NLM_F_REPLACE), else a free
 * one, journalled in the ownership journal as OWNER's.  A pending timed
 * change of the same root is taken over: its "before" is kept, so the end
 * puts back what was there before the first.
 */
int nn_change_qdisc(struct nn_ctx *ctx, const char *ns, const char *ifname,
		    const struct nn_qdisc_info *want, uint64_t for_ns, const char *owner,
		    char *const reverter_argv[], struct nn_error *e);

/*
 * Partition namespaces A[0..NA) from B[0..NB) (partition.h), journalled
 * (one record per namespace, FOR_NS as above).  *ID (may be NULL) gets the
 * partition's id.  The same two groups partitioned already: 0.  A name
 * twice, or in both groups: -EINVAL.
 */
int nn_change_partition(struct nn_ctx *ctx, const char *const *a, size_t na,
			const char *const *b, size_t nb, uint64_t for_ns,
			char *const reverter_argv[], char id[NN_PARTITION_ID_MAX], struct nn_error *e);

/*
 * Heal the partition ID (NULL: every one netnsctl holds) in every
 * namespace of its records, and drop them.  *HEALED (may be NULL): the
 * number of partitions healed.  None to heal: 0.
 */
int nn_change_heal(struct nn_ctx *ctx, const char *id, size_t *healed, struct nn_error *e);

#endif
