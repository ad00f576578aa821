// SPDX-License-Identifier: GPL-2.0-or-later
/* Statistics for probe and verify (stats.h).  Pure: no I/O, no state. */
#include <math.h>
#include <stdlib.h>

#include "netnsctl/stats.h"

double nn_percentile(const double *sorted, size_t n, double p)
{
	double h;
	size_t i;

	if (n == 0)
		return 0;
	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	h = (double)(n - 1) * p / 100.0;
	i = (size_t)h;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t nn_percentile_rank(uint64_t *v, size_t n, unsigned p)
{
	uint64_t rank;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	if (p > 100)
		p = 100;
	/* nearest rank: the smallest value with at least P % at or below it */
	rank = ((uint64_t)p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

/*
 * The terms of Binomial(N, P) are built up in logs, one from the last
 * (pmf(i+1) = pmf(i) * (N-i)/(i+1) * P/(1-P)): a term too small for a double
 * becomes 0, which is what it is to double precision, and no term overflows.
 */
double nn_binom_cdf(uint64_t k, uint64_t n, double p)
{
	double lp, odds, sum = 0;

	if (k >= n || p <= 0)
		return 1;
	if (p >= 1)
		return 0;
	lp = (double)n * log1p(-p);
	odds = log(p) - log1p(-p);
	for (uint64_t i = 0; i <= k; i++) {
		sum += exp(lp);
		lp += log((double)(n - i) / (double)(i + 1)) + odds;
	}
	return sum > 1 ? 1 : sum;
}

/* P(X >= k): rises with p. */
static double upper_tail(uint64_t k, uint64_t n, double p)
{
	return k == 0 ? 1 : 1 - nn_binom_cdf(k - 1, n, p);
}

void nn_binom_ci(uint64_t k, uint64_t n, double level, double *lo, double *hi)
{
	double a = (1 - level) / 2, l, h;

	*lo = 0;
	*hi = 1;
	if (n == 0)
		return;
	if (k > n)
		k = n;
	/* lo: the p at which seeing k or more is just as unlikely as a */
	if (k > 0) {
		for (l = 0, h = 1; h - l > 1e-12;) {
			double m = (l + h) / 2;

			if (upper_tail(k, n, m) < a)
				l = m;
			else
				h = m;
		}
		*lo = (l + h) / 2;
	}
	/* hi: the p at which seeing k or fewer is just as unlikely */
	if (k < n) {
		for (l = 0, h = 1; h - l > 1e-12;) {
			double m = (l + h) / 2;

			if (nn_binom_cdf(k, n, m) > a)
				l = m;
			else
				h = m;
		}
		*hi = (l + h) / 2;
	}
}

void nn_binom_band(uint64_t n, double p_lo, double p_hi, double level, uint64_t *lo,
		   uint64_t *hi)
{
	double a = (1 - level) / 2, cdf, lp, odds;
	uint64_t k;

	if (p_lo < 0)
		p_lo = 0;
	if (p_hi > 1)
		p_hi = 1;
	/* lo: the first count whose cdf under p_lo exceeds a */
	if (p_lo <= 0) {
		*lo = 0;
	} else if (p_lo >= 1) {
		*lo = n;
	} else {
		lp = (double)n * log1p(-p_lo);
		odds = log(p_lo) - log1p(-p_lo);
		for (k = 0, cdf = 0; k < n; k++) {
			cdf += exp(lp);
			if (cdf > a)
				break;
			lp += log((double)(n - k) / (double)(k + 1)) + odds;
		}
		*lo = k;
	}
	/* hi: the first count above which p_hi puts at most a */
	if (p_hi >= 1) {
		*hi = n;
	} else if (p_hi <= 0) {
		*hi = 0;
	} else {
		lp = (double)n * log1p(-p_hi);
		odds = log(p_hi) - log1p(-p_hi);
		for (k = 0, cdf = 0; k < n; k++) {
			cdf += exp(lp);
			if (1 - cdf <= a)
				break;
			lp += log((double)(n - k) / (double)(k + 1)) + odds;
		}
		*hi = k;
	}
	if (*hi < *lo)
		*hi = *lo;
}

double nn_normal_quantile(double p)
{
	double l = -40, h = 40;

	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	/* Bisection on the cdf: slow next to a rational approximation, but
	 * exact to double precision and called a few times a run. */
	for (int i = 0; i < 200 && h - l > 1e-13; i++) {
		double m = (l + h) / 2;

		if (0.5 * erfc(-m / sqrt(2.0)) < p)
			l = m;
		else
			h = m;
	}
	return (l + h) / 2;
}

double nn_mean_abs_diff(const double *v, size_t n)
{
	double s = 0;

	if (n < 2)
		return 0;
	for (size_t i = 1; i < n; i++)
		s += fabs(v[i] - v[i - 1]);
	return s / (double)(n - 1);
}
