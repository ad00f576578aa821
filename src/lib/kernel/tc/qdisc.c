// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Root qdiscs: netem and tbf specs, their TCA_OPTIONS codecs, the requests
 * that set, clear and dump them, and their text and JSON forms.
 *
 * Both kinds are built with libmnl.  libnl 3.7's netem over-counts its
 * message (ASan: heap over-read with a distribution table), cannot send
 * rate, 64-bit delays or slot, and leaves out reorder/corrupt when zero, so a
 * replace could never clear them.  Its tbf takes the rate as an int (at most
 * ~17 Gbit/s) and cannot send TCA_TBF_RATE64 or the exact TCA_TBF_BURST; with
 * libmnl one code path serves both kinds, any rate, and carries the kernel's
 * extended ack to the user.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "netnsctl/qdisc.h"
#include "netnsctl/units.h"
#include "util/cleanup.h"
#include "kernel/tc/netem_dist.h"
#include "util/show.h"
#include "kernel/nl.h"
#include "kernel/tc/tcmsg.h"

/* Option names as the CLI spells them, for messages. */
#define OPT_DELAY "--delay"
#define OPT_JITTER "--jitter"
#define OPT_DELAY_CORR "--correlation"
#define OPT_DIST "--distribution"
#define OPT_LOSS "--loss"
#define OPT_LOSS_CORR "--loss-correlation"
#define OPT_DUP "--duplicate"
#define OPT_DUP_CORR "--duplicate-correlation"
#define OPT_REORDER "--reorder"
#define OPT_REORDER_CORR "--reorder-correlation"
#define OPT_GAP "--gap"
#define OPT_CORRUPT "--corrupt"
#define OPT_CORRUPT_CORR "--corrupt-correlation"
#define OPT_RATE "--rate"
#define OPT_LIMIT "--limit"
#define OPT_LATENCY "--latency"

#define NETEM_DEFAULT_LIMIT 1000
/* Kernel psched ticks are 64 ns (PSCHED_SHIFT 6; /proc/net/psched says so too). */
#define PSCHED_SHIFT 6
#define NSEC_PER_SEC 1000000000ULL
#define TBF_DEFAULT_LATENCY_NS (50 * 1000000ULL)
/* Two full Ethernet frames: a bucket below one MTU drops every large packet. */
#define TBF_MIN_BURST (2 * 1514U)
/* 20 ms of traffic: tbf needs at least one timer tick's worth (10 ms at
 * HZ=100), and with only that much a host or VM that stalls loses tokens and
 * measurably undershoots the rate (seen in UML: 8.7 of 10 Mbit/s with 4 ms). */
#define TBF_BURST_DIVISOR 50

typedef unsigned __int128 u128;

