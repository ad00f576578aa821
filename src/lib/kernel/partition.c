// SPDX-License-Identifier: GPL-2.0-or-later
/* Partitions between groups of namespaces (partition.h): netnsctl's table
 * "inet netnsctl" in each namespace, over NETLINK_NETFILTER. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>

#include "netnsctl/ctx.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/partition.h"
#include "util/cleanup.h"
#include "util/show.h"
#include "kernel/nft.h"
#include "kernel/partition_codec.h"

#define NO_INET "this kernel has no nftables inet family"
#define READ_WHAT "cannot read table inet " NN_PARTITION_TABLE

/* --- addresses --- */

void nn_partition_addrs_free(struct nn_partition_addrs *a)
{
	free(a->v4);
	free(a->v6);
	memset(a, 0, sizeof(*a));
}

static bool have4(const struct nn_partition_addrs *a, const struct in_addr *x)
{
	for (size_t i = 0; i < a->n4; i++)
		if (a->v4[i].s_addr == x->s_addr)
			return true;
	return false;
}

static bool have6(const struct nn_partition_addrs *a, const struct in6_addr *x)
{
	for (size_t i = 0; i < a->n6; i++)
		if (!memcmp(&a->v6[i], x, sizeof(*x)))
			return true;
	return false;
}

int nn_partition_addrs_read(struct nn_ns *ns, struct nn_partition_addrs *to, struct nn_error *e)
{
	_cleanup_free_ struct nn_addr_info *v = NULL;
	size_t n = 0;

	if (nn_addr_list(ns, &v, &n, e) < 0)
		return -e->code;
	for (size_t i = 0; i < n; i++) {
		const struct nn_prefix *p = &v[i].addr;

		if (p->family == AF_INET) {
			struct in_addr *nv;

			if ((ntohl(p->addr.v4.s_addr) >> 24) == 127 || have4(to, &p->addr.v4))
				continue;
			if (to->n4 == NN_PARTITION_ADDRS_MAX)
				return nn_error_setx(e, E2BIG, "more than %d IPv4 addresses in one group",
						     NN_PARTITION_ADDRS_MAX);
			if (!(nv = realloc(to->v4, (to->n4 + 1) * sizeof(*nv))))
				return nn_error_set(e, ENOMEM, "cannot read the addresses of %s", nn_ns_label(ns));
			to->v4 = nv;
			to->v4[to->n4++] = p->addr.v4;
		} else if (p->family == AF_INET6) {
			struct in6_addr *nv;

			if (IN6_IS_ADDR_LOOPBACK(&p->addr.v6) || have6(to, &p->addr.v6))
				continue;
			if (to->n6 == NN_PARTITION_ADDRS_MAX)
				return nn_error_setx(e, E2BIG, "more than %d IPv6 addresses in one group",
						     NN_PARTITION_ADDRS_MAX);
			if (!(nv = realloc(to->v6, (to->n6 + 1) * sizeof(*nv))))
				return nn_error_set(e, ENOMEM, "cannot read the addresses of %s", nn_ns_label(ns));
			to->v6 = nv;
			to->v6[to->n6++] = p->addr.v6;
		}
	}
	return 0;
}

int nn_partition_addrs_overlap(const struct nn_partition_addrs *a, const struct nn_partition_addrs *b,
			       char *buf, size_t len)
{
	for (size_t i = 0; i < a->n4; i++)
		if (have4(b, &a->v4[i])) {
			inet_ntop(AF_INET, &a->v4[i], buf, (socklen_t)len);
			return 1;
		}
	for (size_t i = 0; i < a->n6; i++)
		if (have6(b, &a->v6[i])) {
			inet_ntop(AF_INET6, &a->v6[i], buf, (socklen_t)len);
			return 1;
		}
	return 0;
}

/* --- what the table holds --- */

struct objs {
	struct nn_part_obj *v;
	size_t n, cap;
	struct nn_error *e;
	bool marked, table;
};

