/* cg_kernels.c: reductions, transposition and the complex ops (matmul,
 * convolution, pooling, softmax, losses, one-hot, gathers, dropout masks) as calls
 * into the kernels of compiler/cg/kernels, with the node's shapes and attributes
 * as constant arguments.  The kernels are always-inline, so each call
 * becomes a loop nest specialised to its shapes, once per distinct set of
 * constants: sites that agree share it (cg_share.c).
 *
 * Needs: the node's operands in buffers (plan.c).  Guarantees: the node's
 * buffer holds its value, computed as the reference interpreter defines it. */
#include <llvm-c/Core.h>

#include "cg/cg_internal.h"
#include "cg/kernels/dmk.h"

static LLVMValueRef i64c(Cg *cg, int64_t v) { return LLVMConstInt(cg->i64, (unsigned long long)v, 1); }
static LLVMValueRef i32c(Cg *cg, int64_t v) { return LLVMConstInt(cg->i32, (unsigned long long)v, 1); }

/* softmax_cross_entropy's ignored label for dmk_sce(_dx), or -1, which its
 * checked labels never hold. */
static LLVMValueRef sce_ignore(Cg *cg, const Node *n) { return i32c(cg, n->attr.has_ignore ? n->attr.ignore : -1); }

/* A private constant array of rank int64 (or int32) values. */
static LLVMValueRef const_dims(Cg *cg, const int64_t *dims, int rank, bool wide, const char *name) {
    LLVMValueRef v[MAX_RANK + 1];
    for (int i = 0; i < rank; i++) v[i] = wide ? i64c(cg, dims[i]) : i32c(cg, dims[i]);
    if (rank == 0) v[rank++] = wide ? i64c(cg, 1) : i32c(cg, 0);
    LLVMValueRef init = LLVMConstArray2(wide ? cg->i64 : cg->i32, v, (uint64_t)rank);
    return cg_constant(cg, init, name);
}

/* The epilogue arguments of a kernel (kernels.h): the loop it runs on its
 * output and the data region, or two nulls. */
static int epilogue_args(Cg *cg, int node, LLVMValueRef *args) {
    int e = cg->ep->epilogue[node];
    args[0] = e >= 0 ? cg_epilogue(cg, e) : LLVMConstNull(cg->ptr);
    args[1] = e >= 0 ? cg->data : LLVMConstNull(cg->ptr);
    return 2;
}

/* A kernel that takes one more parameter than its shape arguments takes the
 * entry's dm_exec last (it may split its work over ex->parallel); cg_call
 * checks the arguments against the kernel's type (cg/kernels/kernels.def). */
static void call(Cg *cg, const char *kernel, LLVMValueRef *args, int n) {
    LLVMValueRef fn = cg_kernel(cg, kernel), all[24];
    if (n >= (int)(sizeof all / sizeof all[0])) die("kernel %s with %d arguments", kernel, n);
    for (int i = 0; i < n; i++) all[i] = args[i];
    if (LLVMCountParams(fn) == (unsigned)n + 1) all[n++] = cg->ex;
    cg_call_shared(cg, fn, all, n);
}

/* The batch axes of a product C [..., M, N] = A [..., M, K] @ B [..., K, N]
 * as the kernel walks them: the strides (in floats) of A's, B's and C's
 * matrices along each axis of C's batch, 0 where the operand is broadcast;
 * axes of size 1 dropped, and an axis merged into the one before it where
 * the three step through the two alike. */
typedef struct Batch {
    int rank;
    int64_t dim[MAX_RANK], a[MAX_RANK], b[MAX_RANK], c[MAX_RANK];
} Batch;

/* The stride of operand s along each batch axis d of a product of rank
 * crank: its layout's (`view`, a strided view's) or, contiguous, the size
 * of the matrices inside. */
