/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_DHCP_DRIVER_H
#define NETNSCTL_DHCP_DRIVER_H

/*
 * The I/O half of the DHCP client: one UDP socket per client, opened inside
 * the client's namespace and bound to its interface, and one epoll loop that
 * feeds every client's state machine (dhcp.h) and carries out its actions.
 * Replies are asked for by broadcast (the socket has no address to receive
 * unicast on before the lease is configured); a BPF filter on each socket
 * drops the other clients' broadcasts before they are queued.
 */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/dhcp.h"
#include "netnsctl/dhcp_pace.h"
#include "netnsctl/error.h"

struct nn_ns;

struct nn_dhcp_port {
	/* set by the caller */
	struct nn_ns *ns;
	int ifindex;
	char ifname[IFNAMSIZ];
	struct nn_dhcp_client c;
	void *data;

	/* the driver's */
	int fd;
	bool bound;		/* has a lease configured */
	bool failed;		/* the bound callback failed: why says */
	char why[NN_ERROR_MAX];	/* the last problem: a send error, a NAK, ... */
	struct nn_dhcp_timing timing;	/* what its exchanges took */

	/* pacing (nn_dhcp_loop_paced) */
	uint64_t ticket;		/* its exchange in the window; 0: none */
	uint64_t sent_us;		/* when that exchange's request went out */
	struct nn_dhcp_msg *held;	/* an answer whose reply waits for room */
	uint64_t held_us;		/* when it came */
};

struct nn_dhcp_ops {
	/* Configure LEASE (new or renewed); < 0 fails the port with E's text. */
	int (*bound)(struct nn_dhcp_port *p, const struct nn_dhcp_lease *lease, void *arg,
		     struct nn_error *e);
	/* Unconfigure LEASE (may be NULL). */
	void (*lost)(struct nn_dhcp_port *p, const struct nn_dhcp_lease *lease,
		     enum nn_dhcp_lost_reason why, void *arg);
	/* After each round of events: true ends the loop (may be NULL). */
	bool (*done)(void *arg);
};

/* Monotonic milliseconds, counting suspend (CLOCK_BOOTTIME): lease times
 * stored in files stay valid across processes of one boot. */
uint64_t nn_dhcp_now_ms(void);
/* The same clock in microseconds: for latencies. */
uint64_t nn_dhcp_now_us(void);

/* P->fd: a socket on port 68 of P->ifname inside P->ns. */
int nn_dhcp_port_open(struct nn_dhcp_port *p, struct nn_error *e);
void nn_dhcp_port_close(struct nn_dhcp_port *p);

/* Feed EV to P's client and carry out its actions. */
int nn_dhcp_port_feed(struct nn_dhcp_port *p, const struct nn_dhcp_event *ev, uint64_t now,
		      const struct nn_dhcp_ops *ops, void *arg, struct nn_error *e);

/*
 * Run PORTS until ops->done says so (returns 0), UNTIL_MS passes (returns 1)
 * or STOP_FD (-1: none) becomes readable (returns 2).
 */
int nn_dhcp_loop(struct nn_dhcp_port **ports, size_t n, uint64_t until_ms, int stop_fd,
		 const struct nn_dhcp_ops *ops, void *arg, struct nn_error *e);

/*
 * The same, every DISCOVER and REQUEST of an acquisition let out through
 * PACE (dhcp_pace.h; NULL: none, as nn_dhcp_loop): a client in INIT that
 * was never started is started when the window has room; a retransmission
 * or a restart waits for room; an OFFER or NAK whose reply would overfill
 * the window is held and handled when there is room.  Those with answers
 * go first, then retransmissions, then new clients, each by their order
 * in PORTS.
 */
int nn_dhcp_loop_paced(struct nn_dhcp_port **ports, size_t n, uint64_t until_ms, int stop_fd,
		       const struct nn_dhcp_ops *ops, void *arg, struct nn_dhcp_pace *pace,
		       struct nn_error *e);

#endif
