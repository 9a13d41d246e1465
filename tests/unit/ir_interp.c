/* ir_interp.c: every op of the reference interpreter against values worked
 * out by hand (the arithmetic is in the comments), or against an identity
 * that does not use interp.c's own code (the adjoint dot-product test for the
 * convolution's derivatives). */
#include "ir_check.h"
#include "cg/kernels/random.h"
#include "dm.h"
#include "passes/passes.h"

#define V(...) ((const double[]){__VA_ARGS__})
#define N_OF(...) ((int)(sizeof((double[]){__VA_ARGS__}) / sizeof(double)))
#define F32(shape, ...) ((Operand){DT_F32, shape, V(__VA_ARGS__)})
#define I32(shape, ...) ((Operand){DT_I32, shape, V(__VA_ARGS__)})

static void expect(const char *what, const double *got, int64_t n, const double *want, int64_t nwant, double tol) {
    if (n != nwant) {
        fprintf(stderr, "%s: %lld values, want %lld\n", what, (long long)n, (long long)nwant);
        check_failures++;
        return;
    }
    for (int64_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= tol * (1 + fabs(want[i]))) && !(isnan(got[i]) && isnan(want[i])) &&
            got[i] != want[i]) {   /* NaN wants NaN, an infinity itself */
            fprintf(stderr, "%s: [%lld] = %.12g, want %.12g\n", what, (long long)i, got[i], want[i]);
            check_failures++;
        }
}

/* Run one op and compare with the hand-computed values WANT... */
#define EXPECT_OP(a, op, attr, t, s, ins, ...)                                                            \
    do {                                                                                                  \
        int64_t n_;                                                                                       \
        const Operand ops_[] = ins;                                                                       \
        double *y_ = run_op(a, op, attr, t, s, (int)(sizeof ops_ / sizeof ops_[0]), ops_, &n_);           \
        expect(#op " " #ins, y_, n_, V(__VA_ARGS__), N_OF(__VA_ARGS__), 1e-8);                            \
    } while (0)
#define ARGS(...) {__VA_ARGS__}
#define NOATTR ((Attr){0})

static void test_unary(Arena *a) {
    Operand x = F32(SHAPE(4), -2, -0.5, 0, 1.5);
    EXPECT_OP(a, OP_NEG, NOATTR, 0, SCALAR, ARGS(x), 2, 0.5, 0, -1.5);
    EXPECT_OP(a, OP_RELU, NOATTR, 0, SCALAR, ARGS(x), 0, 0, 0, 1.5);
    EXPECT_OP(a, OP_RELU, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(2), NAN, -INFINITY)), NAN, 0);   /* NaN stays, torch.relu */
    /* f32's range: e^89 = 4.49e38 is past FLT_MAX = 3.40e38; e^88 = 1.65e38 is not */
    EXPECT_OP(a, OP_EXP, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(2), 89, 88)), INFINITY, 1.651636255e38);
    /* ... and its underflow: e^-104 = 6.8e-46 is below half the smallest denormal 2^-149 = 1.4e-45; a zero keeps
     * its sign (1 / -0 = -inf) */
    EXPECT_OP(a, OP_EXP, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(1), -104)), 0);
    EXPECT_OP(a, OP_DIV, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(2), 1, 1), F32(SHAPE(2), -0.0, 0.0)), -INFINITY, INFINITY);
    EXPECT_OP(a, OP_LEAKY_RELU, ((Attr){.value = 0.1}), 0, SCALAR, ARGS(x), -0.2, -0.05, 0, 1.5);
    /* 1/(1+e^2) = 1/8.389056099; 1/(1+e^0.5) = 1/2.648721271; 1/(1+e^-1.5) = 1/1.22313016 */
    EXPECT_OP(a, OP_SIGMOID, NOATTR, 0, SCALAR, ARGS(x), 0.119202922, 0.377540669, 0.5, 0.817574476);
    EXPECT_OP(a, OP_TANH, NOATTR, 0, SCALAR, ARGS(x), -0.96402758, -0.462117157, 0, 0.905148254);
    EXPECT_OP(a, OP_ABS, NOATTR, 0, SCALAR, ARGS(x), 2, 0.5, 0, 1.5);
    EXPECT_OP(a, OP_STEP, NOATTR, 0, SCALAR, ARGS(x), 0, 0, 0, 1);
    EXPECT_OP(a, OP_SIGN, NOATTR, 0, SCALAR, ARGS(x), -1, -1, 0, 1);
    EXPECT_OP(a, OP_EXP, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(3), 0, 1, -1)), 1, 2.718281828, 0.367879441);
    EXPECT_OP(a, OP_LOG, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(3), 1, 2.718281828459045, 0.5)), 0, 1, -0.693147181);
    EXPECT_OP(a, OP_SQRT, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(3), 4, 2, 0)), 2, 1.414213562, 0);
    /* casts: f32 -> i32 truncates toward zero */
    EXPECT_OP(a, OP_CAST, NOATTR, DT_I32, SCALAR, ARGS(F32(SHAPE(3), -2.7, 2.7, 3)), -2, 2, 3);
    EXPECT_OP(a, OP_CAST, NOATTR, DT_F32, SCALAR, ARGS(I32(SHAPE(2), -4, 9)), -4, 9);
    EXPECT_OP(a, OP_NEG, NOATTR, 0, SCALAR, ARGS(I32(SHAPE(2), -4, 9)), 4, -9);
}

