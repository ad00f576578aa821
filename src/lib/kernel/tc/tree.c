// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tc tree of one direction of a link, without the kernel: selectors,
 * checks, normalization, and the diff that tells a planner what to add,
 * change or remove, rule by rule.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netnsctl/tc.h"
#include "netnsctl/units.h"
#include "kernel/tc/tree.h"
#include "util/cleanup.h"
#include "util/show.h"

/* ---------------------------------------------------------------- selectors */

int nn_tc_match_add_to(struct nn_tc_match *m, const char *s, struct nn_error *e)
{
	struct nn_prefix p;
	struct nn_shown b;
	int ret;

	if (m->n_to >= NN_TC_MAX_TO)
		return nn_error_setx(e, E2BIG, "too many --to (at most %d): \"%s\"", NN_TC_MAX_TO,
				     nn_show(&b, s));
	/* A bare address is that one host, as tcconfig's --network reads it. */
	ret = s && strchr(s, '/') ? nn_parse_cidr(s, &p, e) : nn_parse_ifaddr(s, &p, e);
	if (ret < 0)
		return nn_error_prefix(e, "invalid --to");
	m->to[m->n_to++] = p;
	return 0;
}

int nn_tc_match_add_port(struct nn_tc_match *m, const char *s, struct nn_error *e)
{
	struct nn_shown b;
	uint64_t v;

	if (m->n_ports >= NN_TC_MAX_PORTS)
		return nn_error_setx(e, E2BIG, "too many --port (at most %d): \"%s\"",
				     NN_TC_MAX_PORTS, nn_show(&b, s));
	if (nn_parse_uint(s, "--port", 1, 65535, &v, e) < 0)
		return -e->code;
	m->ports[m->n_ports++] = (uint16_t)v;
	return 0;
}

int nn_tc_match_add_proto(struct nn_tc_match *m, const char *s, struct nn_error *e)
{
	struct nn_shown b;

	if (s && !strcmp(s, "tcp"))
		m->protos |= NN_TC_TCP;
	else if (s && !strcmp(s, "udp"))
		m->protos |= NN_TC_UDP;
	else if (s && !strcmp(s, "icmp"))
		m->protos |= NN_TC_ICMP;
	else
		return nn_error_setx(e, EINVAL, "invalid --proto \"%s\": expected tcp, udp or icmp",
				     nn_show(&b, s ? s : ""));
	return 0;
}

static const char *proto_name(unsigned int bit)
{
	return bit == NN_TC_TCP ? "tcp" : bit == NN_TC_UDP ? "udp" : "icmp";
}

const char *nn_tc_match_text(char *buf, size_t len, const struct nn_tc_match *m)
{
	FILE *f;
	char p[INET6_ADDRSTRLEN + 8];
	unsigned int i;

	if (!len)
		return buf;
	buf[0] = '\0';
	f = fmemopen(buf, len, "w");
	if (!f)
		return buf;
	for (i = 0; i < m->n_to; i++)
		fprintf(f, "%sto %s", ftell(f) ? " " : "", nn_format_prefix(p, sizeof(p), &m->to[i], true));
	for (i = 0; i < m->n_ports; i++)
		fprintf(f, "%sport %u", ftell(f) ? " " : "", m->ports[i]);
	for (unsigned int bit = NN_TC_TCP; bit <= NN_TC_ICMP; bit <<= 1)
		if (m->protos & bit)
			fprintf(f, "%sproto %s", ftell(f) ? " " : "", proto_name(bit));
	if (!ftell(f))
		fputs("any", f);
	fclose(f);
	buf[len - 1] = '\0';
	return buf;
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct nn_prefix *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->addr.bytes, y->addr.bytes, 16);
	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

static bool prefix_is_all(const struct nn_prefix *p, int family)
{
	return p->family == family && p->len == 0;
}

