#!/usr/bin/env bash
# Debian's sqlite3 shell runs workload.sql on an in-memory database (100k rows
# from a recursive CTE, indexes, joins, group by, order by, window functions,
# json, update/delete/vacuum) plainly and with the library preloaded.
# Compared: the whole stdout (every query is ordered), stderr (empty in both),
# the exit status.
# Loaded: at the end of the same session the shell imports its own
# /proc/self/maps (.import) and writes it to a file (.output).
# shellcheck source=tests/preload/common.bash
. "$(dirname "$0")/common.bash"

sqlite=/usr/bin/sqlite3
workload=$(dirname "$0")/workload.sql

for mode in plain preloaded; do
	{
		cat "$workload"
		cat <<-EOF
			.headers off
			CREATE TEMP TABLE self_maps(line TEXT);
			.import /proc/self/maps self_maps
			.output $tmp/$mode.maps
			SELECT line FROM self_maps;
			.output stdout
			SELECT 'done';
		EOF
	} >"$tmp/$mode.sql"
	start=$SECONDS
	run_logged "sqlite3 ($mode)" "$tmp/$mode.out" "$tmp/$mode.err" \
		$mode "$sqlite" -batch -bail :memory: <"$tmp/$mode.sql"
	note "$mode run: $((SECONDS - start)) s"
done

same "stdout" "$tmp/plain.out" "$tmp/preloaded.out"
same "stderr" "$tmp/plain.err" "$tmp/preloaded.err"
check_stderr "sqlite3" "$tmp/preloaded.err"
[ "$(tail -n 1 "$tmp/preloaded.out")" = "done" ] || fail "the preloaded sqlite3 did not reach the end of the script"
check_no_maps "plain sqlite3" "$tmp/plain.maps"
check_maps "sqlite3" "$tmp/preloaded.maps"
finish