static void batch_strides(Shape s, const int64_t *view, int crank, int64_t *out) {
    int64_t step = s.dim[s.rank - 2] * s.dim[s.rank - 1];
    for (int d = crank - 3; d >= 0; d--) {   /* innermost batch axis first */
        int ds = d - (crank - s.rank);
        int64_t dim = ds >= 0 ? s.dim[ds] : 1;
        out[d] = dim == 1 ? 0 : view ? view[ds] : step;
        step *= dim;
    }
}

static Batch matmul_batch(Shape as, const int64_t *a_view, Shape bs, const int64_t *b_view, Shape cs,
                          const int64_t *c_view) {
    int64_t a_stride[MAX_RANK], b_stride[MAX_RANK], c_stride[MAX_RANK];
    batch_strides(as, a_view, cs.rank, a_stride);
    batch_strides(bs, b_view, cs.rank, b_stride);
    batch_strides(cs, c_view, cs.rank, c_stride);
    Batch bt = {0};
    for (int d = 0; d < cs.rank - 2; d++) {
        if (cs.dim[d] == 1) continue;
        int k = bt.rank - 1;
        if (k >= 0 && bt.a[k] == a_stride[d] * cs.dim[d] && bt.b[k] == b_stride[d] * cs.dim[d] &&
            bt.c[k] == c_stride[d] * cs.dim[d]) {
            bt.dim[k] *= cs.dim[d], bt.a[k] = a_stride[d], bt.b[k] = b_stride[d], bt.c[k] = c_stride[d];
        } else {
            bt.dim[bt.rank] = cs.dim[d], bt.a[bt.rank] = a_stride[d], bt.b[bt.rank] = b_stride[d];
            bt.c[bt.rank] = c_stride[d];
            bt.rank++;
        }
    }
    return bt;
}

/* The row and column strides of operand x of a product, [rows, cols] =
 * its last two axes (swapped when transposed): contiguous, or a strided
 * view's (views.c). */
static void matrix_strides(const Cg *cg, int x, bool trans, int64_t *rs, int64_t *cs) {
    const Shape *s = &cg->ep->graph->nodes[x].shape;
    const Views *v = cg->ep->views;
    int64_t r = v->strided[x] ? v->stride[x][s->rank - 2] : s->dim[s->rank - 1];
    int64_t c = v->strided[x] ? v->stride[x][s->rank - 1] : 1;
    *rs = trans ? c : r, *cs = trans ? r : c;
}

/* A product: one GEMM when there is no batch, or when B is one matrix for
 * the whole batch and A's matrices follow one another ([B, T, C] @ [C, D]
 * is [B T, C] @ [C, D]); otherwise the batched kernel, which also reads
 * operands that are strided views (views.c; only such products have them). */