void nn_tc_match_normalize(struct nn_tc_match *m)
{
	unsigned int i, n;
	bool all4 = false, all6 = false;

	for (i = 0; i < m->n_to; i++) {
		struct nn_prefix net;

		/* Only the network counts (a dump has no host bits), and the
		 * bytes past an IPv4 address are compared too. */
		nn_prefix_network(&m->to[i], &net);
		if (net.family == AF_INET)
			memset(net.addr.bytes + 4, 0, sizeof(net.addr.bytes) - 4);
		m->to[i] = net;
	}
	if (m->n_to > 1)
		qsort(m->to, m->n_to, sizeof(m->to[0]), cmp_prefix);
	for (i = n = 0; i < m->n_to; i++)
		if (!n || cmp_prefix(&m->to[n - 1], &m->to[i]))
			m->to[n++] = m->to[i];
	m->n_to = n;
	for (i = 0; i < m->n_to; i++) {
		all4 |= prefix_is_all(&m->to[i], AF_INET);
		all6 |= prefix_is_all(&m->to[i], AF_INET6);
	}
	/* Every IPv4 and every IPv6 destination: no destination selector. */
	if (all4 && all6)
		m->n_to = 0;
	if (m->n_ports > 1)
		qsort(m->ports, m->n_ports, sizeof(m->ports[0]), cmp_u16);
	for (i = n = 0; i < m->n_ports; i++)
		if (!n || m->ports[n - 1] != m->ports[i])
			m->ports[n++] = m->ports[i];
	m->n_ports = n;
	if (m->n_ports && !m->protos)
		m->protos = NN_TC_TCP | NN_TC_UDP;
	m->protos &= NN_TC_PROTO_ALL;
}

bool nn_tc_match_same(const struct nn_tc_match *a, const struct nn_tc_match *b)
{
	struct nn_tc_match x = *a, y = *b;
	unsigned int i;

	nn_tc_match_normalize(&x);
	nn_tc_match_normalize(&y);
	if (x.n_to != y.n_to || x.n_ports != y.n_ports || x.protos != y.protos)
		return false;
	for (i = 0; i < x.n_to; i++)
		if (cmp_prefix(&x.to[i], &y.to[i]))
			return false;
	for (i = 0; i < x.n_ports; i++)
		if (x.ports[i] != y.ports[i])
			return false;
	return true;
}

static uint8_t ipproto_of(unsigned int bit, int family)
{
	switch (bit) {
	case NN_TC_TCP:
		return IPPROTO_TCP;
	case NN_TC_UDP:
		return IPPROTO_UDP;
	case NN_TC_ICMP:
		return family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	default:
		return 0;
	}
}

/* Expand one destination (or a whole family: TO NULL). */
static unsigned int sels_for(const struct nn_tc_match *m, int family, const struct nn_prefix *to,
			     struct nn_u32_sel *out, unsigned int n)
{
	unsigned int bits[4], nb = 0;

	for (unsigned int bit = NN_TC_TCP; bit <= NN_TC_ICMP; bit <<= 1)
		if (m->protos & bit)
			bits[nb++] = bit;
	if (!nb)
		bits[nb++] = 0;
	for (unsigned int b = 0; b < nb; b++) {
		unsigned int np = m->n_ports && bits[b] != NN_TC_ICMP ? m->n_ports : 1;

		for (unsigned int p = 0; p < np; p++) {
			struct nn_u32_sel *s = &out[n++];

			memset(s, 0, sizeof(*s));
			s->family = family;
			if (to && to->len) {
				s->has_to = true;
				s->to = *to;
			}
			s->ipproto = ipproto_of(bits[b], family);
			s->port = m->n_ports && bits[b] != NN_TC_ICMP ? m->ports[p] : 0;
		}
	}
	return n;
}

unsigned int nn_tc_match_sels(const struct nn_tc_match *m, struct nn_u32_sel *out)
{
	unsigned int n = 0;

	if (!m->n_to) {
		n = sels_for(m, AF_INET, NULL, out, n);
		return sels_for(m, AF_INET6, NULL, out, n);
	}
	for (unsigned int i = 0; i < m->n_to; i++)
		n = sels_for(m, m->to[i].family, &m->to[i], out, n);
	return n;
}

static int cmp_sel(const void *a, const void *b)
{
	const struct nn_u32_sel *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->has_to != y->has_to)
		return x->has_to ? 1 : -1;
	if (x->has_to) {
		int c = cmp_prefix(&x->to, &y->to);

		if (c)
			return c;
	}
	if (x->ipproto != y->ipproto)
		return x->ipproto < y->ipproto ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

int nn_tc_match_from_sels(const struct nn_u32_sel *sels, unsigned int n, struct nn_tc_match *m,
			  struct nn_error *e)
{
	_cleanup_free_ struct nn_u32_sel *want = NULL, *have = NULL;
	struct nn_tc_match r;
	unsigned int i, j, nw;
	bool any_proto = false, any_port = false;

