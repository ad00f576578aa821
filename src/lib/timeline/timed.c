// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Timed changes (timed.h): the deadline journal's records, the pass that
 * reverts what is due, and the revert itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netnsctl/ctx.h"
#include "netnsctl/link.h"
#include "netnsctl/partition.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/timed.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/show.h"
#include "util/word.h"

#define DIR_NAME "timed"
#define FILE_NAME "deadlines"
#define HOST "."

uint64_t nn_timed_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t nn_timed_new_id(void)
{
	uint64_t v = 0;

	while (!v)
		while (getrandom(&v, sizeof(v), 0) != sizeof(v))
			;
	return v;
}

/* --- one record --- */

static const char *const kind_names[] = {
	[NN_TIMED_QDISC] = "qdisc", [NN_TIMED_LINK] = "link", [NN_TIMED_PARTITION] = "partition",
};

static const char *qdisc_text(char *buf, size_t len, const struct nn_timed_qdisc *q)
{
	const struct nn_netem *m = &q->netem;
	const struct nn_tbf *t = &q->tbf;
	unsigned int h = q->handle >> 16;

	switch (q->kind) {
	case NN_QDISC_NETEM:
		snprintf(buf, len,
			 "netem/%x/delay=%" PRIu64 ",jitter=%" PRIu64 ",corr=%u,loss=%u,loss_corr=%u,dup=%u,"
			 "dup_corr=%u,reorder=%u,reorder_corr=%u,corrupt=%u,corrupt_corr=%u,gap=%u,limit=%u,"
			 "rate=%" PRIu64 ",dist=%d",
			 h, m->delay_ns, m->jitter_ns, m->delay_corr, m->loss, m->loss_corr, m->duplicate,
			 m->duplicate_corr, m->reorder, m->reorder_corr, m->corrupt, m->corrupt_corr, m->gap,
			 m->limit, m->rate, (int)m->dist);
		break;
	case NN_QDISC_TBF:
		snprintf(buf, len, "tbf/%x/rate=%" PRIu64 ",burst=%u,limit=%u,latency=%" PRIu64, h, t->rate,
			 t->burst, t->limit, t->latency_ns);
		break;
	default:
		snprintf(buf, len, "none");
		break;
	}
	return buf;
}

static int qdisc_parse(const char *s, struct nn_timed_qdisc *q)
{
	struct nn_netem *m = &q->netem;
	struct nn_tbf *t = &q->tbf;
	unsigned int h = 0;
	int end = -1, dist = 0;

	memset(q, 0, sizeof(*q));
	if (!strcmp(s, "none"))
		return 0;
	if (!strncmp(s, "netem/", 6)) {
		if (sscanf(s, "netem/%4x/delay=%" SCNu64 ",jitter=%" SCNu64 ",corr=%u,loss=%u,loss_corr=%u,"
			   "dup=%u,dup_corr=%u,reorder=%u,reorder_corr=%u,corrupt=%u,corrupt_corr=%u,gap=%u,"
			   "limit=%u,rate=%" SCNu64 ",dist=%d%n",
			   &h, &m->delay_ns, &m->jitter_ns, &m->delay_corr, &m->loss, &m->loss_corr,
			   &m->duplicate, &m->duplicate_corr, &m->reorder, &m->reorder_corr, &m->corrupt,
			   &m->corrupt_corr, &m->gap, &m->limit, &m->rate, &dist, &end) != 16 ||
		    dist < NN_DIST_NONE || dist > NN_DIST_PARETONORMAL)
			return -EINVAL;
		m->dist = (enum nn_netem_dist)dist;
		q->kind = NN_QDISC_NETEM;
	} else if (!strncmp(s, "tbf/", 4)) {
		if (sscanf(s, "tbf/%4x/rate=%" SCNu64 ",burst=%u,limit=%u,latency=%" SCNu64 "%n", &h, &t->rate,
			   &t->burst, &t->limit, &t->latency_ns, &end) != 5)
			return -EINVAL;
		q->kind = NN_QDISC_TBF;
	} else {
		return -EINVAL;
	}
	if (end < 0 || s[end] || !h)
		return -EINVAL;
	q->handle = h << 16;
	return 0;
}

