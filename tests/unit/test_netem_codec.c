// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "netnsctl/qdisc.h"
#include "netnsctl/units.h"
#include "util/cleanup.h"
#include "kernel/tc/netem_dist.h"

#define MS 1000000ULL

/* ------------------------------------------------------------ helpers */

static struct nlmsghdr *new_request(void)
{
	void *buf = calloc(1, NN_QDISC_MSG_SPACE);
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;

	assert_non_null(buf);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWQDISC;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_parent = TC_H_ROOT;
	return nlh;
}

static const struct nlattr *top_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct tcmsg))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/* A nested attribute of netem's TCA_OPTIONS, which start with struct tc_netem_qopt. */
static const struct nlattr *netem_attr(const struct nlattr *opts, uint16_t type)
{
	const void *p = (const char *)mnl_attr_get_payload(opts) + NLA_ALIGN(sizeof(struct tc_netem_qopt));
	size_t len = mnl_attr_get_payload_len(opts) - NLA_ALIGN(sizeof(struct tc_netem_qopt));
	const struct nlattr *attr;

	mnl_attr_for_each_payload(p, len)
		if (mnl_attr_get_type(attr) == type)
			return attr;
	return NULL;
}

/* An exact-size heap copy, so ASan sees any read past the attribute. */
static struct nlattr *dup_attr(const struct nlattr *a)
{
	struct nlattr *c = malloc(a->nla_len);

	assert_non_null(c);
	memcpy(c, a, a->nla_len);
	return c;
}

static const struct tc_netem_qopt *qopt_of(const struct nlattr *opts)
{
	return mnl_attr_get_payload(opts);
}

static void assert_netem_equal(const struct nn_netem *a, const struct nn_netem *b)
{
	assert_int_equal(a->delay_ns, b->delay_ns);
	assert_int_equal(a->jitter_ns, b->jitter_ns);
	assert_int_equal(a->delay_corr, b->delay_corr);
	assert_int_equal(a->loss, b->loss);
	assert_int_equal(a->loss_corr, b->loss_corr);
	assert_int_equal(a->duplicate, b->duplicate);
	assert_int_equal(a->duplicate_corr, b->duplicate_corr);
	assert_int_equal(a->reorder, b->reorder);
	assert_int_equal(a->reorder_corr, b->reorder_corr);
	assert_int_equal(a->corrupt, b->corrupt);
	assert_int_equal(a->corrupt_corr, b->corrupt_corr);
	assert_int_equal(a->gap, b->gap);
	assert_int_equal(a->limit, b->limit);
	assert_int_equal(a->rate, b->rate);
	assert_int_equal(a->dist, b->dist);
}

static uint32_t pct(const char *s)
{
	struct nn_error e = { 0 };
	uint32_t p = 0;

	assert_int_equal(nn_parse_percent(s, "test", &p, &e), 0);
	return p;
}

static struct nn_netem full_spec(void)
{
	struct nn_netem s = {
		.delay_ns = 100 * MS,
		.jitter_ns = 10 * MS,
		.delay_corr = pct("25%"),
		.loss = pct("1%"),
		.loss_corr = pct("10%"),
		.duplicate = pct("0.5%"),
		.duplicate_corr = pct("5%"),
		.reorder = pct("25%"),
		.reorder_corr = pct("50%"),
		.corrupt = pct("0.1%"),
		.corrupt_corr = pct("1%"),
		.gap = 5,
		.limit = 2000,
		.rate = 1250000,
		.dist = NN_DIST_PARETONORMAL,
	};
	return s;
}

/* Encode SPEC, decode it back from an exact-size copy of TCA_OPTIONS. */
static void roundtrip(const struct nn_netem *spec, struct nn_netem *out)
{
	struct nlmsghdr *nlh = new_request();
	struct nn_error e = { 0 };
	const struct nlattr *kind, *opts;
	struct nlattr *copy;

	assert_int_equal(nn_netem_encode(nlh, spec, &e), 0);
	kind = top_attr(nlh, TCA_KIND);
	assert_non_null(kind);
	assert_string_equal(mnl_attr_get_str(kind), "netem");
	opts = top_attr(nlh, TCA_OPTIONS);
	assert_non_null(opts);
	/* Plain nest, like tc: TCA_OPTIONS starts with a struct, not attributes. */
	assert_int_equal(opts->nla_type, TCA_OPTIONS);
	copy = dup_attr(opts);
	memset(out, 0x5a, sizeof(*out));
	assert_int_equal(nn_netem_decode(copy, out, &e), 0);
	free(copy);
	free(nlh);
}

