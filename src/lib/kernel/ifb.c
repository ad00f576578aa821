// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ingress side of impairments: the ifb of an impaired link and the
 * redirect that feeds it (see include/netnsctl/ifb.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "netnsctl/ctx.h"
#include "netnsctl/ifb.h"
#include "netnsctl/link.h"
#include "netnsctl/tc.h"
#include "kernel/nl.h"
#include "kernel/tc/tcmsg.h"
#include "util/cleanup.h"

#define ETH_P_ALL_BE 0x0300	/* htons(ETH_P_ALL) */
#define INGRESS_HOOK TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
#define EGRESS_HOOK TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)
#define IFB_TXQLEN 1000

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

void nn_ifb_name(const char *link, char name[IFNAMSIZ])
{
	if (strlen(link) + 4 < IFNAMSIZ)
		snprintf(name, IFNAMSIZ, "ifb-%s", link);
	else
		snprintf(name, IFNAMSIZ, "ifb-%.4s-%06x", link, fnv1a(link) & 0xffffff);
}

int nn_ifb_add(struct nn_ns *ns, const char *name, const uint8_t mac[6], unsigned int mtu,
	       struct nn_error *e)
{
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nn_link_info info;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *li;
	int ret;

	if (!name[0] || strlen(name) >= IFNAMSIZ)
		return nn_error_setx(e, EINVAL, "invalid ifb name \"%s\"", name);
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* Up from the start: a redirect to a device that is down drops. */
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, IFB_TXQLEN);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "ifb");
	mnl_attr_nest_end(nlh, li);
	ret = nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot create ifb \"%s\" in %s", name,
			  nn_ns_label(ns));
	if (ret < 0)
		return ret;
	ret = nn_link_find(ns, name, &info, e);
	if (ret < 0)
		return ret;
	if (ret == 0 || memcmp(info.mac, mac, 6))
		return nn_error_setx(e, ENODEV, "ifb \"%s\" in %s is gone right after it was made", name,
				     nn_ns_label(ns));
	return info.ifindex;
}

uint64_t nn_tc_cookie_new(void)
{
	uint64_t c = 0;

	while (!c)
		while (getrandom(&c, sizeof(c), 0) != sizeof(c))
			;
	return c;
}

/* ---------------------------------------------------------------- reading */

struct ing_dump {
	int ifindex;
	struct nn_tc_ingress *out;
	bool filters;		/* a filter dump; else a qdisc dump */
	int err;
	struct nn_error e;
};

static int ing_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ing_dump *d = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

	if (d->err || nlh->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*tcm)) ||
	    tcm->tcm_ifindex != d->ifindex)
		return MNL_CB_OK;
	if (!d->filters) {
		const struct nlattr *tb[TCA_MAX + 1];
		const char *kind;

		if (nlh->nlmsg_type != RTM_NEWQDISC || tcm->tcm_parent != TC_H_INGRESS)
			return MNL_CB_OK;
		if (nn_tc_msg_parse(nlh, tb, TCA_MAX) == 0 && tb[TCA_KIND] &&
		    (kind = nn_attr_str(tb[TCA_KIND])))
			snprintf(d->out->qdisc, sizeof(d->out->qdisc), "%s", kind);
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_type == RTM_NEWTFILTER) {
		struct nn_u32_info u;
		char kind[16];
		int r = nn_u32_decode(nlh, &u, kind, &d->e);

		if (r == -ENOTSUP) {
			nn_error_clear(&d->e);
			d->out->n_filters++;	/* another kind: someone's filter */
			return MNL_CB_OK;
		}
		if (r < 0) {
			d->err = r;
			return MNL_CB_OK;
		}
		if (u.is_ht)
			return MNL_CB_OK;
		d->out->n_filters++;
		if (u.has_mirred && u.has_cookie && u.n_actions == 1 &&
		    d->out->n_redirects < NN_TC_MAX_REDIRECTS) {
			struct nn_tc_redirect *r2 = &d->out->redirects[d->out->n_redirects++];

			r2->prio = u.prio;
			r2->protocol = u.protocol;
			r2->handle = u.handle;
			r2->ifindex = u.mirred_ifindex;
			r2->cookie = u.cookie;
		}
	}
	return MNL_CB_OK;
}

