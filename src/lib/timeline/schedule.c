// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A timeline's events expanded into the steps `run` plays (timeline.h):
 * pure, so `run --dry-run`, the parser's checks and the player all see the
 * same list.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/qdisc.h"
#include "netnsctl/timeline.h"
#include "netnsctl/units.h"
#include "timeline/timeline_int.h"
#include "util/cleanup.h"
#include "util/show.h"

typedef unsigned __int128 u128;

uint64_t nn_tl_interp(uint64_t from, uint64_t to, unsigned int k, unsigned int n)
{
	u128 d;

	if (n == 0 || k >= n)
		return k >= n ? to : from;
	if (to >= from) {
		d = (u128)(to - from) * k;
		return from + (uint64_t)((2 * d + n) / (2 * (u128)n));
	}
	d = (u128)(from - to) * k;
	return from - (uint64_t)((2 * d + n) / (2 * (u128)n));
}

/* "FILE:LINE:COL: MSG" at M. */
__attribute__((format(printf, 5, 6)))
static int fail_at(const struct nn_labfile *lf, const struct nn_labfile_mark *m, int err,
		   struct nn_error *e, const char *fmt, ...)
{
	char msg[NN_ERROR_MAX];
	struct nn_shown sh;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return nn_error_setx(e, err, "%s:%u:%u: %s", nn_show(&sh, lf->path), m->line, m->col, msg);
}

static unsigned int ramp_steps(const struct nn_tl_event *ev)
{
	return ev->ramp.what != NN_TL_RAMP_NONE ? ev->ramp.steps : 0;
}

static bool changes_qdisc(enum nn_tl_action a)
{
	return a == NN_TL_IMPAIR || a == NN_TL_RATE || a == NN_TL_CLEAR;
}

static int step_cmp(const void *a, const void *b)
{
	const struct nn_tl_step *x = a, *y = b;

	if (x->at_ns != y->at_ns)
		return x->at_ns < y->at_ns ? -1 : 1;
	if (x->event != y->event)
		return x->event < y->event ? -1 : 1;
	if (x->rep != y->rep)
		return x->rep < y->rep ? -1 : 1;
	return x->step < y->step ? -1 : x->step > y->step;
}

static const char *written(const struct nn_labfile *lf, size_t node)
{
	return lf->nodes[node].name + strlen(lf->prefix);
}

/* --- checks on the sorted steps --- */

static bool same_target(const struct nn_tl_target *a, const struct nn_tl_target *b)
{
	return a->node == b->node && !strcmp(a->ifname, b->ifname);
}

/* No change of a link end's qdisc while a ramp runs on it. */
static int check_ramps(const struct nn_labfile *lf, const struct nn_tl_schedule *s,
		       struct nn_error *e)
{
	struct window {
		const struct nn_tl_target *t;
		uint64_t start, end;
		size_t event;
		unsigned int rep;
	};
	_cleanup_free_ struct window *w = NULL;
	size_t nw = 0;
	char a[32], b[32];

	if (!(w = calloc(lf->n_timeline ? lf->n_timeline : 1, sizeof(*w))))
		return nn_error_set(e, ENOMEM, "%s", lf->path);
	for (size_t i = 0; i < s->n; i++) {
		const struct nn_tl_step *st = &s->steps[i];
		const struct nn_tl_event *ev = &lf->timeline[st->event];
		struct window *cur = NULL;

		if (!changes_qdisc(ev->action))
			continue;
		for (size_t k = 0; k < nw && !cur; k++)
			if (same_target(w[k].t, &ev->link))
				cur = &w[k];
		if (cur && st->at_ns > cur->start && st->at_ns < cur->end &&
		    (cur->event != st->event || cur->rep != st->rep))
			return fail_at(lf, &ev->mark, EINVAL,
				       e, "%s %s:%s at %s while the ramp of line %u runs on it (until %s)",
				       nn_tl_action_name(ev->action), written(lf, ev->link.node), ev->link.ifname,
				       nn_format_time(a, sizeof(a), st->at_ns),
				       lf->timeline[cur->event].ramp.mark.line,
				       nn_format_time(b, sizeof(b), cur->end));
		if (st->step != 0 || ev->ramp.what == NN_TL_RAMP_NONE)
			continue;
		if (!cur) {
			cur = &w[nw++];
			cur->t = &ev->link;
		}
		cur->start = st->at_ns;
		cur->end = st->at_ns + ev->ramp.over_ns;
		cur->event = st->event;
		cur->rep = st->rep;
	}
	return 0;
}

