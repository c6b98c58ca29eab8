# bench/bench.mk - the benchmark suite, included by the top Makefile.
#
#   make bench-build   buddystat, the micro benchmark binary and every workload
#   make bench-run     run the suite under glibc, jemalloc, tcmalloc, mimalloc
#                      and $(LIB), and $(LIB) with prof=1 (buddymalloc+prof,
#                      micro and synthetic only), and write bench/results/
#
# Knobs (environment or command line): BENCH=quick|full (default quick),
# BENCH_THREADS (default nproc), BENCH_RUNS (default 3 quick, 5 full),
# BENCH_ONLY (a regular expression over workload names), BENCH_MICRO_FILTER
# (over micro benchmark cases), BENCH_ALLOCATORS (default "glibc jemalloc
# tcmalloc mimalloc buddymalloc buddymalloc+prof").  See bench/README.md.
#
# From the top Makefile: CC, CXX, LIB, BUILD, and SUPPORT_LIB, the test-support
# library (tests/support: generator, byte patterns, /proc readers) that the
# programs link.  Everything here is built with its own flags, so a DEBUG or
# sanitizer build of the library leaves the benchmark programs alone.

BUILD ?= build
LIB ?= lib/libbuddymalloc.so
CXX ?= g++

BENCH_SRC := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BENCH_TOP := $(patsubst %/,%,$(dir $(BENCH_SRC)))
BENCH_OUT := $(BUILD)/bench
BENCH_OBJ := $(BUILD)/bench-obj

# The programs call malloc for its side effects: the compiler must not fold
# malloc/free pairs away.
BENCH_NOFOLD := -fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc \
	-fno-builtin-free
BENCH_CFLAGS ?= -O2 -g -std=gnu11 -Wall -Wextra -pthread $(BENCH_NOFOLD)
BENCH_CXXFLAGS ?= -O2 -g -std=c++17 -Wall -Wextra -pthread $(BENCH_NOFOLD)
BENCH_CPPFLAGS := -I$(BENCH_SRC)/common -I$(BENCH_SRC)/micro -I$(BENCH_TOP)/tests/support \
	-MMD -MP
BUDDYSTAT_CFLAGS ?= -O2 -g -std=gnu11 -Wall -Wextra

BENCH_SYNTH_NAMES := $(basename $(notdir $(wildcard $(BENCH_SRC)/synth/*.c)))
BENCH_REAL_C_NAMES := $(basename $(notdir $(wildcard $(BENCH_SRC)/real/*.c)))
BENCH_REAL_SH_NAMES := $(basename $(notdir $(wildcard $(BENCH_SRC)/real/*.sh)))
BENCH_SHARE_FILES := $(filter-out %.c %.sh,$(wildcard $(BENCH_SRC)/real/*))
BENCH_MICRO_C := $(wildcard $(BENCH_SRC)/micro/*.c)

BENCH_PROGRAMS := $(addprefix $(BENCH_OUT)/,$(BENCH_SYNTH_NAMES) \
	$(BENCH_REAL_C_NAMES) $(BENCH_REAL_SH_NAMES) micro)
BENCH_SHARE := $(addprefix $(BENCH_OUT)/share/,$(notdir $(BENCH_SHARE_FILES)))
BENCH_TOOLS := $(BENCH_OUT)/tools/touch-pages $(BENCH_OUT)/tools/pair-loop
BUDDYSTAT := $(BUILD)/bin/buddystat

BENCH_COMMON_O := $(BENCH_OBJ)/common/bench.o
BENCH_MICRO_O := $(patsubst $(BENCH_SRC)/%.c,$(BENCH_OBJ)/%.o,$(BENCH_MICRO_C)) \
	$(BENCH_OBJ)/micro/shim.o

.PHONY: bench-build bench-run bench-clean

bench-build: $(BUDDYSTAT) $(BENCH_PROGRAMS) $(BENCH_SHARE) $(BENCH_TOOLS)

bench-run: bench-build
	BUILD='$(BUILD)' LIB='$(LIB)' BUDDYSTAT='$(BUDDYSTAT)' \
		bash $(BENCH_SRC)/run.sh

bench-clean:
	rm -rf $(BENCH_OUT) $(BENCH_OBJ) $(BUDDYSTAT)

$(BUDDYSTAT): $(addprefix $(BENCH_TOP)/stats/,buddystat.c profcost.c profcost.h)
	@mkdir -p $(@D)
	$(CC) $(BUDDYSTAT_CFLAGS) -o $@ $(filter %.c,$^) -lm

$(BENCH_OBJ)/%.o: $(BENCH_SRC)/%.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(BENCH_CPPFLAGS) -c -o $@ $<

$(BENCH_OBJ)/micro/shim.o: $(BENCH_SRC)/micro/shim.cc
	@mkdir -p $(@D)
	$(CXX) $(BENCH_CXXFLAGS) $(BENCH_CPPFLAGS) -c -o $@ $<

$(BENCH_OUT)/micro: $(BENCH_MICRO_O) $(BENCH_COMMON_O) $(SUPPORT_LIB)
	@mkdir -p $(@D)
	$(CXX) $(BENCH_CXXFLAGS) -o $@ $^ -lbenchmark -lpthread

$(addprefix $(BENCH_OUT)/,$(BENCH_SYNTH_NAMES)): $(BENCH_OUT)/%: \
		$(BENCH_OBJ)/synth/%.o $(BENCH_COMMON_O) $(SUPPORT_LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $^ -lm

$(addprefix $(BENCH_OUT)/,$(BENCH_REAL_C_NAMES)): $(BENCH_OUT)/%: \
		$(BENCH_OBJ)/real/%.o $(BENCH_COMMON_O) $(SUPPORT_LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $^ -lm

$(addprefix $(BENCH_OUT)/,$(BENCH_REAL_SH_NAMES)): $(BENCH_OUT)/%: \
		$(BENCH_SRC)/real/%.sh
	@mkdir -p $(@D)
	install -m 755 $< $@

$(BENCH_OUT)/share/%: $(BENCH_SRC)/real/%
	@mkdir -p $(@D)
	install -m 644 $< $@

$(BENCH_OUT)/tools/%: $(BENCH_SRC)/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

-include $(wildcard $(BENCH_OBJ)/*/*.d)
