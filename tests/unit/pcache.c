/*
 * pcache.c - proves the per-thread page caches: a refill brings `batch`
 * pages' worth of blocks from the zone in one go, a cache never holds
 * more than `high` pages after a free, blocks in a cache are PG_PCP and
 * off the zone's lists, and draining gives every page back to the zone,
 * where the blocks merge (__check_zone).
 */
#include "unit.h"

#define NB 600

int main(void)
{
	static struct page *blk[NB];
	static struct section *bsec[NB];
	ba_start();
	struct tcache *tc = tcache_acquire();
	for (unsigned order = 0; order <= PCP_MAX_ORDER; order++) {
		int64_t refills = tc->stat.pcp_refills;
		for (int i = 0; i < NB; i++) {
			blk[i] = pcp_alloc(tc, order, &bsec[i]);
			CHECK(blk[i] && blk[i]->kind == PG_PCP && blk[i]->order == order, "order %u block %d", order, i);
			blk[i]->kind = PG_RUN;	/* held by us, as a slab would be */
			blk[i]->run_pages = 1u << order;
		}
		size_t per_refill = opt.pcp_batch >> order ? opt.pcp_batch >> order : 1;
		CHECK(tc->stat.pcp_refills - refills <= (int64_t)(NB / per_refill + 2),
		      "order %u: %ld refills for %d blocks", order, (long)(tc->stat.pcp_refills - refills), NB);
		for (int i = 0; i < NB; i++) {
			pcp_free(tc, bsec[i], blk[i], order);
			CHECK(tc->pcp[bsec[i]->zone->id].count <= opt.pcp_high,
			      "order %u: cache holds %u pages, high is %zu", order,
			      tc->pcp[bsec[i]->zone->id].count, opt.pcp_high);
		}
		pcp_drain_all(tc);
		for (int z = 0; z < NR_ZONES; z++) {
			CHECK(tc->pcp[z].count == 0, "drained");
			lock_acquire(&heap.node.zones[z].lock);
			__check_zone(&heap.node.zones[z]);
			CHECK(heap.node.zones[z].free_pages == heap.node.zones[z].managed_pages,
			      "zone %s: %zu of %zu pages free after the drain", heap.node.zones[z].name,
			      heap.node.zones[z].free_pages, heap.node.zones[z].managed_pages);
			lock_release(&heap.node.zones[z].lock);
		}
	}
	return unit_done("pcache");
}
