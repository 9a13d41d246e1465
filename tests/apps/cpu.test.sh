#!/usr/bin/env bash
# cpu.test.sh: the descriptor records the CPU features the code was compiled
# for, and dm_new refuses a processor without them.  An x86-64-v3 object
# lists the level's features (avx2, fma, ... not avx512f); --features=+X
# records X; the host default records the host's; --cpu=generic nothing.
# $DM_CPU_DISABLE stands in for an older processor: a v3 object on a "CPU
# without avx2" fails with DM_EUNSUPPORTED naming avx2, and runs otherwise.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "skipped: not x86-64"; exit 0; }
cat > "$tmp/main.c" <<'C'
#include <stdio.h>
#include "dm.h"
extern const dm_model_desc mlp_model;
int main(void) {
    printf("features=%s\n", mlp_model.cpu_features ? mlp_model.cpu_features : "(null)");
    dm_model *m = dm_new(&mlp_model, 1);
    if (!m) { printf("code=%d %s\n", dm_last_error_code(), dm_last_error()); return 0; }
    printf("code=%d\n", dm_forward(m));
    dm_free(m);
    return 0;
}
C
run() {  # run FLAGS...: compile mlp with FLAGS, link, print the program's output
    "$B/dmc" -D batch=2 tests/torch/mlp.dm "$@" -o "$tmp/mlp.o"
    ${CC:-cc} -std=c11 -Iruntime -o "$tmp/prog" "$tmp/main.c" "$tmp/mlp.o" "$B/libdmrt.a" -lm -lpthread
    "$tmp/prog"
}
out=$(run --cpu=x86-64-v3)
echo "$out" | grep -q '^features=.*avx2' && echo "$out" | grep -q '^features=.*fma' || fail "v3: $out"
echo "$out" | grep -q 'avx512f' && fail "v3 lists avx512f: $out"
echo "$out" | grep -qx 'code=0' || fail "v3 on this machine: $out"
out=$(DM_CPU_DISABLE=avx2,bmi2 "$tmp/prog")
echo "$out" | grep -q "^code=-8 model 'mlp' was compiled for CPU features this processor lacks: avx2, bmi2" \
    || fail "v3 without avx2: $out"
out=$(run --cpu=x86-64-v4)
echo "$out" | grep -q '^features=.*avx512bw' || fail "v4: $out"
out=$(run --cpu=generic)
echo "$out" | grep -qx 'features=' || fail "generic: $out"
out=$(run --cpu=x86-64 --features=+avx2,-avx512f)
echo "$out" | grep -qx 'features=avx2' || fail "--features=+avx2,-avx512f: $out"
out=$(run)
echo "$out" | grep -q '^features=.*sse2' && echo "$out" | grep -qx 'code=0' || fail "host: $out"
echo ok
