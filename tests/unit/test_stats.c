// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stats.h against known values: R's quantile() (type 7) and binom.test(),
 * closed forms, and the binomial bands tests/kernel/fidelity.sh computes
 * with its own awk (docs/fidelity.md lists them).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netnsctl/stats.h"

#define near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void test_percentile(void **state)
{
	/* R: quantile(c(15, 20, 35, 40, 50), c(0.4, 0.5, 0.9)) = 29, 35, 46 */
	const double v[] = { 15, 20, 35, 40, 50 };
	/* R: quantile(1:4, c(.5, .9, .99)) = 2.5, 3.7, 3.97 */
	const double w[] = { 1, 2, 3, 4 };
	const double one[] = { 7 };

	(void)state;
	near(nn_percentile(v, 5, 40), 29, 1e-12);
	near(nn_percentile(v, 5, 50), 35, 1e-12);
	near(nn_percentile(v, 5, 90), 46, 1e-12);
	near(nn_percentile(v, 5, 0), 15, 0);
	near(nn_percentile(v, 5, 100), 50, 0);
	near(nn_percentile(w, 4, 50), 2.5, 1e-12);
	near(nn_percentile(w, 4, 90), 3.7, 1e-12);
	near(nn_percentile(w, 4, 99), 3.97, 1e-12);
	near(nn_percentile(one, 1, 99), 7, 0);
	near(nn_percentile(NULL, 0, 50), 0, 0);
}

static void test_binom_cdf(void **state)
{
	(void)state;
	/* P(X <= 2), X ~ Binomial(10, 1/2) = (1 + 10 + 45) / 1024 */
	near(nn_binom_cdf(2, 10, 0.5), 56.0 / 1024, 1e-15);
	/* P(X <= 0), Binomial(100, 0.01) = 0.99^100 */
	near(nn_binom_cdf(0, 100, 0.01), pow(0.99, 100), 1e-15);
	near(nn_binom_cdf(10, 10, 0.3), 1, 0);
	near(nn_binom_cdf(3, 10, 0), 1, 0);
	near(nn_binom_cdf(3, 10, 1), 0, 0);
	/* a million trials: the normal approximation, mean 10000, sd 99.5 */
	near(nn_binom_cdf(10000, 1000000, 0.01), 0.5 + 0.0020, 0.002);
}

static void test_binom_ci(void **state)
{
	double lo, hi;

	(void)state;
	/* R's ?binom.test example: binom.test(c(682, 243), p = 3/4):
	 * 95 percent confidence interval 0.7076683 0.7654066 */
	nn_binom_ci(682, 925, 0.95, &lo, &hi);
	near(lo, 0.7076683, 5e-8);
	near(hi, 0.7654066, 5e-8);
	/* none of 100: [0, 1 - 0.025^(1/100)] */
	nn_binom_ci(0, 100, 0.95, &lo, &hi);
	near(lo, 0, 0);
	near(hi, 1 - pow(0.025, 1.0 / 100), 1e-9);
	/* all of 50: [0.025^(1/50), 1] */
	nn_binom_ci(50, 50, 0.95, &lo, &hi);
	near(lo, pow(0.025, 1.0 / 50), 1e-9);
	near(hi, 1, 0);
	/* nothing tried: nothing known */
	nn_binom_ci(0, 0, 0.95, &lo, &hi);
	near(lo, 0, 0);
	near(hi, 1, 0);
	/* wider at a higher level, and it holds the estimate */
	{
		double lo99, hi99;

		nn_binom_ci(5, 200, 0.99, &lo99, &hi99);
		nn_binom_ci(5, 200, 0.95, &lo, &hi);
		assert_true(lo99 < lo && hi99 > hi && lo < 0.025 && hi > 0.025);
	}
}

static void test_binom_band(void **state)
{
	uint64_t lo, hi;

	(void)state;
	/* docs/fidelity.md, from fidelity.sh's binom_band at 99.9% */
	nn_binom_band(1000, 0.2, 0.2, 0.999, &lo, &hi);
	assert_int_equal(lo, 159);
	assert_int_equal(hi, 243);
	nn_binom_band(1000, 0.02, 0.02, 0.999, &lo, &hi);
	assert_int_equal(lo, 7);
	assert_int_equal(hi, 36);
	nn_binom_band(200, 0.271, 0.271, 0.999, &lo, &hi);
	assert_int_equal(lo, 34);
	assert_int_equal(hi, 76);
	/* no loss asked: none may be lost; all lost: all */
	nn_binom_band(200, 0, 0, 0.999, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 0);
	nn_binom_band(200, 1, 1, 0.999, &lo, &hi);
	assert_int_equal(lo, 200);
	assert_int_equal(hi, 200);
	/* a range of p: the low end from p_lo, the high end from p_hi */
	nn_binom_band(1000, 0.02, 0.2, 0.999, &lo, &hi);
	assert_int_equal(lo, 7);
	assert_int_equal(hi, 243);
	/* the band's definition, checked with the cdf itself */
	nn_binom_band(300, 0.05, 0.05, 0.95, &lo, &hi);
	assert_true(nn_binom_cdf(lo - 1, 300, 0.05) <= 0.025 && nn_binom_cdf(lo, 300, 0.05) > 0.025);
	assert_true(1 - nn_binom_cdf(hi, 300, 0.05) <= 0.025 &&
		    1 - nn_binom_cdf(hi - 1, 300, 0.05) > 0.025);
}

static void test_normal_quantile(void **state)
{
	(void)state;
	near(nn_normal_quantile(0.975), 1.959963985, 1e-8);
	near(nn_normal_quantile(0.9995), 3.290526731, 1e-8);
	near(nn_normal_quantile(0.5), 0, 1e-12);
	near(nn_normal_quantile(0.025), -1.959963985, 1e-8);
}

static void test_jitter(void **state)
{
	const double v[] = { 10, 12, 11, 15 };	/* |2| + |1| + |4| over 3 */

	(void)state;
	near(nn_mean_abs_diff(v, 4), 7.0 / 3, 1e-12);
	near(nn_mean_abs_diff(v, 1), 0, 0);
	near(nn_mean_abs_diff(v, 0), 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_binom_cdf),
		cmocka_unit_test(test_binom_ci),
		cmocka_unit_test(test_binom_band),
		cmocka_unit_test(test_normal_quantile),
		cmocka_unit_test(test_jitter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
