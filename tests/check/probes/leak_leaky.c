#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))
static void *keep[10];

NOINLINE static void leak_ten(void)
{
	for (int i = 0; i < 10; i++) {
		keep[i] = malloc(1234);
		memset(keep[i], 1, 1234);
	}
	__asm__ volatile("" ::: "memory");
}

NOINLINE static void churn(void)
{
	for (int i = 0; i < 1000; i++) {
		char *p = malloc(100 + (size_t)i * 7);
		memset(p, 2, 100);
		free(p);
	}
}

int main(int argc, char **argv)
{
	churn();
	if (argc > 1 && strcmp(argv[1], "leak") == 0)
		leak_ten();
	if (argc > 2) {
		/* fully buffered in a static buffer (no block of the heap), and
		 * left for exit to flush */
		static char buf[4096];
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
		printf("%s\n", argv[2]);
	}
	return 0;
}
