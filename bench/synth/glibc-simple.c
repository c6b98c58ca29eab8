/*
 * glibc-simple - the single-thread fast path (after the published
 * description of glibc's bench-malloc-simple).
 *
 * For every size of 16..1024 bytes (powers of two) and every count of 25,
 * 100, 400 and 1600 blocks: allocate the blocks, then free them, many
 * times.  The whole sweep runs twice: once while the process has only one
 * thread, and again after a thread has been created and joined, since some
 * allocators take a cheaper path while a process is single-threaded.
 */
#include "bench.h"

#include <stdlib.h>

static const size_t SIZES[] = { 16, 32, 64, 128, 256, 512, 1024 };
static const long COUNTS[] = { 25, 100, 400, 1600 };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t sweep(long total_per_case, int phase)
{
	void *p[1600];
	uint64_t ops = 0, tag;
	size_t s;
	unsigned c;
	long rep, i;

	for (s = 0; s < NELEM(SIZES); s++) {
		for (c = 0; c < NELEM(COUNTS); c++) {
			long reps = total_per_case / COUNTS[c];

			tag = ((uint64_t)phase << 56) | ((uint64_t)s << 48) | ((uint64_t)c << 40);
			for (rep = 0; rep < reps; rep++) {
				for (i = 0; i < COUNTS[c]; i++) {
					p[i] = bench_malloc(SIZES[s]);
					bench_mark(p[i], SIZES[s], tag + (uint64_t)i);
				}
				for (i = 0; i < COUNTS[c]; i++) {
					bench_check(p[i], SIZES[s], tag + (uint64_t)i);
					free(p[i]);
				}
				ops += (uint64_t)COUNTS[c];
			}
		}
	}
	return ops;
}

static void *idle(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	pthread_t tid;
	uint64_t ops;
	long per_case;
	double t0, single, multi;

	bench_init(&o, "glibc-simple", argc, argv);
	o.threads = 1;
	per_case = bench_pick(&o, 3200, 200000, 800000);
	t0 = bench_now();
	ops = sweep(per_case, 0);
	single = bench_now() - t0;
	bench_thread_start(&tid, idle, NULL);
	bench_thread_join(tid);
	ops += sweep(per_case, 1);
	multi = bench_now() - t0 - single;
	return bench_report(&o, ops, single + multi,
			    "single_thread_secs=%.4f after_thread_secs=%.4f", single, multi);
}
