// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/word.h"

#define JOURNAL_NAME "journal"

/* One lock per process: a context's lifetime is a command's lifetime. */
static int lock_fd = -1;

/*
 * While this process holds the lock, the journal stays open for appends
 * (one write a record, no open, mkdir or close) and its end is known: no
 * other process writes it meanwhile.  Records that announce nothing ("made",
 * "gone", "retract") are not synced on their own; DIRTY says one is
 * waiting, and the next synced record, nn_journal_sync(), the unlock or the
 * exit syncs it.  Unsynced, such a record is lost only with the machine
 * (a killed process's writes are the kernel's already), and with it every
 * object netnsctl made; the intent before it still proves the object's.
 */
static struct {
	int fd;			/* -1: not open */
	char *dir;		/* the state dir it is in */
	off_t end;		/* where the next record starts */
	bool tail_nl;		/* the file ends with a whole record */
	bool dirty;		/* written since the last fdatasync */
	pid_t pid;		/* the process that opened it */
} jf = { .fd = -1 };

/*
 * What the last read of the journal found (nn_journal_owned()) and what
 * this process appended since: nn_journal_compact() rewrites the journal
 * when it is much longer than what it holds.  Every re-apply appends two
 * records a changed object and a timeline's every event reads them all.
 */
static struct {
	bool known;
	size_t lines;		/* records read, whole or not */
	size_t live;		/* objects they hold */
	size_t appended;
	bool offsets_out;	/* a record's offset was handed out: a rewrite
				 * would make it point elsewhere */
} jlen;

/* Longer than this many records beyond twice what it holds: compacted. */
#define COMPACT_SLACK 1024

static void journal_close(void)
{
	if (jf.fd >= 0) {
		if (jf.dirty)
			fdatasync(jf.fd);
		close(jf.fd);
	}
	jf.fd = -1;
	jf.dirty = false;
	free(jf.dir);
	jf.dir = NULL;
}

static void journal_at_exit(void)
{
	if (jf.fd >= 0 && jf.dirty && jf.pid == getpid())
		fdatasync(jf.fd);
}

/* A child forked without exec (the reverter) that appends opens the
 * journal again: where the file ends is its parent's to know. */
static void journal_in_child(void)
{
	if (jf.fd >= 0)
		close(jf.fd);
	jf.fd = -1;
	jf.dirty = false;
	free(jf.dir);
	jf.dir = NULL;
}

static const char *const kind_names[] = {
	[NN_OBJ_NETNS] = "netns",
	[NN_OBJ_LINK] = "link",
	[NN_OBJ_QDISC] = "qdisc",
	[NN_OBJ_ROUTE] = "route",
	[NN_OBJ_NAT] = "nat",
	[NN_OBJ_SYSCTL] = "sysctl",
	[NN_OBJ_FILTER] = "filter",
	[NN_OBJ_CLSACT] = "clsact",
};

const char *nn_obj_kind_name(enum nn_obj_kind kind)
{
	return kind_names[kind];
}

static int state_dir(struct nn_ctx *ctx, struct nn_error *e)
{
	const char *dir = nn_ctx_state_dir(ctx);

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return nn_error_set(e, errno, "cannot create state directory \"%s\"", dir);
	return 0;
}

/* The state dir, opened once: the journal's names are opened relative to
 * it and never followed when they are symlinks. */
static int state_dirfd(struct nn_ctx *ctx, struct nn_error *e)
{
	if (state_dir(ctx, e) < 0)
		return -e->code;
	return nn_dir_open(nn_ctx_state_dir(ctx), 0, e);
}

static int state_lock(struct nn_ctx *ctx, bool wait, struct nn_error *e)
{
	char path[PATH_MAX];
	int fd;

	if (lock_fd >= 0)
		return 1;
	if (state_dir(ctx, e) < 0)
		return -e->code;
	snprintf(path, sizeof(path), "%s/lock", nn_ctx_state_dir(ctx));
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return nn_error_set(e, errno, "cannot open lock \"%s\"", path);
	if (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) < 0) {
		int err = errno;

		close(fd);
		if (!wait && err == EWOULDBLOCK)
			return 0;
		return nn_error_set(e, err, "cannot lock \"%s\"", path);
	}
	lock_fd = fd;
	return 1;
}

