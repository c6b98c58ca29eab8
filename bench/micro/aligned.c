/*
 * aligned.c - aligned_alloc(align, size) then free, for a 200-byte object
 * (rounded up to a multiple of the alignment, as C11 asks).  The result must
 * be aligned.
 */
#include "bench.h"
#include "micro.h"

#include <stdint.h>
#include <stdlib.h>

static const long ALIGNS[] = { 16, 64, 256, 4096, 65536, 0 };

static void aligned_free(long align, long n)
{
	size_t size = ((size_t)200 + (size_t)align - 1) & ~((size_t)align - 1);
	long i;

	for (i = 0; i < n; i++) {
		void *p = aligned_alloc((size_t)align, size);

		if (!p) {
			bench_error("aligned_alloc(%ld, %zu) failed", align, size);
			return;
		}
		if ((uintptr_t)p & (uintptr_t)(align - 1))
			bench_error("aligned_alloc(%ld) returned %p", align, p);
		micro_mark(p, (long)size, (unsigned long long)i);
		micro_check(p, (long)size, (unsigned long long)i);
		free(p);
	}
}

const struct micro_bench micro_aligned[] = {
	{ "aligned_alloc", "aligned_alloc(align, 200 rounded up), then free",
	  aligned_free, NULL, NULL, ALIGNS, 16, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
};