static uint32_t clamp_u32(u128 v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint32_t ns_to_ticks(uint64_t ns)
{
	return clamp_u32(ns >> PSCHED_SHIFT);
}

/* -------------------------------------------------------------- netem spec */

static const char *const dist_names[] = {
	[NN_DIST_NONE] = "uniform",
	[NN_DIST_NORMAL] = "normal",
	[NN_DIST_PARETO] = "pareto",
	[NN_DIST_PARETONORMAL] = "paretonormal",
};

const char *nn_netem_dist_name(enum nn_netem_dist dist)
{
	if ((unsigned int)dist >= NN_ARRAY_SIZE(dist_names))
		return "unknown";
	return dist_names[dist];
}

int nn_netem_dist_parse(const char *s, enum nn_netem_dist *dist, struct nn_error *e)
{
	struct nn_shown b;
	size_t i;

	for (i = 0; i < NN_ARRAY_SIZE(dist_names); i++) {
		if (!strcmp(s, dist_names[i])) {
			*dist = (enum nn_netem_dist)i;
			return 0;
		}
	}
	return nn_error_setx(e, EINVAL,
			     "invalid " OPT_DIST " \"%s\": expected uniform, normal, pareto or paretonormal",
			     nn_show(&b, s));
}

/* "--loss-correlation "25%" needs a non-zero --loss" */
static int corr_without_value(struct nn_error *e, const char *corr_opt, uint32_t corr,
			      const char *value_opt)
{
	char p[32];

	return nn_error_setx(e, EINVAL, "%s \"%s\" needs a non-zero %s", corr_opt,
			     nn_format_percent(p, sizeof(p), corr), value_opt);
}

int nn_netem_check(const struct nn_netem *s, struct nn_error *e)
{
	char a[32], b[32];

	if ((unsigned int)s->dist >= NN_ARRAY_SIZE(dist_names))
		return nn_error_setx(e, EINVAL, "invalid " OPT_DIST " %d", (int)s->dist);
	/* The kernel takes delay as an s64 and rejects negative ones. */
	if (s->delay_ns > INT64_MAX)
		return nn_error_setx(e, ERANGE, "invalid " OPT_DELAY " \"%s\": too large",
				     nn_format_time(a, sizeof(a), s->delay_ns));
	/* netem silently caps jitter at INT_MAX ns (tabledist() takes an s32). */
	if (s->jitter_ns > INT32_MAX)
		return nn_error_setx(e, ERANGE,
				     "invalid " OPT_JITTER " \"%s\": netem allows at most %s",
				     nn_format_time(a, sizeof(a), s->jitter_ns),
				     nn_format_time(b, sizeof(b), INT32_MAX));
	if (s->jitter_ns && !s->delay_ns)
		return nn_error_setx(e, EINVAL, OPT_JITTER " \"%s\" needs a non-zero " OPT_DELAY,
				     nn_format_time(a, sizeof(a), s->jitter_ns));
	if (s->dist != NN_DIST_NONE && !s->jitter_ns)
		return nn_error_setx(e, EINVAL, OPT_DIST " \"%s\" needs a non-zero " OPT_JITTER,
				     nn_netem_dist_name(s->dist));
	/* The delay correlation correlates successive jitter values: nothing without jitter. */
	if (s->delay_corr && !s->jitter_ns)
		return corr_without_value(e, OPT_DELAY_CORR, s->delay_corr, OPT_JITTER);
	if (s->loss_corr && !s->loss)
		return corr_without_value(e, OPT_LOSS_CORR, s->loss_corr, OPT_LOSS);
	if (s->duplicate_corr && !s->duplicate)
		return corr_without_value(e, OPT_DUP_CORR, s->duplicate_corr, OPT_DUP);
	if (s->reorder_corr && !s->reorder)
		return corr_without_value(e, OPT_REORDER_CORR, s->reorder_corr, OPT_REORDER);
	if (s->corrupt_corr && !s->corrupt)
		return corr_without_value(e, OPT_CORRUPT_CORR, s->corrupt_corr, OPT_CORRUPT);
	/* Reordered packets are the ones sent without the delay (tc rejects this too). */
	if (s->reorder && !s->delay_ns)
		return nn_error_setx(e, EINVAL, OPT_REORDER " \"%s\" needs a non-zero " OPT_DELAY,
				     nn_format_percent(a, sizeof(a), s->reorder));
	if (s->gap && !s->reorder)
		return nn_error_setx(e, EINVAL, OPT_GAP " \"%u\" needs a non-zero " OPT_REORDER,
				     s->gap);
	return 0;
}

void nn_netem_normalize(struct nn_netem *s)
{
	if (!s->limit)
		s->limit = NETEM_DEFAULT_LIMIT;
	/* The kernel reorders only when gap > 0; tc sends 1 for a bare reorder. */
	if (s->reorder && !s->gap)
		s->gap = 1;
}

/* ------------------------------------------------------------- netem codec */

int nn_netem_encode(struct nlmsghdr *nlh, const struct nn_netem *spec, struct nn_error *e)
{
	struct nn_netem s = *spec;
	struct tc_netem_qopt qopt;
	struct tc_netem_corr corr;
	struct tc_netem_reorder reorder;
	struct tc_netem_corrupt corrupt;
	struct tc_netem_rate rate;
	struct tc_netem_slot slot;
	struct nlattr *opts;
	int ret;

	ret = nn_netem_check(&s, e);
	if (ret < 0)
		return ret;
	nn_netem_normalize(&s);

	memset(&qopt, 0, sizeof(qopt));
	/* Superseded by LATENCY64/JITTER64; kept right for kernels before 4.15. */
	qopt.latency = ns_to_ticks(s.delay_ns);
	qopt.jitter = ns_to_ticks(s.jitter_ns);
	qopt.limit = s.limit;
	qopt.loss = s.loss;
	qopt.gap = s.gap;
	qopt.duplicate = s.duplicate;

	memset(&corr, 0, sizeof(corr));
	corr.delay_corr = s.delay_corr;
	corr.loss_corr = s.loss_corr;
	corr.dup_corr = s.duplicate_corr;

	memset(&reorder, 0, sizeof(reorder));
	reorder.probability = s.reorder;
	reorder.correlation = s.reorder_corr;

	memset(&corrupt, 0, sizeof(corrupt));
	corrupt.probability = s.corrupt;
	corrupt.correlation = s.corrupt_corr;

	memset(&rate, 0, sizeof(rate));
	rate.rate = s.rate > UINT32_MAX ? UINT32_MAX : (uint32_t)s.rate;

	memset(&slot, 0, sizeof(slot));

	mnl_attr_put_strz(nlh, TCA_KIND, "netem");
	opts = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, TCA_OPTIONS, sizeof(qopt), &qopt);
	/*
	 * netem_change() keeps the old value of every optional attribute that
	 * is absent (correlations, reorder, corrupt, rate, ecn, slot, the
	 * distribution table), so send them all, zeros included.
	 */
	mnl_attr_put(nlh, TCA_NETEM_CORR, sizeof(corr), &corr);
	mnl_attr_put(nlh, TCA_NETEM_REORDER, sizeof(reorder), &reorder);
	mnl_attr_put(nlh, TCA_NETEM_CORRUPT, sizeof(corrupt), &corrupt);
	mnl_attr_put(nlh, TCA_NETEM_RATE, sizeof(rate), &rate);
	/* The kernel uses max(RATE, RATE64): RATE alone clears an old RATE64. */
	if (s.rate > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_NETEM_RATE64, s.rate);
	mnl_attr_put_u32(nlh, TCA_NETEM_ECN, 0);
	mnl_attr_put(nlh, TCA_NETEM_SLOT, sizeof(slot), &slot);
	mnl_attr_put(nlh, TCA_NETEM_LATENCY64, sizeof(int64_t), &(int64_t){ (int64_t)s.delay_ns });
	mnl_attr_put(nlh, TCA_NETEM_JITTER64, sizeof(int64_t), &(int64_t){ (int64_t)s.jitter_ns });
	/*
	 * A table only matters with jitter.  There is no way to remove one, so
	 * "no distribution" sends the uniform table that stands for the
	 * kernel's own uniform jitter, replacing any earlier one.
	 */
	if (s.jitter_ns) {
		int16_t table[NN_NETEM_DIST_SIZE];

		if (nn_netem_dist_table(s.dist, table) < 0)
			return nn_error_setx(e, EINVAL, "invalid " OPT_DIST " %d", (int)s.dist);
		mnl_attr_put(nlh, TCA_NETEM_DELAY_DIST, sizeof(table), table);
	}
	nn_nest_end(nlh, opts);
	return 0;
}

