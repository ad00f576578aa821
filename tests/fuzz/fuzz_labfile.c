// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lab files: nn_labfile_parse on the input as YAML.  Checked: a refusal is
 * a negative errno with a one-line printable message starting "lab.yaml:"
 * (with LINE:COL: for everything but an empty file or an unusable name);
 * an accepted spec is consistent: every reference indexes a declared node,
 * names are NUL-terminated within their arrays, no node has two interfaces
 * of one name, counts are within the documented limits, commands are
 * NULL-terminated argv arrays of ARGC words; every expectation names a
 * declared node (or an address) and bounds with lo <= value <= hi, and
 * verify's pure part takes it: nn_verify_derive plans it or refuses it
 * with a one-line message, every path the lab model traces ends (reached
 * or with a reason) within its hop limit, and nn_verify_judge gives a
 * verdict on a made-up measurement.  A timeline names declared nodes and
 * interfaces, partitions two disjoint non-empty groups, stays within its
 * limits, and expands (nn_tl_schedule_make, which the parse already ran)
 * without an error into sorted steps within a year, each with a valid
 * qdisc, each formatted as one terminated line.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>

#include "netnsctl/labfile.h"
#include "netnsctl/timeline.h"
#include "netnsctl/verify.h"
#include "fuzz.h"

#define CHECK_STR(arr) FUZZ_CHECK(memchr((arr), '\0', sizeof(arr)) && (arr)[0], "bad name")

static void check_node_ref(const struct nn_labfile *lf, size_t i)
{
	FUZZ_CHECK(i < lf->n_nodes, "node %zu of %zu", i, lf->n_nodes);
}

/* No (namespace, name) twice: -1 is the host. */
static void check_unique(const long *ns, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			FUZZ_CHECK(ns[i] != ns[j] || strcmp(names[i], names[j]),
				   "interface \"%s\" twice in %ld", names[i], ns[i]);
}

static void check_spec(const struct nn_labfile *lf)
{
	size_t cap = 2 * lf->n_links + 2 * lf->n_uplinks + lf->n_bridges, n = 0;
	const char **names;
	long *ns;

	CHECK_STR(lf->name);
	FUZZ_CHECK(lf->n_nodes <= NN_LABFILE_MAX_ITEMS && lf->n_links <= NN_LABFILE_MAX_ITEMS &&
		   lf->n_bridges <= NN_LABFILE_MAX_ITEMS, "too many items");
	for (size_t i = 0; i < lf->n_nodes; i++) {
		const struct nn_labfile_node *nd = &lf->nodes[i];

		CHECK_STR(nd->name);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(nd->name, lf->nodes[j].name), "node \"%s\" twice", nd->name);
		for (size_t c = 0; c < nd->n_commands; c++) {
			const struct nn_labfile_command *cmd = &nd->commands[c];

			FUZZ_CHECK(cmd->argc >= 1 && cmd->argc <= NN_LABFILE_MAX_ARGS + 2, "argc %zu",
				   cmd->argc);
			for (size_t a = 0; a < cmd->argc; a++)
				FUZZ_CHECK(cmd->argv[a], "argv[%zu] NULL", a);
			FUZZ_CHECK(!cmd->argv[cmd->argc], "argv not NULL-terminated");
		}
	}
	for (size_t i = 0; i < lf->n_bridges; i++)
		cap += 2 * lf->bridges[i].n_members;
	names = calloc(cap + 1, sizeof(*names));
	ns = calloc(cap + 1, sizeof(*ns));
	if (!names || !ns)
		abort();
	for (size_t i = 0; i < lf->n_links; i++) {
		for (int j = 0; j < 2; j++) {
			const struct nn_labfile_end *end = &lf->links[i].end[j];

			check_node_ref(lf, end->node);
			CHECK_STR(end->ifname);
			FUZZ_CHECK(end->egress.kind == NN_QDISC_OTHER || end->egress.kind == NN_QDISC_NETEM ||
				   end->egress.kind == NN_QDISC_TBF, "kind %d", end->egress.kind);
			if (end->egress.kind == NN_QDISC_TBF)
				FUZZ_CHECK(end->egress.tbf.rate > 0, "tbf without rate");
			ns[n] = (long)end->node;
			names[n++] = end->ifname;
		}
		FUZZ_CHECK(lf->links[i].end[0].has_addr == lf->links[i].end[1].has_addr, "one address");
	}
	for (size_t i = 0; i < lf->n_bridges; i++) {
		const struct nn_labfile_bridge *br = &lf->bridges[i];
		long brns = br->in_host ? -1 : (long)br->node;

		CHECK_STR(br->name);
		if (!br->in_host)
			check_node_ref(lf, br->node);
		ns[n] = brns;
		names[n++] = br->name;
		for (size_t j = 0; j < br->n_members; j++) {
			check_node_ref(lf, br->members[j].node);
			CHECK_STR(br->members[j].ifname);
			CHECK_STR(br->members[j].port);
			ns[n] = (long)br->members[j].node;
			names[n++] = br->members[j].ifname;
			ns[n] = brns;
			names[n++] = br->members[j].port;
		}
	}
	for (size_t i = 0; i < lf->n_uplinks; i++) {
		check_node_ref(lf, lf->uplinks[i].node);
		ns[n] = (long)lf->uplinks[i].node;
		names[n++] = lf->uplinks[i].ifname;
		ns[n] = -1;
		names[n++] = lf->uplinks[i].host_if;
	}
	check_unique(ns, names, n);
	for (size_t i = 0; i < lf->n_forwards; i++) {
		check_node_ref(lf, lf->forwards[i].node);
		FUZZ_CHECK(lf->forwards[i].host_port && lf->forwards[i].port, "port 0");
		FUZZ_CHECK(lf->forwards[i].addr.s_addr, "forward without an address");
	}
	for (size_t i = 0; i < lf->n_clients; i++) {
		if (!lf->clients[i].parent_in_host)
			check_node_ref(lf, lf->clients[i].parent_node);
		FUZZ_CHECK(lf->clients[i].count >= 1, "count 0");
	}
	free(names);
	free(ns);
}

