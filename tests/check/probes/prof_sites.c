#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))
static void *keep[64128];

/* realloc(NULL, n) is malloc(n), and must be sampled as malloc is (the
 * null is volatile, or the compiler would call malloc itself) */
static void *volatile no_block;
NOINLINE void *site_small(size_t n) { void *p = realloc(no_block, n); __asm__ volatile("" ::: "memory"); return p; }
NOINLINE void *site_big(size_t n) { void *p = malloc(n); __asm__ volatile("" ::: "memory"); return p; }
NOINLINE void *site_freed(size_t n) { void *p = malloc(n); __asm__ volatile("" ::: "memory"); return p; }

int main(int argc, char **argv)
{
	int k = 0;
	for (int i = 0; i < 64000; i++) {
		keep[k] = site_small(1000);
		memset(keep[k++], 1, 1000);
	}
	for (int i = 0; i < 128; i++) {
		keep[k] = site_big(256 * 1024);
		memset(keep[k++], 2, 64);
	}
	if (argc > 1 && mallopt(1011, 0) != 1)	/* M_BUDDY_PROF_DUMP: a profile now */
		return 4;
	for (int i = 0; i < 5000; i++) {
		char *p = site_freed(3000);
		memset(p, 3, 3000);
		free(p);
	}
	return 0;
}
