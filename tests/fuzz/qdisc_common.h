/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_FUZZ_QDISC_COMMON_H
#define NETNSCTL_FUZZ_QDISC_COMMON_H

/*
 * What fuzz_qdisc_decode and fuzz_qdisc_spec share: building requests,
 * pulling TCA_OPTIONS out of them, and the properties every decoded or
 * encoded spec has.
 */

#include <errno.h>
#include <inttypes.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "netnsctl/qdisc.h"
#include "fuzz.h"

#define QDISC_TEXT_MAX 2048

static inline struct nlmsghdr *qdisc_request(void)
{
	void *buf = calloc(1, NN_QDISC_MSG_SPACE);
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;

	if (!buf)
		abort();
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWQDISC;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_parent = TC_H_ROOT;
	tcm->tcm_handle = NN_QDISC_HANDLE;
	return nlh;
}

/*
 * A heap copy of NLH's TCA_OPTIONS attribute, exactly nla_len bytes, and a
 * check that the message holds TCA_KIND KIND and TCA_OPTIONS, nothing else.
 */
static inline struct nlattr *qdisc_options(const struct nlmsghdr *nlh, const char *kind)
{
	const struct nlattr *a, *opts = NULL;
	const char *k = NULL;
	struct nlattr *copy;

	FUZZ_CHECK(nlh->nlmsg_len <= NN_QDISC_MSG_SPACE, "%u bytes encoded", nlh->nlmsg_len);
	mnl_attr_for_each(a, nlh, sizeof(struct tcmsg)) {
		FUZZ_CHECK(mnl_attr_validate(a, MNL_TYPE_UNSPEC) == 0, "bad attribute");
		if (mnl_attr_get_type(a) == TCA_KIND)
			k = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == TCA_OPTIONS)
			opts = a;
		else
			FUZZ_CHECK(0, "attribute %u in a %s request", mnl_attr_get_type(a), kind);
	}
	FUZZ_CHECK((const void *)a == mnl_nlmsg_get_payload_tail(nlh),
		   "attributes do not fill the message");
	FUZZ_CHECK(k && !strcmp(k, kind), "TCA_KIND \"%s\", expected \"%s\"", k ? k : "",
		   kind);
	FUZZ_CHECK(opts, "no TCA_OPTIONS in a %s request", kind);
	copy = malloc(opts->nla_len);
	if (!copy)
		abort();
	memcpy(copy, opts, opts->nla_len);
	return copy;
}

static inline bool netem_equal(const struct nn_netem *a, const struct nn_netem *b)
{
	return a->delay_ns == b->delay_ns && a->jitter_ns == b->jitter_ns &&
	       a->delay_corr == b->delay_corr && a->loss == b->loss &&
	       a->loss_corr == b->loss_corr && a->duplicate == b->duplicate &&
	       a->duplicate_corr == b->duplicate_corr && a->reorder == b->reorder &&
	       a->reorder_corr == b->reorder_corr && a->corrupt == b->corrupt &&
	       a->corrupt_corr == b->corrupt_corr && a->gap == b->gap && a->limit == b->limit &&
	       a->rate == b->rate && a->dist == b->dist;
}

static inline void netem_print(const char *label, const struct nn_netem *s)
{
	fprintf(stderr,
		"%s: delay %" PRIu64 " jitter %" PRIu64 " corr %" PRIu32 " loss %" PRIu32 "/%" PRIu32
		" dup %" PRIu32 "/%" PRIu32 " reorder %" PRIu32 "/%" PRIu32 " corrupt %" PRIu32
		"/%" PRIu32 " gap %" PRIu32 " limit %" PRIu32 " rate %" PRIu64 " dist %d\n",
		label, s->delay_ns, s->jitter_ns, s->delay_corr, s->loss, s->loss_corr,
		s->duplicate, s->duplicate_corr, s->reorder, s->reorder_corr, s->corrupt,
		s->corrupt_corr, s->gap, s->limit, s->rate, (int)s->dist);
}

