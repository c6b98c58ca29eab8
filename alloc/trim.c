/*
 * trim.c - how a zone gives pages back to the OS, the kernel's way.
 *
 *  - Watermarks: when a zone's free resident pages pass wmark_high, it
 *    madvises free blocks (largest first) until wmark_low are left, so a
 *    program that frees and reallocates in bursts keeps its pages.
 *  - Decay (zone_decay, driven by reclaim.c's clock): a zone notes the
 *    lowest number of free resident pages it had in each slice of
 *    decay_ms / DECAY_SLICES (dirty_floor, then floor_ring). At the end of
 *    every slice, the pages it did not dip into during the last whole
 *    decay_ms (the lowest of the last DECAY_SLICES floors) above wmark_min
 *    go back. A load that stops thus gives its memory back within decay_ms
 *    plus a slice of the clock running (a slow path, or the
 *    background_reclaim thread); a steady load keeps what it uses.
 *  - The break: free pages at the top of ZONE_BRK go back with a negative
 *    sbrk once they pass trim_threshold, keeping top_pad, if nobody else
 *    moved the break. The top section may then end part-way (nr_online).
 *    The free that passes the threshold lowers the break, as in glibc;
 *    by default, a trim that is undone right away (the break grows back
 *    within the decay period) makes the next trims keep that much more
 *    (sticky_pad), so a loop that fills and empties a few MiB does not
 *    fault its pages in again every round. glibc adapts its thresholds
 *    for the same reason. An explicit trim_threshold or top_pad turns
 *    that off.
 *  - Sections: a ZONE_MMAP section that is entirely free is unmapped by
 *    malloc_trim and by direct reclaim. A section that leaves its zone
 *    leaves the section table first; its descriptor goes on the spare
 *    list (section.c).
 *
 * Lock: functions named __*: caller holds z->lock; the others take it.
 * Inside it, section_retire takes heap.spare.lock.
 */
#include "buddy.h"
#include "check.h"
#include "options.h"
#include "os.h"
#include "pressure.h"
#include "section.h"
#include "trim.h"

/* The lowest pfn from which every online page of sec is free. */
static size_t top_free_start(struct section *sec)
{
	size_t p = sec->nr_online, h;
	while (p > 0) {
		struct page *pg = __buddy_block_of(sec, p - 1, &h);
		if (!pg || h + ((size_t)1 << pg->order) != p)
			break;
		p = h;
	}
	return p;
}

/* Takes the free pages [from, nr_online) out of z; the section ends at
 * `from` afterwards. Caller holds z->lock and checked they are free. */
static void __offline_top(struct zone *z, struct section *sec, size_t from)
{
	size_t q = sec->nr_online, h = q, low = from;
	bool low_zeroed = false;
	while (q > from) {
		struct page *pg = __buddy_block_of(sec, q - 1, &h);
		__buddy_del_free(z, pg, pg->order);
		pg->kind = PG_TAIL;
		if (h < from)
			low = h, low_zeroed = pg->zeroed;
		q = h;
	}
	z->managed_pages -= sec->nr_online - from;
	sec->nr_online = (uint32_t)from;
	if (low < from)
		__buddy_free_range(z, sec, low, from - low, low_zeroed);
}

/* Unlinks an empty section from z and the section table. */
static void __section_remove(struct zone *z, struct section *sec)
{
	struct section *_Atomic *link = &z->sections;
	while (atomic_load(link) != sec)
		link = &atomic_load(link)->next;
	atomic_store_explicit(link, sec->next, memory_order_release);
	section_unmap(sec->base, SECTION_SIZE);
}

/* Free pages at the top of the break, across sections end to end. */
static size_t brk_free_top(struct zone *z)
{
	size_t total = 0;
	for (struct section *sec = atomic_load(&z->sections); sec; sec = sec->next) {
		size_t p = top_free_start(sec);
		total += sec->nr_online - p;
		struct section *below = sec->next;
		if (p != 0 || !below || below->base + ((size_t)below->nr_online << PAGE_SHIFT) != sec->base)
			break;
	}
	return total;
}

/*
 * Lowers the break over the free pages at its top, keeping `pad` bytes,
 * when they pass trim_threshold or `force` is set (malloc_trim, reclaim).
 * Unless the user set trim_threshold or top_pad, it also keeps
 * sticky_pad: what the break grew back right after an earlier trim. A
 * loop that fills and empties a few MiB at the top thus stops moving the
 * break after its second round, and the decay gives the pad back once
 * the loop is over. Pages given back.
 */
