/*
 * t_usable: malloc_usable_size, as any allocator must honour it.
 *
 * Proves that
 *  - malloc_usable_size(NULL) is 0;
 *  - for blocks from malloc, calloc, realloc (grown and shrunk), memalign,
 *    posix_memalign, aligned_alloc, valloc and pvalloc, of every size
 *    0..1100 and the boundary sizes of the three paths, the usable size is
 *    >= the size asked for, the same on every call, and every usable byte is
 *    writable: eight blocks of a size, each filled over its whole usable
 *    size, all read back intact (so no usable area overlaps another block).
 */
#include "../common.h"

#define GROUP 8

enum how { MALLOC, CALLOC, REALLOC_UP, REALLOC_DOWN, MEMALIGN, POSIX_MEMALIGN,
	   ALIGNED_ALLOC, VALLOC, PVALLOC, NHOW };
static const char *const how_name[NHOW] = {
	"malloc", "calloc", "realloc (grown)", "realloc (shrunk)", "memalign",
	"posix_memalign", "aligned_alloc", "valloc", "pvalloc",
};

static char *get(enum how how, size_t n)
{
	void *p = NULL;

	switch (how) {
	case MALLOC:
		return malloc(opaque_size(n));
	case CALLOC:
		return calloc(opaque_size(n), 1);
	case REALLOC_UP:
		p = malloc(opaque_size(n / 2));
		return p ? realloc(p, opaque_size(n)) : NULL;
	case REALLOC_DOWN:
		p = malloc(opaque_size(2 * n + 100));
		return p ? realloc(p, opaque_size(n)) : NULL;
	case MEMALIGN:
		return memalign(opaque_size(64), opaque_size(n));
	case POSIX_MEMALIGN:
		return posix_memalign(&p, opaque_size(256), opaque_size(n)) ?
			NULL : p;
	case ALIGNED_ALLOC:
		return aligned_alloc(opaque_size(4096), opaque_size(n));
	case VALLOC:
		return valloc(opaque_size(n));
	default:
		return pvalloc(opaque_size(n));
	}
}

static void group(enum how how, size_t n)
{
	char *p[GROUP];
	size_t u[GROUP];
	int i;

	if (n == 0 && (how == REALLOC_UP || how == REALLOC_DOWN))
		return;		/* realloc(p, 0) frees p */
	for (i = 0; i < GROUP; i++) {
		p[i] = get(how, n);
		CHECK(p[i] != NULL, "%s(%zu) returned NULL", how_name[how], n);
		u[i] = malloc_usable_size(p[i]);
		CHECK(u[i] >= n, "%s(%zu) = %p: malloc_usable_size %zu < %zu",
		       how_name[how], n, (void *)p[i], u[i], n);
		pattern_fill(p[i], u[i], pattern_seed(p[i], n));
		CHECK(malloc_usable_size(p[i]) == u[i], "%s(%zu) = %p: "
		       "malloc_usable_size changed from %zu to %zu after the "
		       "block was written", how_name[how], n, (void *)p[i],
		       u[i], malloc_usable_size(p[i]));
	}
	for (i = 0; i < GROUP; i++) {
		CHECK_PATTERN(p[i], u[i], pattern_seed(p[i], n),
			      "whole usable size, neighbours written too");
		free(p[i]);
	}
}

int main(void)
{
	static const size_t edges[] = {
		4095, 4096, 4097, 8191, 8192, 16383, 16384, 16385, 32767, 32768,
		32769, 36863, 36864, 36865, 65535, 65536, 65537, 131071, 131072,
		131073, 135167, 135168, 135169, MIB - 1, MIB, MIB + 1, 8 * MIB + 1,
	};
	size_t n, i;
	enum how how;

	watchdog(60);
	CHECK(malloc_usable_size(NULL) == 0);
	for (n = 0; n <= 1100; n++)
		group(MALLOC, n);
	for (how = 0; how < NHOW; how++) {
		for (n = 0; n <= 1100; n += how == MALLOC ? 1100 : 37)
			group(how, n);
		for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
			group(how, edges[i]);
	}
	return 0;
}
