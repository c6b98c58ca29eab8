/*
 * slab.c - size-class caches: slabs, their owners, remote frees.
 *
 * A slab belongs to at most one thread, its owner, which allocates from it
 * and frees into it with plain loads and stores (slab.h). A slab is,
 * at any time, in exactly one of these states:
 *
 *   active     owner's tc->active[cls]: where the owner allocates.
 *   partial    on owner's tc->partial[cls]: owned, has free objects.
 *   full       owner NULL, remote == SLAB_NOTIFY, on no list: every object
 *              was handed out when its owner moved on. The first free into
 *              it claims it (one compare-and-swap) and it becomes partial
 *              for the freeing thread, so freeing a batch costs one atomic
 *              per slab, not per object.
 *   abandoned  owner NULL, on heap.caches[cls].partial (locked): left by a
 *              thread that exited, with objects still in use, or a full
 *              slab that a thread without a cache freed into. Any thread
 *              that needs a slab of the class adopts it.
 *
 * Objects freed by a thread that is not the owner are pushed on the slab's
 * atomic `remote` list (a Treiber stack; pushes only, the owner takes the
 * whole list with one exchange), so no lock is taken on any free. The
 * owner counts `inuse` = handed out - freed locally - collected; a slab
 * whose last object is freed goes back to the page cache unless it is
 * active or one of the slab_reserve empty slabs the thread keeps.
 *
 * A fresh slab is carved lazily, a page's worth of objects at a time, so
 * its untouched pages are never faulted in.
 *
 * Holes: malloc_trim gives back, in the calling thread's slabs that still
 * hold live objects, every page on which all objects are free and carved
 * (slab_punch). Such a page is a hole: bit i of s->holes for page i. Its
 * objects are taken off the free list first, so nothing the allocator
 * needs lives in a page that reads as zeros afterwards, and they come
 * back, each object exactly once, when the slab needs them (slab_unhole:
 * an object touching two holes comes back with the second). While a slab
 * has holes its owner word is tagged (SLAB_HOLED): the fast path's owner
 * test fails, every free into it takes the slow path, and there an object
 * in a hole (its free key reads as zero) is caught as a double free
 * (ptr_recheck, classify.h). The fast path pays nothing for this.
 *
 * Lock: heap.caches[cls].lock, a leaf: held only to add or take a slab on
 * a class's shared list, never across a call into the page cache.
 */
#include "list.h"
#include "options.h"
#include "os.h"
#include "pcache.h"
#include "section.h"
#include "slab.h"

static uintptr_t slab_base(struct slab *s)
{
	return pfn_address(s->sec, page_pfn(s->sec, slab_page(s)));
}

/* Makes tc (or nobody) the owner of s. While s has holes the owner is
 * tagged, so that the fast path's owner test fails and every free into s
 * takes the slow path, where a free into a hole is caught. */
static void slab_own(struct slab *s, struct tcache *tc)
{
	uintptr_t v = (uintptr_t)tc;
	if (tc && s->holes)
		v |= SLAB_HOLED;
	atomic_store_explicit(&s->owner, (struct tcache *)v, memory_order_relaxed);
}

static struct tcache *slab_owner(struct slab *s)
{
	return (struct tcache *)((uintptr_t)atomic_load_explicit(&s->owner, memory_order_relaxed) &
				 ~SLAB_HOLED);
}

/* Carves up to a page's worth of never-used objects onto the free list. */
static bool slab_extend(struct slab *s)
{
	const struct size_class *c = &sc_table[s->cls];
	uint32_t n = (uint32_t)(PAGE_SIZE / c->size);
	if (s->bump >= c->capacity)
		return false;
	if (n == 0)
		n = 1;
	if (n > (uint32_t)c->capacity - s->bump)
		n = (uint32_t)c->capacity - s->bump;
	uintptr_t base = slab_base(s);
	void **head = s->free;
	for (uint32_t i = s->bump + n; i-- > s->bump;) {
		void **o = (void **)(base + (uintptr_t)i * c->size);
		o[0] = freelist_link(o, head);
		o[1] = (void *)slab_key(o);
		head = o;
	}
	s->free = head;
	s->bump += n;
	return true;
}

