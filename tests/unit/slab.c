/*
 * slab.c - proves the slab layer: objects of every class are distinct,
 * inside their slab, aligned, and map back to their slab; freeing them
 * all gives the slabs back; objects freed by another thread are collected
 * and reused by the owner; a slab that runs out stays with its owner and
 * comes back to it (full_stays_owned), or goes back to the page cache
 * once every object came back from another thread (sweep); a thread that
 * only frees takes a cache; the full slabs of an exited thread are
 * orphaned and claimed (orphans); a slab's second and third page
 * descriptors, part of its head, read as its tails while it lives and as
 * plain tails after; a thread's slabs are abandoned at its exit and
 * adopted by the next thread; a double free is caught and changes nothing.
 */
#include <pthread.h>

#include "unit.h"

#define N 3000
static void *objs[N];

/* The slab of an object, live or freed, through the one classifier. */
static struct slab *slab_of(void *p)
{
	struct ptr_info pi = ptr_classify(p);
	if (pi.kind == PTR_SLAB || (pi.kind == PTR_FREED && pi.slab->kind == PG_SLAB))
		return pi.slab;
	return NULL;
}

static void every_class(void)
{
	struct tcache *tc = tcache_acquire();
	for (unsigned c = 0; c < NR_CLASSES; c++) {
		size_t size = sc_table[c].size, n = 3 * sc_table[c].capacity + 1;
		int64_t freed0 = tc->stat.slabs_freed;
		if (n > N)
			n = N;
		for (size_t i = 0; i < n; i++) {
			objs[i] = unit_slab_alloc(c);
			CHECK(objs[i] && ((uintptr_t)objs[i] & 15) == 0, "class %u object %zu", c, i);
			struct slab *s = slab_of(objs[i]);
			uintptr_t off;
			CHECK(s && page_head_of(s->sec, objs[i], &off) == slab_page(s) && slab_owns_at(s, off) &&
			      s->kind == PG_SLAB && s->cls == c,
			      "class %u object %zu maps back to its slab", c, i);
			struct page *second = slab_page(s) + 1, *third = slab_page(s) + 2;
			CHECK(second->kind == PG_TAIL && second->tail_dist == 1 &&
			      third->kind == PG_TAIL && third->tail_dist == 2,
			      "class %u object %zu: the slab's second and third descriptors read as "
			      "its tails", c, i);
			if ((size & (size - 1)) == 0)
				CHECK(((uintptr_t)objs[i] & (size - 1)) == 0, "power-of-two class %u aligned", c);
			memset(objs[i], (int)(i & 0xff), size);
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char *b = objs[i];
			CHECK(b[0] == (i & 0xff) && b[size - 1] == (i & 0xff), "class %u object %zu overwritten", c, i);
		}
		check_slab(tc->active[c]);
		struct slab *used[8];
		size_t nused = 0, released = 0;
		for (size_t i = 0; i < n; i++)
			if (nused < 8 && (nused == 0 || slab_of(objs[i]) != used[nused - 1]))
				used[nused++] = slab_of(objs[i]);
		for (size_t i = 0; i < n; i++)
			ba_free(objs[i], "free");
		/* a slab that went back leaves plain tails in its second and
		 * third descriptors: kind, counts, distance and holes all zero */
		for (size_t k = 0; k < nused; k++) {
			struct page *second = slab_page(used[k]) + 1, *third = slab_page(used[k]) + 2;
			if (used[k]->kind == PG_SLAB)
				continue;
			released++;
			CHECK(second->kind == PG_TAIL && second->tail_dist == 0 && second->run_pages == 0 &&
			      second->zeroed == 0 && second->cls == 0,
			      "class %u: a released slab's second descriptor is a plain tail", c);
			CHECK(third->kind == PG_TAIL && third->run_pages == 0 && third->next == NULL,
			      "class %u: a released slab's third descriptor is a plain tail", c);
		}
		CHECK(released || opt.slab_reserve >= nused - 1, "class %u: no slab went back", c);
		/* every slab but the active one emptied; the reserve stays */
		size_t cap = sc_table[c].capacity, others = n % cap ? n / cap : n / cap - 1;
		size_t expect = others > opt.slab_reserve ? others - opt.slab_reserve : 0;
		CHECK(tc->stat.slabs_freed - freed0 == (int64_t)expect, "class %u: %ld emptied slabs went back, not %zu",
		      c, (long)(tc->stat.slabs_freed - freed0), expect);
		size_t kept = 0;
		for (struct slab *s = tc->partial[c]; s; s = s->next, kept++)
			CHECK(s->inuse == 0, "class %u: a partial slab left with objects", c);
		CHECK(kept <= opt.slab_reserve && kept == tc->nr_empty[c],
		      "class %u: %zu empty slabs kept, reserve %zu", c, kept, opt.slab_reserve);
		CHECK(tc->active[c]->inuse == 0, "class %u: active slab empty", c);
	}
}