static void check_bound(const struct nn_bound *b)
{
	if (!b->set)
		return;
	FUZZ_CHECK(b->lo >= 0 && b->lo <= b->value && b->value <= b->hi, "bound %g <= %g <= %g",
		   b->lo, b->value, b->hi);
}

static void check_path(const struct nn_path *p)
{
	FUZZ_CHECK(p->n_hops <= NN_PATH_MAX_HOPS, "%zu hops", p->n_hops);
	FUZZ_CHECK(p->reached || p->why[0], "a path neither reached nor explained");
	for (size_t i = 0; i < p->n_hops; i++)
		FUZZ_CHECK(p->hops[i].ns && p->hops[i].ifname && p->hops[i].ifname[0], "hop %zu", i);
}

static void check_expects(const struct nn_labfile *lf)
{
	for (size_t i = 0; i < lf->n_expects; i++) {
		const struct nn_expect *x = &lf->expects[i];
		struct nn_verify_result *r = calloc(1, sizeof(*r));
		struct nn_error e;
		int ret;

		if (!r)
			abort();
		FUZZ_CHECK(nn_labfile_node_index(lf, x->from) >= 0, "from \"%s\"", x->from);
		FUZZ_CHECK(x->to_is_addr || nn_labfile_node_index(lf, x->to) >= 0, "to \"%s\"", x->to);
		check_bound(&x->rtt);
		check_bound(&x->loss);
		check_bound(&x->rate);
		FUZZ_CHECK(!x->loss.set || x->loss.hi <= 1, "loss above 1");
		fuzz_error_poison(&e);
		ret = nn_verify_derive(lf, x, &r->plan, &e);
		if (ret < 0) {
			fuzz_check_error(&e, ret, "lab.yaml", "");
			free(r);
			continue;
		}
		FUZZ_CHECK(ret == 0 && r->plan.n_targets >= 1 &&
			   r->plan.n_targets <= NN_VERIFY_MAX_TARGETS, "targets %zu", r->plan.n_targets);
		check_path(&r->plan.fwd);
		check_path(&r->plan.rev);
		FUZZ_CHECK(r->plan.p_lo <= r->plan.p_hi + 1e-12 && r->plan.p_lo >= 0 && r->plan.p_hi <= 1,
			   "loss %g-%g", r->plan.p_lo, r->plan.p_hi);
		for (size_t t = 0; t < r->plan.n_targets; t++) {
			r->targets[t].probed = true;
			r->targets[t].st.sent = 200;
			r->targets[t].st.received = (uint32_t)(i * 37 % 201);
			r->targets[t].st.rtt_p50_ms = (double)(i % 300);
			r->targets[t].st.size = 56;
		}
		nn_verify_judge(r);
		FUZZ_CHECK(r->n_checks <= 4, "%zu checks", r->n_checks);
		for (size_t c = 0; c < r->n_checks; c++)
			FUZZ_CHECK(memchr(r->checks[c].expected, 0, sizeof(r->checks[c].expected)) &&
				   memchr(r->checks[c].measured, 0, sizeof(r->checks[c].measured)),
				   "check text not terminated");
		free(r);
	}
}

