// SPDX-License-Identifier: GPL-2.0-or-later
/* A step's text and JSON, made from its fields (step.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "netnsctl/step.h"
#include "netnsctl/units.h"
#include "util/show.h"
#include "engine/plan.h"

/* The object a kind is about, and what it does to it (docs/json.md). */
static const struct {
	const char *object, *action;
} kinds[NN_STEP_KINDS] = {
	[NN_STEP_NETNS_ADD] = { "netns", "create" },
	[NN_STEP_NETNS_DEL] = { "netns", "delete" },
	[NN_STEP_VETH_ADD] = { "veth", "create" },
	[NN_STEP_VETH_DEL] = { "veth", "delete" },
	[NN_STEP_BRIDGE_ADD] = { "bridge", "create" },
	[NN_STEP_MACVLAN_ADD] = { "macvlan", "create" },
	[NN_STEP_LINK_DEL] = { "link", "delete" },
	[NN_STEP_LINK_MASTER] = { "port", "attach" },
	[NN_STEP_LINK_UP] = { "link", "up" },
	[NN_STEP_ADDR_ADD] = { "addr", "add" },
	[NN_STEP_ADDR_DEL] = { "addr", "remove" },
	[NN_STEP_ROUTE_SET] = { "route", "set" },
	[NN_STEP_ROUTE_DEL] = { "route", "delete" },
	[NN_STEP_FWD_SET] = { "forwarding", "set" },
	[NN_STEP_FWD_RESTORE] = { "forwarding", "restore" },
	[NN_STEP_FWD_HANDOVER] = { "forwarding", "hand_over" },
	[NN_STEP_QDISC_SET] = { "qdisc", "set" },
	[NN_STEP_QDISC_CLEAR] = { "qdisc", "clear" },
	[NN_STEP_NAT_ADD] = { "nat", "add" },
	[NN_STEP_NAT_DEL] = { "nat", "delete" },
	[NN_STEP_ADOPT] = { "netns", "adopt" },
	[NN_STEP_CMD_START] = { "command", "start" },
	[NN_STEP_CMD_STOP] = { "command", "stop" },
	[NN_STEP_CLIENTS_ADD] = { "clients", "create" },
	[NN_STEP_CLIENTS_DEL] = { "clients", "delete" },
	[NN_STEP_LINK_STATE] = { "link", "set_state" },
	[NN_STEP_PARTITION_ADD] = { "partition", "add" },
	[NN_STEP_PARTITION_DEL] = { "partition", "heal" },
	[NN_STEP_TC_TREE_SET] = { "tc_tree", "set" },
	[NN_STEP_TC_TREE_CHANGE] = { "tc_rule", "change" },
	[NN_STEP_TC_TREE_CLEAR] = { "tc_tree", "clear" },
	[NN_STEP_IFB_ADD] = { "ifb", "create" },
	[NN_STEP_REDIRECT_ADD] = { "redirect", "add" },
	[NN_STEP_REDIRECT_DEL] = { "redirect", "delete" },
	[NN_STEP_CLSACT_DEL] = { "clsact", "delete" },
};

static const char *const reasons[NN_WHY_REASONS] = {
	[NN_WHY_ABSENT] = "absent",
	[NN_WHY_DOWN] = "down",
	[NN_WHY_OTHER_VALUE] = "other_value",
	[NN_WHY_OTHER_PEER] = "other_peer",
	[NN_WHY_OTHER_MAC] = "other_mac",
	[NN_WHY_OTHER_ADDR] = "other_address",
	[NN_WHY_PRUNED] = "pruned",
	[NN_WHY_ASKED] = "asked",
	[NN_WHY_OTHER_OWNER] = "other_owner",
	[NN_WHY_HEIR] = "heir",
	[NN_WHY_NOT_RUNNING] = "not_running",
	[NN_WHY_CHANGED] = "changed",
	[NN_WHY_BEYOND_COUNT] = "beyond_count",
};

const char *nn_step_state_name(enum nn_step_state state)
{
	return state == NN_STATE_MISSING ? "missing" : state == NN_STATE_EXTRA ? "extra" : "differs";
}

static const char *mac_text(char *buf, size_t len, const uint8_t m[6])
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

