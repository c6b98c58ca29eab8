/*
 * t_align: memalign, posix_memalign, aligned_alloc, valloc, pvalloc.
 *
 * Proves that
 *  - for every power-of-two alignment from 1 byte to 4 MiB and sizes in every
 *    range (0, slab sizes, page runs, mapped chunks, a chunk larger than the
 *    alignment), all three functions return a block aligned to
 *    max(alignment, 16) with malloc_usable_size >= size, holding its bytes
 *    while interleaved with plain malloc blocks that are also intact;
 *  - alignments from 8 MiB to 256 MiB give an aligned block or NULL with
 *    ENOMEM or EINVAL, never a misaligned block;
 *  - an aligned block can be reallocated (grown and shrunk) keeping its data
 *    and freed with free();
 *  - posix_memalign returns EINVAL for 0 and for alignments that are not a
 *    power-of-two multiple of sizeof(void *), leaving *memptr untouched;
 *  - memalign(0, n) behaves like malloc(n);
 *  - valloc gives page-aligned blocks; pvalloc gives page-aligned blocks whose
 *    usable size covers the size rounded up to whole pages, all writable.
 */
#include "../common.h"

#define MAX_ALIGN_SHIFT 22	/* 4 MiB */

static const size_t sizes[] = {
	0, 1, 8, 16, 17, 100, 1000, 4095, 4096, 4097, 32767, 32768, 32769,
	65537, 131071, 131072, 131073, MIB + 3, 5 * MIB,
};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

enum fn { MEMALIGN, POSIX_MEMALIGN, ALIGNED_ALLOC, NFN };
static const char *const fn_name[NFN] = {
	"memalign", "posix_memalign", "aligned_alloc",
};

struct blk {
	char *p;
	size_t n;
	uint64_t seed;
	const char *what;
	size_t align;
};

static struct blk live[2 * NSIZES + 8];
static size_t nlive;

static void *aligned(enum fn f, size_t a, size_t n)
{
	void *p = NULL;
	int rc;

	errno = 0;
	switch (f) {
	case MEMALIGN:
		p = memalign(opaque_size(a), opaque_size(n));
		break;
	case ALIGNED_ALLOC:
		p = aligned_alloc(opaque_size(a), opaque_size(n));
		break;
	case POSIX_MEMALIGN:
		rc = posix_memalign(&p, opaque_size(a), opaque_size(n));
		CHECK(rc == 0, "posix_memalign(align %zu, %zu) = %d", a, n, rc);
		break;
	default:
		break;
	}
	CHECK(p != NULL, "%s(align %zu, size %zu) returned NULL (errno %d)",
	       fn_name[f], a, n, errno);
	return p;
}

static void keep(void *p, size_t n, size_t align, const char *what)
{
	struct blk *b = &live[nlive++];
	size_t need = align > 16 ? align : 16;

	CHECK((uintptr_t)p % need == 0, "%s(align %zu, size %zu) = %p: not "
	       "aligned to %zu", what, align, n, p, need);
	CHECK(malloc_usable_size(p) >= n, "%s(align %zu, size %zu): "
	       "malloc_usable_size = %zu", what, align, n,
	       malloc_usable_size(p));
	b->p = p;
	b->n = n;
	b->align = align;
	b->what = what;
	b->seed = pattern_seed(p, n * 31 + align);
	pattern_fill(p, n, b->seed);
}

static void check_all_and_free(void)
{
	size_t i, j;

	for (i = 0; i < nlive; i++)
		for (j = 0; j < nlive; j++)
			if (i != j && live[i].p <= live[j].p &&
			    live[i].p + (live[i].n ? live[i].n : 1) > live[j].p)
				fail("%s(align %zu, %zu) = %p overlaps %s(align "
				     "%zu, %zu) = %p", live[i].what,
				     live[i].align, live[i].n,
				     (void *)live[i].p, live[j].what,
				     live[j].align, live[j].n,
				     (void *)live[j].p);
	for (i = 0; i < nlive; i++) {
		CHECK_PATTERN(live[i].p, live[i].n, live[i].seed, live[i].what);
		free(live[i].p);
	}
	nlive = 0;
}

static void every_alignment(struct rng *r)
{
	unsigned shift, s;
	enum fn f;

	for (shift = 0; shift <= MAX_ALIGN_SHIFT; shift++) {
		size_t a = (size_t)1 << shift;

		for (f = 0; f < NFN; f++) {
			if (f == POSIX_MEMALIGN && a < sizeof(void *))
				continue;	/* EINVAL, checked below */
			for (s = 0; s < NSIZES; s++) {
				size_t filler = rng_range(r, 1, 3000);

				keep(aligned(f, a, sizes[s]), sizes[s], a,
				     fn_name[f]);
				keep(malloc(filler), filler, 1, "malloc filler");
			}
			check_all_and_free();
		}
	}
}

