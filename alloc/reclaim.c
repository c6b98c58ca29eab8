/*
 * reclaim.c - giving whole free sections back to the OS.
 *
 * A ZONE_MMAP section whose 1024 pages are one free block is unmapped; a
 * ZONE_BRK section at the top of the break is returned with a negative
 * sbrk, if the break is still where we left it (nobody else moved it
 * since). Either way the section leaves its zone's list and the section
 * table first, and its descriptor goes on a spare list for the next
 * section_create: metadata is never unmapped (section.c).
 *
 * node_reclaim() is the direct-reclaim path: when the OS refuses memory,
 * the request that failed gives back what is free and tries once more,
 * so a program that freed memory can map large blocks again.
 *
 * Lock: zone->lock around each zone's pass; the caller holds no lock.
 */
#include <unistd.h>

#include "internal.h"
#include "list.h"

static struct lock spare_lock = LOCK_INIT;
static struct section *spare_sections;

/* A descriptor from the spare list, or NULL. */
struct section *section_spare(void)
{
	lock_acquire(&spare_lock);
	struct section *sec = spare_sections;
	if (sec)
		spare_sections = sec->next;
	lock_release(&spare_lock);
	return sec;
}

static void section_retire(struct section *sec)
{
	lock_acquire(&spare_lock);
	sec->next = spare_sections;
	spare_sections = sec;
	lock_release(&spare_lock);
}

static bool whole_free(const struct section *sec)
{
	return sec->pages[0].kind == PG_FREE && sec->pages[0].order == MAX_ORDER - 1;
}

/* Takes sec off z (caller holds z->lock and checked whole_free). */
static void __section_remove(struct zone *z, struct section *sec, struct section *_Atomic *link)
{
	struct page *pg = &sec->pages[0];
	page_list_del(&z->free_area[MAX_ORDER - 1].head, pg);
	z->free_area[MAX_ORDER - 1].nr_free--;
	z->free_pages -= PAGES_PER_SECTION;
	z->managed_pages -= PAGES_PER_SECTION;
	pg->kind = PG_TAIL;
	atomic_store_explicit(link, sec->next, memory_order_release);
	section_unmap(sec->base, SECTION_SIZE);
}

/* Pages given back. Caller holds z->lock. */
size_t __zone_release_sections(struct zone *z)
{
	size_t released = 0;
	struct section *_Atomic *link = &z->sections;
	struct section *sec;

	while ((sec = atomic_load_explicit(link, memory_order_relaxed)) != NULL) {
		if (!whole_free(sec)) {
			if (z->id == ZONE_BRK)
				break;		/* only the top of the break can go */
			link = &sec->next;
			continue;
		}
		if (z->id == ZONE_BRK && (uintptr_t)sbrk(0) != sec->base + SECTION_SIZE)
			break;			/* someone else's memory lies above */
		__section_remove(z, sec, link);
		if (z->id == ZONE_BRK)
			sbrk(-(intptr_t)SECTION_SIZE);
		else
			os_unmap((void *)sec->base, SECTION_SIZE);
		section_retire(sec);
		released += PAGES_PER_SECTION;
	}
	if (debug_checks)
		__check_zone(z);
	return released;
}

size_t node_reclaim(void)
{
	size_t released = 0;
	struct tcache *tc = tls_tc;
	if (tc != &tcache_empty)
		pcp_drain_all(tc);
	for (int i = 0; i < NR_ZONES; i++) {
		struct zone *z = &node.zones[i];
		lock_acquire(&z->lock);
		released += __zone_release_sections(z);
		lock_release(&z->lock);
	}
	return released;
}
