// SPDX-License-Identifier: GPL-2.0-or-later
/* connect-host, disconnect-host, forward-port, unforward-port */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "netnsctl/addr.h"
#include "netnsctl/ctx.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/nat.h"
#include "netnsctl/netns.h"
#include "cli.h"
#include "commands.h"
#include "util/show.h"

#define NS_IF_DEFAULT "host0"
/* Without --cidr, the first /30 of this pool that no host address is in. */
#define POOL_NET 0x0ac80000u	/* 10.200.0.0 */
#define POOL_LEN 16

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* The host-side end for NS: "nn-NS" when that is a valid name, else "nn" and
 * a hash of NS (stable, so a re-run and disconnect-host find it). */
static void host_if_name(char *buf, const char *ns)
{
	struct nn_error e = { 0 };

	snprintf(buf, IFNAMSIZ, "nn-%s", ns);
	if (strlen(ns) + 3 < IFNAMSIZ && nn_check_ifname(buf, &e) == 0)
		return;
	snprintf(buf, IFNAMSIZ, "nn%08x", fnv1a(ns));
}

/* The journal's owner of what connect-host NS made: one word, at most 63 bytes. */
static void host_owner(char *buf, size_t len, const char *ns)
{
	if (!nn_nat_tag_plain(ns) || (size_t)snprintf(buf, len, "connect-host:%s", ns) >= len)
		snprintf(buf, len, "connect-host:#%08x", fnv1a(ns));
}

/* "masq:NS"; a name a tag cannot hold is hashed ("masq=HASH": once "masq:#HASH",
 * which the tag check refused, so no rule of that form was ever made). */
static void masq_tag(char *buf, size_t len, const char *ns)
{
	nn_nat_tag_for(buf, len, "masq", ns);
}

static bool in_net(uint32_t addr_be, uint32_t net, uint8_t len)
{
	uint32_t mask = len ? ~0u << (32 - len) : 0;

	return (ntohl(addr_be) & mask) == (net & mask);
}

/*
 * Without --cidr: the network of HOST_IF's IPv4 address when it exists (a
 * re-run keeps its subnet), else the first /30 of 10.200.0.0/16 with no
 * address of the host in it.
 */
static int pick_subnet(const char *host_if, struct nn_prefix *net, struct nn_error *e)
{
	struct nn_ctx *ctx = cli_ctx();
	struct nn_addr_info *addrs = NULL;
	struct nn_link_info link;
	struct nn_ns *host;
	size_t n = 0;
	int ret, have;

	if (!ctx)
		return nn_error_setx(e, EIO, "cannot pick a subnet");
	if ((ret = nn_ctx_ns(ctx, "", &host, e)) < 0 ||
	    (ret = nn_addr_list(host, &addrs, &n, e)) < 0 ||
	    (ret = have = nn_link_find(host, host_if, &link, e)) < 0)
		goto out;
	for (size_t i = 0; have && i < n; i++) {
		if (addrs[i].ifindex == link.ifindex && addrs[i].addr.family == AF_INET) {
			nn_prefix_network(&addrs[i].addr, net);
			goto out;
		}
	}
	for (uint32_t block = 0; block < 1u << (32 - POOL_LEN - 2); block++) {
		uint32_t cand = POOL_NET + (block << 2);
		bool used = false;

		for (size_t i = 0; i < n && !used; i++)
			used = addrs[i].addr.family == AF_INET &&
			       in_net(addrs[i].addr.addr.v4.s_addr, cand, 30);
		if (!used) {
			memset(net, 0, sizeof(*net));
			net->family = AF_INET;
			net->addr.v4.s_addr = htonl(cand);
			net->len = 30;
			goto out;
		}
	}
	ret = nn_error_setx(e, ENOSPC, "no free /30 left in 10.200.0.0/16: give one with --cidr");
out:
	free(addrs);
	nn_ctx_free(ctx);
	return ret < 0 ? ret : 0;
}

static int need_netns(const char *ns, struct nn_error *e)
{
	struct nn_ctx *ctx;
	int ret;

	if (nn_check_netns_name(ns, e) < 0)
		return -e->code;
	ctx = cli_ctx();
	if (!ctx)
		return nn_error_setx(e, EIO, "cannot look up namespace \"%s\"", ns);
	ret = nn_netns_exists(ctx, ns, e);
	nn_ctx_free(ctx);
	if (ret < 0)
		return ret;
	if (ret == 0)
		return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", ns);
	return 0;
}

