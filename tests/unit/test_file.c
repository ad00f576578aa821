// SPDX-License-Identifier: GPL-2.0-or-later
/* Files written as root never through a symlink (file.h), as any user in a
 * temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "util/file.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nn-file-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *get(const char *name)
{
	static char buf[256];
	char p[256];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* A symlink at the name, or at the temporary name a killed process would
 * have used, is replaced: what it points to stays as it was. */
static void replace_never_follows(void **state)
{
	char p[256], tmp[64];
	struct nn_error e = { 0 };
	struct stat st;
	int fd;

	(void)state;
	put("victim", "precious");
	snprintf(p, sizeof(p), "%s/victim", dir);
	assert_int_equal(symlinkat(p, AT_FDCWD, strcat(strcpy((char[256]){ 0 }, dir), "/resolv.conf")), 0);
	snprintf(tmp, sizeof(tmp), "/.netnsctl-tmp.%d.new", (int)getpid());
	assert_int_equal(symlink(p, strcat(strcpy((char[256]){ 0 }, dir), tmp)), 0);
	fd = nn_dir_open(dir, 0, &e);
	assert_true(fd >= 0);
	umask(077);
	assert_int_equal(nn_file_replace_at(fd, dir, "resolv.conf", -1, "nameserver 1.2.3.4\n", 19, 0644,
					    true, &e), 0);
	close(fd);
	assert_string_equal(get("victim"), "precious");
	assert_string_equal(get("resolv.conf"), "nameserver 1.2.3.4\n");
	snprintf(p, sizeof(p), "%s/resolv.conf", dir);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);	/* the mode asked for, whatever the umask */
	snprintf(p, sizeof(p), "%s%s", dir, tmp);
	assert_int_equal(lstat(p, &st), -1);		/* no temporary file left */
}

static void dir_symlink_refused(void **state)
{
	char link[256];
	struct nn_error e = { 0 };

	(void)state;
	snprintf(link, sizeof(link), "%s/ns1", dir);
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(nn_dir_open(link, 0, &e), -ELOOP);
	assert_non_null(strstr(e.msg, "is a symlink"));
}

static void temp_names(void **state)
{
	(void)state;
	assert_true(nn_file_is_temp(".netnsctl-tmp.123.new"));
	assert_false(nn_file_is_temp(".netnsctl-tmp..new"));
	assert_false(nn_file_is_temp(".netnsctl-tmp.12a.new"));
	assert_false(nn_file_is_temp("resolv.conf"));
	assert_false(nn_file_is_temp("ns1"));
	/* no client name (they end in a digit) is one */
	assert_false(nn_file_is_temp(".netnsctl-tmp.123.new1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(replace_never_follows, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_symlink_refused, setup, teardown),
		cmocka_unit_test(temp_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
