# torch.mk: the PyTorch conformance suite (tests/torch/, docs/testing.md).
#
#   make conformance        build dmc and the runtime, then run every model of
#                           tests/torch/ against PyTorch (one line per model)
#
# The suite itself (tests/torch/conformance.py) compiles each model with dmc
# and links it with tests/tools/dmrun.c, the generic harness; the rule below
# only checks that the harness compiles (against a stand-in descriptor), so a
# broken dmrun.c shows up in `make tests-build` rather than as 14 failures.
$(BUILD)/tests/tools/dmrun.o: tests/tools/dmrun.c runtime/dm.h
	@mkdir -p $(dir $@)
	printf '#include "dm.h"\nextern const dm_model_desc dmrun_check_model;\n' > $(BUILD)/tests/tools/dmrun_check.h
	$(CC) $(CFLAGS) -Iruntime -DDM_MODEL=dmrun_check_model -include $(BUILD)/tests/tools/dmrun_check.h \
		-c $< -o $@

tests-build: $(BUILD)/tests/tools/dmrun.o

conformance: all $(BUILD)/tests/tools/dmrun.o
	$(PYTHON) tests/torch/conformance.py --build $(BUILD)

.PHONY: conformance
