/*
 * t_usable_classes: the usable sizes of libbuddymalloc's three paths
 * (DESIGN.md). Needs the library itself: fails unless it is preloaded.
 *
 * Proves that
 *  - every size 0..32768 comes from a slab class: usable size between
 *    max(n, 16) and 32768, no more than twice the request (+16), the same
 *    for every block of that size, never smaller for a larger request, and a
 *    class size is its own class (malloc(usable) has that usable size);
 *    32768 itself is a class;
 *  - every size 32769 .. 131071 is a page run of exactly the pages needed:
 *    usable size = size rounded up to 4096, block page-aligned;
 *  - sizes from 131072 up to 64 MiB are mapped chunks: usable size a
 *    multiple of 4096, less than a page more than asked, block page-aligned;
 *  - pvalloc's block is page-aligned and its usable size is exactly the
 *    size rounded up to whole pages (at least that for slab sizes).
 */
#include "../common.h"

static size_t usable_of(size_t n, char **keep)
{
	char *p = malloc(opaque_size(n));
	size_t u;

	CHECK(p != NULL, "malloc(%zu) returned NULL", n);
	u = malloc_usable_size(p);
	CHECK((uintptr_t)p % 16 == 0, "malloc(%zu) = %p: not 16-byte aligned",
	       n, (void *)p);
	if (keep)
		*keep = p;
	else
		free(p);
	return u;
}

static void slab_classes(void)
{
	size_t n, u, prev = 0, classes = 0;

	for (n = 0; n <= SLAB_MAX; n++) {
		char *a, *b;
		size_t ua = usable_of(n, &a), ub = usable_of(n, &b);

		u = ua;
		CHECK(ua == ub, "malloc(%zu): two blocks with usable sizes %zu "
		       "and %zu", n, ua, ub);
		CHECK(u >= n && u >= 16, "malloc(%zu): usable size %zu is "
		       "below the request or the 16-byte minimum class", n, u);
		CHECK(u <= SLAB_MAX, "malloc(%zu): usable size %zu; sizes up to "
		       "%zu come from slab classes", n, u, SLAB_MAX);
		CHECK(u <= 2 * n + 16, "malloc(%zu): usable size %zu wastes "
		       "more than half the block", n, u);
		CHECK(u >= prev, "malloc(%zu): usable size %zu, but a smaller "
		       "request got %zu", n, u, prev);
		free(a);
		free(b);
		if (u != prev) {
			size_t again = usable_of(u, NULL);

			CHECK(again == u, "class %zu (from malloc(%zu)) is not "
			       "its own class: malloc(%zu) has usable size %zu",
			       u, n, u, again);
			classes++;
		}
		prev = u;
	}
	CHECK(prev == SLAB_MAX, "malloc(%zu): usable size %zu, expected the "
	       "%zu-byte class", SLAB_MAX, prev, SLAB_MAX);
	CHECK(classes >= 8, "only %zu slab classes", classes);
}

static void page_run(size_t n)
{
	char *p;
	size_t u = usable_of(n, &p), want = (n + PAGE - 1) / PAGE * PAGE;

	CHECK(u == want, "malloc(%zu) (a page run): usable size %zu, "
	       "expected %zu (exact pages)", n, u, want);
	CHECK((uintptr_t)p % PAGE == 0, "malloc(%zu) (a page run) = %p: not "
	       "page-aligned", n, (void *)p);
	free(p);
}

static void page_runs(void)
{
	size_t k;

	for (k = SLAB_MAX / PAGE; k <= MMAP_THRESHOLD / PAGE; k++) {
		if (k > SLAB_MAX / PAGE)
			page_run(k * PAGE - 1);
		if (k > SLAB_MAX / PAGE && k < MMAP_THRESHOLD / PAGE)
			page_run(k * PAGE);
		if (k < MMAP_THRESHOLD / PAGE) {
			page_run(k * PAGE + 1);
			page_run(k * PAGE + 2000);
		}
	}
}

static void mapped_chunks(void)
{
	size_t k, d;

	for (k = 17; k <= 26; k++) {
		for (d = 0; d < 5; d++) {
			static const long delta[] = { -4097, -1, 0, 1, 4097 };
			size_t n = ((size_t)1 << k) + delta[d], u;
			char *p;

			if (n < MMAP_THRESHOLD)
				continue;
			u = usable_of(n, &p);
			CHECK(u % PAGE == 0 && u >= n && u - n < PAGE,
			       "malloc(%zu) (a mapped chunk): usable size %zu, "
			       "expected %zu", n, u,
			       (n + PAGE - 1) / PAGE * PAGE);
			CHECK((uintptr_t)p % PAGE == 0, "malloc(%zu) (a mapped "
			       "chunk) = %p: not page-aligned", n, (void *)p);
			free(p);
		}
	}
}

static void pvalloc_pages(void)
{
	static const size_t sizes[] = {
		4096, 4097, 10000, 32768, 32769, 100000, 131072, 200000, MIB + 1,
	};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], want = (n + PAGE - 1) / PAGE * PAGE;
		char *p = pvalloc(opaque_size(n));

		CHECK(p != NULL, "pvalloc(%zu) returned NULL", n);
		CHECK((uintptr_t)p % PAGE == 0, "pvalloc(%zu) = %p: not "
		       "page-aligned", n, (void *)p);
		/* a slab class may be larger than the whole pages; a page run
		 * or mapped chunk is exactly them */
		CHECK(malloc_usable_size(p) >= want &&
		       (n <= SLAB_MAX || malloc_usable_size(p) == want),
		       "pvalloc(%zu): usable size %zu, expected %s%zu", n,
		       malloc_usable_size(p), n <= SLAB_MAX ? ">= " : "", want);
		free(p);
	}
}

int main(void)
{
	watchdog(60);
	require_buddymalloc();
	slab_classes();
	page_runs();
	mapped_chunks();
	pvalloc_pages();
	return 0;
}
