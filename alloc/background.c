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
 * State: heap.background.state, none -> running -> stopping -> none
 * (the thread's last act; the futex wakes background_stop). Lock: none of its own; the zone and chunk-cache
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

/* heap.background.state, the one word of the thread's life (a futex) */
enum { BG_NONE = 0, BG_RUNNING, BG_STOPPING };

static int state(void)
{
	return atomic_load_explicit(&heap.background.state, memory_order_acquire);
}

static void set_state(int s)
{
	atomic_store_explicit(&heap.background.state, s, memory_order_release);
	syscall(SYS_futex, &heap.background.state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Sleeps ms, or until background_stop() wakes it. */
static void nap(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
	syscall(SYS_futex, &heap.background.state, FUTEX_WAIT_PRIVATE, BG_RUNNING, &ts, NULL, 0);
}

static void *background_main(void *arg)
{
	(void)arg;
	while (state() == BG_RUNNING) {
		uint64_t wake = opt.decay_ms / DECAY_SLICES / 2;
		nap(wake < MIN_WAKE_MS ? MIN_WAKE_MS : wake);
		if (state() == BG_RUNNING)
			reclaim_clock(os_now_ms());
	}
	set_state(BG_NONE);	/* done with the heap: background_stop() may return */
	return NULL;
}

void background_start(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t thread;
	if (opt.background_reclaim == BG_OFF || state() != BG_NONE)
		return;
	atomic_store_explicit(&heap.background.state, BG_RUNNING, memory_order_relaxed);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);	/* the thread inherits it */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN > 65536 ? PTHREAD_STACK_MIN : 65536);
	if (pthread_create(&thread, &attr, background_main, NULL) != 0)
		atomic_store_explicit(&heap.background.state, BG_NONE, memory_order_relaxed);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void background_stop(void)
{
	if (state() != BG_RUNNING)
		return;
	set_state(BG_STOPPING);
	/* a raw futex wait, not pthread_join: no cancellation point at exit */
	while (state() == BG_STOPPING)
		syscall(SYS_futex, &heap.background.state, FUTEX_WAIT_PRIVATE, BG_STOPPING, NULL, NULL, 0);
}

/* The child has no such thread, whatever the word said in the parent. */
void background_fork_child(void)
{
	atomic_store_explicit(&heap.background.state, BG_NONE, memory_order_relaxed);
	if (opt.background_reclaim == BG_FORK)
		background_start();
}
