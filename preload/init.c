/*
 * init.c - start-up of the preloaded library.
 *
 * Everything also starts lazily on the first call (alloc.c: ba_init, from
 * the first slow path), because other libraries' constructors may call
 * malloc before ours runs. This constructor only makes sure that a
 * program that forks before it ever allocates still has our fork handler
 * registered (pthread_atfork, in ba_init) and our pthread key for thread
 * exit (tcache.c).
 */
#include "../alloc/internal.h"

__attribute__((constructor)) static void buddymalloc_start(void)
{
	if (!atomic_load_explicit(&ba_initialised, memory_order_acquire))
		ba_init();
}