static int obj_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct objs *o = arg;
	int type = NFNL_MSG_TYPE(nlh->nlmsg_type), r;

	if (type == NFT_MSG_NEWTABLE) {
		o->table = true;
		if ((r = nn_part_table_decode(nlh, o->e)) < 0)
			return MNL_CB_ERROR;
		o->marked = r == 1;
		return MNL_CB_OK;
	}
	if (type != NFT_MSG_NEWRULE && type != NFT_MSG_NEWSET)
		return MNL_CB_OK;
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 8;
		struct nn_part_obj *v = realloc(o->v, cap * sizeof(*v));

		if (!v) {
			nn_error_set(o->e, ENOMEM, READ_WHAT);
			return MNL_CB_ERROR;
		}
		o->v = v;
		o->cap = cap;
	}
	r = type == NFT_MSG_NEWRULE ? nn_part_rule_decode(nlh, &o->v[o->n], o->e) :
				      nn_part_set_decode(nlh, &o->v[o->n], o->e);
	if (r < 0)
		return MNL_CB_ERROR;
	o->n++;
	return MNL_CB_OK;
}

/* The table (whether it is there and netnsctl's), its rules and its sets. */
static int read_table(struct mnl_socket *nl, struct objs *o, struct nn_error *e)
{
	char buf[NN_NFT_MSG_MAX] = { 0 };

	memset(o, 0, sizeof(*o));
	o->e = e;
	nn_error_clear(e);
	if (nn_nft_dump(nl, nn_part_table_msg(buf, nn_nft_seq(), NFT_MSG_GETTABLE), obj_cb, o, READ_WHAT, e) < 0)
		return -e->code;
	if (!o->table)
		return 0;
	if (nn_nft_dump(nl, nn_part_getrule_msg(buf, nn_nft_seq()), obj_cb, o, READ_WHAT, e) < 0 ||
	    nn_nft_dump(nl, nn_part_getset_msg(buf, nn_nft_seq()), obj_cb, o, READ_WHAT, e) < 0) {
		free(o->v);
		o->v = NULL;
		return -e->code;
	}
	return 0;
}

/* Delete the rules, then the sets, of ID that carry NONCE (0: any). */
static size_t add_deletes(struct nn_nft_batch *b, const struct objs *o, const char *id, uint64_t nonce)
{
	size_t k = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < o->n; i++) {
			const struct nn_part_obj *x = &o->v[i];
			char *slot;
			uint32_t seq;

			if (strcmp(x->id, id) || (nonce && x->nonce != nonce) ||
			    (pass == 0) != (x->type == NN_PART_RULE))
				continue;
			if (!(slot = nn_nft_batch_slot(b)))
				return k;
			seq = nn_nft_seq();
			if (x->type == NN_PART_RULE) {
				nn_part_delrule_msg(slot, seq, x->name, x->handle);
				nn_nft_batch_add(b, seq, NN_NFT_MSG_OTHER, "cannot delete rule \"partition %s\" (handle %llu)",
						 id, (unsigned long long)x->handle);
			} else {
				nn_part_delset_msg(slot, seq, x->name);
				nn_nft_batch_add(b, seq, NN_NFT_MSG_OTHER, "cannot delete set %s", x->name);
			}
			k++;
		}
	}
	return k;
}

static void add_set(struct nn_nft_batch *b, const char *id, int family, uint64_t nonce,
		    uint32_t set_id, const void *addrs, size_t n)
{
	size_t step = family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
	char name[NN_PARTITION_ID_MAX + 4], *slot;
	uint32_t seq;

	nn_part_set_name(name, sizeof(name), id, family);
	if (!(slot = nn_nft_batch_slot(b)))
		return;
	seq = nn_nft_seq();
	nn_part_set_msg(slot, seq, id, family, nonce, set_id);
	nn_nft_batch_add(b, seq, NN_NFT_MSG_OTHER, "cannot create set %s in table inet " NN_PARTITION_TABLE, name);
	for (size_t i = 0; i < n; i += NN_PART_ELEMS_PER_MSG) {
		size_t k = n - i < NN_PART_ELEMS_PER_MSG ? n - i : NN_PART_ELEMS_PER_MSG;

		if (!(slot = nn_nft_batch_slot(b)))
			return;
		seq = nn_nft_seq();
		nn_part_setelem_msg(slot, seq, id, family, (const char *)addrs + i * step, k);
		nn_nft_batch_add(b, seq, NN_NFT_MSG_OTHER, "cannot add %zu addresses to set %s", k, name);
	}
	if (!(slot = nn_nft_batch_slot(b)))
		return;
	seq = nn_nft_seq();
	nn_part_rule_msg(slot, seq, id, family, nonce, set_id);
	nn_nft_batch_add(b, seq, NN_NFT_MSG_OTHER, "cannot add rule \"partition %s\" to chain " NN_PARTITION_CHAIN,
			 id);
}

