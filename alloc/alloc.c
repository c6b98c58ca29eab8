/*
 * alloc.c - the path of a request: start-up, the slow-path entry, thread
 * exit, and every call the inlined fast path (alloc.h) does not finish.
 *
 * Every slow path passes slow_enter() first, whatever the kind of request:
 * it starts the heap if nobody has yet (so a request made by another
 * library's constructor, before ours runs, is configured like any other)
 * and drives the periodic housekeeping (reclaim_tick). A request that
 * finds no memory reclaims what is free (node_reclaim) and tries once more.
 *
 * free, realloc and malloc_usable_size classify a pointer once
 * (classify.h) and act on the result; a pointer that is not live is
 * reported (report.c) and the call does nothing else.
 *
 * Callers (preload/) have checked sizes for overflow; every failure here
 * leaves errno at ENOMEM.
 *
 * Lock: heap.init_lock, during start-up only, before any other lock.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/auxv.h>

#include "alloc.h"
#include "background.h"
#include "fork.h"
#include "reclaim.h"
#include "zone.h"

struct heap heap;
extern char **environ;

#define SECRET_FALLBACK	0x9e3779b97f4a7c15ull	/* 2^64 / golden ratio */

/* The pthread key's destructor: the thread gives back all it holds. */
static void thread_exit(void *arg)
{
	reclaim_thread(arg);
}

/* The fork child handler: the heap first, then the background thread. */
static void after_fork_child(void)
{
	fork_child();
	background_fork_child();
}

void ba_start(void)
{
	bool first = false;
	if (ba_ready())
		return;
	lock_acquire(&heap.init_lock);
	if (!atomic_load_explicit(&heap.ready, memory_order_relaxed)) {
		opt_init(environ);
		const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
		uintptr_t secret = (uintptr_t)&secret ^ SECRET_FALLBACK;
		if (r)
			memcpy(&secret, r, sizeof(secret));
		heap.secret = secret | 1;	/* odd: never equal to an aligned pointer */
		freelist_init(r);
		node_init();
		pthread_key_create(&heap.thread_key, thread_exit);
		atomic_store_explicit(&heap.ready, 1, memory_order_release);
		first = true;
	}
	lock_release(&heap.init_lock);
	if (first)
		pthread_atfork(NULL, NULL, after_fork_child);	/* may call malloc: we are ready */
}

/* The one way into every slow path. */
static struct tcache *slow_enter(void)
{
	if (unlikely(!ba_ready()))
		ba_start();
	struct tcache *tc = tls_tc;
	reclaim_tick(tc);
	return tc;
}

static void *nomem(void)
{
	errno = ENOMEM;
	return NULL;
}

/* A run of whole pages, aligned to `align` (a power of two, at most 4 MiB). */
static void *run_alloc(size_t n, size_t align, bool *zeroed)
{
	size_t npages = pages_of(n ? n : 1);
	unsigned ao = align > PAGE_SIZE ? order_of_pages(align >> PAGE_SHIFT) : 0;
	struct section *sec;
	struct page *pg = zone_alloc_run(npages, ao, &sec);
	if (!pg)
		return NULL;
	*zeroed = pg->zeroed;
	pg->sampled = 0;	/* the same byte: a run's own from here on */
	return (void *)pfn_address(sec, page_pfn(sec, pg));
}

/* Served from the zones: below the threshold, or when mmap_max mapped
 * chunks are alive already (up to the 4 MiB a section holds). */
static bool fits_run(size_t n)
{
	return n <= SECTION_SIZE && (n < opt.mmap_threshold || large_live() >= opt.mmap_max);
}

/* Larger than a section, with no mapped chunk allowed (mmap_max reached,
 * 0 included): from the break, as glibc's heap serves it. */
static bool fits_huge(size_t n)
{
	return n > SECTION_SIZE && large_live() >= opt.mmap_max;
}

static void *huge_alloc(size_t n, bool *zeroed)
{
	struct section *sec;
	struct page *pg = zone_alloc_huge(pages_of(n), &sec);
	if (!pg)
		return NULL;
	*zeroed = true;		/* fresh from the break */
	pg->sampled = 0;
	return (void *)sec->base;
}

/* A run or a chunk; the caller passed slow_enter(). */
static void *alloc_big(size_t n, size_t align, bool *zeroed)
{
	void *p = NULL;
	if (n > PTRDIFF_MAX)
		return nomem();
	for (int attempt = 0; attempt < 2 && !p; attempt++) {
		if (attempt && !node_reclaim_failed())
			break;
		if (fits_run(n) && align <= SECTION_SIZE)
			p = run_alloc(n, align, zeroed);
		else if (fits_huge(n) && align <= SECTION_SIZE)
			p = huge_alloc(n, zeroed);
		if (!p)
			p = large_alloc(n, align, zeroed);
		/* the OS refused a mapping (RLIMIT_AS, RLIMIT_DATA): free pages
		 * the zones hold already serve it, rather than nothing */
		if (!p && !fits_run(n) && n <= SECTION_SIZE && align <= SECTION_SIZE)
			p = run_alloc(n, align, zeroed);
	}
	return p ? p : nomem();
}

