/*
 * slab.c - size-class caches: slabs, their owners, remote frees.
 *
 * A slab belongs to at most one thread, its owner, which allocates from it
 * and frees into it with plain loads and stores (fastpath.h). A slab is,
 * at any time, in exactly one of these states:
 *
 *   active     owner's tc->active[cls]: where the owner allocates.
 *   partial    on owner's tc->partial[cls]: owned, has free objects.
 *   full       owner NULL, remote == SLAB_NOTIFY, on no list: every object
 *              was handed out when its owner moved on. The first free into
 *              it claims it (one compare-and-swap) and it becomes partial
 *              for the freeing thread, so freeing a batch costs one atomic
 *              per slab, not per object.
 *   abandoned  owner NULL, on kmem_caches[cls].partial (locked): left by a
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
 * Lock order: kmem_cache.lock -> zone.lock (through the page cache).
 */
#include "fastpath.h"
#include "list.h"

#define SLAB_NOTIFY	((uintptr_t)1)

struct kmem_cache kmem_caches[NR_CLASSES];
struct page dummy_slab = { .kind = PG_SLAB };
uintptr_t slab_secret;

#define busy_enter(tc)	do { (tc)->busy++; atomic_signal_fence(memory_order_seq_cst); } while (0)
#define busy_exit(tc)	do { atomic_signal_fence(memory_order_seq_cst); (tc)->busy--; } while (0)

static uintptr_t slab_base(const struct page *s)
{
	return pfn_address(s->sec, page_pfn(s->sec, s));
}

