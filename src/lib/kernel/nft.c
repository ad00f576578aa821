// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "netnsctl/ctx.h"
#include "kernel/nft.h"
#include "kernel/nl.h"

#define DUMP_BUF 65536

struct mnl_socket *nn_nft_open(struct nn_ns *ns, struct nn_error *e)
{
	struct mnl_socket *nl;
	int saved, err = 0, one = 1;

	if (nn_ns_enter(ns, &saved, e) < 0)
		return NULL;
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		err = errno;
	nn_ns_leave(saved);
	if (!nl) {
		nn_error_set(e, err, "cannot open a netfilter netlink socket in %s", nn_ns_label(ns));
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		mnl_socket_close(nl);
		nn_error_set(e, err, "cannot bind a netfilter netlink socket in %s", nn_ns_label(ns));
		return NULL;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return nl;
}

void nn_nft_close(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
	*nl = NULL;
}

uint32_t nn_nft_seq(void)
{
	static __thread uint32_t seq;

	if (!seq)
		seq = (uint32_t)time(NULL) << 8;
	return ++seq;
}

bool nn_nft_no_family(int err)
{
	return err == EOPNOTSUPP || err == EAFNOSUPPORT || err == EPROTONOSUPPORT;
}

/* --- batches --- */

static bool reserve(struct nn_nft_batch *b, size_t room)
{
	char *nb;
	size_t cap;

	if (b->oom)
		return false;
	if (b->len + room <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4 * NN_NFT_MSG_MAX;
	while (cap < b->len + room)
		cap *= 2;
	if (!(nb = realloc(b->buf, cap))) {
		b->oom = true;
		return false;
	}
	memset(nb + b->cap, 0, cap - b->cap);
	b->buf = nb;
	b->cap = cap;
	return true;
}

int nn_nft_batch_start(struct nn_nft_batch *b, struct nn_error *e)
{
	memset(b, 0, sizeof(*b));
	if (!reserve(b, NN_NFT_MSG_MAX))
		return nn_error_set(e, ENOMEM, "cannot build an nftables transaction");
	b->begin_seq = nn_nft_seq();
	nftnl_batch_begin(b->buf, b->begin_seq);
	b->len = ((struct nlmsghdr *)b->buf)->nlmsg_len;
	return 0;
}

void nn_nft_batch_free(struct nn_nft_batch *b)
{
	free(b->buf);
	free(b->sent);
	memset(b, 0, sizeof(*b));
}

char *nn_nft_batch_slot(struct nn_nft_batch *b)
{
	if (!reserve(b, NN_NFT_MSG_MAX))
		return NULL;
	memset(b->buf + b->len, 0, NN_NFT_MSG_MAX);
	return b->buf + b->len;
}

void nn_nft_batch_add(struct nn_nft_batch *b, uint32_t seq, enum nn_nft_msg_kind kind,
		      const char *fmt, ...)
{
	const struct nlmsghdr *nlh;
	struct nn_nft_sent *s;
	va_list ap;

	if (b->oom)
		return;
	if (b->n == b->sent_cap) {
		size_t cap = b->sent_cap ? 2 * b->sent_cap : 16;

		if (!(s = realloc(b->sent, cap * sizeof(*s)))) {
			b->oom = true;
			return;
		}
		b->sent = s;
		b->sent_cap = cap;
	}
	nlh = (const struct nlmsghdr *)(b->buf + b->len);
	s = &b->sent[b->n++];
	s->seq = seq;
	s->kind = kind;
	va_start(ap, fmt);
	vsnprintf(s->what, sizeof(s->what), fmt, ap);
	va_end(ap);
	b->len += MNL_ALIGN(nlh->nlmsg_len);
}

static int batch_error(const struct nn_nft_batch *b, size_t i, int err, const char *extack,
		       const char *nofam, struct nn_error *e)
{
	const char *what = i < b->n ? b->sent[i].what : "cannot change the nftables ruleset";
	enum nn_nft_msg_kind kind = i < b->n ? b->sent[i].kind : NN_NFT_MSG_TABLE;
	bool missing = b->missing ? b->missing(kind, err) || err == EPROTONOSUPPORT :
				    err == EPROTONOSUPPORT || err == EAFNOSUPPORT ||
				    (kind == NN_NFT_MSG_TABLE && err == EOPNOTSUPP);

	/* an error on BEGIN (no nf_tables at all) has i == b->n */
	if (missing && nofam) {
		char inner[NN_ERROR_MAX];

		nn_error_set_kernel(e, err, extack, "%s", what);
		snprintf(inner, sizeof(inner), "%s", e->msg);
		return nn_error_setx(e, EOPNOTSUPP, "%s (%s)", nofam, inner);
	}
	return nn_error_set_kernel(e, err, extack, "%s", what);
}

int nn_nft_batch_send(struct mnl_socket *nl, struct nn_nft_batch *b, const char *nofam,
		      struct nn_error *e)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	char buf[16384], first_extack[256] = "";
	size_t acked = 0, first_i = 0;
	int first_err = 0, size;
	ssize_t len;

	if (b->oom || !reserve(b, NN_NFT_MSG_MAX))
		return nn_error_set(e, ENOMEM, "cannot build an nftables transaction");
	b->end_seq = nn_nft_seq();
	nftnl_batch_end(b->buf + b->len, b->end_seq);
	b->len += ((struct nlmsghdr *)(b->buf + b->len))->nlmsg_len;
	/* The whole transaction is one datagram: a big set needs a big buffer. */
	size = (int)(b->len + 65536);
	if (b->len > 131072)
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	nn_nl_count(0, (unsigned)b->n + 2, true);	/* with the batch's begin and end */
	if (mnl_socket_sendto(nl, b->buf, b->len) < 0)
		return nn_error_set(e, errno, "cannot send an nftables transaction");
	while (acked < b->n) {
		const struct nlmsghdr *m;
		int left;

		len = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), first_err ? MSG_DONTWAIT : 0);
		if (len < 0) {
			if (first_err && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			return nn_error_set(e, errno, "cannot read the answer to an nftables transaction");
		}
		left = (int)len;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			const struct nlmsgerr *err;
			size_t i;

			if (m->nlmsg_pid != portid || m->nlmsg_type != NLMSG_ERROR)
				continue;
			err = mnl_nlmsg_get_payload(m);
			if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
				return nn_error_setx(e, EPROTO, "truncated netlink error from nftables");
			for (i = 0; i < b->n && b->sent[i].seq != m->nlmsg_seq; i++)
				;
			if (i == b->n && m->nlmsg_seq != b->begin_seq && m->nlmsg_seq != b->end_seq)
				continue;
			if (i < b->n)
				acked++;
			if (err->error && !first_err) {
				first_err = -err->error;
				first_i = i;
				nn_nl_parse_extack(m, first_extack, sizeof(first_extack));
			}
			/* an error on BEGIN or END: nothing else will come */
			if (err->error && i == b->n)
				acked = b->n;
		}
	}
	if (first_err)
		return batch_error(b, first_i, first_err, first_extack, nofam, e);
	return 0;
}

