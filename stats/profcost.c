/*
 * profcost.c - buddystat's profiling-cost mode: the profile directory, the
 * profiled runs' environment, and reading what their profiles say.
 *
 * A run of NAME+prof gets prof=1,prof_file=DIR/rRUN appended to
 * BUDDYMALLOC_OPTIONS (later options win over the user's, anything else
 * the user set, a prof_sample say, stays), so each of its processes
 * writes DIR/rRUN.PID.SEQ.heap.  Profiles of one process are cumulative,
 * so only the last one (highest SEQ) of each process counts; the figures
 * of a run are summed over its processes.
 *
 * Invariant: after profcost_collect(run), no file of that run is left;
 * after profcost_close(), no directory.  Part of buddystat (not preloaded,
 * allocates freely); no locks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profcost.h"

#define PROF_FILE_MAX 255       /* the library's limit on prof_file */

const char *const prof_value_names[NR_PROF_VALUES] = {
	[PV_PROFILES] = "profiles",
	[PV_STACKS] = "stacks",
	[PV_ALLOC_BYTES] = "alloc_bytes",
	[PV_LIVE_BYTES] = "live_bytes",
};

static char dir[PATH_MAX];

int profcost_open(void)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(dir, sizeof(dir), "%s/buddystat-prof.XXXXXX", tmp) >= (int)sizeof(dir) ||
	    strlen(dir) + 16 > PROF_FILE_MAX || strchr(dir, ',')) {
		fprintf(stderr, "buddystat: TMPDIR %s is too long or has a comma, "
			"which a prof_file cannot\n", tmp);
		dir[0] = 0;
		return -1;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "buddystat: mkdtemp %s: %s\n", dir, strerror(errno));
		dir[0] = 0;
		return -1;
	}
	return 0;
}

void profcost_child_env(int run)
{
	const char *old = getenv("BUDDYMALLOC_OPTIONS");
	char *v;

	if (asprintf(&v, "%s%sprof=1,prof_file=%s/r%d", old ? old : "",
		     old && *old ? "," : "", dir, run) < 0)
		return;
	setenv("BUDDYMALLOC_OPTIONS", v, 1);
	free(v);
}

/* "rRUN.PID.SEQ.heap": 1 and PID, SEQ when NAME is a profile of RUN. */
static int parse_name(const char *name, int run, long *pid, long *seq)
{
	char tail[8];
	int r, n = 0;

	if (sscanf(name, "r%d.%ld.%ld.%5s%n", &r, pid, seq, tail, &n) != 4)
		return 0;
	return r == run && strcmp(tail, "heap") == 0 && name[n] == 0;
}

/* Adds one profile's figures to v: its header's totals, its stack lines. */
static void read_profile(const char *path, double v[NR_PROF_VALUES])
{
	double ln, lb, tn, tb;
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (fgets(line, sizeof(line), f) &&
	    sscanf(line, "heap profile: %lf: %lf [%lf: %lf]", &ln, &lb, &tn, &tb) == 4) {
		v[PV_PROFILES] += 1;
		v[PV_LIVE_BYTES] += lb;
		v[PV_ALLOC_BYTES] += tb;
		/* a stack line can be longer than the buffer: count line starts */
		int at_start = 1, c;

		while ((c = getc(f)) != EOF) {
			if (at_start && (c == '\n' || c == 'M'))
				break;          /* the blank line before MAPPED_LIBRARIES */
			if (at_start && c >= '0' && c <= '9')
				v[PV_STACKS] += 1;
			at_start = c == '\n';
		}
	}
	fclose(f);
}

struct last { long pid, seq; char name[64]; };

/* The last profile of each process of RUN; every file of RUN removed. */
void profcost_collect(int run, double v[NR_PROF_VALUES])
{
	struct last *last = NULL;
	size_t n = 0, i;
	struct dirent *e;
	char path[PATH_MAX + 64];
	DIR *d;

	memset(v, 0, sizeof(double) * NR_PROF_VALUES);
	if (!dir[0] || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)) != NULL) {
		long pid, seq;

		if (!parse_name(e->d_name, run, &pid, &seq) || strlen(e->d_name) >= 64)
			continue;
		for (i = 0; i < n && last[i].pid != pid; i++)
			;
		if (i == n) {
			struct last *grown = realloc(last, sizeof(*last) * (n + 1));

			if (!grown)
				break;
			last = grown;
			last[n++] = (struct last){ pid, -1, "" };
		}
		if (seq > last[i].seq) {
			last[i].seq = seq;
			strcpy(last[i].name, e->d_name);
		}
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, last[i].name);
		read_profile(path, v);
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		long pid, seq;

		if (parse_name(e->d_name, run, &pid, &seq))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	free(last);
}

void profcost_close(void)
{
	struct dirent *e;
	DIR *d;

	if (!dir[0])
		return;
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(dir);
	dir[0] = 0;
}
