/* fixture.h: a hand-made model for the runtime's tests (no compiler needed).
 *
 * "tiny": params fc.W f32[3, 2] (xavier, fans 3 and 2) and fc.b f32[2]
 * (const 0.5); state opt/m/fc.W f32[3, 2] (zeros) and rng/dropout i32[2]
 * (seed); grads; input x f32[4]; output y f32[4]; loss.  Entries:
 *   forward:    y = 2 * x
 *   gradients:  loss = sum(x); grad/fc.W = 1; grad/fc.b = x[0 .. 2)
 *   apply:      p -= 0.1 * grad/p; opt/m/fc.W += grad/fc.W; rng/dropout[1] += 1
 *   train_step: gradients, then apply
 * Every number these produce is hand arithmetic in the tests. */
#ifndef RT_FIXTURE_H
#define RT_FIXTURE_H
#include "dm.h"
#include <stdio.h>
#include <string.h>

#define T_W 0
#define T_B 1
#define T_M 2
#define T_RNG 3

/* The first size bytes of a file into buf; how many were read (0 if it cannot be opened). */
static inline size_t fx_read_all(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(buf, 1, size, f);
    fclose(f);
    return n;
}

static float *fx_f(uint8_t *data, uint64_t off) { return (float *)(data + off); }

static int fx_forward(uint8_t *data, dm_exec *ex) {
    for (int i = 0; i < 4; i++)
        fx_f(data, 448)[i] = 2 * fx_f(data, 384)[i];
    return 0;
}

static int fx_gradients(uint8_t *data, dm_exec *ex) {
    fx_forward(data, ex);
    float *x = fx_f(data, 384), sum = 0;
    for (int i = 0; i < 4; i++)
        sum += x[i];
    *fx_f(data, 512) = sum;
    for (int i = 0; i < 6; i++)
        fx_f(data, 256)[i] = 1;
    fx_f(data, 320)[0] = x[0];
    fx_f(data, 320)[1] = x[1];
    return 0;
}

static int fx_apply(uint8_t *data, dm_exec *ex) {
    for (int i = 0; i < 6; i++) {
        fx_f(data, 0)[i] -= 0.1f * fx_f(data, 256)[i];
        fx_f(data, 128)[i] += fx_f(data, 256)[i];
    }
    for (int i = 0; i < 2; i++)
        fx_f(data, 64)[i] -= 0.1f * fx_f(data, 320)[i];
    ((int32_t *)(data + 192))[1] += 1;
    return 0;
}

static int fx_train_step(uint8_t *data, dm_exec *ex) {
    fx_gradients(data, ex);
    return fx_apply(data, ex);
}

static const dm_tensor_desc fx_tensors[] = {
    {"fc.W", (const int64_t[DM_MAX_RANK]){3, 2}, &(const dm_init_desc){DM_INIT_XAVIER, 0, 0, 3, 2, NULL}, 6, 0, 24, DM_PARAM, DM_F32, -1, 2, 0, 0, 0, 0},
    {"fc.b", (const int64_t[DM_MAX_RANK]){2}, &(const dm_init_desc){DM_INIT_CONST, 0.5, 0, 0, 0, NULL}, 2, 64, 8, DM_PARAM, DM_F32, -1, 1, 0, 0, 0, 0},
    {"opt/m/fc.W", (const int64_t[DM_MAX_RANK]){3, 2}, NULL, 6, 128, 24, DM_STATE, DM_F32, 0, 2, 0, 0, 0, 0},
    {"rng/dropout", (const int64_t[DM_MAX_RANK]){2}, &(const dm_init_desc){DM_INIT_SEED, 0, 0, 0, 0, NULL}, 2, 192, 8, DM_STATE, DM_I32, -1, 1, 0, 0, 0, 0},
    {"grad/fc.W", (const int64_t[DM_MAX_RANK]){3, 2}, NULL, 6, 256, 24, DM_GRAD, DM_F32, 0, 2, 0, 0, 0, 0},
    {"grad/fc.b", (const int64_t[DM_MAX_RANK]){2}, NULL, 2, 320, 8, DM_GRAD, DM_F32, 1, 1, 0, 0, 0, 0},
    {"x", (const int64_t[DM_MAX_RANK]){4}, NULL, 4, 384, 16, DM_INPUT, DM_F32, -1, 1, 0, 0, 0, 0},
    {"y", (const int64_t[DM_MAX_RANK]){4}, NULL, 4, 448, 16, DM_OUTPUT, DM_F32, -1, 1, 0, 0, 0, 0},
    {"loss", NULL, NULL, 1, 512, 4, DM_LOSS, DM_F32, -1, 0, 0, 0, 0, 0},
};

static const dm_model_desc fx_model = {
    DM_ABI_VERSION, "tiny", 576, 0, 0, 9, fx_tensors, fx_forward, fx_train_step, fx_gradients, fx_apply, 0, NULL, NULL, 0, NULL,
};

/* The same model compiled with --no-train: no training entries. */
static const dm_model_desc fx_model_no_train = {
    DM_ABI_VERSION, "tiny", 576, 0, 0, 9, fx_tensors, fx_forward, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL,
};

/* Test bookkeeping: CHECK prints the failed condition and counts it. */
static int fx_failures;
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            fx_failures++;                                                           \
        }                                                                            \
    } while (0)
#define CHECK_ERR(call, code)                                                                            \
    do {                                                                                                 \
        int rc_ = (call);                                                                                \
        if (rc_ != (code)) {                                                                             \
            fprintf(stderr, "%s:%d: %s returned %d, expected %d (%s)\n", __FILE__, __LINE__, #call, rc_, \
                    (int)(code), dm_last_error());                                                       \
            fx_failures++;                                                                               \
        }                                                                                                \
    } while (0)
#define FX_DONE()                                                          \
    do {                                                                   \
        if (fx_failures)                                                   \
            fprintf(stderr, "%s: %d check(s) failed\n", __FILE__, fx_failures); \
        else                                                               \
            printf("%s: ok\n", __FILE__);                                  \
        return fx_failures != 0;                                           \
    } while (0)
#endif
