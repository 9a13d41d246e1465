#!/usr/bin/env bash
# mean.test.sh: libdmrt_mpi's division of the summed gradients by the number
# of ranks equals the scalar IEEE division bit for bit (mean_check.c says how).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
command -v mpicc >/dev/null || { echo "mpicc not found: install openmpi-bin and libopenmpi-dev (make setup)"; exit 1; }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
# -ffp-contract=off and no -ffast-math: the oracle's division must stay one IEEE division
mpicc -O2 -std=c11 -D_GNU_SOURCE -ffp-contract=off -Iruntime -Iruntime/mpi -o "$t/mean_check" tests/mpi/mean_check.c \
    "$BUILD/libdmrt.a" -lm -lpthread || { echo "FAIL: building mean_check"; exit 1; }
"$t/mean_check"
