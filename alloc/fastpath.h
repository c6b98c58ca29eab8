/*
 * fastpath.h - malloc and free of small objects: a freelist pop and push
 * on the calling thread's own slab, with no lock and no atomic; anything
 * else goes to one unlikely call into slab.c.
 *
 * Every free object holds, in its first word, its protected link to the
 * next (freelist.h), checked at every pop, and in its second word,
 * slab_secret ^ its address (the "key"); a live object never does,
 * because the pop clears it. A
 * free that finds the key is a double free, reported before any list is
 * touched. An object of someone else's slab goes to slab_free_slow,
 * which pushes it on that slab's atomic remote list.
 */
#ifndef BUDDY_FASTPATH_H
#define BUDDY_FASTPATH_H

#include "internal.h"
#include "freelist.h"

static inline uintptr_t slab_key(const void *o)
{
	return slab_secret ^ (uintptr_t)o;
}

static inline void *slab_alloc(unsigned cls)
{
	struct tcache *tc = tls_tc;
	struct page *s = tc->active[cls];
	void **o = s->free;
	if (likely(o != NULL)) {
		if (debug_checks && (uintptr_t)o[1] != slab_key(o))
			freelist_corrupt(s, o, "object without its free key");
		s->free = freelist_next(s, o);
		o[1] = NULL;
		s->inuse++;
		tc->stat.nmalloc[cls]++;
		return o;
	}
	return slab_alloc_slow(tc, cls);
}

static inline void slab_free(struct page *s, void **o)
{
	struct tcache *tc = tls_tc;
	if (unlikely((uintptr_t)o[1] == slab_key(o))) {
		slab_invalid("free", o, true);
		return;
	}
	if (likely(atomic_load_explicit(&s->owner, memory_order_relaxed) == tc)) {
		o[0] = freelist_link(o, s->free);
		o[1] = (void *)slab_key(o);
		s->free = o;
		tc->stat.nfree[s->cls]++;
		if (unlikely(--s->inuse == 0))
			slab_empty(tc, s);
		return;
	}
	slab_free_slow(tc, s, o);
}

/* True when the object `off` bytes into slab s starts there and was
 * carved out already. */
static inline bool slab_owns_at(const struct page *s, uintptr_t off)
{
	const struct size_class *c = &sc_table[s->cls];
	uint32_t idx = (uint32_t)((off * c->recip) >> 32);
	return (uintptr_t)idx * c->size == off && idx < s->bump;
}

/*
 * The head page of whatever holds p in zone section sec, and p's offset
 * from that head's first byte. A tail of a slab records its distance to
 * the head; every other tail records 0 (a freed run clears its length).
 */
static inline struct page *head_of(struct section *sec, const void *p, uintptr_t *offp)
{
	uintptr_t off = (uintptr_t)p - sec->base;
	size_t pfn = off >> PAGE_SHIFT;
	struct page *pg = &sec->pages[pfn];
	if (pg->kind == PG_TAIL) {
		pfn -= pg->head;
		pg -= pg->head;
	}
	*offp = off - (pfn << PAGE_SHIFT);
	return pg;
}

/* The two entry points the program calls most, inlined into preload/. */
extern size_t ba_slab_limit;
void *ba_malloc_big(size_t n);
void *ba_nomem(void);

static inline void *ba_malloc_inline(size_t n)
{
	if (likely(n <= ba_slab_limit)) {
		void *p = slab_alloc(sc_of(n));
		return likely(p != NULL) ? p : ba_nomem();
	}
	return ba_malloc_big(n);
}

static inline void ba_free_inline(void *p)
{
	struct sec_head *h = section_lookup(p);
	if (likely(h != NULL && h->kind == SEC_ZONE)) {
		uintptr_t off;
		struct page *pg = head_of((struct section *)h, p, &off);
		if (likely(pg->kind == PG_SLAB && slab_owns_at(pg, off))) {
			slab_free(pg, p);
			return;
		}
	}
	ba_free(p, "free");
}

#endif
