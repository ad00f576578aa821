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
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

	nn_state_unlock();
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

	assert_int_equal(nn_journal_made(f->ctx, NN_OBJ_NETNS, "-", name, cookie, "lab:a", NULL, &e), 0);
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
	raw(f, "made netns - e +4 lab:a 0\n");
	raw(f, "made netns - f 5 lab:a 0 cookie=5 \n");
	raw(f, "made netnsnetnsnetnsnetns - g 6 lab:a 0\n");
	raw(f, "\n");
	raw(f, "made netns - h 7 lab:a 0 cookie=7\n");
	owned(f, "b=2 h=7");
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

/* The one entry of the journal (it must hold exactly one). */
static struct nn_journal_entry only(const struct fixture *f)
{
	struct nn_journal_entry *v, ent;
	struct nn_error e = { 0 };
	size_t n;

	assert_int_equal(nn_journal_owned(f->ctx, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	ent = v[0];
	free(v);
	return ent;
}

/* The one record of KIND there is. */
static struct nn_journal_entry only_kind(const struct fixture *f, enum nn_obj_kind kind)
{
	struct nn_journal_entry *v, ent = { 0 };
	struct nn_error e = { 0 };
	size_t n, found = 0;

	assert_int_equal(nn_journal_owned(f->ctx, &v, &n, &e), 0);
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == kind)
			ent = v[i], found++;
	free(v);
	assert_int_equal(found, 1);
	return ent;
}

/* Each kind's proof as written and read back; one of another kind's form,
 * or a field that is no proof, makes the record unreadable. */
static void proofs_round_trip(void **state)
{
	static const struct {
		enum nn_obj_kind kind;
		const char *text;
		uint64_t value;
		int ifindex;
	} cases[] = {
		{ NN_OBJ_NETNS, "cookie=8193", 8193, 0 },
		{ NN_OBJ_LINK, "mac=02:5e:00:11:fe:ff", 0x025e0011feffULL, 0 },
		{ NN_OBJ_QDISC, "qdisc=4a2b:@7", 0x4a2b0000ULL, 7 },
		{ NN_OBJ_ROUTE, "proto=110", 110, 0 },
		{ NN_OBJ_NAT, "nonce=00000000deadbeef", 0xdeadbeefULL, 0 },
	};
	struct nn_proof p;
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(nn_proof_parse(cases[i].text, cases[i].kind, &p), 0);
		assert_true(p.set);
		assert_true(p.value == cases[i].value);
		assert_int_equal(p.ifindex, cases[i].ifindex);
		assert_string_equal(nn_proof_format(buf, sizeof(buf), cases[i].kind, &p), cases[i].text);
		/* another kind's form */
		assert_int_equal(nn_proof_parse(cases[i].text, cases[(i + 1) % 5].kind, &p), -1);
		assert_false(p.set);
	}
	assert_int_equal(nn_proof_parse("-", NN_OBJ_LINK, &p), 0);
	assert_false(p.set);
	assert_string_equal(nn_proof_format(buf, sizeof(buf), NN_OBJ_LINK, &p), "-");
	assert_int_equal(nn_proof_parse("torn", NN_OBJ_NETNS, &p), -1);
	assert_int_equal(nn_proof_parse("cookie=0", NN_OBJ_NETNS, &p), -1);
	assert_int_equal(nn_proof_parse("cookie=12x", NN_OBJ_NETNS, &p), -1);
	assert_int_equal(nn_proof_parse("mac=02:5e:00:11:fe", NN_OBJ_LINK, &p), -1);
	assert_int_equal(nn_proof_parse("qdisc=0:@7", NN_OBJ_QDISC, &p), -1);
	assert_int_equal(nn_proof_parse("proto=256", NN_OBJ_ROUTE, &p), -1);
	/* digits only, within their width and 64 bits: no blank, sign or empty number */
	assert_int_equal(nn_proof_parse("cookie=18446744073709551616", NN_OBJ_NETNS, &p), -1);
	assert_int_equal(nn_proof_parse("cookie=18446744073709551615", NN_OBJ_NETNS, &p), 0);
	assert_int_equal(nn_proof_parse("cookie= 5", NN_OBJ_NETNS, &p), -1);
	assert_int_equal(nn_proof_parse("cookie=+5", NN_OBJ_NETNS, &p), -1);
	assert_int_equal(nn_proof_parse("qdisc=4a2b:@-7", NN_OBJ_QDISC, &p), -1);
	assert_int_equal(nn_proof_parse("qdisc=14a2b:@7", NN_OBJ_QDISC, &p), -1);
	assert_int_equal(nn_proof_parse("qdisc=4a2b:@2147483648", NN_OBJ_QDISC, &p), -1);
	assert_int_equal(nn_proof_parse("mac=02:5e:00:11:fe:fff", NN_OBJ_LINK, &p), -1);
	assert_int_equal(nn_proof_parse("nonce=", NN_OBJ_NAT, &p), -1);
	assert_int_equal(nn_proof_parse("nonce=00000000deadbeef0", NN_OBJ_NAT, &p), -1);

