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
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/nat.h"
#include "netnsctl/proc.h"
#include "netnsctl/netns.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/route.h"
#include "cli.h"
#include "commands.h"

/* Is namespace NAME the one the journal recorded (same netns cookie; nsfs
 * inode numbers are reused)?  An entry whose creation was never confirmed
 * (id 0) counts as ours: netnsctl made the mount point with O_EXCL just
 * before it died.  So does a dead mount point left by a netnsctl killed
 * while making or deleting it: it is no namespace, and the name was ours. */
static int ns_is_ours(struct nn_ctx *ctx, const struct nn_journal_entry *j, struct nn_error *e)
{
	struct nn_ns *ns;
	uint64_t cookie;
	int r = nn_netns_exists(ctx, j->name);

	if (r < 0)
		return nn_error_set(e, -r, "cannot look at namespace \"%s\"", j->name);
	if (r == 0) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", nn_ctx_run_dir(ctx), j->name);
		return access(path, F_OK) == 0;
	}
	if (nn_ctx_ns(ctx, j->name, &ns, e) < 0 || nn_ns_cookie(ns, &cookie, e) < 0)
		return -e->code;
	return j->id == 0 || cookie == j->id;
}

static bool ns_deleted_too(const struct nn_journal_entry *v, size_t n, const char *ns,
			   const bool *ours)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == NN_OBJ_NETNS && ours[i] && !strcmp(v[i].name, ns))
			return true;
	return false;
}

/*
 * The checks below answer 1 (yes), 0 (no) or -errno when they cannot tell
 * (no file descriptors left, ...): cleanup then stops and keeps the journal,
 * rather than take "cannot tell" for "not ours" and forget the object.
 */

/* The namespace of record J ("" the host) still is the one it names. */
static int ns_is_same(struct nn_ctx *ctx, const struct nn_journal_entry *j, struct nn_ns **ns,
		      struct nn_error *e)
{
	uint64_t cookie;
	int r;

	if (*j->ns && (r = nn_netns_exists(ctx, j->ns)) <= 0)
		return r < 0 ? nn_error_set(e, -r, "cannot look at namespace \"%s\"", j->ns) : 0;
	if (nn_ctx_ns(ctx, j->ns, ns, e) < 0 || nn_ns_cookie(*ns, &cookie, e) < 0)
		return -e->code;
	return cookie == j->ns_cookie;
}

/* A NAT rule tagged TAG is in the host's netnsctl table. */
static int nat_is_there(struct nn_ctx *ctx, const char *tag, struct nn_error *e)
{
	struct nn_nat_rule *v = NULL;
	struct nn_ns *ns;
	size_t n = 0;
	int found = 0;

	if (nn_ctx_ns(ctx, "", &ns, e) < 0 || nn_nat_rule_list(ns, &v, &n, e) < 0)
		return -e->code;
	for (size_t i = 0; i < n; i++)
		found |= !strcmp(v[i].tag, tag);
	free(v);
	return found;
}

static const char *where(const char *ns)
{
	return *ns ? ns : "the host";
}

/* Routes, NAT rules and sysctls: undo them where they outlive a namespace. */
static int cleanup_other(struct nn_ctx *ctx, const struct nn_journal_entry *j, bool dry,
			 size_t *changed, struct nn_error *e)
{
	struct nn_prefix dst;
	struct nn_ns *ns;
	bool on;
	int r;

	switch (j->kind) {
	case NN_OBJ_ROUTE:
		if ((r = ns_is_same(ctx, j, &ns, e)) <= 0)
			return r;
		memset(&dst, 0, sizeof(dst));
		if (!strcmp(j->name, "default") || !strcmp(j->name, "default6"))
			dst.family = j->name[7] ? AF_INET6 : AF_INET;
		else if (nn_parse_cidr(j->name, &dst, e) < 0) {
			nn_error_clear(e);	/* not a record netnsctl writes */
			return 0;
		}
		printf("%sdelete route %s in %s\n", dry ? "would " : "", j->name, where(j->ns));
		(*changed)++;
		return dry ? 0 : nn_route_del(ns, &dst, e);
	case NN_OBJ_NAT:
		if ((r = nat_is_there(ctx, j->name, e)) <= 0)
			return r;
		printf("%sdelete NAT rule %s\n", dry ? "would " : "", j->name);
		(*changed)++;
		if (dry || nn_ctx_ns(ctx, "", &ns, e) < 0)
			return dry ? 0 : -e->code;
		return nn_nat_rule_del(ns, j->name, e);
	case NN_OBJ_SYSCTL:
		if (!j->id || (r = ns_is_same(ctx, j, &ns, e)) == 0)
			return 0;
		if (r < 0 || nn_forwarding_get(ns, &on, e) < 0)
			return -e->code;
		if (on == (j->id == 2))
			return 0;
		printf("%sturn IPv4 forwarding back %s in %s\n", dry ? "would " : "",
		       j->id == 2 ? "on" : "off", where(j->ns));
		(*changed)++;
		return dry ? 0 : nn_forwarding_set(ns, j->id == 2, e);
	default:
		return 0;
	}
}

