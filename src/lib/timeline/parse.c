// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A lab file's `timeline:` (docs/labfile.md, docs/timelines.md), read with
 * the lab file parser's own helpers (labfile/parse.h) so that its keys,
 * values and errors are those of the rest of the file.  Everything is
 * checked here or in the expansion (schedule.c) before any of it can run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/names.h"
#include "netnsctl/timeline.h"
#include "netnsctl/units.h"
#include "labfile/parse.h"
#include "timeline/timeline_int.h"
#include "util/show.h"

static const char *const action_names[NN_TL_ACTION_COUNT] = {
	[NN_TL_IMPAIR] = "impair", [NN_TL_RATE] = "rate", [NN_TL_CLEAR] = "clear",
	[NN_TL_DOWN] = "down", [NN_TL_UP] = "up", [NN_TL_PARTITION] = "partition",
	[NN_TL_HEAL] = "heal", [NN_TL_RUN] = "run", [NN_TL_EXPECT] = "expect",
};

const char *nn_tl_action_name(enum nn_tl_action a)
{
	return (unsigned int)a < NN_TL_ACTION_COUNT ? action_names[a] : "?";
}

void nn_tl_events_free(struct nn_tl_event *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		char **argv = v[i].command.argv;

		for (size_t a = 0; argv && argv[a]; a++)
			free(argv[a]);
		free(argv);
		free(v[i].group[0]);
		free(v[i].group[1]);
	}
	free(v);
}

/* --- values --- */

/* A duration: a time with its unit, at most a year; ALLOW_ZERO for "at". */
static int duration(struct parser *p, const yaml_node_t *n, const char *what, bool allow_zero,
		    uint64_t *ns)
{
	struct nn_error *e = nn_lfp_error(p);
	struct nn_shown sh;
	const char *s = NULL;
	int ret = nn_lfp_scalar(p, n, what, &s);

	if (ret < 0)
		return ret;
	if (nn_unit_required(s, what, NN_UNIT_TIME, e) < 0 || nn_parse_time(s, what, ns, e) < 0)
		return nn_lfp_fail_value(p, n);
	if (!allow_zero && *ns == 0)
		return nn_lfp_fail(p, n, "invalid %s \"%s\": must be more than 0", what, nn_show(&sh, s));
	if (*ns > NN_TL_MAX_NS)
		return nn_lfp_fail(p, n, "invalid %s \"%s\": more than a year", what, nn_show(&sh, s));
	return 0;
}

static int count_value(struct parser *p, const yaml_node_t *n, const char *what, uint64_t max,
		       unsigned int *out)
{
	const char *s = NULL;
	uint64_t v;
	int ret = nn_lfp_scalar(p, n, what, &s);

	if (ret < 0)
		return ret;
	if (nn_parse_uint(s, what, 1, max, &v, nn_lfp_error(p)) < 0)
		return nn_lfp_fail_value(p, n);
	*out = (unsigned int)v;
	return 0;
}

/* Is KEY one of mapping N's keys? */
static bool has_key(struct parser *p, const yaml_node_t *n, const char *key)
{
	if (n->type != YAML_MAPPING_NODE)
		return false;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = nn_lfp_node_at(p, pr->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return true;
	}
	return false;
}

/* --- link ends --- */

/*
 * The interfaces a node has in the file, with the root qdisc the file gives
 * each (what "clear" puts back).  Host interfaces are not a timeline's:
 * only a node's.
 */
