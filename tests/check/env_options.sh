#!/usr/bin/env bash
# tests/check/env_options.sh - the environment: BUDDYMALLOC_OPTIONS, glibc's
# MALLOC_*_ variables and GLIBC_TUNABLES=glibc.malloc.*, their precedence,
# and what a bad value does.
#
# Every run is `env -i PATH=... LD_PRELOAD=$BUDDYMALLOC_LIB VARS... probe`:
# nothing from the caller's environment leaks in. A value in effect is read
# from BUDDYMALLOC_OPTIONS=help's table ("in effect" column) on stderr; the
# probe (tests/check/probes/env_options.c) also shows some of them in
# behaviour: whether a 300 KiB and a 1 MiB block are mapped chunks (mallinfo2 hblks), and the byte
# a new block is filled with.
# Proves that
#  - without any option the probe, /bin/true and /bin/ls write nothing on
#    stderr; help lists every option of alloc/options.h with "in effect"
#    equal to "default";
#  - BUDDYMALLOC_OPTIONS sets every tunable, sizes with K, M, G (either case,
#    "KB" too);
#  - MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_,
#    MALLOC_MMAP_MAX_, MALLOC_PERTURB_ (and MALLOC_ARENA_MAX/TEST) and the
#    matching GLIBC_TUNABLES glibc.malloc.* names each take effect, in help
#    and, for the threshold, mmap_max and perturb, in behaviour; tunables
#    in hex (0x...) as glibc reads them;
#  - precedence, for each of the five glibc knobs: MALLOC_*_ < GLIBC_TUNABLES
#    < BUDDYMALLOC_OPTIONS, and mallopt at run time beats all three;
#  - a bad value (not a number, a bad unit, out of range, a bad word, an
#    unknown option) gives exactly one line on stderr that names the text
#    and the variable, and the option keeps the value it had before;
#  - an unknown glibc.malloc tunable (tcache_count, ...) and other glibc
#    tunables are silent.
. "$(dirname "$0")/common.bash"

top=${BUDDYMALLOC_TOP:?BUDDYMALLOC_TOP must be set}

probe=$probes/env_options
[ -x "$probe" ] || { echo "$probe is not built (make tests)"; exit 2; }

