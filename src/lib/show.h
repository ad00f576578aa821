/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_SHOW_H
#define NETNSCTL_SHOW_H

#include <stddef.h>
#include <stdio.h>

/* A user's value as it goes into an error message: one line, printable,
 * quotes and backslashes escaped, other bytes as \xHH, cut after 96 bytes. */

#define NN_SHOW_MAX 96

struct nn_shown {
	char s[NN_SHOW_MAX * 4 + 4];
};

const char *nn_show(struct nn_shown *b, const char *s);

/* Length of the well-formed UTF-8 sequence at S, 0 when there is none. */
size_t nn_utf8_len(const unsigned char *s);

/*
 * S as a JSON string, quotes included, onto F: the one escaper of every
 * --json output.  '"', '\\' and control characters are escaped; a byte that
 * is no part of well-formed UTF-8 (a name may hold any byte) is written as
 * the text \xHH, as error messages show it, so the output stays valid JSON.
 */
void nn_json_str(FILE *f, const char *s);

#endif
