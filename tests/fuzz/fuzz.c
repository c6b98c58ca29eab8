/*
 * tests/fuzz/fuzz.c - a deterministic, seeded random driver of the whole
 * malloc API, checked against a model of every live block (issue 12).
 *
 *   fuzz [-n OPS] [-t THREADS] [-s SEED[,SEED...]]
 *
 * For each seed, THREADS threads each run OPS operations drawn from their
 * own generator (seeded by the seed and the thread's number): malloc,
 * calloc, realloc, reallocarray, free, memalign, posix_memalign,
 * aligned_alloc, valloc, pvalloc, malloc_usable_size, malloc_trim and
 * mallopt, with sizes over every path (slab classes, page runs, mapped
 * chunks) and some requests that must fail. Blocks also travel between
 * threads through a shared mailbox, so that a thread frees or reallocates
 * blocks another one allocated. The model checks
 *  - every block's bytes: filled with a pattern of its own when it is
 *    made, checked whole before it is freed or reallocated, and a random
 *    live block checked at one operation in four (corruption, overlap);
 *  - sizes and alignment: malloc_usable_size >= the size asked, stable
 *    while the block lives; 16-byte alignment, or the alignment asked
 *    (memalign rounds an odd one up; valloc, pvalloc: a page);
 *  - zeroing (calloc), contents kept by realloc/reallocarray up to the
 *    smaller size, a failed realloc leaving the block as it was;
 *  - errno on failure: ENOMEM for sizes no one can have and overflowing
 *    products, EINVAL for bad alignments (posix_memalign returns it and
 *    leaves *memptr), and mallopt answering 1.
 * The run is deterministic for a given seed and thread count except for
 * how the threads interleave at the mailbox. Prints the seeds and the
 * number of operations; exits 0 when every check held.
 */
#include "../common.h"
#include <pthread.h>

#define SLOTS		512
#define MAILBOX		64
#define BIG_MAX		(3 * MIB)

struct block {
	unsigned char *p;
	size_t size;
	size_t align;		/* what it must be aligned to */
	size_t usable;		/* malloc_usable_size when made */
	uint64_t seed;		/* of its pattern; 0: all zero (calloc) */
};

static struct {
	pthread_mutex_t lock;
	struct block b[MAILBOX];
	int n;
} mailbox = { .lock = PTHREAD_MUTEX_INITIALIZER };

struct worker {
	pthread_t tid;
	int id;
	uint64_t seed;
	long ops;
	struct rng rng;
	struct block live[SLOTS];
	long counts[16];
};

/* Sizes: mostly small, some page runs, a few mapped chunks, some 0. */
static size_t fuzz_size(struct rng *r)
{
	unsigned pick = rng_next(r) % 100;

	if (pick < 3)
		return 0;
	if (pick < 80)
		return rng_range(r, 1, (size_t)16 << (rng_next(r) % 8));
	if (pick < 95)
		return rng_range(r, 2048, 64 * KIB);
	if (pick < 99 || rng_next(r) % 4)
		return rng_range(r, 64 * KIB, 512 * KIB);
	return rng_range(r, 512 * KIB, BIG_MAX);	/* one in 400 */
}

static size_t fuzz_align(struct rng *r)
{
	return (size_t)1 << rng_range(r, 0, rng_next(r) % 8 ? 12 : 21);
}

static void fill(struct block *b, struct rng *r)
{
	b->seed = rng_next(r) | 1;
	pattern_fill(b->p, b->size, b->seed);
}

static void verify(const struct block *b, const char *when)
{
	if (b->seed)
		CHECK_PATTERN(b->p, b->size, b->seed, when);
	else
		CHECK(nonzero_at(b->p, b->size) == SIZE_MAX, "%s: calloc "
		       "block %p (%zu bytes) not zero at %zu", when,
		       (void *)b->p, b->size, nonzero_at(b->p, b->size));
	CHECK(malloc_usable_size(b->p) == b->usable, "%s: usable size of %p "
	       "changed from %zu to %zu", when, (void *)b->p, b->usable,
	       malloc_usable_size(b->p));
}

