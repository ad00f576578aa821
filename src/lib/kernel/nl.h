/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NL_H
#define NETNSCTL_NL_H

/*
 * The netlink layer: requests on the one rtnetlink socket a namespace
 * handle owns (libmnl), each answered before the next is sent, with the
 * kernel's own errno and extended-ack text carried into the error object.
 * Internal to src/lib/kernel.
 */

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "netnsctl/ctx.h"
#include "netnsctl/error.h"

/*
 * Send NLH (NLM_F_REQUEST|NLM_F_ACK are added) on nn_ns_mnl(ns), feed each
 * reply message to CB (may be NULL) until the ACK or NLMSG_DONE.  On a kernel
 * error fill E with "FMT: <extack or strerror>" and return -errno.  Every
 * answer to the request is read, also after CB failed, so the socket holds
 * nothing stale for the next request.  With NLM_F_ECHO set by the caller,
 * the kernel's copy of what it made (RTM_NEWLINK, on kernels that echo)
 * reaches CB before the ACK.
 */
int nn_mnl_talk(struct nn_ns *ns, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		struct nn_error *e, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * nn_mnl_talk() of N requests that follow each other from FIRST (each at
 * NLMSG_ALIGN of the last one's length), in one send: CB sees every reply
 * (its nlmsg_seq tells the request: FIRST's is the lowest, the next one's
 * one more); every answer is read; the first error is the one reported.
 * Not for dumps.
 */
int nn_mnl_talk_many(struct nn_ns *ns, struct nlmsghdr *first, unsigned int n, mnl_cb_t cb,
		     void *data, struct nn_error *e, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/*
 * nn_mnl_talk() of a dump request (NLM_F_DUMP is added): a dump the kernel
 * marks interrupted (its list changed while it was read) is read again, up
 * to 12 times over about a second, after RESET(DATA) undoes what CB kept of
 * the last one; then -EINTR "...; try again".
 */
int nn_mnl_dump(struct nn_ns *ns, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		void (*reset)(void *data), struct nn_error *e, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Extract NLMSGERR_ATTR_MSG from an NLMSG_ERROR message into BUF. */
void nn_nl_parse_extack(const struct nlmsghdr *nlh, char *buf, size_t len);

/*
 * What netnsctl reads from the kernel is parsed by libnl-route into its
 * objects (rtnl_link, rtnl_addr: kinds, veth peers and their namespace ids,
 * flags, addresses), as iproute2's users know them; libmnl builds every
 * request and reads every reply.  NLH (one message of a dump or an echo,
 * NETLINK_ROUTE) is handed to CB as the object libnl makes of it; a message
 * libnl has no object for is skipped.  0, or -ENOMEM.
 */
struct nl_object;
int nn_nl_parse_object(const struct nlmsghdr *nlh, void (*cb)(struct nl_object *obj, void *arg),
		       void *arg);

/* Count one send of MSGS messages (the first of type TYPE) for
 * nn_nl_stats_get(); NETFILTER: they are nftables messages. */
void nn_nl_count(uint16_t type, unsigned msgs, bool netfilter);

/* An rtnetlink socket in the calling thread's current namespace, bound,
 * extended and capped acks on; NULL with *ERR an errno. */
struct mnl_socket *nn_rtnl_open(int *err);

/*
 * Make FD (namespace NAME, just made and named by the caller) with NL (its
 * rtnetlink socket, may be NULL) and COOKIE (may be NULL) CTX's handle of
 * NAME, replacing a handle cached under that name.  CTX owns FD and NL
 * afterwards, also when this fails (-ENOMEM).
 */
int nn_ctx_ns_adopt(struct nn_ctx *ctx, const char *name, int fd, struct mnl_socket *nl,
		    const uint64_t *cookie, struct nn_ns **out, struct nn_error *e);

#endif
