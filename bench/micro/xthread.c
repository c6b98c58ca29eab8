/*
 * xthread.c - cross-thread free.  The benchmark thread allocates and writes
 * blocks and passes them through a single-producer single-consumer ring to a
 * helper thread, which checks and frees them: every free is remote.  One
 * operation is one allocation (its free happens concurrently on the helper).
 *
 * The ring is lock-free: the producer alone moves `head`, the consumer alone
 * moves `tail`; each waits (spinning, then yielding) when it must.
 */
#include "bench.h"
#include "micro.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#define RING 4096               /* a power of two */

static const long SIZES[] = { 64, 1024, 16384, 0 };

static struct {
	_Alignas(64) _Atomic unsigned long head;
	_Alignas(64) _Atomic unsigned long tail;
	_Alignas(64) void *slot[RING];
	long size;
	_Atomic int stop;
	pthread_t helper;
} ring;

static void pause_a_little(unsigned *spins)
{
	if (++*spins < 100)
		__asm__ volatile("pause");
	else
		sched_yield();
}

static void *consume(void *arg)
{
	unsigned long tail = atomic_load_explicit(&ring.tail, memory_order_relaxed);
	unsigned spins = 0;

	(void)arg;
	for (;;) {
		unsigned long head = atomic_load_explicit(&ring.head, memory_order_acquire);

		if (tail == head) {
			if (atomic_load(&ring.stop))
				break;
			pause_a_little(&spins);
			continue;
		}
		spins = 0;
		while (tail != head) {
			void *p = ring.slot[tail & (RING - 1)];

			micro_check(p, ring.size, (unsigned long long)tail);
			free(p);
			tail++;
		}
		atomic_store_explicit(&ring.tail, tail, memory_order_release);
	}
	return NULL;
}

static void start(long size)
{
	atomic_store(&ring.head, 0);
	atomic_store(&ring.tail, 0);
	atomic_store(&ring.stop, 0);
	ring.size = size;
	bench_thread_start(&ring.helper, consume, NULL);
}

static void stop(long size)
{
	(void)size;
	atomic_store(&ring.stop, 1);
	bench_thread_join(ring.helper);
}

static void produce(long size, long n)
{
	unsigned long head = atomic_load_explicit(&ring.head, memory_order_relaxed);
	long i;

	for (i = 0; i < n; i++) {
		void *p = malloc((size_t)size);
		unsigned spins = 0;

		if (!p) {
			bench_error("malloc(%ld) failed", size);
			exit(3);
		}
		micro_mark(p, size, (unsigned long long)head);
		while (head - atomic_load_explicit(&ring.tail, memory_order_acquire) >= RING)
			pause_a_little(&spins);
		ring.slot[head & (RING - 1)] = p;
		head++;
		atomic_store_explicit(&ring.head, head, memory_order_release);
	}
}

const struct micro_bench micro_xthread[] = {
	{ "cross_thread_free", "malloc here, free on a helper thread", produce,
	  start, stop, SIZES, 64, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
};
