/*
 * reclaim.c - proves whole free sections go back to the OS: after a
 * program frees everything, node_reclaim() unmaps every ZONE_MMAP
 * section (the addresses are no longer mapped: msync fails with
 * ENOMEM), lookups of them find nothing, and allocation afterwards
 * works again, reusing the retired descriptors.
 */
#include <sys/mman.h>

#include "unit.h"

#define N 3000

int main(void)
{
	static void *p[N];
	static uintptr_t bases[64];
	int nbases = 0;
	opt.brk = 0;		/* every section from mmap, so all can go back */
	ba_start();
	for (int round = 0; round < 2; round++) {
		struct rng rng;
	rng_seed(&rng, 11);
		for (int i = 0; i < N; i++) {
			p[i] = ba_malloc(1 + rng_next(&rng) % 100000);
			CHECK(p[i] != NULL, "allocation %d", i);
		}
		struct zone *z = &heap.node.zones[ZONE_MMAP];
		CHECK(z->managed_pages > 2 * PAGES_PER_SECTION, "several sections in use");
		if (round == 0)
			for (struct section *s = z->sections; s && nbases < 64; s = s->next)
				bases[nbases++] = s->base;
		for (int i = 0; i < N; i++)
			ba_free(p[i], "free");
		reclaim_thread(tls_tc);		/* as at thread exit: slabs and page cache back */
		size_t released = node_reclaim();
		CHECK(released > 0 && z->managed_pages == 0, "released %zu pages, %zu still managed",
		      released, z->managed_pages);
		CHECK(z->free_pages == 0 && z->sections == NULL, "zone empty");
		for (int i = 0; i < nbases && round == 0; i++) {
			CHECK(msync((void *)bases[i], PAGE_SIZE, MS_ASYNC) == -1 && errno == ENOMEM,
			      "section %#lx still mapped", (unsigned long)bases[i]);
			CHECK(section_lookup((void *)bases[i]) == NULL, "section %#lx still in the table",
			      (unsigned long)bases[i]);
		}
	}
	return unit_done("reclaim");
}
