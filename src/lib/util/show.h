/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_SHOW_H
#define NETNSCTL_SHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A user's value as it goes into an error message: one line, printable,
 * quotes and backslashes escaped, other bytes as \xHH, cut after 96 bytes. */

#define NN_SHOW_MAX 96

struct nn_shown {
	char s[NN_SHOW_MAX * 4 + 4];
};

const char *nn_show(struct nn_shown *b, const char *s);

/* Length of the well-formed UTF-8 sequence at S (1 for ASCII), 0 when there
 * is none: a stray or cut byte, an overlong form, a surrogate, > U+10FFFF. */
size_t nn_utf8_len(const char *s);

/* Its code point, for a sequence nn_utf8_len() accepted (N bytes). */
unsigned nn_utf8_cp(const char *s, size_t n);

/*
 * A name (or a line of output holding names) as netnsctl prints it: valid
 * UTF-8 that prints stays as it is ("café"); a backslash becomes "\\", and
 * C0 and C1 controls, DEL and bytes that are not UTF-8 become "\xHH" per
 * byte, as nn_show() writes them.  Not cut.
 */
void nn_put_shown(FILE *f, const char *s);

/*
 * S as a JSON string, quotes included: the one JSON string writer.  Valid
 * UTF-8 is written as it is, control characters (C0, DEL, C1) as \u00XX.  A
 * byte that is not UTF-8 cannot be in JSON at all: it is written as the text
 * "\xHH" (a backslash, then x and two hex digits), as text output shows it.
 */
void nn_put_json(FILE *f, const char *s);
/* N bytes of S (NUL bytes too) the same way; with LOSSY (a command's
 * output, where a byte that is not UTF-8 says nothing) such a byte is
 * U+FFFD instead. */
void nn_put_json_n(FILE *f, const char *s, size_t n, bool lossy);

/*
 * A buffer of LEN bytes filled piece by piece, always terminated, cut at
 * its end and never overrun: struct nn_out o = { buf, len, 0 }.
 */
struct nn_out {
	char *buf;
	size_t len, pos;
};
void nn_out_put(struct nn_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
