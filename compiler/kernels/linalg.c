/* linalg.c: the matrix product kernel, C = op(A) @ op(B) with op = identity
 * or transpose, f32, row-major.  A is [M, K] ([K, M] with ta), B is [K, N]
 * ([N, K] with tb), C is [M, N].
 *
 * Compiled to bitcode and linked into every module; the call sites pass
 * constant shapes so that, once inlined, LLVM specialises the loops.  The
 * inner loops run over contiguous memory of C and B so they vectorise; for a
 * transposed B, panels of B are first copied into a stack buffer (bounded:
 * no heap in generated code). */
#include <stdint.h>

enum { PANEL_K = 256, PANEL_N = 64 };

static void matmul_nn(float *restrict c, const float *restrict a, const float *restrict b,
                      int64_t M, int64_t N, int64_t K, int32_t ta,
                      int64_t b_row, int64_t n0, int64_t nn, int64_t k0, int64_t kk, int first) {
    /* C[:, n0:n0+nn] (+)= op(A)[:, k0:k0+kk] @ b_panel, b_panel[k][j] at b[k*b_row + j] */
    int64_t i = 0;
    for (; i + 4 <= M; i += 4) {
        float *c0 = c + (i + 0) * N + n0, *c1 = c + (i + 1) * N + n0;
        float *c2 = c + (i + 2) * N + n0, *c3 = c + (i + 3) * N + n0;
        if (first)
            for (int64_t j = 0; j < nn; j++) c0[j] = c1[j] = c2[j] = c3[j] = 0;
        for (int64_t k = 0; k < kk; k++) {
            int64_t kg = k0 + k;
            float a0 = ta ? a[kg * M + i] : a[(i + 0) * K + kg];
            float a1 = ta ? a[kg * M + i + 1] : a[(i + 1) * K + kg];
            float a2 = ta ? a[kg * M + i + 2] : a[(i + 2) * K + kg];
            float a3 = ta ? a[kg * M + i + 3] : a[(i + 3) * K + kg];
            const float *bk = b + k * b_row;
            for (int64_t j = 0; j < nn; j++) {
                float bv = bk[j];
                c0[j] += a0 * bv; c1[j] += a1 * bv; c2[j] += a2 * bv; c3[j] += a3 * bv;
            }
        }
    }
    for (; i < M; i++) {
        float *ci = c + i * N + n0;
        if (first)
            for (int64_t j = 0; j < nn; j++) ci[j] = 0;
        for (int64_t k = 0; k < kk; k++) {
            int64_t kg = k0 + k;
            float av = ta ? a[kg * M + i] : a[i * K + kg];
            const float *bk = b + k * b_row;
            for (int64_t j = 0; j < nn; j++) ci[j] += av * bk[j];
        }
    }
}

void dmk_matmul(float *restrict c, const float *restrict a, const float *restrict b,
                int64_t M, int64_t N, int64_t K, int32_t ta, int32_t tb) {
    if (K == 0) {
        for (int64_t i = 0; i < M * N; i++) c[i] = 0;
        return;
    }
    if (!tb) {
        matmul_nn(c, a, b, M, N, K, ta, N, 0, N, 0, K, 1);
        return;
    }
    /* B is [N, K]: copy B^T panels [kk, nn] to the stack, then as above. */
    float panel[PANEL_K * PANEL_N] __attribute__((aligned(64)));
    for (int64_t n0 = 0; n0 < N; n0 += PANEL_N) {
        int64_t nn = N - n0 < PANEL_N ? N - n0 : PANEL_N;
        for (int64_t k0 = 0; k0 < K; k0 += PANEL_K) {
            int64_t kk = K - k0 < PANEL_K ? K - k0 : PANEL_K;
            for (int64_t j = 0; j < nn; j++)
                for (int64_t k = 0; k < kk; k++) panel[k * nn + j] = b[(n0 + j) * K + k0 + k];
            matmul_nn(c, a, panel, M, N, K, ta, nn, n0, nn, k0, kk, k0 == 0);
        }
    }
}
