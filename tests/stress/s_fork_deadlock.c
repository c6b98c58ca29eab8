/*
 * s_fork_deadlock: fork() racing malloc, fflush(NULL) and getline.
 *
 * The mix that deadlocks allocators which take their locks in a
 * pthread_atfork prepare handler (DESIGN.md, "fork() without deadlock"):
 * glibc's fork runs the prepare handlers, then takes the stdio list lock;
 * fflush(NULL) holds that list lock while it waits for each FILE's lock;
 * getline holds its FILE's lock while it calls realloc. Running at once:
 *  - two threads doing malloc/realloc/free of every path, half of it page
 *    runs and mapped chunks (bytes checked),
 *  - one thread calling fflush(NULL) in a loop,
 *  - two threads reading lines of 0 to 200,000 bytes with getline from their
 *    own fmemopen streams (the line buffer grows through all three paths,
 *    under the FILE lock), checking every line read,
 *  - one thread forking; each child allocates (on every path), checks and
 *    frees a little and _exits 0.
 * Proves that none of this deadlocks: the parent's watchdog fails the test
 * if the rounds do not finish, a child's watchdog kills it (and the round
 * fails) if it hangs, and every child must exit 0. Runs at least MIN_FORKS
 * forks, then more until RUN_SECONDS have passed (at most MAX_FORKS): a
 * slow or loaded machine takes longer instead of failing, since how many
 * forks fit in a time is a benchmark's business, not a test's.
 */
#include "../common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#define MAX_FORKS 3000
#define MIN_FORKS 100
#define RUN_SECONDS 8
#define HANG_SECONDS 240	/* the parent's watchdog: a deadlock, not slowness */
#define NLINES 64
#define SALT 0xdeadull

static atomic_int stop;
static char *text;		/* NLINES lines, each its own pattern */
static size_t text_len;
static size_t line_len[NLINES];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Line i: line_len[i] bytes of 'a' + (pattern byte % 26), then '\n'. */
static unsigned char line_byte(unsigned i, size_t k)
{
	return 'a' + pattern_byte(SALT + i, k) % 26;
}

static void make_text(void)
{
	struct rng r;
	size_t off = 0, k;
	unsigned i;

	rng_seed(&r, 5);
	for (i = 0; i < NLINES; i++) {
		unsigned what = rng_next(&r) % 10;

		line_len[i] = what < 6 ? rng_range(&r, 0, 3000)
			    : what < 9 ? rng_range(&r, SLAB_MAX, MMAP_THRESHOLD)
				       : rng_range(&r, MMAP_THRESHOLD, 200000);
		text_len += line_len[i] + 1;
	}
	text = malloc(text_len);
	CHECK(text != NULL);
	for (i = 0; i < NLINES; i++) {
		for (k = 0; k < line_len[i]; k++)
			text[off++] = line_byte(i, k);
		text[off++] = '\n';
	}
}

/* Half the requests from slabs, a quarter page runs, a quarter mapped
 * chunks: the locks of every path are often held when fork() comes. */
static size_t rng_size_big(struct rng *r)
{
	switch (rng_next(r) % 4) {
	case 0:
		return rng_range(r, SLAB_MAX + 1, MMAP_THRESHOLD - 1);
	case 1:
		return rng_range(r, MMAP_THRESHOLD, MIB);
	default:
		return rng_range(r, 8, SLAB_MAX);
	}
}

static void *allocator(void *arg)
{
	enum { LIVE = 32 };
	char *live[LIVE] = { 0 };
	struct rng r;
	unsigned i;

	rng_seed(&r, (uintptr_t)arg);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		unsigned k = rng_next(&r) % LIVE;
		size_t n = rng_size_big(&r);

		if (live[k] && rng_next(&r) % 3 == 0) {
			size_t old = block_check(live[k], SALT, MIB);
			char *q = realloc(live[k], n);

			CHECK(q != NULL, "realloc(%zu -> %zu) failed", old, n);
			CHECK_PATTERN(q + 8, (old < n ? old : n) - 8,
				      pattern_seed(live[k], SALT ^ old),
				      "block after realloc");
			live[k] = q;
		} else {
			if (live[k]) {
				block_check(live[k], SALT, MIB);
				free(live[k]);
			}
			live[k] = malloc(n);
			CHECK(live[k] != NULL, "malloc(%zu) failed", n);
		}
		block_fill(live[k], n, SALT);
	}
	for (i = 0; i < LIVE; i++)
		if (live[i]) {
			block_check(live[i], SALT, MIB);
			free(live[i]);
		}
	return NULL;
}