static int idx_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Event I's two groups, each sorted, the one with the smaller first node first. */
struct pair {
	size_t *g[2];
	size_t n[2];
};

static bool group_eq(const size_t *a, size_t na, const size_t *b, size_t nb)
{
	return na == nb && !memcmp(a, b, na * sizeof(*a));
}

static bool pair_eq(const struct pair *x, const struct pair *y)
{
	return group_eq(x->g[0], x->n[0], y->g[0], y->n[0]) &&
	       group_eq(x->g[1], x->n[1], y->g[1], y->n[1]);
}

static void pairs_free(struct pair *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].g[0]);
		free(p[i].g[1]);
	}
	free(p);
}

/* A partition of groups already partitioned, or a heal of what is not. */
static int check_partitions(const struct nn_labfile *lf, const struct nn_tl_schedule *s,
			    struct nn_error *e)
{
	struct pair *pairs = NULL;
	size_t *active = NULL, nactive = 0;
	char a[32];
	int ret = 0;

	pairs = calloc(lf->n_timeline ? lf->n_timeline : 1, sizeof(*pairs));
	active = calloc(lf->n_timeline ? lf->n_timeline : 1, sizeof(*active));
	if (!pairs || !active) {
		ret = nn_error_set(e, ENOMEM, "%s", lf->path);
		goto out;
	}
	for (size_t i = 0; i < lf->n_timeline; i++) {
		const struct nn_tl_event *ev = &lf->timeline[i];

		if (ev->action != NN_TL_PARTITION && (ev->action != NN_TL_HEAL || ev->heal_all))
			continue;
		for (int g = 0; g < 2; g++) {
			if (!(pairs[i].g[g] = calloc(ev->n_group[g] ? ev->n_group[g] : 1, sizeof(size_t)))) {
				ret = nn_error_set(e, ENOMEM, "%s", lf->path);
				goto out;
			}
			memcpy(pairs[i].g[g], ev->group[g], ev->n_group[g] * sizeof(size_t));
			pairs[i].n[g] = ev->n_group[g];
			qsort(pairs[i].g[g], pairs[i].n[g], sizeof(size_t), idx_cmp);
		}
		if (pairs[i].g[1][0] < pairs[i].g[0][0]) {
			size_t *t = pairs[i].g[0], tn = pairs[i].n[0];

			pairs[i].g[0] = pairs[i].g[1];
			pairs[i].n[0] = pairs[i].n[1];
			pairs[i].g[1] = t;
			pairs[i].n[1] = tn;
		}
	}
	for (size_t i = 0; i < s->n && ret == 0; i++) {
		const struct nn_tl_step *st = &s->steps[i];
		const struct nn_tl_event *ev = &lf->timeline[st->event];
		size_t k;

		if (ev->action == NN_TL_HEAL && ev->heal_all) {
			if (!nactive)
				ret = fail_at(lf, &ev->mark, EINVAL, e, "heal all at %s: no partition is in effect then",
					      nn_format_time(a, sizeof(a), st->at_ns));
			nactive = 0;
			continue;
		}
		if (ev->action != NN_TL_PARTITION && ev->action != NN_TL_HEAL)
			continue;
		for (k = 0; k < nactive && !pair_eq(&pairs[active[k]], &pairs[st->event]); k++)
			;
		if (ev->action == NN_TL_PARTITION && k < nactive)
			ret = fail_at(lf, &ev->mark, EINVAL, e, "partition at %s: these groups are partitioned already (line %u)",
				      nn_format_time(a, sizeof(a), st->at_ns), lf->timeline[active[k]].mark.line);
		else if (ev->action == NN_TL_PARTITION)
			active[nactive++] = st->event;
		else if (k == nactive)
			ret = fail_at(lf, &ev->mark, EINVAL, e, "heal at %s: these groups are not partitioned then",
				      nn_format_time(a, sizeof(a), st->at_ns));
		else
			active[k] = active[--nactive];
	}
out:
	pairs_free(pairs, lf->n_timeline);
	free(active);
	return ret;
}

