// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * u32 filters: the only classifier both test kernels have (the host's 6.18
 * lacks flower, matchall and basic).  netnsctl writes two shapes:
 *
 *  - a rule's selector, one node per (family, destination, port,
 *    protocol), at fixed offsets from the network header, with a key on
 *    the version nibble so one "protocol all" filter serves IPv4 and IPv6:
 *      IPv4: 0 version (and IHL 5 with a port), 4 not a later fragment
 *            (with a port), 8 protocol, 16 destination, 20 destination port
 *      IPv6: 0 version, 4 next header, 24..36 destination, 40 destination port
 *    A port is read where the transport header is when the IP header has
 *    no options (IPv4) or no extension headers (IPv6, whose next header
 *    then is the protocol): so a port rule insists on that, exactly.
 *  - the match-all of an ingress redirect: one zero key and a mirred
 *    action, with a random cookie as netnsctl's mark.
 *
 * Keys are 32-bit words in network byte order, as tc's "match" words
 * produce them, in ascending offset, so "tc filter add ... match ..."
 * (nn_tc_print) gives the kernel the same keys.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_mirred.h>

#include "netnsctl/tc.h"
#include "kernel/tc/tcmsg.h"

#define MAX_KEYS 8

static void key(struct tc_u32_key *k, unsigned int *n, int off, uint32_t val, uint32_t mask)
{
	k[*n].mask = htonl(mask);
	k[*n].val = htonl(val & mask);
	k[*n].off = off;
	k[*n].offmask = 0;
	(*n)++;
}

static uint32_t prefix_mask(int bits)
{
	return bits <= 0 ? 0 : bits >= 32 ? 0xffffffffU : ~0U << (32 - bits);
}

static uint32_t word_of(const struct nn_prefix *p, int i)
{
	uint32_t w;

	memcpy(&w, p->addr.bytes + 4 * i, 4);
	return ntohl(w);
}

unsigned int nn_u32_sel_keys(const struct nn_u32_sel *s, struct tc_u32_key *k)
{
	unsigned int n = 0;

	if (s->family == AF_INET) {
		if (s->port)
			key(k, &n, 0, 0x45000000, 0xff000000);
		else
			key(k, &n, 0, 0x40000000, 0xf0000000);
		if (s->port)
			key(k, &n, 4, 0, 0x00001fff);
		if (s->ipproto)
			key(k, &n, 8, (uint32_t)s->ipproto << 16, 0x00ff0000);
		if (s->has_to && s->to.len)
			key(k, &n, 16, word_of(&s->to, 0), prefix_mask(s->to.len));
		if (s->port)
			key(k, &n, 20, s->port, 0x0000ffff);
	} else if (s->family == AF_INET6) {
		key(k, &n, 0, 0x60000000, 0xf0000000);
		if (s->ipproto)
			key(k, &n, 4, (uint32_t)s->ipproto << 8, 0x0000ff00);
		if (s->has_to)
			for (int i = 0; i < 4; i++)
				if (s->to.len > 32 * i)
					key(k, &n, 24 + 4 * i, word_of(&s->to, i),
					    prefix_mask(s->to.len - 32 * i));
		if (s->port)
			key(k, &n, 40, s->port, 0x0000ffff);
	} else {
		key(k, &n, 0, 0, 0);
	}
	return n;
}

/* The prefix length of a contiguous MASK, or -1. */
static int mask_len(uint32_t mask)
{
	int len = __builtin_popcount(mask);

	return prefix_mask(len) == mask ? len : -1;
}

static int not_ours(struct nn_error *e, const struct tc_u32_key *k)
{
	return nn_error_setx(e, ENOTSUP, "u32 key %08x/%08x at %d is not one netnsctl writes",
			     ntohl(k->val), ntohl(k->mask), k->off);
}

static bool same_keys(const struct tc_u32_key *a, unsigned int na, const struct tc_u32_key *b,
		      unsigned int nb)
{
	if (na != nb)
		return false;
	for (unsigned int i = 0; i < na; i++) {
		unsigned int j;

		for (j = 0; j < nb; j++)
			if (a[i].off == b[j].off && a[i].mask == b[j].mask && a[i].val == b[j].val &&
			    a[i].offmask == b[j].offmask)
				break;
		if (j == nb)
			return false;
	}
	return true;
}

