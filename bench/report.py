#!/usr/bin/python3
"""bench/report.py RESULTS_DIR - merge one run of the suite into the report.

Reads what bench/run.sh left in RESULTS_DIR:
  raw/meta.txt           the machine, the mode, the allocators
  raw/WORKLOAD.csv       buddystat's figures per allocator (medians, min, max)
  logs/WORKLOAD.log      the programs' own RESULT lines, per allocator and run
  raw/micro-ALLOC.json   Google Benchmark's JSON, one file per allocator
and writes, next to them:
  results.csv, results.json, results.md
  time.png/.svg, rss.png/.svg, micro.png/.svg   (gnuplot, bench/plot.gp)
then prints the tables, the summary line and the profiler's line.  A run
that failed is marked FAIL and listed; the exit status is 1 only when a run
under libbuddymalloc (profiled or not) failed (a peer's failure is its own
finding, reported, and the comparison goes on), else 0.  Everything is
written either way.

buddymalloc+prof, libbuddymalloc with prof=1, runs in the micro benchmarks
and the synthetic workloads only ("-" elsewhere).  It is no peer: it is left
out of the best-peer summary and of the fastest and smallest that the
ratios are relative to; its own line is the geometric mean of
buddymalloc+prof / buddymalloc.
Standard library only.
"""
import csv
import json
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = "buddymalloc"
PROF = OURS + "+prof"           # ours with the heap profiler on: no peer
SHORT = {PROF: "buddy+prof"}    # column headings of the text tables
# Program-reported figures worth a column in the Markdown (all are in JSON).
REPORTED = {
    "server2m": [("minflt_per_req", "minor faults per request"),
                 ("rss_idle_kb", "RSS after the load, KiB")],
    "mleak": [("rss_growth_kb", "RSS growth over 3/4 of the rounds, KiB")],
    "redis": [("lpush_rps", "LPUSH requests/s"),
              ("lrange_100_rps", "LRANGE_100 requests/s")],
}
RESULT_SKIP = {"name", "mode", "threads"}


def number(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def read_meta(raw):
    meta, allocs = {}, []
    with open(os.path.join(raw, "meta.txt")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            if key == "allocator":
                name, lib, pkg, ver = (value.split("|") + ["", "", ""])[:4]
                allocs.append({"name": name, "lib": lib, "package": pkg, "version": ver})
            else:
                meta[key] = value
    return meta, allocs


def read_workload(path):
    """buddystat's CSV: allocator -> figures (None where every run failed)."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out[row["allocator"]] = {
                "wall_s": number(row["wall_s_median"]),
                "wall_min_s": number(row["wall_s_min"]),
                "wall_max_s": number(row["wall_s_max"]),
                "user_s": number(row["user_s_median"]),
                "sys_s": number(row["sys_s_median"]),
                "peak_rss_kb": number(row["maxrss_kb_median"]),
                "minflt": number(row["minflt_median"]),
                "majflt": number(row["majflt_median"]),
                "runs": int(row["runs"]),
                "failed": int(row["failed"]),
            }
    return out


def read_reported(path, warmup):
    """The programs' RESULT lines: allocator -> key -> median over runs."""
    runs, alloc, run = {}, None, 0
    if not os.path.exists(path):
        return {}
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"### buddystat workload=\S+ allocator=(\S+) run=(\d+)", line)
            if m:
                alloc, run = m.group(1), int(m.group(2))
                continue
            if line.startswith("RESULT ") and alloc and run >= warmup:
                fields = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
                runs.setdefault(alloc, []).append(fields)
    out = {}
    for a, rs in runs.items():
        keys = {k for r in rs for k in r} - RESULT_SKIP
        out[a] = {k: median([number(r.get(k)) for r in rs]) for k in sorted(keys)}
    return out


def read_micro(raw, allocs):
    """Google Benchmark JSON: case -> allocator -> {ns_per_op, minflt_per_op}."""
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    cases = {}
    for a in allocs:
        path = os.path.join(raw, "micro-%s.json" % a)
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError):
            continue
        for b in data.get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration":
                continue
            name = b["name"].replace("/real_time", "")
            entry = {"ns_per_op": None, "minflt_per_op": b.get("minflt"),
                     "error": b.get("error_message") if b.get("error_occurred") else None}
            if not entry["error"]:
                entry["ns_per_op"] = b["real_time"] * scale.get(b.get("time_unit", "ns"), 1.0)
            cases.setdefault(name, {})[a] = entry
    return cases


