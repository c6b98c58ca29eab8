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

void node_init(void)
{
	static const char *const names[NR_ZONES] = { "brk", "mmap" };
	for (int i = 0; i < NR_ZONES; i++) {
		struct zone *z = &node.zones[i];
		lock_init(&z->lock);
		z->id = (enum zone_type)i;
		z->name = names[i];
		z->can_grow = i == ZONE_MMAP || opt.brk;
	}
	node.nr_zonelist = 0;
	if (opt.brk)
		node.zonelist[node.nr_zonelist++] = ZONE_BRK;
	node.zonelist[node.nr_zonelist++] = ZONE_MMAP;
}

/* Adds one section to z: all of it one free block of the largest order. */
static bool __zone_grow(struct zone *z)
{
	uintptr_t base;

	if (!z->can_grow)
		return false;
	if (z->id == ZONE_BRK) {
		base = os_brk_section();
		if (!base)
			base = os_brk_section();	/* once more: the break may have moved under us */
		if (!base) {
			z->can_grow = false;
			return false;
		}
	} else {
		base = (uintptr_t)os_map_aligned(SECTION_SIZE, SECTION_SIZE);
		if (!base)
			return false;
	}
	struct section *sec = section_create(z, base);
	if (!sec) {
		if (z->id == ZONE_MMAP)
			os_unmap((void *)base, SECTION_SIZE);
		else
			z->can_grow = false;	/* keep the break; the zone just stops growing */
		return false;
	}
	z->managed_pages += PAGES_PER_SECTION;
	__buddy_free(z, sec, 0, MAX_ORDER - 1, true);
	sec->next = atomic_load_explicit(&z->sections, memory_order_relaxed);
	atomic_store_explicit(&z->sections, sec, memory_order_release);
	return true;
}

/* A block of `order` from z, growing z when its lists cannot serve it. */
struct page *__zone_alloc(struct zone *z, unsigned order, struct section **secp)
{
	struct page *pg = __buddy_alloc(z, order, secp);
	if (!pg && __zone_grow(z))
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
	lock_acquire(&z->lock);
	__buddy_free_range(z, sec, page_pfn(sec, head), head->head, false);
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
	ok = __buddy_claim(z, sec, pfn + head->head, npages - head->head);
	if (ok)
		head->head = (uint32_t)npages;
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
	head->head = (uint32_t)npages;
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
}
