/*
 * large.c - mapped chunks: one anonymous mapping per request at or above
 * the mmap threshold (and for sizes or alignments no zone section holds).
 *
 * A chunk's mapping starts on a section boundary, so the section table
 * entries it covers are its own: no other chunk or zone section can start
 * inside them. Its descriptor lives out of band (meta.c). realloc grows
 * or shrinks a chunk with mremap, in place when the address space after
 * it is free, else by moving its pages (no copy) to a fresh aligned range.
 *
 * Freed chunks up to chunk_cache bytes in all stay mapped, resident, in a
 * small cache (each thread's last freed chunk of up to 4 MiB in a slot of
 * its own, the rest in a shared one), and a request of nearly the same
 * size takes one back: a
 * server that mallocs and frees a 2 MiB buffer per request faults its
 * pages in once, not per request (seed 001). A cached chunk unused for
 * decay_ms is unmapped (reclaim.c's clock); malloc_trim unmaps them all. A
 * cached chunk keeps its table entries, marked `cached`, so freeing it
 * again is reported as a double free.
 *
 * Lock: heap.chunks.lock around the shared cache only, a leaf; a thread's
 * slot is its own. A live chunk is touched only by the thread that frees or
 * reallocates it. The atomic counters count mappings, which change only
 * with a system call; what is live is what is mapped minus what is cached.
 */
#include "large.h"
#include "meta.h"
#include "options.h"
#include "os.h"
#include "pressure.h"
#include "section.h"
#include "tcache.h"

#define FIT_SLACK	4	/* a cached chunk serves a request it exceeds by at most 1/4 */


static void account(long dn, long dbytes)
{
	size_t n = atomic_fetch_add(&heap.chunks.nr_mapped, (size_t)dn) + (size_t)dn;
	size_t b = atomic_fetch_add(&heap.chunks.bytes_mapped, (size_t)dbytes) + (size_t)dbytes;
	size_t m = atomic_load(&heap.chunks.max_mapped);
	while (n > m && !atomic_compare_exchange_weak(&heap.chunks.max_mapped, &m, n))
		;
	m = atomic_load(&heap.chunks.max_bytes);
	while (b > m && !atomic_compare_exchange_weak(&heap.chunks.max_bytes, &m, b))
		;
}

void large_stats(struct large_stats *out)
{
	size_t nr = atomic_load(&heap.chunks.nr_mapped), bytes = atomic_load(&heap.chunks.bytes_mapped);
	out->max_nr = atomic_load(&heap.chunks.max_mapped);
	out->max_bytes = atomic_load(&heap.chunks.max_bytes);
	lock_acquire(&heap.chunks.lock);
	out->cached = (size_t)heap.chunks.n;
	out->cached_bytes = heap.chunks.bytes;
	lock_release(&heap.chunks.lock);
	for (struct tcache *t = atomic_load(&heap.tcaches); t; t = atomic_load(&t->next)) {
		struct chunk *c = __atomic_load_n(&t->chunk_slot, __ATOMIC_RELAXED);
		if (c) {
			out->cached++;
			out->cached_bytes += c->maplen;
		}
	}
	out->nr = nr > out->cached ? nr - out->cached : 0;
	out->bytes = bytes > out->cached_bytes ? bytes - out->cached_bytes : 0;
}

static bool fits(const struct chunk *c, size_t len)
{
	return c->maplen >= len && c->maplen - len <= len / FIT_SLACK;
}

/* The section-table span of a mapping: whole sections from base. */
static uintptr_t span_end(uintptr_t base, size_t len)
{
	return align_up(base + len, SECTION_SIZE);
}

/* Gives back the end of a chunk's mapping; it keeps its size on failure. */
static void chunk_shrink(struct chunk *c, size_t len)
{
	/* clear the entries while the sections are still ours alone: once
	 * unmapped, another thread's chunk may start there */
	uintptr_t keep = span_end(c->base, len), had = span_end(c->base, c->maplen);
	if (keep < had)
		section_unmap(keep, had - keep);
	if (!os_remap_inplace((void *)c->base, c->maplen, len)) {
		if (keep < had)
			section_map(keep, had - keep, &c->h);
		return;
	}
	account(0, (long)len - (long)c->maplen);
	c->maplen = len;
}

static void unmap_chunk(struct chunk *c)
{
	account(-1, -(long)c->maplen);
	section_unmap(c->base, c->maplen);
	os_unmap((void *)c->base, c->maplen);
	chunk_desc_free(c);
}