static void nat_text(struct nn_out *o, const struct nn_nat_rule *r)
{
	char a[64];

	if (r->kind == NN_NAT_MASQUERADE)
		nn_out_put(o, "masquerade %s%s%s (%s)", nn_format_prefix(a, sizeof(a), &r->src, true),
		    *r->except_if ? " except to " : "", r->except_if, r->tag);
	else
		nn_out_put(o, "forward host %s port %u to %s:%u (%s)", r->proto == IPPROTO_UDP ? "udp" : "tcp",
		    r->port, inet_ntop(AF_INET, &r->to, a, sizeof(a)) ? a : "?", r->to_port, r->tag);
}

static void argv_text(struct nn_out *o, char *const *argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		nn_out_put(o, "%c%s", i ? ' ' : '"', argv[i]);
	nn_out_put(o, "\"");
}

/* "forward-port tcp 81", not the journal's "forward-port:tcp:81". */
static void owner_words(struct nn_out *o, const char *owner)
{
	for (const char *c = owner; *c; c++)
		nn_out_put(o, "%c", *c == ':' ? ' ' : *c);
}

static void route_text(struct nn_out *o, const struct nn_step *s)
{
	char d[64], g[64];

	nn_out_put(o, "route %s", nn_route_name(d, sizeof(d), &s->u.route.dst));
	if (s->u.route.has_gw)
		nn_out_put(o, " via %s", nn_format_prefix(g, sizeof(g), &s->u.route.gw, false));
	if (*s->ifname)
		nn_out_put(o, " dev %s", s->ifname);
	nn_out_put(o, " in %s", nn_where(s->ns));
}

static void clients_text(struct nn_out *o, const struct nn_step *s)
{
	const char *p = s->u.clients.prefix;
	unsigned n = s->u.clients.count;

	if (s->kind == NN_STEP_CLIENTS_ADD)
		nn_out_put(o, "create clients %s1..%s%u on %s", p, p, s->u.clients.last, s->u.clients.parent);
	else if (s->u.clients.first)
		nn_out_put(o, "delete clients %s%u..%s%u", p, s->u.clients.first, p, s->u.clients.last);
	else if (*p)
		nn_out_put(o, "delete %u client%s %s*", n, n == 1 ? "" : "s", p);
	else
		nn_out_put(o, "release and delete %u client%s", n, n == 1 ? "" : "s");
}

/* " for 5s (until 2026-12-07T03:50:00Z)": a change with a deadline, the
 * deadline from now when the step is said as it is done (UNTIL); status
 * says " for 5s" alone. */