/* Objects [first, last] of s: those that touch page pg of the slab. */
static void objects_on(const struct slab *s, unsigned pg, uint32_t *first, uint32_t *last)
{
	const struct size_class *c = &sc_table[s->cls];
	*first = (uint32_t)(((uintptr_t)pg << PAGE_SHIFT) / c->size);
	*last = (uint32_t)(((((uintptr_t)pg + 1) << PAGE_SHIFT) - 1) / c->size);
	if (*last >= c->capacity)
		*last = c->capacity - 1u;
}

/*
 * Brings hole pages back until one gives the free list an object: each
 * object on the page that touches no other hole goes on the list (the
 * page reads as zeros; its links are written now). False when s has no
 * hole left and still no free object.
 */
static bool slab_unhole(struct slab *s)
{
	const struct size_class *c = &sc_table[s->cls];
	uintptr_t base = slab_base(s);
	if (!s->holes)
		return false;
	while (s->holes && !s->free) {
		unsigned pg = (unsigned)__builtin_ctz(s->holes);
		uint32_t first, last;
		s->holes &= ~(1u << pg);
		objects_on(s, pg, &first, &last);
		for (uint32_t i = last + 1; i-- > first;) {
			void **o = (void **)(base + (uintptr_t)i * c->size);
			if (i < s->bump && !slab_obj_in_hole(s, o)) {
				o[0] = freelist_link(o, s->free);
				o[1] = (void *)slab_key(o);
				s->free = o;
			}
		}
	}
	if (!s->holes)
		slab_own(s, slab_owner(s));	/* untagged: fast frees again */
	return s->free != NULL;
}

/* Moves the remote list onto the local one; returns how many objects. */
static uint32_t slab_collect(struct slab *s)
{
	uintptr_t r = atomic_exchange_explicit(&s->remote, 0, memory_order_acquire);
	void **o = (void **)(r & ~SLAB_NOTIFY), **t, **next;
	uint32_t n = 1;
	if (!o)
		return 0;
	for (t = o; (next = freelist_next(s, t)) != NULL; t = next)
		if (++n > sc_table[s->cls].capacity)
			freelist_corrupt(s, t, "remote list longer than the slab");
	t[0] = freelist_link(t, s->free);
	s->free = o;
	s->inuse -= n;
	return n;
}

/*
 * The active slab is exhausted: let go of it. A later free claims it back.
 * False when a remote free raced in: the slab stays ours, with objects.
 */
static bool slab_retire(struct tcache *tc, struct slab *s)
{
	uintptr_t expect = 0;
	slab_own(s, NULL);
	if (atomic_compare_exchange_strong_explicit(&s->remote, &expect, SLAB_NOTIFY,
			memory_order_release, memory_order_relaxed))
		return true;
	slab_own(s, tc);
	slab_collect(s);
	return false;
}

/* Gives an empty slab's pages back to the thread's page cache. */
static void slab_release(struct tcache *tc, struct slab *s)
{
	struct section *sec = s->sec;
	size_t pfn = page_pfn(sec, slab_page(s)), n = (size_t)1 << s->order;
	for (size_t i = 1; i < n; i++)
		sec->pages[pfn + i].tail_dist = 0;
	s->bump = 0;		/* the second page's descriptor: a plain tail again */
	s->holes = 0;		/* the third's */
	s->unused = 0;		/* the head's run_pages, zero in any free block */
	slab_own(s, NULL);
	tc->stat.slabs_freed++;
	tc->stat.slabs[s->cls]--;
	pcp_free(tc, sec, slab_page(s), s->order);
}

static struct slab *slab_new(struct tcache *tc, unsigned cls)
{
	const struct size_class *c = &sc_table[cls];
	struct section *sec;
	struct page *pg = pcp_alloc(tc, c->order, &sec);
	if (!pg)
		return NULL;
	size_t pfn = page_pfn(sec, pg), n = (size_t)1 << c->order;
	for (size_t i = 1; i < n; i++)
		sec->pages[pfn + i].tail_dist = (uint16_t)i;
	struct slab *s = page_slab(pg);
	s->tail_kind = PG_TAIL;		/* it is one already: a block's tails are */
	s->cls = (uint8_t)cls;
	s->order = c->order;
	s->free = NULL;
	atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
	s->holes = 0;
	s->sampled = 0;
	slab_own(s, tc);
	s->inuse = 0;
	s->bump = 0;
	s->sec = sec;
	s->next = s->prev = NULL;
	s->kind = PG_SLAB;
	slab_extend(s);
	tc->stat.slabs_new++;
	tc->stat.slabs[cls]++;
	return s;
}