/* A new block: checks what every allocation must give, and records it. */
static void made(struct block *b, void *p, size_t size, size_t align,
		 const char *fn, struct rng *r, int zero)
{
	CHECK(p != NULL, "%s(%zu, align %zu) failed: errno %d", fn, size,
	       align, errno);
	if (align < 16)
		align = 16;
	CHECK((uintptr_t)p % align == 0, "%s(%zu) = %p: not aligned to %zu",
	       fn, size, p, align);
	b->p = p;
	b->size = size;
	b->align = align;
	b->usable = malloc_usable_size(p);
	CHECK(b->usable >= size, "%s(%zu): usable size %zu", fn, size,
	       b->usable);
	if (zero) {
		CHECK(nonzero_at(p, size) == SIZE_MAX, "%s(%zu): byte %zu of "
		       "%p not zero", fn, size, nonzero_at(p, size), p);
		b->seed = 0;
	} else {
		fill(b, r);
	}
}

static void op_alloc(struct worker *w, struct block *b)
{
	struct rng *r = &w->rng;
	size_t n = fuzz_size(r), a, k;
	void *p = NULL;
	int rc;

	switch (rng_next(r) % 8) {
	case 0:
		k = rng_range(r, 1, 16);
		made(b, calloc(k, opaque_size(n / k + 1)), k * (n / k + 1), 0,
		     "calloc", r, 1);
		break;
	case 1:
		a = fuzz_align(r);
		if (rng_next(r) % 4 == 0 && a > 2)
			a -= 1 + rng_next(r) % (a / 2);	/* odd: rounded up */
		p = memalign(opaque_size(a), opaque_size(n));
		made(b, p, n, a <= 1 ? 16 : (size_t)1 << (64 - __builtin_clzl(a - 1)),
		     "memalign", r, 0);
		break;
	case 2:
		a = fuzz_align(r);
		if (a < sizeof(void *))
			a = sizeof(void *);
		rc = posix_memalign(&p, opaque_size(a), opaque_size(n));
		CHECK(rc == 0, "posix_memalign(%zu, %zu) = %d", a, n, rc);
		made(b, p, n, a, "posix_memalign", r, 0);
		break;
	case 3:
		a = fuzz_align(r);
		made(b, aligned_alloc(opaque_size(a), opaque_size(n)), n, a,
		     "aligned_alloc", r, 0);
		break;
	case 4:
		if (rng_next(r) % 2) {
			made(b, valloc(opaque_size(n)), n, PAGE, "valloc", r, 0);
		} else {
			made(b, pvalloc(opaque_size(n)), n, PAGE, "pvalloc", r, 0);
			CHECK(b->usable >= ((n + PAGE - 1) & ~(PAGE - 1)));
		}
		break;
	default:
		made(b, malloc(opaque_size(n)), n, 0, "malloc", r, 0);
	}
}

static void op_realloc(struct worker *w, struct block *b)
{
	struct rng *r = &w->rng;
	size_t n = fuzz_size(r), keep;
	unsigned char *q;
	struct block nb;
	int arr = rng_next(r) % 4 == 0;

	verify(b, "before realloc");
	if (n == 0 && !arr) {
		CHECK(realloc(b->p, opaque_size(0)) == NULL);
		b->p = NULL;
		return;
	}
	if (arr)
		q = reallocarray(b->p, opaque_size(n ? n : 1), 1);
	else
		q = realloc(b->p, opaque_size(n));
	if (n == 0)
		n = 1;
	CHECK(q != NULL, "realloc(%p, %zu) failed: errno %d", (void *)b->p,
	       n, errno);
	CHECK((uintptr_t)q % 16 == 0, "realloc = %p: not aligned", (void *)q);
	keep = n < b->size ? n : b->size;
	if (b->seed)
		CHECK_PATTERN(q, keep, b->seed, "realloc kept the bytes");
	else
		CHECK(nonzero_at(q, keep) == SIZE_MAX, "realloc lost zeroes");
	nb.p = q;
	nb.size = n;
	nb.align = 16;
	nb.usable = malloc_usable_size(q);
	CHECK(nb.usable >= n, "realloc(%zu): usable size %zu", n, nb.usable);
	fill(&nb, r);
	*b = nb;
}

