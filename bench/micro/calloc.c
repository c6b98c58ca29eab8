/*
 * calloc.c - calloc then free.  The block must read as zero where the
 * previous block of the same size was dirtied just before its free, so an
 * allocator that skips clearing recycled memory is caught.
 */
#include "bench.h"
#include "micro.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const long SIZES[] = { 16, 256, 4096, 65536, 1048576, 0 };

/* Head, middle and tail words. */
static size_t probe(long size, int k)
{
	return k == 0 ? 0 : k == 1 ? (size_t)(size / 2) & ~(size_t)7 : (size_t)size - 8;
}

static void calloc_free(long size, long n)
{
	long i;
	int k;

	for (i = 0; i < n; i++) {
		unsigned char *p = calloc(1, (size_t)size);
		uint64_t w;

		if (!p) {
			bench_error("calloc(%ld) failed", size);
			return;
		}
		for (k = 0; k < 3; k++) {
			memcpy(&w, p + probe(size, k), 8);
			if (w != 0) {
				bench_error("calloc(%ld) returned %p with nonzero bytes at %zu",
					    size, (void *)p, probe(size, k));
				break;
			}
		}
		micro_mark(p, size, (unsigned long long)i);
		micro_check(p, size, (unsigned long long)i);
		for (k = 0; k < 3; k++)
			memset(p + probe(size, k), 0xa5, 8);
		free(p);
	}
}

const struct micro_bench micro_calloc[] = {
	{ "calloc_free", "calloc(1, size), zero check, dirty, free", calloc_free,
	  NULL, NULL, SIZES, 16, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
};
