/* cg_grads.c: where a training entry reports its final gradients
 * (dm_exec.grads_ready, the runtime's dm_set_gradient_hook), so that a
 * caller can start moving them (libdmrt_mpi's MPI_Iallreduce) while the
 * rest of the backward pass runs.
 *
 * A gradient tensor is final after the last exec node of the entry that
 * touches its memory: writes it (its own buffer, a store, a loop or a
 * kernel epilogue writing in place) or reads it (a load, an input whose
 * buffer lies there).  Inline nodes run in their root's loop and epilogues
 * in their host kernel, so a node's position is the exec node that is
 * emitted for it.  Memory is compared by byte ranges, not by tensor
 * identity, so a scratch value the plan put in a gradient's memory, or a
 * view of it, counts too: an over-approximation can only report later.
 *
 * Needs: the entry's plan (plan.c).  Guarantees: every gradient tensor is
 * reported exactly once per run of the entry, in runs of consecutive
 * descriptor indices, right after the node at its position, or at the
 * entry's end: a gradient the entry never touches, and every gradient of a
 * --check-numerics build (its check reads them all at the end; a report
 * before it would let a transfer change what it reads). */
#include <llvm-c/Core.h>

#include "cg/cg_internal.h"

struct GradReports {
    int *position; /* per model tensor: the exec node after which it is reported, or `end` */
    int end;       /* the graph's node count: "at the entry's end" */
};

/* The exec node whose emitted code runs node j. */
static int emitted_at(const EntryPlan *ep, int j) {
    for (int guard = 0; guard <= ep->graph->n; guard++) {
        if (ep->inl[j]) j = ep->root[j];
        else if (ep->host[j] >= 0) j = ep->host[j];
        else return j;
    }
    die("cg_grads: node %d has no emitted root", j);
    return -1;
}

static int64_t node_bytes(const Graph *g, int j) {
    return shape_count(g->nodes[j].shape) * dtype_size(g->nodes[j].dtype);
}

static bool overlaps(int64_t a, int64_t alen, int64_t b, int64_t blen) {
    return a >= 0 && alen > 0 && a < b + blen && b < a + alen;
}

/* Does node j touch [at, at + bytes)? */
static bool touches(Cg *cg, int j, int64_t at, int64_t bytes) {
    const Graph *g = cg->ep->graph;
    const Node *n = &g->nodes[j];
    if (n->op == OP_STORE && cg->ep->offset[n->in[0]] == (int64_t)cg->plan->tensor_offset[n->attr.tensor])
        return false;   /* computed in place: the store emits nothing (its writer counts) */
    if (overlaps(cg->ep->offset[j], node_bytes(g, j), at, bytes)) return true;
    if (n->op == OP_LOAD || n->op == OP_STORE) {
        const Tensor *t = &cg->model->tensors[n->attr.tensor];
        if (overlaps((int64_t)cg->plan->tensor_offset[n->attr.tensor], shape_count(t->shape) * dtype_size(t->dtype),
                     at, bytes))
            return true;
    }
    for (int k = 0; k < n->nin; k++)
        if (overlaps(cg->ep->offset[n->in[k]], node_bytes(g, n->in[k]), at, bytes)) return true;
    return false;
}

GradReports *cg_grad_reports(Cg *cg) {
    const Graph *g = cg->ep->graph;
    GradReports *r = arena_alloc(cg->arena, sizeof *r);
    r->end = g->n;
    r->position = arena_alloc(cg->arena, sizeof *r->position * (size_t)(cg->model->ntensors + 1));
    for (int t = 0; t < cg->model->ntensors; t++) {
        const Tensor *ts = &cg->model->tensors[t];
        r->position[t] = -1;
        if (ts->kind != TK_GRAD) continue;
        int64_t at = (int64_t)cg->plan->tensor_offset[t], bytes = shape_count(ts->shape) * dtype_size(ts->dtype);
        for (int j = 0; j < g->n && !cg->check_numerics; j++)
            if (touches(cg, j, at, bytes)) {
                int p = emitted_at(cg->ep, j);
                if (p > r->position[t]) r->position[t] = p;
            }
        if (r->position[t] < 0) r->position[t] = r->end;
    }
    return r;
}

/* The calls for the gradients reported at `position` (r->end: the entry's
 * end), one per run of consecutive descriptor indices. */
void cg_report_grads(Cg *cg, const GradReports *r, int position) {
    int nt = cg->model->ntensors, first = -1, count = 0;
    for (int i = 0; i <= nt; i++) {
        int t = i < nt ? cg->plan->order[i] : -1;
        bool here = t >= 0 && r->position[t] == position;
        if (here && count > 0 && first + count == i) {
            count++;
            continue;
        }
        if (count > 0) {
            LLVMValueRef args[3] = {cg->ex, LLVMConstInt(cg->i32, (unsigned long long)first, 0),
                                    LLVMConstInt(cg->i32, (unsigned long long)count, 0)};
            cg_call(cg, cg_kernel(cg, "dmk_grads_ready"), args, 3, "");
        }
        first = here ? i : -1;
        count = here ? 1 : 0;
    }
}
