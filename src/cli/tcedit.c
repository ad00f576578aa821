// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * add-delay, set-rate, clear-qdisc as edits of the tc trees of one link
 * (issue #17; the design docs/impairments.md): the options become one spec
 * item a direction (lab.h: nn_lab_add_tc_edit) and the engine plans,
 * journals, applies and rolls back the steps (TC_TREE_*, IFB_ADD,
 * REDIRECT_*, CLSACT_DEL), as it does every other change.  --print-tc
 * prints the trees the plan wants.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/ifb.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "util/show.h"
#include "cli.h"
#include "tcedit.h"

int tc_req_opt(struct tc_req *r, int c, const char *arg, struct nn_error *e)
{
	struct nn_shown b;

	switch (c) {
	case TC_O_DIRECTION:
		if (!strcmp(arg, "egress"))
			r->dirs = TC_EGRESS;
		else if (!strcmp(arg, "ingress"))
			r->dirs = TC_INGRESS;
		else if (!strcmp(arg, "both"))
			r->dirs = TC_EGRESS | TC_INGRESS;
		else
			return nn_error_setx(e, EINVAL,
					     "invalid --direction \"%s\": expected egress, ingress or both",
					     nn_show(&b, arg));
		return 1;
	case TC_O_TO:
		r->has_match = true;
		return nn_tc_match_add_to(&r->match, arg, e) < 0 ? -e->code : 1;
	case TC_O_PORT:
		r->has_match = true;
		return nn_tc_match_add_port(&r->match, arg, e) < 0 ? -e->code : 1;
	case TC_O_PROTO:
		r->has_match = true;
		return nn_tc_match_add_proto(&r->match, arg, e) < 0 ? -e->code : 1;
	case TC_O_PRINT_TC:
		r->print_tc = true;
		return 1;
	default:
		return 0;
	}
}

/* The selector and leaf of R alone, checked as a tree's rule is (a
 * malformed request is refused, exit 2, before anything is looked at). */
static int check_req(const struct tc_req *r, struct nn_error *e)
{
	static struct nn_tc_tree t;

	memset(&t, 0, sizeof(t));
	t.handle = NN_QDISC_HANDLE;
	if (!r->has_match)
		return 0;
	t.n_rules = 1;
	t.rules[0].match = r->match;
	if (r->what == TC_NETEM) {
		t.rules[0].leaf.has_netem = true;
		t.rules[0].leaf.netem = r->netem;
	} else if (r->what == TC_TBF) {
		t.rules[0].leaf.has_tbf = true;
		t.rules[0].leaf.tbf = r->tbf;
	}
	return nn_tc_tree_check(&t, e);
}

/* The trees PLAN wants, as tc commands. */
static void print_tc(const struct nn_plan *plan)
{
	for (size_t i = 0; i < nn_plan_tc_len(plan); i++) {
		const struct nn_step_tc *t = nn_plan_tc(plan, i);
		struct nn_tc_tree want = t->want;
		uint8_t mac[6];

		if (nn_tc_tree_empty(&want)) {
			printf("# no impairment on %s (%s)\n", t->link, t->ingress ? "ingress" : "egress");
			continue;
		}
		/* A root whose handle is picked as it is made: shown as 1:. */
		if (!want.handle)
			want.handle = NN_QDISC_HANDLE;
		if (!t->ingress) {
			nn_tc_print(stdout, t->ns, t->link, &want);
			continue;
		}
		memcpy(mac, t->ifb_mac, 6);
		if (!t->ifb_exists)
			nn_link_random_mac(mac);
		nn_tc_print_ingress(stdout, t->ns, t->link, t->dev, mac, t->mtu, t->clsact_new || t->clsact_ours,
				    t->cookie ? t->cookie : nn_tc_cookie_new(), &want);
	}
}

int tc_edit(const char *cmd, struct tc_req *r, const char *nsname, const char *ifname,
	    const struct cli_change *how)
{
	struct nn_error e = { 0 };
	struct nn_tc_edit ed;
	struct nn_lab *lab;

	if (!r->dirs)
		r->dirs = TC_EGRESS;
	/* "" is the host, as for the one root qdisc (nn_lab_add_qdisc). */
	if ((*nsname && nn_check_netns_name(nsname, &e) < 0) || nn_check_ifname(ifname, &e) < 0 ||
	    check_req(r, &e) < 0)
		return cli_input_error(&e);
	memset(&ed, 0, sizeof(ed));
	ed.what = r->what == TC_NETEM ? NN_TC_EDIT_NETEM : r->what == TC_TBF ? NN_TC_EDIT_TBF
									       : NN_TC_EDIT_CLEAR;
	ed.has_match = r->has_match;
	ed.match = r->match;
	ed.netem = r->netem;
	ed.tbf = r->tbf;
	/* Egress alone, no selector: one root qdisc as before, unless there
	 * is a tree of netnsctl's to stack on (the planner tells). */
	ed.root_ok = r->dirs == TC_EGRESS && !r->print_tc;
	if (!(lab = nn_lab_new(cmd)))
		return cli_oom();
	if (((r->dirs & TC_EGRESS) && nn_lab_add_tc_edit(lab, nsname, ifname, false, &ed, &e) < 0) ||
	    ((r->dirs & TC_INGRESS) && nn_lab_add_tc_edit(lab, nsname, ifname, true, &ed, &e) < 0)) {
		nn_lab_free(lab);
		return cli_input_error(&e);
	}
	if (r->print_tc) {
		struct cli_change show = { .show_plan = print_tc };

		nn_lab_set_no_probe(lab, true);
		return cli_apply_lab(cmd, lab, &show);
	}
	return cli_apply_lab(cmd, lab, how);
}
