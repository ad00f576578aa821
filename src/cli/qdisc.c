// SPDX-License-Identifier: GPL-2.0-or-later
/* add-delay, set-rate, clear-qdisc, show-qdisc */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/ifb.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/units.h"
#include "cli.h"
#include "commands.h"
#include "tcedit.h"

/* A value tc reads otherwise than many expect ("10mbps" is bytes): kept as
 * tc reads it, with a one-line note naming both readings. */
static void unit_note(const char *s, enum nn_unit_kind kind)
{
	char buf[256];

	if (nn_unit_note(buf, sizeof(buf), s, kind))
		fprintf(stderr, "netnsctl: note: %s\n", buf);
}

/* add-delay's or set-rate's change of NS IF (ARGV[optind], the next): for
 * DUR (FOR_NS) when --for was given, else as R asks. */
static int run_change(char **argv, struct tc_req *r, const struct nn_qdisc_info *want,
		      const char *dur, uint64_t for_ns, const struct cli_change *how)
{
	if (!dur)
		return tc_edit(argv[0], r, argv[optind], argv[optind + 1], how);
	/* --for puts back one root qdisc; a tree it would not restore */
	if (r->dirs & TC_INGRESS || r->has_match || r->print_tc || how->json)
		return cli_usage_error("%s: --for cannot go with --direction ingress|both, --to, --port, --proto, --print-tc or --json",
				       argv[0]);
	return cli_timed_qdisc(argv[0], argv[optind], argv[optind + 1], want, dur, for_ns,
			       how->dry_run);
}

/* One of the shared options (--direction, --to, ...): 1 taken, 0 not one,
 * else the exit code of its bad value (as a negative number). */
static int edit_opt(struct tc_req *r, int c)
{
	struct nn_error e = { 0 };
	int ret = tc_req_opt(r, c, optarg, &e);

	return ret < 0 ? -cli_input_error(&e) : ret;
}

/* An option every tc command takes (--dry-run, --json, the tree edit's:
 * tcedit.h), or, with DUR, add-delay's and set-rate's --for (FOR_C): 0
 * when taken, else the exit code (an unknown option's too). */
static int shared_opt(int c, int for_c, struct tc_req *r, struct cli_change *how, const char **dur,
		      uint64_t *for_ns)
{
	int ret;

	if (dur && c == for_c)
		return cli_parse_for(*dur = optarg, for_ns);
	if (cli_change_opt(c, how))
		return 0;
	if ((ret = edit_opt(r, c)) <= 0)
		return ret < 0 ? -ret : -c;
	return 0;
}

