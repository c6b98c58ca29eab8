/*
 * linked.c - the program of tests/check/install.sh that is compiled and
 * linked against an installed prefix with $(pkg-config --cflags --libs
 * libbuddymalloc), so it is built by that test (the compile is part of
 * what it proves), not by the Makefile. Prints
 *   mapped=1 pcp_high=1 usable=112
 * when the installed library is mapped, accepts our own mallopt parameter
 * and serves a 100-byte block from its 112-byte size class.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <buddymalloc.h>

int main(void)
{
	char line[4096];
	int mapped = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	void *p;

	while (f && fgets(line, sizeof(line), f))
		mapped |= strstr(line, "/libbuddymalloc.so") != NULL;
	if (f)
		fclose(f);
	p = malloc(100);
	printf("mapped=%d pcp_high=%d usable=%zu\n", mapped,
	       mallopt(M_BUDDY_PCP_HIGH, 128), malloc_usable_size(p));
	free(p);
	return 0;
}
