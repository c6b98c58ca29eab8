#!/usr/bin/env bash
# Debian's python3 runs workload.py (dicts, lists, strings, json round-trips,
# pickle, multi-MiB buffers, threads handing objects to each other, fork while
# threads allocate) plainly and with the library preloaded, with
# PYTHONMALLOC=malloc so that every Python object is a malloc'd block.
# Compared: the whole stdout (deterministic: fixed seeds, digests), the stderr
# of both runs (both must be empty), the exit status.
# Loaded: the workload itself writes its /proc/self/maps and the object its
# malloc() binds to (ld.so's search order, via dl_iterate_phdr + dlsym).
# shellcheck source=tests/preload/common.bash
. "$(dirname "$0")/common.bash"

py=/usr/bin/python3
script=$(dirname "$0")/workload.py
# PYTHONMALLOC=malloc: every object goes through malloc/free, not just those
# above pymalloc's 512 bytes (python-regrtest.sh runs the default pymalloc).
export PYTHONMALLOC=malloc PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP

for mode in plain preloaded; do
	start=$SECONDS
	run_logged "python3 workload.py ($mode)" "$tmp/$mode.out" "$tmp/$mode.err" \
		$mode PRELOAD_TEST_MAPS="$tmp/$mode.maps" "$py" "$script"
	note "$mode run: $((SECONDS - start)) s"
done

same "stdout" "$tmp/plain.out" "$tmp/preloaded.out"
same "stderr" "$tmp/plain.err" "$tmp/preloaded.err"
check_stderr "python3 workload.py" "$tmp/preloaded.err"
grep -q '^done: ok$' "$tmp/preloaded.out" || fail "the preloaded run did not reach its end"
check_no_maps "plain python3" "$tmp/plain.maps"
check_maps "python3 workload.py" "$tmp/preloaded.maps"
provider=$(sed -n '1s/^malloc provided by: //p' "$tmp/preloaded.maps" 2>/dev/null)
if [ "$provider" = "$lib_real" ]; then
	note "python3's malloc() binds to $lib_base"
else
	fail "python3's malloc() binds to '${provider:-?}', not to $lib_real"
fi
finish
