// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A tree as text: the tc commands that make it (--print-tc), and the tree
 * as show-qdisc prints it, in lines or as nested JSON.
 *
 * The tc commands must give the kernel what netnsctl's own requests give
 * it, so every value is written in a form tc turns back into the same
 * integer: sizes in bytes, rates in whole bits of the largest exact unit,
 * times in the largest exact unit, probabilities with as many digits as
 * tc's rint(percent / 100 * UINT32_MAX) needs to give the same u32.
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pkt_sched.h>

#include "netnsctl/tc.h"
#include "netnsctl/units.h"
#include "kernel/tc/tree.h"
#include "util/show.h"

typedef unsigned __int128 u128;

/* ------------------------------------------------------- exact tc values */

static const char *tc_time(char *buf, size_t len, uint64_t ns)
{
	if (ns && !(ns % 1000000000ULL))
		snprintf(buf, len, "%llus", (unsigned long long)(ns / 1000000000ULL));
	else if (ns && !(ns % 1000000ULL))
		snprintf(buf, len, "%llums", (unsigned long long)(ns / 1000000ULL));
	else if (ns && !(ns % 1000ULL))
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000ULL));
	else
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	return buf;
}

static const char *tc_rate(char *buf, size_t len, uint64_t bytes_per_sec)
{
	static const struct { uint64_t unit; const char *name; } u[] = {
		{ 1000000000000ULL, "tbit" }, { 1000000000ULL, "gbit" },
		{ 1000000ULL, "mbit" }, { 1000ULL, "kbit" }, { 1, "bit" },
	};
	u128 bits = (u128)bytes_per_sec * 8;

	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (!(bits % u[i].unit)) {
			snprintf(buf, len, "%llu%s", (unsigned long long)(bits / u[i].unit), u[i].name);
			break;
		}
	return buf;
}

static bool reads_back(const char *s, uint32_t prob)
{
	return (uint32_t)rint(strtod(s, NULL) / 100. * UINT32_MAX) == prob;
}

/* The shortest decimal of the percentage that tc reads back as PROB
 * (without an exponent, for people to read). */
static const char *tc_percent(char *buf, size_t len, uint32_t prob)
{
	double pct = 100.0 * prob / UINT32_MAX;
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, pct);
		if (!strchr(buf, 'e') && reads_back(buf, prob))
			break;
	}
	for (int f = 1; prec > 17 && f <= 40; f++) {
		snprintf(buf, len, "%.*f", f, pct);
		if (reads_back(buf, prob))
			break;
	}
	strncat(buf, "%", len - strlen(buf) - 1);
	return buf;
}

