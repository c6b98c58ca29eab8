/*
 * init.c - start-up and shut-down of the preloaded library.
 *
 * The heap starts on whichever comes first: this constructor, or the first
 * request of any kind, which passes alloc.c's slow-path entry (other
 * libraries' constructors may call malloc before ours runs). Starting here
 * makes sure that a program that forks before it ever allocates still has
 * our fork handler and our pthread key for thread exit (alloc.c); it also
 * starts the background_reclaim thread when asked. The destructor stops
 * that thread, then prints the statistics when the stats option asks for
 * them, to stderr or to stats_file, with write(2), once.
 * Every file call here is a raw syscall(): open, write and close are
 * cancellation points in glibc, and a thread with a pending cancellation
 * may be the one that calls exit().
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../alloc/alloc.h"
#include "../alloc/background.h"
#include "../stats/stats.h"

/* stats= to stderr: a copy of fd 2 taken at start-up, because many
 * programs (coreutils, for one) close stderr before they exit. */
static int stats_fd = -1;

__attribute__((constructor)) static void buddymalloc_start(void)
{
	ba_start();
	background_start();
	if (opt.stats && !opt.stats_file)
		stats_fd = (int)syscall(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 100);
}

__attribute__((destructor)) static void buddymalloc_stop(void)
{
	struct out o;
	int fd = stats_fd >= 0 ? stats_fd : 2;
	background_stop();
	if (opt.stats == 0)
		return;
	if (opt.stats_file) {
		char path[PATH_MAX];
		if (!fmt_path(path, sizeof(path), opt_string(opt.stats_file), (uint64_t)getpid())) {
			out_init_stderr(&o);
			out_str(&o, "buddymalloc: stats_file: too long, or a % other than %p and %%\n");
			out_flush(&o);
			return;
		}
		fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			report_line("buddymalloc: cannot open stats_file, errno", "", (uintptr_t)errno, false);
			return;
		}
	}
	out_init_fd(&o, fd);
	if (opt.stats == 1)
		stats_print(&o);
	else
		stats_json(&o);
	if (fd != 2)
		syscall(SYS_close, fd);
	stats_fd = -1;
}
