// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verify (verify.h): expectations derived from the lab's own paths, measured
 * by probes, judged against statistical bands.  docs/verify.md explains
 * every number used here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/lab.h"
#include "netnsctl/stats.h"
#include "netnsctl/units.h"
#include "netnsctl/verify.h"
#include "util/cleanup.h"
#include "util/show.h"

#define NS_PER_MS 1e6
/* Ethernet header: netem's rate meters whole frames. */
#define ETH_HLEN_BYTES 14
/* Reordered probes skip the delay: from this share on the median may too. */
#define REORDER_MEDIAN_LIMIT 0.4

void nn_verify_opts_default(struct nn_verify_opts *o)
{
	nn_probe_opts_default(&o->probe);
	o->rate_ns = NN_RATE_DEFAULT_DURATION_NS;
}

const char *nn_check_name(enum nn_check_kind k)
{
	switch (k) {
	case NN_CHECK_REACH: return "reach";
	case NN_CHECK_RTT: return "rtt";
	case NN_CHECK_LOSS: return "loss";
	default: return "rate";
	}
}

/* --- derive --- */

/* What the impairments of a round trip add up to. */
struct path_sum {
	double delay_ms;	/* netem delays */
	double ms_per_byte;	/* serialisation at netem rates: a frame of B bytes waits B times this */
	double var_ms2;		/* variance of the jitter */
	double jmax_ms;		/* widest uniform jitter */
	double keep_hi, keep_lo;	/* chance a probe survives: all corruption lost / the least */
	double reorder;		/* sum of reorder chances */
	bool correlated;	/* loss or corruption with a correlation: no binomial band */
	char correlated_at[64];
	double bottleneck_bps;	/* forward direction only; 0 = none */
};

static void add_path(struct path_sum *s, const struct nn_path *p, bool forward)
{
	for (size_t i = 0; i < p->n_hops; i++) {
		const struct nn_labfile_impair *im = p->hops[i].egress;
		double rate_bps = 0;

		if (!im)
			continue;
		if (im->kind == NN_QDISC_TBF) {
			rate_bps = (double)im->tbf.rate * 8;
		} else if (im->kind == NN_QDISC_NETEM) {
			const struct nn_netem *n = &im->netem;
			double j = (double)n->jitter_ns / NS_PER_MS;
			double loss = (double)n->loss / UINT32_MAX, corrupt = (double)n->corrupt / UINT32_MAX;

			s->delay_ms += (double)n->delay_ns / NS_PER_MS;
			if (n->jitter_ns) {
				/* uniform on +-j without a table; a table's spread is j */
				s->var_ms2 += n->dist == NN_DIST_NONE ? j * j / 3 : j * j;
				if (n->dist == NN_DIST_NONE && j > s->jmax_ms)
					s->jmax_ms = j;
			}
			s->keep_hi *= (1 - loss) * (1 - NN_VERIFY_CORRUPT_LOST * corrupt);
			s->keep_lo *= (1 - loss) * (1 - corrupt);
			s->reorder += (double)n->reorder / UINT32_MAX;
			if (((n->loss && n->loss_corr) || (n->corrupt && n->corrupt_corr)) &&
			    !s->correlated) {
				s->correlated = true;
				snprintf(s->correlated_at, sizeof(s->correlated_at), "%s%s%s",
					 p->hops[i].ns, *p->hops[i].ns ? ":" : "", p->hops[i].ifname);
			}
			if (n->rate) {
				rate_bps = (double)n->rate * 8;
				s->ms_per_byte += 8 / rate_bps * 1e3;
			}
		}
		if (forward && rate_bps > 0 && (s->bottleneck_bps == 0 || rate_bps < s->bottleneck_bps))
			s->bottleneck_bps = rate_bps;
	}
}

/* WHAT names nodes, which may hold any byte: the message stays one
 * printable line, as the lab file's own errors do. */
