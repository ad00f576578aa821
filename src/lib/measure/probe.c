// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Probes and transfers between namespaces (probe.h).
 *
 * Timing: SO_TIMESTAMPING with SOF_TIMESTAMPING_TX_SCHED stamps a probe as
 * it enters the qdisc layer of the sending namespace (before its netem or
 * tbf: a stamp taken by the driver would leave the egress delay out), and
 * SOF_TIMESTAMPING_RX_SOFTWARE stamps an answer as it arrives.  OPT_ID ties a
 * send stamp to its probe (the socket counts its sends from 0) and
 * OPT_TSONLY keeps the packet itself off the error queue.  Both stamps are
 * CLOCK_REALTIME, as is the user-space clock a probe falls back on when a
 * stamp is missing.
 *
 * Every probe carries a random 64-bit cookie and its 32-bit sequence number
 * in its payload: a raw socket sees every ICMP packet of its namespace, so
 * answers are matched by identifier and cookie, never by identifier alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <linux/rtnetlink.h>

#include "netnsctl/ctx.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/probe.h"
#include "netnsctl/stats.h"
#include "util/cleanup.h"
#include "kernel/nl.h"

/* linux/icmp.h's, which clashes with netinet/ip_icmp.h */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif

#define NS_PER_S 1000000000LL
#define NS_PER_MS 1000000.0
/* The header netnsctl puts at the start of every probe's payload. */
#define HDR_COOKIE 0
#define HDR_SEQ 8
/* Replies that came at all come within 3 round trips, and a wait is never
 * shorter than this (a busy machine stalls a process for a while). */
#define MIN_WAIT_NS 500000000ULL
/* The kernel turns receive stamps on for everyone (a static key) from a
 * work queue after the first socket asks (net_enable_timestamp): answers
 * that come before that are timed in user space.  Probes start this long
 * after their sockets are made. */
#define TSTAMP_WARMUP_NS 20000000ULL

struct slot {
	int64_t tx_user;	/* CLOCK_REALTIME before the send */
	int64_t tx_kernel;	/* the TX_SCHED stamp, 0 when none */
	int64_t rx;		/* the answer's arrival */
	bool rx_kernel;
	bool got;
};

