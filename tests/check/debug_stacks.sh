#!/usr/bin/env bash
# tests/check/debug_stacks.sh - the stacks in a double free's report.
#
# A program allocates a block in alloc_here(), frees it in free_here(),
# allocates and frees a hundred blocks of the same size (which would reuse
# the address without a quarantine), then frees the block again in
# free_again(). For a slab object (100 B), a page run (64 KiB) and a
# mapped chunk (1 MiB), proves that
#  - with debug_stacks=1,invalid_free=warn the report is the line
#    "buddymalloc: free(): double free 0x...", the stack of the call
#    (#0 free_again, #1 main), then "  allocated at:" (#0 alloc_here,
#    #1 main) and "  first freed at:" (#0 free_here, #1 main); the program
#    goes on and exits 0;
#  - with debug_stacks=1 alone, the same report and then SIGABRT;
#  - without debug_stacks, a double free found by the allocator itself
#    (free right after the first free) prints its line ("double free", or
#    "invalid pointer" for a run whose pages merged already) and the call's
#    stack (free_again, main), and no allocation or first-free stack.
. "$(dirname "$0")/common.bash"

# frame FILE SECTION INDEX NAME: the frame INDEX under SECTION ("" for the
# call's own stack) names function NAME in the program
frame() {
	local section=$2
	awk -v s="$section" '
		/^  [a-z ]+:$/ { cur = $0; next }
		/^buddymalloc: / { cur = ""; next }
		cur == s { print }' "$1" |
		grep -Eq "^    #$3 0x[0-9a-f]+ $4 \\(debug_twice\\+0x[0-9a-f]+\\)\$"
}

for n in 100 65536 1048576; do
	echo "== double free of a block of $n bytes, debug_stacks=1,invalid_free=warn"
	env LD_PRELOAD="$lib" BUDDYMALLOC_OPTIONS=debug_stacks=1,invalid_free=warn \
		"$probes/debug_twice" $n 2>"$tmp/err"
	rc=$?
	e=$tmp/err
	[ $rc -eq 0 ] || fail "$n: exit status $rc, expected 0 (warn)"
	head -n 1 "$e" | grep -Eq '^buddymalloc: free\(\): double free 0x[0-9a-f]+$' ||
		fail "$n: first line: $(head -n 1 "$e")"
	frame "$e" "" 0 free_again && frame "$e" "" 1 main || fail "$n: the call's stack: $(cat "$e")"
	frame "$e" "  allocated at:" 0 alloc_here && frame "$e" "  allocated at:" 1 main ||
		fail "$n: the allocation stack: $(cat "$e")"
	frame "$e" "  first freed at:" 0 free_here && frame "$e" "  first freed at:" 1 main ||
		fail "$n: the first free's stack: $(cat "$e")"
	[ $failures -eq 0 ] && echo "ok   $n: the call, allocated at alloc_here, first freed at free_here"

	(env LD_PRELOAD="$lib" BUDDYMALLOC_OPTIONS=debug_stacks=1 "$probes/debug_twice" $n 2>"$e")
	rc=$?
	[ $rc -eq 134 ] || fail "$n, abort: exit status $rc, expected 134 (SIGABRT)"
	frame "$e" "  first freed at:" 0 free_here || fail "$n, abort: no first free's stack: $(cat "$e")"

	echo "== the same without debug_stacks (second free at once)"
	env LD_PRELOAD="$lib" BUDDYMALLOC_OPTIONS=invalid_free=warn "$probes/debug_twice" $n now 2>"$e"
	rc=$?
	[ $rc -eq 0 ] || fail "$n, plain: exit status $rc"
	head -n 1 "$e" | grep -Eq '^buddymalloc: free\(\): (double free|invalid pointer) 0x[0-9a-f]+$' ||
		fail "$n, plain: first line: $(head -n 1 "$e")"
	frame "$e" "" 0 free_again && frame "$e" "" 1 main || fail "$n, plain: the call's stack: $(cat "$e")"
	grep -q 'allocated at:\|first freed at:' "$e" && fail "$n, plain: stacks it cannot know: $(cat "$e")"
done

finish "debug_stacks: all passed"