/* -------------------------------------------------------------- encode */

static void test_roundtrip_full(void **state)
{
	struct nn_netem spec = full_spec(), got;
	int d;

	(void)state;
	for (d = NN_DIST_NONE; d <= NN_DIST_PARETONORMAL; d++) {
		spec.dist = (enum nn_netem_dist)d;
		roundtrip(&spec, &got);
		assert_netem_equal(&spec, &got);
	}
}

static void test_roundtrip_zero_and_defaults(void **state)
{
	struct nn_netem spec = { 0 }, got, want = { 0 };

	(void)state;
	roundtrip(&spec, &got);
	want.limit = 1000;
	assert_netem_equal(&want, &got);

	/* A bare reorder gets gap 1, as tc sends it: netem reorders only with gap > 0. */
	spec.delay_ns = 10 * MS;
	spec.reorder = pct("25%");
	roundtrip(&spec, &got);
	assert_int_equal(got.gap, 1);
	assert_int_equal(got.reorder, spec.reorder);
}

static void test_explicit_zeros(void **state)
{
	struct nlmsghdr *nlh = new_request();
	struct nn_netem spec = { .delay_ns = 50 * MS, .loss = pct("2%") };
	struct nn_error e = { 0 };
	const struct nlattr *opts, *a;
	const struct tc_netem_corr *corr;
	const struct tc_netem_reorder *ro;
	const struct tc_netem_corrupt *co;
	const struct tc_netem_rate *rate;
	static const char zero[sizeof(struct tc_netem_slot)];

	(void)state;
	assert_int_equal(nn_netem_encode(nlh, &spec, &e), 0);
	opts = top_attr(nlh, TCA_OPTIONS);
	assert_non_null(opts);
	assert_int_equal(qopt_of(opts)->loss, spec.loss);
	assert_int_equal(qopt_of(opts)->limit, 1000);
	assert_int_equal(qopt_of(opts)->gap, 0);

	/* Cleared fields are sent as zeros, so a replace resets them. */
	a = netem_attr(opts, TCA_NETEM_CORR);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), sizeof(*corr));
	corr = mnl_attr_get_payload(a);
	assert_int_equal(corr->delay_corr | corr->loss_corr | corr->dup_corr, 0);

	a = netem_attr(opts, TCA_NETEM_REORDER);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), sizeof(*ro));
	ro = mnl_attr_get_payload(a);
	assert_int_equal(ro->probability | ro->correlation, 0);

	a = netem_attr(opts, TCA_NETEM_CORRUPT);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), sizeof(*co));
	co = mnl_attr_get_payload(a);
	assert_int_equal(co->probability | co->correlation, 0);

	a = netem_attr(opts, TCA_NETEM_RATE);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), sizeof(*rate));
	rate = mnl_attr_get_payload(a);
	assert_int_equal(rate->rate, 0);

	a = netem_attr(opts, TCA_NETEM_ECN);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_u32(a), 0);

	a = netem_attr(opts, TCA_NETEM_SLOT);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), sizeof(zero));
	assert_memory_equal(mnl_attr_get_payload(a), zero, sizeof(zero));

	a = netem_attr(opts, TCA_NETEM_LATENCY64);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_u64(a), 50 * MS);
	a = netem_attr(opts, TCA_NETEM_JITTER64);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_u64(a), 0);

	/* Without jitter a table would be pointless; no RATE64 below 4 GB/s. */
	assert_null(netem_attr(opts, TCA_NETEM_DELAY_DIST));
	assert_null(netem_attr(opts, TCA_NETEM_RATE64));
	assert_null(netem_attr(opts, TCA_NETEM_LOSS));
	free(nlh);
}

