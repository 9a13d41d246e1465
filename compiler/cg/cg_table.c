/* cg_table.c: the descriptor's tensor table (`NAME_tensors`, an array of
 * dm_tensor_desc, runtime/dm.h ABI 5) as LLVM constants laid out like the C
 * struct (LLVM's struct layout follows the target's C ABI for these
 * naturally aligned members).
 *
 * A table row is most of an object's data for a deep model (6 400 rows for 800
 * Dense layers with Adam), so what rows have in common is stored once
 * (docs/decisions.md, "The tensor table, ABI 5"):
 *   - names: one blob of strings, byte-aligned; a parameter's name is the
 *     tail of its gradient's ("grad/dense_0.W" holds "dense_0.W");
 *   - dims: one pool of DM_MAX_RANK-value shapes, one per distinct shape;
 *   - init: one pool of dm_init_desc, one per distinct initialiser; NULL for
 *     zeros (gradients, inputs, outputs, Adam's moments, zero biases).
 * Every pointer of a row costs a relocation in the object (24 bytes on
 * x86-64), hence NULL rather than a pointer to a shared zeros entry.
 *
 * Needs: the plan (offsets, descriptor order).  Guarantees: rows in the
 * plan's descriptor order (params, state, grads, inputs, outputs, loss); a
 * gradient's or state's `param` is the parameter's descriptor index; `reads`
 * has bit DM_ENTRY_x for every entry whose graph loads the tensor; an i32
 * input that reaches a one_hot, a softmax_cross_entropy's labels or a
 * gather's ids (through reshapes, transposes, broadcasts) gets the range
 * [0, classes - 1] (the intersection over its uses; a gather's classes are
 * its table's rows; hi at most INT32_MAX, the largest i32). */
#include <llvm-c/Core.h>
#include <llvm-c/Target.h>

#include "cg/cg_internal.h"
#include "dm.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

_Static_assert(MAX_RANK == DM_MAX_RANK, "a descriptor's dims hold MAX_RANK values");
_Static_assert((int)TK_INPUT == DM_INPUT && (int)TK_OUTPUT == DM_OUTPUT && (int)TK_PARAM == DM_PARAM &&
               (int)TK_GRAD == DM_GRAD && (int)TK_STATE == DM_STATE && (int)TK_LOSS == DM_LOSS &&
               (int)TK_BUFFER == DM_BUFFER,
               "TensorKind is dm_kind");
_Static_assert((int)INIT_ZEROS == DM_INIT_ZEROS && (int)INIT_ONES == DM_INIT_ONES && (int)INIT_CONST == DM_INIT_CONST &&
               (int)INIT_LITERAL == DM_INIT_LITERAL && (int)INIT_UNIFORM == DM_INIT_UNIFORM &&
               (int)INIT_NORMAL == DM_INIT_NORMAL && (int)INIT_XAVIER == DM_INIT_XAVIER && (int)INIT_HE == DM_INIT_HE &&
               (int)INIT_SEED == DM_INIT_SEED,
               "InitKind is dm_init_kind");

/* The LLVM struct types must lay out like the C structs: checked against
 * this compiler's own layout when the target's pointers and 64-bit
 * alignments are the host's (these structs hold only fixed-size members and
 * pointers, so the layout depends on nothing else).  For a 32-bit target the
 * data layout decides (i686 aligns int64_t and double to 4 bytes, ARM to 8),
 * as it does for the C compiler of that target; tests/cross runs the runtime
 * built by that compiler on these tables. */
