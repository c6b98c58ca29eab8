/*
 * t_stats_mallinfo2: every field of mallinfo2() against allocations whose
 * sizes we know. Needs the library itself. What the fields mean here
 * (stats/stats.c):
 *   arena     bytes of all zone sections (brk and mmap zones)
 *   ordblks   free blocks on the zones' free lists, plus cached mapped chunks
 *   smblks    free objects in slabs;  fsmblks  their bytes
 *   hblks     live mapped chunks;     hblkhd   their bytes (page-rounded)
 *   usmblks   the most arena + mapped bytes ever were
 *   uordblks  bytes in use in slab objects (class size) and page runs
 *   fordblks  arena - uordblks
 *   keepcost  free bytes at the top of the break
 *
 * Proves that, with every step's mallinfo2 printed,
 *  - always: arena = uordblks + fordblks, arena is a page multiple,
 *    keepcost <= fordblks, smblks * 16 <= fsmblks <= smblks * 32 KiB,
 *    usmblks >= arena + hblkhd and never decreases;
 *  - a fresh 300000-byte mapped chunk: hblks + 1, hblkhd + 303104 (page
 *    rounded), uordblks and arena unchanged; freed: hblks and hblkhd back,
 *    ordblks + 1 (the chunk waits in the chunk cache); malloc_trim(0):
 *    ordblks - 1 at least, keepcost 0;
 *  - one more object in a slab that has room: uordblks + its usable size,
 *    smblks - 1, fsmblks and fordblks - its usable size; freed: all back;
 *  - 1000 small blocks of random sizes and 10 page runs: uordblks rises by
 *    at least the bytes asked for and at most the sum of usable sizes, and
 *    falls back to where it was when they are freed;
 *  - across threads: 4 threads (started and idle at the first reading, as
 *    glibc allocates for each) each allocate 500 small blocks, 20 runs and
 *    2 chunks and wait; the main thread's mallinfo2 shows all of them
 *    (uordblks between bytes and usable sizes, hblks + 8, hblkhd + the page
 *    rounded sizes); the main thread frees them all (remote frees) and its
 *    mallinfo2 is back to the start, and stays so after the threads exit.
 */
#include "../common.h"
#include "tune_util.h"

#include <pthread.h>

static size_t max_usm;

static struct mallinfo2 snap(const char *tag)
{
	struct mallinfo2 m = mallinfo2();

	mi_print(tag, m);
	CHECK(m.arena == m.uordblks + m.fordblks, "%s: arena %zu != uordblks "
	       "%zu + fordblks %zu", tag, m.arena, m.uordblks, m.fordblks);
	CHECK(m.arena % PAGE == 0, "%s: arena %zu is no page multiple", tag,
	       m.arena);
	CHECK(m.keepcost <= m.fordblks, "%s: keepcost %zu > fordblks %zu", tag,
	       m.keepcost, m.fordblks);
	CHECK(m.fsmblks >= m.smblks * 16 && m.fsmblks <= m.smblks * SLAB_MAX,
	       "%s: fsmblks %zu is not between 16 and 32768 bytes for each of "
	       "the %zu free slab objects (smblks)", tag, m.fsmblks, m.smblks);
	CHECK(m.fsmblks <= m.fordblks, "%s: fsmblks %zu > fordblks %zu", tag,
	       m.fsmblks, m.fordblks);
	CHECK(m.usmblks >= m.arena + m.hblkhd, "%s: usmblks %zu < arena %zu + "
	       "hblkhd %zu", tag, m.usmblks, m.arena, m.hblkhd);
	CHECK(m.usmblks >= max_usm, "%s: usmblks fell from %zu to %zu", tag,
	       max_usm, m.usmblks);
	max_usm = m.usmblks;
	return m;
}

#define SAME(a, b, f, tag)						\
	CHECK((a).f == (b).f, "%s: " #f " %zu, expected %zu", tag,	\
	       (b).f, (a).f)

