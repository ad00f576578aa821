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
#include <limits.h>
#include <unistd.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/link.h"
#include "netnsctl/netns.h"
#include "netnsctl/qdisc.h"
#include "cli.h"
#include "commands.h"

/* Is namespace NAME the one the journal recorded (same netns cookie; nsfs
 * inode numbers are reused)?  An entry whose creation was never confirmed
 * (id 0) counts as ours: netnsctl made the mount point with O_EXCL just
 * before it died.  So does a dead mount point left by a netnsctl killed
 * while making or deleting it: it is no namespace, and the name was ours. */
static bool ns_is_ours(struct nn_ctx *ctx, const struct nn_journal_entry *j)
{
	struct nn_error e = { 0 };
	struct nn_ns *ns;
	uint64_t cookie;

	if (nn_netns_exists(ctx, j->name) != 1) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", nn_ctx_run_dir(ctx), j->name);
		return access(path, F_OK) == 0;
	}
	if (nn_ctx_ns(ctx, j->name, &ns, &e) < 0 || nn_ns_cookie(ns, &cookie, &e) < 0)
		return false;
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

/* The link NAME in NS if it is still the one netnsctl made: same namespace
 * (by cookie: ifindexes start again in a new one), same ifindex; for a
 * qdisc, a root of the kind and handle netnsctl makes. */
static bool link_is_ours(struct nn_ctx *ctx, const struct nn_journal_entry *j,
			 struct nn_ns **ns, struct nn_link_info *li)
{
	struct nn_error e = { 0 };
	struct nn_qdisc_info root;
	uint64_t cookie;

	if (nn_netns_exists(ctx, j->ns) != 1 || nn_ctx_ns(ctx, j->ns, ns, &e) < 0 ||
	    nn_ns_cookie(*ns, &cookie, &e) < 0 || cookie != j->ns_cookie)
		return false;
	if (nn_link_find(*ns, j->name, li, &e) != 1)
		return false;
	if (j->id != 0 && (uint64_t)li->ifindex != j->id)
		return false;
	if (j->kind != NN_OBJ_QDISC)
		return true;
	if (nn_qdisc_root(*ns, li->ifindex, &root, &e) != 1)
		return false;
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
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == NN_OBJ_NETNS)
			ours[i] = ns_is_ours(ctx, &v[i]);

	/* Links and qdiscs in namespaces that stay, then the namespaces (which
	 * take their own links with them: one bulk teardown in the kernel). */
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (v[i].kind == NN_OBJ_NETNS || ns_deleted_too(v, n, v[i].ns, ours))
			continue;
		if (!link_is_ours(ctx, &v[i], &ns, &li))
			continue;
		printf("%sdelete %s %s in %s\n", dry ? "would " : "",
		       v[i].kind == NN_OBJ_LINK ? "link" : "qdisc on", v[i].name, v[i].ns);
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
	return ret ? cli_fail(&e) : EXIT_OK;
}