/* realloc of an aligned block keeps its data, over all three paths. */
static void realloc_aligned(void)
{
	static const size_t steps[] = { 40000, 100, 300000, 5000, 64 };
	unsigned shift, i;

	for (shift = 4; shift <= MAX_ALIGN_SHIFT; shift += 3) {
		size_t a = (size_t)1 << shift, n = 1000;
		char *p = aligned(MEMALIGN, a, n);
		uint64_t seed = 1234 + shift;

		pattern_fill(p, n, seed);
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			size_t m = steps[i];
			char *q = realloc(p, opaque_size(m));

			CHECK(q != NULL, "realloc(memalign(%zu) block, %zu) "
			       "failed", a, m);
			CHECK_PATTERN(q, n < m ? n : m, seed,
				      "realloc of an aligned block");
			pattern_fill(q, m, seed);
			p = q;
			n = m;
		}
		free(p);
	}
}

/* Beyond 4 MiB nothing is promised but a correct answer: a block aligned as
 * asked, or NULL with ENOMEM / EINVAL. */
static void beyond_max(void)
{
	static const size_t sizes2[] = { 1, 100000, MIB };
	unsigned shift, s;
	enum fn f;

	for (shift = MAX_ALIGN_SHIFT + 1; shift <= 28; shift++) {
		size_t a = (size_t)1 << shift;

		for (f = 0; f < NFN; f++) {
			for (s = 0; s < 3; s++) {
				size_t n = sizes2[s];
				void *p = NULL;
				int rc = 0;

				errno = 0;
				if (f == MEMALIGN)
					p = memalign(opaque_size(a), n);
				else if (f == ALIGNED_ALLOC)
					p = aligned_alloc(opaque_size(a), n);
				else
					rc = posix_memalign(&p, opaque_size(a), n);
				if (!p) {
					if (f == POSIX_MEMALIGN)
						errno = rc;
					CHECK(errno == ENOMEM || errno == EINVAL,
					       "%s(align %zu, %zu) failed with "
					       "error %d", fn_name[f], a, n, errno);
					continue;
				}
				keep(p, n, a, fn_name[f]);
				check_all_and_free();
			}
		}
	}
}

static void posix_memalign_einval(void)
{
	static const size_t bad[] = {
		0, 1, 2, 4, 12, 24, 40, 48, 96, 4096 + 8, 3 * 4096,
		((size_t)1 << 20) + 16,
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *mark = (void *)0x5a5a5a5a, *p = mark;
		int rc = posix_memalign(&p, opaque_size(bad[i]), 100);

		CHECK(rc == EINVAL, "posix_memalign(align %zu) = %d, expected "
		       "EINVAL", bad[i], rc);
		CHECK(p == mark, "posix_memalign(align %zu) failed but changed "
		       "*memptr to %p", bad[i], p);
	}
}

static void memalign_zero(void)
{
	unsigned s;

	for (s = 0; s < NSIZES; s++) {
		char *p = memalign(opaque_size(0), opaque_size(sizes[s]));

		CHECK(p != NULL, "memalign(0, %zu) returned NULL", sizes[s]);
		keep(p, sizes[s], 0, "memalign(0, n)");
	}
	check_all_and_free();
}

static void valloc_pvalloc(void)
{
	size_t ps = sysconf(_SC_PAGESIZE);
	unsigned s;

	CHECK(ps == PAGE);
	for (s = 0; s < NSIZES; s++) {
		size_t n = sizes[s], whole = (n + ps - 1) / ps * ps;
		char *p = valloc(opaque_size(n));

		CHECK(p != NULL, "valloc(%zu) returned NULL", n);
		keep(p, n, ps, "valloc");
		p = pvalloc(opaque_size(n));
		CHECK(p != NULL, "pvalloc(%zu) returned NULL", n);
		CHECK(malloc_usable_size(p) >= whole, "pvalloc(%zu): usable "
		       "size %zu < %zu (whole pages)", n, malloc_usable_size(p),
		       whole);
		keep(p, whole, ps, "pvalloc");
	}
	check_all_and_free();
}

int main(void)
{
	struct rng r;

	watchdog(60);
	rng_seed(&r, 2);
	every_alignment(&r);
	realloc_aligned();
	beyond_max();
	posix_memalign_einval();
	memalign_zero();
	valloc_pvalloc();
	return 0;
}