static void check_layout(Cg *cg, LLVMTypeRef tensor_t, LLVMTypeRef init_t) {
    LLVMTargetDataRef td = LLVMGetModuleDataLayout(cg->mod);
    if (LLVMPointerSize(td) != sizeof(void *) || LLVMABIAlignmentOfType(td, cg->i64) != _Alignof(int64_t)) return;
    if (LLVMABISizeOfType(td, tensor_t) != sizeof(dm_tensor_desc) ||
        LLVMOffsetOfElement(td, tensor_t, 1) != offsetof(dm_tensor_desc, dims) ||
        LLVMOffsetOfElement(td, tensor_t, 2) != offsetof(dm_tensor_desc, init) ||
        LLVMOffsetOfElement(td, tensor_t, 3) != offsetof(dm_tensor_desc, count) ||
        LLVMOffsetOfElement(td, tensor_t, 5) != offsetof(dm_tensor_desc, bytes) ||
        LLVMOffsetOfElement(td, tensor_t, 6) != offsetof(dm_tensor_desc, kind) ||
        LLVMOffsetOfElement(td, tensor_t, 8) != offsetof(dm_tensor_desc, param) ||
        LLVMOffsetOfElement(td, tensor_t, 9) != offsetof(dm_tensor_desc, rank) ||
        LLVMOffsetOfElement(td, tensor_t, 11) != offsetof(dm_tensor_desc, flags) ||
        LLVMOffsetOfElement(td, tensor_t, 12) != offsetof(dm_tensor_desc, lo) ||
        LLVMOffsetOfElement(td, tensor_t, 13) != offsetof(dm_tensor_desc, hi) ||
        LLVMABISizeOfType(td, init_t) != sizeof(dm_init_desc) ||
        LLVMOffsetOfElement(td, init_t, 3) != offsetof(dm_init_desc, fan_in) ||
        LLVMOffsetOfElement(td, init_t, 5) != offsetof(dm_init_desc, data))
        die("the tensor table's LLVM layout does not match runtime/dm.h");
}

/* The dm_entry bit of each compiler entry (dm_model_desc's order differs). */
static int entry_bit(int entry) {
    switch (entry) {
    case ENTRY_FORWARD: return DM_ENTRY_FORWARD;
    case ENTRY_TRAIN_STEP: return DM_ENTRY_TRAIN_STEP;
    case ENTRY_GRADIENTS: return DM_ENTRY_GRADIENTS;
    default: return DM_ENTRY_APPLY;
    }
}

/* What the table says about a tensor beyond its shape and place. */
typedef struct Usage {
    uint32_t reads;
    bool has_range;
    int64_t lo, hi;
} Usage;

/* The tensor an operand comes from unchanged in value (through shape ops), or -1. */
static int loaded_tensor(const Graph *g, int node) {
    while (g->nodes[node].op == OP_RESHAPE || g->nodes[node].op == OP_TRANSPOSE || g->nodes[node].op == OP_BROADCAST)
        node = g->nodes[node].in[0];
    return g->nodes[node].op == OP_LOAD ? g->nodes[node].attr.tensor : -1;
}

static void limit_range(Usage *u, int64_t classes) {
    if (!u->has_range) u->lo = 0, u->hi = classes - 1;
    if (u->hi > classes - 1) u->hi = classes - 1;
    u->has_range = true;
}

static Usage *tensor_usage(Cg *cg) {
    const Model *m = cg->model;
    Usage *use = arena_alloc(cg->arena, sizeof *use * (size_t)(m->ntensors + 1));
    memset(use, 0, sizeof *use * (size_t)(m->ntensors + 1));
    for (int e = 0; e < ENTRY_COUNT; e++) {
        const Graph *g = model_entry_graph(m, e);
        for (int i = 0; g && i < g->n; i++) {
            const Node *n = &g->nodes[i];
            if (n->op == OP_LOAD) use[n->attr.tensor].reads |= 1u << entry_bit(e);
            int labels = label_operand(n);
            if (labels < 0) continue;
            int t = loaded_tensor(g, labels);
            if (t < 0 || m->tensors[t].kind != TK_INPUT || m->tensors[t].dtype != DT_I32) continue;
            limit_range(&use[t], label_classes(g, n));
        }
    }
    return use;
}

/* A pool of equal-sized records stored once each: the index of the first
 * record equal to one (bytewise), found through an open-addressing hash. */
typedef struct Pool {
    const uint8_t *items;   /* the caller's records, `size` bytes apart */
    size_t size;
    int *slot;              /* record index + 1, 0: empty */
    int nslots;
} Pool;

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603u;   /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211u;
    return h;
}

