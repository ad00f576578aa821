/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_EXPECT_H
#define NETNSCTL_EXPECT_H

/*
 * Expectations: what a lab claims about a path ("A reaches B with 100 ms and
 * 1% loss, and never reaches C"), as a lab file's `expect:` list writes them
 * (docs/verify.md):
 *
 *	- {from: a, to: c, reach: false}
 *	- {from: a, to: b, rtt: 200ms±20ms, loss: 1%, rate: 10mbit±10%}
 *
 * A bound is a value in tc's units with an optional tolerance after "±" or
 * "+-": absolute in the value's unit ("200ms±20ms", "10mbit±1mbit"), or
 * relative with "%" ("10mbit±10%"; for a loss, "%" is percentage points:
 * "1%±0.5%" is 0.5% to 1.5%).  Without a tolerance a bound is a point that
 * verify widens as docs/verify.md says (the binomial band for a loss).
 * Pure: parsing only.
 */

#include <limits.h>
#include <stdbool.h>

#include "netnsctl/addr.h"
#include "netnsctl/error.h"

enum nn_bound_kind {
	NN_BOUND_TIME,		/* nanoseconds */
	NN_BOUND_LOSS,		/* a fraction, 0 to 1 */
	NN_BOUND_RATE,		/* bits per second */
};

struct nn_bound {
	bool set;
	bool has_tol;		/* "±" given: [lo, hi] is the range */
	double value;		/* in the kind's unit */
	double lo, hi;		/* value - tolerance, value + tolerance (clamped at 0, and 1 for a loss) */
	char text[64];		/* as written, for messages and reports */
};

/*
 * Parse S ("200ms±20ms", "200ms+-10%", "1%", "10mbit") as a bound of KIND.
 * -EINVAL naming WHAT and the value: 'invalid rtt "200xs±1ms": unknown unit "xs"'.
 */
int nn_bound_parse(const char *s, enum nn_bound_kind kind, const char *what, struct nn_bound *b,
		   struct nn_error *e);

enum nn_reach { NN_REACH_UNSAID = 0, NN_REACH_NO, NN_REACH_YES };

#define NN_EXPECT_NAME_MAX NAME_MAX

/* One expectation: from a node to a node (or an address), and what holds. */
struct nn_expect {
	char from[NN_EXPECT_NAME_MAX + 1];
	char to[NN_EXPECT_NAME_MAX + 1];	/* a node; "" when TO_ADDR is the target */
	bool to_is_addr;
	struct nn_prefix to_addr;	/* len is the full length */
	enum nn_reach reach;
	struct nn_bound rtt, loss, rate;
	unsigned int line, col;		/* where written (1-based); 0 when not from a file */
};

/* True when E gives none of rtt, loss and rate: verify derives them. */
bool nn_expect_unbounded(const struct nn_expect *x);

/* "a -> b" or "a -> 10.0.0.2" into BUF; returns BUF. */
const char *nn_expect_name(char *buf, size_t len, const struct nn_expect *x);

#endif
