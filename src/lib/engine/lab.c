// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/netns.h"
#include "netnsctl/owner.h"
#include "netnsctl/route.h"
#include "netnsctl/units.h"
#include "util/cleanup.h"
#include "util/show.h"

#define NSNAME_MAX 256

struct lab_veth {
	char ns[2][NSNAME_MAX];
	char ifname[2][IFNAMSIZ];
	bool has_addr[2];
	struct nn_prefix addr[2];
	char master[IFNAMSIZ];		/* end 1 is a port of this bridge ("" none) */
};

struct lab_bridge {
	char ns[NSNAME_MAX];
	char name[IFNAMSIZ];
	bool has_addr;
	struct nn_prefix addr;
};

struct lab_macvlan {
	char ns[NSNAME_MAX], parent_ns[NSNAME_MAX];
	char ifname[IFNAMSIZ], parent[IFNAMSIZ];
	uint8_t mac[6];
	enum nn_macvlan_mode mode;
};

struct lab_route {
	char ns[NSNAME_MAX];
	char ifname[IFNAMSIZ];		/* "" for any */
	struct nn_prefix dst, gw;
	bool has_gw;
};

struct lab_fwd {
	char ns[NSNAME_MAX];
	bool on;
};

struct lab_qdisc {
	char ns[NSNAME_MAX];
	char ifname[IFNAMSIZ];
	struct nn_qdisc_info want;
};

struct nn_lab {
	char owner[64];
	char (*ns)[NSNAME_MAX];
	size_t n_ns;
	struct lab_veth *veths;
	size_t n_veths;
	struct lab_qdisc *qdiscs;
	size_t n_qdiscs;
	struct lab_bridge *bridges;
	size_t n_bridges;
	struct lab_macvlan *macvlans;
	size_t n_macvlans;
	struct lab_route *routes;
	size_t n_routes;
	struct lab_fwd *fwds;
	size_t n_fwds;
	struct nn_nat_rule *nats;
	size_t n_nats;
	bool prune;
	bool new_namespaces;
	enum nn_lab_claim claim;
};

enum op {
	OP_NS_DEL,
	OP_NAT_DEL,
	OP_ROUTE_DEL,
	OP_FWD_RESTORE,
	OP_FWD_HANDOVER,
	OP_ADOPT,
	OP_NS_ADD,
	OP_LINK_DEL,
	OP_BRIDGE_ADD,
	OP_MACVLAN_ADD,
	OP_SET_MASTER,
	OP_ROUTE_SET,
	OP_FWD_SET,
	OP_NAT_ADD,
	OP_VETH_ADD,
	OP_ADDR_DEL,
	OP_ADDR_ADD,
	OP_LINK_UP,
	OP_QDISC_SET,
	OP_QDISC_CLEAR,
};

struct step {
	enum op op;
	char ns[NSNAME_MAX], ns2[NSNAME_MAX];
	char ifname[IFNAMSIZ], ifname2[IFNAMSIZ];
	struct nn_prefix addr;
	struct nn_qdisc_info q;		/* wanted (QDISC_SET) */
	struct nn_qdisc_info prev;	/* what was there, for undo */
	bool has_prev;
	bool prev_ours;			/* QDISC_CLEAR of one netnsctl made: an
					 * undo records it again */
	int prev_master;		/* SET_MASTER: the bridge before (0: none) */
	/*
	 * What the object this step makes will bear, journalled with its
	 * intent (owner.h), or what the object a removal removes bears, seen
	 * when the plan judged it netnsctl's: a removal finding another object
	 * under the name by then leaves it alone, and so does an undo.
	 */
	uint64_t cookie;		/* NS_ADD (read as it is made), NS_DEL */
	uint8_t mac[6], mac2[6];	/* VETH_ADD (mac2: the peer), BRIDGE_ADD */
	int ifindex;			/* LINK_DEL */
	uint32_t handle;		/* QDISC_SET: 0 picks a free one */
	uint64_t nonce;			/* NAT_ADD, NAT_DEL */
	union {
		struct {			/* MACVLAN_ADD */
			uint8_t mac[6];
			enum nn_macvlan_mode mode;
		} mv;
		struct {			/* ROUTE_SET, ROUTE_DEL */
			struct nn_prefix gw;
			bool has_gw, dev;	/* dev: out of ifname */
			/* ROUTE_SET over a route that was there: it is not
			 * ours, and an undo puts it back */
			bool has_prev, prev_has_gw;
			struct nn_prefix prev_gw;
			int prev_ifindex, prev_proto;
		} rt;
		struct {			/* FWD_SET, FWD_RESTORE */
			bool on, prev;		/* prev: the kernel's before the step */
			bool fresh;		/* FWD_SET in a namespace this plan makes */
			/* FWD_SET: the value before netnsctl first changed it
			 * (the journal's record, or prev) */
			bool orig;
			off_t at;		/* FWD_SET: where its record is */
		} fwd;
		struct {			/* NAT_ADD, NAT_DEL: indexes into plan->nats */
			size_t rule, prev;
			bool has_prev;
			/* the rule replaced was netnsctl's, of this owner: an
			 * undo records it again */
			char prev_owner[64];
		} nat;
		struct {			/* ADOPT: the journal's record, whose
						 * owner an undo gives it back to */
			enum nn_obj_kind kind;	/* NETNS (ns is its name) or LINK */
			uint64_t id;
			char owner[64];
			struct nn_proof proof;
		} adopt;
	};
	char text[320];
	bool done;
};

struct nn_plan {
	char owner[64];
	struct step *steps;
	size_t n, cap;
	struct nn_nat_rule *nats;	/* the rules NAT steps name by index */
	size_t n_nats;
	size_t n_link_dels;		/* LINK_DEL steps: most plans have none */
};

/* --- the lab ---------------------------------------------------------- */

struct nn_lab *nn_lab_new(const char *owner)
{
	struct nn_lab *lab = calloc(1, sizeof(*lab));

	if (lab)
		snprintf(lab->owner, sizeof(lab->owner), "%s", owner ? owner : "-");
	return lab;
}

void nn_lab_free(struct nn_lab *lab)
{
	if (!lab)
		return;
	free(lab->ns);
	free(lab->veths);
	free(lab->qdiscs);
	free(lab->bridges);
	free(lab->macvlans);
	free(lab->routes);
	free(lab->fwds);
	free(lab->nats);
	free(lab);
}

static void *grow(void *v, size_t n, size_t size)
{
	return realloc(v, (n + 1) * size);
}

/* NAME, or "" for the host namespace, which always exists. */
static int need_ns(struct nn_lab *lab, const char *name, struct nn_error *e)
{
	return *name ? nn_lab_add_netns(lab, name, e) : 0;
}

int nn_lab_add_netns(struct nn_lab *lab, const char *name, struct nn_error *e)
{
	char (*v)[NSNAME_MAX];

	if (nn_check_netns_name(name, e) < 0)
		return -e->code;
	for (size_t i = 0; i < lab->n_ns; i++)
		if (!strcmp(lab->ns[i], name))
			return 0;
	v = grow(lab->ns, lab->n_ns, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe namespace \"%s\"", name);
	lab->ns = v;
	snprintf(lab->ns[lab->n_ns++], NSNAME_MAX, "%s", name);
	return 0;
}

int nn_lab_add_veth(struct nn_lab *lab, const char *ns_a, const char *if_a,
		    const char *ns_b, const char *if_b, const struct nn_prefix *addr_a,
		    const struct nn_prefix *addr_b, struct nn_error *e)
{
	struct lab_veth *v;

	if (need_ns(lab, ns_a, e) < 0 || need_ns(lab, ns_b, e) < 0 ||
	    nn_check_ifname(if_a, e) < 0 || nn_check_ifname(if_b, e) < 0)
		return -e->code;
	if (!strcmp(ns_a, ns_b) && !strcmp(if_a, if_b))
		return nn_error_setx(e, EINVAL, "both ends of the pair are \"%s\" in namespace \"%s\"",
				     if_a, ns_a);
	v = grow(lab->veths, lab->n_veths, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe veth \"%s\"", if_a);
	lab->veths = v;
	v = &lab->veths[lab->n_veths++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns[0], NSNAME_MAX, "%s", ns_a);
	snprintf(v->ns[1], NSNAME_MAX, "%s", ns_b);
	snprintf(v->ifname[0], IFNAMSIZ, "%s", if_a);
	snprintf(v->ifname[1], IFNAMSIZ, "%s", if_b);
	if (addr_a) {
		v->has_addr[0] = true;
		v->addr[0] = *addr_a;
	}
	if (addr_b) {
		v->has_addr[1] = true;
		v->addr[1] = *addr_b;
	}
	return 0;
}

int nn_lab_add_qdisc(struct nn_lab *lab, const char *ns, const char *ifname,
		     const struct nn_qdisc_info *want, struct nn_error *e)
{
	struct lab_qdisc *v;

	if ((*ns && nn_check_netns_name(ns, e) < 0) || nn_check_ifname(ifname, e) < 0)
		return -e->code;
	v = grow(lab->qdiscs, lab->n_qdiscs, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe a qdisc on \"%s\"", ifname);
	lab->qdiscs = v;
	v = &lab->qdiscs[lab->n_qdiscs++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns, NSNAME_MAX, "%s", ns);
	snprintf(v->ifname, IFNAMSIZ, "%s", ifname);
	v->want = *want;
	return 0;
}

int nn_lab_add_bridge(struct nn_lab *lab, const char *ns, const char *br,
		      const struct nn_prefix *addr, struct nn_error *e)
{
	struct lab_bridge *v;

	if (need_ns(lab, ns, e) < 0 || nn_check_ifname(br, e) < 0)
		return -e->code;
	v = grow(lab->bridges, lab->n_bridges, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe bridge \"%s\"", br);
	lab->bridges = v;
	v = &lab->bridges[lab->n_bridges++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns, NSNAME_MAX, "%s", ns);
	snprintf(v->name, IFNAMSIZ, "%s", br);
	if (addr) {
		v->has_addr = true;
		v->addr = *addr;
	}
	return 0;
}

int nn_lab_add_port(struct nn_lab *lab, const char *ns, const char *ifname,
		    const struct nn_prefix *addr, const char *br_ns, const char *br,
		    const char *port, struct nn_error *e)
{
	if (nn_check_ifname(br, e) < 0 ||
	    nn_lab_add_veth(lab, ns, ifname, br_ns, port, addr, NULL, e) < 0)
		return -e->code;
	snprintf(lab->veths[lab->n_veths - 1].master, IFNAMSIZ, "%s", br);
	return 0;
}

int nn_lab_add_macvlan(struct nn_lab *lab, const char *ns, const char *ifname,
		       const char *parent_ns, const char *parent, const uint8_t mac[6],
		       enum nn_macvlan_mode mode, struct nn_error *e)
{
	struct lab_macvlan *v;

	if (need_ns(lab, ns, e) < 0 || (*parent_ns && nn_check_netns_name(parent_ns, e) < 0) ||
	    nn_check_ifname(ifname, e) < 0 || nn_check_ifname(parent, e) < 0)
		return -e->code;
	if (!strcmp(ns, parent_ns))
		return nn_error_setx(e, EINVAL, "macvlan %s must live in another namespace than its parent %s",
				     ifname, parent);
	v = grow(lab->macvlans, lab->n_macvlans, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe macvlan \"%s\"", ifname);
	lab->macvlans = v;
	v = &lab->macvlans[lab->n_macvlans++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns, NSNAME_MAX, "%s", ns);
	snprintf(v->parent_ns, NSNAME_MAX, "%s", parent_ns);
	snprintf(v->ifname, IFNAMSIZ, "%s", ifname);
	snprintf(v->parent, IFNAMSIZ, "%s", parent);
	memcpy(v->mac, mac, 6);
	v->mode = mode;
	return 0;
}

