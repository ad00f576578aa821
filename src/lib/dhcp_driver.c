// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/filter.h>

#include "netnsctl/ctx.h"
#include "cleanup.h"
#include "dhcp_driver.h"
#include "show.h"

uint64_t nn_dhcp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Keep only BOOTREPLYs whose chaddr is MAC.  A UDP socket's filter sees the
 * datagram from its UDP header on: op at 8, chaddr at 8 + 28.  With the
 * broadcast flag every reply reaches every client on the segment; without
 * this, 500 clients would each queue (and decode) 500 clients' replies.
 */
static int attach_filter(int fd, const uint8_t mac[6])
{
	uint32_t hi = (uint32_t)mac[0] << 24 | mac[1] << 16 | mac[2] << 8 | mac[3];
	uint32_t lo = (uint32_t)mac[4] << 8 | mac[5];
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 8),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NN_BOOTREPLY, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8 + 28),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 8 + 32),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = NN_ARRAY_SIZE(code), .filter = code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

int nn_dhcp_port_open(struct nn_dhcp_port *p, struct nn_error *e)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(NN_DHCP_CLIENT_PORT) };
	_cleanup_close_ int fd = -1;
	int saved, one = 1, err = 0;

	p->fd = -1;
	if (nn_ns_enter(p->ns, &saved, e) < 0)
		return -e->code;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err = errno;
	nn_ns_leave(saved);
	if (fd < 0)
		return nn_error_set(e, err, "cannot open a DHCP socket in %s", nn_ns_label(p->ns));
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, p->ifname, strlen(p->ifname) + 1) < 0 ||
	    attach_filter(fd, p->c.mac) < 0)
		return nn_error_set(e, errno, "cannot set up the DHCP socket on %s in %s", p->ifname,
				    nn_ns_label(p->ns));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return nn_error_set(e, errno, "cannot bind the DHCP client port on %s in %s",
				    p->ifname, nn_ns_label(p->ns));
	p->fd = steal_fd(&fd);
	return 0;
}

void nn_dhcp_port_close(struct nn_dhcp_port *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static void do_send(struct nn_dhcp_port *p, const struct nn_dhcp_send *s)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(NN_DHCP_SERVER_PORT),
		.sin_addr = s->dst,
	};

	/* A lost send is a lost packet: the state machine retransmits. */
	if (sendto(p->fd, s->pkt, s->len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		snprintf(p->why, sizeof(p->why), "cannot send DHCP%s: %s",
			 nn_dhcp_type_name(s->type), strerror(errno));
}

int nn_dhcp_port_feed(struct nn_dhcp_port *p, const struct nn_dhcp_event *ev, uint64_t now,
		      const struct nn_dhcp_ops *ops, void *arg, struct nn_error *e)
{
	struct nn_dhcp_action acts[NN_DHCP_ACTIONS_MAX];
	struct nn_error ce = { 0 };
	int n;

	n = nn_dhcp_client_event(&p->c, ev, now, acts, NN_ARRAY_SIZE(acts), e);
	if (n < 0) {
		p->failed = true;
		p->c.deadline_ms = 0;
		snprintf(p->why, sizeof(p->why), "%s", e->msg);
		return n;
	}
	for (int i = 0; i < n; i++) {
		struct nn_dhcp_action *a = &acts[i];

		switch (a->type) {
		case NN_DHCP_ACT_SEND:
			if (p->fd >= 0)
				do_send(p, &a->send);
			break;
		case NN_DHCP_ACT_TIMER:
			break;	/* p->c.deadline_ms is the timer */
		case NN_DHCP_ACT_BOUND:
			if (ops && ops->bound && ops->bound(p, &a->lease, arg, &ce) < 0) {
				p->failed = true;
				snprintf(p->why, sizeof(p->why), "%s", ce.msg);
				break;
			}
			p->bound = true;
			break;
		case NN_DHCP_ACT_LOST:
			p->bound = false;
			if (ops && ops->lost)
				ops->lost(p, &a->lease, a->lost, arg);
			break;
		}
	}
	return 0;
}

static void drain(struct nn_dhcp_port *p, const struct nn_dhcp_ops *ops, void *arg)
{
	struct nn_shown shown;
	uint8_t buf[1500];
	struct nn_dhcp_msg m;
	struct nn_error e = { 0 };

	for (;;) {
		struct nn_dhcp_event ev = { .type = NN_DHCP_EV_PACKET, .msg = &m };
		ssize_t len = recv(p->fd, buf, sizeof(buf), 0);

		if (len < 0)
			return;
		if (nn_dhcp_decode(buf, len, &m, &e) < 0)
			continue;
		/* The server's text comes from the network: shown escaped. */
		if (m.type == NN_DHCP_NAK && m.xid == p->c.xid)
			snprintf(p->why, sizeof(p->why), "DHCPNAK%s%s", *m.message ? ": " : "",
				 nn_show(&shown, m.message));
		nn_dhcp_port_feed(p, &ev, nn_dhcp_now_ms(), ops, arg, &e);
	}
}

int nn_dhcp_loop(struct nn_dhcp_port **ports, size_t n, uint64_t until_ms, int stop_fd,
		 const struct nn_dhcp_ops *ops, void *arg, struct nn_error *e)
{
	_cleanup_close_ int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event evs[64];

	if (ep < 0)
		return nn_error_set(e, errno, "cannot create an epoll instance");
	for (size_t i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ports[i] };

		if (ports[i]->fd >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, ports[i]->fd, &ev) < 0)
			return nn_error_set(e, errno, "cannot watch a DHCP socket");
	}
	if (stop_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &ev) < 0)
			return nn_error_set(e, errno, "cannot watch the stop signal");
	}
	for (;;) {
		uint64_t now, next;
		int nev, timeout;

		if (ops && ops->done && ops->done(arg))
			return 0;
		now = nn_dhcp_now_ms();
		if (now >= until_ms)
			return 1;
		next = until_ms;
		for (size_t i = 0; i < n; i++) {
			uint64_t d = ports[i]->c.deadline_ms;

			if (d && d < next)
				next = d;
		}
		timeout = next <= now ? 0 : next - now > INT_MAX ? INT_MAX : (int)(next - now);
		nev = epoll_wait(ep, evs, NN_ARRAY_SIZE(evs), timeout);
		if (nev < 0 && errno != EINTR)
			return nn_error_set(e, errno, "cannot wait for DHCP replies");
		for (int i = 0; i < nev; i++) {
			if (!evs[i].data.ptr)
				return 2;
			drain(evs[i].data.ptr, ops, arg);
		}
		now = nn_dhcp_now_ms();
		for (size_t i = 0; i < n; i++) {
			struct nn_dhcp_event ev = { .type = NN_DHCP_EV_TIMER };
			struct nn_error te = { 0 };
			uint64_t d = ports[i]->c.deadline_ms;

			if (d && d <= now)
				nn_dhcp_port_feed(ports[i], &ev, now, ops, arg, &te);
		}
	}
}
