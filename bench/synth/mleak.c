/*
 * mleak - thread churn: memory must not leak with the threads that come and
 * go (after the published description of the mimalloc-bench test).
 *
 * Round after round, T short-lived threads each allocate a mix of blocks,
 * free most of them (filling whatever per-thread caches the allocator has),
 * leave a few to the next round's threads, and exit.  The resident set is
 * sampled after the first quarter of the rounds and at the end; a growth
 * that scales with the number of rounds is a leak.
 */
#include "bench.h"

#include <stdlib.h>

#define PER_THREAD 2000
#define KEEP 16

struct block {
	void *p;
	size_t n;
	uint64_t tag;
};

struct worker {
	int index;
	uint64_t round;
	struct block kept[KEEP];        /* left by the previous round's thread */
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct block *b = bench_malloc(sizeof(*b) * PER_THREAD);
	uint64_t tag = (w->round << 32) | ((uint64_t)w->index << 16);
	struct rng r;
	int i;

	rng_seed(&r, w->round * 131 + (uint64_t)w->index);
	for (i = 0; i < KEEP; i++)
		if (w->kept[i].p) {
			bench_check(w->kept[i].p, w->kept[i].n, w->kept[i].tag);
			free(w->kept[i].p);
		}
	for (i = 0; i < PER_THREAD; i++) {
		b[i].n = rng_below(&r, 8) ? rng_range(&r, 8, 512) : rng_range(&r, 4096, 65536);
		b[i].p = bench_malloc(b[i].n);
		b[i].tag = tag + (uint64_t)i;
		bench_mark(b[i].p, b[i].n, b[i].tag);
	}
	for (i = 0; i < PER_THREAD; i++) {
		if (i < KEEP) {
			w->kept[i] = b[i];
			continue;
		}
		bench_check(b[i].p, b[i].n, b[i].tag);
		free(b[i].p);
	}
	free(b);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct worker *ws;
	long rounds, rd, rss_early = 0, rss_end;
	double t0, secs;
	int t, i;

	bench_init(&o, "mleak", argc, argv);
	rounds = bench_pick(&o, 8, 200, 800);
	ws = calloc((size_t)o.threads, sizeof(*ws));
	if (!ws)
		return 3;
	t0 = bench_now();
	for (rd = 0; rd < rounds; rd++) {
		for (t = 0; t < o.threads; t++) {
			ws[t].index = t;
			ws[t].round = (uint64_t)rd + 1;
		}
		bench_spawn(o.threads, work, ws, sizeof(*ws));
		if (rd == rounds / 4)
			rss_early = proc_rss_kib();
	}
	for (t = 0; t < o.threads; t++)
		for (i = 0; i < KEEP; i++) {
			bench_check(ws[t].kept[i].p, ws[t].kept[i].n, ws[t].kept[i].tag);
			free(ws[t].kept[i].p);
		}
	secs = bench_now() - t0;
	rss_end = proc_rss_kib();
	free(ws);
	return bench_report(&o, (uint64_t)(rounds * o.threads * PER_THREAD), secs,
			    "rounds=%ld rss_quarter_kb=%ld rss_end_kb=%ld rss_growth_kb=%ld",
			    rounds, rss_early, rss_end, rss_end - rss_early);
}