int nn_lab_add_route(struct nn_lab *lab, const char *ns, const struct nn_prefix *dst,
		     const struct nn_prefix *gw, const char *ifname, struct nn_error *e)
{
	struct lab_route *v;

	if (need_ns(lab, ns, e) < 0 || (ifname && nn_check_ifname(ifname, e) < 0))
		return -e->code;
	if (gw && gw->family != dst->family)
		return nn_error_setx(e, EINVAL, "route gateway and destination differ in address family");
	if (!gw && !ifname)
		return nn_error_setx(e, EINVAL, "a route needs a gateway or an interface");
	v = grow(lab->routes, lab->n_routes, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe a route");
	lab->routes = v;
	v = &lab->routes[lab->n_routes++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns, NSNAME_MAX, "%s", ns);
	if (ifname)
		snprintf(v->ifname, IFNAMSIZ, "%s", ifname);
	v->dst = *dst;
	if (gw) {
		v->has_gw = true;
		v->gw = *gw;
		v->gw.len = gw->family == AF_INET ? 32 : 128;
	}
	return 0;
}

int nn_lab_set_forwarding(struct nn_lab *lab, const char *ns, bool on, struct nn_error *e)
{
	struct lab_fwd *v;

	if (need_ns(lab, ns, e) < 0)
		return -e->code;
	for (size_t i = 0; i < lab->n_fwds; i++) {
		if (!strcmp(lab->fwds[i].ns, ns)) {
			lab->fwds[i].on = on;
			return 0;
		}
	}
	v = grow(lab->fwds, lab->n_fwds, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe forwarding");
	lab->fwds = v;
	v = &lab->fwds[lab->n_fwds++];
	snprintf(v->ns, NSNAME_MAX, "%s", ns);
	v->on = on;
	return 0;
}

/* Tags go into the journal as one field and into nft comments. */
static int check_tag(const char *tag, struct nn_error *e)
{
	struct nn_shown shown;
	size_t n = strlen(tag);

	if (!n || n >= NN_NAT_TAG_MAX)
		return nn_error_setx(e, EINVAL, "invalid NAT rule tag \"%s\": 1 to %d characters",
				     nn_show(&shown, tag), NN_NAT_TAG_MAX - 1);
	for (const char *c = tag; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("._:/@+-=,", *c)))
			return nn_error_setx(e, EINVAL,
					     "invalid NAT rule tag \"%s\": only letters, digits and ._:/@+-=,",
					     nn_show(&shown, tag));
	return 0;
}

int nn_lab_add_nat(struct nn_lab *lab, const struct nn_nat_rule *rule, struct nn_error *e)
{
	struct nn_shown shown;
	struct nn_nat_rule *v;

	if (check_tag(rule->tag, e) < 0)
		return -e->code;
	for (size_t i = 0; i < lab->n_nats; i++)
		if (!strcmp(lab->nats[i].tag, rule->tag))
			return nn_error_setx(e, EEXIST, "two NAT rules are tagged \"%s\"",
					     nn_show(&shown, rule->tag));
	v = grow(lab->nats, lab->n_nats, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe NAT rule \"%s\"", rule->tag);
	lab->nats = v;
	lab->nats[lab->n_nats++] = *rule;
	return 0;
}

void nn_lab_set_prune(struct nn_lab *lab, bool prune)
{
	lab->prune = prune;
}

void nn_lab_set_new_namespaces(struct nn_lab *lab, bool on)
{
	lab->new_namespaces = on;
}

void nn_lab_set_claim(struct nn_lab *lab, enum nn_lab_claim claim)
{
	lab->claim = claim;
}

/* --- observing ---------------------------------------------------------- */

/* What one namespace holds, read once per plan. */
struct obs {
	char name[NSNAME_MAX];
	bool exists;
	bool will_exist;		/* made by this plan */
	struct nn_link_info *links;
	size_t n_links;
	struct nn_addr_info *addrs;
	size_t n_addrs;
	bool have_routes, have_fwd, have_roots, have_cookie;	/* read on demand */
	uint64_t cookie;
	struct nn_route_info *routes;
	size_t n_routes;
	bool fwd;
	struct nn_qdisc_info *roots;	/* root qdiscs, by ifindex */
	size_t n_roots;
};

struct observer {
	struct nn_ctx *ctx;
	struct obs **v;			/* stable addresses: callers hold several */
	size_t n;
	bool have_nats;
	struct nn_nat_rule *nats;	/* the host's */
	size_t n_nats;
	bool have_journal;
	struct nn_journal_entry *journal;	/* what netnsctl made, all owners */
	size_t n_journal;
};

static void observer_free(struct observer *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i]->links);
		free(o->v[i]->addrs);
		free(o->v[i]->routes);
		free(o->v[i]->roots);
		free(o->v[i]);
	}
	free(o->v);
	free(o->nats);
	free(o->journal);
}

static int observe(struct observer *o, const char *name, struct obs **out, struct nn_error *e)
{
	struct nn_ns *ns;
	struct obs *ob, **v;

	for (size_t i = 0; i < o->n; i++) {
		if (!strcmp(o->v[i]->name, name)) {
			*out = o->v[i];
			return 0;
		}
	}
	v = grow(o->v, o->n, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot observe namespace \"%s\"", name);
	o->v = v;
	ob = calloc(1, sizeof(*ob));
	if (!ob)
		return nn_error_set(e, ENOMEM, "cannot observe namespace \"%s\"", name);
	o->v[o->n++] = ob;
	snprintf(ob->name, sizeof(ob->name), "%s", name);
	*out = ob;
	if (*name) {
		int r = nn_netns_exists(o->ctx, name);

		/* Not knowing is not "absent": destroy would skip it, apply
		 * make it again. */
		if (r < 0)
			return nn_error_set(e, -r, "cannot look at namespace \"%s\"", name);
		if (r == 0)
			return 0;
	}
	ob->exists = true;
	if (nn_ctx_ns(o->ctx, name, &ns, e) < 0)
		return -e->code;
	if (nn_link_list(ns, &ob->links, &ob->n_links, e) < 0 ||
	    nn_addr_list(ns, &ob->addrs, &ob->n_addrs, e) < 0)
		return -e->code;
	return 0;
}

/* The root qdisc of IFINDEX in OB: 1 and *ROOT, or 0 (none reported).  One
 * dump per namespace, not one per link. */
static int obs_root(struct observer *o, struct obs *ob, int ifindex, struct nn_qdisc_info *root,
		    struct nn_error *e)
{
	const struct nn_qdisc_info *q;
	struct nn_ns *ns;

	memset(root, 0, sizeof(*root));
	if (!ob->exists)
		return 0;
	if (!ob->have_roots) {
		if (nn_ctx_ns(o->ctx, ob->name, &ns, e) < 0 ||
		    nn_qdisc_roots(ns, &ob->roots, &ob->n_roots, e) < 0)
			return -e->code;
		ob->have_roots = true;
	}
	q = nn_qdisc_find(ob->roots, ob->n_roots, ifindex);
	if (!q)
		return 0;
	*root = *q;
	return 1;
}

/* The cookie of OB (which exists). */
static int obs_cookie(struct observer *o, struct obs *ob, uint64_t *cookie, struct nn_error *e)
{
	struct nn_ns *ns;

	if (!ob->have_cookie) {
		if (nn_ctx_ns(o->ctx, ob->name, &ns, e) < 0 || nn_ns_cookie(ns, &ob->cookie, e) < 0)
			return -e->code;
		ob->have_cookie = true;
	}
	*cookie = ob->cookie;
	return 0;
}

/* The journal, read once per plan. */
static int obs_journal(struct observer *o, struct nn_error *e)
{
	if (o->have_journal)
		return 0;
	if (nn_journal_owned(o->ctx, &o->journal, &o->n_journal, e) < 0)
		return -e->code;
	o->have_journal = true;
	return 0;
}

/* Is link L of OB (which exists) one the journal proves netnsctl's? */
static int obs_link_ours(struct observer *o, struct obs *ob, const struct nn_link_info *l,
			 bool *ours, struct nn_error *e)
{
	const struct nn_journal_entry *j;
	uint64_t cookie;

	*ours = false;
	if (obs_journal(o, e) < 0 || obs_cookie(o, ob, &cookie, e) < 0)
		return -e->code;
	j = nn_journal_find(o->journal, o->n_journal, NN_OBJ_LINK, ob->name, l->name, cookie);
	*ours = j && nn_owner_link(j, l);
	return 0;
}

static int obs_routes(struct observer *o, struct obs *ob, struct nn_error *e)
{
	struct nn_ns *ns;

	if (ob->have_routes || !ob->exists)
		return 0;
	if (nn_ctx_ns(o->ctx, ob->name, &ns, e) < 0 ||
	    nn_route_list(ns, &ob->routes, &ob->n_routes, e) < 0)
		return -e->code;
	ob->have_routes = true;
	return 0;
}

static int obs_fwd(struct observer *o, struct obs *ob, struct nn_error *e)
{
	struct nn_ns *ns;

	if (ob->have_fwd || !ob->exists)
		return 0;
	if (nn_ctx_ns(o->ctx, ob->name, &ns, e) < 0 || nn_forwarding_get(ns, &ob->fwd, e) < 0)
		return -e->code;
	ob->have_fwd = true;
	return 0;
}

static int obs_nats(struct observer *o, struct nn_error *e)
{
	struct nn_ns *ns;

	if (o->have_nats)
		return 0;
	if (nn_ctx_ns(o->ctx, "", &ns, e) < 0 || nn_nat_rule_list(ns, &o->nats, &o->n_nats, e) < 0)
		return -e->code;
	o->have_nats = true;
	return 0;
}

static const struct nn_link_info *obs_link(const struct obs *ob, const char *ifname)
{
	for (size_t i = 0; i < ob->n_links; i++)
		if (!strcmp(ob->links[i].name, ifname))
			return &ob->links[i];
	return NULL;
}

/* --- planning ----------------------------------------------------------- */

static const char *where(const char *ns)
{
	return *ns ? ns : "the host";
}

/* Is link IFNAME in NS made by an earlier step of this plan? */
static bool plan_makes_link(const struct nn_plan *p, const char *ns, const char *ifname)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct step *s = &p->steps[i];

		if ((s->op == OP_VETH_ADD || s->op == OP_BRIDGE_ADD || s->op == OP_MACVLAN_ADD) &&
		    !strcmp(s->ns, ns) && !strcmp(s->ifname, ifname))
			return true;
		if (s->op == OP_VETH_ADD && !strcmp(s->ns2, ns) && !strcmp(s->ifname2, ifname))
			return true;
	}
	return false;
}

static int plan_nat_copy(struct nn_plan *p, const struct nn_nat_rule *r, size_t *idx,
			 struct nn_error *e)
{
	struct nn_nat_rule *v = realloc(p->nats, (p->n_nats + 1) * sizeof(*v));

	if (!v)
		return nn_error_set(e, ENOMEM, "cannot plan");
	p->nats = v;
	p->nats[p->n_nats] = *r;
	*idx = p->n_nats++;
	return 0;
}

static struct step *add_step(struct nn_plan *p, enum op op, const char *ns, const char *ifname,
			     struct nn_error *e)
{
	struct step *s;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;

		s = realloc(p->steps, cap * sizeof(*s));
		if (!s) {
			nn_error_set(e, ENOMEM, "cannot plan");
			return NULL;
		}
		p->steps = s;
		p->cap = cap;
	}
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	p->n_link_dels += op == OP_LINK_DEL;
	snprintf(s->ns, sizeof(s->ns), "%s", ns);
	if (ifname)
		snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	return s;
}

/*
 * Delete link L of OB, stale for WHY, to make it again as the lab wants it:
 * only when the journal proves it netnsctl's.  A link of that name that
 * anything else made is refused, never deleted (nor could a rollback bring
 * it back).
 */
