#!/usr/bin/env bash
# bench-smoke: every benchmark program of bench/ runs once in smoke mode
# (tiny sizes) with the library preloaded, so none of them can rot: each
# must exit 0 and print its RESULT line with errors=0 and checked>0 (it
# verified the bytes it wrote), and the micro benchmark binary must run
# every registered benchmark and write valid Google Benchmark JSON.
# No timing is looked at.
set -u
lib=${BUDDYMALLOC_LIB:?} build=${BUDDYMALLOC_BUILD:?} top=${BUDDYMALLOC_TOP:?}
progs=$build/bench
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-smoke.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

for src in "$top"/bench/synth/*.c "$top"/bench/real/*.c "$top"/bench/real/*.sh; do
	name=$(basename "${src%.*}")
	prog=$progs/$name
	n=$((n + 1))
	if [ ! -x "$prog" ]; then
		echo "FAIL $name: $prog not built"; fail=$((fail + 1)); continue
	fi
	out=$tmp/$name.out
	LD_PRELOAD=$lib timeout 300 "$prog" -m smoke -t 2 >"$out" 2>&1
	rc=$?
	result=$(grep '^RESULT ' "$out" | tail -1)
	checked=$(sed -n 's/.* checked=\([0-9]*\).*/\1/p' <<<"$result")
	errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$result")
	if [ $rc -ne 0 ] || [ -z "$result" ] || [ "${errors:-1}" != 0 ] || [ "${checked:-0}" -le 0 ]; then
		echo "FAIL $name: exit $rc, result line: ${result:-none}"
		tail -5 "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	else
		echo "ok   $name: checked=$checked errors=0"
	fi
done

n=$((n + 1))
LD_PRELOAD=$lib timeout 300 "$progs/micro" -m smoke -t 2 \
	--benchmark_out="$tmp/micro.json" --benchmark_out_format=json >"$tmp/micro.out" 2>&1
rc=$?
count=$(/usr/bin/python3 - "$tmp/micro.json" <<'PY' 2>/dev/null
import json, sys
d = json.load(open(sys.argv[1]))
bad = [b["name"] for b in d["benchmarks"] if b.get("error_occurred")]
print(len(d["benchmarks"]) if not bad else -1)
PY
)
if [ $rc -ne 0 ] || [ -z "$count" ] || [ "$count" -le 0 ]; then
	echo "FAIL micro: exit $rc, benchmarks in its JSON: ${count:-unreadable}"
	tail -5 "$tmp/micro.out" | sed 's/^/    /'
	fail=$((fail + 1))
else
	echo "ok   micro: $count benchmarks, JSON valid"
fi
echo "$((n - fail)) of $n benchmark programs pass their smoke run"
[ $fail -eq 0 ]
