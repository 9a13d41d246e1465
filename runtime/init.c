/* init.c: the seeded generator and the parameter initialisers.
 *
 * The same seed gives the same parameters on every machine: everything here
 * is integer arithmetic fixed by docs/runtime.md ("The generator"), except
 * log/sqrt/cos/sin in Box-Muller and the initialisers' scale factors, which
 * are computed in double and rounded once to float.
 *
 * Each tensor draws from its own stream, derived from (seed, tensor name), so
 * adding, removing or reordering tensors never changes the others' values. */
#include "rt.h"
#include <math.h>
#include <string.h>

/* SplitMix64 (Steele, Lea and Flood, 2014): the state advances by the golden
 * gamma and each output is the state passed through a 64-bit finaliser. */
uint64_t rt_splitmix64_next(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* FNV-1a, 64-bit, over the bytes of the name (without the NUL). */
uint64_t rt_fnv1a64(const char *s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void rt_rng_seed(rt_rng *r, uint64_t seed) {
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = rt_splitmix64_next(&sm);
    /* SplitMix64 outputs are never four zeros together (it is a bijection of
     * distinct states), so xoshiro's forbidden all-zero state cannot occur. */
}

void rt_rng_stream(rt_rng *r, uint64_t seed, const char *name) {
    rt_rng_seed(r, seed ^ rt_fnv1a64(name));
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman and Vigna, 2018). */
uint64_t rt_rng_next(rt_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rt_rng_uniform(rt_rng *r) {
    return (double)(rt_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Box-Muller: two uniforms give two independent normals; the second is kept
 * for the next call.  u1 is taken in (0, 1] so log(u1) is finite. */
double rt_rng_normal(rt_rng *r, double *spare, bool *has_spare) {
    if (*has_spare) {
        *has_spare = false;
        return *spare;
    }
    double u1 = 1.0 - rt_rng_uniform(r);
    double u2 = rt_rng_uniform(r);
    double radius = sqrt(-2.0 * log(u1));
    double angle = 6.283185307179586 * u2;
    *spare = radius * sin(angle);
    *has_spare = true;
    return radius * cos(angle);
}

/* Lemire's method without division in the common case; rejection keeps it unbiased. */
uint64_t rt_rng_below(rt_rng *r, uint64_t n) {
    if (n <= 1)
        return 0;
    uint64_t limit = -n % n; /* 2^64 mod n */
    for (;;) {
        uint64_t x = rt_rng_next(r);
        if (x >= limit)
            return x % n;
    }
}

/* Fan-in and fan-out: the compiler's, else guessed from the shape
 * ([in, out] for rank 2, like Dense's W; the element count otherwise). */
static void fans(const dm_tensor_desc *t, double *fan_in, double *fan_out) {
    *fan_in = t->init ? (double)t->init->fan_in : 0;
    *fan_out = t->init ? (double)t->init->fan_out : 0;
    if (*fan_in > 0 && *fan_out > 0)
        return;
    double in = (double)t->count, out = (double)t->count;
    if (t->rank == 2) {
        in = (double)t->dims[0];
        out = (double)t->dims[1];
    }
    if (*fan_in <= 0)
        *fan_in = in > 0 ? in : 1;
    if (*fan_out <= 0)
        *fan_out = out > 0 ? out : 1;
}

static void store(const dm_tensor_desc *t, uint8_t *base, int64_t i, double v) {
    if (t->dtype == DM_I32) {
        int32_t x = (int32_t)llrint(v);
        memcpy(base + 4 * i, &x, 4);
    } else {
        float x = (float)v;
        memcpy(base + 4 * i, &x, 4);
    }
}

void rt_init_tensor(const dm_model *m, const dm_tensor_desc *t) {
    uint8_t *base = m->data + t->offset;
    static const dm_init_desc zeros = {DM_INIT_ZEROS, 0, 0, 0, 0, NULL};
    const dm_init_desc *in = t->init ? t->init : &zeros;   /* NULL: zeros (dm.h) */
    rt_rng r;
    rt_rng_stream(&r, m->seed, t->name);
    double spare = 0, fan_in, fan_out;
    bool has_spare = false;

    switch (in->kind) {
    case DM_INIT_ZEROS:
    case DM_INIT_KIND_INT32_:   /* only widens the enum (dm.h) */
    default:
        memset(base, 0, t->bytes);
        break;
    case DM_INIT_ONES:
    case DM_INIT_CONST:
        for (int64_t i = 0; i < t->count; i++)
            store(t, base, i, in->kind == DM_INIT_ONES ? 1.0 : in->a);
        break;
    case DM_INIT_LITERAL:
        for (int64_t i = 0; i < t->count; i++)
            store(t, base, i, in->data ? in->data[i] : 0.0);
        break;
    case DM_INIT_UNIFORM:
        for (int64_t i = 0; i < t->count; i++)
            store(t, base, i, in->a + (in->b - in->a) * rt_rng_uniform(&r));
        break;
    case DM_INIT_NORMAL:
        for (int64_t i = 0; i < t->count; i++)
            store(t, base, i, in->a + in->b * rt_rng_normal(&r, &spare, &has_spare));
        break;
    case DM_INIT_XAVIER: {
        fans(t, &fan_in, &fan_out);
        double limit = sqrt(6.0 / (fan_in + fan_out));
        for (int64_t i = 0; i < t->count; i++)
            store(t, base, i, limit * (2.0 * rt_rng_uniform(&r) - 1.0));
        break;
    }
    case DM_INIT_HE: {
        fans(t, &fan_in, &fan_out);
        double std = sqrt(2.0 / fan_in);
        for (int64_t i = 0; i < t->count; i++)
            store(t, base, i, std * rt_rng_normal(&r, &spare, &has_spare));
        break;
    }
    case DM_INIT_SEED: {
        /* The key is the high 32 bits of the stream's first output. */
        memset(base, 0, t->bytes);
        uint32_t key = (uint32_t)(rt_rng_next(&r) >> 32);
        if (t->bytes >= 4)
            memcpy(base, &key, 4);
        break;
    }
    }
}
