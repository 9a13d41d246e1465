#!/usr/bin/env bash
# shared.test.sh: shared libraries.  libdmrt.so and a model library made by
# `dmc --emit=shared` export the public dm_* API (and the model's descriptor
# and the dm_models table) and nothing else: no rt_* helper, no kernel.  A C
# program that dlopen()s the model library trains 3 steps with the same
# losses and parameters, bit for bit, as the same program linked statically
# with the object and libdmrt.a; another links libdmrt.so dynamically.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
CC=${CC:-cc}
fail() { echo "FAIL: $*"; exit 1; }

# Exported (defined, dynamic) symbols of a library, one per line.
exports() { nm -D --defined-only "$1" | awk '$2 ~ /^[TDRBVW]$/ {print $3}' | sort; }

[ -f "$B/libdmrt.so" ] || fail "no $B/libdmrt.so"
exports "$B/libdmrt.so" > "$tmp/rt.syms"
grep -v '^dm_' "$tmp/rt.syms" && fail "libdmrt.so exports something besides dm_*"
grep -qx dm_new "$tmp/rt.syms" && grep -qx dm_train_step "$tmp/rt.syms" && grep -qx dm_dataset_load "$tmp/rt.syms" \
    && grep -qx dm_last_error_code "$tmp/rt.syms" || fail "libdmrt.so lacks part of the API"
# every function declared in dm.h and dm_data.h is exported
for f in $(grep -ho '^DM_API [^(]*(' runtime/dm.h runtime/dm_data.h | grep -o 'dm_[a-z0-9_]*(' | tr -d '('); do
    grep -qx "$f" "$tmp/rt.syms" || fail "libdmrt.so does not export $f"
done

"$B/dmc" -D batch=8 tests/torch/mlp.dm --emit=shared -o "$tmp/mlp.so"
exports "$tmp/mlp.so" > "$tmp/mlp.syms"
grep -vE '^(dm_.*|mlp_model)$' "$tmp/mlp.syms" && fail "mlp.so exports more than dm_*, mlp_model"
grep -qx mlp_model "$tmp/mlp.syms" && grep -qx dm_models "$tmp/mlp.syms" && grep -qx dm_new "$tmp/mlp.syms" \
    || fail "mlp.so lacks mlp_model, dm_models or dm_new"
cmp -s "$tmp/rt.syms" <(grep -vxE 'dm_models|mlp_model' "$tmp/mlp.syms") || fail "mlp.so's dm_* differ from libdmrt.so's"
"$B/dmc" -D batch=8 tests/torch/mlp.dm -o "$tmp/mlp.o"

cat > "$tmp/main.c" <<'C'
/* Trains mlp 3 steps and prints the losses and every parameter's bytes. */
#include <stdio.h>
#include <string.h>
#include "dm.h"
#ifdef DLOPEN
#include <dlfcn.h>
#define API(name) __typeof__(&name) p_##name = (__typeof__(&name))dlsym(lib, #name)
#else
extern const dm_model_desc mlp_model;
#define API(name) __typeof__(&name) p_##name = &name
#endif
int main(int argc, char **argv) {
#ifdef DLOPEN
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { printf("dlopen: %s\n", dlerror()); return 1; }
    const dm_model_desc *desc = dlsym(lib, "mlp_model");
    const dm_model_desc *const *table = dlsym(lib, "dm_models");
    if (!desc || !table || table[0] != desc || table[1]) { printf("no descriptor or table\n"); return 1; }
#else
    const dm_model_desc *desc = &mlp_model;
#endif
    API(dm_new); API(dm_data); API(dm_train_step); API(dm_free); API(dm_tensor_count); API(dm_tensor_at);
    API(dm_last_error);
    dm_model *m = p_dm_new(desc, 5);
    if (!m) { printf("dm_new: %s\n", p_dm_last_error()); return 1; }
    float *x = p_dm_data(m, "x");
    int *y = p_dm_data(m, "y");
    for (int i = 0; i < 8 * 784; i++) x[i] = (float)((i * 31) % 97) / 97.0f - 0.3f;
    for (int i = 0; i < 8; i++) y[i] = (i * 7) % 10;
    for (int s = 0; s < 3; s++) {
        float loss;
        if (p_dm_train_step(m, &loss)) { printf("step: %s\n", p_dm_last_error()); return 1; }
        unsigned u; memcpy(&u, &loss, 4);
        printf("loss %08x\n", u);
    }
    for (int i = 0; i < p_dm_tensor_count(m); i++) {
        const dm_tensor_desc *t = p_dm_tensor_at(m, i);
        if (t->kind != DM_PARAM && t->kind != DM_STATE) continue;
        const unsigned char *p = p_dm_data(m, t->name);
        unsigned long h = 1469598103934665603UL;   /* FNV-1a of the bytes */
        for (uint64_t k = 0; k < t->bytes; k++) h = (h ^ p[k]) * 1099511628211UL;
        printf("%s %016lx\n", t->name, h);
    }
    p_dm_free(m);
    return 0;
}
C
$CC -std=gnu11 -Wall -Iruntime -o "$tmp/static" "$tmp/main.c" "$tmp/mlp.o" "$B/libdmrt.a" -lm -lpthread
$CC -std=gnu11 -Wall -DDLOPEN -Iruntime -o "$tmp/dyn" "$tmp/main.c" -ldl
DM_THREADS=1 "$tmp/static" > "$tmp/static.out"
DM_THREADS=1 "$tmp/dyn" "$tmp/mlp.so" > "$tmp/dyn.out"
[ "$(grep -c . "$tmp/static.out")" -ge 10 ] || { cat "$tmp/static.out"; fail "static run"; }
diff "$tmp/static.out" "$tmp/dyn.out" || fail "the dlopen'ed library differs from the static build"

# The model object linked with libdmrt.so instead of libdmrt.a.
$CC -std=gnu11 -Wall -Iruntime -o "$tmp/sorun" "$tmp/main.c" "$tmp/mlp.o" -L"$B" -ldmrt -Wl,-rpath,"$(cd "$B" && pwd)"
DM_THREADS=1 "$tmp/sorun" > "$tmp/so.out"
diff "$tmp/static.out" "$tmp/so.out" || fail "linked with libdmrt.so: different results"
ldd "$tmp/sorun" | grep -q libdmrt.so || fail "sorun does not use libdmrt.so"

# Errors: no runtime found, a cross target.
cp "$B/dmc" "$tmp/dmc-alone"
if DMC_RUNTIME= "$tmp/dmc-alone" tests/torch/mlp.dm --emit=shared -o "$tmp/x.so" 2>"$tmp/err"; then fail "no runtime: accepted"; fi
grep -q "libdmrt.a" "$tmp/err" || { cat "$tmp/err"; fail "no runtime: message"; }
[ ! -e "$tmp/x.so" ] || fail "a failed --emit=shared left $tmp/x.so"
DMC_RUNTIME="$(pwd)/$B/libdmrt.a" "$tmp/dmc-alone" -D batch=8 tests/torch/mlp.dm --emit=shared -o "$tmp/y.so" \
    || fail "DMC_RUNTIME not used"
if "$B/dmc" tests/torch/mlp.dm --emit=shared --target=aarch64-linux-gnu -o "$tmp/z.so" 2>"$tmp/err"; then
    fail "cross --emit=shared accepted"; fi
grep -q "shared" "$tmp/err" || { cat "$tmp/err"; fail "cross: message"; }
echo ok
