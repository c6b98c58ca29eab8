/*
 * t_invalid_free: free() and realloc() of pointers libbuddymalloc did not
 * return, or already freed. Needs the library itself: fails unless preloaded.
 *
 * Proves that, for stack, global, read-only, sbrk'd and foreign-mmap
 * addresses, interior pointers of slab objects, page runs, mapped chunks and
 * aligned blocks, small, unmapped and non-canonical addresses, and for blocks
 * of every path freed twice (also after their slab neighbours were freed,
 * after a free from another thread, after the allocating thread exited):
 *  - by default, free(p) / realloc(p, n) write exactly one line,
 *    "buddymalloc: free(): invalid pointer 0x..." or "... double free 0x..."
 *    ("realloc()" for realloc) with the pointer as printf's %p prints it,
 *    followed only by the call's stack ("    #0 0x...", one frame a line),
 *    and the process dies of SIGABRT;
 *  - with BUDDYMALLOC_OPTIONS=invalid_free=warn the same line is written,
 *    free returns, realloc returns NULL with errno EINVAL, and nothing is
 *    damaged: the memory at the pointer (when it is not the library's) is
 *    unchanged, the live blocks around it are intact, the next allocations of
 *    that size are distinct and never the bad pointer;
 *  - valid frees of every kind of block (aligned up to 4 MiB, valloc,
 *    pvalloc, calloc, realloc'd, from another thread) print nothing.
 * Each case runs in a forked child whose stderr is captured through a pipe.
 */
#include "../common.h"

#include <pthread.h>
#include <sys/mman.h>

enum kind { VALID, INVALID, DOUBLE, EITHER };

struct ctx {
	char *live[8];		/* blocks that must stay intact */
	size_t live_n[8];
	int nlive;
	char *foreign;		/* memory not the library's, must not change */
	size_t foreign_n;
	size_t size;		/* size whose next allocations are checked */
	void *valid[16];	/* VALID cases: blocks to free (or realloc) */
	int nvalid;
};

struct tcase {
	const char *name;
	enum kind kind;
	void *(*make)(struct ctx *);
};

static volatile uintptr_t *shared;	/* MAP_SHARED: the child's pointer */
static int warn_mode;
static int use_realloc;

static char global_buf[8192] __attribute__((aligned(4096)));

static char *live(struct ctx *c, size_t n)
{
	char *p = malloc(opaque_size(n));

	CHECK(p != NULL, "malloc(%zu) failed", n);
	pattern_fill(p, n, pattern_seed(p, n));
	c->live[c->nlive] = p;
	c->live_n[c->nlive++] = n;
	return p;
}

/* A slab object's neighbours, allocated around it, must survive. */
static char *live_among(struct ctx *c, size_t n)
{
	char *p;

	live(c, n);
	p = live(c, n);
	live(c, n);
	c->size = n;
	return p;
}

static void *foreign(struct ctx *c, void *p, size_t n)
{
	pattern_fill(p, n, 99);
	c->foreign = p;
	c->foreign_n = n;
	return p;
}

/* ---- invalid pointers --------------------------------------------------- */

/* a marker: child_body passes a buffer in its own frame instead */
static void *mk_stack(struct ctx *c)
{
	(void)c;
	return NULL;
}

static void *mk_global(struct ctx *c)
{
	return foreign(c, global_buf + 4096, 256);
}

static void *mk_rodata(struct ctx *c)
{
	static const char text[] __attribute__((aligned(16))) =
		"a string in read-only data, not on any heap";
	(void)c;
	return (void *)text;
}

static void *mk_slab_in16(struct ctx *c)
{
	return live_among(c, 64) + 16;
}

static void *mk_slab_in8(struct ctx *c)
{
	return live_among(c, 64) + 8;
}

static void *mk_slab_in_big(struct ctx *c)
{
	return live_among(c, 3000) + 1024;
}

static void *mk_run_page(struct ctx *c)
{
	return live_among(c, 50000) + PAGE;
}

static void *mk_run_in16(struct ctx *c)
{
	return live_among(c, 50000) + 16;
}

static void *mk_map_page(struct ctx *c)
{
	return live_among(c, 300000) + PAGE;
}

static void *mk_map_in16(struct ctx *c)
{
	return live_among(c, 300000) + 16;
}

static void *mk_aligned_in(struct ctx *c)
{
	char *p = memalign(65536, 5000);

	CHECK(p != NULL);
	pattern_fill(p, 5000, pattern_seed(p, 5000));
	c->live[c->nlive] = p;
	c->live_n[c->nlive++] = 5000;
	c->size = 5000;
	return p + 64;
}

