/*
 * types.h - every structure of the allocator, and the words used for them.
 *
 * Glossary (the kernel's names, moved to user space):
 *   node        the one process-wide memory manager: its zones and zonelist.
 *   zone        memory of one source, ZONE_BRK (the program break) or
 *               ZONE_MMAP (anonymous mappings); each is a buddy allocator
 *               with its own lock.
 *   section     a 4 MiB, 4 MiB-aligned range of addresses. A zone section
 *               carries an out-of-band array of 1024 page descriptors; a
 *               mapped chunk (one mmap for one large request) carries a small
 *               descriptor of its own. The section table maps any address
 *               to its section in O(1), without a lock.
 *   page        a 4 KiB frame, described by a struct page in its section.
 *   pfn         a page's index inside its section, 0..1023.
 *   order       a block of 2^order pages, aligned to its own size, 0..10.
 *   free_area   per zone and order, the list of free blocks of that order.
 *   run         whole pages handed out for one request; any length.
 *   slab        a block of pages cut into objects of one size class.
 *   size class  one of NR_CLASSES object sizes, 16 bytes .. SLAB_MAX.
 *   page cache  a thread's lists of free small-order blocks, refilled and
 *               drained `batch` pages at a time (the kernel's per_cpu_pages).
 *   tcache      all one thread owns: its active and partial slabs, its page
 *               caches and its counters. Reused by a later thread when the
 *               thread exits.
 *
 * Invariants kept by every file:
 *   - Only the head page of a block or run says what it is; every other
 *     page of it is PG_TAIL (slab tails also record their distance to the
 *     head, so an object in a slab's second page finds its slab).
 *   - A page descriptor changes kind with a single store, after the
 *     block's other fields are written, so the descriptors alone always
 *     tell which blocks are free (fork.c rebuilds lists from them).
 */
#ifndef BUDDY_TYPES_H
#define BUDDY_TYPES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lock.h"
#include "../stats/counters.h"

#define PAGE_SHIFT		12
#define PAGE_SIZE		((size_t)1 << PAGE_SHIFT)
#define MAX_ORDER		11			/* orders 0..10 */
#define SECTION_SHIFT		(PAGE_SHIFT + MAX_ORDER - 1)	/* 4 MiB */
#define SECTION_SIZE		((size_t)1 << SECTION_SHIFT)
#define PAGES_PER_SECTION	((size_t)1 << (MAX_ORDER - 1))
#define ADDRESS_BITS		47			/* x86-64 user space */

#define SLAB_MAX		32768			/* largest slab object */
#define NR_CLASSES		40
#define SLAB_MAX_ORDER		5
#define PCP_MAX_ORDER		5			/* page caches hold orders 0..5 */
#define MIN_ALIGN		16

enum zone_type { ZONE_BRK, ZONE_MMAP, NR_ZONES };

enum page_kind {
	PG_TAIL = 0,	/* inside a block or run; zero so fresh descriptors are tails */
	PG_FREE,	/* head of a block on its zone's free_area list */
	PG_PCP,		/* head of a free block in some thread's page cache */
	PG_RUN,		/* head of a run handed out to the program */
	PG_SLAB,	/* head of a slab */
};

struct tcache;

/*
 * One page frame. 64 bytes, like the kernel's; the slab fields overlay
 * nothing else so a slab head is a struct slab and a struct page at once.
 */
struct page {
	uint8_t kind;		/* enum page_kind */
	uint8_t order;		/* FREE, PCP, SLAB: the block's order */
	uint8_t zeroed;		/* FREE, PCP: every byte of the block is zero */
	uint8_t cls;		/* SLAB: size class */
	uint32_t head;		/* RUN: pages in the run; TAIL of a slab: distance to its head */
	struct page *next;	/* free_area, page cache or slab list */
	struct page *prev;
	/* slab heads only */
	void *free;		/* local free list, owner only */
	_Atomic uintptr_t remote;	/* objects freed by other threads | SLAB_NOTIFY */
	_Atomic(struct tcache *) owner;	/* NULL when on a shared list or full */
	uint32_t inuse;		/* objects handed out and not freed locally or collected */
	uint32_t bump;		/* objects ever carved out of the slab */
	struct section *sec;	/* SLAB, RUN: the section, for addresses */
};

