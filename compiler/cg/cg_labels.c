/* cg_labels.c: an entry's check of the class indices it reads (ir/labels.c).
 *
 * Each Label becomes a call of the kernel dmk_check_labels on the indices'
 * buffer, which returns DM_ERANGE after reporting the first index outside
 * [0, classes) through ex->bad_label (runtime/labels.c words the message),
 * and the entry then returns that code at once.  Labels loaded from a tensor
 * are checked from the tensor's memory at the start of the entry, before any
 * node runs, so a failing entry has changed nothing.  So are computed labels
 * (`y + 1`) whose loop reads only tensors and constants and writes scratch:
 * the loop runs once more at the start, then the check (it runs again at its
 * place, as the memory plan expects).  Any other computed labels (one made
 * by a kernel, or computed in an output's memory) are checked just before
 * their first reader, which leaves parameters, optimizer and generator state
 * unchanged but not the outputs computed before (docs/decisions.md).  The
 * test is one vectorised pass over the indices: a batch of 64 labels costs
 * about a nanosecond.
 *
 * Needs: the entry's plan (buffers of computed labels).  Guarantees: code
 * after cg_check_labels(cg, ls, reader) runs only when those labels are
 * valid. */
#include <llvm-c/Core.h>

#include "cg/cg_internal.h"

#include <string.h>

static void check_label(Cg *cg, const Label *l, int index) {
    LLVMValueRef values;
    if (l->tensor >= 0) {
        LLVMValueRef off = LLVMConstInt(cg->i64, cg->plan->tensor_offset[l->tensor], 0);
        values = LLVMBuildInBoundsGEP2(cg->b, cg->i8, cg->data, &off, 1, cg->model->tensors[l->tensor].name);
    } else {
        values = cg_node_ptr(cg, l->value);
    }
    const char *name = arena_printf(cg->arena, "%s.labels.%d", cg->prefix, index);
    LLVMValueRef what = cg_constant(cg, LLVMConstStringInContext(cg->ctx, l->what, (unsigned)strlen(l->what), 0),
                                    arena_printf(cg->arena, "%s.what", name));
    LLVMValueRef dim[MAX_RANK + 1];
    for (int d = 0; d < l->shape.rank; d++) dim[d] = LLVMConstInt(cg->i64, (unsigned long long)l->shape.dim[d], 0);
    if (l->shape.rank == 0) dim[0] = LLVMConstInt(cg->i64, 1, 0);
    LLVMValueRef dims = cg_constant(cg, LLVMConstArray2(cg->i64, dim, (uint64_t)(l->shape.rank ? l->shape.rank : 1)),
                                    arena_printf(cg->arena, "%s.dims", name));
    LLVMValueRef args[] = {values,
                           LLVMConstInt(cg->i64, (unsigned long long)shape_count(l->shape), 0),
                           LLVMConstInt(cg->i64, (unsigned long long)l->classes, 0),
                           LLVMConstInt(cg->i32, (unsigned long long)(l->has_ignore ? l->ignore : 0), 1),
                           what,
                           LLVMConstInt(cg->i32, (unsigned long long)l->shape.rank, 0),
                           dims,
                           cg->ex};
    LLVMValueRef rc = cg_call(cg, cg_kernel(cg, "dmk_check_labels"), args, 8, "labels.rc");
    cg_return_if_failed(cg, rc, "labels");
}

/* Does node x's loop read only tensors (from their memory) and constants?
 * x is root's loop or a part of it. */
static bool reads_only_inputs(Cg *cg, int x, int root) {
    const Graph *g = cg->ep->graph;
    for (int k = 0; k < g->nodes[x].nin; k++) {
        int o = g->nodes[x].in[k];
        const Node *on = &g->nodes[o];
        if (on->op == OP_CONST || on->op == OP_LITERAL) continue;
        if (on->op == OP_LOAD && cg->ep->offset[o] == (int64_t)cg->plan->tensor_offset[on->attr.tensor]) continue;
        if (!(cg->ep->inl[o] && cg->ep->root[o] == root && reads_only_inputs(cg, o, root))) return false;
    }
    return true;
}

/* The elementwise loop that computes l's values, if running it at the
 * entry's start changes nothing but scratch memory; else -1. */
static int early_loop(Cg *cg, const Label *l) {
    const Graph *g = cg->ep->graph;
    int x = l->value;
    while (g->nodes[x].op == OP_RESHAPE) x = g->nodes[x].in[0];
    OpClass cls = op_info[g->nodes[x].op].cls;
    if (l->tensor >= 0 || !(cls == OC_UNARY || cls == OC_BINARY || g->nodes[x].op == OP_BROADCAST)) return -1;
    if (cg->ep->inl[x] || cg->ep->host[x] >= 0 || cg->ep->epilogue[x] >= 0) return -1;
    int64_t off = cg->ep->offset[x], bytes = shape_count(g->nodes[x].shape) * dtype_size(g->nodes[x].dtype);
    if (off < (int64_t)cg->plan->scratch_offset || off + bytes > (int64_t)(cg->plan->scratch_offset + cg->plan->scratch_size))
        return -1;
    return reads_only_inputs(cg, x, x) ? x : -1;
}

void cg_check_labels(Cg *cg, const Labels *ls, int reader) {
    for (int k = 0; k < ls->n; k++) {
        const Label *l = &ls->items[k];
        int early = early_loop(cg, l);
        if (reader < 0 && early >= 0) cg_elementwise(cg, early);
        if (reader < 0 ? l->tensor >= 0 || early >= 0 : l->tensor < 0 && early < 0 && l->reader == reader)
            check_label(cg, l, k);
    }
}