static void test_binary(Arena *a) {
    Operand col = F32(SHAPE(2, 1), 1, 2), row = F32(SHAPE(3), 10, 20, 30);
    EXPECT_OP(a, OP_ADD, NOATTR, 0, SCALAR, ARGS(col, row), 11, 21, 31, 12, 22, 32);
    EXPECT_OP(a, OP_SUB, NOATTR, 0, SCALAR, ARGS(col, row), -9, -19, -29, -8, -18, -28);
    EXPECT_OP(a, OP_MUL, NOATTR, 0, SCALAR, ARGS(col, row), 10, 20, 30, 20, 40, 60);
    EXPECT_OP(a, OP_DIV, NOATTR, 0, SCALAR, ARGS(row, col), 10, 20, 30, 5, 10, 15);
    /* [[2],[3]] ** [1,2,3] */
    EXPECT_OP(a, OP_POW, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(2, 1), 2, 3), F32(SHAPE(3), 1, 2, 3)), 2, 4, 8, 3, 9, 27);
    Operand p = F32(SHAPE(3), 1, 5, 3), q = F32(SHAPE(3), 4, 2, 3);
    EXPECT_OP(a, OP_MAXIMUM, NOATTR, 0, SCALAR, ARGS(p, q), 4, 5, 3);
    EXPECT_OP(a, OP_EQ, NOATTR, 0, SCALAR, ARGS(p, q), 0, 0, 1);
    EXPECT_OP(a, OP_GT, NOATTR, 0, SCALAR, ARGS(p, q), 0, 1, 0);
    /* relu_dx(dy, y): dy unless y <= 0, so a NaN y passes dy and an infinite dy at y = 0 gives 0 */
    EXPECT_OP(a, OP_RELU_DX, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(4), 5, -6, INFINITY, 8), F32(SHAPE(4), 0, 2, 0, NAN)),
              0, -6, 0, 8);
    /* a scalar operand */
    EXPECT_OP(a, OP_MUL, NOATTR, 0, SCALAR, ARGS(F32(SCALAR, 2), p), 2, 10, 6);
    /* i32 division truncates; by zero gives 0 (documented) */
    EXPECT_OP(a, OP_DIV, NOATTR, 0, SCALAR, ARGS(I32(SHAPE(3), 7, -7, 5), I32(SHAPE(3), 2, 2, 0)), 3, -3, 0);
    EXPECT_OP(a, OP_EQ, NOATTR, 0, SCALAR, ARGS(I32(SHAPE(2), 1, 2), I32(SCALAR, 2)), 0, 1);
    /* rank 3: [2,1,2] + [3,1] -> [2,3,2], out[i][j][k] = a[i][0][k] + b[j][0] */
    EXPECT_OP(a, OP_ADD, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(2, 1, 2), 1, 2, 3, 4), F32(SHAPE(3, 1), 10, 20, 30)),
              11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34);
}

/* The ops of the modern-models set (sema_math.c lowers the built-ins to them). */
static void test_elem_ops(Arena *a) {
    /* erf, from PyTorch in float64 (torch.erf) */
    EXPECT_OP(a, OP_ERF, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(4), 0, 0.5, -1, 2)), 0, 0.5204998778130465,
              -0.8427007929497149, 0.9953222650189527);
    /* clip to [-1, 0.5]: NaN stays NaN (torch.clamp); an infinite bound never clips */
    Operand x = F32(SHAPE(5), -2, -0.5, 0, 1.5, NAN);
    EXPECT_OP(a, OP_CLIP, ((Attr){.value = -1, .value2 = 0.5}), 0, SCALAR, ARGS(x), -1, -0.5, 0, 0.5, NAN);
    EXPECT_OP(a, OP_CLIP, ((Attr){.value = -INFINITY, .value2 = 0}), 0, SCALAR, ARGS(x), -2, -0.5, 0, 0, NAN);
    /* gelu, both forms, and their adjoints gelu_dx(dy, x): from PyTorch in float64
     * (F.gelu(x, approximate=...) and its backward with the dy below); at
     * x = -inf gelu is -inf * 0 = NaN and at +-inf the slope inf * 0 = NaN, as
     * PyTorch in float32 gives */
    Operand gx = F32(SHAPE(5), 0, 0.5, -1, 2, -3), gdy = F32(SHAPE(5), 1, 2, -1, 0.5, 3);
    EXPECT_OP(a, OP_GELU, NOATTR, 0, SCALAR, ARGS(gx), 0, 0.34573123063700656, -0.15865525393145702,
              1.9544997361036416, -0.00404969409489031);
    EXPECT_OP(a, OP_GELU_TANH, NOATTR, 0, SCALAR, ARGS(gx), 0, 0.34571400982514394, -0.15880800939172324,
              1.954597694087775, -0.0036373920817729943);
    EXPECT_OP(a, OP_GELU_DX, NOATTR, 0, SCALAR, ARGS(gdy, gx), 0.5, 1.7349902493123257, 0.08331547058768635,
              0.5426159005390985, -0.035836941612551756);
    EXPECT_OP(a, OP_GELU_TANH_DX, NOATTR, 0, SCALAR, ARGS(gdy, gx), 0.5, 1.7347398070692848, 0.08296408384578252,
              0.5430496283118091, -0.03475249989290895);
    Operand inf = F32(SHAPE(3), INFINITY, -INFINITY, NAN), ones = F32(SHAPE(3), 1, 1, 1);
    EXPECT_OP(a, OP_GELU, NOATTR, 0, SCALAR, ARGS(inf), INFINITY, NAN, NAN);
    EXPECT_OP(a, OP_GELU_TANH, NOATTR, 0, SCALAR, ARGS(inf), INFINITY, NAN, NAN);
    EXPECT_OP(a, OP_GELU_DX, NOATTR, 0, SCALAR, ARGS(ones, inf), NAN, NAN, NAN);
    EXPECT_OP(a, OP_GELU_TANH_DX, NOATTR, 0, SCALAR, ARGS(ones, inf), NAN, NAN, NAN);
    /* minimum of [[1],[2]] and [10, 1.5, -3] */
    EXPECT_OP(a, OP_MINIMUM, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(2, 1), 1, 2), F32(SHAPE(3), 10, 1.5, -3)),
              1, 1, -3, 2, 1.5, -3);
    EXPECT_OP(a, OP_MINIMUM, NOATTR, 0, SCALAR, ARGS(I32(SHAPE(2), 4, -7), I32(SCALAR, 0)), 0, -7);
    /* NaN on either side propagates through maximum and minimum, as torch's */
    Operand n = F32(SHAPE(2), NAN, 1), m = F32(SHAPE(2), 1, NAN);
    EXPECT_OP(a, OP_MAXIMUM, NOATTR, 0, SCALAR, ARGS(n, m), NAN, NAN);
    EXPECT_OP(a, OP_MINIMUM, NOATTR, 0, SCALAR, ARGS(n, m), NAN, NAN);
    Operand p = F32(SHAPE(4), 1, 5, 3, NAN), q = F32(SHAPE(4), 4, 2, 3, NAN);
    EXPECT_OP(a, OP_GE, NOATTR, 0, SCALAR, ARGS(p, q), 0, 1, 1, 0);
    EXPECT_OP(a, OP_NE, NOATTR, 0, SCALAR, ARGS(p, q), 1, 1, 0, 1);   /* NaN != NaN */
    /* keep(mask, y): y where the mask is non-zero, 0 (not 0 * inf) elsewhere */
    EXPECT_OP(a, OP_KEEP, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(4), 1, 0, -2, 0), F32(SHAPE(4), 7, INFINITY, 3, NAN)),
              7, 0, 3, 0);
    /* f32 -> i32 saturates: NaN -> 0, beyond the range -> its ends */
    EXPECT_OP(a, OP_CAST, NOATTR, DT_I32, SCALAR, ARGS(F32(SHAPE(4), NAN, 3e9, -3e9, -0.5)), 0, 2147483647,
              -2147483648.0, 0);
}

