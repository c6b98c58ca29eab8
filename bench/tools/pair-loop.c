/*
 * pair-loop - malloc+free pairs and nothing else, for counting the
 * instructions one pair costs (bench/pair-cost.sh runs it under callgrind
 * at two counts; the difference divided by the difference of the counts
 * leaves out start-up and exit).
 *
 *   pair-loop SIZE COUNT
 *
 * does COUNT times: p = malloc(SIZE), write its first byte, free(p).  Built
 * with -fno-builtin-malloc (bench.mk), so the compiler cannot drop a pair.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	size_t size;
	long count, i;

	if (argc != 3 || (size = strtoul(argv[1], NULL, 0)) == 0 ||
	    (count = strtol(argv[2], NULL, 0)) <= 0) {
		fputs("usage: pair-loop SIZE COUNT\n", stderr);
		return 2;
	}
	for (i = 0; i < count; i++) {
		volatile char *p = malloc(size);

		if (!p) {
			perror("pair-loop: malloc");
			return 1;
		}
		p[0] = (char)i;
		free((void *)p);
	}
	return 0;
}
