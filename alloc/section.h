/*
 * section.h - address -> section -> page descriptor (section.c), and the
 * spare list of retired section descriptors. Layer 1: over os.
 *
 * Lookups take no lock. spare.lock nests inside a zone lock (types.h).
 */
#ifndef BUDDY_SECTION_H
#define BUDDY_SECTION_H

#include "types.h"

static inline struct sec_head *section_lookup(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	if (unlikely(a >> ADDRESS_BITS))
		return NULL;
	struct sec_head **l2 = atomic_load_explicit(
		&heap.section_l1[a >> (SECTION_SHIFT + SECTION_L2_BITS)], memory_order_acquire);
	if (unlikely(!l2))
		return NULL;
	return __atomic_load_n(&l2[(a >> SECTION_SHIFT) & ((1u << SECTION_L2_BITS) - 1)],
			       __ATOMIC_ACQUIRE);
}

bool section_map(uintptr_t base, size_t len, struct sec_head *h);
void section_unmap(uintptr_t base, size_t len);
/* caller holds z->lock */
struct section *section_create(struct zone *z, uintptr_t base);
/* A section that left its zone (and the table): its descriptor is kept for reuse. */
void section_retire(struct section *sec);
void section_fork_child(void);

static inline size_t page_pfn(const struct section *sec, const struct page *pg)
{
	return (size_t)(pg - sec->pages);
}

static inline uintptr_t pfn_address(const struct section *sec, size_t pfn)
{
	return sec->base + (pfn << PAGE_SHIFT);
}

/*
 * The head page of whatever holds p in zone section sec, and p's offset
 * from that head's first byte. Only a slab's tails have a tail_dist.
 */
static inline struct page *page_head_of(struct section *sec, const void *p, uintptr_t *offp)
{
	uintptr_t off = (uintptr_t)p - sec->base;
	size_t pfn = off >> PAGE_SHIFT;
	struct page *pg = &sec->pages[pfn];
	if (pg->kind == PG_TAIL) {
		pfn -= pg->tail_dist;
		pg -= pg->tail_dist;
	}
	*offp = off - (pfn << PAGE_SHIFT);
	return pg;
}

#endif
