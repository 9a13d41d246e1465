# bench.mk: `make bench` runs bench/run.py (dmc against PyTorch, alternating)
# and writes docs/performance.md.  BENCH_ROUNDS=N sets the rounds (default 7).
BENCH_ROUNDS ?= 7
bench: setup all
	$(PYTHON) bench/run.py --rounds $(BENCH_ROUNDS) --build $(BUILD)
.PHONY: bench
