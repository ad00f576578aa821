/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_TIMELINE_H
#define NETNSCTL_TIMELINE_H

/*
 * Timelines (docs/timelines.md): a lab file's `timeline:` is a list of
 * events, each at a time after the start of `netnsctl run`:
 *
 *	timeline:
 *	  - {at: 5s, down: a:to-b, repeat: {every: 10s, count: 5}}
 *	  - {at: 8s, up: a:to-b, repeat: {every: 10s, count: 5}}
 *	  - at: 60s
 *	    impair: {link: a:to-b, delay: 10ms}
 *	    ramp: {to: 300ms, over: 60s, steps: 30}
 *	  - {at: 130s, clear: a:to-b}
 *	  - {at: 140s, partition: {nodes: [a1, a2, a3], from: [b1, b2, b3]}}
 *	  - {at: 170s, heal: {nodes: [a1, a2, a3], from: [b1, b2, b3]}}
 *
 * Three layers, each pure:
 *  - the model: events as the file writes them, checked while the lab file
 *    is parsed (labfile.h), every error one line "FILE:LINE:COL: ...";
 *  - the schedule: the events with their repeats and ramps expanded into a
 *    sorted list of steps, each with the concrete values it sets
 *    (nn_tl_schedule_make), and its text for `run --dry-run`;
 *  - the player: a runner that waits for each step's time on a clock it is
 *    given (the monotonic clock, or a fake one in tests) and calls an action
 *    for it, recording the planned and the actual time (nn_tl_play).
 * What a step does to the kernel is the caller's action: the engine's
 * planner and apply loop, once they take timeline steps (docs/timelines.md
 * says what is wired).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>

#include "netnsctl/error.h"
#include "netnsctl/expect.h"
#include "netnsctl/labfile.h"

#define NN_TL_NS_PER_S 1000000000ULL
/* No time, duration, ramp or repetition period may pass a year: a longer
 * one is a unit written wrong, not a plan. */
#define NN_TL_MAX_NS (365ULL * 24 * 3600 * NN_TL_NS_PER_S)
#define NN_TL_MAX_RAMP_STEPS 10000
#define NN_TL_MAX_REPEAT 10000
/* What a whole timeline may expand to (every repetition of every ramp step). */
#define NN_TL_MAX_STEPS 100000

enum nn_tl_action {
	NN_TL_IMPAIR,		/* a root qdisc on a link end, as the file's impairments */
	NN_TL_RATE,		/* tbf only, as set-rate */
	NN_TL_CLEAR,		/* back to the file's own qdisc for that end */
	NN_TL_DOWN,		/* the end administratively down: a veth peer loses carrier */
	NN_TL_UP,
	NN_TL_PARTITION,	/* two groups of nodes stop seeing each other (partition.h) */
	NN_TL_HEAL,		/* ... and see each other again */
	NN_TL_RUN,		/* a command started in a node */
	NN_TL_EXPECT,		/* an expectation measured then (verify.h's nn_verify_one) */
	NN_TL_ACTION_COUNT,
};

/* "impair", "rate", ... as the file's keys spell them. */
const char *nn_tl_action_name(enum nn_tl_action a);

/* What a ramp moves: chosen by the unit of its "to" (300ms, 5%, 10mbit). */
enum nn_tl_ramp_what { NN_TL_RAMP_NONE = 0, NN_TL_RAMP_DELAY, NN_TL_RAMP_LOSS, NN_TL_RAMP_RATE };

struct nn_tl_ramp {
	enum nn_tl_ramp_what what;	/* NONE: no ramp */
	uint64_t to;		/* ns, a u32 probability, or bytes/s */
	uint64_t over_ns;	/* > 0 */
	unsigned int steps;	/* 1 .. NN_TL_MAX_RAMP_STEPS */
	struct nn_labfile_mark mark;
};

/* COUNT occurrences in all, EVERY_NS apart (COUNT 1: no repeat). */
struct nn_tl_repeat {
	uint64_t every_ns;
	unsigned int count;
	struct nn_labfile_mark mark;
};

/* An interface a node of the file has (a link's end, a bridge member's
 * interface, a port of a bridge in a node, an uplink's end in its node). */
