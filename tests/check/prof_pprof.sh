#!/usr/bin/env bash
# tests/check/prof_pprof.sh - the heap profile (prof=1) is right, and the
# pprof tools of Debian read it.
#
# A program with three allocation sites of known sizes: site_small keeps
# 64,000 blocks of 1,000 B, site_big 128 blocks of 256 KiB, site_freed
# allocates 5,000 blocks of 3,000 B and frees each at once. Proves that
#  - with prof_sample=1, google-pprof --text --show_bytes shows exactly
#    64,000,000 and 33,554,432 bytes in use for the two live sites and
#    nothing for the freed one; with --alloc_space the freed site shows
#    its exact 15,000,000 bytes; jeprof reads the same file to the same
#    numbers; the file starts with gperftools' header and has its
#    MAPPED_LIBRARIES section;
#  - the file is PREFIX.PID.0.heap; at exit the library prints nothing when
#    stderr is not a terminal, and on a terminal (script(1)) exactly one
#    line naming the file and the google-pprof command;
#  - with a sampled rate (prof_sample=64K) and a fixed seed, every site is
#    within 15% of the truth, and two runs with the same seed write the
#    same profile lines;
#  - mallopt(M_BUDDY_PROF_DUMP, 0) returns 1 and writes PREFIX.PID.0.heap
#    at that moment (no freed site yet); the exit writes PREFIX.PID.1.heap;
#  - the launcher's --prof=PREFIX makes a relative prefix absolute (the
#    program changes directory) and sets prof=1;
#  - without prof=1 no file is written and nothing is printed.
. "$(dirname "$0")/common.bash"

top=${BUDDYMALLOC_TOP:?BUDDYMALLOC_TOP must be set}

for tool in google-pprof jeprof cc; do
	command -v $tool >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done

# run NAME OPTIONS [ARG]: runs the program, stderr in $tmp/NAME.err
run() {
	env LD_PRELOAD="$lib" BUDDYMALLOC_OPTIONS="$2" "$probes/prof_sites" ${3:+"$3"} 2>"$tmp/$1.err" ||
		fail "$1: the program exited $?"
}

# bytes TOOL FILE MODE SITE: the site's flat bytes in TOOL --text (empty: absent)
bytes() {
	"$1" --text --show_bytes "--$3" "$probes/prof_sites" "$2" 2>/dev/null |
		awk -v s="$4" '$6 == s { print $1 }'
}

# expect_exact TOOL FILE MODE SITE BYTES
expect_exact() {
	local got
	got=$(bytes "$1" "$2" "$3" "$4")
	[ "$got" = "$5" ] || fail "$1 --$3: $4 shows '${got:-nothing}', expected '$5'"
}

# expect_near TOOL FILE MODE SITE BYTES: within 15%
expect_near() {
	local got
	got=$(bytes "$1" "$2" "$3" "$4")
	if [ -z "$got" ] || [ $((got * 100)) -lt $(($5 * 85)) ] || [ $((got * 100)) -gt $(($5 * 115)) ]; then
		fail "$1 --$3 (sampled): $4 shows '${got:-nothing}', expected $5 +-15%"
	else
		echo "ok   sampled $4 ($3): $got of $5"
	fi
}

echo "== prof_sample=1: exact"
run exact "prof=1,prof_sample=1,prof_file=$tmp/exact"
files=("$tmp"/exact.*.heap)
if [ ${#files[@]} -ne 1 ] || [ ! -f "${files[0]}" ]; then
	fail "expected one file $tmp/exact.PID.0.heap, found: $(ls "$tmp")"
else
	f=${files[0]}
	case $f in "$tmp"/exact.[0-9]*.0.heap) ;; *) fail "file name $f is not PREFIX.PID.0.heap" ;; esac
	head -n 1 "$f" | grep -Eq '^heap profile: +[0-9]+: +[0-9]+ \[ *[0-9]+: +[0-9]+\] @ heapprofile$' ||
		fail "header: $(head -n 1 "$f")"
	head -n 1 "$f" | grep -q '^heap profile: 64128: 97554432 \[69128: 112554432\]' ||
		fail "header totals: $(head -n 1 "$f")"
	grep -q '^MAPPED_LIBRARIES:$' "$f" || fail "no MAPPED_LIBRARIES section"
	grep -q "$probes/prof_sites\$" "$f" || fail "MAPPED_LIBRARIES does not list the program"
	[ -s "$tmp/exact.err" ] && fail "stderr (not a terminal) is not empty: $(cat "$tmp/exact.err")"
	for tool in google-pprof jeprof; do
		expect_exact $tool "$f" inuse_space site_small 64000000
		expect_exact $tool "$f" inuse_space site_big 33554432
		expect_exact $tool "$f" inuse_space site_freed ""
		expect_exact $tool "$f" alloc_space site_freed 15000000
		expect_exact $tool "$f" alloc_space site_small 64000000
		expect_exact $tool "$f" inuse_objects site_small 64000
		expect_exact $tool "$f" alloc_objects site_freed 5000
	done
	[ $failures -eq 0 ] && echo "ok   exact: google-pprof and jeprof show the exact bytes"
