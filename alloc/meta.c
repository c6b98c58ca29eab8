/*
 * meta.c - memory for the allocator's own descriptors.
 *
 * Thread caches and chunk descriptors come from 64 KiB blocks mapped on
 * demand and cut with a bump pointer; chunk descriptors are recycled
 * through a free list. Nothing here is ever unmapped, so a stale pointer
 * into metadata reads a valid (if recycled) descriptor, never a hole.
 *
 * Lock: meta_lock, innermost of all. In a forked child whose parent held
 * it, the list may have lost one descriptor (a leak, never a double use):
 * pops and pushes each publish with one store.
 */
#include <string.h>

#include "internal.h"

#define META_BLOCK	((size_t)64 << 10)

static struct lock meta_lock = LOCK_INIT;
static uintptr_t meta_cur, meta_end;
static struct chunk *chunk_free_list;

static void *__meta_bump(size_t size)
{
	size = align_up(size, 64);
	if (meta_end - meta_cur < size) {
		size_t len = size > META_BLOCK ? align_up(size, PAGE_SIZE) : META_BLOCK;
		void *p = os_map(len);
		if (!p)
			return NULL;
		meta_cur = (uintptr_t)p;
		meta_end = meta_cur + len;
	}
	void *p = (void *)meta_cur;
	meta_cur += size;
	return p;
}

/* Zeroed memory that is never given back. */
void *meta_alloc(size_t size)
{
	lock_acquire(&meta_lock);
	void *p = __meta_bump(size);
	lock_release(&meta_lock);
	return p;
}

struct chunk *chunk_desc_alloc(void)
{
	lock_acquire(&meta_lock);
	struct chunk *c = chunk_free_list;
	if (c)
		chunk_free_list = c->next;
	else
		c = __meta_bump(sizeof(*c));
	lock_release(&meta_lock);
	if (c)
		memset(c, 0, sizeof(*c));
	return c;
}

void chunk_desc_free(struct chunk *c)
{
	c->h.kind = 0;
	lock_acquire(&meta_lock);
	c->next = chunk_free_list;
	chunk_free_list = c;
	lock_release(&meta_lock);
}

void meta_fork_child(void)
{
	lock_init(&meta_lock);
}
