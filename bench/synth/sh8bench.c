/*
 * sh8bench - many small objects of a fixed mix of sizes, freed in mixed
 * orders, some by another thread (an sh8bench-like size-pattern test, after
 * the published description of MicroQuill's SmartHeap stress test).
 *
 * Each round a thread fills a large array with blocks whose sizes cycle
 * through SIZES; frees every other block at once (leaving holes), grows
 * every eighth survivor with realloc, gives an eighth of the array to the
 * next thread to free, then frees the remaining blocks back to front.
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

static const size_t SIZES[] = {
	1, 7, 15, 24, 33, 48, 64, 100, 128, 200, 256, 400, 512, 1000, 2000, 4000,
};
#define NSIZES (sizeof(SIZES) / sizeof(SIZES[0]))

struct block {
	void *p;
	size_t n;
	uint64_t tag;
};

struct shelf {                  /* blocks handed to a thread */
	pthread_mutex_t lock;
	struct block *items;
	long count, cap;
	char pad[64];
};

struct worker {
	int index;
	long rounds, n;
	uint64_t ops;
};

static struct shelf *shelves;
static int nthreads;

static void release(struct block *b)
{
	bench_check(b->p, b->n, b->tag);
	free(b->p);
	b->p = NULL;
}

static void give(int to, struct block *b)
{
	struct shelf *s = &shelves[to];

	pthread_mutex_lock(&s->lock);
	if (s->count == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->items = realloc(s->items, sizeof(*s->items) * (size_t)s->cap);
		if (!s->items) {
			bench_error("realloc of a shelf failed");
			exit(3);
		}
	}
	s->items[s->count++] = *b;
	pthread_mutex_unlock(&s->lock);
	b->p = NULL;
}

static void take_all(int me)
{
	struct shelf *s = &shelves[me];
	struct block *items;
	long count, i;

	pthread_mutex_lock(&s->lock);
	items = s->items;
	count = s->count;
	s->items = NULL;
	s->count = s->cap = 0;
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < count; i++)
		release(&items[i]);
	free(items);
}

static void grow(struct block *b, uint64_t tag)
{
	size_t n = b->n * 2 + 16;
	unsigned char head[8];
	size_t keep = b->n < sizeof(head) ? b->n : sizeof(head);

	bench_check(b->p, b->n, b->tag);
	memcpy(head, b->p, keep);
	b->p = realloc(b->p, n);
	if (!b->p) {
		bench_error("realloc(%zu) failed", n);
		exit(3);
	}
	if (memcmp(head, b->p, keep) != 0)
		bench_error("realloc lost the contents of a %zu-byte block", b->n);
	b->n = n;
	b->tag = tag;
	bench_mark(b->p, n, tag);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct block *a = bench_malloc(sizeof(*a) * (size_t)w->n);
	uint64_t tag = (uint64_t)w->index << 48;
	long r, i;

	for (r = 0; r < w->rounds; r++) {
		take_all(w->index);
		for (i = 0; i < w->n; i++) {
			a[i].n = SIZES[(size_t)(i + r) % NSIZES];
			a[i].p = bench_malloc(a[i].n);
			a[i].tag = tag++;
			bench_mark(a[i].p, a[i].n, a[i].tag);
		}
		for (i = 0; i < w->n; i += 2)
			release(&a[i]);
		for (i = 1; i < w->n; i += 8)
			grow(&a[i], tag++);
		for (i = 3; i < w->n; i += 8)
			give((w->index + 1) % nthreads, &a[i]);
		for (i = w->n - 1; i >= 0; i--)
			if (a[i].p)
				release(&a[i]);
		w->ops += (uint64_t)w->n;
	}
	free(a);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct worker *ws;
	uint64_t ops = 0;
	double t0, secs;
	int t;

	bench_init(&o, "sh8bench", argc, argv);
	nthreads = o.threads;
	shelves = bench_malloc(sizeof(*shelves) * (size_t)nthreads);
	ws = bench_malloc(sizeof(*ws) * (size_t)nthreads);
	for (t = 0; t < nthreads; t++) {
		pthread_mutex_init(&shelves[t].lock, NULL);
		shelves[t].items = NULL;
		shelves[t].count = shelves[t].cap = 0;
		ws[t].index = t;
		ws[t].n = 10000;
		ws[t].rounds = bench_pick(&o, 3, 150, 600);
		ws[t].ops = 0;
	}
	t0 = bench_now();
	bench_spawn(nthreads, work, ws, sizeof(*ws));
	for (t = 0; t < nthreads; t++) {
		take_all(t);
		ops += ws[t].ops;
	}
	secs = bench_now() - t0;
	free(ws);
	free(shelves);
	return bench_report(&o, ops, secs, NULL);
}
