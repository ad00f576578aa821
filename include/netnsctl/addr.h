/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_ADDR_H
#define NETNSCTL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "netnsctl/error.h"

struct nn_ns;

/* An IPv4 or IPv6 address with a prefix length. */
struct nn_prefix {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	} addr;
	uint8_t len;
};

/* "10.10.0.0/30", "fd00::/64": a network.  Host bits set is an error
 * ('invalid CIDR "10.10.0.1/30": host bits set, did you mean 10.10.0.0/30?').
 * A missing "/LEN" is an error.  -EINVAL naming the value. */
int nn_parse_cidr(const char *s, struct nn_prefix *net, struct nn_error *e);

/* "10.10.0.1/30": an interface address (host bits expected); a missing
 * "/LEN" means /32 or /128. */
int nn_parse_ifaddr(const char *s, struct nn_prefix *addr, struct nn_error *e);

/*
 * The first COUNT usable host addresses of NET, each with NET's prefix length:
 * IPv4 skips the network and broadcast addresses except on a /31 (both are
 * usable, RFC 3021); IPv6 skips the all-zero subnet-router anycast address
 * except on a /127.  -EINVAL when NET has fewer than COUNT ('network
 * "10.0.0.0/32" is too small for 2 addresses').
 */
int nn_prefix_hosts(const struct nn_prefix *net, unsigned int count,
		    struct nn_prefix *out, struct nn_error *e);

/* The network NET that ADDR lies in (host bits cleared). */
void nn_prefix_network(const struct nn_prefix *addr, struct nn_prefix *net);
bool nn_prefix_equal(const struct nn_prefix *a, const struct nn_prefix *b);
/* "10.10.0.1/30"; with_len false gives "10.10.0.1". Returns BUF. */
const char *nn_format_prefix(char *buf, size_t len, const struct nn_prefix *p, bool with_len);
/* A's address (its length ignored) and PORT as a socket address: SS, *LEN. */
void nn_prefix_sockaddr(const struct nn_prefix *a, uint16_t port, struct sockaddr_storage *ss,
			socklen_t *len);

/* --- in the kernel (addr.c) --- */

/* Add ADDR to IFINDEX in NS; an address already there is fine (returns 0). */
int nn_addr_add(struct nn_ns *ns, int ifindex, const struct nn_prefix *addr, struct nn_error *e);
int nn_addr_del(struct nn_ns *ns, int ifindex, const struct nn_prefix *addr, struct nn_error *e);

#endif
