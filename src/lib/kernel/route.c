// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netnsctl/ctx.h"
#include "netnsctl/route.h"
#include "util/cleanup.h"
#include "kernel/nl.h"

struct route_dump {
	struct nn_route_info *v;
	size_t n, cap;
	int err;
};

static int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *d = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct nn_route_info *r;
	uint32_t table = rtm->rtm_table;
	int alen;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
		if (mnl_attr_get_type(a) == RTA_TABLE && mnl_attr_get_payload_len(a) == 4)
			table = mnl_attr_get_u32(a);
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct nn_route_info *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			d->err = ENOMEM;
			return MNL_CB_ERROR;
		}
		d->v = v;
		d->cap = cap;
	}
	r = &d->v[d->n];
	memset(r, 0, sizeof(*r));
	alen = addr_len(rtm->rtm_family);
	r->dst.family = rtm->rtm_family;
	r->dst.len = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			if (mnl_attr_get_payload_len(a) == (uint16_t)alen)
				memcpy(r->dst.addr.bytes, mnl_attr_get_payload(a), alen);
			break;
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(a) == (uint16_t)alen) {
				r->has_gw = true;
				r->gw.family = rtm->rtm_family;
				r->gw.len = (uint8_t)(alen * 8);
				memcpy(r->gw.addr.bytes, mnl_attr_get_payload(a), alen);
			}
			break;
		case RTA_OIF:
			if (mnl_attr_get_payload_len(a) == 4)
				r->ifindex = (int)mnl_attr_get_u32(a);
			break;
		}
	}
	d->n++;
	return MNL_CB_OK;
}

static void route_dump_reset(void *data)
{
	struct route_dump *d = data;

	d->n = 0;
	d->err = 0;
}

int nn_route_list(struct nn_ns *ns, struct nn_route_info **out, size_t *n, struct nn_error *e)
{
	char buf[4096] = { 0 };	/* attribute padding goes out too */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_dump d = { 0 };
	struct rtmsg *rtm;
	int ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_UNSPEC;
	ret = nn_mnl_dump(ns, nlh, route_cb, &d, route_dump_reset, e, "cannot list the routes of %s",
			  nn_ns_label(ns));
	if (ret < 0 || d.err) {
		free(d.v);
		if (ret < 0)
			return ret;
		return nn_error_set(e, d.err, "cannot list the routes of %s", nn_ns_label(ns));
	}
	*out = d.v;
	*n = d.n;
	return 0;
}

static void put_route(struct nlmsghdr *nlh, const struct nn_prefix *dst)
{
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = dst->len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	if (dst->len)
		mnl_attr_put(nlh, RTA_DST, addr_len(dst->family), dst->addr.bytes);
}

int nn_route_replace(struct nn_ns *ns, const struct nn_prefix *dst, const struct nn_prefix *gw,
		     int ifindex, struct nn_error *e)
{
	return nn_route_replace_proto(ns, dst, gw, ifindex, RTPROT_STATIC, e);
}

int nn_route_replace_proto(struct nn_ns *ns, const struct nn_prefix *dst, const struct nn_prefix *gw,
			   int ifindex, int proto, struct nn_error *e)
{
	char buf[4096] = { 0 }, txt[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	put_route(nlh, dst);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_protocol = (unsigned char)proto;
	if (!gw) {
		rtm->rtm_scope = RT_SCOPE_LINK;
	} else {
		if (gw->family != dst->family)
			return nn_error_setx(e, EINVAL, "gateway and destination of a route differ in family");
		mnl_attr_put(nlh, RTA_GATEWAY, addr_len(gw->family), gw->addr.bytes);
	}
	if (ifindex)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot add the route to %s in %s",
			   dst->len ? nn_format_prefix(txt, sizeof(txt), dst, true) : "default",
			   nn_ns_label(ns));
}

int nn_route_del(struct nn_ns *ns, const struct nn_prefix *dst, struct nn_error *e)
{
	return nn_route_del_proto(ns, dst, 0, e);
}

int nn_route_del_proto(struct nn_ns *ns, const struct nn_prefix *dst, int proto, struct nn_error *e)
{
	char buf[4096] = { 0 }, txt[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int ret;

	nlh->nlmsg_type = RTM_DELROUTE;
	put_route(nlh, dst);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_protocol = (unsigned char)proto;
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	ret = nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot delete the route to %s in %s",
			  dst->len ? nn_format_prefix(txt, sizeof(txt), dst, true) : "default",
			  nn_ns_label(ns));
	if (ret == -ESRCH) {
		nn_error_clear(e);
		return 0;
	}
	return ret;
}

#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"

/* /proc/sys/net shows the namespace of the thread that opens the file. */
static int open_forward(struct nn_ns *ns, int flags, struct nn_error *e)
{
	int saved, fd;

	if (nn_ns_enter(ns, &saved, e) < 0)
		return -e->code;
	fd = open(IP_FORWARD, flags | O_CLOEXEC);
	if (fd < 0)
		nn_error_set(e, errno, "cannot open %s in %s", IP_FORWARD, nn_ns_label(ns));
	nn_ns_leave(saved);
	return fd < 0 ? -e->code : fd;
}

struct netconf_reply {
	bool seen;
	int32_t forwarding;
};

static int netconf_attr_cb(const struct nlattr *a, void *data)
{
	struct netconf_reply *r = data;

	if (mnl_attr_get_type(a) == NETCONFA_FORWARDING &&
	    mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
		r->forwarding = (int32_t)mnl_attr_get_u32(a);
		r->seen = true;
	}
	return MNL_CB_OK;
}

static int netconf_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWNETCONF)
		mnl_attr_parse(nlh, sizeof(struct netconfmsg), netconf_attr_cb, data);
	return MNL_CB_OK;
}

/*
 * ip_forward is the namespace's "all" IPv4 setting (devconf_all), which
 * RTM_GETNETCONF of NETCONFA_IFINDEX_ALL answers on the namespace's own
 * socket: no setns and no /proc file a namespace, as reading the sysctl
 * would take (a status of a star read it for every node).
 */
int nn_forwarding_get(struct nn_ns *ns, bool *on, struct nn_error *e)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct netconf_reply r = { 0 };
	struct netconfmsg *ncm;

	nlh->nlmsg_type = RTM_GETNETCONF;
	ncm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ncm));
	ncm->ncm_family = AF_INET;
	mnl_attr_put_u32(nlh, NETCONFA_IFINDEX, (uint32_t)NETCONFA_IFINDEX_ALL);
	if (nn_mnl_talk(ns, nlh, netconf_cb, &r, e, "cannot read %s in %s", IP_FORWARD,
			nn_ns_label(ns)) < 0)
		return -e->code;
	if (!r.seen)
		return nn_error_setx(e, EPROTO, "cannot read %s in %s: the kernel did not say",
				     IP_FORWARD, nn_ns_label(ns));
	*on = r.forwarding != 0;
	return 0;
}

int nn_forwarding_set(struct nn_ns *ns, bool on, struct nn_error *e)
{
	_cleanup_close_ int fd = open_forward(ns, O_WRONLY, e);

	if (fd < 0)
		return fd;
	if (write(fd, on ? "1\n" : "0\n", 2) != 2)
		return nn_error_set(e, errno ? errno : EIO, "cannot write %s in %s", IP_FORWARD,
				    nn_ns_label(ns));
	return 0;
}
