// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tl-tool: the host-lane tests' way into the library functions of issue 15
 * that no netnsctl command calls yet (partitions, the reverter).  Test
 * scaffolding only: once `netnsctl partition`, `heal` and `--for` exist,
 * the tests call those instead.
 *
 *   tl-tool partition ID NONCE NS,NS.. NS,NS..   nn_partition_add
 *   tl-tool heal ID NONCE NS,NS.. NS,NS..        nn_partition_heal (NONCE 0: any)
 *   tl-tool list NS                              nn_partition_ns_list, one line each:
 *                                                "ID NONCE RULES SETS whole|broken"
 *   tl-tool ns-add ID NONCE NS                   nn_partition_ns_add of no addresses
 *
 * Timed changes, made as `--for MS` will make them (timed.h): under the
 * state lock, the record armed and the reverter ($NETNSCTL reverter)
 * started before the kernel is changed; then "armed ID" on stdout and the
 * tool waits to be killed (--exit: it exits, letting go of the lock).
 *   tl-tool timed-down NS IF MS [--exit]          IF down for MS
 *   tl-tool timed-rate NS IF BYTES_S MS [--exit]  tbf root at BYTES_S for MS
 *   tl-tool timed-partition ID NONCE NS,.. NS,.. MS [--exit]
 *   tl-tool timed-list                            nn_timed_json
 *   tl-tool timed-cleanup                         what cleanup does: revert them all
 *   tl-tool reverter-pid                          nn_reverter_pid
 *
 * Errors: "tl-tool: MSG" on stderr, exit 1 (2 for bad arguments).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/link.h"
#include "netnsctl/partition.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/timed.h"

static struct nn_ctx *ctx;
/* What main allocates, freed at exit (the sanitizer builds check for leaks). */
static struct nn_ns **groups[2];
static struct nn_timed *records;

static void free_all(void)
{
	free(groups[0]);
	free(groups[1]);
	free(records);
	nn_ctx_free(ctx);
}

static int fail(const struct nn_error *e)
{
	fprintf(stderr, "tl-tool: %s\n", e->msg);
	return 1;
}

/* "a,b,c" into namespace handles. */
static int group(const char *s, struct nn_ns ***out, size_t *n, struct nn_error *e)
{
	char *copy = strdup(s), *save = NULL;
	struct nn_ns **v = calloc(strlen(s) + 1, sizeof(*v));

	*n = 0;
	if (!copy || !v)
		return nn_error_set(e, ENOMEM, "group");
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (nn_ctx_ns(ctx, t, &v[(*n)++], e) < 0) {
			free(copy);
			free(v);
			return -e->code;
		}
	free(copy);
	*out = v;
	return 0;
}

static struct nn_timed record(enum nn_timed_kind kind, struct nn_ns *ns, const char *name,
			      uint64_t id, const char *ms, struct nn_error *e)
{
	struct nn_timed t = { .id = id, .kind = kind };
	uint64_t d = strtoull(ms, NULL, 10);

	t.deadline_ns = nn_timed_now() + d * 1000000ULL;
	t.deadline_wall = (int64_t)time(NULL) + (int64_t)(d / 1000);
	snprintf(t.ns, sizeof(t.ns), "%s", nn_ns_name(ns));
	snprintf(t.name, sizeof(t.name), "%s", name);
	nn_ns_cookie(ns, &t.ns_cookie, e);
	return t;
}

/* Arm V, start the reverter: before the kernel is changed. */
static int arm(struct nn_timed *v, size_t n, struct nn_error *e)
{
	char *argv[] = { getenv("NETNSCTL"), "reverter", NULL };

	if (!argv[0])
		return nn_error_setx(e, EINVAL, "NETNSCTL is not set");
	if (nn_timed_arm(ctx, v, n, e) < 0 || nn_reverter_ensure(ctx, argv, NULL, e) < 0)
		return -e->code;
	return 0;
}