static void chunk_fields(void)
{
	struct mallinfo2 a, b, c, d;
	void *p;

	malloc_trim(0);		/* no cached chunk: the next one is fresh */
	a = snap("before the 300000 B chunk");
	p = malloc(opaque_size(300000));
	CHECK(p != NULL);
	b = snap("300000 B chunk live");
	CHECK(b.hblks == a.hblks + 1, "fresh chunk: hblks %zu -> %zu, expected "
	       "+1", a.hblks, b.hblks);
	CHECK(b.hblkhd == a.hblkhd + page_up(300000), "fresh chunk: hblkhd "
	       "%zu -> %zu, expected + %zu", a.hblkhd, b.hblkhd, page_up(300000));
	SAME(a, b, uordblks, "fresh chunk");
	SAME(a, b, arena, "fresh chunk");
	free(p);
	c = snap("300000 B chunk freed");
	SAME(a, c, hblks, "chunk freed");
	SAME(a, c, hblkhd, "chunk freed");
	CHECK(c.ordblks == a.ordblks + 1, "chunk freed into the chunk cache: "
	       "ordblks %zu -> %zu, expected +1", a.ordblks, c.ordblks);
	CHECK(malloc_trim(0) == 1, "malloc_trim(0) with a cached chunk "
	       "returned 0");
	d = snap("after malloc_trim(0)");
	CHECK(d.ordblks < c.ordblks, "malloc_trim(0) unmapped the cached "
	       "chunk but ordblks went %zu -> %zu", c.ordblks, d.ordblks);
	CHECK(d.keepcost == 0, "keepcost %zu after malloc_trim(0)", d.keepcost);
}

static void one_object(void)
{
	struct mallinfo2 a, b, c;
	void *w = malloc(opaque_size(200)), *p;
	size_t u;

	CHECK(w != NULL);
	a = snap("before one 200 B object");
	p = malloc(opaque_size(200));
	CHECK(p != NULL);
	u = malloc_usable_size(p);
	b = snap("one 200 B object live");
	CHECK(b.uordblks == a.uordblks + u, "one object of usable size %zu: "
	       "uordblks %zu -> %zu", u, a.uordblks, b.uordblks);
	CHECK(b.smblks == a.smblks - 1, "one object from a slab with room: "
	       "smblks %zu -> %zu, expected -1", a.smblks, b.smblks);
	CHECK(b.fsmblks == a.fsmblks - u, "one object of usable size %zu: "
	       "fsmblks %zu -> %zu", u, a.fsmblks, b.fsmblks);
	CHECK(b.fordblks == a.fordblks - u, "one object of usable size %zu: "
	       "fordblks %zu -> %zu", u, a.fordblks, b.fordblks);
	SAME(a, b, arena, "one object");
	free(p);
	c = snap("one 200 B object freed");
	SAME(a, c, uordblks, "object freed");
	SAME(a, c, smblks, "object freed");
	SAME(a, c, fsmblks, "object freed");
	SAME(a, c, fordblks, "object freed");
	free(w);
}

#define NSMALL 1000
#define NRUNS 10

static void many(void)
{
	static void *p[NSMALL + NRUNS];
	struct mallinfo2 a, b, c;
	size_t asked = 0, usable = 0;
	struct rng r;
	int i;

	rng_seed(&r, 42);
	a = snap("before 1000 small + 10 runs");
	for (i = 0; i < NSMALL + NRUNS; i++) {
		size_t n = i < NSMALL ? rng_range(&r, 1, 1024) : 40000 + (size_t)(1000 * i % 50000);
		p[i] = malloc(opaque_size(n));
		CHECK(p[i] != NULL, "malloc(%zu) failed", n);
		asked += n;
		usable += malloc_usable_size(p[i]);
	}
	b = snap("1000 small + 10 runs live");
	printf("asked %zu bytes, usable %zu, uordblks rose by %zu\n", asked,
	       usable, b.uordblks - a.uordblks);
	CHECK(b.uordblks >= a.uordblks + asked && b.uordblks <= a.uordblks + usable,
	       "uordblks rose by %zd for %zu bytes asked, %zu usable",
	       (ssize_t)(b.uordblks - a.uordblks), asked, usable);
	for (i = 0; i < NSMALL + NRUNS; i++)
		free(p[i]);
	c = snap("1000 small + 10 runs freed");
	SAME(a, c, uordblks, "all freed");
}

#define NT 4
#define T_SMALL 500
#define T_RUNS 20
#define T_CHUNKS 2

struct tblocks {
	int id;
	void *p[T_SMALL + T_RUNS + T_CHUNKS];
	size_t asked, usable, chunk_bytes;
};

static pthread_barrier_t bar;

