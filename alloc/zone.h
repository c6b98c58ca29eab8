/*
 * zone.h - the node and its zones (zone.c): growth, page runs, counts.
 * Layer 3: over trim, buddy and section.
 *
 * Functions named __zone_* or __brk_*: caller holds z->lock. The others
 * take the zone lock themselves, one zone at a time.
 */
#ifndef BUDDY_ZONE_H
#define BUDDY_ZONE_H

#include "trim.h"

/* zone.c */
void node_init(void);
struct page *__zone_alloc(struct zone *z, unsigned order, struct section **secp);
struct page *zone_alloc_run(size_t npages, unsigned align_order, struct section **secp);
struct page *zone_alloc_huge(size_t npages, struct section **secp);	/* > a section */
void zone_free_run(struct section *sec, struct page *head);
bool zone_grow_run(struct section *sec, struct page *head, size_t npages);
void zone_shrink_run(struct section *sec, struct page *head, size_t npages);

/* What statistics read of a zone, copied under its lock. */
struct zone_snap {
	const char *name;
	size_t managed, max_managed, free, dirty;	/* pages */
	size_t nr_free[MAX_ORDER];
	size_t keepcost;				/* bytes a trim could give back */
	uint64_t lock_acquired, lock_contended;		/* the zone lock, since start-up */
};
void zone_snapshot(enum zone_type id, struct zone_snap *zs);
void zone_run_counters(int64_t out[NR_RUN_COUNTERS]);

#endif
