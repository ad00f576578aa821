// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Changes to what exists (change.h): link down/up, partitions and timed
 * root qdiscs, each journalled in the deadline journal before the kernel is
 * changed, so that the reverter, link-up/heal and cleanup can put it back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/show.h"
#include "netnsctl/change.h"
#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/owner.h"
#include "netnsctl/timed.h"
#include "util/cleanup.h"

uint64_t nn_change_deadline(uint64_t for_ns)
{
	uint64_t now = nn_timed_now();

	if (!for_ns)
		return NN_TIMED_NEVER;
	return for_ns >= NN_TIMED_NEVER - now ? NN_TIMED_NEVER - 1 : now + for_ns;
}

/* The record's common part: the change's id, its deadline, where. */
static void record_init(struct nn_timed *t, uint64_t id, uint64_t for_ns, enum nn_timed_kind kind,
			const char *ns, const char *name, uint64_t cookie, int ifindex)
{
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->deadline_ns = nn_change_deadline(for_ns);
	t->deadline_wall = for_ns ? (int64_t)time(NULL) + (int64_t)((for_ns + 999999999ULL) / 1000000000ULL) : 0;
	t->kind = kind;
	snprintf(t->ns, sizeof(t->ns), "%s", ns ? ns : "");
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->ns_cookie = cookie;
	t->ifindex = ifindex;
}

/* The namespace and its cookie. */
static int ns_open(struct nn_ctx *ctx, const char *name, struct nn_ns **ns, uint64_t *cookie,
		   struct nn_error *e)
{
	if (nn_ctx_ns(ctx, name, ns, e) < 0 || nn_ns_cookie(*ns, cookie, e) < 0)
		return -e->code;
	return 0;
}

/* Records and arms them; with a deadline, a reverter runs before this returns. */
static int arm(struct nn_ctx *ctx, const struct nn_timed *v, size_t n, char *const argv[],
	       struct nn_error *e)
{
	if (nn_timed_arm(ctx, v, n, e) < 0)
		return -e->code;
	if (v[0].deadline_ns != NN_TIMED_NEVER && nn_reverter_ensure(ctx, argv, NULL, e) < 0) {
		struct nn_error ignored = { 0 };

		nn_timed_disarm(ctx, v[0].id, &ignored);
		return -e->code;
	}
	return 0;
}

int nn_change_link(struct nn_ctx *ctx, const char *nsname, const char *ifname, bool up,
		   uint64_t for_ns, char *const reverter_argv[], struct nn_error *e)
{
	_cleanup_free_ struct nn_timed *v = NULL;
	struct nn_error ignored = { 0 };
	struct nn_link_info li;
	struct nn_timed t;
	struct nn_ns *ns;
	uint64_t cookie;
	size_t n = 0, k = 0;
	int ret;

	if (ns_open(ctx, nsname, &ns, &cookie, e) < 0 || nn_link_get(ns, ifname, &li, e) < 0)
		return -e->code;
	if (up) {
		ret = li.up ? 0 : nn_link_set_up(ns, li.ifindex, true, e);
		if (ret < 0)
			return ret;
		/* The user put it back: no record holds it down any more.
		 * (Up first: killed in between, a record whose link is up is
		 * dropped at its deadline, changing nothing.) */
		if (nn_timed_load(ctx, &v, &n, NULL, e) < 0)
			return -e->code;
		for (size_t i = 0; i < n; i++)
			if (!(v[i].kind == NN_TIMED_LINK && v[i].ns_cookie == cookie &&
			      v[i].ifindex == li.ifindex))
				v[k++] = v[i];
		if (k != n && nn_timed_store(ctx, v, k, e) < 0)
			return -e->code;
		return li.up ? 0 : 1;
	}
	if (!li.up)
		return 0;
	record_init(&t, nn_timed_new_id(), for_ns, NN_TIMED_LINK, nsname, li.name, cookie, li.ifindex);
	t.before_up = true;
	t.during_up = false;
	if (arm(ctx, &t, 1, reverter_argv, e) < 0)
		return -e->code;
	if (nn_link_set_up(ns, li.ifindex, false, e) < 0) {
		nn_timed_disarm(ctx, t.id, &ignored);
		return -e->code;
	}
	return 1;
}

/* --- a root qdisc for a while --- */

static void timed_qdisc_of(const struct nn_qdisc_info *q, struct nn_timed_qdisc *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = q->kind;
	t->handle = q->handle;
	if (q->kind == NN_QDISC_NETEM) {
		t->netem = q->u.netem;
		nn_netem_normalize(&t->netem);
	} else if (q->kind == NN_QDISC_TBF) {
		t->tbf = q->u.tbf;
		nn_tbf_normalize(&t->tbf);
	}
}

static void info_of(const struct nn_timed_qdisc *t, struct nn_qdisc_info *q)
{
	memset(q, 0, sizeof(*q));
	q->kind = t->kind;
	q->handle = t->handle;
	if (t->kind == NN_QDISC_NETEM) {
		snprintf(q->kind_name, sizeof(q->kind_name), "netem");
		q->u.netem = t->netem;
	} else if (t->kind == NN_QDISC_TBF) {
		snprintf(q->kind_name, sizeof(q->kind_name), "tbf");
		q->u.tbf = t->tbf;
	}
}