static int derive_fail(const struct nn_labfile *lf, const struct nn_expect *x, struct nn_error *e,
		       const char *what)
{
	struct nn_shown path;
	char out[NN_ERROR_MAX];
	size_t o = 0;

	for (const unsigned char *c = (const unsigned char *)what; *c && o + 5 < sizeof(out); c++) {
		if (*c >= 0x20 && *c < 0x7f)
			out[o++] = (char)*c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", *c);
	}
	out[o] = '\0';
	if (x->line)
		return nn_error_setx(e, EINVAL, "%s:%u:%u: %s", nn_show(&path, lf->path), x->line,
				     x->col, out);
	return nn_error_setx(e, EINVAL, "%s", out);
}

__attribute__((format(printf, 2, 3)))
static void note(struct nn_verify_plan *p, const char *fmt, ...)
{
	va_list ap;
	size_t o = strlen(p->note);

	if (o)
		o += (size_t)snprintf(p->note + o, sizeof(p->note) - o, "; ");
	if (o < sizeof(p->note)) {
		va_start(ap, fmt);
		vsnprintf(p->note + o, sizeof(p->note) - o, fmt, ap);
		va_end(ap);
	}
}

int nn_verify_derive(const struct nn_labfile *lf, const struct nn_expect *x,
		     struct nn_verify_plan *plan, struct nn_error *e)
{
	struct nn_prefix addrs[NN_VERIFY_MAX_TARGETS];
	struct nn_path *f = NULL, *r = NULL;
	ssize_t src = nn_labfile_node_index(lf, x->from), best = -1;
	size_t na, best_hops = SIZE_MAX;
	struct path_sum s = { .keep_hi = 1, .keep_lo = 1 };
	char msg[256];
	int ret = 0;

