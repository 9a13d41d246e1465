/* difftest.c: the differential test of the back end.  Compiles every model
 * of a .dm file to a native object with cg_emit, links it into a shared
 * object (cc -shared), loads it, and runs each entry (forward, gradients,
 * apply, train_step twice) on an instance of libdmrt and, from the same
 * starting values, on the reference interpreter (interp_run).  Every tensor
 * of the model is compared after every entry.
 *
 *   difftest [-O LEVEL] [--cpu NAME] [--seed N] [--rtol X] [--threads N] [--bad-labels] [--special] [-v] FILE.dm
 *
 * --cpu compiles for that CPU of the host's architecture (dmc's --cpu), which
 * must run on the host: the kernels' register tiles of narrower machines.
 *
 * Params keep their initialiser's values (dm_new) plus uniform noise in
 * [-0.1, 0.1] (so zero biases are not zero); f32 inputs are uniform in
 * [-1, 1]; an i32
 * input gets labels in [0, K) where K is the class count of the loss,
 * one_hot or gather that reads it (the fewest; else [0, 2)); with --bad-labels in [-2, K + 2), so
 * that out-of-range labels are compared too; with --special half the f32
 * values are NaN, infinities, signed zeros, huge or tiny (special_value), and
 * non-finite results must then agree exactly: where the interpreter refuses
 * an entry (DM_ERANGE), the compiled entry must return the same code, end its
 * message with the interpreter's and, like it, change no tensor.  Elements
 * agree when
 *   |compiled - reference| <= rtol * (|reference| + 1e-3 * max|reference|) + 1e-6
 * (i32 tensors: exactly; after a train step, parameters and optimizer state
 * also within 10% of the largest change the step made to the tensor, see
 * compare) * (rtol 1e-4 by default: f32 against the interpreter's doubles).
 * Exit status 0 when everything agrees, 1 on a mismatch, 2 on setup errors. */
#include "cg/cg.h"
#include "dm.h"

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng_state = 88172645463325252ULL;
static double uniform(void) {   /* xorshift64: a test's private generator */
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* --special: NaN, infinities, signed zeros, huge and tiny numbers, exp's
 * overflow and underflow edges (docs/language.md, "Numbers").  Huge is 1e18:
 * its products stay in range, since a product that overflows inside a
 * kernel's fused multiply-add (matmul, conv2d) is not rounded to infinity. */
static float special_value(void) {
    static const float v[] = {NAN, INFINITY, -INFINITY, -0.0f, 0.0f, 1e18f, -1e18f, 1e-40f, 88.5f, 89.0f, -100.0f, -104.0f};
    return v[(int)(uniform() * (sizeof v / sizeof v[0]))];
}

/* The loss's ignored label, if a loss that reads tensor has one. */
static bool tensor_ignore(const Model *m, int tensor, int32_t *ignore) {
    const Graph *g = &m->forward;
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        if (n->op != OP_SCE || !n->attr.has_ignore) continue;
        int x = n->in[1];
        while (g->nodes[x].op == OP_RESHAPE || g->nodes[x].op == OP_CAST) x = g->nodes[x].in[0];
        if (g->nodes[x].op == OP_LOAD && g->nodes[x].attr.tensor == tensor) { *ignore = n->attr.ignore; return true; }
    }
    return false;
}

/* The fewest classes among the readers of the i32 tensor (labels, a gather's
 * ids: ir/labels.c), so that its values suit every reader; 2 if none. */
static int tensor_classes(const Model *m, int tensor) {
    const Graph *g = &m->forward;
    int64_t fewest = 0;
    for (int i = 0; i < g->n; i++) {
        const Node *n = &g->nodes[i];
        int x = label_operand(n);
        if (x < 0) continue;
        while (g->nodes[x].op == OP_RESHAPE || g->nodes[x].op == OP_CAST) x = g->nodes[x].in[0];
        if (g->nodes[x].op != OP_LOAD || g->nodes[x].attr.tensor != tensor) continue;
        int64_t k = label_classes(g, n);
        if (fewest == 0 || k < fewest) fewest = k;
    }
    return fewest ? (int)fewest : 2;
}

static void *tensor_ptr(dm_model *dm, const Tensor *t) {
    void *p = dm_data(dm, t->name);
    if (!p) { fprintf(stderr, "difftest: the runtime does not know tensor %s\n", t->name); exit(2); }
    return p;
}

static void to_store(dm_model *dm, const Model *m, TensorStore *s) {
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[i];
        void *p = tensor_ptr(dm, t);
        for (int64_t k = 0; k < shape_count(t->shape); k++)
            s->values[i][k] = t->dtype == DT_F32 ? (double)((float *)p)[k] : (double)((int32_t *)p)[k];
    }
}

