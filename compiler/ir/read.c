/* read.c: the IR's text form (docs/ir.md, what print.c writes) read back
 * into models, for `dmc FILE.ir` and the pass tests of tests/passes.
 *
 * Needs: a SourceFile (its text NUL-terminated at size, possibly holding
 * other NULs).  Guarantees: models that pass every check of the verifier
 * (verify.c): each node's type is recomputed by graph_infer and must equal
 * the written one, operands are earlier nodes of the same graph, loads and
 * stores name tensors of the model, no tensor is stored twice or loaded after
 * its store, gradients belong to a parameter of their type, at most one
 * scalar loss.  print(read(print(m))) == print(m) for every model m.
 * Anything else is the user's mistake: one error, file:line:col with a caret
 * (diag.c), and reading stops; it never crashes or dies.
 *
 * Beyond what the printer writes, the reader accepts blank lines, comment
 * lines starting with '#' or ';' (so --dump-after output reads back), any
 * indentation, node labels %N that are increasing but not consecutive (a
 * node gets the next id, its label is only a name) and a parameter or state
 * tensor without `init` (zeros). */
#include "ir/ir.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LABEL = 1 << 24, MAX_DIM = 1 << 30 };

typedef struct Reader {
    Arena *a;
    Diag *d;
    const SourceFile *f;
    const char *p, *end;      /* the cursor and the end of the text */
    const char *line_start;
    int line;
    Models *out;
    Model *m;                 /* the model being read, or NULL before the first */
    Graph *g;                 /* the graph being read, or NULL before its first */
    int *labels, *ids;        /* g's node labels in increasing order, and their node ids */
    int nlabels, caplabels, capids;
    char *stored;             /* per tensor of m: stored in g */
    bool graphs_begun;        /* a graph line was read in m: no more tensors */
} Reader;

/* ---- the cursor ------------------------------------------------------------ */

static Loc loc_at(const Reader *r, const char *at, int len) {
    return (Loc){.file = r->f, .line = r->line, .col = (int)(at - r->line_start) + 1, .len = len > 0 ? len : 1};
}

static bool fail(Reader *r, const char *at, int len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool fail(Reader *r, const char *at, int len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_verror(r->d, loc_at(r, at, len), fmt, ap);
    va_end(ap);
    return false;
}

static bool at_eol(const Reader *r) {
    return r->p >= r->end || *r->p == '\n' || (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n');
}

static void skip_blanks(Reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t')) r->p++;
}

static bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '/';
}

/* The length of the token at the cursor, for a caret: a name, or one character. */
static int token_len(const Reader *r) {
    int n = 0;
    while (r->p + n < r->end && is_name_char(r->p[n])) n++;
    return n ? n : 1;
}

/* "'x'", "a NUL byte", "the end of the line" for "expected ..., found ...". */
static const char *found(Reader *r) {
    if (at_eol(r)) return "the end of the line";
    unsigned char c = (unsigned char)*r->p;
    if (c < 0x20 || c >= 0x7f) return arena_printf(r->a, "byte 0x%02x", c);
    return arena_printf(r->a, "'%.*s'", token_len(r), r->p);
}

static bool expected(Reader *r, const char *what) {
    return fail(r, r->p, token_len(r), "expected %s, found %s", what, found(r));
}

/* Past the blanks, at the end of the line: consume it. */
static bool end_line(Reader *r) {
    skip_blanks(r);
    if (!at_eol(r)) return expected(r, "the end of the line");
    if (r->p < r->end && *r->p == '\r') r->p++;
    if (r->p < r->end) r->p++;
    r->line++;
    r->line_start = r->p;
    return true;
}

static bool punct(Reader *r, char c) {
    skip_blanks(r);
    if (r->p < r->end && *r->p == c) { r->p++; return true; }
    return expected(r, arena_printf(r->a, "'%c'", c));
}

static bool peek(Reader *r, char c) {
    skip_blanks(r);
    return r->p < r->end && *r->p == c;
}

/* A name: letters, digits, '_', '.', '/'.  *at is where it starts. */
static bool name(Reader *r, const char *what, const char **out, const char **at) {
    skip_blanks(r);
    *at = r->p;
    const char *s = r->p;
    while (r->p < r->end && is_name_char(*r->p)) r->p++;
    if (r->p == s) return expected(r, what);
    *out = arena_strndup(r->a, s, (size_t)(r->p - s));
    return true;
}

/* The next word is `word` (then consumed). */
static bool next_is(Reader *r, const char *word) {
    skip_blanks(r);
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || strncmp(r->p, word, n) != 0) return false;
    if (r->p + n < r->end && is_name_char(r->p[n])) return false;
    r->p += n;
    return true;
}

