/*
 * sizeclass.c - the size classes as data.
 *
 * 16..128 bytes in steps of 16, then four classes per power of two up to
 * SLAB_MAX, so no request above 64 bytes wastes more than 25% of its
 * object. sc_of() (sizeclass.h) maps a size to its class with a few
 * instructions and no table. A slab is the smallest block of order >= 2
 * (16 KiB) that holds at least 8 objects with at most 1/8 left over, or,
 * for the largest classes, the order that wastes least.
 * `recip` is ceil(2^32 / size): (offset * recip) >> 32 is offset / size for
 * every offset inside a slab, so free() checks object boundaries without a
 * division. tests/unit/sizeclass.c proves each of these claims.
 */
#include "sizeclass.h"

#define SC(size, order, cap) { size, order, cap, (uint32_t)((((uint64_t)1 << 32) + (size) - 1) / (size)) }

const struct size_class sc_table[NR_CLASSES] = {
	SC(16, 2, 1024),   SC(32, 2, 512),    SC(48, 2, 341),    SC(64, 2, 256),
	SC(80, 2, 204),    SC(96, 2, 170),    SC(112, 2, 146),   SC(128, 2, 128),
	SC(160, 2, 102),   SC(192, 2, 85),    SC(224, 2, 73),    SC(256, 2, 64),
	SC(320, 2, 51),    SC(384, 2, 42),    SC(448, 2, 36),    SC(512, 2, 32),
	SC(640, 2, 25),    SC(768, 2, 21),    SC(896, 2, 18),    SC(1024, 2, 16),
	SC(1280, 2, 12),   SC(1536, 2, 10),   SC(1792, 2, 9),    SC(2048, 2, 8),
	SC(2560, 3, 12),   SC(3072, 3, 10),   SC(3584, 3, 9),    SC(4096, 3, 8),
	SC(5120, 4, 12),   SC(6144, 4, 10),   SC(7168, 4, 9),    SC(8192, 4, 8),
	SC(10240, 5, 12),  SC(12288, 5, 10),  SC(14336, 5, 9),   SC(16384, 5, 8),
	SC(20480, 4, 3),   SC(24576, 5, 5),   SC(28672, 4, 2),   SC(32768, 4, 2),
};

_Static_assert(SLAB_MAX == 32768, "the last class is SLAB_MAX");

/*
 * The smallest class that can hold n bytes at an address aligned to
 * `align`: objects sit at slab base + i * size and a slab is aligned to its
 * own size, so a size that is a multiple of align (and no larger than the
 * slab's alignment) keeps every object aligned.
 */
int sc_for_aligned(size_t n, size_t align)
{
	for (unsigned c = sc_of(n < align ? align : n); c < NR_CLASSES; c++) {
		size_t size = sc_table[c].size;
		/* align is a power of two (the callers' check): masks, not division */
		if ((size & (align - 1)) == 0 && ((PAGE_SIZE << sc_table[c].order) & (align - 1)) == 0)
			return (int)c;
	}
	return -1;
}
