# cross.mk: the runtime for another target, and proof that code compiled for
# other targets computes what it computes on the host (docs/targets.md).
#
#   make runtime TARGET=<triple> [CC=...]   build/<triple>/libdmrt.a, built with
#                                           CC (default: <triple>-gcc)
#   make check-cross                        every model of tests/cross/cross.py on
#                                           each target of CROSS_TARGETS, run under
#                                           qemu-user against the host
#
# A Debian cross toolchain names its compiler <triple>-gcc and keeps its C
# library under /usr/<triple>, where qemu-user finds it (-L); programs are
# linked statically so the emulator needs nothing else.
CROSS_TARGETS ?= aarch64-linux-gnu riscv64-linux-gnu

ifdef TARGET
TARGET_CC := $(if $(filter command line environment,$(origin CC)),$(CC),$(TARGET)-gcc)
TARGET_RT_OBJ := $(RT_SRC:%.c=$(BUILD)/$(TARGET)/%.o)

$(BUILD)/$(TARGET)/runtime/%.o: runtime/%.c runtime/*.h runtime/data/*.c
	@mkdir -p $(dir $@)
	$(TARGET_CC) -O2 -g -std=c11 -D_GNU_SOURCE $(WARN) -fPIC -Iruntime -c $< -o $@

$(BUILD)/$(TARGET)/libdmrt.a: $(TARGET_RT_OBJ)
	@rm -f $@
	ar rcs $@ $^

runtime: $(BUILD)/$(TARGET)/libdmrt.a
else
runtime:
	@echo "make runtime TARGET=<triple> [CC=...]: which target?" >&2; exit 2
endif

check-cross: setup all
	@set -e; for t in $(CROSS_TARGETS); do \
	    $(MAKE) --no-print-directory -s runtime TARGET=$$t; \
	done
	@fail=0; for t in $(CROSS_TARGETS); do \
	    $(PYTHON) tests/cross/cross.py --build $(BUILD) --target $$t --cc $$t-gcc \
	        --runtime $(BUILD)/$$t/libdmrt.a --emulator "qemu-$${t%%-*} -L /usr/$$t" || fail=1; \
	done; exit $$fail

.PHONY: runtime check-cross
