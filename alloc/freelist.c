/*
 * freelist.c - the keys that protect the links inside free objects
 * (freelist.h), and the one-line report of a corrupted list.
 *
 * The keys (heap.link_keys) are set once, at start-up, before any slab
 * exists; they never change afterwards (a forked child keeps them, with
 * its lists).
 * Locks: none taken. The report formats on the stack, writes with a raw
 * system call (no cancellation point, no allocation) and aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "freelist.h"
#include "os.h"
#include "report.h"
#include "section.h"
#include "sizeclass.h"

/* The multiplier is random and odd (and large), so that a small change
 * of a stored word changes the decoded one far above the slab's size. */
void freelist_init(const unsigned char *random16)
{
	uintptr_t m = ((uintptr_t)&heap ^ os_now_ms()) * 0x9e3779b97f4a7c15ull;
	if (random16)
		memcpy(&m, random16 + 8, sizeof(m));	/* the first 8 keyed slab_secret */
	m |= (uintptr_t)1 << 63 | 1;
	uintptr_t inv = m;		/* Newton: each step doubles the correct low bits */
	for (int i = 0; i < 5; i++)
		inv *= 2 - m * inv;
	heap.link_keys.inv = inv;
	heap.link_keys.mul = m;
}

/* "buddymalloc: corrupted free list in slab 0x... (size class N bytes):
 * <what> at 0x...", then SIGABRT, whatever invalid_free says: the heap
 * can no longer be trusted. */
void freelist_corrupt(const struct slab *s, const void *slot, const char *what)
{
	uintptr_t slab = s->sec ? pfn_address(s->sec, page_pfn(s->sec, (const struct page *)s)) : 0;
	report_fmt("buddymalloc: corrupted free list in slab %x (size class %u bytes): %s at %x\n",
		   (uint64_t)slab, (uint64_t)sc_table[s->cls].size, what, (uint64_t)(uintptr_t)slot);
	abort();
}
