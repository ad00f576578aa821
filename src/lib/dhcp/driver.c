// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/filter.h>

#include "netnsctl/ctx.h"
#include "util/cleanup.h"
#include "dhcp/driver.h"
#include "util/show.h"

uint64_t nn_dhcp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t nn_dhcp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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
	free(p->held);
	p->held = NULL;
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

/* Carry out the N actions ACTS that EV (at RX_US; now NOW_US) made P's
 * client return; it was in BEFORE.  True when one was a DISCOVER or the
 * REQUEST of an acquisition: a request the pacing window counts. */
static bool port_apply(struct nn_dhcp_port *p, enum nn_dhcp_state before,
		       const struct nn_dhcp_event *ev, struct nn_dhcp_action *acts, int n,
		       uint64_t rx_us, uint64_t now_us, const struct nn_dhcp_ops *ops, void *arg)
{
	struct nn_error ce = { 0 };
	bool request = false;

	nn_dhcp_timing_note(&p->timing, before, &p->c, ev, acts, n, rx_us, now_us);
	for (int i = 0; i < n; i++) {
		struct nn_dhcp_action *a = &acts[i];

		switch (a->type) {
		case NN_DHCP_ACT_SEND:
			if (a->send.type == NN_DHCP_DISCOVER ||
			    (a->send.type == NN_DHCP_REQUEST && p->c.state == NN_DHCP_REQUESTING))
				request = true;
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
	return request;
}

static int port_event(struct nn_dhcp_port *p, struct nn_dhcp_client *c,
		      const struct nn_dhcp_event *ev, uint64_t now_ms, struct nn_dhcp_action *acts,
		      struct nn_error *e)
{
	int n = nn_dhcp_client_event(c, ev, now_ms, acts, NN_DHCP_ACTIONS_MAX, e);

	if (n < 0) {
		p->failed = true;
		p->c.deadline_ms = 0;
		snprintf(p->why, sizeof(p->why), "%s", e->msg);
	}
	return n;
}

int nn_dhcp_port_feed(struct nn_dhcp_port *p, const struct nn_dhcp_event *ev, uint64_t now,
		      const struct nn_dhcp_ops *ops, void *arg, struct nn_error *e)
{
	struct nn_dhcp_action acts[NN_DHCP_ACTIONS_MAX];
	enum nn_dhcp_state before = p->c.state;
	uint64_t us = nn_dhcp_now_us();
	int n;

	n = port_event(p, &p->c, ev, now, acts, e);
	if (n < 0)
		return n;
	port_apply(p, before, ev, acts, n, us, us, ops, arg);
	return 0;
}

/* Its next DISCOVER or REQUEST goes through the window. */
static bool gated(const struct nn_dhcp_port *p)
{
	return !p->failed && (p->c.state == NN_DHCP_INIT || p->c.state == NN_DHCP_SELECTING ||
			      p->c.state == NN_DHCP_REQUESTING);
}

/* What P waits for the window to let it do: 0 nothing, 1 reply to its held
 * answer, 2 retransmit or restart (its timer is due), 3 start. */
static int waiting(const struct nn_dhcp_port *p, uint64_t now_ms)
{
	if (p->held)
		return 1;
	if (!gated(p) || p->fd < 0)
		return 0;
	if (p->c.deadline_ms)
		return p->c.deadline_ms <= now_ms ? 2 : 0;
	return p->c.state == NN_DHCP_INIT ? 3 : 0;
}

/* Feed P the event it waited for, now that the window has room. */
static void admit(struct nn_dhcp_port *p, struct nn_dhcp_pace *pace, uint64_t now_us,
		  const struct nn_dhcp_ops *ops, void *arg)
{
	struct nn_dhcp_action acts[NN_DHCP_ACTIONS_MAX];
	struct nn_dhcp_event ev = { .type = NN_DHCP_EV_TIMER };
	enum nn_dhcp_state before = p->c.state;
	struct nn_error e = { 0 };
	uint64_t rx_us = now_us;
	int n;

	if (p->held) {
		ev.type = NN_DHCP_EV_PACKET;
		ev.msg = p->held;
		rx_us = p->held_us;
	} else if (!p->c.deadline_ms) {
		ev.type = NN_DHCP_EV_START;
	}
	n = port_event(p, &p->c, &ev, now_us / 1000, acts, &e);
	if (n >= 0 && port_apply(p, before, &ev, acts, n, rx_us, now_us, ops, arg)) {
		p->ticket = nn_dhcp_pace_start(pace, now_us);
		p->sent_us = now_us;
	}
	free(p->held);
	p->held = NULL;
}

/* A packet for a paced client: an answer frees its place in the window; a
 * reply that the window has no room for waits, with the answer held. */
static void paced_packet(struct nn_dhcp_port *p, const struct nn_dhcp_event *ev,
			 struct nn_dhcp_pace *pace, const struct nn_dhcp_ops *ops, void *arg)
{
	struct nn_dhcp_action acts[NN_DHCP_ACTIONS_MAX];
	struct nn_dhcp_client c = p->c;
	enum nn_dhcp_state before = c.state;
	uint64_t now_us = nn_dhcp_now_us();
	struct nn_error e = { 0 };
	bool request = false;
	int n;

	if (p->held)
		return;		/* one answer at a time: a duplicate */
	n = port_event(p, &c, ev, now_us / 1000, acts, &e);
	if (n < 0)
		return;
	if (!c.ignored && p->ticket && gated(p)) {
		if (ev->msg->type == NN_DHCP_NAK)
			nn_dhcp_pace_nak(pace, p->ticket);
		else
			nn_dhcp_pace_answer(pace, p->ticket, now_us - p->sent_us);
		p->ticket = 0;
	}
	for (int i = 0; i < n; i++)
		request |= acts[i].type == NN_DHCP_ACT_SEND &&
			   (acts[i].send.type == NN_DHCP_DISCOVER ||
			    (acts[i].send.type == NN_DHCP_REQUEST && c.state == NN_DHCP_REQUESTING));
	if (request && nn_dhcp_pace_wait(pace, now_us)) {
		p->held = malloc(sizeof(*p->held));
		if (p->held) {
			*p->held = *ev->msg;
			p->held_us = now_us;
			return;
		}
		/* no memory to hold it: answered now, past the window */
	}
	p->c = c;
	if (port_apply(p, before, ev, acts, n, now_us, now_us, ops, arg) && request) {
		p->ticket = nn_dhcp_pace_start(pace, now_us);
		p->sent_us = now_us;
	}
}

static void drain(struct nn_dhcp_port *p, const struct nn_dhcp_ops *ops, void *arg,
		  struct nn_dhcp_pace *pace)
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
		if (pace && gated(p))
			paced_packet(p, &ev, pace, ops, arg);
		else
			nn_dhcp_port_feed(p, &ev, nn_dhcp_now_ms(), ops, arg, &e);
	}
}

