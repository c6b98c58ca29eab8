/*
 * t_stats_malloc_stats: malloc_stats() on stderr, and malloc_info()'s error
 * for options != 0. Needs the library itself.
 *
 * The program holds 3 mapped chunks (300000 bytes each), 200 objects of
 * 100 bytes and 5 page runs, then calls malloc_stats() with fd 2 sent to a
 * file, right after mallinfo2() and getrusage(). glibc's own malloc_stats
 * output is taken from a copy of this program run without LD_PRELOAD.
 * Proves that
 *  - the first 8 lines have glibc's labels, in glibc's order, with the
 *    numbers right-aligned in glibc's width: "Arena 0:", "system bytes     =",
 *    "in use bytes     =", "Total (incl. mmap):", "system bytes     =",
 *    "in use bytes     =", "max mmap regions =", "max mmap bytes   =";
 *  - their numbers agree with mallinfo2: system bytes = arena, in use bytes
 *    = uordblks, total system = arena + hblkhd, total in use = uordblks +
 *    hblkhd, max mmap regions >= 3, max mmap bytes >= hblkhd;
 *  - then our views follow: a buddyinfo-like line "Node 0, zone <name>"
 *    with 11 counts per zone, whose sum is at most ordblks; the zones'
 *    watermarks and how often their locks were taken (the brk zone's at
 *    least once: the slabs' and runs' pages came from it; contended at
 *    most as often); a slabinfo-like table with a "size-112" line with at
 *    least 200 active objects in 2 or more slabs, each of which a malloc
 *    found through the slow path (slow_allocs >= slabs, and at most the
 *    objects handed out); the page caches, "3 live" mapped chunks; the
 *    events, with the system calls counted (sys_mmap at least 3, one per
 *    chunk; sys_brk at least 1, the zone the slabs came from); and
 *    "minflt N majflt M" with N between getrusage's minflt before and after;
 *  - malloc_info(1, fp) and malloc_info(-1, fp) fail with EINVAL (glibc
 *    returns EINVAL itself; the man page says -1 and errno EINVAL: either
 *    is accepted, and which one is printed) and write nothing.
 */
#include "../common.h"
#include "tune_util.h"

#define MAXL 200

static char text[65536];
static char *lines[MAXL];
static int nlines;

/* malloc_stats() with fd 2 in a file; the text into text[]/lines[]. */
static void capture(void)
{
	char path[] = "/tmp/t_stats_malloc_stats.XXXXXX";
	int fd = mkstemp(path), saved;
	ssize_t n;

	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	saved = dup(2);
	CHECK(saved >= 0 && dup2(fd, 2) == 2);
	malloc_stats();
	dup2(saved, 2);
	close(saved);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	CHECK(n > 0, "malloc_stats() wrote nothing on stderr");
	text[n] = 0;
	nlines = 0;
	for (char *s = text; *s && nlines < MAXL;) {
		char *e = strchr(s, '\n');
		lines[nlines++] = s;
		if (!e)
			break;
		*e = 0;
		s = e + 1;
	}
}

static const char *const labels[8] = {
	"Arena 0:", "system bytes     =", "in use bytes     =",
	"Total (incl. mmap):", "system bytes     =", "in use bytes     =",
	"max mmap regions =", "max mmap bytes   =",
};

/* The number after label on line i; checks glibc's layout. */
static size_t number(int i)
{
	const char *l = lines[i], *eq = strchr(l, '=');
	unsigned long long v;
	char *end;

	CHECK(eq && eq[1] == ' ', "line %d \"%s\": no \"= \"", i + 1, l);
	CHECK(strlen(eq + 2) == 10 || (strlen(eq + 2) > 10 && eq[2] != ' '),
	       "line %d \"%s\": the number is not right-aligned in 10 columns "
	       "after \"= \" as glibc's \"= %%10u\"", i + 1, l);
	v = strtoull(eq + 1, &end, 10);
	CHECK(*end == 0 && end > eq + 1, "line %d \"%s\": no number", i + 1, l);
	return (size_t)v;
}

static int glibc_shape(void)
{
	/* run without the library: glibc's lines on our stderr (a pipe) */
	void *p = malloc(opaque_size(300000)), *q = malloc(opaque_size(100));

	malloc_stats();
	free(opaque_ptr(p));
	free(opaque_ptr(q));
	return 0;
}