static void test_legacy_ticks_and_rate64(void **state)
{
	struct nlmsghdr *nlh = new_request();
	struct nn_netem spec = { .delay_ns = 100 * MS, .jitter_ns = 2000 * MS,
				 .rate = 5000000000ULL }, got;
	struct nn_error e = { 0 };
	const struct nlattr *opts, *a;

	(void)state;
	assert_int_equal(nn_netem_encode(nlh, &spec, &e), 0);
	opts = top_attr(nlh, TCA_OPTIONS);
	/* qopt keeps 64 ns psched ticks for old kernels. */
	assert_int_equal(qopt_of(opts)->latency, 100 * MS / 64);
	assert_int_equal(qopt_of(opts)->jitter, 2000 * MS / 64);
	a = netem_attr(opts, TCA_NETEM_RATE);
	assert_int_equal(((const struct tc_netem_rate *)mnl_attr_get_payload(a))->rate, UINT32_MAX);
	a = netem_attr(opts, TCA_NETEM_RATE64);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_u64(a), 5000000000ULL);
	/* Uniform jitter still sends a table: it replaces an earlier distribution. */
	a = netem_attr(opts, TCA_NETEM_DELAY_DIST);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), NN_NETEM_DIST_SIZE * 2);
	free(nlh);

	roundtrip(&spec, &got);
	assert_int_equal(got.rate, 5000000000ULL);
	assert_int_equal(got.dist, NN_DIST_NONE);

	/* A delay beyond u32 ticks: the legacy field saturates, LATENCY64 is exact. */
	nlh = new_request();
	spec = (struct nn_netem){ .delay_ns = 1000000 * MS };
	assert_int_equal(nn_netem_encode(nlh, &spec, &e), 0);
	opts = top_attr(nlh, TCA_OPTIONS);
	assert_int_equal(qopt_of(opts)->latency, UINT32_MAX);
	assert_int_equal(mnl_attr_get_u64(netem_attr(opts, TCA_NETEM_LATENCY64)), 1000000 * MS);
	free(nlh);
}

static void test_encode_refuses_bad_spec(void **state)
{
	struct nlmsghdr *nlh = new_request();
	struct nn_netem spec = { .jitter_ns = 10 * MS };
	struct nn_error e = { 0 };
	uint32_t len = nlh->nlmsg_len;

	(void)state;
	assert_int_equal(nn_netem_encode(nlh, &spec, &e), -EINVAL);
	assert_int_equal(nlh->nlmsg_len, len);
	free(nlh);
}

/* -------------------------------------------------------------- decode */

/* TCA_OPTIONS made by hand: qopt (QLEN bytes of it) then raw bytes EXTRA. */
static struct nlattr *make_options(size_t qlen, const void *extra, size_t extra_len)
{
	size_t head = extra_len ? NLA_ALIGN(qlen) : qlen;
	struct nlattr *a = calloc(1, NLA_HDRLEN + head + extra_len);
	struct tc_netem_qopt q = { .limit = 1000 };

	assert_non_null(a);
	a->nla_type = TCA_OPTIONS;
	a->nla_len = (uint16_t)(NLA_HDRLEN + head + extra_len);
	memcpy((char *)a + NLA_HDRLEN, &q, qlen < sizeof(q) ? qlen : sizeof(q));
	if (extra_len)
		memcpy((char *)a + NLA_HDRLEN + head, extra, extra_len);
	return a;
}

static void expect_bad(struct nlattr *opts)
{
	struct nn_netem out = { .delay_ns = 1234 };
	struct nn_error e = { 0 };

	assert_int_equal(nn_netem_decode(opts, &out, &e), -EINVAL);
	assert_int_equal(e.code, EINVAL);
	assert_true(strlen(e.msg) > 0);
	/* OUT is untouched on failure. */
	assert_int_equal(out.delay_ns, 1234);
	free(opts);
}

