// SPDX-License-Identifier: GPL-2.0-or-later
/* create-clients, delete-clients, list-clients, lease-keeper */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "netnsctl/addr.h"
#include "netnsctl/clients.h"
#include "netnsctl/ctx.h"
#include "netnsctl/dhcp_pace.h"
#include "netnsctl/stats.h"
#include "netnsctl/journal.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/units.h"
#include "cli.h"
#include "util/show.h"
#include "commands.h"

static const char *mac_text(char *buf, size_t len, const uint8_t *m)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

static const char *expiry_text(char *buf, size_t len, const struct nn_client_info *c)
{
	struct tm tm;
	time_t t = c->expiry;

	if (c->is_static)
		snprintf(buf, len, "static");
	else if (!c->has_addr)
		snprintf(buf, len, "none");
	else if (!c->expiry)
		snprintf(buf, len, "never");
	else if (gmtime_r(&t, &tm))
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, len, "?");
	return buf;
}

static void print_ms(FILE *f, uint64_t us);

/* A wall clock time as RFC 3339 UTC. */
static const char *utc_text(char *buf, size_t len, int64_t t)
{
	struct tm tm;
	time_t tt = t;

	if (gmtime_r(&tt, &tm))
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, len, "?");
	return buf;
}

/* One client as a JSON object, without its closing brace. */
static void print_client_json(const struct nn_client_info *c)
{
	char mac[24], addr[64], exp[64], dns[INET_ADDRSTRLEN], at[64];

	mac_text(mac, sizeof(mac), c->mac);
	printf("{\"name\":");
	json_str(stdout, c->name);
	printf(",\"mac\":\"%s\",\"address\":", mac);
	if (c->has_addr)
		printf("\"%s\"", nn_format_prefix(addr, sizeof(addr), &c->addr, true));
	else
		printf("null");
	printf(",\"gateway\":");
	if (c->has_gateway)
		printf("\"%s\"", inet_ntop(AF_INET, &c->gateway, addr, sizeof(addr)));
	else
		printf("null");
	printf(",\"dns\":[");
	for (unsigned k = 0; k < c->n_dns; k++)
		printf("%s\"%s\"", k ? "," : "", inet_ntop(AF_INET, &c->dns[k], dns, sizeof(dns)));
	printf("],\"static\":%s", c->is_static ? "true" : "false");
	if (c->is_static || !c->has_addr || !c->expiry)
		printf(",\"lease_time\":null,\"expires\":null");
	else
		printf(",\"lease_time\":%u,\"expires\":\"%s\"", c->lease_s, expiry_text(exp, sizeof(exp), c));
	/* What leasing took: a long test sees the server slow down. */
	printf(",\"acquired\":");
	if (c->acquired_at) {
		printf("{\"at\":\"%s\",\"total_ms\":", utc_text(at, sizeof(at), c->acquired_at));
		print_ms(stdout, c->acquire_us);
		printf(",\"retransmissions\":%u}", c->acquire_retransmits);
	} else {
		printf("null");
	}
	printf(",\"last_renewal\":");
	if (c->renewed_at) {
		printf("{\"at\":\"%s\",\"latency_ms\":", utc_text(at, sizeof(at), c->renewed_at));
		print_ms(stdout, c->renew_us);
		printf(",\"retransmissions\":%u}", c->renew_retransmits);
	} else {
		printf("null");
	}
	printf(",\"renewals\":%u", c->renewals);
	printf(",\"renewing\":%s", c->is_static ? "null" : c->renewing ? "true" : "false");
}

static void print_clients(const struct nn_client_info *v, size_t n, bool json)
{
	char mac[24], addr[64], gw[INET_ADDRSTRLEN], exp[64];

	if (json) {
		json_begin(stdout);
		printf(",\"clients\":[");
	} else if (n)
		printf("%-12s %-17s %-18s %-15s %s\n", "NAME", "MAC", "ADDRESS", "GATEWAY", "EXPIRES");
	for (size_t i = 0; i < n; i++) {
		const struct nn_client_info *c = &v[i];

		if (json) {
			if (i)
				fputc(',', stdout);
			print_client_json(c);
			fputc('}', stdout);
			continue;
		}
		mac_text(mac, sizeof(mac), c->mac);
		if (c->has_addr)
			nn_format_prefix(addr, sizeof(addr), &c->addr, true);
		else
			snprintf(addr, sizeof(addr), "-");
		if (c->has_gateway)
			inet_ntop(AF_INET, &c->gateway, gw, sizeof(gw));
		else
			snprintf(gw, sizeof(gw), "-");
		expiry_text(exp, sizeof(exp), c);
		if (!json) {
			/* A DHCP client no keeper renews keeps its address only until then. */
			cli_line("%-12s %-17s %-18s %-15s %s%s", c->name, mac, addr, gw, exp,
				 c->is_static || c->renewing ? "" : " not renewing");
			continue;
		}
		if (i)
			fputc(',', stdout);
		print_client_json(c);
		fputc('}', stdout);
	}
	if (json)
		printf("]}\n");
}

