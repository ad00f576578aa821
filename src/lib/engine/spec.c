// SPDX-License-Identifier: GPL-2.0-or-later
/* The spec: what a lab wants to exist, and what it wants gone (lab.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/lab.h"
#include "netnsctl/names.h"
#include "netnsctl/partition.h"
#include "util/hash.h"
#include "util/show.h"
#include "engine/spec.h"

struct nn_lab *nn_lab_new(const char *owner)
{
	struct nn_lab *lab = calloc(1, sizeof(*lab));

	if (!lab)
		return NULL;
	snprintf(lab->owner, sizeof(lab->owner), "%s", owner ? owner : "-");
	lab->every_owner = !strcmp(lab->owner, "*");
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
	free(lab->del_ns);
	free(lab->del_veths);
	nn_hash_free(&lab->ns_idx);
	for (size_t i = 0; i < lab->n_cmds; i++) {
		for (size_t k = 0; lab->cmds[i].argv && lab->cmds[i].argv[k]; k++)
			free(lab->cmds[i].argv[k]);
		free(lab->cmds[i].argv);
	}
	free(lab->cmds);
	free(lab->groups);
	free(lab->old_groups);
	free(lab->applied_path);
	free(lab->applied_text);
	free(lab->applied_shape);
	free(lab->link_states);
	for (size_t i = 0; i < lab->n_partitions + lab->n_heals; i++) {
		struct lab_partition *v = i < lab->n_partitions ? &lab->partitions[i]
								: &lab->heals[i - lab->n_partitions];

		for (size_t k = 0; k < v->na + v->nb; k++)
			free(v->names[k]);
		free(v->names);
	}
	free(lab->partitions);
	free(lab->heals);
	free(lab->tcs);
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
	/* A lab of a thousand nodes names each namespace several times. */
	if (nn_lab_has_ns(lab, name))
		return 0;
	v = grow(lab->ns, lab->n_ns, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe namespace \"%s\"", name);
	lab->ns = v;
	snprintf(lab->ns[lab->n_ns], NSNAME_MAX, "%s", name);
	if (nn_hash_put(&lab->ns_idx, name, (void *)(uintptr_t)(lab->n_ns + 1)) < 0)
		return nn_error_set(e, ENOMEM, "cannot describe namespace \"%s\"", name);
	lab->n_ns++;
	return 0;
}

bool nn_lab_has_ns(const struct nn_lab *lab, const char *name)
{
	return nn_hash_find(&lab->ns_idx, name, NULL);
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
	memset(v, 0, sizeof(*v));
	snprintf(v->ns, NSNAME_MAX, "%s", ns);
	v->on = on;
	return 0;
}

