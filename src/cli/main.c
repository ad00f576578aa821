// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/names.h"
#include "netnsctl/proc.h"
#include "cli.h"
#include "commands.h"
#include "util/show.h"

/*
 * Each command's options, for its --help and its usage line: what each
 * does, its unit, its default (as tcset's --help gives them).  The table
 * must name exactly the options the command's getopt table has:
 * NETNSCTL_CHECK_HELP=1 makes cli_getopt() check it (tests/integration/t-help.sh).
 */
#define DRY_RUN { "dry-run", 0, NULL, "print the steps as \"would ...\" lines and change nothing", 0 }
#define JSON { "json", 'j', NULL, "print one JSON document (docs/json.md) instead of text", 0 }
/* What every command that changes something takes. */
#define CHANGE DRY_RUN, JSON

/* Issue 15's timed changes: the deadline is journalled and a reverter holds it. */
#define FOR_OPT { "for", 0, "DURATION", "put the link back as it was after this long (DURATION: 30s, 500ms; a unit is required), even if netnsctl is killed; default until changed", 0 }

static const struct cli_opt link_down_opts[] = { FOR_OPT, CHANGE, { NULL, 0, NULL, NULL, 0 } };
static const struct cli_opt link_up_opts[] = { CHANGE, { NULL, 0, NULL, NULL, 0 } };
static const struct cli_opt partition_opts[] = {
	{ "from", 0, "NS...", "the other group: traffic between it and the namespaces before --from is dropped; required", CLI_OPT_REQUIRED },
	FOR_OPT,
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};
static const struct cli_opt heal_opts[] = {
	{ "from", 0, "NS...", "the other group of the partition to heal; default every partition (or the ID given)", 0 },
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};
static const struct cli_opt run_opts[] = { DRY_RUN, JSON, { NULL, 0, NULL, NULL, 0 } };

static const struct cli_opt no_opts[] = { { NULL, 0, NULL, NULL, 0 } };
static const struct cli_opt dry_opts[] = { CHANGE, { NULL, 0, NULL, NULL, 0 } };
static const struct cli_opt json_opts[] = { JSON, { NULL, 0, NULL, NULL, 0 } };