static int ing_dump(struct nn_ns *ns, int ifindex, uint16_t type, uint32_t parent,
		    struct nn_tc_ingress *out, struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct ing_dump d = { .ifindex = ifindex, .out = out, .filters = type == RTM_GETTFILTER };
	int ret;

	memset(buf, 0, sizeof(buf));
	ret = nn_mnl_talk(ns, nn_tc_request(buf, type, NLM_F_DUMP, ifindex, parent, 0, 0), ing_cb, &d,
			  e, "cannot read the ingress of ifindex %d in %s", ifindex, nn_ns_label(ns));
	if (ret == 0 && d.err) {
		*e = d.e;
		ret = nn_error_prefix(e, "cannot read the ingress of ifindex %d in %s", ifindex,
				      nn_ns_label(ns));
	}
	return ret;
}

int nn_tc_ingress_get(struct nn_ns *ns, int ifindex, struct nn_tc_ingress *out,
		      struct nn_error *e)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = ing_dump(ns, ifindex, RTM_GETQDISC, 0, out, e);
	if (ret < 0 || !out->qdisc[0])
		return ret;
	ret = ing_dump(ns, ifindex, RTM_GETTFILTER, INGRESS_HOOK, out, e);
	/* An ingress qdisc answers for any hook with its one block: ask once. */
	if (ret == 0 && !strcmp(out->qdisc, "clsact"))
		ret = ing_dump(ns, ifindex, RTM_GETTFILTER, EGRESS_HOOK, out, e);
	return ret;
}

/* ---------------------------------------------------------------- changing */

static int clsact_del(struct nn_ns *ns, int ifindex, struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));

	memset(buf, 0, sizeof(buf));
	return nn_mnl_talk(ns, nn_tc_request(buf, RTM_DELQDISC, 0, ifindex, TC_H_CLSACT,
					     TC_H_MAKE(TC_H_CLSACT, 0), 0),
			   NULL, NULL, e, "cannot remove the clsact qdisc of ifindex %d in %s", ifindex,
			   nn_ns_label(ns));
}

static int redirect_del(struct nn_ns *ns, int ifindex, const struct nn_tc_redirect *r, bool whole,
			struct nn_error *e)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	int ret;

	memset(buf, 0, sizeof(buf));
	nlh = nn_tc_request(buf, RTM_DELTFILTER, 0, ifindex, INGRESS_HOOK, whole ? 0 : r->handle,
			    TC_H_MAKE((uint32_t)r->prio << 16, htons(r->protocol)));
	if (!whole)
		mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	ret = nn_mnl_talk(ns, nlh, NULL, NULL, e,
			  "cannot remove the ingress redirect %x at priority %u of ifindex %d in %s",
			  r->handle, r->prio, ifindex, nn_ns_label(ns));
	if (ret == -ENOENT) {
		nn_error_clear(e);
		return 0;
	}
	return ret;
}

int nn_tc_ingress_redirect_add(struct nn_ns *ns, int ifindex, int target, uint64_t cookie,
			       struct nn_error *e)
{
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nn_error ignored = { 0 };
	struct nn_tc_ingress in;
	struct nlmsghdr *nlh;
	int made = 0, ret;

	ret = nn_tc_ingress_get(ns, ifindex, &in, e);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < in.n_redirects; i++) {
		if (in.redirects[i].cookie != cookie)
			continue;
		if (in.redirects[i].ifindex == target)
			return 0;
		/* Ours, to a device that is gone (or another): made anew. */
		ret = redirect_del(ns, ifindex, &in.redirects[i], false, e);
		if (ret < 0)
			return ret;
	}
	if (!in.qdisc[0]) {
		memset(buf, 0, sizeof(buf));
		nlh = nn_tc_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_CLSACT,
				    TC_H_MAKE(TC_H_CLSACT, 0), 0);
		mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
		ret = nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot add a clsact qdisc to ifindex %d in %s",
				  ifindex, nn_ns_label(ns));
		if (ret < 0)
			return ret;
		made = 1;
	}
	memset(buf, 0, sizeof(buf));
	nlh = nn_tc_request(buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex, INGRESS_HOOK, 0,
			    TC_H_MAKE((uint32_t)NN_TC_REDIRECT_PRIO << 16, ETH_P_ALL_BE));
	ret = nn_u32_redirect_encode(nlh, target, cookie, e);
	if (ret == 0)
		ret = nn_mnl_talk(ns, nlh, NULL, NULL, e,
				  "cannot redirect the ingress of ifindex %d to ifindex %d in %s", ifindex,
				  target, nn_ns_label(ns));
	if (ret < 0) {
		if (made)
			clsact_del(ns, ifindex, &ignored);
		return ret;
	}
	return made;
}

