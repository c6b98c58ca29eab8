/*
 * batches.c - allocate a batch of 1000 blocks, then free them all, either in
 * allocation order (FIFO) or in reverse (LIFO).  One operation is one
 * allocation and its free.
 */
#include "bench.h"
#include "micro.h"

#include <stdlib.h>

#define BATCH 1000

static const long SIZES[] = { 16, 64, 256, 1024, 4096, 0 };

static void fill(void **p, long size)
{
	long i;

	for (i = 0; i < BATCH; i++) {
		p[i] = malloc((size_t)size);
		if (!p[i]) {
			bench_error("malloc(%ld) failed", size);
			exit(3);
		}
		micro_mark(p[i], size, (unsigned long long)i);
	}
}

static void release(void *p, long size, long i)
{
	micro_check(p, size, (unsigned long long)i);
	free(p);
}

static void fifo(long size, long n)
{
	void *p[BATCH];
	long done, i;

	for (done = 0; done < n; done += BATCH) {
		fill(p, size);
		for (i = 0; i < BATCH; i++)
			release(p[i], size, i);
	}
}

static void lifo(long size, long n)
{
	void *p[BATCH];
	long done, i;

	for (done = 0; done < n; done += BATCH) {
		fill(p, size);
		for (i = BATCH - 1; i >= 0; i--)
			release(p[i], size, i);
	}
}

const struct micro_bench micro_batches[] = {
	{ "batch_fifo", "1000 mallocs, then frees in allocation order", fifo,
	  NULL, NULL, SIZES, BATCH, 0 },
	{ "batch_lifo", "1000 mallocs, then frees in reverse order", lifo,
	  NULL, NULL, SIZES, BATCH, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
};
