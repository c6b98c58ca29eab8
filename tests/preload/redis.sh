#!/usr/bin/env bash
# Debian's redis-server (7.0) serves 127.0.0.1 on a free high port, once
# plainly and once with the library preloaded into the server; the clients
# (redis-benchmark, redis-cli) run plainly against it.
# Compared: which redis-benchmark -q tests completed (not their rates); the
# raw replies of a redis-cli session (the values the benchmark wrote, 100k
# element lists/hashes/sets/zsets and an 8 MiB string built by Lua scripts,
# Lua sha1 digests over them, DEBUG DIGEST, SORT, deletions handed to the
# lazyfree thread, FLUSHALL ASYNC, a rebuild); a BGSAVE (fork of the
# threaded server) and redis-check-rdb of its file; clean SHUTDOWN (exit 0).
# Loaded: the server's /proc/PID/maps, and INFO memory: with the library,
# redis's used_memory (which it counts with malloc_usable_size) grows with
# the data while jemalloc's own allocator_allocated stays near zero.
#
# Redis and jemalloc (what was found, Debian 12 redis-server 5:7.0.15):
# - /usr/bin/redis-server is linked against libjemalloc.so.2 (Debian builds it
#   with USE_JEMALLOC against the system jemalloc, which has no je_ prefix).
#   Its dynamic imports from jemalloc are only: malloc, calloc, realloc, free,
#   malloc_usable_size, nallocx, mallctl, malloc_stats_print (nm -D). It
#   imports no mallocx, rallocx, xallocx, sallocx, dallocx, sdallocx, no je_*
#   symbol and no C++ operator new/delete: zmalloc's *_no_tcache functions
#   (mallocx/dallocx) and active defrag exist only with redis's own patched
#   jemalloc (JEMALLOC_FRAG_HINT), which Debian's build lacks; so
#   CONFIG SET activedefrag yes is refused, with or without a preload.
# - Those are ordinary undefined symbols bound by ld.so, so LD_PRELOAD of a
#   malloc library takes over malloc/calloc/realloc/free/malloc_usable_size
#   for redis and for every library it loads (libssl, libsystemd, libstdc++,
#   ... import the same names; libstdc++ also aligned_alloc). jemalloc stays
#   mapped and initialised (its constructor runs) but only sees mallctl /
#   mallctlnametomib / mallctlbymib / malloc_stats_print. Checked under gdb
#   with a breakpoint on every function libjemalloc.so.2 exports: with a
#   malloc preloaded, a redis-benchmark run, INFO, MEMORY MALLOC-STATS and
#   MEMORY PURGE hit only those four; without the preload malloc, free,
#   realloc, calloc, malloc_usable_size hit tens of thousands of times.
# - None of jemalloc's entry points that remain reachable takes a heap
#   pointer: mallctl gets names and pointers to redis's own stack variables
#   (INFO's allocator_* stats, MEMORY PURGE's "arena.N.purge",
#   jemalloc-bg-thread's "background_thread"), malloc_stats_print a callback.
#   (DEBUG MALLCTL KEY VALUE, disabled by default, passes an integer, never a
#   pointer.) nallocx(size, 0) takes a size: sdsResize skips realloc when
#   nallocx(newlen) == malloc_usable_size(sh); nallocx(n) >= n, so a skipped
#   realloc still leaves a block of at least newlen bytes: a mismatch between
#   jemalloc's size classes and ours costs at most a realloc, never memory
#   safety. zmadvise_dontneed (used only in a fork child) madvises whole pages
#   inside [p, p + malloc_usable_size(p)), i.e. inside the user's block, which
#   is safe as long as malloc_usable_size is right and no allocator metadata
#   lives inside user blocks.
# - So no pointer from the preloaded library can reach jemalloc, as long as
#   the library exports every allocation function jemalloc exports that some
#   loaded object calls (malloc, calloc, realloc, free, malloc_usable_size,
#   posix_memalign, aligned_alloc, memalign, valloc). If one were missing, its
#   callers would get jemalloc memory and free() it into the library.
# - What changes under a preload: INFO's mem_allocator still says
#   "jemalloc-5.3.0" (a compile-time string); allocator_allocated/active/
#   resident and MEMORY MALLOC-STATS describe jemalloc's idle heap, not the
#   real one; used_memory, maxmemory accounting and MEMORY USAGE use
#   malloc_usable_size, i.e. the library's numbers.
# shellcheck source=tests/preload/common.bash
. "$(dirname "$0")/common.bash"

