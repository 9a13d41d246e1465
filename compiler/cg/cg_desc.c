/* cg_desc.c: the model's descriptor, `const dm_model_desc NAME_model`, as
 * an LLVM constant laid out like the C struct of runtime/dm.h (LLVM's
 * struct layout follows the target's C ABI for these naturally aligned
 * members); its tensor table is cg_table.c's.
 *
 * Needs: the plan and the entry functions.  Guarantees: absent entries are
 * NULL; `cpu_features` is the target's "+feature" list (docs/runtime.md); the
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

/* The LLVM struct types must lay out like the C structs: checked against
 * this compiler's own layout when the target's pointers and 64-bit
 * alignments are the host's (these structs hold only fixed-size members and
 * pointers, so the layout depends on nothing else).  For a 32-bit target the
 * data layout decides (i686 aligns int64_t and double to 4 bytes, ARM to 8),
 * as it does for the C compiler of that target; tests/cross runs the runtime
 * built by that compiler on these descriptors. */
static void check_layout(Cg *cg, LLVMTypeRef desc_t) {
    LLVMTargetDataRef td = LLVMGetModuleDataLayout(cg->mod);
    if (LLVMPointerSize(td) != sizeof(void *) || LLVMABIAlignmentOfType(td, cg->i64) != _Alignof(int64_t)) return;
    if (LLVMABISizeOfType(td, desc_t) != sizeof(dm_model_desc) ||
        LLVMOffsetOfElement(td, desc_t, 7) != offsetof(dm_model_desc, forward) ||
        LLVMOffsetOfElement(td, desc_t, 11) != offsetof(dm_model_desc, seed_stream) ||
        LLVMOffsetOfElement(td, desc_t, 12) != offsetof(dm_model_desc, cpu_features) ||
        LLVMOffsetOfElement(td, desc_t, 15) != offsetof(dm_model_desc, variants))
        die("the descriptor's LLVM layout does not match runtime/dm.h");
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
    LLVMTypeRef desc_f[] = {cg->i32, cg->ptr, cg->i64, cg->i64, cg->i64, cg->i32, cg->ptr,
                            cg->ptr, cg->ptr, cg->ptr, cg->ptr, cg->i64, cg->ptr, cg->ptr, cg->i32, cg->ptr};
    LLVMTypeRef desc_t = LLVMStructTypeInContext(cg->ctx, desc_f, 16, 0);
    check_layout(cg, desc_t);
    int nt = m->ntensors;
    LLVMValueRef tensors = cg_tensor_table(cg);

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
