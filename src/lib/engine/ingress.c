// SPDX-License-Identifier: GPL-2.0-or-later
/* cleanup's ingress pass (ingress.h): redirects, then clsact qdiscs. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "netnsctl/ifb.h"
#include "netnsctl/ingress.h"
#include "netnsctl/journal.h"
#include "netnsctl/link.h"
#include "netnsctl/netns.h"
#include "netnsctl/owner.h"

static const char *where(const char *ns)
{
	return *ns ? ns : "the host";
}

/* Record J's object, looked at in the kernel: 1 netnsctl's (its namespace
 * in *NS, its link's index in *IFINDEX), 0 absent or not netnsctl's,
 * -errno when that cannot be told. */
static int owned(struct nn_ctx *ctx, const struct nn_journal_entry *j, struct nn_ns **ns,
		 int *ifindex, struct nn_error *e)
{
	struct nn_tc_ingress in;
	struct nn_link_info li;
	uint64_t cookie;
	int r = 0;

	if (*j->ns && (r = nn_netns_exists(ctx, j->ns, e)) <= 0)
		return r;
	if (nn_ctx_ns(ctx, j->ns, ns, e) < 0 || nn_ns_cookie(*ns, &cookie, e) < 0)
		return -e->code;
	if (!nn_owner_in_ns(j, cookie) || (r = nn_link_find(*ns, j->name, &li, e)) <= 0)
		return r < 0 ? r : 0;
	if (nn_tc_ingress_get(*ns, li.ifindex, &in, e) < 0)
		return -e->code;
	*ifindex = li.ifindex;
	return j->kind == NN_OBJ_FILTER ? nn_owner_filter(j, &li, &in) : nn_owner_clsact(j, &li, &in);
}

static int prune_one(struct nn_ctx *ctx, const struct nn_journal_entry *j, bool dry,
		     void (*say)(const char *line, void *arg), void *arg, struct nn_error *e)
{
	struct nn_ns *ns = NULL;
	char line[256];
	int ifindex = 0, r;

	if ((r = owned(ctx, j, &ns, &ifindex, e)) < 0)
		return r;
	if (r) {
		if (j->kind == NN_OBJ_FILTER)
			snprintf(line, sizeof(line), "%sremove the ingress redirect of %s in %s",
				 dry ? "would " : "", j->name, where(j->ns));
		else
			snprintf(line, sizeof(line), "%sdelete the clsact qdisc of %s in %s",
				 dry ? "would " : "", j->name, where(j->ns));
		if (say)
			say(line, arg);
	}
	if (dry)
		return r;
	/* The redirect by its cookie (it drops what it takes once its ifb is
	 * gone); the clsact only when no filter of anyone's is left on it. */
	if (r && j->kind == NN_OBJ_FILTER &&
	    nn_tc_ingress_redirect_del(ns, ifindex, j->id ? j->proof.value : j->intent.value, e) < 0)
		return -e->code;
	if (r && j->kind == NN_OBJ_CLSACT && nn_tc_ingress_clsact_del(ns, ifindex, e) < 0)
		return -e->code;
	if (nn_journal_gone(ctx, j->kind, j->ns, j->name, e) < 0)
		return -e->code;
	return r;
}

int nn_ingress_prune(struct nn_ctx *ctx, bool dry, void (*say)(const char *line, void *arg),
		     void *arg, struct nn_error *e)
{
	static const enum nn_obj_kind order[] = { NN_OBJ_FILTER, NN_OBJ_CLSACT };
	struct nn_journal_entry *v = NULL;
	size_t n = 0;
	int changed = 0, r = 0;

	if (nn_state_lock(ctx, e) < 0 || nn_journal_owned(ctx, &v, &n, e) < 0)
		return -e->code;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]) && r >= 0; k++)
		for (size_t i = 0; i < n && r >= 0; i++) {
			if (v[i].kind != order[k])
				continue;
			if ((r = prune_one(ctx, &v[i], dry, say, arg, e)) > 0)
				changed++;
		}
	free(v);
	if (r >= 0 && !dry && changed && nn_journal_sync(ctx, e) < 0)
		r = -e->code;
	return r < 0 ? r : changed;
}
