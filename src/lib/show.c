// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "show.h"

const char *nn_show(struct nn_shown *b, const char *s)
{
	size_t n = 0, i;

	for (i = 0; s[i]; i++) {
		unsigned char c = s[i];

		if (i == NN_SHOW_MAX) {
			memcpy(b->s + n, "...", 3);
			n += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			b->s[n++] = '\\';
			b->s[n++] = c;
		} else if (c < 0x20 || c >= 0x7f) {
			n += snprintf(b->s + n, 5, "\\x%02x", c);
		} else {
			b->s[n++] = c;
		}
	}
	b->s[n] = '\0';
	return b->s;
}

size_t nn_utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void nn_json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		size_t n;

		if (*s == '"' || *s == '\\') {
			fputc('\\', f);
			fputc(*s++, f);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else if ((n = nn_utf8_len(s)) == 0) {
			fprintf(f, "\\\\x%02x", *s++);
		} else {
			fwrite(s, 1, n, f);
			s += n;
		}
	}
	fputc('"', f);
}
