/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_LABFILE_H
#define NETNSCTL_LABFILE_H

/*
 * Lab files: a YAML description of a whole lab (docs/labfile.md), parsed
 * with libyaml into the plain spec below, every value already checked and
 * converted with the parsers the CLI uses (units.h, addr.h, names.h).
 * References are resolved and checked at parse time: a link or bridge
 * member names a declared node, a member's bridge exists, no node has two
 * interfaces of one name.  Errors are one line and start with
 * "FILE:LINE:COLUMN: " (1-based), naming the bad key or value:
 *
 *	lab.yaml:7:12: unknown key "dealy" in link impairment
 *	lab.yaml:3:9: invalid delay "10xs": unknown unit "xs"
 *
 * Hostile input: the file is at most NN_LABFILE_MAX_BYTES, nesting is
 * bounded, anchors and aliases are refused, and every list has a limit.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/types.h>

#include "netnsctl/addr.h"
#include "netnsctl/error.h"
#include "netnsctl/expect.h"
#include "netnsctl/qdisc.h"

struct nn_lab;
struct nn_tl_event;

#define NN_LABFILE_MAX_BYTES (1u << 20)
#define NN_LABFILE_MAX_ITEMS 4096	/* nodes, links, bridges, members, ... */
#define NN_LABFILE_MAX_ARGS 256	/* words of one command */
#define NN_LABFILE_NAME_MAX NAME_MAX	/* namespace and lab names */
#define NN_LABFILE_PREFIX_MAX 64	/* the "prefix" of a lab's namespaces */

/* Where an object was written (1-based), for messages about it later. */
struct nn_labfile_mark {
	unsigned int line, col;
};

/* What leaves one end of a link (its root qdisc).  netem and tbf cannot
 * both be the root: with netem keys, "rate" goes into netem's own rate. */
struct nn_labfile_impair {
	enum nn_qdisc_kind kind;	/* NN_QDISC_OTHER: none (the kernel's default) */
	struct nn_netem netem;
	struct nn_tbf tbf;
	struct nn_labfile_mark mark;
};

struct nn_labfile_route {
	struct nn_prefix to;	/* "default" is 0.0.0.0/0 */
	bool has_via;
	struct nn_prefix via;	/* len is the full length (32/128) */
	char dev[IFNAMSIZ];	/* "" when not given */
	struct nn_labfile_mark mark;
};

struct nn_labfile_command {
	char **argv;		/* NULL-terminated; the string form is
				 * { "/bin/sh", "-c", STRING, NULL } */
	size_t argc;
	bool shell;		/* written as one string (split into words, no shell) */
	struct nn_labfile_mark mark;
};

struct nn_labfile_node {
	char name[NN_LABFILE_NAME_MAX + 1];	/* the namespace: the lab's prefix
						 * and the name the file gives */
	bool forwarding;
	struct nn_labfile_route *routes;
	size_t n_routes;
	struct nn_labfile_command *commands;
	size_t n_commands;
	struct nn_labfile_mark mark;
};

struct nn_labfile_end {
	size_t node;		/* index into nodes[] */
	char ifname[IFNAMSIZ];
	bool has_addr;
	struct nn_prefix addr;
	struct nn_labfile_impair egress;	/* on this end: traffic to the peer */
	struct nn_labfile_impair ingress;	/* what this end receives, through
						 * its ifb (NN_QDISC_OTHER: none) */
	struct nn_labfile_mark mark;
};

/* A veth pair between two nodes. */
struct nn_labfile_link {
	struct nn_labfile_end end[2];
	struct nn_labfile_mark mark;
};

struct nn_labfile_member {
	size_t node;		/* index into nodes[] */
	char ifname[IFNAMSIZ];	/* in the node */
	char port[IFNAMSIZ];	/* the peer, on the bridge */
	bool has_addr;
	struct nn_prefix addr;
	struct nn_labfile_impair egress;	/* on IF: the node's traffic to the bridge */
	struct nn_labfile_impair port_egress;	/* on the port: the bridge's traffic to the node */
	struct nn_labfile_mark mark;
};

struct nn_labfile_bridge {
	char name[IFNAMSIZ];
	bool in_host;		/* no "node": the bridge is in the host */
	size_t node;		/* else index into nodes[] */
	bool has_addr;
	struct nn_prefix addr;
	struct nn_labfile_member *members;
	size_t n_members;
	struct nn_labfile_mark mark;
};

/* A veth NODE:IF <-> host HOST_IF on CIDR (node .2, host .1 of the first
 * two host addresses: host first), default route in the node via the host
 * end, forwarding on in the host; NAT masquerades CIDR leaving the host. */
struct nn_labfile_uplink {
	size_t node;
	char ifname[IFNAMSIZ];
	char host_if[IFNAMSIZ];
	struct nn_prefix cidr;
	struct nn_prefix node_addr, host_addr;	/* computed from CIDR */
	bool nat;
	struct nn_labfile_mark mark;
};

