/*
 * init.c - start-up and shut-down of the preloaded library.
 *
 * Everything also starts lazily on the first call (alloc.c: ba_init, from
 * the first slow path), because other libraries' constructors may call
 * malloc before ours runs. The constructor only makes sure that a program
 * that forks before it ever allocates still has our fork handler
 * (pthread_atfork, in ba_init) and our pthread key for thread exit
 * (tcache.c). The destructor prints the statistics when the stats option
 * asks for them, to stderr or to stats_file, with write(2), once.
 * Every file call here is a raw syscall(): open, write and close are
 * cancellation points in glibc, and a thread with a pending cancellation
 * may be the one that calls exit().
 */
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../alloc/internal.h"
#include "../stats/stats.h"

/* stats= to stderr: a copy of fd 2 taken at start-up, because many
 * programs (coreutils, for one) close stderr before they exit. */
static int stats_fd = -1;

__attribute__((constructor)) static void buddymalloc_start(void)
{
	if (!atomic_load_explicit(&ba_initialised, memory_order_acquire))
		ba_init();
	if (opt.stats && !opt.stats_file)
		stats_fd = (int)syscall(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 100);
}

static void fd_sink(struct out *o, const char *s, size_t n)
{
	int fd = (int)(intptr_t)o->arg;
	while (n) {
		ssize_t w = syscall(SYS_write, fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

__attribute__((destructor)) static void buddymalloc_stop(void)
{
	struct out o;
	int fd = stats_fd >= 0 ? stats_fd : 2;
	if (opt.stats == 0)
		return;
	if (opt.stats_file) {
		fd = (int)syscall(SYS_openat, AT_FDCWD, opt_string(opt.stats_file),
				  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			report_line("buddymalloc: cannot open stats_file, errno", "", (uintptr_t)errno, false);
			return;
		}
	}
	o.len = o.col = 0;
	o.sink = fd_sink;
	o.arg = (void *)(intptr_t)fd;
	if (opt.stats == 1)
		stats_print(&o);
	else
		stats_json(&o);
	if (fd != 2)
		syscall(SYS_close, fd);
	stats_fd = -1;
}
