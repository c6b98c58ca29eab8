#!/usr/bin/env bash
# tests/check/man.sh - the man pages are clean and complete.
#
#  1. mandoc -Tlint and groff -ww print nothing for any of man/*.[13].
#  2. Every row of alloc/options.h's OPTION_LIST has an item under OPTIONS
#     in libbuddymalloc.3 with its default, its range and unit, its mallopt
#     parameter (name and number), glibc's variable and tunable; no item
#     names an option the table lacks; every M_BUDDY_* constant of
#     include/buddymalloc.h appears with its number.
#  3. Every symbol of preload/exports.map has a prototype in the SYNOPSIS
#     and an entry of its own in libbuddymalloc.3.
#  4. buddymalloc.1 lists every option of tools/buddymalloc's usage text, and
#     buddystat.1 every option letter of stats/buddystat.c's getopt string
#     and every long option of its getopt_long table.
#  5. The version in each page's .TH line is mk/install.mk's VERSION.
# Prints one line per problem; exit status 1 when there is any.
set -u
top=${BUDDYMALLOC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 2
pages=(man/libbuddymalloc.3 man/buddymalloc.1 man/buddystat.1)
fail=0

for tool in mandoc groff python3; do
	command -v $tool >/dev/null || { echo "man.sh: $tool is not installed"; exit 1; }
done

# lint PAGE LABEL CMD...: the command must print nothing
lint() {
	local page=$1 label=$2 out
	shift 2
	out=$("$@" 2>&1)
	[ -z "$out" ] && return 0
	echo "FAIL $page: $label:"
	printf '%s\n' "$out" | sed 's/^/    /'
	return 1
}

for p in "${pages[@]}"; do
	if [ ! -f "$p" ]; then
		echo "FAIL $p: missing"
		fail=1
		continue
	fi
	ok=1
	lint "$p" "mandoc -Tlint" mandoc -Tlint "$p" || ok=0
	lint "$p" "groff -ww" groff -ww -z -Tutf8 -man "$p" || ok=0
	# and at a narrower width, where long words may not fit
	lint "$p" "groff -ww at 60 columns" groff -ww -z -Tutf8 -man -rLL=60n "$p" || ok=0
	if [ $ok -eq 1 ]; then
		echo "ok   $p: mandoc -Tlint and groff -ww are silent"
	else
		fail=1
	fi
done

python3 - "${pages[@]}" <<'EOF' || fail=1
import re, sys

problems = []

def problem(msg):
    problems.append(msg)
    print("FAIL " + msg)

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()

# ---- roff source -> plain text, line by line -------------------------------

ESCAPES = [(r"\(aq", "'"), (r"\(bu", "*"), (r"\(em", "--"), (r"\-", "-"),
           (r"\e", "\\"), (r"\~", " "), (r"\ ", " "), (r"\&", ""), (r"\c", "")]

def unescape(s):
    s = re.sub(r"\\f(\(..|\[[^]]*\]|.)", "", s)
    for a, b in ESCAPES:
        s = s.replace(a, b)
    return s

def macro_args(rest):
    args, cur, quoted, i = [], "", False, 0
    while i < len(rest):
        c = rest[i]
        if c == '"':
            if quoted and rest[i + 1:i + 2] == '"':
                cur += '"'
                i += 1
            else:
                quoted = not quoted
        elif c in " \t" and not quoted:
            if cur:
                args.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if cur:
        args.append(cur)
    return args

FONT_ALT = {"BR", "BI", "IR", "IB", "RB", "RI"}

def parse_roff(path):
    """[(kind, text)]: kind is a macro name (SH, SS, TP, ...) or 'text'."""
    out = []
    for line in read(path).split("\n"):
        if line.startswith('.\\"') or line.startswith("'\\\""):
            continue
        if line.startswith("."):
            parts = line[1:].split(None, 1)
            if not parts:
                continue
            name, rest = parts[0], parts[1] if len(parts) > 1 else ""
            args = macro_args(rest)
            if name in FONT_ALT:
                out.append(("text", unescape("".join(args))))
            elif name in ("B", "I", "SM", "SB"):
                out.append(("text", unescape(" ".join(args))))
            else:
                out.append((name, unescape(" ".join(args))))
        else:
            out.append(("text", unescape(line)))
    return out

def sections(roff):
    """{section title: [(kind, text)]} for .SH, with .SS kept inside."""
    secs, cur = {}, None
    for kind, text in roff:
        if kind == "SH":
            cur = text
            secs[cur] = []
        elif cur is not None:
            secs[cur].append((kind, text))
    return secs

def items(body):
    """The .TP items of a section: [(tag, whole text)]; an item ends at
    the next .TP, .SS or .SH (an .IP inside it continues it)."""
    res, tag, text, want_tag = [], None, [], False
    for kind, t in body:
        if kind in ("TP", "SS"):
            if tag is not None:
                res.append((tag, " ".join(" ".join(text).split())))
            tag, text, want_tag = None, [], kind == "TP"
        elif kind == "text":
            if want_tag:
                tag, want_tag = " ".join(t.split()), False
            elif tag is not None:
                text.append(t)
    if tag is not None:
        res.append((tag, " ".join(" ".join(text).split())))
    return res

# ---- C headers --------------------------------------------------------------

def c_defines(path):
    defs = {}
    for m in re.finditer(r"^\s*#\s*define\s+(M_\w+)\s+(-?\d+)", read(path), re.M):
        defs[m.group(1)] = int(m.group(2))
    return defs

GLIBC_PARAMS = {"M_MXFAST": 1, "M_TRIM_THRESHOLD": -1, "M_TOP_PAD": -2,
                "M_MMAP_THRESHOLD": -3, "M_MMAP_MAX": -4, "M_CHECK_ACTION": -5,
                "M_PERTURB": -6, "M_ARENA_TEST": -7, "M_ARENA_MAX": -8}
try:
    GLIBC_PARAMS.update(c_defines("/usr/include/malloc.h"))
except OSError:
    pass
BUDDY_PARAMS = c_defines("include/buddymalloc.h")
SIZE_MAX = 2**64 - 1

def split_top(s, sep=","):
    """Splits at top-level separators, outside parentheses and strings."""
    parts, depth, cur, i, quote = [], 0, "", 0, False
    while i < len(s):
        c = s[i]
        if quote:
            cur += c
            if c == "\\":
                cur += s[i + 1]
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote, cur = True, cur + c
        elif c in "([":
            depth, cur = depth + 1, cur + c
        elif c in ")]":
            depth, cur = depth - 1, cur + c
        elif c == sep and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        parts.append(cur.strip())
    return parts

def c_string(s):
    if s == "NULL":
        return None
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s))

