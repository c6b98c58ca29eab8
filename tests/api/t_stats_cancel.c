/*
 * t_stats_cancel: no allocator path is a cancellation point (issue 12;
 * the idea of glibc's tst-malloc-stats-cancellation, written anew).
 *
 * A thread with deferred cancellation (the default) cancels itself, so a
 * cancellation is pending, and then calls malloc_stats(). If any write the
 * library does were a cancellation point, the thread would be cancelled
 * inside it and the text cut. Proves that
 *  - malloc_stats() returns to the thread (a flag set after it is seen),
 *    its whole text is on stderr (from "Arena 0:" to the closing "majflt"
 *    line), and the thread is cancelled only later, at pthread_testcancel
 *    (join gives PTHREAD_CANCELED; a flag after it stays unset);
 *  - the at-exit statistics (BUDDYMALLOC_OPTIONS=stats=text, json, and
 *    stats_file=PATH in a mkdtemp directory) are complete, exactly once,
 *    when the thread that calls exit() has a cancellation pending; the
 *    process exits with the status exit() was given.
 * Each case runs in a child (the at-exit ones through exec of this program
 * with the options set, as options are read at start-up).
 */
#include "../common.h"
#include <pthread.h>

static volatile int reached, after;

static void *stats_thread(void *arg)
{
	(void)arg;
	pthread_cancel(pthread_self());
	malloc_stats();
	reached = 1;
	pthread_testcancel();
	after = 1;
	return NULL;
}

static int stats_child(void *arg)
{
	pthread_t t;
	void *ret = NULL;
	void *keep[64];

	(void)arg;
	for (int i = 0; i < 64; i++)	/* slabs of many classes: a long text */
		keep[i] = malloc(16 + (size_t)i * 500);
	CHECK(pthread_create(&t, NULL, stats_thread, NULL) == 0);
	CHECK(pthread_join(t, &ret) == 0);
	CHECK(reached, "the thread was cancelled inside malloc_stats()");
	CHECK(ret == PTHREAD_CANCELED && !after, "the pending cancellation "
	       "was not acted on at pthread_testcancel (ret %p)", ret);
	for (int i = 0; i < 64; i++)
		free(keep[i]);
	return 0;
}

/* The text holds one whole malloc_stats/stats=text output, ending it. */
static void check_text(const char *what, const char *s)
{
	const char *a = strstr(s, "Arena 0:"), *m = strstr(s, "majflt ");
	size_t len = strlen(s);

	CHECK(a != NULL && m != NULL && m > a, "%s: text incomplete:\n%s",
	       what, s);
	CHECK(strstr(a + 1, "Arena 0:") == NULL, "%s: printed twice:\n%s",
	       what, s);
	CHECK(strstr(s, "libbuddymalloc: slabs") != NULL && len > 1024 &&
	       s[len - 1] == '\n' && strchr(m, '\n') == s + len - 1,
	       "%s: text cut or followed by more:\n%s", what, s);
}

/* One whole JSON object (braces balanced, closed exactly once). */
static void check_json(const char *what, const char *s)
{
	const char *open = strchr(s, '{');
	int depth = 0, closed = 0;

	CHECK(open != NULL, "%s: no JSON object:\n%s", what, s);
	for (const char *c = open; *c; c++) {
		depth += *c == '{' ? 1 : *c == '}' ? -1 : 0;
		closed += (*c == '}' && depth == 0);
	}
	CHECK(depth == 0 && closed == 1 && strstr(s, "\"zones\"") != NULL,
	       "%s: JSON cut or repeated:\n%s", what, s);
}

/* Run in the exec'd program: a thread with a pending cancel calls exit. */
static void *exit_thread(void *arg)
{
	(void)arg;
	pthread_cancel(pthread_self());
	exit(7);
}

static int exit_main(void)
{
	pthread_t t;
	void *p = malloc(100);

	CHECK(p != NULL);
	CHECK(pthread_create(&t, NULL, exit_thread, NULL) == 0);
	pthread_join(t, NULL);
	_exit(9);	/* reached only if the thread died inside exit() */
}

static char exec_opts[512];

static int exec_child(void *arg)
{
	char *argv[] = { "t_stats_cancel", "exit-child", NULL };

	(void)arg;
	setenv("BUDDYMALLOC_OPTIONS", exec_opts, 1);
	execv("/proc/self/exe", argv);
	fail("execv: %s", strerror(errno));
}

static void at_exit_case(const char *opts, const char *file, int json)
{
	struct child_result r;
	char what[600], text[65536];
	const char *s = NULL;

	snprintf(exec_opts, sizeof(exec_opts), "%s", opts);
	snprintf(what, sizeof(what), "stats at exit (%s)", opts);
	run_child(exec_child, NULL, 60, &r);
	CHECK(r.exited && r.status == 7, "%s: %s, expected exit 7; stderr:\n%s",
	       what, child_how(&r), r.err);
	if (file) {
		int fd = open(file, O_RDONLY);
		ssize_t n;

		CHECK(fd >= 0, "%s: no stats file: %s", what, strerror(errno));
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		unlink(file);
		CHECK(n >= 0);
		text[n] = 0;
		CHECK(r.err_len == 0, "%s: stderr not empty:\n%s", what, r.err);
		s = text;
	} else {
		s = r.err;
	}
	if (json)
		check_json(what, s);
	else
		check_text(what, s);
}

int main(int argc, char **argv)
{
	struct child_result r;
	char dir[] = "/tmp/t_stats_cancel.XXXXXX", file[600], opts[700];

	if (argc > 1 && strcmp(argv[1], "exit-child") == 0)
		return exit_main();
	watchdog(120);
	require_buddymalloc();
	for (int round = 0; round < 20; round++) {
		run_child(stats_child, NULL, 30, &r);
		CHECK(r.exited && r.status == 0, "malloc_stats with a pending "
		       "cancel: %s; stderr:\n%s", child_how(&r), r.err);
		check_text("malloc_stats with a pending cancel", r.err);
	}
	at_exit_case("stats=text", NULL, 0);
	at_exit_case("stats=json", NULL, 1);
	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(file, sizeof(file), "%s/stats.txt", dir);
	snprintf(opts, sizeof(opts), "stats=text,stats_file=%s", file);
	at_exit_case(opts, file, 0);
	rmdir(dir);
	return 0;
}