static void test_reduce(Arena *a) {
    Operand x = F32(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    EXPECT_OP(a, OP_SUM, ((Attr){.axes = 2}), 0, SCALAR, ARGS(x), 6, 15);
    EXPECT_OP(a, OP_SUM, ((Attr){.axes = 1, .keepdims = true}), 0, SCALAR, ARGS(x), 5, 7, 9);
    EXPECT_OP(a, OP_SUM, ((Attr){.axes = 3}), 0, SCALAR, ARGS(x), 21);
    EXPECT_OP(a, OP_MEAN, ((Attr){.axes = 1}), 0, SCALAR, ARGS(x), 2.5, 3.5, 4.5);
    EXPECT_OP(a, OP_MEAN, ((Attr){.axes = 3}), 0, SCALAR, ARGS(x), 3.5);
    EXPECT_OP(a, OP_MAX, ((Attr){.axes = 2}), 0, SCALAR, ARGS(x), 3, 6);
    EXPECT_OP(a, OP_MAX, ((Attr){.axes = 1}), 0, SCALAR, ARGS(F32(SHAPE(2, 2), -1, -5, -3, -2)), -1, -2);
    /* x[i][j][k] = 1 + 4i + 2j + k over axes {0, 2}: j=0: 1+2+5+6 = 14, j=1: 3+4+7+8 = 22 */
    EXPECT_OP(a, OP_SUM, ((Attr){.axes = 5}), 0, SCALAR, ARGS(F32(SHAPE(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8)), 14, 22);
    EXPECT_OP(a, OP_SUM, ((Attr){.axes = 1}), 0, SCALAR, ARGS(I32(SHAPE(3), 1, 2, 4)), 7);
}

static void test_data_movement(Arena *a) {
    Operand x = F32(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    EXPECT_OP(a, OP_RESHAPE, NOATTR, 0, SHAPE(3, 2), ARGS(x), 1, 2, 3, 4, 5, 6);
    EXPECT_OP(a, OP_TRANSPOSE, ((Attr){.perm = {1, 0}}), 0, SCALAR, ARGS(x), 1, 4, 2, 5, 3, 6);
    EXPECT_OP(a, OP_BROADCAST, NOATTR, 0, SHAPE(2, 3), ARGS(F32(SHAPE(3), 1, 2, 3)), 1, 2, 3, 1, 2, 3);
    EXPECT_OP(a, OP_BROADCAST, NOATTR, 0, SHAPE(2, 2), ARGS(F32(SHAPE(2, 1), 1, 2)), 1, 1, 2, 2);
    int64_t nl;
    double *lit = run_op(a, OP_LITERAL, (Attr){.data = V(1.5, -2)}, DT_F32, SHAPE(2), 0, NULL, &nl);
    expect("literal", lit, nl, V(1.5, -2), 2, 0);
    double *cst = run_op(a, OP_CONST, (Attr){.value = 7}, DT_I32, SHAPE(2, 2), 0, NULL, &nl);
    expect("const", cst, nl, V(7, 7, 7, 7), 4, 0);
    /* rank 3, perm [2,0,1]: out[k][i][j] = x[i][j][k]; x = flat index i*12 + j*4 + k */
    double x3[24];
    for (int i = 0; i < 24; i++) x3[i] = i;
    Operand in = {DT_F32, SHAPE(2, 3, 4), x3};
    int64_t n;
    double *y = run_op(a, OP_TRANSPOSE, (Attr){.perm = {2, 0, 1}}, 0, SCALAR, 1, &in, &n);
    CHECK(n == 24);
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++) CHECK(y[k * 6 + i * 3 + j] == i * 12 + j * 4 + k);
}

/* x = [[1, 2, 3], [4, 5, 6]]. */
static void test_index(Arena *a) {
    Operand x = F32(SHAPE(2, 3), 1, 2, 3, 4, 5, 6);
    /* x[:, 1:] = [[2, 3], [5, 6]] */
    EXPECT_OP(a, OP_SLICE, ((Attr){.start = {0, 1}, .step = {1, 1}}), 0, SHAPE(2, 2), ARGS(x), 2, 3, 5, 6);
    /* x[1:, ::2] = [[4, 6]] */
    EXPECT_OP(a, OP_SLICE, ((Attr){.start = {1, 0}, .step = {1, 2}}), 0, SHAPE(1, 2), ARGS(x), 4, 6);
    /* its adjoint: [7, 8] back at (1, 0) and (1, 2), zeros elsewhere */
    EXPECT_OP(a, OP_SLICE_DX, ((Attr){.start = {1, 0}, .step = {1, 2}}), 0, SHAPE(2, 3),
              ARGS(F32(SHAPE(1, 2), 7, 8)), 0, 0, 0, 7, 0, 8);
    /* concat([[9], [10]], x, axis 1) = [[9, 1, 2, 3], [10, 4, 5, 6]] */
    EXPECT_OP(a, OP_CONCAT, ((Attr){.axis = 1}), 0, SCALAR, ARGS(F32(SHAPE(2, 1), 9, 10), x), 9, 1, 2, 3, 10, 4, 5,
              6);
    /* concat(x, [[7, 8, 9]], axis 0): the rows one after the other; and of i32 */
    EXPECT_OP(a, OP_CONCAT, ((Attr){.axis = 0}), 0, SCALAR, ARGS(x, F32(SHAPE(1, 3), 7, 8, 9)), 1, 2, 3, 4, 5, 6, 7, 8,
              9);
    EXPECT_OP(a, OP_CONCAT, ((Attr){.axis = 0}), 0, SCALAR, ARGS(I32(SHAPE(1), 3), I32(SHAPE(2), -1, 4)), 3, -1, 4);
}

static void test_matmul(Arena *a) {
    /* [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]]: 7+18+33 = 58, 8+20+36 = 64,
     * 28+45+66 = 139, 32+50+72 = 154 */
    Operand A = F32(SHAPE(2, 3), 1, 2, 3, 4, 5, 6), B = F32(SHAPE(3, 2), 7, 8, 9, 10, 11, 12);
    Operand At = F32(SHAPE(3, 2), 1, 4, 2, 5, 3, 6), Bt = F32(SHAPE(2, 3), 7, 9, 11, 8, 10, 12);
    EXPECT_OP(a, OP_MATMUL, NOATTR, 0, SCALAR, ARGS(A, B), 58, 64, 139, 154);
    EXPECT_OP(a, OP_MATMUL, ((Attr){.trans_a = true}), 0, SCALAR, ARGS(At, B), 58, 64, 139, 154);
    EXPECT_OP(a, OP_MATMUL, ((Attr){.trans_b = true}), 0, SCALAR, ARGS(A, Bt), 58, 64, 139, 154);
    EXPECT_OP(a, OP_MATMUL, ((Attr){.trans_a = true, .trans_b = true}), 0, SCALAR, ARGS(At, Bt), 58, 64, 139, 154);
    /* A batch of two against one B: the first product as above; the second
     * [[1,0,0],[0,1,-1]] @ B = [[7, 8], [9-11, 10-12]] = [[7, 8], [-2, -2]] */
    Operand A2 = F32(SHAPE(2, 2, 3), 1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, -1);
    EXPECT_OP(a, OP_MATMUL, NOATTR, 0, SCALAR, ARGS(A2, B), 58, 64, 139, 154, 7, 8, -2, -2);
    /* the same with A's matrices stored transposed and B transposed */
    Operand A2t = F32(SHAPE(2, 3, 2), 1, 4, 2, 5, 3, 6, 1, 0, 0, 1, 0, -1);
    EXPECT_OP(a, OP_MATMUL, ((Attr){.trans_a = true, .trans_b = true}), 0, SCALAR, ARGS(A2t, Bt), 58, 64, 139, 154,
              7, 8, -2, -2);
    /* batch axes broadcast both ways: A [2, 1, 1, 2] (rows a0 = [1, 2], a1 = [3, -1]) @ B [1, 3, 2, 1]
     * (columns b0 = [1, 0], b1 = [0, 1], b2 = [2, 5]) -> C [2, 3, 1, 1], C[i][j] = ai . bj:
     * 1, 2, 2+10 = 12; 3, -1, 6-5 = 1 */
    Operand Ab = F32(SHAPE(2, 1, 1, 2), 1, 2, 3, -1), Bb = F32(SHAPE(1, 3, 2, 1), 1, 0, 0, 1, 2, 5);
    EXPECT_OP(a, OP_MATMUL, NOATTR, 0, SCALAR, ARGS(Ab, Bb), 1, 2, 12, 3, -1, 1);
    /* one matrix against a batch: [1, 2] @ [[3], [4]] = 11, [1, 2] @ [[5], [-1]] = 3 */
    EXPECT_OP(a, OP_MATMUL, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(1, 2), 1, 2), F32(SHAPE(2, 2, 1), 3, 4, 5, -1)), 11, 3);
}

