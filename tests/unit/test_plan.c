// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The planner, without a kernel: each fixture of tests/unit/fixtures/plan
 * is a snapshot (what observe would have read), a lab (what is wanted) and
 * the plan expected of them, as status prints it (and, for some steps, as
 * JSON), or the error that refuses the plan.  See fixtures/plan/README for
 * the format.  Then the order of a rollback, and that every step kind is
 * planned by some fixture.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/pkt_sched.h>
#include <cmocka.h>

#include "netnsctl/lab.h"
#include "netnsctl/names.h"
#include "netnsctl/proc.h"
#include "netnsctl/units.h"
#include "engine/plan.h"
#include "engine/shape.h"

#ifndef NN_FIXTURES
#error "NN_FIXTURES: the directory of the fixtures"
#endif

#define MAX_WORDS 32

struct fixture {
	char name[256];
	struct nn_snapshot *snap;
	struct nn_lab *lab;
	char *expect[512];
	size_t n_expect;
	char *json[64];		/* "INDEX JSON" */
	size_t n_json;
	int error_code;		/* [error]: the plan fails */
	char error[512];
	int refusal_code;	/* [refusal]: nn_plan_check() refuses */
	char refusal[512];
};

static bool kinds_seen[NN_STEP_KINDS];

/* "." is the host. */
static const char *nsname(const char *s)
{
	return strcmp(s, ".") ? s : "";
}

/* The value of KEY=VALUE among the words W (N), or NULL. */
static const char *opt(char **w, int n, const char *key)
{
	size_t len = strlen(key);

	for (int i = 0; i < n; i++)
		if (!strncmp(w[i], key, len) && w[i][len] == '=')
			return w[i] + len + 1;
	return NULL;
}

static bool flag(char **w, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(w[i], word))
			return true;
	return false;
}

static unsigned long long num(const char *s)
{
	return s ? strtoull(s, NULL, 0) : 0;
}

static int split(char *line, char **w)
{
	int n = 0;

	for (char *t = strtok(line, " \t"); t && n < MAX_WORDS; t = strtok(NULL, " \t"))
		w[n++] = t;
	return n;
}

static struct nn_prefix prefix(const char *s)
{
	struct nn_error e = { 0 };
	struct nn_prefix p = { .family = AF_INET };

	if (!strcmp(s, "default"))
		return p;
	if (nn_parse_ifaddr(s, &p, &e) < 0)
		fail_msg("bad prefix %s: %s", s, e.msg);
	return p;
}

static void mac(const char *s, uint8_t m[6])
{
	struct nn_error e = { 0 };

	memset(m, 0, 6);
	if (s && nn_parse_mac(s, m, &e) < 0)
		fail_msg("bad MAC %s: %s", s, e.msg);
}

/* A qdisc from "netem delay=10ms loss=1%", "tbf rate=1mbit", "clear". */
static void qdisc(char **w, int n, struct nn_qdisc_info *q, bool as_dumped)
{
	struct nn_error e = { 0 };
	const char *v;

	memset(q, 0, sizeof(*q));
	q->parent = TC_H_ROOT;
	snprintf(q->kind_name, sizeof(q->kind_name), "%s", w[0]);
	if ((v = opt(w, n, "handle")))
		q->handle = (uint32_t)strtoul(v, NULL, 16) << 16;
	if (!strcmp(w[0], "netem")) {
		q->kind = NN_QDISC_NETEM;
		if ((v = opt(w, n, "delay")))
			assert_int_equal(nn_parse_time(v, "delay", &q->u.netem.delay_ns, &e), 0);
		if ((v = opt(w, n, "jitter")))
			assert_int_equal(nn_parse_time(v, "jitter", &q->u.netem.jitter_ns, &e), 0);
		if ((v = opt(w, n, "loss")))
			assert_int_equal(nn_parse_percent(v, "loss", &q->u.netem.loss, &e), 0);
		if (as_dumped)
			nn_netem_normalize(&q->u.netem);
	} else if (!strcmp(w[0], "tbf")) {
		q->kind = NN_QDISC_TBF;
		if ((v = opt(w, n, "rate")))
			assert_int_equal(nn_parse_rate(v, "rate", &q->u.tbf.rate, &e), 0);
		if ((v = opt(w, n, "burst")))
			assert_int_equal(nn_parse_size(v, "burst", &q->u.tbf.burst, &e), 0);
		if (as_dumped)
			nn_tbf_normalize(&q->u.tbf);
	} else if (!strcmp(w[0], "clear")) {
		snprintf(q->kind_name, sizeof(q->kind_name), "%s", "");
	}
}

/* "nat TAG masquerade SRC [except=IF]" / "nat TAG dnat PROTO PORT TO TOPORT". */
static void nat(char **w, int n, struct nn_nat_rule *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->tag, sizeof(r->tag), "%s", w[1]);
	if (!strcmp(w[2], "masquerade")) {
		r->kind = NN_NAT_MASQUERADE;
		r->src = prefix(w[3]);
		snprintf(r->except_if, sizeof(r->except_if), "%s", opt(w, n, "except") ?: "");
	} else {
		r->kind = NN_NAT_DNAT;
		r->proto = !strcmp(w[3], "udp") ? IPPROTO_UDP : IPPROTO_TCP;
		r->port = (uint16_t)num(w[4]);
		inet_pton(AF_INET, w[5], &r->to);
		r->to_port = (uint16_t)num(w[6]);
	}
	r->nonce = num(opt(w, n, "nonce"));
}

static char **argv_of(const char *s)
{
	char *copy = strdup(s), **v = calloc(MAX_WORDS, sizeof(*v));
	size_t k = 0;

	for (char *t = strtok(copy, ","); t && k + 1 < MAX_WORDS; t = strtok(NULL, ","))
		v[k++] = strdup(t);
	free(copy);
	return v;
}

