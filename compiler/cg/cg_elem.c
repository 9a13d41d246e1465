/* cg_elem.c: one loop for an elementwise root and the inline nodes fused
 * into it (fuse.c), generated as LLVM IR.
 *
 * The loop lives in an internal helper, NAME_ENTRY.NODE(p0, p1, ...), whose
 * parameters are the distinct buffers it touches, marked noalias and 64-byte
 * aligned so LLVM vectorises it without runtime checks (a buffer computed in
 * place appears once, as one parameter).  The root's index space is walked
 * as [outer, inner], inner being its last dimension merged with the ones
 * before it as long as every operand is either whole or broadcast over all
 * of them (view_of), so that inner loops are long enough to vectorise; an
 * operand of another shape (NumPy broadcasting) is read at the remapped
 * index, which in the inner loop is either contiguous or invariant.  Values
 * are computed in f32; i32 operands are converted on load and i32 results
 * on store.  The loop runs from the entry (over threads when it is big), or
 * as a kernel's epilogue (cg_epilogue: over parts of its flat index space).
 *
 * Needs: every inline node has the root's shape (consts excepted), which
 * fuse_graph guarantees.  Guarantees: root's buffer holds its value, and so
 * does the tensor of every stored value fused into the loop ("exported":
 * an inline node with a buffer in the plan). */
#include <llvm-c/Core.h>

#include "cg/cg_internal.h"
#include "dm.h"

#include <stddef.h>
#include <string.h>

/* dm_exec (dm.h) as the generated code reads it: it begins {parallel,
 * threads, pool} (the kernels read its later fields through dm.h). */
enum { EXEC_PARALLEL, EXEC_THREADS, EXEC_POOL, EXEC_FIELDS };
_Static_assert(offsetof(dm_exec, parallel) == 0 && offsetof(dm_exec, threads) == sizeof(void *) &&
                   offsetof(dm_exec, pool) == 2 * sizeof(void *),
               "dm_exec begins {function pointer, int, pointer}, as call_helper reads it");

typedef struct Elem {
    Cg *cg;
    const Graph *g;
    int root;
    Shape s;                 /* the root's shape, its trailing dimensions from `merged` on merged into one */
    int merged;              /* the first merged dimension of the root's shape */
    int64_t inner, outer;    /* s = [outer..., inner] */
    int *param_of;           /* per node: its buffer's parameter, -1 if none */
    LLVMValueRef *params;
    int *arg_node;           /* per parameter: a node whose pointer to pass */
    int nparams, capparams;
    LLVMValueRef o, j;       /* the loop indices */
    LLVMValueRef *memo;      /* per inline node: its value in this element, once computed */
    bool *seen;              /* per inline node: walked by collect */
    int *exported;           /* inline nodes the loop also writes to their tensors */
    int nexported, capexported;
    int *direct;             /* buffer nodes its members read elementwise (not through a slice) */
    int ndirect, capdirect;
    int *sliced;             /* inline slices: the loop reads their operands' boxes */
    int nsliced, capsliced;
} Elem;

/* The per-node tables of a loop (param_of, memo, seen) span the whole graph,
 * but a loop touches a handful of nodes: one set per entry serves every loop,
 * and each loop puts back what it touched (elem_done).  Tables of their own
 * would make the loops of an entry cost time and memory quadratic in its
 * nodes (gigabytes for a model of a few hundred layers at -O0). */
typedef struct ElemScratch {
    const Graph *g;
    int *param_of;
    LLVMValueRef *memo;
    bool *seen;
    int *touched; int ntouched, captouched;
    bool busy;
} ElemScratch;

static void touch(Elem *el, int x) {
    ElemScratch *s = el->cg->elem_scratch;
    VEC_PUSH(el->cg->arena, s->touched, s->ntouched, s->captouched, x);
}

static ElemScratch *elem_scratch(Cg *cg, const Graph *g) {
    ElemScratch *s = cg->elem_scratch;
    if (!s) s = cg->elem_scratch = arena_alloc(cg->arena, sizeof *s);
    if (s->busy) die("two elementwise loops built at once");
    if (s->g != g) {
        s->g = g;
        s->param_of = arena_alloc(cg->arena, sizeof(int) * (g->n + 1));
        s->memo = arena_alloc(cg->arena, sizeof *s->memo * (g->n + 1));
        s->seen = arena_alloc(cg->arena, sizeof(bool) * (g->n + 1));
        for (int i = 0; i <= g->n; i++) s->param_of[i] = -1;
    }
    s->busy = true;
    return s;
}

/* The tables back as elem_scratch found them, for the next loop. */
static void elem_done(Elem *el) {
    ElemScratch *s = el->cg->elem_scratch;
    for (int k = 0; k < s->ntouched; k++) {
        int x = s->touched[k];
        s->param_of[x] = -1, s->memo[x] = NULL, s->seen[x] = false;
    }
    s->ntouched = 0;
    s->busy = false;
}

static int64_t buffer_key(Elem *el, int x) {
    const Graph *g = el->g;
    int base = x;
    while (g->nodes[base].op == OP_RESHAPE) base = g->nodes[base].in[0];
    if (g->nodes[base].op == OP_LITERAL) return -2 - base;
    return el->cg->ep->offset[x];
}