static inline void tbf_print(const char *label, const struct nn_tbf *s)
{
	fprintf(stderr, "%s: rate %" PRIu64 " burst %" PRIu32 " limit %" PRIu32
		" latency %" PRIu64 "\n", label, s->rate, s->burst, s->limit, s->latency_ns);
}

/* Text and JSON of Q fit QDISC_TEXT_MAX, and cut to any size are a prefix. */
static inline void qdisc_check_format(const struct nn_qdisc_info *q, size_t cut)
{
	char text[QDISC_TEXT_MAX], json[QDISC_TEXT_MAX];
	size_t n;

	nn_qdisc_format(text, sizeof(text), q);
	n = strlen(text);
	FUZZ_CHECK(n > 0 && n < sizeof(text) - 1, "text of %zu bytes", n);
	FUZZ_CHECK(!strncmp(text, q->kind == NN_QDISC_NETEM ? "netem" : "tbf",
			    q->kind == NN_QDISC_NETEM ? 5 : 3), "text \"%s\"", text);
	FUZZ_CHECK_TRUNCATED(cut, text, nn_qdisc_format(fbuf, flen, q));

	nn_qdisc_format_json(json, sizeof(json), q);
	n = strlen(json);
	FUZZ_CHECK(n > 2 && n < sizeof(json) - 1 && json[0] == '{' && json[n - 1] == '}',
		   "JSON \"%s\"", json);
	FUZZ_CHECK_TRUNCATED(cut, json, nn_qdisc_format_json(fbuf, flen, q));
}

/* HAVE is the same netem as WANT: one field more of delay, loss or rate is
 * not, another distribution is (the kernel does not report it). */
static inline void netem_check_differs(const struct nn_qdisc_info *want,
				       const struct nn_qdisc_info *have)
{
	struct nn_qdisc_info h = *have;

	h.u.netem.delay_ns++;
	FUZZ_CHECK(!nn_qdisc_same(want, &h), "delay + 1 ns is the same netem");
	h = *have;
	h.u.netem.loss++;
	FUZZ_CHECK(!nn_qdisc_same(want, &h), "loss + 1 is the same netem");
	h = *have;
	h.u.netem.rate++;
	FUZZ_CHECK(!nn_qdisc_same(want, &h), "rate + 1 is the same netem");
	h = *have;
	h.u.netem.dist = (h.u.netem.dist + 1) % (NN_DIST_PARETONORMAL + 1);
	FUZZ_CHECK(nn_qdisc_same(want, &h), "the distribution makes another netem");
	h.kind = NN_QDISC_TBF;
	FUZZ_CHECK(!nn_qdisc_same(want, &h), "a tbf is the same as a netem");
}

/* HAVE is the same tbf as WANT: another rate or limit is not; a burst is
 * up to half a 64 ns tick of traffic off (what a kernel dump can be). */
static inline void tbf_check_differs(const struct nn_qdisc_info *want,
				     const struct nn_qdisc_info *have)
{
	struct nn_qdisc_info h = *have;
	uint64_t slack = (uint64_t)(((unsigned __int128)have->u.tbf.rate * 32 + 500000000) /
				    1000000000);

	h.u.tbf.rate++;
	FUZZ_CHECK(!nn_qdisc_same(want, &h), "rate + 1 is the same tbf");
	h = *have;
	h.u.tbf.limit++;
	FUZZ_CHECK(!nn_qdisc_same(want, &h), "limit + 1 is the same tbf");
	if ((uint64_t)have->u.tbf.burst + slack + 1 <= UINT32_MAX) {
		h = *have;
		h.u.tbf.burst += (uint32_t)slack;
		FUZZ_CHECK(nn_qdisc_same(want, &h), "burst + %" PRIu64 " is another tbf", slack);
		h.u.tbf.burst++;
		FUZZ_CHECK(!nn_qdisc_same(want, &h), "burst + %" PRIu64 " is the same tbf",
			   slack + 1);
	}
}

/*
 * SPEC passed nn_netem_check: it encodes, the encoding decodes to SPEC
 * normalized, compares same as SPEC, and encodes again byte for byte the same.
 */