/* A cached chunk, taken out of the cache and cut or grown to len. */
static struct chunk *cache_take(size_t len)
{
	struct chunk *c = NULL;
	int best = -1;
	lock_acquire(&heap.chunks.lock);
	/* the smallest chunk that is large enough, else the largest one of
	 * at least half the size: mremap grows it, its resident pages kept */
	for (int i = 0; i < heap.chunks.n; i++) {
		size_t m = heap.chunks.slot[i].c->maplen, b = best < 0 ? 0 : heap.chunks.slot[best].c->maplen;
		if (m >= len ? (b < len || m < b) : (b < len && m >= len / 2 && m > b))
			best = i;
	}
	if (best >= 0) {
		c = heap.chunks.slot[best].c;
		heap.chunks.slot[best] = heap.chunks.slot[--heap.chunks.n];
		heap.chunks.bytes -= c->maplen;
		c->cached = 0;
		c->sampled = 0;
	}
	lock_release(&heap.chunks.lock);
	if (c && c->maplen > len)
		chunk_shrink(c, len);
	if (c && c->maplen < len && !large_realloc(c, len)) {
		unmap_chunk(c);		/* could not grow it: a fresh mapping, then */
		c = NULL;
	}
	return c;
}


/* Puts a freed chunk, unused since `now`, in the shared cache; false when
 * it does not fit there. */
static bool cache_put(struct chunk *c, uint64_t now)
{
	struct chunk *evict[CHUNK_CACHE_SLOTS];
	int nevict = 0;
	if (c->maplen > opt.chunk_cache / 2)
		return false;
	lock_acquire(&heap.chunks.lock);
	while (heap.chunks.n > 0 && (heap.chunks.n == CHUNK_CACHE_SLOTS || heap.chunks.bytes + c->maplen > opt.chunk_cache)) {
		int old = 0;	/* the least recently used goes */
		for (int i = 1; i < heap.chunks.n; i++)
			if (heap.chunks.slot[i].used < heap.chunks.slot[old].used)
				old = i;
		evict[nevict++] = heap.chunks.slot[old].c;
		heap.chunks.bytes -= heap.chunks.slot[old].c->maplen;
		heap.chunks.slot[old] = heap.chunks.slot[--heap.chunks.n];
	}
	c->cached = 1;
	heap.chunks.slot[heap.chunks.n].c = c;
	heap.chunks.slot[heap.chunks.n++].used = now;
	heap.chunks.bytes += c->maplen;
	lock_release(&heap.chunks.lock);
	for (int i = 0; i < nevict; i++)
		unmap_chunk(evict[i]);
	return true;
}

/* Unmaps the cached chunks unused since `before` (all: UINT64_MAX). */
static size_t cache_drop(uint64_t before)
{
	struct chunk *drop[CHUNK_CACHE_SLOTS];
	int n = 0;
	size_t pages = 0;
	lock_acquire(&heap.chunks.lock);
	for (int i = 0; i < heap.chunks.n;) {
		if (heap.chunks.slot[i].used < before) {
			drop[n++] = heap.chunks.slot[i].c;
			heap.chunks.bytes -= heap.chunks.slot[i].c->maplen;
			heap.chunks.slot[i] = heap.chunks.slot[--heap.chunks.n];
		} else {
			i++;
		}
	}
	lock_release(&heap.chunks.lock);
	for (int i = 0; i < n; i++) {
		pages += drop[i]->maplen >> PAGE_SHIFT;
		unmap_chunk(drop[i]);
	}
	return pages;
}

/* The calling thread's slot goes to the shared cache (thread exit) or,
 * if it sat unused since `before`, likewise (the owner's tick). */
void large_slot_flush(struct tcache *tc, uint64_t before)
{
	struct chunk *c = tc->chunk_slot;
	if (!c || tc->chunk_slot_time >= before)
		return;
	__atomic_store_n(&tc->chunk_slot, NULL, __ATOMIC_RELAXED);
	if (!cache_put(c, tc->chunk_slot_time))
		unmap_chunk(c);
}

size_t large_cache_flush(void)
{
	struct tcache *tc = tls_tc;
	if (tc != &tcache_empty)
		large_slot_flush(tc, UINT64_MAX);
	return heap.chunks.n ? cache_drop(UINT64_MAX) : 0;
}

void large_cache_decay(uint64_t now)
{
	if (heap.chunks.n && now >= opt.decay_ms)
		cache_drop(now - opt.decay_ms + 1);
}

/* fork.c, in the child: a cache whose lock a vanished thread held may be
 * half updated, so it is forgotten (its chunks leak in the child). */
