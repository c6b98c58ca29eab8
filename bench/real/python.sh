#!/usr/bin/env bash
# python - an allocation-heavy python3 script (share/alloc.py: JSON round
# trips, string building, object trees, growing containers) under the
# allocator being measured.  PYTHONMALLOC=malloc sends every object through
# malloc rather than through Python's own arenas.  The script checks what it
# builds; this wrapper checks its exit status and its report.
set -u
. "$(dirname "$0")/share/common.bash"
real_init python "$@"

python=${BENCH_PYTHON:-/usr/bin/python3}
scale=$(pick 20 500 2000)
check_binding "$python" -S -c pass || { result 0 0; exit 1; }

t0=$(now)
out=$(PYTHONMALLOC=malloc "$python" -S -B "$(dirname "$0")/share/alloc.py" "$scale")
rc=$?
t1=$(now)
expect "alloc.py exit status" "$rc" 0
set -- $out
expect "alloc.py report" "${1:-}" ok
CHECKED=$((CHECKED + ${2:-0}))
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
result "${3:-0}" "$secs"
