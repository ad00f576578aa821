// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lab files (docs/labfile.md).  Two passes over the text: libyaml's event
 * parser first, refusing syntax errors, anchors and aliases (a few aliases
 * can stand for an exponential number of nodes) and deep nesting; then its
 * document loader, whose tree keeps every node's position for the messages.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <yaml.h>

#include "netnsctl/clients.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/labfile.h"
#include "netnsctl/names.h"
#include "netnsctl/nat.h"
#include "netnsctl/timeline.h"
#include "netnsctl/units.h"
#include "labfile/parse.h"
#include "util/cleanup.h"
#include "util/hash.h"
#include "util/show.h"

#define MAX_DEPTH 12
#define MAX_EVENTS 400000
#define MAX_SCALAR 4096
#define LAB_NAME_MAX 48		/* leaves room in NAT tags and the journal owner */

struct parser {
	const char *path;
	yaml_document_t *doc;
	struct nn_labfile *lf;
	struct nn_error *e;
	bool skip_directed;	/* fields() passes over "A->B" keys (a link's impair) */
	struct nn_hash nodes;	/* a node's name as written -> its index + 1 */
};

/* A key "A->B" (or "A→B"): where its arrow is, and how long it is. */
static const char *arrow_of(const char *ks, size_t *len)
{
	const char *a = strstr(ks, "->");

	*len = 2;
	if (!a) {
		a = strstr(ks, "\u2192");
		*len = strlen("\u2192");
	}
	return a;
}

__attribute__((format(printf, 4, 5)))
static int fail_at(struct parser *p, const yaml_mark_t *m, int err, const char *fmt, ...)
{
	char msg[NN_ERROR_MAX];
	va_list ap;

	char out[NN_ERROR_MAX];
	size_t o = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Names the user wrote may hold any byte: the message stays one printable line. */
	for (const unsigned char *c = (const unsigned char *)msg; *c && o + 5 < sizeof(out); c++) {
		if (*c >= 0x20 && *c < 0x7f)
			out[o++] = (char)*c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", *c);
	}
	out[o] = '\0';
	return nn_error_setx(p->e, err, "%s:%zu:%zu: %s", p->path, m->line + 1, m->column + 1, out);
}

#define fail(p, n, ...) fail_at(p, &(n)->start_mark, EINVAL, __VA_ARGS__)

/* A message from a value parser, which names CLI options ("--loss-correlation"):
 * in a lab file they are keys ("loss_correlation"). */
static void keys_for_options(char *msg)
{
	char *r = msg, *w = msg;
	bool in_opt = false;

	while (*r) {
		if (r[0] == '-' && r[1] == '-' && (r == msg || r[-1] == ' ') && r[2] >= 'a' &&
		    r[2] <= 'z') {
			r += 2;
			in_opt = true;
			continue;
		}
		if (in_opt && *r == '-')
			*r = '_';
		else if (!(*r >= 'a' && *r <= 'z'))
			in_opt = false;
		*w++ = *r++;
	}
	*w = '\0';
}

/* Point the message a value parser left in P->e at N. */
static int fail_value(struct parser *p, const yaml_node_t *n)
{
	char msg[NN_ERROR_MAX];

	snprintf(msg, sizeof(msg), "%s", p->e->msg);
	keys_for_options(msg);
	return fail_at(p, &n->start_mark, p->e->code ? p->e->code : EINVAL, "%s", msg);
}

static yaml_node_t *node_at(struct parser *p, int i)
{
	return yaml_document_get_node(p->doc, i);
}

static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a value";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static bool is_null(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;

	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

/* N as a string (a scalar, no NUL inside, bounded). */
static int scalar(struct parser *p, const yaml_node_t *n, const char *what, const char **s)
{
	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail(p, n, "%s must be a value, not %s", what,
			    is_null(n) ? "empty" : type_name(n));
	if (n->data.scalar.length > MAX_SCALAR)
		return fail(p, n, "%s is longer than %d bytes", what, MAX_SCALAR);
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return fail(p, n, "%s contains a NUL byte", what);
	*s = (const char *)n->data.scalar.value;
	return 0;
}

static int boolean(struct parser *p, const yaml_node_t *n, const char *what, bool *b)
{
	struct nn_shown sh;
	const char *s = NULL;
	int ret = scalar(p, n, what, &s);

	if (ret < 0)
		return ret;
	if (!strcmp(s, "true"))
		*b = true;
	else if (!strcmp(s, "false"))
		*b = false;
	else
		return fail(p, n, "invalid %s \"%s\": expected true or false", what, nn_show(&sh, s));
	return 0;
}

static int sequence(struct parser *p, const yaml_node_t *n, const char *what, size_t *len)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(p, n, "%s must be a list, not %s", what, type_name(n));
	*len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (*len > NN_LABFILE_MAX_ITEMS)
		return fail(p, n, "%s has more than %d entries", what, NN_LABFILE_MAX_ITEMS);
	return 0;
}

static yaml_node_t *item(struct parser *p, const yaml_node_t *seq, size_t i)
{
	return node_at(p, seq->data.sequence.items.start[i]);
}

/*
 * The values of mapping N for KEYS (NULL-terminated) into VALS (NULL when
 * absent).  Unknown and repeated keys are errors: a mistyped key must not
 * silently leave its default.
 */
static int fields(struct parser *p, const yaml_node_t *n, const char *what,
		  const char *const *keys, yaml_node_t **vals)
{
	struct nn_shown sh;
	size_t nkeys = 0;

	while (keys[nkeys])
		nkeys++;
	memset(vals, 0, nkeys * sizeof(*vals));
	if (n->type != YAML_MAPPING_NODE)
		return fail(p, n, "%s must be a mapping, not %s", what, type_name(n));
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node_at(p, pr->key), *v = node_at(p, pr->value);
		const char *ks;
		size_t i;
		int ret;

		if (!k || !v)
			return fail(p, n, "malformed %s", what);
		if ((ret = scalar(p, k, "a key", &ks)) < 0)
			return ret;
		if (p->skip_directed && arrow_of(ks, &i))
			continue;
		for (i = 0; i < nkeys && strcmp(keys[i], ks); i++)
			;
		if (i == nkeys)
			return fail(p, k, "unknown key \"%s\" in %s", nn_show(&sh, ks), what);
		if (vals[i])
			return fail(p, k, "duplicate key \"%s\" in %s", ks, what);
		vals[i] = v;
	}
	return 0;
}

static void *alloc_items(struct parser *p, const yaml_node_t *n, size_t count, size_t size)
{
	void *a = calloc(count ? count : 1, size);

	if (!a)
		nn_error_set(p->e, ENOMEM, "%s:%zu:%zu", p->path, n->start_mark.line + 1,
			     n->start_mark.column + 1);
	return a;
}

static void set_mark(struct nn_labfile_mark *m, const yaml_node_t *n)
{
	m->line = (unsigned int)n->start_mark.line + 1;
	m->col = (unsigned int)n->start_mark.column + 1;
}

static int ifname_value(struct parser *p, const yaml_node_t *n, const char *what, char *out)
{
	const char *s = NULL;
	int ret = scalar(p, n, what, &s);

	if (ret < 0)
		return ret;
	if (nn_check_ifname(s, p->e) < 0)
		return fail_value(p, n);
	snprintf(out, IFNAMSIZ, "%s", s);
	return 0;
}

/* Node I's name as the file gives it, without the lab's prefix. */
static const char *written(const struct parser *p, size_t i)
{
	return p->lf->nodes[i].name + strlen(p->lf->prefix);
}

/* The index of the node the file calls S, or -1 (hashed: a file of N nodes
 * names them in N members). */
static ssize_t node_named(const struct parser *p, const char *s)
{
	return (ssize_t)(uintptr_t)nn_hash_get(&p->nodes, s) - 1;
}

static int node_ref(struct parser *p, const yaml_node_t *n, const char *s, size_t *idx)
{
	struct nn_shown sh;
	ssize_t i = node_named(p, s);

	if (i < 0)
		return fail(p, n, "undeclared node \"%s\"", nn_show(&sh, s));
	*idx = (size_t)i;
	return 0;
}

static int node_ref_value(struct parser *p, const yaml_node_t *n, size_t *idx)
{
	const char *s = NULL;
	int ret = scalar(p, n, "node", &s);

	return ret < 0 ? ret : node_ref(p, n, s, idx);
}

static int addr_value(struct parser *p, const yaml_node_t *n, const char *what,
		      struct nn_prefix *out)
{
	const char *s = NULL;
	int ret = scalar(p, n, what, &s);

	if (ret < 0)
		return ret;
	if (nn_parse_ifaddr(s, out, p->e) < 0)
		return fail_value(p, n);
	return 0;
}

static int cidr_value(struct parser *p, const yaml_node_t *n, const char *what,
		      struct nn_prefix *out)
{
	const char *s = NULL;
	int ret = scalar(p, n, what, &s);

	if (ret < 0)
		return ret;
	if (nn_parse_cidr(s, out, p->e) < 0)
		return fail_value(p, n);
	return 0;
}

/* "to-PEER" style default names, or an error asking for the name. */
static int default_ifname(struct parser *p, const yaml_node_t *n, const char *key, char *out,
			  const char *prefix, const char *a)
{
	char buf[NN_LABFILE_NAME_MAX + 16];
	struct nn_error tmp;

	snprintf(buf, sizeof(buf), "%s%s", prefix, a);
	if (nn_check_ifname(buf, &tmp) < 0)
		return fail(p, n, "the default interface name \"%.64s\" is too long: give \"%s\"",
			    buf, key);
	snprintf(out, IFNAMSIZ, "%s", buf);
	return 0;
}

