// SPDX-License-Identifier: GPL-2.0-or-later
/* create-bridge, attach */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "netnsctl/addr.h"
#include "netnsctl/lab.h"
#include "netnsctl/names.h"
#include "cli.h"
#include "commands.h"
#include "util/show.h"

/* An interface address with its prefix length: without one the kernel would
 * make a /32, reachable by nothing on the bridge. */
static int parse_addr(const char *s, struct nn_prefix *a, struct nn_error *e)
{
	struct nn_shown shown;

	if (nn_parse_ifaddr(s, a, e) < 0)
		return -e->code;
	if (!strchr(s, '/'))
		return nn_error_setx(e, EINVAL, "invalid address \"%s\": missing prefix length (e.g. %s/%d)",
				     nn_show(&shown, s), shown.s, a->family == AF_INET ? 24 : 64);
	return 0;
}

int cmd_create_bridge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ns", required_argument, NULL, 's' },
		{ "addr", required_argument, NULL, 'a' },
		CLI_CHANGE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *ns = "", *addr = NULL;
	struct nn_error e = { 0 };
	struct nn_prefix a;
	struct nn_lab *lab;
	struct cli_change how = { 0 };
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case 's': ns = optarg; break;
		case 'a': addr = optarg; break;
		default:
			if (!cli_change_opt(c, &how))
				return -c;
		}
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "BR")))
		return ret;
	if ((addr && parse_addr(addr, &a, &e) < 0) || (*ns && nn_check_netns_name(ns, &e) < 0) ||
	    nn_check_ifname(argv[optind], &e) < 0)
		return cli_input_error(&e);
	lab = nn_lab_new(argv[0]);
	if (!lab)
		return cli_oom();
	if (nn_lab_add_bridge(lab, ns, argv[optind], addr ? &a : NULL, &e) < 0) {
		nn_lab_free(lab);
		return cli_input_error(&e);
	}
	return cli_apply_lab(argv[0], lab, &how);
}

/*
 * The bridge-side end of NS's link IF: "NS-IF" when that is a valid name,
 * else "nn" and a hash of both (stable, so a re-run finds the same port).
 */
static void port_name(char *buf, const char *ns, const char *ifname)
{
	struct nn_error e = { 0 };
	uint32_t h = 2166136261u;	/* FNV-1a */

	snprintf(buf, IFNAMSIZ, "%s-%s", ns, ifname);
	if (strlen(ns) + 1 + strlen(ifname) < IFNAMSIZ && nn_check_ifname(buf, &e) == 0)
		return;
	for (const char *s = ns; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (const char *s = ifname; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	snprintf(buf, IFNAMSIZ, "nn%08x", h);
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "if", required_argument, NULL, 'i' },
		{ "addr", required_argument, NULL, 'a' },
		{ "bridge-ns", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		CLI_CHANGE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *ifname = NULL, *addr = NULL, *br_ns = "", *port = NULL;
	char defif[IFNAMSIZ], defport[IFNAMSIZ];
	struct nn_error e = { 0 };
	struct nn_prefix a;
	struct nn_lab *lab;
	const char *ns, *br;
	struct cli_change how = { 0 };
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'a': addr = optarg; break;
		case 'b': br_ns = optarg; break;
		case 'p': port = optarg; break;
		default:
			if (!cli_change_opt(c, &how))
				return -c;
		}
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "NS BR")))
		return ret;
	ns = argv[optind];
	br = argv[optind + 1];
	if (nn_check_netns_name(ns, &e) < 0 || (*br_ns && nn_check_netns_name(br_ns, &e) < 0) ||
	    nn_check_ifname(br, &e) < 0 || (addr && parse_addr(addr, &a, &e) < 0))
		return cli_input_error(&e);
	if (!strcmp(ns, br_ns))
		return cli_usage_error("namespace \"%s\" is the bridge's own namespace: nothing to attach",
				       ns);
	if (!ifname) {
		snprintf(defif, sizeof(defif), "eth-%s", br);
		ifname = defif;
	}
	if (!port) {
		port_name(defport, ns, ifname);
		port = defport;
	}
	lab = nn_lab_new(argv[0]);
	if (!lab)
		return cli_oom();
	if (nn_lab_add_port(lab, ns, ifname, addr ? &a : NULL, br_ns, br, port, &e) < 0) {
		nn_lab_free(lab);
		return cli_input_error(&e);
	}
	return cli_apply_lab(argv[0], lab, &how);
}
