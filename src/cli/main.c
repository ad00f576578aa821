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
#include <sys/syscall.h>
#include <linux/capability.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/proc.h"
#include "cli.h"
#include "commands.h"
#include "show.h"

const struct command nn_commands[] = {
	{ "create-namespaces", cmd_create_namespaces, "NAME...", "Create named network namespaces (existing ones are kept)" },
	{ "delete-namespaces", cmd_delete_namespaces, "NAME...", "Delete named network namespaces (missing ones are fine)" },
	{ "list", cmd_list, "[--json]", "Show namespaces with their links, addresses and qdiscs" },
	{ "exec", cmd_exec, "NAME -- CMD [ARG...]", "Run a command inside a namespace, like ip netns exec" },
	{ "create-veth-pair", cmd_create_veth_pair, "NS_A NS_B [--if-a IF] [--if-b IF] [--cidr CIDR] [--dry-run]", "Connect two namespaces with an addressed veth pair" },
	{ "delete-veth-pair", cmd_delete_veth_pair, "NS_A NS_B [--if-a IF]", "Delete a veth pair between two namespaces" },
	{ "add-delay", cmd_add_delay, "NS IF [--delay T] [--jitter T] [--correlation P] [--distribution D] [--loss P] [--loss-correlation P] [--duplicate P] [--duplicate-correlation P] [--corrupt P] [--corrupt-correlation P] [--reorder P] [--reorder-correlation P] [--gap N] [--rate R] [--limit N] [--dry-run]", "Impair a link with netem (replaces what was there)" },
	{ "set-rate", cmd_set_rate, "NS IF --rate R [--burst B] [--latency T | --limit B] [--dry-run]", "Limit a link's bandwidth with tbf" },
	{ "clear-qdisc", cmd_clear_qdisc, "NS IF [--dry-run]", "Remove a link's root qdisc" },
	{ "show-qdisc", cmd_show_qdisc, "NS IF [--json]", "Show a link's qdiscs as the kernel reports them" },
	{ "create-bridge", cmd_create_bridge, "BR [--ns NS] [--addr A/L] [--dry-run]", "Create a bridge (a virtual switch) in the host or a namespace" },
	{ "attach", cmd_attach, "NS BR [--if IF] [--addr A/L] [--bridge-ns NS] [--port NAME] [--dry-run]", "Connect a namespace to a bridge with a veth" },
	{ "create-clients", cmd_create_clients, "COUNT --parent IF [--prefix NAME] [--dns ADDR]... [--mode bridge|private|vepa|passthru] [--static CIDR] [--timeout T] [--mac-base MAC] [--json]", "Make COUNT DHCP-addressed clients (namespace + macvlan each), all or nothing" },
	{ "delete-clients", cmd_delete_clients, "[--prefix NAME]", "Release the clients' leases, then delete them" },
	{ "list-clients", cmd_list_clients, "[--prefix NAME] [--json]", "Show clients: name, MAC, address, gateway, lease expiry" },
	{ "lease-keeper", cmd_lease_keeper, "", "(internal) Renew the clients' leases; started by create-clients" },
	{ "connect-host", cmd_connect_host, "NS [--cidr CIDR] [--nat] [--if IF] [--host-if IF] [--dry-run]", "Connect a namespace to the host with a veth, a default route and optionally NAT" },
	{ "disconnect-host", cmd_disconnect_host, "NS [--dry-run]", "Remove what connect-host made for a namespace" },
	{ "forward-port", cmd_forward_port, "NS PROTO HOSTPORT NSPORT [--to ADDR] [--dry-run]", "Forward a port of the host's addresses to a namespace (DNAT)" },
	{ "unforward-port", cmd_unforward_port, "PROTO HOSTPORT [--dry-run]", "Remove a port forward made by forward-port" },
	{ "cleanup", cmd_cleanup, "[--dry-run]", "Remove everything netnsctl made, and nothing else" },
	{ "apply", cmd_apply, "FILE [--dry-run]", "Make the lab a lab file describes (only what differs)" },
	{ "destroy", cmd_destroy, "FILE [--dry-run]", "Remove exactly what a lab file's lab made, and stop its commands" },
	{ "status", cmd_status, "FILE [--json]", "Show what differs from a lab file (exit 1 when anything does)" },
	{ "graph", cmd_graph, "[FILE]", "Print the lab of FILE, or the live one, as Graphviz DOT" },
	{ "probe", cmd_probe, "SRC DST [--count N] [--interval T] [--size B] [--udp PORT] [--wait T] [--rate-test DURATION] [--json]", "Measure loss, round-trip times and, with --rate-test, TCP goodput from one namespace to another" },
	{ "verify", cmd_verify, "FILE [--json] [--junit FILE] [--count N] [--interval T] [--wait T] [--rate-test DURATION]", "Check a lab file's expect: list against measurements (exit 1 when one fails)" },
	{ NULL, NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: netnsctl COMMAND [ARGS]\n\nCommands:\n");
	for (const struct command *c = nn_commands; c->name; c++)
		fprintf(f, "  %-18s %s\n", c->name, c->help);
	fprintf(f, "\nnetnsctl COMMAND --help shows a command's arguments. See netnsctl(8).\n");
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("netnsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_fail(const struct nn_error *e)
{
	fprintf(stderr, "netnsctl: %s\n", *e->msg ? e->msg : strerror(e->code ? e->code : EIO));
	return EXIT_FAIL;
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

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?') {
		const char *bad = argv[optind - 1];
		struct nn_shown b;

		/* A long option given a value it does not take ("--dry-run=x")
		 * sets optopt to the option's value: name what was typed. */
		if (bad && bad[0] == '-' && bad[1] == '-')
			return -cli_usage_error("%s: unknown option or value \"%s\"", argv[0],
						nn_show(&b, bad));
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

struct nn_ctx *cli_ctx(void)
{
	struct nn_error e = { 0 };
	struct nn_ctx *ctx;

	if (nn_ctx_new(&ctx, NULL, &e) < 0) {
		cli_fail(&e);
		return NULL;
	}
	return ctx;
}

static void print_step(const char *text, void *arg)
{
	(void)arg;
	printf("%s\n", text);
	fflush(stdout);
}

/* On stdout: stderr carries exactly one line, the error. */
static void print_undone(const char *text, void *arg)
{
	(void)arg;
	printf("rolled back: %s\n", text);
	fflush(stdout);
}

static void on_signal(int sig)
{
	nn_plan_cancel(sig);
}

void cli_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
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

int cli_fail_or_signal(const struct nn_error *e)
{
	int sig = nn_plan_cancelled();

	cli_fail(e);
	return sig ? 128 + sig : EXIT_FAIL;
}

int cli_run_plan(struct nn_ctx *ctx, struct nn_plan *plan, bool dry_run)
{
	struct nn_error e = { 0 };

	if (nn_plan_len(plan) == 0) {
		printf("unchanged\n");
		return EXIT_OK;
	}
	if (dry_run) {
		for (size_t i = 0; i < nn_plan_len(plan); i++)
			printf("would %s\n", nn_plan_step_text(plan, i));
		return EXIT_OK;
	}
	cli_catch_signals();
	if (nn_plan_apply(ctx, plan, print_step, print_undone, NULL, &e) < 0)
		return cli_fail_or_signal(&e);
	return EXIT_OK;
}

int cli_apply_lab(const char *cmd, struct nn_lab *lab, bool dry_run)
{
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;
	struct nn_ctx *ctx = NULL;
	int ret = cli_check_privileges(cmd);

	if (ret == 0 && !(ctx = cli_ctx()))
		ret = EXIT_FAIL;
	if (ret == 0) {
		if (nn_state_lock(ctx, &e) < 0 || nn_plan_make(ctx, lab, &plan, &e) < 0)
			ret = cli_fail(&e);
		else
			ret = cli_run_plan(ctx, plan, dry_run);
	}
	nn_plan_free(plan);
	nn_ctx_free(ctx);
	nn_lab_free(lab);
	return ret;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	struct nn_shown shown;

	if (!name || !strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		usage(name ? stdout : stderr);
		return name ? EXIT_OK : EXIT_USAGE;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("netnsctl %s\n", NETNSCTL_VERSION);
		return EXIT_OK;
	}
	nn_proc_raise_nofile();
	for (const struct command *c = nn_commands; c->name; c++) {
		if (strcmp(c->name, name))
			continue;
		if (argc > 2 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			printf("Usage: netnsctl %s %s\n%s.\n", c->name, c->args, c->help);
			return EXIT_OK;
		}
		/* Commands see themselves as argv[0], as getopt expects. */
		return c->fn(argc - 1, argv + 1);
	}
	cli_usage_error("unknown command \"%s\" (netnsctl --help lists them)", nn_show(&shown, name));
	return EXIT_USAGE;
}
