// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>

#include <libmnl/libmnl.h>
#include <netlink/msg.h>
#include <netlink/object.h>
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

static struct nn_nl_stats stats;

void nn_nl_count(uint16_t type, unsigned msgs, bool netfilter)
{
	/* Worker threads (rate measurements) may count too. */
	__atomic_fetch_add(&stats.sends, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stats.requests, msgs, __ATOMIC_RELAXED);
	if (netfilter)
		__atomic_fetch_add(&stats.netfilter, msgs, __ATOMIC_RELAXED);
	else if (type < NN_NL_TYPES)
		__atomic_fetch_add(&stats.by_type[type], msgs, __ATOMIC_RELAXED);
}

void nn_nl_stats_get(struct nn_nl_stats *out)
{
	out->sends = __atomic_load_n(&stats.sends, __ATOMIC_RELAXED);
	out->requests = __atomic_load_n(&stats.requests, __ATOMIC_RELAXED);
	out->netfilter = __atomic_load_n(&stats.netfilter, __ATOMIC_RELAXED);
	for (int t = 0; t < NN_NL_TYPES; t++)
		out->by_type[t] = __atomic_load_n(&stats.by_type[t], __ATOMIC_RELAXED);
}

/* N requests, one after the other from NLH (each aligned), in one send,
 * and their whole answers; *INTR set when an answer was a dump the kernel
 * marked interrupted (NLM_F_DUMP_INTR).  Each request gets its own sequence
 * number and its own ACK; the answers end when every one is in (a dump's
 * with its DONE).  The first error is the one reported. */
static int talk(struct nn_ns *ns, struct nlmsghdr *nlh, unsigned int n_req, mnl_cb_t cb,
		void *data, struct nn_error *e, const char *what, bool *intr)
{
	static __thread unsigned int seq_base;
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct mnl_socket *nl;
	unsigned int portid, first, ended = 0;
	struct nlmsghdr *m = nlh;
	size_t len = 0;
	int ret = 0;
	ssize_t n;

	*intr = false;
	nl = nn_ns_mnl(ns, e);
	if (!nl)
		return -e->code;
	if (!seq_base)
		seq_base = (unsigned int)time(NULL);
	first = seq_base + 1;
	for (unsigned int k = 0; k < n_req; k++) {
		m->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
		m->nlmsg_seq = ++seq_base;
		len += NLMSG_ALIGN(m->nlmsg_len);
		m = (struct nlmsghdr *)((char *)m + NLMSG_ALIGN(m->nlmsg_len));
	}
	portid = mnl_socket_get_portid(nl);
	nn_nl_count(nlh->nlmsg_type, n_req, false);
	if (mnl_socket_sendto(nl, nlh, n_req == 1 ? nlh->nlmsg_len : len) < 0)
		return nn_error_set(e, errno, "%s", what);

	/* One read per datagram the kernel sends (libmnl does not peek); the
	 * loop ends with the last answer's last message: the ACK, an error or
	 * a dump's DONE.  A failed callback or an interrupted dump is reported
	 * after that, so nothing of these answers is left for the next one. */
	while (ended < n_req) {
		int left;

		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return nn_error_set(e, errno, "%s", what);
		left = (int)n;
		for (m = (struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq - first >= n_req || m->nlmsg_pid != portid)
				continue;
			if ((m->nlmsg_flags & NLM_F_DUMP_INTR) && !ret) {
				*intr = true;
				ret = nn_error_setx(e, EINTR, "%s: the kernel's answer changed while it was read; try again",
						    what);
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				/* A dump that failed half way says so in its DONE. */
				if (m->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
					int err = *(const int *)mnl_nlmsg_get_payload(m);

					if (err < 0 && !ret)
						ret = nn_error_set(e, -err, "%s", what);
				}
				ended++;
				continue;
			}
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = mnl_nlmsg_get_payload(m);
				char extack[256];

				ended++;
				if (ret)
					continue;
				if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
					ret = nn_error_setx(e, EPROTO, "%s: truncated netlink error", what);
				else if (err->error != 0) {
					nn_nl_parse_extack(m, extack, sizeof(extack));
					ret = nn_error_set_kernel(e, -err->error, extack, "%s", what);
				}
				continue;
			}
			if (cb && !ret && m->nlmsg_type >= NLMSG_MIN_TYPE) {
				errno = 0;
				if (cb(m, data) < 0)
					ret = nn_error_set(e, errno ? errno : EPROTO, "%s", what);
			}
		}
	}
	return ret;
}

int nn_mnl_talk(struct nn_ns *ns, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		struct nn_error *e, const char *fmt, ...)
{
	char what[NN_ERROR_MAX];
	va_list ap;
	bool intr;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return talk(ns, nlh, 1, cb, data, e, what, &intr);
}

int nn_mnl_talk_many(struct nn_ns *ns, struct nlmsghdr *first, unsigned int n, mnl_cb_t cb,
		     void *data, struct nn_error *e, const char *fmt, ...)
{
	char what[NN_ERROR_MAX];
	va_list ap;
	bool intr;

	if (!n)
		return 0;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return talk(ns, first, n, cb, data, e, what, &intr);
}

/* A dump changes under a reader when the kernel's list changes meanwhile
 * (addresses of a bridge's new ports, in a lab of hundreds): libnl's
 * caches read it again, and so do we, a bounded number of times, waiting
 * a little longer each time for a burst of changes to pass (1, 2, 4 ...
 * 64 ms: about a second in all). */
#define DUMP_TRIES 12

int nn_mnl_dump(struct nn_ns *ns, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		void (*reset)(void *data), struct nn_error *e, const char *fmt, ...)
{
	char what[NN_ERROR_MAX];
	va_list ap;
	bool intr;
	int ret;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	nlh->nlmsg_flags |= NLM_F_DUMP;
	for (int i = 0;; i++) {
		ret = talk(ns, nlh, 1, cb, data, e, what, &intr);
		if (!intr || i + 1 == DUMP_TRIES)
			return ret;
		nn_error_clear(e);
		reset(data);
		if (i) {
			unsigned ms = 1u << (i - 1 < 6 ? i - 1 : 6);
			struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
}

int nn_nl_parse_object(const struct nlmsghdr *nlh, void (*cb)(struct nl_object *obj, void *arg),
		       void *arg)
{
	/* nlmsg_convert() copies: libnl's parsers take a message of their own. */
	struct nl_msg *m = nlmsg_convert((struct nlmsghdr *)nlh);
	int ret;

	if (!m)
		return -ENOMEM;
	nlmsg_set_proto(m, NETLINK_ROUTE);
	ret = nl_msg_parse(m, cb, arg);
	nlmsg_free(m);
	/* "no cache operations for this message type" is a message libnl does
	 * not model: not an error of ours. */
	return ret == -NLE_NOMEM ? -ENOMEM : 0;
}