static int run_glibc(void *arg)
{
	char *argv[] = { program_invocation_name, "glibc", NULL };

	(void)arg;
	unsetenv("LD_PRELOAD");
	execv("/proc/self/exe", argv);
	return 127;
}

int main(int argc, char **argv)
{
	static void *chunks[3], *small[200], *runs[5];
	struct child_result g;
	struct mallinfo2 m;
	long f0, f1;
	size_t v[8], sum = 0;
	int i, found_node[2] = { 0, 0 }, found = 0;

	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */

	if (argc > 1 && strcmp(argv[1], "glibc") == 0)
		return glibc_shape();
	require_buddymalloc();
	printf("holding 3 chunks of 300000 B, 200 objects of 100 B, 5 runs\n");
	for (i = 0; i < 3; i++)
		CHECK((chunks[i] = malloc(opaque_size(300000))) != NULL);
	for (i = 0; i < 200; i++)
		CHECK((small[i] = malloc(opaque_size(100))) != NULL);
	for (i = 0; i < 5; i++)
		CHECK((runs[i] = malloc(opaque_size(50000))) != NULL);

	f0 = minflt();
	m = mallinfo2();
	capture();
	f1 = minflt();
	mi_print("mallinfo2 just before", m);
	printf("malloc_stats() wrote %d lines:\n%s", nlines, "");
	for (i = 0; i < nlines; i++)
		printf("| %s\n", lines[i]);

	/* glibc's lines */
	run_child(run_glibc, NULL, 20, &g);
	CHECK(g.exited && g.status == 0, "the copy without LD_PRELOAD failed "
	       "(%s)", child_how(&g));
	printf("glibc's malloc_stats() (same program, no LD_PRELOAD):\n%s", g.err);
	CHECK(nlines >= 8, "malloc_stats() wrote %d lines, expected glibc's 8 "
	       "and more", nlines);
	for (i = 0; i < 8; i++) {
		char want[64];
		size_t k = strlen(labels[i]);

		CHECK(strncmp(lines[i], labels[i], k) == 0, "line %d is \"%s\", "
		       "expected glibc's \"%s...\"", i + 1, lines[i], labels[i]);
		snprintf(want, sizeof(want), "%s%s", i ? "\n" : "", labels[i]);
		CHECK(strstr(g.err, want) != NULL, "glibc's own output has no "
		       "line \"%s\": the label list of this test is wrong", labels[i]);
		if (i != 0 && i != 3)
			v[i] = number(i);
	}
	CHECK(v[1] == m.arena, "system bytes %zu, mallinfo2 arena %zu", v[1],
	       m.arena);
	CHECK(v[2] == m.uordblks, "in use bytes %zu, mallinfo2 uordblks %zu",
	       v[2], m.uordblks);
	CHECK(v[4] == m.arena + m.hblkhd, "total system bytes %zu, arena + "
	       "hblkhd = %zu", v[4], m.arena + m.hblkhd);
	CHECK(v[5] == m.uordblks + m.hblkhd, "total in use bytes %zu, uordblks "
	       "+ hblkhd = %zu", v[5], m.uordblks + m.hblkhd);
	CHECK(v[6] >= 3, "max mmap regions %zu with 3 chunks live", v[6]);
	CHECK(v[7] >= m.hblkhd, "max mmap bytes %zu < hblkhd %zu", v[7], m.hblkhd);

	/* our views */
	for (i = 8; i < nlines; i++) {
		const char *l = lines[i];
		unsigned long long c[12];
		char name[16];
		int k;

		if (sscanf(l, "Node 0, zone %15s %llu %llu %llu %llu %llu %llu "
			   "%llu %llu %llu %llu %llu%n", name, &c[0], &c[1], &c[2],
			   &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9], &c[10],
			   &k) == 12) {
			found_node[strcmp(name, "brk") != 0]++;
			for (int o = 0; o < 11; o++)
				sum += c[o];
		}
		if (strstr(l, "buddyinfo"))
			found |= 1;
		if (strstr(l, "watermarks")) {
			unsigned long long taken = 0, contended = 0;
			const char *t = strstr(l, "lock taken ");
			found |= 2;
			CHECK(t && sscanf(t, "lock taken %llu times, %llu of them contended",
					  &taken, &contended) == 2, "no \"lock taken N times, M of "
			      "them contended\" in \"%s\"", l);
			CHECK(contended <= taken, "\"%s\": more contended than taken", l);
			if (strncmp(l, "zone brk:", 9) == 0)
				CHECK(taken >= 1, "\"%s\": the brk zone's lock never taken", l);
		}
		if (strstr(l, "slabinfo"))
			found |= 4;
		if (strncmp(l, "size-112 ", 9) == 0) {
			unsigned long long act = 0, num, size, per, pages, slabs, slow;
			CHECK(sscanf(l + 9, "%llu %llu %llu %llu %llu %llu %llu", &act, &num,
				     &size, &per, &pages, &slabs, &slow) == 7,
			      "slabinfo line \"%s\": expected 7 numbers", l);
			CHECK(act >= 200, "slabinfo line \"%s\": %llu active "
			       "objects, we hold 200 of 100 bytes", l, act);
			CHECK(slabs >= 2 && slow >= slabs && slow <= act,
			      "slabinfo line \"%s\": %llu slabs, %llu slow allocations", l,
			      slabs, slow);
			found |= 8;
		}
		if (strstr(l, "page caches")) {
			found |= 16;
			CHECK(strstr(l, "3 live") != NULL, "\"%s\": expected \"3 "
			       "live\" mapped chunks", l);
		}
		if (strstr(l, "events:")) {
			unsigned long long nmap = 0, nbrk = 0;
			const char *a = strstr(l, " sys_mmap "), *b = strstr(l, " sys_brk ");
			found |= 64;
			CHECK(a && b && sscanf(a, " sys_mmap %llu", &nmap) == 1 &&
			      sscanf(b, " sys_brk %llu", &nbrk) == 1 && strstr(l, " sys_madvise ") &&
			      strstr(l, " sys_munmap ") && strstr(l, " sys_mremap "),
			      "no system-call counts in \"%s\"", l);
			CHECK(nmap >= 3 && nbrk >= 1, "\"%s\": %llu mmap calls for 3 chunks, "
			      "%llu moves of the break", l, nmap, nbrk);
		}
		if (strstr(l, "minflt")) {
			const char *s = strstr(l, "minflt ");
			unsigned long long mf = 0;

			found |= 32;
			CHECK(s && sscanf(s, "minflt %llu", &mf) == 1 &&
			       strstr(l, "majflt "), "no \"minflt N majflt M\" in "
			       "\"%s\"", l);
			CHECK((long)mf >= f0 && (long)mf <= f1, "minflt %llu, "
			       "getrusage said %ld before and %ld after", mf, f0, f1);
		}
	}
	CHECK(found_node[0] == 1 && found_node[1] == 1, "expected one \"Node 0, "
	       "zone brk\" and one \"Node 0, zone mmap\" line with 11 counts");
	CHECK(sum <= m.ordblks, "the buddyinfo lines count %zu free blocks, "
	       "mallinfo2 ordblks %zu", sum, m.ordblks);
	CHECK(found == 127, "missing parts of our views (bits found %#x: 1 "
	       "buddyinfo, 2 watermarks, 4 slabinfo, 8 size-112 line, 16 page "
	       "caches, 32 minflt, 64 events)", found);

	/* malloc_info with options != 0 */
	for (int opt = 1; opt >= -1; opt -= 2) {
		char buf[256] = "";
		FILE *fp = fmemopen(buf, sizeof(buf), "w");
		int r, e;

		CHECK(fp != NULL);
		errno = 0;
		r = malloc_info(opt, fp);
		e = errno;
		fclose(fp);
		printf("malloc_info(%d, fp) = %d, errno %d (%s), wrote %zu bytes\n",
		       opt, r, e, strerror(e), strlen(buf));
		CHECK(r == EINVAL || (r == -1 && e == EINVAL), "malloc_info(%d, "
		       "fp) returned %d with errno %d: expected EINVAL", opt, r, e);
		CHECK(buf[0] == 0, "malloc_info(%d, fp) failed but wrote \"%s\"",
		       opt, buf);
	}

	for (i = 0; i < 3; i++)
		free(chunks[i]);
	for (i = 0; i < 200; i++)
		free(small[i]);
	for (i = 0; i < 5; i++)
		free(runs[i]);
	printf("malloc_stats as expected\n");
	return 0;
}