static void for_text(struct nn_out *o, uint64_t for_ns, bool until)
{
	time_t at;
	char d[64], when[32];
	struct tm tm;

	if (!for_ns)
		return;
	nn_out_put(o, " for %s", nn_format_time(d, sizeof(d), for_ns));
	if (!until)
		return;
	at = time(NULL) + (time_t)((for_ns + 999999999ULL) / 1000000000ULL);
	gmtime_r(&at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	nn_out_put(o, " (until %s)", when);
}

static void groups_text(struct nn_out *o, const struct nn_step *s)
{
	for (size_t i = 0; i < s->u.part.na + s->u.part.nb; i++)
		nn_out_put(o, "%s%s", i == s->u.part.na ? " from " : i ? "," : "",
		    i < s->u.part.na ? s->u.part.a[i] : s->u.part.b[i - s->u.part.na]);
}

/* "veth-a in sva (egress)", "ifb-veth-a in sva (the ingress of veth-a)" */
static void dev_words(FILE *f, const struct nn_step *s)
{
	const struct nn_step_tc *t = s->u.tc.t;

	if (t->ingress)
		fprintf(f, "%s in %s (the ingress of %s)", t->dev, nn_where(t->ns), t->link);
	else
		fprintf(f, "%s in %s (egress)", t->dev, nn_where(t->ns));
}

static void tc_text_f(FILE *f, const struct nn_step *s)
{
	const struct nn_step_tc *t = s->u.tc.t;
	const struct nn_tc_rule *w = s->u.tc.want >= 0 ? &t->want.rules[s->u.tc.want] : NULL;
	const struct nn_tc_rule *h = s->u.tc.have >= 0 ? &t->have.rules[s->u.tc.have] : NULL;
	char m[512];

	if (s->kind == NN_STEP_TC_TREE_SET) {
		fprintf(f, "set ");
		dev_words(f, s);
		fprintf(f, ": ");
		if (!t->want.n_rules) {
			nn_tc_leaf_format(f, &t->want.dflt);
			return;
		}
		fprintf(f, "htb; default: ");
		nn_tc_leaf_format(f, &t->want.dflt);
		for (unsigned int i = 0; i < t->want.n_rules; i++) {
			fprintf(f, "; rule %u %s: ", i + 1,
				nn_tc_match_text(m, sizeof(m), &t->want.rules[i].match));
			nn_tc_leaf_format(f, &t->want.rules[i].leaf);
		}
		return;
	}
	switch (s->u.tc.op) {
	case NN_TC_RULE_ADD:
		fprintf(f, "add rule %u %s on ", w->prio, nn_tc_match_text(m, sizeof(m), &w->match));
		dev_words(f, s);
		fprintf(f, ": ");
		nn_tc_leaf_format(f, &w->leaf);
		break;
	case NN_TC_RULE_DEL:
		fprintf(f, "remove rule %u %s from ", h->prio, nn_tc_match_text(m, sizeof(m), &h->match));
		dev_words(f, s);
		break;
	case NN_TC_RULE_LEAF:
		fprintf(f, "change rule %u %s on ", w->prio, nn_tc_match_text(m, sizeof(m), &w->match));
		dev_words(f, s);
		fprintf(f, ": ");
		nn_tc_leaf_format(f, &h->leaf);
		fprintf(f, " -> ");
		nn_tc_leaf_format(f, &w->leaf);
		break;
	case NN_TC_RULE_MOVE:
		fprintf(f, "move rule %s on ", nn_tc_match_text(m, sizeof(m), &w->match));
		dev_words(f, s);
		fprintf(f, ": priority %u -> %u", h->prio, w->prio);
		break;
	default:
		fprintf(f, "change ");
		dev_words(f, s);
		fprintf(f, " default: ");
		nn_tc_leaf_format(f, &t->have.dflt);
		fprintf(f, " -> ");
		nn_tc_leaf_format(f, &t->want.dflt);
		break;
	}
}

/* A tree's words come from the tc layer's formatters, which write to a
 * stream. */
static void tc_text(struct nn_out *o, const struct nn_step *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!s->u.tc.t || !(f = open_memstream(&buf, &len)))
		return;
	tc_text_f(f, s);
	if (fclose(f) == 0 && buf)
		nn_out_put(o, "%s", buf);
	free(buf);
}