/* Which of our tables this is; NN_DIST_NONE for uniform or a foreign one. */
static enum nn_netem_dist dist_of_table(const struct nlattr *a)
{
	int16_t table[NN_NETEM_DIST_SIZE];
	int d;

	if (nn_attr_len(a) != sizeof(table))
		return NN_DIST_NONE;
	for (d = NN_DIST_NORMAL; d <= NN_DIST_PARETONORMAL; d++) {
		if (nn_netem_dist_table((enum nn_netem_dist)d, table) == 0 &&
		    !memcmp(table, nn_attr_data(a), sizeof(table)))
			return (enum nn_netem_dist)d;
	}
	return NN_DIST_NONE;
}

static int get_s64_ns(const struct nlattr *a, uint64_t *out)
{
	int64_t v;

	if (nn_attr_copy(a, &v, sizeof(v)) < 0 || v < 0)
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

int nn_netem_decode(const struct nlattr *options, struct nn_netem *out, struct nn_error *e)
{
	const struct nlattr *tb[TCA_NETEM_MAX + 1];
	struct tc_netem_qopt qopt;
	struct nn_netem s;
	size_t len = nn_attr_len(options), head = NLA_ALIGN(sizeof(qopt));

	if (options->nla_len < NLA_HDRLEN || len < sizeof(qopt))
		return nn_error_setx(e, EINVAL, "netem options too short (%zu bytes)",
				     options->nla_len < NLA_HDRLEN ? 0 : len);
	memcpy(&qopt, nn_attr_data(options), sizeof(qopt));
	if (nn_attr_parse((const char *)nn_attr_data(options) + head, len > head ? len - head : 0,
			tb, TCA_NETEM_MAX) < 0)
		return nn_error_setx(e, EINVAL, "malformed netem options attribute");

	memset(&s, 0, sizeof(s));
	s.delay_ns = (uint64_t)qopt.latency << PSCHED_SHIFT;
	s.jitter_ns = (uint64_t)qopt.jitter << PSCHED_SHIFT;
	s.limit = qopt.limit;
	s.loss = qopt.loss;
	s.gap = qopt.gap;
	s.duplicate = qopt.duplicate;

	if (tb[TCA_NETEM_LATENCY64] && get_s64_ns(tb[TCA_NETEM_LATENCY64], &s.delay_ns) < 0)
		return nn_error_setx(e, EINVAL, "malformed netem latency attribute");
	if (tb[TCA_NETEM_JITTER64] && get_s64_ns(tb[TCA_NETEM_JITTER64], &s.jitter_ns) < 0)
		return nn_error_setx(e, EINVAL, "malformed netem jitter attribute");
	if (tb[TCA_NETEM_CORR]) {
		struct tc_netem_corr c;

		if (nn_attr_copy(tb[TCA_NETEM_CORR], &c, sizeof(c)) < 0)
			return nn_error_setx(e, EINVAL, "malformed netem correlation attribute");
		s.delay_corr = c.delay_corr;
		s.loss_corr = c.loss_corr;
		s.duplicate_corr = c.dup_corr;
	}
	if (tb[TCA_NETEM_REORDER]) {
		struct tc_netem_reorder r;

		if (nn_attr_copy(tb[TCA_NETEM_REORDER], &r, sizeof(r)) < 0)
			return nn_error_setx(e, EINVAL, "malformed netem reorder attribute");
		s.reorder = r.probability;
		s.reorder_corr = r.correlation;
	}
	if (tb[TCA_NETEM_CORRUPT]) {
		struct tc_netem_corrupt c;

		if (nn_attr_copy(tb[TCA_NETEM_CORRUPT], &c, sizeof(c)) < 0)
			return nn_error_setx(e, EINVAL, "malformed netem corrupt attribute");
		s.corrupt = c.probability;
		s.corrupt_corr = c.correlation;
	}
	if (tb[TCA_NETEM_RATE]) {
		struct tc_netem_rate r;

		if (nn_attr_copy(tb[TCA_NETEM_RATE], &r, sizeof(r)) < 0)
			return nn_error_setx(e, EINVAL, "malformed netem rate attribute");
		s.rate = r.rate;
	}
	if (tb[TCA_NETEM_RATE64]) {
		uint64_t r64;

		if (nn_attr_copy(tb[TCA_NETEM_RATE64], &r64, sizeof(r64)) < 0)
			return nn_error_setx(e, EINVAL, "malformed netem rate64 attribute");
		if (r64 > s.rate)
			s.rate = r64;
	}
	/* Only in our own requests: the kernel does not dump the table. */
	if (tb[TCA_NETEM_DELAY_DIST])
		s.dist = dist_of_table(tb[TCA_NETEM_DELAY_DIST]);
	*out = s;
	return 0;
}

/* --------------------------------------------------------------- tbf codec */

static uint32_t tbf_default_burst(uint64_t rate)
{
	uint64_t b = rate / TBF_BURST_DIVISOR;

	return b < TBF_MIN_BURST ? TBF_MIN_BURST : clamp_u32(b);
}

/* Time to send BYTES at RATE, rounded to the nearest ns. */
static uint64_t bytes_to_ns(uint64_t bytes, uint64_t rate)
{
	u128 ns = ((u128)bytes * NSEC_PER_SEC + rate / 2) / rate;

	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

/* (limit - burst) / rate, to the microsecond as tc shows it. */
static uint64_t tbf_latency_of(uint64_t rate, uint32_t burst, uint32_t limit)
{
	uint64_t ns;

	if (!rate || limit <= burst)
		return 0;
	ns = bytes_to_ns(limit - burst, rate);
	return (ns + 500) / 1000 * 1000;
}

int nn_tbf_check(const struct nn_tbf *s, struct nn_error *e)
{
	if (!s->rate)
		return nn_error_setx(e, EINVAL, "tbf needs a non-zero " OPT_RATE);
	if (s->limit && s->latency_ns)
		return nn_error_setx(e, EINVAL, OPT_LIMIT " and " OPT_LATENCY
				     " exclude each other: give one");
	return 0;
}

void nn_tbf_normalize(struct nn_tbf *s)
{
	if (!s->rate)
		return;
	if (!s->burst)
		s->burst = tbf_default_burst(s->rate);
	if (!s->limit) {
		if (!s->latency_ns)
			s->latency_ns = TBF_DEFAULT_LATENCY_NS;
		s->limit = clamp_u32((u128)s->rate * s->latency_ns / NSEC_PER_SEC + s->burst);
	} else {
		s->latency_ns = tbf_latency_of(s->rate, s->burst, s->limit);
	}
}

int nn_tbf_encode(struct nlmsghdr *nlh, const struct nn_tbf *spec, struct nn_error *e)
{
	struct nn_tbf s = *spec;
	struct tc_tbf_qopt qopt;
	struct nlattr *opts;
	int ret;

	ret = nn_tbf_check(&s, e);
	if (ret < 0)
		return ret;
	nn_tbf_normalize(&s);

	memset(&qopt, 0, sizeof(qopt));
	qopt.rate.rate = s.rate > UINT32_MAX ? UINT32_MAX : (uint32_t)s.rate;
	/* A known link layer spares the rate table tc would compute. */
	qopt.rate.linklayer = TC_LINKLAYER_ETHERNET;
	qopt.limit = s.limit;
	/* Superseded by TCA_TBF_BURST; kept right for older kernels. */
	qopt.buffer = ns_to_ticks(bytes_to_ns(s.burst, s.rate));

	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opts = nn_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(qopt), &qopt);
	if (s.rate > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, s.rate);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, s.burst);
	nn_nest_end(nlh, opts);
	return 0;
}

