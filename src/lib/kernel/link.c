// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <libmnl/libmnl.h>
#include <netlink/addr.h>
#include <netlink/object.h>
#include <netlink/route/link.h>

#include "netnsctl/ctx.h"
#include "netnsctl/link.h"
#include "util/cleanup.h"
#include "kernel/nl.h"
#include "util/show.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* Request buffers are zeroed: attribute padding goes out too. */
#define MSG_BUF 4096

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

struct parsed_link {
	struct nn_link_info *li;
	bool seen;
};

static void link_obj_cb(struct nl_object *obj, void *arg)
{
	struct parsed_link *p = arg;

	if (strcmp(nl_object_get_type(obj), "route/link"))
		return;
	link_info_from((struct rtnl_link *)obj, p->li);
	p->seen = true;
}

/* An RTM_NEWLINK message as struct nn_link_info (parsed by libnl-route):
 * 0, -1 when it is none, -ENOMEM. */
static int link_info_parse(const struct nlmsghdr *nlh, struct nn_link_info *li)
{
	struct parsed_link p = { li, false };
	int ret;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return -1;
	if ((ret = nn_nl_parse_object(nlh, link_obj_cb, &p)) < 0)
		return ret;
	return p.seen && li->ifindex > 0 ? 0 : -1;
}

struct link_dump {
	struct nn_link_info *v;
	size_t n, cap;
};

static int link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_dump *d = data;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct nn_link_info *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		d->v = v;
		d->cap = cap;
	}
	switch (link_info_parse(nlh, &d->v[d->n])) {
	case 0:
		d->n++;
		break;
	case -ENOMEM:
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static void link_dump_reset(void *data)
{
	((struct link_dump *)data)->n = 0;
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

int nn_link_list(struct nn_ns *ns, struct nn_link_info **out, size_t *n, struct nn_error *e)
{
	char buf[MSG_BUF] = { 0 };
	struct link_dump d = { 0 };

	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, NLM_F_DUMP, 0);

	/* Without the counters (IFLA_STATS64, IFLA_STATS, IPv6's): nothing
	 * here reads them, and they are most of each link's message (~1.8 KB
	 * each, a dump of a bridge's thousand ports filled and copied
	 * whole, for every status and at every poll of a teardown). */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (nn_mnl_dump(ns, nlh, link_dump_cb, &d, link_dump_reset,
			e, "cannot list the links of %s", nn_ns_label(ns)) < 0) {
		free(d.v);
		return -e->code;
	}
	/* Callers may index one past the end of an empty list. */
	if (!d.v && !(d.v = calloc(1, sizeof(*d.v))))
		return nn_error_set(e, ENOMEM, "cannot list the links of %s", nn_ns_label(ns));
	*out = d.v;
	*n = d.n;
	return 0;
}

struct link_one {
	struct nn_link_info *li;
	bool seen;
};

static int link_one_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_one *o = data;

	if (!o->seen && link_info_parse(nlh, o->li) == 0)
		o->seen = true;
	return MNL_CB_OK;
}

int nn_link_find(struct nn_ns *ns, const char *name, struct nn_link_info *out, struct nn_error *e)
{
	char buf[MSG_BUF] = { 0 };
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);
	struct link_one o = { .li = out };
	int ret;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	ret = nn_mnl_talk(ns, nlh, link_one_cb, &o, e, "cannot read interface \"%s\" in %s", name,
			  nn_ns_label(ns));
	if (ret == -ENODEV || ret == -ENOENT) {
		nn_error_clear(e);
		return 0;
	}
	if (ret < 0)
		return ret;
	if (!o.seen)
		return nn_error_setx(e, EPROTO, "cannot read interface \"%s\" in %s: no answer",
				     name, nn_ns_label(ns));
	return 1;
}

/* The interface ioctls work on any socket of the namespace (the kernel
 * answers them for every family that has none of its own): NS's rtnetlink
 * one.  0 when the link is not there (any more). */
static int link_ioctl(int fd, unsigned long req, struct ifreq *r, struct nn_ns *ns, const char *name,
		      struct nn_error *e)
{
	if (ioctl(fd, req, r) == 0)
		return 1;
	if (errno == ENODEV)
		return 0;
	return nn_error_set(e, errno, "cannot read interface \"%s\" in %s", name, nn_ns_label(ns));
}

