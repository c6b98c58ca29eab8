/*
 * t_tune_mallopt: what mallopt returns, for every tunable of alloc/options.h
 * (glibc's parameter numbers and ours from include/buddymalloc.h). Needs the
 * library itself: our parameters are numbers glibc does not know.
 *
 * Proves that
 *  - glibc's parameters return 1 for values glibc accepts: M_MMAP_THRESHOLD,
 *    M_TRIM_THRESHOLD (also -1, "never"), M_TOP_PAD, M_MMAP_MAX (also 0),
 *    M_PERTURB, M_CHECK_ACTION, M_ARENA_TEST, M_ARENA_MAX, M_MXFAST up to
 *    160 (and 0 for M_MXFAST 161 or -1, as glibc);
 *  - each of our parameters (1001..1010) returns 1 at both ends of its range
 *    and 0 just outside it, and 0 for a negative value (other than -1 for
 *    the byte-sized knobs, where -1 means "never/unlimited");
 *  - an unknown parameter number (0, 2, -9, 999, 1000, 1099, 12345) is
 *    ignored and returns 1, as glibc's mallopt does (issue 12);
 *  - a refused value changes nothing: after mallopt(M_BUDDY_CHUNK_CACHE, 0)
 *    and a refused (..., -2), a freed 200 KiB chunk is unmapped at once (the
 *    cache is still off); after mallopt(M_BUDDY_PCP_BATCH, 0) returns 0,
 *    allocation still works.
 * Out-of-range values of glibc's own parameters are compared with glibc's
 * answers in tests/check/mallopt_glibc.sh, not here.
 * Every call and its result is printed.
 */
#include "../common.h"
#include "tune_util.h"

static int failures;

static void expect(const char *name, int param, int value, int want)
{
	int r = my_mallopt(name, param, value);

	if (r != want) {
		fprintf(stderr, "FAIL: mallopt(%s = %d, %d) returned %d, "
			"expected %d\n", name, param, value, r, want);
		failures++;
	}
}
#define EXPECT(param, value, want) expect(#param, param, value, want)