int nn_state_lock(struct nn_ctx *ctx, struct nn_error *e)
{
	int ret = state_lock(ctx, true, e);

	return ret < 0 ? ret : 0;
}

int nn_state_trylock(struct nn_ctx *ctx, struct nn_error *e)
{
	return state_lock(ctx, false, e);
}

void nn_state_unlock(void)
{
	/* Synced and closed first: the next holder may rewrite it (so what
	 * this process knew of it, offsets too, holds no more). */
	journal_close();
	memset(&jlen, 0, sizeof(jlen));
	if (lock_fd >= 0) {
		close(lock_fd);
		lock_fd = -1;
	}
}

const char *nn_proof_format(char *buf, size_t len, enum nn_obj_kind kind,
			    const struct nn_proof *p)
{
	if (!p || !p->set) {
		snprintf(buf, len, "-");
		return buf;
	}
	switch (kind) {
	case NN_OBJ_NETNS:
		snprintf(buf, len, "cookie=%" PRIu64, p->value);
		break;
	case NN_OBJ_LINK:
		snprintf(buf, len, "mac=%02x:%02x:%02x:%02x:%02x:%02x",
			 (unsigned)(p->value >> 40) & 0xff, (unsigned)(p->value >> 32) & 0xff,
			 (unsigned)(p->value >> 24) & 0xff, (unsigned)(p->value >> 16) & 0xff,
			 (unsigned)(p->value >> 8) & 0xff, (unsigned)p->value & 0xff);
		break;
	case NN_OBJ_QDISC:
		snprintf(buf, len, "qdisc=%x:@%d", (unsigned)(p->value >> 16) & 0xffff, p->ifindex);
		break;
	case NN_OBJ_ROUTE:
		snprintf(buf, len, "proto=%" PRIu64, p->value);
		break;
	case NN_OBJ_NAT:
		snprintf(buf, len, "nonce=%016" PRIx64, p->value);
		break;
	case NN_OBJ_FILTER: {
		/* the cookie's bytes in memory order: as tc prints the action's cookie */
		const uint8_t *b = (const uint8_t *)&p->value;

		snprintf(buf, len, "redirect=%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
			 b[4], b[5], b[6], b[7]);
		break;
	}
	case NN_OBJ_CLSACT:
		snprintf(buf, len, "clsact@%d", p->ifindex);
		break;
	default:
		snprintf(buf, len, "-");
		break;
	}
	return buf;
}

/* S past WORD, or NULL (also when S is). */
static const char *lit(const char *s, const char *word)
{
	size_t n = strlen(word);

	return s && !strncmp(s, word, n) ? s + n : NULL;
}

/* MIN to MAX digits of BASE (10 or 16) at S into *V: S past them, or NULL
 * (also when S is, or *V would pass 64 bits).  No blanks, no sign: what
 * nn_proof_format() writes, without sscanf (a journal of thousands of
 * records has as many proofs). */
static const char *num(const char *s, unsigned base, int min, int max, uint64_t *v)
{
	int n = 0;

	*v = 0;
	for (; s && n < max; n++, s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (*v > (UINT64_MAX - d) / base)
			return NULL;
		*v = *v * base + d;
	}
	return s && n >= min ? s : NULL;
}

