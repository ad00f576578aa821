// SPDX-License-Identifier: GPL-2.0-or-later
/* probe: ICMP or UDP probes and a TCP transfer between namespaces */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/lab.h"
#include "netnsctl/names.h"
#include "netnsctl/probe.h"
#include "netnsctl/units.h"
#include "cli.h"
#include "commands.h"
#include "measure.h"
#include "util/show.h"

struct probe_args {
	const char *src, *dst;
	bool dst_is_addr;
	struct nn_prefix dst_addr;
	struct nn_probe_opts o;
	uint64_t rate_ns;	/* 0: no transfer */
	bool json;
};

/* DST is an address when it reads as one, else a namespace. */
static int parse_args(int argc, char **argv, struct probe_args *a)
{
	enum { O_COUNT = 1, O_INTERVAL, O_SIZE, O_UDP, O_RATE, O_WAIT, O_JSON };
	static const struct option opts[] = {
		{ "count", required_argument, NULL, O_COUNT },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "size", required_argument, NULL, O_SIZE },
		{ "udp", required_argument, NULL, O_UDP },
		{ "rate-test", required_argument, NULL, O_RATE },
		{ "wait", required_argument, NULL, O_WAIT },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct nn_error e = { 0 };
	struct nn_shown sh;
	uint64_t v;
	int c, ret = 0;

	nn_probe_opts_default(&a->o);
	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		if (c < 0)
			return -c;
		switch (c) {
		case O_COUNT:
			ret = nn_parse_uint(optarg, "--count", 1, NN_PROBE_MAX_COUNT, &v, &e);
			a->o.count = (uint32_t)v;
			break;
		case O_INTERVAL:
			if ((ret = nn_parse_time(optarg, "--interval", &a->o.interval_ns, &e)) == 0 &&
			    (a->o.interval_ns < NN_PROBE_MIN_INTERVAL_NS || a->o.interval_ns > 60000000000ULL))
				ret = nn_error_setx(&e, EINVAL, "invalid --interval \"%s\": expected 100us to 60s",
						    nn_show(&sh, optarg));
			break;
		case O_SIZE:
			ret = nn_parse_uint(optarg, "--size", NN_PROBE_MIN_SIZE, NN_PROBE_MAX_SIZE, &v, &e);
			a->o.size = (uint32_t)v;
			break;
		case O_UDP:
			ret = nn_parse_uint(optarg, "--udp", 1, 65535, &v, &e);
			a->o.udp_port = (uint16_t)v;
			break;
		case O_WAIT:
			if ((ret = nn_parse_time(optarg, "--wait", &a->o.wait_ns, &e)) == 0 &&
			    (a->o.wait_ns < 1000000ULL || a->o.wait_ns > 600000000000ULL))
				ret = nn_error_setx(&e, EINVAL, "invalid --wait \"%s\": expected 1ms to 10min",
						    nn_show(&sh, optarg));
			break;
		case O_RATE:
			if ((ret = nn_parse_time(optarg, "--rate-test", &a->rate_ns, &e)) == 0 &&
			    (a->rate_ns < 100000000ULL || a->rate_ns > 3600000000000ULL))
				ret = nn_error_setx(&e, EINVAL, "invalid --rate-test \"%s\": expected 100ms to 1h",
						    nn_show(&sh, optarg));
			break;
		case 'j':
		case O_JSON:
			a->json = true;
			break;
		}
		if (ret < 0)
			return cli_input_error(&e);
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "SRC DST")))
		return ret;
	a->src = argv[optind];
	a->dst = argv[optind + 1];
	if (nn_check_netns_name(a->src, &e) < 0)
		return cli_input_error(&e);
	if (!strchr(a->dst, '/') && nn_parse_ifaddr(a->dst, &a->dst_addr, &e) == 0) {
		a->dst_is_addr = true;
	} else if (nn_check_netns_name(a->dst, &e) < 0) {
		return cli_usage_error("%s: invalid DST \"%s\": neither a namespace nor an address",
				       argv[0], nn_show(&sh, a->dst));
	}
	if (a->dst_is_addr && a->o.udp_port)
		return cli_usage_error("%s: --udp needs DST to be a namespace (netnsctl answers the probes there)",
				       argv[0]);
	if (a->dst_is_addr && a->rate_ns)
		return cli_usage_error("%s: --rate-test needs DST to be a namespace (netnsctl receives there)",
				       argv[0]);
	return 0;
}

