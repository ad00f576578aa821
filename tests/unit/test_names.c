// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/names.h"
#include "util/show.h"

static void netns_ok(const char *name)
{
	struct nn_error e = { 0 };
	int ret = nn_check_netns_name(name, &e);

	if (ret)
		print_error("\"%s\": %s\n", name, e.msg);
	assert_int_equal(ret, 0);
}

static void netns_bad(const char *name, const char *msg)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_check_netns_name(name, &e), -EINVAL);
	assert_int_equal(e.code, EINVAL);
	assert_memory_equal(e.msg, "invalid namespace name \"", 24);
	assert_null(strchr(e.msg, '\n'));
	if (msg)
		assert_string_equal(e.msg, msg);
}

static void ifname_ok(const char *name)
{
	struct nn_error e = { 0 };
	int ret = nn_check_ifname(name, &e);

	if (ret)
		print_error("\"%s\": %s\n", name, e.msg);
	assert_int_equal(ret, 0);
}

static void ifname_bad(const char *name, const char *msg)
{
	struct nn_error e = { 0 };

	assert_int_equal(nn_check_ifname(name, &e), -EINVAL);
	assert_int_equal(e.code, EINVAL);
	assert_memory_equal(e.msg, "invalid interface name \"", 24);
	if (msg)
		assert_string_equal(e.msg, msg);
}

static void test_netns_valid(void **state)
{
	char max[NAME_MAX + 1];

	memset(max, 'n', NAME_MAX);
	max[NAME_MAX] = '\0';
	netns_ok("a");
	netns_ok("sva");
	netns_ok("ns-1_x.y");
	netns_ok(".hidden");
	netns_ok("...");
	netns_ok("a..b");
	netns_ok("caf\xc3\xa9");
	netns_ok("ns:1");
	netns_ok(max);
}

static void test_netns_invalid(void **state)
{
	char big[NAME_MAX + 2], msg[NN_ERROR_MAX];

	netns_bad("a/b", "invalid namespace name \"a/b\": contains '/'");
	netns_bad("/", NULL);
	netns_bad("../x", NULL);
	netns_bad("", "invalid namespace name \"\": empty");
	netns_bad(NULL, "invalid namespace name \"\": empty");
	netns_bad(".", "invalid namespace name \".\": reserved name");
	netns_bad("..", "invalid namespace name \"..\": reserved name");
	netns_bad("a b", "invalid namespace name \"a b\": contains whitespace");
	netns_bad(" a", NULL);
	netns_bad("a ", NULL);
	netns_bad("a\tb", NULL);
	netns_bad("a\nb", "invalid namespace name \"a\\x0ab\": contains whitespace");
	netns_bad("a\x01", "invalid namespace name \"a\\x01\": contains a control character");
	netns_bad("a\x1b[31m", NULL);
	netns_bad("a\x7f", "invalid namespace name \"a\\x7f\": contains a control character");

	memset(big, 'n', NAME_MAX + 1);
	big[NAME_MAX + 1] = '\0';
	snprintf(msg, sizeof(msg), "invalid namespace name \"%.96s...\": longer than 255 bytes",
		 big);
	netns_bad(big, msg);
}

/* The names of namespaces that exist: iproute2's rule, not netnsctl's
 * stricter one for names it gives. */
static void test_netns_existing(void **state)
{
	char long_name[300];

	(void)state;
	assert_true(nn_netns_name_valid("sva"));
	assert_true(nn_netns_name_valid("odd name\tx"));	/* ip netns add takes it */
	assert_false(nn_netns_name_valid(""));
	assert_false(nn_netns_name_valid(NULL));
	assert_false(nn_netns_name_valid("."));
	assert_false(nn_netns_name_valid(".."));
	assert_false(nn_netns_name_valid("a/b"));
	memset(long_name, 'x', 256);
	long_name[256] = 0;
	assert_false(nn_netns_name_valid(long_name));
	long_name[255] = 0;
	assert_true(nn_netns_name_valid(long_name));
}

