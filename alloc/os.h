/*
 * os.h - the kernel's memory calls (os.c is the only file that makes
 * them). Layer 0. Each leaves errno as the caller had it and says failure
 * with NULL, 0 or false; the caller decides what the program sees.
 */
#ifndef BUDDY_OS_H
#define BUDDY_OS_H

#include "base.h"
#include "counters.h"

void *os_map(size_t len);
void *os_map_aligned(size_t len, size_t align);
void *os_reserve_aligned(size_t len, size_t align);	/* PROT_NONE, for os_remap_move */
void os_unmap(void *p, size_t len);
bool os_remap_inplace(void *p, size_t oldlen, size_t newlen);
bool os_remap_move(void *p, size_t oldlen, void *to, size_t newlen);
uintptr_t os_brk_align(uintptr_t *from);
bool os_brk_move(uintptr_t expect, intptr_t delta);
uintptr_t os_brk_top(void);
bool os_brk_blocked(size_t len);	/* a mapping, not a limit, stops the break */
void os_decommit(void *p, size_t len);
void os_decommit_inner(void *p, size_t len);	/* only whole pages inside */
uint64_t os_now_ms(void);
void os_counters(int64_t out[NR_OS_COUNTERS]);	/* heap.os, for the statistics */
void os_write(int fd, const char *s, size_t n);
void os_write_stderr(const char *s, size_t n);

#endif
