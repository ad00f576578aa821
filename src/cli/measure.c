// SPDX-License-Identifier: GPL-2.0-or-later
/* Printing probe and transfer measurements (measure.h). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "measure.h"

void json_num(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f);
	else
		fprintf(f, "%.9g", v);
}

void measure_json_probe(FILE *f, const struct nn_probe_stats *st)
{
	char a[64];
	bool rtt = st->received > 0;

	fprintf(f, "\"src_addr\":\"%s\",", nn_format_prefix(a, sizeof(a), &st->src, false));
	fprintf(f, "\"dst_addr\":\"%s\",", nn_format_prefix(a, sizeof(a), &st->dst, false));
	fprintf(f, "\"socket\":\"%s\",\"sent\":%u,\"received\":%u,\"loss\":", nn_probe_socket_name(st->socket),
		st->sent, st->received);
	json_num(f, st->loss);
	fputs(",\"loss_ci95\":[", f);
	json_num(f, st->loss_ci95[0]);
	fputc(',', f);
	json_num(f, st->loss_ci95[1]);
	fputs("],\"rtt_ms\":", f);
	if (rtt) {
		const struct { const char *name; double ms; } q[] = {
			{ "min", st->rtt_min_ms }, { "p50", st->rtt_p50_ms }, { "p90", st->rtt_p90_ms },
			{ "p99", st->rtt_p99_ms }, { "max", st->rtt_max_ms }, { "mean", st->rtt_mean_ms },
		};

		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			fprintf(f, "%c\"%s\":", i ? ',' : '{', q[i].name);
			json_num(f, q[i].ms);
		}
		fputs("},\"jitter_ms\":", f);
		json_num(f, st->jitter_ms);
	} else {
		fputs("null,\"jitter_ms\":null", f);
	}
	fprintf(f, ",\"duplicates\":%u,\"reordered\":%u,\"errors\":%u,\"kernel_timed\":%u,",
		st->duplicates, st->reordered, st->errors, st->kernel_timed);
	fprintf(f, "\"unreachable\":%s,\"error\":", st->unreachable ? "true" : "false");
	if (st->error)
		json_str(f, st->error_text);
	else
		fputs("null", f);
	fputs(",\"seconds\":", f);
	json_num(f, st->seconds);
}

void measure_json_rate(FILE *f, const struct nn_rate_result *r)
{
	fputs("\"goodput_bps\":", f);
	json_num(f, r->goodput_bps);
	fputs(",\"per_second_bps\":[", f);
	for (size_t i = 0; i < r->n_seconds; i++) {
		if (i)
			fputc(',', f);
		json_num(f, r->per_second_bps[i]);
	}
	fputs("],\"link_bps\":", f);
	json_num(f, r->link_bps);
	fprintf(f, ",\"mss\":%u,\"mtu\":%u,\"rate_seconds\":", r->mss, r->mtu);
	json_num(f, r->seconds);
}

const char *measure_bps(char *buf, size_t len, double bps)
{
	if (bps >= 1e9)
		snprintf(buf, len, "%.3g Gbit/s", bps / 1e9);
	else if (bps >= 1e6)
		snprintf(buf, len, "%.3g Mbit/s", bps / 1e6);
	else if (bps >= 1e3)
		snprintf(buf, len, "%.3g kbit/s", bps / 1e3);
	else
		snprintf(buf, len, "%.0f bit/s", bps);
	return buf;
}

void measure_print_probe(FILE *f, const struct nn_probe_stats *st)
{
	char a[64], b[64];

	fprintf(f, "%s from %s, %s socket, %u of %u answers timed by the kernel\n",
		nn_format_prefix(a, sizeof(a), &st->dst, false),
		nn_format_prefix(b, sizeof(b), &st->src, false), nn_probe_socket_name(st->socket),
		st->kernel_timed, st->received);
	fprintf(f, "%u sent, %u received, %u duplicates, %u reordered, %u errors\n", st->sent,
		st->received, st->duplicates, st->reordered, st->errors);
	fprintf(f, "loss %.3g%% (95%% interval %.3g%%-%.3g%%)\n", st->loss * 100,
		st->loss_ci95[0] * 100, st->loss_ci95[1] * 100);
	if (st->received)
		fprintf(f, "rtt min/p50/p90/p99/max %.3f/%.3f/%.3f/%.3f/%.3f ms, jitter %.3f ms\n",
			st->rtt_min_ms, st->rtt_p50_ms, st->rtt_p90_ms, st->rtt_p99_ms, st->rtt_max_ms,
			st->jitter_ms);
	if (st->error)
		fprintf(f, "last error: %s\n", st->error_text);
}

void measure_print_rate(FILE *f, const struct nn_rate_result *r)
{
	char a[32], b[32];

	fprintf(f, "goodput %s over %.3g s (frames on the link: %s)\n",
		measure_bps(a, sizeof(a), r->goodput_bps), r->seconds,
		measure_bps(b, sizeof(b), r->link_bps));
	if (r->n_seconds) {
		fputs("per second:", f);
		for (size_t i = 0; i < r->n_seconds; i++)
			fprintf(f, " %s", measure_bps(a, sizeof(a), r->per_second_bps[i]));
		fputc('\n', f);
	}
}