UNITS = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}

def c_number(s):
    """The value of a constant expression of options.h."""
    e = s
    pat = re.compile(r"\b(KiB|MiB|GiB)\(([^()]*)\)")
    while pat.search(e):
        e = pat.sub(lambda m: "(%d*(%s))" % (UNITS[m.group(1)], m.group(2)), e)
    e = re.sub(r"\bSIZE_MAX\b", str(SIZE_MAX), e)
    e = re.sub(r"\bINT_MAX\b", str(2**31 - 1), e)
    for name, v in list(BUDDY_PARAMS.items()) + list(GLIBC_PARAMS.items()):
        e = re.sub(r"\b%s\b" % name, "(%d)" % v, e)
    e = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", e)
    if not re.fullmatch(r"[0-9a-fA-Fx()<>*+\- ]+", e):
        raise SystemExit("FAIL options.h: cannot evaluate %r" % s)
    return int(eval(e, {"__builtins__": {}}))

def option_rows():
    src = read("alloc/options.h")
    m = re.search(r"#define\s+OPTION_LIST\(X\)(.*?)(?<!\\)\n", src.replace("\\\n", " "), re.S)
    if not m:
        raise SystemExit("FAIL options.h: no OPTION_LIST macro")
    body = re.sub(r"/\*.*?\*/", " ", m.group(1), flags=re.S)
    rows, i = [], 0
    while True:
        i = body.find("X(", i)
        if i < 0:
            break
        j, depth, quote = i + 2, 1, False
        while depth:
            c = body[j]
            if quote:
                if c == "\\":
                    j += 1
                elif c == '"':
                    quote = False
            elif c == '"':
                quote = True
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            j += 1
        args = split_top(body[i + 2:j - 1])
        if len(args) != 10:
            raise SystemExit("FAIL options.h: a row with %d fields: %s" % (len(args), args[:1]))
        name, typ, dflt, lo, hi, unit, param, env, tunable, doc = args
        rows.append(dict(name=name, type=typ, default=c_number(dflt), min=c_number(lo),
                         max=c_number(hi), unit=c_string(unit), param=c_number(param),
                         env=c_string(env), tunable=c_string(tunable), doc=c_string(doc)))
        i = j
    if len(rows) < 10:
        raise SystemExit("FAIL options.h: only %d rows parsed from OPTION_LIST" % len(rows))
    return rows

