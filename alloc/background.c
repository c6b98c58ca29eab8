/*
 * background.c - the background_reclaim thread: it runs the decay clock
 * (reclaim_clock) twice per decay slice, so that a program that stops
 * calling malloc after a burst still gets its free memory back within
 * decay_ms plus a slice, as a program that keeps calling does.
 *
 * Off by default, as jemalloc's background_thread is. The constructor
 * (preload/init.c) starts it when the option asks; the destructor stops
 * it: a futex word wakes it, and the destructor waits (a raw futex wait,
 * not a cancellation point) until it says it is done, so it is never
 * inside the heap while the process tears down. It blocks every signal,
 * takes no thread cache and calls nothing that allocates; pthread_create
 * itself may call malloc in the starting thread (glibc allocates the new
 * thread's TLS vector), which holds no lock of ours then. A forked child
 * has no such thread: with background_reclaim=fork the child starts its
 * own from the fork handler, with =on it goes without.
 *
 * State: heap.background. Lock: none of its own; the zone and chunk-cache
 * locks, one at a time, inside the decay.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "background.h"
#include "options.h"
#include "os.h"
#include "reclaim.h"

#define BG_OFF		0	/* the option's words: off|on|fork */
#define BG_FORK		2
#define MIN_WAKE_MS	5
#define BG_STOP		1	/* heap.background.stop: asked to end */
#define BG_DONE		2	/* ended: touches the heap no more */

/* Sleeps ms, or until background_stop() wakes it. */
static void nap(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
	syscall(SYS_futex, &heap.background.stop, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
}

static void *background_main(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&heap.background.stop, memory_order_acquire)) {
		uint64_t wake = opt.decay_ms / DECAY_SLICES / 2;
		nap(wake < MIN_WAKE_MS ? MIN_WAKE_MS : wake);
		if (!atomic_load_explicit(&heap.background.stop, memory_order_acquire))
			reclaim_clock(os_now_ms());
	}
	/* done with the heap: background_stop() may return */
	atomic_store_explicit(&heap.background.stop, BG_DONE, memory_order_release);
	syscall(SYS_futex, &heap.background.stop, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

void background_start(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	if (opt.background_reclaim == BG_OFF || heap.background.running)
		return;
	atomic_store_explicit(&heap.background.stop, 0, memory_order_relaxed);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);	/* the thread inherits it */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN > 65536 ? PTHREAD_STACK_MIN : 65536);
	heap.background.running =
		pthread_create(&heap.background.thread, &attr, background_main, NULL) == 0;
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void background_stop(void)
{
	if (!heap.background.running)
		return;
	int state = BG_STOP;
	atomic_store_explicit(&heap.background.stop, BG_STOP, memory_order_release);
	syscall(SYS_futex, &heap.background.stop, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	/* a raw futex wait, not pthread_join: no cancellation point at exit */
	while ((state = atomic_load_explicit(&heap.background.stop, memory_order_acquire)) != BG_DONE)
		syscall(SYS_futex, &heap.background.stop, FUTEX_WAIT_PRIVATE, state, NULL, NULL, 0);
	heap.background.running = false;
}

void background_fork_child(void)
{
	heap.background.running = false;
	if (opt.background_reclaim == BG_FORK)
		background_start();
}
