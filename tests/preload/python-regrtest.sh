#!/usr/bin/env bash
# Debian's python3 runs modules of its own test suite (libpython3.11-testsuite),
# `python3 -m test test_dict test_list test_set test_json test_threading`,
# plainly, with the library preloaded, and preloaded with prof=1 (the heap
# profiler on, in regrtest and in every python3 it starts).
# Compared: every test case's outcome (ok / skipped and why / FAILED / ERROR),
# from regrtest's --junit-xml report; regrtest's stdout without its clock,
# load average and durations; every run must exit 0.
# Loaded: the regrtest process itself writes its /proc/self/maps before it
# starts (python3 -c '<copy maps>; runpy.run_module("test")' is `-m test`).
# shellcheck source=tests/preload/common.bash
. "$(dirname "$0")/common.bash"

py=/usr/bin/python3
tests=(test_dict test_list test_set test_json test_threading)
export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP

# `python3 -m test ARGS`, after copying this very process's maps.
as_dash_m_test='
import os, runpy
with open("/proc/self/maps") as src, open(os.environ["PRELOAD_TEST_MAPS"], "w") as dst:
    dst.write(src.read())
runpy.run_module("test", run_name="__main__", alter_sys=True)
'

# junit XML -> one line per test case: "name outcome".
outcomes='
import sys, xml.etree.ElementTree as ET
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    kinds = {child.tag: (child.text or "").strip() for child in case}
    if "error" in kinds:
        outcome = "ERROR"
    elif "failure" in kinds:
        outcome = "FAILED"
    elif "skipped" in kinds:
        outcome = "skipped: " + kinds["skipped"].splitlines()[0] if kinds["skipped"] else "skipped"
    else:
        outcome = case.get("result", "?")
    print(case.get("name"), outcome)
'

normalise_stdout() {
	sed -E -e 's/^[0-9]+:[0-9]{2}:[0-9]{2} (load avg: [0-9.]+ )?//' \
		-e '/^Total duration:/d' -e '/ -- running: /d' -e '/^running: /d' \
		-e 's/ \([0-9.]+ (ms|sec|min)\)//g' -e 's/ in [0-9.]+ (ms|sec|min)$//' \
		-e 's/ \(slowest: .*$//'
}

# The same under the heap profiler (prof=1): every sampled allocation takes
# a stack with libunwind, and every python3 that regrtest starts writes a
# profile as it exits.
mkdir -p "$tmp/prof"
profiled() { env LD_PRELOAD="$lib" BUDDYMALLOC_OPTIONS="prof=1,prof_file=$tmp/prof/rt" "$@"; }

for mode in plain preloaded profiled; do
	start=$SECONDS
	mkdir -p "$tmp/$mode-cwd" "$tmp/$mode-tmp"
	cd "$tmp/$mode-cwd" || die "cd $tmp/$mode-cwd"
	run_logged "python3 -m test ($mode)" "$tmp/$mode.out" "$tmp/$mode.err" \
		$mode TMPDIR="$tmp/$mode-tmp" PRELOAD_TEST_MAPS="$tmp/$mode.maps" \
		"$py" -c "$as_dash_m_test" --junit-xml "$tmp/$mode.xml" "${tests[@]}"
	cd "$tmp" || die "cd $tmp"
	note "$mode run: $((SECONDS - start)) s"
	normalise_stdout <"$tmp/$mode.out" >"$tmp/$mode.summary"
	if [ -s "$tmp/$mode.xml" ]; then
		env -u LD_PRELOAD "$py" -c "$outcomes" "$tmp/$mode.xml" >"$tmp/$mode.cases"
	else
		fail "python3 -m test ($mode) wrote no junit report"
		: >"$tmp/$mode.cases"
	fi
done

ncases=$(wc -l <"$tmp/preloaded.cases")
[ "$ncases" -ge 500 ] || fail "only $ncases test cases ran under the library (expected 900 or so)"
same "test case outcomes" "$tmp/plain.cases" "$tmp/preloaded.cases"
same "regrtest summary" "$tmp/plain.summary" "$tmp/preloaded.summary"
check_stderr "python3 -m test" "$tmp/preloaded.err"
grep -qx 'Tests result: SUCCESS' "$tmp/preloaded.out" || fail "regrtest under the library did not end in SUCCESS"
same "test case outcomes under prof=1" "$tmp/plain.cases" "$tmp/profiled.cases"
same "regrtest summary under prof=1" "$tmp/plain.summary" "$tmp/profiled.summary"
check_stderr "python3 -m test under prof=1" "$tmp/profiled.err"
check_maps "python3 -m test under prof=1" "$tmp/profiled.maps"
nprof=$(find "$tmp/prof" -name 'rt.*.heap' | wc -l)
[ "$nprof" -ge 1 ] || fail "python3 -m test under prof=1 wrote no profile"
note "under prof=1: $nprof profiles written"
check_no_maps "plain python3 -m test" "$tmp/plain.maps"
check_maps "python3 -m test" "$tmp/preloaded.maps"
finish
