/*
 * server2m - the server of seeds/001: every request mallocs a 2 MiB buffer,
 * touches a few pages of it, and frees it.
 *
 * With a malloc that serves 2 MiB from a fresh mmap and unmaps it on free,
 * every touched page is a minor fault on every request, and the faults are
 * what the seed's server spent its system time on.  This program measures
 * minor faults per request in steady state (after a warm-up), and the
 * resident set once the load has stopped (memory should go back to the OS).
 *
 * Each of T threads serves requests: a small request record, a 2 MiB buffer
 * of which PAGES pages are written and read back, a small reply string.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE ((size_t)2 << 20)
#define PAGE 4096
#define PAGES 6
#define SLICE 256               /* bytes written on each touched page */

struct request {
	uint64_t id;
	size_t page[PAGES];
	char peer[64];
};

struct worker {
	int index;
	long warmup, requests;
	pthread_barrier_t *start, *measured;
};

static void serve(uint64_t id, struct rng *r)
{
	struct request *q = bench_malloc(sizeof(*q));
	unsigned char *buf = bench_malloc(BUF_SIZE);
	char *reply;
	size_t first;
	int i;

	q->id = id;
	snprintf(q->peer, sizeof(q->peer), "10.0.%u.%u:%u", (unsigned)(id >> 8) & 255,
		 (unsigned)id & 255, 1024 + (unsigned)(id % 50000));
	first = (size_t)rng_below(r, BUF_SIZE / PAGE);
	for (i = 0; i < PAGES; i++) {   /* distinct pages: 85 is odd, 512 a power of 2 */
		q->page[i] = (first + (size_t)i * 85) % (BUF_SIZE / PAGE);
		bench_mark(buf + q->page[i] * PAGE, SLICE, id * PAGES + (uint64_t)i);
	}
	for (i = 0; i < PAGES; i++)
		bench_check(buf + q->page[i] * PAGE, SLICE, id * PAGES + (uint64_t)i);
	reply = bench_malloc(128);
	snprintf(reply, 128, "200 OK request %llu from %s",
		 (unsigned long long)id, q->peer);
	bench_escape(reply);
	free(reply);
	free(buf);
	free(q);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t id = (uint64_t)w->index << 40;
	struct rng r;
	long i;

	rng_seed(&r, 2 + (uint64_t)w->index);
	for (i = 0; i < w->warmup; i++)
		serve(id++, &r);
	pthread_barrier_wait(w->start);
	for (i = 0; i < w->requests; i++)
		serve(id++, &r);
	pthread_barrier_wait(w->measured);
	return NULL;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct worker *ws;
	pthread_barrier_t start, measured;
	pthread_t *tids;
	long requests, warmup, flt0, flt1, rss_idle;
	double t0, secs;
	int t;

	bench_init(&o, "server2m", argc, argv);
	requests = bench_pick(&o, 50, 200000, 800000);
	warmup = bench_pick(&o, 10, 1000, 2000);
	pthread_barrier_init(&start, NULL, (unsigned)o.threads + 1);
	pthread_barrier_init(&measured, NULL, (unsigned)o.threads + 1);
	ws = bench_malloc(sizeof(*ws) * (size_t)o.threads);
	tids = bench_malloc(sizeof(*tids) * (size_t)o.threads);
	for (t = 0; t < o.threads; t++) {
		ws[t] = (struct worker){ t, warmup, requests, &start, &measured };
		bench_thread_start(&tids[t], work, &ws[t]);
	}
	pthread_barrier_wait(&start);
	flt0 = proc_minflt();
	t0 = bench_now();
	pthread_barrier_wait(&measured);
	secs = bench_now() - t0;
	flt1 = proc_minflt();
	for (t = 0; t < o.threads; t++)
		bench_thread_join(tids[t]);
	usleep(100000);         /* the load has stopped: a moment of idleness */
	rss_idle = proc_rss_kib();
	free(tids);
	free(ws);
	return bench_report(&o, (uint64_t)(requests * o.threads), secs,
			    "minflt_per_req=%.3f rss_idle_kb=%ld",
			    (double)(flt1 - flt0) / (double)(requests * o.threads), rss_idle);
}