static void *free_all(void *arg)
{
	size_t n = (size_t)arg;
	for (size_t i = 0; i < n; i++)
		ba_free(objs[i], "free");
	return NULL;
}

static void remote_frees(void)
{
	unsigned c = sc_of(100);
	size_t n = 40;
	pthread_t t;
	for (size_t i = 0; i < n; i++)
		objs[i] = unit_slab_alloc(c);
	struct slab *s = tls_tc->active[c];
	uint32_t inuse = s->inuse;
	pthread_create(&t, NULL, free_all, (void *)n);
	pthread_join(t, NULL);
	CHECK(atomic_load(&s->remote) != 0, "remote frees wait on the slab's remote list");
	CHECK(s->inuse == inuse, "and the owner has not counted them yet");
	/* exhaust the slab: the owner collects and reuses the freed objects */
	int reused = 0;
	for (size_t i = 0; i < sc_table[c].capacity; i++) {
		void *p = unit_slab_alloc(c);
		for (size_t k = 0; k < n; k++)
			reused += p == objs[k];
		objs[N - 1 - i] = p;
	}
	CHECK(reused == (int)n, "owner reused %d of %zu remotely freed objects", reused, n);
	for (size_t i = 0; i < sc_table[c].capacity; i++)
		ba_free(objs[N - 1 - i], "free");
}

/* Is s on the list that starts at head? */
static bool on_list(struct slab *head, struct slab *s)
{
	for (; head; head = head->next)
		if (head == s)
			return true;
	return false;
}

/* A thread that has not allocated frees arg: it takes a cache for it. */
static void *consumer_free(void *arg)
{
	ba_free(arg, "free");
	return tls_tc != &tcache_empty ? arg : NULL;
}

static void *free_slab_objects(void *arg)
{
	struct slab *s = arg;
	for (size_t i = 0; i < N; i++)
		if (objs[i] && slab_of(objs[i]) == s)
			ba_free(objs[i], "free"), objs[i] = NULL;
	return NULL;
}

/* Frees objects of s (from objs) until its inuse reaches `left`. */
static void free_down_to(struct slab *s, uint32_t left)
{
	for (size_t i = 0; i < N && s->inuse > left; i++)
		if (objs[i] && slab_of(objs[i]) == s)
			ba_free(objs[i], "free"), objs[i] = NULL;
}

/*
 * A slab that runs out stays with its owner, on its full list; a free by
 * another thread (one that only frees takes a cache for it) changes no
 * owner; the owner's frees bring it to the tail of the partial list once
 * its mark is reached; a refill takes a full slab whose objects came back
 * from another thread, before it cuts a new one.
 */
