/*
 * prof.c - which allocations are sampled, what each one weighs, and where
 * the profiler keeps them.
 *
 * Sampling is by bytes: each thread draws an exponentially distributed gap
 * (mean prof_rate bytes) and counts its allocations down through it; the
 * allocation that takes the count below zero is sampled, and a new gap is
 * drawn. A block of n bytes is then sampled with probability
 * 1 - exp(-n/rate), so it stands for 1/(1 - exp(-n/rate)) blocks of its
 * stack: that weight is added when it is sampled and taken away when it is
 * freed, and the profile's totals estimate the real ones. prof_rate 1
 * samples every allocation with weight 1: exact counts.
 *
 * The sample set maps a sampled block's address to its stack and weight
 * (chained hash). free() looks there only when the block's slab, run or
 * chunk carries the sampled mark (alloc/classify.h), set here before
 * malloc returns a sampled block; the lookup itself takes prof_lock.
 *
 * Invariants: the mark of a slab, run or chunk counts its blocks in the
 * set (unless it saturated);
 * a block enters the set before malloc returns it and leaves before free
 * gives it back, so no other thread can be handed the same address while
 * its record is in the set. Lock: prof_lock, innermost (prof/internal.h).
 */
#include <math.h>
#include <string.h>

#include "internal.h"

#define STACK_BUCKETS	(1u << 14)
#define SET_BITS	18
#define ARENA_CHUNK	((size_t)1 << 20)

__thread int64_t prof_left;
static __thread uint64_t tls_rng;
static __thread bool tls_started;
static __thread bool tls_busy;	/* inside the sampler: nested calls pass through */

_Atomic int prof_state;
struct lock prof_lock = LOCK_INIT;
size_t prof_rate = 1;
struct pstack *prof_stacks;

static struct pstack *stack_bucket[STACK_BUCKETS];
static struct psample **sample_set;	/* 1 << SET_BITS chains, mapped on enable */
static struct psample *sample_free;
static uintptr_t arena_cur, arena_end;
static _Atomic uint64_t seed_counter;

static inline unsigned set_index(uintptr_t p)
{
	return (unsigned)(((p >> 4) * 0x9e3779b97f4a7c15ull) >> (64 - SET_BITS));
}

/* caller holds prof_lock; zeroed memory that is never given back */
static void *__arena_alloc(size_t size)
{
	size = align_up(size, 16);
	if (arena_end - arena_cur < size) {
		size_t len = size > ARENA_CHUNK ? align_up(size, PAGE_SIZE) : ARENA_CHUNK;
		void *p = os_map(len);
		if (!p)
			return NULL;
		arena_cur = (uintptr_t)p;
		arena_end = arena_cur + len;
	}
	void *p = (void *)arena_cur;
	arena_cur += size;
	return p;
}

void prof_enable(size_t rate)
{
	sample_set = os_map(sizeof(*sample_set) << SET_BITS);
	if (!sample_set) {
		atomic_store(&prof_state, PROF_OFF);
		return;
	}
	prof_rate = rate ? rate : 1;
	atomic_store_explicit(&prof_state, PROF_ON, memory_order_release);
}

