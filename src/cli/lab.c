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
#include <unistd.h>
#include <sys/stat.h>

#include "netnsctl/clients.h"
#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/labfile.h"
#include "netnsctl/proc.h"
#include "cleanup.h"
#include "file.h"
#include "cli.h"
#include "commands.h"
#include "show.h"

#define STOP_TIMEOUT_MS 3000

struct lab_run {
	struct nn_ctx *ctx;
	struct nn_labfile *lf;
	char dir[4096];		/* STATE_DIR/labs/LAB */
	char procs[4200];	/* its record of started commands */
	bool tty;
	size_t done, total;
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

static int load(const char *path, struct nn_labfile **lf)
{
	struct nn_error e = { 0 };

	if (nn_labfile_load(path, lf, &e) < 0)
		return e.code == EINVAL || e.code == E2BIG ? cli_input_error(&e) : cli_fail(&e);
	return 0;
}

/* Privileges, context, the state lock, and where this lab's files are. */
static int open_run(const char *cmd, struct lab_run *r)
{
	struct nn_error e = { 0 };
	int ret = cli_check_privileges(cmd);

	if (ret)
		return ret;
	if (!(r->ctx = cli_ctx()))
		return EXIT_FAIL;
	if (nn_state_lock(r->ctx, &e) < 0)
		return cli_fail(&e);
	snprintf(r->dir, sizeof(r->dir), "%s/labs/%s", nn_ctx_state_dir(r->ctx), r->lf->name);
	snprintf(r->procs, sizeof(r->procs), "%s/procs", r->dir);
	return 0;
}

static void close_run(struct lab_run *r)
{
	nn_ctx_free(r->ctx);
	nn_labfile_free(r->lf);
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

/* The lab LF describes, pruning what its owner made before and no longer wants. */
static int build_lab(const struct nn_labfile *lf, struct nn_lab **out)
{
	struct nn_error e = { 0 };
	struct nn_lab *lab = lab_new(lf);

	*out = NULL;
	if (!lab)
		return cli_oom();
	if (nn_labfile_to_lab(lf, lab, &e) < 0) {
		nn_lab_free(lab);
		return cli_input_error(&e);
	}
	nn_lab_set_prune(lab, true);
	*out = lab;
	return 0;
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
	char path[4400];
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dirfd = -1;
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
		return nn_error_set(e, errno, "cannot write \"%s\"", path);
	for (size_t i = 0; i < r->lf->n_clients; i++)
		fprintf(f, "%s %u\n", r->lf->clients[i].prefix, r->lf->clients[i].count);
	ret = ferror(f);
	if (fclose(f) != 0 || ret)
		return nn_error_set(e, ENOMEM, "cannot write \"%s\"", path);
	/* Relative to the lab's directory, never through a symlink (file.h). */
	if ((dirfd = nn_dir_open(r->dir, 0, e)) < 0)
		return -e->code;
	return nn_file_replace_at(dirfd, r->dir, "clients", -1, text, len, 0600, true, e);
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
		    (ret = nn_clients_create(r->ctx, &spec, NULL, NULL, e)) < 0) {
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

static void print_step(const char *text, void *arg)
{
	struct lab_run *r = arg;

	r->done++;
	if (r->tty)
		printf("\r\033[K");
	cli_line("%s", text);
	if (r->tty && r->total > 1 && r->done < r->total)
		printf("[%zu/%zu]", r->done, r->total);
	fflush(stdout);
}

static void print_undone(const char *text, void *arg)
{
	struct lab_run *r = arg;

	if (r->tty)
		printf("\r\033[K");
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
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "FILE")) || (ret = load(argv[optind], &r.lf)))
		return ret;
	if ((ret = build_lab(r.lf, &lab)) || (ret = open_run(argv[0], &r)))
		goto out;
	if (nn_plan_make(r.ctx, lab, &plan, &e) < 0) {
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
		r.tty = isatty(STDOUT_FILENO);
		r.total = nn_plan_len(plan);
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
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "FILE")) || (ret = load(argv[optind], &r.lf)))
		return ret;
	/* Only the name matters: an empty lab of that owner, pruned, is nothing of it. */
	if (!(lab = lab_new(r.lf))) {
		nn_labfile_free(r.lf);
		return cli_oom();
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
		r.tty = isatty(STDOUT_FILENO);
		r.total = nn_plan_len(plan);
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

/* "missing" for what a step would make, "differs" for what it would change or remove. */
static const char *step_class(const char *text)
{
	if (!strncmp(text, "create ", 7) || !strncmp(text, "add ", 4) || !strncmp(text, "set ", 4))
		return "missing";
	return "differs";
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct lab_run r = { 0 };
	struct nn_error e = { 0 };
	struct nn_plan *plan = NULL;
	struct nn_lab *lab = NULL;
	struct nn_proc *recs = NULL;
	size_t nrecs = 0, steps;
	bool json = false, in_sync;
	int c, ret, not_running = 0;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c < 0)
			return -c;
		json = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "FILE")) || (ret = load(argv[optind], &r.lf)))
		return ret;
	if ((ret = build_lab(r.lf, &lab)) || (ret = open_run(argv[0], &r)))
		goto out;
	if (nn_plan_make(r.ctx, lab, &plan, &e) < 0) {
		ret = cli_plan_error(&e);
		goto out;
	}
	if (nn_proc_load(r.procs, &recs, &nrecs, &e) < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	steps = nn_plan_len(plan);
	if (json) {
		printf("{\"lab\":");
		json_str(stdout, r.lf->name);
		printf(",\"steps\":[");
		for (size_t i = 0; i < steps; i++) {
			printf("%s{\"state\":\"%s\",\"step\":", i ? "," : "",
			       step_class(nn_plan_step_text(plan, i)));
			json_str(stdout, nn_plan_step_text(plan, i));
			putchar('}');
		}
		printf("],\"commands\":[");
	} else {
		for (size_t i = 0; i < steps; i++)
			cli_line("%s: %s", step_class(nn_plan_step_text(plan, i)), nn_plan_step_text(plan, i));
	}
	for (size_t i = 0, first = 1; i < r.lf->n_nodes; i++) {
		const struct nn_labfile_node *nd = &r.lf->nodes[i];

		for (unsigned int k = 0; k < nd->n_commands; k++, first = 0) {
			const struct nn_proc *p = NULL;

			for (size_t j = 0; j < nrecs && !p; j++)
				if (!strcmp(recs[j].node, nd->name) && recs[j].index == k &&
				    nn_proc_alive(&recs[j]) &&
				    recs[j].argv_hash == nn_proc_argv_hash(nd->commands[k].argv))
					p = &recs[j];
			not_running += !p;
			if (json) {
				printf("%s{\"node\":", first ? "" : ",");
				json_str(stdout, nd->name);
				printf(",\"index\":%u,\"running\":%s,\"pid\":%d}", k + 1, p ? "true" : "false",
				       p ? (int)p->pid : 0);
			} else if (!p) {
				cli_part("not running: command %u in %s: ", k + 1, nd->name);
				print_argv(stdout, nd->commands[k].argv);
				putchar('\n');
			}
		}
	}
	if (json)
		printf("],\"clients\":[");
	for (size_t i = 0; i < r.lf->n_clients; i++) {
		const struct nn_labfile_clients *g = &r.lf->clients[i];
		int extra = 0, have = clients_present(&r, g, &extra, NULL, NULL, 0, &e);

		if (have < 0) {
			ret = cli_fail(&e);
			goto out;
		}
		not_running += (unsigned int)have != g->count || extra;
		if (json) {
			printf("%s{\"prefix\":", i ? "," : "");
			json_str(stdout, g->prefix);
			printf(",\"count\":%u,\"present\":%d,\"extra\":%d}", g->count, have, extra);
		} else {
			if ((unsigned int)have != g->count)
				cli_line("missing: %u of clients %s1..%s%u", g->count - have, g->prefix,
				       g->prefix, g->count);
			if (extra)
				cli_line("extra: %d client%s beyond %s%u", extra, extra == 1 ? "" : "s",
				       g->prefix, g->count);
		}
	}
	in_sync = steps == 0 && not_running == 0;
	if (json)
		printf("],\"in_sync\":%s}\n", in_sync ? "true" : "false");
	else if (in_sync)
		printf("in sync\n");
	ret = in_sync ? EXIT_OK : EXIT_FAIL;
out:
	free(recs);
	nn_plan_free(plan);
	nn_lab_free(lab);
	close_run(&r);
	return ret;
}
