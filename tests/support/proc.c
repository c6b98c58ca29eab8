/*
 * tests/support/proc.c - the readers of proc.h. /proc files are read with
 * open/read; /proc/self/maps line by line through a small window, since
 * it may be longer than any buffer we would put on the stack.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "proc.h"

/* The whole of a small /proc file, NUL-ended; its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* Field 0 (size) or 1 (resident) of /proc/self/statm, in KiB. */
static long statm_kib(int field)
{
	char buf[256];
	long v[2];

	if (read_small("/proc/self/statm", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%ld %ld", &v[0], &v[1]) != 2)
		return -1;
	return v[field] * (sysconf(_SC_PAGESIZE) / 1024);
}

long proc_rss_kib(void)
{
	return statm_kib(1);
}

long proc_vm_kib(void)
{
	return statm_kib(0);
}

long proc_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : -1;
}

long proc_majflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_majflt : -1;
}

uintptr_t proc_brk_start(void)
{
	char buf[4096], *s;
	unsigned long long v = 0;
	int field;

	if (read_small("/proc/self/stat", buf, sizeof(buf)) < 0)
		return 0;
	s = strrchr(buf, ')');		/* the command name may hold spaces */
	if (!s)
		return 0;
	s += 2;				/* field 3 starts here */
	for (field = 3; field < 47 && s; field++) {
		s = strchr(s, ' ');
		if (s)
			s++;
	}
	if (!s || sscanf(s, "%llu", &v) != 1)
		return 0;
	return (uintptr_t)v;
}

/* Parses one maps line ("start-end perms offset dev inode   name"). */
static int parse_map(const char *line, struct proc_map *m)
{
	unsigned long long lo, hi;
	int name_at = 0;

	if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &lo, &hi,
		   &name_at) < 2 || name_at == 0)
		return 0;
	m->start = (uintptr_t)lo;
	m->end = (uintptr_t)hi;
	snprintf(m->name, sizeof(m->name), "%s", line + name_at);
	m->anon = m->name[0] == 0;
	return 1;
}

/*
 * Calls fn(map, arg) for each line of /proc/self/maps until it returns
 * nonzero; returns that value, 0 at the end, -1 if unreadable.
 */
static int each_map(int (*fn)(const struct proc_map *, const void *),
		    const void *arg)
{
	char buf[8192], *nl;
	size_t have = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), r = 0;
	struct proc_map m;

	if (fd < 0)
		return -1;
	while (!r && (n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *line = buf;

		have += (size_t)n;
		buf[have] = 0;
		while (!r && (nl = strchr(line, '\n'))) {
			*nl = 0;
			if (parse_map(line, &m))
				r = fn(&m, arg);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)	/* a line longer than buf */
			have = 0;
	}
	close(fd);
	return r;
}

struct find_addr {
	uintptr_t addr;
	struct proc_map *out;
};

static int holds_addr(const struct proc_map *m, const void *arg)
{
	const struct find_addr *f = arg;

	if (f->addr < m->start || f->addr >= m->end)
		return 0;
	*f->out = *m;
	return 1;
}

int proc_map_of(const void *p, struct proc_map *m)
{
	struct find_addr f = { (uintptr_t)p, m };

	return each_map(holds_addr, &f);
}

static int has_name(const struct proc_map *m, const void *needle)
{
	return strstr(m->name, needle) != NULL;
}

int proc_maps_name(const char *needle)
{
	return each_map(has_name, needle);
}