struct nn_probe {
	struct nn_probe_opts o;
	enum nn_probe_socket kind;
	int family;
	int fd;
	int refl;		/* UDP: netnsctl's echo socket in the destination */
	struct sockaddr_storage dst_sa;
	socklen_t dst_len;
	struct nn_prefix dst, src;
	uint16_t ident;		/* raw ICMP: our identifier */
	uint64_t cookie;
	bool tstamp;		/* SO_TIMESTAMPING is on */
	bool tx_desync;		/* a failed send: the kernel's send count may be off */
	struct slot *slots;
	uint32_t next;		/* probes sent so far */
	uint64_t made, t0, due, last_send, end;	/* CLOCK_MONOTONIC */
	uint32_t received, duplicates, reordered, errors;
	uint32_t max_seq;
	bool any;
	int64_t max_rtt;
	bool done, unreachable;
	int error;
	char error_text[160];
	double *rtts;
	size_t n_rtts;
	uint32_t kernel_timed;
	uint8_t *buf;
	size_t buf_len;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

void nn_probe_opts_default(struct nn_probe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->count = NN_PROBE_DEFAULT_COUNT;
	o->interval_ns = NN_PROBE_DEFAULT_INTERVAL_NS;
	o->size = NN_PROBE_DEFAULT_SIZE;
	o->wait_ns = NN_PROBE_DEFAULT_WAIT_NS;
}

const char *nn_probe_socket_name(enum nn_probe_socket s)
{
	switch (s) {
	case NN_PROBE_SOCK_ICMP_DGRAM: return "icmp";
	case NN_PROBE_SOCK_ICMP_RAW: return "raw";
	default: return "udp";
	}
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct nn_prefix *a)
{
	memset(a, 0, sizeof(*a));
	a->family = ss->ss_family;
	if (ss->ss_family == AF_INET) {
		a->addr.v4 = ((const struct sockaddr_in *)ss)->sin_addr;
		a->len = 32;
	} else {
		a->addr.v6 = ((const struct sockaddr_in6 *)ss)->sin6_addr;
		a->len = 128;
	}
}

static const char *addr_str(char *buf, size_t len, const struct nn_prefix *a)
{
	return nn_format_prefix(buf, len, a, false);
}

/* A socket made inside NS: it stays there whatever thread uses it later. */
static int socket_in(struct nn_ns *ns, int domain, int type, int proto, struct nn_error *e)
{
	int saved, fd, err;

	if (nn_ns_enter(ns, &saved, e) < 0)
		return -e->code;
	fd = socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	err = errno;
	nn_ns_leave(saved);
	return fd < 0 ? -err : fd;
}

/* The address SRC's kernel sends to DST from: what a UDP socket connected
 * there is bound to (connect() on UDP sends nothing). */
static int source_for(struct nn_ns *src, const struct nn_prefix *dst, struct nn_prefix *out,
		      struct nn_error *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char a[64];
	_cleanup_close_ int fd = socket_in(src, dst->family, SOCK_DGRAM, 0, e);

	if (fd < 0)
		return e->code ? -e->code : nn_error_set(e, -fd, "cannot open a socket in %s", nn_ns_label(src));
	nn_prefix_sockaddr(dst, 9, &ss, &len);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		int err = errno;

		if (err == ENETUNREACH || err == EHOSTUNREACH || err == EINVAL)
			return nn_error_setx(e, ENETUNREACH, "no route from %s to %s", nn_ns_label(src),
					     addr_str(a, sizeof(a), dst));
		if (err == EACCES)
			return nn_error_setx(e, ENETUNREACH, "%s cannot send to %s: a broadcast address or a prohibit route",
					     nn_ns_label(src), addr_str(a, sizeof(a), dst));
		return nn_error_set(e, err, "cannot find the route from %s to %s", nn_ns_label(src),
				    addr_str(a, sizeof(a), dst));
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return nn_error_set(e, errno, "cannot read a socket's address in %s", nn_ns_label(src));
	from_sockaddr(&ss, out);
	return 0;
}

static int tstamp_on(int fd)
{
	unsigned int flags = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
			     SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_OPT_ID |
			     SOF_TIMESTAMPING_OPT_TSONLY;

	return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags));
}

/* FD, a datagram socket of P's in SRC (WHAT: "an ICMP", "a UDP"), becomes
 * P's, reports errors about what it sends, and sends only to P's address. */
static int connect_probe(struct nn_probe *p, int fd, struct nn_ns *src, const char *what,
			 struct nn_error *e)
{
	int one = 1;

	p->fd = fd;
	if (p->family == AF_INET)
		setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&p->dst_sa, p->dst_len) < 0)
		return nn_error_set(e, errno, "cannot address %s socket in %s", what, nn_ns_label(src));
	return 0;
}

static int open_icmp(struct nn_probe *p, struct nn_ns *src, struct nn_error *e)
{
	int proto = p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int fd = socket_in(src, p->family, SOCK_DGRAM, proto, e);

	if (fd >= 0) {
		p->kind = NN_PROBE_SOCK_ICMP_DGRAM;
		return connect_probe(p, fd, src, "an ICMP", e);
	}
	if (e->code)
		return -e->code;
	/* net.ipv4.ping_group_range (per namespace, "1 0" = nobody by default)
	 * refuses the ping socket: a raw one needs CAP_NET_RAW, which root has. */
	if (fd != -EACCES && fd != -EPERM && fd != -EAFNOSUPPORT && fd != -EPROTONOSUPPORT)
		return nn_error_set(e, -fd, "cannot open an ICMP socket in %s", nn_ns_label(src));
	if ((fd = socket_in(src, p->family, SOCK_RAW, proto, e)) < 0)
		return e->code ? -e->code : nn_error_set(e, -fd, "cannot open a raw ICMP socket in %s",
							 nn_ns_label(src));
	p->kind = NN_PROBE_SOCK_ICMP_RAW;
	p->fd = fd;
	/* Only what can be an answer: echo replies and the errors about echoes. */
	if (p->family == AF_INET) {
		uint32_t block = ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) |
				   (1u << ICMP_TIME_EXCEEDED));

		setsockopt(fd, SOL_RAW, ICMP_FILTER, &block, sizeof(block));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	return 0;
}