struct nn_tl_target {
	size_t node;		/* index into the lab file's nodes[] */
	char ifname[IFNAMSIZ];
	/* The root qdisc the file gives it (kind NN_QDISC_OTHER: the kernel's
	 * default): what "clear" and the end of a run put back. */
	struct nn_labfile_impair base;
};

struct nn_tl_event {
	uint64_t at_ns;
	enum nn_tl_action action;
	struct nn_tl_target link;	/* impair, rate, clear, down, up */
	struct nn_labfile_impair impair;	/* impair, rate: what is set at AT_NS */
	struct nn_tl_ramp ramp;		/* impair, rate only */
	struct nn_tl_repeat repeat;
	/* partition, heal: two disjoint groups of node indexes; heal "all"
	 * (HEAL_ALL) heals every partition in effect */
	size_t *group[2];
	size_t n_group[2];
	bool heal_all;
	size_t node;			/* run: where */
	struct nn_labfile_command command;	/* run: what */
	struct nn_expect expect;	/* expect */
	struct nn_labfile_mark mark;	/* the event's mapping */
};

void nn_tl_events_free(struct nn_tl_event *v, size_t n);

/* --- the schedule ---------------------------------------------------------- */

/*
 * One change at one time.  A ramp of N steps over D gives N + 1 steps: the
 * event's own value at AT (STEP 0), then step k of N at AT + round(D * k / N)
 * with the value FROM + (TO - FROM) * k / N rounded to the nearest unit the
 * kernel takes (1 ns of delay, 1/(2^32 - 1) of loss, 1 byte/s of rate; a half
 * rounds away from FROM), so the last step is exactly TO.  Repetition r
 * (0-based) of an event happens r * EVERY later.
 */
struct nn_tl_step {
	uint64_t at_ns;		/* planned: from the start of the run */
	size_t event;		/* index into the timeline's events */
	unsigned int rep;	/* repetition, 0-based */
	unsigned int step;	/* ramp step: 0 is the event's own value, then 1..steps */
	enum nn_tl_action action;
	/* impair, rate, clear: the root qdisc the step sets (clear: the
	 * target's base; kind NN_QDISC_OTHER: the kernel's default) */
	struct nn_labfile_impair qdisc;
};

struct nn_tl_schedule {
	struct nn_tl_step *steps;	/* sorted by at_ns, then file order */
	size_t n;
	uint64_t end_ns;	/* the last step's time (0 for none) */
};

/*
 * Expand LF's timeline into *OUT (sorted; ties in the order of the file,
 * then repetition, then ramp step).  Checks what only the expansion shows,
 * each a one-line "FILE:LINE:COL: " error (-EINVAL, -E2BIG):
 *  - more than NN_TL_MAX_STEPS steps, or a step later than a year;
 *  - a change of a link end's qdisc while a ramp on it is running;
 *  - a partition of two groups already partitioned at that time, a heal of
 *    groups that are not (or "heal: all" with none in effect).
 * nn_labfile_parse() calls it on every timeline it accepts, so on a parsed
 * file it fails only with -ENOMEM.  Free with nn_tl_schedule_free().
 */
int nn_tl_schedule_make(const struct nn_labfile *lf, struct nn_tl_schedule *out,
			struct nn_error *e);
void nn_tl_schedule_free(struct nn_tl_schedule *s);

/* "+12.345s": an offset from the start, to the millisecond (always three
 * decimals, so columns line up).  Returns BUF. */
const char *nn_tl_format_offset(char *buf, size_t len, uint64_t ns);

/*
 * What step S does, in one line (names as the file writes them, without the
 * lab's prefix):
 *	impair a:to-b netem delay 19.667ms
 *	rate a:to-b tbf rate 1Mbit burst ... 
 *	clear a:to-b (none)               clear a:to-b (netem delay 10ms)
 *	down a:to-b     up a:to-b
 *	partition a1,a2,a3 from b1,b2,b3     heal a1 from b1     heal all
 *	run in a: ping -c 1 10.0.0.2
 *	expect a -> b loss 0%
 * Returns BUF.
 */
const char *nn_tl_step_format(char *buf, size_t len, const struct nn_labfile *lf,
			      const struct nn_tl_step *s);