/* Priorities of the ingress hook that hold a u32 hash table but no node. */
struct empty_dump {
	int ifindex;
	uint16_t ht[NN_TC_MAX_REDIRECTS], node[64];
	unsigned int n_ht, n_node;
};

static int empty_cb(const struct nlmsghdr *nlh, void *data)
{
	struct empty_dump *d = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct nn_error ignored = { 0 };
	struct nn_u32_info u;
	char kind[16];

	if (nlh->nlmsg_type != RTM_NEWTFILTER || nlh->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*tcm)) ||
	    tcm->tcm_ifindex != d->ifindex)
		return MNL_CB_OK;
	if (nn_u32_decode(nlh, &u, kind, &ignored) < 0 || !u.is_ht) {
		/* any filter, of any kind, keeps its priority */
		if (d->n_node < NN_ARRAY_SIZE(d->node))
			d->node[d->n_node++] = (uint16_t)(TC_H_MAJ(tcm->tcm_info) >> 16);
		return MNL_CB_OK;
	}
	if (d->n_ht < NN_ARRAY_SIZE(d->ht))
		d->ht[d->n_ht++] = u.prio;
	return MNL_CB_OK;
}

int nn_tc_ingress_redirect_del(struct nn_ns *ns, int ifindex, uint64_t cookie, struct nn_error *e)
{
	char buf[NLMSG_SPACE(sizeof(struct tcmsg))] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct empty_dump d = { .ifindex = ifindex };
	struct nn_tc_ingress in;
	int n = 0, ret;

	ret = nn_tc_ingress_get(ns, ifindex, &in, e);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < in.n_redirects; i++) {
		if (in.redirects[i].cookie != cookie)
			continue;
		ret = redirect_del(ns, ifindex, &in.redirects[i], false, e);
		if (ret < 0)
			return ret;
		n++;
	}
	if (!n)
		return 0;
	/*
	 * A kernel may keep a priority's empty u32 hash table after its last
	 * node went (6.1 does when another u32 priority shares the block):
	 * remove the priority of a redirect of ours once nothing is in it.
	 */
	memset(buf, 0, sizeof(buf));
	ret = nn_mnl_talk(ns, nn_tc_request(buf, RTM_GETTFILTER, NLM_F_DUMP, ifindex, INGRESS_HOOK, 0, 0),
			  empty_cb, &d, e, "cannot read the ingress of ifindex %d in %s", ifindex,
			  nn_ns_label(ns));
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < in.n_redirects; i++) {
		bool used = false;

		if (in.redirects[i].cookie != cookie)
			continue;
		for (unsigned int j = 0; j < d.n_node; j++)
			used |= d.node[j] == in.redirects[i].prio;
		for (unsigned int j = 0; j < d.n_ht && !used; j++)
			if (d.ht[j] == in.redirects[i].prio) {
				ret = redirect_del(ns, ifindex, &in.redirects[i], true, e);
				if (ret < 0)
					return ret;
				break;
			}
	}
	return n;
}

int nn_tc_ingress_clsact_del(struct nn_ns *ns, int ifindex, struct nn_error *e)
{
	struct nn_tc_ingress in;
	int ret;

	ret = nn_tc_ingress_get(ns, ifindex, &in, e);
	if (ret < 0)
		return ret;
	if (strcmp(in.qdisc, "clsact") || in.n_filters)
		return 0;
	ret = clsact_del(ns, ifindex, e);
	if (ret == -ENOENT) {
		nn_error_clear(e);
		return 0;
	}
	return ret < 0 ? ret : 1;
}