	memset(plan, 0, sizeof(*plan));
	plan->x = x;
	nn_expect_name(plan->name, sizeof(plan->name), x);
	if (src < 0) {
		snprintf(msg, sizeof(msg), "expectation %s: undeclared node \"%s\"", plan->name, x->from);
		return derive_fail(lf, x, e, msg);
	}
	if (x->to_is_addr) {
		addrs[0] = x->to_addr;
		na = 1;
	} else {
		ssize_t dn = nn_labfile_node_index(lf, x->to);

		if (dn < 0) {
			snprintf(msg, sizeof(msg), "expectation %s: undeclared node \"%s\"", plan->name, x->to);
			return derive_fail(lf, x, e, msg);
		}
		na = nn_labpath_node_addrs(lf, (size_t)dn, addrs, NN_VERIFY_MAX_TARGETS);
		if (na == 0) {
			snprintf(msg, sizeof(msg), "expectation %s: node \"%s\" has no address in the lab file",
				 plan->name, x->to);
			return derive_fail(lf, x, e, msg);
		}
		if (na > NN_VERIFY_MAX_TARGETS)
			na = NN_VERIFY_MAX_TARGETS;
	}
	for (size_t i = 0; i < na; i++)
		addrs[i].len = addrs[i].family == AF_INET ? 32 : 128;
	if (!(f = malloc(2 * sizeof(*f))))
		return nn_error_set(e, ENOMEM, "cannot plan expectation %s", plan->name);
	r = f + 1;
	/* The address the lab reaches in the fewest hops; else the first. */
	for (size_t i = 0; i < na; i++) {
		if ((ret = nn_labpath_round_trip(lf, (size_t)src, &addrs[i], f, r, e)) < 0)
			goto out;
		if (i == 0 || (f->reached && r->reached && f->n_hops + r->n_hops < best_hops)) {
			plan->fwd = *f;
			plan->rev = *r;
			plan->targets[0] = addrs[i];
			if (f->reached && r->reached) {
				best = (ssize_t)i;
				best_hops = f->n_hops + r->n_hops;
			}
		}
	}
	plan->modelled = best >= 0;
	plan->n_targets = 1;
	if (x->reach != NN_REACH_UNSAID) {
		plan->reach = x->reach;
	} else if (nn_expect_unbounded(x)) {
		plan->reach = plan->modelled ? NN_REACH_YES : NN_REACH_NO;
		plan->reach_derived = true;
	}
	if (plan->reach == NN_REACH_NO) {
		/* "never reaches c": none of c's addresses answers */
		memcpy(plan->targets, addrs, na * sizeof(*addrs));
		plan->n_targets = na;
		goto out;
	}
	if (!plan->modelled)
		note(plan, "the lab's routes do not lead there (%s): nothing derived", plan->rev.why);
	else {
		add_path(&s, &plan->fwd, true);
		add_path(&s, &plan->rev, false);
	}
	if (x->rtt.set) {
		plan->rtt = true;
		plan->rtt_has_band = x->rtt.has_tol;
		plan->rtt_ms = x->rtt.value / NS_PER_MS;
		plan->rtt_lo_ms = x->rtt.lo / NS_PER_MS;
		plan->rtt_hi_ms = x->rtt.hi / NS_PER_MS;
	} else if (nn_expect_unbounded(x) && plan->modelled) {
		if (s.reorder >= REORDER_MEDIAN_LIMIT) {
			note(plan, "%s", "rtt not derived: reordering sends many probes past the delay");
		} else {
			plan->rtt = plan->rtt_derived = true;
			plan->rtt_ms = s.delay_ms;
			plan->rtt_ms_per_byte = s.ms_per_byte;
		}
	}
	if (plan->rtt && plan->modelled) {
		plan->rtt_sigma_ms = sqrt(s.var_ms2);
		plan->rtt_jmax_ms = s.jmax_ms;
	}
	if (x->loss.set) {
		plan->loss = true;
		plan->p_lo = x->loss.lo;
		plan->p_hi = x->loss.hi;
	} else if (nn_expect_unbounded(x) && plan->modelled) {
		if (s.correlated) {
			note(plan, "loss not derived: a correlated loss or corruption on %s has no binomial band",
			     s.correlated_at);
		} else {
			plan->loss = plan->loss_derived = true;
			plan->p_lo = 1 - s.keep_hi;
			plan->p_hi = 1 - s.keep_lo;
		}
	}
	if (x->rate.set) {
		plan->rate = true;
		plan->rate_lo_bps = x->rate.has_tol ? x->rate.lo : x->rate.value * (1 - NN_VERIFY_RATE_FRAC);
		plan->rate_hi_bps = x->rate.has_tol ? x->rate.hi : x->rate.value * (1 + NN_VERIFY_RATE_FRAC);
	} else if (nn_expect_unbounded(x) && plan->modelled && s.bottleneck_bps > 0 && x->to_is_addr) {
		note(plan, "%s", "rate not derived: a transfer needs \"to\" to be a node");
	} else if (nn_expect_unbounded(x) && plan->modelled && s.bottleneck_bps > 0) {
		plan->rate = plan->rate_derived = true;
		plan->rate_lo_bps = s.bottleneck_bps * (1 - NN_VERIFY_RATE_FRAC);
		plan->rate_hi_bps = s.bottleneck_bps * (1 + NN_VERIFY_RATE_FRAC);
	}
out:
	free(f);
	return ret;
}

/* --- judge --- */

