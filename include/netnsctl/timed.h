/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_TIMED_H
#define NETNSCTL_TIMED_H

/*
 * Timed changes (`--for DURATION`, docs/timelines.md): a change that is
 * undone at a deadline even when the netnsctl that made it is gone.
 *
 * The deadline journal, STATE_DIR/timed/deadlines, holds one record per
 * object a timed change touched: what it was before, what the change made
 * it, and when to put it back.  The change's maker writes the record
 * (synced, the file replaced atomically) and starts the reverter BEFORE it
 * changes the kernel, holding the state lock throughout:
 *
 *	nn_state_lock; read the object; nn_timed_arm; nn_reverter_ensure;
 *	change the kernel; (nn_timed_disarm when the change failed)
 *
 * so a maker killed at any point leaves a record and a reverter.  The
 * reverter (`netnsctl reverter`, a detached process: nn_reverter_run) holds
 * STATE_DIR/timed/reverter.lock (a POSIX lock: F_GETLK names its pid),
 * sleeps on a CLOCK_BOOTTIME timer until the first deadline or a change of
 * the file (inotify), and at each deadline, under the state lock, reverts
 * what is due and drops its record; it exits when no record is left (with
 * its own lock let go before the state lock, so that a maker never sees a
 * reverter that is about to leave).  `cleanup` reverts every record
 * (nn_timed_pass with ALL), expired or not; `list --json` shows them.
 *
 * A revert puts the object back only when it still is what the change made
 * it (owner.h's rule for timed changes): the same namespace (cookie), the
 * same link (ifindex), and for a qdisc the same root (handle and spec), for
 * a link the same admin state, for a partition the objects bearing its
 * nonce.  Anything changed since is someone else's doing and is left.
 *
 * A record is one line:
 *	timed ID BOOT_NS WALL_S KIND NS NAME COOKIE IFINDEX BEFORE DURING
 *   ID       16 hex digits, shared by the records of one change
 *   BOOT_NS  the deadline, CLOCK_BOOTTIME nanoseconds ("-": none, a held change)
 *   WALL_S   the same deadline in seconds since the epoch (for people; "-")
 *   KIND     qdisc | link | partition
 *   NS NAME  the namespace ("." the host) and the link (a partition: its id),
 *            %XX-encoded as the journal's fields
 *   COOKIE   the namespace's cookie; IFINDEX the link's (0 for a partition)
 *   BEFORE, DURING
 *     link:      up | down
 *     qdisc:     none | netem/H/delay=NS,jitter=NS,corr=P,loss=P,loss_corr=P,
 *                dup=P,dup_corr=P,reorder=P,reorder_corr=P,corrupt=P,
 *                corrupt_corr=P,gap=N,limit=N,rate=B,dist=D
 *                | tbf/H/rate=B,burst=N,limit=N,latency=NS
 *                (H the handle's major in hex; P u32 probabilities; exact integers)
 *     partition: - | nonce=HEX
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "netnsctl/error.h"
#include "netnsctl/qdisc.h"

struct nn_ctx;

#define NN_TIMED_LINE_MAX 4096
/* The deadline of a held change: one made without --for (link-down,
 * partition), journalled here so that cleanup and link-up/heal put it back,
 * but never due (written "-" for BOOT_NS and WALL_S; no reverter is
 * started for it, and a reverter leaves when only such records are left). */
#define NN_TIMED_NEVER UINT64_MAX

enum nn_timed_kind { NN_TIMED_QDISC, NN_TIMED_LINK, NN_TIMED_PARTITION };

/* A root qdisc as a timed record holds it. */
struct nn_timed_qdisc {
	enum nn_qdisc_kind kind;	/* NN_QDISC_OTHER: none of netnsctl's (the kernel's default) */
	uint32_t handle;		/* major << 16 */
	struct nn_netem netem;
	struct nn_tbf tbf;
};

struct nn_timed {
	uint64_t id;
	uint64_t deadline_ns;	/* CLOCK_BOOTTIME */
	int64_t deadline_wall;	/* seconds since the epoch */
	enum nn_timed_kind kind;
	char ns[256];		/* "" for the host */
	char name[256];		/* the link; a partition's id */
	uint64_t ns_cookie;
	int ifindex;		/* 0 for a partition */
	bool before_up, during_up;	/* link */
	struct nn_timed_qdisc before_q, during_q;	/* qdisc */
	uint64_t nonce;		/* partition */
};

/* CLOCK_BOOTTIME now, in ns (deadlines count the time a machine sleeps). */
uint64_t nn_timed_now(void);
/* A new change id: 64 random bits, never 0. */
uint64_t nn_timed_new_id(void);

