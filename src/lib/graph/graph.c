// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/rtnetlink.h>

#include "netnsctl/ctx.h"
#include "netnsctl/graph.h"
#include "netnsctl/clients.h"
#include "netnsctl/labfile.h"
#include "netnsctl/link.h"
#include "netnsctl/live.h"
#include "netnsctl/netns.h"
#include "netnsctl/qdisc.h"
#include "util/cleanup.h"
#include "kernel/nl.h"
#include "util/show.h"

/* ------------------------------------------------------------------ model */

struct gbridge {
	char *ns, *name, *detail;
};

struct giface {
	char *ns, *name, *kind, *detail;
};

struct gnote {
	char *ns, *text;
};

struct gend {
	char *ns, *ifname, *bridge, *detail;
};

struct gedge {
	enum nn_graph_edge_kind kind;
	struct gend a, b;
};

struct nn_graph {
	char **ns;
	size_t n_ns, cap_ns;
	struct gbridge *br;
	size_t n_br, cap_br;
	struct giface *ifs;
	size_t n_ifs, cap_ifs;
	struct gnote *notes;
	size_t n_notes, cap_notes;
	struct gedge *edges;
	size_t n_edges, cap_edges;
};

static int grow(void *vp, size_t *cap, size_t n, size_t size)
{
	void **v = vp;
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 8;
	p = reallocarray(*v, c, size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* NULL stays NULL: "no bridge" and "no detail" differ from "". */
static int dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static const char *host_if_null(const char *ns)
{
	return ns ? ns : "";
}

/* The host first, then bytewise. */
static int ns_cmp(const char *a, const char *b)
{
	if (!*a || !*b)
		return !*b - !*a;
	return strcmp(a, b);
}

static int opt_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

struct nn_graph *nn_graph_new(void)
{
	return calloc(1, sizeof(struct nn_graph));
}

static void end_free(struct gend *x)
{
	free(x->ns);
	free(x->ifname);
	free(x->bridge);
	free(x->detail);
}

void nn_graph_free(struct nn_graph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->n_ns; i++)
		free(g->ns[i]);
	for (i = 0; i < g->n_br; i++) {
		free(g->br[i].ns);
		free(g->br[i].name);
		free(g->br[i].detail);
	}
	for (i = 0; i < g->n_ifs; i++) {
		free(g->ifs[i].ns);
		free(g->ifs[i].name);
		free(g->ifs[i].kind);
		free(g->ifs[i].detail);
	}
	for (i = 0; i < g->n_notes; i++) {
		free(g->notes[i].ns);
		free(g->notes[i].text);
	}
	for (i = 0; i < g->n_edges; i++) {
		end_free(&g->edges[i].a);
		end_free(&g->edges[i].b);
	}
	free(g->ns);
	free(g->br);
	free(g->ifs);
	free(g->notes);
	free(g->edges);
	free(g);
}

static int oom(struct nn_error *e)
{
	return nn_error_set(e, ENOMEM, "cannot build the graph");
}

int nn_graph_add_netns(struct nn_graph *g, const char *ns, struct nn_error *e)
{
	ns = host_if_null(ns);
	for (size_t i = 0; i < g->n_ns; i++)
		if (!strcmp(g->ns[i], ns))
			return 0;
	if (grow(&g->ns, &g->cap_ns, g->n_ns, sizeof(*g->ns)) < 0 ||
	    !(g->ns[g->n_ns] = strdup(ns)))
		return oom(e);
	g->n_ns++;
	return 0;
}

int nn_graph_add_bridge(struct nn_graph *g, const char *ns, const char *br, const char *detail,
			struct nn_error *e)
{
	struct gbridge *b;

	ns = host_if_null(ns);
	if (nn_graph_add_netns(g, ns, e) < 0)
		return -e->code;
	for (size_t i = 0; i < g->n_br; i++) {
		b = &g->br[i];
		if (strcmp(b->ns, ns) || strcmp(b->name, br))
			continue;
		/* An edge may have named the bridge before its details came. */
		if (!b->detail && detail && dup_opt(&b->detail, detail) < 0)
			return oom(e);
		return 0;
	}
	if (grow(&g->br, &g->cap_br, g->n_br, sizeof(*g->br)) < 0)
		return oom(e);
	b = &g->br[g->n_br];
	memset(b, 0, sizeof(*b));
	if (dup_opt(&b->ns, ns) < 0 || dup_opt(&b->name, br) < 0 || dup_opt(&b->detail, detail) < 0) {
		free(b->ns);
		free(b->name);
		free(b->detail);
		return oom(e);
	}
	g->n_br++;
	return 0;
}

int nn_graph_add_note(struct nn_graph *g, const char *ns, const char *text, struct nn_error *e)
{
	struct gnote *x;

	ns = host_if_null(ns);
	if (nn_graph_add_netns(g, ns, e) < 0)
		return -e->code;
	if (grow(&g->notes, &g->cap_notes, g->n_notes, sizeof(*g->notes)) < 0)
		return oom(e);
	x = &g->notes[g->n_notes];
	if (dup_opt(&x->ns, ns) < 0 || dup_opt(&x->text, text) < 0) {
		free(x->ns);
		return oom(e);
	}
	g->n_notes++;
	return 0;
}

int nn_graph_add_iface(struct nn_graph *g, const char *ns, const char *ifname, const char *kind,
		       const char *detail, struct nn_error *e)
{
	struct giface *x;

	ns = host_if_null(ns);
	if (nn_graph_add_netns(g, ns, e) < 0)
		return -e->code;
	if (grow(&g->ifs, &g->cap_ifs, g->n_ifs, sizeof(*g->ifs)) < 0)
		return oom(e);
	x = &g->ifs[g->n_ifs];
	memset(x, 0, sizeof(*x));
	if (dup_opt(&x->ns, ns) < 0 || dup_opt(&x->name, ifname) < 0 ||
	    dup_opt(&x->kind, kind && *kind ? kind : NULL) < 0 || dup_opt(&x->detail, detail) < 0) {
		free(x->ns);
		free(x->name);
		free(x->kind);
		free(x->detail);
		return oom(e);
	}
	g->n_ifs++;
	return 0;
}

static int end_cmp(const struct gend *a, const struct gend *b)
{
	int r = ns_cmp(a->ns, b->ns);

	if (!r)
		r = opt_cmp(a->bridge, b->bridge);
	if (!r)
		r = opt_cmp(a->ifname, b->ifname);
	if (!r)
		r = opt_cmp(a->detail, b->detail);
	return r;
}

static int end_dup(struct gend *out, const struct nn_graph_end *in)
{
	memset(out, 0, sizeof(*out));
	if (dup_opt(&out->ns, host_if_null(in->ns)) < 0 ||
	    dup_opt(&out->ifname, in->ifname && *in->ifname ? in->ifname : NULL) < 0 ||
	    dup_opt(&out->bridge, in->bridge) < 0 || dup_opt(&out->detail, in->detail) < 0) {
		end_free(out);
		return -ENOMEM;
	}
	return 0;
}

int nn_graph_add_edge(struct nn_graph *g, enum nn_graph_edge_kind kind,
		      const struct nn_graph_end *a, const struct nn_graph_end *b,
		      struct nn_error *e)
{
	const struct nn_graph_end *ends[2] = { a, b };
	struct gedge *x;

	for (int i = 0; i < 2; i++) {
		const struct nn_graph_end *end = ends[i];

		if (end->bridge ? nn_graph_add_bridge(g, end->ns, end->bridge, NULL, e) < 0
				: nn_graph_add_netns(g, end->ns, e) < 0)
			return -e->code;
	}
	if (grow(&g->edges, &g->cap_edges, g->n_edges, sizeof(*g->edges)) < 0)
		return oom(e);
	x = &g->edges[g->n_edges];
	x->kind = kind;
	if (end_dup(&x->a, a) < 0)
		return oom(e);
	if (end_dup(&x->b, b) < 0) {
		end_free(&x->a);
		return oom(e);
	}
	/* A veth has no direction: one order for both ways of adding it. */
	if (kind == NN_GRAPH_VETH && end_cmp(&x->a, &x->b) > 0) {
		struct gend t = x->a;

		x->a = x->b;
		x->b = t;
	}
	g->n_edges++;
	return 0;
}

/* ------------------------------------------------------------------ DOT */

/*
 * Inside a DOT quoted string: '"' is the only character the parser
 * unescapes; labels then read backslash escapes (\n, \l, \N ...), so a
 * backslash of a name is written doubled.  With LINES, '\n' breaks the label.
 */
static void put_escaped(FILE *f, const char *str, bool lines)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		size_t n;

		if (*s == '"' || *s == '\\') {
			fputc('\\', f);
			fputc(*s++, f);
		} else if (*s == '\n' && lines) {
			fputs("\\n", f);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\\\x%02x", *s++);
		} else if ((n = nn_utf8_len((const char *)s)) == 0) {
			fprintf(f, "\\\\x%02x", *s++);
		} else if (n == 2 && nn_utf8_cp((const char *)s, n) <= 0x9f) {
			/* a C1 control character, byte by byte */
			fprintf(f, "\\\\x%02x\\\\x%02x", s[0], s[1]);
			s += 2;
		} else {
			fwrite(s, 1, n, f);
			s += n;
		}
	}
}