int nn_link_find_brief(struct nn_ns *ns, const char *name, struct nn_link_info *out,
		       struct nn_error *e)
{
	struct mnl_socket *nl = nn_ns_mnl(ns, e);
	struct ifreq r;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	if (!nl)
		return -e->code;
	if (strlen(name) >= IFNAMSIZ)
		return 0;
	fd = mnl_socket_get_fd(nl);
	memset(&r, 0, sizeof(r));
	snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", name);
	if ((ret = link_ioctl(fd, SIOCGIFINDEX, &r, ns, name, e)) <= 0)
		return ret;
	out->ifindex = r.ifr_ifindex;
	if ((ret = link_ioctl(fd, SIOCGIFMTU, &r, ns, name, e)) <= 0)
		return ret;
	out->mtu = (unsigned int)r.ifr_mtu;
	if ((ret = link_ioctl(fd, SIOCGIFHWADDR, &r, ns, name, e)) <= 0)
		return ret;
	memcpy(out->mac, r.ifr_hwaddr.sa_data, sizeof(out->mac));
	if ((ret = link_ioctl(fd, SIOCGIFFLAGS, &r, ns, name, e)) <= 0)
		return ret;
	out->up = r.ifr_flags & IFF_UP;
	/* Each ioctl looked the name up again: still the same link? */
	if ((ret = nn_link_name_of(ns, out->ifindex, out->name, e)) <= 0)
		return ret;
	if (strncmp(out->name, name, sizeof(out->name)))
		return nn_error_setx(e, EAGAIN, "interface \"%s\" in %s was renamed while read", name,
				     nn_ns_label(ns));
	return 1;
}

int nn_link_name_of(struct nn_ns *ns, int ifindex, char name[IFNAMSIZ], struct nn_error *e)
{
	struct mnl_socket *nl = nn_ns_mnl(ns, e);
	struct ifreq r;
	char what[16];
	int ret;

	if (!nl)
		return -e->code;
	memset(&r, 0, sizeof(r));
	r.ifr_ifindex = ifindex;
	snprintf(what, sizeof(what), "#%d", ifindex);
	if ((ret = link_ioctl(mnl_socket_get_fd(nl), SIOCGIFNAME, &r, ns, what, e)) <= 0)
		return ret;
	memcpy(name, r.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = 0;
	return 1;
}

int nn_link_get(struct nn_ns *ns, const char *name, struct nn_link_info *out, struct nn_error *e)
{
	int ret = nn_link_find(ns, name, out, e);

	if (ret == 0)
		return nn_error_setx(e, ENODEV, "no interface \"%s\" in %s", name, nn_ns_label(ns));
	return ret < 0 ? ret : 0;
}

/* The kernel's copy of a link it made (NLM_F_ECHO): its ifindex and IFLA_LINK. */
struct made {
	bool seen;
	int ifindex;
	int link;
};

static int made_cb(const struct nlmsghdr *nlh, void *data)
{
	struct made *m = data;
	struct nn_link_info li;

	if (!m->seen && link_info_parse(nlh, &li) == 0) {
		m->seen = true;
		m->ifindex = li.ifindex;
		m->link = li.peer_ifindex;
	}
	return MNL_CB_OK;
}

/* Fill M from one RTM_GETLINK of NAME: for kernels that do not echo a made
 * link (the UML lane's 6.1 does not; the host's 6.18 does). */
static int made_lookup(struct nn_ns *ns, const char *name, struct made *m, struct nn_error *e)
{
	struct nn_link_info li;

	if (nn_link_get(ns, name, &li, e) < 0)
		return -e->code;
	m->seen = true;
	m->ifindex = li.ifindex;
	m->link = li.peer_ifindex;
	return 0;
}

/* The request, with the indexes asked for when WITH_INDEX. */
static int veth_request(const struct nn_veth_end *a, const struct nn_veth_end *b, bool with_index,
			bool echo, struct made *m, struct nn_error *e)
{
	char buf[MSG_BUF] = { 0 };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi, *peer;
	struct nlattr *linkinfo, *data, *p;

	nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | (echo ? NLM_F_ECHO : 0),
		       with_index ? a->ifindex : 0);
	ifi = mnl_nlmsg_get_payload(nlh);
	if (a->up) {
		/* A's up is safe: A is registered after its peer. */
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	mnl_attr_put_strz(nlh, IFLA_IFNAME, a->name);
	if (a->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, a->mac);
	/* Set after the link is up; a refused master (EXFULL: the bridge has
	 * 1023 ports) unregisters the new pair again. */
	if (a->master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)a->master);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
	peer->ifi_family = AF_UNSPEC;
	/* veth_newlink() takes the peer's index only with A's. */
	peer->ifi_index = with_index ? b->ifindex : 0;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, b->name);
	if (b->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, b->mac);
	if (b->ns != a->ns)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nn_ns_fd(b->ns));
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nn_mnl_talk(a->ns, nlh, made_cb, m, e, "cannot create veth %s in %s with peer %s in %s",
			   a->name, nn_ns_label(a->ns), b->name, nn_ns_label(b->ns));
}

