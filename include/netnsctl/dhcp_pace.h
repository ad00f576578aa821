/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_DHCP_PACE_H
#define NETNSCTL_DHCP_PACE_H

/*
 * Pacing many DHCP clients against one server, without I/O (the caller
 * passes the time): a small router's server drops what overruns its socket
 * queue, and every dropped packet costs its client a whole retransmission
 * timeout.  So the clients' requests are let out through
 *
 *  - a window of exchanges in flight (a request sent, its answer not yet
 *    seen), grown while answers come back and halved when one times out,
 *    as TCP's AIMD does: slow start (one more per answer) up to a threshold,
 *    then one more per window of answers; one halving per loss event (the
 *    timeouts of exchanges started before the halving do not halve again).
 *    It grows only on prompt answers (under NN_DHCP_PACE_SLOW_US): a slow
 *    server's answers slow down as its queue fills, well before it drops,
 *    and a timeout is seen only a second after the loss, when a window
 *    still growing would long have overshot.  A NAK halves it too (see
 *    nn_dhcp_pace_nak());
 *  - an optional rate cap: at most MAX_RATE exchanges started in any second
 *    (a token bucket of depth one: starts at least 1/MAX_RATE s apart);
 *
 * and each client retransmits after about 1 s, doubling up to 64 s, each
 * delay randomised by +-25 % (the client's fast_retransmit; RFC 2131 4.1
 * asks for exponential backoff randomised by +-1 s on its 4 s: a LAN
 * answers in milliseconds, and the window, not the timer, is what keeps a
 * slow server from being flooded).  Clients without a window (the lease
 * keeper's) keep the RFC's 4 s.
 *
 * An exchange is one request and its answer: DISCOVER -> OFFER, REQUEST ->
 * ACK or NAK.  A retransmission is a new exchange in the window's eyes (it
 * is a packet the server must handle).
 *
 * Times: microseconds of any monotonic clock.
 */

#include <stdbool.h>
#include <stdint.h>

#include "netnsctl/dhcp.h"

#define NN_DHCP_PACE_WINDOW_INIT 8	/* exchanges in flight at first */
#define NN_DHCP_PACE_SSTHRESH_INIT 16	/* slow start ends here (or at a timeout) */
#define NN_DHCP_PACE_SLOW_US 250000	/* an answer this late does not grow the window:
					 * a quarter of the first retransmission timeout */
#define NN_DHCP_PACE_WINDOW_MAX 1024
#define NN_DHCP_PACE_RATE_MAX 100000	/* --max-rate's largest value */

struct nn_dhcp_pace {
	unsigned max_rate;	/* exchanges started a second; 0: no cap */
	uint64_t next;		/* the rate cap's earliest next start, in
				 * 1/max_rate us from ORIGIN: exact for any
				 * rate; 0 before the first start */
	uint64_t origin;	/* the first start's time: from the boot,
				 * us * max_rate would pass 2^64 after a few
				 * years of uptime */
	uint32_t cwnd;		/* the window, in 1/1024 exchanges */
	uint32_t ssthresh;	/* in 1/1024 exchanges */
	unsigned inflight;
	uint64_t seq;		/* tickets handed out: exchanges started */
	uint64_t recover;	/* a timeout of a ticket <= this is the same loss event */
	/* counters, for reports and tests */
	uint64_t answered, slow, timeouts, naks, shrinks;
	unsigned window_peak;
};

/* MAX_RATE: 0 for no cap, else 1 .. NN_DHCP_PACE_RATE_MAX (larger is capped). */
void nn_dhcp_pace_init(struct nn_dhcp_pace *p, unsigned max_rate);

/* The window in whole exchanges (at least 1). */
unsigned nn_dhcp_pace_window(const struct nn_dhcp_pace *p);

/*
 * 0 when an exchange may start at NOW_US; else when the rate cap next
 * allows one, or UINT64_MAX while the window is full (until an answer or a
 * timeout frees a place).
 */
