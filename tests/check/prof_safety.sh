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
. "$(dirname "$0")/common.bash"

build=${BUDDYMALLOC_BUILD:?BUDDYMALLOC_BUILD must be set}

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

# load.c: threads that allocate and check their bytes, while main does
# dlopen/dlclose (argv[1] = plugin) or raises signals (argv[1] = "signals")

# profile_shows NAME PREFIX PROGRAM PATTERN WHAT: the one profile PREFIX.*.heap
# is complete and google-pprof's --alloc_space text of it matches PATTERN
profile_shows() {
	local f
	f=$(echo "$2".*.heap)
	complete "$f" || fail "$1: incomplete profile $f"
	google-pprof --text --alloc_space "$3" "$f" 2>/dev/null | grep -q "$4" ||
		fail "$1: $5"
	[ $failures -eq 0 ] && echo "ok   $1"
}

echo "== keys: 40 pthread keys, every allocation sampled"
prof keys "prof=1,prof_sample=1,prof_file=$tmp/keys" "$probes/prof_keys" &&
	profile_shows keys "$tmp/keys" "$probes/prof_keys" 'pthread_setspecific' \
		"no allocation inside pthread_setspecific in the profile"

echo "== dlopen/dlclose while three threads allocate"
prof dlopen "prof=1,prof_sample=4K,prof_file=$tmp/dl" "$probes/prof_load" "$BUDDYMALLOC_BUILD/tests/lib/libplug.so" &&
	profile_shows dlopen "$tmp/dl" "$probes/prof_load" ' work$' \
		"google-pprof does not show the threads' function"

echo "== fork stress tests with prof=1"
mkdir -p "$tmp/fork"
limit=500	# about what tests/run.sh gives it without the profiler
prof s_fork "prof=1,prof_sample=16K,prof_file=$tmp/fork/f" "$build/tests/stress/s_fork" &&
	echo "ok   s_fork"

limit=120

echo "== dump signals under load"
mkdir -p "$tmp/sig"
if prof signals "prof=1,prof_sample=4K,prof_dump_on=signal,prof_file=$tmp/sig/s" "$probes/prof_load" signals; then
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
(trap '' USR2 && prof ignored "prof=1,prof_dump_on=signal,prof_file=$tmp/ign/s" "$probes/prof_load" signals) ||
	fail "signals ignored by the parent: the program did not survive them"
[ -z "$(ls "$tmp/ign")" ] || fail "signals ignored by the parent: profiles written anyway"

finish "prof_safety: all passed"
