/* mean_check.c: the division of the summed gradients by the number of ranks
 * (mpi_divide_by_ranks in runtime/mpi/dm_mpi.c, vectors of 8 floats, a
 * multiplication by 1 / p when p is a power of two) must give exactly the
 * bits of the plain scalar division x / p, the IEEE quotient rounded once,
 * which is the oracle here.  Values: random normals over the whole exponent
 * range, subnormals, zeros of both signs, the largest floats, infinities
 * and NaNs; p from 2 to 9; lengths 0 to 40 and 1001, at every start
 * alignment modulo 8 floats.
 *
 * Then the shared-memory mean (shared_reduce_slice in dm_mpi_shared.c): for
 * 1 to 6 ranks' copies, the slice [lo, hi) of every output must hold the
 * scalar sum in rank order, ((g0 + g1) + g2) + ..., divided by the number
 * of ranks as above (or not divided, the node sums of the hierarchical
 * path), and nothing outside the slice may change; on 2 ranks it must also
 * equal the MPI path's halving operation (halve_sum) bit for bit, which is
 * what keeps the two paths' results identical there.  NaNs compare equal to
 * NaNs here whatever their payloads (same_value).  Built by
 * mean.test.sh with the library's sources included, so the functions
 * themselves are what runs. */
#include "../../runtime/mpi/dm_mpi.c"
#include "../../runtime/mpi/dm_mpi_shared.c"

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

/* The same bits, or both NaN: which NaN's payload a sum of two NaNs carries
 * IEEE 754 leaves open, and the compiler may swap an addition's operands. */
static int same_value(float a, float b) {
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* The shared-memory mean against the scalar oracle (see the top). */
static int check_shared_mean(void) {
    enum { N = 1001 + 8, RANKS = 6 };
    static float in[RANKS][N], out[RANKS][N], before[RANKS][N];
    int bad = 0, checked = 0;
    for (int p = 1; p <= RANKS; p++)
        for (int divide = 0; divide <= 1; divide++)
            for (int lo = 0; lo < 20; lo += 3)
                for (int hi = lo; hi <= N && (p > 1 || !divide); hi += hi < 60 ? 1 : 317) {
                    /* (1 rank is never divided: a group of 1 trains plainly; and the
                     * compiler folds the oracle's x / 1.0f to x, quieting no NaN) */
                    float *g[RANKS], *o[RANKS];
                    for (int r = 0; r < p; r++) {
                        g[r] = in[r], o[r] = out[r];
                        for (int i = 0; i < N; i++)
                            in[r][i] = value(i + r), out[r][i] = before[r][i] = value(i * 7 + r);
                    }
                    shared_reduce_slice(g, p, o, p, (uint64_t)lo, (uint64_t)hi, divide ? p : 0);
                    for (int i = 0; i < N; i++) {
                        float want = in[0][i];
                        for (int r = 1; r < p; r++)
                            want += in[r][i];
                        if (divide)
                            want = want / (float)p;
                        if (p == 2 && divide && i >= lo && i < hi) { /* the MPI path's operation */
                            float a = in[0][i], b = in[1][i];
                            int one = 1;
                            halve_sum(&a, &b, &one, NULL);
                            if (!same_value(b, want) && bad++ < 5)
                                fprintf(stderr, "halve_sum %a + %a: %a, expected %a\n", (double)in[0][i],
                                        (double)in[1][i], (double)b, (double)want);
                        }
                        for (int r = 0; r < p; r++, checked++) {
                            const float *expect = i >= lo && i < hi ? &want : &before[r][i];
                            if (!same_value(out[r][i], *expect) && bad++ < 5)
                                fprintf(stderr, "ranks %d, divide %d, slice [%d, %d), output %d, element %d: %a, expected %a\n",
                                        p, divide, lo, hi, r, i, (double)out[r][i], (double)*expect);
                        }
                    }
                }
    if (bad)
        fprintf(stderr, "mean_check: %d of %d shared-memory means differ from the scalar oracle\n", bad, checked);
    return bad != 0;
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
                mpi_divide_by_ranks(got + start, (uint64_t)n, p);
                for (int i = 0; i < n; i++, checked++)
                    if (memcmp(&got[start + i], &want[start + i], sizeof(float)) != 0 && bad++ < 5)
                        fprintf(stderr, "p %d, length %d, start %d, element %d: %a, expected %a\n", p, n, start, i,
                                (double)got[start + i], (double)want[start + i]);
            }
    if (bad)
        fprintf(stderr, "mean_check: %d of %d quotients differ from the scalar division\n", bad, checked);
    return bad != 0 || check_shared_mean() != 0;
}
