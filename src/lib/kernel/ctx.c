// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netnsctl/ctx.h"
#include "util/cleanup.h"
#include "util/hash.h"
#include "kernel/nl.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

struct nn_ns {
	char *name;
	char *label;
	int fd;
	struct mnl_socket *mnl;
	bool have_cookie;
	uint64_t cookie;
};

struct nn_ctx {
	char *run_dir;
	char *state_dir;
	char *etc_dir;
	struct nn_hash nss;	/* name -> struct nn_ns */
	nn_progress_cb progress;
	void *progress_arg;
};

void nn_ctx_set_progress(struct nn_ctx *ctx, nn_progress_cb cb, void *arg)
{
	ctx->progress = cb;
	ctx->progress_arg = arg;
}

void nn_ctx_progress(struct nn_ctx *ctx, const char *what, size_t done, size_t total)
{
	if (ctx->progress)
		ctx->progress(what, done, total, ctx->progress_arg);
}

static char *pick(const char *opt, const char *env, const char *def)
{
	const char *v = opt;

	if (!v || !*v)
		v = getenv(env);
	if (!v || !*v)
		v = def;
	return strdup(v);
}

static pid_t stats_pid;

/* A diagnostic the caller asked for by name, not output: appended to the
 * file the environment names, by the process that registered it (a fork
 * that exits does not write its parent's counts again). */
static void write_stats(void)
{
	const char *path = getenv("NETNSCTL_NL_STATS");
	static const char *const names[NN_NL_TYPES] = {
		[RTM_NEWLINK] = "RTM_NEWLINK", [RTM_DELLINK] = "RTM_DELLINK",
		[RTM_GETLINK] = "RTM_GETLINK", [RTM_NEWADDR] = "RTM_NEWADDR",
		[RTM_DELADDR] = "RTM_DELADDR", [RTM_GETADDR] = "RTM_GETADDR",
		[RTM_NEWROUTE] = "RTM_NEWROUTE", [RTM_DELROUTE] = "RTM_DELROUTE",
		[RTM_GETROUTE] = "RTM_GETROUTE", [RTM_NEWQDISC] = "RTM_NEWQDISC",
		[RTM_DELQDISC] = "RTM_DELQDISC", [RTM_GETQDISC] = "RTM_GETQDISC",
		[RTM_GETNSID] = "RTM_GETNSID", [RTM_GETNETCONF] = "RTM_GETNETCONF",
	};
	char line[4096];
	struct nn_nl_stats s;
	size_t o;
	int fd;

	if (!path || !*path || getpid() != stats_pid)
		return;
	nn_nl_stats_get(&s);
	o = (size_t)snprintf(line, sizeof(line), "netlink pid=%d sends=%lu requests=%lu", (int)getpid(),
			     s.sends, s.requests);
	for (int t = 0; t < NN_NL_TYPES && o < sizeof(line); t++) {
		if (!s.by_type[t])
			continue;
		if (names[t])
			o += (size_t)snprintf(line + o, sizeof(line) - o, " %s=%lu", names[t], s.by_type[t]);
		else
			o += (size_t)snprintf(line + o, sizeof(line) - o, " type%d=%lu", t, s.by_type[t]);
	}
	if (s.netfilter && o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o, " netfilter=%lu", s.netfilter);
	if (o >= sizeof(line) - 1)
		o = sizeof(line) - 2;
	line[o++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, o) < 0) {
		/* nothing to tell anyone at exit */
	}
	close(fd);
}

int nn_ctx_new(struct nn_ctx **out, const struct nn_ctx_opts *opts, struct nn_error *e)
{
	struct nn_ctx *ctx = calloc(1, sizeof(*ctx));
	const char *stats = getenv("NETNSCTL_NL_STATS");

	if (!ctx)
		return nn_error_set(e, ENOMEM, "cannot allocate context");
	ctx->run_dir = pick(opts ? opts->run_dir : NULL, "NETNSCTL_RUN_DIR", "/run/netns");
	ctx->state_dir = pick(opts ? opts->state_dir : NULL, "NETNSCTL_STATE_DIR", "/run/netnsctl");
	ctx->etc_dir = pick(opts ? opts->etc_dir : NULL, "NETNSCTL_ETC_DIR", "/etc/netns");
	if (!ctx->run_dir || !ctx->state_dir || !ctx->etc_dir) {
		nn_ctx_free(ctx);
		return nn_error_set(e, ENOMEM, "cannot allocate context");
	}
	if (stats && *stats && stats_pid != getpid()) {
		stats_pid = getpid();
		atexit(write_stats);
	}
	*out = ctx;
	return 0;
}

static void ns_free(struct nn_ns *ns)
{
	if (ns->mnl)
		mnl_socket_close(ns->mnl);
	if (ns->fd >= 0)
		close(ns->fd);
	free(ns->name);
	free(ns->label);
	free(ns);
}

void nn_ctx_free(struct nn_ctx *ctx)
{
	const char *key;
	void *v;

	if (!ctx)
		return;
	for (size_t it = 0; nn_hash_next(&ctx->nss, &it, &key, &v);)
		ns_free(v);
	nn_hash_free(&ctx->nss);
	free(ctx->run_dir);
	free(ctx->state_dir);
	free(ctx->etc_dir);
	free(ctx);
}

const char *nn_ctx_run_dir(const struct nn_ctx *ctx) { return ctx->run_dir; }
const char *nn_ctx_state_dir(const struct nn_ctx *ctx) { return ctx->state_dir; }
const char *nn_ctx_etc_dir(const struct nn_ctx *ctx) { return ctx->etc_dir; }

