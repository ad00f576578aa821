// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The timeline's player: waits for each step on an absolute deadline (the
 * start plus the step's planned offset) and records when it really ran.
 * Deadlines never chain: a step that ran late, or whose action took long,
 * does not push the ones after it back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netnsctl/stats.h"
#include "netnsctl/timeline.h"
#include "util/show.h"

static uint64_t mono_now(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NN_TL_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static int mono_sleep_until(uint64_t abs_ns, void *arg)
{
	struct timespec ts = { .tv_sec = (time_t)(abs_ns / NN_TL_NS_PER_S),
			       .tv_nsec = (long)(abs_ns % NN_TL_NS_PER_S) };
	int r;

	(void)arg;
	/* Absolute: a wake-up after a signal sleeps on to the same instant. */
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	return r == 0 ? 0 : -r;
}

void nn_tl_clock_monotonic(struct nn_tl_clock *c)
{
	c->now = mono_now;
	c->sleep_until = mono_sleep_until;
	c->arg = NULL;
}

static bool cancelled(const struct nn_tl_player *p)
{
	return p->cancel && *p->cancel;
}

/* Sleep until START + AT; -ECANCELED when asked to stop meanwhile. */
static int wait_for(struct nn_tl_player *p, size_t i, uint64_t deadline)
{
	uint64_t tick = p->tick_ns ? p->tick_ns : NN_TL_NS_PER_S;

	for (;;) {
		uint64_t now = p->clock.now(p->clock.arg), until = deadline;
		int r;

		if (cancelled(p))
			return -ECANCELED;
		if (now >= deadline)
			return 0;
		/* A long wait is cut in ticks for the progress line. */
		if (p->wait && deadline - now > tick) {
			p->wait(i, p->n, now - p->start_ns, deadline - p->start_ns, p->arg);
			until = now + tick;
		}
		r = p->clock.sleep_until(until, p->clock.arg);
		if (r < 0 && r != -EINTR)
			return r;
	}
}

int nn_tl_play(struct nn_tl_player *p, struct nn_error *e)
{
	p->done = 0;
	p->start_ns = p->clock.now(p->clock.arg);
	for (size_t i = 0; i < p->n; i++) {
		const struct nn_tl_step *s = &p->steps[i];
		struct nn_tl_record *rec = &p->records[i];
		uint64_t t0, t1;
		int r;

		memset(rec, 0, sizeof(*rec));
		rec->planned_ns = s->at_ns;
		if ((r = wait_for(p, i, p->start_ns + s->at_ns)) < 0) {
			if (r == -ECANCELED)
				return nn_error_setx(e, ECANCELED, "the timeline was stopped before step %zu of %zu",
						     i + 1, p->n);
			return nn_error_set(e, -r, "cannot wait for step %zu of %zu", i + 1, p->n);
		}
		t0 = p->clock.now(p->clock.arg);
		r = p->act(s, i, p->arg, e);
		t1 = p->clock.now(p->clock.arg);
		rec->actual_ns = t0 - p->start_ns;
		rec->took_ns = t1 - t0;
		rec->result = r;
		rec->done = true;
		p->done = i + 1;
		if (p->told)
			p->told(s, i, rec, p->arg);
		if (r < 0)
			return r;
	}
	return 0;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void nn_tl_lateness(const struct nn_tl_record *r, size_t n, struct nn_tl_lateness *out)
{
	uint64_t *v = calloc(n ? n : 1, sizeof(*v));
	size_t k = 0;

	memset(out, 0, sizeof(*out));
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		if (r[i].done)
			v[k++] = r[i].actual_ns > r[i].planned_ns ? r[i].actual_ns - r[i].planned_ns : 0;
	if (k) {
		qsort(v, k, sizeof(*v), u64_cmp);
		out->n = k;
		out->median_ns = nn_percentile_rank(v, k, 50);
		out->p99_ns = nn_percentile_rank(v, k, 99);
		out->worst_ns = v[k - 1];
	}
	free(v);
}

static double ms_of(uint64_t ns)
{
	return (double)ns / 1e6;
}

void nn_tl_record_json(FILE *f, const struct nn_labfile *lf, const struct nn_tl_step *s,
		       const struct nn_tl_record *rec, const char *result_msg)
{
	char what[1024];
	uint64_t late = rec->actual_ns > rec->planned_ns ? rec->actual_ns - rec->planned_ns : 0;

	fprintf(f, "{\"planned_ms\":%.3f,\"actual_ms\":%.3f,\"late_ms\":%.3f,\"line\":%u,\"rep\":%u,\"step\":%u,\"event\":",
		ms_of(rec->planned_ns), ms_of(rec->actual_ns), ms_of(late),
		lf->timeline[s->event].mark.line, s->rep, s->step);
	nn_put_json(f, nn_tl_step_format(what, sizeof(what), lf, s));
	fputs(",\"result\":", f);
	if (rec->result == 0) {
		fputs("\"ok\"}", f);
		return;
	}
	fputs("\"failed\",\"error\":", f);
	nn_put_json(f, result_msg ? result_msg : "");
	fputc('}', f);
}
