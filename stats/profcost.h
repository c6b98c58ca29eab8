/*
 * profcost.h - buddystat's profiling-cost mode (-P, --prof-cost): one
 * allocator runs a second time as NAME+prof, with libbuddymalloc's heap
 * profiler on at its default rate, and the profiles those runs write are
 * read, summed and removed.
 *
 * Invariant: every profile file lives in one directory made with mkdtemp
 * when the mode starts; profcost_collect() removes a run's files as soon
 * as they are read and profcost_close() removes the directory, so nothing
 * is left behind.  Part of buddystat, which is not preloaded and
 * allocates freely; no locks.
 */
#ifndef BUDDYSTAT_PROFCOST_H
#define BUDDYSTAT_PROFCOST_H

/* What the profiles of one run say (the last profile of each process). */
enum prof_value {
	PV_PROFILES,            /* processes that wrote a profile */
	PV_STACKS,              /* distinct sampled stacks */
	PV_ALLOC_BYTES,         /* bytes allocated, as the profile estimates */
	PV_LIVE_BYTES,          /* bytes still in use when it was written */
	NR_PROF_VALUES
};

extern const char *const prof_value_names[NR_PROF_VALUES];

/* Makes the directory; 0, or -1 with a message on stderr. */
int profcost_open(void);

/*
 * In the child, before exec: appends prof=1 and a prof_file in the
 * directory, named after the run, to BUDDYMALLOC_OPTIONS.
 */
void profcost_child_env(int run);

/* After the run: reads its profiles into v and removes them. */
void profcost_collect(int run, double v[NR_PROF_VALUES]);

/* Removes the directory and whatever is still in it. */
void profcost_close(void);

#endif
