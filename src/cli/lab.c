// SPDX-License-Identifier: GPL-2.0-or-later
/* apply, destroy, status, labs: lab files (docs/labfile.md), through the
 * engine's lab run (labrun.h): one plan holds a lab's objects, commands and
 * client groups. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/labfile.h"
#include "netnsctl/labrun.h"
#include "netnsctl/names.h"
#include "netnsctl/netns.h"
#include "cli.h"
#include "commands.h"
#include "util/show.h"

struct lab_run {
	struct nn_ctx *ctx;
	struct nn_labfile *lf;
	char *text;		/* the file as read, recorded by apply */
	size_t text_len;
};

static int parse_error(const struct nn_error *e)
{
	return e->code == EINVAL || e->code == E2BIG ? cli_input_error(e) : cli_fail(e);
}

/* A name that can be a directory under STATE_DIR/labs (the parser
 * refuses the rest as lab names). */
static bool could_be_lab(const char *s)
{
	return strlen(s) <= NN_LABFILE_NAME_MAX && nn_netns_name_valid(s);
}

/* Lab NAME as it was last applied (its recorded text), parsed with the
 * path it came from (for messages and its default name).  -ENOENT when no
 * lab of that name was applied. */
static int read_applied(const char *name, struct lab_run *r, struct nn_error *e)
{
	char from[4096], text[PATH_MAX];
	struct nn_shown sh;
	int ret = nn_labrun_read_applied(r->ctx, name, &r->text, &r->text_len, from, sizeof(from), e);

	snprintf(text, sizeof(text), "%s/labs/%s/lab.yaml", nn_ctx_state_dir(r->ctx), name);
	if (ret == -ENOENT)
		return nn_error_setx(e, ENOENT, "no lab file \"%s\" and no applied lab of that name",
				     nn_show(&sh, name));
	if (ret < 0 ||
	    nn_labfile_parse(r->text, r->text_len, *from && strcmp(from, "-") ? from : text, &r->lf,
			     e) < 0)
		return -e->code;
	if (strcmp(r->lf->name, name))
		return nn_error_setx(e, EINVAL, "\"%s\" holds lab \"%s\", not \"%s\"", text,
				     r->lf->name, nn_show(&sh, name));
	return 0;
}

/*
 * The lab ARG names: a lab file ("-": stdin), or with BY_NAME (status,
 * destroy), when no such file exists, the name of an applied lab.
 */
static int load(const char *cmd, const char *arg, bool by_name, struct lab_run *r)
{
	struct nn_error e = { 0 };
	int ret;

	if (by_name && strcmp(arg, "-") && access(arg, F_OK) < 0 && errno == ENOENT &&
	    could_be_lab(arg)) {
		if ((ret = cli_check_privileges(cmd)) || !(r->ctx = cli_ctx()))
			return ret ? ret : EXIT_FAIL;
		/* The state lock first: an apply may be writing the record. */
		if (nn_state_lock(r->ctx, &e) < 0)
			return cli_fail(&e);
		return read_applied(arg, r, &e) < 0 ? cli_fail(&e) : 0;
	}
	if (nn_labfile_read(arg, &r->text, &r->text_len, &e) < 0 ||
	    nn_labfile_parse(r->text, r->text_len, arg, &r->lf, &e) < 0)
		return parse_error(&e);
	return 0;
}

/* Privileges, context, the state lock. */
static int open_run(const char *cmd, struct lab_run *r)
{
	struct nn_error e = { 0 };
	int ret = cli_check_privileges(cmd);

	if (ret)
		return ret;
	if (!r->ctx && !(r->ctx = cli_ctx()))
		return EXIT_FAIL;
	if (nn_state_lock(r->ctx, &e) < 0)
		return cli_fail(&e);
	/* A lab's client groups warn and report their leases as
	 * create-clients does. */
	nn_labrun_set_hooks(cli_warn, cli_lease_progress, NULL);
	return 0;
}

static void close_run(struct lab_run *r)
{
	nn_ctx_free(r->ctx);
	nn_labfile_free(r->lf);
	free(r->text);
}

/* The lab R's file describes. */
static int build_lab(const struct lab_run *r, struct nn_lab **out)
{
	struct nn_error e = { 0 };

	if (nn_labrun_lab(r->lf, out, &e) < 0)
		return e.code == ENOMEM ? cli_oom() : cli_input_error(&e);
	return 0;
}

/* The plan of LAB; a namespace or link another owner has is named with
 * the file and what the file can say about it. */
static int plan_lab(struct lab_run *r, const struct nn_lab *lab, struct nn_plan **plan,
		    struct nn_error *e)
{
	size_t n;

