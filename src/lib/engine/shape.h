/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_ENGINE_SHAPE_H
#define NETNSCTL_ENGINE_SHAPE_H

/*
 * The shape of a lab (struct nn_lab): what it wants, as bytes, with its
 * root qdiscs apart.  Two labs want the same but for their roots' qdiscs
 * exactly when their bodies are equal.  labrun.c records the shape of the
 * lab it applied; a re-apply whose lab differs from it in root qdiscs only
 * observes and plans those (nn_lab.narrow), with no need to parse the
 * applied lab file again.  Internal, like spec.h.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/spec.h"

#define NN_SHAPE_WANT_WORDS 16

/* One link's root qdisc, as the lab asks for it. */
struct nn_shape_root {
	char ns[NSNAME_MAX];
	char ifname[IFNAMSIZ];
	uint64_t want[NN_SHAPE_WANT_WORDS];	/* the kind, then its fields */
};

struct nn_lab_shape {
	/* Never narrowed: a lab that deletes, has tc trees, prunes every
	 * owner, or sets one link's root twice. */
	bool whole;
	uint8_t *body;		/* everything but the roots' qdiscs */
	size_t body_len;
	struct nn_shape_root *roots;
	size_t n_roots;
};

/* LAB's shape into *OUT (freed with nn_lab_shape_free()); -ENOMEM. */
int nn_lab_shape_make(const struct nn_lab *lab, struct nn_lab_shape *out);
void nn_lab_shape_free(struct nn_lab_shape *s);

/* S as the bytes of a record file (*BUF malloc()ed); -ENOMEM. */
int nn_lab_shape_encode(const struct nn_lab_shape *s, char **buf, size_t *len);
/* A record file's bytes back into *OUT; -EINVAL when they are not one
 * (torn, or of another version), -ENOMEM. */
int nn_lab_shape_decode(const char *buf, size_t len, struct nn_lab_shape *out);

/*
 * AFTER wants what BEFORE did but for root qdiscs: it sets a root on every
 * link BEFORE did (changed or not, in any order), maybe on more, and some
 * qdisc differs.  A root no longer set is a prune, which only the whole
 * lab's plan does.
 */
bool nn_lab_shape_narrows(const struct nn_lab_shape *before, const struct nn_lab_shape *after);

/* nn_lab_shape_narrows() of A's and B's shapes (false when out of memory). */
bool nn_lab_differs_in_qdiscs_only(const struct nn_lab *a, const struct nn_lab *b);

#endif
