/*
 * stats.h - every figure the statistics show, declared once (STAT_LIST),
 * the one snapshot that holds them, and the views made from it (stats.c).
 * Layer 9, over alloc/: it reads the heap only through each module's own
 * snapshot function (zone_snapshot, tcache_sum, large_stats, ...).
 */
#ifndef BUDDY_STATS_H
#define BUDDY_STATS_H

#include <malloc.h>

#include "../alloc/alloc.h"
#include "../alloc/report.h"
#include "../alloc/zone.h"

/*
 * The kinds of figure: an event counts since start-up; a gauge is a value
 * now; a gauge with a peak also has the highest value it ever had (kept by
 * the allocator: the zones' size and the mapped chunks).
 */
enum stat_kind { STAT_EVENT, STAT_GAUGE, STAT_GAUGE_PEAK };

/* X(name, kind, doc): the heap's own gauges, then the counters of
 * alloc/counters.h, then the process's page faults. */
#define HEAP_GAUGES(X)								\
	X(arena_bytes,        STAT_GAUGE_PEAK, "bytes of the zones' sections")	\
	X(in_use_bytes,       STAT_GAUGE, "bytes handed out from the zones (slab objects, runs)") \
	X(slab_free_objs,     STAT_GAUGE, "free objects in slabs")			\
	X(slab_free_bytes,    STAT_GAUGE, "bytes of free objects in slabs")		\
	X(free_blocks,        STAT_GAUGE, "free blocks on the zones' lists")		\
	X(keepcost,           STAT_GAUGE, "free bytes at the top of the break")	\
	X(chunks,             STAT_GAUGE_PEAK, "mapped chunks live")			\
	X(chunk_bytes,        STAT_GAUGE_PEAK, "bytes of live mapped chunks")		\
	X(cached_chunks,      STAT_GAUGE, "freed mapped chunks kept for reuse")	\
	X(cached_chunk_bytes, STAT_GAUGE, "bytes of cached mapped chunks")		\
	X(pcp_pages,          STAT_GAUGE, "pages in the threads' page caches")	\
	X(threads,            STAT_GAUGE, "threads holding a cache")			\
	X(tcaches,            STAT_GAUGE, "thread caches, held or kept for reuse")

#define PROCESS_EVENTS(X)							\
	X(minflt, STAT_EVENT, "minor page faults of the process")		\
	X(majflt, STAT_EVENT, "major page faults of the process")

#define STAT_LIST(X) HEAP_GAUGES(X) THREAD_COUNTERS(X) RUN_COUNTERS(X) OS_COUNTERS(X) PROCESS_EVENTS(X)

enum stat_id {
#define X(name, kind, doc) STAT_##name,
	STAT_LIST(X)
#undef X
	NR_STATS
};

struct stat_def {
	const char *name;
	enum stat_kind kind;
	const char *doc;
};
extern const struct stat_def stat_table[NR_STATS];

struct snapshot {
	int64_t cur[NR_STATS];
	int64_t peak[NR_STATS];			/* STAT_GAUGE_PEAK rows only */
	struct zone_snap zone[NR_ZONES];
	size_t class_used[NR_CLASSES];		/* objects in use */
	size_t class_slabs[NR_CLASSES];
	size_t class_slow[NR_CLASSES];		/* mallocs that took the slow path */
};

void stats_snapshot(struct snapshot *s);
struct mallinfo2 stats_mallinfo2(const struct snapshot *s);
void stats_print(struct out *o);	/* malloc_stats' text */
void stats_xml(struct out *o);		/* malloc_info */
void stats_json(struct out *o);

#endif
