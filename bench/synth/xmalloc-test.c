/*
 * xmalloc-test - threads that only allocate and threads that only free
 * (after the published description of Lever and Boreham's xmalloc test).
 *
 * T producer threads allocate blocks of 8..512 bytes in batches and queue
 * the batches; T consumer threads take batches off the queue, check and
 * free them.  Every free is therefore a free of another thread's block, the
 * pattern that per-thread caches handle worst.  The queue is bounded so
 * memory stays flat when producers outrun consumers.
 */
#include "bench.h"

#include <stdlib.h>

#define BATCH 64
#define MIN_SIZE 8
#define MAX_SIZE 512

struct batch {
	struct batch *next;
	void *p[BATCH];
	uint32_t n[BATCH];
	uint64_t tag;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct batch *head, *tail;
	long queued, limit;
	int producers_left;
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER,
};

struct producer {
	int index;
	long batches;
};

static void enqueue(struct batch *b)
{
	pthread_mutex_lock(&q.lock);
	while (q.queued >= q.limit)
		pthread_cond_wait(&q.not_full, &q.lock);
	b->next = NULL;
	if (q.tail)
		q.tail->next = b;
	else
		q.head = b;
	q.tail = b;
	q.queued++;
	pthread_cond_signal(&q.not_empty);
	pthread_mutex_unlock(&q.lock);
}

/* NULL once every producer is done and the queue is empty. */
static struct batch *dequeue(void)
{
	struct batch *b;

	pthread_mutex_lock(&q.lock);
	while (!q.head && q.producers_left > 0)
		pthread_cond_wait(&q.not_empty, &q.lock);
	b = q.head;
	if (b) {
		q.head = b->next;
		if (!q.head)
			q.tail = NULL;
		q.queued--;
		pthread_cond_signal(&q.not_full);
	}
	pthread_mutex_unlock(&q.lock);
	return b;
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct rng r;
	long i;
	int j;

	rng_seed(&r, 1 + (uint64_t)p->index);
	for (i = 0; i < p->batches; i++) {
		struct batch *b = bench_malloc(sizeof(*b));

		b->tag = ((uint64_t)p->index << 40) | ((uint64_t)i << 8);
		for (j = 0; j < BATCH; j++) {
			b->n[j] = (uint32_t)rng_range(&r, MIN_SIZE, MAX_SIZE);
			b->p[j] = bench_malloc(b->n[j]);
			bench_mark(b->p[j], b->n[j], b->tag + (uint64_t)j);
		}
		enqueue(b);
	}
	pthread_mutex_lock(&q.lock);
	if (--q.producers_left == 0)
		pthread_cond_broadcast(&q.not_empty);
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

static void *consume(void *arg)
{
	struct batch *b;
	int j;

	(void)arg;
	while ((b = dequeue()) != NULL) {
		for (j = 0; j < BATCH; j++) {
			bench_check(b->p[j], b->n[j], b->tag + (uint64_t)j);
			free(b->p[j]);
		}
		free(b);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct producer *ps;
	pthread_t *tids;
	long batches;
	double t0, secs;
	int t, n;

	bench_init(&o, "xmalloc-test", argc, argv);
	n = o.threads;
	batches = bench_pick(&o, 50, 80000, 320000);
	q.limit = 64L * n;
	q.producers_left = n;
	ps = bench_malloc(sizeof(*ps) * (size_t)n);
	tids = bench_malloc(sizeof(*tids) * 2 * (size_t)n);
	t0 = bench_now();
	for (t = 0; t < n; t++) {
		ps[t].index = t;
		ps[t].batches = batches;
		bench_thread_start(&tids[t], produce, &ps[t]);
		bench_thread_start(&tids[n + t], consume, NULL);
	}
	for (t = 0; t < 2 * n; t++)
		bench_thread_join(tids[t]);
	secs = bench_now() - t0;
	free(tids);
	free(ps);
	return bench_report(&o, (uint64_t)batches * BATCH * (uint64_t)n, secs,
			    "producers=%d consumers=%d", n, n);
}