/* before: the values every tensor had when the entry started. */
static int compare(dm_model *dm, const Model *m, TensorStore *s, TensorStore *before, const char *entry, double rtol,
                   bool verbose) {
    int bad = 0;
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[i];
        void *p = tensor_ptr(dm, t);
        int64_t n = shape_count(t->shape), worst = -1;
        double scale = 0, worst_err = 0, step = 0;
        for (int64_t k = 0; k < n; k++)   /* the finite values' scale: an infinity must not excuse them */
            if (isfinite(s->values[i][k])) scale = fmax(scale, fabs(s->values[i][k]));
        /* In a train step, an optimizer that normalises the gradient (Adam)
         * moves an element whose gradient is nearly 0 (relative to the
         * tensor's: its f32 rounding error is then a large part of it) by a
         * noisy fraction of the step: parameters and state may differ by 10%
         * of the largest change the step made to the tensor.  apply, which
         * starts from the same gradients, gets no such allowance. */
        if ((t->kind == TK_PARAM || t->kind == TK_STATE) && strcmp(entry, "train_step") == 0)
            for (int64_t k = 0; k < n; k++)
                if (isfinite(s->values[i][k] - before->values[i][k]))
                    step = fmax(step, fabs(s->values[i][k] - before->values[i][k]));
        for (int64_t k = 0; k < n; k++) {
            double ref = s->values[i][k], got = t->dtype == DT_F32 ? (double)((float *)p)[k] : (double)((int32_t *)p)[k];
            if ((isnan(ref) && isnan(got)) || got == ref) continue;   /* NaNs, equal infinities */
            double err = fabs(got - ref), tol = t->dtype == DT_F32 ? rtol * (fabs(ref) + 1e-3 * scale) + 1e-6 + 0.1 * step : 0;
            if (!(err <= tol) && (worst < 0 || err / tol > worst_err)) worst = k, worst_err = err / tol;
        }
        if (worst >= 0) {
            double got = t->dtype == DT_F32 ? (double)((float *)p)[worst] : (double)((int32_t *)p)[worst];
            fprintf(stderr, "MISMATCH %s after %s: element %lld: compiled %.9g, reference %.9g (%.3g x tolerance)\n",
                    t->name, entry, (long long)worst, got, s->values[i][worst], worst_err);
            bad++;
        } else if (verbose) {
            fprintf(stderr, "  ok %s after %s (%lld elements)\n", t->name, entry, (long long)n);
        }
    }
    return bad;
}

static Models *load_models(Arena *a, const char *path, const Defines *defs) {
    Diag diag = {.max_errors = 20, .out = stderr};
    Program prog = {0};
    SourceFile *prelude = source_from_string(a, "<prelude>", prelude_source);
    if (!parse_file(a, &diag, prelude, &prog)) die("the prelude does not parse");
    SourceFile *file = source_read(a, path);
    if (!file) { fprintf(stderr, "difftest: cannot read %s: %s\n", path, strerror(errno)); exit(2); }
    Models *models = arena_alloc(a, sizeof *models);
    if (!parse_file(a, &diag, file, &prog) || !sema_program(a, &diag, &prog, defs, NULL, models)) {
        diag_finish(&diag);
        exit(2);
    }
    for (int i = 0; i < models->n; i++) {
        Model *m = models->items[i];
        bool train = m->loss_tensor >= 0;
        if (train) autodiff_model(a, m), optim_model(a, m);
        entries_finish(a, m, train);
        Graph *graphs[] = {&m->forward, &m->gradients, &m->apply, &m->train_step};
        for (int k = 0; k < 4; k++)
            if (graphs[k]->n) simplify_graph(a, m, graphs[k]);
    }
    return models;
}