static const char *state_text(char *buf, size_t len, const struct nn_timed *t, bool during)
{
	switch (t->kind) {
	case NN_TIMED_LINK:
		snprintf(buf, len, "%s", (during ? t->during_up : t->before_up) ? "up" : "down");
		return buf;
	case NN_TIMED_QDISC:
		return qdisc_text(buf, len, during ? &t->during_q : &t->before_q);
	default:
		if (during)
			snprintf(buf, len, "nonce=%016" PRIx64, t->nonce);
		else
			snprintf(buf, len, "-");
		return buf;
	}
}

int nn_timed_format(const struct nn_timed *t, char *buf, size_t len)
{
	char ens[800], ename[800], before[400], during[400];
	int n;

	char boot[24] = "-", wall[24] = "-";

	/* A held change (no deadline) has "-" for both times. */
	if (t->deadline_ns != NN_TIMED_NEVER) {
		snprintf(boot, sizeof(boot), "%" PRIu64, t->deadline_ns);
		snprintf(wall, sizeof(wall), "%" PRId64, t->deadline_wall);
	}
	n = snprintf(buf, len, "timed %016" PRIx64 " %s %s %s %s %s %" PRIu64 " %d %s %s\n",
		     t->id, boot, wall, kind_names[t->kind],
		     *t->ns ? nn_word_enc(ens, sizeof(ens), t->ns) : HOST,
		     nn_word_enc(ename, sizeof(ename), t->name),
		     t->ns_cookie, t->ifindex, state_text(before, sizeof(before), t, false),
		     state_text(during, sizeof(during), t, true));
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int nn_timed_parse(const char *line, struct nn_timed *t)
{
	char kind[16], ens[800], ename[800], before[400], during[400], boot[24], wall[24];
	int end = -1, e1 = -1, e2 = -1;
	size_t k;

	memset(t, 0, sizeof(*t));
	if (sscanf(line, "timed %16" SCNx64 " %23s %23s %15s %799s %799s %" SCNu64 " %d %399s %399s%n",
		   &t->id, boot, wall, kind, ens, ename, &t->ns_cookie, &t->ifindex,
		   before, during, &end) != 10 ||
	    end < 0 || (line[end] && strcmp(line + end, "\n")) || !t->id || t->ifindex < 0)
		return -EINVAL;
	if (!strcmp(boot, "-") && !strcmp(wall, "-")) {
		t->deadline_ns = NN_TIMED_NEVER;	/* held: no deadline */
	} else if (boot[0] < '0' || boot[0] > '9' ||
		   sscanf(boot, "%" SCNu64 "%n", &t->deadline_ns, &e1) != 1 || boot[e1] ||
		   t->deadline_ns == NN_TIMED_NEVER ||
		   sscanf(wall, "%" SCNd64 "%n", &t->deadline_wall, &e2) != 1 || wall[e2]) {
		return -EINVAL;
	}
	for (k = 0; k < NN_ARRAY_SIZE(kind_names) && strcmp(kind, kind_names[k]); k++)
		;
	if (k == NN_ARRAY_SIZE(kind_names))
		return -EINVAL;
	t->kind = (enum nn_timed_kind)k;
	if ((strcmp(ens, HOST) && nn_word_dec(t->ns, sizeof(t->ns), ens) < 0) ||
	    nn_word_dec(t->name, sizeof(t->name), ename) < 0 || !*t->name)
		return -EINVAL;
	switch (t->kind) {
	case NN_TIMED_LINK:
		if ((strcmp(before, "up") && strcmp(before, "down")) ||
		    (strcmp(during, "up") && strcmp(during, "down")) || t->ifindex <= 0)
			return -EINVAL;
		t->before_up = !strcmp(before, "up");
		t->during_up = !strcmp(during, "up");
		return 0;
	case NN_TIMED_QDISC:
		if (qdisc_parse(before, &t->before_q) < 0 || qdisc_parse(during, &t->during_q) < 0 ||
		    t->ifindex <= 0)
			return -EINVAL;
		return 0;
	default:
		end = -1;
		if (strcmp(before, "-") || sscanf(during, "nonce=%16" SCNx64 "%n", &t->nonce, &end) != 1 ||
		    end < 0 || during[end] || !t->nonce || t->ifindex)
			return -EINVAL;
		return 0;
	}
}

uint64_t nn_timed_next(const struct nn_timed *v, size_t n)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < n; i++)
		if (v[i].deadline_ns < next)
			next = v[i].deadline_ns;
	return next;
}

/* --- the file --- */

static int timed_dir(struct nn_ctx *ctx, char *path, size_t len, bool make, struct nn_error *e)
{
	snprintf(path, len, "%s/" DIR_NAME, nn_ctx_state_dir(ctx));
	return nn_dir_open(path, make ? 0755 : 0, e);
}

int nn_timed_load(struct nn_ctx *ctx, struct nn_timed **out, size_t *n, size_t *bad,
		  struct nn_error *e)
{
	char path[PATH_MAX];
	_cleanup_close_ int dirfd = -1, fd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	struct nn_timed *v = NULL;
	size_t cap = 0, cnt = 0, lsz = 0, nbad = 0;

	*out = NULL;
	*n = 0;
	if (bad)
		*bad = 0;
	if ((dirfd = timed_dir(ctx, path, sizeof(path), false, e)) < 0)
		return e->code == ENOENT ? (nn_error_clear(e), 0) : -e->code;
	fd = openat(dirfd, FILE_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read \"%s/" FILE_NAME "\"", path);
	if (!(f = fdopen(fd, "r")))
		return nn_error_set(e, errno, "cannot read \"%s/" FILE_NAME "\"", path);
	fd = -1;
	while (getline(&line, &lsz, f) > 0) {
		struct nn_timed t;

		if (nn_timed_parse(line, &t) < 0) {
			nbad++;
			continue;
		}
		if (cnt == cap) {
			struct nn_timed *nv;

			cap = cap ? 2 * cap : 8;
			if (!(nv = realloc(v, cap * sizeof(*v)))) {
				free(v);
				return nn_error_set(e, ENOMEM, "cannot read \"%s/" FILE_NAME "\"", path);
			}
			v = nv;
		}
		v[cnt++] = t;
	}
	*out = v;
	*n = cnt;
	if (bad)
		*bad = nbad;
	return 0;
}

int nn_timed_store(struct nn_ctx *ctx, const struct nn_timed *v, size_t n, struct nn_error *e)
{
	char path[PATH_MAX], line[NN_TIMED_LINE_MAX];
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *text = NULL;
	size_t len = 0, cap = 0;
	int ret;

	if ((dirfd = timed_dir(ctx, path, sizeof(path), n > 0, e)) < 0)
		return n == 0 && e->code == ENOENT ? (nn_error_clear(e), 0) : -e->code;
	if (n == 0) {
		if (unlinkat(dirfd, FILE_NAME, 0) < 0 && errno != ENOENT)
			return nn_error_set(e, errno, "cannot remove \"%s/" FILE_NAME "\"", path);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t l;

		if (nn_timed_format(&v[i], line, sizeof(line)) < 0)
			return nn_error_setx(e, ENAMETOOLONG, "timed record of \"%s\" is too long", v[i].name);
		l = strlen(line);
		if (len + l + 1 > cap) {
			char *nt;

			cap = (len + l + 1) * 2;
			if (!(nt = realloc(text, cap)))
				return nn_error_set(e, ENOMEM, "cannot write \"%s/" FILE_NAME "\"", path);
			text = nt;
		}
		memcpy(text + len, line, l + 1);
		len += l;
	}
	ret = nn_file_replace_at(dirfd, path, FILE_NAME, -1, text, len, 0600, true, e);
	if (ret == 0)
		fsync(dirfd);
	return ret;
}

