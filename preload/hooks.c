/*
 * hooks.c - the exported calls while something must see every block
 * (hooks.h): the checking mode takes the whole call (alloc/canary.c);
 * perturb fills new and freed blocks; the profiler counts each thread's
 * bytes down to its next sample at malloc and, at free, looks for a
 * block's record only when the block's slab, run or chunk carries the
 * sampled mark (alloc/classify.h), memory free reads anyway.
 *
 * Order inside a call: the checking mode (which excludes the other two),
 * perturb, the profiler - as glibc fills a block before anyone sees it.
 * Locks: hooks_lock only around recomputing the byte, never held across a
 * call into the allocator or the profiler.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../alloc/alloc.h"
#include "../alloc/canary.h"
#include "../prof/prof.h"
#include "hooks.h"

uint8_t api_hooks = HOOK_CHECK | HOOK_PROF;	/* both undecided at load */
static struct lock hooks_lock = LOCK_INIT;

void hooks_update(void)
{
	lock_acquire(&hooks_lock);
	uint8_t h = 0;
	if (__atomic_load_n(&canary_state, __ATOMIC_RELAXED) != CANARY_OFF)
		h |= HOOK_CHECK;
	if (opt.perturb)
		h |= HOOK_PERTURB;
	if (prof_wanted())
		h |= HOOK_PROF;
	__atomic_store_n(&api_hooks, h, __ATOMIC_RELAXED);
	lock_release(&hooks_lock);
}

/* True when the checking mode takes the call. The first call of the
 * program decides it (and starts the library): then the byte follows. */
static bool checking(void)
{
	if (canary_wanted())
		return true;
	if (unlikely(api_hooks & HOOK_CHECK))
		hooks_update();
	return false;
}

static bool profiling(void)
{
	return (__atomic_load_n(&api_hooks, __ATOMIC_RELAXED) & HOOK_PROF) != 0;
}

/* M_PERTURB / MALLOC_PERTURB_: new blocks get the complement of the byte,
 * freed ones the byte (calloc's are left zero), as glibc does. */
static void *new_block(void *p, size_t n, bool zero)
{
	if (profiling())
		prof_malloc_hook(p, n);
	if (unlikely(opt.perturb) && p && !zero)
		memset(p, (int)(opt.perturb ^ 0xff) & 0xff, n);
	return p;
}

/* False when p is not a live block: reported already (warn mode). */
static bool perturb_free(void *p, const char *fn)
{
	size_t n = ba_usable(p, fn);	/* reports, and is 0, for a bad pointer */
	if (n)
		memset(p, (int)opt.perturb & 0xff, n);
	return n != 0;
}

/* Before p is given back or moved: true when the caller must leave p alone
 * (a report was made, or debug_stacks keeps p in its quarantine). */
static bool old_block(void *p, const char *fn, bool quarantine)
{
	if (unlikely(opt.perturb) && quarantine && !perturb_free(p, fn))
		return true;
	return profiling() && prof_free_hook(p, ptr_classify(p), quarantine);
}

/* Everything but the profiler alone: rare, and slower anyway. */
static __attribute__((noinline)) void *malloc_general(size_t n)
{
	if (checking())
		return canary_alloc(n, 0, false);
	return new_block(ba_malloc_inline(n), n, false);
}

static __attribute__((noinline)) void free_general(void *p)
{
	if (checking()) {
		canary_free(p, "free");
		return;
	}
	if (unlikely(opt.perturb) && !perturb_free(p, "free"))
		return;
	struct ptr_info pi = ptr_classify(p);
	if (profiling() && prof_free_hook(p, pi, true))
		return;
	ba_free_info(p, pi);
}



/* From malloc: the checking mode or perturb may be on, or the profiler's
 * countdown went below zero (api.c counted n down already). */
void *malloc_hooked(size_t n)
{
	if (unlikely(api_hooks != HOOK_PROF))
		return malloc_general(n);
	void *p = ba_malloc_inline(n);
	prof_sample_slow(p, n);
	return p;
}

static __attribute__((noinline)) void free_marked(void *p, struct ptr_info pi)
{
	if (!prof_free_slow(p, true))
		ba_free_info(p, pi);
}

/* With the profiler alone: one test of the mark free has read anyway
 * (every call here a tail call, so the frame stays as short as free's). */
void free_hooked(void *p)
{
	if (unlikely(api_hooks != HOOK_PROF)) {
		free_general(p);
		return;
	}
	struct ptr_info pi = ptr_classify(p);
	if (unlikely(ptr_maybe_sampled(pi))) {
		free_marked(p, pi);
		return;
	}
	ba_free_info(p, pi);
}

void *calloc_hooked(size_t n)
{
	if (checking())
		return canary_alloc(n, 0, true);
	return new_block(ba_calloc(n), n, true);
}

void *memalign_hooked(size_t align, size_t n)
{
	if (checking())
		return canary_alloc(n, align, false);
	return new_block(ba_memalign(align, n), n, false);
}


void *realloc_hooked(void *p, size_t n)
{
	if (checking()) {
		if (n <= PTRDIFF_MAX)
			return canary_realloc(p, n);
		errno = ENOMEM;
		return NULL;
	}
	if (!p)		/* malloc's own countdown, as api.c's realloc does */
		return malloc(n);
	if (n == 0) {
		if (!old_block(p, "realloc", true))
			ba_free(p, "realloc");
		return NULL;
	}
	if (n > PTRDIFF_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	if (old_block(p, "realloc", false)) {	/* a failed realloc loses p's sample, not p */
		errno = EINVAL;
		return NULL;
	}
	return new_block(ba_realloc(p, n), n, true);
}

size_t usable_hooked(void *p)
{
	if (checking())
		return canary_usable(p);
	return ba_usable(p, "malloc_usable_size");
}