int nn_u32_sel_from_keys(const struct tc_u32_key *keys, unsigned int n, struct nn_u32_sel *sel,
			 struct nn_error *e)
{
	struct tc_u32_key again[MAX_KEYS];
	struct nn_u32_sel s;
	int dst_bits = 0;
	unsigned int i;

	memset(&s, 0, sizeof(s));
	if (n == 1 && !keys[0].mask && !keys[0].val && !keys[0].off && !keys[0].offmask) {
		*sel = s;
		return 0;
	}
	/* The version word says the family; the other keys are read with it. */
	for (i = 0; i < n; i++) {
		if (keys[i].off != 0 || keys[i].offmask)
			continue;
		uint32_t m = ntohl(keys[i].mask), v = ntohl(keys[i].val);

		if (m == 0xf0000000 && v == 0x40000000)
			s.family = AF_INET;
		else if (m == 0xff000000 && v == 0x45000000)
			s.family = AF_INET;
		else if (m == 0xf0000000 && v == 0x60000000)
			s.family = AF_INET6;
		else
			return not_ours(e, &keys[i]);
	}
	if (!s.family)
		return nn_error_setx(e, ENOTSUP, "u32 selector without the IP version key netnsctl writes");
	for (i = 0; i < n; i++) {
		const struct tc_u32_key *k = &keys[i];
		uint32_t m = ntohl(k->mask), v = ntohl(k->val);

		if (k->offmask || (v & ~m))
			return not_ours(e, k);
		if (k->off == 0)
			continue;
		if (s.family == AF_INET) {
			if (k->off == 4 && m == 0x00001fff && !v)
				continue;	/* checked by the re-encoding below */
			else if (k->off == 8 && m == 0x00ff0000)
				s.ipproto = (uint8_t)(v >> 16);
			else if (k->off == 16 && mask_len(m) > 0) {
				s.has_to = true;
				s.to.family = AF_INET;
				s.to.len = (uint8_t)mask_len(m);
				memcpy(s.to.addr.bytes, &k->val, 4);
			} else if (k->off == 20 && m == 0x0000ffff && v)
				s.port = (uint16_t)v;
			else
				return not_ours(e, k);
		} else {
			if (k->off == 4 && m == 0x0000ff00)
				s.ipproto = (uint8_t)(v >> 8);
			else if (k->off >= 24 && k->off <= 36 && k->off % 4 == 0 && mask_len(m) > 0) {
				int w = (k->off - 24) / 4;

				s.has_to = true;
				s.to.family = AF_INET6;
				memcpy(s.to.addr.bytes + 4 * w, &k->val, 4);
				/* Only the last word may be partial: checked by re-encoding. */
				if (32 * w + mask_len(m) > dst_bits)
					dst_bits = 32 * w + mask_len(m);
			} else if (k->off == 40 && m == 0x0000ffff && v)
				s.port = (uint16_t)v;
			else
				return not_ours(e, k);
		}
	}
	if (s.family == AF_INET6 && s.has_to)
		s.to.len = (uint8_t)dst_bits;
	/* What netnsctl writes for this selector must be exactly these keys
	 * (no key twice, none missing: a port with its header checks). */
	if (n > MAX_KEYS || !same_keys(keys, n, again, nn_u32_sel_keys(&s, again)))
		return nn_error_setx(e, ENOTSUP, "u32 selector of %u keys is not one netnsctl writes", n);
	if (s.port && s.ipproto != IPPROTO_TCP && s.ipproto != IPPROTO_UDP)
		return nn_error_setx(e, ENOTSUP, "u32 selector of a port without tcp or udp is not one netnsctl writes");
	*sel = s;
	return 0;
}

