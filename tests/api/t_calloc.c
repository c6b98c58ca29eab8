/*
 * t_calloc: calloc returns zeroed memory, also when it reuses freed blocks.
 *
 * Proves that
 *  - calloc(0, n), calloc(n, 0) and calloc(0, 0) return distinct non-NULL
 *    pointers;
 *  - for sizes on all three paths (slab, page runs, mapped chunks), after
 *    blocks of that size were dirtied over their whole usable size and freed,
 *    calloc of the same size (as 1 x n, n x 1 and n/8 x 8) returns blocks whose
 *    n bytes are all zero, round after round;
 *  - the same holds when the freed memory was dirtied through a different
 *    size of the same class, when blocks were shrunk by realloc before being
 *    freed (dirty tails), and after enough freeing (32 MiB of page runs) that
 *    the library gives memory back to the system and takes it again;
 *  - calloc'd blocks are 16-byte aligned and their usable size is >= n.
 */
#include "../common.h"

static char *zcalloc(size_t nmemb, size_t size)
{
	size_t n = nmemb * size, bad;
	char *p = calloc(opaque_size(nmemb), opaque_size(size));

	CHECK(p != NULL, "calloc(%zu, %zu) returned NULL (errno %d)", nmemb,
	       size, errno);
	CHECK((uintptr_t)p % 16 == 0, "calloc(%zu, %zu) = %p: not 16-byte "
	       "aligned", nmemb, size, (void *)p);
	CHECK(malloc_usable_size(p) >= n, "calloc(%zu, %zu): usable size %zu",
	       nmemb, size, malloc_usable_size(p));
	bad = nonzero_at(p, n);
	CHECK(bad == SIZE_MAX, "calloc(%zu, %zu) = %p: byte %zu is 0x%02x, "
	       "not zero", nmemb, size, (void *)p, bad,
	       (unsigned char)p[bad == SIZE_MAX ? 0 : bad]);
	return p;
}

static void dirty(char *p)
{
	memset(p, 0xa5, malloc_usable_size(p));
}

static void zero_counts(void)
{
	char *a = zcalloc(0, 10), *b = zcalloc(10, 0), *c = zcalloc(0, 0);

	CHECK(a != b && b != c && a != c, "calloc with a zero count: "
	       "pointers not distinct: %p %p %p", (void *)a, (void *)b,
	       (void *)c);
	free(a);
	free(b);
	free(c);
}

/*
 * count blocks of n bytes (malloc'd with dirty_n), dirtied and freed, then
 * calloc'd back in three shapes, rounds times.
 */
static void reuse(size_t dirty_n, size_t n, size_t count, unsigned rounds)
{
	static char *p[1024];
	size_t i;
	unsigned r;

	CHECK(count <= 1024);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < count; i++) {
			p[i] = malloc(opaque_size(dirty_n));
			CHECK(p[i] != NULL, "malloc(%zu) failed", dirty_n);
			dirty(p[i]);
		}
		for (i = 0; i < count; i++)
			free(p[i]);
		for (i = 0; i < count; i++) {
			switch ((i + r) % 3) {
			case 0:
				p[i] = zcalloc(1, n);
				break;
			case 1:
				p[i] = zcalloc(n, 1);
				break;
			default:
				p[i] = n % 8 ? zcalloc(1, n) : zcalloc(n / 8, 8);
				break;
			}
			dirty(p[i]);	/* the next round's calloc must clean */
		}
		for (i = 0; i < count; i++)
			free(p[i]);
	}
}

static void reuse_all_paths(void)
{
	static const size_t sizes[] = {
		1, 16, 24, 100, 1000, 4096, 10000, 32768,	/* slab */
		32769, 65536, 100000, 131071,			/* pages */
		131072, 200000, MIB, 4 * MIB + 5,		/* mapped */
	};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], count = 16 * MIB / n;

		if (count > 256)
			count = 256;
		if (count < 4)
			count = 4;
		reuse(n, n, count, n > MIB ? 5 : 20);
	}
	/* dirtied through the neighbouring sizes, calloc'd in between */
	reuse(17, 32, 256, 10);
	reuse(32, 17, 256, 10);
	reuse(40000, 36000, 64, 10);
	reuse(36000, 40000, 64, 10);
	reuse(300000, 260000, 16, 10);
	reuse(260000, 300000, 16, 10);
	/* 32 MiB of page runs: enough to cross any watermark */
	reuse(65536, 65536, 512, 4);
}

/* Blocks shrunk by realloc leave dirty tails behind; calloc must not care. */
static void shrunk_tails(void)
{
	static const size_t big[] = { 32768, 120000, MIB, 8 * MIB };
	static const size_t small[] = { 100, 40000, 150000, 2 * MIB };
	unsigned i, r;

	for (r = 0; r < 10; r++) {
		for (i = 0; i < 4; i++) {
			char *p = malloc(opaque_size(big[i])), *q;

			CHECK(p != NULL);
			dirty(p);
			q = realloc(p, opaque_size(small[i]));
			CHECK(q != NULL);
			dirty(q);
			free(q);
			q = zcalloc(1, big[i]);
			dirty(q);
			free(q);
		}
	}
}

int main(void)
{
	watchdog(60);
	zero_counts();
	reuse_all_paths();
	shrunk_tails();
	return 0;
}
