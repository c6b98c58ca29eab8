/*
 * alloc.c - the path of a request, and start-up.
 *
 *   n <= ba_slab_limit                size class -> this thread's slab (fastpath.h)
 *   ba_slab_limit < n < threshold     a run of whole pages from a zone (zone.c)
 *   n >= mmap threshold            a mapped chunk of its own (large.c)
 *
 * ba_slab_limit is SLAB_MAX, or less when the mmap threshold is set below it.
 * free, realloc and malloc_usable_size find what a pointer is through the
 * section table and its page descriptor, and check it before acting: a
 * pointer that is not the start of a live object, run or chunk is
 * reported (report.c) and the call does nothing else.
 *
 * Callers (preload/) have checked sizes for overflow; every failure here
 * leaves errno at ENOMEM.
 */
#include <pthread.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "fastpath.h"

_Atomic int ba_initialised;
size_t ba_slab_limit = SLAB_MAX;	/* largest request served by a slab */
static struct lock init_lock = LOCK_INIT;
extern char **environ;

void ba_init(void)
{
	bool first = false;
	lock_acquire(&init_lock);
	if (!atomic_load_explicit(&ba_initialised, memory_order_relaxed)) {
		opt_init(environ);
		const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
		uintptr_t secret = (uintptr_t)&secret ^ 0x9e3779b97f4a7c15ull;
		if (r)
			memcpy(&secret, r, sizeof(secret));
		slab_secret = secret | 1;	/* odd: never equal to an aligned pointer */
		freelist_init(r);
		node_init();
		ba_options_changed();
		tcache_init();
		atomic_store_explicit(&ba_initialised, 1, memory_order_release);
		first = true;
	}
	lock_release(&init_lock);
	if (first)
		pthread_atfork(NULL, NULL, fork_child);	/* may call malloc: we are ready */
}

/* What follows from the options' values; called whenever one is set. */
void ba_options_changed(void)
{
	ba_slab_limit = opt.mmap_threshold <= SLAB_MAX ?
		(opt.mmap_threshold ? opt.mmap_threshold - 1 : 0) : SLAB_MAX;
}

static void *nomem(void)
{
	errno = ENOMEM;
	return NULL;
}

/* A run of whole pages, aligned to `align` (a power of two, at most 4 MiB). */
static void *run_alloc(size_t n, size_t align, bool *zeroed)
{
	size_t npages = align_up(n ? n : 1, PAGE_SIZE) >> PAGE_SHIFT;
	unsigned ao = align > PAGE_SIZE ? order_of_pages(align >> PAGE_SHIFT) : 0;
	struct section *sec;
	struct page *pg = zone_alloc_run(npages, ao, &sec);
	if (!pg)
		return NULL;
	*zeroed = pg->zeroed;
	return (void *)pfn_address(sec, page_pfn(sec, pg));
}

/* Served from the zones: below the threshold, or when mmap_max mapped
 * chunks are alive already (up to the 4 MiB a section holds). */
static bool fits_run(size_t n)
{
	return n <= SECTION_SIZE && (n < opt.mmap_threshold || large_live() >= opt.mmap_max);
}

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
		if (!p)
			p = large_alloc(n, align, zeroed);
		/* the OS refused a mapping (RLIMIT_AS, RLIMIT_DATA): free pages
		 * the zones hold already serve it, rather than nothing */
		if (!p && !fits_run(n) && n <= SECTION_SIZE && align <= SECTION_SIZE)
			p = run_alloc(n, align, zeroed);
	}
	return p ? p : nomem();
}

void *ba_malloc(size_t n)
{
	return ba_malloc_inline(n);
}

void *ba_malloc_big(size_t n)
{
	bool zeroed;
	return alloc_big(n, 0, &zeroed);
}

void *ba_nomem(void)
{
	return nomem();
}

void *ba_memalign(size_t align, size_t n)
{
	bool zeroed;
	if (align <= MIN_ALIGN)
		return ba_malloc(n);
	if (n <= ba_slab_limit && align <= ba_slab_limit) {
		int cls = sc_for_aligned(n, align);
		if (cls >= 0 && sc_table[cls].size <= ba_slab_limit) {
			void *p = slab_alloc((unsigned)cls);
			return p ? p : nomem();
		}
	}
	return alloc_big(n, align, &zeroed);
}

