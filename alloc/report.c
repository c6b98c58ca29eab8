/*
 * report.c - the library's text output: one-line error reports and a
 * small buffered writer (struct out) for longer texts (the options help,
 * the statistics). Everything is formatted here, on the stack, and handed
 * to write(2) or to a sink the caller gives; never to stdio's printf,
 * which allocates and takes locks.
 */
#include <stdarg.h>
#include <string.h>

#include "os.h"
#include "report.h"

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

static void fd_sink(struct out *o, const char *s, size_t n)
{
	os_write((int)(intptr_t)o->arg, s, n);
}

void out_init_fd(struct out *o, int fd)
{
	o->len = 0;
	o->col = 0;
	o->sink = fd_sink;
	o->arg = (void *)(intptr_t)fd;
}

void out_init_stderr(struct out *o)
{
	out_init_fd(o, 2);
}

void out_flush(struct out *o)
{
	if (o->len)
		o->sink(o, o->buf, o->len);
	o->len = 0;
}

void out_mem(struct out *o, const char *s, size_t n)
{
	while (n) {
		size_t room = sizeof(o->buf) - o->len, k = n < room ? n : room;
		memcpy(o->buf + o->len, s, k);
		for (size_t i = 0; i < k; i++)
			o->col = s[i] == '\n' ? 0 : o->col + 1;
		o->len += k;
		s += k;
		n -= k;
		if (o->len == sizeof(o->buf))
			out_flush(o);
	}
}

void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

void out_u64(struct out *o, uint64_t v)
{
	char buf[24];
	out_mem(o, buf, fmt_u64(buf, v, false));
}

void out_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		out_str(o, "-");
		v = -v;
	}
	out_u64(o, (uint64_t)v);
}

void out_hex(struct out *o, uint64_t v)
{
	char buf[24];
	out_mem(o, buf, fmt_u64(buf, v, true));
}

/* Spaces up to column `col` (at least one). */
void out_pad(struct out *o, size_t col)
{
	do
		out_mem(o, " ", 1);
	while (o->col < col);
}

/* Writes "<prefix><text> <value>\n" on stderr. */
void report_line(const char *prefix, const char *text, uintptr_t value, bool hex)
{
	struct out o;
	out_init_stderr(&o);
	out_str(&o, prefix);
	out_str(&o, text);
	out_str(&o, " ");
	if (hex)
		out_hex(&o, value);
	else
		out_u64(&o, value);
	out_str(&o, "\n");
	out_flush(&o);
}

/*
 * One line on stderr from a format of the few directives the library's
 * reports need: %s a string, %u and %x a uint64_t in decimal and in hex
 * (0x...). Formatted on the stack, written with one raw system call.
 */
void report_fmt(const char *fmt, ...)
{
	struct out o;
	va_list ap;
	out_init_stderr(&o);
	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%' || !f[1]) {
			out_mem(&o, f, 1);
			continue;
		}
		switch (*++f) {
		case 's': out_str(&o, va_arg(ap, const char *)); break;
		case 'u': out_u64(&o, va_arg(ap, uint64_t)); break;
		case 'x': out_hex(&o, va_arg(ap, uint64_t)); break;
		default: out_mem(&o, f - 1, 2); break;
		}
	}
	va_end(ap);
	out_flush(&o);
}

/* The stacks that go with a report, from prof/debug.c when the profiler
 * is linked in (the library; the unit tests link alloc/ alone). */
void prof_report_stacks(struct out *o, const void *p) __attribute__((weak));

/* "buddymalloc: free(): invalid pointer 0x..." on stderr, and the call's
 * stack, one frame a line, when the profiler is linked in. */
void report_invalid(const char *fn, const char *what, const void *p)
{
	struct out o;
	out_init_stderr(&o);
	out_str(&o, "buddymalloc: ");
	out_str(&o, fn);
	out_str(&o, "(): ");
	out_str(&o, what);
	out_str(&o, " ");
	out_hex(&o, (uintptr_t)p);
	out_str(&o, "\n");
	if (prof_report_stacks)
		prof_report_stacks(&o, p);
	out_flush(&o);
}

/*
 * A file name from a pattern: "%p" becomes the process id, "%%" a "%", so
 * that a forked child never writes over its parent's file. False when the
 * name does not fit in cap bytes or the pattern has another "%" sequence.
 */
bool fmt_path(char *out, size_t cap, const char *pattern, uint64_t pid)
{
	size_t n = 0;
	for (const char *p = pattern; *p; p++) {
		char num[24];
		const char *add = p;
		size_t len = 1;
		if (*p == '%') {
			p++;
			if (*p == 'p') {
				add = num;
				len = fmt_u64(num, pid, false);
			} else if (*p != '%') {
				return false;
			}
		}
		if (n + len >= cap)
			return false;
		memcpy(out + n, add, len);
		n += len;
	}
	out[n] = 0;
	return true;
}
