/*
 * check.c - the invariants of DESIGN.md as code. A debug build
 * (make DEBUG=1) runs them after every zone and slab operation; the unit
 * tests run them directly. A broken invariant is reported and aborts.
 *
 * __check_zone: caller holds zone->lock.
 */
#include <stdlib.h>

#include "check.h"
#include "freelist.h"
#include "report.h"
#include "section.h"
#include "sizeclass.h"

void check_fail(const char *what, const void *where)
{
	report_line("buddymalloc: invariant broken: ", what, (uintptr_t)where, true);
	abort();
}

void __check_zone(struct zone *z)
{
	size_t free_pages = 0, dirty = 0, listed[MAX_ORDER] = { 0 }, managed = 0;

	for (unsigned o = 0; o < MAX_ORDER; o++) {
		size_t n = 0;
		for (int clean = 0; clean < 2; clean++) {
			struct page *prev = NULL;
			struct page *first = clean ? z->free_area[o].clean : z->free_area[o].head;
			for (struct page *pg = first; pg; prev = pg, pg = pg->next) {
				if (pg->kind != PG_FREE || pg->order != o)
					check_fail("block on free_area list is not a free head of that order", pg);
				if (pg->zeroed != clean)
					check_fail("block on the wrong one of resident and clean lists", pg);
				if (pg->prev != prev)
					check_fail("free_area list links", pg);
				if (pg->sec->zone != z)
					check_fail("free block of another zone", pg);
				if (page_pfn(pg->sec, pg) & (((size_t)1 << o) - 1))
					check_fail("free block not aligned to its order", pg);
				if (page_pfn(pg->sec, pg) + ((size_t)1 << o) > pg->sec->nr_online)
					check_fail("free block beyond the section's online pages", pg);
				n++;
				if (!clean)
					dirty += (size_t)1 << o;
			}
		}
		if (n != z->free_area[o].nr_free)
			check_fail("nr_free differs from the list", &z->free_area[o]);
		free_pages += n << o;
	}
	if (free_pages != z->free_pages)
		check_fail("zone free_pages differs from its lists", z);
	if (dirty != z->free_dirty)
		check_fail("zone free_dirty differs from its resident lists", z);

	for (struct section *sec = atomic_load(&z->sections); sec; sec = sec->next) {
		managed += sec->nr_online;
		for (size_t pfn = 0; pfn < sec->nr_online;) {
			struct page *pg = &sec->pages[pfn];
			size_t n;
			switch (pg->kind) {
			case PG_FREE: {
				n = (size_t)1 << pg->order;
				struct page *b = &sec->pages[pfn ^ n];
				if (pg->order < MAX_ORDER - 1 && b->kind == PG_FREE && b->order == pg->order &&
				    (pfn ^ n) < sec->nr_online)
					check_fail("two free buddies left unmerged", pg);
				listed[pg->order]++;
				break;
			}
			case PG_PCP:
			case PG_SLAB:
				n = (size_t)1 << pg->order;
				break;
			case PG_RUN:
				n = pg->run_pages;
				if (pfn == 0 && n > PAGES_PER_SECTION && sec->nr_online == PAGES_PER_SECTION)
					n = PAGES_PER_SECTION;	/* goes on in the next section */
				if (n == 0 || pfn + n > sec->nr_online)
					check_fail("run length", pg);
				break;
			case PG_RUN_CONT:
				n = pg->run_pages;
				if (pfn != 0 || n == 0 || n > sec->nr_online)
					check_fail("share of a run of several sections", pg);
				break;
			default:
				check_fail("page covered by no block", pg);
				return;
			}
			if (pfn & (n - 1) && pg->kind != PG_RUN && pg->kind != PG_RUN_CONT)
				check_fail("block not aligned to its order", pg);
			if (pfn + n > sec->nr_online)
				check_fail("block beyond the section's online pages", pg);
			for (size_t i = 1; i < n; i++) {
				struct page *t = &sec->pages[pfn + i];
				if (t->kind != PG_TAIL)
					check_fail("a head inside another block", t);
				/* slabs and page-cache blocks belong to their thread, which
				 * may be rewriting their tails right now: only the zone's
				 * own blocks are checked */
				if ((pg->kind == PG_FREE || pg->kind == PG_RUN || pg->kind == PG_RUN_CONT) &&
				    t->tail_dist)
					check_fail("a tail of a free block or run keeps a distance", t);
			}
			pfn += n;
		}
	}
	for (unsigned o = 0; o < MAX_ORDER; o++)
		if (listed[o] != z->free_area[o].nr_free)
			check_fail("free heads in the descriptors differ from the lists", z);
	if (managed != z->managed_pages)
		check_fail("managed_pages differs from the sections", z);
}

/* For the owner of s: its counts add up. */
void check_slab(struct slab *s)
{
	const struct size_class *c = &sc_table[s->cls];
	size_t n = 0;
	if (s->kind != PG_SLAB || s->bump > c->capacity)
		check_fail("slab descriptor", s);
	for (void **o = s->free; o; o = freelist_next(s, o))
		if (++n > c->capacity)
			check_fail("slab free list longer than the slab", s);
	if (n + s->inuse > s->bump)
		check_fail("slab: free + in use exceeds objects carved", s);
}
