// SPDX-License-Identifier: GPL-2.0-or-later
/* Namespaces as the kernel has them now, for graph and list (live.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/link.h"
#include "netnsctl/live.h"

static int cmp_link(const void *pa, const void *pb)
{
	const struct nn_link_info *a = pa, *b = pb;

	return (a->ifindex > b->ifindex) - (a->ifindex < b->ifindex);
}

const struct nn_link_info *nn_live_link(const struct nn_live_ns *sp, int ifindex)
{
	struct nn_link_info key = { .ifindex = ifindex };

	return bsearch(&key, sp->links, sp->n_links, sizeof(key), cmp_link);
}

void nn_live_free(struct nn_live_ns *sp)
{
	free(sp->links);
	free(sp->marked);
	free(sp->addrs);
	free(sp->roots);
	free(sp->routes);
	free(sp->ids);
}

void nn_live_release(struct nn_ctx *ctx, const struct nn_live_ns *sp)
{
	if (*sp->name)
		nn_ctx_ns_forget(ctx, sp->name);
}

int nn_live_read(struct nn_ctx *ctx, struct nn_live_ns *sp, bool routes, struct nn_error *e)
{
	struct nn_ns *ns;
	int ret = nn_ctx_ns(ctx, sp->name, &ns, e);

	if (ret < 0)
		return *sp->name && e->code == ENOENT ? 0 : ret;
	ret = 0;
	if (nn_link_list(ns, &sp->links, &sp->n_links, e) < 0 ||
	    nn_addr_list(ns, &sp->addrs, &sp->n_addrs, e) < 0 ||
	    nn_qdisc_roots(ns, &sp->roots, &sp->n_roots, e) < 0 ||
	    (routes && nn_route_list(ns, &sp->routes, &sp->n_routes, e) < 0))
		ret = -e->code;
	nn_live_release(ctx, sp);
	if (ret < 0)
		return ret;
	qsort(sp->links, sp->n_links, sizeof(*sp->links), cmp_link);
	sp->marked = calloc(sp->n_links + 1, sizeof(*sp->marked));
	if (!sp->marked)
		return nn_error_set(e, ENOMEM, "cannot read namespace \"%s\"", sp->name);
	sp->live = true;
	return 1;
}

/* The id namespace I gives namespace J, asked once. */
static int nsid_of(struct nn_ctx *ctx, struct nn_live_ns *spaces, size_t i, size_t j,
		   int32_t *nsid, struct nn_error *e)
{
	struct nn_live_ns *sp = &spaces[i];
	struct nn_ns *ns_i, *ns_j;
	int ret;

	for (size_t k = 0; k < sp->n_ids; k++) {
		if (sp->ids[k].space == j) {
			*nsid = sp->ids[k].nsid;
			return 0;
		}
	}
	/* I's handle stays for the rest of I's links; J's goes now. */
	if (nn_ctx_ns(ctx, sp->name, &ns_i, e) < 0 || nn_ctx_ns(ctx, spaces[j].name, &ns_j, e) < 0)
		return -e->code;
	ret = nn_ns_peer_nsid(ns_i, ns_j, nsid, e);
	nn_live_release(ctx, &spaces[j]);
	if (ret < 0)
		return ret;
	if (sp->n_ids == sp->cap_ids) {
		size_t cap = sp->cap_ids ? sp->cap_ids * 2 : 8;
		struct nn_live_nsid *v = realloc(sp->ids, cap * sizeof(*v));

		if (!v)
			return nn_error_set(e, ENOMEM, "cannot read namespace ids");
		sp->ids = v;
		sp->cap_ids = cap;
	}
	sp->ids[sp->n_ids++] = (struct nn_live_nsid){ .space = j, .nsid = *nsid };
	return 0;
}

int nn_live_peer(struct nn_ctx *ctx, struct nn_live_ns *spaces, size_t n, size_t i,
		 const struct nn_link_info *l, size_t *j_out, const struct nn_link_info **out,
		 struct nn_error *e)
{
	*out = NULL;
	if (l->peer_ifindex <= 0)
		return 0;
	if (!l->peer_nsid_set) {
		*j_out = i;
		*out = nn_live_link(&spaces[i], l->peer_ifindex);
		return 0;
	}
	for (size_t j = 0; j < n; j++) {
		const struct nn_link_info *p;
		int32_t id;

		if (j == i || !spaces[j].live || !(p = nn_live_link(&spaces[j], l->peer_ifindex)))
			continue;
		if (nsid_of(ctx, spaces, i, j, &id, e) < 0)
			return -e->code;
		if (id == l->peer_nsid) {
			*j_out = j;
			*out = p;
			return 0;
		}
	}
	return 0;
}