/* The pair; with WANT the indexes in A->ifindex and B->ifindex. */
static int veth_create(struct nn_veth_end *a, struct nn_veth_end *b, bool want, struct nn_error *e)
{
	bool with_index = a->ifindex > 0 || b->ifindex > 0;
	/* Both asked for, and taken (or refused): nothing to learn. */
	bool known = a->ifindex > 0 && b->ifindex > 0;
	struct made m = { 0 };
	int ret;

	if (b->up || b->master)
		return nn_error_setx(e, EINVAL,
				     "cannot create veth %s with peer %s: the peer can be neither up nor a port when it is made",
				     a->name, b->name);
	/* The kernel's choice comes back in its echo of A (made in A's
	 * namespace, so to this socket: the echo of a link made in another
	 * namespace would go to whatever socket there has our port id). */
	ret = veth_request(a, b, with_index, want && !known, &m, e);
	/* An index taken: the peer's is EBUSY (register_netdevice), A's is
	 * EEXIST (it names a link that exists).  Once more with the kernel's
	 * choice; a name that is taken fails the same way again. */
	if (with_index && (ret == -EBUSY || ret == -EEXIST)) {
		nn_error_clear(e);
		known = false;
		ret = veth_request(a, b, false, want, &m, e);
	}
	if (ret < 0 || known || !want)
		return ret;
	if (!m.seen && made_lookup(a->ns, a->name, &m, e) < 0)
		return -e->code;
	if (m.ifindex <= 0 || m.link <= 0)
		return nn_error_setx(e, EPROTO, "cannot read the indexes of new veth %s in %s",
				     a->name, nn_ns_label(a->ns));
	a->ifindex = m.ifindex;
	b->ifindex = m.link;
	return 0;
}

int nn_veth_create(struct nn_veth_end *a, struct nn_veth_end *b, struct nn_error *e)
{
	return veth_create(a, b, true, e);
}

int nn_veth_add(struct nn_ns *ns_a, const char *name_a, const uint8_t mac_a[6],
		struct nn_ns *ns_b, const char *name_b, const uint8_t mac_b[6],
		struct nn_error *e)
{
	struct nn_veth_end a = { .ns = ns_a, .name = name_a, .mac = mac_a };
	struct nn_veth_end b = { .ns = ns_b, .name = name_b, .mac = mac_b };

	/* No echo and no look-up: the caller does not want the indexes. */
	return veth_create(&a, &b, false, e);
}

int nn_link_set_up(struct nn_ns *ns, int ifindex, bool up, struct nn_error *e)
{
	char buf[MSG_BUF] = { 0 };
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

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

/* The answers to a run of RTM_GETNSID: by sequence number, from FIRST's. */
struct nsid_replies {
	const struct nlmsghdr *first;
	int32_t *ids;
	size_t n;
};

static int nsid_attr_cb(const struct nlattr *a, void *data)
{
	int32_t *id = data;

	if (mnl_attr_get_type(a) == NETNSA_NSID && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*id = (int32_t)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nsid_replies *r = data;
	unsigned int k = nlh->nlmsg_seq - r->first->nlmsg_seq;

	if (nlh->nlmsg_type != RTM_NEWNSID || k >= r->n)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nsid_attr_cb, &r->ids[k]);
}

int nn_ns_peer_nsid(struct nn_ns *ns, struct nn_ns *other, int32_t *nsid, struct nn_error *e)
{
	return nn_ns_peer_nsids(ns, &other, 1, nsid, e);
}

/* Requests a send.  The kernel answers all of them before the first
 * answer is read: an id and an ACK each, which the socket's receive
 * buffer (208 KiB by default) counts at ~900 bytes a message. */
#define NSID_BATCH 32

int nn_ns_peer_nsids(struct nn_ns *ns, struct nn_ns *const *others, size_t n, int32_t *nsids,
		     struct nn_error *e)
{
	/* attribute padding goes out too */
	char buf[NSID_BATCH * NLMSG_SPACE(sizeof(struct rtgenmsg) + MNL_ATTR_HDRLEN + 4)]
		__attribute__((aligned(NLMSG_ALIGNTO)));

	for (size_t at = 0; at < n; at += NSID_BATCH) {
		size_t k, batch = n - at < NSID_BATCH ? n - at : NSID_BATCH;
		struct nsid_replies r = { (struct nlmsghdr *)buf, nsids + at, batch };
		char *p = buf;

		memset(buf, 0, sizeof(buf));
		for (k = 0; k < batch; k++) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(p);
			struct rtgenmsg *g;

			nlh->nlmsg_type = RTM_GETNSID;
			g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
			g->rtgen_family = AF_UNSPEC;
			mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)nn_ns_fd(others[at + k]));
			nsids[at + k] = -1;
			p += NLMSG_ALIGN(nlh->nlmsg_len);
		}
		if (nn_mnl_talk_many(ns, (struct nlmsghdr *)buf, (unsigned int)batch, nsid_cb, &r, e,
				     "cannot read the id of %s in %s", nn_ns_label(others[at]),
				     nn_ns_label(ns)) == 0)
			continue;
		if (batch == 1)
			return -e->code;
		/* Which one the kernel refused (the error names the first):
		 * each asked on its own. */
		for (k = 0; k < batch; k++) {
			nn_error_clear(e);
			if (nn_ns_peer_nsids(ns, &others[at + k], 1, &nsids[at + k], e) < 0)
				return -e->code;
		}
	}
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

