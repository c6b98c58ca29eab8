/*
 * larson - a server whose connections come and go (after Larson and
 * Krishnan's description of their long-running server benchmark).
 *
 * Every thread owns an array of slots holding blocks of random size.  It
 * replaces slots at random: check and free the old block, allocate a new one
 * of 8..1000 bytes and write it.  After a number of rounds the thread exits
 * and a new thread inherits its array, so most frees hit blocks that another,
 * dead, thread allocated.  The arrays are first filled by the main thread.
 */
#include "bench.h"

#include <stdlib.h>

#define MIN_SIZE 8
#define MAX_SIZE 1000

struct slot {
	void *p;
	size_t n;
	uint64_t tag;
};

struct lineage {
	struct slot *slots;
	long nslots;
	long rounds;             /* replacements per thread */
	uint64_t generation;
	uint64_t id;
	struct rng rng;          /* carried from thread to thread */
};

static void fill(struct slot *s, struct rng *r, uint64_t tag)
{
	s->n = rng_range(r, MIN_SIZE, MAX_SIZE);
	s->p = bench_malloc(s->n);
	s->tag = tag;
	bench_mark(s->p, s->n, tag);
}

static void *worker(void *arg)
{
	struct lineage *l = arg;
	uint64_t base = (l->id << 48) | (l->generation << 32);
	long i;

	for (i = 0; i < l->rounds; i++) {
		struct slot *s = &l->slots[rng_below(&l->rng, (uint64_t)l->nslots)];

		bench_check(s->p, s->n, s->tag);
		free(s->p);
		fill(s, &l->rng, base | (uint64_t)i);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct lineage *ls;
	long nslots, rounds, gens, g, i;
	int t;
	double t0, secs;

	bench_init(&o, "larson", argc, argv);
	nslots = bench_pick(&o, 200, 4000, 4000);
	rounds = bench_pick(&o, 2000, 150000, 600000);
	gens = bench_pick(&o, 3, 20, 40);

	ls = bench_malloc(sizeof(*ls) * (size_t)o.threads);
	t0 = bench_now();
	for (t = 0; t < o.threads; t++) {
		ls[t].slots = bench_malloc(sizeof(struct slot) * (size_t)nslots);
		ls[t].nslots = nslots;
		ls[t].rounds = rounds;
		ls[t].id = (uint64_t)t;
		rng_seed(&ls[t].rng, 4141 + (uint64_t)t);
		for (i = 0; i < nslots; i++)
			fill(&ls[t].slots[i], &ls[t].rng, ((uint64_t)t << 48) | (uint64_t)i);
	}
	for (g = 0; g < gens; g++) {
		for (t = 0; t < o.threads; t++)
			ls[t].generation = (uint64_t)g + 1;
		bench_spawn(o.threads, worker, ls, sizeof(*ls));
	}
	for (t = 0; t < o.threads; t++) {
		for (i = 0; i < nslots; i++) {
			bench_check(ls[t].slots[i].p, ls[t].slots[i].n, ls[t].slots[i].tag);
			free(ls[t].slots[i].p);
		}
		free(ls[t].slots);
	}
	secs = bench_now() - t0;
	free(ls);
	return bench_report(&o, (uint64_t)(gens * rounds * o.threads), secs,
			    "slots=%ld generations=%ld", nslots, gens);
}
