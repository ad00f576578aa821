// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

/* FNV-1a: names are short and not chosen to collide. */
static uint64_t hash_of(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The slot holding KEY, or the free slot where it would go. */
static size_t probe(const struct nn_hash *h, const char *key, uint64_t hv)
{
	size_t mask = h->cap - 1, i = (size_t)hv & mask;

	while (h->slots[i].key && (h->slots[i].hash != hv || strcmp(h->slots[i].key, key)))
		i = (i + 1) & mask;
	return i;
}

static int grow(struct nn_hash *h)
{
	size_t cap = h->cap ? h->cap * 2 : 16;
	struct nn_hash_slot *old = h->slots, *v = calloc(cap, sizeof(*v));
	size_t oldcap = h->cap;

	if (!v)
		return -ENOMEM;
	h->slots = v;
	h->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			h->slots[probe(h, old[i].key, old[i].hash)] = old[i];
	free(old);
	return 0;
}

bool nn_hash_find(const struct nn_hash *h, const char *key, void **value)
{
	size_t i;

	if (!h->n)
		return false;
	i = probe(h, key, hash_of(key));
	if (!h->slots[i].key)
		return false;
	if (value)
		*value = h->slots[i].value;
	return true;
}

void *nn_hash_get(const struct nn_hash *h, const char *key)
{
	void *v = NULL;

	return nn_hash_find(h, key, &v) ? v : NULL;
}

int nn_hash_put(struct nn_hash *h, const char *key, void *value)
{
	uint64_t hv = hash_of(key);
	size_t i;
	char *k;

	/* At most half full: probes stay short. */
	if ((h->n + 1) * 2 > h->cap && grow(h) < 0)
		return -ENOMEM;
	i = probe(h, key, hv);
	if (h->slots[i].key) {
		h->slots[i].value = value;
		return 0;
	}
	if (!(k = strdup(key)))
		return -ENOMEM;
	h->slots[i] = (struct nn_hash_slot){ .key = k, .hash = hv, .value = value };
	h->n++;
	return 0;
}

bool nn_hash_del(struct nn_hash *h, const char *key, void **value)
{
	size_t mask, i, j;

	if (!h->n)
		return false;
	mask = h->cap - 1;
	i = probe(h, key, hash_of(key));
	if (!h->slots[i].key)
		return false;
	if (value)
		*value = h->slots[i].value;
	free(h->slots[i].key);
	h->slots[i].key = NULL;
	h->n--;
	/* Shift back the entries of the run after I that probed past it, so
	 * that no lookup stops early at the hole (no tombstones). */
	for (j = (i + 1) & mask; h->slots[j].key; j = (j + 1) & mask) {
		size_t home = (size_t)h->slots[j].hash & mask;

		/* J stays when its home lies cyclically in (I, J]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		h->slots[i] = h->slots[j];
		h->slots[j].key = NULL;
		i = j;
	}
	return true;
}

size_t nn_hash_len(const struct nn_hash *h)
{
	return h->n;
}

bool nn_hash_next(const struct nn_hash *h, size_t *iter, const char **key, void **value)
{
	for (; *iter < h->cap; (*iter)++) {
		const struct nn_hash_slot *s = &h->slots[*iter];

		if (s->key) {
			if (key)
				*key = s->key;
			if (value)
				*value = s->value;
			(*iter)++;
			return true;
		}
	}
	return false;
}

void nn_hash_free(struct nn_hash *h)
{
	for (size_t i = 0; i < h->cap; i++)
		free(h->slots[i].key);
	free(h->slots);
	h->slots = NULL;
	h->cap = h->n = 0;
}

/* Decimal V at P, before END; P past it (END when it did not fit). */
static char *put_dec(char *p, char *end, uint64_t v)
{
	char t[20];
	int n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n && p < end)
		*p++ = t[--n];
	return p;
}

static char *put_str(char *p, char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

const char *nn_hash_key(char *buf, size_t len, unsigned kind, uint64_t num, const char *a,
			const char *b)
{
	char *p = buf, *end = buf + len - 1;

	p = put_dec(p, end, kind);
	p = put_str(p, end, ":");
	p = put_dec(p, end, num);
	p = put_str(p, end, ":");
	p = put_str(p, end, a);
	p = put_str(p, end, "/");
	p = put_str(p, end, b);
	*p = 0;
	return buf;
}
