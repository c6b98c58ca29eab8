#!/usr/bin/env bash
# gcc - gcc compiling one large generated C file at -O2 (the compiler proper,
# the assembler and the linker all run under the allocator being measured),
# then the program built is run and its output compared with the value the
# generator computed for it.
set -u
. "$(dirname "$0")/share/common.bash"
real_init gcc "$@"

cc=${BENCH_GCC:-gcc}
functions=$(pick 20 300 1500)
check_binding "$cc" --version || { result 0 0; exit 1; }

# f_i(x): a small table loop, then one of six cases; main sums f_i(i % 100).
awk -v n="$functions" -v src="$REAL_TMP/big.c" 'BEGIN {
	print "#include <stdio.h>" > src
	sum = 0
	for (i = 0; i < n; i++) {
		a = (i * 7) % 13 + 1; b = (i * 11) % 17 + 2; c = (i * 5) % 19 + 3
		for (k = 0; k < 4; k++) t[k] = (i * k * 3) % 23
		s = sprintf("function %d of %d, generated for the allocator benchmark", i, n)
		printf "static const int t_%d[4] = { %d, %d, %d, %d };\n", i, t[0], t[1], t[2], t[3] > src
		printf "static const char s_%d[] = \"%s\";\n", i, s > src
		printf "int f_%d(int x)\n{\n\tint acc = 0, k;\n\n", i > src
		printf "\tfor (k = 0; k < 4; k++)\n\t\tacc += t_%d[k] * (x + k);\n", i > src
		printf "\tswitch ((x + %d) %% 6) {\n", i > src
		printf "\tcase 0: acc += %d * x; break;\n", a > src
		printf "\tcase 1: acc -= %d; break;\n", b > src
		printf "\tcase 2: acc += %d * 2; break;\n", c > src
		printf "\tcase 3: acc += (int)sizeof(s_%d); break;\n", i > src
		printf "\tcase 4: acc = acc * 3 + %d; break;\n", a > src
		printf "\tdefault: acc += x / %d; break;\n\t}\n\treturn acc;\n}\n", b > src
		x = i % 100; acc = 0
		for (k = 0; k < 4; k++) acc += t[k] * (x + k)
		m = (x + i) % 6
		if (m == 0) acc += a * x
		else if (m == 1) acc -= b
		else if (m == 2) acc += c * 2
		else if (m == 3) acc += length(s) + 1
		else if (m == 4) acc = acc * 3 + a
		else acc += int(x / b)
		sum += acc
	}
	print "static int (*const fns[])(int) = {" > src
	for (i = 0; i < n; i++) printf "\tf_%d,\n", i > src
	print "};\nint main(void)\n{\n\tlong sum = 0;\n\tunsigned i;\n" > src
	print "\tfor (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)" > src
	print "\t\tsum += fns[i]((int)(i % 100));" > src
	print "\tprintf(\"%ld\\n\", sum);\n\treturn 0;\n}" > src
	printf "%d\n", sum
}' >"$REAL_TMP/want"

t0=$(now)
"$cc" -O2 -w -o "$REAL_TMP/big" "$REAL_TMP/big.c"
rc=$?
t1=$(now)
expect "gcc exit status" "$rc" 0
expect "program output" "$(env -u LD_PRELOAD "$REAL_TMP/big" 2>&1)" "$(cat "$REAL_TMP/want")"
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
result "$functions" "$secs" "source_lines=$(wc -l <"$REAL_TMP/big.c")"
