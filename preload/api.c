/*
 * api.c - the exported malloc API: thin functions over alloc/ that check
 * sizes and alignments the way glibc does and set errno as it does.
 *
 * Nothing here allocates, locks or keeps state; the small-object paths of
 * malloc and free are inlined from alloc/alloc.h. Each call tests one byte
 * first (api_hooks, hooks.h): while the checking mode, perturb or the
 * profiler is on, it goes through hooks.c instead.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../alloc/alloc.h"
#include "../stats/stats.h"
#include "../prof/prof.h"
#include "hooks.h"

#define EXPORT __attribute__((visibility("default")))

static void *fail(int e)
{
	errno = e;
	return NULL;
}

static bool is_pow2(size_t a)
{
	return a && !(a & (a - 1));
}

/* With the profiler alone on, malloc counts down inline and leaves only
 * for a sample; free leaves for the mark test (hooks.c). Either way the
 * hooked call is a tail call: the bare path keeps its short frame. */
EXPORT void *malloc(size_t n)
{
	if (unlikely(api_hooks) &&
	    (api_hooks != HOOK_PROF || unlikely((prof_left -= (int64_t)n) < 0)))
		return malloc_hooked(n);
	return ba_malloc_inline(n);
}

EXPORT void free(void *p)
{
	if (likely(p != NULL)) {
		if (unlikely(api_hooks))
			free_hooked(p);
		else
			ba_free_inline(p);
	}
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(nmemb, size, &n) || n > PTRDIFF_MAX)
		return fail(ENOMEM);
	if (unlikely(api_hooks))
		return calloc_hooked(n);
	return ba_calloc(n);
}

EXPORT void *realloc(void *p, size_t n)
{
	if (unlikely(api_hooks))
		return realloc_hooked(p, n);
	if (!p)
		return malloc(n);
	if (n == 0) {
		ba_free(p, "realloc");
		return NULL;
	}
	if (n > PTRDIFF_MAX)
		return fail(ENOMEM);
	return ba_realloc(p, n);
}

EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(nmemb, size, &n))
		return fail(ENOMEM);
	return realloc(p, n);
}

static void *aligned(size_t align, size_t n)
{
	if (n > PTRDIFF_MAX || align > PTRDIFF_MAX / 2 + 1)
		return fail(ENOMEM);
	if (unlikely(api_hooks))
		return memalign_hooked(align, n);
	return ba_memalign(align, n);
}

/* glibc: an alignment of 0 (or up to 16) is plain malloc; one that is
 * not a power of two is rounded up to the next one (glibc 2.36). */
EXPORT void *memalign(size_t align, size_t n)
{
	if (align == 0)
		return malloc(n);
	if (align > SIZE_MAX / 2 + 1)
		return fail(EINVAL);
	if (!is_pow2(align))
		align = (size_t)1 << (64 - __builtin_clzl(align));
	return aligned(align, n);
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	if (!is_pow2(align))
		return fail(EINVAL);
	return aligned(align, n);
}

/* Returns the error rather than setting errno, which it leaves alone. */
EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	int saved = errno;
	void *p;
	if (!is_pow2(align) || align % sizeof(void *))
		return EINVAL;
	p = aligned(align, n);
	errno = saved;
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *valloc(size_t n)
{
	return aligned(PAGE_SIZE, n);
}

EXPORT void *pvalloc(size_t n)
{
	if (n > SIZE_MAX - (PAGE_SIZE - 1))
		return fail(ENOMEM);
	return aligned(PAGE_SIZE, align_up(n ? n : 1, PAGE_SIZE));
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (p && unlikely(api_hooks))
		return usable_hooked(p);
	return p ? ba_usable(p, "malloc_usable_size") : 0;
}

/* --- tuning and statistics: glibc's names, our heap (stats/) --- */

EXPORT int mallopt(int param, int value)
{
	ba_start();
	if (param == M_BUDDY_PROF_DUMP)
		return prof_dump_now();
	int r = opt_mallopt(param, value);
	hooks_update();		/* M_PERTURB may have changed */
	return r;
}

EXPORT int malloc_trim(size_t pad)
{
	return ba_trim(pad);
}

static struct mallinfo2 heap_mallinfo2(void)
{
	struct snapshot s;
	stats_snapshot(&s);
	return stats_mallinfo2(&s);
}

EXPORT struct mallinfo2 mallinfo2(void)
{
	return heap_mallinfo2();
}

static int saturate(size_t v)
{
	return v > INT_MAX ? INT_MAX : (int)v;
}

/* The old int fields: saturated at INT_MAX, never wrapped. */
EXPORT struct mallinfo mallinfo(void)
{
	struct mallinfo2 m = heap_mallinfo2();
	struct mallinfo r = {
		.arena = saturate(m.arena), .ordblks = saturate(m.ordblks),
		.smblks = saturate(m.smblks), .hblks = saturate(m.hblks),
		.hblkhd = saturate(m.hblkhd), .usmblks = saturate(m.usmblks),
		.fsmblks = saturate(m.fsmblks), .uordblks = saturate(m.uordblks),
		.fordblks = saturate(m.fordblks), .keepcost = saturate(m.keepcost),
	};
	return r;
}

EXPORT void malloc_stats(void)
{
	struct out o;
	out_init_stderr(&o);
	stats_print(&o);
}

static void file_sink(struct out *o, const char *s, size_t n)
{
	fwrite(s, 1, n, o->arg);	/* no lock of ours is held here */
}

EXPORT int malloc_info(int options, FILE *fp)
{
	struct out o;
	if (options != 0 || !fp)
		return EINVAL;		/* glibc returns it, errno untouched */
	o.len = o.col = 0;
	o.sink = file_sink;
	o.arg = fp;
	stats_xml(&o);
	return 0;
}
