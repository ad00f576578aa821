// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>

#include "netnsctl/addr.h"
#include "netnsctl/ctx.h"
#include "netnsctl/link.h"
#include "kernel/nl.h"

static struct rtnl_addr *addr_obj(int ifindex, const struct nn_prefix *p)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local;

	if (!a)
		return NULL;
	local = nl_addr_build(p->family, p->addr.bytes, p->family == AF_INET ? 4 : 16);
	if (!local) {
		rtnl_addr_put(a);
		return NULL;
	}
	nl_addr_set_prefixlen(local, p->len);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, p->family);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_prefixlen(a, p->len);
	nl_addr_put(local);
	return a;
}

int nn_addr_add(struct nn_ns *ns, int ifindex, const struct nn_prefix *p, struct nn_error *e)
{
	struct nl_sock *sk = nn_ns_nl(ns, e);
	struct rtnl_addr *a;
	char txt[64];
	int ret;

	if (!sk)
		return -e->code;
	nn_format_prefix(txt, sizeof(txt), p, true);
	a = addr_obj(ifindex, p);
	if (!a)
		return nn_error_set(e, ENOMEM, "cannot add %s", txt);
	/* IPv6 duplicate address detection would hold the address "tentative" for
	 * a second or more; on a point-to-point lab link nobody else can own it. */
	if (p->family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	ret = rtnl_addr_add(sk, a, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_addr_put(a);
	if (ret < 0) {
		ret = nn_nl_fail(ns, ret, e, "cannot add %s to link %d in %s", txt, ifindex,
				 nn_ns_label(ns));
		if (ret == -EEXIST) {
			nn_error_clear(e);
			return 0;
		}
	}
	return ret;
}

int nn_addr_del(struct nn_ns *ns, int ifindex, const struct nn_prefix *p, struct nn_error *e)
{
	struct nl_sock *sk = nn_ns_nl(ns, e);
	struct rtnl_addr *a;
	char txt[64];
	int ret;

	if (!sk)
		return -e->code;
	nn_format_prefix(txt, sizeof(txt), p, true);
	a = addr_obj(ifindex, p);
	if (!a)
		return nn_error_set(e, ENOMEM, "cannot remove %s", txt);
	ret = rtnl_addr_delete(sk, a, 0);
	rtnl_addr_put(a);
	if (ret < 0) {
		ret = nn_nl_fail(ns, ret, e, "cannot remove %s from link %d in %s", txt, ifindex,
				 nn_ns_label(ns));
		if (ret == -EADDRNOTAVAIL || ret == -ENODEV) {
			nn_error_clear(e);
			return 0;
		}
	}
	return ret;
}

int nn_addr_list(struct nn_ns *ns, struct nn_addr_info **out, size_t *n, struct nn_error *e)
{
	struct nl_sock *sk = nn_ns_nl(ns, e);
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct nn_addr_info *v;
	size_t i = 0;
	int ret;

	if (!sk)
		return -e->code;
	ret = rtnl_addr_alloc_cache(sk, &cache);
	if (ret < 0)
		return nn_nl_fail(ns, ret, e, "cannot list the addresses of %s", nn_ns_label(ns));
	v = calloc(nl_cache_nitems(cache) + 1, sizeof(*v));
	if (!v) {
		nl_cache_free(cache);
		return nn_error_set(e, ENOMEM, "cannot list the addresses of %s", nn_ns_label(ns));
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *a = (struct rtnl_addr *)obj;
		struct nl_addr *local = rtnl_addr_get_local(a);
		struct nn_addr_info *ai = &v[i];
		int fam = rtnl_addr_get_family(a);
		unsigned int len = local ? nl_addr_get_len(local) : 0;

		if (!local || (fam == AF_INET && len != 4) || (fam == AF_INET6 && len != 16) ||
		    (fam != AF_INET && fam != AF_INET6))
			continue;
		memset(ai, 0, sizeof(*ai));
		ai->ifindex = rtnl_addr_get_ifindex(a);
		ai->scope = rtnl_addr_get_scope(a);
		ai->addr.family = fam;
		ai->addr.len = (uint8_t)rtnl_addr_get_prefixlen(a);
		memcpy(ai->addr.addr.bytes, nl_addr_get_binary_addr(local), len);
		i++;
	}
	nl_cache_free(cache);
	*out = v;
	*n = i;
	return 0;
}