	if (nn_plan_make(r->ctx, lab, plan, e) == 0)
		return 0;
	if (e->code == EBUSY) {
		nn_error_prefix(e, "%s", r->lf->path);
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n,
			 " (name it otherwise, give the lab a \"prefix\", or say \"adopt: true\")");
	}
	return -e->code;
}

/* Plan LAB and apply or print it as HOW says. */
static int run_lab(struct lab_run *r, const struct nn_lab *lab, const struct cli_change *how)
{
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;
	int ret;

	if (plan_lab(r, lab, &plan, &e) < 0)
		return cli_plan_error(&e);
	ret = cli_run_plan(r->ctx, plan, how);
	nn_plan_free(plan);
	return ret;
}

/* What `labs` and `status LAB` know of an applied lab: where its file is
 * (absolute) and the text that was applied; and whether it changed only
 * impairments since the last apply. */
static int record_applied(struct lab_run *r, struct nn_lab *lab, const char *arg,
			  struct nn_error *e)
{
	char abs[PATH_MAX + 2];

	if (!strcmp(arg, "-"))
		snprintf(abs, sizeof(abs), "-");
	else if (!realpath(arg, abs))
		return nn_error_set(e, errno, "cannot find the path of \"%s\"", arg);
	if (nn_labrun_set_applied(lab, abs, r->text, r->text_len, e) < 0 ||
	    nn_labrun_narrow(r->ctx, lab, e) < 0)
		return -e->code;
	return 0;
}

/* apply FILE, or (DESTROY) destroy FILE|LAB: only the name matters then,
 * an empty lab of that owner, pruned, is nothing of it (and the file's
 * client groups go too). */
static int change_lab(int argc, char **argv, bool destroy)
{
	struct cli_change how = { 0 };
	struct lab_run r = { 0 };
	struct nn_error e = { 0 };
	struct nn_lab *lab = NULL;
	int ret;

	if ((ret = cli_change_options(argc, argv, &how)) ||
	    (ret = cli_want_args(argv[0], argc, argv, 1, 1, destroy ? "FILE|LAB" : "FILE")) ||
	    (ret = load(argv[0], argv[optind], destroy, &r)))
		goto out;
	if (destroy && nn_labrun_destroy_lab(r.lf->name, r.lf, &lab, &e) < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	if ((!destroy && (ret = build_lab(&r, &lab))) || (ret = open_run(argv[0], &r)))
		goto out;
	if (!destroy && record_applied(&r, lab, argv[optind], &e) < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	ret = run_lab(&r, lab, &how);
out:
	nn_lab_free(lab);
	close_run(&r);
	return ret;
}

int cmd_apply(int argc, char **argv)
{
	return change_lab(argc, argv, false);
}

int cmd_destroy(int argc, char **argv)
{
	return change_lab(argc, argv, true);
}

enum report { REPORT_NONE, REPORT_TEXT, REPORT_JSON };

static void report_json(const struct nn_labfile *lf, const struct nn_plan *plan, bool in_sync)
{
	const struct nn_plan_command *cmds;
	const struct nn_plan_group *groups;
	size_t ncmds = nn_plan_commands(plan, &cmds), ngroups = nn_plan_groups(plan, &groups);

	json_begin(stdout);
	printf(",\"lab\":");
	json_str(stdout, lf->name);
	printf(",\"in_sync\":%s,\"steps\":[", in_sync ? "true" : "false");
	for (size_t i = 0; i < nn_plan_len(plan); i++) {
		if (i)
			putchar(',');
		nn_step_json(stdout, nn_plan_step(plan, i));
	}
	printf("],\"commands\":[");
	for (size_t i = 0; i < ncmds; i++) {
		printf("%s{\"node\":", i ? "," : "");
		json_str(stdout, cmds[i].node);
		printf(",\"index\":%u,\"running\":%s,\"pid\":%d}", cmds[i].index + 1,
		       cmds[i].pid ? "true" : "false", (int)cmds[i].pid);
	}
	printf("],\"clients\":[");
	for (size_t i = 0; i < ngroups; i++) {
		printf("%s{\"prefix\":", i ? "," : "");
		json_str(stdout, groups[i].prefix);
		printf(",\"count\":%u,\"present\":%u,\"extra\":%u}", groups[i].count,
		       groups[i].present, groups[i].extra);
	}
	printf("]}\n");
}

/*
 * Compare R's lab (LAB, made from R's file) with the system: the steps apply
 * would make, its commands and client groups among them.  *IN_SYNC when
 * there are none; reported as HOW says.
 */
static int lab_status(struct lab_run *r, const struct nn_lab *lab, enum report how,
		      bool *in_sync, struct nn_error *e)
{
	struct nn_plan *plan = NULL;
	char text[1024];

	*in_sync = false;
	if (plan_lab(r, lab, &plan, e) < 0)
		return -e->code;
	*in_sync = nn_plan_len(plan) == 0;
	if (how == REPORT_JSON) {
		report_json(r->lf, plan, *in_sync);
	} else if (how == REPORT_TEXT) {
		for (size_t i = 0; i < nn_plan_len(plan); i++)
			cli_line("%s", nn_step_status(nn_plan_step(plan, i), text, sizeof(text)));
		if (*in_sync)
			printf("in sync\n");
	}
	nn_plan_free(plan);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct lab_run r = { 0 };
	struct nn_error e = { 0 };
	struct nn_lab *lab = NULL;
	bool json = false, in_sync;
	int c, ret;

	while ((c = cli_getopt(argc, argv, "j", opts)) != -1) {
		if (c < 0)
			return -c;
		json = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "FILE|LAB")) ||
	    (ret = load(argv[0], argv[optind], true, &r)))
		goto out;
	if ((ret = build_lab(&r, &lab)) || (ret = open_run(argv[0], &r)))
		goto out;
	if (lab_status(&r, lab, json ? REPORT_JSON : REPORT_TEXT, &in_sync, &e) < 0) {
		ret = cli_plan_error(&e);
		goto out;
	}
	/* The document says whether the lab is in sync: a pipeline reading it
	 * (status --json | jq, under pipefail) must not fail because it is not. */
	ret = in_sync || json ? EXIT_OK : EXIT_FAIL;
out:
	nn_lab_free(lab);
	close_run(&r);
	return ret;
}

