// SPDX-License-Identifier: GPL-2.0-or-later
/* A lab file's timeline: the events as parsed, every refusal (one line,
 * file:line:col), the expanded schedule with its exact values, and its text. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/labfile.h"
#include "netnsctl/timeline.h"
#include "timeline/timeline_int.h"

#define MS 1000000ULL
#define S 1000000000ULL

static const char head[] =
	"name: chaos\n"			/* 1 */
	"nodes: [a, b, c1, c2, c3]\n"	/* 2 */
	"links:\n"			/* 3 */
	"  - endpoints: [a, b]\n"	/* 4 */
	"    cidr: 10.1.0.0/30\n"	/* 5 */
	"    impair: {delay: 5ms}\n"	/* 6 */
	"bridges:\n"			/* 7 */
	"  - name: br0\n"		/* 8 */
	"    node: b\n"			/* 9 */
	"    members: [c1, c2, {node: c3, egress: {rate: 5mbit}}]\n"	/* 10 */
	"timeline:\n";			/* 11 */

static char *with(const char *events)
{
	char *s = NULL;

	assert_true(asprintf(&s, "%s%s", head, events) > 0);
	return s;
}

static struct nn_labfile *parse_ok(const char *events)
{
	char *text = with(events);
	struct nn_error e = { 0 };
	struct nn_labfile *lf = NULL;
	int ret = nn_labfile_parse(text, strlen(text), "lab.yaml", &lf, &e);

	if (ret)
		print_error("%s\n", e.msg);
	free(text);
	assert_int_equal(ret, 0);
	return lf;
}

static void parse_bad(const char *events, int err, const char *msg)
{
	char *text = with(events);
	struct nn_error e = { 0 };
	struct nn_labfile *lf = (struct nn_labfile *)1;
	int ret = nn_labfile_parse(text, strlen(text), "lab.yaml", &lf, &e);

	if (ret == 0 || strcmp(e.msg, msg))
		print_error("got %d \"%s\"\n", ret, e.msg);
	free(text);
	assert_int_equal(ret, -err);
	assert_null(lf);
	assert_string_equal(e.msg, msg);
}

static void make(const struct nn_labfile *lf, struct nn_tl_schedule *s)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_tl_schedule_make(lf, s, &e), 0);
}

/* ------------------------------------------------------------ the model */

