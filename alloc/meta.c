/*
 * meta.c - memory for the allocator's own descriptors.
 *
 * Thread caches and chunk descriptors come from 64 KiB blocks mapped on
 * demand and cut with a bump pointer; chunk descriptors are recycled
 * through a free list. Nothing here is ever unmapped, so a stale pointer
 * into metadata reads a valid (if recycled) descriptor, never a hole.
 *
 * Lock: heap.meta.lock, a leaf. In a forked child whose parent held
 * it, the list may have lost one descriptor (a leak, never a double use):
 * pops and pushes each publish with one store.
 */
#include <string.h>

#include "meta.h"
#include "os.h"

#define META_BLOCK	((size_t)64 << 10)

static void *__meta_bump(size_t size)
{
	size = align_up(size, 64);
	if (heap.meta.end - heap.meta.cur < size) {
		size_t len = size > META_BLOCK ? align_up(size, PAGE_SIZE) : META_BLOCK;
		void *p = os_map(len);
		if (!p)
			return NULL;
		heap.meta.cur = (uintptr_t)p;
		heap.meta.end = heap.meta.cur + len;
	}
	void *p = (void *)heap.meta.cur;
	heap.meta.cur += size;
	return p;
}

/* Zeroed memory that is never given back. */
void *meta_alloc(size_t size)
{
	lock_acquire(&heap.meta.lock);
	void *p = __meta_bump(size);
	lock_release(&heap.meta.lock);
	return p;
}

struct chunk *chunk_desc_alloc(void)
{
	lock_acquire(&heap.meta.lock);
	struct chunk *c = heap.meta.free_descs;
	if (c)
		heap.meta.free_descs = c->next;
	else
		c = __meta_bump(sizeof(*c));
	lock_release(&heap.meta.lock);
	if (c)
		memset(c, 0, sizeof(*c));
	return c;
}

void chunk_desc_free(struct chunk *c)
{
	c->h.kind = 0;
	lock_acquire(&heap.meta.lock);
	c->next = heap.meta.free_descs;
	heap.meta.free_descs = c;
	lock_release(&heap.meta.lock);
}

void meta_fork_child(void)
{
	lock_init(&heap.meta.lock);
}