/* --- labs: what was applied -------------------------------------------- */

struct lab_row {
	char name[NN_LABFILE_NAME_MAX + 1];
	char file[4096];		/* "" when not recorded */
	size_t objects[NN_OBJ_SYSCTL + 1];	/* by journal kind */
	size_t commands, clients;
	int in_sync;			/* 1, 0, or -1 when not known: ERROR says why */
	char error[NN_ERROR_MAX];
};

static int add_row(struct lab_row **v, size_t *n, const char *name)
{
	struct lab_row *nv;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name))
			return 0;
	if (!(nv = realloc(*v, (*n + 1) * sizeof(**v))))
		return -ENOMEM;
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	snprintf(nv[*n].name, sizeof(nv[*n].name), "%s", name);
	(*n)++;
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct lab_row *)a)->name, ((const struct lab_row *)b)->name);
}

/* Every lab with a state dir or with objects in the journal. */
static int collect_labs(struct nn_ctx *ctx, const struct nn_journal_entry *j, size_t nj,
			struct lab_row **v, size_t *n, struct nn_error *e)
{
	char **names = NULL;
	size_t nn = 0;
	int ret = 0;

	if (nn_labrun_list(ctx, &names, &nn, e) < 0)
		return -e->code;
	for (size_t i = 0; i < nn && ret == 0; i++)
		if (could_be_lab(names[i]) && add_row(v, n, names[i]) < 0)
			ret = nn_error_set(e, ENOMEM, "cannot list labs");
	nn_netns_list_free(names, nn);
	for (size_t i = 0; i < nj && ret == 0; i++)
		if (!strncmp(j[i].owner, "lab:", 4) && add_row(v, n, j[i].owner + 4) < 0)
			ret = nn_error_set(e, ENOMEM, "cannot list labs");
	if (ret == 0 && *n)
		qsort(*v, *n, sizeof(**v), cmp_row);
	return ret;
}

/* What ROW's lab has now, and whether it is as it was applied. */
static int describe_lab(struct nn_ctx *ctx, const struct nn_journal_entry *j, size_t nj,
			struct lab_row *row, struct nn_error *e)
{
	struct lab_run r = { .ctx = ctx };
	struct nn_error why = { 0 };
	struct nn_labrun_info info;
	struct nn_lab *lab = NULL;
	char owner[NN_LABFILE_NAME_MAX + 8];
	bool in_sync;

	snprintf(owner, sizeof(owner), "lab:%s", row->name);
	for (size_t i = 0; i < nj; i++)
		/* (labs make no ingress filters yet: those kinds are not counted) */
		if (!strcmp(j[i].owner, owner) && j[i].kind <= NN_OBJ_SYSCTL)
			row->objects[j[i].kind]++;
	if (nn_labrun_info(ctx, row->name, &info, e) < 0)
		return -e->code;
	snprintf(row->file, sizeof(row->file), "%s", info.file);
	row->commands = info.commands;
	row->clients = info.clients;
	row->in_sync = -1;
	/* A lab applied by a netnsctl that kept no record is not known. */
	if (read_applied(row->name, &r, &why) < 0 || nn_labrun_lab(r.lf, &lab, &why) < 0 ||
	    lab_status(&r, lab, REPORT_NONE, &in_sync, &why) < 0)
		snprintf(row->error, sizeof(row->error), "%s", why.msg);
	else
		row->in_sync = in_sync;
	nn_lab_free(lab);
	nn_labfile_free(r.lf);
	free(r.text);
	return 0;
}

