/*
 * s_fork: fork() while other threads allocate.
 *
 * Three worker threads keep replacing, reallocating and freeing blocks of
 * every path in a shared array of atomic pointers; the main thread forks
 * ROUNDS times meanwhile. Each child
 *  - checks every byte of every block the parent had published before the
 *    fork (blocks of the workers, which do not exist in the child, and a set
 *    of blocks the main thread wrote at the start), then frees them all;
 *  - allocates, checks and frees a lot itself, then does the same from two
 *    new threads, and exits 0.
 * Proves that a child forked at any moment has a working allocator: no
 * deadlock (a child that hangs is killed by its watchdog and the round
 * fails), no block lost or damaged, and that it can free the blocks of
 * threads it does not have. The parent's blocks are checked again after each
 * round, and the workers check every block they free.
 */
#include "../common.h"

#include <pthread.h>
#include <stdatomic.h>

#define NWORKERS 3
#define NSLOTS 256
#define NSTABLE 64
#define ROUNDS 80
#define SALT 0xf0f0ull
#define MAXSIZE (2 * MIB)

static _Atomic(char *) slots[NSLOTS];
static char *stable[NSTABLE];
static atomic_int stop;

static char *make_n(struct rng *r, size_t n)
{
	char *p = rng_next(r) % 4 ? malloc(n) : calloc(1, n);

	CHECK(p != NULL, "allocation of %zu bytes failed", n);
	block_fill(p, n, SALT);
	return p;
}

/* The parent's mix: all paths (rng_size_mix), now and then up to 2 MiB. */
static char *make(struct rng *r)
{
	return make_n(r, rng_next(r) % 500 ? rng_size_mix(r)
					   : rng_range(r, MIB, MAXSIZE));
}

/* The child's mix is lighter (it runs ROUNDS times): 90% slab objects up to
 * 4 KiB, 8% page runs, 2% mapped chunks up to 256 KiB. */
static char *make_light(struct rng *r)
{
	unsigned pick = rng_next(r) % 100;

	if (pick < 90)
		return make_n(r, rng_range(r, 8, 4096));
	if (pick < 98)
		return make_n(r, rng_range(r, SLAB_MAX + 1, MMAP_THRESHOLD - 1));
	return make_n(r, rng_range(r, MMAP_THRESHOLD, 256 * KIB));
}

static void retire(char *p)
{
	block_check(p, SALT, MAXSIZE);
	free(p);
}

static void *worker(void *arg)
{
	struct rng r;

	rng_seed(&r, (uintptr_t)arg);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		unsigned k = rng_next(&r) % NSLOTS;
		char *old;

		if (rng_next(&r) % 4) {
			old = atomic_exchange(&slots[k], make(&r));
			if (old)
				retire(old);
		} else if ((old = atomic_exchange(&slots[k], NULL)) != NULL) {
			size_t n = block_check(old, SALT, MAXSIZE);
			size_t m = rng_size_mix(&r);
			char *q = realloc(old, m);

			CHECK(q != NULL, "realloc(%zu -> %zu) failed", n, m);
			CHECK_PATTERN(q + 8, (n < m ? n : m) - 8,
				      pattern_seed(old, SALT ^ n),
				      "block after realloc");
			block_fill(q, m, SALT);
			old = atomic_exchange(&slots[k], q);
			if (old)
				retire(old);
		}
	}
	return NULL;
}

/* Plenty of allocation in the child; used by its main and its threads. */
static void *child_work(void *arg)
{
	enum { LIVE = 64 };
	char *live[LIVE] = { 0 };
	struct rng r;
	unsigned i;

	rng_seed(&r, (uintptr_t)arg);
	for (i = 0; i < 400; i++) {
		unsigned k = rng_next(&r) % LIVE;

		if (live[k])
			retire(live[k]);
		live[k] = make_light(&r);
	}
	for (i = 0; i < LIVE; i++)
		if (live[i])
			retire(live[i]);
	return NULL;
}

static int child(void *arg)
{
	pthread_t t[2];
	unsigned i, published = 0;

	(void)arg;
	for (i = 0; i < NSTABLE; i++)
		retire(stable[i]);
	for (i = 0; i < NSLOTS; i++) {
		/* a published block was fully written before the fork */
		char *p = atomic_load(&slots[i]);

		if (p) {
			retire(p);
			published++;
		}
	}
	CHECK(published > NSLOTS / 4, "only %u blocks published at the fork",
	       published);
	child_work((void *)(uintptr_t)getpid());
	for (i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, child_work,
				     (void *)(uintptr_t)(getpid() * 2 + i)) == 0);
	for (i = 0; i < 2; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	return 0;
}

int main(void)
{
	pthread_t t[NWORKERS];
	struct child_result res;
	struct rng r;
	unsigned i, round;

	watchdog(150);
	rng_seed(&r, 42);
	for (i = 0; i < NSTABLE; i++)
		stable[i] = make(&r);
	for (i = 0; i < NSLOTS; i++)
		atomic_store(&slots[i], make(&r));
	for (i = 0; i < NWORKERS; i++)
		CHECK(pthread_create(&t[i], NULL, worker,
				     (void *)(uintptr_t)(i + 7)) == 0);
	for (round = 0; round < ROUNDS; round++) {
		run_child(child, NULL, 20, &res);
		CHECK(res.exited && res.status == 0, "fork round %u: child %s%s"
		       "; its stderr: %s", round, child_how(&res),
		       res.signo == SIGALRM ? " (hung: deadlock after fork?)"
					    : "",
		       res.err_len ? res.err : "(empty; what the library "
		       "printed inside fork() itself, before the child could "
		       "redirect stderr, is above)");
		for (i = 0; i < NSTABLE; i++)
			block_check(stable[i], SALT, MAXSIZE);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < NWORKERS; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	for (i = 0; i < NSLOTS; i++) {
		char *p = atomic_exchange(&slots[i], NULL);

		if (p)
			retire(p);
	}
	for (i = 0; i < NSTABLE; i++)
		retire(stable[i]);
	return 0;
}
