/*
 * section.c - proves address -> section lookup: every address inside a
 * zone section finds that section and the right page descriptor, a
 * mapped chunk is found from every section it spans and from none after
 * it is unmapped, and addresses we never mapped (the stack, the text,
 * NULL, addresses above 47 bits) find nothing.
 */
#include "unit.h"

int main(void)
{
	struct zone z = { .id = ZONE_MMAP, .name = "test" };
	struct section *sec;
	int local;

	struct page *pg = __zone_alloc(&z, 3, &sec);
	CHECK(pg != NULL, "zone grows");
	for (size_t pfn = 0; pfn < PAGES_PER_SECTION; pfn += 37) {
		uintptr_t a = pfn_address(sec, pfn) + (pfn % PAGE_SIZE);
		CHECK(section_lookup((void *)a) == &sec->h, "lookup of page %zu", pfn);
		CHECK(&sec->pages[(a - sec->base) >> PAGE_SHIFT] == &sec->pages[pfn], "descriptor of page %zu", pfn);
	}
	CHECK(section_lookup((void *)(sec->base + SECTION_SIZE - 1)) == &sec->h, "last byte");
	CHECK(section_lookup(&local) == NULL, "the stack is not ours");
	CHECK(section_lookup((void *)main) == NULL, "the text is not ours");
	CHECK(section_lookup(NULL) == NULL, "NULL");
	CHECK(section_lookup((void *)((uintptr_t)1 << 47)) == NULL, "above 47 bits");
	CHECK(section_lookup((void *)UINTPTR_MAX) == NULL, "the top");

	ba_start();
	size_t len = 3 * SECTION_SIZE + 5 * PAGE_SIZE;
	bool zeroed;
	void *p = large_alloc(len, 0, &zeroed);
	CHECK(p && ((uintptr_t)p & (SECTION_SIZE - 1)) == 0, "a chunk starts on a section boundary");
	struct chunk *c = (struct chunk *)section_lookup(p);
	CHECK(c && c->h.kind == SEC_CHUNK && c->user == (uintptr_t)p, "chunk found from its start");
	CHECK(section_lookup((char *)p + len - 1) == &c->h, "chunk found from its last byte");
	CHECK(large_usable(c) == len, "usable %zu", large_usable(c));
	void *q = large_realloc(c, len + 9 * SECTION_SIZE);
	CHECK(q != NULL, "chunk grows");
	CHECK(section_lookup((char *)q + len + 9 * SECTION_SIZE - 1) == &c->h, "grown chunk found from its end");
	q = large_realloc(c, PAGE_SIZE);
	CHECK(q != NULL && c->maplen == PAGE_SIZE, "chunk shrinks");
	CHECK(section_lookup((char *)q + SECTION_SIZE) == NULL, "shrunk chunk gave its sections back");
	large_free(c);
	CHECK(section_lookup(q) == &c->h && c->cached, "a freed chunk waits in the cache");
	void *again = large_alloc(PAGE_SIZE, 0, &zeroed);
	CHECK(again == q && !zeroed, "and is reused, not zeroed, for the same size");
	large_free(c);
	large_cache_flush();
	CHECK(section_lookup(q) == NULL, "a flushed chunk is gone");
	return unit_done("section");
}