static void add_param(Elem *el, int x) {
    int64_t key = buffer_key(el, x);
    for (int p = 0; p < el->nparams; p++)
        if (buffer_key(el, el->arg_node[p]) == key) { el->param_of[x] = p; touch(el, x); return; }
    el->param_of[x] = el->nparams;
    touch(el, x);
    VEC_PUSH(el->cg->arena, el->arg_node, el->nparams, el->capparams, x);
}

/* The buffers read by the root's fused expression (param_of[x] >= 0 marks
 * the nodes already seen, memo the inline nodes already walked). */
static void collect(Elem *el, int node) {
    const Node *n = &el->g->nodes[node];
    for (int k = 0; k < n->nin; k++) {
        int x = n->in[k];
        if (!el->cg->ep->inl[x]) {
            if (el->param_of[x] < 0) add_param(el, x);
            if (n->op != OP_SLICE) VEC_PUSH(el->cg->arena, el->direct, el->ndirect, el->capdirect, x);
        } else if (!el->seen[x]) {
            el->seen[x] = true;
            touch(el, x);
            if (el->g->nodes[x].op == OP_SLICE) VEC_PUSH(el->cg->arena, el->sliced, el->nsliced, el->capsliced, x);
            if (el->cg->ep->offset[x] >= 0) {        /* a stored value fused here (plan.c) */
                add_param(el, x);
                VEC_PUSH(el->cg->arena, el->exported, el->nexported, el->capexported, x);
            }
            collect(el, x);
        }
    }
}

/* Loops of at least this many elements are split by rows over the
 * runtime's threads (any split computes the same values).  The kernels'
 * PARALLEL_MIN (kernels.h) counts multiply-adds instead. */
enum { PARALLEL_MIN_ELEMENTS = 1 << 17 };

/* An operand's dimension facing the root's dimension k (NumPy alignment):
 * 1 where the operand has fewer dimensions. */
static int64_t facing_dim(Shape root, Shape t, int k) {
    int kt = k - (root.rank - t.rank);
    return kt >= 0 ? t.dim[kt] : 1;
}

/* Whether an operand of shape t is whole (1) or broadcast (0) over the root's
 * dimensions [k, rank), or neither (-1); dimensions of 1 in the root count
 * as either. */
static int covers(Shape root, Shape t, int k) {
    int whole = -2;   /* not decided yet */
    for (int d = k; d < root.rank; d++) {
        if (root.dim[d] == 1) continue;
        int w = facing_dim(root, t, d) == root.dim[d];
        if (whole == -2) whole = w;
        else if (whole != w) return -1;
    }
    return whole == -2 ? 1 : whole;
}

/* Whether a slice read through lets the loop merge dimensions [m, rank)
 * into one: the dimensions after m are whole in its operand and m has step
 * 1, so the merged elements are one contiguous run of the operand. */
static bool slice_merges(const Elem *el, int slice, int m) {
    const Node *n = &el->g->nodes[slice];
    Shape in = el->g->nodes[n->in[0]].shape;
    if (n->attr.step[m] != 1) return false;
    for (int d = m + 1; d < n->shape.rank; d++)
        if (n->attr.start[d] != 0 || n->attr.step[d] != 1 || n->shape.dim[d] != in.dim[d]) return false;
    return true;
}

/* The first dimension of the root's inner loop: dimensions are merged into
 * the last while every operand covers them alike (and every slice read
 * through keeps them contiguous), the inner loop is shorter than
 * MERGE_INNER, and a loop big enough for threads keeps rows to split. */
enum { MERGE_INNER = 1024 };
static int first_merged(const Elem *el, Shape root) {
    int64_t count = shape_count(root), inner = root.rank > 0 ? root.dim[root.rank - 1] : 1;
    int k = root.rank > 0 ? root.rank - 1 : 0;
    while (k > 0 && inner < MERGE_INNER) {
        int64_t merged = inner * root.dim[k - 1];
        if (count >= PARALLEL_MIN_ELEMENTS && (merged ? count / merged : 0) < 8) break;
        bool alike = true;
        for (int i = 0; i < el->ndirect && alike; i++)   /* the root and exported values have its shape */
            alike = covers(root, el->g->nodes[el->direct[i]].shape, k - 1) >= 0;
        for (int i = 0; i < el->nsliced && alike; i++) alike = slice_merges(el, el->sliced[i], k - 1);
        if (!alike) break;
        inner = merged;
        k--;
    }
    return k;
}

/* Shape t (an operand's, or the root's) as the loop sees it: its dimensions
 * facing the root's merged ones made one. */
static Shape view_of(const Elem *el, Shape root, Shape t) {
    if (el->merged >= root.rank - 1) return t;
    Shape v = {.rank = el->merged + 1};
    int64_t last = 1;
    for (int d = el->merged; d < root.rank; d++) last *= facing_dim(root, t, d);
    for (int d = 0; d < el->merged; d++) v.dim[d] = facing_dim(root, t, d);
    v.dim[el->merged] = last;
    return v;
}

static LLVMValueRef c64(Elem *el, int64_t v) { return LLVMConstInt(el->cg->i64, (unsigned long long)v, 0); }
static LLVMValueRef cf(Elem *el, double v) { return LLVMConstReal(el->cg->f32, v); }

