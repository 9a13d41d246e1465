/* stats.c: --stats, the cost and memory plan of a model as text: the data
 * region (every tensor's offset and size), then per entry each node's op,
 * shape, FLOPs, bytes moved and where its value lives (an offset, "fused"
 * into another node's loop, "after K" as kernel K's epilogue).
 *
 * Needs: the model's final graphs; plan_model (plan.c).  Guarantees: reads
 * only; the same model always prints the same text (pass tests compare it:
 * tests/passes/plan_*.ir). */
#include "passes/passes.h"

/* Floating-point operations of one node (a multiply-add counts 2). */
static double node_flops(const Graph *g, const Node *n) {
    double out = (double)shape_count(n->shape);
    const Shape *x = n->nin > 0 ? &g->nodes[n->in[0]].shape : NULL;
    switch (op_info[n->op].cls) {
    case OC_UNARY: case OC_BINARY: return out;
    case OC_REDUCE: return (double)shape_count(*x);
    case OC_LEAF: case OC_SHAPE: case OC_EFFECT: return 0;
    case OC_COMPLEX: break;
    }
    switch (n->op) {
    case OP_MATMUL: {
        const Node *an = &g->nodes[n->in[0]];
        int64_t k = an->shape.dim[an->shape.rank - (n->attr.trans_a ? 2 : 1)];
        return 2.0 * out * (double)k;   /* out counts every product of the batch */
    }
    case OP_CONV2D: case OP_CONV2D_DX: {
        const Shape *w = &g->nodes[n->in[1]].shape;   /* [F, C, KH, KW] */
        const Shape *big = n->op == OP_CONV2D ? &n->shape : x;   /* the [N, F, OH, OW] side */
        return 2.0 * (double)shape_count(*big) * (double)(w->dim[1] * w->dim[2] * w->dim[3]);
    }
    case OP_CONV2D_DW: {
        const Shape *dy = &g->nodes[n->in[1]].shape;  /* [N, F, OH, OW] */
        return 2.0 * out * (double)(dy->dim[0] * dy->dim[2] * dy->dim[3]);
    }
    case OP_MAXPOOL2D: case OP_AVGPOOL2D: return out * n->attr.size[0] * n->attr.size[1];
    case OP_TRAIN_SELECT: return 0;
    case OP_GATHER: return 0;                         /* row copies */
    case OP_GATHER_DX: return (double)shape_count(*x);   /* one add per element of dy */
    case OP_LAYER_NORM: case OP_LAYER_NORM_DX:
    case OP_SOFTMAX: case OP_LOG_SOFTMAX: case OP_MAXPOOL2D_DX: case OP_AVGPOOL2D_DX: case OP_ONE_HOT:
    case OP_SCE: case OP_SCE_DX: case OP_BCE: case OP_BCE_DX: case OP_RANDOM_MASK:
        return x ? 5.0 * (double)shape_count(*x) : out;
#define OP OP_CASE   /* by their class, above */
#define OP_COMPLEX OP_NONE
#include "ir/ops.def"
        break;
    }
    die("node_flops: bad op %s", op_info[n->op].name);
}

void plan_print_stats(FILE *out, const Model *m) {
    Arena *a = arena_new();
    ModelPlan *mp = plan_model(a, m, 2);
    static const char *kind_name[] = {"input", "output", "param", "grad", "state", "loss", "buffer"};
    fprintf(out, "model %s: data region %llu bytes (tensors %llu, scratch %llu at offset %llu)\n", m->name,
            (unsigned long long)mp->data_size, (unsigned long long)mp->scratch_offset,
            (unsigned long long)mp->scratch_size, (unsigned long long)mp->scratch_offset);
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[mp->order[i]];
        fprintf(out, "  %-6s %-24s %-20s offset %10llu  %10llu bytes\n", kind_name[t->kind], t->name,
                shape_str(a, t->dtype, t->shape), (unsigned long long)mp->tensor_offset[mp->order[i]],
                (unsigned long long)(shape_count(t->shape) * dtype_size(t->dtype)));
    }
    for (int e = 0; e < ENTRY_COUNT; e++) {
        const EntryPlan *ep = &mp->entry[e];
        if (!ep->graph) continue;
        const Graph *g = ep->graph;
        double flops = 0, bytes = 0;
        fprintf(out, " entry %s: scratch %llu bytes (peak live %llu bytes)\n", g->entry,
                (unsigned long long)ep->scratch_size, (unsigned long long)ep->peak_live);
        fprintf(out, "  %5s %-24s %-20s %12s %12s %10s\n", "node", "op", "shape", "FLOPs", "bytes", "buffer");
        for (int i = 0; i < g->n; i++) {
            const Node *n = &g->nodes[i];
            const Views *vw = ep->views;   /* views and filled nodes move nothing (views.c) */
            bool view = (vw->base[i] != i && !vw->placed[i] && n->op != OP_LOAD) || vw->filled[i];
            double f = node_flops(g, n), b = ep->inl[i] || n->op == OP_LOAD || view ? 0 : (double)plan_node_bytes(n);
            for (int k = 0; k < n->nin && !ep->inl[i] && !view; k++)
                b += (double)plan_node_bytes(&g->nodes[n->in[k]]);
            if (n->op == OP_GATHER)   /* it reads the rows it copies, not the whole table */
                b += (double)plan_node_bytes(n) - (double)plan_node_bytes(&g->nodes[n->in[0]]);
            flops += f, bytes += b;
            char buf[32];
            if (ep->host[i] >= 0) snprintf(buf, sizeof buf, "after %d", ep->host[i]);   /* node i's epilogue */
            else if (ep->inl[i] && ep->offset[i] >= 0) snprintf(buf, sizeof buf, "fused>%lld", (long long)ep->offset[i]);
            else if (ep->inl[i]) snprintf(buf, sizeof buf, "fused");
            else if (ep->offset[i] >= 0) snprintf(buf, sizeof buf, "%lld", (long long)ep->offset[i]);
            else snprintf(buf, sizeof buf, "-");
            fprintf(out, "  %5d %-24s %-20s %12.0f %12.0f %10s\n", i, op_info[n->op].name,
                    shape_str(a, n->dtype, n->shape), f, b, buf);
        }
        fprintf(out, "  total: %.0f FLOPs, %.0f bytes moved\n", flops, bytes);
    }
    arena_free(a);
}
