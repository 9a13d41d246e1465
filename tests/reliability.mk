# reliability.mk: fuzzing, sanitizer and valgrind runs.  See
# docs/reliability.md for what each target checks and how long it takes.
#
#   make fuzz [FUZZ_SECONDS=60]   both libFuzzer harnesses, FUZZ_SECONDS each
#   make fuzz-frontend / fuzz-load   one harness
#   make check-sanitize           the whole suite built with ASan + UBSan, in build-sanitize/
#   make check-valgrind           the compiler and runtime tests under valgrind memcheck
#
# The fuzz build is a second build of the compiler and runtime sources with
# clang-19 and the fuzzer's coverage instrumentation, under $(BUILD)/fuzz/obj
# (the Makefile takes CC and, from the environment, CFLAGS; CC carries the
# sanitizer flags so that the generated scanner and parser, compiled with
# their own fixed flags, are instrumented too).

FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_OBJ     := $(FUZZ_DIR)/obj
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CC      := $(CLANG) -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_CFLAGS  := -O1 -g

# The inner make decides what is stale; the archives' times then drive the links.
$(FUZZ_OBJ)/libdmc.a $(FUZZ_OBJ)/libdmrt.a: reliability-force
	CFLAGS="$(FUZZ_CFLAGS)" $(MAKE) --no-print-directory BUILD=$(FUZZ_OBJ) CC="$(FUZZ_CC)" $@

reliability-force:

$(FUZZ_DIR)/fuzz_frontend: tests/fuzz/fuzz_frontend.c $(FUZZ_OBJ)/libdmc.a
	$(CLANG) -fsanitize=fuzzer $(FUZZ_SAN) $(FUZZ_CFLAGS) -std=c11 -D_GNU_SOURCE \
		-Icompiler -Iruntime -I$(FUZZ_OBJ)/gen -o $@ $< $(FUZZ_OBJ)/libdmc.a $(LLVM_LIBS) -lm -lpthread

$(FUZZ_DIR)/fuzz_load: tests/fuzz/fuzz_load.c $(FUZZ_OBJ)/libdmrt.a
	$(CLANG) -fsanitize=fuzzer $(FUZZ_SAN) $(FUZZ_CFLAGS) -std=c11 -D_GNU_SOURCE \
		-Iruntime -o $@ $< $(FUZZ_OBJ)/libdmrt.a -lm -lpthread

# The checkpoint replayer: the fuzz_load checks as a plain program, for the
# regression cases in make test and for writing the seed corpus.
$(FUZZ_DIR)/replay_load: tests/fuzz/fuzz_load.c $(BUILD)/libdmrt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DFUZZ_LOAD_MAIN -Iruntime -o $@ $< $(BUILD)/libdmrt.a -lm -lpthread

tests-build: $(FUZZ_DIR)/replay_load

fuzz-build: $(FUZZ_DIR)/fuzz_frontend $(FUZZ_DIR)/fuzz_load $(FUZZ_DIR)/replay_load

fuzz: fuzz-build
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh frontend load

fuzz-frontend: $(FUZZ_DIR)/fuzz_frontend
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh frontend

fuzz-load: $(FUZZ_DIR)/fuzz_load $(FUZZ_DIR)/replay_load
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh load

check-sanitize:
	@bash scripts/check-sanitize.sh

check-valgrind: all tests-build
	@BUILD=$(BUILD) bash scripts/valgrind.sh

.PHONY: reliability-force fuzz fuzz-build fuzz-frontend fuzz-load check-sanitize check-valgrind