static void test_decode_malformed(void **state)
{
	struct { struct nlattr h; uint32_t v[4]; } attr;
	struct nn_netem out;
	struct nn_error e = { 0 };
	struct nlattr *opts;

	(void)state;
	/* Truncated qopt. */
	expect_bad(make_options(sizeof(struct tc_netem_qopt) - 4, NULL, 0));
	expect_bad(make_options(0, NULL, 0));

	/* A nested attribute claiming more bytes than there are. */
	attr.h.nla_type = TCA_NETEM_CORR;
	attr.h.nla_len = 100;
	memset(attr.v, 0, sizeof(attr.v));
	expect_bad(make_options(sizeof(struct tc_netem_qopt), &attr, NLA_HDRLEN + 12));

	/* A nested attribute shorter than its own header. */
	attr.h.nla_len = 2;
	expect_bad(make_options(sizeof(struct tc_netem_qopt), &attr, NLA_HDRLEN + 12));

	/* Trailing bytes that cannot hold a header. */
	attr.h.nla_type = TCA_NETEM_ECN;
	attr.h.nla_len = NLA_HDRLEN + 4;
	expect_bad(make_options(sizeof(struct tc_netem_qopt), &attr, NLA_HDRLEN + 4 + 2));

	/* A known attribute with a short payload. */
	attr.h.nla_type = TCA_NETEM_CORR;
	attr.h.nla_len = NLA_HDRLEN + 8;
	expect_bad(make_options(sizeof(struct tc_netem_qopt), &attr, NLA_HDRLEN + 8));
	attr.h.nla_type = TCA_NETEM_LATENCY64;
	attr.h.nla_len = NLA_HDRLEN + 4;
	expect_bad(make_options(sizeof(struct tc_netem_qopt), &attr, NLA_HDRLEN + 4));

	/* A negative 64-bit latency (the kernel rejects those). */
	attr.h.nla_type = TCA_NETEM_LATENCY64;
	attr.h.nla_len = NLA_HDRLEN + 8;
	memcpy(attr.v, &(int64_t){ -1 }, 8);
	expect_bad(make_options(sizeof(struct tc_netem_qopt), &attr, NLA_HDRLEN + 8));

	/* A bare qopt (old kernels) is fine: ticks become ns. */
	opts = make_options(sizeof(struct tc_netem_qopt), NULL, 0);
	((struct tc_netem_qopt *)((char *)opts + NLA_HDRLEN))->latency = 1562500;
	assert_int_equal(nn_netem_decode(opts, &out, &e), 0);
	assert_int_equal(out.delay_ns, 100 * MS);
	assert_int_equal(out.limit, 1000);
	free(opts);

	/* Unknown attributes (newer kernels) are skipped. */
	attr.h.nla_type = 200;
	attr.h.nla_len = NLA_HDRLEN + 4;
	opts = make_options(sizeof(struct tc_netem_qopt), &attr, NLA_HDRLEN + 4);
	assert_int_equal(nn_netem_decode(opts, &out, &e), 0);
	free(opts);
}

/* --------------------------------------------------------------- check */

static void check_rejects(const struct nn_netem *s, const char *msg)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_netem_check(s, &e), -EINVAL);
	assert_string_equal(e.msg, msg);
}

static void test_check(void **state)
{
	struct nn_netem s;
	struct nn_error e = { 0 };

	(void)state;
	s = full_spec();
	assert_int_equal(nn_netem_check(&s, &e), 0);

	s = (struct nn_netem){ .jitter_ns = 10 * MS };
	check_rejects(&s, "--jitter \"10ms\" needs a non-zero --delay");
	s = (struct nn_netem){ .delay_ns = 10 * MS, .dist = NN_DIST_NORMAL };
	check_rejects(&s, "--distribution \"normal\" needs a non-zero --jitter");
	s = (struct nn_netem){ .delay_ns = 10 * MS, .delay_corr = pct("25%") };
	check_rejects(&s, "--correlation \"25%\" needs a non-zero --jitter");
	s = (struct nn_netem){ .loss_corr = pct("25%") };
	check_rejects(&s, "--loss-correlation \"25%\" needs a non-zero --loss");
	s = (struct nn_netem){ .duplicate_corr = pct("25%") };
	check_rejects(&s, "--duplicate-correlation \"25%\" needs a non-zero --duplicate");
	s = (struct nn_netem){ .delay_ns = 10 * MS, .reorder_corr = pct("25%") };
	check_rejects(&s, "--reorder-correlation \"25%\" needs a non-zero --reorder");
	s = (struct nn_netem){ .corrupt_corr = pct("25%") };
	check_rejects(&s, "--corrupt-correlation \"25%\" needs a non-zero --corrupt");
	s = (struct nn_netem){ .reorder = pct("25%") };
	check_rejects(&s, "--reorder \"25%\" needs a non-zero --delay");
	s = (struct nn_netem){ .delay_ns = 10 * MS, .gap = 5 };
	check_rejects(&s, "--gap \"5\" needs a non-zero --reorder");
	s = (struct nn_netem){ .delay_ns = 10 * MS, .dist = (enum nn_netem_dist)9 };
	check_rejects(&s, "invalid --distribution 9");

	s = (struct nn_netem){ .delay_ns = 10 * MS, .jitter_ns = 3000 * MS };
	assert_int_equal(nn_netem_check(&s, &e), -ERANGE);
	assert_string_equal(e.msg, "invalid --jitter \"3s\": netem allows at most 2.147483647s");
	s.jitter_ns = INT32_MAX;
	assert_int_equal(nn_netem_check(&s, &e), 0);
}

