/*
 * report.c - the library's messages: one line each, built in a buffer on
 * the stack and written with write(2), never through stdio (which
 * allocates and takes locks).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

size_t fmt_u64(char *buf, uint64_t v, bool hex)
{
	char tmp[24];
	size_t n = 0, len = 0;
	unsigned base = hex ? 16 : 10;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (hex) {
		buf[len++] = '0';
		buf[len++] = 'x';
	}
	while (n)
		buf[len++] = tmp[--n];
	return len;
}

static size_t put(char *buf, size_t len, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n > cap - len)
		n = cap - len;
	memcpy(buf + len, s, n);
	return len + n;
}

/* Writes "<prefix><text> <value>\n" on stderr. */
void report_line(const char *prefix, const char *text, uintptr_t value, bool hex)
{
	char buf[256];
	size_t len = put(buf, 0, sizeof(buf) - 32, prefix);
	len = put(buf, len, sizeof(buf) - 32, text);
	buf[len++] = ' ';
	len += fmt_u64(buf + len, value, hex);
	buf[len++] = '\n';
	os_write_stderr(buf, len);
}

/*
 * "buddymalloc: free(): invalid pointer 0x..." and abort(), unless the
 * invalid_free option says warn: then the call is ignored.
 */
void report_invalid(const char *fn, const char *what, const void *p)
{
	char prefix[64];
	size_t len = put(prefix, 0, sizeof(prefix) - 1, "buddymalloc: ");
	len = put(prefix, len, sizeof(prefix) - 1, fn);
	len = put(prefix, len, sizeof(prefix) - 1, "(): ");
	prefix[len] = 0;
	report_line(prefix, what, (uintptr_t)p, true);
	if (opt.invalid_free == 0)
		abort();
}