void nn_graph_write_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	put_escaped(f, s, false);
	fputc('"', f);
}

static void put_ns_id(FILE *f, const char *ns)
{
	fputc('"', f);
	if (*ns) {
		fputs("ns:", f);
		put_escaped(f, ns, false);
	} else {
		fputs("host", f);
	}
	fputc('"', f);
}

static void put_br_id(FILE *f, const char *ns, const char *br)
{
	fputs("\"br:", f);
	put_escaped(f, ns, false);
	fputc('/', f);
	put_escaped(f, br, false);
	fputc('"', f);
}

static void put_end_id(FILE *f, const struct gend *x)
{
	if (x->bridge)
		put_br_id(f, x->ns, x->bridge);
	else
		put_ns_id(f, x->ns);
}

/*
 * One end in an edge's label, left-aligned, which end is which told by its
 * namespace (the label sits mid-edge: Graphviz makes room for it there, not
 * for head and tail labels):
 *	gw:wan0
 *	  10.60.1.1/30
 *	  netem delay 40ms
 */
static void put_end_lines(FILE *f, const struct gend *x)
{
	const char *p, *nl;

	if (!x->ifname && !x->detail)
		return;
	put_escaped(f, *x->ns ? x->ns : "host", false);
	fputc(':', f);
	put_escaped(f, x->ifname ? x->ifname : x->bridge ? x->bridge : "", false);
	fputs("\\l", f);
	for (p = x->detail; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
		_cleanup_free_ char *line = NULL;

		nl = strchr(p, '\n');
		line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
		if (!line)
			continue;
		fputs("  ", f);
		put_escaped(f, line, false);
		fputs("\\l", f);
	}
}

