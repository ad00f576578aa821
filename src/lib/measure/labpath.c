// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Paths through a lab file's lab (labpath.h): the interfaces of the file in
 * one table, then IPv4/IPv6 forwarding as the kernel would do it with the
 * routes the lab installs: longest prefix first, connected routes before
 * static ones of the same length, a gateway reached over the link whose
 * subnet holds it, and a packet not for a node dropped unless it forwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/labpath.h"
#include "util/cleanup.h"

/* One interface the file describes. */
struct mif {
	ssize_t node;		/* NN_PATH_HOST or a node index */
	const char *ifname;
	bool has_addr;
	struct nn_prefix addr;
	const struct nn_labfile_impair *egress;
	size_t seg;
	bool port;		/* a bridge port: no address, a member's way out of the bridge */
	ssize_t port_if;	/* a member's interface: the index of its port */
};

struct table {
	const struct nn_labfile *lf;
	struct mif *v;
	size_t n;
};

static const struct nn_labfile_impair *impair_or_null(const struct nn_labfile_impair *im)
{
	return im->kind == NN_QDISC_OTHER ? NULL : im;
}

static void add(struct table *t, ssize_t node, const char *ifname, const struct nn_prefix *addr,
		const struct nn_labfile_impair *egress, size_t seg)
{
	struct mif *m = &t->v[t->n++];

	memset(m, 0, sizeof(*m));
	m->node = node;
	m->ifname = ifname;
	m->has_addr = addr != NULL;
	if (addr)
		m->addr = *addr;
	m->egress = egress ? impair_or_null(egress) : NULL;
	m->seg = seg;
	m->port_if = -1;
}

static int build(const struct nn_labfile *lf, struct table *t, struct nn_error *e)
{
	size_t max = 2 * lf->n_links + 2 * lf->n_uplinks + lf->n_bridges, seg = 0;

	for (size_t i = 0; i < lf->n_bridges; i++)
		max += 2 * lf->bridges[i].n_members;
	t->lf = lf;
	t->n = 0;
	if (!(t->v = calloc(max ? max : 1, sizeof(*t->v))))
		return nn_error_set(e, ENOMEM, "cannot trace a path");
	for (size_t i = 0; i < lf->n_links; i++, seg++)
		for (int j = 0; j < 2; j++) {
			const struct nn_labfile_end *end = &lf->links[i].end[j];

			add(t, (ssize_t)end->node, end->ifname, end->has_addr ? &end->addr : NULL,
			    &end->egress, seg);
		}
	for (size_t i = 0; i < lf->n_bridges; i++, seg++) {
		const struct nn_labfile_bridge *br = &lf->bridges[i];
		ssize_t brns = br->in_host ? NN_PATH_HOST : (ssize_t)br->node;

		add(t, brns, br->name, br->has_addr ? &br->addr : NULL, NULL, seg);
		for (size_t j = 0; j < br->n_members; j++) {
			const struct nn_labfile_member *m = &br->members[j];

			add(t, (ssize_t)m->node, m->ifname, m->has_addr ? &m->addr : NULL, &m->egress,
			    seg);
			t->v[t->n - 1].port_if = (ssize_t)t->n;
			add(t, brns, m->port, NULL, &m->port_egress, seg);
			t->v[t->n - 1].port = true;
		}
	}
	for (size_t i = 0; i < lf->n_uplinks; i++, seg++) {
		const struct nn_labfile_uplink *up = &lf->uplinks[i];

		add(t, (ssize_t)up->node, up->ifname, &up->node_addr, NULL, seg);
		add(t, NN_PATH_HOST, up->host_if, &up->host_addr, NULL, seg);
	}
	return 0;
}

static bool same_addr(const struct nn_prefix *a, const struct nn_prefix *b)
{
	return a->family == b->family &&
	       !memcmp(a->addr.bytes, b->addr.bytes, a->family == AF_INET ? 4 : 16);
}

/* NET (its first LEN bits) holds ADDR. */
static bool contains(const struct nn_prefix *net, uint8_t len, const struct nn_prefix *addr)
{
	unsigned int full = len / 8, rest = len % 8;

	if (net->family != addr->family)
		return false;
	if (memcmp(net->addr.bytes, addr->addr.bytes, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (net->addr.bytes[full] & mask) == (addr->addr.bytes[full] & mask);
	}
	return true;
}

static const char *node_name(const struct table *t, ssize_t node)
{
	return node == NN_PATH_HOST ? "" : t->lf->nodes[node].name;
}

static const char *node_label(const struct table *t, ssize_t node)
{
	return node == NN_PATH_HOST ? "the host" : t->lf->nodes[node].name;
}

static bool is_local(const struct table *t, ssize_t node, const struct nn_prefix *dst)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].node == node && t->v[i].has_addr && same_addr(&t->v[i].addr, dst))
			return true;
	return false;
}

