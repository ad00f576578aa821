// SPDX-License-Identifier: GPL-2.0-or-later
/* create-namespaces, delete-namespaces, list, exec */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/netns.h"
#include "netnsctl/qdisc.h"
#include "cli.h"
#include "show.h"
#include "commands.h"

static const struct option no_opts[] = { { NULL, 0, NULL, 0 } };

static int no_options(int argc, char **argv)
{
	int c;

	while ((c = cli_getopt(argc, argv, "+", no_opts)) != -1)
		if (c < 0)
			return -c;
	return 0;
}

int cmd_create_namespaces(int argc, char **argv)
{
	static const struct option opts[] = { { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	bool dry = false;
	int c, ret;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c < 0)
			return -c;
		dry = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, -1, "NAME...")))
		return ret;
	lab = nn_lab_new(argv[0]);
	if (!lab)
		return cli_oom();
	for (int i = optind; i < argc; i++) {
		if (nn_lab_add_netns(lab, argv[i], &e) < 0) {
			nn_lab_free(lab);
			return cli_input_error(&e);
		}
	}
	return cli_apply_lab(argv[0], lab, dry);
}

int cmd_delete_namespaces(int argc, char **argv)
{
	static const struct option opts[] = { { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	bool dry = false;
	int c, ret, changed = 0;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c < 0)
			return -c;
		dry = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, -1, "NAME...")))
		return ret;
	for (int i = optind; i < argc; i++)
		if (nn_check_netns_name(argv[i], &e) < 0)
			return cli_input_error(&e);
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if (nn_state_lock(ctx, &e) < 0) {
		nn_ctx_free(ctx);
		return cli_fail(&e);
	}
	/* A signal stops the run between namespaces, never inside one delete
	 * (between its umount and unlink). */
	cli_catch_signals();
	for (int i = optind; i < argc; i++) {
		if (nn_plan_cancelled()) {
			struct nn_shown sh;

			ret = nn_error_setx(&e, ECANCELED, "interrupted by signal %d before deleting namespace \"%s\"",
					    nn_plan_cancelled(), nn_show(&sh, argv[i]));
			break;
		}
		if (dry) {
			ret = nn_netns_exists(ctx, argv[i]);
			if (ret < 0) {
				nn_error_set(&e, -ret, "cannot look at namespace \"%s\"", argv[i]);
				break;
			}
			if (ret == 1) {
				printf("would delete namespace %s\n", argv[i]);
				changed++;
			}
			ret = 0;
			continue;
		}
		ret = nn_netns_del(ctx, argv[i], &e);
		if (ret < 0)
			break;
		if (ret == 1) {
			nn_journal_gone(ctx, NN_OBJ_NETNS, "-", argv[i], &e);
			cli_line("delete namespace %s", argv[i]);
			changed++;
		}
		ret = 0;
	}
	nn_ctx_free(ctx);
	if (ret < 0)
		return cli_fail_or_signal(&e);
	if (!changed)
		printf("unchanged\n");
	return EXIT_OK;
}

static const char *mac_str(char *buf, size_t len, const uint8_t *m)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

