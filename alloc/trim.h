/*
 * trim.h - how a zone gives pages back to the OS (trim.c): watermarks,
 * decay, lowering the break, unmapping free sections. Layer 3, under
 * zone.c: over buddy and section.
 *
 * Functions named __*: caller holds z->lock; the others take it.
 */
#ifndef BUDDY_TRIM_H
#define BUDDY_TRIM_H

#include "types.h"

void __zone_after_free(struct zone *z);
size_t __brk_trim(struct zone *z, size_t pad, bool force);
size_t __brk_keepcost(struct zone *z);
size_t zone_give_back(struct zone *z, size_t pad, bool everything);
void zone_decay(struct zone *z);

#endif
