/* buffers_check.c (buffers.test.sh): batch norm's running statistics are
 * buffers.  The training build (bn) updates them in dm_gradients and
 * dm_train_step, never in dm_forward; its forward entry normalises with them;
 * its checkpoint holds them and is required to; the inference build
 * (bn_infer, dmc --no-train --name=bn_infer) loads it and computes the same
 * outputs.  Every expected number is hand arithmetic (below). */
#include "bn.h"
#include "bn_infer.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(bn_b_running_var_COUNT == 3 && bn_b_running_mean_DIM0 == 3, "the header sizes the buffers");

static int failures;
#define CHECK(c, ...) do { if (!(c)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
                                       fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static void near(const char *what, const float *got, const double *want, int n) {
    for (int i = 0; i < n; i++)
        CHECK(fabs(got[i] - want[i]) <= 1e-6 * (1 + fabs(want[i])), "%s[%d] = %.9g, expected %.9g", what, i, got[i],
              want[i]);
}

/* x = [[1, 0, 5], [3, 4, 5]]: per channel, mean [2, 2, 5] and unbiased
 * variance [2, 8, 0] ((1-2)^2 + (3-2)^2 = 2; (0-2)^2 + (4-2)^2 = 8). */
static void fill(dm_model *m) {
    static const float x[6] = {1, 0, 5, 3, 4, 5}, t[6] = {0.5f, -1, 0, 1, 2, 0};
    memcpy(dm_data(m, "x"), x, sizeof x);
    if (dm_data(m, "t")) memcpy(dm_data(m, "t"), t, sizeof t);   /* the inference build has no target */
}

