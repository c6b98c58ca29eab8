/*
 * dump.c - the profiler's start-up and its output: the heap profile in
 * gperftools' text format, and the leak report at exit.
 *
 * A profile file is PREFIX.PID.SEQ.heap (prof_file is PREFIX), written
 * with open/write through report.c's buffered writer:
 *
 *   heap profile: <live n>: <live bytes> [<total n>: <total bytes>] @ heapprofile
 *   <live n>: <live bytes> [<total n>: <total bytes>] @ 0x... 0x...   one per stack
 *   MAPPED_LIBRARIES:
 *   <a copy of /proc/self/maps>
 *
 * The counts are already unbiased (prof.c), so the header names the type
 * "heapprofile", which tells pprof not to scale them again.
 *
 * Lock: prof_lock is held while the stacks are written; nothing here
 * allocates.
 */
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../preload/hooks.h"
#include "internal.h"

#define LEAK_TOP	20	/* stacks the leak report shows */
#define LEAK_FRAMES	12	/* frames shown per stack */

static int err_fd = -1;		/* a copy of stderr taken at start-up */
static _Atomic unsigned dump_seq;

int prof_err_fd(void)
{
	return err_fd >= 0 ? err_fd : 2;
}

static uint64_t rounded(double v)
{
	return v > 0.5 ? (uint64_t)llround(v) : 0;
}

static void counts(struct out *o, double ln, double lb, double tn, double tb)
{
	out_u64(o, rounded(ln));
	out_str(o, ": ");
	out_u64(o, rounded(lb));
	out_str(o, " [");
	out_u64(o, rounded(tn));
	out_str(o, ": ");
	out_u64(o, rounded(tb));
	out_str(o, "]");
}

/* caller holds prof_lock */
static void __write_stacks(struct out *o)
{
	double ln = 0, lb = 0, tn = 0, tb = 0;
	for (struct pstack *s = prof_stacks; s; s = s->all) {
		ln += s->live_n;
		lb += s->live_b;
		tn += s->tot_n;
		tb += s->tot_b;
	}
	out_str(o, "heap profile: ");
	counts(o, ln, lb, tn, tb);
	out_str(o, " @ heapprofile\n");
	for (struct pstack *s = prof_stacks; s; s = s->all) {
		counts(o, s->live_n, s->live_b, s->tot_n, s->tot_b);
		out_str(o, " @");
		for (uint32_t i = 0; i < s->depth; i++) {
			out_str(o, " ");
			out_hex(o, s->pc[i]);
		}
		out_str(o, "\n");
	}
}

static void write_maps(struct out *o)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	out_str(o, "\nMAPPED_LIBRARIES:\n");
	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		out_mem(o, buf, (size_t)n);
	close(fd);
}

/* PREFIX.PID.SEQ.heap into path; false when it does not fit. */
static bool profile_name(char *path, size_t cap)
{
	const char *prefix = opt.prof_file ? opt_string(opt.prof_file) : "buddymalloc";
	char num[24];
	size_t len = strlen(prefix), k;
	if (len + 2 * sizeof(num) + 8 > cap)
		return false;
	memcpy(path, prefix, len);
	path[len++] = '.';
	k = fmt_u64(num, (uint64_t)getpid(), false);
	memcpy(path + len, num, k);
	len += k;
	path[len++] = '.';
	k = fmt_u64(num, atomic_fetch_add(&dump_seq, 1), false);
	memcpy(path + len, num, k);
	len += k;
	memcpy(path + len, ".heap", 6);
	return true;
}

/* prof_lock if it is free: for a signal handler, which must not wait
 * for the thread it interrupted */
static bool lock_try(struct lock *l)
{
	int c = 0;
	return atomic_compare_exchange_strong_explicit(&l->state, &c, 1,
			memory_order_acquire, memory_order_relaxed);
}

/* Writes a profile; its name into path. False when none could be written
 * (or, with try, when prof_lock was held). Async-signal-safe with try. */
bool prof_write_profile(char *path, size_t cap, bool try)
{
	struct out o;
	if (atomic_load(&prof_state) != PROF_ON)
		return false;
	if (!try)
		lock_acquire(&prof_lock);
	else if (!lock_try(&prof_lock))
		return false;
	if (!profile_name(path, cap)) {
		lock_release(&prof_lock);
		return false;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		lock_release(&prof_lock);
		return false;
	}
	out_init_fd(&o, fd);
	__write_stacks(&o);
	out_flush(&o);
	lock_release(&prof_lock);
	write_maps(&o);
	out_flush(&o);
	close(fd);
	return true;
}

