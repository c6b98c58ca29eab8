/*
 * buddy.h - a zone's free_area lists: split and merge (buddy.c).
 * Layer 2: over section. Every function: caller holds zone->lock.
 */
#ifndef BUDDY_BUDDY_H
#define BUDDY_BUDDY_H

#include "types.h"

struct page *__buddy_alloc(struct zone *z, unsigned order, struct section **secp);
void __buddy_free(struct zone *z, struct section *sec, size_t pfn, unsigned order, bool zeroed);
void __buddy_free_range(struct zone *z, struct section *sec, size_t pfn, size_t npages, bool zeroed);
bool __buddy_claim(struct zone *z, struct section *sec, size_t pfn, size_t npages);
void __buddy_del_free(struct zone *z, struct page *pg, unsigned order);
size_t __buddy_decommit(struct zone *z, size_t keep);
struct page *__buddy_block_of(struct section *sec, size_t pfn, size_t *headp);
void __buddy_reset(struct zone *z);

#endif
