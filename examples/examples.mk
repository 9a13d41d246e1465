# examples.mk: every example into $(BUILD)/examples/<name>.
# An example is examples/NAME/ with NAME.dm and main.c (plus its own flags).
EXAMPLES := $(notdir $(wildcard examples/*/))

examples:
