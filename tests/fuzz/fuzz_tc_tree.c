// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tc tree decoder (nn_tc_tree_decode: qdisc, class and filter dumps as
 * the kernel sends them).  The input is three dumps, each behind a 2-byte
 * little-endian length, each given in a heap block of exactly its length
 * so that ASan catches any read past it; the device is ifindex 3.  A
 * failure is -EPROTO, -EINVAL or -ENOMEM with a proper message.  A tree
 * that decodes as netnsctl's shape is, against itself, no step of the
 * diff, passes nn_tc_tree_check when its leaves do, and prints, formats
 * and re-diffs without a fault; every u32 node decodes without one too.
 */
#include <errno.h>

#include "fuzz.h"
#include "netnsctl/tc.h"
#include "kernel/tc/tree.h"

static void *piece(const uint8_t **data, size_t *size, size_t *len)
{
	size_t n;
	void *p;

	if (*size < 2) {
		*len = 0;
		return NULL;
	}
	n = (size_t)(*data)[0] | (size_t)(*data)[1] << 8;
	*data += 2;
	*size -= 2;
	if (n > *size)
		n = *size;
	p = malloc(n ? n : 1);
	if (!p)
		abort();
	memcpy(p, *data, n);
	*data += n;
	*size -= n;
	*len = n;
	return p;
}

static bool leaves_check(const struct nn_tc_tree *t)
{
	struct nn_error e;
	struct nn_tc_tree *c = malloc(sizeof(*c));
	bool ok;

	if (!c)
		abort();
	*c = *t;
	for (unsigned int i = 0; i < c->n_rules; i++)
		c->rules[i].slot = 0;
	ok = nn_tc_tree_check(c, &e) == 0;
	free(c);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nn_tc_tree t, copy, again;
	struct nn_tc_msgs q, c, f;
	struct nn_tc_diff d;
	struct nn_error e;
	size_t lq, lc, lf;
	void *bq = piece(&data, &size, &lq), *bc = piece(&data, &size, &lc), *bf = piece(&data, &size, &lf);
	FILE *null = fopen("/dev/null", "w");
	int ret;

	if (!null)
		abort();
	q = (struct nn_tc_msgs){ bq, lq };
	c = (struct nn_tc_msgs){ bc, lc };
	f = (struct nn_tc_msgs){ bf, lf };
	fuzz_error_poison(&e);
	ret = nn_tc_tree_decode(&t, 3, &q, &c, &f, &e);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EPROTO || ret == -EINVAL || ret == -ENOMEM, "decode: %d", ret);
		fuzz_check_error(&e, ret, NULL, "");
		goto out;
	}
	FUZZ_CHECK(ret == 0 || ret == 1, "decode: %d", ret);
	FUZZ_CHECK(memchr(t.other, '\0', sizeof(t.other)), "other not NUL-terminated");
	FUZZ_CHECK(t.n_rules <= NN_TC_MAX_RULES, "%u rules", t.n_rules);
	if (ret == 0)
		FUZZ_CHECK(nn_tc_tree_empty(&t) && !t.handle && !t.other[0], "no root, but a tree");
	nn_tc_tree_format(null, &t);
	nn_tc_tree_format_json(null, &t);
	if (t.other[0]) {
		FUZZ_CHECK(!t.n_rules && nn_tc_leaf_empty(&t.dflt), "an other tree with content");
		goto out;
	}
	/* A tree is what it is: against itself, at most its rules' filters
	 * move (to priorities 1, 2, ... where a dump had gaps). */
	copy = t;
	nn_tc_tree_diff(&copy, &t, &d);
	FUZZ_CHECK(!d.clear && !d.rebuild && !d.dflt,
		   "a tree differs from itself: clear %d rebuild %d (%s) default %d", d.clear, d.rebuild,
		   d.why, d.dflt);
	for (unsigned int i = 0; i < d.n; i++)
		FUZZ_CHECK(d.steps[i].op == NN_TC_RULE_MOVE, "step %u of a tree against itself: %d", i,
			   d.steps[i].op);
	for (unsigned int i = 0; i < t.n_rules; i++)
		FUZZ_CHECK(copy.rules[i].slot == t.rules[i].slot, "rule %u got another slot", i);
	if (leaves_check(&t) && t.handle) {
		nn_tc_print(null, "ns", "dev", &copy);
		again = copy;
		nn_tc_tree_diff(&again, &copy, &d);
		FUZZ_CHECK(nn_tc_diff_empty(&d), "a normalized tree differs from itself");
	}
out:
	fclose(null);
	free(bq);
	free(bc);
	free(bf);
	return 0;
}
