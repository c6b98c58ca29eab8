/*
 * t_errors: requests that cannot be satisfied.
 *
 * Proves that
 *  - every function returns NULL with errno ENOMEM (posix_memalign: returns
 *    ENOMEM, *memptr untouched) for requests too large to satisfy: SIZE_MAX,
 *    PTRDIFF_MAX + 1, sizes whose rounding to a slot, page or section would
 *    wrap around, calloc and reallocarray products that overflow, pvalloc
 *    sizes whose page rounding wraps, huge alignments;
 *  - a failed realloc / reallocarray leaves the original block (slab, page
 *    run, mapped chunk) untouched and still usable;
 *  - when the system refuses memory (RLIMIT_AS lowered, in a forked child),
 *    malloc, calloc, realloc, memalign and posix_memalign return NULL / ENOMEM
 *    and never crash, for sizes on every path; blocks obtained before the
 *    failure stay intact; after everything is freed, allocation on every path
 *    works again and as much memory can be allocated again.
 */
#include "../common.h"

#include <stddef.h>
#include <sys/mman.h>

static const size_t huge[] = {
	SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 15, SIZE_MAX - 16, SIZE_MAX - 4095,
	SIZE_MAX - 4096, SIZE_MAX - 4 * MIB, (size_t)PTRDIFF_MAX + 1,
	(size_t)PTRDIFF_MAX, (size_t)PTRDIFF_MAX - 4095,
};
#define NHUGE (sizeof(huge) / sizeof(huge[0]))

#define EXPECT_ENOMEM(call, desc, arg)					\
	do {								\
		void *ee_p_;						\
		errno = 0;						\
		ee_p_ = (call);						\
		CHECK(ee_p_ == NULL, "%s(%#zx) returned %p, expected "	\
		       "NULL", (desc), (size_t)(arg), ee_p_);		\
		CHECK(errno == ENOMEM, "%s(%#zx) returned NULL but "	\
		       "errno is %d, expected ENOMEM", (desc),		\
		       (size_t)(arg), errno);				\
	} while (0)

static void too_large(void)
{
	size_t i, a;

	for (i = 0; i < NHUGE; i++) {
		size_t n = opaque_size(huge[i]);
		void *mark = (void *)0x5a5a5a5a, *p = mark;
		int rc;

		EXPECT_ENOMEM(malloc(n), "malloc", n);
		EXPECT_ENOMEM(calloc(1, n), "calloc(1, n)", n);
		EXPECT_ENOMEM(calloc(n, 1), "calloc(n, 1)", n);
		EXPECT_ENOMEM(realloc(NULL, n), "realloc(NULL, n)", n);
		EXPECT_ENOMEM(valloc(n), "valloc", n);
		EXPECT_ENOMEM(pvalloc(n), "pvalloc", n);
		for (a = 1; a <= 4 * MIB; a <<= 3) {
			EXPECT_ENOMEM(memalign(opaque_size(a), n),
				      "memalign(a, n)", n);
			EXPECT_ENOMEM(aligned_alloc(opaque_size(a), n),
				      "aligned_alloc(a, n)", n);
			if (a < sizeof(void *))
				continue;
			rc = posix_memalign(&p, opaque_size(a), n);
			CHECK(rc == ENOMEM && p == mark, "posix_memalign(%zu, "
			       "%#zx) = %d, memptr %p; expected ENOMEM, "
			       "untouched", a, n, rc, p);
		}
	}
	/* pvalloc rounds up to pages: these wrap around to 0 */
	EXPECT_ENOMEM(pvalloc(opaque_size(SIZE_MAX - 10)), "pvalloc",
		      SIZE_MAX - 10);
	EXPECT_ENOMEM(pvalloc(opaque_size(SIZE_MAX - 4094)), "pvalloc",
		      SIZE_MAX - 4094);
}

static void calloc_overflow(void)
{
	static const size_t pairs[][2] = {
		{ SIZE_MAX / 2 + 1, 2 }, { 2, SIZE_MAX / 2 + 1 },
		{ (size_t)1 << 32, (size_t)1 << 32 }, { SIZE_MAX, SIZE_MAX },
		{ (size_t)1 << 33, ((size_t)1 << 31) + 1 },
		{ SIZE_MAX / 3 + 1, 3 }, { 65537, SIZE_MAX / 65536 },
		{ (size_t)PTRDIFF_MAX / 2 + 1, 2 },	/* no wrap, too large */
	};
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		void *p;

		errno = 0;
		p = calloc(opaque_size(pairs[i][0]), opaque_size(pairs[i][1]));
		CHECK(p == NULL && errno == ENOMEM, "calloc(%#zx, %#zx) = %p, "
		       "errno %d; expected NULL, ENOMEM", pairs[i][0],
		       pairs[i][1], p, errno);
	}
}

