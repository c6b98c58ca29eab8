/*
 * buddy.c - proves split and merge keep the buddy invariants: on random
 * sequences of block allocations, exact runs, range frees and in-place
 * claims on a private zone, no page is ever handed out twice, every
 * page is either free or held, __check_zone (lists, counts, no unmerged
 * free buddies) holds after every operation, and once everything is
 * freed each section is whole again (one free block of order 10).
 */
#include "unit.h"

#define NSEC	3
#define NHELD	4096

struct held { struct section *sec; size_t pfn, npages; };
static struct held held[NHELD];
static int nheld;
static unsigned char owner[NSEC * PAGES_PER_SECTION];	/* 1 = handed out */
static struct section *secs[NSEC];

static int sec_index(struct section *sec)
{
	for (int i = 0; i < NSEC; i++)
		if (secs[i] == sec)
			return i;
	for (int i = 0; i < NSEC; i++)
		if (!secs[i])
			return secs[i] = sec, i;
	return -1;
}

static void take(struct section *sec, size_t pfn, size_t n)
{
	int si = sec_index(sec);
	CHECK(si >= 0, "more sections than expected");
	for (size_t i = 0; i < n; i++) {
		CHECK(!owner[si * PAGES_PER_SECTION + pfn + i], "page %zu handed out twice", pfn + i);
		owner[si * PAGES_PER_SECTION + pfn + i] = 1;
	}
	held[nheld++] = (struct held){ sec, pfn, n };
}

static void give(int i)
{
	int si = sec_index(held[i].sec);
	for (size_t k = 0; k < held[i].npages; k++)
		owner[si * PAGES_PER_SECTION + held[i].pfn + k] = 0;
	held[i] = held[--nheld];
}

static size_t held_pages(void)
{
	size_t n = 0;
	for (int i = 0; i < nheld; i++)
		n += held[i].npages;
	return n;
}

int main(void)
{
	struct zone z = { .id = ZONE_MMAP, .name = "test" };
	struct rng rng;
	rng_seed(&rng, 0x1234567);

	for (int step = 0; step < 20000; step++) {
		unsigned op = rng_next(&rng) % 8;
		if (nheld > 0 && (op < 3 || nheld == NHELD)) {
			int i = (int)(rng_next(&rng) % (uint64_t)nheld);
			__buddy_free_range(&z, held[i].sec, held[i].pfn, held[i].npages, false);
			give(i);
		} else if (op < 6) {
			/* an exact run: a block, its tail given back (alloc_pages_exact) */
			size_t n = 1 + rng_next(&rng) % (op == 5 ? 700 : 40);
			unsigned order = order_of_pages(n);
			struct section *sec;
			struct page *pg = __buddy_alloc(&z, order, &sec);
			if (!pg && z.managed_pages < NSEC * PAGES_PER_SECTION) {
				pg = __zone_alloc(&z, order, &sec);
			}
			if (!pg)
				continue;
			size_t pfn = page_pfn(sec, pg);
			CHECK((pfn & (((size_t)1 << order) - 1)) == 0, "block of order %u at pfn %zu", order, pfn);
			pg->kind = PG_RUN;
			pg->run_pages = (uint32_t)n;
			if (n < ((size_t)1 << order))
				__buddy_free_range(&z, sec, pfn + n, ((size_t)1 << order) - n, false);
			take(sec, pfn, n);
		} else if (nheld > 0) {
			/* grow a run in place, when the pages after it are free */
			int i = (int)(rng_next(&rng) % (uint64_t)nheld);
			size_t extra = 1 + rng_next(&rng) % 8;
			struct held h = held[i];
			if (h.pfn + h.npages + extra > PAGES_PER_SECTION)
				continue;
			int si = sec_index(h.sec);
			bool all_free = true;
			for (size_t k = 0; k < extra; k++)
				all_free &= !owner[si * PAGES_PER_SECTION + h.pfn + h.npages + k];
			bool ok = __buddy_claim(&z, h.sec, h.pfn + h.npages, extra);
			CHECK(ok == all_free, "claim said %d, pages free %d", ok, all_free);
			if (ok) {
				h.sec->pages[h.pfn].run_pages = (uint32_t)(h.npages + extra);
				give(i);
				take(h.sec, h.pfn, h.npages + extra);
			}
		}
		__check_zone(&z);
		CHECK(z.free_pages + held_pages() == z.managed_pages,
		      "free %zu + held %zu != managed %zu", z.free_pages, held_pages(), z.managed_pages);
	}
	while (nheld) {
		__buddy_free_range(&z, held[0].sec, held[0].pfn, held[0].npages, false);
		give(0);
	}
	__check_zone(&z);
	CHECK(z.free_area[MAX_ORDER - 1].nr_free == z.managed_pages / PAGES_PER_SECTION,
	      "%zu whole sections free, %zu managed pages", z.free_area[MAX_ORDER - 1].nr_free, z.managed_pages);
	for (unsigned o = 0; o < MAX_ORDER - 1; o++)
		CHECK(z.free_area[o].nr_free == 0, "order %u still has %zu blocks", o, z.free_area[o].nr_free);

	/* zeroed: a fresh section is zero; a dirty page makes its merged block dirty */
	struct zone z2 = { .id = ZONE_MMAP, .name = "zeroed" };
	struct section *sec;
	struct page *a = __zone_alloc(&z2, 0, &sec);
	CHECK(a && a->zeroed, "a fresh page is zeroed");
	CHECK(z2.free_area[0].clean && z2.free_area[0].clean->zeroed, "its split-off buddy too, on the clean list");
	__buddy_free(&z2, sec, page_pfn(sec, a), 0, false);
	struct page *whole = __buddy_alloc(&z2, MAX_ORDER - 1, &sec);
	CHECK(whole && page_pfn(sec, whole) == 0, "merged back into one block");
	CHECK(whole && !whole->zeroed, "a block holding a dirty page is not zeroed");
	__buddy_free(&z2, sec, 0, MAX_ORDER - 1, false);
	__check_zone(&z2);
	return unit_done("buddy");
}