static void test_softmax(Arena *a) {
    /* softmax([1,2,3]) = [e^-2, e^-1, 1] / 1.503214724 */
    EXPECT_OP(a, OP_SOFTMAX, ((Attr){.axis = 0}), 0, SCALAR, ARGS(F32(SHAPE(3), 1, 2, 3)),
              0.0900305732, 0.244728471, 0.665240956);
    /* log(1.503214724) = 0.407605964 */
    EXPECT_OP(a, OP_LOG_SOFTMAX, ((Attr){.axis = 0}), 0, SCALAR, ARGS(F32(SHAPE(3), 1, 2, 3)),
              -2.40760596, -1.40760596, -0.407605964);
    /* axis 0 of [[1,1],[2,3]]: columns [1,2] -> [1/(1+e), e/(1+e)], [1,3] -> [1/(1+e^2), e^2/(1+e^2)] */
    EXPECT_OP(a, OP_SOFTMAX, ((Attr){.axis = 0}), 0, SCALAR, ARGS(F32(SHAPE(2, 2), 1, 1, 2, 3)),
              0.268941421, 0.119202922, 0.731058579, 0.880797078);
    /* stable for large inputs */
    EXPECT_OP(a, OP_SOFTMAX, ((Attr){.axis = 1}), 0, SCALAR, ARGS(F32(SHAPE(1, 2), 1000, 1000)), 0.5, 0.5);
    EXPECT_OP(a, OP_LOG_SOFTMAX, ((Attr){.axis = 1}), 0, SCALAR, ARGS(F32(SHAPE(1, 2), 1000, 1000)),
              -0.693147181, -0.693147181);
}

/* layer_norm and its adjoint, from PyTorch in float64: F.layer_norm(x, [3],
 * eps=1e-5) and x.grad of its backward with the dy below; with eps = 0 a
 * constant row is 0 / 0 = NaN (PyTorch too), and axis 0 of [2, 2] normalises
 * all four elements: [1, 2, 3, 4] -> (x - 2.5) / sqrt(1.25) */
static void test_layer_norm(Arena *a) {
    Operand x = F32(SHAPE(2, 3), 1, 2, 4, 0, -1, 3), dy = F32(SHAPE(2, 3), 1, -2, 0.5, 3, 1, -1);
    EXPECT_OP(a, OP_LAYER_NORM, ((Attr){.axis = 1, .value = 1e-5}), 0, SCALAR, ARGS(x), -1.069041531450298,
              -0.2672603828625746, 1.3363019143128718, -0.3922315914145858, -0.9805789785364645, 1.37281056995105);
    EXPECT_OP(a, OP_LAYER_NORM_DX, ((Attr){.axis = 1, .value = 1e-5}), 0, SCALAR, ARGS(x, dy), 0.9735911492720329,
              -1.4603871534309036, 0.4867960041588706, 0.9051507663013793, -0.6788600198559447,
              -0.22629074644543457);
    EXPECT_OP(a, OP_LAYER_NORM, ((Attr){.axis = 1}), 0, SCALAR, ARGS(F32(SHAPE(2, 2), 1, 2, 3, 3)), -1, 1, NAN, NAN);
    EXPECT_OP(a, OP_LAYER_NORM, ((Attr){.axis = 0}), 0, SCALAR, ARGS(F32(SHAPE(2, 2), 1, 2, 3, 4)),
              -1.3416407864998738, -0.4472135954999579, 0.4472135954999579, 1.3416407864998738);
}

