/*
 * tests/support/check.h - the one CHECK of every test program (unit, api,
 * stress, probes).
 *
 *   CHECK(cond)              fails the test when cond is false
 *   CHECK(cond, fmt, ...)    the same, with the values that matter
 *   fail(fmt, ...)           fails the test unconditionally
 *
 * A failure writes one line "prog: file:line: check failed: cond: message"
 * on stderr and ends the process with _exit(1): the first failed check is
 * the last. Tests here go on to use what they just checked (a pointer, a
 * size), run checks in threads and in forked children that report through
 * their exit status, so stopping is the one behaviour that is sound in all
 * of them. The line is written with write(2) from a buffer on the stack:
 * no lock and no allocation, so it works in a child forked from a threaded
 * process and while other threads are inside malloc.
 */
#ifndef SUPPORT_CHECK_H
#define SUPPORT_CHECK_H

/* CHECK(cond) passes "" as the message: an empty format is intended. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

void check_failed(const char *file, int line, const char *cond,
		  const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond))						\
			check_failed(__FILE__, __LINE__, #cond,		\
				     "" __VA_ARGS__);			\
	} while (0)

#define fail(...) check_failed(__FILE__, __LINE__, (const char *)0, __VA_ARGS__)

#endif
