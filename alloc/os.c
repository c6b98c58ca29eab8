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

#include "os.h"
#include "types.h"

/* Counts one system call of a kind (heap.os, the statistics). */
#define SYS(kind, call) \
	(atomic_fetch_add_explicit(&heap.os.sys_##kind, 1, memory_order_relaxed), (call))

void *os_map(size_t len)
{
	int saved = errno;
	void *p = SYS(mmap, mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	errno = saved;
	return p == MAP_FAILED ? NULL : p;
}

/* The mapping flags of a reservation (PROT_NONE: os_reserve_aligned). */
static int map_flags(int prot)
{
	return MAP_PRIVATE | MAP_ANONYMOUS | (prot == PROT_NONE ? MAP_NORESERVE : 0);
}

static void *map_fixed(uintptr_t at, size_t len, int prot)
{
	void *q = SYS(mmap, mmap((void *)at, len, prot, map_flags(prot) | MAP_FIXED_NOREPLACE, -1, 0));
	if (q == (void *)at)
		return q;
	if (q != MAP_FAILED)	/* an old kernel ignored the flag */
		SYS(munmap, munmap(q, len));
	return MAP_FAILED;
}

/*
 * An aligned mapping of exactly len bytes, found without asking for more:
 * under RLIMIT_AS or RLIMIT_DATA near the limit, the extra `align` bytes
 * of an over-sized mapping are what is missing. Tries where the kernel
 * would put len bytes (the aligned addresses around it), then below the
 * lowest aligned mapping so far (heap.map_low; mappings grow down, so the
 * aligned ranges just below it are the likely free ones). Each try that
 * fails costs a system call and no memory. MAP_FAILED when none is free.
 */
static void *map_aligned_tight(size_t len, size_t align, int prot)
{
	void *p = SYS(mmap, mmap(NULL, len, prot, map_flags(prot), -1, 0));
	if (p == MAP_FAILED || ((uintptr_t)p & (align - 1)) == 0)
		return p;
	SYS(munmap, munmap(p, len));
	uintptr_t down = (uintptr_t)p & ~(align - 1), low = atomic_load(&heap.map_low);
	uintptr_t try[2 + 8] = { down, down + align };
	int n = 2;
	for (int k = 1; k <= 8 && low && (low & ~(align - 1)) > (uintptr_t)k * align; k++)
		try[n++] = (low & ~(align - 1)) - (uintptr_t)k * align;
	for (int i = 0; i < n; i++)
		if ((p = map_fixed(try[i], len, prot)) != MAP_FAILED)
			return p;
	return MAP_FAILED;
}

/*
 * The last resort: len + align bytes reserved without access, trimmed to
 * the aligned range, which then becomes writable. A mapping without
 * write access does not count against RLIMIT_DATA, so only the len bytes
 * that stay do; RLIMIT_AS still sees the whole reservation.
 */
static void *map_aligned_over(size_t len, size_t align, int prot)
{
	size_t span = len + align - PAGE_SIZE;
	if (span < len)
		return MAP_FAILED;
	void *p = SYS(mmap, mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
	if (p == MAP_FAILED)
		return p;
	uintptr_t start = (uintptr_t)p, aligned = align_up(start, align);
	if (aligned > start)
		SYS(munmap, munmap(p, aligned - start));
	if (aligned + len < start + span)
		SYS(munmap, munmap((void *)(aligned + len), start + span - (aligned + len)));
	if (prot != PROT_NONE && SYS(mprotect, mprotect((void *)aligned, len, prot)) != 0) {
		SYS(munmap, munmap((void *)aligned, len));
		return MAP_FAILED;
	}
	return (void *)aligned;
}

/*
 * heap.map_hint: where the last aligned mapping ended. The next one is
 * tried there first, so most aligned mappings cost one system call; then
 * exactly len bytes near where the kernel puts them; only then an
 * over-sized reservation, which needs `align` bytes of address space more
 * than the mapping keeps.
 */
static void *map_aligned(size_t len, size_t align, int prot)
{
	int saved = errno;
	uintptr_t hint = atomic_load_explicit(&heap.map_hint, memory_order_relaxed);
	void *p = MAP_FAILED;

	if (hint && !(hint & (align - 1)))
		p = map_fixed(hint, len, prot);
	if (p == MAP_FAILED)
		p = map_aligned_tight(len, align, prot);
	if (p == MAP_FAILED)
		p = map_aligned_over(len, align, prot);
	if (p == MAP_FAILED) {
		errno = saved;
		return NULL;
	}
	atomic_store_explicit(&heap.map_hint, align_up((uintptr_t)p + len, SECTION_SIZE),
			      memory_order_relaxed);
	for (uintptr_t low = atomic_load(&heap.map_low); !low || (uintptr_t)p < low;)
		if (atomic_compare_exchange_weak(&heap.map_low, &low, (uintptr_t)p))
			break;
	errno = saved;
	return p;
}

void *os_map_aligned(size_t len, size_t align)
{
	return map_aligned(len, align, PROT_READ | PROT_WRITE);
}

/* An aligned range without access, for os_remap_move to move pages into:
 * it counts against RLIMIT_AS but not RLIMIT_DATA, so moving a chunk to
 * grow it needs only the growth, not a second copy, under RLIMIT_DATA. */
void *os_reserve_aligned(size_t len, size_t align)
{
	return map_aligned(len, align, PROT_NONE);
}

void os_unmap(void *p, size_t len)
{
	int saved = errno;
	SYS(munmap, munmap(p, len));
	errno = saved;
}

bool os_remap_inplace(void *p, size_t oldlen, size_t newlen)
{
	int saved = errno;
	void *q = SYS(mremap, mremap(p, oldlen, newlen, 0));
	errno = saved;
	return q == p;
}

/* Moves the pages of [p, p+oldlen) to `to` (already reserved, newlen
 * long) without copying them, growing the mapping to newlen. */
bool os_remap_move(void *p, size_t oldlen, void *to, size_t newlen)
{
	int saved = errno;
	void *q = SYS(mremap, mremap(p, oldlen, newlen, MREMAP_MAYMOVE | MREMAP_FIXED, to));
	errno = saved;
	return q == to;
}

/*
 * Moves the break up to the next section boundary and returns it: a new
 * ZONE_BRK section starts there, with no page online yet. *from is where
 * the break was: [*from, boundary) is padding of ours. 0 when the break
 * cannot move.
 */
uintptr_t os_brk_align(uintptr_t *from)
{
	int saved = errno;
	uintptr_t cur = (uintptr_t)sbrk(0), start;

	if (cur == (uintptr_t)-1 || cur > UINTPTR_MAX - SECTION_SIZE)
		goto fail;
	start = align_up(cur, SECTION_SIZE);
	if (start > cur && SYS(brk, sbrk((intptr_t)(start - cur))) != (void *)cur)
		goto fail;
	*from = cur;
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
	SYS(madvise, madvise(p, len, MADV_DONTNEED));
	errno = saved;
}

/* The whole pages inside [p, p+len) go back; the ragged ends stay. */
void os_decommit_inner(void *p, size_t len)
{
	uintptr_t start = align_up((uintptr_t)p, PAGE_SIZE), end = ((uintptr_t)p + len) & ~(PAGE_SIZE - 1);
	if (end > start)
		os_decommit((void *)start, end - start);
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

/*
 * The break refused to grow: true when a mapping lies in the `len` bytes
 * above it (the break is blocked for good), false when it was a limit
 * (RLIMIT_DATA, RLIMIT_AS) that freeing memory lifts. Asked with a
 * PROT_NONE mapping that must not replace anything: EEXIST says blocked.
 */
bool os_brk_blocked(size_t len)
{
	int saved = errno;
	uintptr_t top = align_up((uintptr_t)sbrk(0), PAGE_SIZE);
	void *p = SYS(mmap, mmap((void *)top, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0));
	bool blocked = p == MAP_FAILED && errno == EEXIST;
	if (p != MAP_FAILED)
		SYS(munmap, munmap(p, len));
	errno = saved;
	return blocked;
}

/* Moves the break from `expect` by delta bytes, if it is still at
 * `expect` (nobody else moved it). */
bool os_brk_move(uintptr_t expect, intptr_t delta)
{
	int saved = errno;
	bool ok = (uintptr_t)sbrk(0) == expect && SYS(brk, sbrk(delta)) != (void *)-1;
	errno = saved;
	return ok;
}

/* All of s to fd, retried on EINTR; errno kept. A raw system call: this
 * may run with a lock held, or in a thread whose cancellation is pending. */
void os_write(int fd, const char *s, size_t n)
{
	int saved = errno;
	while (n) {
		ssize_t w = syscall(SYS_write, fd, s, n);	/* write(2) is a cancellation point */
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

void os_write_stderr(const char *s, size_t n)
{
	os_write(2, s, n);
}

void os_counters(int64_t out[NR_OS_COUNTERS])
{
#define X(name, kind, doc) out[OS_##name] = atomic_load_explicit(&heap.os.name, memory_order_relaxed);
	OS_COUNTERS(X)
#undef X
}
