/*
 * hooks.h - one byte that says whether a call of the exported API must
 * leave the inline paths (hooks.c): the checking mode undecided or on
 * (alloc/canary.c), perturb set (M_PERTURB), the profiler undecided or on
 * (prof/). With all of them off, malloc and free test this byte, and
 * nothing else, before their inline paths: one load and one predictable
 * branch.
 *
 * Invariant: a bit is set whenever its cause may hold. The byte starts
 * with every cause that is decided at start-up set (HOOK_START), and is
 * recomputed, under hooks_lock, whenever a cause changes: the first call
 * (start-up and the checking mode's decision), the profiler's start and a
 * fork child's stop, mallopt. Layer 9, beside api.c.
 */
#ifndef BUDDY_HOOKS_H
#define BUDDY_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	HOOK_CHECK = 1,		/* canary.c: the checking mode */
	HOOK_PERTURB = 2,	/* opt.perturb */
	HOOK_PROF = 4,		/* prof/: sampling, leak report, debug stacks */
	HOOK_START = 8,		/* nothing decided yet: the first call starts us */
};

extern uint8_t api_hooks;

void hooks_update(void);	/* recompute api_hooks from its causes */

void *malloc_hooked(size_t n);
void *calloc_hooked(size_t n);
void *memalign_hooked(size_t align, size_t n);
void free_hooked(void *p);
void *realloc_hooked(void *p, size_t n);
size_t usable_hooked(void *p);

#endif
