// SPDX-License-Identifier: GPL-2.0-or-later
/* util/hash: the string map behind the name lookups, checked against a
 * plain array as the model through many random puts and deletes (the
 * deletes' backward shift is what breaks first when it is wrong). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/hash.h"

static void empty_map(void **state)
{
	struct nn_hash h = NN_HASH_INIT;
	size_t it = 0;
	void *v = (void *)1;

	(void)state;
	assert_null(nn_hash_get(&h, "x"));
	assert_false(nn_hash_find(&h, "x", &v));
	assert_false(nn_hash_del(&h, "x", &v));
	assert_false(nn_hash_next(&h, &it, NULL, NULL));
	assert_int_equal(nn_hash_len(&h), 0);
	nn_hash_free(&h);
}

static void put_get_replace_null(void **state)
{
	struct nn_hash h = NN_HASH_INIT;
	char key[8] = "sva";
	int a, b;
	void *v;

	(void)state;
	assert_int_equal(nn_hash_put(&h, key, &a), 0);
	key[0] = 'X';	/* the map keeps its own copy */
	assert_ptr_equal(nn_hash_get(&h, "sva"), &a);
	assert_null(nn_hash_get(&h, "Xva"));
	assert_int_equal(nn_hash_put(&h, "sva", &b), 0);
	assert_ptr_equal(nn_hash_get(&h, "sva"), &b);
	assert_int_equal(nn_hash_len(&h), 1);
	/* "" (the host) and a NULL value are keys and values like others */
	assert_int_equal(nn_hash_put(&h, "", NULL), 0);
	v = &a;
	assert_true(nn_hash_find(&h, "", &v));
	assert_null(v);
	assert_true(nn_hash_del(&h, "", NULL));
	assert_false(nn_hash_find(&h, "", NULL));
	assert_int_equal(nn_hash_len(&h), 1);
	nn_hash_free(&h);
	assert_int_equal(nn_hash_len(&h), 0);
	assert_null(nn_hash_get(&h, "sva"));
	/* usable again after free */
	assert_int_equal(nn_hash_put(&h, "a", &a), 0);
	assert_ptr_equal(nn_hash_get(&h, "a"), &a);
	nn_hash_free(&h);
}

#define KEYS 700

/* Random operations on a key space small enough to hit the same keys
 * often, against an array saying what each key holds. */
static void matches_a_model(void **state)
{
	static char names[KEYS][24];
	struct nn_hash h = NN_HASH_INIT;
	intptr_t model[KEYS];	/* 0: absent, else the value */
	unsigned seed = 12345;

	(void)state;
	for (int i = 0; i < KEYS; i++) {
		/* names alike in their first bytes, as n1..n700 are */
		snprintf(names[i], sizeof(names[i]), "n%d", i);
		model[i] = 0;
	}
	for (int round = 0; round < 200000; round++) {
		int k = (int)(rand_r(&seed) % KEYS), op = (int)(rand_r(&seed) % 3);
		void *v;

		if (op < 2) {
			intptr_t val = round + 1;

			assert_int_equal(nn_hash_put(&h, names[k], (void *)val), 0);
			model[k] = val;
		} else {
			bool had = nn_hash_del(&h, names[k], &v);

			assert_int_equal(had, model[k] != 0);
			if (had)
				assert_int_equal((intptr_t)v, model[k]);
			model[k] = 0;
		}
		if (round % 1000 == 0) {
			size_t n = 0, it = 0, walked = 0;
			const char *key;

			for (int i = 0; i < KEYS; i++) {
				bool found = nn_hash_find(&h, names[i], &v);

				assert_int_equal(found, model[i] != 0);
				if (found)
					assert_int_equal((intptr_t)v, model[i]);
				n += model[i] != 0;
			}
			assert_int_equal(nn_hash_len(&h), n);
			while (nn_hash_next(&h, &it, &key, &v)) {
				int i = atoi(key + 1);

				assert_int_equal((intptr_t)v, model[i]);
				walked++;
			}
			assert_int_equal(walked, n);
		}
	}
	nn_hash_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_map),
		cmocka_unit_test(put_get_replace_null),
		cmocka_unit_test(matches_a_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
