/*
 * sizeclass.h - the size classes as data (sizeclass.c), and size -> class
 * in a few instructions. Layer 0.
 */
#ifndef BUDDY_SIZECLASS_H
#define BUDDY_SIZECLASS_H

#include "types.h"

extern const struct size_class sc_table[NR_CLASSES];

/* 16-byte steps up to 128, then four classes per power of two. n <= SLAB_MAX. */
static inline unsigned sc_of(size_t n)
{
	if (n <= 128)
		return n ? (unsigned)((n - 1) >> 4) : 0;
	size_t m = n - 1;
	unsigned b = 63 - __builtin_clzl(m);	/* 7 .. 14 */
	return 8 + (b - 7) * 4 + (unsigned)((m >> (b - 2)) & 3);
}

int sc_for_aligned(size_t n, size_t align);	/* -1 when no slab class fits */

#endif