static const char *tc_handle(char *buf, size_t len, uint32_t h)
{
	if (TC_H_MIN(h))
		snprintf(buf, len, "%x:%x", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
	else
		snprintf(buf, len, "%x:", TC_H_MAJ(h) >> 16);
	return buf;
}

static void print_netem(FILE *f, const struct nn_netem *s)
{
	char a[48], b[48], c[48];

	if (s->delay_ns) {
		fprintf(f, " delay %s", tc_time(a, sizeof(a), s->delay_ns));
		if (s->jitter_ns) {
			fprintf(f, " %s", tc_time(b, sizeof(b), s->jitter_ns));
			if (s->delay_corr)
				fprintf(f, " %s", tc_percent(c, sizeof(c), s->delay_corr));
			/* Without a distribution tc sends no table and the kernel's
			 * jitter is uniform, as netnsctl's uniform table is. */
			if (s->dist != NN_DIST_NONE)
				fprintf(f, " distribution %s", nn_netem_dist_name(s->dist));
		}
	}
	if (s->loss) {
		fprintf(f, " loss %s", tc_percent(a, sizeof(a), s->loss));
		if (s->loss_corr)
			fprintf(f, " %s", tc_percent(b, sizeof(b), s->loss_corr));
	}
	if (s->duplicate) {
		fprintf(f, " duplicate %s", tc_percent(a, sizeof(a), s->duplicate));
		if (s->duplicate_corr)
			fprintf(f, " %s", tc_percent(b, sizeof(b), s->duplicate_corr));
	}
	if (s->reorder) {
		fprintf(f, " reorder %s", tc_percent(a, sizeof(a), s->reorder));
		if (s->reorder_corr)
			fprintf(f, " %s", tc_percent(b, sizeof(b), s->reorder_corr));
		if (s->gap > 1)
			fprintf(f, " gap %u", s->gap);
	}
	if (s->corrupt) {
		fprintf(f, " corrupt %s", tc_percent(a, sizeof(a), s->corrupt));
		if (s->corrupt_corr)
			fprintf(f, " %s", tc_percent(b, sizeof(b), s->corrupt_corr));
	}
	if (s->rate)
		fprintf(f, " rate %s", tc_rate(a, sizeof(a), s->rate));
	fprintf(f, " limit %u", s->limit);
}

static void print_tbf(FILE *f, const struct nn_tbf *s)
{
	char a[48];

	/* burst and limit in bytes: tc sends the burst as TCA_TBF_BURST, as
	 * netnsctl does, and a limit is exact where a latency is not. */
	fprintf(f, " rate %s burst %ub limit %ub", tc_rate(a, sizeof(a), s->rate), s->burst, s->limit);
}

static void tc_prefix(FILE *f, const char *ns)
{
	fputs("tc", f);
	if (ns && *ns)
		fprintf(f, " -n %s", ns);
}

/* The leaf L at PARENT with handle MAJOR and its tbf child CHILD. */
static void print_leaf(FILE *f, const char *ns, const char *dev, uint32_t parent, uint32_t major,
		       uint32_t child, const struct nn_tc_leaf *l0)
{
	struct nn_tc_leaf l = *l0;
	char p[24], h[24];

	nn_tc_leaf_normalize(&l);
	if (nn_tc_leaf_empty(&l))
		return;
	tc_prefix(f, ns);
	if (parent == TC_H_ROOT)
		fprintf(f, " qdisc add dev %s root handle %s", dev, tc_handle(h, sizeof(h), major));
	else
		fprintf(f, " qdisc add dev %s parent %s handle %s", dev, tc_handle(p, sizeof(p), parent),
			tc_handle(h, sizeof(h), major));
	if (l.has_netem) {
		fputs(" netem", f);
		print_netem(f, &l.netem);
	} else {
		fputs(" tbf", f);
		print_tbf(f, &l.tbf);
	}
	fputc('\n', f);
	if (l.has_netem && l.has_tbf) {
		tc_prefix(f, ns);
		fprintf(f, " qdisc add dev %s parent %s handle %s tbf", dev,
			tc_handle(p, sizeof(p), TC_H_MAKE(major, 1)), tc_handle(h, sizeof(h), child));
		print_tbf(f, &l.tbf);
		fputc('\n', f);
	}
}

static void print_class(FILE *f, const char *ns, const char *dev, uint32_t handle, unsigned int minor)
{
	struct nn_htb_class c;
	char p[24], h[24], r[48], q[48];

	nn_htb_class_open(&c);
	tc_prefix(f, ns);
	fprintf(f, " class add dev %s parent %s classid %s htb rate %s ceil %s burst %ub cburst %ub quantum %u\n",
		dev, tc_handle(p, sizeof(p), handle), tc_handle(h, sizeof(h), TC_H_MAKE(handle, minor)),
		tc_rate(r, sizeof(r), c.rate), tc_rate(q, sizeof(q), c.ceil), c.burst, c.cburst,
		c.quantum);
}

static void print_sel(FILE *f, const struct nn_u32_sel *s)
{
	char a[INET6_ADDRSTRLEN + 8];
	const char *ip = s->family == AF_INET ? "ip" : "ip6";

	if (s->family == AF_INET && s->port)
		fputs(" match u8 0x45 0xff at 0 match u16 0x0 0x1fff at 6", f);
	else
		fprintf(f, " match u8 0x%d0 0xf0 at 0", s->family == AF_INET ? 4 : 6);
	if (s->ipproto)
		fprintf(f, " match %s protocol %u 0xff", ip, s->ipproto);
	if (s->has_to && s->to.len)
		fprintf(f, " match %s dst %s", ip, nn_format_prefix(a, sizeof(a), &s->to, true));
	if (s->port)
		fprintf(f, " match %s dport %u 0xffff", ip, s->port);
}

void nn_tc_print(FILE *f, const char *ns, const char *dev, const struct nn_tc_tree *t0)
{
	struct nn_tc_tree *t = malloc(sizeof(*t));
	struct nn_u32_sel *sels = calloc(NN_TC_MAX_SELS, sizeof(*sels));
	char h[24], c[24];

	if (!t || !sels)
		goto out;
	*t = *t0;
	nn_tc_tree_normalize(t);
	if (!t->n_rules) {
		print_leaf(f, ns, dev, TC_H_ROOT, t->handle, nn_tc_child_handle(0), &t->dflt);
		goto out;
	}
	tc_prefix(f, ns);
	fprintf(f, " qdisc add dev %s root handle %s htb default %x\n", dev,
		tc_handle(h, sizeof(h), t->handle), NN_TC_DEFAULT_MINOR);
	print_class(f, ns, dev, t->handle, NN_TC_DEFAULT_MINOR);
	print_leaf(f, ns, dev, TC_H_MAKE(t->handle, NN_TC_DEFAULT_MINOR),
		   nn_tc_leaf_handle(t->handle, NN_TC_DEFAULT_MINOR),
		   nn_tc_child_handle(NN_TC_DEFAULT_MINOR), &t->dflt);
	for (unsigned int i = 0; i < t->n_rules; i++) {
		const struct nn_tc_rule *r = &t->rules[i];
		unsigned int n = nn_tc_match_sels(&r->match, sels);

		print_class(f, ns, dev, t->handle, r->slot);
		print_leaf(f, ns, dev, TC_H_MAKE(t->handle, r->slot), nn_tc_leaf_handle(t->handle, r->slot),
			   nn_tc_child_handle(r->slot), &r->leaf);
		for (unsigned int j = 0; j < n; j++) {
			tc_prefix(f, ns);
			fprintf(f, " filter add dev %s parent %s prio %u protocol all u32", dev,
				tc_handle(h, sizeof(h), t->handle), r->prio);
			print_sel(f, &sels[j]);
			fprintf(f, " flowid %s\n", tc_handle(c, sizeof(c), TC_H_MAKE(t->handle, r->slot)));
		}
	}
out:
	free(sels);
	free(t);
}

void nn_tc_print_ingress(FILE *f, const char *ns, const char *link, const char *ifb,
			 const uint8_t mac[6], unsigned int mtu, bool make_clsact, uint64_t cookie,
			 const struct nn_tc_tree *t)
{
	const uint8_t *ck = (const uint8_t *)&cookie;

	fputs("ip", f);
	if (ns && *ns)
		fprintf(f, " -n %s", ns);
	fprintf(f, " link add %s address %02x:%02x:%02x:%02x:%02x:%02x mtu %u txqueuelen 1000 up type ifb\n",
		ifb, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], mtu);
	if (make_clsact) {
		tc_prefix(f, ns);
		fprintf(f, " qdisc add dev %s clsact\n", link);
	}
	tc_prefix(f, ns);
	fprintf(f, " filter add dev %s ingress prio %u protocol all u32 match u32 0 0 action mirred egress redirect dev %s cookie ",
		link, NN_TC_REDIRECT_PRIO, ifb);
	for (size_t i = 0; i < sizeof(cookie); i++)
		fprintf(f, "%02x", ck[i]);
	fputc('\n', f);
	nn_tc_print(f, ns, ifb, t);
}