static void test_conv(Arena *a) {
    Operand x = F32(SHAPE(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9), w = F32(SHAPE(1, 1, 2, 2), 1, 2, 3, 4);
    /* 1+4+12+20 = 37, 2+6+15+24 = 47, 4+10+21+32 = 67, 5+12+24+36 = 77 */
    EXPECT_OP(a, OP_CONV2D, ((Attr){.stride = {1, 1}}), 0, SCALAR, ARGS(x, w), 37, 47, 67, 77);
    /* pad 1, stride 2 -> 2x2: (0,0) sees x00*w11 = 4; (0,1) x01*w10 + x02*w11 = 6+12 = 18;
     * (1,0) x10*w01 + x20*w11 = 8+28 = 36; (1,1) 5+12+24+36 = 77 */
    EXPECT_OP(a, OP_CONV2D, ((Attr){.stride = {2, 2}, .pad = {1, 1}}), 0, SCALAR, ARGS(x, w), 4, 18, 36, 77);
    /* dx of dy = [[1,0],[0,0]]: w placed at the top-left */
    EXPECT_OP(a, OP_CONV2D_DX, ((Attr){.stride = {1, 1}}), 0, SHAPE(1, 1, 3, 3),
              ARGS(F32(SHAPE(1, 1, 2, 2), 1, 0, 0, 0), w), 1, 2, 0, 3, 4, 0, 0, 0, 0);
    /* dw of dy = ones: window sums 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28 */
    EXPECT_OP(a, OP_CONV2D_DW, ((Attr){.stride = {1, 1}}), 0, SHAPE(1, 1, 2, 2),
              ARGS(x, F32(SHAPE(1, 1, 2, 2), 1, 1, 1, 1)), 12, 16, 24, 28);

    /* The adjoint identity <conv(x,w), dy> = <x, conv_dx(dy,w)> = <w, conv_dw(x,dy)>,
     * several channels, stride 2, pad 1, odd sizes. */
    Attr at = {.stride = {2, 1}, .pad = {1, 1}};
    Shape xs = SHAPE(2, 2, 5, 4), ws = SHAPE(3, 2, 3, 2), ys;
    CHECK(shape_conv2d(xs, ws, at.stride, at.pad, &ys));
    double xv[80], wv[36], dyv[120];   /* 2*2*5*4 = 80, 3*2*3*2 = 36 */
    CHECK(shape_count(xs) == 80 && shape_count(ws) == 36);
    unsigned r = 12345;
    for (int i = 0; i < 80; i++) xv[i] = (r = r * 1103515245u + 12345u) % 1000 / 500.0 - 1;
    for (int i = 0; i < 36; i++) wv[i] = (r = r * 1103515245u + 12345u) % 1000 / 500.0 - 1;
    CHECK(shape_count(ys) <= 120);
    for (int i = 0; i < shape_count(ys); i++) dyv[i] = (r = r * 1103515245u + 12345u) % 1000 / 500.0 - 1;
    Operand X = {DT_F32, xs, xv}, Wt = {DT_F32, ws, wv}, DY = {DT_F32, ys, dyv};
    double *y = run_op(a, OP_CONV2D, at, 0, SCALAR, 2, (Operand[]){X, Wt}, NULL);
    double *dx = run_op(a, OP_CONV2D_DX, at, 0, xs, 2, (Operand[]){DY, Wt}, NULL);
    double *dw = run_op(a, OP_CONV2D_DW, at, 0, ws, 2, (Operand[]){X, DY}, NULL);
    double d1 = 0, d2 = 0, d3 = 0;
    for (int i = 0; i < shape_count(ys); i++) d1 += y[i] * dyv[i];
    for (int i = 0; i < 80; i++) d2 += xv[i] * dx[i];
    for (int i = 0; i < 36; i++) d3 += wv[i] * dw[i];
    CHECK_NEAR(d2, d1, 1e-12);
    CHECK_NEAR(d3, d1, 1e-12);
    /* and one output element by the definition: y[0,0,0,0] = sum over c, kh, kw of
     * x[0,c,kh-1,kw-1] w[0,c,kh,kw] (row/col -1 is padding) */
    double y0 = 0;
    for (int c = 0; c < 2; c++)
        for (int kh = 1; kh < 3; kh++)
            for (int kw = 1; kw < 2; kw++) y0 += xv[(c * 5 + kh - 1) * 4 + kw - 1] * wv[(c * 3 + kh) * 2 + kw];
    CHECK_NEAR(y[0], y0, 1e-12);
}

static void test_pool(Arena *a) {
    Operand x = F32(SHAPE(1, 1, 4, 4), 1, 3, 2, 1, 4, 2, 0, 5, 1, 1, 2, 2, 1, 1, 2, 2);
    Attr k2 = {.size = {2, 2}, .stride = {2, 2}};
    EXPECT_OP(a, OP_MAXPOOL2D, k2, 0, SCALAR, ARGS(x), 4, 5, 1, 2);
    /* dy routed to the first maximum of each window: 4 at (1,0), 5 at (1,3), and for the
     * tied windows the first in row-major order: (2,0) and (2,2) */
    EXPECT_OP(a, OP_MAXPOOL2D_DX, k2, 0, SCALAR, ARGS(x, F32(SHAPE(1, 1, 2, 2), 10, 20, 30, 40)),
              0, 0, 0, 0, 10, 0, 0, 20, 30, 0, 40, 0, 0, 0, 0, 0);
    /* overlapping windows (stride 1) both pick the 5 at (0,1): it gets 1 + 2 */
    Attr s1 = {.size = {2, 2}, .stride = {1, 1}};
    EXPECT_OP(a, OP_MAXPOOL2D_DX, s1, 0, SCALAR,
              ARGS(F32(SHAPE(1, 1, 2, 3), 1, 5, 1, 1, 1, 1), F32(SHAPE(1, 1, 1, 2), 1, 2)), 0, 3, 0, 0, 0, 0);
    /* (1+3+4+2)/4 = 2.5, (2+1+0+5)/4 = 2, 1, 2 */
    EXPECT_OP(a, OP_AVGPOOL2D, k2, 0, SCALAR, ARGS(x), 2.5, 2, 1, 2);
    EXPECT_OP(a, OP_AVGPOOL2D_DX, k2, 0, SHAPE(1, 1, 4, 4), ARGS(F32(SHAPE(1, 1, 2, 2), 4, 8, 12, 16)),
              1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
}

static void test_losses(Arena *a) {
    EXPECT_OP(a, OP_ONE_HOT, ((Attr){.classes = 3}), 0, SCALAR, ARGS(I32(SHAPE(3), 2, 0, 1)),
              0, 0, 1, 1, 0, 0, 0, 1, 0);
    Operand logits = F32(SHAPE(2, 3), 1, 2, 3, 0, 0, 0);
    /* row 0: -log_softmax([1,2,3])[2] = 0.407605964; row 1: log 3 = 1.098612289; mean */
    EXPECT_OP(a, OP_SCE, NOATTR, 0, SCALAR, ARGS(logits, I32(SHAPE(2), 2, 1)), (0.407605964 + 1.098612289) / 2);
    /* (softmax - onehot) * dloss / N with dloss = 2, N = 2 */
    EXPECT_OP(a, OP_SCE_DX, NOATTR, 0, SCALAR, ARGS(logits, I32(SHAPE(2), 2, 1), F32(SCALAR, 2)),
              0.0900305732, 0.244728471, 0.665240956 - 1, 1.0 / 3, 1.0 / 3 - 1, 1.0 / 3);
    /* bce: -log 0.5 = 0.693147181, -log 0.1 = 2.302585093, p = 0 with t = 1: clamped 100 */
    Operand p = F32(SHAPE(3), 0.5, 0.9, 0), t = F32(SHAPE(3), 1, 0, 1);
    EXPECT_OP(a, OP_BCE, NOATTR, 0, SCALAR, ARGS(p, t), (0.693147181 + 2.302585093 + 100) / 3);
    /* dloss/n (p - t) / max(p(1-p), 1e-12f) with dloss = 3, n = 3: -0.5/0.25, 0.9/0.09, and
     * -1/(float)1e-12 = -1/9.99999996e-13 (PyTorch's epsilon is a float) */
    EXPECT_OP(a, OP_BCE_DX, NOATTR, 0, SCALAR, ARGS(p, t, F32(SCALAR, 3)), -2, 10, -1.0000000040e12);
}

/* Rows of a table by i32 ids, and the scatter-add of the adjoint. */
static void test_gather(Arena *a) {
    Operand table = F32(SHAPE(3, 2), 10, 11, 20, 21, 30, 31);   /* row v = [10(v+1), 10(v+1)+1] */
    /* ids [2, 2]: rows 2, 0, 2, 1 -> [2, 2, 2] */
    EXPECT_OP(a, OP_GATHER, NOATTR, 0, SCALAR, ARGS(table, I32(SHAPE(2, 2), 2, 0, 2, 1)),
              30, 31, 10, 11, 30, 31, 20, 21);
    /* a scalar id: one row, f32[2] */
    EXPECT_OP(a, OP_GATHER, NOATTR, 0, SCALAR, ARGS(table, I32(SCALAR, 1)), 20, 21);
    /* a table of rank 1 (V = 4): its elements, in the ids' shape */
    EXPECT_OP(a, OP_GATHER, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(4), 5, 6, 7, 8), I32(SHAPE(3), 3, 3, 0)), 8, 8, 5);
    /* a table of rank 3 [2, 1, 2] by ids [3]: [3, 1, 2] */
    EXPECT_OP(a, OP_GATHER, NOATTR, 0, SCALAR, ARGS(F32(SHAPE(2, 1, 2), 1, 2, 3, 4), I32(SHAPE(3), 1, 0, 1)),
              3, 4, 1, 2, 3, 4);
    /* the adjoint of ids [2, 0, 2, 1] into [3, 2]: row 0 gets dy row 1 = (3, 4); row 1 gets row 3 = (7, 8);
     * row 2 gets rows 0 and 2 = (1 + 5, 2 + 6) = (6, 8): a repeated id sums */
    EXPECT_OP(a, OP_GATHER_DX, NOATTR, DT_F32, SHAPE(3, 2),
              ARGS(F32(SHAPE(4, 2), 1, 2, 3, 4, 5, 6, 7, 8), I32(SHAPE(4), 2, 0, 2, 1)), 3, 4, 7, 8, 6, 8);
}