static void test_events(void **state)
{
	struct nn_labfile *lf = parse_ok(
		"  - {at: 1s, down: a:to-b, repeat: {every: 10s, count: 3}}\n"		/* 12 */
		"  - {at: 2s, up: a:to-b}\n"						/* 13 */
		"  - at: 3s\n"								/* 14 */
		"    impair: {link: b:to-a, delay: 10ms, loss: 1%}\n"
		"    ramp: {to: 300ms, over: 60s, steps: 30}\n"
		"  - {at: 70s, clear: b:to-a}\n"					/* 17 */
		"  - {at: 71s, rate: {link: b:br0-c1, rate: 1mbit, burst: 32kb}}\n"
		"  - {at: 72s, partition: {nodes: [c1, c2], from: [c3]}}\n"
		"  - {at: 73s, run: {node: a, command: [ping, -c, '1', 10.1.0.2]}}\n"
		"  - {at: 74s, expect: {from: a, to: b, loss: 0%}}\n"
		"  - {at: 75s, heal: all}\n"
		"  - {at: 76s, clear: c3:to-br0}\n");
	const struct nn_tl_event *ev = lf->timeline;

	(void)state;
	assert_int_equal(lf->n_timeline, 10);
	assert_int_equal(ev[0].action, NN_TL_DOWN);
	assert_int_equal(ev[0].at_ns, 1 * S);
	assert_int_equal(ev[0].link.node, 0);
	assert_string_equal(ev[0].link.ifname, "to-b");
	assert_int_equal(ev[0].repeat.count, 3);
	assert_int_equal(ev[0].repeat.every_ns, 10 * S);
	assert_int_equal(ev[0].mark.line, 12);
	assert_int_equal(ev[1].repeat.count, 1);

	assert_int_equal(ev[2].action, NN_TL_IMPAIR);
	assert_int_equal(ev[2].link.node, 1);
	assert_int_equal(ev[2].impair.kind, NN_QDISC_NETEM);
	assert_int_equal(ev[2].impair.netem.delay_ns, 10 * MS);
	assert_int_equal(ev[2].ramp.what, NN_TL_RAMP_DELAY);
	assert_int_equal(ev[2].ramp.to, 300 * MS);
	assert_int_equal(ev[2].ramp.over_ns, 60 * S);
	assert_int_equal(ev[2].ramp.steps, 30);
	/* the file's own qdisc of that end: what clear puts back */
	assert_int_equal(ev[2].link.base.kind, NN_QDISC_NETEM);
	assert_int_equal(ev[2].link.base.netem.delay_ns, 5 * MS);

	assert_int_equal(ev[3].action, NN_TL_CLEAR);
	assert_int_equal(ev[4].action, NN_TL_RATE);
	assert_int_equal(ev[4].impair.kind, NN_QDISC_TBF);
	assert_int_equal(ev[4].impair.tbf.rate, 125000);
	assert_int_equal(ev[4].impair.tbf.burst, 32768);
	/* a port of a bridge in a node has no qdisc of the file's */
	assert_int_equal(ev[4].link.base.kind, NN_QDISC_OTHER);

	assert_int_equal(ev[5].action, NN_TL_PARTITION);
	assert_int_equal(ev[5].n_group[0], 2);
	assert_int_equal(ev[5].group[0][0], 2);
	assert_int_equal(ev[5].group[0][1], 3);
	assert_int_equal(ev[5].n_group[1], 1);
	assert_int_equal(ev[5].group[1][0], 4);

	assert_int_equal(ev[6].action, NN_TL_RUN);
	assert_int_equal(ev[6].node, 0);
	assert_int_equal(ev[6].command.argc, 4);
	assert_string_equal(ev[6].command.argv[3], "10.1.0.2");
	assert_null(ev[6].command.argv[4]);

	assert_int_equal(ev[7].action, NN_TL_EXPECT);
	assert_string_equal(ev[7].expect.from, "a");
	assert_string_equal(ev[7].expect.to, "b");
	assert_true(ev[7].expect.loss.set);

	assert_int_equal(ev[8].action, NN_TL_HEAL);
	assert_true(ev[8].heal_all);
	/* a member's egress is the base of its interface */
	assert_int_equal(ev[9].link.base.kind, NN_QDISC_TBF);
	assert_int_equal(ev[9].link.base.tbf.rate, 625000);
	nn_labfile_free(lf);
}

static void test_prefix(void **state)
{
	static const char text[] =
		"prefix: lab1-\n"
		"nodes: [a, b]\n"
		"links: [{endpoints: [a, b]}]\n"
		"timeline:\n"
		"  - {at: 1s, partition: {nodes: [a], from: [b]}}\n"
		"  - {at: 2s, heal: {nodes: [b], from: [a]}}\n";
	struct nn_labfile *lf = NULL;
	struct nn_tl_schedule s;
	struct nn_error e = { 0 };
	char buf[256];

	(void)state;
	assert_int_equal(nn_labfile_parse(text, strlen(text), "p.yaml", &lf, &e), 0);
	assert_string_equal(lf->nodes[lf->timeline[0].group[0][0]].name, "lab1-a");
	make(lf, &s);
	/* messages and lines name nodes as the file writes them */
	assert_string_equal(nn_tl_step_format(buf, sizeof(buf), lf, &s.steps[0]), "partition a from b");
	/* a heal names the same two groups, either way round */
	assert_string_equal(nn_tl_step_format(buf, sizeof(buf), lf, &s.steps[1]), "heal b from a");
	nn_tl_schedule_free(&s);
	nn_labfile_free(lf);
}

