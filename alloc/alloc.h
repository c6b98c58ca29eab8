/*
 * alloc.h - the path of a request (alloc.c), and the two entry points the
 * program calls most, inlined into preload/. Layer 8: over everything.
 *
 *   n <= opt_slab_limit            a size class -> this thread's slab
 *   opt_slab_limit < n < threshold a run of whole pages from a zone
 *   n >= mmap threshold            a mapped chunk of its own
 *
 * Whatever the inline paths cannot finish goes to one of the slow entries
 * in alloc.c, each of which passes slow_enter() first: start-up, then the
 * periodic housekeeping. Lower layers never call up.
 */
#ifndef BUDDY_ALLOC_H
#define BUDDY_ALLOC_H

#include "classify.h"
#include "options.h"

void ba_start(void);			/* start-up; idempotent, cheap once done */

static inline bool ba_ready(void)
{
	return atomic_load_explicit(&heap.ready, memory_order_acquire) != 0;
}

void *ba_alloc_slow(size_t n, unsigned cls);	/* the active slab of cls has no object */
void *ba_malloc_big(size_t n);
void ba_free_slow(void *p, struct ptr_info pi, const char *fn);

void *ba_malloc(size_t n);
void *ba_memalign(size_t align, size_t n);
void *ba_calloc(size_t n);
void *ba_realloc(void *p, size_t n);
void ba_free(void *p, const char *fn);
size_t ba_usable(const void *p, const char *fn);
int ba_trim(size_t pad);

static inline void *ba_malloc_inline(size_t n)
{
	if (likely(n <= opt_slab_limit)) {
		unsigned cls = sc_of(n);
		void *p = slab_alloc_fast(tls_tc, cls);
		return likely(p != NULL) ? p : ba_alloc_slow(n, cls);
	}
	return ba_malloc_big(n);
}

/* free(p) once p is classified (the hooked path classifies first). */
static inline void ba_free_info(void *p, struct ptr_info pi)
{
	if (likely(pi.kind == PTR_SLAB) && likely(slab_free_local(tls_tc, pi.slab, p)))
		return;
	ba_free_slow(p, pi, "free");
}

static inline void ba_free_inline(void *p)
{
	ba_free_info(p, ptr_classify(p));
}

#endif
