/*
 * base.h - the geometry of the heap and the few helpers every file uses.
 *
 * Layer 0: includes nothing of ours. The numbers here are the kernel's
 * (4 KiB pages, orders 0..10, 4 MiB sections) and the slab limits.
 */
#ifndef BUDDY_BASE_H
#define BUDDY_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		((size_t)1 << PAGE_SHIFT)
#define MAX_ORDER		11			/* orders 0..10 */
#define SECTION_SHIFT		(PAGE_SHIFT + MAX_ORDER - 1)	/* 4 MiB */
#define SECTION_SIZE		((size_t)1 << SECTION_SHIFT)
#define PAGES_PER_SECTION	((size_t)1 << (MAX_ORDER - 1))
#define ADDRESS_BITS		47			/* x86-64 user space */

#define SLAB_MAX		32768			/* largest slab object */
#define NR_CLASSES		40
#define SLAB_MAX_ORDER		5
#define PCP_MAX_ORDER		5			/* page caches hold orders 0..5 */
#define MIN_ALIGN		16

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

/* Build switches are constants, so both branches always compile. */
#ifdef BUDDY_DEBUG
static const bool debug_checks = true;
#else
static const bool debug_checks = false;
#endif

static inline size_t align_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

/* The smallest order whose block holds npages. */
static inline unsigned order_of_pages(size_t npages)
{
	return npages <= 1 ? 0 : 64 - __builtin_clzl(npages - 1);
}

/* Whole pages holding `bytes`; SIZE_MAX ("never") stays SIZE_MAX. */
static inline size_t pages_of(size_t bytes)
{
	return bytes == SIZE_MAX ? SIZE_MAX : align_up(bytes, PAGE_SIZE) >> PAGE_SHIFT;
}

#endif
