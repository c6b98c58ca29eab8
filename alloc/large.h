/*
 * large.h - mapped chunks and their cache (large.c). Layer 5: over
 * section, meta and tcache (a thread's one-chunk slot).
 */
#ifndef BUDDY_LARGE_H
#define BUDDY_LARGE_H

#include "types.h"

void *large_alloc(size_t size, size_t align, bool *zeroed);
void large_free(struct chunk *c);
void *large_realloc(struct chunk *c, size_t size);
size_t large_live(void);

static inline size_t large_usable(const struct chunk *c)
{
	return c->maplen - (c->user - c->base);
}

struct large_stats { size_t nr, bytes, max_nr, max_bytes, cached, cached_bytes; };
void large_stats(struct large_stats *out);
size_t large_cache_flush(void);
void large_slot_flush(struct tcache *tc, uint64_t before);
void large_cache_decay(uint64_t now);
void large_fork_child(void);

#endif
