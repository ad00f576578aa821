// SPDX-License-Identifier: GPL-2.0-or-later
/* create-namespaces, delete-namespaces, list, exec */
#define _GNU_SOURCE
#include <errno.h>
#include <paths.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "netnsctl/ctx.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/live.h"
#include "netnsctl/names.h"
#include "netnsctl/route.h"
#include "netnsctl/netns.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/timed.h"
#include "cli.h"
#include "util/show.h"
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

/* Each NAME (made, or deleted with DEL) as one lab: one plan, one dry-run,
 * one rollback, the journal written by the engine. */
static int namespaces(int argc, char **argv, bool del)
{
	struct cli_change how = { 0 };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	int ret;

	if ((ret = cli_change_options(argc, argv, &how)) ||
	    (ret = cli_want_args(argv[0], argc, argv, 1, -1, "NAME...")))
		return ret;
	lab = nn_lab_new(argv[0]);
	if (!lab)
		return cli_oom();
	for (int i = optind; i < argc; i++) {
		if ((del ? nn_lab_del_netns(lab, argv[i], &e) : nn_lab_add_netns(lab, argv[i], &e)) < 0) {
			nn_lab_free(lab);
			return cli_input_error(&e);
		}
	}
	return cli_apply_lab(argv[0], lab, &how);
}

int cmd_create_namespaces(int argc, char **argv)
{
	return namespaces(argc, argv, false);
}

/* A signal stops the run between namespaces, never inside one delete
 * (between its umount and unlink): the plan checks between steps. */
int cmd_delete_namespaces(int argc, char **argv)
{
	return namespaces(argc, argv, true);
}

static const char *mac_str(char *buf, size_t len, const uint8_t *m)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

/* What a route's protocol is called (rtnetlink.h's RTPROT_*), or its number. */
static const char *proto_name(char *buf, size_t len, int proto)
{
	switch (proto) {
	case RTPROT_KERNEL: return "kernel";
	case RTPROT_BOOT: return "boot";
	case RTPROT_STATIC: return "static";
	case RTPROT_DHCP: return "dhcp";
	case NN_RTPROT: return "netnsctl";	/* the mark of the routes netnsctl makes */
	default:
		snprintf(buf, len, "%d", proto);
		return buf;
	}
}

/* The kernel's own IPv6 link-local routes (one per link) say nothing. */
static bool route_shown(const struct nn_route_info *r)
{
	return !(r->protocol == RTPROT_KERNEL && r->dst.family == AF_INET6 && r->dst.len == 64 &&
		 r->dst.addr.v6.s6_addr[0] == 0xfe && (r->dst.addr.v6.s6_addr[1] & 0xc0) == 0x80);
}

/* Where link L of SPACES[I] leads: a veth's peer, a macvlan's parent. */
struct other_end {
	bool set;			/* the kernel names one */
	const char *ns;			/* its namespace ("" the host), NULL: one without a name */
	const struct nn_link_info *link;	/* NULL when not found */
	int ifindex;
	bool has_nsid;
	int32_t nsid;
};

static int other_end_of(struct nn_ctx *ctx, struct nn_live_ns *spaces, size_t n, size_t i,
			const struct nn_link_info *l, struct other_end *o, struct nn_error *e)
{
	size_t j = i;

	memset(o, 0, sizeof(*o));
	/* Some kinds name themselves; a veth's peer elsewhere may have its ifindex. */
	if (l->peer_ifindex <= 0 || (l->peer_ifindex == l->ifindex && !l->peer_nsid_set))
		return 0;
	o->set = true;
	o->ifindex = l->peer_ifindex;
	o->has_nsid = l->peer_nsid_set;
	o->nsid = l->peer_nsid;
	if (nn_live_peer(ctx, spaces, n, i, l, &j, &o->link, e) < 0)
		return -e->code;
	if (o->link)
		o->ns = spaces[j].name;
	return 0;
}

static void print_end_text(const struct other_end *o, const char *word)
{
	if (!o->set)
		return;
	if (o->link)
		cli_part("  %s %s in %s", word, o->link->name, *o->ns ? o->ns : "the host");
	else if (o->has_nsid)
		printf("  %s ifindex %d in nsid %d (a namespace without a name)", word, o->ifindex, o->nsid);
	else
		printf("  %s ifindex %d", word, o->ifindex);
}

static void print_end_json(const struct other_end *o, const char *key)
{
	printf(",\"%s\":", key);
	if (!o->set) {
		printf("null");
		return;
	}
	printf("{\"namespace\":");
	if (o->ns)
		json_str(stdout, o->ns);
	else
		printf("null");
	printf(",\"link\":");
	if (o->link)
		json_str(stdout, o->link->name);
	else
		printf("null");
	printf(",\"ifindex\":%d,\"nsid\":", o->ifindex);
	if (o->has_nsid)
		printf("%d}", o->nsid);
	else
		printf("null}");
}

