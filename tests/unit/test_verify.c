// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verify without the kernel: bounds as written, the expect: list of a lab
 * file, the paths a lab's routes give (labpath.h), the bounds derived from
 * a lab's impairments, and the verdicts on made-up measurements at the
 * edges of their bands.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "netnsctl/expect.h"
#include "netnsctl/labfile.h"
#include "netnsctl/labpath.h"
#include "netnsctl/stats.h"
#include "netnsctl/verify.h"

#define near(a, b, tol)                                                                    \
	do {                                                                               \
		if (fabs((double)(a) - (double)(b)) > (tol))                               \
			print_error("%s = %.9g, want %.9g\n", #a, (double)(a), (double)(b)); \
		assert_true(fabs((double)(a) - (double)(b)) <= (tol));                     \
	} while (0)

static struct nn_labfile *parse_ok(const char *text)
{
	struct nn_error e = { 0 };
	struct nn_labfile *lf = NULL;
	int ret = nn_labfile_parse(text, strlen(text), "lab.yaml", &lf, &e);

	if (ret)
		print_error("%s\n", e.msg);
	assert_int_equal(ret, 0);
	return lf;
}

static void parse_bad(const char *text, const char *msg)
{
	struct nn_error e = { 0 };
	struct nn_labfile *lf = NULL;
	int ret = nn_labfile_parse(text, strlen(text), "lab.yaml", &lf, &e);

	if (ret == 0 || strcmp(e.msg, msg))
		print_error("got %d \"%s\"\n", ret, e.msg);
	assert_int_equal(ret, -EINVAL);
	assert_null(lf);
	assert_string_equal(e.msg, msg);
}

static struct nn_prefix addr(const char *s)
{
	struct nn_prefix p = { .family = AF_INET, .len = 32 };

	if (strchr(s, ':')) {
		p.family = AF_INET6;
		p.len = 128;
	}
	assert_int_equal(inet_pton(p.family, s, p.addr.bytes), 1);
	return p;
}

static void v4_is(const struct nn_prefix *p, const char *s)
{
	struct nn_prefix want = addr(s);

	assert_int_equal(p->family, AF_INET);
	assert_memory_equal(&p->addr.v4, &want.addr.v4, 4);
}

/* --- bounds --- */

static void bound_ok(const char *s, enum nn_bound_kind k, double value, double lo, double hi,
		     int has_tol)
{
	struct nn_error e = { 0 };
	struct nn_bound b;
	int ret = nn_bound_parse(s, k, "x", &b, &e);

	if (ret)
		print_error("\"%s\": %s\n", s, e.msg);
	assert_int_equal(ret, 0);
	assert_true(b.set);
	assert_int_equal(b.has_tol, has_tol);
	near(b.value, value, value * 1e-6 + 1e-12);
	near(b.lo, lo, lo * 1e-6 + 1e-12);
	near(b.hi, hi, hi * 1e-6 + 1e-12);
	assert_string_equal(b.text, s);
}

static void bound_bad(const char *s, enum nn_bound_kind k, const char *what, const char *msg)
{
	struct nn_error e = { 0 };
	struct nn_bound b;
	int ret = nn_bound_parse(s, k, what, &b, &e);

	if (ret == 0 || strcmp(e.msg, msg))
		print_error("\"%s\": got %d \"%s\"\n", s, ret, e.msg);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(e.msg, msg);
}

static void test_bounds(void **state)
{
	(void)state;
	bound_ok("200ms\xc2\xb1" "20ms", NN_BOUND_TIME, 200e6, 180e6, 220e6, 1);
	bound_ok("200ms+-20ms", NN_BOUND_TIME, 200e6, 180e6, 220e6, 1);
	bound_ok("200ms +- 10%", NN_BOUND_TIME, 200e6, 180e6, 220e6, 1);
	bound_ok("1.5s", NN_BOUND_TIME, 1.5e9, 1.5e9, 1.5e9, 0);
	bound_ok("10ms+-20ms", NN_BOUND_TIME, 10e6, 0, 30e6, 1);
	bound_ok("1%", NN_BOUND_LOSS, 0.01, 0.01, 0.01, 0);
	/* a loss's tolerance is in percentage points */
	bound_ok("1%\xc2\xb1" "0.5%", NN_BOUND_LOSS, 0.01, 0.005, 0.015, 1);
	bound_ok("99%+-5%", NN_BOUND_LOSS, 0.99, 0.94, 1, 1);
	bound_ok("0%", NN_BOUND_LOSS, 0, 0, 0, 0);
	bound_ok("10mbit\xc2\xb1" "10%", NN_BOUND_RATE, 10e6, 9e6, 11e6, 1);
	bound_ok("10mbit+-1mbit", NN_BOUND_RATE, 10e6, 9e6, 11e6, 1);
	bound_ok("1mbps", NN_BOUND_RATE, 8e6, 8e6, 8e6, 0);

	bound_bad("200xs+-1ms", NN_BOUND_TIME, "rtt", "invalid rtt \"200xs+-1ms\": unknown unit \"xs\"");
	bound_bad("200ms\xc2\xb1", NN_BOUND_TIME, "rtt", "invalid rtt \"200ms+-\": no tolerance after \"+-\"");
	bound_bad("200ms+-1xs", NN_BOUND_TIME, "rtt", "invalid rtt \"200ms+-1xs\": tolerance: unknown unit \"xs\"");
	bound_bad("fast", NN_BOUND_RATE, "rate", "invalid rate \"fast\": not a number");
	bound_bad("101%", NN_BOUND_LOSS, "loss", "invalid loss \"101%\": must be between 0% and 100%");
	bound_bad("", NN_BOUND_TIME, "rtt", "invalid rtt \"\": empty");
}

/* --- lab files --- */

static const char abc[] =
	"name: abc\n"
	"nodes:\n"
	"  - name: a\n"
	"    routes: [{to: 10.30.2.0/30, via: 10.30.1.2}]\n"
	"  - name: b\n"
	"    forwarding: false\n"
	"  - name: c\n"
	"    routes: [{to: 10.30.1.0/30, via: 10.30.2.1}]\n"
	"links:\n"
	"  - endpoints: [a:to-b, b:to-a]\n"
	"    cidr: 10.30.1.0/30\n"
	"  - endpoints: [b:to-c, c:to-b]\n"
	"    cidr: 10.30.2.0/30\n";

static void test_labfile_expect(void **state)
{
	char text[4096];
	struct nn_labfile *lf;
	const struct nn_expect *x;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", abc,
		 "expect:\n"
		 "  - {from: a, to: b}\n"
		 "  - {from: a, to: c, reach: false}\n"
		 "  - {from: b, to: 10.30.2.2, rtt: 1ms+-1ms, loss: 0%}\n"
		 "  - {from: b, to: c, rate: 10mbit\xc2\xb1" "10%}\n");
	lf = parse_ok(text);
	assert_int_equal(lf->n_expects, 4);
	x = &lf->expects[0];
	assert_string_equal(x->from, "a");
	assert_string_equal(x->to, "b");
	assert_int_equal(x->reach, NN_REACH_UNSAID);
	assert_true(nn_expect_unbounded(x));
	assert_int_equal(x->line, 15);
	assert_int_equal(x->col, 5);
	assert_int_equal(lf->expects[1].reach, NN_REACH_NO);
	x = &lf->expects[2];
	assert_true(x->to_is_addr);
	assert_string_equal(x->to, "");
	v4_is(&x->to_addr, "10.30.2.2");
	assert_true(x->rtt.set && x->loss.set && !x->rate.set);
	x = &lf->expects[3];
	assert_true(x->rate.set && !x->rtt.set && !x->loss.set);
	near(x->rate.hi, 11e6, 1);
	nn_labfile_free(lf);

	snprintf(text, sizeof(text), "%sexpect:\n  - {from: a, to: b, dealy: 1ms}\n", abc);
	parse_bad(text, "lab.yaml:15:22: unknown key \"dealy\" in expectation");
	snprintf(text, sizeof(text), "%sexpect:\n  - {from: a, to: d}\n", abc);
	parse_bad(text, "lab.yaml:15:19: undeclared node \"d\"");
	snprintf(text, sizeof(text), "%sexpect:\n  - {from: a}\n", abc);
	parse_bad(text, "lab.yaml:15:5: expectation needs \"from\" and \"to\"");
	snprintf(text, sizeof(text), "%sexpect:\n  - {from: a, to: c, reach: false, rtt: 1ms}\n", abc);
	parse_bad(text, "lab.yaml:15:29: \"reach: false\" takes no rtt, loss or rate");
	snprintf(text, sizeof(text), "%sexpect:\n  - {from: a, to: b, rtt: 200xs}\n", abc);
	parse_bad(text, "lab.yaml:15:27: invalid rtt \"200xs\": unknown unit \"xs\"");
	snprintf(text, sizeof(text), "%sexpect:\n  - {from: a, to: b, reach: maybe}\n", abc);
	parse_bad(text, "lab.yaml:15:29: invalid reach \"maybe\": expected true or false");
	snprintf(text, sizeof(text), "%sexpect:\n  - {from: a, to: 10.30.1.2, rate: 1mbit}\n", abc);
	parse_bad(text, "lab.yaml:15:36: a rate needs \"to\" to be a node: netnsctl receives the transfer there");
	snprintf(text, sizeof(text), "%sexpect: {from: a, to: b}\n", abc);
	parse_bad(text, "lab.yaml:14:9: expect must be a list, not a mapping");
}

