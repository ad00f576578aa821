/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_HASH_H
#define NETNSCTL_HASH_H

/*
 * A small string map: open addressing, linear probing, at most half full.
 * For the name lookups that were linear searches (namespace handles, a
 * snapshot's namespaces and links, a spec's names, the journal's objects),
 * which made a lab of N objects cost N² string compares.
 *
 * Keys are copied in; values are the caller's (NULL is a value like any
 * other: nn_hash_find tells it from a missing key).  A key of several parts
 * is one string with the parts joined by a byte none of the earlier parts
 * can hold: '/' for namespace and interface names (the kernel refuses it in
 * both), and the one part that may hold anything last.
 *
 *   struct nn_hash h = NN_HASH_INIT;
 *   nn_hash_put(&h, "sva", ns);          0, or -ENOMEM
 *   ns = nn_hash_get(&h, "sva");         NULL when absent
 *   nn_hash_del(&h, "sva");
 *   for (size_t i = 0; nn_hash_next(&h, &i, &key, &value);) ...
 *   nn_hash_free(&h);
 *
 * Not for concurrent use: a caller that shares one between threads locks it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nn_hash_slot {
	char *key;		/* NULL: free */
	uint64_t hash;
	void *value;
};

struct nn_hash {
	struct nn_hash_slot *slots;
	size_t cap;		/* 0 or a power of two */
	size_t n;
};

#define NN_HASH_INIT { 0 }

/* The value of KEY, or NULL when there is none. */
void *nn_hash_get(const struct nn_hash *h, const char *key);
/* True, with *VALUE (may be NULL), when KEY is there. */
bool nn_hash_find(const struct nn_hash *h, const char *key, void **value);
/* Set KEY to VALUE, replacing a value it had: 0, or -ENOMEM (H unchanged). */
int nn_hash_put(struct nn_hash *h, const char *key, void *value);
/* Remove KEY: true, with *VALUE (VALUE may be NULL) its value, when it was there. */
bool nn_hash_del(struct nn_hash *h, const char *key, void **value);
size_t nn_hash_len(const struct nn_hash *h);
/* The next entry from *ITER (start at 0), in no particular order; false at
 * the end.  The map must not change during a walk. */
bool nn_hash_next(const struct nn_hash *h, size_t *iter, const char **key, void **value);
/* Free the keys and the table (not the values); H is empty and usable again. */
void nn_hash_free(struct nn_hash *h);

/* The key "KIND:NUM:A/B" into BUF (LEN bytes, cut short where it would not
 * fit): an object of a kind by a number (a namespace's cookie) and two
 * names, A without a '/'.  Without printf: a journal of thousands of
 * records makes as many keys. */
const char *nn_hash_key(char *buf, size_t len, unsigned kind, uint64_t num, const char *a,
			const char *b);

#endif
