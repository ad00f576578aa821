// SPDX-License-Identifier: GPL-2.0-or-later
/* The timeline's player on a fake clock: absolute deadlines (no drift),
 * late steps, a cancel, a sleep cut short, a failing action, the progress
 * ticks; and on the real monotonic clock, that no step is ever early. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/timeline.h"

#define MS 1000000ULL
#define S 1000000000ULL

struct fake {
	uint64_t now;
	const uint64_t *cost;	/* what each action takes on the clock */
	size_t ncost;
	unsigned sleeps, eintr_left, waits;
	uint64_t wait_next[16];
	int fail_at;		/* step whose action fails, -1 none */
	int cancel_at;		/* step whose action sets the cancel flag, -1 none */
	volatile int cancel;
	size_t told;
};

static uint64_t fake_now(void *arg)
{
	return ((struct fake *)arg)->now;
}

static int fake_sleep(uint64_t abs_ns, void *arg)
{
	struct fake *f = arg;

	f->sleeps++;
	/* a signal: back early, the clock a little on */
	if (f->eintr_left) {
		f->eintr_left--;
		f->now += 1;
		return -EINTR;
	}
	if (abs_ns > f->now)
		f->now = abs_ns;
	return 0;
}

static int fake_act(const struct nn_tl_step *s, size_t i, void *arg, struct nn_error *e)
{
	struct fake *f = arg;

	(void)s;
	f->now += f->ncost ? f->cost[i < f->ncost ? i : f->ncost - 1] : 0;
	if ((int)i == f->cancel_at)
		f->cancel = 1;
	if ((int)i == f->fail_at)
		return nn_error_setx(e, ENODEV, "step %zu failed", i);
	return 0;
}

static void fake_told(const struct nn_tl_step *s, size_t i, const struct nn_tl_record *rec, void *arg)
{
	struct fake *f = arg;

	(void)s;
	assert_true(rec->done);
	assert_int_equal(i, f->told);
	f->told++;
}

static void fake_wait(size_t next, size_t total, uint64_t now_ns, uint64_t next_ns, void *arg)
{
	struct fake *f = arg;

	(void)next;
	(void)total;
	assert_true(next_ns > now_ns);
	if (f->waits < 16)
		f->wait_next[f->waits] = next_ns - now_ns;
	f->waits++;
}

static void steps_every(struct nn_tl_step *v, size_t n, uint64_t first, uint64_t every)
{
	memset(v, 0, n * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i].at_ns = first + i * every;
}

static void player(struct nn_tl_player *p, struct fake *f, const struct nn_tl_step *v, size_t n,
		   struct nn_tl_record *rec)
{
	memset(p, 0, sizeof(*p));
	p->steps = v;
	p->n = n;
	p->clock.now = fake_now;
	p->clock.sleep_until = fake_sleep;
	p->clock.arg = f;
	p->act = fake_act;
	p->told = fake_told;
	p->arg = f;
	p->cancel = &f->cancel;
	p->records = rec;
	f->fail_at = -1;
	f->cancel_at = -1;
}

/* Each action takes 7 ms, steps are 10 ms apart: every step on time.
 * Sleeping 10 ms after each action instead would be 7 ms later each step. */
static void test_no_drift(void **state)
{
	static const uint64_t cost[] = { 7 * MS };
	struct nn_tl_step v[100];
	struct nn_tl_record rec[100];
	struct nn_tl_player p;
	struct nn_tl_lateness l;
	struct fake f = { .now = 5 * S, .cost = cost, .ncost = 1 };
	struct nn_error e = { 0 };

	(void)state;
	steps_every(v, 100, 0, 10 * MS);
	player(&p, &f, v, 100, rec);
	assert_int_equal(nn_tl_play(&p, &e), 0);
	assert_int_equal(p.start_ns, 5 * S);
	assert_int_equal(p.done, 100);
	assert_int_equal(f.told, 100);
	for (size_t i = 0; i < 100; i++) {
		assert_int_equal(rec[i].planned_ns, i * 10 * MS);
		assert_int_equal(rec[i].actual_ns, i * 10 * MS);
		assert_int_equal(rec[i].took_ns, 7 * MS);
		assert_int_equal(rec[i].result, 0);
	}
	nn_tl_lateness(rec, 100, &l);
	assert_int_equal(l.n, 100);
	assert_int_equal(l.worst_ns, 0);
}

/* A slow action makes the next steps late, then the schedule is caught up
 * again: deadlines are from the start, not from the step before. */
static void test_late_then_on_time(void **state)
{
	static const uint64_t cost[] = { 25 * MS, 1 * MS, 1 * MS, 1 * MS, 1 * MS };
	static const uint64_t want[] = { 0, 25 * MS, 26 * MS, 30 * MS, 40 * MS };
	struct nn_tl_step v[5];
	struct nn_tl_record rec[5];
	struct nn_tl_player p;
	struct nn_tl_lateness l;
	struct fake f = { .cost = cost, .ncost = 5 };
	struct nn_error e = { 0 };

	(void)state;
	steps_every(v, 5, 0, 10 * MS);
	player(&p, &f, v, 5, rec);
	assert_int_equal(nn_tl_play(&p, &e), 0);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(rec[i].actual_ns, want[i]);
	nn_tl_lateness(rec, 5, &l);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.worst_ns, 15 * MS);
	assert_int_equal(l.median_ns, 0);	/* lateness 0, 15, 6, 0, 0 */
	/* steps already due are not slept for */
	assert_int_equal(f.sleeps, 2);
}

