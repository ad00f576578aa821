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
#include "netnsctl/link.h"
#include "netnsctl/stats.h"
#include "netnsctl/timeline.h"

struct link_arg {
	struct nn_ns *ns;
	int ifindex;
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
	bool link;

	if (argc < 2 || (strcmp(argv[1], "noop") && strcmp(argv[1], "link")) ||
	    (!strcmp(argv[1], "link") && argc < 4)) {
		fprintf(stderr, "usage: %s noop [EVENTS [EVERY_MS]] | link NS IF [EVENTS [EVERY_MS]]\n", argv[0]);
		return 2;
	}
	link = !strcmp(argv[1], "link");
	if (link) {
		struct nn_link_info li;

		if (nn_ctx_new(&ctx, NULL, &e) < 0 || nn_ctx_ns(ctx, argv[2], &la.ns, &e) < 0 ||
		    nn_link_get(la.ns, argv[3], &li, &e) < 0) {
			fprintf(stderr, "timeline-bench: %s\n", e.msg);
			return 1;
		}
		la.ifindex = li.ifindex;
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
	p.act = link ? act_link : act_noop;
	p.arg = &la;
	p.records = rec;
	ret = nn_tl_play(&p, &e);
	if (link)
		nn_link_set_up(la.ns, la.ifindex, true, &e);
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