	memset(&r, 0, sizeof(r));
	if (!n || n > NN_TC_MAX_SELS)
		return nn_error_setx(e, ENOTSUP, "a rule of %u filters", n);
	for (i = 0; i < n; i++) {
		const struct nn_u32_sel *s = &sels[i];
		struct nn_prefix to;

		if (s->family != AF_INET && s->family != AF_INET6)
			return nn_error_setx(e, ENOTSUP, "a match-all filter among a rule's");
		memset(&to, 0, sizeof(to));
		to.family = s->family;
		if (s->has_to)
			to = s->to;
		for (j = 0; j < r.n_to; j++)
			if (!cmp_prefix(&r.to[j], &to))
				break;
		if (j == r.n_to) {
			if (r.n_to == NN_TC_MAX_TO)
				return nn_error_setx(e, ENOTSUP, "a rule of more than %d destinations",
						     NN_TC_MAX_TO);
			r.to[r.n_to++] = to;
		}
		switch (s->ipproto) {
		case 0:
			any_proto = true;
			break;
		case IPPROTO_TCP:
			r.protos |= NN_TC_TCP;
			break;
		case IPPROTO_UDP:
			r.protos |= NN_TC_UDP;
			break;
		case IPPROTO_ICMP:
		case IPPROTO_ICMPV6:
			if ((s->ipproto == IPPROTO_ICMP) != (s->family == AF_INET))
				return nn_error_setx(e, ENOTSUP, "a filter of ICMP of the other family");
			r.protos |= NN_TC_ICMP;
			break;
		default:
			return nn_error_setx(e, ENOTSUP, "a filter of IP protocol %u", s->ipproto);
		}
		if (!s->port) {
			if (s->ipproto != IPPROTO_ICMP && s->ipproto != IPPROTO_ICMPV6)
				any_port = true;
			continue;
		}
		for (j = 0; j < r.n_ports; j++)
			if (r.ports[j] == s->port)
				break;
		if (j == r.n_ports) {
			if (r.n_ports == NN_TC_MAX_PORTS)
				return nn_error_setx(e, ENOTSUP, "a rule of more than %d ports",
						     NN_TC_MAX_PORTS);
			r.ports[r.n_ports++] = s->port;
		}
	}
	if ((any_proto && r.protos) || (any_port && r.n_ports))
		return nn_error_setx(e, ENOTSUP, "filters of one rule that are no one selector");
	nn_tc_match_normalize(&r);
	/* The selector is right when its own expansion is exactly SELS. */
	want = calloc(NN_TC_MAX_SELS, sizeof(*want));
	have = calloc(n, sizeof(*have));
	if (!want || !have)
		return nn_error_set(e, ENOMEM, "cannot read a rule");
	nw = nn_tc_match_sels(&r, want);
	memcpy(have, sels, n * sizeof(*have));
	for (i = 0; i < n; i++)
		if (!have[i].has_to)
			memset(&have[i].to, 0, sizeof(have[i].to));
	qsort(want, nw, sizeof(*want), cmp_sel);
	qsort(have, n, sizeof(*have), cmp_sel);
	for (i = 0; i < nw && i < n; i++)
		if (cmp_sel(&want[i], &have[i]))
			break;
	if (nw != n || i != n)
		return nn_error_setx(e, ENOTSUP, "filters of one rule that are no one selector");
	*m = r;
	return 0;
}

/* -------------------------------------------------------------------- leaves */

bool nn_tc_leaf_empty(const struct nn_tc_leaf *l)
{
	return !l->has_netem && !l->has_tbf;
}

bool nn_tc_tree_empty(const struct nn_tc_tree *t)
{
	return nn_tc_leaf_empty(&t->dflt) && !t->n_rules;
}

void nn_tc_leaf_normalize(struct nn_tc_leaf *l)
{
	if (l->has_netem)
		nn_netem_normalize(&l->netem);
	else
		memset(&l->netem, 0, sizeof(l->netem));
	if (l->has_tbf) {
		nn_tbf_normalize(&l->tbf);
		/* The limit says it all; a latency beside it is only what the
		 * limit stands for, and tbf takes one or the other. */
		l->tbf.latency_ns = 0;
	} else
		memset(&l->tbf, 0, sizeof(l->tbf));
}

bool nn_tc_leaf_same(const struct nn_tc_leaf *want, const struct nn_tc_leaf *have)
{
	struct nn_qdisc_info w, h;

	if (want->has_netem != have->has_netem || want->has_tbf != have->has_tbf)
		return false;
	if (want->has_netem) {
		memset(&w, 0, sizeof(w));
		memset(&h, 0, sizeof(h));
		w.kind = h.kind = NN_QDISC_NETEM;
		w.u.netem = want->netem;
		h.u.netem = have->netem;
		if (!nn_qdisc_same(&w, &h))
			return false;
	}
	if (want->has_tbf) {
		memset(&w, 0, sizeof(w));
		memset(&h, 0, sizeof(h));
		w.kind = h.kind = NN_QDISC_TBF;
		w.u.tbf = want->tbf;
		h.u.tbf = have->tbf;
		if (!nn_qdisc_same(&w, &h))
			return false;
	}
	return true;
}