/* DNAT host PROTO HOST_PORT -> ADDR:PORT in NODE. */
struct nn_labfile_forward {
	size_t node;
	int proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t host_port, port;
	struct in_addr addr;	/* "addr", or the node's uplink address */
	struct nn_labfile_mark mark;
};

/* Clients as create-clients makes them (clients.h): COUNT namespaces
 * PREFIX1.. with macvlans on PARENT, a link of the host (the lab's own host
 * bridge, say).  PARENT_IN_HOST is always true: clients.h takes host links
 * only; the field is there for a later parent inside a node. */
struct nn_labfile_clients {
	char prefix[NN_LABFILE_NAME_MAX + 1];	/* with the lab's prefix before it */
	unsigned int count;
	bool parent_in_host;
	size_t parent_node;	/* when !parent_in_host */
	char parent_if[IFNAMSIZ];
	char mode[16];		/* "bridge", "private", "vepa", "passthru" */
	int macvlan_mode;	/* the same as an enum nn_macvlan_mode (link.h) */
	bool is_static;		/* addresses from STATIC_CIDR instead of DHCP */
	struct nn_prefix static_cidr;
	unsigned int n_dns;	/* servers for resolv.conf instead of the lease's */
	struct in_addr dns[3];
	bool has_mac_base;
	uint8_t mac_base[6];
	uint64_t timeout_ns;	/* lease wait; 0 = the default */
	struct nn_labfile_mark mark;
};

struct nn_labfile {
	char path[PATH_MAX];	/* as given, for messages */
	char name[NN_LABFILE_NAME_MAX + 1];	/* journal owner */
	/* "prefix": put before every node's name and every client group's
	 * prefix, so that labs which call a node "a" do not share it */
	char prefix[NN_LABFILE_PREFIX_MAX + 1];
	/* "adopt": take over namespaces and links of the lab that another lab
	 * or command made (else such an apply is refused, naming the owner) */
	bool adopt;
	struct nn_labfile_node *nodes;
	size_t n_nodes;
	struct nn_labfile_link *links;
	size_t n_links;
	struct nn_labfile_bridge *bridges;
	size_t n_bridges;
	struct nn_labfile_uplink *uplinks;
	size_t n_uplinks;
	struct nn_labfile_forward *forwards;
	size_t n_forwards;
	struct nn_labfile_clients *clients;
	size_t n_clients;
	struct nn_expect *expects;	/* what `verify` checks (expect.h, docs/verify.md) */
	size_t n_expects;
	/* what `run` plays, in the file's order (timeline.h, docs/timelines.md) */
	struct nn_tl_event *timeline;
	size_t n_timeline;
};

/*
 * Parse BUF (LEN bytes) as a lab file called PATH (used in messages and for
 * the default name: its basename without the extension).  On success *OUT
 * is a new spec to free with nn_labfile_free().  -EINVAL (or -E2BIG, -ENOMEM)
 * with "PATH:LINE:COL: ..." in E.
 */
int nn_labfile_parse(const char *buf, size_t len, const char *path, struct nn_labfile **out,
		     struct nn_error *e);

/* Read PATH and parse it; "-" is stdin (named "-" in messages). */
int nn_labfile_load(const char *path, struct nn_labfile **out, struct nn_error *e);

/* Read PATH ("-": stdin) whole into *BUF (malloc()ed, *LEN bytes), as
 * nn_labfile_load() does: -E2BIG beyond NN_LABFILE_MAX_BYTES. */
int nn_labfile_read(const char *path, char **buf, size_t *len, struct nn_error *e);

void nn_labfile_free(struct nn_labfile *lf);

/* The node index for NAME (the namespace's name, prefix included), or -1. */
ssize_t nn_labfile_node_index(const struct nn_labfile *lf, const char *name);

/*
 * Describe LF to LAB (made with nn_lab_new(LF->name)): namespaces, veths,
 * root qdiscs on both ends of every link (the kernel's default where none is
 * asked, so a removed impairment is cleared), bridges and ports, routes,
 * forwarding, uplinks and their NAT, port forwards.  Client groups and
 * commands are not in the lab (clients.h, proc.h do them).  Does not touch
 * the kernel.
 */
int nn_labfile_to_lab(const struct nn_labfile *lf, struct nn_lab *lab, struct nn_error *e);

/* The NAT tags netnsctl gives this lab's rules, NN_NAT_TAG_MAX bytes:
 * "LAB:masq:NODE" and "LAB:dnat:tcp:8080". */
void nn_labfile_masq_tag(char *buf, size_t len, const struct nn_labfile *lf,
			 const struct nn_labfile_uplink *up);
void nn_labfile_dnat_tag(char *buf, size_t len, const struct nn_labfile *lf,
			 const struct nn_labfile_forward *fw);

/* IM (NN_QDISC_OTHER: the kernel's default) as the root qdisc of IFNAME in
 * NS, in LAB (lab.h): a lab's impairments, and a timeline's events. */
struct nn_lab;
int nn_labfile_add_impair(struct nn_lab *lab, const char *ns, const char *ifname,
			  const struct nn_labfile_impair *im, struct nn_error *e);

#endif