static bool find_if(const struct nn_labfile *lf, size_t node, const char *ifname,
		    struct nn_labfile_impair *base)
{
	memset(base, 0, sizeof(*base));
	for (size_t i = 0; i < lf->n_links; i++)
		for (int j = 0; j < 2; j++)
			if (lf->links[i].end[j].node == node && !strcmp(lf->links[i].end[j].ifname, ifname)) {
				*base = lf->links[i].end[j].egress;
				return true;
			}
	for (size_t i = 0; i < lf->n_bridges; i++) {
		const struct nn_labfile_bridge *br = &lf->bridges[i];
		bool in_node = !br->in_host && br->node == node;

		if (in_node && !strcmp(br->name, ifname))
			return true;
		for (size_t m = 0; m < br->n_members; m++) {
			if (br->members[m].node == node && !strcmp(br->members[m].ifname, ifname)) {
				*base = br->members[m].egress;
				return true;
			}
			if (in_node && !strcmp(br->members[m].port, ifname)) {
				*base = br->members[m].port_egress;
				return true;
			}
		}
	}
	for (size_t i = 0; i < lf->n_uplinks; i++)
		if (lf->uplinks[i].node == node && !strcmp(lf->uplinks[i].ifname, ifname))
			return true;
	return false;
}

/* "NODE:IF" into T. */
static int target_value(struct parser *p, const yaml_node_t *n, struct nn_tl_target *t)
{
	char name[NN_LABFILE_NAME_MAX + 1];
	const struct nn_labfile *lf = nn_lfp_lab(p);
	struct nn_shown sh;
	const char *s = NULL, *colon;
	int ret = nn_lfp_scalar(p, n, "link", &s);

	if (ret < 0)
		return ret;
	colon = strchr(s, ':');
	if (!colon)
		return nn_lfp_fail(p, n, "invalid link \"%s\": expected NODE:IF", nn_show(&sh, s));
	if ((size_t)(colon - s) > NN_LABFILE_NAME_MAX)
		return nn_lfp_fail(p, n, "invalid node name in \"%.64s...\": too long", s);
	snprintf(name, sizeof(name), "%.*s", (int)(colon - s), s);
	if ((ret = nn_lfp_node_ref(p, n, name, &t->node)) < 0)
		return ret;
	if (nn_check_ifname(colon + 1, nn_lfp_error(p)) < 0)
		return nn_lfp_fail_value(p, n);
	snprintf(t->ifname, sizeof(t->ifname), "%s", colon + 1);
	if (!find_if(lf, t->node, t->ifname, &t->base))
		return nn_lfp_fail(p, n, "node \"%s\" has no interface \"%s\" in the file",
				   nn_lfp_written(p, t->node), t->ifname);
	return 0;
}

/*
 * impair: {link: NODE:IF, delay: ..., ...}: the impairment keys are the
 * file's own (parse_impair), so the mapping is read once without "link".
 */
static int impair_value(struct parser *p, const yaml_node_t *n, enum nn_tl_action action,
			struct nn_tl_event *ev, yaml_node_t **link_node)
{
	const char *what = nn_tl_action_name(action);
	yaml_node_pair_t *pairs;
	yaml_node_t copy;
	size_t np = 0, k = 0;
	int ret;

	*link_node = NULL;
	if (n->type != YAML_MAPPING_NODE)
		return nn_lfp_fail(p, n, "%s must be a mapping with \"link\", not a value or a list", what);
	np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (!(pairs = calloc(np ? np : 1, sizeof(*pairs))))
		return nn_error_set(nn_lfp_error(p), ENOMEM, "%s", nn_lfp_lab(p)->path);
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const yaml_node_t *key;