def add_ratios(results, key, rel_key):
    """Ratios to the best allocator; PROF gets one but is not a candidate."""
    vals = [r[key] for a, r in results.items()
            if a != PROF and r.get(key) is not None and r[key] > 0]
    best = min(vals) if vals else None
    for r in results.values():
        v = r.get(key)
        r[rel_key] = v / best if best and v is not None and v > 0 else None
    return best


def summarize(workloads, micro, names):
    """Our geometric-mean ratios against the best peer of each workload."""
    peers = [a for a in names if a not in (OURS, PROF)]
    out = {"allocator": OURS, "peers": peers}
    if OURS not in names:
        out["note"] = "libbuddymalloc was not measured"
        return out
    t, r, n_fail = [], [], 0
    for w in workloads:
        res = w["results"]
        ours = res.get(OURS)
        if not ours or ours["wall_s"] is None:
            n_fail += 1
            continue
        pt = [res[p]["wall_s"] for p in peers if p in res and res[p]["wall_s"]]
        pr = [res[p]["peak_rss_kb"] for p in peers if p in res and res[p]["peak_rss_kb"]]
        if pt:
            t.append(ours["wall_s"] / min(pt))
        if pr and ours["peak_rss_kb"]:
            r.append(ours["peak_rss_kb"] / min(pr))
    m = []
    for c in micro:
        res = c["results"]
        ours = res.get(OURS)
        pt = [res[p]["ns_per_op"] for p in peers if p in res and res[p]["ns_per_op"]]
        if ours and ours["ns_per_op"] and pt:
            m.append(ours["ns_per_op"] / min(pt))
    out.update({"workloads": len(t), "failed_workloads": n_fail,
                "time_ratio": geomean(t), "rss_ratio": geomean(r),
                "micro_cases": len(m), "micro_time_ratio": geomean(m)})
    return out


def summary_line(s):
    if "note" in s:
        return "summary: %s (peers: %s)" % (s["note"], " ".join(s["peers"]))

    def x(v):
        return "x%.2f" % v if v else "n/a"
    line = ("summary: libbuddymalloc against the best peer of each workload, geometric "
            "mean over %d workloads: time %s, peak RSS %s; micro: time %s over %d cases"
            % (s["workloads"], x(s["time_ratio"]), x(s["rss_ratio"]),
               x(s["micro_time_ratio"]), s["micro_cases"]))
    if s["failed_workloads"]:
        line += "; failed %d workloads" % s["failed_workloads"]
    return line


def prof_cost(workloads, micro, names):
    """The profiler's cost: geometric means of PROF / OURS."""
    out = {"allocator": PROF, "against": OURS}
    if PROF not in names or OURS not in names:
        out["note"] = "%s was not measured" % PROF
        return out

    def pairs(rows, key):
        got = []
        for r in rows:
            ours, prof = r["results"].get(OURS), r["results"].get(PROF)
            if ours and prof and ours.get(key) and prof.get(key):
                got.append(prof[key] / ours[key])
        return got
    synth = [w for w in workloads if w["kind"] == "synthetic"]
    m, t, r = pairs(micro, "ns_per_op"), pairs(synth, "wall_s"), pairs(synth, "peak_rss_kb")
    out.update({"micro_cases": len(m), "micro_time_ratio": geomean(m),
                "workloads": len(t), "time_ratio": geomean(t), "rss_ratio": geomean(r)})
    return out


def prof_line(p):
    if "note" in p:
        return "profiler: %s" % p["note"]

    def x(v):
        return "x%.3f" % v if v else "n/a"
    return ("profiler: %s against %s (prof=1 at the default rate), geometric mean: "
            "micro: time %s over %d cases; synthetic workloads: time %s, peak RSS %s over %d"
            % (PROF, OURS, x(p["micro_time_ratio"]), p["micro_cases"], x(p["time_ratio"]),
               x(p["rss_ratio"]), p["workloads"]))


