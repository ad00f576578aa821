// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/clients.h"

static void test_names(void **state)
{
	struct nn_error e = { 0 };
	char buf[300];

	(void)state;
	assert_int_equal(nn_client_name(buf, sizeof(buf), "ns", 7, &e), 0);
	assert_string_equal(buf, "ns7");
	assert_int_equal(nn_client_name(buf, sizeof(buf), "a/b", 1, &e), -EINVAL);

	assert_int_equal(nn_client_name_matches("ns1", "ns"), 1);
	assert_int_equal(nn_client_name_matches("ns120", "ns"), 1);
	assert_int_equal(nn_client_name_matches("ns", "ns"), 0);
	assert_int_equal(nn_client_name_matches("ns0", "ns"), 0);
	assert_int_equal(nn_client_name_matches("ns01", "ns"), 0);
	assert_int_equal(nn_client_name_matches("ns1x", "ns"), 0);
	assert_int_equal(nn_client_name_matches("nsa1", "ns"), 0);
	assert_int_equal(nn_client_name_matches("n1", "ns"), 0);
	assert_int_equal(nn_client_name_matches("st3", "st"), 1);
}

static void test_mac_from_name(void **state)
{
	uint8_t a[6], b[6];
	char name[16];

	(void)state;
	nn_client_mac_from_name("ns7", a);
	nn_client_mac_from_name("ns7", b);
	assert_memory_equal(a, b, 6);		/* stable */
	assert_int_equal(a[0] & 3, 2);		/* unicast, locally administered */
	nn_client_mac_from_name("ns8", b);
	assert_memory_not_equal(a, b, 6);

	/* No two of the first 4096 default names share a MAC (what a call checks). */
	static uint8_t macs[4096][6];

	for (unsigned i = 0; i < 4096; i++) {
		snprintf(name, sizeof(name), "ns%u", i + 1);
		nn_client_mac_from_name(name, macs[i]);
		assert_int_equal(macs[i][0] & 3, 2);
		for (unsigned j = 0; j < i; j++)
			assert_memory_not_equal(macs[i], macs[j], 6);
	}
}

static void test_mac_from_base(void **state)
{
	const uint8_t base[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
	const uint8_t top[6] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xfe };
	struct nn_error e = { 0 };
	uint8_t m[6];

	(void)state;
	assert_int_equal(nn_client_mac_from_base(base, 0, m, &e), 0);
	assert_memory_equal(m, base, 6);
	assert_int_equal(nn_client_mac_from_base(base, 3, m, &e), 0);
	assert_memory_equal(m, ((uint8_t[]){ 0x02, 0, 0, 0, 0x01, 0x01 }), 6);
	assert_int_equal(nn_client_mac_from_base(top, 1, m, &e), 0);
	assert_int_equal(nn_client_mac_from_base(top, 2, m, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "changes its first byte"));

	assert_int_equal(nn_client_check_mac_base("x", base, &e), 0);
	assert_int_equal(nn_client_check_mac_base("01:00:00:00:00:00",
						  (uint8_t[]){ 1, 0, 0, 0, 0, 0 }, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid MAC base \"01:00:00:00:00:00\": a multicast address");
	assert_int_equal(nn_client_check_mac_base("00:11:22:33:44:55",
						  (uint8_t[]){ 0, 0x11, 0x22, 0x33, 0x44, 0x55 }, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "not locally administered"));
}

static void sample(struct nn_client_info *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "ns12");
	memcpy(c->mac, ((uint8_t[]){ 0x02, 0xab, 0, 1, 2, 3 }), 6);
	c->has_addr = true;
	c->addr.family = AF_INET;
	inet_pton(AF_INET, "10.77.1.105", &c->addr.addr.v4);
	c->addr.len = 24;
	c->has_gateway = true;
	inet_pton(AF_INET, "10.77.1.1", &c->gateway);
	inet_pton(AF_INET, "10.77.1.1", &c->server);
	c->n_dns = 2;
	inet_pton(AF_INET, "10.77.1.53", &c->dns[0]);
	inet_pton(AF_INET, "10.77.1.54", &c->dns[1]);
	snprintf(c->domain, sizeof(c->domain), "lan.example");
	c->lease_s = 120;
	c->t1_s = 60;
	c->t2_s = 105;
	c->t1_ms = 1060000;
	c->t2_ms = 1105000;
	c->expiry_ms = UINT64_MAX;
	c->expiry = 1795462846;
}

