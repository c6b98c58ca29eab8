#!/usr/bin/env bash
# bench/pair-cost.sh - instructions per malloc+free pair, counted by
# callgrind (so, unlike times, the same on a busy machine), under glibc,
# libbuddymalloc, and libbuddymalloc with its heap profiler on at the
# default rate (prof=1).  Not part of make bench; run after make bench-build.
#
#   bash bench/pair-cost.sh [SIZE...]        (default sizes: 16 64 1024 65536)
#
# Environment: BUILD (build), LIB (lib/libbuddymalloc.so), N1 and N2, the
# two pair counts (default 1000000 and 2000000): a pair costs
# (Ir(N2) - Ir(N1)) / (N2 - N1) instructions, so start-up and exit, which
# both counts share, drop out.  With prof=1 the samples' stacks are in the
# figure: one sample about every prof_sample (512 KiB) bytes allocated.
# Profiles go to a mkdtemp directory that is removed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 2
BUILD=${BUILD:-build}
LIB=$(readlink -f "${LIB:-lib/libbuddymalloc.so}")
N1=${N1:-1000000} N2=${N2:-2000000}
loop=$BUILD/bench/tools/pair-loop
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(16 64 1024 65536)
command -v valgrind >/dev/null || { echo "pair-cost: valgrind is not installed" >&2; exit 2; }
[ -x "$loop" ] || { echo "pair-cost: $loop missing: make bench-build" >&2; exit 2; }
[ -e "$LIB" ] || { echo "pair-cost: $LIB missing: make" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pair-cost.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# ir SIZE COUNT ENV...: the instructions callgrind counted for the whole run
ir() {
	local size=$1 count=$2
	shift 2
	env "$@" valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
		"$loop" "$size" "$count" >/dev/null 2>"$tmp/cg.err" || {
		echo "pair-cost: $loop $size $count failed:" >&2
		cat "$tmp/cg.err" >&2
		exit 1
	}
	sed -n 's/^summary: *//p' "$tmp/cg.out"
}

echo "instructions per malloc+free pair (callgrind; counts $N1 and $N2)"
printf '%8s %12s %12s %16s %10s\n' size glibc buddymalloc buddymalloc+prof prof/off
for s in "${sizes[@]}"; do
	row=()
	for cfg in glibc off prof; do
		case $cfg in
		glibc) envs=(-u LD_PRELOAD) ;;
		off) envs=(LD_PRELOAD="$LIB" BUDDYMALLOC_OPTIONS=prof=0) ;;
		prof) envs=(LD_PRELOAD="$LIB" BUDDYMALLOC_OPTIONS=prof=1,prof_file=$tmp/p) ;;
		esac
		a=$(ir "$s" "$N1" "${envs[@]}") b=$(ir "$s" "$N2" "${envs[@]}")
		row+=("$(awk -v a="$a" -v b="$b" -v n1="$N1" -v n2="$N2" \
			'BEGIN { printf "%.1f", (b - a) / (n2 - n1) }')")
	done
	printf '%8s %12s %12s %16s %10s\n' "$s" "${row[@]}" \
		"$(awk -v x="${row[1]}" -v y="${row[2]}" 'BEGIN { printf "x%.3f", y / x }')"
done
