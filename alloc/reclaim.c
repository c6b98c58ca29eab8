/*
 * reclaim.c - memory back from the whole heap: direct reclaim before a
 * request fails, malloc_trim, and the clock that runs the decay.
 *
 * Nothing below calls up into this file: alloc.c's slow-path entry calls
 * reclaim_tick(), and its failing requests call node_reclaim() and retry.
 * The per-zone work is trim.c's; the chunk cache's is large.c's.
 *
 * Lock: none of its own; the zone lock and the chunk-cache lock, one at a
 * time, through the functions it calls.
 */
#include "large.h"
#include "options.h"
#include "os.h"
#include "pcache.h"
#include "pressure.h"
#include "reclaim.h"
#include "slab.h"
#include "trim.h"

#define TICK_EVERY	16	/* slow paths of a thread between looks at the clock */
#define PRESSURE_SPAN	5	/* decay periods a pressure window lasts at most */

static __thread unsigned tick_count __attribute__((tls_model("initial-exec")));

/*
 * Direct reclaim, before a request fails: the calling thread's empty slabs
 * and page caches go back to the zones (where their pages merge, so a
 * larger block may now be free), the cached chunks are unmapped, and
 * whole free sections and the free top of the break go back to the OS.
 * Pages that moved, so that 0 means a retry cannot do better. Another
 * thread's caches are its own (pcache.c); they drain at its next free
 * inside the pressure window.
 */
size_t node_reclaim(void)
{
	size_t released = 0;
	struct tcache *tc = tls_tc;
	if (tc != &tcache_empty) {
		slab_trim(tc);		/* empty slabs: to the page cache */
		for (int i = 0; i < NR_ZONES; i++)
			released += tc->pcp[i].count;
		pcp_drain_all(tc);
	}
	released += large_cache_flush();
	for (int i = 0; i < NR_ZONES; i++)
		released += zone_give_back(&heap.node.zones[i], 0, false);
	return released;
}

/* A request failed: direct reclaim, and until the OS grants memory again
 * (for PRESSURE_SPAN decay periods at most) memory freed goes back at
 * once (pressure.h). */
size_t node_reclaim_failed(void)
{
	pressure_start(PRESSURE_SPAN * (opt.decay_ms > 1000 ? opt.decay_ms : 1000));
	return node_reclaim();
}

/* malloc_trim: everything that can go back, goes; the break keeps `pad`. */
int reclaim_trim(size_t pad)
{
	size_t released = 0;
	struct tcache *tc = tls_tc;
	if (tc != &tcache_empty) {
		released += slab_trim(tc);
		pcp_drain_all(tc);
	}
	released += large_cache_flush();
	for (int i = 0; i < NR_ZONES; i++)
		released += zone_give_back(&heap.node.zones[i], pad, true);
	return released != 0;
}

/* A thread's caches go back: its slabs are released or abandoned, its page
 * caches drained, its chunk slot given to the shared cache; then the
 * tcache is free for the next thread. Thread exit, and fork.c for the
 * threads that do not exist in the child. */
void reclaim_thread(struct tcache *tc)
{
	tcache_busy_enter(tc);
	slab_flush(tc);
	pcp_drain_all(tc);
	large_slot_flush(tc, UINT64_MAX);
	tcache_busy_exit(tc);
	tcache_leave(tc);
}

/*
 * The decay clock: when a slice of decay_ms is over, one thread (whichever
 * looks first) runs the decay of every zone and of the chunk cache.
 */
void reclaim_clock(uint64_t now)
{
	uint64_t due = atomic_load_explicit(&heap.next_decay, memory_order_relaxed);
	if (now < due)
		return;
	if (!atomic_compare_exchange_strong(&heap.next_decay, &due, now + opt.decay_ms / DECAY_SLICES))
		return;			/* another thread does this slice's decay */
	if (due == 0)
		return;			/* the first look starts the clock */
	for (int i = 0; i < NR_ZONES; i++)
		zone_decay(&heap.node.zones[i]);
	large_cache_decay(now);
}

/* Called from every slow path; every TICK_EVERY calls, looks at the clock.
 * tc may be tcache_empty. */
void reclaim_tick(struct tcache *tc)
{
	if (++tick_count % TICK_EVERY)
		return;
	uint64_t now = os_now_ms();
	if (tc != &tcache_empty && tc->chunk_slot && now >= opt.decay_ms)
		large_slot_flush(tc, now - opt.decay_ms);	/* the shared decay takes it from there */
	reclaim_clock(now);
}