int nn_proof_parse(const char *s, enum nn_obj_kind kind, struct nn_proof *p)
{
	uint64_t v = 0, x = 0, y = 0;
	const char *q;

	memset(p, 0, sizeof(*p));
	if (!strcmp(s, "-"))
		return 0;
	switch (kind) {
	case NN_OBJ_NETNS:
		q = num(lit(s, "cookie="), 10, 1, 20, &v);
		q = v ? q : NULL;
		break;
	case NN_OBJ_LINK:
		q = lit(s, "mac=");
		for (int i = 0; i < 6; i++) {
			q = num(i ? lit(q, ":") : q, 16, 1, 2, &x);
			v = v << 8 | x;
		}
		break;
	case NN_OBJ_QDISC:
		q = num(lit(num(lit(s, "qdisc="), 16, 1, 4, &x), ":@"), 10, 1, 20, &y);
		q = x && y && y <= INT_MAX ? q : NULL;
		v = x << 16;
		break;
	case NN_OBJ_ROUTE:
		q = num(lit(s, "proto="), 10, 1, 20, &v);
		q = v && v <= 255 ? q : NULL;
		break;
	case NN_OBJ_NAT:
		q = num(lit(s, "nonce="), 16, 1, 16, &v);
		q = v ? q : NULL;
		break;
	case NN_OBJ_FILTER:
		/* the cookie's bytes in memory order (nn_proof_format()) */
		q = lit(s, "redirect=");
		for (int i = 0; i < 8; i++) {
			q = num(q, 16, 2, 2, &x);
			((uint8_t *)&v)[i] = (uint8_t)x;
		}
		q = v ? q : NULL;
		break;
	case NN_OBJ_CLSACT:
		q = num(lit(s, "clsact@"), 10, 1, 20, &y);
		q = y && y <= INT_MAX ? q : NULL;
		v = y;
		break;
	default:
		return -1;
	}
	if (!q || *q)
		return -1;
	p->set = true;
	p->value = v;
	p->ifindex = kind == NN_OBJ_QDISC || kind == NN_OBJ_CLSACT ? (int)y : 0;
	return 0;
}

#define TORN_MARK " torn\n"

static const char *const op_names[] = {
	[NN_JOURNAL_INTENT] = "intent",
	[NN_JOURNAL_MADE] = "made",
	[NN_JOURNAL_GONE] = "gone",
	[NN_JOURNAL_RETRACT] = "retract",
};

/* WRITE all of BUF, or the errno of the call that failed: a write cut
 * short (a full disk) is tried again for its real error, not taken for EIO. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * The journal open for appending, with *END where it ends and *TAIL_NL
 * whether it ends with a whole record.  *CACHED: the process's open journal
 * (not to be closed by the caller); else a descriptor the caller closes.
 */
static int journal_open(struct nn_ctx *ctx, bool *cached, off_t *end, bool *tail_nl,
			struct nn_error *e)
{
	const char *dir = nn_ctx_state_dir(ctx);
	char path[PATH_MAX], last = '\n';
	_cleanup_close_ int dirfd = -1, fd = -1;
	struct stat st;

