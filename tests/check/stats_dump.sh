#!/usr/bin/env bash
# tests/check/stats_dump.sh - BUDDYMALLOC_OPTIONS=stats=json|text prints the
# statistics when the program exits, to stderr or to stats_file.
#
# The program (tests/check/probes/stats_dump.c) ends holding 2 mapped
# chunks of 300000 bytes and 100 objects of 100 bytes; with "close" it closes fd 2 before exit, as
# many programs do.
# Proves that
#  - stats=json: stderr holds exactly one JSON document (python3 -m
#    json.tool accepts it) with mallinfo2's 10 fields, the two zones (brk,
#    mmap) with 11 free counts each, the size classes (a 112-byte class with
#    >= 100 active objects), chunks.live = 2 and live_bytes = 2 * 303104
#    (= mallinfo2 hblks / hblkhd), page caches, and faults.minflt > 0;
#  - stats=json,stats_file=F: the same document in F, nothing on stderr;
#  - stats=text: stderr starts with glibc's "Arena 0:" lines and has our
#    views (buddyinfo, slabinfo, "2 live" chunks, minflt/majflt);
#    stats=text,stats_file=F: the same in F, stderr empty;
#  - a program that closes stderr before exit still gets its stats=json
#    document on the stderr it started with;
#  - without stats=, nothing is printed; an unwritable stats_file gives one
#    line on stderr.
. "$(dirname "$0")/common.bash"

probe=$probes/stats_dump
[ -x "$probe" ] || { echo "$probe is not built (make tests)"; exit 2; }

run() {	# options [arg]
	env -i PATH=/usr/bin:/bin LD_PRELOAD="$lib" BUDDYMALLOC_OPTIONS="$1" "$probe" ${2:-} \
		>"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ $rc -eq 0 ] || fail "the program exited $rc with BUDDYMALLOC_OPTIONS=$1"
}

check_json() {	# label file
	if ! python3 -m json.tool "$2" >/dev/null 2>"$tmp/jerr"; then
		fail "$1: python3 -m json.tool rejects it: $(head -c 300 "$tmp/jerr")"
		sed 's/^/    | /' "$2" | head -c 2000
		return
	fi
	echo "  $1: python3 -m json.tool accepts it ($(wc -c <"$2") bytes)"
	python3 - "$2" "$1" <<'EOF' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
label = sys.argv[2]
bad = []
mi = d.get('mallinfo2', {})
for f in ('arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks', 'fsmblks',
          'uordblks', 'fordblks', 'keepcost'):
    if not isinstance(mi.get(f), int) or mi[f] < 0:
        bad.append('mallinfo2.%s is %r' % (f, mi.get(f)))
if mi.get('arena') != mi.get('uordblks', 0) + mi.get('fordblks', 0):
    bad.append('arena != uordblks + fordblks: %r' % mi)
zones = d.get('zones', [])
if sorted(z.get('name') for z in zones) != ['brk', 'mmap']:
    bad.append('zones: %r' % [z.get('name') for z in zones])
for z in zones:
    if len(z.get('nr_free', [])) != 11:
        bad.append('zone %s: nr_free has %d counts' % (z.get('name'), len(z.get('nr_free', []))))
c112 = [c for c in d.get('classes', []) if c.get('size') == 112]
if not c112 or c112[0].get('active_objs', 0) < 100:
    bad.append('no 112-byte class with >= 100 active objects: %r' % c112)
ch = d.get('chunks', {})
if ch.get('live') != 2 or ch.get('live_bytes') != 2 * 303104:
    bad.append('chunks: %r, expected live 2, live_bytes 606208' % ch)
if mi.get('hblks') != ch.get('live') or mi.get('hblkhd') != ch.get('live_bytes'):
    bad.append('mallinfo2 hblks/hblkhd %r/%r vs chunks %r' % (mi.get('hblks'), mi.get('hblkhd'), ch))
if 'page_cache_pages' not in d.get('threads', {}):
    bad.append('no threads.page_cache_pages')
if d.get('faults', {}).get('minflt', 0) <= 0:
    bad.append('faults: %r' % d.get('faults'))
print('  %s: mallinfo2 %s; chunks %s; faults %s' % (label, mi, ch, d.get('faults')))
for b in bad:
    print('FAIL: %s: %s' % (label, b))
sys.exit(1 if bad else 0)
EOF
}

check_text() {	# label file
	local f=$2
	head -n 8 "$f" | sed 's/^/    | /'
	[ "$(head -n 1 "$f")" = "Arena 0:" ] || fail "$1: first line is '$(head -n 1 "$f")', expected 'Arena 0:'"
	for want in '^system bytes     = ' '^in use bytes     = ' '^Total \(incl\. mmap\):$' \
		'^max mmap regions = ' '^max mmap bytes   = ' 'buddyinfo' '^Node 0, zone +brk' \
		'slabinfo' '^size-112 ' 'mapped chunks: 2 live' 'minflt [0-9]+ majflt [0-9]+'; do
		grep -Eq "$want" "$f" || fail "$1: no line matching /$want/"
	done
	echo "  $1: $(wc -l <"$f") lines, glibc's first, then ours"
}

echo "== stats=json to stderr"
run stats=json
check_json "stats=json on stderr" "$tmp/err"

echo "== stats=json to stats_file"
run "stats=json,stats_file=$tmp/s.json"
[ -s "$tmp/err" ] && fail "stats_file given, but stderr has: $(head -c 300 "$tmp/err")"
[ -s "$tmp/s.json" ] || fail "stats_file $tmp/s.json is empty or missing"
[ -s "$tmp/s.json" ] && check_json "stats=json in stats_file" "$tmp/s.json"

echo "== stats=text to stderr"
run stats=text
check_text "stats=text on stderr" "$tmp/err"

echo "== stats=text to stats_file"
run "stats=text,stats_file=$tmp/s.txt"
[ -s "$tmp/err" ] && fail "stats_file given, but stderr has: $(head -c 300 "$tmp/err")"
[ -s "$tmp/s.txt" ] && check_text "stats=text in stats_file" "$tmp/s.txt"
[ -s "$tmp/s.txt" ] || fail "stats_file $tmp/s.txt is empty or missing"

echo "== a program that closes stderr before exit"
run stats=json close
check_json "stats=json, fd 2 closed by the program" "$tmp/err"

echo "== no stats option: nothing"
run ""
[ -s "$tmp/err" ] && fail "BUDDYMALLOC_OPTIONS empty, stderr has: $(head -c 300 "$tmp/err")"
run stats=none
[ -s "$tmp/err" ] && fail "stats=none, stderr has: $(head -c 300 "$tmp/err")"

echo "== unwritable stats_file"
run "stats=json,stats_file=$tmp/no/such/dir/s.json"
echo "  stderr: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "unwritable stats_file: $(wc -l <"$tmp/err") lines on stderr, expected 1"

if [ $failures -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "stats at exit as expected"
