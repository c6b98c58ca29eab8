/*
 * cache-thrash - active false sharing (after the published description of
 * the Hoard benchmark of that name).
 *
 * Each thread repeatedly allocates a small object of its own, writes it
 * many times and frees it.  No object is ever shared; an allocator that
 * places different threads' objects in one cache line makes them share
 * that line anyway.
 */
#include "bench.h"

#include <stdlib.h>

#define OBJ_SIZE 8

struct worker {
	int index;
	long rounds, writes;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t tag = (uint64_t)w->index << 48;
	long r, k;

	for (r = 0; r < w->rounds; r++) {
		volatile unsigned char *p = bench_malloc(OBJ_SIZE);
		size_t i;

		for (i = 0; i < OBJ_SIZE; i++)
			p[i] = 0;
		for (k = 0; k < w->writes; k++)
			for (i = 0; i < OBJ_SIZE; i++)
				p[i] = (unsigned char)(p[i] + 1);
		for (i = 0; i < OBJ_SIZE; i++)
			if (p[i] != (unsigned char)w->writes) {
				bench_error("object %p byte %zu is %u", (void *)p, i, p[i]);
				break;
			}
		bench_mark((void *)p, OBJ_SIZE, tag + (uint64_t)r);
		bench_check((void *)p, OBJ_SIZE, tag + (uint64_t)r);
		free((void *)p);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct worker *ws;
	double t0, secs;
	long rounds, writes;
	int t;

	bench_init(&o, "cache-thrash", argc, argv);
	rounds = bench_pick(&o, 100, 5000, 20000);
	writes = bench_pick(&o, 100, 10000, 10000);
	ws = bench_malloc(sizeof(*ws) * (size_t)o.threads);
	for (t = 0; t < o.threads; t++) {
		ws[t].index = t;
		ws[t].rounds = rounds;
		ws[t].writes = writes;
	}
	t0 = bench_now();
	bench_spawn(o.threads, work, ws, sizeof(*ws));
	secs = bench_now() - t0;
	free(ws);
	return bench_report(&o, (uint64_t)(rounds * writes * o.threads), secs,
			    "object_size=%d", OBJ_SIZE);
}