/* Requests that must fail, and how. The live blocks stay as they were. */
static void op_fail(struct worker *w, struct block *b)
{
	struct rng *r = &w->rng;
	size_t huge = SIZE_MAX - rng_range(r, 0, 4 * PAGE);
	void *p = (void *)&huge, *q;
	int rc;

	switch (rng_next(r) % 7) {
	case 0:
		errno = 0;
		q = malloc(opaque_size(huge));
		CHECK(q == NULL && errno == ENOMEM, "malloc(%zu) = %p errno %d",
		       huge, q, errno);
		break;
	case 1:
		errno = 0;
		q = calloc(opaque_size(huge / 3 + 2), 4);
		CHECK(q == NULL && errno == ENOMEM, "calloc overflow = %p", q);
		break;
	case 2:
		rc = posix_memalign(&p, opaque_size(24), 100);
		CHECK(rc == EINVAL && p == (void *)&huge, "posix_memalign(24)"
		       " = %d", rc);
		break;
	case 3:
		errno = 0;
		q = aligned_alloc(opaque_size(48), 100);
		CHECK(q == NULL && errno == EINVAL, "aligned_alloc(48) = %p", q);
		break;
	case 4:
		if (!b->p)
			break;
		errno = 0;
		q = realloc(b->p, opaque_size(huge));
		CHECK(q == NULL && errno == ENOMEM, "realloc(huge) = %p", q);
		verify(b, "after a failed realloc");
		break;
	case 5:
		if (!b->p)
			break;
		errno = 0;
		q = reallocarray(b->p, opaque_size(huge / 2 + 1), 2);
		CHECK(q == NULL && errno == ENOMEM, "reallocarray overflow = %p",
		       q);
		verify(b, "after a failed reallocarray");
		break;
	default:
		errno = 0;
		q = pvalloc(opaque_size(SIZE_MAX));
		CHECK(q == NULL && errno == ENOMEM, "pvalloc(SIZE_MAX) = %p", q);
	}
}

static void op_tune(struct worker *w)
{
	static const int thresholds[] = { 64 * 1024, 128 * 1024, 256 * 1024,
					  1024 * 1024 };
	struct rng *r = &w->rng;
	int rc;

	switch (rng_next(r) % 5) {
	case 0:
		rc = mallopt(M_MMAP_THRESHOLD, thresholds[rng_next(r) % 4]);
		break;
	case 1:
		rc = mallopt(M_TRIM_THRESHOLD, (int)rng_range(r, 0, 4 * MIB));
		break;
	case 2:
		rc = mallopt(M_TOP_PAD, (int)rng_range(r, 0, MIB));
		break;
	case 3:
		rc = mallopt(M_ARENA_MAX, (int)rng_range(r, 1, 8));
		break;
	default:
		rc = mallopt(12345, 1);		/* unknown: ignored, 1 */
	}
	CHECK(rc == 1, "mallopt returned %d", rc);
	rc = malloc_trim(rng_next(r) % 2 ? 0 : 64 * KIB);
	CHECK(rc == 0 || rc == 1, "malloc_trim returned %d", rc);
}

/* Hands b to the mailbox, or takes one from it into b (b empty). */
static void op_mail(struct worker *w, struct block *b)
{
	pthread_mutex_lock(&mailbox.lock);
	if (b->p && mailbox.n < MAILBOX) {
		mailbox.b[mailbox.n++] = *b;
		b->p = NULL;
	} else if (!b->p && mailbox.n > 0) {
		unsigned i = rng_next(&w->rng) % mailbox.n;

		*b = mailbox.b[i];
		mailbox.b[i] = mailbox.b[--mailbox.n];
	}
	pthread_mutex_unlock(&mailbox.lock);
}

