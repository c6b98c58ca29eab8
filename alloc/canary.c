/*
 * canary.c - the checking mode: glibc's MALLOC_CHECK_ and
 * glibc.malloc.check, and our option `check` (options.h).
 *
 * With check set (1..3) every block is asked from the allocator 9 bytes
 * larger than the program asked, and laid out as
 *
 *     [ the n bytes asked | canary bytes ... | trailer (8 bytes) ]
 *       p                   p + n              p + usable - 8
 *
 * The canary fills the slack after the n bytes (at least one byte, at most
 * CANARY_MAX), each byte a function of the block's address and its
 * offset; the trailer holds n, encoded with the block's address and a
 * per-process key. free() and realloc() check both before anything else:
 * an overflow of even one byte past n prints one line and aborts (check=1:
 * prints and carries on). malloc_usable_size() is exactly n.
 *
 * Whether the mode is on is decided once, when the first call of the
 * program reaches canary_enabled() (canary_state starts "unknown", so the
 * very first call takes this path and starts the library): no block can
 * exist without its canary while the mode is on.
 *
 * Locks: none of its own; it calls alloc.c's entry points.
 */
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "report.h"

#define CANARY_MAX	256
#define CANARY_EXTRA	9	/* one canary byte at least, and the trailer */

uint8_t canary_state = CANARY_UNKNOWN;

bool canary_enabled(void)
{
	if (canary_state == CANARY_UNKNOWN) {
		ba_start();
		canary_state = opt.check ? CANARY_ON : CANARY_OFF;
	}
	return canary_state == CANARY_ON;
}

static uintptr_t trailer_key(const void *p)
{
	return (uintptr_t)p ^ (heap.secret * 0x9e3779b97f4a7c15ull);
}

static unsigned char canary_byte(const void *p, size_t i)
{
	return (unsigned char)(0xa5 ^ ((uintptr_t)p >> 4) ^ (i * 0x3b));
}

/* Where the trailer of p is, given its allocator usable size u. */
static uintptr_t *trailer_of(void *p, size_t u)
{
	return (uintptr_t *)((char *)p + u - 8);
}

/* Lays the canary and the trailer out after n bytes of p. */
static void *canary_set(void *p, size_t n, bool zero)
{
	size_t u = ba_usable(p, "malloc");
	size_t k = u - 8 - n;
	unsigned char *c = (unsigned char *)p + n;
	if (k > CANARY_MAX)
		k = CANARY_MAX;
	for (size_t i = 0; i < k; i++)
		c[i] = canary_byte(p, i);
	*trailer_of(p, u) = n ^ trailer_key(p);
	if (zero)
		memset(p, 0, n);
	else if (opt.perturb)
		memset(p, (int)(opt.perturb ^ 0xff) & 0xff, n);
	return p;
}

static void canary_report(const char *fn, const void *p, const char *what, size_t n)
{
	report_fmt("buddymalloc: %s(): check: %s %u bytes of block %x\n", fn, what,
		   (uint64_t)n, (uint64_t)(uintptr_t)p);
	if (opt.check != 1)
		abort();
}

/* The n the program asked for p; 0 with *ok false when p is not a live
 * block (reported) or its canary or trailer was overwritten (reported). */
static size_t canary_verify(void *p, const char *fn, bool *ok)
{
	size_t u = ba_usable(p, fn), n, k;
	const unsigned char *c;
	*ok = false;
	if (u == 0)
		return 0;		/* invalid or double free: reported */
	n = *trailer_of(p, u) ^ trailer_key(p);
	if (u < CANARY_EXTRA || n > u - CANARY_EXTRA) {
		canary_report(fn, p, "size trailer overwritten after the", u);
		return 0;
	}
	k = u - 8 - n;
	if (k > CANARY_MAX)
		k = CANARY_MAX;
	c = (const unsigned char *)p + n;
	for (size_t i = 0; i < k; i++) {
		if (c[i] != canary_byte(p, i)) {
			canary_report(fn, p, "write past the end of the", n);
			return 0;
		}
	}
	*ok = true;
	return n;
}

void *canary_alloc(size_t n, size_t align, bool zero)
{
	void *p;
	if (n > PTRDIFF_MAX - 64) {
		errno = ENOMEM;
		return NULL;
	}
	p = align > MIN_ALIGN ? ba_memalign(align, n + CANARY_EXTRA) : ba_malloc(n + CANARY_EXTRA);
	return p ? canary_set(p, n, zero) : NULL;
}

void canary_free(void *p, const char *fn)
{
	bool ok;
	int saved = errno;
	size_t n = canary_verify(p, fn, &ok);
	if (!ok) {
		errno = saved;
		return;		/* check=1: reported, and the block is left alone */
	}
	if (opt.perturb)
		memset(p, (int)opt.perturb & 0xff, n);
	ba_free(p, fn);
	errno = saved;
}

void *canary_realloc(void *p, size_t n)
{
	bool ok;
	size_t old;
	void *q;
	if (!p)
		return canary_alloc(n, 0, false);
	old = canary_verify(p, "realloc", &ok);
	if (!ok) {
		errno = EINVAL;
		return NULL;
	}
	if (n == 0) {
		canary_free(p, "realloc");
		return NULL;
	}
	q = canary_alloc(n, 0, false);
	if (!q)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	canary_free(p, "realloc");
	return q;
}

size_t canary_usable(void *p)
{
	bool ok;
	size_t n = canary_verify(p, "malloc_usable_size", &ok);
	return ok ? n : 0;
}
