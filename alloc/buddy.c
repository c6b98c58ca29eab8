/*
 * buddy.c - the free_area lists of a zone: split on allocation, merge with
 * the buddy on free (the kernel's expand() and __free_one_page()).
 *
 * Every function here is called with zone->lock held.
 *
 * Invariants (checked by check.c in a debug build):
 *   - a block on free_area[k] is a PG_FREE head of order k, aligned to
 *     2^k pages inside its section, and no other head lies inside it;
 *   - two free buddies of the same order are never both on the lists;
 *   - free_area[k].nr_free and zone->free_pages equal what the lists hold.
 * A block's `zeroed` flag survives splits and is the AND of both halves
 * on a merge, so calloc knows which pages are still as the OS gave them.
 * Metadata follows memory: a large block given back to the OS gives back
 * the pages of its tails' descriptors too (__buddy_decommit).
 */
#include "buddy.h"
#include "list.h"
#include "os.h"
#include "section.h"

/* From this order up, a decommitted block's tail descriptors span whole
 * pages (64 a page), which go back with it: a tail descriptor is all zero
 * (PG_TAIL, tail_dist 0), which is what the zero page reads. */
#define META_DECOMMIT_ORDER	8

static struct page **list_of(struct zone *z, unsigned order, bool zeroed)
{
	return zeroed ? &z->free_area[order].clean : &z->free_area[order].head;
}

static void add_free(struct zone *z, struct section *sec, size_t pfn, unsigned order, bool zeroed)
{
	struct page *pg = &sec->pages[pfn];
	pg->order = (uint8_t)order;
	pg->zeroed = zeroed;
	pg->run_pages = 0;
	pg->sec = sec;
	pg->kind = PG_FREE;
	page_list_add(list_of(z, order, zeroed), pg);
	z->free_area[order].nr_free++;
	z->free_pages += (size_t)1 << order;
	if (!zeroed)
		z->free_dirty += (size_t)1 << order;
}

void __buddy_del_free(struct zone *z, struct page *pg, unsigned order)
{
	page_list_del(list_of(z, order, pg->zeroed), pg);
	z->free_area[order].nr_free--;
	z->free_pages -= (size_t)1 << order;
	if (!pg->zeroed)
		z->free_dirty -= (size_t)1 << order;
}

/* The lowest free_dirty of the decay period, noted once an operation is
 * over (a split takes a whole block off before it gives halves back). */
static void note_floor(struct zone *z)
{
	if (z->free_dirty < z->dirty_floor)
		z->dirty_floor = z->free_dirty;
}

/*
 * Takes a block of exactly `order` from the lists, splitting a larger one
 * (expand): the upper halves go back as free blocks of falling order. The
 * head is returned still marked PG_FREE; the caller gives it its kind.
 */
struct page *__buddy_alloc(struct zone *z, unsigned order, struct section **secp)
{
	unsigned o;
	struct page *pg = NULL;
	for (o = order; o < MAX_ORDER && !pg; o++)
		pg = z->free_area[o].head;
	for (o = order; o < MAX_ORDER && !pg; o++)
		pg = z->free_area[o].clean;
	if (!pg)
		return NULL;
	o = pg->order;

	struct section *sec = pg->sec;
	size_t pfn = page_pfn(sec, pg);
	bool zeroed = pg->zeroed;

	__buddy_del_free(z, pg, o);
	while (o > order) {
		o--;
		add_free(z, sec, pfn + ((size_t)1 << o), o, zeroed);
	}
	pg->order = (uint8_t)order;
	*secp = sec;
	note_floor(z);
	return pg;
}

/*
 * Gives the block [pfn, pfn + 2^order) back and merges it with its buddy
 * for as long as the buddy is a free block of the same order.
 */
void __buddy_free(struct zone *z, struct section *sec, size_t pfn, unsigned order, bool zeroed)
{
	sec->pages[pfn].kind = PG_TAIL;
	sec->pages[pfn].run_pages = 0;	/* a run's length: no tail may keep one (section.h) */
	while (order < MAX_ORDER - 1) {
		size_t bpfn = pfn ^ ((size_t)1 << order);
		struct page *b = &sec->pages[bpfn];
		if (b->kind != PG_FREE || b->order != order || bpfn >= sec->nr_online)
			break;
		__buddy_del_free(z, b, order);
		zeroed = zeroed && b->zeroed;
		b->kind = PG_TAIL;
		pfn &= ~((size_t)1 << order);
		order++;
	}
	add_free(z, sec, pfn, order, zeroed);
}