static const char *link_name(const struct nn_live_ns *sp, int ifindex)
{
	const struct nn_link_info *l = ifindex > 0 ? nn_live_link(sp, ifindex) : NULL;

	return l ? l->name : NULL;
}

static void print_routes(const struct nn_live_ns *sp, bool json)
{
	char d[64], g[64], pb[16];
	bool first = true;

	for (size_t k = 0; k < sp->n_routes; k++) {
		const struct nn_route_info *r = &sp->routes[k];
		const char *dev = link_name(sp, r->ifindex);

		if (!route_shown(r))
			continue;
		if (r->dst.len == 0)
			snprintf(d, sizeof(d), "default");
		else
			nn_format_prefix(d, sizeof(d), &r->dst, true);
		if (r->has_gw)
			nn_format_prefix(g, sizeof(g), &r->gw, false);
		if (!json) {
			printf("  route %s%s%s%s%s proto %s\n", d, r->has_gw ? " via " : "", r->has_gw ? g : "",
			       dev ? " dev " : "", dev ? dev : "", proto_name(pb, sizeof(pb), r->protocol));
			continue;
		}
		printf("%s{\"dst\":\"%s\",\"family\":%d,\"gateway\":", first ? "" : ",", d,
		       r->dst.family == AF_INET6 ? 6 : 4);
		if (r->has_gw)
			printf("\"%s\"", g);
		else
			printf("null");
		printf(",\"dev\":");
		if (dev)
			json_str(stdout, dev);
		else
			printf("null");
		printf(",\"protocol\":\"%s\"}", proto_name(pb, sizeof(pb), r->protocol));
		first = false;
	}
}

