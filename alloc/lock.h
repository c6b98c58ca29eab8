/*
 * lock.h - the allocator's one lock: a three-state futex mutex.
 *
 * 0 free, 1 held, 2 held with waiters. It never allocates, and a lock left
 * held by a thread that does not exist in a forked child is detected by
 * lock_is_held() and reset by lock_init() (see fork.c). Layer 0. Which
 * locks exist and the order they nest in: struct heap, in types.h.
 */
#ifndef BUDDY_LOCK_H
#define BUDDY_LOCK_H

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The two counts are the holder's: bumped with the lock held, read
 * without it by the statistics (a figure a moment old). */
struct lock {
	_Atomic int state;
	uint32_t contended;	/* acquisitions that found it held */
	uint64_t acquired;	/* acquisitions */
};

/* Tries before sleeping: long enough for a short critical section on
 * another CPU to end, short enough not to burn a time slice. */
#define LOCK_SPINS	100

#define LOCK_INIT { 0 }

static inline void lock_init(struct lock *l)
{
	atomic_store_explicit(&l->state, 0, memory_order_relaxed);
}

static inline int lock_is_held(struct lock *l)
{
	return atomic_load_explicit(&l->state, memory_order_relaxed) != 0;
}

static inline void lock_slow(struct lock *l)
{
	int c = 0, saved = errno;
	for (int spin = 0; spin < LOCK_SPINS; spin++) {
		c = 0;
		if (atomic_compare_exchange_weak_explicit(&l->state, &c, 1,
				memory_order_acquire, memory_order_relaxed)) {
			l->contended++;
			return;
		}
		__builtin_ia32_pause();
	}
	if (c != 2)
		c = atomic_exchange_explicit(&l->state, 2, memory_order_acquire);
	while (c != 0) {
		syscall(SYS_futex, &l->state, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
		c = atomic_exchange_explicit(&l->state, 2, memory_order_acquire);
	}
	l->contended++;
	errno = saved;	/* a futex wait may set it; malloc's callers must not see that */
}

static inline void lock_acquire(struct lock *l)
{
	int c = 0;
	if (__builtin_expect(!atomic_compare_exchange_strong_explicit(&l->state,
			&c, 1, memory_order_acquire, memory_order_relaxed), 0))
		lock_slow(l);
	l->acquired++;
}

static inline void lock_release(struct lock *l)
{
	if (atomic_exchange_explicit(&l->state, 0, memory_order_release) == 2)
		syscall(SYS_futex, &l->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

#endif