/* --- paths --- */

static void hop_is(const struct nn_path *p, size_t i, const char *ns, const char *ifname)
{
	assert_true(i < p->n_hops);
	assert_string_equal(p->hops[i].ns, ns);
	assert_string_equal(p->hops[i].ifname, ifname);
}

static void test_paths_abc(void **state)
{
	struct nn_labfile *lf = parse_ok(abc);
	struct nn_path f, r;
	struct nn_prefix addrs[4];
	struct nn_error e = { 0 };

	(void)state;
	assert_int_equal(nn_labpath_trace(lf, 0, &(struct nn_prefix){ 0 }, &f, &e), 0);
	assert_false(f.reached);

	/* a -> b: one hop, from a's address on the link */
	assert_int_equal(nn_labpath_round_trip(lf, 0, &(struct nn_prefix){ .family = AF_INET, .len = 32,
			 .addr.v4.s_addr = addr("10.30.1.2").addr.v4.s_addr }, &f, &r, &e), 0);
	assert_true(f.reached && r.reached);
	assert_int_equal(f.n_hops, 1);
	hop_is(&f, 0, "a", "to-b");
	hop_is(&r, 0, "b", "to-a");
	v4_is(&f.src, "10.30.1.1");
	assert_int_equal(f.dst_node, 1);

	/* a -> c: b does not forward */
	{
		struct nn_prefix c = addr("10.30.2.2");

		assert_int_equal(nn_labpath_round_trip(lf, 0, &c, &f, &r, &e), 0);
		assert_false(f.reached);
		assert_string_equal(f.why, "b does not forward (forwarding: false)");
		assert_false(r.reached);
		/* b -> c: a neighbour */
		assert_int_equal(nn_labpath_round_trip(lf, 1, &c, &f, &r, &e), 0);
		assert_true(f.reached && r.reached);
		hop_is(&f, 0, "b", "to-c");
		/* a -> 10.99.0.1: a has no route */
		c = addr("10.99.0.1");
		assert_int_equal(nn_labpath_trace(lf, 0, &c, &f, &e), 0);
		assert_string_equal(f.why, "a has no route to 10.99.0.1");
		/* on a's link, but nobody has it */
		c = addr("10.30.1.3");
		assert_int_equal(nn_labpath_trace(lf, 0, &c, &f, &e), 0);
		assert_string_equal(f.why, "nothing on a's to-b answers for 10.30.1.3");
	}
	assert_int_equal(nn_labpath_node_addrs(lf, 1, addrs, 4), 2);
	v4_is(&addrs[0], "10.30.1.2");
	v4_is(&addrs[1], "10.30.2.1");
	/* forwarding on: a reaches c, and c's answer comes back over b */
	nn_labfile_free(lf);
	{
		char text[sizeof(abc) + 16];
		char *p;

		snprintf(text, sizeof(text), "%s", abc);
		p = strstr(text, "forwarding: false");
		memcpy(p, "forwarding: true ", 17);
		lf = parse_ok(text);
	}
	{
		struct nn_prefix c = addr("10.30.2.2");

		assert_int_equal(nn_labpath_round_trip(lf, 0, &c, &f, &r, &e), 0);
		assert_true(f.reached && r.reached);
		assert_int_equal(f.n_hops, 2);
		hop_is(&f, 0, "a", "to-b");
		hop_is(&f, 1, "b", "to-c");
		hop_is(&r, 0, "c", "to-b");
		hop_is(&r, 1, "b", "to-a");
		assert_int_equal(f.dst_node, 2);
	}
	nn_labfile_free(lf);
}

