/*
 * t_tune_placement: where blocks come from, and how mmap_threshold,
 * mmap_max, chunk_cache and brk change it. Needs the library itself.
 *
 * What is observed, from outside: the program break (sbrk(0), and where the
 * heap began: start_brk in /proc/self/stat), mallinfo2's hblks / hblkhd
 * (mapped chunks), malloc_usable_size, and whether an address is still
 * mapped after free (mincore).
 *
 * Proves that
 *  - by default a 200 KiB block is a mapping of its own: outside
 *    [start_brk, sbrk(0)), hblks + 1, hblkhd + 200 KiB, usable size 200 KiB;
 *    with chunk_cache = 0 its address is unmapped as soon as it is freed (a
 *    block inside a zone section would stay mapped); a block of 128 KiB - 1
 *    is no chunk, one of exactly 128 KiB is (glibc: "at least");
 *  - mmap_threshold raised to 1 MiB: 200 KiB and 900 KiB blocks are page
 *    runs from the zones (hblks unchanged, usable size a page multiple, the
 *    block inside the break) and 1 MiB is a chunk again; lowered to 4 KiB, a
 *    5000-byte block is a chunk and a 4000-byte one is not;
 *  - mmap_max = 0: blocks of 200 KiB, 1 MiB, 4 MiB and 4 MiB + 1 come from
 *    the zones (inside the break; the last one a run of two sections, as
 *    glibc's heap would serve it); mmap_max = 2: the third of three live 200 KiB blocks comes
 *    from the zones;
 *  - brk = 0 from the start (BUDDYMALLOC_OPTIONS, in a re-executed copy of
 *    this program): the break never moves from where the heap began and no
 *    block of any size lies in the brk range;
 *  - brk = 0 set with mallopt at run time: the break stops growing (16 MiB
 *    of page runs later, sbrk(0) is where it was), and brk = 1 set again
 *    lets it grow again.
 */
#include "../common.h"
#include "tune_util.h"

static void show(const char *what, void *p, size_t n, struct mallinfo2 *before)
{
	struct mallinfo2 m = mallinfo2();

	printf("%-44s %p usable %zu in_brk %d hblks %zu -> %zu hblkhd %zu -> %zu "
	       "(break %p..%p)\n", what, p, p ? malloc_usable_size(p) : 0,
	       p ? in_brk(p, n) : -1, before->hblks, m.hblks, before->hblkhd,
	       m.hblkhd, (void *)brk_start(), sbrk(0));
	fflush(stdout);
	*before = m;
}

/* A block that must be a mapped chunk of its own. */
static void *chunk(const char *what, size_t n)
{
	struct mallinfo2 a = mallinfo2(), b;
	void *p = malloc(opaque_size(n));

	CHECK(p != NULL, "%s: malloc(%zu) failed", what, n);
	b = a;
	show(what, p, n, &b);
	CHECK(!in_brk(p, n), "%s: malloc(%zu) = %p lies in the brk range "
	       "[%p, %p): expected a mapping of its own", what, n, p,
	       (void *)brk_start(), sbrk(0));
	CHECK(b.hblks == a.hblks + 1, "%s: malloc(%zu): hblks %zu -> %zu, "
	       "expected one more mapped chunk", what, n, a.hblks, b.hblks);
	CHECK(b.hblkhd >= a.hblkhd + page_up(n) && b.hblkhd <= a.hblkhd + page_up(n) + 4 * PAGE,
	       "%s: malloc(%zu): hblkhd %zu -> %zu, expected + %zu", what, n,
	       a.hblkhd, b.hblkhd, page_up(n));
	CHECK(malloc_usable_size(p) >= n, "%s: usable size %zu < %zu", what,
	       malloc_usable_size(p), n);
	return p;
}