int nn_tbf_decode(const struct nlattr *options, struct nn_tbf *out, struct nn_error *e)
{
	const struct nlattr *tb[TCA_TBF_MAX + 1];
	struct tc_tbf_qopt qopt;
	struct nn_tbf s;

	if (options->nla_len < NLA_HDRLEN ||
	    nn_attr_parse(nn_attr_data(options), nn_attr_len(options), tb, TCA_TBF_MAX) < 0)
		return nn_error_setx(e, EINVAL, "malformed tbf options attribute");
	if (!tb[TCA_TBF_PARMS] || nn_attr_copy(tb[TCA_TBF_PARMS], &qopt, sizeof(qopt)) < 0)
		return nn_error_setx(e, EINVAL, "tbf options without parameters");

	memset(&s, 0, sizeof(s));
	s.rate = qopt.rate.rate;
	if (tb[TCA_TBF_RATE64]) {
		uint64_t r64;

		if (nn_attr_copy(tb[TCA_TBF_RATE64], &r64, sizeof(r64)) < 0)
			return nn_error_setx(e, EINVAL, "malformed tbf rate64 attribute");
		if (r64 > s.rate)
			s.rate = r64;
	}
	if (!s.rate)
		return nn_error_setx(e, EINVAL, "tbf options with a zero rate");
	s.limit = qopt.limit;
	if (tb[TCA_TBF_BURST]) {
		if (nn_attr_copy(tb[TCA_TBF_BURST], &s.burst, sizeof(s.burst)) < 0)
			return nn_error_setx(e, EINVAL, "malformed tbf burst attribute");
	} else {
		/* The bucket comes back in whole ticks: take the middle of the tick. */
		u128 ns = ((u128)qopt.buffer << PSCHED_SHIFT) + (1U << (PSCHED_SHIFT - 1));

		s.burst = clamp_u32((ns * s.rate + NSEC_PER_SEC / 2) / NSEC_PER_SEC);
	}
	s.latency_ns = tbf_latency_of(s.rate, s.burst, s.limit);
	*out = s;
	return 0;
}

/* ---------------------------------------------------------------- compare */

static bool netem_same(const struct nn_netem *want, const struct nn_netem *have)
{
	struct nn_netem w = *want, h = *have;

	nn_netem_normalize(&w);
	nn_netem_normalize(&h);
	return w.delay_ns == h.delay_ns && w.jitter_ns == h.jitter_ns &&
	       w.delay_corr == h.delay_corr && w.loss == h.loss && w.loss_corr == h.loss_corr &&
	       w.duplicate == h.duplicate && w.duplicate_corr == h.duplicate_corr &&
	       w.reorder == h.reorder && w.reorder_corr == h.reorder_corr &&
	       w.corrupt == h.corrupt && w.corrupt_corr == h.corrupt_corr && w.gap == h.gap &&
	       w.limit == h.limit && w.rate == h.rate;
}

