// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "netnsctl/addr.h"

static const char *fmt(const struct nn_prefix *p)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	return nn_format_prefix(buf[i], sizeof(buf[i]), p, true);
}

static struct nn_prefix cidr(const char *s)
{
	struct nn_error e = { 0 };
	struct nn_prefix p;
	int ret = nn_parse_cidr(s, &p, &e);

	if (ret)
		print_error("\"%s\": %s\n", s, e.msg);
	assert_int_equal(ret, 0);
	return p;
}

static void cidr_ok(const char *s, int family, unsigned int len, const char *canon)
{
	struct nn_prefix p = cidr(s);

	assert_int_equal(p.family, family);
	assert_int_equal(p.len, len);
	assert_string_equal(fmt(&p), canon);
}

static void cidr_bad(const char *s, const char *msg)
{
	struct nn_error e = { 0 };
	struct nn_prefix p, untouched;

	memset(&p, 0xa5, sizeof(p));
	untouched = p;
	if (nn_parse_cidr(s, &p, &e) != -EINVAL)
		print_error("\"%s\" was accepted\n", s ? s : "(null)");
	assert_int_equal(nn_parse_cidr(s, &p, &e), -EINVAL);
	assert_int_equal(e.code, EINVAL);
	assert_memory_equal(e.msg, "invalid CIDR \"", 14);
	assert_null(strchr(e.msg, '\n'));
	assert_memory_equal(&p, &untouched, sizeof(p));
	if (msg)
		assert_string_equal(e.msg, msg);
}

