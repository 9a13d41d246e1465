/* driver.c: three training steps of one compiled model with no runtime at
 * all (the generated code needs only memcpy/memset), printing the loss and
 * every parameter and state element as bits.  Built for the host and for a
 * Cortex-M4F (run under qemu-system-arm, output by semihosting), the two
 * outputs must be identical with --fp-contract=off (cortex_m.test.sh).
 *
 * The data region is a static buffer; parameters and inputs are filled from
 * a fixed integer sequence (the same on both machines), not by the runtime's
 * initialisers.  Build with -DDM_MODEL=<name>_model -include <name>.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dm.h"

static uint8_t data[2 << 20] __attribute__((aligned(64)));

static uint32_t state = 12345;
static float next_value(void) {   /* in [-1, 1), a multiple of 2^-15: exact in float */
    state = state * 1664525u + 1013904223u;
    return (float)((int32_t)(state >> 16) - 32768) / 32768.0f;
}

static void print_bits(const char *name, const void *p, int64_t count) {
    printf("%s", name);
    for (int64_t i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, (const uint8_t *)p + 4 * i, 4);
        printf(" %08lx", (unsigned long)u);
    }
    printf("\n");
}

int main(void) {
    const dm_model_desc *d = &DM_MODEL;
    if (d->data_size > sizeof data) {
        printf("model needs %lu bytes\n", (unsigned long)d->data_size);
        return 1;
    }
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        float *f = (float *)(data + t->offset);
        if (t->dtype == DM_F32 && (t->kind == DM_PARAM || t->kind == DM_INPUT))
            for (int64_t k = 0; k < t->count; k++) f[k] = next_value() * (t->kind == DM_INPUT ? 1.0f : 0.5f);
        else if (t->dtype == DM_F32 && t->kind == DM_STATE && t->init && t->init->kind == DM_INIT_CONST)   /* opt/lr ... */
            for (int64_t k = 0; k < t->count; k++) f[k] = (float)t->init->a;
        else if (t->kind == DM_STATE && t->init && t->init->kind == DM_INIT_LITERAL && t->init->data)
            memcpy(f, t->init->data, (size_t)t->bytes);
    }
    for (int step = 0; step < 3; step++) {
        int rc = d->train_step(data, NULL);
        if (rc != 0) {
            printf("train_step: %d\n", rc);
            return 1;
        }
    }
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        if (t->kind == DM_PARAM || t->kind == DM_STATE || t->kind == DM_LOSS) print_bits(t->name, data + t->offset, t->count);
    }
    return 0;
}
