/*
 * t_trim_holes: malloc_trim(0) gives back the free pages of slabs that
 * still hold live objects (holes, alloc/slab.c), and nothing is lost or
 * corrupted by it. Needs the library itself.
 *
 * 4096 objects of 1000 bytes (256 slabs of 4 pages, 16 objects each) are
 * allocated and filled; all but 1 in 16 are freed, so that nearly every
 * slab keeps one live object; malloc_trim(0). Proves that
 *  - RSS went down by at least half of what the freed objects took: pages
 *    inside slabs with a live object went back too;
 *  - the kept objects are intact, and can be freed (the slow path a slab
 *    with holes takes);
 *  - a free of an object that was freed before the trim (it lies in a hole
 *    now, where its free key reads as zero) is still a double free: the
 *    process aborts with our one line (in a child);
 *  - 4096 new objects afterwards are distinct, do not overlap the kept
 *    ones, and keep their bytes: the holes came back onto the free lists
 *    whole, each object once.
 */
#include "../common.h"

#include <malloc.h>

#define N	4096
#define SIZE	1000
#define KEEP	16

static unsigned char *obj[N], *again[N];
static void *victim;

static int double_free(void *arg)
{
	(void)arg;
	free(opaque_ptr(victim));	/* freed before the trim: in a hole now */
	return 0;		/* not reached when the library catches it */
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	static uintptr_t all[N + N / KEEP];
	struct child_result r;
	long r0, r1, r2;
	size_t n = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	require_buddymalloc();
	r0 = rss_kib();
	for (int i = 0; i < N; i++) {
		CHECK((obj[i] = malloc(opaque_size(SIZE))) != NULL);
		pattern_fill(obj[i], SIZE, pattern_seed(obj[i], 1));
	}
	r1 = rss_kib();
	for (int i = 0; i < N; i++)
		if (i % KEEP) {
			if (!victim && i > N / 2)
				victim = obj[i];
			free(obj[i]);
		}
	CHECK(malloc_trim(0) == 1);
	r2 = rss_kib();
	printf("RSS %ld KiB before, %ld with %d objects, %ld after freeing all but 1 in %d and "
	       "malloc_trim(0)\n", r0, r1, N, r2, KEEP);
	CHECK(r1 - r2 >= (long)(N * SIZE / 1024) / 2, "only %ld KiB went back", r1 - r2);
	for (int i = 0; i < N; i += KEEP)
		CHECK_PATTERN(obj[i], SIZE, pattern_seed(obj[i], 1), "a kept object");

	run_child(double_free, NULL, 10, &r);
	printf("free of an object in a hole: %s, \"%.*s\"\n", child_how(&r),
	       (int)strcspn(r.err, "\n"), r.err);
	CHECK(!r.exited && r.signo == SIGABRT, "a double free into a hole: %s", child_how(&r));
	CHECK(strstr(r.err, "double free") != NULL, "stderr: %s", r.err);

	for (int i = 0; i < N; i++) {
		CHECK((again[i] = malloc(opaque_size(SIZE))) != NULL);
		pattern_fill(again[i], SIZE, pattern_seed(again[i], 2));
		all[n++] = (uintptr_t)again[i];
	}
	for (int i = 0; i < N; i += KEEP)
		all[n++] = (uintptr_t)obj[i];
	qsort(all, n, sizeof(all[0]), cmp_ptr);
	for (size_t k = 1; k < n; k++)
		CHECK(all[k] >= all[k - 1] + SIZE, "objects %#lx and %#lx overlap",
		       (unsigned long)all[k - 1], (unsigned long)all[k]);
	for (int i = 0; i < N; i++)
		CHECK_PATTERN(again[i], SIZE, pattern_seed(again[i], 2), "a new object");
	for (int i = 0; i < N; i += KEEP) {
		CHECK_PATTERN(obj[i], SIZE, pattern_seed(obj[i], 1), "a kept object");
		free(obj[i]);
	}
	for (int i = 0; i < N; i++)
		free(again[i]);
	printf("holes given back, caught, and filled again without a duplicate\n");
	return 0;
}