int main(int argc, char **argv) {
    const char *ckpt = argc > 1 ? argv[1] : "bn.safetensors";
    dm_model *m = dm_new(&bn_model, 1);
    CHECK(m, "dm_new: %s", dm_last_error());
    if (!m) return 1;
    CHECK(dm_tensor(m, "b.running_mean")->kind == DM_BUFFER, "running_mean is not a DM_BUFFER");
    fill(m);
    /* initial values: zeros and ones (PyTorch's) */
    static const double zeros[3] = {0, 0, 0}, ones[3] = {1, 1, 1};
    near("initial running_mean", bn_b_running_mean(m), zeros, 3);
    near("initial running_var", bn_b_running_var(m), ones, 3);
    CHECK(dm_forward(m) == 0, "dm_forward: %s", dm_last_error());
    near("running_mean after forward", bn_b_running_mean(m), zeros, 3);
    near("running_var after forward", bn_b_running_var(m), ones, 3);
    /* the forward entry with the initial statistics: (x - 0) / sqrt(1 + 1e-5) * 1 + 0 */
    double y0[6];
    static const float x[6] = {1, 0, 5, 3, 4, 5};
    for (int i = 0; i < 6; i++) y0[i] = x[i] / sqrt(1 + 1e-5);
    near("forward with the initial statistics", bn_y(m), y0, 6);

    /* one gradients call: momentum 0.1 towards the batch's mean and unbiased variance */
    float loss;
    CHECK(dm_gradients(m, &loss) == 0, "dm_gradients: %s", dm_last_error());
    static const double mean1[3] = {0.2, 0.2, 0.5}, var1[3] = {1.1, 1.7, 0.9};   /* 0.9 * 1 + 0.1 * [2, 8, 0] */
    near("running_mean after gradients", bn_b_running_mean(m), mean1, 3);
    near("running_var after gradients", bn_b_running_var(m), var1, 3);
    CHECK(dm_train_step(m, &loss) == 0, "dm_train_step: %s", dm_last_error());
    static const double mean2[3] = {0.38, 0.38, 0.95}, var2[3] = {1.19, 2.33, 0.81};   /* 0.9 * above + 0.1 * batch */
    near("running_mean after train_step", bn_b_running_mean(m), mean2, 3);
    near("running_var after train_step", bn_b_running_var(m), var2, 3);

    /* the forward entry now: (x - running_mean) / sqrt(running_var + eps) * weight + bias */
    CHECK(dm_forward(m) == 0, "dm_forward: %s", dm_last_error());
    double y[6];
    for (int i = 0; i < 6; i++) {
        int c = i % 3;
        y[i] = (x[i] - mean2[c]) / sqrt(var2[c] + 1e-5) * bn_b_weight(m)[c] + bn_b_bias(m)[c];
    }
    near("forward with the running statistics", bn_y(m), y, 6);
    CHECK(dm_save(m, ckpt) == 0, "dm_save: %s", dm_last_error());

    /* the inference build loads the training checkpoint (optimizer state skipped) */
    dm_model *inf = dm_new(&bn_infer_model, 2);
    CHECK(inf && dm_load(inf, ckpt) == 0, "inference build: dm_load: %s", dm_last_error());
    if (!inf) return 1;
    fill(inf);
    CHECK(dm_forward(inf) == 0, "inference build: dm_forward: %s", dm_last_error());
    near("inference build: running_mean", bn_infer_b_running_mean(inf), mean2, 3);
    near("inference build: forward", bn_infer_y(inf), y, 6);

    /* a checkpoint without the buffers (here: the params only, written by
     * hand) is refused and changes nothing */
    char path[4200];
    snprintf(path, sizeof path, "%s.params", ckpt);
    FILE *f = fopen(path, "wb");
    const char *header = "{\"b.weight\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                         "\"b.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[12,24]}}";
    size_t hlen = strlen(header), padded = (hlen + 7) / 8 * 8;
    for (int i = 0; i < 8; i++) fputc((int)(padded >> (8 * i)) & 0xff, f);
    fputs(header, f);
    for (size_t i = hlen; i < padded; i++) fputc(' ', f);
    static const float six[6] = {1, 1, 1, 0, 0, 0};
    fwrite(six, 4, 6, f);
    fclose(f);
    int rc = dm_load(inf, path);
    CHECK(rc == DM_EMISMATCH && strstr(dm_last_error(), "b.running_mean") && strstr(dm_last_error(), "b.running_var"),
          "a checkpoint without buffers: rc %d, '%s'", rc, dm_last_error());
    near("running_mean after the refused load", bn_infer_b_running_mean(inf), mean2, 3);
    /* PyTorch's state_dict of nn.BatchNorm1d(3): weight, bias, running_mean,
     * running_var and num_batches_tracked (an int64 scalar dmc does not
     * keep): it loads, the counter skipped and reported */
    snprintf(path, sizeof path, "%s.pt", ckpt);
    f = fopen(path, "wb");
    header = "{\"b.weight\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
             "\"b.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[12,24]},"
             "\"b.running_mean\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]},"
             "\"b.running_var\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[36,48]},"
             "\"b.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[48,56]}}";
    hlen = strlen(header), padded = (hlen + 7) / 8 * 8;
    for (int i = 0; i < 8; i++) fputc((int)(padded >> (8 * i)) & 0xff, f);
    fputs(header, f);
    for (size_t i = hlen; i < padded; i++) fputc(' ', f);
    static const float state_dict[12] = {2, 2, 2, 0, 0, 1, 1, 1, 1, 4, 4, 4};
    static const int64_t batches = 7;
    fwrite(state_dict, 4, 12, f);
    fwrite(&batches, 8, 1, f);
    fclose(f);
    rc = dm_load(inf, path);
    const char *skipped = "";
    CHECK(rc == DM_OK, "PyTorch's state_dict: rc %d, '%s'", rc, dm_last_error());
    CHECK(dm_load_skipped(inf, &skipped) == 1 && strcmp(skipped, "b.num_batches_tracked") == 0,
          "skipped '%s'", skipped);
    CHECK(dm_forward(inf) == 0, "dm_forward: %s", dm_last_error());
    /* (x - 1) / sqrt(4 + 1e-5) * 2 + [0, 0, 1] */
    double want[6];
    for (int i = 0; i < 6; i++) want[i] = (x[i] - 1) / sqrt(4 + 1e-5) * 2 + (i % 3 == 2);
    near("inference build with PyTorch's state_dict", bn_infer_y(inf), want, 6);
    dm_free(inf);
    dm_free(m);
    if (failures) return 1;
    printf("ok\n");
    return 0;
}