static void test_no_timeline(void **state)
{
	static const char text[] = "nodes: [a]\n";
	struct nn_labfile *lf = NULL;
	struct nn_tl_schedule s;
	struct nn_error e = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(nn_labfile_parse(text, strlen(text), "p.yaml", &lf, &e), 0);
	assert_null(lf->timeline);
	assert_int_equal(lf->n_timeline, 0);
	make(lf, &s);
	assert_int_equal(s.n, 0);
	f = open_memstream(&out, &len);
	nn_tl_schedule_write(f, lf, &s);
	fclose(f);
	assert_string_equal(out, "   +0.000s  end: back to the lab's base state\n");
	free(out);
	nn_tl_schedule_free(&s);
	nn_labfile_free(lf);
}

/* ------------------------------------------------------------ refusals */

static void test_bad_refs(void **state)
{
	(void)state;
	parse_bad("  - {at: 1s, down: x:to-b}\n", EINVAL, "lab.yaml:12:20: undeclared node \"x\"");
	parse_bad("  - {at: 1s, down: a:eth9}\n", EINVAL,
		  "lab.yaml:12:20: node \"a\" has no interface \"eth9\" in the file");
	parse_bad("  - {at: 1s, down: a}\n", EINVAL, "lab.yaml:12:20: invalid link \"a\": expected NODE:IF");
	parse_bad("  - {at: 1s, impair: {link: q:to-b, delay: 1ms}}\n", EINVAL,
		  "lab.yaml:12:29: undeclared node \"q\"");
	parse_bad("  - {at: 1s, run: {node: q, command: [ls]}}\n", EINVAL,
		  "lab.yaml:12:26: undeclared node \"q\"");
	parse_bad("  - {at: 1s, expect: {from: a, to: zz}}\n", EINVAL,
		  "lab.yaml:12:36: undeclared node \"zz\"");
	parse_bad("  - {at: 1s, partition: {nodes: [a], from: [zz]}}\n", EINVAL,
		  "lab.yaml:12:45: undeclared node \"zz\"");
	/* the host's interfaces are not a timeline's */
	parse_bad("  - {at: 1s, down: a:lo}\n", EINVAL,
		  "lab.yaml:12:20: node \"a\" has no interface \"lo\" in the file");
}

static void test_bad_times(void **state)
{
	(void)state;
	parse_bad("  - {at: 5s, down: a:to-b}\n  - {at: 2s, up: a:to-b}\n", EINVAL,
		  "lab.yaml:13:5: event at 2s is before the one above it (at 5s): write events in time order");
	parse_bad("  - {at: 10, down: a:to-b}\n", EINVAL, "lab.yaml:12:10: invalid at \"10\": no unit (10ms? 10us?)");
	parse_bad("  - {at: -1s, down: a:to-b}\n", EINVAL,
		  "lab.yaml:12:10: invalid at \"-1s\": must not be negative");
	parse_bad("  - {at: 31536001s, down: a:to-b}\n", EINVAL,
		  "lab.yaml:12:10: invalid at \"31536001s\": more than a year");
	parse_bad("  - {at: 1s, down: a:to-b, repeat: {every: 0s, count: 3}}\n", EINVAL,
		  "lab.yaml:12:44: invalid every \"0s\": must be more than 0");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 5ms, over: 0s}}\n", EINVAL,
		  "lab.yaml:12:73: invalid over \"0s\": must be more than 0");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 5ms, over: 31536001s}}\n",
		  EINVAL, "lab.yaml:12:73: invalid over \"31536001s\": more than a year");
	/* each time is within a year, the last repetition is not */
	parse_bad("  - {at: 1s, down: a:to-b, repeat: {every: 31536000s, count: 2}}\n", EINVAL,
		  "lab.yaml:12:5: down's last step is more than a year after the start");
	parse_bad("  - {at: 1s, down: a:to-b, repeat: {every: 1s, count: 0}}\n", ERANGE,
		  "lab.yaml:12:55: invalid count \"0\": must be between 1 and 10000");
}

