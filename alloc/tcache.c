/*
 * tcache.c - one cache per thread, found through a TLS pointer.
 *
 * tls_tc starts as &tcache_empty, whose every active slab is the empty
 * dummy slab: the first malloc of a thread falls into the slow path, which
 * acquires a real tcache here, so the fast path never tests for NULL.
 * tcaches are never freed: one whose thread exited is marked free and the
 * next new thread takes it over, counters and all. The registry
 * (heap.tcaches) is a push-only list, safe to walk without a lock and in a
 * forked child.
 *
 * What a thread holds goes back at its exit through alloc.c, which owns
 * the pthread key (its destructor empties the slabs and page caches, then
 * calls tcache_leave()). Lock: none; the registry is lock-free.
 */
#include <pthread.h>

#include "meta.h"
#include "tcache.h"

__thread struct tcache *tls_tc __attribute__((tls_model("initial-exec"))) = &tcache_empty;
struct slab dummy_slab = { .kind = PG_SLAB };
struct tcache tcache_empty = { .active = { [0 ... NR_CLASSES - 1] = &dummy_slab } };

struct tcache *tcache_acquire(void)
{
	struct tcache *tc;

	for (tc = atomic_load(&heap.tcaches); tc; tc = atomic_load(&tc->next)) {
		int expect = 0;
		if (!atomic_load_explicit(&tc->in_use, memory_order_relaxed) &&
		    atomic_compare_exchange_strong(&tc->in_use, &expect, 1))
			goto got;
	}
	tc = meta_alloc(sizeof(*tc));
	if (!tc)
		return NULL;
	for (unsigned c = 0; c < NR_CLASSES; c++)
		tc->active[c] = &dummy_slab;
	atomic_store(&tc->in_use, 1);
	struct tcache *head = atomic_load(&heap.tcaches);
	do
		atomic_store_explicit(&tc->next, head, memory_order_relaxed);
	while (!atomic_compare_exchange_weak(&heap.tcaches, &head, tc));
got:
	tls_tc = tc;
	pthread_setspecific(heap.thread_key, tc);
	return tc;
}

/* The thread gave back what it held: the tcache is free for the next one. */
void tcache_leave(struct tcache *tc)
{
	if (tls_tc == tc)
		tls_tc = &tcache_empty;
	atomic_store_explicit(&tc->in_use, 0, memory_order_release);
}

/* fork.c: a tcache whose thread does not exist in the child. Its slabs
 * were taken over by slab_rebuild() and its page-cache blocks by the zone
 * rebuild, so only the lists are cleared. */
void tcache_forget(struct tcache *tc)
{
	for (unsigned c = 0; c < NR_CLASSES; c++) {
		tc->active[c] = &dummy_slab;
		tc->partial[c] = NULL;
		tc->nr_empty[c] = 0;
	}
	tcache_forget_pcp(tc);
	tc->chunk_slot = NULL;		/* its chunk leaks in the child */
	tc->busy = 0;
	atomic_store_explicit(&tc->in_use, 0, memory_order_relaxed);
}

void tcache_forget_pcp(struct tcache *tc)
{
	for (int z = 0; z < NR_ZONES; z++) {
		for (int o = 0; o <= PCP_MAX_ORDER; o++)
			tc->pcp[z].lists[o] = NULL;
		tc->pcp[z].count = 0;
	}
}

/* Racy while other threads run, exact once they are quiet. */
void tcache_sum(struct tcache_snap *out)
{
	*out = (struct tcache_snap){ 0 };
	for (struct tcache *t = atomic_load(&heap.tcaches); t; t = atomic_load(&t->next)) {
		const struct thread_counters *c = &t->stat;
#define X(name, kind, doc) out->sum.name += c->name;
		THREAD_COUNTERS(X)
#undef X
		for (int k = 0; k < NR_CLASSES; k++) {
			out->sum.nmalloc[k] += c->nmalloc[k];
			out->sum.nfree[k] += c->nfree[k];
			out->sum.slabs[k] += c->slabs[k];
			out->sum.nslow[k] += c->nslow[k];
		}
		for (int zi = 0; zi < NR_ZONES; zi++)
			out->pcp_pages += t->pcp[zi].count;
		out->tcaches++;
		out->threads += atomic_load_explicit(&t->in_use, memory_order_relaxed) != 0;
	}
}
