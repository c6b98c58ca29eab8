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
 *     page of it is PG_TAIL. A slab's tails record their distance to the
 *     head (tail_dist), so an object in a slab's second page finds its
 *     slab; every other tail's tail_dist is 0.
 *   - A page descriptor changes kind with a single store, after the
 *     block's other fields are written, so the descriptors alone always
 *     tell which blocks are free (fork.c rebuilds lists from them).
 */
#ifndef BUDDY_TYPES_H
#define BUDDY_TYPES_H

#include <pthread.h>
#include <stdatomic.h>

#include "base.h"
#include "counters.h"
#include "lock.h"

enum zone_type { ZONE_BRK, ZONE_MMAP, NR_ZONES };

enum page_kind {
	PG_TAIL = 0,	/* inside a block or run; zero so fresh descriptors are tails */
	PG_FREE,	/* head of a block on its zone's free_area list */
	PG_PCP,		/* head of a free block in some thread's page cache */
	PG_RUN,		/* head of a run handed out to the program */
	PG_SLAB,	/* head of a slab: read it as a struct slab */
	PG_RUN_CONT,	/* page 0 of a later section of a run longer than a
			 * section (zone_alloc_huge): run_pages is its share */
};

struct tcache;
struct section;

/*
 * One page frame: 32 bytes, half the kernel's, so the descriptors of a
 * section cost 0.8% of its pages and not 1.6%: they stay resident as long
 * as one block they describe is in use, which after a fragmenting load and
 * malloc_trim is nearly all of them. Every kind reads these four words; a
 * slab, which spans at least four pages (sizeclass.c), has a larger head:
 * struct slab below covers its own descriptor and its next two pages'.
 */
struct page {
	uint8_t kind;		/* enum page_kind */
	uint8_t order;		/* FREE, PCP, SLAB: the block's order */
	union {
		uint8_t zeroed;	/* FREE, PCP: every byte of the block is zero */
		uint8_t sampled; /* RUN: the block is sampled (classify.h) */
	};
	uint8_t cls;		/* SLAB: size class */
	union {
		uint32_t run_pages;	/* RUN head: pages in the run (RUN_CONT: here) */
		uint16_t tail_dist;	/* TAIL of a slab: distance to its head; else 0 */
	};
	struct page *next;	/* free_area, page cache or slab list */
	struct page *prev;
	struct section *sec;	/* every head: its section */
};

/*
 * The slab view of a PG_SLAB head page: the head's descriptor and the
 * next two (a slab spans at least four pages: sizeclass.c), 96 bytes. The
 * first four words are struct page's (asserted below). The second and
 * third descriptors must still read as what they are, the slab's tails at
 * distance 1 and 2, to page_head_of() (section.h), which any thread may
 * run at any time: so their kind bytes are PG_TAIL and their tail_dist 1
 * and 2 for the slab's whole life, and the slab's own fields use only the
 * bytes no reader of a tail looks at (a tail's list words, and the bytes
 * beside its kind and distance). What free reads (the first two
 * descriptors) is one cache line: pages[] is 64-byte aligned and a slab
 * starts at an even pfn. The third holds what only slow paths read. The
 * build uses -fno-strict-aliasing, as the kernel does, for this overlay.
 */
struct slab {
	uint8_t kind;		/* PG_SLAB */
	uint8_t order;
	uint8_t sampled;	/* objects of it sampled by the profiler (classify.h) */
	uint8_t cls;
	uint32_t unused;	/* zero: the head's run_pages in any free block */
	struct slab *next;	/* a thread's partial list, or its class's shared list */
	struct slab *prev;
	struct section *sec;
	/* the second page's descriptor from here */
	uint8_t tail_kind;	/* PG_TAIL, always */
	uint8_t tail_unused;
	uint16_t inuse;		/* objects handed out and not freed locally or collected */
	uint16_t tail_dist;	/* 1, always */
	uint16_t bump;		/* objects ever carved out of the slab */
	void *free;			/* local free list, owner only */
	_Atomic uintptr_t remote;	/* objects freed by other threads | SLAB_NOTIFY */
	_Atomic(struct tcache *) owner;	/* NULL when on a shared list or full */
	/* the third page's descriptor from here */
	uint8_t tail2_kind;	/* PG_TAIL, always */
	uint8_t tail2_unused[3];
	uint16_t tail2_dist;	/* 2, always */
	uint16_t tail2_unused2;
	uint32_t holes;		/* pages given back, bit i for page i (slab.c) */
	uint32_t tail2_unused3[5];
};

