// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/show.h"

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

size_t nn_utf8_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned cp;
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

unsigned nn_utf8_cp(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned cp = n == 1 ? s[0] : s[0] & (0x7f >> n);

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

void nn_put_shown(FILE *f, const char *str)
{
	while (*str) {
		size_t n = nn_utf8_len(str);
		unsigned cp = n ? nn_utf8_cp(str, n) : 0;

		if (*str == '\\') {
			fputs("\\\\", f);
			str++;
		} else if (!n || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			/* each byte: a C1 control is two */
			for (size_t i = 0; i < (n ? n : 1); i++)
				fprintf(f, "\\x%02x", (unsigned char)*str++);
		} else {
			fwrite(str, 1, n, f);
			str += n;
		}
	}
}

/* The well-formed UTF-8 sequence at S of at most N bytes: its length (0:
 * none, as nn_utf8_len) and code point. */
static size_t utf8_at(const char *s, size_t n, unsigned *cp)
{
	char seq[5] = "";

	/* nn_utf8_len() reads up to 4 bytes of a terminated string. */
	memcpy(seq, s, n < 4 ? n : 4);
	n = nn_utf8_len(seq);
	*cp = n ? nn_utf8_cp(seq, n) : 0;
	return n;
}

void nn_put_json_n(FILE *f, const char *s, size_t n, bool lossy)
{
	const char *end = s + n;

	fputc('"', f);
	while (s < end) {
		unsigned cp;
		size_t k = *s ? utf8_at(s, (size_t)(end - s), &cp) : (cp = 0, 1);

		if (!k) {
			if (lossy)
				fputs("\\ufffd", f);
			else
				fprintf(f, "\\\\x%02x", (unsigned char)*s);
			s++;
		} else if (cp == '"' || cp == '\\') {
			fprintf(f, "\\%c", (char)cp);
			s++;
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			fprintf(f, "\\u%04x", cp);
			s += k;
		} else {
			fwrite(s, 1, k, f);
			s += k;
		}
	}
	fputc('"', f);
}

void nn_put_json(FILE *f, const char *s)
{
	nn_put_json_n(f, s, strlen(s), false);
}

void nn_out_put(struct nn_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->pos + 1 >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->pos = (size_t)n >= o->len - o->pos ? o->len - 1 : o->pos + (size_t)n;
}