static void test_random_mask(Arena *a) {
    enum { N = 10000 };
    Operand state = I32(SHAPE(2), 7, 3);
    int64_t n;
    double *y = run_op(a, OP_RANDOM_MASK, (Attr){.value = 0.25, .salt = 1}, DT_F32, SHAPE(N), 1, &state, &n);
    CHECK(n == N);
    int kept = 0;
    for (int i = 0; i < N; i++) {
        /* the shared definition: element i is kept when dm_dropout_keep says so */
        double want = dm_dropout_keep(7, 3, 1, (uint32_t)i, 0.25f) ? 1 / 0.75 : 0;
        CHECK_NEAR(y[i], want, 1e-12);
        kept += y[i] != 0;
    }
    CHECK(kept > N * 0.72 && kept < N * 0.78);
}

/* The seed's logistic model: sigmoid(x @ W + b) with x = [1, 2], W = [0.1, 0.2], b = 0.3
 * is sigmoid(0.8) = 0.689974481 (docs/language.md); the second row [2, 2] gives sigmoid(0.9). */
static void test_logreg(Arena *a) {
    Model *m = new_model(a, "logreg");
    Graph *g = &m->forward;
    int tx = add_tensor(a, m, "x", TK_INPUT, DT_F32, SHAPE(2, 2));
    int tw = add_tensor(a, m, "W", TK_PARAM, DT_F32, SHAPE(2));
    int tb = add_tensor(a, m, "b", TK_PARAM, DT_F32, SCALAR);
    int tp = add_tensor(a, m, "p", TK_OUTPUT, DT_F32, SHAPE(2));
    int x = graph_load(a, g, m, tx), w = graph_reshape(a, g, graph_load(a, g, m, tw), SHAPE(2, 1));
    int xw = graph_reshape(a, g, graph_matmul(a, g, x, w, false, false), SHAPE(2));
    int p = graph_unary(a, g, OP_SIGMOID, graph_binary(a, g, OP_ADD, xw, graph_load(a, g, m, tb)));
    graph_store(a, g, tp, p);
    model_verify(m);
    TensorStore *s = store_new(a, m);
    CHECK(s->values[tp][0] == 0 && s->values[tp][1] == 0);   /* zero-filled */
    memcpy(s->values[tx], V(1, 2, 2, 2), 4 * sizeof(double));
    memcpy(s->values[tw], V(0.1, 0.2), 2 * sizeof(double));
    s->values[tb][0] = 0.3;
    interp_run(a, m, g, s);
    CHECK_NEAR(s->values[tp][0], 0.689974481, 1e-9);
    CHECK_NEAR(s->values[tp][1], 0.710949503, 1e-9);   /* 1/(1+e^-0.9) = 1/1.40656966 */
}