static struct nn_verify_check *check(struct nn_verify_result *r, enum nn_check_kind k,
				     bool derived, const char *unit)
{
	struct nn_verify_check *c = &r->checks[r->n_checks++];

	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->derived = derived;
	c->unit = unit;
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The rate a transfer measured: the median of its whole seconds after the
 * first (slow start, a tbf's full bucket) when there are three or more,
 * else the whole window; as frames on the link. */
static double measured_rate(const struct nn_rate_result *rr)
{
	double v = rr->goodput_bps;

	if (rr->n_seconds >= 3) {
		double tmp[64];
		size_t n = rr->n_seconds - 1 > 64 ? 64 : rr->n_seconds - 1;

		memcpy(tmp, rr->per_second_bps + 1, n * sizeof(*tmp));
		qsort(tmp, n, sizeof(*tmp), cmp_double);
		v = nn_percentile(tmp, n, 50);
	}
	return rr->mss ? v * (rr->mtu + ETH_HLEN_BYTES) / rr->mss : v;
}

/* "19.9Mbit/s": three digits say enough of a measured rate. */
static const char *bps_text(char *buf, size_t len, double bps)
{
	static const struct { double div; const char *unit; } u[] = {
		{ 1e12, "Tbit/s" }, { 1e9, "Gbit/s" }, { 1e6, "Mbit/s" }, { 1e3, "kbit/s" },
	};

	for (size_t i = 0; i < NN_ARRAY_SIZE(u); i++)
		if (bps >= u[i].div) {
			snprintf(buf, len, "%.3g%s", bps / u[i].div, u[i].unit);
			return buf;
		}
	snprintf(buf, len, "%.3gbit/s", bps);
	return buf;
}

static const char *derived_word(bool derived)
{
	return derived ? ", derived" : "";
}

void nn_verify_judge(struct nn_verify_result *r)
{
	const struct nn_verify_plan *p = &r->plan;
	const struct nn_verify_target *t0 = &r->targets[0];
	const struct nn_probe_stats *st = &t0->st;
	double z = nn_normal_quantile(1 - (1 - NN_VERIFY_BAND_LEVEL) / 2);
	struct nn_verify_check *c;

	r->n_checks = 0;
	r->pass = false;
	if (r->error)
		return;
	if (p->reach == NN_REACH_YES) {
		c = check(r, NN_CHECK_REACH, p->reach_derived, "answers");
		c->lo = 1;
		c->hi = st->sent;
		c->value = st->received;
		c->pass = st->received > 0;
		snprintf(c->expected, sizeof(c->expected), "answers%s", derived_word(p->reach_derived));
		if (t0->no_route)
			snprintf(c->measured, sizeof(c->measured), "no route");
		else if (st->unreachable)
			snprintf(c->measured, sizeof(c->measured), "unreachable: %s", st->error_text);
		else
			snprintf(c->measured, sizeof(c->measured), "%u of %u answered", st->received, st->sent);
	} else if (p->reach == NN_REACH_NO) {
		uint32_t got = 0, sent = 0;

		for (size_t i = 0; i < p->n_targets; i++) {
			got += r->targets[i].st.received;
			sent += r->targets[i].st.sent;
		}
		c = check(r, NN_CHECK_REACH, p->reach_derived, "answers");
		c->value = got;
		c->pass = got == 0;
		snprintf(c->expected, sizeof(c->expected), "no answer%s", derived_word(p->reach_derived));
		if (p->n_targets > 1)
			snprintf(c->measured, sizeof(c->measured), "%u of %u answered at %zu addresses", got,
				 sent, p->n_targets);
		else if (t0->no_route)
			snprintf(c->measured, sizeof(c->measured), "no route");
		else
			snprintf(c->measured, sizeof(c->measured), "%u of %u answered", got, sent);
	}
	if (p->rtt) {
		double n = st->received, lo, hi;

		c = check(r, NN_CHECK_RTT, p->rtt_derived, "ms");
		if (p->rtt_has_band) {
			lo = p->rtt_lo_ms;
			hi = p->rtt_hi_ms;
		} else {
			/* the sample median's standard error: a uniform jitter's, or
			 * the normal one a sum of jitters tends to */
			double se = n > 0 ? fmax(p->rtt_jmax_ms, 1.2533 * p->rtt_sigma_ms) / sqrt(n) : 0;
			/* each probe and answer, a frame, waits its length at a netem rate */
			double wire = ETH_HLEN_BYTES + (st->dst.family == AF_INET6 ? 40 : 20) + 8 + st->size;
			double d = p->rtt_ms + p->rtt_ms_per_byte * wire;

			lo = d - z * se - NN_VERIFY_RTT_EARLY_MS - 0.001 * d;
			hi = d + z * se + NN_VERIFY_RTT_SLACK_MS + NN_VERIFY_RTT_SLACK_FRAC * d;
			if (lo < 0)
				lo = 0;
		}
		c->lo = lo;
		c->hi = hi;
		c->value = st->received ? st->rtt_p50_ms : NAN;
		c->pass = st->received && c->value >= lo && c->value <= hi;
		snprintf(c->expected, sizeof(c->expected), "median %.2f-%.2f ms%s", lo, hi,
			 derived_word(p->rtt_derived));
		if (st->received)
			snprintf(c->measured, sizeof(c->measured), "median %.3f ms (%.3f-%.3f)", c->value,
				 st->rtt_min_ms, st->rtt_max_ms);
		else
			snprintf(c->measured, sizeof(c->measured), "no answers");
	}
	if (p->loss) {
		uint64_t lo, hi, lost = st->sent - st->received;

		c = check(r, NN_CHECK_LOSS, p->loss_derived, "lost");
		nn_binom_band(st->sent, p->p_lo, p->p_hi, NN_VERIFY_BAND_LEVEL, &lo, &hi);
		c->lo = (double)lo;
		c->hi = (double)hi;
		c->value = (double)lost;
		c->pass = st->sent > 0 && lost >= lo && lost <= hi;
		if (p->p_lo == p->p_hi)
			snprintf(c->expected, sizeof(c->expected), "%llu-%llu of %u lost (%.3g%%%s)",
				 (unsigned long long)lo, (unsigned long long)hi, st->sent, p->p_lo * 100,
				 derived_word(p->loss_derived));
		else
			snprintf(c->expected, sizeof(c->expected), "%llu-%llu of %u lost (%.3g-%.3g%%%s)",
				 (unsigned long long)lo, (unsigned long long)hi, st->sent, p->p_lo * 100,
				 p->p_hi * 100, derived_word(p->loss_derived));
		snprintf(c->measured, sizeof(c->measured), "%llu of %u lost (%.3g%%)",
			 (unsigned long long)lost, st->sent, st->sent ? 100.0 * (double)lost / st->sent : 0);
	}
	if (p->rate) {
		char a[32], b[32];

		c = check(r, NN_CHECK_RATE, p->rate_derived, "bit/s");
		c->lo = p->rate_lo_bps;
		c->hi = p->rate_hi_bps;
		snprintf(c->expected, sizeof(c->expected), "%s-%s%s", bps_text(a, sizeof(a), c->lo),
			 bps_text(b, sizeof(b), c->hi), derived_word(p->rate_derived));
		if (r->rated) {
			c->value = measured_rate(&r->rate);
			c->pass = c->value >= c->lo && c->value <= c->hi;
			snprintf(c->measured, sizeof(c->measured), "%s on the link (goodput %s)",
				 bps_text(a, sizeof(a), c->value),
				 bps_text(b, sizeof(b), r->rate.goodput_bps));
		} else {
			c->value = NAN;
			snprintf(c->measured, sizeof(c->measured), "no transfer: %s",
				 *r->rate_error ? r->rate_error : "no answers");
		}
	}
	r->pass = r->n_checks > 0;
	for (size_t i = 0; i < r->n_checks; i++)
		r->pass &= r->checks[i].pass;
}

/* --- measure --- */

static void set_error(struct nn_verify_result *r, const struct nn_error *e)
{
	r->error = true;
	snprintf(r->error_text, sizeof(r->error_text), "%s", e->msg);
}

struct run {
	struct nn_verify_result *r;
	struct nn_ns *src, *dst;
	struct nn_probe *probes[NN_VERIFY_MAX_TARGETS];
};

static void open_probes(struct nn_ctx *ctx, const struct nn_verify_opts *o, struct run *u)
{
	const struct nn_verify_plan *p = &u->r->plan;
	struct nn_error e = { 0 };

	if (nn_ctx_ns(ctx, p->x->from, &u->src, &e) < 0 ||
	    (!p->x->to_is_addr && nn_ctx_ns(ctx, p->x->to, &u->dst, &e) < 0)) {
		set_error(u->r, &e);
		return;
	}
	for (size_t i = 0; i < p->n_targets; i++) {
		int ret = nn_probe_new(u->src, u->dst, &p->targets[i], &o->probe, &u->probes[i], &e);

		if (ret == -ENETUNREACH) {
			/* the source routes nowhere there: nothing answers */
			u->r->targets[i].no_route = true;
			u->r->targets[i].st.dst = p->targets[i];
			nn_error_clear(&e);
		} else if (ret < 0) {
			set_error(u->r, &e);
			return;
		}
	}
}

static void rate_round(struct run *u, size_t n, const struct nn_verify_opts *o)
{
	_cleanup_free_ struct nn_rate **v = calloc(n ? n : 1, sizeof(*v));
	_cleanup_free_ struct run **who = calloc(n ? n : 1, sizeof(*who));
	struct nn_rate_opts ro = { .duration_ns = o->rate_ns };
	struct nn_error e = { 0 };
	size_t k = 0;

	if (!v || !who)
		return;
	for (size_t i = 0; i < n; i++) {
		struct nn_verify_result *r = u[i].r;

		if (!u[i].dst) {
			snprintf(r->rate_error, sizeof(r->rate_error), "no receiving namespace");
			continue;
		}
		if (nn_rate_new(u[i].src, u[i].dst, &r->plan.targets[0], &ro, &v[k], &e) < 0) {
			snprintf(r->rate_error, sizeof(r->rate_error), "%s", e.msg);
			nn_error_clear(&e);
			continue;
		}
		who[k++] = &u[i];
	}
	if (nn_rate_run(v, k, &e) < 0)
		for (size_t i = 0; i < k; i++)
			snprintf(who[i]->r->rate_error, sizeof(who[i]->r->rate_error), "%s", e.msg);
	for (size_t i = 0; i < k; i++) {
		struct nn_verify_result *r = who[i]->r;

		if (!*r->rate_error) {
			nn_rate_get_result(v[i], &r->rate);
			free(r->per_second);
			r->per_second = calloc(r->rate.n_seconds + 1, sizeof(double));
			if (r->per_second)
				memcpy(r->per_second, r->rate.per_second_bps,
				       r->rate.n_seconds * sizeof(double));
			else
				r->rate.n_seconds = 0;
			r->rate.per_second_bps = r->per_second;
			r->rated = true;
			r->seconds += r->rate.seconds;
		}
		nn_rate_free(v[i]);
	}
}

static bool conflicts(const struct run *a, const struct run *b)
{
	const struct nn_verify_plan *p = &a->r->plan, *q = &b->r->plan;

	/* Without the lab's paths nothing says they are apart. */
	if (!p->modelled || !q->modelled)
		return true;
	return nn_labpath_share(&p->fwd, &q->fwd) || nn_labpath_share(&p->fwd, &q->rev) ||
	       nn_labpath_share(&p->rev, &q->fwd) || nn_labpath_share(&p->rev, &q->rev);
}

/* Probe all of U at once; then transfer, in rounds of paths that share no link. */
static int measure(struct nn_ctx *ctx, const struct nn_verify_opts *o, struct run *u, size_t n,
		   struct nn_error *e)
{
	_cleanup_free_ struct nn_probe **all = calloc(n * NN_VERIFY_MAX_TARGETS + 1, sizeof(*all));
	_cleanup_free_ struct run *round = calloc(n + 1, sizeof(*round));
	_cleanup_free_ bool *pending = calloc(n + 1, sizeof(*pending));
	size_t k = 0, left = 0;
	int ret;

	if (!all || !round || !pending)
		return nn_error_set(e, ENOMEM, "cannot run probes");
	for (size_t i = 0; i < n; i++) {
		open_probes(ctx, o, &u[i]);
		for (size_t t = 0; t < u[i].r->plan.n_targets; t++)
			if (u[i].probes[t])
				all[k++] = u[i].probes[t];
	}
	if ((ret = nn_probe_run(all, k, e)) < 0)
		return ret;
	if (nn_plan_cancelled())
		return nn_error_setx(e, ECANCELED, "interrupted");
	for (size_t i = 0; i < n; i++) {
		struct nn_verify_result *r = u[i].r;

		for (size_t t = 0; t < r->plan.n_targets; t++) {
			if (!u[i].probes[t])
				continue;
			nn_probe_get_stats(u[i].probes[t], &r->targets[t].st);
			r->targets[t].probed = true;
			if (r->targets[t].st.seconds > r->seconds)
				r->seconds = r->targets[t].st.seconds;
		}
		if (!r->error && r->plan.rate) {
			if (r->targets[0].st.received) {
				pending[i] = true;
				left++;
			} else {
				snprintf(r->rate_error, sizeof(r->rate_error), "no answers to the probes");
			}
		}
	}
	while (left) {
		size_t m = 0;

		for (size_t i = 0; i < n; i++) {
			bool apart = pending[i];

			for (size_t j = 0; j < m && apart; j++)
				apart = !conflicts(&u[i], &round[j]);
			if (!apart)
				continue;
			round[m++] = u[i];
			pending[i] = false;
			left--;
		}
		rate_round(round, m, o);
		if (nn_plan_cancelled())
			return nn_error_setx(e, ECANCELED, "interrupted");
	}
	return 0;
}

static void free_runs(struct run *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < NN_VERIFY_MAX_TARGETS; t++)
			nn_probe_free(u[i].probes[t]);
}

int nn_verify_one(struct nn_ctx *ctx, const struct nn_labfile *lf, const struct nn_expect *x,
		  const struct nn_verify_opts *o, struct nn_verify_result *r, struct nn_error *e)
{
	struct run u = { .r = r };
	int ret;

	memset(r, 0, sizeof(*r));
	if ((ret = nn_verify_derive(lf, x, &r->plan, e)) < 0)
		return ret;
	ret = measure(ctx, o, &u, 1, e);
	free_runs(&u, 1);
	if (ret < 0)
		return ret;
	nn_verify_judge(r);
	return 0;
}

int nn_verify_all(struct nn_ctx *ctx, const struct nn_labfile *lf, const struct nn_verify_opts *o,
		  struct nn_verify_result **out, struct nn_error *e)
{
	size_t n = lf->n_expects;
	struct nn_verify_result *v = calloc(n ? n : 1, sizeof(*v));
	_cleanup_free_ struct run *u = calloc(n ? n : 1, sizeof(*u));
	int ret = 0;

	*out = NULL;
	if (!v || !u) {
		free(v);
		return nn_error_set(e, ENOMEM, "cannot verify %s", lf->path);
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		ret = nn_verify_derive(lf, &lf->expects[i], &v[i].plan, e);
		u[i].r = &v[i];
	}
	if (ret == 0)
		ret = measure(ctx, o, u, n, e);
	free_runs(u, n);
	if (ret < 0) {
		nn_verify_results_free(v, n);
		return ret;
	}
	for (size_t i = 0; i < n; i++)
		nn_verify_judge(&v[i]);
	*out = v;
	return 0;
}

void nn_verify_result_clear(struct nn_verify_result *r)
{
	free(r->per_second);
	r->per_second = NULL;
	r->rate.per_second_bps = NULL;
}

void nn_verify_results_free(struct nn_verify_result *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		nn_verify_result_clear(&v[i]);
	free(v);
}
