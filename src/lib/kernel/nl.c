// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>

#include <libmnl/libmnl.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "kernel/nl.h"

#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

void nn_nl_parse_extack(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);
	const struct nlattr *attr;

	buf[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
		return;
	/* Without CAPPED the kernel echoes the whole request before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	if (NLMSG_HDRLEN + MNL_ALIGN(off) > nlh->nlmsg_len)
		return;
	mnl_attr_for_each_payload((const void *)((const char *)mnl_nlmsg_get_payload(nlh) + MNL_ALIGN(off)),
				  nlh->nlmsg_len - NLMSG_HDRLEN - MNL_ALIGN(off)) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(buf, len, "%s", mnl_attr_get_str(attr));
			return;
		}
	}
}

/* libnl hands the error callback only the nlmsgerr; its header sits right before it. */
static int capture_cb(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nn_nl_capture *cap = arg;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);

	(void)nla;
	cap->err = err->error < 0 ? -err->error : err->error;
	nn_nl_parse_extack(nlh, cap->extack, sizeof(cap->extack));
	return NL_STOP;
}

int nn_nl_install_capture(struct nl_sock *sk, struct nn_nl_capture *cap)
{
	return nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, capture_cb, cap);
}

int nn_nl_errno_from_nle(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_SUCCESS: return 0;
	case NLE_INTR: return EINTR;
	case NLE_BAD_SOCK: return EBADF;
	case NLE_AGAIN: return EAGAIN;
	case NLE_NOMEM: return ENOMEM;
	case NLE_EXIST: return EEXIST;
	case NLE_INVAL: return EINVAL;
	case NLE_RANGE: return ERANGE;
	case NLE_MSGSIZE: return EMSGSIZE;
	case NLE_OPNOTSUPP: return EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND: return ENOENT;
	case NLE_NOATTR: return ENOENT;
	case NLE_MISSING_ATTR: return EINVAL;
	case NLE_AF_MISMATCH: return EINVAL;
	case NLE_SEQ_MISMATCH: return EPROTO;
	case NLE_MSG_OVERFLOW: return ENOBUFS;
	case NLE_MSG_TRUNC: return EMSGSIZE;
	case NLE_NOADDR: return EADDRNOTAVAIL;
	case NLE_SRCRT_NOSUPPORT: return EOPNOTSUPP;
	case NLE_MSG_TOOSHORT: return EPROTO;
	case NLE_MSGTYPE_NOSUPPORT: return EOPNOTSUPP;
	case NLE_OBJ_MISMATCH: return EINVAL;
	case NLE_NOCACHE: return ENOENT;
	case NLE_BUSY: return EBUSY;
	case NLE_PROTO_MISMATCH: return EPROTONOSUPPORT;
	case NLE_NOACCESS: return EACCES;
	case NLE_PERM: return EPERM;
	case NLE_PKTLOC_FILE: return ENOENT;
	case NLE_PARSE_ERR: return EINVAL;
	case NLE_NODEV: return ENODEV;
	case NLE_IMMUTABLE: return EPERM;
	case NLE_DUMP_INTR: return EINTR;
	case NLE_ATTRSIZE: return ERANGE;
	default: return EIO;
	}
}

int nn_nl_fail(struct nn_ns *ns, int nlerr, struct nn_error *e, const char *fmt, ...)
{
	struct nn_nl_capture *cap = nn_ns_capture(ns);
	char what[NN_ERROR_MAX];
	int err = cap->err ? cap->err : nn_nl_errno_from_nle(nlerr);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	nn_error_set_kernel(e, err, cap->err ? cap->extack : NULL, "%s", what);
	cap->err = 0;
	cap->extack[0] = '\0';
	return -err;
}

int nn_mnl_talk(struct nn_ns *ns, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		struct nn_error *e, const char *fmt, ...)
{
	static __thread unsigned int seq_base;
	char buf[32768];
	struct mnl_socket *nl;
	unsigned int portid, seq;
	char what[NN_ERROR_MAX];
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	nl = nn_ns_mnl(ns, e);
	if (!nl)
		return -e->code;
	if (!seq_base)
		seq_base = (unsigned int)time(NULL);
	seq = ++seq_base;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return nn_error_set(e, errno, "%s", what);

	for (;;) {
		const struct nlmsghdr *m;
		int len;

		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return nn_error_set(e, errno, "%s", what);
		len = (int)n;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				return nn_error_setx(e, EINTR, "%s: the kernel's answer changed while it was read; try again",
						     what);
			if (m->nlmsg_type == NLMSG_DONE) {
				/* A dump that failed half way says so in its DONE. */
				if (m->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
					int err = *(const int *)mnl_nlmsg_get_payload(m);

					if (err < 0)
						return nn_error_set(e, -err, "%s", what);
				}
				return 0;
			}
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = mnl_nlmsg_get_payload(m);
				char extack[256];

				if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
					return nn_error_setx(e, EPROTO, "%s: truncated netlink error", what);
				if (err->error == 0)
					return 0;
				nn_nl_parse_extack(m, extack, sizeof(extack));
				return nn_error_set_kernel(e, -err->error, extack, "%s", what);
			}
			if (cb && m->nlmsg_type >= NLMSG_MIN_TYPE) {
				int r = cb(m, data);

				if (r < 0)
					return nn_error_set(e, errno ? errno : EPROTO, "%s", what);
			}
		}
	}
}
