#!/usr/bin/env bash
# Debian's perl runs workload.pl (hashes, arrays, sort, regexes, substitutions,
# split/join, sprintf, pack, multi-MiB strings, closures, a deep tree, fork,
# ithreads) plainly and with the library preloaded.
# Compared: the whole stdout (fixed generator, sorted keys, digests), stderr
# (empty in both), the exit status.
# Loaded: the workload copies its own /proc/self/maps to a file at its end.
# shellcheck source=tests/preload/common.bash
. "$(dirname "$0")/common.bash"

perl=/usr/bin/perl
script=$(dirname "$0")/workload.pl
export PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0
unset PERL5LIB PERL5OPT PERLLIB

for mode in plain preloaded; do
	start=$SECONDS
	run_logged "perl workload.pl ($mode)" "$tmp/$mode.out" "$tmp/$mode.err" \
		$mode PRELOAD_TEST_MAPS="$tmp/$mode.maps" "$perl" "$script"
	note "$mode run: $((SECONDS - start)) s"
done

same "stdout" "$tmp/plain.out" "$tmp/preloaded.out"
same "stderr" "$tmp/plain.err" "$tmp/preloaded.err"
check_stderr "perl" "$tmp/preloaded.err"
grep -qx 'done ok' "$tmp/preloaded.out" || fail "the preloaded perl did not reach the end of the script"
check_no_maps "plain perl" "$tmp/plain.maps"
check_maps "perl" "$tmp/preloaded.maps"
finish
