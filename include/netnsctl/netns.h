/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NETNS_H
#define NETNSCTL_NETNS_H

/*
 * Named network namespaces exactly as iproute2 makes them: a bind mount of
 * the namespace file under the run dir (/run/netns/NAME), made under flock on
 * the run dir, per-namespace files in /etc/netns/NAME.  Namespaces made here
 * are ip-netns namespaces and the other way round.
 */

#include <stddef.h>
#include <stdint.h>

#include "netnsctl/error.h"

struct nn_ctx;

/*
 * Returns 1 when created, 0 when NAME already existed as a namespace mount.
 * A stale file (left by a crash: exists but is not a namespace mount) is
 * removed and the namespace made; an empty file made less than a second ago
 * is first given that second to become a mount (another ip netns add may be
 * between creating and binding it).  The new namespace's loopback is up.
 * The calling thread's own namespace is unchanged afterwards; callable from
 * any thread.  A NAME that is empty, ".", "..", has a '/' or is longer than
 * NAME_MAX is -EINVAL here too (for every function below).
 */
int nn_netns_add(struct nn_ctx *ctx, const char *name, struct nn_error *e);

/*
 * The same, telling INTENT the new namespace's cookie after the namespace
 * exists and before it is named NAME (the journal's intent is written
 * there): a failure of INTENT leaves nothing made.  When NAME already is a
 * namespace the result is 0, with INTENT called or not (a namespace made
 * by someone else meanwhile): then the intent came to nothing.
 */
typedef int (*nn_netns_intent_cb)(uint64_t cookie, void *arg, struct nn_error *e);
int nn_netns_add_proven(struct nn_ctx *ctx, const char *name, nn_netns_intent_cb intent,
			void *arg, struct nn_error *e);

/* Returns 1 when deleted (a stale file counts), 0 when there was none.  Also
 * forgets the handle cached in CTX.  /etc/netns/NAME is left alone (as ip
 * netns del does). */
int nn_netns_del(struct nn_ctx *ctx, const char *name, struct nn_error *e);

/* 1 when NAME is a live namespace mount in the run dir, 0 when not,
 * -errno with E ('cannot look at namespace "NAME": ...') when that cannot
 * be told (EMFILE, EACCES, ...). */
int nn_netns_exists(struct nn_ctx *ctx, const char *name, struct nn_error *e);
/* The same look, and with 1, *FD open on the namespace (the caller's to
 * close): one open serves the look and what follows it. */
int nn_netns_open(struct nn_ctx *ctx, const char *name, int *fd, struct nn_error *e);

/* Namespace NAME's cookie, keeping nothing open afterwards (a handle CTX
 * already holds is used as it is): for checking many namespaces, each once,
 * without one open file per namespace for the rest of the run.  ENOENT when
 * NAME is no namespace. */
int nn_netns_cookie(struct nn_ctx *ctx, const char *name, uint64_t *cookie, struct nn_error *e);
/* The same, and an open descriptor of the namespace it read (the caller's
 * to close, or to hand to nn_ctx_ns_adopt()): held, its namespace and the
 * identity of its file cannot be another's. */
int nn_netns_cookie_fd(struct nn_ctx *ctx, const char *name, uint64_t *cookie, struct nn_error *e);
/* The cookie of the namespace FD is open on (NAME for messages): its
 * NS_GET_ID where this kernel's ids are the cookies (checked once a process),
 * else read from a socket made inside it, the calling thread then put back
 * in SELF, an open descriptor of its own namespace (kept by a caller reading
 * many). */
int nn_netns_fd_cookie(int fd, int self, const char *name, uint64_t *cookie, struct nn_error *e);
/* Does NAME in the run dir name the namespace NS holds (the same nsfs
 * inode)?  A handle held since its cookie was read then has that cookie. */
int nn_netns_same(struct nn_ctx *ctx, const char *name, struct nn_ns *ns);

/* 1 when NAME in the run dir is only a dead mount point (an empty file with
 * no mount on it: a netnsctl or ip killed between making it and binding a
 * namespace to it, or between unmounting and removing it), 0 when it is
 * anything else or nothing; -errno with E when that cannot be told.  A file
 * made less than a second ago is given that second to become a namespace. */
int nn_netns_dead(struct nn_ctx *ctx, const char *name, struct nn_error *e);

/* Sorted names of the namespaces in the run dir; free with nn_netns_list_free. */
int nn_netns_list(struct nn_ctx *ctx, char ***names, size_t *n, struct nn_error *e);
void nn_netns_list_free(char **names, size_t n);

/*
 * ip netns exec: enter NAME, a private mount namespace with / rslave, a fresh
 * sysfs (read-only if /sys was), each /etc/netns/NAME/X bound over /etc/X (X
 * missing from /etc: skipped; other bind failures: error), then execvp(argv).
 * Returns only on failure (the exit status of a success is the command's
 * own), then with the process already moved: exit.  e->code is execvp's errno
 * when the command could not run (ENOENT, EACCES...).  Single-threaded
 * callers only: unshare(CLONE_NEWNS) fails with EINVAL in a threaded process.
 */
int nn_netns_exec(struct nn_ctx *ctx, const char *name, char *const argv[], struct nn_error *e);

#endif
