/* ast.c: the builders the grammar's actions call, and the AST's text dump.
 *
 * Needs: a ParseCtx (arena, diagnostics).  Guarantees: no expression tree is
 * deeper than PARSE_MAX_DEPTH: a builder that would go deeper reports it
 * (once per statement) and returns a poison leaf instead, so neither
 * ast_dump nor any later phase can recurse without bound.  The few checks
 * made here are syntactic (argument order, number range); meaning is sema's.
 *
 * The dump (dmc --emit=ast) is an S-expression per declaration, one statement
 * per line, expressions on one line:
 *   (model NAME stmt...)   (layer NAME (formals formal...) stmt...)   (const NAME expr)
 *   stmt:    (const n e) (input n TYPE) (param n TYPE [init]) (bind n e)
 *            (output n [e]) (loss e) (optimizer CALL) (return e)
 *            (for n RANGE [shared] stmt...)   (its statements one level deeper)
 *   formal:  (n [TYPE] [default e])
 *   TYPE:    (f32 dim...) / (i32 dim...), (f32) for a scalar
 *   expr:    42  0.5  true  x  (neg e)  (+ a b) (- a b) (* a b) (/ a b) (@ a b)
 *            (call f arg... key=e...)  [e e ...]
 * Integers print without a point, other numbers in the shortest form that
 * reads back exactly, always with a '.' or an exponent.  The prelude's
 * declarations (file "<prelude>") are left out: the dump shows the user's file. */
#include "front/front.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- builders ------------------------------------------------------------ */

/* After a "nested too deeply" error the rest of the statement's expressions
 * are all one shared leaf: an input made of millions of operators then costs
 * no memory per operator. */
static Expr *poison(ParseCtx *p, Loc loc) {
    if (!p->poison) {
        p->poison = arena_alloc(p->arena, sizeof *p->poison);
        p->poison->kind = EX_NUMBER;
        p->poison->loc = loc;
        p->poison->depth = 1;
    }
    return p->poison;
}

