/*
 * bench.h - what every benchmark program in bench/ shares.
 *
 * Each program is run as `PROG [-m smoke|quick|full] [-t THREADS]` and does
 * a fixed amount of work (so wall time compares allocators), checks every
 * byte pattern it wrote before it frees the block, and ends with one line
 *
 *   RESULT name=NAME mode=MODE threads=T ops=N secs=S ops_per_sec=R
 *          checked=C errors=E [key=value ...]
 *
 * and exit status 0 only when errors=0.  bench/run.sh and the smoke test in
 * tests/check/bench-smoke.sh read that line; nothing else is parsed.
 *
 * Counters of checked blocks and errors are per thread and merged when a
 * thread started with bench_spawn() ends, so checking costs no atomics.
 */
#ifndef BENCH_H
#define BENCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"        /* tests/support: struct rng, one per thread */
#include "proc.h"       /* tests/support: proc_rss_kib(), proc_minflt() */

enum bench_mode { MODE_SMOKE, MODE_QUICK, MODE_FULL };

struct bench_opts {
	const char *name;
	enum bench_mode mode;
	int threads;            /* -t, else $BENCH_THREADS, else nproc */
};

/* Parses -m and -t; exits with status 2 on a bad command line. */
void bench_init(struct bench_opts *o, const char *name, int argc, char **argv);
const char *bench_mode_name(enum bench_mode m);

/* One of three sizes, by mode. */
static inline long bench_pick(const struct bench_opts *o, long smoke, long quick,
			      long full)
{
	return o->mode == MODE_SMOKE ? smoke : o->mode == MODE_QUICK ? quick : full;
}

double bench_now(void);         /* monotonic seconds */

/*
 * bench_mark() writes the sparse form of tests/support's pattern, seeded
 * by tag and n, into the block: the whole block when it is small,
 * otherwise its first 64 bytes, its last 8 and one word in every 4 KiB
 * page (so every page is touched, as a real program would).  bench_check()
 * verifies that pattern; a mismatch is reported on stderr (at most three
 * times per thread) and counted.  Returns 0 when intact.
 */
void bench_mark(void *p, size_t n, uint64_t tag);
int bench_check(const void *p, size_t n, uint64_t tag);

/* Count a failure found by other means (wrong alignment, nonzero calloc). */
void bench_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* malloc that exits with a message instead of returning NULL. */
void *bench_malloc(size_t n);

/* Add this thread's counters to the totals (bench_spawn's threads do it). */
void bench_flush_counters(void);
uint64_t bench_errors(void);

/*
 * Runs fn(arg + i * stride) in n threads and waits for them all.  Each
 * thread's counters are merged when it returns.
 */
void bench_spawn(int n, void *(*fn)(void *), void *arg, size_t stride);

/* Starts one joinable thread that merges its counters when fn returns. */
void bench_thread_start(pthread_t *tid, void *(*fn)(void *), void *arg);
void bench_thread_join(pthread_t tid);

/*
 * Prints the RESULT line (extra, if not NULL, is appended as more
 * key=value pairs) and returns the exit status for main.
 */
int bench_report(const struct bench_opts *o, uint64_t ops, double secs,
		 const char *extra_fmt, ...) __attribute__((format(printf, 4, 5)));

/* Keeps the compiler from dropping a value or a malloc/free pair. */
static inline void bench_escape(const void *p)
{
	__asm__ volatile("" : : "g"(p) : "memory");
}

#endif