static const char bridged[] =
	"nodes:\n"
	"  - h1\n"
	"  - name: h2\n"
	"    routes: [{to: default, via: 10.20.0.254}]\n"
	"  - name: gw\n"
	"    forwarding: true\n"
	"  - far\n"
	"bridges:\n"
	"  - name: br0\n"
	"    members:\n"
	"      - {node: h1, addr: 10.20.0.1/24, egress: {delay: 5ms}, port_egress: {rate: 5mbit}}\n"
	"      - {node: h2, addr: 10.20.0.2/24, impair: {delay: 7ms}}\n"
	"      - {node: gw, addr: 10.20.0.254/24}\n"
	"links:\n"
	"  - endpoints: [gw:eth1, far:eth0]\n"
	"    cidr: 10.21.0.0/30\n"
	"    impair: {loss: 10%}\n"
	"  - endpoints: [h1:up, gw:h1up]\n"
	"    cidr: 10.22.0.0/30\n";

static void test_paths_bridge(void **state)
{
	struct nn_labfile *lf = parse_ok(bridged);
	struct nn_prefix a = addr("10.20.0.2");
	struct nn_path f, r;
	struct nn_error e = { 0 };

	(void)state;
	/* h1 -> h2 over br0: h1's egress, then h2's port */
	assert_int_equal(nn_labpath_round_trip(lf, 0, &a, &f, &r, &e), 0);
	assert_true(f.reached && r.reached);
	assert_int_equal(f.n_hops, 2);
	hop_is(&f, 0, "h1", "to-br0");
	hop_is(&f, 1, "", "br0-h2");
	assert_int_equal(f.hops[0].egress->kind, NN_QDISC_NETEM);
	assert_int_equal(f.hops[0].egress->netem.delay_ns, 5000000);
	assert_int_equal(f.hops[1].egress->netem.delay_ns, 7000000);
	hop_is(&r, 0, "h2", "to-br0");
	hop_is(&r, 1, "", "br0-h1");
	assert_int_equal(r.hops[1].egress->kind, NN_QDISC_TBF);
	/* h2 -> far: default route via gw, which forwards; far has no route
	 * back to h2's subnet */
	a = addr("10.21.0.2");
	assert_int_equal(nn_labpath_round_trip(lf, 1, &a, &f, &r, &e), 0);
	assert_true(f.reached);
	assert_int_equal(f.n_hops, 3);
	hop_is(&f, 2, "gw", "eth1");
	assert_false(r.reached);
	assert_string_equal(r.why, "replies: far has no route to 10.20.0.2");
	/* two paths that cross br0 share it; one over the h1-gw link does not */
	{
		struct nn_path g, s;

		a = addr("10.20.0.254");
		assert_int_equal(nn_labpath_round_trip(lf, 0, &a, &g, &s, &e), 0);
		assert_true(nn_labpath_share(&f, &g));
		a = addr("10.22.0.2");
		assert_int_equal(nn_labpath_round_trip(lf, 0, &a, &g, &s, &e), 0);
		assert_true(g.reached);
		hop_is(&g, 0, "h1", "up");
		assert_false(nn_labpath_share(&f, &g));
	}
	nn_labfile_free(lf);
}