static void check_timeline(const struct nn_labfile *lf)
{
	struct nn_tl_schedule s;
	struct nn_error e;
	char line[1024];
	FILE *devnull;
	int ret;

	FUZZ_CHECK(lf->n_timeline <= NN_LABFILE_MAX_ITEMS, "%zu events", lf->n_timeline);
	for (size_t i = 0; i < lf->n_timeline; i++) {
		const struct nn_tl_event *ev = &lf->timeline[i];

		FUZZ_CHECK((unsigned)ev->action < NN_TL_ACTION_COUNT, "action %d", ev->action);
		FUZZ_CHECK(ev->at_ns <= NN_TL_MAX_NS, "at %llu", (unsigned long long)ev->at_ns);
		FUZZ_CHECK(i == 0 || ev->at_ns >= lf->timeline[i - 1].at_ns, "event %zu before the one above", i);
		FUZZ_CHECK(ev->repeat.count >= 1 && ev->repeat.count <= NN_TL_MAX_REPEAT, "count %u",
			   ev->repeat.count);
		FUZZ_CHECK(ev->repeat.count == 1 || (ev->repeat.every_ns > 0 && ev->repeat.every_ns <= NN_TL_MAX_NS),
			   "every");
		if (ev->ramp.what != NN_TL_RAMP_NONE)
			FUZZ_CHECK((ev->action == NN_TL_IMPAIR || ev->action == NN_TL_RATE) && ev->ramp.steps >= 1 &&
				   ev->ramp.steps <= NN_TL_MAX_RAMP_STEPS && ev->ramp.over_ns > 0 &&
				   ev->ramp.over_ns <= NN_TL_MAX_NS, "ramp");
		switch (ev->action) {
		case NN_TL_IMPAIR:
		case NN_TL_RATE:
		case NN_TL_CLEAR:
		case NN_TL_DOWN:
		case NN_TL_UP:
			check_node_ref(lf, ev->link.node);
			CHECK_STR(ev->link.ifname);
			if (ev->action == NN_TL_RATE)
				FUZZ_CHECK(ev->impair.kind == NN_QDISC_TBF, "rate of kind %d", ev->impair.kind);
			if (ev->action == NN_TL_IMPAIR)
				FUZZ_CHECK(ev->impair.kind != NN_QDISC_OTHER, "impair of nothing");
			break;
		case NN_TL_PARTITION:
		case NN_TL_HEAL:
			if (ev->heal_all) {
				FUZZ_CHECK(ev->action == NN_TL_HEAL && !ev->n_group[0] && !ev->n_group[1], "heal all");
				break;
			}
			FUZZ_CHECK(ev->n_group[0] && ev->n_group[1], "an empty group");
			for (size_t a = 0; a < ev->n_group[0]; a++) {
				check_node_ref(lf, ev->group[0][a]);
				for (size_t b = 0; b < ev->n_group[1]; b++) {
					check_node_ref(lf, ev->group[1][b]);
					FUZZ_CHECK(ev->group[0][a] != ev->group[1][b], "a node on both sides");
				}
			}
			break;
		case NN_TL_RUN:
			check_node_ref(lf, ev->node);
			FUZZ_CHECK(ev->command.argc >= 1 && !ev->command.argv[ev->command.argc], "run argv");
			break;
		case NN_TL_EXPECT:
			FUZZ_CHECK(nn_labfile_node_index(lf, ev->expect.from) >= 0, "expect from");
			break;
		default:
			break;
		}
	}
	fuzz_error_poison(&e);
	ret = nn_tl_schedule_make(lf, &s, &e);
	FUZZ_CHECK(ret == 0, "a parsed timeline does not expand: %d %s", ret, e.msg);
	FUZZ_CHECK(s.n <= NN_TL_MAX_STEPS, "%zu steps", s.n);
	for (size_t i = 0; i < s.n; i++) {
		const struct nn_tl_step *st = &s.steps[i];

		FUZZ_CHECK(st->event < lf->n_timeline && st->action == lf->timeline[st->event].action, "step %zu", i);
		FUZZ_CHECK(st->at_ns <= NN_TL_MAX_NS, "step %zu at %llu", i, (unsigned long long)st->at_ns);
		FUZZ_CHECK(i == 0 || st->at_ns >= s.steps[i - 1].at_ns, "steps not sorted at %zu", i);
		if (st->qdisc.kind == NN_QDISC_NETEM)
			FUZZ_CHECK(nn_netem_check(&st->qdisc.netem, &e) == 0, "step %zu netem: %s", i, e.msg);
		if (st->qdisc.kind == NN_QDISC_TBF)
			FUZZ_CHECK(nn_tbf_check(&st->qdisc.tbf, &e) == 0, "step %zu tbf: %s", i, e.msg);
		nn_tl_step_format(line, sizeof(line), lf, st);
		FUZZ_CHECK(memchr(line, 0, sizeof(line)) && line[0], "step %zu text", i);
	}
	FUZZ_CHECK(s.n == 0 || s.end_ns == s.steps[s.n - 1].at_ns, "end");
	if ((devnull = fopen("/dev/null", "w"))) {
		nn_tl_schedule_write(devnull, lf, &s);
		fclose(devnull);
	}
	nn_tl_schedule_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	struct nn_labfile *lf = (struct nn_labfile *)1;
	struct nn_error e;
	int ret;

	fuzz_error_poison(&e);
	ret = nn_labfile_parse(s, size, "lab.yaml", &lf, &e);
	if (ret < 0) {
		FUZZ_CHECK(!lf, "spec left on failure");
		fuzz_check_error(&e, ret, "lab.yaml", s);
	} else {
		FUZZ_CHECK(ret == 0 && lf, "ret %d", ret);
		check_spec(lf);
		check_expects(lf);
		check_timeline(lf);
		nn_labfile_free(lf);
	}
	free(s);
	return 0;
}
