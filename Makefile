# patrolsim: one flat Makefile.  `make` builds bin/patrolsim (optimised),
# `make test` runs every test, `make asan` builds and tests with sanitizers,
# `make demo` runs the bundled default scenario, `make bench` the reference
# benchmark of ../shared/bench/SPEC.md.

CC      ?= cc
PKGS    := gsl inih jansson nettle sqlite3
WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wundef -Wvla
OPT     ?= -O2 -DNDEBUG
# Deferred (=) so pkg-config runs after `deps` has installed the packages.
CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(OPT) -Iinclude \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread
# MPI (docs/cluster.md): when mpicc (Open MPI) is on the PATH, sim/mpifarm.c
# is compiled against it with -DHAVE_MPI and every binary links libmpi, so
# `sweep --mpi` works; without it the build is as before and --mpi says how
# to get MPI.  Deferred and computed once, after `deps` ran; `make MPICC=`
# builds without MPI.  After installing MPI, `make clean` first.
MPICC   ?= $(shell command -v mpicc 2>/dev/null)
MPI_CFLAGS = $(eval MPI_CFLAGS := $(if $(MPICC),-DHAVE_MPI $(patsubst -I%,-isystem %,\
             $(shell $(MPICC) --showme:compile))))$(MPI_CFLAGS)
MPI_LIBS   = $(eval MPI_LIBS := $(if $(MPICC),$(shell $(MPICC) --showme:link)))$(MPI_LIBS)
LDLIBS  += $(MPI_LIBS)
BUILD   ?= build
BIN     ?= bin

# Layers: the engine and experiment layer (sim/) is its own archive and must
# link without any models/ object; bin/toysim (tests/toy_mmc.c, an M/M/c
# model) proves it.  The policing model is a second archive on top.
SIM_SRC    := $(wildcard sim/*.c)
SIM_OBJ    := $(SIM_SRC:%.c=$(BUILD)/%.o)
MODEL_SRC  := $(filter-out models/main.c,$(wildcard models/*.c))
MODEL_OBJ  := $(MODEL_SRC:%.c=$(BUILD)/%.o)
LIBSIM     := $(BUILD)/libsim.a
LIBPOLICE  := $(BUILD)/libpolice.a
TEST_SRC   := $(wildcard tests/test_*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BIN)/%)

DEB_PKGS := build-essential pkg-config libgsl-dev libcsv-dev libinih-dev libjansson-dev \
            nettle-dev libsqlite3-dev gnuplot-nox tzdata

.SECONDARY:
.PHONY: all deps demo report-test test check-deps asan bench profile clean update-bench-city
all: $(BIN)/patrolsim $(BIN)/toysim $(BIN)/refcity

# Installs the Debian packages when a header or tool is missing: as root with
# apt-get, otherwise prints the exact command and stops.
deps:
	@sh tools/deps.sh $(DEB_PKGS)

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/sim/mpifarm.o: CFLAGS += $(MPI_CFLAGS)

$(LIBSIM): $(SIM_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBPOLICE): $(MODEL_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/patrolsim: $(BUILD)/models/main.o $(LIBPOLICE) $(LIBSIM)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The toy model links the engine archive alone: an undefined symbol here
# means sim/ reached into models/.
$(BIN)/toysim: $(BUILD)/tests/toy_mmc.o $(LIBSIM)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# bench-city written for that model alone (tests/refcity.c): the speed
# reference of `make bench` and the independent figures of test_refcity.sh.
$(BIN)/refcity: $(BUILD)/tests/refcity.o $(LIBSIM)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/test_%: $(BUILD)/tests/test_%.o $(BUILD)/tests/tcheck.o $(BUILD)/tests/testutil.o \
               $(LIBPOLICE) $(LIBSIM)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

demo: $(BIN)/patrolsim
	$(BIN)/patrolsim run scenarios/demo --out results/demo --report results/demo

# The report tests alone (tests/test_report.sh; the browser part needs
# `sh tools/test-deps.sh` once).
report-test: $(BIN)/patrolsim
	@BIN=$(BIN) sh tests/test_report.sh

# test-deps.sh installs what the browser test of report.html needs (as
# root), or says what is missing; the test then reports itself skipped.
test: $(BIN)/patrolsim $(BIN)/toysim $(BIN)/refcity $(TEST_BIN)
	@sh tools/test-deps.sh
	@BIN=$(BIN) sh tests/run_all.sh

# Address + undefined-behaviour sanitizers, unoptimised, in a separate tree.
asan:
	$(MAKE) --no-print-directory test BUILD=build-asan BIN=bin-asan \
	    OPT="-O0 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

# libFuzzer targets of tests/fuzz/ (clang): builds each and runs each for
# FUZZ_SECONDS s, two at a time, memory-capped, logs small and on disk.
FUZZ_SECONDS ?= 20
fuzz:
	@PKGS="$(PKGS)" FUZZ_SECONDS=$(FUZZ_SECONDS) sh tools/fuzz.sh

BENCH_S    ?=
BENCH_DAYS ?=
bench: $(BIN)/patrolsim $(BIN)/refcity
	@BIN=$(BIN) sh tools/bench.sh "$(BENCH_S)" "$(BENCH_DAYS)"

# Instructions per incident by function (callgrind): `make profile` on
# bench-city S = 64, PROFILE=8, 128 or mm1 for the others.
PROFILE ?= 64
profile: $(BIN)/patrolsim
	@BIN=$(BIN) sh tools/profile.sh "$(PROFILE)"

# Regenerates the bundled S = 8 bench-city tables from the generator.
update-bench-city:
	sh scenarios/bench-city/generate.sh 8 scenarios/bench-city

clean:
	rm -rf build build-asan bin bin-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