/* A tbf to send again: its limit says its latency (tbf takes one of them). */
static void replayable(struct nn_timed_qdisc *t)
{
	if (t->kind == NN_QDISC_TBF && t->tbf.limit)
		t->tbf.latency_ns = 0;
}

int nn_change_qdisc(struct nn_ctx *ctx, const char *nsname, const char *ifname,
		    const struct nn_qdisc_info *want, uint64_t for_ns, const char *owner,
		    char *const reverter_argv[], struct nn_error *e)
{
	_cleanup_free_ struct nn_timed *v = NULL, *keep = NULL;
	struct nn_error ignored = { 0 };
	struct nn_qdisc_info root;
	struct nn_link_info li;
	struct nn_proof proof;
	struct nn_timed t;
	struct nn_ns *ns;
	uint64_t cookie, taken = 0;
	bool ours_new;
	size_t n = 0, k = 0;
	int ret;

	if (want->kind != NN_QDISC_NETEM && want->kind != NN_QDISC_TBF)
		return nn_error_setx(e, EINVAL, "a timed change sets netem or tbf");
	if (!for_ns)
		return nn_error_setx(e, EINVAL, "a timed change needs a duration");
	if (ns_open(ctx, nsname, &ns, &cookie, e) < 0 || nn_link_get(ns, ifname, &li, e) < 0)
		return -e->code;
	if (want->kind == NN_QDISC_TBF) {
		struct nn_tbf tb = want->u.tbf;
		uint32_t frame = li.mtu + ETH_HLEN;

		nn_tbf_normalize(&tb);
		/* A burst below one frame passes no full-size frame (the same
		 * refusal as set-rate's plan). */
		if (tb.burst < frame)
			return nn_error_setx(e, EMSGSIZE,
					     "invalid burst of %u bytes: smaller than a full-size frame on %s in %s (MTU %u + %d bytes of header); at least %ub",
					     tb.burst, ifname, nn_ns_label(ns), li.mtu, ETH_HLEN, frame);
	}
	/* A kernel without the qdisc refuses before anything is journalled. */
	if ((ret = nn_qdisc_kind_probe(ns, want->kind == NN_QDISC_NETEM ? "netem" : "tbf", e)) <= 0)
		return ret < 0 ? ret : -e->code;
	if ((ret = nn_qdisc_root(ns, li.ifindex, &root, e)) < 0)
		return ret;
	record_init(&t, nn_timed_new_id(), for_ns, NN_TIMED_QDISC, nsname, li.name, cookie, li.ifindex);
	if (ret == 0 || root.handle == 0) {
		t.before_q.kind = NN_QDISC_OTHER;
	} else if (root.kind == NN_QDISC_NETEM || root.kind == NN_QDISC_TBF) {
		timed_qdisc_of(&root, &t.before_q);
		replayable(&t.before_q);
	} else {
		return nn_error_setx(e, EOPNOTSUPP,
				     "the root qdisc of %s in %s is %s: --for puts back only the kernel's default, netem or tbf",
				     ifname, nn_ns_label(ns), root.kind_name);
	}
	/* In place on the old root's handle (a netem or tbf), else a free one. */
	if (t.before_q.kind != NN_QDISC_OTHER)
		t.during_q.handle = root.handle;
	else if (nn_qdisc_free_handle(ns, li.ifindex, &t.during_q.handle, e) < 0)
		return -e->code;
	{
		uint32_t h = t.during_q.handle;

		timed_qdisc_of(want, &t.during_q);
		t.during_q.handle = h;
	}
	/* A pending timed change of this root, still as it made it: taken over. */
	if (nn_timed_load(ctx, &v, &n, NULL, e) < 0)
		return -e->code;
	if (!(keep = calloc(n + 1, sizeof(*keep))))
		return nn_error_set(e, ENOMEM, "cannot add a timed record");
	for (size_t i = 0; i < n; i++) {
		struct nn_qdisc_info was;

		info_of(&v[i].during_q, &was);
		if (!taken && v[i].kind == NN_TIMED_QDISC && v[i].ns_cookie == cookie &&
		    v[i].ifindex == li.ifindex && t.before_q.kind != NN_QDISC_OTHER &&
		    v[i].during_q.handle == root.handle && nn_qdisc_same(&was, &root)) {
			taken = v[i].id;
			t.before_q = v[i].before_q;
			continue;
		}
		keep[k++] = v[i];
	}
	keep[k++] = t;
	ours_new = t.before_q.kind == NN_QDISC_OTHER;
	if (nn_timed_store(ctx, keep, k, e) < 0)
		return -e->code;
	if (nn_reverter_ensure(ctx, reverter_argv, NULL, e) < 0)
		goto undo_records;
	/* A qdisc where there was none is netnsctl's: cleanup removes it. */
	nn_proof_qdisc(&proof, t.during_q.handle, li.ifindex);
	if (ours_new && nn_journal_intent(ctx, NN_OBJ_QDISC, nsname, ifname, owner, &proof, e) < 0)
		goto undo_records;
	if (want->kind == NN_QDISC_NETEM)
		ret = nn_qdisc_netem_replace(ns, li.ifindex, t.during_q.handle, &want->u.netem, e);
	else
		ret = nn_qdisc_tbf_replace(ns, li.ifindex, t.during_q.handle, &want->u.tbf, e);
	if (ret < 0) {
		if (ours_new)
			nn_journal_retract(ctx, NN_OBJ_QDISC, nsname, ifname, &ignored);
		goto undo_records;
	}
	if (ours_new &&
	    nn_journal_made(ctx, NN_OBJ_QDISC, nsname, ifname, (uint64_t)li.ifindex, owner, &proof, e) < 0)
		return -e->code;
	return 1;
undo_records:
	nn_timed_store(ctx, v, n, &ignored);
	return -e->code;
}

