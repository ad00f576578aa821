/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_CTX_H
#define NETNSCTL_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "netnsctl/error.h"

/*
 * A context holds, per network namespace, an open namespace fd and one
 * rtnetlink socket created inside it (two files per namespace).  The socket
 * is opened lazily, once, and reused: a netlink socket stays bound to the
 * namespace it was created in, so configuring a namespace needs one setns()
 * in and out, not one per request; a namespace netnsctl makes gets its
 * socket while it is made, with no setns() at all.  Handles are found by
 * name in a hash.  The directories are settings so tests can point them
 * elsewhere.
 */

struct mnl_socket;

struct nn_ctx_opts {
	const char *run_dir;   /* bind mounts of named namespaces; default /run/netns */
	const char *state_dir; /* netnsctl's journal and lock; default /run/netnsctl */
	const char *etc_dir;   /* per-namespace /etc files; default /etc/netns */
};

struct nn_ctx;
struct nn_ns;

/* opts may be NULL; unset fields fall back to $NETNSCTL_RUN_DIR,
 * $NETNSCTL_STATE_DIR, $NETNSCTL_ETC_DIR, then the defaults above. */
int nn_ctx_new(struct nn_ctx **ctx, const struct nn_ctx_opts *opts, struct nn_error *e);
void nn_ctx_free(struct nn_ctx *ctx);

/*
 * Long operations (a plan's steps, deleting clients, reading hundreds of
 * namespaces) say how far they are: WHAT is the item at hand, DONE of
 * TOTAL are finished; DONE == TOTAL ends the operation.  The CLI draws it on
 * a terminal; no callback (the default): nothing.
 */
typedef void (*nn_progress_cb)(const char *what, size_t done, size_t total, void *arg);
void nn_ctx_set_progress(struct nn_ctx *ctx, nn_progress_cb cb, void *arg);
void nn_ctx_progress(struct nn_ctx *ctx, const char *what, size_t done, size_t total);

const char *nn_ctx_run_dir(const struct nn_ctx *ctx);
const char *nn_ctx_state_dir(const struct nn_ctx *ctx);
const char *nn_ctx_etc_dir(const struct nn_ctx *ctx);

/*
 * The handle of namespace NAME (opened on first use, then cached).  NAME NULL
 * or "" is the namespace netnsctl was started in (the host side).
 * ENOENT: 'namespace "NAME" does not exist'.
 */
int nn_ctx_ns(struct nn_ctx *ctx, const char *name, struct nn_ns **ns, struct nn_error *e);

/* True, with *NS, when CTX already holds a handle of NAME (opens nothing). */
bool nn_ctx_ns_cached(struct nn_ctx *ctx, const char *name, struct nn_ns **ns);

/* Drop the cached handle of NAME (after the namespace was deleted). */
void nn_ctx_ns_forget(struct nn_ctx *ctx, const char *name);

const char *nn_ns_name(const struct nn_ns *ns);	/* "" for the host */
/* For messages: 'namespace "sva"' or 'the host namespace'. */
const char *nn_ns_label(const struct nn_ns *ns);
int nn_ns_fd(const struct nn_ns *ns);

/* The namespace's cookie (SO_NETNS_COOKIE): unique for the boot and never
 * reused, unlike the nsfs inode number, so it tells a namespace from a later
 * one of the same name.  Read once per handle (the handle's fd holds that
 * namespace), then remembered. */
int nn_ns_cookie(struct nn_ns *ns, uint64_t *cookie, struct nn_error *e);

/* The namespace's rtnetlink socket (libmnl), extended and capped acks on.
 * Requests go through the kernel layer's nn_mnl_talk(), which reads every
 * answer once (no MSG_PEEK). */
struct mnl_socket *nn_ns_mnl(struct nn_ns *ns, struct nn_error *e);

/*
 * Run the calling thread inside NS until nn_ns_leave(); for work that depends
 * on the current namespace (/proc/sys/net, opening sockets).
 */
int nn_ns_enter(struct nn_ns *ns, int *saved_fd, struct nn_error *e);
void nn_ns_leave(int saved_fd);

/*
 * Netlink traffic of this process so far, every namespace and socket
 * together: SENDS is the number of send calls on netlink sockets (each a
 * round trip: netnsctl waits for the answer before the next), REQUESTS the
 * netlink messages they carried, BY_TYPE[T] the rtnetlink requests of
 * message type T (RTM_NEWLINK, ...), NETFILTER the nftables messages.  With
 * NETNSCTL_NL_STATS=FILE in the environment, a process that made a context
 * appends one line of them to FILE when it exits (tests count round trips
 * with it; see tests/integration/t-round-trips.sh):
 *   netlink pid=1234 sends=52 requests=52 RTM_NEWLINK=20 RTM_NEWADDR=16 ...
 */
#define NN_NL_TYPES 128
struct nn_nl_stats {
	unsigned long sends;
	unsigned long requests;
	unsigned long netfilter;
	unsigned long by_type[NN_NL_TYPES];
};
void nn_nl_stats_get(struct nn_nl_stats *out);

#endif
