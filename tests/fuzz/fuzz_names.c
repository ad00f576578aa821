// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names and MACs: nn_check_netns_name, nn_check_ifname and nn_parse_mac on
 * the input as a string, each against a plain restatement of its rule from
 * names.h; a valid interface name is a valid namespace name too; a parsed
 * MAC prints and parses back to the same bytes.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>

#include "netnsctl/names.h"
#include "fuzz.h"

/* names.h: non-empty, at most MAX bytes, not "." or "..", none of FORBIDDEN,
 * no whitespace or control characters. */
static bool name_ok(const char *s, size_t max, const char *forbidden)
{
	size_t n = strlen(s), i;

	if (!n || n > max || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (strchr(forbidden, c) || c <= ' ' || c == 0x7f)
			return false;
	}
	return true;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Six two-digit hex bytes, all separated by ':' or all by '-'. */
static bool mac_ok(const char *s, uint8_t mac[6])
{
	int i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;

		if (hex(p[0]) < 0 || hex(p[1]) < 0)
			return false;
		if (i < 5 && (p[2] != s[2] || (p[2] != ':' && p[2] != '-')))
			return false;
		mac[i] = (uint8_t)(hex(p[0]) << 4 | hex(p[1]));
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	uint8_t mac[6], want[6], back[6];
	char text[18];
	struct nn_error e;
	bool ok;
	int ret, ret_if;

	fuzz_error_poison(&e);
	ret = nn_check_netns_name(s, &e);
	ok = name_ok(s, NAME_MAX, "/");
	FUZZ_CHECK(ok == (ret == 0), "namespace name \"%s\": %d, expected %s", s, ret,
		   ok ? "valid" : "invalid");
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL, "namespace name: %d", ret);
		fuzz_check_error(&e, ret, "invalid namespace name \"", s);
	}

	fuzz_error_poison(&e);
	ret_if = nn_check_ifname(s, &e);
	ok = name_ok(s, IFNAMSIZ - 1, "/:");
	FUZZ_CHECK(ok == (ret_if == 0), "interface name \"%s\": %d, expected %s", s, ret_if,
		   ok ? "valid" : "invalid");
	if (ret_if < 0) {
		FUZZ_CHECK(ret_if == -EINVAL, "interface name: %d", ret_if);
		fuzz_check_error(&e, ret_if, "invalid interface name \"", s);
	}
	FUZZ_CHECK(ret_if < 0 || ret == 0, "\"%s\": an interface name but no namespace name", s);

	fuzz_error_poison(&e);
	memset(mac, 0xee, sizeof(mac));
	ret = nn_parse_mac(s, mac, &e);
	ok = mac_ok(s, want);
	FUZZ_CHECK(ok == (ret == 0), "MAC \"%s\": %d, expected %s", s, ret,
		   ok ? "valid" : "invalid");
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL, "MAC: %d", ret);
		fuzz_check_error(&e, ret, "invalid MAC address \"", s);
	} else {
		FUZZ_CHECK(!memcmp(mac, want, sizeof(mac)), "MAC \"%s\" decoded wrong", s);
		snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
			 mac[2], mac[3], mac[4], mac[5]);
		ret = nn_parse_mac(text, back, &e);
		FUZZ_CHECK(ret == 0 && !memcmp(back, mac, sizeof(mac)), "\"%s\" -> \"%s\" -> %d",
			   s, text, ret);
	}
	free(s);

	/* NULL is the empty string. */
	fuzz_error_poison(&e);
	ret = nn_check_netns_name(NULL, &e);
	fuzz_check_error(&e, ret, "invalid namespace name \"\": empty", "(null)");
	fuzz_error_poison(&e);
	ret = nn_check_ifname(NULL, &e);
	fuzz_check_error(&e, ret, "invalid interface name \"\": empty", "(null)");
	fuzz_error_poison(&e);
	ret = nn_parse_mac(NULL, mac, &e);
	fuzz_check_error(&e, ret, "invalid MAC address \"\"", "(null)");
	return 0;
}
