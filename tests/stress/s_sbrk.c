/*
 * s_sbrk: a program that moves the program break itself, between malloc
 * calls, as old programs and language runtimes do.
 *
 * For ROUNDS rounds, at random: grow the break by 1..8 pages with sbrk and
 * fill the new region with a pattern; shrink our topmost region with a
 * negative sbrk (only when the break is still at its end, i.e. nobody grew
 * it since: otherwise we would cut into someone else's memory); or allocate
 * (malloc, calloc, realloc, memalign, sizes of every path) and free blocks.
 * Proves that
 *  - the library never hands out memory inside a region we got from sbrk
 *    (every block is checked against every region we hold);
 *  - it never moves the break below a region of ours, nor writes into one:
 *    every region is checked byte by byte (a region cut off by a shrink of
 *    the library's shows up as SIGSEGV, reported with the address);
 *  - every malloc'd block keeps its bytes until freed.
 */
#include "../common.h"

#include <signal.h>

#define ROUNDS 6000
#define MAXREGIONS 512
#define MAXLIVE 256
#define SALT 0x5b4bull

struct region {
	char *p;
	size_t n;
} regions[MAXREGIONS];
static unsigned nregions, grows, shrinks;

static struct blk {
	char *p;
	size_t n;
} live[MAXLIVE];

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	char buf[256];
	unsigned i;
	int n, ours = 0;

	(void)uc;
	for (i = 0; i < nregions; i++)
		if ((char *)si->si_addr >= regions[i].p &&
		    (char *)si->si_addr < regions[i].p + regions[i].n)
			ours = 1;
	n = snprintf(buf, sizeof(buf), "%s: signal %d at address %p%s "
		     "(break now %p)\n", program_invocation_short_name, sig,
		     si->si_addr, ours ? ", inside a region we got from sbrk: "
		     "the break was moved below it" : "", sbrk(0));
	if (write(2, buf, n) < 0)
		_exit(3);
	_exit(1);
}

static uint64_t region_seed(const struct region *r)
{
	return pattern_seed(r->p, SALT);
}

static void check_regions(const char *when)
{
	unsigned i;

	for (i = 0; i < nregions; i++)
		CHECK_PATTERN(regions[i].p, regions[i].n,
			      region_seed(&regions[i]), when);
}

static void check_outside_regions(const char *p, size_t n)
{
	unsigned i;

	for (i = 0; i < nregions; i++)
		CHECK(p + n <= regions[i].p ||
		       p >= regions[i].p + regions[i].n,
		       "block %p (%zu bytes) lies in the region %p..%p we got "
		       "from sbrk", (void *)p, n, (void *)regions[i].p,
		       (void *)(regions[i].p + regions[i].n));
}

static void grow(struct rng *r)
{
	size_t n = rng_range(r, 1, 8) * PAGE;
	char *before = sbrk(0), *p;
	unsigned i;

	if (nregions == MAXREGIONS)
		return;
	p = sbrk(n);
	CHECK(p != (void *)-1, "sbrk(%zu): %s", n, strerror(errno));
	CHECK(p == before, "sbrk(%zu) returned %p, the break was %p", n,
	       (void *)p, (void *)before);
	/* memory that is live in the library must not be in our region */
	for (i = 0; i < MAXLIVE; i++)
		if (live[i].p)
			CHECK(live[i].p + live[i].n <= p ||
			       live[i].p >= p + n, "live block %p (%zu bytes) "
			       "lies beyond the old break %p", (void *)live[i].p,
			       live[i].n, (void *)p);
	grows++;
	regions[nregions].p = p;
	regions[nregions].n = n;
	pattern_fill(p, n, region_seed(&regions[nregions]));
	nregions++;
}

/* Shrink the topmost region of ours, if the break is still at its end. */
static void shrink(struct rng *r)
{
	struct region *top = NULL;
	size_t cut;
	unsigned i;

	for (i = 0; i < nregions; i++)
		if (!top || regions[i].p > top->p)
			top = &regions[i];
	if (!top || sbrk(0) != top->p + top->n)
		return;
	CHECK_PATTERN(top->p, top->n, region_seed(top), "region before shrink");
	cut = rng_range(r, 1, top->n / PAGE) * PAGE;
	CHECK(sbrk(-(intptr_t)cut) != (void *)-1, "sbrk(-%zu): %s", cut,
	       strerror(errno));
	shrinks++;
	top->n -= cut;
	if (!top->n)
		*top = regions[--nregions];
}

static void alloc_some(struct rng *r)
{
	unsigned count = rng_range(r, 1, 16), i;

	for (i = 0; i < count; i++) {
		unsigned k = rng_next(r) % MAXLIVE, how = rng_next(r) % 8;
		size_t n = rng_next(r) % 50 ? rng_size_mix(r)
					    : rng_range(r, MIB, 4 * MIB);
		char *p;

		if (live[k].p) {
			uint64_t seed = pattern_seed(live[k].p, SALT ^ live[k].n);

			CHECK_PATTERN(live[k].p, live[k].n, seed, "malloc'd block");
			if (how == 7) {	/* grow or shrink it instead */
				p = realloc(live[k].p, n);
				CHECK(p != NULL, "realloc(%zu) failed", n);
				CHECK_PATTERN(p, live[k].n < n ? live[k].n : n,
					      seed, "block after realloc");
				goto got;
			}
			free(live[k].p);
		}
		p = how < 5 ? malloc(n)
		  : how == 5 ? calloc(n, 1)
			     : memalign((size_t)1 << rng_range(r, 4, 14), n);
		CHECK(p != NULL, "allocation of %zu bytes failed (errno %d)", n,
		       errno);
got:
		check_outside_regions(p, n);
		live[k].p = p;
		live[k].n = n;
		pattern_fill(p, n, pattern_seed(p, SALT ^ n));
	}
}

int main(void)
{
	struct sigaction sa;
	struct rng r;
	unsigned round, i;

	watchdog(120);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	rng_seed(&r, 9);
	for (round = 0; round < ROUNDS; round++) {
		unsigned what = rng_next(&r) % 10;

		if (what < 3)
			grow(&r);
		else if (what < 5)
			shrink(&r);
		else
			alloc_some(&r);
		if (round % 64 == 0)
			check_regions("region from sbrk, during the run");
	}
	check_regions("region from sbrk, at the end");
	for (i = 0; i < MAXLIVE; i++) {
		if (!live[i].p)
			continue;
		CHECK_PATTERN(live[i].p, live[i].n,
			      pattern_seed(live[i].p, SALT ^ live[i].n),
			      "malloc'd block, at the end");
		free(live[i].p);
	}
	check_regions("region from sbrk, after freeing everything");
	printf("%u grows, %u shrinks; %u regions of ours at the end, break at "
	       "%p\n", grows, shrinks, nregions, sbrk(0));
	CHECK(grows >= 100 && shrinks >= 50, "only %u grows and %u shrinks "
	       "of our own: the test did not test much", grows, shrinks);
	return 0;
}
