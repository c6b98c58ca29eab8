/*
 * s_threads: eight threads allocate, hand over, reallocate and free blocks
 * of every path; every byte is checked.
 *
 * Proves that with 8 threads running at once,
 *  - blocks of random sizes over all three paths (slab, page runs, mapped
 *    chunks), from malloc, calloc, memalign and posix_memalign, keep every
 *    byte written into them until they are freed, also when the thread that
 *    frees them (or reallocs them) is not the one that allocated them: blocks
 *    travel between threads through a shared array of atomic pointers;
 *  - calloc'd blocks are zero, aligned blocks are aligned, usable sizes are
 *    large enough, also for blocks of other threads;
 *  - realloc of another thread's block keeps its data;
 *  - blocks whose allocating thread has exited can still be checked and freed
 *    (by the main thread, at the end);
 *  - and most frees are remote: a count of them is checked.
 */
#include "../common.h"

#include <pthread.h>
#include <stdatomic.h>

#define NTHREADS 8
#define NSLOTS 2048
#define OPS 30000
#define SALT 0x5eedull
#define MAXSIZE (2 * MIB)

static _Atomic(char *) slots[NSLOTS];
static atomic_ulong remote_frees, total_frees;

/* Check a block taken out of a slot and free it. */
static void retire(char *p, unsigned self)
{
	size_t n = block_check(p, SALT, MAXSIZE);

	CHECK(malloc_usable_size(p) >= n, "block %p of %zu bytes: usable size "
	       "%zu", (void *)p, n, malloc_usable_size(p));
	if (block_owner(p) != self)
		atomic_fetch_add_explicit(&remote_frees, 1,
					  memory_order_relaxed);
	atomic_fetch_add_explicit(&total_frees, 1, memory_order_relaxed);
	free(p);
}

static char *make(struct rng *r, unsigned self)
{
	size_t n = rng_size_mix(r), a;
	unsigned how = rng_next(r) % 10;
	char *p = NULL;

	if (rng_next(r) % 200 == 0)
		n = rng_range(r, MIB, MAXSIZE);
	if (how < 6) {
		p = malloc(n);
	} else if (how < 8) {
		size_t bad;

		p = calloc(1, n);
		CHECK(p != NULL, "calloc(1, %zu) failed", n);
		bad = nonzero_at(p, n);
		CHECK(bad == SIZE_MAX, "calloc(1, %zu) = %p: byte %zu not zero",
		       n, (void *)p, bad);
	} else {
		a = (size_t)1 << rng_range(r, 4, 16);
		if (how == 8) {
			p = memalign(a, n);
		} else if (posix_memalign((void **)&p, a, n) != 0) {
			p = NULL;
		}
		CHECK(p == NULL || (uintptr_t)p % a == 0, "aligned block %p of "
		       "%zu bytes not aligned to %zu", (void *)p, n, a);
	}
	CHECK(p != NULL, "allocation of %zu bytes failed (errno %d)", n, errno);
	CHECK((uintptr_t)p % 16 == 0, "%p: not 16-byte aligned", (void *)p);
	block_fill_owned(p, n, SALT, self);
	return p;
}

/* Take a block from a slot, realloc it here, put it back. */
static void resize(struct rng *r, unsigned k, unsigned self)
{
	char *p = atomic_exchange(&slots[k], NULL), *q, *old;
	size_t n, m;

	if (!p)
		return;
	n = block_check(p, SALT, MAXSIZE);
	m = rng_size_mix(r);
	q = realloc(p, m);
	CHECK(q != NULL, "realloc(%zu -> %zu) failed", n, m);
	/* the old pattern, seeded by the old address, must have moved along */
	CHECK_PATTERN(q + 8, (n < m ? n : m) - 8, pattern_seed(p, SALT ^ n),
		      "block reallocated by another thread");
	block_fill_owned(q, m, SALT, self);
	old = atomic_exchange(&slots[k], q);
	if (old)
		retire(old, self);
}

/* Blocks that never leave the thread. */
static void local_burst(struct rng *r, unsigned self)
{
	char *p[16];
	int i;

	for (i = 0; i < 16; i++)
		p[i] = make(r, self);
	for (i = 15; i >= 0; i--)
		retire(p[i], self);
}

static void *worker(void *arg)
{
	unsigned self = (unsigned)(uintptr_t)arg;
	struct rng r;
	unsigned op;

	rng_seed(&r, 1000 + self);
	for (op = 0; op < OPS; op++) {
		unsigned k = rng_next(&r) % NSLOTS, what = rng_next(&r) % 100;
		char *old;

		if (what < 75) {
			old = atomic_exchange(&slots[k], make(&r, self));
			if (old)
				retire(old, self);
		} else if (what < 95) {
			resize(&r, k, self);
		} else if (what < 99) {
			old = atomic_exchange(&slots[k], NULL);
			if (old)
				retire(old, self);
		} else {
			local_burst(&r, self);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];
	unsigned long remote, total;
	unsigned i;

	watchdog(120);
	for (i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker,
				     (void *)(uintptr_t)(i + 1)) == 0);
	for (i = 0; i < NTHREADS; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	/* the owners are gone; their blocks must still be whole */
	for (i = 0; i < NSLOTS; i++) {
		char *p = atomic_exchange(&slots[i], NULL);

		if (p)
			retire(p, 0);
	}
	remote = atomic_load(&remote_frees);
	total = atomic_load(&total_frees);
	printf("%lu frees, %lu of them by another thread than the allocating "
	       "one\n", total, remote);
	CHECK(remote > total / 2, "only %lu of %lu frees were remote", remote,
	       total);
	return 0;
}