static void free_argv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static enum nn_obj_kind obj_kind(const char *s)
{
	static const char *const names[] = { "netns", "link", "qdisc", "route", "nat", "sysctl",
					     "filter", "clsact" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (enum nn_obj_kind)i;
	fail_msg("unknown journal kind %s", s);
	return NN_OBJ_NETNS;
}

/*
 * A tc tree from words: leaf words (delay= loss= netem; rate= burst= tbf)
 * for the default leaf, then each "rule" with selector words (to= port=
 * proto=) and its leaf words; "handle=H" its root (hex), "other=WHY" a
 * tree not of netnsctl's shape; "none" the empty tree.  AS_DUMPED: as a
 * dump gives it (normalized, slots from 2 on).
 */
static void tc_tree(char **w, int n, struct nn_tc_tree *t, bool as_dumped)
{
	struct nn_error e = { 0 };
	struct nn_tc_leaf *leaf;
	struct nn_tc_match *m = NULL;

	memset(t, 0, sizeof(*t));
	leaf = &t->dflt;
	for (int i = 0; i < n; i++) {
		char *v = strchr(w[i], '=');
		size_t k = v ? (size_t)(v - w[i]) : strlen(w[i]);

		v = v ? v + 1 : NULL;
		if (!strcmp(w[i], "rule")) {
			assert_true(t->n_rules < NN_TC_MAX_RULES);
			leaf = &t->rules[t->n_rules].leaf;
			m = &t->rules[t->n_rules].match;
			if (as_dumped)
				t->rules[t->n_rules].slot = (uint16_t)(NN_TC_SLOT_MIN + t->n_rules);
			t->n_rules++;
		} else if (!strcmp(w[i], "none")) {
			continue;
		} else if (!strncmp(w[i], "handle", k) && v) {
			t->handle = (uint32_t)strtoul(v, NULL, 16) << 16;
		} else if (!strncmp(w[i], "other", k) && v) {
			snprintf(t->other, sizeof(t->other), "%s", v);
		} else if (!strncmp(w[i], "to", k) && v && m) {
			assert_int_equal(nn_tc_match_add_to(m, v, &e), 0);
		} else if (!strncmp(w[i], "port", k) && v && m) {
			assert_int_equal(nn_tc_match_add_port(m, v, &e), 0);
		} else if (!strncmp(w[i], "proto", k) && v && m) {
			assert_int_equal(nn_tc_match_add_proto(m, v, &e), 0);
		} else if (!strncmp(w[i], "delay", k) && v) {
			leaf->has_netem = true;
			assert_int_equal(nn_parse_time(v, "delay", &leaf->netem.delay_ns, &e), 0);
		} else if (!strncmp(w[i], "loss", k) && v) {
			leaf->has_netem = true;
			assert_int_equal(nn_parse_percent(v, "loss", &leaf->netem.loss, &e), 0);
		} else if (!strncmp(w[i], "rate", k) && v) {
			leaf->has_tbf = true;
			assert_int_equal(nn_parse_rate(v, "rate", &leaf->tbf.rate, &e), 0);
		} else if (!strncmp(w[i], "burst", k) && v) {
			leaf->has_tbf = true;
			assert_int_equal(nn_parse_size(v, "burst", &leaf->tbf.burst, &e), 0);
		} else {
			fail_msg("bad tc tree word \"%s\"", w[i]);
		}
	}
	if (as_dumped)
		nn_tc_tree_normalize(t);
}

/* "ingress NS IFINDEX [clsact|ingress] [filters=N] [redirect=COOKIE@IFINDEX]..." */
static void tc_ingress(char **w, int n, struct nn_tc_ingress *in)
{
	memset(in, 0, sizeof(*in));
	for (int i = 3; i < n; i++) {
		unsigned long long c;
		int to;

		if (!strcmp(w[i], "clsact") || !strcmp(w[i], "ingress"))
			snprintf(in->qdisc, sizeof(in->qdisc), "%s", w[i]);
		else if (!strncmp(w[i], "filters=", 8))
			in->n_filters = (unsigned)atoi(w[i] + 8);
		else if (sscanf(w[i], "redirect=%llx@%d", &c, &to) == 2) {
			in->redirects[in->n_redirects].cookie = c;
			in->redirects[in->n_redirects].ifindex = to;
			in->redirects[in->n_redirects].prio = NN_TC_REDIRECT_PRIO;
			in->n_redirects++;
			in->n_filters++;
		} else
			fail_msg("bad ingress word \"%s\"", w[i]);
	}
}

static void snapshot_line(struct fixture *fx, char **w, int n)
{
	struct nn_snapshot *snap = fx->snap;
	struct nn_snap_ns *ns;

	if (!strcmp(w[0], "ns")) {
		ns = nn_snap_add_ns(snap, nsname(w[1]));
		ns->exists = !flag(w, n, "absent") && !flag(w, n, "dead");
		ns->dead = flag(w, n, "dead");
		ns->cookie = ns->exists ? (num(opt(w, n, "cookie")) ?: 100 + snap->n_ns) : 0;
		ns->have = NN_SNAP_LINKS | NN_SNAP_ROUTES | NN_SNAP_ROOTS;
		if (opt(w, n, "fwd")) {
			ns->fwd = !strcmp(opt(w, n, "fwd"), "on");
			ns->have |= NN_SNAP_FWD;
		}
	} else if (!strcmp(w[0], "link")) {
		struct nn_link_info l = { .ifindex = (int)num(w[3]), .mtu = 1500 };

		snprintf(l.name, sizeof(l.name), "%s", w[2]);
		snprintf(l.kind, sizeof(l.kind), "%s", opt(w, n, "kind") ?: "");
		l.up = flag(w, n, "up");
		l.peer_ifindex = (int)num(opt(w, n, "peer"));
		if (opt(w, n, "nsid")) {
			l.peer_nsid_set = true;
			l.peer_nsid = (int32_t)num(opt(w, n, "nsid"));
		}
		l.master = (int)num(opt(w, n, "master"));
		if (opt(w, n, "mtu"))
			l.mtu = (unsigned)num(opt(w, n, "mtu"));
		mac(opt(w, n, "mac"), l.mac);
		assert_int_equal(nn_snap_add_link(nn_snap_add_ns(snap, nsname(w[1])), &l), 0);
	} else if (!strcmp(w[0], "addr")) {
		struct nn_addr_info a = { .ifindex = (int)num(w[2]), .addr = prefix(w[3]) };

		a.scope = flag(w, n, "link-scope") ? 253 : 0;
		assert_int_equal(nn_snap_add_addr(nn_snap_add_ns(snap, nsname(w[1])), &a), 0);
	} else if (!strcmp(w[0], "route")) {
		struct nn_route_info r = { .dst = prefix(w[2]) };

		if (opt(w, n, "via")) {
			r.has_gw = true;
			r.gw = prefix(opt(w, n, "via"));
		}
		r.ifindex = (int)num(opt(w, n, "dev"));
		r.protocol = (int)(num(opt(w, n, "proto")) ?: 4);
		assert_int_equal(nn_snap_add_route(nn_snap_add_ns(snap, nsname(w[1])), &r), 0);
	} else if (!strcmp(w[0], "root")) {
		struct nn_qdisc_info q;

		qdisc(w + 3, n - 3, &q, true);
		q.ifindex = (int)num(w[2]);
		assert_int_equal(nn_snap_add_root(nn_snap_add_ns(snap, nsname(w[1])), &q), 0);
	} else if (!strcmp(w[0], "tree")) {
		struct nn_tc_tree *t = calloc(1, sizeof(*t));

		tc_tree(w + 3, n - 3, t, true);
		assert_int_equal(nn_snap_add_tc(nn_snap_add_ns(snap, nsname(w[1])), (int)num(w[2]), t, NULL), 0);
		free(t);
	} else if (!strcmp(w[0], "ingress")) {
		struct nn_tc_ingress in;

		tc_ingress(w, n, &in);
		assert_int_equal(nn_snap_add_tc(nn_snap_add_ns(snap, nsname(w[1])), (int)num(w[2]), NULL, &in), 0);
	} else if (!strcmp(w[0], "nsid")) {
		assert_int_equal(nn_snap_set_nsid(snap, nsname(w[1]), nsname(w[2]), (int32_t)atoi(w[3])), 0);
	} else if (!strcmp(w[0], "home")) {
		assert_int_equal(nn_snap_set_home(snap, nsname(w[1]), w[2],
						  strcmp(w[3], "-") ? nsname(w[3]) : NULL), 0);
	} else if (!strcmp(w[0], "nat")) {
		struct nn_nat_rule r;

		nat(w, n, &r);
		assert_int_equal(nn_snap_add_nat(snap, &r), 0);
		snap->have_nats = true;
	} else if (!strcmp(w[0], "fresh-fwd")) {
		snap->fresh_fwd = !strcmp(w[1], "on");
	} else if (!strcmp(w[0], "only-qdiscs")) {
		snap->only_qdiscs = true;
	} else if (!strcmp(w[0], "nats")) {
		snap->have_nats = true;
	} else if (!strcmp(w[0], "journal")) {
		struct nn_journal_entry j = { .kind = obj_kind(w[2]) };
		struct nn_proof proof = { 0 };

		snprintf(j.ns, sizeof(j.ns), "%s", nsname(w[3]));
		snprintf(j.name, sizeof(j.name), "%s", w[4]);
		snprintf(j.owner, sizeof(j.owner), "%s", opt(w, n, "owner") ?: "-");
		j.ns_cookie = num(opt(w, n, "cookie"));
		if (opt(w, n, "proof"))
			assert_int_equal(nn_proof_parse(opt(w, n, "proof"), j.kind, &proof), 0);
		if (!strcmp(w[1], "made")) {
			j.id = num(opt(w, n, "id"));
			j.proof = proof;
		} else {
			j.pending = true;
			j.intent = proof;
		}
		assert_int_equal(nn_snap_add_journal(snap, &j), 0);
	} else if (!strcmp(w[0], "proc")) {
		struct nn_proc p = { .index = (unsigned)num(w[2]), .pid = (pid_t)num(opt(w, n, "pid")) };
		char **argv = argv_of(opt(w, n, "cmd") ?: "true");

		snprintf(p.node, sizeof(p.node), "%s", w[1]);
		p.start_time = num(opt(w, n, "start"));
		p.argv_hash = nn_proc_argv_hash(argv);
		free_argv(argv);
		assert_int_equal(nn_snap_add_proc(snap, &p, !flag(w, n, "dead"), opt(w, n, "lab")), 0);
	} else if (!strcmp(w[0], "timed")) {
		struct nn_timed t = { .deadline_ns = NN_TIMED_NEVER };

		t.kind = !strcmp(w[1], "link") ? NN_TIMED_LINK : !strcmp(w[1], "partition") ? NN_TIMED_PARTITION
											: NN_TIMED_QDISC;
		snprintf(t.ns, sizeof(t.ns), "%s", nsname(w[2]));
		snprintf(t.name, sizeof(t.name), "%s", w[3]);
		t.id = num(opt(w, n, "id"));
		t.ns_cookie = num(opt(w, n, "cookie"));
		t.ifindex = (int)num(opt(w, n, "ifindex"));
		t.nonce = num(opt(w, n, "nonce"));
		assert_int_equal(nn_snap_add_timed(snap, &t), 0);
	} else if (!strcmp(w[0], "timed-journal")) {
		snap->have_timed = true;
	} else if (!strcmp(w[0], "group")) {
		struct nn_snap_group *g = nn_snap_add_group(snap, strcmp(w[1], "*") ? w[1] : "");

		g->recorded = flag(w, n, "recorded");
	} else if (!strcmp(w[0], "client")) {
		struct nn_snap_group *g = nn_snap_add_group(snap, strcmp(w[1], "*") ? w[1] : "");

		assert_int_equal(nn_snap_add_client(g, w[2], (unsigned)num(w[3]), opt(w, n, "owner") ?: ""), 0);
	} else {
		fail_msg("%s: unknown snapshot line \"%s\"", fx->name, w[0]);
	}
}

static const struct nn_prefix *maybe_prefix(const char *s, struct nn_prefix *buf)
{
	if (!s || !strcmp(s, "-"))
		return NULL;
	*buf = prefix(s);
	return buf;
}

static void lab_cmd(struct nn_lab *lab, char **w, int n)
{
	struct lab_command *v = realloc(lab->cmds, (lab->n_cmds + 1) * sizeof(*v));

	assert_non_null(v);
	lab->cmds = v;
	v = &lab->cmds[lab->n_cmds++];
	memset(v, 0, sizeof(*v));
	snprintf(v->node, sizeof(v->node), "%s", w[1]);
	v->index = (unsigned)num(w[2]);
	v->argv = calloc((size_t)n, sizeof(*v->argv));
	for (int i = 3; i < n; i++)
		v->argv[i - 3] = strdup(w[i]);
	v->argv_hash = nn_proc_argv_hash(v->argv);
}

static void lab_group(struct nn_lab *lab, char **w, int n)
{
	struct lab_group *v = realloc(lab->groups, (lab->n_groups + 1) * sizeof(*v));

	(void)n;
	assert_non_null(v);
	lab->groups = v;
	v = &lab->groups[lab->n_groups++];
	memset(v, 0, sizeof(*v));
	snprintf(v->prefix, sizeof(v->prefix), "%s", w[1]);
	snprintf(v->parent, sizeof(v->parent), "%s", w[3]);
	snprintf(v->where, sizeof(v->where), "lab.yaml:1:1");
	v->spec.count = (unsigned)num(w[2]);
}

static void lab_line(struct fixture *fx, char **w, int n)
{
	struct nn_lab *lab = fx->lab;
	struct nn_error e = { 0 };
	struct nn_prefix a, b;
	int r = 0;

	if (!strcmp(w[0], "netns")) {
		r = nn_lab_add_netns(lab, w[1], &e);
	} else if (!strcmp(w[0], "veth")) {
		r = nn_lab_add_veth(lab, nsname(w[1]), w[2], nsname(w[3]), w[4],
				    maybe_prefix(n > 5 ? w[5] : NULL, &a), maybe_prefix(n > 6 ? w[6] : NULL, &b), &e);
	} else if (!strcmp(w[0], "port")) {
		r = nn_lab_add_port(lab, nsname(w[1]), w[2], maybe_prefix(w[3], &a), nsname(w[4]), w[5],
				    w[6], &e);
	} else if (!strcmp(w[0], "bridge")) {
		r = nn_lab_add_bridge(lab, nsname(w[1]), w[2], maybe_prefix(n > 3 ? w[3] : NULL, &a), &e);
	} else if (!strcmp(w[0], "macvlan")) {
		uint8_t m[6];
		enum nn_macvlan_mode mode;

		mac(w[5], m);
		assert_int_equal(nn_parse_macvlan_mode(w[6], &mode, &e), 0);
		r = nn_lab_add_macvlan(lab, nsname(w[1]), w[2], nsname(w[3]), w[4], m, mode, &e);
	} else if (!strcmp(w[0], "route")) {
		struct nn_prefix dst = prefix(w[2]);

		r = nn_lab_add_route(lab, nsname(w[1]), &dst, maybe_prefix(opt(w, n, "via"), &a),
				     opt(w, n, "dev"), &e);
	} else if (!strcmp(w[0], "fwd")) {
		r = nn_lab_set_forwarding(lab, nsname(w[1]), !strcmp(w[2], "on"), &e);
	} else if (!strcmp(w[0], "qdisc")) {
		struct nn_qdisc_info q;

		qdisc(w + 3, n - 3, &q, false);
		r = nn_lab_add_qdisc(lab, nsname(w[1]), w[2], &q, &e);
	} else if (!strcmp(w[0], "nat")) {
		struct nn_nat_rule rule;

		nat(w, n, &rule);
		r = nn_lab_add_nat(lab, &rule, &e);
	} else if (!strcmp(w[0], "tc")) {
		/* tc NS IF egress|ingress TREE... */
		struct nn_tc_tree *t = calloc(1, sizeof(*t));

		tc_tree(w + 4, n - 4, t, false);
		if (!nn_tc_tree_empty(t))
			t->handle = NN_QDISC_HANDLE;
		r = nn_lab_add_tc_tree(lab, nsname(w[1]), w[2], !strcmp(w[3], "ingress"), t, &e);
		free(t);
	} else if (!strcmp(w[0], "tc-edit")) {
		/* tc-edit NS IF egress|ingress netem|tbf|clear [root-ok] [rule SELECTOR...] LEAF... */
		struct nn_tc_tree *t = calloc(1, sizeof(*t));
		struct nn_tc_edit ed = { 0 };
		int skip = 5 + (n > 5 && !strcmp(w[5], "root-ok"));

		ed.what = !strcmp(w[4], "netem") ? NN_TC_EDIT_NETEM
			  : !strcmp(w[4], "tbf") ? NN_TC_EDIT_TBF : NN_TC_EDIT_CLEAR;
		ed.root_ok = skip == 6;
		tc_tree(w + skip, n - skip, t, false);
		ed.has_match = t->n_rules > 0;
		ed.match = t->rules[0].match;
		ed.netem = t->n_rules ? t->rules[0].leaf.netem : t->dflt.netem;
		ed.tbf = t->n_rules ? t->rules[0].leaf.tbf : t->dflt.tbf;
		r = nn_lab_add_tc_edit(lab, nsname(w[1]), w[2], !strcmp(w[3], "ingress"), &ed, &e);
		free(t);
	} else if (!strcmp(w[0], "del-netns")) {
		r = nn_lab_del_netns(lab, w[1], &e);
	} else if (!strcmp(w[0], "del-veth")) {
		r = nn_lab_del_veth(lab, w[1], w[2], w[3], &e);
	} else if (!strcmp(w[0], "timed-qdisc")) {
		/* "timed-qdisc NS IF DURATION netem|tbf key=value...": --for */
		struct nn_qdisc_info q;
		uint64_t for_ns = 0;

		assert_int_equal(nn_parse_time(w[3], "for", &for_ns, &e), 0);
		qdisc(w + 4, n - 4, &q, false);
		r = nn_lab_add_timed_qdisc(lab, nsname(w[1]), w[2], &q, for_ns, &e);
	} else if (!strcmp(w[0], "link-state")) {
		uint64_t for_ns = 0;

		if (opt(w, n, "for"))
			assert_int_equal(nn_parse_time(opt(w, n, "for"), "for", &for_ns, &e), 0);
		r = nn_lab_set_link_state(lab, nsname(w[1]), w[2], !strcmp(w[3], "up"), for_ns, &e);
	} else if (!strcmp(w[0], "partition")) {
		/* "partition A1,A2 B1 [for=D]": the groups, names split at ',' */
		const char *g[2][8];
		size_t ng[2] = { 0, 0 };
		uint64_t for_ns = 0;

		for (int k = 0; k < 2; k++)
			for (char *t = strtok(w[1 + k], ","); t && ng[k] < 8; t = strtok(NULL, ","))
				g[k][ng[k]++] = t;
		if (opt(w, n, "for"))
			assert_int_equal(nn_parse_time(opt(w, n, "for"), "for", &for_ns, &e), 0);
		r = nn_lab_add_partition(lab, g[0], ng[0], g[1], ng[1], for_ns, &e);
	} else if (!strcmp(w[0], "heal")) {
		r = nn_lab_heal(lab, strcmp(w[1], "*") ? w[1] : NULL, &e);
	} else if (!strcmp(w[0], "command")) {
		lab_cmd(lab, w, n);
	} else if (!strcmp(w[0], "clients")) {
		lab_group(lab, w, n);
	} else if (!strcmp(w[0], "old-group")) {
		lab->old_groups = realloc(lab->old_groups, (lab->n_old_groups + 1) * sizeof(*lab->old_groups));
		snprintf(lab->old_groups[lab->n_old_groups++], NSNAME_MAX, "%s", w[1]);
	} else {
		fail_msg("%s: unknown lab line \"%s\"", fx->name, w[0]);
	}
	if (r < 0)
		fail_msg("%s: lab line \"%s\": %s", fx->name, w[0], e.msg);
}

/* "[lab OWNER prune claim=refuse new name=LAB]" */
static void lab_head(struct fixture *fx, char **w, int n)
{
	const char *claim = opt(w, n, "claim");

	fx->lab = nn_lab_new(n > 1 && !strchr(w[1], '=') && strcmp(w[1], "prune") && strcmp(w[1], "new")
			     ? w[1] : "test");
	assert_non_null(fx->lab);
	nn_lab_set_prune(fx->lab, flag(w, n, "prune"));
	nn_lab_set_new_namespaces(fx->lab, flag(w, n, "new"));
	nn_lab_set_own_roots(fx->lab, flag(w, n, "own-roots"));
	if (claim)
		nn_lab_set_claim(fx->lab, !strcmp(claim, "refuse") ? NN_CLAIM_REFUSE : NN_CLAIM_ADOPT);
	if (opt(w, n, "name")) {
		snprintf(fx->lab->name, sizeof(fx->lab->name), "%s", opt(w, n, "name"));
		snprintf(fx->lab->group_owner, sizeof(fx->lab->group_owner), "clients:lab:%s",
			 opt(w, n, "name"));
	}
}

static int errno_of(const char *s)
{
	static const struct {
		const char *name;
		int code;
	} names[] = { { "EEXIST", EEXIST }, { "EBUSY", EBUSY },	  { "EINVAL", EINVAL },
		      { "ENODEV", ENODEV }, { "ENOENT", ENOENT }, { "EMSGSIZE", EMSGSIZE } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].code;
	fail_msg("unknown errno %s", s);
	return 0;
}

static void load(struct fixture *fx, const char *path)
{
	enum { NONE, SNAP, LAB, EXPECT, JSON, ERROR, REFUSAL } sec = NONE;
	char *line = NULL, *w[MAX_WORDS];
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	assert_non_null(f);
	fx->snap = nn_snapshot_new();
	while (getline(&line, &cap, f) > 0) {
		char copy[2048];
		int n;

		line[strcspn(line, "\n")] = 0;
		if (!*line || *line == '#')
			continue;
		snprintf(copy, sizeof(copy), "%s", line);
		if (sec == EXPECT && *line != '[') {
			fx->expect[fx->n_expect++] = strdup(line);
			continue;
		}
		if (sec == JSON && *line != '[') {
			fx->json[fx->n_json++] = strdup(line);
			continue;
		}
		if ((sec == ERROR || sec == REFUSAL) && *line != '[') {
			char *sp = strchr(line, ' ');

			*sp = 0;
			if (sec == ERROR) {
				fx->error_code = errno_of(line);
				snprintf(fx->error, sizeof(fx->error), "%s", sp + 1);
			} else {
				fx->refusal_code = errno_of(line);
				snprintf(fx->refusal, sizeof(fx->refusal), "%s", sp + 1);
			}
			continue;
		}
		if (*line == '[') {
			copy[strcspn(copy, "]")] = 0;
			n = split(copy + 1, w);
			sec = !strcmp(w[0], "snapshot") ? SNAP : !strcmp(w[0], "lab") ? LAB :
			      !strcmp(w[0], "expect") ? EXPECT : !strcmp(w[0], "json") ? JSON :
			      !strcmp(w[0], "error") ? ERROR : REFUSAL;
			if (sec == LAB)
				lab_head(fx, w, n);
			continue;
		}
		n = split(copy, w);
		if (sec == SNAP)
			snapshot_line(fx, w, n);
		else if (sec == LAB)
			lab_line(fx, w, n);
		else
			fail_msg("%s: a line outside a section: %s", fx->name, line);
	}
	free(line);
	fclose(f);
	assert_non_null(fx->lab);
}

static void unload(struct fixture *fx)
{
	nn_snapshot_free(fx->snap);
	nn_lab_free(fx->lab);
	for (size_t i = 0; i < fx->n_expect; i++)
		free(fx->expect[i]);
	for (size_t i = 0; i < fx->n_json; i++)
		free(fx->json[i]);
}

/* Run fixture PATH: 0 when the planner did what it says, else 1 (why on
 * stderr). */
static int run_fixture(const char *dir, const char *file)
{
	struct fixture fx = { 0 };
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;
	char path[1024], text[1024];
	int bad = 0;

	snprintf(fx.name, sizeof(fx.name), "%s", file);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	load(&fx, path);
	if (nn_plan_build(fx.lab, fx.snap, &plan, &e) < 0) {
		if (!fx.error_code || e.code != fx.error_code || !strstr(e.msg, fx.error)) {
			fprintf(stderr, "%s: the plan failed: %s (%s)\n", file, e.msg, strerror(e.code));
			bad = 1;
		}
		goto out;
	}
	if (fx.error_code) {
		fprintf(stderr, "%s: the plan did not fail with \"%s\"\n", file, fx.error);
		bad = 1;
	}
	memset(&e, 0, sizeof(e));
	if (nn_plan_check(plan, &e) < 0 ? !fx.refusal_code || e.code != fx.refusal_code ||
					      !strstr(e.msg, fx.refusal)
					: fx.refusal_code != 0) {
		fprintf(stderr, "%s: refusal \"%s\", expected \"%s\"\n", file, e.msg, fx.refusal);
		bad = 1;
	}
	for (size_t i = 0; i < nn_plan_len(plan) || i < fx.n_expect; i++) {
		const char *got = i < nn_plan_len(plan) ?
					  nn_step_status(nn_plan_step(plan, i), text, sizeof(text)) : "(none)";
		const char *want = i < fx.n_expect ? fx.expect[i] : "(none)";

		if (i < nn_plan_len(plan))
			kinds_seen[nn_plan_step(plan, i)->kind] = true;
		if (strcmp(got, want)) {
			fprintf(stderr, "%s: step %zu:\n  got      %s\n  expected %s\n", file, i, got, want);
			bad = 1;
		}
	}
	for (size_t i = 0; i < fx.n_json; i++) {
		size_t k = strtoul(fx.json[i], NULL, 10), len = 0;
		char *got = NULL;
		FILE *m = open_memstream(&got, &len);

		assert_true(k < nn_plan_len(plan));
		nn_step_json(m, nn_plan_step(plan, k));
		fclose(m);
		if (strcmp(got, strchr(fx.json[i], ' ') + 1)) {
			fprintf(stderr, "%s: JSON of step %zu:\n  got      %s\n  expected %s\n", file, k,
				got, strchr(fx.json[i], ' ') + 1);
			bad = 1;
		}
		free(got);
	}
out:
	nn_plan_free(plan);
	unload(&fx);
	return bad;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void fixtures(void **state)
{
	const char *dir = NN_FIXTURES "/plan";
	struct dirent **v;
	int n = scandir(dir, &v, NULL, by_name), bad = 0, ran = 0;

	(void)state;
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(v[i]->d_name);

		if (len > 5 && !strcmp(v[i]->d_name + len - 5, ".plan")) {
			bad += run_fixture(dir, v[i]->d_name);
			ran++;
		}
		free(v[i]);
	}
	free(v);
	assert_true(ran >= 10);
	assert_int_equal(bad, 0);
}

/* Every kind of step is planned by some fixture (run after them). */
static void every_kind(void **state)
{
	(void)state;
	for (int k = 0; k < NN_STEP_KINDS; k++)
		if (!kinds_seen[k])
			fail_msg("no fixture plans a step of kind %d", k);
}

/*
 * The rollback: the done steps in reverse, the failing one too when it
 * changed something, and never a removal (what is deleted cannot be made
 * again as it was).
 */
static void rollback_order(void **state)
{
	struct nn_plan p = { 0 };
	struct nn_step s[6];
	size_t order[6], n;

	(void)state;
	memset(s, 0, sizeof(s));
	s[0].kind = NN_STEP_LINK_DEL;		/* a stale link: a removal */
	s[1].kind = NN_STEP_NETNS_ADD;
	s[2].kind = NN_STEP_VETH_ADD;
	s[3].kind = NN_STEP_ADDR_ADD;
	s[4].kind = NN_STEP_LINK_UP;
	s[5].kind = NN_STEP_QDISC_SET;
	p.steps = s;
	p.n = 6;
	for (int i = 0; i <= 3; i++)
		s[i].run.done = true;
	/* Step 4 failed before it changed anything. */
	n = nn_plan_rollback(&p, 4, order);
	assert_int_equal(n, 3);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
	/* Step 4 failed after it changed something: it goes first. */
	s[4].run.done = true;
	n = nn_plan_rollback(&p, 4, order);
	assert_int_equal(n, 4);
	assert_int_equal(order[0], 4);
	/* Nothing after the failing step, even if marked. */
	s[5].run.done = true;
	n = nn_plan_rollback(&p, 4, order);
	assert_int_equal(n, 4);
	assert_int_equal(order[3], 1);
	/* The whole plan (nn_plan_undo). */
	n = nn_plan_rollback(&p, p.n, order);
	assert_int_equal(n, 5);
	assert_int_equal(order[0], 5);
}

/* The handles of replace.plan's qdisc steps: netnsctl's own root changed in
 * place under its handle, an admin's replaced under a free random one
 * (0: picked when the step runs, owner.h), a link the plan makes gets 1:. */
static void qdisc_handles(void **state)
{
	struct fixture fx = { 0 };
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;

	(void)state;
	load(&fx, NN_FIXTURES "/plan/replace.plan");
	assert_int_equal(nn_plan_build(fx.lab, fx.snap, &plan, &e), 0);
	assert_int_equal(nn_plan_step(plan, 2)->kind, NN_STEP_QDISC_SET);
	assert_int_equal(nn_plan_step(plan, 2)->u.qdisc.handle, 0x10000);
	assert_int_equal(nn_plan_step(plan, 2)->run.ifindex, 5);
	assert_int_equal(nn_plan_step(plan, 3)->u.qdisc.handle, 0);
	assert_true(nn_plan_step(plan, 3)->u.qdisc.has_prev);
	assert_int_equal(nn_plan_step(plan, 3)->u.qdisc.prev.kind, NN_QDISC_TBF);
	/* the NAT rule replaced goes back to its owner on an undo */
	assert_string_equal(nn_plan_step(plan, 4)->u.nat.prev_owner, "forward-port:tcp:80");
	nn_plan_free(plan);
	unload(&fx);

	memset(&fx, 0, sizeof(fx));
	load(&fx, NN_FIXTURES "/plan/missing.plan");
	assert_int_equal(nn_plan_build(fx.lab, fx.snap, &plan, &e), 0);
	assert_int_equal(nn_plan_step(plan, 10)->kind, NN_STEP_QDISC_SET);
	assert_int_equal(nn_plan_step(plan, 10)->u.qdisc.handle, NN_QDISC_HANDLE);
	/* a link the plan makes: apply learns its ifindex from the create */
	assert_int_equal(nn_plan_step(plan, 10)->run.ifindex, 0);
	nn_plan_free(plan);
	unload(&fx);
}

/*
 * Changes to what exists (changes.plan): a link state step carries the
 * state before it, for its undo; a partition made is undone (healed), a
 * heal is a removal, never undone (the addresses it held may be others'
 * by then).
 */
static void change_undo(void **state)
{
	struct fixture fx = { 0 };
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;
	const struct nn_step *s;
	size_t order[8], n;

	(void)state;
	load(&fx, NN_FIXTURES "/plan/changes.plan");
	/* down for a while: the text would say until when (the clock's) */
	fx.lab->link_states[0].for_ns = 5000000000ULL;
	assert_int_equal(nn_plan_build(fx.lab, fx.snap, &plan, &e), 0);
	assert_int_equal(nn_plan_len(plan), 4);
	s = nn_plan_step(plan, 0);
	assert_int_equal(s->kind, NN_STEP_PARTITION_DEL);
	s = nn_plan_step(plan, 1);
	assert_int_equal(s->kind, NN_STEP_LINK_STATE);
	assert_false(s->u.link.up);
	assert_true(s->u.link.prev);
	assert_int_equal(s->u.link.for_ns, 5000000000ULL);
	assert_int_equal(s->run.ifindex, 5);
	s = nn_plan_step(plan, 2);
	assert_int_equal(s->kind, NN_STEP_LINK_STATE);
	assert_true(s->u.link.up);
	assert_false(s->u.link.prev);
	s = nn_plan_step(plan, 3);
	assert_int_equal(s->kind, NN_STEP_PARTITION_ADD);
	assert_int_equal(s->u.part.na, 2);
	assert_int_equal(s->u.part.nb, 1);
	assert_string_equal(s->u.part.b[0], "c");
	for (size_t i = 0; i < 4; i++)
		plan->steps[i].run.done = true;
	n = nn_plan_rollback(plan, plan->n, order);
	assert_int_equal(n, 3);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
	nn_plan_free(plan);
	unload(&fx);
}

/* The ifindexes apply uses without asking the kernel again: the ones the
 * snapshot has, 0 for links the plan (re)makes. */
static void planned_ifindexes(void **state)
{
	struct fixture fx = { 0 };
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;

	(void)state;
	load(&fx, NN_FIXTURES "/plan/stale.plan");
	assert_int_equal(nn_plan_build(fx.lab, fx.snap, &plan, &e), 0);
	assert_int_equal(nn_plan_step(plan, 0)->run.ifindex, 5);	/* the stale link judged */
	assert_int_equal(nn_plan_step(plan, 2)->run.ifindex, 0);	/* to-b made again */
	assert_int_equal(nn_plan_step(plan, 6)->kind, NN_STEP_ADDR_DEL);
	assert_int_equal(nn_plan_step(plan, 6)->run.ifindex, 7);
	assert_int_equal(nn_plan_step(plan, 8)->run.ifindex, 7);	/* to-c up */
	assert_int_equal(nn_plan_step(plan, 9)->run.ifindex, 8);
	nn_plan_free(plan);
	unload(&fx);

	memset(&fx, 0, sizeof(fx));
	load(&fx, NN_FIXTURES "/plan/star-node.plan");
	assert_int_equal(nn_plan_build(fx.lab, fx.snap, &plan, &e), 0);
	assert_int_equal(nn_plan_step(plan, 11)->kind, NN_STEP_LINK_MASTER);
	assert_int_equal(nn_plan_step(plan, 11)->run.ifindex2, 4);	/* br0, there */
	assert_int_equal(nn_plan_step(plan, 6)->run.ifindex2, 0);	/* lab0, made */
	nn_plan_free(plan);
	unload(&fx);
}

/* The host ends of a destroyed star go with their nodes' namespaces: no
 * delete of their own (destroy-star.plan). */
static void gone_with_namespace(void **state)
{
	struct fixture fx = { 0 };
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;

	(void)state;
	load(&fx, NN_FIXTURES "/plan/destroy-star.plan");
	assert_int_equal(nn_plan_build(fx.lab, fx.snap, &plan, &e), 0);
	assert_int_equal(nn_plan_step(plan, 2)->run.with, 0);		/* br0 */
	assert_int_equal(nn_plan_step(plan, 3)->run.with, 1);		/* v-n1, with n1 */
	assert_string_equal(nn_plan_step(plan, 3)->ns2, "n1");
	assert_int_equal(nn_plan_step(plan, 4)->run.with, 2);		/* v-n2, with n2 */
	assert_int_equal(nn_plan_step(plan, 5)->run.with, 0);		/* v-x: x stays */
	nn_plan_free(plan);
	unload(&fx);
}

/* A lab whose file changed only an impairment is planned for its qdiscs
 * alone; any other change, or none at all, plans the whole lab. */
static struct nn_lab *impaired(const char *delay, const char *route_via, const char *qdisc_if)
{
	struct nn_lab *lab = nn_lab_new("lab:n");
	struct nn_qdisc_info q = { .kind = NN_QDISC_NETEM };
	struct nn_prefix a = prefix("10.0.0.1/30"), b = prefix("10.0.0.2/30");
	struct nn_prefix dst = prefix("default"), via = prefix(route_via);
	struct nn_error e = { 0 };

	assert_int_equal(nn_parse_time(delay, "delay", &q.u.netem.delay_ns, &e), 0);
	assert_int_equal(nn_lab_add_veth(lab, "a", "to-b", "b", "to-a", &a, &b, &e), 0);
	assert_int_equal(nn_lab_add_route(lab, "a", &dst, &via, NULL, &e), 0);
	assert_int_equal(nn_lab_set_forwarding(lab, "b", true, &e), 0);
	assert_int_equal(nn_lab_add_qdisc(lab, "a", qdisc_if, &q, &e), 0);
	return lab;
}

static void qdiscs_only(void **state)
{
	struct nn_lab *before = impaired("10ms", "10.0.0.2", "to-b"), *after;
	struct nn_error e = { 0 };

	(void)state;
	after = impaired("10ms", "10.0.0.2", "to-b");
	assert_false(nn_lab_differs_in_qdiscs_only(before, after));	/* the same: all of it */
	nn_lab_free(after);
	after = impaired("20ms", "10.0.0.2", "to-b");
	assert_true(nn_lab_differs_in_qdiscs_only(before, after));
	nn_lab_free(after);
	after = impaired("20ms", "10.0.0.3", "to-b");
	assert_false(nn_lab_differs_in_qdiscs_only(before, after));	/* a route too */
	nn_lab_free(after);
	after = impaired("20ms", "10.0.0.2", "lo");
	assert_false(nn_lab_differs_in_qdiscs_only(before, after));	/* another link */
	nn_lab_free(after);
	/* A root set on one more link (the first impairment of a link): its
	 * qdiscs alone; one no longer set is a prune: the whole lab. */
	after = impaired("10ms", "10.0.0.2", "to-b");
	assert_int_equal(nn_lab_add_qdisc(after, "b", "to-a", &before->qdiscs[0].want, &e), 0);
	assert_true(nn_lab_differs_in_qdiscs_only(before, after));
	assert_false(nn_lab_differs_in_qdiscs_only(after, before));
	nn_lab_free(after);
	after = impaired("10ms", "10.0.0.2", "lo");
	assert_int_equal(nn_lab_add_qdisc(after, "a", "to-b", &before->qdiscs[0].want, &e), 0);
	assert_true(nn_lab_differs_in_qdiscs_only(before, after));	/* in another order */
	assert_false(nn_lab_differs_in_qdiscs_only(after, before));
	nn_lab_free(after);
	after = impaired("10ms", "10.0.0.3", "to-b");
	assert_int_equal(nn_lab_add_qdisc(after, "b", "to-a", &before->qdiscs[0].want, &e), 0);
	assert_false(nn_lab_differs_in_qdiscs_only(before, after));	/* and a route */
	nn_lab_free(after);
	nn_lab_free(before);
}

/* A lab's command, by its words: another word is another lab. */
static void add_command(struct nn_lab *lab, const char *word)
{
	char *w[] = { "cmd", "a", "0", "sleep", (char *)word };

	lab_cmd(lab, w, 5);
}

/* Does the lab of DELAY and a command of WORD narrow from the record BACK
 * (of BEFORE)?  The record answers as BEFORE itself does. */
static bool narrows_to(const struct nn_lab_shape *back, const struct nn_lab *before,
		       const char *delay, const char *word)
{
	struct nn_lab *after = impaired(delay, "10.0.0.2", "to-b");
	struct nn_lab_shape now;
	bool narrows;

	add_command(after, word);
	assert_int_equal(nn_lab_shape_make(after, &now), 0);
	narrows = nn_lab_shape_narrows(back, &now);
	assert_int_equal(narrows, nn_lab_differs_in_qdiscs_only(before, after));
	nn_lab_shape_free(&now);
	nn_lab_free(after);
	return narrows;
}

/* The shape apply records, read back by a later apply: the same answers
 * as the labs themselves give; every torn or foreign record is refused. */
static void shape_record(void **state)
{
	struct nn_lab *before = impaired("10ms", "10.0.0.2", "to-b");
	struct nn_lab_shape shape, back;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	add_command(before, "10");
	assert_int_equal(nn_lab_shape_make(before, &shape), 0);
	assert_int_equal(nn_lab_shape_encode(&shape, &buf, &len), 0);
	assert_int_equal(nn_lab_shape_decode(buf, len, &back), 0);
	assert_int_equal(back.n_roots, 1);
	assert_memory_equal(back.body, shape.body, shape.body_len);

	assert_true(narrows_to(&back, before, "20ms", "10"));
	/* the same qdisc: nothing narrows (the whole lab is checked) */
	assert_false(narrows_to(&back, before, "10ms", "10"));
	/* a command's word changed, with the qdisc */
	assert_false(narrows_to(&back, before, "20ms", "11"));

	nn_lab_shape_free(&back);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(nn_lab_shape_decode(buf, cut, &back), -EINVAL);
	buf[0] ^= 1;
	assert_int_equal(nn_lab_shape_decode(buf, len, &back), -EINVAL);
	buf[0] ^= 1;
	buf = realloc(buf, len + 1);
	assert_non_null(buf);
	buf[len] = 0;
	assert_int_equal(nn_lab_shape_decode(buf, len + 1, &back), -EINVAL);
	free(buf);
	nn_lab_shape_free(&shape);
	nn_lab_free(before);
}

/* Text made from a step's fields, not stored: a field changed is a text changed. */
static void text_from_fields(void **state)
{
	struct nn_step s;
	char buf[256];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.kind = NN_STEP_VETH_ADD;
	snprintf(s.ns, sizeof(s.ns), "a");
	snprintf(s.ifname, sizeof(s.ifname), "to-b");
	snprintf(s.ns2, sizeof(s.ns2), "%s", "");
	snprintf(s.ifname2, sizeof(s.ifname2), "nn-a");
	assert_string_equal(nn_step_text(&s, buf, sizeof(buf)), "create veth to-b in a <-> nn-a in the host");
	assert_string_equal(nn_step_status(&s, buf, sizeof(buf)),
			    "missing: create veth to-b in a <-> nn-a in the host");
	s.state = NN_STATE_EXTRA;
	s.kind = NN_STEP_NETNS_DEL;
	assert_string_equal(nn_step_status(&s, buf, sizeof(buf)), "extra: delete namespace a");
	/* cut, never overrun */
	assert_string_equal(nn_step_text(&s, buf, 8), "delete ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixtures),
		cmocka_unit_test(every_kind),
		cmocka_unit_test(rollback_order),
		cmocka_unit_test(qdisc_handles),
		cmocka_unit_test(planned_ifindexes),
		cmocka_unit_test(change_undo),
		cmocka_unit_test(qdiscs_only),
		cmocka_unit_test(shape_record),
		cmocka_unit_test(gone_with_namespace),
		cmocka_unit_test(text_from_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