static int plan_stale_del(struct nn_plan *p, struct observer *o, struct obs *ob,
			  const struct nn_link_info *l, const char *why, struct nn_error *e)
{
	struct step *s;
	bool ours;

	if (obs_link_ours(o, ob, l, &ours, e) < 0)
		return -e->code;
	if (!ours)
		return nn_error_setx(e, EEXIST, "%s in %s was not made by netnsctl (%s): not replaced",
				     l->name, where(ob->name), why);
	s = add_step(p, OP_LINK_DEL, ob->name, l->name, e);
	if (!s)
		return -e->code;
	s->ifindex = l->ifindex;
	snprintf(s->text, sizeof(s->text), "delete stale %s in %s (%s)", l->name, where(ob->name), why);
	return 0;
}

/* Are IF_A in A and IF_B in B the two ends of one veth? */
static int is_pair(struct observer *o, const struct obs *a, const struct nn_link_info *la,
		   const struct obs *b, const struct nn_link_info *lb, bool *paired,
		   struct nn_error *e)
{
	struct nn_ns *na, *nb;
	int32_t id_ab, id_ba;

	*paired = false;
	if (strcmp(la->kind, "veth") || strcmp(lb->kind, "veth") ||
	    la->peer_ifindex != lb->ifindex || lb->peer_ifindex != la->ifindex)
		return 0;
	if (a == b) {
		*paired = !la->peer_nsid_set && !lb->peer_nsid_set;
		return 0;
	}
	if (!la->peer_nsid_set || !lb->peer_nsid_set)
		return 0;
	/* ifindexes are per namespace: only the namespace ids prove the peers. */
	if (nn_ctx_ns(o->ctx, a->name, &na, e) < 0 || nn_ctx_ns(o->ctx, b->name, &nb, e) < 0 ||
	    nn_ns_peer_nsid(na, nb, &id_ab, e) < 0 || nn_ns_peer_nsid(nb, na, &id_ba, e) < 0)
		return -e->code;
	*paired = id_ab >= 0 && id_ab == la->peer_nsid && id_ba >= 0 && id_ba == lb->peer_nsid;
	return 0;
}

static int plan_link_end(struct nn_plan *p, const struct obs *ob, const char *ifname,
			 const struct nn_link_info *have, bool fresh, bool has_addr,
			 const struct nn_prefix *want, struct nn_error *e)
{
	char a[64];
	struct step *s;

	if (has_addr) {
		bool present = false;

		for (size_t i = 0; !fresh && i < ob->n_addrs; i++) {
			const struct nn_addr_info *ai = &ob->addrs[i];

			if (ai->ifindex != have->ifindex || ai->addr.family != want->family ||
			    ai->scope == RT_SCOPE_LINK)
				continue;
			if (nn_prefix_equal(&ai->addr, want)) {
				present = true;
				continue;
			}
			s = add_step(p, OP_ADDR_DEL, ob->name, ifname, e);
			if (!s)
				return -e->code;
			s->addr = ai->addr;
			snprintf(s->text, sizeof(s->text), "remove stale address %s from %s in %s",
				 nn_format_prefix(a, sizeof(a), &ai->addr, true), ifname, where(ob->name));
		}
		if (!present) {
			s = add_step(p, OP_ADDR_ADD, ob->name, ifname, e);
			if (!s)
				return -e->code;
			s->addr = *want;
			snprintf(s->text, sizeof(s->text), "add %s to %s in %s",
				 nn_format_prefix(a, sizeof(a), want, true), ifname, where(ob->name));
		}
	}
	if (fresh || !have->up) {
		s = add_step(p, OP_LINK_UP, ob->name, ifname, e);
		if (!s)
			return -e->code;
		snprintf(s->text, sizeof(s->text), "set %s in %s up", ifname, where(ob->name));
	}
	return 0;
}

static bool lab_has_ns(const struct nn_lab *lab, const char *ns);
static bool plan_deletes_ns(const struct nn_plan *p, const char *ns);

/*
 * Where the peer of veth L in A lives: 1 with its namespace's name in NAME
 * ("" for the host), or 0 when that namespace has no name (not the host, in
 * no file of the run dir).  Only asked when a link is in the way of a pair,
 * so the run dir is read then and not for every plan.
 */
static int veth_peer_home(struct observer *o, const struct nn_lab *lab, const struct obs *a,
			  const struct nn_link_info *l, char *name, size_t len,
			  struct nn_error *e)
{
	char **names = NULL;
	struct nn_ns *na, *nc;
	size_t n = 0;
	int32_t id;
	int ret = 0;

	if (!l->peer_nsid_set) {
		snprintf(name, len, "%s", a->name);
		return 1;
	}
	if (nn_ctx_ns(o->ctx, a->name, &na, e) < 0)
		return -e->code;
	/* The lab's own namespaces and the host first: the usual answers. */
	for (size_t i = 0; i <= lab->n_ns; i++) {
		const char *c = i < lab->n_ns ? lab->ns[i] : "";
		int r = *c ? nn_netns_exists(o->ctx, c) : 1;

		if (r < 0)
			return nn_error_set(e, -r, "cannot look at namespace \"%s\"", c);
		if (!r || !strcmp(c, a->name))
			continue;
		if (nn_ctx_ns(o->ctx, c, &nc, e) < 0 || nn_ns_peer_nsid(na, nc, &id, e) < 0)
			return -e->code;
		if (id >= 0 && id == l->peer_nsid) {
			snprintf(name, len, "%s", c);
			return 1;
		}
	}
	if (nn_netns_list(o->ctx, &names, &n, e) < 0)
		return -e->code;
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (!strcmp(names[i], a->name))
			continue;
		if (nn_ctx_ns(o->ctx, names[i], &nc, e) < 0 || nn_ns_peer_nsid(na, nc, &id, e) < 0) {
			/* Deleted since it was listed: not where the peer is. */
			if (e->code == ENOENT) {
				nn_error_clear(e);
				continue;
			}
			ret = -e->code;
			break;
		}
		if (id >= 0 && id == l->peer_nsid) {
			snprintf(name, len, "%s", names[i]);
			ret = 1;
		}
	}
	nn_netns_list_free(names, n);
	return ret;
}

/*
 * A veth end L in A stands where this plan wants one end of the pair V and is
 * not paired as wanted.  It is stale, and replaced, only when its peer lives
 * in one of the lab's own namespaces (the lab says how those connect), in a
 * namespace this plan deletes, or in a namespace without a name (left behind,
 * unreachable by name).  A complete pair to any other named namespace, or to
 * the host, works for somebody: refused, never deleted.
 */
static int check_replaceable(struct nn_plan *p, struct observer *o, const struct nn_lab *lab,
			     const struct lab_veth *v, const struct obs *a,
			     const struct nn_link_info *l, struct nn_error *e)
{
	char home[NSNAME_MAX], ifopt[IFNAMSIZ + 16] = "";
	int ret = veth_peer_home(o, lab, a, l, home, sizeof(home), e);

	if (ret <= 0)
		return ret;
	/* (lab_has_ns() counts the host in every lab: not so here.) */
	if (!strcmp(home, v->ns[0]) || !strcmp(home, v->ns[1]) ||
	    (*home && (lab_has_ns(lab, home) || plan_deletes_ns(p, home))))
		return 0;
	if (!*home || !*a->name)
		return nn_error_setx(e, EEXIST,
				     "%s in %s already connects to %s; name other links, or remove that pair first",
				     l->name, where(a->name), where(home));
	if (strcmp(l->name, "veth-a"))
		snprintf(ifopt, sizeof(ifopt), " --if-a %s", l->name);
	/* create-veth-pair's options by name: the advice is one to follow. */
	return nn_error_setx(e, EEXIST,
			     "%s in %s already connects to %s; name other links%s, or delete-veth-pair %s %s%s first",
			     l->name, where(a->name), home,
			     !strcmp(lab->owner, "create-veth-pair") ? " with --if-a/--if-b" : "",
			     a->name, home, ifopt);
}

static int plan_veth(struct nn_plan *p, struct observer *o, const struct nn_lab *lab,
		     const struct lab_veth *v, struct nn_error *e)
{
	const struct nn_link_info *la = NULL, *lb = NULL;
	struct obs *a, *b;
	bool paired = false;
	struct step *s;

	if (observe(o, v->ns[0], &a, e) < 0 || observe(o, v->ns[1], &b, e) < 0)
		return -e->code;
	if (a->exists)
		la = obs_link(a, v->ifname[0]);
	if (b->exists)
		lb = obs_link(b, v->ifname[1]);
	if (la && lb && is_pair(o, a, la, b, lb, &paired, e) < 0)
		return -e->code;

	if (!paired) {
		/* Only veth halves are ours to replace: a bridge or another kind
		 * of link of that name is the user's, and a deleted link cannot be
		 * brought back by a rollback. */
		if (la && strcmp(la->kind, "veth"))
			return nn_error_setx(e, EEXIST, "%s in %s is a %s link, not a veth: not replaced",
					     la->name, where(a->name), *la->kind ? la->kind : "plain");
		if (lb && strcmp(lb->kind, "veth"))
			return nn_error_setx(e, EEXIST, "%s in %s is a %s link, not a veth: not replaced",
					     lb->name, where(b->name), *lb->kind ? lb->kind : "plain");
		if ((la && check_replaceable(p, o, lab, v, a, la, e) < 0) ||
		    (lb && check_replaceable(p, o, lab, v, b, lb, e) < 0))
			return -e->code;
		if ((la && plan_stale_del(p, o, a, la, "it is paired with another link", e) < 0) ||
		    (lb && plan_stale_del(p, o, b, lb, "it is paired with another link", e) < 0))
			return -e->code;
		s = add_step(p, OP_VETH_ADD, a->name, v->ifname[0], e);
		if (!s)
			return -e->code;
		snprintf(s->ns2, sizeof(s->ns2), "%s", b->name);
		snprintf(s->ifname2, sizeof(s->ifname2), "%s", v->ifname[1]);
		snprintf(s->text, sizeof(s->text), "create veth %s in %s <-> %s in %s",
			 v->ifname[0], where(a->name), v->ifname[1], where(b->name));
	}
	if (*v->master) {
		const struct nn_link_info *br = b->exists ? obs_link(b, v->master) : NULL;

		if (br && strcmp(br->kind, "bridge"))
			return nn_error_setx(e, EINVAL, "%s in %s is a %s link, not a bridge",
					     v->master, where(b->name), *br->kind ? br->kind : "plain");
		if (!br && !plan_makes_link(p, b->name, v->master))
			return nn_error_setx(e, ENODEV, "no bridge \"%s\" in %s", v->master,
					     where(b->name));
		if (!paired || !br || lb->master != br->ifindex) {
			s = add_step(p, OP_SET_MASTER, b->name, v->ifname[1], e);
			if (!s)
				return -e->code;
			s->prev_master = paired ? lb->master : 0;
			snprintf(s->ifname2, sizeof(s->ifname2), "%s", v->master);
			snprintf(s->text, sizeof(s->text), "attach %s in %s to bridge %s",
				 v->ifname[1], where(b->name), v->master);
		}
	}
	if (plan_link_end(p, a, v->ifname[0], la, !paired, v->has_addr[0], &v->addr[0], e) < 0 ||
	    plan_link_end(p, b, v->ifname[1], lb, !paired, v->has_addr[1], &v->addr[1], e) < 0)
		return -e->code;
	return 0;
}

static int plan_bridge(struct nn_plan *p, struct observer *o, const struct lab_bridge *v,
		       struct nn_error *e)
{
	const struct nn_link_info *l = NULL;
	struct step *s;
	struct obs *ob;

	if (observe(o, v->ns, &ob, e) < 0)
		return -e->code;
	if (ob->exists)
		l = obs_link(ob, v->name);
	if (l && strcmp(l->kind, "bridge"))
		return nn_error_setx(e, EEXIST, "%s in %s is a %s link, not a bridge: not replaced",
				     l->name, where(ob->name), *l->kind ? l->kind : "plain");
	if (!l) {
		s = add_step(p, OP_BRIDGE_ADD, ob->name, v->name, e);
		if (!s)
			return -e->code;
		snprintf(s->text, sizeof(s->text), "create bridge %s in %s", v->name, where(ob->name));
	}
	return plan_link_end(p, ob, v->name, l, !l, v->has_addr, &v->addr, e);
}

