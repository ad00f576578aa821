// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JUnit writer: its exact output for a suite of a passed, a failed and
 * an errored case, with text XML must escape or cannot carry at all.
 * `test_junit FILE` writes that suite to FILE instead: the CTest test
 * unit/junit-schema validates it with xmllint against tests/unit/junit.xsd,
 * the schema of what CI systems read.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/junit.h"

static const struct nn_junit_case cases[] = {
	{ .name = "a -> b", .classname = "netnsctl.verify.abc", .seconds = 2.25 },
	{ .name = "a -> c <\"never\">", .classname = "netnsctl.verify.abc", .seconds = 4,
	  .status = NN_JUNIT_FAIL, .type = "reach",
	  .message = "reach: measured 3 of 200 answered, expected no answer & none",
	  .detail = "reach: 3 of 200\nrtt: 1 ms \xc2\xb1 2", .output = "line\tone\nline two\n" },
	{ .name = "b -> \x01\xff" "c", .classname = "netnsctl.verify.abc", .seconds = 0,
	  .status = NN_JUNIT_ERROR, .type = "error", .message = "namespace \"b\" does not exist" },
};

static const struct nn_junit_suite suite = {
	.name = "abc", .timestamp = "2026-12-07T10:00:00", .hostname = "ci-1", .seconds = 6.5,
	.cases = cases, .n_cases = 3,
};

static const char expected[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<testsuites name=\"abc\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\" time=\"6.500\">\n"
	"  <testsuite name=\"abc\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\" time=\"6.500\""
	" timestamp=\"2026-12-07T10:00:00\" hostname=\"ci-1\">\n"
	"    <testcase name=\"a -&gt; b\" classname=\"netnsctl.verify.abc\" time=\"2.250\"/>\n"
	"    <testcase name=\"a -&gt; c &lt;&quot;never&quot;&gt;\" classname=\"netnsctl.verify.abc\" time=\"4.000\">\n"
	"      <failure message=\"reach: measured 3 of 200 answered, expected no answer &amp; none\""
	" type=\"reach\">reach: 3 of 200\nrtt: 1 ms \xc2\xb1 2</failure>\n"
	"      <system-out>line\tone\nline two\n</system-out>\n"
	"    </testcase>\n"
	"    <testcase name=\"b -&gt; \\x01\\xffc\" classname=\"netnsctl.verify.abc\" time=\"0.000\">\n"
	"      <error message=\"namespace &quot;b&quot; does not exist\" type=\"error\"></error>\n"
	"    </testcase>\n"
	"  </testsuite>\n"
	"</testsuites>\n";

static void test_exact(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(nn_junit_write(f, &suite), 0);
	fclose(f);
	if (strcmp(buf, expected))
		print_error("got:\n%s\n", buf);
	assert_string_equal(buf, expected);
	free(buf);
}

/* Attributes carry newlines and tabs as references, so they survive the
 * attribute-value normalisation of a reader. */
static void test_attribute_whitespace(void **state)
{
	const struct nn_junit_case c = { .name = "x", .classname = "y", .status = NN_JUNIT_FAIL,
					 .message = "one\ntwo\tthree\rfour", .type = "rtt" };
	const struct nn_junit_suite s = { .name = "s", .cases = &c, .n_cases = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(nn_junit_write(f, &s), 0);
	fclose(f);
	assert_non_null(strstr(buf, "message=\"one&#10;two&#9;three&#13;four\""));
	/* overlong and surrogate encodings are not UTF-8 */
	free(buf);
	buf = NULL;
	{
		const struct nn_junit_case d = { .name = "\xc0\xaf\xed\xa0\x80\xe2\x82", .classname = "y" };
		const struct nn_junit_suite t = { .name = "s", .cases = &d, .n_cases = 1 };

		f = open_memstream(&buf, &len);
		assert_int_equal(nn_junit_write(f, &t), 0);
		fclose(f);
		assert_non_null(strstr(buf, "name=\"\\xc0\\xaf\\xed\\xa0\\x80\\xe2\\x82\""));
	}
	free(buf);
	buf = NULL;
	/* U+FFFE and U+FFFF are UTF-8 but not XML characters; U+FFFD is both */
	{
		const struct nn_junit_case d = { .name = "\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd", .classname = "y" };
		const struct nn_junit_suite t = { .name = "s", .cases = &d, .n_cases = 1 };

		f = open_memstream(&buf, &len);
		assert_int_equal(nn_junit_write(f, &t), 0);
		fclose(f);
		assert_non_null(strstr(buf, "name=\"\\xef\\xbf\\xbe\\xef\\xbf\\xbf\xef\xbf\xbd\""));
	}
	free(buf);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_attribute_whitespace),
	};

	if (argc == 2) {
		FILE *f = fopen(argv[1], "w");

		if (!f || nn_junit_write(f, &suite) < 0 || fclose(f) != 0) {
			perror(argv[1]);
			return 1;
		}
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