static void call_matmul(Cg *cg, int node) {
    const Graph *g = cg->ep->graph;
    const Views *v = cg->ep->views;
    const Node *n = &g->nodes[node];
    int x = n->in[0], y = n->in[1];
    Shape as = g->nodes[x].shape, bs = g->nodes[y].shape, cs = n->shape;
    int64_t M = cs.dim[cs.rank - 2], N = cs.dim[cs.rank - 1], K = as.dim[as.rank - (n->attr.trans_a ? 2 : 1)];
    bool placed = v->placed[node];   /* written into a later node's buffer (views.c) */
    Batch bt = matmul_batch(as, v->strided[x] ? v->stride[x] : NULL, bs, v->strided[y] ? v->stride[y] : NULL, cs,
                            placed ? v->stride[node] : NULL);
    bool viewed = v->strided[x] || v->strided[y] || placed;
    if (placed && cg->ep->epilogue[node] >= 0) die("an epilogue on a product with strided rows (node %d)", node);
    if (!viewed && bt.rank == 1 && bt.b[0] == 0 && bt.a[0] == M * K && !n->attr.trans_a) M *= bt.dim[0], bt.rank = 0;
    if (bt.rank == 0 && viewed) die("a strided view read by an unbatched product (node %d)", node);
    LLVMValueRef a[20] = {cg_node_ptr(cg, node), cg_node_ptr(cg, x), cg_node_ptr(cg, y), i64c(cg, M), i64c(cg, N),
                          i64c(cg, K)};
    if (bt.rank == 0) {
        a[6] = i32c(cg, n->attr.trans_a), a[7] = i32c(cg, n->attr.trans_b);
        call(cg, "dmk_matmul", a, 8 + epilogue_args(cg, node, a + 8));
        return;
    }
    int64_t a_rs, a_cs, b_rs, b_cs;
    matrix_strides(cg, x, n->attr.trans_a, &a_rs, &a_cs);
    matrix_strides(cg, y, n->attr.trans_b, &b_rs, &b_cs);
    a[6] = i64c(cg, a_rs), a[7] = i64c(cg, a_cs), a[8] = i64c(cg, b_rs), a[9] = i64c(cg, b_cs), a[10] = i64c(cg, placed ? v->stride[node][cs.rank - 2] : N);
    const char *name = arena_printf(cg->arena, "%s.%s", cg->prefix, cg_node_name(cg, node));
    a[11] = i32c(cg, bt.rank);
    a[12] = const_dims(cg, bt.dim, bt.rank, true, arena_printf(cg->arena, "%s.batch", name));
    a[13] = const_dims(cg, bt.a, bt.rank, true, arena_printf(cg->arena, "%s.a_stride", name));
    a[14] = const_dims(cg, bt.b, bt.rank, true, arena_printf(cg->arena, "%s.b_stride", name));
    a[15] = const_dims(cg, bt.c, bt.rank, true, arena_printf(cg->arena, "%s.c_stride", name));
    call(cg, "dmk_matmul_batched", a, 16 + epilogue_args(cg, node, a + 16));
}

/* A convolution or one of its gradients: the shapes of x, w and y from
 * whichever side has them. */
static void call_conv(Cg *cg, int node) {
    const Graph *g = cg->ep->graph;
    const Node *n = &g->nodes[node];
    const Shape *x = &g->nodes[n->in[0]].shape;
    LLVMValueRef out = cg_node_ptr(cg, node), in0 = cg_node_ptr(cg, n->in[0]);
    const Shape *y = &g->nodes[n->in[1]].shape;
    LLVMValueRef in1 = cg_node_ptr(cg, n->in[1]);
    /* Shapes of x [N,C,H,W], w [F,C,KH,KW], y [N,F,OH,OW] from whichever side has them. */
    const Shape *xs = n->op == OP_CONV2D ? x : n->op == OP_CONV2D_DX ? &n->shape : x;
    const Shape *ws = n->op == OP_CONV2D_DW ? &n->shape : y;
    const Shape *ys = n->op == OP_CONV2D ? &n->shape : n->op == OP_CONV2D_DX ? x : y;
    LLVMValueRef a[18] = {out, in0, in1, i64c(cg, xs->dim[0]), i64c(cg, xs->dim[1]), i64c(cg, xs->dim[2]),
                          i64c(cg, xs->dim[3]), i64c(cg, ws->dim[0]), i64c(cg, ws->dim[2]), i64c(cg, ws->dim[3]),
                          i64c(cg, ys->dim[2]), i64c(cg, ys->dim[3]), i64c(cg, n->attr.stride[0]),
                          i64c(cg, n->attr.stride[1]), i64c(cg, n->attr.pad[0]), i64c(cg, n->attr.pad[1])};
    if (n->op == OP_CONV2D) call(cg, "dmk_conv2d", a, 16 + epilogue_args(cg, node, a + 16));
    else call(cg, n->op == OP_CONV2D_DX ? "dmk_conv2d_dx" : "dmk_conv2d_dw", a, 16);
}