/* The active slab of cls (the class of n) has no free object. */
void *ba_alloc_slow(size_t n, unsigned cls)
{
	struct tcache *tc = slow_enter();
	void *p;
	if (unlikely(n > opt_slab_limit)) {	/* start-up just lowered the limit */
		bool zeroed;
		return alloc_big(n, 0, &zeroed);
	}
	if (tc == &tcache_empty) {
		tc = tcache_acquire();
		if (!tc)
			return nomem();
		if ((p = slab_alloc_fast(tc, cls)) != NULL)
			return p;
	}
	tc->stat.nslow[cls]++;
	p = slab_alloc_refill(tc, cls);
	if (unlikely(!p) && node_reclaim_failed())
		p = slab_alloc_refill(tc, cls);
	return p ? p : nomem();
}

void *ba_malloc_big(size_t n)
{
	bool zeroed;
	slow_enter();
	return alloc_big(n, 0, &zeroed);
}

void *ba_malloc(size_t n)
{
	return ba_malloc_inline(n);
}

void *ba_memalign(size_t align, size_t n)
{
	bool zeroed;
	if (align <= MIN_ALIGN)
		return ba_malloc(n);
	slow_enter();
	if (n <= opt_slab_limit && align <= opt_slab_limit) {
		int cls = sc_for_aligned(n, align);
		if (cls >= 0 && sc_table[cls].size <= opt_slab_limit) {
			void *p = slab_alloc_fast(tls_tc, (unsigned)cls);
			return p ? p : ba_alloc_slow(sc_table[cls].size, (unsigned)cls);
		}
	}
	return alloc_big(n, align, &zeroed);
}

void *ba_calloc(size_t n)
{
	bool zeroed = false;
	void *p;
	if (likely(n <= opt_slab_limit)) {
		p = ba_malloc_inline(n);
	} else {
		slow_enter();
		p = alloc_big(n, 0, &zeroed);
	}
	if (p && !zeroed)
		memset(p, 0, n);
	return p;
}

/* Acts on a classified pointer: frees it, or reports it. */
static void free_found(struct tcache *tc, void *p, const struct ptr_info *pi, const char *fn)
{
	switch (pi->kind) {
	case PTR_SLAB:
		if (!slab_free_local(tc, pi->slab, p))
			slab_free_remote(tc, pi->slab, p);
		break;
	case PTR_RUN:
		zone_free_run(pi->run->sec, pi->run);
		break;
	case PTR_CHUNK:
		large_free(pi->chunk);
		break;
	default:
		ptr_report(fn, p, pi);
	}
}

/* What the free fast path did not finish, with its classification. */
void ba_free_slow(void *p, struct ptr_info pi, const char *fn)
{
	int saved = errno;
	pi = ptr_recheck(pi, p);
	free_found(slow_enter(), p, &pi, fn);
	errno = saved;
}

void ba_free(void *p, const char *fn)
{
	ba_free_slow(p, ptr_classify(p), fn);
}

static bool is_live(enum ptr_kind k)
{
	return k == PTR_SLAB || k == PTR_RUN || k == PTR_CHUNK;
}

/* fn names the caller in a report (perturb's free asks before it frees). */
size_t ba_usable(const void *p, const char *fn)
{
	struct ptr_info pi = ptr_recheck(ptr_classify(p), p);
	if (is_live(pi.kind))
		return ptr_usable(&pi);
	ptr_report(fn, p, &pi);
	return 0;
}

/* Moves a block: new memory, copy, free the old one. */
static void *realloc_move(struct tcache *tc, void *p, const struct ptr_info *pi, size_t n)
{
	size_t old = ptr_usable(pi);
	void *q = ba_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	free_found(tc, p, pi, "realloc");
	return q;
}

static void *realloc_run(struct tcache *tc, void *p, const struct ptr_info *pi, size_t n)
{
	struct page *run = pi->run;
	size_t npages = pages_of(n);
	if (n <= opt_slab_limit || !fits_run(n) || run->run_pages > PAGES_PER_SECTION)
		return realloc_move(tc, p, pi, n);	/* or a run of several sections */
	if (npages == run->run_pages)
		return p;
	if (npages < run->run_pages) {
		zone_shrink_run(run->sec, run, npages);
		return p;
	}
	if (zone_grow_run(run->sec, run, npages))
		return p;
	return realloc_move(tc, p, pi, n);
}

void *ba_realloc(void *p, size_t n)
{
	struct tcache *tc = slow_enter();
	struct ptr_info pi = ptr_recheck(ptr_classify(p), p);
	switch (pi.kind) {
	case PTR_SLAB: {
		size_t size = sc_table[pi.slab->cls].size;
		if (n <= size && (n >= size / 2 || size <= 32))
			return p;
		return realloc_move(tc, p, &pi, n);
	}
	case PTR_RUN:
		return realloc_run(tc, p, &pi, n);
	case PTR_CHUNK:
		if (!fits_run(n)) {
			void *q = large_realloc(pi.chunk, n);
			if (!q && node_reclaim_failed())
				q = large_realloc(pi.chunk, n);
			return q ? q : nomem();
		}
		return realloc_move(tc, p, &pi, n);
	default:
		ptr_report("realloc", p, &pi);
		errno = EINVAL;
		return NULL;
	}
}

int ba_trim(size_t pad)
{
	return ba_ready() ? reclaim_trim(pad) : 0;
}