/*
 * The schedule as `run --dry-run` prints it: one line per step,
 *	  +60.000s  impair a:to-b netem delay 19.667ms   (line 12, ramp 1/30)
 * then "  +75.000s  end: back to the lab's base state".  Writes to F.
 */
void nn_tl_schedule_write(FILE *f, const struct nn_labfile *lf, const struct nn_tl_schedule *s);

/* --- the player ------------------------------------------------------------ */

/*
 * The clock a player waits on.  NOW is in nanoseconds of a monotonic clock;
 * SLEEP_UNTIL sleeps until NOW would return at least ABS_NS and returns 0,
 * or -EINTR when a signal cut it short (the player then checks CANCEL and
 * sleeps again).
 */
struct nn_tl_clock {
	uint64_t (*now)(void *arg);
	int (*sleep_until)(uint64_t abs_ns, void *arg);
	void *arg;
};

/* CLOCK_MONOTONIC, slept on with clock_nanosleep(TIMER_ABSTIME): a wake-up
 * is never early, and a step's deadline does not move with the time the
 * steps before it took. */
void nn_tl_clock_monotonic(struct nn_tl_clock *c);

/* What happened to one step. */
struct nn_tl_record {
	uint64_t planned_ns;	/* from the start */
	uint64_t actual_ns;	/* when its action was called, from the start */
	uint64_t took_ns;	/* how long the action took */
	int result;		/* 0 or the action's -errno */
	bool done;		/* the action was called */
};

/* Do step S (index I of the schedule); 0 or -errno with E filled. */
typedef int (*nn_tl_act_fn)(const struct nn_tl_step *s, size_t i, void *arg, struct nn_error *e);
/* Told after each step (REC filled), e.g. to print its line.  Optional. */
typedef void (*nn_tl_told_fn)(const struct nn_tl_step *s, size_t i, const struct nn_tl_record *rec,
			      void *arg);
/* Told before a wait of more than the player's tick, every tick while it
 * lasts: the progress line ("step 4 of 30, next in 12 s").  Optional. */
typedef void (*nn_tl_wait_fn)(size_t next, size_t total, uint64_t now_ns, uint64_t next_ns,
			      void *arg);

struct nn_tl_player {
	const struct nn_tl_step *steps;
	size_t n;
	struct nn_tl_clock clock;
	nn_tl_act_fn act;
	nn_tl_told_fn told;
	nn_tl_wait_fn wait;
	void *arg;			/* for ACT, TOLD and WAIT */
	uint64_t tick_ns;		/* WAIT's period; 0: 1 s */
	/* Non-zero stops the run before the next step (a signal handler sets
	 * it; the sleep wakes with EINTR).  May be NULL. */
	volatile int *cancel;
	struct nn_tl_record *records;	/* N entries, filled as steps are done */
	uint64_t start_ns;		/* set by nn_tl_play: the clock at the start */
	size_t done;			/* steps whose action was called */
};

/*
 * Play the steps: for each, sleep until START + its planned time (never
 * relative to the step before: the lateness of one does not shift the
 * others), call ACT, record it.  A step whose time has passed (the one
 * before it took long) is done at once and its lateness recorded.
 * Returns 0 when every step was done, the failing action's -errno (E from
 * the action, records up to it filled) or -ECANCELED when *CANCEL was set.
 */
int nn_tl_play(struct nn_tl_player *p, struct nn_error *e);

/* Lateness (actual - planned) of the N records that were done: median
 * and worst, in ns. */
struct nn_tl_lateness {
	size_t n;
	uint64_t median_ns, p99_ns, worst_ns;
};
void nn_tl_lateness(const struct nn_tl_record *r, size_t n, struct nn_tl_lateness *out);

/*
 * One record of `run --json`'s event log (docs/timelines.md) as a JSON
 * object on F, no newline:
 *	{"planned_ms":5000.000,"actual_ms":5000.412,"late_ms":0.412,"line":9,
 *	 "rep":1,"step":0,"event":"down a:to-b","result":"ok"}
 * RESULT_MSG is the error's text when REC->result is not 0.
 */
void nn_tl_record_json(FILE *f, const struct nn_labfile *lf, const struct nn_tl_step *s,
		       const struct nn_tl_record *rec, const char *result_msg);

#endif
