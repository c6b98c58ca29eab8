/*
 * fork.c - a working allocator in the child of a fork, without taking any
 * lock at fork time.
 *
 * Taking our locks in a pthread_atfork prepare handler deadlocks against
 * stdio (glibc's fork takes the stdio list lock after the prepare
 * handlers; see DESIGN.md). So the parent does nothing, and the child
 * repairs whatever the other threads (gone in the child) left behind:
 *
 *  - quiet fork: no lock of ours was held and no other thread was inside a
 *    slow path (tcache->busy). Every list is consistent; the caches of the
 *    vanished threads are released as at thread exit. Cheap: O(threads).
 *  - otherwise, rebuild: every lock is reset, every list emptied, and the
 *    lists are refilled from the page descriptors, which always say
 *    which blocks are free (PG_FREE, or PG_PCP in a cache that is being
 *    discarded), which are runs, and which are slabs (types.h). Slabs of
 *    the vanished threads become abandoned or full; the forking thread
 *    keeps its own slabs. An operation the fork cut in half can leak a
 *    block in the child; it can never hand a block out twice, because the
 *    scan skips over every block it has placed.
 */
#include "buddy.h"
#include "check.h"
#include "fork.h"
#include "large.h"
#include "meta.h"
#include "reclaim.h"
#include "section.h"
#include "slab.h"

/* Pages covered by the head at pfn, or 0 for a page that heads nothing
 * sound (a tail, or a descriptor a vanished thread left half written). */
static size_t head_span(const struct page *pg, size_t pfn, size_t online)
{
	size_t n;
	switch (pg->kind) {
	case PG_FREE:
	case PG_PCP:
	case PG_SLAB:
		if (pg->order >= MAX_ORDER)
			return 0;
		n = (size_t)1 << pg->order;
		return (pfn & (n - 1)) || pfn + n > online ? 0 : n;
	case PG_RUN:
		if (pfn == 0 && pg->run_pages > PAGES_PER_SECTION && online == PAGES_PER_SECTION)
			return online;		/* a run of several sections */
		return pg->run_pages >= 1 && pfn + pg->run_pages <= online ? pg->run_pages : 0;
	case PG_RUN_CONT:
		return pfn == 0 && pg->run_pages >= 1 && pg->run_pages <= online ? pg->run_pages : 0;
	default:
		return 0;
	}
}

/*
 * Two passes over each section. The first settles what every page is:
 * the outermost sound head covers its pages, whose descriptors become
 * plain tails again (a head left inside it by a half-done split or merge
 * is erased); every free head becomes PG_PCP ("free, on no list"); and a
 * page no head covers, which only a vanished thread's half-done operation
 * can leave, is free too (order 0). The second pass puts the free blocks
 * back with __buddy_free, which merges only with buddies already back on
 * the lists.
 */
static void settle_section(struct section *sec)
{
	size_t pfn, n;
	for (pfn = 0; pfn < sec->nr_online; pfn += n ? n : 1) {
		struct page *pg = &sec->pages[pfn];
		n = head_span(pg, pfn, sec->nr_online);
		if (!n) {
			pg->kind = PG_PCP;	/* covered by nothing: free */
			pg->order = 0;
			pg->zeroed = 0;
			pg->run_pages = 0;
			pg->sec = sec;
			continue;
		}
		for (size_t i = 1; i < n; i++) {
			sec->pages[pfn + i].kind = PG_TAIL;
			sec->pages[pfn + i].tail_dist = pg->kind == PG_SLAB ? (uint32_t)i : 0;
		}
		if (pg->kind == PG_FREE)
			pg->kind = PG_PCP;
	}
}

static void rebuild_zone(struct zone *z, struct tcache *me)
{
	__buddy_reset(z);
	z->managed_pages = 0;
	for (struct section *sec = atomic_load(&z->sections); sec; sec = sec->next) {
		size_t pfn, n;
		z->managed_pages += sec->nr_online;
		settle_section(sec);
		for (pfn = 0; pfn < sec->nr_online; pfn += n ? n : 1) {
			struct page *pg = &sec->pages[pfn];
			n = head_span(pg, pfn, sec->nr_online);
			if (n && pg->kind == PG_PCP)
				__buddy_free(z, sec, pfn, pg->order, pg->zeroed);
			else if (n && pg->kind == PG_SLAB)
				slab_rebuild(page_slab(pg), me);
		}
	}
}

/*
 * Every lock of the heap (types.h lists them) is reset. True when one that
 * guards lists the rebuild can repair was held: a zone's or a class's.
 * The others repair themselves: start-up is idempotent, and the spare
 * list, chunk cache and metadata arena forget what may be half updated.
 */
static bool reset_locks(void)
{
	bool held = false;
	lock_init(&heap.init_lock);
	for (int i = 0; i < NR_ZONES; i++) {
		held |= lock_is_held(&heap.node.zones[i].lock);
		lock_init(&heap.node.zones[i].lock);
	}
	for (unsigned c = 0; c < NR_CLASSES; c++) {
		held |= lock_is_held(&heap.caches[c].lock);
		lock_init(&heap.caches[c].lock);
	}
	section_fork_child();
	large_fork_child();
	meta_fork_child();
	return held;
}

void fork_child(void)
{
	struct tcache *me = tls_tc == &tcache_empty ? NULL : tls_tc;
	bool rebuild = reset_locks();

	if (me && me->busy) {
		/* fork from a signal handler that interrupted us: start afresh */
		tls_tc = &tcache_empty;
		me = NULL;
	}
	for (struct tcache *t = atomic_load(&heap.tcaches); t; t = atomic_load(&t->next))
		if (t != me && atomic_load(&t->in_use) && t->busy)
			rebuild = true;

	if (!rebuild) {
		for (struct tcache *t = atomic_load(&heap.tcaches); t; t = atomic_load(&t->next))
			if (t != me && atomic_load(&t->in_use))
				reclaim_thread(t);
		return;
	}

	slab_fork_reset();
	for (struct tcache *t = atomic_load(&heap.tcaches); t; t = atomic_load(&t->next)) {
		if (t == me)
			tcache_forget_pcp(t);
		else
			tcache_forget(t);
	}
	for (int i = 0; i < NR_ZONES; i++) {
		rebuild_zone(&heap.node.zones[i], me);
		if (debug_checks)
			__check_zone(&heap.node.zones[i]);
	}
}
