/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NFT_H
#define NETNSCTL_NFT_H

/*
 * Internal: nftables transactions and dumps over a NETLINK_NETFILTER socket
 * made inside a namespace (partition.c).  A batch is BEGIN, messages each
 * asking for an ACK, END, sent at once; the kernel answers every message
 * before sendmsg returns, and the first error (with its extended ack) names
 * the message that failed.  The buffer grows: a set of many addresses is
 * many messages.  Used by partition.c and nat.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "netnsctl/error.h"

struct nn_ns;

/* Room reserved for one message of a batch (nn_nft_batch_slot). */
#define NN_NFT_MSG_MAX 16384

/* What a message of a batch is: a kernel without a family, chain type or
 * expression answers each kind with its own errno (see missing below). */
enum nn_nft_msg_kind { NN_NFT_MSG_TABLE, NN_NFT_MSG_CHAIN, NN_NFT_MSG_RULE, NN_NFT_MSG_OTHER };

struct nn_nft_batch {
	char *buf;
	size_t len, cap;
	size_t n;		/* messages between BEGIN and END */
	struct nn_nft_sent {
		uint32_t seq;
		enum nn_nft_msg_kind kind;
		char what[160];
	} *sent;
	size_t sent_cap;
	uint32_t begin_seq, end_seq;
	bool oom;
	/* Does ERR on a message of KIND mean the kernel lacks what the batch
	 * needs?  NULL: EPROTONOSUPPORT or EAFNOSUPPORT on any message, or
	 * EOPNOTSUPP on a table.  Set after nn_nft_batch_start. */
	bool (*missing)(enum nn_nft_msg_kind kind, int err);
};

/* A NETLINK_NETFILTER socket inside NS, extended acks on.  NULL with E set. */
struct mnl_socket *nn_nft_open(struct nn_ns *ns, struct nn_error *e);
void nn_nft_close(struct mnl_socket **nl);
#define _cleanup_nft_ __attribute__((cleanup(nn_nft_close)))

uint32_t nn_nft_seq(void);

int nn_nft_batch_start(struct nn_nft_batch *b, struct nn_error *e);
void nn_nft_batch_free(struct nn_nft_batch *b);
/* Where the next message goes: NN_NFT_MSG_MAX bytes of zeroed room (NULL
 * when out of memory: nn_nft_batch_send then fails with -ENOMEM). */
char *nn_nft_batch_slot(struct nn_nft_batch *b);
/* The message just built in the slot, with its sequence number and what it
 * does ("cannot create set p1-4"), for the error. */
void nn_nft_batch_add(struct nn_nft_batch *b, uint32_t seq, enum nn_nft_msg_kind kind,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * Send it and read every answer.  -errno with "WHAT: <extack or strerror>";
 * a kernel without the family (NOFAM names it, e.g. "this kernel has no
 * nftables inet family") gives -EOPNOTSUPP "NOFAM (WHAT: ...)".
 */
int nn_nft_batch_send(struct mnl_socket *nl, struct nn_nft_batch *b, const char *nofam,
		      struct nn_error *e);

/*
 * Send the dump request NLH and feed every reply to CB (MNL_CB_OK to go
 * on).  A missing table (ENOENT) or family is an empty dump (0).
 */
int nn_nft_dump(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg,
		const char *what, struct nn_error *e);

/* Errors that mean nftables or the family is missing (a read finds nothing). */
bool nn_nft_no_family(int err);

#endif