/* Takes an abandoned slab of the class, if there is one. */
static struct slab *slab_adopt(struct tcache *tc, unsigned cls)
{
	struct kmem_cache *kc = &heap.caches[cls];
	struct slab *s;

	if (!__atomic_load_n(&kc->partial, __ATOMIC_RELAXED))
		return NULL;
	lock_acquire(&kc->lock);
	s = kc->partial;
	if (s) {
		slab_list_del(&kc->partial, s);
		kc->nr_partial--;
	}
	lock_release(&kc->lock);
	if (!s)
		return NULL;
	slab_own(s, tc);
	slab_collect(s);
	if (!s->free && !slab_extend(s))
		slab_unhole(s);
	tc->stat.slabs_adopted++;
	return s;
}

/* The next slab for the class: own partial, abandoned, or fresh. */
static struct slab *slab_next(struct tcache *tc, unsigned cls)
{
	struct slab *s;
	while ((s = tc->partial[cls]) != NULL) {
		slab_list_del(&tc->partial[cls], s);
		if (s->inuse == 0 && tc->nr_empty[cls])
			tc->nr_empty[cls]--;
		slab_collect(s);
		if (s->free || slab_extend(s) || slab_unhole(s))
			return s;
		/* cannot happen: a partial slab has a free object */
		check_fail("partial slab without free objects", s);
	}
	s = slab_adopt(tc, cls);
	if (s && s->free)
		return s;
	return slab_new(tc, cls);
}

/*
 * The active slab of cls has no free object: carve more of it, collect its
 * remote frees, or move on to the next slab. An object, or NULL when no
 * memory is left (alloc.c reclaims and calls again).
 */
void *slab_alloc_refill(struct tcache *tc, unsigned cls)
{
	tcache_busy_enter(tc);
	struct slab *s = tc->active[cls];
	if (s == &dummy_slab)
		s = NULL;
	else if (!slab_extend(s) && !slab_collect(s) && !slab_unhole(s) && slab_retire(tc, s))
		s = NULL;	/* retired: from here on another thread may own it */
	/* else s has objects: carved, collected, or raced in during retire */
	if (!s) {
		tc->active[cls] = &dummy_slab;
		s = slab_next(tc, cls);
		if (!s) {
			tcache_busy_exit(tc);
			return NULL;
		}
		tc->active[cls] = s;
	}
	if (debug_checks)
		check_slab(s);
	tcache_busy_exit(tc);
	return slab_alloc_fast(tc, cls);
}

/* The owner's free emptied a slab: give it back, unless it is active or
 * the thread keeps fewer than slab_reserve empty slabs of the class; under
 * pressure (pressure.h) it goes back in any case, the active one too. */
static void slab_empty_slow(struct tcache *tc, struct slab *s);

void slab_empty(struct tcache *tc, struct slab *s)
{
	if (s == tc->active[s->cls] &&
	    likely(!atomic_load_explicit(&heap.pressure_until, memory_order_relaxed)))
		return;
	slab_empty_slow(tc, s);
}

static __attribute__((noinline)) void slab_empty_slow(struct tcache *tc, struct slab *s)
{
	bool pressure = under_pressure();
	if (s == tc->active[s->cls] && !pressure)
		return;
	if (tc->nr_empty[s->cls] < opt.slab_reserve && !pressure) {
		tc->nr_empty[s->cls]++;
		return;		/* stays on the partial list, empty */
	}
	tcache_busy_enter(tc);
	if (s == tc->active[s->cls])
		tc->active[s->cls] = &dummy_slab;
	else
		slab_list_del(&tc->partial[s->cls], s);
	slab_release(tc, s);
	tcache_busy_exit(tc);
}

/*
 * malloc_trim, for a slab of the calling thread that still holds objects:
 * every page on which all objects are free (and carved) goes back to the
 * OS and becomes a hole. Its objects leave the free list, so nothing of
 * the allocator lives in a page that reads as zeros; slab_unhole() puts
 * them back when the slab needs them. Pages given back.
 */
