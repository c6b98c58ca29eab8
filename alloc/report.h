/*
 * report.h - the library's text output (report.c): one-line error reports
 * and a small buffered writer for longer texts. Layer 0: formats on the
 * stack and hands bytes to a sink; never stdio, never malloc.
 */
#ifndef BUDDY_REPORT_H
#define BUDDY_REPORT_H

#include "base.h"

struct out {
	char buf[1024];
	size_t len, col;
	void (*sink)(struct out *o, const char *s, size_t n);
	void *arg;
};
void out_init_stderr(struct out *o);
void out_init_fd(struct out *o, int fd);
void out_flush(struct out *o);
void out_mem(struct out *o, const char *s, size_t n);
void out_str(struct out *o, const char *s);
void out_u64(struct out *o, uint64_t v);
void out_i64(struct out *o, int64_t v);
void out_hex(struct out *o, uint64_t v);
void out_pad(struct out *o, size_t col);
size_t fmt_u64(char *buf, uint64_t v, bool hex);
bool fmt_path(char *out, size_t cap, const char *pattern, uint64_t pid);	/* %p: pid */

/* "buddymalloc: fn(): what 0x..." on stderr. */
void report_invalid(const char *fn, const char *what, const void *p);
/* One line on stderr: %s a string, %u / %x a uint64_t (decimal / hex). */
void report_fmt(const char *fmt, ...);
/* "<prefix><text> <value>" on stderr. */
void report_line(const char *prefix, const char *text, uintptr_t value, bool hex);

#endif
