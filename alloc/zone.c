/*
 * zone.c - the node, its zonelist, and how zones grow.
 *
 * ZONE_BRK takes 4 MiB sections from the program break; ZONE_MMAP maps
 * them. The zonelist tries ZONE_BRK first; once the break cannot grow
 * (another user of sbrk in the way, a mapping above the heap, RLIMIT_DATA,
 * or brk turned off by option) that zone stops growing for good and
 * ZONE_MMAP serves what ZONE_BRK's free lists cannot. ZONE_MMAP never
 * gives up: a refused mmap is retried on the next request, so memory
 * comes back once the program frees some.
 *
 * Page runs (requests between SLAB_MAX and the mmap threshold) are cut
 * here, exact to the page: a run of n pages takes a block of order
 * ceil(log2 n) and gives the tail back (the kernel's alloc_pages_exact).
 *
 * Lock: each zone's lock guards its free_area lists and counters; it is
 * held across the system calls that grow the zone. Never two zones at once.
 */
#include "buddy.h"
#include "check.h"
#include "options.h"
#include "os.h"
#include "pressure.h"
#include "section.h"
#include "zone.h"

#define BRK_STEP_PAGES		16		/* the break moves 64 KiB at a time, at least */
#define STICKY_PAD_MAX_PAGES	(((size_t)1 << 30) >> PAGE_SHIFT)	/* 1 GiB */

void node_init(void)
{
	static const char *const names[NR_ZONES] = { "brk", "mmap" };
	for (int i = 0; i < NR_ZONES; i++) {
		struct zone *z = &heap.node.zones[i];
		lock_init(&z->lock);
		z->id = (enum zone_type)i;
		z->name = names[i];
	}
	/* ZONE_BRK stays on the list even with brk=0: it simply never grows */
	heap.node.nr_zonelist = 0;
	heap.node.zonelist[heap.node.nr_zonelist++] = ZONE_BRK;
	heap.node.zonelist[heap.node.nr_zonelist++] = ZONE_MMAP;
}

/*
 * Brings more of a ZONE_BRK section online, enough for a free block of
 * `order` plus top_pad, by moving the break up: the zone grows a little at
 * a time, as glibc's heap does, so its size says what the program uses.
 */
static bool __brk_online(struct zone *z, struct section *sec, unsigned order)
{
	size_t online = sec->nr_online, need = (size_t)1 << order;
	size_t start = align_up(online, need), target;
	if (start + need > PAGES_PER_SECTION)
		return false;
	target = align_up(start + need + pages_of(opt.top_pad), BRK_STEP_PAGES);
	if (target > PAGES_PER_SECTION)
		target = PAGES_PER_SECTION;
	uintptr_t top = sec->base + (online << PAGE_SHIFT);
	if (!os_brk_move(top, (intptr_t)((target - online) << PAGE_SHIFT))) {
		target = start + need;		/* without the pad, then */
		if (!os_brk_move(top, (intptr_t)((target - online) << PAGE_SHIFT)))
			return false;
	}
	sec->nr_online = (uint32_t)target;
	z->managed_pages += target - online;
	if (z->regrow_watch && z->sticky_pad < STICKY_PAD_MAX_PAGES)
		z->sticky_pad += target - online;	/* a trim undone: keep it next time */
	__buddy_free_range(z, sec, online, target - online, true);
	return true;
}

static void __publish(struct zone *z, struct section *sec)
{
	sec->next = atomic_load_explicit(&z->sections, memory_order_relaxed);
	atomic_store_explicit(&z->sections, sec, memory_order_release);
}

/*
 * The top ZONE_BRK section cannot hold a block of `order` (its alignment
 * reaches past the section's end): the rest of it comes online first, as
 * smaller free blocks, rather than becoming padding that counts against
 * RLIMIT_AS and RLIMIT_DATA and serves nothing.
 */
static bool __brk_fill(struct zone *z, struct section *top)
{
	size_t online = top->nr_online, rest = PAGES_PER_SECTION - online;
	uintptr_t end = top->base + (online << PAGE_SHIFT);

	if (!rest || end != os_brk_top())
		return true;	/* full, or the break is not ours to move */
	if (!os_brk_move(end, (intptr_t)(rest << PAGE_SHIFT)))
		return false;
	top->nr_online = PAGES_PER_SECTION;
	z->managed_pages += rest;
	__buddy_free_range(z, top, online, rest, true);
	return true;
}

/*
 * A new ZONE_BRK section on the next boundary, with a block of `order`
 * online. When the limit refuses its pages, it is all undone, the break
 * back where it was: an empty section left on top would keep every free
 * page below it from being trimmed (and its padding would be lost), so
 * the memory freed after ENOMEM would not all come back.
 */
