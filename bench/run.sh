#!/usr/bin/env bash
# bench/run.sh - run the benchmark suite under every allocator and write
# bench/results/ (`make bench-run` calls it; see bench/README.md).
#
# Environment (all optional):
#   BENCH=quick|full        size of the runs (default quick)
#   BENCH_THREADS=N         threads of the multi-threaded workloads (default nproc)
#   BENCH_RUNS=N            measured runs per allocator (default 3 quick, 5 full)
#   BENCH_ALLOCATORS="..."  subset of: glibc jemalloc tcmalloc mimalloc buddymalloc
#                           buddymalloc+prof (default: all of them)
#   BENCH_ONLY=REGEX        only the workloads whose name matches (micro included)
#   BENCH_MICRO_FILTER=RE   only the micro benchmark cases matching RE (Google
#                           Benchmark's --benchmark_filter; default all)
#   BENCH_TIMEOUT=SECS      limit for one run (default 300 quick, 1200 full)
#   BENCH_RESULTS=DIR       where to write (default bench/results)
#   BUILD, LIB, BUDDYSTAT   set by bench.mk
#
# Every workload runs under buddystat, which interleaves the allocators and
# measures the whole process tree; the micro benchmark binary runs once per
# allocator and writes Google Benchmark's JSON.  bench/report.py then merges
# it all into the table.
#
# buddymalloc+prof is libbuddymalloc with its heap profiler on (prof=1, the
# default prof_sample), in the micro benchmarks and the synthetic workloads
# only: it measures what profiling costs and is no peer.  buddystat -P runs
# it for the workloads; the micro binary writes its profiles to a mkdtemp
# directory that is removed before the report.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top" || exit 2

BUILD=${BUILD:-build}
LIB=${LIB:-lib/libbuddymalloc.so}
BUDDYSTAT=${BUDDYSTAT:-$BUILD/bin/buddystat}
mode=${BENCH:-quick}
case $mode in quick|full) ;; *) echo "bench: BENCH must be quick or full, not '$mode'" >&2; exit 2 ;; esac
threads=${BENCH_THREADS:-$(nproc)}
runs=${BENCH_RUNS:-$([ "$mode" = full ] && echo 5 || echo 3)}
warmup=$([ "$mode" = full ] && echo 1 || echo 0)
limit=${BENCH_TIMEOUT:-$([ "$mode" = full ] && echo 1200 || echo 300)}
only=${BENCH_ONLY:-.}
results=${BENCH_RESULTS:-$here/results}
wanted=${BENCH_ALLOCATORS:-glibc jemalloc tcmalloc mimalloc buddymalloc buddymalloc+prof}
prof_name=buddymalloc+prof
progs=$BUILD/bench

# find_lib SONAME...: the first one the dynamic linker knows of
find_lib() {
	local so p
	for so in "$@"; do
		p=$(ldconfig -p 2>/dev/null | awk -v so="$so" '$1 == so { print $NF; exit }')
		[ -z "$p" ] && for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
			[ -e "$d/$so" ] && { p=$d/$so; break; }
		done
		[ -n "$p" ] && { echo "$p"; return 0; }
	done
	return 1
}

# preload_works LIB: is LIB really mapped into a program preloaded with it?
preload_works() {
	local real
	real=$(readlink -f "$1")
	LD_PRELOAD=$real cat /proc/self/maps 2>/dev/null | grep -qF "$real"
}

names=() specs=()
for a in $wanted; do
	lib=
	case $a in
	glibc) names+=(glibc); specs+=(glibc=); continue ;;
	jemalloc) lib=$(find_lib libjemalloc.so.2) ;;
	tcmalloc) lib=$(find_lib libtcmalloc_minimal.so.4 libtcmalloc.so.4) ;;
	mimalloc) lib=$(find_lib libmimalloc.so.2 libmimalloc.so) ;;
	buddymalloc | "$prof_name") [ -e "$LIB" ] && lib=$(readlink -f "$LIB") ;;
	*) echo "bench: unknown allocator '$a'" >&2; exit 2 ;;
	esac
	if [ -z "$lib" ]; then
		echo "bench: $a not found, left out (scripts/deps.sh installs the peers;" \
			"'make' builds $LIB)" >&2
		continue
	fi
	if ! preload_works "$lib"; then
		echo "bench: preloading $lib does not work, $a left out" >&2
		continue
	fi
	names+=("$a")
	specs+=("$a=$lib")