static int open_udp(struct nn_probe *p, struct nn_ns *src, struct nn_ns *dst_ns, struct nn_error *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char a[64];
	int fd;

	if (!dst_ns)
		return nn_error_setx(e, EINVAL, "UDP probes need the namespace of %s: netnsctl answers them there",
				     addr_str(a, sizeof(a), &p->dst));
	if ((fd = socket_in(dst_ns, p->family, SOCK_DGRAM, 0, e)) < 0)
		return e->code ? -e->code : nn_error_set(e, -fd, "cannot open a UDP socket in %s",
							 nn_ns_label(dst_ns));
	p->refl = fd;
	nn_prefix_sockaddr(&p->dst, p->o.udp_port, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return nn_error_set(e, errno, "cannot answer UDP probes on %s port %u in %s",
				    addr_str(a, sizeof(a), &p->dst), p->o.udp_port, nn_ns_label(dst_ns));
	if ((fd = socket_in(src, p->family, SOCK_DGRAM, 0, e)) < 0)
		return e->code ? -e->code : nn_error_set(e, -fd, "cannot open a UDP socket in %s",
							 nn_ns_label(src));
	p->kind = NN_PROBE_SOCK_UDP;
	return connect_probe(p, fd, src, "a UDP", e);
}

int nn_probe_new(struct nn_ns *src, struct nn_ns *dst_ns, const struct nn_prefix *dst,
		 const struct nn_probe_opts *opts, struct nn_probe **out, struct nn_error *e)
{
	struct nn_probe *p;
	int big = 1 << 20, ret;

	*out = NULL;
	if (opts->count == 0 || opts->count > NN_PROBE_MAX_COUNT || opts->size < NN_PROBE_MIN_SIZE ||
	    opts->size > NN_PROBE_MAX_SIZE || opts->interval_ns < NN_PROBE_MIN_INTERVAL_NS)
		return nn_error_setx(e, EINVAL, "probe: count, size or interval out of range");
	if (!(p = calloc(1, sizeof(*p))))
		return nn_error_set(e, ENOMEM, "cannot make a probe");
	p->o = *opts;
	p->fd = p->refl = -1;
	p->family = dst->family;
	p->dst = *dst;
	p->dst.len = dst->family == AF_INET ? 32 : 128;
	p->buf_len = 8 + opts->size + 64;
	p->slots = calloc(opts->count, sizeof(*p->slots));
	p->buf = malloc(p->buf_len);
	if (!p->slots || !p->buf) {
		nn_probe_free(p);
		return nn_error_set(e, ENOMEM, "cannot make a probe");
	}
	if (getrandom(&p->cookie, sizeof(p->cookie), 0) != sizeof(p->cookie) ||
	    getrandom(&p->ident, sizeof(p->ident), 0) != sizeof(p->ident)) {
		nn_probe_free(p);
		return nn_error_set(e, errno ? errno : EIO, "cannot make a probe's cookie");
	}
	nn_prefix_sockaddr(dst, opts->udp_port, &p->dst_sa, &p->dst_len);
	if ((ret = source_for(src, dst, &p->src, e)) < 0 ||
	    (ret = opts->udp_port ? open_udp(p, src, dst_ns, e) : open_icmp(p, src, e)) < 0) {
		nn_probe_free(p);
		return ret;
	}
	/* Answers to a fast probe come in bursts after a stall. */
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	p->tstamp = tstamp_on(p->fd) == 0;
	p->made = mono_ns();
	*out = p;
	return 0;
}

void nn_probe_free(struct nn_probe *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	if (p->refl >= 0)
		close(p->refl);
	free(p->slots);
	free(p->buf);
	free(p->rtts);
	free(p);
}

/* --- sending --- */

static uint16_t inet_csum(const uint8_t *b, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void put_payload(const struct nn_probe *p, uint8_t *pl, uint32_t seq)
{
	uint32_t nseq = htonl(seq);

	memcpy(pl + HDR_COOKIE, &p->cookie, 8);
	memcpy(pl + HDR_SEQ, &nseq, 4);
	memset(pl + HDR_SEQ + 4, 0, 4);
	for (uint32_t i = 16; i < p->o.size; i++)
		pl[i] = (uint8_t)i;
}

static bool our_payload(const struct nn_probe *p, const uint8_t *pl, size_t len, uint32_t *seq)
{
	uint32_t nseq;

	if (len < NN_PROBE_MIN_SIZE || memcmp(pl + HDR_COOKIE, &p->cookie, 8))
		return false;
	memcpy(&nseq, pl + HDR_SEQ, 4);
	*seq = ntohl(nseq);
	return true;
}

static const char *icmp_text(int family, int type, int code)
{
	if (family == AF_INET) {
		if (type == ICMP_TIME_EXCEEDED)
			return "time to live exceeded";
		if (type != ICMP_DEST_UNREACH)
			return "ICMP error";
		switch (code) {
		case ICMP_NET_UNREACH: return "network unreachable";
		case ICMP_HOST_UNREACH: return "host unreachable";
		case ICMP_PROT_UNREACH: return "protocol unreachable";
		case ICMP_PORT_UNREACH: return "port unreachable";
		case ICMP_FRAG_NEEDED: return "fragmentation needed";
		case ICMP_NET_ANO: case ICMP_HOST_ANO: case ICMP_PKT_FILTERED:
			return "administratively prohibited";
		default: return "destination unreachable";
		}
	}
	if (type == ICMP6_TIME_EXCEEDED)
		return "hop limit exceeded";
	if (type != ICMP6_DST_UNREACH)
		return "ICMPv6 error";
	switch (code) {
	case ICMP6_DST_UNREACH_NOROUTE: return "no route to destination";
	case ICMP6_DST_UNREACH_ADMIN: return "administratively prohibited";
	case ICMP6_DST_UNREACH_ADDR: return "address unreachable";
	case ICMP6_DST_UNREACH_NOPORT: return "port unreachable";
	default: return "destination unreachable";
	}
}

/* An error about one of our probes: a probe that never had an answer stops
 * at its first one (the destination is unreachable: no need to wait). */
static void failed(struct nn_probe *p, int err, const char *text, const struct nn_prefix *from)
{
	char a[64];

	p->errors++;
	p->error = err;
	if (from)
		snprintf(p->error_text, sizeof(p->error_text), "%s (from %s)", text,
			 addr_str(a, sizeof(a), from));
	else
		snprintf(p->error_text, sizeof(p->error_text), "%s", text);
	if (!p->any) {
		p->unreachable = true;
		p->done = true;
	}
}

static void send_one(struct nn_probe *p)
{
	uint32_t seq = p->next;
	uint8_t *pl = p->buf;
	size_t len = p->o.size;
	struct slot *s = &p->slots[seq];
	ssize_t n;

	if (p->kind != NN_PROBE_SOCK_UDP) {
		/* type, code, checksum, identifier, sequence: the same layout for
		 * ICMP and ICMPv6; the kernel fills in the identifier of a ping
		 * socket and the checksum of anything but a raw IPv4 socket. */
		uint16_t id = htons(p->ident), sq = htons((uint16_t)seq);

		p->buf[0] = p->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
		p->buf[1] = 0;
		memset(p->buf + 2, 0, 2);
		memcpy(p->buf + 4, &id, 2);
		memcpy(p->buf + 6, &sq, 2);
		pl = p->buf + 8;
		len += 8;
	}
	put_payload(p, pl, seq);
	if (p->kind == NN_PROBE_SOCK_ICMP_RAW && p->family == AF_INET) {
		uint16_t c = inet_csum(p->buf, len);

		memcpy(p->buf + 2, &c, 2);
	}
	s->tx_user = real_ns();
	if (p->kind == NN_PROBE_SOCK_ICMP_RAW)
		n = sendto(p->fd, p->buf, len, MSG_DONTWAIT, (struct sockaddr *)&p->dst_sa, p->dst_len);
	else
		n = send(p->fd, p->buf, len, MSG_DONTWAIT);
	p->next++;
	p->last_send = mono_ns();
	if (n >= 0)
		return;
	/* A send that failed may or may not have used up a timestamp key. */
	p->tx_desync = true;
	switch (errno) {
	case EAGAIN:
	case ENOBUFS:
	case EINTR:
		/* lost on the way out; counted as sent, never answered */
		p->errors++;
		break;
	case ENETUNREACH:
		failed(p, ENETUNREACH, "no route", NULL);
		p->unreachable = p->done = true;
		break;
	case EHOSTUNREACH:
		failed(p, EHOSTUNREACH, "host unreachable", NULL);
		break;
	default:
		failed(p, errno, strerror(errno), NULL);
		break;
	}
}

/* --- receiving --- */

static void answered(struct nn_probe *p, uint32_t seq, int64_t rx, bool kernel)
{
	struct slot *s;

	if (seq >= p->next)
		return;
	s = &p->slots[seq];
	if (s->got) {
		p->duplicates++;
		return;
	}
	s->got = true;
	s->rx = rx;
	s->rx_kernel = kernel;
	p->received++;
	if (p->any && seq < p->max_seq)
		p->reordered++;
	else
		p->max_seq = seq;
	p->any = true;
	if (rx - s->tx_user > p->max_rtt)
		p->max_rtt = rx - s->tx_user;
}

/* The echo request quoted in an ICMP error (after the error's 8 bytes). */
static void quoted_error(struct nn_probe *p, const uint8_t *icmp, size_t len, const struct nn_prefix *from)
{
	const uint8_t *q = icmp + 8;
	size_t ql = len - 8, ihl;
	uint16_t id = htons(p->ident);
	int proto;

	if (len < 8)
		return;
	if (p->family == AF_INET) {
		if (ql < 20 || (q[0] >> 4) != 4)
			return;
		ihl = (size_t)(q[0] & 0xf) * 4;
		proto = q[9];
		if (memcmp(q + 16, &p->dst.addr.v4, 4))
			return;
	} else {
		if (ql < 40 || (q[0] >> 4) != 6)
			return;
		ihl = 40;
		proto = q[6];
		if (memcmp(q + 24, &p->dst.addr.v6, 16))
			return;
	}
	if (ql < ihl + 8 || proto != (p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return;
	q += ihl;
	if (q[0] != (p->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST) || memcmp(q + 4, &id, 2))
		return;
	failed(p, p->family == AF_INET && icmp[0] == ICMP_TIME_EXCEEDED ? ETIMEDOUT : EHOSTUNREACH,
	       icmp_text(p->family, icmp[0], icmp[1]), from);
}

static void packet(struct nn_probe *p, const uint8_t *b, size_t len, int64_t rx, bool kernel,
		   const struct sockaddr_storage *from)
{
	struct nn_prefix src;
	uint32_t seq;

	from_sockaddr(from, &src);
	if (p->kind == NN_PROBE_SOCK_UDP) {
		if (our_payload(p, b, len, &seq))
			answered(p, seq, rx, kernel);
		return;
	}
	/* A raw IPv4 socket hands over the IP header too. */
	if (p->kind == NN_PROBE_SOCK_ICMP_RAW && p->family == AF_INET) {
		size_t ihl;

		if (len < 20)
			return;
		ihl = (size_t)(b[0] & 0xf) * 4;
		if (len < ihl + 8)
			return;
		b += ihl;
		len -= ihl;
	}
	if (len < 8)
		return;
	if (b[0] == (p->family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY)) {
		uint16_t id = htons(p->ident);

		/* a ping socket's identifier is the kernel's, and it sorts them */
		if (p->kind == NN_PROBE_SOCK_ICMP_RAW && memcmp(b + 4, &id, 2))
			return;
		if (our_payload(p, b + 8, len - 8, &seq))
			answered(p, seq, rx, kernel);
		return;
	}
	if (p->kind == NN_PROBE_SOCK_ICMP_RAW)
		quoted_error(p, b, len, &src);
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

static void drain(struct nn_probe *p)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct scm_timestamping)) + CMSG_SPACE(256)];
		struct cmsghdr align;
	} ctl;
	uint8_t data[65536 + 64];
	int soft_errors = 0;

	for (;;) {
		struct sockaddr_storage from;
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = ctl.buf,
				    .msg_controllen = sizeof(ctl.buf) };
		int64_t rx = 0;
		ssize_t n;

		memset(&from, 0, sizeof(from));
		n = recvmsg(p->fd, &m, MSG_DONTWAIT);
		if (n < 0) {
			/* A UDP or ping socket with IP_RECVERR reports an ICMP error
			 * once as the socket's error (it is on the error queue too,
			 * and counted from there); anything that keeps failing ends
			 * this round. */
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || ++soft_errors > 16)
				break;
			continue;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
				struct scm_timestamping t;

				memcpy(&t, CMSG_DATA(c), sizeof(t));
				rx = ts_ns(&t.ts[0]);
			}
		if (rx)
			packet(p, data, (size_t)n, rx, true, &from);
		else
			packet(p, data, (size_t)n, real_ns(), false, &from);
	}
}

