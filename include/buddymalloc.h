/*
 * buddymalloc.h - libbuddymalloc's public extras.
 *
 * The malloc API itself is declared by <stdlib.h> and <malloc.h>; glibc's
 * mallopt parameters (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, M_TOP_PAD,
 * M_MMAP_MAX, M_PERTURB, M_CHECK_ACTION, M_ARENA_TEST, M_ARENA_MAX,
 * M_MXFAST) keep glibc's numbers and meanings. The parameters below are
 * libbuddymalloc's own, numbered from 1000, where glibc has none (glibc's
 * mallopt ignores a parameter it does not know and still returns 1, so a
 * return value does not tell whether the library is loaded).
 * See libbuddymalloc(3).
 */
#ifndef BUDDYMALLOC_H
#define BUDDYMALLOC_H

#define M_BUDDY_PCP_HIGH	1001	/* pages a thread's page cache holds before draining */
#define M_BUDDY_PCP_BATCH	1002	/* pages moved between a page cache and its zone at once */
#define M_BUDDY_WMARK_MIN	1003	/* free resident bytes per zone that idle decay keeps */
#define M_BUDDY_WMARK_LOW	1004	/* a zone above the high watermark madvises down to this */
#define M_BUDDY_WMARK_HIGH	1005	/* free resident bytes per zone that start giving back */
#define M_BUDDY_SLAB_RESERVE	1006	/* empty slabs per class a thread keeps */
#define M_BUDDY_BRK		1007	/* 1: take memory from the break first; 0: mmap only */
#define M_BUDDY_INVALID_FREE	1008	/* 0: abort on an invalid free; 1: print and ignore */
#define M_BUDDY_DECAY_MS	1009	/* how long free memory may stay unused before it goes back */
#define M_BUDDY_CHUNK_CACHE	1010	/* bytes of freed mapped chunks kept for reuse */
#define M_BUDDY_PROF_DUMP	1011	/* with prof=1: write a heap profile now (value ignored) */

#endif