static bool tbf_same(const struct nn_tbf *want, const struct nn_tbf *have)
{
	struct nn_tbf w = *want;
	uint64_t slack, diff;

	nn_tbf_normalize(&w);
	if (w.rate != have->rate || w.limit != have->limit)
		return false;
	/* What nn_tbf_decode() can be off by: half a 64 ns tick of traffic, rounded. */
	slack = (uint64_t)((((u128)w.rate << (PSCHED_SHIFT - 1)) + NSEC_PER_SEC / 2) / NSEC_PER_SEC);
	diff = w.burst > have->burst ? w.burst - have->burst : have->burst - w.burst;
	return diff <= slack;
}

bool nn_qdisc_same(const struct nn_qdisc_info *want, const struct nn_qdisc_info *have)
{
	if (want->kind != have->kind)
		return false;
	switch (want->kind) {
	case NN_QDISC_NETEM:
		return netem_same(&want->u.netem, &have->u.netem);
	case NN_QDISC_TBF:
		return tbf_same(&want->u.tbf, &have->u.tbf);
	default:
		return !strcmp(want->kind_name, have->kind_name);
	}
}

/* --------------------------------------------------------- kernel requests */

typedef int (*encode_fn)(struct nlmsghdr *nlh, const void *spec, struct nn_error *e);

static int encode_netem(struct nlmsghdr *nlh, const void *spec, struct nn_error *e)
{
	return nn_netem_encode(nlh, spec, e);
}

static int encode_tbf(struct nlmsghdr *nlh, const void *spec, struct nn_error *e)
{
	return nn_tbf_encode(nlh, spec, e);
}

/* Send a built RTM_NEWQDISC; a missing qdisc module gets its own message. */
static int send_replace(struct nn_ns *ns, struct nlmsghdr *nlh, const char *kind,
			const char *what, struct nn_error *e)
{
	int ret = nn_mnl_talk(ns, nlh, NULL, NULL, e, "%s", what);

	if (ret == -ENOENT) {
		/* Many tc failures are ENOENT; only the extended ack tells them apart. */
		size_t n = strlen(what);

		if (!strncmp(e->msg, what, n) && !strncmp(e->msg + n, ": ", 2) &&
		    strstr(e->msg + n, "kind is unknown")) {
			char kernel[NN_ERROR_MAX];

			snprintf(kernel, sizeof(kernel), "%s", e->msg + n + 2);
			return nn_error_setx(e, ENOENT, "this kernel has no sch_%s (%s)", kind, kernel);
		}
	}
	return ret;
}

int nn_qdisc_kind_probe(struct nn_ns *ns, const char *kind, struct nn_error *e)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	char what[96];
	int ret;

	if (strcmp(kind, "netem") && strcmp(kind, "tbf") && strcmp(kind, "htb"))
		return nn_error_setx(e, EINVAL, "cannot probe for qdisc kind \"%s\"", kind);
	/*
	 * A new root on lo (ifindex 1 in every namespace), exclusive, without
	 * TCA_OPTIONS.  The kernel looks the kind up (loading its module when
	 * it can) before anything else about the qdisc: a missing kind is
	 * ENOENT "Specified qdisc kind is unknown".  A known netem, tbf or htb then
	 * refuses to start without options (EINVAL) and is freed: nothing
	 * changes.  Any other answer (EEXIST: lo has a root of its own) does
	 * not prove the kind missing, and the real step will tell.
	 */
	nlh = nn_tc_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, 1, TC_H_ROOT, 0, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, kind);
	snprintf(what, sizeof(what), "cannot probe for qdisc %s", kind);
	ret = send_replace(ns, nlh, kind, what, e);
	if (ret == -ENOENT && !strncmp(e->msg, "this kernel has no sch_", 23))
		return 0;
	nn_error_clear(e);
	if (ret == 0) {
		/* Made after all (an init that took no options): undo it. */
		nlh = nn_tc_request(buf, RTM_DELQDISC, 0, 1, TC_H_ROOT, 0, 0);
		nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot remove the probe qdisc %s", kind);
		nn_error_clear(e);
	}
	return 1;
}

int nn_qdisc_root(struct nn_ns *ns, int ifindex, struct nn_qdisc_info *root,
		  struct nn_error *e)
{
	_cleanup_free_ struct nn_qdisc_info *qs = NULL;
	size_t n = 0, i;
	int ret;

	memset(root, 0, sizeof(*root));
	ret = nn_qdisc_list(ns, ifindex, &qs, &n, e);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		if (qs[i].parent == TC_H_ROOT) {
			*root = qs[i];
			return 1;
		}
	}
	return 0;
}

