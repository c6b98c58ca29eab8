/*
 * tests/common.h - what the API tests (tests/api/) and the stress tests
 * (tests/stress/) share beyond the test-support library. Each test is one
 * program that is NOT linked with the library; it gets libbuddymalloc only
 * through LD_PRELOAD, as users do, so everything here is plain libc.
 * Include this file first: it sets _GNU_SOURCE.
 *
 * From tests/support (support.h): CHECK, fail, the generator (struct rng),
 * the byte patterns (pattern_fill/pattern_bad) and the /proc readers.
 * Here:
 *   CHECK_PATTERN(p, n, seed, what)   fail with the first bad byte
 *   block_fill/block_check   a pattern with the size (and the allocating
 *                        thread) in a header, for blocks handed between
 *                        threads that do not know their size
 *   rng_size_mix()       a size over all three paths of the library
 *   rss_kib(), vm_kib()  resident and virtual size; fail if unreadable
 *   run_child()          run a function in a forked child, capture its stderr,
 *                        report its exit status or signal
 *   watchdog(seconds)    alarm() that turns a hang into a failure with a message
 *   require_buddymalloc()  fail unless libbuddymalloc is mapped into us
 *   report_is(err, line)   err is that report line and then a call stack
 *
 * A failure ends the process with _exit(), never exit(): it may happen in a
 * forked child of a threaded process, or while other threads are inside malloc.
 */
#ifndef BUDDYMALLOC_TESTS_COMMON_H
#define BUDDYMALLOC_TESTS_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/support.h"

#define KIB ((size_t)1024)
#define MIB ((size_t)1024 * 1024)
#define PAGE ((size_t)4096)

/* The size ranges the library serves from different paths (see DESIGN.md). */
#define SLAB_MAX ((size_t)32768)
#define MMAP_THRESHOLD ((size_t)131072)

/*
 * The compiler knows malloc: it may drop a malloc/free pair whose block is
 * never read, fold a size it can see, or warn about a size it finds absurd.
 * Passing values through these keeps every call we wrote a real call.
 */
static inline size_t opaque_size(size_t n)
{
	__asm__ volatile("" : "+r"(n));
	return n;
}

static inline void *opaque_ptr(void *p)
{
	__asm__ volatile("" : "+r"(p) : : "memory");
	return p;
}

/* ---- patterns ----------------------------------------------------------- */

/* Fails the test, naming the first byte that differs from the pattern. */
#define CHECK_PATTERN(p, n, seed, what)					\
	do {								\
		const unsigned char *cp_p_ = (const void *)(p);		\
		size_t cp_n_ = (n), cp_i_;				\
		uint64_t cp_s_ = (seed);				\
		cp_i_ = pattern_bad(cp_p_, cp_n_, cp_s_);		\
		if (cp_i_ != PATTERN_OK)					\
			fail("%s: block %p (%zu bytes): byte %zu is "	\
			     "0x%02x, expected 0x%02x", (what),		\
			     (void *)cp_p_, cp_n_, cp_i_, cp_p_[cp_i_],	\
			     pattern_byte(cp_s_, cp_i_));		\
	} while (0)

/*
 * Blocks that travel between threads carry a header in their first 8 bytes:
 * the size in the low 48 bits, the allocating thread's number (0..65535) in
 * the high 16; the rest is a pattern seeded by address, size and salt.
 * block_check fails the test (with the caller's line) unless the block is
 * intact, and returns the size. n must be at least 8.
 */
#define BLOCK_SIZE_MASK (((uint64_t)1 << 48) - 1)

static inline void block_fill_owned(void *p, size_t n, uint64_t salt,
				    unsigned owner)
{
	uint64_t h = n | (uint64_t)owner << 48;

	memcpy(p, &h, 8);
	pattern_fill((char *)p + 8, n - 8, pattern_seed(p, salt ^ n));
}

static inline void block_fill(void *p, size_t n, uint64_t salt)
{
	block_fill_owned(p, n, salt, 0);
}

static inline unsigned block_owner(const void *p)
{
	uint64_t h;

	memcpy(&h, p, 8);
	return h >> 48;
}

#define block_check(p, salt, maxsize)					\
	__extension__({							\
		unsigned char *bc_p_ = (void *)(p);			\
		uint64_t bc_n_;						\
		memcpy(&bc_n_, bc_p_, 8);				\
		bc_n_ &= BLOCK_SIZE_MASK;				\
		if (bc_n_ < 8 || bc_n_ > (maxsize))			\
			fail("block %p: size header %llu corrupted",	\
			     (void *)bc_p_, (unsigned long long)bc_n_);	\
		CHECK_PATTERN(bc_p_ + 8, bc_n_ - 8,			\
			      pattern_seed(bc_p_, (salt) ^ bc_n_),	\
			      "block contents");			\
		(size_t)bc_n_;						\
	})

/*
 * A size for stress tests, over all three paths: 75% slab (16 B .. 32 KiB,
 * log-uniform so every class is hit), 20% page runs (up to the mmap
 * threshold), 5% mapped chunks (up to 1 MiB). Never below 16.
 */