static void test_cidr(void **state)
{
	struct nn_prefix p;

	cidr_ok("10.10.0.0/30", AF_INET, 30, "10.10.0.0/30");
	cidr_ok("10.10.0.0/24", AF_INET, 24, "10.10.0.0/24");
	cidr_ok("0.0.0.0/0", AF_INET, 0, "0.0.0.0/0");
	cidr_ok("10.0.0.7/32", AF_INET, 32, "10.0.0.7/32");
	cidr_ok("10.0.0.6/31", AF_INET, 31, "10.0.0.6/31");
	cidr_ok("10.0.0.0/08", AF_INET, 8, "10.0.0.0/8");
	cidr_ok("fd00::/64", AF_INET6, 64, "fd00::/64");
	cidr_ok("FD00:0:0:1::/64", AF_INET6, 64, "fd00:0:0:1::/64");
	cidr_ok("::/0", AF_INET6, 0, "::/0");
	cidr_ok("fd00::1/128", AF_INET6, 128, "fd00::1/128");
	cidr_ok("::ffff:10.0.0.0/120", AF_INET6, 120, "::ffff:10.0.0.0/120");

	p = cidr("192.168.1.0/24");
	assert_int_equal(p.addr.v4.s_addr, htonl(0xc0a80100));
	/* The bytes past an IPv4 address are zero, so the struct compares whole. */
	assert_memory_equal(p.addr.bytes + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
}

static void test_cidr_invalid(void **state)
{
	char big[300];

	cidr_bad("10.10.0.1/30",
		 "invalid CIDR \"10.10.0.1/30\": host bits set, did you mean 10.10.0.0/30?");
	cidr_bad("10.10.0.5/24", "invalid CIDR \"10.10.0.5/24\": host bits set, did you mean 10.10.0.0/24?");
	cidr_bad("10.0.0.1/31", NULL);
	cidr_bad("0.0.0.1/0", "invalid CIDR \"0.0.0.1/0\": host bits set, did you mean 0.0.0.0/0?");
	cidr_bad("fd00::1/64", "invalid CIDR \"fd00::1/64\": host bits set, did you mean fd00::/64?");
	cidr_bad("fd00::1/127", NULL);

	cidr_bad("10.0.0.0", "invalid CIDR \"10.0.0.0\": missing prefix length");
	cidr_bad("fd00::", NULL);
	cidr_bad("10.0.0.0/", "invalid CIDR \"10.0.0.0/\": missing prefix length");
	cidr_bad("10.0.0.0/33",
		 "invalid CIDR \"10.0.0.0/33\": prefix length \"33\" is out of range (0-32)");
	cidr_bad("fd00::/129",
		 "invalid CIDR \"fd00::/129\": prefix length \"129\" is out of range (0-128)");
	cidr_bad("10.0.0.0/99999999999999999999999", NULL);
	cidr_bad("10.0.0.0/x",
		 "invalid CIDR \"10.0.0.0/x\": prefix length \"x\" is not a number");
	cidr_bad("10.0.0.0/-1", NULL);
	cidr_bad("10.0.0.0/+8", NULL);
	cidr_bad("10.0.0.0/ 8", NULL);
	cidr_bad("10.0.0.0/8 ", NULL);
	cidr_bad("10.0.0.0/8/8", NULL);
	cidr_bad("10.0.0.0/0x8", NULL);
	cidr_bad("10.0.0.0/255.0.0.0", NULL);
	cidr_bad("/24", "invalid CIDR \"/24\": missing address");
	cidr_bad("", NULL);
	cidr_bad(NULL, NULL);
	cidr_bad("10.0.0/24", "invalid CIDR \"10.0.0/24\": not an IPv4 or IPv6 address");
	cidr_bad("10.0.0.256/24", NULL);
	cidr_bad("010.0.0.0/8", NULL);
	cidr_bad(" 10.0.0.0/8", NULL);
	cidr_bad("hello/24", NULL);
	cidr_bad("fe80::%eth0/64", NULL);
	cidr_bad("fd00:::/64", NULL);
	cidr_bad("fd00::1::/64", NULL);
	cidr_bad("0000:0000:0000:0000:0000:ffff:255.255.255.255.1/64", NULL);

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cidr_bad(big, NULL);
}

static void test_ifaddr(void **state)
{
	struct nn_error e = { 0 };
	struct nn_prefix p;

	assert_int_equal(nn_parse_ifaddr("10.10.0.1/30", &p, &e), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.len, 30);
	assert_string_equal(fmt(&p), "10.10.0.1/30");

	assert_int_equal(nn_parse_ifaddr("10.10.0.1", &p, &e), 0);
	assert_int_equal(p.len, 32);
	assert_string_equal(fmt(&p), "10.10.0.1/32");

	assert_int_equal(nn_parse_ifaddr("fd00::1", &p, &e), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.len, 128);

	assert_int_equal(nn_parse_ifaddr("fd00::1/64", &p, &e), 0);
	assert_string_equal(fmt(&p), "fd00::1/64");

	assert_int_equal(nn_parse_ifaddr("10.10.0.0/24", &p, &e), 0);

	assert_int_equal(nn_parse_ifaddr("10.10.0.1/33", &p, &e), -EINVAL);
	assert_string_equal(e.msg,
			    "invalid address \"10.10.0.1/33\": prefix length \"33\" is out of range (0-32)");
	assert_int_equal(nn_parse_ifaddr("10.10.0.1/", &p, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid address \"10.10.0.1/\": missing prefix length");
	assert_int_equal(nn_parse_ifaddr("10.10.0.x", &p, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid address \"10.10.0.x\": not an IPv4 or IPv6 address");
	assert_int_equal(nn_parse_ifaddr("", &p, &e), -EINVAL);
	assert_int_equal(nn_parse_ifaddr("a\nb", &p, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid address \"a\\x0ab\": not an IPv4 or IPv6 address");
}

static void hosts_ok(const char *net, unsigned int count, const char *const *want)
{
	struct nn_prefix n = cidr(net), out[8];
	struct nn_error e = { 0 };
	unsigned int i;

	assert_true(count <= 8);
	assert_int_equal(nn_prefix_hosts(&n, count, out, &e), 0);
	for (i = 0; i < count; i++)
		assert_string_equal(fmt(&out[i]), want[i]);
}

static void hosts_bad(const char *net, unsigned int count, const char *msg)
{
	struct nn_prefix n = cidr(net), out[8];
	struct nn_error e = { 0 };

	assert_int_equal(nn_prefix_hosts(&n, count, out, &e), -EINVAL);
	assert_int_equal(e.code, EINVAL);
	if (msg)
		assert_string_equal(e.msg, msg);
}

static void test_hosts_v4(void **state)
{
	hosts_ok("10.10.0.0/30", 2, (const char *[]){ "10.10.0.1/30", "10.10.0.2/30" });
	hosts_ok("10.10.0.0/24", 2, (const char *[]){ "10.10.0.1/24", "10.10.0.2/24" });
	hosts_ok("10.10.0.0/31", 2, (const char *[]){ "10.10.0.0/31", "10.10.0.1/31" });
	hosts_ok("10.10.0.8/29", 6, (const char *[]){ "10.10.0.9/29", "10.10.0.10/29",
						     "10.10.0.11/29", "10.10.0.12/29",
						     "10.10.0.13/29", "10.10.0.14/29" });
	hosts_ok("0.0.0.0/0", 1, (const char *[]){ "0.0.0.1/0" });
	hosts_ok("10.0.0.0/32", 0, NULL);

	hosts_bad("10.0.0.0/32", 2, "network \"10.0.0.0/32\" is too small for 2 addresses");
	hosts_bad("10.0.0.0/32", 1, "network \"10.0.0.0/32\" is too small for 1 address");
	hosts_bad("10.10.0.0/30", 3, "network \"10.10.0.0/30\" is too small for 3 addresses");
	hosts_bad("10.10.0.0/31", 3, NULL);
	hosts_bad("10.10.0.8/29", 7, NULL);
}

static void test_hosts_v6(void **state)
{
	hosts_ok("fd00::/64", 2, (const char *[]){ "fd00::1/64", "fd00::2/64" });
	hosts_ok("fd00::/127", 2, (const char *[]){ "fd00::/127", "fd00::1/127" });
	hosts_ok("fd00::4/126", 3, (const char *[]){ "fd00::5/126", "fd00::6/126", "fd00::7/126" });
	hosts_ok("::/0", 2, (const char *[]){ "::1/0", "::2/0" });

	hosts_bad("fd00::/128", 1, "network \"fd00::/128\" is too small for 1 address");
	hosts_bad("fd00::/127", 3, NULL);
	hosts_bad("fd00::4/126", 4, NULL);
}

static void test_hosts_carry(void **state)
{
	struct nn_prefix n, out[300], *big;
	struct nn_error e = { 0 };

	n = cidr("10.0.0.0/16");
	assert_int_equal(nn_prefix_hosts(&n, 300, out, &e), 0);
	assert_string_equal(fmt(&out[254]), "10.0.0.255/16");
	assert_string_equal(fmt(&out[255]), "10.0.1.0/16");
	assert_string_equal(fmt(&out[299]), "10.0.1.44/16");

	n = cidr("fd00::1:0/112");
	assert_int_equal(nn_prefix_hosts(&n, 300, out, &e), 0);
	assert_string_equal(fmt(&out[0]), "fd00::1:1/112");
	assert_string_equal(fmt(&out[254]), "fd00::1:ff/112");
	assert_string_equal(fmt(&out[255]), "fd00::1:100/112");
	assert_string_equal(fmt(&out[299]), "fd00::1:12c/112");

	big = calloc(70000, sizeof(*big));
	assert_non_null(big);
	n = cidr("10.0.0.0/8");
	assert_int_equal(nn_prefix_hosts(&n, 70000, big, &e), 0);
	assert_string_equal(fmt(&big[65534]), "10.0.255.255/8");
	assert_string_equal(fmt(&big[65535]), "10.1.0.0/8");
	assert_string_equal(fmt(&big[69999]), "10.1.17.112/8");
	free(big);

	/* A /24 holds 254 hosts, the last one just before the broadcast address. */
	n = cidr("10.0.0.0/24");
	assert_int_equal(nn_prefix_hosts(&n, 254, out, &e), 0);
	assert_string_equal(fmt(&out[253]), "10.0.0.254/24");
	assert_int_equal(nn_prefix_hosts(&n, 255, out, &e), -EINVAL);
}

static void test_hosts_from_host_address(void **state)
{
	struct nn_prefix n, out[2];
	struct nn_error e = { 0 };

	/* An address with host bits set still yields its network's hosts. */
	assert_int_equal(nn_parse_ifaddr("10.10.0.6/30", &n, &e), 0);
	assert_int_equal(nn_prefix_hosts(&n, 2, out, &e), 0);
	assert_string_equal(fmt(&out[0]), "10.10.0.5/30");
	assert_string_equal(fmt(&out[1]), "10.10.0.6/30");

	memset(&n, 0, sizeof(n));
	n.family = AF_UNIX;
	assert_int_equal(nn_prefix_hosts(&n, 1, out, &e), -EINVAL);
}

static void test_network(void **state)
{
	struct nn_error e = { 0 };
	struct nn_prefix a, n;

	assert_int_equal(nn_parse_ifaddr("10.10.0.5/30", &a, &e), 0);
	nn_prefix_network(&a, &n);
	assert_string_equal(fmt(&n), "10.10.0.4/30");
	assert_string_equal(fmt(&a), "10.10.0.5/30");

	assert_int_equal(nn_parse_ifaddr("10.255.255.255/0", &a, &e), 0);
	nn_prefix_network(&a, &n);
	assert_string_equal(fmt(&n), "0.0.0.0/0");

	assert_int_equal(nn_parse_ifaddr("10.255.255.255/9", &a, &e), 0);
	nn_prefix_network(&a, &n);
	assert_string_equal(fmt(&n), "10.128.0.0/9");

	assert_int_equal(nn_parse_ifaddr("10.1.2.3", &a, &e), 0);
	nn_prefix_network(&a, &n);
	assert_true(nn_prefix_equal(&a, &n));

	assert_int_equal(nn_parse_ifaddr("fd00:1:2:3:4:5:6:7/100", &a, &e), 0);
	nn_prefix_network(&a, &n);
	assert_string_equal(fmt(&n), "fd00:1:2:3:4:5::/100");

	assert_int_equal(nn_parse_ifaddr("fd00::ffff/125", &a, &e), 0);
	nn_prefix_network(&a, &n);
	assert_string_equal(fmt(&n), "fd00::fff8/125");
}

static void test_equal(void **state)
{
	struct nn_prefix a = cidr("10.0.0.0/24"), b = cidr("10.0.0.0/24"), c;

	assert_true(nn_prefix_equal(&a, &b));
	b.len = 25;
	assert_false(nn_prefix_equal(&a, &b));
	b = cidr("10.0.1.0/24");
	assert_false(nn_prefix_equal(&a, &b));
	c = cidr("::/24");
	assert_false(nn_prefix_equal(&a, &c));
	c = cidr("a00::/24");	/* same first bytes, other family */
	assert_false(nn_prefix_equal(&a, &c));

	/* Only an IPv4 address's own four bytes count. */
	b = a;
	b.addr.bytes[7] = 0xff;
	assert_true(nn_prefix_equal(&a, &b));

	a = cidr("fd00::/64");
	b = cidr("fd00::/64");
	assert_true(nn_prefix_equal(&a, &b));
	b.addr.bytes[15] = 1;
	assert_false(nn_prefix_equal(&a, &b));
}

static void test_format(void **state)
{
	struct nn_prefix p = cidr("10.10.0.0/30");
	char buf[64], small[8];

	assert_string_equal(nn_format_prefix(buf, sizeof(buf), &p, true), "10.10.0.0/30");
	assert_string_equal(nn_format_prefix(buf, sizeof(buf), &p, false), "10.10.0.0");
	assert_ptr_equal(nn_format_prefix(small, sizeof(small), &p, true), small);
	assert_string_equal(small, "10.10.0");

	p = cidr("fd00:0:0:0:0:0:0:0/64");
	assert_string_equal(nn_format_prefix(buf, sizeof(buf), &p, true), "fd00::/64");
	assert_string_equal(nn_format_prefix(buf, sizeof(buf), &p, false), "fd00::");

	memset(&p, 0, sizeof(p));
	p.family = AF_UNIX;
	assert_string_equal(nn_format_prefix(buf, sizeof(buf), &p, false), "?");
}

/* Whatever parses formats back to a string that parses to the same prefix. */
static void test_round_trip(void **state)
{
	static const char *const in[] = {
		"10.10.0.1/30", "192.0.2.255/32", "0.0.0.0/0", "fd00::1/64",
		"2001:db8:0:0:1:0:0:1/48", "::1/128", "::ffff:1.2.3.4/96",
	};
	struct nn_error e = { 0 };
	struct nn_prefix a, b;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(nn_parse_ifaddr(in[i], &a, &e), 0);
		nn_format_prefix(buf, sizeof(buf), &a, true);
		assert_int_equal(nn_parse_ifaddr(buf, &b, &e), 0);
		assert_true(nn_prefix_equal(&a, &b));
		assert_memory_equal(&a, &b, sizeof(a));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_cidr_invalid),
		cmocka_unit_test(test_ifaddr),
		cmocka_unit_test(test_hosts_v4),
		cmocka_unit_test(test_hosts_v6),
		cmocka_unit_test(test_hosts_carry),
		cmocka_unit_test(test_hosts_from_host_address),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
