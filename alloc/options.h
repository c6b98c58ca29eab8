/*
 * options.h - the one table of tunables. Each row: name, type, default,
 * minimum, maximum, unit (for a choice: its words), the mallopt parameter
 * (glibc's M_* from <malloc.h>, or ours from include/buddymalloc.h; 0: none), glibc's
 * environment variable and GLIBC_TUNABLES name (or NULL), and a one-line
 * doc. The environment parser, mallopt, BUDDYMALLOC_OPTIONS=help and the
 * man page's list all come from OPTION_LIST; nothing else declares a
 * tunable.
 *
 * Values are size_t. A boolean is 0 or 1; a choice is the index of its
 * word; a string (stats_file, prof_file) is kept in a static buffer of
 * its own. SIZE_MAX means "never" for trim_threshold (glibc's
 * mallopt(M_TRIM_THRESHOLD, -1)).
 */
#ifndef BUDDY_OPTIONS_H
#define BUDDY_OPTIONS_H

#include <limits.h>
#include <malloc.h>	/* glibc's mallopt parameters: M_MMAP_THRESHOLD, ... */

#include "../include/buddymalloc.h"
#include "base.h"

enum opt_type { OPT_SIZE, OPT_COUNT, OPT_BOOL, OPT_CHOICE, OPT_STRING };

#define KiB(n) ((size_t)(n) << 10)
#define MiB(n) ((size_t)(n) << 20)
#define GiB(n) ((size_t)(n) << 30)