/* Records i of pool: the first equal record's index (i itself if it is new). */
static int pool_find(Pool *pool, int i) {
    const uint8_t *rec = pool->items + (size_t)i * pool->size;
    for (uint64_t s = hash_bytes(rec, pool->size) & (uint64_t)(pool->nslots - 1);; s = (s + 1) & (uint64_t)(pool->nslots - 1)) {
        if (!pool->slot[s]) {
            pool->slot[s] = i + 1;
            return i;
        }
        int j = pool->slot[s] - 1;
        if (memcmp(pool->items + (size_t)j * pool->size, rec, pool->size) == 0) return j;
    }
}

static Pool pool_new(Cg *cg, const void *items, size_t size, int n) {
    Pool p = {items, size, NULL, 16};
    while (p.nslots < 2 * n) p.nslots *= 2;
    p.slot = arena_alloc(cg->arena, sizeof(int) * (size_t)p.nslots);
    memset(p.slot, 0, sizeof(int) * (size_t)p.nslots);
    return p;
}

static LLVMValueRef i32c(Cg *cg, int64_t v) { return LLVMConstInt(cg->i32, (unsigned long long)v, 1); }
static LLVMValueRef i8c(Cg *cg, int64_t v) { return LLVMConstInt(cg->i8, (unsigned long long)v, 0); }
static LLVMValueRef i64c(Cg *cg, int64_t v) { return LLVMConstInt(cg->i64, (unsigned long long)v, 1); }

/* A private constant global of `init`, aligned to `align` bytes (0: the target's choice). */
static LLVMValueRef pool_global(Cg *cg, LLVMValueRef init, const char *name, unsigned align) {
    LLVMValueRef g = cg_constant(cg, init, name);
    if (align) LLVMSetAlignment(g, align);
    return g;
}

/* &base[i] of a global array of `elem`. */
static LLVMValueRef element(Cg *cg, LLVMTypeRef elem, LLVMValueRef base, int64_t i) {
    LLVMValueRef at = i64c(cg, i);
    return LLVMConstInBoundsGEP2(elem, base, &at, 1);
}

/* The name of tensor i (descriptor order) as a pointer into one blob of all
 * names; a parameter's is the tail of its gradient's when that is "grad/" + it. */
static LLVMValueRef *name_pointers(Cg *cg, const int *order) {
    const Model *m = cg->model;
    int nt = m->ntensors;
    int64_t *at = arena_alloc(cg->arena, sizeof *at * (size_t)(nt + 1));
    size_t cap = 1;
    for (int i = 0; i < nt; i++) at[i] = -1, cap += strlen(m->tensors[i].name) + 1;
    char *blob = arena_alloc(cg->arena, cap);
    size_t len = 0;
    for (int i = 0; i < nt; i++) {   /* first the gradients that hold their parameters' names */
        const Tensor *t = &m->tensors[i];
        if (t->kind != TK_GRAD || t->param < 0 || t->param >= nt || at[t->param] >= 0 ||
            strncmp(t->name, "grad/", 5) != 0 || strcmp(t->name + 5, m->tensors[t->param].name) != 0)
            continue;
        at[i] = (int64_t)len;
        at[t->param] = (int64_t)len + 5;
        len += strlen(t->name) + 1;
        memcpy(blob + at[i], t->name, strlen(t->name) + 1);
    }
    for (int i = 0; i < nt; i++) {
        if (at[i] >= 0) continue;
        size_t n = strlen(m->tensors[i].name) + 1;
        memcpy(blob + len, m->tensors[i].name, n);
        at[i] = (int64_t)len;
        len += n;
    }
    LLVMValueRef init = LLVMConstStringInContext(cg->ctx, blob, (unsigned)len, 1);
    LLVMValueRef g = pool_global(cg, init, arena_printf(cg->arena, "%s.names", m->name), 1);
    LLVMValueRef *ptr = arena_alloc(cg->arena, sizeof *ptr * (size_t)(nt + 1));
    for (int i = 0; i < nt; i++) ptr[i] = element(cg, cg->i8, g, at[order[i]]);
    return ptr;
}

