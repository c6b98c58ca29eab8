/*
 * os.c - the only file that asks the kernel for memory or gives it back.
 *
 * Every function returns NULL/0/false on failure instead of the kernel's
 * error values and leaves errno as the caller had it: the caller decides
 * whether a failure becomes ENOMEM for the program.
 *
 * The break: os_brk_align() starts a ZONE_BRK section on the next 4 MiB
 * boundary and os_brk_move() grows or shrinks it a few pages at a time,
 * only if the break is still where we left it. If the program (or another
 * library) moved the break, the gap up to the next boundary is skipped,
 * never touched: every byte the program got from sbrk stays its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

void *os_map(size_t len)
{
	int saved = errno;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	errno = saved;
	return p == MAP_FAILED ? NULL : p;
}

/* Where the last aligned mapping ended: the next one is tried there first,
 * so that most aligned mappings cost one system call, not three. */
static _Atomic uintptr_t map_hint;

void *os_map_aligned(size_t len, size_t align)
{
	int saved = errno;
	uintptr_t hint = atomic_load_explicit(&map_hint, memory_order_relaxed);
	void *p;

	if (hint && !(hint & (align - 1))) {
		p = mmap((void *)hint, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != MAP_FAILED && p == (void *)hint)
			goto done;
		if (p != MAP_FAILED)	/* an old kernel ignored the flag */
			munmap(p, len);
	}
	size_t span = len + align - PAGE_SIZE;
	if (span < len) {
		errno = saved;
		return NULL;
	}
	p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		errno = saved;
		return NULL;
	}
	uintptr_t start = (uintptr_t)p, aligned = align_up(start, align);
	if (aligned > start)
		munmap(p, aligned - start);
	if (aligned + len < start + span)
		munmap((void *)(aligned + len), start + span - (aligned + len));
	p = (void *)aligned;
done:
	atomic_store_explicit(&map_hint, align_up((uintptr_t)p + len, SECTION_SIZE),
			      memory_order_relaxed);
	errno = saved;
	return p;
}

void os_unmap(void *p, size_t len)
{
	int saved = errno;
	munmap(p, len);
	errno = saved;
}

bool os_remap_inplace(void *p, size_t oldlen, size_t newlen)
{
	int saved = errno;
	void *q = mremap(p, oldlen, newlen, 0);
	errno = saved;
	return q == p;
}

/* Moves the pages of [p, p+oldlen) to `to` (already reserved, newlen
 * long) without copying them, growing the mapping to newlen. */
bool os_remap_move(void *p, size_t oldlen, void *to, size_t newlen)
{
	int saved = errno;
	void *q = mremap(p, oldlen, newlen, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	errno = saved;
	return q == to;
}

/*
 * Moves the break up to the next section boundary and returns it: a new
 * ZONE_BRK section starts there, with no page online yet. 0 when the
 * break cannot move.
 */
uintptr_t os_brk_align(void)
{
	int saved = errno;
	uintptr_t cur = (uintptr_t)sbrk(0), start;

	if (cur == (uintptr_t)-1 || cur > UINTPTR_MAX - SECTION_SIZE)
		goto fail;
	start = align_up(cur, SECTION_SIZE);
	if (start > cur && sbrk((intptr_t)(start - cur)) != (void *)cur)
		goto fail;
	errno = saved;
	return start;
fail:
	errno = saved;
	return 0;
}

/* The pages read as zero afterwards and cost no memory until written. */
void os_decommit(void *p, size_t len)
{
	int saved = errno;
	madvise(p, len, MADV_DONTNEED);
	errno = saved;
}

uint64_t os_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);	/* vDSO: no system call */
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The current break. */
uintptr_t os_brk_top(void)
{
	int saved = errno;
	uintptr_t top = (uintptr_t)sbrk(0);
	errno = saved;
	return top;
}

/* Moves the break from `expect` by delta bytes, if it is still at
 * `expect` (nobody else moved it). */
bool os_brk_move(uintptr_t expect, intptr_t delta)
{
	int saved = errno;
	bool ok = (uintptr_t)sbrk(0) == expect && sbrk(delta) != (void *)-1;
	errno = saved;
	return ok;
}

/* A raw system call: write(2) is a cancellation point, and this may run
 * with a lock held or in a thread whose cancellation is pending. */
void os_write_stderr(const char *s, size_t n)
{
	int saved = errno;
	while (n) {
		ssize_t w = syscall(SYS_write, 2, s, n);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			break;
		}
		s += w;
		n -= (size_t)w;
	}
	errno = saved;
}