/* The index into a buffer of shape t of the root's element (o, j). */
static LLVMValueRef remap(Elem *el, Shape t) {
    LLVMBuilderRef b = el->cg->b;
    Shape s = el->s;
    int64_t ct = shape_count(t);
    if (ct == shape_count(s))
        return LLVMBuildAdd(b, LLVMBuildMul(b, el->o, c64(el, el->inner), ""), el->j, "flat");
    if (ct == 1) return c64(el, 0);
    int r = s.rank, tr = t.rank;
    int64_t tl = tr > 0 ? t.dim[tr - 1] : 1;
    LLVMValueRef acc = c64(el, 0);
    int64_t sstride = 1, tstride = 1;
    for (int k = r - 2; k >= 0; k--) {
        int kt = (tr - 2) - (r - 2 - k);
        if (kt >= 0 && t.dim[kt] != 1) {
            LLVMValueRef c = el->o;
            if (sstride != 1) c = LLVMBuildUDiv(b, c, c64(el, sstride), "");
            if (k > 0) c = LLVMBuildURem(b, c, c64(el, s.dim[k]), "");
            acc = LLVMBuildAdd(b, acc, LLVMBuildMul(b, c, c64(el, tstride), ""), "");
        }
        sstride *= s.dim[k];
        if (kt >= 0) tstride *= t.dim[kt];
    }
    if (tl != 1) {
        acc = LLVMBuildMul(b, acc, c64(el, tl), "");
        acc = LLVMBuildAdd(b, acc, el->j, "bidx");
    }
    return acc;
}

static LLVMValueRef intrinsic(Elem *el, const char *name, int nargs, LLVMValueRef *args) {
    Cg *cg = el->cg;
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMTypeRef ty = cg->f32;
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cg->mod, id, &ty, 1);
    return LLVMBuildCall2(cg->b, LLVMIntrinsicGetType(cg->ctx, id, &ty, 1), fn, args, (unsigned)nargs, "");
}

static LLVMValueRef kernel1(Elem *el, const char *name, LLVMValueRef x) {
    return cg_call(el->cg, cg_kernel(el->cg, name), &x, 1, "");
}

static LLVMValueRef select01(Elem *el, LLVMValueRef cond) {
    return LLVMBuildSelect(el->cg->b, cond, cf(el, 1), cf(el, 0), "");
}

static LLVMValueRef value(Elem *el, int node);

/* f32 -> i32 toward zero, saturating (NaN -> 0), as ops.def's CAST: an i32
 * value (store_element and as_f32 take either type). */
static LLVMValueRef saturating_i32(Elem *el, LLVMValueRef x, const char *name) {
    Cg *cg = el->cg;
    LLVMTypeRef ty[2] = {cg->i32, cg->f32};
    unsigned id = LLVMLookupIntrinsicID("llvm.fptosi.sat", 15);
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cg->mod, id, ty, 2);
    return LLVMBuildCall2(cg->b, LLVMIntrinsicGetType(cg->ctx, id, ty, 2), fn, &x, 1, name);
}

/* The element (o, j) of an inline slice (of the root's shape), read from
 * its operand's box: the outer coordinates c_d of o give start_d + step_d
 * c_d, the inner index j runs along the merged dimension m from start_m
 * with step_m (1 when several are merged, which slice_merges checked). */
static LLVMValueRef slice_element(Elem *el, int node) {
    Cg *cg = el->cg;
    LLVMBuilderRef b = cg->b;
    const Node *n = &el->g->nodes[node];
    const Node *xn = &el->g->nodes[n->in[0]];
    int64_t istride[MAX_RANK], count = 1;
    for (int d = n->shape.rank - 1; d >= 0; d--) istride[d] = count, count *= xn->shape.dim[d];
    int m = el->s.rank - 1;
    LLVMValueRef idx = c64(el, 0);
    if (m >= 0) {
        idx = LLVMBuildAdd(b, c64(el, n->attr.start[m] * istride[m]), LLVMBuildMul(b, el->j, c64(el, n->attr.step[m]), ""), "");
        int64_t below = 1;   /* the outer dimensions after d */
        for (int d = m - 1; d >= 0; d--) {
            LLVMValueRef c = below == 1 ? el->o : LLVMBuildUDiv(b, el->o, c64(el, below), "");
            if (d > 0) c = LLVMBuildURem(b, c, c64(el, el->s.dim[d]), "");
            idx = LLVMBuildAdd(b, idx, c64(el, n->attr.start[d] * istride[d]), "");
            idx = LLVMBuildAdd(b, idx, LLVMBuildMul(b, c, c64(el, n->attr.step[d] * istride[d]), ""), "");
            below *= el->s.dim[d];
        }
    }
    LLVMTypeRef et = xn->dtype == DT_F32 ? cg->f32 : cg->i32;
    LLVMValueRef p = LLVMBuildInBoundsGEP2(b, et, el->params[el->param_of[n->in[0]]], &idx, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(b, et, p, cg_node_name(cg, node));
    LLVMSetAlignment(v, 4);
    return v;
}

/* The value of operand x of a node of the root's shape. */
static LLVMValueRef operand(Elem *el, int x) {
    Cg *cg = el->cg;
    const Node *xn = &el->g->nodes[x];
    if (cg->ep->inl[x]) return value(el, x);
    LLVMTypeRef et = xn->dtype == DT_F32 ? cg->f32 : cg->i32;
    LLVMValueRef idx = remap(el, view_of(el, el->g->nodes[el->root].shape, xn->shape));
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cg->b, et, el->params[el->param_of[x]], &idx, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(cg->b, et, p, cg_node_name(cg, x));
    LLVMSetAlignment(v, 4);
    return v;
}

static bool is_int(Elem *el, LLVMValueRef v) { return LLVMTypeOf(v) == el->cg->i32; }
static LLVMValueRef as_f32(Elem *el, LLVMValueRef v) {
    return is_int(el, v) ? LLVMBuildSIToFP(el->cg->b, v, el->cg->f32, "") : v;
}

/* i32 arithmetic stays exact (e.g. the dropout generator's step counter). */
static LLVMValueRef int_value(Elem *el, const Node *n, LLVMValueRef x, LLVMValueRef y, const char *name) {
    LLVMBuilderRef b = el->cg->b;
    switch (n->op) {
    case OP_NEG: return LLVMBuildNeg(b, x, name);
    case OP_ADD: return LLVMBuildAdd(b, x, y, name);
    case OP_SUB: return LLVMBuildSub(b, x, y, name);
    case OP_MUL: return LLVMBuildMul(b, x, y, name);
    case OP_MAXIMUM: return LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGT, x, y, ""), x, y, name);
    case OP_MINIMUM: return LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, x, y, ""), x, y, name);
    case OP_KEEP: return LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntNE, x, LLVMConstInt(el->cg->i32, 0, 0), ""), y,
                                         LLVMConstInt(el->cg->i32, 0, 0), name);
    case OP_CAST: return x;
    /* the rest in f32, exact for the i32 ops (relu, abs ...) below 2^24 */
    case OP_RELU: case OP_LEAKY_RELU: case OP_SIGMOID: case OP_TANH: case OP_EXP: case OP_LOG: case OP_SQRT:
    case OP_ABS: case OP_SOFTPLUS: case OP_STEP: case OP_SIGN: case OP_DIV: case OP_POW: case OP_EQ: case OP_GT:
    case OP_ERF: case OP_CLIP: case OP_GE: case OP_NE:
    case OP_RELU_DX: case OP_GELU: case OP_GELU_TANH: case OP_GELU_DX: case OP_GELU_TANH_DX:
        return NULL;
