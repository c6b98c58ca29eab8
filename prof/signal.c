/*
 * signal.c - heap profiles asked for by a signal (prof_dump_on=signal or
 * both; prof_signal, SIGUSR2 by default).
 *
 * The handler is installed at start-up, and only when the program left
 * the signal at its default action (an inherited SIG_IGN, or a handler
 * installed by some constructor before ours, is left alone). It writes
 * the profile itself when prof_lock is free: open, read and write are
 * async-signal-safe, and nothing on that path allocates. When the lock is
 * held (by the thread it interrupted, perhaps), it only marks a dump as
 * pending, and the next thread to release prof_lock writes it.
 */
#include <signal.h>
#include <string.h>

#include "internal.h"

_Atomic int prof_dump_pending;

static void on_signal(int sig)
{
	char path[512];
	int saved = errno;
	(void)sig;
	if (!prof_write_profile(path, sizeof(path), true))
		atomic_store_explicit(&prof_dump_pending, 1, memory_order_relaxed);
	errno = saved;
}

void prof_signal_install(int sig)
{
	struct sigaction old, sa;
	if (sigaction(sig, NULL, &old) != 0 || old.sa_handler != SIG_DFL ||
	    (old.sa_flags & SA_SIGINFO))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* A dump a signal could not write; called after prof_lock is released. */
void prof_dump_pending_run(void)
{
	char path[512];
	if (atomic_exchange_explicit(&prof_dump_pending, 0, memory_order_relaxed))
		prof_write_profile(path, sizeof(path), false);
}
