/*
 * prof/internal.h - what the files of prof/ share (see prof.h for the
 * map). The stack table and the sample set live in memory mapped for the
 * profiler alone (os_map), never in blocks of the program's heap.
 *
 * Lock: prof_lock guards the stack table, the sample set and every
 * counter in struct pstack; innermost of all the library's locks.
 */
#ifndef BUDDY_PROF_INTERNAL_H
#define BUDDY_PROF_INTERNAL_H

#include "../alloc/alloc.h"
#include "../alloc/os.h"
#include "../alloc/report.h"
#include "prof.h"

#define PROF_MAX_DEPTH	128	/* prof_depth's maximum */

enum prof_state { PROF_UNDECIDED, PROF_OFF, PROF_ON };

/* One distinct allocation stack and what its sampled blocks weigh. The
 * counts are estimates of the truth: each sample adds its weight. */
struct pstack {
	struct pstack *next;	/* hash chain */
	struct pstack *all;	/* every stack, newest first */
	uint64_t hash;
	double live_n, live_b;	/* blocks and bytes alive now */
	double tot_n, tot_b;	/* ever allocated */
	uint32_t depth;
	uintptr_t pc[];		/* return addresses, innermost first */
};

/* A sampled block: in the sample set from malloc until free (or, with
 * debug_stacks, until it leaves the quarantine). */
struct psample {
	uintptr_t addr;
	struct pstack *st;	/* where it was allocated */
	struct pstack *freed_by;	/* debug_stacks: its first free, or NULL */
	double w;		/* blocks this sample stands for */
	size_t size;
	struct psample *next;	/* the set's chain */
	struct psample *qnext;	/* the quarantine, oldest first */
};

/* prof.c */
extern struct lock prof_lock;
extern _Atomic int prof_state;
extern size_t prof_rate;		/* mean bytes between samples; 1: every block */
extern struct pstack *prof_stacks;	/* the `all` list; read under prof_lock */
void prof_enable(size_t rate);
void prof_fork_child(void);
struct pstack *__stack_get(const uintptr_t *pc, unsigned depth);
struct psample *__sample_find(uintptr_t a);
void __sample_remove(struct psample *e);
unsigned prof_capture(uintptr_t *pc, unsigned max);

/* debug.c: debug_stacks' quarantine and the stacks of error reports */
bool debug_free(void *p, bool quarantine);

/* stack.c */
unsigned stack_capture(uintptr_t *out, unsigned max);
void stack_init(void);

/* symbol.c: for reports; no allocation, no lock of ours */
struct sym {
	char module[256];	/* the file's path */
	uintptr_t offset;	/* of the address in the module (its ELF address) */
	char name[128];		/* the function, or "" */
};
bool sym_lookup(uintptr_t pc, struct sym *s);
void sym_print_frame(struct out *o, unsigned index, uintptr_t pc);

/* dump.c */
enum { PROF_DUMP_NONE, PROF_DUMP_EXIT, PROF_DUMP_SIGNAL, PROF_DUMP_BOTH };	/* prof_dump_on */
int prof_err_fd(void);
bool prof_write_profile(char *path, size_t cap, bool try);

/* signal.c: dumps asked for by a signal */
extern _Atomic int prof_dump_pending;
void prof_signal_install(int sig);
void prof_dump_pending_run(void);
static inline void prof_after_unlock(void)
{
	if (__builtin_expect(atomic_load_explicit(&prof_dump_pending, memory_order_relaxed) != 0, 0))
		prof_dump_pending_run();
}

#endif
