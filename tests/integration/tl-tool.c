// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tl-tool: the host-lane tests' way into the library functions of issue 15
 * that no netnsctl command calls yet (partitions, the reverter).  Test
 * scaffolding only: once `netnsctl partition`, `heal` and `--for` exist,
 * the tests call those instead.
 *
 *   tl-tool partition ID NONCE NS,NS.. NS,NS..   nn_partition_add
 *   tl-tool heal ID NONCE NS,NS.. NS,NS..        nn_partition_heal (NONCE 0: any)
 *   tl-tool list NS                              nn_partition_ns_list, one line each:
 *                                                "ID NONCE RULES SETS whole|broken"
 *   tl-tool ns-add ID NONCE NS                   nn_partition_ns_add of no addresses
 *
 * Errors: "tl-tool: MSG" on stderr, exit 1 (2 for bad arguments).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/partition.h"

static struct nn_ctx *ctx;

static int fail(const struct nn_error *e)
{
	fprintf(stderr, "tl-tool: %s\n", e->msg);
	return 1;
}

/* "a,b,c" into namespace handles. */
static int group(const char *s, struct nn_ns ***out, size_t *n, struct nn_error *e)
{
	char *copy = strdup(s), *save = NULL;
	struct nn_ns **v = calloc(strlen(s) + 1, sizeof(*v));

	*n = 0;
	if (!copy || !v)
		return nn_error_set(e, ENOMEM, "group");
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (nn_ctx_ns(ctx, t, &v[(*n)++], e) < 0) {
			free(copy);
			free(v);
			return -e->code;
		}
	free(copy);
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct nn_error e = { 0 };
	int ret = 0;

	if (argc < 3)
		goto usage;
	if (nn_ctx_new(&ctx, NULL, &e) < 0)
		return fail(&e);
	if ((!strcmp(argv[1], "partition") || !strcmp(argv[1], "heal")) && argc == 6) {
		struct nn_ns **a, **b;
		size_t na, nb;
		uint64_t nonce = strtoull(argv[3], NULL, 16);

		if (group(argv[4], &a, &na, &e) < 0 || group(argv[5], &b, &nb, &e) < 0)
			return fail(&e);
		if (!strcmp(argv[1], "partition"))
			ret = nn_partition_add(a, na, b, nb, argv[2], nonce, &e);
		else
			ret = nn_partition_heal(a, na, b, nb, argv[2], nonce, &e);
		if (ret < 0)
			return fail(&e);
		if (!strcmp(argv[1], "heal"))
			printf("healed in %d namespaces\n", ret);
		return 0;
	}
	if (!strcmp(argv[1], "list") && argc == 3) {
		struct nn_partition_found *v;
		struct nn_ns *ns;
		size_t n;

		if (nn_ctx_ns(ctx, argv[2], &ns, &e) < 0 || nn_partition_ns_list(ns, &v, &n, &e) < 0)
			return fail(&e);
		for (size_t i = 0; i < n; i++)
			printf("%s %016" PRIx64 " %u %u %s\n", v[i].id, v[i].nonce, v[i].rules, v[i].sets,
			       v[i].whole ? "whole" : "broken");
		free(v);
		return 0;
	}
	if (!strcmp(argv[1], "ns-add") && argc == 5) {
		struct nn_partition_addrs none = { 0 };
		struct nn_ns *ns;

		if (nn_ctx_ns(ctx, argv[4], &ns, &e) < 0 ||
		    nn_partition_ns_add(ns, argv[2], strtoull(argv[3], NULL, 16), &none, &e) < 0)
			return fail(&e);
		return 0;
	}
usage:
	fprintf(stderr, "usage: tl-tool partition|heal ID NONCE NS,.. NS,.. | list NS | ns-add ID NONCE NS\n");
	return 2;
}