/* A class index outside [0, classes) is an error (DM_ERANGE) that names the
 * labels, the element and the value, and leaves the store unchanged: loaded
 * labels are checked before any node runs, computed ones (y + 1) before
 * their reader, and no store happens before every node has run. */
static void test_bad_labels(Arena *a) {
    Model *m = new_model(a, "bad");
    Graph *g = &m->forward;
    int ty = add_tensor(a, m, "y", TK_INPUT, DT_I32, SHAPE(2));
    int tz = add_tensor(a, m, "z", TK_INPUT, DT_F32, SHAPE(2, 3));
    int tp = add_tensor(a, m, "p", TK_OUTPUT, DT_F32, SHAPE(2, 3));
    int to = add_tensor(a, m, "o", TK_OUTPUT, DT_F32, SHAPE(2, 3));
    int tl = add_tensor(a, m, "l", TK_OUTPUT, DT_F32, SCALAR);
    int y = graph_load(a, g, m, ty), z = graph_load(a, g, m, tz);
    graph_store(a, g, tp, graph_binary(a, g, OP_MUL, z, graph_scalar(a, g, 2)));   /* stored first */
    graph_store(a, g, to, graph_node(a, g, OP_ONE_HOT, &y, 1, (Attr){.classes = 3}));
    int y1 = graph_binary(a, g, OP_ADD, y, graph_node_shaped(a, g, OP_CONST, NULL, 0, (Attr){.value = 1}, DT_I32, SCALAR));
    graph_store(a, g, tl, graph_node(a, g, OP_SCE, (int[]){z, y1}, 2, (Attr){0}));
    model_verify(m);
    TensorStore *s = store_new(a, m);
    for (int i = 0; i < 6; i++) s->values[tz][i] = i, s->values[tp][i] = s->values[to][i] = 7;
    s->values[tl][0] = 7;
    const double bad[][2] = {{1, 3}, {-1, 0}, {1, 2}};
    const char *want[] = {"input 'y' holds 3 at [1], not a class index in [0, 3)",
                          "input 'y' holds -1 at [0], not a class index in [0, 3)",
                          "the labels of softmax_cross_entropy holds 3 at [1], not a class index in [0, 3)"};
    for (int k = 0; k < 3; k++) {
        memcpy(s->values[ty], bad[k], sizeof bad[k]);
        CHECK(interp_run(a, m, g, s) == DM_ERANGE);
        CHECK(s->error && strcmp(s->error, want[k]) == 0);
        if (s->error && strcmp(s->error, want[k]) != 0) fprintf(stderr, "  message: %s\n", s->error);
        for (int i = 0; i < 6; i++) CHECK(s->values[tp][i] == 7 && s->values[to][i] == 7);
        CHECK(s->values[tl][0] == 7);
    }
    s->values[ty][0] = 0, s->values[ty][1] = 1;   /* y + 1 = [1, 2] */
    CHECK(interp_run(a, m, g, s) == 0 && s->error == NULL);
    CHECK(s->values[tp][5] == 10 && s->values[to][0] == 1 && s->values[to][4] == 1);
    /* rows [0,1,2] and [3,4,5], labels 1 and 2: logsumexp - z[label] is
     * log(1+e+e^2) - 1 and 3 + log(1+e+e^2) - 5; the mean of the two */
    CHECK_NEAR(s->values[tl][0], log(1 + exp(1) + exp(2)) - 1.5, 1e-12);
}

/* A gather's id outside [0, V) is an error as a label is: loaded ids before
 * any node runs, computed ones (ids - 1) before the gather, the store unchanged. */
static void test_bad_ids(Arena *a) {
    Model *m = new_model(a, "bad_ids");
    Graph *g = &m->forward;
    int tids = add_tensor(a, m, "ids", TK_INPUT, DT_I32, SHAPE(2, 2));
    int tE = add_tensor(a, m, "E", TK_PARAM, DT_F32, SHAPE(3, 2));
    int tr = add_tensor(a, m, "r", TK_OUTPUT, DT_F32, SHAPE(2, 2, 2));
    int ts = add_tensor(a, m, "s", TK_OUTPUT, DT_F32, SHAPE(2, 2, 2));
    int ids = graph_load(a, g, m, tids), E = graph_load(a, g, m, tE);
    graph_store(a, g, tr, graph_node(a, g, OP_GATHER, (int[]){E, ids}, 2, (Attr){0}));
    int one = graph_node_shaped(a, g, OP_CONST, NULL, 0, (Attr){.value = 1}, DT_I32, SCALAR);
    graph_store(a, g, ts, graph_node(a, g, OP_GATHER, (int[]){E, graph_binary(a, g, OP_SUB, ids, one)}, 2, (Attr){0}));
    model_verify(m);
    TensorStore *s = store_new(a, m);
    for (int i = 0; i < 8; i++) s->values[tr][i] = s->values[ts][i] = 7;
    const double bad[][4] = {{1, 2, 3, 1}, {1, 2, 1, -4}, {1, 2, 0, 1}};
    const char *want[] = {"input 'ids' holds 3 at [1, 0] (element 2), not a class index in [0, 3)",
                          "input 'ids' holds -4 at [1, 1] (element 3), not a class index in [0, 3)",
                          "the id tensor of embedding holds -1 at [1, 0] (element 2), not a class index in [0, 3)"};
    for (int k = 0; k < 3; k++) {
        memcpy(s->values[tids], bad[k], sizeof bad[k]);
        CHECK(interp_run(a, m, g, s) == DM_ERANGE);
        CHECK(s->error && strcmp(s->error, want[k]) == 0);
        if (s->error && strcmp(s->error, want[k]) != 0) fprintf(stderr, "  message: %s\n", s->error);
        for (int i = 0; i < 8; i++) CHECK(s->values[tr][i] == 7 && s->values[ts][i] == 7);
    }
    memcpy(s->values[tids], V(1, 2, 2, 1), 4 * sizeof(double));
    memcpy(s->values[tE], V(0, 1, 2, 3, 4, 5), 6 * sizeof(double));
    CHECK(interp_run(a, m, g, s) == 0 && s->error == NULL);
    /* r = rows 1, 2, 2, 1 = (2,3) (4,5) (4,5) (2,3); s = rows 0, 1, 1, 0 */
    expect("gather of ids", s->values[tr], 8, V(2, 3, 4, 5, 4, 5, 2, 3), 8, 0);
    expect("gather of ids - 1", s->values[ts], 8, V(0, 1, 2, 3, 2, 3, 0, 1), 8, 0);

    /* a scalar id: the message has no element */
    Model *m1 = new_model(a, "one_id");
    g = &m1->forward;
    int tid = add_tensor(a, m1, "id", TK_INPUT, DT_I32, SCALAR);
    tE = add_tensor(a, m1, "E", TK_PARAM, DT_F32, SHAPE(3, 2));
    tr = add_tensor(a, m1, "r", TK_OUTPUT, DT_F32, SHAPE(2));
    int id = graph_load(a, g, m1, tid);
    graph_store(a, g, tr, graph_node(a, g, OP_GATHER, (int[]){graph_load(a, g, m1, tE), id}, 2, (Attr){0}));
    model_verify(m1);
    s = store_new(a, m1);
    s->values[tid][0] = 3;
    CHECK(interp_run(a, m1, g, s) == DM_ERANGE);
    CHECK(s->error && strcmp(s->error, "input 'id' holds 3, not a class index in [0, 3)") == 0);
}

