/* sema_index.c: indexing, slicing and concatenation, with NumPy/PyTorch
 * semantics: x[2], x[-1], x[:, 0:4], x[1:], x[::2], x[..., -1] with constant
 * bounds, and concat(xs, axis) / stack(xs, axis) of a list of tensors.
 * Needs: sema_expr.c (values), the graph builder.  Guarantees: an index is
 * a SLICE node (start and step per axis, the extents in its shape) followed,
 * when integers drop axes, by a RESHAPE; a concat is one CONCAT node of up
 * to NODE_MAX_IN operands (a tree of them beyond), a stack the concat of its
 * operands reshaped with a 1 inserted at the axis.  Every user error is
 * reported at the subscript or list item it concerns. */
#include "front/sema.h"

#include <math.h>
#include <string.h>

/* An index that is a tensor: E[ids] takes rows of E, as embedding(E, ids)
 * (a gather, with its run-time check of the ids).  Only as the one subscript:
 * NumPy's mixed forms (x[:, ids], x[ids, 0]) are not in dm. */
Value sema_tensor_index(Sema *s, const Expr *e, Value x, Value index) {
    if (e->items.n != 1) {
        sema_error(s, index.loc, "a tensor index %s must be the only subscript: x[ids] takes rows of x "
                   "(embedding(x, ids)); index the result for the rest", sema_type_str(s, index));
        return sema_err();
    }
    return sema_gather(s, "indexing", x, index, index.loc, e->loc);
}

/* One axis of the box an index selects. */
typedef struct Axis { int64_t start, step, extent; bool drop; } Axis;

/* A constant integer bound of a subscript (NULL: absent, *given false). */
static bool slice_bound(Sema *s, const Expr *e, const char *what, int64_t *out, bool *given, uint32_t *defines) {
    *given = e != NULL;
    if (!e) return true;
    Value v = sema_eval_const(s, e, what);
    *defines |= v.defines;
    if (v.kind == V_NUM && v.num == floor(v.num) && fabs(v.num) > 1e15)   /* clamps like any large bound */
        v.num = v.num > 0 ? 1e15 : -1e15;
    return sema_int_of(s, v, what, out);
}

/* a:b:c on an axis of size dim, as Python clamps a slice with a positive
 * step: negative bounds count from the end, then both are clamped to
 * [0, dim]; the extent is ceil((stop - start) / step). */
static bool slice_axis(Sema *s, const Expr *sub, Value x, int axis, Axis *out, uint32_t *defines) {
    int64_t dim = x.shape.dim[axis], start = 0, stop = dim, step = 1;
    bool has_start, has_stop, has_step;
    if (!slice_bound(s, sub->items.items[0], "a slice bound", &start, &has_start, defines) ||
        !slice_bound(s, sub->items.items[1], "a slice bound", &stop, &has_stop, defines) ||
        !slice_bound(s, sub->items.items[2], "a slice step", &step, &has_step, defines))
        return false;
    if (step <= 0) {
        sema_error_from(s, *defines, sub->items.items[2]->loc,
                        step == 0 ? "a slice step cannot be 0" : "a slice step must be positive, found %lld "
                        "(as in PyTorch, which has no negative steps)", (long long)step);
        return false;
    }
    if (!has_start) start = 0;
    if (!has_stop) stop = dim;
    if (start < 0) start += dim;
    if (stop < 0) stop += dim;
    start = start < 0 ? 0 : start > dim ? dim : start;
    stop = stop < 0 ? 0 : stop > dim ? dim : stop;
    int64_t extent = stop > start ? (stop - start + step - 1) / step : 0;
    if (extent == 0) {
        sema_error_from(s, *defines, sub->loc, "the slice is empty on axis %d of %s (size %lld): dm has no empty "
                        "tensors", axis, sema_type_str(s, x), (long long)dim);
        return false;
    }
    *out = (Axis){start, step, extent, false};
    return true;
}

/* An integer index: negative counts from the end; out of range is an error. */
static bool index_axis(Sema *s, Value v, Value x, int axis, Axis *out) {
    int64_t i = 0, dim = x.shape.dim[axis];
    bool huge = v.kind == V_NUM && v.num == floor(v.num) && fabs(v.num) > 1e15;   /* not an int64 */
    if (!huge && !sema_int_of(s, v, "an index", &i)) return false;
    if (huge || i < -dim || i >= dim) {
        const char *shown = huge ? arena_printf(s->a, "%g", v.num) : arena_printf(s->a, "%lld", (long long)i);
        sema_error_from(s, v.defines, v.loc, "index %s is out of range for axis %d of %s (size %lld: %lld to %lld)",
                        shown, axis, sema_type_str(s, x), (long long)dim, (long long)-dim,
                        (long long)dim - 1);
        return false;
    }
    *out = (Axis){i < 0 ? i + dim : i, 1, 1, true};
    return true;
}

