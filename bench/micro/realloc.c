/*
 * realloc.c - blocks that grow.  realloc_grow: from 16 bytes to the final
 * size by factors of 1.5 (a vector); realloc_append: to the final size 16
 * bytes at a time (a string being appended to).  One operation is one whole
 * growth, from malloc to free; the first 16 bytes must survive every move.
 */
#include "bench.h"
#include "micro.h"

#include <stdlib.h>

static const long GROW_TO[] = { 4096, 65536, 1048576, 0 };
static const long APPEND_TO[] = { 1024, 8192, 0 };

static void grow(long final, long n, int append)
{
	long i;

	for (i = 0; i < n; i++) {
		size_t size = 16;
		void *p = malloc(size);

		if (!p)
			goto fail;
		micro_mark(p, 16, (unsigned long long)i);
		while ((long)size < final) {
			size = append ? size + 16 : size + size / 2;
			if ((long)size > final)
				size = (size_t)final;
			p = realloc(p, size);
			if (!p)
				goto fail;
			micro_check(p, 16, (unsigned long long)i);
		}
		free(p);
	}
	return;
fail:
	bench_error("realloc growing to %ld bytes failed", final);
	exit(3);
}

static void grow_geometric(long final, long n)
{
	grow(final, n, 0);
}

static void grow_append(long final, long n)
{
	grow(final, n, 1);
}

const struct micro_bench micro_realloc[] = {
	{ "realloc_grow", "16 bytes to size by factors of 1.5, then free",
	  grow_geometric, NULL, NULL, GROW_TO, 1, 0 },
	{ "realloc_append", "16 bytes to size in steps of 16, then free",
	  grow_append, NULL, NULL, APPEND_TO, 1, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 },
};
