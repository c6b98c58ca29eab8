/*
 * t_trim_break: the top of the program break goes back to the OS after big
 * frees there (trim_threshold), keeping top_pad; and not at all with
 * trim_threshold = -1. Needs the library itself.
 *
 * Each round: malloc_trim(0) (the break starts with no free pages on top),
 * then 40 page runs of 64 KiB (2.5 MiB, every page written) grow the break,
 * then all are freed. Printed: sbrk(0) and RSS (/proc/self/statm) at each
 * step, and mallinfo2's keepcost (free bytes at the top of the break).
 * Proves that
 *  - defaults (trim_threshold = top_pad = 128 KiB, not set by the program):
 *    the break shrinks by all it grew but the top pad, keepcost is then
 *    exactly 128 KiB, RSS falls by what was written minus the pad (within
 *    512 KiB). Since commit 339cfce the library does this from its decay
 *    tick rather than in the free that passes the threshold, unless the
 *    program set trim_threshold or top_pad: so the test allows light later
 *    activity (a 64 KiB malloc/free every 5 ms, up to 8 s) and prints
 *    whether the break had moved at once;
 *  - trim_threshold set to 128 KiB (glibc's default, set explicitly): the
 *    break shrinks at once, in the frees, as glibc's does;
 *  - top_pad = 1 MiB: the break keeps exactly 1 MiB free on top (keepcost);
 *  - trim_threshold = 1 MiB: it shrinks too (2.5 MiB > 1 MiB), keeping the
 *    128 KiB pad, and keepcost ends between the pad and the threshold;
 *  - trim_threshold = -1: the break does not move and RSS stays (keepcost is
 *    all the break grew by); malloc_trim(0) then returns 1, lowers the break and
 *    leaves keepcost 0; a second malloc_trim(0) right after returns 0.
 *  - trim_threshold = 8 MiB (more than a 4 MiB section) with 24 MiB freed at
 *    the top: the break shrinks too (glibc compares the whole free top).
 */
#include "../common.h"
#include "tune_util.h"

#include <time.h>

#define NRUN 40
#define RUN (64 * KIB)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct round {
	void *s0, *s1, *s2;
	long rss1, rss2;
	size_t keep;
};

static void run_round(const char *name, int nrun, struct round *r)
{
	static void *p[512];
	int i;

	CHECK(nrun <= 512, "too many runs");
	malloc_trim(0);
	r->s0 = sbrk(0);
	for (i = 0; i < nrun; i++) {
		p[i] = malloc(opaque_size(RUN));
		CHECK(p[i] != NULL, "%s: malloc(64 KiB) failed", name);
		CHECK(in_brk(p[i], RUN), "%s: run %p (64 KiB) is not in the brk "
		       "range [%p, %p): the test needs brk runs", name, p[i],
		       (void *)brk_start(), sbrk(0));
		memset(p[i], 0x11, RUN);
	}
	r->s1 = sbrk(0);
	r->rss1 = rss_kib();
	for (i = 0; i < nrun; i++)
		free(p[i]);
	r->s2 = sbrk(0);
	r->rss2 = rss_kib();
	r->keep = mallinfo2().keepcost;
	printf("%-26s break %p -> %p (+%ld KiB) -> after free %p (%+ld KiB); "
	       "RSS %ld -> %ld KiB; keepcost %zu\n", name, r->s0, r->s1,
	       ((char *)r->s1 - (char *)r->s0) / 1024, r->s2,
	       ((char *)r->s2 - (char *)r->s1) / 1024, r->rss1, r->rss2, r->keep);
	fflush(stdout);
	CHECK((char *)r->s1 - (char *)r->s0 >= (long)MIB, "%s: 2.5 MiB of runs "
	       "grew the break only from %p to %p", name, r->s0, r->s1);
}

static void expect_trimmed(const char *name, const struct round *r, size_t pad)
{
	long grown = (char *)r->s1 - (char *)r->s0;
	long shrunk = (char *)r->s1 - (char *)r->s2;

	CHECK(shrunk >= grown - (long)pad - (long)RUN, "%s: the break grew by "
	       "%ld KiB and shrank by only %ld KiB after everything on top of "
	       "it was freed (pad %zu KiB)", name, grown / 1024, shrunk / 1024,
	       pad / 1024);
	CHECK(r->rss2 <= r->rss1 - (long)((NRUN * RUN - pad) / 1024) + 512,
	       "%s: RSS %ld -> %ld KiB after the break shrank: the pages did "
	       "not go back", name, r->rss1, r->rss2);
}

/* The defaults round, in a forked child: a failure here must not stop the
 * rounds with explicit settings, and those settings must come after it. */
