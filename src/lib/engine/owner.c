// SPDX-License-Identifier: GPL-2.0-or-later
/* Whether an object is the one a journal record says netnsctl made: see owner.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pkt_sched.h>

#include "netnsctl/ifb.h"
#include "netnsctl/owner.h"

void nn_proof_cookie(struct nn_proof *p, uint64_t cookie)
{
	memset(p, 0, sizeof(*p));
	p->set = cookie != 0;
	p->value = cookie;
}

static uint64_t mac_value(const uint8_t mac[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	return v;
}

void nn_proof_mac(struct nn_proof *p, const uint8_t mac[6])
{
	memset(p, 0, sizeof(*p));
	p->set = true;
	p->value = mac_value(mac);
}

void nn_proof_qdisc(struct nn_proof *p, uint32_t handle, int ifindex)
{
	memset(p, 0, sizeof(*p));
	p->set = TC_H_MAJ(handle) && ifindex > 0;
	p->value = TC_H_MAJ(handle);
	p->ifindex = ifindex;
}

void nn_proof_route(struct nn_proof *p)
{
	memset(p, 0, sizeof(*p));
	p->set = true;
	p->value = NN_RTPROT;
}

void nn_proof_nat(struct nn_proof *p, uint64_t nonce)
{
	memset(p, 0, sizeof(*p));
	p->set = nonce != 0;
	p->value = nonce;
}

/* The proof of J's "made" record, or NULL (none, or no such record). */
static const struct nn_proof *made_proof(const struct nn_journal_entry *j)
{
	return j->id && j->proof.set ? &j->proof : NULL;
}

/* The proof of J's pending intent, or NULL. */
static const struct nn_proof *intent_proof(const struct nn_journal_entry *j)
{
	return j->pending && j->intent.set ? &j->intent : NULL;
}

bool nn_owner_netns(const struct nn_journal_entry *j, uint64_t cookie)
{
	const struct nn_proof *p = intent_proof(j);

	if (!cookie)
		return false;
	/* A made record's id is the cookie itself. */
	return (j->id && j->id == cookie) || (p && p->value == cookie);
}

bool nn_owner_in_ns(const struct nn_journal_entry *j, uint64_t cookie)
{
	return cookie && j->ns_cookie == cookie;
}

bool nn_owner_link(const struct nn_journal_entry *j, const struct nn_link_info *l)
{
	const struct nn_proof *p = intent_proof(j);
	uint64_t mac = mac_value(l->mac);

	/* A made record: the same ifindex (never reused while the namespace
	 * lives), and the MAC it was made with, when the record has it. */
	if (j->id && (uint64_t)l->ifindex == j->id && (!j->proof.set || j->proof.value == mac))
		return true;
	return p && p->value == mac;
}

static bool qdisc_is(const struct nn_proof *p, const struct nn_link_info *l,
		     const struct nn_qdisc_info *root)
{
	/* htb: the root of a tree with rules (tc.h) */
	return p && p->ifindex == l->ifindex && root->handle == p->value &&
	       (root->kind == NN_QDISC_NETEM || root->kind == NN_QDISC_TBF ||
		!strcmp(root->kind_name, "htb"));
}

bool nn_owner_filter(const struct nn_journal_entry *j, const struct nn_link_info *l,
		     const struct nn_tc_ingress *in)
{
	const struct nn_proof *p = j->id ? (j->proof.set ? &j->proof : NULL) : intent_proof(j);

	/* The cookie alone is the proof (64 random bits): the redirect is
	 * read on the link the record names, whatever its target. */
	if (!p || (j->id && (uint64_t)l->ifindex != j->id))
		return false;
	for (unsigned int i = 0; i < in->n_redirects && i < NN_TC_MAX_REDIRECTS; i++)
		if (in->redirects[i].cookie == p->value)
			return true;
	return false;
}

bool nn_owner_clsact(const struct nn_journal_entry *j, const struct nn_link_info *l,
		     const struct nn_tc_ingress *in)
{
	const struct nn_proof *p = j->id ? (j->proof.set ? &j->proof : NULL) : intent_proof(j);

	return p && (uint64_t)l->ifindex == p->value && !strcmp(in->qdisc, "clsact");
}

bool nn_owner_qdisc(const struct nn_journal_entry *j, const struct nn_link_info *l,
		    const struct nn_qdisc_info *root)
{
	struct nn_proof made;

	if (!root || !root->handle || root->parent != TC_H_ROOT)
		return false;
	/* A made record's proof is read as on its id's link. */
	if (made_proof(j)) {
		made = j->proof;
		made.ifindex = (int)j->id;
		if (qdisc_is(&made, l, root))
			return true;
	}
	return qdisc_is(intent_proof(j), l, root);
}

int nn_journal_route_dst(const char *name, struct nn_prefix *dst)
{
	struct nn_error e = { 0 };

	memset(dst, 0, sizeof(*dst));
	if (!strcmp(name, "default") || !strcmp(name, "default6")) {
		dst->family = name[7] ? AF_INET6 : AF_INET;
		return 0;
	}
	return nn_parse_cidr(name, dst, &e) < 0 ? -1 : 0;
}

static bool route_is(const struct nn_proof *p, const struct nn_prefix *dst,
		     const struct nn_route_info *v, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		if (nn_prefix_equal(&v[i].dst, dst) && (uint64_t)v[i].protocol == p->value)
			return true;
	return false;
}

bool nn_owner_route(const struct nn_journal_entry *j, const struct nn_route_info *v, size_t n)
{
	struct nn_prefix dst;

	if (nn_journal_route_dst(j->name, &dst) < 0)
		return false;
	return route_is(made_proof(j), &dst, v, n) || route_is(intent_proof(j), &dst, v, n);
}

static bool nat_is(const struct nn_proof *p, const char *tag, const struct nn_nat_rule *v,
		   size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		if (!strcmp(v[i].tag, tag) && v[i].nonce == p->value)
			return true;
	return false;
}

bool nn_owner_nat(const struct nn_journal_entry *j, const struct nn_nat_rule *v, size_t n)
{
	return nat_is(made_proof(j), j->name, v, n) || nat_is(intent_proof(j), j->name, v, n);
}

uint64_t nn_owner_nat_nonce(const struct nn_journal_entry *j)
{
	const struct nn_proof *p = made_proof(j);

	return p ? p->value : intent_proof(j) ? j->intent.value : 0;
}

const struct nn_journal_entry *nn_journal_find(const struct nn_journal_entry *v, size_t n,
					       enum nn_obj_kind kind, const char *ns,
					       const char *name, uint64_t ns_cookie)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == kind && !strcmp(v[i].name, name) &&
		    (kind == NN_OBJ_NETNS || (!strcmp(v[i].ns, ns) && v[i].ns_cookie == ns_cookie)))
			return &v[i];
	return NULL;
}
