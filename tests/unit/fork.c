/*
 * fork.c - proves a forked child gets a working allocator without any
 * lock having been taken at fork time, on both of fork.c's paths:
 *   quiet   another thread owns slabs and page caches but is idle;
 *   rebuild a zone lock is held by another thread at the moment of the
 *           fork, and another thread is marked inside a slow path.
 * In the child: every zone passes __check_zone, the blocks the parent
 * wrote are intact, the vanished thread's slabs and page caches were
 * taken over (the child frees its objects), and the child can allocate
 * and free a lot without handing out memory that is still in use.
 */
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#define NOBJ 2000
static void *obj[NOBJ];
static size_t objsize[NOBJ];
static pthread_barrier_t ready, done;
static struct tcache *other_tc;

/* Block i holds the pattern seeded by its address and i. */
static void fill(int i)
{
	pattern_fill(obj[i], objsize[i], pattern_seed(obj[i], (uint64_t)i));
}

static size_t bad_byte(int i)
{
	return pattern_bad(obj[i], objsize[i], pattern_seed(obj[i], (uint64_t)i));
}

static void *owner_thread(void *arg)
{
	struct rng rng;
	rng_seed(&rng, 99);
	for (int i = NOBJ / 2; i < NOBJ; i++) {
		objsize[i] = 1 + rng_next(&rng) % 60000;
		obj[i] = ba_malloc(objsize[i]);
		fill(i);
	}
	other_tc = tls_tc;
	pthread_barrier_wait(&ready);
	if (arg)	/* hold the mmap zone's lock across the fork */
		lock_acquire(&heap.node.zones[ZONE_MMAP].lock);
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&done);
	if (arg)
		lock_release(&heap.node.zones[ZONE_MMAP].lock);
	return NULL;
}

static int child(void)
{
	for (int i = 0; i < NR_ZONES; i++) {
		lock_acquire(&heap.node.zones[i].lock);
		__check_zone(&heap.node.zones[i]);
		lock_release(&heap.node.zones[i].lock);
	}
	CHECK(atomic_load(&other_tc->in_use) == 0, "the vanished thread's cache is free for reuse");
	for (int i = 0; i < NOBJ; i++)
		CHECK(bad_byte(i) == PATTERN_OK, "block %d (%zu bytes) changed across fork at byte %zu",
		      i, objsize[i], bad_byte(i));
	/* allocate a lot; every new block must leave the old ones intact */
	static void *fresh[20000];
	struct rng rng;
	rng_seed(&rng, 7);
	for (int i = 0; i < 20000; i++) {
		size_t n = 1 + rng_next(&rng) % 70000;
		fresh[i] = ba_malloc(n);
		CHECK(fresh[i] != NULL, "child allocation %d", i);
		memset(fresh[i], 0xee, n < 256 ? n : 256);
	}
	for (int i = 0; i < NOBJ; i++) {
		CHECK(bad_byte(i) == PATTERN_OK, "block %d (%zu bytes) overwritten in the child at byte %zu",
		      i, objsize[i], bad_byte(i));
		ba_free(obj[i], "free");
	}
	for (int i = 0; i < 20000; i++)
		ba_free(fresh[i], "free");
	for (int i = 0; i < NR_ZONES; i++) {
		lock_acquire(&heap.node.zones[i].lock);
		__check_zone(&heap.node.zones[i]);
		lock_release(&heap.node.zones[i].lock);
	}
	return 0;
}

static void round_trip(bool hold_lock)
{
	pthread_t t;
	struct rng rng;
	rng_seed(&rng, 5);
	for (int i = 0; i < NOBJ / 2; i++) {
		objsize[i] = 1 + rng_next(&rng) % 200000;
		obj[i] = ba_malloc(objsize[i]);
		fill(i);
	}
	pthread_barrier_init(&ready, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	pthread_create(&t, NULL, owner_thread, hold_lock ? (void *)1 : NULL);
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&ready);
	if (hold_lock)
		other_tc->busy = 1;	/* as if it were inside a slow path */
	pid_t pid = fork();
	if (pid == 0)
		_exit(child());
	other_tc->busy = 0;
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child (%s) status %#x",
	      hold_lock ? "rebuild" : "quiet", status);
	pthread_barrier_wait(&done);
	pthread_join(t, NULL);
	for (int i = 0; i < NOBJ; i++)
		ba_free(obj[i], "free");
}

int main(void)
{
	ba_start();
	round_trip(false);
	round_trip(true);
	return unit_done("fork");
}