server_bin=/usr/bin/redis-server
cli=/usr/bin/redis-cli
bench=/usr/bin/redis-benchmark
check_rdb=/usr/bin/redis-check-rdb

# port_in_use PORT: something listens on PORT (IPv4 or IPv6), from /proc.
port_in_use() {
	local hex
	hex=$(printf ':%04X' "$1")
	awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# start_server MODE: start redis-server (MODE = plain|preloaded) on a free
# port; sets $port and $server_pid.
start_server() {
	local mode=$1 try i
	mkdir -p "$tmp/$mode"
	for ((try = 0; try < 10; try++)); do
		# 20000-31999: below the kernel's ephemeral ports (32768-60999)
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		port_in_use "$port" && continue
		local -n menv=${mode}_env
		spawn "${menv[@]}" "$server_bin" --port "$port" --bind 127.0.0.1 \
			--save '' --appendonly no --daemonize no --dir "$tmp/$mode" \
			--logfile '' --enable-debug-command local \
			--lazyfree-lazy-user-del yes --lazyfree-lazy-user-flush yes \
			>"$tmp/$mode.server.log" 2>&1
		server_pid=$spawned
		for ((i = 0; i < 300; i++)); do
			kill -0 "$server_pid" 2>/dev/null || break
			grep -q 'Ready to accept connections' "$tmp/$mode.server.log" && return 0
			sleep 0.1
		done
		if grep -q 'Address already in use' "$tmp/$mode.server.log"; then
			reap "$server_pid"
			continue
		fi
		fail "redis-server ($mode) did not start:"
		tail -n 20 "$tmp/$mode.server.log"
		reap "$server_pid"
		return 1
	done
	fail "found no free port for redis-server ($mode)"
	return 1
}

cmd() { "$cli" -h 127.0.0.1 -p "$port" "$@"; }
info_field() { cmd INFO "$1" | tr -d '\r' | sed -n "s/^$2://p"; }

# The redis-cli session, one command a line; replies are deterministic.
session() {
	cat <<-'EOF'
		STRLEN key:__rand_int__
		EVAL "return redis.sha1hex(redis.call('GET', KEYS[1]))" 1 key:__rand_int__
		GET counter:__rand_int__
		LLEN mylist
		LRANGE mylist 0 3
		SCARD myset
		HGET myhash element:__rand_int__
		ZCARD myzset
		DBSIZE
		FLUSHALL
		EVAL "local n = 0 for i = 1, 100000 do n = redis.call('RPUSH', KEYS[1], 'item:' .. i .. ':' .. string.rep('x', i % 50)) end return n" 1 biglist
		EVAL "for i = 1, 50000 do redis.call('HSET', KEYS[1], 'field:' .. i, string.rep('v', i % 200)) end return redis.call('HLEN', KEYS[1])" 1 bighash
		EVAL "for i = 1, 50000 do redis.call('SADD', KEYS[1], 'member:' .. (i * 7919 % 100003)) end return redis.call('SCARD', KEYS[1])" 1 bigset
		EVAL "for i = 1, 50000 do redis.call('ZADD', KEYS[1], (i * 7) % 1000, 'm' .. i) end return redis.call('ZCARD', KEYS[1])" 1 bigzset
		EVAL "for i = 1, 20000 do redis.call('SET', 'str:' .. i, string.rep('s', i % 1000)) end return redis.call('DBSIZE')" 0
		EVAL "for i = 1, 2048 do redis.call('APPEND', KEYS[1], string.rep(string.char(65 + i % 26), 4096)) end return redis.call('STRLEN', KEYS[1])" 1 bigstr
		EVAL "return redis.sha1hex(table.concat(redis.call('LRANGE', KEYS[1], 0, -1), ','))" 1 biglist
		EVAL "local t = redis.call('HGETALL', KEYS[1]) local p = {} for i = 1, #t, 2 do p[#p + 1] = t[i] .. '=' .. t[i + 1] end table.sort(p) return redis.sha1hex(table.concat(p, ','))" 1 bighash
		EVAL "local t = redis.call('SMEMBERS', KEYS[1]) table.sort(t) return redis.sha1hex(table.concat(t, ','))" 1 bigset
		EVAL "return redis.sha1hex(table.concat(redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES'), ','))" 1 bigzset
		EVAL "return redis.sha1hex(redis.call('GET', KEYS[1]))" 1 bigstr
		DEBUG DIGEST
		DEBUG DIGEST-VALUE biglist bighash bigset bigzset bigstr str:999
		OBJECT ENCODING biglist
		OBJECT ENCODING bighash
		LINDEX biglist 4999
		LRANGE biglist 100 103
		HGET bighash field:777
		SISMEMBER bigset member:7919
		ZRANGEBYSCORE bigzset 5 5 LIMIT 0 4
		ZSCORE bigzset m12345
		GETRANGE bigstr 4090 4100
		STRLEN str:999
		SORT biglist ALPHA LIMIT 0 5
		SORT biglist ALPHA DESC LIMIT 1000 3
		SETRANGE bigstr 9000000 tail
		STRLEN bigstr
		CONFIG SET activedefrag yes
	EOF
}

# After the BGSAVE: deletions (the big ones go to the lazyfree thread), a
# flush, and a rebuild into the freed memory.
session2() {
	cat <<-'EOF'
		LTRIM biglist 1000 50999
		LLEN biglist
		EVAL "for i = 1, 25000 do redis.call('HDEL', KEYS[1], 'field:' .. (i * 2)) end return redis.call('HLEN', KEYS[1])" 1 bighash
		DEL biglist bighash
		UNLINK bigset bigzset bigstr
		DBSIZE
		FLUSHALL ASYNC
		DBSIZE
		EVAL "local n = 0 for i = 1, 30000 do n = redis.call('LPUSH', KEYS[1], string.rep('y', i % 300)) end return n" 1 again
		EVAL "return redis.sha1hex(table.concat(redis.call('LRANGE', KEYS[1], 0, -1), ','))" 1 again
		DEBUG DIGEST
		PING
	EOF
}

for mode in plain preloaded; do
	start=$SECONDS
	start_server "$mode" || continue
	note "$mode server: pid $server_pid, port $port"
	cp "/proc/$server_pid/maps" "$tmp/$mode.maps" 2>/dev/null

	# The benchmark: bounded request counts, pipelined.
	"$bench" -h 127.0.0.1 -p "$port" -q -c 20 -P 16 -n 50000 \
		-t set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,zadd,lrange_100,lrange_300,mset \
		>"$tmp/$mode.bench.raw" 2>"$tmp/$mode.bench.err" ||
		fail "redis-benchmark ($mode) failed: $(tail -n 3 "$tmp/$mode.bench.err")"
	"$bench" -h 127.0.0.1 -p "$port" -q -c 4 -P 4 -n 2000 -d 300000 -t set,get \
		>>"$tmp/$mode.bench.raw" 2>>"$tmp/$mode.bench.err" ||
		fail "redis-benchmark -d 300000 ($mode) failed"
	tr '\r' '\n' <"$tmp/$mode.bench.raw" | grep 'requests per second' |
		sed -E 's/: [0-9.]+ requests per second.*$/: N requests per second/' >"$tmp/$mode.bench"

	session | cmd >"$tmp/$mode.session" 2>&1 || fail "redis-cli session ($mode) failed"

	# Memory as redis counts it (malloc_usable_size) and as jemalloc does.
	used=$(info_field memory used_memory)
	jem=$(info_field memory allocator_allocated)
	echo "$used $jem $(info_field memory mem_allocator)" >"$tmp/$mode.mem"
	note "$mode: used_memory=$used allocator_allocated=$jem (jemalloc's count)"

	# A fork of the threaded server.
	cmd BGSAVE >/dev/null
	for ((i = 0; i < 600; i++)); do
		[ "$(info_field persistence rdb_bgsave_in_progress)" = 0 ] && break
		sleep 0.1
	done
	{
		echo "bgsave status: $(info_field persistence rdb_last_bgsave_status)"
		(cd "$tmp/$mode" && plain "$check_rdb" dump.rdb 2>&1) | grep -E 'Checking RDB file|keys read|expires|already expired|RDB looks OK|RDB ERROR' |
			sed -E 's/^\[offset [0-9]+\] //'
	} >"$tmp/$mode.bgsave"

	session2 | cmd >"$tmp/$mode.session2" 2>&1 || fail "redis-cli session 2 ($mode) failed"

	cmd SHUTDOWN NOSAVE >/dev/null 2>&1
	for ((i = 0; i < 200; i++)); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$server_pid" 2>/dev/null; then
		fail "redis-server ($mode) still runs 20 s after SHUTDOWN NOSAVE"
	else
		wait "$server_pid"
		rc=$?
		[ $rc -eq 0 ] || fail "redis-server ($mode) exited with status $rc after SHUTDOWN"
	fi
	reap "$server_pid"
	note "$mode run: $((SECONDS - start)) s"
done

for f in bench session bgsave session2; do
	same "$f" "$tmp/plain.$f" "$tmp/preloaded.$f"
done
[ "$(wc -l <"$tmp/preloaded.bench" 2>/dev/null)" -ge 15 ] || fail "redis-benchmark completed too few tests under the library"
grep -qx 'bgsave status: ok' "$tmp/preloaded.bgsave" || fail "BGSAVE under the library did not succeed"
check_stderr "redis-server log" "$tmp/preloaded.server.log"
if grep -Eq 'BUG REPORT|crashed by signal|Guru Meditation|ASSERTION FAILED' "$tmp/preloaded.server.log"; then
	fail "redis-server crashed under the library:"
	grep -E -A 20 'BUG REPORT|crashed by signal|Guru Meditation|ASSERTION FAILED' "$tmp/preloaded.server.log" | head -n 40
fi
check_no_maps "plain redis-server" "$tmp/plain.maps"
check_maps "redis-server" "$tmp/preloaded.maps"

# The preload really took over redis's allocations: with it, jemalloc's own
# count stays far below what redis has allocated; without it, it does not.
read -r pused pjem _ <"$tmp/plain.mem" 2>/dev/null
read -r used jem _ <"$tmp/preloaded.mem" 2>/dev/null
if [ -n "${used:-}" ] && [ -n "${jem:-}" ] && [ -n "${pused:-}" ] && [ -n "${pjem:-}" ]; then
	[ "$used" -gt 20000000 ] || fail "used_memory under the library is only $used bytes (malloc_usable_size broken?)"
	[ "$jem" -lt $((used / 10)) ] ||
		fail "jemalloc's allocator_allocated ($jem) is not far below used_memory ($used): redis still allocates from jemalloc"
	[ "$pjem" -ge $((pused / 2)) ] ||
		fail "without the library, jemalloc's allocator_allocated ($pjem) should cover used_memory ($pused)"
	# Allocators round differently, but not by a factor of two.
	{ [ "$used" -gt $((pused / 2)) ] && [ "$used" -lt $((pused * 2)) ]; } ||
		fail "used_memory with the library ($used) is far from without it ($pused)"
else
	fail "could not read INFO memory of both servers"
fi
finish
