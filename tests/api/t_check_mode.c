/*
 * t_check_mode: glibc's checking mode (issue 12): MALLOC_CHECK_=3,
 * GLIBC_TUNABLES=glibc.malloc.check=3 and BUDDYMALLOC_OPTIONS=check=3.
 *
 * The test runs itself again (exec) once per way of asking, and in each
 * proves that
 *  - malloc_usable_size is exactly the requested size, for malloc of every
 *    size 0..4200 and sizes on every path up to 6 MiB, calloc (zeroed),
 *    realloc growing and shrinking (contents kept), memalign,
 *    posix_memalign, aligned_alloc (aligned as asked) and valloc;
 *  - a one-byte overflow is detected at free: a child writes the byte
 *    just past the requested size and frees; it dies of SIGABRT after the
 *    one line "buddymalloc: free(): check: write past the end of the N
 *    bytes of block 0x..."; the same at realloc ("realloc(): check:");
 *    blocks written exactly up to their size are freed silently.
 * And that without the mode, malloc_usable_size(malloc(1)) is the size
 * class (16): the mode is what makes it exact.
 */
#include "../common.h"

static void exact(void *p, size_t n, const char *what)
{
	CHECK(p != NULL, "%s(%zu) failed", what, n);
	CHECK(malloc_usable_size(p) == n, "%s(%zu): malloc_usable_size = %zu",
	       what, n, malloc_usable_size(p));
}

static void usable_sizes(void)
{
	static const size_t big[] = {
		8191, 32767, 32768, 32769, 65536, 131071, 131072, 131073,
		1000000, 4 * MIB - 1, 4 * MIB, 6 * MIB,
	};
	static const size_t aligns[] = { 32, 64, 256, 4096, 65536 };
	char *p;

	for (size_t n = 0; n <= 4200; n++) {
		p = malloc(opaque_size(n));
		exact(p, n, "malloc");
		memset(p, 0x5a, n);
		free(p);
	}
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		p = malloc(opaque_size(big[i]));
		exact(p, big[i], "malloc");
		memset(p, 0x5a, big[i]);
		free(p);
		p = calloc(opaque_size(big[i]), 1);
		exact(p, big[i], "calloc");
		CHECK(nonzero_at(p, big[i]) == SIZE_MAX, "calloc not zero");
		free(p);
	}
	p = malloc(opaque_size(10));
	pattern_fill(p, 10, 10);
	for (size_t n = 11; n < 300000; n = n * 3 / 2) {
		p = realloc(p, opaque_size(n));
		exact(p, n, "realloc");
		CHECK_PATTERN(p, 10, 10, "realloc kept the first bytes");
	}
	p = realloc(p, opaque_size(12));
	exact(p, 12, "realloc (shrink)");
	CHECK_PATTERN(p, 10, 10, "realloc (shrink) kept the bytes");
	free(p);
	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		for (size_t n = 0; n < 70000; n = n * 2 + 7) {
			size_t a = aligns[i];
			void *q = NULL;

			p = memalign(opaque_size(a), opaque_size(n));
			exact(p, n, "memalign");
			CHECK((uintptr_t)p % a == 0);
			free(p);
			CHECK(posix_memalign(&q, opaque_size(a), opaque_size(n)) == 0);
			exact(q, n, "posix_memalign");
			CHECK((uintptr_t)q % a == 0);
			free(q);
			p = aligned_alloc(opaque_size(a), opaque_size(n));
			exact(p, n, "aligned_alloc");
			CHECK((uintptr_t)p % a == 0);
			free(p);
		}
	}
	p = valloc(opaque_size(5000));
	exact(p, 5000, "valloc");
	CHECK((uintptr_t)p % PAGE == 0);
	free(p);
}

static size_t overflow_size;
static int overflow_at_realloc;

static int overflow_child(void *arg)
{
	size_t n = overflow_size;
	char *p = malloc(opaque_size(n));

	(void)arg;
	CHECK(p != NULL);
	memset(p, 1, n);
	p[n] = 0x42;		/* one byte too many */
	if (overflow_at_realloc)
		p = realloc(opaque_ptr(p), opaque_size(n * 2 + 1));
	else
		free(opaque_ptr(p));
	return 0;		/* not detected */
}

static void overflows(void)
{
	static const size_t sizes[] = {
		1, 7, 8, 15, 16, 17, 100, 1000, 4095, 4096, 40000, 131072, 300000,
	};
	struct child_result r;
	char want[200];

	for (int at_realloc = 0; at_realloc <= 1; at_realloc++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			overflow_size = sizes[i];
			overflow_at_realloc = at_realloc;
			run_child(overflow_child, NULL, 30, &r);
			snprintf(want, sizeof(want), "buddymalloc: %s(): check: "
				 "write past the end of the %zu bytes of block 0x",
				 at_realloc ? "realloc" : "free", sizes[i]);
			CHECK(!r.exited && r.signo == SIGABRT &&
			       strncmp(r.err, want, strlen(want)) == 0 &&
			       strchr(r.err, '\n') == r.err + r.err_len - 1,
			       "one-byte overflow of %zu bytes at %s: %s, stderr: %s",
			       sizes[i], at_realloc ? "realloc" : "free",
			       child_how(&r), r.err);
		}
	}
}

static int inner(void)
{
	usable_sizes();
	overflows();
	return 0;
}

static void run_mode(const char *var, const char *value)
{
	char *argv[] = { "t_check_mode", "inner", NULL };
	int wst;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		setenv(var, value, 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	CHECK(waitpid(pid, &wst, 0) == pid);
	CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "%s=%s: %s", var, value,
	       wait_how(wst));
}

int main(int argc, char **argv)
{
	void *p;

	if (argc > 1 && strcmp(argv[1], "inner") == 0)
		return inner();
	watchdog(300);
	require_buddymalloc();
	p = malloc(opaque_size(1));
	CHECK(malloc_usable_size(p) == 16, "without the checking mode, "
	       "malloc_usable_size(malloc(1)) = %zu", malloc_usable_size(p));
	free(p);
	unsetenv("MALLOC_CHECK_");
	unsetenv("GLIBC_TUNABLES");
	unsetenv("BUDDYMALLOC_OPTIONS");
	run_mode("MALLOC_CHECK_", "3");
	run_mode("GLIBC_TUNABLES", "glibc.malloc.check=3");
	run_mode("BUDDYMALLOC_OPTIONS", "check=3");
	return 0;
}