int cmd_add_delay(int argc, char **argv)
{
	enum { O_DELAY = 1, O_JITTER, O_CORR, O_DIST, O_LOSS, O_LOSS_CORR, O_DUP, O_DUP_CORR,
	       O_CORRUPT, O_CORRUPT_CORR, O_REORDER, O_REORDER_CORR, O_GAP, O_RATE, O_LIMIT,
	       O_FOR };
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, O_DELAY },
		{ "jitter", required_argument, NULL, O_JITTER },
		{ "correlation", required_argument, NULL, O_CORR },
		{ "distribution", required_argument, NULL, O_DIST },
		{ "loss", required_argument, NULL, O_LOSS },
		{ "loss-correlation", required_argument, NULL, O_LOSS_CORR },
		{ "duplicate", required_argument, NULL, O_DUP },
		{ "duplicate-correlation", required_argument, NULL, O_DUP_CORR },
		{ "corrupt", required_argument, NULL, O_CORRUPT },
		{ "corrupt-correlation", required_argument, NULL, O_CORRUPT_CORR },
		{ "reorder", required_argument, NULL, O_REORDER },
		{ "reorder-correlation", required_argument, NULL, O_REORDER_CORR },
		{ "gap", required_argument, NULL, O_GAP },
		{ "rate", required_argument, NULL, O_RATE },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "for", required_argument, NULL, O_FOR },
		CLI_CHANGE_OPTIONS,
		TC_EDIT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct tc_req req = { .what = TC_NETEM };
	struct nn_qdisc_info want = { .kind = NN_QDISC_NETEM };
	struct nn_netem *n = &want.u.netem;
	struct nn_error e = { 0 };
	const char *dur = NULL;
	uint64_t num, for_ns = 0;
	struct cli_change how = { 0 };
	int c, ret = 0;

	snprintf(want.kind_name, sizeof(want.kind_name), "netem");
	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case O_DELAY:
		case O_JITTER:
			ret = nn_parse_time(optarg, c == O_DELAY ? "delay" : "jitter",
					    c == O_DELAY ? &n->delay_ns : &n->jitter_ns, &e);
			if (ret == 0)
				unit_note(optarg, NN_UNIT_TIME);
			break;
		case O_CORR: ret = nn_parse_percent(optarg, "correlation", &n->delay_corr, &e); break;
		case O_DIST: ret = nn_netem_dist_parse(optarg, &n->dist, &e); break;
		case O_LOSS: ret = nn_parse_percent(optarg, "loss", &n->loss, &e); break;
		case O_LOSS_CORR: ret = nn_parse_percent(optarg, "loss correlation", &n->loss_corr, &e); break;
		case O_DUP: ret = nn_parse_percent(optarg, "duplicate", &n->duplicate, &e); break;
		case O_DUP_CORR: ret = nn_parse_percent(optarg, "duplicate correlation", &n->duplicate_corr, &e); break;
		case O_CORRUPT: ret = nn_parse_percent(optarg, "corrupt", &n->corrupt, &e); break;
		case O_CORRUPT_CORR: ret = nn_parse_percent(optarg, "corrupt correlation", &n->corrupt_corr, &e); break;
		case O_REORDER: ret = nn_parse_percent(optarg, "reorder", &n->reorder, &e); break;
		case O_REORDER_CORR: ret = nn_parse_percent(optarg, "reorder correlation", &n->reorder_corr, &e); break;
		case O_GAP:
			ret = nn_parse_uint(optarg, "gap", 1, UINT32_MAX, &num, &e);
			n->gap = (uint32_t)num;
			break;
		case O_RATE:
			if ((ret = nn_parse_rate(optarg, "rate", &n->rate, &e)) == 0)
				unit_note(optarg, NN_UNIT_RATE);
			break;
		case O_LIMIT:
			ret = nn_parse_uint(optarg, "limit", 1, UINT32_MAX, &num, &e);
			n->limit = (uint32_t)num;
			break;
		default:
			if ((ret = shared_opt(c, O_FOR, &req, &how, &dur, &for_ns)))
				return ret;
		}
		if (ret < 0)
			return cli_input_error(&e);
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "NS IF")))
		return ret;
	if (nn_netem_check(n, &e) < 0)
		return cli_input_error(&e);
	req.netem = *n;
	return run_change(argv, &req, &want, dur, for_ns, &how);
}

int cmd_set_rate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "latency", required_argument, NULL, 'l' },
		{ "limit", required_argument, NULL, 'L' },
		{ "for", required_argument, NULL, 'F' },
		CLI_CHANGE_OPTIONS,
		TC_EDIT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct tc_req req = { .what = TC_TBF };
	struct nn_qdisc_info want = { .kind = NN_QDISC_TBF };
	struct nn_tbf *t = &want.u.tbf;
	struct nn_error e = { 0 };
	const char *dur = NULL;
	uint64_t for_ns = 0;
	struct cli_change how = { 0 };
	int c, ret = 0;

	snprintf(want.kind_name, sizeof(want.kind_name), "tbf");
	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case 'r':
			if ((ret = nn_parse_rate(optarg, "rate", &t->rate, &e)) == 0)
				unit_note(optarg, NN_UNIT_RATE);
			break;
		case 'b': ret = nn_parse_size(optarg, "burst", &t->burst, &e); break;
		case 'l':
			if ((ret = nn_parse_time(optarg, "latency", &t->latency_ns, &e)) == 0)
				unit_note(optarg, NN_UNIT_TIME);
			break;
		case 'L': ret = nn_parse_size(optarg, "limit", &t->limit, &e); break;
		default:
			if ((ret = shared_opt(c, 'F', &req, &how, &dur, &for_ns)))
				return ret;
		}
		if (ret < 0)
			return cli_input_error(&e);
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "NS IF --rate R")))
		return ret;
	if (!t->rate)
		return cli_usage_error("%s: --rate is required", argv[0]);
	if (nn_tbf_check(t, &e) < 0)
		return cli_input_error(&e);
	req.tbf = *t;
	return run_change(argv, &req, &want, dur, for_ns, &how);
}