static void text(struct nn_out *o, const struct nn_step *s, bool until)
{
	const char *ns = nn_where(s->ns);
	char a[64], q[256], who[96];

	switch (s->kind) {
	case NN_STEP_NETNS_ADD:
		nn_out_put(o, "create namespace %s", s->ns);
		break;
	case NN_STEP_NETNS_DEL:
		nn_out_put(o, "delete namespace %s", s->ns);
		break;
	case NN_STEP_VETH_ADD:
		nn_out_put(o, "create veth %s in %s <-> %s in %s", s->ifname, ns, s->ifname2, nn_where(s->ns2));
		break;
	case NN_STEP_VETH_DEL:
		nn_out_put(o, "delete veth %s in %s <-> %s in %s", s->ifname, s->ns,
		    *s->ifname2 ? s->ifname2 : "its peer", s->ns2);
		break;
	case NN_STEP_BRIDGE_ADD:
		nn_out_put(o, "create bridge %s in %s", s->ifname, ns);
		break;
	case NN_STEP_MACVLAN_ADD:
		nn_out_put(o, "create macvlan %s in %s on %s in %s (%s, %s)", s->ifname, ns, s->ifname2,
		    nn_where(s->ns2), mac_text(a, sizeof(a), s->u.macvlan.mac),
		    nn_macvlan_mode_name(s->u.macvlan.mode));
		break;
	case NN_STEP_LINK_DEL:
		if (s->reason == NN_WHY_PRUNED || s->reason == NN_WHY_ASKED)
			nn_out_put(o, "delete %s in %s", s->ifname, ns);
		else
			nn_out_put(o, "delete stale %s in %s (%s)", s->ifname, ns,
			    s->reason == NN_WHY_OTHER_MAC ? "another MAC" : "it is paired with another link");
		break;
	case NN_STEP_LINK_MASTER:
		nn_out_put(o, "attach %s in %s to bridge %s", s->ifname, ns, s->ifname2);
		break;
	case NN_STEP_LINK_UP:
		nn_out_put(o, "set %s in %s up", s->ifname, ns);
		break;
	case NN_STEP_ADDR_ADD:
		nn_out_put(o, "add %s to %s in %s", nn_format_prefix(a, sizeof(a), &s->u.addr, true), s->ifname, ns);
		break;
	case NN_STEP_ADDR_DEL:
		nn_out_put(o, "remove stale address %s from %s in %s",
		    nn_format_prefix(a, sizeof(a), &s->u.addr, true), s->ifname, ns);
		break;
	case NN_STEP_ROUTE_SET:
		route_text(o, s);
		break;
	case NN_STEP_ROUTE_DEL:
		nn_out_put(o, "delete route %s in %s", nn_route_name(a, sizeof(a), &s->u.route.dst), ns);
		break;
	case NN_STEP_FWD_SET:
		nn_out_put(o, "turn IPv4 forwarding %s in %s", s->u.fwd.on ? "on" : "off", ns);
		break;
	case NN_STEP_FWD_RESTORE:
		nn_out_put(o, "turn IPv4 forwarding back %s in %s", s->u.fwd.on ? "on" : "off", ns);
		break;
	case NN_STEP_FWD_HANDOVER:
		nn_out_put(o, "leave IPv4 forwarding in %s as it is: ", ns);
		owner_words(o, s->u.fwd.heir);
		nn_out_put(o, " relies on it");
		break;
	case NN_STEP_QDISC_SET:
		nn_out_put(o, "%s qdisc %s on %s in %s", s->u.qdisc.has_prev ? "replace" : "set",
		    nn_qdisc_format(q, sizeof(q), &s->u.qdisc.want), s->ifname, ns);
		for_text(o, s->u.qdisc.for_ns, until);
		break;
	case NN_STEP_QDISC_CLEAR:
		nn_out_put(o, "clear qdisc %s on %s in %s", s->u.qdisc.prev.kind_name, s->ifname, ns);
		break;
	case NN_STEP_NAT_ADD:
		nn_out_put(o, "%s ", s->u.nat.has_prev ? "replace" : "add");
		nat_text(o, &s->u.nat.rule);
		break;
	case NN_STEP_NAT_DEL:
		nn_out_put(o, "delete NAT rule %s", s->u.nat.rule.tag);
		break;
	case NN_STEP_ADOPT:
		if (*s->ifname)
			nn_out_put(o, "adopt %s in %s from %s", s->ifname, ns,
			    nn_owner_text(who, sizeof(who), s->u.adopt.owner));
		else
			nn_out_put(o, "adopt namespace %s from %s", s->ns,
			    nn_owner_text(who, sizeof(who), s->u.adopt.owner));
		break;
	case NN_STEP_CMD_START:
		nn_out_put(o, "start command %u in %s: ", s->u.cmd.index + 1, s->ns);
		argv_text(o, s->u.cmd.argv);
		break;
	case NN_STEP_CMD_STOP:
		if (*s->u.cmd.lab)
			nn_out_put(o, "stop command %u of %s in lab %s (pid %d)", s->u.cmd.index + 1, s->ns,
			    s->u.cmd.lab, (int)s->u.cmd.pid);
		else
			nn_out_put(o, "stop command %u in %s (pid %d)", s->u.cmd.index + 1, s->ns,
			    (int)s->u.cmd.pid);
		break;
	case NN_STEP_CLIENTS_ADD:
	case NN_STEP_CLIENTS_DEL:
		clients_text(o, s);
		break;
	case NN_STEP_LINK_STATE:
		nn_out_put(o, "set link %s in %s %s", s->ifname, ns, s->u.link.up ? "up" : "down");
		for_text(o, s->u.link.for_ns, until);
		break;
	case NN_STEP_PARTITION_ADD:
		nn_out_put(o, "partition %s: ", s->u.part.id);
		groups_text(o, s);
		for_text(o, s->u.part.for_ns, until);
		break;
	case NN_STEP_PARTITION_DEL:
		nn_out_put(o, "heal partition %s", s->u.part.id);
		break;
	case NN_STEP_TC_TREE_SET:
	case NN_STEP_TC_TREE_CHANGE:
		tc_text(o, s);
		break;
	case NN_STEP_TC_TREE_CLEAR:
		nn_out_put(o, "clear %s in %s (egress)", s->ifname, ns);
		break;
	case NN_STEP_IFB_ADD:
		nn_out_put(o, "create ifb %s for the ingress of %s in %s", s->ifname, s->ifname2, ns);
		break;
	case NN_STEP_REDIRECT_ADD:
		nn_out_put(o, "redirect the ingress of %s in %s to %s", s->ifname, ns, s->ifname2);
		break;
	case NN_STEP_REDIRECT_DEL:
		if (s->reason == NN_WHY_PRUNED)
			nn_out_put(o, "remove the ingress redirect of %s in %s", s->ifname, ns);
		else
			nn_out_put(o, "remove the redirect of %s's ingress in %s", s->ifname, ns);
		break;
	case NN_STEP_CLSACT_DEL:
		nn_out_put(o, "delete the clsact qdisc of %s in %s (when nothing else uses it)", s->ifname, ns);
		break;
	case NN_STEP_KINDS:
		break;
	}
}

