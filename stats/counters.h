/*
 * counters.h - every statistics counter, declared once.
 *
 * Per-thread counters are plain integers in the thread's tcache, bumped
 * without atomics on the hot path and summed over all tcaches when read
 * (a tcache outlives its thread, so nothing is lost when a thread exits).
 * Per-class counters count objects; the sums give exact bytes in use once
 * the program is quiet.
 */
#ifndef BUDDY_COUNTERS_H
#define BUDDY_COUNTERS_H

#include <stdint.h>

#define NR_CLASSES_STAT 40	/* = NR_CLASSES, checked in sizeclass.c */

/* X(name, doc): per-thread event counters */
#define THREAD_COUNTERS(X)						\
	X(slabs_new,     "slabs cut from fresh pages")			\
	X(slabs_freed,   "empty slabs given back to the page allocator")	\
	X(slabs_adopted, "slabs taken over from another thread")	\
	X(pcp_refills,   "page cache refills from a zone")		\
	X(pcp_drains,    "page cache drains to a zone")

struct thread_counters {
#define X(name, doc) int64_t name;
	THREAD_COUNTERS(X)
#undef X
	int64_t nmalloc[NR_CLASSES_STAT];	/* objects handed out per class */
	int64_t nfree[NR_CLASSES_STAT];		/* objects freed per class */
	int64_t slabs[NR_CLASSES_STAT];		/* slabs made minus slabs given back */
};

/*
 * Counters of the zones' page runs: shared atomics, bumped next to the
 * zone lock they already take (a run is never a hot-path object), so a
 * thread without a cache, e.g. one past its exit handler, counts too.
 */
#define RUN_COUNTERS(X)						\
	X(run_allocs, "page runs handed out")				\
	X(run_frees,  "page runs given back")				\
	X(run_pages,  "pages in runs now")

struct run_counters {
#define X(name, doc) _Atomic int64_t name;
	RUN_COUNTERS(X)
#undef X
};

#endif
