/*
 * sizeclass.c - prints the size-class table and proves its claims: sizes
 * rise, are multiples of 16, end at SLAB_MAX; sc_of(n) is the smallest
 * class holding n for every n up to SLAB_MAX; above 64 bytes no request
 * wastes more than 25% of what it asked for; each slab holds `capacity`
 * objects with at most 1/8 of it left over (or is the least wasteful
 * order for the largest classes), of four pages at least (a slab head is
 * three page descriptors); and the reciprocal turns every offset
 * inside a slab into its object index exactly.
 */
#include "unit.h"

int main(void)
{
	printf("class   size order slab-bytes objects tail-waste\n");
	for (unsigned c = 0; c < NR_CLASSES; c++) {
		const struct size_class *s = &sc_table[c];
		size_t bytes = PAGE_SIZE << s->order;
		printf("%5u %6u %5u %10zu %7u %9.1f%%\n", c, s->size, s->order, bytes, s->capacity,
		       100.0 * (double)(bytes - (size_t)s->capacity * s->size) / (double)bytes);
		CHECK(s->size % 16 == 0, "class %u size %u", c, s->size);
		CHECK(c == 0 || s->size > sc_table[c - 1].size, "class %u not rising", c);
		CHECK(s->capacity == bytes / s->size, "class %u capacity %u", c, s->capacity);
		CHECK(s->capacity >= 2 && s->order <= SLAB_MAX_ORDER, "class %u slab", c);
		/* a slab's head is three page descriptors (struct slab, types.h) */
		CHECK(s->order >= 2, "class %u: a slab of fewer than four pages", c);
		CHECK(s->capacity < 8 || (bytes - (size_t)s->capacity * s->size) * 8 <= bytes,
		      "class %u leaves more than 1/8 of its slab", c);
		for (uintptr_t off = 0; off < bytes; off++) {
			uint32_t idx = (uint32_t)((off * s->recip) >> 32);
			if (idx != off / s->size) {
				CHECK(0, "class %u: offset %lu gives index %u", c, (unsigned long)off, idx);
				break;
			}
		}
	}
	CHECK(sc_table[NR_CLASSES - 1].size == SLAB_MAX, "last class is SLAB_MAX");
	for (size_t n = 0; n <= SLAB_MAX; n++) {
		unsigned c = sc_of(n);
		CHECK(c < NR_CLASSES && sc_table[c].size >= n, "sc_of(%zu) = %u too small", n, c);
		CHECK(c == 0 || sc_table[c - 1].size < n, "sc_of(%zu) = %u not the smallest", n, c);
		if (n > 64)
			CHECK((sc_table[c].size - n) * 4 <= n, "size %zu wastes more than 25%% in class %u", n, c);
	}
	for (size_t a = 32; a <= 4096; a *= 2) {
		int c = sc_for_aligned(100, a);
		CHECK(c >= 0 && sc_table[c].size % a == 0 && sc_table[c].size >= 100, "aligned class for %zu", a);
	}
	return unit_done("sizeclass");
}
