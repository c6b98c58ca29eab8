/*
 * malloc-large - big blocks (after the published description of the
 * mimalloc-bench test of that name).
 *
 * One thread keeps a few live blocks of 5..25 MiB and keeps replacing a
 * random one; every block is written on every page, as a program that uses
 * its buffers would, and checked before it is freed.
 */
#include "bench.h"

#include <stdlib.h>

#define LIVE 8
#define MiB ((size_t)1 << 20)

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct {
		void *p;
		size_t n;
	} live[LIVE] = { { 0, 0 } };
	struct rng r;
	long steps, i;
	double t0, secs;

	bench_init(&o, "malloc-large", argc, argv);
	o.threads = 1;
	steps = bench_pick(&o, 10, 400, 2000);
	rng_seed(&r, 25);
	t0 = bench_now();
	for (i = 0; i < steps; i++) {
		int k = (int)rng_below(&r, LIVE);

		if (live[k].p) {
			bench_check(live[k].p, live[k].n, (uint64_t)k);
			free(live[k].p);
		}
		live[k].n = 5 * MiB + (size_t)rng_below(&r, 20 * MiB + 1);
		live[k].p = bench_malloc(live[k].n);
		bench_mark(live[k].p, live[k].n, (uint64_t)k);
	}
	for (i = 0; i < LIVE; i++)
		if (live[i].p) {
			bench_check(live[i].p, live[i].n, (uint64_t)i);
			free(live[i].p);
		}
	secs = bench_now() - t0;
	return bench_report(&o, (uint64_t)steps, secs, NULL);
}
