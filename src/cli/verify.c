// SPDX-License-Identifier: GPL-2.0-or-later
/* verify: a lab file's expect: list against measurements (docs/verify.md) */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netnsctl/ctx.h"
#include "netnsctl/junit.h"
#include "netnsctl/labfile.h"
#include "netnsctl/units.h"
#include "netnsctl/verify.h"
#include "util/cleanup.h"
#include "cli.h"
#include "commands.h"
#include "measure.h"
#include "util/show.h"

struct verify_args {
	const char *file;
	const char *junit;
	bool json;
	struct nn_verify_opts o;
};

static int parse_args(int argc, char **argv, struct verify_args *a)
{
	enum { O_JSON = 1, O_JUNIT, O_COUNT, O_INTERVAL, O_RATE, O_WAIT };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "junit", required_argument, NULL, O_JUNIT },
		{ "count", required_argument, NULL, O_COUNT },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "rate-test", required_argument, NULL, O_RATE },
		{ "wait", required_argument, NULL, O_WAIT },
		{ NULL, 0, NULL, 0 },
	};
	struct nn_error e = { 0 };
	struct nn_shown sh;
	uint64_t v;
	int c, ret = 0;

	nn_verify_opts_default(&a->o);
	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		if (c < 0)
			return -c;
		switch (c) {
		case 'j':
		case O_JSON:
			a->json = true;
			break;
		case O_JUNIT:
			if (!*optarg)
				return cli_usage_error("%s: invalid --junit \"\": empty", argv[0]);
			a->junit = optarg;
			break;
		case O_COUNT:
			ret = nn_parse_uint(optarg, "--count", 1, NN_PROBE_MAX_COUNT, &v, &e);
			a->o.probe.count = (uint32_t)v;
			break;
		case O_INTERVAL:
			if ((ret = nn_parse_time(optarg, "--interval", &a->o.probe.interval_ns, &e)) == 0 &&
			    (a->o.probe.interval_ns < NN_PROBE_MIN_INTERVAL_NS ||
			     a->o.probe.interval_ns > 60000000000ULL))
				ret = nn_error_setx(&e, EINVAL, "invalid --interval \"%s\": expected 100us to 60s",
						    nn_show(&sh, optarg));
			break;
		case O_WAIT:
			if ((ret = nn_parse_time(optarg, "--wait", &a->o.probe.wait_ns, &e)) == 0 &&
			    (a->o.probe.wait_ns < 1000000ULL || a->o.probe.wait_ns > 600000000000ULL))
				ret = nn_error_setx(&e, EINVAL, "invalid --wait \"%s\": expected 1ms to 10min",
						    nn_show(&sh, optarg));
			break;
		case O_RATE:
			if ((ret = nn_parse_time(optarg, "--rate-test", &a->o.rate_ns, &e)) == 0 &&
			    (a->o.rate_ns < 100000000ULL || a->o.rate_ns > 3600000000000ULL))
				ret = nn_error_setx(&e, EINVAL, "invalid --rate-test \"%s\": expected 100ms to 1h",
						    nn_show(&sh, optarg));
			break;
		}
		if (ret < 0)
			return cli_input_error(&e);
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "FILE")))
		return ret;
	a->file = argv[optind];
	return 0;
}

/* --- the table --- */

struct row {
	char line[16], name[2 * NN_EXPECT_NAME_MAX + 8], check[8];
	const char *expected, *measured, *verdict;
};

static void table(const struct nn_labfile *lf, const struct nn_verify_result *v, size_t n)
{
	size_t w[5] = { 4, 11, 5, 8, 8 }, nrows = 0, checks = 0, failed = 0;
	_cleanup_free_ struct row *rows = calloc(4 * n + 1, sizeof(*rows));

	if (!rows)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct nn_verify_result *r = &v[i];
		size_t k = r->n_checks ? r->n_checks : 1;

		for (size_t j = 0; j < k; j++) {
			struct row *rw = &rows[nrows++];

			snprintf(rw->line, sizeof(rw->line), "%u", r->plan.x->line);
			snprintf(rw->name, sizeof(rw->name), "%s", r->plan.name);
			if (r->error) {
				snprintf(rw->check, sizeof(rw->check), "error");
				rw->expected = "-";
				rw->measured = r->error_text;
				rw->verdict = "FAIL";
			} else {
				const struct nn_verify_check *c = &r->checks[j];

				snprintf(rw->check, sizeof(rw->check), "%s", nn_check_name(c->kind));
				rw->expected = c->expected;
				rw->measured = c->measured;
				rw->verdict = c->pass ? "pass" : "FAIL";
			}
			checks++;
			failed += strcmp(rw->verdict, "pass") != 0;
			if (strlen(rw->line) > w[0])
				w[0] = strlen(rw->line);
			if (strlen(rw->name) > w[1])
				w[1] = strlen(rw->name);
			if (strlen(rw->expected) > w[3])
				w[3] = strlen(rw->expected);
			if (strlen(rw->measured) > w[4])
				w[4] = strlen(rw->measured);
		}
	}
	printf("%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", (int)w[0], "LINE", (int)w[1], "EXPECTATION",
	       (int)w[2], "CHECK", (int)w[3], "EXPECTED", (int)w[4], "MEASURED", "VERDICT");
	for (size_t i = 0; i < nrows; i++)
		printf("%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", (int)w[0], rows[i].line, (int)w[1],
		       rows[i].name, (int)w[2], rows[i].check, (int)w[3], rows[i].expected, (int)w[4],
		       rows[i].measured, rows[i].verdict);
	for (size_t i = 0; i < n; i++)
		if (*v[i].plan.note)
			printf("note: line %u, %s: %s\n", v[i].plan.x->line, v[i].plan.name, v[i].plan.note);
	if (failed)
		printf("%s: %zu of %zu checks failed\n", lf->name, failed, checks);
	else
		printf("%s: all %zu checks hold\n", lf->name, checks);
}

