/*
 * slab.h - size-class caches (slab.c), and the two operations of the fast
 * path inlined from here: pop an object off the calling thread's active
 * slab, push one back on a slab it owns. Layer 5: over pcache and tcache.
 *
 * Every free object holds, in its first word, its protected link to the
 * next one (freelist.h), checked at every pop, and in its second word,
 * heap.secret ^ its address (its "free key"); a live object never does,
 * because the pop clears it. A pointer whose key is in place is a double
 * free (classify.h).
 */
#ifndef BUDDY_SLAB_H
#define BUDDY_SLAB_H

#include "check.h"
#include "freelist.h"
#include "pressure.h"
#include "section.h"
#include "sizeclass.h"
#include "tcache.h"

#define SLAB_NOTIFY	((uintptr_t)1)	/* in remote: full and ownerless, claim it */
#define SLAB_HOLED	((uintptr_t)1)	/* in owner: the slab has holes, frees go slow */

static inline uintptr_t slab_key(const void *o)
{
	return heap.secret ^ (uintptr_t)o;
}

static inline bool slab_obj_is_free(const void *o)
{
	return ((void *const *)o)[1] == (void *)slab_key(o);
}

/* True when the object `off` bytes into slab s starts there and was
 * carved out already. */
static inline bool slab_owns_at(const struct slab *s, uintptr_t off)
{
	const struct size_class *c = &sc_table[s->cls];
	uint32_t idx = (uint32_t)((off * c->recip) >> 32);
	return (uintptr_t)idx * c->size == off && idx < s->bump;
}

void slab_empty(struct tcache *tc, struct slab *s);

/* An object of the active slab of cls, or NULL when it has none left. */
static inline void *slab_alloc_fast(struct tcache *tc, unsigned cls)
{
	struct slab *s = tc->active[cls];
	void **o = s->free;
	if (unlikely(o == NULL))
		return NULL;
	if (debug_checks && !slab_obj_is_free(o))
		freelist_corrupt(s, o, "object without its free key");
	s->free = freelist_next(s, o);
	o[1] = NULL;
	s->inuse++;
	tc->stat.nmalloc[cls]++;
	return o;
}

/* Pushes o on s, which the calling thread owns. */
static inline void slab_free_owned(struct tcache *tc, struct slab *s, void **o)
{
	o[0] = freelist_link(o, s->free);
	o[1] = (void *)slab_key(o);
	s->free = o;
	tc->stat.nfree[s->cls]++;
	if (unlikely(--s->inuse == 0))
		slab_empty(tc, s);
}

/* Frees o into s if the calling thread owns s (and s has no holes); false,
 * nothing done, if not. */
static inline bool slab_free_local(struct tcache *tc, struct slab *s, void **o)
{
	if (unlikely(atomic_load_explicit(&s->owner, memory_order_relaxed) != tc))
		return false;
	slab_free_owned(tc, s, o);
	return true;
}

/* True when the object at o lies on a page of s given back (a hole): it is
 * free, and a free of it is a double free. */
static inline bool slab_obj_in_hole(const struct slab *s, const void *o)
{
	if (likely(!s->holes))
		return false;
	uintptr_t off = (uintptr_t)o - pfn_address(s->sec, page_pfn(s->sec, (const struct page *)s));
	uintptr_t last = off + sc_table[s->cls].size - 1;
	for (uintptr_t pg = off >> PAGE_SHIFT; pg <= last >> PAGE_SHIFT; pg++)
		if (s->holes & (1u << pg))
			return true;
	return false;
}

void *slab_alloc_refill(struct tcache *tc, unsigned cls);
void slab_free_remote(struct tcache *tc, struct slab *s, void **o);
void slab_flush(struct tcache *tc);
size_t slab_trim(struct tcache *tc);
int64_t slab_orphan_frees(unsigned cls);
void slab_fork_reset(void);
void slab_rebuild(struct slab *s, struct tcache *me);

#endif
