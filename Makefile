# libbuddymalloc - the one build.
#   make               lib/libbuddymalloc.so, nothing else
#   make DEBUG=1       lib/libbuddymalloc-debug.so: invariants checked after every operation
#   make tests         the test programs, the probes and the test-support library
#   make check         installs what the tests need (Debian), builds and runs every test;
#                      make check T="name ..." runs only the named tests (tests/README.md)
#   make bench         installs the peers, runs the comparison, prints the table
#   make install [PREFIX=/usr/local DESTDIR=]   and make uninstall (mk/install.mk)
#   make clean
# Header dependencies come from the compiler (-MMD -MP, the .d files beside
# the objects): changing one file rebuilds what includes it, and no more.
# Objects also depend on this Makefile: a build directory made before the
# .d files existed (or with other flags) is rebuilt, never left stale.

CC      ?= cc
CXX     ?= c++
BUILD   ?= build
WARN    := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
LIBCFLAGS := -std=gnu11 -g -fPIC -fvisibility=hidden -ftls-model=initial-exec \
	-fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc -fno-builtin-free \
	-fno-semantic-interposition -fno-strict-aliasing -pthread $(WARN)

ifeq ($(DEBUG),1)
  LIBCFLAGS += -O1 -DBUDDY_DEBUG=1
  OBJ  := $(BUILD)/debug
  LIB  := lib/libbuddymalloc-debug.so
else
  LIBCFLAGS += -O2
  OBJ  := $(BUILD)/release
  LIB  := lib/libbuddymalloc.so
endif
SONAME := libbuddymalloc.so.0
# the heap profiler (prof/): libunwind's shared library (Debian's static one
# is not position-independent)
PROF_LIBS := -lunwind -lm

DEPFLAGS    := -MMD -MP