static void huge_alignment(void)
{
	static const size_t aligns[] = {
		(size_t)1 << 62, (size_t)1 << 63,
	};
	size_t i;

	for (i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		size_t a = opaque_size(aligns[i]);
		void *mark = (void *)0x5a5a5a5a, *p;
		int rc;

		errno = 0;
		p = memalign(a, 1);
		CHECK(p == NULL && (errno == ENOMEM || errno == EINVAL),
		       "memalign(%#zx, 1) = %p errno %d", a, p, errno);
		errno = 0;
		p = aligned_alloc(a, 1);
		CHECK(p == NULL && (errno == ENOMEM || errno == EINVAL),
		       "aligned_alloc(%#zx, 1) = %p errno %d", a, p, errno);
		p = mark;
		rc = posix_memalign(&p, a, 1);
		CHECK((rc == ENOMEM || rc == EINVAL) && p == mark,
		       "posix_memalign(%#zx, 1) = %d memptr %p", a, rc, p);
	}
}

/* realloc / reallocarray failures leave the block as it was. */
static void failed_resize_keeps_block(void)
{
	static const size_t sizes[] = { 100, 32768, 50000, 131072, 3 * MIB };
	size_t i, k;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		char *p = malloc(opaque_size(n)), *q;

		CHECK(p != NULL);
		pattern_fill(p, n, n);
		for (k = 0; k < NHUGE; k++) {
			errno = 0;
			q = realloc(p, opaque_size(huge[k]));
			CHECK(q == NULL && errno == ENOMEM, "realloc(%zu-byte "
			       "block, %#zx) = %p errno %d; expected NULL, "
			       "ENOMEM", n, huge[k], (void *)q, errno);
			CHECK_PATTERN(p, n, n, "block after failed realloc");
		}
		errno = 0;
		q = reallocarray(p, opaque_size(SIZE_MAX / 4), 5);
		CHECK(q == NULL && errno == ENOMEM, "reallocarray overflow on "
		       "a %zu-byte block = %p errno %d", n, (void *)q, errno);
		errno = 0;
		q = reallocarray(p, opaque_size((size_t)1 << 40),
				 opaque_size((size_t)1 << 40));
		CHECK(q == NULL && errno == ENOMEM, "reallocarray(2^40, 2^40) "
		       "on a %zu-byte block = %p errno %d", n, (void *)q, errno);
		CHECK_PATTERN(p, n, n, "block after failed reallocarray");
		CHECK(malloc_usable_size(p) >= n);
		/* still a normal block: it can grow and be freed */
		q = realloc(p, opaque_size(n + 1000));
		CHECK(q != NULL);
		CHECK_PATTERN(q, n, n, "block grown after failed realloc");
		free(q);
	}
}

/* ---- RLIMIT_AS ---------------------------------------------------------- */

#define HEADROOM (64 * MIB)
#define MAXPTRS (HEADROOM / 16 + 65536)

static char **ptrs;	/* mmap'd before the limit is lowered */

static void lower_limit(void)
{
	struct rlimit rl;

	CHECK(getrlimit(RLIMIT_AS, &rl) == 0);
	rl.rlim_cur = (rlim_t)vm_kib() * 1024 + HEADROOM;
	CHECK(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit(RLIMIT_AS): %s",
	       strerror(errno));
}

static void *get_one(int how, size_t n)
{
	void *p = NULL;

	switch (how) {
	case 0:
		return malloc(opaque_size(n));
	case 1:
		return calloc(1, opaque_size(n));
	case 2:
		return memalign(opaque_size(4096), opaque_size(n));
	default:
		errno = posix_memalign(&p, opaque_size(64), opaque_size(n));
		return p;
	}
}

static const char *const how_name[] = {
	"malloc", "calloc", "memalign", "posix_memalign",
};

/* Allocate n-byte blocks until the limit refuses; returns how many. */
static size_t exhaust(int how, size_t n)
{
	size_t count = 0;

	for (;;) {
		char *p;

		CHECK(count < MAXPTRS, "%s(%zu): %zu blocks and still no "
		       "failure under RLIMIT_AS", how_name[how], n, count);
		errno = 0;
		p = get_one(how, n);
		if (!p)
			break;
		/* first and last 8 bytes: an index, checked when freed */
		memcpy(p, &count, sizeof(count));
		memcpy(p + n - sizeof(count), &count, sizeof(count));
		ptrs[count++] = p;
	}
	CHECK(errno == ENOMEM, "%s(%zu) returned NULL under RLIMIT_AS with "
	       "errno %d, expected ENOMEM", how_name[how], n, errno);
	/* memalign(4096, n) spends a page per block at least */
	CHECK(count * (how == 2 && n < 4096 ? 4096 : n) >= HEADROOM / 4,
	       "%s(%zu) failed after only %zu "
	       "blocks (%zu KiB) of %zu KiB headroom (vm %ld KiB)", how_name[how], n,
	       count, count * n / 1024, HEADROOM / 1024, vm_kib());
	return count;
}

