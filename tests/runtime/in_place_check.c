/* in_place_check.c: a model compiled with --in-place-update (inp_model)
 * against the oracle, the same model compiled without it (ref_model, whose
 * train_step is the gradients entry followed by the apply entry): both
 * instances start from the same seed and get the same inputs for STEPS
 * steps; after every step the losses and every parameter, buffer and state
 * tensor must be equal bit for bit (the in-place build runs the same float
 * operations on each element, only in another order across elements).
 * The in-place instance must also be smaller (no gradient tensors), and its
 * gradients and apply entries and gradient lookups must fail cleanly.
 * Prints "ok ref=BYTES inp=BYTES". */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dm.h"

extern const dm_model_desc ref_model, inp_model;

enum { STEPS = 6 };

static int failures;
#define CHECK(cond, ...) \
    do { if (!(cond)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

/* A fixed pseudo-random sequence (xorshift32): the same for both instances. */
static uint32_t next(uint32_t *s) {
    *s ^= *s << 13, *s ^= *s >> 17, *s ^= *s << 5;
    return *s;
}

/* Every input of m from the sequence: f32 in [-1, 1), i32 class indices in
 * their declared range (or 0 .. 2 without one). */
static void fill_inputs(dm_model *m, uint32_t seed) {
    uint32_t s = seed;
    for (int i = 0; i < dm_tensor_count(m); i++) {
        const dm_tensor_desc *t = dm_tensor_at(m, i);
        if (t->kind != DM_INPUT) continue;
        void *p = dm_data(m, t->name);
        for (int64_t k = 0; k < t->count; k++) {
            uint32_t r = next(&s);
            if (t->dtype == DM_F32) ((float *)p)[k] = (float)(r >> 8) / (float)(1u << 23) - 1.0f;
            else {
                int64_t lo = 0, hi = 2;
                if (t->flags & DM_TENSOR_HAS_RANGE) lo = t->lo, hi = t->hi;
                ((int32_t *)p)[k] = (int32_t)(lo + (int64_t)(r % (uint32_t)(hi - lo + 1)));
            }
        }
    }
}

/* Every tensor of ref that the in-place build keeps must match bit for bit. */
static void compare(dm_model *ref, dm_model *inp, int step) {
    int compared = 0;
    for (int i = 0; i < dm_tensor_count(ref); i++) {
        const dm_tensor_desc *t = dm_tensor_at(ref, i);
        if (t->kind == DM_GRAD || t->kind == DM_INPUT) continue;
        const dm_tensor_desc *u = dm_tensor(inp, t->name);
        CHECK(u && u->bytes == t->bytes, "step %d: the in-place build lacks tensor '%s'", step, t->name);
        if (!u || u->bytes != t->bytes) continue;
        const uint8_t *a = dm_tensor_data(ref, dm_desc(ref), i);
        const uint8_t *b = dm_tensor_data(inp, dm_desc(inp), (int)(u - dm_desc(inp)->tensors));
        CHECK(memcmp(a, b, t->bytes) == 0, "step %d: tensor '%s' differs", step, t->name);
        compared++;
    }
    CHECK(compared > 0, "nothing compared");
}

int main(void) {
    dm_model *ref = dm_new(&ref_model, 11), *inp = dm_new(&inp_model, 11);
    CHECK(ref && inp, "dm_new: %s", dm_last_error());
    if (!ref || !inp) return 1;
    compare(ref, inp, 0);
    for (int step = 1; step <= STEPS; step++) {
        fill_inputs(ref, 0x9e3779b9u * (uint32_t)step);
        fill_inputs(inp, 0x9e3779b9u * (uint32_t)step);
        float la = 0, lb = 0;
        CHECK(dm_train_step(ref, &la) == DM_OK, "ref train_step: %s", dm_last_error());
        CHECK(dm_train_step(inp, &lb) == DM_OK, "in-place train_step: %s", dm_last_error());
        CHECK(memcmp(&la, &lb, sizeof la) == 0, "step %d: loss %.9g != %.9g", step, (double)la, (double)lb);
        compare(ref, inp, step);
    }
    /* The entries that need gradient tensors are absent. */
    CHECK(dm_gradients(inp, NULL) == DM_EUNSUPPORTED, "dm_gradients did not fail with DM_EUNSUPPORTED");
    CHECK(strstr(dm_last_error(), "--in-place-update"), "dm_gradients' error: %s", dm_last_error());
    CHECK(dm_apply(inp) == DM_EUNSUPPORTED, "dm_apply did not fail with DM_EUNSUPPORTED");
    const char *param = NULL;
    for (int i = 0; i < dm_tensor_count(inp) && !param; i++)
        if (dm_tensor_at(inp, i)->kind == DM_PARAM) param = dm_tensor_at(inp, i)->name;
    CHECK(param && dm_grad(inp, param) == NULL, "dm_grad(%s) is not NULL", param ? param : "?");
    CHECK(strstr(dm_last_error(), "--in-place-update"), "dm_grad's error: %s", dm_last_error());
    for (int i = 0; i < dm_tensor_count(inp); i++)
        CHECK(dm_tensor_at(inp, i)->kind != DM_GRAD, "gradient tensor '%s' kept", dm_tensor_at(inp, i)->name);
    size_t rs = dm_memory_size(&ref_model), is = dm_memory_size(&inp_model);
    CHECK(is < rs, "the in-place instance is not smaller: %zu >= %zu bytes", is, rs);
    dm_free(ref);
    dm_free(inp);
    if (failures) return 1;
    printf("ok ref=%zu inp=%zu\n", rs, is);
    return 0;
}