int prof_dump_now(void)
{
	char path[512];
	return prof_write_profile(path, sizeof(path), false) ? 1 : 0;
}

/*
 * "buddymalloc: heap profile in P; show it with: google-pprof --text EXE P",
 * only when standard error is a terminal: programs and test suites that
 * run profiled children of their own check that the children's stderr is
 * empty, and a profile's name is known from prof_file anyway.
 */
static void announce(const char *path)
{
	struct out o;
	char exe[256];
	if (!isatty(prof_err_fd()))
		return;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? (size_t)n : 0] = 0;
	out_init_fd(&o, prof_err_fd());
	out_str(&o, "buddymalloc: heap profile in ");
	out_str(&o, path);
	out_str(&o, "; show it with: google-pprof --text ");
	out_str(&o, exe);
	out_str(&o, " ");
	out_str(&o, path);
	out_str(&o, "\n");
	out_flush(&o);
}

/* caller holds prof_lock: the stacks with the most live bytes, largest first */
static unsigned __leak_top(struct pstack **top, double *nblocks, double *nbytes)
{
	unsigned k = 0;
	*nblocks = *nbytes = 0;
	for (struct pstack *s = prof_stacks; s; s = s->all) {
		if (rounded(s->live_n) == 0)
			continue;
		*nblocks += s->live_n;
		*nbytes += s->live_b;
		unsigned i;
		if (k < LEAK_TOP)
			i = k++;
		else if (s->live_b <= top[LEAK_TOP - 1]->live_b)
			continue;
		else
			i = LEAK_TOP - 1;
		while (i > 0 && top[i - 1]->live_b < s->live_b) {
			top[i] = top[i - 1];
			i--;
		}
		top[i] = s;
	}
	return k;
}

/* Prints the leak report; true when something leaked. Runs at exit. */
static bool leak_report(void)
{
	struct pstack *top[LEAK_TOP];
	double nblocks, nbytes;
	struct out o;
	out_init_fd(&o, prof_err_fd());
	lock_acquire(&prof_lock);
	unsigned k = __leak_top(top, &nblocks, &nbytes);
	if (k) {
		out_str(&o, "buddymalloc: leak report: ");
		out_u64(&o, rounded(nbytes));
		out_str(&o, " bytes in ");
		out_u64(&o, rounded(nblocks));
		out_str(&o, " blocks still allocated at exit\n");
	}
	for (unsigned i = 0; i < k; i++) {
		out_str(&o, "buddymalloc: ");
		out_u64(&o, rounded(top[i]->live_b));
		out_str(&o, " bytes in ");
		out_u64(&o, rounded(top[i]->live_n));
		out_str(&o, " blocks allocated at:\n");
		for (uint32_t f = 0; f < top[i]->depth && f < LEAK_FRAMES; f++)
			sym_print_frame(&o, f, top[i]->pc[f]);
	}
	lock_release(&prof_lock);
	out_flush(&o);
	return k != 0;
}

__attribute__((constructor)) static void prof_start(void)
{
	ba_start();
	if (!opt.prof && !opt.leak_report && !opt.debug_stacks) {
		atomic_store(&prof_state, PROF_OFF);
		hooks_update();		/* malloc and free stop calling us */
		return;
	}
	err_fd = fcntl(2, F_DUPFD_CLOEXEC, 100);
	pthread_atfork(NULL, NULL, prof_fork_child);
	stack_init();
	prof_enable(opt.leak_report || opt.debug_stacks ? 1 : opt.prof_sample);
	if (opt.prof && (opt.prof_dump_on == PROF_DUMP_SIGNAL || opt.prof_dump_on == PROF_DUMP_BOTH))
		prof_signal_install((int)opt.prof_signal);
	hooks_update();		/* off again if prof_enable failed */
}

__attribute__((destructor)) static void prof_stop(void)
{
	char path[512];
	if (atomic_load(&prof_state) != PROF_ON)
		return;
	bool at_exit = opt.prof_dump_on == PROF_DUMP_EXIT || opt.prof_dump_on == PROF_DUMP_BOTH;
	if (opt.prof && at_exit && prof_write_profile(path, sizeof(path), false))
		announce(path);
	if (opt.leak_report && leak_report() && opt.leak_report == 2) {
		fflush(NULL);	/* the program's buffered output, before _exit */
		_exit(1);
	}
}