/* A graph that loads W and stores W: the load sees the value from before the run. */
static void test_load_then_store(Arena *a) {
    Model *m = new_model(a, "upd");
    Graph *g = &m->forward;
    int tw = add_tensor(a, m, "W", TK_PARAM, DT_F32, SHAPE(2));
    int to = add_tensor(a, m, "o", TK_OUTPUT, DT_F32, SHAPE(2));
    int w = graph_load(a, g, m, tw);
    graph_store(a, g, tw, graph_binary(a, g, OP_MUL, w, graph_scalar(a, g, 2)));
    graph_store(a, g, to, graph_binary(a, g, OP_ADD, w, graph_scalar(a, g, 1)));
    model_verify(m);
    TensorStore *s = store_new(a, m);
    s->values[tw][0] = 1, s->values[tw][1] = 3;
    interp_run(a, m, g, s);
    CHECK(s->values[tw][0] == 2 && s->values[tw][1] == 6);
    CHECK(s->values[to][0] == 2 && s->values[to][1] == 4);
}

/* train_select(a, b) before the entries pass is a (every graph is a training
 * one); entries_finish makes the forward entry b and the gradients entry a:
 * a buffer r = [1, 2], the batch mean of x = [[1, 2], [3, 6]] is [2, 4],
 * the update r = mu / 4 = [0.5, 1]. */
static void test_train_select(Arena *a) {
    Model *m = new_model(a, "sel");
    Graph *g = &m->forward;
    int tx = add_tensor(a, m, "x", TK_INPUT, DT_F32, SHAPE(2, 2));
    int tr = add_tensor(a, m, "r", TK_BUFFER, DT_F32, SHAPE(2));
    int to = add_tensor(a, m, "o", TK_OUTPUT, DT_F32, SHAPE(2));
    int tl = add_tensor(a, m, "loss", TK_LOSS, DT_F32, SCALAR);
    m->loss_tensor = tl;
    int mu = graph_reduce(a, g, OP_MEAN, graph_load(a, g, m, tx), 1u, false);
    int in[2] = {mu, graph_load(a, g, m, tr)};
    int sel = graph_node(a, g, OP_TRAIN_SELECT, in, 2, (Attr){0});
    graph_store(a, g, to, sel);
    graph_store(a, g, tl, graph_reduce(a, g, OP_SUM, sel, 1u, false));
    graph_store(a, g, tr, graph_binary(a, g, OP_MUL, mu, graph_scalar(a, g, 0.25)));
    graph_copy(a, &m->gradients, g);
    m->gradients.entry = "gradients";
    model_verify(m);
    TensorStore *s = store_new(a, m);
    memcpy(s->values[tx], V(1, 2, 3, 6), 4 * sizeof(double));
    s->values[tr][0] = 1, s->values[tr][1] = 2;
    interp_run(a, m, g, s);
    CHECK(s->values[to][0] == 2 && s->values[to][1] == 4);   /* a: the batch mean */
    CHECK(s->values[tr][0] == 0.5 && s->values[tr][1] == 1);   /* the update: a quarter of it */
    entries_finish(a, m, true);
    model_verify(m);
    for (int i = 0; i < m->forward.n; i++) CHECK(m->forward.nodes[i].op != OP_TRAIN_SELECT);
    s->values[tr][0] = 1, s->values[tr][1] = 2;
    interp_run(a, m, &m->forward, s);
    CHECK(s->values[to][0] == 1 && s->values[to][1] == 2);   /* b: the buffer, not updated */
    CHECK(s->values[tr][0] == 1 && s->values[tr][1] == 2);
    interp_run(a, m, &m->gradients, s);
    CHECK(s->values[to][0] == 2 && s->values[to][1] == 4);   /* a, and the update runs */
    CHECK(s->values[tr][0] == 0.5 && s->values[tr][1] == 1);
}

int main(void) {
    Arena *a = arena_new();
    test_train_select(a);
    test_unary(a);
    test_binary(a);
    test_elem_ops(a);
    test_reduce(a);
    test_data_movement(a);
    test_index(a);
    test_matmul(a);
    test_softmax(a);
    test_layer_norm(a);
    test_conv(a);
    test_pool(a);
    test_losses(a);
    test_gather(a);
    test_random_mask(a);
    test_logreg(a);
    test_load_then_store(a);
    test_bad_labels(a);
    test_bad_ids(a);
    arena_free(a);
    return check_report("ir_interp");
}