def not_run(a, kind):
    """PROF is not run in the real workloads: "-", not a failure."""
    return a == PROF and kind == "real"


def fmt_ratio(v, fail="FAIL"):
    return fail if v is None else "%.2f" % v


def fmt_count(v):
    if v is None:
        return "-"
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div * 10:
            return "%.0f%s" % (v / div, suffix)
        if v >= div:
            return "%.1f%s" % (v / div, suffix)
    return "%.0f" % v


def absent(a, w):
    """The cell of an allocator with no figure for workload w."""
    return "-" if not_run(a, w["kind"]) else "FAIL"


def faults_cell(r, missing="FAIL"):
    if not r:
        return missing
    if r.get("minflt") is None:
        return "FAIL"
    cell = fmt_count(r["minflt"])
    if r.get("majflt"):
        cell += " (%s)" % fmt_count(r["majflt"])
    return cell


def text_tables(meta, names, workloads, micro):
    out = []
    head = ("Time relative to the fastest allocator / peak RSS relative to the smallest"
            " (%s mode, %s threads, %s cores, %s runs)"
            % (meta.get("mode"), meta.get("threads"), meta.get("cores"), meta.get("runs")))
    out.append(head)
    line = "%-15s %8s %8s |" % ("workload", "fastest", "smallest")
    for a in names:
        line += " %-11s" % SHORT.get(a, a)[:11]
    out.append(line)
    out.append("%-15s %8s %8s |" % ("", "s", "MiB") + " %-11s" % "time  rss" * len(names))
    for w in workloads:
        line = "%-15s %8s %8s |" % (
            w["name"][:15], "%.3f" % w["fastest_s"] if w["fastest_s"] else "-",
            "%.1f" % (w["smallest_kb"] / 1024) if w["smallest_kb"] else "-")
        for a in names:
            r = w["results"].get(a)
            if not r and not_run(a, w["kind"]):
                line += " %-11s" % "-"
            elif not r or r["wall_s"] is None:
                line += " %-11s" % "FAIL"
            else:
                line += " %5s %5s" % (fmt_ratio(r["time_rel"]), fmt_ratio(r["rss_rel"]))
        out.append(line)
    out.append("")
    out.append("Minor faults of the whole process tree (major faults in parentheses when any)")
    out.append("%-15s" % "workload" + "".join(" %11s" % SHORT.get(a, a)[:11] for a in names))
    for w in workloads:
        out.append("%-15s" % w["name"][:15] +
                   "".join(" %11s" % faults_cell(w["results"].get(a), absent(a, w))
                           for a in names))
    if micro:
        out.append("")
        out.append("Micro benchmarks: time per operation relative to the fastest")
        width = max(len(c["name"]) for c in micro)
        out.append("%-*s %9s |" % (width, "case", "fastest") +
                   "".join(" %11s" % SHORT.get(a, a)[:11] for a in names))
        for c in micro:
            out.append("%-*s %9s |" % (width, c["name"], "%.1fns" % c["fastest_ns"]
                                       if c["fastest_ns"] else "-") +
                       "".join(" %11s" % fmt_ratio(c["results"].get(a, {}).get("time_rel"))
                               for a in names))
    return "\n".join(out)


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def markdown(meta, allocs, names, workloads, micro, summary, prof):
    md = ["# Benchmark results", ""]
    md.append("%s mode, %s threads, %s run(s) per allocator (plus %s warm-up), "
              "on %s cores (%s, %s), %s; the suite took %s s."
              % (meta.get("mode"), meta.get("threads"), meta.get("runs"), meta.get("warmup"),
                 meta.get("cores"), meta.get("cpu"), meta.get("kernel"), meta.get("date"),
                 meta.get("elapsed", "?")))
    md += ["", "**" + summary_line(summary) + "**", "", prof_line(prof), ""]
    md.append(md_table(["allocator", "library", "package", "version"],
                       [[a["name"], "`%s`" % a["lib"] if a["lib"] else "(none)",
                         a["package"] or "-", a["version"] or "-"] for a in allocs]))
    md += ["", "## Time relative to the fastest allocator", "",
           "Median wall time of the whole process tree; 1.00 is the fastest.", ""]
    rows = []
    for w in workloads:
        rows.append([w["name"], w["kind"], "%.3f s" % w["fastest_s"] if w["fastest_s"] else "-"] +
                    [fmt_ratio(w["results"].get(a, {}).get("time_rel"), absent(a, w))
                     for a in names])
    md.append(md_table(["workload", "kind", "fastest"] + names, rows))
    md += ["", "![relative time](time.svg)", "",
           "## Peak RSS relative to the smallest", "",
           "Largest resident set of any process of the tree; 1.00 is the smallest.", ""]
    rows = []
    for w in workloads:
        rows.append([w["name"], "%.1f MiB" % (w["smallest_kb"] / 1024) if w["smallest_kb"] else "-"] +
                    [fmt_ratio(w["results"].get(a, {}).get("rss_rel"), absent(a, w))
                     for a in names])
    md.append(md_table(["workload", "smallest"] + names, rows))
    md += ["", "![relative peak RSS](rss.svg)", "",
           "## Page faults", "", "Minor faults (major faults in parentheses when any).", ""]
    md.append(md_table(["workload"] + names,
                       [[w["name"]] + [faults_cell(w["results"].get(a), absent(a, w))
                                       for a in names]
                        for w in workloads]))
    rows = []
    for w in workloads:
        for key, doc in REPORTED.get(w["name"], []):
            vals = [w["results"].get(a, {}).get("reported", {}).get(key) for a in names]
            rows.append([w["name"], doc] + ["-" if v is None else "%.4g" % v for v in vals])
    if rows:
        md += ["", "## Figures the programs report themselves", ""]
        md.append(md_table(["workload", "figure"] + names, rows))
    if micro:
        md += ["", "## Micro benchmarks", "",
               "Time per operation relative to the fastest (Google Benchmark, real time).", ""]
        md.append(md_table(["case", "fastest"] + names,
                           [[c["name"], "%.1f ns" % c["fastest_ns"] if c["fastest_ns"] else "-"] +
                            [fmt_ratio(c["results"].get(a, {}).get("time_rel")) for a in names]
                            for c in micro]))
        md += ["", "![micro benchmarks](micro.svg)"]
    md.append("")
    return "\n".join(md)


