/*
 * tcache.c - one cache per thread, found through a TLS pointer.
 *
 * tls_tc starts as &tcache_empty, whose every active slab is the empty
 * dummy slab: the first malloc of a thread falls into the slow path and
 * acquires a real tcache here, so the fast path never tests for NULL.
 * tcaches are never freed: one whose thread exited is marked free and the
 * next new thread takes it over, counters and all. The registry is a
 * push-only list, safe to walk without a lock and in a forked child.
 *
 * Thread exit runs through a pthread key destructor: the thread's slabs
 * are released or abandoned (slab.c) and its page caches drained to the
 * zones. If the thread allocates again during later destructors it gets a
 * tcache again, and the key makes glibc call us again for it.
 */
#include <pthread.h>

#include "internal.h"

__thread struct tcache *tls_tc __attribute__((tls_model("initial-exec"))) = &tcache_empty;
struct tcache tcache_empty = { .active = { [0 ... NR_CLASSES - 1] = &dummy_slab } };
struct tcache *_Atomic tcache_registry;
static pthread_key_t tcache_key;

static void tcache_thread_exit(void *arg)
{
	tcache_release(arg);
}

void tcache_init(void)
{
	pthread_key_create(&tcache_key, tcache_thread_exit);
}

struct tcache *tcache_acquire(void)
{
	struct tcache *tc;

	if (!atomic_load_explicit(&ba_initialised, memory_order_acquire))
		ba_init();
	for (tc = atomic_load(&tcache_registry); tc; tc = atomic_load(&tc->next)) {
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
	struct tcache *head = atomic_load(&tcache_registry);
	do
		atomic_store_explicit(&tc->next, head, memory_order_relaxed);
	while (!atomic_compare_exchange_weak(&tcache_registry, &head, tc));
got:
	tls_tc = tc;
	pthread_setspecific(tcache_key, tc);
	return tc;
}

/* Gives back all the thread holds; the tcache is free for the next thread. */
void tcache_release(struct tcache *tc)
{
	tc->busy++;
	atomic_signal_fence(memory_order_seq_cst);
	slab_flush(tc);
	pcp_drain_all(tc);
	large_slot_flush(tc, UINT64_MAX);
	atomic_signal_fence(memory_order_seq_cst);
	tc->busy--;
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