/* --- dumps --- */

int nn_nft_dump(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg,
		const char *what, struct nn_error *e)
{
	uint32_t seq = nlh->nlmsg_seq, portid = mnl_socket_get_portid(nl);
	char *buf = malloc(DUMP_BUF);
	ssize_t len;
	int ret = 0;

	if (!buf)
		return nn_error_set(e, ENOMEM, "%s", what);
	nn_nl_count(0, 1, true);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = nn_error_set(e, errno, "%s", what);
		goto out;
	}
	for (;;) {
		const struct nlmsghdr *m;
		int left;

		len = mnl_socket_recvfrom(nl, buf, DUMP_BUF);
		if (len < 0) {
			ret = nn_error_set(e, errno, "%s", what);
			goto out;
		}
		left = (int)len;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR) {
				ret = nn_error_setx(e, EINTR, "%s: the ruleset changed while it was read; try again", what);
				goto out;
			}
			if (m->nlmsg_type == NLMSG_DONE)
				goto out;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = mnl_nlmsg_get_payload(m);
				char extack[256];

				if (m->nlmsg_len < NLMSG_HDRLEN + sizeof(*err) || err->error == 0)
					goto out;
				if (err->error == -ENOENT || nn_nft_no_family(-err->error))
					goto out;
				nn_nl_parse_extack(m, extack, sizeof(extack));
				ret = nn_error_set_kernel(e, -err->error, extack, "%s", what);
				goto out;
			}
			if (cb(m, arg) != MNL_CB_OK) {
				ret = -(e->code ? e->code : EPROTO);
				if (!e->code)
					nn_error_setx(e, EPROTO, "%s: malformed answer", what);
				goto out;
			}
		}
	}
out:
	free(buf);
	return ret;
}
