/*
 * s_exhaust: exhaustion that loses nothing (issue 12).
 *
 * In a child with a limit, a fixed-seed sequence of mixed sizes (16 B ..
 * 4 MiB, log-uniform, with some calloc, memalign and realloc) is
 * allocated until the first failure; every block is filled with a byte of
 * its own and checked whole before everything is freed. Then the same
 * sequence again, three rounds in all. Under RLIMIT_AS = 256 MiB, under
 * RLIMIT_DATA = 256 MiB, and with the break blocked by a foreign mapping
 * right above it (plus RLIMIT_AS), it proves that
 *  - the failure is a clean NULL with errno ENOMEM (no crash, no abort);
 *  - every live byte is intact when the limit is hit;
 *  - each later round gets at least as far as the first (nothing freed is
 *    lost to caches, fragmentation, padding or metadata);
 *  - at the limit of the last round, with the heap still full, creating
 *    a thread either fails cleanly (EAGAIN) or gives a thread whose
 *    malloc fails cleanly (ENOMEM) or works; once the largest block is
 *    freed, a thread is created and allocates for sure;
 *  - after the rounds, a thread can still be created and allocate.
 * The sequences (seeds) 2, 3, 7 and 11 each lost blocks from one round to
 * the next in some run while issue 12 was worked on (an empty break
 * section left on top by a refused growth, the pressure window ending by
 * the clock halfway through the frees, a chunk grown by moving that
 * needed a second copy's worth of RLIMIT_DATA were found and fixed).
 * S_EXHAUST_SEED=n runs that one sequence instead.
 *
 * Not run by make check yet (`make exhaust` runs it): some cases still
 * end a later round a few blocks short. Measured on the branch that
 * fixed the above, 12 seeds x 3 cases: with ASLR about one case run in 30
 * (seeds 7, 11, 12), and without it (setarch -R) seed 11 under RLIMIT_AS
 * (1848, then 1832) and seed 12 under RLIMIT_DATA (1689, then 1683). For
 * seed 11 (strace): a later round's realloc of a chunk that sits right
 * below the libraries cannot grow it in place, and moving it into an
 * aligned reservation, mremap(MREMAP_FIXED) fails with ENOMEM under
 * RLIMIT_AS where the first round's, placed elsewhere, grew in place.
 * Issue 12 stays open on it.
 */
#include "../common.h"
#include <pthread.h>
#include <sys/mman.h>

#define MAX_BLOCKS 200000
#define ROUNDS 3

struct blk {
	unsigned char *p;
	size_t n;
};
static struct blk *blocks;	/* mmap'd: not from the allocator under test */
static uint64_t seq_seed = 12;

/* 70% slab sizes (16 B .. 32 KiB), 20% page runs, 10% up to 4 MiB;
 * log-uniform inside each range. */
static size_t seq_size(struct rng *r)
{
	unsigned pick = rng_next(r) % 10, shift;
	size_t lo, n;

	if (pick < 7)
		shift = 4 + rng_next(r) % 11;
	else if (pick < 9)
		shift = 15 + rng_next(r) % 2;
	else
		shift = 17 + rng_next(r) % 5;
	lo = (size_t)1 << shift;
	n = rng_range(r, lo, 2 * lo);
	return n > 4 * MIB ? 4 * MIB : n;
}

static unsigned char *seq_alloc(struct rng *r, size_t n)
{
	switch (rng_next(r) % 8) {
	case 0:
		return calloc(1, n);
	case 1:
		return memalign((size_t)64 << (rng_next(r) % 7), n);
	case 2: {
		unsigned char *p = malloc(n / 2 + 1);

		if (!p)
			return NULL;
		p[0] = 1;
		unsigned char *q = realloc(p, n);
		if (!q)
			free(p);
		return q;
	}
	default:
		return malloc(n);
	}
}

/* Offset of the first byte of [p, p + n) that is not c, or n: a word at a
 * time, so that checking 256 MiB takes a fraction of a second. */
static size_t first_other(const unsigned char *p, size_t n, unsigned char c)
{
	uint64_t w = 0x0101010101010101ull * c, v;
	size_t k = 0;

	for (; k + 8 <= n; k += 8) {
		memcpy(&v, p + k, 8);
		if (v != w)
			break;
	}
	for (; k < n && p[k] == c; k++)
		;
	return k;
}

static void *thread_alloc(void *arg)
{
	size_t n = (size_t)arg;
	unsigned char *p;

	errno = 0;
	p = malloc(n);
	if (!p)
		return errno == ENOMEM ? (void *)2 : NULL;
	memset(p, 0x5a, n);
	if (first_other(p, n, 0x5a) != n)
		return NULL;
	free(p);
	return (void *)1;
}

/* A thread with a small stack that mallocs n bytes; pthread_create's
 * error, and through *ret 1 (done), 2 (malloc failed with ENOMEM) or 0
 * (wrong). */
static int thread_try(size_t n, void **ret)
{
	pthread_attr_t a;
	pthread_t t;
	int e;

	*ret = NULL;
	CHECK(pthread_attr_init(&a) == 0);
	CHECK(pthread_attr_setstacksize(&a, 256 * KIB) == 0);
	e = pthread_create(&t, &a, thread_alloc, (void *)n);
	pthread_attr_destroy(&a);
	if (e == 0)
		CHECK(pthread_join(t, ret) == 0);
	return e;
}

/*
 * At the limit (round 0, all blocks still live): a thread either cannot
 * be created (EAGAIN: no room for its stack) or its malloc succeeds or
 * fails with ENOMEM. Then the largest block goes, and with its room a
 * thread must be created and allocate: nothing of the failed request
 * may keep that room.
 */
