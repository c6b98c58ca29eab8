/*
 * prof.h - the heap profiler's interface to the exported API (preload/).
 *
 * Two inline hooks sit where a request completes (preload/hooks.c, which
 * the exported calls enter only while the profiler is on): prof_malloc_hook
 * after a block is handed out, one thread-local subtraction and one
 * predictable branch; prof_free_hook before a block is given back, one test
 * of the sampled mark on the block's slab, run or chunk, which free has
 * read already (alloc/classify.h). Everything else is out of line in prof/.
 *
 *   prof.c     sampling (countdown, weights), the sample set, the stack table
 *   stack.c    stacks with libunwind, this library's own frames dropped
 *   symbol.c   address -> module+offset and function name, without allocating
 *   dump.c     the gperftools heap-profile file, the leak report, start-up
 *
 * Lock order: prof_lock is innermost; it is never held while unwinding,
 * while calling into the allocator, or across a call into the program.
 */
#ifndef BUDDY_PROF_H
#define BUDDY_PROF_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../alloc/classify.h"

/* Bytes this thread may still allocate before its next sample. Starts at 0,
 * so a thread's first allocation takes the slow path once and sets it. */
extern __thread int64_t prof_left __attribute__((tls_model("initial-exec")));
void prof_sample_slow(void *p, size_t n);
bool prof_free_slow(void *p, bool quarantine);

static inline void *prof_malloc_hook(void *p, size_t n)
{
	if (__builtin_expect((prof_left -= (int64_t)n) < 0, 0))
		prof_sample_slow(p, n);
	return p;
}

/* True when the caller must not free p: debug_stacks quarantined it, or
 * reported it as freed already. `quarantine` is false for realloc. */
static inline bool prof_free_hook(void *p, struct ptr_info pi, bool quarantine)
{
	if (likely(!ptr_maybe_sampled(pi)))
		return false;
	return prof_free_slow(p, quarantine);
}

/* False once the profiler, the leak report and debug_stacks are known to
 * be off (at start-up, or in a fork child that found the tables torn). */
bool prof_wanted(void);

/* mallopt(M_BUDDY_PROF_DUMP, 0): a profile now; 1 when one was written. */
int prof_dump_now(void);

#endif
