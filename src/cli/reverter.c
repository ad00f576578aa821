// SPDX-License-Identifier: GPL-2.0-or-later
/* reverter: the process that puts timed changes back at their deadlines
 * (timed.h); internal, started by the commands that make such changes. */
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "netnsctl/ctx.h"
#include "netnsctl/timed.h"
#include "cli.h"
#include "commands.h"

int cmd_reverter(int argc, char **argv)
{
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	int ret;

	if ((ret = cli_want_args(argv[0], argc, argv, 0, 0, "")) ||
	    (ret = cli_check_privileges(argv[0])))
		return ret;
	if (!(ctx = cli_ctx()))
		return EXIT_FAIL;
	/* its stderr is STATE_DIR/timed/reverter.log */
	ret = nn_reverter_run(ctx, nn_timed_revert, cli_daemon_log, "reverter", &e);
	nn_ctx_free(ctx);
	return ret < 0 ? cli_fail(&e) : EXIT_OK;
}
