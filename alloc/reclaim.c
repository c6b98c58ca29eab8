/*
 * reclaim.c - giving memory back to the OS, the kernel's way: watermarks,
 * a slow decay of what stays unused, and direct reclaim under pressure.
 *
 *  - Watermarks: when a zone's free resident pages pass wmark_high, it
 *    madvises free blocks (largest first) until wmark_low are left, so a
 *    program that frees and reallocates in bursts keeps its pages.
 *  - Decay: every decay_ms, the free resident pages a zone did not dip
 *    into during the whole period (its dirty_floor) above wmark_min go
 *    back. A load that stops thus gives its memory back within two
 *    periods of later activity; a steady load keeps what it uses.
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
 *    malloc_trim and by direct reclaim (when the OS refuses memory, the
 *    request gives back what is free and tries once more).
 *  - Pressure: for a while after a request failed (node_reclaim_failed),
 *    freed memory goes back at once instead of being kept for reuse:
 *    the break is trimmed to the last free page, entirely free ZONE_MMAP
 *    sections are unmapped, freed chunks are unmapped (large.c), page
 *    caches drain at once (pcache.c) and empty slabs, the active one
 *    included, go back (slab.c). Under
 *    RLIMIT_AS or RLIMIT_DATA every mapped byte counts, so a program that
 *    frees everything after ENOMEM gets all of it back, not what caches
 *    and free blocks inside the zones happen to leave.
 * A section that leaves its zone leaves the section table first; its
 * descriptor goes on a spare list, never unmapped (section.c).
 *
 * Lock: zone->lock around each zone's work; callers of the unprefixed
 * functions hold no lock.
 */
#include "internal.h"
#include "list.h"

static struct lock spare_lock = LOCK_INIT;
static struct section *spare_sections;

/* Whole pages holding `bytes`; SIZE_MAX stays "never". */
size_t pages_of(size_t bytes)
{
	return bytes == SIZE_MAX ? SIZE_MAX : align_up(bytes, PAGE_SIZE) >> PAGE_SHIFT;
}

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

/* fork.c, in the child: as large_fork_child, for the spare list. */
void reclaim_fork_child(void)
{
	if (lock_is_held(&spare_lock))
		spare_sections = NULL;
	lock_init(&spare_lock);
}

static void section_retire(struct section *sec)
{
	lock_acquire(&spare_lock);
	sec->next = spare_sections;
	spare_sections = sec;
	lock_release(&spare_lock);
}

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
		if (!cut || !os_brk_move(top, -(intptr_t)(cut << PAGE_SHIFT)))
			break;			/* someone else's memory lies above */
		__offline_top(z, sec, online - cut);
		released += cut;
		give -= cut;
		if (sec->nr_online)
			break;
		__section_remove(z, sec);	/* all of it went: on to the one below */
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

/* Until when (os_now_ms) memory goes back at once; 0: no pressure. */
_Atomic uint64_t pressure_until;

/* reclaim_pressure (internal.h) inside a window: the clock is read only
 * then, and the window closes itself. */
bool reclaim_pressure_check(void)
{
	uint64_t until = atomic_load_explicit(&pressure_until, memory_order_relaxed);
	if (!until)
		return false;
	if (os_now_ms() < until)
		return true;
	atomic_compare_exchange_strong(&pressure_until, &until, 0);
	return false;
}

static size_t __release_mmap_sections(struct zone *z);

/* After pages came back to z: the watermarks, and the top of the break. */
void __zone_after_free(struct zone *z)
{
	bool pressure = reclaim_pressure();
	if (z->free_dirty > pages_of(opt.wmark_high))
		__buddy_decommit(z, pages_of(opt.wmark_low));
	if (z->id == ZONE_BRK)
		__brk_trim(z, pressure ? 0 : opt.top_pad, pressure);
	else if (pressure)
		__release_mmap_sections(z);
}

static size_t zone_give_back(struct zone *z, size_t pad, bool everything)
{
	size_t released;
	lock_acquire(&z->lock);
	if (z->id == ZONE_BRK)
		released = __brk_trim(z, pad, true);
	else
		released = __release_mmap_sections(z);
	if (everything)
		released += __buddy_decommit(z, 0);
	z->dirty_floor = z->free_dirty;
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
	return released;
}

/* Direct reclaim: whole free sections back, before a request fails. */
size_t node_reclaim(void)
{
	size_t released = 0;
	struct tcache *tc = tls_tc;
	if (tc != &tcache_empty)
		pcp_drain_all(tc);
	released += large_cache_flush();
	for (int i = 0; i < NR_ZONES; i++)
		released += zone_give_back(&node.zones[i], 0, false);
	return released;
}

/* A request failed: direct reclaim, and for a while memory freed goes
 * back at once (reclaim_pressure). */
size_t node_reclaim_failed(void)
{
	uint64_t span = opt.decay_ms > 1000 ? opt.decay_ms : 1000;
	atomic_store_explicit(&pressure_until, os_now_ms() + span, memory_order_relaxed);
	return node_reclaim();
}

/* malloc_trim: everything that can go back, goes; the break keeps `pad`. */
int ba_trim(size_t pad)
{
	size_t released = 0;
	struct tcache *tc = tls_tc;
	if (tc != &tcache_empty) {
		released += slab_trim(tc);
		pcp_drain_all(tc);
	}
	released += large_cache_flush();
	for (int i = 0; i < NR_ZONES; i++)
		released += zone_give_back(&node.zones[i], pad, true);
	return released != 0;
}

/* Decay: what stayed free and unused for a whole period goes back. */
static void decay(uint64_t now)
{
	for (int i = 0; i < NR_ZONES; i++) {
		struct zone *z = &node.zones[i];
		lock_acquire(&z->lock);
		size_t floor = z->dirty_floor, min = pages_of(opt.wmark_min);
		if (floor > min && z->free_dirty > min) {
			size_t excess = floor - min;
			__buddy_decommit(z, z->free_dirty > excess ? z->free_dirty - excess : 0);
		}
		z->dirty_floor = z->free_dirty;
		if (z->id == ZONE_BRK) {
			z->sticky_pad /= 2;
			z->regrow_watch = false;
			__brk_trim(z, opt.top_pad, false);
		}
		lock_release(&z->lock);
	}
	large_cache_decay(now);
}

static _Atomic uint64_t next_decay;
static __thread unsigned tick_count __attribute__((tls_model("initial-exec")));

/* Called on slow paths; every so often, looks at the clock. */
void ba_tick(void)
{
	if (++tick_count & 15)
		return;
	uint64_t now = os_now_ms(), due = atomic_load_explicit(&next_decay, memory_order_relaxed);
	struct tcache *tc = tls_tc;
	if (tc != &tcache_empty && tc->chunk_slot && now >= opt.decay_ms)
		large_slot_flush(tc, now - opt.decay_ms);	/* the shared decay takes it from there */
	if (now < due)
		return;
	if (!atomic_compare_exchange_strong(&next_decay, &due, now + opt.decay_ms))
		return;			/* another thread does this period's decay */
	if (due != 0)
		decay(now);
}