int cmd_clear_qdisc(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_CHANGE_OPTIONS,
		TC_EDIT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct tc_req req = { .what = TC_CLEAR };
	struct cli_change how = { 0 };
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1)
		if ((ret = shared_opt(c, 0, &req, &how, NULL, NULL)))
			return ret;
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "NS IF")))
		return ret;
	return tc_edit(argv[0], &req, argv[optind], argv[optind + 1], &how);
}

/* The ingress of link LI: its ifb's tree (1 and *T, *IFB) when the ifb
 * netnsctl names after it is there, else 0. */
static int ingress_tree(struct nn_ns *ns, const struct nn_link_info *li, char ifb[IFNAMSIZ],
			struct nn_tc_tree *t, struct nn_error *e)
{
	struct nn_link_info fb;
	int ret;

	nn_ifb_name(li->name, ifb);
	if ((ret = nn_link_find(ns, ifb, &fb, e)) <= 0)
		return ret;
	if ((ret = nn_tc_tree_get(ns, fb.ifindex, t, e)) < 0)
		return ret;
	return 1;
}

/* "egress: TREE" with the first line of nn_tc_tree_format after the label. */
static void show_tree(const char *label, const struct nn_tc_tree *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	nn_tc_tree_format(f, t);
	fclose(f);
	cli_part("%s: ", label);
	fputs(buf ? buf : "\n", stdout);
	free(buf);
}

int cmd_show_qdisc(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	static struct nn_tc_tree egress, ingress;
	struct nn_error e = { 0 };
	struct nn_qdisc_info *qs = NULL;
	struct nn_link_info li;
	struct nn_ctx *ctx;
	struct nn_ns *ns;
	const char *nsname, *ifname;
	char buf[1024], ifb[IFNAMSIZ];
	bool json = false;
	size_t n = 0;
	int c, ret, has_in = 0;

	while ((c = cli_getopt(argc, argv, "j", opts)) != -1) {
		if (c < 0)
			return -c;
		json = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "NS IF")))
		return ret;
	nsname = argv[optind];
	ifname = argv[optind + 1];
	if (nn_check_netns_name(nsname, &e) < 0 || nn_check_ifname(ifname, &e) < 0)
		return cli_input_error(&e);
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if (nn_ctx_ns(ctx, nsname, &ns, &e) < 0 || nn_link_get(ns, ifname, &li, &e) < 0 ||
	    nn_qdisc_list(ns, li.ifindex, &qs, &n, &e) < 0 ||
	    nn_tc_tree_get(ns, li.ifindex, &egress, &e) < 0 ||
	    (has_in = ingress_tree(ns, &li, ifb, &ingress, &e)) < 0) {
		free(qs);
		nn_ctx_free(ctx);
		return cli_fail(&e);
	}
	if (json) {
		json_begin(stdout);
		printf(",\"namespace\":");
		json_str(stdout, nsname);
		printf(",\"interface\":");
		json_str(stdout, ifname);
		printf(",\"qdiscs\":[");
		for (size_t i = 0; i < n; i++)
			printf("%s%s", i ? "," : "", nn_qdisc_format_json(buf, sizeof(buf), &qs[i]));
		/* The trees, nested (docs/json.md): what netnsctl impairs. */
		printf("],\"egress\":");
		nn_tc_tree_format_json(stdout, &egress);
		printf(",\"ingress\":");
		if (has_in) {
			printf("{\"ifb\":");
			json_str(stdout, ifb);
			printf(",\"tree\":");
			nn_tc_tree_format_json(stdout, &ingress);
			printf("}");
		} else {
			printf("null");
		}
		printf("}\n");
	} else {
		show_tree("egress", &egress);
		if (has_in) {
			snprintf(buf, sizeof(buf), "ingress (%s)", ifb);
			show_tree(buf, &ingress);
		}
		/* and every qdisc as the kernel reports it */
		for (size_t i = 0; i < n; i++)
			printf("%s\n", nn_qdisc_format(buf, sizeof(buf), &qs[i]));
	}
	free(qs);
	nn_ctx_free(ctx);
	return EXIT_OK;
}
