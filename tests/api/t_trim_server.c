/*
 * t_trim_server: seed 001's server. Each request mallocs a 2 MiB buffer,
 * touches a few pages of it and frees it; under glibc's defaults every
 * request maps and unmaps, so every touched page is a minor fault, and the
 * article's fix is mallopt(M_MMAP_MAX, 0); mallopt(M_TRIM_THRESHOLD, -1).
 * Then: does memory go back to the OS once such a load stops? Needs the
 * library itself.
 *
 * Every variant runs in a forked child (fresh settings); the numbers printed
 * come from getrusage (minflt) and /proc/self/statm (RSS).
 * Proves that
 *  - defaults: after 50 warm-up requests, 2.2 s of requests paced at about
 *    2000 per second (the article's load; long enough for a decay period to
 *    pass) cost less than 0.01 minor faults per request (zero expected);
 *  - the seed's fix, mallopt(M_MMAP_MAX, 0) and mallopt(M_TRIM_THRESHOLD,
 *    -1): the same;
 *  - contrast, so the count is known to see faults: with chunk_cache 0
 *    (every request maps and unmaps, like glibc's default) a request costs
 *    at least as many faults as pages it touches;
 *  - after a burst (32 buffers of 2 MiB alive at once, every page written,
 *    then all freed) RSS stays up (>= 8 MiB more than before: kept for the
 *    next burst), and then goes back down by itself, to within 4 MiB of
 *    where it was, during light later activity (a 64 KiB malloc/free every
 *    5 ms): with the defaults (decay_ms 2000), with the seed's fix, and with
 *    decay_ms 200 set by mallopt (bounded at 15 s of activity each);
 *  - after the same burst, malloc_trim(0) returns 1 and RSS is back within
 *    4 MiB at once.
 */
#include "../common.h"
#include "tune_util.h"

#include <time.h>

#define BUF (2 * MIB)
#define TOUCH 6
#define BURST 32

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void request(void)
{
	volatile char *p = malloc(opaque_size(BUF));

	if (!p)
		fail("malloc(2 MiB) failed");
	for (int i = 0; i < TOUCH; i++)
		p[(BUF - PAGE) / (TOUCH - 1) * i & ~(PAGE - 1)] = (char)i;
	free((void *)p);
}

/* Requests for `seconds` at about `rate` a second (0 seconds: `n` at once).
 * Returns minor faults per request. */
static double serve(const char *name, int n, double seconds, int rate)
{
	long f0, f1;
	int done = 0;
	double t0;

	for (int i = 0; i < 50; i++)
		request();
	f0 = minflt();
	t0 = now_s();
	if (seconds > 0) {
		while (now_s() - t0 < seconds) {
			for (int i = 0; i < rate / 100; i++, done++)
				request();
			usleep(10000);
		}
	} else {
		for (; done < n; done++)
			request();
	}
	f1 = minflt();
	printf("%-34s %d requests in %.2f s: %ld minor faults, %.4f per "
	       "request\n", name, done, now_s() - t0, f1 - f0,
	       (double)(f1 - f0) / done);
	fflush(stdout);
	return (double)(f1 - f0) / done;
}

static void burst(void)
{
	void *p[BURST];

	for (int i = 0; i < BURST; i++) {
		p[i] = malloc(opaque_size(BUF));
		if (!p[i])
			fail("burst: malloc(2 MiB) failed");
		memset(p[i], i + 1, BUF);
	}
	for (int i = 0; i < BURST; i++)
		free(p[i]);
}

