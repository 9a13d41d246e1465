/* cg_entry.c: the entry functions of one model,
 *   int NAME_forward(uint8_t *data, dm_exec *ex)   (and gradients, apply, train_step),
 * each a straight sequence of the graph's kernels in topological order:
 * fused elementwise loops (cg_elem.c), kernel calls (cg_kernels.c) and the
 * copies of stored values that were not computed in place; train_step is a
 * call of gradients and then of apply (see train_step_body).  A training
 * entry reports each gradient once it is final (cg_grads.c).
 *
 * Needs: the model's plan (plan.c).  Guarantees: the entry touches only the
 * data region (and constant literals); it returns 0, or DM_ERANGE when a
 * class index is out of range (cg_labels.c: before it writes anything), or
 * DM_ENUMERIC from a training entry built with --check-numerics, before it
 * writes any parameter or optimizer state. */
#include <llvm-c/Core.h>

#include "cg/cg_internal.h"
#include "dm.h"

#include <string.h>

static const char *entry_name[ENTRY_COUNT] = {"forward", "gradients", "apply", "train_step"};

const char *cg_node_name(Cg *cg, int node) {
    const Node *n = &cg->ep->graph->nodes[node];
    if (n->name) return arena_printf(cg->arena, "%s.%d", n->name, node);
    return arena_printf(cg->arena, "%s.%d", op_info[n->op].name, node);
}

LLVMValueRef cg_node_ptr(Cg *cg, int node) {
    const Graph *g = cg->ep->graph;
    int base = node;
    while (g->nodes[base].op == OP_RESHAPE) base = g->nodes[base].in[0];
    if (g->nodes[base].op == OP_LITERAL) return cg->literal[base];
    int64_t off = cg->ep->offset[node];
    if (off < 0) die("node %d (%s) of %s has no buffer", node, op_info[g->nodes[node].op].name, cg->prefix);
    LLVMValueRef idx = LLVMConstInt(cg->i64, (unsigned long long)off, 0);
    return LLVMBuildInBoundsGEP2(cg->b, cg->i8, cg->data, &idx, 1, cg_node_name(cg, node));
}

static LLVMValueRef literal_global(Cg *cg, int node) {
    const Node *n = &cg->ep->graph->nodes[node];
    int64_t count = shape_count(n->shape);
    LLVMValueRef *v = arena_alloc(cg->arena, sizeof *v * (size_t)(count + 1));
    bool is_int = n->dtype != DT_F32;
    LLVMTypeRef et = is_int ? cg->i32 : cg->f32;
    for (int64_t i = 0; i < count; i++)
        v[i] = is_int ? LLVMConstInt(cg->i32, (unsigned long long)(int64_t)n->attr.data[i], 1)
                      : LLVMConstReal(cg->f32, n->attr.data[i]);
    LLVMValueRef init = LLVMConstArray2(et, v, (uint64_t)count);
    LLVMValueRef gv = cg_constant(cg, init, arena_printf(cg->arena, "%s.literal.%d", cg->prefix, node));
    LLVMSetAlignment(gv, 64);
    return gv;
}

/* A stored value that was not computed in its tensor: copy it there. */
static void store(Cg *cg, int node) {
    const Node *n = &cg->ep->graph->nodes[node];
    int v = n->in[0];
    uint64_t to = cg->plan->tensor_offset[n->attr.tensor];
    if (cg->ep->offset[v] == (int64_t)to) return;
    LLVMValueRef idx = LLVMConstInt(cg->i64, to, 0);
    LLVMValueRef dst = LLVMBuildInBoundsGEP2(cg->b, cg->i8, cg->data, &idx, 1,
                                             cg->model->tensors[n->attr.tensor].name);
    const Node *vn = &cg->ep->graph->nodes[v];
    uint64_t bytes = (uint64_t)shape_count(vn->shape) * (uint64_t)dtype_size(vn->dtype);
    LLVMBuildMemCpy(cg->b, dst, 64, cg_node_ptr(cg, v), 4, LLVMConstInt(cg->i64, bytes, 0));
}

static bool is_param_memory(Cg *cg, int64_t off) {
    for (int t = 0; off >= 0 && t < cg->model->ntensors; t++) {
        const Tensor *ts = &cg->model->tensors[t];
        if ((ts->kind == TK_PARAM || ts->kind == TK_BUFFER || (ts->kind == TK_STATE && ts->dtype == DT_F32)) &&
            (int64_t)cg->plan->tensor_offset[t] == off)
            return true;
    }
    return false;
}

