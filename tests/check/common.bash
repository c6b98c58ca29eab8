# tests/check/common.bash: sourced by the tests/check/*.sh scripts that run
# probes under the library (it is not a test itself: tests/run.sh runs only
# *.sh). It gives them:
#   $lib      the library under test (BUDDYMALLOC_LIB)
#   $probes   the built probes, tests/check/probes/*.c (BUDDYMALLOC_BUILD)
#   $tmp      a scratch directory of the test's own, removed on exit
#   fail MSG  print one FAIL line and count it in $failures
#   finish MSG  print MSG when nothing failed; exit 1 when something did
set -u -o pipefail

lib=${BUDDYMALLOC_LIB:?BUDDYMALLOC_LIB must be set}
probes=${BUDDYMALLOC_BUILD:?BUDDYMALLOC_BUILD must be set}/tests/check/probes
tmp=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$0" .sh).XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

finish() {
	[ $failures -eq 0 ] && echo "$*"
	exit $((failures > 0))
}
