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
 * held across the system calls that grow the zone.
 */
#include "internal.h"

struct node node;
struct run_counters run_stat;

void node_init(void)
{
	static const char *const names[NR_ZONES] = { "brk", "mmap" };
	for (int i = 0; i < NR_ZONES; i++) {
		struct zone *z = &node.zones[i];
		lock_init(&z->lock);
		z->id = (enum zone_type)i;
		z->name = names[i];
	}
	/* ZONE_BRK stays on the list even with brk=0: it simply never grows */
	node.nr_zonelist = 0;
	node.zonelist[node.nr_zonelist++] = ZONE_BRK;
	node.zonelist[node.nr_zonelist++] = ZONE_MMAP;
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
	target = align_up(start + need + pages_of(opt.top_pad), 16);
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
	if (z->regrow_watch && z->sticky_pad < (size_t)1 << 30 >> PAGE_SHIFT)
		z->sticky_pad += target - online;	/* a trim undone: keep it next time */
	__buddy_free_range(z, sec, online, target - online, true);
	return true;
}

static void __publish(struct zone *z, struct section *sec)
{
	sec->next = atomic_load_explicit(&z->sections, memory_order_relaxed);
	atomic_store_explicit(&z->sections, sec, memory_order_release);
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
			uintptr_t base = os_brk_align();
			sec = base ? section_create(z, base) : NULL;
			if (sec) {
				sec->nr_online = 0;
				__publish(z, sec);
				ok = __brk_online(z, sec, order);
			}
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
	ba_tick();
	for (int i = 0; i < node.nr_zonelist; i++) {
		struct zone *z = &node.zones[node.zonelist[i]];
		lock_acquire(&z->lock);
		struct page *pg = __zone_alloc(z, order, secp);
		if (pg) {
			struct section *sec = *secp;
			size_t pfn = page_pfn(sec, pg);
			size_t block = (size_t)1 << order;
			if (npages < block)
				__buddy_free_range(z, sec, pfn + npages, block - npages, pg->zeroed);
			pg->head = (uint32_t)npages;
			pg->sec = sec;
			pg->kind = PG_RUN;
			atomic_fetch_add_explicit(&run_stat.run_allocs, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&run_stat.run_pages, (int64_t)npages, memory_order_relaxed);
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
	atomic_fetch_add_explicit(&run_stat.run_frees, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&run_stat.run_pages, (int64_t)head->head, memory_order_relaxed);
	lock_acquire(&z->lock);
	__buddy_free_range(z, sec, page_pfn(sec, head), head->head, false);
	__zone_after_free(z);
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
	ba_tick();
}

/* Grows a run in place to npages if the pages after it are free. */
bool zone_grow_run(struct section *sec, struct page *head, size_t npages)
{
	struct zone *z = sec->zone;
	size_t pfn = page_pfn(sec, head);
	bool ok;

	lock_acquire(&z->lock);
	ok = __buddy_claim(z, sec, pfn + head->head, npages - head->head);
	if (ok) {
		atomic_fetch_add_explicit(&run_stat.run_pages, (int64_t)(npages - head->head),
					  memory_order_relaxed);
		head->head = (uint32_t)npages;
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
	__buddy_free_range(z, sec, pfn + npages, head->head - npages, false);
	atomic_fetch_sub_explicit(&run_stat.run_pages, (int64_t)(head->head - npages),
				  memory_order_relaxed);
	head->head = (uint32_t)npages;
	__zone_after_free(z);
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
}
