// SPDX-License-Identifier: GPL-2.0-or-later
/* cleanup: the prune of every owner (labrun.h), planned and applied by the
 * engine: what the journal says netnsctl made, checked against the kernel
 * by the one ownership rule (owner.h), every lab's commands, every client. */
#define _GNU_SOURCE
#include <stdbool.h>

#include "netnsctl/lab.h"
#include "netnsctl/labrun.h"
#include "cli.h"
#include "commands.h"

int cmd_cleanup(int argc, char **argv)
{
	struct cli_change how = { 0 };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	int ret;

	if ((ret = cli_change_options(argc, argv, &how)) ||
	    (ret = cli_want_args(argv[0], argc, argv, 0, 0, "")))
		return ret;
	if (nn_labrun_cleanup_lab(&lab, &e) < 0)
		return cli_fail(&e);
	return cli_apply_lab(argv[0], lab, &how);
}
