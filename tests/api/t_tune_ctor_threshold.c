/*
 * t_tune_ctor_threshold: a 64 KiB request made from another shared
 * library's constructor, before libbuddymalloc's own constructor has run,
 * honours the mmap threshold set in the environment. Needs the library.
 *
 * libearly_malloc.so (tests/api/lib/early_malloc.c), which this program
 * links, mallocs 64 KiB in its constructor and fills it. This program
 * runs itself again three times, each time with LD_DEBUG=libs (the
 * linker's log, written to a file in a mkdtemp directory and removed):
 *   default                              expects the block from the zones
 *   MALLOC_MMAP_THRESHOLD_=32768         expects a mapped chunk
 *   BUDDYMALLOC_OPTIONS=mmap_threshold=32K   expects a mapped chunk
 * Proves, for each run, that
 *  - the dynamic linker called libearly_malloc.so's initialiser before
 *    libbuddymalloc's (the "calling init:" lines of its LD_DEBUG log), so the
 *    request really came before our constructor;
 *  - the block is intact (64 KiB of the constructor's byte);
 *  - mapped: it lies outside [start_brk, sbrk(0)), in an anonymous mapping
 *    that is not the [heap], and freeing it takes one mapped chunk of at
 *    least 64 KiB off mallinfo2's hblks / hblkhd;
 *  - default (64 KiB is below the 128 KiB threshold): it lies inside the
 *    break and freeing it leaves hblks unchanged. Without this run the
 *    other two would also pass for an allocator that maps every request
 *    made before it has started up.
 */
#include "../common.h"
#include "tune_util.h"

extern void *early_block;
extern const size_t early_size;
extern const unsigned char early_byte;

/* The child: the block the constructor left, judged as mode says. */
static int judge(const char *mode)
{
	unsigned char *p = early_block;
	struct mallinfo2 a, b;
	struct proc_map m;
	size_t i;
	int mapped = strcmp(mode, "mapped") == 0, brk_side;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* lines survive a failed CHECK */
	require_buddymalloc();
	CHECK(p != NULL, "the constructor's malloc(%zu) failed", early_size);
	for (i = 0; i < early_size && p[i] == early_byte; i++)
		;
	CHECK(i == early_size, "byte %zu of the block %p is 0x%02x", i,
	      (void *)p, p[i]);
	CHECK(proc_map_of(p, &m) == 1, "no mapping holds %p", (void *)p);
	brk_side = in_brk(p, early_size);
	printf("%s: block %p in %lx-%lx \"%s\", break [%p, %p)\n", mode,
	       (void *)p, (unsigned long)m.start, (unsigned long)m.end, m.name,
	       (void *)brk_start(), sbrk(0));
	a = mallinfo2();
	free(p);
	b = mallinfo2();
	printf("%s: free: hblks %zu -> %zu, hblkhd %zu -> %zu\n", mode,
	       a.hblks, b.hblks, a.hblkhd, b.hblkhd);
	if (!mapped) {
		CHECK(brk_side, "the block lies outside the break");
		CHECK(b.hblks == a.hblks, "hblks %zu -> %zu", a.hblks, b.hblks);
		return 0;
	}
	CHECK(!brk_side, "the block lies in the break");
	CHECK(m.anon && strcmp(m.name, "[heap]") != 0, "mapping \"%s\"", m.name);
	CHECK(a.hblks == b.hblks + 1, "hblks %zu -> %zu", a.hblks, b.hblks);
	CHECK(a.hblkhd >= b.hblkhd + early_size, "hblkhd %zu -> %zu",
	      a.hblkhd, b.hblkhd);
	return 0;
}

/* Index of the first "calling init:" line of log naming lib, or -1. */
static int init_index(const char *log, const char *lib)
{
	const char *s = log;
	int n = 0;

	while ((s = strstr(s, "calling init: ")) != NULL) {
		const char *end = strchr(s, '\n');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (memmem(s, len, lib, strlen(lib)))
			return n;
		n++;
		s += len;
	}
	return -1;
}

/* Runs this program as "judge MODE", var (or none) the only setting of
 * the threshold, with the linker's log (LD_DEBUG=libs) in a directory of
 * its own; returns the wait status and the log in buf. Removes the log and
 * the directory before it returns, whatever happened. */
static int run_judge(const char *mode, const char *var, char *buf, size_t size)
{
	char dir[] = "/tmp/t_tune_ctor_threshold.XXXXXX", path[64];
	int wst = -1, fd;
	ssize_t n = 0;
	pid_t pid;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { program_invocation_name, "judge", (char *)mode, NULL };

		snprintf(path, sizeof(path), "%s/ld", dir);
		unsetenv("MALLOC_MMAP_THRESHOLD_");
		unsetenv("BUDDYMALLOC_OPTIONS");
		unsetenv("GLIBC_TUNABLES");
		if ((var && putenv((char *)var) != 0) ||
		    setenv("LD_DEBUG", "libs", 1) != 0 ||
		    setenv("LD_DEBUG_OUTPUT", path, 1) != 0)
			_exit(126);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	snprintf(path, sizeof(path), "%s/ld.%d", dir, (int)pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
		unlink(path);
	}
	buf[n > 0 ? n : 0] = 0;
	rmdir(dir);
	CHECK(pid > 0, "fork: %s", strerror(errno));
	return wst;
}

/* One run: its status, then the order of the constructors in its log. */
static void run_case(const char *mode, const char *var)
{
	static char log[1 << 16];
	const char *what = var ? var : "no variable";
	int wst = run_judge(mode, var, log, sizeof(log));
	int early = init_index(log, "/libearly_malloc.so");
	int ours = init_index(log, "libbuddymalloc");

	CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "%s run (%s): %s",
	      mode, what, wait_how(wst));
	printf("%s run (%s): passed; initialisers: libearly_malloc #%d, "
	       "libbuddymalloc #%d\n", mode, what, early, ours);
	CHECK(early >= 0 && ours >= 0, "the LD_DEBUG=libs log names "
	      "libearly_malloc at %d and libbuddymalloc at %d", early, ours);
	CHECK(early < ours, "libbuddymalloc's constructor ran first");
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "judge") == 0)
		return judge(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	require_buddymalloc();
	run_case("zoned", NULL);
	run_case("mapped", "MALLOC_MMAP_THRESHOLD_=32768");
	run_case("mapped", "BUDDYMALLOC_OPTIONS=mmap_threshold=32K");
	return 0;
}