static ssize_t owner(const struct table *t, const struct nn_prefix *dst)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].has_addr && same_addr(&t->v[i].addr, dst))
			return t->v[i].node;
	return NN_PATH_NOBODY;
}

static bool forwards(const struct table *t, ssize_t node, int family)
{
	/* netnsctl switches IPv4 forwarding only: a lab never forwards IPv6. */
	if (family != AF_INET)
		return false;
	if (node == NN_PATH_HOST)
		return t->lf->n_uplinks > 0;
	return t->lf->nodes[node].forwarding;
}

static ssize_t find_if(const struct table *t, ssize_t node, const char *ifname)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].node == node && !t->v[i].port && !strcmp(t->v[i].ifname, ifname))
			return (ssize_t)i;
	return -1;
}

/* The interface of NODE whose connected subnet holds ADDR (longest prefix). */
static ssize_t connected_to(const struct table *t, ssize_t node, const struct nn_prefix *addr,
			    int *len)
{
	ssize_t best = -1;

	for (size_t i = 0; i < t->n; i++) {
		const struct mif *m = &t->v[i];

		if (m->node != node || !m->has_addr || m->port || !contains(&m->addr, m->addr.len, addr))
			continue;
		if (best < 0 || m->addr.len > t->v[best].addr.len)
			best = (ssize_t)i;
	}
	if (best >= 0 && len)
		*len = t->v[best].addr.len;
	return best;
}

struct hop_choice {
	ssize_t dev;
	bool has_gw;
	struct nn_prefix gw;
};

/* The route NODE takes to DST; false with WHY when it has none. */
static bool lookup(const struct table *t, ssize_t node, const struct nn_prefix *dst,
		   struct hop_choice *out, char *why, size_t why_len)
{
	const struct nn_labfile *lf = t->lf;
	char a[64], b[64];
	int best_len = -1, len = 0;
	ssize_t dev;

	memset(out, 0, sizeof(*out));
	out->dev = -1;
	if ((dev = connected_to(t, node, dst, &len)) >= 0) {
		best_len = len;
		out->dev = dev;
	}
	if (node != NN_PATH_HOST) {
		const struct nn_labfile_node *nd = &lf->nodes[node];

		for (size_t r = 0; r < nd->n_routes; r++) {
			const struct nn_labfile_route *rt = &nd->routes[r];

			if (!contains(&rt->to, rt->to.len, dst) || rt->to.len <= best_len)
				continue;
			if (*rt->dev)
				dev = find_if(t, node, rt->dev);
			else
				dev = connected_to(t, node, &rt->via, NULL);
			if (dev < 0) {
				snprintf(why, why_len, "%s's route to %s: gateway %s is on none of its links",
					 node_label(t, node), nn_format_prefix(a, sizeof(a), &rt->to, true),
					 nn_format_prefix(b, sizeof(b), &rt->via, false));
				return false;
			}
			best_len = rt->to.len;
			out->dev = dev;
			out->has_gw = rt->has_via;
			out->gw = rt->via;
		}
		/* An uplink is the node's default route via the host's end. */
		for (size_t u = 0; u < lf->n_uplinks && best_len < 0; u++) {
			const struct nn_labfile_uplink *up = &lf->uplinks[u];

			if ((ssize_t)up->node != node || dst->family != AF_INET)
				continue;
			out->dev = find_if(t, node, up->ifname);
			out->has_gw = true;
			out->gw = up->host_addr;
			best_len = 0;
		}
	}
	if (out->dev < 0) {
		snprintf(why, why_len, "%s has no route to %s", node_label(t, node),
			 nn_format_prefix(a, sizeof(a), dst, false));
		return false;
	}
	return true;
}

/* The interface other than DEV on DEV's link or bridge that holds ADDR. */
static ssize_t neighbour(const struct table *t, size_t dev, const struct nn_prefix *addr)
{
	for (size_t i = 0; i < t->n; i++)
		if (i != dev && t->v[i].seg == t->v[dev].seg && t->v[i].has_addr && !t->v[i].port &&
		    same_addr(&t->v[i].addr, addr))
			return (ssize_t)i;
	return -1;
}

static bool push(struct nn_path *p, const struct table *t, size_t i)
{
	const struct mif *m = &t->v[i];

	if (p->n_hops == NN_PATH_MAX_HOPS)
		return false;
	p->hops[p->n_hops++] = (struct nn_path_hop){ node_name(t, m->node), m->ifname, m->egress,
						      m->seg };
	return true;
}

