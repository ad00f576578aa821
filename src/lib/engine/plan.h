/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_ENGINE_PLAN_H
#define NETNSCTL_ENGINE_PLAN_H

/*
 * The engine's inside: spec --observe--> snapshot --plan (pure)--> steps
 * --apply--> kernel, journal and the lab's records.
 */

#include <stdbool.h>
#include <stddef.h>

#include "netnsctl/ctx.h"
#include "netnsctl/labrun.h"
#include "netnsctl/step.h"
#include "engine/snapshot.h"
#include "engine/spec.h"

struct nn_plan {
	const struct nn_lab *lab;	/* outlives the plan */
	char owner[64];
	struct nn_step *steps;
	size_t n, cap;
	size_t n_link_dels;		/* LINK_DEL steps: most plans have none */
	struct nn_hash made_links;	/* "NS/IF" of links steps make */
	struct nn_hash deleted_ns;	/* namespaces steps delete */
	struct nn_hash made_ns;		/* namespaces steps make */
	/* Why apply must refuse the plan before its first step, when it must:
	 * status still shows the steps (a client group whose names another
	 * made: apply does not take it over). */
	struct nn_error refusal;
	/* What status says of a lab's commands and groups (labrun.h). */
	struct nn_plan_command *commands;
	size_t n_commands;
	struct nn_plan_group *groups;
	size_t n_groups;
	/* The tc tree directions planned (plan_tc.c): steps point to them. */
	struct nn_step_tc **tcs;
	size_t n_tcs;
};

/*
 * The plan that makes LAB true of SNAP: pure (no I/O; a unit test links it
 * with snapshot.c, spec.c and step.c alone).  -errno with E naming what is
 * in the way (a link another program made, a bridge that is not one, ...).
 */
int nn_plan_build(const struct nn_lab *lab, const struct nn_snapshot *snap,
		  struct nn_plan **out, struct nn_error *e);

/* For the planner's parts in other files (plan_tc.c): a new step, the one
 * root qdisc Q, whether the plan makes link IFNAME of NS or namespace NS. */
struct nn_step *nn_plan_add_step(struct nn_plan *p, enum nn_step_kind kind,
				 enum nn_step_state state, enum nn_step_reason why, const char *ns,
				 const char *ifname, struct nn_error *e);
int nn_plan_qdisc(struct nn_plan *p, const struct nn_snapshot *snap, const struct lab_qdisc *q,
		  struct nn_error *e);
bool nn_plan_makes_link(const struct nn_plan *p, const char *ns, const char *ifname);
bool nn_plan_makes_ns(const struct nn_plan *p, const char *ns);
bool nn_plan_deletes_ns(const struct nn_plan *p, const char *ns);
/* Prune: the ingress redirects (then the clsact qdiscs) the journal says
 * LAB's owner made, that still bear their proof, on links LAB has no
 * ingress tree for (plan_tc.c). */
int nn_plan_tc_prune(struct nn_plan *p, const struct nn_snapshot *snap, const struct nn_lab *lab,
		     struct nn_error *e);
/* The steps of tc tree T (plan_tc.c). */
int nn_plan_tc_item(struct nn_plan *p, const struct nn_snapshot *snap, const struct lab_tc *t,
	       struct nn_error *e);

/* Could LA and LB be the two ends of one veth (kinds and ifindexes)?  Only
 * the namespace ids tell, when they are in two namespaces: observe reads
 * those for such pairs. */
bool nn_veth_may_pair(const struct nn_link_info *la, const struct nn_link_info *lb);

/* Fill *OUT with what the plan of LAB needs: only that (spec.h, observe.c). */
int nn_observe(struct nn_ctx *ctx, const struct nn_lab *lab, struct nn_snapshot **out,
	       struct nn_error *e);

/*
 * The order in which apply undoes the done steps of P when step FAILED (the
 * failing one too, when it changed something) failed: the indexes, last
 * done first, into ORDER (room for P->n); removals are never undone (a
 * deleted object cannot be brought back as it was).  Returns their number.
 */
size_t nn_plan_rollback(const struct nn_plan *p, size_t failed, size_t *order);

/* The lab run: a lab's commands and client groups, observed and carried out
 * above the clients layer (labrun.c).  The core engine knows them as step
 * kinds and facts only. */
struct nn_run_ops {
	/* Add to SNAP the records and clients the plan of LAB needs. */
	int (*observe)(struct nn_ctx *ctx, const struct nn_lab *lab, struct nn_snapshot *snap,
		       struct nn_error *e);
	/* Carry out step S (CMD_*, CLIENTS_*) of P, set S->run.done once
	 * something changed. */
	int (*do_step)(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_step *s,
		       struct nn_error *e);
	void (*undo_step)(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_step *s);
	/* After the last step of P: record what was applied, or forget it. */
	int (*finish)(struct nn_ctx *ctx, const struct nn_plan *p, struct nn_error *e);
};

/* Is step kind K one of the lab run's? */
static inline bool nn_step_is_run(enum nn_step_kind k)
{
	return k == NN_STEP_CMD_START || k == NN_STEP_CMD_STOP || k == NN_STEP_CLIENTS_ADD ||
	       k == NN_STEP_CLIENTS_DEL;
}

/* Is step kind K a removal (never undone)? */
bool nn_step_is_removal(enum nn_step_kind k);

/* "the host" for "", else NS. */
static inline const char *nn_where(const char *ns)
{
	return *ns ? ns : "the host";
}

/* A route's name in the journal: its destination, or default / default6. */
const char *nn_route_name(char *buf, size_t len, const struct nn_prefix *dst);

/* OWNER as a user knows it: lab "abc", netnsctl create-veth-pair. */
const char *nn_owner_text(char *buf, size_t len, const char *owner);

#endif
