/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_DHCP_H
#define NETNSCTL_DHCP_H

/*
 * DHCPv4 (RFC 2131, options RFC 2132) without I/O: a packet codec and a
 * client state machine.  The driver owns sockets, clocks and the event loop;
 * it feeds each client events and the monotonic time, and carries out the
 * actions it gets back, in order.  Nothing here allocates, blocks or keeps
 * global state, so one loop can run hundreds of clients.
 *
 * Addresses are struct in_addr, in network byte order as on the wire.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/error.h"

#define NN_DHCP_SERVER_PORT 67
#define NN_DHCP_CLIENT_PORT 68

/* Message types, option 53. */
enum {
	NN_DHCP_DISCOVER = 1,
	NN_DHCP_OFFER = 2,
	NN_DHCP_REQUEST = 3,
	NN_DHCP_DECLINE = 4,
	NN_DHCP_ACK = 5,
	NN_DHCP_NAK = 6,
	NN_DHCP_RELEASE = 7,
	NN_DHCP_INFORM = 8,
};

#define NN_BOOTREQUEST 1
#define NN_BOOTREPLY 2

/*
 * Largest message nn_dhcp_encode() writes: the UDP payload of a 576-byte IP
 * datagram, which every server must accept (RFC 2131 2.).  Messages are
 * padded to 300 bytes, the BOOTP minimum some relays insist on (RFC 1542).
 */
#define NN_DHCP_MSG_MAX 548
#define NN_DHCP_MSG_MIN 300

/* The fixed BOOTP header and the magic cookie: the shortest valid message. */
#define NN_DHCP_HDR_LEN 240

/* DNS servers kept from option 6, as many as resolv.conf uses (MAXNS). */
#define NN_DHCP_DNS_MAX 3

/* Lease time meaning "forever" (RFC 2132 9.2). */
#define NN_DHCP_INFINITE UINT32_MAX

/* Floors under a server's times: a shorter lease is taken as this long
 * (dhcpcd's minimum too), and no DHCPREQUEST renewing a lease goes out
 * sooner than NN_DHCP_RENEW_MIN_S after it was got. */
#define NN_DHCP_LEASE_MIN_S 20
#define NN_DHCP_RENEW_MIN_S 2

const char *nn_dhcp_type_name(unsigned type);

/* ------------------------------------------------------------ encoder */

enum nn_dhcp_build_kind {
	NN_DHCP_BUILD_DISCOVER,
	NN_DHCP_BUILD_REQUEST_SELECTING,	/* 50 and 54, ciaddr 0 */
	NN_DHCP_BUILD_REQUEST_RENEWING,		/* ciaddr, no 50/54; unicast */
	NN_DHCP_BUILD_REQUEST_REBINDING,	/* ciaddr, no 50/54; broadcast */
	NN_DHCP_BUILD_RELEASE,			/* ciaddr and 54 */
	NN_DHCP_BUILD_DECLINE,			/* 50 and 54, ciaddr 0 */
};

/*
 * What a client message carries.  The encoder writes the fields RFC 2131
 * table 5 asks for with KIND and fails with -EINVAL when a required one is
 * zero; fields the kind must not carry are ignored.  Every message carries
 * option 61 (type 1, CHADDR); DISCOVER and REQUEST also carry the parameter
 * request list (1, 3, 6, 15, 51, 58, 59) and HOSTNAME when set.
 */
struct nn_dhcp_build {
	enum nn_dhcp_build_kind kind;
	uint32_t xid;
	uint16_t secs;
	bool broadcast;			/* BOOTP broadcast flag, written as given: RFC
					 * 2131 4.1 wants it only while unconfigured */
	uint8_t chaddr[6];		/* Ethernet address */
	struct in_addr ciaddr;		/* RENEWING, REBINDING, RELEASE */
	struct in_addr requested;	/* option 50: SELECTING, DECLINE; DISCOVER may */
	struct in_addr server_id;	/* option 54: SELECTING, RELEASE, DECLINE */
	const char *hostname;		/* option 12, NULL for none; 1..255 bytes */
};

/* Write the message into BUF; returns its length (NN_DHCP_MSG_MIN ..
 * NN_DHCP_MSG_MAX), -EINVAL for a bad request, -ENOSPC if LEN is short. */
int nn_dhcp_encode(const struct nn_dhcp_build *b, void *buf, size_t len,
		   struct nn_error *e);

/* ------------------------------------------------------------ decoder */