/* Does exec node i write the memory of a parameter or of optimizer state? */
static bool writes_params(Cg *cg, int i) {
    const Graph *g = cg->ep->graph;
    const Node *n = &g->nodes[i];
    int64_t off = n->op == OP_STORE ? (int64_t)cg->plan->tensor_offset[n->attr.tensor] : cg->ep->offset[i];
    if (n->op == OP_LOAD || n->op == OP_RESHAPE || n->op == OP_LITERAL ||
        (cg->ep->views->base[i] != i && !cg->ep->views->placed[i]))
        return false;   /* a view: no code */
    if (n->op == OP_STORE && cg->ep->offset[n->in[0]] == off) return false;   /* computed in place: counted there */
    if (is_param_memory(cg, off)) return true;
    for (int j = 0; j < i; j++)     /* values fused into i's loop and written to their tensors */
        if (cg->ep->inl[j] && cg->ep->root[j] == i && is_param_memory(cg, cg->ep->offset[j])) return true;
    return cg->ep->epilogue[i] >= 0 && writes_params(cg, cg->ep->epilogue[i]);   /* the loop it runs */
}

/* --check-numerics: return DM_ENUMERIC unless the loss and every
 * gradient are finite.  Placed before the first write of a parameter or of
 * optimizer state, so a failed step leaves them unchanged. */
static void check_numerics(Cg *cg) {
    LLVMValueRef all = NULL;
    for (int t = 0; t < cg->model->ntensors; t++) {
        const Tensor *ts = &cg->model->tensors[t];
        if (ts->kind != TK_GRAD && ts->kind != TK_LOSS) continue;
        LLVMValueRef idx = LLVMConstInt(cg->i64, cg->plan->tensor_offset[t], 0);
        LLVMValueRef args[2] = {LLVMBuildInBoundsGEP2(cg->b, cg->i8, cg->data, &idx, 1, ts->name),
                                LLVMConstInt(cg->i64, (unsigned long long)shape_count(ts->shape), 0)};
        LLVMValueRef ok = cg_call(cg, cg_kernel(cg, "dmk_all_finite"), args, 2, "finite");
        all = all ? LLVMBuildAnd(cg->b, all, ok, "") : ok;
    }
    if (!all) return;
    LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(cg->ctx, cg->fn, "numerics.bad");
    LLVMBasicBlockRef good = LLVMAppendBasicBlockInContext(cg->ctx, cg->fn, "numerics.ok");
    LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntNE, all, LLVMConstInt(cg->i32, 0, 0), ""), good, bad);
    LLVMPositionBuilderAtEnd(cg->b, bad);
    LLVMBuildRet(cg->b, LLVMConstInt(cg->i32, (unsigned long long)DM_ENUMERIC, 1));
    LLVMPositionBuilderAtEnd(cg->b, good);
}

/* A load whose tensor is overwritten before its last reader runs: copy the
 * tensor's current value to the load's own buffer (plan.c). */
static void snapshot(Cg *cg, int node) {
    const Node *n = &cg->ep->graph->nodes[node];
    LLVMValueRef idx = LLVMConstInt(cg->i64, cg->plan->tensor_offset[n->attr.tensor], 0);
    LLVMValueRef from = LLVMBuildInBoundsGEP2(cg->b, cg->i8, cg->data, &idx, 1, cg->model->tensors[n->attr.tensor].name);
    uint64_t bytes = (uint64_t)shape_count(n->shape) * (uint64_t)dtype_size(n->dtype);
    LLVMBuildMemCpy(cg->b, cg_node_ptr(cg, node), 64, from, 64, LLVMConstInt(cg->i64, bytes, 0));
}

/* An entry of a large model is split into parts: internal functions
 * "<model>_<entry>.partK"(data, ex) of at most PART_NODES executed nodes
 * each, which the entry calls in turn, returning the first non-zero status
 * (a bad label, --check-numerics).  LLVM's function passes (dominator-based
 * CSE and GVN, register allocation's live ranges) grow faster than linearly
 * in the size of one function; parts of bounded size keep the whole
 * compile linear in the model (issue 17).  A part communicates with the
 * next only through the data region, as every node does, so the split
 * changes no value; it costs a call per part.  An entry of at most
 * PART_NODES executed nodes stays one function, as before. */
