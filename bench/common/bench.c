/*
 * bench.c - command line, clock, error counting and the RESULT line shared
 * by the benchmark programs (see bench.h for the protocol).  The byte
 * pattern is tests/support's (pattern.h), seeded by a block's tag and size.
 */
#include "bench.h"
#include "pattern.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static __thread uint64_t t_checked, t_errors, t_reported;
static _Atomic uint64_t g_checked, g_errors;
static const char *g_name = "bench";

static void usage(const char *name)
{
	fprintf(stderr, "usage: %s [-m smoke|quick|full] [-t THREADS]\n", name);
	exit(2);
}

static int parse_mode(const char *s, enum bench_mode *m)
{
	if (strcmp(s, "smoke") == 0)
		*m = MODE_SMOKE;
	else if (strcmp(s, "quick") == 0)
		*m = MODE_QUICK;
	else if (strcmp(s, "full") == 0)
		*m = MODE_FULL;
	else
		return -1;
	return 0;
}

static int default_threads(void)
{
	const char *e = getenv("BENCH_THREADS");
	long n;

	if (e && *e && (n = strtol(e, NULL, 10)) > 0)
		return (int)n;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

void bench_init(struct bench_opts *o, const char *name, int argc, char **argv)
{
	const char *e = getenv("BENCH");
	int c;

	g_name = name;
	o->name = name;
	o->mode = MODE_QUICK;
	if (e && *e && parse_mode(e, &o->mode) != 0)
		o->mode = MODE_QUICK;
	o->threads = default_threads();
	while ((c = getopt(argc, argv, "m:t:h")) != -1) {
		switch (c) {
		case 'm':
			if (parse_mode(optarg, &o->mode) != 0)
				usage(name);
			break;
		case 't':
			o->threads = atoi(optarg);
			if (o->threads < 1 || o->threads > 1024)
				usage(name);
			break;
		default:
			usage(name);
		}
	}
	if (optind != argc)
		usage(name);
}

const char *bench_mode_name(enum bench_mode m)
{
	return m == MODE_SMOKE ? "smoke" : m == MODE_QUICK ? "quick" : "full";
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The seed of a block: its tag, and its size in the high bits. */
static inline uint64_t block_seed(uint64_t tag, size_t n)
{
	return tag ^ ((uint64_t)n << 40);
}

static void report_bad(const void *p, size_t n, size_t off, uint64_t found,
		       uint64_t want)
{
	t_errors++;
	if (t_reported++ < 3)
		fprintf(stderr,
			"%s: block %p (%zu bytes) damaged at offset %zu: "
			"found %#llx, expected %#llx\n",
			g_name, p, n, off, (unsigned long long)found,
			(unsigned long long)want);
}

void bench_mark(void *p, size_t n, uint64_t tag)
{
	pattern_fill_sparse(p, n, block_seed(tag, n));
}

int bench_check(const void *p, size_t n, uint64_t tag)
{
	uint64_t seed = block_seed(tag, n);
	size_t bad = pattern_bad_sparse(p, n, seed);

	t_checked++;
	if (bad == PATTERN_OK)
		return 0;
	report_bad(p, n, bad, ((const unsigned char *)p)[bad],
		   pattern_byte(seed, bad));
	return -1;
}

void bench_error(const char *fmt, ...)
{
	va_list ap;

	t_errors++;
	if (t_reported++ >= 3)
		return;
	fprintf(stderr, "%s: ", g_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *bench_malloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, "%s: malloc(%zu) failed: %s\n", g_name, n,
			strerror(errno));
		exit(3);
	}
	return p;
}

void bench_flush_counters(void)
{
	atomic_fetch_add(&g_checked, t_checked);
	atomic_fetch_add(&g_errors, t_errors);
	t_checked = t_errors = 0;
}

uint64_t bench_errors(void)
{
	return atomic_load(&g_errors) + t_errors;
}

struct trampoline {
	void *(*fn)(void *);
	void *arg;
};

static void *run_and_flush(void *p)
{
	struct trampoline t = *(struct trampoline *)p;
	void *r;

	free(p);
	r = t.fn(t.arg);
	bench_flush_counters();
	return r;
}

void bench_thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	struct trampoline *t = bench_malloc(sizeof(*t));
	int err;

	t->fn = fn;
	t->arg = arg;
	err = pthread_create(tid, NULL, run_and_flush, t);
	if (err) {
		fprintf(stderr, "%s: pthread_create: %s\n", g_name, strerror(err));
		exit(3);
	}
}

void bench_thread_join(pthread_t tid)
{
	pthread_join(tid, NULL);
}

void bench_spawn(int n, void *(*fn)(void *), void *arg, size_t stride)
{
	pthread_t *tids = bench_malloc(sizeof(*tids) * (size_t)n);
	int i;

	for (i = 0; i < n; i++)
		bench_thread_start(&tids[i], fn, (char *)arg + (size_t)i * stride);
	for (i = 0; i < n; i++)
		bench_thread_join(tids[i]);
	free(tids);
}

int bench_report(const struct bench_opts *o, uint64_t ops, double secs,
		 const char *extra_fmt, ...)
{
	uint64_t errors, checked;
	va_list ap;

	bench_flush_counters();
	errors = atomic_load(&g_errors);
	checked = atomic_load(&g_checked);
	printf("RESULT name=%s mode=%s threads=%d ops=%llu secs=%.4f "
	       "ops_per_sec=%.0f checked=%llu errors=%llu",
	       o->name, bench_mode_name(o->mode), o->threads,
	       (unsigned long long)ops, secs, secs > 0 ? (double)ops / secs : 0.0,
	       (unsigned long long)checked, (unsigned long long)errors);
	if (extra_fmt) {
		putchar(' ');
		va_start(ap, extra_fmt);
		vprintf(extra_fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
	if (checked == 0)
		fprintf(stderr, "%s: no block was checked\n", o->name);
	return errors == 0 && checked > 0 ? 0 : 1;
}