/* --- impairments --- */

enum {
	I_DELAY, I_JITTER, I_CORR, I_DIST, I_LOSS, I_LOSS_CORR, I_DUP, I_DUP_CORR,
	I_CORRUPT, I_CORRUPT_CORR, I_REORDER, I_REORDER_CORR, I_GAP, I_LIMIT,
	I_RATE, I_BURST, I_LATENCY, I_COUNT
};

static const char *const impair_keys[] = {
	"delay", "jitter", "correlation", "distribution", "loss", "loss_correlation",
	"duplicate", "duplicate_correlation", "corrupt", "corrupt_correlation", "reorder",
	"reorder_correlation", "gap", "limit", "rate", "burst", "latency", NULL,
};

static int parse_impair(struct parser *p, const yaml_node_t *n, struct nn_labfile_impair *im)
{
	yaml_node_t *v[I_COUNT];
	struct nn_netem *nm = &im->netem;
	struct nn_tbf *t = &im->tbf;
	bool netem = false;
	const char *s = NULL;
	uint64_t num;
	int ret, i;

	memset(im, 0, sizeof(*im));
	set_mark(&im->mark, n);
	if (is_null(n))
		return 0;
	if ((ret = fields(p, n, "impairment", impair_keys, v)) < 0)
		return ret;
	for (i = 0; i <= I_GAP; i++)
		netem |= v[i] != NULL;
	for (i = 0; i < I_COUNT; i++) {
		uint32_t *pct = NULL;

		if (!v[i])
			continue;
		if ((ret = scalar(p, v[i], impair_keys[i], &s)) < 0)
			return ret;
		/* No tc habit to keep here: "delay: 100" is not 100 us. */
		if ((i == I_DELAY || i == I_JITTER || i == I_LATENCY || i == I_RATE) &&
		    nn_unit_required(s, impair_keys[i], i == I_RATE ? NN_UNIT_RATE : NN_UNIT_TIME,
				     p->e) < 0)
			return fail_value(p, v[i]);
		switch (i) {
		case I_DELAY: ret = nn_parse_time(s, "delay", &nm->delay_ns, p->e); break;
		case I_JITTER: ret = nn_parse_time(s, "jitter", &nm->jitter_ns, p->e); break;
		case I_DIST: ret = nn_netem_dist_parse(s, &nm->dist, p->e); break;
		case I_CORR: pct = &nm->delay_corr; break;
		case I_LOSS: pct = &nm->loss; break;
		case I_LOSS_CORR: pct = &nm->loss_corr; break;
		case I_DUP: pct = &nm->duplicate; break;
		case I_DUP_CORR: pct = &nm->duplicate_corr; break;
		case I_CORRUPT: pct = &nm->corrupt; break;
		case I_CORRUPT_CORR: pct = &nm->corrupt_corr; break;
		case I_REORDER: pct = &nm->reorder; break;
		case I_REORDER_CORR: pct = &nm->reorder_corr; break;
		case I_GAP:
			ret = nn_parse_uint(s, "gap", 1, UINT32_MAX, &num, p->e);
			nm->gap = (uint32_t)num;
			break;
		case I_LIMIT:
			if (netem) {
				ret = nn_parse_uint(s, "limit", 1, UINT32_MAX, &num, p->e);
				nm->limit = (uint32_t)num;
			} else {
				ret = nn_parse_size(s, "limit", &t->limit, p->e);
			}
			break;
		case I_RATE:
			ret = nn_parse_rate(s, "rate", netem ? &nm->rate : &t->rate, p->e);
			break;
		case I_BURST:
		case I_LATENCY:
			if (netem)
				return fail(p, v[i], "\"%s\" is a tbf setting: not with netem keys (delay, loss, ...)",
					    impair_keys[i]);
			if (i == I_BURST)
				ret = nn_parse_size(s, "burst", &t->burst, p->e);
			else
				ret = nn_parse_time(s, "latency", &t->latency_ns, p->e);
			break;
		}
		if (pct) {
			char what[32];

			snprintf(what, sizeof(what), "%s", impair_keys[i]);
			for (char *c = what; *c; c++)
				if (*c == '_')
					*c = ' ';
			ret = nn_parse_percent(s, what, pct, p->e);
		}
		if (ret < 0)
			return fail_value(p, v[i]);
	}
	if (netem) {
		im->kind = NN_QDISC_NETEM;
		if (nn_netem_check(nm, p->e) < 0)
			return fail_value(p, n);
	} else if (v[I_RATE] || v[I_BURST] || v[I_LATENCY] || v[I_LIMIT]) {
		im->kind = NN_QDISC_TBF;
		if (!v[I_RATE])
			return fail(p, n, "tbf impairment needs \"rate\"");
		if (nn_tbf_check(t, p->e) < 0)
			return fail_value(p, n);
	}
	return 0;
}

/* --- nodes --- */

static int parse_route(struct parser *p, const yaml_node_t *n, struct nn_labfile_route *r)
{
	static const char *const keys[] = { "to", "via", "dev", NULL };
	yaml_node_t *v[3];
	const char *s = NULL;
	int ret;

	set_mark(&r->mark, n);
	if ((ret = fields(p, n, "route", keys, v)) < 0)
		return ret;
	if (!v[0])
		return fail(p, n, "route needs \"to\"");
	if ((ret = scalar(p, v[0], "to", &s)) < 0)
		return ret;
	if (!strcmp(s, "default")) {
		memset(&r->to, 0, sizeof(r->to));
		r->to.family = AF_INET;
	} else if (nn_parse_cidr(s, &r->to, p->e) < 0) {
		return fail_value(p, v[0]);
	}
	if (v[1]) {
		if ((ret = addr_value(p, v[1], "via", &r->via)) < 0)
			return ret;
		if (r->via.len != (r->via.family == AF_INET ? 32 : 128))
			return fail(p, v[1], "invalid via \"%s\": a gateway is an address, without a length",
				    (const char *)v[1]->data.scalar.value);
		if (r->via.family != r->to.family)
			return fail(p, v[1], "via \"%s\" is not of the family of \"to\"",
				    (const char *)v[1]->data.scalar.value);
		r->has_via = true;
	}
	if (v[2] && (ret = ifname_value(p, v[2], "dev", r->dev)) < 0)
		return ret;
	if (!r->has_via && !*r->dev)
		return fail(p, n, "route needs \"via\" or \"dev\"");
	return 0;
}

/*
 * The string form of a command: words split at blanks, '...' and "..."
 * quote, a backslash outside single quotes takes the next byte as it is.
 * No shell ever sees it: nothing is expanded or redirected.
 */
static int split_words(struct parser *p, const yaml_node_t *n, const char *s,
		       struct nn_labfile_command *c)
{
	size_t len = strlen(s), argc = 0, o = 0;
	char *buf = malloc(len + 1), **argv = calloc(NN_LABFILE_MAX_ARGS + 1, sizeof(char *));
	int ret = 0;

	if (!buf || !argv) {
		ret = nn_error_set(p->e, ENOMEM, "%s", p->path);
		goto out;
	}
	for (const char *q = s; *q && ret == 0;) {
		char quote = 0;
		bool word = false;

		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q)
			break;
		o = 0;
		for (; *q && (quote || (*q != ' ' && *q != '\t')); q++) {
			word = true;
			if (quote && *q == quote) {
				quote = 0;
			} else if (!quote && (*q == '\'' || *q == '"')) {
				quote = *q;
			} else if (*q == '\\' && quote != '\'' && q[1]) {
				buf[o++] = *++q;
			} else {
				buf[o++] = *q;
			}
		}
		if (quote) {
			ret = fail(p, n, "command \"%s\": unterminated %c", s, quote);
			break;
		}
		if (!word)
			continue;
		if (argc == NN_LABFILE_MAX_ARGS) {
			ret = fail(p, n, "command has more than %d words", NN_LABFILE_MAX_ARGS);
			break;
		}
		buf[o] = 0;
		if (!(argv[argc++] = strdup(buf)))
			ret = nn_error_set(p->e, ENOMEM, "%s", p->path);
	}
	if (ret == 0 && argc == 0)
		ret = fail(p, n, "empty command");
	if (ret == 0) {
		c->argv = argv;
		c->argc = argc;
		argv = NULL;
	}
out:
	if (argv)
		for (size_t i = 0; i < argc; i++)
			free(argv[i]);
	free(argv);
	free(buf);
	return ret;
}

static int parse_command(struct parser *p, const yaml_node_t *n, struct nn_labfile_command *c)
{
	const char *s = NULL;
	size_t len = 0;
	int ret;

	set_mark(&c->mark, n);
	if (n->type == YAML_SCALAR_NODE) {
		if ((ret = scalar(p, n, "command", &s)) < 0)
			return ret;
		c->shell = true;
		return split_words(p, n, s, c);
	}
	if ((ret = sequence(p, n, "command", &len)) < 0)
		return ret;
	if (len == 0)
		return fail(p, n, "empty command");
	if (len > NN_LABFILE_MAX_ARGS)
		return fail(p, n, "command has more than %d words", NN_LABFILE_MAX_ARGS);
	if (!(c->argv = calloc(len + 1, sizeof(char *))))
		return nn_error_set(p->e, ENOMEM, "%s", p->path);
	c->argc = len;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *w = item(p, n, i);

		if ((ret = scalar(p, w, "a command word", &s)) < 0)
			return ret;
		if (!(c->argv[i] = strdup(s)))
			return nn_error_set(p->e, ENOMEM, "%s", p->path);
	}
	return 0;
}