int main(void)
{
	struct mallinfo2 a, b;
	uintptr_t addr;
	void *p;

	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */

	require_buddymalloc();

	/* glibc's parameters, glibc's answers (values restored afterwards) */
	EXPECT(M_MMAP_THRESHOLD, 0, 1);
	EXPECT(M_MMAP_THRESHOLD, 256 * 1024, 1);
	EXPECT(M_MMAP_THRESHOLD, 32 * 1024 * 1024, 1);
	EXPECT(M_MMAP_THRESHOLD, 128 * 1024, 1);
	EXPECT(M_TRIM_THRESHOLD, -1, 1);
	EXPECT(M_TRIM_THRESHOLD, 0, 1);
	EXPECT(M_TRIM_THRESHOLD, 0x7fffffff, 1);
	EXPECT(M_TRIM_THRESHOLD, 128 * 1024, 1);
	EXPECT(M_TOP_PAD, 0, 1);
	EXPECT(M_TOP_PAD, 64 * 1024 * 1024, 1);
	EXPECT(M_TOP_PAD, 128 * 1024, 1);
	EXPECT(M_MMAP_MAX, 0, 1);
	EXPECT(M_MMAP_MAX, 0x7fffffff, 1);
	EXPECT(M_MMAP_MAX, 65536, 1);
	EXPECT(M_PERTURB, 0xa5, 1);
	EXPECT(M_PERTURB, 255, 1);
	EXPECT(M_PERTURB, 0, 1);
	EXPECT(M_CHECK_ACTION, 0, 1);
	EXPECT(M_CHECK_ACTION, 1, 1);
	EXPECT(M_CHECK_ACTION, 3, 1);	/* glibc's default: print and abort */
	EXPECT(M_ARENA_TEST, 1, 1);
	EXPECT(M_ARENA_TEST, 8, 1);
	EXPECT(M_ARENA_MAX, 1, 1);
	EXPECT(M_ARENA_MAX, 8, 1);
	EXPECT(M_ARENA_MAX, 0, 1);
	EXPECT(M_MXFAST, 0, 1);
	EXPECT(M_MXFAST, 160, 1);
	EXPECT(M_MXFAST, 64, 1);
	EXPECT(M_MXFAST, 161, 0);	/* glibc: above MAX_FAST_SIZE */
	EXPECT(M_MXFAST, -1, 0);

	/* ours: both ends of each range, and just outside */
	EXPECT(M_BUDDY_PCP_HIGH, 0, 1);
	EXPECT(M_BUDDY_PCP_HIGH, 1 << 20, 1);
	EXPECT(M_BUDDY_PCP_HIGH, (1 << 20) + 1, 0);
	EXPECT(M_BUDDY_PCP_HIGH, -1, 0);
	EXPECT(M_BUDDY_PCP_HIGH, 256, 1);
	EXPECT(M_BUDDY_PCP_BATCH, 0, 0);
	EXPECT(M_BUDDY_PCP_BATCH, 1, 1);
	EXPECT(M_BUDDY_PCP_BATCH, 1 << 16, 1);
	EXPECT(M_BUDDY_PCP_BATCH, (1 << 16) + 1, 0);
	EXPECT(M_BUDDY_PCP_BATCH, 64, 1);
	EXPECT(M_BUDDY_WMARK_MIN, 0, 1);
	EXPECT(M_BUDDY_WMARK_MIN, 0x7fffffff, 1);
	EXPECT(M_BUDDY_WMARK_MIN, -2, 0);
	EXPECT(M_BUDDY_WMARK_MIN, 1 << 20, 1);
	EXPECT(M_BUDDY_WMARK_LOW, 0, 1);
	EXPECT(M_BUDDY_WMARK_LOW, -2, 0);
	EXPECT(M_BUDDY_WMARK_LOW, 8 << 20, 1);
	EXPECT(M_BUDDY_WMARK_HIGH, -1, 1);	/* never */
	EXPECT(M_BUDDY_WMARK_HIGH, -2, 0);
	EXPECT(M_BUDDY_WMARK_HIGH, 16 << 20, 1);
	EXPECT(M_BUDDY_SLAB_RESERVE, 0, 1);
	EXPECT(M_BUDDY_SLAB_RESERVE, 64, 1);
	EXPECT(M_BUDDY_SLAB_RESERVE, 65, 0);
	EXPECT(M_BUDDY_SLAB_RESERVE, -1, 0);
	EXPECT(M_BUDDY_SLAB_RESERVE, 1, 1);
	EXPECT(M_BUDDY_BRK, 2, 0);
	EXPECT(M_BUDDY_BRK, -1, 0);
	EXPECT(M_BUDDY_BRK, 1, 1);
	EXPECT(M_BUDDY_INVALID_FREE, 1, 1);
	EXPECT(M_BUDDY_INVALID_FREE, 2, 0);
	EXPECT(M_BUDDY_INVALID_FREE, -1, 0);
	EXPECT(M_BUDDY_INVALID_FREE, 0, 1);
	EXPECT(M_BUDDY_DECAY_MS, 0, 1);
	EXPECT(M_BUDDY_DECAY_MS, 3600000, 1);
	EXPECT(M_BUDDY_DECAY_MS, 3600001, 0);
	EXPECT(M_BUDDY_DECAY_MS, -1, 0);
	EXPECT(M_BUDDY_DECAY_MS, 2000, 1);
	EXPECT(M_BUDDY_CHUNK_CACHE, 0, 1);
	EXPECT(M_BUDDY_CHUNK_CACHE, -2, 0);
	EXPECT(M_BUDDY_CHUNK_CACHE, 64 << 20, 1);

	/* unknown numbers */
	EXPECT(0, 1, 1);
	EXPECT(2, 1, 1);
	EXPECT(-9, 1, 1);
	EXPECT(999, 1, 1);
	EXPECT(1000, 1, 1);
	EXPECT(1099, 1, 1);
	EXPECT(12345, 1, 1);

	/* a refused value leaves the old one: chunk_cache stays 0, so a freed
	 * chunk is unmapped at once */
	EXPECT(M_BUDDY_CHUNK_CACHE, 0, 1);
	EXPECT(M_BUDDY_CHUNK_CACHE, -2, 0);
	a = mallinfo2();
	p = malloc(opaque_size(200 * KIB));
	CHECK(p != NULL, "malloc(200 KiB) failed");
	b = mallinfo2();
	addr = (uintptr_t)opaque_ptr(p);
	free(p);
	printf("after a refused M_BUDDY_CHUNK_CACHE of -2: malloc(200 KiB) = "
	       "%#lx, hblks %zu -> %zu, mapped after free: %d\n",
	       (unsigned long)addr, a.hblks, b.hblks, is_mapped((void *)addr));
	if (b.hblks != a.hblks + 1 || is_mapped((void *)addr)) {
		fprintf(stderr, "FAIL: after mallopt(M_BUDDY_CHUNK_CACHE, 0) and a "
			"refused (..., -2), a freed 200 KiB chunk is still mapped "
			"(or was no chunk: hblks %zu -> %zu)\n", a.hblks, b.hblks);
		failures++;
	}
	EXPECT(M_BUDDY_CHUNK_CACHE, 64 << 20, 1);
	EXPECT(M_BUDDY_PCP_BATCH, 0, 0);
	for (int i = 0; i < 2000; i++) {
		void *q = malloc(opaque_size(64 + i % 4000));
		CHECK(q != NULL, "malloc failed after a refused pcp_batch of 0");
		free(q);
	}

	if (failures)
		fail("%d mallopt calls did not return what they should (see above)",
		     failures);
	printf("all mallopt results as expected\n");
	return 0;
}