# ---- how the man page may write a value -------------------------------------

def size_spellings(v):
    if v == SIZE_MAX:
        return {"unlimited", "-1"}
    s = {str(v)}
    for suffix, shift in (("G", 30), ("M", 20), ("K", 10)):
        if v and v % (1 << shift) == 0:
            s.add("%d%s" % (v >> shift, suffix))
            break
    return s

def spellings(row, v):
    t = row["type"]
    if t == "OPT_CHOICE":
        words = row["unit"].split("|")
        return {words[v]} if 0 <= v < len(words) else set()
    if t == "OPT_STRING":
        return {"none"} if v == 0 else set()
    if t == "OPT_SIZE":
        return size_spellings(v)
    if v == SIZE_MAX:
        return {"unlimited", "-1"}
    return {str(v)}

# ---- the checks --------------------------------------------------------------

lib3, launcher1, stat1 = sys.argv[1:4]
roff3 = parse_roff(lib3)
secs3 = sections(roff3)
for needed in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "RETURN VALUE", "ERRORS",
               "ENVIRONMENT", "FILES", "NOTES", "EXAMPLES", "SEE ALSO"):
    if needed not in secs3:
        problem("%s: no %s section" % (lib3, needed))

rows = option_rows()
opt_items = items(secs3.get("OPTIONS", []))
by_name = {}
for tag, text in opt_items:
    name = re.split(r"[=\s]", tag, 1)[0]
    by_name[name] = (tag, text)
names = {r["name"] for r in rows}
for name in by_name:
    if name not in names:
        problem("%s: OPTIONS documents '%s', which alloc/options.h does not have" % (lib3, name))

checked = 0
for r in rows:
    name = r["name"]
    where = "%s: option %s" % (lib3, name)
    if name not in by_name:
        problem("%s: not documented under OPTIONS" % where)
        continue
    tag, text = by_name[name]
    bad = len(problems)
    m = re.search(r"Default: ([^\s;,]+?)[.;,]?(?:\s|$)", text)
    want = spellings(r, r["default"])
    if not m:
        problem("%s: no 'Default: VALUE' (expected %s)" % (where, " or ".join(sorted(want))))
    elif m.group(1) not in want:
        problem("%s: default is '%s' in the man page, %s in options.h"
                % (where, m.group(1), " or ".join(sorted(want))))
    if r["type"] in ("OPT_SIZE", "OPT_COUNT"):
        m = re.search(r"range: (\S+) to ([^\s;,]+?)[.;,]?(?:\s|$)", text)
        lo, hi = spellings(r, r["min"]), spellings(r, r["max"])
        if not m:
            problem("%s: no 'range: MIN to MAX'" % where)
        elif m.group(1) not in lo or m.group(2) not in hi:
            problem("%s: range is '%s to %s' in the man page, %s to %s in options.h"
                    % (where, m.group(1), m.group(2), "/".join(sorted(lo)), "/".join(sorted(hi))))
        if not re.search(r"\b%s\b" % re.escape(r["unit"]), text):
            problem("%s: the unit '%s' is not named" % (where, r["unit"]))
        if not tag.startswith(name + "="):
            problem("%s: the tag '%s' is not '%s=...'" % (where, tag, name))
    elif not tag.startswith("%s=%s" % (name, r["unit"])):
        problem("%s: the tag '%s' should be '%s=%s'" % (where, tag, name, r["unit"]))
    p = r["param"]
    if p:
        pname = [n for n, v in list(BUDDY_PARAMS.items()) + list(GLIBC_PARAMS.items())
                 if v == p and (p < 1000) == (not n.startswith("M_BUDDY_"))]
        pname = [n for n in pname if n not in ("M_NLBLKS", "M_GRAIN", "M_KEEP")]
        if not pname:
            problem("%s: mallopt parameter %d has no name" % (where, p))
        elif not re.search(r"\b%s \(%d\)" % (re.escape(pname[0]), p), text):
            problem("%s: mallopt parameter not given as '%s (%d)'" % (where, pname[0], p))
    elif "Environment only" not in text:
        problem("%s: has no mallopt parameter; say 'Environment only'" % where)
    for what in ("env", "tunable"):
        if r[what] and not re.search(r"(?<![\w.])%s(?![\w])" % re.escape(r[what]), text):
            problem("%s: glibc's name %s is not given" % (where, r[what]))
    if len(problems) == bad:
        checked += 1

