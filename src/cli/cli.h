/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_CLI_H
#define NETNSCTL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "netnsctl/error.h"
#include "util/show.h"

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

/* One option of a command, for its --help and its usage line. */
struct cli_opt {
	const char *name;	/* the long option, without "--" */
	char short_name;	/* 0: none */
	const char *arg;	/* its value's placeholder ("TIME"), NULL for a flag */
	const char *help;	/* what it does, its unit, its default */
	unsigned int flags;
};
#define CLI_OPT_REQUIRED 1u	/* shown without brackets */
#define CLI_OPT_REPEAT 2u	/* may be given more than once */
#define CLI_OPT_OR 4u		/* instead of the option before it: [--a A | --b B] */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;	/* the positional arguments: "NS IF" */
	const char *help;
	const struct cli_opt *opts;	/* ends with a NULL name */
};

extern const struct command nn_commands[];

/* Print "netnsctl: MSG" on stderr and return EXIT_USAGE / EXIT_FAIL. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail(const struct nn_error *e);
/*
 * A line (cli_part: a piece of one) on stdout that holds names: formatted,
 * then written through nn_put_shown(), so a name's control characters and
 * bytes that are not UTF-8 come out as \xHH, never raw.  cli_line adds the
 * newline.
 */
void cli_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_part(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "netnsctl: warning: MSG" on stderr (a library's warn callback; ARG unused). */
void cli_warn(const char *msg, void *arg);
/* "netnsctl: out of memory", EXIT_FAIL. */
int cli_oom(void);
/* An error found while checking the input: exit 2 (cli_fail gives exit 1). */
int cli_input_error(const struct nn_error *e);
/*
 * A plan that could not be made: exit 2 when the request itself is refused
 * (EEXIST: a name it gives is taken by something netnsctl must not
 * replace; EMSGSIZE: a tbf burst smaller than the link's frames), else 1
 * (a namespace or link that is missing, a kernel error).
 */
int cli_plan_error(const struct nn_error *e);

/* getopt_long with our messages: returns the option, -1 at the end, or a
 * negative exit code after printing the usage error. */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* Exactly COUNT positional arguments remain (or at least MIN when COUNT < 0). */
int cli_want_args(const char *cmd, int argc, char **argv, int min, int max, const char *names);

/* Refuse early when the process lacks CAP_NET_ADMIN or CAP_SYS_ADMIN. */
int cli_check_privileges(const char *cmd);

/* Draw the progress line (an nn_progress_cb, see ctx.h): on a terminal
 * only; DONE == TOTAL wipes it.  cli_ctx() contexts report through it. */
void cli_progress(const char *what, size_t done, size_t total, void *arg);
/* The same for create-clients' leases (an nn_clients_progress_cb). */
void cli_lease_progress(unsigned int done, unsigned int total, void *arg);

/* Make a context, failing with a printed message. */
struct nn_ctx *cli_ctx(void);

/* A daemon's log line on its stderr (the log file its starter gave it):
 * "2026-12-07T06:00:00Z netnsctl NAME[PID]: MSG", NAME being ARG. */
void cli_daemon_log(const char *msg, void *arg);

/* How a command that changes something reports (--dry-run, --json). */
struct cli_change {
	bool dry_run;
	bool json;
	/* The command changed something before its plan (cleanup's passes):
	 * an empty plan then is no "unchanged". */
	bool changed_before;
	/* Not applied: the plan shown by this instead (--print-tc). */
	void (*show_plan)(const struct nn_plan *plan);
};
/* Option C of such a command ('n': --dry-run, 'j': --json) into HOW: 1
 * when it was one of them. */
int cli_change_opt(int c, struct cli_change *how);
#define CLI_CHANGE_OPTIONS { "dry-run", no_argument, NULL, 'n' }, { "json", no_argument, NULL, 'j' }
/* The options of a command that has no others: 0, or the exit code after
 * a usage error. */
int cli_change_options(int argc, char **argv, struct cli_change *how);

/* Print or apply PLAN as HOW says: "would ..." lines, the steps as they are
 * done, "unchanged" for an empty plan, or one JSON document
 * {"version":1,"changed":BOOL,"dry_run":BOOL,"steps":[...]} (docs/json.md).
 * Returns an exit code. */
struct cli_change;
int cli_run_plan(struct nn_ctx *ctx, struct nn_plan *plan, const struct cli_change *how);
/* That document, for PLAN's steps. */
void cli_print_steps_json(const struct nn_plan *plan, bool changed, bool dry_run);

/* Check privileges, lock, plan LAB against the kernel and apply (or print)
 * the plan as HOW says.  Frees LAB.  Returns an exit code. */
struct nn_lab;
int cli_apply_lab(const char *cmd, struct nn_lab *lab, const struct cli_change *how);
/* The same; *CHANGED: the plan was applied and was not empty. */
int cli_apply_lab_changed(const char *cmd, struct nn_lab *lab, const struct cli_change *how,
			  bool *changed);

/* --for DURATION (chaos.c): a unit required, more than 0, at most a year;
 * 0 or an exit code after printing the error. */
int cli_parse_for(const char *s, uint64_t *ns);
/* WANT as IFNAME's root in NSNAME for FOR_NS, then back (change.h). */
struct nn_qdisc_info;
int cli_timed_qdisc(const char *cmd, const char *nsname, const char *ifname,
		    const struct nn_qdisc_info *want, const char *dur, uint64_t for_ns, bool dry);

/* SIGINT, SIGTERM and SIGHUP from now on cancel a running plan
 * (nn_plan_cancel): it rolls back, and the exit status is 128 + the signal. */
void cli_catch_signals(void);
/* The same signals to HANDLER (a command with a flag of its own). */
void cli_catch_signals_to(void (*handler)(int));
/* cli_fail, then the exit status: 128 + the signal after a cancel, else
 * as cli_plan_error (2 for a name netnsctl will not take over, else 1). */
int cli_fail_or_signal(const struct nn_error *e);

/*
 * Every --json document (docs/json.md, docs/schema/) is one object whose
 * first member is "version": json_begin() writes '{"version":N', the caller
 * goes on with ',"KEY":...' and ends with "}\n".  A change that breaks a
 * reader of a document raises the number.  Commands that change something
 * say {"version":N,"changed":BOOL,"dry_run":BOOL,"steps":[...]}
 * (cli_run_plan), each step as nn_step_json() writes it.
 */
#define NN_JSON_VERSION 1

static inline void json_begin(FILE *f)
{
	fprintf(f, "{\"version\":%d", NN_JSON_VERSION);
}

/* S as a JSON string: nn_put_json() (show.h), the one escaper. */
static inline void json_str(FILE *f, const char *s)
{
	nn_put_json(f, s);
}

/* A timeout: a bare number is seconds, else a time as tc writes it
 * ("500ms"); 1 ms to 1 h. */
int cli_parse_timeout(const char *s, unsigned *ms, struct nn_error *e);


#endif
