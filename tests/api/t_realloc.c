/*
 * t_realloc: realloc and reallocarray.
 *
 * Proves that
 *  - realloc(NULL, n) behaves like malloc(n), for sizes on all three paths;
 *  - realloc(p, 0) returns NULL and frees p (thousands of such calls on slab,
 *    page-run and mapped blocks do not grow the address space);
 *  - data survives every transition between the paths, both ways: for every
 *    pair of sizes from a list covering slab, page runs and mapped chunks,
 *    realloc keeps min(old, new) bytes, and the new block is aligned, has
 *    usable size >= new size and is writable;
 *  - stepwise growth and shrinkage (byte by byte in slabs, page by page in
 *    page runs, 64 KiB steps in mapped chunks) keeps the data every step;
 *  - a random walk of reallocs over 32 live blocks keeps every block intact;
 *  - reallocarray(NULL, a, b) is malloc(a*b), grows and shrinks keeping data,
 *    and on overflow returns NULL with ENOMEM leaving the block untouched.
 */
#include "../common.h"

static const size_t path_sizes[] = {
	1, 24, 1000, 32768,			/* slab */
	32769, 70000, 131071,			/* page runs */
	131072, MIB, 5 * MIB, 64 * MIB,		/* mapped chunks */
};
#define NPATH (sizeof(path_sizes) / sizeof(path_sizes[0]))

static void check_block(const char *what, void *p, size_t n)
{
	CHECK(p != NULL, "%s(%zu) returned NULL (errno %d)", what, n, errno);
	CHECK((uintptr_t)p % 16 == 0, "%s(%zu) = %p: not 16-byte aligned",
	       what, n, p);
	CHECK(malloc_usable_size(p) >= n, "%s(%zu): malloc_usable_size = %zu",
	       what, n, malloc_usable_size(p));
}

static void realloc_null(void)
{
	size_t i;

	for (i = 0; i < NPATH; i++) {
		size_t n = path_sizes[i];
		char *p = realloc(NULL, opaque_size(n));

		check_block("realloc(NULL, n)", p, n);
		pattern_fill(p, n, n);
		CHECK_PATTERN(p, n, n, "realloc(NULL, n)");
		free(p);
	}
	/* like malloc(0): a real, distinct block */
	{
		char *a = realloc(NULL, opaque_size(0));
		char *b = realloc(NULL, opaque_size(0));

		CHECK(a && b && a != b, "realloc(NULL, 0) twice gave %p, %p",
		       (void *)a, (void *)b);
		free(a);
		free(b);
	}
}

static void realloc_zero_frees(void)
{
	static const size_t sizes[] = { 100, 1000, 40000, MIB };
	static const unsigned rounds[] = { 100000, 50000, 5000, 3000 };
	size_t i;
	unsigned k;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		long before = vm_kib(), grown;

		for (k = 0; k < rounds[i]; k++) {
			char *p = malloc(opaque_size(sizes[i]));

			CHECK(p != NULL, "malloc(%zu) failed", sizes[i]);
			p[0] = 1;
			p[sizes[i] - 1] = 2;
			errno = 0;
			p = realloc(opaque_ptr(p), opaque_size(0));
			CHECK(p == NULL, "realloc(p, 0) on a %zu-byte block "
			       "returned %p, not NULL", sizes[i], (void *)p);
		}
		/* had realloc(p, 0) not freed p, the space would have grown
		 * by rounds * size, at least 100 MiB here */
		grown = vm_kib() - before;
		CHECK(grown < 32 * 1024, "%u x realloc(malloc(%zu), 0): address "
		       "space grew by %ld KiB; realloc(p, 0) does not free p",
		       rounds[i], sizes[i], grown);
	}
}

static void one_transition(size_t from, size_t to, uint64_t seed)
{
	char *p = malloc(opaque_size(from)), *q;

	check_block("malloc", p, from);
	pattern_fill(p, from, seed);
	q = realloc(p, opaque_size(to));
	CHECK(q != NULL, "realloc(%zu -> %zu) returned NULL", from, to);
	check_block("realloc", q, to);
	CHECK_PATTERN(q, from < to ? from : to, seed, "realloc kept data");
	pattern_fill(q, to, seed + 1);
	CHECK_PATTERN(q, to, seed + 1, "realloc'd block writable");
	free(q);
}

static void all_transitions(void)
{
	size_t i, j;

	for (i = 0; i < NPATH; i++)
		for (j = 0; j < NPATH; j++)
			one_transition(path_sizes[i], path_sizes[j], i * 100 + j);
}

