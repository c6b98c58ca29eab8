/*
 * t_basic: malloc and free, size by size.
 *
 * Proves that
 *  - malloc(0) returns distinct non-NULL 16-byte aligned pointers, free(NULL)
 *    is a no-op;
 *  - every size 0..1100, and 2^k-1, 2^k, 2^k+1 up to 64 MiB, plus the edges
 *    of the slab / page-run / mapped-chunk paths and of page multiples, gives
 *    a 16-byte aligned block with malloc_usable_size >= size whose bytes all
 *    hold what was written while all the other blocks are live: no two live
 *    blocks overlap;
 *  - many blocks of one size (all three paths) are distinct and survive frees
 *    of their neighbours and reuse of the freed slots, in several orders.
 */
#include "../common.h"

struct blk {
	char *p;
	size_t n;
	uint64_t seed;
};

static int by_addr(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* Fails if two of the blocks overlap (a 0-byte block counts as 1 byte). */
static void check_disjoint(struct blk *b, size_t count, const char *what)
{
	size_t i;

	qsort(b, count, sizeof(*b), by_addr);
	for (i = 0; i + 1 < count; i++) {
		size_t len = b[i].n ? b[i].n : 1;

		if (b[i].p + len > b[i + 1].p)
			fail("%s: block %p (%zu bytes) overlaps block %p "
			     "(%zu bytes)", what, (void *)b[i].p, b[i].n,
			     (void *)b[i + 1].p, b[i + 1].n);
	}
}

static void get(struct blk *b, size_t n, uint64_t salt)
{
	b->n = n;
	b->p = malloc(opaque_size(n));
	CHECK(b->p != NULL, "malloc(%zu) returned NULL (errno %d)", n, errno);
	CHECK((uintptr_t)b->p % 16 == 0, "malloc(%zu) = %p: not 16-byte "
	       "aligned", n, (void *)b->p);
	CHECK(malloc_usable_size(b->p) >= n, "malloc_usable_size(malloc(%zu))"
	       " = %zu", n, malloc_usable_size(b->p));
	b->seed = pattern_seed(b->p, salt ^ n);
	pattern_fill(b->p, n, b->seed);
}

static void put(struct blk *b, const char *what)
{
	CHECK_PATTERN(b->p, b->n, b->seed, what);
	free(b->p);
	b->p = NULL;
}

static void shuffle(struct blk *b, size_t count, struct rng *r)
{
	size_t i;

	for (i = count; i > 1; i--) {
		size_t j = rng_next(r) % i;
		struct blk t = b[i - 1];

		b[i - 1] = b[j];
		b[j] = t;
	}
}

static void zero_sizes(void)
{
	enum { N = 1000 };
	static struct blk b[N];
	size_t i;

	free(NULL);
	for (i = 0; i < N; i++) {
		get(&b[i], 0, i);
		/* whatever is usable must be writable */
		memset(b[i].p, 0xab, malloc_usable_size(b[i].p));
	}
	check_disjoint(b, N, "malloc(0)");
	for (i = 0; i < N; i++)
		put(&b[i], "malloc(0)");
	free(opaque_ptr(NULL));
}

/* Every size 0..1100 live at once, freed in random order, twice. */
static void small_sizes(struct rng *r)
{
	enum { N = 1101 };
	static struct blk b[N];
	size_t i, round;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < N; i++)
			get(&b[i], i, round);
		for (i = 0; i < N; i++)
			CHECK_PATTERN(b[i].p, b[i].n, b[i].seed,
				      "sizes 0..1100, all live");
		check_disjoint(b, N, "sizes 0..1100");
		shuffle(b, N, r);
		for (i = 0; i < N; i++)
			put(&b[i], "sizes 0..1100, before free");
	}
}

static size_t edge_sizes(size_t *s)
{
	size_t n = 0, k, e;
	static const size_t edges[] = {
		SLAB_MAX, SLAB_MAX + PAGE, MMAP_THRESHOLD, MMAP_THRESHOLD - PAGE,
		MMAP_THRESHOLD + PAGE, 2 * MIB, 4 * MIB, 4 * MIB + PAGE,
	};

	for (k = 1; k <= 26; k++) {
		s[n++] = ((size_t)1 << k) - 1;
		s[n++] = (size_t)1 << k;
		s[n++] = ((size_t)1 << k) + 1;
	}
	for (k = 1; k <= 40; k++) {	/* page multiples through 160 KiB */
		s[n++] = k * PAGE - 1;
		s[n++] = k * PAGE + 1;
	}
	for (e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
		s[n++] = edges[e] - 16;
		s[n++] = edges[e] - 1;
		s[n++] = edges[e];
		s[n++] = edges[e] + 1;
		s[n++] = edges[e] + 16;
	}
	return n;
}

/* Boundary sizes: all those up to 1 MiB live together, the rest two at a
 * time. */
static void boundary_sizes(struct rng *r)
{
	static size_t s[256];
	static struct blk b[512];
	size_t ns = edge_sizes(s), i, live = 0;

	for (i = 0; i < ns; i++) {
		if (s[i] <= MIB) {
			get(&b[live++], s[i], 1);
			continue;
		}
		get(&b[live], s[i], 2);
		get(&b[live + 1], s[i], 3);
		check_disjoint(&b[live], 2, "large boundary sizes");
		put(&b[live], "large boundary size");
		put(&b[live + 1], "large boundary size");
	}
	for (i = 0; i < live; i++)
		CHECK_PATTERN(b[i].p, b[i].n, b[i].seed, "boundary sizes, all live");
	check_disjoint(b, live, "boundary sizes <= 1 MiB");
	shuffle(b, live, r);
	for (i = 0; i < live; i++)
		put(&b[i], "boundary sizes, before free");
}

/* Many blocks of one size; free every other one, refill the holes, check. */
static void same_size(struct rng *r)
{
	static const size_t sizes[] = {
		1, 16, 24, 48, 100, 1000, 4096, 10000, 32768, 32769, 65536,
		131071, 131072, 262144, 1000000,
	};
	static struct blk b[2000];
	size_t si, i;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		size_t n = sizes[si], count = 64 * MIB / n;

		if (count > 2000)
			count = 2000;
		for (i = 0; i < count; i++)
			get(&b[i], n, i);
		for (i = 0; i < count; i += 2)
			put(&b[i], "same size, freeing every other");
		for (i = 0; i < count; i += 2)
			get(&b[i], n, i + 7);
		for (i = 0; i < count; i++)
			CHECK_PATTERN(b[i].p, b[i].n, b[i].seed,
				      "same size after refill");
		check_disjoint(b, count, "same size");
		if (si % 2) {
			shuffle(b, count, r);
		} else {	/* reverse order */
			for (i = 0; i < count / 2; i++) {
				struct blk t = b[i];

				b[i] = b[count - 1 - i];
				b[count - 1 - i] = t;
			}
		}
		for (i = 0; i < count; i++)
			put(&b[i], "same size, before free");
	}
}

int main(void)
{
	struct rng r;

	watchdog(60);
	rng_seed(&r, 1);
	zero_sizes();
	small_sizes(&r);
	boundary_sizes(&r);
	same_size(&r);
	return 0;
}