uint64_t nn_dhcp_pace_wait(const struct nn_dhcp_pace *p, uint64_t now_us);

/* An exchange starts (its request is sent) at NOW_US: its ticket (> 0). */
uint64_t nn_dhcp_pace_start(struct nn_dhcp_pace *p, uint64_t now_us);

/* The exchange of TICKET got its answer RTT_US after it started: the window
 * grows, unless the answer was slow. */
void nn_dhcp_pace_answer(struct nn_dhcp_pace *p, uint64_t ticket, uint64_t rtt_us);

/* The exchange of TICKET timed out: the window halves (once per loss event). */
void nn_dhcp_pace_timeout(struct nn_dhcp_pace *p, uint64_t ticket);

/*
 * The exchange of TICKET was answered with a NAK.  A server that does not
 * probe addresses before offering them (dnsmasq --no-ping) offers one free
 * address to several clients that ask at once and NAKs all but the first
 * REQUEST: too many in flight, so the window halves as on a timeout.
 */
void nn_dhcp_pace_nak(struct nn_dhcp_pace *p, uint64_t ticket);

/* The exchange of TICKET ended otherwise (its client failed or stopped). */
void nn_dhcp_pace_abandon(struct nn_dhcp_pace *p, uint64_t ticket);

/*
 * The delay before retransmitting after the TRIES-th send (1, 2, ...) of a
 * DISCOVER or REQUEST: 1 s, 2 s, 4 s ... 64 s, each times a factor from
 * 0.75 to 1.25 picked by RANDOM (any 64 random bits).
 */
uint64_t nn_dhcp_backoff_ms(unsigned tries, uint64_t random);

/* ------------------------------------------------------------ latency */

/*
 * What one client's exchanges took, noted from the events fed to its state
 * machine and the actions it returned (nn_dhcp_timing_note()).
 *
 * Acquisition (from INIT to BOUND): DISCOVER -> OFFER counts from the first
 * send of the DISCOVER whose transaction was answered to that OFFER;
 * REQUEST -> ACK from the first send of the REQUEST to its ACK; the total
 * from the first DISCOVER of the acquisition (before NAKs and restarts) to
 * the ACK.  Retransmissions: DISCOVERs and REQUESTs sent because an
 * exchange timed out.  Renewal: from the first send of the RENEWING or
 * REBINDING REQUEST that was answered to its ACK.
 */
struct nn_dhcp_timing {
	/* acquisition under way */
	uint64_t start_us;		/* first DISCOVER; 0: none under way */
	uint64_t discover_us;		/* first send of the current DISCOVER */
	uint64_t offer_us;		/* the OFFER taken */
	uint64_t request_us;		/* first send of the current REQUEST */
	unsigned retransmits;		/* of this acquisition */
	unsigned naks;			/* of this acquisition */

	/* the last acquisition that ended with a lease */
	bool leased;
	uint64_t acquired_us;		/* when its ACK came */
	uint64_t discover_offer_us, request_ack_us, total_us;
	unsigned lease_retransmits, lease_naks;

	/* renewals (and rebinds) */
	uint64_t renew_request_us;	/* first send of the current renewal REQUEST */
	unsigned renew_sends;		/* REQUESTs of the current renewal */
	unsigned renewals;		/* answered with an ACK */
	uint64_t renewed_us;		/* when the last one was */
	uint64_t renew_latency_us;
	unsigned renew_retransmits;	/* REQUESTs of the last one, less one */
};

/*
 * Note what event EV (with MSG for a packet) did to client C, which was in
 * state BEFORE: ACTS are the N actions nn_dhcp_client_event() returned.
 * RX_US is when the packet arrived (for a timer or start: NOW_US), NOW_US
 * when the actions are carried out (the sends).
 */
void nn_dhcp_timing_note(struct nn_dhcp_timing *t, enum nn_dhcp_state before,
			 const struct nn_dhcp_client *c, const struct nn_dhcp_event *ev,
			 const struct nn_dhcp_action *acts, int n, uint64_t rx_us,
			 uint64_t now_us);

#endif