static void *worker(void *arg)
{
	struct tblocks *t = arg;
	int i;

	pthread_barrier_wait(&bar);	/* main reads mallinfo2 first */
	for (i = 0; i < T_SMALL + T_RUNS + T_CHUNKS; i++) {
		size_t n = i < T_SMALL ? (size_t)(16 + (i * 7 + t->id) % 900) :
			i < T_SMALL + T_RUNS ? 33000 + 2048 * (size_t)(i - T_SMALL) :
			256 * KIB + 4096 * (size_t)t->id + 100;
		t->p[i] = malloc(opaque_size(n));
		if (!t->p[i])
			fail("thread %d: malloc(%zu) failed", t->id, n);
		memset(t->p[i], t->id, n < 4096 ? n : 4096);
		if (i < T_SMALL + T_RUNS) {
			t->asked += n;
			t->usable += malloc_usable_size(t->p[i]);
		} else {
			t->chunk_bytes += page_up(n);
		}
	}
	pthread_barrier_wait(&bar);	/* main reads mallinfo2 */
	pthread_barrier_wait(&bar);	/* main has freed our blocks */
	return NULL;
}

static void threads(void)
{
	static struct tblocks t[NT];
	pthread_t tid[NT];
	struct mallinfo2 a, b, c, d;
	size_t asked = 0, usable = 0, chunks = 0;
	int i, k;

	malloc_trim(0);
	pthread_barrier_init(&bar, NULL, NT + 1);
	/* glibc's pthread_create allocates too (the new thread's TLS vector):
	 * the threads start, and wait, before the first reading */
	for (i = 0; i < NT; i++) {
		t[i].id = i + 1;
		CHECK(pthread_create(&tid[i], NULL, worker, &t[i]) == 0);
	}
	a = snap("4 threads started, idle");
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	for (i = 0; i < NT; i++) {
		asked += t[i].asked;
		usable += t[i].usable;
		chunks += t[i].chunk_bytes;
	}
	b = snap("4 threads' blocks live");
	printf("threads asked %zu bytes (usable %zu) in small blocks and runs, "
	       "%zu bytes in %d chunks; uordblks rose by %zd\n", asked, usable,
	       chunks, NT * T_CHUNKS, (ssize_t)(b.uordblks - a.uordblks));
	CHECK(b.uordblks >= a.uordblks + asked && b.uordblks <= a.uordblks + usable,
	       "blocks of 4 threads: uordblks rose by %zd for %zu bytes asked, "
	       "%zu usable", (ssize_t)(b.uordblks - a.uordblks), asked, usable);
	CHECK(b.hblks == a.hblks + NT * T_CHUNKS, "chunks of 4 threads: hblks "
	       "%zu -> %zu, expected + %d", a.hblks, b.hblks, NT * T_CHUNKS);
	CHECK(b.hblkhd == a.hblkhd + chunks, "chunks of 4 threads: hblkhd %zu "
	       "-> %zu, expected + %zu", a.hblkhd, b.hblkhd, chunks);
	for (i = 0; i < NT; i++)
		for (k = 0; k < T_SMALL + T_RUNS + T_CHUNKS; k++)
			free(t[i].p[k]);
	c = snap("freed by main, threads alive");
	SAME(a, c, uordblks, "4 threads' blocks freed by main");
	SAME(a, c, hblks, "4 threads' blocks freed by main");
	SAME(a, c, hblkhd, "4 threads' blocks freed by main");
	pthread_barrier_wait(&bar);
	for (i = 0; i < NT; i++)
		pthread_join(tid[i], NULL);
	d = snap("threads exited");
	/* glibc may free the threads' TLS vectors now: a little less */
	CHECK(d.uordblks <= a.uordblks && d.uordblks + 4096 >= a.uordblks,
	       "after the threads exited: uordblks %zu, expected %zu or a "
	       "little less", d.uordblks, a.uordblks);
	SAME(a, d, hblks, "after the threads exited");
	pthread_barrier_destroy(&bar);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */
	watchdog(60);
	require_buddymalloc();
	printf("mallinfo2 fields (stdout is set up first so that printing "
	       "allocates nothing later)\n");
	snap("start");
	chunk_fields();
	one_object();
	many();
	threads();
	snap("end");
	printf("mallinfo2 as expected\n");
	return 0;
}
