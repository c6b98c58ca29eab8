/*
 * early_malloc.c - libearly_malloc.so, the helper library of
 * t_tune_ctor_threshold. The test program links it (DT_NEEDED) and runs
 * with libbuddymalloc in LD_PRELOAD; neither library depends on the other,
 * so the dynamic linker runs this constructor before libbuddymalloc's
 * (a preloaded library comes earlier in the search list, and initialisers
 * run in the reverse of that order). The test proves that order from the
 * linker's own log (LD_DEBUG=libs) rather than assuming it.
 *
 * The constructor asks for EARLY_SIZE bytes (below the default threshold),
 * fills it with EARLY_BYTE and leaves it for the test to inspect.
 */
#include <stdlib.h>
#include <string.h>

#define EARLY_SIZE (64 * 1024)
#define EARLY_BYTE 0x5a

void *early_block;			/* the block, or NULL if malloc failed */
const size_t early_size = EARLY_SIZE;
const unsigned char early_byte = EARLY_BYTE;

__attribute__((constructor)) static void early_malloc(void)
{
	early_block = malloc(EARLY_SIZE);
	if (early_block)
		memset(early_block, EARLY_BYTE, EARLY_SIZE);
}
