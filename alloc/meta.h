/*
 * meta.h - memory for the allocator's own descriptors (meta.c), never
 * handed to the program. Layer 1: over os. meta.lock is a leaf.
 */
#ifndef BUDDY_META_H
#define BUDDY_META_H

#include "types.h"

void *meta_alloc(size_t size);		/* zeroed, never given back */
struct chunk *chunk_desc_alloc(void);
void chunk_desc_free(struct chunk *c);
void meta_fork_child(void);

#endif
