#!/usr/bin/env bash
# tests/check/mallopt_glibc.sh - mallopt returns what glibc's returns, for
# glibc's own parameters (issue 3: "glibc's parameters with glibc's meanings
# and return values"), measured against the glibc of this machine.
#
# A probe (tests/check/probes/mallopt_glibc.c) calls mallopt(param, value)
# for each of glibc's nine parameters (M_MXFAST, M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD,
# M_MMAP_MAX, M_CHECK_ACTION, M_PERTURB, M_ARENA_TEST, M_ARENA_MAX) and a
# range of values (negative, 0, small, at and past the limits, INT_MAX),
# each call in a forked child so that no setting affects the next, and
# prints the result. It runs plainly (glibc) and with LD_PRELOAD.
# Proves that every one of these calls returns the same with the library as
# with glibc; the differences are listed.
# For the log only (not failures): unknown parameter numbers, and our own
# M_BUDDY_* numbers 1001..1010, under glibc (glibc returns 1 for numbers it
# does not know, and so do we since issue 12; t_tune_mallopt checks ours).
. "$(dirname "$0")/common.bash"

probe=$probes/mallopt_glibc
[ -x "$probe" ] || { echo "$probe is not built (make tests)"; exit 2; }
"$probe" >"$tmp/glibc" || { echo "FAIL: the probe failed under glibc"; exit 1; }
env LD_PRELOAD="$lib" "$probe" >"$tmp/ours" 2>"$tmp/err" || { echo "FAIL: the probe failed with the library: $(cat "$tmp/err")"; exit 1; }

diffs=0
echo "glibc's parameters: mallopt(param, value)   glibc  ours"
paste -d' ' "$tmp/glibc" "$tmp/ours" | while read -r kind name value g _ _ _ o; do
	[ "$kind" = glibc ] || continue
	mark=
	[ "$g" = "$o" ] || mark="   <-- differs"
	printf '  %-16s %11d   %d      %d%s\n' "$name" "$value" "$g" "$o" "$mark"
done
diffs=$(paste -d' ' "$tmp/glibc" "$tmp/ours" | awk '$1 == "glibc" && $4 != $8' | wc -l)
echo "other parameter numbers (log only): number   glibc  ours"
paste -d' ' "$tmp/glibc" "$tmp/ours" | awk '$1 == "other" { printf "  %6d   %d      %d\n", $2, $4, $8 }'

if [ "$diffs" -gt 0 ]; then
	echo "FAIL: $diffs calls with glibc's parameters return something else than glibc's mallopt:"
	paste -d' ' "$tmp/glibc" "$tmp/ours" | awk '$1 == "glibc" && $4 != $8 { printf "  mallopt(%s, %s): glibc %s, ours %s\n", $2, $3, $4, $8 }'
	exit 1
fi
echo "mallopt returns what glibc's does"
