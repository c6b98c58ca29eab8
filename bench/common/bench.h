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
long bench_minflt(void);        /* this process's minor faults so far */
long bench_rss_kb(void);        /* this process's resident set now */

/* xorshift64*: one per thread, seeded apart. */
struct rng {
	uint64_t s;
};

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
	if (r->s == 0)
		r->s = 1;
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, n). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static inline size_t rng_range(struct rng *r, size_t lo, size_t hi)
{
	return lo + (size_t)rng_below(r, hi - lo + 1);
}

/*
 * bench_mark() writes a pattern derived from tag and n into the block:
 * the whole block when it is small, otherwise its first 64 bytes, its last
 * 8 and one word in every 4 KiB page (so every page is touched, as a real
 * program would).  bench_check() verifies that pattern; a mismatch is
 * reported on stderr (once per thread) and counted.  Returns 0 when intact.
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
