/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_LABRUN_H
#define NETNSCTL_LABRUN_H

/*
 * A lab file's lab, whole: its objects (labfile.h), its nodes' commands
 * (proc.h) and its client groups (clients.h), planned and applied by the
 * one engine (lab.h) as steps of the same plan: one dry-run, one rollback.
 * What a lab keeps is in STATE_DIR/labs/NAME: the file it was applied from
 * and its text, the commands it started (pid and start time), the client
 * groups it made, and the commands' logs.  This layer sits above the
 * clients code (which itself uses the engine for its namespaces).
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "netnsctl/clients.h"
#include "netnsctl/error.h"

struct nn_ctx;
struct nn_lab;
struct nn_labfile;
struct nn_plan;

/*
 * LF's lab: owned by "lab:NAME", pruning what that owner made and LF no
 * longer has, refusing (or, with "adopt: true", adopting) what another
 * owner made, with its commands and client groups.  -EINVAL (the file's
 * objects do not make a lab) or -ENOMEM.
 */
int nn_labrun_lab(const struct nn_labfile *lf, struct nn_lab **out, struct nn_error *e);

/* Lab NAME, removed: an empty lab of its owner, pruning; its commands stop,
 * its client groups (the recorded ones, and those of LF when not NULL) go,
 * and its records with them. */
int nn_labrun_destroy_lab(const char *name, const struct nn_labfile *lf, struct nn_lab **out,
			  struct nn_error *e);

/* Everything netnsctl made, removed (cleanup): what every owner made, every
 * lab's commands and records, every client. */
int nn_labrun_cleanup_lab(struct nn_lab **out, struct nn_error *e);

/*
 * Whether LAB (from nn_labrun_lab) differs from what was last applied only
 * in root qdiscs (an impairment changed): then its plan reads and changes
 * those alone, not the rest of the lab (which a re-apply of the same file
 * checks and repairs).  apply asks; status never does.
 */
int nn_labrun_narrow(struct nn_ctx *ctx, struct nn_lab *lab, struct nn_error *e);

/* When LAB (from nn_labrun_lab) has been applied whole, record it as
 * applied from PATH (absolute, "-" for standard input), TEXT of LEN bytes. */
int nn_labrun_set_applied(struct nn_lab *lab, const char *path, const char *text, size_t len,
			  struct nn_error *e);

/* What the steps of client groups tell the caller (the CLI's warnings and
 * lease progress): for every lab plan of this process. */
void nn_labrun_set_hooks(void (*warn)(const char *msg, void *arg), nn_clients_progress_cb progress,
			 void *arg);

/*
 * Lab NAME as it was last applied: its text (*TEXT malloc()ed, *LEN bytes)
 * and the path it came from in FROM ("" when not recorded, "-" for standard
 * input).  -ENOENT when no lab of that name was applied.
 */
int nn_labrun_read_applied(struct nn_ctx *ctx, const char *name, char **text, size_t *len,
			   char *from, size_t fromlen, struct nn_error *e);

/* What `labs` shows of lab NAME's records: the path it was applied from
 * ("" none), how many of its commands run, how many clients it made. */
struct nn_labrun_info {
	char file[4096];
	size_t commands;
	size_t clients;
};
int nn_labrun_info(struct nn_ctx *ctx, const char *name, struct nn_labrun_info *info,
		   struct nn_error *e);

/* The names of the labs with a record (STATE_DIR/labs/NAME), unsorted;
 * free with nn_netns_list_free(). */
int nn_labrun_list(struct nn_ctx *ctx, char ***names, size_t *n, struct nn_error *e);

/* The journal's records (nn_journal_owned) of what still exists: a record
 * whose namespace is gone, or is another of the same name by now (its
 * cookie), is left out.  *OUT malloc()ed. */
struct nn_journal_entry;
int nn_journal_live(struct nn_ctx *ctx, struct nn_journal_entry **out, size_t *n,
		    struct nn_error *e);

/* What a plan found of its lab's commands and client groups (status). */
struct nn_plan_command {
	char node[256];
	unsigned index;			/* from 0 */
	char *const *argv;
	pid_t pid;			/* running the same words; 0: not running */
};
struct nn_plan_group {
	char prefix[256];
	unsigned count;			/* wanted */
	unsigned present;		/* of 1..count, made by the lab */
	unsigned extra;			/* made by the lab beyond count */
};
size_t nn_plan_commands(const struct nn_plan *plan, const struct nn_plan_command **v);
size_t nn_plan_groups(const struct nn_plan *plan, const struct nn_plan_group **v);

#endif
