#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

NOINLINE static char *alloc_here(size_t n)
{
	char *p = malloc(n);
	memset(p, 1, n);
	return p;
}

NOINLINE static void free_here(char *p)
{
	free(p);
	__asm__ volatile("" ::: "memory");
}

NOINLINE static void free_again(char *p)
{
	free(p);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	size_t n = strtoul(argv[1], NULL, 0);
	char *p = alloc_here(n);
	free_here(p);
	if (argc < 3)	/* "now": the second free at once */
		for (int i = 0; i < 100; i++)
			free(malloc(n));
	free_again(p);
	return 0;
}