/* xorshift64*: the thread's own stream; prof_seed fixes every stream. */
static uint64_t rng_next(void)
{
	uint64_t x = tls_rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	tls_rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* splitmix64's finaliser: nearby seeds give unrelated streams */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The n-th thread to sample gets stream n of the seed. */
static void rng_seed(void)
{
	uint64_t k = atomic_fetch_add(&seed_counter, 1) + 1;
	uint64_t s = opt.prof_seed ? opt.prof_seed : (uint64_t)(uintptr_t)&tls_rng ^ os_now_ms();
	tls_rng = mix(mix(s) + k * 0x9e3779b97f4a7c15ull);
	if (!tls_rng)
		tls_rng = 1;
}

/* The next gap: exponential with mean prof_rate bytes (0 in exact mode). */
static int64_t next_gap(void)
{
	if (prof_rate <= 1)
		return 0;
	double u = (double)((rng_next() >> 11) + 1) * 0x1.0p-53;	/* (0, 1] */
	double g = -log(u) * (double)prof_rate;
	return g >= 0x1.0p62 ? INT64_MAX / 2 : (int64_t)g;
}

/* The blocks one sample of n bytes stands for. */
static double weight_of(size_t n)
{
	if (prof_rate <= 1)
		return 1.0;
	return 1.0 / -expm1(-(double)n / (double)prof_rate);
}

static uint64_t stack_hash(const uintptr_t *pc, unsigned depth)
{
	uint64_t h = 0xcbf29ce484222325ull ^ depth;
	for (unsigned i = 0; i < depth; i++)
		h = (h ^ pc[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* caller holds prof_lock */
struct pstack *__stack_get(const uintptr_t *pc, unsigned depth)
{
	uint64_t h = stack_hash(pc, depth);
	struct pstack **b = &stack_bucket[h & (STACK_BUCKETS - 1)];
	for (struct pstack *s = *b; s; s = s->next)
		if (s->hash == h && s->depth == depth &&
		    memcmp(s->pc, pc, depth * sizeof(*pc)) == 0)
			return s;
	struct pstack *s = __arena_alloc(sizeof(*s) + depth * sizeof(*pc));
	if (!s)
		return NULL;
	s->hash = h;
	s->depth = depth;
	memcpy(s->pc, pc, depth * sizeof(*pc));
	s->next = *b;
	*b = s;
	s->all = prof_stacks;
	prof_stacks = s;
	return s;
}

static void record(void *p, size_t n, const uintptr_t *pc, unsigned depth)
{
	double w = weight_of(n);
	lock_acquire(&prof_lock);
	struct pstack *s = __stack_get(pc, depth);
	struct psample *e = sample_free;
	if (e)
		sample_free = e->next;
	else
		e = __arena_alloc(sizeof(*e));
	if (s && e) {
		memset(e, 0, sizeof(*e));
		s->live_n += w;
		s->live_b += w * (double)n;
		s->tot_n += w;
		s->tot_b += w * (double)n;
		e->addr = (uintptr_t)p;
		e->st = s;
		e->w = w;
		e->size = n;
		unsigned i = set_index(e->addr);
		e->next = sample_set[i];
		sample_set[i] = e;
		ptr_count_sampled(p, 1);
	} else if (e) {
		e->next = sample_free;
		sample_free = e;
	}
	lock_release(&prof_lock);
	prof_after_unlock();
}

/* The countdown went below zero (prof.h). */
void prof_sample_slow(void *p, size_t n)
{
	int state = atomic_load_explicit(&prof_state, memory_order_acquire);
	if (state != PROF_ON) {
		if (state == PROF_OFF)
			prof_left = INT64_MAX;	/* never again on this thread */
		return;
	}
	if (tls_busy || !n)
		return;
	if (!tls_started) {
		tls_started = true;
		rng_seed();
		prof_left = next_gap() - (int64_t)n;
		if (prof_left >= 0)
			return;
	}
	prof_left = next_gap();
	if (!p)
		return;
	int saved = errno;
	uintptr_t pc[PROF_MAX_DEPTH];
	tls_busy = true;
	unsigned depth = stack_capture(pc, (unsigned)opt.prof_depth);
	record(p, n, pc, depth);
	tls_busy = false;
	errno = saved;
}

/* caller holds prof_lock: the record of sampled block a, or NULL */
struct psample *__sample_find(uintptr_t a)
{
	struct psample *e = sample_set[set_index(a)];
	while (e && e->addr != a)
		e = e->next;
	return e;
}

/* caller holds prof_lock: takes e out of the set and recycles it; its
 * weight leaves its stack unless it left already (a freed record) */
void __sample_remove(struct psample *e)
{
	struct psample **pp = &sample_set[set_index(e->addr)];
	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	ptr_count_sampled((void *)e->addr, -1);	/* still live: freed after this */
	if (!e->freed_by) {
		e->st->live_n -= e->w;
		e->st->live_b -= e->w * (double)e->size;
	}
	memset(e, 0, sizeof(*e));
	e->next = sample_free;
	sample_free = e;
}

bool prof_wanted(void)
{
	return atomic_load_explicit(&prof_state, memory_order_relaxed) != PROF_OFF;
}

/* A stack of the program's, taken behind the recursion guard. */
unsigned prof_capture(uintptr_t *pc, unsigned max)
{
	bool was = tls_busy;
	tls_busy = true;
	unsigned depth = stack_capture(pc, max);
	tls_busy = was;
	return depth;
}

/*
 * p is about to be freed (quarantine: by free, else by realloc). True
 * when the caller must leave p alone: debug_stacks keeps it in its
 * quarantine, or reported it freed already.
 */
bool prof_free_slow(void *p, bool quarantine)
{
	uintptr_t a = (uintptr_t)p;
	if (atomic_load_explicit(&prof_state, memory_order_acquire) != PROF_ON)
		return false;	/* a fork child that stopped: the set is torn */
	if (opt.debug_stacks)
		return debug_free(p, quarantine);
	lock_acquire(&prof_lock);
	struct psample *e = __sample_find(a);
	if (e)
		__sample_remove(e);
	lock_release(&prof_lock);
	prof_after_unlock();
	return false;
}

/*
 * In the child of a fork. A thread that does not exist here may have held
 * prof_lock in the middle of an update: then the tables cannot be trusted,
 * and the child stops profiling (frees then skip the set altogether).
 */
void prof_fork_child(void)
{
	if (lock_is_held(&prof_lock)) {
		atomic_store(&prof_state, PROF_OFF);
	}
	lock_init(&prof_lock);
}