const char *nn_step_text(const struct nn_step *s, char *buf, size_t len)
{
	struct nn_out o = { buf, len, 0 };

	if (len)
		*buf = '\0';
	text(&o, s, true);
	return buf;
}

const char *nn_step_status(const struct nn_step *s, char *buf, size_t len)
{
	struct nn_out o = { buf, len, 0 };
	const char *p = s->u.clients.prefix;

	if (len)
		*buf = '\0';
	if (s->kind == NN_STEP_CMD_START) {
		nn_out_put(&o, "not running: command %u in %s: ", s->u.cmd.index + 1, s->ns);
		argv_text(&o, s->u.cmd.argv);
	} else if (s->kind == NN_STEP_CLIENTS_ADD) {
		nn_out_put(&o, "missing: %u of clients %s1..%s%u", s->u.clients.last - s->u.clients.have, p, p,
		    s->u.clients.last);
	} else if (s->kind == NN_STEP_CLIENTS_DEL && s->reason == NN_WHY_BEYOND_COUNT) {
		nn_out_put(&o, "extra: %u client%s beyond %s%u", s->u.clients.count,
		    s->u.clients.count == 1 ? "" : "s", p, s->u.clients.first - 1);
	} else {
		nn_out_put(&o, "%s: ", nn_step_state_name(s->state));
		text(&o, s, false);
	}
	return buf;
}

static void key_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, ",\"%s\":", key);
	if (v)
		nn_put_json(f, v);
	else
		fputs("null", f);
}

/* ,"for_ms":N of a change with a deadline, null for a held one. */
static void for_ms_json(FILE *f, uint64_t for_ns)
{
	if (for_ns)
		fprintf(f, ",\"for_ms\":%llu", (unsigned long long)(for_ns / 1000000));
	else
		fputs(",\"for_ms\":null", f);
}

static void json_nat(FILE *f, const struct nn_nat_rule *r)
{
	char a[64];

	fputs(",\"rule\":{", f);
	if (r->kind == NN_NAT_MASQUERADE) {
		fprintf(f, "\"type\":\"masquerade\",\"src\":\"%s\"",
			nn_format_prefix(a, sizeof(a), &r->src, true));
		key_str(f, "except_if", *r->except_if ? r->except_if : NULL);
	} else {
		fprintf(f, "\"type\":\"dnat\",\"proto\":\"%s\",\"port\":%u,\"to\":\"%s\",\"to_port\":%u",
			r->proto == IPPROTO_UDP ? "udp" : "tcp", r->port,
			inet_ntop(AF_INET, &r->to, a, sizeof(a)) ? a : "?", r->to_port);
	}
	fputc('}', f);
}