/* Each tensor's dims (descriptor order) as a pointer into one pool of distinct shapes. */
static LLVMValueRef *dims_pointers(Cg *cg, const int *order) {
    const Model *m = cg->model;
    int nt = m->ntensors;
    int64_t (*dims)[MAX_RANK] = arena_alloc(cg->arena, sizeof *dims * (size_t)(nt + 1));
    memset(dims, 0, sizeof *dims * (size_t)(nt + 1));
    for (int i = 0; i < nt; i++)
        for (int k = 0; k < m->tensors[order[i]].shape.rank; k++) dims[i][k] = m->tensors[order[i]].shape.dim[k];
    Pool pool = pool_new(cg, dims, sizeof *dims, nt);
    int *first = arena_alloc(cg->arena, sizeof(int) * (size_t)(nt + 1));
    int *at = arena_alloc(cg->arena, sizeof(int) * (size_t)(nt + 1));   /* shape index of a first occurrence */
    LLVMValueRef *values = arena_alloc(cg->arena, sizeof *values * (size_t)(nt + 1) * MAX_RANK);
    int nshapes = 0;
    for (int i = 0; i < nt; i++) {
        first[i] = pool_find(&pool, i);
        if (first[i] != i) continue;
        at[i] = nshapes++;
        for (int k = 0; k < MAX_RANK; k++) values[at[i] * MAX_RANK + k] = i64c(cg, dims[i][k]);
    }
    LLVMValueRef init = LLVMConstArray2(cg->i64, values, (uint64_t)nshapes * MAX_RANK);
    LLVMValueRef g = pool_global(cg, init, arena_printf(cg->arena, "%s.dims", m->name), 0);
    LLVMValueRef *ptr = arena_alloc(cg->arena, sizeof *ptr * (size_t)(nt + 1));
    for (int i = 0; i < nt; i++) ptr[i] = element(cg, cg->i64, g, (int64_t)at[first[i]] * MAX_RANK);
    return ptr;
}

/* An initialiser as the pool compares it: every member, the literal's values by their tensor. */
typedef struct InitKey {
    int64_t kind;
    double a, b;
    int64_t fan_in, fan_out, literal;   /* literal: the tensor's model index + 1, 0 for none */
} InitKey;

static LLVMValueRef literal_values(Cg *cg, const Tensor *t) {
    int64_t count = shape_count(t->shape);
    LLVMValueRef *v = arena_alloc(cg->arena, sizeof *v * (size_t)(count + 1));
    for (int64_t k = 0; k < count; k++) v[k] = LLVMConstReal(cg->f32, t->init.data[k]);
    LLVMValueRef init = LLVMConstArray2(cg->f32, v, (uint64_t)count);
    LLVMValueRef data = LLVMAddGlobal(cg->mod, LLVMTypeOf(init), arena_printf(cg->arena, "%s.init.%s", cg->model->name, t->name));
    LLVMSetInitializer(data, init);
    LLVMSetGlobalConstant(data, 1);
    LLVMSetLinkage(data, LLVMPrivateLinkage);
    return data;
}

/* Each tensor's init (descriptor order): NULL for zeros, else a pointer into one pool of distinct initialisers. */
static LLVMValueRef *init_pointers(Cg *cg, const int *order, LLVMTypeRef init_t) {
    const Model *m = cg->model;
    int nt = m->ntensors;
    LLVMTypeRef f64 = LLVMDoubleTypeInContext(cg->ctx);
    InitKey *keys = arena_alloc(cg->arena, sizeof *keys * (size_t)(nt + 1));
    memset(keys, 0, sizeof *keys * (size_t)(nt + 1));
    for (int i = 0; i < nt; i++) {
        const Tensor *t = &m->tensors[order[i]];
        bool literal = t->init.kind == INIT_LITERAL && t->init.data;
        keys[i] = (InitKey){t->init.kind, t->init.a, t->init.b, t->init.fan_in, t->init.fan_out,
                            literal ? order[i] + 1 : 0};
    }
    Pool pool = pool_new(cg, keys, sizeof *keys, nt);
    int *first = arena_alloc(cg->arena, sizeof(int) * (size_t)(nt + 1));
    int *at = arena_alloc(cg->arena, sizeof(int) * (size_t)(nt + 1));
    LLVMValueRef *rows = arena_alloc(cg->arena, sizeof *rows * (size_t)(nt + 1));
    int ninits = 0;
    for (int i = 0; i < nt; i++) {
        if (keys[i].kind == INIT_ZEROS) continue;   /* NULL: the other members mean nothing for zeros */
        first[i] = pool_find(&pool, i);
        if (first[i] != i) continue;
        at[i] = ninits;
        const Tensor *t = &m->tensors[order[i]];
        LLVMValueRef v[] = {i32c(cg, t->init.kind), LLVMConstReal(f64, t->init.a), LLVMConstReal(f64, t->init.b),
                            i64c(cg, t->init.fan_in), i64c(cg, t->init.fan_out),
                            keys[i].literal ? literal_values(cg, t) : LLVMConstNull(cg->ptr)};
        rows[ninits++] = LLVMConstNamedStruct(init_t, v, 6);
    }
    LLVMValueRef g = NULL;
    if (ninits)
        g = pool_global(cg, LLVMConstArray2(init_t, rows, (uint64_t)ninits), arena_printf(cg->arena, "%s.inits", m->name), 0);
    LLVMValueRef *ptr = arena_alloc(cg->arena, sizeof *ptr * (size_t)(nt + 1));
    for (int i = 0; i < nt; i++)
        ptr[i] = keys[i].kind == INIT_ZEROS ? LLVMConstNull(cg->ptr) : element(cg, init_t, g, at[first[i]]);
    return ptr;
}

