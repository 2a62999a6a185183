# patrolsim: one flat Makefile.  `make` builds bin/patrolsim (optimised),
# `make test` runs every test, `make asan` builds and tests with sanitizers,
# `make demo` runs the bundled default scenario, `make bench` the reference
# benchmark of ../shared/bench/SPEC.md.

CC      ?= cc
PKGS    := gsl inih jansson sqlite3
WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wundef -Wvla
OPT     ?= -O2 -DNDEBUG
# Deferred (=) so pkg-config runs after `deps` has installed the packages.
CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(OPT) -Iinclude \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread
BUILD   ?= build
BIN     ?= bin

SIM_SRC    := $(wildcard sim/*.c)
MODEL_SRC  := $(wildcard models/*.c)
LIB_SRC    := $(filter-out sim/main.c,$(SIM_SRC)) $(MODEL_SRC)
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC   := $(wildcard tests/test_*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BIN)/%)

DEB_PKGS := build-essential pkg-config libgsl-dev libcsv-dev libinih-dev libjansson-dev libsqlite3-dev gnuplot-nox

.SECONDARY:
.PHONY: all deps demo test check-deps asan bench clean update-bench-city
all: $(BIN)/patrolsim

# Installs the Debian packages when a header or tool is missing: as root with
# apt-get, otherwise prints the exact command and stops.
deps:
	@sh tools/deps.sh $(DEB_PKGS)

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BIN)/patrolsim: $(BUILD)/sim/main.o $(LIB_OBJ)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/test_%: $(BUILD)/tests/test_%.o $(BUILD)/tests/tcheck.o $(BUILD)/tests/testutil.o $(LIB_OBJ)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

demo: $(BIN)/patrolsim
	$(BIN)/patrolsim run scenarios/demo --out results/demo

test: $(BIN)/patrolsim $(TEST_BIN)
	@BIN=$(BIN) sh tests/run_all.sh

# Address + undefined-behaviour sanitizers, unoptimised, in a separate tree.
asan:
	$(MAKE) --no-print-directory test BUILD=build-asan BIN=bin-asan \
	    OPT="-O0 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

BENCH_S    ?=
BENCH_DAYS ?=
bench: $(BIN)/patrolsim
	@BIN=$(BIN) sh tools/bench.sh "$(BENCH_S)" "$(BENCH_DAYS)"

# Regenerates the bundled S = 8 bench-city tables from the generator.
update-bench-city:
	sh scenarios/bench-city/generate.sh 8 scenarios/bench-city

clean:
	rm -rf build build-asan bin bin-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
