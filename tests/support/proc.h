/*
 * tests/support/proc.h - the one reader of what the kernel says about this
 * process: resident and virtual size (/proc/self/statm), page faults
 * (getrusage), where the heap began (/proc/self/stat) and the mappings
 * (/proc/self/maps). Every reader uses open/read into a buffer on the
 * stack: no stdio, no allocation, so it may run between a measurement's
 * two mallocs, in forked children and under any allocator.
 * A reader that cannot read returns -1 (or 0 for an address).
 */
#ifndef SUPPORT_PROC_H
#define SUPPORT_PROC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

long proc_rss_kib(void);		/* resident set now, KiB */
long proc_vm_kib(void);			/* virtual size now, KiB */
long proc_minflt(void);			/* minor page faults so far */
long proc_majflt(void);			/* major page faults so far */
uintptr_t proc_brk_start(void);		/* start_brk: field 47 of stat */

/* One line of /proc/self/maps. */
struct proc_map {
	uintptr_t start, end;
	int anon;			/* no file and no [name] */
	char name[256];			/* path, "[heap]", "[stack]" or "" */
};

/* The mapping that holds address p: 1 and *m, or 0 (-1 if unreadable). */
int proc_map_of(const void *p, struct proc_map *m);
/* 1 if some mapping's name contains needle, 0 if none, -1 if unreadable. */
int proc_maps_name(const char *needle);

#ifdef __cplusplus
}
#endif

#endif
