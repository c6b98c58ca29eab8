/*
 * buddystat - run a command under one or more allocators and report what it
 * cost: wall, user and sys time, peak RSS, minor and major faults of the
 * whole process tree, as the median and spread over a number of runs.
 *
 *   buddystat [-a NAME[=LIB]]... [-P NAME | --prof-cost[=NAME]] [-n RUNS]
 *             [-W WARMUP] [-t SECS] [-w LABEL] [-f table|csv|json] [-o FILE]...
 *             [-l LOG] [-H] [-q] -- CMD [ARG]...
 *
 * Each allocator is one LD_PRELOAD (none for glibc, NAME without =LIB or
 * with an empty LIB).  Without -a, the command runs once under the current
 * environment.  Runs of different allocators are interleaved, so a drift in
 * the machine's speed is shared among them.  -P (profcost.c) adds the
 * allocator NAME+prof: NAME once more with libbuddymalloc's heap profiler
 * on, compared with NAME.
 *
 * Measuring: the command runs in its own process group; buddystat is a
 * child subreaper, so descendants that outlive their parent (daemons) are
 * reparented here and their rusage is added, and whatever is left when the
 * command exits is killed.  Times and faults are sums over the tree, peak
 * RSS the largest of any one process (that is what rusage can say).  The
 * figures come from wait4's rusage; wall time runs from fork to the
 * command's exit.
 *
 * This program is not preloaded with anything it measures; it allocates
 * freely.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "profcost.h"

enum format { FMT_TABLE, FMT_CSV, FMT_JSON };

enum metric { M_WALL, M_USER, M_SYS, M_RSS, M_MINFLT, M_MAJFLT, NR_METRICS };

static const struct {
	const char *csv;        /* column stem in CSV and key in JSON */
	const char *title;      /* table heading */
} metrics[NR_METRICS] = {
	[M_WALL] = { "wall_s", "wall s" },
	[M_USER] = { "user_s", "user s" },
	[M_SYS] = { "sys_s", "sys s" },
	[M_RSS] = { "maxrss_kb", "peak RSS MiB" },
	[M_MINFLT] = { "minflt", "minor faults" },
	[M_MAJFLT] = { "majflt", "major" },
};

struct sample {
	double v[NR_METRICS];
	double prof[NR_PROF_VALUES];    /* what its profiles say (NAME+prof only) */
	int status;             /* wait status of the command */
	int timed_out;
};

struct allocator {
	const char *name;
	char *lib;              /* NULL: environment as is; "": no preload */
	struct sample *samples;
	int nsamples;
	int failed;
	int prof_of;            /* NAME+prof: the index of NAME; else -1 */
};

struct output {
	enum format fmt;
	const char *path;       /* NULL: standard output */
};

struct options {
	struct allocator *allocs;
	int nallocs;
	int runs, warmup;
	double timeout;
	const char *label;
	const char *log;
	struct output outs[8];
	int nouts;
	enum format stdout_fmt;
	int no_header, quiet;
	const char *prof_cost;  /* -P NAME; "" for the last -a; NULL: no */
	int prof;               /* index of NAME+prof, or -1 */
	char **cmd;
};

