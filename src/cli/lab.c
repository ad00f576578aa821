// SPDX-License-Identifier: GPL-2.0-or-later
/* apply, destroy, status: lab files (docs/labfile.md) */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "netnsctl/clients.h"
#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/labfile.h"
#include "netnsctl/netns.h"
#include "netnsctl/proc.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "cli.h"
#include "commands.h"
#include "util/show.h"

#define STOP_TIMEOUT_MS 3000

struct lab_run {
	struct nn_ctx *ctx;
	struct nn_labfile *lf;
	char *text;		/* the file as read, recorded by apply */
	size_t text_len;
	char dir[4096];		/* STATE_DIR/labs/LAB */
	char procs[4200];	/* its record of started commands */
	const char *made_groups[64];	/* client groups this run made from none */
	size_t n_made_groups;
	struct nn_proc *started;	/* commands this run started */
	size_t n_started;
};

/* A lab's objects are journalled as owned by "lab:NAME": never the owner
 * name of a command (create-veth-pair, create-clients, ...). */
static struct nn_lab *lab_new(const struct nn_labfile *lf)
{
	char owner[64];

	snprintf(owner, sizeof(owner), "lab:%s", lf->name);
	return nn_lab_new(owner);
}

/*
 * STATE_DIR/labs/LAB/file holds the absolute path of the file the lab was
 * last applied from ("-" for stdin), and lab.yaml its text as applied: what
 * `labs` lists and `status LAB` and `destroy LAB` read when given the name.
 */
#define FILE_RECORD "file"
#define TEXT_RECORD "lab.yaml"

static int parse_error(const struct nn_error *e)
{
	return e->code == EINVAL || e->code == E2BIG ? cli_input_error(e) : cli_fail(e);
}

/* A name that can be a directory under STATE_DIR/labs (the parser
 * refuses the rest as lab names). */
static bool could_be_lab(const char *s)
{
	return *s && strlen(s) <= NN_LABFILE_NAME_MAX && !strchr(s, '/') && strcmp(s, ".") &&
	       strcmp(s, "..");
}

static void set_dirs(struct lab_run *r, const char *name)
{
	snprintf(r->dir, sizeof(r->dir), "%s/labs/%s", nn_ctx_state_dir(r->ctx), name);
	snprintf(r->procs, sizeof(r->procs), "%s/procs", r->dir);
}

/* The first line of a record of R's lab dir ("" when there is none). */
static int read_record(const struct lab_run *r, const char *what, char *buf, size_t len,
		       struct nn_error *e)
{
	char path[4400];
	FILE *f;

	*buf = 0;
	snprintf(path, sizeof(path), "%s/%s", r->dir, what);
	if (!(f = fopen(path, "re")))
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read \"%s\"", path);
	if (!fgets(buf, (int)len, f))
		*buf = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Lab NAME as it was last applied (its recorded text), parsed with the
 * path it came from (for messages and its default name).  -ENOENT when no
 * lab of that name was applied. */
