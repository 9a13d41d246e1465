/* rt_init.c: the seeded generator and every initialiser.
 *
 * Oracles: SplitMix64's published outputs for state 0 (also recomputed in
 * Python from the published algorithm: e220a8397b1dcdaf, 6e789e6aa1b965f4,
 * 06c45d188009454f); FNV-1a's published test vectors ("" -> cbf29ce484222325,
 * "a" -> af63dc4c8601ec8c); and the distributions' moments: each sample mean
 * lies within 5 standard errors (sigma / sqrt(n)) of the true mean and each
 * sample standard deviation within 5 of its standard errors (about
 * sigma / sqrt(2n) for a normal, sigma * 0.0028 for n = 100000 uniforms;
 * 5 * sigma / sqrt(n) is used, which covers both). */
#include "../runtime/fixture.h"
#include "rt.h"
#include <math.h>
#include <stdlib.h>

#define N 100000

static void test_known_outputs(void) {
    uint64_t s = 0;
    CHECK(rt_splitmix64_next(&s) == 0xe220a8397b1dcdafULL);
    CHECK(rt_splitmix64_next(&s) == 0x6e789e6aa1b965f4ULL);
    CHECK(rt_splitmix64_next(&s) == 0x06c45d188009454fULL);
    CHECK(rt_fnv1a64("") == 0xcbf29ce484222325ULL);
    CHECK(rt_fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    /* xoshiro256** seeded from SplitMix64(0): its first output is
     * rotl(s1 * 5, 7) * 9 with s1 = 6e789e6aa1b965f4 (hand-checked below). */
    rt_rng r;
    rt_rng_seed(&r, 0);
    CHECK(r.s[0] == 0xe220a8397b1dcdafULL && r.s[1] == 0x6e789e6aa1b965f4ULL);
    uint64_t x = 0x6e789e6aa1b965f4ULL * 5;
    CHECK(rt_rng_next(&r) == ((x << 7) | (x >> 57)) * 9);
}

/* One f32 tensor of N elements with the given initialiser, in a fresh model. */
static float *draw(dm_init_desc init, dm_dtype dtype, const char *name, uint64_t seed, dm_model **out) {
    static const int64_t dims[DM_MAX_RANK] = {N};
    static dm_init_desc in;
    static dm_tensor_desc t;
    static dm_model_desc d;
    in = init;
    dm_tensor_desc tt = {name, dims, &in, N, 0, 4 * N, DM_PARAM, dtype, -1, 1, 0, 0, 0, 0};
    t = tt;
    dm_model_desc dd = {DM_ABI_VERSION, "stats", 4 * N, 0, 0, 1, &t, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL};
    d = dd;
    *out = dm_new(&d, seed);
    return dm_data(*out, name);
}

static void moments(const float *x, double *mean, double *std) {
    double s = 0, ss = 0;
    for (int i = 0; i < N; i++)
        s += x[i];
    *mean = s / N;
    for (int i = 0; i < N; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *std = sqrt(ss / (N - 1));
}

static void check_moments(const char *what, const float *x, double want_mean, double want_std) {
    double mean, std, tol = 5 * want_std / sqrt(N);
    moments(x, &mean, &std);
    if (fabs(mean - want_mean) > tol || fabs(std - want_std) > tol) {
        fprintf(stderr, "%s: mean %g std %g, expected %g and %g (tolerance %g)\n", what, mean, std, want_mean,
                want_std, tol);
        fx_failures++;
    }
}

static void test_distributions(void) {
    dm_model *m;
    float *x;

    x = draw((dm_init_desc){DM_INIT_UNIFORM, -1, 3, 0, 0, NULL}, DM_F32, "u", 5, &m);
    check_moments("uniform(-1, 3)", x, 1.0, 4 / sqrt(12.0)); /* (a+b)/2, (b-a)/sqrt(12) */
    for (int i = 0; i < N; i++)
        if (x[i] < -1 || x[i] > 3) { CHECK(!"uniform out of range"); break; }
    dm_free(m);

    x = draw((dm_init_desc){DM_INIT_NORMAL, 2, 3, 0, 0, NULL}, DM_F32, "n", 5, &m);
    check_moments("normal(2, 3)", x, 2.0, 3.0);
    int beyond = 0; /* P(|z| > 2) = 0.0455: expect 4550 +- 5 * 66 */
    for (int i = 0; i < N; i++)
        beyond += fabs(x[i] - 2) > 6;
    CHECK(beyond > 4550 - 330 && beyond < 4550 + 330);
    dm_free(m);

    /* xavier, fans 300 + 100: l = sqrt(6/400) = 0.122474; U(-l, l) has std l / sqrt(3) */
    x = draw((dm_init_desc){DM_INIT_XAVIER, 0, 0, 300, 100, NULL}, DM_F32, "xv", 5, &m);
    check_moments("xavier(300, 100)", x, 0.0, sqrt(6.0 / 400) / sqrt(3.0));
    for (int i = 0; i < N; i++)
        if (fabsf(x[i]) > 0.1224745f) { CHECK(!"xavier out of range"); break; }
    dm_free(m);

    /* he, fan_in 200: std = sqrt(2/200) = 0.1 */
    x = draw((dm_init_desc){DM_INIT_HE, 0, 0, 200, 50, NULL}, DM_F32, "he", 5, &m);
    check_moments("he(200)", x, 0.0, 0.1);
    dm_free(m);

    x = draw((dm_init_desc){DM_INIT_ZEROS, 0, 0, 0, 0, NULL}, DM_F32, "z", 5, &m);
    CHECK(x[0] == 0 && x[N - 1] == 0);
    dm_free(m);
    x = draw((dm_init_desc){DM_INIT_ONES, 0, 0, 0, 0, NULL}, DM_F32, "o", 5, &m);
    CHECK(x[0] == 1 && x[N - 1] == 1);
    dm_free(m);
    x = draw((dm_init_desc){DM_INIT_CONST, -2.5, 0, 0, 0, NULL}, DM_F32, "c", 5, &m);
    CHECK(x[0] == -2.5f && x[N / 2] == -2.5f && x[N - 1] == -2.5f);
    dm_free(m);
    float *lit = malloc(N * sizeof *lit);
    for (int i = 0; i < N; i++)
        lit[i] = (float)i * 0.5f;
    x = draw((dm_init_desc){DM_INIT_LITERAL, 0, 0, 0, 0, lit}, DM_F32, "l", 5, &m);
    CHECK(memcmp(x, lit, N * sizeof *lit) == 0);
    dm_free(m);
    free(lit);

    /* i32 tensors hold integers: ones -> 1, const 7 -> 7 */
    int32_t *k = (int32_t *)draw((dm_init_desc){DM_INIT_CONST, 7, 0, 0, 0, NULL}, DM_I32, "ci", 5, &m);
    CHECK(k[0] == 7 && k[N - 1] == 7);
    dm_free(m);
    k = (int32_t *)draw((dm_init_desc){DM_INIT_ONES, 0, 0, 0, 0, NULL}, DM_I32, "oi", 5, &m);
    CHECK(k[0] == 1 && k[N - 1] == 1);
    dm_free(m);
}

static void test_seed_key(void) {
    /* DM_INIT_SEED: element 0 = high 32 bits of the stream's first output, element 1 = 0. */
    dm_model *m = dm_new(&fx_model, 99);
    int32_t *s = dm_data(m, "rng/dropout");
    rt_rng r;
    rt_rng_stream(&r, 99, "rng/dropout");
    CHECK((uint32_t)s[0] == (uint32_t)(rt_rng_next(&r) >> 32));
    CHECK(s[1] == 0);
    dm_model *n = dm_new(&fx_model, 100);
    CHECK(((int32_t *)dm_data(n, "rng/dropout"))[0] != s[0]);
    dm_free(m), dm_free(n);
}

static void test_streams_are_per_name(void) {
    /* Adding a parameter before fc.W does not change fc.W's values. */
    dm_tensor_desc more[10];
    static const int64_t dims[DM_MAX_RANK] = {16};
    static const dm_init_desc normal = {DM_INIT_NORMAL, 0, 1, 0, 0, NULL};
    more[0] = (dm_tensor_desc){"extra", dims, &normal, 16, 576, 64, DM_PARAM, DM_F32, -1, 1, 0, 0, 0, 0};
    memcpy(more + 1, fx_tensors, sizeof fx_tensors);
    dm_model_desc d = fx_model;
    d.tensors = more;
    d.ntensors = 10;
    d.data_size = 640;
    dm_model *a = dm_new(&fx_model, 5), *b = dm_new(&d, 5);
    CHECK(memcmp(dm_data(a, "fc.W"), dm_data(b, "fc.W"), 24) == 0);
    /* and the same seed twice gives the same draws, a different seed others */
    dm_model *c = dm_new(&d, 5), *e = dm_new(&d, 6);
    CHECK(memcmp(dm_data(b, "extra"), dm_data(c, "extra"), 64) == 0);
    CHECK(memcmp(dm_data(b, "extra"), dm_data(e, "extra"), 64) != 0);
    /* two tensors with the same initialiser but different names differ */
    CHECK(memcmp(dm_data(b, "extra"), dm_data(b, "fc.W"), 24) != 0);
    dm_free(a), dm_free(b), dm_free(c), dm_free(e);
}

static void test_below(void) {
    /* rt_rng_below(n): every value in [0, n), each about equally often (chi-square-free check: +-5 sigma). */
    rt_rng r;
    rt_rng_seed(&r, 1);
    int counts[10] = {0};
    for (int i = 0; i < N; i++) {
        uint64_t v = rt_rng_below(&r, 10);
        if (v >= 10) { CHECK(!"below out of range"); return; }
        counts[v]++;
    }
    for (int v = 0; v < 10; v++) /* binomial: 10000 +- 5 * sqrt(100000 * 0.1 * 0.9) = 10000 +- 474 */
        CHECK(counts[v] > 10000 - 474 && counts[v] < 10000 + 474);
}

int main(void) {
    test_known_outputs();
    test_distributions();
    test_seed_key();
    test_streams_are_per_name();
    test_below();
    FX_DONE();
}
