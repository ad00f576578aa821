/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NL_H
#define NETNSCTL_NL_H

/*
 * The netlink layer: requests through libnl or libmnl sockets owned by a
 * namespace handle, with the kernel's own errno and extended-ack text carried
 * into the error object (libnl maps errnos lossily and drops extack).
 */

#include <libmnl/libmnl.h>
#include <netlink/netlink.h>

#include "netnsctl/ctx.h"
#include "netnsctl/error.h"

/*
 * After a libnl call on nn_ns_nl(ns) returned NLERR < 0: fill E with
 * "FMT: <kernel text or strerror>" using the errno the kernel really sent, and
 * return -errno.  Callers that tolerate an errno test e->code afterwards.
 */
int nn_nl_fail(struct nn_ns *ns, int nlerr, struct nn_error *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* errno for a libnl error code when no kernel error was captured. */
int nn_nl_errno_from_nle(int nlerr);

/*
 * Send NLH (NLM_F_REQUEST|NLM_F_ACK are added) on nn_ns_mnl(ns), feed each
 * reply message to CB (may be NULL) until the ACK or NLMSG_DONE.  On a kernel
 * error fill E with "FMT: <extack or strerror>" and return -errno.
 */
int nn_mnl_talk(struct nn_ns *ns, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		struct nn_error *e, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Internal to ctx.c and nl.c: per-namespace capture of the last kernel error. */
struct nn_nl_capture {
	int err;		/* positive errno from the last NLMSG_ERROR */
	char extack[256];
};
struct nn_nl_capture *nn_ns_capture(struct nn_ns *ns);
int nn_nl_install_capture(struct nl_sock *sk, struct nn_nl_capture *cap);
/* Extract NLMSGERR_ATTR_MSG from an NLMSG_ERROR message into BUF. */
void nn_nl_parse_extack(const struct nlmsghdr *nlh, char *buf, size_t len);

#endif
