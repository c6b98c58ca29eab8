/*
 * alloc-test - intensive allocation with a Pareto size distribution and
 * skewed lifetimes (after the published description of ITHare's
 * alloc-test: objects up to 1 KiB, many allocations per thread).
 *
 * Every thread keeps a working set of slots.  Each step picks a slot, frees
 * its block and puts a new one of Pareto-distributed size (8..1024 bytes) in
 * it.  Slots are picked with a skew too: low slots are replaced all the time
 * (short-lived objects), high slots rarely (long-lived ones).
 */
#include "bench.h"

#include <math.h>
#include <stdlib.h>

#define MIN_SIZE 8
#define MAX_SIZE 1024
#define TABLE 4096              /* quantiles of the size distribution */
#define ALPHA 1.1

struct slot {
	void *p;
	uint32_t n;
	uint64_t tag;
};

struct worker {
	int index;
	long steps, nslots;
	uint64_t ops;
};

static uint32_t size_of[TABLE];

static void make_table(void)
{
	int i;

	for (i = 0; i < TABLE; i++) {
		double u = (i + 0.5) / TABLE;   /* survival quantile */
		double s = MIN_SIZE / pow(u, 1.0 / ALPHA);

		size_of[i] = s > MAX_SIZE ? MAX_SIZE : (uint32_t)s;
	}
}

/* Slot index with a skew: the square of a uniform favours low slots. */
static long pick_slot(struct rng *r, long n)
{
	uint64_t u = rng_below(r, 65536);

	return (long)(u * u * (uint64_t)n >> 32);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct slot *s = bench_malloc(sizeof(*s) * (size_t)w->nslots);
	struct rng r;
	uint64_t tag = (uint64_t)w->index << 48;
	long i;

	rng_seed(&r, 99 + (uint64_t)w->index);
	for (i = 0; i < w->nslots; i++)
		s[i].p = NULL;
	for (i = 0; i < w->steps; i++) {
		struct slot *x = &s[pick_slot(&r, w->nslots)];

		if (x->p) {
			bench_check(x->p, x->n, x->tag);
			free(x->p);
		}
		x->n = size_of[rng_below(&r, TABLE)];
		x->p = bench_malloc(x->n);
		x->tag = tag++;
		bench_mark(x->p, x->n, x->tag);
	}
	for (i = 0; i < w->nslots; i++)
		if (s[i].p) {
			bench_check(s[i].p, s[i].n, s[i].tag);
			free(s[i].p);
		}
	free(s);
	w->ops = (uint64_t)w->steps;
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct worker *ws;
	uint64_t ops = 0;
	double t0, secs;
	int t;

	bench_init(&o, "alloc-test", argc, argv);
	make_table();
	ws = bench_malloc(sizeof(*ws) * (size_t)o.threads);
	for (t = 0; t < o.threads; t++) {
		ws[t].index = t;
		ws[t].nslots = bench_pick(&o, 1000, 1 << 16, 1 << 18);
		ws[t].steps = bench_pick(&o, 10000, 3000000, 12000000);
	}
	t0 = bench_now();
	bench_spawn(o.threads, work, ws, sizeof(*ws));
	secs = bench_now() - t0;
	for (t = 0; t < o.threads; t++)
		ops += ws[t].ops;
	free(ws);
	return bench_report(&o, ops, secs, NULL);
}