/* The index of link NAME made in NS by a request answered with M (its echo,
 * or none): one RTM_GETLINK when the kernel did not echo it. */
static int made_index(struct nn_ns *ns, const char *name, struct made *m, int *ifindex,
		      struct nn_error *e)
{
	if (!m->seen && made_lookup(ns, name, m, e) < 0)
		return -e->code;
	if (m->ifindex <= 0)
		return nn_error_setx(e, EPROTO, "cannot read the index of new link %s in %s", name,
				     nn_ns_label(ns));
	*ifindex = m->ifindex;
	return 0;
}

static int macvlan_request(struct nn_ns *parent_ns, int parent_ifindex, struct nn_ns *target,
			   const char *name, const uint8_t *mac, enum nn_macvlan_mode mode,
			   int ifindex, bool want, struct made *m, struct nn_error *e)
{
	char buf[MSG_BUF] = { 0 };
	/* Echoed only when it stays in the parent's namespace: the echo of a
	 * link made elsewhere goes to the socket there with our port id. */
	bool echo = want && target == parent_ns && !ifindex;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK,
					NLM_F_CREATE | NLM_F_EXCL | (echo ? NLM_F_ECHO : 0), ifindex);
	struct nlattr *linkinfo, *data;

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
	return nn_mnl_talk(parent_ns, nlh, made_cb, m, e,
			   "cannot create macvlan %s in %s on link %d of %s", name,
			   nn_ns_label(target), parent_ifindex, nn_ns_label(parent_ns));
}

int nn_macvlan_create(struct nn_ns *parent_ns, int parent_ifindex, struct nn_ns *target,
		      const char *name, const uint8_t *mac, enum nn_macvlan_mode mode,
		      int *ifindex, struct nn_error *e)
{
	int ask = ifindex && *ifindex > 0 ? *ifindex : 0;
	bool want = ifindex != NULL;
	struct made m = { 0 };
	int ret;

	ret = macvlan_request(parent_ns, parent_ifindex, target, name, mac, mode, ask, want, &m, e);
	/* The index taken: EBUSY where it is taken in TARGET; EEXIST where a
	 * kernel (6.1) looks it up in the parent's namespace and finds a link
	 * there (it never changes that one: the request says EXCL). */
	if (ask && (ret == -EBUSY || ret == -EEXIST)) {
		nn_error_clear(e);
		ask = 0;
		ret = macvlan_request(parent_ns, parent_ifindex, target, name, mac, mode, 0, want, &m, e);
	}
	if (ret < 0 || !want)
		return ret;
	if (ask) {
		*ifindex = ask;
		return 0;
	}
	return made_index(target, name, &m, ifindex, e);
}

int nn_macvlan_add(struct nn_ns *parent_ns, int parent_ifindex, struct nn_ns *target,
		   const char *name, const uint8_t *mac, enum nn_macvlan_mode mode,
		   struct nn_error *e)
{
	return nn_macvlan_create(parent_ns, parent_ifindex, target, name, mac, mode, NULL, e);
}

int nn_bridge_create(struct nn_ns *ns, const char *name, const uint8_t mac[6], bool up,
		     int *ifindex, struct nn_error *e)
{
	char buf[MSG_BUF] = { 0 };
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK,
					NLM_F_CREATE | NLM_F_EXCL | (ifindex ? NLM_F_ECHO : 0), 0);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nlattr *linkinfo;
	struct made m = { 0 };

	if (up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* Set here, a bridge's MAC is its own (NET_ADDR_SET): a port added
	 * later does not change it, as it would a MAC the kernel chose. */
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, linkinfo);
	if (nn_mnl_talk(ns, nlh, made_cb, &m, e, "cannot create bridge %s in %s", name,
			nn_ns_label(ns)) < 0)
		return -e->code;
	return ifindex ? made_index(ns, name, &m, ifindex, e) : 0;
}

int nn_bridge_add(struct nn_ns *ns, const char *name, const uint8_t mac[6], struct nn_error *e)
{
	return nn_bridge_create(ns, name, mac, false, NULL, e);
}

int nn_link_addrs_up(struct nn_ns *ns, int ifindex, const struct nn_prefix *addrs, size_t n,
		     struct nn_error *e)
{
	for (size_t i = 0; i < n; i++)
		if (nn_addr_add(ns, ifindex, &addrs[i], e) < 0)
			return -e->code;
	return nn_link_set_up(ns, ifindex, true, e);
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
