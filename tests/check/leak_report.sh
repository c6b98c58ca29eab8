#!/usr/bin/env bash
# tests/check/leak_report.sh - leak_report=text|error at exit.
#
# A program whose function leak_ten() leaks ten blocks of 1,234 bytes,
# after churn() has allocated and freed a thousand others. Proves that
#  - leak_report=text prints the total (12340 bytes in 10 blocks), then
#    one stack with exactly those bytes whose first frame names leak_ten
#    and whose second names main, and the exit status stays 0;
#  - leak_report=error prints the same and exits 1, and what the program
#    wrote to a buffered stdout before exiting is not lost;
#  - the launcher's --leaks=error does the same;
#  - a program that frees everything exits 0 with nothing on stderr, under
#    either setting.
. "$(dirname "$0")/common.bash"

top=${BUDDYMALLOC_TOP:?BUDDYMALLOC_TOP must be set}

# run NAME SETTING ARGS...: exit status in $rc, stderr in $tmp/NAME.err
run() {
	local name=$1 setting=$2
	shift 2
	env LD_PRELOAD="$lib" BUDDYMALLOC_OPTIONS="leak_report=$setting" "$probes/leak_leaky" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
}

# expect_report NAME: the one leaking stack, exactly
expect_report() {
	local e=$tmp/$1.err
	grep -qx 'buddymalloc: leak report: 12340 bytes in 10 blocks still allocated at exit' "$e" ||
		fail "$1: no total line: $(head -n 3 "$e")"
	[ "$(grep -c 'blocks allocated at:$' "$e")" -eq 1 ] ||
		fail "$1: expected one stack: $(cat "$e")"
	grep -A2 -x 'buddymalloc: 12340 bytes in 10 blocks allocated at:' "$e" >"$tmp/stack" ||
		fail "$1: no stack of 12340 bytes in 10 blocks: $(cat "$e")"
	grep -Eq '^    #0 0x[0-9a-f]+ leak_ten \(leak_leaky\+0x[0-9a-f]+\)$' "$tmp/stack" ||
		fail "$1: the first frame is not leak_ten: $(cat "$tmp/stack")"
	grep -Eq '^    #1 0x[0-9a-f]+ main \(leak_leaky\+0x[0-9a-f]+\)$' "$tmp/stack" ||
		fail "$1: the second frame is not main: $(cat "$tmp/stack")"
}

echo "== leak_report=text"
run text text leak
[ $rc -eq 0 ] || fail "text: exit status $rc, expected 0"
expect_report text

echo "== leak_report=error"
run error error leak flushed-before-exit
[ $rc -eq 1 ] || fail "error: exit status $rc, expected 1"
expect_report error
grep -qx flushed-before-exit "$tmp/error.out" || fail "error: the program's stdout was lost"

echo "== the launcher: buddymalloc --leaks=error"
"$top/tools/buddymalloc" --lib "$lib" --leaks=error "$probes/leak_leaky" leak >/dev/null 2>"$tmp/launch.err"
rc=$?
[ $rc -eq 1 ] || fail "buddymalloc --leaks=error: exit status $rc, expected 1"
expect_report launch

echo "== a clean program"
for setting in text error; do
	run clean-$setting $setting
	[ $rc -eq 0 ] || fail "clean, $setting: exit status $rc"
	[ -s "$tmp/clean-$setting.err" ] && fail "clean, $setting: stderr: $(cat "$tmp/clean-$setting.err")"
done

finish "leak_report: all passed"