	*cached = lock_fd >= 0;
	if (*cached && jf.fd >= 0 && !strcmp(jf.dir, dir)) {
		*end = jf.end;
		*tail_nl = jf.tail_nl;
		return jf.fd;
	}
	snprintf(path, sizeof(path), "%s/" JOURNAL_NAME, dir);
	/* Under the lock the state dir exists: the lock is in it. */
	if ((dirfd = *cached ? nn_dir_open(dir, 0, e) : state_dirfd(ctx, e)) < 0)
		return -e->code;
	fd = openat(dirfd, JOURNAL_NAME, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return nn_error_set(e, errno, "cannot open journal \"%s\"", path);
	if (fstat(fd, &st) < 0)
		return nn_error_set(e, errno, "cannot read journal \"%s\"", path);
	if (!S_ISREG(st.st_mode))
		return nn_error_setx(e, EINVAL, "journal \"%s\" is not a regular file", path);
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		return nn_error_set(e, errno ? errno : EIO, "cannot read journal \"%s\"", path);
	*end = st.st_size;
	*tail_nl = last == '\n';
	if (*cached) {
		char *d = strdup(dir);

		if (!d)
			return nn_error_set(e, ENOMEM, "cannot open journal \"%s\"", path);
		journal_close();
		if (!jf.pid) {
			atexit(journal_at_exit);
			pthread_atfork(NULL, NULL, journal_in_child);
		}
		jf.dir = d;
		jf.pid = getpid();
		jf.fd = steal_fd(&fd);
		return jf.fd;
	}
	return steal_fd(&fd);
}

static int append(struct nn_ctx *ctx, enum nn_journal_op op, enum nn_obj_kind kind,
		  const char *ns, const char *name, uint64_t id, const char *owner,
		  const struct nn_proof *proof, bool sync, off_t *at, struct nn_error *e)
{
	char path[PATH_MAX], line[2500], ens[800], ename[800], eowner[200], eproof[64];
	const char *wns = "-";
	uint64_t cookie = 0;
	struct nn_ns *nsh;
	bool cached, tail_nl = true;
	size_t skip;
	off_t end = 0;
	int fd, len, r;

	if (kind != NN_OBJ_NETNS && ns && strcmp(ns, "-") &&
	    (nn_ctx_ns(ctx, ns, &nsh, e) < 0 || nn_ns_cookie(nsh, &cookie, e) < 0))
		return -e->code;
	snprintf(path, sizeof(path), "%s/" JOURNAL_NAME, nn_ctx_state_dir(ctx));
	if (kind != NN_OBJ_NETNS && ns)
		wns = *ns ? nn_word_enc(ens, sizeof(ens), ns) : NN_JOURNAL_HOST;
	/* Leading " torn\n": ends a record a killed writer left cut short,
	 * in a way the reader refuses (see below); else nothing. */
	len = snprintf(line, sizeof(line), "%s%s %s %s %s %" PRIu64 " %s %" PRIu64 " %s\n", TORN_MARK,
		       op_names[op], kind_names[kind], wns,
		       nn_word_enc(ename, sizeof(ename), name), id,
		       owner && *owner ? nn_word_enc(eowner, sizeof(eowner), owner) : "-", cookie,
		       nn_proof_format(eproof, sizeof(eproof), kind, proof));
	if (len < 0 || (size_t)len >= sizeof(line))
		return nn_error_setx(e, ENAMETOOLONG, "journal record for \"%s\" is too long", name);
	if ((fd = journal_open(ctx, &cached, &end, &tail_nl, e)) < 0)
		return fd;
	/* Appends of one writer at a time (the state lock): the record starts
	 * where the file ends now.  Cut short (the disk full, or a SIGKILL in
	 * the middle of a write across pages), the next record starts by
	 * marking the rest unreadable. */
	skip = tail_nl ? strlen(TORN_MARK) : 0;
	if (at) {
		*at = end + (off_t)(strlen(TORN_MARK) - skip);
		jlen.offsets_out = true;
	}
	r = write_all(fd, line + skip, (size_t)len - skip);
	if (r == 0 && sync && fdatasync(fd) < 0)
		r = -errno;
	if (!cached) {
		close(fd);
	} else if (r < 0) {
		/* Where it ends and how is known again only by reading it. */
		journal_close();
	} else {
		jf.end = end + (off_t)((size_t)len - skip);
		jf.tail_nl = true;
		jf.dirty = !sync;
	}
	jlen.appended += r == 0;
	if (r < 0)
		return nn_error_set(e, -r, "cannot write journal \"%s\"", path);
	return 0;
}

int nn_journal_append(struct nn_ctx *ctx, enum nn_journal_op op, enum nn_obj_kind kind,
		      const char *ns, const char *name, uint64_t id, const char *owner,
		      const struct nn_proof *proof, off_t *at, struct nn_error *e)
{
	return append(ctx, op, kind, ns, name, id, owner, proof, true, at, e);
}

int nn_journal_sync(struct nn_ctx *ctx, struct nn_error *e)
{
	if (jf.fd < 0 || !jf.dirty)
		return 0;
	if (fdatasync(jf.fd) < 0)
		return nn_error_set(e, errno, "cannot write journal \"%s/" JOURNAL_NAME "\"",
				    nn_ctx_state_dir(ctx));
	jf.dirty = false;
	return 0;
}

int nn_journal_void(struct nn_ctx *ctx, off_t at, struct nn_error *e)
{
	static const char mark[] = "void";
	char path[PATH_MAX], head[8] = "";
	_cleanup_close_ int dirfd = -1, fd = -1;

	snprintf(path, sizeof(path), "%s/" JOURNAL_NAME, nn_ctx_state_dir(ctx));
	if ((dirfd = state_dirfd(ctx, e)) < 0)
		return -e->code;
	/* Not O_APPEND: that would put the bytes at the end. */
	fd = openat(dirfd, JOURNAL_NAME, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nn_error_set(e, errno, "cannot open journal \"%s\"", path);
	/* An op of four letters, as "made" is, so the record keeps its length
	 * and no other record moves. */
	if (pread(fd, head, 5, at) != 5 || strncmp(head, "made ", 5))
		return nn_error_setx(e, ESTALE, "journal \"%s\" has no record of ours at %lld", path,
				     (long long)at);
	if (pwrite(fd, mark, 4, at) != 4 || fdatasync(fd) < 0)
		return nn_error_set(e, errno ? errno : EIO, "cannot write journal \"%s\"", path);
	return 0;
}

int nn_journal_intent(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		      const char *name, const char *owner, const struct nn_proof *proof,
		      struct nn_error *e)
{
	return nn_journal_append(ctx, NN_JOURNAL_INTENT, kind, ns, name, 0, owner, proof, NULL, e);
}

int nn_journal_intent_unsynced(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
			       const char *name, const char *owner, const struct nn_proof *proof,
			       struct nn_error *e)
{
	return append(ctx, NN_JOURNAL_INTENT, kind, ns, name, 0, owner, proof, false, NULL, e);
}

/* The records below announce no request: synced with the next intent. */
int nn_journal_made(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		    const char *name, uint64_t id, const char *owner, const struct nn_proof *proof,
		    struct nn_error *e)
{
	return append(ctx, NN_JOURNAL_MADE, kind, ns, name, id, owner, proof, false, NULL, e);
}

int nn_journal_gone(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		    const char *name, struct nn_error *e)
{
	return append(ctx, NN_JOURNAL_GONE, kind, ns, name, 0, "-", NULL, false, NULL, e);
}

int nn_journal_retract(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		       const char *name, struct nn_error *e)
{
	return append(ctx, NN_JOURNAL_RETRACT, kind, ns, name, 0, "-", NULL, false, NULL, e);
}

static int kind_from(const char *s, enum nn_obj_kind *k)
{
	for (size_t i = 0; i < NN_ARRAY_SIZE(kind_names); i++) {
		if (!strcmp(s, kind_names[i])) {
			*k = (enum nn_obj_kind)i;
			return 0;
		}
	}
	return -1;
}

/* An object's key: kind, namespace and its cookie, then the name, which is
 * the one part that may hold a '/' (a route's destination). */
static void entry_key(char *buf, size_t len, const struct nn_journal_entry *j)
{
	nn_hash_key(buf, len, (unsigned)j->kind, j->ns_cookie, j->ns, j->name);
}

/*
 * The next field of a journal line at *S, after the blanks before it:
 * copied into OUT (MAX bytes and its NUL), *S moved past it; -1 when there
 * is none or it is longer.  (sscanf's "%799s" was most of the time of a
 * re-apply that read a journal of thousands of lines.)
 */
static int field(const char **s, char *out, size_t max)
{
	const char *p = *s, *q;

	while (*p == ' ' || *p == '\t')
		p++;
	for (q = p; *q && *q != ' ' && *q != '\t' && *q != '\n'; q++)
		;
	if (q == p || (size_t)(q - p) > max)
		return -1;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = 0;
	*s = q;
	return 0;
}

/* A field of decimal digits only, into *V. */
static int field_u64(const char **s, uint64_t *v)
{
	char buf[24], *end;

	if (field(s, buf, sizeof(buf) - 1) < 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return *end || errno ? -1 : 0;
}

/*
 * One record: seven fields (a journal from before proofs) or eight, a
 * newline right after the last and nothing else.  A record cut short has
 * no newline; one cut after its seventh field has " torn" where the proof
 * would be, which no kind's proof parses.
 */
static int parse_record(const char *line, size_t len, char *op, char *kind, char *ens,
			char *ename, uint64_t *id, char *eowner, uint64_t *cookie, char *eproof)
{
	const char *s = line;

	if (!len || line[len - 1] != '\n')
		return -1;
	if (field(&s, op, 15) < 0 || field(&s, kind, 15) < 0 || field(&s, ens, 799) < 0 ||
	    field(&s, ename, 799) < 0 || field_u64(&s, id) < 0 || field(&s, eowner, 199) < 0 ||
	    field_u64(&s, cookie) < 0)
		return -1;
	strcpy(eproof, "-");
	if (*s != '\n' && field(&s, eproof, 63) < 0)
		return -1;
	return s == line + len - 1 ? 0 : -1;
}

int nn_journal_owned(struct nn_ctx *ctx, struct nn_journal_entry **out, size_t *n,
		     struct nn_error *e)
{
	char path[PATH_MAX], op[16], kind[16], ens[800], ename[800], eowner[200], eproof[64];
	_cleanup_close_ int dirfd = -1, fd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	struct nn_journal_entry *v = NULL, ent;
	struct nn_hash at = NN_HASH_INIT;	/* an object's key -> its index + 1 */
	char key[1200];
	struct nn_proof proof;
	size_t cap = 0, cnt = 0, lsz = 0, lines = 0;
	ssize_t len;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/" JOURNAL_NAME, nn_ctx_state_dir(ctx));
	dirfd = open(nn_ctx_state_dir(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read journal \"%s\"", path);
	fd = openat(dirfd, JOURNAL_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read journal \"%s\"", path);
	if (!(f = fdopen(fd, "r")))
		return nn_error_set(e, errno, "cannot read journal \"%s\"", path);
	fd = -1;
	while ((len = getline(&line, &lsz, f)) > 0) {
		size_t i;

		lines++;
		memset(&ent, 0, sizeof(ent));
		memset(&proof, 0, sizeof(proof));
		/* A torn or foreign line is skipped, never trusted; the last
		 * field must be a proof of the record's kind or "-". */
		if (parse_record(line, (size_t)len, op, kind, ens, ename, &ent.id, eowner,
				 &ent.ns_cookie, eproof) < 0 ||
		    kind_from(kind, &ent.kind) < 0 || nn_word_dec(ent.ns, sizeof(ent.ns), ens) < 0 ||
		    nn_word_dec(ent.name, sizeof(ent.name), ename) < 0 ||
		    nn_word_dec(ent.owner, sizeof(ent.owner), eowner) < 0 ||
		    nn_proof_parse(eproof, ent.kind, &proof) < 0)
			continue;
		if (!strcmp(ent.ns, NN_JOURNAL_HOST))
			ent.ns[0] = 0;
		/* Hashed: a journal of N objects is read in N steps, not N². */
		entry_key(key, sizeof(key), &ent);
		i = (size_t)(uintptr_t)nn_hash_get(&at, key);
		i = i ? i - 1 : cnt;
		if (!strcmp(op, "gone") || !strcmp(op, "retract")) {
			/* retract: the last intent came to nothing: what was made
			 * before it (if anything) stands. */
			if (i < cnt && (!strcmp(op, "gone") || v[i].id == 0)) {
				nn_hash_del(&at, key, NULL);
				if (i != --cnt) {
					v[i] = v[cnt];
					entry_key(key, sizeof(key), &v[i]);
					nn_hash_put(&at, key, (void *)(uintptr_t)(i + 1));
				}
			} else if (i < cnt) {
				v[i].pending = false, memset(&v[i].intent, 0, sizeof(v[i].intent));
			}
			continue;
		}
		if (strcmp(op, "intent") && strcmp(op, "made"))
			continue;	/* "void" and anything else */
		if (i == cnt) {
			if (cnt == cap) {
				struct nn_journal_entry *nv;

				cap = cap ? cap * 2 : 32;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					free(v);
					nn_hash_free(&at);
					return nn_error_set(e, ENOMEM, "cannot read journal \"%s\"", path);
				}
				v = nv;
			}
			if (nn_hash_put(&at, key, (void *)(uintptr_t)(cnt + 1)) < 0) {
				free(v);
				nn_hash_free(&at);
				return nn_error_set(e, ENOMEM, "cannot read journal \"%s\"", path);
			}
			cnt++;
		} else if (!strcmp(op, "intent") && v[i].id) {
			/* A new intent for an object already made: keep the made
			 * id and owner until the new one is confirmed or the object
			 * is gone; the object may bear either proof meanwhile. */
			v[i].pending = true;
			v[i].intent = proof;
			continue;
		}
		v[i] = ent;
		if (!strcmp(op, "intent")) {
			v[i].pending = true;
			v[i].intent = proof;
		} else {
			v[i].proof = proof;
		}
	}
	nn_hash_free(&at);
	*out = v;
	*n = cnt;
	jlen.known = true;
	jlen.lines = lines;
	jlen.live = cnt;
	jlen.appended = 0;
	return 0;
}

int nn_journal_compact(struct nn_ctx *ctx, struct nn_error *e)
{
	struct nn_journal_entry *v = NULL;
	size_t n = 0;
	int r = 0;

	/* Only under the lock: a rewrite replaces the file other holders
	 * append to; and never once this process holds an offset into it
	 * (nn_journal_void() of a step's record, undone later). */
	if (lock_fd < 0 || jlen.offsets_out || !jlen.known ||
	    jlen.lines + jlen.appended <= 2 * jlen.live + COMPACT_SLACK)
		return 0;
	if (nn_journal_owned(ctx, &v, &n, e) < 0)
		return -e->code;
	if (jlen.lines > 2 * n + COMPACT_SLACK)
		r = nn_journal_rewrite(ctx, v, n, e);
	free(v);
	return r < 0 ? -e->code : 0;
}

int nn_journal_rewrite(struct nn_ctx *ctx, const struct nn_journal_entry *ents, size_t n,
		       struct nn_error *e)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	_cleanup_close_ int dirfd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	size_t lines = 0;
	int fd, err;

	snprintf(path, sizeof(path), "%s/" JOURNAL_NAME, nn_ctx_state_dir(ctx));
	snprintf(tmp, sizeof(tmp), "%s/" JOURNAL_NAME ".new", nn_ctx_state_dir(ctx));
	if ((dirfd = state_dirfd(ctx, e)) < 0)
		return -e->code;
	/* journal.new is netnsctl's own name: whatever a killed rewrite (or
	 * anyone) left there goes, and is never written through. */
	if (unlinkat(dirfd, JOURNAL_NAME ".new", 0) < 0 && errno != ENOENT)
		return nn_error_set(e, errno, "cannot remove \"%s\"", tmp);
	fd = openat(dirfd, JOURNAL_NAME ".new", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		err = errno;
		if (fd >= 0)
			close(fd);
		return nn_error_set(e, err, "cannot write journal \"%s\"", tmp);
	}
	for (size_t i = 0; i < n; i++) {
		char ens[800], ename[800], eowner[200], eproof[64];
		const struct nn_journal_entry *j = &ents[i];
		const char *ns = j->kind == NN_OBJ_NETNS ? "-" :
				 *j->ns ? nn_word_enc(ens, sizeof(ens), j->ns) : NN_JOURNAL_HOST;
		const char *owner = *j->owner ? nn_word_enc(eowner, sizeof(eowner), j->owner) : "-";

		nn_word_enc(ename, sizeof(ename), j->name);
		lines += (j->id != 0) + (!j->id || j->pending);
		if (j->id)
			fprintf(f, "made %s %s %s %" PRIu64 " %s %" PRIu64 " %s\n", kind_names[j->kind],
				ns, ename, j->id, owner, j->ns_cookie,
				nn_proof_format(eproof, sizeof(eproof), j->kind, &j->proof));
		if (!j->id || j->pending)
			fprintf(f, "intent %s %s %s 0 %s %" PRIu64 " %s\n", kind_names[j->kind], ns,
				ename, owner, j->ns_cookie,
				nn_proof_format(eproof, sizeof(eproof), j->kind, &j->intent));
	}
	if (fflush(f) != 0 || fdatasync(fileno(f)) < 0)
		return nn_error_set(e, errno, "cannot write journal \"%s\"", tmp);
	if (renameat(dirfd, JOURNAL_NAME ".new", dirfd, JOURNAL_NAME) < 0)
		return nn_error_set(e, errno, "cannot replace journal \"%s\"", path);
	/* The open one is the old file now: appends go to the new one. */
	journal_close();
	jlen.known = true;
	jlen.lines = lines;
	jlen.live = n;
	jlen.appended = 0;
	return 0;
}
