/*
 * canary.h - the checking mode's entry points (canary.c), called by the
 * exported API (preload/api.c) ahead of everything else while
 * canary_state is not CANARY_OFF: one byte tested per call when the mode
 * is off. Layer 9, beside preload/: over alloc.h's entry points only.
 */
#ifndef BUDDY_CANARY_H
#define BUDDY_CANARY_H

#include "alloc.h"

enum { CANARY_OFF = 0, CANARY_ON = 1, CANARY_UNKNOWN = 2 };
extern uint8_t canary_state;

bool canary_enabled(void);	/* decides the mode on the first call */
void *canary_alloc(size_t n, size_t align, bool zero);
void canary_free(void *p, const char *fn);
void *canary_realloc(void *p, size_t n);
size_t canary_usable(void *p);

/* True when the call must go through canary.c. */
static inline bool canary_wanted(void)
{
	return unlikely(canary_state != CANARY_OFF) && canary_enabled();
}

#endif
