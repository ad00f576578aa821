// SPDX-License-Identifier: GPL-2.0-or-later
/* cleanup: remove what the journal says netnsctl made, after checking each
 * object against the kernel, and nothing else. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <unistd.h>

#include "netnsctl/clients.h"
#include "netnsctl/ctx.h"
#include "netnsctl/ifb.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/nat.h"
#include "netnsctl/proc.h"
#include "netnsctl/netns.h"
#include "netnsctl/owner.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/route.h"
#include "netnsctl/timed.h"
#include "cli.h"
#include "commands.h"

static bool ns_deleted_too(const struct nn_journal_entry *v, size_t n, const char *ns,
			   const bool *ours)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == NN_OBJ_NETNS && ours[i] && !strcmp(v[i].name, ns))
			return true;
	return false;
}

static const char *where(const char *ns)
{
	return *ns ? ns : "the host";
}

/*
 * Routes, NAT rules and sysctls: undo them where they outlive a namespace.
 * Whether each is still what netnsctl made is nn_owner_check()'s to say
 * (owner.h); it answers 1, 0 or -errno when it cannot tell (no file
 * descriptors left, ...): cleanup then stops and keeps the journal, rather
 * than take "cannot tell" for "not ours" and forget the object.
 */
static int cleanup_other(struct nn_ctx *ctx, const struct nn_journal_entry *j, bool dry,
			 size_t *changed, struct nn_error *e)
{
	struct nn_owned o;
	struct nn_prefix dst;
	bool on;
	int r;

	if ((r = nn_owner_check(ctx, j, &o, e)) <= 0)
		return r;
	switch (j->kind) {
	case NN_OBJ_ROUTE:
		if (nn_journal_route_dst(j->name, &dst) < 0)
			return 0;
		printf("%sdelete route %s in %s\n", dry ? "would " : "", j->name, where(j->ns));
		(*changed)++;
		/* Only a route of netnsctl's protocol: the kernel matches it. */
		return dry ? 0 : nn_route_del_proto(o.ns, &dst, NN_RTPROT, e);
	case NN_OBJ_NAT:
		printf("%sdelete NAT rule %s\n", dry ? "would " : "", j->name);
		(*changed)++;
		return dry ? 0 : nn_nat_rule_del(o.ns, j->name, nn_owner_nat_nonce(j), e);
	case NN_OBJ_FILTER: {
		/* An ingress redirect, by its cookie (also when its ifb is gone:
		 * it then drops what it takes). */
		uint64_t cookie = j->id ? j->proof.value : j->intent.value;

		printf("%sremove the ingress redirect of %s in %s\n", dry ? "would " : "", j->name,
		       where(j->ns));
		(*changed)++;
		return dry ? 0 : nn_tc_ingress_redirect_del(o.ns, o.ifindex, cookie, e);
	}
	case NN_OBJ_CLSACT:
		/* After the links and filters (cmd_cleanup's last pass): removed
		 * only when no filter of anyone's is left on it. */
		printf("%sdelete the clsact qdisc of %s in %s\n", dry ? "would " : "", j->name, where(j->ns));
		(*changed)++;
		return dry ? 0 : nn_tc_ingress_clsact_del(o.ns, o.ifindex, e);
	case NN_OBJ_SYSCTL:
		if (nn_forwarding_get(o.ns, &on, e) < 0)
			return -e->code;
		if (on == (j->id == 2))
			return 0;
		printf("%sturn IPv4 forwarding back %s in %s\n", dry ? "would " : "",
		       j->id == 2 ? "on" : "off", where(j->ns));
		(*changed)++;
		return dry ? 0 : nn_forwarding_set(o.ns, j->id == 2, e);
	default:
		return 0;
	}
}

/* The clients netnsctl made (client namespaces of another program's, made
 * since under a client's name, stay: only netnsctl's files of them go). */
static int cleanup_clients(struct nn_ctx *ctx, bool dry, size_t *changed, struct nn_error *e)
{
	struct nn_client_info *c = NULL;
	size_t n = 0;
	int ret;

	if (dry) {
		if (nn_clients_list(ctx, NULL, &c, &n, e) < 0)
			return -e->code;
		free(c);
		if (n)
			printf("would release and delete %zu client%s\n", n, n == 1 ? "" : "s");
		*changed += n > 0;
		return 0;
	}
	if ((ret = nn_clients_delete(ctx, NULL, e)) < 0)
		return ret;
	if (ret > 0) {
		(*changed)++;
		printf("release and delete %d client%s\n", ret, ret == 1 ? "" : "s");
	}
	return 0;
}