/* ------------------------------------------------------------ show: text */

void nn_tc_leaf_format(FILE *f, const struct nn_tc_leaf *l)
{
	char buf[512];
	struct nn_qdisc_info q;

	if (nn_tc_leaf_empty(l)) {
		fputs("no impairment", f);
		return;
	}
	if (l->has_netem) {
		memset(&q, 0, sizeof(q));
		q.kind = NN_QDISC_NETEM;
		q.u.netem = l->netem;
		fputs(nn_qdisc_format(buf, sizeof(buf), &q), f);
	}
	if (l->has_tbf) {
		memset(&q, 0, sizeof(q));
		q.kind = NN_QDISC_TBF;
		q.u.tbf = l->tbf;
		/* netem first: the delay, then the rate limit of its tbf child. */
		fprintf(f, "%s%s", l->has_netem ? ", then " : "", nn_qdisc_format(buf, sizeof(buf), &q));
	}
}

void nn_tc_tree_format(FILE *f, const struct nn_tc_tree *t)
{
	char h[24], c[24], m[512];

	if (t->other[0]) {
		fprintf(f, "not netnsctl's: %s\n", t->other);
		return;
	}
	if (nn_tc_tree_empty(t)) {
		fputs("none\n", f);
		return;
	}
	if (!t->n_rules) {
		fprintf(f, "root %s ", tc_handle(h, sizeof(h), t->handle));
		nn_tc_leaf_format(f, &t->dflt);
		fputc('\n', f);
		return;
	}
	fprintf(f, "root %s htb\n", tc_handle(h, sizeof(h), t->handle));
	for (unsigned int i = 0; i < t->n_rules; i++) {
		const struct nn_tc_rule *r = &t->rules[i];

		fprintf(f, "  class %s rule %u %s: ",
			tc_handle(c, sizeof(c), TC_H_MAKE(t->handle, r->slot)), r->prio,
			nn_tc_match_text(m, sizeof(m), &r->match));
		nn_tc_leaf_format(f, &r->leaf);
		fputc('\n', f);
	}
	fprintf(f, "  class %s default: ",
		tc_handle(c, sizeof(c), TC_H_MAKE(t->handle, NN_TC_DEFAULT_MINOR)));
	nn_tc_leaf_format(f, &t->dflt);
	fputc('\n', f);
}