LLVMValueRef cg_tensor_table(Cg *cg) {
    const Model *m = cg->model;
    const ModelPlan *mp = cg->plan;
    LLVMTypeRef f64 = LLVMDoubleTypeInContext(cg->ctx);
    LLVMTypeRef init_f[] = {cg->i32, f64, f64, cg->i64, cg->i64, cg->ptr};
    LLVMTypeRef init_t = LLVMStructTypeInContext(cg->ctx, init_f, 6, 0);
    LLVMTypeRef tensor_f[] = {cg->ptr, cg->ptr, cg->ptr, cg->i64, cg->i64, cg->i64, cg->i32,
                              cg->i32, cg->i32, cg->i8, cg->i8, cg->i8, cg->i32, cg->i32};
    LLVMTypeRef tensor_t = LLVMStructTypeInContext(cg->ctx, tensor_f, 14, 0);
    check_layout(cg, tensor_t, init_t);
    Usage *use = tensor_usage(cg);

    int nt = m->ntensors;
    int *desc_index = arena_alloc(cg->arena, sizeof(int) * (size_t)(nt + 1));
    for (int i = 0; i < nt; i++) desc_index[mp->order[i]] = i;
    LLVMValueRef *names = name_pointers(cg, mp->order), *dims = dims_pointers(cg, mp->order);
    LLVMValueRef *inits = init_pointers(cg, mp->order, init_t);
    LLVMValueRef *rows = arena_alloc(cg->arena, sizeof *rows * (size_t)(nt + 1));
    for (int i = 0; i < nt; i++) {
        int ti = mp->order[i];
        const Tensor *t = &m->tensors[ti];
        int64_t count = shape_count(t->shape);
        bool has_param = (t->kind == TK_GRAD || t->kind == TK_STATE) && t->param >= 0 && t->param < nt;
        const Usage *u = &use[ti];
        LLVMValueRef row[] = {
            names[i], dims[i], inits[i], i64c(cg, count), i64c(cg, (int64_t)mp->tensor_offset[ti]),
            i64c(cg, count * dtype_size(t->dtype)), i32c(cg, t->kind), i32c(cg, t->dtype == DT_F32 ? DM_F32 : DM_I32),
            i32c(cg, has_param ? desc_index[t->param] : -1), i8c(cg, t->shape.rank), i8c(cg, u->reads),
            i8c(cg, u->has_range ? DM_TENSOR_HAS_RANGE : 0), i32c(cg, u->lo),
            i32c(cg, u->hi > INT32_MAX ? INT32_MAX : u->hi)};
        rows[i] = LLVMConstNamedStruct(tensor_t, row, 14);
    }
    LLVMValueRef table = LLVMConstArray2(tensor_t, rows, (uint64_t)nt);
    LLVMValueRef tensors = LLVMAddGlobal(cg->mod, LLVMTypeOf(table), arena_printf(cg->arena, "%s_tensors", m->name));
    LLVMSetInitializer(tensors, table);
    LLVMSetGlobalConstant(tensors, 1);
    LLVMSetLinkage(tensors, LLVMInternalLinkage);
    return tensors;
}
