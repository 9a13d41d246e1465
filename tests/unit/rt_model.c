/* rt_model.c: instances, lookup, entries and API misuse of the runtime.
 * Expected numbers are hand arithmetic on the fixture's entries (fixture.h). */
#include "../runtime/fixture.h"
#include <math.h>
#include <stdlib.h>

static void test_new_and_lookup(void) {
    dm_model *m = dm_new(&fx_model, 1);
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK(dm_desc(m) == &fx_model);
    /* Every buffer is 64-byte aligned and where the descriptor says. */
    float *W = dm_data(m, "fc.W");
    CHECK(W && ((uintptr_t)W % 64) == 0);
    CHECK((uint8_t *)dm_data(m, "x") - (uint8_t *)W == 384);
    CHECK(dm_data(m, "grad/fc.W") == (void *)dm_grad(m, "fc.W"));
    CHECK(dm_data(m, "loss") != NULL && dm_data(m, "y") != NULL && dm_data(m, "opt/m/fc.W") != NULL);
    CHECK(dm_tensor(m, "fc.b") == &fx_tensors[T_B]);
    /* const 0.5 */
    float *b = dm_data(m, "fc.b");
    CHECK(b[0] == 0.5f && b[1] == 0.5f);
    /* xavier, fans 3 + 2: |w| <= sqrt(6/5) */
    for (int i = 0; i < 6; i++)
        CHECK(fabsf(W[i]) <= sqrtf(6.0f / 5.0f) && W[i] != 0.0f);
    /* state: zeros; the seed key in element 0, 0 in element 1 */
    float *mstate = dm_data(m, "opt/m/fc.W");
    for (int i = 0; i < 6; i++)
        CHECK(mstate[i] == 0.0f);
    CHECK(((int32_t *)dm_data(m, "rng/dropout"))[1] == 0);
    /* Inputs, outputs, grads, loss start at zero. */
    CHECK(*(float *)dm_data(m, "loss") == 0.0f && ((float *)dm_data(m, "y"))[3] == 0.0f);
    dm_free(m);
}

static void test_entries(void) {
    dm_model *m = dm_new(&fx_model, 7);
    float *x = dm_data(m, "x"), *y = dm_data(m, "y");
    x[0] = 1, x[1] = 2, x[2] = 3, x[3] = -4;
    CHECK_ERR(dm_forward(m), DM_OK);
    CHECK(y[0] == 2 && y[1] == 4 && y[2] == 6 && y[3] == -8);

    float W0 = ((float *)dm_data(m, "fc.W"))[0], loss = -1;
    CHECK_ERR(dm_gradients(m, &loss), DM_OK);
    CHECK(loss == 2.0f); /* 1 + 2 + 3 - 4 */
    CHECK(dm_grad(m, "fc.W")[5] == 1.0f && dm_grad(m, "fc.b")[1] == 2.0f);
    CHECK(((float *)dm_data(m, "fc.W"))[0] == W0); /* no update */

    CHECK_ERR(dm_apply(m), DM_OK);
    CHECK(((float *)dm_data(m, "fc.W"))[0] == W0 - 0.1f);
    CHECK(((float *)dm_data(m, "fc.b"))[1] == 0.5f - 0.2f);

    x[3] = 4;
    CHECK_ERR(dm_train_step(m, &loss), DM_OK);
    CHECK(loss == 10.0f); /* 1 + 2 + 3 + 4 */
    CHECK(((int32_t *)dm_data(m, "rng/dropout"))[1] == 2);
    CHECK(((float *)dm_data(m, "opt/m/fc.W"))[2] == 2.0f);
    CHECK_ERR(dm_train_step(m, NULL), DM_OK); /* the loss pointer is optional */
    dm_free(m);

    /* --no-train: the training entries are unsupported, forward still works */
    m = dm_new(&fx_model_no_train, 7);
    CHECK_ERR(dm_train_step(m, &loss), DM_EUNSUPPORTED);
    CHECK(strstr(dm_last_error(), "dm_train_step") != NULL);
    CHECK_ERR(dm_gradients(m, &loss), DM_EUNSUPPORTED);
    CHECK_ERR(dm_apply(m), DM_EUNSUPPORTED);
    CHECK_ERR(dm_forward(m), DM_OK);
    dm_free(m);
}

static int fx_bad_entry(uint8_t *data, dm_exec *ex) {
    return DM_ENUMERIC;
}

