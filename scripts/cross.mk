# cross.mk: the runtime for another target, and proof that code compiled for
# other targets computes what it computes on the host (docs/targets.md).
#
#   make runtime TARGET=<triple> [CC=...]   build/<triple>/libdmrt.a and the
#                                           freestanding build/<triple>/libdmrt_core.a,
#                                           built with CC (default: <triple>-gcc);
#                                           a bare-metal triple (*-none-*) gets the
#                                           core only, built with arm-none-eabi-gcc
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
# A bare-metal ARM triple (LLVM's thumbv7em-none-eabihf, thumbv7m-none-eabi, ...) is
# built by Debian's arm-none-eabi-gcc for the processor the triple names
# (thumbv7em-none-eabihf: a Cortex-M4F, as dmc --cpu=cortex-m4), or for
# TARGET_CFLAGS when given.
# A Windows triple (x86_64-w64-mingw32, LLVM's x86_64-w64-windows-gnu) is built
# by Debian's MinGW-w64 compiler (gcc-mingw-w64-x86-64), with os/windows.c for
# writing files; its threads are MinGW-w64's winpthreads.
CROSS_TARGETS ?= aarch64-linux-gnu riscv64-linux-gnu armv7-linux-gnueabihf i686-linux-gnu
cross_bare = $(findstring -none-,$(1))
cross_windows = $(findstring -windows-,$(1))$(findstring -mingw32,$(1))
cross_gnu = $(if $(call cross_bare,$(1)),arm-none-eabi,$(if $(call cross_windows,$(1)),$(firstword $(subst -, ,$(1)))-w64-mingw32,$(patsubst armv7-%,arm-%,$(1))))
cross_cflags = $(if $(filter i686-%,$(1)),-msse2 -mfpmath=sse -Wno-psabi) \
    $(if $(filter thumbv7em-none-eabihf,$(1)),-mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16) \
    $(if $(filter thumbv7em-none-eabi,$(1)),-mthumb -mcpu=cortex-m4 -mfloat-abi=soft) \
    $(if $(filter thumbv7m-none-eabi,$(1)),-mthumb -mcpu=cortex-m3) \
    $(if $(filter thumbv6m-none-eabi,$(1)),-mthumb -mcpu=cortex-m0)

ifdef TARGET
TARGET_CC := $(if $(filter command line,$(origin CC)),$(CC),$(call cross_gnu,$(TARGET))-gcc)
TARGET_CFLAGS ?= $(call cross_cflags,$(TARGET))
TARGET_RT_SRC := $(call rt_src,$(if $(call cross_windows,$(TARGET)),windows,posix))
TARGET_RT_OBJ := $(TARGET_RT_SRC:%.c=$(BUILD)/$(TARGET)/%.o)
TARGET_CORE_OBJ := $(RT_CORE_SRC:runtime/%.c=$(BUILD)/$(TARGET)/runtime/core/%.o)

$(BUILD)/$(TARGET)/runtime/%.o: runtime/%.c runtime/*.h runtime/data/*.c
	@mkdir -p $(dir $@)
	$(TARGET_CC) -O2 -g -std=c11 -D_GNU_SOURCE $(WARN) $(TARGET_CFLAGS) $(if $(call cross_windows,$(TARGET)),,-fPIC) -Iruntime -c $< -o $@

$(BUILD)/$(TARGET)/libdmrt.a: $(TARGET_RT_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The core: no -fPIC (a microcontroller's code is not relocated), no
# -D_GNU_SOURCE (no system interfaces asked for).
$(BUILD)/$(TARGET)/runtime/core/%.o: runtime/%.c runtime/*.h
	@mkdir -p $(dir $@)
	$(TARGET_CC) -O2 -g -std=c11 -ffreestanding $(WARN) $(TARGET_CFLAGS) -Iruntime -c $< -o $@

$(BUILD)/$(TARGET)/libdmrt_core.a: $(TARGET_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

runtime: $(BUILD)/$(TARGET)/libdmrt_core.a $(if $(call cross_bare,$(TARGET)),,$(BUILD)/$(TARGET)/libdmrt.a)
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