static int plan_macvlan(struct nn_plan *p, struct observer *o, const struct lab_macvlan *v,
			struct nn_error *e)
{
	const struct nn_link_info *l = NULL, *parent = NULL;
	struct obs *ob, *pob;
	bool fresh = false;
	struct step *s;

	if (observe(o, v->ns, &ob, e) < 0 || observe(o, v->parent_ns, &pob, e) < 0)
		return -e->code;
	if (pob->exists)
		parent = obs_link(pob, v->parent);
	if (!parent && !plan_makes_link(p, pob->name, v->parent))
		return nn_error_setx(e, ENODEV, "no interface \"%s\" in %s", v->parent,
				     where(pob->name));
	if (ob->exists)
		l = obs_link(ob, v->ifname);
	if (l && strcmp(l->kind, "macvlan"))
		return nn_error_setx(e, EEXIST, "%s in %s is a %s link, not a macvlan: not replaced",
				     l->name, where(ob->name), *l->kind ? l->kind : "plain");
	if (l && memcmp(l->mac, v->mac, 6)) {
		if (plan_stale_del(p, o, ob, l, "another MAC", e) < 0)
			return -e->code;
		l = NULL;
	}
	if (!l) {
		fresh = true;
		s = add_step(p, OP_MACVLAN_ADD, ob->name, v->ifname, e);
		if (!s)
			return -e->code;
		snprintf(s->ns2, sizeof(s->ns2), "%s", pob->name);
		snprintf(s->ifname2, sizeof(s->ifname2), "%s", v->parent);
		memcpy(s->mv.mac, v->mac, 6);
		s->mv.mode = v->mode;
		snprintf(s->text, sizeof(s->text),
			 "create macvlan %s in %s on %s in %s (%02x:%02x:%02x:%02x:%02x:%02x, %s)",
			 v->ifname, where(ob->name), v->parent, where(pob->name), v->mac[0],
			 v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5],
			 nn_macvlan_mode_name(v->mode));
	}
	return plan_link_end(p, ob, v->ifname, l, fresh, false, NULL, e);
}

/* The journal's name of a route: its destination, or default / default6. */
static const char *route_name(char *buf, size_t len, const struct nn_prefix *dst)
{
	if (dst->len == 0) {
		snprintf(buf, len, "%s", dst->family == AF_INET ? "default" : "default6");
		return buf;
	}
	return nn_format_prefix(buf, len, dst, true);
}

/* Does an earlier step of this plan delete the link IFINDEX of OB?  Its
 * routes go with it. */
static bool plan_drops_link(const struct nn_plan *p, const struct obs *ob, int ifindex)
{
	for (size_t i = 0; p->n_link_dels && i < p->n; i++) {
		const struct step *s = &p->steps[i];
		const struct nn_link_info *l;

		if (s->op == OP_LINK_DEL && !strcmp(s->ns, ob->name) &&
		    (l = obs_link(ob, s->ifname)) && l->ifindex == ifindex)
			return true;
	}
	return false;
}

static int plan_route(struct nn_plan *p, struct observer *o, const struct lab_route *v,
		      struct nn_error *e)
{
	const struct nn_link_info *l = NULL;
	char d[64], g[64];
	struct step *s;
	struct obs *ob;

	if (observe(o, v->ns, &ob, e) < 0 || obs_routes(o, ob, e) < 0)
		return -e->code;
	if (*v->ifname) {
		l = ob->exists ? obs_link(ob, v->ifname) : NULL;
		if (!l && !plan_makes_link(p, ob->name, v->ifname))
			return nn_error_setx(e, ENODEV, "no interface \"%s\" in %s", v->ifname,
					     where(ob->name));
	}
	const struct nn_route_info *prev = NULL;

	for (size_t i = 0; i < ob->n_routes; i++) {
		const struct nn_route_info *r = &ob->routes[i];

		/* On a link this plan deletes (a stale one it makes again):
		 * gone before this step, neither there nor to put back. */
		if (!nn_prefix_equal(&r->dst, &v->dst) || plan_drops_link(p, ob, r->ifindex))
			continue;
		if (r->has_gw == v->has_gw && (!v->has_gw || nn_prefix_equal(&r->gw, &v->gw)) &&
		    (!l || r->ifindex == l->ifindex))
			return 0;
		prev = r;
	}
	s = add_step(p, OP_ROUTE_SET, ob->name, *v->ifname ? v->ifname : NULL, e);
	if (!s)
		return -e->code;
	if (prev) {
		s->rt.has_prev = true;
		s->rt.prev_has_gw = prev->has_gw;
		s->rt.prev_gw = prev->gw;
		s->rt.prev_ifindex = prev->ifindex;
		s->rt.prev_proto = prev->protocol;
	}
	s->addr = v->dst;
	s->rt.gw = v->gw;
	s->rt.has_gw = v->has_gw;
	s->rt.dev = *v->ifname;
	snprintf(s->text, sizeof(s->text), "route %s%s%s%s%s in %s", route_name(d, sizeof(d), &v->dst),
		 v->has_gw ? " via " : "", v->has_gw ? nn_format_prefix(g, sizeof(g), &v->gw, false) : "",
		 *v->ifname ? " dev " : "", v->ifname, where(ob->name));
	return 0;
}

/* The journal's record of forwarding in OB as it is now (not one of an
 * earlier namespace of that name), or NULL. */
static int obs_fwd_record(struct observer *o, struct obs *ob,
			  const struct nn_journal_entry **out, struct nn_error *e)
{
	uint64_t cookie;

	*out = NULL;
	if (!ob->exists)
		return 0;
	if (obs_journal(o, e) < 0 || obs_cookie(o, ob, &cookie, e) < 0)
		return -e->code;
	*out = nn_journal_find(o->journal, o->n_journal, NN_OBJ_SYSCTL, ob->name, "ipv4.ip_forward",
			       cookie);
	if (*out && !(*out)->id)
		*out = NULL;
	return 0;
}

static int plan_fwd(struct nn_plan *p, struct observer *o, const struct lab_fwd *v,
		    struct nn_error *e)
{
	const struct nn_journal_entry *rec;
	struct step *s;
	struct obs *ob;

	if (observe(o, v->ns, &ob, e) < 0 || obs_fwd(o, ob, e) < 0)
		return -e->code;
	/* A namespace made by this plan starts with forwarding off. */
	if ((ob->exists ? ob->fwd : false) == v->on)
		return 0;
	s = add_step(p, OP_FWD_SET, ob->name, NULL, e);
	if (!s)
		return -e->code;
	s->fwd.on = v->on;
	s->fwd.prev = ob->exists ? ob->fwd : false;
	s->fwd.fresh = !ob->exists;
	/* Changed again: what is restored in the end is still the value
	 * from before the first change. */
	if (obs_fwd_record(o, ob, &rec, e) < 0)
		return -e->code;
	s->fwd.orig = rec ? rec->id == 2 : s->fwd.prev;
	snprintf(s->text, sizeof(s->text), "turn IPv4 forwarding %s in %s", v->on ? "on" : "off",
		 where(ob->name));
	return 0;
}

static bool nat_same(const struct nn_nat_rule *a, const struct nn_nat_rule *b)
{
	if (a->kind != b->kind || strcmp(a->tag, b->tag))
		return false;
	if (a->kind == NN_NAT_MASQUERADE)
		return nn_prefix_equal(&a->src, &b->src) && !strcmp(a->except_if, b->except_if);
	return a->proto == b->proto && a->port == b->port && a->to_port == b->to_port &&
	       a->to.s_addr == b->to.s_addr;
}

static void nat_text(char *buf, size_t len, const struct nn_nat_rule *r)
{
	char a[64];

	if (r->kind == NN_NAT_MASQUERADE)
		snprintf(buf, len, "masquerade %s%s%s (%s)", nn_format_prefix(a, sizeof(a), &r->src, true),
			 *r->except_if ? " except to " : "", r->except_if, r->tag);
	else
		snprintf(buf, len, "forward host %s port %u to %s:%u (%s)",
			 r->proto == IPPROTO_UDP ? "udp" : "tcp", r->port,
			 inet_ntop(AF_INET, &r->to, a, sizeof(a)) ? a : "?", r->to_port, r->tag);
}

static int plan_nat(struct nn_plan *p, struct observer *o, const struct nn_nat_rule *r,
		    struct nn_error *e)
{
	const struct nn_nat_rule *have = NULL;
	char txt[256];
	struct step *s;

	if (obs_nats(o, e) < 0)
		return -e->code;
	for (size_t i = 0; i < o->n_nats; i++)
		if (!strcmp(o->nats[i].tag, r->tag))
			have = &o->nats[i];
	if (have && nat_same(r, have))
		return 0;
	s = add_step(p, OP_NAT_ADD, "", NULL, e);
	if (!s || plan_nat_copy(p, r, &s->nat.rule, e) < 0)
		return -e->code;
	if (have) {
		const struct nn_journal_entry *j;
		uint64_t cookie;
		struct obs *host;

		if (plan_nat_copy(p, have, &s->nat.prev, e) < 0 || observe(o, "", &host, e) < 0 ||
		    obs_cookie(o, host, &cookie, e) < 0 || obs_journal(o, e) < 0)
			return -e->code;
		s->nat.has_prev = true;
		j = nn_journal_find(o->journal, o->n_journal, NN_OBJ_NAT, "", r->tag, cookie);
		if (j && nn_owner_nat(j, have, 1))
			snprintf(s->nat.prev_owner, sizeof(s->nat.prev_owner), "%s", j->owner);
	}
	nat_text(txt, sizeof(txt), r);
	snprintf(s->text, sizeof(s->text), "%s %s", have ? "replace" : "add", txt);
	return 0;
}

static bool qdisc_same(const struct nn_qdisc_info *want, const struct nn_qdisc_info *have)
{
	/* The kernel never reports netem's jitter table: with jitter asked for,
	 * only sending the spec again makes sure the table is the one asked for. */
	if (want->kind == NN_QDISC_NETEM && want->u.netem.jitter_ns)
		return false;
	return nn_qdisc_same(want, have);
}

/*
 * The handle of the root qdisc a plan sets on link L of OB (ROOT: its root
 * now, NULL none): the handle of netnsctl's own root there (so that it is
 * changed in place), 1: on a link netnsctl made, else 0: a free random one,
 * picked when the step runs (owner.h: an admin's root on the admin's link
 * may well be 1:).
 */
static int plan_qdisc_handle(struct observer *o, struct obs *ob, const struct nn_link_info *l,
			     const struct nn_qdisc_info *root, uint32_t *handle, struct nn_error *e)
{
	const struct nn_journal_entry *j;
	uint64_t cookie;
	bool ours;

	if (obs_journal(o, e) < 0 || obs_cookie(o, ob, &cookie, e) < 0)
		return -e->code;
	j = nn_journal_find(o->journal, o->n_journal, NN_OBJ_QDISC, ob->name, l->name, cookie);
	if (root && j && nn_owner_qdisc(j, l, root)) {
		*handle = root->handle;
		return 0;
	}
	if (obs_link_ours(o, ob, l, &ours, e) < 0)
		return -e->code;
	*handle = ours ? NN_QDISC_HANDLE : 0;
	return 0;
}

static int plan_qdisc(struct nn_plan *p, struct observer *o, const struct lab_qdisc *q,
		      struct nn_error *e)
{
	const struct nn_link_info *l;
	struct nn_qdisc_info root;
	bool fresh = false, have_root = false;
	int ret;
	char txt[200];
	struct step *s;
	struct obs *ob;