static void test_misuse(void) {
    float loss;
    CHECK(dm_new(NULL, 0) == NULL && *dm_last_error());
    CHECK(dm_memory_size(NULL) == 0);
    CHECK_ERR(dm_forward(NULL), DM_EINVAL);
    CHECK_ERR(dm_train_step(NULL, &loss), DM_EINVAL);
    CHECK_ERR(dm_gradients(NULL, &loss), DM_EINVAL);
    CHECK_ERR(dm_apply(NULL), DM_EINVAL);
    CHECK_ERR(dm_save(NULL, "/tmp/x"), DM_EINVAL);
    CHECK_ERR(dm_load(NULL, "/tmp/x"), DM_EINVAL);
    CHECK_ERR(dm_reinit(NULL, 1), DM_EINVAL);
    CHECK_ERR(dm_set_threads(NULL, 2), DM_EINVAL);
    CHECK_ERR(dm_threads(NULL), DM_EINVAL);
    CHECK(dm_desc(NULL) == NULL);
    CHECK(dm_data(NULL, "x") == NULL);
    CHECK(dm_grad(NULL, "fc.W") == NULL);
    dm_free(NULL); /* harmless */

    dm_model *m = dm_new(&fx_model, 1);
    CHECK(dm_data(m, NULL) == NULL);
    CHECK(dm_data(m, "nope") == NULL && strstr(dm_last_error(), "'nope'"));
    CHECK(dm_tensor(m, "nope") == NULL);
    CHECK(dm_grad(m, "x") == NULL);   /* an input, not a parameter */
    CHECK(dm_grad(m, "nope") == NULL);
    CHECK(dm_grad(m, NULL) == NULL);
    CHECK_ERR(dm_save(m, NULL), DM_EINVAL);
    CHECK_ERR(dm_load(m, NULL), DM_EINVAL);
    CHECK_ERR(dm_set_threads(m, 0), DM_EINVAL);
    CHECK_ERR(dm_set_threads(m, -3), DM_EINVAL);
    dm_free(m);

    /* A descriptor from another ABI is refused. */
    dm_model_desc other = fx_model;
    other.abi_version = DM_ABI_VERSION + 1;
    CHECK(dm_new(&other, 1) == NULL && strstr(dm_last_error(), "ABI"));

    /* A malformed descriptor is refused, not trusted. */
    dm_tensor_desc broken[9];
    memcpy(broken, fx_tensors, sizeof broken);
    dm_model_desc bd = fx_model;
    bd.tensors = broken;
    broken[8].offset = 576; /* the loss past the end of the region */
    CHECK(dm_new(&bd, 1) == NULL && strstr(dm_last_error(), "'loss'"));
    broken[8].offset = 512;
    broken[1].bytes = 12; /* 2 floats are 8 bytes */
    CHECK(dm_new(&bd, 1) == NULL && strstr(dm_last_error(), "'fc.b'"));
    broken[1].bytes = 8;
    broken[2].offset = 130; /* not 64-byte aligned */
    CHECK(dm_new(&bd, 1) == NULL);

    /* An entry's failure code comes back with a message. */
    dm_model_desc bad = fx_model;
    bad.train_step = fx_bad_entry;
    m = dm_new(&bad, 1);
    CHECK_ERR(dm_train_step(m, &loss), DM_ENUMERIC);
    CHECK(strstr(dm_last_error(), "non-finite") != NULL);
    dm_free(m);
}

static void test_init_in_place(void) {
    size_t size = dm_memory_size(&fx_model);
    CHECK(size >= 576 + 63);
    uint8_t *buf = malloc(size + 1);
    /* Any start address works, aligned or not. */
    for (int shift = 0; shift < 2; shift++) {
        dm_model *m = dm_init(&fx_model, buf + shift, size, 3);
        CHECK(m != NULL);
        if (!m)
            continue;
        CHECK(((uintptr_t)dm_data(m, "fc.W") % 64) == 0);
        CHECK((uint8_t *)dm_data(m, "loss") + 4 <= buf + shift + size);
        dm_model *n = dm_new(&fx_model, 3); /* the same parameters as a malloc'd instance */
        CHECK(memcmp(dm_data(m, "fc.W"), dm_data(n, "fc.W"), 24) == 0);
        dm_free(n);
        dm_free(m); /* must not free the caller's buffer */
    }
    /* Too small: refused, with the size needed in the message. */
    CHECK(dm_init(&fx_model, buf, 100, 3) == NULL && strstr(dm_last_error(), "bytes"));
    CHECK(dm_init(&fx_model, buf, size - 64, 3) == NULL);
    CHECK(dm_init(&fx_model, NULL, size, 3) == NULL);
    free(buf);
}

static void test_reinit_and_seeds(void) {
    dm_model *a = dm_new(&fx_model, 11), *b = dm_new(&fx_model, 11), *c = dm_new(&fx_model, 12);
    CHECK(memcmp(dm_data(a, "fc.W"), dm_data(b, "fc.W"), 24) == 0);
    CHECK(memcmp(dm_data(a, "rng/dropout"), dm_data(b, "rng/dropout"), 8) == 0);
    CHECK(memcmp(dm_data(a, "fc.W"), dm_data(c, "fc.W"), 24) != 0);
    float loss;
    ((float *)dm_data(a, "x"))[0] = 5;
    dm_train_step(a, &loss);
    CHECK(memcmp(dm_data(a, "fc.W"), dm_data(b, "fc.W"), 24) != 0);
    CHECK_ERR(dm_reinit(a, 11), DM_OK);
    CHECK(memcmp(dm_data(a, "fc.W"), dm_data(b, "fc.W"), 24) == 0);
    CHECK(memcmp(dm_data(a, "opt/m/fc.W"), dm_data(b, "opt/m/fc.W"), 24) == 0);
    CHECK(memcmp(dm_data(a, "rng/dropout"), dm_data(b, "rng/dropout"), 8) == 0);
    CHECK_ERR(dm_reinit(a, 12), DM_OK);
    CHECK(memcmp(dm_data(a, "fc.W"), dm_data(c, "fc.W"), 24) == 0);
    dm_free(a), dm_free(b), dm_free(c);
}

static void test_threads_setting(void) {
    setenv("DM_THREADS", "3", 1);
    dm_model *m = dm_new(&fx_model, 1);
    CHECK(dm_threads(m) == 3);
    CHECK_ERR(dm_set_threads(m, 2), DM_OK);
    CHECK(dm_threads(m) == 2);
    CHECK_ERR(dm_forward(m), DM_OK);
    dm_free(m);
    setenv("DM_THREADS", "garbage", 1);
    m = dm_new(&fx_model, 1);
    CHECK(dm_threads(m) == 1);
    dm_free(m);
    unsetenv("DM_THREADS");
    m = dm_new(&fx_model, 1);
    CHECK(dm_threads(m) == 1);
    dm_free(m);
}

int main(void) {
    test_new_and_lookup();
    test_entries();
    test_misuse();
    test_init_in_place();
    test_reinit_and_seeds();
    test_threads_setting();
    FX_DONE();
}