static void drain_errors(struct nn_probe *p)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct scm_timestamping)) +
			 CMSG_SPACE(sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in6)) + 64];
		struct cmsghdr align;
	} ctl;
	uint8_t data[2048];

	for (;;) {
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
				    .msg_controllen = sizeof(ctl.buf) };
		struct sock_extended_err ee;
		bool have_ee = false;
		struct nn_prefix off = { 0 };
		bool have_off = false;
		int64_t stamp = 0;

		if (recvmsg(p->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
				struct scm_timestamping t;

				memcpy(&t, CMSG_DATA(c), sizeof(t));
				stamp = ts_ns(&t.ts[0]);
			} else if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
				   (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
				const struct sock_extended_err *pe = (const void *)CMSG_DATA(c);
				const struct sockaddr *sa = SO_EE_OFFENDER(pe);
				size_t room = c->cmsg_len - CMSG_LEN(0);

				memcpy(&ee, pe, sizeof(ee));
				have_ee = true;
				if (room >= sizeof(ee) + sizeof(struct sockaddr_in) &&
				    (sa->sa_family == AF_INET ||
				     (sa->sa_family == AF_INET6 &&
				      room >= sizeof(ee) + sizeof(struct sockaddr_in6)))) {
					struct sockaddr_storage ss;

					memset(&ss, 0, sizeof(ss));
					memcpy(&ss, sa, sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
										 : sizeof(struct sockaddr_in6));
					from_sockaddr(&ss, &off);
					have_off = true;
				}
			}
		}
		if (!have_ee)
			continue;
		if (ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING) {
			struct slot *s;

			if (ee.ee_info != SCM_TSTAMP_SCHED || !stamp || ee.ee_data >= p->next)
				continue;
			s = &p->slots[ee.ee_data];
			/* A stamp before its probe was sent belongs to another one. */
			if (stamp < s->tx_user - 1000000)
				p->tx_desync = true;
			else if (!s->tx_kernel)
				s->tx_kernel = stamp;
			continue;
		}
		if (ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6)
			failed(p, (int)ee.ee_errno, icmp_text(p->family, ee.ee_type, ee.ee_code),
			       have_off ? &off : NULL);
		else if (ee.ee_origin == SO_EE_ORIGIN_LOCAL)
			failed(p, (int)ee.ee_errno, strerror((int)ee.ee_errno), NULL);
	}
}

