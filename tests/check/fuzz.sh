#!/usr/bin/env bash
# tests/check/fuzz.sh - the API fuzzer (tests/fuzz/fuzz.c), briefly: four
# seeds, four threads, 60000 operations per thread and seed (960000 in
# all; about 30 s of CPU), with the library preloaded. `make fuzz` runs
# it longer (FUZZ_ARGS).
# Proves that every operation's checks (contents, sizes, alignment,
# zeroing, realloc's copy, errno on failure) hold for these seeds.
set -u
lib=${BUDDYMALLOC_LIB:?BUDDYMALLOC_LIB must be set}
build=${BUDDYMALLOC_BUILD:?BUDDYMALLOC_BUILD must be set}
fuzz=$build/tests/fuzz/fuzz
[ -x "$fuzz" ] || { echo "fuzz.sh: $fuzz is not built"; exit 1; }
LD_PRELOAD=$lib "$fuzz" -n 60000 -t 4 -s 11,12,13,14