static int run_model(Arena *a, const Model *m, void *so, double rtol, int threads, bool bad_labels, bool special,
                     bool verbose) {
    const dm_model_desc *d = dlsym(so, arena_printf(a, "%s_model", m->name));
    if (!d) { fprintf(stderr, "difftest: no symbol %s_model\n", m->name); return 2; }
    if (d->ntensors != m->ntensors) { fprintf(stderr, "difftest: %s: descriptor has %d tensors, model %d\n", m->name, d->ntensors, m->ntensors); return 1; }
    dm_model *dm = dm_new(d, 42);
    if (!dm) { fprintf(stderr, "difftest: dm_new: %s\n", dm_last_error()); return 2; }
    if (threads > 1 && dm_set_threads(dm, threads) != 0) { fprintf(stderr, "difftest: %s\n", dm_last_error()); return 2; }
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[i];
        if (t->kind != TK_PARAM && t->kind != TK_BUFFER && t->kind != TK_INPUT) continue;
        void *p = tensor_ptr(dm, t);
        int32_t ignore = 0;
        bool has_ignore = t->dtype == DT_I32 && tensor_ignore(m, i, &ignore);
        int classes = t->dtype == DT_F32 ? 0 : tensor_classes(m, i);
        for (int64_t k = 0; k < shape_count(t->shape); k++) {
            if (t->dtype == DT_F32 && t->kind != TK_INPUT) ((float *)p)[k] += (float)(0.2 * uniform() - 0.1);
            else if (t->dtype == DT_F32) ((float *)p)[k] = (float)(2 * uniform() - 1);
            else if (bad_labels) ((int32_t *)p)[k] = (int32_t)(uniform() * (classes + 4)) - 2;
            else ((int32_t *)p)[k] = (int32_t)(uniform() * classes);
            if (special && t->dtype == DT_F32 && uniform() < 0.5) ((float *)p)[k] = special_value();
            if (has_ignore && uniform() < 0.25) ((int32_t *)p)[k] = ignore;   /* a quarter ignored */
        }
    }
    TensorStore *s = store_new(a, m), *before = store_new(a, m);
    static const char *names[] = {"forward", "gradients", "apply", "train_step", "train_step"};
    const Graph *graphs[] = {&m->forward, &m->gradients, &m->apply, &m->train_step, &m->train_step};
    int bad = 0;
    for (int e = 0; e < 5; e++) {
        if (!graphs[e]->n) continue;
        to_store(dm, m, s);
        to_store(dm, m, before);
        int want = interp_run(a, m, graphs[e], s);
        float loss;
        int rc = e == 0 ? dm_forward(dm) : e == 1 ? dm_gradients(dm, &loss) : e == 2 ? dm_apply(dm)
                                                                                   : dm_train_step(dm, &loss);
        if (want != 0) {   /* refused: the same code and message, and no tensor changed (compare with s) */
            const char *got = dm_last_error();
            size_t n = strlen(got), k = strlen(s->error);
            if (rc != want || n < k || strcmp(got + n - k, s->error) != 0) {
                fprintf(stderr, "MISMATCH %s: %s: the interpreter refused with %d (%s), compiled code returned %d (%s)\n",
                        m->name, names[e], want, s->error, rc, rc ? got : "");
                bad++;
            } else if (verbose) {
                fprintf(stderr, "  ok %s refused: %s\n", names[e], got);
            }
            bad += compare(dm, m, s, before, names[e], rtol, verbose);
            continue;
        }
        if (rc != 0) { fprintf(stderr, "difftest: %s: %s: %s\n", m->name, names[e], dm_last_error()); bad++; continue; }
        bad += compare(dm, m, s, before, names[e], rtol, verbose);
    }
    dm_free(dm);
    return bad ? 1 : 0;
}

int main(int argc, char **argv) {
    Options o = {.emit = EMIT_OBJ, .opt_level = 2};
    double rtol = 1e-4;
    bool verbose = false, bad_labels = false, special = false;
    int threads = 1;
    const char *path = NULL;
    Arena *a = arena_new();
    Defines defs = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-O") == 0 && i + 1 < argc) o.opt_level = atoi(argv[++i]);
        else if (strncmp(argv[i], "-O", 2) == 0 && argv[i][2]) o.opt_level = atoi(argv[i] + 2);
        else if (strcmp(argv[i], "--cpu") == 0 && i + 1 < argc) o.cpu = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) rng_state = strtoull(argv[++i], NULL, 10) | 1;
        else if (strcmp(argv[i], "--rtol") == 0 && i + 1 < argc) rtol = atof(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "-D") == 0 && i + 1 < argc && strchr(argv[i + 1], '=')) {
            const char *d = argv[++i], *eq = strchr(d, '=');
            Define def = {arena_strndup(a, d, (size_t)(eq - d)), eq + 1, false};
            VEC_PUSH(a, defs.items, defs.n, defs.cap, def);
        }
        else if (strcmp(argv[i], "--bad-labels") == 0) bad_labels = true;
        /* A multiply-add fused by --fp-contract=fast does not overflow in
         * its product (1e30 * 1e30 - inf is -inf, not NaN): the special
         * values are compared at --fp-contract=off, PyTorch's rounding. */
        else if (strcmp(argv[i], "--special") == 0) special = true, o.fp_contract = FP_CONTRACT_OFF;
        else if (strcmp(argv[i], "-v") == 0) verbose = true;
        else path = argv[i];
    }
    if (!path) { fprintf(stderr, "usage: difftest [-O LEVEL] [--cpu NAME] [--seed N] [--rtol X] [--threads N] [--bad-labels] [--special] [-v] FILE.dm\n"); return 2; }
    o.input = path;
    Models *models = load_models(a, path, &defs);

    char dir[] = "/tmp/difftest.XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    const char *obj = arena_printf(a, "%s/model.o", dir), *so = arena_printf(a, "%s/model.so", dir);
    int status = 0;
    if (!cg_emit(a, &o, models, obj)) status = 1;
    else if (system(arena_printf(a, "cc -shared -o %s %s", so, obj)) != 0) {
        fprintf(stderr, "difftest: cc -shared failed\n");
        status = 2;
    } else {
        void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
        if (!h) { fprintf(stderr, "difftest: dlopen: %s\n", dlerror()); status = 2; }
        for (int i = 0; h && i < models->n; i++) {
            int r = run_model(a, models->items[i], h, rtol, threads, bad_labels, special, verbose);
            if (r > status) status = r;
            fprintf(stderr, "%s %s: model %s at -O%d, %d thread%s\n", r ? "FAIL" : "ok", path, models->items[i]->name,
                    o.opt_level, threads, threads > 1 ? "s" : "");
        }
    }
    unlink(obj), unlink(so), rmdir(dir);
    arena_free(a);
    return status;
}
