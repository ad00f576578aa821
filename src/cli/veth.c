// SPDX-License-Identifier: GPL-2.0-or-later
/* create-veth-pair, delete-veth-pair */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/addr.h"
#include "netnsctl/lab.h"
#include "netnsctl/names.h"
#include "cli.h"
#include "commands.h"
#include "util/show.h"

#define DEFAULT_CIDR "10.10.0.0/30"

struct veth_args {
	const char *if_a, *if_b, *cidr;
	struct cli_change how;
};

/* The options of create-veth-pair (OPTS: all) or delete-veth-pair (--if-a
 * only), then NS_A NS_B. */
static int veth_args(int argc, char **argv, const struct option *opts, struct veth_args *v)
{
	int c;

	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case 'a': v->if_a = optarg; break;
		case 'b': v->if_b = optarg; break;
		case 'c': v->cidr = optarg; break;
		default:
			if (!cli_change_opt(c, &v->how))
				return -c;
		}
	}
	return cli_want_args(argv[0], argc, argv, 2, 2, "NS_A NS_B");
}

int cmd_create_veth_pair(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "if-a", required_argument, NULL, 'a' },
		{ "if-b", required_argument, NULL, 'b' },
		{ "cidr", required_argument, NULL, 'c' },
		CLI_CHANGE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct veth_args v = { "veth-a", "veth-b", DEFAULT_CIDR, { 0 } };
	struct nn_prefix net, hosts[2];
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	int ret;

	if ((ret = veth_args(argc, argv, opts, &v)))
		return ret;
	if (nn_parse_cidr(v.cidr, &net, &e) < 0 || nn_prefix_hosts(&net, 2, hosts, &e) < 0)
		return cli_input_error(&e);
	/* A pair looped inside one namespace connects nothing. */
	if (!strcmp(argv[optind], argv[optind + 1])) {
		struct nn_shown shown;

		return cli_usage_error("%s: both ends in namespace \"%s\": a veth pair connects two namespaces",
				       argv[0], nn_show(&shown, argv[optind]));
	}
	lab = nn_lab_new(argv[0]);
	if (!lab)
		return cli_oom();
	if (nn_lab_add_veth(lab, argv[optind], v.if_a, argv[optind + 1], v.if_b, &hosts[0], &hosts[1],
			    &e) < 0) {
		nn_lab_free(lab);
		return cli_input_error(&e);
	}
	return cli_apply_lab(argv[0], lab, &v.how);
}

/* IF_A in NS_A, but only when it is a veth whose peer lives in NS_B: a plan
 * of one step that deletes both ends. */
int cmd_delete_veth_pair(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "if-a", required_argument, NULL, 'a' },
		CLI_CHANGE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct veth_args v = { "veth-a", NULL, NULL, { 0 } };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	int ret;

	if ((ret = veth_args(argc, argv, opts, &v)))
		return ret;
	if (!(lab = nn_lab_new(argv[0])))
		return cli_oom();
	if (nn_lab_del_veth(lab, argv[optind], v.if_a, argv[optind + 1], &e) < 0) {
		nn_lab_free(lab);
		return cli_input_error(&e);
	}
	return cli_apply_lab(argv[0], lab, &v.how);
}