static void put_sel(struct nlmsghdr *nlh, const struct tc_u32_key *keys, unsigned int n)
{
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key keys[MAX_KEYS];
	} s;

	memset(&s, 0, sizeof(s));
	/* Terminal: a match classifies (or runs its actions) and ends the search. */
	s.sel.flags = TC_U32_TERMINAL;
	s.sel.nkeys = (unsigned char)n;
	memcpy(s.keys, keys, n * sizeof(*keys));
	mnl_attr_put(nlh, TCA_U32_SEL, sizeof(s.sel) + n * sizeof(*keys), &s);
}

int nn_u32_classify_encode(struct nlmsghdr *nlh, const struct nn_u32_sel *sel, uint32_t classid,
			   struct nn_error *e)
{
	struct tc_u32_key keys[MAX_KEYS];
	struct nlattr *opts;
	unsigned int n;

	if (sel->family != AF_INET && sel->family != AF_INET6)
		return nn_error_setx(e, EINVAL, "u32 selector without an address family");
	if (!classid)
		return nn_error_setx(e, EINVAL, "u32 filter without a class");
	n = nn_u32_sel_keys(sel, keys);
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	opts = nn_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_U32_CLASSID, classid);
	put_sel(nlh, keys, n);
	nn_nest_end(nlh, opts);
	return 0;
}

int nn_u32_redirect_encode(struct nlmsghdr *nlh, int ifindex, uint64_t cookie, struct nn_error *e)
{
	struct nn_u32_sel all = { .family = AF_UNSPEC };
	struct tc_u32_key keys[MAX_KEYS];
	struct nlattr *opts, *acts, *act, *aopts;
	struct tc_mirred m;
	unsigned int n;

	if (ifindex <= 0)
		return nn_error_setx(e, EINVAL, "redirect without a device");
	memset(&m, 0, sizeof(m));
	/* Stolen: the packet is the ifb's now; the ifb hands it back to this
	 * device's receive path once it has left the ifb's qdiscs. */
	m.action = TC_ACT_STOLEN;
	m.eaction = TCA_EGRESS_REDIR;
	m.ifindex = (uint32_t)ifindex;

	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	opts = nn_nest_start(nlh, TCA_OPTIONS);
	acts = nn_nest_start(nlh, TCA_U32_ACT);
	act = nn_nest_start(nlh, 1);	/* the first action (its order) */
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
	aopts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_MIRRED_PARMS, sizeof(m), &m);
	mnl_attr_nest_end(nlh, aopts);
	mnl_attr_put(nlh, TCA_ACT_COOKIE, sizeof(cookie), &cookie);
	nn_nest_end(nlh, act);
	nn_nest_end(nlh, acts);
	n = nn_u32_sel_keys(&all, keys);
	put_sel(nlh, keys, n);
	nn_nest_end(nlh, opts);
	return 0;
}

static int decode_actions(const struct nlattr *acts, struct nn_u32_info *out, struct nn_error *e)
{
	const struct nlattr *list[TCA_ACT_MAX_PRIO + 1];

	if (nn_attr_parse_nested(acts, list, TCA_ACT_MAX_PRIO) < 0)
		return nn_error_setx(e, EINVAL, "malformed u32 actions attribute");
	for (int i = 1; i <= TCA_ACT_MAX_PRIO; i++) {
		const struct nlattr *tb[TCA_ACT_MAX + 1], *mt[TCA_MIRRED_MAX + 1];
		struct tc_mirred m;
		const char *kind;

		if (!list[i])
			continue;
		out->n_actions++;
		if (nn_attr_parse_nested(list[i], tb, TCA_ACT_MAX) < 0)
			return nn_error_setx(e, EINVAL, "malformed u32 action attribute");
		if (tb[TCA_ACT_COOKIE] && nn_attr_len(tb[TCA_ACT_COOKIE]) == sizeof(out->cookie)) {
			out->has_cookie = true;
			memcpy(&out->cookie, nn_attr_data(tb[TCA_ACT_COOKIE]), sizeof(out->cookie));
		}
		kind = tb[TCA_ACT_KIND] ? nn_attr_str(tb[TCA_ACT_KIND]) : NULL;
		if (!kind || strcmp(kind, "mirred") || !tb[TCA_ACT_OPTIONS])
			continue;
		if (nn_attr_parse_nested(tb[TCA_ACT_OPTIONS], mt, TCA_MIRRED_MAX) < 0 ||
		    !mt[TCA_MIRRED_PARMS] || nn_attr_copy(mt[TCA_MIRRED_PARMS], &m, sizeof(m)) < 0)
			return nn_error_setx(e, EINVAL, "malformed mirred action attribute");
		if (m.eaction == TCA_EGRESS_REDIR) {
			out->has_mirred = true;
			out->mirred_ifindex = (int)m.ifindex;
		}
	}
	return 0;
}