static void test_cancel(void **state)
{
	struct nn_tl_step v[10];
	struct nn_tl_record rec[10];
	struct nn_tl_player p;
	struct fake f = { 0 };
	struct nn_error e = { 0 };

	(void)state;
	steps_every(v, 10, 1 * S, 1 * S);
	player(&p, &f, v, 10, rec);
	f.cancel_at = 2;
	assert_int_equal(nn_tl_play(&p, &e), -ECANCELED);
	assert_string_equal(e.msg, "the timeline was stopped before step 4 of 10");
	assert_int_equal(p.done, 3);
	assert_true(rec[2].done);
	assert_int_equal(f.now, 3 * S);	/* not slept on to step 4 */
	/* cancelled before the start: nothing is done */
	f.cancel = 1;
	assert_int_equal(nn_tl_play(&p, &e), -ECANCELED);
	assert_int_equal(p.done, 0);
}

/* A signal cuts a sleep short: the player sleeps on to the same deadline. */
static void test_eintr(void **state)
{
	struct nn_tl_step v[3];
	struct nn_tl_record rec[3];
	struct nn_tl_player p;
	struct fake f = { .eintr_left = 4 };
	struct nn_error e = { 0 };

	(void)state;
	steps_every(v, 3, 100 * MS, 100 * MS);
	player(&p, &f, v, 3, rec);
	assert_int_equal(nn_tl_play(&p, &e), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(rec[i].actual_ns, (i + 1) * 100 * MS);
	assert_int_equal(f.sleeps, 3 + 4);
}

static void test_failure_stops(void **state)
{
	struct nn_tl_step v[5];
	struct nn_tl_record rec[5];
	struct nn_tl_player p;
	struct fake f = { 0 };
	struct nn_error e = { 0 };

	(void)state;
	steps_every(v, 5, 0, 1 * S);
	player(&p, &f, v, 5, rec);
	f.fail_at = 1;
	assert_int_equal(nn_tl_play(&p, &e), -ENODEV);
	assert_string_equal(e.msg, "step 1 failed");
	assert_int_equal(p.done, 2);
	assert_int_equal(rec[1].result, -ENODEV);
	assert_true(rec[1].done);
	assert_int_equal(f.told, 2);	/* the failed step is told too */
	assert_int_equal(f.now, 1 * S);
}

/* A wait longer than the tick is cut into ticks for the progress line. */
static void test_progress_ticks(void **state)
{
	struct nn_tl_step v[1];
	struct nn_tl_record rec[1];
	struct nn_tl_player p;
	struct fake f = { 0 };
	struct nn_error e = { 0 };

	(void)state;
	steps_every(v, 1, 3500 * MS, 0);
	player(&p, &f, v, 1, rec);
	p.wait = fake_wait;
	assert_int_equal(nn_tl_play(&p, &e), 0);
	assert_int_equal(f.waits, 3);
	assert_int_equal(f.wait_next[0], 3500 * MS);
	assert_int_equal(f.wait_next[1], 2500 * MS);
	assert_int_equal(f.wait_next[2], 1500 * MS);
	assert_int_equal(rec[0].actual_ns, 3500 * MS);
	assert_int_equal(f.sleeps, 4);
}

static int noop(const struct nn_tl_step *s, size_t i, void *arg, struct nn_error *e)
{
	(void)s;
	(void)i;
	(void)arg;
	(void)e;
	return 0;
}

/* The monotonic clock: a step never runs before its time. */
static void test_monotonic_never_early(void **state)
{
	struct nn_tl_step v[20];
	struct nn_tl_record rec[20];
	struct nn_tl_player p = { 0 };
	struct nn_error e = { 0 };

	(void)state;
	steps_every(v, 20, 0, 1 * MS);
	p.steps = v;
	p.n = 20;
	nn_tl_clock_monotonic(&p.clock);
	p.act = noop;
	p.records = rec;
	assert_int_equal(nn_tl_play(&p, &e), 0);
	for (size_t i = 0; i < 20; i++)
		assert_true(rec[i].actual_ns >= rec[i].planned_ns);
}

static void test_lateness_stats(void **state)
{
	struct nn_tl_record r[101];
	struct nn_tl_lateness l;

	(void)state;
	memset(r, 0, sizeof(r));
	for (size_t i = 0; i < 100; i++) {
		r[i].planned_ns = i * S;
		r[i].actual_ns = i * S + (100 - i) * 1000;	/* 100 us .. 1 us late */
		r[i].done = true;
	}
	r[100].planned_ns = 5 * S;	/* never done: not counted */
	nn_tl_lateness(r, 101, &l);
	assert_int_equal(l.n, 100);
	assert_int_equal(l.median_ns, 50000);
	assert_int_equal(l.p99_ns, 99000);
	assert_int_equal(l.worst_ns, 100000);
	nn_tl_lateness(r, 0, &l);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.worst_ns, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_drift),
		cmocka_unit_test(test_late_then_on_time),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_eintr),
		cmocka_unit_test(test_failure_stops),
		cmocka_unit_test(test_progress_ticks),
		cmocka_unit_test(test_monotonic_never_early),
		cmocka_unit_test(test_lateness_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