/* --- JSON --- */

static void json(const struct nn_labfile *lf, const struct nn_verify_result *v, size_t n,
		 bool pass, double seconds)
{
	printf("{\"version\":%d,\"lab\":", VERIFY_JSON_VERSION);
	json_str(stdout, lf->name);
	printf(",\"file\":");
	json_str(stdout, lf->path);
	printf(",\"pass\":%s,\"seconds\":", pass ? "true" : "false");
	json_num(stdout, seconds);
	printf(",\"expectations\":[");
	for (size_t i = 0; i < n; i++) {
		const struct nn_verify_result *r = &v[i];
		const struct nn_expect *x = r->plan.x;
		char a[64];

		printf("%s{\"from\":", i ? "," : "");
		json_str(stdout, x->from);
		printf(",\"to\":");
		json_str(stdout, x->to_is_addr ? nn_format_prefix(a, sizeof(a), &x->to_addr, false) : x->to);
		printf(",\"line\":%u,\"pass\":%s,\"error\":", x->line, r->pass ? "true" : "false");
		if (r->error)
			json_str(stdout, r->error_text);
		else
			printf("null");
		printf(",\"note\":");
		if (*r->plan.note)
			json_str(stdout, r->plan.note);
		else
			printf("null");
		printf(",\"checks\":[");
		for (size_t j = 0; j < r->n_checks; j++) {
			const struct nn_verify_check *c = &r->checks[j];

			printf("%s{\"check\":\"%s\",\"derived\":%s,\"pass\":%s,\"expected\":", j ? "," : "",
			       nn_check_name(c->kind), c->derived ? "true" : "false", c->pass ? "true" : "false");
			json_str(stdout, c->expected);
			printf(",\"measured\":");
			json_str(stdout, c->measured);
			printf(",\"unit\":\"%s\",\"lo\":", c->unit);
			json_num(stdout, c->lo);
			printf(",\"hi\":");
			json_num(stdout, c->hi);
			printf(",\"value\":");
			json_num(stdout, c->value);
			putchar('}');
		}
		printf("],\"probes\":[");
		for (size_t t = 0, first = 1; t < r->plan.n_targets; t++) {
			if (!r->targets[t].probed)
				continue;
			printf("%s{", first ? "" : ",");
			measure_json_probe(stdout, &r->targets[t].st);
			putchar('}');
			first = 0;
		}
		printf("],\"rate\":");
		if (r->rated) {
			putchar('{');
			measure_json_rate(stdout, &r->rate);
			putchar('}');
		} else {
			printf("null");
		}
		putchar('}');
	}
	printf("]}\n");
}

/* --- JUnit --- */

static int junit(FILE *f, const struct nn_labfile *lf, const struct nn_verify_result *v, size_t n,
		 double seconds)
{
	_cleanup_free_ struct nn_junit_case *cases = calloc(n + 1, sizeof(*cases));
	_cleanup_free_ char *texts = calloc(n + 1, 3 * 1024);
	char classname[NN_LABFILE_NAME_MAX + 32], stamp[32], host[256] = "";
	struct nn_junit_suite s = { .cases = cases, .n_cases = n, .seconds = seconds };
	time_t now = time(NULL);
	struct tm tm;

	if (!cases || !texts)
		return -ENOMEM;
	snprintf(classname, sizeof(classname), "netnsctl.verify.%s", lf->name);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
	gethostname(host, sizeof(host) - 1);
	s.name = lf->name;
	s.timestamp = stamp;
	s.hostname = *host ? host : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct nn_verify_result *r = &v[i];
		struct nn_junit_case *c = &cases[i];
		char *msg = texts + i * 3 * 1024, *out = msg + 1024;
		size_t o = 0;

		c->name = r->plan.name;
		c->classname = classname;
		c->seconds = r->seconds;
		for (size_t j = 0; j < r->n_checks && o < 2048; j++) {
			const struct nn_verify_check *k = &r->checks[j];

			o += (size_t)snprintf(out + o, 2048 - o, "%s: expected %s; measured %s: %s\n",
					      nn_check_name(k->kind), k->expected, k->measured,
					      k->pass ? "pass" : "FAIL");
		}
		if (*r->plan.note && o < 2048)
			snprintf(out + o, 2048 - o, "note: %s\n", r->plan.note);
		c->output = out;
		if (r->error) {
			c->status = NN_JUNIT_ERROR;
			c->type = "error";
			snprintf(msg, 1024, "%s", r->error_text);
			c->message = msg;
			c->detail = msg;
			continue;
		}
		if (r->pass)
			continue;
		c->status = NN_JUNIT_FAIL;
		for (size_t j = 0; j < r->n_checks; j++) {
			const struct nn_verify_check *k = &r->checks[j];

			if (k->pass)
				continue;
			c->type = nn_check_name(k->kind);
			snprintf(msg, 1024, "%s: measured %s, expected %s", c->type, k->measured, k->expected);
			break;
		}
		c->message = msg;
		c->detail = out;
	}
	return nn_junit_write(f, &s);
}