void *ba_calloc(size_t n)
{
	bool zeroed = false;
	void *p;
	if (likely(n <= ba_slab_limit)) {
		p = slab_alloc(sc_of(n));
		if (unlikely(!p))
			return nomem();
	} else {
		p = alloc_big(n, 0, &zeroed);
		if (!p)
			return NULL;
	}
	if (!zeroed)
		memset(p, 0, n);
	return p;
}

/* What p is. Exactly one of *slab, *run, *chunk is set on success. */
struct lookup {
	struct page *slab, *run;
	struct chunk *chunk;
};

static bool ba_lookup(const void *p, const char *fn, struct lookup *l)
{
	struct sec_head *h = section_lookup(p);
	l->slab = l->run = NULL;
	l->chunk = NULL;
	if (h && h->kind == SEC_ZONE) {
		uintptr_t off;
		struct page *pg = head_of((struct section *)h, p, &off);
		if (pg->kind == PG_SLAB && slab_owns_at(pg, off)) {
			if (((void *const *)p)[1] == (void *)slab_key(p)) {
				slab_invalid(fn, p, true);
				return false;
			}
			l->slab = pg;
			return true;
		}
		if (pg->kind == PG_RUN && off == 0) {
			l->run = pg;
			return true;
		}
		slab_invalid(fn, p, pg->kind == PG_FREE || pg->kind == PG_PCP);
		return false;
	}
	if (h && h->kind == SEC_CHUNK && ((struct chunk *)h)->user == (uintptr_t)p) {
		l->chunk = (struct chunk *)h;
		if (!l->chunk->cached)
			return true;
		slab_invalid(fn, p, true);	/* freed, waiting in the chunk cache */
		return false;
	}
	slab_invalid(fn, p, false);
	return false;
}

static void free_found(const struct lookup *l, void *p)
{
	if (l->slab) {
		slab_free(l->slab, p);
	} else if (l->run) {
		zone_free_run(l->run->sec, l->run);
	} else {
		large_free(l->chunk);
	}
}

void ba_free(void *p, const char *fn)
{
	struct lookup l;
	int saved = errno;
	if (ba_lookup(p, fn, &l))
		free_found(&l, p);
	errno = saved;
}

static size_t usable_found(const struct lookup *l)
{
	if (l->slab)
		return sc_table[l->slab->cls].size;
	if (l->run)
		return (size_t)l->run->head << PAGE_SHIFT;
	return large_usable(l->chunk);
}

/* fn names the caller in a report (perturb's free asks before it frees). */
size_t ba_usable(const void *p, const char *fn)
{
	struct lookup l;
	return ba_lookup(p, fn, &l) ? usable_found(&l) : 0;
}

/* Moves a block: new memory, copy, free the old one. */
static void *realloc_move(void *p, const struct lookup *l, size_t n)
{
	size_t old = usable_found(l);
	void *q = ba_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	free_found(l, p);
	return q;
}

void *ba_realloc(void *p, size_t n)
{
	struct lookup l;
	if (!ba_lookup(p, "realloc", &l)) {
		errno = EINVAL;
		return NULL;
	}
	if (l.slab) {
		size_t size = sc_table[l.slab->cls].size;
		if (n <= size && (n >= size / 2 || size <= 32))
			return p;
		return realloc_move(p, &l, n);
	}
	if (l.run) {
		struct section *sec = l.run->sec;
		size_t npages = align_up(n, PAGE_SIZE) >> PAGE_SHIFT;
		if (n <= ba_slab_limit || !fits_run(n))
			return realloc_move(p, &l, n);
		if (npages == l.run->head)
			return p;
		if (npages < l.run->head) {
			zone_shrink_run(sec, l.run, npages);
			return p;
		}
		if (zone_grow_run(sec, l.run, npages))
			return p;
		return realloc_move(p, &l, n);
	}
	if (!fits_run(n)) {
		void *q = large_realloc(l.chunk, n);
		if (!q && node_reclaim_failed())
			q = large_realloc(l.chunk, n);
		return q ? q : nomem();
	}
	return realloc_move(p, &l, n);
}
