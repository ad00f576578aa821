/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_JUNIT_H
#define NETNSCTL_JUNIT_H

/*
 * JUnit XML, the test report CI systems display (Jenkins, GitLab, GitHub
 * actions' reporters): <testsuites> holding one <testsuite> of <testcase>s,
 * a failed case with <failure message=.. type=..>, one that could not run
 * with <error>.  tests/unit/junit.xsd is the schema it is checked against.
 * Text is escaped for XML 1.0; bytes XML cannot carry (control characters,
 * invalid UTF-8) are written as "\xHH".
 */

#include <stddef.h>
#include <stdio.h>

enum nn_junit_status { NN_JUNIT_PASS, NN_JUNIT_FAIL, NN_JUNIT_ERROR };

struct nn_junit_case {
	const char *name;
	const char *classname;
	double seconds;
	enum nn_junit_status status;
	const char *message;	/* FAIL, ERROR: one line */
	const char *type;	/* FAIL, ERROR: a word ("rtt") */
	const char *detail;	/* FAIL, ERROR: the element's text; may be NULL */
	const char *output;	/* <system-out>; may be NULL */
};

struct nn_junit_suite {
	const char *name;
	const char *timestamp;	/* "2026-12-07T10:00:00" (UTC, no zone); may be NULL */
	const char *hostname;	/* may be NULL */
	double seconds;
	const struct nn_junit_case *cases;
	size_t n_cases;
};

/* Write SUITE to F as a JUnit XML document.  0, or -EIO when F failed. */
int nn_junit_write(FILE *f, const struct nn_junit_suite *suite);

#endif
