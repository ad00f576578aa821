/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_CLI_TCEDIT_H
#define NETNSCTL_CLI_TCEDIT_H

/*
 * add-delay, set-rate and clear-qdisc as edits of a link's tc trees (issue
 * #17, docs/impairments.md): --direction egress|ingress|both, selectors
 * (--to, --port, --proto), stacking netem and tbf, --print-tc.
 */

#include <stdbool.h>

#include "netnsctl/error.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/tc.h"

enum { TC_EGRESS = 1, TC_INGRESS = 2 };
enum tc_what { TC_NETEM, TC_TBF, TC_CLEAR };

/* Option values of the shared options (above every command's own). */
enum { TC_O_DIRECTION = 0x200, TC_O_TO, TC_O_PORT, TC_O_PROTO, TC_O_PRINT_TC };

#define TC_EDIT_LONGOPTS                                                       \
	{ "direction", required_argument, NULL, TC_O_DIRECTION },              \
	{ "to", required_argument, NULL, TC_O_TO },                            \
	{ "port", required_argument, NULL, TC_O_PORT },                        \
	{ "proto", required_argument, NULL, TC_O_PROTO },                      \
	{ "print-tc", no_argument, NULL, TC_O_PRINT_TC }

struct tc_req {
	enum tc_what what;
	unsigned int dirs;	/* TC_* bits; 0 until --direction: egress */
	bool has_match;
	struct nn_tc_match match;
	struct nn_netem netem;	/* TC_NETEM */
	struct nn_tbf tbf;	/* TC_TBF */
	bool print_tc;
};

/* Option C of the shared ones with its ARG: 1 taken, 0 not one of them,
 * -errno with E set (a bad value). */
int tc_req_opt(struct tc_req *r, int c, const char *arg, struct nn_error *e);

/*
 * Edit the trees of IF in NS as R says, through the plan engine (lab.h:
 * nn_lab_add_tc_edit): the steps printed or applied as HOW says (--dry-run,
 * --json), or, with --print-tc, the trees as tc commands.  Returns an exit
 * code.
 */
struct cli_change;
int tc_edit(const char *cmd, struct tc_req *r, const char *ns, const char *ifname,
	    const struct cli_change *how);

#endif