/* Light activity until RSS is within slack_kib of base, or limit seconds. */
static void decay_back(const char *name, long base, long slack_kib, double limit)
{
	long after, rss = rss_kib();
	double t0 = now_s(), t;
	int n = 0;

	after = rss;
	printf("%-34s RSS before the burst %ld KiB, after it %ld KiB\n", name,
	       base, after);
	fflush(stdout);
	CHECK(after >= base + 8192, "%s: RSS only %ld -> %ld KiB after a burst "
	       "of 64 MiB: freed memory was not kept for the next burst", name,
	       base, after);
	while ((t = now_s() - t0) < limit && rss > base + slack_kib) {
		void *q = malloc(opaque_size(64 * KIB));
		if (!q)
			fail("malloc(64 KiB) failed");
		*(volatile char *)q = 1;
		free(q);
		usleep(5000);
		n++;
		rss = rss_kib();
	}
	printf("%-34s RSS %ld KiB after %.2f s of light activity (%d malloc/"
	       "free of 64 KiB)\n", name, rss, t, n);
	fflush(stdout);
	CHECK(rss <= base + slack_kib, "%s: RSS still %ld KiB after %.0f s of "
	       "light activity (before the burst %ld KiB, after it %ld KiB)",
	       name, rss, limit, base, after);
}

static int v_defaults(void *arg)
{
	long base;
	double f;

	(void)arg;
	f = serve("defaults", 0, 2.2, 2000);
	CHECK(f < 0.01, "defaults: %.4f minor faults per request at steady "
	       "state, expected 0", f);
	base = rss_kib();
	burst();
	decay_back("defaults, decay_ms 2000", base, 4096, 15);
	return 0;
}

static int v_seed_fix(void *arg)
{
	long base;
	double f;

	(void)arg;
	CHECK(MALLOPT(M_MMAP_MAX, 0) == 1);
	CHECK(MALLOPT(M_TRIM_THRESHOLD, -1) == 1);
	f = serve("M_MMAP_MAX 0, M_TRIM_THRESHOLD -1", 0, 2.2, 2000);
	CHECK(f < 0.01, "seed's fix: %.4f minor faults per request at steady "
	       "state, expected 0", f);
	base = rss_kib();
	burst();
	decay_back("seed's fix", base, 4096, 15);
	return 0;
}

static int v_small_decay(void *arg)
{
	long base;

	(void)arg;
	CHECK(MALLOPT(M_BUDDY_DECAY_MS, 200) == 1);
	serve("decay_ms 200", 500, 0, 0);
	base = rss_kib();
	burst();
	decay_back("decay_ms 200", base, 4096, 15);
	return 0;
}

static int v_trim(void *arg)
{
	long base, after;
	int t;

	(void)arg;
	serve("defaults, then malloc_trim", 500, 0, 0);
	base = rss_kib();
	burst();
	after = rss_kib();
	t = malloc_trim(0);
	printf("%-34s RSS before the burst %ld KiB, after it %ld KiB, after "
	       "malloc_trim(0) = %d: %ld KiB\n", "malloc_trim(0)", base, after,
	       t, rss_kib());
	fflush(stdout);
	CHECK(t == 1, "malloc_trim(0) returned %d after a burst", t);
	CHECK(rss_kib() <= base + 4096, "RSS %ld KiB after malloc_trim(0), "
	       "before the burst %ld KiB", rss_kib(), base);
	return 0;
}

static int v_no_cache(void *arg)
{
	double f;

	(void)arg;
	CHECK(MALLOPT(M_BUDDY_CHUNK_CACHE, 0) == 1);
	f = serve("chunk_cache 0 (glibc-like)", 500, 0, 0);
	CHECK(f >= TOUCH, "chunk_cache 0: %.2f faults per request, expected at "
	       "least the %d pages touched: the fault count is not trustworthy",
	       f, TOUCH);
	return 0;
}

static void variant(const char *name, int (*fn)(void *))
{
	struct child_result r;

	fflush(stdout);
	run_child(fn, NULL, 40, &r);
	if (r.err_len)
		fputs(r.err, stdout);
	fflush(stdout);
	CHECK(r.exited && r.status == 0, "variant \"%s\" failed (%s): %s",
	       name, child_how(&r), r.err);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */
	watchdog(120);
	require_buddymalloc();
	printf("request: malloc(2 MiB), write %d pages, free\n", TOUCH);
	variant("chunk_cache 0", v_no_cache);
	variant("defaults", v_defaults);
	variant("seed's fix", v_seed_fix);
	variant("decay_ms 200", v_small_decay);
	variant("malloc_trim", v_trim);
	printf("server as expected\n");
	return 0;
}
