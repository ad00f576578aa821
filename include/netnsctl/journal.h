/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_JOURNAL_H
#define NETNSCTL_JOURNAL_H

/*
 * The ownership journal: an append-only text file in the state dir with one
 * line per object netnsctl is about to make ("intent"), has made ("made",
 * with the kernel's id of it) and has removed ("gone").  Each intent is
 * written and synced before the netlink request it announces, so a netnsctl
 * killed at any point leaves a journal from which `cleanup` removes exactly
 * what netnsctl made, and nothing else.  Writers hold the state dir's lock.
 *
 *   intent netns - sva 0 create-veth-pair 0 cookie=8193
 *   made netns - sva 8193 create-veth-pair 0 cookie=8193   (id: the netns cookie)
 *   intent link sva veth-a 0 create-veth-pair 8193 mac=02:5e:11:22:33:44
 *   made link sva veth-a 7 create-veth-pair 8193 mac=02:5e:11:22:33:44
 *                                (id: the ifindex; then the cookie of the
 *                                 namespace it is in; then the proof)
 *   gone link sva veth-a 0 - 8193 -
 *   retract qdisc sva veth-a 0 - 8193 -      (the intent came to nothing)
 *
 * ifindexes are per namespace and start again in a new one, so a link or
 * qdisc record also names its namespace by cookie.
 *
 * The last field is the proof: the mark the object bears from the request
 * that makes it, chosen (or, for a namespace, read) before the intent is
 * written, so that even an intent with no "made" record after it tells
 * netnsctl's object from another of the same name made later by someone
 * else (see owner.h):
 *   netns   cookie=C          the new namespace's cookie, read before it is named
 *   link    mac=M             the MAC set in the create request (veth: each end)
 *   qdisc   qdisc=H:@I        the handle set in the request, on ifindex I
 *   route   proto=P           the route's protocol (NN_RTPROT)
 *   nat     nonce=N           64 random bits in the rule's userdata
 *   filter  redirect=HEX      the 8-byte cookie of the mirred action (16 hex digits)
 *   clsact  clsact@I          on ifindex I (it bears no mark: it is removed only when empty)
 * "-" is none.  Journals written before proofs existed have no last field
 * (seven fields): they still read, and such a record proves nothing but what
 * its id says (a namespace's cookie, a link's ifindex).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

enum nn_obj_kind { NN_OBJ_NETNS, NN_OBJ_LINK, NN_OBJ_QDISC, NN_OBJ_ROUTE, NN_OBJ_NAT, NN_OBJ_SYSCTL,
		  /* Ingress impairments (ifb.h): the redirect filter on link NAME's
		   * ingress (id: NAME's ifindex; proof redirect=COOKIE, its action's
		   * cookie), and the clsact qdisc netnsctl made for it (id: the
		   * ifindex; proof clsact@IFINDEX). */
		  NN_OBJ_FILTER, NN_OBJ_CLSACT };

/* The mark an object bears from its create request (see above). */
struct nn_proof {
	bool set;
	uint64_t value;		/* cookie, MAC (low 48 bits, first byte highest),
				 * qdisc handle, route protocol or NAT nonce */
	int ifindex;		/* qdisc: the link it is on */
};

struct nn_journal_entry {
	enum nn_obj_kind kind;
	char ns[256];		/* "-" for a namespace itself, "" for the host */
	char name[256];
	uint64_t id;		/* 0 while only intended */
	char owner[64];
	uint64_t ns_cookie;	/* links and qdiscs: their namespace's cookie */
	struct nn_proof proof;	/* id != 0: the "made" record's */
	/* An intent not followed (yet) by its "made" or "retract" record: the
	 * object may exist with this proof (set or not: an old record). */
	bool pending;
	struct nn_proof intent;
};

/* Take the state dir's lock (flock LOCK_EX on STATE_DIR/lock), creating the
 * dir.  Held until the process exits.  Idempotent. */
int nn_state_lock(struct nn_ctx *ctx, struct nn_error *e);
/* The same without waiting: 1 when this process holds the lock now, 0 when
 * another process does. */
int nn_state_trylock(struct nn_ctx *ctx, struct nn_error *e);
/* Let the lock go before the process ends (a command that only reads). */
void nn_state_unlock(void);