def write_csv(path, names, workloads, micro):
    cols = ["kind", "workload", "allocator", "time", "time_unit", "time_rel", "time_min",
            "time_max", "peak_rss_kb", "rss_rel", "minflt", "majflt", "user_s", "sys_s",
            "runs", "failed"]

    def v(x):
        return "" if x is None else ("%.6g" % x if isinstance(x, float) else str(x))
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(cols)
        for w in workloads:
            for a in names:
                r = w["results"].get(a)
                if not r:
                    continue
                out.writerow([w["kind"], w["name"], a] + [v(x) for x in (
                    r["wall_s"], "s", r["time_rel"], r["wall_min_s"], r["wall_max_s"],
                    r["peak_rss_kb"], r["rss_rel"], r["minflt"], r["majflt"], r["user_s"],
                    r["sys_s"], r["runs"], r["failed"])])
        for c in micro:
            for a in names:
                r = c["results"].get(a)
                if not r:
                    continue
                out.writerow(["micro", c["name"], a] + [v(x) for x in (
                    r["ns_per_op"], "ns/op", r.get("time_rel"), None, None, None, None,
                    r["minflt_per_op"], None, None, None, 1, 1 if r["error"] else 0)])


def plot(results, base, names, rows, ylab, heading):
    """rows: (label, [ratio per allocator]).  gnuplot writes BASE.png, BASE.svg."""
    if not rows:
        return True
    dat = os.path.join(results, base + ".dat")
    with open(dat, "w") as f:
        f.write("workload " + " ".join(names) + "\n")
        for label, vals in rows:
            f.write(label.replace(" ", "_") + " " +
                    " ".join("-" if x is None else "%.4f" % x for x in vals) + "\n")
    expr = "datafile='%s'; out='%s'; ylab='%s'; heading='%s'" % (
        dat, os.path.join(results, base), ylab, heading)
    try:
        p = subprocess.run(["gnuplot", "-e", expr, os.path.join(HERE, "plot.gp")],
                           capture_output=True, text=True)
    except OSError as e:
        print("report: gnuplot: %s" % e, file=sys.stderr)
        return False
    if p.returncode != 0:
        print("report: gnuplot failed for %s:\n%s" % (base, p.stderr), file=sys.stderr)
        return False
    return True