static void *mk_own_mmap(struct ctx *c)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	return foreign(c, p, 4 * PAGE);
}

static void *mk_own_mmap_in(struct ctx *c)
{
	return (char *)mk_own_mmap(c) + PAGE + 16;
}

static void *mk_sbrk(struct ctx *c)
{
	char *p = sbrk(2 * PAGE);

	CHECK(p != (void *)-1, "sbrk: %s", strerror(errno));
	/* 16-aligned, as a block of ours would be */
	return foreign(c, p + (16 - (uintptr_t)p % 16) % 16, PAGE);
}

static void *mk_low(struct ctx *c)
{
	(void)c;
	return (void *)0x1000;
}

static void *mk_tiny(struct ctx *c)
{
	(void)c;
	return (void *)16;
}

static void *mk_unmapped(struct ctx *c)
{
	(void)c;
	return (void *)0x500000000000ull;
}

static void *mk_noncanonical(struct ctx *c)
{
	(void)c;
	return (void *)0x800000000000ull;
}

static void *mk_top(struct ctx *c)
{
	(void)c;
	return (void *)0xfffffffffffff000ull;
}

static void *mk_garbage(struct ctx *c)
{
	(void)c;
	return (void *)0xdeadbeefdeadbee0ull;
}

/* ---- already freed ------------------------------------------------------ */

static void *freed(struct ctx *c, size_t n)
{
	char *p;

	live(c, n);
	p = malloc(opaque_size(n));
	CHECK(p != NULL);
	live(c, n);
	free(opaque_ptr(p));
	c->size = n;
	return p;
}

static void *mk_dbl_slab(struct ctx *c)
{
	return freed(c, 64);
}

static void *mk_dbl_slab_later(struct ctx *c)
{
	char *a = malloc(opaque_size(48)), *b = malloc(opaque_size(48));
	char *d = malloc(opaque_size(48));

	CHECK(a && b && d);
	live(c, 48);
	free(opaque_ptr(a));
	free(b);
	free(d);
	c->size = 48;
	return a;	/* no longer the last one freed */
}

static void *thread_malloc(void *arg)
{
	return malloc(*(size_t *)arg);
}

static void *thread_free(void *arg)
{
	free(arg);
	return NULL;
}

static void *mk_dbl_remote(struct ctx *c)
{
	size_t n = 80;
	pthread_t t;
	void *p;

	/* allocated by a thread that has exited since, freed by us */
	CHECK(pthread_create(&t, NULL, thread_malloc, &n) == 0);
	CHECK(pthread_join(t, &p) == 0 && p != NULL);
	live(c, n);	/* before the free, or it could get p back */
	free(opaque_ptr(p));
	c->size = n;
	return p;
}

