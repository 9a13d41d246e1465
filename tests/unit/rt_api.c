/* rt_api.c: the runtime's application-facing edges: instance size, error
 * codes and their reset, use after dm_free, $DM_THREADS bounds, metadata kept
 * across load and save, the load report, and the descriptor's questions
 * (dm_tensor_at, dm_entry_reads, dm_tensor_range, dm_check_inputs), and the
 * refusal of code compiled for CPU features this processor lacks, and the
 * choice among a --cpu=portable descriptor's variants.
 * Expected values are hand arithmetic on fixture.h or the documented rules of
 * docs/runtime.md. */
#include "../runtime/fixture.h"
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/rt_api.XXXXXX";

static const char *tmp_path(const char *name) {
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static void test_memory_size(void) {
    /* 63 spare bytes + the 4096-byte header + the fixture's 576-byte region */
    CHECK(dm_memory_size(&fx_model) == 63 + 4096 + 576);
    CHECK(DM_MEMORY_SIZE(576) == dm_memory_size(&fx_model));
    static unsigned char buf[DM_MEMORY_SIZE(576)] __attribute__((aligned(DM_ALIGN)));
    dm_model *m = dm_init(&fx_model, buf, sizeof buf, 1);
    CHECK(m != NULL);
    CHECK((unsigned char *)dm_data(m, "loss") + 4 <= buf + sizeof buf);
    dm_free(m);
}

static void test_error_codes(void) {
    CHECK(dm_new(NULL, 1) == NULL);
    CHECK(dm_last_error_code() == DM_EINVAL && *dm_last_error());
    dm_model *m = dm_new(&fx_model, 1); /* a success resets both */
    CHECK(m && dm_last_error_code() == DM_OK && strcmp(dm_last_error(), "") == 0);

    dm_model_desc other = fx_model;
    other.abi_version = DM_ABI_VERSION + 1;
    CHECK(dm_new(&other, 1) == NULL && dm_last_error_code() == DM_EABI);
    unsigned char small[100];
    CHECK(dm_init(&fx_model, small, sizeof small, 1) == NULL && dm_last_error_code() == DM_ENOMEM);
    CHECK(dm_data(m, "nope") == NULL && dm_last_error_code() == DM_EINVAL);
    CHECK(dm_data(m, "x") != NULL && dm_last_error_code() == DM_OK && !*dm_last_error());
    CHECK_ERR(dm_forward(m), DM_OK);
    CHECK(dm_last_error_code() == DM_OK);
    CHECK_ERR(dm_load(m, tmp_path("missing.safetensors")), DM_EIO);
    CHECK(dm_last_error_code() == DM_EIO && strstr(dm_last_error(), "missing.safetensors"));
    CHECK(dm_threads(m) == 1 && dm_last_error_code() == DM_OK);
    dm_free(m);
}

static void test_use_after_free(void) {
    static unsigned char buf[DM_MEMORY_SIZE(576)];
    dm_model *m = dm_init(&fx_model, buf, sizeof buf, 1);
    CHECK_ERR(dm_forward(m), DM_OK);
    dm_free(m); /* the caller's memory stays: every later call must notice */
    CHECK_ERR(dm_forward(m), DM_EINVAL);
    CHECK(strstr(dm_last_error(), "not a live instance") && strstr(dm_last_error(), "dm_forward"));
    float loss;
    CHECK_ERR(dm_train_step(m, &loss), DM_EINVAL);
    CHECK_ERR(dm_gradients(m, &loss), DM_EINVAL);
    CHECK_ERR(dm_apply(m), DM_EINVAL);
    CHECK(dm_data(m, "x") == NULL && dm_last_error_code() == DM_EINVAL);
    CHECK(dm_grad(m, "fc.W") == NULL && dm_tensor(m, "x") == NULL && dm_desc(m) == NULL);
    CHECK_ERR(dm_save(m, tmp_path("freed.safetensors")), DM_EINVAL);
    CHECK(access(tmp_path("freed.safetensors"), F_OK) != 0);
    CHECK_ERR(dm_load(m, tmp_path("freed.safetensors")), DM_EINVAL);
    CHECK_ERR(dm_reinit(m, 1), DM_EINVAL);
    CHECK_ERR(dm_set_threads(m, 2), DM_EINVAL);
    CHECK_ERR(dm_set_metadata(m, "k", "v"), DM_EINVAL);
    CHECK(dm_threads(m) == DM_EINVAL && dm_tensor_count(m) == DM_EINVAL);
    dm_free(m); /* a second dm_free is refused, not a double free */
    CHECK(dm_last_error_code() == DM_EINVAL);
    /* Memory that never held an instance is refused too. */
    static unsigned char junk[DM_MEMORY_SIZE(576)];
    CHECK_ERR(dm_forward((dm_model *)junk), DM_EINVAL);
    /* The buffer can hold a new instance. */
    m = dm_init(&fx_model, buf, sizeof buf, 1);
    CHECK_ERR(dm_forward(m), DM_OK);
    dm_free(m);
}

static void test_threads_env(void) {
    static const struct { const char *value; int threads; } cases[] = {
        {"5000", 1}, {"1025", 1}, {"1024", 1024}, {"0", 1}, {"-3", 1}, {"99999999999999999999", 1},
        {"2", 2}, {"4x", 1}, {"", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv("DM_THREADS", cases[i].value, 1);
        dm_model *m = dm_new(&fx_model, 1);
        if (dm_threads(m) != cases[i].threads)
            fprintf(stderr, "DM_THREADS=%s: %d threads, expected %d\n", cases[i].value, dm_threads(m),
                    cases[i].threads);
        CHECK(dm_threads(m) == cases[i].threads);
        dm_free(m);
    }
    unsetenv("DM_THREADS");
}

/* fx_model without its state tensors: an inference build of the same model. */
static dm_tensor_desc nostate_tensors[7];
static dm_model_desc nostate_model;

static void make_nostate(void) {
    int n = 0;
    for (int i = 0; i < 9; i++)
        if (fx_tensors[i].kind != DM_STATE) {
            nostate_tensors[n] = fx_tensors[i];
            nostate_tensors[n].param = -1;
            n++;
        }
    nostate_model = fx_model;
    nostate_model.ntensors = n;
    nostate_model.tensors = nostate_tensors;
    nostate_model.train_step = nostate_model.gradients = nostate_model.apply = NULL;
}

static void test_metadata(void) {
    dm_model *m = dm_new(&fx_model, 1);
    CHECK(dm_metadata_count(m) == 0);
    CHECK(dm_get_metadata(m, "epoch") == NULL && dm_last_error_code() == DM_EMISMATCH);
    CHECK_ERR(dm_set_metadata(m, "epoch", "3"), DM_OK);
    CHECK_ERR(dm_set_metadata(m, "mean", "0.2860"), DM_OK);
    CHECK_ERR(dm_set_metadata(m, "epoch", "4"), DM_OK); /* replaced */
    CHECK(dm_metadata_count(m) == 2);
    CHECK(dm_get_metadata(m, "epoch") && strcmp(dm_get_metadata(m, "epoch"), "4") == 0);
    const char *k, *v;
    CHECK_ERR(dm_metadata_at(m, 0, &k, &v), DM_OK);
    CHECK(strcmp(k, "mean") == 0 && strcmp(v, "0.2860") == 0);
    CHECK_ERR(dm_metadata_at(m, 2, &k, &v), DM_EINVAL);
    /* reserved, empty, invalid UTF-8 (a lone continuation byte, an overlong '/') */
    CHECK_ERR(dm_set_metadata(m, "format", "x"), DM_EINVAL);
    CHECK_ERR(dm_set_metadata(m, "model", "x"), DM_EINVAL);
    CHECK_ERR(dm_set_metadata(m, "", "x"), DM_EINVAL);
    CHECK_ERR(dm_set_metadata(m, "k", "\x80"), DM_EINVAL);
    CHECK_ERR(dm_set_metadata(m, "k", "\xc0\xaf"), DM_EINVAL);
    CHECK_ERR(dm_set_metadata(m, "k\xe2\x82", "v"), DM_EINVAL);
    CHECK_ERR(dm_set_metadata(m, "caf\xc3\xa9", "\xe2\x82\xac \xf0\x9f\x98\x80 \"quoted\" \\ \n"), DM_OK);
    CHECK(dm_metadata_count(m) == 3);
    CHECK_ERR(dm_set_metadata(m, "caf\xc3\xa9", NULL), DM_OK); /* removed */
    CHECK(dm_metadata_count(m) == 2 && dm_get_metadata(m, "caf\xc3\xa9") == NULL);
    CHECK_ERR(dm_set_metadata(m, "note", "a \"quoted\"\tvalue\n"), DM_OK);

    /* The capacity: used = 6 + 2 ("epoch", "4") + 5 + 7 ("mean", "0.2860") + 5 + 18 = 43 bytes;
     * a pair needs strlen(key) + strlen(value) + 2. */
    char big[DM_METADATA_BYTES];
    memset(big, 'a', sizeof big);
    big[DM_METADATA_BYTES - 43 - 3 - 2 + 1] = 0; /* key "big" (3) + 2 NULs: one byte too many */
    CHECK_ERR(dm_set_metadata(m, "big", big), DM_ENOMEM);
    CHECK(dm_metadata_count(m) == 3);
    big[DM_METADATA_BYTES - 43 - 3 - 2] = 0; /* exactly full */
    CHECK_ERR(dm_set_metadata(m, "big", big), DM_OK);
    CHECK_ERR(dm_set_metadata(m, "x", "y"), DM_ENOMEM);
    CHECK_ERR(dm_set_metadata(m, "big", NULL), DM_OK);

    /* Saved, loaded into another instance (whose own pairs are replaced), saved again: kept. */
    const char *a = tmp_path("meta_a.safetensors"), *b = tmp_path("meta_b.safetensors");
    CHECK_ERR(dm_save(m, a), DM_OK);
    char buf[64];
    CHECK_ERR(dm_load_metadata(a, "epoch", buf, sizeof buf), DM_OK);
    CHECK(strcmp(buf, "4") == 0);
    CHECK_ERR(dm_load_metadata(a, "model", buf, sizeof buf), DM_OK);
    CHECK(strcmp(buf, "tiny") == 0);
    dm_model *n = dm_new(&fx_model, 2);
    CHECK_ERR(dm_set_metadata(n, "stale", "1"), DM_OK);
    CHECK_ERR(dm_load(n, a), DM_OK);
    CHECK(dm_metadata_count(n) == 3 && dm_get_metadata(n, "stale") == NULL);
    CHECK(dm_get_metadata(n, "note") && strcmp(dm_get_metadata(n, "note"), "a \"quoted\"\tvalue\n") == 0);
    CHECK_ERR(dm_save(n, b), DM_OK);
    CHECK_ERR(dm_load_metadata(b, "mean", buf, sizeof buf), DM_OK);
    CHECK(strcmp(buf, "0.2860") == 0);
    CHECK_ERR(dm_load_metadata(b, "note", buf, sizeof buf), DM_OK);
    CHECK(strcmp(buf, "a \"quoted\"\tvalue\n") == 0);
    /* dm_save_with_metadata's pairs win over the instance's */
    const char *keys[] = {"epoch"}, *values[] = {"9"};
    CHECK_ERR(dm_save_with_metadata(n, b, 1, keys, values), DM_OK);
    CHECK_ERR(dm_load_metadata(b, "epoch", buf, sizeof buf), DM_OK);
    CHECK(strcmp(buf, "9") == 0);
    CHECK_ERR(dm_load(m, b), DM_OK);
    CHECK(dm_metadata_count(m) == 3 && strcmp(dm_get_metadata(m, "epoch"), "9") == 0);
    dm_free(n);
    dm_free(m);
}

static void test_load_report(void) {
    make_nostate();
    dm_model *full = dm_new(&fx_model, 1), *inf = dm_new(&nostate_model, 2);
    const char *names = NULL;
    CHECK(dm_load_skipped(inf, &names) == 0 && names && !*names);
    const char *path = tmp_path("full.safetensors");
    CHECK_ERR(dm_save(full, path), DM_OK);
    CHECK_ERR(dm_load(inf, path), DM_OK);
    CHECK(dm_load_skipped(inf, &names) == 2);
    CHECK(names && strcmp(names, "opt/m/fc.W, rng/dropout") == 0);
    CHECK(memcmp(dm_data(inf, "fc.W"), dm_data(full, "fc.W"), 24) == 0);
    /* A later load without state: nothing skipped. */
    const char *weights = tmp_path("weights.safetensors");
    CHECK_ERR(dm_save(inf, weights), DM_OK);
    CHECK_ERR(dm_load(inf, weights), DM_OK);
    CHECK(dm_load_skipped(inf, &names) == 0 && !*names);
    /* A failed load leaves the report (and the model) as they were. */
    CHECK_ERR(dm_load(inf, path), DM_OK);
    CHECK_ERR(dm_load(inf, tmp_path("missing.safetensors")), DM_EIO);
    CHECK(dm_load_skipped(inf, NULL) == 2);
    dm_free(full);
    dm_free(inf);
}

/* The fixture plus an i32 input "labels" [4] that train_step and gradients
 * read, valid in [0, 2]. */
static dm_tensor_desc ranged_tensors[10];
static const int64_t labels_dims[DM_MAX_RANK] = {4};
static dm_model_desc ranged_model;

static void test_describe(void) {
    memcpy(ranged_tensors, fx_tensors, sizeof fx_tensors);
    ranged_tensors[6].reads = 1u << DM_ENTRY_FORWARD | 1u << DM_ENTRY_TRAIN_STEP | 1u << DM_ENTRY_GRADIENTS;
    ranged_tensors[9] = (dm_tensor_desc){"labels", labels_dims, NULL, 4, 576, 16, DM_INPUT, DM_I32, -1, 1,
                                         1u << DM_ENTRY_TRAIN_STEP | 1u << DM_ENTRY_GRADIENTS,
                                         DM_TENSOR_HAS_RANGE, 0, 2};
    ranged_model = fx_model;
    ranged_model.ntensors = 10;
    ranged_model.tensors = ranged_tensors;
    ranged_model.data_size = 640;
    dm_model *m = dm_new(&ranged_model, 1);
    CHECK(dm_tensor_count(m) == 10);
    CHECK(dm_tensor_at(m, 9) == &ranged_tensors[9] && dm_tensor_at(m, 10) == NULL &&
          dm_last_error_code() == DM_EINVAL && dm_tensor_at(m, -1) == NULL);
    CHECK(dm_entry_reads(m, DM_ENTRY_FORWARD, "labels") == 0);
    CHECK(dm_entry_reads(m, DM_ENTRY_TRAIN_STEP, "labels") == 1);
    CHECK(dm_entry_reads(m, DM_ENTRY_FORWARD, "x") == 1);
    CHECK(dm_entry_reads(m, DM_ENTRY_APPLY, "x") == 0);
    CHECK(dm_entry_reads(m, (dm_entry)7, "x") == DM_EINVAL);
    CHECK(dm_entry_reads(m, DM_ENTRY_FORWARD, "nope") == DM_EINVAL);
    int64_t lo = -1, hi = -1;
    CHECK_ERR(dm_tensor_range(m, "labels", &lo, &hi), DM_OK);
    CHECK(lo == 0 && hi == 2);
    CHECK_ERR(dm_tensor_range(m, "x", &lo, &hi), DM_EUNSUPPORTED);
    int32_t *labels = dm_data(m, "labels");
    labels[0] = 0, labels[1] = 2, labels[2] = 1, labels[3] = 2;
    CHECK_ERR(dm_check_inputs(m, DM_ENTRY_TRAIN_STEP), DM_OK);
    labels[2] = 3;
    CHECK_ERR(dm_check_inputs(m, DM_ENTRY_TRAIN_STEP), DM_ERANGE);
    CHECK(strstr(dm_last_error(), "'labels'") && strstr(dm_last_error(), "element 2 is 3") &&
          strstr(dm_last_error(), "[0, 2]"));
    CHECK_ERR(dm_check_inputs(m, DM_ENTRY_FORWARD), DM_OK); /* forward does not read the labels */
    labels[2] = -1;
    CHECK_ERR(dm_check_inputs(m, DM_ENTRY_GRADIENTS), DM_ERANGE);
    dm_free(m);
}

/* cpu.c: a descriptor's cpu_features against this CPU, with $DM_CPU_DISABLE
 * standing in for an older processor. */
static void test_cpu_features(void) {
    dm_model_desc d = fx_model;
    d.cpu_features = "sse2,cx16,avx512f,avx2"; /* cx16 is not in the runtime's table: not checked */
    setenv("DM_CPU_DISABLE", "avx512f,avx2", 1);
    CHECK(dm_new(&d, 1) == NULL && dm_last_error_code() == DM_EUNSUPPORTED);
    CHECK(strstr(dm_last_error(), "'tiny'") && strstr(dm_last_error(), "lacks: avx512f, avx2 ("));
    static unsigned char buf[DM_MEMORY_SIZE(576)];
    CHECK(dm_init(&d, buf, sizeof buf, 1) == NULL && dm_last_error_code() == DM_EUNSUPPORTED);
    d.cpu_features = "sse2,cx16";
    setenv("DM_CPU_DISABLE", "cx16", 1); /* a disabled name counts even outside the table */
    CHECK(dm_new(&d, 1) == NULL && strstr(dm_last_error(), "lacks: cx16 ("));
    unsetenv("DM_CPU_DISABLE");
    d.cpu_features = "sse2";   /* every x86-64 processor has it */
    dm_model *m = dm_new(&d, 1);
    CHECK(m != NULL);
    dm_free(m);
    d.cpu_features = "";
    m = dm_new(&d, 1);
    CHECK(m != NULL);
    dm_free(m);
}

/* A variant's forward: y = 3x where the fixture's is y = 2x, so the output
 * says whose code ran. */
static int triple_forward(uint8_t *data, dm_exec *ex) {
    (void)ex;
    for (int i = 0; i < 4; i++)
        fx_f(data, 448)[i] = 3 * fx_f(data, 384)[i];
    return 0;
}

static float forward_factor(dm_model *m) {
    float *x = dm_data(m, "x"), *y = dm_data(m, "y");
    x[0] = 1;
    CHECK_ERR(dm_forward(m), DM_OK);
    return y[0];
}

static void test_cpu_variants(void) {
    dm_model_desc best = fx_model, odd = fx_model, mid = fx_model, base = fx_model;
    best.cpu_features = "sse2,avx512f", best.cpu = "best", best.forward = triple_forward;
    odd.cpu_features = "", odd.cpu = "odd", odd.data_size = 640; /* another layout: never taken */
    mid.cpu_features = "sse2", mid.cpu = "mid", mid.forward = triple_forward;
    const dm_model_desc *variants[] = {&best, &odd, &mid};
    base.cpu_features = "", base.nvariants = 3, base.variants = variants;
    unsetenv("DM_CPU_DISABLE");
    dm_model *m = dm_new(&base, 1);
    CHECK(m && strcmp(dm_cpu(m), __builtin_cpu_supports("avx512f") ? "best" : "mid") == 0);
    CHECK(dm_desc(m) == &base && dm_tensor_data(m, &base, 0) != NULL); /* still an instance of base */
    CHECK(forward_factor(m) == 3);
    dm_free(m);
    setenv("DM_CPU_DISABLE", "avx512f", 1);
    static unsigned char buf[DM_MEMORY_SIZE(576)];
    m = dm_init(&base, buf, sizeof buf, 1);
    CHECK(m && strcmp(dm_cpu(m), "mid") == 0 && forward_factor(m) == 3);
    dm_free(m);
    setenv("DM_CPU_DISABLE", "sse2", 1); /* no variant fits: the baseline's own code */
    m = dm_new(&base, 1);
    CHECK(m && strcmp(dm_cpu(m), "") == 0 && forward_factor(m) == 2);
    dm_free(m);
    CHECK(dm_cpu(NULL) == NULL && dm_last_error_code() == DM_EINVAL);
    unsetenv("DM_CPU_DISABLE");
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_memory_size();
    test_error_codes();
    test_use_after_free();
    test_threads_env();
    test_metadata();
    test_load_report();
    test_describe();
    test_cpu_features();
    test_cpu_variants();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    FX_DONE();
}
