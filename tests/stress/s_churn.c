/*
 * s_churn: 10,000 short-lived threads, four at a time, each allocating and
 * freeing a mix of slab objects, page runs and (every eighth thread) a
 * mapped chunk; some of each thread's blocks outlive it and are checked and
 * freed by the main thread after it has exited.
 *
 * Proves that
 *  - every byte of every block is intact when it is freed, including blocks
 *    whose thread has exited;
 *  - thread exit gives the thread's caches back: the resident set after all
 *    10,000 threads is at most RSS_SLACK_KIB above what it was after the
 *    first 1,000.
 *
 * Why 8 MiB: when the two measurements are taken the same things are live
 * (nothing but the handed-over blocks of the last batch, under 1 MiB) and
 * glibc's cache of thread stacks is warm (threads are joined, so their
 * stacks are reused). A library that kept even one page per exited thread
 * would grow by 9,000 pages = 35 MiB; one that kept a thread's slabs or page
 * cache would grow by far more. 8 MiB leaves room for the watermark
 * hysteresis of DESIGN.md (free pages kept resident up to the high mark) and
 * for the first measurement being taken before caches reached their steady
 * size, while still catching a leak of about 1 KiB per thread.
 */
#include "../common.h"

#include <pthread.h>

#define NTHREADS 10000
#define AT_ONCE 4
#define FIRST 1000
#define RSS_SLACK_KIB (8 * 1024)
#define SMALL 48
#define HANDOVER 3
#define SALT 0xc4u

struct job {
	unsigned id;
	char *keep[HANDOVER];	/* blocks left to the main thread */
};

static void drop(char **p)
{
	if (*p) {
		block_check(*p, SALT, MIB);
		free(*p);
		*p = NULL;
	}
}

static char *make(size_t n, unsigned id)
{
	char *p = malloc(n);

	CHECK(p != NULL, "thread %u: malloc(%zu) failed", id, n);
	block_fill(p, n, SALT);
	return p;
}

static void *churn(void *arg)
{
	struct job *j = arg;
	char *p[SMALL + 3];
	unsigned n = 0, i;
	struct rng r;

	rng_seed(&r, j->id);
	for (i = 0; i < SMALL; i++) {	/* every slab class, log-uniform */
		unsigned shift = 4 + i % 12;

		p[n++] = make(rng_range(&r, ((size_t)1 << shift) / 2 + 8,
					    (size_t)1 << shift), j->id);
	}
	p[n++] = make(rng_range(&r, SLAB_MAX + 1, 2 * SLAB_MAX), j->id);
	p[n++] = make(rng_range(&r, SLAB_MAX + 1, MMAP_THRESHOLD - 1), j->id);
	if (j->id % 8 == 0)
		p[n++] = make(rng_range(&r, MMAP_THRESHOLD, 200000), j->id);
	/* some realloc traffic too */
	for (i = 0; i < 4; i++) {
		size_t len = block_check(p[i], SALT, MIB), m = len * 3 + 100;
		char *q = realloc(p[i], m);

		CHECK(q != NULL, "thread %u: realloc failed", j->id);
		CHECK_PATTERN(q + 8, len - 8, pattern_seed(p[i], SALT ^ len),
			      "block after realloc");
		block_fill(q, m, SALT);
		p[i] = q;
	}
	/* the main thread frees one small block, a page run, and (if any)
	 * the mapped chunk after this thread has gone */
	j->keep[0] = p[SMALL / 2];
	p[SMALL / 2] = NULL;
	j->keep[1] = p[SMALL + 1];
	p[SMALL + 1] = NULL;
	j->keep[2] = n > SMALL + 2 ? p[SMALL + 2] : NULL;
	if (n > SMALL + 2)
		p[SMALL + 2] = NULL;
	for (i = 1; i < n; i += 2)	/* odd ones first, then even ones */
		drop(&p[i]);
	for (i = 0; i < n; i += 2)
		drop(&p[i]);
	return NULL;
}

int main(void)
{
	static struct job jobs[AT_ONCE];
	pthread_t t[AT_ONCE];
	long rss_first = 0, rss_last, vm_first = 0, vm_last;
	unsigned done = 0, i, k;

	watchdog(120);
	while (done < NTHREADS) {
		for (i = 0; i < AT_ONCE; i++) {
			jobs[i].id = done + i;
			CHECK(pthread_create(&t[i], NULL, churn, &jobs[i]) == 0,
			       "pthread_create failed after %u threads", done);
		}
		for (i = 0; i < AT_ONCE; i++) {
			CHECK(pthread_join(t[i], NULL) == 0);
			for (k = 0; k < HANDOVER; k++) {
				if (!jobs[i].keep[k])
					continue;
				block_check(jobs[i].keep[k], SALT, MIB);
				free(jobs[i].keep[k]);
				jobs[i].keep[k] = NULL;
			}
		}
		done += AT_ONCE;
		if (done == FIRST) {
			rss_first = rss_kib();
			vm_first = vm_kib();
		}
	}
	rss_last = rss_kib();
	vm_last = vm_kib();
	printf("after %u threads: RSS %ld KiB, VM %ld KiB; after %u: RSS %ld "
	       "KiB, VM %ld KiB\n", FIRST, rss_first, vm_first, NTHREADS,
	       rss_last, vm_last);
	CHECK(rss_last - rss_first <= RSS_SLACK_KIB, "RSS grew by %ld KiB "
	       "between thread %u and thread %u (limit %d KiB): exited threads "
	       "leave memory behind", rss_last - rss_first, FIRST, NTHREADS,
	       RSS_SLACK_KIB);
	return 0;
}
