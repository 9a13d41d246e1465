#!/usr/bin/env bash
# portable.test.sh: --cpu=portable puts x86-64, x86-64-v3 and x86-64-v4
# code in one object and dm_new runs the best level the processor has.
# Oracle: the single-level builds of the same model (the code of a level is
# the same whether alone or beside others), compared bit for bit over every
# tensor after train_step, gradients, apply and forward.  A level the CPU
# lacks is never chosen: $DM_CPU_DISABLE hides features from the runtime,
# and, where qemu-user is installed, older CPUs (Nehalem: no AVX; Haswell:
# no AVX-512) run the portable object, which picks their level and matches
# its build, while a v3 object is refused there (DM_EUNSUPPORTED).
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "skipped: not x86-64"; exit 0; }
cat > "$tmp/main.c" <<'C'
/* Runs every entry on fixed inputs and prints the level and a checksum
 * (FNV-1a) of every tensor's bytes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include "dm.h"
extern const dm_model_desc MODEL;
static uint64_t checksum(dm_model *m) {
    const dm_model_desc *d = dm_desc(m);
    uint64_t h = 1469598103934665603u;
    for (int i = 0; i < d->ntensors; i++) {
        const unsigned char *p = dm_tensor_data(m, d, i);
        for (uint64_t k = 0; k < d->tensors[i].bytes; k++) h = (h ^ p[k]) * 1099511628211u;
    }
    return h;
}
int main(void) {
    dm_model *m = dm_new(&MODEL, 7);
    if (!m) { printf("code=%d %s\n", dm_last_error_code(), dm_last_error()); return 0; }
    const dm_model_desc *d = dm_desc(m);
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        if (t->kind != DM_INPUT) continue;
        void *p = dm_tensor_data(m, d, i);
        for (int64_t k = 0; k < t->count; k++)
            if (t->dtype == DM_F32) ((float *)p)[k] = sinf(0.37f * (float)k + (float)i);
            else ((int32_t *)p)[k] = (t->flags & DM_TENSOR_HAS_RANGE) ? (int32_t)(t->lo + (k * 7) % (t->hi - t->lo + 1)) : 0;
    }
    float loss = 0;
    int rc = 0;
    for (int s = 0; s < 3 && !rc; s++) rc = dm_train_step(m, &loss);
    if (!rc) rc = dm_gradients(m, &loss);
    if (!rc) rc = dm_apply(m);
    if (!rc) rc = dm_forward(m);
    printf("cpu=%s rc=%d loss=%a sum=%016llx\n", dm_cpu(m), rc, loss, (unsigned long long)checksum(m));
    dm_free(m);
    return 0;
}
C
build() {  # build NAME FILE MODEL FLAGS...: compile FILE with FLAGS into the program $tmp/NAME running MODEL
    local name=$1 file=$2 model=$3; shift 3
    "$B/dmc" "$file" "$@" -o "$tmp/$name.o"
    ${CC:-cc} -std=c11 -Iruntime -DMODEL="${model}_model" -o "$tmp/$name" "$tmp/main.c" "$tmp/$name.o" \
        "$B/libdmrt.a" -lm -lpthread
}
# same LEVEL OUT EXPECTED: the run printed EXPECTED's result on level LEVEL
same() {
    echo "$2" | grep -q "^cpu=$1 rc=0 " || fail "expected level $1: $2"
    [ "${2#cpu=* }" = "${3#cpu=* }" ] || fail "level $1 differs from its own build: $2 vs $3"
}
qemu=$(command -v qemu-x86_64 || true)
avx512=$(grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && echo yes || echo no)
# mlp and lenet (the convolutions' prebuilt helpers), and the last of the
# three models of one file.
for case in tests/torch/mlp.dm:mlp tests/torch/lenet.dm:lenet tests/codegen/bmm_odd.dm:bmm_rank6; do
    file=${case%:*} model=${case#*:} defs=
    case $file in tests/torch/*) defs="-D batch=3" ;; esac
    build portable "$file" $model $defs --cpu=portable
    for level in x86-64 x86-64-v3 x86-64-v4; do build $level "$file" $model $defs --cpu=$level; done
    base=$("$tmp/x86-64")
    v3=$("$tmp/x86-64-v3")
    same x86-64 "$(DM_CPU_DISABLE=avx2 "$tmp/portable")" "$base"
    same x86-64-v3 "$(DM_CPU_DISABLE=avx512f "$tmp/portable")" "$v3"
    same x86-64-v3 "$(DM_THREADS=2 DM_CPU_DISABLE=avx512f "$tmp/portable")" "$(DM_THREADS=2 "$tmp/x86-64-v3")"
    if [ "$avx512" = yes ]; then
        same x86-64-v4 "$("$tmp/portable")" "$("$tmp/x86-64-v4")"
    else
        same x86-64-v3 "$("$tmp/portable")" "$v3"
    fi
    # (not under check-sanitize: AddressSanitizer's shadow memory does not map in qemu-user)
    if [ -n "$qemu" ] && [ -z "${DM_SANITIZE:-}" ]; then
        same x86-64 "$("$qemu" -cpu Nehalem "$tmp/portable" 2>/dev/null)" "$base"
        same x86-64-v3 "$("$qemu" -cpu Haswell "$tmp/portable" 2>/dev/null)" "$v3"
        out=$("$qemu" -cpu Nehalem "$tmp/x86-64-v3" 2>/dev/null)
        echo "$out" | grep -q "^code=-8 model '$model' was compiled for CPU features this processor lacks: avx" \
            || fail "v3 object on Nehalem: $out"
    fi
done
# The object defines the global symbols of a one-level object (NAME_model and
# its hidden entries); the faster levels' descriptors and entries are local.
exported=$(nm -g --defined-only "$tmp/portable.o" | awk '{print $3}')
[ "$exported" = "$(nm -g --defined-only "$tmp/x86-64.o" | awk '{print $3}')" ] || fail "exported: $exported"
# The list may name levels in any order; other names, or --features, are usage errors.
build listed tests/torch/mlp.dm mlp -D batch=3 --cpu=x86-64-v4,x86-64
out=$(DM_CPU_DISABLE=avx512f "$tmp/listed")
echo "$out" | grep -q '^cpu=x86-64 rc=0' || fail "x86-64,x86-64-v4 without avx512f: $out"
set +e
err=$("$B/dmc" tests/torch/mlp.dm --cpu=x86-64,haswell -o "$tmp/bad.o" 2>&1); rc=$?
[ $rc = 2 ] && [ "$err" = "dmc: error: --cpu=x86-64,haswell: 'haswell' is not one of the levels x86-64, x86-64-v2, x86-64-v3, x86-64-v4 (a list, or portable, compiles several)" ] \
    || fail "unknown level ($rc): $err"
err=$("$B/dmc" tests/torch/mlp.dm --cpu=portable --features=+avx -o "$tmp/bad.o" 2>&1); rc=$?
[ $rc = 2 ] && [ "$err" = "dmc: error: --features cannot be given with several --cpu levels (--cpu=x86-64,x86-64-v3,x86-64-v4)" ] \
    || fail "--features ($rc): $err"
err=$("$B/dmc" tests/torch/mlp.dm --cpu=x86-64,x86-64 -o "$tmp/bad.o" 2>&1); rc=$?
[ $rc = 2 ] && [ "$err" = "dmc: error: --cpu=x86-64,x86-64 names one level: give it alone" ] \
    || fail "one level ($rc): $err"
err=$("$B/dmc" tests/torch/mlp.dm --target=aarch64-linux-gnu --cpu=portable -o "$tmp/bad.o" 2>&1); rc=$?
[ $rc = 2 ] && [ "$err" = "dmc: error: --cpu=portable: several levels are for x86-64 targets only" ] \
    || fail "aarch64 ($rc): $err"
set -e
[ ! -e "$tmp/bad.o" ] || fail "a failed compile left an object"
echo ok