/* The word that starts both kinds of section descriptor. */
enum section_kind { SEC_ZONE = 1, SEC_CHUNK };
struct sec_head {
	uint8_t kind;		/* enum section_kind */
};

/* A 4 MiB section of a zone, with its page descriptors. */
struct section {
	struct sec_head h;
	struct zone *zone;
	uintptr_t base;			/* address of page 0 */
	uint32_t nr_online;		/* pages [0, nr_online) are the zone's (the top
					 * of the break can end inside a section) */
	struct section *_Atomic next;	/* the zone's sections, newest first */
	struct page pages[PAGES_PER_SECTION];
};

/* One mapped chunk: a request at or above the mmap threshold. */
struct chunk {
	struct sec_head h;
	uint8_t zeroed;		/* never written since mmap */
	uint8_t cached;		/* freed, kept mapped for reuse (large.c) */
	uintptr_t base;		/* start of the mapping; SECTION_SIZE aligned */
	size_t maplen;		/* bytes mapped from base */
	uintptr_t user;		/* the pointer the program holds */
	struct chunk *next;	/* free descriptor list */
};

/*
 * The free blocks of one order, in two lists: `head` holds blocks that may
 * be resident (written since the OS gave them), `clean` blocks that are
 * zero and cost no memory (fresh, or given back with madvise). Allocation
 * takes resident blocks first, so it faults in nothing it can avoid.
 */
struct free_area {
	struct page *head;	/* doubly linked through page->next/prev */
	struct page *clean;
	size_t nr_free;		/* both lists */
};

struct zone {
	struct lock lock;
	enum zone_type id;
	const char *name;
	bool stuck;			/* brk: the break refused to move; for good */
	size_t sticky_pad;		/* brk: pages kept on top because a trim was
					 * undone soon after (reclaim.c) */
	bool regrow_watch;		/* brk: trimmed this period; growth now is a regrow */
	struct free_area free_area[MAX_ORDER];
	size_t free_pages;		/* pages on the free_area lists */
	size_t free_dirty;		/* of those, pages on the resident lists */
	size_t dirty_floor;		/* lowest free_dirty since the last decay */
	size_t managed_pages;		/* pages of all sections */
	size_t max_managed;		/* the most managed_pages ever were */
	struct section *_Atomic sections;	/* published only when whole */
};

struct node {
	struct zone zones[NR_ZONES];
	enum zone_type zonelist[NR_ZONES];
	int nr_zonelist;
};

/* A thread's page cache for one zone. */
struct pcp {
	struct page *lists[PCP_MAX_ORDER + 1];	/* singly linked through ->next */
	uint32_t count;				/* pages held */
};

/* A size class as data (sizeclass.c). */
struct size_class {
	uint32_t size;
	uint8_t order;		/* slab block order */
	uint16_t capacity;	/* objects per slab */
	uint32_t recip;		/* ceil(2^32 / size): offset -> index by multiply */
};

/* The shared list of one size class: slabs whose owner left them. */
struct kmem_cache {
	struct lock lock;
	struct page *partial;	/* slabs with free objects and no owner */
	size_t nr_partial;
};

struct tcache {
	struct page *active[NR_CLASSES];	/* never NULL: &dummy_slab when none */
	struct page *partial[NR_CLASSES];	/* owned slabs with free objects */
	uint8_t nr_empty[NR_CLASSES];		/* of those, empty ones kept (slab_reserve) */
	struct pcp pcp[NR_ZONES];
	struct chunk *chunk_slot;		/* the last mapped chunk freed (large.c) */
	uint64_t chunk_slot_time;		/* when, in os_now_ms() time */
	struct tcache *_Atomic next;		/* registry, push only */
	_Atomic int in_use;			/* a live thread holds it */
	volatile int busy;			/* in a slow path: lists may be mid-update */
	struct thread_counters stat;		/* plain counters, read racily */
};

#endif