static bool __brk_new_section(struct zone *z, struct section *top, unsigned order)
{
	uintptr_t pad, base;
	struct section *sec;

	if (top && !__brk_fill(z, top))
		return false;
	if ((base = os_brk_align(&pad)) == 0)
		return false;
	sec = section_create(z, base);
	if (sec) {
		sec->brk_pad = pad;
		sec->nr_online = 0;
		__publish(z, sec);
		if (__brk_online(z, sec, order))
			return true;
		/* no page of it came online: it is the newest, first on the list */
		atomic_store_explicit(&z->sections, sec->next, memory_order_release);
		section_unmap(sec->base, SECTION_SIZE);
		section_retire(sec);
	}
	if (pad < base)
		os_brk_move(base, -(intptr_t)(base - pad));
	return false;
}

/* Grows z so that it can serve a block of `order`. */
static bool __zone_grow(struct zone *z, unsigned order)
{
	struct section *sec;
	bool ok = false;

	if (z->id == ZONE_BRK && (!opt.brk || z->stuck))
		return false;	/* brk off by option, or the break refused to move */
	if (z->id == ZONE_BRK) {
		sec = atomic_load(&z->sections);
		if (sec && __brk_online(z, sec, order)) {
			ok = true;
		} else if (sec && sec->nr_online == 0 && sec->base == os_brk_top()) {
			/* its section is there, empty, at the break: a limit
			 * refused the pages; a second section for the same
			 * addresses would be a double mapping of them */
			if (os_brk_blocked(2 * SECTION_SIZE))
				z->stuck = true;
		} else {
			ok = __brk_new_section(z, sec, order);
			/* ZONE_MMAP serves from now on, if a mapping is in the way;
			 * a limit, though, lifts once memory is freed */
			if (!ok && os_brk_blocked(2 * SECTION_SIZE))
				z->stuck = true;
		}
	} else {
		uintptr_t base = (uintptr_t)os_map_aligned(SECTION_SIZE, SECTION_SIZE);
		if (!base)
			return false;
		sec = section_create(z, base);
		if (!sec) {
			os_unmap((void *)base, SECTION_SIZE);
			return false;
		}
		z->managed_pages += PAGES_PER_SECTION;
		__buddy_free(z, sec, 0, MAX_ORDER - 1, true);
		__publish(z, sec);
		ok = true;
	}
	if (z->managed_pages > z->max_managed)
		z->max_managed = z->managed_pages;
	if (ok)
		pressure_relieved();
	return ok;
}

/* A block of `order` from z, growing z when its lists cannot serve it. */
struct page *__zone_alloc(struct zone *z, unsigned order, struct section **secp)
{
	struct page *pg = __buddy_alloc(z, order, secp);
	if (!pg && __zone_grow(z, order))
		pg = __buddy_alloc(z, order, secp);
	return pg;
}

/* A run longer than a section, given back section by section. */
static void __zone_free_huge(struct zone *z, struct section *sec)
{
	size_t left = sec->pages[0].run_pages;
	uintptr_t next = sec->base + SECTION_SIZE;
	for (;;) {
		size_t here = left < PAGES_PER_SECTION ? left : PAGES_PER_SECTION;
		__buddy_free_range(z, sec, 0, here, false);
		left -= here;
		if (!left)
			break;
		sec = (struct section *)section_lookup((void *)next);
		next += SECTION_SIZE;
	}
}

/*
 * mmap_max=0: a run longer than a section, from the top of the break, as
 * glibc serves such a request from its heap. It takes fresh sections,
 * contiguous from the next section boundary: the first page of the first
 * heads the run (PG_RUN, run_pages = npages), the first page of each later
 * one marks its share (PG_RUN_CONT), and the last one may end part-way,
 * where the zone can grow on. NULL when the break cannot move that far.
 */
struct page *zone_alloc_huge(size_t npages, struct section **secp)
{
	struct zone *z = &heap.node.zones[ZONE_BRK];
	size_t nsec = (npages + PAGES_PER_SECTION - 1) / PAGES_PER_SECTION, i;
	struct section *first = NULL;
	uintptr_t base, pad = 0;

	lock_acquire(&z->lock);
	if (!opt.brk || z->stuck || (base = os_brk_align(&pad)) == 0 ||
	    !os_brk_move(base, (intptr_t)(npages << PAGE_SHIFT))) {
		lock_release(&z->lock);
		return NULL;
	}
	for (i = 0; i < nsec; i++) {
		size_t here = npages - i * PAGES_PER_SECTION;
		struct section *s = section_create(z, base + i * SECTION_SIZE);
		if (!s)
			break;
		if (here > PAGES_PER_SECTION)
			here = PAGES_PER_SECTION;
		s->nr_online = (uint32_t)here;
		s->brk_pad = i ? 0 : pad;
		s->pages[0].run_pages = (uint32_t)(i ? here : npages);
		s->pages[0].sec = s;
		s->pages[0].zeroed = 1;
		s->pages[0].kind = i ? PG_RUN_CONT : PG_RUN;
		__publish(z, s);
		if (!first)
			first = s;
	}
	z->managed_pages += i < nsec ? i * PAGES_PER_SECTION : npages;
	if (z->managed_pages > z->max_managed)
		z->max_managed = z->managed_pages;
	if (i < nsec) {		/* out of metadata: give it all back */
		size_t got = i * PAGES_PER_SECTION;
		os_brk_move(base + (npages << PAGE_SHIFT), -(intptr_t)((npages - got) << PAGE_SHIFT));
		if (first) {
			first->pages[0].run_pages = (uint32_t)got;
			__zone_free_huge(z, first);
		}
		lock_release(&z->lock);
		return NULL;
	}
	atomic_fetch_add_explicit(&heap.runs.run_allocs, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&heap.runs.run_pages, (int64_t)npages, memory_order_relaxed);
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
	pressure_relieved();
	*secp = first;
	return &first->pages[0];
}

