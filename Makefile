# libbuddymalloc - the one build.
#   make               lib/libbuddymalloc.so (and the test programs' objects)
#   make DEBUG=1       lib/libbuddymalloc-debug.so: invariants checked after every operation
#   make check         installs what the tests need (Debian), builds and runs every test
#   make bench         installs the peers, runs the comparison, prints the table
#   make install [PREFIX=/usr/local DESTDIR=]   and make uninstall (mk/install.mk)
#   make clean

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

ALLOC_SRC   := $(wildcard alloc/*.c)
PRELOAD_SRC := $(wildcard preload/*.c) stats/stats.c $(wildcard prof/*.c)
HEADERS     := $(wildcard alloc/*.h stats/*.h include/*.h prof/*.h)
ALLOC_OBJ   := $(ALLOC_SRC:%.c=$(OBJ)/%.o)
PRELOAD_OBJ := $(PRELOAD_SRC:%.c=$(OBJ)/%.o)
ASAN_OBJ    := $(ALLOC_SRC:%.c=$(BUILD)/asan/%.o)

UNIT_SRC    := $(wildcard tests/unit/*.c)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
UNIT_ASAN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit-asan/%)
API_BIN     := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/api/*.c tests/stress/*.c))
TESTCFLAGS  := -std=gnu11 -O1 -g -fno-strict-aliasing -pthread $(WARN) -Wno-deprecated-declarations

.PHONY: all check bench clean deps-check deps-bench test-programs
all: $(LIB) test-programs

$(LIB): $(ALLOC_OBJ) $(PRELOAD_OBJ) preload/exports.map
	@mkdir -p $(@D)
	$(CC) -shared -pthread -Wl,--version-script=preload/exports.map -Wl,-soname,$(SONAME) \
		-Wl,-z,now -Wl,-z,nodelete -o $@ $(ALLOC_OBJ) $(PRELOAD_OBJ) $(PROF_LIBS)

$(OBJ)/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(LIBCFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/asan/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(LIBCFLAGS) -O1 -DBUDDY_DEBUG=1 -fsanitize=address,undefined -fno-omit-frame-pointer -c -o $@ $<

test-programs: $(UNIT_BIN) $(UNIT_ASAN) $(API_BIN)

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h $(ALLOC_OBJ)
	@mkdir -p $(@D)
	$(CC) $(TESTCFLAGS) -I. -o $@ $< $(ALLOC_OBJ)

$(BUILD)/tests/unit-asan/%: tests/unit/%.c tests/unit/unit.h $(ASAN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(TESTCFLAGS) -I. -DBUDDY_DEBUG=1 -fsanitize=address,undefined -fno-omit-frame-pointer \
		-o $@ $< $(ASAN_OBJ)

$(BUILD)/tests/%: tests/%.c tests/common.h
	@mkdir -p $(@D)
	$(CC) $(TESTCFLAGS) -o $@ $<

# tests/fuzz: the seeded API fuzzer; make check runs it briefly
# (tests/check/fuzz.sh), make fuzz as long as asked.
FUZZ_BIN  := $(BUILD)/tests/fuzz/fuzz
FUZZ_ARGS ?= -n 2000000 -t 4 -s 1,2,3,4,5,6,7,8
test-programs: $(FUZZ_BIN)
.PHONY: fuzz
fuzz: $(LIB) $(FUZZ_BIN)
	LD_PRELOAD=$(abspath $(LIB)) $(FUZZ_BIN) $(FUZZ_ARGS)

deps-check:
	@bash scripts/deps.sh check
deps-bench:
	@bash scripts/deps.sh bench

-include bench/bench.mk
include mk/install.mk

check: deps-check
	$(MAKE) all
	$(if $(wildcard bench/bench.mk),$(MAKE) bench-build)
	@bash tests/run.sh $(BUILD) $(LIB)

bench: deps-bench
	$(MAKE) all
	$(MAKE) bench-build
	$(MAKE) bench-run

clean:
	rm -rf $(BUILD) lib
