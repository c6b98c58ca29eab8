/*
 * freelist.h - the links kept inside free slab objects, protected.
 *
 * A free object's first word links it to the next one on its slab's local
 * free list or remote list. It is stored encoded, never as a plain
 * pointer:
 *
 *     stored = (next ^ slot) * heap.link_keys.mul        (mod 2^64)
 *
 * where slot is the word's own address and mul a random odd number drawn
 * once per process (AT_RANDOM, at start-up). Decoding multiplies by its inverse, so a
 * change of even one byte of the stored word scatters into the high bits
 * of the decoded value, and a value written by the program (an address,
 * zero) decodes to noise. Every decoded link is checked before use:
 * x = next ^ slot must be a non-zero multiple of 16 below the slab's size
 * (next lies in the same slab, which is a buddy block aligned to its
 * size, on a 16-byte boundary, and is not the object itself), or next is
 * the end of the list. A link can decode inside the slab only if this
 * library wrote it (or by a chance of about 2^-40 per corrupted link), so
 * it leads to the start of a free object; the debug build also checks
 * every popped object's free key (slab.h). A bad link prints one line
 * (the slab, its size class, the slot) and aborts: a write after free or
 * an overflow into a free neighbour never steers malloc.
 *
 * Cost on the fast path: per pop a multiply and six simple instructions
 * (rotate, decrement, shift, test, branch, xor); per push a multiply and
 * an xor. Layer 1, under slab.h: over section and sizeclass.
 */
#ifndef BUDDY_FREELIST_H
#define BUDDY_FREELIST_H

#include "types.h"

void freelist_init(const unsigned char *random16);	/* start-up */
__attribute__((noreturn, cold, noinline))
void freelist_corrupt(const struct slab *s, const void *slot, const char *what);

/* The word to store at slot for a link to next (NULL: end of list). */
static inline void *freelist_link(void *const *slot, const void *next)
{
	return (void *)(((uintptr_t)next ^ (uintptr_t)slot) * heap.link_keys.mul);
}

/* The next object after o on a list of slab s, checked. */
static inline void **freelist_next(const struct slab *s, void *const *o)
{
	uintptr_t x = (uintptr_t)o[0] * heap.link_keys.inv;
	uintptr_t r = ((x >> 4) | (x << 60)) - 1;	/* low bits to the top; 0 wraps */
	if (unlikely(r >> (PAGE_SHIFT - 4 + s->order)) && x != (uintptr_t)o)
		freelist_corrupt(s, o, "bad link");
	return (void **)(x ^ (uintptr_t)o);
}

#endif
