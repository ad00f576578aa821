/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_SHOW_H
#define NETNSCTL_SHOW_H

/* A user's value as it goes into an error message: one line, printable,
 * quotes and backslashes escaped, other bytes as \xHH, cut after 96 bytes. */

#define NN_SHOW_MAX 96

struct nn_shown {
	char s[NN_SHOW_MAX * 4 + 4];
};

const char *nn_show(struct nn_shown *b, const char *s);

#endif
