// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <arpa/inet.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>
#include <netlink/addr.h>
#include <netlink/object.h>
#include <netlink/route/addr.h>

#include "netnsctl/addr.h"
#include "netnsctl/ctx.h"
#include "netnsctl/link.h"
#include "kernel/nl.h"

static size_t addr_len(const struct nn_prefix *p)
{
	return p->family == AF_INET ? 4 : 16;
}

/* RTM_NEWADDR or RTM_DELADDR of P on IFINDEX: IFA_LOCAL and IFA_ADDRESS
 * both P, as ip addr add gives them for an address without a peer. */
static struct nlmsghdr *addr_msg(char *buf, uint16_t type, uint16_t flags, int ifindex,
				 const struct nn_prefix *p)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)p->family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, addr_len(p), p->addr.bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, addr_len(p), p->addr.bytes);
	return nlh;
}

int nn_addr_add(struct nn_ns *ns, int ifindex, const struct nn_prefix *p, struct nn_error *e)
{
	char buf[512] = { 0 };	/* attribute padding goes out too */
	struct nlmsghdr *nlh = addr_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, p);
	char txt[64];
	int ret;

	/* IPv6 duplicate address detection would hold the address "tentative" for
	 * a second or more; on a point-to-point lab link nobody else can own it. */
	if (p->family == AF_INET6)
		((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_flags = IFA_F_NODAD;
	nn_format_prefix(txt, sizeof(txt), p, true);
	ret = nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot add %s to link %d in %s", txt, ifindex,
			  nn_ns_label(ns));
	if (ret == -EEXIST) {
		nn_error_clear(e);
		return 0;
	}
	return ret;
}

int nn_addr_del(struct nn_ns *ns, int ifindex, const struct nn_prefix *p, struct nn_error *e)
{
	char buf[512] = { 0 };
	char txt[64];
	int ret;

	nn_format_prefix(txt, sizeof(txt), p, true);
	ret = nn_mnl_talk(ns, addr_msg(buf, RTM_DELADDR, 0, ifindex, p), NULL, NULL, e,
			  "cannot remove %s from link %d in %s", txt, ifindex, nn_ns_label(ns));
	if (ret == -EADDRNOTAVAIL || ret == -ENODEV) {
		nn_error_clear(e);
		return 0;
	}
	return ret;
}

struct addr_dump {
	struct nn_addr_info *v;
	size_t n, cap;
	bool nomem;
};

/* One address as libnl-route parsed it. */
static void addr_obj_cb(struct nl_object *obj, void *data)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct addr_dump *d = data;
	/* IPv4's local address is IFA_LOCAL (IFA_ADDRESS is the peer's on a
	 * point-to-point link); IPv6 gives IFA_ADDRESS, which libnl then
	 * takes for the local one too. */
	struct nl_addr *local = rtnl_addr_get_local(a);
	int family = rtnl_addr_get_family(a);
	size_t len = family == AF_INET ? 4 : 16;
	struct nn_addr_info *ai;

	if (strcmp(nl_object_get_type(obj), "route/addr") || (family != AF_INET && family != AF_INET6) ||
	    !local || nl_addr_get_len(local) != len)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct nn_addr_info *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			d->nomem = true;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	ai = &d->v[d->n++];
	memset(ai, 0, sizeof(*ai));
	ai->ifindex = rtnl_addr_get_ifindex(a);
	ai->scope = rtnl_addr_get_scope(a);
	ai->addr.family = family;
	ai->addr.len = rtnl_addr_get_prefixlen(a);
	memcpy(ai->addr.addr.bytes, nl_addr_get_binary_addr(local), len);
}

static int addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	if (nn_nl_parse_object(nlh, addr_obj_cb, d) < 0 || d->nomem) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static void addr_dump_reset(void *data)
{
	((struct addr_dump *)data)->n = 0;
}

int nn_addr_list(struct nn_ns *ns, struct nn_addr_info **out, size_t *n, struct nn_error *e)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct addr_dump d = { 0 };
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	if (nn_mnl_dump(ns, nlh, addr_dump_cb, &d, addr_dump_reset, e, "cannot list the addresses of %s",
			nn_ns_label(ns)) < 0) {
		free(d.v);
		return -e->code;
	}
	if (!d.v && !(d.v = calloc(1, sizeof(*d.v))))
		return nn_error_set(e, ENOMEM, "cannot list the addresses of %s", nn_ns_label(ns));
	*out = d.v;
	*n = d.n;
	return 0;
}