static int leaf_check(const struct nn_tc_leaf *l, struct nn_error *e)
{
	struct nn_tbf tbf = l->tbf;

	if (l->has_netem && nn_netem_check(&l->netem, e) < 0)
		return -e->code;
	/* A normalized or dumped tbf has both: the limit is what counts. */
	if (tbf.limit)
		tbf.latency_ns = 0;
	if (l->has_tbf && nn_tbf_check(&tbf, e) < 0)
		return -e->code;
	return 0;
}

/* ---------------------------------------------------------------- the tree */

static int rule_error(struct nn_error *e, unsigned int i, const struct nn_tc_match *m)
{
	char t[256];

	return nn_error_prefix(e, "rule %u (%s)", i + 1, nn_tc_match_text(t, sizeof(t), m));
}

static int match_check(const struct nn_tc_match *m, struct nn_error *e)
{
	char p[INET6_ADDRSTRLEN + 8];

	if (m->n_to > NN_TC_MAX_TO || m->n_ports > NN_TC_MAX_PORTS)
		return nn_error_setx(e, E2BIG, "too many destinations or ports");
	if (!m->n_to && !m->n_ports && !m->protos)
		return nn_error_setx(e, EINVAL, "selects all traffic: that is the default, not a rule");
	if (m->protos & ~NN_TC_PROTO_ALL)
		return nn_error_setx(e, EINVAL, "unknown protocol bits %#x", m->protos);
	if (m->n_ports && (m->protos & NN_TC_ICMP))
		return nn_error_setx(e, EINVAL, "--port selects tcp or udp traffic, not icmp");
	for (unsigned int i = 0; i < m->n_ports; i++)
		if (!m->ports[i])
			return nn_error_setx(e, EINVAL, "invalid --port \"0\"");
	for (unsigned int i = 0; i < m->n_to; i++) {
		struct nn_prefix net;

		if ((m->to[i].family != AF_INET && m->to[i].family != AF_INET6) ||
		    m->to[i].len > (m->to[i].family == AF_INET ? 32 : 128))
			return nn_error_setx(e, EINVAL, "invalid --to of family %d", m->to[i].family);
		nn_prefix_network(&m->to[i], &net);
		if (!nn_prefix_equal(&net, &m->to[i]))
			return nn_error_setx(e, EINVAL, "invalid --to \"%s\": host bits set",
					     nn_format_prefix(p, sizeof(p), &m->to[i], true));
	}
	return 0;
}

int nn_tc_tree_check(const struct nn_tc_tree *t, struct nn_error *e)
{
	uint32_t major = TC_H_MAJ(t->handle) >> 16;
	unsigned int i, j;

	if (TC_H_MIN(t->handle) ||
	    (major != NN_QDISC_HANDLE >> 16 && (major < NN_QDISC_HANDLE_MIN || major > NN_QDISC_HANDLE_MAX)))
		return nn_error_setx(e, EINVAL, "invalid root handle %x:%x: netnsctl uses 1: or %x: to %x:",
				     major, TC_H_MIN(t->handle), NN_QDISC_HANDLE_MIN, NN_QDISC_HANDLE_MAX);
	if (t->n_rules > NN_TC_MAX_RULES)
		return nn_error_setx(e, E2BIG, "%u rules on one link: at most %d", t->n_rules,
				     NN_TC_MAX_RULES);
	if (leaf_check(&t->dflt, e) < 0)
		return t->n_rules ? nn_error_prefix(e, "default") : -e->code;
	for (i = 0; i < t->n_rules; i++) {
		const struct nn_tc_rule *r = &t->rules[i];

		if (match_check(&r->match, e) < 0 || leaf_check(&r->leaf, e) < 0)
			return rule_error(e, i, &r->match);
		if (r->slot && (r->slot < NN_TC_SLOT_MIN || r->slot > NN_TC_SLOT_MAX)) {
			nn_error_setx(e, EINVAL, "class slot %u out of range", r->slot);
			return rule_error(e, i, &r->match);
		}
		for (j = 0; j < i; j++) {
			if (nn_tc_match_same(&t->rules[j].match, &r->match)) {
				char a[256];

				nn_error_setx(e, EINVAL, "selects the same traffic as rule %u (%s)", j + 1,
					      nn_tc_match_text(a, sizeof(a), &t->rules[j].match));
				return rule_error(e, i, &r->match);
			}
			if (r->slot && r->slot == t->rules[j].slot) {
				nn_error_setx(e, EINVAL, "has the class slot of rule %u", j + 1);
				return rule_error(e, i, &r->match);
			}
		}
	}
	return 0;
}