	/* issue #17: a redirect's cookie, its bytes in the order tc prints
	 * them; a clsact's link */
	{
		static const uint8_t bytes[8] = { 0xd8, 0x38, 0x4c, 0x65, 0x1b, 0xa9, 0xa2, 0x0d };
		uint64_t v;

		memcpy(&v, bytes, 8);
		assert_int_equal(nn_proof_parse("redirect=d8384c651ba9a20d", NN_OBJ_FILTER, &p), 0);
		assert_true(p.set && p.value == v);
		assert_string_equal(nn_proof_format(buf, sizeof(buf), NN_OBJ_FILTER, &p),
				    "redirect=d8384c651ba9a20d");
		assert_int_equal(nn_proof_parse("redirect=0000000000000000", NN_OBJ_FILTER, &p), -1);
		assert_int_equal(nn_proof_parse("redirect=d8384c651ba9a2", NN_OBJ_FILTER, &p), -1);
		assert_int_equal(nn_proof_parse("redirect=d8384c651ba9a20d0", NN_OBJ_FILTER, &p), -1);
		assert_int_equal(nn_proof_parse("cookie=8193", NN_OBJ_FILTER, &p), -1);
		assert_int_equal(nn_proof_parse("clsact@7", NN_OBJ_CLSACT, &p), 0);
		assert_true(p.set && p.value == 7 && p.ifindex == 7);
		assert_string_equal(nn_proof_format(buf, sizeof(buf), NN_OBJ_CLSACT, &p), "clsact@7");
		assert_int_equal(nn_proof_parse("clsact@0", NN_OBJ_CLSACT, &p), -1);
		assert_int_equal(nn_proof_parse("clsact@7x", NN_OBJ_CLSACT, &p), -1);
	}
}

/* Records of a journal from before proofs (seven fields) still read, as
 * records without proof. */
static void old_records_read_without_proof(void **state)
{
	struct fixture *f = *state;
	struct nn_journal_entry j;

	raw(f, "intent netns - a 0 lab:a 0\n");
	j = only(f);
	assert_true(j.pending);
	assert_false(j.intent.set);
	assert_true(j.id == 0);
	raw(f, "made netns - a 8193 lab:a 0\n");
	j = only(f);
	assert_false(j.pending);
	assert_true(j.id == 8193);
	assert_false(j.proof.set);
	raw(f, "made netns - a 8193 lab:a 0 mac=02:00:00:00:00:01\n");	/* another kind's proof */
	raw(f, "made netns - a 8193 lab:a 0 cookie=9 9\n");		/* nine fields */
	j = only(f);
	assert_false(j.proof.set);
}

/* An intent after a made record: both the made object and the one the
 * intent announces may be there until the next record; a retract leaves
 * the made one, a made record replaces it. */
static void intent_after_made_keeps_both(void **state)
{
	struct fixture *f = *state;
	struct nn_journal_entry j;

	raw(f, "made link . nn-x 7 lab:a 1 mac=02:00:00:00:00:01\n");
	raw(f, "intent link . nn-x 0 lab:b 1 mac=02:00:00:00:00:02\n");
	j = only(f);
	assert_true(j.id == 7 && j.proof.value == 0x020000000001ULL);
	assert_true(j.pending && j.intent.value == 0x020000000002ULL);
	assert_string_equal(j.owner, "lab:a");
	raw(f, "retract link . nn-x 0 - 1 -\n");
	j = only(f);
	assert_true(j.id == 7 && !j.pending);
	raw(f, "intent link . nn-x 0 lab:b 1 mac=02:00:00:00:00:03\n");
	raw(f, "made link . nn-x 9 lab:b 1 mac=02:00:00:00:00:03\n");
	j = only(f);
	assert_true(j.id == 9 && !j.pending && j.proof.value == 0x020000000003ULL);
	assert_string_equal(j.owner, "lab:b");
	/* a retract of an intent only: nothing is left */
	raw(f, "gone link . nn-x 0 - 1 -\n");
	raw(f, "intent link . nn-x 0 lab:b 1 mac=02:00:00:00:00:04\n");
	raw(f, "retract link . nn-x 0 - 1 -\n");
	owned(f, "");
}

