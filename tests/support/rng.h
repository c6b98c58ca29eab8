/*
 * tests/support/rng.h - the one random generator of tests/ and bench/:
 * xorshift64* with a state per user (per thread), seedable so that a
 * failure replays, and splitmix64's finaliser (mix64) to turn numbers that
 * are close (addresses, indices) into unrelated ones.
 *
 * Header-only on purpose: bench/ draws a number per allocation, so the
 * generator must inline into the caller. A state is never 0 (rng_seed).
 */
#ifndef SUPPORT_RNG_H
#define SUPPORT_RNG_H

#include <stddef.h>
#include <stdint.h>

#define RNG_GOLDEN 0x9E3779B97F4A7C15ull
#define RNG_STAR 0x2545F4914F6CDD1Dull

/* splitmix64's output function: a bijection that scatters every bit. */
static inline uint64_t mix64(uint64_t x)
{
	x += RNG_GOLDEN;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

struct rng {
	uint64_t s;
};

/* Two different seeds give two different sequences. */
static inline void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed * RNG_GOLDEN + RNG_STAR;
	if (r->s == 0)
		r->s = 1;
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * RNG_STAR;
}

/* Uniform in [0, n), n > 0: the high half of a 128-bit product, no modulo. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static inline size_t rng_range(struct rng *r, size_t lo, size_t hi)
{
	return lo + (size_t)rng_below(r, hi - lo + 1);
}

#endif