ALLOC_SRC   := $(wildcard alloc/*.c)
PRELOAD_SRC := $(wildcard preload/*.c) stats/stats.c $(wildcard prof/*.c)
ALLOC_OBJ   := $(ALLOC_SRC:%.c=$(OBJ)/%.o)
PRELOAD_OBJ := $(PRELOAD_SRC:%.c=$(OBJ)/%.o)
ASAN_OBJ    := $(ALLOC_SRC:%.c=$(BUILD)/asan/%.o)
ASANFLAGS   := -O1 -DBUDDY_DEBUG=1 -fsanitize=address,undefined -fno-omit-frame-pointer

# tests/support: the generator, byte patterns, /proc readers and CHECK that
# every test program and benchmark links (tests/support/support.h).
SUPPORT_SRC := $(wildcard tests/support/*.c)
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(BUILD)/support/%.o)
SUPPORT_LIB := $(BUILD)/support/libtestsupport.a
SUPPORTCFLAGS := -std=gnu11 -O2 -g -pthread $(WARN)

UNIT_SRC    := $(wildcard tests/unit/*.c)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
UNIT_ASAN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit-asan/%)
API_BIN     := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/api/*.c tests/stress/*.c))
PROBE_BIN   := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/check/probes/*.c))
TESTLIB_SRC := $(wildcard tests/api/lib/*.c)
TESTLIB_SO  := $(patsubst tests/api/lib/%.c,$(BUILD)/tests/lib/lib%.so,$(TESTLIB_SRC))
TESTCFLAGS  := -std=gnu11 -O1 -g -fno-strict-aliasing -pthread $(WARN) -Wno-deprecated-declarations

.PHONY: all tests check bench clean deps-check deps-bench
all: $(LIB)

$(LIB): $(ALLOC_OBJ) $(PRELOAD_OBJ) preload/exports.map
	@mkdir -p $(@D)
	$(CC) -shared -pthread -Wl,--version-script=preload/exports.map -Wl,-soname,$(SONAME) \
		-Wl,-z,now -Wl,-z,nodelete -o $@ $(ALLOC_OBJ) $(PRELOAD_OBJ) $(PROF_LIBS)

$(OBJ)/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(CC) $(LIBCFLAGS) $(DEPFLAGS) $(CFLAGS) -c -o $@ $<

# The sanitizer build of alloc/ for the unit tests: real targets, kept
# between runs (not intermediates that make deletes and rebuilds).
.SECONDARY: $(ASAN_OBJ)
$(BUILD)/asan/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(CC) $(LIBCFLAGS) $(ASANFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/support/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(CC) $(SUPPORTCFLAGS) $(DEPFLAGS) -c -o $@ $<

$(SUPPORT_LIB): $(SUPPORT_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

tests: $(UNIT_BIN) $(UNIT_ASAN) $(API_BIN) $(PROBE_BIN) $(TESTLIB_SO)

$(BUILD)/tests/unit/%: tests/unit/%.c $(ALLOC_OBJ) $(SUPPORT_LIB)
	@mkdir -p $(@D)
	$(CC) $(TESTCFLAGS) $(DEPFLAGS) -I. -o $@ $< $(ALLOC_OBJ) $(SUPPORT_LIB)

$(BUILD)/tests/unit-asan/%: tests/unit/%.c $(ASAN_OBJ) $(SUPPORT_LIB)
	@mkdir -p $(@D)
	$(CC) $(TESTCFLAGS) $(ASANFLAGS) $(DEPFLAGS) -I. -o $@ $< $(ASAN_OBJ) $(SUPPORT_LIB)

# Helper libraries that API tests link (not preload): lib/NAME.c -> libNAME.so.
$(BUILD)/tests/lib/lib%.so: tests/api/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(TESTCFLAGS) $(DEPFLAGS) -fPIC -shared -o $@ $<

# A test that links a helper library says so with two lines of its own,
# e.g. $(BUILD)/tests/api/t_x: $(BUILD)/tests/lib/libx.so and TEST_LDLIBS;
# the helper is found beside the tests at run time (rpath).
$(BUILD)/tests/%: tests/%.c $(SUPPORT_LIB)
	@mkdir -p $(@D)
	$(CC) $(TESTCFLAGS) $(DEPFLAGS) -o $@ $< $(SUPPORT_LIB) $(TEST_LDLIBS)

# t_tune_ctor_threshold links libearly_malloc.so, whose constructor mallocs.
$(BUILD)/tests/api/t_tune_ctor_threshold: $(BUILD)/tests/lib/libearly_malloc.so
$(BUILD)/tests/api/t_tune_ctor_threshold: TEST_LDLIBS = -L$(BUILD)/tests/lib -learly_malloc \
	-Wl,-rpath,'$$ORIGIN/../lib'

-include $(ALLOC_OBJ:.o=.d) $(PRELOAD_OBJ:.o=.d) $(ASAN_OBJ:.o=.d) $(SUPPORT_OBJ:.o=.d) \
	$(addsuffix .d,$(UNIT_BIN) $(UNIT_ASAN) $(API_BIN) $(PROBE_BIN) $(BUILD)/tests/fuzz/fuzz $(BUILD)/tests/exhaust/s_exhaust) \
	$(TESTLIB_SO:.so=.d)

# tests/fuzz: the seeded API fuzzer; make check runs it briefly
# (tests/check/fuzz.sh), make fuzz as long as asked.
FUZZ_BIN  := $(BUILD)/tests/fuzz/fuzz
FUZZ_ARGS ?= -n 2000000 -t 4 -s 1,2,3,4,5,6,7,8
tests: $(FUZZ_BIN)
.PHONY: fuzz
fuzz: $(LIB) $(FUZZ_BIN)
	LD_PRELOAD=$(abspath $(LIB)) $(FUZZ_BIN) $(FUZZ_ARGS)

# tests/exhaust: exhaustion rounds under RLIMIT_AS, RLIMIT_DATA and a
# blocked break (issue 12); some cases still end a later round a few
# blocks short (see its header), so make check does not run it yet.
EXHAUST_BIN := $(BUILD)/tests/exhaust/s_exhaust
tests: $(EXHAUST_BIN)
.PHONY: exhaust
exhaust: $(LIB) $(EXHAUST_BIN)
	LD_PRELOAD=$(abspath $(LIB)) $(EXHAUST_BIN)

deps-check:
	@bash scripts/deps.sh check
deps-bench:
	@bash scripts/deps.sh bench

-include bench/bench.mk
include mk/install.mk

check: deps-check
	$(MAKE) all tests
	$(if $(wildcard bench/bench.mk),$(MAKE) bench-build)
	@bash tests/run.sh $(BUILD) $(LIB) $(T)

bench: deps-bench
	$(MAKE) all
	$(MAKE) bench-build
	$(MAKE) bench-run

clean:
	rm -rf $(BUILD) lib