#define OP OP_CASE
#define OP_UNARY OP_NONE
#define OP_BINARY OP_NONE
#include "ir/ops.def"
        die("op %s is not elementwise", op_info[n->op].name);
    }
    die("bad op %d", (int)n->op);
}

static LLVMValueRef compute(Elem *el, int node);

/* gelu's tanh form and its slope, PyTorch's formulas (ops.def), in f32 (the
 * exact form is math.c's dmk_geluf and dmk_gelu_slopef).  Where |x| >= 10 the
 * slope's second term x (1 - t^2) k (1 + 3 c x^2) is below f32's resolution
 * of the first, and is taken as x * 0: that keeps PyTorch's NaN at x = +-inf
 * (inf * 0) without an overflowing x^3 turning a finite x's 0 into NaN (the
 * interpreter computes in double). */
static const double gelu_k = 0.7978845608028654, gelu_c = 0.044715;   /* sqrt(2/pi), as PyTorch */

static LLVMValueRef gelu_tanh_arg(Elem *el, LLVMValueRef x) {   /* tanh(k (x + c x^3)) */
    LLVMBuilderRef b = el->cg->b;
    LLVMValueRef cube = LLVMBuildFMul(b, LLVMBuildFMul(b, x, x, ""), x, "");
    LLVMValueRef inner = LLVMBuildFAdd(b, x, LLVMBuildFMul(b, cube, cf(el, gelu_c), ""), "");
    return kernel1(el, "dmk_tanhf", LLVMBuildFMul(b, inner, cf(el, gelu_k), ""));
}

static LLVMValueRef gelu_tanh(Elem *el, LLVMValueRef x) {   /* 0.5 x (1 + tanh(...)) */
    LLVMBuilderRef b = el->cg->b;
    LLVMValueRef cdf = LLVMBuildFMul(b, LLVMBuildFAdd(b, gelu_tanh_arg(el, x), cf(el, 1), ""), cf(el, 0.5), "");
    return LLVMBuildFMul(b, x, cdf, "");
}

static LLVMValueRef gelu_tanh_slope(Elem *el, LLVMValueRef x) {
    LLVMBuilderRef b = el->cg->b;
    LLVMValueRef x2 = LLVMBuildFMul(b, x, x, "");
    LLVMValueRef t = gelu_tanh_arg(el, x);
    LLVMValueRef left = LLVMBuildFMul(b, LLVMBuildFAdd(b, t, cf(el, 1), ""), cf(el, 0.5), "");
    LLVMValueRef dtanh = LLVMBuildFSub(b, cf(el, 1), LLVMBuildFMul(b, t, t, ""), "");
    LLVMValueRef dinner = LLVMBuildFMul(
        b, cf(el, gelu_k), LLVMBuildFAdd(b, cf(el, 1), LLVMBuildFMul(b, x2, cf(el, 3 * gelu_c), ""), ""), "");
    LLVMValueRef rest = LLVMBuildFMul(b, LLVMBuildFMul(b, LLVMBuildFMul(b, x, cf(el, 0.5), ""), dtanh, ""), dinner, "");
    LLVMValueRef near = LLVMBuildFCmp(b, LLVMRealOLT, intrinsic(el, "llvm.fabs", 1, &x), cf(el, 10), "");
    rest = LLVMBuildSelect(b, near, rest, LLVMBuildFMul(b, x, cf(el, 0), ""), "");
    return LLVMBuildFAdd(b, left, rest, "");
}

/* Every inline node has the root's shape (or is a const), so its value in
 * this element is one value, computed once even when reached twice. */