/* The change failed: its records go (the reverter then leaves by itself). */
static int disarm(uint64_t id, struct nn_error *e)
{
	struct nn_error ignore;

	fail(e);
	nn_timed_disarm(ctx, id, &ignore);
	return 1;
}

static int armed(uint64_t id, bool stay)
{
	printf("armed %016llx\n", (unsigned long long)id);
	fflush(stdout);
	if (stay)
		pause();
	return 0;
}

static void log_stderr(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "tl-tool: %s\n", msg);
}

int main(int argc, char **argv)
{
	struct nn_error e = { 0 };
	int ret = 0;

	if (argc < 2)
		goto usage;
	if (nn_ctx_new(&ctx, NULL, &e) < 0)
		return fail(&e);
	atexit(free_all);
	if ((!strcmp(argv[1], "partition") || !strcmp(argv[1], "heal")) && argc == 6) {
		struct nn_ns **a, **b;
		size_t na, nb;
		uint64_t nonce = strtoull(argv[3], NULL, 16);

		if (group(argv[4], &groups[0], &na, &e) < 0 || group(argv[5], &groups[1], &nb, &e) < 0)
			return fail(&e);
		a = groups[0];
		b = groups[1];
		if (!strcmp(argv[1], "partition"))
			ret = nn_partition_add(a, na, b, nb, argv[2], nonce, &e);
		else
			ret = nn_partition_heal(a, na, b, nb, argv[2], nonce, &e);
		if (ret < 0)
			return fail(&e);
		if (!strcmp(argv[1], "heal"))
			printf("healed in %d namespaces\n", ret);
		return 0;
	}
	if (!strcmp(argv[1], "list") && argc == 3) {
		struct nn_partition_found *v;
		struct nn_ns *ns;
		size_t n;

		if (nn_ctx_ns(ctx, argv[2], &ns, &e) < 0 || nn_partition_ns_list(ns, &v, &n, &e) < 0)
			return fail(&e);
		for (size_t i = 0; i < n; i++)
			printf("%s %016" PRIx64 " %u %u %s\n", v[i].id, v[i].nonce, v[i].rules, v[i].sets,
			       v[i].whole ? "whole" : "broken");
		free(v);
		return 0;
	}
	if (!strcmp(argv[1], "ns-add") && argc == 5) {
		struct nn_partition_addrs none = { 0 };
		struct nn_ns *ns;

		if (nn_ctx_ns(ctx, argv[4], &ns, &e) < 0 ||
		    nn_partition_ns_add(ns, argv[2], strtoull(argv[3], NULL, 16), &none, &e) < 0)
			return fail(&e);
		return 0;
	}
	if (!strcmp(argv[1], "timed-down") && (argc == 5 || argc == 6)) {
		struct nn_link_info li;
		struct nn_timed t;
		struct nn_ns *ns;
		uint64_t id = nn_timed_new_id();

		if (nn_state_lock(ctx, &e) < 0 || nn_ctx_ns(ctx, argv[2], &ns, &e) < 0 ||
		    nn_link_get(ns, argv[3], &li, &e) < 0)
			return fail(&e);
		t = record(NN_TIMED_LINK, ns, argv[3], id, argv[4], &e);
		t.ifindex = li.ifindex;
		t.before_up = li.up;
		t.during_up = false;
		if (arm(&t, 1, &e) < 0)
			return fail(&e);
		if (nn_link_set_up(ns, li.ifindex, false, &e) < 0)
			return disarm(id, &e);
		return armed(id, argc == 5);
	}
	if (!strcmp(argv[1], "timed-rate") && (argc == 6 || argc == 7)) {
		struct nn_qdisc_info root;
		struct nn_link_info li;
		struct nn_timed t;
		struct nn_ns *ns;
		uint64_t id = nn_timed_new_id();
		int r;

		if (nn_state_lock(ctx, &e) < 0 || nn_ctx_ns(ctx, argv[2], &ns, &e) < 0 ||
		    nn_link_get(ns, argv[3], &li, &e) < 0 || (r = nn_qdisc_root(ns, li.ifindex, &root, &e)) < 0)
			return fail(&e);
		t = record(NN_TIMED_QDISC, ns, argv[3], id, argv[5], &e);
		t.ifindex = li.ifindex;
		if (r > 0 && root.handle) {
			if (root.kind != NN_QDISC_NETEM && root.kind != NN_QDISC_TBF) {
				fprintf(stderr, "tl-tool: a root %s cannot be put back\n", root.kind_name);
				return 1;
			}
			t.before_q.kind = root.kind;
			t.before_q.handle = root.handle;
			t.before_q.netem = root.u.netem;
			t.before_q.tbf = root.u.tbf;
			t.during_q.handle = root.handle;
		} else if (nn_qdisc_free_handle(ns, li.ifindex, &t.during_q.handle, &e) < 0) {
			return fail(&e);
		}
		t.during_q.kind = NN_QDISC_TBF;
		t.during_q.tbf.rate = strtoull(argv[4], NULL, 10);
		if (arm(&t, 1, &e) < 0)
			return fail(&e);
		if (nn_qdisc_tbf_replace(ns, li.ifindex, t.during_q.handle, &t.during_q.tbf, &e) < 0)
			return disarm(id, &e);
		return armed(id, argc == 6);
	}
	if (!strcmp(argv[1], "timed-partition") && (argc == 7 || argc == 8)) {
		struct nn_ns **a, **b;
		struct nn_timed *v;
		size_t na, nb;
		uint64_t nonce = strtoull(argv[3], NULL, 16), id = nn_timed_new_id();

		if (nn_state_lock(ctx, &e) < 0 || group(argv[4], &groups[0], &na, &e) < 0 ||
		    group(argv[5], &groups[1], &nb, &e) < 0)
			return fail(&e);
		a = groups[0];
		b = groups[1];
		if (!(v = records = calloc(na + nb, sizeof(*v))))
			return 1;
		for (size_t i = 0; i < na + nb; i++) {
			v[i] = record(NN_TIMED_PARTITION, i < na ? a[i] : b[i - na], argv[2], id, argv[6], &e);
			v[i].nonce = nonce;
		}
		if (arm(v, na + nb, &e) < 0)
			return fail(&e);
		if (nn_partition_add(a, na, b, nb, argv[2], nonce, &e) < 0)
			return disarm(id, &e);
		return armed(id, argc == 7);
	}
	if (!strcmp(argv[1], "timed-list")) {
		struct nn_timed *v;
		size_t n;

		if (nn_timed_load(ctx, &v, &n, NULL, &e) < 0)
			return fail(&e);
		nn_timed_json(stdout, v, n, nn_timed_now());
		putchar('\n');
		free(v);
		return 0;
	}
	if (!strcmp(argv[1], "timed-cleanup")) {
		size_t done = 0;

		if (nn_state_lock(ctx, &e) < 0 ||
		    nn_timed_pass(ctx, nn_timed_now(), true, nn_timed_revert, log_stderr, NULL, NULL, &done, &e) < 0)
			return fail(&e);
		printf("put back %zu\n", done);
		return 0;
	}
	if (!strcmp(argv[1], "reverter-pid")) {
		printf("%d\n", (int)nn_reverter_pid(ctx));
		return 0;
	}
usage:
	fprintf(stderr, "usage: tl-tool partition|heal ID NONCE NS,.. NS,.. | list NS | ns-add ID NONCE NS\n"
			"       tl-tool timed-down NS IF MS | timed-rate NS IF BYTES_S MS |\n"
			"               timed-partition ID NONCE NS,.. NS,.. MS [--exit] | timed-list | timed-cleanup | reverter-pid\n");
	return 2;
}
