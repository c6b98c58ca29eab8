/*
 * options.h - the one table of tunables: name, type, default, range, unit
 * and a one-line doc. The environment parser, mallopt and the man page's
 * list are all driven from OPTION_LIST; nothing else declares a tunable.
 * Sizes and counts are size_t; a boolean is 0 or 1; a choice is the index
 * of its word in the `choices` string ("abort|warn": 0 or 1).
 */
#ifndef BUDDY_OPTIONS_H
#define BUDDY_OPTIONS_H

#include <stddef.h>

enum opt_type { OPT_SIZE, OPT_COUNT, OPT_BOOL, OPT_CHOICE };

/* X(name, type, default, min, max, unit or choices, doc) */
#define OPTION_LIST(X)							\
	X(mmap_threshold, OPT_SIZE, 128 << 10, 0, 32 << 20, "bytes",	\
	  "requests of at least this size get a mapping of their own")	\
	X(pcp_high, OPT_COUNT, 256, 0, 1 << 20, "pages",		\
	  "free pages a thread's page cache holds before it drains to the zone") \
	X(pcp_batch, OPT_COUNT, 64, 1, 1 << 16, "pages",		\
	  "pages moved between a page cache and its zone at a time")	\
	X(brk, OPT_BOOL, 1, 0, 1, "0|1",				\
	  "take memory from the program break before anonymous mappings") \
	X(invalid_free, OPT_CHOICE, 0, 0, 1, "abort|warn",		\
	  "what an invalid or double free does after printing its line")

struct options {
#define X(name, type, def, min, max, unit, doc) size_t name;
	OPTION_LIST(X)
#undef X
};

struct opt_def {
	const char *name;
	enum opt_type type;
	size_t def, min, max;
	const char *unit;	/* for OPT_CHOICE: the words, '|' between them */
	const char *doc;
	size_t offset;		/* of the value in struct options */
};

extern struct options opt;
extern const struct opt_def opt_table[];
extern const size_t opt_count;
void opt_init(char **envp);
int opt_set(const char *name, size_t namelen, const char *value, size_t valuelen);

#endif
