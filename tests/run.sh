#!/usr/bin/env bash
# tests/run.sh BUILD_DIR LIB [NAME...]
# Runs the tests of the tree (see tests/README.md), one line per test, and
# ends with the closing line "N passed, M failed". Exit status: 0 only if
# none failed. Without NAMEs, every test; with them, only the tests whose
# "kind/name" (api/t_basic, unit-asan/buddy, check/man), name (t_basic; a
# unit test's name selects both its plain and its sanitizer build) or kind
# (stress) is one of the NAMEs. A NAME that selects nothing is an error
# (exit 2, before anything runs), so that a typo does not pass as
# "0 passed, 0 failed".
# `make check T="NAME..."` passes T here.
set -u
build=$(cd "$1" && pwd)
lib=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
top=$(cd "$(dirname "$0")/.." && pwd)
shift 2
wanted=("$@")
logs=$build/test-logs
mkdir -p "$logs"
export BUDDYMALLOC_LIB=$lib BUDDYMALLOC_BUILD=$build BUDDYMALLOC_TOP=$top
pass=0 fail=0 failed=()
declare -A used=()

# selected KIND NAME: true when no NAMEs were given or one of them matches
selected() {
	local w hit=1
	[ ${#wanted[@]} -eq 0 ] && return 0
	for w in "${wanted[@]}"; do
		if [ "$w" = "$1/$2" ] || [ "$w" = "$2" ] || [ "$w" = "$1" ]; then
			used[$w]=1
			hit=0
		fi
	done
	return $hit
}

# run KIND NAME TIMEOUT CMD...
run() {
	local kind=$1 name=$2 limit=$3; shift 3
	local log=$logs/$kind-$name.log start=$SECONDS rc
	timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1 </dev/null
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		printf 'PASS %s/%s (%ds)\n' "$kind" "$name" $((SECONDS - start))
	else
		fail=$((fail + 1)); failed+=("$kind/$name")
		[ $rc -eq 124 ] && echo "timed out after ${limit}s" >>"$log"
		printf 'FAIL %s/%s (exit %d, %ds)\n' "$kind" "$name" $rc $((SECONDS - start))
		tail -n 25 "$log" | sed 's/^/    | /'
	fi
}

# Every test of the tree as "kind name path", in the order they run.
tests=()
for t in "$build"/tests/unit/* "$build"/tests/unit-asan/* "$build"/tests/api/* \
	"$build"/tests/stress/*; do
	[ -f "$t" ] && [ -x "$t" ] && tests+=("$(basename "$(dirname "$t")") $(basename "$t") $t")
done
for kind in preload check; do
	for t in "$top/tests/$kind"/*.sh; do
		[ -f "$t" ] && tests+=("$kind $(basename "$t" .sh) $t")
	done
done

chosen=()
for entry in "${tests[@]}"; do
	read -r kind name path <<<"$entry"
	selected "$kind" "$name" && chosen+=("$entry")
done
for w in "${wanted[@]}"; do
	if [ -z "${used[$w]:-}" ]; then
		echo "tests/run.sh: no test is called '$w' (kind/name, name or kind)" >&2
		exit 2
	fi
done

for entry in "${chosen[@]}"; do
	read -r kind name path <<<"$entry"
	case $kind in
	unit) run "$kind" "$name" 300 "$path" ;;
	unit-asan) run "$kind" "$name" 600 "$path" ;;
	api | stress) run "$kind" "$name" 600 env LD_PRELOAD="$lib" "$path" ;;
	*) run "$kind" "$name" 1200 bash "$path" ;;
	esac
done

[ $fail -gt 0 ] && printf 'failed: %s\n' "${failed[*]}"
printf '%d passed, %d failed\n' $pass $fail
[ $fail -eq 0 ]
