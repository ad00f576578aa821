// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shape of a lab (shape.h): its wants as bytes, in one fixed order,
 * each name with its NUL and each number as 8 bytes, every list after its
 * length, so that equal bytes are equal wants and a record compares with
 * memcmp.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/hash.h"
#include "engine/shape.h"

#define MAGIC "netnsctl shape 1\n"

struct bytes {
	uint8_t *b;
	size_t len, cap;
	bool oom;
};

static void put(struct bytes *s, const void *p, size_t n)
{
	if (s->oom)
		return;
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		uint8_t *nb;

		while (cap < s->len + n)
			cap *= 2;
		if (!(nb = realloc(s->b, cap))) {
			s->oom = true;
			return;
		}
		s->b = nb;
		s->cap = cap;
	}
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void put_u64(struct bytes *s, uint64_t v)
{
	put(s, &v, sizeof(v));
}

/* A name of a fixed-size field (maybe without its NUL), and its NUL. */
static void put_name(struct bytes *s, const char *name, size_t size)
{
	put(s, name, strnlen(name, size));
	put(s, "", 1);
}

#define PUT_NAME(s, field) put_name(s, field, sizeof(field))

/* A prefix as nn_prefix_equal() sees it, when HAS. */
static void put_prefix(struct bytes *s, bool has, const struct nn_prefix *p)
{
	put_u64(s, has);
	if (!has)
		return;
	put_u64(s, (uint64_t)p->family);
	put_u64(s, p->len);
	put(s, p->addr.bytes, p->family == AF_INET ? 4 : 16);
}

static void put_veth(struct bytes *s, const struct lab_veth *v)
{
	for (int k = 0; k < 2; k++) {
		PUT_NAME(s, v->ns[k]);
		PUT_NAME(s, v->ifname[k]);
		put_prefix(s, v->has_addr[k], &v->addr[k]);
	}
	PUT_NAME(s, v->master);
}

static void put_bridge(struct bytes *s, const struct lab_bridge *v)
{
	PUT_NAME(s, v->ns);
	PUT_NAME(s, v->name);
	put_prefix(s, v->has_addr, &v->addr);
}

static void put_macvlan(struct bytes *s, const struct lab_macvlan *v)
{
	PUT_NAME(s, v->ns);
	PUT_NAME(s, v->parent_ns);
	PUT_NAME(s, v->ifname);
	PUT_NAME(s, v->parent);
	put(s, v->mac, sizeof(v->mac));
	put_u64(s, (uint64_t)v->mode);
}

static void put_route(struct bytes *s, const struct lab_route *v)
{
	PUT_NAME(s, v->ns);
	PUT_NAME(s, v->ifname);
	put_prefix(s, true, &v->dst);
	put_prefix(s, v->has_gw, &v->gw);
}

static void put_fwd(struct bytes *s, const struct lab_fwd *v)
{
	PUT_NAME(s, v->ns);
	put_u64(s, v->on);
}

/* A rule as nn_nat_rule_same() sees it; false for a kind it never matches. */
static bool put_nat(struct bytes *s, const struct nn_nat_rule *v)
{
	put_u64(s, (uint64_t)v->kind);
	PUT_NAME(s, v->tag);
	switch (v->kind) {
	case NN_NAT_MASQUERADE:
		put_prefix(s, true, &v->src);
		PUT_NAME(s, v->except_if);
		return true;
	case NN_NAT_DNAT:
		put_u64(s, (uint64_t)v->proto);
		put_u64(s, v->port);
		put_u64(s, v->to_port);
		put(s, &v->to.s_addr, sizeof(v->to.s_addr));
		return true;
	default:
		return false;
	}
}

/* A command by its node, its place and its words (not their hash). */
static void put_command(struct bytes *s, const struct lab_command *v)
{
	size_t n = 0;

	PUT_NAME(s, v->node);
	put_u64(s, v->index);
	while (v->argv && v->argv[n])
		n++;
	put_u64(s, n);
	for (size_t k = 0; k < n; k++)
		put(s, v->argv[k], strlen(v->argv[k]) + 1);
}

static void put_group(struct bytes *s, const struct lab_group *v)
{
	const struct nn_clients_spec *c = &v->spec;

	PUT_NAME(s, v->prefix);
	PUT_NAME(s, v->parent);
	put_u64(s, c->count);
	put_u64(s, (uint64_t)c->mode);
	put_u64(s, c->n_dns);
	for (unsigned k = 0; k < c->n_dns && k < NN_DHCP_DNS_MAX; k++)
		put(s, &c->dns[k].s_addr, sizeof(c->dns[k].s_addr));
	put_prefix(s, c->is_static, &c->static_net);
	put_u64(s, c->has_mac_base);
	if (c->has_mac_base)
		put(s, c->mac_base, sizeof(c->mac_base));
	put_u64(s, c->timeout_ms);
}