static void release(size_t count, size_t n)
{
	size_t i, a, b;

	for (i = 0; i < count; i++) {
		memcpy(&a, ptrs[i], sizeof(a));
		memcpy(&b, ptrs[i] + n - sizeof(b), sizeof(b));
		CHECK(a == i && b == i, "block %zu (%p, %zu bytes) corrupted "
		       "after allocation failures: %zu / %zu", i,
		       (void *)ptrs[i], n, a, b);
		free(ptrs[i]);
	}
}

/* While memory is exhausted: nothing crashes, failures say ENOMEM, and a
 * successful call (a freed slot may remain) gives a usable block. */
static void poke_while_exhausted(size_t count, size_t n)
{
	static const size_t try[] = { 16, 1000, 40000, 200000, 8 * MIB };
	size_t i;
	int how;
	char *q;

	for (i = 0; i < sizeof(try) / sizeof(try[0]); i++) {
		for (how = 0; how < 4; how++) {
			errno = 0;
			q = get_one(how, try[i]);
			if (!q) {
				CHECK(errno == ENOMEM, "%s(%zu) while memory is "
				       "exhausted: NULL with errno %d",
				       how_name[how], try[i], errno);
				continue;
			}
			pattern_fill(q, try[i], 3);
			CHECK_PATTERN(q, try[i], 3, "block got while exhausted");
			free(q);
		}
	}
	/* growing a block far beyond what is left must fail cleanly */
	errno = 0;
	q = realloc(ptrs[count / 2], opaque_size(2 * HEADROOM));
	CHECK(q == NULL && errno == ENOMEM, "realloc(%zu-byte block, %zu) "
	       "while exhausted = %p errno %d", n, 2 * HEADROOM, (void *)q,
	       errno);
}

/* After everything is freed, each path works again. */
static void works_again(const char *after)
{
	static const size_t sizes[] = { 16, 1000, 40000, 100000, MIB, 8 * MIB };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *p = malloc(opaque_size(sizes[i]));

		CHECK(p != NULL, "malloc(%zu) fails (errno %d) after all "
		       "blocks of the %s round were freed", sizes[i], errno,
		       after);
		pattern_fill(p, sizes[i], 9);
		CHECK_PATTERN(p, sizes[i], 9, "block after recovery");
		free(p);
	}
}

/* Growing one block by realloc until refused: the block survives. */
static void grow_until_refused(void)
{
	size_t n = 4096;
	char *p = malloc(n), *q;

	CHECK(p != NULL);
	pattern_fill(p, n, 1);
	for (;;) {
		errno = 0;
		q = realloc(p, opaque_size(n * 2));
		if (!q)
			break;
		CHECK_PATTERN(q, n, 1, "realloc growth under RLIMIT_AS");
		p = q;
		n *= 2;
		pattern_fill(p, n, 1);
	}
	CHECK(errno == ENOMEM, "realloc growth refused with errno %d", errno);
	CHECK(n >= HEADROOM / 8, "realloc growth refused at only %zu bytes", n);
	CHECK_PATTERN(p, n, 1, "block whose growth was refused");
	free(p);
}

static int rlimit_child(void *arg)
{
	static const size_t sizes[] = { 4 * MIB, MIB, 200000, 65536, 40000,
					1000, 100, 16 };
	size_t i, count, again;
	int how;

	(void)arg;
	/* glibc moves its mmap threshold up after freeing mapped chunks, then
	 * serves them from heap extensions it never trims, and cannot get the
	 * memory again; pinning the threshold at its default (which is also
	 * ours) keeps every size on the path DESIGN.md gives it */
	mallopt(M_MMAP_THRESHOLD, (int)MMAP_THRESHOLD);
	ptrs = mmap(NULL, MAXPTRS * sizeof(char *), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ptrs != MAP_FAILED);
	memset(ptrs, 0, MAXPTRS * sizeof(char *));	/* no faults later */
	lower_limit();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (how = 0; how < 4; how++) {
			/* the slowest rounds are the smallest sizes */
			if (sizes[i] < 1000 && how != 0)
				continue;
			count = exhaust(how, sizes[i]);
			poke_while_exhausted(count, sizes[i]);
			release(count, sizes[i]);
			works_again(how_name[how]);
			/* the same memory can be had again */
			again = exhaust(how, sizes[i]);
			CHECK(again >= count - count / 8, "%s(%zu): %zu blocks "
			       "the first time, only %zu after freeing them",
			       how_name[how], sizes[i], count, again);
			release(again, sizes[i]);
		}
	}
	grow_until_refused();
	works_again("realloc");
	return 0;
}

static void out_of_memory(void)
{
	struct child_result r;

	run_child(rlimit_child, NULL, 60, &r);
	CHECK(r.exited && r.status == 0, "RLIMIT_AS child: %s; %s",
	       child_how(&r), r.err_len ? r.err : "(no message)");
}

int main(void)
{
	watchdog(120);
	too_large();
	calloc_overflow();
	huge_alignment();
	failed_resize_keeps_block();
	out_of_memory();
	return 0;
}
