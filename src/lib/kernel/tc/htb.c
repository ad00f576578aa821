// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * htb as netnsctl uses it: a root that sorts traffic into classes that do
 * not shape (rate and ceil far above any link), each class carrying one
 * leaf impairment.  Encoded with libmnl like netem and tbf; the link layer
 * is given (ethernet) so the kernel needs none of the rate tables tc sends.
 */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>

#include "netnsctl/tc.h"
#include "kernel/tc/tcmsg.h"

#define NSEC_PER_SEC 1000000000ULL

typedef unsigned __int128 u128;

void nn_htb_qdisc_encode(struct nlmsghdr *nlh, uint32_t defcls)
{
	struct tc_htb_glob glob;
	struct nlattr *opts;

	memset(&glob, 0, sizeof(glob));
	glob.version = TC_HTB_PROTOVER;
	glob.rate2quantum = 10;	/* tc's r2q; unused, every class gives its quantum */
	glob.defcls = defcls;
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	opts = nn_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_HTB_INIT, sizeof(glob), &glob);
	nn_nest_end(nlh, opts);
}

int nn_htb_qdisc_decode(const struct nlattr *options, uint32_t *defcls, struct nn_error *e)
{
	const struct nlattr *tb[TCA_HTB_MAX + 1];
	struct tc_htb_glob glob;

	if (options->nla_len < NLA_HDRLEN || nn_attr_parse_nested(options, tb, TCA_HTB_MAX) < 0)
		return nn_error_setx(e, EINVAL, "malformed htb options attribute");
	if (!tb[TCA_HTB_INIT] || nn_attr_copy(tb[TCA_HTB_INIT], &glob, sizeof(glob)) < 0)
		return nn_error_setx(e, EINVAL, "htb options without parameters");
	*defcls = glob.defcls;
	return 0;
}

void nn_htb_class_open(struct nn_htb_class *c)
{
	memset(c, 0, sizeof(*c));
	c->rate = c->ceil = NN_TC_OPEN_RATE;
	c->burst = c->cburst = NN_TC_OPEN_BURST;
	c->quantum = NN_TC_OPEN_QUANTUM;
}

/* Time to send BYTES at RATE in whole 64 ns ticks, cut down as tc's
 * tc_calc_xmittime() does, so "burst Nb" in tc gives the same bucket. */
static uint32_t bytes_to_ticks(uint32_t bytes, uint64_t rate)
{
	u128 t = (u128)bytes * NSEC_PER_SEC / ((u128)rate << NN_PSCHED_SHIFT);

	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static uint32_t ticks_to_bytes(uint32_t ticks, uint64_t rate)
{
	u128 b = (((u128)ticks << NN_PSCHED_SHIFT) * rate + NSEC_PER_SEC / 2) / NSEC_PER_SEC;

	return b > UINT32_MAX ? UINT32_MAX : (uint32_t)b;
}

static void ratespec(struct tc_ratespec *r, uint64_t rate)
{
	memset(r, 0, sizeof(*r));
	r->rate = rate > UINT32_MAX ? UINT32_MAX : (uint32_t)rate;
	r->linklayer = TC_LINKLAYER_ETHERNET;
}

int nn_htb_class_encode(struct nlmsghdr *nlh, const struct nn_htb_class *c, struct nn_error *e)
{
	struct tc_htb_opt opt;
	struct nlattr *opts;

	if (!c->rate || !c->ceil || c->ceil < c->rate)
		return nn_error_setx(e, EINVAL, "htb class needs a rate and a ceil at least as high");
	if (!c->burst || !c->cburst || !c->quantum)
		return nn_error_setx(e, EINVAL, "htb class needs a burst, a cburst and a quantum");
	memset(&opt, 0, sizeof(opt));
	ratespec(&opt.rate, c->rate);
	ratespec(&opt.ceil, c->ceil);
	opt.buffer = bytes_to_ticks(c->burst, c->rate);
	opt.cbuffer = bytes_to_ticks(c->cburst, c->ceil);
	opt.quantum = c->quantum;
	opt.prio = c->prio;

	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	opts = nn_nest_start(nlh, TCA_OPTIONS);
	/* In tc's order: the 64-bit rates first, then the parameters. */
	if (c->rate > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_HTB_RATE64, c->rate);
	if (c->ceil > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_HTB_CEIL64, c->ceil);
	mnl_attr_put(nlh, TCA_HTB_PARMS, sizeof(opt), &opt);
	nn_nest_end(nlh, opts);
	return 0;
}

static int get_rate64(const struct nlattr *a, uint64_t *rate)
{
	uint64_t r64;

	if (!a)
		return 0;
	if (nn_attr_copy(a, &r64, sizeof(r64)) < 0)
		return -EINVAL;
	if (r64 > *rate)
		*rate = r64;
	return 0;
}

int nn_htb_class_decode(const struct nlattr *options, struct nn_htb_class *c, struct nn_error *e)
{
	const struct nlattr *tb[TCA_HTB_MAX + 1];
	struct tc_htb_opt opt;

	memset(c, 0, sizeof(*c));
	if (options->nla_len < NLA_HDRLEN || nn_attr_parse_nested(options, tb, TCA_HTB_MAX) < 0)
		return nn_error_setx(e, EINVAL, "malformed htb class options attribute");
	if (!tb[TCA_HTB_PARMS] || nn_attr_copy(tb[TCA_HTB_PARMS], &opt, sizeof(opt)) < 0)
		return nn_error_setx(e, EINVAL, "htb class options without parameters");
	c->rate = opt.rate.rate;
	c->ceil = opt.ceil.rate;
	if (get_rate64(tb[TCA_HTB_RATE64], &c->rate) < 0 || get_rate64(tb[TCA_HTB_CEIL64], &c->ceil) < 0)
		return nn_error_setx(e, EINVAL, "malformed htb class rate64 attribute");
	if (!c->rate || !c->ceil)
		return nn_error_setx(e, EINVAL, "htb class with a zero rate");
	c->burst = ticks_to_bytes(opt.buffer, c->rate);
	c->cburst = ticks_to_bytes(opt.cbuffer, c->ceil);
	c->quantum = opt.quantum;
	c->prio = opt.prio;
	return 0;
}

/* Within one 64 ns tick of traffic at RATE. */
static bool burst_close(uint32_t a, uint32_t b, uint64_t rate)
{
	uint64_t slack = (uint64_t)((((u128)rate << NN_PSCHED_SHIFT) + NSEC_PER_SEC - 1) / NSEC_PER_SEC);

	return (a > b ? a - b : b - a) <= slack;
}

bool nn_htb_class_same(const struct nn_htb_class *want, const struct nn_htb_class *have)
{
	return want->rate == have->rate && want->ceil == have->ceil &&
	       want->quantum == have->quantum && want->prio == have->prio &&
	       burst_close(want->burst, have->burst, want->rate) &&
	       burst_close(want->cburst, have->cburst, want->ceil);
}
