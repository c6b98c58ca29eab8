/*
 * debug.c - debug_stacks: every block's allocation stack and its first
 * free, and the stacks printed with an invalid or double free.
 *
 * With debug_stacks=1 every allocation is sampled (prof.c, weight 1). A
 * free does not give a sampled block back at once: it records the stack
 * of the free and puts the block in a FIFO quarantine, bounded in blocks
 * and bytes; the oldest blocks leave it and are freed for real. A second
 * free (or a realloc) of a block in quarantine is a double free, reported
 * with both stacks; the block is not reused in between, so this is found
 * every time within the bound.
 *
 * Every invalid or double free, with or without debug_stacks, prints the
 * stack of the offending call (report.c calls prof_report_stacks).
 *
 * Lock: prof_lock, never held while unwinding, symbolising or freeing.
 */
#include "internal.h"

#define QUARANTINE_BLOCKS	4096
#define QUARANTINE_BYTES	((size_t)64 << 20)
#define EVICT_MAX		8	/* blocks one free may push out */

static struct psample *q_head, *q_tail;	/* oldest first */
static size_t q_blocks, q_bytes;

/* caller holds prof_lock: up to EVICT_MAX of the oldest blocks leave the
 * quarantine; their addresses go to out, to be freed without the lock. */
static unsigned __quarantine_push(struct psample *e, uintptr_t *out)
{
	unsigned n = 0;
	e->qnext = NULL;
	if (q_tail)
		q_tail->qnext = e;
	else
		q_head = e;
	q_tail = e;
	q_blocks++;
	q_bytes += e->size;
	while ((q_blocks > QUARANTINE_BLOCKS || q_bytes > QUARANTINE_BYTES) && n < EVICT_MAX) {
		struct psample *o = q_head;
		q_head = o->qnext;
		if (!q_head)
			q_tail = NULL;
		q_blocks--;
		q_bytes -= o->size;
		out[n++] = o->addr;
		__sample_remove(o);
	}
	return n;
}

/* prof.c's free hook with debug_stacks on; see prof_free_slow. */
bool debug_free(void *p, bool quarantine)
{
	uintptr_t pc[PROF_MAX_DEPTH], evict[EVICT_MAX];
	unsigned depth = prof_capture(pc, (unsigned)opt.prof_depth), n = 0;
	lock_acquire(&prof_lock);
	struct psample *e = __sample_find((uintptr_t)p);
	struct pstack *fs = e && !e->freed_by && quarantine ? __stack_get(pc, depth) : NULL;
	bool twice = e && e->freed_by;
	if (fs) {
		e->freed_by = fs;
		e->st->live_n -= e->w;
		e->st->live_b -= e->w * (double)e->size;
		n = __quarantine_push(e, evict);
	} else if (e && !twice) {
		__sample_remove(e);	/* realloc, or no memory for the stack */
	}
	lock_release(&prof_lock);
	for (unsigned i = 0; i < n; i++)
		ba_free((void *)evict[i], "free");
	if (twice)
		ptr_report_line(quarantine ? "free" : "realloc", "double free", p);
	return fs || twice;
}

static void print_stack(struct out *o, const char *title, const uintptr_t *pc, unsigned depth)
{
	out_str(o, title);
	for (unsigned i = 0; i < depth; i++)
		sym_print_frame(o, i, pc[i]);
}

/*
 * report.c, after its line about p: the stack of this call and, when
 * debug_stacks knows p, where it was allocated and first freed. Stacks in
 * the table are never changed or freed, so they are read after the lock.
 */
void prof_report_stacks(struct out *o, const void *p)
{
	uintptr_t pc[PROF_MAX_DEPTH];
	struct pstack *alloc = NULL, *freed = NULL;
	unsigned depth = prof_capture(pc, (unsigned)opt.prof_depth);
	print_stack(o, "", pc, depth);
	if (!opt.debug_stacks || atomic_load(&prof_state) != PROF_ON)
		return;
	lock_acquire(&prof_lock);
	struct psample *e = __sample_find((uintptr_t)p);
	if (e) {
		alloc = e->st;
		freed = e->freed_by;
	}
	lock_release(&prof_lock);
	if (alloc)
		print_stack(o, "  allocated at:\n", alloc->pc, alloc->depth);
	if (freed)
		print_stack(o, "  first freed at:\n", freed->pc, freed->depth);
}
