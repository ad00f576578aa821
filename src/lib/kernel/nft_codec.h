/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NFT_CODEC_H
#define NETNSCTL_NFT_CODEC_H

/*
 * Internal: what the nftables codecs (nat_codec.c, partition_codec.c) read
 * the same way from the kernel's messages.  No I/O: the fuzzers and the
 * unit tests feed them bytes.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "netnsctl/error.h"

struct nftnl_rule;
struct nftnl_expr;
struct nftnl_chain;
struct nftnl_table;
struct nftnl_set;

/* The object as a message of TYPE (NFT_MSG_*) for FAMILY with FLAGS into
 * BUF (NN_NFT_MSG_MAX bytes), the object freed. */
struct nlmsghdr *nn_nft_rule_msg(char *buf, int type, int family, int flags, uint32_t seq,
				 struct nftnl_rule *r);
struct nlmsghdr *nn_nft_chain_msg(char *buf, int type, int family, int flags, uint32_t seq,
				  struct nftnl_chain *c);
struct nlmsghdr *nn_nft_table_msg(char *buf, int type, int family, int flags, uint32_t seq,
				  struct nftnl_table *t);
struct nlmsghdr *nn_nft_set_msg(char *buf, int type, int family, int flags, uint32_t seq,
				struct nftnl_set *s);

/* libmnl's iteration stops quietly at a broken attribute: do the top-level
 * attributes of the nfnetlink message NLH cover it exactly? */
bool nn_nft_attrs_whole(const struct nlmsghdr *nlh);

/*
 * Userdata P (N bytes; TLVs: u8 type, u8 length, value): the first value of
 * type COMMENT_TYPE that ends in a NUL (*COMMENT, *COMMENT_LEN with the NUL;
 * NULL and 0 when none) and the last 8-byte value of type NONCE_TYPE,
 * big-endian (*NONCE; 0 when none).  A TLV that runs past N ends the read.
 */
void nn_nft_udata_read(const uint8_t *p, uint32_t n, uint8_t comment_type, uint8_t nonce_type,
		       const char **comment, size_t *comment_len, uint64_t *nonce);

/* The expressions of rule NR in order into X (MAX at most), *N of them: 0,
 * 1 when the rule has more than MAX, or -ENOMEM with E set. */
int nn_nft_rule_exprs(struct nftnl_rule *nr, const struct nftnl_expr **x, size_t max, size_t *n,
		      struct nn_error *e);

#endif
