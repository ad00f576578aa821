/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_PARTITION_H
#define NETNSCTL_PARTITION_H

/*
 * Partitions: two groups of namespaces stop seeing each other while every
 * link stays up, so a routing daemon or a cluster sees a silent partition
 * (packets vanish), not a link down (carrier lost, routes withdrawn at once).
 *
 * In each namespace of a partition, netnsctl's table "inet netnsctl" holds,
 * per partition ID, two sets of the OTHER group's addresses ("ID-4" of
 * type ipv4_addr, "ID-6" of type ipv6_addr) and two rules in its base chain
 * "input" (type filter, hook input, priority -10):
 *
 *	meta nfproto ipv4 ip saddr @ID-4 drop    comment "partition ID"
 *	meta nfproto ipv6 ip6 saddr @ID-6 drop   comment "partition ID"
 *
 * Why input only, on both sides: a drop in a sender's output hook makes
 * its sendmsg() fail with EPERM, which tells the application; dropped on
 * arrival, a packet simply never comes, and with both groups dropping what
 * arrives from the other, traffic is cut both ways.  A third namespace is
 * untouched; traffic a group member forwards for others (a router in a
 * group) still passes (the forward hook has no rule).  The addresses are
 * those the namespaces have when the partition is made (every address but
 * loopback: link-local ones too, so IPv6 neighbour discovery between the
 * groups stops as well); one the two groups share cannot tell them apart
 * and is refused.
 *
 * Ownership: every set and rule carries, in its userdata, the comment
 * "partition ID" and a 64-bit nonce chosen before the partition is
 * journalled (the TLV NAT rules use: nat_codec.h); removal takes only what
 * carries the nonce.  The table carries the comment "netnsctl partitions"
 * and is removed with its chain only when it bears that comment and holds
 * nothing else.  Spoken over NETLINK_NETFILTER (libnftnl + libmnl), one
 * transaction per namespace.  The host kernel has the inet family; UML 6.1
 * has none ('this kernel has no nftables inet family (...)').
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "netnsctl/error.h"

struct nn_ns;

#define NN_PARTITION_TABLE "netnsctl"
#define NN_PARTITION_CHAIN "input"
#define NN_PARTITION_PRIO (-10)
/* "p" and 16 hex digits, or a name of 1-31 of [a-z0-9_-] */
#define NN_PARTITION_ID_MAX 32
/* Addresses a group may have (each family). */
#define NN_PARTITION_ADDRS_MAX 65536

/*
 * The id of the partition between groups A and B (namespace names): "p" and
 * 16 hex digits of a hash of the two sorted groups, so the same two groups
 * give the same id whatever their order (`heal A --from B` finds
 * `partition B --from A`).
 */
void nn_partition_id(char buf[NN_PARTITION_ID_MAX], const char *const *a, size_t na,
		     const char *const *b, size_t nb);
/* 0 when ID is one netnsctl writes, else -EINVAL naming it. */
int nn_partition_id_check(const char *id, struct nn_error *e);

/* Addresses of one group (or one namespace), host byte order aside: as the
 * kernel reports them. */
struct nn_partition_addrs {
	struct in_addr *v4;
	size_t n4;
	struct in6_addr *v6;
	size_t n6;
};

void nn_partition_addrs_free(struct nn_partition_addrs *a);
/* Append what NS has (one RTM_GETADDR dump): every address but loopback
 * (127.0.0.0/8, ::1), none twice. */
int nn_partition_addrs_read(struct nn_ns *ns, struct nn_partition_addrs *to, struct nn_error *e);
/* An address in both A and B (into BUF, text), or 0 when none: 1. */
int nn_partition_addrs_overlap(const struct nn_partition_addrs *a, const struct nn_partition_addrs *b,
			       char *buf, size_t len);

/* What NS's table holds for one partition id. */
struct nn_partition_found {
	char id[NN_PARTITION_ID_MAX];
	uint64_t nonce;		/* 0 when its objects do not agree on one */
	unsigned int rules;	/* bit 0: the IPv4 rule, bit 1: the IPv6 rule */
	unsigned int sets;	/* the same for the sets */
	bool whole;		/* both sets and both rules, one nonce, the forms above */
};

/*
 * In NS, drop what arrives from FROM (the other group's addresses) as
 * partition ID with NONCE (not 0): the table and chain when missing, the
 * two sets filled, the two rules; one transaction.  Objects of ID that
 * carry NONCE already are replaced (a retry); of ID with another nonce:
 * -EEXIST, nothing changed.  A kernel without the inet family: -EOPNOTSUPP
 * 'this kernel has no nftables inet family (...)'.
 */
int nn_partition_ns_add(struct nn_ns *ns, const char *id, uint64_t nonce,
			const struct nn_partition_addrs *from, struct nn_error *e);
/*
 * Remove partition ID's sets and rules from NS when they carry NONCE (0:
 * whatever they carry), and the table with its chain when that leaves it
 * empty and it is netnsctl's.  1 when something went, 0 when there was
 * nothing (no table, no nftables), -errno.
 */
int nn_partition_ns_del(struct nn_ns *ns, const char *id, uint64_t nonce, struct nn_error *e);
/* The partitions NS's table holds, in the kernel's order.  *OUT malloc()ed. */
int nn_partition_ns_list(struct nn_ns *ns, struct nn_partition_found **out, size_t *n,
			 struct nn_error *e);

/*
 * A whole partition: namespaces A (NA) from B (NB), no namespace in both.
 * Reads every namespace's addresses first (refusing an address both groups
 * have, -EINVAL), then adds ID with NONCE in each namespace of A (dropping
 * B's addresses) and of B (dropping A's).  When one fails, the ones done
 * are removed again and the error names the namespace.
 */
int nn_partition_add(struct nn_ns *const *a, size_t na, struct nn_ns *const *b, size_t nb,
		     const char *id, uint64_t nonce, struct nn_error *e);
/* Heal: remove ID with NONCE (0: any) from every namespace of A and B; goes
 * on past a failure and returns the first.  The number of namespaces where
 * something went, or -errno. */
int nn_partition_heal(struct nn_ns *const *a, size_t na, struct nn_ns *const *b, size_t nb,
		      const char *id, uint64_t nonce, struct nn_error *e);

/* The groups of a partition: at least one namespace each, every name
 * valid, none twice nor in both groups (-EINVAL naming it). */
int nn_partition_check_groups(const char *const *a, size_t na, const char *const *b, size_t nb,
			      struct nn_error *e);

#endif