static size_t slab_punch(struct slab *s)
{
	const struct size_class *c = &sc_table[s->cls];
	uint64_t freebit[(PAGE_SIZE << SLAB_MAX_ORDER) / MIN_ALIGN / 64] = { 0 };
	uintptr_t base = slab_base(s);
	uint32_t punch = 0;
	unsigned npages = 1u << s->order;

	slab_collect(s);
	for (void **o = s->free; o; o = freelist_next(s, o)) {
		uint32_t i = (uint32_t)(((uintptr_t)o - base) / c->size);
		freebit[i / 64] |= (uint64_t)1 << (i % 64);
	}
	for (unsigned pg = 0; pg < npages; pg++) {
		uint32_t first, last, i;
		objects_on(s, pg, &first, &last);
		if ((s->holes & (1u << pg)) || first > last || last >= s->bump)
			continue;	/* a hole already, or objects never carved */
		for (i = first; i <= last && (freebit[i / 64] >> (i % 64) & 1); i++)
			;
		if (i > last)
			punch |= 1u << pg;
	}
	if (!punch)
		return 0;
	s->holes |= punch;
	void **keep = NULL, **last = NULL, **next;
	for (void **o = s->free; o; o = next) {
		next = freelist_next(s, o);
		if (slab_obj_in_hole(s, o))
			continue;
		if (last)
			last[0] = freelist_link(last, o);
		else
			keep = o;
		last = o;
	}
	if (last)
		last[0] = freelist_link(last, NULL);
	s->free = keep;
	for (unsigned pg = 0; pg < npages; pg++)
		if (punch & (1u << pg))
			os_decommit((void *)(base + ((uintptr_t)pg << PAGE_SHIFT)), PAGE_SIZE);
	slab_own(s, slab_owner(s));		/* tagged: frees go slow */
	return (size_t)__builtin_popcount(punch);
}

/* malloc_trim: the empty slabs the thread keeps go back, its active ones
 * included (an empty active slab at the top of the break would keep the
 * break from going down). Pages freed. */
size_t slab_trim(struct tcache *tc)
{
	size_t pages = 0;
	tcache_busy_enter(tc);
	for (unsigned cls = 0; cls < NR_CLASSES; cls++) {
		struct slab *s = tc->active[cls], *next;
		if (s != &dummy_slab) {
			slab_collect(s);
			if (s->inuse == 0) {
				tc->active[cls] = &dummy_slab;
				pages += (size_t)1 << s->order;
				slab_release(tc, s);
			} else {
				pages += slab_punch(s);
			}
		}
		for (s = tc->partial[cls]; s; s = s->next)
			if (s->inuse)
				pages += slab_punch(s);
		s = tc->partial[cls];
		for (; s && tc->nr_empty[cls]; s = next) {
			next = s->next;
			slab_collect(s);
			if (s->inuse)
				continue;
			slab_list_del(&tc->partial[cls], s);
			tc->nr_empty[cls]--;
			pages += (size_t)1 << s->order;
			slab_release(tc, s);
		}
	}
	tcache_busy_exit(tc);
	return pages;
}

/* Objects freed by threads that have no cache (see slab_free_remote). */
int64_t slab_orphan_frees(unsigned cls)
{
	return atomic_load_explicit(&heap.caches[cls].orphan_nfree, memory_order_relaxed);
}

/* A full slab whose NOTIFY a thread without a cache consumed: it goes on
 * the shared list, where any thread needing its class adopts it. */
static void slab_share(struct slab *s)
{
	struct kmem_cache *kc = &heap.caches[s->cls];
	lock_acquire(&kc->lock);
	slab_list_add(&kc->partial, s);
	kc->nr_partial++;
	lock_release(&kc->lock);
}

/*
 * Frees o into slab s, which the calling thread does not own. A thread
 * without a cache (one that has run its exit handler, whose later frees
 * come from glibc's own clean-up) does not take a cache for a free: it
 * pushes, and hands a full slab to the shared list instead of claiming it.
 */
