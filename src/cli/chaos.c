// SPDX-License-Identifier: GPL-2.0-or-later
/* link-down, link-up, partition, heal and the --for of add-delay and
 * set-rate: changes to what exists, planned and applied by the engine
 * (lab.h; the steps LINK_STATE, PARTITION_ADD, PARTITION_DEL and a timed
 * QDISC_SET, journalled by apply through change.h so that they can be put
 * back: docs/timelines.md).  Nothing here writes a journal. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/lab.h"
#include "netnsctl/names.h"
#include "netnsctl/partition.h"
#include "netnsctl/timeline.h"
#include "netnsctl/units.h"
#include "util/show.h"
#include "cli.h"
#include "commands.h"

int cli_parse_for(const char *s, uint64_t *ns)
{
	struct nn_error e = { 0 };
	size_t len = strlen(s);
	struct nn_shown b;

	/* tc reads a bare number as microseconds: for a duration that is a
	 * trap, so a unit is required. */
	if (len && isdigit((unsigned char)s[len - 1]))
		return cli_usage_error("invalid duration \"%s\": give a unit (5s, 500ms, 2min is 120s)", nn_show(&b, s));
	if (nn_parse_time(s, "duration", ns, &e) < 0)
		return cli_input_error(&e);
	if (*ns == 0)
		return cli_usage_error("invalid duration \"%s\": must be more than 0", nn_show(&b, s));
	if (*ns > NN_TL_MAX_NS)
		return cli_usage_error("invalid duration \"%s\": more than a year", nn_show(&b, s));
	return 0;
}

/* LAB (a change to what exists) planned and applied by the engine, as
 * every command's: --dry-run, --json and "unchanged" come from it.  ADDED:
 * what the nn_lab_* call that put the change in LAB returned (E its error). */
static int apply_change(const char *cmd, struct nn_lab *lab, int added, struct nn_error *e,
			const struct cli_change *how)
{
	if (added < 0) {
		nn_lab_free(lab);
		return cli_input_error(e);
	}
	return cli_apply_lab(cmd, lab, how);
}

static int link_state(int argc, char **argv, bool up)
{
	static const struct option down_opts[] = {
		{ "for", required_argument, NULL, 'f' },
		CLI_CHANGE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	static const struct option up_opts[] = {
		CLI_CHANGE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_change how = { 0 };
	struct nn_error e = { 0 };
	struct nn_lab *lab;
	const char *nsname, *ifname;
	uint64_t for_ns = 0;
	int c, ret;

	while ((c = cli_getopt(argc, argv, ":j", up ? up_opts : down_opts)) != -1) {
		if (c < 0)
			return -c;
		if (!cli_change_opt(c, &how) && (ret = cli_parse_for(optarg, &for_ns)))
			return ret;
	}
	if ((ret = cli_want_args(argv[0], argc, argv, 2, 2, "NS IF")))
		return ret;
	nsname = argv[optind];
	ifname = argv[optind + 1];
	/* "." is the host, as in the journals. */
	if (!strcmp(nsname, "."))
		nsname = "";
	if (!(lab = nn_lab_new(argv[0])))
		return cli_oom();
	return apply_change(argv[0], lab, nn_lab_set_link_state(lab, nsname, ifname, up, for_ns, &e), &e, &how);
}

int cmd_link_down(int argc, char **argv)
{
	return link_state(argc, argv, false);
}

int cmd_link_up(int argc, char **argv)
{
	return link_state(argc, argv, true);
}

/*
 * "NS... --from NS... [--for D] [--dry-run]": the groups cannot go through
 * getopt (it would take only the first name after --from), so the
 * arguments are read here, with the same messages.
 */
struct groups {
	const char **g[2];
	size_t n[2];
	bool from;
	struct cli_change how;	/* --dry-run, --json */
	const char *dur;
	uint64_t for_ns;
};

static int parse_groups(int argc, char **argv, bool with_for, struct groups *gr)
{
	bool opts_done = false;
	struct nn_shown sh;
	int ret;

	memset(gr, 0, sizeof(*gr));
	if (!(gr->g[0] = calloc((size_t)argc, sizeof(char *))) ||
	    !(gr->g[1] = calloc((size_t)argc, sizeof(char *))))
		return cli_oom();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!opts_done && !strcmp(a, "--")) {
			opts_done = true;
		} else if (!opts_done && !strcmp(a, "--from")) {
			if (gr->from)
				return cli_usage_error("%s: --from given twice", argv[0]);
			gr->from = true;
		} else if (!opts_done && !strcmp(a, "--dry-run")) {
			gr->how.dry_run = true;
		} else if (!opts_done && (!strcmp(a, "--json") || !strcmp(a, "-j"))) {
			gr->how.json = true;
		} else if (!opts_done && with_for && (!strcmp(a, "--for") || !strncmp(a, "--for=", 6))) {
			const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);

			if (!v)
				return cli_usage_error("%s: option \"--for\" needs a value", argv[0]);
			if ((ret = cli_parse_for(gr->dur = v, &gr->for_ns)))
				return ret;
		} else if (!opts_done && a[0] == '-' && a[1]) {
			return cli_usage_error("%s: unknown option \"%s\"", argv[0], nn_show(&sh, a));
		} else {
			gr->g[gr->from][gr->n[gr->from]++] = a;
		}
	}
	return 0;
}

