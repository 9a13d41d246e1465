#!/usr/bin/env bash
# cortex_m.sh [MODEL...]: code compiled for a Cortex-M4F (thumbv7em-none-eabihf,
# --cpu=cortex-m4) trains on it -- QEMU's mps2-an386 board, output through
# semihosting -- and computes bit-identically what the host computes with
# --fp-contract=off.  No runtime library: tests/cross/cortex_m/driver.c
# places the data region in a static buffer, fills parameters and inputs
# from a fixed integer sequence, runs three train steps through the
# descriptor's entry and prints the loss, parameters and optimizer state as
# bits (the host's numbers are checked against PyTorch by tests/torch/).
# make check-cross runs every model; cortex_m.test.sh two in make test.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
M4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
run() {   # run NAME FILE DMC-ARGS...: one model on both machines
    local name=$1 dm=$2; shift 2
    "$B/dmc" --fp-contract=off "$@" "$dm" -o "$tmp/${name}_host.o"
    "$B/dmc" --target=thumbv7em-none-eabihf --cpu=cortex-m4 --fp-contract=off "$@" "$dm" -o "$tmp/${name}_m4.o"
    ${CC:-cc} -O1 -std=c11 -Iruntime -DDM_MODEL=${name}_model -include "$tmp/${name}_host.h" \
        tests/cross/cortex_m/driver.c "$tmp/${name}_host.o" -o "$tmp/${name}_host"
    arm-none-eabi-gcc $M4 -O1 -std=c11 --specs=rdimon.specs -nostartfiles -Wl,--no-warn-rwx-segments \
        -T tests/cross/cortex_m/link.ld -Iruntime -DDM_MODEL=${name}_model -include "$tmp/${name}_m4.h" \
        tests/cross/cortex_m/driver.c tests/cross/cortex_m/startup.c "$tmp/${name}_m4.o" -o "$tmp/$name.elf" \
        2> >(grep -v 'GNU-stack\|NOTE: This behaviour' >&2)
    "$tmp/${name}_host" >"$tmp/$name.host"
    timeout 300 qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel "$tmp/$name.elf" >"$tmp/$name.m4" </dev/null
    if ! cmp -s "$tmp/$name.host" "$tmp/$name.m4"; then
        echo "FAILED: $name on the Cortex-M4 differs from the host:"; { diff "$tmp/$name.host" "$tmp/$name.m4" || true; } | head -4 | cut -c1-120
        fails=$((fails + 1))
    elif ! grep -q '^loss ' "$tmp/$name.host"; then
        echo "FAILED: $name printed no loss"; fails=$((fails + 1))
    else
        echo "ok   $name: bit-identical on the Cortex-M4 ($(wc -l <"$tmp/$name.host") tensors)"
    fi
}
# Every conformance model that fits the board's 4 MB of RAM (the driver's
# data region is 2 MB; mlp needs 3.8 MB), and logreg.
for m in "${@:-logreg bce bce_edge broadcast conv dropout elementwise layers lenet matmul oddsizes onehot reduce shapes softmax stable ties}"; do
    for name in $m; do
        case $name in
        logreg) run logreg examples/logreg/logreg.dm ;;
        lenet) run lenet tests/torch/lenet.dm -D batch=8 ;;
        *) run "$name" "tests/torch/$name.dm" ;;
        esac
    done
done
[ $fails = 0 ]
