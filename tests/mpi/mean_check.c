/* mean_check.c: the division of the summed gradients by the number of ranks
 * (divide_by_ranks in runtime/mpi/dm_mpi.c, vectors of 8 floats, a
 * multiplication by 1 / p when p is a power of two) must give exactly the
 * bits of the plain scalar division x / p, the IEEE quotient rounded once,
 * which is the oracle here.  Values: random normals over the whole exponent
 * range, subnormals, zeros of both signs, the largest floats, infinities
 * and NaNs; p from 2 to 9; lengths 0 to 40 and 1001, at every start
 * alignment modulo 8 floats.  Built by mean.test.sh with the library's
 * source included, so the static function itself is what runs. */
#include "../../runtime/mpi/dm_mpi.c"

#include <float.h>
#include <math.h>

static uint64_t state = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void) { /* xorshift64*: any bits will do */
    state ^= state >> 12, state ^= state << 25, state ^= state >> 27;
    return (uint32_t)((state * 0x2545f4914f6cdd1dULL) >> 32);
}

static float value(int k) {
    static const float special[] = {0.0f, -0.0f, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY,
                                    NAN, 1.0f, 3.0f, 0x1p-149f, 0x3p-149f, -0x7p-149f, 0x1.fffffcp-127f};
    if (k % 5 == 0)
        return special[next() % (sizeof special / sizeof *special)];
    uint32_t bits = next();
    float x;
    memcpy(&x, &bits, sizeof x); /* any pattern: normal, subnormal, NaN with payload */
    return x;
}

int main(void) {
    enum { MAX = 1001 + 8 };
    float got[MAX], want[MAX];
    int lengths[42], nlengths = 0, bad = 0, checked = 0;
    for (int n = 0; n <= 40; n++)
        lengths[nlengths++] = n;
    lengths[nlengths++] = 1001;
    for (int p = 2; p <= 9; p++)
        for (int l = 0; l < nlengths; l++)
            for (int start = 0; start < 8; start++) {
                int n = lengths[l];
                for (int i = 0; i < n; i++)
                    got[start + i] = want[start + i] = value(i);
                for (int i = 0; i < n; i++)
                    want[start + i] = want[start + i] / (float)p;
                divide_by_ranks(got + start, (uint64_t)n, p);
                for (int i = 0; i < n; i++, checked++)
                    if (memcmp(&got[start + i], &want[start + i], sizeof(float)) != 0 && bad++ < 5)
                        fprintf(stderr, "p %d, length %d, start %d, element %d: %a, expected %a\n", p, n, start, i,
                                (double)got[start + i], (double)want[start + i]);
            }
    if (bad)
        fprintf(stderr, "mean_check: %d of %d quotients differ from the scalar division\n", bad, checked);
    return bad != 0;
}