static void test_netns_null_error(void **state)
{
	assert_int_equal(nn_check_netns_name("a/b", NULL), -EINVAL);
	assert_int_equal(nn_check_netns_name("ok", NULL), 0);
}

static void test_ifname_valid(void **state)
{
	ifname_ok("eth0");
	ifname_ok("veth-a");
	ifname_ok("a");
	ifname_ok("abcdefghijklmno");	/* 15 bytes */
	ifname_ok("br.100");
	ifname_ok("...");
}

static void test_ifname_invalid(void **state)
{
	ifname_bad("averyveryverylongname",
		   "invalid interface name \"averyveryverylongname\": longer than 15 bytes");
	ifname_bad("abcdefghijklmnop", NULL);	/* 16 bytes */
	ifname_bad("", "invalid interface name \"\": empty");
	ifname_bad(NULL, NULL);
	ifname_bad("eth0:1", "invalid interface name \"eth0:1\": contains ':'");
	ifname_bad("a/b", "invalid interface name \"a/b\": contains '/'");
	ifname_bad(".", NULL);
	ifname_bad("..", NULL);
	ifname_bad("a b", NULL);
	ifname_bad("a\n", NULL);
	ifname_bad("a\x01", NULL);
}

static void mac_ok(const char *s, const uint8_t want[6])
{
	struct nn_error e = { 0 };
	uint8_t mac[6] = { 0 };
	int ret = nn_parse_mac(s, mac, &e);

	if (ret)
		print_error("\"%s\": %s\n", s, e.msg);
	assert_int_equal(ret, 0);
	assert_memory_equal(mac, want, 6);
}

static void mac_bad(const char *s)
{
	static const uint8_t untouched[6] = { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa };
	struct nn_error e = { 0 };
	uint8_t mac[6];

	memcpy(mac, untouched, 6);
	if (nn_parse_mac(s, mac, &e) != -EINVAL)
		print_error("\"%s\" was accepted\n", s ? s : "(null)");
	assert_int_equal(nn_parse_mac(s, mac, &e), -EINVAL);
	assert_int_equal(e.code, EINVAL);
	assert_memory_equal(e.msg, "invalid MAC address \"", 21);
	assert_memory_equal(mac, untouched, 6);
}

