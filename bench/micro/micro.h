/*
 * micro.h - the micro benchmarks' bodies, in C, as a table that the C++ shim
 * (shim.cc) registers with Google Benchmark.  The bodies know nothing of
 * C++ or of the benchmark library: each does `n` operations per call and
 * checks the bytes it wrote through bench_mark()/bench_check().
 *
 * One operation is one allocation and its free, except where the entry's
 * doc says otherwise.  Every entry runs once per value in its args list.
 */
#ifndef MICRO_H
#define MICRO_H

#ifdef __cplusplus
extern "C" {
#endif

struct micro_bench {
	const char *name;
	const char *doc;
	void (*run)(long arg, long n);  /* n operations; n is a multiple of batch */
	void (*setup)(long arg);        /* before timing, may be NULL */
	void (*teardown)(long arg);     /* after timing, may be NULL */
	const long *args;               /* terminated by 0 */
	long batch;                     /* operations per call of run */
	int all_threads;                /* run in every benchmark thread at once */
};

/* Each file's entries, terminated by an entry whose name is NULL. */
extern const struct micro_bench micro_pairs[];
extern const struct micro_bench micro_batches[];
extern const struct micro_bench micro_calloc[];
extern const struct micro_bench micro_realloc[];
extern const struct micro_bench micro_aligned[];
extern const struct micro_bench micro_xthread[];

/* Mark/check the head of a block only: micro benchmarks time the allocator,
 * not the page faults of writing whole blocks. */
void micro_mark(void *p, long n, unsigned long long tag);
void micro_check(void *p, long n, unsigned long long tag);

#ifdef __cplusplus
}
#endif

#endif
