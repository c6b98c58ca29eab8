/*
 * pressure.h - "a request failed lately" (pressure.c). After a request
 * could not be served, freed memory goes back at once instead of being
 * kept for reuse: page caches drain, empty slabs go, freed chunks are
 * unmapped, the break is trimmed to its last free page (see the callers).
 * Under RLIMIT_AS or RLIMIT_DATA every mapped byte counts, so a program
 * that frees everything after ENOMEM gets all of it back, and starts
 * again from a heap laid out as a fresh one.
 *
 * The window ends when the OS grants memory again (a zone grew, a chunk
 * was mapped: pressure_relieved) or, at the latest, when its time is up.
 * Ending it on an event rather than on the clock alone keeps what a slow
 * program frees after ENOMEM from being cached or not by chance.
 * Layer 1: the clock (os) and heap.pressure_until; no lock.
 */
#ifndef BUDDY_PRESSURE_H
#define BUDDY_PRESSURE_H

#include "types.h"

void pressure_start(uint64_t span_ms);	/* a request failed */
bool pressure_check(void);		/* inside the window; closes it when over */

/* The OS granted memory: the window, if one is open, ends. */
static inline void pressure_relieved(void)
{
	if (unlikely(atomic_load_explicit(&heap.pressure_until, memory_order_relaxed)))
		atomic_store_explicit(&heap.pressure_until, 0, memory_order_relaxed);
}

/* One load while there is no pressure. */
static inline bool under_pressure(void)
{
	if (likely(!atomic_load_explicit(&heap.pressure_until, memory_order_relaxed)))
		return false;
	return pressure_check();
}

#endif