fi

echo "== on a terminal: one line naming the file and the command"
command -v script >/dev/null || { echo "FAIL: script (bsdutils) is not installed"; exit 1; }
mkdir -p "$tmp/tty"
script -qec "env LD_PRELOAD='$lib' BUDDYMALLOC_OPTIONS='prof=1,prof_file=$tmp/tty/p' '$probes/prof_sites'" \
	/dev/null </dev/null | tr -d '\r' >"$tmp/tty.out"
f=$(echo "$tmp"/tty/p.*.0.heap)
[ "$(wc -l <"$tmp/tty.out")" -eq 1 ] || fail "on a terminal, not one line: $(cat "$tmp/tty.out")"
grep -qxF "buddymalloc: heap profile in $f; show it with: google-pprof --text $probes/prof_sites $f" \
	"$tmp/tty.out" || fail "the exit line on a terminal: $(cat "$tmp/tty.out")"

echo "== prof_sample=64K, prof_seed=7: within 15%"
run s1 "prof=1,prof_sample=64K,prof_seed=7,prof_file=$tmp/s1"
run s2 "prof=1,prof_sample=64K,prof_seed=7,prof_file=$tmp/s2"
f1=$(echo "$tmp"/s1.*.heap) f2=$(echo "$tmp"/s2.*.heap)
expect_near google-pprof "$f1" inuse_space site_small 64000000
expect_near google-pprof "$f1" inuse_space site_big 33554432
expect_near google-pprof "$f1" alloc_space site_freed 15000000
expect_near jeprof "$f1" inuse_space site_small 64000000
[ "$(bytes google-pprof "$f1" inuse_space site_freed)" = "" ] || fail "sampled: site_freed is in use"
[ "$(bytes google-pprof "$f1" inuse_space site_small)" != 64000000 ] ||
	fail "sampled: site_small is exact, so it was not sampled"
diff <(sed '/^MAPPED_LIBRARIES:/q' "$f1" | sed 's/0x[0-9a-f]*//g') \
	<(sed '/^MAPPED_LIBRARIES:/q' "$f2" | sed 's/0x[0-9a-f]*//g') >/dev/null ||
	fail "two runs with prof_seed=7 gave different counts"

echo "== the launcher: buddymalloc --prof=PREFIX, a relative prefix"
mkdir -p "$tmp/launch/elsewhere"
(cd "$tmp/launch" && "$top/tools/buddymalloc" --lib "$lib" --prof=rel -o prof_sample=64K -o prof_seed=7 \
	sh -c 'cd elsewhere && exec "$0"' "$probes/prof_sites" 2>"$tmp/launch.err") ||
	fail "buddymalloc --prof: exit status $?"
f=$(echo "$tmp"/launch/rel.*.0.heap)
if [ -f "$f" ]; then
	expect_near google-pprof "$f" inuse_space site_big 33554432
else
	fail "buddymalloc --prof=rel wrote no $tmp/launch/rel.PID.0.heap: $(ls -R "$tmp/launch")"
fi

echo "== mallopt(M_BUDDY_PROF_DUMP, 0) before the freed site, then exit"
run now "prof=1,prof_sample=1,prof_file=$tmp/now" dump
f0=$(echo "$tmp"/now.*.0.heap) f1=$(echo "$tmp"/now.*.1.heap)
if [ -f "$f0" ] && [ -f "$f1" ]; then
	expect_exact google-pprof "$f0" inuse_space site_small 64000000
	expect_exact google-pprof "$f0" alloc_space site_freed ""
	expect_exact google-pprof "$f1" alloc_space site_freed 15000000
else
	fail "expected now.PID.0.heap (mallopt) and now.PID.1.heap (exit): $(ls "$tmp")"
fi

echo "== prof=0"
run off "prof_file=$tmp/off"
[ -s "$tmp/off.err" ] && fail "prof=0 printed: $(cat "$tmp/off.err")"
ls "$tmp"/off.*.heap >/dev/null 2>&1 && fail "prof=0 wrote a file"

finish "prof_pprof: all passed"
