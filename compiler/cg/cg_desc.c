/* cg_desc.c: the model's descriptor, `const dm_model_desc NAME_model`, and its
 * tensor table, as LLVM constants laid out like the C structs of
 * runtime/dm.h (LLVM's struct layout follows the target's C ABI for these
 * naturally aligned members).
 *
 * Needs: the plan (offsets) and the entry functions.  Guarantees: tensors
 * in the plan's descriptor order (params, state, grads, inputs, outputs,
 * loss); a gradient's or state's `param` is the parameter's descriptor
 * index; absent entries are NULL. */
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
static void check_layout(Cg *cg, LLVMTypeRef tensor_t, LLVMTypeRef desc_t) {
    LLVMTargetDataRef td = LLVMGetModuleDataLayout(cg->mod);
    if (LLVMPointerSize(td) != sizeof(void *) || LLVMABIAlignmentOfType(td, cg->i64) != _Alignof(int64_t)) return;
    if (LLVMABISizeOfType(td, tensor_t) != sizeof(dm_tensor_desc) ||
        LLVMOffsetOfElement(td, tensor_t, 6) != offsetof(dm_tensor_desc, offset) ||
        LLVMOffsetOfElement(td, tensor_t, 9) != offsetof(dm_tensor_desc, init) ||
        LLVMABISizeOfType(td, desc_t) != sizeof(dm_model_desc) ||
        LLVMOffsetOfElement(td, desc_t, 7) != offsetof(dm_model_desc, forward) ||
        LLVMOffsetOfElement(td, desc_t, 11) != offsetof(dm_model_desc, seed_stream))
        die("the descriptor's LLVM layout does not match runtime/dm.h");
}

static LLVMValueRef string_global(Cg *cg, const char *s, const char *name) {
    LLVMValueRef init = LLVMConstStringInContext(cg->ctx, s, (unsigned)strlen(s), 0);
    return cg_constant(cg, init, name);
}

static LLVMValueRef i32c(Cg *cg, int64_t v) { return LLVMConstInt(cg->i32, (unsigned long long)v, 1); }
static LLVMValueRef i64c(Cg *cg, int64_t v) { return LLVMConstInt(cg->i64, (unsigned long long)v, 1); }

void cg_descriptor(Cg *cg, LLVMValueRef fns[ENTRY_COUNT]) {
    const Model *m = cg->model;
    const ModelPlan *mp = cg->plan;
    LLVMTypeRef f64 = LLVMDoubleTypeInContext(cg->ctx);
    LLVMTypeRef dims_t = LLVMArrayType2(cg->i64, MAX_RANK);
    LLVMTypeRef init_f[] = {cg->i32, f64, f64, cg->i64, cg->i64, cg->ptr};
    LLVMTypeRef init_t = LLVMStructTypeInContext(cg->ctx, init_f, 6, 0);
    LLVMTypeRef tensor_f[] = {cg->ptr, cg->i32, cg->i32, cg->i32, dims_t, cg->i64, cg->i64, cg->i64, cg->i32, init_t};
    LLVMTypeRef tensor_t = LLVMStructTypeInContext(cg->ctx, tensor_f, 10, 0);
    LLVMTypeRef desc_f[] = {cg->i32, cg->ptr, cg->i64, cg->i64, cg->i64, cg->i32, cg->ptr,
                            cg->ptr, cg->ptr, cg->ptr, cg->ptr, cg->i64};
    LLVMTypeRef desc_t = LLVMStructTypeInContext(cg->ctx, desc_f, 12, 0);
    check_layout(cg, tensor_t, desc_t);

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
            i32c(cg, t->kind), i32c(cg, t->dtype == DT_F32 ? 0 : 1), i32c(cg, t->shape.rank),
            LLVMConstArray2(cg->i64, dims, MAX_RANK), i64c(cg, count), i64c(cg, (int64_t)mp->tensor_offset[ti]),
            i64c(cg, count * dtype_size(t->dtype)), i32c(cg, has_param ? desc_index[t->param] : -1),
            LLVMConstNamedStruct(init_t, init_v, 6)};
        rows[i] = LLVMConstNamedStruct(tensor_t, row, 10);
    }
    LLVMValueRef table = LLVMConstArray2(tensor_t, rows, (uint64_t)nt);
    LLVMValueRef tensors = LLVMAddGlobal(cg->mod, LLVMTypeOf(table), arena_printf(cg->arena, "%s_tensors", m->name));
    LLVMSetInitializer(tensors, table);
    LLVMSetGlobalConstant(tensors, 1);
    LLVMSetLinkage(tensors, LLVMInternalLinkage);

    LLVMValueRef null = LLVMConstNull(cg->ptr);
    LLVMValueRef desc_v[] = {
        i32c(cg, DM_ABI_VERSION), string_global(cg, m->name, arena_printf(cg->arena, "%s.name", m->name)),
        i64c(cg, (int64_t)mp->data_size), i64c(cg, (int64_t)mp->scratch_offset), i64c(cg, (int64_t)mp->scratch_size),
        i32c(cg, nt), tensors,
        fns[ENTRY_FORWARD] ? fns[ENTRY_FORWARD] : null, fns[ENTRY_TRAIN_STEP] ? fns[ENTRY_TRAIN_STEP] : null,
        fns[ENTRY_GRADIENTS] ? fns[ENTRY_GRADIENTS] : null, fns[ENTRY_APPLY] ? fns[ENTRY_APPLY] : null,
        i64c(cg, 0)};
    LLVMValueRef desc = LLVMAddGlobal(cg->mod, desc_t, arena_printf(cg->arena, "%s_model", m->name));
    LLVMSetInitializer(desc, LLVMConstNamedStruct(desc_t, desc_v, 12));
    LLVMSetGlobalConstant(desc, 1);
}