/* --- partitions --- */

int nn_change_partition(struct nn_ctx *ctx, const char *const *a, size_t na,
			const char *const *b, size_t nb, uint64_t for_ns,
			char *const reverter_argv[], char idbuf[NN_PARTITION_ID_MAX], struct nn_error *e)
{
	_cleanup_free_ struct nn_timed *v = NULL, *recs = NULL;
	_cleanup_free_ struct nn_ns **nss = NULL;
	struct nn_error ignored = { 0 };
	char id[NN_PARTITION_ID_MAX];
	uint64_t change, nonce;
	size_t n = 0;

	if (nn_partition_check_groups(a, na, b, nb, e) < 0)
		return -e->code;
	nn_partition_id(id, a, na, b, nb);
	if (idbuf)
		snprintf(idbuf, NN_PARTITION_ID_MAX, "%s", id);
	if (nn_timed_load(ctx, &v, &n, NULL, e) < 0)
		return -e->code;
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == NN_TIMED_PARTITION && !strcmp(v[i].name, id))
			return 0;
	if (!(nss = calloc(na + nb, sizeof(*nss))) || !(recs = calloc(na + nb, sizeof(*recs))))
		return nn_error_set(e, ENOMEM, "cannot make partition %s", id);
	change = nn_timed_new_id();
	nonce = nn_timed_new_id();
	for (size_t i = 0; i < na + nb; i++) {
		const char *name = i < na ? a[i] : b[i - na];
		uint64_t cookie;

		if (ns_open(ctx, name, &nss[i], &cookie, e) < 0)
			return -e->code;
		record_init(&recs[i], change, for_ns, NN_TIMED_PARTITION, name, id, cookie, 0);
		recs[i].nonce = nonce;
	}
	if (arm(ctx, recs, na + nb, reverter_argv, e) < 0)
		return -e->code;
	if (nn_partition_add(nss, na, nss + na, nb, id, nonce, e) < 0) {
		nn_timed_disarm(ctx, change, &ignored);
		return -e->code;
	}
	return 1;
}

int nn_change_heal(struct nn_ctx *ctx, const char *id, size_t *healed, struct nn_error *e)
{
	_cleanup_free_ struct nn_timed *v = NULL;
	_cleanup_free_ uint64_t *done = NULL;
	size_t n = 0, k = 0, nd = 0;
	int first = 0;

	if (healed)
		*healed = 0;
	if (id && nn_partition_id_check(id, e) < 0)
		return -e->code;
	if (nn_timed_load(ctx, &v, &n, NULL, e) < 0)
		return -e->code;
	if (!(done = calloc(n + 1, sizeof(*done))))
		return nn_error_set(e, ENOMEM, "cannot heal");
	for (size_t i = 0; i < n; i++) {
		struct nn_error err = { 0 };
		struct nn_ns *ns;
		uint64_t cookie;
		bool seen = false;
		int ret;

		if (v[i].kind != NN_TIMED_PARTITION || (id && strcmp(v[i].name, id))) {
			v[k++] = v[i];
			continue;
		}
		ret = ns_open(ctx, v[i].ns, &ns, &cookie, &err);
		/* A namespace gone, or another of its name: its rules went with it. */
		if (ret == 0 && cookie == v[i].ns_cookie)
			ret = nn_partition_ns_del(ns, v[i].name, v[i].nonce, &err);
		else if (ret == -ENOENT || ret == 0)
			ret = 0;
		if (ret < 0) {
			if (!first) {
				*e = err;
				first = ret;
			}
			v[k++] = v[i];	/* kept: cleanup tries again */
			continue;
		}
		for (size_t j = 0; j < nd && !seen; j++)
			seen = done[j] == v[i].id;
		if (!seen)
			done[nd++] = v[i].id;
	}
	if (k != n && nn_timed_store(ctx, v, k, first ? &(struct nn_error){ 0 } : e) < 0 && !first)
		return -e->code;
	if (healed)
		*healed = nd;
	return first ? first : nd > 0;
}
