/*
 * unit.h - what every unit test shares. Unit tests link alloc/ directly
 * (not preloaded: the test program's own malloc stays glibc's) and call
 * its internals; each also builds with -fsanitize=address,undefined.
 */
#ifndef BUDDY_UNIT_H
#define BUDDY_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"
#include "alloc/buddy.h"
#include "alloc/check.h"
#include "alloc/meta.h"
#include "alloc/pcache.h"
#include "alloc/reclaim.h"
#include "alloc/zone.h"

static int unit_failures;

/* An object of class cls, as malloc gets one: fast path, else slow path. */
static inline void *unit_slab_alloc(unsigned cls)
{
	void *p = slab_alloc_fast(tls_tc, cls);
	return p ? p : ba_alloc_slow(sc_table[cls].size, cls);
}

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		if (++unit_failures > 20)				\
			exit(1);					\
	}								\
} while (0)

static inline int unit_done(const char *name)
{
	if (unit_failures) {
		fprintf(stderr, "%s: %d checks failed\n", name, unit_failures);
		return 1;
	}
	printf("%s: ok\n", name);
	return 0;
}

/* A small deterministic generator, so failures replay. */
static inline uint64_t unit_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif
