/*
 * t_idle_return: background_reclaim gives idle memory back to a program
 * that has stopped calling malloc. Needs the library itself.
 *
 * The burst (issue 11's measurement): 768 page runs of 64 KiB (48 MiB,
 * below the default high watermark, so no watermark gives anything back),
 * every page written, all freed but the last one (which pins the top of
 * the heap, so no trim of the break gives anything back either); then the
 * program only sleeps and reads its RSS every 50 ms, for decay_ms (1000
 * here) plus one second. Each case runs in a fresh copy of this program
 * (options are read at start-up). Proves that
 *  - background_reclaim=on: RSS is back within 16 MiB of where it started
 *    before the deadline;
 *  - background_reclaim=off (the default): RSS stays within 8 MiB of the
 *    peak until the deadline, as the manual says: without the thread, free
 *    memory waits for the program's next call into the library;
 *  - background_reclaim=fork: a forked child that does the burst gets its
 *    memory back too (the thread is started again in the child), while
 *    with =on a forked child has no thread and keeps it;
 *  - every copy exits 0 with nothing on stderr: the thread stops cleanly at
 *    exit.
 */
#include "../common.h"

#include <sys/wait.h>

#define NRUN		768
#define RUN		(64 * KIB)
#define DECAY_MS	1000

/* The burst, then the watch. Exit 0 when RSS went back (want_back) or
 * stayed (!want_back) as expected, 3 when not. */
static int burst(int want_back)
{
	static void *run[NRUN];
	long base = rss_kib(), peak, now = 0;
	double waited = 0;

	for (int i = 0; i < NRUN; i++) {
		run[i] = malloc(opaque_size(RUN));
		if (!run[i])
			return 2;
		memset(run[i], 0x5a, RUN);
	}
	peak = rss_kib();
	for (int i = 0; i < NRUN - 1; i++)
		free(run[i]);
	for (; waited < (DECAY_MS + 1000) / 1000.0; waited += 0.05) {
		usleep(50000);
		now = rss_kib();
		if (want_back && now <= base + 16 * 1024)
			break;
	}
	printf("  base %ld KiB, peak %ld KiB, after %.2f s %ld KiB\n", base, peak, waited, now);
	fflush(stdout);
	if (want_back)
		return now <= base + 16 * 1024 ? 0 : 3;
	return now >= peak - 8 * 1024 ? 0 : 3;
}

/* The same in a forked child of this copy. */
static int burst_in_child(int want_back)
{
	int wst;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(burst(want_back));
	if (pid < 0 || waitpid(pid, &wst, 0) != pid)
		return 2;
	return WIFEXITED(wst) ? WEXITSTATUS(wst) : 4;
}

static char *const *case_argv;
static int exec_case(void *arg)
{
	setenv("BUDDYMALLOC_OPTIONS", arg, 1);
	execv("/proc/self/exe", case_argv);
	return 5;
}

static void check_case(const char *options, const char *mode, const char *what)
{
	char *argv[] = { program_invocation_name, (char *)mode, NULL };
	struct child_result r;
	case_argv = argv;
	printf("%s (BUDDYMALLOC_OPTIONS=%s):\n", what, options);
	fflush(stdout);
	run_child(exec_case, (void *)options, 30, &r);
	CHECK(r.exited && r.status == 0, "%s: %s", what, child_how(&r));
	CHECK(r.err_len == 0, "%s: stderr: %s", what, r.err);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		int back = strstr(argv[1], "back") != NULL;
		return strncmp(argv[1], "child", 5) == 0 ? burst_in_child(back) : burst(back);
	}
	require_buddymalloc();
	check_case("background_reclaim=on,decay_ms=1000", "back",
		   "on: back within decay_ms + 1 s");
	check_case("decay_ms=1000", "stays", "off: stays until the next call");
	check_case("background_reclaim=fork,decay_ms=1000", "child-back",
		   "fork: a forked child gets its memory back");
	check_case("background_reclaim=on,decay_ms=1000", "child-stays",
		   "on: a forked child has no thread");
	printf("idle memory goes back with the thread, and only with it\n");
	return 0;
}
