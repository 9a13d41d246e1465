# runtime/mpi/mpi.mk: libdmrt_mpi (data-parallel training over MPI) and what
# uses it, built only where Open MPI's compiler wrapper mpicc is installed;
# libdmrt itself never depends on MPI.  docs/distributed.md is the guide.
#
#   build/libdmrt_mpi.a                        runtime/mpi/dm_mpi.c (part of `all`)
#   build/tests/tools/mpi_train                the tool of tests/mpi/mpi.test.sh (part of `tests-build`)
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

$(BUILD)/libdmrt_mpi.a: $(BUILD)/runtime/mpi/dm_mpi.o
	@rm -f $@
	ar rcs $@ $^
all: $(BUILD)/libdmrt_mpi.a

$(BUILD)/tests/tools/mpi_train: tests/mpi/mpi_train.c $(BUILD)/libdmrt_mpi.a $(BUILD)/libdmrt.a
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS) -Iruntime -Iruntime/mpi -o $@ $< $(BUILD)/libdmrt_mpi.a $(BUILD)/libdmrt.a -lm -lpthread -ldl
tests-build: $(BUILD)/tests/tools/mpi_train
endif
