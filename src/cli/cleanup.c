// SPDX-License-Identifier: GPL-2.0-or-later
/* cleanup: the prune of every owner (labrun.h), planned and applied by the
 * engine: what the journal says netnsctl made, checked against the kernel
 * by the one ownership rule (owner.h), every lab's commands, every client. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdbool.h>

#include "netnsctl/lab.h"
#include "netnsctl/labrun.h"
#include "cli.h"
#include "commands.h"

int cmd_cleanup(int argc, char **argv)
{
	static const struct option opts[] = { CLI_CHANGE_OPTIONS, { NULL, 0, NULL, 0 } };
	struct cli_change how = { 0 };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	int c, ret;

	while ((c = cli_getopt(argc, argv, "j", opts)) != -1)
		if (!cli_change_opt(c, &how))
			return -c;
	if ((ret = cli_want_args(argv[0], argc, argv, 0, 0, "")))
		return ret;
	if (nn_labrun_cleanup_lab(&lab, &e) < 0)
		return cli_fail(&e);
	return cli_apply_lab(argv[0], lab, &how);
}
