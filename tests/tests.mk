# tests.mk: test programs built by `make tests-build` into $(BUILD)/tests/bin/.
# Each tests/unit/NAME.c is a self-checking program linked with the compiler
# library and the runtime; it exits non-zero on failure.
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/bin/%)

$(BUILD)/tests/bin/%: tests/unit/%.c $(BUILD)/libdmc.a $(BUILD)/libdmrt.a
	@mkdir -p $(dir $@)
	$(CC) $(COMPILER_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libdmc.a $(BUILD)/libdmrt.a $(LLVM_LIBS) -lm -lpthread

tests-build: $(UNIT_BIN) examples
