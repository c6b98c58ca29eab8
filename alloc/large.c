/*
 * large.c - mapped chunks: one anonymous mapping per request at or above
 * the mmap threshold (and for sizes or alignments no zone section holds).
 *
 * A chunk's mapping starts on a section boundary, so the section table
 * entries it covers are its own: no other chunk or zone section can start
 * inside them. Its descriptor lives out of band (meta.c). realloc grows
 * or shrinks a chunk with mremap, in place when the address space after
 * it is free, else by moving its pages (no copy) to a fresh aligned range.
 *
 * No lock: each chunk is touched only by the thread that frees or
 * reallocates it; the counters are atomics (this is not a hot path).
 */
#include "internal.h"

static _Atomic size_t nr_chunks, chunk_bytes, max_chunks, max_bytes;

static void account(long dn, long dbytes)
{
	size_t n = atomic_fetch_add(&nr_chunks, (size_t)dn) + (size_t)dn;
	size_t b = atomic_fetch_add(&chunk_bytes, (size_t)dbytes) + (size_t)dbytes;
	size_t m = atomic_load(&max_chunks);
	while (n > m && !atomic_compare_exchange_weak(&max_chunks, &m, n))
		;
	m = atomic_load(&max_bytes);
	while (b > m && !atomic_compare_exchange_weak(&max_bytes, &m, b))
		;
}

void large_stats(struct large_stats *out)
{
	out->nr = atomic_load(&nr_chunks);
	out->bytes = atomic_load(&chunk_bytes);
	out->max_nr = atomic_load(&max_chunks);
	out->max_bytes = atomic_load(&max_bytes);
}

void *large_alloc(size_t size, size_t align)
{
	size_t len = align_up(size, PAGE_SIZE);
	if (len < size || len == 0)
		return NULL;
	if (align < SECTION_SIZE)
		align = SECTION_SIZE;
	struct chunk *c = chunk_desc_alloc();
	if (!c)
		return NULL;
	void *p = os_map_aligned(len, align);
	if (!p) {
		chunk_desc_free(c);
		return NULL;
	}
	c->base = c->user = (uintptr_t)p;
	c->maplen = len;
	c->zeroed = 1;
	c->h.kind = SEC_CHUNK;
	if (!section_map(c->base, len, &c->h)) {
		os_unmap(p, len);
		chunk_desc_free(c);
		return NULL;
	}
	account(1, (long)len);
	return p;
}

void large_free(struct chunk *c)
{
	section_unmap(c->base, c->maplen);
	os_unmap((void *)c->base, c->maplen);
	account(-1, -(long)c->maplen);
	chunk_desc_free(c);
}

/* The section-table span of a mapping: whole sections from base. */
static uintptr_t span_end(uintptr_t base, size_t len)
{
	return align_up(base + len, SECTION_SIZE);
}

void *large_realloc(struct chunk *c, size_t size)
{
	size_t len = align_up(size, PAGE_SIZE), old = c->maplen;
	uintptr_t base = c->base;

	if (len < size)
		return NULL;
	if (len == old)
		return (void *)c->user;
	if (len < old) {
		/* clear the entries while the sections are still ours alone:
		 * once unmapped, another thread's chunk may start there */
		uintptr_t keep = span_end(base, len), had = span_end(base, old);
		if (keep < had)
			section_unmap(keep, had - keep);
		if (!os_remap_inplace((void *)base, old, len)) {
			if (keep < had)
				section_map(keep, had - keep, &c->h);
			return (void *)c->user;		/* keep the larger mapping */
		}
		c->maplen = len;
		account(0, (long)len - (long)old);
		return (void *)c->user;
	}
	/* growing. The table entries are set only once the pages are ours:
	 * the sections after the chunk may belong to someone else until then */
	uintptr_t have = span_end(base, old), want = span_end(base, len);
	if (os_remap_inplace((void *)base, old, len)) {
		if (want > have && !section_map(have, want - have, &c->h)) {
			os_remap_inplace((void *)base, len, old);
			return NULL;
		}
		c->maplen = len;
		c->zeroed = 0;
		account(0, (long)len - (long)old);
		return (void *)c->user;
	}
	void *to = os_map_aligned(len, SECTION_SIZE);
	if (!to)
		return NULL;
	if (!section_map((uintptr_t)to, len, &c->h)) {
		os_unmap(to, len);
		return NULL;
	}
	section_unmap(base, old);
	if (!os_remap_move((void *)base, old, to, len)) {
		section_map(base, old, &c->h);	/* its tables exist: cannot fail */
		section_unmap((uintptr_t)to, len);
		os_unmap(to, len);
		return NULL;
	}
	c->base = c->user = (uintptr_t)to;
	c->maplen = len;
	c->zeroed = 0;
	account(0, (long)len - (long)old);
	return to;
}