static int defaults_round(void *arg)
{
	struct round r;
	uintptr_t last = 0;
	long grown;
	double t0;
	int n = 0;

	(void)arg;
	run_round("defaults", NRUN, &r);
	grown = (char *)r.s1 - (char *)r.s0;
	printf("defaults: right after the frees the break has %s\n",
	       (char *)r.s1 - (char *)r.s2 >= grown - (long)(256 * KIB) ?
	       "shrunk" : "NOT shrunk (left to the decay tick)");
	t0 = now_s();
	while ((char *)r.s1 - (char *)sbrk(0) < grown - (long)(256 * KIB) &&
	       now_s() - t0 < 8) {
		void *q = malloc(opaque_size(RUN));

		CHECK(q != NULL);
		last = (uintptr_t)q;
		*(volatile char *)q = 1;
		free(q);
		usleep(5000);
		n++;
	}
	r.s2 = sbrk(0);
	r.rss2 = rss_kib();
	r.keep = mallinfo2().keepcost;
	printf("defaults, after %.2f s of light activity (%d malloc/free of "
	       "64 KiB, the last at %#lx): break %p (%+ld KiB), RSS %ld KiB, "
	       "keepcost %zu\n", now_s() - t0, n, (unsigned long)last, r.s2,
	       ((char *)r.s2 - (char *)r.s1) / 1024, r.rss2, r.keep);
	expect_trimmed("defaults", &r, 128 * KIB);
	CHECK(r.keep == 128 * KIB, "defaults: keepcost %zu after the trim, "
	       "expected top_pad = 131072", r.keep);
	return 0;
}

int main(void)
{
	struct child_result cr;
	struct round r;
	void *keep_small;
	int t, defaults_ok;

	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */

	watchdog(60);
	require_buddymalloc();
	/* the first brk section is started now: its alignment gap is not
	 * counted as growth of a round */
	keep_small = malloc(opaque_size(100));
	CHECK(keep_small != NULL);
	printf("start: break %p\n", sbrk(0));

	fflush(stdout);
	run_child(defaults_round, NULL, 30, &cr);
	if (cr.err_len)
		printf("%s", cr.err);
	defaults_ok = cr.exited && cr.status == 0;

	CHECK(MALLOPT(M_TRIM_THRESHOLD, 128 * 1024) == 1);
	run_round("trim_threshold 128 KiB, set", NRUN, &r);
	expect_trimmed("trim_threshold 128 KiB, set", &r, 128 * KIB);
	CHECK(r.keep == 128 * KIB, "trim_threshold 128 KiB, set: keepcost %zu "
	       "right after the frees, expected top_pad = 131072", r.keep);

	CHECK(MALLOPT(M_TOP_PAD, 1 << 20) == 1);
	run_round("top_pad 1 MiB", NRUN, &r);
	expect_trimmed("top_pad 1 MiB", &r, MIB);
	CHECK(r.keep == MIB, "top_pad 1 MiB: keepcost %zu after the trim, "
	       "expected 1048576", r.keep);
	CHECK(MALLOPT(M_TOP_PAD, 128 * 1024) == 1);

	CHECK(MALLOPT(M_TRIM_THRESHOLD, 1 << 20) == 1);
	run_round("trim_threshold 1 MiB", NRUN, &r);
	expect_trimmed("trim_threshold 1 MiB", &r, MIB);
	CHECK(r.keep >= 128 * KIB && r.keep <= MIB, "trim_threshold 1 MiB: "
	       "keepcost %zu, expected between the pad and the threshold", r.keep);

	CHECK(MALLOPT(M_TRIM_THRESHOLD, -1) == 1);
	run_round("trim_threshold -1", NRUN, &r);
	CHECK(r.s2 == r.s1, "trim_threshold -1: the break moved from %p to "
	       "%p after the frees", r.s1, r.s2);
	CHECK(r.rss2 >= r.rss1 - 256, "trim_threshold -1: RSS %ld -> %ld KiB "
	       "after the frees, expected the pages to stay", r.rss1, r.rss2);
	CHECK(r.keep + RUN >= (size_t)((char *)r.s1 - (char *)r.s0),
	       "trim_threshold -1: keepcost %zu, expected about the %ld bytes "
	       "the break grew by, all free now", r.keep,
	       (long)((char *)r.s1 - (char *)r.s0));
	t = malloc_trim(0);
	printf("malloc_trim(0) = %d: break %p -> %p, RSS %ld KiB, keepcost %zu\n",
	       t, r.s2, sbrk(0), rss_kib(), mallinfo2().keepcost);
	CHECK(t == 1, "malloc_trim(0) returned %d with 2.5 MiB free at the top "
	       "of the break", t);
	CHECK((char *)sbrk(0) <= (char *)r.s2 - NRUN * RUN + RUN,
	       "malloc_trim(0) lowered the break only from %p to %p", r.s2, sbrk(0));
	CHECK(mallinfo2().keepcost == 0, "keepcost %zu after malloc_trim(0)",
	       mallinfo2().keepcost);
	t = malloc_trim(0);
	printf("second malloc_trim(0) = %d\n", t);
	CHECK(t == 0, "a second malloc_trim(0) right after the first returned "
	       "%d: nothing was left to release", t);

	/* a threshold larger than one 4 MiB section */
	CHECK(MALLOPT(M_TRIM_THRESHOLD, 8 << 20) == 1);
	run_round("trim_threshold 8 MiB", 384, &r);	/* 24 MiB */
	CHECK((char *)r.s1 - (char *)r.s2 >= (long)(12 * MIB),
	       "trim_threshold 8 MiB: 24 MiB freed at the top of the break, but "
	       "the break shrank only by %ld KiB (%p -> %p)",
	       ((char *)r.s1 - (char *)r.s2) / 1024, r.s1, r.s2);
	CHECK(r.keep <= 8 * MIB, "trim_threshold 8 MiB: keepcost %zu above the "
	       "threshold", r.keep);
	CHECK(MALLOPT(M_TRIM_THRESHOLD, 128 * 1024) == 1);
	free(keep_small);
	CHECK(defaults_ok, "the defaults round failed (%s): see above",
	       child_how(&cr));
	printf("break trimming as expected\n");
	return 0;
}
