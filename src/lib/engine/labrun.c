// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lab run (labrun.h): a lab file's commands and client groups as steps
 * of the one engine, and the records a lab keeps in STATE_DIR/labs/NAME.
 * The planner (plan.c) decides; this file observes the records and the
 * clients, and carries out the CMD_* and CLIENTS_* steps.  It sits above
 * the clients code, which uses the engine below it for its namespaces.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netnsctl/clients.h"
#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/labfile.h"
#include "netnsctl/labrun.h"
#include "netnsctl/netns.h"
#include "netnsctl/proc.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "engine/plan.h"
#include "engine/shape.h"

#define STOP_TIMEOUT_MS 3000

/*
 * STATE_DIR/labs/LAB/file holds the absolute path of the file the lab was
 * last applied from ("-" for stdin), lab.yaml its text as applied, shape
 * the shape of its lab (shape.h: what narrows a re-apply), procs the
 * commands it started, clients the client groups it made ("PREFIX COUNT"
 * lines), NODE.N.log each command's output.
 */
#define FILE_RECORD "file"
#define TEXT_RECORD "lab.yaml"
#define SHAPE_RECORD "shape"
#define PROCS_RECORD "procs"
#define GROUPS_RECORD "clients"

/* What the CLI gives a lab's client groups: its warnings, the leases'
 * progress. */
struct run_hooks {
	void (*warn)(const char *msg, void *arg);
	nn_clients_progress_cb progress;
	void *arg;
};
static struct run_hooks hooks;

static void lab_dir(char *buf, size_t len, struct nn_ctx *ctx, const char *name)
{
	snprintf(buf, len, "%s/labs/%s", nn_ctx_state_dir(ctx), name);
}

static void record_path(char *buf, size_t len, struct nn_ctx *ctx, const char *name,
			const char *what)
{
	snprintf(buf, len, "%s/labs/%s/%s", nn_ctx_state_dir(ctx), name, what);
}