static void *mk_dbl_other_thread(struct ctx *c)
{
	size_t n = 96;
	pthread_t t;
	void *p = malloc(n);

	/* freed by another thread, then freed again here */
	CHECK(p != NULL);
	live(c, n);
	CHECK(pthread_create(&t, NULL, thread_free, p) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	c->size = n;
	return p;
}

static void *mk_dbl_run(struct ctx *c)
{
	return freed(c, 50000);
}

static void *mk_dbl_run_merged(struct ctx *c)
{
	char *p = malloc(opaque_size(40000)), *q = malloc(opaque_size(40000));

	CHECK(p && q);
	live(c, 40000);
	free(q);
	free(opaque_ptr(p));	/* may have merged with q's pages */
	c->size = 40000;
	return p;
}

static void *mk_dbl_map(struct ctx *c)
{
	return freed(c, 300000);
}

static void *mk_dbl_aligned(struct ctx *c)
{
	char *p = memalign(opaque_size(4096), opaque_size(100));

	CHECK(p != NULL);
	live(c, 100);
	free(opaque_ptr(p));
	c->size = 100;
	return p;
}

/* ---- valid frees (negative controls) ------------------------------------ */

static void *mk_valid(struct ctx *c)
{
	size_t n = 200;
	pthread_t t;
	void *p;
	int i;

	c->valid[c->nvalid++] = memalign(16, 100);
	c->valid[c->nvalid++] = memalign(65536, 100);
	c->valid[c->nvalid++] = memalign(65536, 50000);
	c->valid[c->nvalid++] = memalign((size_t)1 << 22, 300000);
	c->valid[c->nvalid++] = aligned_alloc(4096, 4096);
	c->valid[c->nvalid++] = valloc(5000);
	c->valid[c->nvalid++] = pvalloc(70000);
	c->valid[c->nvalid++] = calloc(10, 10);
	c->valid[c->nvalid++] = realloc(malloc(10), 60000);
	c->valid[c->nvalid++] = realloc(malloc(200000), 100);
	c->valid[c->nvalid++] = malloc(0);
	CHECK(pthread_create(&t, NULL, thread_malloc, &n) == 0);
	CHECK(pthread_join(t, &p) == 0);
	c->valid[c->nvalid++] = p;
	for (i = 0; i < c->nvalid; i++)
		CHECK(c->valid[i] != NULL, "valid block %d is NULL", i);
	return NULL;	/* free(NULL) / realloc(NULL, n) are valid too */
}

static const struct tcase cases[] = {
	{ "stack address", INVALID, mk_stack },
	{ "global variable", INVALID, mk_global },
	{ "read-only data", INVALID, mk_rodata },
	{ "slab object + 16", INVALID, mk_slab_in16 },
	{ "slab object + 8", INVALID, mk_slab_in8 },
	{ "3000-byte slab object + 1024", INVALID, mk_slab_in_big },
	{ "page run + 4096", INVALID, mk_run_page },
	{ "page run + 16", INVALID, mk_run_in16 },
	{ "mapped chunk + 4096", INVALID, mk_map_page },
	{ "mapped chunk + 16", INVALID, mk_map_in16 },
	{ "64 KiB-aligned block + 64", INVALID, mk_aligned_in },
	{ "foreign mmap", INVALID, mk_own_mmap },
	{ "inside a foreign mmap", INVALID, mk_own_mmap_in },
	{ "memory from the program's own sbrk", INVALID, mk_sbrk },
	{ "0x1000", INVALID, mk_low },
	{ "0x10", INVALID, mk_tiny },
	{ "unmapped address", INVALID, mk_unmapped },
	{ "non-canonical address", INVALID, mk_noncanonical },
	{ "top of the address space", INVALID, mk_top },
	{ "garbage", INVALID, mk_garbage },
	{ "slab object freed twice", DOUBLE, mk_dbl_slab },
	{ "slab object freed twice, others freed between", DOUBLE,
	  mk_dbl_slab_later },
	{ "object of an exited thread freed twice", DOUBLE, mk_dbl_remote },
	{ "object freed by another thread, then here", DOUBLE,
	  mk_dbl_other_thread },
	{ "memaligned block freed twice", DOUBLE, mk_dbl_aligned },
	{ "page run freed twice", DOUBLE, mk_dbl_run },
	/* the pages may have merged or the mapping be gone: either word */
	{ "page run freed twice after its buddy", EITHER, mk_dbl_run_merged },
	{ "mapped chunk freed twice", EITHER, mk_dbl_map },
	{ "valid frees of every kind", VALID, mk_valid },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static int by_addr(const void *a, const void *b)
{
	char *const *x = a, *const *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * After an ignored bad free (warn mode): nothing was damaged. A pointer freed
 * twice may well come back from malloc (once); one never returned must not.
 */
static void aftermath(struct ctx *c, void *bad, enum kind kind)
{
	enum { N = 200 };
	char *p[N];
	int i, j;

	if (c->foreign)
		CHECK_PATTERN(c->foreign, c->foreign_n, 99,
			      "memory not the library's, after free()");
	for (i = 0; i < c->nlive; i++)
		CHECK_PATTERN(c->live[i], c->live_n[i],
			      pattern_seed(c->live[i], c->live_n[i]),
			      "live block next to the bad pointer");
	if (!c->size)
		c->size = 64;
	for (i = 0; i < N; i++) {
		p[i] = malloc(opaque_size(c->size));
		CHECK(p[i] != NULL);
		CHECK(p[i] != bad || kind != INVALID, "malloc(%zu) returned the pointer whose "
		       "free was refused: %p", c->size, bad);
		for (j = 0; j < c->nlive; j++)
			CHECK(p[i] + c->size <= c->live[j] ||
			       p[i] >= c->live[j] + c->live_n[j],
			       "malloc(%zu) = %p overlaps live block %p",
			       c->size, (void *)p[i], (void *)c->live[j]);
		pattern_fill(p[i], c->size, i);
	}
	qsort(p, N, sizeof(p[0]), by_addr);
	for (i = 0; i + 1 < N; i++)
		CHECK(p[i] + c->size <= p[i + 1], "after the bad free, "
		       "malloc(%zu) gave overlapping blocks %p and %p", c->size,
		       (void *)p[i], (void *)p[i + 1]);
	for (i = 0; i < N; i++)
		free(p[i]);
	for (i = 0; i < c->nlive; i++)
		free(c->live[i]);
}

static void release(void *p)
{
	if (!use_realloc) {
		free(p);
		return;
	}
	errno = 0;
	p = realloc(p, opaque_size(100));
	if (warn_mode)
		CHECK(p == NULL && errno == EINVAL, "realloc of a bad pointer "
		       "in warn mode returned %p, errno %d; expected NULL, "
		       "EINVAL", p, errno);
}

static int child_body(void *arg)
{
	const struct tcase *t = arg;
	char stack_buf[256] __attribute__((aligned(16)));
	struct ctx c;
	void *bad;
	int i;

	memset(&c, 0, sizeof(c));
	if (t->make == mk_stack)
		bad = foreign(&c, stack_buf + 64, 128);
	else
		bad = t->make(&c);
	shared[0] = (uintptr_t)bad;
	if (t->kind == VALID) {
		for (i = 0; i < c.nvalid; i++) {
			if (use_realloc) {
				void *q = realloc(c.valid[i], 3000);

				CHECK(q != NULL, "realloc of valid block %d "
				       "failed", i);
				free(q);
			} else {
				free(c.valid[i]);
			}
		}
		if (use_realloc)
			free(realloc(NULL, 100));
		else
			free(NULL);
		return 0;
	}
	release(opaque_ptr(bad));
	if (!warn_mode)
		return 0;	/* should not get here: abort() expected */
	aftermath(&c, bad, t->kind);
	return 0;
}

static void run_case(const struct tcase *t)
{
	const char *fn = use_realloc ? "realloc" : "free";
	const char *mode = warn_mode ? "invalid_free=warn" : "default";
	struct child_result r;
	char want[160], alt[160];

	shared[0] = 0;
	run_child(child_body, (void *)t, 20, &r);
	if (t->kind == VALID) {
		CHECK(r.exited && r.status == 0 && r.err_len == 0, "[%s] %s: "
		       "%s(): %s; stderr: %s", mode, t->name, fn, child_how(&r),
		       r.err);
		return;
	}
	snprintf(want, sizeof(want), "buddymalloc: %s(): %s %p\n", fn,
		 t->kind == DOUBLE ? "double free" : "invalid pointer",
		 (void *)shared[0]);
	snprintf(alt, sizeof(alt), "buddymalloc: %s(): %s %p\n", fn,
		 t->kind == EITHER ? "double free" : "-", (void *)shared[0]);
	CHECK(report_is(r.err, want) || report_is(r.err, alt),
	       "[%s] %s: %s(%p): stderr is \"%.300s\", expected \"%.*s\"%s",
	       mode, t->name, fn, (void *)shared[0], r.err,
	       (int)strlen(want) - 1, want,
	       t->kind == EITHER ? " or the same with \"double free\"" : "");
	if (warn_mode)
		CHECK(r.exited && r.status == 0, "[%s] %s: %s(): child %s "
		       "after the warning", mode, t->name, fn, child_how(&r));
	else
		CHECK(!r.exited && r.signo == SIGABRT, "[%s] %s: %s(): child "
		       "%s, expected SIGABRT%s", mode, t->name, fn,
		       child_how(&r), r.exited && r.status == 0 ?
		       " (the call returned)" : "");
}

static void run_all(void)
{
	size_t i;

	for (use_realloc = 0; use_realloc < 2; use_realloc++)
		for (i = 0; i < NCASES; i++)
			run_case(&cases[i]);
}

static char **self_argv;

static int exec_warn_mode(void *arg)
{
	char *argv[] = { self_argv[0], "warn-mode", NULL };

	(void)arg;
	setenv("BUDDYMALLOC_OPTIONS", "invalid_free=warn", 1);
	execv("/proc/self/exe", argv);
	fail("execv /proc/self/exe: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct child_result r;

	watchdog(120);
	require_buddymalloc();
	shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED);
	if (argc > 1 && strcmp(argv[1], "warn-mode") == 0) {
		warn_mode = 1;
		run_all();
		return 0;
	}
	if (getenv("BUDDYMALLOC_OPTIONS")) {
		/* the default mode is the one under test here */
		unsetenv("BUDDYMALLOC_OPTIONS");
		execv("/proc/self/exe", argv);
		fail("execv /proc/self/exe: %s", strerror(errno));
	}
	run_all();
	self_argv = argv;
	run_child(exec_warn_mode, NULL, 100, &r);
	CHECK(r.exited && r.status == 0, "warn mode (BUDDYMALLOC_OPTIONS="
	       "invalid_free=warn): %s: %s", child_how(&r),
	       r.err_len ? r.err : "(no message)");
	return 0;
}
