/*
 * tcache.h - one cache per thread (tcache.c), found through a TLS pointer,
 * and the busy protocol that tells fork.c a thread was inside a slow path.
 * Layer 4: over zone (a tcache holds page caches and slabs by pointer).
 *
 * The registry is a push-only list: safe to walk without a lock, and in a
 * forked child. A tcache is never freed; a later thread reuses it.
 */
#ifndef BUDDY_TCACHE_H
#define BUDDY_TCACHE_H

#include "types.h"

extern __thread struct tcache *tls_tc __attribute__((tls_model("initial-exec")));
extern struct tcache tcache_empty;	/* every thread's first tcache: no slabs */
extern struct slab dummy_slab;		/* tcache_empty's active slab: no objects */

struct tcache *tcache_acquire(void);	/* the heap is started; NULL when out of memory */
void tcache_leave(struct tcache *tc);	/* its thread is done with it */
void tcache_forget(struct tcache *tc);
void tcache_forget_pcp(struct tcache *tc);

/* A thread inside a slow path may have its lists half updated: busy is
 * raised around such code. Compiler fences only: fork.c reads it in the
 * same thread's child, and a signal handler on the same thread. */
static inline void tcache_busy_enter(struct tcache *tc)
{
	tc->busy++;
	atomic_signal_fence(memory_order_seq_cst);
}

static inline void tcache_busy_exit(struct tcache *tc)
{
	atomic_signal_fence(memory_order_seq_cst);
	tc->busy--;
}

/* The sums statistics read over every tcache, live or not. */
struct tcache_snap {
	struct thread_counters sum;
	size_t pcp_pages, threads, tcaches;
};
void tcache_sum(struct tcache_snap *out);

#endif
