// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nn-tctool: the kernel layer of impairment trees (include/netnsctl/tc.h,
 * ifb.h) driven without the planner, for the integration tests
 * (t-tc-tree.sh, f-tc-tree.sh).  Not installed.
 *
 *   nn-tctool set   NS DEV SPEC...   make the tree anew (nn_tc_tree_set)
 *   nn-tctool sync  NS DEV SPEC...   read, diff, apply (prints the steps)
 *   nn-tctool diff  NS DEV SPEC...   read and diff only (prints the steps)
 *   nn-tctool print NS DEV SPEC...   the tc commands (--print-tc)
 *   nn-tctool show  NS DEV [json]    the tree as read back
 *   nn-tctool clear NS DEV
 *   nn-tctool ingress NS LINK SPEC...    ifb + clsact + redirect + tree on
 *                        the ifb; prints "IFB MAC COOKIE MADE_CLSACT"
 *   nn-tctool print-ingress NS LINK SPEC...
 *   nn-tctool unimpair NS LINK IFB MAC COOKIE MADE_CLSACT
 *                        redirect, ifb (if it bears MAC), clsact (if made)
 *   nn-tctool ingress-show NS LINK
 *
 * NS "-" is the namespace the tool runs in.  SPEC: leaf words apply to the
 * default until "rule" starts a rule: "handle H" (hex major),
 * netem: "delay T" "jitter T" "loss P" "netem-rate R" "limit N",
 * tbf: "rate R" "burst S" "tbf-limit S" "latency T",
 * selectors: "to CIDR" "port N" "proto tcp|udp|icmp".
 * Exit: 0 ok, 1 kernel error, 2 bad SPEC.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/ifb.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/tc.h"
#include "netnsctl/units.h"

static int usage(void)
{
	fputs("usage: nn-tctool set|sync|diff|print|show|clear|ingress|print-ingress|unimpair|ingress-show NS DEV ...\n",
	      stderr);
	return 2;
}

static int fail(const struct nn_error *e)
{
	fprintf(stderr, "nn-tctool: %s\n", e->msg);
	return 1;
}

static int bad(const struct nn_error *e)
{
	fprintf(stderr, "nn-tctool: %s\n", e->msg);
	return 2;
}

static int parse_spec(int argc, char **argv, struct nn_tc_tree *t, struct nn_error *e)
{
	struct nn_tc_leaf *leaf = &t->dflt;
	struct nn_tc_match *m = NULL;

	memset(t, 0, sizeof(*t));
	t->handle = NN_QDISC_HANDLE;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t u;
		int r = 0;

		if (!strcmp(w, "rule")) {
			if (t->n_rules == NN_TC_MAX_RULES)
				return nn_error_setx(e, E2BIG, "too many rules");
			leaf = &t->rules[t->n_rules].leaf;
			m = &t->rules[t->n_rules].match;
			t->n_rules++;
			continue;
		}
		if (!v)
			return nn_error_setx(e, EINVAL, "\"%s\" needs a value", w);
		i++;
		if (!strcmp(w, "handle")) {
			t->handle = (uint32_t)strtoul(v, NULL, 16) << 16;
		} else if (!strcmp(w, "delay")) {
			leaf->has_netem = true;
			r = nn_parse_time(v, "delay", &leaf->netem.delay_ns, e);
		} else if (!strcmp(w, "jitter")) {
			leaf->has_netem = true;
			r = nn_parse_time(v, "jitter", &leaf->netem.jitter_ns, e);
		} else if (!strcmp(w, "loss")) {
			leaf->has_netem = true;
			r = nn_parse_percent(v, "loss", &leaf->netem.loss, e);
		} else if (!strcmp(w, "netem-rate")) {
			leaf->has_netem = true;
			r = nn_parse_rate(v, "rate", &leaf->netem.rate, e);
		} else if (!strcmp(w, "limit")) {
			leaf->has_netem = true;
			r = nn_parse_uint(v, "limit", 1, UINT32_MAX, &u, e);
			leaf->netem.limit = (uint32_t)u;
		} else if (!strcmp(w, "rate")) {
			leaf->has_tbf = true;
			r = nn_parse_rate(v, "rate", &leaf->tbf.rate, e);
		} else if (!strcmp(w, "burst")) {
			leaf->has_tbf = true;
			r = nn_parse_size(v, "burst", &leaf->tbf.burst, e);
		} else if (!strcmp(w, "tbf-limit")) {
			leaf->has_tbf = true;
			r = nn_parse_size(v, "limit", &leaf->tbf.limit, e);
		} else if (!strcmp(w, "latency")) {
			leaf->has_tbf = true;
			r = nn_parse_time(v, "latency", &leaf->tbf.latency_ns, e);
		} else if (m && !strcmp(w, "to")) {
			r = nn_tc_match_add_to(m, v, e);
		} else if (m && !strcmp(w, "port")) {
			r = nn_tc_match_add_port(m, v, e);
		} else if (m && !strcmp(w, "proto")) {
			r = nn_tc_match_add_proto(m, v, e);
		} else {
			return nn_error_setx(e, EINVAL, "unknown word \"%s\"", w);
		}
		if (r < 0)
			return r;
	}
	return nn_tc_tree_check(t, e);
}

