/*
 * rptest - loops of random-size allocation, partial free, realloc and
 * hand-over (after the published description of rpmalloc's benchmark).
 *
 * Each loop of each thread allocates a batch of blocks of 16..16000 bytes
 * (small sizes much more likely), frees a random half of them, reallocs a
 * quarter of the rest to a new random size, hands a quarter to the next
 * thread, which frees them, and frees what is left.  Every thread first
 * frees whatever its neighbour handed it.
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#define MIN_SIZE 16
#define MAX_SIZE 16000

struct block {
	void *p;
	size_t n;
	uint64_t tag;
};

struct handover {
	struct handover *next;
	int count;
	struct block b[];
};

struct mailbox {
	pthread_mutex_t lock;
	struct handover *head;
	char pad[64];
};

struct worker {
	int index;
	long loops;
	long batch;
	uint64_t ops;
};

static struct mailbox *boxes;
static int nthreads;

static size_t pick_size(struct rng *r)
{
	uint64_t u = rng_below(r, 1024);

	/* cube of a uniform variable: most blocks are near MIN_SIZE */
	return MIN_SIZE + (size_t)((MAX_SIZE - MIN_SIZE) * u * u * u / (1024ull * 1024 * 1024));
}

static void block_new(struct block *b, struct rng *r, uint64_t tag)
{
	b->n = pick_size(r);
	b->p = bench_malloc(b->n);
	b->tag = tag;
	bench_mark(b->p, b->n, tag);
}

static void block_free(struct block *b)
{
	bench_check(b->p, b->n, b->tag);
	free(b->p);
	b->p = NULL;
}

static void block_realloc(struct block *b, struct rng *r, uint64_t tag)
{
	size_t n = pick_size(r);
	unsigned char head[16];

	bench_check(b->p, b->n, b->tag);
	memcpy(head, b->p, sizeof(head));
	b->p = realloc(b->p, n);
	if (!b->p) {
		bench_error("realloc(%zu) failed", n);
		exit(3);
	}
	if (memcmp(head, b->p, sizeof(head)) != 0)
		bench_error("realloc lost the contents of a %zu-byte block", b->n);
	b->n = n;
	b->tag = tag;
	bench_mark(b->p, n, tag);
}

static void drain(int me)
{
	struct handover *h, *next;
	int i;

	pthread_mutex_lock(&boxes[me].lock);
	h = boxes[me].head;
	boxes[me].head = NULL;
	pthread_mutex_unlock(&boxes[me].lock);
	for (; h; h = next) {
		next = h->next;
		for (i = 0; i < h->count; i++)
			block_free(&h->b[i]);
		free(h);
	}
}

static void post(int to, struct handover *h)
{
	pthread_mutex_lock(&boxes[to].lock);
	h->next = boxes[to].head;
	boxes[to].head = h;
	pthread_mutex_unlock(&boxes[to].lock);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct block *bs = bench_malloc(sizeof(*bs) * (size_t)w->batch);
	struct rng r;
	uint64_t tag = (uint64_t)w->index << 48;
	long loop, i, n = w->batch;

	rng_seed(&r, 77 + (uint64_t)w->index);
	for (loop = 0; loop < w->loops; loop++) {
		struct handover *h;

		drain(w->index);
		for (i = 0; i < n; i++)
			block_new(&bs[i], &r, tag++);
		for (i = 0; i < n / 2; i++) {
			struct block *b = &bs[rng_below(&r, (uint64_t)n)];

			if (b->p)
				block_free(b);
		}
		for (i = 0; i < n; i += 4)
			if (bs[i].p)
				block_realloc(&bs[i], &r, tag++);
		h = bench_malloc(sizeof(*h) + sizeof(struct block) * (size_t)(n / 4 + 1));
		h->count = 0;
		for (i = 1; i < n; i += 4)
			if (bs[i].p) {
				h->b[h->count++] = bs[i];
				bs[i].p = NULL;
			}
		post((w->index + 1) % nthreads, h);
		for (i = 0; i < n; i++)
			if (bs[i].p)
				block_free(&bs[i]);
		w->ops += (uint64_t)n;
	}
	free(bs);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct worker *ws;
	uint64_t ops = 0;
	double t0, secs;
	int t;

	bench_init(&o, "rptest", argc, argv);
	nthreads = o.threads;
	boxes = bench_malloc(sizeof(*boxes) * (size_t)nthreads);
	ws = bench_malloc(sizeof(*ws) * (size_t)nthreads);
	for (t = 0; t < nthreads; t++) {
		pthread_mutex_init(&boxes[t].lock, NULL);
		boxes[t].head = NULL;
		ws[t].index = t;
		ws[t].loops = bench_pick(&o, 20, 2500, 10000);
		ws[t].batch = 500;
		ws[t].ops = 0;
	}
	t0 = bench_now();
	bench_spawn(nthreads, work, ws, sizeof(*ws));
	for (t = 0; t < nthreads; t++) {
		drain(t);
		ops += ws[t].ops;
	}
	secs = bench_now() - t0;
	free(ws);
	free(boxes);
	return bench_report(&o, ops, secs, NULL);
}