static void test_dist_names(void **state)
{
	struct nn_error e = { 0 };
	enum nn_netem_dist d = NN_DIST_NORMAL;

	(void)state;
	assert_int_equal(nn_netem_dist_parse("uniform", &d, &e), 0);
	assert_int_equal(d, NN_DIST_NONE);
	assert_int_equal(nn_netem_dist_parse("paretonormal", &d, &e), 0);
	assert_int_equal(d, NN_DIST_PARETONORMAL);
	assert_string_equal(nn_netem_dist_name(NN_DIST_PARETO), "pareto");
	/* Exact names only, no prefixes. */
	assert_int_equal(nn_netem_dist_parse("norm", &d, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid --distribution \"norm\": "
			    "expected uniform, normal, pareto or paretonormal");
}

/* --------------------------------------------------------- dist tables */

struct known { int index, value; };

/* cmocka's assert_in_range() is unsigned. */
static void assert_near(int got, int want, int slack, const char *what, int index)
{
	if (got < want - slack || got > want + slack)
		fail_msg("%s[%d] = %d, expected %d +- %d", what, index, got, want, slack);
}

static void check_known(enum nn_netem_dist d, const struct known *k, size_t n)
{
	int16_t t[NN_NETEM_DIST_SIZE];
	size_t i;

	assert_int_equal(nn_netem_dist_table(d, t), 0);
	for (i = 0; i < n; i++)
		assert_near(t[k[i].index], k[i].value, 1, nn_netem_dist_name(d), k[i].index);
}

/* Entries of iproute2's shipped tables (Debian 12, /usr/lib/x86_64-linux-gnu/tc). */
static void test_dist_known_values(void **state)
{
	static const struct known normal[] = {
		{ 0, -32768 }, { 1, -28307 }, { 1024, -5525 }, { 2048, 0 }, { 3072, 5526 }, { 4095, 28858 },
	};
	static const struct known pareto[] = {
		{ 0, -5461 }, { 1, -5460 }, { 1024, -4362 }, { 2048, -2622 }, { 3072, 955 }, { 4095, 32767 },
	};
	static const struct known paretonormal[] = {
		{ 0, -12305 }, { 1, -11171 }, { 1024, -4652 }, { 2048, -1966 }, { 3072, 2097 }, { 4095, 31789 },
	};
	int16_t t[NN_NETEM_DIST_SIZE];
	long sum = 0;
	int k;

	(void)state;
	check_known(NN_DIST_NORMAL, normal, NN_ARRAY_SIZE(normal));
	check_known(NN_DIST_PARETO, pareto, NN_ARRAY_SIZE(pareto));
	check_known(NN_DIST_PARETONORMAL, paretonormal, NN_ARRAY_SIZE(paretonormal));

	/* Uniform: evenly spread over [-8192, 8192), mean 0. */
	assert_int_equal(nn_netem_dist_table(NN_DIST_NONE, t), 0);
	for (k = 0; k < NN_NETEM_DIST_SIZE; k++) {
		if (t[k] < -NETEM_DIST_SCALE || t[k] >= NETEM_DIST_SCALE)
			fail_msg("uniform[%d] = %d", k, t[k]);
		if (k)
			assert_int_equal(t[k] - t[k - 1], 4);
		sum += t[k];
	}
	assert_int_equal(sum, 0);
	assert_int_equal(nn_netem_dist_table((enum nn_netem_dist)7, t), -EINVAL);
}

static int load_dist(const char *name, int16_t *t, int max)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu/tc", "/usr/lib/tc",
					    "/usr/lib64/tc", "/usr/share/tc" };
	char path[256], line[1024];
	FILE *f = NULL;
	size_t i;
	int n = 0;

	for (i = 0; i < NN_ARRAY_SIZE(dirs) && !f; i++) {
		snprintf(path, sizeof(path), "%s/%s.dist", dirs[i], name);
		f = fopen(path, "r");
	}
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		if (line[0] == '#')
			continue;
		for (;;) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			if (n < max)
				t[n] = (int16_t)v;
			n++;
			p = end;
		}
	}
	fclose(f);
	return n;
}