	if (observe(o, q->ns, &ob, e) < 0)
		return -e->code;
	if (!ob->exists && !ob->will_exist)
		return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", q->ns);
	l = ob->exists ? obs_link(ob, q->ifname) : NULL;
	/* A stale link this plan deletes and makes again starts with the
	 * kernel's default root, whatever the old one had. */
	if (l && plan_makes_link(p, q->ns, q->ifname))
		l = NULL;
	if (!l) {
		/* Made by an earlier step of this plan? */
		fresh = plan_makes_link(p, q->ns, q->ifname);
		if (!fresh)
			return *q->ns ? nn_error_setx(e, ENODEV,
						      "no interface \"%s\" in namespace \"%s\"",
						      q->ifname, q->ns)
				      : nn_error_setx(e, ENODEV, "no interface \"%s\" in the host",
						      q->ifname);
	}
	memset(&root, 0, sizeof(root));
	if (l) {
		if ((ret = obs_root(o, ob, l->ifindex, &root, e)) < 0)
			return ret;
		/* The kernel's default root (handle 0) is "none" here. */
		have_root = ret == 1 && root.handle != 0;
	}
	if (q->want.kind == NN_QDISC_OTHER) {
		if (!have_root)
			return 0;
		s = add_step(p, OP_QDISC_CLEAR, q->ns, q->ifname, e);
		if (!s)
			return -e->code;
		s->prev = root;
		s->has_prev = true;
		snprintf(s->text, sizeof(s->text), "clear qdisc %s on %s in %s", root.kind_name,
			 q->ifname, where(q->ns));
		return 0;
	}
	/* tbf drops every packet longer than its bucket: a burst below one
	 * full-size frame (MTU plus the Ethernet header the qdisc counts)
	 * passes nothing of that size.  A link this plan makes has the
	 * kernel's default MTU. */
	if (q->want.kind == NN_QDISC_TBF && q->want.u.tbf.burst) {
		uint32_t frame = (l ? l->mtu : 1500) + ETH_HLEN;

		if (q->want.u.tbf.burst < frame)
			return nn_error_setx(e, EMSGSIZE,
					     "invalid burst of %u bytes: smaller than a full-size frame on %s in %s (MTU %u + %d bytes of header); at least %ub",
					     q->want.u.tbf.burst, q->ifname, where(q->ns),
					     frame - ETH_HLEN, ETH_HLEN, frame);
	}
	if (have_root && qdisc_same(&q->want, &root))
		return 0;
	s = add_step(p, OP_QDISC_SET, q->ns, q->ifname, e);
	if (!s || (!fresh && (ret = plan_qdisc_handle(o, ob, l, have_root ? &root : NULL, &s->handle, e)) < 0))
		return -e->code;
	if (fresh)
		s->handle = NN_QDISC_HANDLE;
	s->q = q->want;
	s->prev = root;
	s->has_prev = have_root;
	nn_qdisc_format(txt, sizeof(txt), &q->want);
	snprintf(s->text, sizeof(s->text), "%s qdisc %s on %s in %s",
		 have_root ? "replace" : "set", txt, q->ifname, where(q->ns));
	return 0;
}

/* --- pruning: what this lab's owner made and the lab no longer has --- */

static bool lab_has_ns(const struct nn_lab *lab, const char *ns)
{
	if (!*ns)
		return true;
	for (size_t i = 0; i < lab->n_ns; i++)
		if (!strcmp(lab->ns[i], ns))
			return true;
	return false;
}

static bool lab_has_link(const struct nn_lab *lab, const char *ns, const char *ifname)
{
	for (size_t i = 0; i < lab->n_veths; i++)
		for (int k = 0; k < 2; k++)
			if (!strcmp(lab->veths[i].ns[k], ns) && !strcmp(lab->veths[i].ifname[k], ifname))
				return true;
	for (size_t i = 0; i < lab->n_bridges; i++)
		if (!strcmp(lab->bridges[i].ns, ns) && !strcmp(lab->bridges[i].name, ifname))
			return true;
	for (size_t i = 0; i < lab->n_macvlans; i++)
		if (!strcmp(lab->macvlans[i].ns, ns) && !strcmp(lab->macvlans[i].ifname, ifname))
			return true;
	return false;
}

static bool lab_has_qdisc(const struct nn_lab *lab, const char *ns, const char *ifname)
{
	for (size_t i = 0; i < lab->n_qdiscs; i++)
		if (!strcmp(lab->qdiscs[i].ns, ns) && !strcmp(lab->qdiscs[i].ifname, ifname))
			return true;
	return false;
}

static bool lab_has_route(const struct nn_lab *lab, const char *ns, const char *name)
{
	char buf[64];

	for (size_t i = 0; i < lab->n_routes; i++)
		if (!strcmp(lab->routes[i].ns, ns) &&
		    !strcmp(route_name(buf, sizeof(buf), &lab->routes[i].dst), name))
			return true;
	return false;
}

static bool lab_has_fwd(const struct nn_lab *lab, const char *ns)
{
	for (size_t i = 0; i < lab->n_fwds; i++)
		if (!strcmp(lab->fwds[i].ns, ns))
			return true;
	return false;
}

static bool lab_has_nat(const struct nn_lab *lab, const char *tag)
{
	for (size_t i = 0; i < lab->n_nats; i++)
		if (!strcmp(lab->nats[i].tag, tag))
			return true;
	return false;
}

static bool plan_deletes_ns(const struct nn_plan *p, const char *ns)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].op == OP_NS_DEL && !strcmp(p->steps[i].ns, ns))
			return true;
	return false;
}

/* The namespace NS as observed, when it exists and is the one J names
 * (1), or 0. */
static int record_ns(struct observer *o, const struct nn_journal_entry *j, const char *ns,
		     struct obs **out, struct nn_error *e)
{
	uint64_t cookie;

	if (observe(o, ns, out, e) < 0)
		return -e->code;
	if (!(*out)->exists)
		return 0;
	if (obs_cookie(o, *out, &cookie, e) < 0)
		return -e->code;
	return j->kind == NN_OBJ_NETNS ? nn_owner_netns(j, cookie) : nn_owner_in_ns(j, cookie);
}

/* An owner other than J's with objects in J's namespace, or NULL. */
static const char *other_owner(const struct nn_journal_entry *v, size_t n,
			       const struct nn_journal_entry *j)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind != NN_OBJ_NETNS && v[i].kind != NN_OBJ_SYSCTL &&
		    strcmp(v[i].owner, j->owner) && !strcmp(v[i].ns, j->ns) &&
		    v[i].ns_cookie == j->ns_cookie)
			return v[i].owner;
	return NULL;
}

/*
 * What the journal says this lab's owner made and the lab no longer has,
 * where it still is what the owner made (owner.h): removed.  Anything else
 * under those names is left alone.
 */
static int plan_prune(struct nn_plan *p, struct observer *o, const struct nn_lab *lab,
		      struct nn_error *e)
{
	const struct nn_journal_entry *v;
	size_t n;
	int ret = 0;

	if (obs_journal(o, e) < 0)
		return -e->code;
	v = o->journal;
	n = o->n_journal;
	/* Namespaces first: their links, routes and qdiscs go with them. */
	for (size_t i = 0; i < n && ret == 0; i++) {
		const struct nn_journal_entry *j = &v[i];
		struct step *s;
		struct obs *ob;

		if (j->kind != NN_OBJ_NETNS || strcmp(j->owner, lab->owner) || lab_has_ns(lab, j->name))
			continue;
		ret = record_ns(o, j, j->name, &ob, e);
		if (ret <= 0)
			continue;
		ret = 0;
		s = add_step(p, OP_NS_DEL, j->name, NULL, e);
		if (!s) {
			ret = -e->code;
			break;
		}
		s->cookie = ob->cookie;
		snprintf(s->text, sizeof(s->text), "delete namespace %s", j->name);
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		const struct nn_journal_entry *j = &v[i];
		const struct nn_link_info *l;
		struct step *s = NULL;
		struct obs *ob;

		/* In a namespace this plan deletes, everything goes with it. */
		if (j->kind == NN_OBJ_NETNS || strcmp(j->owner, lab->owner) ||
		    plan_deletes_ns(p, j->ns))
			continue;
		ret = record_ns(o, j, j->ns, &ob, e);
		if (ret <= 0)
			continue;
		ret = 0;
		switch (j->kind) {
		case NN_OBJ_LINK:
			l = obs_link(ob, j->name);
			if (lab_has_link(lab, j->ns, j->name) || !l || !nn_owner_link(j, l))
				break;
			s = add_step(p, OP_LINK_DEL, j->ns, j->name, e);
			if (!s)
				break;
			s->ifindex = l->ifindex;
			snprintf(s->text, sizeof(s->text), "delete %s in %s", j->name, where(j->ns));
			break;
		case NN_OBJ_QDISC: {
			struct nn_qdisc_info root;
			int have;

			l = obs_link(ob, j->name);
			if (lab_has_qdisc(lab, j->ns, j->name) || !l)
				break;
			if ((have = obs_root(o, ob, l->ifindex, &root, e)) < 0) {
				ret = have;
				break;
			}
			if (!nn_owner_qdisc(j, l, have ? &root : NULL))
				break;
			s = add_step(p, OP_QDISC_CLEAR, j->ns, j->name, e);
			if (!s)
				break;
			/* What an undo puts back: this root, recorded again. */
			s->has_prev = true;
			s->prev = root;
			s->prev_ours = true;
			snprintf(s->text, sizeof(s->text), "clear qdisc %s on %s in %s", root.kind_name,
				 j->name, where(j->ns));
			break;
		}
		case NN_OBJ_ROUTE:
			if (lab_has_route(lab, j->ns, j->name))
				break;
			if ((ret = obs_routes(o, ob, e)) < 0)
				break;
			if (!nn_owner_route(j, ob->routes, ob->n_routes))
				break;
			s = add_step(p, OP_ROUTE_DEL, j->ns, NULL, e);
			if (!s)
				break;
			nn_journal_route_dst(j->name, &s->addr);
			snprintf(s->text, sizeof(s->text), "delete route %s in %s", j->name, where(j->ns));
			break;
		case NN_OBJ_SYSCTL: {
			const char *heir;

			if (lab_has_fwd(lab, j->ns) || !j->id)
				break;
			/* Another owner with objects in that namespace may rely on
			 * forwarding without having switched it on: it inherits. */
			heir = other_owner(v, n, j);
			if (heir) {
				s = add_step(p, OP_FWD_HANDOVER, j->ns, NULL, e);
				if (!s)
					break;
				snprintf(s->ns2, sizeof(s->ns2), "%s", heir);
				s->fwd.prev = j->id == 2;
				/* For people: "forward-port tcp 81", not the
				 * journal's "forward-port:tcp:81". */
				char who[64];

				snprintf(who, sizeof(who), "%s", heir);
				for (char *c = who; *c; c++)
					if (*c == ':')
						*c = ' ';
				snprintf(s->text, sizeof(s->text),
					 "leave IPv4 forwarding in %s as it is: %s relies on it",
					 where(j->ns), who);
				break;
			}
			s = add_step(p, OP_FWD_RESTORE, j->ns, NULL, e);
			if (!s)
				break;
			s->fwd.on = j->id == 2;
			snprintf(s->text, sizeof(s->text), "turn IPv4 forwarding back %s in %s",
				 s->fwd.on ? "on" : "off", where(j->ns));
			break;
		}
		case NN_OBJ_NAT:
			if (lab_has_nat(lab, j->name))
				break;
			if ((ret = obs_nats(o, e)) < 0)
				break;
			if (!nn_owner_nat(j, o->nats, o->n_nats))
				break;
			s = add_step(p, OP_NAT_DEL, "", NULL, e);
			if (!s)
				break;
			s->nonce = nn_owner_nat_nonce(j);
			snprintf(s->text, sizeof(s->text), "delete NAT rule %s", j->name);
			snprintf(s->ns2, sizeof(s->ns2), "%s", j->name);
			break;
		case NN_OBJ_NETNS:
		/* Labs make no ingress redirects yet (only add-delay & co. do,
		 * owned by those commands): nothing of a lab's to prune. */
		case NN_OBJ_FILTER:
		case NN_OBJ_CLSACT:
			break;
		}
		if (!s && e->code && ret == 0)
			ret = -e->code;
	}
	return ret;
}

