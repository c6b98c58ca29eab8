#!/usr/bin/env bash
# Debian's gcc compiles a generated C program (hundreds of functions with
# loops, switches, inlined helpers, big initialised tables, structs, a string
# table) at -O0 and -O2, plainly and with the library preloaded into the
# compiler (driver, cc1, as, collect2/ld all inherit LD_PRELOAD).
# Compared: that every compilation succeeded; the compilers' stderr; the
# -O2 assembly (-S) and the linked executables byte for byte; the output of
# the produced programs (run without the library), which must also agree
# between -O0 and -O2.
# Loaded: a do-nothing GCC plugin (-fplugin) copies the maps of the cc1 process
# that loads it, during the compilations under test.
# shellcheck source=tests/preload/common.bash
. "$(dirname "$0")/common.bash"

gcc=/usr/bin/gcc
src=$tmp/prog.c
nfunc=300

# The program: f_i mixes a table, a switch and a loop; main calls them all,
# sorts, and prints checksums.
{
	cat <<-'EOF'
		#include <stdio.h>
		#include <stdlib.h>
		#include <string.h>
		#include <stdint.h>
		struct rec { uint32_t key; union { uint64_t u; double d; } v; char tag[12]; };
		static inline uint32_t mix(uint32_t x) { x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; return x ^ (x >> 16); }
		static int cmp_rec(const void *a, const void *b) {
			const struct rec *p = a, *q = b;
			return p->key < q->key ? -1 : p->key > q->key ? 1 : strcmp(p->tag, q->tag);
		}
	EOF
	for ((i = 0; i < nfunc; i++)); do
		printf 'static const uint16_t t%d[64] = {' "$i"
		for ((j = 0; j < 64; j++)); do printf '%d,' $(((i * 131 + j * 977) % 65521)); done
		printf '};\n'
		printf 'static const char *s%d = "string-%d-%s";\n' "$i" "$i" "$(printf '%*s' $((i % 40)) '' | tr ' ' x)"
		cat <<-EOF
			uint32_t f$i(uint32_t x) {
				uint32_t acc = $i;
				for (int k = 0; k < 16 + ($i % 7); k++) {
					switch ((x + k) % 5) {
					case 0: acc += t${i}[(x + k) & 63] * (k + 1); break;
					case 1: acc ^= mix(acc + x + $i); break;
					case 2: acc = (acc << 3) | (acc >> 29); break;
					case 3: acc += (uint32_t)strlen(s$i) * k; break;
					default: acc -= t${i}[(acc >> 4) & 63]; break;
					}
				}
				return acc ^ mix(x * $((i + 1)));
			}
		EOF
	done
	printf 'typedef uint32_t (*fn)(uint32_t);\nstatic const fn fns[%d] = {' "$nfunc"
	for ((i = 0; i < nfunc; i++)); do printf 'f%d,' "$i"; done
	printf '};\n'
	cat <<-EOF
		int main(void) {
			uint64_t sum = 0;
			enum { N = 20000 };
			struct rec *r = malloc(N * sizeof *r);
			if (!r) return 1;
			for (int i = 0; i < N; i++) {
				uint32_t v = fns[i % $nfunc]((uint32_t)i * 2654435761U);
				r[i].key = v % 1000;
				r[i].v.u = v;
				snprintf(r[i].tag, sizeof r[i].tag, "%08x", mix(v));
				sum += v;
			}
			qsort(r, N, sizeof *r, cmp_rec);
			uint64_t h = 1469598103934665603ULL;
			for (int i = 0; i < N; i++) {
				h = (h ^ r[i].key) * 1099511628211ULL;
				h = (h ^ r[i].v.u) * 1099511628211ULL;
			}
			printf("sum %llu\nhash %016llx\nfirst %u %s\nlast %u %s\n", (unsigned long long)sum,
			       (unsigned long long)h, r[0].key, r[0].tag, r[N - 1].key, r[N - 1].tag);
			free(r);
			return 0;
		}
	EOF
} >"$src"