static LLVMValueRef value(Elem *el, int node) {
    if (!el->memo[node]) el->memo[node] = compute(el, node), touch(el, node);
    return el->memo[node];
}

static LLVMValueRef compute(Elem *el, int node) {
    Cg *cg = el->cg;
    LLVMBuilderRef b = cg->b;
    const Node *n = &el->g->nodes[node];
    const char *name = cg_node_name(cg, node);
    if (n->op == OP_CONST)
        return n->dtype == DT_F32 ? cf(el, n->attr.value)
                                  : LLVMConstInt(cg->i32, (unsigned long long)(int64_t)n->attr.value, 1);
    if (n->op == OP_BROADCAST) return operand(el, n->in[0]);
    if (n->op == OP_SLICE) return slice_element(el, node);
    LLVMValueRef x = operand(el, n->in[0]), y = n->nin > 1 ? operand(el, n->in[1]) : NULL;
    if (n->dtype == DT_I32 && is_int(el, x) && (!y || is_int(el, y))) {
        LLVMValueRef v = int_value(el, n, x, y, name);
        if (v) return v;
    }
    x = as_f32(el, x);
    if (y) y = as_f32(el, y);
    LLVMValueRef zero = cf(el, 0), args[2] = {x, y};
    switch (n->op) {
    case OP_NEG: return LLVMBuildFNeg(b, x, name);
    /* unordered-or-greater: a NaN stays NaN, as torch.relu */
    case OP_RELU: return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealUGT, x, zero, ""), x, zero, name);
    case OP_LEAKY_RELU:
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, x, zero, ""), x,
                               LLVMBuildFMul(b, x, cf(el, n->attr.value), ""), name);
    case OP_SIGMOID: return kernel1(el, "dmk_sigmoidf", x);
    case OP_TANH: return kernel1(el, "dmk_tanhf", x);
    case OP_EXP: return kernel1(el, "dmk_expf", x);
    case OP_LOG: return kernel1(el, "dmk_logf", x);
    case OP_SQRT: return intrinsic(el, "llvm.sqrt", 1, args);
    case OP_ABS: return intrinsic(el, "llvm.fabs", 1, args);
    case OP_SOFTPLUS: {   /* x where beta x > threshold, else log(1 + e) / beta, e = exp(beta x) */
        LLVMValueRef bx = LLVMBuildFMul(b, x, cf(el, n->attr.value), "");
        LLVMValueRef e = kernel1(el, "dmk_expf", bx);
        /* below 2^-24, 1 + e rounds to 1 and log(1 + e) to 0, where it is e */
        LLVMValueRef l = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, e, cf(el, 0x1p-24), ""), e,
                                         kernel1(el, "dmk_logf", LLVMBuildFAdd(b, cf(el, 1), e, "")), "");
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, bx, cf(el, n->attr.value2), ""), x,
                               LLVMBuildFDiv(b, l, cf(el, n->attr.value), ""), name);
    }
    case OP_STEP: return select01(el, LLVMBuildFCmp(b, LLVMRealOGT, x, zero, ""));
    case OP_SIGN:
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, x, zero, ""), cf(el, 1),
                               LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, x, zero, ""), cf(el, -1), zero, ""),
                               name);
    case OP_CAST:
        if (n->dtype == DT_F32) return x;
        if (n->dtype == DT_BOOL) return select01(el, LLVMBuildFCmp(b, LLVMRealUNE, x, zero, ""));
        return saturating_i32(el, x, name);
    case OP_ERF: return kernel1(el, "dmk_erff", x);
    case OP_CLIP: {   /* the comparisons are false for a NaN, which stays */
        LLVMValueRef lo = cf(el, n->attr.value), hi = cf(el, n->attr.value2);
        LLVMValueRef up = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, x, lo, ""), lo, x, "");
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, x, hi, ""), hi, up, name);
    }
    case OP_GELU: return kernel1(el, "dmk_geluf", x);
    case OP_GELU_TANH: return gelu_tanh(el, x);
    case OP_ADD: return LLVMBuildFAdd(b, x, y, name);
    case OP_SUB: return LLVMBuildFSub(b, x, y, name);
    case OP_MUL: return LLVMBuildFMul(b, x, y, name);
    case OP_DIV: return LLVMBuildFDiv(b, x, y, name);
    case OP_POW: return cg_call(cg, cg_kernel(cg, "dmk_powf"), args, 2, name);
    case OP_MAXIMUM: case OP_MINIMUM: {   /* x if it is NaN or beyond y, else y (NaN included) */
        LLVMValueRef beyond = LLVMBuildFCmp(b, n->op == OP_MAXIMUM ? LLVMRealOGT : LLVMRealOLT, x, y, "");
        LLVMValueRef pick_x = LLVMBuildOr(b, beyond, LLVMBuildFCmp(b, LLVMRealUNO, x, x, ""), "");
        return LLVMBuildSelect(b, pick_x, x, y, name);
    }
    case OP_EQ: return select01(el, LLVMBuildFCmp(b, LLVMRealOEQ, x, y, ""));
    case OP_GT: return select01(el, LLVMBuildFCmp(b, LLVMRealOGT, x, y, ""));
    case OP_GE: return select01(el, LLVMBuildFCmp(b, LLVMRealOGE, x, y, ""));
    case OP_NE: return select01(el, LLVMBuildFCmp(b, LLVMRealUNE, x, y, ""));
    case OP_KEEP: return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealUNE, x, zero, ""), y, zero, name);
    case OP_RELU_DX: return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLE, y, zero, ""), zero, x, name);
    case OP_GELU_DX: return LLVMBuildFMul(b, x, kernel1(el, "dmk_gelu_slopef", y), name);
    case OP_GELU_TANH_DX: return LLVMBuildFMul(b, x, gelu_tanh_slope(el, y), name);
