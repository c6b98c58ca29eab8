/*
 * t_mmap_max0: with M_MMAP_MAX 0, requests larger than a section come from
 * the program break, as glibc serves them (the seed's own fix), set by
 * mallopt, by MALLOC_MMAP_MAX_=0 and by GLIBC_TUNABLES. Needs the library.
 *
 * Each way runs in a fresh copy of this program. In each, for 8 MiB and
 * 64 MiB (2 and 16 sections): sbrk(0) before, malloc, sbrk(0) after; the
 * block's mapping in /proc/self/maps (read with read(2) into a static
 * buffer: nothing is allocated between the readings); every byte written
 * and checked; free, malloc_trim(0), sbrk(0) again. Proves that
 *  - the break moved up by at least the size, and the block lies in the
 *    [heap] mapping: no mapping of its own;
 *  - no new anonymous mapping of at least the size appeared;
 *  - the contents are intact;
 *  - free plus malloc_trim(0) lowers the break again, to within 1 MiB of
 *    where it was before the request;
 *  - and, as control, without mmap_max=0 the same 8 MiB request is a
 *    mapping of its own and leaves the break alone.
 */
#include "../common.h"

#include <fcntl.h>
#include <malloc.h>

static char maps[1 << 20];

static void read_maps(void)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	size_t n = 0;
	ssize_t r;
	if (fd < 0)
		fail("open /proc/self/maps: %s", strerror(errno));
	while ((r = read(fd, maps + n, sizeof(maps) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	maps[n] = 0;
}

/* In maps[]: whether p lies in [heap], and how many mappings other than
 * [heap] are >= size. */
static void scan(const void *p, size_t size, int *in_heap, int *big)
{
	*in_heap = 0;
	*big = 0;
	for (char *l = maps; *l; ) {
		unsigned long a, b;
		char *nl = strchr(l, '\n');
		if (sscanf(l, "%lx-%lx", &a, &b) == 2) {
			char *heap = strstr(l, "[heap]");
			int is_heap = heap && (!nl || heap < nl);
			if (b - a >= size && !is_heap)
				(*big)++;
			if ((uintptr_t)p >= a && (uintptr_t)p < b)
				*in_heap = is_heap;
		}
		if (!nl)
			break;
		l = nl + 1;
	}
}

struct result { size_t size; uintptr_t b0, b1, b2; int in_heap, big0, big1, intact; };

static void one(size_t size, struct result *r)
{
	int dummy;
	r->size = size;
	read_maps();
	scan(NULL, size, &dummy, &r->big0);
	r->b0 = (uintptr_t)sbrk(0);
	unsigned char *p = malloc(opaque_size(size));
	if (!p)
		fail("malloc(%zu) failed", size);
	r->b1 = (uintptr_t)sbrk(0);
	read_maps();
	scan(p, size, &r->in_heap, &r->big1);
	pattern_fill(p, size, pattern_seed(p, size));
	r->intact = pattern_bad(p, size, pattern_seed(p, size)) == SIZE_MAX;
	free(p);
	malloc_trim(0);
	r->b2 = (uintptr_t)sbrk(0);
}

static int copy(const char *how)
{
	struct result r[2];
	int control = strcmp(how, "control") == 0;
	if (strcmp(how, "mallopt") == 0 && mallopt(M_MMAP_MAX, 0) != 1)
		return 4;
	one(8 * MIB, &r[0]);
	if (!control)
		one(64 * MIB, &r[1]);
	for (int i = 0; i < (control ? 1 : 2); i++) {
		fprintf(stderr, "%s: %zu MiB: break +%ld KiB, %s, %d -> %d mappings >= size, %s, "
			"after free + trim break %+ld KiB from before\n", how, r[i].size >> 20,
			(long)(r[i].b1 - r[i].b0) >> 10, r[i].in_heap ? "in [heap]" : "NOT in [heap]",
			r[i].big0, r[i].big1, r[i].intact ? "intact" : "CORRUPT",
			((long)r[i].b2 - (long)r[i].b0) / 1024);
		if (!r[i].intact)
			return 3;
		if (control) {
			if (r[i].in_heap || r[i].b1 != r[i].b0)
				return 3;
			continue;
		}
		if (!r[i].in_heap || r[i].b1 < r[i].b0 + r[i].size || r[i].big1 > r[i].big0 ||
		    r[i].b2 > r[i].b0 + MIB)
			return 3;
	}
	return 0;
}

static const char *const *case_env;
static char *case_how;
static int exec_copy(void *arg)
{
	(void)arg;
	for (const char *const *e = case_env; *e; e += 2)
		setenv(e[0], e[1], 1);
	char *argv[] = { program_invocation_name, case_how, NULL };
	execv("/proc/self/exe", argv);
	return 127;
}

static void check_way(const char *how, const char *const *env)
{
	struct child_result r;
	case_env = env;
	case_how = (char *)how;
	run_child(exec_copy, NULL, 60, &r);
	printf("%s", r.err);
	CHECK(r.exited && r.status == 0, "%s: %s", how, child_how(&r));
}

int main(int argc, char **argv)
{
	static const char *const none[] = { NULL };
	static const char *const env[] = { "MALLOC_MMAP_MAX_", "0", NULL };
	static const char *const tun[] = { "GLIBC_TUNABLES", "glibc.malloc.mmap_max=0", NULL };

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1)
		return copy(argv[1]);
	require_buddymalloc();
	check_way("mallopt", none);
	check_way("MALLOC_MMAP_MAX_", env);
	check_way("GLIBC_TUNABLES", tun);
	check_way("control", none);
	printf("mmap_max=0: every size from the break, and back\n");
	return 0;
}
