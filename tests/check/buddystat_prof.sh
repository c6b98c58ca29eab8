#!/usr/bin/env bash
# buddystat -P / --prof-cost: the profiler's cost mode measures both runs
# and reads what the profiles say. No timing is looked at, only values:
#  - with -a buddymalloc -P buddymalloc -n 2, the JSON has buddymalloc and
#    buddymalloc+prof, two runs each, all exiting 0; only the profiled one
#    has "prof": one profile per run, at least 2 sampled stacks (the probe
#    prof_sites has 3 sites; its 5,000 blocks of 3,000 B and its 128 of
#    256 KiB are sure to be sampled at the default rate), allocated bytes
#    within 15% of the true 112,554,432 and bytes in use at exit within 15%
#    of the true 97,554,432 (the seed is fixed with prof_seed in the
#    environment, which the mode keeps); "prof_cost" names both and gives
#    positive ratios; the table has the profiling-cost lines;
#  - the CSV has a row for each, and the unprofiled runs write no profile;
#  - nothing is left in TMPDIR, and nothing is printed on stderr;
#  - --prof-cost without a NAME under the environment's LD_PRELOAD runs
#    NAME+prof after it; -P with an unknown name exits 2.
set -u
build=${BUDDYMALLOC_BUILD:?} lib=${BUDDYMALLOC_LIB:?}
bs=$build/bin/buddystat probe=$build/tests/check/probes/prof_sites
tmp=$(mktemp -d "${TMPDIR:-/tmp}/buddystat_prof.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=$((fail + 1)); fi; }

[ -x "$bs" ] && [ -x "$probe" ] || { echo "FAIL buddystat or prof_sites not built"; exit 1; }
mkdir "$tmp/t" "$tmp/run"
(cd "$tmp/run" && TMPDIR=$tmp/t BUDDYMALLOC_OPTIONS=prof_seed=7 \
	"$bs" -q -n 2 -a "buddymalloc=$lib" -P buddymalloc -w sites \
	-o "$tmp/r.json" -o "$tmp/r.csv" -- "$probe" >"$tmp/table.txt" 2>"$tmp/err.txt")
rc=$?
check "buddystat -P exits 0 (exit $rc)" '[ $rc -eq 0 ]'
check "nothing on stderr" '[ ! -s "$tmp/err.txt" ] || { cat "$tmp/err.txt"; false; }'
check "nothing left in TMPDIR" '[ -z "$(ls -A "$tmp/t")" ] || { ls -lA "$tmp/t"; false; }'
check "no profile in the working directory" '[ -z "$(ls -A "$tmp/run")" ]'
check "the table has the profiled allocator and the cost line" \
	'grep -q "^  buddymalloc+prof " "$tmp/table.txt" &&
	 grep -q "^  profiling cost, buddymalloc+prof / buddymalloc: wall x[0-9.]* " "$tmp/table.txt" &&
	 grep -q "^  buddymalloc+prof, median per run: 1 profiles, " "$tmp/table.txt" ||
	 { cat "$tmp/table.txt"; false; }'
/usr/bin/python3 - "$tmp/r.json" "$tmp/r.csv" >"$tmp/py.txt" 2>&1 <<'PY'
import csv, json, sys
doc = json.load(open(sys.argv[1]))
rows = {r["allocator"]: r for r in csv.DictReader(open(sys.argv[2]))}
res = {r["allocator"]: r for r in doc["results"]}
assert sorted(res) == ["buddymalloc", "buddymalloc+prof"], sorted(res)
assert sorted(rows) == sorted(res), sorted(rows)
for name, r in res.items():
    assert r["runs"] == 2 and r["failed"] == 0 and r["exit"] == [0, 0], (name, r["exit"])
    assert all(x > 0 for x in r["wall_s"]["samples"]), (name, r["wall_s"])
    assert rows[name]["runs"] == "2" and rows[name]["failed"] == "0", rows[name]
assert res["buddymalloc"]["preload"] == res["buddymalloc+prof"]["preload"]
assert "prof" not in res["buddymalloc"], "the unprofiled allocator has profile figures"
p = res["buddymalloc+prof"]["prof"]
truth = {"alloc_bytes": 64000 * 1000 + 128 * 262144 + 5000 * 3000,
         "live_bytes": 64000 * 1000 + 128 * 262144}
for run in range(2):
    assert p["profiles"]["samples"][run] == 1, p["profiles"]
    assert p["stacks"]["samples"][run] >= 2, p["stacks"]
    for key, want in truth.items():
        got = p[key]["samples"][run]
        assert abs(got - want) <= want * 0.15, "%s run %d: %s, truth %d" % (key, run, got, want)
c = doc["prof_cost"]
assert c["allocator"] == "buddymalloc" and c["profiled"] == "buddymalloc+prof", c
for key in ("wall_s_ratio", "wall_paired_ratio", "user_s_ratio", "maxrss_kb_ratio"):
    assert c[key] is not None and c[key] > 0, (key, c)
print("ok", p["stacks"]["samples"], p["alloc_bytes"]["samples"], p["live_bytes"]["samples"])
PY
check "JSON/CSV: both ran twice, one profile a run, stacks and bytes as the probe's" \
	'grep -q "^ok" "$tmp/py.txt" && cat "$tmp/py.txt" || { cat "$tmp/py.txt"; false; }'

(cd "$tmp/run" && TMPDIR=$tmp/t LD_PRELOAD=$lib "$bs" -q --prof-cost -f json -- "$probe" \
	>"$tmp/env.json" 2>"$tmp/env.err")
rc=$?
names=$(/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(r["allocator"] for r in d["results"]),
      d["results"][1]["prof"]["profiles"]["samples"][0])' "$tmp/env.json" 2>&1)
base=$(basename "$lib")
check "--prof-cost under LD_PRELOAD: $base and $base+prof, one profile (exit $rc: $names)" \
	'[ $rc -eq 0 ] && [ "$names" = "$base $base+prof 1" ] && [ ! -s "$tmp/env.err" ]'
check "nothing left in TMPDIR after --prof-cost" '[ -z "$(ls -A "$tmp/t")$(ls -A "$tmp/run")" ]'

"$bs" -q -a "buddymalloc=$lib" -P nosuch -- /bin/true >/dev/null 2>&1
rc=$?
check "-P with an unknown allocator exits 2 (exit $rc)" '[ $rc -eq 2 ]'
[ $fail -eq 0 ]
