#!/usr/bin/env bash
# bench/report.py on made-up results with known answers (no benchmark runs,
# no timing of this machine): buddymalloc+prof (libbuddymalloc with prof=1)
# is no peer, and the profiler's line is right.
#  - two synthetic workloads, one real one (where buddymalloc+prof does not
#    run) and two micro cases, under glibc, jemalloc, buddymalloc and
#    buddymalloc+prof; buddymalloc+prof is made the fastest and smallest of
#    the first workload, so that counting it as a peer would change the
#    summary, the fastest and the ratios;
#  - the summary's peers are glibc and jemalloc, its time ratio is the
#    geometric mean of buddymalloc / best peer (1.5, 2, 1), its micro ratio
#    that of (0.8, 0.5); the fastest of the first workload is jemalloc's;
#  - prof_cost: micro x sqrt(2) over 2 cases, synthetic time x sqrt(0.75)
#    and RSS x sqrt(0.55) over 2 workloads; the lines say so;
#  - the real workload shows "-" for buddymalloc+prof and is no failure; the
#    exit status is 0; a failed buddymalloc+prof run makes it 1.
set -u
top=${BUDDYMALLOC_TOP:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_report.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=$((fail + 1)); fi; }

# gnuplot is make bench's, not make check's: a stand-in that draws nothing
mkdir -p "$tmp/bin" "$tmp/res/raw"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/gnuplot"
chmod +x "$tmp/bin/gnuplot"

# make_results FAILED_PROF: writes $tmp/res/raw; FAILED_PROF=1 fails s2 under +prof
make_results() {
	/usr/bin/python3 - "$tmp/res/raw" "$1" <<'PY'
import json, os, sys
raw, failed_prof = sys.argv[1], sys.argv[2] == "1"
allocs = ["glibc", "jemalloc", "buddymalloc", "buddymalloc+prof"]
with open(os.path.join(raw, "meta.txt"), "w") as f:
    f.write("mode=quick\nthreads=2\nruns=3\nwarmup=0\ncores=2\ncpu=test\nkernel=test\n"
            "date=test\nsynthetic=s1 s2\nreal=r1\n")
    for a in allocs:
        f.write("allocator=%s|%s||\n" % (a, "" if a == "glibc" else "/lib/%s.so" % a))
    f.write("elapsed=1\n")
# workload -> allocator -> (wall s, peak RSS KiB)
figures = {
    "s1": {"glibc": (2.0, 100), "jemalloc": (1.0, 200), "buddymalloc": (1.5, 100),
           "buddymalloc+prof": (0.5, 50)},
    "s2": {"glibc": (1.0, 100), "jemalloc": (4.0, 100), "buddymalloc": (2.0, 100),
           "buddymalloc+prof": (4.5, 110)},
    "r1": {"glibc": (1.0, 100), "jemalloc": (1.0, 100), "buddymalloc": (1.0, 100)},
}
cols = ["workload", "allocator", "runs", "failed"]
for m in ("wall_s", "user_s", "sys_s", "maxrss_kb", "minflt", "majflt"):
    cols += [m + "_median", m + "_min", m + "_max"]
for w, per in figures.items():
    with open(os.path.join(raw, w + ".csv"), "w") as f:
        f.write(",".join(cols) + "\n")
        for a, (t, rss) in per.items():
            bad = failed_prof and w == "s2" and a == "buddymalloc+prof"
            vals = {"wall_s": t, "user_s": t, "sys_s": 0.1, "maxrss_kb": rss,
                    "minflt": 1000, "majflt": 0}
            row = [w, a, "3", "3" if bad else "0"]
            for m in ("wall_s", "user_s", "sys_s", "maxrss_kb", "minflt", "majflt"):
                row += ["" if bad else str(vals[m])] * 3
            f.write(",".join(row) + "\n")
# micro case -> allocator -> ns per op
micro = {"malloc_free/64/real_time": {"glibc": 10, "jemalloc": 20, "buddymalloc": 8,
                                      "buddymalloc+prof": 16},
         "calloc/64/real_time": {"glibc": 100, "jemalloc": 100, "buddymalloc": 50,
                                 "buddymalloc+prof": 50}}
for a in allocs:
    bench = [{"name": c, "run_type": "iteration", "real_time": per[a], "time_unit": "ns",
              "minflt": 0} for c, per in micro.items()]
    with open(os.path.join(raw, "micro-%s.json" % a), "w") as f:
        json.dump({"benchmarks": bench}, f)
PY
}