static void full_stays_owned(void)
{
	unsigned c = sc_of(1000);
	size_t cap = sc_table[c].capacity;
	struct tcache *tc = tls_tc;
	pthread_t t;
	void *ret;
	memset(objs, 0, sizeof(objs));		/* below, NULL marks a free slot */
	for (size_t i = 0; i < 4 * cap; i++)
		objs[i] = unit_slab_alloc(c);
	struct slab *s1 = slab_of(objs[cap]), *s2 = slab_of(objs[2 * cap]);
	CHECK(s1 != s2 && s1 != tc->active[c] && s2 != tc->active[c], "two slabs ran out");
	CHECK(on_list(tc->full[c], s1) && on_list(tc->full[c], s2), "a slab that ran out is on the full list");
	CHECK(atomic_load(&s1->owner) == tc && s1->unfull > 0 && s1->unfull < cap && s1->inuse == cap,
	      "and still owned: owner %p, mark %u, inuse %u", (void *)atomic_load(&s1->owner), s1->unfull, s1->inuse);

	void *victim = NULL;
	for (size_t i = 0; i < 4 * cap && !victim; i++)
		if (slab_of(objs[i]) == s1)
			victim = objs[i], objs[i] = NULL;
	int64_t orphan = atomic_load(&heap.caches[c].orphan_nfree);
	pthread_create(&t, NULL, consumer_free, victim);
	pthread_join(t, &ret);
	CHECK(ret == victim, "a thread that only frees takes a cache");
	CHECK(atomic_load(&heap.caches[c].orphan_nfree) == orphan, "and counts in its own counters");
	CHECK(atomic_load(&s1->owner) == tc && atomic_load(&s1->remote) != 0 && on_list(tc->full[c], s1),
	      "a free by another thread leaves the full slab with its owner");

	uint16_t mark = s1->unfull;
	free_down_to(s1, mark + 1u);
	CHECK(on_list(tc->full[c], s1) && s1->unfull == mark, "one free short of the mark: still full");
	free_down_to(s1, mark);
	CHECK(s1->unfull == 0 && tc->partial_tail[c] == s1 && !on_list(tc->full[c], s1),
	      "at the mark the slab goes to the tail of the partial list");

	/* every object of s2 freed by another thread: a refill finds it */
	pthread_create(&t, NULL, free_slab_objects, s2);
	pthread_join(t, NULL);
	int64_t new0 = tc->stat.slabs_new;
	bool reused = false;
	for (size_t i = 0; i < 2 * cap + 2 && !reused; i++) {
		void *p = unit_slab_alloc(c);
		reused = slab_of(p) == s2;
		for (size_t k = 0; k < N; k++)
			if (!objs[k]) {
				objs[k] = p;
				break;
			}
	}
	CHECK(reused && atomic_load(&s2->owner) == tc && tc->stat.slabs_new == new0,
	      "a refill takes the full slab whose objects came back (reused %d, %ld new slabs)",
	      reused, (long)(tc->stat.slabs_new - new0));
	for (size_t i = 0; i < N; i++)
		if (objs[i])
			ba_free(objs[i], "free"), objs[i] = NULL;
}

/* A full slab whose objects all came back from another thread goes back
 * to the page cache at a refill of other classes (slab_sweep), though its
 * own class is never allocated again. */
static void sweep(void)
{
	unsigned c = sc_of(5000), big = NR_CLASSES - 1;
	size_t cap = sc_table[c].capacity;
	struct tcache *tc = tls_tc;
	pthread_t t;
	memset(objs, 0, sizeof(objs));
	for (size_t i = 0; i < 2 * cap; i++)
		objs[i] = unit_slab_alloc(c);
	struct slab *s = slab_of(objs[0]);
	CHECK(tc->full[c] == s, "the slab that ran out heads the full list");
	pthread_create(&t, NULL, free_slab_objects, s);
	pthread_join(t, NULL);
	int64_t freed0 = tc->stat.slabs_freed;
	size_t n = 2 * sc_table[big].capacity * (NR_CLASSES + 2);
	for (size_t i = 2 * cap; i < 2 * cap + n; i++)
		objs[i] = unit_slab_alloc(big);
	CHECK(!on_list(tc->full[c], s) && tc->stat.slabs_freed > freed0,
	      "a full slab freed by another thread is given back by the sweep");
	for (size_t i = 0; i < 2 * cap + n; i++)
		if (objs[i])
			ba_free(objs[i], "free"), objs[i] = NULL;
}

static void *alloc_full_and_exit(void *arg)
{
	unsigned c = (unsigned)(uintptr_t)arg;
	for (size_t i = 0; i < 2 * sc_table[c].capacity; i++)
		objs[i] = unit_slab_alloc(c);
	return NULL;
}

static void *claim_one(void *arg)
{
	tcache_acquire();	/* a thread that has allocated before */
	ba_free(arg, "free");
	return atomic_load(&slab_of(arg)->owner) == tls_tc ? arg : NULL;
}

