// SPDX-License-Identifier: GPL-2.0-or-later
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
