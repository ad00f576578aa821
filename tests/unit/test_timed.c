// SPDX-License-Identifier: GPL-2.0-or-later
/* Timed changes without a kernel: the deadline journal's records, the pass
 * at a made-up time (what is due is reverted, the rest waits), and the
 * reverter as a detached process that outlives a maker killed with SIGKILL.
 * In a temporary state dir, as any user. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/timed.h"

#define S 1000000000ULL

static char dir[64];
static struct nn_ctx *ctx;

static int setup(void **state)
{
	struct nn_error e = { 0 };

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nn-timed-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return nn_ctx_new(&ctx, &(struct nn_ctx_opts){ .state_dir = dir, .run_dir = dir, .etc_dir = dir }, &e);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	nn_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct nn_timed link_rec(uint64_t id, uint64_t deadline, const char *ns, const char *name)
{
	struct nn_timed t = { .id = id, .deadline_ns = deadline, .deadline_wall = 1765000000,
			      .kind = NN_TIMED_LINK, .ns_cookie = 4097, .ifindex = 7,
			      .before_up = true, .during_up = false };

	snprintf(t.ns, sizeof(t.ns), "%s", ns);
	snprintf(t.name, sizeof(t.name), "%s", name);
	return t;
}

static void round_trip(const struct nn_timed *t, const char *want)
{
	char line[NN_TIMED_LINE_MAX];
	struct nn_timed back;

	assert_int_equal(nn_timed_format(t, line, sizeof(line)), 0);
	if (want)
		assert_string_equal(line, want);
	assert_int_equal(nn_timed_parse(line, &back), 0);
	assert_memory_equal(&back, t, sizeof(back));
}

static void test_records(void **state)
{
	struct nn_timed t = link_rec(0x1234, 5 * S, "a", "to-b");
	struct nn_timed q = { .id = 0xfeedULL << 48, .deadline_ns = 1, .deadline_wall = -1,
			      .kind = NN_TIMED_QDISC, .ns = "", .name = "up-a", .ns_cookie = 1, .ifindex = 3 };
	struct nn_timed p = { .id = 9, .deadline_ns = UINT64_MAX, .kind = NN_TIMED_PARTITION,
			      .ns = "b 1%", .name = "p0123456789abcdef", .ns_cookie = 77, .nonce = 0xabc };

	(void)state;
	round_trip(&t, "timed 0000000000001234 5000000000 1765000000 link a to-b 4097 7 up down\n");
	/* a qdisc put back to none, and netem or tbf with every field */
	q.before_q.kind = NN_QDISC_OTHER;
	q.during_q = (struct nn_timed_qdisc){ .kind = NN_QDISC_NETEM, .handle = 0x10000,
		.netem = { .delay_ns = 10000000, .jitter_ns = 1000, .delay_corr = 1, .loss = 2, .loss_corr = 3,
			   .duplicate = 4, .duplicate_corr = 5, .reorder = 6, .reorder_corr = 7, .corrupt = 8,
			   .corrupt_corr = 9, .gap = 10, .limit = 11, .rate = 12, .dist = NN_DIST_PARETONORMAL } };
	round_trip(&q, "timed feed000000000000 1 -1 qdisc . up-a 1 3 none netem/1/delay=10000000,jitter=1000,"
		       "corr=1,loss=2,loss_corr=3,dup=4,dup_corr=5,reorder=6,reorder_corr=7,corrupt=8,"
		       "corrupt_corr=9,gap=10,limit=11,rate=12,dist=3\n");
	q.before_q = (struct nn_timed_qdisc){ .kind = NN_QDISC_TBF, .handle = 0x7fff0000,
		.tbf = { .rate = 125000, .burst = 3028, .limit = 9278, .latency_ns = 50000000 } };
	round_trip(&q, NULL);
	/* names as the journal writes them: blanks and % as %XX */
	/* a held change (NN_TIMED_NEVER): no deadline, "-" for both times */
	round_trip(&p, "timed 0000000000000009 - - partition b%201%25 p0123456789abcdef 77 0 "
		       "- nonce=0000000000000abc\n");
}

