// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "netnsctl/ctx.h"
#include "netnsctl/link.h"
#include "util/cleanup.h"
#include "kernel/nl.h"
#include "util/show.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

static void link_info_from(struct rtnl_link *l, struct nn_link_info *li)
{
	struct nl_addr *ll = rtnl_link_get_addr(l);
	const char *kind = rtnl_link_get_type(l);
	unsigned int flags = rtnl_link_get_flags(l);
	int32_t nsid;

	memset(li, 0, sizeof(*li));
	li->ifindex = rtnl_link_get_ifindex(l);
	snprintf(li->name, sizeof(li->name), "%s", rtnl_link_get_name(l) ? rtnl_link_get_name(l) : "");
	snprintf(li->kind, sizeof(li->kind), "%s", kind ? kind : "");
	li->up = flags & IFF_UP;
	li->lower_up = flags & IFF_LOWER_UP;
	li->peer_ifindex = rtnl_link_get_link(l);
	if (rtnl_link_get_link_netnsid(l, &nsid) == 0) {
		li->peer_nsid_set = true;
		li->peer_nsid = nsid;
	}
	li->master = rtnl_link_get_master(l);
	li->mtu = rtnl_link_get_mtu(l);
	if (ll && nl_addr_get_len(ll) == 6)
		memcpy(li->mac, nl_addr_get_binary_addr(ll), 6);
}

int nn_link_list(struct nn_ns *ns, struct nn_link_info **out, size_t *n, struct nn_error *e)
{
	struct nl_sock *sk = nn_ns_nl(ns, e);
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct nn_link_info *v;
	size_t i = 0;
	int ret;

	if (!sk)
		return -e->code;
	ret = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (ret < 0)
		return nn_nl_fail(ns, ret, e, "cannot list the links of %s", nn_ns_label(ns));
	v = calloc(nl_cache_nitems(cache) + 1, sizeof(*v));
	if (!v) {
		nl_cache_free(cache);
		return nn_error_set(e, ENOMEM, "cannot list the links of %s", nn_ns_label(ns));
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj))
		link_info_from((struct rtnl_link *)obj, &v[i++]);
	nl_cache_free(cache);
	*out = v;
	*n = i;
	return 0;
}


int nn_link_find(struct nn_ns *ns, const char *name, struct nn_link_info *out, struct nn_error *e)
{
	struct nl_sock *sk = nn_ns_nl(ns, e);
	struct rtnl_link *l = NULL;
	int ret;

	if (!sk)
		return -e->code;
	ret = rtnl_link_get_kernel(sk, 0, name, &l);
	if (ret < 0) {
		ret = nn_nl_fail(ns, ret, e, "cannot read interface \"%s\" in %s", name, nn_ns_label(ns));
		if (ret == -ENODEV || ret == -ENOENT) {
			nn_error_clear(e);
			return 0;
		}
		return ret;
	}
	link_info_from(l, out);
	rtnl_link_put(l);
	return 1;
}

int nn_link_get(struct nn_ns *ns, const char *name, struct nn_link_info *out, struct nn_error *e)
{
	int ret = nn_link_find(ns, name, out, e);

	if (ret == 0)
		return nn_error_setx(e, ENODEV, "no interface \"%s\" in %s", name, nn_ns_label(ns));
	return ret < 0 ? ret : 0;
}

/* The link-layer address MAC on L (libnl copies it). */
static int set_mac(struct rtnl_link *l, const uint8_t mac[6])
{
	struct nl_addr *a = nl_addr_build(AF_LLC, mac, 6);

	if (!a)
		return -ENOMEM;
	rtnl_link_set_addr(l, a);
	nl_addr_put(a);
	return 0;
}

int nn_veth_add(struct nn_ns *ns_a, const char *name_a, const uint8_t mac_a[6],
		struct nn_ns *ns_b, const char *name_b, const uint8_t mac_b[6],
		struct nn_error *e)
{
	struct nl_sock *sk = nn_ns_nl(ns_a, e);
	struct rtnl_link *l, *peer;
	int ret;

	if (!sk)
		return -e->code;
	l = rtnl_link_veth_alloc();
	if (!l)
		return nn_error_set(e, ENOMEM, "cannot create %s", name_a);
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, name_a);
	rtnl_link_set_name(peer, name_b);
	if ((mac_a && set_mac(l, mac_a) < 0) || (mac_b && set_mac(peer, mac_b) < 0)) {
		rtnl_link_put(peer);
		rtnl_link_veth_release(l);
		return nn_error_set(e, ENOMEM, "cannot create %s", name_a);
	}
	if (ns_b != ns_a)
		rtnl_link_set_ns_fd(peer, nn_ns_fd(ns_b));
	rtnl_link_put(peer);
	ret = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(l);
	if (ret < 0)
		return nn_nl_fail(ns_a, ret, e, "cannot create veth %s in %s with peer %s in %s",
				  name_a, nn_ns_label(ns_a), name_b, nn_ns_label(ns_b));
	return 0;
}

