// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "util/show.h"
#include "netnsctl/names.h"

static bool is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* The first reason NAME is unusable, or NULL; FORBIDDEN lists bytes refused. */
static const char *name_problem(const char *name, size_t max, const char *forbidden,
				char *why, size_t whylen)
{
	size_t n = strlen(name);
	const char *p;

	if (!n)
		return "empty";
	if (n > max) {
		snprintf(why, whylen, "longer than %zu bytes", max);
		return why;
	}
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "reserved name";
	for (p = name; *p; p++) {
		if (strchr(forbidden, *p)) {
			snprintf(why, whylen, "contains '%c'", *p);
			return why;
		}
		if (is_space(*p))
			return "contains whitespace";
		if (is_control(*p))
			return "contains a control character";
	}
	return NULL;
}

bool nn_netns_name_valid(const char *name)
{
	return name && *name && strlen(name) <= NAME_MAX && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

/* NAME against the rule of a kernel name at most MAX long, none of BAD in
 * it; NOUN names the thing in the message. */
static int check_name(const char *name, size_t max, const char *bad, const char *noun,
		      struct nn_error *e)
{
	const char *why;
	struct nn_shown b;
	char buf[64];

	if (!name)
		name = "";
	why = name_problem(name, max, bad, buf, sizeof(buf));
	if (why)
		return nn_error_setx(e, EINVAL, "invalid %s name \"%s\": %s", noun, nn_show(&b, name), why);
	return 0;
}

int nn_check_netns_name(const char *name, struct nn_error *e)
{
	return check_name(name, NAME_MAX, "/", "namespace", e);
}

int nn_check_ifname(const char *name, struct nn_error *e)
{
	/* The kernel's dev_valid_name(): '/' would break sysfs, ':' is an alias. */
	return check_name(name, IFNAMSIZ - 1, "/:", "interface", e);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int nn_parse_mac(const char *s, uint8_t mac[6], struct nn_error *e)
{
	uint8_t out[6];
	struct nn_shown b;
	char sep = 0;
	int i, hi, lo;

	if (!s)
		s = "";
	for (i = 0; i < 6; i++) {
		const char *p = s + i * 3;

		/* Check each byte before reading the next: P never passes the NUL. */
		hi = hex_value(p[0]);
		lo = hi < 0 ? -1 : hex_value(p[1]);
		if (lo < 0)
			goto bad;
		out[i] = hi << 4 | lo;
		if (i == 5) {
			if (p[2])
				goto bad;
		} else {
			if (p[2] != ':' && p[2] != '-')
				goto bad;
			if (sep && p[2] != sep)
				goto bad;
			sep = p[2];
		}
	}
	memcpy(mac, out, sizeof(out));
	return 0;
bad:
	return nn_error_setx(e, EINVAL,
			     "invalid MAC address \"%s\": expected six hex bytes like 02:00:5e:10:00:01",
			     nn_show(&b, s));
}

/* Edits from A to B (optimal string alignment), '_' and '-' alike; stops
 * counting past LIMIT (returns LIMIT + 1).  Words longer than 64 bytes are
 * no one's typo. */
static size_t edits(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[66][66];

	if (la > 64 || lb > 64)
		return limit + 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			char ca = a[i - 1] == '_' ? '-' : a[i - 1], cb = b[j - 1] == '_' ? '-' : b[j - 1];
			size_t best = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb] > limit ? limit + 1 : d[la][lb];
}

const char *nn_nearest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strlen(word), limit = len <= 4 ? 1 : len <= 8 ? 2 : 3, best = limit + 1;
	const char *found = NULL, *prefix_of = NULL;
	size_t prefixes = 0;

	if (!len)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d = edits(word, cands[i], limit);

		if (d < best) {
			best = d;
			found = cands[i];
		}
		if (!strncmp(cands[i], word, len)) {
			prefixes++;
			prefix_of = cands[i];
		}
	}
	if (found)
		return found;
	return prefixes == 1 ? prefix_of : NULL;
}

/* NAME as a prefix and a number (no leading 0, no sign): the prefix's
 * length, or -1 when NAME does not end in such a number. */
static int split_number(const char *name, uint64_t *num)
{
	size_t n = strlen(name), d = n;

	while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
		d--;
	/* 19 digits always fit in 64 bits */
	if (d == n || n - d > 19 || (name[d] == '0' && n - d > 1))
		return -1;
	*num = 0;
	for (size_t i = d; i < n; i++)
		*num = *num * 10 + (uint64_t)(name[i] - '0');
	return d > INT_MAX ? -1 : (int)d;
}

/* Names I and J (J follows I) are the same prefix and numbers K, K + 1. */
static bool next_in_run(const char *a, const char *b)
{
	uint64_t x, y;
	int pa = split_number(a, &x), pb = split_number(b, &y);

	return pa >= 0 && pa == pb && !strncmp(a, b, (size_t)pa) && x != UINT64_MAX && y == x + 1;
}

size_t nn_names_summary(char *buf, size_t len, const char *const *names, size_t n)
{
	/* " and 18446744073709551615 more" */
	const size_t tail = 32;
	size_t off = 0, shown = 0, items = 0, total = 0, i = 0;
	char item[2 * NAME_MAX + 8];

	for (size_t k = 0; k < n; k++)
		total += names[k] != NULL;
	if (len < tail) {
		if (len)
			*buf = '\0';
		return 0;
	}
	*buf = '\0';
	while (i < n) {
		size_t run = 1, j, k;
		int w;

		if (!names[i]) {
			i++;
			continue;
		}
		/* the run from I: each next non-NULL name one higher */
		for (j = i, k = i + 1; k < n; k++) {
			if (!names[k])
				continue;
			if (!next_in_run(names[j], names[k]))
				break;
			j = k;
			run++;
		}
		w = -1;
		if (run >= 3) {
			w = snprintf(item, sizeof(item), "%s..%s", names[i], names[j]);
			/* a run too long for the room left: its first name, at least */
			if (w >= 0 && off + (off ? 2 : 0) + (size_t)w + (shown + run < total ? tail : 0) >= len)
				w = -1;
		}
		if (w < 0) {
			w = snprintf(item, sizeof(item), "%s", names[i]);
			run = 1;
			k = i + 1;
		}
		/* the last item needs no room for the tail */
		if (w < 0 || items == NN_NAMES_SUMMARY_ITEMS ||
		    off + (off ? 2 : 0) + (size_t)w + (shown + run < total ? tail : 0) >= len)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", item);
		shown += run;
		items++;
		i = k;
	}
	if (shown < total && off)
		snprintf(buf + off, len - off, " and %zu more", total - shown);
	else if (shown < total)
		snprintf(buf, len, "%zu name%s", total, total == 1 ? "" : "s");
	return shown;
}