static int qdisc_replace(struct nn_ns *ns, int ifindex, uint32_t handle, const char *kind,
			 encode_fn encode, const void *spec, struct nn_error *e)
{
	_cleanup_free_ void *buf = calloc(1, NN_QDISC_MSG_SPACE);
	struct nn_qdisc_info root;
	struct nn_error lookup = { 0 };
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	char what[160];
	int ret;

	if (!buf)
		return nn_error_set(e, ENOMEM, "cannot set %s", kind);
	if (!handle || TC_H_MIN(handle))
		return nn_error_setx(e, EINVAL, "invalid qdisc handle %x:%x", TC_H_MAJ(handle) >> 16,
				     TC_H_MIN(handle));
	nlh = nn_tc_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, TC_H_ROOT, handle, 0);
	tcm = mnl_nlmsg_get_payload(nlh);
	ret = encode(nlh, spec, e);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "cannot set %s as root qdisc of ifindex %d in %s", kind,
		 ifindex, nn_ns_label(ns));
	ret = send_replace(ns, nlh, kind, what, e);
	if (ret != -EINVAL)
		return ret;

	/*
	 * A root of another kind under our handle makes the kernel refuse
	 * ("Invalid qdisc name"): it would have to change that qdisc in place.
	 * Deleting it first would leave the old qdisc gone if the new one then
	 * failed.  Instead graft the new qdisc with a kernel-chosen handle
	 * (which replaces the root atomically, or fails changing nothing), then
	 * once more with our handle, which now names no qdisc and so is created
	 * and grafted in place of the temporary one.
	 */
	if (nn_qdisc_root(ns, ifindex, &root, &lookup) <= 0 || root.handle != handle ||
	    !strcmp(root.kind_name, kind))
		return ret;
	tcm->tcm_handle = 0;
	ret = send_replace(ns, nlh, kind, what, e);
	if (ret < 0)
		return ret;
	tcm->tcm_handle = handle;
	return send_replace(ns, nlh, kind, what, e);
}

int nn_qdisc_netem_replace(struct nn_ns *ns, int ifindex, uint32_t handle,
			   const struct nn_netem *spec, struct nn_error *e)
{
	return qdisc_replace(ns, ifindex, handle, "netem", encode_netem, spec, e);
}

int nn_qdisc_tbf_replace(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tbf *spec,
			 struct nn_error *e)
{
	return qdisc_replace(ns, ifindex, handle, "tbf", encode_tbf, spec, e);
}

int nn_qdisc_free_handle(struct nn_ns *ns, int ifindex, uint32_t *handle, struct nn_error *e)
{
	_cleanup_free_ struct nn_qdisc_info *qs = NULL;
	size_t n = 0;

	if (nn_qdisc_list(ns, ifindex, &qs, &n, e) < 0)
		return -e->code;
	for (;;) {
		uint16_t r;
		bool used = false;

		while (getrandom(&r, sizeof(r), 0) != sizeof(r))
			;
		*handle = (uint32_t)(NN_QDISC_HANDLE_MIN + r % (NN_QDISC_HANDLE_MAX - NN_QDISC_HANDLE_MIN + 1))
			  << 16;
		for (size_t i = 0; i < n && !used; i++)
			used = TC_H_MAJ(qs[i].handle) == *handle;
		if (!used)
			return 0;
	}
}

int nn_qdisc_clear(struct nn_ns *ns, int ifindex, struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	int ret;

	memset(buf, 0, sizeof(buf));
	nlh = nn_tc_request(buf, RTM_DELQDISC, 0, ifindex, TC_H_ROOT, 0, 0);
	ret = nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot remove the root qdisc of ifindex %d in %s",
			  ifindex, nn_ns_label(ns));
	/*
	 * ENOENT: the root is the device's default ("Cannot delete qdisc with
	 * handle of zero") or there is none: nothing to clear.
	 */
	if (ret == -ENOENT) {
		nn_error_clear(e);
		return 0;
	}
	return ret < 0 ? ret : 1;
}

/* -------------------------------------------------------------------- list */

struct list_state {
	int ifindex;
	bool roots;		/* every device's root instead of IFINDEX's qdiscs */
	struct nn_qdisc_info *v;
	size_t n, cap;
	int err;		/* first decode failure; the dump is still drained */
	struct nn_error e;
};

static int decode_qdisc(const struct nlmsghdr *nlh, struct nn_qdisc_info *q, struct nn_error *e)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TCA_MAX + 1];
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*tcm));
	const char *kind;

	if (nn_attr_parse((const char *)nlh + off, nlh->nlmsg_len - off, tb, TCA_MAX) < 0)
		return nn_error_setx(e, EINVAL, "malformed qdisc message");
	if (!tb[TCA_KIND] || !nn_attr_len(tb[TCA_KIND]) ||
	    strnlen(nn_attr_data(tb[TCA_KIND]), nn_attr_len(tb[TCA_KIND])) == nn_attr_len(tb[TCA_KIND]))
		return nn_error_setx(e, EINVAL, "qdisc message without a kind");
	kind = nn_attr_data(tb[TCA_KIND]);

	memset(q, 0, sizeof(*q));
	snprintf(q->kind_name, sizeof(q->kind_name), "%s", kind);
	q->handle = tcm->tcm_handle;
	q->parent = tcm->tcm_parent;
	if (!strcmp(kind, "netem"))
		q->kind = NN_QDISC_NETEM;
	else if (!strcmp(kind, "tbf"))
		q->kind = NN_QDISC_TBF;
	if (q->kind == NN_QDISC_OTHER)
		return 0;
	if (!tb[TCA_OPTIONS])
		return nn_error_setx(e, EINVAL, "%s qdisc without options", kind);
	if (q->kind == NN_QDISC_NETEM)
		return nn_netem_decode(tb[TCA_OPTIONS], &q->u.netem, e);
	return nn_tbf_decode(tb[TCA_OPTIONS], &q->u.tbf, e);
}

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_state *st = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct nn_qdisc_info q = { 0 };

	if (st->err || nlh->nlmsg_type != RTM_NEWQDISC)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*tcm))) {
		st->err = nn_error_setx(&st->e, EPROTO, "truncated qdisc message");
		return MNL_CB_OK;
	}
	if (st->roots ? tcm->tcm_parent != TC_H_ROOT : tcm->tcm_ifindex != st->ifindex)
		return MNL_CB_OK;
	if (decode_qdisc(nlh, &q, &st->e) < 0) {
		if (!st->roots) {
			st->err = -st->e.code;
			return MNL_CB_OK;
		}
		/* One root that does not decode must not hide the others:
		 * it stays, as a kind netnsctl does not know. */
		char name[sizeof(q.kind_name)];

		snprintf(name, sizeof(name), "%s", *q.kind_name ? q.kind_name : "?");
		memset(&q, 0, sizeof(q));
		snprintf(q.kind_name, sizeof(q.kind_name), "%s", name);
		q.handle = tcm->tcm_handle;
		q.parent = tcm->tcm_parent;
		nn_error_clear(&st->e);
	}
	q.ifindex = tcm->tcm_ifindex;
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 4;
		struct nn_qdisc_info *v = reallocarray(st->v, cap, sizeof(*v));

		if (!v) {
			st->err = nn_error_set(&st->e, ENOMEM, "cannot list qdiscs");
			return MNL_CB_OK;
		}
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = q;
	return MNL_CB_OK;
}