int nn_timed_arm(struct nn_ctx *ctx, const struct nn_timed *add, size_t nadd, struct nn_error *e)
{
	_cleanup_free_ struct nn_timed *v = NULL;
	struct nn_timed *nv;
	size_t n = 0;

	if (nn_timed_load(ctx, &v, &n, NULL, e) < 0)
		return -e->code;
	if (!(nv = realloc(v, (n + nadd) * sizeof(*v) + 1)))
		return nn_error_set(e, ENOMEM, "cannot add a timed record");
	v = nv;
	memcpy(v + n, add, nadd * sizeof(*v));
	return nn_timed_store(ctx, v, n + nadd, e);
}

int nn_timed_disarm(struct nn_ctx *ctx, uint64_t id, struct nn_error *e)
{
	_cleanup_free_ struct nn_timed *v = NULL;
	size_t n = 0, k = 0;
	int ret;

	if (nn_timed_load(ctx, &v, &n, NULL, e) < 0)
		return -e->code;
	for (size_t i = 0; i < n; i++)
		if (v[i].id != id)
			v[k++] = v[i];
	if (k == n)
		return 0;
	ret = nn_timed_store(ctx, v, k, e);
	return ret < 0 ? ret : (int)(n - k);
}

/* --- reverting --- */

static bool may_pass(int err)
{
	return err == EINTR || err == EAGAIN || err == EBUSY || err == ENOMEM || err == ENOBUFS;
}

int nn_timed_pass(struct nn_ctx *ctx, uint64_t now, bool all, nn_timed_revert_fn revert,
		  nn_timed_log_fn log, void *arg, uint64_t *next, size_t *reverted,
		  struct nn_error *e)
{
	_cleanup_free_ struct nn_timed *v = NULL;
	size_t n = 0, k = 0, bad = 0, done = 0;
	char msg[NN_ERROR_MAX + 200];
	int ret;

	if (next)
		*next = UINT64_MAX;
	if (reverted)
		*reverted = 0;
	if (nn_timed_load(ctx, &v, &n, &bad, e) < 0)
		return -e->code;
	if (bad && log) {
		snprintf(msg, sizeof(msg), "%zu unreadable record%s in the deadline journal dropped", bad,
			 bad == 1 ? "" : "s");
		log(msg, arg);
	}
	for (size_t i = 0; i < n; i++) {
		struct nn_error err = { 0 };

		if (!all && v[i].deadline_ns > now) {
			v[k++] = v[i];
			continue;
		}
		ret = revert(ctx, &v[i], arg, &err);
		if (ret > 0)
			done++;
		if (ret < 0 && log) {
			snprintf(msg, sizeof(msg), "cannot put back %s %s in %s (change %016" PRIx64 "): %s%s",
				 kind_names[v[i].kind], v[i].name, *v[i].ns ? v[i].ns : "the host", v[i].id,
				 err.msg, may_pass(err.code) ? " (tried again)" : "");
			log(msg, arg);
		}
		if (ret < 0 && may_pass(err.code))
			v[k++] = v[i];
	}
	if ((k != n || bad) && nn_timed_store(ctx, v, k, e) < 0)
		return -e->code;
	if (next)
		*next = nn_timed_next(v, k);
	if (reverted)
		*reverted = done;
	return 0;
}

/* T's namespace, if it still is the one T names (its cookie); 0 when not. */
static int same_ns(struct nn_ctx *ctx, const struct nn_timed *t, struct nn_ns **ns,
		   struct nn_error *e)
{
	uint64_t cookie;
	int ret = nn_ctx_ns(ctx, t->ns, ns, e);

	if (ret == -ENOENT)
		return nn_error_clear(e), 0;
	if (ret < 0 || nn_ns_cookie(*ns, &cookie, e) < 0)
		return -e->code;
	return cookie == t->ns_cookie;
}

/* T's link, if it still is the one T names (name and ifindex). */
static int same_link(struct nn_ns *ns, const struct nn_timed *t, struct nn_link_info *li,
		     struct nn_error *e)
{
	int ret = nn_link_find(ns, t->name, li, e);

