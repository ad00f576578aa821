// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TCP bulk transfers between namespaces (probe.h, nn_rate_*).  The sockets
 * are made in their namespaces by the calling thread (setns in and out);
 * then a thread per sender writes as fast as TCP lets it while the calling
 * thread reads every receiver and counts bytes per second of a fixed window
 * that opens with the first byte.  Only what arrived inside it counts: what the sender still had
 * queued when the window closed is thrown away with the connection, so a
 * transfer takes its duration and no longer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>

#include "netnsctl/ctx.h"
#include "netnsctl/lab.h"
#include "netnsctl/probe.h"
#include "util/cleanup.h"

#define NS_PER_S 1000000000ULL
#define SEND_CHUNK (128 * 1024)
/* Small reads: each is put in the second its last byte arrived in. */
#define READ_CHUNK (64 * 1024)
/* Ethernet header bytes per frame: what netem and tbf count besides the IP packet. */
#define ETH_HLEN_BYTES 14

struct nn_rate {
	struct nn_rate_opts o;
	int cfd;		/* the sender, in the source */
	int afd;		/* the receiver, in the destination */
	struct nn_prefix dst;
	char label[160];
	pthread_t th;
	bool started;
	int stop;		/* __atomic */
	int send_err;		/* the sender's errno, 0 */
	uint64_t start, end;	/* the window, CLOCK_MONOTONIC: from the first byte */
	int64_t start_real;	/* its start, CLOCK_REALTIME (the kernel's stamps) */
	uint64_t bytes;
	double *per_sec;
	size_t n_sec;
	bool reading;
	bool flowing;		/* the first byte came: the window is open */
	bool no_data;		/* none came in NN_RATE_CONNECT_TIMEOUT_NS */
	uint32_t mss, mtu;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static int tcp_socket_in(struct nn_ns *ns, int family, struct nn_error *e)
{
	int saved, fd, err;

	if (nn_ns_enter(ns, &saved, e) < 0)
		return -e->code;
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	err = errno;
	nn_ns_leave(saved);
	if (fd < 0)
		return nn_error_set(e, err, "cannot open a TCP socket in %s", nn_ns_label(ns));
	return fd;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port
					      : ((const struct sockaddr_in6 *)ss)->sin6_port);
}

int nn_rate_new(struct nn_ns *src, struct nn_ns *dst, const struct nn_prefix *dst_addr,
		const struct nn_rate_opts *opts, struct nn_rate **out, struct nn_error *e)
{
	struct sockaddr_storage ss, local;
	socklen_t len, llen = sizeof(local);
	_cleanup_close_ int lfd = -1;
	struct nn_rate *r;
	char a[64];
	uint64_t deadline;
	int one = 1, ret;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r))))
		return nn_error_set(e, ENOMEM, "cannot make a transfer");
	r->o = *opts;
	r->cfd = r->afd = -1;
	r->dst = *dst_addr;
	snprintf(r->label, sizeof(r->label), "from %s to %s", nn_ns_label(src),
		 nn_format_prefix(a, sizeof(a), dst_addr, false));
	if (opts->duration_ns < NS_PER_S / 10 || opts->duration_ns > 3600 * NS_PER_S) {
		ret = nn_error_setx(e, EINVAL, "a transfer takes 100ms to 1h");
		goto fail;
	}
	if ((lfd = tcp_socket_in(dst, dst_addr->family, e)) < 0) {
		ret = lfd;
		goto fail;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	nn_prefix_sockaddr(dst_addr, 0, &ss, &len);
	if (bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, 4) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&ss, &len) < 0) {
		ret = nn_error_set(e, errno, "cannot listen on %s in %s", a, nn_ns_label(dst));
		goto fail;
	}
	if ((r->cfd = tcp_socket_in(src, dst_addr->family, e)) < 0) {
		ret = r->cfd;
		goto fail;
	}
	if (connect(r->cfd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		ret = nn_error_set(e, errno, "cannot connect %s", r->label);
		goto fail;
	}
	if (getsockname(r->cfd, (struct sockaddr *)&local, &llen) < 0) {
		ret = nn_error_set(e, errno, "cannot connect %s", r->label);
		goto fail;
	}
	deadline = mono_ns() + NN_RATE_CONNECT_TIMEOUT_NS;
	while (r->afd < 0) {
		struct pollfd p[2] = { { .fd = lfd, .events = POLLIN }, { .fd = r->cfd, .events = POLLOUT } };
		uint64_t now = mono_ns();
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int err = 0, fd;

		if (now >= deadline) {
			ret = nn_error_setx(e, ETIMEDOUT, "cannot connect %s: no answer in %llu s", r->label,
					    (unsigned long long)(NN_RATE_CONNECT_TIMEOUT_NS / NS_PER_S));
			goto fail;
		}
		if (poll(p, 2, (int)((deadline - now) / 1000000 + 1)) < 0 && errno != EINTR) {
			ret = nn_error_set(e, errno, "cannot connect %s", r->label);
			goto fail;
		}
		if (p[1].revents & (POLLERR | POLLHUP)) {
			socklen_t el = sizeof(err);

			getsockopt(r->cfd, SOL_SOCKET, SO_ERROR, &err, &el);
			ret = nn_error_set(e, err ? err : ECONNRESET, "cannot connect %s", r->label);
			goto fail;
		}
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			continue;
		/* Anyone in the lab could connect to the port: only ours counts. */
		if (port_of(&peer) != port_of(&local)) {
			close(fd);
			continue;
		}
		r->afd = fd;
	}
	{
		unsigned int ts = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE;

		setsockopt(r->afd, SOL_SOCKET, SO_TIMESTAMPING, &ts, sizeof(ts));
	}
	len = sizeof(r->mss);
	getsockopt(r->cfd, IPPROTO_TCP, TCP_MAXSEG, &r->mss, &len);
	len = sizeof(r->mtu);
	if (dst_addr->family == AF_INET)
		getsockopt(r->cfd, IPPROTO_IP, IP_MTU, &r->mtu, &len);
	else
		getsockopt(r->cfd, IPPROTO_IPV6, IPV6_MTU, &r->mtu, &len);
	*out = r;
	return 0;
fail:
	nn_rate_free(r);
	return ret;
}