static void list_reset(void *data)
{
	struct list_state *st = data;

	st->n = 0;
	st->err = 0;
	nn_error_clear(&st->e);
}

int nn_qdisc_list(struct nn_ns *ns, int ifindex, struct nn_qdisc_info **out, size_t *n,
		  struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct list_state st = { .ifindex = ifindex };
	struct nlmsghdr *nlh;
	size_t i;
	int ret;

	memset(buf, 0, sizeof(buf));
	/* The kernel dumps every device's qdiscs; the callback keeps IFINDEX's. */
	nlh = nn_tc_request(buf, RTM_GETQDISC, NLM_F_DUMP, ifindex, 0, 0, 0);
	ret = nn_mnl_dump(ns, nlh, list_cb, &st, list_reset, e,
			  "cannot list the qdiscs of ifindex %d in %s", ifindex, nn_ns_label(ns));
	if (ret == 0 && st.err) {
		*e = st.e;
		nn_error_prefix(e, "cannot list the qdiscs of ifindex %d in %s", ifindex,
				nn_ns_label(ns));
		ret = st.err;
	}
	if (ret < 0) {
		free(st.v);
		return ret;
	}
	/* The kernel dumps a device's root first; make sure of it. */
	for (i = 1; i < st.n; i++) {
		if (st.v[i].parent == TC_H_ROOT) {
			struct nn_qdisc_info root = st.v[i];

			memmove(&st.v[1], &st.v[0], i * sizeof(*st.v));
			st.v[0] = root;
			break;
		}
	}
	*out = st.v;
	*n = st.n;
	return 0;
}

static int cmp_ifindex(const void *a, const void *b)
{
	const struct nn_qdisc_info *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

int nn_qdisc_roots(struct nn_ns *ns, struct nn_qdisc_info **out, size_t *n, struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct list_state st = { .roots = true };
	struct nlmsghdr *nlh;
	int ret;

	memset(buf, 0, sizeof(buf));
	nlh = nn_tc_request(buf, RTM_GETQDISC, NLM_F_DUMP, 0, 0, 0, 0);
	ret = nn_mnl_dump(ns, nlh, list_cb, &st, list_reset, e, "cannot list the qdiscs in %s",
			  nn_ns_label(ns));
	if (ret == 0 && st.err) {
		*e = st.e;
		nn_error_prefix(e, "cannot list the qdiscs in %s", nn_ns_label(ns));
		ret = st.err;
	}
	if (ret < 0) {
		free(st.v);
		return ret;
	}
	if (st.n)
		qsort(st.v, st.n, sizeof(*st.v), cmp_ifindex);
	*out = st.v;
	*n = st.n;
	return 0;
}

static int cmp_key_ifindex(const void *key, const void *elem)
{
	int k = *(const int *)key, i = ((const struct nn_qdisc_info *)elem)->ifindex;

	return (k > i) - (k < i);
}

const struct nn_qdisc_info *nn_qdisc_find(const struct nn_qdisc_info *roots, size_t n, int ifindex)
{
	return n ? bsearch(&ifindex, roots, n, sizeof(*roots), cmp_key_ifindex) : NULL;
}

/* ------------------------------------------------------------------ format */

static void put_time(struct nn_out *o, const char *name, uint64_t ns)
{
	char t[48];

	if (ns)
		nn_out_put(o, " %s %s", name, nn_format_time(t, sizeof(t), ns));
}

static void put_percent(struct nn_out *o, const char *name, uint32_t prob)
{
	char t[48];

	if (prob)
		nn_out_put(o, " %s %s", name, nn_format_percent(t, sizeof(t), prob));
}

static void format_netem(struct nn_out *o, const struct nn_netem *s)
{
	char t[48];

	put_time(o, "delay", s->delay_ns);
	put_time(o, "jitter", s->jitter_ns);
	put_percent(o, "correlation", s->delay_corr);
	if (s->dist != NN_DIST_NONE)
		nn_out_put(o, " distribution %s", nn_netem_dist_name(s->dist));
	put_percent(o, "loss", s->loss);
	put_percent(o, "loss-correlation", s->loss_corr);
	put_percent(o, "duplicate", s->duplicate);
	put_percent(o, "duplicate-correlation", s->duplicate_corr);
	put_percent(o, "reorder", s->reorder);
	put_percent(o, "reorder-correlation", s->reorder_corr);
	/* gap 1 is what a bare reorder means. */
	if (s->gap > 1 || (s->gap && !s->reorder))
		nn_out_put(o, " gap %u", s->gap);
	put_percent(o, "corrupt", s->corrupt);
	put_percent(o, "corrupt-correlation", s->corrupt_corr);
	if (s->rate)
		nn_out_put(o, " rate %s", nn_format_rate(t, sizeof(t), s->rate));
	if (s->limit && s->limit != NETEM_DEFAULT_LIMIT)
		nn_out_put(o, " limit %u", s->limit);
}

static void format_tbf(struct nn_out *o, const struct nn_tbf *s)
{
	char t[48];

	nn_out_put(o, " rate %s", nn_format_rate(t, sizeof(t), s->rate));
	if (s->burst)
		nn_out_put(o, " burst %s", nn_format_size(t, sizeof(t), s->burst));
	if (s->limit)
		nn_out_put(o, " limit %s", nn_format_size(t, sizeof(t), s->limit));
	put_time(o, "latency", s->latency_ns);
}

static const char *kind_of(const struct nn_qdisc_info *q)
{
	switch (q->kind) {
	case NN_QDISC_NETEM:
		return "netem";
	case NN_QDISC_TBF:
		return "tbf";
	default:
		return q->kind_name[0] ? q->kind_name : "unknown";
	}
}

const char *nn_qdisc_format(char *buf, size_t len, const struct nn_qdisc_info *q)
{
	struct nn_out o = { buf, len, 0 };

	if (!len)
		return buf;
	buf[0] = '\0';
	nn_out_put(&o, "%s", kind_of(q));
	if (q->kind == NN_QDISC_NETEM)
		format_netem(&o, &q->u.netem);
	else if (q->kind == NN_QDISC_TBF)
		format_tbf(&o, &q->u.tbf);
	return buf;
}

static void put_json_string(struct nn_out *o, const char *s)
{
	char *js = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&js, &n);

	if (!f)
		return;
	nn_put_json(f, s);
	if (fclose(f) == 0)
		nn_out_put(o, "%s", js);
	free(js);
}