/* --- derived bounds --- */

static const char impaired[] =
	"nodes:\n"
	"  - a\n"
	"  - b\n"
	"  - c\n"
	"links:\n"
	"  - endpoints:\n"
	"      - {node: a, addr: 10.0.0.1/30, egress: {delay: 100ms, jitter: 10ms, loss: 1%}}\n"
	"      - {node: b, addr: 10.0.0.2/30, egress: {delay: 20ms, loss: 2%, corrupt: 4%, rate: 1mbit}}\n"
	"  - endpoints: [a, c]\n"
	"    cidr: 10.0.1.0/30\n"
	"    impair: {delay: 10ms, loss: 5%, loss_correlation: 25%}\n"
	"  - endpoints: [b, c]\n"
	"    cidr: 10.0.2.0/30\n"
	"    impair: {delay: 50ms, reorder: 50%}\n"
	"expect:\n"
	"  - {from: a, to: b}\n"
	"  - {from: a, to: c}\n"
	"  - {from: b, to: c}\n"
	"  - {from: a, to: b, rtt: 50ms, loss: 1%+-0.5%}\n"
	"  - {from: b, to: a, rate: 2mbit}\n";

static void test_derive(void **state)
{
	struct nn_labfile *lf = parse_ok(impaired);
	struct nn_verify_plan p;
	struct nn_error e = { 0 };

	(void)state;
	assert_int_equal(nn_verify_derive(lf, &lf->expects[0], &p, &e), 0);
	assert_string_equal(p.name, "a -> b");
	assert_true(p.modelled);
	assert_int_equal(p.reach, NN_REACH_YES);
	assert_true(p.reach_derived && p.rtt && p.rtt_derived && p.loss && p.loss_derived);
	/* both directions: 100 ms + 20 ms; b's 1mbit serialises each frame */
	near(p.rtt_ms, 120, 1e-9);
	near(p.rtt_ms_per_byte, 8.0 / 1e6 * 1e3, 1e-12);
	/* a uniform +-10 ms: variance 100/3 */
	near(p.rtt_sigma_ms, sqrt(100.0 / 3), 1e-9);
	near(p.rtt_jmax_ms, 10, 1e-9);
	/* lost on the way there (1%) or back (2%, and 90-100% of 4% corrupted) */
	near(p.p_lo, 1 - 0.99 * 0.98 * (1 - 0.9 * 0.04), 1e-6);
	near(p.p_hi, 1 - 0.99 * 0.98 * 0.96, 1e-6);
	/* a -> b has no rate limit; b's 1mbit is on the way back */
	assert_false(p.rate_derived);
	assert_false(p.rate);

	/* a correlated loss has no binomial band: no loss check, and a note */
	assert_int_equal(nn_verify_derive(lf, &lf->expects[1], &p, &e), 0);
	assert_true(p.rtt);
	near(p.rtt_ms, 20, 1e-9);
	assert_false(p.loss);
	assert_string_equal(p.note, "loss not derived: a correlated loss or corruption on a:to-c has no binomial band");

	/* reordering half the probes past the delay: no median to expect */
	assert_int_equal(nn_verify_derive(lf, &lf->expects[2], &p, &e), 0);
	assert_false(p.rtt);
	assert_true(p.loss);
	near(p.p_hi, 0, 0);

	/* given bounds are checked as given; nothing else is derived */
	assert_int_equal(nn_verify_derive(lf, &lf->expects[3], &p, &e), 0);
	assert_int_equal(p.reach, NN_REACH_UNSAID);
	assert_true(p.rtt && !p.rtt_derived && !p.rtt_has_band);
	near(p.rtt_ms, 50, 1e-9);
	near(p.p_lo, 0.005, 1e-9);
	near(p.p_hi, 0.015, 1e-9);
	assert_false(p.rate);

	/* a rate without a tolerance: +-10% */
	assert_int_equal(nn_verify_derive(lf, &lf->expects[4], &p, &e), 0);
	assert_true(p.rate && !p.rate_derived);
	near(p.rate_lo_bps, 1.8e6, 1);
	near(p.rate_hi_bps, 2.2e6, 1);
	nn_labfile_free(lf);
}

