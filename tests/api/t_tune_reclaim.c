/*
 * t_tune_reclaim: the knobs of the watermark policy (wmark_high, wmark_low,
 * wmark_min with decay_ms) and slab_reserve change when memory goes back.
 * Needs the library itself.
 *
 * Each case runs in a forked child with trim_threshold = -1, so the break
 * never shrinks and every page that goes back does so through the zones
 * (madvise). A burst is 320 page runs of 64 KiB (20 MiB), every page
 * written, then all freed. RSS is read from /proc/self/statm before the
 * burst (base), with the burst live (peak) and after the frees (after).
 * Proves that
 *  - high 16 MiB, low 8 MiB: after - base is between 7 and 17
 *    MiB: the zone went down to low when it passed high, and keeps pages
 *    for the next burst;
 *  - wmark_high = wmark_low = 0: after - base < 1.5 MiB: each free gives
 *    its pages back;
 *  - wmark_high = -1 (never), decay off: after >= peak - 1.5 MiB: nothing
 *    went back;
 *  - wmark_low 2 MiB, wmark_high 4 MiB: after - base < 5.5 MiB;
 *  - decay_ms 100, after a burst and 2 s of light activity (a 64 KiB
 *    malloc/free every 5 ms): with wmark_min 0, RSS is back within 1.5 MiB
 *    of base (everything unused went back); with wmark_min 6 MiB it settles
 *    between base + 2 and base + 7 MiB: down to wmark_min, and not more
 *    than one 4 MiB block below it (blocks go back whole);
 *  - the same with defaults (wmark_min 1 MiB, decay_ms 100) in a fresh copy
 *    of this program that allocates nothing else, so that every free block
 *    is a whole 4 MiB block that the light activity splits: RSS is back
 *    within 2 MiB of base;
 *  - slab_reserve: 640 objects of 1000 bytes (40 slabs) allocated and
 *    freed; with slab_reserve 64 the empty slabs stay (smblks rises by at
 *    least 30 slabs' worth of objects), with 0 they go (smblks rises by
 *    less than 2 slabs' worth).
 */
#include "../common.h"
#include "tune_util.h"

#include <time.h>

#define NRUN 320
#define RUN (64 * KIB)

struct wm {
	const char *name;
	int low, high, min, decay;	/* -2: leave as is */
};

static long base, peak, after;

static void burst(void)
{
	static void *p[NRUN];

	base = rss_kib();
	for (int i = 0; i < NRUN; i++) {
		p[i] = malloc(opaque_size(RUN));
		if (!p[i])
			fail("malloc(64 KiB) failed");
		memset(p[i], 7, RUN);
	}
	peak = rss_kib();
	for (int i = 0; i < NRUN; i++)
		free(p[i]);
	after = rss_kib();
}

static void set(const struct wm *w)
{
	CHECK(MALLOPT(M_TRIM_THRESHOLD, -1) == 1);
	CHECK(MALLOPT(M_BUDDY_DECAY_MS, w->decay) == 1);
	if (w->low != -2)
		CHECK(MALLOPT(M_BUDDY_WMARK_LOW, w->low) == 1);
	if (w->high != -2)
		CHECK(MALLOPT(M_BUDDY_WMARK_HIGH, w->high) == 1);
	if (w->min != -2)
		CHECK(MALLOPT(M_BUDDY_WMARK_MIN, w->min) == 1);
}

static int wmark_case(void *arg)
{
	const struct wm *w = arg;

	set(w);
	burst();
	printf("%-34s RSS base %ld KiB, burst live %ld KiB, freed %ld KiB "
	       "(+%ld KiB)\n", w->name, base, peak, after, after - base);
	fflush(stdout);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int min_case(void *arg)
{
	const struct wm *w = arg;
	double t0;
	int n = 0;

	set(w);
	burst();
	t0 = now_s();
	while (now_s() - t0 < 2.0) {
		void *q = malloc(opaque_size(64 * KIB));
		if (!q)
			fail("malloc(64 KiB) failed");
		*(volatile char *)q = 1;
		free(q);
		usleep(5000);
		n++;
	}
	after = rss_kib();
	printf("%-34s RSS base %ld KiB, burst live %ld KiB, after 2 s of light "
	       "activity (%d malloc/free) %ld KiB (+%ld KiB)\n", w->name, base,
	       peak, n, after, after - base);
	fflush(stdout);
	return 0;
}

/* The checks run in the child: wrap the cases with their bounds. */
struct bounded {
	struct wm w;
	int (*fn)(void *);
	long lo_kib, hi_kib;	/* after - base; hi < 0: after >= peak + hi */
};

static int bounded_case(void *arg)
{
	const struct bounded *b = arg;

	b->fn((void *)&b->w);
	if (b->hi_kib < 0)
		CHECK(after >= peak + b->hi_kib, "%s: RSS %ld KiB with the burst "
		       "live, %ld KiB after the frees: pages went back", b->w.name,
		       peak, after);
	else
		CHECK(after - base >= b->lo_kib && after - base <= b->hi_kib,
		       "%s: RSS %ld KiB before the burst, %ld KiB after: +%ld KiB, "
		       "expected between +%ld and +%ld KiB", b->w.name, base, after,
		       after - base, b->lo_kib, b->hi_kib);
	return 0;
}

/*
 * In a fresh copy of this program that allocates nothing else (no stdio
 * until the end): after the burst every free block of the zone is a whole
 * 4 MiB block, and the light activity splits one of them each time.
 */
static int fresh_decay(void)
{
	char buf[256];
	double t0;
	int n = 0, len;

	if (mallopt(M_TRIM_THRESHOLD, -1) != 1 || mallopt(M_BUDDY_DECAY_MS, 100) != 1)
		fail("mallopt refused");
	burst();
	t0 = now_s();
	while (now_s() - t0 < 2.0) {
		void *q = malloc(opaque_size(64 * KIB));
		if (!q)
			fail("malloc(64 KiB) failed");
		*(volatile char *)q = 1;
		free(q);
		usleep(5000);
		n++;
	}
	after = rss_kib();
	len = snprintf(buf, sizeof(buf), "%-34s RSS base %ld KiB, burst live %ld "
		       "KiB, after 2 s of light activity (%d malloc/free) %ld KiB "
		       "(+%ld KiB)\n", "fresh process, decay_ms 100", base, peak, n,
		       after, after - base);
	if (write(1, buf, len) < 0)
		return 3;
	CHECK(after - base <= 2048, "fresh process, decay_ms 100, wmark_min "
	       "1 MiB: RSS %ld KiB before the burst, %ld KiB after 2 s of light "
	       "activity (+%ld KiB): decay left more than wmark_min + 1 MiB "
	       "resident", base, after, after - base);
	return 0;
}

static void slab_reserve(int reserve, size_t lo_objs, size_t hi_objs)
{
	static void *p[640];
	struct mallinfo2 a, b;

	CHECK(MALLOPT(M_BUDDY_SLAB_RESERVE, reserve) == 1);
	a = mallinfo2();
	for (int i = 0; i < 640; i++)
		CHECK((p[i] = malloc(opaque_size(1000))) != NULL);
	for (int i = 0; i < 640; i++)
		free(p[i]);
	b = mallinfo2();
	printf("slab_reserve %-2d: 40 slabs of 1000 B objects allocated and freed: "
	       "smblks %zu -> %zu (+%zd)\n", reserve, a.smblks, b.smblks,
	       (ssize_t)(b.smblks - a.smblks));
	CHECK(b.smblks >= a.smblks + lo_objs && b.smblks <= a.smblks + hi_objs,
	       "slab_reserve %d: free slab objects (smblks) %zu -> %zu, expected "
	       "a rise between %zu and %zu", reserve, a.smblks, b.smblks,
	       lo_objs, hi_objs);
	malloc_trim(0);
}

int main(int argc, char **argv)
{
	static struct bounded cases[] = {
		{ { "wmark_low 8 MiB, wmark_high 16 MiB", 8 << 20, 16 << 20, -2, 3600000 },
		  wmark_case, 7 * 1024, 17 * 1024 },
		{ { "wmark_high = wmark_low = 0", 0, 0, -2, 3600000 },
		  wmark_case, -1024, 1536 },
		{ { "wmark_high -1 (never)", -2, -1, -2, 3600000 },
		  wmark_case, 0, -1536 },
		{ { "wmark_low 2 MiB, wmark_high 4 MiB", 2 << 20, 4 << 20, -2,
		    3600000 }, wmark_case, 0, 5632 },
		{ { "wmark_min 0, decay_ms 100", -2, -2, 0, 100 },
		  min_case, -1024, 1536 },
		{ { "wmark_min 6 MiB, decay_ms 100", -2, -2, 6 << 20, 100 },
		  min_case, 2048, 7168 },
	};
	struct child_result r;
	int wst, failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */

	watchdog(60);
	require_buddymalloc();
	if (argc > 1 && strcmp(argv[1], "fresh") == 0)
		return fresh_decay();
	printf("burst: 320 runs of 64 KiB written, then freed; trim_threshold -1\n");
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fflush(stdout);
		run_child(bounded_case, &cases[i], 30, &r);
		if (r.err[0])
			printf("%s", r.err);
		fflush(stdout);
		if (!r.exited || r.status != 0) {
			printf("case \"%s\" FAILED (%s)\n", cases[i].w.name,
			       child_how(&r));
			failed++;
		}
	}
	/* 1000 B objects: size class 1024, 16 per slab */
	slab_reserve(64, 30 * 16, 41 * 16);
	slab_reserve(0, 0, 2 * 16 - 1);
	wst = reexec("fresh", NULL);
	if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
		printf("the fresh-process decay case FAILED (%s)\n", wait_how(wst));
		failed++;
	}
	CHECK(failed == 0, "%d case(s) failed, see above", failed);
	printf("reclaim knobs as expected\n");
	return 0;
}
