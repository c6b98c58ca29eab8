#!/usr/bin/env bash
# tests/check/prof_safety.sh - the profiler where allocators usually break:
# each case runs under a timeout (a hang is a failure) and checks its data.
#
# Proves that, with prof=1,
#  - keys: 40 pthread keys created before the first sample, each set in
#    four threads (glibc then callocs each thread's second-level key
#    array, inside pthread_setspecific), with every allocation sampled
#    (prof_sample=1): every value reads back, the process exits 0, and the
#    profile shows the allocation made inside pthread_setspecific;
#  - dlopen: a library opened, called (it allocates) and closed 300 times
#    while three threads allocate with prof_sample=4K: exit 0, every block
#    checked, a profile google-pprof reads;
#  - fork: tests/stress/s_fork (three threads allocate, and so sample and
#    take prof_lock, while the main thread forks 80 times; every child
#    allocates and checks) passes with prof=1 and prof_sample=16K: no child
#    hangs on a profiler lock. (s_fork_deadlock is not run here: it asserts
#    a number of forks in 8 s, which a loaded machine misses with or
#    without the profiler.)
#  - signals: 200 dump signals (prof_dump_on=signal) while four threads
#    allocate with prof_sample=4K: exit 0, every block checked, at least
#    one profile, and every profile complete (header, stacks,
#    MAPPED_LIBRARIES, whole lines); with the signal ignored by the parent
#    (as nohup does), no handler is installed: no file, exit 0.
set -u -o pipefail

lib=${BUDDYMALLOC_LIB:?BUDDYMALLOC_LIB must be set}
build=${BUDDYMALLOC_BUILD:?BUDDYMALLOC_BUILD must be set}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# prof NAME OPTIONS CMD...: CMD under the library and a timeout ($limit s)
limit=120
prof() {
	local name=$1 options=$2
	shift 2
	timeout --kill-after=5 $limit env LD_PRELOAD="$lib" BUDDYMALLOC_OPTIONS="$options" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	[ $rc -eq 124 ] && fail "$name: timed out"
	[ $rc -eq 0 ] || fail "$name: exit status $rc: $(tail -n 5 "$tmp/$name.err")"
	return $rc
}

# complete FILE: a whole heap profile
complete() {
	head -n 1 "$1" | grep -Eq '^heap profile: +[0-9]+: +[0-9]+ \[ *[0-9]+: +[0-9]+\] @ heapprofile$' &&
		[ "$(grep -c '^MAPPED_LIBRARIES:$' "$1")" -eq 1 ] &&
		[ -z "$(tail -c 1 "$1")" ] &&
		! awk 'NR > 1 { if ($0 == "") exit; print }' "$1" |
			grep -Evq '^[0-9]+: [0-9]+ \[[0-9]+: [0-9]+\] @( 0x[0-9a-f]+)*$'
}

cat >"$tmp/keys.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NKEYS 40
static pthread_key_t keys[NKEYS];

static void *thread(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < NKEYS; i++)
		if (pthread_setspecific(keys[i], (void *)(id * 100 + i + 1)))
			exit(3);
	for (int r = 0; r < 1000; r++)
		free(malloc(100 + r));
	for (int i = 0; i < NKEYS; i++)
		if (pthread_getspecific(keys[i]) != (void *)(id * 100 + i + 1))
			exit(4);
	return NULL;
}

int main(void)
{
	pthread_t t[4];
	for (int i = 0; i < NKEYS; i++)
		if (pthread_key_create(&keys[i], NULL))
			return 2;
	for (long i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, thread, (void *)(i + 1)))
			return 2;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	puts("keys: ok");
	return 0;
}
C

cat >"$tmp/plug.c" <<'C'
#include <stdlib.h>
#include <string.h>
char *plug_alloc(size_t n)
{
	char *p = malloc(n);
	if (p)
		memset(p, 0x5a, n);
	return p;
}
C

# load.c: threads that allocate and check their bytes, while main does
# dlopen/dlclose (argv[1] = plugin) or raises signals (argv[1] = "signals")
cat >"$tmp/load.c" <<'C'
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int stop;