/* Stop the commands labs started (STATE_DIR/labs/LAB/procs) and remove
 * their records and logs.  Only processes still matching their record (pid
 * and start time) are signalled. */
static int cleanup_procs(struct nn_ctx *ctx, bool dry, size_t *changed, struct nn_error *e)
{
	char labs[PATH_MAX], dir[PATH_MAX], file[PATH_MAX];
	struct dirent *d, *f;
	DIR *top, *sub;
	int ret = 0;

	snprintf(labs, sizeof(labs), "%s/labs", nn_ctx_state_dir(ctx));
	top = opendir(labs);
	if (!top)
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read \"%s\"", labs);
	while ((d = readdir(top)) && ret == 0) {
		struct nn_proc *v = NULL;
		size_t n = 0;

		/* Every lab, "."-names too (an older netnsctl took ".lab"). */
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", labs, d->d_name);
		snprintf(file, sizeof(file), "%s/procs", dir);
		if (nn_proc_load(file, &v, &n, e) < 0) {
			ret = -e->code;
			break;
		}
		for (size_t i = 0; i < n && ret == 0; i++) {
			if (!nn_proc_alive(&v[i]))
				continue;
			printf("%sstop command %u of %s in lab %s (pid %d)\n", dry ? "would " : "",
			       v[i].index + 1, v[i].node, d->d_name, (int)v[i].pid);
			(*changed)++;
			if (!dry)
				ret = nn_proc_stop(&v[i], 3000, e);
		}
		free(v);
		if (dry || ret < 0)
			continue;
		sub = opendir(dir);
		while (sub && (f = readdir(sub)))
			if (strcmp(f->d_name, ".") && strcmp(f->d_name, "..") &&
			    snprintf(file, sizeof(file), "%s/%s", dir, f->d_name) < (int)sizeof(file))
				unlink(file);
		if (sub)
			closedir(sub);
		rmdir(dir);
	}
	closedir(top);
	if (ret == 0 && !dry)
		rmdir(labs);
	return ret;
}

/* Changes netnsctl made to what exists (change.h: links it took down,
 * partitions, timed qdiscs): each put back while it still is as netnsctl
 * made it (nn_timed_revert checks), due or not; the records go. */
static int put_back(struct nn_ctx *ctx, const struct nn_timed *t, void *arg, struct nn_error *e)
{
	size_t *changed = arg;
	int ret = nn_timed_revert(ctx, t, NULL, e);

	if (ret <= 0)
		return ret;
	(*changed)++;
	if (t->kind == NN_TIMED_LINK)
		cli_line("put back link %s in %s: %s", t->name, where(t->ns), t->before_up ? "up" : "down");
	else if (t->kind == NN_TIMED_QDISC)
		cli_line("put back the root qdisc of %s in %s", t->name, where(t->ns));
	else
		cli_line("heal partition %s in %s", t->name, where(t->ns));
	return ret;
}

static void put_back_log(const char *msg, void *arg)
{
	(void)arg;
	cli_warn(msg, NULL);
}

static int cleanup_changes(struct nn_ctx *ctx, bool dry, size_t *changed, struct nn_error *e)
{
	struct nn_timed *v = NULL;
	size_t n = 0;

	if (!dry)
		return nn_timed_pass(ctx, nn_timed_now(), true, put_back, put_back_log, changed, NULL, NULL, e);
	if (nn_timed_load(ctx, &v, &n, NULL, e) < 0)
		return -e->code;
	for (size_t i = 0; i < n; i++, (*changed)++)
		cli_line("would put back %s %s in %s", v[i].kind == NN_TIMED_LINK ? "link" :
			 v[i].kind == NN_TIMED_QDISC ? "the root qdisc of" : "partition", v[i].name,
			 where(v[i].ns));
	free(v);
	return 0;
}

