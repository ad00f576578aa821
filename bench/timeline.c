// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/timeline.c: the lateness of the timeline player (timeline.h) on
 * this machine, for bench/timeline.  Plays EVENTS steps EVERY ms apart on
 * the monotonic clock and prints, for the steps that ran, how late each
 * was against its planned time (median, p99, worst) and how long its
 * action took (median, worst):
 *
 *	timeline-bench noop [EVENTS [EVERY_MS]]
 *	timeline-bench link NS IF [EVENTS [EVERY_MS]]     (IF in NS down, up, down, ...)
 *	timeline-bench engine-link NS IF [EVENTS [EVERY_MS]]
 *	timeline-bench engine-rate NS IF [EVENTS [EVERY_MS]]
 *
 * engine-link is link as `run` does it: each step a change planned and
 * applied by the engine (lab.h: the state lock, observe, plan, apply with
 * its journal records), engine-rate the same for a tbf root changed in
 * place, 1mbit and 2mbit in turn (the root made before the first step).
 *
 * One line: "ACTION EVENTS EVERY_MS late_median_us late_p99_us late_worst_us
 * took_median_us took_worst_us".  Built against libnetnsctl_core.a by
 * bench/timeline; never a test: nothing here asserts a time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/stats.h"
#include "netnsctl/timeline.h"

struct link_arg {
	struct nn_ns *ns;
	int ifindex;
	struct nn_ctx *ctx;
	const char *nsname, *ifname;
	bool rate;
};

static int act_noop(const struct nn_tl_step *s, size_t i, void *arg, struct nn_error *e)
{
	(void)s;
	(void)i;
	(void)arg;
	(void)e;
	return 0;
}

static int act_link(const struct nn_tl_step *s, size_t i, void *arg, struct nn_error *e)
{
	struct link_arg *l = arg;

	(void)s;
	return nn_link_set_up(l->ns, l->ifindex, i % 2 == 1, e);
}

/* One change as run makes it: a lab of it alone, planned and applied. */
static int act_engine(const struct nn_tl_step *s, size_t i, void *arg, struct nn_error *e)
{
	struct link_arg *l = arg;
	struct nn_lab *lab = nn_lab_new("lab:bench");
	struct nn_plan *plan = NULL;
	int ret;

	(void)s;
	if (!lab)
		return nn_error_set(e, ENOMEM, "no lab");
	if (l->rate) {
		struct nn_qdisc_info q = { .kind = NN_QDISC_TBF, .kind_name = "tbf" };

		q.u.tbf.rate = i % 2 ? 250000 : 125000;
		q.u.tbf.burst = 32768;
		q.u.tbf.latency_ns = 50000000;
		ret = nn_lab_add_qdisc(lab, l->nsname, l->ifname, &q, e);
	} else {
		ret = nn_lab_set_link_state(lab, l->nsname, l->ifname, i % 2 == 1, 0, e);
	}
	nn_lab_set_own_roots(lab, true);
	if (ret == 0 && (ret = nn_state_lock(l->ctx, e)) == 0) {
		if ((ret = nn_plan_make(l->ctx, lab, &plan, e)) == 0)
			ret = nn_plan_apply(l->ctx, plan, NULL, NULL, NULL, e);
		nn_state_unlock();
	}
	nn_plan_free(plan);
	nn_lab_free(lab);
	return ret;
}

int main(int argc, char **argv)
{
	struct nn_tl_player p = { 0 };
	struct nn_tl_lateness late;
	struct nn_error e = { 0 };
	struct link_arg la = { 0 };
	struct nn_ctx *ctx = NULL;
	struct nn_tl_step *steps;
	struct nn_tl_record *rec;
	uint64_t *took;
	size_t events = 1000, every_ms = 10;
	int a = 2, ret;
	bool link, engine;

	engine = !strcmp(argv[1], "engine-link") || !strcmp(argv[1], "engine-rate");
	if (argc < 2 || (strcmp(argv[1], "noop") && strcmp(argv[1], "link") && !engine) ||
	    (strcmp(argv[1], "noop") && argc < 4)) {
		fprintf(stderr, "usage: %s noop [EVENTS [EVERY_MS]] | link|engine-link|engine-rate NS IF [EVENTS [EVERY_MS]]\n",
			argv[0]);
		return 2;
	}
	link = strcmp(argv[1], "noop") != 0;
	la.nsname = argv[2];
	la.ifname = argv[3];
	la.rate = !strcmp(argv[1], "engine-rate");
	if (link) {
		struct nn_link_info li;

		if (nn_ctx_new(&ctx, NULL, &e) < 0 || nn_ctx_ns(ctx, argv[2], &la.ns, &e) < 0 ||
		    nn_link_get(la.ns, argv[3], &li, &e) < 0) {
			fprintf(stderr, "timeline-bench: %s\n", e.msg);
			return 1;
		}
		la.ifindex = li.ifindex;
		la.ctx = ctx;
		a = 4;
	}
	if (argc > a)
		events = strtoul(argv[a], NULL, 10);
	if (argc > a + 1)
		every_ms = strtoul(argv[a + 1], NULL, 10);
	steps = calloc(events, sizeof(*steps));
	rec = calloc(events, sizeof(*rec));
	took = calloc(events, sizeof(*took));
	if (!events || !every_ms || !steps || !rec || !took)
		return 2;
	for (size_t i = 0; i < events; i++)
		steps[i].at_ns = (i + 1) * every_ms * 1000000ULL;
	p.steps = steps;
	p.n = events;
	nn_tl_clock_monotonic(&p.clock);
	p.act = engine ? act_engine : link ? act_link : act_noop;
	/* the root engine-rate changes in place: made before the first step */
	if (la.rate && act_engine(steps, 1, &la, &e) < 0) {
		fprintf(stderr, "timeline-bench: %s\n", e.msg);
		return 1;
	}
	p.arg = &la;
	p.records = rec;
	ret = nn_tl_play(&p, &e);
	if (link)
		nn_link_set_up(la.ns, la.ifindex, true, &e);
	if (la.rate)
		nn_qdisc_clear(la.ns, la.ifindex, &e);
	if (ret < 0) {
		fprintf(stderr, "timeline-bench: %s\n", e.msg);
		return 1;
	}
	nn_tl_lateness(rec, events, &late);
	for (size_t i = 0; i < events; i++)
		took[i] = rec[i].took_ns;
	printf("%s %zu %zu %.1f %.1f %.1f %.1f %.1f\n", argv[1], events, every_ms,
	       late.median_ns / 1e3, late.p99_ns / 1e3, late.worst_ns / 1e3,
	       nn_percentile_rank(took, events, 50) / 1e3, nn_percentile_rank(took, events, 100) / 1e3);
	free(steps);
	free(rec);
	free(took);
	nn_ctx_free(ctx);
	return 0;
}