/*
 * What the kernel must have for this plan, asked before its first step (a
 * lab with netem on a kernel without it made 7 steps, then rolled them all
 * back; --dry-run promised them).  Only the qdisc kinds the plan sets, one
 * request each, in the namespace netnsctl runs in (kinds are the kernel's,
 * not a namespace's).  Link kinds are not probed: veth, bridge and macvlan
 * are in every kernel netnsctl is tested on, and a probe that makes no link
 * has no cheap form (RTM_NEWLINK validates the kind last).
 */
static int plan_probe_kernel(const struct nn_plan *p, struct nn_ctx *ctx, struct nn_error *e)
{
	bool need[2] = { false, false };	/* netem, tbf */
	static const char *const kinds[2] = { "netem", "tbf" };
	struct nn_ns *host;

	for (size_t i = 0; i < p->n; i++) {
		if (p->steps[i].op != OP_QDISC_SET)
			continue;
		need[0] |= p->steps[i].q.kind == NN_QDISC_NETEM;
		need[1] |= p->steps[i].q.kind == NN_QDISC_TBF;
	}
	for (int k = 0; k < 2; k++) {
		int ret;

		if (!need[k])
			continue;
		if (nn_ctx_ns(ctx, "", &host, e) < 0)
			return -e->code;
		ret = nn_qdisc_kind_probe(host, kinds[k], e);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return -e->code;
	}
	return 0;
}

/* --- claims: what the lab describes that another owner made --------- */

/* OWNER as a user knows it: lab "abc", netnsctl create-veth-pair. */
static const char *owner_text(char *buf, size_t len, const char *owner)
{
	if (!strncmp(owner, "lab:", 4))
		snprintf(buf, len, "lab \"%s\"", owner + 4);
	else
		snprintf(buf, len, "netnsctl %s", owner);
	return buf;
}

/*
 * The journal's record of namespace NS (IFNAME NULL) or of link IFNAME in
 * NS when an owner other than LAB's made it and it still is that object
 * (the namespace by its cookie, a link by its namespace's cookie and its
 * ifindex): 1 and *OUT, or 0.
 */
static int made_by_other(struct observer *o, const struct nn_lab *lab, const char *ns,
			 const char *ifname, const struct nn_journal_entry **out,
			 struct nn_error *e)
{
	struct obs *ob;
	int ret;

	*out = NULL;
	if (obs_journal(o, e) < 0 || observe(o, ns, &ob, e) < 0)
		return -e->code;
	if (!ob->exists)
		return 0;
	for (size_t i = 0; i < o->n_journal; i++) {
		const struct nn_journal_entry *j = &o->journal[i];
		const struct nn_link_info *l;

		if (!*j->owner || !strcmp(j->owner, "-") || !strcmp(j->owner, lab->owner))
			continue;
		if (ifname) {
			if (j->kind != NN_OBJ_LINK || strcmp(j->ns, ns) || strcmp(j->name, ifname) ||
			    !(l = obs_link(ob, ifname)) || !nn_owner_link(j, l))
				continue;
		} else if (j->kind != NN_OBJ_NETNS || strcmp(j->name, ns)) {
			continue;
		}
		/* still the object J names (owner.h): the namespace by its cookie */
		ret = record_ns(o, j, ns, &ob, e);
		if (ret < 0)
			return ret;
		if (ret) {
			*out = j;
			return 1;
		}
	}
	return 0;
}

/* Namespace NS (IFNAME NULL) or link IFNAME in NS, if another owner made
 * it: refused, or a step that adopts it. */
static int claim(struct nn_plan *p, struct observer *o, const struct nn_lab *lab, const char *ns,
		 const char *ifname, struct nn_error *e)
{
	const struct nn_journal_entry *j;
	char who[96], what[320];
	struct step *s;
	int ret = made_by_other(o, lab, ns, ifname, &j, e);

	if (ret <= 0)
		return ret;
	owner_text(who, sizeof(who), j->owner);
	if (ifname)
		snprintf(what, sizeof(what), "%s in %s", ifname, where(ns));
	else
		snprintf(what, sizeof(what), "namespace %s", ns);
	if (lab->claim == NN_CLAIM_REFUSE)
		return nn_error_setx(e, EBUSY, "%s belongs to %s: not taken over without adopting it",
				     what, who);
	s = add_step(p, OP_ADOPT, ns, ifname, e);
	if (!s)
		return -e->code;
	s->adopt.kind = j->kind;
	s->adopt.id = j->id;
	/* the proof goes with the record (owner.h): a killed owner's intent
	 * becomes a "made" record of what the kernel has */
	s->adopt.proof = j->id ? j->proof : j->intent;
	if (!j->id) {
		struct obs *ob;
		const struct nn_link_info *l;

		if (observe(o, ns, &ob, e) < 0)
			return -e->code;
		if (ifname && (l = obs_link(ob, ifname)))
			s->adopt.id = (uint64_t)l->ifindex;
		else if (!ifname && obs_cookie(o, ob, &s->adopt.id, e) < 0)
			return -e->code;
	}
	snprintf(s->adopt.owner, sizeof(s->adopt.owner), "%s", j->owner);
	snprintf(s->text, sizeof(s->text), "adopt %s from %s", what, who);
	return 0;
}

/* Everything the lab names that another lab or command may have made:
 * its namespaces and its links (veth ends, bridges, macvlans). */
static int plan_claims(struct nn_plan *p, struct observer *o, const struct nn_lab *lab,
		       struct nn_error *e)
{
	int ret = 0;

	for (size_t i = 0; i < lab->n_ns && ret == 0; i++)
		ret = claim(p, o, lab, lab->ns[i], NULL, e);
	for (size_t i = 0; i < lab->n_veths && ret == 0; i++)
		for (int k = 0; k < 2 && ret == 0; k++)
			ret = claim(p, o, lab, lab->veths[i].ns[k], lab->veths[i].ifname[k], e);
	for (size_t i = 0; i < lab->n_bridges && ret == 0; i++)
		ret = claim(p, o, lab, lab->bridges[i].ns, lab->bridges[i].name, e);
	for (size_t i = 0; i < lab->n_macvlans && ret == 0; i++)
		ret = claim(p, o, lab, lab->macvlans[i].ns, lab->macvlans[i].ifname, e);
	return ret;
}

int nn_plan_make(struct nn_ctx *ctx, const struct nn_lab *lab, struct nn_plan **out,
		 struct nn_error *e)
{
	struct observer o = { .ctx = ctx };
	struct nn_plan *p = calloc(1, sizeof(*p));
	struct obs *ob;
	int ret = 0;