#define OP OP_CASE   /* const and broadcast: above */
#define OP_UNARY OP_NONE
#define OP_BINARY OP_NONE
#include "ir/ops.def"
        break;
    }
    die("op %s is not elementwise", op_info[n->op].name);
}

static void store_element(Elem *el, int node, LLVMValueRef v, LLVMValueRef flat) {
    Cg *cg = el->cg;
    bool is_f32 = el->g->nodes[node].dtype == DT_F32;
    if (is_f32) v = as_f32(el, v);
    else if (!is_int(el, v)) v = LLVMBuildFPToSI(cg->b, v, cg->i32, "");
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cg->b, is_f32 ? cg->f32 : cg->i32, el->params[el->param_of[node]], &flat, 1, "");
    LLVMSetAlignment(LLVMBuildStore(cg->b, v, p), 4);
}


/* task(data, t, T): the helper over rows [outer t / T, outer (t+1) / T). */
static LLVMValueRef task_function(Elem *el, LLVMValueRef helper, LLVMTypeRef hty) {
    Cg *cg = el->cg;
    LLVMTypeRef pt[3] = {cg->ptr, cg->i32, cg->i32};
    LLVMValueRef fn = LLVMAddFunction(cg->mod, arena_printf(cg->arena, "%s.task", LLVMGetValueName(helper)),
                                      LLVMFunctionType(cg->void_t, pt, 3, 0));
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    LLVMBasicBlockRef back = LLVMGetInsertBlock(cg->b);
    LLVMValueRef data = cg->data;
    LLVMPositionBuilderAtEnd(cg->b, LLVMAppendBasicBlockInContext(cg->ctx, fn, "entry"));
    cg->data = LLVMGetParam(fn, 0);
    LLVMValueRef t = LLVMBuildSExt(cg->b, LLVMGetParam(fn, 1), cg->i64, "task");
    LLVMValueRef n = LLVMBuildSExt(cg->b, LLVMGetParam(fn, 2), cg->i64, "ntasks");
    LLVMValueRef rows = c64(el, el->outer);
    LLVMValueRef *args = arena_alloc(cg->arena, sizeof *args * (el->nparams + 5));
    for (int p = 0; p < el->nparams; p++) args[p] = cg_node_ptr(cg, el->arg_node[p]);
    args[el->nparams] = LLVMBuildUDiv(cg->b, LLVMBuildMul(cg->b, rows, t, ""), n, "row.first");
    args[el->nparams + 1] = LLVMBuildUDiv(cg->b, LLVMBuildMul(cg->b, rows, LLVMBuildAdd(cg->b, t, c64(el, 1), ""), ""),
                                          n, "row.end");
    args[el->nparams + 2] = c64(el, 0);
    args[el->nparams + 3] = c64(el, el->inner);
    LLVMBuildCall2(cg->b, hty, helper, args, (unsigned)el->nparams + 4, "");
    LLVMBuildRetVoid(cg->b);
    cg->data = data;
    LLVMPositionBuilderAtEnd(cg->b, back);
    return fn;
}

/* In the entry: the helper over every row, or, for a big loop with threads
 * available (ex non-NULL, ex->threads > 1), ex->parallel over row ranges. */
static void call_helper(Elem *el, LLVMValueRef helper, LLVMTypeRef hty, LLVMValueRef *args) {
    Cg *cg = el->cg;
    LLVMBuilderRef b = cg->b;
    args[el->nparams] = c64(el, 0);
    args[el->nparams + 1] = c64(el, el->outer);
    args[el->nparams + 2] = c64(el, 0);
    args[el->nparams + 3] = c64(el, el->inner);
    if (el->outer < 2 || el->outer * el->inner < PARALLEL_MIN_ELEMENTS) {
        LLVMBuildCall2(b, hty, helper, args, (unsigned)el->nparams + 4, "");
        return;
    }
    LLVMValueRef task = task_function(el, helper, hty);
    LLVMTypeRef exec_f[EXEC_FIELDS] = {[EXEC_PARALLEL] = cg->ptr, [EXEC_THREADS] = cg->i32, [EXEC_POOL] = cg->ptr};
    LLVMTypeRef exec_t = LLVMStructTypeInContext(cg->ctx, exec_f, EXEC_FIELDS, 0);
    LLVMBasicBlockRef check = LLVMAppendBasicBlockInContext(cg->ctx, cg->fn, "threads.check");
    LLVMBasicBlockRef par = LLVMAppendBasicBlockInContext(cg->ctx, cg->fn, "threads.run");
    LLVMBasicBlockRef serial = LLVMAppendBasicBlockInContext(cg->ctx, cg->fn, "threads.none");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cg->ctx, cg->fn, "threads.done");
    LLVMBuildCondBr(b, LLVMBuildIsNull(b, cg->ex, ""), serial, check);
    LLVMPositionBuilderAtEnd(b, check);
    LLVMValueRef threads = LLVMBuildLoad2(b, cg->i32, LLVMBuildStructGEP2(b, exec_t, cg->ex, EXEC_THREADS, ""), "threads");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSGT, threads, LLVMConstInt(cg->i32, 1, 0), ""), par, serial);
    LLVMPositionBuilderAtEnd(b, par);
    int64_t most = el->outer < (1 << 30) ? el->outer : (1 << 30);
    LLVMValueRef cap = LLVMConstInt(cg->i32, (unsigned long long)most, 0);
    LLVMValueRef ntasks = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, threads, cap, ""), threads, cap, "ntasks");
    LLVMValueRef parallel = LLVMBuildLoad2(b, cg->ptr, LLVMBuildStructGEP2(b, exec_t, cg->ex, EXEC_PARALLEL, ""), "parallel");
    LLVMTypeRef ppt[4] = {cg->ptr, cg->ptr, cg->ptr, cg->i32};
    LLVMValueRef pargs[4] = {cg->ex, task, cg->data, ntasks};
    LLVMBuildCall2(b, LLVMFunctionType(cg->void_t, ppt, 4, 0), parallel, pargs, 4, "");
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, serial);
    LLVMBuildCall2(b, hty, helper, args, (unsigned)el->nparams + 4, "");
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
}