/* X(name, type, default, min, max, unit, mallopt, glibc env, glibc tunable, doc) */
#define OPTION_LIST(X)								\
	X(mmap_threshold, OPT_SIZE, KiB(128), 0, MiB(32), "bytes", M_MMAP_THRESHOLD,		\
	  "MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold",		\
	  "requests of at least this size get a mapping of their own")		\
	X(trim_threshold, OPT_SIZE, KiB(128), 0, SIZE_MAX, "bytes", M_TRIM_THRESHOLD,	\
	  "MALLOC_TRIM_THRESHOLD_", "glibc.malloc.trim_threshold",		\
	  "free bytes at the top of the break that make it shrink (-1: never)") \
	X(top_pad, OPT_SIZE, KiB(128), 0, SIZE_MAX, "bytes", M_TOP_PAD,		\
	  "MALLOC_TOP_PAD_", "glibc.malloc.top_pad",				\
	  "free bytes kept at the top of the break when it shrinks")		\
	X(mmap_max, OPT_COUNT, 65536, 0, INT_MAX, "chunks", M_MMAP_MAX,		\
	  "MALLOC_MMAP_MAX_", "glibc.malloc.mmap_max",				\
	  "mapped chunks alive at once; beyond, requests come from the zones and the break (0: no mappings)") \
	X(perturb, OPT_COUNT, 0, 0, 255, "byte", M_PERTURB,				\
	  "MALLOC_PERTURB_", "glibc.malloc.perturb",				\
	  "non-zero: fill new blocks with its complement and freed ones with it") \
	X(check_action, OPT_COUNT, 3, 0, 7, "bits", M_CHECK_ACTION, NULL, NULL,		\
	  "glibc's M_CHECK_ACTION: with bit 1 (value 2) set an invalid free aborts, else it warns (as invalid_free)") \
	X(check, OPT_COUNT, 0, 0, 3, "level", 0, "MALLOC_CHECK_", "glibc.malloc.check", \
	  "1-3: a canary after every block, checked at free and realloc; exact usable sizes") \
	X(arena_max, OPT_COUNT, 0, 0, INT_MAX, "arenas", M_ARENA_MAX,		\
	  "MALLOC_ARENA_MAX", "glibc.malloc.arena_max",				\
	  "accepted for glibc's sake; threads have caches here, not arenas")	\
	X(arena_test, OPT_COUNT, 8, 1, INT_MAX, "arenas", M_ARENA_TEST,		\
	  "MALLOC_ARENA_TEST", "glibc.malloc.arena_test",			\
	  "accepted for glibc's sake; no arenas to test")			\
	X(mxfast, OPT_SIZE, 128, 0, 160, "bytes", M_MXFAST, NULL, "glibc.malloc.mxfast", \
	  "accepted for glibc's sake; every size up to 32 KiB has a slab class") \
	X(pcp_high, OPT_COUNT, 256, 0, 1 << 20, "pages", M_BUDDY_PCP_HIGH, NULL, NULL, \
	  "free pages a thread's page cache holds before it drains to the zone") \
	X(pcp_batch, OPT_COUNT, 64, 1, 1 << 16, "pages", M_BUDDY_PCP_BATCH, NULL, NULL, \
	  "pages moved between a page cache and its zone at a time")		\
	X(wmark_min, OPT_SIZE, MiB(1), 0, SIZE_MAX, "bytes", M_BUDDY_WMARK_MIN, NULL, NULL, \
	  "free resident bytes per zone that idle decay leaves in place")	\
	X(wmark_low, OPT_SIZE, MiB(32), 0, SIZE_MAX, "bytes", M_BUDDY_WMARK_LOW, NULL, NULL, \
	  "a zone past its high watermark gives pages back down to this")	\
	X(wmark_high, OPT_SIZE, MiB(64), 0, SIZE_MAX, "bytes", M_BUDDY_WMARK_HIGH, NULL, NULL, \
	  "free resident bytes per zone above which pages go back with madvise") \
	X(decay_ms, OPT_COUNT, 2000, 0, 3600000, "ms", M_BUDDY_DECAY_MS, NULL, NULL, \
	  "free memory unused for this long goes back to the OS (0: at once)")	\
	X(chunk_cache, OPT_SIZE, MiB(64), 0, SIZE_MAX, "bytes", M_BUDDY_CHUNK_CACHE, NULL, NULL, \
	  "bytes of freed mapped chunks kept mapped for reuse")		\
	X(slab_reserve, OPT_COUNT, 1, 0, 64, "slabs", M_BUDDY_SLAB_RESERVE, NULL, NULL, \
	  "empty slabs per size class a thread keeps before giving them back")	\
	X(background_reclaim, OPT_CHOICE, 0, 0, 2, "off|on|fork", 0, NULL, NULL,	\
	  "a thread of the library's own gives idle memory back (fork: in forked children too)") \
	X(brk, OPT_BOOL, 1, 0, 1, "0|1", M_BUDDY_BRK, NULL, NULL,		\
	  "take memory from the program break before anonymous mappings")	\
	X(invalid_free, OPT_CHOICE, 0, 0, 1, "abort|warn", M_BUDDY_INVALID_FREE, NULL, NULL, \
	  "what an invalid or double free does after printing its line")	\
	X(stats, OPT_CHOICE, 0, 0, 2, "none|text|json", 0, NULL, NULL,		\
	  "print the statistics when the program exits")			\
	X(stats_file, OPT_STRING, 0, 0, 0, "path", 0, NULL, NULL,		\
	  "where stats= writes (default: stderr); %p in it is the process id") \
	X(prof, OPT_BOOL, 0, 0, 1, "0|1", 0, NULL, NULL,			\
	  "sample allocations with their stacks and write a heap profile")	\
	X(prof_sample, OPT_SIZE, KiB(512), 1, GiB(1), "bytes", 0, NULL, NULL,	\
	  "mean bytes allocated between two samples; 1 records every block")	\
	X(prof_file, OPT_STRING, 0, 0, 0, "path", 0, NULL, NULL,		\
	  "profile files are PREFIX.PID.SEQ.heap (default: buddymalloc)")	\
	X(prof_dump_on, OPT_CHOICE, 1, 0, 3, "none|exit|signal|both", 0, NULL, NULL, \
	  "when a heap profile is written: at exit, on prof_signal, or both")	\
	X(prof_signal, OPT_COUNT, 12, 1, 64, "signal", 0, NULL, NULL,		\
	  "the signal that writes a profile (default SIGUSR2), if left at its default") \
	X(prof_depth, OPT_COUNT, 64, 1, 128, "frames", 0, NULL, NULL,		\
	  "frames kept of each sampled stack")					\
	X(prof_seed, OPT_COUNT, 0, 0, 0xffffffff, "seed", 0, NULL, NULL,	\
	  "fixed seed of the sampling gaps (0: a new one each run)")		\
	X(leak_report, OPT_CHOICE, 0, 0, 2, "none|text|error", 0, NULL, NULL,	\
	  "at exit, list the live blocks by stack; error: and exit 1 on a leak") \
	X(debug_stacks, OPT_BOOL, 0, 0, 1, "0|1", 0, NULL, NULL,		\
	  "keep every block's allocation stack and first free; freed blocks wait in a quarantine")

struct options {
#define X(name, type, def, min, max, unit, param, env, tunable, doc) size_t name;
	OPTION_LIST(X)
#undef X
};

struct opt_def {
	const char *name;
	enum opt_type type;
	size_t def, min, max;
	const char *unit;	/* for OPT_CHOICE: the words, '|' between them */
	int param;		/* mallopt */
	const char *env;	/* glibc's environment variable */
	const char *tunable;	/* glibc's GLIBC_TUNABLES name */
	const char *doc;
	size_t offset;		/* of the value in struct options */
};

extern struct options opt;
/* Derived from the table: the largest request a slab serves (SLAB_MAX, or
 * less when the mmap threshold is set below it). */
extern size_t opt_slab_limit;
extern bool opt_trim_explicit;	/* trim_threshold or top_pad was set by the user */
extern const struct opt_def opt_table[];
extern const size_t opt_count;
void opt_init(char **envp);
int opt_set(const char *name, size_t namelen, const char *value, size_t valuelen);
int opt_mallopt(int param, int value);
void opt_print_help(void);
const char *opt_string(size_t value);

#endif