/* Every entry against the installed iproute2 tables, when there are some. */
static void test_dist_against_iproute2(void **state)
{
	static const char *const names[] = { [NN_DIST_NORMAL] = "normal",
					      [NN_DIST_PARETO] = "pareto",
					      [NN_DIST_PARETONORMAL] = "paretonormal" };
	int16_t ours[NN_NETEM_DIST_SIZE], theirs[NN_NETEM_DIST_SIZE];
	int d, k, found = 0;

	(void)state;
	for (d = NN_DIST_NORMAL; d <= NN_DIST_PARETONORMAL; d++) {
		int n = load_dist(names[d], theirs, NN_NETEM_DIST_SIZE);

		if (n < 0)
			continue;
		found++;
		assert_int_equal(n, NN_NETEM_DIST_SIZE);
		assert_int_equal(nn_netem_dist_table((enum nn_netem_dist)d, ours), 0);
		for (k = 0; k < NN_NETEM_DIST_SIZE; k++)
			assert_near(ours[k], theirs[k], 1, names[d], k);
	}
	if (!found)
		skip();
}

/* ----------------------------------------------------------------- tbf */

static void tbf_roundtrip(const struct nn_tbf *spec, struct nn_tbf *out, struct nlmsghdr **keep)
{
	struct nlmsghdr *nlh = new_request();
	struct nn_error e = { 0 };
	const struct nlattr *opts;
	struct nlattr *copy;

	assert_int_equal(nn_tbf_encode(nlh, spec, &e), 0);
	assert_string_equal(mnl_attr_get_str(top_attr(nlh, TCA_KIND)), "tbf");
	opts = top_attr(nlh, TCA_OPTIONS);
	assert_non_null(opts);
	copy = dup_attr(opts);
	assert_int_equal(nn_tbf_decode(copy, out, &e), 0);
	free(copy);
	if (keep)
		*keep = nlh;
	else
		free(nlh);
}

static const struct nlattr *tbf_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *opts = top_attr(nlh, TCA_OPTIONS), *a;

	mnl_attr_for_each_nested(a, opts)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static void test_tbf_codec(void **state)
{
	struct nn_tbf spec = { .rate = 1250000, .burst = 32768, .limit = 100000 }, got;
	struct nlmsghdr *nlh;
	const struct tc_tbf_qopt *q;
	struct nn_error e = { 0 };

	(void)state;
	tbf_roundtrip(&spec, &got, &nlh);
	assert_int_equal(got.rate, 1250000);
	assert_int_equal(got.burst, 32768);
	assert_int_equal(got.limit, 100000);
	/* (100000 - 32768) bytes at 10 Mbit/s. */
	assert_int_equal(got.latency_ns, 53786 * 1000ULL);
	q = mnl_attr_get_payload(tbf_attr(nlh, TCA_TBF_PARMS));
	assert_int_equal(q->rate.rate, 1250000);
	assert_int_equal(q->rate.linklayer, TC_LINKLAYER_ETHERNET);
	/* 32768 B at 1.25 MB/s = 26.2144 ms = 409600 ticks of 64 ns. */
	assert_int_equal(q->buffer, 409600);
	assert_int_equal(mnl_attr_get_u32(tbf_attr(nlh, TCA_TBF_BURST)), 32768);
	assert_null(tbf_attr(nlh, TCA_TBF_RATE64));
	free(nlh);

	/* Defaults: burst 20 ms of rate (at least 3028 B), limit = 50 ms of rate + burst. */
	spec = (struct nn_tbf){ .rate = 1250000 };
	tbf_roundtrip(&spec, &got, NULL);
	assert_int_equal(got.burst, 25000);
	assert_int_equal(got.limit, 62500 + 25000);
	assert_int_equal(got.latency_ns, 50 * MS);
	spec = (struct nn_tbf){ .rate = 125000, .latency_ns = 100 * MS };
	tbf_roundtrip(&spec, &got, NULL);
	assert_int_equal(got.burst, 3028);
	assert_int_equal(got.limit, 12500 + 3028);

	/* 40 Gbit/s: RATE64, with the legacy field saturated. */
	spec = (struct nn_tbf){ .rate = 5000000000ULL, .burst = 1 << 20 };
	tbf_roundtrip(&spec, &got, &nlh);
	assert_int_equal(got.rate, 5000000000ULL);
	q = mnl_attr_get_payload(tbf_attr(nlh, TCA_TBF_PARMS));
	assert_int_equal(q->rate.rate, UINT32_MAX);
	assert_int_equal(mnl_attr_get_u64(tbf_attr(nlh, TCA_TBF_RATE64)), 5000000000ULL);
	free(nlh);

	spec = (struct nn_tbf){ 0 };
	nlh = new_request();
	assert_int_equal(nn_tbf_encode(nlh, &spec, &e), -EINVAL);
	assert_string_equal(e.msg, "tbf needs a non-zero --rate");
	spec = (struct nn_tbf){ .rate = 1000, .limit = 5000, .latency_ns = MS };
	assert_int_equal(nn_tbf_encode(nlh, &spec, &e), -EINVAL);
	assert_string_equal(e.msg, "--limit and --latency exclude each other: give one");
	free(nlh);
}