#define PAGE_DESC	sizeof(struct page)
_Static_assert(sizeof(struct page) == 32, "a page descriptor is 32 bytes");
_Static_assert(sizeof(struct slab) == 3 * PAGE_DESC, "slab view: three descriptors");
_Static_assert(offsetof(struct slab, kind) == offsetof(struct page, kind), "slab view: kind");
_Static_assert(offsetof(struct slab, order) == offsetof(struct page, order), "slab view: order");
_Static_assert(offsetof(struct slab, sampled) == offsetof(struct page, sampled), "slab view: sampled");
_Static_assert(offsetof(struct slab, cls) == offsetof(struct page, cls), "slab view: cls");
_Static_assert(offsetof(struct slab, next) == offsetof(struct page, next), "slab view: next");
_Static_assert(offsetof(struct slab, prev) == offsetof(struct page, prev), "slab view: prev");
_Static_assert(offsetof(struct slab, sec) == offsetof(struct page, sec), "slab view: sec");
_Static_assert(offsetof(struct slab, tail_kind) == PAGE_DESC + offsetof(struct page, kind),
	       "slab view: the second page's kind");
_Static_assert(offsetof(struct slab, tail_dist) == PAGE_DESC + offsetof(struct page, tail_dist),
	       "slab view: the second page's tail_dist");
_Static_assert(offsetof(struct slab, tail2_kind) == 2 * PAGE_DESC + offsetof(struct page, kind),
	       "slab view: the third page's kind");
_Static_assert(offsetof(struct slab, tail2_dist) == 2 * PAGE_DESC + offsetof(struct page, tail_dist),
	       "slab view: the third page's tail_dist");
_Static_assert(offsetof(struct slab, holes) >= 2 * PAGE_DESC + offsetof(struct page, next),
	       "slab view: holes in the third page's list words");
_Static_assert(offsetof(struct slab, owner) < 2 * PAGE_DESC, "slab view: free's fields in one line");
_Static_assert(PG_TAIL == 0, "a zero kind byte is a tail");

static inline struct slab *page_slab(struct page *pg) { return (struct slab *)pg; }
static inline struct page *slab_page(struct slab *s) { return (struct page *)s; }

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
	uintptr_t brk_pad;		/* brk: where the break was before it was moved
					 * up to base (the padding is ours); else 0 */
	uint32_t nr_online;		/* pages [0, nr_online) are the zone's (the top
					 * of the break can end inside a section) */
	struct section *_Atomic next;	/* the zone's sections, newest first;
					 * the spare list's link when retired */
	/* 64-byte aligned: what free reads of a slab's head (its first two
	 * descriptors, at an even pfn) is one cache line */
	struct page pages[PAGES_PER_SECTION] __attribute__((aligned(64)));
};

/* One mapped chunk: a request at or above the mmap threshold. */
struct chunk {
	struct sec_head h;
	uint8_t zeroed;		/* never written since mmap */
	uint8_t cached;		/* freed, kept mapped for reuse (large.c) */
	uint8_t sampled;	/* the block is sampled by the profiler (classify.h) */
	uintptr_t base;		/* start of the mapping; SECTION_SIZE aligned */
	size_t maplen;		/* bytes mapped from base */
	uintptr_t user;		/* the pointer the program holds */
	struct chunk *next;	/* free descriptor list */
};

/* A decay period (decay_ms) is looked at in this many slices (trim.c). */
#define DECAY_SLICES	4

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
					 * undone soon after (trim.c) */
	bool regrow_watch;		/* brk: trimmed this period; growth now is a regrow */
	struct free_area free_area[MAX_ORDER];
	size_t free_pages;		/* pages on the free_area lists */
	size_t free_dirty;		/* of those, pages on the resident lists */
	size_t dirty_floor;		/* lowest free_dirty in this decay slice */
	size_t floor_ring[DECAY_SLICES];	/* the same, for the slices before it */
	unsigned slice;			/* decay slices so far */
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
	struct slab *partial;	/* slabs with free objects and no owner */
	size_t nr_partial;
	_Atomic int64_t orphan_nfree;	/* objects freed by threads without a cache */
};

