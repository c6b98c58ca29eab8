/*
 * tests/support/check.c - the failure report behind CHECK and fail()
 * (see check.h for why a failure ends the process at once).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

/* Appends to buf at *len, never past size - 2 (room for the newline). */
static void put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size - 2)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - 1 - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < size - 1 - *len ? (size_t)n : size - 2 - *len;
}

void check_failed(const char *file, int line, const char *cond,
		  const char *fmt, ...)
{
	char buf[2048], msg[1536];
	size_t len = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put(buf, sizeof(buf), &len, "%s: %s:%d: ",
	    program_invocation_short_name, file, line);
	if (cond)
		put(buf, sizeof(buf), &len, "check failed: %s%s", cond,
		    msg[0] ? ": " : "");
	put(buf, sizeof(buf), &len, "%s", msg);
	buf[len++] = '\n';
	if (syscall(SYS_write, 2, buf, len) < 0)
		_exit(3);
	_exit(1);
}
