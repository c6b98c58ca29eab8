/*
 * classify.h - what a pointer is: the one classifier (classify.c), used by
 * free, realloc, malloc_usable_size, the perturb and debug paths and the
 * unit tests. Layer 6: over slab and large.
 *
 * A pointer is the start of a live slab object, page run or mapped chunk;
 * or it was one and is free (a double free: its free key is in place, its
 * pages are free, or its chunk waits in the chunk cache); or it is none of
 * ours. The common case, a live slab object, is decided inline; the rest
 * out of line. The free fast path hands its result to the slow path.
 */
#ifndef BUDDY_CLASSIFY_H
#define BUDDY_CLASSIFY_H

#include "large.h"
#include "section.h"
#include "slab.h"

enum ptr_kind { PTR_INVALID, PTR_FREED, PTR_SLAB, PTR_RUN, PTR_CHUNK };

/* Two words, so it travels in registers from the fast path to the slow one. */
struct ptr_info {
	enum ptr_kind kind;
	union {
		struct slab *slab;	/* SLAB, and FREED of a slab */
		struct page *run;	/* RUN, and FREED of free pages */
		struct chunk *chunk;	/* CHUNK, and FREED of a cached chunk */
	};
};

struct ptr_info ptr_classify_rest(const void *p, struct sec_head *h, struct page *pg, uintptr_t off);

static inline __attribute__((always_inline)) struct ptr_info ptr_classify(const void *p)
{
	struct sec_head *h = section_lookup(p);
	if (likely(h != NULL && h->kind == SEC_ZONE)) {
		uintptr_t off;
		struct page *pg = page_head_of((struct section *)h, p, &off);
		if (likely(pg->kind == PG_SLAB && slab_owns_at(page_slab(pg), off))) {
			struct ptr_info pi = { .kind = PTR_SLAB, .slab = page_slab(pg) };
			if (unlikely(slab_obj_is_free(p)))
				pi.kind = PTR_FREED;
			return pi;
		}
		return ptr_classify_rest(p, h, pg, off);
	}
	return ptr_classify_rest(p, h, NULL, 0);
}

/*
 * For the slow paths: an object on a slab page given back (a hole,
 * slab.c) is free. The free fast path needs no such test: a slab with
 * holes has a tagged owner, so every free into it comes here.
 */
static inline struct ptr_info ptr_recheck(struct ptr_info pi, const void *p)
{
	if (pi.kind == PTR_SLAB && unlikely(slab_obj_in_hole(pi.slab, p)))
		pi.kind = PTR_FREED;
	return pi;
}

/*
 * The profiler's mark (prof/): a count, on a block's slab, run or chunk,
 * of the sampled blocks alive there; zeroed when the slab, run or chunk is
 * handed out anew, and sticky once it reaches 255. Zero means no sampled
 * block can be at p, so free looks no further; a pointer that is not live
 * lets the profiler look (its double-free report may name the first free).
 */
static inline bool ptr_maybe_sampled(struct ptr_info pi)
{
	switch (pi.kind) {
	case PTR_SLAB:
		return pi.slab->sampled;
	case PTR_RUN:
		return pi.run->sampled;
	case PTR_CHUNK:
		return pi.chunk->sampled;
	default:
		return true;
	}
}

/* p: a live block, sampled (+1) or no longer (-1); prof_lock held. */
void ptr_count_sampled(const void *p, int delta);

/* Bytes the program may use at a live pointer (SLAB, RUN or CHUNK). */
size_t ptr_usable(const struct ptr_info *pi);

/* The one-line report for a pointer that is not live (fn names the call),
 * then abort() unless invalid_free=warn. */
void ptr_report(const char *fn, const void *p, const struct ptr_info *pi);
void ptr_report_line(const char *fn, const char *what, const void *p);

#endif
