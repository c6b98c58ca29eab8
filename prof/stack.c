/*
 * stack.c - the stack of an allocation, with libunwind's unw_backtrace.
 *
 * The frames of this library itself (the sampler, malloc) are dropped, so
 * a stack starts at the caller of malloc. Called with no allocator lock
 * held and behind the sampler's thread-local recursion guard: libunwind
 * may call calloc (pthread_setspecific, on a thread's first backtrace),
 * which then passes through unsampled. stack_init() runs one backtrace at
 * start-up so that libunwind's one-time set-up happens before any sample.
 */
#define _GNU_SOURCE
#include <link.h>
#include <libunwind.h>

#include "internal.h"

/* This library's executable segments, [lo, hi). */
static uintptr_t self_lo, self_hi;

static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t me = (uintptr_t)arg, lo = UINTPTR_MAX, hi = 0;
	bool mine = false;
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD)
			continue;
		if (me >= a && me < a + ph->p_memsz)
			mine = true;
		if (ph->p_flags & PF_X) {
			lo = a < lo ? a : lo;
			hi = a + ph->p_memsz > hi ? a + ph->p_memsz : hi;
		}
	}
	if (!mine)
		return 0;
	self_lo = lo;
	self_hi = hi;
	return 1;
}

static void find_self_once(void)
{
	if (!self_hi)
		dl_iterate_phdr(find_self, (void *)(uintptr_t)&stack_init);
}

void stack_init(void)
{
	void *warm[8];
	find_self_once();
	unw_backtrace(warm, 8);
}

static bool in_self(uintptr_t pc)
{
	return pc >= self_lo && pc < self_hi;
}

/* Up to max return addresses of the program, innermost first. */
unsigned stack_capture(uintptr_t *out, unsigned max)
{
	void *buf[PROF_MAX_DEPTH + 16];
	if (max > PROF_MAX_DEPTH)
		max = PROF_MAX_DEPTH;
	find_self_once();	/* an error report may come before stack_init */
	int n = unw_backtrace(buf, (int)max + 16);
	int i = 0;
	unsigned depth = 0;
	while (i < n && in_self((uintptr_t)buf[i]))
		i++;
	for (; i < n && depth < max; i++)
		out[depth++] = (uintptr_t)buf[i];
	return depth;
}
