/*
 * pcache.h - per-thread page caches, the kernel's per_cpu_pages (pcache.c).
 * Layer 4: over zone. Only the owning thread touches its lists.
 */
#ifndef BUDDY_PCACHE_H
#define BUDDY_PCACHE_H

#include "types.h"

struct page *pcp_alloc(struct tcache *tc, unsigned order, struct section **secp);
void pcp_free(struct tcache *tc, struct section *sec, struct page *pg, unsigned order);
void pcp_drain_all(struct tcache *tc);

#endif