/* Largest order whose block starts at pfn and ends by end. */
static unsigned fit_order(size_t pfn, size_t end)
{
	unsigned o = pfn ? (unsigned)__builtin_ctzl(pfn) : MAX_ORDER - 1;
	if (o > MAX_ORDER - 1)
		o = MAX_ORDER - 1;
	while (pfn + ((size_t)1 << o) > end)
		o--;
	return o;
}

/* Frees any page range, as the aligned blocks it is made of. */
void __buddy_free_range(struct zone *z, struct section *sec, size_t pfn, size_t npages, bool zeroed)
{
	size_t end = pfn + npages;
	while (pfn < end) {
		unsigned o = fit_order(pfn, end);
		__buddy_free(z, sec, pfn, o, zeroed);
		pfn += (size_t)1 << o;
	}
}

/* The free block holding page pfn, or NULL: at most one head per order can. */
struct page *__buddy_block_of(struct section *sec, size_t pfn, size_t *headp)
{
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		size_t h = pfn & ~(((size_t)1 << o) - 1);
		struct page *pg = &sec->pages[h];
		if (pg->kind == PG_FREE && pg->order == o) {
			*headp = h;
			return pg;
		}
	}
	return NULL;
}

/*
 * Takes exactly the pages [pfn, pfn + npages) off the free lists if every
 * one of them is free (realloc growing a run in place). The parts of the
 * free blocks that stick out go back to the lists. False, and nothing
 * changed, when any page is not free.
 */
bool __buddy_claim(struct zone *z, struct section *sec, size_t pfn, size_t npages)
{
	size_t end = pfn + npages, p, h;
	if (end > sec->nr_online)
		return false;
	for (p = pfn; p < end; p = h + ((size_t)1 << sec->pages[h].order))
		if (!__buddy_block_of(sec, p, &h))
			return false;
	for (p = pfn; p < end;) {
		struct page *pg = __buddy_block_of(sec, p, &h);
		unsigned o = pg->order;
		size_t bend = h + ((size_t)1 << o);
		bool zeroed = pg->zeroed;
		__buddy_del_free(z, pg, o);
		pg->kind = PG_TAIL;
		if (h < pfn)
			__buddy_free_range(z, sec, h, pfn - h, zeroed);
		if (bend > end)
			__buddy_free_range(z, sec, end, bend - end, zeroed);
		p = bend;
	}
	note_floor(z);
	return true;
}

/* Empties the lists before fork.c refills them from the descriptors. */
void __buddy_reset(struct zone *z)
{
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		z->free_area[o].head = NULL;
		z->free_area[o].clean = NULL;
		z->free_area[o].nr_free = 0;
	}
	z->free_pages = 0;
	z->free_dirty = 0;
	z->dirty_floor = 0;
	for (unsigned i = 0; i < DECAY_SLICES; i++)
		z->floor_ring[i] = 0;
}

/*
 * Gives resident free blocks back to the OS (madvise) until at most
 * `keep` free pages of z stay resident, largest blocks first. The blocks
 * stay free, now clean: zero and costing nothing. Returns pages given.
 */
size_t __buddy_decommit(struct zone *z, size_t keep)
{
	size_t done = 0;
	for (int o = MAX_ORDER - 1; o >= 0 && z->free_dirty > keep; o--) {
		struct page *pg;
		while (z->free_dirty > keep && (pg = z->free_area[o].head) != NULL) {
			struct section *sec = pg->sec;
			size_t pfn = page_pfn(sec, pg);
			__buddy_del_free(z, pg, (unsigned)o);
			os_decommit((void *)pfn_address(sec, pfn), PAGE_SIZE << o);
			if (o >= META_DECOMMIT_ORDER)	/* the tails' descriptors: zeros */
				os_decommit_inner(&sec->pages[pfn + 1],
						  (((size_t)1 << o) - 1) * sizeof(struct page));
			add_free(z, sec, pfn, (unsigned)o, true);
			done += (size_t)1 << o;
		}
	}
	return done;
}
