// SPDX-License-Identifier: GPL-2.0-or-later
/* graph */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "netnsctl/ctx.h"
#include "netnsctl/graph.h"
#include "netnsctl/labfile.h"
#include "cli.h"
#include "commands.h"

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct nn_error e = { 0 };
	struct nn_labfile *lf = NULL;
	struct nn_ctx *ctx = NULL;
	struct nn_graph *g;
	bool json = false;
	int c, ret;

	while ((c = cli_getopt(argc, argv, "+j", opts)) != -1) {
		if (c < 0)
			return -c;
		json = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 0, 1, "[FILE]")))
		return ret;
	if (optind < argc) {
		/* A file's lab needs no privileges: nothing is asked of the kernel. */
		if (nn_labfile_load(argv[optind], &lf, &e) < 0)
			return e.code == EINVAL || e.code == E2BIG ? cli_input_error(&e) : cli_fail(&e);
	} else if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx())) {
		return ret ? ret : EXIT_FAIL;
	}
	g = nn_graph_new();
	if (!g) {
		nn_labfile_free(lf);
		nn_ctx_free(ctx);
		return cli_oom();
	}
	ret = lf ? nn_graph_from_labfile(lf, g, &e) : nn_graph_from_kernel(ctx, g, &e);
	if (ret == 0)
		ret = json ? nn_graph_write_json(g, stdout, NN_JSON_VERSION, &e)
			   : nn_graph_write_dot(g, stdout, &e);
	nn_graph_free(g);
	nn_labfile_free(lf);
	nn_ctx_free(ctx);
	return ret < 0 ? cli_fail(&e) : EXIT_OK;
}