static void *work(void *arg)
{
	unsigned seed = (unsigned)(long)arg;
	unsigned char *keep[256] = { 0 };
	size_t len[256] = { 0 };
	while (!stop) {
		int k = rand_r(&seed) & 255;
		if (keep[k]) {
			for (size_t i = 0; i < len[k]; i++)
				if (keep[k][i] != (unsigned char)(k ^ i))
					exit(5);
			free(keep[k]);
		}
		len[k] = 16 + (rand_r(&seed) % 20000);
		keep[k] = malloc(len[k]);
		for (size_t i = 0; i < len[k]; i++)
			keep[k][i] = (unsigned char)(k ^ i);
	}
	for (int k = 0; k < 256; k++)
		free(keep[k]);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[4];
	int n = strcmp(argv[1], "signals") == 0 ? 4 : 3;
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, work, (void *)(i + 1)))
			return 2;
	for (int r = 0; r < 300 && n == 3; r++) {
		void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
		char *(*fn)(size_t) = h ? (char *(*)(size_t))dlsym(h, "plug_alloc") : NULL;
		char *p = fn ? fn(1000 + (size_t)r) : NULL;
		if (!p || p[999] != 0x5a)
			return 6;
		free(p);
		dlclose(h);
	}
	for (int r = 0; r < 200 && n == 4; r++) {
		kill(getpid(), SIGUSR2);
		usleep(2000);
	}
	stop = 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	puts("load: ok");
	return 0;
}
C
cc -O1 -g -pthread -o "$tmp/keys" "$tmp/keys.c" &&
	cc -O1 -g -fPIC -shared -o "$tmp/libplug.so" "$tmp/plug.c" &&
	cc -O1 -g -pthread -o "$tmp/load" "$tmp/load.c" -ldl || exit 2

echo "== keys: 40 pthread keys, every allocation sampled"
if prof keys "prof=1,prof_sample=1,prof_file=$tmp/keys" "$tmp/keys"; then
	f=$(echo "$tmp"/keys.*.heap)
	complete "$f" || fail "keys: incomplete profile $f"
	google-pprof --text --alloc_space "$tmp/keys" "$f" 2>/dev/null | grep -q 'pthread_setspecific' ||
		fail "keys: no allocation inside pthread_setspecific in the profile"
	[ $failures -eq 0 ] && echo "ok   keys"
fi

echo "== dlopen/dlclose while three threads allocate"
if prof dlopen "prof=1,prof_sample=4K,prof_file=$tmp/dl" "$tmp/load" "$tmp/libplug.so"; then
	f=$(echo "$tmp"/dl.*.heap)
	complete "$f" || fail "dlopen: incomplete profile $f"
	google-pprof --text --alloc_space "$tmp/load" "$f" 2>/dev/null | grep -q ' work$' ||
		fail "dlopen: google-pprof does not show the threads' function"
	[ $failures -eq 0 ] && echo "ok   dlopen"
fi

echo "== fork stress tests with prof=1"
mkdir -p "$tmp/fork"
limit=500	# about what tests/run.sh gives it without the profiler
prof s_fork "prof=1,prof_sample=16K,prof_file=$tmp/fork/f" "$build/tests/stress/s_fork" &&
	echo "ok   s_fork"

limit=120

echo "== dump signals under load"
mkdir -p "$tmp/sig"
if prof signals "prof=1,prof_sample=4K,prof_dump_on=signal,prof_file=$tmp/sig/s" "$tmp/load" signals; then
	n=$(find "$tmp/sig" -name 's.*.heap' | wc -l)
	[ "$n" -ge 1 ] && [ "$n" -le 200 ] || fail "signals: $n profiles for 200 signals"
	bad=0
	for f in "$tmp"/sig/s.*.heap; do
		complete "$f" && continue
		fail "signals: incomplete profile $f: $(head -n 3 "$f"; echo ...; tail -n 2 "$f")"
		bad=1
		break
	done
	[ -s "$tmp/signals.err" ] && fail "signals: stderr: $(head -n 3 "$tmp/signals.err")"
	[ $bad -eq 0 ] && echo "ok   signals: $n complete profiles"
fi
mkdir -p "$tmp/ign"
(trap '' USR2 && prof ignored "prof=1,prof_dump_on=signal,prof_file=$tmp/ign/s" "$tmp/load" signals) ||
	fail "signals ignored by the parent: the program did not survive them"
[ -z "$(ls "$tmp/ign")" ] || fail "signals ignored by the parent: profiles written anyway"

[ $failures -eq 0 ] && echo "prof_safety: all passed"
exit $((failures > 0))
