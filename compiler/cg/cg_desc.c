/* cg_desc.c: the model's descriptor, `const dm_model_desc NAME_model`, and its
 * tensor table, as LLVM constants laid out like the C structs of
 * runtime/dm.h (LLVM's struct layout follows the target's C ABI for these
 * naturally aligned members).
 *
 * Needs: the plan (offsets) and the entry functions.  Guarantees: tensors
 * in the plan's descriptor order (params, state, grads, inputs, outputs,
 * loss); a gradient's or state's `param` is the parameter's descriptor
 * index; absent entries are NULL; `reads` has bit DM_ENTRY_x for every entry
 * whose graph loads the tensor; an i32 input that reaches a one_hot, a
 * softmax_cross_entropy's labels or a gather's ids (through reshapes,
 * transposes, broadcasts) gets the range [0, classes - 1] (the intersection
 * over its uses; a gather's classes are its table's rows);
 * `cpu_features` is the target's "+feature" list (docs/runtime.md); the
 * entry functions get hidden visibility (only the descriptor is exported).
 *
 * cg_model_table: the NULL-terminated table `dm_models` of a shared
 * library's descriptors (dmc --emit=shared; python/dmc.py reads it). */
#include <llvm-c/Core.h>
#include <llvm-c/Target.h>

#include "cg/cg_internal.h"
#include "dm.h"

#include <stddef.h>
#include <string.h>

/* The values the descriptor carries are the runtime's (dm.h). */
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
 * built by that compiler on these descriptors. */
static void check_layout(Cg *cg, LLVMTypeRef tensor_t, LLVMTypeRef desc_t) {
    LLVMTargetDataRef td = LLVMGetModuleDataLayout(cg->mod);
    if (LLVMPointerSize(td) != sizeof(void *) || LLVMABIAlignmentOfType(td, cg->i64) != _Alignof(int64_t)) return;
    if (LLVMABISizeOfType(td, tensor_t) != sizeof(dm_tensor_desc) ||
        LLVMOffsetOfElement(td, tensor_t, 6) != offsetof(dm_tensor_desc, offset) ||
        LLVMOffsetOfElement(td, tensor_t, 9) != offsetof(dm_tensor_desc, init) ||
        LLVMOffsetOfElement(td, tensor_t, 10) != offsetof(dm_tensor_desc, reads) ||
        LLVMOffsetOfElement(td, tensor_t, 12) != offsetof(dm_tensor_desc, lo) ||
        LLVMOffsetOfElement(td, tensor_t, 13) != offsetof(dm_tensor_desc, hi) ||
        LLVMABISizeOfType(td, desc_t) != sizeof(dm_model_desc) ||
        LLVMOffsetOfElement(td, desc_t, 7) != offsetof(dm_model_desc, forward) ||
        LLVMOffsetOfElement(td, desc_t, 11) != offsetof(dm_model_desc, seed_stream) ||
        LLVMOffsetOfElement(td, desc_t, 12) != offsetof(dm_model_desc, cpu_features) ||
        LLVMOffsetOfElement(td, desc_t, 15) != offsetof(dm_model_desc, variants))
        die("the descriptor's LLVM layout does not match runtime/dm.h");
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

/* What the descriptor says about a tensor beyond its shape and place. */
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

/* x86-64 microarchitecture levels (--cpu=x86-64-v2 ...): the features LLVM
 * gives each, beyond the x86-64 baseline (cmov, cx8, fxsr, mmx, sse, sse2). */
static const char *level_features(const char *cpu) {
    static const char *const v2 = "+cx16,+sahf,+popcnt,+sse3,+sse4.1,+sse4.2,+ssse3";
    static const char *const v3 = "+cx16,+sahf,+popcnt,+sse3,+sse4.1,+sse4.2,+ssse3,+avx,+avx2,+bmi,+bmi2,+f16c,"
                                  "+fma,+lzcnt,+movbe,+xsave";
    static const char *const v4 = "+cx16,+sahf,+popcnt,+sse3,+sse4.1,+sse4.2,+ssse3,+avx,+avx2,+bmi,+bmi2,+f16c,"
                                  "+fma,+lzcnt,+movbe,+xsave,+avx512f,+avx512bw,+avx512cd,+avx512dq,+avx512vl";
    if (!cpu) return "";
    if (strcmp(cpu, "x86-64-v2") == 0) return v2;
    if (strcmp(cpu, "x86-64-v3") == 0) return v3;
    if (strcmp(cpu, "x86-64-v4") == 0) return v4;
    return "";
}

/* The "+feature" items of the target's feature list (or, with none, of an
 * x86-64 level named by --cpu), comma-separated without the "+".  Other
 * --cpu names without --features record nothing (not checked at run time). */
static const char *required_features(Cg *cg) {
    const char *all = cg->features && strchr(cg->features, '+') ? cg->features : level_features(cg->cpu);
    char *out = arena_alloc(cg->arena, strlen(all) + 1);
    size_t n = 0;
    for (const char *p = all; *p;) {
        size_t len = strcspn(p, ",");
        if (p[0] == '+') {
            if (n) out[n++] = ',';
            memcpy(out + n, p + 1, len - 1);
            n += len - 1;
        }
        p += len;
        if (*p == ',') p++;
    }
    out[n] = 0;
    return out;
}

static LLVMValueRef string_global(Cg *cg, const char *s, const char *name) {
    LLVMValueRef init = LLVMConstStringInContext(cg->ctx, s, (unsigned)strlen(s), 0);
    return cg_constant(cg, init, name);
}

static LLVMValueRef i32c(Cg *cg, int64_t v) { return LLVMConstInt(cg->i32, (unsigned long long)v, 1); }
static LLVMValueRef i64c(Cg *cg, int64_t v) { return LLVMConstInt(cg->i64, (unsigned long long)v, 1); }

/* The baseline's table of its faster variants' descriptors (defined in
 * their levels' modules, which cg_levels.c links in), or NULL. */
static LLVMValueRef variant_table(Cg *cg, LLVMTypeRef desc_t) {
    if (!cg->nvariants) return LLVMConstNull(cg->ptr);
    LLVMValueRef *items = arena_alloc(cg->arena, sizeof *items * (size_t)cg->nvariants);
    for (int i = 0; i < cg->nvariants; i++) {
        const char *name = arena_printf(cg->arena, "%s_model.%s", cg->model->name, cg->variants[i]);
        items[i] = LLVMAddGlobal(cg->mod, desc_t, name);   /* a declaration until the link */
        LLVMSetGlobalConstant(items[i], 1);
    }
    LLVMValueRef init = LLVMConstArray2(cg->ptr, items, (uint64_t)cg->nvariants);
    return cg_constant(cg, init, arena_printf(cg->arena, "%s.variants", cg->model->name));
}

LLVMValueRef cg_descriptor(Cg *cg, LLVMValueRef fns[ENTRY_COUNT]) {
    const Model *m = cg->model;
    const ModelPlan *mp = cg->plan;
    LLVMTypeRef f64 = LLVMDoubleTypeInContext(cg->ctx);
    LLVMTypeRef dims_t = LLVMArrayType2(cg->i64, MAX_RANK);
    LLVMTypeRef init_f[] = {cg->i32, f64, f64, cg->i64, cg->i64, cg->ptr};
    LLVMTypeRef init_t = LLVMStructTypeInContext(cg->ctx, init_f, 6, 0);
    LLVMTypeRef tensor_f[] = {cg->ptr, cg->i32, cg->i32, cg->i32, dims_t, cg->i64, cg->i64, cg->i64, cg->i32, init_t,
                              cg->i32, cg->i32, cg->i64, cg->i64};
    LLVMTypeRef tensor_t = LLVMStructTypeInContext(cg->ctx, tensor_f, 14, 0);
    LLVMTypeRef desc_f[] = {cg->i32, cg->ptr, cg->i64, cg->i64, cg->i64, cg->i32, cg->ptr,
                            cg->ptr, cg->ptr, cg->ptr, cg->ptr, cg->i64, cg->ptr, cg->ptr, cg->i32, cg->ptr};
    LLVMTypeRef desc_t = LLVMStructTypeInContext(cg->ctx, desc_f, 16, 0);
    check_layout(cg, tensor_t, desc_t);
    Usage *use = tensor_usage(cg);

    int nt = m->ntensors;
    int *desc_index = arena_alloc(cg->arena, sizeof(int) * (nt + 1));
    for (int i = 0; i < nt; i++) desc_index[mp->order[i]] = i;
    LLVMValueRef *rows = arena_alloc(cg->arena, sizeof *rows * (nt + 1));
    for (int i = 0; i < nt; i++) {
        int ti = mp->order[i];
        const Tensor *t = &m->tensors[ti];
        LLVMValueRef dims[MAX_RANK];
        for (int k = 0; k < MAX_RANK; k++) dims[k] = i64c(cg, k < t->shape.rank ? t->shape.dim[k] : 0);
        LLVMValueRef data = LLVMConstNull(cg->ptr);
        int64_t count = shape_count(t->shape);
        if (t->init.kind == INIT_LITERAL && t->init.data) {
            LLVMValueRef *v = arena_alloc(cg->arena, sizeof *v * (size_t)(count + 1));
            for (int64_t k = 0; k < count; k++) v[k] = LLVMConstReal(cg->f32, t->init.data[k]);
            LLVMValueRef init = LLVMConstArray2(cg->f32, v, (uint64_t)count);
            data = LLVMAddGlobal(cg->mod, LLVMTypeOf(init), arena_printf(cg->arena, "%s.init.%s", m->name, t->name));
            LLVMSetInitializer(data, init);
            LLVMSetGlobalConstant(data, 1);
            LLVMSetLinkage(data, LLVMPrivateLinkage);
        }
        LLVMValueRef init_v[] = {i32c(cg, t->init.kind), LLVMConstReal(f64, t->init.a), LLVMConstReal(f64, t->init.b),
                                 i64c(cg, t->init.fan_in), i64c(cg, t->init.fan_out), data};
        bool has_param = (t->kind == TK_GRAD || t->kind == TK_STATE) && t->param >= 0 && t->param < nt;
        LLVMValueRef row[] = {
            string_global(cg, t->name, arena_printf(cg->arena, "%s.name.%s", m->name, t->name)),
            i32c(cg, t->kind), i32c(cg, t->dtype == DT_F32 ? DM_F32 : DM_I32), i32c(cg, t->shape.rank),
            LLVMConstArray2(cg->i64, dims, MAX_RANK), i64c(cg, count), i64c(cg, (int64_t)mp->tensor_offset[ti]),
            i64c(cg, count * dtype_size(t->dtype)), i32c(cg, has_param ? desc_index[t->param] : -1),
            LLVMConstNamedStruct(init_t, init_v, 6), i32c(cg, use[ti].reads),
            i32c(cg, use[ti].has_range ? DM_TENSOR_HAS_RANGE : 0), i64c(cg, use[ti].lo), i64c(cg, use[ti].hi)};
        rows[i] = LLVMConstNamedStruct(tensor_t, row, 14);
    }
    LLVMValueRef table = LLVMConstArray2(tensor_t, rows, (uint64_t)nt);
    LLVMValueRef tensors = LLVMAddGlobal(cg->mod, LLVMTypeOf(table), arena_printf(cg->arena, "%s_tensors", m->name));
    LLVMSetInitializer(tensors, table);
    LLVMSetGlobalConstant(tensors, 1);
    LLVMSetLinkage(tensors, LLVMInternalLinkage);

    /* The entries are reached through the descriptor: hidden, so a shared
     * library exports the descriptor, not them. */
    for (int e = 0; e < ENTRY_COUNT; e++)
        if (fns[e]) LLVMSetVisibility(fns[e], LLVMHiddenVisibility);
    LLVMValueRef null = LLVMConstNull(cg->ptr);
    LLVMValueRef desc_v[] = {
        i32c(cg, DM_ABI_VERSION), string_global(cg, m->name, arena_printf(cg->arena, "%s.name", m->name)),
        i64c(cg, (int64_t)mp->data_size), i64c(cg, (int64_t)mp->scratch_offset), i64c(cg, (int64_t)mp->scratch_size),
        i32c(cg, nt), tensors,
        fns[ENTRY_FORWARD] ? fns[ENTRY_FORWARD] : null, fns[ENTRY_TRAIN_STEP] ? fns[ENTRY_TRAIN_STEP] : null,
        fns[ENTRY_GRADIENTS] ? fns[ENTRY_GRADIENTS] : null, fns[ENTRY_APPLY] ? fns[ENTRY_APPLY] : null,
        i64c(cg, 0), string_global(cg, required_features(cg), arena_printf(cg->arena, "%s.features", m->name)),
        string_global(cg, cg->cpu ? cg->cpu : "", arena_printf(cg->arena, "%s.cpu", m->name)),
        i32c(cg, cg->nvariants), variant_table(cg, desc_t)};
    const char *name = cg->level ? arena_printf(cg->arena, "%s_model.%s", m->name, cg->level)
                                 : arena_printf(cg->arena, "%s_model", m->name);
    LLVMValueRef desc = LLVMAddGlobal(cg->mod, desc_t, name);
    LLVMSetInitializer(desc, LLVMConstNamedStruct(desc_t, desc_v, 16));
    LLVMSetGlobalConstant(desc, 1);
    return desc;
}

void cg_model_table(Cg *cg, LLVMValueRef *descs, int n) {
    LLVMValueRef *items = arena_alloc(cg->arena, sizeof *items * (size_t)(n + 1));
    for (int i = 0; i < n; i++) items[i] = descs[i];
    items[n] = LLVMConstNull(cg->ptr);
    LLVMValueRef init = LLVMConstArray2(cg->ptr, items, (uint64_t)n + 1);
    LLVMValueRef table = LLVMAddGlobal(cg->mod, LLVMTypeOf(init), "dm_models");
    LLVMSetInitializer(table, init);
    LLVMSetGlobalConstant(table, 1);
}