/* A block that must come from the zones (inside the break when brk is on). */
static void *zoned(const char *what, size_t n, int want_brk)
{
	struct mallinfo2 a = mallinfo2(), b;
	void *p = malloc(opaque_size(n));
	size_t u;

	CHECK(p != NULL, "%s: malloc(%zu) failed", what, n);
	b = a;
	show(what, p, n, &b);
	u = malloc_usable_size(p);
	CHECK(b.hblks == a.hblks, "%s: malloc(%zu) = %p: hblks %zu -> %zu, "
	       "expected no new mapped chunk", what, n, p, a.hblks, b.hblks);
	CHECK(u >= n && (n <= SLAB_MAX || u % PAGE == 0),
	       "%s: malloc(%zu) = %p: usable size %zu, expected a page run",
	       what, n, p, u);
	if (want_brk)
		CHECK(in_brk(p, n), "%s: malloc(%zu) = %p is not in the brk "
		       "range [%p, %p)", what, n, p, (void *)brk_start(), sbrk(0));
	else
		CHECK(!in_brk(p, n), "%s: malloc(%zu) = %p is in the brk range "
		       "[%p, %p) with brk off", what, n, p, (void *)brk_start(),
		       sbrk(0));
	memset(p, 0x5a, n);
	return p;
}

static void default_threshold(void)
{
	void *p, *q;
	uintptr_t addr;

	printf("-- default mmap_threshold (128 KiB)\n");
	p = chunk("200 KiB, defaults", 200 * KIB);
	CHECK(malloc_usable_size(p) == 200 * KIB, "200 KiB chunk: usable size "
	       "%zu, expected exactly 204800", malloc_usable_size(p));
	memset(p, 1, 200 * KIB);
	free(p);
	CHECK(MALLOPT(M_BUDDY_CHUNK_CACHE, 0) == 1);
	p = chunk("200 KiB, chunk_cache 0", 200 * KIB);
	memset(p, 1, 200 * KIB);
	addr = (uintptr_t)opaque_ptr(p);
	free(p);
	printf("after free: %#lx mapped %d\n", (unsigned long)addr,
	       is_mapped((void *)addr));
	CHECK(!is_mapped((void *)addr), "with chunk_cache 0 a freed 200 KiB "
	       "chunk %#lx is still mapped: it was not a mapping of its own",
	       (unsigned long)addr);
	CHECK(MALLOPT(M_BUDDY_CHUNK_CACHE, 64 << 20) == 1);

	p = zoned("128 KiB - 1, defaults", MMAP_THRESHOLD - 1, 1);
	q = chunk("128 KiB, defaults", MMAP_THRESHOLD);
	free(p);
	free(q);
}

static void raised_threshold(void)
{
	void *p, *q, *r;

	printf("-- mmap_threshold 1 MiB\n");
	CHECK(MALLOPT(M_MMAP_THRESHOLD, 1 << 20) == 1);
	p = zoned("200 KiB, threshold 1 MiB", 200 * KIB, 1);
	q = zoned("900 KiB, threshold 1 MiB", 900 * KIB, 1);
	r = chunk("1 MiB, threshold 1 MiB", MIB);
	free(p);
	free(q);
	free(r);

	printf("-- mmap_threshold 4 KiB\n");
	CHECK(MALLOPT(M_MMAP_THRESHOLD, 4096) == 1);
	p = chunk("5000 B, threshold 4 KiB", 5000);
	q = zoned("4000 B, threshold 4 KiB", 4000, 1);
	free(p);
	free(q);
	CHECK(MALLOPT(M_MMAP_THRESHOLD, 128 * 1024) == 1);
}

static void mmap_max(void)
{
	void *p[3];

	printf("-- mmap_max 0\n");
	CHECK(MALLOPT(M_MMAP_MAX, 0) == 1);
	p[0] = zoned("200 KiB, mmap_max 0", 200 * KIB, 1);
	p[1] = zoned("1 MiB, mmap_max 0", MIB, 1);
	p[2] = zoned("4 MiB, mmap_max 0", 4 * MIB, 1);
	for (int i = 0; i < 3; i++)
		free(p[i]);
	p[0] = zoned("4 MiB + 1, mmap_max 0", 4 * MIB + 1, 1);
	free(p[0]);

	printf("-- mmap_max 2\n");
	CHECK(mallinfo2().hblks == 0, "%zu mapped chunks alive, expected none",
	       mallinfo2().hblks);
	CHECK(MALLOPT(M_MMAP_MAX, 2) == 1);
	p[0] = chunk("200 KiB #1, mmap_max 2", 200 * KIB);
	p[1] = chunk("200 KiB #2, mmap_max 2", 200 * KIB);
	p[2] = zoned("200 KiB #3, mmap_max 2", 200 * KIB, 1);
	for (int i = 0; i < 3; i++)
		free(p[i]);
	CHECK(MALLOPT(M_MMAP_MAX, 65536) == 1);
}

#define NRUNS 256	/* 16 MiB of 64 KiB runs */