/* Each of LAB's N_FIELD FIELD after their count, as PUT writes one. */
#define PUT_LIST(s, lab, field, put_one)                              \
	do {                                                          \
		put_u64(s, (lab)->n_##field);                         \
		for (size_t _i = 0; _i < (lab)->n_##field; _i++)      \
			put_one(s, &(lab)->field[_i]);                \
	} while (0)

/* A root qdisc's spec as words: the kind, then the fields a change of
 * which is a change of the qdisc (what the kernel is asked for). */
static void want_words(const struct nn_qdisc_info *q, uint64_t w[NN_SHAPE_WANT_WORDS])
{
	const struct nn_netem *n = &q->u.netem;

	memset(w, 0, NN_SHAPE_WANT_WORDS * sizeof(*w));
	w[0] = (uint64_t)q->kind;
	if (q->kind == NN_QDISC_TBF) {
		w[1] = q->u.tbf.rate;
		w[2] = q->u.tbf.burst;
		w[3] = q->u.tbf.limit;
		w[4] = q->u.tbf.latency_ns;
	} else if (q->kind == NN_QDISC_NETEM) {
		uint64_t v[] = {
			n->delay_ns, n->jitter_ns, n->delay_corr,
			n->loss, n->loss_corr, n->duplicate, n->duplicate_corr,
			n->reorder, n->reorder_corr, n->corrupt, n->corrupt_corr,
			n->gap, n->limit, n->rate, (uint64_t)n->dist,
		};

		_Static_assert(sizeof(v) / sizeof(v[0]) < NN_SHAPE_WANT_WORDS, "netem's words");
		memcpy(w + 1, v, sizeof(v));
	}
}

static void root_key(char *key, size_t len, const char *ns, const char *ifname)
{
	snprintf(key, len, "%s/%s", ns, ifname);	/* neither name holds a '/' */
}

/* Are the roots' links each set once? */
static bool roots_once(const struct nn_lab_shape *s)
{
	struct nn_hash seen = NN_HASH_INIT;
	char key[NSNAME_MAX + IFNAMSIZ + 2];
	bool once = true;

	for (size_t i = 0; once && i < s->n_roots; i++) {
		root_key(key, sizeof(key), s->roots[i].ns, s->roots[i].ifname);
		once = !nn_hash_find(&seen, key, NULL) && nn_hash_put(&seen, key, NULL) == 0;
	}
	nn_hash_free(&seen);
	return once;
}

int nn_lab_shape_make(const struct nn_lab *lab, struct nn_lab_shape *out)
{
	struct bytes s = { 0 };
	bool nats_known = true;

	memset(out, 0, sizeof(*out));
	PUT_NAME(&s, lab->owner);
	put_u64(&s, lab->prune);
	put_u64(&s, (uint64_t)lab->claim);
	put_u64(&s, lab->new_namespaces);
	put_u64(&s, lab->n_ns);
	for (size_t i = 0; i < lab->n_ns; i++)
		PUT_NAME(&s, lab->ns[i]);
	PUT_LIST(&s, lab, veths, put_veth);
	PUT_LIST(&s, lab, bridges, put_bridge);
	PUT_LIST(&s, lab, macvlans, put_macvlan);
	PUT_LIST(&s, lab, routes, put_route);
	PUT_LIST(&s, lab, fwds, put_fwd);
	put_u64(&s, lab->n_nats);
	for (size_t i = 0; i < lab->n_nats; i++)
		nats_known &= put_nat(&s, &lab->nats[i]);
	PUT_LIST(&s, lab, cmds, put_command);
	PUT_LIST(&s, lab, groups, put_group);
	if (s.oom || (lab->n_qdiscs && !(out->roots = calloc(lab->n_qdiscs, sizeof(*out->roots))))) {
		free(s.b);
		return -ENOMEM;
	}
	out->body = s.b;
	out->body_len = s.len;
	out->n_roots = lab->n_qdiscs;
	for (size_t i = 0; i < lab->n_qdiscs; i++) {
		struct nn_shape_root *r = &out->roots[i];

		snprintf(r->ns, sizeof(r->ns), "%s", lab->qdiscs[i].ns);
		snprintf(r->ifname, sizeof(r->ifname), "%s", lab->qdiscs[i].ifname);
		want_words(&lab->qdiscs[i].want, r->want);
	}
	/* tc trees: their links' ifbs and ingress are observed whole. */
	out->whole = lab->every_owner || lab->n_del_ns || lab->n_del_veths || lab->n_tcs ||
		     !nats_known || !roots_once(out);
	return 0;
}

void nn_lab_shape_free(struct nn_lab_shape *s)
{
	free(s->body);
	free(s->roots);
	memset(s, 0, sizeof(*s));
}

int nn_lab_shape_encode(const struct nn_lab_shape *s, char **buf, size_t *len)
{
	struct bytes b = { 0 };

	put(&b, MAGIC, strlen(MAGIC));
	put_u64(&b, s->whole);
	put_u64(&b, s->body_len);
	put(&b, s->body, s->body_len);
	put_u64(&b, s->n_roots);
	for (size_t i = 0; i < s->n_roots; i++) {
		PUT_NAME(&b, s->roots[i].ns);
		PUT_NAME(&b, s->roots[i].ifname);
		put(&b, s->roots[i].want, sizeof(s->roots[i].want));
	}
	if (b.oom) {
		free(b.b);
		return -ENOMEM;
	}
	*buf = (char *)b.b;
	*len = b.len;
	return 0;
}

/* A reader of a record's bytes: every take fails once one has. */
struct cursor {
	const uint8_t *p, *end;
	bool bad;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
	const uint8_t *at = c->p;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	return at;
}

static uint64_t take_u64(struct cursor *c)
{
	const uint8_t *at = take(c, sizeof(uint64_t));
	uint64_t v = 0;

	if (at)
		memcpy(&v, at, sizeof(v));
	return v;
}

/* A name with its NUL into OUT (SIZE bytes, the NUL within). */
static void take_name(struct cursor *c, char *out, size_t size)
{
	size_t left = c->bad ? 0 : (size_t)(c->end - c->p);
	size_t n = strnlen((const char *)c->p, left < size ? left : size);
	const uint8_t *at;

	if (n == size || n == left) {	/* no NUL within the field or the bytes */
		c->bad = true;
		return;
	}
	if ((at = take(c, n + 1)))
		memcpy(out, at, n + 1);
}

int nn_lab_shape_decode(const char *buf, size_t len, struct nn_lab_shape *out)
{
	struct cursor c = { (const uint8_t *)buf, (const uint8_t *)buf + len, false };
	const uint8_t *magic = take(&c, strlen(MAGIC)), *body;
	uint64_t whole, body_len, n;

	memset(out, 0, sizeof(*out));
	if (!magic || memcmp(magic, MAGIC, strlen(MAGIC)))
		return -EINVAL;
	whole = take_u64(&c);
	body_len = take_u64(&c);
	if (c.bad || body_len > len || !(body = take(&c, (size_t)body_len)))
		return -EINVAL;
	n = take_u64(&c);
	/* Each root takes two NULs and its words: N cannot be more. */
	if (c.bad || whole > 1 || n > len / (2 + sizeof(out->roots[0].want)))
		return -EINVAL;
	if ((body_len && !(out->body = malloc((size_t)body_len))) ||
	    (n && !(out->roots = calloc((size_t)n, sizeof(*out->roots))))) {
		nn_lab_shape_free(out);
		return -ENOMEM;
	}
	if (body_len)
		memcpy(out->body, body, (size_t)body_len);
	out->body_len = (size_t)body_len;
	out->n_roots = (size_t)n;
	out->whole = whole;
	for (size_t i = 0; !c.bad && i < out->n_roots; i++) {
		const uint8_t *w;

		take_name(&c, out->roots[i].ns, sizeof(out->roots[i].ns));
		take_name(&c, out->roots[i].ifname, sizeof(out->roots[i].ifname));
		if ((w = take(&c, sizeof(out->roots[i].want))))
			memcpy(out->roots[i].want, w, sizeof(out->roots[i].want));
	}
	if (c.bad || c.p != c.end) {
		nn_lab_shape_free(out);
		return -EINVAL;
	}
	return 0;
}

bool nn_lab_shape_narrows(const struct nn_lab_shape *before, const struct nn_lab_shape *after)
{
	struct nn_hash had = NN_HASH_INIT;
	char key[NSNAME_MAX + IFNAMSIZ + 2];
	bool differ = after->n_roots != before->n_roots, ok = true;
	size_t kept = 0;
	void *v;

	if (before->whole || after->whole || before->body_len != after->body_len ||
	    memcmp(before->body, after->body, before->body_len))
		return false;
	for (size_t i = 0; ok && i < before->n_roots; i++) {
		root_key(key, sizeof(key), before->roots[i].ns, before->roots[i].ifname);
		ok = nn_hash_put(&had, key, (void *)&before->roots[i]) == 0;
	}
	for (size_t i = 0; ok && i < after->n_roots; i++) {
		const struct nn_shape_root *y = &after->roots[i];

		root_key(key, sizeof(key), y->ns, y->ifname);
		if (!nn_hash_del(&had, key, &v))
			continue;
		kept++;
		differ |= memcmp(((const struct nn_shape_root *)v)->want, y->want, sizeof(y->want)) != 0;
	}
	nn_hash_free(&had);
	return ok && kept == before->n_roots && differ;
}

bool nn_lab_differs_in_qdiscs_only(const struct nn_lab *a, const struct nn_lab *b)
{
	struct nn_lab_shape x, y;
	bool narrows = false;

	if (nn_lab_shape_make(a, &x) < 0)
		return false;
	if (nn_lab_shape_make(b, &y) == 0) {
		narrows = nn_lab_shape_narrows(&x, &y);
		nn_lab_shape_free(&y);
	}
	nn_lab_shape_free(&x);
	return narrows;
}
