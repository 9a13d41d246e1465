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

#include <stdlib.h>

struct GradReports {
    /* The reports, as descriptor indices sorted by (position, index): the
     * exec node after which each gradient is reported, or `end`. */
    int *position, *index;
    int n;
    int end;       /* the graph's node count: "at the entry's end" */
};

/* A gradient tensor's memory, for the search by offset. */
typedef struct GradRange {
    int64_t at, bytes;
    int order;     /* its descriptor index */
} GradRange;

static int by_offset(const void *a, const void *b) {
    const GradRange *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

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

/* The gradients node j touches, found by offset: they do not overlap each
 * other, so sorted by offset their ends are sorted too, and the first that
 * [at, at + bytes) may overlap is found by bisection. */
typedef struct Touch {
    Cg *cg;
    const GradRange *gr;
    int n;
    int *position;  /* per descriptor index */
    int node;       /* j */
    int at_node;    /* the exec node that runs j, once needed; else -1 */
} Touch;

static void touch(Touch *t, int64_t at, int64_t bytes) {
    if (at < 0 || bytes <= 0) return;
    int lo = 0, hi = t->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (t->gr[mid].at + t->gr[mid].bytes <= at) lo = mid + 1;
        else hi = mid;
    }
    for (int k = lo; k < t->n && t->gr[k].at < at + bytes; k++) {
        if (t->at_node < 0) t->at_node = emitted_at(t->cg->ep, t->node);
        int *p = &t->position[t->gr[k].order];
        if (t->at_node > *p) *p = t->at_node;
    }
}

/* The memory node j touches: its own buffer, a load's or store's tensor,
 * its operands' buffers. */
static void touch_node(Touch *t, int j) {
    Cg *cg = t->cg;
    const Graph *g = cg->ep->graph;
    const Node *x = &g->nodes[j];
    if (x->op == OP_STORE && cg->ep->offset[x->in[0]] == (int64_t)cg->plan->tensor_offset[x->attr.tensor])
        return;   /* computed in place: the store emits nothing (its writer counts) */
    t->node = j;
    t->at_node = -1;
    touch(t, cg->ep->offset[j], node_bytes(g, j));
    if (x->op == OP_LOAD || x->op == OP_STORE) {
        const Tensor *ts = &cg->model->tensors[x->attr.tensor];
        touch(t, (int64_t)cg->plan->tensor_offset[x->attr.tensor], shape_count(ts->shape) * dtype_size(ts->dtype));
    }
    for (int k = 0; k < x->nin; k++) touch(t, cg->ep->offset[x->in[k]], node_bytes(g, x->in[k]));
}

GradReports *cg_grad_reports(Cg *cg) {
    const Graph *g = cg->ep->graph;
    int nt = cg->model->ntensors;
    GradReports *r = arena_alloc(cg->arena, sizeof *r);
    r->end = g->n;
    /* per descriptor index: -2 not a gradient, -1 a gradient not touched, else its position */
    int *position = arena_alloc(cg->arena, sizeof *position * (size_t)(nt + 1));
    GradRange *gr = arena_alloc(cg->arena, sizeof *gr * (size_t)(nt + 1));
    int ngrads = 0;
    for (int i = 0; i < nt; i++) {
        const Tensor *ts = &cg->model->tensors[cg->plan->order[i]];
        position[i] = ts->kind == TK_GRAD ? -1 : -2;
        if (ts->kind != TK_GRAD) continue;
        gr[ngrads++] = (GradRange){(int64_t)cg->plan->tensor_offset[cg->plan->order[i]],
                                   shape_count(ts->shape) * dtype_size(ts->dtype), i};
    }
    qsort(gr, (size_t)ngrads, sizeof *gr, by_offset);
    Touch t = {.cg = cg, .gr = gr, .n = ngrads, .position = position};
    if (!cg->check_numerics)
        for (int j = 0; j < g->n; j++) touch_node(&t, j);
    r->position = arena_alloc(cg->arena, sizeof *r->position * (size_t)(ngrads + 1));
    r->index = arena_alloc(cg->arena, sizeof *r->index * (size_t)(ngrads + 1));
    /* counting sort by position, descriptor order within one */
    int *start = arena_alloc(cg->arena, sizeof *start * (size_t)(g->n + 2));
    for (int i = 0; i < nt; i++)
        if (position[i] != -2) start[(position[i] < 0 ? r->end : position[i]) + 1]++;
    for (int p = 0; p <= g->n; p++) start[p + 1] += start[p];
    for (int i = 0; i < nt; i++) {
        if (position[i] == -2) continue;
        int p = position[i] < 0 ? r->end : position[i];
        r->position[start[p]] = p;
        r->index[start[p]++] = i;
    }
    r->n = ngrads;
    return r;
}

/* The calls for the gradients reported at `position` (r->end: the entry's
 * end), one per run of consecutive descriptor indices. */
void cg_report_grads(Cg *cg, const GradReports *r, int position) {
    int lo = 0, hi = r->n;   /* the first report at or after position */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (r->position[mid] < position) lo = mid + 1;
        else hi = mid;
    }
    for (int k = lo; k < r->n && r->position[k] == position;) {
        int first = r->index[k], count = 1;
        while (k + count < r->n && r->position[k + count] == position && r->index[k + count] == first + count) count++;
        LLVMValueRef args[3] = {cg->ex, LLVMConstInt(cg->i32, (unsigned long long)first, 0),
                                LLVMConstInt(cg->i32, (unsigned long long)count, 0)};
        cg_call(cg, cg_kernel(cg, "dmk_grads_ready"), args, 3, "");
        k += count;
    }
}
