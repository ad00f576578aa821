/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NAT_CODEC_H
#define NETNSCTL_NAT_CODEC_H

/*
 * Internal to nat.c and its unit test: the netlink messages of netnsctl's
 * nftables table, built and read without a socket.
 *
 * The two rule forms written (and the only ones read back as such), in nft's
 * words:
 *   postrouting:  ip saddr SRC/LEN [oifname != "EXCEPT_IF"] masquerade
 *   prerouting, output:
 *                 meta l4proto PROTO th dport PORT fib daddr type local
 *                 dnat to TO:TO_PORT
 * "fib daddr type local" keeps the DNAT to connections for the host's own
 * addresses: without it the output chain would take over every connection
 * the host makes to PORT anywhere, and prerouting every forwarded one.
 */

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "netnsctl/nat.h"

enum nn_nat_chain {
	NN_NAT_CHAIN_POSTROUTING,
	NN_NAT_CHAIN_PREROUTING,
	NN_NAT_CHAIN_OUTPUT,
	NN_NAT_CHAIN_COUNT,
};

struct nn_nat_chain_info {
	const char *name;
	int hooknum;		/* NF_INET_* */
	int prio;
};

extern const struct nn_nat_chain_info nn_nat_chains[NN_NAT_CHAIN_COUNT];

/* The chain named NAME, or -1 for one netnsctl does not make. */
int nn_nat_chain_by_name(const char *name);

/* The userdata TLV type of a rule's nonce (8 bytes, big endian), beside
 * nft's comment (type 0): nft ignores types it does not know.  Chosen far
 * from the ones libnftnl defines (comment 0, ebtables policy 1) and
 * iptables-nft's (2). */
#define NN_NAT_UDATA_NONCE 0x6e

/* One kernel rule as a dump shows it. */
struct nn_nat_found {
	int chain;		/* enum nn_nat_chain, -1 for another chain */
	struct nn_nat_rule rule; /* kind NN_NAT_OTHER when not one of the two forms */
};

/*
 * NFT_MSG_NEWRULE (append) for RULE in CHAIN of table ip netnsctl, at BUF
 * (at least NN_NAT_MSG_MAX bytes).  RULE must have passed nn_nat_rule_check.
 */
#define NN_NAT_MSG_MAX 2048
struct nlmsghdr *nn_nat_rule_msg(char *buf, uint32_t seq, enum nn_nat_chain chain,
				 const struct nn_nat_rule *rule);

/* NFT_MSG_DELRULE for the rule HANDLE in CHAIN (a name: it may be any chain). */
struct nlmsghdr *nn_nat_delrule_msg(char *buf, uint32_t seq, const char *chain, uint64_t handle);

/* NFT_MSG_NEWTABLE / NFT_MSG_DELTABLE of ip netnsctl, NFT_MSG_NEWCHAIN of a base chain. */
struct nlmsghdr *nn_nat_table_msg(char *buf, uint32_t seq, int type);
struct nlmsghdr *nn_nat_chain_msg(char *buf, uint32_t seq, enum nn_nat_chain chain);
/* NFT_MSG_DELCHAIN of one of netnsctl's chains (it must be empty). */
struct nlmsghdr *nn_nat_delchain_msg(char *buf, uint32_t seq, enum nn_nat_chain chain);

/* NFT_MSG_GETRULE dump of the rules of table ip netnsctl. */
struct nlmsghdr *nn_nat_getrule_msg(char *buf, uint32_t seq);

/*
 * Read one NFT_MSG_NEWRULE message (a dump's, or one nn_nat_rule_msg built)
 * into OUT and CHAIN (its name, at least 256 bytes).  A rule of another
 * form is kind NN_NAT_OTHER, with its tag; -EPROTO when the message itself is
 * malformed.
 */
int nn_nat_rule_decode(const struct nlmsghdr *nlh, struct nn_nat_found *out,
		       char *chain, size_t chain_len, struct nn_error *e);

/*
 * One rule per tag from the kernel's rules, in the order first seen: a tag's
 * rule is whole (MASQUERADE: one rule, in postrouting; DNAT: one in prerouting
 * and one in output, the same) or it is NN_NAT_OTHER, so that a half-made or
 * edited rule never compares equal to a wanted one.  Untagged rules are one
 * NN_NAT_OTHER entry each.  *OUT is malloc'd (NULL when N is 0).
 */
int nn_nat_merge(const struct nn_nat_found *found, size_t n, struct nn_nat_rule **out,
		 size_t *nout);

#endif
