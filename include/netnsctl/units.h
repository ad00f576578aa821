/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_UNITS_H
#define NETNSCTL_UNITS_H

/*
 * Values as tc spells them, parsed into exact integers.  Every parser rejects
 * empty, negative, trailing-garbage, unknown-unit and overflowing input with
 * -EINVAL or -ERANGE and an error naming the value: 'invalid delay "10xs"'
 * (WHAT is the noun used in that message, e.g. "delay", "loss", "rate").
 */

#include <stdint.h>
#include <stddef.h>

#include "netnsctl/error.h"

/* Durations: ns, us, ms, s (also usec, msec, sec, secs); decimals allowed
 * ("1.5s"); a bare number is microseconds, as in tc.  Result in nanoseconds. */
int nn_parse_time(const char *s, const char *what, uint64_t *ns, struct nn_error *e);

/* Percentages "1%", "0.25%", "100%"; a bare number is a percentage too.
 * 0..100 only.  Result is the u32 probability tc sends: round(p/100 * UINT32_MAX). */
int nn_parse_percent(const char *s, const char *what, uint32_t *prob, struct nn_error *e);

/* Rates: bit, kbit, mbit, gbit, tbit (SI, 1000), kibit, mibit, gibit, tibit
 * (1024), bps, kbps, mbps, gbps, tbps (bytes/s, SI), kibps...; a bare number
 * is bits/s, as in tc.  Result in bytes per second, > 0. */
int nn_parse_rate(const char *s, const char *what, uint64_t *bytes_per_sec, struct nn_error *e);

/* Sizes: b, k/kb (1024 bytes), m/mb, g/gb, kbit/mbit/gbit (1024-based bits:
 * "32kbit" = 4096 bytes), a bare number is bytes.  Result fits u32, > 0. */
int nn_parse_size(const char *s, const char *what, uint32_t *bytes, struct nn_error *e);

/*
 * Traps for people who read units the way other tools do (tcconfig, or
 * plain English): tc reads "10mbps" as megabytes per second, a bare time as
 * microseconds and a bare rate as bits per second.  The command line keeps
 * tc's readings; nn_unit_note() writes the one-line note the CLI shows for
 * such a value ("10mbps is 10 megabytes/s = 80Mbit/s, as in tc; for
 * megabits write 10mbit") and returns 1, or 0 when S is no trap.  S must
 * already have parsed as KIND.
 */
enum nn_unit_kind { NN_UNIT_TIME, NN_UNIT_RATE };
int nn_unit_note(char *buf, size_t len, const char *s, enum nn_unit_kind kind);

/* Lab files have no tc habit to keep: a time or rate there must name its
 * unit.  -EINVAL 'invalid delay "100": no unit (100ms? 100us?)' for a bare
 * number, else 0. */
int nn_unit_required(const char *s, const char *what, enum nn_unit_kind kind,
		     struct nn_error *e);

/* Unsigned decimal integer in [min, max]. */
int nn_parse_uint(const char *s, const char *what, uint64_t min, uint64_t max,
		  uint64_t *out, struct nn_error *e);

/* Formatting for show/plan output, in the units tc prints ("100ms",
 * "12.5us", "10Mbit", "1500b", "0.25%").  Return BUF. */
const char *nn_format_time(char *buf, size_t len, uint64_t ns);
const char *nn_format_rate(char *buf, size_t len, uint64_t bytes_per_sec);
const char *nn_format_size(char *buf, size_t len, uint32_t bytes);
const char *nn_format_percent(char *buf, size_t len, uint32_t prob);
/* The percentage a u32 probability stands for, as a double in [0, 100]. */
double nn_percent_of(uint32_t prob);

#endif
