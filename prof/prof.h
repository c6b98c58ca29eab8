/*
 * prof.h - the heap profiler's interface to the exported API (preload/).
 *
 * Two inline hooks sit where a request completes: prof_malloc_hook after a
 * block is handed out, prof_free_hook before a block is given back. With
 * the profiler off they cost one thread-local subtraction and one
 * predictable branch (malloc), and one load of a global and one
 * predictable branch (free). Everything else is out of line in prof/.
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

/* Bytes this thread may still allocate before its next sample. Starts at 0,
 * so a thread's first allocation takes the slow path once and sets it. */
extern __thread int64_t prof_left __attribute__((tls_model("initial-exec")));
/* Sampled blocks alive now: free looks further only when it is not 0. */
extern _Atomic size_t prof_nlive;

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
static inline bool prof_free_hook(void *p, bool quarantine)
{
	if (__builtin_expect(atomic_load_explicit(&prof_nlive, memory_order_relaxed) != 0, 0))
		return prof_free_slow(p, quarantine);
	return false;
}

/* mallopt(M_BUDDY_PROF_DUMP, 0): a profile now; 1 when one was written. */
int prof_dump_now(void);

#endif