	if (!p)
		return nn_error_set(e, ENOMEM, "cannot plan");
	snprintf(p->owner, sizeof(p->owner), "%s", lab->owner);
	/* Removals first: they free names and addresses the lab may reuse. */
	if (lab->prune)
		ret = plan_prune(p, &o, lab, e);
	if (ret == 0 && lab->claim != NN_CLAIM_SHARE)
		ret = plan_claims(p, &o, lab, e);
	for (size_t i = 0; i < lab->n_ns && ret == 0; i++) {
		char what[NSNAME_MAX + 32];

		snprintf(what, sizeof(what), "look at namespace %s", lab->ns[i]);
		nn_ctx_progress(ctx, what, i, lab->n_ns);
		ret = observe(&o, lab->ns[i], &ob, e);
		if (ret == 0 && !ob->exists) {
			struct step *s = add_step(p, OP_NS_ADD, ob->name, NULL, e);

			if (!s) {
				ret = -e->code;
				break;
			}
			ob->will_exist = true;
			snprintf(s->text, sizeof(s->text), "create namespace %s", ob->name);
		} else if (ret == 0 && lab->new_namespaces) {
			ret = nn_error_setx(e, EEXIST, "namespace \"%s\" exists and was not made by netnsctl for this: not touched",
					    ob->name);
		} else if (ret == 0) {
			const struct nn_link_info *lo = obs_link(ob, "lo");

			if (lo && !lo->up) {
				struct step *s = add_step(p, OP_LINK_UP, ob->name, "lo", e);

				if (!s) {
					ret = -e->code;
					break;
				}
				snprintf(s->text, sizeof(s->text), "set lo in %s up", ob->name);
			}
		}
	}
	nn_ctx_progress(ctx, "", lab->n_ns, lab->n_ns);
	for (size_t i = 0; i < lab->n_bridges && ret == 0; i++)
		ret = plan_bridge(p, &o, &lab->bridges[i], e);
	for (size_t i = 0; i < lab->n_veths && ret == 0; i++)
		ret = plan_veth(p, &o, lab, &lab->veths[i], e);
	for (size_t i = 0; i < lab->n_macvlans && ret == 0; i++)
		ret = plan_macvlan(p, &o, &lab->macvlans[i], e);
	for (size_t i = 0; i < lab->n_fwds && ret == 0; i++)
		ret = plan_fwd(p, &o, &lab->fwds[i], e);
	for (size_t i = 0; i < lab->n_routes && ret == 0; i++)
		ret = plan_route(p, &o, &lab->routes[i], e);
	for (size_t i = 0; i < lab->n_qdiscs && ret == 0; i++)
		ret = plan_qdisc(p, &o, &lab->qdiscs[i], e);
	for (size_t i = 0; i < lab->n_nats && ret == 0; i++)
		ret = plan_nat(p, &o, &lab->nats[i], e);
	if (ret == 0)
		ret = plan_probe_kernel(p, ctx, e);
	observer_free(&o);
	if (ret < 0) {
		nn_plan_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

void nn_plan_free(struct nn_plan *p)
{
	if (!p)
		return;
	free(p->steps);
	free(p->nats);
	free(p);
}

size_t nn_plan_len(const struct nn_plan *p)
{
	return p->n;
}

const char *nn_plan_step_text(const struct nn_plan *p, size_t i)
{
	return p->steps[i].text;
}

bool nn_plan_step_makes(const struct nn_plan *p, size_t i)
{
	const struct step *s = &p->steps[i];

	switch (s->op) {
	case OP_NS_ADD:
	case OP_VETH_ADD:
	case OP_BRIDGE_ADD:
	case OP_MACVLAN_ADD:
	case OP_ADDR_ADD:
	case OP_LINK_UP:
		return true;
	case OP_SET_MASTER:
		return !s->prev_master;
	case OP_ROUTE_SET:
		return !s->rt.has_prev;
	case OP_QDISC_SET:
		return !s->has_prev;
	case OP_NAT_ADD:
		return !s->nat.has_prev;
	case OP_FWD_SET:
		return s->fwd.fresh;
	default:
		return false;
	}
}

/* --- applying ----------------------------------------------------------- */

static int link_index(struct nn_ctx *ctx, const char *nsname, const char *ifname,
		      struct nn_ns **ns, int *ifindex, struct nn_error *e)
{
	struct nn_link_info li;

	if (nn_ctx_ns(ctx, nsname, ns, e) < 0 || nn_link_get(*ns, ifname, &li, e) < 0)
		return -e->code;
	*ifindex = li.ifindex;
	return 0;
}

/* The link IFNAME in NSNAME when it bears MAC (the one a step made): 1 and
 * *NS, *IFINDEX; 0 when it is gone or another link has the name now. */
static int link_with_mac(struct nn_ctx *ctx, const char *nsname, const char *ifname,
			 const uint8_t mac[6], struct nn_ns **ns, int *ifindex, struct nn_error *e)
{
	struct nn_link_info li;
	int r;

	if (nn_ctx_ns(ctx, nsname, ns, e) < 0)
		return -e->code;
	if ((r = nn_link_find(*ns, ifname, &li, e)) <= 0)
		return r;
	*ifindex = li.ifindex;
	return !memcmp(li.mac, mac, 6);
}

static int made_link(struct nn_ctx *ctx, struct nn_ns *ns, const char *ifname, const uint8_t mac[6],
		     const char *owner, struct nn_error *e)
{
	struct nn_link_info li;
	struct nn_proof proof;

	if (nn_link_get(ns, ifname, &li, e) < 0)
		return -e->code;
	nn_proof_mac(&proof, mac);
	return nn_journal_made(ctx, NN_OBJ_LINK, nn_ns_name(ns), ifname, (uint64_t)li.ifindex,
			       owner, &proof, e);
}

static int link_intent(struct nn_ctx *ctx, const char *ns, const char *ifname, const uint8_t mac[6],
		       const char *owner, struct nn_error *e)
{
	struct nn_proof proof;

	nn_proof_mac(&proof, mac);
	return nn_journal_intent(ctx, NN_OBJ_LINK, ns, ifname, owner, &proof, e);
}

static int set_qdisc(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_qdisc_info *q,
		     struct nn_error *e)
{
	switch (q->kind) {
	case NN_QDISC_NETEM:
		return nn_qdisc_netem_replace(ns, ifindex, handle, &q->u.netem, e);
	case NN_QDISC_TBF: {
		struct nn_tbf t = q->u.tbf;

		/* One read back from the kernel (an undo's) carries both its
		 * limit and the latency that limit stands for: the limit says it. */
		if (t.limit)
			t.latency_ns = 0;
		return nn_qdisc_tbf_replace(ns, ifindex, handle, &t, e);
	}
	default:
		return nn_qdisc_clear(ns, ifindex, e) < 0 ? -e->code : 0;
	}
}

static uint64_t random_nonce(void)
{
	uint64_t v = 0;

	while (!v)
		while (getrandom(&v, sizeof(v), 0) != sizeof(v))
			;
	return v;
}

struct ns_intent {
	struct nn_ctx *ctx;
	struct step *s;
	const char *owner;
};

/* Called by nn_netns_add_proven() between making the namespace and naming it. */
static int ns_intent(uint64_t cookie, void *arg, struct nn_error *e)
{
	struct ns_intent *a = arg;
	struct nn_proof proof;

	a->s->cookie = cookie;
	nn_proof_cookie(&proof, cookie);
	return nn_journal_intent(a->ctx, NN_OBJ_NETNS, "-", a->s->ns, a->owner, &proof, e);
}

/* The journal's record of what ADOPT step S names, owned by OWNER. */
static int adopt_record(struct nn_ctx *ctx, const struct step *s, const char *owner,
			struct nn_error *e)
{
	bool ns = s->adopt.kind == NN_OBJ_NETNS;

	return nn_journal_made(ctx, s->adopt.kind, ns ? "-" : s->ns, ns ? s->ns : s->ifname,
			       s->adopt.id, owner, &s->adopt.proof, e);
}

/*
 * One step.  Intents, with the proof the object will bear, are journalled
 * before the kernel is asked; a request the kernel refuses retracts them.
 * S->done is set as soon as the kernel changed something, so a failure in
 * the bookkeeping after it is undone too.
 */
static int do_step(struct nn_ctx *ctx, const char *owner, const struct nn_nat_rule *nats,
		   struct step *s, struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	struct nn_ns *ns, *ns2;
	struct nn_proof proof;
	uint64_t cookie;
	int ifindex = 0, ret;

	switch (s->op) {
	case OP_NS_ADD: {
		struct ns_intent a = { ctx, s, owner };

		s->cookie = 0;
		ret = nn_netns_add_proven(ctx, s->ns, ns_intent, &a, e);
		if (ret <= 0) {
			if (s->cookie)
				nn_journal_retract(ctx, NN_OBJ_NETNS, "-", s->ns, &ignored);
			/* Made by someone else (ip netns add) since the plan was
			 * made: not ours to journal, nor to delete on undo. */
			return ret < 0 ? ret : nn_error_setx(e, EEXIST,
				"namespace \"%s\" was made by another program meanwhile: run apply again",
				s->ns);
		}
		s->done = true;
		nn_proof_cookie(&proof, s->cookie);
		return nn_journal_made(ctx, NN_OBJ_NETNS, "-", s->ns, s->cookie, owner, &proof, e);
	}
	case OP_LINK_DEL: {
		struct nn_link_info li;

		if (nn_ctx_ns(ctx, s->ns, &ns, e) < 0 || (ret = nn_link_find(ns, s->ifname, &li, e)) < 0)
			return -e->code;
		/* Gone with its peer (or its namespace), deleted by an earlier
		 * step: only the record is left to close.  Another link under
		 * the name by now is not the one judged ours: left alone. */
		if (ret == 0 || li.ifindex != s->ifindex)
			return nn_journal_gone(ctx, NN_OBJ_LINK, s->ns, s->ifname, e);
		if (nn_link_del(ns, li.ifindex, e) < 0)
			return -e->code;
		s->done = true;
		return nn_journal_gone(ctx, NN_OBJ_LINK, s->ns, s->ifname, e);
	}
	case OP_VETH_ADD:
		nn_link_random_mac(s->mac);
		nn_link_random_mac(s->mac2);
		if (nn_ctx_ns(ctx, s->ns, &ns, e) < 0 || nn_ctx_ns(ctx, s->ns2, &ns2, e) < 0 ||
		    link_intent(ctx, s->ns, s->ifname, s->mac, owner, e) < 0)
			return -e->code;
		if (link_intent(ctx, s->ns2, s->ifname2, s->mac2, owner, e) < 0) {
			nn_journal_retract(ctx, NN_OBJ_LINK, s->ns, s->ifname, &ignored);
			return -e->code;
		}
		if (nn_veth_add(ns, s->ifname, s->mac, ns2, s->ifname2, s->mac2, e) < 0) {
			nn_journal_retract(ctx, NN_OBJ_LINK, s->ns, s->ifname, &ignored);
			nn_journal_retract(ctx, NN_OBJ_LINK, s->ns2, s->ifname2, &ignored);
			return -e->code;
		}
		s->done = true;
		if (made_link(ctx, ns, s->ifname, s->mac, owner, e) < 0 ||
		    made_link(ctx, ns2, s->ifname2, s->mac2, owner, e) < 0)
			return -e->code;
		return 0;
	case OP_ADDR_DEL:
	case OP_ADDR_ADD:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0)
			return -e->code;
		if ((s->op == OP_ADDR_ADD ? nn_addr_add(ns, ifindex, &s->addr, e)
					  : nn_addr_del(ns, ifindex, &s->addr, e)) < 0)
			return -e->code;
		s->done = true;
		return 0;
	case OP_LINK_UP:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0 ||
		    nn_link_set_up(ns, ifindex, true, e) < 0)
			return -e->code;
		s->done = true;
		return 0;
	case OP_QDISC_CLEAR:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0) {
			if (e->code != ENODEV)
				return -e->code;
			/* Its link is gone (a bridge port whose peer's
			 * namespace an earlier step deleted): so is the qdisc. */
			nn_error_clear(e);
			return nn_journal_gone(ctx, NN_OBJ_QDISC, s->ns, s->ifname, e);
		}
		if (nn_qdisc_clear(ns, ifindex, e) < 0) {
			if (e->code != ENODEV)
				return -e->code;
			nn_error_clear(e);	/* gone meanwhile, and its qdisc with it */
		}
		s->done = true;
		return nn_journal_gone(ctx, NN_OBJ_QDISC, s->ns, s->ifname, e);
	case OP_QDISC_SET:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0 ||
		    (!s->handle && nn_qdisc_free_handle(ns, ifindex, &s->handle, e) < 0))
			return -e->code;
		nn_proof_qdisc(&proof, s->handle, ifindex);
		if (nn_journal_intent(ctx, NN_OBJ_QDISC, s->ns, s->ifname, owner, &proof, e) < 0)
			return -e->code;
		/* A refused replace leaves the old qdisc (see qdisc.h). */
		if (set_qdisc(ns, ifindex, s->handle, &s->q, e) < 0) {
			nn_journal_retract(ctx, NN_OBJ_QDISC, s->ns, s->ifname, &ignored);
			return -e->code;
		}
		s->done = true;
		return nn_journal_made(ctx, NN_OBJ_QDISC, s->ns, s->ifname, (uint64_t)ifindex,
				       owner, &proof, e);
	case OP_BRIDGE_ADD:
		nn_link_random_mac(s->mac);
		if (nn_ctx_ns(ctx, s->ns, &ns, e) < 0 ||
		    link_intent(ctx, s->ns, s->ifname, s->mac, owner, e) < 0)
			return -e->code;
		if (nn_bridge_add(ns, s->ifname, s->mac, e) < 0) {
			nn_journal_retract(ctx, NN_OBJ_LINK, s->ns, s->ifname, &ignored);
			return -e->code;
		}
		s->done = true;
		return made_link(ctx, ns, s->ifname, s->mac, owner, e);
	case OP_MACVLAN_ADD:
		if (nn_ctx_ns(ctx, s->ns, &ns2, e) < 0 ||
		    link_index(ctx, s->ns2, s->ifname2, &ns, &ifindex, e) < 0 ||
		    link_intent(ctx, s->ns, s->ifname, s->mv.mac, owner, e) < 0)
			return -e->code;
		if (nn_macvlan_add(ns, ifindex, ns2, s->ifname, s->mv.mac, s->mv.mode, e) < 0) {
			nn_journal_retract(ctx, NN_OBJ_LINK, s->ns, s->ifname, &ignored);
			return -e->code;
		}
		s->done = true;
		return made_link(ctx, ns2, s->ifname, s->mv.mac, owner, e);
	case OP_SET_MASTER: {
		int master = 0;

		if (link_index(ctx, s->ns, s->ifname2, &ns, &master, e) < 0 ||
		    link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0)
			return -e->code;
		if (nn_link_set_master(ns, ifindex, master, e) < 0) {
			if (e->code == EXFULL)
				return nn_error_setx(e, EXFULL,
						     "cannot attach %s to bridge %s in %s: it has its maximum of ports (1023)",
						     s->ifname, s->ifname2, where(s->ns));
			return nn_error_prefix(e, "%s, bridge %s", s->ifname, s->ifname2);
		}
		s->done = true;
		return 0;
	}
	case OP_ROUTE_SET:
	case OP_ROUTE_DEL: {
		char name[64];

		route_name(name, sizeof(name), &s->addr);
		if (s->op == OP_ROUTE_DEL) {
			/* Only a route of netnsctl's protocol: the kernel matches it. */
			if (nn_ctx_ns(ctx, s->ns, &ns, e) < 0 ||
			    nn_route_del_proto(ns, &s->addr, NN_RTPROT, e) < 0)
				return -e->code;
			s->done = true;
			return nn_journal_gone(ctx, NN_OBJ_ROUTE, s->ns, name, e);
		}
		if (s->rt.dev) {
			if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, e) < 0)
				return -e->code;
		} else if (nn_ctx_ns(ctx, s->ns, &ns, e) < 0) {
			return -e->code;
		}
		/* Replacing a route that was there does not make it ours: it
		 * keeps its protocol, and no record claims it. */
		nn_proof_route(&proof);
		if (!s->rt.has_prev &&
		    nn_journal_intent(ctx, NN_OBJ_ROUTE, s->ns, name, owner, &proof, e) < 0)
			return -e->code;
		if (nn_route_replace_proto(ns, &s->addr, s->rt.has_gw ? &s->rt.gw : NULL, ifindex,
					   s->rt.has_prev ? s->rt.prev_proto : NN_RTPROT, e) < 0) {
			if (!s->rt.has_prev)
				nn_journal_retract(ctx, NN_OBJ_ROUTE, s->ns, name, &ignored);
			return -e->code;
		}
		s->done = true;
		if (s->rt.has_prev)
			return 0;
		return nn_journal_made(ctx, NN_OBJ_ROUTE, s->ns, name, 1, owner, &proof, e);
	}
	case OP_FWD_SET:
	case OP_FWD_RESTORE:
		if (nn_ctx_ns(ctx, s->ns, &ns, e) < 0)
			return -e->code;
		/* The value to restore is recorded before the change: an intent
		 * could not carry it, and a kill between the write and a later
		 * record would lose it.  Where it is is kept: an undo voids it
		 * in place, which needs no room on a full disk. */
		if (s->op == OP_FWD_SET &&
		    nn_journal_append(ctx, NN_JOURNAL_MADE, NN_OBJ_SYSCTL, s->ns, "ipv4.ip_forward",
				      s->fwd.orig ? 2 : 1, owner, NULL, &s->fwd.at, e) < 0)
			return -e->code;
		if (nn_forwarding_set(ns, s->fwd.on, e) < 0) {
			if (s->op == OP_FWD_SET)
				nn_journal_void(ctx, s->fwd.at, &ignored);
			return -e->code;
		}
		s->done = true;
		if (s->op == OP_FWD_RESTORE)
			return nn_journal_gone(ctx, NN_OBJ_SYSCTL, s->ns, "ipv4.ip_forward", e);
		return 0;
	case OP_NAT_ADD:
	case OP_NAT_DEL: {
		const char *tag = s->op == OP_NAT_ADD ? nats[s->nat.rule].tag : s->ns2;
		struct nn_nat_rule rule;

		if (nn_ctx_ns(ctx, "", &ns, e) < 0)
			return -e->code;
		if (s->op == OP_NAT_DEL) {
			if (nn_nat_rule_del(ns, tag, s->nonce, e) < 0)
				return -e->code;
			s->done = true;
			return nn_journal_gone(ctx, NN_OBJ_NAT, "", tag, e);
		}
		rule = nats[s->nat.rule];
		rule.nonce = s->nonce = random_nonce();
		nn_proof_nat(&proof, s->nonce);
		if (nn_journal_intent(ctx, NN_OBJ_NAT, "", tag, owner, &proof, e) < 0)
			return -e->code;
		if ((ret = nn_nat_rule_add(ns, &rule, e)) <= 0) {
			/* 0: the same rule was there meanwhile, someone else's */
			nn_journal_retract(ctx, NN_OBJ_NAT, "", tag, &ignored);
			return ret;
		}
		s->done = true;
		return nn_journal_made(ctx, NN_OBJ_NAT, "", tag, 1, owner, &proof, e);
	}
	case OP_FWD_HANDOVER:
		s->done = true;
		return nn_journal_made(ctx, NN_OBJ_SYSCTL, s->ns, "ipv4.ip_forward",
				       s->fwd.prev ? 2 : 1, s->ns2, NULL, e);
	case OP_ADOPT:
		if (adopt_record(ctx, s, owner, e) < 0)
			return -e->code;
		s->done = true;
		return 0;
	case OP_NS_DEL:
		/* The namespace judged ours, not another one named so since. */
		if ((ret = nn_netns_exists(ctx, s->ns)) < 0)
			return nn_error_set(e, -ret, "cannot look at namespace \"%s\"", s->ns);
		if (ret == 1 && (nn_ctx_ns(ctx, s->ns, &ns, e) < 0 || nn_ns_cookie(ns, &cookie, e) < 0))
			return -e->code;
		if (ret == 0 || cookie != s->cookie)
			return nn_journal_gone(ctx, NN_OBJ_NETNS, "-", s->ns, e);
		if (nn_netns_del(ctx, s->ns, e) < 0)
			return -e->code;
		s->done = true;
		return nn_journal_gone(ctx, NN_OBJ_NETNS, "-", s->ns, e);
	}
	return nn_error_setx(e, EINVAL, "unknown plan step");
}