	return ret <= 0 ? ret : li->ifindex == t->ifindex;
}

static void to_info(const struct nn_timed_qdisc *q, struct nn_qdisc_info *info)
{
	memset(info, 0, sizeof(*info));
	info->kind = q->kind;
	info->handle = q->handle;
	if (q->kind == NN_QDISC_NETEM) {
		snprintf(info->kind_name, sizeof(info->kind_name), "netem");
		info->u.netem = q->netem;
	} else if (q->kind == NN_QDISC_TBF) {
		snprintf(info->kind_name, sizeof(info->kind_name), "tbf");
		info->u.tbf = q->tbf;
	}
}

int nn_timed_revert(struct nn_ctx *ctx, const struct nn_timed *t, void *arg, struct nn_error *e)
{
	struct nn_qdisc_info root, want;
	struct nn_link_info li;
	struct nn_ns *ns;
	int ret;

	(void)arg;
	if ((ret = same_ns(ctx, t, &ns, e)) <= 0)
		return ret;
	switch (t->kind) {
	case NN_TIMED_LINK:
		if ((ret = same_link(ns, t, &li, e)) <= 0)
			return ret;
		if (li.up != t->during_up)
			return 0;	/* set otherwise since: not ours to undo */
		return (ret = nn_link_set_up(ns, t->ifindex, t->before_up, e)) < 0 ? ret : 1;
	case NN_TIMED_QDISC:
		if ((ret = same_link(ns, t, &li, e)) <= 0)
			return ret;
		if ((ret = nn_qdisc_root(ns, t->ifindex, &root, e)) < 0)
			return ret;
		to_info(&t->during_q, &want);
		if (t->during_q.kind == NN_QDISC_OTHER) {
			/* the change cleared it: still so when the root is the kernel's */
			if (ret > 0 && root.handle != 0)
				return 0;
		} else if (ret == 0 || root.handle != t->during_q.handle || !nn_qdisc_same(&want, &root)) {
			return 0;
		}
		switch (t->before_q.kind) {
		case NN_QDISC_NETEM:
			ret = nn_qdisc_netem_replace(ns, t->ifindex, t->before_q.handle, &t->before_q.netem, e);
			break;
		case NN_QDISC_TBF:
			ret = nn_qdisc_tbf_replace(ns, t->ifindex, t->before_q.handle, &t->before_q.tbf, e);
			break;
		default:
			ret = nn_qdisc_clear(ns, t->ifindex, e);
			break;
		}
		return ret < 0 ? ret : 1;
	case NN_TIMED_PARTITION:
		ret = nn_partition_ns_del(ns, t->name, t->nonce, e);
		return ret;
	default:
		return 0;
	}
}

void nn_timed_json(FILE *f, const struct nn_timed *v, size_t n, uint64_t now)
{
	char b[400], when[64];

	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		const struct nn_timed *t = &v[i];
		time_t s = (time_t)t->deadline_wall;
		struct tm tm;

		gmtime_r(&s, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(f, "%s{\"id\":\"%016" PRIx64 "\",\"kind\":\"%s\",\"ns\":", i ? "," : "", t->id,
			kind_names[t->kind]);
		nn_put_json(f, t->ns);
		fputs(",\"name\":", f);
		nn_put_json(f, t->name);
		if (t->deadline_ns == NN_TIMED_NEVER)
			fputs(",\"deadline\":null,\"deadline_s\":null,\"in_ms\":null,\"before\":", f);
		else
			fprintf(f, ",\"deadline\":\"%s\",\"deadline_s\":%" PRId64 ",\"in_ms\":%" PRIu64 ",\"before\":",
				when, t->deadline_wall, t->deadline_ns > now ? (t->deadline_ns - now) / 1000000 : 0);
		nn_put_json(f, state_text(b, sizeof(b), t, false));
		fputs(",\"during\":", f);
		nn_put_json(f, state_text(b, sizeof(b), t, true));
		fputc('}', f);
	}
	fputc(']', f);
}