		key = nn_lfp_node_at(p, pr->key);
		if (key && key->type == YAML_SCALAR_NODE && !strcmp((const char *)key->data.scalar.value, "link")) {
			/* a repeated key: parse_impair would say so, it never sees "link" */
			if (*link_node) {
				free(pairs);
				return nn_lfp_fail(p, key, "duplicate key \"link\" in %s", what);
			}
			*link_node = nn_lfp_node_at(p, pr->value);
			continue;
		}
		pairs[k++] = *pr;
	}
	if (!*link_node) {
		free(pairs);
		return nn_lfp_fail(p, n, "%s needs \"link\" (NODE:IF)", what);
	}
	copy = *n;
	copy.data.mapping.pairs.start = pairs;
	copy.data.mapping.pairs.top = pairs + k;
	copy.data.mapping.pairs.end = pairs + k;
	ret = nn_lfp_parse_impair(p, &copy, &ev->impair);
	free(pairs);
	if (ret < 0)
		return ret;
	if ((ret = target_value(p, *link_node, &ev->link)) < 0)
		return ret;
	if (action == NN_TL_RATE && ev->impair.kind != NN_QDISC_TBF)
		return nn_lfp_fail(p, n, "rate sets tbf (rate, burst, latency, limit): for netem keys use impair");
	if (action == NN_TL_IMPAIR && ev->impair.kind == NN_QDISC_OTHER)
		return nn_lfp_fail(p, n, "impair needs an impairment (delay, loss, rate, ...): for none use clear");
	return 0;
}

/* --- partitions --- */

/* A list of node names into *OUT (indexes), none twice. */
static int group_value(struct parser *p, const yaml_node_t *n, const char *what, size_t **out,
		       size_t *count)
{
	size_t len = 0, *v;
	int ret;

	if ((ret = nn_lfp_sequence(p, n, what, &len)) < 0)
		return ret;
	if (len == 0)
		return nn_lfp_fail(p, n, "%s is empty: a partition needs a node on each side", what);
	if (!(v = calloc(len, sizeof(*v))))
		return nn_error_set(nn_lfp_error(p), ENOMEM, "%s", nn_lfp_lab(p)->path);
	*out = v;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = nn_lfp_item(p, n, i);
		const char *s = NULL;

		if ((ret = nn_lfp_scalar(p, it, "node", &s)) < 0 ||
		    (ret = nn_lfp_node_ref(p, it, s, &v[i])) < 0)
			return ret;
		for (size_t j = 0; j < i; j++)
			if (v[j] == v[i])
				return nn_lfp_fail(p, it, "node \"%s\" is twice in %s", nn_lfp_written(p, v[i]), what);
		*count = i + 1;
	}
	return 0;
}

/* {nodes: [...], from: [...]} */
static int groups_value(struct parser *p, const yaml_node_t *n, struct nn_tl_event *ev)
{
	static const char *const keys[] = { "nodes", "from", NULL };
	const char *what = nn_tl_action_name(ev->action);
	yaml_node_t *v[2];
	int ret;

	if ((ret = nn_lfp_fields(p, n, what, keys, v)) < 0)
		return ret;
	if (!v[0] || !v[1])
		return nn_lfp_fail(p, n, "%s needs \"nodes\" and \"from\" (two groups of nodes)", what);
	if ((ret = group_value(p, v[0], "nodes", &ev->group[0], &ev->n_group[0])) < 0 ||
	    (ret = group_value(p, v[1], "from", &ev->group[1], &ev->n_group[1])) < 0)
		return ret;
	for (size_t i = 0; i < ev->n_group[1]; i++)
		for (size_t j = 0; j < ev->n_group[0]; j++)
			if (ev->group[1][i] == ev->group[0][j])
				return nn_lfp_fail(p, nn_lfp_item(p, v[1], i),
						   "node \"%s\" is on both sides of the %s",
						   nn_lfp_written(p, ev->group[1][i]), what);
	return 0;
}

static int heal_value(struct parser *p, const yaml_node_t *n, struct nn_tl_event *ev)
{
	struct nn_shown sh;

	if (n->type == YAML_SCALAR_NODE && !nn_lfp_is_null(n)) {
		const char *s = (const char *)n->data.scalar.value;

		if (strcmp(s, "all"))
			return nn_lfp_fail(p, n, "invalid heal \"%s\": expected all, or {nodes: [...], from: [...]}",
					   nn_show(&sh, s));
		ev->heal_all = true;
		return 0;
	}
	return groups_value(p, n, ev);
}

/* --- run, expect --- */