int cmd_cleanup(int argc, char **argv)
{
	static const struct option opts[] = { { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct nn_journal_entry *v = NULL;
	struct nn_error e = { 0 };
	struct nn_owned o;
	struct nn_ctx *ctx;
	bool dry = false, *ours = NULL;
	size_t n = 0, changed = 0;
	int c, ret;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c < 0)
			return -c;
		dry = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 0, 0, "")))
		return ret;
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if (nn_state_lock(ctx, &e) < 0 || nn_journal_owned(ctx, &v, &n, &e) < 0) {
		nn_ctx_free(ctx);
		return cli_fail(&e);
	}
	ours = calloc(n + 1, sizeof(*ours));
	if (!ours) {
		free(v);
		nn_ctx_free(ctx);
		return cli_oom();
	}
	/* Clients first: their leases are given back (DHCPRELEASE) before
	 * their namespaces go, and their keeper stops. */
	if (cleanup_clients(ctx, dry, &changed, &e) < 0)
		ret = EXIT_FAIL;
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (v[i].kind != NN_OBJ_NETNS)
			continue;
		if ((c = nn_owner_check(ctx, &v[i], &o, &e)) < 0)
			ret = EXIT_FAIL;
		ours[i] = c > 0;
	}
	if (!dry)
		cli_catch_signals();
	/* Processes first: they may hold what is removed next. */
	if (ret == 0 && cleanup_procs(ctx, dry, &changed, &e) < 0)
		ret = EXIT_FAIL;
	/* Links netnsctl took down, partitions, timed qdiscs: put back
	 * before what holds them may go. */
	if (ret == 0 && cleanup_changes(ctx, dry, &changed, &e) < 0)
		ret = EXIT_FAIL;

	/* Links and qdiscs in namespaces that stay, then the namespaces (which
	 * take their own links with them: one bulk teardown in the kernel). */
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (nn_plan_cancelled()) {
			ret = EXIT_FAIL;
			nn_error_setx(&e, ECANCELED, "interrupted by signal %d", nn_plan_cancelled());
			break;
		}
		if (v[i].kind == NN_OBJ_NETNS || ns_deleted_too(v, n, v[i].ns, ours))
			continue;
		if (v[i].kind == NN_OBJ_CLSACT)
			continue;
		if (v[i].kind != NN_OBJ_LINK && v[i].kind != NN_OBJ_QDISC) {
			if (cleanup_other(ctx, &v[i], dry, &changed, &e) < 0)
				ret = EXIT_FAIL;
			continue;
		}
		if ((c = nn_owner_check(ctx, &v[i], &o, &e)) <= 0) {
			if (c < 0)
				ret = EXIT_FAIL;
			continue;
		}
		printf("%sdelete %s %s in %s\n", dry ? "would " : "",
		       v[i].kind == NN_OBJ_LINK ? "link" : "qdisc on", v[i].name, where(v[i].ns));
		changed++;
		if (dry)
			continue;
		if (v[i].kind == NN_OBJ_LINK && nn_link_del(o.ns, o.ifindex, &e) < 0)
			ret = EXIT_FAIL;
		else if (v[i].kind == NN_OBJ_QDISC && nn_qdisc_clear(o.ns, o.ifindex, &e) < 0)
			ret = EXIT_FAIL;
	}
	/* The clsact qdiscs made for ingress redirects: once their filters are gone. */
	for (size_t i = 0; i < n && ret == 0; i++)
		if (v[i].kind == NN_OBJ_CLSACT && !ns_deleted_too(v, n, v[i].ns, ours) &&
		    cleanup_other(ctx, &v[i], dry, &changed, &e) < 0)
			ret = EXIT_FAIL;
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (v[i].kind != NN_OBJ_NETNS || !ours[i])
			continue;
		if (nn_plan_cancelled()) {
			ret = EXIT_FAIL;
			nn_error_setx(&e, ECANCELED, "interrupted by signal %d", nn_plan_cancelled());
			break;
		}
		printf("%sdelete namespace %s\n", dry ? "would " : "", v[i].name);
		changed++;
		if (!dry && nn_netns_del(ctx, v[i].name, &e) < 0)
			ret = EXIT_FAIL;
	}
	if (ret == 0 && !dry) {
		/* Everything listed is gone now (or was never there): start afresh. */
		if (nn_journal_rewrite(ctx, NULL, 0, &e) < 0)
			ret = EXIT_FAIL;
	}
	if (ret == 0 && !changed)
		printf("unchanged\n");
	free(ours);
	free(v);
	nn_ctx_free(ctx);
	return ret ? cli_fail_or_signal(&e) : EXIT_OK;
}