Value sema_index(Sema *s, const Expr *e) {
    Value x = sema_eval(s, e->lhs);
    if (x.kind == V_ERR) return x;
    if (s->const_why) {
        sema_error(s, e->loc, "%s must be a constant expression, but indexing makes a tensor", s->const_why);
        return sema_err();
    }
    if (x.kind == V_LIST) x = sema_as_tensor(s, x, DT_F32);
    if (x.kind != V_TENSOR) {
        sema_error(s, e->loc, "only a tensor can be indexed, found %s", sema_type_str(s, x));
        return sema_err();
    }
    /* Which axis each subscript takes: an ellipsis stands for the axes that
     * the others leave (none, or several). */
    int used = 0, ellipsis = -1;
    for (int k = 0; k < e->items.n; k++) {
        const Expr *sub = e->items.items[k];
        if (sub->kind != EX_ELLIPSIS) { used++; continue; }
        if (ellipsis >= 0) {
            sema_error(s, sub->loc, "an index has at most one '...'");
            return sema_err();
        }
        ellipsis = k;
    }
    if (used > x.shape.rank) {
        const Expr *extra = e->items.items[0];
        for (int k = 0, n = 0; k < e->items.n; k++)
            if (e->items.items[k]->kind != EX_ELLIPSIS && ++n == x.shape.rank + 1) extra = e->items.items[k];
        sema_error(s, extra->loc, "too many indices: %s has %d dimension%s, found %d ind%s", sema_type_str(s, x),
                   x.shape.rank, x.shape.rank == 1 ? "" : "s", used, used == 1 ? "ex" : "ices");
        return sema_err();
    }
    Axis box[MAX_RANK];
    for (int d = 0; d < x.shape.rank; d++) box[d] = (Axis){0, 1, x.shape.dim[d], false};
    uint32_t defines = x.defines;
    bool ok = true;
    for (int k = 0, axis = 0; k < e->items.n; k++) {
        const Expr *sub = e->items.items[k];
        if (sub->kind == EX_ELLIPSIS) {
            axis += x.shape.rank - used;
            continue;
        }
        if (sub->kind == EX_SLICE) {
            ok = slice_axis(s, sub, x, axis, &box[axis], &defines) && ok;
        } else {
            Value v = sema_eval(s, sub);
            defines |= v.defines;
            if (v.kind == V_TENSOR) return sema_tensor_index(s, e, x, v);
            ok = (v.kind != V_ERR && index_axis(s, v, x, axis, &box[axis])) && ok;
        }
        axis++;
    }
    if (!ok) return sema_err();
    /* The box (a slice unless it is the whole of x), then the integer-indexed
     * axes dropped. */
    Shape extents = {.rank = x.shape.rank}, kept = {0};
    int start[MAX_RANK], step[MAX_RANK];
    for (int d = 0; d < x.shape.rank; d++) {
        extents.dim[d] = box[d].extent;
        start[d] = (int)box[d].start;
        step[d] = box[d].extent > 1 ? (int)box[d].step : 1;   /* one element: any step reads the same */
        if (!box[d].drop) kept.dim[kept.rank++] = box[d].extent;
    }
    Graph *g = &s->m->forward;
    int node = x.node;
    if (!shape_eq(extents, x.shape)) node = sema_at(s, graph_slice(s->a, g, node, start, step, extents), e->loc);
    if (kept.rank != extents.rank) node = sema_at(s, graph_reshape(s->a, g, node, kept), e->loc);
    Value r = sema_tensor(s, node, e->loc);
    r.defines = defines;
    return r;
}

/* ---- concat and stack ------------------------------------------------------------ */

/* xs joined along axis, as one CONCAT node per NODE_MAX_IN operands: a
 * longer list is joined in groups first (each element is then copied once
 * per level; lists that long are rare). */
static int concat_nodes(Sema *s, const int *xs, int n, int axis, Loc loc) {
    if (n <= NODE_MAX_IN) return sema_at(s, graph_concat(s->a, &s->m->forward, xs, n, axis), loc);
    int groups = (n + NODE_MAX_IN - 1) / NODE_MAX_IN;
    int *part = arena_alloc(s->a, sizeof(int) * (size_t)groups);
    for (int gi = 0; gi < groups; gi++) {
        int first = gi * NODE_MAX_IN, count = n - first < NODE_MAX_IN ? n - first : NODE_MAX_IN;
        part[gi] = concat_nodes(s, xs + first, count, axis, loc);
    }
    return concat_nodes(s, part, groups, axis, loc);
}