size_t __brk_trim(struct zone *z, size_t pad, bool force)
{
	size_t total = brk_free_top(z), keep = pages_of(pad), released = 0;
	struct section *sec;

	if (!force && (opt.trim_threshold == SIZE_MAX || (total << PAGE_SHIFT) <= opt.trim_threshold))
		return 0;
	if (!force && !opt_trim_explicit)
		keep += z->sticky_pad;
	if (keep >= total)
		return 0;
	size_t give = total - keep;
	while (give && (sec = atomic_load(&z->sections)) != NULL) {
		size_t online = sec->nr_online, here = online - top_free_start(sec);
		size_t cut = give < here ? give : here;
		uintptr_t top = sec->base + (online << PAGE_SHIFT);
		if (!cut)
			break;
		/* the pages leave the zone before the break goes down: a fork in
		 * between must not leave a child whose zone holds unmapped pages */
		__offline_top(z, sec, online - cut);
		if (!os_brk_move(top, -(intptr_t)(cut << PAGE_SHIFT))) {
			sec->nr_online = (uint32_t)online;	/* someone else's memory lies above */
			z->managed_pages += cut;
			__buddy_free_range(z, sec, online - cut, cut, false);
			break;
		}
		released += cut;
		give -= cut;
		if (sec->nr_online)
			break;
		__section_remove(z, sec);	/* all of it went: on to the one below */
		if (sec->brk_pad && sec->brk_pad < sec->base)	/* our padding below it, too */
			os_brk_move(sec->base, -(intptr_t)(sec->base - sec->brk_pad));
		section_retire(sec);
	}
	if (released && !force)
		z->regrow_watch = true;
	return released;
}

/* Free bytes at the top of the break that a trim could give back. */
size_t __brk_keepcost(struct zone *z)
{
	return brk_free_top(z) << PAGE_SHIFT;
}

/* Unmaps every entirely free section of a ZONE_MMAP zone. */
static size_t __release_mmap_sections(struct zone *z)
{
	size_t released = 0;
	struct section *sec = atomic_load(&z->sections), *next;
	for (; sec; sec = next) {
		next = sec->next;
		if (top_free_start(sec) != 0)
			continue;
		__offline_top(z, sec, 0);
		__section_remove(z, sec);
		os_unmap((void *)sec->base, SECTION_SIZE);
		sec->nr_online = PAGES_PER_SECTION;
		section_retire(sec);
		released += PAGES_PER_SECTION;
	}
	return released;
}

/* After pages came back to z: the watermarks, and the top of the break. */
void __zone_after_free(struct zone *z)
{
	bool pressure = under_pressure();	/* a request failed lately: all goes */
	if (z->free_dirty > pages_of(opt.wmark_high))
		__buddy_decommit(z, pages_of(opt.wmark_low));
	if (z->id == ZONE_BRK)
		__brk_trim(z, pressure ? 0 : opt.top_pad, pressure);
	else if (pressure)
		__release_mmap_sections(z);
}

/* malloc_trim and direct reclaim: what can go back from z, goes; the break
 * keeps `pad`; `everything` also madvises every free resident page. */
/* Pages went back: no floor can be above what is still free and resident. */
static void __floors_clamp(struct zone *z)
{
	for (unsigned i = 0; i < DECAY_SLICES; i++)
		if (z->floor_ring[i] > z->free_dirty)
			z->floor_ring[i] = z->free_dirty;
	z->dirty_floor = z->free_dirty;
}

size_t zone_give_back(struct zone *z, size_t pad, bool everything)
{
	size_t released;
	lock_acquire(&z->lock);
	if (z->id == ZONE_BRK)
		released = __brk_trim(z, pad, true);
	else
		released = __release_mmap_sections(z);
	if (everything)
		released += __buddy_decommit(z, 0);
	__floors_clamp(z);
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
	return released;
}

/* One decay slice is over: what z kept free and unused through the whole
 * last decay_ms, above wmark_min, goes. */
void zone_decay(struct zone *z)
{
	lock_acquire(&z->lock);
	z->floor_ring[z->slice++ % DECAY_SLICES] = z->dirty_floor;
	size_t unused = z->floor_ring[0], min = pages_of(opt.wmark_min);
	for (unsigned i = 1; i < DECAY_SLICES; i++)
		if (z->floor_ring[i] < unused)
			unused = z->floor_ring[i];
	if (unused > min && z->free_dirty > min) {
		size_t excess = unused - min;
		__buddy_decommit(z, z->free_dirty > excess ? z->free_dirty - excess : 0);
	}
	__floors_clamp(z);
	if (z->id == ZONE_BRK) {
		if (z->slice % DECAY_SLICES == 0) {	/* a whole period */
			z->sticky_pad /= 2;
			z->regrow_watch = false;
		}
		__brk_trim(z, opt.top_pad, false);
	}
	lock_release(&z->lock);
}
