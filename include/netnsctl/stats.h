/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_STATS_H
#define NETNSCTL_STATS_H

/*
 * The statistics of probe and verify (docs/verify.md), pure and exact enough
 * to be checked against published values: percentiles, binomial tails,
 * confidence intervals for a loss fraction and the acceptance bands a count
 * of lost probes must fall in.
 */

#include <stddef.h>
#include <stdint.h>

/*
 * Percentile P (0 to 100) of the N values SORTED (ascending), interpolated
 * linearly between order statistics: the value at rank (N - 1) * P / 100,
 * as R's quantile() type 7 and numpy's default compute it.  N = 0 gives 0.
 */
double nn_percentile(const double *sorted, size_t n, double p);

/* Nearest-rank percentile P (0 < P <= 100) of the N values V (sorted by
 * this call): the smallest value with at least P % of them at or below it,
 * always one of the values (create-clients' lease latencies).  0 when N is 0. */
uint64_t nn_percentile_rank(uint64_t *v, size_t n, unsigned p);

/* P(X <= K) for X ~ Binomial(N, P), summed in logs (N up to millions). */
double nn_binom_cdf(uint64_t k, uint64_t n, double p);

/*
 * The exact (Clopper-Pearson) confidence interval at LEVEL (0.95) for the
 * probability of an event seen K times in N trials: [*LO, *HI] holds the true
 * probability in at least LEVEL of all runs, whatever it is.  N = 0 gives
 * [0, 1].
 */
void nn_binom_ci(uint64_t k, uint64_t n, double level, double *lo, double *hi);

/*
 * The acceptance band of a count of N trials whose probability is anywhere
 * in [P_LO, P_HI]: *LO is the smallest k with P(X < k) <= (1 - LEVEL) / 2
 * under P_LO, *HI the largest with P(X > k) <= (1 - LEVEL) / 2 under P_HI,
 * so an honest count lies in [*LO, *HI] with probability at least LEVEL.
 * The same band as tests/kernel/fidelity.sh's binom_band.
 */
void nn_binom_band(uint64_t n, double p_lo, double p_hi, double level, uint64_t *lo,
		   uint64_t *hi);

/* The standard normal quantile: x with P(Z <= x) = P, 0 < P < 1. */
double nn_normal_quantile(double p);

/*
 * Mean absolute difference of consecutive values, sum |V[i] - V[i-1]| / (N - 1):
 * the jitter of round-trip times in probe order.  0 when N < 2.
 */
double nn_mean_abs_diff(const double *v, size_t n);

#endif
