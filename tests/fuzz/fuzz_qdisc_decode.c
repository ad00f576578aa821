// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The decoders of kernel replies: the input is the payload of a TCA_OPTIONS
 * attribute, given to nn_netem_decode and to nn_tbf_decode in a heap block
 * of exactly its length, so that ASan catches any read past it.  A failure
 * is -EINVAL with a proper message.  What decodes must format (text and
 * JSON, at any buffer size), and when nn_netem_check/nn_tbf_check accept it
 * as a spec, encode and decode back to itself (qdisc_common.h).
 */
#include "qdisc_common.h"

/* The input behind a TCA_OPTIONS header, exactly as long as nla_len says. */
static struct nlattr *options_of(const uint8_t *data, size_t size)
{
	struct nlattr *a = malloc(NLA_HDRLEN + size);

	if (!a)
		abort();
	a->nla_len = (uint16_t)(NLA_HDRLEN + size);
	a->nla_type = TCA_OPTIONS;
	memcpy((char *)a + NLA_HDRLEN, data, size);
	return a;
}

static void decode_netem(const uint8_t *data, size_t size, size_t cut)
{
	struct nlattr *opts = options_of(data, size);
	struct nn_qdisc_info q = { .kind = NN_QDISC_NETEM, .kind_name = "netem" };
	struct nn_error e;
	int ret;

	fuzz_error_poison(&e);
	ret = nn_netem_decode(opts, &q.u.netem, &e);
	free(opts);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL, "netem decode: %d", ret);
		fuzz_check_error(&e, ret, NULL, "");
		FUZZ_CHECK(strstr(e.msg, "netem "), "netem decode: \"%s\"", e.msg);
		return;
	}
	FUZZ_CHECK((unsigned int)q.u.netem.dist <= NN_DIST_PARETONORMAL, "dist %d",
		   (int)q.u.netem.dist);
	qdisc_check_format(&q, cut);

	fuzz_error_poison(&e);
	ret = nn_netem_check(&q.u.netem, &e);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL || ret == -ERANGE, "netem check: %d", ret);
		fuzz_check_error(&e, ret, NULL, "");
		return;
	}
	netem_roundtrip(&q.u.netem);
}

static void decode_tbf(const uint8_t *data, size_t size, size_t cut)
{
	struct nlattr *opts = options_of(data, size);
	struct nn_qdisc_info q = { .kind = NN_QDISC_TBF, .kind_name = "tbf" };
	struct nn_tbf spec;
	struct nn_error e;
	int ret;

	fuzz_error_poison(&e);
	ret = nn_tbf_decode(opts, &q.u.tbf, &e);
	free(opts);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL, "tbf decode: %d", ret);
		fuzz_check_error(&e, ret, NULL, "");
		FUZZ_CHECK(strstr(e.msg, "tbf "), "tbf decode: \"%s\"", e.msg);
		return;
	}
	FUZZ_CHECK(q.u.tbf.rate > 0, "tbf decoded with rate 0");
	qdisc_check_format(&q, cut);

	/* As a spec, the way the planner would give it back: the latency is
	 * only what the limit stands for. */
	spec = q.u.tbf;
	spec.latency_ns = 0;
	fuzz_error_poison(&e);
	ret = nn_tbf_check(&spec, &e);
	FUZZ_CHECK(ret == 0, "decoded tbf fails its check: %d %.512s", ret, e.msg);
	tbf_roundtrip(&spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng r;
	size_t cut;

	/* nla_len is 16 bits: nothing longer can come from the kernel. */
	if (size > UINT16_MAX - NLA_HDRLEN)
		return 0;
	fuzz_rng_init(&r, data, size);
	cut = 1 + fuzz_rng_next(&r) % 160;
	decode_netem(data, size, cut);
	decode_tbf(data, size, cut);
	return 0;
}