static int run_value(struct parser *p, const yaml_node_t *n, struct nn_tl_event *ev)
{
	static const char *const keys[] = { "node", "command", NULL };
	yaml_node_t *v[2];
	const char *s = NULL;
	int ret;

	if ((ret = nn_lfp_fields(p, n, "run", keys, v)) < 0)
		return ret;
	if (!v[0] || !v[1])
		return nn_lfp_fail(p, n, "run needs \"node\" and \"command\"");
	if ((ret = nn_lfp_scalar(p, v[0], "node", &s)) < 0 ||
	    (ret = nn_lfp_node_ref(p, v[0], s, &ev->node)) < 0)
		return ret;
	return nn_lfp_parse_command(p, v[1], &ev->command);
}

/* --- ramp, repeat --- */

static const char *const ramp_keys[] = { [NN_TL_RAMP_DELAY] = "delay", [NN_TL_RAMP_LOSS] = "loss",
					 [NN_TL_RAMP_RATE] = "rate" };

/* "to": its unit says what the ramp moves. */
static int ramp_to(struct parser *p, const yaml_node_t *n, struct nn_tl_ramp *r)
{
	struct nn_error *e = nn_lfp_error(p), tmp;
	struct nn_shown sh;
	const char *s = NULL;
	uint32_t prob;
	int ret = nn_lfp_scalar(p, n, "ramp to", &s);

	if (ret < 0)
		return ret;
	if (*s == '-')
		return nn_lfp_fail(p, n, "invalid ramp to \"%s\": must not be negative", nn_show(&sh, s));
	if (*s && s[strlen(s) - 1] == '%') {
		if (nn_parse_percent(s, "ramp to", &prob, e) < 0)
			return nn_lfp_fail_value(p, n);
		r->what = NN_TL_RAMP_LOSS;
		r->to = prob;
		return 0;
	}
	if (nn_unit_required(s, "ramp to", NN_UNIT_TIME, &tmp) == 0 &&
	    nn_parse_time(s, "ramp to", &r->to, &tmp) == 0) {
		r->what = NN_TL_RAMP_DELAY;
		return 0;
	}
	if (nn_unit_required(s, "ramp to", NN_UNIT_RATE, &tmp) == 0 &&
	    nn_parse_rate(s, "ramp to", &r->to, &tmp) == 0) {
		r->what = NN_TL_RAMP_RATE;
		return 0;
	}
	return nn_lfp_fail(p, n, "invalid ramp to \"%s\": expected a delay (300ms), a loss (5%%) or a rate (10mbit)",
			   nn_show(&sh, s));
}

void nn_tl_ramp_set(struct nn_labfile_impair *im, enum nn_tl_ramp_what what, uint64_t v)
{
	switch (what) {
	case NN_TL_RAMP_DELAY: im->netem.delay_ns = v; break;
	case NN_TL_RAMP_LOSS: im->netem.loss = (uint32_t)v; break;
	case NN_TL_RAMP_RATE:
		if (im->kind == NN_QDISC_TBF)
			im->tbf.rate = v;
		else
			im->netem.rate = v;
		break;
	default: break;
	}
}

uint64_t nn_tl_ramp_get(const struct nn_labfile_impair *im, enum nn_tl_ramp_what what)
{
	switch (what) {
	case NN_TL_RAMP_DELAY: return im->netem.delay_ns;
	case NN_TL_RAMP_LOSS: return im->netem.loss;
	case NN_TL_RAMP_RATE: return im->kind == NN_QDISC_TBF ? im->tbf.rate : im->netem.rate;
	default: return 0;
	}
}