static void threads_at_limit(size_t count)
{
	size_t big = 0, had;
	void *ret;
	int e;

	e = thread_try(1000, &ret);
	CHECK(e == EAGAIN || (e == 0 && ret != NULL), "a thread at the limit: "
	       "pthread_create %d, the thread said %p", e, ret);
	for (size_t i = 1; i < count; i++)
		if (blocks[i].n > blocks[big].n)
			big = i;
	CHECK(blocks[big].n >= 2 * MIB, "the largest block is %zu bytes",
	       blocks[big].n);
	had = blocks[big].n;
	free(blocks[big].p);
	blocks[big].p = NULL;
	blocks[big].n = 0;
	e = thread_try(1000, &ret);
	CHECK(e == 0 && ret == (void *)1, "a thread after %zu bytes were freed "
	       "at the limit: pthread_create %d, the thread said %p", had, e, ret);
}

/* One round: allocate until failure; check; free all. Returns the count. */
static size_t round_once(int round)
{
	struct rng r;
	size_t count = 0;

	rng_seed(&r, seq_seed);
	while (count < MAX_BLOCKS) {
		size_t n = seq_size(&r);
		unsigned char *p;

		errno = 0;
		p = seq_alloc(&r, n);
		if (!p) {
			CHECK(errno == ENOMEM, "round %d: block %zu (%zu bytes) "
			       "failed with errno %d", round, count, n, errno);
			break;
		}
		memset(p, (int)(count * 7 + 1) & 0xff, n);
		blocks[count].p = p;
		blocks[count].n = n;
		count++;
	}
	CHECK(count < MAX_BLOCKS, "round %d: no failure in %d blocks: the "
	       "limit did not apply", round, MAX_BLOCKS);
	if (round == ROUNDS - 1)	/* a thread's stack may stay cached: last */
		threads_at_limit(count);
	for (size_t i = 0; i < count; i++) {
		unsigned char want = (unsigned char)((i * 7 + 1) & 0xff);
		size_t k = first_other(blocks[i].p, blocks[i].n, want);
		CHECK(k == blocks[i].n, "round %d: block %zu (%zu bytes): byte "
		       "%zu is %#x, expected %#x", round, i, blocks[i].n, k,
		       blocks[i].p[k], want);
	}
	for (size_t i = 0; i < count; i++)
		free(blocks[i].p);
	return count;
}

/* The rounds print nothing until the end: a stdio buffer allocated
 * between two rounds would be a block of the program's own, live, in
 * the middle of what the next round needs. */
static int rounds(void *arg)
{
	const char *how = arg;
	size_t count[ROUNDS];
	pthread_t t;
	void *ret;

	printf("%s: seed %llu\n", how, (unsigned long long)seq_seed);
	fflush(stdout);
	for (int round = 0; round < ROUNDS; round++)
		count[round] = round_once(round);
	for (int round = 0; round < ROUNDS; round++)
		printf("%s: round %d: %zu blocks\n", how, round, count[round]);
	fflush(stdout);
	for (int round = 1; round < ROUNDS; round++)
		CHECK(count[round] >= count[0], "%s: round %d got %zu blocks, "
		       "the first %zu", how, round, count[round], count[0]);
	CHECK(pthread_create(&t, NULL, thread_alloc, (void *)(size_t)1000) == 0,
	       "%s: no thread after the rounds", how);
	CHECK(pthread_join(t, &ret) == 0 && ret == (void *)1);
	return 0;
}

static void set_limit(int resource, rlim_t bytes)
{
	struct rlimit l = { bytes, bytes };

	CHECK(setrlimit(resource, &l) == 0, "setrlimit: %s", strerror(errno));
}

static int under_as(void *arg)
{
	set_limit(RLIMIT_AS, (rlim_t)vm_kib() * 1024 + 256 * MIB);
	return rounds(arg);
}

static int under_data(void *arg)
{
	set_limit(RLIMIT_DATA, 256 * MIB);
	return rounds(arg);
}

static int break_blocked(void *arg)
{
	uintptr_t top = ((uintptr_t)sbrk(0) + PAGE - 1) & ~(PAGE - 1);
	void *m = mmap((void *)top, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED_NOREPLACE, -1, 0);

	CHECK(m == (void *)top, "cannot map a page at the break %#lx",
	       (unsigned long)top);
	set_limit(RLIMIT_AS, (rlim_t)vm_kib() * 1024 + 256 * MIB);
	return rounds(arg);
}

static void run(int (*fn)(void *), const char *how)
{
	struct child_result r;

	run_child(fn, (void *)how, 240, &r);
	CHECK(r.exited && r.status == 0, "%s: %s; stderr:\n%s", how,
	       child_how(&r), r.err);
}

int main(void)
{
	/* S_EXHAUST_SEED=n runs that one sequence instead */
	static const uint64_t seeds[] = { 2, 3, 7, 11 };
	size_t nseeds = sizeof(seeds) / sizeof(seeds[0]);

	watchdog(900);
	require_buddymalloc();
	blocks = mmap(NULL, MAX_BLOCKS * sizeof(*blocks), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(blocks != MAP_FAILED);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < nseeds; i++) {
		seq_seed = seeds[i];
		if (getenv("S_EXHAUST_SEED")) {
			seq_seed = strtoull(getenv("S_EXHAUST_SEED"), NULL, 0);
			nseeds = 1;
		}
		run(under_as, "RLIMIT_AS 256 MiB");
		run(under_data, "RLIMIT_DATA 256 MiB");
		run(break_blocked, "break blocked, RLIMIT_AS 256 MiB");
	}
	return 0;
}
