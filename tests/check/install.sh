#!/usr/bin/env bash
# tests/check/install.sh - make install / make uninstall, and the installed
# launcher, pkg-config file and library at work.
#
#  1. make install DESTDIR=tmp/stage PREFIX=/usr/local: exactly the expected
#     files, links and modes, the paths written into them, the soname;
#     make uninstall: only the files placed beside them beforehand remain.
#  2. make install PREFIX=tmp/prefix: pkg-config finds the library; a
#     program compiled and linked with its flags runs with it; the installed
#     launcher runs `/bin/ls` with the installed library (JSON statistics on
#     stderr), passes options, prepends and appends to the environment, and
#     fails as documented; buddystat runs; make uninstall as above.
#  3. The launcher run from the source tree uses the tree's library.
# The temporary directory is removed at the end, whatever happens.
# shellcheck disable=SC2016 # sh -c '...' expands in the launched shell
set -u
top=${BUDDYMALLOC_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
lib_under_test=${BUDDYMALLOC_LIB:-$top/lib/libbuddymalloc.so}
cd "$top" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/buddymalloc-install.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^VERSION[ 	]*:*=[ 	]*//p' mk/install.mk)
fails=0

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
# expect DESCRIPTION COMMAND...: the command must succeed
expect() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

# make_quiet ARGS...: make from the top, its output shown only on failure
make_quiet() {
	if ! make --no-print-directory -C "$top" "$@" >"$tmp/make.log" 2>&1; then
		bad "make $*"
		sed 's/^/    | /' "$tmp/make.log" | tail -n 30
		return 1
	fi
	ok "make $*"
}

# listing DIR: every file and link under DIR, relative, sorted
listing() {
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
}

# the files make install must create under a prefix, and nothing else
installed_files() {
	LC_ALL=C sort <<EOF
bin/buddymalloc
bin/buddystat
include/buddymalloc.h
lib/libbuddymalloc.so
lib/libbuddymalloc.so.0
lib/libbuddymalloc.so.$version
lib/pkgconfig/libbuddymalloc.pc
share/man/man1/buddymalloc.1
share/man/man1/buddystat.1
share/man/man3/libbuddymalloc.3
EOF
}

# neighbours ROOT: files that are not ours, placed where ours go; one of
# them looks like another version of the library
neighbours() {
	mkdir -p "$1/lib" "$1/bin" "$1/share/man/man3"
	echo other >"$1/lib/libbuddymalloc.so.0.0.9"
	echo other >"$1/bin/buddymalloc.orig"
	echo other >"$1/share/man/man3/malloc.3"
	printf '%s\n' bin/buddymalloc.orig lib/libbuddymalloc.so.0.0.9 share/man/man3/malloc.3 |
		LC_ALL=C sort
}

# check_tree DIR PREFIX: the files installed in DIR for PREFIX
check_tree() {
	local d=$1 prefix=$2 f m
	expect "installed files are exactly the expected ones" \
		diff -u <(LC_ALL=C sort <(installed_files) "$tmp/neighbours") <(listing "$d")
	expect "lib/libbuddymalloc.so.$version is the library under test" \
		cmp -s "$lib_under_test" "$d/lib/libbuddymalloc.so.$version"
	expect "libbuddymalloc.so.0 -> libbuddymalloc.so.$version" \
		test "$(readlink "$d/lib/libbuddymalloc.so.0")" = "libbuddymalloc.so.$version"
	expect "libbuddymalloc.so -> libbuddymalloc.so.0" \
		test "$(readlink "$d/lib/libbuddymalloc.so")" = "libbuddymalloc.so.0"
	expect "the library's soname is libbuddymalloc.so.0" \
		grep -q 'SONAME.*\[libbuddymalloc\.so\.0\]' <(readelf -d "$d/lib/libbuddymalloc.so.$version")
	expect "include/buddymalloc.h is the source's" cmp -s include/buddymalloc.h "$d/include/buddymalloc.h"
	for f in lib/libbuddymalloc.so.$version include/buddymalloc.h lib/pkgconfig/libbuddymalloc.pc \
		share/man/man1/buddymalloc.1 share/man/man1/buddystat.1 share/man/man3/libbuddymalloc.3; do
		m=$(stat -c %a "$d/$f")
		[ "$m" = 644 ] || bad "$f has mode $m, not 644"
	done
	for f in bin/buddymalloc bin/buddystat; do
		m=$(stat -c %a "$d/$f")
		[ "$m" = 755 ] || bad "$f has mode $m, not 755"
	done
	expect "no @PLACEHOLDER@ is left in the installed text files" \
		test -z "$(grep -l '@[A-Z]*@' "$d/bin/buddymalloc" "$d/lib/pkgconfig/libbuddymalloc.pc" \
			"$d"/share/man/man1/buddy*.1 "$d"/share/man/man3/libbuddymalloc.3)"
	expect "the launcher preloads $prefix/lib/libbuddymalloc.so.0" \
		grep -q "^libdir='$prefix/lib'\$" "$d/bin/buddymalloc"
	expect "the .pc file says libdir=$prefix/lib" \
		grep -qx "libdir=$prefix/lib" "$d/lib/pkgconfig/libbuddymalloc.pc"
	expect "the man pages name $prefix/lib/libbuddymalloc.so.0" \
		grep -q "$prefix/lib/libbuddymalloc.so.0" "$d/share/man/man3/libbuddymalloc.3"
}

# check_uninstalled ROOT: only the neighbours are left
check_uninstalled() {
	expect "make uninstall left exactly the files placed beside ours" \
		diff -u "$tmp/neighbours" <(listing "$1")
}

echo "== 1. staged install (DESTDIR, PREFIX=/usr/local)"
stage=$tmp/stage
neighbours "$stage/usr/local" >"$tmp/neighbours"
if make_quiet install DESTDIR="$stage" PREFIX=/usr/local; then
	check_tree "$stage/usr/local" /usr/local
	# (lint only here: a long temporary prefix would make lines too long)
	d=$stage/usr/local/share/man
	expect "the installed man pages are lint-clean" \
		test -z "$(mandoc -Tlint "$d"/man1/buddy*.1 "$d"/man3/libbuddymalloc.3 2>&1)"
	expect "nothing was installed outside the prefix" \
		test "$(cd "$stage" && find . -mindepth 1 -maxdepth 2 | LC_ALL=C sort | tr '\n' ' ')" = "./usr ./usr/local "
fi
make_quiet uninstall DESTDIR="$stage" PREFIX=/usr/local && check_uninstalled "$stage/usr/local"

echo "== 2. install into a prefix, and use it"
prefix=$tmp/prefix
neighbours "$prefix" >/dev/null
if make_quiet install PREFIX="$prefix"; then
	check_tree "$prefix" "$prefix"
	bm=$prefix/bin/buddymalloc
	real=$prefix/lib/libbuddymalloc.so.$version

	# pkg-config, and a program linked with the library
	flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs libbuddymalloc)
	flags=${flags% }	# pkg-config ends the line with a space
	expect "pkg-config --cflags --libs: $flags" \
		test "$flags" = "-I$prefix/include -L$prefix/lib -lbuddymalloc"
	expect "pkg-config --modversion is $version" \
		test "$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --modversion libbuddymalloc)" = "$version"
	# tests/check/install/linked.c, with the project's warnings (Makefile WARN)
	# shellcheck disable=SC2086 # the flags are words
	if cc -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Werror \
		-o "$tmp/linked" tests/check/install/linked.c $flags 2>"$tmp/cc.log"; then
		expect "a program linked with \$(pkg-config --libs) needs libbuddymalloc.so.0" \
			grep -q 'NEEDED.*\[libbuddymalloc\.so\.0\]' <(readelf -d "$tmp/linked")
		out=$(LD_LIBRARY_PATH=$prefix/lib "$tmp/linked" 2>&1)
		expect "... and runs with it: $out" test "$out" = "mapped=1 pcp_high=1 usable=112"
	else
		bad "cc ... \$(pkg-config --cflags --libs libbuddymalloc)"
		sed 's/^/    | /' "$tmp/cc.log"
	fi

	# the launcher
	expect "buddymalloc --version says $version" \
		test "$("$bm" --version)" = "buddymalloc (libbuddymalloc) $version"
	mkdir "$tmp/dir" && touch "$tmp/dir/a-file"
	"$bm" --stats=json /bin/ls "$tmp/dir" >"$tmp/ls.out" 2>"$tmp/ls.err"
	rc=$?
	expect "buddymalloc --stats=json /bin/ls: exit 0, its output" \
		test $rc -eq 0 -a "$(cat "$tmp/ls.out")" = a-file
	expect "... the JSON statistics on stderr parse (python3 -m json.tool)" \
		python3 -m json.tool "$tmp/ls.err" "$tmp/ls.json"
	expect "... and show the heap ls used (mallinfo2.arena > 0)" \
		python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["mallinfo2"]["arena"] <= 0)' \
			"$tmp/ls.err"
	expect "the command runs with the installed library ($real)" \
		grep -qF "$real" <("$bm" cat /proc/self/maps)
	: >"$tmp/empty.c"
	cc -shared -fPIC -o "$tmp/other.so" "$tmp/empty.c"
	expect "LD_PRELOAD: the library comes first, the old value after it" \
		test "$(LD_PRELOAD=$tmp/other.so "$bm" sh -c 'echo "$LD_PRELOAD"')" = \
			"$prefix/lib/libbuddymalloc.so.0:$tmp/other.so"
	expect "BUDDYMALLOC_OPTIONS: the launcher's options are appended" \
		test "$(BUDDYMALLOC_OPTIONS=brk=0 "$bm" -o decay_ms=5 --option=pcp_high=9 sh -c 'echo "$BUDDYMALLOC_OPTIONS"')" = \
			"brk=0,decay_ms=5,pcp_high=9"
	BUDDYMALLOC_OPTIONS=stats=text "$bm" --stats=json /bin/true 2>"$tmp/true.err"
	expect "... and win over the inherited ones (--stats=json after stats=text)" \
		python3 -m json.tool "$tmp/true.err" /dev/null
	(cd "$tmp" && "$bm" --stats-file=stats.txt sh -c 'cd / && /bin/true')
	expect "--stats-file=relative path: written where the launcher ran, as text" \
		grep -q '^Arena 0:' "$tmp/stats.txt"
	expect "--list-options shows the options in effect" \
		grep -q '^mmap_threshold  *1048576  *131072 ' <("$bm" -o mmap_threshold=1M --list-options)
	expect "--list-options lists the options of options.h" \
		diff <(sed -n 's/^	X(\([a-z_]*\),.*/\1/p' alloc/options.h) \
			<("$bm" --list-options | awk 'NR > 2 && /^[a-z]/ { print $1 }')
	"$bm" >/dev/null 2>&1
	expect "no command: exit 2" test $? -eq 2
	"$bm" buddymalloc-no-such-command >/dev/null 2>&1
	expect "a command that is not found: exit 127" test $? -eq 127
	"$bm" "$tmp/dir/a-file" >/dev/null 2>&1
	expect "a command that cannot be run: exit 126" test $? -eq 126
	"$bm" --lib "$tmp/nowhere.so" /bin/true >/dev/null 2>"$tmp/lib.err"
	expect "a library that is not there: exit 2, with a message naming it" \
		test $? -eq 2 -a -n "$(grep -F "$tmp/nowhere.so" "$tmp/lib.err")"
	"$bm" --stats=xml /bin/true >/dev/null 2>&1
	expect "--stats=xml: exit 2" test $? -eq 2
	"$bm" sh -c 'exit 7'
	expect "the command's exit status is the launcher's" test $? -eq 7
	expect "--help: exit 0, on standard output" \
		grep -q '^usage: buddymalloc' <("$bm" --help 2>/dev/null)

	# buddystat
	expect "the installed buddystat measures a command (JSON)" \
		python3 -m json.tool <("$prefix/bin/buddystat" -q -f json -n 1 -- /bin/true) /dev/null
	if command -v man >/dev/null; then
		expect "man finds the installed pages" \
			test "$(man -M "$prefix/share/man" -w libbuddymalloc buddymalloc buddystat 2>/dev/null | wc -l)" -eq 3
	fi
fi
make_quiet uninstall PREFIX="$prefix" && check_uninstalled "$prefix"

echo "== 3. the launcher in the source tree"
if [ -f lib/libbuddymalloc.so ]; then
	expect "tools/buddymalloc preloads the tree's lib/libbuddymalloc.so" \
		grep -qF "$top/lib/libbuddymalloc.so" <(tools/buddymalloc cat /proc/self/maps)
	expect "tools/buddymalloc --version: $version (source tree)" \
		test "$(tools/buddymalloc --version)" = "buddymalloc (libbuddymalloc) $version (source tree)"
else
	echo "skip lib/libbuddymalloc.so is not built"
fi

echo "$fails failed"
[ $fails -eq 0 ]