static void test_lease_file_round_trip(void **state)
{
	struct nn_client_info c, d;
	struct nn_error e = { 0 };
	char text[2048];

	(void)state;
	sample(&c);
	assert_true(nn_client_format(&c, text, sizeof(text)) > 0);
	assert_string_equal(text,
			    "name ns12\n"
			    "mac 02:ab:00:01:02:03\n"
			    "static 0\n"
			    "address 10.77.1.105/24\n"
			    "gateway 10.77.1.1\n"
			    "server 10.77.1.1\n"
			    "dns 10.77.1.53\n"
			    "dns 10.77.1.54\n"
			    "domain lan.example\n"
			    "lease 120 60 105\n"
			    "times 1060000 1105000 never\n"
			    "expiry 1795462846\n");
	assert_int_equal(nn_client_parse(text, &d, &e), 0);
	assert_memory_equal(&c, &d, sizeof(c));

	/* What leasing and the last renewal took (list-clients shows them). */
	c.acquired_at = 1795462700;
	c.acquire_us = 12345;
	c.acquire_retransmits = 1;
	c.renewed_at = 1795462760;
	c.renew_us = 987;
	c.renew_retransmits = 0;
	c.renewals = 3;
	assert_true(nn_client_format(&c, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "expiry 1795462846\nacquired 1795462700 12345 1\n"
				     "renewed 1795462760 987 0 3\n"));
	assert_int_equal(nn_client_parse(text, &d, &e), 0);
	assert_memory_equal(&c, &d, sizeof(c));

	/* A static client: no lease lines. */
	sample(&c);
	c.is_static = true;
	c.has_gateway = false;
	c.server.s_addr = 0;
	c.n_dns = 0;
	c.domain[0] = '\0';
	assert_true(nn_client_format(&c, text, sizeof(text)) > 0);
	assert_string_equal(text, "name ns12\nmac 02:ab:00:01:02:03\nstatic 1\naddress 10.77.1.105/24\n");
	assert_int_equal(nn_client_parse(text, &d, &e), 0);
	assert_true(d.is_static && d.has_addr && d.addr.len == 24);

	/* Too small a buffer is an error, not a cut file. */
	sample(&c);
	assert_true(nn_client_format(&c, text, 40) < 0);
}

static void parse_bad(const char *text, const char *msg)
{
	struct nn_client_info c;
	struct nn_error e = { 0 };

	assert_int_equal(nn_client_parse(text, &c, &e), -EINVAL);
	assert_null(strchr(e.msg, '\n'));
	if (strcmp(e.msg, msg))
		print_error("got \"%s\"\n", e.msg);
	assert_string_equal(e.msg, msg);
}

static void test_lease_file_bad(void **state)
{
	(void)state;
	parse_bad("", "client file has no name");
	parse_bad("mac 02:00:00:00:00:01\n", "client file has no name");
	parse_bad("name ns1\nmac zz\n", "client file line 2: bad mac \"zz\"");
	parse_bad("name ns1\nbogus 1\n", "client file line 2: bad bogus \"1\"");
	parse_bad("name ns1\nnovalue\n", "client file line 2: no value in \"novalue\"");
	parse_bad("name a/b\n", "client file line 1: bad name \"a/b\"");
	parse_bad("name ns1\naddress fd00::1/64\n", "client file line 2: bad address \"fd00::1/64\"");
	parse_bad("name ns1\nstatic 2\n", "client file line 2: bad static \"2\"");
	parse_bad("name ns1\nlease 1 2\n", "client file line 2: bad lease \"1 2\"");
	parse_bad("name ns1\nlease 1 2 3 4\n", "client file line 2: bad lease \"1 2 3 4\"");
	parse_bad("name ns1\nlease 1 2 99999999999\n", "client file line 2: bad lease \"1 2 99999999999\"");
	parse_bad("name ns1\ntimes 1 -2 3\n", "client file line 2: bad times \"1 -2 3\"");
	parse_bad("name ns1\nexpiry -5\n", "client file line 2: bad expiry \"-5\"");
	parse_bad("name ns1\nacquired 1 2\n", "client file line 2: bad acquired \"1 2\"");
	parse_bad("name ns1\nacquired 1 2 3 4\n", "client file line 2: bad acquired \"1 2 3 4\"");
	parse_bad("name ns1\nacquired 0 2 3\n", "client file line 2: bad acquired \"0 2 3\"");
	parse_bad("name ns1\nacquired 1 never 3\n", "client file line 2: bad acquired \"1 never 3\"");
	parse_bad("name ns1\nrenewed 1 2 3\n", "client file line 2: bad renewed \"1 2 3\"");
	parse_bad("name ns1\nrenewed 1 2 3 99999999999\n",
		  "client file line 2: bad renewed \"1 2 3 99999999999\"");
	parse_bad("name ns1\ndns 1.1.1.1\ndns 1.1.1.2\ndns 1.1.1.3\ndns 1.1.1.4\n",
		  "client file line 5: bad dns \"1.1.1.4\"");
	parse_bad("name ns1\nstatic 0\naddress 10.0.0.2/24\n",
		  "client file of \"ns1\" has a lease without server or times");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_mac_from_name),
		cmocka_unit_test(test_mac_from_base),
		cmocka_unit_test(test_lease_file_round_trip),
		cmocka_unit_test(test_lease_file_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
