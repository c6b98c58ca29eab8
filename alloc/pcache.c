/*
 * pcache.c - per-thread page caches (the kernel's per_cpu_pages).
 *
 * A thread keeps, per zone, short lists of free blocks of order
 * 0..PCP_MAX_ORDER. Slabs take their pages from here without a lock. An
 * empty list is refilled with `batch` pages' worth of blocks under the
 * zone lock, in one go; when the cache holds more than `high` pages,
 * `batch` pages' worth go back to the zone, where they merge with their
 * buddies. A thread's caches are drained completely when it exits.
 *
 * Blocks in a cache are PG_PCP heads: not on any free list, not merged,
 * owned by the thread. Only the owning thread touches its lists (fork.c
 * discards them in a child). Lock: zone->lock, only around refill/drain.
 */
#include "buddy.h"
#include "check.h"
#include "options.h"
#include "pcache.h"
#include "pressure.h"
#include "section.h"
#include "zone.h"

static struct page *pcp_refill(struct tcache *tc, enum zone_type zid, unsigned order)
{
	struct zone *z = &heap.node.zones[zid];
	struct pcp *pcp = &tc->pcp[zid];
	size_t want = opt.pcp_batch >> order;
	struct section *sec;

	if (want == 0)
		want = 1;
	lock_acquire(&z->lock);
	for (size_t i = 0; i < want; i++) {
		struct page *pg = __zone_alloc(z, order, &sec);
		if (!pg)
			break;
		pg->kind = PG_PCP;
		pg->next = pcp->lists[order];
		pcp->lists[order] = pg;
		pcp->count += 1u << order;
	}
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
	tc->stat.pcp_refills++;
	return pcp->lists[order];
}

/* A free block of `order` for the calling thread, from the zonelist in order. */
struct page *pcp_alloc(struct tcache *tc, unsigned order, struct section **secp)
{
	for (int i = 0; i < heap.node.nr_zonelist; i++) {
		enum zone_type zid = heap.node.zonelist[i];
		struct pcp *pcp = &tc->pcp[zid];
		struct page *pg = pcp->lists[order];
		if (!pg)
			pg = pcp_refill(tc, zid, order);
		if (pg) {
			pcp->lists[order] = pg->next;
			pcp->count -= 1u << order;
			pg->next = NULL;
			*secp = pg->sec;
			return pg;
		}
	}
	return NULL;
}

/* Gives up to `pages` pages of the cache back to its zone, larger blocks first. */
static void pcp_drain(struct tcache *tc, enum zone_type zid, size_t pages)
{
	struct zone *z = &heap.node.zones[zid];
	struct pcp *pcp = &tc->pcp[zid];
	size_t done = 0;

	lock_acquire(&z->lock);
	for (int o = PCP_MAX_ORDER; o >= 0 && done < pages; o--) {
		while (pcp->lists[o] && done < pages) {
			struct page *pg = pcp->lists[o];
			pcp->lists[o] = pg->next;
			pcp->count -= 1u << o;
			done += (size_t)1 << o;
			__buddy_free(z, pg->sec, page_pfn(pg->sec, pg), (unsigned)o, pg->zeroed);
		}
	}
	__zone_after_free(z);
	if (debug_checks)
		__check_zone(z);
	lock_release(&z->lock);
	tc->stat.pcp_drains++;
}

/* Takes a block back from a slab of the calling thread. */
void pcp_free(struct tcache *tc, struct section *sec, struct page *pg, unsigned order)
{
	enum zone_type zid = sec->zone->id;
	struct pcp *pcp = &tc->pcp[zid];

	pg->order = (uint8_t)order;
	pg->zeroed = 0;
	pg->run_pages = 0;
	pg->sec = sec;
	pg->kind = PG_PCP;
	pg->next = pcp->lists[order];
	pcp->lists[order] = pg;
	pcp->count += 1u << order;
	if (pcp->count > opt.pcp_high)
		pcp_drain(tc, zid, opt.pcp_batch);
	else if (unlikely(under_pressure()))
		pcp_drain(tc, zid, (size_t)-1);	/* a request failed lately: no caching */
}

void pcp_drain_all(struct tcache *tc)
{
	for (int zid = 0; zid < NR_ZONES; zid++)
		if (tc->pcp[zid].count)
			pcp_drain(tc, (enum zone_type)zid, (size_t)-1);
}