int cmd_verify(int argc, char **argv)
{
	struct verify_args a = { 0 };
	struct nn_error e = { 0 };
	struct nn_labfile *lf = NULL;
	struct nn_verify_result *v = NULL;
	struct nn_ctx *ctx = NULL;
	FILE *jf = NULL;
	char *jtmp = NULL;
	struct nn_shown sh;
	struct timespec t0, t1;
	bool pass = true;
	double seconds;
	int ret;

	if ((ret = parse_args(argc, argv, &a)))
		return ret;
	if (nn_labfile_load(a.file, &lf, &e) < 0)
		return e.code == EINVAL || e.code == E2BIG ? cli_input_error(&e) : cli_fail(&e);
	if (!lf->n_expects) {
		ret = cli_usage_error("%s: %s has no \"expect\" list: nothing to verify", argv[0],
				      nn_show(&sh, a.file));
		goto out;
	}
	/* Every expectation must be one netnsctl can probe: bad input is exit 2
	 * before anything else (derive is pure). */
	for (size_t i = 0; i < lf->n_expects; i++) {
		struct nn_verify_plan *plan = malloc(sizeof(*plan));

		if (!plan) {
			ret = cli_oom();
			goto out;
		}
		ret = nn_verify_derive(lf, &lf->expects[i], plan, &e);
		free(plan);
		if (ret < 0) {
			ret = e.code == EINVAL ? cli_input_error(&e) : cli_fail(&e);
			goto out;
		}
	}
	if ((ret = cli_check_privileges(argv[0])))
		goto out;
	/* The report is written beside its place first (a bad path costs no
	 * measuring) and renamed there at the end: a run that fails half way
	 * leaves an earlier report as it was. */
	if (a.junit) {
		if (asprintf(&jtmp, "%s.tmp", a.junit) < 0) {
			ret = cli_oom();
			goto out;
		}
		if (!(jf = fopen(jtmp, "we"))) {
			ret = cli_usage_error("%s: cannot write --junit \"%s\": %s", argv[0],
					      nn_show(&sh, a.junit), strerror(errno));
			free(jtmp);
			jtmp = NULL;
			goto out;
		}
	}
	if (!(ctx = cli_ctx())) {
		ret = EXIT_FAIL;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Ctrl-C stops the measuring; no report is written then. */
	cli_catch_signals();
	if (nn_verify_all(ctx, lf, &a.o, &v, &e) < 0) {
		ret = e.code == EINVAL ? cli_input_error(&e) : cli_fail_or_signal(&e);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (size_t i = 0; i < lf->n_expects; i++)
		pass &= v[i].pass;
	if (a.json)
		json(lf, v, lf->n_expects, pass, seconds);
	else
		table(lf, v, lf->n_expects);
	fflush(stdout);
	ret = pass ? EXIT_OK : EXIT_FAIL;
	if (jf) {
		int jr = junit(jf, lf, v, lf->n_expects, seconds);

		if (fclose(jf) != 0 || jr < 0 || rename(jtmp, a.junit) < 0) {
			fprintf(stderr, "netnsctl: cannot write --junit \"%s\": %s\n", nn_show(&sh, a.junit),
				strerror(errno ? errno : EIO));
			ret = EXIT_FAIL;
		} else {
			free(jtmp);
			jtmp = NULL;
		}
		jf = NULL;
	}
	if (ret == EXIT_FAIL && pass == false)
		fprintf(stderr, "netnsctl: %s: expectations do not hold\n", nn_show(&sh, a.file));
out:
	if (jf)
		fclose(jf);
	if (jtmp) {
		unlink(jtmp);
		free(jtmp);
	}
	nn_verify_results_free(v, lf ? lf->n_expects : 0);
	nn_ctx_free(ctx);
	nn_labfile_free(lf);
	return ret;
}