def main():
    if len(sys.argv) != 2:
        print("usage: report.py RESULTS_DIR", file=sys.stderr)
        return 2
    results = sys.argv[1]
    raw = os.path.join(results, "raw")
    meta, allocs = read_meta(raw)
    names = [a["name"] for a in allocs]
    warmup = int(meta.get("warmup", "0") or 0)
    order = meta.get("synthetic", "").split() + meta.get("real", "").split()
    kinds = {w: "synthetic" for w in meta.get("synthetic", "").split()}
    kinds.update({w: "real" for w in meta.get("real", "").split()})

    workloads = []
    for w in order:
        path = os.path.join(raw, w + ".csv")
        if not os.path.exists(path):
            continue
        res = read_workload(path)
        reported = read_reported(os.path.join(results, "logs", w + ".log"), warmup)
        for a, r in res.items():
            r["reported"] = reported.get(a, {})
        fastest = add_ratios(res, "wall_s", "time_rel")
        smallest = add_ratios(res, "peak_rss_kb", "rss_rel")
        workloads.append({"name": w, "kind": kinds.get(w, "?"), "fastest_s": fastest,
                          "smallest_kb": smallest, "results": res})

    micro = []
    for name, res in read_micro(raw, names).items():
        fastest = add_ratios(res, "ns_per_op", "time_rel")
        micro.append({"name": name, "fastest_ns": fastest, "results": res})

    summary = summarize(workloads, micro, names)
    prof = prof_cost(workloads, micro, names)
    failures = ["%s under %s" % (w["name"], a) for w in workloads for a in names
                if a in w["results"] and w["results"][a]["failed"]]
    failures += ["%s under %s" % (w["name"], a) for w in workloads for a in names
                 if a not in w["results"] and not not_run(a, w["kind"])]
    failures += ["micro %s under %s" % (c["name"], a) for c in micro for a in names
                 if not c["results"].get(a) or c["results"][a]["error"]]

    write_csv(os.path.join(results, "results.csv"), names, workloads, micro)
    with open(os.path.join(results, "results.json"), "w") as f:
        json.dump({"meta": meta, "allocators": allocs, "workloads": workloads,
                   "micro": micro, "summary": summary, "prof_cost": prof,
                   "failures": failures},
                  f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(results, "results.md"), "w") as f:
        f.write(markdown(meta, allocs, names, workloads, micro, summary, prof))

    what = "%s mode, %s threads" % (meta.get("mode"), meta.get("threads"))
    plot(results, "time", names,
         [(w["name"], [w["results"].get(a, {}).get("time_rel") for a in names])
          for w in workloads],
         "wall time / fastest", "Time relative to the fastest allocator (%s)" % what)
    plot(results, "rss", names,
         [(w["name"], [w["results"].get(a, {}).get("rss_rel") for a in names])
          for w in workloads],
         "peak RSS / smallest", "Peak RSS relative to the smallest (%s)" % what)
    plot(results, "micro", names,
         [(c["name"], [c["results"].get(a, {}).get("time_rel") for a in names])
          for c in micro],
         "time per op / fastest", "Micro benchmarks, time relative to the fastest (%s)" % what)

    print()
    print(text_tables(meta, names, workloads, micro))
    print()
    if failures:
        print("failed: " + ", ".join(failures))
    print("results: %s/results.{md,csv,json}, {time,rss,micro}.{png,svg}" % results)
    print(summary_line(summary))
    print(prof_line(prof))
    ours = [f for f in failures if f.endswith((" under " + OURS, " under " + PROF))]
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
