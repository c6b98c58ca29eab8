#!/usr/bin/env bash
# tests/check/malloc_info_xml.sh - malloc_info(0, fp) writes well-formed XML
# in glibc's shape, with numbers that agree with mallinfo2.
#
# A program (tests/check/probes/malloc_info_xml.c) holds 3 mapped chunks
# (300000 bytes), small objects and page runs, frees some, then writes malloc_info(0, fp) to a file
# and mallinfo2's fields to another, with nothing allocated in between. It
# runs twice: with LD_PRELOAD=$BUDDYMALLOC_LIB, and plainly (glibc's output,
# the reference for the shape).
# Proves that
#  - xmllint --noout accepts our output (and glibc's);
#  - the root is <malloc version="1">, with <heap nr="..."> children, each
#    with <sizes> and the totals, then the totals of the whole;
#  - every kind of element glibc wrote (element path, attribute names, and
#    the value of "type"; <size> and <unsorted> excepted, they depend on
#    what is free) appears in ours, and ours has none that glibc's
#    malloc_info never writes;
#  - <total type="mmap"> has count = hblks (3) and size = hblkhd (3 * 303104);
#    the heaps' <system type="current"> add up to arena; every <size> has
#    from <= to and a count; the heap totals of type "fast" and "rest" add up
#    to the totals of the whole;
#  - the <system type="current"> of the whole is printed next to glibc's
#    meaning of it (the heaps only, mapped chunks not included), for the log.
. "$(dirname "$0")/common.bash"

command -v xmllint >/dev/null || { echo "xmllint (libxml2-utils) is not installed"; exit 2; }

probe=$probes/malloc_info_xml
[ -x "$probe" ] || { echo "$probe is not built (make tests)"; exit 2; }

"$probe" "$tmp/glibc.xml" "$tmp/glibc.mi" || { echo "FAIL: the program failed under glibc"; exit 1; }
env LD_PRELOAD="$lib" "$probe" "$tmp/ours.xml" "$tmp/ours.mi" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: the program exited $rc with the library: $(cat "$tmp/err")"; exit 1; }

echo "== glibc's malloc_info(0, fp) (same program, no LD_PRELOAD)"
sed 's/^/    | /' "$tmp/glibc.xml"
echo "== ours"
sed 's/^/    | /' "$tmp/ours.xml"
echo "== mallinfo2 just before, ours"
sed 's/^/    | /' "$tmp/ours.mi"

failures=0
for f in glibc ours; do
	if xmllint --noout "$tmp/$f.xml" 2>"$tmp/lint"; then
		echo "xmllint --noout: $f.xml is well-formed"
	else
		echo "FAIL: xmllint rejects $f.xml:"
		sed 's/^/    | /' "$tmp/lint"
		failures=$((failures + 1))
	fi
done
[ $failures -eq 0 ] || exit 1

python3 - "$tmp/glibc.xml" "$tmp/ours.xml" "$tmp/ours.mi" <<'EOF'
import sys
import xml.etree.ElementTree as ET

glibc = ET.parse(sys.argv[1]).getroot()
ours = ET.parse(sys.argv[2]).getroot()
mi = dict(l.strip().split('=') for l in open(sys.argv[3]) if '=' in l)
mi = {k: int(v) for k, v in mi.items()}
bad = []

def kinds(root):
    out = set()
    def walk(e, path):
        p = path + '/' + e.tag
        out.add((p, tuple(sorted(e.attrib)), e.attrib.get('type')))
        for c in e:
            walk(c, p)
    walk(root, '')
    return out

# every element glibc's malloc_info can write (malloc/malloc.c, __malloc_info)
vocab = {
    ('/malloc', ('version',), None),
    ('/malloc/heap', ('nr',), None),
    ('/malloc/heap/sizes', (), None),
    ('/malloc/heap/sizes/size', ('count', 'from', 'to', 'total'), None),
    ('/malloc/heap/sizes/unsorted', ('count', 'from', 'to', 'total'), None),
}
for where in ('/malloc/heap', '/malloc'):
    for t in ('fast', 'rest') + (('mmap',) if where == '/malloc' else ()):
        vocab.add((where + '/total', ('count', 'size', 'type'), t))
    for t in ('current', 'max'):
        vocab.add((where + '/system', ('size', 'type'), t))
    for t in ('total', 'mprotect'):
        vocab.add((where + '/aspace', ('size', 'type'), t))