static const char *const object_words[][2] = {
	[NN_OBJ_NETNS] = { "namespace", "namespaces" },
	[NN_OBJ_LINK] = { "link", "links" },
	[NN_OBJ_QDISC] = { "qdisc", "qdiscs" },
	[NN_OBJ_ROUTE] = { "route", "routes" },
	[NN_OBJ_NAT] = { "NAT rule", "NAT rules" },
	[NN_OBJ_SYSCTL] = { "sysctl", "sysctls" },
};

/* "3 namespaces, 4 links, 1 command" (or "none") into F. */
static void print_objects(FILE *f, const struct lab_row *row)
{
	bool first = true;

	for (size_t k = 0; k <= NN_OBJ_SYSCTL; k++) {
		if (!row->objects[k])
			continue;
		fprintf(f, "%s%zu %s", first ? "" : ", ", row->objects[k],
			object_words[k][row->objects[k] != 1]);
		first = false;
	}
	if (row->commands) {
		fprintf(f, "%s%zu command%s", first ? "" : ", ", row->commands, row->commands == 1 ? "" : "s");
		first = false;
	}
	if (row->clients) {
		fprintf(f, "%s%zu client%s", first ? "" : ", ", row->clients, row->clients == 1 ? "" : "s");
		first = false;
	}
	if (first)
		fputs("none", f);
}

static void print_labs_json(const struct lab_row *v, size_t n)
{
	static const char *const keys[] = {
		[NN_OBJ_NETNS] = "namespaces", [NN_OBJ_LINK] = "links", [NN_OBJ_QDISC] = "qdiscs",
		[NN_OBJ_ROUTE] = "routes", [NN_OBJ_NAT] = "nat_rules", [NN_OBJ_SYSCTL] = "sysctls",
	};

	json_begin(stdout);
	printf(",\"labs\":[");
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"name\":", i ? "," : "");
		json_str(stdout, v[i].name);
		printf(",\"file\":");
		if (*v[i].file && strcmp(v[i].file, "-"))
			json_str(stdout, v[i].file);
		else
			printf("null");
		printf(",\"in_sync\":%s", v[i].in_sync < 0 ? "null" : v[i].in_sync ? "true" : "false");
		if (v[i].in_sync < 0) {
			printf(",\"error\":");
			json_str(stdout, v[i].error);
		}
		printf(",\"objects\":{");
		for (size_t k = 0; k <= NN_OBJ_SYSCTL; k++)
			printf("\"%s\":%zu,", keys[k], v[i].objects[k]);
		printf("\"commands\":%zu,\"clients\":%zu}}", v[i].commands, v[i].clients);
	}
	printf("]}\n");
}

int cmd_labs(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct nn_journal_entry *j = NULL;
	struct nn_error e = { 0 };
	struct lab_row *v = NULL;
	struct nn_ctx *ctx = NULL;
	size_t nj = 0, n = 0;
	bool json = false;
	int c, ret;

	while ((c = cli_getopt(argc, argv, "j", opts)) != -1) {
		if (c < 0)
			return -c;
		json = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 0, 0, "")) || (ret = cli_check_privileges(argv[0])))
		return ret;
	if (!(ctx = cli_ctx()))
		return EXIT_FAIL;
	if (nn_state_lock(ctx, &e) < 0 || nn_journal_live(ctx, &j, &nj, &e) < 0 ||
	    collect_labs(ctx, j, nj, &v, &n, &e) < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		nn_ctx_progress(ctx, v[i].name, i, n);
		if (describe_lab(ctx, j, nj, &v[i], &e) < 0) {
			ret = cli_fail(&e);
			goto out;
		}
	}
	nn_ctx_progress(ctx, "", n, n);
	nn_state_unlock();
	if (json) {
		print_labs_json(v, n);
	} else {
		if (n)
			printf("%-16s %-8s %-32s %s\n", "NAME", "STATE", "FILE", "OBJECTS");
		for (size_t i = 0; i < n; i++) {
			cli_part("%-16s %-8s %-32s ", v[i].name,
			       v[i].in_sync < 0 ? "unknown" : v[i].in_sync ? "in sync" : "differs",
			       *v[i].file ? v[i].file : "-");
			print_objects(stdout, &v[i]);
			putchar('\n');
		}
	}
	ret = EXIT_OK;
out:
	free(v);
	free(j);
	nn_ctx_free(ctx);
	return ret;
}