static Expr *new_expr(ParseCtx *p, ExprKind kind, Loc loc, int depth) {
    if (p->depth_reported) return poison(p, loc);
    if (depth > PARSE_MAX_DEPTH) {
        diag_error(p->diag, loc, "expression nested too deeply (the limit is %d levels)", PARSE_MAX_DEPTH);
        p->depth_reported = true;
        return poison(p, loc);
    }
    Expr *e = arena_alloc(p->arena, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    e->depth = depth;
    return e;
}

/* The span from a's start to b's end when both are on one line, else a. */
static Loc span(Loc a, Loc b) {
    if (a.line == b.line && b.col + b.len > a.col) a.len = b.col + b.len - a.col;
    return a;
}

Expr *ast_number(ParseCtx *p, Loc loc, const char *text) {
    Expr *e = new_expr(p, EX_NUMBER, loc, 1);
    if (e == p->poison) return e;
    e->num = strtod(text, NULL);
    e->is_int = !strpbrk(text, ".eE");
    if (!isfinite(e->num)) {
        diag_error(p->diag, loc, "number '%s' is too large", text);
        e->num = 0;
    }
    return e;
}

Expr *ast_bool(ParseCtx *p, Loc loc, bool value) {
    Expr *e = new_expr(p, EX_BOOL, loc, 1);
    if (e != p->poison) e->boolean = value;
    return e;
}

Expr *ast_name(ParseCtx *p, Loc loc, const char *name) {
    Expr *e = new_expr(p, EX_NAME, loc, 1);
    if (e == p->poison) return e;
    e->name = name;
    e->name_loc = loc;
    return e;
}

Expr *ast_array(ParseCtx *p, Loc loc, ExprList items) {
    int depth = 0;
    for (int i = 0; i < items.n; i++)
        if (items.items[i]->depth > depth) depth = items.items[i]->depth;
    Expr *e = new_expr(p, EX_ARRAY, loc, depth + 1);
    if (e != p->poison) e->items = items;
    return e;
}

Expr *ast_neg(ParseCtx *p, Loc loc, Expr *x) {
    Expr *e = new_expr(p, EX_NEG, span(loc, x->loc), x->depth + 1);
    if (e != p->poison) e->lhs = x;
    return e;
}

Expr *ast_negs(ParseCtx *p, Loc first_minus, int count, Expr *x) {
    if (count > PARSE_MAX_DEPTH) return new_expr(p, EX_NEG, first_minus, PARSE_MAX_DEPTH + 1);
    for (int i = 0; i < count; i++) x = ast_neg(p, first_minus, x);
    return x;
}

Expr *ast_binary(ParseCtx *p, Loc loc, char op, Expr *l, Expr *r) {
    Expr *e = new_expr(p, EX_BINARY, loc, (l->depth > r->depth ? l->depth : r->depth) + 1);
    if (e == p->poison) return e;
    e->binop = op;
    e->lhs = l;
    e->rhs = r;
    return e;
}

const char *ast_binop_text(char op) {
    switch (op) {
    case AST_POW: return "**";
    case AST_LE: return "<=";
    case AST_GE: return ">=";
    case AST_EQ: return "==";
    case AST_NE: return "!=";
    case '+': return "+";
    case '-': return "-";
    case '*': return "*";
    case '/': return "/";
    case '<': return "<";
    case '>': return ">";
    }
    return "@";
}

Expr *ast_chained_comparison(ParseCtx *p, Loc second, Expr *first) {
    diag_error(p->diag, second, "comparisons do not chain in dm: write (a < b) * (b < c) for a < b and b < c "
               "(a comparison is a mask of 1s and 0s)");
    return first;
}

Expr *ast_call(ParseCtx *p, Loc loc, const char *callee, ArgList args) {
    int depth = 0;
    for (int i = 0; i < args.n; i++)
        if (args.items[i].value->depth > depth) depth = args.items[i].value->depth;
    Expr *e = new_expr(p, EX_CALL, loc, depth + 1);
    if (e == p->poison) return e;
    e->name = callee;
    e->name_loc = (Loc){loc.file, loc.line, loc.col, (int)strlen(callee)};
    e->args = args;
    return e;
}

static int list_depth(ExprList l) {
    int depth = 0;
    for (int i = 0; i < l.n; i++)
        if (l.items[i] && l.items[i]->depth > depth) depth = l.items[i]->depth;
    return depth;
}

Expr *ast_index(ParseCtx *p, Loc bracket, Expr *x, ExprList subscripts) {
    int depth = list_depth(subscripts);
    Expr *e = new_expr(p, EX_INDEX, bracket, (x->depth > depth ? x->depth : depth) + 1);
    if (e == p->poison) return e;
    e->lhs = x;
    e->items = subscripts;
    return e;
}

/* The slice's location spans its written bounds (the first ':' without any). */
Expr *ast_slice(ParseCtx *p, Loc colon, Expr *start, Expr *stop, Expr *step) {
    ExprList parts = {0};
    parts = ast_exprs_add(p, parts, start);
    parts = ast_exprs_add(p, parts, stop);
    parts = ast_exprs_add(p, parts, step);
    Loc loc = colon;
    if (start) loc = span(start->loc, loc);
    if (step) loc = span(loc, step->loc);
    else if (stop) loc = span(loc, stop->loc);
    Expr *e = new_expr(p, EX_SLICE, loc, list_depth(parts) + 1);
    if (e != p->poison) e->items = parts;
    return e;
}

Expr *ast_ellipsis(ParseCtx *p, Loc loc) {
    return new_expr(p, EX_ELLIPSIS, loc, 1);
}

ExprList ast_exprs_add(ParseCtx *p, ExprList list, Expr *e) {
    VEC_PUSH(p->arena, list.items, list.n, list.cap, e);
    return list;
}

/* key_loc: the key, or for a positional argument the whole argument. */
Arg ast_arg(ParseCtx *p, Loc key_loc, const char *key, Expr *value) {
    return (Arg){key, key_loc, value};
}

ArgList ast_args_add(ParseCtx *p, ArgList list, Arg arg) {
    if (!arg.key && list.n > 0 && list.items[list.n - 1].key) {
        const Arg *kw = &list.items[list.n - 1];
        while (kw > list.items && kw[-1].key) kw--;
        diag_error(p->diag, arg.key_loc, "positional argument after a keyword argument");
        diag_note(p->diag, kw->key_loc, "the first keyword argument, '%s', is here; "
                  "positional arguments come first", kw->key);
    }
    VEC_PUSH(p->arena, list.items, list.n, list.cap, arg);
    return list;
}

TypeExpr *ast_type(ParseCtx *p, Loc loc, DType dtype, ExprList dims) {
    TypeExpr *t = arena_alloc(p->arena, sizeof *t);
    t->dtype = dtype;
    t->dims = dims;
    t->loc = loc;
    return t;
}

Stmt *ast_stmt(ParseCtx *p, StmtKind kind, Loc loc, const char *name, Loc name_loc, TypeExpr *type,
               Expr *value) {
    Stmt *s = arena_alloc(p->arena, sizeof *s);
    *s = (Stmt){.kind = kind, .loc = loc, .name = name, .name_loc = name_loc, .type = type, .value = value};
    p->depth_reported = false;   /* the next statement may report its own */
    return s;
}

Stmt *ast_for(ParseCtx *p, Loc loc, const char *name, Loc name_loc, Expr *range, const char *word, Loc word_loc,
              StmtList body) {
    Stmt *s = ast_stmt(p, ST_FOR, loc, name, name_loc, NULL, range);
    s->depth = 1;
    for (int i = 0; i < body.n; i++)
        if (body.items[i]->kind == ST_FOR && body.items[i]->depth >= s->depth) s->depth = body.items[i]->depth + 1;
    if (s->depth > PARSE_MAX_DEPTH) {   /* sema and the dump recurse once per level */
        if (s->depth == PARSE_MAX_DEPTH + 1)
            diag_error(p->diag, loc, "loops nested too deeply (the limit is %d levels)", PARSE_MAX_DEPTH);
        body = (StmtList){0};
    }
    s->body = body;
    if (word && strcmp(word, "shared") == 0) s->shared = true;
    else if (word) diag_error(p->diag, word_loc, "expected 'shared' or '{' after the range, found name '%s'", word);
    return s;
}

StmtList ast_stmts_add(ParseCtx *p, StmtList list, Stmt *s) {
    VEC_PUSH(p->arena, list.items, list.n, list.cap, s);
    return list;
}

Formal ast_formal(ParseCtx *p, Loc loc, const char *name, TypeExpr *type, Expr *def) {
    p->depth_reported = false;
    return (Formal){name, loc, type, def};
}

FormalList ast_formals_add(ParseCtx *p, FormalList list, Formal f) {
    VEC_PUSH(p->arena, list.items, list.n, list.cap, f);
    return list;
}

static Decl *new_decl(ParseCtx *p, DeclKind kind, Loc loc, const char *name) {
    Decl *d = arena_alloc(p->arena, sizeof *d);
    d->kind = kind;
    d->loc = loc;
    d->name = name ? name : "<missing name>";
    return d;
}

Decl *ast_model(ParseCtx *p, Loc loc, const char *name, StmtList body) {
    Decl *d = new_decl(p, DECL_MODEL, loc, name);
    d->body = body;
    return d;
}

Decl *ast_layer(ParseCtx *p, Loc loc, const char *name, FormalList formals, StmtList body) {
    Decl *d = new_decl(p, DECL_LAYER, loc, name);
    d->formals = formals;
    d->body = body;
    return d;
}

Decl *ast_const_decl(ParseCtx *p, Loc loc, const char *name, Expr *value) {
    Decl *d = new_decl(p, DECL_CONST, loc, name);
    d->value = value;
    p->depth_reported = false;
    return d;
}

void ast_program_add(ParseCtx *p, Decl *d) {
    VEC_PUSH(p->arena, p->prog->items, p->prog->n, p->prog->cap, d);
}

/* ---- the dump -------------------------------------------------------------- */

static void dump_number(FILE *out, const Expr *e) {
    if (e->is_int && fabs(e->num) < 1e18) {
        fprintf(out, "%.0f", e->num);
        return;
    }
    char buf[64];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(buf, sizeof buf, "%.*g", precision, e->num);
        if (strtod(buf, NULL) == e->num) break;
    }
    /* Plain decimals for the everyday range: 100.0 rather than 1e+02. */
    if (strchr(buf, 'e') && fabs(e->num) >= 1e-4 && fabs(e->num) < 1e15)
        for (int decimals = 1; decimals <= 20; decimals++) {
            snprintf(buf, sizeof buf, "%.*f", decimals, e->num);
            if (strtod(buf, NULL) == e->num) break;
        }
    fputs(buf, out);
    if (!strpbrk(buf, ".e")) fputs(".0", out);
}

