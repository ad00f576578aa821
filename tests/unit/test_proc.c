// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "netnsctl/proc.h"

/* A real line (kernel 6.18), its comm made as hostile as comm may be. */
#define STAT_TAIL " S 1 49 49 0 -1 4194560 542 129 0 0 1 0 0 0 20 0 1 0 17433 4464640 751 " \
		  "18446744073709551615 94871939235840 94871940025245 0 0 0 2 4 65536 1 0 0 17 1 0 0\n"

static void parse_stat_fields(void **state)
{
	char st = 0;
	uint64_t start = 0;

	(void)state;
	assert_int_equal(nn_proc_parse_stat("49 (bash)" STAT_TAIL, &st, &start), 0);
	assert_int_equal(st, 'S');
	/* field 22, not field 21 (itrealvalue, always 0) */
	assert_int_equal(start, 17433);
	assert_int_equal(nn_proc_parse_stat("49 (a) b) (c d)" STAT_TAIL, &st, &start), 0);
	assert_int_equal(start, 17433);
	assert_int_equal(nn_proc_parse_stat("7 (x) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99",
					    &st, &start), 0);
	assert_int_equal(st, 'Z');
	assert_int_equal(start, 99);
}

static void parse_stat_bad(void **state)
{
	char st;
	uint64_t start;

	(void)state;
	assert_int_equal(nn_proc_parse_stat("", &st, &start), -EINVAL);
	assert_int_equal(nn_proc_parse_stat("49 (bash", &st, &start), -EINVAL);
	assert_int_equal(nn_proc_parse_stat("49 (bash)", &st, &start), -EINVAL);
	assert_int_equal(nn_proc_parse_stat("49 (bash) S", &st, &start), -EINVAL);
	/* cut before field 22 */
	assert_int_equal(nn_proc_parse_stat("7 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
					    &st, &start), -EINVAL);
	assert_int_equal(nn_proc_parse_stat("7 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 x",
					    &st, &start), -EINVAL);
}

/* A child of ours: alive with its own start time, not with another. */
static void alive_checks_start_time(void **state)
{
	struct nn_proc p = { 0 };
	char buf[1024], path[64], st;
	ssize_t n;
	FILE *f;

	(void)state;
	p.pid = fork();
	assert_true(p.pid >= 0);
	if (p.pid == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)p.pid);
	assert_non_null(f = fopen(path, "re"));
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(nn_proc_parse_stat(buf, &st, &p.start_time), 0);
	/* a process started after boot: 0 would be the wrong field */
	assert_true(p.start_time > 0);
	assert_true(nn_proc_alive(&p));
	p.start_time++;
	assert_false(nn_proc_alive(&p));	/* the pid, reused by a stranger */
	p.start_time = 0;
	/* a record of an older netnsctl (start time not known): the pid counts */
	assert_true(nn_proc_alive(&p));
	assert_int_equal(nn_proc_parse_stat(buf, &st, &p.start_time), 0);
	kill(p.pid, SIGKILL);
	waitpid(p.pid, NULL, 0);
	assert_false(nn_proc_alive(&p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_stat_fields),
		cmocka_unit_test(parse_stat_bad),
		cmocka_unit_test(alive_checks_start_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