/* T as its line (with the newline) into BUF; -ENAMETOOLONG when it does not fit. */
int nn_timed_format(const struct nn_timed *t, char *buf, size_t len);
/* One line (with or without its newline) into T; -EINVAL for anything else. */
int nn_timed_parse(const char *line, struct nn_timed *t);

/* The earliest deadline of V, UINT64_MAX when N is 0. */
uint64_t nn_timed_next(const struct nn_timed *v, size_t n);

/* The records of the deadline journal (none: N = 0).  Lines that do not
 * read are counted in *BAD (may be NULL) and left out. */
int nn_timed_load(struct nn_ctx *ctx, struct nn_timed **v, size_t *n, size_t *bad,
		  struct nn_error *e);
/* Replace the deadline journal with V (N 0: remove it): a temporary file,
 * synced, renamed into place. */
int nn_timed_store(struct nn_ctx *ctx, const struct nn_timed *v, size_t n, struct nn_error *e);
/* Add records (the caller holds the state lock). */
int nn_timed_arm(struct nn_ctx *ctx, const struct nn_timed *v, size_t n, struct nn_error *e);
/* Drop every record of change ID; the number dropped. */
int nn_timed_disarm(struct nn_ctx *ctx, uint64_t id, struct nn_error *e);

/* Put T's object back; 1 when it was put back, 0 when it is no longer what
 * the change made it (or is gone): nothing to do. */
typedef int (*nn_timed_revert_fn)(struct nn_ctx *ctx, const struct nn_timed *t, void *arg,
				  struct nn_error *e);
/* A one-line message for the reverter's log. */
typedef void (*nn_timed_log_fn)(const char *msg, void *arg);

/* The revert by the kernel functions themselves (link.h, qdisc.h,
 * partition.h), after the checks above.  (The engine may later plan it
 * instead: the same checks, then a step.) */
int nn_timed_revert(struct nn_ctx *ctx, const struct nn_timed *t, void *arg, struct nn_error *e);

/*
 * One pass over the deadline journal: every record due at NOW (every
 * record, with ALL) is handed to REVERT and then dropped; a revert that
 * fails is logged, and dropped too unless its error may pass (EINTR,
 * EAGAIN, EBUSY, ENOMEM, ENOBUFS: kept for the next pass).  The caller
 * holds the state lock.  *NEXT (may be NULL): the earliest deadline left,
 * UINT64_MAX for none; *REVERTED (may be NULL): how many were put back.
 */
int nn_timed_pass(struct nn_ctx *ctx, uint64_t now, bool all, nn_timed_revert_fn revert,
		  nn_timed_log_fn log, void *arg, uint64_t *next, size_t *reverted,
		  struct nn_error *e);

/* The records as `list --json` shows them: a JSON array on F,
 * [{"id":"...","kind":"link","ns":"a","name":"to-b","deadline":"2026-...Z",
 *   "deadline_s":1765000000,"in_ms":1234,"before":"up","during":"down"}, ...]
 * NOW is nn_timed_now() (for in_ms). */
void nn_timed_json(FILE *f, const struct nn_timed *v, size_t n, uint64_t now);

/* --- the reverter's process --- */

/* Its pid; 0 when none runs; -1 when that cannot be told. */
pid_t nn_reverter_pid(struct nn_ctx *ctx);

/*
 * Start a reverter when records exist and none runs: a detached process
 * (its own session, "/" as its directory, stdin and stdout /dev/null,
 * stderr appended to STATE_DIR/timed/reverter.log, no other descriptor),
 * running ARGV (NULL: this program's "reverter" command), or, with ARGV
 * NULL and RUN given, RUN in the forked process itself (for tests: it
 * makes its own context; NETNSCTL_*_DIR say the context's directories).
 * Returns once it holds its lock: 1 started, 0 one runs already or there
 * is nothing to revert.
 */
int nn_reverter_ensure(struct nn_ctx *ctx, char *const argv[], int (*run)(void),
		       struct nn_error *e);

/*
 * The reverter itself: take the lock (none taken: another runs, return 0),
 * then pass at each deadline (nn_timed_pass under the state lock) until no
 * record is left.  Woken by the deadline journal's changes (inotify) and a
 * CLOCK_BOOTTIME timer at the first deadline.  A pass waits for the state
 * lock: a command holding it delays the reverts due meanwhile.
 */
int nn_reverter_run(struct nn_ctx *ctx, nn_timed_revert_fn revert, nn_timed_log_fn log,
		    void *arg, struct nn_error *e);

#endif
