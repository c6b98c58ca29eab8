/*
 * t_tune_perturb: M_PERTURB (glibc's MALLOC_PERTURB_) set with mallopt.
 * Needs the library itself (glibc fills differently).
 *
 * With mallopt(M_PERTURB, 0xa5), for sizes on every path (slab objects,
 * page runs, mapped chunks, and an aligned block), proves that
 *  - a new block from malloc / memalign has all its n bytes 0x5a (~0xa5),
 *    even where the memory held other bytes before (blocks of the size were
 *    filled with 0x33 and freed first);
 *  - calloc still returns zeros;
 *  - a freed block holds 0xa5 after its first 16 bytes (read only where it
 *    is safe: a slab object whose slab has live neighbours, a page run with
 *    a live run above it so the break cannot shrink over it, a mapped chunk
 *    that sits in the chunk cache);
 *  - with mallopt(M_PERTURB, 0) new blocks are not filled: a fresh chunk
 *    reads as zero.
 */
#include "../common.h"
#include "tune_util.h"

static const size_t sizes[] = { 1, 24, 100, 1000, 5000, 32768, 40000, 100000,
				200 * 1024, 1024 * 1024 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void all_bytes(const char *what, const unsigned char *p, size_t from,
		      size_t n, unsigned char want)
{
	for (size_t i = from; i < n; i++)
		CHECK(p[i] == want, "%s: block %p of %zu bytes: byte %zu is "
		       "0x%02x, expected 0x%02x", what, (const void *)p, n, i,
		       p[i], want);
}

int main(void)
{
	unsigned char *p, *q, *keep_before, *keep_after;
	size_t n;

	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */

	require_buddymalloc();
	CHECK(MALLOPT(M_PERTURB, 0xa5) == 1);

	for (size_t k = 0; k < NSIZES; k++) {
		n = sizes[k];
		/* dirty memory of this size first */
		p = malloc(opaque_size(n));
		q = malloc(opaque_size(n));
		CHECK(p && q, "malloc(%zu) failed", n);
		memset(p, 0x33, n);
		memset(q, 0x33, n);
		free(p);
		free(q);

		p = malloc(opaque_size(n));
		CHECK(p != NULL, "malloc(%zu) failed", n);
		all_bytes("new block from malloc", p, 0, n, 0x5a);
		q = calloc(1, opaque_size(n));
		CHECK(q != NULL, "calloc(1, %zu) failed", n);
		all_bytes("new block from calloc", q, 0, n, 0);
		printf("size %7zu: malloc -> %p all 0x5a, calloc -> %p all 0\n",
		       n, (void *)p, (void *)q);
		free(p);
		free(q);
	}
	p = memalign(opaque_size(4096), opaque_size(3000));
	CHECK(p != NULL, "memalign(4096, 3000) failed");
	all_bytes("new block from memalign(4096)", p, 0, 3000, 0x5a);
	free(p);

	/* freed slab object, live neighbours on both sides */
	keep_before = malloc(opaque_size(200));
	p = malloc(opaque_size(200));
	keep_after = malloc(opaque_size(200));
	CHECK(keep_before && p && keep_after);
	n = malloc_usable_size(p);
	memset(p, 0x33, n);
	q = opaque_ptr(p);	/* the same address, for reading after free */
	free(p);
	p = q;
	all_bytes("freed slab object (after its first 16 bytes)", p, 16, n, 0xa5);
	printf("freed slab object %p: bytes 16..%zu are 0xa5\n", (void *)p, n);
	free(keep_before);
	free(keep_after);

	/* freed page run, a live run above it */
	p = malloc(opaque_size(64 * KIB));
	keep_after = malloc(opaque_size(64 * KIB));
	CHECK(p && keep_after);
	n = malloc_usable_size(p);
	memset(p, 0x33, n);
	q = opaque_ptr(p);	/* the same address, for reading after free */
	free(p);
	p = q;
	all_bytes("freed 64 KiB page run (after its first 16 bytes)", p, 16, n, 0xa5);
	printf("freed page run %p: bytes 16..%zu are 0xa5\n", (void *)p, n);
	free(keep_after);

	/* freed mapped chunk, kept in the chunk cache */
	p = malloc(opaque_size(200 * KIB));
	CHECK(p != NULL);
	n = malloc_usable_size(p);
	memset(p, 0x33, n);
	q = opaque_ptr(p);	/* the same address, for reading after free */
	free(p);
	p = q;
	CHECK(is_mapped(p), "the freed 200 KiB chunk %p is not mapped: not "
	       "in the chunk cache, cannot check it", (void *)p);
	all_bytes("freed 200 KiB chunk (after its first 16 bytes)", p, 16, n, 0xa5);
	printf("freed mapped chunk %p: bytes 16..%zu are 0xa5\n", (void *)p, n);

	CHECK(MALLOPT(M_PERTURB, 0) == 1);
	malloc_trim(0);		/* no cached chunk: the next one is fresh */
	p = malloc(opaque_size(MIB));
	CHECK(p != NULL);
	all_bytes("fresh 1 MiB chunk with perturb 0", p, 0, MIB, 0);
	free(p);
	printf("perturb as expected\n");
	return 0;
}
