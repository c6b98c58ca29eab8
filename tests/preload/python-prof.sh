#!/usr/bin/env bash
# Debian's python3 runs workload.py (see python.sh: dicts, lists, json,
# pickle, threads, fork while threads allocate) plainly and with the library
# preloaded under prof=1 (sampled at prof_sample=64K, so thousands of
# stacks are taken, from several threads and forked children), with
# PYTHONMALLOC=malloc.
# Compared: the whole stdout and stderr (the profiler prints nothing when
# stderr is not a terminal); both runs exit 0.
# Checked: the main process's profile exists, starts with the heap profile
# header, has MAPPED_LIBRARIES, and google-pprof reads it and names
# functions of libpython in it.
# shellcheck source=tests/preload/common.bash
. "$(dirname "$0")/common.bash"

py=/usr/bin/python3
script=$(dirname "$0")/workload.py
export PYTHONMALLOC=malloc PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP
command -v google-pprof >/dev/null || { fail "google-pprof is not installed"; finish; }

run_logged "python3 workload.py (plain)" "$tmp/plain.out" "$tmp/plain.err" \
	plain PRELOAD_TEST_MAPS="$tmp/plain.maps" "$py" "$script"
mkdir -p "$tmp/prof"
start=$SECONDS
run_logged "python3 workload.py (prof=1)" "$tmp/prof.out" "$tmp/prof.err" \
	preloaded BUDDYMALLOC_OPTIONS="prof=1,prof_sample=64K,prof_file=$tmp/prof/py" \
	PRELOAD_TEST_MAPS="$tmp/prof.maps" "$py" "$script"
note "prof=1 run: $((SECONDS - start)) s"

same "stdout" "$tmp/plain.out" "$tmp/prof.out"
same "stderr" "$tmp/plain.err" "$tmp/prof.err"
check_stderr "python3 workload.py under prof=1" "$tmp/prof.err"
grep -q '^done: ok$' "$tmp/prof.out" || fail "the prof=1 run did not reach its end"
check_maps "python3 workload.py (prof=1)" "$tmp/prof.maps"

for f in "$tmp"/prof/py.*.heap; do
	if [ ! -f "$f" ] || ! head -n 1 "$f" | grep -q '^heap profile: .* @ heapprofile$' ||
		! grep -q '^MAPPED_LIBRARIES:$' "$f"; then
		fail "profile $f is missing or incomplete"
	fi
done
main=$(ls -S "$tmp"/prof/py.*.heap 2>/dev/null | head -n 1)
if [ -n "$main" ]; then
	google-pprof --text --alloc_space "$py" "$main" >"$tmp/pprof.txt" 2>/dev/null
	grep -Eq ' Py[A-Za-z_]+$| _Py[A-Za-z_]+$' "$tmp/pprof.txt" ||
		fail "google-pprof shows no Python function in $main: $(head -n 5 "$tmp/pprof.txt")"
	note "google-pprof --text: $(sed -n 2p "$tmp/pprof.txt" | tr -s ' ')"
else
	fail "no profile was written"
fi
finish