/* A pooling or its gradient: NC planes of H x W, windows of size and stride. */
static void call_pool(Cg *cg, int node) {
    const Graph *g = cg->ep->graph;
    const Node *n = &g->nodes[node];
    const Shape *x = &g->nodes[n->in[0]].shape;
    LLVMValueRef out = cg_node_ptr(cg, node), in0 = cg_node_ptr(cg, n->in[0]);
    const Shape *y = n->nin > 1 ? &g->nodes[n->in[1]].shape : NULL;
    LLVMValueRef in1 = n->nin > 1 ? cg_node_ptr(cg, n->in[1]) : NULL;
    const Shape *xs = n->op == OP_AVGPOOL2D_DX ? &n->shape : x;          /* [N,C,H,W] */
    const Shape *ys = n->op == OP_MAXPOOL2D || n->op == OP_AVGPOOL2D ? &n->shape
                      : n->op == OP_MAXPOOL2D_DX ? y : x;                /* [N,C,OH,OW] */
    LLVMValueRef rest[] = {i64c(cg, xs->dim[0] * xs->dim[1]), i64c(cg, xs->dim[2]), i64c(cg, xs->dim[3]),
                           i64c(cg, ys->dim[2]), i64c(cg, ys->dim[3]), i64c(cg, n->attr.size[0]),
                           i64c(cg, n->attr.size[1]), i64c(cg, n->attr.stride[0]), i64c(cg, n->attr.stride[1])};
    LLVMValueRef a[14] = {out, in0};
    int k = 2;
    if (n->op == OP_MAXPOOL2D_DX) a[k++] = in1;
    for (int i = 0; i < 9; i++) a[k++] = rest[i];
    if (n->op == OP_MAXPOOL2D_DX) k += epilogue_args(cg, node, a + k);
    const char *kn = n->op == OP_MAXPOOL2D ? "dmk_maxpool2d" : n->op == OP_AVGPOOL2D ? "dmk_avgpool2d"
                     : n->op == OP_MAXPOOL2D_DX ? "dmk_maxpool2d_dx" : "dmk_avgpool2d_dx";
    call(cg, kn, a, k);
}

/* Row-major strides of s. */
static void strides_of(Shape s, int64_t *stride) {
    int64_t n = 1;
    for (int k = s.rank - 1; k >= 0; k--) stride[k] = n, n *= s.dim[k];
}

/* One dmk_copy_box: the box of extents `box` between y (at element yat,
 * strides ys) and x (at xat, strides xs). */
static void call_copy_box(Cg *cg, int node, int x, Shape box, int64_t yat, const int64_t *ys, int64_t xat,
                          const int64_t *xs) {
    const char *name = cg_node_name(cg, node);
    LLVMValueRef yoff = i64c(cg, yat), xoff = i64c(cg, xat);
    LLVMValueRef a[] = {
        LLVMBuildInBoundsGEP2(cg->b, cg->f32, cg_node_ptr(cg, node), &yoff, 1, ""),
        LLVMBuildInBoundsGEP2(cg->b, cg->f32, cg_node_ptr(cg, x), &xoff, 1, ""),
        i32c(cg, box.rank),
        const_dims(cg, box.dim, box.rank, true, arena_printf(cg->arena, "%s.%s.box", cg->prefix, name)),
        const_dims(cg, ys, box.rank, true, arena_printf(cg->arena, "%s.%s.ystride", cg->prefix, name)),
        const_dims(cg, xs, box.rank, true, arena_printf(cg->arena, "%s.%s.xstride", cg->prefix, name))};
    call(cg, "dmk_copy_box", a, 6);
}

/* slice: the box start + step * i of x into y; slice_dx the reverse, into
 * zeros; concat: each operand into its place along the axis. */
