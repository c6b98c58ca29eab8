/*
 * check.h - the invariants of DESIGN.md as code (check.c): run after every
 * operation in a debug build (make DEBUG=1) and by the unit tests. A
 * broken invariant is reported and aborts. Layer 1: reads descriptors only.
 */
#ifndef BUDDY_CHECK_H
#define BUDDY_CHECK_H

#include "types.h"

void check_fail(const char *what, const void *where) __attribute__((noreturn, cold));
void __check_zone(struct zone *z);	/* caller holds z->lock */
void check_slab(struct slab *s);	/* caller owns s */

#endif
