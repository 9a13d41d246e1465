/* sema_buffer.c: buffers (`buffer NAME : TYPE [= INIT]`), their updates
 * (`update NAME = expr`) and the training flag of `select(training, a, b)`.
 *
 * A buffer is a persistent f32 tensor that is not trained (a TK_BUFFER, named
 * as a parameter: `bn1.running_mean`).  In a model it exists from its
 * statement on; in a layer, as a param, from the instance's first use of it
 * (a read or an update).  An update's value is computed where the statement
 * stands, but its store is emitted after the whole model (sema_finish_updates),
 * so every read of the buffer in the step sees the value before the update;
 * the entries pass removes the stores from the forward entry, so only the
 * train step and the gradients entry update buffers.  Nothing differentiates
 * the store: autodiff follows the loss only. */
#include "front/sema.h"

#include <string.h>

/* A number as a tensor of type t and shape sh (every element the number). */
static Value number_as(Sema *s, Value num, DType t, Shape sh) {
    Value v = sema_as_tensor(s, num, t);
    if (v.kind != V_TENSOR || shape_eq(v.shape, sh)) return v;
    int node = graph_broadcast(s->a, &s->m->forward, v.node, sh);
    return sema_tensor(s, sema_at(s, node, num.loc), num.loc);
}

/* `buffer NAME : TYPE [= INIT]`, in the model (created now) or in a layer
 * instance (created on first use, see sema_binding_value). */
void sema_buffer_stmt(Sema *s, const Stmt *st) {
    Shape shape;
    Init init = {0};
    bool ok = sema_dims(s, st->type, &shape);
    uint32_t defines = s->dims_defines;
    if (ok && st->type->dtype != DT_F32) {
        sema_error(s, st->type->loc, "a buffer must be f32, found %s", shape_str(s->a, st->type->dtype, shape));
        ok = false;
    }
    if (ok && st->value) ok = sema_init(s, st->value, DT_F32, shape, &init);
    Binding *b = sema_bind(s, s->frame->scope, st->name, st->name_loc, BK_BUFFER, sema_err());
    if (!b) return;
    b->defines = defines;
    if (!ok) { b->loaded = true; return; }
    Tensor t = {.name = arena_printf(s->a, "%s%s", s->frame->prefix, st->name), .kind = TK_BUFFER,
                .dtype = DT_F32, .shape = shape, .init = init, .loc = st->name_loc};
    if (!s->frame->layer) {
        b->tensor = sema_add_param(s, t);
        if (b->tensor < 0) b->loaded = true;
        return;
    }
    /* the outermost call in the user's code is the useful place, as for a layer's param */
    for (Frame *f = s->frame; f && f->layer; f = f->parent) t.loc = f->call;
    b->pending = t;
}

/* `update NAME = expr`: NAME a buffer of this model or layer instance, at
 * most one update per buffer and instance; the value has the buffer's shape
 * (a number fills it). */
void sema_update_stmt(Sema *s, const Stmt *st) {
    Value v = sema_eval(s, st->value);
    Binding *b = sema_lookup(s, st->name);
    if (!b) {
        Expr name = {.kind = EX_NAME, .loc = st->name_loc, .name = st->name, .name_loc = st->name_loc};
        sema_eval(s, &name);   /* reports "unknown name" with a suggestion */
        return;
    }
    if (b->kind != BK_BUFFER) {
        sema_error_begin(s, st->name_loc, "only a buffer can be updated; '%s' is %s %s", st->name,
                         b->kind == BK_ARG || b->kind == BK_INPUT ? "an" : "a", sema_bind_kind_word(b->kind));
        diag_note(s->d, b->loc, "'%s' is defined here", st->name);
        sema_error_end(s);
        return;
    }
    if (b->loaded && b->tensor < 0) return;   /* a bad declaration, already reported */
    if (b->tensor < 0) b->tensor = sema_add_param(s, b->pending);
    if (b->tensor < 0) { b->loaded = true; return; }
    for (int i = 0; i < s->nupdates; i++) {
        if (s->updates[i].tensor != b->tensor) continue;
        sema_error_begin(s, st->loc, "buffer '%s' is updated twice; a buffer has at most one update", st->name);
        diag_note(s->d, s->updates[i].loc, "the first update is here");
        sema_error_end(s);
        return;
    }
    if (v.kind == V_ERR) return;
    const Tensor *t = &s->m->tensors[b->tensor];
    if (v.kind == V_NUM) v = number_as(s, v, DT_F32, t->shape);
    if (v.kind != V_TENSOR || v.dtype != DT_F32 || !shape_eq(v.shape, t->shape)) {
        sema_error_begin(s, st->value->loc, "the update of buffer '%s' must be %s, found %s", st->name,
                         shape_str(s->a, t->dtype, t->shape), sema_type_str(s, v));
        diag_note(s->d, b->loc, "'%s' is declared here", st->name);
        sema_error_end(s);
        return;
    }
    PendingUpdate u = {.tensor = b->tensor, .node = v.node, .loc = st->loc};
    VEC_PUSH(s->a, s->updates, s->nupdates, s->capupdates, u);
}

/* The updates' stores, after everything else of the model. */
void sema_finish_updates(Sema *s) {
    for (int i = 0; i < s->nupdates; i++)
        sema_at(s, graph_store(s->a, &s->m->forward, s->updates[i].tensor, s->updates[i].node), s->updates[i].loc);
    s->nupdates = 0;
}

/* Whether e is the training flag: the name `training`, unless the program binds it. */
bool sema_is_training(Sema *s, const Expr *e) {
    return e->kind == EX_NAME && strcmp(e->name, "training") == 0 && !sema_lookup(s, e->name);
}

/* select(training, a, b): both branches, a tensor a for the training entries
 * and b for the forward entry (TRAIN_SELECT, resolved by the entries pass).
 * Numbers become tensors of the other branch's type; the two must agree. */
Value sema_select_training(Sema *s, const Expr *call) {
    Value a = sema_eval(s, call->args.items[1].value);
    Value b = sema_eval(s, call->args.items[2].value);
    if (a.kind == V_ERR || b.kind == V_ERR) return sema_err();
    if (a.kind == V_NUM && b.kind == V_TENSOR) a = number_as(s, a, b.dtype, b.shape);
    if (b.kind == V_NUM && a.kind == V_TENSOR) b = number_as(s, b, a.dtype, a.shape);
    if (a.kind == V_ERR || b.kind == V_ERR) return sema_err();
    if (a.kind != V_TENSOR || b.kind != V_TENSOR || a.dtype != b.dtype || !shape_eq(a.shape, b.shape)) {
        sema_error(s, call->name_loc, "select(training, a, b) needs two tensors of one type, found %s and %s",
                   sema_type_str(s, a), sema_type_str(s, b));
        return sema_err();
    }
    if (a.node == b.node) return a;
    Node n = {.op = OP_TRAIN_SELECT, .nin = 2, .in = {a.node, b.node}};
    int id = graph_node(s->a, &s->m->forward, OP_TRAIN_SELECT, n.in, 2, (Attr){0});
    Value v = sema_tensor(s, sema_at(s, id, call->name_loc), call->loc);
    v.defines = a.defines | b.defines;
    return v;
}