void nn_rate_free(struct nn_rate *r)
{
	if (!r)
		return;
	if (r->cfd >= 0) {
		/* Abort (RST): a plain close would go on sending what the socket
		 * still holds, into the next measurement on the same links. */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(r->cfd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(r->cfd);
	}
	if (r->afd >= 0)
		close(r->afd);
	free(r->per_sec);
	free(r);
}

static void *sender(void *arg)
{
	struct nn_rate *r = arg;
	struct pollfd p = { .fd = r->cfd, .events = POLLOUT };
	char *buf = calloc(1, SEND_CHUNK);

	if (!buf) {
		r->send_err = ENOMEM;
		return NULL;
	}
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		ssize_t n = send(r->cfd, buf, SEND_CHUNK, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n >= 0)
			continue;
		if (errno == EAGAIN || errno == EINTR) {
			/* short polls: the stop flag is seen within 50 ms */
			poll(&p, 1, 50);
			continue;
		}
		if (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
			r->send_err = errno;
		break;
	}
	free(buf);
	return NULL;
}

static void stop(struct nn_rate *r)
{
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	r->reading = false;
}

/*
 * Reads what R's socket holds, without waiting.  A read counts in the window
 * by the kernel's receive stamp of its data where there is one, not by when
 * this process got round to it: a reader that runs late on a busy machine
 * finds the window's last data still queued, and it counts.  Data stamped
 * after the window, or read after it without a stamp, ends R.
 */
static void take(struct nn_rate *r, char *buf)
{
	for (;;) {
		union {
			char b[CMSG_SPACE(sizeof(struct scm_timestamping))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { buf, READ_CHUNK };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
				    .msg_controllen = sizeof(ctl.b) };
		ssize_t got = recvmsg(r->afd, &m, MSG_DONTWAIT);
		uint64_t t = mono_ns(), at;
		size_t sec;

		if (got <= 0) {
			if (got == 0 || (errno != EAGAIN && errno != EINTR))
				stop(r);
			return;
		}
		if (!r->flowing) {
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now);
			r->flowing = true;
			r->start = t;
			r->start_real = (int64_t)now.tv_sec * (int64_t)NS_PER_S + now.tv_nsec;
			r->end = t + r->o.duration_ns;
		}
		at = t - r->start;
		/* A second is the one the data arrived in (the kernel's stamp of
		 * the last segment read), not the one this process read it in. */
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
				struct scm_timestamping ts;
				int64_t k;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				k = (int64_t)ts.ts[0].tv_sec * (int64_t)NS_PER_S + ts.ts[0].tv_nsec;
				/* the first read's stamp opens the window */
				if (r->bytes == 0 && k <= r->start_real)
					r->start_real = k;
				if (k >= r->start_real && (uint64_t)(k - r->start_real) < at)
					at = (uint64_t)(k - r->start_real);
			}
		if (at >= r->o.duration_ns) {
			stop(r);
			return;
		}
		r->bytes += (uint64_t)got;
		sec = (size_t)(at / NS_PER_S);
		if (sec < r->n_sec)
			r->per_sec[sec] += (double)got * 8;
	}
}

