/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_CLIENTS_H
#define NETNSCTL_CLIENTS_H

/*
 * Virtual clients on a LAN: client PREFIXk (k = 1..COUNT) is a namespace of
 * that name holding a macvlan "eth0" on a parent link of the namespace
 * netnsctl runs in, with a stable locally administered MAC and an address
 * leased by netnsctl's own DHCP client (or taken from a static range).
 *
 * What each client holds is kept in STATE_DIR/clients/leases/NAME (one
 * "key value" line each), its DNS servers in ETC_DIR/NAME/resolv.conf.  A
 * background process (the lease keeper: netnsctl lease-keeper) renews the
 * DHCP leases at T1 and rebinds at T2; it only runs while leases exist, and
 * a keeper that died is started again by the next create, delete or list.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "netnsctl/addr.h"
#include "netnsctl/dhcp.h"
#include "netnsctl/error.h"
#include "netnsctl/link.h"

struct nn_ctx;

#define NN_CLIENTS_MAX 4096
#define NN_CLIENTS_DEFAULT_PREFIX "ns"
#define NN_CLIENTS_IFNAME "eth0"
#define NN_CLIENTS_DEFAULT_TIMEOUT_MS 30000
#define NN_CLIENTS_RELEASE_RATE 1000	/* RELEASEs a second a delete sends when not told */

struct nn_clients_spec {
	unsigned count;			/* 1 .. NN_CLIENTS_MAX */
	const char *prefix;		/* NULL: NN_CLIENTS_DEFAULT_PREFIX */
	const char *parent;		/* a link of the host namespace, up */
	enum nn_macvlan_mode mode;	/* 0: bridge */
	unsigned n_dns;			/* when > 0, these instead of the lease's */
	struct in_addr dns[NN_DHCP_DNS_MAX];
	bool is_static;			/* addresses from static_net, no DHCP */
	struct nn_prefix static_net;
	bool has_mac_base;		/* MAC of client k: mac_base + k - 1 */
	uint8_t mac_base[6];
	unsigned timeout_ms;		/* 0: NN_CLIENTS_DEFAULT_TIMEOUT_MS */
	/* Told (may be NULL) what of a server's leases goes unused: a router
	 * or DNS server that cannot be one; once per distinct message. */
	void (*warn)(const char *msg, void *arg);
	void *warn_arg;
	const char *owner;		/* the journal's owner of the new clients;
					 * NULL: "create-clients" */
	unsigned max_rate;		/* DHCP exchanges started a second; 0: no cap */
	unsigned min;			/* 0: all or nothing; else keep the leased ones
					 * when at least MIN of clients 1..COUNT hold a
					 * lease, and roll back the others */
};

/* What one client holds (its lease file). */
struct nn_client_info {
	char name[256];
	uint8_t mac[6];
	bool is_static;
	bool has_addr;
	struct nn_prefix addr;		/* with the prefix length */
	bool has_gateway;
	struct in_addr gateway;
	struct in_addr server;		/* the DHCP server; 0.0.0.0 for static */
	unsigned n_dns;
	struct in_addr dns[NN_DHCP_DNS_MAX];
	char domain[256];
	uint32_t lease_s, t1_s, t2_s;
	uint64_t t1_ms, t2_ms, expiry_ms;	/* CLOCK_BOOTTIME ms; UINT64_MAX: never */
	int64_t expiry;			/* wall clock (seconds since the epoch); 0: never */
	/* nn_clients_list(): a DHCP client the lease keeper holds (renews, or
	 * gets a new lease for).  False when no keeper runs, or it could not
	 * take this client (its log, STATE_DIR/clients/keeper.log, says why). */
	bool renewing;
	char owner[64];			/* nn_clients_list: who made it (the journal's
					 * owner); "" when that cannot be read */
	/* What leasing took (DHCP; 0 when not known).  Wall clock seconds. */
	int64_t acquired_at;		/* the lease was got */
	uint64_t acquire_us;		/* first DISCOVER to ACK */
	unsigned acquire_retransmits;
	int64_t renewed_at;		/* the last renewal (or rebind); 0: none yet */
	uint64_t renew_us;		/* its first REQUEST to ACK */
	unsigned renew_retransmits;
	unsigned renewals;
};