/*
 * A received message.  has_* says whether an option was present.  Text
 * options are NUL-terminated, "" when absent.
 */
struct nn_dhcp_msg {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	struct in_addr ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];		/* the first HLEN bytes are the address */
	uint8_t overload;		/* option 52: 1 file, 2 sname, 3 both */

	uint8_t type;			/* option 53, always present */
	bool has_server_id, has_lease, has_t1, has_t2, has_subnet_mask;
	bool has_router, has_requested;
	struct in_addr server_id;	/* 54 */
	uint32_t lease_s, t1_s, t2_s;	/* 51, 58, 59, seconds */
	struct in_addr subnet_mask;	/* 1, contiguous */
	struct in_addr router;		/* 3, the first one */
	struct in_addr requested;	/* 50 */
	unsigned n_dns;			/* 6, the first NN_DHCP_DNS_MAX */
	struct in_addr dns[NN_DHCP_DNS_MAX];
	char domain[256];		/* 15: letters, digits, '-', '_', '.' */
	char hostname[256];		/* 12 */
	char message[256];		/* 56, e.g. why a NAK; show with nn_show() */
	uint8_t client_id_len;		/* 61 */
	uint8_t client_id[255];
	uint8_t prl_len;		/* 55 */
	uint8_t prl[255];
};

/*
 * Parse a UDP payload.  Every length is checked before it is read; the
 * message is rejected with -EBADMSG and a one-line reason when it is shorter
 * than the header, has no magic cookie or no option 53, an option runs past
 * its field, an option this decoder interprets has the wrong length or an
 * invalid value or appears twice, or option 52 is malformed.
 *
 * Decisions where the RFCs leave room:
 *  - A missing END option is accepted when the last option ends exactly at
 *    the end of its field: the UDP length bounds the datagram, so nothing is
 *    lost, and deployed servers do omit it.
 *  - Option overload (52) is supported: the file field, then the sname field
 *    are parsed as further options (RFC 3396 order), each bounded by its own
 *    field; 52 itself must sit in the options field.
 *  - Repeating an option we interpret is an error: RFC 3396 concatenation
 *    only matters for values over 255 bytes, which none of ours reach, and
 *    picking one copy would let a forged packet disagree with itself.
 *    Unknown options may repeat and are skipped.
 *  - Text options drop trailing NULs (RFC 2132 2.); an embedded NUL is an
 *    error.
 */
int nn_dhcp_decode(const void *buf, size_t len, struct nn_dhcp_msg *m,
		   struct nn_error *e);

/* ------------------------------------------------------------ client */

enum nn_dhcp_state {
	NN_DHCP_INIT = 0,
	NN_DHCP_SELECTING,
	NN_DHCP_REQUESTING,
	NN_DHCP_BOUND,
	NN_DHCP_RENEWING,
	NN_DHCP_REBINDING,
	NN_DHCP_RELEASED,
};

const char *nn_dhcp_state_name(enum nn_dhcp_state s);

/* DHCPREQUESTs sent in REQUESTING before starting over with a DISCOVER. */
#define NN_DHCP_REQUEST_TRIES 4

struct nn_dhcp_lease {
	struct in_addr address, netmask, server_id;
	unsigned prefixlen;
	struct in_addr router;		/* 0.0.0.0 when none */
	unsigned n_dns;
	struct in_addr dns[NN_DHCP_DNS_MAX];
	char domain[256];
	/* After the floors and the RFC 2131 4.4.5 defaults (T1 = 0.5, T2 =
	 * 0.875 of the lease when the server's are missing, 0, or not T1 < T2 <
	 * lease); T1 and T2 rounded down to seconds, t1_ms and t2_ms exact. */
	uint32_t lease_s, t1_s, t2_s;
	/* Monotonic ms, counted from the first send of the REQUEST that got the
	 * lease (RFC 2131 4.4.1); UINT64_MAX for an infinite lease. */
	uint64_t t1_ms, t2_ms, expiry_ms;
};

struct nn_dhcp_client_config {
	uint8_t mac[6];
	uint64_t seed;		/* xids and retransmission jitter: pass getrandom() bytes */
	const char *hostname;	/* option 12, NULL for none */
	/* The driver can receive unicast before the address is configured (a
	 * packet socket): leave the broadcast flag clear. */
	bool unicast_ok;
	/* Retransmit a DISCOVER or REQUEST after about 1 s, 2 s ... 64 s (+-25 %,
	 * nn_dhcp_backoff_ms()) instead of RFC 2131's 4 s, 8 s ... (+-1 s): for
	 * a client whose requests go out through a pacing window (dhcp_pace.h),
	 * which is what keeps the server from being flooded. */
	bool fast_retransmit;
};

