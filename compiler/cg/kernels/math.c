/* math.c: the transcendental functions of generated code (exp, log, tanh,
 * pow), written in plain C so that they inline into the fused loops, are
 * vectorised with them, and need no libm.
 *
 * Compiled to LLVM bitcode at build time and linked into every module (see
 * cg_module.c); every function here is made internal and always-inline.
 * Accuracy: a few ulp over the float range (exp: degree-6 Taylor polynomial
 * on |r| <= ln2/2 after n*ln2 range reduction, infinity past ln(FLT_MAX),
 * denormals below -87.3; log: atanh series in
 * s = (m-1)/(m+1) for m in [sqrt(1/2), sqrt(2)]); gelu and its slope: see
 * dmk_geluf). */
#include <stdint.h>

#include "dmk.h"

static float from_bits(uint32_t u) { union { uint32_t u; float f; } v = {u}; return v.f; }
static uint32_t to_bits(float f) { union { float f; uint32_t u; } v = {f}; return v.u; }

/* e^r for |r| <= ln2/2: the degree-6 Taylor polynomial. */
static float exp_reduced(float r) {
    return 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720))))));
}

float dmk_expf(float x) {
    /* Over [-104, 89] every result is computed (denormals near the bottom,
     * an overflow to infinity at the top, as in f32 libm): 2^n is applied as
     * two normal powers 2^n1 2^n2, so n may run from -150 to 128. */
    float xc = x < -104.0f ? -104.0f : x > 89.0f ? 89.0f : x;
    float t = xc * 1.44269504088896341f;
    int32_t ni = (int32_t)(t + (t >= 0 ? 0.5f : -0.5f));   /* round; no rintf call on any target */
    float n = (float)ni;
    float r = xc - n * 0.693145751953125f - n * 1.42860682030941723212e-6f;
    float p = exp_reduced(r);
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

/* exp(-x^2/2), the normal density without its 1/sqrt(2 pi).  The argument
 * is never positive, so dmk_expf's reduction needs one 2^n (n in [-126, 0],
 * a normal power) and no overflow test: where x^2/2 >= 87 (|x| > 13.19) the
 * result, below 2^-125, is taken as exactly 0, and so are NaN and +-inf
 * (whose NaN the caller's other term carries). */
static float gauss(float x) {
    float a = 0.5f * (x * x);                 /* x * x as normal_cdf's, computed once */
    int near = a < 87.0f;                     /* false for NaN and +-inf */
    float ac = near ? a : 0.0f;               /* a number for the conversion below */
    float t = ac * -1.44269504088896341f;     /* <= 0 */
    int32_t ni = (int32_t)(t - 0.5f);         /* round to nearest (truncation toward 0) */
    float n = (float)ni;
    float r = -ac - n * 0.693145751953125f - n * 1.42860682030941723212e-6f;
    float y = exp_reduced(r) * from_bits((uint32_t)(ni + 127) << 23);
    return near ? y : 0.0f;
}

/* The normal cdf Phi(x) = 0.5 (1 + erf(x / sqrt 2)) from e = gauss(x), as
 * dmk_erff: below |x| = 0.7071 (|erf's argument| < 0.5) the series
 * 0.5 + x phi(0) (1 - x^2/6 + x^4/40 - x^6/336 + x^8/3456 - x^10/42240), where
 * the formula below loses 3e-7 to f32's roundings (its t near 1); elsewhere
 * Abramowitz & Stegun 7.1.26, PyTorch's vectorised erf, in z = |x| / sqrt 2:
 * 1 - erf(z) = poly(t) e with t = 1 / (1 + p z) (absolute error below
 * 1.5e-7).  Its tail q = 0.5 (1 - erf(z)) is Phi(x) for x < 0, without the
 * cancellation of 1 - (1 - q), and 1 - q for x > 0; p / sqrt 2 and the a_i / 2
 * are folded into the constants.  Both computed, one selected (vectorises).
 * NaN stays NaN (through t); x = +-inf gives t = 0, q = 0, Phi = 1 or 0. */
static float normal_cdf(float x, float e) {
    float x2 = x * x;
    float near = 0.5f + x * 0.3989422804014327f * (1.0f + x2 * (-1.0f / 6 + x2 * (1.0f / 40 + x2 * (-1.0f / 336 +
                 x2 * (1.0f / 3456 + x2 * (-1.0f / 42240))))));
    float t = 1.0f / (1.0f + 0.2316418883f * __builtin_fabsf(x));
    float q = e * t * (0.127414796f + t * (-0.142248368f + t * (0.7107068705f + t * (-0.7265760135f +
                                                                                    t * 0.5307027145f))));
    return __builtin_fabsf(x) < 0.70710678f ? near : x < 0 ? q : 1.0f - q;
}

/* gelu(x) = x Phi(x) and its slope Phi(x) + x phi(x), PyTorch's formulas
 * (ops.def); the slope shares exp(-x^2/2) between Phi's tail and the density
 * phi.  gelu(-inf) = -inf * 0 and the slope at +-inf (x * 0) are NaN, as
 * PyTorch.  Past |x| = 13.19, where gauss is 0, the density term is
 * x * 0 = +-0 (no overflowing x^2 makes a finite x's slope NaN): for x > 0
 * below f32's resolution of Phi's 1, for x < 0 a slope below 2^-120 taken
 * as 0. */
float dmk_geluf(float x) { return x * normal_cdf(x, gauss(x)); }

float dmk_gelu_slopef(float x) {
    float e = gauss(x);
    return normal_cdf(x, e) + x * (e * 0.3989422804014327f);
}

float dmk_powf(float a, float b) {
    if (b == 2.0f) return a * a;
    if (b == 1.0f) return a;
    if (b == 0.0f) return 1.0f;
    if (b == 0.5f && a >= 0) return __builtin_sqrtf(a);
    float aa = __builtin_fabsf(a);
    float y = dmk_expf(b * dmk_logf(aa));
    /* A negative base (-0 and -inf included) as C's powf: an odd integer
     * power keeps the sign; any other power of -0 or -inf is that of +0 or
     * +inf; a finite negative base to a fractional power is NaN.  |b| >= 2^24
     * is an even integer. */
    if (__builtin_signbit(a) && __builtin_fabsf(b) < 16777216.0f) {
        int32_t bi = (int32_t)b;
        if ((float)bi != b) return a < 0 && aa != __builtin_inff() ? __builtin_nanf("") : y;
        if (bi & 1) y = -y;
    }
    return y;
}