static void dump_expr(FILE *out, const Expr *e);

static void dump_exprs(FILE *out, ExprList l, const char *sep_first) {
    for (int i = 0; i < l.n; i++) {
        if (i > 0 || sep_first) fputs(i > 0 ? " " : sep_first, out);
        dump_expr(out, l.items[i]);
    }
}

/* Recursion is bounded: builders keep every tree within PARSE_MAX_DEPTH. */
static void dump_expr(FILE *out, const Expr *e) {
    switch (e->kind) {
    case EX_NUMBER: dump_number(out, e); break;
    case EX_BOOL: fputs(e->boolean ? "true" : "false", out); break;
    case EX_NAME: fputs(e->name, out); break;
    case EX_ARRAY:
        fputc('[', out);
        dump_exprs(out, e->items, NULL);
        fputc(']', out);
        break;
    case EX_NEG:
        fputs("(neg ", out);
        dump_expr(out, e->lhs);
        fputc(')', out);
        break;
    case EX_BINARY:
        fprintf(out, "(%s ", ast_binop_text(e->binop));
        dump_expr(out, e->lhs);
        fputc(' ', out);
        dump_expr(out, e->rhs);
        fputc(')', out);
        break;
    case EX_INDEX:
        fputs("(index ", out);
        dump_expr(out, e->lhs);
        dump_exprs(out, e->items, " ");
        fputc(')', out);
        break;
    case EX_SLICE:   /* (slice START STOP STEP), _ for a bound left out */
        fputs("(slice", out);
        for (int i = 0; i < 3; i++) {
            fputc(' ', out);
            if (e->items.items[i]) dump_expr(out, e->items.items[i]);
            else fputc('_', out);
        }
        fputc(')', out);
        break;
    case EX_ELLIPSIS: fputs("...", out); break;
    case EX_CALL:
        fprintf(out, "(call %s", e->name);
        for (int i = 0; i < e->args.n; i++) {
            const Arg *a = &e->args.items[i];
            fputc(' ', out);
            if (a->key) fprintf(out, "%s=", a->key);
            dump_expr(out, a->value);
        }
        fputc(')', out);
        break;
    }
}