static void call_box(Cg *cg, int node) {
    const Graph *g = cg->ep->graph;
    const Node *n = &g->nodes[node];
    int64_t ys[MAX_RANK], xs[MAX_RANK], big[MAX_RANK], at = 0;
    if (n->op == OP_CONCAT) {
        strides_of(n->shape, ys);
        for (int k = 0; k < n->nin; k++) {
            Shape part = g->nodes[n->in[k]].shape;
            strides_of(part, xs);
            if (cg->ep->views->base[n->in[k]] == node) {   /* its writer put it there (views.c) */
                at += part.dim[n->attr.axis];
                continue;
            }
            call_copy_box(cg, node, n->in[k], part, at * ys[n->attr.axis], ys, 0, xs);
            at += part.dim[n->attr.axis];
        }
        return;
    }
    bool scatter = n->op == OP_SLICE_DX;
    Shape box = scatter ? g->nodes[n->in[0]].shape : n->shape;
    strides_of(scatter ? n->shape : g->nodes[n->in[0]].shape, big);
    for (int k = 0; k < box.rank; k++) at += n->attr.start[k] * big[k], big[k] *= n->attr.step[k];
    strides_of(box, scatter ? xs : ys);
    if (scatter) {   /* zeros, then the box */
        LLVMBuildMemSet(cg->b, cg_node_ptr(cg, node), LLVMConstInt(cg->i8, 0, 0),
                        i64c(cg, shape_count(n->shape) * dtype_size(n->dtype)), 64);
        call_copy_box(cg, node, n->in[0], box, at, big, 0, xs);
    } else {
        call_copy_box(cg, node, n->in[0], box, 0, ys, at, big);
    }
}