/* The loop of root: its buffers and its [outer, inner] view. */
static bool elem_init(Elem *el, Cg *cg, int root) {
    const Graph *g = cg->ep->graph;
    const Node *rn = &g->nodes[root];
    *el = (Elem){.cg = cg, .g = g, .root = root, .s = rn->shape};
    ElemScratch *scratch = elem_scratch(cg, g);
    el->param_of = scratch->param_of;
    el->memo = scratch->memo;
    el->seen = scratch->seen;
    add_param(el, root);
    collect(el, root);
    el->merged = first_merged(el, rn->shape);
    el->s = view_of(el, rn->shape, rn->shape);
    el->inner = el->s.rank > 0 ? el->s.dim[el->s.rank - 1] : 1;
    el->outer = el->inner ? shape_count(rn->shape) / el->inner : 0;
    return shape_count(rn->shape) > 0;
}

/* The helper function, NAME(buffers..., row.first, row.end, col.first,
 * col.end): the elements [col.first, col.end) of the rows [row.first,
 * row.end).  args receives the buffers' pointers in the current function. */
static LLVMValueRef helper_function(Elem *el, LLVMTypeRef *hty, LLVMValueRef *args) {
    Cg *cg = el->cg;
    int root = el->root;
    LLVMTypeRef *pt = arena_alloc(cg->arena, sizeof *pt * (el->nparams + 5));
    for (int p = 0; p < el->nparams; p++) pt[p] = cg->ptr;
    for (int k = 0; k < 4; k++) pt[el->nparams + k] = cg->i64;
    LLVMTypeRef fty = LLVMFunctionType(cg->void_t, pt, (unsigned)el->nparams + 4, 0);
    LLVMValueRef fn = LLVMAddFunction(cg->mod, arena_printf(cg->arena, "%s.%s", cg->prefix, cg_node_name(cg, root)), fty);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    unsigned align = LLVMGetEnumAttributeKindForName("align", 5);
    unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(cg->ctx, nounwind, 0));
    el->params = arena_alloc(cg->arena, sizeof *el->params * (el->nparams + 1));
    for (int p = 0; p < el->nparams; p++) {
        el->params[p] = LLVMGetParam(fn, (unsigned)p);
        const char *pn = cg_node_name(cg, el->arg_node[p]);
        LLVMSetValueName2(el->params[p], pn, strlen(pn));
        LLVMAddAttributeAtIndex(fn, (unsigned)p + 1, LLVMCreateEnumAttribute(cg->ctx, noalias, 0));
        int64_t key = buffer_key(el, el->arg_node[p]);   /* a literal's global (< 0) or a buffer is aligned; */
        if (key < 0 || key % 64 == 0)                     /* a slice view inside a buffer may not be */
            LLVMAddAttributeAtIndex(fn, (unsigned)p + 1, LLVMCreateEnumAttribute(cg->ctx, align, 64));
        args[p] = cg_node_ptr(cg, el->arg_node[p]);   /* in the caller, before we move */
    }
    static const char *bound[4] = {"row.first", "row.end", "col.first", "col.end"};
    LLVMValueRef lim[4];
    for (int k = 0; k < 4; k++) {
        lim[k] = LLVMGetParam(fn, (unsigned)el->nparams + (unsigned)k);
        LLVMSetValueName2(lim[k], bound[k], strlen(bound[k]));
    }
    LLVMBasicBlockRef back = LLVMGetInsertBlock(cg->b);

    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(cg->ctx, fn, "entry");
    LLVMBasicBlockRef outer = LLVMAppendBasicBlockInContext(cg->ctx, fn, "outer");
    LLVMBasicBlockRef inner = LLVMAppendBasicBlockInContext(cg->ctx, fn, "inner");
    LLVMBasicBlockRef latch = LLVMAppendBasicBlockInContext(cg->ctx, fn, "outer.next");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cg->ctx, fn, "done");
    LLVMBuilderRef b = cg->b;
    LLVMPositionBuilderAtEnd(b, entry);
    LLVMValueRef any = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntULT, lim[0], lim[1], ""),
                                    LLVMBuildICmp(b, LLVMIntULT, lim[2], lim[3], ""), "");
    LLVMBuildCondBr(b, any, outer, done);
    LLVMPositionBuilderAtEnd(b, outer);
    el->o = LLVMBuildPhi(b, cg->i64, "o");
    LLVMBuildBr(b, inner);
    LLVMPositionBuilderAtEnd(b, inner);
    el->j = LLVMBuildPhi(b, cg->i64, "j");

    /* Every value first (they read the old contents of tensors written in
     * place), then the stores: the root's and the exported values'. */
    LLVMValueRef v = value(el, root);
    LLVMValueRef *ev = arena_alloc(cg->arena, sizeof *ev * (el->nexported + 1));
    for (int k = 0; k < el->nexported; k++) ev[k] = value(el, el->exported[k]);
    LLVMValueRef flat = LLVMBuildAdd(b, LLVMBuildMul(b, el->o, c64(el, el->inner), ""), el->j, "i");
    store_element(el, root, v, flat);
    for (int k = 0; k < el->nexported; k++) store_element(el, el->exported[k], ev[k], flat);

    LLVMValueRef j1 = LLVMBuildAdd(b, el->j, c64(el, 1), "j.next");
    LLVMBasicBlockRef inner_end = LLVMGetInsertBlock(b);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULT, j1, lim[3], ""), inner, latch);
    LLVMValueRef jin[2] = {lim[2], j1};
    LLVMBasicBlockRef jfrom[2] = {outer, inner_end};
    LLVMAddIncoming(el->j, jin, jfrom, 2);

    LLVMPositionBuilderAtEnd(b, latch);
    LLVMValueRef o1 = LLVMBuildAdd(b, el->o, c64(el, 1), "o.next");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULT, o1, lim[1], ""), outer, done);
    LLVMValueRef oin[2] = {lim[0], o1};
    LLVMBasicBlockRef ofrom[2] = {entry, latch};
    LLVMAddIncoming(el->o, oin, ofrom, 2);
    LLVMPositionBuilderAtEnd(b, done);
    LLVMBuildRetVoid(b);

    LLVMPositionBuilderAtEnd(b, back);
    *hty = fty;
    return fn;
}

