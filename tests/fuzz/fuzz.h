/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_FUZZ_H
#define NETNSCTL_FUZZ_H

/*
 * Shared by the fuzz targets: built with libFuzzer (clang, NETNSCTL_FUZZ=ON)
 * or with replay.c, which feeds the corpus files to the same entry point in
 * the normal build.  A broken invariant abort()s: libFuzzer saves the input,
 * the replay test fails.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netnsctl/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,	\
				__LINE__, #cond);				\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

/* A heap copy of the input as a C string, exactly size + 1 bytes so that
 * ASan sees a read past the NUL. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Poison the error object so that a missing NUL or an unset code shows. */
static inline void fuzz_error_poison(struct nn_error *e)
{
	e->code = -12345;
	memset(e->msg, 0xa5, sizeof(e->msg));
}

/*
 * What every failure must leave in E: the errno that was returned, and a
 * non-empty, NUL-terminated, one-line printable message (user values are
 * escaped by nn_show()) that starts with PREFIX when one is given.
 */
static inline void fuzz_check_error(const struct nn_error *e, int ret, const char *prefix,
				    const char *input)
{
	const char *nul = memchr(e->msg, '\0', sizeof(e->msg));
	const unsigned char *p;

	FUZZ_CHECK(ret < 0, "ret %d for \"%s\"", ret, input);
	FUZZ_CHECK(e->code == -ret, "code %d, ret %d for \"%s\"", e->code, ret, input);
	FUZZ_CHECK(nul, "message not NUL-terminated for \"%s\"", input);
	FUZZ_CHECK(nul != e->msg, "empty message for \"%s\"", input);
	for (p = (const unsigned char *)e->msg; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p < 0x7f,
			   "byte 0x%02x at %td of message \"%s\"", *p,
			   (const char *)p - e->msg, e->msg);
	if (prefix)
		FUZZ_CHECK(!strncmp(e->msg, prefix, strlen(prefix)),
			   "message \"%s\" does not start with \"%s\"", e->msg, prefix);
}

/* Deterministic numbers drawn from the input, for properties over values
 * that are not the input's text (splitmix64 over an FNV-1a hash). */
struct fuzz_rng {
	uint64_t s;
};

static inline void fuzz_rng_init(struct fuzz_rng *r, const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;
	r->s = h;
}

static inline uint64_t fuzz_rng_next(struct fuzz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Any magnitude, not just huge values: a random number of low bits. */
static inline uint64_t fuzz_rng_bits(struct fuzz_rng *r)
{
	uint64_t v = fuzz_rng_next(r);

	return v >> (fuzz_rng_next(r) % 64);
}

/* Bytes taken from the front of raw input; zeros once it runs out. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline void fuzz_take(struct fuzz_in *in, void *out, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memset(out, 0, n);
	memcpy(out, in->p, k);
	in->p += k;
	in->left -= k;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

/*
 * Run CALL, which formats into FBUF, a heap buffer of exactly FLEN = LEN
 * bytes (ASan sees a write past it), and check the result is FULL cut to
 * fit, NUL-terminated.
 */
#define FUZZ_CHECK_TRUNCATED(len, full, call)					\
	do {									\
		size_t flen = (len), fn;					\
		char *fbuf = malloc(flen);					\
										\
		if (!fbuf)							\
			abort();						\
		memset(fbuf, 0x5a, flen);					\
		(void)(call);							\
		FUZZ_CHECK(memchr(fbuf, '\0', flen), "no NUL in %zu bytes", flen);	\
		fn = strlen(fbuf);						\
		FUZZ_CHECK(fn == (strlen(full) < flen - 1 ? strlen(full) : flen - 1) &&	\
			   !strncmp(fbuf, full, fn),				\
			   "\"%s\" in %zu bytes, \"%s\" in full", fbuf, flen, full);	\
		free(fbuf);							\
	} while (0)

#endif