void cg_complex(Cg *cg, int node) {
    const Graph *g = cg->ep->graph;
    const Node *n = &g->nodes[node];
    const Shape *x = n->nin > 0 ? &g->nodes[n->in[0]].shape : NULL;
    LLVMValueRef out = cg_node_ptr(cg, node);
    LLVMValueRef in0 = n->nin > 0 ? cg_node_ptr(cg, n->in[0]) : NULL;
    LLVMValueRef in1 = n->nin > 1 ? cg_node_ptr(cg, n->in[1]) : NULL;
    LLVMValueRef in2 = n->nin > 2 ? cg_node_ptr(cg, n->in[2]) : NULL;
    const char *name = cg_node_name(cg, node);
    switch (n->op) {
    case OP_SUM: case OP_MEAN: case OP_MAX: {
        LLVMValueRef dims = const_dims(cg, x->dim, x->rank, true, arena_printf(cg->arena, "%s.%s.dims", cg->prefix, name));
        DmkReduce kind = n->op == OP_SUM ? DMK_SUM : n->op == OP_MEAN ? DMK_MEAN : DMK_MAX;
        LLVMValueRef a[] = {out, in0, i32c(cg, x->rank), dims, LLVMConstInt(cg->i32, n->attr.axes, 0), i32c(cg, kind)};
        call(cg, "dmk_reduce", a, 6);
        return;
    }
    case OP_TRANSPOSE: {
        int64_t perm[MAX_RANK];
        for (int i = 0; i < x->rank; i++) perm[i] = n->attr.perm[i];
        LLVMValueRef dims = const_dims(cg, x->dim, x->rank, true, arena_printf(cg->arena, "%s.%s.dims", cg->prefix, name));
        LLVMValueRef p = const_dims(cg, perm, x->rank, false, arena_printf(cg->arena, "%s.%s.perm", cg->prefix, name));
        LLVMValueRef a[] = {out, in0, i32c(cg, x->rank), dims, p};
        call(cg, "dmk_transpose", a, 5);
        return;
    }
    case OP_MATMUL:
        call_matmul(cg, node);
        return;
    case OP_SOFTMAX: case OP_LOG_SOFTMAX: {
        int64_t outer = 1, inner = 1;
        int ax = n->attr.axis;
        for (int i = 0; i < ax; i++) outer *= x->dim[i];
        for (int i = ax + 1; i < x->rank; i++) inner *= x->dim[i];
        LLVMValueRef a[] = {out, in0, i64c(cg, outer), i64c(cg, x->rank ? x->dim[ax] : 1), i64c(cg, inner),
                            i32c(cg, n->op == OP_LOG_SOFTMAX)};
        call(cg, "dmk_softmax", a, 6);
        return;
    }
    case OP_LAYER_NORM: case OP_LAYER_NORM_DX: {   /* rows of the trailing axes from attr.axis */
        int64_t len = 1;
        for (int i = n->attr.axis; i < x->rank; i++) len *= x->dim[i];
        LLVMValueRef rows = i64c(cg, len ? shape_count(*x) / len : 0), eps = LLVMConstReal(cg->f32, n->attr.value);
        if (n->op == OP_LAYER_NORM) {
            LLVMValueRef a[] = {out, in0, rows, i64c(cg, len), eps};
            call(cg, "dmk_layer_norm", a, 5);
        } else {
            LLVMValueRef a[] = {out, in0, in1, rows, i64c(cg, len), eps};
            call(cg, "dmk_layer_norm_dx", a, 6);
        }
        return;
    }
    case OP_CONV2D: case OP_CONV2D_DX: case OP_CONV2D_DW:
        call_conv(cg, node);
        return;
    case OP_MAXPOOL2D: case OP_AVGPOOL2D: case OP_MAXPOOL2D_DX: case OP_AVGPOOL2D_DX:
        call_pool(cg, node);
        return;
    case OP_ONE_HOT: {
        LLVMValueRef a[] = {out, in0, i64c(cg, shape_count(*x)), i64c(cg, n->attr.classes)};
        call(cg, "dmk_one_hot", a, 4);
        return;
    }
    case OP_SCE: {
        LLVMValueRef a[] = {out, in0, in1, i64c(cg, x->dim[0]), i64c(cg, x->dim[1]), sce_ignore(cg, n)};
        call(cg, "dmk_sce", a, 6);
        return;
    }
    case OP_SCE_DX: {
        LLVMValueRef a[] = {out, in0, in1, in2, i64c(cg, x->dim[0]), i64c(cg, x->dim[1]), sce_ignore(cg, n)};
        call(cg, "dmk_sce_dx", a, 7);
        return;
    }
    case OP_BCE: {
        LLVMValueRef a[] = {out, in0, in1, i64c(cg, shape_count(*x))};
        call(cg, "dmk_bce", a, 4);
        return;
    }
    case OP_BCE_DX: {
        LLVMValueRef a[] = {out, in0, in1, in2, i64c(cg, shape_count(*x))};
        call(cg, "dmk_bce_dx", a, 5);
        return;
    }
    case OP_GATHER: case OP_GATHER_DX: {   /* (table, ids) -> rows; (dy, ids) -> dtable */
        const Shape *table = n->op == OP_GATHER ? x : &n->shape;
        int64_t V = table->dim[0], nids = shape_count(g->nodes[n->in[1]].shape);
        LLVMValueRef a[] = {out, in0, in1, i64c(cg, nids), i64c(cg, V), i64c(cg, shape_count(*table) / V)};
        call(cg, n->op == OP_GATHER ? "dmk_gather" : "dmk_gather_dx", a, 6);
        return;
    }
    case OP_RANDOM_MASK: {
        LLVMValueRef a[] = {out, in0, i64c(cg, shape_count(n->shape)), LLVMConstReal(cg->f32, n->attr.value),
                            i32c(cg, (int32_t)n->attr.salt)};
        call(cg, "dmk_random_mask", a, 5);
        return;
    }
    case OP_SLICE: case OP_SLICE_DX: case OP_CONCAT:
        call_box(cg, node);
        return;
    case OP_RESHAPE: case OP_BROADCAST:   /* views and loops (plan.c, cg_elem.c) */
    case OP_TRAIN_SELECT:                 /* resolved by the entries pass */
#define OP OP_CASE
#define OP_REDUCE OP_NONE
#define OP_SHAPE OP_NONE
#define OP_COMPLEX OP_NONE
#include "ir/ops.def"
        break;
    }
    die("cg_complex: unexpected op %s", op_info[n->op].name);
}