static int read_applied(const char *name, struct lab_run *r, struct nn_error *e)
{
	char text[4400], from[4096];
	struct nn_shown sh;

	set_dirs(r, name);
	snprintf(text, sizeof(text), "%s/" TEXT_RECORD, r->dir);
	if (access(text, F_OK) < 0)
		return errno == ENOENT ? nn_error_setx(e, ENOENT, "no lab file \"%s\" and no applied lab of that name",
						      nn_show(&sh, name))
				       : nn_error_set(e, errno, "cannot read \"%s\"", text);
	if (read_record(r, FILE_RECORD, from, sizeof(from), e) < 0 ||
	    nn_labfile_read(text, &r->text, &r->text_len, e) < 0 ||
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

/* Privileges, context, the state lock, and where this lab's files are. */
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
	set_dirs(r, r->lf->name);
	return 0;
}

static void close_run(struct lab_run *r)
{
	nn_ctx_free(r->ctx);
	nn_labfile_free(r->lf);
	free(r->text);
	free(r->started);
}

static int make_dir(struct lab_run *r, struct nn_error *e)
{
	char labs[4096];

	snprintf(labs, sizeof(labs), "%s/labs", nn_ctx_state_dir(r->ctx));
	if ((mkdir(labs, 0700) < 0 && errno != EEXIST) || (mkdir(r->dir, 0700) < 0 && errno != EEXIST))
		return nn_error_set(e, errno, "cannot make \"%s\"", r->dir);
	return 0;
}

/* The lab LF describes, pruning what its owner made before and no longer
 * wants, and refusing (or adopting) what another lab or command made. */
static int make_lab(const struct nn_labfile *lf, struct nn_lab **out, struct nn_error *e)
{
	struct nn_lab *lab = lab_new(lf);

	*out = NULL;
	if (!lab)
		return nn_error_set(e, ENOMEM, "cannot describe lab \"%s\"", lf->name);
	if (nn_labfile_to_lab(lf, lab, e) < 0) {
		nn_lab_free(lab);
		return -e->code;
	}
	nn_lab_set_prune(lab, true);
	nn_lab_set_claim(lab, lf->adopt ? NN_CLAIM_ADOPT : NN_CLAIM_REFUSE);
	*out = lab;
	return 0;
}

static int build_lab(const struct nn_labfile *lf, struct nn_lab **out)
{
	struct nn_error e = { 0 };

	if (make_lab(lf, out, &e) < 0)
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

/* Write LEN bytes of DATA as record WHAT of R's lab dir, whole or not at all. */
static int write_record(struct lab_run *r, const char *what, const char *data, size_t len,
			struct nn_error *e)
{
	_cleanup_close_ int dirfd = -1;

	/* Relative to the lab's directory, never through a symlink (file.h). */
	if ((dirfd = nn_dir_open(r->dir, 0, e)) < 0)
		return -e->code;
	return nn_file_replace_at(dirfd, r->dir, what, -1, data, len, 0600, true, e);
}

/* The lab's records and what a write of one killed half-way left. */
static void remove_records(struct lab_run *r)
{
	static const char *const recs[] = { FILE_RECORD, TEXT_RECORD, "clients", "procs" };
	DIR *d;
	struct dirent *de;

	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		char rec[4400];

		snprintf(rec, sizeof(rec), "%s/%s", r->dir, recs[i]);
		unlink(rec);
	}
	if (!(d = opendir(r->dir)))
		return;
	while ((de = readdir(d)))
		if (nn_file_is_temp(de->d_name))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* What `labs` and `status LAB` know of an applied lab: where its file
 * is (absolute) and the text that was applied. */
static int record_file(struct lab_run *r, const char *arg, struct nn_error *e)
{
	char abs[PATH_MAX + 2];
	int ret;

	if (!strcmp(arg, "-"))
		snprintf(abs, sizeof(abs), "-");
	else if (!realpath(arg, abs))
		return nn_error_set(e, errno, "cannot find the path of \"%s\"", arg);
	strcat(abs, "\n");
	if ((ret = make_dir(r, e)) < 0 || (ret = write_record(r, FILE_RECORD, abs, strlen(abs), e)) < 0)
		return ret;
	return write_record(r, TEXT_RECORD, r->text, r->text_len, e);
}

static const struct nn_labfile_command *command_of(const struct nn_labfile *lf, const struct nn_proc *p)
{
	ssize_t i = lf ? nn_labfile_node_index(lf, p->node) : -1;

	if (i < 0 || p->index >= lf->nodes[i].n_commands)
		return NULL;
	return &lf->nodes[i].commands[p->index];
}

struct recorder {
	struct lab_run *r;
	struct nn_proc *keep;
	size_t *nkeep;
};

/* Recorded before it execs: a later failure or kill must not forget it. */
static int record_proc(const struct nn_proc *p, void *arg, struct nn_error *e)
{
	struct recorder *rec = arg;
	struct lab_run *r = rec->r;
	struct nn_proc *v = realloc(r->started, (r->n_started + 1) * sizeof(*v));

	if (!v)
		return nn_error_set(e, ENOMEM, "cannot track commands");
	r->started = v;
	r->started[r->n_started++] = *p;
	rec->keep[(*rec->nkeep)++] = *p;
	return nn_proc_save(r->procs, rec->keep, *rec->nkeep, e);
}

/* A failed apply stops the commands it started (their namespaces go with
 * the rollback) and forgets them; the ones an earlier apply started stay. */
static void stop_started(struct lab_run *r)
{
	struct nn_error ignored = { 0 };
	struct nn_proc *recs = NULL;
	size_t n = 0, k = 0;

	if (!r->n_started)
		return;
	for (size_t i = 0; i < r->n_started; i++) {
		const struct nn_proc *p = &r->started[i];

		if (nn_proc_alive(p) && nn_proc_stop(p, STOP_TIMEOUT_MS, &ignored) == 0)
			cli_line("rolled back: start command %u in %s", p->index + 1, p->node);
	}
	if (nn_proc_load(r->procs, &recs, &n, &ignored) < 0)
		return;
	/* Forget the stopped ones; one that would not stop stays recorded
	 * for destroy and cleanup. */
	for (size_t i = 0; i < n; i++) {
		bool gone = false;

		for (size_t j = 0; j < r->n_started && !gone; j++)
			gone = recs[i].pid == r->started[j].pid &&
			       recs[i].start_time == r->started[j].start_time &&
			       !nn_proc_alive(&recs[i]);
		if (!gone)
			recs[k++] = recs[i];
	}
	nn_proc_save(r->procs, recs, k, &ignored);
	free(recs);
}

/*
 * The log of command N (from 1) of NODE: DIR/NODE.N.log, or, when that name
 * passes NAME_MAX (a node's name may be 255 bytes), the name's first bytes,
 * '~' and a hash of all of it: stable, so destroy finds what apply wrote.
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

static void print_argv(FILE *f, char *const argv[])
{
	for (size_t i = 0; argv[i]; i++) {
		fputc(i ? ' ' : '"', f);
		nn_put_shown(f, argv[i]);
	}
	fputc('"', f);
}

/*
 * Make the running commands what LF says (LF NULL: none): stop the recorded
 * ones it no longer has, or has changed, or that died; start the missing ones.
 * With DRY only print what would be done.  Returns the number of changes.
 */
static int sync_commands(struct lab_run *r, const struct nn_labfile *lf, bool dry,
			 struct nn_error *e)
{
	struct nn_proc *recs = NULL, *keep = NULL;
	size_t n = 0, nkeep = 0, cap = 0;
	int changes = 0, ret;

	if ((ret = nn_proc_load(r->procs, &recs, &n, e)) < 0)
		return ret;
	if (lf)
		for (size_t i = 0; i < lf->n_nodes; i++)
			cap += lf->nodes[i].n_commands;
	if (!(keep = calloc(cap + 1, sizeof(*keep)))) {
		free(recs);
		return nn_error_set(e, ENOMEM, "cannot track commands");
	}
	for (size_t i = 0; i < n; i++) {
		const struct nn_labfile_command *c = command_of(lf, &recs[i]);
		bool alive = nn_proc_alive(&recs[i]);
		bool dup = false;

		for (size_t k = 0; k < nkeep; k++)
			dup |= !strcmp(keep[k].node, recs[i].node) && keep[k].index == recs[i].index;
		if (c && alive && !dup && recs[i].argv_hash == nn_proc_argv_hash(c->argv)) {
			keep[nkeep++] = recs[i];
			continue;
		}
		if (!alive)
			continue;
		changes++;
		cli_line("%sstop command %u in %s (pid %d)", dry ? "would " : "", recs[i].index + 1,
		       recs[i].node, (int)recs[i].pid);
		if (!dry && (ret = nn_proc_stop(&recs[i], STOP_TIMEOUT_MS, e)) < 0)
			goto out;
	}
	if (!dry && changes && (ret = nn_proc_save(r->procs, keep, nkeep, e)) < 0)
		goto out;
	for (size_t i = 0; lf && i < lf->n_nodes; i++) {
		const struct nn_labfile_node *nd = &lf->nodes[i];

		for (unsigned int c = 0; c < nd->n_commands; c++) {
			struct nn_proc p = { .index = c };
			struct nn_ns *ns;
			bool running = false;
			char log[4400];

			for (size_t k = 0; k < nkeep && !running; k++)
				running = !strcmp(keep[k].node, nd->name) && keep[k].index == c;
			if (running)
				continue;
			changes++;
			cli_part("%sstart command %u in %s: ", dry ? "would " : "", c + 1, nd->name);
			print_argv(stdout, nd->commands[c].argv);
			putchar('\n');
			fflush(stdout);
			if (dry)
				continue;
			snprintf(p.node, sizeof(p.node), "%s", nd->name);
			log_path(log, sizeof(log), r->dir, nd->name, c + 1);
			if ((ret = make_dir(r, e)) < 0 || (ret = nn_ctx_ns(r->ctx, nd->name, &ns, e)) < 0)
				goto out;
			ret = nn_proc_start(nn_ns_fd(ns), nd->commands[c].argv, log, &p, record_proc,
					    &(struct recorder){ r, keep, &nkeep }, e);
			if (ret < 0) {
				nn_error_prefix(e, "command %u in %s", c + 1, nd->name);
				goto out;
			}
		}
	}
	ret = changes;
out:
	free(recs);
	free(keep);
	return ret;
}

/*
 * STATE_DIR/labs/LAB/clients: the client groups this lab made, a line
 * "PREFIX COUNT" each, so a group removed from the file is deleted by the
 * next apply (and by destroy) like a removed node, and one made smaller
 * loses only the clients the lab made.
 */
static int recorded_groups(struct lab_run *r, char (**out)[NAME_MAX + 1], unsigned **counts,
			   size_t *n, struct nn_error *e)
{
	char path[4400], line[NAME_MAX + 24];
	char (*v)[NAME_MAX + 1] = NULL;
	unsigned *cv = NULL;
	FILE *f;

	*out = NULL;
	if (counts)
		*counts = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/clients", r->dir);
	f = fopen(path, "re");
	if (!f)
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
	if (counts)
		*counts = cv;
	else
		free(cv);
	return 0;
}

/*
 * The journal's owner of the clients this lab makes: not the lab's own
 * owner, whose prune would take the client namespaces for nodes the file
 * no longer has.  One word of at most 63 bytes.
 */
static const char *group_owner(const struct lab_run *r, char *buf, size_t len)
{
	char lab[64];
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	snprintf(lab, sizeof(lab), "lab:%s", r->lf->name);
	if ((size_t)snprintf(buf, len, "clients:%s", lab) < len)
		return buf;
	for (const char *c = lab; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ULL;
	snprintf(buf, len, "clients:#%016llx", (unsigned long long)h);
	return buf;
}

/* What exists of group G: PREFIX1..PREFIXCOUNT this lab made (returned);
 * *EXTRA of them beyond COUNT, up to PREFIX(*LAST); *FOREIGN (may be NULL)
 * the first client of 1..COUNT that someone else made ("" none). */
static int clients_present(struct lab_run *r, const struct nn_labfile_clients *g, int *extra,
			   unsigned *last, char *foreign, size_t flen, struct nn_error *e)
{
	struct nn_client_info *v = NULL;
	char owner[64];
	size_t n = 0;
	int have = 0, more = 0;
	unsigned upto = 0;

	if (foreign)
		*foreign = '\0';
	if (nn_clients_list(r->ctx, g->prefix, &v, &n, e) < 0)
		return -e->code;
	group_owner(r, owner, sizeof(owner));
	for (size_t i = 0; i < n; i++) {
		unsigned long k = strtoul(v[i].name + strlen(g->prefix), NULL, 10);

		if (strcmp(v[i].owner, owner)) {
			if (k <= g->count && foreign && !*foreign)
				snprintf(foreign, flen, "%s (made by %s)", v[i].name,
					 *v[i].owner ? v[i].owner : "someone else");
			continue;
		}
		if (k <= g->count) {
			have++;
		} else {
			more++;
			upto = k > upto ? (unsigned)k : upto;
		}
	}
	free(v);
	*extra = more;
	if (last)
		*last = upto;
	return have;
}

static int record_groups(struct lab_run *r, struct nn_error *e)
{
	char path[4400], *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/clients", r->dir);
	if (!r->lf->n_clients) {
		if (unlink(path) < 0 && errno != ENOENT)
			return nn_error_set(e, errno, "cannot remove \"%s\"", path);
		return 0;
	}
	if ((ret = make_dir(r, e)) < 0)
		return ret;
	if (!(f = open_memstream(&text, &len)))
		return nn_error_set(e, ENOMEM, "cannot write \"%s\"", path);
	for (size_t i = 0; i < r->lf->n_clients; i++)
		fprintf(f, "%s %u\n", r->lf->clients[i].prefix, r->lf->clients[i].count);
	if (fclose(f) != 0)
		ret = nn_error_set(e, ENOMEM, "cannot write \"%s\"", path);
	else
		ret = write_record(r, "clients", text, len, e);
	free(text);
	return ret;
}

static bool file_has_group(const struct nn_labfile *lf, const char *prefix)
{
	for (size_t i = 0; lf && i < lf->n_clients; i++)
		if (!strcmp(lf->clients[i].prefix, prefix))
			return true;
	return false;
}

/* How many clients of PREFIX this lab made. */
static int owned_clients(struct lab_run *r, const char *prefix, struct nn_error *e)
{
	struct nn_client_info *c = NULL;
	char owner[64];
	size_t nc = 0;
	int k = 0;

	if (nn_clients_list(r->ctx, prefix, &c, &nc, e) < 0)
		return -e->code;
	group_owner(r, owner, sizeof(owner));
	for (size_t i = 0; i < nc; i++)
		k += !strcmp(c[i].owner, owner);
	free(c);
	return k;
}

/* Delete the groups this lab made that KEEP (NULL: none) no longer has:
 * the clients it made, and no others of the prefix. */
static int prune_groups(struct lab_run *r, const struct nn_labfile *keep, bool dry,
			struct nn_error *e)
{
	char (*v)[NAME_MAX + 1], owner[64];
	size_t n;
	int changes = 0, ret = recorded_groups(r, &v, NULL, &n, e);

	group_owner(r, owner, sizeof(owner));
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (file_has_group(keep, v[i]))
			continue;
		if ((ret = owned_clients(r, v[i], e)) <= 0)
			continue;
		ret = 0;
		changes++;
		if (dry) {
			cli_line("would delete clients %s*", v[i]);
			continue;
		}
		if ((ret = nn_clients_delete_owned(r->ctx, v[i], owner, e)) < 0)
			break;
		cli_line("delete %d client%s %s*", ret, ret == 1 ? "" : "s", v[i]);
		fflush(stdout);
		ret = 0;
	}
	free(v);
	return ret < 0 ? ret : changes;
}

/* Make the client groups (create-clients; those that exist are left alone)
 * and delete the ones gone from the file.  Returns the number of groups
 * that needed anything. */
static int apply_clients(struct lab_run *r, bool dry, struct nn_error *e)
{
	char owner[64];
	int changes = prune_groups(r, r->lf, dry, e);

	if (changes < 0)
		return changes;
	group_owner(r, owner, sizeof(owner));
	for (size_t i = 0; i < r->lf->n_clients; i++) {
		const struct nn_labfile_clients *g = &r->lf->clients[i];
		struct nn_clients_spec spec = {
			.count = g->count, .prefix = g->prefix, .parent = g->parent_if,
			.mode = (enum nn_macvlan_mode)g->macvlan_mode, .n_dns = g->n_dns,
			.is_static = g->is_static, .static_net = g->static_cidr,
			.has_mac_base = g->has_mac_base,
			.timeout_ms = (unsigned int)(g->timeout_ns / 1000000),
			.warn = cli_warn,
			.owner = owner,
		};
		char foreign[160];
		unsigned made = 0;
		int extra = 0, ret;
		int have = clients_present(r, g, &extra, &made, foreign, sizeof(foreign), e);

		if (have < 0)
			return have;
		/* A client of the group's names that another made (create-clients
		 * by hand, another lab) is not taken over: neither counted as
		 * the lab's nor ever deleted with it. */
		if (*foreign)
			return nn_error_setx(e, EEXIST, "%s:%u:%u: client group %s: client %s, not by lab %s: not taken over",
					     r->lf->path, g->mark.line, g->mark.col, g->prefix, foreign,
					     r->lf->name);
		if (extra) {
			/* A group made smaller: the clients it made beyond COUNT go. */
			changes++;
			cli_line("%sdelete clients %s%u..%s%u", dry ? "would " : "", g->prefix,
			       g->count + 1, g->prefix, made);
			fflush(stdout);
			if (!dry && (ret = nn_clients_delete_range(r->ctx, g->prefix, g->count + 1, made,
								   owner, e)) < 0) {
				nn_error_prefix(e, "%s:%u:%u: client group %s", r->lf->path,
						g->mark.line, g->mark.col, g->prefix);
				return ret;
			}
		}
		if ((unsigned int)have == g->count)
			continue;
		changes++;
		memcpy(spec.dns, g->dns, sizeof(spec.dns));
		memcpy(spec.mac_base, g->mac_base, sizeof(spec.mac_base));
		cli_line("%screate clients %s1..%s%u on %s", dry ? "would " : "", g->prefix, g->prefix,
		       g->count, g->parent_if);
		fflush(stdout);
		if (dry)
			continue;
		if ((ret = nn_clients_check(r->ctx, &spec, e)) < 0 ||
		    (ret = nn_clients_create(r->ctx, &spec, cli_lease_progress, NULL, e)) < 0) {
			nn_error_prefix(e, "%s:%u:%u: client group %s", r->lf->path, g->mark.line,
					g->mark.col, g->prefix);
			return ret;
		}
		if (have == 0 && r->n_made_groups < sizeof(r->made_groups) / sizeof(r->made_groups[0]))
			r->made_groups[r->n_made_groups++] = g->prefix;
	}
	if (!dry && record_groups(r, e) < 0)
		return -e->code;
	return changes;
}

/* Delete the clients this lab made of the file's groups (not the other
 * clients of their prefixes).  Returns how many groups had clients. */
static int destroy_clients(struct lab_run *r, bool dry, struct nn_error *e)
{
	char path[4400], owner[64];
	int changes = prune_groups(r, r->lf, dry, e);

	if (changes < 0)
		return changes;
	group_owner(r, owner, sizeof(owner));
	for (size_t i = 0; i < r->lf->n_clients; i++) {
		const struct nn_labfile_clients *g = &r->lf->clients[i];
		int have = owned_clients(r, g->prefix, e), ret;

		if (have < 0)
			return have;
		if (have == 0)
			continue;
		changes++;
		if (dry) {
			cli_line("would delete clients %s*", g->prefix);
			continue;
		}
		if ((ret = nn_clients_delete_owned(r->ctx, g->prefix, owner, e)) < 0)
			return ret;
		cli_line("delete %d client%s %s*", ret, ret == 1 ? "" : "s", g->prefix);
		fflush(stdout);
	}
	snprintf(path, sizeof(path), "%s/clients", r->dir);
	if (!dry && unlink(path) < 0 && errno != ENOENT)
		return nn_error_set(e, errno, "cannot remove \"%s\"", path);
	return changes;
}

/* (The progress line on a terminal is the plan's own: cli_progress.) */
static void print_step(const char *text, void *arg)
{
	(void)arg;
	cli_line("%s", text);
	fflush(stdout);
}

static void print_undone(const char *text, void *arg)
{
	(void)arg;
	cli_line("rolled back: %s", text);
	fflush(stdout);
}

int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = { { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct lab_run r = { 0 };
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;
	struct nn_lab *lab = NULL;
	bool dry = false;
	int c, ret, changes;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c < 0)
			return -c;
		dry = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "FILE")) ||
	    (ret = load(argv[0], argv[optind], false, &r)))
		goto out;
	if ((ret = build_lab(r.lf, &lab)) || (ret = open_run(argv[0], &r)))
		goto out;
	if (plan_lab(&r, lab, &plan, &e) < 0) {
		ret = cli_plan_error(&e);
		goto out;
	}
	if (dry) {
		for (size_t i = 0; i < nn_plan_len(plan); i++)
			cli_line("would %s", nn_plan_step_text(plan, i));
		changes = sync_commands(&r, r.lf, true, &e);
		if (changes >= 0 && (ret = apply_clients(&r, true, &e)) >= 0)
			changes += ret;
		else if (changes >= 0)
			changes = ret;
	} else {
		cli_catch_signals();
		if (nn_plan_apply(r.ctx, plan, print_step, print_undone, &r, &e) < 0) {
			ret = cli_fail_or_signal(&e);
			goto out;
		}
		/* Commands before clients: one may be the DHCP server they ask. */
		changes = sync_commands(&r, r.lf, false, &e);
		if (changes >= 0 && (ret = apply_clients(&r, false, &e)) >= 0)
			changes += ret;
		else if (changes >= 0)
			changes = ret;
		if (changes >= 0 && nn_plan_cancelled())
			changes = nn_error_setx(&e, ECANCELED, "interrupted by signal %d",
						nn_plan_cancelled());
		if (changes < 0) {
			struct nn_error ignored = { 0 };

			/* All or nothing: what this run made goes again, the client
			 * groups it made first (their parent may be the lab's), then
			 * the commands it started (one may be their DHCP server). */
			char owner[64];

			group_owner(&r, owner, sizeof(owner));
			for (size_t i = 0; i < r.n_made_groups; i++)
				if (nn_clients_delete_owned(r.ctx, r.made_groups[i], owner, &ignored) > 0)
					cli_line("rolled back: create clients %s*", r.made_groups[i]);
			stop_started(&r);
			nn_plan_undo(r.ctx, plan, print_undone, &r);
			ret = cli_fail_or_signal(&e);
			goto out;
		}
	}
	if (changes >= 0 && !dry && record_file(&r, argv[optind], &e) < 0)
		changes = -e.code;
	if (changes < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	if (changes == 0 && nn_plan_len(plan) == 0)
		printf("unchanged\n");
	ret = EXIT_OK;
out:
	nn_plan_free(plan);
	nn_lab_free(lab);
	close_run(&r);
	return ret;
}

int cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = { { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct lab_run r = { 0 };
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;
	struct nn_lab *lab = NULL;
	bool dry = false;
	int c, ret, changes;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c < 0)
			return -c;
		dry = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "FILE|LAB")) ||
	    (ret = load(argv[0], argv[optind], true, &r)))
		goto out;
	/* Only the name matters: an empty lab of that owner, pruned, is nothing of it. */
	if (!(lab = lab_new(r.lf))) {
		ret = cli_oom();
		goto out;
	}
	nn_lab_set_prune(lab, true);
	if ((ret = open_run(argv[0], &r)))
		goto out;
	if ((changes = sync_commands(&r, NULL, dry, &e)) < 0 ||
	    (ret = destroy_clients(&r, dry, &e)) < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	changes += ret;
	if (nn_plan_make(r.ctx, lab, &plan, &e) < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	if (dry) {
		for (size_t i = 0; i < nn_plan_len(plan); i++)
			cli_line("would %s", nn_plan_step_text(plan, i));
	} else {
		cli_catch_signals();
		if (nn_plan_apply(r.ctx, plan, print_step, print_undone, &r, &e) < 0) {
			ret = cli_fail_or_signal(&e);
			goto out;
		}
		/* The logs go with the lab. */
		for (size_t i = 0; i < r.lf->n_nodes; i++)
			for (size_t k = 0; k < r.lf->nodes[i].n_commands; k++) {
				char log[4400];

				log_path(log, sizeof(log), r.dir, r.lf->nodes[i].name, k + 1);
				unlink(log);
			}
		/* And its records, with what a killed apply left of new ones
		 * (nn_file_replace_at's temporary files). */
		remove_records(&r);
		if (rmdir(r.dir) < 0 && errno != ENOENT)
			fprintf(stderr, "netnsctl: %s: keeping \"%s\": %s\n", argv[0], r.dir, strerror(errno));
	}
	if (changes == 0 && nn_plan_len(plan) == 0)
		printf("unchanged\n");
	ret = EXIT_OK;
out:
	nn_plan_free(plan);
	nn_lab_free(lab);
	close_run(&r);
	return ret;
}

enum report { REPORT_NONE, REPORT_TEXT, REPORT_JSON };

/* The command of node ND at INDEX as it runs now (the same words), or NULL. */
static const struct nn_proc *running(const struct nn_proc *recs, size_t n,
				     const struct nn_labfile_node *nd, unsigned int index)
{
	for (size_t j = 0; j < n; j++)
		if (!strcmp(recs[j].node, nd->name) && recs[j].index == index &&
		    nn_proc_alive(&recs[j]) &&
		    recs[j].argv_hash == nn_proc_argv_hash(nd->commands[index].argv))
			return &recs[j];
	return NULL;
}

/*
 * Compare R's lab (LAB, made from R's file) with the system: the steps apply
 * would make, the commands that do not run, the client groups that lack
 * clients or have extra ones.  *IN_SYNC when there is nothing; reported as
 * HOW says.
 */
static int lab_status(struct lab_run *r, const struct nn_lab *lab, enum report how,
		      bool *in_sync, struct nn_error *e)
{
	const struct nn_labfile *lf = r->lf;
	struct nn_plan *plan = NULL;
	struct nn_proc *recs = NULL;
	int *have = NULL, *extra = NULL;
	size_t nrecs = 0, steps;
	int ret = 0, off = 0;

	*in_sync = false;
	if (plan_lab(r, lab, &plan, e) < 0 || nn_proc_load(r->procs, &recs, &nrecs, e) < 0) {
		ret = -e->code;
		goto out;
	}
	if (!(have = calloc(lf->n_clients + 1, sizeof(*have))) ||
	    !(extra = calloc(lf->n_clients + 1, sizeof(*extra)))) {
		ret = nn_error_set(e, ENOMEM, "cannot compare lab \"%s\"", lf->name);
		goto out;
	}
	for (size_t i = 0; i < lf->n_clients; i++) {
		if ((have[i] = clients_present(r, &lf->clients[i], &extra[i], NULL, NULL, 0, e)) < 0) {
			ret = have[i];
			goto out;
		}
		off += (unsigned int)have[i] != lf->clients[i].count || extra[i];
	}
	for (size_t i = 0; i < lf->n_nodes; i++)
		for (unsigned int k = 0; k < lf->nodes[i].n_commands; k++)
			off += !running(recs, nrecs, &lf->nodes[i], k);
	steps = nn_plan_len(plan);
	*in_sync = steps == 0 && off == 0;
	if (how == REPORT_JSON) {
		json_begin(stdout);
		printf(",\"lab\":");
		json_str(stdout, lf->name);
		printf(",\"in_sync\":%s,\"steps\":[", *in_sync ? "true" : "false");
		for (size_t i = 0; i < steps; i++) {
			printf("%s{\"state\":\"%s\",\"step\":", i ? "," : "",
			       nn_plan_step_makes(plan, i) ? "missing" : "differs");
			json_str(stdout, nn_plan_step_text(plan, i));
			putchar('}');
		}
		printf("],\"commands\":[");
		for (size_t i = 0, first = 1; i < lf->n_nodes; i++) {
			for (unsigned int k = 0; k < lf->nodes[i].n_commands; k++, first = 0) {
				const struct nn_proc *p = running(recs, nrecs, &lf->nodes[i], k);

				printf("%s{\"node\":", first ? "" : ",");
				json_str(stdout, lf->nodes[i].name);
				printf(",\"index\":%u,\"running\":%s,\"pid\":%d}", k + 1,
				       p ? "true" : "false", p ? (int)p->pid : 0);
			}
		}
		printf("],\"clients\":[");
		for (size_t i = 0; i < lf->n_clients; i++) {
			printf("%s{\"prefix\":", i ? "," : "");
			json_str(stdout, lf->clients[i].prefix);
			printf(",\"count\":%u,\"present\":%d,\"extra\":%d}", lf->clients[i].count, have[i],
			       extra[i]);
		}
		printf("]}\n");
	} else if (how == REPORT_TEXT) {
		for (size_t i = 0; i < steps; i++)
			cli_line("%s: %s", nn_plan_step_makes(plan, i) ? "missing" : "differs",
			       nn_plan_step_text(plan, i));
		for (size_t i = 0; i < lf->n_nodes; i++) {
			for (unsigned int k = 0; k < lf->nodes[i].n_commands; k++) {
				if (running(recs, nrecs, &lf->nodes[i], k))
					continue;
				cli_part("not running: command %u in %s: ", k + 1, lf->nodes[i].name);
				print_argv(stdout, lf->nodes[i].commands[k].argv);
				putchar('\n');
			}
		}
		for (size_t i = 0; i < lf->n_clients; i++) {
			const struct nn_labfile_clients *g = &lf->clients[i];

			if ((unsigned int)have[i] != g->count)
				cli_line("missing: %u of clients %s1..%s%u", g->count - have[i], g->prefix,
				       g->prefix, g->count);
			if (extra[i])
				cli_line("extra: %d client%s beyond %s%u", extra[i], extra[i] == 1 ? "" : "s",
				       g->prefix, g->count);
		}
		if (*in_sync)
			printf("in sync\n");
	}
out:
	free(have);
	free(extra);
	free(recs);
	nn_plan_free(plan);
	return ret;
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
	if ((ret = build_lab(r.lf, &lab)) || (ret = open_run(argv[0], &r)))
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

/*
 * Keep the journal records of V whose namespace still is the one they name
 * (by its cookie): a namespace deleted takes its links, routes and qdiscs
 * with it without a "gone" record for each.  -errno when it cannot tell.
 */
static int live_records(struct nn_ctx *ctx, struct nn_journal_entry *v, size_t *n,
			struct nn_error *e)
{
	/* Records come grouped by namespace: each is looked at once. */
	struct seen {
		const char *name;
		bool exists;
		uint64_t cookie;
	} *seen = calloc(*n + 1, sizeof(*seen));
	bool *keep = calloc(*n + 1, sizeof(*keep));
	size_t k = 0, n_seen = 0;

	if (!seen || !keep) {
		free(seen);
		free(keep);
		return nn_error_set(e, ENOMEM, "cannot read the journal");
	}
	for (size_t i = 0; i < *n; i++) {
		const char *ns = v[i].kind == NN_OBJ_NETNS ? v[i].name : v[i].ns;
		uint64_t want = v[i].kind == NN_OBJ_NETNS ? v[i].id : v[i].ns_cookie;
		struct seen *s = NULL;

		for (size_t j = n_seen; j-- > 0 && !s;)
			if (!strcmp(seen[j].name, ns))
				s = &seen[j];
		if (!s) {
			struct nn_ns *h;
			int r = *ns ? nn_netns_exists(ctx, ns) : 1;

			s = &seen[n_seen++];
			s->name = ns;
			if (r < 0) {
				free(seen);
				free(keep);
				return nn_error_set(e, -r, "cannot look at namespace \"%s\"", ns);
			}
			s->exists = r == 1;
			if (s->exists && (nn_ctx_ns(ctx, ns, &h, e) < 0 || nn_ns_cookie(h, &s->cookie, e) < 0)) {
				free(seen);
				free(keep);
				return -e->code;
			}
			if (s->exists && *ns)
				nn_ctx_ns_forget(ctx, ns);
		}
		keep[i] = s->exists && (!want || s->cookie == want);
	}
	/* Only now: the names seen point into V. */
	for (size_t i = 0; i < *n; i++)
		if (keep[i])
			v[k++] = v[i];
	free(seen);
	free(keep);
	*n = k;
	return 0;
}

/* Every lab with a state dir or with objects in the journal. */
static int collect_labs(struct nn_ctx *ctx, const struct nn_journal_entry *j, size_t nj,
			struct lab_row **v, size_t *n, struct nn_error *e)
{
	char path[4096];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/labs", nn_ctx_state_dir(ctx));
	if ((dir = opendir(path))) {
		while ((d = readdir(dir))) {
			struct stat st;
			char sub[8192];

			snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
			if (!could_be_lab(d->d_name) || stat(sub, &st) < 0 || !S_ISDIR(st.st_mode))
				continue;
			if (add_row(v, n, d->d_name) < 0) {
				closedir(dir);
				return nn_error_set(e, ENOMEM, "cannot list labs");
			}
		}
		closedir(dir);
	} else if (errno != ENOENT) {
		return nn_error_set(e, errno, "cannot read \"%s\"", path);
	}
	for (size_t i = 0; i < nj; i++)
		if (!strncmp(j[i].owner, "lab:", 4) && add_row(v, n, j[i].owner + 4) < 0)
			return nn_error_set(e, ENOMEM, "cannot list labs");
	if (*n)
		qsort(*v, *n, sizeof(**v), cmp_row);
	return 0;
}

/* What ROW's lab has now, and whether it is as it was applied. */
static int describe_lab(struct nn_ctx *ctx, const struct nn_journal_entry *j, size_t nj,
			struct lab_row *row, struct nn_error *e)
{
	struct lab_run r = { .ctx = ctx };
	struct nn_error why = { 0 };
	struct nn_proc *recs = NULL;
	char (*groups)[NAME_MAX + 1] = NULL;
	unsigned *counts = NULL;
	struct nn_lab *lab = NULL;
	char owner[NN_LABFILE_NAME_MAX + 8];
	size_t n = 0, ngroups = 0;
	bool in_sync;
	int ret;

	snprintf(owner, sizeof(owner), "lab:%s", row->name);
	for (size_t i = 0; i < nj; i++)
		/* (labs make no ingress filters yet: those kinds are not counted) */
		if (!strcmp(j[i].owner, owner) && j[i].kind <= NN_OBJ_SYSCTL)
			row->objects[j[i].kind]++;
	set_dirs(&r, row->name);
	if ((ret = read_record(&r, FILE_RECORD, row->file, sizeof(row->file), e)) < 0 ||
	    (ret = nn_proc_load(r.procs, &recs, &n, e)) < 0 ||
	    (ret = recorded_groups(&r, &groups, &counts, &ngroups, e)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		row->commands += nn_proc_alive(&recs[i]);
	for (size_t i = 0; i < ngroups; i++)
		row->clients += counts[i];
	row->in_sync = -1;
	/* A lab applied by a netnsctl that kept no record is not known. */
	if (read_applied(row->name, &r, &why) < 0 || make_lab(r.lf, &lab, &why) < 0 ||
	    lab_status(&r, lab, REPORT_NONE, &in_sync, &why) < 0)
		snprintf(row->error, sizeof(row->error), "%s", why.msg);
	else
		row->in_sync = in_sync;
out:
	nn_lab_free(lab);
	nn_labfile_free(r.lf);
	free(r.text);
	free(recs);
	free(groups);
	free(counts);
	return ret;
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
	if (nn_state_lock(ctx, &e) < 0 || nn_journal_owned(ctx, &j, &nj, &e) < 0 ||
	    live_records(ctx, j, &nj, &e) < 0 || collect_labs(ctx, j, nj, &v, &n, &e) < 0) {
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