static void test_derive_reach(void **state)
{
	char text[4096];
	struct nn_labfile *lf;
	struct nn_verify_plan p;
	struct nn_error e = { 0 };

	(void)state;
	snprintf(text, sizeof(text), "%s%s", abc,
		 "  - endpoints: [{node: c, if: x2, addr: 10.30.3.1/30}, {node: a, if: x2, addr: 10.30.3.2/30}]\n"
		 "    impair: {rate: 5mbit}\n"
		 "expect:\n"
		 "  - {from: a, to: c, reach: false}\n"
		 "  - {from: a, to: c}\n"
		 "  - {from: b, to: c, reach: true}\n"
		 "  - {from: c, to: a}\n");
	lf = parse_ok(text);
	/* never reaches c: each of c's addresses is probed */
	assert_int_equal(nn_verify_derive(lf, &lf->expects[0], &p, &e), 0);
	assert_int_equal(p.reach, NN_REACH_NO);
	assert_false(p.reach_derived);
	assert_int_equal(p.n_targets, 2);
	assert_false(p.rtt || p.loss || p.rate);
	/* a reaches c over the new link: that address is chosen */
	assert_int_equal(nn_verify_derive(lf, &lf->expects[1], &p, &e), 0);
	assert_int_equal(p.reach, NN_REACH_YES);
	assert_int_equal(p.n_targets, 1);
	v4_is(&p.targets[0], "10.30.3.1");
	assert_true(p.rate && p.rate_derived);
	near(p.rate_lo_bps, 4.5e6, 1);
	near(p.rate_hi_bps, 5.5e6, 1);
	/* the same path to an address: no transfer without a node to receive it */
	{
		struct nn_expect x = lf->expects[1];

		x.to_is_addr = true;
		x.to[0] = '\0';
		x.to_addr = addr("10.30.3.1");
		assert_int_equal(nn_verify_derive(lf, &x, &p, &e), 0);
		assert_true(p.rtt && p.loss);
		assert_false(p.rate);
		assert_string_equal(p.note, "rate not derived: a transfer needs \"to\" to be a node");
	}
	/* reach: true and no bounds: the rest is derived too */
	assert_int_equal(nn_verify_derive(lf, &lf->expects[2], &p, &e), 0);
	assert_int_equal(p.reach, NN_REACH_YES);
	assert_false(p.reach_derived);
	assert_true(p.rtt_derived && p.loss_derived);
	nn_labfile_free(lf);

	/* unbounded and unreachable in the lab: "no answer" is the claim */
	snprintf(text, sizeof(text), "%sexpect:\n  - {from: a, to: c}\n", abc);
	lf = parse_ok(text);
	assert_int_equal(nn_verify_derive(lf, &lf->expects[0], &p, &e), 0);
	assert_int_equal(p.reach, NN_REACH_NO);
	assert_true(p.reach_derived);
	nn_labfile_free(lf);

	/* a node without an address cannot be probed: bad input, with its place */
	lf = parse_ok("nodes: [a, lonely]\nexpect:\n  - {from: a, to: lonely}\n");
	assert_int_equal(nn_verify_derive(lf, &lf->expects[0], &p, &e), -EINVAL);
	assert_string_equal(e.msg, "lab.yaml:3:5: expectation a -> lonely: node \"lonely\" has no address in the lab file");
	nn_labfile_free(lf);
}

