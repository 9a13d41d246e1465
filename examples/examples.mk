# examples.mk: every example into $(BUILD)/examples/<name>.
# An example is a folder examples/NAME/ holding one or more models (*.dm,
# each compiled by dmc with the arguments in a sibling *.dmflags file, if any)
# and a C program (*.c), linked with nothing but libdmrt.a and libm.  An
# example whose C includes "trainer.h" also gets examples/common/trainer.c.
# examples/baremetal runs on a microcontroller: baremetal.mk builds it.
EXAMPLES := $(filter-out baremetal,$(patsubst examples/%/,%,$(sort $(dir $(wildcard examples/*/*.dm)))))

define example_rule
$(BUILD)/examples/$(1)/%.o: examples/$(1)/%.dm $(BUILD)/dmc
	@mkdir -p $$(dir $$@)
	$(BUILD)/dmc $$(shell cat examples/$(1)/$$*.dmflags 2>/dev/null) $$< -o $$@

$(BUILD)/examples/$(1)/$(1): $(wildcard examples/$(1)/*.c) \
		$(if $(shell grep -l '"trainer.h"' examples/$(1)/*.c 2>/dev/null),examples/common/trainer.c) \
		$(patsubst examples/$(1)/%.dm,$(BUILD)/examples/$(1)/%.o,$(wildcard examples/$(1)/*.dm)) \
		$(BUILD)/libdmrt.a
	$(CC) $(CFLAGS) -Iruntime -Iexamples/common -I$(BUILD)/examples/$(1) -o $$@ $$(filter %.c %.o,$$^) $(BUILD)/libdmrt.a -lm -lpthread
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rule,$(e))))

examples: $(foreach e,$(EXAMPLES),$(BUILD)/examples/$(e)/$(e))