struct tcache {
	struct slab *active[NR_CLASSES];	/* never NULL: &dummy_slab when none */
	struct slab *partial[NR_CLASSES];	/* owned slabs with free objects */
	uint8_t nr_empty[NR_CLASSES];		/* of those, empty ones kept (slab_reserve) */
	struct pcp pcp[NR_ZONES];
	struct chunk *chunk_slot;		/* the last mapped chunk freed (large.c) */
	uint64_t chunk_slot_time;		/* when, in os_now_ms() time */
	struct tcache *_Atomic next;		/* registry, push only */
	_Atomic int in_use;			/* a live thread holds it */
	volatile int busy;			/* in a slow path: lists may be mid-update */
	struct thread_counters stat;		/* plain counters, read racily */
};

/* Freed mapped chunks kept mapped for reuse (large.c). */
#define CHUNK_CACHE_SLOTS 16
struct chunk_cache {
	struct lock lock;
	struct { struct chunk *c; uint64_t used; } slot[CHUNK_CACHE_SLOTS];
	int n;
	size_t bytes;
	_Atomic size_t nr_mapped, bytes_mapped, max_mapped, max_bytes;	/* every chunk */
	_Atomic size_t live;		/* handed out and not freed, for mmap_max */
};

/* Retired section descriptors kept without a byte resident (section.c). */
#define SPARE_SLOTS	4096

/* The section table: 47 bits of address space in 4 MiB sections, two levels. */
#define SECTION_L2_BITS	12
#define SECTION_L1_BITS	(ADDRESS_BITS - SECTION_SHIFT - SECTION_L2_BITS)

/*
 * The heap: every piece of process-wide state, in one place. Nothing else
 * in alloc/ is a variable at file scope, except the constant sentinels
 * tcache_empty and dummy_slab, the tunables (opt) and the thread pointer.
 *
 * Locks, what they guard, and the one order they nest in (outermost first):
 *
 *   init_lock          start-up (alloc.c); taken alone, before any other.
 *   node.zones[i].lock a zone's free_area lists, counters and growth; held
 *                      across the system calls that grow or shrink the zone;
 *                      never two zones at once.
 *     -> spare.lock    the retired section descriptors; taken inside a zone
 *                      lock (a section joins or leaves the zone).
 *   caches[c].lock     a class's shared slab list; a leaf.
 *   chunks.lock        the chunk cache's slots; a leaf (unmapping happens
 *                      after it is released).
 *   meta.lock          the metadata arena; a leaf.
 *
 * The section table, the thread-cache registry and the counters take no
 * lock. fork.c's child handler resets every lock listed here. The
 * background thread (background.c) takes the zone and chunk-cache locks,
 * one at a time, like any other thread.
 */
struct heap {
	/* first: the free fast path indexes it from the symbol's address */
	struct sec_head **_Atomic section_l1[(size_t)1 << SECTION_L1_BITS];
	struct lock init_lock;
	_Atomic int ready;			/* start-up is done */
	uintptr_t secret;			/* random, odd: free keys (slab.h) */
	pthread_key_t thread_key;		/* its destructor runs at thread exit */
	struct node node;
	struct kmem_cache caches[NR_CLASSES];
	struct tcache *_Atomic tcaches;		/* registry, push only */
	struct run_counters runs;
	struct os_counters os;			/* os.c */
	struct chunk_cache chunks;
	struct {
		struct lock lock;
		size_t n;			/* in slot[]: wholly given back */
		struct section *slot[SPARE_SLOTS];
		struct section *more;		/* linked through ->next: first page kept */
	} spare;
	struct {
		struct lock lock;
		uintptr_t cur, end;		/* bump range of the current block */
		struct chunk *free_descs;	/* recycled chunk descriptors */
	} meta;
	_Atomic uint64_t next_decay;		/* the clock: when decay runs next */
	struct {
		_Atomic int state;		/* futex word: none, running, stopping */
	} background;				/* background.c */
	_Atomic uintptr_t map_hint;		/* where the next aligned mapping is tried */
	_Atomic uintptr_t map_low;		/* lowest aligned mapping so far (os.c) */
	_Atomic uint64_t pressure_until;	/* pressure.h: until when; 0: none */
	struct {
		uintptr_t mul, inv;		/* freelist.h: odd, and its inverse */
	} link_keys;
};

extern struct heap heap;

#endif
