# tests.mk: test programs built by `make tests-build` into $(BUILD)/tests/bin/.
# Each tests/unit/NAME.c is a self-checking program linked with the compiler
# library and the runtime; it exits non-zero on failure.
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/bin/%)

$(BUILD)/tests/bin/%: tests/unit/%.c $(BUILD)/libdmc.a $(BUILD)/libdmrt.a
	@mkdir -p $(dir $@)
	$(CC) $(COMPILER_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libdmc.a $(BUILD)/libdmrt.a $(LLVM_LIBS) -lm -lpthread

# The runtime's tests (rt_*.c) need only the runtime: they build while the
# compiler does not.  (A pattern with the shorter stem wins in GNU make.)
$(BUILD)/tests/bin/rt_%: tests/unit/rt_%.c $(BUILD)/libdmrt.a tests/runtime/fixture.h runtime/dm.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iruntime -Itests/unit -o $@ $< $(BUILD)/libdmrt.a -lm -lpthread

tests-build: $(UNIT_BIN) examples

# Tools used by *.test.sh scripts (not run by themselves): tests/tools/NAME.c
# -> $(BUILD)/tests/tools/NAME, linked like the unit tests (plus -ldl).
TOOL_BIN := $(BUILD)/tests/tools/difftest
$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libdmc.a $(BUILD)/libdmrt.a
	@mkdir -p $(dir $@)
	$(CC) $(COMPILER_CFLAGS) -o $@ $< $(BUILD)/libdmc.a $(BUILD)/libdmrt.a $(LLVM_LIBS) -lm -lpthread -ldl
tests-build: $(TOOL_BIN)
