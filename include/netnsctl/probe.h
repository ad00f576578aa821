/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_PROBE_H
#define NETNSCTL_PROBE_H

/*
 * Probes between namespaces, made by netnsctl itself (no ping or iperf3 in
 * the namespaces): ICMP echo or UDP datagrams from a socket opened inside the
 * source namespace, timed by the kernel (SO_TIMESTAMPING: the send time as
 * the packet enters the qdisc layer, the receive time as it arrives), and a
 * TCP bulk transfer between a sender opened in the source and a receiver
 * opened in the destination, both driven by this process.  A socket stays in
 * the namespace it was made in, so after setup everything runs from one poll
 * loop (probes) or one thread per sender (transfers) without setns().
 *
 * Several probes or transfers run at once: nn_probe_run() and nn_rate_run()
 * take arrays.  A signal handed to nn_plan_cancel() (lab.h; the CLI's
 * cli_catch_signals) ends them early: probes keep what they have.  Nothing here changes the namespaces (no sysctl is written):
 * ICMP uses a datagram ("ping") socket when the namespace's
 * net.ipv4.ping_group_range lets netnsctl's group have one, and a raw socket
 * otherwise (netnsctl runs as root).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/addr.h"
#include "netnsctl/error.h"

struct nn_ns;

#define NN_PROBE_DEFAULT_COUNT 200
#define NN_PROBE_DEFAULT_INTERVAL_NS 10000000ULL	/* 10 ms */
#define NN_PROBE_DEFAULT_SIZE 56			/* payload bytes, as ping's */
#define NN_PROBE_DEFAULT_WAIT_NS 2000000000ULL	/* for replies when none came */
#define NN_PROBE_MIN_SIZE 16				/* room for netnsctl's own header */
#define NN_PROBE_MAX_SIZE 65000
#define NN_PROBE_MAX_COUNT 1000000
#define NN_PROBE_MIN_INTERVAL_NS 100000ULL		/* 100 us */

struct nn_probe_opts {
	uint32_t count;
	uint64_t interval_ns;
	uint32_t size;		/* payload bytes after the ICMP or UDP header */
	uint16_t udp_port;	/* 0: ICMP echo; else UDP to this port, answered by
				 * netnsctl's own echo socket in the destination */
	uint64_t wait_ns;	/* after the last probe, when no reply ever came */
};

void nn_probe_opts_default(struct nn_probe_opts *o);

enum nn_probe_socket {
	NN_PROBE_SOCK_ICMP_DGRAM,	/* SOCK_DGRAM, IPPROTO_ICMP(V6): the kernel's ping socket */
	NN_PROBE_SOCK_ICMP_RAW,		/* SOCK_RAW: ping_group_range did not allow the above */
	NN_PROBE_SOCK_UDP,
};

const char *nn_probe_socket_name(enum nn_probe_socket s);	/* "icmp", "raw", "udp" */

struct nn_probe_stats {
	uint32_t sent, received;	/* received: distinct probes answered */
	uint32_t duplicates;		/* answers to a probe already answered */
	uint32_t reordered;		/* answers that came after a later probe's */
	uint32_t errors;		/* ICMP errors and failed sends */
	double loss;			/* (sent - received) / sent */
	double loss_ci95[2];		/* exact binomial interval */
	double rtt_min_ms, rtt_p50_ms, rtt_p90_ms, rtt_p99_ms, rtt_max_ms, rtt_mean_ms;
	double jitter_ms;		/* mean |RTT(n) - RTT(n-1)| over the answered probes, in order */
	uint32_t kernel_timed;		/* answers timed by the kernel at both ends */
	enum nn_probe_socket socket;
	uint32_t size;			/* payload bytes of each probe */
	struct nn_prefix src, dst;	/* src: the address the kernel sent from (len full) */
	bool unreachable;		/* stopped: an error and no answer at all */
	int error;			/* the last error's errno, 0 when none */
	char error_text[160];		/* "host unreachable (from 10.30.1.2)" */
	double seconds;			/* first send to the end */
};

struct nn_probe;

/*
 * A probe from a socket opened in SRC to DST; with OPTS->udp_port, DST_NS
 * (the namespace holding DST) gets netnsctl's echo socket on that port, bound
 * to DST.  Nothing is sent before nn_probe_run().
 */
int nn_probe_new(struct nn_ns *src, struct nn_ns *dst_ns, const struct nn_prefix *dst,
		 const struct nn_probe_opts *opts, struct nn_probe **out, struct nn_error *e);

/*
 * Run the N probes V at once, each on its own schedule, until each has sent
 * its count and its answers are in (or its wait is over, or it is
 * unreachable).  A failed send that can only fail again (no route) ends that
 * probe with an error; -errno and E only for what stops them all.
 */
int nn_probe_run(struct nn_probe *const *v, size_t n, struct nn_error *e);

/* The counts and statistics of a probe that ran. */
void nn_probe_get_stats(const struct nn_probe *p, struct nn_probe_stats *st);

/* The round-trip times (ms) of the answered probes, in probe order: *N of them. */
const double *nn_probe_rtts(const struct nn_probe *p, size_t *n);

void nn_probe_free(struct nn_probe *p);

/*
 * The address of DST to probe from SRC: of DST's addresses (loopback and
 * link-local ones left out), the one SRC's kernel routes to (RTM_GETROUTE in
 * SRC), a directly connected one first, IPv4 before IPv6.  -ENETUNREACH
 * 'no route from namespace "a" to any address of namespace "c" (10.0.2.2)'
 * when SRC has a route to none; -EADDRNOTAVAIL when DST has no address.
 */
int nn_probe_pick_addr(struct nn_ns *src, struct nn_ns *dst, struct nn_prefix *out,
		       struct nn_error *e);

/* Whether SRC's kernel has a route to ADDR (RTM_GETROUTE): 1 yes, 0 no. */
int nn_probe_routable(struct nn_ns *src, const struct nn_prefix *addr, bool *direct,
		      struct nn_error *e);

/* --- TCP bulk transfer --- */

#define NN_RATE_DEFAULT_DURATION_NS 3000000000ULL
#define NN_RATE_CONNECT_TIMEOUT_NS 3000000000ULL

struct nn_rate_opts {
	uint64_t duration_ns;
};

struct nn_rate_result {
	uint64_t bytes;			/* received in the window */
	double seconds;			/* the window: from the first byte received */
	double goodput_bps;		/* bytes * 8 / seconds */
	const double *per_second_bps;	/* each whole second of the window */
	size_t n_seconds;
	uint32_t mss;			/* TCP payload per full segment */
	uint32_t mtu;			/* the route's MTU */
	double link_bps;		/* goodput_bps * (mtu + 14) / mss: the rate of
					 * Ethernet frames that carried it, which tbf
					 * and netem meter */
};

struct nn_rate;

/*
 * A TCP connection from a socket opened in SRC to a listener netnsctl opens
 * in DST on DST_ADDR (an ephemeral port).  Connected here (within
 * NN_RATE_CONNECT_TIMEOUT_NS: -ETIMEDOUT otherwise); no data yet.
 */
int nn_rate_new(struct nn_ns *src, struct nn_ns *dst, const struct nn_prefix *dst_addr,
		const struct nn_rate_opts *opts, struct nn_rate **out, struct nn_error *e);

/* Send on all N at once (a thread per sender); the receivers are read
 * here, counting bytes per second of a window that opens with the first
 * byte and lasts the duration.  -ETIMEDOUT when no byte came in
 * NN_RATE_CONNECT_TIMEOUT_NS. */
int nn_rate_run(struct nn_rate *const *v, size_t n, struct nn_error *e);

/* Valid until nn_rate_free(R). */
void nn_rate_get_result(const struct nn_rate *r, struct nn_rate_result *res);

void nn_rate_free(struct nn_rate *r);

#endif