static void print_diff(const struct nn_tc_tree *want, const struct nn_tc_tree *have,
		       const struct nn_tc_diff *d)
{
	static const char *const ops[] = { "add", "del", "leaf", "move" };
	char m[512];

	if (nn_tc_diff_empty(d)) {
		puts("unchanged");
		return;
	}
	if (d->clear)
		puts("clear");
	if (d->rebuild)
		printf("rebuild: %s\n", d->why);
	if (d->dflt)
		puts("default");
	for (unsigned int i = 0; i < d->n; i++) {
		const struct nn_tc_step *s = &d->steps[i];
		const struct nn_tc_rule *r = s->want >= 0 ? &want->rules[s->want] : &have->rules[s->have];

		printf("%s %x %s\n", ops[s->op], r->slot,
		       nn_tc_match_text(m, sizeof(m), &r->match));
	}
}

static int dev_index(struct nn_ns *ns, const char *dev, struct nn_link_info *l, struct nn_error *e)
{
	return nn_link_get(ns, dev, l, e);
}

static struct nn_ctx *ctx;

static int run(int argc, char **argv)
{
	static struct nn_tc_tree want, have;
	struct nn_error e = { 0 };
	struct nn_ns *ns;
	struct nn_link_info l;
	struct nn_tc_diff d;
	const char *cmd, *nsname, *dev;
	int ret;

	if (argc < 4)
		return usage();
	cmd = argv[1];
	nsname = strcmp(argv[2], "-") ? argv[2] : "";
	dev = argv[3];
	if (!strcmp(cmd, "set") || !strcmp(cmd, "sync") || !strcmp(cmd, "diff") ||
	    !strcmp(cmd, "print") || !strcmp(cmd, "ingress") || !strcmp(cmd, "print-ingress")) {
		if (parse_spec(argc - 4, argv + 4, &want, &e) < 0)
			return bad(&e);
	}
	if (!strcmp(cmd, "print")) {
		nn_tc_tree_diff(&want, &have, &d);	/* slots, from an empty tree */
		nn_tc_print(stdout, nsname, dev, &want);
		return 0;
	}
	if (!strcmp(cmd, "print-ingress")) {
		char ifb[IFNAMSIZ];
		const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };

		nn_tc_tree_diff(&want, &have, &d);
		nn_ifb_name(dev, ifb);
		nn_tc_print_ingress(stdout, nsname, dev, ifb, mac, 1500, true, 0x0123456789abcdefULL, &want);
		return 0;
	}
	if (nn_ctx_new(&ctx, NULL, &e) < 0 || nn_ctx_ns(ctx, nsname, &ns, &e) < 0)
		return fail(&e);
	if (dev_index(ns, dev, &l, &e) < 0)
		return fail(&e);

	if (!strcmp(cmd, "set")) {
		nn_tc_tree_diff(&want, &have, &d);
		ret = nn_tc_tree_set(ns, l.ifindex, &want, &e);
	} else if (!strcmp(cmd, "sync") || !strcmp(cmd, "diff")) {
		ret = nn_tc_tree_get(ns, l.ifindex, &have, &e);
		if (ret < 0)
			return fail(&e);
		nn_tc_tree_diff(&want, &have, &d);
		print_diff(&want, &have, &d);
		ret = !strcmp(cmd, "diff") ? 0 : nn_tc_tree_sync(ns, l.ifindex, &want, &have, &d, &e);
	} else if (!strcmp(cmd, "show")) {
		ret = nn_tc_tree_get(ns, l.ifindex, &have, &e);
		if (ret >= 0) {
			if (argc > 4 && !strcmp(argv[4], "json")) {
				nn_tc_tree_format_json(stdout, &have);
				putchar('\n');
			} else {
				nn_tc_tree_format(stdout, &have);
			}
		}
	} else if (!strcmp(cmd, "clear")) {
		ret = nn_tc_tree_clear(ns, l.ifindex, &e);
	} else if (!strcmp(cmd, "ingress")) {
		char ifb[IFNAMSIZ];
		uint8_t mac[6];
		/* tc-capture.sh wants a known one */
		uint64_t cookie = getenv("NN_TCTOOL_COOKIE") ?
				  strtoull(getenv("NN_TCTOOL_COOKIE"), NULL, 16) : nn_tc_cookie_new();
		int ifb_index, made;

		nn_ifb_name(dev, ifb);
		nn_link_random_mac(mac);
		ifb_index = nn_ifb_add(ns, ifb, mac, l.mtu, &e);
		if (ifb_index < 0)
			return fail(&e);
		made = nn_tc_ingress_redirect_add(ns, l.ifindex, ifb_index, cookie, &e);
		if (made < 0) {
			struct nn_error ignored = { 0 };

			nn_link_del(ns, ifb_index, &ignored);
			return fail(&e);
		}
		nn_tc_tree_diff(&want, &have, &d);
		ret = nn_tc_tree_set(ns, ifb_index, &want, &e);
		if (ret < 0) {
			struct nn_error ignored = { 0 };

			nn_tc_ingress_redirect_del(ns, l.ifindex, cookie, &ignored);
			if (made)
				nn_tc_ingress_clsact_del(ns, l.ifindex, &ignored);
			nn_link_del(ns, ifb_index, &ignored);
			return fail(&e);
		}
		printf("%s %02x:%02x:%02x:%02x:%02x:%02x %016" PRIx64 " %d\n", ifb, mac[0], mac[1], mac[2],
		       mac[3], mac[4], mac[5], cookie, made);
	} else if (!strcmp(cmd, "unimpair")) {
		struct nn_link_info fb;
		uint8_t mac[6];
		uint64_t cookie;
		int found, n;

		if (argc != 8)
			return usage();
		if (nn_parse_mac(argv[5], mac, &e) < 0)
			return bad(&e);
		cookie = strtoull(argv[6], NULL, 16);
		/* The redirect first: one left without its ifb drops what it takes. */
		n = nn_tc_ingress_redirect_del(ns, l.ifindex, cookie, &e);
		if (n < 0)
			return fail(&e);
		printf("redirects removed: %d\n", n);
		found = nn_link_find(ns, argv[4], &fb, &e);
		if (found < 0)
			return fail(&e);
		if (found && !memcmp(fb.mac, mac, 6)) {
			if (nn_link_del(ns, fb.ifindex, &e) < 0)
				return fail(&e);
			puts("ifb removed");
		} else if (found) {
			puts("ifb not ours: left");
		}
		ret = 0;
		if (!strcmp(argv[7], "1")) {
			ret = nn_tc_ingress_clsact_del(ns, l.ifindex, &e);
			if (ret >= 0)
				printf("clsact removed: %d\n", ret);
		}
	} else if (!strcmp(cmd, "ingress-show")) {
		struct nn_tc_ingress in;

		ret = nn_tc_ingress_get(ns, l.ifindex, &in, &e);
		if (ret == 0) {
			printf("qdisc %s filters %u redirects %u\n", in.qdisc[0] ? in.qdisc : "none",
			       in.n_filters, in.n_redirects);
			for (unsigned int i = 0; i < in.n_redirects; i++)
				printf("redirect prio %u handle %x to %d cookie %016" PRIx64 "\n",
				       in.redirects[i].prio, in.redirects[i].handle, in.redirects[i].ifindex,
				       in.redirects[i].cookie);
		}
	} else {
		return usage();
	}
	if (ret < 0)
		return fail(&e);
	return 0;
}

int main(int argc, char **argv)
{
	int ret = run(argc, argv);

	if (ctx)
		nn_ctx_free(ctx);
	return ret;
}
