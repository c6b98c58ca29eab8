/*
 * classify.c - the cases of ptr_classify() (classify.h) that are not a
 * live slab object, the usable size of what it found, and the report of
 * a pointer that is not live. No lock: descriptors are read as they are,
 * and a pointer the program is entitled to free cannot change under it.
 */
#include <stdlib.h>

#include "classify.h"
#include "options.h"
#include "report.h"

struct ptr_info ptr_classify_rest(const void *p, struct sec_head *h, struct page *pg, uintptr_t off)
{
	struct ptr_info pi = { .kind = PTR_INVALID };
	if (pg) {			/* a zone section */
		if (pg->kind == PG_RUN && off == 0) {
			pi.run = pg;
			pi.kind = PTR_RUN;
		} else if (pg->kind == PG_FREE || pg->kind == PG_PCP) {
			pi.run = pg;
			pi.kind = PTR_FREED;	/* its pages are free: freed already */
		}
	} else if (h && h->kind == SEC_CHUNK && ((struct chunk *)h)->user == (uintptr_t)p) {
		pi.chunk = (struct chunk *)h;
		/* a freed chunk waits in the cache, its table entries in place */
		pi.kind = pi.chunk->cached ? PTR_FREED : PTR_CHUNK;
	}
	return pi;
}

void ptr_count_sampled(const void *p, int delta)
{
	struct ptr_info pi = ptr_classify(p);
	uint8_t *c = pi.kind == PTR_SLAB ? &pi.slab->sampled :
		     pi.kind == PTR_RUN ? &pi.run->sampled :
		     pi.kind == PTR_CHUNK ? &pi.chunk->sampled : NULL;
	if (!c)
		return;
	uint8_t v = __atomic_load_n(c, __ATOMIC_RELAXED);
	if (v != UINT8_MAX)	/* saturated: stays, and free keeps looking */
		__atomic_store_n(c, (uint8_t)(v + delta), __ATOMIC_RELAXED);
}

size_t ptr_usable(const struct ptr_info *pi)
{
	switch (pi->kind) {
	case PTR_SLAB:
		return sc_table[pi->slab->cls].size;
	case PTR_RUN:
		return (size_t)pi->run->run_pages << PAGE_SHIFT;
	case PTR_CHUNK:
		return large_usable(pi->chunk);
	default:
		return 0;
	}
}

/* The one line (report.c), then abort() unless invalid_free=warn: then
 * the call is ignored. Also the profiler's, for a double free it finds. */
void ptr_report_line(const char *fn, const char *what, const void *p)
{
	report_invalid(fn, what, p);
	if (opt.invalid_free == 0)
		abort();
}

void ptr_report(const char *fn, const void *p, const struct ptr_info *pi)
{
	ptr_report_line(fn, pi->kind == PTR_FREED ? "double free" : "invalid pointer", p);
}
