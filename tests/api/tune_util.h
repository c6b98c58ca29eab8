/*
 * tests/api/tune_util.h - what the tunables, trimming and statistics tests
 * (t_tune_*, t_trim_*, t_stats_*) observe from outside the library: the
 * program break, whether an address is mapped, page faults, resident size,
 * mallinfo2. Plain libc only; include after "../common.h".
 *
 *   brk_start()         where the heap began (proc_brk_start, checked)
 *   in_brk(p, n)        [p, p+n) lies inside [brk_start(), sbrk(0))
 *   is_mapped(p)        the page of p is mapped (mincore does not say ENOMEM)
 *   minflt()            minor faults so far (proc_minflt, checked)
 *   mi_print(tag, m)    one line with every mallinfo2 field, for the log
 *   page_up(n)          n rounded up to a page
 *   touch(p, n)         writes one byte in every page of [p, p+n)
 *   reexec(mode, env)   runs this program again, argv[1] = mode, with env
 *                       ("NAME=value", or NULL) added; returns its status
 *   my_mallopt          mallopt with the call and its result printed
 */
#ifndef TUNE_UTIL_H
#define TUNE_UTIL_H

#include <sys/mman.h>

#include "../../include/buddymalloc.h"

static inline uintptr_t brk_start(void)
{
	uintptr_t v = proc_brk_start();

	if (v == 0)
		fail("no start_brk (field 47) in /proc/self/stat");
	return v;
}

static inline int in_brk(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p, lo = brk_start(), hi = (uintptr_t)sbrk(0);

	return a >= lo && a + n <= hi;
}

static inline int is_mapped(const void *p)
{
	unsigned char vec;
	void *page = (void *)((uintptr_t)p & ~(uintptr_t)(PAGE - 1));

	if (mincore(page, PAGE, &vec) == 0)
		return 1;
	if (errno != ENOMEM)
		fail("mincore(%p): %s", page, strerror(errno));
	return 0;
}

static inline long minflt(void)
{
	long v = proc_minflt();

	if (v < 0)
		fail("getrusage: %s", strerror(errno));
	return v;
}

static inline size_t page_up(size_t n)
{
	return (n + PAGE - 1) & ~(PAGE - 1);
}

static inline void touch(void *p, size_t n)
{
	volatile char *c = p;

	for (size_t i = 0; i < n; i += PAGE)
		c[i] = (char)(i >> 12 | 1);
	if (n)
		c[n - 1] = 1;
}

static inline void mi_print(const char *tag, struct mallinfo2 m)
{
	printf("%-28s arena %zu ordblks %zu smblks %zu hblks %zu hblkhd %zu "
	       "usmblks %zu fsmblks %zu uordblks %zu fordblks %zu keepcost %zu\n",
	       tag, m.arena, m.ordblks, m.smblks, m.hblks, m.hblkhd,
	       m.usmblks, m.fsmblks, m.uordblks, m.fordblks, m.keepcost);
	fflush(stdout);
}

static inline int my_mallopt(const char *name, int param, int value)
{
	int r = mallopt(param, value);

	printf("mallopt(%s = %d, %d) = %d\n", name, param, value, r);
	fflush(stdout);
	return r;
}
#define MALLOPT(param, value) my_mallopt(#param, param, value)

/* Runs /proc/self/exe MODE with ENV added to the environment (LD_PRELOAD is
 * inherited); returns the wait status. Output goes where ours goes. */
static inline int reexec(const char *mode, const char *env)
{
	pid_t pid;
	int wst;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		char *argv[] = { program_invocation_name, (char *)mode, NULL };

		if (env && putenv((char *)env) != 0)
			_exit(126);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	while (waitpid(pid, &wst, 0) < 0)
		if (errno != EINTR)
			fail("waitpid: %s", strerror(errno));
	return wst;
}

#endif