int nn_partition_ns_add(struct nn_ns *ns, const char *id, uint64_t nonce,
			const struct nn_partition_addrs *from, struct nn_error *e)
{
	_cleanup_nft_ struct mnl_socket *nl = NULL;
	struct nn_nft_batch b;
	struct objs o;
	char *slot;
	uint32_t seq;
	int ret;

	if (nn_partition_id_check(id, e) < 0)
		return -e->code;
	if (!nonce)
		return nn_error_setx(e, EINVAL, "partition %s: no nonce", id);
	if (!(nl = nn_nft_open(ns, e)))
		return e->code == EPROTONOSUPPORT ? nn_error_setx(e, EOPNOTSUPP, NO_INET " (no nfnetlink)") :
						    -e->code;
	if (read_table(nl, &o, e) < 0)
		return -e->code;
	for (size_t i = 0; i < o.n; i++) {
		if (strcmp(o.v[i].id, id) || o.v[i].nonce == nonce)
			continue;
		free(o.v);
		return nn_error_setx(e, EEXIST, "partition %s is in table inet " NN_PARTITION_TABLE
				     " already, made by another run: heal it first", id);
	}
	if (nn_nft_batch_start(&b, e) < 0) {
		free(o.v);
		return -e->code;
	}
	if ((slot = nn_nft_batch_slot(&b))) {
		seq = nn_nft_seq();
		nn_part_table_msg(slot, seq, NFT_MSG_NEWTABLE);
		nn_nft_batch_add(&b, seq, NN_NFT_MSG_TABLE, "cannot create table inet " NN_PARTITION_TABLE);
	}
	if ((slot = nn_nft_batch_slot(&b))) {
		seq = nn_nft_seq();
		nn_part_chain_msg(slot, seq);
		nn_nft_batch_add(&b, seq, NN_NFT_MSG_CHAIN, "cannot create chain " NN_PARTITION_CHAIN
				 " (type filter hook input priority %d) in table inet " NN_PARTITION_TABLE,
				 NN_PARTITION_PRIO);
	}
	/* a retry of the same partition: its objects are made again */
	add_deletes(&b, &o, id, nonce);
	free(o.v);
	add_set(&b, id, AF_INET, nonce, 1, from->v4, from->n4);
	add_set(&b, id, AF_INET6, nonce, 2, from->v6, from->n6);
	ret = nn_nft_batch_send(nl, &b, NO_INET, e);
	nn_nft_batch_free(&b);
	return ret;
}

int nn_partition_ns_del(struct nn_ns *ns, const char *id, uint64_t nonce, struct nn_error *e)
{
	_cleanup_nft_ struct mnl_socket *nl = NULL;
	struct nn_nft_batch b;
	struct objs o;
	size_t gone, left = 0;
	int ret;

	if (nn_partition_id_check(id, e) < 0)
		return -e->code;
	if (!(nl = nn_nft_open(ns, e)))
		return e->code == EPROTONOSUPPORT ? (nn_error_clear(e), 0) : -e->code;
	if (read_table(nl, &o, e) < 0)
		return -e->code;
	if (!o.table)
		return 0;
	if (nn_nft_batch_start(&b, e) < 0) {
		free(o.v);
		return -e->code;
	}
	gone = add_deletes(&b, &o, id, nonce);
	for (size_t i = 0; i < o.n; i++)
		if (strcmp(o.v[i].id, id) || (nonce && o.v[i].nonce != nonce))
			left++;
	free(o.v);
	/* the last of it: the table goes with its chain, when it is netnsctl's */
	if (!left && o.marked) {
		char *slot = nn_nft_batch_slot(&b);
		uint32_t seq = nn_nft_seq();

		if (slot) {
			nn_part_table_msg(slot, seq, NFT_MSG_DELTABLE);
			nn_nft_batch_add(&b, seq, NN_NFT_MSG_OTHER, "cannot delete table inet " NN_PARTITION_TABLE);
		}
	}
	if (!b.n) {
		nn_nft_batch_free(&b);
		return 0;
	}
	ret = nn_nft_batch_send(nl, &b, NULL, e);
	nn_nft_batch_free(&b);
	if (ret < 0)
		return ret;
	return gone > 0 || (!left && o.marked);
}

