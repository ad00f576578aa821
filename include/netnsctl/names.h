/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NAMES_H
#define NETNSCTL_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "netnsctl/error.h"

/*
 * Namespace names as iproute2 accepts them, plus no control characters or
 * whitespace (a name becomes a file under /run/netns and /etc/netns): non-empty,
 * at most NAME_MAX bytes, no '/', not "." or "..".  -EINVAL, naming the value.
 */
int nn_check_netns_name(const char *name, struct nn_error *e);
/* The part of that rule iproute2 has too (it names a file of the run dir:
 * no '/', not "." or ".."), for the names of namespaces that exist: any
 * other byte may be in one another program made. */
bool nn_netns_name_valid(const char *name);

/* Interface names: 1..15 bytes (IFNAMSIZ - 1), no '/', ':' or whitespace, not "." or "..". */
int nn_check_ifname(const char *name, struct nn_error *e);

/* "02:00:5e:10:00:01" (also '-' separated); -EINVAL naming the value. */
int nn_parse_mac(const char *s, uint8_t mac[6], struct nn_error *e);

/*
 * Of the N words CANDS, the one WORD most likely mistypes (for "did you
 * mean"), or NULL when none is close: the fewest edits (a character
 * inserted, deleted, changed, or two swapped; '_' for '-' costs nothing),
 * at most 1 for words up to 4 bytes, 2 up to 8, 3 beyond.  A word that is
 * the start of exactly one candidate is that one.
 */
const char *nn_nearest(const char *word, const char *const *cands, size_t n);

/* At most this many runs or names in a summary before " and N more". */
#define NN_NAMES_SUMMARY_ITEMS 8

/*
 * The N names NAMES, in their order, as one short piece of a one-line
 * message in BUF: a run of three or more names that are one prefix and
 * consecutive numbers (ns1, ns2, ... ns100) as "ns1..ns100", other names as
 * they are, joined by ", ".  After NN_NAMES_SUMMARY_ITEMS runs or names, or
 * when BUF (LEN >= 32) is full, the rest is " and K more" (K names); when
 * not even the first fits, "K names".  A NULL entry of NAMES is skipped.
 * Returns the number of names shown.
 */
size_t nn_names_summary(char *buf, size_t len, const char *const *names, size_t n);

#endif