/* Carves up to a page's worth of never-used objects onto the free list. */
static bool slab_extend(struct page *s)
{
	const struct size_class *c = &sc_table[s->cls];
	uint32_t n = (uint32_t)(PAGE_SIZE / c->size);
	if (s->bump >= c->capacity)
		return false;
	if (n == 0)
		n = 1;
	if (n > c->capacity - s->bump)
		n = c->capacity - s->bump;
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

/* Moves the remote list onto the local one; returns how many objects. */
static uint32_t slab_collect(struct page *s)
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
static bool slab_retire(struct tcache *tc, struct page *s)
{
	uintptr_t expect = 0;
	atomic_store_explicit(&s->owner, NULL, memory_order_relaxed);
	if (atomic_compare_exchange_strong_explicit(&s->remote, &expect, SLAB_NOTIFY,
			memory_order_release, memory_order_relaxed))
		return true;
	atomic_store_explicit(&s->owner, tc, memory_order_relaxed);
	slab_collect(s);
	return false;
}

/* Gives an empty slab's pages back to the thread's page cache. */
static void slab_release(struct tcache *tc, struct page *s)
{
	struct section *sec = s->sec;
	size_t pfn = page_pfn(sec, s), n = (size_t)1 << s->order;
	for (size_t i = 1; i < n; i++)
		sec->pages[pfn + i].head = 0;
	atomic_store_explicit(&s->owner, NULL, memory_order_relaxed);
	tc->stat.slabs_freed++;
	tc->stat.slabs[s->cls]--;
	pcp_free(tc, sec, s, s->order);
}

static struct page *slab_new(struct tcache *tc, unsigned cls)
{
	const struct size_class *c = &sc_table[cls];
	struct section *sec;
	struct page *s = pcp_alloc(tc, c->order, &sec);
	if (!s)
		return NULL;
	size_t pfn = page_pfn(sec, s), n = (size_t)1 << c->order;
	for (size_t i = 1; i < n; i++)
		sec->pages[pfn + i].head = (uint32_t)i;
	s->cls = (uint8_t)cls;
	s->order = c->order;
	s->free = NULL;
	atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
	atomic_store_explicit(&s->owner, tc, memory_order_relaxed);
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
static struct page *slab_adopt(struct tcache *tc, unsigned cls)
{
	struct kmem_cache *kc = &kmem_caches[cls];
	struct page *s;

	if (!__atomic_load_n(&kc->partial, __ATOMIC_RELAXED))
		return NULL;
	lock_acquire(&kc->lock);
	s = kc->partial;
	if (s) {
		page_list_del(&kc->partial, s);
		kc->nr_partial--;
	}
	lock_release(&kc->lock);
	if (!s)
		return NULL;
	atomic_store_explicit(&s->owner, tc, memory_order_relaxed);
	slab_collect(s);
	if (!s->free)
		slab_extend(s);
	tc->stat.slabs_adopted++;
	return s;
}

/* The next slab for the class: own partial, abandoned, or fresh. */
static struct page *slab_next(struct tcache *tc, unsigned cls)
{
	struct page *s;
	while ((s = tc->partial[cls]) != NULL) {
		page_list_del(&tc->partial[cls], s);
		if (s->inuse == 0 && tc->nr_empty[cls])
			tc->nr_empty[cls]--;
		slab_collect(s);
		if (s->free || slab_extend(s))
			return s;
		/* cannot happen: a partial slab has a free object */
		check_fail("partial slab without free objects", s);
	}
	s = slab_adopt(tc, cls);
	if (s && s->free)
		return s;
	return slab_new(tc, cls);
}

void *slab_alloc_slow(struct tcache *tc, unsigned cls)
{
	if (tc == &tcache_empty) {
		tc = tcache_acquire();
		if (!tc)
			return NULL;
		if (tc->active[cls]->free)
			return slab_alloc(cls);
	}
	busy_enter(tc);
	struct page *s = tc->active[cls];
	if (s == &dummy_slab)
		s = NULL;
	else if (!slab_extend(s) && !slab_collect(s) && slab_retire(tc, s))
		s = NULL;	/* retired: from here on another thread may own it */
	/* else s has objects: carved, collected, or raced in during retire */
	if (!s) {
		tc->active[cls] = &dummy_slab;
		s = slab_next(tc, cls);
		if (!s && node_reclaim_failed())
			s = slab_next(tc, cls);
		if (!s) {
			busy_exit(tc);
			return NULL;
		}
		tc->active[cls] = s;
	}
	if (debug_checks)
		check_slab(s);
	busy_exit(tc);
	return slab_alloc(cls);
}

/* The owner's free emptied a slab: give it back, unless it is active or
 * the thread keeps fewer than slab_reserve empty slabs of the class. */
static void slab_empty_slow(struct tcache *tc, struct page *s);

void slab_empty(struct tcache *tc, struct page *s)
{
	if (s == tc->active[s->cls] &&
	    likely(!atomic_load_explicit(&pressure_until, memory_order_relaxed)))
		return;
	slab_empty_slow(tc, s);
}

/* (A request failed lately: keep no empty slab, not even the active one.) */
static __attribute__((noinline)) void slab_empty_slow(struct tcache *tc, struct page *s)
{
	if (s == tc->active[s->cls] && !reclaim_pressure())
		return;
	if (tc->nr_empty[s->cls] < opt.slab_reserve && !reclaim_pressure()) {
		tc->nr_empty[s->cls]++;
		return;		/* stays on the partial list, empty */
	}
	busy_enter(tc);
	if (s == tc->active[s->cls])
		tc->active[s->cls] = &dummy_slab;
	else
		page_list_del(&tc->partial[s->cls], s);
	slab_release(tc, s);
	busy_exit(tc);
}

/* malloc_trim: the empty slabs the thread keeps go back. Pages freed. */
size_t slab_trim(struct tcache *tc)
{
	size_t pages = 0;
	busy_enter(tc);
	for (unsigned cls = 0; cls < NR_CLASSES; cls++) {
		struct page *s = tc->partial[cls], *next;
		for (; s && tc->nr_empty[cls]; s = next) {
			next = s->next;
			slab_collect(s);
			if (s->inuse)
				continue;
			page_list_del(&tc->partial[cls], s);
			tc->nr_empty[cls]--;
			pages += (size_t)1 << s->order;
			slab_release(tc, s);
		}
	}
	busy_exit(tc);
	return pages;
}

/* Objects freed by threads that have no cache (see slab_free_slow). */
_Atomic int64_t slab_orphan_nfree[NR_CLASSES];

/* A full slab whose NOTIFY a thread without a cache consumed: it goes on
 * the shared list, where any thread needing its class adopts it. */
static void slab_share(struct page *s)
{
	struct kmem_cache *kc = &kmem_caches[s->cls];
	lock_acquire(&kc->lock);
	page_list_add(&kc->partial, s);
	kc->nr_partial++;
	lock_release(&kc->lock);
}

/*
 * Frees o into slab s, which the calling thread does not own. A thread
 * without a cache (one that has run its exit handler, whose later frees
 * come from glibc's own clean-up) does not take a cache for a free: it
 * pushes, and hands a full slab to the shared list instead of claiming it.
 */
void slab_free_slow(struct tcache *tc, struct page *s, void **o)
{
	if (tc == &tcache_empty) {
		uintptr_t old = atomic_load_explicit(&s->remote, memory_order_relaxed);
		do {
			o[0] = freelist_link(o, (void *)(old & ~SLAB_NOTIFY));
			o[1] = (void *)slab_key(o);
		} while (!atomic_compare_exchange_weak_explicit(&s->remote, &old, (uintptr_t)o,
				memory_order_release, memory_order_relaxed));
		atomic_fetch_add_explicit(&slab_orphan_nfree[s->cls], 1, memory_order_relaxed);
		if (old == SLAB_NOTIFY)
			slab_share(s);
		return;
	}
	busy_enter(tc);		/* a claim below changes our lists */
	uintptr_t old = atomic_load_explicit(&s->remote, memory_order_relaxed);
	for (;;) {
		if (old == SLAB_NOTIFY) {
			if (!atomic_compare_exchange_weak_explicit(&s->remote, &old, 0,
					memory_order_acquire, memory_order_relaxed))
				continue;
			/* claimed a full slab: it is ours now, and partial. A failed
			 * push above may have left the key in o[1]: free o here,
			 * not through slab_free's double-free check */
			atomic_store_explicit(&s->owner, tc, memory_order_relaxed);
			page_list_add(&tc->partial[s->cls], s);
			o[0] = freelist_link(o, s->free);
			o[1] = (void *)slab_key(o);
			s->free = o;
			tc->stat.nfree[s->cls]++;
			if (--s->inuse == 0)
				slab_empty(tc, s);
			busy_exit(tc);
			return;
		}
		o[0] = freelist_link(o, (void *)old);
		o[1] = (void *)slab_key(o);
		if (atomic_compare_exchange_weak_explicit(&s->remote, &old, (uintptr_t)o,
				memory_order_release, memory_order_relaxed))
			break;
	}
	tc->stat.nfree[s->cls]++;
	busy_exit(tc);
}

/* A thread's slab that it gives up for good (thread exit). */
static void slab_abandon(struct tcache *tc, struct page *s)
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
	struct kmem_cache *kc = &kmem_caches[s->cls];
	atomic_store_explicit(&s->owner, NULL, memory_order_relaxed);
	lock_acquire(&kc->lock);
	page_list_add(&kc->partial, s);
	kc->nr_partial++;
	lock_release(&kc->lock);
}

/* Thread exit: every slab the thread owns is released or abandoned. */
void slab_flush(struct tcache *tc)
{
	busy_enter(tc);
	for (unsigned cls = 0; cls < NR_CLASSES; cls++) {
		struct page *s = tc->active[cls];
		tc->active[cls] = &dummy_slab;
		if (s != &dummy_slab)
			slab_abandon(tc, s);
		while ((s = tc->partial[cls]) != NULL) {
			page_list_del(&tc->partial[cls], s);
			slab_abandon(tc, s);
		}
		tc->nr_empty[cls] = 0;
	}
	busy_exit(tc);
}

void slab_invalid(const char *fn, const void *p, bool double_free)
{
	report_invalid(fn, double_free ? "double free" : "invalid pointer", p);
}

/*
 * fork.c, in a child that must rebuild: empties the shared lists; then
 * slab_rebuild() is called for every slab head found in the descriptors.
 */
void slab_fork_reset(void)
{
	for (unsigned cls = 0; cls < NR_CLASSES; cls++) {
		lock_init(&kmem_caches[cls].lock);
		kmem_caches[cls].partial = NULL;
		kmem_caches[cls].nr_partial = 0;
	}
}

/* A slab found in the descriptors: keep it if `me` owns it, else it is
 * abandoned (with free objects) or full (without). */
void slab_rebuild(struct page *s, struct tcache *me)
{
	if (me && atomic_load_explicit(&s->owner, memory_order_relaxed) == me)
		return;
	atomic_store_explicit(&s->owner, NULL, memory_order_relaxed);
	uintptr_t r = atomic_load_explicit(&s->remote, memory_order_relaxed);
	if (!s->free && s->bump >= sc_table[s->cls].capacity && !(r & ~SLAB_NOTIFY)) {
		atomic_store_explicit(&s->remote, SLAB_NOTIFY, memory_order_relaxed);
		return;
	}
	if (r == SLAB_NOTIFY)
		atomic_store_explicit(&s->remote, 0, memory_order_relaxed);
	page_list_add(&kmem_caches[s->cls].partial, s);
	kmem_caches[s->cls].nr_partial++;
}