/* Microseconds as milliseconds with three decimals. */
static void print_ms(FILE *f, uint64_t us)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
}

/* The lease times' quantiles, as summaries name them. */
static const struct { const char *name; unsigned rank; } quantile[] = {
	{ "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "max", 100 },
};
#define N_QUANTILES (sizeof(quantile) / sizeof(quantile[0]))

struct lease_summary {
	uint64_t q[N_QUANTILES];	/* in quantile[]'s order */
	unsigned long retransmits, naks;
};

static void summarize(const struct nn_clients_report *rep, struct lease_summary *s)
{
	uint64_t *t = calloc(rep->n_clients ? rep->n_clients : 1, sizeof(*t));
	unsigned n = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < rep->n_clients; i++) {
		s->retransmits += rep->clients[i].retransmits;
		s->naks += rep->clients[i].naks;
		if (t && rep->clients[i].leased)
			t[n++] = rep->clients[i].total_us;
	}
	for (size_t k = 0; t && n && k < N_QUANTILES; k++)
		s->q[k] = nn_percentile_rank(t, n, quantile[k].rank);
	free(t);
}

/*
 * "leased 200/200 in 0.412 s: p50 12.1 ms, p90 ..., max ...; 3 retransmissions"
 * and, with --min, the names of the new clients released without a lease.
 */
static void print_lease_summary(const struct nn_clients_report *rep)
{
	struct lease_summary s;
	size_t shown = 0, reasons = 0;
	const char **names = NULL;
	bool *done = NULL;

	if (!rep->asked)
		return;
	summarize(rep, &s);
	printf("leased %zu/%zu in ", rep->leased, rep->asked);
	print_ms(stdout, rep->duration_us / 1000);
	printf(" s");
	for (size_t k = 0; rep->leased && k < N_QUANTILES; k++) {
		printf("%s%s ", k ? ", " : ": ", quantile[k].name);
		print_ms(stdout, s.q[k]);
		printf(" ms");
	}
	printf("; %lu retransmission%s, %lu NAK%s\n", s.retransmits, s.retransmits == 1 ? "" : "s",
	       s.naks, s.naks == 1 ? "" : "s");
	if (!rep->released)
		return;
	/* Those released alike together, in short ("ns3..ns40 (no DHCPOFFER)");
	 * --json has each. */
	printf("released %zu without a lease:", rep->released);
	done = calloc(rep->n_clients, sizeof(*done));
	names = calloc(rep->n_clients, sizeof(*names));
	for (size_t i = 0; done && names && i < rep->n_clients; i++) {
		const char *why = rep->clients[i].why;
		char list[192];
		size_t k = 0;

		if (rep->clients[i].leased || done[i])
			continue;
		if (reasons == 4)
			break;
		for (size_t j = i; j < rep->n_clients; j++) {
			if (rep->clients[j].leased || done[j] || strcmp(rep->clients[j].why, why))
				continue;
			names[k++] = rep->clients[j].name;
			done[j] = true;
		}
		nn_names_summary(list, sizeof(list), names, k);
		cli_part("%s %s (%s)", shown ? "," : "", list, why);
		shown += k;
		reasons++;
	}
	if (shown < rep->released)
		printf(" and %zu more", rep->released - shown);
	printf("\n");
	free(done);
	free(names);
}