/* What a kernel dump carries: PARMS only, the bucket in 64 ns ticks. */
static struct nlattr *tbf_dump_options(uint32_t rate, uint32_t limit, uint32_t buffer_ticks,
				       size_t parms_len)
{
	struct tc_tbf_qopt q = { .limit = limit, .buffer = buffer_ticks };
	size_t len = NLA_HDRLEN + NLA_HDRLEN + NLA_ALIGN(parms_len);
	struct nlattr *a = calloc(1, len), *p;

	assert_non_null(a);
	q.rate.rate = rate;
	a->nla_type = TCA_OPTIONS;
	a->nla_len = (uint16_t)len;
	p = (struct nlattr *)((char *)a + NLA_HDRLEN);
	p->nla_type = TCA_TBF_PARMS;
	p->nla_len = (uint16_t)(NLA_HDRLEN + parms_len);
	memcpy((char *)p + NLA_HDRLEN, &q, parms_len < sizeof(q) ? parms_len : sizeof(q));
	return a;
}

static void test_tbf_decode_dump(void **state)
{
	struct nn_tbf got;
	struct nn_error e = { 0 };
	struct nlattr *a;

	(void)state;
	/* tc qdisc add ... tbf rate 10mbit burst 5000 latency 50ms: buffer 62500 ticks. */
	a = tbf_dump_options(1250000, 67500, 62500, sizeof(struct tc_tbf_qopt));
	assert_int_equal(nn_tbf_decode(a, &got, &e), 0);
	assert_int_equal(got.rate, 1250000);
	assert_int_equal(got.burst, 5000);
	assert_int_equal(got.limit, 67500);
	assert_int_equal(got.latency_ns, 50 * MS);
	free(a);

	a = tbf_dump_options(1250000, 67500, 62500, sizeof(struct tc_tbf_qopt) - 4);
	assert_int_equal(nn_tbf_decode(a, &got, &e), -EINVAL);
	free(a);
	a = tbf_dump_options(0, 67500, 62500, sizeof(struct tc_tbf_qopt));
	assert_int_equal(nn_tbf_decode(a, &got, &e), -EINVAL);
	free(a);
	/* PARMS claiming to run past the options. */
	a = tbf_dump_options(1250000, 67500, 62500, sizeof(struct tc_tbf_qopt));
	((struct nlattr *)((char *)a + NLA_HDRLEN))->nla_len += 8;
	assert_int_equal(nn_tbf_decode(a, &got, &e), -EINVAL);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_full),
		cmocka_unit_test(test_roundtrip_zero_and_defaults),
		cmocka_unit_test(test_explicit_zeros),
		cmocka_unit_test(test_legacy_ticks_and_rate64),
		cmocka_unit_test(test_encode_refuses_bad_spec),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_dist_names),
		cmocka_unit_test(test_dist_known_values),
		cmocka_unit_test(test_dist_against_iproute2),
		cmocka_unit_test(test_tbf_codec),
		cmocka_unit_test(test_tbf_decode_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