static inline size_t rng_size_mix(struct rng *r)
{
	unsigned pick = rng_next(r) % 100;

	if (pick < 75) {
		unsigned shift = 4 + rng_next(r) % 11;	/* 16 .. 32 KiB */
		size_t lo = (size_t)1 << shift;

		return rng_range(r, lo, 2 * lo);
	}
	if (pick < 95)
		return rng_range(r, SLAB_MAX + 1, MMAP_THRESHOLD - 1);
	return rng_range(r, MMAP_THRESHOLD, MIB);
}

/* ---- process facts ------------------------------------------------------ */

static inline long rss_kib(void)
{
	long v = proc_rss_kib();

	if (v < 0)
		fail("cannot read /proc/self/statm");
	return v;
}

static inline long vm_kib(void)
{
	long v = proc_vm_kib();

	if (v < 0)
		fail("cannot read /proc/self/statm");
	return v;
}

static inline void require_buddymalloc(void)
{
	int r = proc_maps_name("libbuddymalloc");

	if (r < 0)
		fail("cannot read /proc/self/maps");
	if (r == 0)
		fail("libbuddymalloc is not loaded; this test checks the "
		     "library itself: run it with LD_PRELOAD=/abs/path/"
		     "libbuddymalloc.so");
}

/* ---- reports ------------------------------------------------------------ */

/*
 * True when err is an invalid/double free report: exactly `line` (one
 * line, its '\n' included), then the stack of the offending call, one
 * frame a line, "    #0 0x...", "    #1 0x...", ..., at least one frame.
 */
static inline int report_is(const char *err, const char *line)
{
	size_t n = strlen(line);
	unsigned long frames = 0;
	const char *s;

	if (strncmp(err, line, n) != 0)
		return 0;
	for (s = err + n; *s; frames++) {
		const char *nl = strchr(s, '\n');
		char *end;

		if (!nl || strncmp(s, "    #", 5) != 0 ||
		    strtoul(s + 5, &end, 10) != frames || strncmp(end, " 0x", 3) != 0)
			return 0;
		s = nl + 1;
	}
	return frames > 0;
}

/* ---- hangs -------------------------------------------------------------- */

static unsigned watchdog_seconds_;

static inline void watchdog_fired_(int sig)
{
	char buf[160];
	int n;

	(void)sig;
	n = snprintf(buf, sizeof(buf), "%s[%d]: timed out after %u s "
		     "(hang or deadlock)\n", program_invocation_short_name,
		     (int)getpid(), watchdog_seconds_);
	if (write(2, buf, n) < 0)
		_exit(3);
	_exit(2);
}

/* Fail the test (exit 2 with a message) if it is still running after
 * seconds. A forked child does not inherit the alarm: call it again there. */
static inline void watchdog(unsigned seconds)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog_fired_;
	sigaction(SIGALRM, &sa, NULL);
	watchdog_seconds_ = seconds;
	alarm(seconds);
}

/* ---- forked children ---------------------------------------------------- */

struct child_result {
	int exited;		/* 1: exit status in status; 0: killed by signo */
	int status;
	int signo;
	size_t err_len;
	char err[8192];		/* what the child wrote to stderr, NUL-ended */
};

/*
 * Run fn(arg) in a forked child whose stderr is a pipe to us; its return
 * value is the exit status. The child gets no core dump and a watchdog of
 * timeout seconds (death by SIGALRM then shows as signo == SIGALRM).
 */
static inline void run_child(int (*fn)(void *), void *arg, unsigned timeout,
			     struct child_result *r)
{
	int fds[2], wst;
	pid_t pid;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (pipe(fds) != 0)
		fail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };

		close(fds[0]);
		dup2(fds[1], 2);
		close(fds[1]);
		setrlimit(RLIMIT_CORE, &nocore);
		signal(SIGALRM, SIG_DFL);
		alarm(timeout);
		_exit(fn(arg));
	}
	close(fds[1]);
	for (;;) {
		char sink[256];

		if (r->err_len < sizeof(r->err) - 1)
			n = read(fds[0], r->err + r->err_len,
				 sizeof(r->err) - 1 - r->err_len);
		else
			n = read(fds[0], sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (r->err_len < sizeof(r->err) - 1)
			r->err_len += n;
	}
	r->err[r->err_len] = 0;
	close(fds[0]);
	while (waitpid(pid, &wst, 0) < 0)
		if (errno != EINTR)
			fail("waitpid: %s", strerror(errno));
	if (WIFEXITED(wst)) {
		r->exited = 1;
		r->status = WEXITSTATUS(wst);
	} else {
		r->signo = WTERMSIG(wst);
	}
}

/* "exit 3" or "signal 6 (Aborted)", for messages. */
static inline const char *child_how(const struct child_result *r)
{
	static char buf[96];

	if (r->exited)
		snprintf(buf, sizeof(buf), "exit %d", r->status);
	else
		snprintf(buf, sizeof(buf), "signal %d (%s)", r->signo,
			 strsignal(r->signo));
	return buf;
}

/* Same for a raw waitpid status. */
static inline const char *wait_how(int wst)
{
	static char buf[96];

	if (WIFEXITED(wst))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(wst));
	else if (WIFSIGNALED(wst))
		snprintf(buf, sizeof(buf), "signal %d (%s)", WTERMSIG(wst),
			 strsignal(WTERMSIG(wst)));
	else
		snprintf(buf, sizeof(buf), "status 0x%x", wst);
	return buf;
}

#endif
