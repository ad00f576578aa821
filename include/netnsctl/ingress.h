/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_INGRESS_H
#define NETNSCTL_INGRESS_H

#include <stdbool.h>

#include "netnsctl/ctx.h"
#include "netnsctl/error.h"

/*
 * cleanup's pass over issue 17's ingress plumbing, before the plan that
 * prunes the links: every ingress redirect (a "filter" record) the journal
 * says netnsctl made and that still carries its proof (owner.h:
 * nn_owner_filter, the redirect's cookie) is removed, then every clsact of
 * netnsctl's (nn_owner_clsact) that no filter of anyone's is left on.  The
 * redirects go first: their ifb may only go once nothing redirects to it,
 * and the plan's prune deletes the ifbs.  Each record is then forgotten,
 * also one whose object is gone or is no longer netnsctl's (never touched).
 * DRY: nothing changes.  SAY gets one line per change ("remove the ingress
 * redirect of veth-a in a"; DRY: "would ..."); NULL: none.  Takes the
 * state lock (held until the process ends, as every change's).  Returns
 * the number of changes, or -errno.
 */
int nn_ingress_prune(struct nn_ctx *ctx, bool dry, void (*say)(const char *line, void *arg),
		     void *arg, struct nn_error *e);

#endif