static void put_handle(struct nn_out *o, uint32_t h)
{
	if (h == TC_H_ROOT)
		nn_out_put(o, "\"root\"");
	else if (h == TC_H_INGRESS)
		nn_out_put(o, "\"ingress\"");
	else if (TC_H_MIN(h))
		nn_out_put(o, "\"%x:%x\"", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
	else
		nn_out_put(o, "\"%x:\"", TC_H_MAJ(h) >> 16);
}

static void json_time(struct nn_out *o, const char *name, uint64_t ns)
{
	char t[48];

	nn_out_put(o, ",\"%s\":\"%s\",\"%s_ns\":%llu", name, nn_format_time(t, sizeof(t), ns), name,
	    (unsigned long long)ns);
}

static void json_percent(struct nn_out *o, const char *name, uint32_t prob)
{
	char t[48];

	nn_out_put(o, ",\"%s\":\"%s\",\"%s_prob\":%u", name, nn_format_percent(t, sizeof(t), prob), name,
	    prob);
}

static void json_rate(struct nn_out *o, uint64_t rate)
{
	char t[48];

	nn_out_put(o, ",\"rate\":\"%s\",\"rate_bytes_per_sec\":%llu", nn_format_rate(t, sizeof(t), rate),
	    (unsigned long long)rate);
}

static void json_size(struct nn_out *o, const char *name, uint32_t bytes)
{
	char t[48];

	nn_out_put(o, ",\"%s\":\"%s\",\"%s_bytes\":%u", name, nn_format_size(t, sizeof(t), bytes), name,
	    bytes);
}

const char *nn_qdisc_format_json(char *buf, size_t len, const struct nn_qdisc_info *q)
{
	struct nn_out o = { buf, len, 0 };

	if (!len)
		return buf;
	buf[0] = '\0';
	nn_out_put(&o, "{\"kind\":");
	put_json_string(&o, kind_of(q));
	nn_out_put(&o, ",\"handle\":");
	put_handle(&o, q->handle);
	nn_out_put(&o, ",\"parent\":");
	put_handle(&o, q->parent);
	if (q->kind == NN_QDISC_NETEM) {
		const struct nn_netem *s = &q->u.netem;

		json_time(&o, "delay", s->delay_ns);
		json_time(&o, "jitter", s->jitter_ns);
		json_percent(&o, "correlation", s->delay_corr);
		/* Never in a dump (the kernel keeps the table to itself), so only
		 * a spec names it. */
		if (s->dist != NN_DIST_NONE)
			nn_out_put(&o, ",\"distribution\":\"%s\"", nn_netem_dist_name(s->dist));
		json_percent(&o, "loss", s->loss);
		json_percent(&o, "loss_correlation", s->loss_corr);
		json_percent(&o, "duplicate", s->duplicate);
		json_percent(&o, "duplicate_correlation", s->duplicate_corr);
		json_percent(&o, "reorder", s->reorder);
		json_percent(&o, "reorder_correlation", s->reorder_corr);
		nn_out_put(&o, ",\"gap\":%u", s->gap);
		json_percent(&o, "corrupt", s->corrupt);
		json_percent(&o, "corrupt_correlation", s->corrupt_corr);
		json_rate(&o, s->rate);
		nn_out_put(&o, ",\"limit\":%u", s->limit);
	} else if (q->kind == NN_QDISC_TBF) {
		const struct nn_tbf *s = &q->u.tbf;

		json_rate(&o, s->rate);
		json_size(&o, "burst", s->burst);
		json_size(&o, "limit", s->limit);
		json_time(&o, "latency", s->latency_ns);
	}
	nn_out_put(&o, "}");
	return buf;
}
