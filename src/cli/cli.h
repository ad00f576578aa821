/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_CLI_H
#define NETNSCTL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "netnsctl/error.h"

struct nn_ctx;
struct nn_plan;

/* Exit codes, documented in netnsctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the system refused or lacks something */
	EXIT_USAGE = 2,		/* bad command line or value; nothing was changed */
	EXIT_CANNOT_EXEC = 126,
	EXIT_NOT_FOUND = 127,
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

extern const struct command nn_commands[];

/* Print "netnsctl: MSG" on stderr and return EXIT_USAGE / EXIT_FAIL. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail(const struct nn_error *e);
/* "netnsctl: out of memory", EXIT_FAIL. */
int cli_oom(void);
/* An error found while checking the input: exit 2 (cli_fail gives exit 1). */
int cli_input_error(const struct nn_error *e);

/* getopt_long with our messages: returns the option, -1 at the end, or a
 * negative exit code after printing the usage error. */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* Exactly COUNT positional arguments remain (or at least MIN when COUNT < 0). */
int cli_want_args(const char *cmd, int argc, char **argv, int min, int max, const char *names);

/* Refuse early when the process lacks CAP_NET_ADMIN or CAP_SYS_ADMIN. */
int cli_check_privileges(const char *cmd);

/* Make a context, failing with a printed message. */
struct nn_ctx *cli_ctx(void);

/* Plan, print or apply; "unchanged" for an empty plan.  Returns an exit code. */
int cli_run_plan(struct nn_ctx *ctx, struct nn_plan *plan, bool dry_run);

/* Check privileges, lock, plan LAB against the kernel and apply (or print,
 * with DRY_RUN) the plan.  Frees LAB.  Returns an exit code. */
struct nn_lab;
int cli_apply_lab(const char *cmd, struct nn_lab *lab, bool dry_run);

/* SIGINT, SIGTERM and SIGHUP from now on cancel a running plan
 * (nn_plan_cancel): it rolls back, and the exit status is 128 + the signal. */
void cli_catch_signals(void);
/* cli_fail, then the exit status: 128 + the signal after a cancel, else 1. */
int cli_fail_or_signal(const struct nn_error *e);

/* A timeout: a bare number is seconds, else a time as tc writes it
 * ("500ms"); 1 ms to 1 h. */
int cli_parse_timeout(const char *s, unsigned *ms, struct nn_error *e);

/* JSON string with escaping. */
void json_str(FILE *f, const char *s);

#endif