int nn_link_set_up(struct nn_ns *ns, int ifindex, bool up, struct nn_error *e)
{
	char buf[4096] = { 0 };	/* attribute padding goes out too */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot set link %d in %s %s",
			   ifindex, nn_ns_label(ns), up ? "up" : "down");
}

int nn_link_del(struct nn_ns *ns, int ifindex, struct nn_error *e)
{
	char buf[4096] = { 0 };	/* attribute padding goes out too */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int ret;

	nlh->nlmsg_type = RTM_DELLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ret = nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot delete link %d in %s",
			  ifindex, nn_ns_label(ns));
	if (ret == -ENODEV) {
		nn_error_clear(e);
		return 0;
	}
	return ret;
}

struct nsid_reply {
	int32_t nsid;
	bool seen;
};

static int nsid_attr_cb(const struct nlattr *a, void *data)
{
	struct nsid_reply *r = data;

	if (mnl_attr_get_type(a) == NETNSA_NSID && mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
		r->nsid = (int32_t)mnl_attr_get_u32(a);
		r->seen = true;
	}
	return MNL_CB_OK;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nsid_attr_cb, data);
}

int nn_ns_peer_nsid(struct nn_ns *ns, struct nn_ns *other, int32_t *nsid, struct nn_error *e)
{
	char buf[4096] = { 0 };	/* attribute padding goes out too */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nsid_reply r = { .nsid = -1 };
	struct rtgenmsg *g;
	int ret;

	nlh->nlmsg_type = RTM_GETNSID;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)nn_ns_fd(other));
	ret = nn_mnl_talk(ns, nlh, nsid_cb, &r, e, "cannot read the id of %s in %s",
			  nn_ns_label(other), nn_ns_label(ns));
	if (ret < 0)
		return ret;
	*nsid = r.seen ? r.nsid : -1;
	return 0;
}

static const struct {
	const char *name;
	enum nn_macvlan_mode mode;
} macvlan_modes[] = {
	{ "private", NN_MACVLAN_PRIVATE },
	{ "vepa", NN_MACVLAN_VEPA },
	{ "bridge", NN_MACVLAN_BRIDGE },
	{ "passthru", NN_MACVLAN_PASSTHRU },
};

int nn_parse_macvlan_mode(const char *s, enum nn_macvlan_mode *mode, struct nn_error *e)
{
	for (size_t i = 0; i < sizeof(macvlan_modes) / sizeof(macvlan_modes[0]); i++) {
		if (!strcmp(s, macvlan_modes[i].name)) {
			*mode = macvlan_modes[i].mode;
			return 0;
		}
	}
	struct nn_shown shown;

	return nn_error_setx(e, EINVAL,
			     "invalid macvlan mode \"%s\": expected bridge, private, vepa or passthru",
			     nn_show(&shown, s));
}

const char *nn_macvlan_mode_name(enum nn_macvlan_mode mode)
{
	for (size_t i = 0; i < sizeof(macvlan_modes) / sizeof(macvlan_modes[0]); i++)
		if (macvlan_modes[i].mode == mode)
			return macvlan_modes[i].name;
	return "unknown";
}

int nn_macvlan_add(struct nn_ns *parent_ns, int parent_ifindex, struct nn_ns *target,
		   const char *name, const uint8_t *mac, enum nn_macvlan_mode mode,
		   struct nn_error *e)
{
	char buf[4096] = { 0 };	/* attribute padding goes out too */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *linkinfo, *data;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)parent_ifindex);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	if (target != parent_ns)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nn_ns_fd(target));
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, (uint32_t)mode);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nn_mnl_talk(parent_ns, nlh, NULL, NULL, e,
			   "cannot create macvlan %s in %s on link %d of %s", name,
			   nn_ns_label(target), parent_ifindex, nn_ns_label(parent_ns));
}

int nn_bridge_add(struct nn_ns *ns, const char *name, const uint8_t mac[6], struct nn_error *e)
{
	char buf[4096] = { 0 };	/* attribute padding goes out too */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *linkinfo;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* Set here, a bridge's MAC is its own (NET_ADDR_SET): a port added
	 * later does not change it, as it would a MAC the kernel chose. */
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, linkinfo);
	return nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot create bridge %s in %s", name,
			   nn_ns_label(ns));
}

int nn_link_set_master(struct nn_ns *ns, int ifindex, int master, struct nn_error *e)
{
	char buf[4096] = { 0 };	/* attribute padding goes out too */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot %s link %d in %s",
			   master ? "attach to its bridge" : "detach from its bridge", ifindex,
			   nn_ns_label(ns));
}

void nn_link_random_mac(uint8_t mac[6])
{
	/* getrandom() without flags blocks only before the pool is ready at
	 * boot; it does not fail for 6 bytes otherwise. */
	while (getrandom(mac, 6, 0) != 6)
		;
	mac[0] = (mac[0] & 0xfc) | 0x02;
}
