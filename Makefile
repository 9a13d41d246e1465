# dmc: a compiler for training neural networks.  See README.md.
#
#   make            build/dmc, build/libdmrt.a, build/libdmrt.so and build/libdmrt_core.a
#   make test       every test; ends with "N passed, M failed"
#   make demo       the main job: build, compile an example, train it, report
#   make demo-mpi   an example trained on 2 MPI ranks (runtime/mpi/mpi.mk)
#   make baremetal-demo   an MLP trained on an emulated Cortex-M4F in 256 KB of RAM
#   make examples   every example into build/examples/<name>
#   make update-goldens   rewrite expected outputs (review with git diff)
#   make clean
#   make setup      install the Debian packages (each goal above does so itself)
#
# BUILD=dir puts every generated file under dir (default build/).

BUILD      ?= build
CC         ?= cc
LLVM_CONFIG ?= llvm-config-19
CLANG      ?= clang-19
PYTHON     ?= /usr/bin/python3

# ---- the packages -------------------------------------------------------------
# A goal that needs Debian's packages has scripts/setup.sh install what is
# missing (as root; otherwise it prints the command) while this Makefile is
# read: before llvm-config is asked for its flags below, so the first
# `make demo` on a bare machine works.  Each goal names its groups of packages
# (scripts/setup.sh); sub-makes skip the step (DMC_SETUP_DONE), SETUP= skips it
# for packages managed by hand.  It runs under `make -n` too: the commands
# printed depend on what it installs.
SETUP ?= sh scripts/setup.sh
SETUP_GOALS  := $(or $(MAKECMDGOALS),all)
SETUP_GROUPS := $(strip \
    $(if $(filter all install,$(SETUP_GOALS)),build) \
    $(if $(filter demo test tests-build update-goldens examples conformance fuzz fuzz-% check-% baremetal-demo,$(SETUP_GOALS)),test) \
    $(if $(filter check-valgrind,$(SETUP_GOALS)),valgrind) \
    $(if $(filter bench,$(SETUP_GOALS)),bench) \
    $(if $(filter check-cross runtime,$(SETUP_GOALS)),cross))
ifneq ($(and $(SETUP_GROUPS),$(strip $(SETUP)),$(if $(DMC_SETUP_DONE),,run)),)
ifneq ($(shell $(SETUP) $(SETUP_GROUPS) >&2 && echo ok),ok)
$(error the packages that '$(SETUP_GOALS)' needs are missing: see above)
endif
export DMC_SETUP_DONE := 1
endif

# -Werror=switch-enum: a switch over an enum (ops, op classes, kinds) names
# every value, so a new op or kind is a build error wherever it needs a case
# (docs/adding-an-op.md).
WARN    = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wshadow -Wstrict-prototypes \
          -Wswitch-enum -Werror=switch-enum -Werror=switch
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN)
LLVM_CFLAGS := $(shell $(LLVM_CONFIG) --cflags 2>/dev/null)
LLVM_LIBS   := $(shell $(LLVM_CONFIG) --ldflags 2>/dev/null) $(shell $(LLVM_CONFIG) --libs --link-shared 2>/dev/null) \
               -Wl,-rpath,$(shell $(LLVM_CONFIG) --libdir 2>/dev/null)