/* What one new client's leasing took in a create (dhcp_pace.h's figures). */
struct nn_client_figures {
	char name[256];
	bool leased;
	uint64_t discover_offer_us, request_ack_us, total_us;	/* when leased */
	unsigned retransmits, naks;
	char why[160];			/* when not leased */
};

/* What a create did.  CLIENTS (N_CLIENTS, malloc()ed: nn_clients_report_free)
 * are the new DHCP clients, in order. */
struct nn_clients_report {
	size_t asked;			/* new DHCP clients */
	size_t leased;			/* of them, with a lease */
	size_t released;		/* of them, rolled back without one (min) */
	uint64_t duration_us;		/* from the first DISCOVER to the end */
	unsigned window_peak, window_end;	/* the pacing window, in exchanges */
	uint64_t timeouts;		/* exchanges that timed out */
	struct nn_client_figures *clients;
	size_t n_clients;
	/* A create that failed: the signal that interrupted it (0: none), and
	 * the new clients it rolled back, in order (ROLLED_BACK: N_ROLLED_BACK
	 * names, malloc()ed; none when it failed before it changed anything). */
	int signal;
	char (*rolled_back)[256];
	size_t n_rolled_back;
};

void nn_clients_report_free(struct nn_clients_report *r);

/* "ns" + 7 -> "ns7" in BUF; -EINVAL when that is not a valid namespace name. */
int nn_client_name(char *buf, size_t len, const char *prefix, unsigned k, struct nn_error *e);
/* 1 when NAME is PREFIX followed by a client number (1, 2, ... no leading 0). */
int nn_client_name_matches(const char *name, const char *prefix);

/* The MAC of client NAME: a hash of the name, locally administered unicast. */
void nn_client_mac_from_name(const char *name, uint8_t mac[6]);
/* BASE + INDEX; -EINVAL when that leaves BASE's first byte (wraps). */
int nn_client_mac_from_base(const uint8_t base[6], unsigned index, uint8_t mac[6],
			    struct nn_error *e);
/* A base for --mac-base must be unicast and locally administered. */
int nn_client_check_mac_base(const char *text, const uint8_t mac[6], struct nn_error *e);

/*
 * Why A cannot be a DNS server in a client's resolv.conf, or NULL: 0.0.0.0/8,
 * broadcast, multicast, 240.0.0.0/4, and, FROM_SERVER (handed out by a DHCP
 * server rather than given by the user), 127.0.0.0/8.
 */
const char *nn_clients_dns_problem(struct in_addr a, bool from_server);

/* The lease file's text, and back; parsing rejects unknown keys and bad values. */
int nn_client_format(const struct nn_client_info *c, char *buf, size_t len);
int nn_client_parse(const char *text, struct nn_client_info *c, struct nn_error *e);

/*
 * Check SPEC against the system without changing anything: the values, that
 * the parent exists and is up.  Errors here are the caller's input (-EINVAL,
 * -ENODEV, -ENETDOWN).
 */
int nn_clients_check(struct nn_ctx *ctx, const struct nn_clients_spec *spec, struct nn_error *e);

typedef void (*nn_clients_progress_cb)(unsigned done, unsigned total, void *arg);

/*
 * A client is a namespace netnsctl made, proven as every object is (the
 * journal's record of it, its cookie: owner.h), with a lease file.  A lease
 * file whose namespace is gone, or is another program's by now, is no
 * client: only netnsctl's own files of it are removed, by the calls below.
 *
 * Make clients PREFIX1..PREFIXCOUNT; those that exist are left alone.  The
 * name of a new one must be free: a namespace of that name, or
 * ETC_DIR/NAME, is someone else's and the call is refused (-EEXIST) before
 * anything changes.  All or nothing: when one of the new clients gets no
 * lease within the timeout, every new client is rolled back and the error
 * names them.  A signal (nn_plan_cancel) at any point rolls the call back
 * too: -ECANCELED, the error saying what it was doing and what went.
 * Takes the state lock.  Returns how many were made.
 * PROGRESS (may be NULL) is told how many of the new ones are leased.
 */
int nn_clients_create(struct nn_ctx *ctx, const struct nn_clients_spec *spec,
		      nn_clients_progress_cb progress, void *arg, struct nn_error *e);

/*
 * The same, filling REPORT (when not NULL; also on failure).  The new
 * clients lease through a pacing window (dhcp_pace.h), at most
 * SPEC->max_rate exchanges a second.  With SPEC->min, the call succeeds
 * when at least MIN of the clients 1..COUNT hold a lease at the end: the new
 * ones without a lease are deleted (REPORT->released), the others kept.
 * A failed create's rollback releases the leases got at SPEC->max_rate
 * RELEASEs a second when that is below NN_CLIENTS_RELEASE_RATE, else at it.
 */
int nn_clients_create_report(struct nn_ctx *ctx, const struct nn_clients_spec *spec,
			     nn_clients_progress_cb progress, void *arg,
			     struct nn_clients_report *report, struct nn_error *e);

/*
 * Release each lease of the clients matching PREFIX (NULL: every client),
 * at most MAX_RATE RELEASEs a second (0: NN_CLIENTS_RELEASE_RATE; at most
 * NN_DHCP_PACE_RATE_MAX), then delete their namespaces, lease files and the
 * resolv.conf create-clients wrote (one changed since is left).  Returns how
 * many were deleted.
 */
int nn_clients_delete(struct nn_ctx *ctx, const char *prefix, unsigned max_rate,
		      struct nn_error *e);
/* The same for the clients OWNER made only (at NN_CLIENTS_RELEASE_RATE). */
int nn_clients_delete_owned(struct nn_ctx *ctx, const char *prefix, const char *owner,
			    struct nn_error *e);

/* The same for the clients PREFIXk with FIRST <= k <= LAST (1 <= FIRST <=
 * LAST) that OWNER made (NULL: anyone): a group made smaller.  Returns how
 * many were deleted. */
int nn_clients_delete_range(struct nn_ctx *ctx, const char *prefix, unsigned first, unsigned last,
			    const char *owner, struct nn_error *e);

/* The clients matching PREFIX (NULL: all), sorted by name then number, with
 * their owners.  Without the privileges to read the journal, every lease
 * file whose namespace exists is listed, owner "".  *OUT malloc()ed. */
int nn_clients_list(struct nn_ctx *ctx, const char *prefix, struct nn_client_info **out,
		    size_t *n, struct nn_error *e);

/*
 * The lease keeper.  nn_clients_keeper_ensure() starts it (ARGV: the program
 * and its arguments to exec, NULL for "/proc/self/exe lease-keeper") when
 * DHCP leases exist and none runs, as a daemon (its own session, "/" as its
 * directory, no descriptor of the caller's, stderr appended to
 * STATE_DIR/clients/keeper.log), and returns once it holds its clients.
 * nn_clients_keeper_run() is its body: it keeps every lease until STOP_FD
 * becomes readable or no lease is left, and tells LOG (may be NULL) of what
 * goes wrong: a client it cannot renew, a lease lost.
 */
typedef void (*nn_clients_log_cb)(const char *msg, void *arg);

int nn_clients_keeper_ensure(struct nn_ctx *ctx, char *const argv[], struct nn_error *e);
int nn_clients_keeper_run(struct nn_ctx *ctx, int stop_fd, nn_clients_log_cb log, void *log_arg,
			  struct nn_error *e);

#endif
