/*
 * probe.c - what the micro bodies share: a light byte check on the head of
 * each block (the bodies time the allocator, not the writing of whole
 * blocks).  The shim's per-case fault counter is tests/support's
 * proc_minflt().
 */
#include "bench.h"
#include "micro.h"

#define HEAD 64

void micro_mark(void *p, long n, unsigned long long tag)
{
	bench_mark(p, n < HEAD ? (size_t)n : HEAD, tag);
}

void micro_check(void *p, long n, unsigned long long tag)
{
	bench_check(p, n < HEAD ? (size_t)n : HEAD, tag);
}