static int cleanup_clients(struct nn_ctx *ctx, bool dry, size_t *changed, struct nn_error *e)
{
	struct nn_client_info *c = NULL;
	size_t n = 0;
	int ret;

	if (nn_clients_list(ctx, NULL, &c, &n, e) < 0)
		return -e->code;
	free(c);
	if (!n)
		return 0;
	(*changed)++;
	if (dry) {
		printf("would release and delete %zu client%s\n", n, n == 1 ? "" : "s");
		return 0;
	}
	if ((ret = nn_clients_delete(ctx, NULL, e)) < 0)
		return ret;
	printf("release and delete %d client%s\n", ret, ret == 1 ? "" : "s");
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

		if (d->d_name[0] == '.')
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
			if (f->d_name[0] != '.' &&
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

/* The link NAME in NS if it is still the one netnsctl made: same namespace
 * (by cookie: ifindexes start again in a new one), same ifindex; for a
 * qdisc, a root of the kind and handle netnsctl makes. */
static int link_is_ours(struct nn_ctx *ctx, const struct nn_journal_entry *j,
			struct nn_ns **ns, struct nn_link_info *li, struct nn_error *e)
{
	struct nn_qdisc_info root;
	int r;

	if ((r = ns_is_same(ctx, j, ns, e)) <= 0 || (r = nn_link_find(*ns, j->name, li, e)) <= 0)
		return r;
	if (j->id != 0 && (uint64_t)li->ifindex != j->id)
		return 0;
	if (j->kind != NN_OBJ_QDISC)
		return 1;
	if ((r = nn_qdisc_root(*ns, li->ifindex, &root, e)) <= 0)
		return r;
	return root.handle == NN_QDISC_HANDLE &&
	       (root.kind == NN_QDISC_NETEM || root.kind == NN_QDISC_TBF);
}

int cmd_cleanup(int argc, char **argv)
{
	static const struct option opts[] = { { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct nn_journal_entry *v = NULL;
	struct nn_error e = { 0 };
	struct nn_link_info li;
	struct nn_ctx *ctx;
	struct nn_ns *ns;
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
		if ((c = ns_is_ours(ctx, &v[i], &e)) < 0)
			ret = EXIT_FAIL;
		ours[i] = c > 0;
	}
	if (!dry)
		cli_catch_signals();
	/* Processes first: they may hold what is removed next. */
	if (ret == 0 && cleanup_procs(ctx, dry, &changed, &e) < 0)
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
		if (v[i].kind != NN_OBJ_LINK && v[i].kind != NN_OBJ_QDISC) {
			if (cleanup_other(ctx, &v[i], dry, &changed, &e) < 0)
				ret = EXIT_FAIL;
			continue;
		}
		if ((c = link_is_ours(ctx, &v[i], &ns, &li, &e)) <= 0) {
			if (c < 0)
				ret = EXIT_FAIL;
			continue;
		}
		printf("%sdelete %s %s in %s\n", dry ? "would " : "",
		       v[i].kind == NN_OBJ_LINK ? "link" : "qdisc on", v[i].name, where(v[i].ns));
		changed++;
		if (dry)
			continue;
		if (v[i].kind == NN_OBJ_LINK && nn_link_del(ns, li.ifindex, &e) < 0)
			ret = EXIT_FAIL;
		else if (v[i].kind == NN_OBJ_QDISC && nn_qdisc_clear(ns, li.ifindex, &e) < 0)
			ret = EXIT_FAIL;
	}
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