void slab_free_remote(struct tcache *tc, struct slab *s, void **o)
{
	if (tc == &tcache_empty) {
		uintptr_t old = atomic_load_explicit(&s->remote, memory_order_relaxed);
		do {
			o[0] = freelist_link(o, (void *)(old & ~SLAB_NOTIFY));
			o[1] = (void *)slab_key(o);
		} while (!atomic_compare_exchange_weak_explicit(&s->remote, &old, (uintptr_t)o,
				memory_order_release, memory_order_relaxed));
		atomic_fetch_add_explicit(&heap.caches[s->cls].orphan_nfree, 1, memory_order_relaxed);
		if (old == SLAB_NOTIFY)
			slab_share(s);
		return;
	}
	if (slab_owner(s) == tc) {	/* ours, with holes: alloc.c checked o */
		slab_free_owned(tc, s, o);
		return;
	}
	tcache_busy_enter(tc);		/* a claim below changes our lists */
	uintptr_t old = atomic_load_explicit(&s->remote, memory_order_relaxed);
	for (;;) {
		if (old == SLAB_NOTIFY) {
			if (!atomic_compare_exchange_weak_explicit(&s->remote, &old, 0,
					memory_order_acquire, memory_order_relaxed))
				continue;
			/* claimed a full slab: it is ours now, and partial */
			slab_own(s, tc);
			slab_list_add(&tc->partial[s->cls], s);
			slab_free_owned(tc, s, o);
			tcache_busy_exit(tc);
			return;
		}
		o[0] = freelist_link(o, (void *)old);
		o[1] = (void *)slab_key(o);
		if (atomic_compare_exchange_weak_explicit(&s->remote, &old, (uintptr_t)o,
				memory_order_release, memory_order_relaxed))
			break;
	}
	tc->stat.nfree[s->cls]++;
	tcache_busy_exit(tc);
}

/* A thread's slab that it gives up for good (thread exit). */
static void slab_abandon(struct tcache *tc, struct slab *s)
{
	for (;;) {
		slab_collect(s);
		if (s->inuse == 0) {
			slab_release(tc, s);
			return;
		}
		if (s->free || s->bump < sc_table[s->cls].capacity)
			break;
		if (slab_retire(tc, s))
			return;		/* full: the next free claims it */
	}
	struct kmem_cache *kc = &heap.caches[s->cls];
	slab_own(s, NULL);
	lock_acquire(&kc->lock);
	slab_list_add(&kc->partial, s);
	kc->nr_partial++;
	lock_release(&kc->lock);
}

/* Thread exit: every slab the thread owns is released or abandoned. */
void slab_flush(struct tcache *tc)
{
	tcache_busy_enter(tc);
	for (unsigned cls = 0; cls < NR_CLASSES; cls++) {
		struct slab *s = tc->active[cls];
		tc->active[cls] = &dummy_slab;
		if (s != &dummy_slab)
			slab_abandon(tc, s);
		while ((s = tc->partial[cls]) != NULL) {
			slab_list_del(&tc->partial[cls], s);
			slab_abandon(tc, s);
		}
		tc->nr_empty[cls] = 0;
	}
	tcache_busy_exit(tc);
}

/*
 * fork.c, in a child that must rebuild: empties the shared lists; then
 * slab_rebuild() is called for every slab head found in the descriptors.
 */
void slab_fork_reset(void)
{
	for (unsigned cls = 0; cls < NR_CLASSES; cls++) {
		lock_init(&heap.caches[cls].lock);
		heap.caches[cls].partial = NULL;
		heap.caches[cls].nr_partial = 0;
	}
}

/* A slab found in the descriptors: keep it if `me` owns it, else it is
 * abandoned (with free objects) or full (without). */
void slab_rebuild(struct slab *s, struct tcache *me)
{
	if (me && slab_owner(s) == me)
		return;
	slab_own(s, NULL);
	uintptr_t r = atomic_load_explicit(&s->remote, memory_order_relaxed);
	if (!s->free && s->bump >= sc_table[s->cls].capacity && !(r & ~SLAB_NOTIFY)) {
		atomic_store_explicit(&s->remote, SLAB_NOTIFY, memory_order_relaxed);
		return;
	}
	if (r == SLAB_NOTIFY)
		atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
	slab_list_add(&heap.caches[s->cls].partial, s);
	heap.caches[s->cls].nr_partial++;
}
