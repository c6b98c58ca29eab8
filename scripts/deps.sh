#!/usr/bin/env bash
# scripts/deps.sh check|bench
#
# Installs the Debian packages that `make check` or `make bench` need, and only
# those that are missing. Idempotent: when everything is there it changes
# nothing and runs no apt-get at all. apt's output goes to build/deps.log and
# is printed only when something fails. Prints exactly one line on success.
#
# To add a package, add it to one of the two lists below.
set -euo pipefail

# Needed by `make check` (builds, tests/run.sh and the real programs of
# tests/preload/).
CHECK_PKGS=(
	build-essential          # gcc, make, libc6-dev
	python3
	libpython3.11-testsuite  # python3 -m test test_dict ...
	sqlite3
	perl
	git
	redis-server
	redis-tools              # redis-cli, redis-benchmark
	libxml2-utils            # xmllint (malloc_info output)
	mandoc                   # man page lint
	groff-base               # groff -ww, the second man page lint
	pkgconf                  # tests/check/install.sh reads the .pc file
	procps                   # ps, pgrep, free
	g++                      # the micro benchmarks' shim, built in smoke mode
	libbenchmark-dev         # google benchmark, likewise
	libunwind-dev            # the heap profiler's stacks (linked: libunwind.so)
	google-perftools         # google-pprof reads the heap profiles in the tests
	libjemalloc-dev          # jeprof, likewise (and jemalloc for make bench)
)

# Needed by `make bench`, in addition to CHECK_PKGS.
BENCH_PKGS=(
	libgoogle-perftools-dev  # tcmalloc
	libmimalloc-dev
	gnuplot-nox
	hyperfine
)

usage() {
	echo "usage: $0 check|bench" >&2
	exit 2
}

[ $# -eq 1 ] || usage
case $1 in
check) wanted=("${CHECK_PKGS[@]}") ;;
bench) wanted=("${CHECK_PKGS[@]}" "${BENCH_PKGS[@]}") ;;
*) usage ;;
esac

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log=$top/build/deps.log

# is_installed PKG: true only when dpkg says the package is fully installed
# ("install ok installed"; not "deinstall ok config-files", not half-installed).
is_installed() {
	local status
	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$status" = "install ok installed" ]
}

missing_pkgs() {
	local p
	for p in "$@"; do
		is_installed "$p" || printf '%s\n' "$p"
	done
}

mapfile -t missing < <(missing_pkgs "${wanted[@]}")

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps ($1): all ${#wanted[@]} packages already installed, nothing to install"
	exit 0
fi

# Root runs apt-get itself; anyone else needs sudo, without a password unless
# there is a terminal to type it on.
if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
	as_root=(sudo)
else
	echo "deps ($1): missing Debian packages: ${missing[*]}" >&2
	echo "deps ($1): not root and no usable sudo; install them with:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

mkdir -p "$(dirname "$log")"
: >"$log"

fail() {
	echo "deps ($1): $2 failed; its output (from $log):" >&2
	cat "$log" >&2
	exit 1
}

echo "+ apt-get update" >>"$log"
"${as_root[@]}" apt-get update >>"$log" 2>&1 </dev/null || fail "$1" "apt-get update"
echo "+ apt-get install ${missing[*]}" >>"$log"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1 </dev/null ||
	fail "$1" "apt-get install ${missing[*]}"

# apt-get can exit 0 and still leave a package out (e.g. a held package).
mapfile -t still < <(missing_pkgs "${missing[@]}")
if [ ${#still[@]} -gt 0 ]; then
	echo "still not installed: ${still[*]}" >>"$log"
	fail "$1" "installing ${still[*]}"
fi

echo "deps ($1): installed ${missing[*]}"