void nn_tc_tree_normalize(struct nn_tc_tree *t)
{
	nn_tc_leaf_normalize(&t->dflt);
	for (unsigned int i = 0; i < t->n_rules; i++) {
		nn_tc_match_normalize(&t->rules[i].match);
		nn_tc_leaf_normalize(&t->rules[i].leaf);
		t->rules[i].prio = (uint16_t)(i + 1);
	}
}

/* -------------------------------------------------------------------- diff */

static const char *shape_of(const struct nn_tc_tree *t)
{
	if (t->n_rules)
		return "htb with rules";
	if (t->dflt.has_netem)
		return t->dflt.has_tbf ? "netem with a tbf child" : "netem";
	return t->dflt.has_tbf ? "tbf" : "none";
}

static bool slot_used(const struct nn_tc_tree *t, unsigned int n, uint16_t slot)
{
	for (unsigned int i = 0; i < n; i++)
		if (t->rules[i].slot == slot)
			return true;
	return false;
}

static void add_step(struct nn_tc_diff *d, enum nn_tc_op op, int w, int h)
{
	d->steps[d->n].op = op;
	d->steps[d->n].want = w;
	d->steps[d->n].have = h;
	d->n++;
}

void nn_tc_tree_diff(struct nn_tc_tree *want, const struct nn_tc_tree *have, struct nn_tc_diff *d)
{
	int pair[NN_TC_MAX_RULES];	/* want rule -> have rule, -1 */
	bool kept[NN_TC_MAX_RULES] = { false };
	unsigned int i, j;

	memset(d, 0, sizeof(*d));
	nn_tc_tree_normalize(want);
	for (i = 0; i < want->n_rules; i++)
		want->rules[i].slot = 0;
	for (i = 0; i < want->n_rules; i++) {
		pair[i] = -1;
		for (j = 0; j < have->n_rules && !have->other[0]; j++)
			if (!kept[j] && nn_tc_match_same(&want->rules[i].match, &have->rules[j].match)) {
				pair[i] = (int)j;
				kept[j] = true;
				want->rules[i].slot = have->rules[j].slot;
				break;
			}
	}
	/* New rules: the lowest slots neither tree uses. */
	for (i = 0; i < want->n_rules; i++) {
		uint16_t s = NN_TC_SLOT_MIN;

		if (pair[i] >= 0)
			continue;
		while (slot_used(have, have->other[0] ? 0 : have->n_rules, s) ||
		       slot_used(want, want->n_rules, s))
			s++;
		want->rules[i].slot = s;
	}

	if (nn_tc_tree_empty(want)) {
		d->clear = have->handle != 0 || have->other[0];
		return;
	}
	if (have->other[0])
		snprintf(d->why, sizeof(d->why), "the link has a tree netnsctl did not make: %s",
			 have->other);
	else if (!have->handle)
		snprintf(d->why, sizeof(d->why), "the link has no tree yet");
	else if (have->handle != want->handle)
		snprintf(d->why, sizeof(d->why), "root %x: is to be %x:", TC_H_MAJ(have->handle) >> 16,
			 TC_H_MAJ(want->handle) >> 16);
	else if (!want->n_rules != !have->n_rules)
		snprintf(d->why, sizeof(d->why), "root is %s, to be %s", shape_of(have), shape_of(want));
	if (d->why[0]) {
		d->rebuild = true;
		return;
	}
	d->dflt = !nn_tc_leaf_same(&want->dflt, &have->dflt);
	for (j = 0; j < have->n_rules; j++)
		if (!kept[j])
			add_step(d, NN_TC_RULE_DEL, -1, (int)j);
	for (i = 0; i < want->n_rules; i++)
		if (pair[i] >= 0 && want->rules[i].prio != have->rules[pair[i]].prio)
			add_step(d, NN_TC_RULE_MOVE, (int)i, pair[i]);
	for (i = 0; i < want->n_rules; i++)
		if (pair[i] >= 0 && !nn_tc_leaf_same(&want->rules[i].leaf, &have->rules[pair[i]].leaf))
			add_step(d, NN_TC_RULE_LEAF, (int)i, pair[i]);
	for (i = 0; i < want->n_rules; i++)
		if (pair[i] < 0)
			add_step(d, NN_TC_RULE_ADD, (int)i, -1);
}

bool nn_tc_diff_empty(const struct nn_tc_diff *d)
{
	return !d->clear && !d->rebuild && !d->dflt && !d->n;
}