/* A number as %.9g writes it (inf, -inf, nan, -nan included). */
static bool number(Reader *r, double *out) {
    skip_blanks(r);
    const char *s = r->p;
    char c = s < r->end ? *s : 0;
    bool start = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'i' || c == 'n';
    char *e = (char *)s;
    if (start) {
        errno = 0;
        *out = strtod(s, &e);
        if (errno == ERANGE && fabs(*out) > 1) e = (char *)s;   /* overflow; an underflow is a fine 0 */
    }
    if (e == s || e > r->end || (e < r->end && is_name_char(*e)))
        return expected(r, "a number");
    r->p = e;
    return true;
}

/* An integer in [lo, hi]. */
static bool integer(Reader *r, long long lo, long long hi, long long *out) {
    skip_blanks(r);
    const char *s = r->p;
    char *e = (char *)s;
    if (s < r->end && ((*s >= '0' && *s <= '9') || (*s == '-' && s + 1 < r->end && s[1] >= '0' && s[1] <= '9'))) {
        errno = 0;
        *out = strtoll(s, &e, 10);
    }
    if (e == s || (e < r->end && is_name_char(*e))) return expected(r, "an integer");
    if (errno == ERANGE || *out < lo || *out > hi)
        return fail(r, s, (int)(e - s), "%.*s is out of range (%lld to %lld)", (int)(e - s), s, lo, hi);
    r->p = e;
    return true;
}

static bool small_int(Reader *r, int lo, int hi, int *out) {
    long long v;
    if (!integer(r, lo, hi, &v)) return false;
    *out = (int)v;
    return true;
}

/* '[' ints ']' with exactly n of them (n < 0: any count up to max, count in *n_out). */
static bool int_list(Reader *r, int lo, int hi, int *v, int n, int max, int *n_out) {
    if (!punct(r, '[')) return false;
    int k = 0;
    const char *open = r->p - 1;
    while (!peek(r, ']')) {
        if (k && !punct(r, ',')) return false;
        if (k == (n >= 0 ? n : max)) return fail(r, r->p, token_len(r), "more than %d values in the list", k);
        if (!small_int(r, lo, hi, &v[k++])) return false;
    }
    r->p++;
    if (n >= 0 && k != n) return fail(r, open, (int)(r->p - open), "expected %d values, found %d", n, k);
    if (n_out) *n_out = k;
    return true;
}

/* '[' numbers ']' into a fresh array. */
static bool number_list(Reader *r, double **out, int64_t *count) {
    if (!punct(r, '[')) return false;
    double *v = NULL;
    int n = 0, cap = 0;
    while (!peek(r, ']')) {
        if (n && !punct(r, ',')) return false;
        double x;
        if (!number(r, &x)) return false;
        VEC_PUSH(r->a, v, n, cap, x);
    }
    r->p++;
    *out = v;
    *count = n;
    return true;
}

/* f32 | i32, then [d0, d1, ...] unless a scalar. */
static bool type(Reader *r, DType *t, Shape *s) {
    const char *word, *at;
    if (!name(r, "a type (f32 or i32)", &word, &at)) return false;
    if (strcmp(word, "f32") == 0) *t = DT_F32;
    else if (strcmp(word, "i32") == 0) *t = DT_I32;
    else return fail(r, at, (int)strlen(word), "expected a type (f32 or i32), found '%s'", word);
    *s = (Shape){0};
    if (r->p >= r->end || *r->p != '[') return true;
    int dims[MAX_RANK];
    const char *open = r->p;
    if (!int_list(r, 1, MAX_DIM, dims, -1, MAX_RANK, &s->rank)) return false;
    double count = 1;
    for (int i = 0; i < s->rank; i++) s->dim[i] = dims[i], count *= dims[i];
    if (count > (double)(1LL << 40))
        return fail(r, open, (int)(r->p - open), "%.0f elements is too many (the limit is 2^40)", count);
    return true;
}

/* ---- models and tensors ------------------------------------------------------- */

static const char *const tensor_kinds[] = {
    [TK_INPUT] = "input", [TK_OUTPUT] = "output", [TK_PARAM] = "param",
    [TK_GRAD] = "grad", [TK_STATE] = "state", [TK_LOSS] = "loss",
    [TK_BUFFER] = "buffer",
};
static const char *const init_kinds[] = {
    [INIT_ZEROS] = "zeros", [INIT_ONES] = "ones", [INIT_CONST] = "const", [INIT_LITERAL] = "literal",
    [INIT_UNIFORM] = "uniform", [INIT_NORMAL] = "normal", [INIT_XAVIER] = "xavier", [INIT_HE] = "he",
    [INIT_SEED] = "seed",
};
static const char *const graph_names[] = {"forward", "gradients", "apply", "train_step"};