static void dump_type(FILE *out, const TypeExpr *t) {
    fprintf(out, "(%s", t->dtype == DT_I32 ? "i32" : t->dtype == DT_F32 ? "f32" : "?");
    dump_exprs(out, t->dims, " ");
    fputc(')', out);
}

static const char *const stmt_word[] = {
    [ST_CONST] = "const", [ST_INPUT] = "input", [ST_PARAM] = "param", [ST_BIND] = "bind",
    [ST_OUTPUT] = "output", [ST_LOSS] = "loss", [ST_OPTIMIZER] = "optimizer", [ST_RETURN] = "return",
    [ST_BUFFER] = "buffer", [ST_UPDATE] = "update",
    [ST_FOR] = "for",
};

/* A loop's body is indented one level deeper than the loop. */
static void dump_stmt(FILE *out, const Stmt *s, int depth) {
    fprintf(out, "\n%*s(%s", 2 * depth, "", stmt_word[s->kind]);
    if (s->name) fprintf(out, " %s", s->name);
    if (s->type) {
        fputc(' ', out);
        dump_type(out, s->type);
    }
    if (s->value) {
        fputc(' ', out);
        dump_expr(out, s->value);
    }
    if (s->shared) fputs(" shared", out);
    for (int i = 0; i < s->body.n; i++) dump_stmt(out, s->body.items[i], depth + 1);
    fputc(')', out);
}

static void dump_formal(FILE *out, const Formal *f) {
    fprintf(out, " (%s", f->name);
    if (f->type) {
        fputc(' ', out);
        dump_type(out, f->type);
    }
    if (f->def) {
        fputs(" default ", out);
        dump_expr(out, f->def);
    }
    fputc(')', out);
}

void ast_dump(FILE *out, const Program *prog) {
    for (int i = 0; i < prog->n; i++) {
        const Decl *d = prog->items[i];
        if (d->loc.file && strcmp(d->loc.file->path, "<prelude>") == 0) continue;
        switch (d->kind) {
        case DECL_CONST:
            fprintf(out, "(const %s ", d->name);
            dump_expr(out, d->value);
            break;
        case DECL_MODEL:
        case DECL_LAYER:
            fprintf(out, "(%s %s", d->kind == DECL_MODEL ? "model" : "layer", d->name);
            if (d->kind == DECL_LAYER) {
                fputs(" (formals", out);
                for (int k = 0; k < d->formals.n; k++) dump_formal(out, &d->formals.items[k]);
                fputc(')', out);
            }
            for (int k = 0; k < d->body.n; k++) dump_stmt(out, d->body.items[k], 1);
            break;
        }
        fputs(")\n", out);
    }
}
