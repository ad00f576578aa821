// SPDX-License-Identifier: GPL-2.0-or-later
/* The ownership rules (owner.h) on observed objects: what a record proves,
 * and what it does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/pkt_sched.h>
#include <cmocka.h>

#include "netnsctl/ifb.h"
#include "netnsctl/owner.h"

static const uint8_t MAC_A[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t MAC_B[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x56 };

static struct nn_journal_entry rec(enum nn_obj_kind kind, const char *name)
{
	struct nn_journal_entry j;

	memset(&j, 0, sizeof(j));
	j.kind = kind;
	snprintf(j.name, sizeof(j.name), "%s", name);
	snprintf(j.owner, sizeof(j.owner), "lab:a");
	j.ns_cookie = 4097;
	return j;
}

static void netns(void **state)
{
	struct nn_journal_entry j = rec(NN_OBJ_NETNS, "prod");

	(void)state;
	/* an intent without proof (an older journal): nothing is proven */
	j.pending = true;
	assert_false(nn_owner_netns(&j, 8193));
	/* an intent with the cookie read before the namespace was named */
	nn_proof_cookie(&j.intent, 8193);
	assert_true(nn_owner_netns(&j, 8193));
	assert_false(nn_owner_netns(&j, 8194));	/* ip netns add prod, later */
	assert_false(nn_owner_netns(&j, 0));
	/* made: the id is the cookie */
	j.pending = false;
	memset(&j.intent, 0, sizeof(j.intent));
	j.id = 8193;
	assert_true(nn_owner_netns(&j, 8193));
	assert_false(nn_owner_netns(&j, 8194));
	/* in_ns: the record's namespace is still the one it names */
	assert_true(nn_owner_in_ns(&j, 4097));
	assert_false(nn_owner_in_ns(&j, 4098));
}

static void link(void **state)
{
	struct nn_journal_entry j = rec(NN_OBJ_LINK, "br-lab");
	struct nn_link_info l = { .ifindex = 7, .name = "br-lab" };

	(void)state;
	memcpy(l.mac, MAC_A, 6);
	j.pending = true;			/* intent, no proof */
	assert_false(nn_owner_link(&j, &l));
	nn_proof_mac(&j.intent, MAC_A);		/* intent with the MAC it was made with */
	assert_true(nn_owner_link(&j, &l));
	memcpy(l.mac, MAC_B, 6);		/* ip link add br-lab type bridge */
	assert_false(nn_owner_link(&j, &l));
	/* made: the ifindex and the MAC */
	j.pending = false;
	j.id = 7;
	nn_proof_mac(&j.proof, MAC_A);
	assert_false(nn_owner_link(&j, &l));	/* MAC changed: not ours any more */
	memcpy(l.mac, MAC_A, 6);
	assert_true(nn_owner_link(&j, &l));
	l.ifindex = 8;
	assert_false(nn_owner_link(&j, &l));
	/* an old made record (no proof): its ifindex is what it proves */
	memset(&j.proof, 0, sizeof(j.proof));
	assert_false(nn_owner_link(&j, &l));
	l.ifindex = 7;
	assert_true(nn_owner_link(&j, &l));
	/* a pending intent beside a made record: either object is ours */
	j.pending = true;
	nn_proof_mac(&j.intent, MAC_B);
	l.ifindex = 9;
	memcpy(l.mac, MAC_B, 6);
	assert_true(nn_owner_link(&j, &l));
}

static void qdisc(void **state)
{
	struct nn_journal_entry j = rec(NN_OBJ_QDISC, "eth0");
	struct nn_link_info l = { .ifindex = 3, .name = "eth0" };
	struct nn_qdisc_info root = { .ifindex = 3, .kind = NN_QDISC_TBF, .handle = 0x4a2b0000,
				      .parent = TC_H_ROOT };

	(void)state;
	j.pending = true;
	assert_false(nn_owner_qdisc(&j, &l, &root));
	nn_proof_qdisc(&j.intent, 0x4a2b0000, 3);
	assert_true(nn_owner_qdisc(&j, &l, &root));
	assert_false(nn_owner_qdisc(&j, &l, NULL));
	root.handle = NN_QDISC_HANDLE;		/* tc qdisc add dev eth0 root handle 1: tbf ... */
	assert_false(nn_owner_qdisc(&j, &l, &root));
	root.handle = 0x4a2b0000;
	root.kind = NN_QDISC_OTHER;		/* same handle, a kind netnsctl never makes */
	snprintf(root.kind_name, sizeof(root.kind_name), "fq_codel");
	assert_false(nn_owner_qdisc(&j, &l, &root));
	/* an htb: the root of a tree with rules (issue #17) */
	snprintf(root.kind_name, sizeof(root.kind_name), "htb");
	assert_true(nn_owner_qdisc(&j, &l, &root));
	root.kind = NN_QDISC_NETEM;
	l.ifindex = 4;				/* another eth0 */
	assert_false(nn_owner_qdisc(&j, &l, &root));
	/* made with proof: on the id's link */
	l.ifindex = 3;
	j.pending = false;
	j.id = 3;
	nn_proof_qdisc(&j.proof, 0x4a2b0000, 3);
	assert_true(nn_owner_qdisc(&j, &l, &root));
	/* an old made record (no proof): the handle proves nothing */
	memset(&j.proof, 0, sizeof(j.proof));
	root.handle = NN_QDISC_HANDLE;
	assert_false(nn_owner_qdisc(&j, &l, &root));
}

