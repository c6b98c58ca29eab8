# tests/preload/common.bash: sourced by every tests/preload/*.sh (it is not a
# test itself: tests/run.sh runs only *.sh).
#
# Each test runs a real Debian program twice, once plainly and once with
# LD_PRELOAD=$BUDDYMALLOC_LIB, and compares the two. This file gives them:
#   $lib $lib_real $lib_base   the library, its resolved path, its basename
#   $tmp                       a scratch directory, removed on exit
#   spawn CMD...               start CMD in the background; it is killed on exit
#   plain CMD... / preloaded CMD...   run CMD without / with the library
#   same LABEL A B             diff two files, fail (with the diff) if they differ
#   check_stderr LABEL FILE    fail if FILE has a line mentioning buddymalloc
#   check_maps LABEL FILE      fail unless FILE (a copy of some process's
#                              /proc/PID/maps) maps the library
#   check_no_maps LABEL FILE   fail if it does (the plain run really was plain)
#   run_logged LABEL OUT ERR CMD...   run CMD; a non-zero exit is a failure
#   fail MSG / note MSG / finish
# PRELOAD_TEST_KEEP=1 keeps the scratch directory for a look afterwards.
set -u -o pipefail

test_name=$(basename "$0" .sh)

die() {
	echo "$test_name: ERROR: $*" >&2
	exit 2
}

[ -n "${BUDDYMALLOC_LIB:-}" ] || die "BUDDYMALLOC_LIB is not set"
case $BUDDYMALLOC_LIB in /*) ;; *) die "BUDDYMALLOC_LIB must be an absolute path" ;; esac
[ -f "$BUDDYMALLOC_LIB" ] || die "BUDDYMALLOC_LIB=$BUDDYMALLOC_LIB does not exist"
lib=$BUDDYMALLOC_LIB
lib_real=$(readlink -f "$lib")
lib_base=$(basename "$lib")

# Preflight: the library must load into a trivial program with every symbol
# bound at once (an undefined symbol would otherwise only show up, lazily, in
# the middle of some test).
if ! preflight=$(env LD_PRELOAD="$lib" LD_BIND_NOW=1 /bin/true 2>&1) || [ -n "$preflight" ]; then
	echo "FAIL: $lib_base does not load cleanly into /bin/true with LD_BIND_NOW=1:"
	printf '%s\n' "$preflight" | head -n 10
	exit 1
fi

scratch_parent=/tmp
if [ -n "${BUDDYMALLOC_BUILD:-}" ] && [ -d "$BUDDYMALLOC_BUILD" ] && [ -w "$BUDDYMALLOC_BUILD" ]; then
	scratch_parent=$BUDDYMALLOC_BUILD
fi
tmp=$(mktemp -d "$scratch_parent/preload-$test_name.XXXXXX") || die "mktemp failed"
# Whatever the programs put in $TMPDIR goes away with the rest.
mkdir -p "$tmp/tmpdir" && export TMPDIR=$tmp/tmpdir

bg_pids=()
# stop_pid PID: SIGTERM, then SIGKILL if it is still there after 10 s.
stop_pid() {
	local i
	kill "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
cleanup() {
	local p
	for p in "${bg_pids[@]}"; do
		stop_pid "$p"
	done
	[ -n "${PRELOAD_TEST_KEEP:-}" ] && { echo "kept $tmp"; return; }
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# spawn CMD...: start CMD in the background, remembered for cleanup; its pid
# is in $spawned. CMD must be a program, not a shell function.
spawn() {
	"$@" &
	spawned=$!
	bg_pids+=("$spawned")
}

# reap PID: stop a process started with spawn and forget it.
reap() {
	local p=$1 keep=() q
	stop_pid "$p"
	for q in "${bg_pids[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
	bg_pids=("${keep[@]}")
}

# plain/preloaded [VAR=VALUE...] CMD...: run CMD without/with the library (and
# with those variables). The plain run must not inherit a preload from the caller.
plain() { env -u LD_PRELOAD "$@"; }
preloaded() { env LD_PRELOAD="$lib" "$@"; }
# The same as command prefixes, for spawn (which needs a command that execs,
# not a shell function, so that its pid is the program's):
#   spawn "${preloaded_env[@]}" prog args
# shellcheck disable=SC2034  # used by the tests through local -n
plain_env=(env -u LD_PRELOAD)
# shellcheck disable=SC2034
preloaded_env=(env "LD_PRELOAD=$lib")

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
note() { echo "$test_name: $*"; }

# same LABEL PLAIN_FILE PRELOADED_FILE
same() {
	if cmp -s "$2" "$3"; then
		note "$1: identical ($(wc -l <"$2") lines)"
	else
		fail "$1 differs between the plain run (-) and the preloaded run (+):"
		diff -u --label "plain: $1" --label "preloaded: $1" "$2" "$3" | head -n 60
	fi
}

# Replace what legitimately differs from run to run by placeholders: the
# scratch directory, the library's own path, the build directory (a checkout
# may well live in a directory called libbuddymalloc).
scrub_paths() {
	local s=$tmp
	sed -e "s|$s|<TMP>|g" -e "s|$lib_real|<LIB>|g" -e "s|$lib|<LIB>|g" \
		${BUDDYMALLOC_BUILD:+-e "s|$BUDDYMALLOC_BUILD|<BUILD>|g"} \
		${BUDDYMALLOC_TOP:+-e "s|$BUDDYMALLOC_TOP|<TOP>|g"}
}

# check_stderr LABEL FILE: the preloaded run's stderr must not mention the
# library (its error reports all name it).
check_stderr() {
	local hits
	hits=$(scrub_paths <"$2" | grep -i 'buddymalloc')
	if [ -n "$hits" ]; then
		fail "$1: stderr of the preloaded run mentions buddymalloc:"
		printf '%s\n' "$hits" | head -n 20
	fi
}

# check_maps LABEL MAPS_FILE: MAPS_FILE, a copy of the maps of the process
# under test, maps the library: the preload took effect in that process.
check_maps() {
	if [ -s "$2" ] && grep -qF -- "$lib_real" "$2"; then
		note "$1: $lib_base is mapped in the process under test"
	else
		fail "$1: $lib_base ($lib_real) is not mapped in the process under test (LD_PRELOAD had no effect)"
		[ -s "$2" ] || echo "  (no maps were captured)"
	fi
}

check_no_maps() {
	if [ -f "$2" ] && grep -qF -- "$lib_real" "$2"; then
		fail "$1: the plain run has $lib_base mapped: it was not a run without the library"
	fi
}

# run_logged LABEL OUT ERR CMD...: run CMD, stdout to OUT, stderr to ERR; a
# non-zero exit status is a failure (its stderr is shown).
run_logged() {
	local label=$1 out=$2 err=$3 rc
	shift 3
	"$@" >"$out" 2>"$err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$label exited with status $rc$( [ $rc -gt 128 ] && echo " (signal $((rc - 128)))")"
		echo "--- stderr (tail) ---"
		tail -n 30 "$err"
		echo "--- stdout (tail) ---"
		tail -n 10 "$out"
	fi
	return $rc
}

# finish: the test's verdict and exit status.
finish() {
	if [ "$failures" -eq 0 ]; then
		note "PASS (library: $lib_base)"
		exit 0
	fi
	note "$failures check(s) failed (library: $lib_base)"
	exit 1
}