static void test_bad_events(void **state)
{
	(void)state;
	parse_bad("  - {down: a:to-b}\n", EINVAL, "lab.yaml:12:5: event needs \"at\" (a time from the start: 10s)");
	parse_bad("  - {at: 1s}\n", EINVAL,
		  "lab.yaml:12:5: event needs an action: impair, rate, clear, down, up, partition, heal, run or expect");
	parse_bad("  - {at: 1s, down: a:to-b, up: a:to-b}\n", EINVAL,
		  "lab.yaml:12:32: event has two actions (\"down\" and \"up\"): one each");
	parse_bad("  - {at: 1s, dwn: a:to-b}\n", EINVAL, "lab.yaml:12:14: unknown key \"dwn\" in event");
	parse_bad("  - {at: 1s, impair: {link: a:to-b}}\n", EINVAL,
		  "lab.yaml:12:22: impair needs an impairment (delay, loss, rate, ...): for none use clear");
	parse_bad("  - {at: 1s, impair: {delay: 1ms}}\n", EINVAL,
		  "lab.yaml:12:22: impair needs \"link\" (NODE:IF)");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, dealy: 1ms}}\n", EINVAL,
		  "lab.yaml:12:37: unknown key \"dealy\" in impairment");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, link: a:to-b, delay: 1ms}}\n", EINVAL,
		  "lab.yaml:12:37: duplicate key \"link\" in impair");
	parse_bad("  - {at: 1s, rate: {link: a:to-b, delay: 1ms}}\n", EINVAL,
		  "lab.yaml:12:20: rate sets tbf (rate, burst, latency, limit): for netem keys use impair");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 100}}\n", EINVAL,
		  "lab.yaml:12:44: invalid delay \"100\": no unit (100ms? 100us?)");
	parse_bad("  - {at: 1s, impair: a:to-b}\n", EINVAL,
		  "lab.yaml:12:22: impair must be a mapping with \"link\", not a value or a list");
	parse_bad("  - {at: 1s, heal: some}\n", EINVAL,
		  "lab.yaml:12:20: invalid heal \"some\": expected all, or {nodes: [...], from: [...]}");
	parse_bad("  - {at: 1s, run: {node: a}}\n", EINVAL, "lab.yaml:12:19: run needs \"node\" and \"command\"");
	parse_bad("  - {at: 1s, run: {node: a, command: []}}\n", EINVAL, "lab.yaml:12:38: empty command");
	parse_bad("  - 1s\n", EINVAL, "lab.yaml:12:5: event must be a mapping, not a value");
	parse_bad("  {at: 1s}\n", EINVAL, "lab.yaml:12:3: timeline must be a list, not a mapping");
}

