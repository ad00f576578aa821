// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "util/word.h"

const char *nn_word_enc(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s && o + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == 0x7f || c == '%')
			o += (size_t)snprintf(buf + o, len - o, "%%%02X", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = 0;
	return buf;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int nn_word_dec(char *out, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s; s++) {
		int c = (unsigned char)*s;

		if (c == '%') {
			int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);

			if (l < 0)
				return -1;
			c = h * 16 + l;
			s += 2;
		}
		if (o + 1 >= len || c == 0)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = 0;
	return 0;
}