static void test_bad_records(void **state)
{
	static const char *const bad[] = {
		"",
		"timed 0000000000001234 5000000000 1765000000 link a to-b 4097 7 up\n",		/* short */
		"timed 0000000000001234 5000000000 1765000000 link a to-b 4097 7 up down x\n",	/* long */
		"timed 0000000000000000 5 1 link a to-b 4097 7 up down\n",			/* id 0 */
		"timed 0000000000001234 5 1 route a to-b 4097 7 up down\n",			/* kind */
		"timed 0000000000001234 5 1 link a to-b 4097 0 up down\n",			/* ifindex 0 */
		"timed 0000000000001234 5 1 link a to-b 4097 7 up sideways\n",
		"timed 0000000000001234 5 1 link a%2 to-b 4097 7 up down\n",			/* encoding */
		"timed 0000000000001234 5 1 qdisc a to-b 4097 7 none netem/0/delay=1,jitter=0,corr=0,loss=0,"
		"loss_corr=0,dup=0,dup_corr=0,reorder=0,reorder_corr=0,corrupt=0,corrupt_corr=0,gap=0,limit=0,"
		"rate=0,dist=0\n",								/* handle 0 */
		"timed 0000000000001234 5 1 qdisc a to-b 4097 7 none netem/1/delay=1,jitter=0,corr=0,loss=0,"
		"loss_corr=0,dup=0,dup_corr=0,reorder=0,reorder_corr=0,corrupt=0,corrupt_corr=0,gap=0,limit=0,"
		"rate=0,dist=9\n",								/* dist */
		"timed 0000000000001234 5 1 qdisc a to-b 4097 7 none tbf/1/rate=1,burst=2,limit=3\n",
		"timed 0000000000001234 5 1 partition a p1 4097 3 - nonce=5\n",			/* ifindex */
		"timed 0000000000001234 5 1 partition a p1 4097 0 - nonce=0\n",			/* nonce 0 */
		"timed 0000000000001234 5 1 partition a p1 4097 0 up nonce=5\n",
		"timed 0000000000001234 - 1 link a to-b 4097 7 up down\n",			/* half held */
		"timed 0000000000001234 5 - link a to-b 4097 7 up down\n",
		"timed 0000000000001234 -5 1 link a to-b 4097 7 up down\n",
		"timed 0000000000001234 18446744073709551615 1 link a to-b 4097 7 up down\n",	/* never, as a number */
	};
	struct nn_timed t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (nn_timed_parse(bad[i], &t) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
}

static void test_store(void **state)
{
	struct nn_timed v[3] = { link_rec(1, 30 * S, "a", "x"), link_rec(2, 10 * S, "b", "y"),
				 link_rec(2, 20 * S, "c", "z") };
	struct nn_timed *got;
	struct nn_error e = { 0 };
	char path[128];
	struct stat st;
	size_t n, bad;

	(void)state;
	assert_int_equal(nn_timed_load(ctx, &got, &n, &bad, &e), 0);
	assert_int_equal(n, 0);
	free(got);
	assert_int_equal(nn_timed_next(v, 0), UINT64_MAX);
	assert_int_equal(nn_timed_next(v, 3), 10 * S);
	assert_int_equal(nn_timed_arm(ctx, v, 1, &e), 0);
	assert_int_equal(nn_timed_arm(ctx, v + 1, 2, &e), 0);
	snprintf(path, sizeof(path), "%s/timed/deadlines", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(nn_timed_load(ctx, &got, &n, &bad, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(bad, 0);
	assert_memory_equal(got, v, sizeof(v));
	free(got);
	/* one change's records go together */
	assert_int_equal(nn_timed_disarm(ctx, 2, &e), 2);
	assert_int_equal(nn_timed_disarm(ctx, 2, &e), 0);
	assert_int_equal(nn_timed_load(ctx, &got, &n, &bad, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].id, 1);
	free(got);
	/* the last one gone: no file */
	assert_int_equal(nn_timed_disarm(ctx, 1, &e), 1);
	assert_int_equal(stat(path, &st), -1);
}

/* --- a pass at a made-up time --- */

struct fake {
	char reverted[8][32];
	size_t n;
	int fail_with;		/* for a record named "bad" */
	char log[4][NN_ERROR_MAX + 200];
	size_t nlog;
};

static int fake_revert(struct nn_ctx *c, const struct nn_timed *t, void *arg, struct nn_error *e)
{
	struct fake *f = arg;

	(void)c;
	if (!strcmp(t->name, "bad"))
		return nn_error_setx(e, f->fail_with, "no way");
	snprintf(f->reverted[f->n++], sizeof(f->reverted[0]), "%s", t->name);
	return !strcmp(t->name, "gone") ? 0 : 1;
}

static void fake_log(const char *msg, void *arg)
{
	struct fake *f = arg;

	if (f->nlog < 4)
		snprintf(f->log[f->nlog++], sizeof(f->log[0]), "%s", msg);
}

static void test_pass(void **state)
{
	struct nn_timed v[5] = { link_rec(1, 10 * S, "a", "x"), link_rec(2, 20 * S, "a", "gone"),
				 link_rec(3, 30 * S, "a", "y"), link_rec(4, 40 * S, "a", "z"),
				 link_rec(5, NN_TIMED_NEVER, "a", "held") };
	struct fake f = { .n = 0 };
	struct nn_error e = { 0 };
	struct nn_timed *got;
	uint64_t next;
	size_t reverted, n;
	char path[128];
	FILE *fp;

	(void)state;
	assert_int_equal(nn_timed_arm(ctx, v, 5, &e), 0);
	/* before the first deadline: nothing */
	assert_int_equal(nn_timed_pass(ctx, 10 * S - 1, false, fake_revert, fake_log, &f, &next, &reverted, &e), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(next, 10 * S);
	/* at 20 s: the first two (one of them no longer to put back) */
	assert_int_equal(nn_timed_pass(ctx, 20 * S, false, fake_revert, fake_log, &f, &next, &reverted, &e), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.reverted[0], "x");
	assert_string_equal(f.reverted[1], "gone");
	assert_int_equal(reverted, 1);
	assert_int_equal(next, 30 * S);
	assert_int_equal(nn_timed_load(ctx, &got, &n, NULL, &e), 0);
	assert_int_equal(n, 3);
	free(got);
	/* a held change is never due, and is no deadline */
	assert_int_equal(nn_timed_pass(ctx, NN_TIMED_NEVER - 1, false, fake_revert, fake_log, &f, &next, &reverted, &e), 0);
	assert_int_equal(f.n, 4);
	assert_int_equal(next, UINT64_MAX);
	/* a line that does not read is dropped, and said */
	snprintf(path, sizeof(path), "%s/timed/deadlines", dir);
	assert_non_null(fp = fopen(path, "a"));
	fputs("timed garbage\n", fp);
	fclose(fp);
	/* cleanup: everything, due or not */
	assert_int_equal(nn_timed_pass(ctx, 0, true, fake_revert, fake_log, &f, &next, &reverted, &e), 0);
	assert_int_equal(f.n, 5);
	assert_int_equal(reverted, 1);
	assert_int_equal(next, UINT64_MAX);
	assert_int_equal(f.nlog, 1);
	assert_string_equal(f.log[0], "1 unreadable record in the deadline journal dropped");
	assert_int_equal(nn_timed_load(ctx, &got, &n, NULL, &e), 0);
	assert_int_equal(n, 0);
	free(got);
}

static void test_pass_failures(void **state)
{
	struct nn_timed v[2] = { link_rec(0xa, 1 * S, "a", "bad"), link_rec(0xb, 2 * S, "", "bad") };
	struct fake f = { .fail_with = EBUSY };
	struct nn_error e = { 0 };
	struct nn_timed *got;
	uint64_t next;
	size_t n;

	(void)state;
	assert_int_equal(nn_timed_arm(ctx, v, 2, &e), 0);
	/* an error that may pass: kept for the next pass, said each time */
	assert_int_equal(nn_timed_pass(ctx, 5 * S, false, fake_revert, fake_log, &f, &next, NULL, &e), 0);
	assert_int_equal(next, 1 * S);
	assert_int_equal(f.nlog, 2);
	assert_string_equal(f.log[0], "cannot put back link bad in a (change 000000000000000a): no way (tried again)");
	assert_string_equal(f.log[1], "cannot put back link bad in the host (change 000000000000000b): no way (tried again)");
	/* one that will not: dropped */
	f.fail_with = EPERM;
	assert_int_equal(nn_timed_pass(ctx, 5 * S, false, fake_revert, fake_log, &f, &next, NULL, &e), 0);
	assert_int_equal(next, UINT64_MAX);
	assert_string_equal(f.log[2], "cannot put back link bad in a (change 000000000000000a): no way");
	assert_int_equal(nn_timed_load(ctx, &got, &n, NULL, &e), 0);
	assert_int_equal(n, 0);
	free(got);
}

static void test_json(void **state)
{
	struct nn_timed v[3] = { link_rec(1, 10 * S, "a\"1", "to-b"), link_rec(2, 3 * S, "", "p1"),
				 link_rec(3, NN_TIMED_NEVER, "c", "x") };
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	v[1].kind = NN_TIMED_PARTITION;
	v[1].ifindex = 0;
	v[1].nonce = 0xff;
	v[1].deadline_wall = 0;
	f = open_memstream(&out, &len);
	nn_timed_json(f, v, 3, 4 * S);
	fclose(f);
	assert_string_equal(out,
		"[{\"id\":\"0000000000000001\",\"kind\":\"link\",\"ns\":\"a\\\"1\",\"name\":\"to-b\","
		"\"deadline\":\"2025-12-06T05:46:40Z\",\"deadline_s\":1765000000,\"in_ms\":6000,"
		"\"before\":\"up\",\"during\":\"down\"},"
		"{\"id\":\"0000000000000002\",\"kind\":\"partition\",\"ns\":\"\",\"name\":\"p1\","
		"\"deadline\":\"1970-01-01T00:00:00Z\",\"deadline_s\":0,\"in_ms\":0,"
		"\"before\":\"-\",\"during\":\"nonce=00000000000000ff\"},"
		"{\"id\":\"0000000000000003\",\"kind\":\"link\",\"ns\":\"c\",\"name\":\"x\","
		"\"deadline\":null,\"deadline_s\":null,\"in_ms\":null,\"before\":\"up\",\"during\":\"down\"}]");
	free(out);
}

/* --- the process --- */

/* What the reverter of the test does for a record: note it, with the time. */
static int note_revert(struct nn_ctx *c, const struct nn_timed *t, void *arg, struct nn_error *e)
{
	char path[PATH_MAX];
	FILE *f;

	(void)arg;
	snprintf(path, sizeof(path), "%s/reverted", nn_ctx_state_dir(c));
	if (!(f = fopen(path, "a")))
		return nn_error_set(e, errno, "cannot write \"%s\"", path);
	fprintf(f, "%s %s %d\n", t->name, nn_timed_now() >= t->deadline_ns ? "on-time" : "EARLY",
		(int)getsid(0));
	fclose(f);
	return 1;
}

static int run_reverter(void)
{
	struct nn_ctx *c;
	struct nn_error e = { 0 };
	int ret;

	if (nn_ctx_new(&c, NULL, &e) < 0)
		return -1;
	ret = nn_reverter_run(c, note_revert, NULL, NULL, &e);
	if (ret < 0)
		fprintf(stderr, "reverter: %s\n", e.msg);
	nn_ctx_free(c);
	return ret;
}

static bool read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return true;
}

/* The maker arms a change and starts the reverter, then is killed with
 * SIGKILL: the reverter puts the change back at its deadline, not before,
 * and leaves once nothing is left. */
static void test_reverter_outlives_maker(void **state)
{
	char path[PATH_MAX], text[256] = "";
	int pipefd[2], status;
	pid_t maker, rev = 0;
	struct nn_error e = { 0 };
	char c;

	(void)state;
	assert_int_equal(nn_reverter_pid(ctx), 0);
	assert_int_equal(pipe(pipefd), 0);
	maker = fork();
	assert_true(maker >= 0);
	if (maker == 0) {
		struct nn_timed t = link_rec(nn_timed_new_id(), nn_timed_now() + 300000000ULL, "a", "flap");

		close(pipefd[0]);
		int r = -1;

		if (nn_state_lock(ctx, &e) < 0 || nn_timed_arm(ctx, &t, 1, &e) < 0 ||
		    (r = nn_reverter_ensure(ctx, NULL, run_reverter, &e)) != 1) {
			char log[PATH_MAX], text[1024] = "";

			snprintf(log, sizeof(log), "%s/timed/reverter.log", dir);
			read_file(log, text, sizeof(text));
			fprintf(stderr, "maker: %d %s (reverter.log: %s)\n", r, e.msg, text);
			_exit(1);
		}
		/* ... the change itself would go here; the maker dies instead */
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	rev = nn_reverter_pid(ctx);
	assert_true(rev > 0);
	assert_true(rev != maker);
	assert_int_equal(kill(maker, SIGKILL), 0);
	assert_int_equal(waitpid(maker, &status, 0), maker);
	assert_true(WIFSIGNALED(status));
	/* a second ensure finds it running */
	assert_int_equal(nn_reverter_ensure(ctx, NULL, run_reverter, &e), 0);
	snprintf(path, sizeof(path), "%s/reverted", dir);
	for (int i = 0; i < 1000 && !read_file(path, text, sizeof(text)); i++)
		usleep(10000);
	assert_true(text[0]);
	/* on time, in a session of its own (not the test's) */
	assert_int_equal(strncmp(text, "flap on-time ", 13), 0);
	assert_int_not_equal(atoi(text + 13), (int)getsid(0));
	for (int i = 0; i < 500 && nn_reverter_pid(ctx) != 0; i++)
		usleep(10000);
	assert_int_equal(nn_reverter_pid(ctx), 0);
	snprintf(path, sizeof(path), "%s/timed/deadlines", dir);
	assert_int_equal(access(path, F_OK), -1);
	/* nothing to revert: nothing started */
	assert_int_equal(nn_reverter_ensure(ctx, NULL, run_reverter, &e), 0);
	assert_int_equal(nn_reverter_pid(ctx), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_pass_failures),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_reverter_outlives_maker),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
