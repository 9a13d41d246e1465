# cross.mk: the runtime for another target, and proof that code compiled for
# other targets computes what it computes on the host (docs/targets.md).
#
#   make runtime TARGET=<triple> [CC=...]   build/<triple>/libdmrt.a, built with
#                                           CC (default: <triple>-gcc)
#   make check-cross                        every model of tests/cross/cross.py on
#                                           each target of CROSS_TARGETS, run under
#                                           qemu-user against the host; then
#                                           tests/cross/cortex_m.sh (a Cortex-M4F
#                                           under qemu-system-arm, no runtime)
#
# A Debian cross toolchain names its compiler <gnu>-gcc and keeps its C
# library under /usr/<gnu>, where qemu-user finds it (-L); programs are
# linked statically so the emulator needs nothing else.  <gnu> is the triple
# but for ARMv7, whose Debian name is arm-linux-gnueabihf (for dmc and LLVM,
# "arm" alone is ARMv4T), and its emulator qemu-arm (qemu-i386 for i686).
# i686 code computes in SSE2 registers (dmc's default
# features for i686 Linux), and so must the runtime (GCC's default is x87,
# whose wider registers round differently).
CROSS_TARGETS ?= aarch64-linux-gnu riscv64-linux-gnu armv7-linux-gnueabihf i686-linux-gnu
cross_gnu = $(patsubst armv7-%,arm-%,$(1))
cross_cflags = $(if $(filter i686-%,$(1)),-msse2 -mfpmath=sse -Wno-psabi)

ifdef TARGET
TARGET_CC := $(if $(filter command line,$(origin CC)),$(CC),$(call cross_gnu,$(TARGET))-gcc)
TARGET_RT_OBJ := $(RT_SRC:%.c=$(BUILD)/$(TARGET)/%.o)

$(BUILD)/$(TARGET)/runtime/%.o: runtime/%.c runtime/*.h runtime/data/*.c
	@mkdir -p $(dir $@)
	$(TARGET_CC) -O2 -g -std=c11 -D_GNU_SOURCE $(WARN) $(call cross_cflags,$(TARGET)) -fPIC -Iruntime -c $< -o $@

$(BUILD)/$(TARGET)/libdmrt.a: $(TARGET_RT_OBJ)
	@rm -f $@
	ar rcs $@ $^

runtime: $(BUILD)/$(TARGET)/libdmrt.a
else
runtime:
	@echo "make runtime TARGET=<triple> [CC=...]: which target?" >&2; exit 2
endif

check-cross: all
	@set -e; for t in $(CROSS_TARGETS); do \
	    $(MAKE) --no-print-directory -s runtime TARGET=$$t; \
	done
	@fail=0; for t in $(CROSS_TARGETS); do \
	    g=$$(echo $$t | sed 's/^armv7-/arm-/'); \
	    q=$$(echo $${t%%-*} | sed 's/^armv7$$/arm/; s/^i686$$/i386/'); \
	    f=$$(case $$t in i686-*) echo " -msse2 -mfpmath=sse";; esac); \
	    $(PYTHON) tests/cross/cross.py --build $(BUILD) --target $$t --cc "$$g-gcc$$f" \
	        --runtime $(BUILD)/$$t/libdmrt.a --emulator "qemu-$$q -L /usr/$$g" || fail=1; \
	done; \
	BUILD=$(BUILD) bash tests/cross/cortex_m.sh || fail=1; \
	exit $$fail

.PHONY: runtime check-cross