/* A record voided in place: the records before it stand again, and the
 * file does not grow. */
static void void_restores_the_record_before(void **state)
{
	struct fixture *f = *state;
	struct nn_proof none = { 0 };
	struct nn_journal_entry j;
	struct nn_error e = { 0 };
	struct stat st;
	off_t at, size;

	assert_int_equal(nn_journal_append(f->ctx, NN_JOURNAL_MADE, NN_OBJ_SYSCTL, "-", "ipv4.ip_forward",
					   2, "lab:a", &none, NULL, &e), 0);
	raw(f, "made sysctl . ipv4.ip_forward 1 lab:");		/* cut short */
	assert_int_equal(nn_journal_append(f->ctx, NN_JOURNAL_MADE, NN_OBJ_SYSCTL, "-", "ipv4.ip_forward",
					   1, "lab:b", NULL, &at, &e), 0);
	j = only(f);
	assert_true(j.id == 1);
	assert_int_equal(stat(f->path, &st), 0);
	size = st.st_size;
	assert_int_equal(nn_journal_void(f->ctx, at, &e), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, size);
	j = only(f);
	assert_true(j.id == 2);
	assert_string_equal(j.owner, "lab:a");
	/* not a made record there (any more): refused, nothing written */
	assert_int_equal(nn_journal_void(f->ctx, at, &e), -ESTALE);
	assert_int_equal(nn_journal_void(f->ctx, at + 1, &e), -ESTALE);
}

/* The rewrite keeps a made record's proof and a pending intent. */
static void rewrite_keeps_proofs(void **state)
{
	struct fixture *f = *state;
	struct nn_journal_entry ent = { .kind = NN_OBJ_LINK, .name = "br-lab", .id = 5,
					.owner = "lab:a", .ns_cookie = 1 }, j;
	struct nn_error e = { 0 };

	ent.proof.set = true;
	ent.proof.value = 0x02aabbccddeeULL;
	ent.pending = true;
	ent.intent.set = true;
	ent.intent.value = 0x02aabbccddefULL;
	assert_int_equal(nn_journal_rewrite(f->ctx, &ent, 1, &e), 0);
	j = only(f);
	assert_true(j.id == 5 && j.proof.set && j.proof.value == 0x02aabbccddeeULL);
	assert_true(j.pending && j.intent.set && j.intent.value == 0x02aabbccddefULL);
}