static void print_json(const struct probe_args *a, const struct nn_probe_stats *st,
		       const struct nn_rate_result *rate)
{
	printf("{\"version\":%d,\"src\":", PROBE_JSON_VERSION);
	json_str(stdout, a->src);
	printf(",\"dst\":");
	json_str(stdout, a->dst);
	printf(",\"proto\":\"%s\",", a->o.udp_port ? "udp" : "icmp");
	if (a->o.udp_port)
		printf("\"port\":%u,", a->o.udp_port);
	measure_json_probe(stdout, st);
	if (rate) {
		putchar(',');
		measure_json_rate(stdout, rate);
	}
	printf("}\n");
}

int cmd_probe(int argc, char **argv)
{
	struct probe_args a = { 0 };
	struct nn_error e = { 0 };
	struct nn_ctx *ctx = NULL;
	struct nn_ns *src = NULL, *dst = NULL;
	struct nn_probe *p = NULL;
	struct nn_rate *r = NULL;
	struct nn_probe_stats st;
	struct nn_rate_result rr;
	char addr[64];
	int ret;

	if ((ret = parse_args(argc, argv, &a)))
		return ret;
	if ((ret = cli_check_privileges(argv[0])))
		return ret;
	if (!(ctx = cli_ctx()))
		return EXIT_FAIL;
	/* Ctrl-C ends the probes; what they measured is still printed. */
	cli_catch_signals();
	if (nn_ctx_ns(ctx, a.src, &src, &e) < 0 ||
	    (!a.dst_is_addr && (nn_ctx_ns(ctx, a.dst, &dst, &e) < 0 ||
				nn_probe_pick_addr(src, dst, &a.dst_addr, &e) < 0)) ||
	    nn_probe_new(src, dst, &a.dst_addr, &a.o, &p, &e) < 0 || nn_probe_run(&p, 1, &e) < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	nn_probe_get_stats(p, &st);
	if (a.rate_ns && st.received && !nn_plan_cancelled()) {
		struct nn_rate_opts ro = { .duration_ns = a.rate_ns };

		if (nn_rate_new(src, dst, &a.dst_addr, &ro, &r, &e) < 0 || nn_rate_run(&r, 1, &e) < 0) {
			ret = cli_fail(&e);
			goto out;
		}
		nn_rate_get_result(r, &rr);
	}
	if (a.json) {
		print_json(&a, &st, r ? &rr : NULL);
	} else {
		printf("probe %s -> %s: ", a.src, a.dst);
		measure_print_probe(stdout, &st);
		if (r)
			measure_print_rate(stdout, &rr);
	}
	fflush(stdout);
	nn_format_prefix(addr, sizeof(addr), &a.dst_addr, false);
	if (nn_plan_cancelled()) {
		fprintf(stderr, "netnsctl: interrupted after %u probes\n", st.sent);
		ret = 128 + nn_plan_cancelled();
	} else if (st.unreachable) {
		fprintf(stderr, "netnsctl: %s is unreachable from %s: %s\n", addr, a.src, st.error_text);
		ret = EXIT_FAIL;
	} else if (!st.received) {
		fprintf(stderr, "netnsctl: no answer from %s to %u probes from %s\n", addr, st.sent, a.src);
		ret = EXIT_FAIL;
	}
out:
	nn_rate_free(r);
	nn_probe_free(p);
	nn_ctx_free(ctx);
	return ret;
}