/* Namespace SPACES[I], text or JSON. */
static int list_ns(struct nn_ctx *ctx, struct nn_live_ns *spaces, size_t n, size_t i, bool json,
		   bool first, struct nn_error *e)
{
	const struct nn_live_ns *sp = &spaces[i];
	char buf[512];

	if (json) {
		printf("%s{\"name\":", first ? "" : ",");
		json_str(stdout, sp->name);
		printf(",\"links\":[");
	} else {
		cli_line("%s", sp->name);
	}
	for (size_t k = 0; k < sp->n_links; k++) {
		const struct nn_link_info *l = &sp->links[k];
		const struct nn_qdisc_info *root = nn_qdisc_find(sp->roots, sp->n_roots, l->ifindex);
		/* IFLA_LINK is a veth's peer, or the link a macvlan (vlan ...) sits on. */
		const char *word = !strcmp(l->kind, "veth") ? "peer" : "parent";
		struct other_end o;
		bool firsta = true;

		if (other_end_of(ctx, spaces, n, i, l, &o, e) < 0)
			return -e->code;
		if (json) {
			printf("%s{\"name\":", k ? "," : "");
			json_str(stdout, l->name);
			printf(",\"ifindex\":%d,\"kind\":", l->ifindex);
			json_str(stdout, l->kind);
			printf(",\"up\":%s,\"carrier\":%s,\"mtu\":%u,\"mac\":\"%s\",\"addresses\":[",
			       l->up ? "true" : "false", l->lower_up ? "true" : "false", l->mtu,
			       mac_str(buf, sizeof(buf), l->mac));
			for (size_t j = 0; j < sp->n_addrs; j++) {
				if (sp->addrs[j].ifindex != l->ifindex)
					continue;
				printf("%s\"%s\"", firsta ? "" : ",",
				       nn_format_prefix(buf, sizeof(buf), &sp->addrs[j].addr, true));
				firsta = false;
			}
			printf("],\"qdisc\":%s", root ? nn_qdisc_format_json(buf, sizeof(buf), root) : "null");
			print_end_json(&o, word);
			printf(",\"%s\":null", strcmp(word, "peer") ? "peer" : "parent");
			printf(",\"master\":");
			if (link_name(sp, l->master))
				json_str(stdout, link_name(sp, l->master));
			else
				printf("null");
			putchar('}');
		} else {
			/* A link's name is the kernel's: any bytes but '/', ':' and blanks. */
			cli_part("  %-15s %-6s %-4s", l->name, *l->kind ? l->kind : "-", l->up ? "up" : "down");
			for (size_t j = 0; j < sp->n_addrs; j++)
				if (sp->addrs[j].ifindex == l->ifindex)
					printf(" %s", nn_format_prefix(buf, sizeof(buf), &sp->addrs[j].addr, true));
			print_end_text(&o, word);
			if (link_name(sp, l->master))
				cli_part("  master %s", link_name(sp, l->master));
			if (root)
				printf("  qdisc %s", nn_qdisc_format(buf, sizeof(buf), root));
			printf("\n");
		}
	}
	if (json)
		printf("],\"routes\":[");
	print_routes(sp, json);
	if (json)
		printf("]}");
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct nn_live_ns *spaces = NULL;
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	char **names = NULL;
	size_t n = 0, shown = 0;
	bool json = false, *want = NULL;
	int c, ret = 0;

	while ((c = cli_getopt(argc, argv, "j", opts)) != -1) {
		if (c < 0)
			return -c;
		json = true;
	}
	for (int i = optind; i < argc; i++)
		if (nn_check_netns_name(argv[i], &e) < 0)
			return cli_input_error(&e);
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if (nn_netns_list(ctx, &names, &n, &e) < 0) {
		nn_ctx_free(ctx);
		return cli_fail(&e);
	}
	/* Every namespace is read, the host first: a peer may be in any. */
	if (!(spaces = calloc(n + 1, sizeof(*spaces))) || !(want = calloc(n + 1, sizeof(*want)))) {
		ret = cli_oom();
		goto out;
	}
	spaces[0].name = "";
	for (size_t i = 0; i < n; i++) {
		spaces[i + 1].name = names[i];
		want[i + 1] = optind == argc;
		for (int k = optind; k < argc; k++)
			want[i + 1] |= !strcmp(argv[k], names[i]);
	}
	for (size_t i = 0; i <= n; i++) {
		nn_ctx_progress(ctx, *spaces[i].name ? spaces[i].name : "the host", i, n + 1);
		if (nn_live_read(ctx, &spaces[i], want[i], &e) < 0) {
			ret = cli_fail(&e);
			goto out;
		}
	}
	nn_ctx_progress(ctx, "", n + 1, n + 1);
	for (int k = optind; k < argc; k++) {
		bool found = false;

		for (size_t i = 1; i <= n && !found; i++)
			found = spaces[i].live && !strcmp(spaces[i].name, argv[k]);
		if (!found) {
			nn_error_setx(&e, ENOENT, "namespace \"%s\" does not exist", argv[k]);
			ret = cli_fail(&e);
			goto out;
		}
	}
	if (json) {
		json_begin(stdout);
		printf(",\"namespaces\":[");
	}
	for (size_t i = 1; i <= n; i++) {
		if (!want[i] || !spaces[i].live)
			continue;
		if (list_ns(ctx, spaces, n + 1, i, json, shown++ == 0, &e) < 0) {
			fflush(stdout);
			ret = cli_fail(&e);
			goto out;
		}
	}
	if (json) {
		struct nn_timed *tv = NULL;
		size_t tn = 0;

		/* The changes netnsctl holds (link-down, partitions, --for):
		 * docs/timelines.md. */
		if (nn_timed_load(ctx, &tv, &tn, NULL, &e) < 0) {
			fflush(stdout);
			ret = cli_fail(&e);
			goto out;
		}
		printf("],\"changes\":");
		nn_timed_json(stdout, tv, tn, nn_timed_now());
		printf("}\n");
		free(tv);
	}
	ret = EXIT_OK;
out:
	for (size_t i = 0; spaces && i <= n; i++)
		nn_live_free(&spaces[i]);
	free(spaces);
	free(want);
	nn_netns_list_free(names, n);
	nn_ctx_free(ctx);
	return ret;
}

int cmd_exec(int argc, char **argv)
{
	struct nn_error e = { 0 };
	char *shell[2] = { NULL, NULL }, **cmd;
	struct nn_ctx *ctx;
	const char *name;
	int ret;

	if ((ret = no_options(argc, argv)))
		return ret;
	if ((ret = cli_want_args(argv[0], argc, argv, 1, -1, "NAME [-- CMD [ARG...]]")))
		return ret;
	name = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	/* No command: the user's shell, interactive, as nsenter starts one
	 * (netnsctl itself never runs a shell). */
	if (optind >= argc) {
		const char *sh = getenv("SHELL");

		shell[0] = (char *)(sh && *sh ? sh : _PATH_BSHELL);
		cmd = shell;
	} else {
		cmd = argv + optind;
	}
	if (nn_check_netns_name(name, &e) < 0)
		return cli_input_error(&e);
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if ((ret = nn_netns_exists(ctx, name, &e)) != 1) {
		nn_ctx_free(ctx);
		if (ret == 0)
			nn_error_setx(&e, ENOENT, "namespace \"%s\" does not exist", name);
		return cli_fail(&e);
	}
	nn_netns_exec(ctx, name, cmd, &e);
	nn_ctx_free(ctx);
	cli_fail(&e);
	if (e.code == ENOENT)
		return EXIT_NOT_FOUND;
	if (e.code == EACCES || e.code == ENOEXEC || e.code == EISDIR)
		return EXIT_CANNOT_EXEC;
	return EXIT_FAIL;
}