static void print_figures_json(const struct nn_client_figures *f)
{
	if (!f->leased) {
		printf(",\"leased\":false,\"why\":");
		json_str(stdout, f->why);
	} else {
		printf(",\"leased\":true,\"discover_offer_ms\":");
		print_ms(stdout, f->discover_offer_us);
		printf(",\"request_ack_ms\":");
		print_ms(stdout, f->request_ack_us);
		printf(",\"total_ms\":");
		print_ms(stdout, f->total_us);
	}
	printf(",\"retransmissions\":%u,\"naks\":%u", f->retransmits, f->naks);
}

/* docs/json.md: create-clients --json, version 1. */
static bool listed(const struct nn_client_info *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return true;
	return false;
}

/* This call's figures of client NAME, or NULL. */
static const struct nn_client_figures *figures_of(const struct nn_clients_report *rep,
						  const char *name)
{
	for (size_t j = 0; j < rep->n_clients; j++)
		if (!strcmp(rep->clients[j].name, name))
			return &rep->clients[j];
	return NULL;
}

/* BEFORE: the clients that existed before the call.  ERR: the call failed
 * (V: the clients there are after its rollback). */
static void print_create_json(const struct nn_client_info *v, size_t n, int created,
			      const struct nn_clients_report *rep,
			      const struct nn_client_info *before, size_t n_before,
			      const struct nn_error *err)
{
	struct lease_summary s;

	summarize(rep, &s);
	json_begin(stdout);
	printf(",\"error\":");
	if (err)
		json_str(stdout, *err->msg ? err->msg : strerror(err->code ? err->code : EIO));
	else
		printf("null");
	printf(",\"signal\":");
	if (err && rep->signal) {
		const char *abbrev = sigabbrev_np(rep->signal);

		if (abbrev)
			printf("\"SIG%s\"", abbrev);
		else
			printf("\"%d\"", rep->signal);
	} else {
		printf("null");
	}
	printf(",\"created\":%d,\"clients_in_all\":%zu,\"asked\":%zu,\"leased\":%zu,"
	       "\"released\":%zu,\"summary\":", created, n, rep->asked, rep->leased, rep->released);
	if (!rep->asked) {
		printf("null");
	} else {
		printf("{\"duration_ms\":");
		print_ms(stdout, rep->duration_us);
		for (size_t k = 0; k < N_QUANTILES; k++) {
			printf(",\"%s_ms\":", quantile[k].name);
			if (rep->leased)
				print_ms(stdout, s.q[k]);
			else
				printf("null");
		}
		printf(",\"retransmissions\":%lu,\"naks\":%lu,\"timeouts\":%" PRIu64
		       ",\"window_peak\":%u,\"window_end\":%u}", s.retransmits, s.naks, rep->timeouts,
		       rep->window_peak, rep->window_end);
	}
	printf(",\"clients\":[");
	for (size_t i = 0; i < n; i++) {
		const struct nn_client_figures *f = figures_of(rep, v[i].name);

		if (i)
			fputc(',', stdout);
		print_client_json(&v[i]);
		/* the figures of this call's DHCP clients (static ones have none) */
		printf(",\"new\":%s", listed(before, n_before, v[i].name) ? "false" : "true");
		if (f)
			print_figures_json(f);
		fputc('}', stdout);
	}
	printf("],\"released_clients\":[");
	for (size_t i = 0, k = 0; i < rep->n_clients; i++) {
		const struct nn_client_figures *f = &rep->clients[i];

		/* (a failed call released none: it rolled them all back) */
		if (f->leased || err)
			continue;
		printf("%s{\"name\":", k++ ? "," : "");
		json_str(stdout, f->name);
		print_figures_json(f);
		fputc('}', stdout);
	}
	/* A failed call: every new client it rolled back, with why when it
	 * tried to lease it (the error line names them in short). */
	printf("],\"rolled_back\":[");
	for (size_t i = 0; i < rep->n_rolled_back; i++) {
		const struct nn_client_figures *f = figures_of(rep, rep->rolled_back[i]);

		printf("%s{\"name\":", i ? "," : "");
		json_str(stdout, rep->rolled_back[i]);
		if (f)
			print_figures_json(f);
		fputc('}', stdout);
	}
	printf("]}\n");
}

/* This call's clients: PREFIX1..PREFIXCOUNT of V, in order, moved to its front. */
static size_t this_call(struct nn_client_info *v, size_t n, const char *prefix, uint64_t count)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *num = v[i].name + strlen(prefix);

		if (strtoul(num, NULL, 10) <= count)
			v[k++] = v[i];
	}
	return k;
}