make_results 0
PATH=$tmp/bin:$PATH /usr/bin/python3 "$top/bench/report.py" "$tmp/res" >"$tmp/out.txt" 2>"$tmp/err.txt"
rc=$?
check "report.py exits 0 (exit $rc)" '[ $rc -eq 0 ]'
check "nothing on stderr" '[ ! -s "$tmp/err.txt" ] || { cat "$tmp/err.txt"; false; }'
/usr/bin/python3 - "$tmp/res/results.json" >"$tmp/py.txt" 2>&1 <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
near = lambda x, y: x is not None and abs(x - y) < 1e-9
s, p = d["summary"], d["prof_cost"]
assert s["peers"] == ["glibc", "jemalloc"], s["peers"]
assert s["workloads"] == 3 and near(s["time_ratio"], 3 ** (1 / 3)), s
assert s["micro_cases"] == 2 and near(s["micro_time_ratio"], math.sqrt(0.4)), s
w = {x["name"]: x for x in d["workloads"]}
assert near(w["s1"]["fastest_s"], 1.0) and near(w["s1"]["smallest_kb"], 100), w["s1"]
assert near(w["s1"]["results"]["jemalloc"]["time_rel"], 1.0)
assert near(w["s1"]["results"]["buddymalloc+prof"]["time_rel"], 0.5)
assert "buddymalloc+prof" not in w["r1"]["results"]
assert p["allocator"] == "buddymalloc+prof" and p["against"] == "buddymalloc", p
assert p["micro_cases"] == 2 and near(p["micro_time_ratio"], math.sqrt(2)), p
assert p["workloads"] == 2 and near(p["time_ratio"], math.sqrt(0.75)), p
assert near(p["rss_ratio"], math.sqrt(0.55)), p
assert d["failures"] == [], d["failures"]
print("ok")
PY
check "results.json: summary without buddymalloc+prof, prof_cost as computed by hand" \
	'grep -qx ok "$tmp/py.txt" || { cat "$tmp/py.txt"; false; }'
check "the summary line" \
	'grep -q "^summary: .* over 3 workloads: time x1.44, .*micro: time x0.63 over 2 cases$" "$tmp/out.txt"'
check "the profiler line" \
	'grep -qx "profiler: buddymalloc+prof against buddymalloc (prof=1 at the default rate), geometric mean: micro: time x1.414 over 2 cases; synthetic workloads: time x0.866, peak RSS x0.742 over 2" "$tmp/out.txt" || cat "$tmp/out.txt"'
check "the real workload shows - for buddymalloc+prof" \
	'grep -Eq "^r1 .*\| +1.00 +1.00 +1.00 +1.00 +1.00 +1.00 +- *$" "$tmp/out.txt" &&
	 grep -q "^| r1 | real | 1.000 s | 1.00 | 1.00 | 1.00 | - |$" "$tmp/res/results.md"'
check "results.md has the profiler line" 'grep -q "^profiler: buddymalloc+prof against" "$tmp/res/results.md"'

rm -rf "$tmp/res"
mkdir -p "$tmp/res/raw"
make_results 1
PATH=$tmp/bin:$PATH /usr/bin/python3 "$top/bench/report.py" "$tmp/res" >"$tmp/out2.txt" 2>&1
rc=$?
check "a failed buddymalloc+prof run: exit 1 and listed (exit $rc)" \
	'[ $rc -eq 1 ] && grep -q "^failed: s2 under buddymalloc+prof$" "$tmp/out2.txt"'
[ $fail -eq 0 ]
