/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_WORD_H
#define NETNSCTL_WORD_H

/*
 * A name as one word of a line of netnsctl's record files (the ownership
 * journal, the deadline journal).  Namespace names may hold blanks (ip
 * netns allows any byte but '/' and NUL): '%', blanks, control bytes and
 * DEL are written %XX.
 */

#include <stddef.h>

/* S as one word into BUF (LEN bytes; cut short where it would not fit). */
const char *nn_word_enc(char *buf, size_t len, const char *s);
/* Back from nn_word_enc() into OUT (LEN bytes); -1 for a malformed or too
 * long word, or one that decodes to a NUL. */
int nn_word_dec(char *out, size_t len, const char *s);

#endif