int cli_parse_timeout(const char *s, unsigned *ms, struct nn_error *e)
{
	const char *t = s;
	char buf[64];
	uint64_t ns;

	/* A bare number is seconds here, not tc's microseconds. */
	if (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 20) {
		snprintf(buf, sizeof(buf), "%ss", s);
		t = buf;
	}
	if (nn_parse_time(t, "timeout", &ns, e) < 0)
		return -e->code;
	if (ns < 1000000ULL || ns > 3600ULL * 1000000000ULL)
		return nn_error_setx(e, EINVAL, "invalid timeout \"%s\": must be 1ms to 1h", s);
	*ms = ns / 1000000ULL;
	return 0;
}

/* create-clients --dry-run: the clients of PREFIX1..PREFIXCOUNT that are
 * not there yet, each as the step it would be. */
static int dry_create(struct nn_ctx *ctx, const struct nn_clients_spec *spec)
{
	struct nn_client_info *v = NULL;
	struct nn_error e = { 0 };
	size_t n = 0, made = 0;

	if (nn_clients_list(ctx, spec->prefix, &v, &n, &e) < 0)
		return cli_fail(&e);
	for (unsigned k = 1; k <= spec->count; k++) {
		char name[NAME_MAX + 2];
		bool have = false;

		snprintf(name, sizeof(name), "%s%u", spec->prefix, k);
		for (size_t i = 0; i < n && !have; i++)
			have = !strcmp(v[i].name, name);
		if (have)
			continue;
		printf("would create client %s: namespace, macvlan eth0 on %s, %s\n", name,
		       spec->parent, spec->is_static ? "a static address" : "a DHCP lease");
		made++;
	}
	if (!made)
		printf("unchanged\n");
	free(v);
	return EXIT_OK;
}

