/*
 * t_trim_freeall: after a program frees everything and calls
 * malloc_trim(0), its resident size is at most glibc's plus 1 MiB: the
 * allocator's metadata follows the memory back to the OS (issue 11). Needs
 * the library itself.
 *
 * The workload (issue 11's): 2 million small blocks (16..127 bytes) and
 * 60,000 medium ones (512..4095 bytes), every byte written (about 320 MiB
 * at the peak), all freed, malloc_trim(0); and the same four times over
 * (1.25 GiB at the peak). Each runs in a fresh copy of this program, once
 * with the library and once without it (glibc's malloc, the same run), and
 * reports its resident size at the end on stderr. Proves, for each size,
 * that ours <= glibc's + 1 MiB: the page descriptors of the free sections
 * and of the large free blocks went back with their pages, the spare
 * section descriptors cost nothing resident, and empty active slabs do
 * not keep the break up.
 */
#include "../common.h"

#include <malloc.h>
#include <stdbool.h>

static int workload(size_t scale)
{
	size_t nsmall = 2000000 * scale, nmed = 60000 * scale;
	void **s = calloc(nsmall, sizeof(*s)), **m = calloc(nmed, sizeof(*m));
	struct rng r;
	long peak;

	if (!s || !m)
		return 2;
	rng_seed(&r, 11);
	for (size_t i = 0; i < nsmall; i++) {
		size_t n = rng_range(&r, 16, 127);
		if (!(s[i] = malloc(opaque_size(n))))
			return 2;
		memset(s[i], 0x11, n);
	}
	for (size_t i = 0; i < nmed; i++) {
		size_t n = rng_range(&r, 512, 4095);
		if (!(m[i] = malloc(opaque_size(n))))
			return 2;
		memset(m[i], 0x22, n);
	}
	peak = rss_kib();
	for (size_t i = 0; i < nsmall; i++)
		free(s[i]);
	for (size_t i = 0; i < nmed; i++)
		free(m[i]);
	malloc_trim(0);
	fprintf(stderr, "peak %ld end %ld\n", peak, rss_kib());
	return 0;
}

static char *scale_arg;
static int run_copy(void *glibc)
{
	char *argv[] = { program_invocation_name, scale_arg, NULL };
	if (glibc)
		unsetenv("LD_PRELOAD");
	execv("/proc/self/exe", argv);
	return 127;
}

/* End RSS of one copy, in KiB. */
static long end_rss(const char *who, bool glibc)
{
	struct child_result r;
	long peak = -1, end = -1;
	run_child(run_copy, glibc ? (void *)1 : NULL, 120, &r);
	CHECK(r.exited && r.status == 0, "%s: %s: %s", who, child_how(&r), r.err);
	CHECK(sscanf(r.err, "peak %ld end %ld", &peak, &end) == 2, "%s: stderr: %s", who, r.err);
	printf("  %-14s peak %8ld KiB, after free + malloc_trim(0) %7ld KiB\n", who, peak, end);
	return end;
}

int main(int argc, char **argv)
{
	static char one[] = "1", four[] = "4";
	char *scales[] = { one, four };

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1)
		return workload((size_t)atoi(argv[1]));
	require_buddymalloc();
	for (int i = 0; i < 2; i++) {
		scale_arg = scales[i];
		printf("scale %s:\n", scale_arg);
		long ours = end_rss("libbuddymalloc", false), glibc = end_rss("glibc", true);
		CHECK(ours <= glibc + 1024, "scale %s: %ld KiB resident, glibc %ld KiB: more than 1 MiB over",
		       scale_arg, ours, glibc);
	}
	printf("free-all + malloc_trim(0) ends within 1 MiB of glibc\n");
	return 0;
}
