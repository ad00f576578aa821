// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * add-delay, set-rate, clear-qdisc as edits of the tc trees of one link
 * (issue #17; the kernel layer is tc.h and ifb.h, the design
 * docs/impairments.md).  For each direction asked: HAVE is the tree there
 * (egress: on the link; ingress: on the link's ifb, none yet: empty), WANT
 * is HAVE with the one leaf the command names changed (the default leaf,
 * or the rule with the selector given); nn_tc_tree_diff says what differs,
 * and the steps below make it so, each journalled where it makes an object
 * (the ifb: a link record with its MAC; the redirect: a filter record with
 * its action's cookie; a clsact netnsctl made: a clsact record), undone in
 * reverse when a later one fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/pkt_sched.h>
#include <net/ethernet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/ctx.h"
#include "netnsctl/ifb.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/owner.h"
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

/* One direction of the link. */
struct dir {
	bool ingress;
	const char *name;		/* "egress", "ingress" */
	int dev;			/* the tree's device: the link, or the ifb (0: not made yet) */
	struct nn_tc_tree have, want;
	struct nn_tc_diff d;
	bool have_ours;			/* HAVE is netnsctl's (egress: its root's proof) */
	/* ingress */
	char ifb[IFNAMSIZ];
	bool ifb_exists;
	uint8_t ifb_mac[6];
	struct nn_tc_ingress in;
	bool redirect_ok;		/* netnsctl's redirect to this ifb is there */
	bool redirect_ours;		/* a redirect of netnsctl's is there (any target) */
	uint64_t redirect_cookie;	/* ... with this cookie */
	bool clsact_ours;
};

enum sop { S_IFB_ADD, S_TREE_SET, S_TREE_SYNC, S_TREE_CLEAR, S_REDIR_ADD, S_REDIR_DEL, S_IFB_DEL,
	   S_CLSACT_DEL };

struct sstep {
	enum sop op;
	struct dir *dir;
	char *text;	/* one or more lines (a sync: one a rule) */
	bool done;
	bool made_clsact;
	uint64_t cookie;
};

struct edit {
	const char *cmd, *nsname, *ifname;
	struct nn_ctx *ctx;
	struct nn_ns *ns;
	struct nn_link_info li;
	uint64_t ns_cookie;
	struct nn_journal_entry *jv;
	size_t nj;
	struct dir dirs[2];
	unsigned int n_dirs;
	struct sstep steps[16];
	unsigned int n_steps;
};

static void print_lines(const char *prefix, const char *text);

static const char *where(const char *ns)
{
	return *ns ? ns : "the host";
}

static const struct nn_journal_entry *jfind(const struct edit *ed, enum nn_obj_kind kind,
					    const char *name)
{
	return nn_journal_find(ed->jv, ed->nj, kind, ed->nsname, name, ed->ns_cookie);
}

static void add_step(struct edit *ed, enum sop op, struct dir *d, char *text)
{
	struct sstep *s = &ed->steps[ed->n_steps++];

	memset(s, 0, sizeof(*s));
	s->op = op;
	s->dir = d;
	s->text = text;
}

/* "veth-a in sva (egress)", "ifb-veth-a in sva (the ingress of veth-a)" */
static void dev_words(FILE *f, const struct edit *ed, const struct dir *d)
{
	if (d->ingress)
		fprintf(f, "%s in %s (the ingress of %s)", d->ifb, where(ed->nsname), ed->ifname);
	else
		fprintf(f, "%s in %s (egress)", ed->ifname, where(ed->nsname));
}

static char *tree_set_text(const struct edit *ed, const struct dir *d)
{
	char *buf = NULL, m[512];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "set ");
	dev_words(f, ed, d);
	fprintf(f, ": ");
	if (!d->want.n_rules) {
		nn_tc_leaf_format(f, &d->want.dflt);
	} else {
		fprintf(f, "htb; default: ");
		nn_tc_leaf_format(f, &d->want.dflt);
		for (unsigned int i = 0; i < d->want.n_rules; i++) {
			fprintf(f, "; rule %u %s: ", i + 1,
				nn_tc_match_text(m, sizeof(m), &d->want.rules[i].match));
			nn_tc_leaf_format(f, &d->want.rules[i].leaf);
		}
	}
	fclose(f);
	return buf;
}

static char *tree_sync_text(const struct edit *ed, const struct dir *d)
{
	char *buf = NULL, m[512];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	if (!f)
		return NULL;
	if (d->d.dflt) {
		fprintf(f, "change ");
		dev_words(f, ed, d);
		fprintf(f, " default: ");
		nn_tc_leaf_format(f, &d->have.dflt);
		fprintf(f, " -> ");
		nn_tc_leaf_format(f, &d->want.dflt);
		first = false;
	}
	for (unsigned int i = 0; i < d->d.n; i++) {
		const struct nn_tc_step *s = &d->d.steps[i];
		const struct nn_tc_rule *w = s->want >= 0 ? &d->want.rules[s->want] : NULL;
		const struct nn_tc_rule *h = s->have >= 0 ? &d->have.rules[s->have] : NULL;

		fprintf(f, "%s", first ? "" : "\n");
		first = false;
		switch (s->op) {
		case NN_TC_RULE_ADD:
			fprintf(f, "add rule %u %s on ", w->prio, nn_tc_match_text(m, sizeof(m), &w->match));
			dev_words(f, ed, d);
			fprintf(f, ": ");
			nn_tc_leaf_format(f, &w->leaf);
			break;
		case NN_TC_RULE_DEL:
			fprintf(f, "remove rule %u %s from ", h->prio, nn_tc_match_text(m, sizeof(m), &h->match));
			dev_words(f, ed, d);
			break;
		case NN_TC_RULE_LEAF:
			fprintf(f, "change rule %u %s on ", w->prio, nn_tc_match_text(m, sizeof(m), &w->match));
			dev_words(f, ed, d);
			fprintf(f, ": ");
			nn_tc_leaf_format(f, &h->leaf);
			fprintf(f, " -> ");
			nn_tc_leaf_format(f, &w->leaf);
			break;
		case NN_TC_RULE_MOVE:
			fprintf(f, "move rule %s on ", nn_tc_match_text(m, sizeof(m), &w->match));
			dev_words(f, ed, d);
			fprintf(f, ": priority %u -> %u", h->prio, w->prio);
			break;
		}
	}
	fclose(f);
	return buf;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* WANT: BASE with the leaf R names changed.  0, or -errno with E. */
static int edit_tree(const struct tc_req *r, const struct nn_tc_tree *base, struct nn_tc_tree *want,
		     struct nn_error *e)
{
	struct nn_tc_leaf *leaf = NULL;
	unsigned int i;

	*want = *base;
	want->other[0] = 0;
	if (r->has_match) {
		for (i = 0; i < want->n_rules; i++)
			if (nn_tc_match_same(&want->rules[i].match, &r->match))
				break;
		if (r->what == TC_CLEAR) {
			if (i < want->n_rules) {
				memmove(&want->rules[i], &want->rules[i + 1],
					(want->n_rules - i - 1) * sizeof(want->rules[0]));
				want->n_rules--;
			}
			return 0;
		}
		if (i == want->n_rules) {
			if (want->n_rules >= NN_TC_MAX_RULES)
				return nn_error_setx(e, E2BIG, "too many rules: at most %d on one link and direction",
						     NN_TC_MAX_RULES);
			memset(&want->rules[i], 0, sizeof(want->rules[i]));
			want->rules[i].match = r->match;
			want->n_rules++;
		}
		leaf = &want->rules[i].leaf;
	} else {
		if (r->what == TC_CLEAR) {
			memset(want, 0, sizeof(*want));
			return 0;
		}
		leaf = &want->dflt;
	}
	if (r->what == TC_NETEM) {
		leaf->has_netem = true;
		leaf->netem = r->netem;
	} else {
		leaf->has_tbf = true;
		leaf->tbf = r->tbf;
	}
	return 0;
}

/* tbf drops every packet longer than its bucket (as plan_qdisc checks). */
static int check_bursts(const struct edit *ed, const struct nn_tc_tree *t, struct nn_error *e)
{
	uint32_t frame = ed->li.mtu + ETH_HLEN;

	for (unsigned int i = 0; i <= t->n_rules; i++) {
		const struct nn_tc_leaf *l = i < t->n_rules ? &t->rules[i].leaf : &t->dflt;

		if (l->has_tbf && l->tbf.burst && l->tbf.burst < frame)
			return nn_error_setx(e, EMSGSIZE,
					     "invalid burst of %u bytes: smaller than a full-size frame on %s in %s (MTU %u + %d bytes of header); at least %ub",
					     l->tbf.burst, ed->ifname, where(ed->nsname), ed->li.mtu,
					     ETH_HLEN, frame);
	}
	return 0;
}

static bool tree_uses(const struct nn_tc_tree *t, int kind)
{
	if (kind == 2)
		return t->n_rules > 0;
	for (unsigned int i = 0; i <= t->n_rules; i++) {
		const struct nn_tc_leaf *l = i < t->n_rules ? &t->rules[i].leaf : &t->dflt;

		if (kind == 0 ? l->has_netem : l->has_tbf)
			return true;
	}
	return false;
}

/* Observe the egress: HAVE, whose it is, the handle WANT gets.  Sets
 * *PLAIN when the request is one a single root qdisc serves as before. */
static int observe_egress(struct edit *ed, const struct tc_req *r, struct dir *d, bool *plain,
			  struct nn_error *e)
{
	const struct nn_journal_entry *j;
	struct nn_qdisc_info root;
	struct nn_tc_tree base;
	uint32_t handle = 0;
	int ret;

	d->dev = ed->li.ifindex;
	if ((ret = nn_tc_tree_get(ed->ns, d->dev, &d->have, e)) < 0)
		return ret;
	if ((ret = nn_qdisc_root(ed->ns, d->dev, &root, e)) < 0)
		return ret;
	j = jfind(ed, NN_OBJ_QDISC, ed->ifname);
	d->have_ours = ret == 1 && root.handle && j && nn_owner_qdisc(j, &ed->li, &root);
	*plain = !d->have_ours || d->have.other[0] || nn_tc_tree_empty(&d->have) || r->what == TC_CLEAR ||
		 (!d->have.n_rules && (r->what == TC_NETEM ? !d->have.dflt.has_tbf : !d->have.dflt.has_netem));
	memset(&base, 0, sizeof(base));
	if (d->have_ours && !d->have.other[0]) {
		base = d->have;
		handle = d->have.handle;
	} else if (d->have_ours) {
		handle = d->have.handle;
	} else {
		j = jfind(ed, NN_OBJ_LINK, ed->ifname);
		if (j && nn_owner_link(j, &ed->li))
			handle = NN_QDISC_HANDLE;
		else if (nn_qdisc_free_handle(ed->ns, d->dev, &handle, e) < 0)
			return -e->code;
	}
	/* clear-qdisc without a selector takes any root (as before); with
	 * one it edits only netnsctl's tree. */
	if ((ret = edit_tree(r, &base, &d->want, e)) < 0)
		return ret;
	d->want.handle = nn_tc_tree_empty(&d->want) ? 0 : TC_H_MAJ(handle);
	return 0;
}

static int observe_ingress(struct edit *ed, const struct tc_req *r, struct dir *d, struct nn_error *e)
{
	const struct nn_journal_entry *j;
	struct nn_link_info fb;
	struct nn_tc_tree base;
	int ret;

	nn_ifb_name(ed->ifname, d->ifb);
	if ((ret = nn_link_find(ed->ns, d->ifb, &fb, e)) < 0)
		return ret;
	memset(&base, 0, sizeof(base));
	if (ret == 1) {
		j = jfind(ed, NN_OBJ_LINK, d->ifb);
		if (!j || !nn_owner_link(j, &fb))
			return nn_error_setx(e, EEXIST,
					     "interface \"%s\" in %s is not netnsctl's: it cannot carry the ingress impairments of %s",
					     d->ifb, where(ed->nsname), ed->ifname);
		d->ifb_exists = true;
		d->dev = fb.ifindex;
		memcpy(d->ifb_mac, fb.mac, 6);
		if ((ret = nn_tc_tree_get(ed->ns, d->dev, &d->have, e)) < 0)
			return ret;
		d->have_ours = true;	/* the ifb is netnsctl's: so is all on it */
		if (!d->have.other[0])
			base = d->have;
	}
	if (nn_tc_ingress_get(ed->ns, ed->li.ifindex, &d->in, e) < 0)
		return -e->code;
	j = jfind(ed, NN_OBJ_FILTER, ed->ifname);
	if (j && nn_owner_filter(j, &ed->li, &d->in)) {
		uint64_t c = j->id ? j->proof.value : j->intent.value;

		d->redirect_ours = true;
		d->redirect_cookie = c;
		for (unsigned int i = 0; i < d->in.n_redirects && i < NN_TC_MAX_REDIRECTS; i++)
			if (d->in.redirects[i].cookie == c && d->ifb_exists &&
			    d->in.redirects[i].ifindex == d->dev)
				d->redirect_ok = true;
	}
	j = jfind(ed, NN_OBJ_CLSACT, ed->ifname);
	d->clsact_ours = j && nn_owner_clsact(j, &ed->li, &d->in);
	if ((ret = edit_tree(r, &base, &d->want, e)) < 0)
		return ret;
	d->want.handle = nn_tc_tree_empty(&d->want) ? 0 : NN_QDISC_HANDLE;
	return 0;
}

/* The steps of D, after WANT is checked. */
static int plan_dir(struct edit *ed, struct dir *d, const struct tc_req *r)
{
	bool empty = nn_tc_tree_empty(&d->want);
	char *t;

	nn_tc_tree_diff(&d->want, &d->have, &d->d);
	if (!d->ingress) {
		if (empty) {
			/* clear-qdisc: any root without a selector (as before);
			 * netnsctl's tree only with one. */
			if (!nn_tc_tree_empty(&d->have) && (d->have_ours || !r->has_match)) {
				t = fmt("clear %s in %s (egress)", ed->ifname, where(ed->nsname));
				add_step(ed, S_TREE_CLEAR, d, t);
			}
			return 0;
		}
		if (!d->have_ours || d->d.rebuild || nn_tc_tree_empty(&d->have))
			add_step(ed, S_TREE_SET, d, tree_set_text(ed, d));
		else if (!nn_tc_diff_empty(&d->d))
			add_step(ed, S_TREE_SYNC, d, tree_sync_text(ed, d));
		return 0;
	}
	if (empty) {
		if (d->redirect_ours)
			add_step(ed, S_REDIR_DEL, d,
				 fmt("remove the redirect of %s's ingress in %s", ed->ifname, where(ed->nsname)));
		if (d->ifb_exists)
			add_step(ed, S_IFB_DEL, d, fmt("delete %s in %s", d->ifb, where(ed->nsname)));
		if (d->clsact_ours)
			add_step(ed, S_CLSACT_DEL, d,
				 fmt("delete the clsact qdisc of %s in %s (when nothing else uses it)", ed->ifname,
				     where(ed->nsname)));
		return 0;
	}
	if (!d->ifb_exists) {
		add_step(ed, S_IFB_ADD, d,
			 fmt("create ifb %s for the ingress of %s in %s", d->ifb, ed->ifname, where(ed->nsname)));
		add_step(ed, S_TREE_SET, d, tree_set_text(ed, d));
	} else if (d->d.rebuild || nn_tc_tree_empty(&d->have)) {
		add_step(ed, S_TREE_SET, d, tree_set_text(ed, d));
	} else if (!nn_tc_diff_empty(&d->d)) {
		add_step(ed, S_TREE_SYNC, d, tree_sync_text(ed, d));
	}
	/* The redirect last: the ifb's tree is there before traffic is. */
	if (!d->redirect_ok)
		add_step(ed, S_REDIR_ADD, d,
			 fmt("redirect the ingress of %s in %s to %s", ed->ifname, where(ed->nsname), d->ifb));
	return 0;
}

static const char *owner_of(const struct edit *ed)
{
	return ed->cmd;
}

static int run_step(struct edit *ed, struct sstep *s, struct nn_error *e)
{
	struct nn_error ignored = { 0 };
	struct dir *d = s->dir;
	struct nn_proof proof;
	uint8_t mac[6];
	int ret;

	switch (s->op) {
	case S_IFB_ADD:
		nn_link_random_mac(mac);
		nn_proof_mac(&proof, mac);
		if (nn_journal_intent(ed->ctx, NN_OBJ_LINK, ed->nsname, d->ifb, owner_of(ed), &proof, e) < 0)
			return -e->code;
		ret = nn_ifb_add(ed->ns, d->ifb, mac, ed->li.mtu, e);
		if (ret < 0) {
			nn_journal_retract(ed->ctx, NN_OBJ_LINK, ed->nsname, d->ifb, &ignored);
			return ret;
		}
		d->dev = ret;
		memcpy(d->ifb_mac, mac, 6);
		s->done = true;
		return nn_journal_made(ed->ctx, NN_OBJ_LINK, ed->nsname, d->ifb, (uint64_t)ret, owner_of(ed),
				       &proof, e);
	case S_TREE_SET:
		if (!d->ingress) {
			nn_proof_qdisc(&proof, d->want.handle, d->dev);
			if (nn_journal_intent(ed->ctx, NN_OBJ_QDISC, ed->nsname, ed->ifname, owner_of(ed),
					      &proof, e) < 0)
				return -e->code;
		}
		if ((ret = nn_tc_tree_set(ed->ns, d->dev, &d->want, e)) < 0) {
			if (!d->ingress)
				nn_journal_retract(ed->ctx, NN_OBJ_QDISC, ed->nsname, ed->ifname, &ignored);
			return ret;
		}
		s->done = true;
		if (!d->ingress)
			return nn_journal_made(ed->ctx, NN_OBJ_QDISC, ed->nsname, ed->ifname,
					       (uint64_t)d->dev, owner_of(ed), &proof, e);
		return 0;
	case S_TREE_SYNC:
		if ((ret = nn_tc_tree_sync(ed->ns, d->dev, &d->want, &d->have, &d->d, e)) < 0)
			return ret;
		s->done = true;
		return 0;
	case S_TREE_CLEAR:
		if ((ret = nn_tc_tree_clear(ed->ns, d->dev, e)) < 0)
			return ret;
		s->done = true;
		if (jfind(ed, NN_OBJ_QDISC, ed->ifname))
			return nn_journal_gone(ed->ctx, NN_OBJ_QDISC, ed->nsname, ed->ifname, e);
		return 0;
	case S_REDIR_ADD: {
		bool clsact_intent = !d->in.qdisc[0];
		struct nn_proof cp;

		/* A redirect of netnsctl's to an ifb made again: the old one
		 * (to no device, which drops) goes first. */
		if (d->redirect_ours && nn_tc_ingress_redirect_del(ed->ns, ed->li.ifindex, d->redirect_cookie, e) < 0)
			return -e->code;
		s->cookie = nn_tc_cookie_new();
		nn_proof_cookie(&proof, s->cookie);
		memset(&cp, 0, sizeof(cp));
		cp.set = true;
		cp.value = (uint64_t)ed->li.ifindex;
		cp.ifindex = ed->li.ifindex;
		if ((clsact_intent &&
		     nn_journal_intent_unsynced(ed->ctx, NN_OBJ_CLSACT, ed->nsname, ed->ifname, owner_of(ed),
						&cp, e) < 0) ||
		    nn_journal_intent(ed->ctx, NN_OBJ_FILTER, ed->nsname, ed->ifname, owner_of(ed), &proof,
				      e) < 0)
			return -e->code;
		ret = nn_tc_ingress_redirect_add(ed->ns, ed->li.ifindex, d->dev, s->cookie, e);
		if (ret < 0) {
			nn_journal_retract(ed->ctx, NN_OBJ_FILTER, ed->nsname, ed->ifname, &ignored);
			if (clsact_intent)
				nn_journal_retract(ed->ctx, NN_OBJ_CLSACT, ed->nsname, ed->ifname, &ignored);
			return ret;
		}
		s->done = true;
		s->made_clsact = ret == 1;
		if (nn_journal_made(ed->ctx, NN_OBJ_FILTER, ed->nsname, ed->ifname, (uint64_t)ed->li.ifindex,
				    owner_of(ed), &proof, e) < 0)
			return -e->code;
		if (s->made_clsact)
			return nn_journal_made(ed->ctx, NN_OBJ_CLSACT, ed->nsname, ed->ifname,
					       (uint64_t)ed->li.ifindex, owner_of(ed), &cp, e);
		if (clsact_intent)
			nn_journal_retract(ed->ctx, NN_OBJ_CLSACT, ed->nsname, ed->ifname, &ignored);
		return 0;
	}
	case S_REDIR_DEL:
		if (nn_tc_ingress_redirect_del(ed->ns, ed->li.ifindex, d->redirect_cookie, e) < 0)
			return -e->code;
		s->done = true;
		return nn_journal_gone(ed->ctx, NN_OBJ_FILTER, ed->nsname, ed->ifname, e);
	case S_IFB_DEL:
		if (nn_link_del(ed->ns, d->dev, e) < 0)
			return -e->code;
		s->done = true;
		return nn_journal_gone(ed->ctx, NN_OBJ_LINK, ed->nsname, d->ifb, e);
	case S_CLSACT_DEL:
		if ((ret = nn_tc_ingress_clsact_del(ed->ns, ed->li.ifindex, e)) < 0)
			return ret;
		s->done = true;
		/* Kept (someone's filter is on it): it stays on the record. */
		return ret == 1 ? nn_journal_gone(ed->ctx, NN_OBJ_CLSACT, ed->nsname, ed->ifname, e) : 0;
	}
	return 0;
}

/* Put back what S did (best effort; a failure is a warning). */
static void undo_step(struct edit *ed, struct sstep *s)
{
	struct nn_error e = { 0 };
	struct dir *d = s->dir;
	struct nn_tc_tree back, now;
	struct nn_tc_diff bd;
	struct nn_proof proof;
	int ret = 0;

	switch (s->op) {
	case S_IFB_ADD:
		if ((ret = nn_link_del(ed->ns, d->dev, &e)) == 0)
			nn_journal_gone(ed->ctx, NN_OBJ_LINK, ed->nsname, d->ifb, &e);
		break;
	case S_TREE_SET:
	case S_TREE_CLEAR:
		if (d->have_ours && !d->have.other[0] && !nn_tc_tree_empty(&d->have)) {
			back = d->have;
			ret = nn_tc_tree_set(ed->ns, d->dev, &back, &e);
			if (ret == 0 && !d->ingress) {
				nn_proof_qdisc(&proof, back.handle, d->dev);
				nn_journal_made(ed->ctx, NN_OBJ_QDISC, ed->nsname, ed->ifname, (uint64_t)d->dev,
						owner_of(ed), &proof, &e);
			}
		} else if (s->op == S_TREE_SET) {
			/* (an admin's root replaced cannot be put back as it was) */
			ret = nn_tc_tree_clear(ed->ns, d->dev, &e);
			if (ret >= 0 && !d->ingress)
				nn_journal_gone(ed->ctx, NN_OBJ_QDISC, ed->nsname, ed->ifname, &e);
		}
		break;
	case S_TREE_SYNC:
		back = d->have;
		now = d->want;
		nn_tc_tree_diff(&back, &now, &bd);
		ret = nn_tc_tree_sync(ed->ns, d->dev, &back, &now, &bd, &e);
		break;
	case S_REDIR_ADD:
		ret = nn_tc_ingress_redirect_del(ed->ns, ed->li.ifindex, s->cookie, &e);
		if (ret >= 0)
			nn_journal_gone(ed->ctx, NN_OBJ_FILTER, ed->nsname, ed->ifname, &e);
		if (ret >= 0 && s->made_clsact && nn_tc_ingress_clsact_del(ed->ns, ed->li.ifindex, &e) == 1)
			nn_journal_gone(ed->ctx, NN_OBJ_CLSACT, ed->nsname, ed->ifname, &e);
		break;
	default:
		/* Removals are the last steps and are not made again. */
		return;
	}
	if (ret < 0)
		fprintf(stderr, "netnsctl: warning: could not roll back \"%s\": %s\n", s->text, e.msg);
	else
		print_lines("rolled back: ", s->text);
}

/* TEXT's lines (a sync step has one a rule), each after PREFIX. */
static void print_lines(const char *prefix, const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		cli_line("%s%.*s", prefix, nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	}
}

static void print_tc(const struct edit *ed)
{
	for (unsigned int i = 0; i < ed->n_dirs; i++) {
		const struct dir *d = &ed->dirs[i];

		if (nn_tc_tree_empty(&d->want)) {
			printf("# no impairment on %s (%s)\n", ed->ifname, d->name);
			continue;
		}
		if (!d->ingress) {
			nn_tc_print(stdout, ed->nsname, ed->ifname, &d->want);
		} else {
			uint8_t mac[6];

			memcpy(mac, d->ifb_mac, 6);
			if (!d->ifb_exists)
				nn_link_random_mac(mac);
			nn_tc_print_ingress(stdout, ed->nsname, ed->ifname, d->ifb, mac, ed->li.mtu,
					    !d->in.qdisc[0] || d->clsact_ours,
					    d->redirect_ours ? d->redirect_cookie : nn_tc_cookie_new(), &d->want);
		}
	}
}

/* The kinds the changed trees use, asked before the first step. */
static int probe_kinds(struct edit *ed, struct nn_error *e)
{
	static const char *const kinds[3] = { "netem", "tbf", "htb" };
	struct nn_ns *host;

	for (int k = 0; k < 3; k++) {
		bool need = false;

		for (unsigned int i = 0; i < ed->n_steps; i++) {
			const struct sstep *s = &ed->steps[i];

			if (s->op == S_TREE_SET || s->op == S_TREE_SYNC)
				need |= tree_uses(&s->dir->want, k);
		}
		if (!need)
			continue;
		if (nn_ctx_ns(ed->ctx, "", &host, e) < 0)
			return -e->code;
		int ret = nn_tc_kind_probe(host, kinds[k], e);

		if (ret <= 0)
			return ret < 0 ? ret : -e->code;
	}
	return 0;
}

int tc_edit(const char *cmd, struct tc_req *r, const char *nsname, const char *ifname, bool dry,
	    bool json, bool *legacy)
{
	struct nn_error e = { 0 };
	struct edit *ed;
	bool plain = false;
	int ret = EXIT_OK;
	unsigned int i;

	*legacy = false;
	if (!r->dirs)
		r->dirs = TC_EGRESS;
	/* "" is the host, as for the one root qdisc (nn_lab_add_qdisc).
	 * --port with icmp and the like: nn_tc_tree_check below names the rule. */
	if ((*nsname && nn_check_netns_name(nsname, &e) < 0) || nn_check_ifname(ifname, &e) < 0)
		return cli_input_error(&e);
	if ((ret = cli_check_privileges(cmd)))
		return ret;
	if (!(ed = calloc(1, sizeof(*ed))))
		return cli_oom();
	ed->cmd = cmd;
	ed->nsname = nsname;
	ed->ifname = ifname;
	if (!(ed->ctx = cli_ctx())) {
		free(ed);
		return EXIT_FAIL;
	}
	if (nn_state_lock(ed->ctx, &e) < 0 || nn_ctx_ns(ed->ctx, nsname, &ed->ns, &e) < 0 ||
	    nn_link_get(ed->ns, ifname, &ed->li, &e) < 0 || nn_ns_cookie(ed->ns, &ed->ns_cookie, &e) < 0 ||
	    nn_journal_owned(ed->ctx, &ed->jv, &ed->nj, &e) < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	if (r->dirs & TC_EGRESS) {
		struct dir *d = &ed->dirs[ed->n_dirs++];

		d->name = "egress";
		if (observe_egress(ed, r, d, &plain, &e) < 0) {
			ret = cli_fail(&e);
			goto out;
		}
		if (plain && r->dirs == TC_EGRESS && !r->has_match && !r->print_tc) {
			*legacy = true;
			goto out;
		}
	}
	if (json) {
		ret = cli_usage_error("%s: --json is for a change of one egress root qdisc; a tree's steps (--direction, selectors, netem and tbf stacked) print as text",
				      cmd);
		goto out;
	}
	if (r->dirs & TC_INGRESS) {
		struct dir *d = &ed->dirs[ed->n_dirs++];

		d->name = "ingress";
		d->ingress = true;
		if (observe_ingress(ed, r, d, &e) < 0) {
			ret = cli_plan_error(&e);
			goto out;
		}
	}
	for (i = 0; i < ed->n_dirs; i++) {
		struct dir *d = &ed->dirs[i];

		if (!nn_tc_tree_empty(&d->want) &&
		    (nn_tc_tree_check(&d->want, &e) < 0 || check_bursts(ed, &d->want, &e) < 0)) {
			ret = cli_input_error(&e);
			goto out;
		}
		plan_dir(ed, d, r);
	}
	for (i = 0; i < ed->n_steps; i++)
		if (!ed->steps[i].text) {
			ret = cli_oom();
			goto out;
		}
	if (r->print_tc) {
		print_tc(ed);
		goto out;
	}
	if (!ed->n_steps) {
		printf("unchanged\n");
		goto out;
	}
	if (probe_kinds(ed, &e) < 0) {
		ret = cli_fail(&e);
		goto out;
	}
	if (dry) {
		for (i = 0; i < ed->n_steps; i++)
			print_lines("would ", ed->steps[i].text);
		goto out;
	}
	cli_catch_signals();
	for (i = 0; i < ed->n_steps; i++) {
		if (nn_plan_cancelled()) {
			nn_error_setx(&e, ECANCELED, "interrupted by signal %d", nn_plan_cancelled());
			break;
		}
		if (run_step(ed, &ed->steps[i], &e) < 0)
			break;
		print_lines("", ed->steps[i].text);
		fflush(stdout);
	}
	if (i < ed->n_steps) {
		/* A failed step undid its own part; the ones before go back. */
		for (unsigned int k = i + 1; k-- > 0;)
			if (ed->steps[k].done)
				undo_step(ed, &ed->steps[k]);
		ret = cli_fail_or_signal(&e);
		goto out;
	}
	if (nn_journal_sync(ed->ctx, &e) < 0)
		ret = cli_fail(&e);
out:
	for (i = 0; i < ed->n_steps; i++)
		free(ed->steps[i].text);
	free(ed->jv);
	nn_ctx_free(ed->ctx);
	free(ed);
	return ret;
}