/* --- expansion --- */

int nn_tl_schedule_make(const struct nn_labfile *lf, struct nn_tl_schedule *out, struct nn_error *e)
{
	struct nn_tl_step *v;
	size_t total = 0, n = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < lf->n_timeline; i++) {
		const struct nn_tl_event *ev = &lf->timeline[i];
		u128 last = (u128)ev->at_ns + (u128)(ev->repeat.count - 1) * ev->repeat.every_ns;

		if (ev->ramp.what != NN_TL_RAMP_NONE)
			last += ev->ramp.over_ns;
		total += ((size_t)ramp_steps(ev) + 1) * ev->repeat.count;
		if (total > NN_TL_MAX_STEPS)
			return fail_at(lf, &ev->mark, E2BIG, e,
				       "the timeline expands to more than %d steps (repetitions times ramp steps)",
				       NN_TL_MAX_STEPS);
		if (last > NN_TL_MAX_NS)
			return fail_at(lf, &ev->mark, EINVAL, e,
				       "%s's last step is more than a year after the start",
				       nn_tl_action_name(ev->action));
	}
	if (!(v = calloc(total ? total : 1, sizeof(*v))))
		return nn_error_set(e, ENOMEM, "%s", lf->path);
	for (size_t i = 0; i < lf->n_timeline; i++) {
		const struct nn_tl_event *ev = &lf->timeline[i];
		unsigned int nsteps = ramp_steps(ev);
		uint64_t from = nn_tl_ramp_get(&ev->impair, ev->ramp.what);

		for (unsigned int r = 0; r < ev->repeat.count; r++) {
			uint64_t base = ev->at_ns + (uint64_t)r * ev->repeat.every_ns;

			for (unsigned int k = 0; k <= nsteps; k++) {
				struct nn_tl_step *st = &v[n++];

				st->event = i;
				st->rep = r;
				st->step = k;
				st->action = ev->action;
				st->at_ns = base + (nsteps ? nn_tl_interp(0, ev->ramp.over_ns, k, nsteps) : 0);
				if (ev->action == NN_TL_IMPAIR || ev->action == NN_TL_RATE) {
					st->qdisc = ev->impair;
					if (nsteps)
						nn_tl_ramp_set(&st->qdisc, ev->ramp.what,
							       nn_tl_interp(from, ev->ramp.to, k, nsteps));
				} else if (ev->action == NN_TL_CLEAR) {
					st->qdisc = ev->link.base;
				}
			}
		}
	}
	qsort(v, n, sizeof(*v), step_cmp);
	out->steps = v;
	out->n = n;
	out->end_ns = n ? v[n - 1].at_ns : 0;
	if ((ret = check_ramps(lf, out, e)) < 0 || (ret = check_partitions(lf, out, e)) < 0) {
		nn_tl_schedule_free(out);
		return ret;
	}
	return 0;
}

void nn_tl_schedule_free(struct nn_tl_schedule *s)
{
	free(s->steps);
	memset(s, 0, sizeof(*s));
}

/* --- text --- */

const char *nn_tl_format_offset(char *buf, size_t len, uint64_t ns)
{
	uint64_t ms = (ns + 500000) / 1000000;

	snprintf(buf, len, "+%" PRIu64 ".%03" PRIu64 "s", ms / 1000, ms % 1000);
	return buf;
}

