/*
 * t_stats_mallinfo_int: mallinfo()'s int fields saturate at INT_MAX rather
 * than wrap (seed 001: "its members are all int ... easily overflow on 64
 * bits"). Needs the library itself.
 *
 * Three mapped chunks of 1 GiB + 1 byte (never touched: no memory is used,
 * only address space; a raw mmap of the same sizes is tried first and the
 * test says SKIP if the machine refuses it) make hblkhd about 3 GiB.
 * Proves that
 *  - mallinfo2().hblks is 3 more and hblkhd exactly 3 * (1 GiB + 4 KiB)
 *    more, with no wrap;
 *  - mallinfo().hblkhd and .usmblks are INT_MAX, not negative or wrapped;
 *    every other field equals mallinfo2's (all of them are below INT_MAX);
 *  - freed, mallinfo().hblkhd is back to mallinfo2's small value.
 */
#include "../common.h"
#include "tune_util.h"

#include <limits.h>

#define BIG ((size_t)1 << 30)
#define N 3

static void print_mi1(const char *tag, struct mallinfo m)
{
	printf("%-22s mallinfo: arena %d ordblks %d smblks %d hblks %d hblkhd %d "
	       "usmblks %d fsmblks %d uordblks %d fordblks %d keepcost %d\n",
	       tag, m.arena, m.ordblks, m.smblks, m.hblks, m.hblkhd, m.usmblks,
	       m.fsmblks, m.uordblks, m.fordblks, m.keepcost);
}

#define FIELD_EQ(f)							\
	CHECK(m2.f > INT_MAX ? m1.f == INT_MAX : (size_t)m1.f == m2.f,	\
	       "mallinfo()." #f " = %d, mallinfo2()." #f " = %zu", m1.f, m2.f)

int main(void)
{
	void *raw[N], *p[N];
	struct mallinfo2 a, m2;
	struct mallinfo m1;
	int i;

	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */

	require_buddymalloc();
	for (i = 0; i < N; i++) {
		raw[i] = mmap(NULL, BIG + PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (raw[i] == MAP_FAILED) {
			printf("SKIP: this machine refuses %d anonymous mappings of "
			       "1 GiB (overcommit_memory setting?): %s\n", N,
			       strerror(errno));
			return 0;
		}
	}
	for (i = 0; i < N; i++)
		munmap(raw[i], BIG + PAGE);

	malloc_trim(0);
	a = mallinfo2();
	mi_print("before", a);
	for (i = 0; i < N; i++) {
		p[i] = malloc(opaque_size(BIG + 1));
		CHECK(p[i] != NULL, "malloc(1 GiB + 1) #%d failed although a "
		       "raw mmap of that size worked", i);
	}
	m2 = mallinfo2();
	m1 = mallinfo();
	mi_print("3 GiB in chunks", m2);
	print_mi1("3 GiB in chunks", m1);
	CHECK(m2.hblks == a.hblks + N, "hblks %zu -> %zu, expected + %d",
	       a.hblks, m2.hblks, N);
	CHECK(m2.hblkhd == a.hblkhd + N * (BIG + PAGE), "hblkhd %zu -> %zu, "
	       "expected + %zu", a.hblkhd, m2.hblkhd, N * (BIG + PAGE));
	CHECK(m1.hblkhd == INT_MAX, "mallinfo().hblkhd = %d with %zu bytes "
	       "in mapped chunks: expected INT_MAX (%d)", m1.hblkhd, m2.hblkhd,
	       INT_MAX);
	CHECK(m1.usmblks == INT_MAX, "mallinfo().usmblks = %d with "
	       "mallinfo2().usmblks = %zu: expected INT_MAX", m1.usmblks,
	       m2.usmblks);
	FIELD_EQ(arena);
	FIELD_EQ(ordblks);
	FIELD_EQ(smblks);
	FIELD_EQ(hblks);
	FIELD_EQ(fsmblks);
	FIELD_EQ(uordblks);
	FIELD_EQ(fordblks);
	FIELD_EQ(keepcost);
	for (i = 0; i < N; i++)
		free(p[i]);
	m2 = mallinfo2();
	m1 = mallinfo();
	mi_print("freed", m2);
	print_mi1("freed", m1);
	CHECK(m2.hblkhd < INT_MAX && (size_t)m1.hblkhd == m2.hblkhd,
	       "after the frees: mallinfo().hblkhd %d, mallinfo2().hblkhd %zu",
	       m1.hblkhd, m2.hblkhd);
	printf("mallinfo saturates as expected\n");
	return 0;
}