static void test_mac(void **state)
{
	static const uint8_t a[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	static const uint8_t ff[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t z[6] = { 0 };
	static const uint8_t mixed[6] = { 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45 };

	mac_ok("02:00:5e:10:00:01", a);
	mac_ok("02-00-5e-10-00-01", a);
	mac_ok("02:00:5E:10:00:01", a);
	mac_ok("ff:ff:ff:ff:ff:ff", ff);
	mac_ok("01:00:5e:00:00:01", mc);
	mac_ok("00:00:00:00:00:00", z);
	mac_ok("AB:cd:Ef:01:23:45", mixed);
}

static void test_mac_invalid(void **state)
{
	struct nn_error e = { 0 };
	uint8_t mac[6];

	mac_bad("");
	mac_bad(NULL);
	mac_bad("0");
	mac_bad("02");
	mac_bad("02:");
	mac_bad("02:00:5e:10:00");
	mac_bad("02:00:5e:10:00:");
	mac_bad("02:00:5e:10:00:0");
	mac_bad("02:00:5e:10:00:001");
	mac_bad("02:00:5e:10:00:01:");
	mac_bad("02:00:5e:10:00:01:02");
	mac_bad("02:00-5e:10:00:01");
	mac_bad("02-00-5e-10-00:01");
	mac_bad("2:0:5e:10:0:1");
	mac_bad("02:00:5e:10:00:0g");
	mac_bad("g2:00:5e:10:00:01");
	mac_bad("0200.5e10.0001");
	mac_bad("02005e100001");
	mac_bad(" 02:00:5e:10:00:01");
	mac_bad("02:00:5e:10:00:01 ");
	mac_bad("02::00:5e:10:00:01");
	mac_bad("02.00.5e.10.00.01");
	mac_bad("+2:00:5e:10:00:01");

	assert_int_equal(nn_parse_mac("02:00:5e:10:00", mac, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid MAC address \"02:00:5e:10:00\": "
			    "expected six hex bytes like 02:00:5e:10:00:01");
}

/* What a writer of S puts out, as a string. */
static const char *written(void (*put)(FILE *, const char *), const char *s)
{
	static char out[1024];
	FILE *f = fmemopen(out, sizeof(out), "w");

	assert_non_null(f);
	put(f, s);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* Issue #12: names with C1 controls or bytes that are not UTF-8 were
 * printed raw (and list --json was not UTF-8). */
static void test_shown_names(void **state)
{
	assert_string_equal(written(nn_put_shown, "sva"), "sva");
	assert_string_equal(written(nn_put_shown, "caf\xc3\xa9"), "caf\xc3\xa9");
	assert_string_equal(written(nn_put_shown, "a\\b"), "a\\\\b");
	assert_string_equal(written(nn_put_shown, "x\x01\x7f"), "x\\x01\\x7f");
	/* U+0085 (C1) is two bytes, both shown; U+00A0 is printable */
	assert_string_equal(written(nn_put_shown, "c\xc2\x85\xc2\xa0"), "c\\xc2\\x85\xc2\xa0");
	/* not UTF-8: a stray continuation byte, 0xff, a cut sequence, an
	 * overlong '/', a surrogate */
	assert_string_equal(written(nn_put_shown, "\x80\xff\xe2\x82"), "\\x80\\xff\\xe2\\x82");
	assert_string_equal(written(nn_put_shown, "\xc0\xaf\xed\xa0\x80"),
			    "\\xc0\\xaf\\xed\\xa0\\x80");
	assert_string_equal(written(nn_put_shown, "\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

static void test_json_strings(void **state)
{
	assert_string_equal(written(nn_put_json, "sva"), "\"sva\"");
	assert_string_equal(written(nn_put_json, "caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	assert_string_equal(written(nn_put_json, "q\"b\\"), "\"q\\\"b\\\\\"");
	assert_string_equal(written(nn_put_json, "\n\x7f\xc2\x85"), "\"\\u000a\\u007f\\u0085\"");
	/* a byte that is not UTF-8: the text \xHH */
	assert_string_equal(written(nn_put_json, "bad\xff"), "\"bad\\\\xff\"");
}

/* A command's output: any bytes, NULs and cut characters too; what is not
 * UTF-8 is U+FFFD (exec-all --json). */
static void test_json_bytes(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	nn_put_json_n(f, "a\0b\xff\nc\xc3", 7, true);
	fclose(f);
	assert_string_equal(buf, "\"a\\u0000b\\ufffd\\u000ac\\ufffd\"");
	free(buf);
}

static void test_nearest(void **state)
{
	static const char *const cmds[] = { "create-namespaces", "delete-namespaces", "list",
					     "labs", "status", "create-veth-pair" };
	static const char *const opts[] = { "delay", "jitter", "loss", "loss-correlation",
					     "dry-run", "json" };
	const size_t nc = sizeof(cmds) / sizeof(cmds[0]), no = sizeof(opts) / sizeof(opts[0]);

	(void)state;
	assert_string_equal(nn_nearest("create_namespaces", cmds, nc), "create-namespaces");
	assert_string_equal(nn_nearest("creat-namespace", cmds, nc), "create-namespaces");
	assert_string_equal(nn_nearest("stauts", cmds, nc), "status");
	assert_string_equal(nn_nearest("lsit", cmds, nc), "list");
	assert_string_equal(nn_nearest("create-veth", cmds, nc), "create-veth-pair");
	assert_null(nn_nearest("frobnicate", cmds, nc));
	assert_null(nn_nearest("", cmds, nc));
	assert_string_equal(nn_nearest("dealy", opts, no), "delay");
	assert_string_equal(nn_nearest("dry_run", opts, no), "dry-run");
	assert_string_equal(nn_nearest("loss-corr", opts, no), "loss-correlation");
	assert_string_equal(nn_nearest("jsno", opts, no), "json");
	assert_null(nn_nearest("rate", opts, no));
	assert_null(nn_nearest("x", opts, no));
}

static void summary_is(const char *const *names, size_t n, size_t len, const char *want,
		       size_t want_shown)
{
	char buf[512];

	assert_true(len <= sizeof(buf));
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(nn_names_summary(buf, len, names, n), want_shown);
	assert_string_equal(buf, want);
	assert_true(strlen(buf) < len);
}

static void test_names_summary(void **state)
{
	static char store[300][16];
	const char *v[300];
	const char *mixed[] = { "ns1", "ns2", "ns3", "ns5", "ns7", "ns8", "web", "ns9", "ns10", "ns11" };
	const char *odd[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k" };
	const char *zeros[] = { "n01", "n02", "n03", "ns", "x9", NULL, "x10", "x11" };
	const char *wrap[] = { "n18446744073709551615", "n18446744073709551616", "n1" };
	static char longname[251], want[300];
	const char *long_v[2], *run_v[3];
	static char longrun[3][250];

	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(store[i], sizeof(store[i]), "ns%d", i + 1);
		v[i] = store[i];
	}
	summary_is(v, 100, 200, "ns1..ns100", 100);
	summary_is(v, 1, 200, "ns1", 1);
	summary_is(v, 2, 200, "ns1, ns2", 2);
	summary_is(v, 0, 200, "", 0);
	summary_is(mixed, 10, 200, "ns1..ns3, ns5, ns7, ns8, web, ns9..ns11", 10);
	/* at most NN_NAMES_SUMMARY_ITEMS, then how many are left */
	summary_is(odd, 11, 200, "a, b, c, d, e, f, g, h and 3 more", 8);
	/* a full buffer: the tail always fits */
	summary_is(odd, 11, 40, "a, b, c and 8 more", 3);
	/* leading zeros are no numbers; NULLs are skipped */
	summary_is(zeros, 8, 200, "n01, n02, n03, ns, x9..x11", 7);
	/* numbers too long for 64 bits are no run */
	summary_is(wrap, 3, 200, "n18446744073709551615, n18446744073709551616, n1", 3);
	/* every other one missing: no runs */
	for (int i = 0; i < 150; i++)
		v[i] = store[2 * i];
	summary_is(v, 150, 64, "ns1, ns3, ns5, ns7, ns9, ns11 and 144 more", 6);
	summary_is(v, 3, 31, "", 0);
	/* not even the first fits */
	memset(longname, 'c', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	long_v[0] = longname;
	long_v[1] = "ns1";
	summary_is(long_v, 2, 200, "2 names", 0);
	summary_is(long_v, 1, 200, "1 name", 0);
	snprintf(want, sizeof(want), "%s, ns1", longname);
	summary_is(long_v, 2, 300, want, 2);
	long_v[1] = longname;
	snprintf(want, sizeof(want), "%s and 1 more", longname);
	summary_is(long_v, 2, 300, want, 1);
	/* a run that does not fit: its first name, then the count */
	for (int i = 0; i < 3; i++) {
		snprintf(longrun[i], sizeof(longrun[i]), "%.*s%d", 240, longname, i + 1);
		run_v[i] = longrun[i];
	}
	snprintf(want, sizeof(want), "%s and 2 more", longrun[0]);
	summary_is(run_v, 3, 300, want, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shown_names),
		cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_json_bytes),
		cmocka_unit_test(test_netns_valid),
		cmocka_unit_test(test_netns_existing),
		cmocka_unit_test(test_netns_invalid),
		cmocka_unit_test(test_netns_null_error),
		cmocka_unit_test(test_ifname_valid),
		cmocka_unit_test(test_ifname_invalid),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_mac_invalid),
		cmocka_unit_test(test_nearest),
		cmocka_unit_test(test_names_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