g, o = kinds(glibc), kinds(ours)
# <size> and <unsorted> appear only when such free chunks exist: not required
optional = {k for k in vocab if k[0].startswith('/malloc/heap/sizes/')}
for k in sorted(g - o - optional, key=str):
    bad.append('glibc writes %s but ours has none' % (k,))
for k in sorted(o - vocab, key=str):
    bad.append('ours writes %s, which glibc never does' % (k,))
if ours.tag != 'malloc' or ours.get('version') != '1':
    bad.append('root is <%s version=%s>, expected <malloc version="1">' % (ours.tag, ours.get('version')))
heaps = ours.findall('heap')
if not heaps:
    bad.append('no <heap> element')
for h in heaps:
    if h.find('sizes') is None:
        bad.append('<heap nr="%s"> has no <sizes>' % h.get('nr'))
    for s in h.iter('size'):
        if int(s.get('from')) > int(s.get('to')) or int(s.get('count')) < 0:
            bad.append('bad <size %s>' % s.attrib)

def top(tag, typ):
    for e in ours.findall(tag):
        if e.get('type') == typ:
            return e
    return None

mm = top('total', 'mmap')
if mm is None:
    bad.append('no <total type="mmap"> at the top level')
else:
    print('total mmap count=%s size=%s; mallinfo2 hblks=%d hblkhd=%d'
          % (mm.get('count'), mm.get('size'), mi['hblks'], mi['hblkhd']))
    if int(mm.get('count')) != mi['hblks'] or int(mm.get('size')) != mi['hblkhd']:
        bad.append('<total type="mmap" count=%s size=%s>, mallinfo2 hblks %d hblkhd %d'
                   % (mm.get('count'), mm.get('size'), mi['hblks'], mi['hblkhd']))
    if mi['hblks'] != 3:
        bad.append('the program holds 3 chunks, mallinfo2 hblks is %d' % mi['hblks'])
cur = sum(int(e.get('size')) for h in heaps for e in h.findall('system') if e.get('type') == 'current')
print('heaps\' system current add up to %d; mallinfo2 arena %d' % (cur, mi['arena']))
if cur != mi['arena']:
    bad.append('the heaps\' <system type="current"> add up to %d, arena is %d' % (cur, mi['arena']))
for typ in ('fast', 'rest'):
    t = top('total', typ)
    if t is None:
        bad.append('no top-level <total type="%s">' % typ)
        continue
    c = sum(int(e.get('count')) for h in heaps for e in h.findall('total') if e.get('type') == typ)
    s = sum(int(e.get('size')) for h in heaps for e in h.findall('total') if e.get('type') == typ)
    if (c, s) != (int(t.get('count')), int(t.get('size'))):
        bad.append('heaps\' <total type="%s"> add up to count %d size %d, the whole says %s'
                   % (typ, c, s, t.attrib))
sc = top('system', 'current')
gsc = [e for e in glibc.findall('system') if e.get('type') == 'current']
gheap = sum(int(e.get('size')) for h in glibc.findall('heap') for e in h.findall('system') if e.get('type') == 'current')
if sc is not None and gsc:
    print('NOTE: top-level <system type="current">: ours %s (arena %d + hblkhd %d = %d); '
          'glibc wrote %s with its heaps adding up to %d (glibc counts the heaps only)'
          % (sc.get('size'), mi['arena'], mi['hblkhd'], mi['arena'] + mi['hblkhd'],
             gsc[0].get('size'), gheap))
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
EOF
rc=$?
[ $rc -eq 0 ] && echo "malloc_info as expected"
exit $rc
