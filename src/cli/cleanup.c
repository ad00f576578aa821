// SPDX-License-Identifier: GPL-2.0-or-later
/* cleanup: the prune of every owner (labrun.h), planned and applied by the
 * engine: what the journal says netnsctl made, checked against the kernel
 * by the one ownership rule (owner.h), every lab's commands, every client.
 * Before it, a pass of the library that the engine's steps do not cover
 * yet: changes netnsctl made to what exists (links it took down,
 * partitions, timed qdiscs: change.h).  Ingress redirects and clsact
 * qdiscs are prune steps of the plan (REDIRECT_DEL, CLSACT_DEL). */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>

#include "netnsctl/ctx.h"
#include "netnsctl/lab.h"
#include "netnsctl/labrun.h"
#include "netnsctl/timed.h"
#include "cli.h"
#include "commands.h"

static const char *where(const char *ns)
{
	return *ns ? ns : "the host";
}

/* Each change put back while it still is as netnsctl made it
 * (nn_timed_revert checks), due or not; the records go. */
static int put_back(struct nn_ctx *ctx, const struct nn_timed *t, void *arg, struct nn_error *e)
{
	struct cli_change *how = arg;
	int ret = nn_timed_revert(ctx, t, NULL, e);

	if (ret <= 0)
		return ret;
	how->changed_before = true;
	if (how->json)
		return ret;
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

static int put_back_changes(struct nn_ctx *ctx, struct cli_change *how, struct nn_error *e)
{
	struct nn_timed *v = NULL;
	size_t n = 0;

	if (!how->dry_run)
		return nn_timed_pass(ctx, nn_timed_now(), true, put_back, put_back_log, how, NULL,
				     NULL, e);
	if (nn_timed_load(ctx, &v, &n, NULL, e) < 0)
		return -e->code;
	how->changed_before = n > 0;
	for (size_t i = 0; i < n && !how->json; i++)
		cli_line("would put back %s %s in %s", v[i].kind == NN_TIMED_LINK ? "link" :
			 v[i].kind == NN_TIMED_QDISC ? "the root qdisc of" : "partition", v[i].name,
			 where(v[i].ns));
	free(v);
	return 0;
}

int cmd_cleanup(int argc, char **argv)
{
	struct cli_change how = { 0 };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	struct nn_ctx *ctx;
	int ret;

	if ((ret = cli_change_options(argc, argv, &how)) ||
	    (ret = cli_want_args(argv[0], argc, argv, 0, 0, "")))
		return ret;
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	/* Put back first, before what holds them may go. */
	if (put_back_changes(ctx, &how, &e) < 0) {
		nn_ctx_free(ctx);
		return cli_fail_or_signal(&e);
	}
	nn_ctx_free(ctx);
	if (nn_labrun_cleanup_lab(&lab, &e) < 0)
		return cli_fail(&e);
	return cli_apply_lab(argv[0], lab, &how);
}