struct out {
	char *buf;
	size_t len, o;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (o->o >= o->len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(o->buf + o->o, o->len - o->o, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->o = o->o + (size_t)r < o->len ? o->o + (size_t)r : o->len - 1;
}

static void put_qdisc(struct out *o, const struct nn_labfile_impair *im)
{
	struct nn_qdisc_info q = { .kind = im->kind };
	char buf[256];

	if (im->kind == NN_QDISC_OTHER) {
		put(o, "none");
		return;
	}
	if (im->kind == NN_QDISC_NETEM) {
		snprintf(q.kind_name, sizeof(q.kind_name), "netem");
		q.u.netem = im->netem;
	} else {
		snprintf(q.kind_name, sizeof(q.kind_name), "tbf");
		q.u.tbf = im->tbf;
	}
	put(o, "%s", nn_qdisc_format(buf, sizeof(buf), &q));
}

static void put_group(struct out *o, const struct nn_labfile *lf, const size_t *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, "%s%s", i ? "," : "", written(lf, g[i]));
}

static void put_bound(struct out *o, const char *what, const struct nn_bound *b)
{
	if (b->set)
		put(o, " %s %s", what, b->text);
}

const char *nn_tl_step_format(char *buf, size_t len, const struct nn_labfile *lf,
			      const struct nn_tl_step *s)
{
	const struct nn_tl_event *ev = &lf->timeline[s->event];
	struct out o = { buf, len, 0 };
	char name[2 * NN_EXPECT_NAME_MAX + 8];

	if (!len)
		return buf;
	buf[0] = '\0';
	put(&o, "%s", nn_tl_action_name(ev->action));
	switch (ev->action) {
	case NN_TL_IMPAIR:
	case NN_TL_RATE:
		put(&o, " %s:%s ", written(lf, ev->link.node), ev->link.ifname);
		put_qdisc(&o, &s->qdisc);
		break;
	case NN_TL_CLEAR:
		put(&o, " %s:%s: back to ", written(lf, ev->link.node), ev->link.ifname);
		if (s->qdisc.kind == NN_QDISC_OTHER)
			put(&o, "the kernel's default");
		else
			put_qdisc(&o, &s->qdisc);
		break;
	case NN_TL_DOWN:
	case NN_TL_UP:
		put(&o, " %s:%s", written(lf, ev->link.node), ev->link.ifname);
		break;
	case NN_TL_PARTITION:
	case NN_TL_HEAL:
		if (ev->heal_all) {
			put(&o, " all");
			break;
		}
		put(&o, " ");
		put_group(&o, lf, ev->group[0], ev->n_group[0]);
		put(&o, " from ");
		put_group(&o, lf, ev->group[1], ev->n_group[1]);
		break;
	case NN_TL_RUN:
		put(&o, " in %s:", written(lf, ev->node));
		for (size_t i = 0; i < ev->command.argc; i++)
			put(&o, " %s", ev->command.argv[i]);
		break;
	case NN_TL_EXPECT:
		put(&o, " %s", nn_expect_name(name, sizeof(name), &ev->expect));
		if (ev->expect.reach != NN_REACH_UNSAID)
			put(&o, " reach %s", ev->expect.reach == NN_REACH_YES ? "true" : "false");
		put_bound(&o, "rtt", &ev->expect.rtt);
		put_bound(&o, "loss", &ev->expect.loss);
		put_bound(&o, "rate", &ev->expect.rate);
		break;
	default:
		break;
	}
	return buf;
}

void nn_tl_schedule_write(FILE *f, const struct nn_labfile *lf, const struct nn_tl_schedule *s)
{
	char t[32], what[1024], line[1200];

	for (size_t i = 0; i < s->n; i++) {
		const struct nn_tl_step *st = &s->steps[i];
		const struct nn_tl_event *ev = &lf->timeline[st->event];
		struct out o = { line, sizeof(line), 0 };

		put(&o, "%10s  %s  (line %u", nn_tl_format_offset(t, sizeof(t), st->at_ns),
		    nn_tl_step_format(what, sizeof(what), lf, st), ev->mark.line);
		if (ev->ramp.what != NN_TL_RAMP_NONE && st->step)
			put(&o, ", ramp %u/%u", st->step, ev->ramp.steps);
		if (ev->repeat.count > 1)
			put(&o, ", %u of %u", st->rep + 1, ev->repeat.count);
		put(&o, ")");
		nn_put_shown(f, line);
		fputc('\n', f);
	}
	fprintf(f, "%10s  end: back to the lab's base state\n",
		nn_tl_format_offset(t, sizeof(t), s->end_ns));
}