void cg_elementwise(Cg *cg, int root) {
    Elem el;
    if (elem_init(&el, cg, root)) {
        LLVMValueRef *args = arena_alloc(cg->arena, sizeof *args * (el.nparams + 5));
        LLVMTypeRef hty;
        LLVMValueRef helper = helper_function(&el, &hty, args);
        call_helper(&el, helper, hty, args);
    }
    elem_done(&el);
}

/* NAME.epilogue(data, first, end): root's loop over the elements [first,
 * end) of its flattened index space, a row at a time.  The kernel that
 * computes root's one operand calls it on each part of its output as soon as
 * that part is final (plan.c). */
LLVMValueRef cg_epilogue(Cg *cg, int root) {
    Elem el;
    elem_init(&el, cg, root);
    LLVMTypeRef pt[3] = {cg->ptr, cg->i64, cg->i64};
    LLVMValueRef fn = LLVMAddFunction(cg->mod, arena_printf(cg->arena, "%s.%s.epilogue", cg->prefix, cg_node_name(cg, root)),
                                      LLVMFunctionType(cg->void_t, pt, 3, 0));
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    LLVMBasicBlockRef back = LLVMGetInsertBlock(cg->b);
    LLVMValueRef data = cg->data;
    LLVMBuilderRef b = cg->b;
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(cg->ctx, fn, "entry");
    LLVMBasicBlockRef row = LLVMAppendBasicBlockInContext(cg->ctx, fn, "row");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cg->ctx, fn, "done");
    LLVMPositionBuilderAtEnd(b, entry);
    cg->data = LLVMGetParam(fn, 0);
    LLVMValueRef first = LLVMGetParam(fn, 1), end = LLVMGetParam(fn, 2);
    LLVMValueRef *args = arena_alloc(cg->arena, sizeof *args * (el.nparams + 5));
    LLVMTypeRef hty;
    LLVMValueRef helper = helper_function(&el, &hty, args);
    LLVMValueRef inner = c64(&el, el.inner ? el.inner : 1);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULT, first, end, ""), row, done);
    /* i: the first element left; its row r = i / inner, columns from
     * i % inner to the row's end or to end. */
    LLVMPositionBuilderAtEnd(b, row);
    LLVMValueRef i = LLVMBuildPhi(b, cg->i64, "i");
    LLVMValueRef r = LLVMBuildUDiv(b, i, inner, "r");
    LLVMValueRef c0 = LLVMBuildURem(b, i, inner, "c0");
    LLVMValueRef left = LLVMBuildAdd(b, c0, LLVMBuildSub(b, end, i, ""), "");
    LLVMValueRef c1 = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntULT, left, inner, ""), left, inner, "c1");
    args[el.nparams] = r;
    args[el.nparams + 1] = LLVMBuildAdd(b, r, c64(&el, 1), "");
    args[el.nparams + 2] = c0;
    args[el.nparams + 3] = c1;
    LLVMBuildCall2(b, hty, helper, args, (unsigned)el.nparams + 4, "");
    LLVMValueRef next = LLVMBuildAdd(b, i, LLVMBuildSub(b, c1, c0, ""), "i.next");
    LLVMValueRef in[2] = {first, next};
    LLVMBasicBlockRef from[2] = {entry, row};
    LLVMAddIncoming(i, in, from, 2);
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULT, next, end, ""), row, done);
    LLVMPositionBuilderAtEnd(b, done);
    LLVMBuildRetVoid(b);
    cg->data = data;
    LLVMPositionBuilderAtEnd(b, back);
    elem_done(&el);
    return fn;
}