/* A handle of NAME holding FD (and NL, may be NULL), not in CTX yet. */
static struct nn_ns *ns_new(const char *name, int fd, struct mnl_socket *nl)
{
	struct nn_ns *ns = calloc(1, sizeof(*ns));

	if (!ns)
		return NULL;
	ns->fd = fd;
	ns->mnl = nl;
	ns->name = strdup(name);
	if (*name) {
		if (asprintf(&ns->label, "namespace \"%s\"", name) < 0)
			ns->label = NULL;
	} else {
		ns->label = strdup("the host namespace");
	}
	if (!ns->name || !ns->label) {
		ns->fd = -1;
		ns->mnl = NULL;
		ns_free(ns);
		return NULL;
	}
	return ns;
}

int nn_ctx_ns(struct nn_ctx *ctx, const char *name, struct nn_ns **out, struct nn_error *e)
{
	char path[PATH_MAX];
	struct nn_ns *ns;
	int fd;

	if (!name)
		name = "";
	if ((ns = nn_hash_get(&ctx->nss, name))) {
		*out = ns;
		return 0;
	}
	if (*name) {
		snprintf(path, sizeof(path), "%s/%s", ctx->run_dir, name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} else {
		/* /proc/self names the main thread's namespace; a worker thread may be elsewhere. */
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		if (errno == ENOENT)
			return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", name);
		return nn_error_set(e, errno, "cannot open namespace \"%s\"", name);
	}
	if (!(ns = ns_new(name, fd, NULL))) {
		close(fd);
		return nn_error_set(e, ENOMEM, "cannot allocate namespace handle");
	}
	if (nn_hash_put(&ctx->nss, name, ns) < 0) {
		ns_free(ns);
		return nn_error_set(e, ENOMEM, "cannot allocate namespace handle");
	}
	*out = ns;
	return 0;
}

int nn_ctx_ns_adopt(struct nn_ctx *ctx, const char *name, int fd, struct mnl_socket *nl,
		    const uint64_t *cookie, struct nn_ns **out, struct nn_error *e)
{
	struct nn_ns *ns = ns_new(name, fd, nl);

	/* A handle cached under this name is of a namespace that is gone. */
	nn_ctx_ns_forget(ctx, name);
	if (!ns) {
		if (nl)
			mnl_socket_close(nl);
		if (fd >= 0)
			close(fd);
		return nn_error_set(e, ENOMEM, "cannot allocate namespace handle");
	}
	if (nn_hash_put(&ctx->nss, name, ns) < 0) {
		ns_free(ns);
		return nn_error_set(e, ENOMEM, "cannot allocate namespace handle");
	}
	if (cookie) {
		ns->have_cookie = true;
		ns->cookie = *cookie;
	}
	*out = ns;
	return 0;
}

bool nn_ctx_ns_cached(struct nn_ctx *ctx, const char *name, struct nn_ns **out)
{
	struct nn_ns *ns = nn_hash_get(&ctx->nss, name ? name : "");

	if (ns)
		*out = ns;
	return ns != NULL;
}

void nn_ctx_ns_forget(struct nn_ctx *ctx, const char *name)
{
	void *v;

	if (nn_hash_del(&ctx->nss, name ? name : "", &v) && v)
		ns_free(v);
}

const char *nn_ns_name(const struct nn_ns *ns) { return ns->name; }
const char *nn_ns_label(const struct nn_ns *ns) { return ns->label; }
int nn_ns_fd(const struct nn_ns *ns) { return ns->fd; }

int nn_ns_enter(struct nn_ns *ns, int *saved_fd, struct nn_error *e)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		return nn_error_set(e, errno, "cannot open the current network namespace");
	if (setns(ns->fd, CLONE_NEWNET) < 0) {
		int err = errno;

		close(self);
		return nn_error_set(e, err, "cannot enter %s", ns->label);
	}
	*saved_fd = self;
	return 0;
}

void nn_ns_leave(int saved_fd)
{
	/* Failing to return would leave every later request in the wrong namespace. */
	if (setns(saved_fd, CLONE_NEWNET) < 0)
		abort();
	close(saved_fd);
}

int nn_ns_cookie(struct nn_ns *ns, uint64_t *cookie, struct nn_error *e)
{
	struct mnl_socket *nl;
	socklen_t len = sizeof(*cookie);

	if (ns->have_cookie) {
		*cookie = ns->cookie;
		return 0;
	}
	if (!(nl = nn_ns_mnl(ns, e)))
		return -e->code;
	if (getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len) < 0)
		return nn_error_set(e, errno, "cannot read the cookie of %s", ns->label);
	ns->have_cookie = true;
	ns->cookie = *cookie;
	return 0;
}

struct mnl_socket *nn_rtnl_open(int *err)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	int one = 1;

	if (!nl) {
		*err = errno;
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*err = errno;
		mnl_socket_close(nl);
		return NULL;
	}
	/* The kernel's own words for a refusal; acks without the request echoed. */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return nl;
}

struct mnl_socket *nn_ns_mnl(struct nn_ns *ns, struct nn_error *e)
{
	struct mnl_socket *nl;
	int saved = -1, err = 0;

	if (ns->mnl)
		return ns->mnl;
	if (nn_ns_enter(ns, &saved, e) < 0)
		return NULL;
	/* Bound inside (bind checks nothing of the namespace, but the socket
	 * belongs to the one it is created in). */
	nl = nn_rtnl_open(&err);
	nn_ns_leave(saved);
	if (!nl) {
		nn_error_set(e, err, "cannot open a netlink socket in %s", ns->label);
		return NULL;
	}
	ns->mnl = nl;
	return nl;
}