int nn_dhcp_loop(struct nn_dhcp_port **ports, size_t n, uint64_t until_ms, int stop_fd,
		 const struct nn_dhcp_ops *ops, void *arg, struct nn_error *e)
{
	return nn_dhcp_loop_paced(ports, n, until_ms, stop_fd, ops, arg, NULL, e);
}

/* Time out what is due, then let out what the window has room for; the
 * time (ms) when the rate cap lets the next one out, or 0. */
static uint64_t pace_round(struct nn_dhcp_port **ports, size_t n, struct nn_dhcp_pace *pace,
			   const struct nn_dhcp_ops *ops, void *arg)
{
	uint64_t now_us = nn_dhcp_now_us(), now = now_us / 1000, w;
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		struct nn_dhcp_port *p = ports[i];

		if (p->ticket && p->failed) {
			/* its state machine failed: no answer or timeout will come */
			nn_dhcp_pace_abandon(pace, p->ticket);
			p->ticket = 0;
		} else if (p->ticket && !p->held && p->c.deadline_ms && p->c.deadline_ms <= now) {
			nn_dhcp_pace_timeout(pace, p->ticket);
			p->ticket = 0;
		}
	}
	for (int class = 1; class <= 3; class++) {
		for (size_t i = 0; i < n; i++) {
			if (waiting(ports[i], now) != class)
				continue;
			any = true;
			if (nn_dhcp_pace_wait(pace, now_us))
				goto full;
			admit(ports[i], pace, now_us, ops, arg);
		}
	}
	return 0;
full:
	w = nn_dhcp_pace_wait(pace, now_us);
	return any && w != UINT64_MAX ? (w + 999) / 1000 : 0;
}

int nn_dhcp_loop_paced(struct nn_dhcp_port **ports, size_t n, uint64_t until_ms, int stop_fd,
		       const struct nn_dhcp_ops *ops, void *arg, struct nn_dhcp_pace *pace,
		       struct nn_error *e)
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
		uint64_t now, next, rate_at = 0;
		int nev, timeout;

		if (pace)
			rate_at = pace_round(ports, n, pace, ops, arg);
		if (ops && ops->done && ops->done(arg))
			return 0;
		now = nn_dhcp_now_ms();
		if (now >= until_ms)
			return 1;
		next = until_ms;
		if (rate_at && rate_at < next)
			next = rate_at;
		for (size_t i = 0; i < n; i++) {
			uint64_t d = ports[i]->c.deadline_ms;

			/* one waiting for the window waits for an answer or a timeout */
			if (pace && waiting(ports[i], now))
				continue;
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
			drain(evs[i].data.ptr, ops, arg, pace);
		}
		now = nn_dhcp_now_ms();
		for (size_t i = 0; i < n; i++) {
			struct nn_dhcp_event ev = { .type = NN_DHCP_EV_TIMER };
			struct nn_error te = { 0 };
			uint64_t d = ports[i]->c.deadline_ms;

			/* the window's: timed out and let out by pace_round() */
			if (pace && (gated(ports[i]) || ports[i]->held))
				continue;
			if (d && d <= now)
				nn_dhcp_port_feed(ports[i], &ev, now, ops, arg, &te);
		}
	}
}