/*
 * Best effort: the first error is the one the user needs to see.  Each undo
 * looks for the mark its step made (a cookie, a MAC, a handle, a protocol,
 * a nonce) and leaves an object of the name without it alone.
 */
static void undo_step(struct nn_ctx *ctx, const char *owner, const struct nn_nat_rule *nats,
		      struct step *s)
{
	struct nn_error e = { 0 };
	struct nn_proof proof;
	struct nn_ns *ns;
	uint64_t cookie;
	int ifindex = 0;

	switch (s->op) {
	case OP_NS_ADD:
		if (nn_netns_exists(ctx, s->ns) == 1 && nn_ctx_ns(ctx, s->ns, &ns, &e) == 0 &&
		    nn_ns_cookie(ns, &cookie, &e) == 0 && cookie == s->cookie &&
		    nn_netns_del(ctx, s->ns, &e) >= 0)
			nn_journal_gone(ctx, NN_OBJ_NETNS, "-", s->ns, &e);
		break;
	case OP_VETH_ADD:
		if (link_with_mac(ctx, s->ns, s->ifname, s->mac, &ns, &ifindex, &e) == 1)
			nn_link_del(ns, ifindex, &e);
		nn_journal_gone(ctx, NN_OBJ_LINK, s->ns, s->ifname, &e);
		nn_journal_gone(ctx, NN_OBJ_LINK, s->ns2, s->ifname2, &e);
		break;
	case OP_ADDR_ADD:
	case OP_ADDR_DEL:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, &e) == 0) {
			if (s->op == OP_ADDR_ADD)
				nn_addr_del(ns, ifindex, &s->addr, &e);
			else
				nn_addr_add(ns, ifindex, &s->addr, &e);
		}
		break;
	case OP_LINK_UP:
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, &e) == 0)
			nn_link_set_up(ns, ifindex, false, &e);
		break;
	case OP_QDISC_SET:
	case OP_QDISC_CLEAR: {
		struct nn_qdisc_info root;

		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, &e) < 0)
			break;
		if (s->has_prev && s->prev.kind != NN_QDISC_OTHER) {
			/* Back as it was, under its own handle. */
			if (set_qdisc(ns, ifindex, s->prev.handle, &s->prev, &e) == 0 && s->prev_ours) {
				nn_proof_qdisc(&proof, s->prev.handle, ifindex);
				nn_journal_made(ctx, NN_OBJ_QDISC, s->ns, s->ifname, (uint64_t)ifindex,
						owner, &proof, &e);
			}
		} else if (s->op == OP_QDISC_CLEAR ||
			   (nn_qdisc_root(ns, ifindex, &root, &e) == 1 && root.handle == s->handle)) {
			nn_qdisc_clear(ns, ifindex, &e);
		}
		break;
	}
	case OP_BRIDGE_ADD:
	case OP_MACVLAN_ADD:
		if (link_with_mac(ctx, s->ns, s->ifname, s->op == OP_BRIDGE_ADD ? s->mac : s->mv.mac, &ns,
				  &ifindex, &e) == 1)
			nn_link_del(ns, ifindex, &e);
		nn_journal_gone(ctx, NN_OBJ_LINK, s->ns, s->ifname, &e);
		break;
	case OP_SET_MASTER:
		/* Back on the bridge it was on, if any (that bridge may be gone:
		 * then it stays on none). */
		if (link_index(ctx, s->ns, s->ifname, &ns, &ifindex, &e) == 0 &&
		    nn_link_set_master(ns, ifindex, s->prev_master, &e) < 0 && s->prev_master)
			nn_link_set_master(ns, ifindex, 0, &e);
		break;
	case OP_ROUTE_SET: {
		char name[64];

		if (nn_ctx_ns(ctx, s->ns, &ns, &e) < 0)
			break;
		if (s->rt.has_prev) {
			nn_route_replace_proto(ns, &s->addr, s->rt.prev_has_gw ? &s->rt.prev_gw : NULL,
					       s->rt.prev_ifindex, s->rt.prev_proto, &e);
			break;
		}
		nn_route_del_proto(ns, &s->addr, NN_RTPROT, &e);
		nn_journal_gone(ctx, NN_OBJ_ROUTE, s->ns, route_name(name, sizeof(name), &s->addr), &e);
		break;
	}
	case OP_FWD_SET:
		if (nn_ctx_ns(ctx, s->ns, &ns, &e) == 0)
			nn_forwarding_set(ns, s->fwd.prev, &e);
		/* The record as it was before this step (an earlier change's, or
		 * none), without a byte more: a full disk must not leave this
		 * step's record to turn the admin's forwarding back later. */
		nn_journal_void(ctx, s->fwd.at, &e);
		break;
	case OP_NAT_ADD:
		if (nn_ctx_ns(ctx, "", &ns, &e) == 0) {
			if (s->nat.has_prev)
				nn_nat_rule_add(ns, &nats[s->nat.prev], &e);
			else
				nn_nat_rule_del(ns, nats[s->nat.rule].tag, s->nonce, &e);
		}
		/* The rule put back keeps its own nonce: the record is its
		 * owner's again, or none. */
		if (s->nat.has_prev && *s->nat.prev_owner) {
			nn_proof_nat(&proof, nats[s->nat.prev].nonce);
			nn_journal_made(ctx, NN_OBJ_NAT, "", nats[s->nat.rule].tag, 1, s->nat.prev_owner,
					&proof, &e);
		} else {
			nn_journal_gone(ctx, NN_OBJ_NAT, "", nats[s->nat.rule].tag, &e);
		}
		break;
	case OP_ADOPT:
		/* Its owner before gets it back. */
		adopt_record(ctx, s, s->adopt.owner, &e);
		break;
	case OP_LINK_DEL:
	case OP_NS_DEL:
	case OP_NAT_DEL:
	case OP_ROUTE_DEL:
	case OP_FWD_RESTORE:
	case OP_FWD_HANDOVER:
		/* Removals (stale links, pruned objects) are not brought back. */
		break;
	}
}

static volatile sig_atomic_t cancel_sig;

void nn_plan_cancel(int sig)
{
	cancel_sig = sig;
}

int nn_plan_cancelled(void)
{
	return cancel_sig;
}

static bool is_removal(enum op op)
{
	return op == OP_LINK_DEL || op == OP_NS_DEL || op == OP_NAT_DEL || op == OP_ROUTE_DEL ||
	       op == OP_FWD_RESTORE || op == OP_FWD_HANDOVER;
}

static void undo_upto(struct nn_ctx *ctx, struct nn_plan *p, size_t end, nn_step_cb undone,
		      void *arg)
{
	size_t i = end;

	while (i-- > 0) {
		if (!p->steps[i].done || is_removal(p->steps[i].op))
			continue;
		undo_step(ctx, p->owner, p->nats, &p->steps[i]);
		p->steps[i].done = false;
		if (undone)
			undone(p->steps[i].text, arg);
	}
}

int nn_plan_apply(struct nn_ctx *ctx, struct nn_plan *p, nn_step_cb done, nn_step_cb undone,
		  void *arg, struct nn_error *e)
{
	size_t i;
	int ret;

	for (i = 0; i < p->n; i++) {
		if (cancel_sig) {
			ret = nn_error_setx(e, ECANCELED, "interrupted by signal %d before: %s",
					    (int)cancel_sig, p->steps[i].text);
			break;
		}
		nn_ctx_progress(ctx, p->steps[i].text, i, p->n);
		ret = do_step(ctx, p->owner, p->nats, &p->steps[i], e);
		if (ret < 0)
			break;
		if (done)
			done(p->steps[i].text, arg);
	}
	nn_ctx_progress(ctx, "", p->n, p->n);
	if (i == p->n)
		return 0;
	/* The failing step too, when it got as far as changing the kernel. */
	undo_upto(ctx, p, i + 1, undone, arg);
	return -e->code;
}

void nn_plan_undo(struct nn_ctx *ctx, struct nn_plan *p, nn_step_cb undone, void *arg)
{
	undo_upto(ctx, p, p->n, undone, arg);
}

