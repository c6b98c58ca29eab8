/*
 * cache-scratch - passive false sharing (after the published description of
 * the Hoard benchmark of that name).
 *
 * The main thread allocates one small object per thread, one after the
 * other, so they likely share cache lines, and hands one to each thread.
 * Each thread frees the object it was given, then repeatedly allocates an
 * object of the same size, writes it many times and frees it.  An allocator
 * that hands the freed neighbour back to the thread makes the threads fight
 * over one cache line.
 */
#include "bench.h"

#include <stdlib.h>

#define OBJ_SIZE 8

struct worker {
	int index;
	void *given;
	uint64_t given_tag;
	long rounds, writes;
};

static void scribble(volatile unsigned char *p, size_t n, long writes)
{
	long w;
	size_t i;

	for (w = 0; w < writes; w++)
		for (i = 0; i < n; i++)
			p[i] = (unsigned char)(p[i] + 1);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t tag = ((uint64_t)w->index << 48) | 1;
	long r;

	bench_check(w->given, OBJ_SIZE, w->given_tag);
	free(w->given);
	for (r = 0; r < w->rounds; r++) {
		unsigned char *p = bench_malloc(OBJ_SIZE);
		size_t i;

		for (i = 0; i < OBJ_SIZE; i++)
			p[i] = (unsigned char)i;
		scribble(p, OBJ_SIZE, w->writes);
		for (i = 0; i < OBJ_SIZE; i++)
			if (p[i] != (unsigned char)(i + (size_t)w->writes)) {
				bench_error("object %p byte %zu is %u", (void *)p, i, p[i]);
				break;
			}
		bench_mark(p, OBJ_SIZE, tag + (uint64_t)r);
		bench_check(p, OBJ_SIZE, tag + (uint64_t)r);
		free(p);
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

	bench_init(&o, "cache-scratch", argc, argv);
	rounds = bench_pick(&o, 100, 5000, 20000);
	writes = bench_pick(&o, 100, 10000, 10000);
	ws = bench_malloc(sizeof(*ws) * (size_t)o.threads);
	for (t = 0; t < o.threads; t++) {
		ws[t].index = t;
		ws[t].rounds = rounds;
		ws[t].writes = writes;
		ws[t].given = bench_malloc(OBJ_SIZE);
		ws[t].given_tag = (uint64_t)t + 7;
		bench_mark(ws[t].given, OBJ_SIZE, ws[t].given_tag);
	}
	t0 = bench_now();
	bench_spawn(o.threads, work, ws, sizeof(*ws));
	secs = bench_now() - t0;
	free(ws);
	return bench_report(&o, (uint64_t)(rounds * writes * o.threads), secs,
			    "object_size=%d", OBJ_SIZE);
}
