/*
 * mstress - phases of unequal threads whose objects migrate and outlive
 * them (after the published description of mimalloc's stress test).
 *
 * Objects have power-of-two sizes, mostly small, rarely up to 1 MiB.  Each
 * thread of a phase keeps a few long-lived objects for its whole life and a
 * working set it churns; now and then it swaps one of its objects with a
 * slot of a global transfer array, so objects move between threads.  Threads
 * get 1x, 2x or 3x the base work.  When a phase ends all its threads exit;
 * what sits in the transfer array survives into the next phase.
 *
 * Every object begins with a header {size, tag}; the rest carries the
 * pattern, so whichever thread ends up freeing it can check it.
 */
#include "bench.h"

#include <stdatomic.h>
#include <stdlib.h>

struct obj {
	size_t n;
	uint64_t tag;
};

struct worker {
	int index;
	long iters;
	uint64_t phase;
	uint64_t ops;
};

static _Atomic(struct obj *) *transfer;
static long ntransfer;

static size_t pick_size(struct rng *r)
{
	uint64_t x = rng_below(r, 1000);
	unsigned k;

	if (x == 0)
		k = 16 + (unsigned)rng_below(r, 5);     /* 64 KiB .. 1 MiB */
	else if (x < 60)
		k = 9 + (unsigned)rng_below(r, 7);      /* 512 B .. 32 KiB */
	else
		k = 4 + (unsigned)rng_below(r, 5);      /* 16 B .. 256 B */
	return (size_t)1 << k;
}

static struct obj *obj_new(struct rng *r, uint64_t tag)
{
	size_t n = pick_size(r);
	struct obj *o = bench_malloc(n);

	o->n = n;
	o->tag = tag;
	bench_mark(o + 1, n - sizeof(*o), tag);
	return o;
}

static void obj_free(struct obj *o)
{
	if (!o)
		return;
	bench_check(o + 1, o->n - sizeof(*o), o->tag);
	free(o);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct rng r;
	struct obj *keep[16], *live[256];
	uint64_t tag = (w->phase << 40) | ((uint64_t)w->index << 32);
	long i, j;

	rng_seed(&r, w->phase * 1000 + (uint64_t)w->index);
	for (j = 0; j < 16; j++)
		keep[j] = obj_new(&r, tag++);
	for (j = 0; j < 256; j++)
		live[j] = NULL;
	for (i = 0; i < w->iters; i++) {
		struct obj **s = &live[rng_below(&r, 256)];
		uint64_t what = rng_below(&r, 100);

		if (what < 60) {                      /* replace */
			obj_free(*s);
			*s = obj_new(&r, tag++);
		} else if (what < 90) {               /* drop */
			obj_free(*s);
			*s = NULL;
		} else {                              /* migrate */
			long t = (long)rng_below(&r, (uint64_t)ntransfer);

			if (!*s)
				*s = obj_new(&r, tag++);
			*s = atomic_exchange(&transfer[t], *s);
		}
		w->ops++;
	}
	for (j = 0; j < 256; j++)
		obj_free(live[j]);
	for (j = 0; j < 16; j++)
		obj_free(keep[j]);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct worker *ws;
	long base, phases, p, i;
	uint64_t ops = 0;
	int t;
	double t0, secs;

	bench_init(&o, "mstress", argc, argv);
	base = bench_pick(&o, 2000, 500000, 2000000);
	phases = bench_pick(&o, 3, 10, 25);
	ntransfer = 1000 * o.threads;

	transfer = bench_malloc(sizeof(*transfer) * (size_t)ntransfer);
	for (i = 0; i < ntransfer; i++)
		atomic_init(&transfer[i], NULL);
	ws = bench_malloc(sizeof(*ws) * (size_t)o.threads);
	t0 = bench_now();
	for (p = 0; p < phases; p++) {
		for (t = 0; t < o.threads; t++) {
			ws[t].index = t;
			ws[t].phase = (uint64_t)p + 1;
			ws[t].iters = base * ((t + p) % 3 + 1) / 2;
			ws[t].ops = 0;
		}
		bench_spawn(o.threads, work, ws, sizeof(*ws));
		for (t = 0; t < o.threads; t++)
			ops += ws[t].ops;
	}
	for (i = 0; i < ntransfer; i++)
		obj_free(atomic_load(&transfer[i]));
	secs = bench_now() - t0;
	free(ws);
	free(transfer);
	return bench_report(&o, ops, secs, "phases=%ld", phases);
}
