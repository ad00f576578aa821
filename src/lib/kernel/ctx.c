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

#include <libmnl/libmnl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "netnsctl/ctx.h"
#include "util/cleanup.h"
#include "kernel/nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct nn_ns {
	struct nn_ns *next;
	char *name;
	char *label;
	int fd;
	struct nl_sock *nl;
	struct mnl_socket *mnl;
	struct nn_nl_capture cap;
};

struct nn_ctx {
	char *run_dir;
	char *state_dir;
	char *etc_dir;
	struct nn_ns *nss;
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

int nn_ctx_new(struct nn_ctx **out, const struct nn_ctx_opts *opts, struct nn_error *e)
{
	struct nn_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return nn_error_set(e, ENOMEM, "cannot allocate context");
	ctx->run_dir = pick(opts ? opts->run_dir : NULL, "NETNSCTL_RUN_DIR", "/run/netns");
	ctx->state_dir = pick(opts ? opts->state_dir : NULL, "NETNSCTL_STATE_DIR", "/run/netnsctl");
	ctx->etc_dir = pick(opts ? opts->etc_dir : NULL, "NETNSCTL_ETC_DIR", "/etc/netns");
	if (!ctx->run_dir || !ctx->state_dir || !ctx->etc_dir) {
		nn_ctx_free(ctx);
		return nn_error_set(e, ENOMEM, "cannot allocate context");
	}
	*out = ctx;
	return 0;
}

static void ns_free(struct nn_ns *ns)
{
	if (ns->nl)
		nl_socket_free(ns->nl);
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
	if (!ctx)
		return;
	while (ctx->nss) {
		struct nn_ns *n = ctx->nss;

		ctx->nss = n->next;
		ns_free(n);
	}
	free(ctx->run_dir);
	free(ctx->state_dir);
	free(ctx->etc_dir);
	free(ctx);
}

const char *nn_ctx_run_dir(const struct nn_ctx *ctx) { return ctx->run_dir; }
const char *nn_ctx_state_dir(const struct nn_ctx *ctx) { return ctx->state_dir; }
const char *nn_ctx_etc_dir(const struct nn_ctx *ctx) { return ctx->etc_dir; }

int nn_ctx_ns(struct nn_ctx *ctx, const char *name, struct nn_ns **out, struct nn_error *e)
{
	char path[PATH_MAX];
	struct nn_ns *ns;

	if (!name)
		name = "";
	for (ns = ctx->nss; ns; ns = ns->next) {
		if (!strcmp(ns->name, name)) {
			*out = ns;
			return 0;
		}
	}
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return nn_error_set(e, ENOMEM, "cannot allocate namespace handle");
	ns->fd = -1;
	ns->name = strdup(name);
	if (*name) {
		if (asprintf(&ns->label, "namespace \"%s\"", name) < 0)
			ns->label = NULL;
	} else {
		ns->label = strdup("the host namespace");
	}
	if (!ns->name || !ns->label) {
		ns_free(ns);
		return nn_error_set(e, ENOMEM, "cannot allocate namespace handle");
	}
	if (*name) {
		snprintf(path, sizeof(path), "%s/%s", ctx->run_dir, name);
		ns->fd = open(path, O_RDONLY | O_CLOEXEC);
	} else {
		/* /proc/self names the main thread's namespace; a worker thread may be elsewhere. */
		ns->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	}
	if (ns->fd < 0) {
		int err = errno;

		ns_free(ns);
		if (err == ENOENT)
			return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", name);
		return nn_error_set(e, err, "cannot open namespace \"%s\"", name);
	}
	ns->next = ctx->nss;
	ctx->nss = ns;
	*out = ns;
	return 0;
}

bool nn_ctx_ns_cached(struct nn_ctx *ctx, const char *name, struct nn_ns **out)
{
	for (struct nn_ns *ns = ctx->nss; ns; ns = ns->next) {
		if (!strcmp(ns->name, name ? name : "")) {
			*out = ns;
			return true;
		}
	}
	return false;
}

void nn_ctx_ns_forget(struct nn_ctx *ctx, const char *name)
{
	struct nn_ns **pp;

	for (pp = &ctx->nss; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->name, name)) {
			struct nn_ns *n = *pp;

			*pp = n->next;
			ns_free(n);
			return;
		}
	}
}

const char *nn_ns_name(const struct nn_ns *ns) { return ns->name; }
const char *nn_ns_label(const struct nn_ns *ns) { return ns->label; }
int nn_ns_fd(const struct nn_ns *ns) { return ns->fd; }
struct nn_nl_capture *nn_ns_capture(struct nn_ns *ns) { return &ns->cap; }

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

struct nl_sock *nn_ns_nl(struct nn_ns *ns, struct nn_error *e)
{
	struct nl_sock *sk;
	int saved = -1, one = 1, ret, sys;

	if (ns->nl)
		return ns->nl;
	if (nn_ns_enter(ns, &saved, e) < 0)
		return NULL;
	sk = nl_socket_alloc();
	errno = 0;
	ret = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
	/* libnl says "unspecific failure" for errnos it has no code for (EMFILE) */
	sys = errno;
	nn_ns_leave(saved);
	if (ret < 0) {
		if (sk)
			nl_socket_free(sk);
		nn_error_set(e, ret == -NLE_FAILURE && sys ? sys : nn_nl_errno_from_nle(ret),
			     "cannot open a netlink socket in %s", ns->label);
		return NULL;
	}
	/* Large dumps (hundreds of links) must not hit the default buffer. */
	nl_socket_set_buffer_size(sk, 1 << 20, 1 << 20);
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	nn_nl_install_capture(sk, &ns->cap);
	ns->nl = sk;
	return sk;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int nn_ns_cookie(struct nn_ns *ns, uint64_t *cookie, struct nn_error *e)
{
	struct mnl_socket *nl = nn_ns_mnl(ns, e);
	socklen_t len = sizeof(*cookie);

	if (!nl)
		return -e->code;
	if (getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len) < 0)
		return nn_error_set(e, errno, "cannot read the cookie of %s", ns->label);
	return 0;
}

struct mnl_socket *nn_ns_mnl(struct nn_ns *ns, struct nn_error *e)
{
	struct mnl_socket *nl;
	int saved = -1, one = 1, err = 0;

	if (ns->mnl)
		return ns->mnl;
	if (nn_ns_enter(ns, &saved, e) < 0)
		return NULL;
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		err = errno;
	nn_ns_leave(saved);
	if (!nl) {
		nn_error_set(e, err, "cannot open a netlink socket in %s", ns->label);
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		mnl_socket_close(nl);
		nn_error_set(e, err, "cannot bind a netlink socket in %s", ns->label);
		return NULL;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	ns->mnl = nl;
	return nl;
}