static const struct cli_opt veth_opts[] = {
	{ "if-a", 0, "IF", "the end in NS_A; default veth-a", 0 },
	{ "if-b", 0, "IF", "the end in NS_B; default veth-b", 0 },
	{ "cidr", 0, "CIDR", "the ends get its first two usable addresses (IPv4 or IPv6); default 10.10.0.0/30", 0 },
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt veth_del_opts[] = {
	{ "if-a", 0, "IF", "the end in NS_A; default veth-a", 0 },
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};

/* add-delay, set-rate, clear-qdisc: the direction, the rule's selector,
 * --print-tc (issue #17; src/cli/tcedit.c). */
#define TC_EDIT_OPTS \
	{ "direction", 0, "egress|ingress|both", "what IF sends, what it receives (through an ifb netnsctl makes), or both; default egress", 0 }, \
	{ "to", 0, "CIDR", "only traffic to this destination (IPv4 or IPv6; a rule of its own); default all", CLI_OPT_REPEAT }, \
	{ "port", 0, "N", "only traffic to this TCP or UDP port; default any", CLI_OPT_REPEAT }, \
	{ "proto", 0, "tcp|udp|icmp", "only this protocol; default any", CLI_OPT_REPEAT }, \
	{ "print-tc", 0, NULL, "print the tc commands that make the result, change nothing", 0 }

static const struct cli_opt delay_opts[] = {
	{ "delay", 0, "TIME", "delay of every packet leaving IF (TIME: 100ms, 1.5s; a bare number is us); default 0", 0 },
	{ "jitter", 0, "TIME", "the delay varies by up to this much; default 0 (needs --delay)", 0 },
	{ "correlation", 0, "PERCENT", "how much a packet's jitter follows the one before (PERCENT: 25%, 0.5%); default 0% (needs --jitter)", 0 },
	{ "distribution", 0, "uniform|normal|pareto|paretonormal", "shape of the jitter; default uniform (needs --jitter)", 0 },
	{ "loss", 0, "PERCENT", "packets dropped at random; default 0%", 0 },
	{ "loss-correlation", 0, "PERCENT", "how much a loss follows the one before; default 0% (needs --loss)", 0 },
	{ "duplicate", 0, "PERCENT", "packets sent twice; default 0%", 0 },
	{ "duplicate-correlation", 0, "PERCENT", "default 0% (needs --duplicate)", 0 },
	{ "corrupt", 0, "PERCENT", "packets with a bit flipped; default 0%", 0 },
	{ "corrupt-correlation", 0, "PERCENT", "default 0% (needs --corrupt)", 0 },
	{ "reorder", 0, "PERCENT", "packets sent at once, ahead of the delayed ones; default 0% (needs --delay)", 0 },
	{ "reorder-correlation", 0, "PERCENT", "default 0% (needs --reorder)", 0 },
	{ "gap", 0, "N", "with --reorder: every Nth packet is sent at once; default 1", 0 },
	{ "rate", 0, "RATE", "netem's own rate limit (RATE: 10mbit, 1mbps; a bare number is bit/s); default none", 0 },
	{ "limit", 0, "PACKETS", "queue length in packets; default 1000", 0 },
	TC_EDIT_OPTS,
	FOR_OPT,
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt rate_opts[] = {
	{ "rate", 0, "RATE", "the rate (RATE: 10mbit, 1mbps, 1gibit; a bare number is bit/s); required", CLI_OPT_REQUIRED },
	{ "burst", 0, "SIZE", "bucket size (SIZE: 32kb, 1mb, 32kbit; a bare number is bytes); default 20ms of traffic at the rate, at least two full-size frames", 0 },
	{ "latency", 0, "TIME", "queue as much as this much time of traffic; default 50ms", 0 },
	{ "limit", 0, "SIZE", "queue at most this many bytes instead; default: what --latency gives", CLI_OPT_OR },
	TC_EDIT_OPTS,
	FOR_OPT,
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt clear_qdisc_opts[] = {
	TC_EDIT_OPTS,
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt bridge_opts[] = {
	{ "ns", 0, "NS", "make the bridge in this namespace (made when missing); default the host", 0 },
	{ "addr", 0, "A/L", "give the bridge this address and prefix length; default none", 0 },
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt attach_opts[] = {
	{ "if", 0, "IF", "the end in NS; default eth-BR", 0 },
	{ "addr", 0, "A/L", "its address and prefix length; default none", 0 },
	{ "bridge-ns", 0, "NS", "the namespace the bridge is in; default the host", 0 },
	{ "port", 0, "NAME", "the end on the bridge; default NS-IF when that fits in 15 bytes, else nn and a hash", 0 },
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt clients_opts[] = {
	{ "parent", 0, "IF", "the host's link the clients' macvlans sit on (up; with a carrier for DHCP); required", CLI_OPT_REQUIRED },
	{ "prefix", 0, "NAME", "clients are NAME1..NAMECOUNT; default ns", 0 },
	{ "dns", 0, "ADDR", "DNS server for the clients' resolv.conf, up to 3; default the lease's", CLI_OPT_REPEAT },
	{ "mode", 0, "bridge|private|vepa|passthru", "macvlan mode; default bridge", 0 },
	{ "static", 0, "CIDR", "client k gets the kth address of CIDR, no DHCP; default DHCP", 0 },
	{ "timeout", 0, "T", "how long to wait for the leases (TIME; a bare number is seconds); default 30s", 0 },
	{ "mac-base", 0, "MAC", "client k gets MAC + k - 1; default a MAC derived from its name", 0 },
	{ "max-rate", 0, "N", "start at most N DHCP exchanges a second (first sends and retransmissions); default no cap", 0 },
	{ "min", 0, "N", "keep the leased clients when at least N of clients 1..COUNT hold a lease, release the others; default all or nothing", 0 },
	JSON,
	DRY_RUN,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt clients_del_opts[] = {
	{ "prefix", 0, "NAME", "only clients NAME1, NAME2 ...; default every client", 0 },
	{ "max-rate", 0, "N", "send at most N RELEASEs a second (none is answered); default 1000", 0 },
	DRY_RUN,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt clients_list_opts[] = {
	{ "prefix", 0, "NAME", "only clients NAME1, NAME2 ...; default every client", 0 },
	JSON,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt exec_all_opts[] = {
	{ "prefix", 0, "NAME", "the clients NAME1, NAME2 ...; default every client", 0 },
	{ "lab", 0, "FILE", "the nodes of this lab file instead of clients; default none (the clients)", CLI_OPT_OR },
	{ "parallel", 0, "N", "at most N commands at a time; default the number of CPUs x 4", 0 },
	{ "timeout", 0, "TIME", "kill a command after this long (SIGTERM, SIGKILL 1 s later; exit 124; a bare number is seconds); default none", 0 },
	JSON,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt probe_opts[] = {
	{ "count", 0, "N", "send N probes; default 200", 0 },
	{ "interval", 0, "TIME", "between probes (TIME: 10ms, 1s; a bare number is us); default 10ms", 0 },
	{ "size", 0, "BYTES", "payload of each probe; default 56", 0 },
	{ "udp", 0, "PORT", "UDP probes to an echo socket netnsctl opens on PORT in DST (a namespace); default ICMP echo", 0 },
	{ "rate-test", 0, "DURATION", "then a TCP transfer SRC -> DST for this long, its goodput measured; default none", 0 },
	{ "wait", 0, "TIME", "for late answers after the last probe when nothing answered; default 2s", 0 },
	JSON,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt verify_opts[] = {
	JSON,
	{ "junit", 0, "REPORT", "also write a JUnit XML report to REPORT; default none", 0 },
	{ "count", 0, "N", "probes per path; default 200", 0 },
	{ "interval", 0, "TIME", "between probes (a bare number is us); default 10ms", 0 },
	{ "rate-test", 0, "DURATION", "the TCP transfer of an expectation with a rate; default 3s", 0 },
	{ "wait", 0, "TIME", "for late answers after the last probe when nothing answered; default 2s", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt connect_opts[] = {
	{ "cidr", 0, "CIDR", "IPv4 subnet of the link, host end first; default the one it has, else the first free /30 of 10.200.0.0/16", 0 },
	{ "nat", 0, NULL, "masquerade the subnet leaving the host (nftables table ip netnsctl); default off", 0 },
	{ "if", 0, "IF", "the end in NS; default host0", 0 },
	{ "host-if", 0, "IF", "the end in the host; default nn-NS when that fits in 15 bytes, else nn and a hash", 0 },
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct cli_opt forward_opts[] = {
	{ "to", 0, "ADDR", "forward to this IPv4 address; default NS's address on its link to the host", 0 },
	CHANGE,
	{ NULL, 0, NULL, NULL, 0 },
};

const struct command nn_commands[] = {
	{ "create-namespaces", cmd_create_namespaces, "NAME...", "Create named network namespaces (existing ones are kept)", dry_opts },
	{ "delete-namespaces", cmd_delete_namespaces, "NAME...", "Delete named network namespaces (missing ones are fine)", dry_opts },
	{ "list", cmd_list, "[NS...]", "Show namespaces with their links, veth peers, addresses, qdiscs and routes", json_opts },
	{ "labs", cmd_labs, "", "List the applied labs: name, file, objects, in sync or not", json_opts },
	{ "exec", cmd_exec, "NAME [-- CMD [ARG...]]", "Run a command (default $SHELL) inside a namespace, like ip netns exec", no_opts },
	{ "create-veth-pair", cmd_create_veth_pair, "NS_A NS_B", "Connect two namespaces with an addressed veth pair", veth_opts },
	{ "delete-veth-pair", cmd_delete_veth_pair, "NS_A NS_B", "Delete a veth pair between two namespaces", veth_del_opts },
	{ "add-delay", cmd_add_delay, "NS IF", "Impair a link with netem (kept under a set-rate's tbf; per direction and rule)", delay_opts },
	{ "set-rate", cmd_set_rate, "NS IF", "Limit a link's bandwidth with tbf (after an add-delay's netem; per direction and rule)", rate_opts },
	{ "clear-qdisc", cmd_clear_qdisc, "NS IF", "Remove a link's impairments (a direction's, or one rule)", clear_qdisc_opts },
	{ "show-qdisc", cmd_show_qdisc, "NS IF", "Show a link's qdiscs and impairment trees as the kernel reports them", json_opts },
	{ "create-bridge", cmd_create_bridge, "BR", "Create a bridge (a virtual switch) in the host or a namespace", bridge_opts },
	{ "attach", cmd_attach, "NS BR", "Connect a namespace to a bridge with a veth", attach_opts },
	{ "create-clients", cmd_create_clients, "COUNT", "Make COUNT DHCP-addressed clients (namespace + macvlan each), all or nothing (or at least --min)", clients_opts },
	{ "delete-clients", cmd_delete_clients, "", "Release the clients' leases, then delete them", clients_del_opts },
	{ "list-clients", cmd_list_clients, "", "Show clients: name, MAC, address, gateway, lease expiry", clients_list_opts },
	{ "exec-all", cmd_exec_all, "[-- CMD [ARG...]]", "Run a command in every client's (or a lab's nodes') namespace; exit 0 when all exit 0", exec_all_opts },
	{ "lease-keeper", cmd_lease_keeper, "", "(internal) Renew the clients' leases; started by create-clients", no_opts },
	{ "reverter", cmd_reverter, "", "(internal) Put timed changes back at their deadlines; started by the commands that make them", no_opts },
	{ "connect-host", cmd_connect_host, "NS", "Connect a namespace to the host with a veth, a default route and optionally NAT", connect_opts },
	{ "disconnect-host", cmd_disconnect_host, "NS", "Remove what connect-host made for a namespace", dry_opts },
	{ "forward-port", cmd_forward_port, "NS PROTO HOSTPORT NSPORT", "Forward a port of the host's addresses to a namespace (DNAT)", forward_opts },
	{ "unforward-port", cmd_unforward_port, "PROTO HOSTPORT", "Remove a port forward made by forward-port", dry_opts },
	{ "cleanup", cmd_cleanup, "", "Remove everything netnsctl made, and nothing else", dry_opts },
	{ "apply", cmd_apply, "FILE", "Make the lab a lab file describes (only what differs)", dry_opts },
	{ "destroy", cmd_destroy, "FILE|LAB", "Remove exactly what a lab made, and stop its commands", dry_opts },
	{ "status", cmd_status, "FILE|LAB", "Show what differs from a lab file or an applied lab (exit 1 when anything does)", json_opts },
	{ "graph", cmd_graph, "[FILE]", "Print the lab of FILE, or the live one, as Graphviz DOT", json_opts },
	{ "probe", cmd_probe, "SRC DST", "Measure loss, round-trip times and, with --rate-test, TCP goodput from one namespace to another", probe_opts },
	{ "verify", cmd_verify, "FILE", "Check a lab file's expect: list against measurements (exit 1 when one fails)", verify_opts },
	{ "link-down", cmd_link_down, "NS IF", "Set a link administratively down (a veth's peer loses carrier); link-up and cleanup put it back", link_down_opts },
	{ "link-up", cmd_link_up, "NS IF", "Set a link up again", link_up_opts },
	{ "partition", cmd_partition, "NS...", "Drop all traffic between two groups of namespaces, links staying up (nftables)", partition_opts },
	{ "heal", cmd_heal, "[ID | NS...]", "Remove a partition (without arguments: every one)", heal_opts },
	{ "run", cmd_run, "FILE", "Apply a lab file if needed, then play its timeline of events", run_opts },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* The command main() runs, for cli_getopt()'s messages and checks. */
static const struct command *current;

static void usage(FILE *f)
{
	fprintf(f, "Usage: netnsctl COMMAND [ARGS]\n\nCommands:\n");
	for (const struct command *c = nn_commands; c->name; c++)
		fprintf(f, "  %-18s %s\n", c->name, c->help);
	fprintf(f, "\nnetnsctl COMMAND --help lists a command's options. See netnsctl(8).\n");
}

/* "Usage: netnsctl add-delay NS IF [--delay TIME] ..." (completions read it). */
static void command_usage(FILE *f, const struct command *c)
{
	const struct cli_opt *o;

	fprintf(f, "Usage: netnsctl %s%s%s", c->name, *c->args ? " " : "", c->args);
	for (o = c->opts; o->name; o++) {
		bool req = o->flags & CLI_OPT_REQUIRED, or_next = o[1].name && (o[1].flags & CLI_OPT_OR);

		if (o->flags & CLI_OPT_OR)
			fputs(" | ", f);
		else
			fputs(req ? " " : " [", f);
		fprintf(f, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		if (!req && !or_next)
			fputc(']', f);
		if (o->flags & CLI_OPT_REPEAT)
			fputs("...", f);
	}
	fputc('\n', f);
}

#define HELP_COLUMN 34

static void command_help(FILE *f, const struct command *c)
{
	command_usage(f, c);
	fprintf(f, "%s.\n", c->help);
	if (!c->opts->name)
		return;
	fprintf(f, "\nOptions:\n");
	for (const struct cli_opt *o = c->opts; o->name; o++) {
		char head[128];
		int len;

		len = snprintf(head, sizeof(head), "  %c%c%c --%s%s%s", o->short_name ? '-' : ' ',
			       o->short_name ? o->short_name : ' ', o->short_name ? ',' : ' ', o->name,
			       o->arg ? " " : "", o->arg ? o->arg : "");
		/* One line each; a long head puts its text on the next. */
		if (len >= HELP_COLUMN)
			fprintf(f, "%s\n%*s%s\n", head, HELP_COLUMN, "", o->help);
		else
			fprintf(f, "%-*s%s\n", HELP_COLUMN, head, o->help);
	}
}

/* NETNSCTL_CHECK_HELP=1: LONGOPTS and SHORTOPTS are exactly the current
 * command's help table; else say what differs and exit 3. */
static void check_help(const char *shortopts, const struct option *longopts)
{
	const struct cli_opt *o;
	bool bad = false;

	if (!current || !getenv("NETNSCTL_CHECK_HELP"))
		return;
	for (const struct option *l = longopts; l->name; l++) {
		for (o = current->opts; o->name && strcmp(o->name, l->name); o++)
			;
		if (!o->name) {
			fprintf(stderr, "netnsctl: %s: option --%s has no help\n", current->name, l->name);
			bad = true;
		} else if (!o->arg != (l->has_arg == no_argument)) {
			fprintf(stderr, "netnsctl: %s: --%s takes a value in one table only\n", current->name,
				l->name);
			bad = true;
		}
	}
	for (o = current->opts; o->name; o++) {
		const struct option *l;

		for (l = longopts; l->name && strcmp(o->name, l->name); l++)
			;
		if (!l->name) {
			fprintf(stderr, "netnsctl: %s: --%s has help but no option\n", current->name, o->name);
			bad = true;
		}
		if (o->short_name && !strchr(shortopts, o->short_name)) {
			fprintf(stderr, "netnsctl: %s: -%c has help but no option\n", current->name,
				o->short_name);
			bad = true;
		}
	}
	for (const char *p = shortopts; *p; p++) {
		if (*p == ':' || *p == '+' || *p == '-')
			continue;
		for (o = current->opts; o->name && o->short_name != *p; o++)
			;
		if (!o->name) {
			fprintf(stderr, "netnsctl: %s: option -%c has no help\n", current->name, *p);
			bad = true;
		}
	}
	if (bad)
		exit(3);
}

/*
 * The progress line.  On a terminal, long operations show
 * "[12/200] delete client ns13" on stderr, redrawn in place; elsewhere,
 * nothing.  Whatever netnsctl writes to stdout or stderr first wipes it:
 * both become streams that do so before every write (fopencookie), so no
 * step line or error ever shares the progress line's row, wherever it is
 * printed from.  The line itself goes straight to fd 2.
 */
static bool progress_tty, progress_shown;
static unsigned int progress_cols = 80;
static struct timespec progress_last;

static void progress_wipe(void)
{
	static const char wipe[] = "\r\033[K";

	if (progress_shown && write(STDERR_FILENO, wipe, sizeof(wipe) - 1) >= 0)
		progress_shown = false;
}

static ssize_t write_all(int fd, const char *buf, size_t size)
{
	size_t off = 0;

	while (off < size) {
		ssize_t w = write(fd, buf + off, size - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return off ? (ssize_t)off : -1;
		off += (size_t)w;
	}
	return (ssize_t)size;
}

static ssize_t wiping_write(void *cookie, const char *buf, size_t size)
{
	progress_wipe();
	return write_all((int)(intptr_t)cookie, buf, size);
}

static FILE *wiping_stream(int fd, int mode)
{
	cookie_io_functions_t io = { .write = wiping_write };
	FILE *f = fopencookie((void *)(intptr_t)fd, "w", io);

	if (f)
		setvbuf(f, NULL, mode, mode == _IONBF ? 0 : BUFSIZ);
	return f;
}

static void progress_end(void)
{
	fflush(stdout);
	progress_wipe();
}

static void progress_init(void)
{
	static bool done;
	struct winsize ws;
	FILE *out, *err;

	/* Once, and only over the process's own streams (a caller of main(),
	 * as tests/fuzz/fuzz_cli.c, may have put others in their place). */
	if (done || fileno(stdout) != STDOUT_FILENO || fileno(stderr) != STDERR_FILENO ||
	    !isatty(STDERR_FILENO))
		return;
	done = true;
	out = wiping_stream(STDOUT_FILENO, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
	err = wiping_stream(STDERR_FILENO, _IONBF);
	if (!out || !err) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		return;
	}
	stdout = out;
	stderr = err;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 8)
		progress_cols = ws.ws_col;
	progress_tty = true;
	atexit(progress_end);
}

void cli_progress(const char *what, size_t done, size_t total, void *arg)
{
	struct timespec now;
	struct nn_shown shown;
	char line[1024];
	int len;

	(void)arg;
	if (!progress_tty)
		return;
	if (done >= total) {
		fflush(stdout);
		progress_wipe();
		return;
	}
	/* Ten times a second is enough for eyes, and a lot cheaper. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (progress_shown && (now.tv_sec - progress_last.tv_sec) * 1000000000L +
				      (now.tv_nsec - progress_last.tv_nsec) < 100000000L)
		return;
	progress_last = now;
	fflush(stdout);
	/* One row, printable: a longer line would wrap, and \r not wipe it. */
	len = snprintf(line, sizeof(line), "\r\033[K[%zu/%zu] %s", done, total, nn_show(&shown, what));
	if (len > (int)sizeof(line) - 1)
		len = (int)sizeof(line) - 1;
	if ((unsigned int)len > progress_cols - 1 + 4)
		len = (int)progress_cols - 1 + 4;	/* "\r\033[K" takes no columns */
	if (write_all(STDERR_FILENO, line, (size_t)len) >= 0)
		progress_shown = true;
}

void cli_lease_progress(unsigned int done, unsigned int total, void *arg)
{
	cli_progress("leased", done, total, arg);
}

/*
 * "netnsctl: MSG" as one line on stderr, in printable ASCII whatever a
 * message holds (a namespace or file name quoted as given): other bytes
 * come out as \xHH, as nn_show() writes a value; what nn_show() escaped
 * already stays as it is.
 */
static void put_error(const char *msg)
{
	fputs("netnsctl: ", stderr);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	fputc('\n', stderr);
}

int cli_usage_error(const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	put_error(n < 0 ? "out of memory" : msg);
	free(msg);
	return EXIT_USAGE;
}

int cli_fail(const struct nn_error *e)
{
	put_error(*e->msg ? e->msg : strerror(e->code ? e->code : EIO));
	return EXIT_FAIL;
}

static void out_shown(bool newline, const char *fmt, va_list ap)
{
	char *text = NULL;

	if (vasprintf(&text, fmt, ap) < 0) {
		fputs("?", stdout);
	} else {
		nn_put_shown(stdout, text);
		free(text);
	}
	if (newline)
		fputc('\n', stdout);
}

void cli_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_shown(true, fmt, ap);
	va_end(ap);
}

void cli_part(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_shown(false, fmt, ap);
	va_end(ap);
}

void cli_warn(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "netnsctl: warning: %s\n", msg);
}

int cli_oom(void)
{
	fputs("netnsctl: out of memory\n", stderr);
	return EXIT_FAIL;
}

int cli_input_error(const struct nn_error *e)
{
	cli_fail(e);
	return EXIT_USAGE;
}

int cli_plan_error(const struct nn_error *e)
{
	return e->code == EEXIST || e->code == EMSGSIZE ? cli_input_error(e) : cli_fail(e);
}

/* The long option WORD ("dealy", or "dealy=1") may mistype, or NULL. */
static const char *nearest_option(const char *word, const struct option *longopts)
{
	const char *names[64];
	char w[64];
	size_t n = 0;

	snprintf(w, sizeof(w), "%.*s", (int)strcspn(word, "="), word);
	/* "--dry-run=x" is a known option given a value: nothing to suggest. */
	for (const struct option *l = longopts; l->name && n < 64; l++) {
		if (!strcmp(l->name, w))
			return NULL;
		names[n++] = l->name;
	}
	return nn_nearest(w, names, n);
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	int c;

	opterr = 0;
	if (optind <= 1)
		check_help(shortopts, longopts);
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?') {
		const char *bad = argv[optind - 1];
		struct nn_shown b;

		/* A long option given a value it does not take ("--dry-run=x")
		 * sets optopt to the option's value: name what was typed. */
		if (bad && bad[0] == '-' && bad[1] == '-') {
			const char *near = nearest_option(bad + 2, longopts);

			if (near)
				return -cli_usage_error("%s: unknown option \"%s\" (did you mean \"--%s\"?)",
							argv[0], nn_show(&b, bad), near);
			return -cli_usage_error("%s: unknown option or value \"%s\"", argv[0],
						nn_show(&b, bad));
		}
		if (optopt > ' ' && optopt < 0x7f)
			return -cli_usage_error("%s: unknown option \"-%c\"", argv[0], optopt);
		return -cli_usage_error("%s: unknown option \"%s\"", argv[0],
					nn_show(&b, bad ? bad : "?"));
	}
	if (c == ':') {
		struct nn_shown b;

		return -cli_usage_error("%s: option \"%s\" needs a value", argv[0],
					nn_show(&b, argv[optind - 1]));
	}
	return c;
}

int cli_want_args(const char *cmd, int argc, char **argv, int min, int max, const char *names)
{
	struct nn_shown shown;
	int n = argc - optind;

	if (n < min)
		return cli_usage_error("%s: missing arguments (usage: netnsctl %s %s)", cmd, cmd, names);
	if (max >= 0 && n > max)
		return cli_usage_error("%s: unexpected argument \"%s\"", cmd,
				       nn_show(&shown, argv[optind + max]));
	return 0;
}

int cli_check_privileges(const char *cmd)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (syscall(SYS_capget, &hdr, data) < 0) {
		fprintf(stderr, "netnsctl: %s: cannot read capabilities: %s\n", cmd, strerror(errno));
		return EXIT_FAIL;
	}
	if (!(data[0].effective & (1u << CAP_NET_ADMIN)) || !(data[0].effective & (1u << CAP_SYS_ADMIN))) {
		fprintf(stderr, "netnsctl: %s needs CAP_NET_ADMIN and CAP_SYS_ADMIN: run it as root\n", cmd);
		return EXIT_FAIL;
	}
	return 0;
}

void cli_daemon_log(const char *msg, void *arg)
{
	char when[32] = "?";
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s netnsctl %s[%d]: %s\n", when, (const char *)arg, (int)getpid(), msg);
}

struct nn_ctx *cli_ctx(void)
{
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;

	if (nn_ctx_new(&ctx, NULL, &e) < 0) {
		cli_fail(&e);
		return NULL;
	}
	nn_ctx_set_progress(ctx, cli_progress, NULL);
	return ctx;
}

static void print_step(const struct nn_step *step, void *arg)
{
	char text[1024];

	(void)arg;
	cli_line("%s", nn_step_text(step, text, sizeof(text)));
	fflush(stdout);
}

/* On stdout: stderr carries exactly one line, the error. */
static void print_undone(const struct nn_step *step, void *arg)
{
	char text[1024];

	(void)arg;
	cli_line("rolled back: %s", nn_step_text(step, text, sizeof(text)));
	fflush(stdout);
}

static void on_signal(int sig)
{
	nn_plan_cancel(sig);
}

void cli_catch_signals_to(void (*handler)(int))
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking wait returns EINTR and sees the flag. */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* A signal the caller ignores (nohup) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void cli_catch_signals(void)
{
	cli_catch_signals_to(on_signal);
}

int cli_fail_or_signal(const struct nn_error *e)
{
	int sig = nn_plan_cancelled();

	if (sig) {
		cli_fail(e);
		return 128 + sig;
	}
	/* A name taken meanwhile by what netnsctl does not replace is the
	 * same refusal as one the plan saw: exit 2. */
	return cli_plan_error(e);
}

void cli_print_steps_json(const struct nn_plan *plan, bool changed, bool dry_run)
{
	json_begin(stdout);
	printf(",\"changed\":%s,\"dry_run\":%s,\"steps\":[", changed ? "true" : "false",
	       dry_run ? "true" : "false");
	for (size_t i = 0; i < nn_plan_len(plan); i++) {
		if (i)
			putchar(',');
		nn_step_json(stdout, nn_plan_step(plan, i));
	}
	printf("]}\n");
}

int cli_run_plan(struct nn_ctx *ctx, struct nn_plan *plan, const struct cli_change *how)
{
	struct nn_error e = { 0 };
	char text[1024];

	/* What apply would refuse, --dry-run refuses too. */
	if (nn_plan_check(plan, &e) < 0)
		return cli_plan_error(&e);
	if (how->json && how->dry_run) {
		cli_print_steps_json(plan, false, true);
		return EXIT_OK;
	}
	if (how->dry_run || nn_plan_len(plan) == 0) {
		for (size_t i = 0; i < nn_plan_len(plan); i++)
			cli_line("would %s", nn_step_text(nn_plan_step(plan, i), text, sizeof(text)));
		if (nn_plan_len(plan) == 0 && !how->json && !how->changed_before)
			printf("unchanged\n");
		if (nn_plan_len(plan) == 0 && how->json)
			cli_print_steps_json(plan, how->changed_before && !how->dry_run, how->dry_run);
		return EXIT_OK;
	}
	cli_catch_signals();
	if (nn_plan_apply(ctx, plan, how->json ? NULL : print_step, how->json ? NULL : print_undone,
			  NULL, &e) < 0)
		return cli_fail_or_signal(&e);
	if (how->json)
		cli_print_steps_json(plan, true, false);
	return EXIT_OK;
}

int cli_apply_lab(const char *cmd, struct nn_lab *lab, const struct cli_change *how)
{
	return cli_apply_lab_changed(cmd, lab, how, NULL);
}

int cli_apply_lab_changed(const char *cmd, struct nn_lab *lab, const struct cli_change *how,
			  bool *changed)
{
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;
	struct nn_ctx *ctx = NULL;
	int ret = cli_check_privileges(cmd);

	if (ret == 0 && !(ctx = cli_ctx()))
		ret = EXIT_FAIL;
	if (ret == 0) {
		if (nn_state_lock(ctx, &e) < 0)
			ret = cli_fail(&e);
		else if (nn_plan_make(ctx, lab, &plan, &e) < 0)
			ret = cli_plan_error(&e);
		else if (how->show_plan)
			how->show_plan(plan);
		else
			ret = cli_run_plan(ctx, plan, how);
	}
	if (changed)
		*changed = ret == EXIT_OK && !how->dry_run && !how->show_plan && plan && nn_plan_len(plan) > 0;
	nn_plan_free(plan);
	nn_ctx_free(ctx);
	nn_lab_free(lab);
	return ret;
}

int cli_change_options(int argc, char **argv, struct cli_change *how)
{
	static const struct option opts[] = { CLI_CHANGE_OPTIONS, { NULL, 0, NULL, 0 } };
	int c;

	while ((c = cli_getopt(argc, argv, "j", opts)) != -1)
		if (!cli_change_opt(c, how))
			return -c;
	return 0;
}

int cli_change_opt(int c, struct cli_change *how)
{
	if (c == 'n')
		how->dry_run = true;
	else if (c == 'j')
		how->json = true;
	else
		return 0;
	return 1;
}

/* --help anywhere among a command's own arguments (for exec: only first,
 * the rest is the command it runs). */
static bool wants_help(const struct command *c, int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
		if (c->fn == cmd_exec)
			break;
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	const char *names[64], *near;
	struct nn_shown shown;
	size_t n = 0;

	if (!name || !strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		usage(name ? stdout : stderr);
		return name ? EXIT_OK : EXIT_USAGE;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("netnsctl %s\n", NETNSCTL_VERSION);
		return EXIT_OK;
	}
	nn_proc_raise_nofile();
	progress_init();
	for (const struct command *c = nn_commands; c->name; c++) {
		if (n < 64)
			names[n++] = c->name;
		if (strcmp(c->name, name))
			continue;
		if (wants_help(c, argc, argv)) {
			command_help(stdout, c);
			return EXIT_OK;
		}
		current = c;
		/* Commands see themselves as argv[0], as getopt expects. */
		return c->fn(argc - 1, argv + 1);
	}
	near = nn_nearest(name, names, n);
	if (near)
		cli_usage_error("unknown command \"%s\" (did you mean \"%s\"?)", nn_show(&shown, name),
				near);
	else
		cli_usage_error("unknown command \"%s\" (netnsctl --help lists them)",
				nn_show(&shown, name));
	return EXIT_USAGE;
}
