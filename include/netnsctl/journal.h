/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_JOURNAL_H
#define NETNSCTL_JOURNAL_H

/*
 * The ownership journal: an append-only text file in the state dir with one
 * line per object netnsctl is about to make ("intent"), has made ("made",
 * with the kernel's id of it) and has removed ("gone").  Each line is written
 * and synced before the netlink request it announces, so a netnsctl killed at
 * any point leaves a journal from which `cleanup` removes exactly what
 * netnsctl made, and nothing else.  Writers hold the state dir's lock.
 *
 *   intent netns - sva 0 create-veth-pair 0
 *   made netns - sva 8193 create-veth-pair 0         (id: the netns cookie)
 *   made link sva veth-a 7 create-veth-pair 8193     (id: the ifindex; then the
 *                                                     cookie of the namespace it is in)
 *   gone link sva veth-a 0 - 8193
 *   retract qdisc sva veth-a 0 - 8193                (the intent came to nothing)
 *
 * ifindexes are per namespace and start again in a new one, so a link or
 * qdisc record also names its namespace by cookie.
 */

#include <stddef.h>
#include <stdint.h>

#include "netnsctl/error.h"

struct nn_ctx;

/*
 * Objects in the host namespace (the one netnsctl runs in) have ns "" in the
 * API and NN_JOURNAL_HOST in the file ("." is no valid namespace name).
 * route: name is the destination ("10.1.0.0/24", "default", "default6");
 * nat: name is the rule's tag; sysctl: name "ipv4.ip_forward", id the value
 * before netnsctl changed it, plus one (so 0 still means "only intended").
 */
#define NN_JOURNAL_HOST "."

enum nn_obj_kind { NN_OBJ_NETNS, NN_OBJ_LINK, NN_OBJ_QDISC, NN_OBJ_ROUTE, NN_OBJ_NAT, NN_OBJ_SYSCTL };

struct nn_journal_entry {
	enum nn_obj_kind kind;
	char ns[256];		/* "-" for a namespace itself, "" for the host */
	char name[256];
	uint64_t id;		/* 0 while only intended */
	char owner[64];
	uint64_t ns_cookie;	/* links and qdiscs: their namespace's cookie */
};

/* Take the state dir's lock (flock LOCK_EX on STATE_DIR/lock), creating the
 * dir.  Held until the process exits.  Idempotent. */
int nn_state_lock(struct nn_ctx *ctx, struct nn_error *e);
/* The same without waiting: 1 when this process holds the lock now, 0 when
 * another process does. */
int nn_state_trylock(struct nn_ctx *ctx, struct nn_error *e);
/* Let the lock go before the process ends (a command that only reads). */
void nn_state_unlock(void);

int nn_journal_intent(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		      const char *name, const char *owner, struct nn_error *e);
int nn_journal_made(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		    const char *name, uint64_t id, const char *owner, struct nn_error *e);
/* The last intent for this object came to nothing (the kernel refused):
 * forget it, but keep an earlier "made" of the same object. */
int nn_journal_retract(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		       const char *name, struct nn_error *e);
int nn_journal_gone(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		    const char *name, struct nn_error *e);

/*
 * The objects the journal says netnsctl owns now: the latest record of each
 * (kind, ns, name) that is not "gone".  id is 0 for an object whose creation
 * was announced but never confirmed (netnsctl died in between).
 */
int nn_journal_owned(struct nn_ctx *ctx, struct nn_journal_entry **out, size_t *n,
		     struct nn_error *e);
/* Rewrite the journal to hold only ENTRIES (atomically: temp file + rename). */
int nn_journal_rewrite(struct nn_ctx *ctx, const struct nn_journal_entry *entries, size_t n,
		       struct nn_error *e);

const char *nn_obj_kind_name(enum nn_obj_kind kind);

#endif
