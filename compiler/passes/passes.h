/* passes.h: the passes over a model after sema: autodiff, the optimizer,
 * the entries, simplification, fusion and the memory plan. */
#ifndef DMC_PASSES_H
#define DMC_PASSES_H

#include "ir/ir.h"

/* ---- passes over a model ------------------------------------------------- */

/* autodiff.c: m->gradients = forward + reverse-mode adjoints, storing the loss,
 * the outputs, the dropout generator's advance and every f32 parameter's
 * gradient (new TK_GRAD tensors "grad/<name>").  Nothing without a loss.
 * Conventions at ties and kinks: docs/autodiff.md. */
void autodiff_model(Arena *a, Model *m);
/* optim.c: adds the optimizer's state tensors, builds m->apply (reads grads,
 * params and state, stores params and state) and m->train_step (gradients
 * followed by apply, the gradient loads forwarded). */
void optim_model(Arena *a, Model *m);
/* entries.c: turns m->forward into the inference entry (dropout off, no loss
 * store); without training (!train, or no loss) the other graphs stay empty
 * and the model keeps only the parameters and the forward entry's tensors. */
void entries_finish(Arena *a, Model *m, bool train);
/* simplify.c: constant folding, CSE, DCE and algebraic identities on one graph. */
void simplify_graph(Arena *a, const Model *m, Graph *g);
/* inplace.c: --in-place-update: train_step applies each update as soon as
 * its gradient is final and the old parameter is no longer read; the
 * gradients and apply entries and the gradient tensors are removed.
 * inplace_refusal: why m cannot have it (only plain SGD without momentum
 * can), or NULL. */
const char *inplace_refusal(const Model *m);
const char *inplace_optimizer_refusal(const Optimizer *o);
void inplace_update(Arena *a, Model *m);

/* fuse.c: which nodes are computed inside another node's loop.  An
 * elementwise node (unary, binary, const, broadcast) whose users are all
 * elementwise nodes of its shape in one loop (a const: any elementwise
 * users) is "inline": it has no buffer and its value is computed in that
 * loop; a value also stored once may be inline unless no_export[i] (the
 * loop then writes it to its tensor).  Returns inline[i] for every node of
 * g (with !enable only consts) and, if root, the node whose loop computes i. */
bool *fuse_graph(Arena *a, const Graph *g, bool enable, const bool *no_export, int *root);
bool op_is_elementwise(Op op);     /* unary, binary, const, broadcast */

/* views.c: the nodes without a buffer of their own and where their elements
 * lie.  A reshape or a contiguous slice (slice_is_view) is a plain view; with
 * `strided` (-O1 and above), a transpose, slice or reshape read only by
 * batched products (views_product_batched), directly or through other such
 * views, is a strided view, which only those products read (through its
 * strides).  Every node: base = the node whose buffer holds it (itself if it
 * has one), first = its first element's index there, stride = its axes'
 * steps there, in elements (row-major for a node with its own buffer).
 * Also with `strided`, a batched product whose only reader is a chain of
 * transposes, reshapes and concats that copies it into the buffer of the
 * chain's last transpose or concat writes it there itself ("placed", its
 * base that node, after it); the chain's nodes have no code and no buffer,
 * and a transpose or concat left with nothing to copy is "filled". */
typedef struct Views {
    int *base;
    bool *strided;
    bool *placed;         /* a product computed into its base's (a later node's) buffer through its strides */
    bool *filled;         /* a transpose or concat whose every element such products wrote: no code */
    int *writer;          /* per node: the first node (a product or a chain's node) in its buffer before it, or -1 */
    int64_t *first;
    int64_t (*stride)[MAX_RANK];
} Views;
Views *plan_views(Arena *a, const Graph *g, bool strided);
/* Whether node is a product that runs as dmk_matmul_batched (a batch of
 * more than one product, not merged into one GEMM's rows, cg_kernels.c). */
bool views_product_batched(const Graph *g, int node);

/* plan.c: the memory plan.  The data region holds every persistent tensor
 * (params, state, grads, inputs, outputs, loss: each family contiguous, every
 * tensor 64-byte aligned) and then one scratch arena shared by all entries
 * (they never run at once).  Inside an entry, node buffers are reused when
 * lifetimes do not overlap; reshapes alias their operand; a stored value is
 * computed in place into its tensor where that is legal. */
typedef struct EntryPlan {
    const Graph *graph;   /* NULL for an entry without code */
    const Views *views;   /* plan_views' answer */
    bool *inl;            /* fuse_graph's answer */
    int *root;            /* per node: the exec node whose loop computes it (itself if not inline) */
    int64_t *offset;      /* per node: byte offset of its buffer in the data region, -1 if none */
    int *epilogue;        /* per kernel node: the elementwise root whose loop it runs on its output, -1 if none */
    int *host;            /* per elementwise root: the kernel that runs its loop (epilogue), -1 if none */
    uint64_t scratch_size;
    uint64_t peak_live;   /* the most scratch bytes live at once (a lower bound of scratch_size) */
} EntryPlan;

typedef struct ModelPlan {
    int *order;           /* tensors in descriptor order: params, state, grads, inputs, outputs, loss */
    uint64_t *tensor_offset; /* per tensor (Model order) */
    uint64_t scratch_offset, scratch_size, data_size;
    EntryPlan entry[ENTRY_COUNT];
} ModelPlan;

ModelPlan *plan_model(Arena *a, const Model *m, int opt_level);
uint64_t plan_node_bytes(const Node *n);   /* the bytes of n's value */
/* stats.c: --stats, per node shape, FLOPs and bytes, totals, and the memory plan. */
void plan_print_stats(FILE *out, const Model *m);

/* pipeline.c: the passes between the front end and code generation, one
 * table (its first entry, "sema", is the front end).  pipeline_run runs the
 * default pipeline, or o->passes; false after an error (a pass that cannot
 * run on a model, reported through d). */
struct Options;
bool pipeline_run(Arena *a, Diag *d, const struct Options *o, Models *models);
const char *pipeline_names(Arena *a, bool with_front_end);   /* "sema, autodiff, ..." */
bool pipeline_is_pass(const char *name, bool with_front_end);
/* What is wrong with a --passes list (and --dump-after against it), or NULL. */
const char *pipeline_check_list(Arena *a, const char *list, const char *dump_after);

#endif
