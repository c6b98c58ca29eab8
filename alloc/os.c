/*
 * os.c - the only file that asks the kernel for memory or gives it back.
 *
 * Every function returns NULL/0/false on failure instead of the kernel's
 * error values and leaves errno as the caller had it: the caller decides
 * whether a failure becomes ENOMEM for the program.
 *
 * The break: os_brk_section() grows it by one 4 MiB-aligned section. If
 * the program (or another library) moved the break since our last call,
 * the gap up to the next aligned address is skipped, never touched: every
 * byte the program got from sbrk stays its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
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

uintptr_t os_brk_section(void)
{
	int saved = errno;
	uintptr_t cur = (uintptr_t)sbrk(0), start, got;

	if (cur == (uintptr_t)-1)
		goto fail;
	start = align_up(cur, SECTION_SIZE);
	if (start + SECTION_SIZE < cur)
		goto fail;
	got = (uintptr_t)sbrk((intptr_t)(start + SECTION_SIZE - cur));
	if (got == (uintptr_t)-1)
		goto fail;
	if (got != cur) {
		/* someone moved the break between our two calls: give back
		 * what we took, if it is still on top, and let the caller retry */
		if ((uintptr_t)sbrk(0) == got + (start + SECTION_SIZE - cur))
			sbrk(-(intptr_t)(start + SECTION_SIZE - cur));
		goto fail;
	}
	errno = saved;
	return start;
fail:
	errno = saved;
	return 0;
}

void os_write_stderr(const char *s, size_t n)
{
	int saved = errno;
	while (n) {
		ssize_t w = write(2, s, n);
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