enum { PART_NODES = 64 };

typedef struct Parts {
    LLVMValueRef entry;   /* the entry function, which calls the parts */
    LLVMBasicBlockRef at; /* where the entry's next call goes */
    int count;            /* parts begun */
} Parts;

static void begin_part(Cg *cg, Parts *p) {
    LLVMTypeRef params[2] = {cg->ptr, cg->ptr};
    LLVMValueRef fn = LLVMAddFunction(cg->mod, arena_printf(cg->arena, "%s.part%d", cg->prefix, p->count++),
                                      LLVMFunctionType(cg->i32, params, 2, 0));
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    const char *attrs[] = {"noinline", "nounwind"};
    for (int k = 0; k < 2; k++)
        LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                LLVMCreateEnumAttribute(cg->ctx, LLVMGetEnumAttributeKindForName(attrs[k], strlen(attrs[k])), 0));
    LLVMAddAttributeAtIndex(fn, 1, LLVMCreateEnumAttribute(cg->ctx, LLVMGetEnumAttributeKindForName("noalias", 7), 0));
    cg->fn = fn;
    cg->data = LLVMGetParam(fn, 0);
    cg->ex = LLVMGetParam(fn, 1);
    LLVMPositionBuilderAtEnd(cg->b, LLVMAppendBasicBlockInContext(cg->ctx, fn, "entry"));
}

/* The part being built returns 0; the entry calls it and goes on when it
 * returned 0. */
static void end_part(Cg *cg, Parts *p) {
    LLVMValueRef part = cg->fn;
    LLVMBuildRet(cg->b, LLVMConstInt(cg->i32, 0, 0));
    cg->fn = p->entry;
    cg->data = LLVMGetParam(p->entry, 0);
    cg->ex = LLVMGetParam(p->entry, 1);
    LLVMPositionBuilderAtEnd(cg->b, p->at);
    LLVMValueRef args[2] = {cg->data, cg->ex};
    cg_return_if_failed(cg, cg_call(cg, part, args, 2, "part.rc"), "part");
    p->at = LLVMGetInsertBlock(cg->b);
}

/* Does exec node i run code of its own (not inside another's loop)? */
static bool executes(const Cg *cg, int i) {
    return !cg->ep->inl[i] && cg->ep->host[i] < 0;
}

static void entry_body(Cg *cg, bool check, bool reports) {
    const Graph *g = cg->ep->graph;
    const GradReports *done = reports ? cg_grad_reports(cg) : NULL;
    cg->literal = arena_alloc(cg->arena, sizeof *cg->literal * (g->n + 1));
    for (int i = 0; i < g->n; i++)
        if (g->nodes[i].op == OP_LITERAL) cg->literal[i] = literal_global(cg, i);
    int executed = 0;
    for (int i = 0; i < g->n; i++) executed += executes(cg, i);
    Parts parts = {.entry = cg->fn, .at = LLVMGetInsertBlock(cg->b)};
    bool split = executed > PART_NODES;
    int in_part = 0;
    if (split) begin_part(cg, &parts);
    Labels labels = graph_labels(cg->arena, cg->model, g);
    cg_check_labels(cg, &labels, -1);
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        if (split && executes(cg, i) && in_part == PART_NODES) {
            end_part(cg, &parts);
            begin_part(cg, &parts);
            in_part = 0;
        }
        cg_check_labels(cg, &labels, i);
        if (!executes(cg, i)) continue;   /* computed in a loop or a kernel's epilogue */
        in_part++;
        if (check && writes_params(cg, i)) {
            check_numerics(cg);
            check = false;
        }
        switch (op_info[n->op].cls) {
        case OC_LEAF:
            if (n->op == OP_CONST) cg_elementwise(cg, i);
            if (n->op == OP_LOAD && cg->ep->offset[i] != (int64_t)cg->plan->tensor_offset[n->attr.tensor])
                snapshot(cg, i);
            break;
        case OC_UNARY: case OC_BINARY:
            cg_elementwise(cg, i);
            break;
        case OC_SHAPE:
            if (n->op == OP_BROADCAST) cg_elementwise(cg, i);
            else if (cg->ep->views->base[i] == i && !cg->ep->views->filled[i]) cg_complex(cg, i);
            break;                        /* a view (views.c) has no code */
        case OC_REDUCE: case OC_COMPLEX:
            cg_complex(cg, i);
            break;
        case OC_EFFECT:
            store(cg, i);
            break;
        }
        if (done) cg_report_grads(cg, done, i);
    }
    if (check) check_numerics(cg);
    if (done) cg_report_grads(cg, done, g->n);
    if (split) end_part(cg, &parts);
}