int nn_partition_ns_list(struct nn_ns *ns, struct nn_partition_found **out, size_t *n,
			 struct nn_error *e)
{
	_cleanup_nft_ struct mnl_socket *nl = NULL;
	struct objs o;
	int ret;

	*out = NULL;
	*n = 0;
	if (!(nl = nn_nft_open(ns, e)))
		return e->code == EPROTONOSUPPORT ? (nn_error_clear(e), 0) : -e->code;
	if (read_table(nl, &o, e) < 0)
		return -e->code;
	ret = nn_part_merge(o.v, o.n, out, n);
	free(o.v);
	return ret < 0 ? nn_error_set(e, -ret, READ_WHAT) : 0;
}

/* --- whole partitions --- */

static int read_group(struct nn_ns *const *v, size_t n, struct nn_partition_addrs *to,
		      struct nn_error *e)
{
	for (size_t i = 0; i < n; i++)
		if (nn_partition_addrs_read(v[i], to, e) < 0)
			return -e->code;
	return 0;
}

int nn_partition_add(struct nn_ns *const *a, size_t na, struct nn_ns *const *b, size_t nb,
		     const char *id, uint64_t nonce, struct nn_error *e)
{
	struct nn_partition_addrs addrs[2] = { { 0 } };
	struct nn_ns *const *g[2] = { a, b };
	size_t ng[2] = { na, nb }, done[2] = { 0, 0 };
	char text[INET6_ADDRSTRLEN];
	int ret = 0;

	if (!na || !nb)
		return nn_error_setx(e, EINVAL, "a partition needs a namespace on each side");
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (a[i] == b[j] || !strcmp(nn_ns_name(a[i]), nn_ns_name(b[j])))
				return nn_error_setx(e, EINVAL, "%s is on both sides of the partition",
						     nn_ns_label(a[i]));
	if (read_group(a, na, &addrs[0], e) < 0 || read_group(b, nb, &addrs[1], e) < 0) {
		ret = -e->code;
		goto out;
	}
	if (nn_partition_addrs_overlap(&addrs[0], &addrs[1], text, sizeof(text))) {
		ret = nn_error_setx(e, EINVAL, "address %s is on both sides: a partition by address cannot tell them apart",
				    text);
		goto out;
	}
	for (int s = 0; s < 2 && ret == 0; s++)
		for (; done[s] < ng[s]; done[s]++)
			if ((ret = nn_partition_ns_add(g[s][done[s]], id, nonce, &addrs[1 - s], e)) < 0) {
				nn_error_prefix(e, "%s", nn_ns_label(g[s][done[s]]));
				break;
			}
	if (ret < 0) {
		struct nn_error ignore;

		/* the one that failed changed nothing; the ones before it go */
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < done[s]; i++)
				nn_partition_ns_del(g[s][i], id, nonce, &ignore);
	}
out:
	nn_partition_addrs_free(&addrs[0]);
	nn_partition_addrs_free(&addrs[1]);
	return ret;
}

int nn_partition_heal(struct nn_ns *const *a, size_t na, struct nn_ns *const *b, size_t nb,
		      const char *id, uint64_t nonce, struct nn_error *e)
{
	struct nn_ns *const *g[2] = { a, b };
	size_t ng[2] = { na, nb };
	int first = 0, count = 0;

	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < ng[s]; i++) {
			struct nn_error one = { 0 };
			int r = nn_partition_ns_del(g[s][i], id, nonce, &one);

			if (r > 0)
				count++;
			if (r < 0 && !first) {
				first = r;
				*e = one;
				nn_error_prefix(e, "%s", nn_ns_label(g[s][i]));
			}
		}
	return first ? first : count;
}

int nn_partition_check_groups(const char *const *a, size_t na, const char *const *b, size_t nb,
			      struct nn_error *e)
{
	if (!na || !nb)
		return nn_error_setx(e, EINVAL, "a partition needs a namespace on each side");
	for (size_t i = 0; i < na + nb; i++) {
		const char *x = i < na ? a[i] : b[i - na];

		if (nn_check_netns_name(x, e) < 0)
			return -e->code;
		for (size_t j = 0; j < i; j++) {
			const char *y = j < na ? a[j] : b[j - na];

			struct nn_shown sh;

			if (!strcmp(x, y))
				return nn_error_setx(e, EINVAL, "namespace \"%s\" is named twice%s",
						     nn_show(&sh, x),
						     (i < na) != (j < na) ? " (in both groups)" : "");
		}
	}
	return 0;
}