static void trace(const struct table *t, ssize_t src, const struct nn_prefix *dst,
		  struct nn_path *p)
{
	ssize_t cur = src;
	char a[64];

	memset(p, 0, sizeof(*p));
	p->dst_node = owner(t, dst);
	for (int ttl = 0; ttl < NN_PATH_MAX_HOPS / 2; ttl++) {
		struct hop_choice h;
		const struct nn_prefix *next;
		ssize_t nb;

		if (is_local(t, cur, dst)) {
			if (!p->has_src) {
				p->src = *dst;
				p->has_src = true;
			}
			p->reached = true;
			p->dst_node = cur;
			return;
		}
		if (cur != src && !forwards(t, cur, dst->family)) {
			snprintf(p->why, sizeof(p->why), "%s does not forward%s", node_label(t, cur),
				 dst->family == AF_INET ? " (forwarding: false)" : " IPv6");
			return;
		}
		if (!lookup(t, cur, dst, &h, p->why, sizeof(p->why)))
			return;
		if (!p->has_src) {
			const struct mif *d = &t->v[h.dev];

			if (d->has_addr && d->addr.family == dst->family) {
				p->src = d->addr;
			} else {
				size_t i;

				for (i = 0; i < t->n; i++)
					if (t->v[i].node == cur && t->v[i].has_addr &&
					    t->v[i].addr.family == dst->family)
						break;
				if (i == t->n) {
					snprintf(p->why, sizeof(p->why), "%s has no address to send from",
						 node_label(t, cur));
					return;
				}
				p->src = t->v[i].addr;
			}
			p->src.len = p->src.family == AF_INET ? 32 : 128;
			p->has_src = true;
		}
		next = h.has_gw ? &h.gw : dst;
		if ((nb = neighbour(t, (size_t)h.dev, next)) < 0) {
			snprintf(p->why, sizeof(p->why), "nothing on %s's %s answers for %s",
				 node_label(t, cur), t->v[h.dev].ifname,
				 nn_format_prefix(a, sizeof(a), next, false));
			return;
		}
		if (!push(p, t, (size_t)h.dev))
			break;
		/* Across a bridge: out of the port of the member it is for. */
		if (t->v[nb].port_if >= 0 && !push(p, t, (size_t)t->v[nb].port_if))
			break;
		cur = t->v[nb].node;
	}
	snprintf(p->why, sizeof(p->why), "a routing loop (more than %d hops)", NN_PATH_MAX_HOPS / 2);
}

int nn_labpath_trace(const struct nn_labfile *lf, size_t src, const struct nn_prefix *dst,
		     struct nn_path *path, struct nn_error *e)
{
	struct table t;
	int ret = build(lf, &t, e);

	if (ret < 0)
		return ret;
	trace(&t, (ssize_t)src, dst, path);
	free(t.v);
	return 0;
}

int nn_labpath_round_trip(const struct nn_labfile *lf, size_t src, const struct nn_prefix *dst,
			  struct nn_path *fwd, struct nn_path *rev, struct nn_error *e)
{
	struct table t;
	int ret = build(lf, &t, e);

	if (ret < 0)
		return ret;
	trace(&t, (ssize_t)src, dst, fwd);
	memset(rev, 0, sizeof(*rev));
	rev->dst_node = (ssize_t)src;
	if (!fwd->reached) {
		snprintf(rev->why, sizeof(rev->why), "%s", fwd->why);
	} else {
		char why[sizeof(rev->why)];

		trace(&t, fwd->dst_node, &fwd->src, rev);
		if (!rev->reached) {
			snprintf(why, sizeof(why), "replies: %s", rev->why);
			snprintf(rev->why, sizeof(rev->why), "%s", why);
		}
	}
	free(t.v);
	return 0;
}

size_t nn_labpath_node_addrs(const struct nn_labfile *lf, size_t node, struct nn_prefix *out,
			     size_t max)
{
	struct nn_error e;
	struct table t;
	size_t k = 0;

	if (build(lf, &t, &e) < 0)
		return 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.v[i].node != (ssize_t)node || !t.v[i].has_addr)
			continue;
		if (k < max)
			out[k] = t.v[i].addr;
		k++;
	}
	free(t.v);
	return k;
}

bool nn_labpath_share(const struct nn_path *a, const struct nn_path *b)
{
	for (size_t i = 0; i < a->n_hops; i++)
		for (size_t j = 0; j < b->n_hops; j++)
			if (a->hops[i].segment == b->hops[j].segment)
				return true;
	return false;
}
