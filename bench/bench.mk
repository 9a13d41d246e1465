# bench.mk: `make bench` runs bench/run.py: dmc against PyTorch as installed,
# PyTorch with the tuned allocator and (matmul) OpenBLAS itself, alternating,
# and against the limit measured in the same run; writes docs/performance.md,
# then appends the compile-time scaling table (bench/compile_scaling.py).
# Its packages (OpenBLAS, its header and pkg-config file) are installed by the
# Makefile's setup step (scripts/setup.sh bench).
#   BENCH_ROUNDS=N   rounds (default 7)
#   BENCH_SHARED=DIR the design folder holding bench/peak.c (default ../shared)
#   BENCH_FLAGS=...  more options of bench/run.py (--coretype NAME)
BENCH_ROUNDS ?= 7
BENCH_SHARED ?= ../shared
BENCH_FLAGS  ?=
bench: all
	$(PYTHON) bench/run.py --rounds $(BENCH_ROUNDS) --build $(BUILD) --shared $(BENCH_SHARED) $(BENCH_FLAGS)
	$(PYTHON) bench/compile_scaling.py --build $(BUILD) --append docs/performance.md
.PHONY: bench