int cmd_connect_host(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cidr", required_argument, NULL, 'c' },
		{ "nat", no_argument, NULL, 'N' },
		{ "if", required_argument, NULL, 'i' },
		{ "host-if", required_argument, NULL, 'h' },
		CLI_CHANGE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *cidr = NULL, *ns_if = NS_IF_DEFAULT, *host_if = NULL, *ns;
	char def_host_if[IFNAMSIZ], owner[64];
	struct nn_prefix net, hosts[2], any = { .family = AF_INET };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	struct cli_change how = { 0 };
	bool nat = false;
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case 'c': cidr = optarg; break;
		case 'N': nat = true; break;
		case 'i': ns_if = optarg; break;
		case 'h': host_if = optarg; break;
		default:
			if (!cli_change_opt(c, &how))
				return -c;
		}
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "NS")))
		return ret;
	ns = argv[optind];
	if (!host_if) {
		host_if_name(def_host_if, ns);
		host_if = def_host_if;
	}
	if (nn_check_netns_name(ns, &e) < 0 || nn_check_ifname(ns_if, &e) < 0 ||
	    nn_check_ifname(host_if, &e) < 0)
		return cli_input_error(&e);
	if (cidr && (nn_parse_cidr(cidr, &net, &e) < 0 || nn_prefix_hosts(&net, 2, hosts, &e) < 0))
		return cli_input_error(&e);
	if (cidr && net.family != AF_INET) {
		nn_error_setx(&e, EINVAL, "invalid CIDR \"%s\": connect-host needs IPv4", cidr);
		return cli_input_error(&e);
	}
	if ((ret = cli_check_privileges(argv[0])))
		return ret;
	/* A missing namespace is made, as attach makes one (and journalled, so
	 * cleanup removes it); disconnect-host keeps it. */
	if (!cidr) {
		if (pick_subnet(host_if, &net, &e) < 0 || nn_prefix_hosts(&net, 2, hosts, &e) < 0)
			return cli_fail(&e);
	}

	host_owner(owner, sizeof(owner), ns);
	lab = nn_lab_new(owner);
	if (!lab)
		return cli_oom();
	nn_lab_set_prune(lab, true);	/* without --nat now: an earlier masquerade goes */
	if (nn_lab_add_veth(lab, "", host_if, ns, ns_if, &hosts[0], &hosts[1], &e) < 0 ||
	    nn_lab_add_route(lab, ns, &any, &hosts[0], ns_if, &e) < 0 ||
	    nn_lab_set_forwarding(lab, "", true, &e) < 0)
		goto bad;
	if (nat) {
		struct nn_nat_rule r = { .kind = NN_NAT_MASQUERADE, .src = net };

		masq_tag(r.tag, sizeof(r.tag), ns);
		snprintf(r.except_if, sizeof(r.except_if), "%s", host_if);
		if (nn_nat_rule_check(&r, &e) < 0 || nn_lab_add_nat(lab, &r, &e) < 0)
			goto bad;
	}
	return cli_apply_lab(argv[0], lab, &how);
bad:
	nn_lab_free(lab);
	return cli_input_error(&e);
}

int cmd_disconnect_host(int argc, char **argv)
{
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	struct nn_ctx *ctx;
	char owner[64];
	struct cli_change how = { 0 };
	int ret, exists;

	if ((ret = cli_change_options(argc, argv, &how)) ||
	    (ret = cli_want_args(argv[0], argc, argv, 1, 1, "NS")))
		return ret;
	if (nn_check_netns_name(argv[optind], &e) < 0)
		return cli_input_error(&e);
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	exists = nn_netns_exists(ctx, argv[optind], &e);
	nn_ctx_free(ctx);
	if (exists < 0)
		return cli_fail(&e);

	/* An empty lab of connect-host NS's owner, pruned: what it made goes
	 * (the host end of the veth takes its peer along, the masquerade
	 * rule, the forwarding it turned on); the namespace stays. */
	host_owner(owner, sizeof(owner), argv[optind]);
	lab = nn_lab_new(owner);
	if (!lab)
		return cli_oom();
	nn_lab_set_prune(lab, true);
	if (exists == 1 && nn_lab_add_netns(lab, argv[optind], &e) < 0) {
		nn_lab_free(lab);
		return cli_fail(&e);
	}
	return cli_apply_lab(argv[0], lab, &how);
}

