// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The encoders: a netem or tbf spec made of the input's bytes goes through
 * nn_netem_check/nn_tbf_check; a refusal is -EINVAL or -ERANGE with a proper
 * message, and what passes encodes and decodes back to the normalized spec,
 * compares same as the spec, and formats (qdisc_common.h).
 *
 * Input: a selector byte (bit 0: tbf, else netem; the rest picks a buffer
 * size for the format checks), a mask of fields to zero (so that sparse
 * specs, as users give them, are common), then every field in struct order
 * (netem: a flags byte before them, the distribution byte after them).
 */
#include "qdisc_common.h"

static uint32_t maybe(uint32_t mask, int bit, uint32_t v)
{
	return mask & (1U << bit) ? 0 : v;
}

static void fuzz_netem(struct fuzz_in *in, size_t cut)
{
	struct nn_qdisc_info q = { .kind = NN_QDISC_NETEM, .kind_name = "netem" };
	struct nn_netem *s = &q.u.netem;
	uint32_t zero = fuzz_u32(in);
	uint8_t flags = fuzz_u8(in);
	struct nn_error e;
	int ret;

	s->delay_ns = fuzz_u64(in);
	s->jitter_ns = fuzz_u64(in);
	if (zero & 1)
		s->delay_ns = 0;
	if (zero & 2)
		s->jitter_ns = 0;
	/* Mostly within the range nn_netem_check allows. */
	if (flags & 1)
		s->delay_ns &= INT64_MAX;
	if (flags & 2)
		s->jitter_ns &= INT32_MAX;
	s->delay_corr = maybe(zero, 2, fuzz_u32(in));
	s->loss = maybe(zero, 3, fuzz_u32(in));
	s->loss_corr = maybe(zero, 4, fuzz_u32(in));
	s->duplicate = maybe(zero, 5, fuzz_u32(in));
	s->duplicate_corr = maybe(zero, 6, fuzz_u32(in));
	s->reorder = maybe(zero, 7, fuzz_u32(in));
	s->reorder_corr = maybe(zero, 8, fuzz_u32(in));
	s->corrupt = maybe(zero, 9, fuzz_u32(in));
	s->corrupt_corr = maybe(zero, 10, fuzz_u32(in));
	s->gap = maybe(zero, 11, fuzz_u32(in));
	s->limit = maybe(zero, 12, fuzz_u32(in));
	s->rate = fuzz_u64(in);
	if (zero & (1U << 13))
		s->rate = 0;
	s->dist = (enum nn_netem_dist)(fuzz_u8(in) % 6);

	fuzz_error_poison(&e);
	ret = nn_netem_check(s, &e);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL || ret == -ERANGE, "netem check: %d", ret);
		fuzz_check_error(&e, ret, NULL, "");
		return;
	}
	FUZZ_CHECK((unsigned int)s->dist <= NN_DIST_PARETONORMAL, "dist %d passed",
		   (int)s->dist);
	qdisc_check_format(&q, cut);
	netem_roundtrip(s);
}

static void fuzz_tbf(struct fuzz_in *in, size_t cut)
{
	struct nn_qdisc_info q = { .kind = NN_QDISC_TBF, .kind_name = "tbf" };
	struct nn_tbf *s = &q.u.tbf;
	uint32_t zero = fuzz_u8(in);
	struct nn_error e;
	int ret;

	s->rate = fuzz_u64(in);
	s->burst = maybe(zero, 1, fuzz_u32(in));
	s->limit = maybe(zero, 2, fuzz_u32(in));
	s->latency_ns = fuzz_u64(in);
	if (zero & 1)
		s->rate = 0;
	if (zero & 8)
		s->latency_ns = 0;

	fuzz_error_poison(&e);
	ret = nn_tbf_check(s, &e);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL, "tbf check: %d", ret);
		fuzz_check_error(&e, ret, NULL, "");
		return;
	}
	qdisc_check_format(&q, cut);
	tbf_roundtrip(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t sel = fuzz_u8(&in);
	size_t cut = 1 + (size_t)(sel >> 1) % 160;

	if (sel & 1)
		fuzz_tbf(&in, cut);
	else
		fuzz_netem(&in, cut);
	return 0;
}
