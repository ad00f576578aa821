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
#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/netns.h"
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
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *if_a = "veth-a", *if_b = "veth-b", *cidr = DEFAULT_CIDR;
	struct nn_prefix net, hosts[2];
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	bool dry = false;
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":", opts)) != -1) {
		switch (c) {
		case 'a': if_a = optarg; break;
		case 'b': if_b = optarg; break;
		case 'c': cidr = optarg; break;
		case 'n': dry = true; break;
		default: return -c;
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
	return cli_apply_lab(argv[0], lab, dry);
}

/* Delete IF_A in NS_A, but only when it is a veth whose peer lives in NS_B. */
static int delete_pair(struct nn_ctx *ctx, const char *ns_a, const char *if_a, const char *ns_b,
		       bool dry, bool *changed, struct nn_error *e)
{
	struct nn_link_info la, *links = NULL;
	struct nn_ns *a, *b;
	int32_t id = -1;
	size_t n = 0;
	const char *peer = NULL;
	int ret;

	*changed = false;
	if ((ret = nn_netns_exists(ctx, ns_a)) <= 0)
		return ret < 0 ? nn_error_set(e, -ret, "cannot look at namespace \"%s\"", ns_a) : 0;
	if (nn_ctx_ns(ctx, ns_a, &a, e) < 0)
		return -e->code;
	if (nn_link_find(a, if_a, &la, e) <= 0)
		return e->code ? -e->code : 0;
	if (strcmp(la.kind, "veth"))
		return nn_error_setx(e, EINVAL, "%s in %s is a %s link, not a veth: not deleted",
				     if_a, ns_a, *la.kind ? la.kind : "plain");
	if (strcmp(ns_a, ns_b)) {
		if (nn_netns_exists(ctx, ns_b) == 1 && nn_ctx_ns(ctx, ns_b, &b, e) == 0 &&
		    nn_ns_peer_nsid(a, b, &id, e) < 0)
			return -e->code;
		if (id < 0 || !la.peer_nsid_set || la.peer_nsid != id)
			return nn_error_setx(e, EINVAL, "%s in %s is not paired with a link in %s: not deleted",
					     if_a, ns_a, ns_b);
		if (nn_link_list(b, &links, &n, e) < 0)
			return -e->code;
		for (size_t i = 0; i < n; i++)
			if (links[i].ifindex == la.peer_ifindex)
				peer = links[i].name;
	} else {
		/* Both ends here: a peer elsewhere makes it another pair. */
		if (la.peer_nsid_set)
			return nn_error_setx(e, EINVAL, "%s in %s is not paired with a link in %s: not deleted",
					     if_a, ns_a, ns_b);
		b = a;
		if (nn_link_list(b, &links, &n, e) < 0)
			return -e->code;
		for (size_t i = 0; i < n; i++)
			if (links[i].ifindex == la.peer_ifindex)
				peer = links[i].name;
	}
	if (dry) {
		printf("would delete veth %s in %s <-> %s in %s\n", if_a, ns_a, peer ? peer : "its peer", ns_b);
		free(links);
		*changed = true;
		return 0;
	}
	if (nn_link_del(a, la.ifindex, e) < 0) {
		free(links);
		return -e->code;
	}
	nn_journal_gone(ctx, NN_OBJ_LINK, ns_a, if_a, e);
	if (peer)
		nn_journal_gone(ctx, NN_OBJ_LINK, ns_b, peer, e);
	cli_line("delete veth %s in %s <-> %s in %s", if_a, ns_a, peer ? peer : "its peer", ns_b);
	free(links);
	*changed = true;
	return 0;
}

int cmd_delete_veth_pair(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "if-a", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *if_a = "veth-a";
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	bool changed, dry = false;
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":", opts)) != -1) {
		switch (c) {
		case 'a': if_a = optarg; break;
		case 'n': dry = true; break;
		default: return -c;
		}
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "NS_A NS_B")))
		return ret;
	if (nn_check_netns_name(argv[optind], &e) < 0 || nn_check_netns_name(argv[optind + 1], &e) < 0 ||
	    nn_check_ifname(if_a, &e) < 0)
		return cli_input_error(&e);
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if (nn_state_lock(ctx, &e) < 0 ||
	    delete_pair(ctx, argv[optind], if_a, argv[optind + 1], dry, &changed, &e) < 0) {
		nn_ctx_free(ctx);
		return cli_fail(&e);
	}
	if (!changed)
		printf("unchanged\n");
	nn_ctx_free(ctx);
	return EXIT_OK;
}
