// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run FILE: apply the lab (only what differs, as `apply`), then play its
 * timeline (timeline.h) on the monotonic clock, one line per step, and put
 * the lab back to the file's base state at the end, when a step fails, and
 * on Ctrl-C, SIGTERM or SIGHUP (docs/timelines.md).
 *
 * Each step is a change planned and applied by the engine, as `apply`'s
 * (lab.h: a lab of the step's change alone, observed for what it touches),
 * under the state lock, taken for the step only: between steps other
 * commands (and the reverter) may run.  A root qdisc is changed in place on
 * its handle (QDISC_SET), never deleted and added again, and only a root
 * netnsctl made is changed or cleared; links go down (LINK_STATE) and
 * partitions are made (PARTITION_ADD) journalled by apply as held changes
 * (change.h), so that a run killed with SIGKILL leaves nothing `cleanup`
 * (or link-up, heal) cannot put back.  Nothing here writes a journal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netnsctl/ctx.h"
#include "netnsctl/lab.h"
#include "netnsctl/labfile.h"
#include "netnsctl/link.h"
#include "netnsctl/partition.h"
#include "netnsctl/proc.h"
#include "netnsctl/qdisc.h"
#include "netnsctl/timeline.h"
#include "netnsctl/verify.h"
#include "util/show.h"
#include "cli.h"
#include "commands.h"

struct run {
	struct nn_ctx *ctx;
	const struct nn_labfile *lf;
	const struct nn_tl_schedule *sched;
	bool json;
	char (*errors)[NN_ERROR_MAX];	/* per step: its error's text */
	char (*parts)[NN_PARTITION_ID_MAX];	/* partitions this run made */
	size_t n_parts;
	struct nn_proc *procs;		/* commands this run started */
	size_t n_procs;
};

static volatile int run_cancel;

static void on_signal(int sig)
{
	run_cancel = sig;
}

/*
 * One change, planned and applied by the engine like any other (issue 15):
 * LAB's steps, observed for what they touch alone (a link's root or
 * state, the deadline journal), journalled by apply.  Roots another made
 * are never replaced or cleared (nn_lab_set_own_roots).  *CHANGED (may be
 * NULL): a step changed the kernel.  Frees LAB.
 */
static int apply_change(struct run *r, struct nn_lab *lab, bool *changed, struct nn_error *e)
{
	struct nn_plan *plan = NULL;
	int ret = lab ? 0 : nn_error_set(e, ENOMEM, "cannot describe the step");

	if (changed)
		*changed = false;
	if (ret == 0) {
		nn_lab_set_own_roots(lab, true);
		ret = nn_plan_make(r->ctx, lab, &plan, e);
	}
	if (ret == 0)
		ret = nn_plan_apply(r->ctx, plan, NULL, NULL, NULL, e);
	for (size_t i = 0; ret == 0 && changed && i < nn_plan_len(plan); i++)
		*changed |= nn_plan_step(plan, i)->run.done;
	nn_plan_free(plan);
	nn_lab_free(lab);
	return ret;
}

/* A lab of the run's owner (the journal's "lab:NAME", as apply's). */
static struct nn_lab *run_lab(const struct run *r)
{
	char owner[64];

	snprintf(owner, sizeof(owner), "lab:%s", r->lf->name);
	return nn_lab_new(owner);
}

/* Q (NN_QDISC_OTHER: the kernel's default) as the root of IFNAME in NS. */
static int set_root(struct run *r, const char *ns, const char *ifname, const struct nn_labfile_impair *q,
		    struct nn_error *e)
{
	struct nn_lab *lab = run_lab(r);

	if (lab && nn_labfile_add_impair(lab, ns, ifname, q, e) < 0) {
		nn_lab_free(lab);
		return -e->code;
	}
	return apply_change(r, lab, NULL, e);
}

/* IFNAME in NS administratively UP or down (held: the run brings it up). */
static int set_link(struct run *r, const char *ns, const char *ifname, bool up, struct nn_error *e)
{
	struct nn_lab *lab = run_lab(r);

	if (lab && nn_lab_set_link_state(lab, ns, ifname, up, 0, e) < 0) {
		nn_lab_free(lab);
		return -e->code;
	}
	return apply_change(r, lab, NULL, e);
}

static int group_names(const struct nn_labfile *lf, const struct nn_tl_event *ev, const char **names[2],
		       struct nn_error *e)
{
	for (int k = 0; k < 2; k++) {
		if (!(names[k] = calloc(ev->n_group[k] + 1, sizeof(char *))))
			return nn_error_set(e, ENOMEM, "cannot name the groups");
		for (size_t i = 0; i < ev->n_group[k]; i++)
			names[k][i] = lf->nodes[ev->group[k][i]].name;
	}
	return 0;
}

static int heal_one(struct run *r, const char *id, struct nn_error *e)
{
	struct nn_lab *lab = run_lab(r);
	size_t k = 0;
	int ret;

	if (lab && nn_lab_heal(lab, id, e) < 0) {
		nn_lab_free(lab);
		return -e->code;
	}
	if ((ret = apply_change(r, lab, NULL, e)) < 0)
		return ret;
	for (size_t i = 0; i < r->n_parts; i++)
		if (strcmp(r->parts[i], id))
			memcpy(r->parts[k++], r->parts[i], NN_PARTITION_ID_MAX);
	r->n_parts = k;
	return 0;
}

/* Partition group 0 of EV from group 1; the run heals it at its end. */
static int partition(struct run *r, const struct nn_tl_event *ev, struct nn_error *e)
{
	const char **names[2] = { NULL, NULL };
	struct nn_lab *lab = NULL;
	bool changed = false;
	int ret;

	if ((ret = group_names(r->lf, ev, names, e)) == 0) {
		if (!(lab = run_lab(r)))
			ret = nn_error_set(e, ENOMEM, "cannot describe the partition");
		else if (nn_lab_add_partition(lab, names[0], ev->n_group[0], names[1], ev->n_group[1], 0, e) < 0)
			ret = -e->code;
	}
	if (ret == 0) {
		ret = apply_change(r, lab, &changed, e);
		lab = NULL;
	}
	if (ret == 0 && changed)
		nn_partition_id(r->parts[r->n_parts++], names[0], ev->n_group[0], names[1], ev->n_group[1]);
	nn_lab_free(lab);
	free(names[0]);
	free(names[1]);
	return ret;
}

static int expect_step(struct run *r, const struct nn_tl_event *ev, struct nn_error *e)
{
	struct nn_verify_result res;
	struct nn_verify_opts o;
	char why[NN_ERROR_MAX] = "";
	int ret;

	memset(&res, 0, sizeof(res));
	nn_verify_opts_default(&o);
	if ((ret = nn_verify_one(r->ctx, r->lf, &ev->expect, &o, &res, e)) < 0)
		return ret;
	if (res.error) {
		ret = nn_error_setx(e, EPROTO, "expect %s: cannot measure: %s", res.plan.name, res.error_text);
	} else if (!res.pass) {
		for (size_t i = 0; i < res.n_checks; i++)
			if (!res.checks[i].pass) {
				snprintf(why, sizeof(why), "%s expected %s, measured %s",
					 nn_check_name(res.checks[i].kind), res.checks[i].expected,
					 res.checks[i].measured);
				break;
			}
		ret = nn_error_setx(e, EPROTO, "expect %s failed: %s", res.plan.name, why);
	}
	nn_verify_result_clear(&res);
	return ret;
}

static int act(const struct nn_tl_step *s, size_t i, void *arg, struct nn_error *e)
{
	struct run *r = arg;
	const struct nn_labfile *lf = r->lf;
	const struct nn_tl_event *ev = &lf->timeline[s->event];
	const char *node = ev->action <= NN_TL_UP ? lf->nodes[ev->link.node].name : NULL;
	const char **names[2] = { NULL, NULL };
	char id[NN_PARTITION_ID_MAX];
	int ret = 0;

	(void)i;
	/* The state lock for this step only: other commands may run between. */
	if (nn_state_lock(r->ctx, e) < 0)
		return -e->code;
	switch (s->action) {
	case NN_TL_IMPAIR:
	case NN_TL_RATE:
	case NN_TL_CLEAR:
		ret = set_root(r, node, ev->link.ifname, &s->qdisc, e);
		break;
	case NN_TL_DOWN:
	case NN_TL_UP:
		ret = set_link(r, node, ev->link.ifname, s->action == NN_TL_UP, e);
		break;
	case NN_TL_PARTITION:
		ret = partition(r, ev, e);
		break;
	case NN_TL_HEAL:
		if (ev->heal_all) {
			while (r->n_parts && ret >= 0)
				ret = heal_one(r, r->parts[r->n_parts - 1], e);
			break;
		}
		if ((ret = group_names(lf, ev, names, e)) < 0)
			break;
		nn_partition_id(id, names[0], ev->n_group[0], names[1], ev->n_group[1]);
		ret = heal_one(r, id, e);
		break;
	case NN_TL_RUN: {
		/* Its output goes nowhere: a file it writes itself
		 * ([sh, -c, "... >file"]) outlives the run, a log of ours
		 * would be one more file for destroy and cleanup to know. */
		const char *log = "/dev/null";
		struct nn_ns *ns;

		if (nn_ctx_ns(r->ctx, lf->nodes[ev->node].name, &ns, e) < 0) {
			ret = -e->code;
			break;
		}
		ret = nn_proc_start(nn_ns_fd(ns), ev->command.argv, log, &r->procs[r->n_procs], NULL, NULL, e);
		if (ret >= 0)
			r->n_procs++;
		break;
	}
	case NN_TL_EXPECT:
		nn_state_unlock();	/* a measurement changes nothing, and takes long */
		return expect_step(r, ev, e);
	default:
		ret = nn_error_setx(e, EINVAL, "unknown timeline action %d", (int)s->action);
	}
	free(names[0]);
	free(names[1]);
	nn_state_unlock();
	return ret < 0 ? ret : 0;
}

static void told(const struct nn_tl_step *s, size_t i, const struct nn_tl_record *rec, void *arg)
{
	struct run *r = arg;
	char when[32], what[1024];

	if (r->json)
		return;
	nn_tl_format_offset(when, sizeof(when), rec->actual_ns);
	nn_tl_step_format(what, sizeof(what), r->lf, s);
	if (rec->result)
		cli_line("  %s  %s  failed", when, what);
	else
		cli_line("  %s  %s", when, what);
	fflush(stdout);
	(void)i;
}

/* The progress line while a wait is long (on a terminal only: cli_progress). */
static void waiting(size_t next, size_t total, uint64_t now_ns, uint64_t next_ns, void *arg)
{
	char what[128];

	(void)arg;
	snprintf(what, sizeof(what), "step %zu of %zu, next in %.0f s", next + 1, total,
		 (double)(next_ns - now_ns) / 1e9);
	cli_progress(what, next, total, NULL);
}

/* The lab back to the file's base state: every qdisc a step set to its
 * end's base, every link a step took down up, the run's partitions healed,
 * its commands stopped.  Goes on past failures; the first is returned. */
static int back_to_base(struct run *r, struct nn_error *e)
{
	const struct nn_labfile *lf = r->lf;
	int first = 0;

	if (nn_state_lock(r->ctx, e) < 0)
		return -e->code;
	for (size_t i = 0; i < lf->n_timeline; i++) {
		const struct nn_tl_event *ev = &lf->timeline[i];
		struct nn_error err = { 0 };
		bool seen = false;
		int ret = 0;

		if (ev->action > NN_TL_UP)
			continue;
		/* once per target */
		for (size_t j = 0; j < i && !seen; j++)
			seen = lf->timeline[j].action <= NN_TL_UP && lf->timeline[j].link.node == ev->link.node &&
			       !strcmp(lf->timeline[j].link.ifname, ev->link.ifname) &&
			       (lf->timeline[j].action == NN_TL_DOWN || lf->timeline[j].action == NN_TL_UP) ==
				       (ev->action == NN_TL_DOWN || ev->action == NN_TL_UP);
		if (seen)
			continue;
		if (ev->action == NN_TL_DOWN || ev->action == NN_TL_UP)
			ret = set_link(r, lf->nodes[ev->link.node].name, ev->link.ifname, true, &err);
		else
			ret = set_root(r, lf->nodes[ev->link.node].name, ev->link.ifname, &ev->link.base, &err);
		if (ret < 0 && !first) {
			*e = err;
			first = ret;
		}
	}
	while (r->n_parts) {
		struct nn_error err = { 0 };
		int ret = heal_one(r, r->parts[r->n_parts - 1], &err);

		if (ret < 0) {
			if (!first) {
				*e = err;
				first = ret;
			}
			r->n_parts--;
		}
	}
	for (size_t i = 0; i < r->n_procs; i++) {
		struct nn_error err = { 0 };

		if (nn_proc_stop(&r->procs[i], 1000, &err) < 0 && !first) {
			*e = err;
			first = -err.code;
		}
	}
	nn_state_unlock();
	return first;
}

/*
 * `netnsctl apply FILE`, in this process (one process does the lab's
 * requests, and no program is started); with --json its steps go to
 * /dev/null, so stdout is the event log alone (its errors stay on stderr).
 */
static int apply_file(const char *file, bool json)
{
	char *argv[] = { (char *)"apply", (char *)file, NULL };
	int saved = -1, null, ret;

	fflush(stdout);
	if (json) {
		if ((saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
		    (null = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
			fprintf(stderr, "netnsctl: run: cannot open /dev/null: %s\n", strerror(errno));
			if (saved >= 0)
				close(saved);
			return EXIT_FAIL;
		}
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	optind = 0;
	ret = cmd_apply(2, argv);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	return ret;
}

static void write_json(struct run *r, const struct nn_tl_player *p, const char *started, const char *result)
{
	json_begin(stdout);
	printf(",\"lab\":");
	json_str(stdout, r->lf->name);
	printf(",\"started\":\"%s\",\"result\":\"%s\",\"events\":[", started, result);
	for (size_t i = 0; i < p->done; i++) {
		printf("%s\n ", i ? "," : "");
		nn_tl_record_json(stdout, r->lf, &p->steps[i], &p->records[i], r->errors[i]);
	}
	printf("]}\n");
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct nn_tl_schedule sched = { 0 };
	struct nn_tl_player p = { 0 };
	struct nn_labfile *lf = NULL;
	struct nn_error e = { 0 }, be = { 0 };
	struct nn_shown sh;
	struct run r = { 0 };
	char started[32], when[32];
	bool dry = false, json = false;
	const char *result = "ok";
	time_t t0;
	struct tm tm;
	int c, ret, played;

	while ((c = cli_getopt(argc, argv, "j", opts)) != -1) {
		if (c < 0)
			return -c;
		if (c == 'n')
			dry = true;
		else
			json = true;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 1, 1, "FILE")))
		return ret;
	if (nn_labfile_load(argv[optind], &lf, &e) < 0)
		return e.code == ENOENT || e.code == EACCES ? cli_fail(&e) : cli_input_error(&e);
	if (!lf->n_timeline) {
		nn_labfile_free(lf);
		return cli_usage_error("run: %s has no timeline (docs/timelines.md)", nn_show(&sh, argv[optind]));
	}
	if (nn_tl_schedule_make(lf, &sched, &e) < 0) {
		nn_labfile_free(lf);
		return cli_input_error(&e);
	}
	if (dry) {
		nn_tl_schedule_write(stdout, lf, &sched);
		goto out;
	}
	if ((ret = cli_check_privileges(argv[0])))
		goto out;
	/* Signals from here on end the run (after apply: it has its own). */
	if ((ret = apply_file(argv[optind], json)) != EXIT_OK)
		goto out;
	if (!(r.ctx = cli_ctx())) {
		ret = EXIT_FAIL;
		goto out;
	}
	/* An event's plan is one step: its progress line would only wipe the
	 * run's own (waiting). */
	nn_ctx_set_progress(r.ctx, NULL, NULL);
	r.lf = lf;
	r.sched = &sched;
	r.json = json;
	if (!(r.errors = calloc(sched.n + 1, sizeof(*r.errors))) ||
	    !(r.parts = calloc(sched.n + 1, sizeof(*r.parts))) ||
	    !(r.procs = calloc(sched.n + 1, sizeof(*r.procs))) ||
	    !(p.records = calloc(sched.n + 1, sizeof(*p.records)))) {
		ret = cli_oom();
		goto out;
	}
	run_cancel = 0;
	/* No SA_RESTART: the player's sleep returns EINTR and sees the flag. */
	cli_catch_signals_to(on_signal);
	p.steps = sched.steps;
	p.n = sched.n;
	nn_tl_clock_monotonic(&p.clock);
	p.act = act;
	p.told = told;
	if (!json)
		p.wait = waiting;
	p.arg = &r;
	p.cancel = &run_cancel;
	t0 = time(NULL);
	gmtime_r(&t0, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	played = nn_tl_play(&p, &e);
	if (played < 0 && p.done && p.records[p.done - 1].result)
		snprintf(r.errors[p.done - 1], NN_ERROR_MAX, "%s", e.msg);
	ret = back_to_base(&r, &be);
	if (!json) {
		nn_tl_format_offset(when, sizeof(when), p.clock.now(p.clock.arg) - p.start_ns);
		if (ret < 0)
			cli_line("  %s  end: cannot go back to the lab's base state", when);
		else
			cli_line("  %s  end: back to the lab's base state", when);
	}
	if (played == -ECANCELED)
		result = "cancelled";
	else if (played < 0 || ret < 0)
		result = "failed";
	if (json)
		write_json(&r, &p, started, result);
	fflush(stdout);
	if (played == -ECANCELED) {
		fprintf(stderr, "netnsctl: run: interrupted by signal %d\n", run_cancel);
		ret = 128 + run_cancel;
	} else if (played < 0) {
		ret = cli_fail(&e);
	} else if (ret < 0) {
		ret = cli_fail(&be);
	} else {
		ret = EXIT_OK;
	}
out:
	free(r.errors);
	free(r.parts);
	free(r.procs);
	free(p.records);
	nn_ctx_free(r.ctx);
	nn_tl_schedule_free(&sched);
	nn_labfile_free(lf);
	return ret;
}