/* --- verdicts --- */

static struct nn_verify_result *judged(const struct nn_labfile *lf, size_t i, uint32_t sent,
				       uint32_t received, double p50)
{
	static struct nn_verify_result r;
	struct nn_error e = { 0 };

	memset(&r, 0, sizeof(r));
	assert_int_equal(nn_verify_derive(lf, &lf->expects[i], &r.plan, &e), 0);
	r.targets[0].probed = true;
	r.targets[0].st.sent = sent;
	r.targets[0].st.received = received;
	r.targets[0].st.rtt_p50_ms = p50;
	r.targets[0].st.size = NN_PROBE_DEFAULT_SIZE;
	r.targets[0].st.dst = r.plan.targets[0];
	nn_verify_judge(&r);
	return &r;
}

static const struct nn_verify_check *find(const struct nn_verify_result *r, enum nn_check_kind k)
{
	for (size_t i = 0; i < r->n_checks; i++)
		if (r->checks[i].kind == k)
			return &r->checks[i];
	fail_msg("no %s check", nn_check_name(k));
	return NULL;
}

static void test_judge(void **state)
{
	struct nn_labfile *lf = parse_ok(impaired);
	const struct nn_verify_check *c;
	struct nn_verify_result *r;
	uint64_t lo, hi;
	double rtt_hi, rtt_lo;

	(void)state;
	/* a -> b: loss in [1 - .99*.98*.97, 1 - .99*.98*.96] of 200 */
	r = judged(lf, 0, 200, 190, 121);
	assert_int_equal(r->n_checks, 3);
	nn_binom_band(200, r->plan.p_lo, r->plan.p_hi, NN_VERIFY_BAND_LEVEL, &lo, &hi);
	c = find(r, NN_CHECK_LOSS);
	near(c->lo, (double)lo, 0);
	near(c->hi, (double)hi, 0);
	assert_true(r->pass);
	r = judged(lf, 0, 200, 200 - (uint32_t)hi, 121);
	assert_true(r->pass);
	r = judged(lf, 0, 200, 200 - (uint32_t)hi - 1, 121);
	assert_false(r->pass);
	assert_false(find(r, NN_CHECK_LOSS)->pass);
	assert_true(find(r, NN_CHECK_RTT)->pass);

	/* the median's band: 120 ms, and the answer's 98-byte frame
	 * serialised at b's 1mbit (the probe's way has no rate) */
	r = judged(lf, 0, 200, 190, 121);
	c = find(r, NN_CHECK_RTT);
	{
		double d = 120 + 98 * 8.0 / 1e6 * 1e3;
		double se = fmax(10, 1.2533 * sqrt(100.0 / 3)) / sqrt(190);
		double z = nn_normal_quantile(1 - (1 - NN_VERIFY_BAND_LEVEL) / 2);

		rtt_lo = d - z * se - NN_VERIFY_RTT_EARLY_MS - 0.001 * d;
		rtt_hi = d + z * se + NN_VERIFY_RTT_SLACK_MS + NN_VERIFY_RTT_SLACK_FRAC * d;
	}
	near(c->lo, rtt_lo, 1e-9);
	near(c->hi, rtt_hi, 1e-9);
	assert_true(judged(lf, 0, 200, 190, rtt_hi - 1e-6)->pass);
	assert_false(judged(lf, 0, 200, 190, rtt_hi + 1e-3)->pass);
	assert_true(judged(lf, 0, 200, 190, rtt_lo + 1e-6)->pass);
	assert_false(judged(lf, 0, 200, 190, rtt_lo - 1e-3)->pass);

	/* no answers at all: reach fails, and so does the rtt */
	r = judged(lf, 0, 200, 0, 0);
	assert_false(find(r, NN_CHECK_REACH)->pass);
	assert_false(find(r, NN_CHECK_RTT)->pass);
	assert_string_equal(find(r, NN_CHECK_RTT)->measured, "no answers");

	/* a rate: the median of the seconds after the first, as frames */
	{
		static const double secs[] = { 0.5e6, 1.9e6, 1.7e6, 2.0e6 };

		r = judged(lf, 4, 200, 200, 1);
		assert_false(r->pass);
		assert_string_equal(find(r, NN_CHECK_RATE)->measured, "no transfer: no answers");
		r->rated = true;
		r->rate.per_second_bps = secs;
		r->rate.n_seconds = 4;
		r->rate.goodput_bps = 1.5e6;
		r->rate.mss = 1448;
		r->rate.mtu = 1500;
		nn_verify_judge(r);
		c = find(r, NN_CHECK_RATE);
		near(c->value, 1.9e6 * 1514 / 1448, 1e-3);
		assert_true(r->pass);
		r->rate.mtu = 1400;	/* 1.9 * 1414 / 1448 = 1.855: still in 1.8-2.2 */
		nn_verify_judge(r);
		assert_true(r->pass);
		r->rate.n_seconds = 2;	/* too short for a median: the whole window */
		nn_verify_judge(r);
		near(find(r, NN_CHECK_RATE)->value, 1.5e6 * 1414 / 1448, 1e-3);
		assert_false(r->pass);
	}

	/* an expectation that could not be measured fails, with no checks */
	r = judged(lf, 0, 200, 190, 121);
	r->error = true;
	nn_verify_judge(r);
	assert_false(r->pass);
	assert_int_equal(r->n_checks, 0);
	nn_labfile_free(lf);

	/* never reaches: any answer at any address fails it */
	{
		char text[4096];

		snprintf(text, sizeof(text), "%sexpect:\n  - {from: a, to: b, reach: false}\n", abc);
		lf = parse_ok(text);
		r = judged(lf, 0, 200, 0, 0);
		assert_int_equal(r->plan.n_targets, 2);
		r->targets[1].probed = true;
		r->targets[1].st.sent = 200;
		nn_verify_judge(r);
		assert_true(r->pass);
		assert_string_equal(find(r, NN_CHECK_REACH)->measured, "0 of 400 answered at 2 addresses");
		r->targets[1].st.received = 1;
		nn_verify_judge(r);
		assert_false(r->pass);
		nn_labfile_free(lf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_labfile_expect),
		cmocka_unit_test(test_paths_abc),
		cmocka_unit_test(test_paths_bridge),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_derive_reach),
		cmocka_unit_test(test_judge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