static int parse_node_name(struct parser *p, const yaml_node_t *n, char *out)
{
	const char *s = NULL;
	int ret = scalar(p, n, "node name", &s);

	if (ret < 0)
		return ret;
	if (nn_check_netns_name(s, p->e) < 0)
		return fail_value(p, n);
	snprintf(out, NN_LABFILE_NAME_MAX + 1, "%s", s);
	return 0;
}

/* A namespace name the file gives (a node's, a client group's prefix),
 * with the lab's prefix before it. */
static int parse_ns_name(struct parser *p, const yaml_node_t *n, char *out)
{
	char name[NN_LABFILE_NAME_MAX + 1];
	int ret = parse_node_name(p, n, name);

	if (ret < 0)
		return ret;
	if (strlen(p->lf->prefix) + strlen(name) > NN_LABFILE_NAME_MAX)
		return fail(p, n, "\"%s\" with the prefix \"%s\" is longer than %d bytes", name,
			    p->lf->prefix, NN_LABFILE_NAME_MAX);
	snprintf(out, NN_LABFILE_NAME_MAX + 1, "%s%s", p->lf->prefix, name);
	return 0;
}

/* First pass: names only, so that references may point forward. */
static int parse_node_names(struct parser *p, const yaml_node_t *list)
{
	struct nn_labfile *lf = p->lf;
	size_t len = 0;
	int ret;

	if ((ret = sequence(p, list, "nodes", &len)) < 0)
		return ret;
	if (!(lf->nodes = alloc_items(p, list, len, sizeof(*lf->nodes))))
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = item(p, list, i), *name = it;
		struct nn_labfile_node *nd = &lf->nodes[i];

		if (it->type == YAML_MAPPING_NODE) {
			name = NULL;
			for (yaml_node_pair_t *pr = it->data.mapping.pairs.start;
			     pr < it->data.mapping.pairs.top; pr++) {
				yaml_node_t *k = node_at(p, pr->key);

				if (k->type == YAML_SCALAR_NODE &&
				    !strcmp((const char *)k->data.scalar.value, "name"))
					name = node_at(p, pr->value);
			}
			if (!name)
				return fail(p, it, "node needs \"name\"");
		}
		if ((ret = parse_ns_name(p, name, nd->name)) < 0)
			return ret;
		set_mark(&nd->mark, it);
		if (node_named(p, written(p, i)) >= 0)
			return fail(p, name, "duplicate node \"%s\"", written(p, i));
		if (nn_hash_put(&p->nodes, written(p, i), (void *)(uintptr_t)(i + 1)) < 0)
			return nn_error_set(p->e, ENOMEM, "%s", p->path);
		lf->n_nodes++;
	}
	return 0;
}

