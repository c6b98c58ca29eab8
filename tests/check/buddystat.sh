#!/usr/bin/env bash
# buddystat: its figures agree with a program whose faults are known.
# touch-pages N maps N fresh pages and writes one byte on each: that is at
# least N minor faults and at least N pages of peak RSS, in every run and
# under every allocator (buddystat counts the whole process tree from
# wait4's rusage). Also: the CSV and JSON outputs parse and say the same,
# a failing command makes buddystat exit 1, and misuse exits 2.
set -u
build=${BUDDYMALLOC_BUILD:?} lib=${BUDDYMALLOC_LIB:?}
bs=$build/bin/buddystat touch=$build/bench/tools/touch-pages
tmp=$(mktemp -d "${TMPDIR:-/tmp}/buddystat.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=$((fail + 1)); fi; }

[ -x "$bs" ] && [ -x "$touch" ] || { echo "FAIL buddystat or touch-pages not built"; exit 1; }
pages=20000
"$bs" -q -n 3 -a glibc -a "buddymalloc=$lib" -w touch -o "$tmp/r.csv" -o "$tmp/r.json" \
	-- "$touch" $pages >"$tmp/table.txt" 2>"$tmp/err.txt"
rc=$?
check "buddystat exits 0 when every run does (exit $rc)" '[ $rc -eq 0 ]'
check "the table names both allocators" 'grep -q glibc "$tmp/table.txt" && grep -q buddymalloc "$tmp/table.txt"'
/usr/bin/python3 - "$tmp/r.csv" "$tmp/r.json" $pages >"$tmp/py.txt" 2>&1 <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
doc = json.load(open(sys.argv[2]))
pages = int(sys.argv[3])
assert rows, "no CSV rows"
def find(d, key):
    if isinstance(d, dict):
        if key in d:
            yield d
        for v in d.values():
            yield from find(v, key)
    elif isinstance(d, list):
        for v in d:
            yield from find(v, key)
print("csv columns:", sorted(rows[0].keys()))
minflt_cols = [k for k in rows[0] if "minflt" in k.lower() or "minor" in k.lower()]
rss_cols = [k for k in rows[0] if "rss" in k.lower()]
assert minflt_cols and rss_cols, "no fault or RSS column"
for r in rows:
    for k in minflt_cols:
        v = float(r[k])
        assert v >= pages, f"{k}={v} < {pages} touched pages in {r}"
    for k in rss_cols:
        v = float(r[k])
        unit = 1024 * 1024 if "mib" in k.lower() else 1024 if "kib" in k.lower() or "kb" in k.lower() else 1
        assert v * unit >= pages * 4096 * 0.95, f"{k}={v} below {pages} pages"
assert list(find(doc, "allocator")) or list(find(doc, "allocators")), "JSON has no allocator"
print("ok")
PY
check "CSV/JSON parse; every run has >= $pages minor faults and peak RSS >= $pages pages" \
	'grep -qx ok "$tmp/py.txt" || { cat "$tmp/py.txt"; false; }'
"$bs" -q -a glibc -- /bin/false >/dev/null 2>&1
rc=$?
check "a failing command makes buddystat exit 1 (exit $rc)" '[ $rc -eq 1 ]'
"$bs" -q -n x -- /bin/true >/dev/null 2>&1
rc=$?
check "misuse exits 2 (exit $rc)" '[ $rc -eq 2 ]'
[ $fail -eq 0 ]