enum nn_journal_op { NN_JOURNAL_INTENT, NN_JOURNAL_MADE, NN_JOURNAL_GONE, NN_JOURNAL_RETRACT };

/*
 * Append one record and sync it (fdatasync) before returning: for a record
 * that must be on disk before the request it announces.  PROOF may be NULL
 * (none).  AT (may be NULL) is where the record starts in the file, for
 * nn_journal_void().
 *
 * While this process holds the state lock (nn_state_lock), the journal
 * stays open between records: a record is one write(), an intent one
 * write() and one fdatasync().  Without the lock each record opens and
 * closes the file, as a reader's would.
 */
int nn_journal_append(struct nn_ctx *ctx, enum nn_journal_op op, enum nn_obj_kind kind,
		      const char *ns, const char *name, uint64_t id, const char *owner,
		      const struct nn_proof *proof, off_t *at, struct nn_error *e);
/* nn_journal_append() of an intent (synced: before its request). */
int nn_journal_intent(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		      const char *name, const char *owner, const struct nn_proof *proof,
		      struct nn_error *e);
/* An intent without its sync, for all but the last of several intents that
 * announce one request (a veth's two ends): the last one's
 * nn_journal_intent() syncs them all, one fdatasync for the request. */
int nn_journal_intent_unsynced(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
			       const char *name, const char *owner, const struct nn_proof *proof,
			       struct nn_error *e);
/*
 * A "made" record: appended WITHOUT its own sync.  It announces no request,
 * and the intent before it already proves the object is netnsctl's; it is
 * synced with the next intent, by nn_journal_sync(), by nn_state_unlock(),
 * and when the process exits.  (A killed process's writes are in the
 * kernel already; only the machine going down could lose it, and the
 * objects with it.)  The same for nn_journal_gone() and
 * nn_journal_retract().
 */
int nn_journal_made(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		    const char *name, uint64_t id, const char *owner, const struct nn_proof *proof,
		    struct nn_error *e);
/* Sync the records appended without a sync (none waiting: 0).  For the end
 * of a run: an apply calls it before it reports success. */
int nn_journal_sync(struct nn_ctx *ctx, struct nn_error *e);
/*
 * Make the record this process appended at AT one the reader skips, in
 * place: no byte is added, so it works on a full disk.  For undoing a record
 * whose object was put back as it was (the reader then sees the records
 * before it again).  -ESTALE when AT holds no record of ours.
 */
int nn_journal_void(struct nn_ctx *ctx, off_t at, struct nn_error *e);
/* The last intent for this object came to nothing (the kernel refused):
 * forget it, but keep an earlier "made" of the same object. */
int nn_journal_retract(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		       const char *name, struct nn_error *e);
int nn_journal_gone(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		    const char *name, struct nn_error *e);

/*
 * The objects the journal says netnsctl owns now: the latest record of each
 * (kind, ns, name) that is not "gone".  id is 0 for an object whose creation
 * was announced but never confirmed (netnsctl died in between): only its
 * intent's proof can show the object is netnsctl's (owner.h).
 */
int nn_journal_owned(struct nn_ctx *ctx, struct nn_journal_entry **out, size_t *n,
		     struct nn_error *e);
/* Rewrite the journal to hold only ENTRIES (atomically: temp file + rename). */
int nn_journal_rewrite(struct nn_ctx *ctx, const struct nn_journal_entry *entries, size_t n,
		       struct nn_error *e);
/* Under the state lock, when the journal has grown to more than twice the
 * records of what it holds (and 1024 more; re-applies append two records a
 * changed object): rewritten to hold just that.  Else, or once this process
 * was handed a record's offset (nn_journal_append()'s AT), nothing. */
int nn_journal_compact(struct nn_ctx *ctx, struct nn_error *e);

const char *nn_obj_kind_name(enum nn_obj_kind kind);

/* PROOF of an object of KIND as the journal writes it ("-" for none), and
 * back: a field of another form, or of another kind's form, is -1 (a record
 * with such a field is not read at all). */
const char *nn_proof_format(char *buf, size_t len, enum nn_obj_kind kind,
			    const struct nn_proof *proof);
int nn_proof_parse(const char *s, enum nn_obj_kind kind, struct nn_proof *proof);

#endif
