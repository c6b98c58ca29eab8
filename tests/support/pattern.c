/*
 * tests/support/pattern.c - fill and verify blocks with the pattern of
 * pattern.h. Whole words are written with memcpy (blocks need not be
 * aligned), the tail byte by byte. Nothing here allocates or locks: it
 * runs in forked children of threaded tests and inside benchmarks.
 */
#include "pattern.h"

static void fill_word(unsigned char *c, size_t off, uint64_t seed)
{
	uint64_t w = pattern_word(seed, off);

	memcpy(c + off, &w, 8);
}

static int word_ok(const unsigned char *c, size_t off, uint64_t seed)
{
	uint64_t v;

	memcpy(&v, c + off, 8);
	return v == pattern_word(seed, off);
}

/* The first differing byte of the word at off (which differs). */
static size_t bad_in_word(const unsigned char *c, size_t off, uint64_t seed)
{
	while (c[off] == pattern_byte(seed, off))
		off++;
	return off;
}

void pattern_fill(void *p, size_t n, uint64_t seed)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		fill_word(c, i, seed);
	for (; i < n; i++)
		c[i] = pattern_byte(seed, i);
}

size_t pattern_bad(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		if (!word_ok(c, i, seed))
			return bad_in_word(c, i, seed);
	for (; i < n; i++)
		if (c[i] != pattern_byte(seed, i))
			return i;
	return PATTERN_OK;
}

void pattern_fill_sparse(void *p, size_t n, uint64_t seed)
{
	unsigned char *c = p;
	size_t off;

	if (n <= PATTERN_HEAD) {
		pattern_fill(p, n, seed);
		return;
	}
	for (off = 0; off < PATTERN_HEAD; off += 8)
		fill_word(c, off, seed);
	for (off = PATTERN_PAGE; off + 8 <= n; off += PATTERN_PAGE)
		fill_word(c, off, seed);
	fill_word(c, (n - 8) & ~(size_t)7, seed);
}

size_t pattern_bad_sparse(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *c = p;
	size_t off;

	if (n <= PATTERN_HEAD)
		return pattern_bad(p, n, seed);
	for (off = 0; off < PATTERN_HEAD; off += 8)
		if (!word_ok(c, off, seed))
			return bad_in_word(c, off, seed);
	for (off = PATTERN_PAGE; off + 8 <= n; off += PATTERN_PAGE)
		if (!word_ok(c, off, seed))
			return bad_in_word(c, off, seed);
	off = (n - 8) & ~(size_t)7;
	return word_ok(c, off, seed) ? PATTERN_OK : bad_in_word(c, off, seed);
}

size_t nonzero_at(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, c + i, 8);
		if (v)
			break;
	}
	for (; i < n; i++)
		if (c[i])
			return i;
	return PATTERN_OK;
}
