/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_CLI_MEASURE_H
#define NETNSCTL_CLI_MEASURE_H

/* How probe and verify print measurements (docs/json.md: probe, verify). */

#include <stdio.h>

#include "netnsctl/probe.h"

#define PROBE_JSON_VERSION 1
#define VERIFY_JSON_VERSION 1

/* A JSON number; NaN and infinities are null. */
void json_num(FILE *f, double v);

/* The probe's fields of a JSON object, without the braces:
 * "sent":N,...,"rtt_ms":{...},"jitter_ms":X,... */
void measure_json_probe(FILE *f, const struct nn_probe_stats *st);
/* "goodput_bps":X,"per_second_bps":[...],"link_bps":X,"mss":N,"mtu":N,"rate_seconds":X */
void measure_json_rate(FILE *f, const struct nn_rate_result *r);

/* Human-readable lines. */
void measure_print_probe(FILE *f, const struct nn_probe_stats *st);
void measure_print_rate(FILE *f, const struct nn_rate_result *r);

/* "9.56 Mbit/s" */
const char *measure_bps(char *buf, size_t len, double bps);

#endif