int nn_u32_decode(const struct nlmsghdr *nlh, struct nn_u32_info *out, char kind[16],
		  struct nn_error *e)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TCA_MAX + 1], *ut[TCA_U32_MAX + 1];
	const struct tc_u32_sel *sel;
	struct tc_u32_key keys[MAX_KEYS];
	const char *k;
	size_t len;

	memset(out, 0, sizeof(*out));
	kind[0] = '\0';
	if (nlh->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*tcm)) ||
	    nn_tc_msg_parse(nlh, tb, TCA_MAX) < 0)
		return nn_error_setx(e, EINVAL, "malformed filter message");
	out->handle = tcm->tcm_handle;
	out->prio = (uint16_t)(TC_H_MAJ(tcm->tcm_info) >> 16);
	out->protocol = ntohs((uint16_t)TC_H_MIN(tcm->tcm_info));
	k = tb[TCA_KIND] ? nn_attr_str(tb[TCA_KIND]) : NULL;
	if (!k)
		return nn_error_setx(e, EINVAL, "filter message without a kind");
	snprintf(kind, 16, "%s", k);
	if (strcmp(k, "u32"))
		return nn_error_setx(e, ENOTSUP, "filter of kind %s", kind);
	/* The kernel dumps a priority's u32 hash table too: no keys, no options
	 * of a node (a filter being deleted may also come without options). */
	if (!tb[TCA_OPTIONS]) {
		out->is_ht = true;
		return 0;
	}
	if (nn_attr_parse_nested(tb[TCA_OPTIONS], ut, TCA_U32_MAX) < 0)
		return nn_error_setx(e, EINVAL, "malformed u32 options attribute");
	if (!ut[TCA_U32_SEL]) {
		out->is_ht = true;
		return 0;
	}
	len = nn_attr_len(ut[TCA_U32_SEL]);
	sel = nn_attr_data(ut[TCA_U32_SEL]);
	if (len < sizeof(*sel) || len < sizeof(*sel) + (size_t)sel->nkeys * sizeof(struct tc_u32_key))
		return nn_error_setx(e, EINVAL, "u32 selector shorter than its %u keys",
				     len < sizeof(*sel) ? 0 : sel->nkeys);
	if (ut[TCA_U32_CLASSID]) {
		if (nn_attr_copy(ut[TCA_U32_CLASSID], &out->classid, sizeof(out->classid)) < 0)
			return nn_error_setx(e, EINVAL, "malformed u32 class attribute");
		out->has_classid = true;
	}
	if (ut[TCA_U32_ACT] && decode_actions(ut[TCA_U32_ACT], out, e) < 0)
		return -e->code;
	/* Anything else a node may have (a link to another table, an input
	 * device, a mark, a variable offset) is not in what netnsctl writes. */
	if (sel->nkeys <= MAX_KEYS && !ut[TCA_U32_LINK] && !ut[TCA_U32_INDEV] && !ut[TCA_U32_MARK] &&
	    (sel->flags & TC_U32_TERMINAL) && !(sel->flags & ~TC_U32_TERMINAL) && !sel->offshift &&
	    !sel->offmask && !sel->off && !sel->offoff && !sel->hoff && !sel->hmask) {
		struct nn_error ignored = { 0 };

		memcpy(keys, (const char *)sel + sizeof(*sel), sel->nkeys * sizeof(*keys));
		out->sel_ours = nn_u32_sel_from_keys(keys, sel->nkeys, &out->sel, &ignored) == 0;
	}
	return 0;
}
