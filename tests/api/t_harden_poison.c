/*
 * t_harden_poison: a write after free or an overflow into a free
 * neighbour never steers malloc (issue 12: protected free lists).
 *
 * Each case runs in a forked child; the parent checks how it ended and
 * what it printed. Sizes 16 B .. 4000 B (every slab path a small program
 * uses). Proves that
 *  - use after free: the program frees a block and writes an address (of
 *    a buffer of its own) into the block's first 8 or 16 bytes, then
 *    allocates that size twice: the child is killed by SIGABRT after one
 *    line "buddymalloc: corrupted free list in slab 0x... (size class N
 *    bytes): ..." and malloc never returns the written address;
 *  - overflow into a free neighbour: the program writes 1 or 16 bytes past
 *    the end of a block, over the start of its freed neighbour (freed by
 *    the same thread, or by another thread, so that it waits on the slab's
 *    remote list), then allocates that size many times: either the same
 *    abort with that one line, or it is harmless: every later block is
 *    distinct, keeps the bytes written to it, and the child exits 0 with
 *    nothing on stderr. Never another signal (SIGSEGV), never a block
 *    handed out twice.
 */
#include "../common.h"
#include <pthread.h>

#define LINE_PREFIX "buddymalloc: corrupted free list in slab 0x"
#define BAD_BLOCKS 3	/* the child's exit status: a block handed out twice / steered */

static const size_t sizes[] = {
	16, 24, 32, 48, 64, 80, 96, 128, 160, 200, 256, 384, 512, 768,
	1000, 1024, 1500, 2048, 3000, 4000,
};
static _Alignas(64) unsigned char target[8192];

struct poison_case {
	size_t size;
	size_t bytes;		/* written after free / past the end */
	int remote;		/* the neighbour is freed by another thread */
};

static int uaf_child(void *arg)
{
	const struct poison_case *c = arg;
	void *keep[8], *p, *q1, *q2;
	uintptr_t addr = (uintptr_t)target + 64;

	for (int i = 0; i < 8; i++)	/* a slab with neighbours in use */
		keep[i] = malloc(opaque_size(c->size));
	p = malloc(opaque_size(c->size));
	CHECK(p != NULL);
	free(opaque_ptr(p));
	memcpy(p, &addr, 8);				/* the write after free */
	if (c->bytes == 16)
		memcpy((char *)p + 8, &addr, 8);
	q1 = opaque_ptr(malloc(opaque_size(c->size)));
	q2 = opaque_ptr(malloc(opaque_size(c->size)));
	if ((uintptr_t)q1 == addr || (uintptr_t)q2 == addr)
		_exit(BAD_BLOCKS);
	for (int i = 0; i < 8; i++)
		free(keep[i]);
	return 0;
}

static void *free_in_thread(void *p)
{
	free(p);
	return NULL;
}

/* Two neighbours a, b (b right after a); b freed, then a overflows. */
static void neighbours(const struct poison_case *c, char **ap, char **bp, size_t *up)
{
	char *a = NULL, *b = NULL;
	size_t u = 0;

	for (int tries = 0; tries < 64; tries++) {
		a = malloc(opaque_size(c->size));
		b = malloc(opaque_size(c->size));
		CHECK(a != NULL && b != NULL);
		u = malloc_usable_size(a);
		if (b == a + u)
			break;
		/* not neighbours (a slab boundary): keep them, try the next pair */
	}
	CHECK(b == a + u, "no two neighbouring blocks of %zu bytes", c->size);
	if (c->remote) {
		pthread_t t;

		CHECK(pthread_create(&t, NULL, free_in_thread, b) == 0);
		CHECK(pthread_join(t, NULL) == 0);
	} else {
		free(b);
	}
	*ap = a;
	*bp = b;
	*up = u;
}

static int overflow_child(void *arg)
{
	const struct poison_case *c = arg;
	enum { N = 600 };
	static char *blk[N];
	char *a, *b;
	size_t u;

	neighbours(c, &a, &b, &u);
	memset(a + u, 'A', c->bytes);			/* the overflow */
	for (int i = 0; i < N; i++) {	/* past the slab: remote frees collected */
		blk[i] = malloc(opaque_size(c->size));
		CHECK(blk[i] != NULL);
		if ((uintptr_t)blk[i] >= (uintptr_t)target &&
		    (uintptr_t)blk[i] < (uintptr_t)target + sizeof(target))
			_exit(BAD_BLOCKS);
		memset(blk[i], i & 0xff, c->size);
	}
	for (int i = 0; i < N; i++) {
		const unsigned char *q = (const unsigned char *)blk[i];

		if (q == (unsigned char *)a)
			_exit(BAD_BLOCKS);
		for (size_t k = 0; k < c->size; k++)
			if (q[k] != (i & 0xff))
				_exit(BAD_BLOCKS);	/* two blocks share bytes */
	}
	for (int i = 0; i < N; i++)
		free(blk[i]);
	free(a);
	return 0;
}

/* Exactly one line, ours. */
static int our_line(const struct child_result *r)
{
	const char *nl = strchr(r->err, '\n');

	return strncmp(r->err, LINE_PREFIX, strlen(LINE_PREFIX)) == 0 &&
	       strstr(r->err, "(size class ") != NULL && nl != NULL && nl[1] == 0;
}

int main(void)
{
	struct child_result r;
	int aborted = 0, harmless = 0, total = 0;

	watchdog(300);
	require_buddymalloc();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t bytes = 8; bytes <= 16; bytes += 8) {
			struct poison_case c = { sizes[i], bytes, 0 };

			run_child(uaf_child, &c, 30, &r);
			CHECK(!r.exited && r.signo == SIGABRT && our_line(&r),
			       "write of %zu bytes after free, size %zu: %s, stderr:"
			       " %s", bytes, c.size, child_how(&r), r.err);
			total++;
			aborted++;
		}
		for (int remote = 0; remote <= 1; remote++) {
			for (size_t bytes = 1; bytes <= 16; bytes += 15) {
				struct poison_case c = { sizes[i], bytes, remote };

				run_child(overflow_child, &c, 30, &r);
				total++;
				if (!r.exited && r.signo == SIGABRT && our_line(&r)) {
					aborted++;
					continue;
				}
				CHECK(r.exited && r.status == 0 && r.err_len == 0,
				       "overflow of %zu bytes into a %s-freed "
				       "neighbour, size %zu: %s, stderr: %s", bytes,
				       remote ? "remotely" : "locally", c.size,
				       child_how(&r), r.err);
				harmless++;
			}
		}
	}
	printf("%d cases: %d aborted with our line, %d harmless\n", total,
	       aborted, harmless);
	return 0;
}