/* The members of kind S->kind (after the common ones). */
static void json_fields(FILE *f, const struct nn_step *s)
{
	char a[64], q[2048];

	switch (s->kind) {
	case NN_STEP_VETH_ADD:
	case NN_STEP_VETH_DEL:
		key_str(f, "link", s->ifname);
		key_str(f, "peer_ns", s->ns2);
		key_str(f, "peer", *s->ifname2 ? s->ifname2 : NULL);
		break;
	case NN_STEP_MACVLAN_ADD:
		key_str(f, "link", s->ifname);
		key_str(f, "parent_ns", s->ns2);
		key_str(f, "parent", s->ifname2);
		key_str(f, "mac", mac_text(a, sizeof(a), s->u.macvlan.mac));
		key_str(f, "mode", nn_macvlan_mode_name(s->u.macvlan.mode));
		break;
	case NN_STEP_LINK_MASTER:
		key_str(f, "link", s->ifname);
		key_str(f, "bridge", s->ifname2);
		break;
	case NN_STEP_BRIDGE_ADD:
	case NN_STEP_LINK_DEL:
	case NN_STEP_LINK_UP:
		key_str(f, "link", s->ifname);
		break;
	case NN_STEP_ADDR_ADD:
	case NN_STEP_ADDR_DEL:
		key_str(f, "link", s->ifname);
		key_str(f, "addr", nn_format_prefix(a, sizeof(a), &s->u.addr, true));
		break;
	case NN_STEP_ROUTE_SET:
	case NN_STEP_ROUTE_DEL:
		key_str(f, "dst", nn_route_name(a, sizeof(a), &s->u.route.dst));
		key_str(f, "gateway", s->kind == NN_STEP_ROUTE_SET && s->u.route.has_gw ?
				      nn_format_prefix(a, sizeof(a), &s->u.route.gw, false) : NULL);
		key_str(f, "dev", *s->ifname ? s->ifname : NULL);
		break;
	case NN_STEP_FWD_SET:
	case NN_STEP_FWD_RESTORE:
		fprintf(f, ",\"on\":%s", s->u.fwd.on ? "true" : "false");
		break;
	case NN_STEP_FWD_HANDOVER:
		key_str(f, "heir", s->u.fwd.heir);
		break;
	case NN_STEP_QDISC_SET:
		key_str(f, "link", s->ifname);
		fprintf(f, ",\"qdisc\":%s", nn_qdisc_format_json(q, sizeof(q), &s->u.qdisc.want));
		if (s->u.qdisc.for_ns)
			fprintf(f, ",\"for_ms\":%llu", (unsigned long long)(s->u.qdisc.for_ns / 1000000));
		break;
	case NN_STEP_QDISC_CLEAR:
		key_str(f, "link", s->ifname);
		fputs(",\"qdisc\":null", f);
		break;
	case NN_STEP_NAT_ADD:
		key_str(f, "tag", s->u.nat.rule.tag);
		json_nat(f, &s->u.nat.rule);
		break;
	case NN_STEP_NAT_DEL:
		key_str(f, "tag", s->u.nat.rule.tag);
		break;
	case NN_STEP_ADOPT:
		key_str(f, "link", *s->ifname ? s->ifname : NULL);
		key_str(f, "from", s->u.adopt.owner);
		break;
	case NN_STEP_CMD_START:
		fprintf(f, ",\"index\":%u,\"argv\":[", s->u.cmd.index + 1);
		for (size_t i = 0; s->u.cmd.argv && s->u.cmd.argv[i]; i++) {
			if (i)
				fputc(',', f);
			nn_put_json(f, s->u.cmd.argv[i]);
		}
		fputc(']', f);
		break;
	case NN_STEP_CMD_STOP:
		fprintf(f, ",\"index\":%u,\"pid\":%d", s->u.cmd.index + 1, (int)s->u.cmd.pid);
		key_str(f, "lab", *s->u.cmd.lab ? s->u.cmd.lab : NULL);
		break;
	case NN_STEP_CLIENTS_ADD:
	case NN_STEP_CLIENTS_DEL:
		key_str(f, "prefix", s->u.clients.prefix);
		if (s->u.clients.first)
			fprintf(f, ",\"first\":%u,\"last\":%u", s->u.clients.first, s->u.clients.last);
		else
			fputs(",\"first\":null,\"last\":null", f);
		if (s->kind == NN_STEP_CLIENTS_ADD)
			key_str(f, "parent", s->u.clients.parent);
		else
			fprintf(f, ",\"count\":%u", s->u.clients.count);
		break;
	case NN_STEP_LINK_STATE:
		key_str(f, "link", s->ifname);
		fprintf(f, ",\"up\":%s", s->u.link.up ? "true" : "false");
		for_ms_json(f, s->u.link.for_ns);
		break;
	case NN_STEP_PARTITION_ADD:
		key_str(f, "id", s->u.part.id);
		fputs(",\"groups\":[[", f);
		for (size_t i = 0; i < s->u.part.na + s->u.part.nb; i++) {
			if (i == s->u.part.na)
				fputs("],[", f);
			else if (i)
				fputc(',', f);
			nn_put_json(f, i < s->u.part.na ? s->u.part.a[i] : s->u.part.b[i - s->u.part.na]);
		}
		fputs("]]", f);
		for_ms_json(f, s->u.part.for_ns);
		break;
	case NN_STEP_PARTITION_DEL:
		key_str(f, "id", s->u.part.id);
		break;
	case NN_STEP_TC_TREE_SET:
	case NN_STEP_TC_TREE_CHANGE:
	case NN_STEP_TC_TREE_CLEAR:
		key_str(f, "link", s->u.tc.t ? s->u.tc.t->link : s->ifname);
		key_str(f, "direction", s->u.tc.t && s->u.tc.t->ingress ? "ingress" : "egress");
		key_str(f, "device", s->ifname);
		if (s->kind == NN_STEP_TC_TREE_SET) {
			fputs(",\"tree\":", f);
			nn_tc_tree_format_json(f, &s->u.tc.t->want);
		} else if (s->kind == NN_STEP_TC_TREE_CHANGE) {
			static const char *const ops[] = { [NN_TC_RULE_ADD] = "add", [NN_TC_RULE_DEL] = "remove",
							   [NN_TC_RULE_LEAF] = "change", [NN_TC_RULE_MOVE] = "move" };
			const struct nn_step_tc *t = s->u.tc.t;
			const struct nn_tc_rule *r = s->u.tc.want >= 0 ? &t->want.rules[s->u.tc.want]
						     : s->u.tc.have >= 0 ? &t->have.rules[s->u.tc.have] : NULL;
			char m[512];

			key_str(f, "selector", r ? nn_tc_match_text(m, sizeof(m), &r->match) : NULL);
			key_str(f, "op", s->u.tc.op >= 0 && s->u.tc.op <= NN_TC_RULE_MOVE ? ops[s->u.tc.op]
										: "change");
		}
		break;
	case NN_STEP_IFB_ADD:
		key_str(f, "link", s->ifname2);
		key_str(f, "ifb", s->ifname);
		break;
	case NN_STEP_REDIRECT_ADD:
		key_str(f, "link", s->ifname);
		key_str(f, "ifb", s->ifname2);
		break;
	case NN_STEP_REDIRECT_DEL:
	case NN_STEP_CLSACT_DEL:
		key_str(f, "link", s->ifname);
		break;
	case NN_STEP_NETNS_ADD:
	case NN_STEP_NETNS_DEL:
	case NN_STEP_KINDS:
		break;
	}
}

void nn_step_json(FILE *f, const struct nn_step *s)
{
	const char *object = s->kind < NN_STEP_KINDS ? kinds[s->kind].object : "?";
	char t[1024];

	if (s->kind == NN_STEP_ADOPT && *s->ifname)
		object = "link";
	fprintf(f, "{\"state\":\"%s\",\"kind\":\"%s\",\"action\":\"%s\",\"reason\":\"%s\"",
		nn_step_state_name(s->state), object,
		s->kind < NN_STEP_KINDS ? kinds[s->kind].action : "?",
		s->reason < NN_WHY_REASONS ? reasons[s->reason] : "?");
	/* A command's node is its namespace; NAT rules and client groups are
	 * the host's. */
	key_str(f, "ns", s->ns);
	json_fields(f, s);
	key_str(f, "step", nn_step_text(s, t, sizeof(t)));
	fputc('}', f);
}