static inline void netem_roundtrip(const struct nn_netem *spec)
{
	struct nlmsghdr *nlh = qdisc_request(), *again = qdisc_request();
	struct nlattr *opts;
	struct nn_qdisc_info want = { .kind = NN_QDISC_NETEM, .kind_name = "netem" };
	struct nn_qdisc_info have = want;
	struct nn_error e;
	int ret;

	fuzz_error_poison(&e);
	ret = nn_netem_encode(nlh, spec, &e);
	if (ret < 0)
		netem_print("spec", spec);
	FUZZ_CHECK(ret == 0, "checked netem spec does not encode: %d %.512s", ret, e.msg);
	opts = qdisc_options(nlh, "netem");
	ret = nn_netem_decode(opts, &have.u.netem, &e);
	FUZZ_CHECK(ret == 0, "own netem encoding does not decode: %d %.512s", ret, e.msg);

	want.u.netem = *spec;
	nn_netem_normalize(&want.u.netem);
	if (!netem_equal(&want.u.netem, &have.u.netem)) {
		netem_print("spec", spec);
		netem_print("decoded", &have.u.netem);
		FUZZ_CHECK(0, "netem decode(encode(spec)) is not the normalized spec");
	}
	FUZZ_CHECK(nn_qdisc_same(&want, &have) && nn_qdisc_same(&have, &want),
		   "netem spec and its decoding are not the same qdisc");
	netem_check_differs(&want, &have);

	ret = nn_netem_encode(again, &have.u.netem, &e);
	FUZZ_CHECK(ret == 0 && again->nlmsg_len == nlh->nlmsg_len &&
		   !memcmp(again, nlh, nlh->nlmsg_len),
		   "netem re-encodes differently: %d", ret);
	free(opts);
	free(again);
	free(nlh);
}

/*
 * SPEC passed nn_tbf_check: it encodes, and decodes to SPEC normalized
 * (latency only when a limit was given: otherwise the decoder derives it
 * from the limit the encoder computed, rounded), and compares same as SPEC.
 */
static inline void tbf_roundtrip(const struct nn_tbf *spec)
{
	struct nlmsghdr *nlh = qdisc_request(), *again = qdisc_request();
	struct nlattr *opts;
	struct nn_qdisc_info want = { .kind = NN_QDISC_TBF, .kind_name = "tbf" };
	struct nn_qdisc_info have = want;
	struct nn_tbf norm = *spec, respec;
	struct nn_error e;
	int ret;

	fuzz_error_poison(&e);
	ret = nn_tbf_encode(nlh, spec, &e);
	if (ret < 0)
		tbf_print("spec", spec);
	FUZZ_CHECK(ret == 0, "checked tbf spec does not encode: %d %.512s", ret, e.msg);
	opts = qdisc_options(nlh, "tbf");
	ret = nn_tbf_decode(opts, &have.u.tbf, &e);
	FUZZ_CHECK(ret == 0, "own tbf encoding does not decode: %d %.512s", ret, e.msg);

	nn_tbf_normalize(&norm);
	if (have.u.tbf.rate != norm.rate || have.u.tbf.burst != norm.burst ||
	    have.u.tbf.limit != norm.limit ||
	    (spec->limit && have.u.tbf.latency_ns != norm.latency_ns)) {
		tbf_print("spec", spec);
		tbf_print("normalized", &norm);
		tbf_print("decoded", &have.u.tbf);
		FUZZ_CHECK(0, "tbf decode(encode(spec)) is not the normalized spec");
	}
	want.u.tbf = *spec;
	FUZZ_CHECK(nn_qdisc_same(&want, &have), "tbf spec and its decoding are not the same qdisc");
	tbf_check_differs(&want, &have);

	/* What show reports, given back as a spec, is the same qdisc again. */
	respec = have.u.tbf;
	respec.latency_ns = 0;
	ret = nn_tbf_encode(again, &respec, &e);
	FUZZ_CHECK(ret == 0 && again->nlmsg_len == nlh->nlmsg_len &&
		   !memcmp(again, nlh, nlh->nlmsg_len),
		   "tbf re-encodes differently: %d", ret);
	free(opts);
	free(again);
	free(nlh);
}

#endif
