/*
 * sh6bench - batches freed alternately in allocation order and in reverse
 * (an sh6bench-like size-pattern test, after the published description of
 * MicroQuill's SmartHeap stress test).
 *
 * Each thread runs iterations of: allocate a batch whose sizes walk through
 * 1..MAX_SIZE with a stride that changes every iteration, then free the batch
 * in allocation order (even iterations) or in reverse (odd ones).  Every
 * fourth block survives into the next iteration and is freed there, so
 * lifetimes overlap and the free lists see both orders.
 */
#include "bench.h"

#include <stdlib.h>

#define MAX_SIZE 1024

struct block {
	void *p;
	size_t n;
	uint64_t tag;
};

struct worker {
	int index;
	long iters, batch;
	uint64_t ops;
};

static void release(struct block *b)
{
	if (!b->p)
		return;
	bench_check(b->p, b->n, b->tag);
	free(b->p);
	b->p = NULL;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	long n = w->batch, i, j;
	struct block *cur = bench_malloc(sizeof(*cur) * (size_t)n);
	struct block *old = bench_malloc(sizeof(*old) * (size_t)n);
	uint64_t tag = (uint64_t)w->index << 48;

	for (j = 0; j < n; j++)
		old[j].p = NULL;
	for (i = 0; i < w->iters; i++) {
		size_t stride = 1 + (size_t)(i % 61) * 7;
		struct block *t;

		for (j = 0; j < n; j++) {
			cur[j].n = 1 + ((size_t)i * 13 + (size_t)j * stride) % MAX_SIZE;
			cur[j].p = bench_malloc(cur[j].n);
			cur[j].tag = tag++;
			bench_mark(cur[j].p, cur[j].n, cur[j].tag);
		}
		if (i % 2 == 0) {
			for (j = 0; j < n; j++) {
				release(&old[j]);
				if (j % 4)
					release(&cur[j]);
			}
		} else {
			for (j = n - 1; j >= 0; j--) {
				release(&old[j]);
				if (j % 4)
					release(&cur[j]);
			}
		}
		t = old;
		old = cur;
		cur = t;
		w->ops += (uint64_t)n;
	}
	for (j = 0; j < n; j++)
		release(&old[j]);
	free(cur);
	free(old);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct worker *ws;
	uint64_t ops = 0;
	double t0, secs;
	int t;

	bench_init(&o, "sh6bench", argc, argv);
	ws = bench_malloc(sizeof(*ws) * (size_t)o.threads);
	for (t = 0; t < o.threads; t++) {
		ws[t].index = t;
		ws[t].batch = 2000;
		ws[t].iters = bench_pick(&o, 5, 2000, 8000);
		ws[t].ops = 0;
	}
	t0 = bench_now();
	bench_spawn(o.threads, work, ws, sizeof(*ws));
	secs = bench_now() - t0;
	for (t = 0; t < o.threads; t++)
		ops += ws[t].ops;
	free(ws);
	return bench_report(&o, ops, secs, NULL);
}