void large_fork_child(void)
{
	if (lock_is_held(&heap.chunks.lock)) {
		heap.chunks.n = 0;
		heap.chunks.bytes = 0;
	}
	lock_init(&heap.chunks.lock);
}

/* Chunks handed out and not freed, for mmap_max. */
size_t large_live(void)
{
	return atomic_load_explicit(&heap.chunks.live, memory_order_relaxed);
}

void *large_alloc(size_t size, size_t align, bool *zeroed)
{
	size_t len = align_up(size ? size : 1, PAGE_SIZE);	/* size 0: one page */
	if (len < size)
		return NULL;
	if (align <= SECTION_SIZE) {
		struct tcache *tc = tls_tc;
		struct chunk *c = tc->chunk_slot;
		if (c && fits(c, len)) {
			__atomic_store_n(&tc->chunk_slot, NULL, __ATOMIC_RELAXED);
			c->cached = 0;
			c->sampled = 0;
			if (c->maplen > len)
				chunk_shrink(c, len);
		} else {
			c = __atomic_load_n(&heap.chunks.n, __ATOMIC_RELAXED) ? cache_take(len) : NULL;
		}
		if (c) {
			atomic_fetch_add_explicit(&heap.chunks.live, 1, memory_order_relaxed);
			*zeroed = false;
			return (void *)c->user;
		}
	}
	*zeroed = true;
	if (align < SECTION_SIZE)
		align = SECTION_SIZE;
	struct chunk *c = chunk_desc_alloc();
	if (!c)
		return NULL;
	void *p = os_map_aligned(len, align);
	if (!p) {
		chunk_desc_free(c);
		return NULL;
	}
	c->base = c->user = (uintptr_t)p;
	c->maplen = len;
	c->zeroed = 1;
	c->sampled = 0;
	c->h.kind = SEC_CHUNK;
	if (!section_map(c->base, len, &c->h)) {
		os_unmap(p, len);
		chunk_desc_free(c);
		return NULL;
	}
	account(1, (long)len);
	atomic_fetch_add_explicit(&heap.chunks.live, 1, memory_order_relaxed);
	pressure_relieved();
	return p;
}

void large_free(struct chunk *c)
{
	struct tcache *tc = tls_tc;
	uint64_t now = os_now_ms();
	atomic_fetch_sub_explicit(&heap.chunks.live, 1, memory_order_relaxed);
	if (unlikely(under_pressure())) {
		unmap_chunk(c);		/* a request failed lately: no caching */
		return;
	}
	if (tc != &tcache_empty && c->maplen <= SECTION_SIZE && c->maplen <= opt.chunk_cache / 2) {
		struct chunk *old = tc->chunk_slot;
		c->cached = 1;
		__atomic_store_n(&tc->chunk_slot, c, __ATOMIC_RELAXED);
		uint64_t old_time = tc->chunk_slot_time;
		tc->chunk_slot_time = now;
		if (!old)
			return;
		c = old;		/* the slot's last chunk moves to the shared cache */
		now = old_time;
	}
	if (!cache_put(c, now))
		unmap_chunk(c);
}

void *large_realloc(struct chunk *c, size_t size)
{
	size_t len = align_up(size, PAGE_SIZE), old = c->maplen;
	uintptr_t base = c->base;

	if (len < size)
		return NULL;
	if (len == old)
		return (void *)c->user;
	if (len < old) {
		chunk_shrink(c, len);
		return (void *)c->user;
	}
	/* growing. The table entries are set only once the pages are ours:
	 * the sections after the chunk may belong to someone else until then */
	uintptr_t have = span_end(base, old), want = span_end(base, len);
	if (os_remap_inplace((void *)base, old, len)) {
		if (want > have && !section_map(have, want - have, &c->h)) {
			os_remap_inplace((void *)base, len, old);
			return NULL;
		}
		c->maplen = len;
		c->zeroed = 0;
		account(0, (long)len - (long)old);
		return (void *)c->user;
	}
	void *to = os_reserve_aligned(len, SECTION_SIZE);	/* the move replaces it */
	if (!to)
		return NULL;
	if (!section_map((uintptr_t)to, len, &c->h)) {
		os_unmap(to, len);
		return NULL;
	}
	section_unmap(base, old);
	if (!os_remap_move((void *)base, old, to, len)) {
		section_map(base, old, &c->h);	/* its tables exist: cannot fail */
		section_unmap((uintptr_t)to, len);
		os_unmap(to, len);
		return NULL;
	}
	c->base = c->user = (uintptr_t)to;
	c->maplen = len;
	c->zeroed = 0;
	account(0, (long)len - (long)old);
	return to;
}