struct nn_dhcp_client {
	enum nn_dhcp_state state;
	uint8_t mac[6];
	bool unicast_ok;
	bool fast_retransmit;
	char hostname[256];
	uint64_t rng;
	uint32_t xid;
	unsigned tries;		/* sends of the current message */
	unsigned naks;		/* NAKs since the last lease, to slow restarts */
	uint64_t started_ms;	/* start of this acquisition or renewal: secs */
	uint64_t sent_ms;	/* first send of the current REQUEST */
	uint64_t deadline_ms;	/* the one timer; 0 = none */
	struct in_addr offered, server_id;
	struct nn_dhcp_lease lease;	/* BOUND, RENEWING, REBINDING */
	const char *ignored;	/* why this event's packet was dropped, else NULL */
};

enum nn_dhcp_event_type {
	NN_DHCP_EV_START,	/* from INIT or RELEASED: DISCOVER */
	NN_DHCP_EV_PACKET,	/* msg: a decoded message from port 67 */
	NN_DHCP_EV_TIMER,	/* the deadline passed; early calls are ignored */
	NN_DHCP_EV_RELEASE,	/* give the lease back and stop */
	NN_DHCP_EV_DECLINE,	/* the driver found the address in use */
};

struct nn_dhcp_event {
	enum nn_dhcp_event_type type;
	const struct nn_dhcp_msg *msg;
};

enum nn_dhcp_action_type {
	NN_DHCP_ACT_SEND,	/* send.pkt from send.src:68 to send.dst:67 */
	NN_DHCP_ACT_TIMER,	/* (re)arm the one timer at timer_ms; 0 disarms */
	NN_DHCP_ACT_BOUND,	/* configure lease (new, or renewed with new times) */
	NN_DHCP_ACT_LOST,	/* remove lease.address now; why in lost */
};

enum nn_dhcp_lost_reason {
	NN_DHCP_LOST_EXPIRED,
	NN_DHCP_LOST_NAK,
	NN_DHCP_LOST_RELEASED,
	NN_DHCP_LOST_DECLINED,
};

struct nn_dhcp_send {
	uint8_t type;		/* message type, for logs */
	struct in_addr src;	/* 0.0.0.0 while unconfigured */
	struct in_addr dst;	/* 255.255.255.255 or the server */
	size_t len;
	uint8_t pkt[NN_DHCP_MSG_MAX];
};

struct nn_dhcp_action {
	enum nn_dhcp_action_type type;
	enum nn_dhcp_lost_reason lost;
	union {
		struct nn_dhcp_send send;
		uint64_t timer_ms;
		struct nn_dhcp_lease lease;
	};
};

/* Room the actions array needs: nn_dhcp_client_event() never returns more. */
#define NN_DHCP_ACTIONS_MAX 4

/* A client in INIT; -EINVAL for a bad hostname. */
int nn_dhcp_client_init(struct nn_dhcp_client *c,
			const struct nn_dhcp_client_config *cfg, struct nn_error *e);

/*
 * Feed one event at monotonic time NOW_MS (> 0).  Fills OUT with up to
 * NN_DHCP_ACTIONS_MAX actions and returns how many; -EINVAL for misuse (too
 * little room, START while running, PACKET without msg).  Packets that do
 * not belong (wrong xid or chaddr, unexpected type or state, invalid lease)
 * are dropped with 0 actions and c->ignored says why.
 */
int nn_dhcp_client_event(struct nn_dhcp_client *c, const struct nn_dhcp_event *ev,
			 uint64_t now_ms, struct nn_dhcp_action *out,
			 size_t max_actions, struct nn_error *e);

/*
 * A client BOUND to LEASE (kept by another process before this one): its
 * timer is armed at T1 (or now, when T1 has passed), so the next TIMER event
 * at or after c->deadline_ms renews, rebinds or starts over as the lease's
 * times say.  -EINVAL for a bad hostname or a lease without an address.
 */
int nn_dhcp_client_resume(struct nn_dhcp_client *c, const struct nn_dhcp_client_config *cfg,
			  const struct nn_dhcp_lease *lease, uint64_t now_ms, struct nn_error *e);

#endif
