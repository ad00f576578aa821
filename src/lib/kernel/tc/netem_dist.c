// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <linux/pkt_sched.h>

#include "kernel/tc/netem_dist.h"

/*
 * The tables iproute2 ships (normal, pareto, paretonormal .dist, from the
 * NIST Net generators) sample the inverse CDF at probabilities (4k + 0.5) /
 * 16384 for the normal part and (65536 - 16k) / 65536 for the Pareto part,
 * k = 0..4095.  The normal generator found its quantiles by sweeping x over
 * [-10, 10] in steps of 0.00005 and keeping the last x below each point, so
 * we round our exact quantile down to that grid too: the tables then match
 * the shipped files entry for entry, and netem behaves as with tc.
 */

#define FINE_STEPS (NN_NETEM_DIST_SIZE * 4)
#define SWEEP_START -10.0
#define SWEEP_STEP 0.00005
#define PARETO_ALPHA 3.0

static double normal_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/* Inverse of normal_cdf by safeguarded Newton steps from GUESS. */
static double normal_quantile(double p, double guess)
{
	double lo = -12.0, hi = 12.0, x = guess;
	int i;

	for (i = 0; i < 200; i++) {
		double f = normal_cdf(x) - p;
		double pdf = exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
		double next;

		if (f < 0)
			lo = x;
		else
			hi = x;
		next = pdf > 0 ? x - f / pdf : (lo + hi) / 2;
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2;
		if (fabs(next - x) < 1e-13)
			return next;
		x = next;
	}
	return x;
}

static int16_t clamp_s16(long v)
{
	if (v < SHRT_MIN)
		return SHRT_MIN;
	if (v > SHRT_MAX)
		return SHRT_MAX;
	return (int16_t)v;
}

/* Unclamped, as paretonormal mixes before clamping. */
static void normal_values(long out[NN_NETEM_DIST_SIZE])
{
	double x = -4.0, swept;
	int k;

	for (k = 0; k < NN_NETEM_DIST_SIZE; k++) {
		x = normal_quantile((4.0 * k + 0.5) / FINE_STEPS, x);
		swept = floor((x - SWEEP_START) / SWEEP_STEP) * SWEEP_STEP + SWEEP_START;
		out[k] = lrint(swept * NETEM_DIST_SCALE);
	}
}

/*
 * Pareto with shape 3 and scale 1 (mean 1.5), shifted to mean 0 and scaled
 * by 4/3 as NIST Net did; the long tail is cut at 32767.
 */
static long pareto_value(int k)
{
	double u = (double)(65536 - 16 * k) / 65536.0;
	double v = (pow(u, -1.0 / PARETO_ALPHA) - 1.5) * (4.0 / 3.0) * NETEM_DIST_SCALE;

	if (v > SHRT_MAX)
		v = SHRT_MAX;
	return lrint(v);
}

/* A few ms of libm work: done once per process, for every thread. */
static int16_t tables[NN_DIST_PARETONORMAL + 1][NN_NETEM_DIST_SIZE];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
	long normal[NN_NETEM_DIST_SIZE];
	int k;

	normal_values(normal);
	for (k = 0; k < NN_NETEM_DIST_SIZE; k++) {
		/* Midpoints of 4096 equal slices of [-8192, 8192). */
		tables[NN_DIST_NONE][k] = (int16_t)(-NETEM_DIST_SCALE + 4 * k + 2);
		tables[NN_DIST_NORMAL][k] = clamp_s16(normal[k]);
		tables[NN_DIST_PARETO][k] = clamp_s16(pareto_value(k));
		/* 1/4 normal + 3/4 pareto; the division truncates as the original's did. */
		tables[NN_DIST_PARETONORMAL][k] = clamp_s16((normal[k] + 3 * pareto_value(k)) / 4);
	}
}

int nn_netem_dist_table(enum nn_netem_dist dist, int16_t table[NN_NETEM_DIST_SIZE])
{
	if ((unsigned int)dist > NN_DIST_PARETONORMAL)
		return -EINVAL;
	pthread_once(&tables_once, build_tables);
	memcpy(table, tables[dist], sizeof(tables[dist]));
	return 0;
}