/* netnsctl's UDP echo: only our own probes go back. */
static void reflect(struct nn_probe *p)
{
	uint8_t data[65536];

	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		uint32_t seq;
		ssize_t n = recvfrom(p->refl, data, sizeof(data), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (our_payload(p, data, (size_t)n, &seq))
			sendto(p->refl, data, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
	}
}

/* When the probe stops waiting, all of it sent: a round trip's worth of
 * time is not enough after a stall, so at least MIN_WAIT_NS. */
static uint64_t wait_for(const struct nn_probe *p)
{
	uint64_t w;

	if (!p->any)
		return p->o.wait_ns;
	w = 3 * (uint64_t)(p->max_rtt > 0 ? p->max_rtt : 0);
	if (w < MIN_WAIT_NS)
		w = MIN_WAIT_NS;
	return w < p->o.wait_ns ? w : p->o.wait_ns;
}

static void finish(struct nn_probe *p)
{
	size_t k = 0;

	p->done = true;
	p->end = mono_ns();
	/* What came while this process was not running (a busy machine, a
	 * stall longer than the wait) is in the socket: it did answer. */
	drain(p);
	drain_errors(p);
	free(p->rtts);
	p->rtts = calloc(p->received ? p->received : 1, sizeof(*p->rtts));
	if (!p->rtts)
		return;
	p->kernel_timed = 0;
	for (uint32_t i = 0; i < p->next; i++) {
		const struct slot *s = &p->slots[i];
		bool ktx = s->tx_kernel && !p->tx_desync;
		int64_t rtt;

		if (!s->got)
			continue;
		rtt = s->rx - (ktx ? s->tx_kernel : s->tx_user);
		p->kernel_timed += ktx && s->rx_kernel;
		p->rtts[k++] = rtt > 0 ? (double)rtt / NS_PER_MS : 0;
	}
	p->n_rtts = k;
}

int nn_probe_run(struct nn_probe *const *v, size_t n, struct nn_error *e)
{
	_cleanup_free_ struct pollfd *pfd = calloc(2 * n + 1, sizeof(*pfd));
	_cleanup_free_ struct nn_probe **who = calloc(2 * n + 1, sizeof(*who));
	uint64_t now = mono_ns();

	if (!pfd || !who)
		return nn_error_set(e, ENOMEM, "cannot run probes");
	for (size_t i = 0; i < n; i++)
		if (v[i]->tstamp && v[i]->made + TSTAMP_WARMUP_NS > now) {
			uint64_t d = v[i]->made + TSTAMP_WARMUP_NS - now;
			struct timespec ts = { 0, (long)d };

			nanosleep(&ts, NULL);
			now = mono_ns();
		}
	for (size_t i = 0; i < n; i++) {
		v[i]->t0 = v[i]->due = now;
		v[i]->done = false;
	}
	for (;;) {
		uint64_t wake = UINT64_MAX;
		size_t np = 0;
		bool cancelled = nn_plan_cancelled() != 0;

		now = mono_ns();
		for (size_t i = 0; i < n; i++) {
			struct nn_probe *p = v[i];

			if (p->done)
				continue;
			/* SIGINT (cli_catch_signals): stop, keep what came */
			if (cancelled) {
				finish(p);
				continue;
			}
			if (p->next < p->o.count && now >= p->due) {
				send_one(p);
				/* A late wake-up does not send a burst to catch up. */
				p->due += p->o.interval_ns;
				if (p->due < now)
					p->due = now;
			}
			if (p->done) {
				finish(p);
				continue;
			}
			if (p->next < p->o.count) {
				if (p->due < wake)
					wake = p->due;
			} else if (p->received == p->next || now >= p->last_send + wait_for(p)) {
				finish(p);
				continue;
			} else if (p->last_send + wait_for(p) < wake) {
				wake = p->last_send + wait_for(p);
			}
			pfd[np] = (struct pollfd){ .fd = p->fd, .events = POLLIN };
			who[np++] = p;
			if (p->refl >= 0) {
				pfd[np] = (struct pollfd){ .fd = p->refl, .events = POLLIN };
				who[np++] = p;
			}
		}
		if (np == 0)
			break;
		now = mono_ns();
		{
			uint64_t d = wake > now ? wake - now : 0;
			struct timespec ts = { (time_t)(d / NS_PER_S), (long)(d % NS_PER_S) };

			if (ppoll(pfd, np, &ts, NULL) < 0 && errno != EINTR)
				return nn_error_set(e, errno, "cannot wait for probes");
		}
		for (size_t i = 0; i < np; i++) {
			struct nn_probe *p = who[i];

			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == p->refl) {
				reflect(p);
				continue;
			}
			if (pfd[i].revents & POLLERR)
				drain_errors(p);
			if (pfd[i].revents & POLLIN)
				drain(p);
			if (p->done)
				finish(p);
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void nn_probe_get_stats(const struct nn_probe *p, struct nn_probe_stats *st)
{
	_cleanup_free_ double *sorted = NULL;
	uint32_t lost = p->next - p->received;

	memset(st, 0, sizeof(*st));
	st->sent = p->next;
	st->received = p->received;
	st->duplicates = p->duplicates;
	st->reordered = p->reordered;
	st->errors = p->errors;
	st->socket = p->kind;
	st->size = p->o.size;
	st->src = p->src;
	st->dst = p->dst;
	st->unreachable = p->unreachable;
	st->error = p->error;
	snprintf(st->error_text, sizeof(st->error_text), "%s", p->error_text);
	st->kernel_timed = p->kernel_timed;
	st->seconds = p->end > p->t0 ? (double)(p->end - p->t0) / NS_PER_S : 0;
	st->loss = p->next ? (double)lost / p->next : 0;
	nn_binom_ci(lost, p->next, 0.95, &st->loss_ci95[0], &st->loss_ci95[1]);
	if (!p->n_rtts || !(sorted = malloc(p->n_rtts * sizeof(*sorted))))
		return;
	memcpy(sorted, p->rtts, p->n_rtts * sizeof(*sorted));
	qsort(sorted, p->n_rtts, sizeof(*sorted), cmp_double);
	st->rtt_min_ms = sorted[0];
	st->rtt_max_ms = sorted[p->n_rtts - 1];
	st->rtt_p50_ms = nn_percentile(sorted, p->n_rtts, 50);
	st->rtt_p90_ms = nn_percentile(sorted, p->n_rtts, 90);
	st->rtt_p99_ms = nn_percentile(sorted, p->n_rtts, 99);
	for (size_t i = 0; i < p->n_rtts; i++)
		st->rtt_mean_ms += p->rtts[i] / (double)p->n_rtts;
	st->jitter_ms = nn_mean_abs_diff(p->rtts, p->n_rtts);
}

const double *nn_probe_rtts(const struct nn_probe *p, size_t *n)
{
	*n = p->n_rtts;
	return p->rtts;
}

/* --- which address to probe --- */

struct route_get {
	int type;
	bool has_gw;
};

static int route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_get *r = data;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	r->type = rtm->rtm_type;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
		if (mnl_attr_get_type(a) == RTA_GATEWAY || mnl_attr_get_type(a) == RTA_VIA)
			r->has_gw = true;
	return MNL_CB_OK;
}

int nn_probe_routable(struct nn_ns *src, const struct nn_prefix *addr, bool *direct,
		      struct nn_error *e)
{
	char buf[512] = { 0 }, a[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_get r = { .type = -1 };
	struct rtmsg *rtm;
	int ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)addr->family;
	rtm->rtm_dst_len = addr->family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, addr->family == AF_INET ? 4 : 16, addr->addr.bytes);
	ret = nn_mnl_talk(src, nlh, route_get_cb, &r, e, "cannot look up the route to %s in %s",
			  addr_str(a, sizeof(a), addr), nn_ns_label(src));
	/* What "ip route get" reports as an error is "no way there". */
	if (ret == -ENETUNREACH || ret == -EHOSTUNREACH || ret == -EACCES || ret == -EINVAL) {
		nn_error_clear(e);
		return 0;
	}
	if (ret < 0)
		return ret;
	if (direct)
		*direct = !r.has_gw;
	return r.type == RTN_UNICAST || r.type == RTN_LOCAL;
}

static bool probe_worthy(const struct nn_addr_info *ai)
{
	const uint8_t *b = ai->addr.addr.bytes;

	if (ai->scope >= RT_SCOPE_LINK)
		return false;
	if (ai->addr.family == AF_INET)
		return b[0] != 127;
	return !IN6_IS_ADDR_LOOPBACK(&ai->addr.addr.v6) && !IN6_IS_ADDR_LINKLOCAL(&ai->addr.addr.v6);
}

int nn_probe_pick_addr(struct nn_ns *src, struct nn_ns *dst, struct nn_prefix *out,
		       struct nn_error *e)
{
	_cleanup_free_ struct nn_addr_info *addrs = NULL;
	char list[256] = "", a[64];
	size_t n = 0, o = 0;
	int best = 99, ret;

	if ((ret = nn_addr_list(dst, &addrs, &n, e)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		bool direct = false;
		int rank;

		if (!probe_worthy(&addrs[i]))
			continue;
		if (o < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "",
					      addr_str(a, sizeof(a), &addrs[i].addr));
		if ((ret = nn_probe_routable(src, &addrs[i].addr, &direct, e)) < 0)
			return ret;
		if (!ret)
			continue;
		/* a neighbour before a gateway, IPv4 before IPv6 */
		rank = (direct ? 0 : 2) + (addrs[i].addr.family == AF_INET ? 0 : 1);
		if (rank < best) {
			best = rank;
			*out = addrs[i].addr;
			out->len = out->family == AF_INET ? 32 : 128;
		}
	}
	if (!o)
		return nn_error_setx(e, EADDRNOTAVAIL, "%s has no address to probe", nn_ns_label(dst));
	if (best == 99)
		return nn_error_setx(e, ENETUNREACH, "no route from %s to any address of %s (%s)",
				     nn_ns_label(src), nn_ns_label(dst), list);
	return 0;
}