# ---- the runtime --------------------------------------------------------
# Two libraries (docs/runtime.md, "The freestanding core"): libdmrt_core.a,
# the files that need no operating system and core.c, built -ffreestanding;
# libdmrt.a, the same files and the hosted ones (every other file: a new
# runtime file is hosted unless listed here) instead of core.c.
RT_CORE_COMMON := $(addprefix runtime/,model.c init.c describe.c labels.c metadata.c format.c)
RT_CORE_SRC := $(RT_CORE_COMMON) runtime/core.c
# Writing files is the operating system's part: runtime/os/posix.c, or
# runtime/os/windows.c for a Windows target (scripts/cross.mk).
rt_src = $(filter-out runtime/core.c,$(wildcard runtime/*.c runtime/data/*.c)) runtime/os/$(1).c
RT_SRC := $(call rt_src,posix)
RT_OBJ := $(RT_SRC:%.c=$(BUILD)/%.o)
RT_CORE_OBJ := $(RT_CORE_SRC:runtime/%.c=$(BUILD)/runtime/core/%.o)

# Position-independent (the archive also goes into shared libraries: dmc
# --emit=shared) and hidden but for the DM_API functions of dm.h and dm_data.h.
$(BUILD)/runtime/%.o: runtime/%.c runtime/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -Iruntime -c $< -o $@

$(BUILD)/libdmrt.a: $(RT_OBJ)
	@rm -f $@
	ar rcs $@ $^

# -ffreestanding: no builtin assumes a hosted C library (docs/targets.md).
$(BUILD)/runtime/core/%.o: runtime/%.c runtime/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -ffreestanding -fPIC -fvisibility=hidden -Iruntime -c $< -o $@

$(BUILD)/libdmrt_core.a: $(RT_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libdmrt.so: $(RT_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libdmrt.so -o $@ $^ -lm -lpthread

# ---- the compiler ---------------------------------------------------------
GEN_C   := $(BUILD)/gen/dm.tab.c $(BUILD)/gen/dm.lex.c
CC_DIRS := compiler/support compiler/front compiler/ir compiler/passes compiler/cg
CC_SRC  := $(foreach d,$(CC_DIRS),$(wildcard $(d)/*.c))
CC_OBJ  := $(CC_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/dm.tab.o $(BUILD)/gen/dm.lex.o $(BUILD)/gen/embedded.o
CC_HDR  := compiler/options.h $(foreach d,$(CC_DIRS),$(wildcard $(d)/*.h)) compiler/ir/ops.def runtime/dm.h $(BUILD)/gen/dm.tab.h \
           compiler/cg/kernels/dmk.h compiler/cg/kernels/kernel_stack.h compiler/cg/kernels/kernels.def \
           $(BUILD)/gen/kernel_files.h
COMPILER_CFLAGS = $(CFLAGS) -Icompiler -Iruntime -I$(BUILD)/gen $(LLVM_CFLAGS)

$(BUILD)/gen/dm.tab.c $(BUILD)/gen/dm.tab.h &: grammar/dm.y
	@mkdir -p $(dir $@)
	bison -Wall -Werror --defines=$(BUILD)/gen/dm.tab.h -o $(BUILD)/gen/dm.tab.c $<

$(BUILD)/gen/dm.lex.c $(BUILD)/gen/dm.lex.h &: grammar/dm.l $(BUILD)/gen/dm.tab.h
	@mkdir -p $(dir $@)
	flex --header-file=$(BUILD)/gen/dm.lex.h -o $(BUILD)/gen/dm.lex.c $<

# Generated scanner and parser: compiled without our warning set.
$(BUILD)/gen/%.o: $(BUILD)/gen/%.c $(CC_HDR) $(BUILD)/gen/dm.lex.h
	$(CC) -O2 -g -std=c11 -D_GNU_SOURCE -Icompiler -Iruntime -I$(BUILD)/gen -c $< -o $@

# Files embedded in dmc as C strings/bytes (the prelude, the kernels' bitcode):
# each rule in EMBED adds "symbol=file"; scripts/embed.sh writes one C file.
EMBED := prelude_dm=compiler/front/prelude.dm

# The kernels of generated code: C compiled to LLVM bitcode, embedded in dmc,
# linked into every module (compiler/cg/cg_module.c).  Built for the generic
# target: cg_module drops their target attributes.  Not vectorised here: a
# loop vectorised for the generic target (SSE) would stay that narrow; dmc's
# own pipeline vectorises the inlined kernels for the target's width.
KERNELS := math linalg conv conv_im2col nn tensor gather
# linalg.c's register tile follows the target's vector registers: the file
# is compiled once per tile (-DLINALG_TILE_<tile>, the classes in linalg.c),
# and cg_tile.c links the one that fits the target machine.
LINALG_TILES := 8x32 6x16 8x12 4x8 4x4
KERNEL_BC = $(foreach k,$(filter-out linalg,$(KERNELS)),$(1)/$(k).bc) $(foreach t,$(LINALG_TILES),$(1)/linalg_$(t).bc)
KERNEL_CFLAGS = -O2 -std=c11 -Wall -Wextra -Wno-psabi -fno-math-errno -ffp-contract=on -fno-stack-protector \
                -fno-vectorize -fno-slp-vectorize
EMBED += $(foreach f,$(call KERNEL_BC,$(BUILD)/gen/kernels),kernel_$(basename $(notdir $(f)))_bc=$(f))
$(BUILD)/gen/kernels/%.bc: compiler/cg/kernels/%.c compiler/cg/kernels/*.h compiler/cg/kernels/kernels.def runtime/dm.h \
                           Makefile
	@mkdir -p $(dir $@)
	$(CLANG) $(KERNEL_CFLAGS) -emit-llvm -c $< -o $@
$(BUILD)/gen/kernels/linalg_%.bc: compiler/cg/kernels/linalg.c compiler/cg/kernels/*.h compiler/cg/kernels/kernels.def \
                                  runtime/dm.h Makefile
	@mkdir -p $(dir $@)
	$(CLANG) $(KERNEL_CFLAGS) -DLINALG_TILE_$* -emit-llvm -c $< -o $@
# The same lists for cg_module.c, which links the files in this order
# (linalg: the tile of the target).
$(BUILD)/gen/kernel_files.h: Makefile
	@mkdir -p $(dir $@)
	{ printf 'KERNEL_FILE(%s)\n' $(filter-out linalg,$(KERNELS)); printf 'LINALG_TILE(%s)\n' $(LINALG_TILES); } > $@
# The same kernels for targets with 32-bit pointers: compiled for i686 with
# LLVM's optimisations off (-disable-llvm-optzns), so that no struct offset
# or size is folded into a constant: member accesses stay typed GEPs that
# follow the data layout of the target dmc compiles for (its int64_t and
# double alignment), and dmc's -O pipeline optimises them for that target.
# Only clang's own headers (-nostdlibinc): no 32-bit C library is needed.
KERNEL32_CFLAGS = -O2 -Xclang -disable-llvm-optzns --target=i686-unknown-linux-gnu -nostdlibinc -std=c11 \
                  -Wall -Wextra -Wno-psabi -fno-math-errno -ffp-contract=on -fno-stack-protector
EMBED += $(foreach f,$(call KERNEL_BC,$(BUILD)/gen/kernels32),kernel32_$(basename $(notdir $(f)))_bc=$(f))
$(BUILD)/gen/kernels32/%.bc: compiler/cg/kernels/%.c compiler/cg/kernels/*.h compiler/cg/kernels/kernels.def runtime/dm.h \
                             Makefile
	@mkdir -p $(dir $@)
	$(CLANG) $(KERNEL32_CFLAGS) -emit-llvm -c $< -o $@
$(BUILD)/gen/kernels32/linalg_%.bc: compiler/cg/kernels/linalg.c compiler/cg/kernels/*.h compiler/cg/kernels/kernels.def \
                                    runtime/dm.h Makefile
	@mkdir -p $(dir $@)
	$(CLANG) $(KERNEL32_CFLAGS) -DLINALG_TILE_$* -emit-llvm -c $< -o $@
EMBED_FILES = $(foreach e,$(EMBED),$(word 2,$(subst =, ,$(e))))
$(BUILD)/gen/embedded.c: $(EMBED_FILES) scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh $(EMBED) > $@

$(BUILD)/compiler/%.o: compiler/%.c $(CC_HDR) $(BUILD)/gen/dm.lex.h
	@mkdir -p $(dir $@)
	$(CC) $(COMPILER_CFLAGS) -c $< -o $@

$(BUILD)/libdmc.a: $(CC_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The driver writes its outputs by the runtime's rule (rt_output_target).
$(BUILD)/dmc: $(BUILD)/compiler/main.o $(BUILD)/libdmc.a $(BUILD)/libdmrt.a
	$(CC) $(CFLAGS) -o $@ $^ $(LLVM_LIBS) -lm

all: $(BUILD)/dmc $(BUILD)/libdmrt.a $(BUILD)/libdmrt.so $(BUILD)/libdmrt_core.a
.DEFAULT_GOAL := all

include examples/examples.mk
include examples/baremetal/baremetal.mk
include tests/tests.mk
-include tests/reliability.mk
-include tests/torch/torch.mk
-include bench/bench.mk
-include runtime/mpi/mpi.mk
include scripts/install.mk
include scripts/cross.mk

# The packages of `make test`; `make demo`, `make test` and the others install
# theirs by themselves (the top of this file).
setup:
	@$(SETUP)

test: all tests-build
	@BUILD=$(BUILD) bash tests/run.sh

update-goldens: all tests-build
	@BUILD=$(BUILD) UPDATE=1 bash tests/run.sh

demo: all examples
	@BUILD=$(BUILD) sh scripts/demo.sh

clean:
	rm -rf $(BUILD)

.PHONY: all setup test update-goldens demo clean examples tests-build
.DELETE_ON_ERROR:
