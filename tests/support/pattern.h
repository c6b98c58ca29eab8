/*
 * tests/support/pattern.h - the one byte-pattern scheme of tests/ and bench/.
 *
 * A block is described by a 64-bit seed. The byte at offset i is byte
 * (i % 8), in memory order, of pattern_word(seed, i - i % 8): it depends
 * only on the seed and the offset, so a copy (realloc) keeps it valid,
 * overlapping writes agree, and a checker recomputes it without knowing
 * who wrote it. Every word has its low bit set, so zeroed memory never
 * passes. pattern_seed() derives a seed from an address and a number of
 * the caller's (size, round, thread), so two live blocks never share one.
 *
 * The sparse form touches a block the way a real program does without
 * paying for every byte: its first PATTERN_HEAD bytes, one word in every
 * 4 KiB page and its last whole word (all of it when it is that small).
 */
#ifndef SUPPORT_PATTERN_H
#define SUPPORT_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rng.h"

#define PATTERN_HEAD 64
#define PATTERN_PAGE 4096
#define PATTERN_OK SIZE_MAX

static inline uint64_t pattern_word(uint64_t seed, size_t off)
{
	return (seed ^ (off * RNG_GOLDEN)) | 1;
}

static inline uint64_t pattern_seed(const void *p, uint64_t salt)
{
	return mix64((uintptr_t)p ^ mix64(salt));
}

static inline unsigned char pattern_byte(uint64_t seed, size_t i)
{
	uint64_t w = pattern_word(seed, i & ~(size_t)7);
	unsigned char b[8];

	memcpy(b, &w, 8);
	return b[i & 7];
}

/* Every byte of [p, p + n). */
void pattern_fill(void *p, size_t n, uint64_t seed);
/* Offset of the first byte of [p, p + n) that differs, or PATTERN_OK. */
size_t pattern_bad(const void *p, size_t n, uint64_t seed);

/* The sparse form (see above); same pattern, fewer bytes. */
void pattern_fill_sparse(void *p, size_t n, uint64_t seed);
size_t pattern_bad_sparse(const void *p, size_t n, uint64_t seed);

/* Offset of the first non-zero byte of [p, p + n), or PATTERN_OK. */
size_t nonzero_at(const void *p, size_t n);

#endif