static void route(void **state)
{
	struct nn_journal_entry j = rec(NN_OBJ_ROUTE, "10.1.0.0/24");
	struct nn_route_info r[2];
	struct nn_error e = { 0 };

	(void)state;
	memset(r, 0, sizeof(r));
	assert_int_equal(nn_parse_cidr("10.1.0.0/24", &r[0].dst, &e), 0);
	r[0].protocol = 3;			/* ip route add (boot) */
	r[1].dst.family = AF_INET;		/* default */
	r[1].protocol = NN_RTPROT;
	j.pending = true;
	nn_proof_route(&j.intent);
	assert_false(nn_owner_route(&j, r, 2));
	r[0].protocol = NN_RTPROT;
	assert_true(nn_owner_route(&j, r, 2));
	j.pending = false;
	memset(&j.intent, 0, sizeof(j.intent));
	j.id = 1;				/* an old made record */
	assert_false(nn_owner_route(&j, r, 2));
	nn_proof_route(&j.proof);
	assert_true(nn_owner_route(&j, r, 2));
	snprintf(j.name, sizeof(j.name), "default");
	assert_true(nn_owner_route(&j, r, 2));
	snprintf(j.name, sizeof(j.name), "default6");
	assert_false(nn_owner_route(&j, r, 2));
	snprintf(j.name, sizeof(j.name), "not-a-route");
	assert_false(nn_owner_route(&j, r, 2));
}

static void nat(void **state)
{
	struct nn_journal_entry j = rec(NN_OBJ_NAT, "masq:ns1");
	struct nn_nat_rule r = { .kind = NN_NAT_MASQUERADE, .tag = "masq:ns1", .nonce = 77 };

	(void)state;
	j.pending = true;
	assert_false(nn_owner_nat(&j, &r, 1));
	nn_proof_nat(&j.intent, 77);
	assert_true(nn_owner_nat(&j, &r, 1));
	assert_int_equal(nn_owner_nat_nonce(&j), 77);
	r.nonce = 78;				/* another netnsctl's, or nft's by hand */
	assert_false(nn_owner_nat(&j, &r, 1));
	r.nonce = 0;
	assert_false(nn_owner_nat(&j, &r, 1));
	r.nonce = 77;
	snprintf(r.tag, sizeof(r.tag), "masq:ns2");
	assert_false(nn_owner_nat(&j, &r, 1));
}

/* An ingress redirect: its cookie, on the record's link; the clsact made
 * for it: the record's link has a clsact. */
static void ingress(void **state)
{
	struct nn_journal_entry j = rec(NN_OBJ_FILTER, "veth-a");
	struct nn_link_info l = { .ifindex = 5, .name = "veth-a" };
	struct nn_tc_ingress in;
	struct nn_proof p;

	(void)state;
	memset(&in, 0, sizeof(in));
	snprintf(in.qdisc, sizeof(in.qdisc), "clsact");
	in.n_filters = in.n_redirects = 1;
	in.redirects[0].cookie = 0x1122334455667788ULL;
	in.redirects[0].ifindex = 9;
	j.pending = true;
	assert_false(nn_owner_filter(&j, &l, &in));	/* intent without proof */
	nn_proof_cookie(&j.intent, 0x1122334455667788ULL);
	assert_true(nn_owner_filter(&j, &l, &in));
	in.redirects[0].ifindex = 0;			/* its ifb gone: still ours, by the cookie */
	assert_true(nn_owner_filter(&j, &l, &in));
	in.redirects[0].cookie = 0x1122334455667789ULL;	/* an admin's redirect */
	assert_false(nn_owner_filter(&j, &l, &in));
	in.redirects[0].cookie = 0x1122334455667788ULL;
	/* made: on the id's link only */
	j.pending = false;
	j.id = 5;
	j.proof = j.intent;
	memset(&j.intent, 0, sizeof(j.intent));
	assert_true(nn_owner_filter(&j, &l, &in));
	l.ifindex = 6;
	assert_false(nn_owner_filter(&j, &l, &in));
	l.ifindex = 5;
	in.n_redirects = 0;
	assert_false(nn_owner_filter(&j, &l, &in));

	j = rec(NN_OBJ_CLSACT, "veth-a");
	memset(&p, 0, sizeof(p));
	assert_int_equal(nn_proof_parse("clsact@5", NN_OBJ_CLSACT, &p), 0);
	j.pending = true;
	j.intent = p;
	assert_true(nn_owner_clsact(&j, &l, &in));
	snprintf(in.qdisc, sizeof(in.qdisc), "ingress");	/* an admin's ingress qdisc */
	assert_false(nn_owner_clsact(&j, &l, &in));
	snprintf(in.qdisc, sizeof(in.qdisc), "clsact");
	l.ifindex = 6;					/* another veth-a */
	assert_false(nn_owner_clsact(&j, &l, &in));
}

static void find(void **state)
{
	struct nn_journal_entry v[3] = { rec(NN_OBJ_LINK, "a"), rec(NN_OBJ_LINK, "a"),
					 rec(NN_OBJ_NETNS, "a") };

	(void)state;
	v[1].ns_cookie = 5000;
	assert_ptr_equal(nn_journal_find(v, 3, NN_OBJ_LINK, "", "a", 5000), &v[1]);
	assert_ptr_equal(nn_journal_find(v, 3, NN_OBJ_LINK, "", "a", 4097), &v[0]);
	assert_null(nn_journal_find(v, 3, NN_OBJ_LINK, "", "a", 1));
	assert_ptr_equal(nn_journal_find(v, 3, NN_OBJ_NETNS, "-", "a", 0), &v[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(netns), cmocka_unit_test(link), cmocka_unit_test(qdisc),
		cmocka_unit_test(route), cmocka_unit_test(nat),	cmocka_unit_test(ingress),
		cmocka_unit_test(find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