/* A symlink at journal.new is replaced, never written through. */
static void rewrite_does_not_follow_symlinks(void **state)
{
	struct fixture *f = *state;
	char link[160], victim[160], buf[16] = "";
	struct nn_error e = { 0 };
	int fd;

	snprintf(victim, sizeof(victim), "%s/victim", f->dir);
	snprintf(link, sizeof(link), "%s/journal.new", f->dir);
	fd = open(victim, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious", 8), 8);
	close(fd);
	assert_int_equal(symlink(victim, link), 0);
	made_ns(f, "a", 1);
	assert_int_equal(nn_journal_rewrite(f->ctx, NULL, 0, &e), 0);
	fd = open(victim, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 8);
	close(fd);
	assert_string_equal(buf, "precious");
	owned(f, "");
	/* and the journal itself is not followed */
	unlink(f->path);
	assert_int_equal(symlink(victim, f->path), 0);
	assert_int_equal(nn_journal_made(f->ctx, NN_OBJ_NETNS, "-", "b", 2, "lab:a", NULL, &e), -ELOOP);
	unlink(f->path);
	unlink(victim);
}

/* How many of this process's descriptors are the journal. */
static int journal_fds(const struct fixture *f)
{
	char link[PATH_MAX], target[PATH_MAX];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(dir);
	while ((d = readdir(dir))) {
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%s", d->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = 0;
		n += !strcmp(target, f->path);
	}
	closedir(dir);
	return n;
}

/* Under the state lock the journal stays open between records (one write
 * a record), and the unlock closes it: the next holder may rewrite it. */
static void locked_journal_stays_open(void **state)
{
	struct fixture *f = *state;
	struct nn_error e = { 0 };

	made_ns(f, "a", 1);
	assert_int_equal(journal_fds(f), 0);
	assert_int_equal(nn_state_lock(f->ctx, &e), 0);
	made_ns(f, "b", 2);
	assert_int_equal(journal_fds(f), 1);
	made_ns(f, "c", 3);
	assert_int_equal(nn_journal_intent_unsynced(f->ctx, NN_OBJ_NETNS, "-", "d", "lab:a", NULL, &e), 0);
	assert_int_equal(nn_journal_intent(f->ctx, NN_OBJ_NETNS, "-", "e", "lab:a", NULL, &e), 0);
	assert_int_equal(journal_fds(f), 1);
	assert_int_equal(nn_journal_sync(f->ctx, &e), 0);
	owned(f, "a=1 b=2 c=3 d=0 e=0");
	nn_state_unlock();
	assert_int_equal(journal_fds(f), 0);
	assert_int_equal(nn_journal_sync(f->ctx, &e), 0);
}

/* A child forked without exec (the reverter) does not keep its parent's
 * open journal: where the file ends is the parent's to know; a record the
 * child appends opens it again. */
static void forked_child_opens_its_own(void **state)
{
	struct fixture *f = *state;
	struct nn_error e = { 0 };
	int status;
	pid_t pid;

	assert_int_equal(nn_state_lock(f->ctx, &e), 0);
	made_ns(f, "a", 1);
	assert_int_equal(journal_fds(f), 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (journal_fds(f) != 0)
			_exit(1);
		if (nn_journal_made(f->ctx, NN_OBJ_NETNS, "-", "b", 2, "lab:a", NULL, &e) < 0)
			_exit(2);
		_exit(journal_fds(f) == 1 ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	nn_state_unlock();
	owned(f, "a=1 b=2");
}

/* A rewrite renames a new file over the open one: the records after it go
 * to the new file, not to the old one only this process still holds. */
static void locked_rewrite_then_append(void **state)
{
	struct fixture *f = *state;
	struct nn_journal_entry ent = { .kind = NN_OBJ_NETNS, .name = "x", .id = 9 };
	struct nn_error e = { 0 };

	assert_int_equal(nn_state_lock(f->ctx, &e), 0);
	made_ns(f, "a", 1);
	assert_int_equal(nn_journal_rewrite(f->ctx, &ent, 1, &e), 0);
	made_ns(f, "y", 10);
	owned(f, "x=9 y=10");
}

/* What the journal held before this process took the lock (a record cut
 * short by a killed writer) is read when it is opened; afterwards the
 * process knows where it ends: AT is right for records appended later. */
static void locked_appends_after_a_torn_record(void **state)
{
	struct fixture *f = *state;
	struct nn_journal_entry j;
	struct nn_error e = { 0 };
	off_t at;

	made_ns(f, "a", 1);
	raw(f, "made netns - b 2 lab:a");		/* cut short */
	assert_int_equal(nn_state_lock(f->ctx, &e), 0);
	made_ns(f, "c", 3);
	made_ns(f, "d", 4);
	owned(f, "a=1 c=3 d=4");
	nn_state_unlock();
	raw(f, "made netns - e 5 lab:a 0");	/* another holder, killed */
	assert_int_equal(nn_state_lock(f->ctx, &e), 0);
	made_ns(f, "g", 7);
	owned(f, "a=1 c=3 d=4 g=7");
	assert_int_equal(nn_journal_rewrite(f->ctx, NULL, 0, &e), 0);
	assert_int_equal(nn_journal_append(f->ctx, NN_JOURNAL_MADE, NN_OBJ_SYSCTL, "-", "ipv4.ip_forward",
					   2, "lab:a", NULL, NULL, &e), 0);
	made_ns(f, "h", 8);
	assert_int_equal(nn_journal_append(f->ctx, NN_JOURNAL_MADE, NN_OBJ_SYSCTL, "-", "ipv4.ip_forward",
					   1, "lab:b", NULL, &at, &e), 0);
	made_ns(f, "i", 9);
	assert_int_equal(nn_journal_void(f->ctx, at, &e), 0);
	j = only_kind(f, NN_OBJ_SYSCTL);
	assert_true(j.id == 2);
	assert_string_equal(j.owner, "lab:a");
}

static size_t file_lines(const struct fixture *f)
{
	FILE *fp = fopen(f->path, "r");
	size_t n = 0;
	int c;

	assert_non_null(fp);
	while ((c = fgetc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

/* ROUNDS re-applies of n0..n99: an intent and a made record each. */
static void reapply(const struct fixture *f, int rounds, const struct nn_proof *pr)
{
	struct nn_error e = { 0 };
	char name[16];

	for (int k = 0; k < rounds; k++)
		for (int i = 0; i < 100; i++) {
			snprintf(name, sizeof(name), "n%d", i);
			assert_int_equal(nn_journal_intent(f->ctx, NN_OBJ_NETNS, "-", name, "lab:a",
							   pr, &e), 0);
			made_ns(f, name, (uint64_t)(1000 + i));
		}
}

/* How many objects the journal holds. */
static size_t owned_count(const struct fixture *f)
{
	struct nn_journal_entry *v;
	struct nn_error e = { 0 };
	size_t n;

	assert_int_equal(nn_journal_owned(f->ctx, &v, &n, &e), 0);
	free(v);
	return n;
}

/* Re-applies append an intent and a made record an object each time: under
 * the lock, a journal grown past twice what it holds (and 1024 records) is
 * rewritten to hold just that, and reads the same; short of it, untouched. */
static void compact_when_long(void **state)
{
	struct fixture *f = *state;
	struct nn_proof pr = { .set = true, .value = 77 };
	struct nn_journal_entry *v;
	struct nn_error e = { 0 };
	bool seen = false;
	size_t n;
	off_t at;

	assert_int_equal(nn_state_lock(f->ctx, &e), 0);
	reapply(f, 3, &pr);
	assert_int_equal(owned_count(f), 100);
	/* 600 records of 100 objects: short of 2 * 100 + 1024 */
	assert_int_equal(nn_journal_compact(f->ctx, &e), 0);
	assert_int_equal(file_lines(f), 600);
	reapply(f, 4, &pr);
	/* n5 gone, n6 with a new intent pending */
	assert_int_equal(nn_journal_gone(f->ctx, NN_OBJ_NETNS, "-", "n5", &e), 0);
	assert_int_equal(nn_journal_intent(f->ctx, NN_OBJ_NETNS, "-", "n6", "lab:a", &pr, &e), 0);
	assert_int_equal(file_lines(f), 1402);
	assert_int_equal(nn_journal_compact(f->ctx, &e), 0);
	assert_int_equal(file_lines(f), 100);	/* 99 made, n6's made and intent */
	assert_int_equal(nn_journal_owned(f->ctx, &v, &n, &e), 0);
	assert_int_equal(n, 99);
	for (size_t i = 0; i < n; i++) {
		assert_string_not_equal(v[i].name, "n5");
		if (!strcmp(v[i].name, "n6")) {
			seen = true;
			assert_true(v[i].pending);
			assert_true(v[i].id == 1006);
			assert_true(v[i].intent.value == pr.value);
		}
	}
	free(v);
	assert_true(seen);
	/* and appends go on into the new file */
	made_ns(f, "z", 7);
	assert_int_equal(file_lines(f), 101);
	/* Long again, but an offset into it was handed out: left as it is. */
	reapply(f, 7, &pr);
	assert_int_equal(nn_journal_append(f->ctx, NN_JOURNAL_MADE, NN_OBJ_SYSCTL, "-", "ipv4.ip_forward",
					   2, "lab:a", NULL, &at, &e), 0);
	assert_int_equal(nn_journal_compact(f->ctx, &e), 0);
	assert_int_equal(file_lines(f), 1502);
	/* until the lock is let go and taken again */
	nn_state_unlock();
	assert_int_equal(nn_state_lock(f->ctx, &e), 0);
	assert_int_equal(owned_count(f), 102);	/* n0..n99 (n5 made again), z, the sysctl */
	assert_int_equal(nn_journal_compact(f->ctx, &e), 0);
	assert_int_equal(file_lines(f), 102);	/* n6's intent was confirmed since */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(torn_record_is_not_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_lines_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(rewrite_keeps_mode_and_empty_owner, setup, teardown),
		cmocka_unit_test(proofs_round_trip),
		cmocka_unit_test_setup_teardown(old_records_read_without_proof, setup, teardown),
		cmocka_unit_test_setup_teardown(intent_after_made_keeps_both, setup, teardown),
		cmocka_unit_test_setup_teardown(void_restores_the_record_before, setup, teardown),
		cmocka_unit_test_setup_teardown(rewrite_keeps_proofs, setup, teardown),
		cmocka_unit_test_setup_teardown(locked_journal_stays_open, setup, teardown),
		cmocka_unit_test_setup_teardown(locked_rewrite_then_append, setup, teardown),
		cmocka_unit_test_setup_teardown(forked_child_opens_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(locked_appends_after_a_torn_record, setup, teardown),
		cmocka_unit_test_setup_teardown(rewrite_does_not_follow_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(compact_when_long, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
