/*
 * unit.h - what every unit test shares. Unit tests link alloc/ directly
 * (not preloaded: the test program's own malloc stays glibc's) and call
 * its internals; each also builds with -fsanitize=address,undefined.
 * CHECK, the generator and the byte patterns are the test-support
 * library's (tests/support/support.h): the first failed CHECK ends the test.
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
#include "tests/support/support.h"

/* An object of class cls, as malloc gets one: fast path, else slow path. */
static inline void *unit_slab_alloc(unsigned cls)
{
	void *p = slab_alloc_fast(tls_tc, cls);
	return p ? p : ba_alloc_slow(sc_table[cls].size, cls);
}

/* Every CHECK passed (a failed one never returns): say so. */
static inline int unit_done(const char *name)
{
	printf("%s: ok\n", name);
	return 0;
}

#endif
