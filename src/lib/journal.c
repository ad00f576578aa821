// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
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
#include "cleanup.h"

#define JOURNAL_NAME "journal"

/* One lock per process: a context's lifetime is a command's lifetime. */
static int lock_fd = -1;

static const char *const kind_names[] = {
	[NN_OBJ_NETNS] = "netns",
	[NN_OBJ_LINK] = "link",
	[NN_OBJ_QDISC] = "qdisc",
	[NN_OBJ_ROUTE] = "route",
	[NN_OBJ_NAT] = "nat",
	[NN_OBJ_SYSCTL] = "sysctl",
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

static int state_lock(struct nn_ctx *ctx, bool wait, struct nn_error *e)
{
	char path[PATH_MAX];
	int fd;

	if (lock_fd >= 0)
		return 1;
	if (state_dir(ctx, e) < 0)
		return -e->code;
	snprintf(path, sizeof(path), "%s/lock", nn_ctx_state_dir(ctx));
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
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
	if (lock_fd >= 0) {
		close(lock_fd);
		lock_fd = -1;
	}
}

/*
 * A field as the file holds it: one word.  Namespace names may hold blanks
 * (ip netns allows any byte but '/' and NUL): '%', blanks, control bytes and
 * DEL are written %XX.
 */
static const char *enc(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s && o + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == 0x7f || c == '%')
			o += (size_t)snprintf(buf + o, len - o, "%%%02X", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = 0;
	return buf;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Back from enc() into OUT (LEN bytes); -1 for a malformed or too long field. */
static int dec(char *out, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s; s++) {
		int c = (unsigned char)*s;

		if (c == '%') {
			int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);

			if (l < 0)
				return -1;
			c = h * 16 + l;
			s += 2;
		}
		if (o + 1 >= len || c == 0)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = 0;
	return 0;
}

#define TORN_MARK " torn\n"

static int append(struct nn_ctx *ctx, const char *op, enum nn_obj_kind kind, const char *ns,
		  const char *name, uint64_t id, const char *owner, struct nn_error *e)
{
	char path[PATH_MAX], line[2400], ens[800], ename[800], eowner[200], last = '\n';
	_cleanup_close_ int fd = -1;
	uint64_t cookie = 0;
	struct nn_ns *nsh;
	struct stat st;
	ssize_t w;
	int len;

	if (state_dir(ctx, e) < 0)
		return -e->code;
	if (kind != NN_OBJ_NETNS && ns && strcmp(ns, "-") &&
	    (nn_ctx_ns(ctx, ns, &nsh, e) < 0 || nn_ns_cookie(nsh, &cookie, e) < 0))
		return -e->code;
	snprintf(path, sizeof(path), "%s/" JOURNAL_NAME, nn_ctx_state_dir(ctx));
	/* Leading " torn\n": ends a record a killed writer left cut short,
	 * in a way the reader refuses (see below); else nothing. */
	len = snprintf(line, sizeof(line), "%s%s %s %s %s %" PRIu64 " %s %" PRIu64 "\n", TORN_MARK, op,
		       kind_names[kind],
		       kind == NN_OBJ_NETNS || !ns ? "-" : *ns ? enc(ens, sizeof(ens), ns) : NN_JOURNAL_HOST,
		       enc(ename, sizeof(ename), name), id,
		       owner && *owner ? enc(eowner, sizeof(eowner), owner) : "-", cookie);
	if (len < 0 || (size_t)len >= sizeof(line))
		return nn_error_setx(e, ENAMETOOLONG, "journal record for \"%s\" is too long", name);
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return nn_error_set(e, errno, "cannot open journal \"%s\"", path);
	if (fstat(fd, &st) < 0)
		return nn_error_set(e, errno, "cannot read journal \"%s\"", path);
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		return nn_error_set(e, errno ? errno : EIO, "cannot read journal \"%s\"", path);
	/* One write() of an O_APPEND file.  Cut short (the disk full, or a
	 * SIGKILL in the middle of a write across pages), the next record
	 * starts by marking the rest unreadable. */
	{
		size_t skip = last == '\n' ? strlen(TORN_MARK) : 0;

		errno = 0;
		w = write(fd, line + skip, (size_t)len - skip);
		if (w != (ssize_t)((size_t)len - skip) || fdatasync(fd) < 0)
			return nn_error_set(e, w >= 0 && !errno ? EIO : errno,
					    "cannot write journal \"%s\"", path);
	}
	return 0;
}

int nn_journal_intent(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		      const char *name, const char *owner, struct nn_error *e)
{
	return append(ctx, "intent", kind, ns, name, 0, owner, e);
}

int nn_journal_made(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		    const char *name, uint64_t id, const char *owner, struct nn_error *e)
{
	return append(ctx, "made", kind, ns, name, id, owner, e);
}

int nn_journal_gone(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		    const char *name, struct nn_error *e)
{
	return append(ctx, "gone", kind, ns, name, 0, "-", e);
}

int nn_journal_retract(struct nn_ctx *ctx, enum nn_obj_kind kind, const char *ns,
		       const char *name, struct nn_error *e)
{
	return append(ctx, "retract", kind, ns, name, 0, "-", e);
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

int nn_journal_owned(struct nn_ctx *ctx, struct nn_journal_entry **out, size_t *n,
		     struct nn_error *e)
{
	char path[PATH_MAX], op[16], kind[16], ens[800], ename[800], eowner[200];
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	struct nn_journal_entry *v = NULL, ent;
	size_t cap = 0, cnt = 0, lsz = 0;
	ssize_t len;
	int end;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/" JOURNAL_NAME, nn_ctx_state_dir(ctx));
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read journal \"%s\"", path);
	while ((len = getline(&line, &lsz, f)) > 0) {
		size_t i;

		memset(&ent, 0, sizeof(ent));
		/* A torn or foreign line is skipped, never trusted: seven
		 * fields, a newline and nothing else. */
		end = -1;
		if (line[len - 1] != '\n' ||
		    sscanf(line, "%15s %15s %799s %799s %" SCNu64 " %199s %" SCNu64 "%n", op, kind,
			   ens, ename, &ent.id, eowner, &ent.ns_cookie, &end) != 7 ||
		    end < 0 || line[end] != '\n' ||
		    kind_from(kind, &ent.kind) < 0 || dec(ent.ns, sizeof(ent.ns), ens) < 0 ||
		    dec(ent.name, sizeof(ent.name), ename) < 0 ||
		    dec(ent.owner, sizeof(ent.owner), eowner) < 0)
			continue;
		if (!strcmp(ent.ns, NN_JOURNAL_HOST))
			ent.ns[0] = 0;
		for (i = 0; i < cnt; i++)
			if (v[i].kind == ent.kind && !strcmp(v[i].ns, ent.ns) &&
			    !strcmp(v[i].name, ent.name) && v[i].ns_cookie == ent.ns_cookie)
				break;
		if (!strcmp(op, "gone") || !strcmp(op, "retract")) {
			if (i < cnt && (op[0] == 'g' || v[i].id == 0))
				v[i] = v[--cnt];
			continue;
		}
		if (strcmp(op, "intent") && strcmp(op, "made"))
			continue;
		if (i == cnt) {
			if (cnt == cap) {
				struct nn_journal_entry *nv;

				cap = cap ? cap * 2 : 32;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					free(v);
					return nn_error_set(e, ENOMEM, "cannot read journal \"%s\"", path);
				}
				v = nv;
			}
			cnt++;
		} else if (!strcmp(op, "intent") && v[i].id) {
			/* A new intent for an object already made: keep the made id
			 * until the new one is confirmed or the object is gone. */
			continue;
		}
		v[i] = ent;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int nn_journal_rewrite(struct nn_ctx *ctx, const struct nn_journal_entry *ents, size_t n,
		       struct nn_error *e)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	_cleanup_fclose_ FILE *f = NULL;

	if (state_dir(ctx, e) < 0)
		return -e->code;
	snprintf(path, sizeof(path), "%s/" JOURNAL_NAME, nn_ctx_state_dir(ctx));
	snprintf(tmp, sizeof(tmp), "%s/" JOURNAL_NAME ".new", nn_ctx_state_dir(ctx));
	{
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			int err = errno;

			if (fd >= 0)
				close(fd);
			return nn_error_set(e, err, "cannot write journal \"%s\"", tmp);
		}
	}
	for (size_t i = 0; i < n; i++) {
		char ens[800], ename[800], eowner[200];

		fprintf(f, "%s %s %s %s %" PRIu64 " %s %" PRIu64 "\n", ents[i].id ? "made" : "intent",
			kind_names[ents[i].kind],
			ents[i].kind == NN_OBJ_NETNS ? "-" :
			*ents[i].ns ? enc(ens, sizeof(ens), ents[i].ns) : NN_JOURNAL_HOST,
			enc(ename, sizeof(ename), ents[i].name), ents[i].id,
			*ents[i].owner ? enc(eowner, sizeof(eowner), ents[i].owner) : "-",
			ents[i].ns_cookie);
	}
	if (fflush(f) != 0 || fdatasync(fileno(f)) < 0)
		return nn_error_set(e, errno, "cannot write journal \"%s\"", tmp);
	if (rename(tmp, path) < 0)
		return nn_error_set(e, errno, "cannot replace journal \"%s\"", path);
	return 0;
}
