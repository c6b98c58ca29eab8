#!/usr/bin/env bash
# tests/check/seed_mallinfo.sh - seed 001's mallinfo example program (its
# code, in tests/check/seed001_mallinfo.c, with only what the web page lost
# put back) built and run with the library preloaded, and plainly for
# comparison.
#
# The program mallocs i KiB for i = 0..199 (below 128 KiB it counts "heap",
# from 128 KiB on "mmap"), prints its own count next to mallinfo's
# (arena, fordblks, uordblks, hblkhd, hblks) and malloc_stats, frees every
# odd i, and prints both again.
# Proves that, before and after the frees, as the article's output shows:
#  - mallinfo's mmap count (hblks) equals the program's count: 72, then 36;
#  - mallinfo's mmap bytes (hblkhd) equal the program's up to page rounding:
#    at least the count, at most 4095 bytes more per chunk;
#  - in-use heap bytes (uordblks) agree within 5%, and are not below the
#    program's count;
#  - malloc_stats printed glibc's "Arena 0:" lines;
#  - the program exits with the status its code returns (1).
# The heap size (arena) and free bytes (fordblks) are printed beside the
# program's count and glibc's, for the log; the article shows them agreeing
# too, but this test does not require it.
. "$(dirname "$0")/common.bash"

top=${BUDDYMALLOC_TOP:?BUDDYMALLOC_TOP must be set}

# -w: the article prints mallinfo's int fields with %lu; kept as written
cc -O1 -w -o "$tmp/seed" "$top/tests/check/seed001_mallinfo.c" || { echo "cannot compile the seed's program"; exit 2; }

"$tmp/seed" >"$tmp/glibc.out" 2>"$tmp/glibc.err"
env LD_PRELOAD="$lib" "$tmp/seed" >"$tmp/ours.out" 2>"$tmp/ours.err"
rc=$?
echo "== with libbuddymalloc (exit $rc): stdout"
sed 's/^/    | /' "$tmp/ours.out"
echo "== with libbuddymalloc: malloc_stats on stderr"
sed 's/^/    | /' "$tmp/ours.err"
echo "== plain glibc: stdout"
sed 's/^/    | /' "$tmp/glibc.out"
if [ $rc -ne 1 ]; then
	echo "FAIL: the program exited $rc with the library; its code returns 1"
	exit 1
fi

python3 - "$tmp/ours.out" "$tmp/glibc.out" "$tmp/ours.err" <<'EOF'
import re, sys

def parse(path):
    """[(own, mallinfo), ...] for 'before' and 'after free'"""
    text = open(path).read()
    blocks = re.findall(r'count by itself:\s*(.*?)count by mallinfo:\s*(.*?)from malloc_stats:', text, re.S)
    out = []
    for own, mi in blocks:
        f = lambda s: {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', s)}
        out.append((f(own), f(mi)))
    return out

ours, glibc = parse(sys.argv[1]), parse(sys.argv[2])
err = open(sys.argv[3]).read()
bad = []
if len(ours) != 2:
    bad.append('expected 2 reports (before and after free), found %d' % len(ours))
for n, ((own, mi), (_, gmi)) in enumerate(zip(ours, glibc)):
    when = ('before the frees', 'after the frees')[n]
    print('%s:' % when)
    for k in ('heap_malloc_total', 'heap_free_total', 'heap_in_use', 'mmap_total', 'mmap_count'):
        o, m, g = own[k], mi[k], gmi[k]
        rel = (m - o) / o * 100 if o else float('nan')
        print('  %-18s program %10d  mallinfo %10d (%+7.2f%%)  glibc mallinfo %10d' % (k, o, m, rel, g))
    if mi['mmap_count'] != own['mmap_count']:
        bad.append('%s: mallinfo hblks %d, the program counts %d mapped blocks'
                   % (when, mi['mmap_count'], own['mmap_count']))
    slack = 4095 * own['mmap_count']
    if not own['mmap_total'] <= mi['mmap_total'] <= own['mmap_total'] + slack:
        bad.append('%s: mallinfo hblkhd %d, the program counts %d bytes (+ at most %d of page rounding)'
                   % (when, mi['mmap_total'], own['mmap_total'], slack))
    o, m = own['heap_in_use'], mi['heap_in_use']
    if m < o or m > o * 1.05:
        bad.append('%s: mallinfo uordblks %d, the program counts %d in use: not within 5%%' % (when, m, o))
if err.count('Arena 0:') != 2:
    bad.append('malloc_stats printed "Arena 0:" %d times, expected 2' % err.count('Arena 0:'))
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
EOF
rc=$?
[ $rc -eq 0 ] && echo "seed 001's mallinfo example agrees as expected"
exit $rc
