/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_VERIFY_H
#define NETNSCTL_VERIFY_H

/*
 * verify: a lab file's expectations (expect.h) against measurements
 * (probe.h), in three steps that also work one expectation at a time:
 *
 *   derive   pure: from the expectation and the lab file's own paths
 *            (labpath.h), what to probe and the bounds that must hold;
 *            an expectation without rtt, loss and rate gets them from the
 *            impairments on its path (docs/verify.md says how)
 *   measure  ICMP probes (all expectations at once), then TCP transfers
 *            (those whose paths share no link at once)
 *   judge    pure: each check's verdict, with the expected and measured
 *            values in words and numbers
 *
 * nn_verify_one() is the whole of it for one expectation, with no output:
 * the entry point for anything that checks an expectation at a moment of
 * its choosing (a timeline's "at 30s expect a->b loss 5%" event).
 * Library code: nothing is printed.
 */

#include <stdbool.h>
#include <stddef.h>

#include "netnsctl/error.h"
#include "netnsctl/expect.h"
#include "netnsctl/labfile.h"
#include "netnsctl/labpath.h"
#include "netnsctl/probe.h"

struct nn_ctx;

/* Central probability of the binomial and median bands (as the fidelity tests). */
#define NN_VERIFY_BAND_LEVEL 0.999
/* Tolerances learnt from the fidelity tests (docs/fidelity.md, docs/verify.md). */
#define NN_VERIFY_RTT_SLACK_MS 5.0		/* a round trip's median above its delays */
#define NN_VERIFY_RTT_SLACK_FRAC 0.10		/* ... plus this share of the delays */
#define NN_VERIFY_RTT_EARLY_MS 0.1		/* below the delays: clock slew */
#define NN_VERIFY_RATE_FRAC 0.10		/* a rate's band */
#define NN_VERIFY_CORRUPT_LOST 0.9		/* at least this share of corrupted probes is lost */
#define NN_VERIFY_MAX_TARGETS 8

struct nn_verify_opts {
	struct nn_probe_opts probe;	/* count, interval, size, wait */
	uint64_t rate_ns;		/* a transfer's length */
};

void nn_verify_opts_default(struct nn_verify_opts *o);

enum nn_check_kind { NN_CHECK_REACH, NN_CHECK_RTT, NN_CHECK_LOSS, NN_CHECK_RATE };

const char *nn_check_name(enum nn_check_kind k);	/* "reach", "rtt", "loss", "rate" */

/* What to measure and what must hold, before measuring. */
struct nn_verify_plan {
	const struct nn_expect *x;
	char name[2 * NN_EXPECT_NAME_MAX + 8];	/* "a -> b" */
	size_t n_targets;		/* addresses to probe: 1, or each of the node's for reach: false */
	struct nn_prefix targets[NN_VERIFY_MAX_TARGETS];
	bool modelled;			/* the lab's paths are known (FWD, REV) */
	struct nn_path fwd, rev;	/* the lab's path to targets[0] and back */
	enum nn_reach reach;		/* what must hold (UNSAID: nothing) */
	bool reach_derived;
	bool rtt, rtt_derived, rtt_has_band;	/* band: given as lo-hi */
	double rtt_ms;			/* the delays of the round trip (or the value given) */
	double rtt_ms_per_byte;		/* serialisation at netem rates, both ways, per frame byte */
	double rtt_lo_ms, rtt_hi_ms;	/* a band given with ± */
	double rtt_sigma_ms;		/* spread of one round trip's jitter */
	double rtt_jmax_ms;		/* the widest uniform jitter on the way */
	bool loss, loss_derived;
	double p_lo, p_hi;		/* the loss probability's range */
	bool rate, rate_derived;
	double rate_lo_bps, rate_hi_bps;	/* frames on the link, bits/s */
	char note[256];			/* why something was not derived */
};

/* One probe's worth of measurement. */
struct nn_verify_target {
	bool probed;			/* false: no probe (see no_route) */
	bool no_route;			/* the source has no route there */
	struct nn_probe_stats st;
};

struct nn_verify_check {
	enum nn_check_kind kind;
	bool derived;
	bool pass;
	const char *unit;		/* "answers", "ms", "lost", "bit/s" */
	double lo, hi, value;		/* the band and the measured value, in UNIT */
	char expected[128];
	char measured[160];
};

struct nn_verify_result {
	struct nn_verify_plan plan;
	struct nn_verify_target targets[NN_VERIFY_MAX_TARGETS];
	bool rated;
	struct nn_rate_result rate;	/* per_second_bps points into PER_SECOND */
	double *per_second;
	char rate_error[NN_ERROR_MAX];	/* why there was no transfer */
	bool error;			/* could not measure: counts as failed */
	char error_text[NN_ERROR_MAX];
	struct nn_verify_check checks[4];
	size_t n_checks;
	bool pass;
	double seconds;
};

/*
 * Plan expectation X of LF.  -EINVAL with a message naming X's place in the
 * file ("lab.yaml:12:5: ...") when it cannot be: a node without addresses.
 */
int nn_verify_derive(const struct nn_labfile *lf, const struct nn_expect *x,
		     struct nn_verify_plan *plan, struct nn_error *e);

/* Fill R->checks and R->pass from R->plan and what was measured.  Pure. */
void nn_verify_judge(struct nn_verify_result *r);

/*
 * Derive, measure and judge expectation X of LF in the namespaces of CTX.
 * Returns 0 with R filled (R->error when it could not be measured: a
 * namespace missing, say), or -errno for bad input or a failure of netnsctl
 * itself.  Free R's insides with nn_verify_result_clear().
 */
int nn_verify_one(struct nn_ctx *ctx, const struct nn_labfile *lf, const struct nn_expect *x,
		  const struct nn_verify_opts *o, struct nn_verify_result *r, struct nn_error *e);

/* Every expectation of LF, probes in parallel: *OUT has LF->n_expects results. */
int nn_verify_all(struct nn_ctx *ctx, const struct nn_labfile *lf, const struct nn_verify_opts *o,
		  struct nn_verify_result **out, struct nn_error *e);

void nn_verify_result_clear(struct nn_verify_result *r);
void nn_verify_results_free(struct nn_verify_result *v, size_t n);

#endif
