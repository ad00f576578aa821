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

int cmd_create_veth_pair(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "if-a", required_argument, NULL, 'a' },
		{ "if-b", required_argument, NULL, 'b' },
		{ "cidr", required_argument, NULL, 'c' },
		CLI_CHANGE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *if_a = "veth-a", *if_b = "veth-b", *cidr = DEFAULT_CIDR;
	struct nn_prefix net, hosts[2];
	struct cli_change how = { 0 };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case 'a': if_a = optarg; break;
		case 'b': if_b = optarg; break;
		case 'c': cidr = optarg; break;
		default:
			if (!cli_change_opt(c, &how))
				return -c;
		}
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "NS_A NS_B")))
		return ret;
	if (nn_parse_cidr(cidr, &net, &e) < 0 || nn_prefix_hosts(&net, 2, hosts, &e) < 0)
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
	if (nn_lab_add_veth(lab, argv[optind], if_a, argv[optind + 1], if_b, &hosts[0], &hosts[1], &e) < 0) {
		nn_lab_free(lab);
		return cli_input_error(&e);
	}
	return cli_apply_lab(argv[0], lab, &how);
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
	const char *if_a = "veth-a";
	struct cli_change how = { 0 };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case 'a': if_a = optarg; break;
		default:
			if (!cli_change_opt(c, &how))
				return -c;
		}
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "NS_A NS_B")))
		return ret;
	if (!(lab = nn_lab_new(argv[0])))
		return cli_oom();
	if (nn_lab_del_veth(lab, argv[optind], if_a, argv[optind + 1], &e) < 0) {
		nn_lab_free(lab);
		return cli_input_error(&e);
	}
	return cli_apply_lab(argv[0], lab, &how);
}
