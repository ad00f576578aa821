/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NAT_H
#define NETNSCTL_NAT_H

/*
 * NAT with nftables, in a table of netnsctl's own ("ip netnsctl") and no
 * other: masquerade for a namespace's subnet leaving through the host, and
 * DNAT from a host port to an address and port inside a namespace.  Spoken
 * over NETLINK_NETFILTER with libnftnl + libmnl, in one transaction (batch)
 * per call.  Each rule carries a tag in its userdata (the rule's comment, as
 * `nft list ruleset` shows it) naming it, so adding is idempotent and
 * deleting finds exactly the rule it made.
 *
 * The table holds base chains "postrouting" (nat, srcnat) and "prerouting" +
 * "output" (nat, dstnat: the output chain makes a forwarded port reachable
 * from the host itself too).  A kernel without the nftables ip family (UML
 * 6.1 here) fails with 'this kernel has no nftables NAT (...)'.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "netnsctl/addr.h"
#include "netnsctl/error.h"

struct nn_ns;

#define NN_NAT_TABLE "netnsctl"
#define NN_NAT_TAG_MAX 128

/* NN_NAT_OTHER: read from the kernel, a rule (or a tag's set of rules) of
 * none of the forms netnsctl writes: half made, or edited by hand. */
enum nn_nat_kind { NN_NAT_MASQUERADE, NN_NAT_DNAT, NN_NAT_OTHER };

struct nn_nat_rule {
	enum nn_nat_kind kind;
	char tag[NN_NAT_TAG_MAX];
	/* MASQUERADE: ip saddr SRC, and oifname != EXCEPT_IF when set (traffic
	 * between the namespace and the host itself is not rewritten) */
	struct nn_prefix src;
	char except_if[16];
	/* DNAT: PROTO dport PORT -> TO:TO_PORT (IPPROTO_TCP or IPPROTO_UDP) */
	int proto;
	uint16_t port, to_port;
	struct in_addr to;
	uint64_t handle;		/* the kernel's handle (from a dump) */
	/* netnsctl's mark, 64 random bits chosen before the rule is journalled
	 * and sent in its userdata beside the tag (0: none).  Not compared:
	 * it tells whose a rule is, not what it does. */
	uint64_t nonce;
};

/*
 * RULE is one netnsctl can write: a tag of 1-127 printable ASCII characters
 * without '"' or '\\'; MASQUERADE: an IPv4 SRC, EXCEPT_IF empty or a valid
 * interface name; DNAT: tcp or udp, ports 1-65535, TO not 0.0.0.0.
 * -EINVAL naming the bad value.
 */
int nn_nat_rule_check(const struct nn_nat_rule *rule, struct nn_error *e);

/*
 * The tag "PREFIX:NAME" in BUF, or, when NAME has characters a tag may not
 * hold (only letters, digits and ._:/@+-=, go into the journal and nft
 * comments: "café" does not) or the tag would not fit, "PREFIX=" and a hash
 * of NAME: stable, so the rule is found again, and never the tag of another
 * name (those have ':' after PREFIX).
 */
void nn_nat_tag_for(char *buf, size_t len, const char *prefix, const char *name);

/* S holds only what a tag netnsctl makes may hold: letters, digits and
 * ._:/@+-=, (a tag goes into the journal as one field and into nft
 * comments).  The one test of it. */
bool nn_nat_tag_plain(const char *s);
/* TAG is 1 to NN_NAT_TAG_MAX - 1 such characters; -EINVAL naming it. */
int nn_nat_tag_check(const char *tag, struct nn_error *e);

/* Same kind, tag and match/target (the handle is not compared). */
bool nn_nat_rule_same(const struct nn_nat_rule *a, const struct nn_nat_rule *b);

/*
 * Make RULE exist in NS's netnsctl table (creating table and chains as
 * needed).  A rule with the same tag and the same content is left alone
 * (returns 0); one with the same tag and other content is replaced.
 * Returns 1 when something was added.
 */
int nn_nat_rule_add(struct nn_ns *ns, const struct nn_nat_rule *rule, struct nn_error *e);

/* Delete the rule tagged TAG (all of them, both DNAT chains) that carries
 * NONCE (0: whatever it carries); none is fine (0).  The table goes too when
 * no rule is left in it.  Returns 1 when something was deleted.  A kernel
 * without nftables has nothing to delete (0). */
int nn_nat_rule_del(struct nn_ns *ns, const char *tag, uint64_t nonce, struct nn_error *e);

/*
 * The rules of NS's netnsctl table, decoded, one per tag in the kernel's
 * order: a DNAT rule is whole only as the same rule in prerouting and output;
 * a half-made, duplicated or hand-edited one (or an untagged rule, one entry
 * each) is NN_NAT_OTHER, which never equals a wanted rule.  None (or no
 * table, or no nftables in the kernel) is n = 0.  *OUT is malloc()ed.
 */
int nn_nat_rule_list(struct nn_ns *ns, struct nn_nat_rule **out, size_t *n, struct nn_error *e);

/* Remove netnsctl's table with everything in it; none is fine (0), 1 when removed. */
int nn_nat_table_del(struct nn_ns *ns, struct nn_error *e);

#endif
