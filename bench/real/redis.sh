#!/usr/bin/env bash
# redis - redis-server under the allocator being measured, loaded by
# redis-benchmark on 127.0.0.1 with pipelined LPUSH then LRANGE_100.
#
# Only the server runs under the allocator: the client is started without
# LD_PRELOAD.  Debian's redis-server is linked with libjemalloc, so "no
# preload" would still mean jemalloc; for the glibc baseline this script
# preloads libc itself, which puts glibc's malloc first.  Either way it checks
# that the server's malloc/free really bind to the intended library, and that
# the library is mapped in the running server.  Checks: the list has the
# pushed length and element size, and a 100 KiB value reads back intact.
set -u
. "$(dirname "$0")/share/common.bash"
real_init redis "$@"

requests=$(pick 2000 100000 400000)
clients=$(pick 4 50 50)
pipeline=16
datasize=3

if [ -z "${LD_PRELOAD:-}" ]; then
	LD_PRELOAD=$(libc_path)
	export LD_PRELOAD
fi
check_binding redis-server --version || { result 0 0; exit 1; }
home=$(malloc_home)

cli() { env -u LD_PRELOAD redis-cli -h 127.0.0.1 -p "$port" "$@"; }

start_server() {
	local try
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
			--dir "$REAL_TMP" --logfile "$REAL_TMP/redis.log" \
			--daemonize no >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			[ "$(cli ping 2>/dev/null)" = PONG ] && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	done
	echo "redis: could not start redis-server" >&2
	tail -5 "$REAL_TMP/redis.log" >&2
	return 1
}

start_server || { ERRORS=$((ERRORS + 1)); result 0 0; exit 1; }
mapped=no
grep -qF "$home" "/proc/$pid/maps" && mapped=yes
expect "server maps $home" "$mapped" yes

t0=$(now)
env -u LD_PRELOAD redis-benchmark -h 127.0.0.1 -p "$port" -n "$requests" \
	-c "$clients" -P "$pipeline" -d "$datasize" -t lpush,lrange_100 --csv \
	>"$REAL_TMP/bench.csv" 2>"$REAL_TMP/bench.err"
rc=$?
t1=$(now)
expect "redis-benchmark exit status" "$rc" 0

# LPUSH, then the LPUSH that fills the list for LRANGE: two pushes per request.
expect "list length" "$(cli llen mylist)" $((2 * requests))
expect "element size" "$(cli lindex mylist 0 | tr -d '\n' | wc -c)" "$datasize"
value=$(head -c 102400 /dev/zero | tr '\0' 'r')
cli set bigvalue "$value" >/dev/null
expect "100 KiB value" "$(cli get bigvalue | cksum)" "$(printf '%s\n' "$value" | cksum)"
used=$(cli info memory | awk -F: '/^used_memory:/ { print $2 + 0 }')

rates=$(awk -F'","' 'NR > 1 { gsub(/"/, "", $1); gsub(/"/, "", $2);
	name = tolower($1); fill = name ~ /needed/; sub(/ .*/, "", name);
	printf "%s%s_rps=%s ", name, fill ? "_fill" : "", $2 }' \
	"$REAL_TMP/bench.csv")
cli shutdown nosave >/dev/null 2>&1
wait "$pid"
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
result $((3 * requests)) "$secs" ${rates}used_memory=${used:-0}