done
# buddymalloc+prof runs as buddystat -P buddymalloc: it needs buddymalloc
prof=
for i in "${!names[@]}"; do
	[ "${names[$i]}" = "$prof_name" ] || continue
	if [[ " ${names[*]} " == *" buddymalloc "* ]]; then
		prof=$prof_name
	else
		echo "bench: $prof_name needs buddymalloc among the allocators, left out" >&2
		unset 'names[i]' 'specs[i]'
	fi
done
names=("${names[@]}") specs=("${specs[@]}")
[ ${#names[@]} -gt 0 ] || { echo "bench: no allocator to run" >&2; exit 1; }

[ -x "$BUDDYSTAT" ] || { echo "bench: $BUDDYSTAT missing: make bench-build" >&2; exit 2; }
synth=() real=()
for f in "$here"/synth/*.c; do synth+=("$(basename "$f" .c)"); done
for f in "$here"/real/*.c "$here"/real/*.sh; do real+=("$(basename "${f%.*}")"); done
workloads=()
for w in "${synth[@]}" "${real[@]}"; do
	[[ $w =~ $only ]] || continue
	[ -x "$progs/$w" ] || { echo "bench: $progs/$w missing: make bench-build" >&2; exit 2; }
	workloads+=("$w")
done

rm -rf "$results/raw" "$results/logs"
mkdir -p "$results/raw" "$results/logs"
profdir=
if [ -n "$prof" ]; then
	profdir=$(mktemp -d "${TMPDIR:-/tmp}/bench-prof.XXXXXX") || exit 2
	trap 'rm -rf "$profdir"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
fi
start=$(date +%s)
{
	echo "mode=$mode"
	echo "threads=$threads"
	echo "runs=$runs"
	echo "warmup=$warmup"
	echo "cores=$(nproc)"
	echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "kernel=$(uname -srm)"
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "synthetic=${synth[*]}"
	echo "real=${real[*]}"
	for i in "${!names[@]}"; do
		lib=${specs[$i]#*=}
		pkg=
		[ -n "$lib" ] && pkg=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)
		ver=
		[ -n "$pkg" ] && ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null)
		[ "${names[$i]}" = glibc ] && ver=$(ldd --version | awk 'NR == 1 { print $NF }')
		echo "allocator=${names[$i]}|${lib}|${pkg}|${ver}"
	done
} >"$results/raw/meta.txt"

echo "bench: $mode mode, $threads threads, $runs runs each, allocators: ${names[*]}"
for w in "${workloads[@]}"; do
	args=()
	for s in "${specs[@]}"; do [ "${s%%=*}" = "$prof_name" ] || args+=(-a "$s"); done
	[ -n "$prof" ] && [[ " ${synth[*]} " == *" $w "* ]] && args+=(-P buddymalloc)
	"$BUDDYSTAT" "${args[@]}" -n "$runs" -W "$warmup" -t "$limit" -w "$w" \
		-l "$results/logs/$w.log" -o "$results/raw/$w.csv" -o "$results/raw/$w.json" \
		-- "$progs/$w" -m "$mode" -t "$threads"
	[ $? -eq 0 ] || echo "bench: $w failed under some allocator (see $results/logs/$w.log)" >&2
done

if [[ micro =~ $only ]]; then
	for i in "${!names[@]}"; do
		a=${names[$i]} lib=${specs[$i]#*=}
		printf 'micro: %s ... ' "$a"
		t0=$(date +%s)
		if [ -n "$lib" ]; then pre=(env LD_PRELOAD="$lib"); else pre=(env -u LD_PRELOAD); fi
		[ "$a" = "$prof_name" ] && pre+=("BUDDYMALLOC_OPTIONS=${BUDDYMALLOC_OPTIONS:+$BUDDYMALLOC_OPTIONS,}prof=1,prof_file=$profdir/micro")
		timeout --kill-after=10 "$limit" "${pre[@]}" "$progs/micro" -m "$mode" -t "$threads" \
			${BENCH_MICRO_FILTER:+"--benchmark_filter=$BENCH_MICRO_FILTER"} \
			--benchmark_out="$results/raw/micro-$a.json" --benchmark_out_format=json \
			>"$results/logs/micro-$a.log" 2>&1
		rc=$?
		extra=
		if [ "$a" = "$prof_name" ]; then
			n=$(find "$profdir" -name 'micro.*.heap' | wc -l)
			extra=", $n profile(s)"
			rm -f "$profdir"/micro.*.heap
		fi
		echo "exit $rc, $(($(date +%s) - t0))s$extra"
	done
fi
echo "elapsed=$(($(date +%s) - start))" >>"$results/raw/meta.txt"
[ -n "$profdir" ] && rm -rf "$profdir"

exec /usr/bin/python3 "$here/report.py" "$results"
