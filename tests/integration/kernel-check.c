// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nn-kernel-check: the kernel layer's link calls one at a time, for
 * t-kernel-links.sh, which checks with ip what each made.  Each command
 * prints what the call returned and how many netlink round trips it took
 * (nn_nl_stats_get), on one line:
 *
 *   veth NSA A NSB B [mac-a=M] [mac-b=M] [index-a=N] [index-b=N] [master=IFINDEX] [up]
 *        -> "a=IFINDEX b=IFINDEX sends=N"
 *   bridge NS NAME [up]                          -> "index=IFINDEX sends=N"
 *   macvlan PARENTNS PARENT_IFINDEX NS NAME [index=N] -> "index=IFINDEX sends=N"
 *   addrs-up NS IFINDEX ADDR...                  -> "sends=N"
 *   dumps NS TIMES       link and address dumps of NS, TIMES each
 *                        -> "links=N addrs=N sends=N"
 *   nsids NS NAME...     the ids NS has for namespaces NAME..., asked together
 *                        -> "ids=ID,ID,... sends=N" (-1: none)
 *
 * A namespace "-" is the one the program runs in.  A failure prints the
 * error on stderr and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/addr.h"
#include "netnsctl/ctx.h"
#include "netnsctl/link.h"

static struct nn_ctx *ctx;

static struct nn_ns *ns_of(const char *name)
{
	struct nn_error e = { 0 };
	struct nn_ns *ns;

	if (nn_ctx_ns(ctx, strcmp(name, "-") ? name : "", &ns, &e) < 0) {
		fprintf(stderr, "nn-kernel-check: %s\n", e.msg);
		exit(1);
	}
	return ns;
}

static unsigned long sends(void)
{
	struct nn_nl_stats s;

	nn_nl_stats_get(&s);
	return s.sends;
}

static int fail(const struct nn_error *e)
{
	fprintf(stderr, "nn-kernel-check: %s\n", e->msg);
	return 1;
}

/* "key=VALUE" among ARGV: VALUE, or NULL. */
static const char *opt(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);

	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

static bool flag(int argc, char **argv, const char *key)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], key))
			return true;
	return false;
}

static const uint8_t *mac_of(const char *s, uint8_t mac[6])
{
	unsigned m[6];

	if (!s)
		return NULL;
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
		fprintf(stderr, "nn-kernel-check: bad MAC \"%s\"\n", s);
		exit(2);
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return mac;
}

static int num(const char *s)
{
	return s ? atoi(s) : 0;
}

int main(int argc, char **argv)
{
	struct nn_error e = { 0 };
	uint8_t ma[6], mb[6];
	unsigned long before;
	int ifindex;

	if (argc < 2 || nn_ctx_new(&ctx, NULL, &e) < 0)
		return 2;
	if (!strcmp(argv[1], "veth") && argc >= 6) {
		struct nn_veth_end a = { .ns = ns_of(argv[2]), .name = argv[3] };
		struct nn_veth_end b = { .ns = ns_of(argv[4]), .name = argv[5] };

		a.mac = mac_of(opt(argc, argv, "mac-a"), ma);
		b.mac = mac_of(opt(argc, argv, "mac-b"), mb);
		a.ifindex = num(opt(argc, argv, "index-a"));
		b.ifindex = num(opt(argc, argv, "index-b"));
		a.master = num(opt(argc, argv, "master"));
		a.up = flag(argc, argv, "up");
		before = sends();
		if (nn_veth_create(&a, &b, &e) < 0)
			return fail(&e);
		printf("a=%d b=%d sends=%lu\n", a.ifindex, b.ifindex, sends() - before);
	} else if (!strcmp(argv[1], "bridge") && argc >= 4) {
		struct nn_ns *ns = ns_of(argv[2]);

		before = sends();
		if (nn_bridge_create(ns, argv[3], NULL, flag(argc, argv, "up"), &ifindex, &e) < 0)
			return fail(&e);
		printf("index=%d sends=%lu\n", ifindex, sends() - before);
	} else if (!strcmp(argv[1], "macvlan") && argc >= 6) {
		struct nn_ns *parent = ns_of(argv[2]), *target = ns_of(argv[4]);

		ifindex = num(opt(argc, argv, "index"));
		before = sends();
		if (nn_macvlan_create(parent, atoi(argv[3]), target, argv[5], NULL, NN_MACVLAN_BRIDGE,
				      &ifindex, &e) < 0)
			return fail(&e);
		printf("index=%d sends=%lu\n", ifindex, sends() - before);
	} else if (!strcmp(argv[1], "addrs-up") && argc >= 5) {
		struct nn_ns *ns = ns_of(argv[2]);
		struct nn_prefix p[8];
		size_t n = 0;

		for (int i = 4; i < argc && n < 8; i++)
			if (nn_parse_ifaddr(argv[i], &p[n++], &e) < 0)
				return fail(&e);
		before = sends();
		if (nn_link_addrs_up(ns, atoi(argv[3]), p, n, &e) < 0)
			return fail(&e);
		printf("sends=%lu\n", sends() - before);
	} else if (!strcmp(argv[1], "dumps") && argc >= 4) {
		struct nn_ns *ns = ns_of(argv[2]);
		struct nn_link_info *links;
		struct nn_addr_info *addrs;
		size_t nl = 0, na = 0;

		before = sends();
		for (int i = atoi(argv[3]); i > 0; i--) {
			if (nn_link_list(ns, &links, &nl, &e) < 0 || (free(links), 0) ||
			    nn_addr_list(ns, &addrs, &na, &e) < 0)
				return fail(&e);
			free(addrs);
		}
		printf("links=%zu addrs=%zu sends=%lu\n", nl, na, sends() - before);
	} else if (!strcmp(argv[1], "nsids") && argc >= 4) {
		struct nn_ns *ns = ns_of(argv[2]), **others = calloc((size_t)argc, sizeof(*others));
		int32_t *ids = calloc((size_t)argc, sizeof(*ids));
		size_t n = 0;

		if (!others || !ids)
			return 2;
		for (int i = 3; i < argc; i++)
			others[n++] = ns_of(argv[i]);
		before = sends();
		if (nn_ns_peer_nsids(ns, others, n, ids, &e) < 0)
			return fail(&e);
		printf("ids=");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)ids[i]);
		printf(" sends=%lu\n", sends() - before);
		free(others);
		free(ids);
	} else {
		fprintf(stderr, "nn-kernel-check: bad command\n");
		return 2;
	}
	nn_ctx_free(ctx);
	return 0;
}
