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

static void fill(void *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i += 64)
		((unsigned char *)p)[i] = (unsigned char)(seed + i / 64);
}

static bool intact(void *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i += 64)
		if (((unsigned char *)p)[i] != (unsigned char)(seed + i / 64))
			return false;
	return true;
}

static void *owner_thread(void *arg)
{
	uint64_t seed = 99;
	for (int i = NOBJ / 2; i < NOBJ; i++) {
		objsize[i] = 1 + unit_rand(&seed) % 60000;
		obj[i] = ba_malloc(objsize[i]);
		fill(obj[i], objsize[i], (unsigned)i);
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
		CHECK(intact(obj[i], objsize[i], (unsigned)i), "block %d changed across fork", i);
	/* allocate a lot; every new block must leave the old ones intact */
	static void *fresh[20000];
	uint64_t seed = 7;
	for (int i = 0; i < 20000; i++) {
		size_t n = 1 + unit_rand(&seed) % 70000;
		fresh[i] = ba_malloc(n);
		CHECK(fresh[i] != NULL, "child allocation %d", i);
		memset(fresh[i], 0xee, n < 256 ? n : 256);
	}
	for (int i = 0; i < NOBJ; i++) {
		CHECK(intact(obj[i], objsize[i], (unsigned)i), "block %d overwritten in the child", i);
		ba_free(obj[i], "free");
	}
	for (int i = 0; i < 20000; i++)
		ba_free(fresh[i], "free");
	for (int i = 0; i < NR_ZONES; i++) {
		lock_acquire(&heap.node.zones[i].lock);
		__check_zone(&heap.node.zones[i]);
		lock_release(&heap.node.zones[i].lock);
	}
	return unit_failures ? 1 : 0;
}

static void round_trip(bool hold_lock)
{
	pthread_t t;
	uint64_t seed = 5;
	for (int i = 0; i < NOBJ / 2; i++) {
		objsize[i] = 1 + unit_rand(&seed) % 200000;
		obj[i] = ba_malloc(objsize[i]);
		fill(obj[i], objsize[i], (unsigned)i);
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