/* "tcp" or "udp" */
static int parse_proto(const char *s, int *proto, struct nn_error *e)
{
	struct nn_shown shown;

	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return nn_error_setx(e, EINVAL, "invalid protocol \"%s\": tcp or udp",
				     nn_show(&shown, s));
	return 0;
}

/* 1-65535, decimal */
static int parse_port(const char *s, uint16_t *port, struct nn_error *e)
{
	struct nn_shown shown;
	unsigned long v = 0;
	const char *p = s;

	if (!*p || strlen(p) > 5)
		return nn_error_setx(e, EINVAL, "invalid port \"%s\": 1-65535", nn_show(&shown, s));
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return nn_error_setx(e, EINVAL, "invalid port \"%s\": 1-65535", nn_show(&shown, s));
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return nn_error_setx(e, EINVAL, "invalid port \"%s\": 1-65535", nn_show(&shown, s));
	*port = (uint16_t)v;
	return 0;
}

static void forward_owner(char *buf, size_t len, int proto, uint16_t port)
{
	snprintf(buf, len, "forward-port:%s:%u", proto == IPPROTO_TCP ? "tcp" : "udp", port);
}

/*
 * The IPv4 address of NS's veth whose peer is in the host namespace (the one
 * connect-host made).  -ENOENT when there is none, -EINVAL when several.
 */
static int host_facing_addr(const char *ns_name, struct in_addr *out, struct nn_error *e)
{
	struct nn_ctx *ctx = cli_ctx();
	struct nn_link_info *links = NULL;
	struct nn_addr_info *addrs = NULL;
	struct nn_ns *ns, *host;
	size_t nl = 0, na = 0, found = 0;
	int32_t host_id = -1;
	int ret;

	if (!ctx)
		return nn_error_setx(e, EIO, "cannot look up namespace \"%s\"", ns_name);
	if ((ret = nn_ctx_ns(ctx, ns_name, &ns, e)) < 0 || (ret = nn_ctx_ns(ctx, "", &host, e)) < 0 ||
	    (ret = nn_ns_peer_nsid(ns, host, &host_id, e)) < 0 ||
	    (ret = nn_link_list(ns, &links, &nl, e)) < 0 || (ret = nn_addr_list(ns, &addrs, &na, e)) < 0)
		goto out;
	for (size_t i = 0; i < nl; i++) {
		const struct nn_link_info *l = &links[i];

		if (strcmp(l->kind, "veth") || !l->peer_nsid_set || host_id < 0 || l->peer_nsid != host_id)
			continue;
		for (size_t j = 0; j < na; j++) {
			if (addrs[j].ifindex != l->ifindex || addrs[j].addr.family != AF_INET)
				continue;
			if (found && out->s_addr != addrs[j].addr.addr.v4.s_addr) {
				ret = nn_error_setx(e, EINVAL, "namespace \"%s\" has several addresses facing the host: choose one with --to",
						    ns_name);
				goto out;
			}
			*out = addrs[j].addr.addr.v4;
			found++;
		}
	}
	if (!found)
		ret = nn_error_setx(e, ENOENT, "namespace \"%s\" has no IPv4 link to the host: run connect-host first, or give --to",
				    ns_name);
out:
	free(links);
	free(addrs);
	nn_ctx_free(ctx);
	return ret < 0 ? ret : 0;
}

/*
 * A forward does not take connections to 127.0.0.0/8 (nat_codec.c: the
 * kernel will not route a loopback source out of another interface without
 * route_localnet there, which would open the host's loopback services to
 * the namespace): said when one is made, with the address to use instead,
 * the host's own address in R's target's subnet when it has one.
 */