/* One namespace, text or JSON. */
static int list_ns(struct nn_ctx *ctx, const char *name, bool json, bool first, struct nn_error *e)
{
	struct nn_link_info *links = NULL;
	struct nn_addr_info *addrs = NULL;
	struct nn_qdisc_info *roots = NULL;
	size_t nl = 0, na = 0, nr = 0;
	struct nn_ns *ns;
	char buf[512];
	int ret = 0;

	if (nn_ctx_ns(ctx, name, &ns, e) < 0 || nn_link_list(ns, &links, &nl, e) < 0 ||
	    nn_addr_list(ns, &addrs, &na, e) < 0 || nn_qdisc_roots(ns, &roots, &nr, e) < 0) {
		free(links);
		free(addrs);
		return -e->code;
	}
	if (json) {
		printf("%s{\"name\":", first ? "" : ",");
		json_str(stdout, name);
		printf(",\"links\":[");
	} else {
		cli_line("%s", name);
	}
	for (size_t i = 0; i < nl; i++) {
		const struct nn_link_info *l = &links[i];
		const struct nn_qdisc_info *root = nn_qdisc_find(roots, nr, l->ifindex);
		bool firsta = true;

		if (json) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, l->name);
			printf(",\"ifindex\":%d,\"kind\":", l->ifindex);
			json_str(stdout, l->kind);
			printf(",\"up\":%s,\"carrier\":%s,\"mtu\":%u,\"mac\":\"%s\",\"addresses\":[",
			       l->up ? "true" : "false", l->lower_up ? "true" : "false", l->mtu,
			       mac_str(buf, sizeof(buf), l->mac));
			for (size_t j = 0; j < na; j++) {
				if (addrs[j].ifindex != l->ifindex)
					continue;
				printf("%s\"%s\"", firsta ? "" : ",",
				       nn_format_prefix(buf, sizeof(buf), &addrs[j].addr, true));
				firsta = false;
			}
			printf("],\"qdisc\":%s}",
			       root ? nn_qdisc_format_json(buf, sizeof(buf), root) : "null");
		} else {
			/* A link's name is the kernel's: any bytes but '/', ':' and blanks. */
			cli_part("  %-15s %-6s %-4s", l->name, *l->kind ? l->kind : "-", l->up ? "up" : "down");
			for (size_t j = 0; j < na; j++)
				if (addrs[j].ifindex == l->ifindex)
					printf(" %s", nn_format_prefix(buf, sizeof(buf), &addrs[j].addr, true));
			if (root)
				printf("  qdisc %s", nn_qdisc_format(buf, sizeof(buf), root));
			printf("\n");
		}
	}
	if (json)
		printf("]}");
	free(links);
	free(addrs);
	free(roots);
	return ret;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	char **names = NULL;
	size_t n = 0;
	bool json = false;
	int c, ret;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c < 0)
			return -c;
		json = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 0, 0, "")))
		return ret;
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if (nn_netns_list(ctx, &names, &n, &e) < 0) {
		nn_ctx_free(ctx);
		return cli_fail(&e);
	}
	if (json)
		printf("{\"namespaces\":[");
	for (size_t i = 0; i < n && ret == 0; i++)
		if (list_ns(ctx, names[i], json, i == 0, &e) < 0)
			ret = EXIT_FAIL;
	if (json)
		printf("]}\n");
	nn_netns_list_free(names, n);
	nn_ctx_free(ctx);
	return ret ? cli_fail(&e) : EXIT_OK;
}

int cmd_exec(int argc, char **argv)
{
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	const char *name;
	int ret;

	if ((ret = no_options(argc, argv)))
		return ret;
	if ((ret = cli_want_args(argv[0], argc, argv, 1, -1, "NAME -- CMD [ARG...]")))
		return ret;
	name = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		return cli_usage_error("%s: no command given (usage: netnsctl exec NAME -- CMD [ARG...])", argv[0]);
	if (nn_check_netns_name(name, &e) < 0)
		return cli_input_error(&e);
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if ((ret = nn_netns_exists(ctx, name)) != 1) {
		nn_ctx_free(ctx);
		if (ret < 0)
			nn_error_set(&e, -ret, "cannot look at namespace \"%s\"", name);
		else
			nn_error_setx(&e, ENOENT, "namespace \"%s\" does not exist", name);
		return cli_fail(&e);
	}
	nn_netns_exec(ctx, name, argv + optind, &e);
	nn_ctx_free(ctx);
	cli_fail(&e);
	if (e.code == ENOENT)
		return EXIT_NOT_FOUND;
	if (e.code == EACCES || e.code == ENOEXEC || e.code == EISDIR)
		return EXIT_CANNOT_EXEC;
	return EXIT_FAIL;
}