text3 = " ".join(t for k, t in roff3 if k == "text")
for name, v in BUDDY_PARAMS.items():
    if not re.search(r"\b%s \(%d\)" % (name, v), text3):
        problem("%s: %s (%d) of include/buddymalloc.h is not documented" % (lib3, name, v))

# exported symbols
exports = read("preload/exports.map")
exports = re.sub(r"/\*.*?\*/", " ", exports, flags=re.S)
m = re.search(r"global:(.*?)local:", exports, re.S)
symbols = [s.strip() for s in m.group(1).split(";") if s.strip()] if m else []
if len(symbols) < 10:
    problem("preload/exports.map: only %d symbols found" % len(symbols))
synopsis = " ".join(t for k, t in secs3.get("SYNOPSIS", []) if k == "text")
fn_tags = {tag for tag, _ in items(secs3.get("DESCRIPTION", []))}
for s in symbols:
    if not re.search(r"[\s*]%s\(" % re.escape(s), synopsis):
        problem("%s: %s() has no prototype in the SYNOPSIS" % (lib3, s))
    if s + "()" not in fn_tags:
        problem("%s: %s() has no entry of its own in DESCRIPTION" % (lib3, s))

# the launcher's and buddystat's options
secs1 = sections(parse_roff(launcher1))
tags1 = " ".join(tag for tag, _ in items(secs1.get("OPTIONS", [])))
usage = read("tools/buddymalloc")
usage = usage[usage.index("usage() {"):]
usage = usage[:usage.index("\nEOF")]
for opt in sorted(set(re.findall(r"^\s+(-[-\w]+)", usage, re.M))):
    if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), tags1):
        problem("%s: launcher option %s is not documented under OPTIONS" % (launcher1, opt))

secs_s = sections(parse_roff(stat1))
tags_s = " ".join(tag for tag, _ in items(secs_s.get("OPTIONS", [])))
bs_src = read("stats/buddystat.c")
m = re.search(r'getopt(?:_long)?\(argc, argv, "\+?([^"]+)"', bs_src)
if not m:
    problem("stats/buddystat.c: no getopt string found")
else:
    for letter in re.sub(r"[^A-Za-z0-9]", "", m.group(1)):
        if not re.search(r"(?<![\w-])-%s(?![\w-])" % letter, tags_s):
            problem("%s: option -%s of buddystat is not documented under OPTIONS" % (stat1, letter))
for long_opt in re.findall(r'\{ "([\w-]+)", (?:no|required|optional)_argument', bs_src):
    if not re.search(r"(?<![\w-])--%s(?![\w-])" % re.escape(long_opt), tags_s):
        problem("%s: option --%s of buddystat is not documented under OPTIONS" % (stat1, long_opt))

# version
mk = re.search(r"^VERSION\s*:?=\s*(\S+)", read("mk/install.mk"), re.M)
for page in sys.argv[1:]:
    th = [t for k, t in parse_roff(page) if k == "TH"]
    if not mk or not th or ("libbuddymalloc " + mk.group(1)) not in th[0]:
        problem("%s: .TH does not say 'libbuddymalloc %s'" % (page, mk.group(1) if mk else "?"))

print("%s %d of %d options documented with their defaults, %d exported functions, "
      "%d M_BUDDY_* parameters" % ("ok  " if not problems else "FAIL",
                                    checked, len(rows), len(symbols), len(BUDDY_PARAMS)))
sys.exit(1 if problems else 0)
EOF

exit $fail
