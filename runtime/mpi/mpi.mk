# runtime/mpi/mpi.mk: libdmrt_mpi (data-parallel training over MPI) and what
# uses it, built only where Open MPI's compiler wrapper mpicc is installed;
# libdmrt itself never depends on MPI.  docs/distributed.md is the guide.
#
#   build/libdmrt_mpi.a                        runtime/mpi/dm_mpi.c, dm_mpi_shared.c (part of `all`)
#   build/examples/NAME/NAME_mpi               each trainer example with --mpi (part of `examples`)
#   build/tests/tools/mpi_train                the tool of tests/mpi/mpi.test.sh (part of `tests-build`)
#   make demo-mpi                              fashion_mlp on 2 ranks
#   make bench-mpi                             bench/mpi.sh: 2 ranks against 1 process (BENCH_QUICK=1: a smoke run)
MPICC   ?= mpicc
MPIRUN  ?= mpirun
HAVE_MPI := $(shell command -v $(MPICC) >/dev/null 2>&1 && command -v $(MPIRUN) >/dev/null 2>&1 && echo yes)
# mpirun refuses root without these; --oversubscribe allows more ranks than cores.
MPIRUN_ENV = OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

ifeq ($(HAVE_MPI),yes)
# A shorter stem than the runtime's $(BUILD)/runtime/%.o rule: this one wins.
$(BUILD)/runtime/mpi/%.o: runtime/mpi/%.c runtime/mpi/*.h runtime/*.h
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS) -fPIC -Iruntime -Iruntime/mpi -c $< -o $@

$(BUILD)/libdmrt_mpi.a: $(BUILD)/runtime/mpi/dm_mpi.o $(BUILD)/runtime/mpi/dm_mpi_shared.o
	@rm -f $@
	ar rcs $@ $^
all: $(BUILD)/libdmrt_mpi.a

# NAME_mpi: the example's program with trainer.c built for --mpi (-DTRAINER_MPI).
TRAINER_EXAMPLES := $(foreach e,$(EXAMPLES),$(if $(shell grep -l '"trainer.h"' examples/$(e)/*.c 2>/dev/null),$(e)))
define example_mpi_rule
$(BUILD)/examples/$(1)/$(1)_mpi: $(wildcard examples/$(1)/*.c) examples/common/trainer.c examples/common/trainer_mpi.c \
		examples/common/trainer.h $(patsubst examples/$(1)/%.dm,$(BUILD)/examples/$(1)/%.o,$(wildcard examples/$(1)/*.dm)) \
		$(BUILD)/libdmrt_mpi.a $(BUILD)/libdmrt.a
	$(MPICC) $(CFLAGS) -DTRAINER_MPI -Iruntime -Iruntime/mpi -Iexamples/common -I$(BUILD)/examples/$(1) -o $$@ \
		$$(filter %.c %.o,$$^) $(BUILD)/libdmrt_mpi.a $(BUILD)/libdmrt.a -lm -lpthread
endef
$(foreach e,$(TRAINER_EXAMPLES),$(eval $(call example_mpi_rule,$(e))))
examples: $(foreach e,$(TRAINER_EXAMPLES),$(BUILD)/examples/$(e)/$(e)_mpi)

$(BUILD)/tests/tools/mpi_train: tests/mpi/mpi_train.c $(BUILD)/libdmrt_mpi.a $(BUILD)/libdmrt.a
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS) -Iruntime -Iruntime/mpi -o $@ $< $(BUILD)/libdmrt_mpi.a $(BUILD)/libdmrt.a -lm -lpthread -ldl
tests-build: $(BUILD)/tests/tools/mpi_train

demo-mpi: setup all $(BUILD)/examples/fashion_mlp/fashion_mlp_mpi
	$(MPIRUN_ENV) $(MPIRUN) --oversubscribe -np 2 $(BUILD)/examples/fashion_mlp/fashion_mlp_mpi --mpi --epochs 2

bench-mpi: all $(BUILD)/tests/tools/mpi_train
	@BUILD=$(BUILD) bash bench/mpi.sh
else
demo-mpi bench-mpi:
	@echo "$@: Open MPI is not installed (mpicc, mpirun): make setup installs openmpi-bin and libopenmpi-dev" >&2
	@exit 1
endif
.PHONY: demo-mpi bench-mpi