static void test_bad_ramps(void **state)
{
	(void)state;
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: -5ms, over: 10s}}\n", EINVAL,
		  "lab.yaml:12:62: invalid ramp to \"-5ms\": must not be negative");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, loss: 1%}, ramp: {to: -5%, over: 10s}}\n", EINVAL,
		  "lab.yaml:12:59: invalid ramp to \"-5%\": must not be negative");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, loss: 1%}, ramp: {to: 101%, over: 10s}}\n", ERANGE,
		  "lab.yaml:12:59: invalid ramp to \"101%\": must be between 0% and 100%");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 5xs, over: 10s}}\n", EINVAL,
		  "lab.yaml:12:62: invalid ramp to \"5xs\": expected a delay (300ms), a loss (5%) or a rate (10mbit)");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 5%, over: 10s}}\n", EINVAL,
		  "lab.yaml:12:62: a ramp to a loss needs the impair's \"loss\" to start from");
	parse_bad("  - {at: 1s, rate: {link: a:to-b, rate: 1mbit}, ramp: {to: 5ms, over: 10s}}\n", EINVAL,
		  "lab.yaml:12:60: a ramp to a delay needs the rate's \"delay\" to start from");
	parse_bad("  - {at: 1s, down: a:to-b, ramp: {to: 5%, over: 10s}}\n", EINVAL,
		  "lab.yaml:12:34: a ramp moves a delay, a loss or a rate: not with down");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 5ms}}\n", EINVAL,
		  "lab.yaml:12:57: ramp needs \"to\" and \"over\"");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 5ms, over: 1s, steps: 10001}}\n",
		  ERANGE, "lab.yaml:12:84: invalid steps \"10001\": must be between 1 and 10000");
	/* the ramp's end must be a valid impairment too */
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms, jitter: 5ms}, ramp: {to: 0ms, over: 10s}}\n",
		  EINVAL, "lab.yaml:12:75: invalid ramp to \"0ms\": jitter \"5ms\" needs a non-zero delay");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, loss: 1%, loss_correlation: 10%}, ramp: {to: 0%, over: 10s}}\n",
		  EINVAL, "lab.yaml:12:82: invalid ramp to \"0%\": loss_correlation \"10%\" needs a non-zero loss");
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 50ms, over: 10s}, repeat: {every: 5s, count: 2}}\n",
		  EINVAL, "lab.yaml:12:96: repeat every 5s is shorter than the ramp (over 10s): the next would start before it ends");
	/* a change of the same end while its ramp runs */
	parse_bad("  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 50ms, over: 10s}}\n"
		  "  - {at: 5s, clear: a:to-b}\n", EINVAL,
		  "lab.yaml:13:5: clear a:to-b at 5s while the ramp of line 12 runs on it (until 11s)");
	parse_bad("  - {at: 1s, rate: {link: a:to-b, rate: 1mbit}, ramp: {to: 9mbit, over: 10s}, repeat: {every: 20s, count: 3}}\n"
		  "  - {at: 45s, impair: {link: a:to-b, loss: 1%}}\n", EINVAL,
		  "lab.yaml:13:5: impair a:to-b at 45s while the ramp of line 12 runs on it (until 51s)");
	parse_bad("  - {at: 1s, down: a:to-b, repeat: {every: 1s, count: 10000}}\n"
		  "  - {at: 1s, up: a:to-b, repeat: {every: 1s, count: 10000}}\n"
		  "  - {at: 1s, impair: {link: a:to-b, delay: 1ms}, ramp: {to: 5ms, over: 10s, steps: 10000}, repeat: {every: 10s, count: 9}}\n",
		  E2BIG, "lab.yaml:14:5: the timeline expands to more than 100000 steps (repetitions times ramp steps)");
}

static void test_bad_partitions(void **state)
{
	(void)state;
	parse_bad("  - {at: 1s, partition: {nodes: [a, b], from: [c1, a]}}\n", EINVAL,
		  "lab.yaml:12:52: node \"a\" is on both sides of the partition");
	parse_bad("  - {at: 1s, partition: {nodes: [a, a], from: [b]}}\n", EINVAL,
		  "lab.yaml:12:37: node \"a\" is twice in nodes");
	parse_bad("  - {at: 1s, partition: {nodes: [], from: [a]}}\n", EINVAL,
		  "lab.yaml:12:33: nodes is empty: a partition needs a node on each side");
	parse_bad("  - {at: 1s, partition: {nodes: [a]}}\n", EINVAL,
		  "lab.yaml:12:25: partition needs \"nodes\" and \"from\" (two groups of nodes)");
	parse_bad("  - {at: 1s, heal: {nodes: [a], from: [b]}}\n", EINVAL,
		  "lab.yaml:12:5: heal at 1s: these groups are not partitioned then");
	parse_bad("  - {at: 1s, heal: all}\n", EINVAL, "lab.yaml:12:5: heal all at 1s: no partition is in effect then");
	parse_bad("  - {at: 1s, partition: {nodes: [a, b], from: [c1]}}\n"
		  "  - {at: 2s, partition: {nodes: [c1], from: [b, a]}}\n", EINVAL,
		  "lab.yaml:13:5: partition at 2s: these groups are partitioned already (line 12)");
	/* healed, then partitioned again: fine; a heal of other groups is not */
	parse_bad("  - {at: 1s, partition: {nodes: [a], from: [b]}}\n"
		  "  - {at: 2s, heal: {nodes: [a], from: [b]}}\n"
		  "  - {at: 3s, partition: {nodes: [a], from: [b]}}\n"
		  "  - {at: 4s, heal: {nodes: [a], from: [b, c1]}}\n", EINVAL,
		  "lab.yaml:15:5: heal at 4s: these groups are not partitioned then");
}

/* ------------------------------------------------------------ the schedule */

static void test_interp(void **state)
{
	(void)state;
	assert_int_equal(nn_tl_interp(10, 300, 0, 30), 10);
	assert_int_equal(nn_tl_interp(10, 300, 30, 30), 300);
	assert_int_equal(nn_tl_interp(10 * MS, 300 * MS, 1, 30), 19666667);	/* 19.6666667 ms */
	assert_int_equal(nn_tl_interp(0, 1, 1, 2), 1);		/* a half: away from FROM */
	assert_int_equal(nn_tl_interp(1, 0, 1, 2), 0);
	assert_int_equal(nn_tl_interp(300, 10, 1, 3), 203);	/* 203.33 */
	assert_int_equal(nn_tl_interp(300, 10, 2, 3), 107);	/* 106.67 */
	assert_int_equal(nn_tl_interp(0, UINT64_MAX, 1, 2), (UINT64_MAX / 2) + 1);
	assert_int_equal(nn_tl_interp(UINT64_MAX, 0, 10000, 10000), 0);
	assert_int_equal(nn_tl_interp(5, 5, 3, 7), 5);
}

static void test_ramp_schedule(void **state)
{
	struct nn_labfile *lf = parse_ok(
		"  - at: 10s\n"
		"    impair: {link: a:to-b, delay: 10ms, jitter: 1ms, loss: 1%}\n"
		"    ramp: {to: 300ms, over: 60s, steps: 30}\n"
		"  - {at: 20s, impair: {link: b:to-a, loss: 0%}, ramp: {to: 5%, over: 1s, steps: 3}}\n"
		"  - {at: 30s, rate: {link: c1:to-br0, rate: 10mbit}, ramp: {to: 1mbit, over: 0.5s}}\n");
	const struct nn_tl_step *by[3][31];
	size_t count[3] = { 0 };
	struct nn_tl_schedule s;
	uint64_t prev = 0;

	(void)state;
	make(lf, &s);
	assert_int_equal(s.n, 31 + 4 + 2);
	for (size_t i = 0; i < s.n; i++) {
		const struct nn_tl_step *st = &s.steps[i];

		assert_true(st->at_ns >= prev);
		prev = st->at_ns;
		assert_true(st->event < 3);
		assert_int_equal(st->step, count[st->event]);
		by[st->event][count[st->event]++] = st;
	}
	assert_int_equal(count[0], 31);
	assert_int_equal(count[1], 4);
	assert_int_equal(count[2], 2);
	for (unsigned k = 0; k <= 30; k++) {
		const struct nn_tl_step *st = by[0][k];

		/* step k at 10s + 2k s, delay 10ms + 290ms k/30; the rest as written */
		assert_int_equal(st->at_ns, 10 * S + k * 2 * S);
		assert_int_equal(st->qdisc.kind, NN_QDISC_NETEM);
		assert_int_equal(st->qdisc.netem.delay_ns, nn_tl_interp(10 * MS, 300 * MS, k, 30));
		assert_int_equal(st->qdisc.netem.jitter_ns, 1 * MS);
		assert_int_equal(st->qdisc.netem.loss, lf->timeline[0].impair.netem.loss);
	}
	assert_int_equal(by[0][1]->qdisc.netem.delay_ns, 19666667);
	assert_int_equal(by[0][30]->qdisc.netem.delay_ns, 300 * MS);
	/* loss 0% -> 5% in 3 steps, 1/3 s apart (rounded to the ns) */
	assert_int_equal(by[1][0]->at_ns, 20 * S);
	assert_int_equal(by[1][0]->qdisc.netem.loss, 0);
	assert_int_equal(by[1][1]->at_ns, 20 * S + 333333333);
	assert_int_equal(by[1][2]->at_ns, 20 * S + 666666667);
	assert_int_equal(by[1][3]->qdisc.netem.loss, lf->timeline[1].ramp.to);
	assert_int_equal(by[1][3]->qdisc.netem.loss, 214748365);	/* 5% of 2^32 - 1 */
	/* a rate ramp without steps: one a second, at least one */
	assert_int_equal(lf->timeline[2].ramp.steps, 1);
	assert_int_equal(by[2][0]->qdisc.tbf.rate, 1250000);
	assert_int_equal(by[2][1]->qdisc.tbf.rate, 125000);
	assert_int_equal(by[2][1]->at_ns, 30 * S + 500 * MS);
	/* the ramp of event 0 ends last */
	assert_int_equal(s.end_ns, 70 * S);
	nn_tl_schedule_free(&s);
	nn_labfile_free(lf);
}