/* train_step's graph is gradients followed by apply with the grad and param
 * loads forwarded (optim.c), so it computes what calling the two entries in
 * turn computes: its body is those calls.  The step then costs one write and
 * read of the gradients more, a small part of a step, and the module holds
 * each kernel nest once instead of twice, which halves the time LLVM spends
 * on a training model.  A failing gradients entry (--check-numerics) returns
 * before apply writes anything.  The calls stay calls (noinline): inlining
 * them would rebuild the duplicate. */
/* The entry returns rc unless it is 0; code built after this runs when it is 0. */
void cg_return_if_failed(Cg *cg, LLVMValueRef rc, const char *what) {
    LLVMBasicBlockRef failed = LLVMAppendBasicBlockInContext(cg->ctx, cg->fn, arena_printf(cg->arena, "%s.failed", what));
    LLVMBasicBlockRef ok = LLVMAppendBasicBlockInContext(cg->ctx, cg->fn, arena_printf(cg->arena, "%s.ok", what));
    LLVMBuildCondBr(cg->b, LLVMBuildICmp(cg->b, LLVMIntEQ, rc, LLVMConstInt(cg->i32, 0, 0), ""), ok, failed);
    LLVMPositionBuilderAtEnd(cg->b, failed);
    LLVMBuildRet(cg->b, rc);
    LLVMPositionBuilderAtEnd(cg->b, ok);
}

static void train_step_body(Cg *cg, LLVMValueRef gradients, LLVMValueRef apply) {
    unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
    LLVMValueRef args[2] = {cg->data, cg->ex};
    LLVMValueRef fns[2] = {gradients, apply};
    LLVMValueRef rc = NULL;
    for (int k = 0; k < 2; k++) {
        if (!fns[k]) continue;
        if (rc) cg_return_if_failed(cg, rc, "gradients");
        rc = cg_call(cg, fns[k], args, 2, k ? "apply" : "gradients");
        LLVMAddCallSiteAttribute(rc, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(cg->ctx, noinline, 0));
    }
    LLVMBuildRet(cg->b, rc ? rc : LLVMConstInt(cg->i32, 0, 0));
}

void cg_entries(Cg *cg, LLVMValueRef fns[ENTRY_COUNT]) {
    LLVMTypeRef params[2] = {cg->ptr, cg->ptr};
    LLVMTypeRef fty = LLVMFunctionType(cg->i32, params, 2, 0);
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    for (int e = 0; e < ENTRY_COUNT; e++) {
        cg->ep = &cg->plan->entry[e];
        if (!cg->ep->graph) continue;
        cg->prefix = arena_printf(cg->arena, "%s_%s", cg->model->name, entry_name[e]);
        LLVMValueRef fn = LLVMAddFunction(cg->mod, cg->prefix, fty);
        fns[e] = fn;
        cg->fn = fn;
        cg->data = LLVMGetParam(fn, 0);
        LLVMSetValueName2(cg->data, "data", 4);
        cg->ex = LLVMGetParam(fn, 1);
        LLVMSetValueName2(cg->ex, "ex", 2);
        LLVMAddAttributeAtIndex(fn, 1, LLVMCreateEnumAttribute(cg->ctx, noalias, 0));
        LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(cg->ctx, nounwind, 0));
        LLVMPositionBuilderAtEnd(cg->b, LLVMAppendBasicBlockInContext(cg->ctx, fn, "entry"));
        if (e == ENTRY_TRAIN_STEP && fns[ENTRY_GRADIENTS]) {
            train_step_body(cg, fns[ENTRY_GRADIENTS], fns[ENTRY_APPLY]);
            continue;
        }
        bool training = e == ENTRY_TRAIN_STEP || e == ENTRY_GRADIENTS;
        entry_body(cg, cg->check_numerics && training, training);
        LLVMBuildRet(cg->b, LLVMConstInt(cg->i32, 0, 0));
    }
    cg->ep = NULL;
}
