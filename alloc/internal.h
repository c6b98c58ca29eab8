/*
 * internal.h - prototypes shared between the files of alloc/, grouped by
 * the file that defines them. A leading "__" means the caller holds the
 * lock named in the comment (the kernel's convention).
 *
 * Lock order, outermost first: kmem_cache.lock (one class at a time) ->
 * zone.lock (one zone at a time) -> meta_lock. The section table takes no
 * lock. No lock is held across a call back into the program.
 */
#ifndef BUDDY_INTERNAL_H
#define BUDDY_INTERNAL_H

#include <errno.h>
#include "types.h"

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define HIDDEN		__attribute__((visibility("hidden")))

#ifdef BUDDY_DEBUG
static const bool debug_checks = true;
#else
static const bool debug_checks = false;
#endif

static inline size_t align_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }
static inline unsigned order_of_pages(size_t npages)	/* smallest order holding npages */
{
	return npages <= 1 ? 0 : 64 - __builtin_clzl(npages - 1);
}

/* os.c: the only file that calls brk, sbrk, mmap, munmap, mremap, madvise */
void *os_map(size_t len);
void *os_map_aligned(size_t len, size_t align);
void os_unmap(void *p, size_t len);
bool os_remap_inplace(void *p, size_t oldlen, size_t newlen);
bool os_remap_move(void *p, size_t oldlen, void *to, size_t newlen);
uintptr_t os_brk_align(void);
uintptr_t os_brk_top(void);
bool os_brk_move(uintptr_t expect, intptr_t delta);
bool os_brk_blocked(size_t len);
void os_decommit(void *p, size_t len);
uint64_t os_now_ms(void);
void os_write_stderr(const char *s, size_t n);

/* section.c: address -> section -> page descriptor */
extern struct sec_head **_Atomic section_l1[];
#define SECTION_L2_BITS	12
#define SECTION_L1_BITS	(ADDRESS_BITS - SECTION_SHIFT - SECTION_L2_BITS)
static inline struct sec_head *section_lookup(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	if (unlikely(a >> ADDRESS_BITS))
		return NULL;
	struct sec_head **l2 = atomic_load_explicit(
		&section_l1[a >> (SECTION_SHIFT + SECTION_L2_BITS)], memory_order_acquire);
	if (unlikely(!l2))
		return NULL;
	return __atomic_load_n(&l2[(a >> SECTION_SHIFT) & ((1u << SECTION_L2_BITS) - 1)],
			       __ATOMIC_ACQUIRE);
}
bool section_map(uintptr_t base, size_t len, struct sec_head *h);
void section_unmap(uintptr_t base, size_t len);
struct section *section_create(struct zone *z, uintptr_t base);
static inline size_t page_pfn(const struct section *sec, const struct page *pg)
{
	return (size_t)(pg - sec->pages);
}
static inline uintptr_t pfn_address(const struct section *sec, size_t pfn)
{
	return sec->base + (pfn << PAGE_SHIFT);
}

/* meta.c: memory for descriptors, never handed to the program */
void *meta_alloc(size_t size);
struct chunk *chunk_desc_alloc(void);
void chunk_desc_free(struct chunk *c);
void meta_fork_child(void);

/* buddy.c: free_area lists, split and merge; caller holds zone->lock */
struct page *__buddy_alloc(struct zone *z, unsigned order, struct section **secp);
void __buddy_free(struct zone *z, struct section *sec, size_t pfn, unsigned order, bool zeroed);
void __buddy_free_range(struct zone *z, struct section *sec, size_t pfn, size_t npages, bool zeroed);
bool __buddy_claim(struct zone *z, struct section *sec, size_t pfn, size_t npages);
void __buddy_del_free(struct zone *z, struct page *pg, unsigned order);
size_t __buddy_decommit(struct zone *z, size_t keep);
struct page *__buddy_block_of(struct section *sec, size_t pfn, size_t *headp);
void __buddy_reset(struct zone *z);

/* zone.c: the node, its zonelist, zone growth */
extern struct node node;
extern struct run_counters run_stat;
void node_init(void);
struct page *__zone_alloc(struct zone *z, unsigned order, struct section **secp);
size_t pages_of(size_t bytes);
struct page *zone_alloc_run(size_t npages, unsigned align_order, struct section **secp);
void zone_free_run(struct section *sec, struct page *head);
bool zone_grow_run(struct section *sec, struct page *head, size_t npages);
void zone_shrink_run(struct section *sec, struct page *head, size_t npages);

