#!/usr/bin/python3
"""mpi_cost.py: the cost model of docs/distributed.md, on paper.

    mpi_cost.py NAME:GRADIENT_BYTES:STEP_MS ...

For each model (its gradient bytes from `dmc --stats`, its measured step time
on one machine at the per-machine batch) and each link, a ring allreduce of
p machines costs

    T_ar(p) = 2 (p - 1) / p * bytes / bandwidth + 2 (p - 1) * latency

(2 (p - 1) messages in sequence, each moving bytes / p).  Without overlap a
data-parallel step takes T_step + T_ar(p), so the efficiency is
E(p) = T_step / (T_step + T_ar(p)) and the throughput p * batch / (T_step +
T_ar(p)).  Printed per link: E(2); p50, the most machines at which
E(p) >= 50%: where scaling stops paying, since past it most of every step
is communication; the speed-up p * E(p) at p50; and the ceiling, the
speed-up that no number of machines exceeds (p * E(p) tends to
T_step / (2 latency) as the latency term grows with p)."""
import sys

LINKS = [  # name, bytes per second, latency per message (assumed, see the doc)
    ("10 Gb/s", 10e9 / 8, 25e-6),
    ("25 Gb/s", 25e9 / 8, 10e-6),
    ("100 Gb/s", 100e9 / 8, 2e-6),
]


def allreduce(p, size, bandwidth, latency):
    return 2 * (p - 1) / p * size / bandwidth + 2 * (p - 1) * latency


def scaling(size, step, bandwidth, latency):
    eff = lambda p: step / (step + allreduce(p, size, bandwidth, latency))
    p50 = 1
    while eff(p50 + 1) >= 0.5:
        p50 += 1
    return eff(2), p50, p50 * eff(p50), step / (2 * latency)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print("| model | gradient bytes | step (ms) | link | E(2) | p50 | speed-up at p50 | ceiling |")
    print("|---|---|---|---|---|---|---|---|")
    for arg in sys.argv[1:]:
        name, size, step = arg.split(":")
        size, step = int(size), float(step) / 1e3
        for link, bandwidth, latency in LINKS:
            e2, p50, speed, ceiling = scaling(size, step, bandwidth, latency)
            print("| %s | %d | %.2f | %s | %.0f%% | %d | %.0fx | %.0fx |"
                  % (name, size, step * 1e3, link, 100 * e2, p50, speed, ceiling))


if __name__ == "__main__":
    main()