static int make_dir(struct nn_ctx *ctx, const char *name, struct nn_error *e)
{
	char labs[PATH_MAX], dir[PATH_MAX];

	snprintf(labs, sizeof(labs), "%s/labs", nn_ctx_state_dir(ctx));
	lab_dir(dir, sizeof(dir), ctx, name);
	if ((mkdir(labs, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST))
		return nn_error_set(e, errno, "cannot make \"%s\"", dir);
	return 0;
}

/* Write LEN bytes of DATA as record WHAT of lab NAME, whole or not at all,
 * relative to the lab's directory and never through a symlink (file.h). */
static int write_record(struct nn_ctx *ctx, const char *name, const char *what, const char *data,
			size_t len, struct nn_error *e)
{
	_cleanup_close_ int dirfd = -1;
	char dir[PATH_MAX];

	lab_dir(dir, sizeof(dir), ctx, name);
	if ((dirfd = nn_dir_open(dir, 0, e)) < 0)
		return -e->code;
	return nn_file_replace_at(dirfd, dir, what, -1, data, len, 0600, true, e);
}

/* The first line of record WHAT of lab NAME ("" when there is none). */
static int read_record(struct nn_ctx *ctx, const char *name, const char *what, char *buf,
		       size_t len, struct nn_error *e)
{
	char path[PATH_MAX];
	FILE *f;

	*buf = 0;
	record_path(path, sizeof(path), ctx, name, what);
	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read \"%s\"", path);
	if (!fgets(buf, (int)len, f))
		*buf = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/*
 * The log of command N (from 1) of NODE: DIR/NODE.N.log, or, when that name
 * passes NAME_MAX (a node's name may be 255 bytes), the name's first bytes,
 * '~' and a hash of all of it: stable, so a later run finds what one wrote.
 */
static void log_path(char *buf, size_t len, const char *dir, const char *node, size_t n)
{
	char tail[40];
	uint32_t h = 2166136261u;	/* FNV-1a */
	int keep;

	if (snprintf(tail, sizeof(tail), ".%zu.log", n) + strlen(node) <= NAME_MAX) {
		snprintf(buf, len, "%s/%s%s", dir, node, tail);
		return;
	}
	for (const char *c = node; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	keep = NAME_MAX - 9 - (int)strlen(tail);
	snprintf(buf, len, "%s/%.*s~%08x%s", dir, keep, node, h, tail);
}

/* The client groups lab NAME recorded it made: prefixes, and the counts
 * (0: not known, a record of an older netnsctl) when COUNTS. */
static int recorded_groups(struct nn_ctx *ctx, const char *name, char (**out)[NAME_MAX + 1],
			   unsigned **counts, size_t *n, struct nn_error *e)
{
	char path[PATH_MAX], line[NAME_MAX + 24];
	char (*v)[NAME_MAX + 1] = NULL;
	unsigned *cv = NULL;
	FILE *f;

	*out = NULL;
	*counts = NULL;
	*n = 0;
	record_path(path, sizeof(path), ctx, name, GROUPS_RECORD);
	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read \"%s\"", path);
	while (fgets(line, sizeof(line), f)) {
		char (*nv)[NAME_MAX + 1];
		unsigned *ncv;
		char *sp;

		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (nv)
			v = nv;
		ncv = realloc(cv, (*n + 1) * sizeof(*cv));
		if (ncv)
			cv = ncv;
		if (!nv || !ncv) {
			free(v);
			free(cv);
			fclose(f);
			return nn_error_set(e, ENOMEM, "cannot read \"%s\"", path);
		}
		/* "PREFIX COUNT"; a record without the count (older netnsctl)
		 * says nothing of how many the lab made. */
		sp = strchr(line, ' ');
		cv[*n] = sp ? (unsigned)strtoul(sp + 1, NULL, 10) : 0;
		if (sp)
			*sp = 0;
		snprintf(v[(*n)++], sizeof(*v), "%s", line);
	}
	fclose(f);
	*out = v;
	*counts = cv;
	return 0;
}

/* --- observing -------------------------------------------------------- */

static int observe_procs(struct nn_ctx *ctx, struct nn_snapshot *snap, const char *name,
			 struct nn_error *e)
{
	struct nn_proc *v = NULL;
	char path[PATH_MAX];
	size_t n = 0;
	int ret = 0;

	record_path(path, sizeof(path), ctx, name, PROCS_RECORD);
	if (nn_proc_load(path, &v, &n, e) < 0)
		return -e->code;
	for (size_t i = 0; i < n && ret == 0; i++)
		if (nn_snap_add_proc(snap, &v[i], nn_proc_alive(&v[i]), name) < 0)
			ret = nn_error_set(e, ENOMEM, "cannot observe");
	free(v);
	return ret;
}

/* The clients of PREFIX ("" every client), with their numbers and owners. */
static int observe_group(struct nn_ctx *ctx, struct nn_snapshot *snap, const char *prefix,
			 bool recorded, struct nn_error *e)
{
	struct nn_client_info *v = NULL;
	struct nn_snap_group *g;
	size_t n = 0;
	int ret = 0;

	if ((g = (struct nn_snap_group *)nn_snap_group(snap, prefix))) {
		g->recorded |= recorded;
		return 0;
	}
	if (nn_clients_list(ctx, *prefix ? prefix : NULL, &v, &n, e) < 0)
		return -e->code;
	if (!(g = nn_snap_add_group(snap, prefix)))
		ret = nn_error_set(e, ENOMEM, "cannot observe");
	for (size_t i = 0; i < n && ret == 0; i++) {
		unsigned long k = *prefix ? strtoul(v[i].name + strlen(prefix), NULL, 10) : 0;

		if (nn_snap_add_client(g, v[i].name, (unsigned)k, v[i].owner) < 0)
			ret = nn_error_set(e, ENOMEM, "cannot observe");
	}
	if (g)
		g->recorded = recorded;
	free(v);
	return ret;
}

/* Every lab with a directory (cleanup): "."-names too (an older netnsctl
 * took ".lab"). */
static int observe_every_lab(struct nn_ctx *ctx, struct nn_snapshot *snap, struct nn_error *e)
{
	char labs[PATH_MAX];
	struct dirent *d;
	DIR *top;
	int ret = 0;

	snprintf(labs, sizeof(labs), "%s/labs", nn_ctx_state_dir(ctx));
	if ((top = opendir(labs))) {
		while ((d = readdir(top)) && ret == 0)
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				ret = observe_procs(ctx, snap, d->d_name, e);
		closedir(top);
	} else if (errno != ENOENT) {
		return nn_error_set(e, errno, "cannot read \"%s\"", labs);
	}
	return ret < 0 ? ret : observe_group(ctx, snap, "", false, e);
}

static int run_observe(struct nn_ctx *ctx, const struct nn_lab *lab, struct nn_snapshot *snap,
		       struct nn_error *e)
{
	char (*v)[NAME_MAX + 1] = NULL;
	unsigned *counts = NULL;
	size_t n = 0;
	int ret;

	if (lab->every_owner)
		return observe_every_lab(ctx, snap, e);
	if ((ret = observe_procs(ctx, snap, lab->name, e)) < 0 ||
	    (ret = recorded_groups(ctx, lab->name, &v, &counts, &n, e)) < 0)
		return ret;
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = observe_group(ctx, snap, v[i], true, e);
	for (size_t i = 0; i < lab->n_groups && ret == 0; i++)
		ret = observe_group(ctx, snap, lab->groups[i].prefix, false, e);
	for (size_t i = 0; i < lab->n_old_groups && ret == 0; i++)
		ret = observe_group(ctx, snap, lab->old_groups[i], false, e);
	free(v);
	free(counts);
	return ret;
}

/* --- doing ------------------------------------------------------------ */

/* Lab NAME's records of started commands: with P added (ADD), or without
 * the records of P's process (DROP), or of every process gone (P NULL). */
enum procs_op { PROCS_ADD, PROCS_DROP };

static int update_procs(struct nn_ctx *ctx, const char *name, const struct nn_proc *p,
			enum procs_op op, struct nn_error *e)
{
	struct nn_proc *v = NULL, *nv;
	char path[PATH_MAX];
	size_t n = 0, k = 0;
	int ret;

	record_path(path, sizeof(path), ctx, name, PROCS_RECORD);
	if (nn_proc_load(path, &v, &n, e) < 0)
		return -e->code;
	if (op == PROCS_ADD) {
		if (!(nv = realloc(v, (n + 1) * sizeof(*v)))) {
			free(v);
			return nn_error_set(e, ENOMEM, "cannot track commands");
		}
		v = nv;
		v[n++] = *p;
		k = n;
	} else {
		for (size_t i = 0; i < n; i++)
			if (p ? v[i].pid != p->pid || v[i].start_time != p->start_time
			      : nn_proc_alive(&v[i]))
				v[k++] = v[i];
	}
	ret = op == PROCS_DROP && k == n ? 0 : nn_proc_save(path, v, k, e);
	free(v);
	return ret;
}

struct recorder {
	struct nn_ctx *ctx;
	const char *lab;
};

/* Recorded before it execs: a later failure or kill must not forget it. */
static int record_proc(const struct nn_proc *p, void *arg, struct nn_error *e)
{
	struct recorder *r = arg;

	return update_procs(r->ctx, r->lab, p, PROCS_ADD, e);
}

static const char *step_lab(const struct nn_plan *p, const struct nn_step *s)
{
	return *s->u.cmd.lab ? s->u.cmd.lab : p->lab->name;
}

static int start_command(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_step *s,
			 struct nn_error *e)
{
	const struct nn_lab *lab = p->lab;
	struct nn_proc proc = { .index = s->u.cmd.index };
	char dir[PATH_MAX], log[PATH_MAX + 300];
	struct nn_ns *ns;

	snprintf(proc.node, sizeof(proc.node), "%s", s->ns);
	lab_dir(dir, sizeof(dir), ctx, lab->name);
	log_path(log, sizeof(log), dir, s->ns, s->u.cmd.index + 1);
	if (make_dir(ctx, lab->name, e) < 0 || nn_ctx_ns(ctx, s->ns, &ns, e) < 0)
		return -e->code;
	if (nn_proc_start(nn_ns_fd(ns), s->u.cmd.argv, log, &proc, record_proc,
			  &(struct recorder){ ctx, lab->name }, e) < 0) {
		/* Recorded, then failed to run: forget it. */
		if (proc.pid)
			update_procs(ctx, lab->name, &proc, PROCS_DROP, &(struct nn_error){ 0 });
		return nn_error_prefix(e, "command %u in %s", s->u.cmd.index + 1, s->ns);
	}
	s->u.cmd.pid = proc.pid;
	s->u.cmd.start_time = proc.start_time;
	s->run.done = true;
	return 0;
}

static int stop_command(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_step *s,
			struct nn_error *e)
{
	struct nn_proc proc = { .index = s->u.cmd.index, .pid = s->u.cmd.pid,
				.start_time = s->u.cmd.start_time };
	int ret;

	snprintf(proc.node, sizeof(proc.node), "%s", s->ns);
	if ((ret = nn_proc_stop(&proc, STOP_TIMEOUT_MS, e)) < 0)
		return ret;
	s->run.done = true;
	/* One that would not stop stays recorded, for destroy and cleanup. */
	if (nn_proc_alive(&proc))
		return 0;
	return update_procs(ctx, step_lab(p, s), &proc, PROCS_DROP, e);
}

static int add_clients(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_step *s,
		       struct nn_error *e)
{
	const struct lab_group *g = &p->lab->groups[s->u.clients.spec];
	struct nn_clients_spec spec = g->spec;
	int ret;

	spec.prefix = g->prefix;
	spec.parent = g->parent;
	spec.owner = p->lab->group_owner;
	spec.warn = hooks.warn;
	spec.warn_arg = hooks.arg;
	if ((ret = nn_clients_check(ctx, &spec, e)) < 0 ||
	    (ret = nn_clients_create(ctx, &spec, hooks.progress, hooks.arg, e)) < 0)
		return nn_error_prefix(e, "%s: client group %s", g->where, g->prefix);
	s->run.done = true;
	return 0;
}

static int del_clients(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_step *s,
		       struct nn_error *e)
{
	const char *prefix = s->u.clients.prefix, *owner = p->lab->group_owner;
	int ret;

	if (!*prefix)
		ret = nn_clients_delete(ctx, NULL, 0, e);
	else if (s->u.clients.first)
		ret = nn_clients_delete_range(ctx, prefix, s->u.clients.first, s->u.clients.last,
					      owner, e);
	else
		ret = nn_clients_delete_owned(ctx, prefix, owner, e);
	if (ret < 0) {
		const struct lab_group *g = NULL;

		for (size_t i = 0; i < p->lab->n_groups && !g; i++)
			if (!strcmp(p->lab->groups[i].prefix, prefix))
				g = &p->lab->groups[i];
		return g ? nn_error_prefix(e, "%s: client group %s", g->where, prefix) : ret;
	}
	s->run.done = true;
	return 0;
}

static int run_do(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_step *s,
		  struct nn_error *e)
{
	switch (s->kind) {
	case NN_STEP_CMD_START:
		return start_command(ctx, p, s, e);
	case NN_STEP_CMD_STOP:
		return stop_command(ctx, p, s, e);
	case NN_STEP_CLIENTS_ADD:
		return add_clients(ctx, p, s, e);
	case NN_STEP_CLIENTS_DEL:
		return del_clients(ctx, p, s, e);
	default:
		return nn_error_setx(e, EINVAL, "not a step of a lab's run");
	}
}

/* All or nothing: a command this run started stops (its namespace may go
 * with the rollback) and is forgotten; a client group made from none goes
 * (one that had clients keeps them: they were the lab's before). */
static void run_undo(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_step *s)
{
	struct nn_error ignored = { 0 };

	if (s->kind == NN_STEP_CMD_START) {
		struct nn_proc proc = { .index = s->u.cmd.index, .pid = s->u.cmd.pid,
					.start_time = s->u.cmd.start_time };

		snprintf(proc.node, sizeof(proc.node), "%s", s->ns);
		if (nn_proc_alive(&proc))
			nn_proc_stop(&proc, STOP_TIMEOUT_MS, &ignored);
		if (!nn_proc_alive(&proc))
			update_procs(ctx, p->lab->name, &proc, PROCS_DROP, &ignored);
	} else if (s->kind == NN_STEP_CLIENTS_ADD && !s->u.clients.have) {
		nn_clients_delete_owned(ctx, s->u.clients.prefix, p->lab->group_owner, &ignored);
	}
}

/* Every file of lab NAME's directory (records, logs, what a killed write
 * left), then the directory. */
static void remove_lab_dir(struct nn_ctx *ctx, const char *name)
{
	char dir[PATH_MAX];
	struct dirent *d;
	DIR *sub;

	lab_dir(dir, sizeof(dir), ctx, name);
	if (!(sub = opendir(dir)))
		return;
	while ((d = readdir(sub)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			unlinkat(dirfd(sub), d->d_name, 0);
	closedir(sub);
	rmdir(dir);
}

/* The groups LAB has, as a record: what a later apply prunes and destroy
 * deletes. */
static int record_groups(struct nn_ctx *ctx, const struct nn_lab *lab, struct nn_error *e)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	record_path(path, sizeof(path), ctx, lab->name, GROUPS_RECORD);
	if (!lab->n_groups) {
		if (unlink(path) < 0 && errno != ENOENT)
			return nn_error_set(e, errno, "cannot remove \"%s\"", path);
		return 0;
	}
	if (!(f = open_memstream(&text, &len)))
		return nn_error_set(e, ENOMEM, "cannot write \"%s\"", path);
	for (size_t i = 0; i < lab->n_groups; i++)
		fprintf(f, "%s %u\n", lab->groups[i].prefix, lab->groups[i].spec.count);
	if (fclose(f) != 0)
		ret = nn_error_set(e, ENOMEM, "cannot write \"%s\"", path);
	else
		ret = write_record(ctx, lab->name, GROUPS_RECORD, text, len, e);
	free(text);
	return ret;
}

static int run_finish(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_error *e)
{
	const struct nn_lab *lab = p->lab;
	char labs[PATH_MAX];
	struct dirent *d;
	DIR *top;
	int ret;

	if (lab->every_owner) {
		snprintf(labs, sizeof(labs), "%s/labs", nn_ctx_state_dir(ctx));
		if (!(top = opendir(labs)))
			return 0;
		while ((d = readdir(top)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				remove_lab_dir(ctx, d->d_name);
		closedir(top);
		rmdir(labs);
		return 0;
	}
	if (lab->forget) {
		/* The logs and records go with the lab. */
		remove_lab_dir(ctx, lab->name);
		return 0;
	}
	if (!lab->applied_path)
		return 0;
	if ((ret = make_dir(ctx, lab->name, e)) < 0 || (ret = update_procs(ctx, lab->name, NULL, PROCS_DROP, e)) < 0 ||
	    (ret = record_groups(ctx, lab, e)) < 0 ||
	    (ret = write_record(ctx, lab->name, FILE_RECORD, lab->applied_path,
				strlen(lab->applied_path), e)) < 0 ||
	    (ret = write_record(ctx, lab->name, SHAPE_RECORD, lab->applied_shape,
				lab->applied_shape_len, e)) < 0)
		return ret;
	return write_record(ctx, lab->name, TEXT_RECORD, lab->applied_text, lab->applied_len, e);
}

static const struct nn_run_ops run_ops = {
	.observe = run_observe,
	.do_step = run_do,
	.undo_step = run_undo,
	.finish = run_finish,
};

/* --- labs ------------------------------------------------------------- */

/*
 * The journal's owner of the clients a lab makes: not the lab's own owner,
 * whose prune would take the client namespaces for nodes the file no longer
 * has.  One word of at most 63 bytes.
 */
static void group_owner(char *buf, size_t len, const char *name)
{
	char lab[64];
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	snprintf(lab, sizeof(lab), "lab:%s", name);
	if ((size_t)snprintf(buf, len, "clients:%s", lab) < len)
		return;
	for (const char *c = lab; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ULL;
	snprintf(buf, len, "clients:#%016llx", (unsigned long long)h);
}

/* A lab's objects are journalled as owned by "lab:NAME": never the owner
 * name of a command (create-veth-pair, create-clients, ...). */
static struct nn_lab *run_lab(const char *name, struct nn_error *e)
{
	char owner[64];
	struct nn_lab *lab;

	snprintf(owner, sizeof(owner), "lab:%s", name);
	if (!(lab = nn_lab_new(owner))) {
		nn_error_set(e, ENOMEM, "cannot describe lab \"%s\"", name);
		return NULL;
	}
	lab->run = &run_ops;
	snprintf(lab->name, sizeof(lab->name), "%s", name);
	group_owner(lab->group_owner, sizeof(lab->group_owner), name);
	nn_lab_set_prune(lab, true);
	return lab;
}

static int add_commands(struct nn_lab *lab, const struct nn_labfile *lf, struct nn_error *e)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < lf->n_nodes; i++)
		total += lf->nodes[i].n_commands;
	if (!total)
		return 0;
	if (!(lab->cmds = calloc(total, sizeof(*lab->cmds))))
		return nn_error_set(e, ENOMEM, "cannot describe lab \"%s\"", lf->name);
	for (size_t i = 0; i < lf->n_nodes; i++) {
		const struct nn_labfile_node *nd = &lf->nodes[i];

		for (unsigned c = 0; c < nd->n_commands; c++, k++) {
			struct lab_command *lc = &lab->cmds[k];
			const struct nn_labfile_command *fc = &nd->commands[c];

			lab->n_cmds = k + 1;
			snprintf(lc->node, sizeof(lc->node), "%s", nd->name);
			lc->index = c;
			if (!(lc->argv = calloc(fc->argc + 1, sizeof(*lc->argv))))
				return nn_error_set(e, ENOMEM, "cannot describe lab \"%s\"", lf->name);
			for (size_t w = 0; w < fc->argc; w++)
				if (!(lc->argv[w] = strdup(fc->argv[w])))
					return nn_error_set(e, ENOMEM, "cannot describe lab \"%s\"", lf->name);
			lc->argv_hash = nn_proc_argv_hash(lc->argv);
		}
	}
	return 0;
}

static int add_groups(struct nn_lab *lab, const struct nn_labfile *lf, struct nn_error *e)
{
	if (!lf->n_clients)
		return 0;
	if (!(lab->groups = calloc(lf->n_clients, sizeof(*lab->groups))))
		return nn_error_set(e, ENOMEM, "cannot describe lab \"%s\"", lf->name);
	lab->n_groups = lf->n_clients;
	for (size_t i = 0; i < lf->n_clients; i++) {
		const struct nn_labfile_clients *g = &lf->clients[i];
		struct lab_group *lg = &lab->groups[i];

		snprintf(lg->prefix, sizeof(lg->prefix), "%s", g->prefix);
		snprintf(lg->parent, sizeof(lg->parent), "%s", g->parent_if);
		snprintf(lg->where, sizeof(lg->where), "%s:%u:%u", lf->path, g->mark.line, g->mark.col);
		lg->spec = (struct nn_clients_spec){
			.count = g->count,
			.mode = (enum nn_macvlan_mode)g->macvlan_mode,
			.n_dns = g->n_dns,
			.is_static = g->is_static,
			.static_net = g->static_cidr,
			.has_mac_base = g->has_mac_base,
			.timeout_ms = (unsigned int)(g->timeout_ns / 1000000),
		};
		memcpy(lg->spec.dns, g->dns, sizeof(lg->spec.dns));
		memcpy(lg->spec.mac_base, g->mac_base, sizeof(lg->spec.mac_base));
	}
	return 0;
}

int nn_labrun_lab(const struct nn_labfile *lf, struct nn_lab **out, struct nn_error *e)
{
	struct nn_lab *lab = run_lab(lf->name, e);

	*out = NULL;
	if (!lab)
		return -e->code;
	if (nn_labfile_to_lab(lf, lab, e) < 0 || add_commands(lab, lf, e) < 0 ||
	    add_groups(lab, lf, e) < 0) {
		nn_lab_free(lab);
		return -e->code;
	}
	nn_lab_set_claim(lab, lf->adopt ? NN_CLAIM_ADOPT : NN_CLAIM_REFUSE);
	*out = lab;
	return 0;
}

int nn_labrun_destroy_lab(const char *name, const struct nn_labfile *lf, struct nn_lab **out,
			  struct nn_error *e)
{
	struct nn_lab *lab = run_lab(name, e);

	*out = NULL;
	if (!lab)
		return -e->code;
	lab->forget = true;
	if (lf && lf->n_clients) {
		if (!(lab->old_groups = calloc(lf->n_clients, sizeof(*lab->old_groups)))) {
			nn_lab_free(lab);
			return nn_error_set(e, ENOMEM, "cannot describe lab \"%s\"", name);
		}
		for (size_t i = 0; i < lf->n_clients; i++)
			snprintf(lab->old_groups[i], sizeof(lab->old_groups[i]), "%s", lf->clients[i].prefix);
		lab->n_old_groups = lf->n_clients;
	}
	*out = lab;
	return 0;
}

int nn_labrun_cleanup_lab(struct nn_lab **out, struct nn_error *e)
{
	struct nn_lab *lab = nn_lab_new("*");

	if (!(*out = lab))
		return nn_error_set(e, ENOMEM, "cannot describe the cleanup");
	lab->run = &run_ops;
	nn_lab_set_prune(lab, true);
	return 0;
}

int nn_labrun_set_applied(struct nn_lab *lab, const char *path, const char *text, size_t len,
			  struct nn_error *e)
{
	struct nn_lab_shape shape;
	int ret;

	free(lab->applied_path);
	free(lab->applied_text);
	free(lab->applied_shape);
	lab->applied_text = lab->applied_shape = NULL;
	if (asprintf(&lab->applied_path, "%s\n", path) < 0) {
		lab->applied_path = NULL;
		return nn_error_set(e, ENOMEM, "cannot record lab \"%s\"", lab->name);
	}
	if (!(lab->applied_text = malloc(len + 1)))
		return nn_error_set(e, ENOMEM, "cannot record lab \"%s\"", lab->name);
	memcpy(lab->applied_text, text, len);
	lab->applied_len = len;
	if ((ret = nn_lab_shape_make(lab, &shape)) == 0) {
		ret = nn_lab_shape_encode(&shape, &lab->applied_shape, &lab->applied_shape_len);
		nn_lab_shape_free(&shape);
	}
	return ret < 0 ? nn_error_set(e, -ret, "cannot record lab \"%s\"", lab->name) : 0;
}

void nn_labrun_set_hooks(void (*warn)(const char *msg, void *arg), nn_clients_progress_cb progress,
			 void *arg)
{
	hooks = (struct run_hooks){ warn, progress, arg };
}

int nn_labrun_read_applied(struct nn_ctx *ctx, const char *name, char **text, size_t *len,
			   char *from, size_t fromlen, struct nn_error *e)
{
	char path[PATH_MAX];

	*text = NULL;
	*len = 0;
	record_path(path, sizeof(path), ctx, name, TEXT_RECORD);
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? -ENOENT : nn_error_set(e, errno, "cannot read \"%s\"", path);
	if (read_record(ctx, name, FILE_RECORD, from, fromlen, e) < 0 ||
	    nn_labfile_read(path, text, len, e) < 0)
		return -e->code;
	return 0;
}

/* Record WHAT of lab NAME whole into *BUF (malloc()ed); -ENOENT when
 * there is none. */
static int read_whole(struct nn_ctx *ctx, const char *name, const char *what, char **buf,
		      size_t *len, struct nn_error *e)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	struct stat st;
	ssize_t r;

	*buf = NULL;
	*len = 0;
	record_path(path, sizeof(path), ctx, name, what);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? -ENOENT : nn_error_set(e, errno, "cannot read \"%s\"", path);
	if (fstat(fd, &st) < 0)
		return nn_error_set(e, errno, "cannot read \"%s\"", path);
	if (!S_ISREG(st.st_mode) || st.st_size > 64 << 20)
		return nn_error_setx(e, EINVAL, "\"%s\" is not a record of netnsctl's", path);
	if (!(*buf = malloc((size_t)st.st_size + 1)))
		return nn_error_set(e, ENOMEM, "cannot read \"%s\"", path);
	/* Replaced whole, never written in place (write_record): one read. */
	if ((r = read(fd, *buf, (size_t)st.st_size + 1)) < 0) {
		free(*buf);
		*buf = NULL;
		return nn_error_set(e, errno, "cannot read \"%s\"", path);
	}
	*len = (size_t)r;
	return 0;
}

int nn_labrun_narrow(struct nn_ctx *ctx, struct nn_lab *lab, struct nn_error *e)
{
	struct nn_lab_shape before, after;
	struct nn_error ignored = { 0 };
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	(void)e;
	lab->narrow = false;
	/* No record (never applied, or by an older netnsctl), or one that
	 * does not decode: the whole lab is observed. */
	if (read_whole(ctx, lab->name, SHAPE_RECORD, &buf, &len, &ignored) < 0 ||
	    nn_lab_shape_decode(buf, len, &before) < 0)
		return 0;
	if (nn_lab_shape_make(lab, &after) == 0) {
		lab->narrow = nn_lab_shape_narrows(&before, &after);
		nn_lab_shape_free(&after);
	}
	nn_lab_shape_free(&before);
	return 0;
}

int nn_labrun_info(struct nn_ctx *ctx, const char *name, struct nn_labrun_info *info,
		   struct nn_error *e)
{
	char (*groups)[NAME_MAX + 1] = NULL, path[PATH_MAX];
	struct nn_proc *recs = NULL;
	unsigned *counts = NULL;
	size_t n = 0, ngroups = 0;
	int ret;

	memset(info, 0, sizeof(*info));
	record_path(path, sizeof(path), ctx, name, PROCS_RECORD);
	if ((ret = read_record(ctx, name, FILE_RECORD, info->file, sizeof(info->file), e)) < 0 ||
	    (ret = nn_proc_load(path, &recs, &n, e)) < 0 ||
	    (ret = recorded_groups(ctx, name, &groups, &counts, &ngroups, e)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		info->commands += nn_proc_alive(&recs[i]);
	for (size_t i = 0; i < ngroups; i++)
		info->clients += counts[i];
out:
	free(recs);
	free(groups);
	free(counts);
	return ret;
}

int nn_labrun_list(struct nn_ctx *ctx, char ***names, size_t *n, struct nn_error *e)
{
	char path[PATH_MAX], sub[PATH_MAX + 300];
	struct dirent *d;
	char **v = NULL;
	DIR *dir;

	*names = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/labs", nn_ctx_state_dir(ctx));
	if (!(dir = opendir(path)))
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read \"%s\"", path);
	while ((d = readdir(dir))) {
		struct stat st;
		char **nv;

		snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") || stat(sub, &st) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (!(nv = realloc(v, (*n + 1) * sizeof(*v))) || !(nv[*n] = strdup(d->d_name))) {
			if (nv)
				v = nv;
			closedir(dir);
			nn_netns_list_free(v, *n);
			*n = 0;
			return nn_error_set(e, ENOMEM, "cannot list labs");
		}
		v = nv;
		(*n)++;
	}
	closedir(dir);
	*names = v;
	return 0;
}

int nn_journal_live(struct nn_ctx *ctx, struct nn_journal_entry **out, size_t *n,
		    struct nn_error *e)
{
	/* Each namespace is looked at once: its cookie, 0 when it is gone. */
	struct nn_hash seen = NN_HASH_INIT;
	struct nn_journal_entry *v = NULL;
	size_t cnt = 0, k = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (nn_journal_owned(ctx, &v, &cnt, e) < 0)
		return -e->code;
	for (size_t i = 0; i < cnt && ret == 0; i++) {
		const char *ns = v[i].kind == NN_OBJ_NETNS ? v[i].name : v[i].ns;
		uint64_t want = v[i].kind == NN_OBJ_NETNS ? v[i].id : v[i].ns_cookie, cookie = 0;
		void *got;
		int r;

		if (nn_hash_find(&seen, ns, &got)) {
			cookie = (uint64_t)(uintptr_t)got;
		} else {
			/* Checked, not kept open: a journal may name thousands. */
			struct nn_ns *host;

			r = *ns ? nn_netns_exists(ctx, ns, e) : 1;
			if (r < 0 || (r == 1 && *ns && nn_netns_cookie(ctx, ns, &cookie, e) < 0) ||
			    (!*ns && (nn_ctx_ns(ctx, "", &host, e) < 0 || nn_ns_cookie(host, &cookie, e) < 0))) {
				ret = -e->code;
				break;
			}
			/* A cookie is never 0: 1 stands for "exists, not read"
			 * where none could be (an old kernel). */
			if (r == 1 && !cookie)
				cookie = 1;
			if (nn_hash_put(&seen, ns, (void *)(uintptr_t)cookie) < 0)
				ret = nn_error_set(e, ENOMEM, "cannot read the journal");
		}
		if (cookie && (!want || cookie == want))
			v[k++] = v[i];
	}
	nn_hash_free(&seen);
	if (ret < 0) {
		free(v);
		return ret;
	}
	*out = v;
	*n = k;
	return 0;
}