int cmd_create_clients(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ "prefix", required_argument, NULL, 'x' },
		{ "dns", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'm' },
		{ "static", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "mac-base", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "max-rate", required_argument, NULL, 'r' },
		{ "min", required_argument, NULL, 'M' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct nn_clients_spec spec = { .prefix = NN_CLIENTS_DEFAULT_PREFIX, .warn = cli_warn };
	struct nn_clients_report rep = { 0 };
	struct nn_client_info *v = NULL, *before = NULL;
	size_t n_before = 0;
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	uint64_t count, value;
	bool json = false, dry = false;
	size_t n = 0, k = 0;
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":j", opts)) != -1) {
		switch (c) {
		case 'p': spec.parent = optarg; break;
		case 'x': spec.prefix = optarg; break;
		case 'd': {
			struct nn_shown b;

			if (spec.n_dns == NN_DHCP_DNS_MAX)
				return cli_usage_error("%s: at most %d --dns servers (\"%s\" is one too many)",
						       argv[0], NN_DHCP_DNS_MAX, nn_show(&b, optarg));
			if (inet_pton(AF_INET, optarg, &spec.dns[spec.n_dns]) != 1)
				return cli_usage_error("%s: invalid DNS server \"%s\": not an IPv4 address",
						       argv[0], nn_show(&b, optarg));
			spec.n_dns++;
			break;
		}
		case 'm':
			if (nn_parse_macvlan_mode(optarg, &spec.mode, &e) < 0)
				return cli_input_error(&e);
			break;
		case 's':
			if (nn_parse_cidr(optarg, &spec.static_net, &e) < 0)
				return cli_input_error(&e);
			spec.is_static = true;
			break;
		case 't':
			if (cli_parse_timeout(optarg, &spec.timeout_ms, &e) < 0)
				return cli_input_error(&e);
			break;
		case 'b':
			if (nn_parse_mac(optarg, spec.mac_base, &e) < 0 ||
			    nn_client_check_mac_base(optarg, spec.mac_base, &e) < 0)
				return cli_input_error(&e);
			spec.has_mac_base = true;
			break;
		case 'j': json = true; break;
		case 'n': dry = true; break;
		case 'r':
			if (nn_parse_uint(optarg, "--max-rate", 1, NN_DHCP_PACE_RATE_MAX, &value, &e) < 0)
				return cli_input_error(&e);
			spec.max_rate = value;
			break;
		case 'M':
			if (nn_parse_uint(optarg, "--min", 1, NN_CLIENTS_MAX, &value, &e) < 0)
				return cli_input_error(&e);
			spec.min = value;
			break;
		default: return -c;
		}
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "COUNT --parent IF")))
		return ret;
	if (nn_parse_uint(argv[optind], "client count", 1, NN_CLIENTS_MAX, &count, &e) < 0)
		return cli_input_error(&e);
	spec.count = count;
	if (!spec.parent)
		return cli_usage_error("%s: --parent IF is required", argv[0]);
	if (nn_check_ifname(spec.parent, &e) < 0)
		return cli_input_error(&e);
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if (nn_clients_check(ctx, &spec, &e) < 0) {
		nn_ctx_free(ctx);
		/* A bad value is the input's fault; a parent that is missing or
		 * down is the system's. */
		return e.code == EINVAL || e.code == ERANGE ? cli_input_error(&e) : cli_fail(&e);
	}
	if (dry) {
		ret = dry_create(ctx, &spec);
		nn_ctx_free(ctx);
		return ret;
	}
	/* Which of them are new, for --json. */
	if (json && nn_clients_list(ctx, spec.prefix, &before, &n_before, &e) < 0) {
		nn_ctx_free(ctx);
		return cli_fail(&e);
	}
	/* A signal rolls the whole call back (the plan, then the leases). */
	cli_catch_signals();
	ret = nn_clients_create_report(ctx, &spec, cli_lease_progress, NULL, &rep, &e);
	cli_progress("", 1, 1, NULL);
	if (ret < 0) {
		struct nn_error le = { 0 };

		/* For CI: the document too, with the error and what went. */
		if (json && nn_clients_list(ctx, spec.prefix, &v, &n, &le) == 0) {
			k = this_call(v, n, spec.prefix, count);
			print_create_json(v, k, 0, &rep, before, n_before, &e);
			fflush(stdout);
		}
		free(v);
		nn_clients_report_free(&rep);
		free(before);
		nn_ctx_free(ctx);
		return cli_fail_or_signal(&e);
	}
	if (nn_clients_list(ctx, spec.prefix, &v, &n, &e) < 0) {
		nn_clients_report_free(&rep);
		free(before);
		nn_ctx_free(ctx);
		return cli_fail(&e);
	}
	k = this_call(v, n, spec.prefix, count);
	if (json) {
		print_create_json(v, k, ret, &rep, before, n_before, NULL);
	} else {
		if (ret == 0)
			printf("unchanged\n");
		else
			printf("created %d client%s, %zu in all\n", ret, ret == 1 ? "" : "s", k);
		print_lease_summary(&rep);
	}
	nn_clients_report_free(&rep);
	free(before);
	free(v);
	nn_ctx_free(ctx);
	return EXIT_OK;
}

/* delete-clients: --prefix, --dry-run, --max-rate (JSON NULL); list-clients:
 * --prefix, --json (DRY and RATE NULL). */