# run [VAR=value...] [-- probe-arg]: the probe with exactly these variables.
# stdout in $tmp/out, stderr in $tmp/err.
run() {
	local vars=() arg=
	while [ $# -gt 0 ]; do
		if [ "$1" = -- ]; then arg=$2; break; fi
		vars+=("$1"); shift
	done
	env -i PATH=/usr/bin:/bin LD_PRELOAD="$lib" "${vars[@]}" "$probe" $arg \
		>"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ $rc -eq 0 ] || fail "probe exited $rc with ${vars[*]} $arg: $(head -c 400 "$tmp/err")"
}

# eff NAME: the "in effect" value of NAME in the help table in $tmp/err.
eff() {
	awk -v n="$1" '$1 == n { print $2; found = 1; exit } END { if (!found) print "(absent)" }' "$tmp/err"
}

# complaints: our one-line messages on stderr (help lines are not).
complaints() {
	grep -c '^buddymalloc: ' "$tmp/err"
}

probe_out() {
	sed -n "s/^$1=//p" "$tmp/out"
}

expect_eff() {	# label name want
	local got
	got=$(eff "$2")
	echo "  $1: $2 in effect = $got"
	[ "$got" = "$3" ] || fail "$1: $2 in effect is $got, expected $3"
}

expect_out() {	# label key want
	local got
	got=$(probe_out "$2")
	echo "  $1: $2 = $got"
	[ "$got" = "$3" ] || fail "$1: probe says $2=$got, expected $3"
}

expect_no_stderr() {	# label
	if [ -s "$tmp/err" ]; then
		fail "$1: stderr is not empty:"
		head -n 5 "$tmp/err" | sed 's/^/    | /'
	else
		echo "  $1: stderr empty"
	fi
}

echo "== no option: silence"
run
expect_no_stderr "probe, no option"
expect_out "probe, no option" chunk300k 1
expect_out "probe, no option" chunk1m 1
for prog in /bin/true "/bin/ls /"; do
	env -i PATH=/usr/bin:/bin LD_PRELOAD="$lib" $prog >/dev/null 2>"$tmp/err"
	expect_no_stderr "$prog"
done

echo "== help lists every option of alloc/options.h, in effect = default"
run BUDDYMALLOC_OPTIONS=help
names=$(sed -n 's/^[[:space:]]*X(\([a-z_]*\), OPT_.*/\1/p' "$top/alloc/options.h")
[ -n "$names" ] || fail "no option names found in $top/alloc/options.h"
[ "$(complaints)" = 0 ] || fail "help alone gave complaints: $(grep '^buddymalloc: ' "$tmp/err")"
for n in $names; do
	line=$(awk -v n="$n" '$1 == n' "$tmp/err")
	if [ -z "$line" ]; then
		fail "help has no line for option $n"
		continue
	fi
	set -- $line
	[ "$2" = "$3" ] || fail "help without options: $n in effect $2, default $3"
done
echo "  $(echo $names | wc -w) options listed"
sed 's/^/    | /' "$tmp/err" | head -n 60

echo "== BUDDYMALLOC_OPTIONS sets every tunable (sizes with K/M/G)"
run BUDDYMALLOC_OPTIONS=help,mmap_threshold=256K,trim_threshold=1M,top_pad=2m,chunk_cache=1G,mmap_max=7,perturb=165,pcp_high=100,pcp_batch=10,slab_reserve=3,wmark_min=2M,wmark_low=4096k,wmark_high=6MB,decay_ms=500,brk=0,invalid_free=warn,check_action=1,arena_max=2,arena_test=3,mxfast=64
[ "$(complaints)" = 0 ] || fail "valid BUDDYMALLOC_OPTIONS gave complaints: $(grep '^buddymalloc: ' "$tmp/err")"
expect_eff ours mmap_threshold 262144
expect_eff ours trim_threshold 1048576
expect_eff ours top_pad 2097152
expect_eff ours chunk_cache 1073741824
expect_eff ours mmap_max 7
expect_eff ours perturb 165
expect_eff ours pcp_high 100
expect_eff ours pcp_batch 10
expect_eff ours slab_reserve 3
expect_eff ours wmark_min 2097152
expect_eff ours wmark_low 4194304
expect_eff ours wmark_high 6291456
expect_eff ours decay_ms 500
expect_eff ours brk 0
expect_eff ours invalid_free warn
expect_eff ours arena_max 2
expect_eff ours arena_test 3
expect_eff ours mxfast 64
expect_out ours newbyte 90
run BUDDYMALLOC_OPTIONS=help,trim_threshold=-1,stats_file=/dev/null
expect_eff "trim -1" trim_threshold -1
expect_eff "stats_file" stats_file /dev/null

echo "== glibc's variables, and GLIBC_TUNABLES"
run BUDDYMALLOC_OPTIONS=help MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=300000 \
	MALLOC_TOP_PAD_=4096 MALLOC_MMAP_MAX_=0 MALLOC_PERTURB_=165 MALLOC_ARENA_MAX=2 MALLOC_ARENA_TEST=3
[ "$(complaints)" = 0 ] || fail "MALLOC_*_ gave complaints: $(grep '^buddymalloc: ' "$tmp/err")"
expect_eff MALLOC_ mmap_threshold 1048576
expect_eff MALLOC_ trim_threshold 300000
expect_eff MALLOC_ top_pad 4096
expect_eff MALLOC_ mmap_max 0
expect_eff MALLOC_ perturb 165
expect_eff MALLOC_ arena_max 2
expect_eff MALLOC_ arena_test 3
expect_out "MALLOC_MMAP_THRESHOLD_=1M" chunk300k 0
expect_out "MALLOC_MMAP_MAX_=0" chunk1m 0
expect_out "MALLOC_PERTURB_=165" newbyte 90
run MALLOC_MMAP_THRESHOLD_=1048576
expect_out "MALLOC_MMAP_THRESHOLD_ alone" chunk300k 0
expect_out "MALLOC_MMAP_THRESHOLD_ alone" chunk1m 1
expect_no_stderr "MALLOC_MMAP_THRESHOLD_ alone"

tun=glibc.malloc.mmap_threshold=1048576:glibc.malloc.trim_threshold=200000:glibc.malloc.top_pad=8192
tun=$tun:glibc.malloc.mmap_max=0:glibc.malloc.perturb=165:glibc.malloc.arena_max=4:glibc.malloc.arena_test=5
tun=$tun:glibc.malloc.mxfast=64:glibc.malloc.tcache_count=5:glibc.malloc.tcache_max=100:glibc.pthread.rseq=0
run BUDDYMALLOC_OPTIONS=help GLIBC_TUNABLES=$tun
[ "$(complaints)" = 0 ] || fail "GLIBC_TUNABLES gave complaints: $(grep '^buddymalloc: ' "$tmp/err")"
expect_eff GLIBC_TUNABLES mmap_threshold 1048576
expect_eff GLIBC_TUNABLES trim_threshold 200000
expect_eff GLIBC_TUNABLES top_pad 8192
expect_eff GLIBC_TUNABLES mmap_max 0
expect_eff GLIBC_TUNABLES perturb 165
expect_eff GLIBC_TUNABLES arena_max 4
expect_eff GLIBC_TUNABLES arena_test 5
expect_eff GLIBC_TUNABLES mxfast 64
expect_out "glibc.malloc.mmap_threshold=1M" chunk300k 0
expect_out "glibc.malloc.mmap_max=0" chunk1m 0
expect_out "glibc.malloc.perturb=165" newbyte 90
run BUDDYMALLOC_OPTIONS=help GLIBC_TUNABLES=glibc.malloc.mmap_threshold=0x30000:glibc.malloc.top_pad=0X1000
expect_eff "GLIBC_TUNABLES in hex, as glibc reads it" mmap_threshold 196608
expect_eff "GLIBC_TUNABLES in hex, as glibc reads it" top_pad 4096

echo "== precedence: MALLOC_*_ < GLIBC_TUNABLES < BUDDYMALLOC_OPTIONS < mallopt"
# knob env tunable v_env v_tun v_ours(in BUDDYMALLOC_OPTIONS) v_ours_printed
while read -r knob var v1 v2 v3 v3p; do
	run BUDDYMALLOC_OPTIONS=help "$var=$v1"
	expect_eff "$var only" "$knob" "$v1"
	run BUDDYMALLOC_OPTIONS=help "$var=$v1" "GLIBC_TUNABLES=glibc.malloc.$knob=$v2"
	expect_eff "$var + GLIBC_TUNABLES" "$knob" "$v2"
	run "BUDDYMALLOC_OPTIONS=help,$knob=$v3" "$var=$v1" "GLIBC_TUNABLES=glibc.malloc.$knob=$v2"
	expect_eff "$var + GLIBC_TUNABLES + BUDDYMALLOC_OPTIONS" "$knob" "$v3p"
done <<'EOF'
mmap_threshold MALLOC_MMAP_THRESHOLD_ 65536 98304 200K 204800
trim_threshold MALLOC_TRIM_THRESHOLD_ 300000 400000 1M 1048576
top_pad MALLOC_TOP_PAD_ 4096 8192 16K 16384
mmap_max MALLOC_MMAP_MAX_ 3 4 5 5
perturb MALLOC_PERTURB_ 1 2 3 3
EOF
run BUDDYMALLOC_OPTIONS=mmap_threshold=200K MALLOC_MMAP_THRESHOLD_=65536 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=98304
expect_out "threshold 200K from BUDDYMALLOC_OPTIONS" chunk300k 1
run BUDDYMALLOC_OPTIONS=mmap_threshold=200K MALLOC_MMAP_THRESHOLD_=65536 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=98304 -- mallopt
expect_out "then mallopt(M_MMAP_THRESHOLD, 1 MiB) at run time" chunk300k 0
run BUDDYMALLOC_OPTIONS=perturb=0 MALLOC_PERTURB_=165
expect_out "MALLOC_PERTURB_=165 overridden by perturb=0" newbyte 0

echo "== a bad value: one line naming it, the previous value kept"
# label | variables | option | value kept | text the line must show | where
while IFS='|' read -r label vars knob kept text where; do
	# shellcheck disable=SC2086
	run $vars
	n=$(wc -l <"$tmp/err")
	echo "  $label: stderr: $(cat "$tmp/err")"
	[ "$n" = 1 ] || fail "$label: $n lines on stderr, expected exactly 1"
	grep -qF -- "$text" "$tmp/err" || fail "$label: the line does not show '$text'"
	grep -qF -- "$where" "$tmp/err" || fail "$label: the line does not name $where"
	# again with help: the value in effect
	helpvars=$(echo "$vars" | sed 's/BUDDYMALLOC_OPTIONS=/BUDDYMALLOC_OPTIONS=help,/')
	case $helpvars in *BUDDYMALLOC_OPTIONS=*) ;; *) helpvars="$helpvars BUDDYMALLOC_OPTIONS=help" ;; esac
	# shellcheck disable=SC2086
	run $helpvars
	[ "$(complaints)" = 1 ] || fail "$label (with help): $(complaints) complaint lines, expected 1"
	[ -n "$knob" ] && expect_eff "$label" "$knob" "$kept"