static void brk_at_run_time(void)
{
	static void *p[NRUNS];
	void *s0, *s1;
	int i;

	printf("-- mallopt(M_BUDDY_BRK, 0) at run time\n");
	CHECK(MALLOPT(M_BUDDY_BRK, 0) == 1);
	s0 = sbrk(0);
	for (i = 0; i < NRUNS; i++) {
		p[i] = malloc(opaque_size(64 * KIB));
		CHECK(p[i] != NULL, "malloc(64 KiB) failed with brk 0");
		memset(p[i], 1, 64 * KIB);
	}
	s1 = sbrk(0);
	printf("brk 0: 16 MiB of 64 KiB runs later the break went %p -> %p\n",
	       s0, s1);
	CHECK(s1 == s0, "with brk 0 the break moved from %p to %p", s0, s1);
	for (i = 0; i < NRUNS; i++)
		CHECK((uintptr_t)p[i] + 64 * KIB <= (uintptr_t)s0 || !in_brk(p[i], 1),
		       "run %p is above the old break %p, in the brk range", p[i], s0);
	for (i = 0; i < NRUNS; i++)
		free(p[i]);

	CHECK(MALLOPT(M_BUDDY_BRK, 1) == 1);
	s0 = sbrk(0);
	for (i = 0; i < NRUNS; i++) {
		p[i] = malloc(opaque_size(64 * KIB));
		CHECK(p[i] != NULL, "malloc(64 KiB) failed with brk 1");
		memset(p[i], 1, 64 * KIB);
	}
	s1 = sbrk(0);
	printf("brk 1 again: 16 MiB of 64 KiB runs later the break went %p -> %p\n",
	       s0, s1);
	for (i = 0; i < NRUNS; i++)
		free(p[i]);
	CHECK(s1 > s0, "mallopt(M_BUDDY_BRK, 1) returned 1 after brk 0, but "
	       "16 MiB of page runs later the break has not grown (%p -> %p): "
	       "brk stays off", s0, s1);
}

/* Runs in a copy of this program started with BUDDYMALLOC_OPTIONS=brk=0. */
static int brk_off_from_start(void)
{
	static void *p[600];
	uintptr_t start = brk_start();
	void *s0 = sbrk(0);
	size_t total = 0;
	int n = 0, bad = 0;

	printf("-- brk=0 from the start: start_brk %#lx, sbrk(0) %p\n",
	       (unsigned long)start, s0);
	CHECK((uintptr_t)s0 == start, "with BUDDYMALLOC_OPTIONS=brk=0 the "
	       "break moved before main: start_brk %#lx, sbrk(0) %p",
	       (unsigned long)start, s0);
	CHECK(mallopt(M_MMAP_THRESHOLD, 1 << 20) == 1);
	for (size_t sz = 16; n < 600; sz = sz * 5 / 4 + 16) {
		if (sz > 3 * MIB)
			sz = 16;
		p[n] = malloc(opaque_size(sz));
		CHECK(p[n] != NULL, "malloc(%zu) failed with brk=0", sz);
		memset(p[n], 3, sz);
		if (in_brk(p[n], 1)) {
			printf("block %p (%zu bytes) in the brk range\n", p[n], sz);
			bad++;
		}
		total += sz;
		n++;
	}
	printf("brk=0: %d blocks, %zu bytes, sbrk(0) now %p, %d in the brk range\n",
	       n, total, sbrk(0), bad);
	CHECK(sbrk(0) == s0, "with brk=0 the break moved from %p to %p", s0,
	       sbrk(0));
	CHECK(bad == 0, "with brk=0, %d blocks lie in the brk range", bad);
	for (int i = 0; i < n; i++)
		free(p[i]);
	return 0;
}

int main(int argc, char **argv)
{
	int wst;

	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */

	watchdog(60);
	require_buddymalloc();
	if (argc > 1 && strcmp(argv[1], "brk0") == 0)
		return brk_off_from_start();
	printf("start_brk %#lx, sbrk(0) %p\n", (unsigned long)brk_start(), sbrk(0));
	default_threshold();
	raised_threshold();
	mmap_max();
	wst = reexec("brk0", "BUDDYMALLOC_OPTIONS=brk=0");
	CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0,
	       "the brk=0 copy of this test failed (%s)", wait_how(wst));
	brk_at_run_time();
	printf("placement as expected\n");
	return 0;
}