static void test_repeat_schedule(void **state)
{
	struct nn_labfile *lf = parse_ok(
		"  - {at: 5s, down: a:to-b, repeat: {every: 10s, count: 3}}\n"
		"  - {at: 8s, up: a:to-b, repeat: {every: 10s, count: 3}}\n"
		"  - {at: 15s, clear: b:to-a}\n"
		"  - {at: 15s, partition: {nodes: [c1, c2], from: [c3]}}\n"
		"  - {at: 30s, heal: {nodes: [c3], from: [c2, c1]}, repeat: {every: 1s, count: 1}}\n");
	static const struct { uint64_t at; size_t event; unsigned rep; } want[] = {
		{ 5 * S, 0, 0 }, { 8 * S, 1, 0 }, { 15 * S, 0, 1 }, { 15 * S, 2, 0 }, { 15 * S, 3, 0 },
		{ 18 * S, 1, 1 }, { 25 * S, 0, 2 }, { 28 * S, 1, 2 }, { 30 * S, 4, 0 },
	};
	struct nn_tl_schedule s;

	(void)state;
	make(lf, &s);
	assert_int_equal(s.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(s.steps[i].at_ns, want[i].at);
		assert_int_equal(s.steps[i].event, want[i].event);
		assert_int_equal(s.steps[i].rep, want[i].rep);
		assert_int_equal(s.steps[i].step, 0);
	}
	/* clear puts back the file's own qdisc of that end */
	assert_int_equal(s.steps[3].action, NN_TL_CLEAR);
	assert_int_equal(s.steps[3].qdisc.kind, NN_QDISC_NETEM);
	assert_int_equal(s.steps[3].qdisc.netem.delay_ns, 5 * MS);
	nn_tl_schedule_free(&s);
	nn_labfile_free(lf);
}

/* ------------------------------------------------------------ text */