/* SIGINT, SIGTERM or SIGHUP: the run is killed, then buddystat dies of it. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = sig;
}

static struct {
	int on;
	const char *label, *alloc;
	int run, runs, warmup;
	double start;
} progress;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("buddystat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void usage(void)
{
	fputs("usage: buddystat [options] [--] CMD [ARG]...\n"
	      "  -a NAME[=LIB]  run under this allocator (repeatable); no LIB or an\n"
	      "                 empty one means no preload (glibc)\n"
	      "  -P NAME, --prof-cost[=NAME]\n"
	      "                 also run NAME (default: the last -a) as NAME+prof,\n"
	      "                 with libbuddymalloc's heap profiler on (prof=1), and\n"
	      "                 report what profiling costs\n"
	      "  -n RUNS        measured runs per allocator (default 1)\n"
	      "  -W RUNS        warm-up runs per allocator, not reported (default 0)\n"
	      "  -t SECS        kill a run (its whole process group) after SECS\n"
	      "  -w LABEL       workload name in the outputs (default: CMD's name)\n"
	      "  -f FMT         table, csv or json on standard output (default table)\n"
	      "  -o FILE        also write FILE; its format follows its suffix\n"
	      "                 (.csv, .json, else table); repeatable\n"
	      "  -l FILE        append the command's output to FILE\n"
	      "  -H             no CSV header line\n"
	      "  -q             no progress line on a terminal\n"
	      "Exit status: 0 when every run exited 0, 1 when one did not, 2 on misuse.\n",
	      stderr);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die("out of memory");
	return p;
}

static enum format parse_format(const char *s)
{
	if (strcmp(s, "table") == 0)
		return FMT_TABLE;
	if (strcmp(s, "csv") == 0)
		return FMT_CSV;
	if (strcmp(s, "json") == 0)
		return FMT_JSON;
	die("unknown format '%s' (table, csv or json)", s);
	return FMT_TABLE;
}

static enum format format_of_path(const char *path)
{
	size_t n = strlen(path);

	if (n >= 4 && strcmp(path + n - 4, ".csv") == 0)
		return FMT_CSV;
	if (n >= 5 && strcmp(path + n - 5, ".json") == 0)
		return FMT_JSON;
	return FMT_TABLE;
}

/* NAME=LIB: the library must exist now; its absolute path survives chdir. */
static void add_allocator(struct options *o, const char *spec)
{
	struct allocator *a;
	const char *eq = strchr(spec, '=');
	char path[PATH_MAX];

	o->allocs = realloc(o->allocs, sizeof(*o->allocs) * (size_t)(o->nallocs + 1));
	if (!o->allocs)
		die("out of memory");
	a = &o->allocs[o->nallocs++];
	memset(a, 0, sizeof(*a));
	a->prof_of = -1;
	a->name = eq ? strndup(spec, (size_t)(eq - spec)) : strdup(spec);
	if (!eq || !eq[1]) {
		a->lib = strdup("");
		return;
	}
	if (!realpath(eq + 1, path))
		die("allocator %s: %s: %s", a->name, eq + 1, strerror(errno));
	if (access(path, R_OK) != 0)
		die("allocator %s: %s is not readable", a->name, path);
	a->lib = strdup(path);
}

/* -P: NAME+prof, a copy of NAME (or of the last allocator) run profiled. */
static void add_prof_twin(struct options *o)
{
	struct allocator *a;
	int base = o->nallocs - 1, i;
	char *name;

	if (*o->prof_cost) {
		for (base = 0; base < o->nallocs; base++)
			if (strcmp(o->allocs[base].name, o->prof_cost) == 0)
				break;
		if (base == o->nallocs)
			die("-P %s: no such allocator (-a)", o->prof_cost);
	}
	if (asprintf(&name, "%s+prof", o->allocs[base].name) < 0)
		die("out of memory");
	for (i = 0; i < o->nallocs; i++)
		if (strcmp(o->allocs[i].name, name) == 0)
			die("-P: there is already an allocator named %s", name);
	o->allocs = realloc(o->allocs, sizeof(*o->allocs) * (size_t)(o->nallocs + 1));
	if (!o->allocs)
		die("out of memory");
	a = &o->allocs[o->nallocs];
	*a = o->allocs[base];
	a->name = name;
	a->prof_of = base;
	o->prof = o->nallocs++;
}

