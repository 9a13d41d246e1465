#!/usr/bin/env bash
# static_buffer.test.sh: a compiled model in a static buffer sized by the
# generated header (mlp_MEMORY_SIZE, mlp_MEMORY_ALIGN) trains with zero
# allocations: malloc, calloc, realloc and posix_memalign are interposed and
# counted from dm_init through 3 train steps and a forward.  Also: the
# header's size equals dm_memory_size, and the descriptor says which entries
# read each input and that the labels y of softmax_cross_entropy over 10
# classes lie in [0, 9] (dm_entry_reads, dm_tensor_range, dm_check_inputs).
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$B/dmc" -D batch=8 tests/torch/mlp.dm -o "$tmp/mlp.o"
cat > "$tmp/main.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "mlp.h"

/* Counting allocator: forwards to glibc's own entry points.  Not under
 * AddressSanitizer (NO_INTERPOSE), whose allocator it would replace: there
 * the count stays 0 and the plain run of this test is the one that counts. */
static int counting, allocations;
#ifndef NO_INTERPOSE
extern void *__libc_malloc(size_t), *__libc_calloc(size_t, size_t), *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
void *malloc(size_t n) { allocations += counting; return __libc_malloc(n); }
void *calloc(size_t n, size_t s) { allocations += counting; return __libc_calloc(n, s); }
void *realloc(void *p, size_t n) { allocations += counting; return __libc_realloc(p, n); }
int posix_memalign(void **p, size_t a, size_t n) { allocations += counting; *p = __libc_memalign(a, n); return *p ? 0 : 12; }
void *aligned_alloc(size_t a, size_t n) { allocations += counting; return __libc_memalign(a, n); }
#endif

static unsigned char buf[mlp_MEMORY_SIZE] __attribute__((aligned(mlp_MEMORY_ALIGN)));
static int bad;
#define EXPECT(c) do { if (!(c)) { printf("failed: %s (%s)\n", #c, dm_last_error()); bad = 1; } } while (0)

int main(void) {
    EXPECT(mlp_MEMORY_SIZE == dm_memory_size(&mlp_model));
    EXPECT(mlp_MEMORY_ALIGN == DM_ALIGN);
    EXPECT(mlp_MEMORY_SIZE == DM_MEMORY_SIZE(mlp_DATA_SIZE));
    counting = 1;
    dm_model *m = dm_init(&mlp_model, buf, sizeof buf, 42);
    float *x = m ? dm_data(m, "x") : NULL;
    int *y = m ? dm_data(m, "y") : NULL;
    float loss[3] = {0};
    int rc = m && x && y ? 0 : -100;
    for (int i = 0; x && i < 8 * 784; i++) x[i] = (float)((i * 37) % 101) / 101.0f;
    for (int i = 0; y && i < 8; i++) y[i] = (i * 3) % 10;
    for (int s = 0; s < 3 && rc == 0; s++) rc = dm_train_step(m, &loss[s]);
    if (rc == 0) rc = dm_forward(m);
    counting = 0;
    EXPECT(m != NULL && rc == 0);
    EXPECT(allocations == 0);
    if (allocations) printf("%d allocations\n", allocations);
    EXPECT(loss[0] > 0 && loss[2] < loss[0]); /* it trains */
    EXPECT((unsigned char *)dm_data(m, "probs") + 8 * 10 * 4 <= buf + sizeof buf);

    /* The descriptor: y is read by the training entries only, x by all three. */
    EXPECT(dm_entry_reads(m, DM_ENTRY_FORWARD, "x") == 1);
    EXPECT(dm_entry_reads(m, DM_ENTRY_TRAIN_STEP, "x") == 1);
    EXPECT(dm_entry_reads(m, DM_ENTRY_GRADIENTS, "x") == 1);
    EXPECT(dm_entry_reads(m, DM_ENTRY_APPLY, "x") == 0);
    EXPECT(dm_entry_reads(m, DM_ENTRY_FORWARD, "y") == 0);
    EXPECT(dm_entry_reads(m, DM_ENTRY_TRAIN_STEP, "y") == 1);
    EXPECT(dm_entry_reads(m, DM_ENTRY_GRADIENTS, "y") == 1);
    EXPECT(dm_entry_reads(m, DM_ENTRY_APPLY, "grad/logits.W") == 1);
    int64_t lo = -1, hi = -1;
    EXPECT(dm_tensor_range(m, "y", &lo, &hi) == DM_OK && lo == 0 && hi == 9);
    EXPECT(dm_tensor_range(m, "x", &lo, &hi) == DM_EUNSUPPORTED);
    EXPECT(dm_check_inputs(m, DM_ENTRY_TRAIN_STEP) == DM_OK);
    y[5] = 10;
    EXPECT(dm_check_inputs(m, DM_ENTRY_TRAIN_STEP) == DM_ERANGE && strstr(dm_last_error(), "element 5 is 10"));
    EXPECT(dm_check_inputs(m, DM_ENTRY_FORWARD) == DM_OK);
    dm_free(m);
    EXPECT(dm_forward(m) == DM_EINVAL); /* the buffer is still there: use after dm_free is caught */
    printf(bad ? "FAIL\n" : "ok\n");
    return bad;
}
C
${CC:-cc} -std=c11 -O1 -Wall ${DM_SANITIZE:+-DNO_INTERPOSE} -Iruntime -I"$tmp" -o "$tmp/prog" "$tmp/main.c" "$tmp/mlp.o" "$B/libdmrt.a" -lm -lpthread
DM_THREADS=1 "$tmp/prog"