static int ramp_value(struct parser *p, const yaml_node_t *n, struct nn_tl_event *ev,
		      const yaml_node_t *impair)
{
	static const char *const keys[] = { "to", "over", "steps", NULL };
	struct nn_labfile_impair end;
	struct nn_tl_ramp *r = &ev->ramp;
	yaml_node_t *v[3];
	int ret;

	nn_lfp_set_mark(&r->mark, n);
	if ((ret = nn_lfp_fields(p, n, "ramp", keys, v)) < 0)
		return ret;
	if (ev->action != NN_TL_IMPAIR && ev->action != NN_TL_RATE)
		return nn_lfp_fail(p, n, "a ramp moves a delay, a loss or a rate: not with %s",
				   nn_tl_action_name(ev->action));
	if (!v[0] || !v[1])
		return nn_lfp_fail(p, n, "ramp needs \"to\" and \"over\"");
	if ((ret = ramp_to(p, v[0], r)) < 0 ||
	    (ret = duration(p, v[1], "over", false, &r->over_ns)) < 0)
		return ret;
	if (v[2]) {
		if ((ret = count_value(p, v[2], "steps", NN_TL_MAX_RAMP_STEPS, &r->steps)) < 0)
			return ret;
	} else {
		/* one a second, as far as that goes */
		uint64_t s = r->over_ns / NN_TL_NS_PER_S;

		r->steps = s < 1 ? 1 : s > NN_TL_MAX_RAMP_STEPS ? NN_TL_MAX_RAMP_STEPS : (unsigned int)s;
	}
	/* From the event's own value: it must say it. */
	if ((ev->impair.kind == NN_QDISC_TBF && r->what != NN_TL_RAMP_RATE) ||
	    !has_key(p, impair, ramp_keys[r->what]))
		return nn_lfp_fail(p, v[0], "a ramp to a %s needs the %s's \"%s\" to start from",
				   ramp_keys[r->what], nn_tl_action_name(ev->action), ramp_keys[r->what]);
	/* Linear between two valid values: checking the end checks every step. */
	end = ev->impair;
	nn_tl_ramp_set(&end, r->what, r->to);
	if (end.kind == NN_QDISC_NETEM)
		ret = nn_netem_check(&end.netem, nn_lfp_error(p));
	else
		ret = nn_tbf_check(&end.tbf, nn_lfp_error(p));
	if (ret < 0) {
		struct nn_shown sh;

		nn_error_prefix(nn_lfp_error(p), "invalid ramp to \"%s\"",
				nn_show(&sh, (const char *)v[0]->data.scalar.value));
		return nn_lfp_fail_value(p, v[0]);
	}
	return 0;
}

static int repeat_value(struct parser *p, const yaml_node_t *n, struct nn_tl_event *ev)
{
	static const char *const keys[] = { "every", "count", NULL };
	struct nn_tl_repeat *r = &ev->repeat;
	char a[32], b[32];
	yaml_node_t *v[2];
	int ret;

	nn_lfp_set_mark(&r->mark, n);
	if ((ret = nn_lfp_fields(p, n, "repeat", keys, v)) < 0)
		return ret;
	if (!v[0] || !v[1])
		return nn_lfp_fail(p, n, "repeat needs \"every\" and \"count\"");
	if ((ret = duration(p, v[0], "every", false, &r->every_ns)) < 0 ||
	    (ret = count_value(p, v[1], "count", NN_TL_MAX_REPEAT, &r->count)) < 0)
		return ret;
	if (ev->ramp.what != NN_TL_RAMP_NONE && r->every_ns < ev->ramp.over_ns)
		return nn_lfp_fail(p, v[0], "repeat every %s is shorter than the ramp (over %s): the next would start before it ends",
				   nn_format_time(a, sizeof(a), r->every_ns),
				   nn_format_time(b, sizeof(b), ev->ramp.over_ns));
	return 0;
}

/* --- events --- */

enum { K_AT, K_ACTION, K_RAMP = K_ACTION + NN_TL_ACTION_COUNT, K_REPEAT, K_COUNT };