/* ------------------------------------------------------------ show: JSON */

/* One qdisc object of nn_qdisc_format_json, with its tbf child nested. */
static void json_leaf(FILE *f, const struct nn_tc_leaf *l, uint32_t parent, uint32_t major,
		      uint32_t child)
{
	char buf[2048];
	struct nn_qdisc_info q;

	if (nn_tc_leaf_empty(l)) {
		fputs("null", f);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.handle = major;
	q.parent = parent;
	if (l->has_netem) {
		q.kind = NN_QDISC_NETEM;
		q.u.netem = l->netem;
	} else {
		q.kind = NN_QDISC_TBF;
		q.u.tbf = l->tbf;
	}
	nn_qdisc_format_json(buf, sizeof(buf), &q);
	if (!(l->has_netem && l->has_tbf)) {
		fputs(buf, f);
		return;
	}
	buf[strlen(buf) - 1] = '\0';	/* the closing brace: the child goes in */
	fprintf(f, "%s,\"child\":", buf);
	memset(&q, 0, sizeof(q));
	q.kind = NN_QDISC_TBF;
	q.u.tbf = l->tbf;
	q.handle = child;
	q.parent = TC_H_MAKE(major, 1);
	fprintf(f, "%s}", nn_qdisc_format_json(buf, sizeof(buf), &q));
}

static void json_match(FILE *f, const struct nn_tc_match *m)
{
	char a[INET6_ADDRSTRLEN + 8];
	unsigned int i;
	bool first = true;

	fputs("\"to\":[", f);
	for (i = 0; i < m->n_to; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", nn_format_prefix(a, sizeof(a), &m->to[i], true));
	fputs("],\"ports\":[", f);
	for (i = 0; i < m->n_ports; i++)
		fprintf(f, "%s%u", i ? "," : "", m->ports[i]);
	fputs("],\"protocols\":[", f);
	for (unsigned int bit = NN_TC_TCP; bit <= NN_TC_ICMP; bit <<= 1)
		if (m->protos & bit) {
			fprintf(f, "%s\"%s\"", first ? "" : ",",
				bit == NN_TC_TCP ? "tcp" : bit == NN_TC_UDP ? "udp" : "icmp");
			first = false;
		}
	fputc(']', f);
}

void nn_tc_tree_format_json(FILE *f, const struct nn_tc_tree *t)
{
	char h[24], c[24];

	if (t->other[0]) {
		fputs("{\"kind\":\"other\",\"other\":", f);
		nn_put_json(f, t->other);
		fputc('}', f);
		return;
	}
	if (nn_tc_tree_empty(t)) {
		fputs("{\"kind\":\"none\"}", f);
		return;
	}
	if (!t->n_rules) {
		json_leaf(f, &t->dflt, TC_H_ROOT, t->handle, nn_tc_child_handle(0));
		return;
	}
	fprintf(f, "{\"kind\":\"htb\",\"handle\":\"%s\",\"parent\":\"root\",\"default\":\"%s\",\"classes\":[",
		tc_handle(h, sizeof(h), t->handle),
		tc_handle(c, sizeof(c), TC_H_MAKE(t->handle, NN_TC_DEFAULT_MINOR)));
	for (unsigned int i = 0; i < t->n_rules; i++) {
		const struct nn_tc_rule *r = &t->rules[i];
		uint32_t cls = TC_H_MAKE(t->handle, r->slot);

		fprintf(f, "{\"class\":\"%s\",\"default\":false,\"prio\":%u,", tc_handle(c, sizeof(c), cls),
			r->prio);
		json_match(f, &r->match);
		fputs(",\"qdisc\":", f);
		json_leaf(f, &r->leaf, cls, nn_tc_leaf_handle(t->handle, r->slot), nn_tc_child_handle(r->slot));
		fputs("},", f);
	}
	fprintf(f, "{\"class\":\"%s\",\"default\":true,\"qdisc\":",
		tc_handle(c, sizeof(c), TC_H_MAKE(t->handle, NN_TC_DEFAULT_MINOR)));
	json_leaf(f, &t->dflt, TC_H_MAKE(t->handle, NN_TC_DEFAULT_MINOR),
		  nn_tc_leaf_handle(t->handle, NN_TC_DEFAULT_MINOR), nn_tc_child_handle(NN_TC_DEFAULT_MINOR));
	fputs("}]}", f);
}
