/*
 * probe.c - what the micro bodies share: a light byte check on the head of
 * each block (the bodies time the allocator, not the writing of whole
 * blocks) and the process's fault count for the shim's per-case counter.
 */
#include "bench.h"
#include "micro.h"

#include <sys/resource.h>

#define HEAD 64

void micro_mark(void *p, long n, unsigned long long tag)
{
	bench_mark(p, n < HEAD ? (size_t)n : HEAD, tag);
}

void micro_check(void *p, long n, unsigned long long tag)
{
	bench_check(p, n < HEAD ? (size_t)n : HEAD, tag);
}

long micro_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}
