/*
 * mallopt_glibc.c - the probe of tests/check/mallopt_glibc.sh: calls
 * mallopt(param, value) for each of glibc's nine parameters and a range of
 * values, each call in a forked child so that no setting affects the next,
 * and prints "glibc NAME VALUE RESULT" a line; then "other NUMBER 1 RESULT"
 * for parameter numbers glibc does not define (and our M_BUDDY_* ones).
 * The script runs it plainly (glibc) and with LD_PRELOAD and compares.
 */
#include "../../common.h"

#include <limits.h>

static const struct {
	int p;
	const char *name;
} params[] = {
	{ M_MXFAST, "M_MXFAST" }, { M_TRIM_THRESHOLD, "M_TRIM_THRESHOLD" },
	{ M_TOP_PAD, "M_TOP_PAD" }, { M_MMAP_THRESHOLD, "M_MMAP_THRESHOLD" },
	{ M_MMAP_MAX, "M_MMAP_MAX" }, { M_CHECK_ACTION, "M_CHECK_ACTION" },
	{ M_PERTURB, "M_PERTURB" }, { M_ARENA_TEST, "M_ARENA_TEST" },
	{ M_ARENA_MAX, "M_ARENA_MAX" },
};
static const int values[] = { INT_MIN, -2, -1, 0, 1, 2, 7, 8, 64, 160, 161,
	255, 256, 4096, 65536, 1 << 20, 32 << 20, (32 << 20) + 1, 1 << 30,
	INT_MAX };
static const int others[] = { 0, 2, 3, -9, -100, 999, 1000, 1001, 1002, 1003,
	1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 12345 };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* mallopt(p, v)'s result in a child (it fits a byte: 0 or 1), or -1. */
static int call(int p, int v)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(mallopt(p, v) & 0xff);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < COUNT(params); i++)
		for (size_t k = 0; k < COUNT(values); k++)
			printf("glibc %s %d %d\n", params[i].name, values[k],
			       call(params[i].p, values[k]));
	for (size_t k = 0; k < COUNT(others); k++)
		printf("other %d 1 %d\n", others[k], call(others[k], 1));
	return 0;
}
