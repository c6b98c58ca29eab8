# common.bash - sourced by the real-program workloads (bench/real/*.sh, run
# as build/bench/NAME).  Gives them the bench/ protocol of bench/common/bench.h:
# `NAME [-m smoke|quick|full] [-t THREADS]`, one RESULT line, exit 0 only when
# every check passed.
#
# These scripts run under the allocator being measured (LD_PRELOAD comes from
# buddystat), so they keep their own work small: the program measured is the
# one named in the script.

real_init() {
	REAL_NAME=$1; shift
	MODE=${BENCH:-quick}
	THREADS=${BENCH_THREADS:-$(nproc)}
	local opt
	OPTIND=1
	while getopts m:t: opt; do
		case $opt in
		m) MODE=$OPTARG ;;
		t) THREADS=$OPTARG ;;
		*) echo "usage: $REAL_NAME [-m smoke|quick|full] [-t THREADS]" >&2; exit 2 ;;
		esac
	done
	case $MODE in smoke|quick|full) ;; *) echo "$REAL_NAME: bad mode $MODE" >&2; exit 2 ;; esac
	CHECKED=0
	ERRORS=0
	REAL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-$REAL_NAME.XXXXXX")
	trap 'rm -rf "$REAL_TMP"' EXIT
}

# pick SMOKE QUICK FULL
pick() {
	case $MODE in smoke) echo "$1" ;; quick) echo "$2" ;; full) echo "$3" ;; esac
}

now() { date +%s.%N; }

# expect WHAT GOT WANT: one check
expect() {
	CHECKED=$((CHECKED + 1))
	if [ "$2" != "$3" ]; then
		ERRORS=$((ERRORS + 1))
		echo "$REAL_NAME: $1: got '$2', expected '$3'" >&2
	fi
}

libc_path() {
	local p
	p=$(ldd /bin/sh | awk '$1 ~ /^libc\.so/ { print $3 }')
	readlink -f "$p"
}

# The library malloc must come from: the preloaded one, else glibc's.
malloc_home() {
	if [ -n "${LD_PRELOAD:-}" ]; then
		readlink -f "${LD_PRELOAD%% *}"
	else
		libc_path
	fi
}

# check_binding CMD [ARG]...: run CMD (cheaply: --version or so) with eager
# binding and the dynamic linker's trace, and check that every binding of
# malloc, free, calloc and realloc goes to malloc_home.  This is how a
# preload that silently failed (wrong path, wrong class) is caught.  Bindings
# to the executable itself are skipped: those are its PLT entries, which
# ld.so makes the canonical address and which are bound in turn.
check_binding() {
	local want trace bad
	want=$(malloc_home)
	trace=$REAL_TMP/bindings
	LD_BIND_NOW=1 LD_DEBUG=bindings LD_DEBUG_OUTPUT=$trace "$@" >/dev/null 2>&1
	cat "$trace".* 2>/dev/null | grep -E "normal symbol \`(malloc|free|calloc|realloc)'" \
		| sed -E 's/.* to ([^ ]+) \[.*/\1/' | grep '\.so' | sort -u >"$REAL_TMP/homes"
	rm -f "$trace".*
	CHECKED=$((CHECKED + 1))
	if [ ! -s "$REAL_TMP/homes" ]; then
		ERRORS=$((ERRORS + 1))
		echo "$REAL_NAME: no malloc binding seen for $1" >&2
		return 1
	fi
	bad=$(while read -r lib; do
		[ "$(readlink -f "$lib")" = "$want" ] || echo "$lib"
	done <"$REAL_TMP/homes")
	if [ -n "$bad" ]; then
		ERRORS=$((ERRORS + 1))
		echo "$REAL_NAME: $1 takes malloc from $bad, not $want" >&2
		return 1
	fi
	echo "$REAL_NAME: $1 takes malloc from $want"
}

# result OPS SECS [key=value]...
result() {
	local ops=$1 secs=$2; shift 2
	local rate
	rate=$(awk -v o="$ops" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? o / s : 0) }')
	echo "RESULT name=$REAL_NAME mode=$MODE threads=$THREADS ops=$ops secs=$secs" \
		"ops_per_sec=$rate checked=$CHECKED errors=$ERRORS $*"
	[ "$ERRORS" -eq 0 ] && [ "$CHECKED" -gt 0 ]
}
