/* gather.c: rows of a table (embedding lookup) and the adjoint, the
 * scatter-add of rows into a zero table.
 *
 * The table is [V, row] floats (row = the product of its dims after the
 * first), ids n int32s, the gathered rows [n, row].  Each row is a
 * contiguous run of floats, moved by copy_floats' vectors.  The entry has
 * checked every id against [0, V) before the kernel runs (ir/labels.c,
 * cg_labels.c); an id outside it all the same gives a zero row (gather) or
 * is dropped (the adjoint): the kernels never touch memory outside the
 * tensors.
 *
 * Threads: a gather splits the ids into contiguous ranges, one per task.
 * The adjoint splits the table's rows: task t zeroes its rows, then walks
 * every id and adds the rows of dy whose id it owns, in the order of the
 * ids.  Each element of the result is thus summed in one order, whatever
 * the split: the same bits on one thread or eight, and as the reference
 * interpreter sums (a repeated id adds its rows first to last). */
#include <stdint.h>

#include "dmk.h"
#include "kernels.h"

/* Below this many floats moved, a kernel stays on the calling thread: a
 * copy is cheap next to waking the pool. */
enum { GATHER_PARALLEL_MIN = 1 << 17 };

typedef struct Gather {
    float *out;
    const float *from;      /* gather: the table; adjoint: dy */
    const int32_t *ids;
    int64_t n, V, row;
    int ntasks;
} Gather;

/* out rows [s0, s1) = table[ids[s]]. */
static ALWAYS_INLINE void gather_range(const Gather *g, int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; s++) {
        uint32_t v = (uint32_t)g->ids[s];
        float *dst = g->out + s * g->row;
        if (v < (uint64_t)g->V) copy_floats(dst, g->from + (int64_t)v * g->row, g->row, 0);
        else
            for (int64_t j = 0; j < g->row; j++) dst[j] = 0.0f;
    }
}

/* Rows [v0, v1) of the table's adjoint: zeros plus every row s of dy whose
 * id falls there, in the order of s. */
static ALWAYS_INLINE void scatter_range(const Gather *g, int64_t v0, int64_t v1) {
    for (int64_t i = v0 * g->row; i < v1 * g->row; i++) g->out[i] = 0.0f;
    for (int64_t s = 0; s < g->n; s++) {
        int64_t v = g->ids[s];
        if (v >= v0 && v < v1) copy_floats(g->out + v * g->row, g->from + s * g->row, g->row, 1);
    }
}

static void gather_task(void *ctx, int t, int ntasks) {
    const Gather *g = ctx;
    gather_range(g, g->n * t / ntasks, g->n * (t + 1) / ntasks);
}

static void scatter_task(void *ctx, int t, int ntasks) {
    const Gather *g = ctx;
    scatter_range(g, g->V * t / ntasks, g->V * (t + 1) / ntasks);
}

/* How many tasks share `floats` of work over `units` independent parts. */
static int gather_tasks(int64_t floats, int64_t units, dm_exec *ex) {
    if (!ex || ex->threads <= 1 || floats < GATHER_PARALLEL_MIN) return 1;
    int64_t t = floats / GATHER_PARALLEL_MIN;
    t = t > ex->threads ? ex->threads : t;
    t = t > MAX_TASKS ? MAX_TASKS : t;
    t = t > units ? units : t;
    return t < 1 ? 1 : (int)t;
}

void dmk_gather(float *restrict y, const float *restrict table, const int32_t *restrict ids, int64_t n, int64_t V,
                int64_t row, dm_exec *ex) {
    Gather g = {.out = y, .from = table, .ids = ids, .n = n, .V = V, .row = row};
    g.ntasks = gather_tasks(n * row, n, ex);
    if (g.ntasks == 1) gather_range(&g, 0, n);
    else ex->parallel(ex, gather_task, &g, g.ntasks);
}

void dmk_gather_dx(float *restrict dtable, const float *restrict dy, const int32_t *restrict ids, int64_t n,
                   int64_t V, int64_t row, dm_exec *ex) {
    Gather g = {.out = dtable, .from = dy, .ids = ids, .n = n, .V = V, .row = row};
    g.ntasks = gather_tasks((V + n) * row, V, ex);
    if (g.ntasks == 1) scatter_range(&g, 0, V);
    else ex->parallel(ex, scatter_task, &g, g.ntasks);
}
