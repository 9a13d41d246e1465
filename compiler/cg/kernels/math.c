/* math.c: the transcendental functions of generated code (exp, log, tanh,
 * pow), written in plain C so that they inline into the fused loops, are
 * vectorised with them, and need no libm.
 *
 * Compiled to LLVM bitcode at build time and linked into every module (see
 * cg_module.c); every function here is made internal and always-inline.
 * Accuracy: a few ulp over the float range (exp: degree-6 Taylor polynomial
 * on |r| <= ln2/2 after n*ln2 range reduction, infinity past ln(FLT_MAX),
 * denormals below -87.3; log: atanh series in
 * s = (m-1)/(m+1) for m in [sqrt(1/2), sqrt(2)]). */
#include <stdint.h>

#include "dmk.h"

static float from_bits(uint32_t u) { union { uint32_t u; float f; } v = {u}; return v.f; }
static uint32_t to_bits(float f) { union { float f; uint32_t u; } v = {f}; return v.u; }

float dmk_expf(float x) {
    /* Over [-104, 89] every result is computed (denormals near the bottom,
     * an overflow to infinity at the top, as in f32 libm): 2^n is applied as
     * two normal powers 2^n1 2^n2, so n may run from -150 to 128. */
    float xc = x < -104.0f ? -104.0f : x > 89.0f ? 89.0f : x;
    float t = xc * 1.44269504088896341f;
    int32_t ni = (int32_t)(t + (t >= 0 ? 0.5f : -0.5f));   /* round; no rintf call on any target */
    float n = (float)ni;
    float r = xc - n * 0.693145751953125f - n * 1.42860682030941723212e-6f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720))))));
    int32_t n1 = ni / 2, n2 = ni - n1;
    float y = p * from_bits((uint32_t)(n1 + 127) << 23) * from_bits((uint32_t)(n2 + 127) << 23);
    return x != x ? x : y;
}

float dmk_logf(float x) {
    /* Denormals: scale into the normal range first. */
    int tiny = x < 1.17549435e-38f;
    float xs = tiny ? x * 8388608.0f : x;
    uint32_t u = to_bits(xs);
    int32_t e = (int32_t)((u >> 23) & 0xff) - 127 - (tiny ? 23 : 0);
    float m = from_bits((u & 0x007fffffu) | 0x3f800000u);     /* [1, 2) */
    int hi = m > 1.41421356f;
    m = hi ? m * 0.5f : m;
    e += hi;
    float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
    float t = 2.0f * s * (1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9)))));
    float y = (float)e * 0.693147180559945309f + t;
    y = x == 0.0f ? -__builtin_inff() : y;
    y = x < 0.0f ? __builtin_nanf("") : y;
    y = x == __builtin_inff() ? x : y;
    return x != x ? x : y;
}

float dmk_tanhf(float x) {
    float ax = __builtin_fabsf(x);
    float x2 = x * x;
    /* Near 0 the series (1 - 2/(e+1) would cancel). */
    float small = x * (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315 + x2 * (62.0f / 2835)))));
    float e = dmk_expf(2.0f * (ax > 20.0f ? 20.0f : ax));
    float large = 1.0f - 2.0f / (e + 1.0f);
    large = x < 0 ? -large : large;
    return ax < 0.3125f ? small : large;
}

float dmk_sigmoidf(float x) { return 1.0f / (1.0f + dmk_expf(-x)); }

/* erf: near 0 its series (relative accuracy where erf is small), elsewhere
 * Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), the formula of
 * PyTorch's vectorised CPU erf; both computed, one selected (vectorises). */
float dmk_erff(float x) {
    float ax = __builtin_fabsf(x), x2 = x * x;
    float small = 1.1283791671f * x * (1.0f + x2 * (-1.0f / 3 + x2 * (1.0f / 10 + x2 * (-1.0f / 42 +
                  x2 * (1.0f / 216 + x2 * (-1.0f / 1320))))));
    float t = 1.0f / (1.0f + 0.3275911f * ax);
    float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
    float large = 1.0f - poly * dmk_expf(-(ax < 10.0f ? x2 : 100.0f));
    large = x < 0 ? -large : large;
    return ax < 0.5f ? small : x != x ? x : large;
}

float dmk_powf(float a, float b) {
    if (b == 2.0f) return a * a;
    if (b == 1.0f) return a;
    if (b == 0.0f) return 1.0f;
    if (b == 0.5f && a >= 0) return __builtin_sqrtf(a);
    float aa = __builtin_fabsf(a);
    float y = dmk_expf(b * dmk_logf(aa));
    if (a < 0) {
        /* |b| >= 2^24 is an even integer; below, b must be an integer. */
        if (__builtin_fabsf(b) < 16777216.0f) {
            int32_t bi = (int32_t)b;
            if ((float)bi != b) return __builtin_nanf("");
            if (bi & 1) y = -y;
        }
    }
    return y;
}
