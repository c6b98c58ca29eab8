/*
 * stats_dump.c - the probe of tests/check/stats_dump.sh: ends holding 2
 * mapped chunks of 300000 bytes and 100 objects of 100 bytes, so that the
 * statistics printed at exit have something to show. With argument
 * "close" it closes fd 2 before exit, as many programs do.
 */
#include "../../common.h"

static void *hold[102];		/* still held at exit */

int main(int argc, char **argv)
{
	int i;

	for (i = 0; i < 2; i++)
		hold[i] = opaque_ptr(malloc(300000));
	for (i = 2; i < 102; i++)
		hold[i] = opaque_ptr(malloc(100));
	if (argc > 1 && strcmp(argv[1], "close") == 0)
		close(2);
	return 0;
}
