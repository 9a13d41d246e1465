# baremetal.mk: make baremetal-demo, training on a microcontroller
# (examples/baremetal/main.c, docs/targets.md "Training on a microcontroller"):
# patterns.dm compiled for a Cortex-M4F (--in-place-update: no gradient tensors), linked with the freestanding runtime
# built for it (make runtime TARGET=thumbv7em-none-eabihf) and newlib's string
# and math functions, into 256 KB of RAM (link.ld), run on QEMU's mps2-an386.
BAREMETAL  := $(BUILD)/baremetal
M4_TRIPLE  := thumbv7em-none-eabihf
M4_CFLAGS  := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2 -std=c11 -ffreestanding -Wall
M4_LDFLAGS := -nostartfiles -Wl,--no-warn-rwx-segments,-z,noexecstack -T examples/baremetal/link.ld
M4_CORE    := $(BUILD)/$(M4_TRIPLE)/libdmrt_core.a
QEMU_M4    := qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel

$(BAREMETAL)/patterns.o: examples/baremetal/patterns.dm $(BUILD)/dmc
	@mkdir -p $(dir $@)
	$(BUILD)/dmc --target=$(M4_TRIPLE) --cpu=cortex-m4 --in-place-update $< -o $@

# The core for the Cortex-M4F is built by cross.mk's rules (TARGET=...).
$(M4_CORE): $(RT_CORE_SRC) runtime/*.h
	$(MAKE) --no-print-directory runtime TARGET=$(M4_TRIPLE)

$(BAREMETAL)/demo.elf: examples/baremetal/main.c examples/baremetal/platform_m4.c examples/baremetal/platform.h \
                       examples/baremetal/link.ld $(BAREMETAL)/patterns.o $(M4_CORE)
	arm-none-eabi-gcc $(M4_CFLAGS) $(M4_LDFLAGS) -Wl,-Map=$(BAREMETAL)/demo.map -Iruntime -I$(BAREMETAL) \
	    -o $@ $(filter %.c %.o %.a,$^) -lm -lc -lgcc

baremetal-demo: $(BAREMETAL)/demo.elf
	@arm-none-eabi-size $< | awk 'NR == 2 { printf "flash: %d bytes (code and constants %d, initial data %d)\n", $$1 + $$2, $$1, $$2 }'
	timeout 600 $(QEMU_M4) $< </dev/null

.PHONY: baremetal-demo