static void *free_after_exit(void *arg)
{
	tls_tc_left = true;	/* as in a destructor run after ours */
	ba_free(arg, "free");
	return NULL;
}

/*
 * The full slabs of a thread that exits are orphaned: the first free into
 * one claims it; a free by a thread past its exit handler, which takes no
 * cache, hands it to the shared list instead.
 */
static void orphans(void)
{
	unsigned c = sc_of(2000);
	size_t cap = sc_table[c].capacity;
	pthread_t t;
	void *ret;
	pthread_create(&t, NULL, alloc_full_and_exit, (void *)(uintptr_t)c);
	pthread_join(t, NULL);
	struct slab *o1 = slab_of(objs[0]), *o2 = slab_of(objs[cap]);
	CHECK(o1 != o2, "two slabs filled");
	CHECK(atomic_load(&o1->owner) == NULL && atomic_load(&o1->remote) == SLAB_NOTIFY &&
	      atomic_load(&o2->owner) == NULL && atomic_load(&o2->remote) == SLAB_NOTIFY,
	      "an exited thread's full slabs are orphaned");
	void *victim = objs[0];
	objs[0] = NULL;
	pthread_create(&t, NULL, claim_one, victim);
	pthread_join(t, &ret);
	CHECK(ret == victim, "the first free into an orphaned slab claims it");

	size_t shared = heap.caches[c].nr_partial;
	int64_t orphan = atomic_load(&heap.caches[c].orphan_nfree);
	victim = objs[cap];
	objs[cap] = NULL;
	pthread_create(&t, NULL, free_after_exit, victim);
	pthread_join(t, NULL);
	CHECK(heap.caches[c].nr_partial == shared + 1 && atomic_load(&o2->owner) == NULL,
	      "a cache-less free shares the orphaned slab");
	CHECK(atomic_load(&heap.caches[c].orphan_nfree) == orphan + 1, "and is counted");
	for (size_t i = 0; i < 2 * cap; i++)
		if (objs[i])
			ba_free(objs[i], "free"), objs[i] = NULL;
}

static void *alloc_and_exit(void *arg)
{
	unsigned c = (unsigned)(uintptr_t)arg;
	for (size_t i = 0; i < 100; i++)
		objs[i] = unit_slab_alloc(c);
	for (size_t i = 0; i < 100; i += 2)
		ba_free(objs[i], "free");
	return NULL;
}

static void *adopt(void *arg)
{
	unsigned c = (unsigned)(uintptr_t)arg;
	int64_t before = tcache_acquire()->stat.slabs_adopted;
	void *p = unit_slab_alloc(c);
	ba_free(p, "free");
	return (void *)(uintptr_t)(tls_tc->stat.slabs_adopted - before);
}

static void exit_and_adopt(void)
{
	unsigned c = sc_of(3000);
	pthread_t t;
	void *adopted;
	pthread_create(&t, NULL, alloc_and_exit, (void *)(uintptr_t)c);
	pthread_join(t, NULL);
	CHECK(heap.caches[c].nr_partial >= 1, "an exited thread's partial slabs are abandoned");
	pthread_create(&t, NULL, adopt, (void *)(uintptr_t)c);
	pthread_join(t, &adopted);
	CHECK(adopted != NULL, "the next thread adopts an abandoned slab");
	for (size_t i = 1; i < 100; i += 2)
		ba_free(objs[i], "free");
}

static void double_free(void)
{
	opt.invalid_free = 1;	/* warn: the line goes to the log, nothing else happens */
	void *a = ba_malloc(48), *b;
	ba_free(a, "free");
	ba_free(a, "free");
	a = ba_malloc(48);
	b = ba_malloc(48);
	CHECK(a != b, "a double free must not hand an object out twice");
	ba_free(a, "free");
	ba_free(b, "free");
	opt.invalid_free = 0;
}

int main(void)
{
	ba_start();
	every_class();
	remote_frees();
	full_stays_owned();
	sweep();
	orphans();
	exit_and_adopt();
	double_free();
	for (int i = 0; i < NR_ZONES; i++) {
		lock_acquire(&heap.node.zones[i].lock);
		__check_zone(&heap.node.zones[i]);
		lock_release(&heap.node.zones[i].lock);
	}
	return unit_done("slab");
}
