/*
 * stats.h - the snapshot stats.c takes of the heap, and its views.
 */
#ifndef BUDDY_STATS_H
#define BUDDY_STATS_H

#include <malloc.h>

#include "../alloc/internal.h"

struct zone_snap {
	size_t managed, max_managed, free, dirty;	/* pages */
	size_t nr_free[MAX_ORDER];
};

struct snapshot {
	struct zone_snap zone[NR_ZONES];
	struct thread_counters sum;		/* over every tcache, live or not */
	struct { int64_t run_allocs, run_frees, run_pages; } runs;
	size_t class_used[NR_CLASSES];		/* objects in use */
	size_t class_slabs[NR_CLASSES];
	size_t slab_used_bytes, slab_free_objs, slab_free_bytes, run_bytes;
	size_t keepcost, pcp_pages, threads, tcaches, minflt, majflt;
	struct large_stats large;
};

void stats_snapshot(struct snapshot *s);
struct mallinfo2 stats_mallinfo2(void);
void stats_print(struct out *o);	/* malloc_stats' text */
void stats_xml(struct out *o);		/* malloc_info */
void stats_json(struct out *o);

#endif