static void *flusher(void *arg)
{
	(void)arg;
	/* the yield lets fork() win the stdio list lock now and then */
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		fflush(NULL);
		sched_yield();
	}
	return NULL;
}

static void *reader(void *arg)
{
	FILE *f = fmemopen(text, text_len, "r");
	unsigned i = 0, rounds = 0;
	char *line = NULL;
	size_t cap = 0, k;
	ssize_t got;

	(void)arg;
	CHECK(f != NULL, "fmemopen: %s", strerror(errno));
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		got = getline(&line, &cap, f);
		if (got < 0) {
			CHECK(i == NLINES, "getline: end after %u lines", i);
			rewind(f);
			i = 0;
			/* start again from no buffer, so it grows again */
			if (++rounds % 2 == 0) {
				free(line);
				line = NULL;
				cap = 0;
			}
			continue;
		}
		CHECK((size_t)got == line_len[i] + 1, "getline: line %u has "
		       "%zd bytes, expected %zu", i, got, line_len[i] + 1);
		for (k = 0; k < line_len[i]; k++)
			CHECK((unsigned char)line[k] == line_byte(i, k),
			       "getline: line %u byte %zu is wrong", i, k);
		i++;
	}
	free(line);
	fclose(f);
	return NULL;
}

/*
 * The child touches every path, whatever lock of which a vanished thread
 * may have held: slab classes, page runs, mapped chunks, aligned blocks,
 * calloc, and realloc from one path to the next. Exit codes say what broke.
 */
static void child(unsigned round)
{
	static const size_t sizes[] = {
		24, 3000, SLAB_MAX, 40000, 100000, 200000, MIB, 0, 0,
	};
	char *p[sizeof(sizes) / sizeof(sizes[0])];
	struct rng r;
	unsigned i;

	/* the inherited alarm is gone: a hang here ends in SIGALRM */
	signal(SIGALRM, SIG_DFL);
	alarm(10);
	rng_seed(&r, round);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i] ? sizes[i] : rng_size_mix(&r), m = n / 2 + 8;

		p[i] = i % 3 == 0 ? calloc(1, n)
		     : i % 3 == 1 ? memalign(4096, n) : malloc(n);
		if (!p[i])
			_exit(3);
		pattern_fill(p[i], n, n);
		if (pattern_bad(p[i], n, n) != SIZE_MAX)
			_exit(4);
		p[i] = realloc(p[i], m);	/* often onto another path */
		if (!p[i] || pattern_bad(p[i], m, n) != SIZE_MAX)
			_exit(5);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		free(p[i]);
	_exit(0);
}

static void *forker(void *arg)
{
	unsigned *forks = arg, round;
	double end = now() + RUN_SECONDS;

	for (round = 0; round < MAX_FORKS && (round < MIN_FORKS || now() < end);
	     round++) {
		pid_t pid = fork();
		int wst;

		CHECK(pid >= 0, "fork: %s", strerror(errno));
		if (pid == 0)
			child(round);
		while (waitpid(pid, &wst, 0) < 0)
			CHECK(errno == EINTR, "waitpid: %s", strerror(errno));
		CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "fork round %u:"
		       " child %s%s", round, wait_how(wst),
		       WIFSIGNALED(wst) && WTERMSIG(wst) == SIGALRM ?
		       " (it hung: deadlock in the child after fork)" : "");
	}
	*forks = round;
	return NULL;
}

int main(void)
{
	pthread_t t[6];
	unsigned forks = 0, i;

	/* a hang of the parent (fork waiting for locks) ends the test here */
	watchdog(HANG_SECONDS);
	make_text();
	CHECK(pthread_create(&t[0], NULL, allocator, (void *)1) == 0);
	CHECK(pthread_create(&t[1], NULL, allocator, (void *)2) == 0);
	CHECK(pthread_create(&t[2], NULL, flusher, NULL) == 0);
	CHECK(pthread_create(&t[3], NULL, reader, NULL) == 0);
	CHECK(pthread_create(&t[4], NULL, reader, NULL) == 0);
	CHECK(pthread_create(&t[5], NULL, forker, &forks) == 0);
	CHECK(pthread_join(t[5], NULL) == 0);
	atomic_store(&stop, 1);
	for (i = 0; i < 5; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	printf("%u forks\n", forks);
	free(text);
	return 0;
}
