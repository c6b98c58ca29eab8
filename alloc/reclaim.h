/*
 * reclaim.h - giving memory back across the whole heap (reclaim.c):
 * direct reclaim under pressure, malloc_trim, a thread's caches at its
 * exit, and the periodic decay that alloc.c's slow-path entry drives. Layer 7: over slab, large and zone.
 * Callers hold no lock.
 */
#ifndef BUDDY_RECLAIM_H
#define BUDDY_RECLAIM_H

#include "types.h"

size_t node_reclaim(void);
size_t node_reclaim_failed(void);	/* and opens a window of pressure */
int reclaim_trim(size_t pad);
void reclaim_tick(struct tcache *tc);
void reclaim_clock(uint64_t now);
void reclaim_thread(struct tcache *tc);

#endif
