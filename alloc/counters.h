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

#include "base.h"

/* X(name, kind, doc): per-thread event counters (kind: stats/stats.h) */
#define THREAD_COUNTERS(X)							\
	X(slabs_new,     STAT_EVENT, "slabs cut from fresh pages")			\
	X(slabs_freed,   STAT_EVENT, "empty slabs given back to the page allocator")	\
	X(slabs_adopted, STAT_EVENT, "slabs taken over from another thread")	\
	X(pcp_refills,   STAT_EVENT, "page cache refills from a zone")		\
	X(pcp_drains,    STAT_EVENT, "page cache drains to a zone")

struct thread_counters {
#define X(name, kind, doc) int64_t name;
	THREAD_COUNTERS(X)
#undef X
	int64_t nmalloc[NR_CLASSES];	/* objects handed out per class */
	int64_t nfree[NR_CLASSES];		/* objects freed per class */
	int64_t slabs[NR_CLASSES];		/* slabs made minus slabs given back */
	int64_t nslow[NR_CLASSES];		/* mallocs that found the active slab empty */
};

/*
 * Counters of the zones' page runs: shared atomics, bumped next to the
 * zone lock they already take (a run is never a hot-path object), so a
 * thread without a cache, e.g. one past its exit handler, counts too.
 */
#define RUN_COUNTERS(X)							\
	X(run_allocs, STAT_EVENT, "page runs handed out")				\
	X(run_frees,  STAT_EVENT, "page runs given back")				\
	X(run_pages,  STAT_GAUGE, "pages in runs now")

struct run_counters {
#define X(name, kind, doc) _Atomic int64_t name;
	RUN_COUNTERS(X)
#undef X
};

/*
 * The system calls that ask the kernel for memory or give it back, by
 * kind: shared atomics, bumped in os.c next to the call (which costs far
 * more). brk counts the moves of the break, not the looks at it.
 */
#define OS_COUNTERS(X)								\
	X(sys_mmap,     STAT_EVENT, "mmap calls (new mappings and reservations)")	\
	X(sys_munmap,   STAT_EVENT, "munmap calls")				\
	X(sys_mremap,   STAT_EVENT, "mremap calls (chunks grown, shrunk, moved)")	\
	X(sys_mprotect, STAT_EVENT, "mprotect calls")				\
	X(sys_madvise,  STAT_EVENT, "madvise(MADV_DONTNEED) calls: pages given back")	\
	X(sys_brk,      STAT_EVENT, "moves of the break (sbrk)")

struct os_counters {
#define X(name, kind, doc) _Atomic int64_t name;
	OS_COUNTERS(X)
#undef X
};

enum {
#define X(name, kind, doc) OS_##name,
	OS_COUNTERS(X)
#undef X
	NR_OS_COUNTERS
};

enum {
#define X(name, kind, doc) RUN_##name,
	RUN_COUNTERS(X)
#undef X
	NR_RUN_COUNTERS
};

#endif