static void one_op(struct worker *w)
{
	struct rng *r = &w->rng;
	struct block *b = &w->live[rng_next(r) % SLOTS];
	struct block *c = &w->live[rng_next(r) % SLOTS];
	unsigned pick = rng_next(r) % 100;

	if (c->p && pick % 4 == 0)
		verify(c, "a live block");	/* one operation in four */
	if (pick < 40) {
		if (b->p) {
			verify(b, "before free");
			free(b->p);
			b->p = NULL;
			w->counts[0]++;
		} else {
			op_alloc(w, b);
			w->counts[1]++;
		}
	} else if (pick < 60) {
		if (b->p)
			op_realloc(w, b);
		else {
			size_t n = fuzz_size(r) + 1;

			made(b, realloc(NULL, opaque_size(n)), n, 0,
			     "realloc(NULL)", r, 0);
		}
		w->counts[2]++;
	} else if (pick < 75) {
		op_mail(w, b);
		w->counts[3]++;
	} else if (pick < 85) {
		if (b->p)
			verify(b, "usable size");
		w->counts[4]++;
	} else if (pick < 99 || rng_next(r) % 8) {
		op_fail(w, b);
		w->counts[5]++;
	} else {
		op_tune(w);		/* one operation in 800 */
		w->counts[6]++;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	rng_seed(&w->rng, w->seed * 1000003 + (uint64_t)w->id);
	for (long i = 0; i < w->ops; i++)
		one_op(w);
	for (int i = 0; i < SLOTS; i++) {
		if (w->live[i].p) {
			verify(&w->live[i], "at the end");
			free(w->live[i].p);
			w->live[i].p = NULL;
		}
	}
	return NULL;
}

static void run_seed(uint64_t seed, int threads, long ops)
{
	struct worker *w = calloc(threads, sizeof(*w));
	long total = 0, counts[16] = { 0 };

	CHECK(w != NULL);
	for (int i = 0; i < threads; i++) {
		w[i].id = i;
		w[i].seed = seed;
		w[i].ops = ops;
		CHECK(pthread_create(&w[i].tid, NULL, worker_main, &w[i]) == 0);
	}
	for (int i = 0; i < threads; i++) {
		CHECK(pthread_join(w[i].tid, NULL) == 0);
		total += w[i].ops;
		for (int k = 0; k < 16; k++)
			counts[k] += w[i].counts[k];
	}
	for (int i = 0; i < mailbox.n; i++) {
		verify(&mailbox.b[i], "left in the mailbox");
		free(mailbox.b[i].p);
	}
	mailbox.n = 0;
	printf("fuzz: seed %llu: %ld operations in %d threads (free %ld, "
	       "alloc %ld, realloc %ld, handed over %ld, usable %ld, failing "
	       "%ld, tuning %ld): ok\n", (unsigned long long)seed, total,
	       threads, counts[0], counts[1], counts[2], counts[3], counts[4],
	       counts[5], counts[6]);
	free(w);
}

int main(int argc, char **argv)
{
	long ops = 100000, total = 0;
	int threads = 4, opt_c, nseeds = 0;
	uint64_t seeds[64];
	char *s, *end;

	while ((opt_c = getopt(argc, argv, "n:t:s:")) != -1) {
		switch (opt_c) {
		case 'n':
			ops = strtol(optarg, NULL, 0);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 's':
			for (s = optarg; *s && nseeds < 64; s = end + (*end == ',')) {
				seeds[nseeds++] = strtoull(s, &end, 0);
				if (end == s)
					fail("bad seed list '%s'", optarg);
			}
			break;
		default:
			fail("usage: fuzz [-n OPS] [-t THREADS] [-s SEED,...]");
		}
	}
	CHECK(ops > 0 && threads > 0 && threads <= 64, "bad -n or -t");
	if (nseeds == 0) {
		seeds[0] = 1;
		seeds[1] = 2;
		seeds[2] = 3;
		nseeds = 3;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	require_buddymalloc();
	for (int i = 0; i < nseeds; i++) {
		run_seed(seeds[i], threads, ops);
		total += ops * threads;
	}
	printf("fuzz: %ld operations over %d seeds: ok\n", total, nseeds);
	return 0;
}