static int cmp_str_p(const void *a, const void *b)
{
	return ns_cmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_br(const void *pa, const void *pb)
{
	const struct gbridge *a = pa, *b = pb;
	int r = ns_cmp(a->ns, b->ns);

	return r ? r : strcmp(a->name, b->name);
}

static int cmp_if(const void *pa, const void *pb)
{
	const struct giface *a = pa, *b = pb;
	int r = ns_cmp(a->ns, b->ns);

	if (!r)
		r = strcmp(a->name, b->name);
	if (!r)
		r = opt_cmp(a->kind, b->kind);
	return r ? r : opt_cmp(a->detail, b->detail);
}

static int cmp_note(const void *pa, const void *pb)
{
	const struct gnote *a = pa, *b = pb;
	int r = ns_cmp(a->ns, b->ns);

	return r ? r : strcmp(a->text, b->text);
}

static int cmp_edge(const void *pa, const void *pb)
{
	const struct gedge *a = pa, *b = pb;
	int r = end_cmp(&a->a, &b->a);

	if (!r)
		r = end_cmp(&a->b, &b->b);
	return r ? r : (int)a->kind - (int)b->kind;
}

struct sorted {
	const struct giface *ifs;
	size_t n_ifs;
	const struct gnote *notes;
	size_t n_notes;
};

static void put_ns_node(FILE *f, const char *ns, const struct sorted *s, const char *indent)
{
	const struct giface *ifs = s->ifs;
	size_t n_ifs = s->n_ifs;

	fputs(indent, f);
	put_ns_id(f, ns);
	if (*ns)
		fputs(" [shape=box, style=\"rounded,filled\", fillcolor=\"#dbe8f6\", label=\"", f);
	else
		fputs(" [shape=box, style=filled, fillcolor=\"#e8e8e8\", label=\"", f);
	put_escaped(f, *ns ? ns : "host", false);
	for (size_t i = 0; i < s->n_notes; i++) {
		if (strcmp(s->notes[i].ns, ns))
			continue;
		fputs("\\n", f);
		put_escaped(f, s->notes[i].text, false);
	}
	for (size_t i = 0; i < n_ifs; i++) {
		if (strcmp(ifs[i].ns, ns))
			continue;
		fputs("\\n", f);
		put_escaped(f, ifs[i].name, false);
		if (ifs[i].kind) {
			fputs(" (", f);
			put_escaped(f, ifs[i].kind, false);
			fputc(')', f);
		}
		if (ifs[i].detail) {
			/* one line per interface here: its details after its name */
			_cleanup_free_ char *d = strdup(ifs[i].detail);

			for (char *p = d; p && *p; p++)
				if (*p == '\n')
					*p = ' ';
			fputc(' ', f);
			put_escaped(f, d ? d : "", false);
		}
	}
	fputs("\"];\n", f);
}

static void put_bridge_node(FILE *f, const struct gbridge *b, const char *indent)
{
	fputs(indent, f);
	put_br_id(f, b->ns, b->name);
	fputs(" [shape=octagon, style=filled, fillcolor=\"#f6ecd0\", label=\"", f);
	put_escaped(f, b->name, false);
	if (b->detail) {
		fputs("\\n", f);
		put_escaped(f, b->detail, true);
	}
	fputs("\"];\n", f);
}

/* Sorted copies of a graph's pointers: writing leaves the graph as it was. */
struct graph_copy {
	char **ns;
	struct gbridge *br;
	struct giface *ifs;
	struct gnote *notes;
	struct gedge *edges;
};

static void copy_free(struct graph_copy *c)
{
	free(c->ns);
	free(c->br);
	free(c->ifs);
	free(c->notes);
	free(c->edges);
}

static int copy_sorted(const struct nn_graph *g, struct graph_copy *c, struct nn_error *e)
{
	c->ns = calloc(g->n_ns + 1, sizeof(*c->ns));
	c->br = calloc(g->n_br + 1, sizeof(*c->br));
	c->ifs = calloc(g->n_ifs + 1, sizeof(*c->ifs));
	c->notes = calloc(g->n_notes + 1, sizeof(*c->notes));
	c->edges = calloc(g->n_edges + 1, sizeof(*c->edges));
	if (!c->ns || !c->br || !c->ifs || !c->notes || !c->edges) {
		copy_free(c);
		return oom(e);
	}
	if (g->n_ns)
		memcpy(c->ns, g->ns, g->n_ns * sizeof(*c->ns));
	if (g->n_br)
		memcpy(c->br, g->br, g->n_br * sizeof(*c->br));
	if (g->n_ifs)
		memcpy(c->ifs, g->ifs, g->n_ifs * sizeof(*c->ifs));
	if (g->n_notes)
		memcpy(c->notes, g->notes, g->n_notes * sizeof(*c->notes));
	if (g->n_edges)
		memcpy(c->edges, g->edges, g->n_edges * sizeof(*c->edges));
	qsort(c->ns, g->n_ns, sizeof(*c->ns), cmp_str_p);
	qsort(c->br, g->n_br, sizeof(*c->br), cmp_br);
	qsort(c->ifs, g->n_ifs, sizeof(*c->ifs), cmp_if);
	qsort(c->notes, g->n_notes, sizeof(*c->notes), cmp_note);
	qsort(c->edges, g->n_edges, sizeof(*c->edges), cmp_edge);
	return 0;
}

int nn_graph_write_dot(const struct nn_graph *g, FILE *f, struct nn_error *e)
{
	struct graph_copy c = { 0 };
	char **ns;
	struct gbridge *br;
	struct gedge *edges;
	struct sorted sorted;
	size_t i, j;

	if (copy_sorted(g, &c, e) < 0)
		return -e->code;
	ns = c.ns;
	br = c.br;
	edges = c.edges;
	sorted = (struct sorted){ c.ifs, g->n_ifs, c.notes, g->n_notes };

	fputs("graph \"netnsctl\" {\n"
	      "\tgraph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.5, ranksep=1.2];\n"
	      "\tnode [fontname=\"Helvetica\", fontsize=11];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=9];\n",
	      f);
	for (i = 0; i < g->n_ns; i++) {
		bool cluster = false;

		for (j = 0; j < g->n_br && !cluster; j++)
			cluster = !strcmp(br[j].ns, ns[i]);
		if (!cluster) {
			put_ns_node(f, ns[i], &sorted, "\t");
			continue;
		}
		/* A namespace with bridges: a dashed box around it and them. */
		fputs("\tsubgraph \"cluster_", f);
		put_escaped(f, *ns[i] ? ns[i] : "/host", false);
		fputs("\" {\n\t\tgraph [style=dashed, color=\"#7f7f7f\", label=\"\"];\n", f);
		put_ns_node(f, ns[i], &sorted, "\t\t");
		for (j = 0; j < g->n_br; j++)
			if (!strcmp(br[j].ns, ns[i]))
				put_bridge_node(f, &br[j], "\t\t");
		fputs("\t}\n", f);
	}
	for (i = 0; i < g->n_edges; i++) {
		const struct gedge *x = &edges[i];

		fputc('\t', f);
		put_end_id(f, &x->a);
		fputs(" -- ", f);
		put_end_id(f, &x->b);
		fputs(x->kind == NN_GRAPH_MACVLAN ? " [style=dashed, label=\"macvlan\\l" : " [label=\"", f);
		put_end_lines(f, &x->a);
		put_end_lines(f, &x->b);
		fputs("\"];\n", f);
	}
	fputs("}\n", f);
	copy_free(&c);
	if (fflush(f) == EOF || ferror(f))
		return nn_error_set(e, errno ? errno : EIO, "cannot write the graph");
	return 0;
}

/* ------------------------------------------------------------------ JSON */

/* DETAIL's lines as a JSON array ("[]" for none). */
static void put_json_lines(FILE *f, const char *detail)
{
	const char *p, *nl;

	fputc('[', f);
	for (p = detail; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
		_cleanup_free_ char *line = NULL;

		nl = strchr(p, '\n');
		line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
		if (p != detail)
			fputc(',', f);
		nn_put_json(f, line ? line : "");
	}
	fputc(']', f);
}

static void put_json_opt(FILE *f, const char *s)
{
	if (s)
		nn_put_json(f, s);
	else
		fputs("null", f);
}

static void put_json_end(FILE *f, const struct gend *x)
{
	fputs("{\"namespace\":", f);
	nn_put_json(f, x->ns);
	fputs(",\"interface\":", f);
	put_json_opt(f, x->ifname);
	fputs(",\"bridge\":", f);
	put_json_opt(f, x->bridge);
	fputs(",\"detail\":", f);
	put_json_lines(f, x->detail);
	fputc('}', f);
}

int nn_graph_write_json(const struct nn_graph *g, FILE *f, int version, struct nn_error *e)
{
	struct graph_copy c = { 0 };

	if (copy_sorted(g, &c, e) < 0)
		return -e->code;
	fprintf(f, "{\"version\":%d,\"namespaces\":[", version);
	for (size_t i = 0; i < g->n_ns; i++) {
		bool first = true;

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		nn_put_json(f, c.ns[i]);
		fputs(",\"notes\":[", f);
		for (size_t k = 0; k < g->n_notes; k++) {
			if (strcmp(c.notes[k].ns, c.ns[i]))
				continue;
			fputs(first ? "" : ",", f);
			nn_put_json(f, c.notes[k].text);
			first = false;
		}
		fputs("],\"interfaces\":[", f);
		first = true;
		for (size_t k = 0; k < g->n_ifs; k++) {
			if (strcmp(c.ifs[k].ns, c.ns[i]))
				continue;
			fputs(first ? "{\"name\":" : ",{\"name\":", f);
			nn_put_json(f, c.ifs[k].name);
			fputs(",\"kind\":", f);
			put_json_opt(f, c.ifs[k].kind);
			fputs(",\"detail\":", f);
			put_json_lines(f, c.ifs[k].detail);
			fputc('}', f);
			first = false;
		}
		fputs("]}", f);
	}
	fputs("],\"bridges\":[", f);
	for (size_t i = 0; i < g->n_br; i++) {
		fputs(i ? ",{\"namespace\":" : "{\"namespace\":", f);
		nn_put_json(f, c.br[i].ns);
		fputs(",\"name\":", f);
		nn_put_json(f, c.br[i].name);
		fputs(",\"detail\":", f);
		put_json_lines(f, c.br[i].detail);
		fputc('}', f);
	}
	fputs("],\"edges\":[", f);
	for (size_t i = 0; i < g->n_edges; i++) {
		fprintf(f, "%s{\"kind\":\"%s\",\"a\":", i ? "," : "",
			c.edges[i].kind == NN_GRAPH_MACVLAN ? "macvlan" : "veth");
		put_json_end(f, &c.edges[i].a);
		fputs(",\"b\":", f);
		put_json_end(f, &c.edges[i].b);
		fputc('}', f);
	}
	fputs("]}\n", f);
	copy_free(&c);
	if (fflush(f) == EOF || ferror(f))
		return nn_error_set(e, errno ? errno : EIO, "cannot write the graph");
	return 0;
}

/* ------------------------------------------------------------------ kernel */

/* Addresses (not the kernel's link-local ones), "down", the root qdisc. */
static int detail_of(const struct nn_live_ns *sp, const struct nn_link_info *l, char **out,
		     struct nn_error *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const struct nn_qdisc_info *q;
	char tmp[512];
	bool first = true;

	*out = NULL;
	if (!f)
		return oom(e);
	if (!l->up) {
		fputs("down", f);
		first = false;
	}
	for (size_t k = 0; k < sp->n_addrs; k++) {
		const struct nn_addr_info *a = &sp->addrs[k];

		if (a->ifindex != l->ifindex || a->scope == RT_SCOPE_LINK)
			continue;
		fprintf(f, "%s%s", first ? "" : "\n", nn_format_prefix(tmp, sizeof(tmp), &a->addr, true));
		first = false;
	}
	/* The kernel's default root (handle 0) is not drawn. */
	q = nn_qdisc_find(sp->roots, sp->n_roots, l->ifindex);
	if (q && q->handle != 0) {
		fprintf(f, "%s%s", first ? "" : "\n", nn_qdisc_format(tmp, sizeof(tmp), q));
		first = false;
	}
	if (fclose(f) != 0) {
		free(buf);
		return oom(e);
	}
	if (first) {
		free(buf);
		buf = NULL;
	}
	*out = buf;
	return 0;
}

static bool is_bridge(const struct nn_link_info *l)
{
	return l && !strcmp(l->kind, "bridge");
}

static bool is_lo(const struct nn_link_info *l)
{
	return l->ifindex == 1 && !strcmp(l->name, "lo");
}

/* Draw bridge BR of SP with its addresses (once; later calls are no-ops). */
static int add_bridge_of(struct nn_graph *g, const struct nn_live_ns *sp, const struct nn_link_info *br,
			 struct nn_error *e)
{
	_cleanup_free_ char *detail = NULL;

	if (detail_of(sp, br, &detail, e) < 0)
		return -e->code;
	return nn_graph_add_bridge(g, sp->name, br->name, detail, e);
}

/* The end at link L of SP: on L's bridge when it is a port. */
static int end_of(struct nn_graph *g, const struct nn_live_ns *sp, const struct nn_link_info *l,
		  struct nn_graph_end *end, char **detail, struct nn_error *e)
{
	const struct nn_link_info *m = l->master ? nn_live_link(sp, l->master) : NULL;

	if (detail_of(sp, l, detail, e) < 0)
		return -e->code;
	*end = (struct nn_graph_end){ .ns = sp->name, .ifname = l->name, .detail = *detail };
	if (is_bridge(m)) {
		end->bridge = m->name;
		return add_bridge_of(g, sp, m, e);
	}
	return 0;
}

static int draw_veth(struct nn_ctx *ctx, struct nn_graph *g, struct nn_live_ns *spaces, size_t n, size_t i, size_t li,
		     struct nn_error *e)
{
	_cleanup_free_ char *da = NULL, *db = NULL;
	struct nn_live_ns *sp = &spaces[i];
	const struct nn_link_info *l = &sp->links[li], *p;
	struct nn_graph_end a, b;
	size_t j = 0;

	if (nn_live_peer(ctx, spaces, n, i, l, &j, &p, e) < 0)
		return -e->code;
	if (!p || strcmp(p->kind, "veth")) {
		/* the peer is in a namespace without a name, or gone */
		sp->marked[li] = true;
		if (!*sp->name)
			return 0;
		if (detail_of(sp, l, &da, e) < 0)
			return -e->code;
		return nn_graph_add_iface(g, sp->name, l->name, l->kind, da, e);
	}
	/* The host's own veths are not part of a lab. */
	if (!*sp->name && !*spaces[j].name)
		return 0;
	sp->marked[li] = true;
	spaces[j].marked[p - spaces[j].links] = true;
	if (end_of(g, sp, l, &a, &da, e) < 0 || end_of(g, &spaces[j], p, &b, &db, e) < 0)
		return -e->code;
	return nn_graph_add_edge(g, NN_GRAPH_VETH, &a, &b, e);
}

static int draw_macvlan(struct nn_ctx *ctx, struct nn_graph *g, struct nn_live_ns *spaces, size_t n, size_t i, size_t li,
			struct nn_error *e)
{
	_cleanup_free_ char *da = NULL;
	struct nn_live_ns *sp = &spaces[i];
	const struct nn_link_info *l = &sp->links[li], *p;
	struct nn_graph_end a, b;
	size_t j = 0;

	sp->marked[li] = true;
	if (nn_live_peer(ctx, spaces, n, i, l, &j, &p, e) < 0)
		return -e->code;
	if (detail_of(sp, l, &da, e) < 0)
		return -e->code;
	/* The host's own macvlans are not part of a lab either. */
	if (!*sp->name && (!p || !*spaces[j].name))
		return 0;
	if (!p)
		return nn_graph_add_iface(g, sp->name, l->name, l->kind, da, e);
	a = (struct nn_graph_end){ .ns = sp->name, .ifname = l->name, .detail = da };
	b = (struct nn_graph_end){ .ns = spaces[j].name, .ifname = p->name };
	if (is_bridge(p)) {
		b.ifname = NULL;
		b.bridge = p->name;
		if (add_bridge_of(g, &spaces[j], p, e) < 0)
			return -e->code;
	}
	return nn_graph_add_edge(g, NN_GRAPH_MACVLAN, &a, &b, e);
}

static int draw_space(struct nn_ctx *ctx, struct nn_graph *g, struct nn_live_ns *spaces, size_t n,
		      size_t i, struct nn_error *e)
{
	struct nn_live_ns *sp = &spaces[i];
	int ret = 0;

	for (size_t li = 0; li < sp->n_links; li++) {
		const struct nn_link_info *l = &sp->links[li];
		_cleanup_free_ char *d = NULL;

		if (sp->marked[li] || is_lo(l))
			continue;
		if (!strcmp(l->kind, "veth"))
			ret = draw_veth(ctx, g, spaces, n, i, li, e);
		else if (!strcmp(l->kind, "macvlan") || !strcmp(l->kind, "macvtap"))
			ret = draw_macvlan(ctx, g, spaces, n, i, li, e);
		else if (!*sp->name)
			ret = 0;	/* the host's bridges only when something uses them */
		else if (is_bridge(l))
			ret = add_bridge_of(g, sp, l, e);
		else if ((ret = detail_of(sp, l, &d, e)) == 0)
			ret = nn_graph_add_iface(g, sp->name, l->name, l->kind, d, e);
		if (ret < 0)
			break;
	}
	nn_live_release(ctx, sp);
	return ret < 0 ? ret : 0;
}

int nn_graph_from_kernel(struct nn_ctx *ctx, struct nn_graph *g, struct nn_error *e)
{
	char **names = NULL;
	struct nn_live_ns *spaces;
	size_t n_names = 0, n, i;
	int ret = 0;

	if (nn_netns_list(ctx, &names, &n_names, e) < 0)
		return -e->code;
	n = n_names + 1;
	spaces = calloc(n, sizeof(*spaces));
	if (!spaces) {
		nn_netns_list_free(names, n_names);
		return oom(e);
	}
	spaces[0].name = "";
	for (i = 0; i < n_names; i++)
		spaces[i + 1].name = names[i];
	for (i = 0; i < n && ret >= 0; i++) {
		ret = nn_live_read(ctx, &spaces[i], false, e);
		spaces[i].live = ret > 0;
		if (ret > 0 && *spaces[i].name)
			ret = nn_graph_add_netns(g, spaces[i].name, e);
	}
	/* Named namespaces first: the host's links are drawn from their side. */
	for (i = 1; i < n && ret >= 0; i++)
		if (spaces[i].live)
			ret = draw_space(ctx, g, spaces, n, i, e);
	if (ret >= 0)
		ret = draw_space(ctx, g, spaces, n, 0, e);
	for (i = 0; i < n; i++)
		nn_live_free(&spaces[i]);
	free(spaces);
	nn_netns_list_free(names, n_names);
	return ret < 0 ? ret : 0;
}

/* ------------------------------------------------------------------ lab file */

/* "10.0.0.1/24\nnetem delay 10ms": the lines under an end's name. */
static int lab_detail(const struct nn_prefix *addr, const struct nn_labfile_impair *imp,
		      const char *extra, char **out, struct nn_error *e)
{
	char a[INET6_ADDRSTRLEN + 8] = "", q[512] = "";
	struct nn_qdisc_info qi = { 0 };
	int ret;

	*out = NULL;
	if (addr)
		nn_format_prefix(a, sizeof(a), addr, true);
	if (imp && imp->kind == NN_QDISC_NETEM) {
		qi.kind = NN_QDISC_NETEM;
		qi.u.netem = imp->netem;
	} else if (imp && imp->kind == NN_QDISC_TBF) {
		qi.kind = NN_QDISC_TBF;
		qi.u.tbf = imp->tbf;
	}
	if (qi.kind != NN_QDISC_OTHER)
		nn_qdisc_format(q, sizeof(q), &qi);
	if (!*a && !*q && !extra)
		return 0;
	ret = asprintf(out, "%s%s%s%s%s", a, *a && *q ? "\n" : "", q,
		       extra && (*a || *q) ? "\n" : "", extra ? extra : "");
	if (ret < 0) {
		*out = NULL;
		return oom(e);
	}
	return 0;
}

static const struct nn_labfile_bridge *lab_bridge_named(const struct nn_labfile *lf, bool in_host,
							size_t node, const char *name)
{
	for (size_t i = 0; i < lf->n_bridges; i++) {
		const struct nn_labfile_bridge *b = &lf->bridges[i];

		if (b->in_host == in_host && (in_host || b->node == node) && !strcmp(b->name, name))
			return b;
	}
	return NULL;
}

#define NOTE_MAX 48

/* "runs python3 -m http.server ...": a command, cut short. */
static void command_note(char *buf, size_t len, const struct nn_labfile_command *c)
{
	size_t n = snprintf(buf, len, "runs");

	for (size_t k = 0; k < c->argc && n < len; k++)
		n += snprintf(buf + n, len - n, " %s", c->argv[k]);
	if (n > NOTE_MAX && len > NOTE_MAX)
		strcpy(buf + NOTE_MAX - 3, "...");
}

static int add_node_notes(struct nn_graph *g, const struct nn_labfile_node *node,
			  struct nn_error *e)
{
	char note[512], to[INET6_ADDRSTRLEN + 8], via[INET6_ADDRSTRLEN + 8];

	if (nn_graph_add_netns(g, node->name, e) < 0)
		return -e->code;
	if (node->forwarding && nn_graph_add_note(g, node->name, "forwarding", e) < 0)
		return -e->code;
	for (size_t k = 0; k < node->n_routes; k++) {
		const struct nn_labfile_route *r = &node->routes[k];

		if (r->to.len == 0)
			snprintf(to, sizeof(to), "default");
		else
			nn_format_prefix(to, sizeof(to), &r->to, true);
		snprintf(note, sizeof(note), "route %s%s%s%s%s", to, r->has_via ? " via " : "",
			 r->has_via ? nn_format_prefix(via, sizeof(via), &r->via, false) : "",
			 *r->dev ? " dev " : "", r->dev);
		if (nn_graph_add_note(g, node->name, note, e) < 0)
			return -e->code;
	}
	for (size_t k = 0; k < node->n_commands; k++) {
		command_note(note, sizeof(note), &node->commands[k]);
		if (nn_graph_add_note(g, node->name, note, e) < 0)
			return -e->code;
	}
	return 0;
}

int nn_graph_from_labfile(const struct nn_labfile *lf, struct nn_graph *g, struct nn_error *e)
{
	size_t i, k;

	for (i = 0; i < lf->n_nodes; i++)
		if (add_node_notes(g, &lf->nodes[i], e) < 0)
			return -e->code;
	for (i = 0; i < lf->n_forwards; i++) {
		const struct nn_labfile_forward *fw = &lf->forwards[i];
		char addr[INET_ADDRSTRLEN], note[512];

		inet_ntop(AF_INET, &fw->addr, addr, sizeof(addr));
		snprintf(note, sizeof(note), "%s :%u -> %s %s:%u",
			 fw->proto == IPPROTO_UDP ? "udp" : "tcp", fw->host_port,
			 lf->nodes[fw->node].name, addr, fw->port);
		if (nn_graph_add_note(g, "", note, e) < 0)
			return -e->code;
	}
	for (i = 0; i < lf->n_links; i++) {
		const struct nn_labfile_link *l = &lf->links[i];
		_cleanup_free_ char *d0 = NULL, *d1 = NULL;
		struct nn_graph_end a, b;

		if (lab_detail(l->end[0].has_addr ? &l->end[0].addr : NULL, &l->end[0].egress, NULL,
			       &d0, e) < 0 ||
		    lab_detail(l->end[1].has_addr ? &l->end[1].addr : NULL, &l->end[1].egress, NULL,
			       &d1, e) < 0)
			return -e->code;
		a = (struct nn_graph_end){ .ns = lf->nodes[l->end[0].node].name,
					   .ifname = l->end[0].ifname, .detail = d0 };
		b = (struct nn_graph_end){ .ns = lf->nodes[l->end[1].node].name,
					   .ifname = l->end[1].ifname, .detail = d1 };
		if (nn_graph_add_edge(g, NN_GRAPH_VETH, &a, &b, e) < 0)
			return -e->code;
	}
	for (i = 0; i < lf->n_bridges; i++) {
		const struct nn_labfile_bridge *br = &lf->bridges[i];
		const char *ns = br->in_host ? "" : lf->nodes[br->node].name;
		_cleanup_free_ char *d = NULL;

		if (lab_detail(br->has_addr ? &br->addr : NULL, NULL, NULL, &d, e) < 0 ||
		    nn_graph_add_bridge(g, ns, br->name, d, e) < 0)
			return -e->code;
		for (k = 0; k < br->n_members; k++) {
			const struct nn_labfile_member *m = &br->members[k];
			_cleanup_free_ char *dm = NULL, *dp = NULL;
			struct nn_graph_end a, b;

			if (lab_detail(m->has_addr ? &m->addr : NULL, &m->egress, NULL, &dm, e) < 0 ||
			    lab_detail(NULL, &m->port_egress, NULL, &dp, e) < 0)
				return -e->code;
			a = (struct nn_graph_end){ .ns = ns, .ifname = m->port, .bridge = br->name,
						   .detail = dp };
			b = (struct nn_graph_end){ .ns = lf->nodes[m->node].name, .ifname = m->ifname,
						   .detail = dm };
			if (nn_graph_add_edge(g, NN_GRAPH_VETH, &a, &b, e) < 0)
				return -e->code;
		}
	}
	for (i = 0; i < lf->n_uplinks; i++) {
		const struct nn_labfile_uplink *up = &lf->uplinks[i];
		_cleanup_free_ char *dn = NULL, *dh = NULL;
		struct nn_graph_end a, b;

		if (lab_detail(&up->node_addr, NULL, NULL, &dn, e) < 0 ||
		    lab_detail(&up->host_addr, NULL, up->nat ? "masquerade (NAT)" : NULL, &dh, e) < 0)
			return -e->code;
		a = (struct nn_graph_end){ .ns = lf->nodes[up->node].name, .ifname = up->ifname,
					   .detail = dn };
		b = (struct nn_graph_end){ .ns = "", .ifname = up->host_if, .detail = dh };
		if (nn_graph_add_edge(g, NN_GRAPH_VETH, &a, &b, e) < 0)
			return -e->code;
	}
	for (i = 0; i < lf->n_clients; i++) {
		const struct nn_labfile_clients *c = &lf->clients[i];
		const char *pns = c->parent_in_host ? "" : lf->nodes[c->parent_node].name;
		_cleanup_free_ char *name = NULL, *d = NULL;
		struct nn_graph_end a, b;
		char cidr[INET6_ADDRSTRLEN + 8];

		if (c->count > 1 ? asprintf(&name, "%s1..%s%u", c->prefix, c->prefix, c->count) < 0
				 : asprintf(&name, "%s1", c->prefix) < 0) {
			name = NULL;
			return oom(e);
		}
		if (c->is_static)
			nn_format_prefix(cidr, sizeof(cidr), &c->static_cidr, true);
		if (asprintf(&d, "mode %s\n%s%s", c->mode, c->is_static ? "static " : "DHCP",
			     c->is_static ? cidr : "") < 0) {
			d = NULL;
			return oom(e);
		}
		a = (struct nn_graph_end){ .ns = name, .ifname = NN_CLIENTS_IFNAME, .detail = d };
		b = (struct nn_graph_end){ .ns = pns, .ifname = c->parent_if };
		if (lab_bridge_named(lf, c->parent_in_host, c->parent_node, c->parent_if)) {
			b.bridge = c->parent_if;
			b.ifname = NULL;
		}
		if (nn_graph_add_edge(g, NN_GRAPH_MACVLAN, &a, &b, e) < 0)
			return -e->code;
	}
	return 0;
}