static void test_dry_run_text(void **state)
{
	struct nn_labfile *lf = parse_ok(
		"  - {at: 0s, down: a:to-b, repeat: {every: 2s, count: 2}}\n"
		"  - {at: 1s, up: a:to-b, repeat: {every: 2s, count: 2}}\n"
		"  - {at: 1.5s, impair: {link: b:to-a, delay: 10ms, loss: 1%}, ramp: {to: 40ms, over: 1s, steps: 3}}\n"
		"  - {at: 4s, clear: b:to-a}\n"
		"  - {at: 4s, clear: b:br0-c1}\n"
		"  - {at: 4.25s, rate: {link: c1:to-br0, rate: 1mbit}}\n"
		"  - {at: 5s, partition: {nodes: [c1, c2], from: [c3]}}\n"
		"  - {at: 6s, run: {node: a, command: ping -c 1 10.1.0.2}}\n"
		"  - {at: 7s, expect: {from: a, to: b, reach: true, rtt: 10ms±2ms, loss: 0%}}\n"
		"  - {at: 8s, heal: all}\n");
	static const char want[] =
		"   +0.000s  down a:to-b  (line 12, 1 of 2)\n"
		"   +1.000s  up a:to-b  (line 13, 1 of 2)\n"
		"   +1.500s  impair b:to-a netem delay 10ms loss 1%  (line 14)\n"
		"   +1.833s  impair b:to-a netem delay 20ms loss 1%  (line 14, ramp 1/3)\n"
		"   +2.000s  down a:to-b  (line 12, 2 of 2)\n"
		"   +2.167s  impair b:to-a netem delay 30ms loss 1%  (line 14, ramp 2/3)\n"
		"   +2.500s  impair b:to-a netem delay 40ms loss 1%  (line 14, ramp 3/3)\n"
		"   +3.000s  up a:to-b  (line 13, 2 of 2)\n"
		"   +4.000s  clear b:to-a: back to netem delay 5ms  (line 15)\n"
		"   +4.000s  clear b:br0-c1: back to the kernel's default  (line 16)\n"
		"   +4.250s  rate c1:to-br0 tbf rate 1Mbit  (line 17)\n"
		"   +5.000s  partition c1,c2 from c3  (line 18)\n"
		"   +6.000s  run in a: ping -c 1 10.1.0.2  (line 19)\n"
		"   +7.000s  expect a -> b reach true rtt 10ms±2ms loss 0%  (line 20)\n"
		"   +8.000s  heal all  (line 21)\n"
		"   +8.000s  end: back to the lab's base state\n";
	struct nn_tl_schedule s;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	make(lf, &s);
	f = open_memstream(&out, &len);
	nn_tl_schedule_write(f, lf, &s);
	fclose(f);
	if (strcmp(out, want))
		print_error("%s", out);
	assert_string_equal(out, want);
	free(out);
	nn_tl_schedule_free(&s);
	nn_labfile_free(lf);
}

static void test_offset(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(nn_tl_format_offset(b, sizeof(b), 0), "+0.000s");
	assert_string_equal(nn_tl_format_offset(b, sizeof(b), 1499999), "+0.001s");
	assert_string_equal(nn_tl_format_offset(b, sizeof(b), 1500000), "+0.002s");
	assert_string_equal(nn_tl_format_offset(b, sizeof(b), 59999999999ULL), "+60.000s");
	assert_string_equal(nn_tl_format_offset(b, sizeof(b), NN_TL_MAX_NS), "+31536000.000s");
}

static void test_record_json(void **state)
{
	struct nn_labfile *lf = parse_ok("  - {at: 5s, down: a:to-b, repeat: {every: 10s, count: 2}}\n");
	struct nn_tl_schedule s;
	struct nn_tl_record ok = { .planned_ns = 15 * S, .actual_ns = 15 * S + 412345, .done = true };
	struct nn_tl_record bad = { .planned_ns = 5 * S, .actual_ns = 5 * S, .result = -ENODEV, .done = true };
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	make(lf, &s);
	f = open_memstream(&out, &len);
	nn_tl_record_json(f, lf, &s.steps[1], &ok, NULL);
	fputc('\n', f);
	nn_tl_record_json(f, lf, &s.steps[0], &bad, "no interface \"to-b\" in \"a\"");
	fclose(f);
	assert_string_equal(out,
		"{\"planned_ms\":15000.000,\"actual_ms\":15000.412,\"late_ms\":0.412,\"line\":12,\"rep\":1,"
		"\"step\":0,\"event\":\"down a:to-b\",\"result\":\"ok\"}\n"
		"{\"planned_ms\":5000.000,\"actual_ms\":5000.000,\"late_ms\":0.000,\"line\":12,\"rep\":0,"
		"\"step\":0,\"event\":\"down a:to-b\",\"result\":\"failed\",\"error\":\"no interface \\\"to-b\\\" in \\\"a\\\"\"}");
	free(out);
	nn_tl_schedule_free(&s);
	nn_labfile_free(lf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_no_timeline),
		cmocka_unit_test(test_bad_refs),
		cmocka_unit_test(test_bad_times),
		cmocka_unit_test(test_bad_events),
		cmocka_unit_test(test_bad_ramps),
		cmocka_unit_test(test_bad_partitions),
		cmocka_unit_test(test_interp),
		cmocka_unit_test(test_ramp_schedule),
		cmocka_unit_test(test_repeat_schedule),
		cmocka_unit_test(test_dry_run_text),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_record_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