/* The index of word in names[0..n), or -1. */
static int lookup(const char *word, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(word, names[i]) == 0) return i;
    return -1;
}

/* One of names[0..n) or an error listing them. */
static bool keyword(Reader *r, const char *what, const char *const *names, int n, int *out) {
    const char *word, *at;
    if (!name(r, what, &word, &at)) return false;
    *out = lookup(word, names, n);
    if (*out >= 0) return true;
    const char *list = "";
    for (int i = 0; i < n; i++)
        if (names[i]) list = arena_printf(r->a, "%s%s%s", list, *list ? ", " : "", names[i]);
    return fail(r, at, (int)strlen(word), "unknown %s '%s' (%s)", what, word, list);
}

static int find_tensor(const Model *m, const char *name) {
    for (int i = 0; i < m->ntensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0) return i;
    return -1;
}

/* A tensor of the model, by name, or an error with a suggestion. */
static bool tensor_ref(Reader *r, int *out) {
    const char *word, *at;
    if (!name(r, "a tensor name", &word, &at)) return false;
    *out = find_tensor(r->m, word);
    if (*out >= 0) return true;
    const char **names = arena_alloc(r->a, sizeof *names * (size_t)(r->m->ntensors + 1));
    for (int i = 0; i < r->m->ntensors; i++) names[i] = r->m->tensors[i].name;
    const char *near = diag_suggest(word, names, r->m->ntensors);
    return fail(r, at, (int)strlen(word), "model '%s' has no tensor '%s'%s%s%s", r->m->name, word,
                near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static bool is_c_identifier(const char *s) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* model NAME */
static bool model_line(Reader *r) {
    const char *word, *at;
    if (!name(r, "a model name", &word, &at)) return false;
    if (!is_c_identifier(word))
        return fail(r, at, (int)strlen(word), "a model name is a C identifier, not '%s'", word);
    for (int i = 0; i < r->out->n; i++)
        if (strcmp(r->out->items[i]->name, word) == 0)
            return fail(r, at, (int)strlen(word), "a second model named '%s'", word);
    Model *m = arena_alloc(r->a, sizeof *m);
    m->name = word;
    m->loc = loc_at(r, at, (int)strlen(word));
    m->loss_tensor = -1;
    m->opt.kind = OPT_NONE;
    for (int i = 0; i < 4; i++) {
        Graph *graphs[] = {&m->forward, &m->gradients, &m->apply, &m->train_step};
        graph_init(graphs[i], graph_names[i]);
    }
    VEC_PUSH(r->a, r->out->items, r->out->n, r->out->cap, m);
    r->m = m;
    r->g = NULL;
    r->graphs_begun = false;
    return end_line(r);
}

/* The arguments of an initialiser after its kind. */
static bool init_args(Reader *r, Tensor *t, const char *kind_at) {
    Init *in = &t->init;
    switch (in->kind) {
    case INIT_ZEROS: case INIT_ONES: case INIT_SEED: return true;
    case INIT_CONST: return number(r, &in->a);
    case INIT_LITERAL: {
        double *data;
        int64_t n;
        const char *open = (skip_blanks(r), r->p);
        if (!number_list(r, &data, &n)) return false;
        if (n != shape_count(t->shape))
            return fail(r, open, (int)(r->p - open), "%lld values for a tensor of %lld elements", (long long)n,
                        (long long)shape_count(t->shape));
        in->data = data;
        return true;
    }
    case INIT_UNIFORM: case INIT_NORMAL:
        return punct(r, '(') && number(r, &in->a) && punct(r, ',') && number(r, &in->b) && punct(r, ')');
    case INIT_XAVIER: case INIT_HE: {
        long long fan_in, fan_out;
        if (!next_is(r, "fan_in")) return expected(r, "fan_in=");
        if (!punct(r, '=') || !integer(r, 0, 1LL << 40, &fan_in)) return false;
        if (!next_is(r, "fan_out")) return expected(r, "fan_out=");
        if (!punct(r, '=') || !integer(r, 0, 1LL << 40, &fan_out)) return false;
        in->fan_in = fan_in, in->fan_out = fan_out;
        return true;
    }
    }
    return fail(r, kind_at, 1, "unknown initialiser");
}

/* tensor NAME KIND TYPE [init KIND ARGS] [of PARAM] */
static bool tensor_line(Reader *r, const char *kw) {
    if (!r->m) return fail(r, kw, 6, "a tensor outside a model (expected 'model NAME' first)");
    if (r->graphs_begun) return fail(r, kw, 6, "tensors come before the graphs of their model");
    Tensor t = {.param = -1};
    const char *at;
    if (!name(r, "a tensor name", &t.name, &at)) return false;
    t.loc = loc_at(r, at, (int)strlen(t.name));
    if (find_tensor(r->m, t.name) >= 0) return fail(r, at, (int)strlen(t.name), "a second tensor named '%s'", t.name);
    int kind;
    if (!keyword(r, "tensor kind", tensor_kinds, sizeof tensor_kinds / sizeof tensor_kinds[0], &kind)) return false;
    t.kind = (TensorKind)kind;
    if (!type(r, &t.dtype, &t.shape)) return false;
    if (next_is(r, "init")) {
        const char *init_at = r->p - 4;
        if (t.kind != TK_PARAM && t.kind != TK_STATE && t.kind != TK_BUFFER)
            return fail(r, init_at, 4, "only a param, buffer or state tensor has an initialiser");
        int ik;
        const char *kind_at = (skip_blanks(r), r->p);
        if (!keyword(r, "initialiser", init_kinds, sizeof init_kinds / sizeof init_kinds[0], &ik)) return false;
        t.init.kind = (InitKind)ik;
        if (!init_args(r, &t, kind_at)) return false;
    }
    if (next_is(r, "of")) {
        const char *of_at = r->p - 2;
        if (t.kind != TK_GRAD && t.kind != TK_STATE)
            return fail(r, of_at, 2, "only a grad or state tensor belongs to a parameter ('of')");
        const char *pat = (skip_blanks(r), r->p);
        if (!tensor_ref(r, &t.param)) return false;
        const Tensor *p = &r->m->tensors[t.param];
        if (p->kind != TK_PARAM) return fail(r, pat, (int)strlen(p->name), "'%s' is not a param", p->name);
        if (t.kind == TK_GRAD && (p->dtype != t.dtype || !shape_eq(p->shape, t.shape)))
            return fail(r, at, (int)strlen(t.name), "gradient %s is %s, its param %s is %s", t.name,
                        shape_str(r->a, t.dtype, t.shape), p->name, shape_str(r->a, p->dtype, p->shape));
    } else if (t.kind == TK_GRAD) {
        return fail(r, at, (int)strlen(t.name), "gradient %s needs 'of PARAM'", t.name);
    }
    if (t.kind == TK_LOSS) {
        if (r->m->loss_tensor >= 0) return fail(r, at, (int)strlen(t.name), "a second loss tensor");
        if (t.shape.rank != 0 || t.dtype != DT_F32)
            return fail(r, at, (int)strlen(t.name), "the loss is an f32 scalar, not %s", shape_str(r->a, t.dtype, t.shape));
        r->m->loss_tensor = r->m->ntensors;
    }
    model_add_tensor(r->a, r->m, t);
    return end_line(r);
}

/* optimizer KIND key=value ... [nesterov] */
static bool optimizer_line(Reader *r, const char *kw) {
    if (!r->m) return fail(r, kw, 9, "an optimizer outside a model");
    Optimizer *o = &r->m->opt;
    if (o->kind != OPT_NONE) return fail(r, kw, 9, "a second optimizer");
    static const char *const kinds[] = {[OPT_SGD] = "sgd", [OPT_ADAM] = "adam", [OPT_ADAMW] = "adamw"};
    int kind;
    if (!keyword(r, "optimizer", kinds, 4, &kind)) return false;
    o->kind = (OptKind)kind;
    o->loc = loc_at(r, kw, 9);
    static const char *const sgd_keys[] = {"lr", "momentum", "dampening", "weight_decay"};
    static const char *const adam_keys[] = {"lr", "beta1", "beta2", "eps", "weight_decay"};
    const char *const *keys = kind == OPT_SGD ? sgd_keys : adam_keys;
    int nkeys = kind == OPT_SGD ? 4 : 5;
    double *slot[] = {&o->lr, kind == OPT_SGD ? &o->momentum : &o->beta1, kind == OPT_SGD ? &o->dampening : &o->beta2,
                      kind == OPT_SGD ? &o->weight_decay : &o->eps, &o->weight_decay};
    bool given[5] = {0};
    skip_blanks(r);
    while (!at_eol(r)) {
        const char *key, *at;
        if (!name(r, "an optimizer setting", &key, &at)) return false;
        if (kind == OPT_SGD && strcmp(key, "nesterov") == 0) { o->nesterov = true; skip_blanks(r); continue; }
        int k = lookup(key, keys, nkeys);
        if (k < 0) return fail(r, at, (int)strlen(key), "optimizer %s has no setting '%s'", kinds[kind], key);
        if (given[k]) return fail(r, at, (int)strlen(key), "%s is given twice", key);
        if (!punct(r, '=') || !number(r, slot[k])) return false;
        given[k] = true;
        skip_blanks(r);
    }
    for (int k = 0; k < nkeys; k++)
        if (!given[k]) return fail(r, kw, 9, "optimizer %s needs %s=", kinds[kind], keys[k]);
    return end_line(r);
}

/* graph ENTRY */
static bool graph_line(Reader *r, const char *kw) {
    if (!r->m) return fail(r, kw, 5, "a graph outside a model");
    int e;
    const char *at = (skip_blanks(r), r->p);
    if (!keyword(r, "graph", graph_names, 4, &e)) return false;
    Graph *graphs[] = {&r->m->forward, &r->m->gradients, &r->m->apply, &r->m->train_step};
    Graph *g = graphs[e];
    if (g->n > 0 || g == r->g) return fail(r, at, (int)strlen(graph_names[e]), "a second %s graph", graph_names[e]);
    r->g = g;
    r->graphs_begun = true;
    r->nlabels = 0;
    r->stored = arena_alloc(r->a, (size_t)r->m->ntensors + 1);
    return end_line(r);
}

/* ---- nodes ---------------------------------------------------------------------- */

/* The attributes each op takes, in the printer's order (print.c: print_attrs). */
typedef enum { AT_NONE, AT_RATE, AT_SALT, AT_AXES, AT_KEEPDIMS, AT_PERM, AT_TRANS_A, AT_TRANS_B, AT_AXIS,
               AT_STRIDE, AT_PAD, AT_SIZE, AT_CLASSES, AT_IGNORE, AT_START, AT_STEP, AT_EPS, AT_COUNT } AttrKey;
static const char *const attr_names[AT_COUNT] = {
    [AT_RATE] = "rate", [AT_SALT] = "salt", [AT_AXES] = "axes", [AT_KEEPDIMS] = "keepdims",
    [AT_PERM] = "perm", [AT_TRANS_A] = "trans_a", [AT_TRANS_B] = "trans_b", [AT_AXIS] = "axis",
    [AT_STRIDE] = "stride", [AT_PAD] = "pad", [AT_SIZE] = "size", [AT_CLASSES] = "classes",
    [AT_IGNORE] = "ignore",
    [AT_START] = "start", [AT_STEP] = "step", [AT_EPS] = "eps",
};
static bool attr_is_flag(AttrKey k) { return k == AT_KEEPDIMS || k == AT_TRANS_A || k == AT_TRANS_B; }
/* given or not, as the flags, but with a value */
static bool attr_is_optional(AttrKey k) { return attr_is_flag(k) || k == AT_IGNORE; }

typedef struct OpAttrs { AttrKey key[3]; } OpAttrs;
static const OpAttrs op_attrs[OP_COUNT] = {
    [OP_RANDOM_MASK] = {{AT_RATE, AT_SALT}},
    [OP_SUM] = {{AT_AXES, AT_KEEPDIMS}}, [OP_MEAN] = {{AT_AXES, AT_KEEPDIMS}}, [OP_MAX] = {{AT_AXES, AT_KEEPDIMS}},
    [OP_TRANSPOSE] = {{AT_PERM}},
    [OP_MATMUL] = {{AT_TRANS_A, AT_TRANS_B}},
    [OP_SOFTMAX] = {{AT_AXIS}}, [OP_LOG_SOFTMAX] = {{AT_AXIS}},
    [OP_LAYER_NORM] = {{AT_AXIS, AT_EPS}}, [OP_LAYER_NORM_DX] = {{AT_AXIS, AT_EPS}},
    [OP_CONV2D] = {{AT_STRIDE, AT_PAD}}, [OP_CONV2D_DX] = {{AT_STRIDE, AT_PAD}}, [OP_CONV2D_DW] = {{AT_STRIDE, AT_PAD}},
    [OP_MAXPOOL2D] = {{AT_SIZE, AT_STRIDE}}, [OP_MAXPOOL2D_DX] = {{AT_SIZE, AT_STRIDE}},
    [OP_AVGPOOL2D] = {{AT_SIZE, AT_STRIDE}}, [OP_AVGPOOL2D_DX] = {{AT_SIZE, AT_STRIDE}},
    [OP_ONE_HOT] = {{AT_CLASSES}},
    [OP_SCE] = {{AT_IGNORE}}, [OP_SCE_DX] = {{AT_IGNORE}},
    [OP_SLICE] = {{AT_START, AT_STEP}}, [OP_SLICE_DX] = {{AT_START, AT_STEP}}, [OP_CONCAT] = {{AT_AXIS}},
};

/* The value of attribute k after its '='. */
static bool attr_value(Reader *r, AttrKey k, Attr *at) {
    switch (k) {
    case AT_RATE: case AT_EPS: return number(r, &at->value);
    case AT_SALT: {
        long long v;
        if (!integer(r, 0, UINT32_MAX, &v)) return false;
        at->salt = (uint32_t)v;
        return true;
    }
    case AT_AXES: {
        int axes[MAX_RANK], n;
        if (!int_list(r, 0, MAX_RANK - 1, axes, -1, MAX_RANK, &n)) return false;
        for (int i = 0; i < n; i++) at->axes |= 1u << axes[i];
        return true;
    }
    case AT_PERM: {   /* its length is checked against the operand's rank by graph_infer's caller */
        int n;
        for (int i = 0; i < MAX_RANK; i++) at->perm[i] = -1;
        return int_list(r, 0, MAX_RANK - 1, at->perm, -1, MAX_RANK, &n);
    }
    case AT_AXIS: return small_int(r, 0, MAX_RANK - 1, &at->axis);
    case AT_STRIDE: return int_list(r, 1, MAX_DIM, at->stride, 2, 2, NULL);
    case AT_PAD: return int_list(r, 0, MAX_DIM, at->pad, 2, 2, NULL);
    case AT_SIZE: return int_list(r, 1, MAX_DIM, at->size, 2, 2, NULL);
    case AT_CLASSES: return small_int(r, 1, MAX_DIM, &at->classes);
    case AT_IGNORE: {
        long long v;
        if (!integer(r, INT32_MIN, INT32_MAX, &v)) return false;
        at->has_ignore = true, at->ignore = (int32_t)v;
        return true;
    }
    case AT_START: case AT_STEP: {   /* one per dimension: checked with the type (node_line) */
        int n, *v = k == AT_START ? at->start : at->step;
        for (int i = 0; i < MAX_RANK; i++) v[i] = -1;
        return int_list(r, k == AT_START ? 0 : 1, MAX_DIM, v, -1, MAX_RANK, &n);
    }
    case AT_KEEPDIMS: at->keepdims = true; return true;
    case AT_TRANS_A: at->trans_a = true; return true;
    case AT_TRANS_B: at->trans_b = true; return true;
    case AT_NONE: case AT_COUNT: break;
    }
    return false;
}

/* A unary op's parameters, NAME=VALUE as ops.def names them and print.c
 * writes them (leaky_relu's alpha ...): each once, every one required. */
static bool unary_parameters(Reader *r, Op op, Attr *at, const char *op_at) {
    const OpInfo *in = &op_info[op];
    bool given[2] = {false, false};
    while (!peek(r, ':')) {
        if (at_eol(r)) return expected(r, "':' and the type");
        const char *key, *kat;
        if (!name(r, "an attribute or ':'", &key, &kat)) return false;
        int k = -1;
        for (int i = 0; i < in->nparams; i++)
            if (strcmp(key, in->param[i]) == 0) k = i;
        if (k < 0) return fail(r, kat, (int)strlen(key), "%s has no attribute '%s'", in->name, key);
        if (given[k]) return fail(r, kat, (int)strlen(key), "%s is given twice", key);
        given[k] = true;
        if (!punct(r, '=') || !number(r, k ? &at->value2 : &at->value)) return false;
    }
    for (int i = 0; i < in->nparams; i++)
        if (!given[i]) return fail(r, op_at, (int)strlen(in->name), "%s needs %s=", in->name, in->param[i]);
    return true;
}

/* The attributes of op up to the ':' of the type: each at most once, every
 * one that is not a flag required. */
static bool attributes(Reader *r, Op op, Attr *at, const char *op_at) {
    if (op_info[op].cls == OC_UNARY) return unary_parameters(r, op, at, op_at);
    const OpAttrs *spec = &op_attrs[op];
    bool given[AT_COUNT] = {0};
    while (!peek(r, ':')) {
        if (at_eol(r)) return expected(r, "':' and the type");
        const char *key, *kat;
        if (!name(r, "an attribute or ':'", &key, &kat)) return false;
        int k = lookup(key, attr_names, AT_COUNT), slot = -1;
        for (int i = 0; i < 3 && k > 0; i++)
            if (spec->key[i] == (AttrKey)k) slot = i;
        if (slot < 0) return fail(r, kat, (int)strlen(key), "%s has no attribute '%s'", op_info[op].name, key);
        if (given[k]) return fail(r, kat, (int)strlen(key), "%s is given twice", key);
        given[k] = true;
        if (!attr_is_flag((AttrKey)k) && !punct(r, '=')) return false;
        if (!attr_value(r, (AttrKey)k, at)) return false;
    }
    for (int i = 0; i < 3; i++)
        if (spec->key[i] != AT_NONE && !attr_is_optional(spec->key[i]) && !given[spec->key[i]])
            return fail(r, op_at, (int)strlen(op_info[op].name), "%s needs %s=", op_info[op].name,
                        attr_names[spec->key[i]]);
    return true;
}

/* %LABEL: a node defined earlier in this graph. */
static bool operand(Reader *r, int *id) {
    skip_blanks(r);
    const char *at = r->p;
    if (r->p >= r->end || *r->p != '%') return expected(r, "an operand %N");
    r->p++;
    long long v;
    if (!integer(r, 0, MAX_LABEL - 1, &v)) return false;
    int lo = 0, hi = r->nlabels;   /* binary search: the labels increase */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (r->labels[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    if (lo == r->nlabels || r->labels[lo] != v)
        return fail(r, at, (int)(r->p - at), "%%%lld is not a node defined above", v);
    *id = r->ids[lo];
    return true;
}

/* `    # NAME` after a node: the rest of the line. */
static bool node_name(Reader *r, Node *n) {
    if (!peek(r, '#')) return true;
    r->p++;
    skip_blanks(r);
    const char *s = r->p;
    for (; !at_eol(r); r->p++)
        if (*r->p == '\0') return fail(r, r->p, 1, "a NUL byte in a node name");
    const char *e = r->p;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    if (e > s) n->name = arena_strndup(r->a, s, (size_t)(e - s));
    return true;
}

/* Type-check n as the verifier does and append it. */
static bool add_node(Reader *r, Node *n, const char *at, int len) {
    DType t;
    Shape s;
    const char *why = graph_infer(r->m, r->g, n, &t, &s);
    if (why) return fail(r, at, len, "%s: %s", op_info[n->op].name, why);
    if (n->op == OP_STORE) {
        n->dtype = t, n->shape = s;
    } else if (t != n->dtype || !shape_eq(s, n->shape)) {
        return fail(r, at, len, "%s: the type is written %s, the rules say %s", op_info[n->op].name,
                    shape_str(r->a, n->dtype, n->shape), shape_str(r->a, t, s));
    }
    if (n->op == OP_LOAD && r->stored[n->attr.tensor])
        return fail(r, at, len, "load of %s after its store", r->m->tensors[n->attr.tensor].name);
    if (n->op == OP_STORE && r->stored[n->attr.tensor]++)
        return fail(r, at, len, "a second store to %s", r->m->tensors[n->attr.tensor].name);
    graph_add(r->a, r->g, *n);
    return true;
}

/* store TENSOR, %VALUE */
static bool store_line(Reader *r, const char *kw) {
    if (!r->g) return fail(r, kw, 5, "a node outside a graph (expected 'graph ENTRY' first)");
    Node n = {.op = OP_STORE, .nin = 1, .loc = loc_at(r, kw, 5)};
    if (!tensor_ref(r, &n.attr.tensor) || !punct(r, ',') || !operand(r, &n.in[0]) || !node_name(r, &n)) return false;
    return add_node(r, &n, kw, 5) && end_line(r);
}

/* The data of a leaf after its op: load TENSOR, const VALUE, literal [..]. */
static bool leaf_data(Reader *r, Node *n, int64_t *literal_count) {
    if (n->op == OP_LOAD) return tensor_ref(r, &n->attr.tensor);
    if (n->op == OP_CONST) return number(r, &n->attr.value);
    if (n->op == OP_LITERAL) {
        double *data;
        if (!number_list(r, &data, literal_count)) return false;
        n->attr.data = data;
    }
    return true;
}

/* %LABEL = OP [leaf data] [%A, ...] [attributes] : TYPE [# NAME] */
static bool node_line(Reader *r, const char *kw) {
    if (!r->g) return fail(r, kw, 1, "a node outside a graph (expected 'graph ENTRY' first)");
    long long label;
    r->p = kw + 1;
    if (!integer(r, 0, MAX_LABEL - 1, &label)) return false;
    int label_len = (int)(r->p - kw);
    if (r->nlabels && label <= r->labels[r->nlabels - 1])
        return fail(r, kw, label_len, "%%%lld after %%%d: the labels of a graph increase", label,
                    r->labels[r->nlabels - 1]);
    if (!punct(r, '=')) return false;
    const char *op_word, *op_at;
    if (!name(r, "an op", &op_word, &op_at)) return false;
    int op = -1;
    for (int i = 0; i < OP_COUNT; i++)
        if (strcmp(op_info[i].name, op_word) == 0) op = i;
    int op_len = (int)strlen(op_word);
    if (op < 0) {
        const char *names[OP_COUNT];
        for (int i = 0; i < OP_COUNT; i++) names[i] = op_info[i].name;
        const char *near = diag_suggest(op_word, names, OP_COUNT);
        return fail(r, op_at, op_len, "unknown op '%s'%s%s%s", op_word, near ? " (did you mean '" : "",
                    near ? near : "", near ? "'?)" : "");
    }
    if (op == OP_STORE) return fail(r, op_at, op_len, "a store has no value: write 'store TENSOR, %%VALUE'");
    Node n = {.op = (Op)op, .loc = loc_at(r, kw, label_len)};
    int64_t literal_count = 0;
    if (!leaf_data(r, &n, &literal_count)) return false;
    bool more = peek(r, '%');
    while (more) {
        if (n.nin == NODE_MAX_IN) return fail(r, r->p, 1, "more than %d operands", NODE_MAX_IN);
        if (!operand(r, &n.in[n.nin++])) return false;
        more = peek(r, ',');
        if (more) r->p++;
    }
    if (op_info[op].arity >= 0 && n.nin != op_info[op].arity)
        return fail(r, op_at, op_len, "%s takes %d operand%s, found %d", op_word, op_info[op].arity,
                    op_info[op].arity == 1 ? "" : "s", n.nin);
    if (!attributes(r, n.op, &n.attr, op_at) || !punct(r, ':')) return false;
    const char *type_at = (skip_blanks(r), r->p);
    if (!type(r, &n.dtype, &n.shape)) return false;
    int type_len = (int)(r->p - type_at);
    if (n.op == OP_LITERAL && literal_count != shape_count(n.shape))
        return fail(r, type_at, type_len, "a literal of %lld values has type %s", (long long)literal_count,
                    shape_str(r->a, n.dtype, n.shape));
    if (n.op == OP_TRANSPOSE)
        for (int i = 0; i < MAX_RANK; i++)
            if ((i < n.shape.rank) != (n.attr.perm[i] >= 0))
                return fail(r, op_at, op_len, "transpose: perm= has not one entry per dimension of %s",
                            shape_str(r->a, n.dtype, n.shape));
    if (n.op == OP_SLICE || n.op == OP_SLICE_DX)
        for (int i = 0; i < MAX_RANK; i++) {
            if ((i < n.shape.rank) != (n.attr.start[i] >= 0) || (i < n.shape.rank) != (n.attr.step[i] >= 0))
                return fail(r, op_at, op_len, "%s: start= and step= have not one entry per dimension of %s",
                            op_word, shape_str(r->a, n.dtype, n.shape));
            if (i >= n.shape.rank) n.attr.start[i] = n.attr.step[i] = 0;
        }
    if (!node_name(r, &n) || !add_node(r, &n, op_at, op_len)) return false;
    int nids = r->nlabels;
    VEC_PUSH(r->a, r->labels, r->nlabels, r->caplabels, (int)label);
    VEC_PUSH(r->a, r->ids, nids, r->capids, r->g->n - 1);
    return end_line(r);
}

/* ---- the file ---------------------------------------------------------------- */

static bool line(Reader *r) {
    skip_blanks(r);
    if (at_eol(r)) return end_line(r);
    const char *kw = r->p;
    if (*kw == '#' || *kw == ';') {
        while (!at_eol(r)) r->p++;
        return end_line(r);
    }
    if (*kw == '%') return node_line(r, kw);
    if (next_is(r, "model")) return model_line(r);
    if (next_is(r, "tensor")) return tensor_line(r, kw);
    if (next_is(r, "optimizer")) return optimizer_line(r, kw);
    if (next_is(r, "graph")) return graph_line(r, kw);
    if (next_is(r, "store")) return store_line(r, kw);
    return expected(r, "'model', 'tensor', 'optimizer', 'graph', a node '%N = ...' or 'store'");
}

bool ir_read(Arena *a, Diag *d, const SourceFile *file, Models *out) {
    Reader r = {.a = a, .d = d, .f = file, .p = file->text, .end = file->text + file->size, .line = 1, .out = out};
    r.line_start = r.p;
    int before = out->n;
    while (r.p < r.end)
        if (!line(&r)) return false;
    if (out->n == before) {
        diag_error(d, (Loc){.file = file, .line = r.line, .col = 1, .len = 1}, "no model in %s (expected 'model NAME')",
                   file->path);
        return false;
    }
    return true;
}
