/*
 * glibc-thread - random replacement in a per-thread working set (after the
 * published description of glibc's bench-malloc-thread).
 *
 * Each thread owns a working set of 1024 blocks and repeatedly replaces a
 * random one with a block of random size, small sizes far more likely than
 * large ones (up to 32 KiB).
 */
#include "bench.h"

#include <stdlib.h>

#define WORKING_SET 1024
#define MAX_SHIFT 15            /* 32 KiB */

struct slot {
	void *p;
	size_t n;
	uint64_t tag;
};

struct worker {
	int index;
	long steps;
};

/* Geometric choice of a power-of-two band, then uniform inside it. */
static size_t pick_size(struct rng *r)
{
	unsigned k = 4;

	while (k < MAX_SHIFT && (rng_next(r) & 1))
		k++;
	return ((size_t)1 << (k - 1)) + (size_t)rng_below(r, (uint64_t)1 << (k - 1));
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct slot *s = bench_malloc(sizeof(*s) * WORKING_SET);
	uint64_t tag = (uint64_t)w->index << 48;
	struct rng r;
	long i;

	rng_seed(&r, 5 + (uint64_t)w->index);
	for (i = 0; i < WORKING_SET; i++)
		s[i].p = NULL;
	for (i = 0; i < w->steps; i++) {
		struct slot *x = &s[rng_below(&r, WORKING_SET)];

		if (x->p) {
			bench_check(x->p, x->n, x->tag);
			free(x->p);
		}
		x->n = pick_size(&r);
		x->p = bench_malloc(x->n);
		x->tag = tag++;
		bench_mark(x->p, x->n, x->tag);
	}
	for (i = 0; i < WORKING_SET; i++)
		if (s[i].p) {
			bench_check(s[i].p, s[i].n, s[i].tag);
			free(s[i].p);
		}
	free(s);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct worker *ws;
	double t0, secs;
	long steps;
	int t;

	bench_init(&o, "glibc-thread", argc, argv);
	steps = bench_pick(&o, 10000, 5000000, 20000000);
	ws = bench_malloc(sizeof(*ws) * (size_t)o.threads);
	for (t = 0; t < o.threads; t++) {
		ws[t].index = t;
		ws[t].steps = steps;
	}
	t0 = bench_now();
	bench_spawn(o.threads, work, ws, sizeof(*ws));
	secs = bench_now() - t0;
	free(ws);
	return bench_report(&o, (uint64_t)(steps * o.threads), secs, NULL);
}