int nn_rate_run(struct nn_rate *const *v, size_t n, struct nn_error *e)
{
	_cleanup_free_ struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
	_cleanup_free_ struct nn_rate **who = calloc(n ? n : 1, sizeof(*who));
	_cleanup_free_ char *buf = malloc(READ_CHUNK);
	uint64_t start;
	int ret = 0;

	if (!pfd || !who || !buf)
		return nn_error_set(e, ENOMEM, "cannot run transfers");
	for (size_t i = 0; i < n; i++) {
		struct nn_rate *r = v[i];

		r->n_sec = (size_t)(r->o.duration_ns / NS_PER_S);
		free(r->per_sec);
		if (!(r->per_sec = calloc(r->n_sec + 1, sizeof(*r->per_sec))))
			return nn_error_set(e, ENOMEM, "cannot run transfers");
		r->bytes = 0;
		r->stop = 0;
		r->reading = true;
	}
	start = mono_ns();
	for (size_t i = 0; i < n; i++) {
		struct timespec now;
		int err;

		/* The window opens with the first byte, so that starting threads
		 * (slow under valgrind, on a busy machine) is not measured. */
		clock_gettime(CLOCK_REALTIME, &now);
		v[i]->flowing = false;
		v[i]->start = start;
		v[i]->start_real = (int64_t)now.tv_sec * (int64_t)NS_PER_S + now.tv_nsec;
		v[i]->end = start + NN_RATE_CONNECT_TIMEOUT_NS;
		if ((err = pthread_create(&v[i]->th, NULL, sender, v[i])) != 0) {
			ret = nn_error_set(e, err, "cannot start a sender thread");
			for (size_t j = i; j < n; j++)
				stop(v[j]);
			break;
		}
		v[i]->started = true;
	}
	for (;;) {
		uint64_t now = mono_ns(), wake = UINT64_MAX;
		size_t np = 0;

		for (size_t i = 0; i < n; i++) {
			struct nn_rate *r = v[i];

			if (!r->reading)
				continue;
			if (nn_plan_cancelled()) {
				stop(r);
				continue;
			}
			if (now >= r->end) {
				/* What arrived within the window but was not read yet
				 * (this process ran late: a busy machine) still counts. */
				if (r->flowing)
					take(r, buf);
				r->no_data = !r->flowing;
				stop(r);
				continue;
			}
			if (r->end < wake)
				wake = r->end;
			pfd[np] = (struct pollfd){ .fd = r->afd, .events = POLLIN };
			who[np++] = r;
		}
		if (!np)
			break;
		if (poll(pfd, np, (int)((wake - now) / 1000000 + 1)) < 0 && errno != EINTR) {
			ret = nn_error_set(e, errno, "cannot read transfers");
			for (size_t i = 0; i < n; i++)
				stop(v[i]);
			break;
		}
		for (size_t i = 0; i < np; i++)
			if (pfd[i].revents)
				take(who[i], buf);
	}
	for (size_t i = 0; i < n; i++) {
		struct nn_rate *r = v[i];

		if (!r->started)
			continue;
		pthread_join(r->th, NULL);
		r->started = false;
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (v[i]->send_err)
			ret = nn_error_set(e, v[i]->send_err, "transfer %s", v[i]->label);
		else if (v[i]->no_data)
			ret = nn_error_setx(e, ETIMEDOUT, "transfer %s: no data in %llu s", v[i]->label,
					    (unsigned long long)(NN_RATE_CONNECT_TIMEOUT_NS / NS_PER_S));
	}
	return ret;
}

void nn_rate_get_result(const struct nn_rate *r, struct nn_rate_result *res)
{
	memset(res, 0, sizeof(*res));
	res->bytes = r->bytes;
	res->seconds = (double)r->o.duration_ns / NS_PER_S;
	res->goodput_bps = res->seconds > 0 ? (double)r->bytes * 8 / res->seconds : 0;
	res->per_second_bps = r->per_sec;
	res->n_seconds = r->n_sec;
	res->mss = r->mss;
	res->mtu = r->mtu;
	res->link_bps = r->mss ? res->goodput_bps * (r->mtu + ETH_HLEN_BYTES) / r->mss : 0;
}