static int prefix_option(int argc, char **argv, const char **prefix, bool *json, bool *dry,
			 unsigned *rate)
{
	static const struct option list_opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prefix", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option delete_opts[] = {
		{ "prefix", required_argument, NULL, 'x' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "max-rate", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct nn_error e = { 0 };
	uint64_t value;
	int c;

	while ((c = cli_getopt(argc, argv, json ? ":j" : ":", json ? list_opts : delete_opts)) != -1) {
		if (c == 'x')
			*prefix = optarg;
		else if (c == 'j' && json)
			*json = true;
		else if (c == 'n' && dry)
			*dry = true;
		else if (c == 'r' && rate) {
			if (nn_parse_uint(optarg, "--max-rate", 1, NN_DHCP_PACE_RATE_MAX, &value, &e) < 0)
				return cli_input_error(&e);
			*rate = value;
		} else
			return -c;
	}
	if (*prefix && nn_check_netns_name(*prefix, &e) < 0)
		return cli_input_error(&e);
	return cli_want_args(argv[0], argc, argv, 0, 0, "");
}

int cmd_delete_clients(int argc, char **argv)
{
	const char *prefix = NULL;
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	unsigned rate = 0;
	bool dry = false;
	int ret;

	if ((ret = prefix_option(argc, argv, &prefix, NULL, &dry, &rate)))
		return ret;
	if ((ret = cli_check_privileges(argv[0])) || !(ctx = cli_ctx()))
		return ret ? ret : EXIT_FAIL;
	if (dry) {
		struct nn_client_info *v = NULL;
		size_t n = 0;

		ret = nn_clients_list(ctx, prefix, &v, &n, &e);
		nn_ctx_free(ctx);
		if (ret < 0)
			return cli_fail(&e);
		for (size_t i = 0; i < n; i++)
			printf("would delete client %s (release its lease, delete its namespace)\n",
			       v[i].name);
		if (!n)
			printf("unchanged\n");
		free(v);
		return EXIT_OK;
	}
	ret = nn_clients_delete(ctx, prefix, rate, &e);
	nn_ctx_free(ctx);
	if (ret < 0)
		return cli_fail(&e);
	if (ret == 0)
		printf("unchanged\n");
	else
		printf("deleted %d client%s\n", ret, ret == 1 ? "" : "s");
	return EXIT_OK;
}

int cmd_list_clients(int argc, char **argv)
{
	const char *prefix = NULL;
	struct nn_client_info *v = NULL;
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	bool json = false;
	size_t n = 0;
	int ret;

	if ((ret = prefix_option(argc, argv, &prefix, &json, NULL, NULL)))
		return ret;
	if (!(ctx = cli_ctx()))
		return EXIT_FAIL;
	if (nn_clients_list(ctx, prefix, &v, &n, &e) < 0) {
		nn_ctx_free(ctx);
		return cli_fail(&e);
	}
	/* Leases live only while a keeper does: bring back one that died.
	 * Not while another netnsctl holds the state: a create or delete
	 * stops the keeper and starts it again itself when it is done, and a
	 * keeper started in between would not know that create's clients.
	 * Then the list again: it says which clients the keeper renews. */
	if (n && geteuid() == 0) {
		ret = nn_state_trylock(ctx, &e);
		if (ret == 1)
			ret = nn_clients_keeper_ensure(ctx, NULL, &e);
		if (ret >= 0) {
			free(v);
			v = NULL;
			ret = nn_clients_list(ctx, prefix, &v, &n, &e);
		}
		if (ret < 0) {
			free(v);
			nn_ctx_free(ctx);
			return cli_fail(&e);
		}
	}
	/* Not held while printing: a reader (a pager) may take its time. */
	nn_state_unlock();
	print_clients(v, n, json);
	free(v);
	nn_ctx_free(ctx);
	return EXIT_OK;
}

/*
 * The keeper runs for as long as clients exist: it keeps only what renewing
 * needs.  CAP_SYS_ADMIN (setns into a client's namespace), CAP_NET_ADMIN
 * (addresses and routes), CAP_NET_RAW and CAP_NET_BIND_SERVICE (port 68 on a
 * device), CAP_DAC_READ_SEARCH (the run dir's namespace files have mode 0,
 * as ip netns makes them).  Its own files are root's, so it writes them
 * without a DAC override.
 */
static int keeper_drop_caps(void)
{
	static const int keep[] = { CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW,
				    CAP_NET_BIND_SERVICE, CAP_DAC_READ_SEARCH };
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint64_t mask = 0;

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		mask |= 1ULL << keep[i];
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (!(mask & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)mask;
	data[1].effective = data[1].permitted = (uint32_t)(mask >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	/* No exec'd program may regain what was dropped. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int cmd_lease_keeper(int argc, char **argv)
{
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;
	sigset_t set;
	int fd, ret;

	if ((ret = cli_want_args(argv[0], argc, argv, 0, 0, "")) ||
	    (ret = cli_check_privileges(argv[0])))
		return ret;
	if ((ret = keeper_drop_caps()) < 0) {
		fprintf(stderr, "netnsctl: %s: cannot drop capabilities: %s\n", argv[0], strerror(-ret));
		return EXIT_FAIL;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "netnsctl: %s: cannot make a signalfd: %s\n", argv[0], strerror(errno));
		return EXIT_FAIL;
	}
	if (!(ctx = cli_ctx()))
		return EXIT_FAIL;
	/* its stderr is STATE_DIR/clients/keeper.log */
	ret = nn_clients_keeper_run(ctx, fd, cli_daemon_log, "lease-keeper", &e);
	nn_ctx_free(ctx);
	close(fd);
	return ret < 0 ? cli_fail(&e) : EXIT_OK;
}
