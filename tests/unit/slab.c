/*
 * slab.c - proves the slab layer: objects of every class are distinct,
 * inside their slab, aligned, and map back to their slab; freeing them
 * all gives the slabs back; objects freed by another thread are collected
 * and reused by the owner; the first free into a full slab claims it for
 * the freeing thread; a slab's second and third page descriptors, part of
 * its head, read as its tails while it lives and as plain tails after; a
 * thread's slabs are abandoned at its exit and
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

static void *free_one_and_report(void *arg)
{
	tcache_acquire();	/* a thread that has allocated before */
	ba_free(arg, "free");
	struct slab *s = slab_of(arg);
	return atomic_load(&s->owner) == tls_tc ? arg : NULL;
}

static void *free_without_cache(void *arg)
{
	ba_free(arg, "free");
	return NULL;
}

static void claim_full(void)
{
	unsigned c = sc_of(1000);
	size_t cap = sc_table[c].capacity;
	pthread_t t;
	void *ret;
	/* start on a fresh slab, fill it, then take one more object */
	for (size_t i = 0; i < 4 * cap; i++)
		objs[i] = unit_slab_alloc(c);
	struct slab *full = slab_of(objs[cap]);
	CHECK(atomic_load(&full->owner) == NULL || full == tls_tc->active[c], "a filled slab is let go");
	if (full == tls_tc->active[c])
		full = slab_of(objs[0]);
	CHECK(atomic_load(&full->owner) == NULL, "full slab has no owner");
	CHECK(atomic_load(&full->remote) == 1, "full slab waits for a claim");
	void *victim = NULL;
	for (size_t i = 0; i < 4 * cap && !victim; i++)
		if (slab_of(objs[i]) == full)
			victim = objs[i], objs[i] = NULL;
	pthread_create(&t, NULL, free_one_and_report, victim);
	pthread_join(t, &ret);
	CHECK(ret == victim, "the first free into a full slab claims it");

	/* a thread without a cache does not claim: the slab goes to the
	 * shared list, where the next thread that needs the class adopts it */
	struct slab *full2 = NULL;
	for (size_t i = 0; i < 4 * cap && !full2; i++)
		if (objs[i] && slab_of(objs[i]) != full && atomic_load(&slab_of(objs[i])->remote) == 1)
			full2 = slab_of(objs[i]), victim = objs[i], objs[i] = NULL;
	CHECK(full2 != NULL, "a second full slab");
	size_t shared = heap.caches[c].nr_partial;
	int64_t orphan = atomic_load(&heap.caches[c].orphan_nfree);
	pthread_create(&t, NULL, free_without_cache, victim);
	pthread_join(t, NULL);
	CHECK(heap.caches[c].nr_partial == shared + 1 && atomic_load(&full2->owner) == NULL,
	      "a cache-less free shares the full slab");
	CHECK(atomic_load(&heap.caches[c].orphan_nfree) == orphan + 1, "and is counted");
	for (size_t i = 0; i < 4 * cap; i++)
		if (objs[i])
			ba_free(objs[i], "free");
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
	claim_full();
	exit_and_adopt();
	double_free();
	for (int i = 0; i < NR_ZONES; i++) {
		lock_acquire(&heap.node.zones[i].lock);
		__check_zone(&heap.node.zones[i]);
		lock_release(&heap.node.zones[i].lock);
	}
	return unit_done("slab");
}
