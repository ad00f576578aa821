// SPDX-License-Identifier: GPL-2.0-or-later
/* The journal's file format: what a reader trusts after a writer was cut
 * short, and the mode of the file.  In a temporary state dir, as any user. */
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

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"

struct fixture {
	char dir[64], path[128];
	struct nn_ctx *ctx;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct nn_error e = { 0 };

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nn-journal-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/journal", f->dir);
	if (nn_ctx_new(&f->ctx, &(struct nn_ctx_opts){ .state_dir = f->dir, .run_dir = f->dir,
						       .etc_dir = f->dir }, &e) < 0) {
		print_error("%s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];

	nn_ctx_free(f->ctx);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s/journal.new", f->dir);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void raw(const struct fixture *f, const char *s)
{
	int fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

static void made_ns(const struct fixture *f, const char *name, uint64_t cookie)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_journal_made(f->ctx, NN_OBJ_NETNS, "-", name, cookie, "lab:a", &e), 0);
}

/* The namespace records of the journal, "name=id ..." in file order. */
static void owned(const struct fixture *f, const char *want)
{
	struct nn_journal_entry *v;
	struct nn_error e = { 0 };
	char got[512] = "";
	size_t n, off = 0;

	assert_int_equal(nn_journal_owned(f->ctx, &v, &n, &e), 0);
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s=%llu", i ? " " : "",
					v[i].name, (unsigned long long)v[i].id);
	free(v);
	assert_string_equal(got, want);
}

/* A writer killed in the middle of a record: the next record is whole and
 * trusted, the cut one is not (its last number may be cut short). */
static void torn_record_is_not_trusted(void **state)
{
	struct fixture *f = *state;

	made_ns(f, "a", 8193);
	raw(f, "made netns - b 8193 lab:a 0");	/* all but the newline */
	made_ns(f, "c", 8194);
	owned(f, "a=8193 c=8194");
	raw(f, "made netns - d 81");		/* cut in a number */
	made_ns(f, "e", 8195);
	raw(f, "ma");
	made_ns(f, "g", 8196);
	owned(f, "a=8193 c=8194 e=8195 g=8196");
	raw(f, "made netns - h 8197 lab:a 0");	/* and nobody wrote after it */
	owned(f, "a=8193 c=8194 e=8195 g=8196");
}

static void foreign_lines_are_skipped(void **state)
{
	struct fixture *f = *state;

	raw(f, "made netns - a 1 lab:a 0 and more\n");
	raw(f, "made netns - b 2 lab:a 0\n");
	raw(f, "made netns - c x lab:a 0\n");
	raw(f, "made nothing - d 3 lab:a 0\n");
	raw(f, "\n");
	owned(f, "b=2");
}

static void rewrite_keeps_mode_and_empty_owner(void **state)
{
	struct fixture *f = *state;
	struct nn_journal_entry ent = { .kind = NN_OBJ_NETNS, .name = "x", .id = 9 };
	struct nn_error e = { 0 };
	mode_t old = umask(022);
	struct stat st;

	made_ns(f, "a", 1);
	assert_int_equal(nn_journal_rewrite(f->ctx, &ent, 1, &e), 0);
	umask(old);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	owned(f, "x=9");
	made_ns(f, "y", 10);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	owned(f, "x=9 y=10");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(torn_record_is_not_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_lines_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(rewrite_keeps_mode_and_empty_owner, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