static void loopback_note(const struct nn_nat_rule *r)
{
	struct nn_ctx *ctx = cli_ctx();
	struct nn_addr_info *addrs = NULL;
	struct nn_error e = { 0 };
	const char *proto = r->proto == IPPROTO_UDP ? "udp" : "tcp";
	char a[INET_ADDRSTRLEN] = "";
	struct nn_ns *host;
	size_t n = 0;

	if (ctx && nn_ctx_ns(ctx, "", &host, &e) == 0 && nn_addr_list(host, &addrs, &n, &e) == 0) {
		for (size_t i = 0; i < n && !*a; i++)
			if (addrs[i].addr.family == AF_INET && addrs[i].addr.len < 32 &&
			    in_net(r->to.s_addr, ntohl(addrs[i].addr.addr.v4.s_addr), addrs[i].addr.len))
				inet_ntop(AF_INET, &addrs[i].addr.addr.v4, a, sizeof(a));
	}
	free(addrs);
	nn_ctx_free(ctx);
	if (*a)
		printf("note: from the host, use %s:%u (or another of its addresses), not 127.0.0.1:%u: %s to loopback stays the host's own\n",
		       a, r->port, r->port, proto);
	else
		printf("note: from the host, use one of its addresses, not 127.0.0.1:%u: %s to loopback stays the host's own\n",
		       r->port, proto);
}

int cmd_forward_port(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		CLI_CHANGE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct nn_nat_rule r = { .kind = NN_NAT_DNAT };
	const char *to = NULL, *ns;
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	char owner[64];
	struct cli_change how = { 0 };
	bool changed = false;
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		default:
			if (!cli_change_opt(c, &how))
				return -c;
		}
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 4, 4, "NS PROTO HOSTPORT NSPORT")))
		return ret;
	ns = argv[optind];
	if (nn_check_netns_name(ns, &e) < 0 || parse_proto(argv[optind + 1], &r.proto, &e) < 0 ||
	    parse_port(argv[optind + 2], &r.port, &e) < 0 || parse_port(argv[optind + 3], &r.to_port, &e) < 0)
		return cli_input_error(&e);
	if (to && (inet_pton(AF_INET, to, &r.to) != 1 || r.to.s_addr == htonl(INADDR_ANY))) {
		struct nn_shown shown;

		nn_error_setx(&e, EINVAL, "invalid address \"%s\": an IPv4 address",
			      nn_show(&shown, to));
		return cli_input_error(&e);
	}
	if ((ret = cli_check_privileges(argv[0])))
		return ret;
	/* A missing namespace, or no one address facing the host: the
	 * system is not as needed (exit 1), the command line is fine. */
	if (need_netns(ns, &e) < 0 || (!to && host_facing_addr(ns, &r.to, &e) < 0))
		return cli_fail(&e);
	snprintf(r.tag, sizeof(r.tag), "dnat:%s:%u", argv[optind + 1], r.port);
	forward_owner(owner, sizeof(owner), r.proto, r.port);
	lab = nn_lab_new(owner);
	if (!lab)
		return cli_oom();
	if (nn_nat_rule_check(&r, &e) < 0 || nn_lab_add_nat(lab, &r, &e) < 0) {
		nn_lab_free(lab);
		return cli_input_error(&e);
	}
	ret = cli_apply_lab_changed(argv[0], lab, &how, &changed);
	/* The note is for people: the JSON document stays alone on stdout. */
	if (changed && !how.json)
		loopback_note(&r);
	return ret;
}

int cmd_unforward_port(int argc, char **argv)
{
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	char owner[64];
	struct cli_change how = { 0 };
	uint16_t port;
	int ret, proto = 0;

	if ((ret = cli_change_options(argc, argv, &how)) ||
	    (ret = cli_want_args(argv[0], argc, argv, 2, 2, "PROTO HOSTPORT")))
		return ret;
	if (parse_proto(argv[optind], &proto, &e) < 0 || parse_port(argv[optind + 1], &port, &e) < 0)
		return cli_input_error(&e);
	/* forward-port's owner with nothing wanted: its rule goes */
	forward_owner(owner, sizeof(owner), proto, port);
	lab = nn_lab_new(owner);
	if (!lab)
		return cli_oom();
	nn_lab_set_prune(lab, true);
	return cli_apply_lab(argv[0], lab, &how);
}