int nn_lab_add_nat(struct nn_lab *lab, const struct nn_nat_rule *rule, struct nn_error *e)
{
	struct nn_shown shown;
	struct nn_nat_rule *v;

	if (nn_nat_tag_check(rule->tag, e) < 0)
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

int nn_lab_del_netns(struct nn_lab *lab, const char *name, struct nn_error *e)
{
	char (*v)[NSNAME_MAX];

	if (nn_check_netns_name(name, e) < 0)
		return -e->code;
	v = grow(lab->del_ns, lab->n_del_ns, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe namespace \"%s\"", name);
	lab->del_ns = v;
	snprintf(lab->del_ns[lab->n_del_ns++], NSNAME_MAX, "%s", name);
	return 0;
}

int nn_lab_del_veth(struct nn_lab *lab, const char *ns_a, const char *if_a, const char *ns_b,
		    struct nn_error *e)
{
	struct lab_del_veth *v;

	if (nn_check_netns_name(ns_a, e) < 0 || nn_check_netns_name(ns_b, e) < 0 ||
	    nn_check_ifname(if_a, e) < 0)
		return -e->code;
	v = grow(lab->del_veths, lab->n_del_veths, sizeof(*v));
	if (!v)
		return nn_error_set(e, ENOMEM, "cannot describe veth \"%s\"", if_a);
	lab->del_veths = v;
	v = &lab->del_veths[lab->n_del_veths++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns_a, NSNAME_MAX, "%s", ns_a);
	snprintf(v->ns_b, NSNAME_MAX, "%s", ns_b);
	snprintf(v->if_a, IFNAMSIZ, "%s", if_a);
	return 0;
}

int nn_lab_set_link_state(struct nn_lab *lab, const char *ns, const char *ifname, bool up,
			  uint64_t for_ns, struct nn_error *e)
{
	struct lab_link_state *v;

	if ((*ns && nn_check_netns_name(ns, e) < 0) || nn_check_ifname(ifname, e) < 0)
		return -e->code;
	if (up && for_ns)
		return nn_error_setx(e, EINVAL, "a link is taken down for a while, not up");
	if (!(v = grow(lab->link_states, lab->n_link_states, sizeof(*v))))
		return nn_error_set(e, ENOMEM, "cannot describe the state of \"%s\"", ifname);
	lab->link_states = v;
	v = &lab->link_states[lab->n_link_states++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns, NSNAME_MAX, "%s", ns);
	snprintf(v->ifname, IFNAMSIZ, "%s", ifname);
	v->up = up;
	v->for_ns = for_ns;
	return 0;
}

static struct lab_partition *add_partition(struct lab_partition **list, size_t *n, struct nn_error *e)
{
	struct lab_partition *v = grow(*list, *n, sizeof(**list));

	if (!v) {
		nn_error_set(e, ENOMEM, "cannot describe a partition");
		return NULL;
	}
	*list = v;
	v = &v[(*n)++];
	memset(v, 0, sizeof(*v));
	return v;
}

int nn_lab_add_partition(struct nn_lab *lab, const char *const *a, size_t na, const char *const *b,
			 size_t nb, uint64_t for_ns, struct nn_error *e)
{
	struct lab_partition *v;

	if (nn_partition_check_groups(a, na, b, nb, e) < 0 || !(v = add_partition(&lab->partitions, &lab->n_partitions, e)))
		return -e->code;
	nn_partition_id(v->id, a, na, b, nb);
	v->for_ns = for_ns;
	if (!(v->names = calloc(na + nb + 1, sizeof(char *))))
		goto nomem;
	/* na and nb grow as the names are copied: a failure frees what was. */
	for (size_t i = 0; i < na + nb; i++) {
		if (!(v->names[i] = strdup(i < na ? a[i] : b[i - na])))
			goto nomem;
		if (i < na)
			v->na++;
		else
			v->nb++;
	}
	return 0;
nomem:
	return nn_error_set(e, ENOMEM, "cannot describe partition %s", v->id);
}

int nn_lab_heal(struct nn_lab *lab, const char *id, struct nn_error *e)
{
	struct lab_partition *v;

	if (id && nn_partition_id_check(id, e) < 0)
		return -e->code;
	if (!(v = add_partition(&lab->heals, &lab->n_heals, e)))
		return -e->code;
	snprintf(v->id, sizeof(v->id), "%s", id ? id : "");
	return 0;
}

void nn_lab_set_own_roots(struct nn_lab *lab, bool on)
{
	lab->own_roots = on;
}

int nn_lab_add_timed_qdisc(struct nn_lab *lab, const char *ns, const char *ifname,
			   const struct nn_qdisc_info *want, uint64_t for_ns, struct nn_error *e)
{
	if (want->kind != NN_QDISC_NETEM && want->kind != NN_QDISC_TBF)
		return nn_error_setx(e, EINVAL, "a timed change sets netem or tbf");
	if (!for_ns)
		return nn_error_setx(e, EINVAL, "a timed change needs a duration");
	if (nn_lab_add_qdisc(lab, ns, ifname, want, e) < 0)
		return -e->code;
	lab->qdiscs[lab->n_qdiscs - 1].for_ns = for_ns;
	return 0;
}
static struct lab_tc *add_tc(struct nn_lab *lab, const char *ns, const char *ifname, bool ingress,
			     struct nn_error *e)
{
	struct lab_tc *v;

	if ((*ns && nn_check_netns_name(ns, e) < 0) || nn_check_ifname(ifname, e) < 0)
		return NULL;
	for (size_t i = 0; i < lab->n_tcs; i++)
		if (!strcmp(lab->tcs[i].ns, ns) && !strcmp(lab->tcs[i].ifname, ifname) &&
		    lab->tcs[i].ingress == ingress) {
			nn_error_setx(e, EEXIST, "the %s of %s in %s is described twice",
				      ingress ? "ingress" : "egress", ifname, *ns ? ns : "the host");
			return NULL;
		}
	v = grow(lab->tcs, lab->n_tcs, sizeof(*v));
	if (!v) {
		nn_error_set(e, ENOMEM, "cannot describe the tc tree of \"%s\"", ifname);
		return NULL;
	}
	lab->tcs = v;
	v = &lab->tcs[lab->n_tcs++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ns, NSNAME_MAX, "%s", ns);
	snprintf(v->ifname, IFNAMSIZ, "%s", ifname);
	v->ingress = ingress;
	return v;
}

int nn_lab_add_tc_tree(struct nn_lab *lab, const char *ns, const char *ifname, bool ingress,
		       const struct nn_tc_tree *want, struct nn_error *e)
{
	struct lab_tc *v;

	if (!nn_tc_tree_empty(want) && nn_tc_tree_check(want, e) < 0)
		return -e->code;
	if (!(v = add_tc(lab, ns, ifname, ingress, e)))
		return -e->code;
	v->want = *want;
	return 0;
}

int nn_lab_add_tc_edit(struct nn_lab *lab, const char *ns, const char *ifname, bool ingress,
		       const struct nn_tc_edit *edit, struct nn_error *e)
{
	struct lab_tc *v = add_tc(lab, ns, ifname, ingress, e);

	if (!v)
		return -e->code;
	v->is_edit = true;
	v->edit = *edit;
	v->edit.root_ok = edit->root_ok && !ingress && !edit->has_match;
	return 0;
}

void nn_lab_set_no_probe(struct nn_lab *lab, bool on)
{
	lab->no_probe = on;
}