done <<'EOF'
not a number|MALLOC_MMAP_THRESHOLD_=65536 BUDDYMALLOC_OPTIONS=mmap_threshold=12X|mmap_threshold|65536|12X|BUDDYMALLOC_OPTIONS
out of range|BUDDYMALLOC_OPTIONS=mmap_threshold=64M|mmap_threshold|131072|64M|BUDDYMALLOC_OPTIONS
bad unit|BUDDYMALLOC_OPTIONS=top_pad=3T|top_pad|131072|3T|BUDDYMALLOC_OPTIONS
negative|BUDDYMALLOC_OPTIONS=decay_ms=-5|decay_ms|2000|-5|BUDDYMALLOC_OPTIONS
bad word|BUDDYMALLOC_OPTIONS=brk=maybe|brk|1|maybe|BUDDYMALLOC_OPTIONS
bad choice|BUDDYMALLOC_OPTIONS=stats=xml|stats|none|xml|BUDDYMALLOC_OPTIONS
unknown option|BUDDYMALLOC_OPTIONS=nosuch=1|||nosuch|BUDDYMALLOC_OPTIONS
MALLOC_TOP_PAD_ not a number|MALLOC_TOP_PAD_=lots|top_pad|131072|lots|MALLOC_TOP_PAD_
MALLOC_PERTURB_ out of range|MALLOC_PERTURB_=256|perturb|0|256|MALLOC_PERTURB_
GLIBC_TUNABLES not a number|MALLOC_TRIM_THRESHOLD_=300000 GLIBC_TUNABLES=glibc.malloc.trim_threshold=abc|trim_threshold|300000|abc|GLIBC_TUNABLES
GLIBC_TUNABLES out of range|GLIBC_TUNABLES=glibc.malloc.tcache_count=5:glibc.malloc.mxfast=999|mxfast|128|999|GLIBC_TUNABLES
EOF

echo "== unknown glibc tunables are silent"
run GLIBC_TUNABLES=glibc.malloc.tcache_count=5:glibc.malloc.tcache_unsorted_limit=3:glibc.malloc.check=0:glibc.pthread.rseq=0:glibc.malloc.hugetlb=0
expect_no_stderr "tcache_count, tcache_unsorted_limit, check, hugetlb, rseq"

if [ $failures -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "environment options as expected"
