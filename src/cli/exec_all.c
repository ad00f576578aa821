// SPDX-License-Identifier: GPL-2.0-or-later
/* exec-all: one command in every client's (or a lab's nodes') namespace */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netnsctl/clients.h"
#include "netnsctl/ctx.h"
#include "netnsctl/exec_all.h"
#include "netnsctl/labfile.h"
#include "netnsctl/lab.h"
#include "netnsctl/names.h"
#include "netnsctl/netns.h"
#include "netnsctl/units.h"
#include "cli.h"
#include "commands.h"
#include "util/show.h"

/* The last non-empty line of TEXT, shown safely, or "" */
static const char *last_line(const char *text, size_t len, struct nn_shown *sh)
{
	char line[NN_EXEC_TAIL + 1];
	size_t end = len, start;

	while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r'))
		end--;
	start = end;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	memcpy(line, text + start, end - start);
	line[end - start] = '\0';
	return nn_show(sh, line);
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void print_us_ms(uint64_t us)
{
	printf("%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
}

static void print_json(const struct nn_exec_job *jobs, size_t n, char **argv, unsigned parallel,
		       unsigned timeout_ms, const char *what, int failed, uint64_t us)
{
	size_t ran = 0;

	for (size_t i = 0; i < n; i++)
		ran += jobs[i].ran;
	printf("{\"version\":1,\"targets\":\"%s\",\"command\":[", what);
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			fputc(',', stdout);
		nn_put_json_n(stdout, argv[i], strlen(argv[i]), true);
	}
	printf("],\"parallel\":%u,\"timeout_ms\":", parallel);
	if (timeout_ms)
		printf("%u", timeout_ms);
	else
		printf("null");
	printf(",\"count\":%zu,\"ran\":%zu,\"ok\":%zu,\"failed\":%d,\"duration_ms\":", n, ran,
	       n - (size_t)failed, failed);
	print_us_ms(us);
	printf(",\"results\":[");
	for (size_t i = 0; i < n; i++) {
		const struct nn_exec_job *j = &jobs[i];

		printf("%s{\"name\":", i ? "," : "");
		nn_put_json_n(stdout, j->name, strlen(j->name), true);
		printf(",\"ran\":%s,\"exit\":", j->ran ? "true" : "false");
		if (j->ran)
			printf("%d", j->status);
		else
			printf("null");
		printf(",\"signal\":");
		if (j->signal)
			printf("%d", j->signal);
		else
			printf("null");
		printf(",\"timed_out\":%s,\"duration_ms\":", j->timed_out ? "true" : "false");
		print_us_ms(j->duration_us);
		printf(",\"stdout\":");
		nn_put_json_n(stdout, j->out, j->out_len, true);
		printf(",\"stdout_cut\":%s,\"stderr\":", j->out_cut ? "true" : "false");
		nn_put_json_n(stdout, j->err, j->err_len, true);
		printf(",\"stderr_cut\":%s}", j->err_cut ? "true" : "false");
	}
	printf("]}\n");
}

/* "ns3: exit 1: ping: connect: Network is unreachable", one per failure,
 * then the summary. */
static void print_text(const struct nn_exec_job *jobs, size_t n, const char *what, int failed,
		       uint64_t us)
{
	for (size_t i = 0; i < n; i++) {
		const struct nn_exec_job *j = &jobs[i];
		struct nn_shown name, line;

		if (j->ran && j->status == 0)
			continue;
		nn_show(&name, j->name);
		last_line(j->err, j->err_len, &line);
		if (!j->ran)
			printf("%s: not run%s%s\n", name.s, *line.s ? ": " : "", line.s);
		else if (j->timed_out)
			printf("%s: timed out (exit %d)%s%s\n", name.s, j->status, *line.s ? ": " : "",
			       line.s);
		else if (j->signal)
			printf("%s: killed by signal %d (exit %d)%s%s\n", name.s, j->signal, j->status,
			       *line.s ? ": " : "", line.s);
		else
			printf("%s: exit %d%s%s\n", name.s, j->status, *line.s ? ": " : "", line.s);
	}
	if (failed)
		printf("%d of %zu %s failed, %zu exited 0, in ", failed, n, what, n - (size_t)failed);
	else
		printf("all %zu %s exited 0, in ", n, what);
	printf("%" PRIu64 ".%03" PRIu64 " s\n", us / 1000000, us / 1000 % 1000);
}

/* The namespaces to run in: the clients matching PREFIX (NULL: all), or
 * the nodes of lab file LAB. */
static int targets(struct nn_ctx *ctx, const char *prefix, const char *lab,
		   struct nn_exec_job **out, size_t *n, struct nn_error *e)
{
	struct nn_exec_job *jobs;

	*out = NULL;
	*n = 0;
	if (lab) {
		struct nn_labfile *lf;
		int r;

		if (nn_labfile_load(lab, &lf, e) < 0)
			return -e->code;
		jobs = calloc(lf->n_nodes ? lf->n_nodes : 1, sizeof(*jobs));
		if (!jobs) {
			nn_labfile_free(lf);
			return nn_error_set(e, ENOMEM, "cannot run in %zu nodes", lf->n_nodes);
		}
		for (size_t i = 0; i < lf->n_nodes; i++) {
			snprintf(jobs[i].name, sizeof(jobs[i].name), "%s", lf->nodes[i].name);
			r = nn_netns_exists(ctx, jobs[i].name, NULL);
			if (r != 1) {
				struct nn_shown sh, file;

				nn_show(&file, lab);
				if (r < 0)
					nn_error_set(e, -r, "cannot look at namespace \"%s\"",
						     nn_show(&sh, jobs[i].name));
				else
					nn_error_setx(e, ENOENT,
						      "node \"%s\" of lab \"%s\" does not exist (apply the lab first)",
						      nn_show(&sh, jobs[i].name), file.s);
				free(jobs);
				nn_labfile_free(lf);
				return -e->code;
			}
		}
		*n = lf->n_nodes;
		*out = jobs;
		nn_labfile_free(lf);
		return 0;
	} else {
		struct nn_client_info *v;
		size_t k;

		if (nn_clients_list(ctx, prefix, &v, &k, e) < 0)
			return -e->code;
		jobs = calloc(k ? k : 1, sizeof(*jobs));
		if (!jobs) {
			free(v);
			return nn_error_set(e, ENOMEM, "cannot run in %zu clients", k);
		}
		for (size_t i = 0; i < k; i++)
			snprintf(jobs[i].name, sizeof(jobs[i].name), "%s", v[i].name);
		free(v);
		*n = k;
		*out = jobs;
		return 0;
	}
}

int cmd_exec_all(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prefix", required_argument, NULL, 'x' },
		{ "lab", required_argument, NULL, 'l' },
		{ "parallel", required_argument, NULL, 'P' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = NULL, *lab = NULL, *what;
	struct nn_exec_job *jobs = NULL;
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	unsigned timeout_ms = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned parallel = (cpus > 0 ? (unsigned)cpus : 1) * 4;
	bool json = false;
	uint64_t v, t0;
	size_t n = 0;
	int c, ret;

	if (parallel > NN_EXEC_PARALLEL_MAX)
		parallel = NN_EXEC_PARALLEL_MAX;
	/* "+": the command's own options are not ours */
	while ((c = cli_getopt(argc, argv, "+:j", opts)) != -1) {
		switch (c) {
		case 'x':
			if (nn_check_netns_name(optarg, &e) < 0)
				return cli_input_error(&e);
			prefix = optarg;
			break;
		case 'l': lab = optarg; break;
		case 'P':
			if (nn_parse_uint(optarg, "--parallel", 1, NN_EXEC_PARALLEL_MAX, &v, &e) < 0)
				return cli_input_error(&e);
			parallel = v;
			break;
		case 't':
			if (cli_parse_timeout(optarg, &timeout_ms, &e) < 0)
				return cli_input_error(&e);
			break;
		case 'j': json = true; break;
		default: return -c;
		}
	}
	if (prefix && lab)
		return cli_usage_error("%s: --prefix and --lab exclude each other", argv[0]);
	if (optind >= argc)
		return cli_usage_error("%s: no command given (usage: netnsctl %s [--prefix P | --lab FILE] [--parallel N] [--timeout T] [--json] -- CMD [ARG...])",
				       argv[0], argv[0]);
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	what = lab ? "nodes" : "clients";
	if (targets(ctx, prefix, lab, &jobs, &n, &e) < 0) {
		nn_ctx_free(ctx);
		return lab && (e.code == EINVAL || e.code == E2BIG) ? cli_input_error(&e) : cli_fail(&e);
	}
	if (n == 0) {
		struct nn_shown sh;

		nn_ctx_free(ctx);
		free(jobs);
		if (lab)
			nn_error_setx(&e, ENOENT, "lab \"%s\" has no nodes", nn_show(&sh, lab));
		else if (prefix)
			nn_error_setx(&e, ENOENT, "no clients named %s1, %s2 ...", nn_show(&sh, prefix), sh.s);
		else
			nn_error_setx(&e, ENOENT, "no clients (create-clients makes them)");
		return cli_fail(&e);
	}
	cli_catch_signals();
	t0 = mono_us();
	ret = nn_exec_all(ctx, jobs, n, argv + optind, parallel, timeout_ms, &e);
	t0 = mono_us() - t0;
	nn_ctx_free(ctx);
	if (ret >= 0 || e.code == ECANCELED) {
		int failed = 0;

		for (size_t i = 0; i < n; i++)
			failed += !jobs[i].ran || jobs[i].status != 0;
		if (json)
			print_json(jobs, n, argv + optind, parallel < n ? parallel : (unsigned)n,
				   timeout_ms, what, failed, t0);
		else
			print_text(jobs, n, what, failed, t0);
		fflush(stdout);
		if (ret >= 0) {
			free(jobs);
			return failed ? EXIT_FAIL : EXIT_OK;
		}
	}
	free(jobs);
	return cli_fail_or_signal(&e);
}