static int parse_event(struct parser *p, const yaml_node_t *n, struct nn_tl_event *ev)
{
	static const char *const keys[K_COUNT + 1] = {
		"at", "impair", "rate", "clear", "down", "up", "partition", "heal", "run", "expect",
		"ramp", "repeat", NULL,
	};
	yaml_node_t *v[K_COUNT], *act = NULL, *link = NULL;
	int ret, a = -1;

	nn_lfp_set_mark(&ev->mark, n);
	ev->repeat.count = 1;
	if ((ret = nn_lfp_fields(p, n, "event", keys, v)) < 0)
		return ret;
	if (!v[K_AT])
		return nn_lfp_fail(p, n, "event needs \"at\" (a time from the start: 10s)");
	if ((ret = duration(p, v[K_AT], "at", true, &ev->at_ns)) < 0)
		return ret;
	for (int i = 0; i < NN_TL_ACTION_COUNT; i++) {
		if (!v[K_ACTION + i])
			continue;
		if (act)
			return nn_lfp_fail(p, v[K_ACTION + i], "event has two actions (\"%s\" and \"%s\"): one each",
					   nn_tl_action_name(a), nn_tl_action_name(i));
		act = v[K_ACTION + i];
		a = i;
	}
	if (!act)
		return nn_lfp_fail(p, n, "event needs an action: impair, rate, clear, down, up, partition, heal, run or expect");
	ev->action = (enum nn_tl_action)a;
	switch (ev->action) {
	case NN_TL_IMPAIR:
	case NN_TL_RATE:
		ret = impair_value(p, act, ev->action, ev, &link);
		break;
	case NN_TL_CLEAR:
	case NN_TL_DOWN:
	case NN_TL_UP:
		ret = target_value(p, act, &ev->link);
		break;
	case NN_TL_PARTITION:
		ret = groups_value(p, act, ev);
		break;
	case NN_TL_HEAL:
		ret = heal_value(p, act, ev);
		break;
	case NN_TL_RUN:
		ret = run_value(p, act, ev);
		break;
	case NN_TL_EXPECT:
		ret = nn_lfp_parse_expect(p, act, &ev->expect);
		break;
	default:
		ret = 0;
		break;
	}
	if (ret < 0)
		return ret;
	if (v[K_RAMP] && (ret = ramp_value(p, v[K_RAMP], ev, act)) < 0)
		return ret;
	if (v[K_REPEAT] && (ret = repeat_value(p, v[K_REPEAT], ev)) < 0)
		return ret;
	return 0;
}

int nn_lfp_parse_timeline(struct parser *p, const yaml_node_t *n)
{
	struct nn_labfile *lf = nn_lfp_lab(p);
	struct nn_tl_schedule sched;
	char a[32], b[32];
	size_t len = 0;
	int ret;

	if ((ret = nn_lfp_sequence(p, n, "timeline", &len)) < 0)
		return ret;
	if (!(lf->timeline = calloc(len ? len : 1, sizeof(*lf->timeline))))
		return nn_error_set(nn_lfp_error(p), ENOMEM, "%s", lf->path);
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = nn_lfp_item(p, n, i);
		struct nn_tl_event *ev = &lf->timeline[i];

		lf->n_timeline = i + 1;
		if ((ret = parse_event(p, it, ev)) < 0)
			return ret;
		/* In the file's order: an event's time is never before the one above it. */
		if (i > 0 && ev->at_ns < lf->timeline[i - 1].at_ns)
			return nn_lfp_fail_mark(p, &ev->mark, "event at %s is before the one above it (at %s): write events in time order",
						nn_format_time(a, sizeof(a), ev->at_ns),
						nn_format_time(b, sizeof(b), lf->timeline[i - 1].at_ns));
	}
	/* What only the whole schedule shows (overlaps, heals of nothing, its size). */
	if ((ret = nn_tl_schedule_make(lf, &sched, nn_lfp_error(p))) < 0)
		return ret;
	nn_tl_schedule_free(&sched);
	return 0;
}