static int parse_node(struct parser *p, const yaml_node_t *n, struct nn_labfile_node *nd)
{
	static const char *const keys[] = { "name", "forwarding", "routes", "commands", NULL };
	yaml_node_t *v[4];
	size_t len = 0;
	int ret;

	if (n->type == YAML_SCALAR_NODE)
		return 0;
	if ((ret = fields(p, n, "node", keys, v)) < 0)
		return ret;
	if (v[1] && (ret = boolean(p, v[1], "forwarding", &nd->forwarding)) < 0)
		return ret;
	if (v[2]) {
		if ((ret = sequence(p, v[2], "routes", &len)) < 0)
			return ret;
		if (!(nd->routes = alloc_items(p, v[2], len, sizeof(*nd->routes))))
			return -ENOMEM;
		for (; nd->n_routes < len; nd->n_routes++)
			if ((ret = parse_route(p, item(p, v[2], nd->n_routes),
					       &nd->routes[nd->n_routes])) < 0)
				return ret;
	}
	if (v[3]) {
		if ((ret = sequence(p, v[3], "commands", &len)) < 0)
			return ret;
		if (!(nd->commands = alloc_items(p, v[3], len, sizeof(*nd->commands))))
			return -ENOMEM;
		for (size_t i = 0; i < len; i++) {
			ret = parse_command(p, item(p, v[3], i), &nd->commands[i]);
			nd->n_commands = i + 1;
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* --- links --- */

/* "NODE" or "NODE:IF" */
static int parse_node_if(struct parser *p, const yaml_node_t *n, size_t *node, char *ifname,
			 bool *has_if)
{
	char name[NN_LABFILE_NAME_MAX + 1];
	const char *s = NULL, *colon;
	int ret = scalar(p, n, "endpoint", &s);

	if (ret < 0)
		return ret;
	colon = strchr(s, ':');
	if (!colon) {
		*has_if = false;
		return node_ref(p, n, s, node);
	}
	if ((size_t)(colon - s) > NN_LABFILE_NAME_MAX)
		return fail(p, n, "invalid node name in \"%.64s...\": too long", s);
	snprintf(name, sizeof(name), "%.*s", (int)(colon - s), s);
	if ((ret = node_ref(p, n, name, node)) < 0)
		return ret;
	if (nn_check_ifname(colon + 1, p->e) < 0)
		return fail_value(p, n);
	snprintf(ifname, IFNAMSIZ, "%s", colon + 1);
	*has_if = true;
	return 0;
}

static int parse_end(struct parser *p, const yaml_node_t *n, struct nn_labfile_end *end,
		     bool *has_if, const yaml_node_t **egress)
{
	static const char *const keys[] = { "node", "if", "addr", "egress", "ingress", NULL };
	yaml_node_t *v[5];
	int ret;

	set_mark(&end->mark, n);
	*egress = NULL;
	if (n->type == YAML_SCALAR_NODE)
		return parse_node_if(p, n, &end->node, end->ifname, has_if);
	if ((ret = fields(p, n, "endpoint", keys, v)) < 0)
		return ret;
	if (!v[0])
		return fail(p, n, "endpoint needs \"node\"");
	if ((ret = node_ref_value(p, v[0], &end->node)) < 0)
		return ret;
	*has_if = v[1] != NULL;
	if (v[1] && (ret = ifname_value(p, v[1], "if", end->ifname)) < 0)
		return ret;
	if (v[2]) {
		if ((ret = addr_value(p, v[2], "addr", &end->addr)) < 0)
			return ret;
		end->has_addr = true;
	}
	*egress = v[3];
	/* What the end receives: a tree on its ifb (docs/impairments.md). */
	if (v[4] && (ret = parse_impair(p, v[4], &end->ingress)) < 0)
		return ret;
	return 0;
}

/*
 * The "A->B" keys of a link's impair N (docs/labfile.md): DIR[i] the
 * impairment of what end i sends to the other (its egress), NULL none.
 * A and B must be the link's two nodes.
 */
static int directed(struct parser *p, const yaml_node_t *n, const struct nn_labfile_link *l,
		    const yaml_node_t *dir[2])
{
	struct nn_shown sh;

	if (n->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node_at(p, pr->key), *v = node_at(p, pr->value);
		char from[NN_LABFILE_NAME_MAX + 1];
		const char *ks, *arrow;
		size_t alen, a = 0, b = 0;
		int ret, i;

		if (!k || !v)
			return fail(p, n, "malformed impairment");
		if ((ret = scalar(p, k, "a key", &ks)) < 0)
			return ret;
		if (!(arrow = arrow_of(ks, &alen)))
			continue;
		if ((size_t)(arrow - ks) > NN_LABFILE_NAME_MAX)
			return fail(p, k, "invalid direction \"%s\": the node name is too long", nn_show(&sh, ks));
		snprintf(from, sizeof(from), "%.*s", (int)(arrow - ks), ks);
		if ((ret = node_ref(p, k, from, &a)) < 0 || (ret = node_ref(p, k, arrow + alen, &b)) < 0)
			return ret;
		if (l->end[0].node == l->end[1].node)
			return fail(p, k, "invalid direction \"%s\": both ends are node %s; use the endpoints' \"egress\"",
				    nn_show(&sh, ks), written(p, a));
		for (i = 0; i < 2 && !(l->end[i].node == a && l->end[1 - i].node == b); i++)
			;
		if (i == 2)
			return fail(p, k, "invalid direction \"%s\": this link is between %s and %s",
				    nn_show(&sh, ks), written(p, l->end[0].node), written(p, l->end[1].node));
		if (dir[i])
			return fail(p, k, "duplicate direction \"%s\"", nn_show(&sh, ks));
		dir[i] = v;
	}
	return 0;
}

static int parse_link(struct parser *p, const yaml_node_t *n, struct nn_labfile_link *l)
{
	static const char *const keys[] = { "endpoints", "cidr", "impair", NULL };
	const yaml_node_t *egress[2], *dir[2] = { NULL, NULL };
	struct nn_labfile_impair both;
	yaml_node_t *v[3];
	bool has_if[2];
	size_t len = 0;
	int ret;

	set_mark(&l->mark, n);
	if ((ret = fields(p, n, "link", keys, v)) < 0)
		return ret;
	if (!v[0])
		return fail(p, n, "link needs \"endpoints\"");
	if ((ret = sequence(p, v[0], "endpoints", &len)) < 0)
		return ret;
	if (len != 2)
		return fail(p, v[0], "a link has 2 endpoints, not %zu", len);
	for (int i = 0; i < 2; i++)
		if ((ret = parse_end(p, item(p, v[0], i), &l->end[i], &has_if[i], &egress[i])) < 0)
			return ret;
	for (int i = 0; i < 2; i++) {
		if (has_if[i])
			continue;
		ret = default_ifname(p, item(p, v[0], i), "if", l->end[i].ifname, "to-",
				     written(p, l->end[1 - i].node));
		if (ret < 0)
			return ret;
	}
	if (v[1]) {
		struct nn_prefix net, hosts[2];

		if ((ret = cidr_value(p, v[1], "cidr", &net)) < 0)
			return ret;
		if (l->end[0].has_addr || l->end[1].has_addr)
			return fail(p, v[1], "\"cidr\" and endpoint addresses exclude each other");
		if (nn_prefix_hosts(&net, 2, hosts, p->e) < 0)
			return fail_value(p, v[1]);
		for (int i = 0; i < 2; i++) {
			l->end[i].addr = hosts[i];
			l->end[i].has_addr = true;
		}
	}
	if (l->end[0].has_addr != l->end[1].has_addr)
		return fail(p, v[0], "give both endpoints an address, or neither");
	if (l->end[0].has_addr && l->end[0].addr.family != l->end[1].addr.family)
		return fail(p, v[0], "the endpoints' addresses are of different families");
	memset(&both, 0, sizeof(both));
	p->skip_directed = true;
	ret = v[2] ? parse_impair(p, v[2], &both) : 0;
	p->skip_directed = false;
	if (ret < 0 || (v[2] && (ret = directed(p, v[2], l, dir)) < 0))
		return ret;
	for (int i = 0; i < 2; i++) {
		l->end[i].egress = both;
		if (egress[i] && dir[i])
			return fail(p, dir[i], "\"egress\" of %s and this direction both impair what %s sends: give one",
				    written(p, l->end[i].node), written(p, l->end[i].node));
		if (egress[i] && (ret = parse_impair(p, egress[i], &l->end[i].egress)) < 0)
			return ret;
		if (dir[i] && (ret = parse_impair(p, dir[i], &l->end[i].egress)) < 0)
			return ret;
	}
	return 0;
}

/* --- bridges --- */

static int parse_member(struct parser *p, const yaml_node_t *n, const struct nn_labfile_bridge *br,
			size_t idx, struct nn_labfile_member *m)
{
	static const char *const keys[] = { "node", "if", "addr", "port", "impair", "egress",
					    "port_egress", NULL };
	yaml_node_t *v[7] = { NULL };
	bool has_if = false;
	char port[IFNAMSIZ + 24];
	struct nn_error tmp;
	int ret;

	set_mark(&m->mark, n);
	if (n->type == YAML_SCALAR_NODE) {
		if ((ret = parse_node_if(p, n, &m->node, m->ifname, &has_if)) < 0)
			return ret;
	} else {
		if ((ret = fields(p, n, "bridge member", keys, v)) < 0)
			return ret;
		if (!v[0])
			return fail(p, n, "bridge member needs \"node\"");
		if ((ret = node_ref_value(p, v[0], &m->node)) < 0)
			return ret;
		has_if = v[1] != NULL;
		if (v[1] && (ret = ifname_value(p, v[1], "if", m->ifname)) < 0)
			return ret;
		if (v[2]) {
			if ((ret = addr_value(p, v[2], "addr", &m->addr)) < 0)
				return ret;
			m->has_addr = true;
		}
		/* As a link's: "impair" both ways, then each end's own. */
		if (v[4] && ((ret = parse_impair(p, v[4], &m->egress)) < 0 ||
			     (ret = parse_impair(p, v[4], &m->port_egress)) < 0))
			return ret;
		if (v[5] && (ret = parse_impair(p, v[5], &m->egress)) < 0)
			return ret;
		if (v[6] && (ret = parse_impair(p, v[6], &m->port_egress)) < 0)
			return ret;
	}
	if (!has_if && (ret = default_ifname(p, n, "if", m->ifname, "to-", br->name)) < 0)
		return ret;
	if (v[3])
		return ifname_value(p, v[3], "port", m->port);
	/* The port is named after the node when that fits, else numbered. */
	snprintf(port, sizeof(port), "%s-%s", br->name, written(p, m->node));
	if (nn_check_ifname(port, &tmp) < 0)
		snprintf(port, sizeof(port), "%s-%zu", br->name, idx);
	if (nn_check_ifname(port, &tmp) < 0)
		return fail(p, n, "the default port name \"%s\" is too long: give \"port\"", port);
	snprintf(m->port, IFNAMSIZ, "%s", port);
	return 0;
}

static int parse_bridge(struct parser *p, const yaml_node_t *n, struct nn_labfile_bridge *br)
{
	static const char *const keys[] = { "name", "node", "addr", "members", NULL };
	yaml_node_t *v[4];
	size_t len = 0;
	int ret;

	set_mark(&br->mark, n);
	if ((ret = fields(p, n, "bridge", keys, v)) < 0)
		return ret;
	if (!v[0])
		return fail(p, n, "bridge needs \"name\"");
	if ((ret = ifname_value(p, v[0], "bridge name", br->name)) < 0)
		return ret;
	br->in_host = !v[1];
	if (v[1] && (ret = node_ref_value(p, v[1], &br->node)) < 0)
		return ret;
	if (v[2]) {
		if ((ret = addr_value(p, v[2], "addr", &br->addr)) < 0)
			return ret;
		br->has_addr = true;
	}
	if (!v[3])
		return 0;
	if ((ret = sequence(p, v[3], "members", &len)) < 0)
		return ret;
	if (!(br->members = alloc_items(p, v[3], len, sizeof(*br->members))))
		return -ENOMEM;
	for (; br->n_members < len; br->n_members++)
		if ((ret = parse_member(p, item(p, v[3], br->n_members), br, br->n_members,
					&br->members[br->n_members])) < 0)
			return ret;
	return 0;
}

/* --- uplinks, port forwards, clients --- */

/* NAT rule tags go into the journal as one field and into nft comments:
 * the engine takes letters, digits and ._:/@+-=, only. */
static int check_tag(struct parser *p, const yaml_node_t *n, const char *tag)
{
	if (strlen(tag) >= NN_NAT_TAG_MAX)
		return fail(p, n, "lab and node names too long for a NAT rule tag (\"%.64s...\")", tag);
	for (const char *c = tag; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("._:/@+-=,", *c)))
			return fail(p, n, "NAT needs lab and node names of letters, digits and ._:/@+-=, only (tag \"%s\")",
				    tag);
	return 0;
}

static int parse_uplink(struct parser *p, const yaml_node_t *n, struct nn_labfile_uplink *up)
{
	static const char *const keys[] = { "node", "cidr", "nat", "if", "host_if", NULL };
	struct nn_prefix hosts[2];
	char tag[NN_NAT_TAG_MAX + 1];
	yaml_node_t *v[5];
	int ret;

	set_mark(&up->mark, n);
	if ((ret = fields(p, n, "uplink", keys, v)) < 0)
		return ret;
	if (!v[0] || !v[1])
		return fail(p, n, "uplink needs \"node\" and \"cidr\"");
	if ((ret = node_ref_value(p, v[0], &up->node)) < 0 ||
	    (ret = cidr_value(p, v[1], "cidr", &up->cidr)) < 0)
		return ret;
	if (up->cidr.family != AF_INET)
		return fail(p, v[1], "an uplink's cidr must be IPv4 (NAT is IPv4 only)");
	if (nn_prefix_hosts(&up->cidr, 2, hosts, p->e) < 0)
		return fail_value(p, v[1]);
	up->host_addr = hosts[0];
	up->node_addr = hosts[1];
	if (v[2] && (ret = boolean(p, v[2], "nat", &up->nat)) < 0)
		return ret;
	if (v[3])
		ret = ifname_value(p, v[3], "if", up->ifname);
	else
		snprintf(up->ifname, IFNAMSIZ, "uplink");
	if (ret < 0)
		return ret;
	if (v[4])
		ret = ifname_value(p, v[4], "host_if", up->host_if);
	else
		ret = default_ifname(p, n, "host_if", up->host_if, "up-", written(p, up->node));
	if (ret < 0)
		return ret;
	nn_labfile_masq_tag(tag, sizeof(tag), p->lf, up);
	return up->nat ? check_tag(p, v[0], tag) : 0;
}

static int port_value(struct parser *p, const yaml_node_t *n, const char *what, uint16_t *port)
{
	const char *s = NULL;
	uint64_t v;
	int ret = scalar(p, n, what, &s);

	if (ret < 0)
		return ret;
	if (nn_parse_uint(s, what, 1, 65535, &v, p->e) < 0)
		return fail_value(p, n);
	*port = (uint16_t)v;
	return 0;
}

static int parse_forward(struct parser *p, const yaml_node_t *n, struct nn_labfile_forward *fw)
{
	static const char *const keys[] = { "node", "proto", "host_port", "port", "addr", NULL };
	char tag[NN_NAT_TAG_MAX + 1];
	struct nn_shown sh;
	yaml_node_t *v[5];
	const char *s = NULL;
	int ret;

	set_mark(&fw->mark, n);
	if ((ret = fields(p, n, "port forward", keys, v)) < 0)
		return ret;
	if (!v[0] || !v[2] || !v[3])
		return fail(p, n, "port forward needs \"node\", \"host_port\" and \"port\"");
	if ((ret = node_ref_value(p, v[0], &fw->node)) < 0)
		return ret;
	fw->proto = IPPROTO_TCP;
	if (v[1]) {
		if ((ret = scalar(p, v[1], "proto", &s)) < 0)
			return ret;
		if (!strcmp(s, "udp"))
			fw->proto = IPPROTO_UDP;
		else if (strcmp(s, "tcp"))
			return fail(p, v[1], "invalid proto \"%s\": expected tcp or udp", nn_show(&sh, s));
	}
	if ((ret = port_value(p, v[2], "host_port", &fw->host_port)) < 0 ||
	    (ret = port_value(p, v[3], "port", &fw->port)) < 0)
		return ret;
	if (v[4]) {
		struct nn_prefix a;

		if ((ret = addr_value(p, v[4], "addr", &a)) < 0)
			return ret;
		if (a.family != AF_INET || a.len != 32)
			return fail(p, v[4], "invalid addr \"%s\": expected an IPv4 address",
				    (const char *)v[4]->data.scalar.value);
		fw->addr = a.addr.v4;
	}
	nn_labfile_dnat_tag(tag, sizeof(tag), p->lf, fw);
	return check_tag(p, n, tag);
}

static int parse_clients(struct parser *p, const yaml_node_t *n, struct nn_labfile_clients *c)
{
	static const char *const keys[] = { "prefix", "count", "parent", "mode", "static", "dns",
					    "timeout", "mac_base", NULL };
	char name[NN_LABFILE_NAME_MAX + 32];
	enum nn_macvlan_mode mode = NN_MACVLAN_BRIDGE;
	yaml_node_t *v[8];
	const char *s = NULL;
	uint64_t num;
	size_t len = 0;
	int ret;

	set_mark(&c->mark, n);
	if ((ret = fields(p, n, "client group", keys, v)) < 0)
		return ret;
	if (!v[0] || !v[1] || !v[2])
		return fail(p, n, "client group needs \"prefix\", \"count\" and \"parent\"");
	if ((ret = parse_ns_name(p, v[0], c->prefix)) < 0 ||
	    (ret = scalar(p, v[1], "count", &s)) < 0)
		return ret;
	if (nn_parse_uint(s, "count", 1, NN_LABFILE_MAX_ITEMS, &num, p->e) < 0)
		return fail_value(p, v[1]);
	c->count = (unsigned int)num;
	/* web1's client 1 would be web11, which is also web's client 11 */
	if (*c->prefix && isdigit((unsigned char)c->prefix[strlen(c->prefix) - 1]))
		return fail(p, v[0], "invalid prefix \"%s\": must not end in a digit", c->prefix);
	snprintf(name, sizeof(name), "%s%u", c->prefix, c->count);
	if (nn_check_netns_name(name, p->e) < 0)
		return fail_value(p, v[0]);
	/* create-clients puts macvlans on host links only */
	c->parent_in_host = true;
	if ((ret = ifname_value(p, v[2], "parent (a link of the host)", c->parent_if)) < 0)
		return ret;
	if (v[3]) {
		if ((ret = scalar(p, v[3], "mode", &s)) < 0)
			return ret;
		if (nn_parse_macvlan_mode(s, &mode, p->e) < 0)
			return fail_value(p, v[3]);
	}
	c->macvlan_mode = (int)mode;
	snprintf(c->mode, sizeof(c->mode), "%s", nn_macvlan_mode_name(mode));
	if (v[4]) {
		_cleanup_free_ struct nn_prefix *hosts = NULL;

		if ((ret = cidr_value(p, v[4], "static", &c->static_cidr)) < 0)
			return ret;
		if (!(hosts = calloc(c->count, sizeof(*hosts))))
			return nn_error_set(p->e, ENOMEM, "%s", p->path);
		if (nn_prefix_hosts(&c->static_cidr, c->count, hosts, p->e) < 0)
			return fail_value(p, v[4]);
		c->is_static = true;
	}
	if (v[5]) {
		if ((ret = sequence(p, v[5], "dns", &len)) < 0)
			return ret;
		if (len > NN_ARRAY_SIZE(c->dns))
			return fail(p, v[5], "dns has more than %zu servers", NN_ARRAY_SIZE(c->dns));
		for (size_t i = 0; i < len; i++) {
			yaml_node_t *it = item(p, v[5], i);
			struct nn_prefix a;
			const char *why;

			if ((ret = addr_value(p, it, "dns", &a)) < 0)
				return ret;
			if (a.family != AF_INET || a.len != 32)
				return fail(p, it, "invalid dns \"%s\": expected an IPv4 address",
					    (const char *)it->data.scalar.value);
			if ((why = nn_clients_dns_problem(a.addr.v4, false)))
				return fail(p, it, "invalid dns \"%s\": %s",
					    (const char *)it->data.scalar.value, why);
			c->dns[c->n_dns++] = a.addr.v4;
		}
	}
	if (v[6]) {
		if ((ret = scalar(p, v[6], "timeout", &s)) < 0)
			return ret;
		if (nn_unit_required(s, "timeout", NN_UNIT_TIME, p->e) < 0 ||
		    nn_parse_time(s, "timeout", &c->timeout_ns, p->e) < 0)
			return fail_value(p, v[6]);
		if (c->timeout_ns / 1000000 > UINT32_MAX || c->timeout_ns < 1000000)
			return fail(p, v[6], "invalid timeout \"%s\": expected 1ms to 49 days", s);
	}
	if (v[7]) {
		if ((ret = scalar(p, v[7], "mac_base", &s)) < 0)
			return ret;
		if (nn_parse_mac(s, c->mac_base, p->e) < 0 ||
		    nn_client_check_mac_base(s, c->mac_base, p->e) < 0)
			return fail_value(p, v[7]);
		c->has_mac_base = true;
	}
	return 0;
}

/* --- expectations (expect.h, docs/verify.md) --- */

static int bound_value(struct parser *p, const yaml_node_t *n, enum nn_bound_kind kind,
		       const char *what, struct nn_bound *b)
{
	const char *s = NULL;
	int ret = scalar(p, n, what, &s);

	if (ret < 0)
		return ret;
	if (nn_bound_parse(s, kind, what, b, p->e) < 0)
		return fail_value(p, n);
	return 0;
}

/* {from: NODE, to: NODE or ADDRESS, reach: BOOL, rtt: .., loss: .., rate: ..} */
static int parse_expect(struct parser *p, const yaml_node_t *n, struct nn_expect *x)
{
	static const char *const keys[] = { "from", "to", "reach", "rtt", "loss", "rate", NULL };
	yaml_node_t *v[6];
	const char *s = NULL;
	struct nn_error tmp;
	size_t node = 0;
	int ret;

	x->line = (unsigned int)n->start_mark.line + 1;
	x->col = (unsigned int)n->start_mark.column + 1;
	if ((ret = fields(p, n, "expectation", keys, v)) < 0)
		return ret;
	if (!v[0] || !v[1])
		return fail(p, n, "expectation needs \"from\" and \"to\"");
	if ((ret = node_ref_value(p, v[0], &node)) < 0)
		return ret;
	snprintf(x->from, sizeof(x->from), "%s", p->lf->nodes[node].name);
	if ((ret = scalar(p, v[1], "to", &s)) < 0)
		return ret;
	/* A node (as the file names it: without the lab's prefix), else an
	 * address probed as it is. */
	if (node_named(p, s) < 0 && !strchr(s, '/') &&
	    nn_parse_ifaddr(s, &x->to_addr, &tmp) == 0) {
		x->to_is_addr = true;
	} else {
		if ((ret = node_ref(p, v[1], s, &node)) < 0)
			return ret;
		snprintf(x->to, sizeof(x->to), "%s", p->lf->nodes[node].name);
	}
	if (v[2]) {
		bool reach;

		if ((ret = boolean(p, v[2], "reach", &reach)) < 0)
			return ret;
		x->reach = reach ? NN_REACH_YES : NN_REACH_NO;
	}
	if ((v[3] && (ret = bound_value(p, v[3], NN_BOUND_TIME, "rtt", &x->rtt)) < 0) ||
	    (v[4] && (ret = bound_value(p, v[4], NN_BOUND_LOSS, "loss", &x->loss)) < 0) ||
	    (v[5] && (ret = bound_value(p, v[5], NN_BOUND_RATE, "rate", &x->rate)) < 0))
		return ret;
	if (x->reach == NN_REACH_NO && !nn_expect_unbounded(x))
		return fail(p, v[2], "\"reach: false\" takes no rtt, loss or rate");
	if (x->to_is_addr && x->rate.set)
		return fail(p, v[5], "a rate needs \"to\" to be a node: netnsctl receives the transfer there");
	return 0;
}

/* --- references --- */

struct ifref {
	ssize_t ns;		/* node index, -1 = host */
	const char *name;
	const struct nn_labfile_mark *mark;
};

static int ifref_cmp(const void *a, const void *b)
{
	const struct ifref *x = a, *y = b;
	int c;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	if ((c = strcmp(x->name, y->name)))
		return c;
	if (x->mark->line != y->mark->line)
		return x->mark->line < y->mark->line ? -1 : 1;
	return x->mark->col < y->mark->col ? -1 : x->mark->col > y->mark->col;
}

__attribute__((format(printf, 3, 4)))
static int fail_mark(struct parser *p, const struct nn_labfile_mark *m, const char *fmt, ...)
{
	yaml_mark_t ym = { .line = m->line - 1, .column = m->col - 1 };
	char msg[NN_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail_at(p, &ym, EINVAL, "%s", msg);
}

/* No namespace gets two interfaces of one name; a route's dev exists. */
static int check_ifnames(struct parser *p)
{
	const struct nn_labfile *lf = p->lf;
	_cleanup_free_ struct ifref *refs = NULL;
	size_t n = 0, max = 2 * lf->n_links + 2 * lf->n_uplinks + lf->n_bridges;

	for (size_t i = 0; i < lf->n_bridges; i++)
		max += 2 * lf->bridges[i].n_members;
	if (!(refs = calloc(max ? max : 1, sizeof(*refs))))
		return nn_error_set(p->e, ENOMEM, "%s", p->path);
	for (size_t i = 0; i < lf->n_links; i++)
		for (int j = 0; j < 2; j++)
			refs[n++] = (struct ifref){ (ssize_t)lf->links[i].end[j].node,
						    lf->links[i].end[j].ifname, &lf->links[i].end[j].mark };
	for (size_t i = 0; i < lf->n_bridges; i++) {
		const struct nn_labfile_bridge *br = &lf->bridges[i];
		ssize_t brns = br->in_host ? -1 : (ssize_t)br->node;

		refs[n++] = (struct ifref){ brns, br->name, &br->mark };
		for (size_t j = 0; j < br->n_members; j++) {
			refs[n++] = (struct ifref){ (ssize_t)br->members[j].node, br->members[j].ifname,
						    &br->members[j].mark };
			refs[n++] = (struct ifref){ brns, br->members[j].port, &br->members[j].mark };
		}
	}
	for (size_t i = 0; i < lf->n_uplinks; i++) {
		refs[n++] = (struct ifref){ (ssize_t)lf->uplinks[i].node, lf->uplinks[i].ifname,
					    &lf->uplinks[i].mark };
		refs[n++] = (struct ifref){ -1, lf->uplinks[i].host_if, &lf->uplinks[i].mark };
	}
	qsort(refs, n, sizeof(*refs), ifref_cmp);
	for (size_t i = 1; i < n; i++) {
		if (refs[i].ns == refs[i - 1].ns && !strcmp(refs[i].name, refs[i - 1].name))
			return fail_mark(p, refs[i].mark, "duplicate interface \"%s\" in %s",
					 refs[i].name,
					 refs[i].ns < 0 ? "the host" : written(p, (size_t)refs[i].ns));
	}
	for (size_t i = 0; i < lf->n_nodes; i++) {
		const struct nn_labfile_node *nd = &lf->nodes[i];

		for (size_t r = 0; r < nd->n_routes; r++) {
			struct ifref key = { (ssize_t)i, nd->routes[r].dev, NULL };
			bool found = false;

			if (!*key.name)
				continue;
			for (size_t k = 0; k < n && !found; k++)
				found = refs[k].ns == key.ns && !strcmp(refs[k].name, key.name);
			if (!found)
				return fail_mark(p, &nd->routes[r].mark, "route dev \"%s\" is no interface of node \"%s\"",
						 key.name, written(p, i));
		}
	}
	return 0;
}

/* A forward without an addr goes to the node's uplink address. */
static int resolve_forwards(struct parser *p)
{
	struct nn_labfile *lf = p->lf;

	for (size_t i = 0; i < lf->n_forwards; i++) {
		struct nn_labfile_forward *fw = &lf->forwards[i];
		size_t u;

		if (fw->addr.s_addr)
			continue;
		for (u = 0; u < lf->n_uplinks && lf->uplinks[u].node != fw->node; u++)
			;
		if (u == lf->n_uplinks)
			return fail_mark(p, &fw->mark, "node \"%s\" has no uplink: give the port forward an \"addr\"",
					 written(p, fw->node));
		fw->addr = lf->uplinks[u].node_addr.addr.v4;
	}
	return 0;
}

/* --- the document --- */

typedef int (*item_fn)(struct parser *p, const yaml_node_t *n, void *obj);

static int parse_list(struct parser *p, const yaml_node_t *list, const char *what, void **arr,
		      size_t *count, size_t size, item_fn fn)
{
	size_t len = 0;
	int ret;

	if ((ret = sequence(p, list, what, &len)) < 0)
		return ret;
	if (!(*arr = alloc_items(p, list, len, size)))
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		*count = i + 1;
		if ((ret = fn(p, item(p, list, i), (char *)*arr + i * size)) < 0)
			return ret;
	}
	return 0;
}

static int link_fn(struct parser *p, const yaml_node_t *n, void *o) { return parse_link(p, n, o); }
static int bridge_fn(struct parser *p, const yaml_node_t *n, void *o) { return parse_bridge(p, n, o); }
static int uplink_fn(struct parser *p, const yaml_node_t *n, void *o) { return parse_uplink(p, n, o); }
static int forward_fn(struct parser *p, const yaml_node_t *n, void *o) { return parse_forward(p, n, o); }
static int clients_fn(struct parser *p, const yaml_node_t *n, void *o) { return parse_clients(p, n, o); }
static int expect_fn(struct parser *p, const yaml_node_t *n, void *o) { return parse_expect(p, n, o); }

/* A lab's name goes into the journal (one field), NAT tags and a directory
 * (STATE_DIR/labs/NAME): not one starting with '.', which tools that list
 * directories (ls, shell globs, an older netnsctl's cleanup) pass over. */
static bool lab_name_ok(const char *s)
{
	if (!*s || strlen(s) > LAB_NAME_MAX || *s == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

static int default_name(struct parser *p)
{
	const char *base = strrchr(p->path, '/');
	char name[NN_LABFILE_NAME_MAX + 1];
	struct nn_shown sh;
	char *dot;

	snprintf(name, sizeof(name), "%s", base ? base + 1 : p->path);
	if ((dot = strrchr(name, '.')) && dot != name)
		*dot = '\0';
	if (!lab_name_ok(name))
		return nn_error_setx(p->e, EINVAL, "%s: cannot name the lab after the file (\"%s\"): give \"name\"",
				     p->path, nn_show(&sh, name));
	snprintf(p->lf->name, sizeof(p->lf->name), "%s", name);
	return 0;
}

/* What every namespace name of the lab starts with ("clab-abc-"): a
 * namespace name's characters, at most NN_LABFILE_PREFIX_MAX bytes. */
static int parse_prefix(struct parser *p, const yaml_node_t *n)
{
	struct nn_shown sh;
	const char *s = NULL;
	int ret = scalar(p, n, "prefix", &s);

	if (ret < 0)
		return ret;
	if (strlen(s) > NN_LABFILE_PREFIX_MAX)
		return fail(p, n, "invalid prefix \"%s\": longer than %d bytes", nn_show(&sh, s),
			    NN_LABFILE_PREFIX_MAX);
	if (nn_check_netns_name(s, p->e) < 0) {
		const char *why = strstr(p->e->msg, "\": ");

		return fail(p, n, "invalid prefix \"%s\": %s", nn_show(&sh, s), why ? why + 3 : p->e->msg);
	}
	snprintf(p->lf->prefix, sizeof(p->lf->prefix), "%s", s);
	return 0;
}

static int parse_root(struct parser *p, const yaml_node_t *root)
{
	static const char *const keys[] = { "name", "nodes", "links", "bridges", "uplinks",
					    "port_forwards", "clients", "prefix", "adopt", "expect",
					    "timeline", NULL };
	struct nn_labfile *lf = p->lf;
	struct nn_shown shown;
	yaml_node_t *v[11];
	int ret;

	if ((ret = fields(p, root, "the lab file", keys, v)) < 0)
		return ret;
	/* Before the nodes: their namespaces' names start with it. */
	if (v[7] && (ret = parse_prefix(p, v[7])) < 0)
		return ret;
	if (v[8] && (ret = boolean(p, v[8], "adopt", &lf->adopt)) < 0)
		return ret;
	if (v[0]) {
		if ((ret = parse_node_name(p, v[0], lf->name)) < 0)
			return ret;
		if (!lab_name_ok(lf->name))
			return fail(p, v[0],
				    "invalid lab name \"%s\": 1 to %d letters, digits, '.', '_' or '-', not starting with '.'",
				    nn_show(&shown, lf->name), LAB_NAME_MAX);
	} else if ((ret = default_name(p)) < 0) {
		return ret;
	}
	if (v[1]) {
		if ((ret = parse_node_names(p, v[1])) < 0)
			return ret;
		for (size_t i = 0; i < lf->n_nodes; i++)
			if ((ret = parse_node(p, item(p, v[1], i), &lf->nodes[i])) < 0)
				return ret;
	}
	if ((v[2] && (ret = parse_list(p, v[2], "links", (void **)&lf->links, &lf->n_links,
				       sizeof(*lf->links), link_fn)) < 0) ||
	    (v[3] && (ret = parse_list(p, v[3], "bridges", (void **)&lf->bridges, &lf->n_bridges,
				       sizeof(*lf->bridges), bridge_fn)) < 0) ||
	    (v[4] && (ret = parse_list(p, v[4], "uplinks", (void **)&lf->uplinks, &lf->n_uplinks,
				       sizeof(*lf->uplinks), uplink_fn)) < 0) ||
	    (v[5] && (ret = parse_list(p, v[5], "port_forwards", (void **)&lf->forwards,
				       &lf->n_forwards, sizeof(*lf->forwards), forward_fn)) < 0) ||
	    (v[6] && (ret = parse_list(p, v[6], "clients", (void **)&lf->clients, &lf->n_clients,
				       sizeof(*lf->clients), clients_fn)) < 0) ||
	    (v[9] && (ret = parse_list(p, v[9], "expect", (void **)&lf->expects, &lf->n_expects,
				       sizeof(*lf->expects), expect_fn)) < 0))
		return ret;
	if ((ret = check_ifnames(p)) < 0 || (ret = resolve_forwards(p)) < 0)
		return ret;
	/* Last: its events name the nodes and interfaces above. */
	if (v[10] && (ret = nn_lfp_parse_timeline(p, v[10])) < 0)
		return ret;
	return 0;
}

static int syntax_error(struct parser *p, const yaml_parser_t *y)
{
	const yaml_mark_t *m = &y->problem_mark;

	if (y->error == YAML_MEMORY_ERROR)
		return nn_error_set(p->e, ENOMEM, "%s", p->path);
	if (y->context)
		return fail_at(p, m, EINVAL, "YAML syntax error: %s %s", y->problem ? y->problem : "error",
			       y->context);
	return fail_at(p, m, EINVAL, "YAML syntax error: %s", y->problem ? y->problem : "error");
}

/*
 * One pass over the events: syntax, one document, no anchors or aliases,
 * bounded depth and size, and the document built from them as they come
 * (yaml_parser_load() would scan the text again, and a lab file's scan is
 * most of its parse).  Marks are the events': errors name line and column.
 */
struct composer {
	yaml_document_t *doc;
	int open[MAX_DEPTH + 1];	/* the collections open, outermost first */
	int key[MAX_DEPTH + 1];		/* a mapping's key waiting for its value */
	int depth;
};

static yaml_node_t *doc_node(yaml_document_t *doc, int id)
{
	return doc->nodes.start + id - 1;
}

/* Node ID (0: not made) into the open collection, or the root. */
static bool attach(struct composer *c, int id, const yaml_event_t *ev)
{
	int parent;

	if (!id)
		return false;
	doc_node(c->doc, id)->start_mark = ev->start_mark;
	doc_node(c->doc, id)->end_mark = ev->end_mark;
	if (!c->depth)
		return true;	/* the root: the first node made */
	parent = c->open[c->depth - 1];
	if (doc_node(c->doc, parent)->type == YAML_SEQUENCE_NODE)
		return yaml_document_append_sequence_item(c->doc, parent, id);
	if (!c->key[c->depth - 1]) {
		c->key[c->depth - 1] = id;
		return true;
	}
	id = yaml_document_append_mapping_pair(c->doc, parent, c->key[c->depth - 1], id);
	c->key[c->depth - 1] = 0;
	return id;
}

/* "!" and no tag alike: the default (as yaml_parser_load() resolves them). */
static const yaml_char_t *tag_of(const yaml_char_t *tag)
{
	return tag && strcmp((const char *)tag, "!") ? tag : NULL;
}

static int compose(struct parser *p, const char *buf, size_t len, yaml_document_t *doc)
{
	struct composer c = { .doc = doc };
	yaml_parser_t y;
	yaml_event_t ev;
	int docs = 0, ret = 0;
	size_t events = 0;

	memset(doc, 0, sizeof(*doc));	/* deleted whole on any error */
	if (!yaml_parser_initialize(&y))
		return nn_error_set(p->e, ENOMEM, "%s", p->path);
	yaml_parser_set_input_string(&y, (const unsigned char *)buf, len);
	for (;;) {
		const char *anchor = NULL;
		bool end, made = true;

		if (!yaml_parser_parse(&y, &ev)) {
			ret = syntax_error(p, &y);
			break;
		}
		if (++events > MAX_EVENTS) {
			ret = fail_at(p, &ev.start_mark, E2BIG, "too many YAML nodes");
			yaml_event_delete(&ev);
			break;
		}
		switch (ev.type) {
		case YAML_ALIAS_EVENT:
			ret = fail_at(p, &ev.start_mark, EINVAL, "YAML aliases are not supported");
			break;
		case YAML_SCALAR_EVENT:
			if (!(anchor = (const char *)ev.data.scalar.anchor))
				made = attach(&c, yaml_document_add_scalar(doc, tag_of(ev.data.scalar.tag),
									   ev.data.scalar.value,
									   (int)ev.data.scalar.length,
									   ev.data.scalar.style),
					      &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
			int id;

			anchor = (const char *)(seq ? ev.data.sequence_start.anchor :
						      ev.data.mapping_start.anchor);
			if (anchor)
				break;
			if (c.depth == MAX_DEPTH) {
				ret = fail_at(p, &ev.start_mark, EINVAL, "nested deeper than %d levels",
					      MAX_DEPTH);
				break;
			}
			id = seq ? yaml_document_add_sequence(doc, tag_of(ev.data.sequence_start.tag),
							      ev.data.sequence_start.style) :
				   yaml_document_add_mapping(doc, tag_of(ev.data.mapping_start.tag),
							     ev.data.mapping_start.style);
			if ((made = attach(&c, id, &ev))) {
				c.open[c.depth] = id;
				c.key[c.depth++] = 0;
			}
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			c.depth--;
			doc_node(doc, c.open[c.depth])->end_mark = ev.end_mark;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				ret = fail_at(p, &ev.start_mark, EINVAL, "more than one YAML document");
			else if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1))
				made = false;
			break;
		default:
			break;
		}
		if (!ret && anchor)
			ret = fail_at(p, &ev.start_mark, EINVAL, "YAML anchors are not supported (\"&%.64s\")",
				      anchor);
		if (!ret && !made)
			ret = nn_error_set(p->e, ENOMEM, "%s", p->path);
		end = ev.type == YAML_STREAM_END_EVENT;
		if (end && !ret && !docs)
			ret = nn_error_setx(p->e, EINVAL, "%s: empty lab file", p->path);
		yaml_event_delete(&ev);
		if (ret || end)
			break;
	}
	yaml_parser_delete(&y);
	if (ret < 0)
		yaml_document_delete(doc);
	return ret;
}

int nn_labfile_parse(const char *buf, size_t len, const char *path, struct nn_labfile **out,
		     struct nn_error *e)
{
	struct nn_shown shown_path;
	/* Positions are printed with the path: keep it one printable line. */
	struct parser p = { .path = nn_show(&shown_path, path), .e = e };
	struct nn_labfile *lf;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret;

	*out = NULL;
	if (len > NN_LABFILE_MAX_BYTES)
		return nn_error_setx(e, E2BIG, "%s: larger than %u bytes", p.path, NN_LABFILE_MAX_BYTES);
	if ((ret = compose(&p, buf, len, &doc)) < 0)
		return ret;
	if (!(lf = calloc(1, sizeof(*lf)))) {
		yaml_document_delete(&doc);
		return nn_error_set(e, ENOMEM, "%s", p.path);
	}
	snprintf(lf->path, sizeof(lf->path), "%s", path);
	p.lf = lf;
	p.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root)
		ret = nn_error_setx(e, EINVAL, "%s: empty lab file", p.path);
	else
		ret = parse_root(&p, root);
	nn_hash_free(&p.nodes);
	yaml_document_delete(&doc);
	if (ret < 0) {
		nn_labfile_free(lf);
		return ret;
	}
	*out = lf;
	return 0;
}

int nn_labfile_load(const char *path, struct nn_labfile **out, struct nn_error *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	*out = NULL;
	if (nn_labfile_read(path, &buf, &len, e) < 0)
		return -e->code;
	return nn_labfile_parse(buf, len, path, out, e);
}

int nn_labfile_read(const char *path, char **out, size_t *out_len, struct nn_error *e)
{
	struct nn_shown shown;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 65536;
	int fd = 0;
	ssize_t r;
	int ret;

	*out = NULL;
	*out_len = 0;
	if (strcmp(path, "-") && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return nn_error_set(e, errno, "cannot open lab file \"%s\"", nn_show(&shown, path));
	for (;;) {
		if (len == cap || !buf) {
			char *nb;

			if (buf)
				cap *= 2;
			if (cap > NN_LABFILE_MAX_BYTES + 1)
				cap = NN_LABFILE_MAX_BYTES + 1;
			if (!(nb = realloc(buf, cap))) {
				ret = nn_error_set(e, ENOMEM, "cannot read lab file \"%s\"", nn_show(&shown, path));
				goto out;
			}
			buf = nb;
		}
		if (len == NN_LABFILE_MAX_BYTES + 1) {
			ret = nn_error_setx(e, E2BIG, "%s: larger than %u bytes", nn_show(&shown, path),
					    NN_LABFILE_MAX_BYTES);
			goto out;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = nn_error_set(e, errno, "cannot read lab file \"%s\"", nn_show(&shown, path));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
	ret = 0;
out:
	if (fd > 0)
		close(fd);
	return ret;
}

void nn_labfile_free(struct nn_labfile *lf)
{
	if (!lf)
		return;
	for (size_t i = 0; i < lf->n_nodes; i++) {
		for (size_t c = 0; c < lf->nodes[i].n_commands; c++) {
			char **argv = lf->nodes[i].commands[c].argv;

			for (size_t a = 0; argv && argv[a]; a++)
				free(argv[a]);
			free(argv);
		}
		free(lf->nodes[i].commands);
		free(lf->nodes[i].routes);
	}
	for (size_t i = 0; i < lf->n_bridges; i++)
		free(lf->bridges[i].members);
	free(lf->nodes);
	free(lf->links);
	free(lf->bridges);
	free(lf->uplinks);
	free(lf->forwards);
	free(lf->clients);
	free(lf->expects);
	nn_tl_events_free(lf->timeline, lf->n_timeline);
	free(lf);
}

ssize_t nn_labfile_node_index(const struct nn_labfile *lf, const char *name)
{
	for (size_t i = 0; i < lf->n_nodes; i++)
		if (!strcmp(lf->nodes[i].name, name))
			return (ssize_t)i;
	return -1;
}

void nn_labfile_masq_tag(char *buf, size_t len, const struct nn_labfile *lf,
			 const struct nn_labfile_uplink *up)
{
	char prefix[NN_NAT_TAG_MAX];

	/* A node's name may hold what a tag cannot ("café"): then a hash. */
	snprintf(prefix, sizeof(prefix), "%s:masq", lf->name);
	nn_nat_tag_for(buf, len, prefix, lf->nodes[up->node].name);
}

void nn_labfile_dnat_tag(char *buf, size_t len, const struct nn_labfile *lf,
			 const struct nn_labfile_forward *fw)
{
	snprintf(buf, len, "%s:dnat:%s:%u", lf->name, fw->proto == IPPROTO_UDP ? "udp" : "tcp",
		 fw->host_port);
}

/* --- to the engine --- */

/* IM as the tree on the ifb of IFNAME in NS (none: no ifb). */
static int add_ingress(struct nn_lab *lab, const char *ns, const char *ifname,
		       const struct nn_labfile_impair *im, struct nn_error *e)
{
	struct nn_tc_tree *t;
	int ret;

	if (im->kind == NN_QDISC_OTHER)
		return 0;
	if (!(t = calloc(1, sizeof(*t))))
		return nn_error_set(e, ENOMEM, "cannot describe the ingress of \"%s\"", ifname);
	t->handle = NN_QDISC_HANDLE;
	t->dflt.has_netem = im->kind == NN_QDISC_NETEM;
	t->dflt.netem = im->netem;
	t->dflt.has_tbf = im->kind == NN_QDISC_TBF;
	t->dflt.tbf = im->tbf;
	ret = nn_lab_add_tc_tree(lab, ns, ifname, true, t, e);
	free(t);
	return ret;
}

static int add_impair(struct nn_lab *lab, const char *ns, const char *ifname,
		      const struct nn_labfile_impair *im, struct nn_error *e)
{
	struct nn_qdisc_info want = { .kind = im->kind };

	switch (im->kind) {
	case NN_QDISC_NETEM:
		snprintf(want.kind_name, sizeof(want.kind_name), "netem");
		want.u.netem = im->netem;
		break;
	case NN_QDISC_TBF:
		snprintf(want.kind_name, sizeof(want.kind_name), "tbf");
		want.u.tbf = im->tbf;
		break;
	default:
		break;
	}
	return nn_lab_add_qdisc(lab, ns, ifname, &want, e);
}

int nn_labfile_add_impair(struct nn_lab *lab, const char *ns, const char *ifname,
			  const struct nn_labfile_impair *im, struct nn_error *e)
{
	return add_impair(lab, ns, ifname, im, e);
}

int nn_labfile_to_lab(const struct nn_labfile *lf, struct nn_lab *lab, struct nn_error *e)
{
	int ret;

	for (size_t i = 0; i < lf->n_nodes; i++) {
		const struct nn_labfile_node *nd = &lf->nodes[i];

		if ((ret = nn_lab_add_netns(lab, nd->name, e)) < 0)
			return ret;
		if ((ret = nn_lab_set_forwarding(lab, nd->name, nd->forwarding, e)) < 0)
			return ret;
	}
	for (size_t i = 0; i < lf->n_links; i++) {
		const struct nn_labfile_link *l = &lf->links[i];
		const struct nn_labfile_end *a = &l->end[0], *b = &l->end[1];
		const char *na = lf->nodes[a->node].name, *nb = lf->nodes[b->node].name;

		ret = nn_lab_add_veth(lab, na, a->ifname, nb, b->ifname,
				      a->has_addr ? &a->addr : NULL, b->has_addr ? &b->addr : NULL, e);
		if (ret < 0 || (ret = add_impair(lab, na, a->ifname, &a->egress, e)) < 0 ||
		    (ret = add_impair(lab, nb, b->ifname, &b->egress, e)) < 0 ||
		    (ret = add_ingress(lab, na, a->ifname, &a->ingress, e)) < 0 ||
		    (ret = add_ingress(lab, nb, b->ifname, &b->ingress, e)) < 0)
			return ret;
	}
	for (size_t i = 0; i < lf->n_bridges; i++) {
		const struct nn_labfile_bridge *br = &lf->bridges[i];
		const char *brns = br->in_host ? "" : lf->nodes[br->node].name;

		if ((ret = nn_lab_add_bridge(lab, brns, br->name, br->has_addr ? &br->addr : NULL, e)) < 0)
			return ret;
		for (size_t j = 0; j < br->n_members; j++) {
			const struct nn_labfile_member *m = &br->members[j];

			ret = nn_lab_add_port(lab, lf->nodes[m->node].name, m->ifname,
					      m->has_addr ? &m->addr : NULL, brns, br->name, m->port, e);
			if (ret < 0)
				return ret;
			/* Only where asked: a member's qdisc netnsctl made and
			 * the file no longer asks for is cleared by the prune. */
			if (m->egress.kind != NN_QDISC_OTHER &&
			    (ret = add_impair(lab, lf->nodes[m->node].name, m->ifname, &m->egress, e)) < 0)
				return ret;
			if (m->port_egress.kind != NN_QDISC_OTHER &&
			    (ret = add_impair(lab, brns, m->port, &m->port_egress, e)) < 0)
				return ret;
		}
	}
	if (lf->n_uplinks && (ret = nn_lab_set_forwarding(lab, "", true, e)) < 0)
		return ret;
	for (size_t i = 0; i < lf->n_uplinks; i++) {
		const struct nn_labfile_uplink *up = &lf->uplinks[i];
		const char *node = lf->nodes[up->node].name;
		struct nn_prefix dflt = { .family = AF_INET }, gw = up->host_addr;

		gw.len = 32;
		ret = nn_lab_add_veth(lab, node, up->ifname, "", up->host_if, &up->node_addr,
				      &up->host_addr, e);
		if (ret < 0 || (ret = nn_lab_add_route(lab, node, &dflt, &gw, up->ifname, e)) < 0)
			return ret;
		if (up->nat) {
			struct nn_nat_rule r = { .kind = NN_NAT_MASQUERADE, .src = up->cidr };

			nn_labfile_masq_tag(r.tag, sizeof(r.tag), lf, up);
			snprintf(r.except_if, sizeof(r.except_if), "%s", up->host_if);
			if ((ret = nn_lab_add_nat(lab, &r, e)) < 0)
				return ret;
		}
	}
	for (size_t i = 0; i < lf->n_forwards; i++) {
		const struct nn_labfile_forward *fw = &lf->forwards[i];
		struct nn_nat_rule r = { .kind = NN_NAT_DNAT, .proto = fw->proto,
					 .port = fw->host_port, .to_port = fw->port, .to = fw->addr };

		nn_labfile_dnat_tag(r.tag, sizeof(r.tag), lf, fw);
		if ((ret = nn_lab_add_nat(lab, &r, e)) < 0)
			return ret;
	}
	for (size_t i = 0; i < lf->n_nodes; i++) {
		const struct nn_labfile_node *nd = &lf->nodes[i];

		for (size_t r = 0; r < nd->n_routes; r++) {
			const struct nn_labfile_route *rt = &nd->routes[r];

			ret = nn_lab_add_route(lab, nd->name, &rt->to, rt->has_via ? &rt->via : NULL,
					       *rt->dev ? rt->dev : NULL, e);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* --- for the parsers of other sections (labfile/parse.h) --- */

struct nn_labfile *nn_lfp_lab(struct parser *p) { return p->lf; }
struct nn_error *nn_lfp_error(struct parser *p) { return p->e; }
void nn_lfp_set_mark(struct nn_labfile_mark *m, const yaml_node_t *n) { set_mark(m, n); }
bool nn_lfp_is_null(const yaml_node_t *n) { return is_null(n); }
int nn_lfp_fail_value(struct parser *p, const yaml_node_t *n) { return fail_value(p, n); }
const char *nn_lfp_written(struct parser *p, size_t i) { return written(p, i); }

int nn_lfp_fail(struct parser *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[NN_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(p, n, "%s", msg);
}

int nn_lfp_fail_mark(struct parser *p, const struct nn_labfile_mark *m, const char *fmt, ...)
{
	char msg[NN_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail_mark(p, m, "%s", msg);
}

int nn_lfp_scalar(struct parser *p, const yaml_node_t *n, const char *what, const char **s)
{
	return scalar(p, n, what, s);
}

int nn_lfp_sequence(struct parser *p, const yaml_node_t *n, const char *what, size_t *len)
{
	return sequence(p, n, what, len);
}

yaml_node_t *nn_lfp_item(struct parser *p, const yaml_node_t *seq, size_t i)
{
	return item(p, seq, i);
}

yaml_node_t *nn_lfp_node_at(struct parser *p, int i)
{
	return node_at(p, i);
}

int nn_lfp_fields(struct parser *p, const yaml_node_t *n, const char *what,
		  const char *const *keys, yaml_node_t **vals)
{
	return fields(p, n, what, keys, vals);
}

int nn_lfp_node_ref(struct parser *p, const yaml_node_t *n, const char *s, size_t *idx)
{
	return node_ref(p, n, s, idx);
}

int nn_lfp_parse_impair(struct parser *p, const yaml_node_t *n, struct nn_labfile_impair *im)
{
	return parse_impair(p, n, im);
}

int nn_lfp_parse_command(struct parser *p, const yaml_node_t *n, struct nn_labfile_command *c)
{
	return parse_command(p, n, c);
}

int nn_lfp_parse_expect(struct parser *p, const yaml_node_t *n, struct nn_expect *x)
{
	return parse_expect(p, n, x);
}