static void parse_args(struct options *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "prof-cost", optional_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->runs = 1;
	o->prof = -1;
	o->stdout_fmt = FMT_TABLE;
	while ((c = getopt_long(argc, argv, "+a:P:n:W:t:w:f:o:l:Hqh", longs, NULL)) != -1) {
		switch (c) {
		case 'a':
			add_allocator(o, optarg);
			break;
		case 'P':
			o->prof_cost = optarg ? optarg : "";
			break;
		case 'n':
			o->runs = atoi(optarg);
			if (o->runs < 1)
				die("-n wants a positive number");
			break;
		case 'W':
			o->warmup = atoi(optarg);
			if (o->warmup < 0)
				die("-W wants a number >= 0");
			break;
		case 't':
			o->timeout = strtod(optarg, NULL);
			if (!(o->timeout > 0))
				die("-t wants a positive number of seconds");
			break;
		case 'w':
			o->label = optarg;
			break;
		case 'f':
			o->stdout_fmt = parse_format(optarg);
			break;
		case 'o':
			if (o->nouts == (int)(sizeof(o->outs) / sizeof(o->outs[0])))
				die("too many -o");
			o->outs[o->nouts].path = optarg;
			o->outs[o->nouts++].fmt = format_of_path(optarg);
			break;
		case 'l':
			o->log = optarg;
			break;
		case 'H':
			o->no_header = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	o->cmd = argv + optind;
	if (!o->label) {
		const char *slash = strrchr(o->cmd[0], '/');

		o->label = slash ? slash + 1 : o->cmd[0];
	}
	if (o->nallocs == 0) {
		const char *pre = getenv("LD_PRELOAD");
		const char *base = pre && *pre ? strrchr(pre, '/') : NULL;

		o->allocs = xcalloc(1, sizeof(*o->allocs));
		o->nallocs = 1;
		o->allocs[0].name = pre && *pre ? (base ? base + 1 : pre) : "default";
		o->allocs[0].lib = NULL;
		o->allocs[0].prof_of = -1;
	}
	if (o->prof_cost)
		add_prof_twin(o);
}

/* ---- progress line ---- */

static void progress_show(void)
{
	if (!progress.on)
		return;
	fprintf(stderr, "\r\033[Kbuddystat: %s under %s, %s %d/%d, %.0fs",
		progress.label, progress.alloc,
		progress.run < progress.warmup ? "warm-up" : "run",
		progress.run < progress.warmup ? progress.run + 1
					       : progress.run - progress.warmup + 1,
		progress.run < progress.warmup ? progress.warmup : progress.runs,
		now() - progress.start);
	fflush(stderr);
}

static void progress_clear(void)
{
	if (progress.on) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* ---- running one command ---- */

static void add_rusage(struct sample *s, const struct rusage *ru)
{
	double rss = (double)ru->ru_maxrss;

	s->v[M_USER] += (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec * 1e-6;
	s->v[M_SYS] += (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec * 1e-6;
	if (rss > s->v[M_RSS])
		s->v[M_RSS] = rss;
	s->v[M_MINFLT] += (double)ru->ru_minflt;
	s->v[M_MAJFLT] += (double)ru->ru_majflt;
}

static void child_exec(const struct options *o, const struct allocator *a,
		       int logfd, int run)
{
	char buf[32];
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	if (isatty(STDIN_FILENO)) {     /* a background group must not read the tty */
		int fd = open("/dev/null", O_RDONLY);

		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
	}
	if (logfd >= 0) {
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		close(logfd);
	}
	if (a->lib && !*a->lib)
		unsetenv("LD_PRELOAD");
	else if (a->lib)
		setenv("LD_PRELOAD", a->lib, 1);
	if (a->prof_of >= 0)
		profcost_child_env(run);
	setenv("BUDDYSTAT_ALLOCATOR", a->name, 1);
	snprintf(buf, sizeof(buf), "%d", run);
	setenv("BUDDYSTAT_RUN", buf, 1);
	execvp(o->cmd[0], o->cmd);
	fprintf(stderr, "buddystat: %s: %s\n", o->cmd[0], strerror(errno));
	_exit(127);
}

/* Kill whatever children of ours are still alive (by parent pid). */
static void kill_our_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t me = getpid();

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[300], line[512], *p;
		int ppid;
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
		fclose(f);
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == me)
			kill(atoi(e->d_name), SIGKILL);
	}
	closedir(d);
}

/* Reap every dead child; returns 1 once `main_pid` has been reaped. */
static int reap(pid_t main_pid, struct sample *s)
{
	struct rusage ru;
	int st, done = 0;
	pid_t p;

	while ((p = wait4(-1, &st, WNOHANG, &ru)) > 0) {
		add_rusage(s, &ru);
		if (p == main_pid) {
			s->status = st;
			done = 1;
		}
	}
	return done;
}

/* After the command exited: collect or kill what it left behind. */
static void clean_up(pid_t pgid, struct sample *s)
{
	double deadline = now() + 2.0;
	struct rusage ru;
	int st;
	pid_t p;

	kill(-pgid, SIGKILL);
	for (;;) {
		p = wait4(-1, &st, WNOHANG, &ru);
		if (p > 0) {
			add_rusage(s, &ru);
			continue;
		}
		if (p < 0)              /* ECHILD: nobody left */
			return;
		if (now() > deadline) {
			kill_our_children();
			deadline = now() + 2.0;
		}
		usleep(10000);
	}
}

static void run_once(const struct options *o, struct allocator *a, int logfd,
		     int run, struct sample *s)
{
	struct timespec tick = { 0, 250000000 };
	sigset_t chld;
	double t0, last_shown;
	pid_t pid;
	int done = 0;

	memset(s, 0, sizeof(*s));
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (logfd >= 0) {
		dprintf(logfd, "### buddystat workload=%s allocator=%s run=%d\n",
			o->label, a->name, run);
	}
	progress_show();
	last_shown = now();
	t0 = now();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		child_exec(o, a, logfd, run);
	setpgid(pid, pid);
	while (!done) {
		double t;

		done = reap(pid, s);
		if (done)
			break;
		sigtimedwait(&chld, NULL, &tick);
		t = now();
		if (interrupted) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		if (o->timeout > 0 && t - t0 > o->timeout && !s->timed_out) {
			s->timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		if (t - last_shown >= 1.0) {
			progress_show();
			last_shown = t;
		}
	}
	s->v[M_WALL] = now() - t0;
	clean_up(pid, s);
	if (a->prof_of >= 0)
		profcost_collect(run, s->prof);
	if (logfd >= 0)
		dprintf(logfd, "### buddystat end status=%d timed_out=%d wall_s=%.4f\n",
			WIFEXITED(s->status) ? WEXITSTATUS(s->status)
					     : 128 + WTERMSIG(s->status),
			s->timed_out, s->v[M_WALL]);
}

static int sample_ok(const struct sample *s)
{
	return !s->timed_out && WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0;
}

/* ---- statistics ---- */

struct summary {
	double median, min, max;
	int n;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, min and max of v[0..n) (v is sorted in place). */
static struct summary summary_of(double *v, int n)
{
	struct summary r = { NAN, NAN, NAN, n };

	if (n > 0) {
		qsort(v, (size_t)n, sizeof(double), cmp_double);
		r.min = v[0];
		r.max = v[n - 1];
		r.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	}
	return r;
}

/* A metric (prof 0) or a profile figure (prof 1) over the successful runs. */
static struct summary summarize_value(const struct allocator *a, int prof, int k)
{
	double *v = xcalloc((size_t)a->nsamples + 1, sizeof(double));
	struct summary r;
	int i, n = 0;

	for (i = 0; i < a->nsamples; i++)
		if (sample_ok(&a->samples[i]))
			v[n++] = prof ? a->samples[i].prof[k] : a->samples[i].v[k];
	r = summary_of(v, n);
	free(v);
	return r;
}

static struct summary summarize(const struct allocator *a, enum metric m)
{
	return summarize_value(a, 0, m);
}

/* Half the range, as a percentage of the median. */
static double spread_pct(struct summary s)
{
	return s.median > 0 ? (s.max - s.min) / 2 / s.median * 100 : 0;
}

/* ---- the cost of profiling (-P) ---- */

static double ratio(double x, double y)
{
	return y > 0 && !isnan(x) && !isnan(y) ? x / y : NAN;
}

/* NAME+prof's median of metric m over NAME's. */
static double prof_ratio(const struct options *o, enum metric m)
{
	const struct allocator *p = &o->allocs[o->prof];

	return ratio(summarize(p, m).median, summarize(&o->allocs[p->prof_of], m).median);
}

/* The median of run i's wall time under NAME+prof over run i's under NAME,
 * over the runs where both succeeded: the two ran one after the other. */
static double prof_paired_wall(const struct options *o)
{
	const struct allocator *p = &o->allocs[o->prof], *b = &o->allocs[p->prof_of];
	double *v = xcalloc((size_t)p->nsamples + 1, sizeof(double));
	double r;
	int i, n = 0;

	for (i = 0; i < p->nsamples && i < b->nsamples; i++)
		if (sample_ok(&p->samples[i]) && sample_ok(&b->samples[i]) &&
		    b->samples[i].v[M_WALL] > 0)
			v[n++] = p->samples[i].v[M_WALL] / b->samples[i].v[M_WALL];
	r = summary_of(v, n).median;
	free(v);
	return r;
}

static const char *fmt_x(char *buf, size_t size, double x)
{
	if (isnan(x))
		snprintf(buf, size, "n/a");
	else
		snprintf(buf, size, "x%.3f", x);
	return buf;
}

static void put_prof_table(FILE *f, const struct options *o)
{
	const struct allocator *p = &o->allocs[o->prof];
	char b[5][32];

	fprintf(f, "  profiling cost, %s / %s: wall %s (paired %s), user %s, sys %s, "
		"peak RSS %s\n", p->name, o->allocs[p->prof_of].name,
		fmt_x(b[0], 32, prof_ratio(o, M_WALL)), fmt_x(b[1], 32, prof_paired_wall(o)),
		fmt_x(b[2], 32, prof_ratio(o, M_USER)), fmt_x(b[3], 32, prof_ratio(o, M_SYS)),
		fmt_x(b[4], 32, prof_ratio(o, M_RSS)));
	if (summarize(p, M_WALL).n == 0)
		return;
	fprintf(f, "  %s, median per run: %.0f profiles, %.0f sampled stacks, "
		"%.1f MiB allocated, %.1f MiB in use at exit (the profiles' estimates)\n",
		p->name, summarize_value(p, 1, PV_PROFILES).median,
		summarize_value(p, 1, PV_STACKS).median,
		summarize_value(p, 1, PV_ALLOC_BYTES).median / 1048576,
		summarize_value(p, 1, PV_LIVE_BYTES).median / 1048576);
}

/* ---- outputs ---- */

static void put_table(FILE *f, const struct options *o)
{
	int i, j, width = 14;   /* the allocator column: 14, or the longest name */

	for (i = 0; i < o->nallocs; i++)
		if ((int)strlen(o->allocs[i].name) > width)
			width = (int)strlen(o->allocs[i].name);

	fprintf(f, "%s:", o->label);
	for (j = 0; o->cmd[j]; j++)
		fprintf(f, " %s", o->cmd[j]);
	fprintf(f, "  (%d run%s)\n", o->runs, o->runs == 1 ? "" : "s");
	fprintf(f, "  %-*s %15s  %9s %9s %15s  %13s %7s\n", width, "allocator",
		metrics[M_WALL].title, metrics[M_USER].title, metrics[M_SYS].title,
		metrics[M_RSS].title, metrics[M_MINFLT].title, metrics[M_MAJFLT].title);
	for (i = 0; i < o->nallocs; i++) {
		const struct allocator *a = &o->allocs[i];
		struct summary w = summarize(a, M_WALL), r = summarize(a, M_RSS);

		if (w.n == 0) {
			fprintf(f, "  %-*s FAILED (%d of %d runs)\n", width, a->name, a->failed,
				a->nsamples);
			continue;
		}
		fprintf(f, "  %-*s %8.3f ±%4.1f%%  %9.3f %9.3f %8.1f ±%4.1f%%  %13.0f %7.0f",
			width, a->name, w.median, spread_pct(w), summarize(a, M_USER).median,
			summarize(a, M_SYS).median, r.median / 1024, spread_pct(r),
			summarize(a, M_MINFLT).median, summarize(a, M_MAJFLT).median);
		if (a->failed)
			fprintf(f, "  (%d failed)", a->failed);
		fputc('\n', f);
	}
	if (o->prof >= 0)
		put_prof_table(f, o);
}

static void put_csv_number(FILE *f, double v, enum metric m)
{
	if (isnan(v))
		fputs(",", f);
	else if (m <= M_SYS)
		fprintf(f, ",%.4f", v);
	else
		fprintf(f, ",%.0f", v);
}

static void put_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void put_csv(FILE *f, const struct options *o)
{
	int i, m;

	if (!o->no_header) {
		fputs("workload,allocator,runs,failed", f);
		for (m = 0; m < NR_METRICS; m++)
			fprintf(f, ",%s_median,%s_min,%s_max", metrics[m].csv,
				metrics[m].csv, metrics[m].csv);
		fputc('\n', f);
	}
	for (i = 0; i < o->nallocs; i++) {
		const struct allocator *a = &o->allocs[i];

		put_csv_field(f, o->label);
		fputc(',', f);
		put_csv_field(f, a->name);
		fprintf(f, ",%d,%d", a->nsamples, a->failed);
		for (m = 0; m < NR_METRICS; m++) {
			struct summary s = summarize(a, (enum metric)m);

			put_csv_number(f, s.median, (enum metric)m);
			put_csv_number(f, s.min, (enum metric)m);
			put_csv_number(f, s.max, (enum metric)m);
		}
		fputc('\n', f);
	}
}

static void put_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_json_number(FILE *f, double v)
{
	if (isnan(v))
		fputs("null", f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.6g", v);
}

/* "key": {"median": .., "min": .., "max": .., "samples": [every run]} */
static void put_json_figure(FILE *f, const struct allocator *a, int prof, int k,
			    const char *key)
{
	struct summary s = summarize_value(a, prof, k);
	int i;

	fprintf(f, "\"%s\": {\"median\": ", key);
	put_json_number(f, s.median);
	fputs(", \"min\": ", f);
	put_json_number(f, s.min);
	fputs(", \"max\": ", f);
	put_json_number(f, s.max);
	fputs(", \"samples\": [", f);
	for (i = 0; i < a->nsamples; i++) {
		if (i)
			fputs(", ", f);
		put_json_number(f, prof ? a->samples[i].prof[k] : a->samples[i].v[k]);
	}
	fputs("]}", f);
}

/* NAME+prof's "prof": what its profiles said, per run. */
static void put_json_prof(FILE *f, const struct allocator *a)
{
	int k;

	fputs(",\n     \"prof\": {", f);
	for (k = 0; k < NR_PROF_VALUES; k++) {
		fputs(k ? ",\n      " : "", f);
		put_json_figure(f, a, 1, k, prof_value_names[k]);
	}
	fputs("}", f);
}

/* The top level's "prof_cost": NAME+prof over NAME. */
static void put_json_prof_cost(FILE *f, const struct options *o)
{
	const struct allocator *p = &o->allocs[o->prof];
	static const enum metric ms[] = { M_WALL, M_USER, M_SYS, M_RSS };
	size_t i;

	fputs(",\n \"prof_cost\": {\"allocator\": ", f);
	put_json_string(f, o->allocs[p->prof_of].name);
	fputs(", \"profiled\": ", f);
	put_json_string(f, p->name);
	fputs(", \"wall_paired_ratio\": ", f);
	put_json_number(f, prof_paired_wall(o));
	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		fprintf(f, ", \"%s_ratio\": ", metrics[ms[i]].csv);
		put_json_number(f, prof_ratio(o, ms[i]));
	}
	fputs("}", f);
}

static void put_json_result(FILE *f, const struct allocator *a)
{
	int m, i;

	fputs("    {\"allocator\": ", f);
	put_json_string(f, a->name);
	fputs(", \"preload\": ", f);
	put_json_string(f, a->lib ? a->lib : "");
	fprintf(f, ", \"runs\": %d, \"failed\": %d,\n     \"exit\": [", a->nsamples,
		a->failed);
	for (i = 0; i < a->nsamples; i++) {
		const struct sample *s = &a->samples[i];

		fprintf(f, "%s%d", i ? ", " : "",
			s->timed_out ? -1 : WIFEXITED(s->status) ? WEXITSTATUS(s->status)
								: 128 + WTERMSIG(s->status));
	}
	fputs("]", f);
	for (m = 0; m < NR_METRICS; m++) {
		fputs(",\n     ", f);
		put_json_figure(f, a, 0, m, metrics[m].csv);
	}
	if (a->prof_of >= 0)
		put_json_prof(f, a);
	fputs("}", f);
}

static void put_json(FILE *f, const struct options *o)
{
	int i;

	fputs("{\"workload\": ", f);
	put_json_string(f, o->label);
	fputs(", \"command\": [", f);
	for (i = 0; o->cmd[i]; i++) {
		if (i)
			fputs(", ", f);
		put_json_string(f, o->cmd[i]);
	}
	fprintf(f, "], \"runs\": %d, \"warmup\": %d,\n \"results\": [\n", o->runs,
		o->warmup);
	for (i = 0; i < o->nallocs; i++) {
		put_json_result(f, &o->allocs[i]);
		fputs(i + 1 < o->nallocs ? ",\n" : "\n", f);
	}
	fputs(" ]", f);
	if (o->prof >= 0)
		put_json_prof_cost(f, o);
	fputs("}\n", f);
}

static void put(FILE *f, enum format fmt, const struct options *o)
{
	if (fmt == FMT_CSV)
		put_csv(f, o);
	else if (fmt == FMT_JSON)
		put_json(f, o);
	else
		put_table(f, o);
}

static int write_outputs(const struct options *o)
{
	int i, rc = 0;

	put(stdout, o->stdout_fmt, o);
	fflush(stdout);
	for (i = 0; i < o->nouts; i++) {
		FILE *f = fopen(o->outs[i].path, "w");

		if (!f) {
			fprintf(stderr, "buddystat: %s: %s\n", o->outs[i].path, strerror(errno));
			rc = 2;
			continue;
		}
		put(f, o->outs[i].fmt, o);
		if (fclose(f) != 0)
			rc = 2;
	}
	return rc;
}

/* After an interrupted run: no profile left behind, then the signal. */
static void die_of(int sig)
{
	progress_clear();
	profcost_close();
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

int main(int argc, char **argv)
{
	struct options o;
	int run, i, logfd = -1, failed = 0, rc;
	sigset_t chld;

	memset(&o, 0, sizeof(o));
	parse_args(&o, argc, argv);
	if (o.log) {
		logfd = open(o.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (logfd < 0)
			die("%s: %s", o.log, strerror(errno));
	}
	if (o.prof >= 0) {
		if (profcost_open() != 0)
			exit(2);
		atexit(profcost_close);
	}
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	signal(SIGHUP, on_interrupt);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		fprintf(stderr, "buddystat: cannot become a subreaper; daemons escape\n");
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	for (i = 0; i < o.nallocs; i++)
		o.allocs[i].samples = xcalloc((size_t)o.runs, sizeof(struct sample));

	progress.on = !o.quiet && isatty(STDERR_FILENO);
	progress.label = o.label;
	progress.runs = o.runs;
	progress.warmup = o.warmup;
	progress.start = now();
	for (run = 0; run < o.warmup + o.runs; run++) {
		for (i = 0; i < o.nallocs; i++) {
			struct allocator *a = &o.allocs[i];
			struct sample s;

			progress.alloc = a->name;
			progress.run = run;
			run_once(&o, a, logfd, run, &s);
			if (interrupted)
				die_of(interrupted);
			if (run < o.warmup)
				continue;
			a->samples[a->nsamples++] = s;
			if (!sample_ok(&s)) {
				a->failed++;
				failed++;
			}
		}
	}
	progress_clear();
	if (logfd >= 0)
		close(logfd);
	rc = write_outputs(&o);
	if (rc)
		return rc;
	return failed ? 1 : 0;
}