static void groups_free(struct groups *gr)
{
	free(gr->g[0]);
	free(gr->g[1]);
}

int cmd_partition(int argc, char **argv)
{
	struct nn_error e = { 0 };
	struct groups gr;
	struct nn_lab *lab = NULL;
	int ret;

	if ((ret = parse_groups(argc, argv, true, &gr)))
		goto out;
	if (!gr.n[0] || !gr.from || !gr.n[1]) {
		ret = cli_usage_error("%s: missing arguments (usage: netnsctl %s NS... --from NS...)", argv[0],
				      argv[0]);
		goto out;
	}
	ret = (lab = nn_lab_new(argv[0]))
		      ? apply_change(argv[0], lab,
				     nn_lab_add_partition(lab, gr.g[0], gr.n[0], gr.g[1], gr.n[1], gr.for_ns, &e),
				     &e, &gr.how)
		      : cli_oom();
out:
	groups_free(&gr);
	return ret;
}

int cmd_heal(int argc, char **argv)
{
	struct nn_error e = { 0 };
	struct groups gr;
	struct nn_lab *lab = NULL;
	char id[NN_PARTITION_ID_MAX] = "";
	const char *which = NULL;
	int ret;

	if ((ret = parse_groups(argc, argv, false, &gr)))
		goto out;
	if (gr.from) {
		if (!gr.n[0] || !gr.n[1]) {
			ret = cli_usage_error("%s: missing arguments (usage: netnsctl %s [ID | NS... --from NS...])",
					      argv[0], argv[0]);
			goto out;
		}
		if (nn_partition_check_groups(gr.g[0], gr.n[0], gr.g[1], gr.n[1], &e) < 0) {
			ret = cli_input_error(&e);
			goto out;
		}
		nn_partition_id(id, gr.g[0], gr.n[0], gr.g[1], gr.n[1]);
		which = id;
	} else if (gr.n[0] == 1) {
		which = gr.g[0][0];
	} else if (gr.n[0] > 1) {
		ret = cli_usage_error("%s: groups need --from (usage: netnsctl %s [ID | NS... --from NS...])",
				      argv[0], argv[0]);
		goto out;
	}
	ret = (lab = nn_lab_new(argv[0])) ? apply_change(argv[0], lab, nn_lab_heal(lab, which, &e), &e, &gr.how)
					  : cli_oom();
out:
	groups_free(&gr);
	return ret;
}

int cli_timed_qdisc(const char *cmd, const char *nsname, const char *ifname,
		    const struct nn_qdisc_info *want, const char *dur, uint64_t for_ns, bool dry)
{
	struct cli_change how = { .dry_run = dry };
	struct nn_error e = { 0 };
	struct nn_lab *lab;

	(void)dur;
	if (!(lab = nn_lab_new(cmd)))
		return cli_oom();
	return apply_change(cmd, lab, nn_lab_add_timed_qdisc(lab, nsname, ifname, want, for_ns, &e), &e, &how);
}