/* reclaim.c: watermarks, decay, trimming the break, direct reclaim */
struct section *section_spare(void);
size_t __brk_trim(struct zone *z, size_t pad, bool force);
size_t __brk_keepcost(struct zone *z);
void __zone_after_free(struct zone *z);
size_t node_reclaim(void);
size_t node_reclaim_failed(void);
extern _Atomic uint64_t pressure_until;
bool reclaim_pressure_check(void);
static inline bool reclaim_pressure(void)	/* one load while there is none */
{
	if (likely(!atomic_load_explicit(&pressure_until, memory_order_relaxed)))
		return false;
	return reclaim_pressure_check();
}
int ba_trim(size_t pad);
void reclaim_fork_child(void);
void ba_tick(void);

/* pcache.c: per-thread page caches */
struct page *pcp_alloc(struct tcache *tc, unsigned order, struct section **secp);
void pcp_free(struct tcache *tc, struct section *sec, struct page *pg, unsigned order);
void pcp_drain_all(struct tcache *tc);

/* sizeclass.c: the size-class table as data */
extern const struct size_class sc_table[NR_CLASSES];
static inline unsigned sc_of(size_t n)		/* n <= SLAB_MAX */
{
	if (n <= 128)
		return n ? (unsigned)((n - 1) >> 4) : 0;
	size_t m = n - 1;
	unsigned b = 63 - __builtin_clzl(m);	/* 7 .. 14 */
	return 8 + (b - 7) * 4 + (unsigned)((m >> (b - 2)) & 3);
}
int sc_for_aligned(size_t n, size_t align);	/* -1 when no slab class fits */

/* slab.c: size-class caches, slabs, remote frees */
extern struct kmem_cache kmem_caches[NR_CLASSES];
extern struct page dummy_slab;
extern _Atomic int64_t slab_orphan_nfree[NR_CLASSES];
void *slab_alloc_slow(struct tcache *tc, unsigned cls);
void slab_free_slow(struct tcache *tc, struct page *s, void **o);
void slab_empty(struct tcache *tc, struct page *s);
void slab_flush(struct tcache *tc);
void slab_fork_reset(void);
void slab_rebuild(struct page *s, struct tcache *me);
size_t slab_trim(struct tcache *tc);
void slab_invalid(const char *fn, const void *p, bool double_free);
extern uintptr_t slab_secret;

/* large.c: mapped chunks */
void *large_alloc(size_t size, size_t align, bool *zeroed);
size_t large_live(void);
void large_free(struct chunk *c);
void *large_realloc(struct chunk *c, size_t size);
static inline size_t large_usable(const struct chunk *c)
{
	return c->maplen - (c->user - c->base);
}
struct large_stats { size_t nr, bytes, max_nr, max_bytes, cached, cached_bytes; };
void large_stats(struct large_stats *out);
size_t large_cache_flush(void);
void large_slot_flush(struct tcache *tc, uint64_t before);
void large_fork_child(void);
void large_cache_decay(uint64_t now);

/* tcache.c: one cache per thread, reused after the thread exits */
extern __thread struct tcache *tls_tc __attribute__((tls_model("initial-exec")));
extern struct tcache tcache_empty;
extern struct tcache *_Atomic tcache_registry;
struct tcache *tcache_acquire(void);
void tcache_release(struct tcache *tc);
void tcache_init(void);
void tcache_forget(struct tcache *tc);
void tcache_forget_pcp(struct tcache *tc);
static inline struct tcache *tcache_get(void)
{
	struct tcache *tc = tls_tc;
	return likely(tc != &tcache_empty) ? tc : tcache_acquire();
}

/* fork.c */
void fork_child(void);

/* check.c: the invariants of DESIGN.md, checked after every operation in
 * a debug build (make DEBUG=1) and by the unit tests */
void __check_zone(struct zone *z);
void check_slab(struct page *s);
void check_fail(const char *what, const void *where);

/* report.c: messages on stderr, written with write(2); a buffered writer */
struct out {
	char buf[1024];
	size_t len, col;
	void (*sink)(struct out *o, const char *s, size_t n);
	void *arg;
};
void out_init_stderr(struct out *o);
void out_flush(struct out *o);
void out_mem(struct out *o, const char *s, size_t n);
void out_str(struct out *o, const char *s);
void out_u64(struct out *o, uint64_t v);
void out_i64(struct out *o, int64_t v);
void out_hex(struct out *o, uint64_t v);
void out_pad(struct out *o, size_t col);
void report_invalid(const char *fn, const char *what, const void *p);
void report_line(const char *prefix, const char *text, uintptr_t value, bool hex);
size_t fmt_u64(char *buf, uint64_t v, bool hex);

/* options.c: the one table of tunables (options.h) */
#include "options.h"

/* alloc.c: the path of a request */
void *ba_malloc(size_t n);
void *ba_memalign(size_t align, size_t n);
void *ba_calloc(size_t n);
void *ba_realloc(void *p, size_t n);
void ba_free(void *p, const char *fn);
size_t ba_usable(const void *p, const char *fn);
void ba_init(void);
void ba_options_changed(void);
extern _Atomic int ba_initialised;

#endif
