#!/usr/bin/env bash
# tests/check/mallopt_glibc.sh - mallopt returns what glibc's returns, for
# glibc's own parameters (issue 3: "glibc's parameters with glibc's meanings
# and return values"), measured against the glibc of this machine.
#
# A probe (compiled here) calls mallopt(param, value) for each of glibc's
# nine parameters (M_MXFAST, M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD,
# M_MMAP_MAX, M_CHECK_ACTION, M_PERTURB, M_ARENA_TEST, M_ARENA_MAX) and a
# range of values (negative, 0, small, at and past the limits, INT_MAX),
# each call in a forked child so that no setting affects the next, and
# prints the result. It runs plainly (glibc) and with LD_PRELOAD.
# Proves that every one of these calls returns the same with the library as
# with glibc; the differences are listed.
# For the log only (not failures): unknown parameter numbers, and our own
# M_BUDDY_* numbers 1001..1010, under glibc (glibc returns 1 for numbers it
# does not know, and so do we since issue 12; t_tune_mallopt checks ours).
set -u -o pipefail

lib=${BUDDYMALLOC_LIB:?BUDDYMALLOC_LIB must be set}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/probe.c" <<'EOF'
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct { int p; const char *name; } params[] = {
	{ M_MXFAST, "M_MXFAST" }, { M_TRIM_THRESHOLD, "M_TRIM_THRESHOLD" },
	{ M_TOP_PAD, "M_TOP_PAD" }, { M_MMAP_THRESHOLD, "M_MMAP_THRESHOLD" },
	{ M_MMAP_MAX, "M_MMAP_MAX" }, { M_CHECK_ACTION, "M_CHECK_ACTION" },
	{ M_PERTURB, "M_PERTURB" }, { M_ARENA_TEST, "M_ARENA_TEST" },
	{ M_ARENA_MAX, "M_ARENA_MAX" },
};
static const int values[] = { INT_MIN, -2, -1, 0, 1, 2, 7, 8, 64, 160, 161, 255,
	256, 4096, 65536, 1 << 20, 32 << 20, (32 << 20) + 1, 1 << 30, INT_MAX };
static const int others[] = { 0, 2, 3, -9, -100, 999, 1000, 1001, 1002, 1003,
	1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 12345 };

static int call(int p, int v)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(mallopt(p, v) & 0xff);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		for (unsigned k = 0; k < sizeof(values) / sizeof(values[0]); k++)
			printf("glibc %s %d %d\n", params[i].name, values[k],
			       call(params[i].p, values[k]));
	for (unsigned k = 0; k < sizeof(others) / sizeof(others[0]); k++)
		printf("other %d 1 %d\n", others[k], call(others[k], 1));
	return 0;
}
EOF
cc -O1 -o "$tmp/probe" "$tmp/probe.c" || { echo "cannot compile"; exit 2; }
"$tmp/probe" >"$tmp/glibc" || { echo "FAIL: the probe failed under glibc"; exit 1; }
env LD_PRELOAD="$lib" "$tmp/probe" >"$tmp/ours" 2>"$tmp/err" || { echo "FAIL: the probe failed with the library: $(cat "$tmp/err")"; exit 1; }

diffs=0
echo "glibc's parameters: mallopt(param, value)   glibc  ours"
paste -d' ' "$tmp/glibc" "$tmp/ours" | while read -r kind name value g _ _ _ o; do
	[ "$kind" = glibc ] || continue
	mark=
	[ "$g" = "$o" ] || mark="   <-- differs"
	printf '  %-16s %11d   %d      %d%s\n' "$name" "$value" "$g" "$o" "$mark"
done
diffs=$(paste -d' ' "$tmp/glibc" "$tmp/ours" | awk '$1 == "glibc" && $4 != $8' | wc -l)
echo "other parameter numbers (log only): number   glibc  ours"
paste -d' ' "$tmp/glibc" "$tmp/ours" | awk '$1 == "other" { printf "  %6d   %d      %d\n", $2, $4, $8 }'

if [ "$diffs" -gt 0 ]; then
	echo "FAIL: $diffs calls with glibc's parameters return something else than glibc's mallopt:"
	paste -d' ' "$tmp/glibc" "$tmp/ours" | awk '$1 == "glibc" && $4 != $8 { printf "  mallopt(%s, %s): glibc %s, ours %s\n", $2, $3, $4, $8 }'
	exit 1
fi
echo "mallopt returns what glibc's does"
