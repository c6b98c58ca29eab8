/*
 * pairs.c - malloc immediately followed by free, for one size class at a
 * time: the allocator's fastest path, and where each size leaves it.
 * The _mt variant runs the same loop in every benchmark thread at once.
 */
#include "bench.h"
#include "micro.h"

#include <stdlib.h>

static const long SIZES[] = {
	16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 32768, 65536, 262144,
	1048576, 0,
};
static const long MT_SIZES[] = { 64, 4096, 0 };

static void malloc_free(long size, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		void *p = malloc((size_t)size);

		if (!p) {
			bench_error("malloc(%ld) failed", size);
			return;
		}
		micro_mark(p, size, (unsigned long long)i);
		micro_check(p, size, (unsigned long long)i);
		free(p);
	}
}

const struct micro_bench micro_pairs[] = {
	{ "malloc_free", "malloc(size) then free", malloc_free, NULL, NULL,
	  SIZES, 64, 0 },
	{ "malloc_free_mt", "malloc/free pairs in every thread at once",
	  malloc_free, NULL, NULL, MT_SIZES, 64, 1 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
};