/* Walk p from size a to size b by step (either direction), checking data. */
static char *walk(char *p, size_t a, size_t b, size_t step, uint64_t seed)
{
	size_t n = a;

	while (n != b) {
		size_t m = a < b ? (n + step > b ? b : n + step)
				 : (n < b + step ? b : n - step);
		char *q = realloc(p, opaque_size(m));

		CHECK(q != NULL, "realloc(%zu -> %zu) returned NULL", n, m);
		check_block("realloc", q, m);
		CHECK_PATTERN(q, n < m ? n : m, seed, "stepwise realloc");
		if (m > n)
			pattern_fill(q, m, seed);
		p = q;
		n = m;
	}
	return p;
}

static void stepwise(void)
{
	uint64_t seed = 77;
	char *p = malloc(1);

	CHECK(p != NULL);
	pattern_fill(p, 1, seed);
	p = walk(p, 1, 5000, 1, seed);			/* byte by byte */
	p = walk(p, 5000, SLAB_MAX, 512, seed);
	p = walk(p, SLAB_MAX, MMAP_THRESHOLD + PAGE, PAGE, seed); /* pages */
	p = walk(p, MMAP_THRESHOLD + PAGE, 4 * MIB, 64 * KIB, seed);
	p = walk(p, 4 * MIB, MMAP_THRESHOLD - 1, 64 * KIB, seed);
	p = walk(p, MMAP_THRESHOLD - 1, SLAB_MAX - 1, PAGE, seed);
	p = walk(p, SLAB_MAX - 1, 1, 97, seed);
	p = walk(p, 1, 1, 1, seed);
	free(p);
}

static void random_walk(void)
{
	enum { N = 32, OPS = 20000 };
	static char *p[N];
	static size_t n[N];
	static uint64_t seed[N];
	struct rng r;
	unsigned i, op;

	rng_seed(&r, 3);
	for (op = 0; op < OPS; op++) {
		unsigned k = rng_next(&r) % N;
		size_t m = rng_next(&r) % 100 ? rng_size_mix(&r)
					     : rng_range(&r, MIB, 8 * MIB);
		char *q;

		if (p[k])
			CHECK_PATTERN(p[k], n[k], seed[k], "random walk, "
				      "before realloc");
		q = realloc(p[k], opaque_size(m));
		check_block("realloc", q, m);
		if (p[k])
			CHECK_PATTERN(q, n[k] < m ? n[k] : m, seed[k],
				      "random walk, after realloc");
		seed[k] = pattern_seed(q, op);
		pattern_fill(q, m, seed[k]);
		p[k] = q;
		n[k] = m;
	}
	for (i = 0; i < N; i++) {
		if (!p[i])
			continue;
		CHECK_PATTERN(p[i], n[i], seed[i], "random walk, at the end");
		free(p[i]);
	}
}

static void reallocarray_cases(void)
{
	char *p = reallocarray(NULL, opaque_size(10), opaque_size(100)), *q;

	check_block("reallocarray(NULL, 10, 100)", p, 1000);
	pattern_fill(p, 1000, 5);
	q = reallocarray(p, opaque_size(3), opaque_size(50000));
	check_block("reallocarray(p, 3, 50000)", q, 150000);
	CHECK_PATTERN(q, 1000, 5, "reallocarray grow");
	pattern_fill(q, 150000, 6);
	p = reallocarray(q, opaque_size(7), opaque_size(9));
	check_block("reallocarray(p, 7, 9)", p, 63);
	CHECK_PATTERN(p, 63, 6, "reallocarray shrink");

	errno = 0;
	q = reallocarray(p, opaque_size(SIZE_MAX / 2), opaque_size(3));
	CHECK(q == NULL && errno == ENOMEM, "reallocarray overflow: got %p, "
	       "errno %d; expected NULL, ENOMEM", (void *)q, errno);
	errno = 0;
	q = reallocarray(p, opaque_size((size_t)1 << 32),
			 opaque_size((size_t)1 << 32));
	CHECK(q == NULL && errno == ENOMEM, "reallocarray(2^32, 2^32): got "
	       "%p, errno %d; expected NULL, ENOMEM", (void *)q, errno);
	CHECK_PATTERN(p, 63, 6, "block after a failed reallocarray");
	CHECK(malloc_usable_size(p) >= 63);
	free(p);
}

static void same_size(void)
{
	size_t i;

	for (i = 0; i < NPATH; i++)
		one_transition(path_sizes[i], path_sizes[i], 900 + i);
}

int main(void)
{
	watchdog(60);
	realloc_null();
	realloc_zero_frees();
	all_transitions();
	same_size();
	stepwise();
	random_walk();
	reallocarray_cases();
	return 0;
}