/* The list argument: an array literal whose items are tensors (an array
 * literal of numbers elsewhere is a constant, so the items are evaluated
 * here, one by one). */
static Value tensor_list(Sema *s, const Expr *e) {
    if (e->kind != EX_ARRAY) return sema_eval(s, e);
    Value v = {.kind = V_LIST, .n = e->items.n, .loc = e->loc};
    v.items = arena_alloc(s->a, (size_t)(e->items.n + 1) * sizeof *v.items);
    for (int i = 0; i < e->items.n; i++) {
        v.items[i] = sema_eval(s, e->items.items[i]);
        v.defines |= v.items[i].defines;
    }
    return v;
}

/* concat(xs, axis = 0) and stack(xs, axis = 0). */
Value sema_concat(Sema *s, const Expr *call) {
    bool stack = strcmp(call->name, "stack") == 0;
    const char *fn = call->name;
    if (s->const_why) {
        sema_error(s, call->name_loc, "%s must be a constant expression, but %s works on tensors", s->const_why, fn);
        return sema_err();
    }
    Value *args = arena_alloc(s->a, (size_t)(call->args.n + 1) * sizeof *args);
    for (int i = 0; i < call->args.n; i++) {
        const Arg *a = &call->args.items[i];
        args[i] = (!a->key && i == 0) || (a->key && strcmp(a->key, "xs") == 0) ? tensor_list(s, a->value)
                                                                               : sema_eval(s, a->value);
    }
    static const char *const names[] = {"xs", "axis"};
    Value v[2];
    bool given[2];
    if (!sema_bind_args(s, call, arena_printf(s->a, "'%s'", fn), names, 2, 1, args, v, given)) return sema_err();
    Value xs = v[0];
    if (xs.kind == V_ERR || (given[1] && v[1].kind == V_ERR)) return sema_err();
    if (xs.kind != V_LIST) {
        sema_error(s, xs.loc, "%s joins a list of tensors like [a, b], found %s", fn, sema_type_str(s, xs));
        return sema_err();
    }
    bool ok = true;
    for (int i = 0; i < xs.n; i++) {
        if (xs.items[i].kind == V_ERR) ok = false;
        else if (xs.items[i].kind != V_TENSOR) {
            sema_error(s, xs.items[i].loc, "%s joins tensors, found %s", fn, sema_type_str(s, xs.items[i]));
            ok = false;
        }
    }
    if (!ok) return sema_err();
    Value first = xs.items[0];
    int rank = first.shape.rank + (stack ? 1 : 0);
    int64_t axis = 0;
    if (given[1] && !sema_int_of(s, v[1], "the axis", &axis)) return sema_err();
    if (rank == 0 || axis < -rank || axis >= rank) {
        sema_error(s, given[1] ? v[1].loc : call->name_loc, "axis %lld is out of range for %s of %s (axes %d to %d)",
                   (long long)axis, fn, sema_type_str(s, first), -rank, rank - 1);
        return sema_err();
    }
    if (axis < 0) axis += rank;
    int *nodes = arena_alloc(s->a, sizeof(int) * (size_t)xs.n);
    for (int i = 0; i < xs.n; i++) {
        Value x = xs.items[i];
        bool agree = x.dtype == first.dtype && x.shape.rank == first.shape.rank;
        for (int d = 0; agree && d < x.shape.rank; d++)
            agree = x.shape.dim[d] == first.shape.dim[d] || (!stack && d == axis);
        if (!agree) {
            const char *a = sema_type_str(s, first), *b = sema_type_str(s, x);
            if (x.dtype != first.dtype) sema_error(s, x.loc, "%s of %s and %s: the dtypes differ", fn, a, b);
            else if (stack) sema_error(s, x.loc, "stack needs tensors of one shape: %s and %s", a, b);
            else if (x.shape.rank != first.shape.rank)
                sema_error(s, x.loc, "concat of %s and %s: the ranks differ", a, b);
            else sema_error(s, x.loc, "concat along axis %lld: %s and %s differ in another dimension (only axis "
                            "%lld may)", (long long)axis, a, b, (long long)axis);
            return sema_err();
        }
        nodes[i] = x.node;
        if (stack) {   /* a 1 inserted at the axis */
            Shape up = {.rank = rank};
            for (int d = 0, k = 0; d < rank; d++) up.dim[d] = d == axis ? 1 : x.shape.dim[k++];
            nodes[i] = sema_at(s, graph_reshape(s->a, &s->m->forward, x.node, up), call->name_loc);
        }
    }
    Value r = sema_tensor(s, concat_nodes(s, nodes, xs.n, (int)axis, call->name_loc), call->loc);
    r.defines = xs.defines | (given[1] ? v[1].defines : 0);
    return r;
}