# A GCC plugin that does nothing but copy the maps of the process that loads
# it (cc1) to \$PRELOAD_TEST_MAPS. Built plainly, once.
cat >"$tmp/mapsplugin.c" <<-'EOF'
	#include <stdio.h>
	#include <stdlib.h>
	#include <unistd.h>
	int plugin_is_GPL_compatible;
	int plugin_init(void *info, void *version)
	{
		const char *out = getenv("PRELOAD_TEST_MAPS");
		FILE *in, *o;
		char buf[4096];
		size_t n;
		(void)info; (void)version;
		if (!out) return 0;
		in = fopen("/proc/self/maps", "r");
		o = fopen(out, "a");
		if (!in || !o) return 1;
		fprintf(o, "== maps of cc1, pid %ld\n", (long)getpid());
		while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, o);
		fclose(in);
		fclose(o);
		return 0;
	}
EOF
plain "$gcc" -shared -fPIC -O1 -o "$tmp/mapsplugin.so" "$tmp/mapsplugin.c" ||
	die "could not build the maps plugin"

flags=(-std=gnu11 -Wall -frandom-seed=preload-test -fplugin="$tmp/mapsplugin.so")
mkdir -p "$tmp/cctmp"
for mode in plain preloaded; do
	start=$SECONDS
	out=$tmp/$mode
	mkdir -p "$out"
	: >"$out/stderr"
	for opt in O0 O2; do
		# Same TMPDIR in both modes: gcc's temporary names must not matter.
		if ! $mode TMPDIR="$tmp/cctmp" PRELOAD_TEST_MAPS="$out/maps" \
			"$gcc" "${flags[@]}" -"$opt" -o "$out/prog-$opt" "$src" 2>>"$out/stderr"; then
			fail "gcc -$opt ($mode) failed:"
			tail -n 20 "$out/stderr"
			continue
		fi
		if ! "$out/prog-$opt" >"$out/run-$opt" 2>&1; then
			fail "the program built by gcc -$opt ($mode) failed:"
			tail -n 5 "$out/run-$opt"
		fi
	done
	$mode TMPDIR="$tmp/cctmp" PRELOAD_TEST_MAPS="$out/maps" \
		"$gcc" "${flags[@]}" -O2 -S -o "$out/prog-O2.s" "$src" 2>>"$out/stderr" ||
		fail "gcc -O2 -S ($mode) failed"
	note "$mode: 3 compilations in $((SECONDS - start)) s"
done

same "output of the -O0 program" "$tmp/plain/run-O0" "$tmp/preloaded/run-O0"
same "output of the -O2 program" "$tmp/plain/run-O2" "$tmp/preloaded/run-O2"
same "-O0 vs -O2 output (preloaded compiler)" "$tmp/preloaded/run-O0" "$tmp/preloaded/run-O2"
same "-O2 assembly" "$tmp/plain/prog-O2.s" "$tmp/preloaded/prog-O2.s"
for opt in O0 O2; do
	if cmp -s "$tmp/plain/prog-$opt" "$tmp/preloaded/prog-$opt"; then
		note "-$opt executable: identical ($(stat -c %s "$tmp/plain/prog-$opt") bytes)"
	else
		fail "the -$opt executables differ between the plain and the preloaded compiler"
	fi
done
scrub_paths <"$tmp/plain/stderr" >"$tmp/plain.err"
scrub_paths <"$tmp/preloaded/stderr" >"$tmp/preloaded.err"
same "compiler stderr" "$tmp/plain.err" "$tmp/preloaded.err"
check_stderr "gcc" "$tmp/preloaded/stderr"
check_no_maps "plain cc1" "$tmp/plain/maps"
check_maps "cc1" "$tmp/preloaded/maps"
n=$(grep -c '^== maps of cc1' "$tmp/preloaded/maps")
nlib=$(awk -v lib="$lib_real" '/^== maps of cc1/ { if (seen) n++; seen = 0; next } index($0, lib) { seen = 1 } END { if (seen) n++; print n + 0 }' "$tmp/preloaded/maps")
{ [ "$n" -eq 3 ] && [ "$nlib" -eq 3 ]; } || fail "expected 3 cc1 processes with $lib_base mapped, got $nlib of $n"
finish
