/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_PARTITION_CODEC_H
#define NETNSCTL_PARTITION_CODEC_H

/*
 * Internal to partition.c and its unit test: the netlink messages of the
 * partition table "inet netnsctl" (partition.h), built and read without a
 * socket.  FAMILY is AF_INET (set "ID-4", the IPv4 rule) or AF_INET6.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/netlink.h>

#include "netnsctl/error.h"
#include "netnsctl/partition.h"

/* The userdata TLV of the nonce: the one NAT rules carry (nat_codec.h). */
#define NN_PART_UDATA_NONCE 0x6e
/* The comment of netnsctl's table, and the prefix of its rules' and sets'. */
#define NN_PART_TABLE_COMMENT "netnsctl partitions"
#define NN_PART_COMMENT_PREFIX "partition "
/* Set elements per NFT_MSG_NEWSETELEM message (fits NN_NFT_MSG_MAX). */
#define NN_PART_ELEMS_PER_MSG 256

/* "ID-4" / "ID-6" into BUF (NN_PARTITION_ID_MAX + 3 bytes). */
const char *nn_part_set_name(char *buf, size_t len, const char *id, int family);

/* NFT_MSG_NEWTABLE (with the comment), DELTABLE or GETTABLE (no dump) of inet netnsctl. */
struct nlmsghdr *nn_part_table_msg(char *buf, uint32_t seq, int type);
/* NFT_MSG_NEWCHAIN "input": type filter hook input priority NN_PARTITION_PRIO. */
struct nlmsghdr *nn_part_chain_msg(char *buf, uint32_t seq);
/* NFT_MSG_NEWSET "ID-4" (ipv4_addr) or "ID-6" (ipv6_addr), userdata: the
 * key's byte order as nft writes it, the comment, the nonce; SET_ID names
 * it to the rule of the same transaction. */
struct nlmsghdr *nn_part_set_msg(char *buf, uint32_t seq, const char *id, int family,
				 uint64_t nonce, uint32_t set_id);
/* NFT_MSG_NEWSETELEM: N addresses (struct in_addr or struct in6_addr) into the set. */
struct nlmsghdr *nn_part_setelem_msg(char *buf, uint32_t seq, const char *id, int family,
				     const void *addrs, size_t n);
/* NFT_MSG_NEWRULE (append) in "input":
 *	meta nfproto FAMILY, payload saddr, lookup set, drop
 * userdata: comment "partition ID" and the nonce. */
struct nlmsghdr *nn_part_rule_msg(char *buf, uint32_t seq, const char *id, int family,
				  uint64_t nonce, uint32_t set_id);
struct nlmsghdr *nn_part_delrule_msg(char *buf, uint32_t seq, const char *chain, uint64_t handle);
struct nlmsghdr *nn_part_delset_msg(char *buf, uint32_t seq, const char *name);
/* Dumps of the table's rules and sets. */
struct nlmsghdr *nn_part_getrule_msg(char *buf, uint32_t seq);
struct nlmsghdr *nn_part_getset_msg(char *buf, uint32_t seq);

/* One object of the table as a dump shows it. */
struct nn_part_obj {
	enum { NN_PART_RULE, NN_PART_SET } type;
	char id[NN_PARTITION_ID_MAX];	/* from the comment; "" when none of ours */
	uint64_t nonce;			/* 0: none */
	int family;			/* AF_INET, AF_INET6; 0: not of the forms above */
	uint64_t handle;		/* rules */
	char name[256];			/* sets: the set's; rules: the chain's */
};

/* Read one NFT_MSG_NEWRULE / NFT_MSG_NEWSET message.  -EPROTO when malformed. */
int nn_part_rule_decode(const struct nlmsghdr *nlh, struct nn_part_obj *out, struct nn_error *e);
int nn_part_set_decode(const struct nlmsghdr *nlh, struct nn_part_obj *out, struct nn_error *e);
/* A NFT_MSG_NEWTABLE message: 1 when it bears netnsctl's comment. */
int nn_part_table_decode(const struct nlmsghdr *nlh, struct nn_error *e);

/* The partitions in OBJS (one entry per id, in the order first seen); objects
 * without an id of ours are left out.  *OUT malloc()ed. */
int nn_part_merge(const struct nn_part_obj *objs, size_t n, struct nn_partition_found **out,
		  size_t *nout);

#endif