/*
 * A run of npages whose first page is aligned to 2^align_order pages.
 * The head's `zeroed` says whether the whole run is still zero.
 */
struct page *zone_alloc_run(size_t npages, unsigned align_order, struct section **secp)
{
	unsigned order = order_of_pages(npages);
	if (order < align_order)
		order = align_order;
	if (order >= MAX_ORDER)
		return NULL;
	for (int i = 0; i < heap.node.nr_zonelist; i++) {
		struct zone *z = &heap.node.zones[heap.node.zonelist[i]];
		lock_acquire(&z->lock);
		struct page *pg = __zone_alloc(z, order, secp);
		if (pg) {
			struct section *sec = *secp;
			size_t pfn = page_pfn(sec, pg);
			size_t block = (size_t)1 << order;
			if (npages < block)
				__buddy_free_range(z, sec, pfn + npages, block - npages, pg->zeroed);
			pg->run_pages = (uint32_t)npages;
			pg->sec = sec;
			pg->kind = PG_RUN;
			atomic_fetch_add_explicit(&heap.runs.run_allocs, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&heap.runs.run_pages, (int64_t)npages, memory_order_relaxed);
			if (debug_checks)
				__check_zone(z);
			lock_release(&z->lock);
			return pg;
		}
		lock_release(&z->lock);
	}
	return NULL;
}

void zone_free_run(struct section *sec, struct page *head)
{
	struct zone *z = sec->zone;
	size_t pfn = page_pfn(sec, head);
	atomic_fetch_add_explicit(&heap.runs.run_frees, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&heap.runs.run_pages, (int64_t)head->run_pages, memory_order_relaxed);
	lock_acquire(&z->lock);
	if (pfn + head->run_pages > PAGES_PER_SECTION)
		__zone_free_huge(z, sec);
	else
		__buddy_free_range(z, sec, pfn, head->run_pages, false);
	__zone_after_free(z);
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
}

/* Grows a run in place to npages if the pages after it are free. */
bool zone_grow_run(struct section *sec, struct page *head, size_t npages)
{
	struct zone *z = sec->zone;
	size_t pfn = page_pfn(sec, head);
	bool ok;

	lock_acquire(&z->lock);
	ok = __buddy_claim(z, sec, pfn + head->run_pages, npages - head->run_pages);
	if (ok) {
		atomic_fetch_add_explicit(&heap.runs.run_pages, (int64_t)(npages - head->run_pages),
					  memory_order_relaxed);
		head->run_pages = (uint32_t)npages;
	}
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
	return ok;
}

/* Shrinks a run in place to npages, giving the tail back. */
void zone_shrink_run(struct section *sec, struct page *head, size_t npages)
{
	struct zone *z = sec->zone;
	size_t pfn = page_pfn(sec, head);

	lock_acquire(&z->lock);
	__buddy_free_range(z, sec, pfn + npages, head->run_pages - npages, false);
	atomic_fetch_sub_explicit(&heap.runs.run_pages, (int64_t)(head->run_pages - npages),
				  memory_order_relaxed);
	head->run_pages = (uint32_t)npages;
	__zone_after_free(z);
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
}

void zone_snapshot(enum zone_type id, struct zone_snap *zs)
{
	struct zone *z = &heap.node.zones[id];
	lock_acquire(&z->lock);
	zs->name = z->name;
	zs->managed = z->managed_pages;
	zs->max_managed = z->max_managed;
	zs->free = z->free_pages;
	zs->dirty = z->free_dirty;
	for (int o = 0; o < MAX_ORDER; o++)
		zs->nr_free[o] = z->free_area[o].nr_free;
	zs->keepcost = z->id == ZONE_BRK ? __brk_keepcost(z) : 0;
	zs->lock_acquired = z->lock.acquired - 1;	/* not this one */
	zs->lock_contended = z->lock.contended;
	lock_release(&z->lock);
}

void zone_run_counters(int64_t out[NR_RUN_COUNTERS])
{
#define X(name, kind, doc) out[RUN_##name] = atomic_load_explicit(&heap.runs.name, memory_order_relaxed);
	RUN_COUNTERS(X)
#undef X
}
