/* tinygpt: trains the character-level GPT of tinygpt.dm on Debian's fortunes
 * and generates text with its inference build (generate.dm is the same file
 * compiled with --no-train -D batch=1).  See --help and docs/examples.md. */
#include "corpus.h"
#include "generate.h"
#include "tinygpt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct options {
    int generate;                   /* the generate command, else train */
    int epochs, threads;
    int64_t steps, val_batches;     /* training steps per epoch, validation batches */
    double lr;
    uint64_t seed;
    const char *data, *save, *load, *dump, *prompt;
    int length;
    double temperature;
} options;

static void usage(FILE *out) {
    fprintf(out,
            "usage: tinygpt [train] [--epochs N] [--steps N] [--lr R] [--threads N] [--seed S]\n"
            "               [--val-batches N] [--save PATH] [--load PATH] [--data DIR] [--dump DIR]\n"
            "       tinygpt generate --load PATH [--prompt TEXT] [--length N] [--temperature T] [--seed S]\n"
            "train     trains on the fortunes (--data, default " CORPUS_DIR "): --epochs (default 5)\n"
            "          of --steps train steps (default 300) on random windows of the training text,\n"
            "          the validation loss after each epoch over --val-batches batches (default 16),\n"
            "          a checkpoint after each epoch (--save, default tinygpt.safetensors);\n"
            "          --load resumes from a checkpoint; --dump DIR writes the initial parameters,\n"
            "          every batch, the losses and the validation windows and losses (for\n"
            "          examples/tinygpt/reference.py)\n"
            "generate  continues --prompt (default: none) by --length characters (default 400),\n"
            "          sampling at --temperature (default 0.8) with the parameters of --load\n");
}

static int parse_options(int argc, char **argv, options *o) {
    *o = (options){.epochs = 5, .steps = 300, .val_batches = 16, .lr = 1e-3, .seed = 1, .data = CORPUS_DIR,
                   .save = "tinygpt.safetensors", .prompt = "", .length = 400, .temperature = 0.8};
    int i = 1;
    if (i < argc && !strcmp(argv[i], "generate")) o->generate = 1, i++;
    else if (i < argc && !strcmp(argv[i], "train")) i++;
    for (; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); exit(0); }
        if (!v) { fprintf(stderr, "tinygpt: %s needs a value (see --help)\n", a); return -1; }
        char *end = NULL;
        if (!strcmp(a, "--epochs")) o->epochs = (int)strtol(v, &end, 10);
        else if (!strcmp(a, "--steps")) o->steps = strtoll(v, &end, 10);
        else if (!strcmp(a, "--val-batches")) o->val_batches = strtoll(v, &end, 10);
        else if (!strcmp(a, "--threads")) o->threads = (int)strtol(v, &end, 10);
        else if (!strcmp(a, "--length")) o->length = (int)strtol(v, &end, 10);
        else if (!strcmp(a, "--seed")) o->seed = strtoull(v, &end, 10);
        else if (!strcmp(a, "--lr")) o->lr = strtod(v, &end);
        else if (!strcmp(a, "--temperature")) o->temperature = strtod(v, &end);
        else if (!strcmp(a, "--data")) o->data = v;
        else if (!strcmp(a, "--save")) o->save = v;
        else if (!strcmp(a, "--load")) o->load = v;
        else if (!strcmp(a, "--dump")) o->dump = v;
        else if (!strcmp(a, "--prompt")) o->prompt = v;
        else { fprintf(stderr, "tinygpt: unknown option %s (see --help)\n", a); return -1; }
        if (end && (*end || end == v)) { fprintf(stderr, "tinygpt: %s: not a number: %s\n", a, v); return -1; }
        i++;
    }
    if (o->epochs < 1 || o->steps < 1 || o->val_batches < 1 || o->length < 0 || o->threads < 0 ||
        !(o->lr > 0) || !(o->temperature > 0)) {
        fprintf(stderr, "tinygpt: counts must be positive, --lr and --temperature above 0\n");
        return -1;
    }
    return 0;
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* splitmix64: the batches' and the sampler's random numbers. */
static uint64_t next_random(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int fail(const char *what) {
    fprintf(stderr, "tinygpt: %s: %s\n", what, dm_last_error());
    return 1;
}

/* The mean cross entropy of logits [rows, V] against the following characters, in double. */
static double cross_entropy(const float *logits, const int32_t *next, int64_t rows, int V) {
    double sum = 0;
    for (int64_t r = 0; r < rows; r++) {
        const float *z = logits + r * V;
        double m = z[0], s = 0;
        for (int k = 1; k < V; k++) m = z[k] > m ? z[k] : m;
        for (int k = 0; k < V; k++) s += exp(z[k] - m);
        sum += m + log(s) - z[next[r]];
    }
    return sum / (double)rows;
}

/* The validation batches: at most `asked`, as many as the validation text
 * holds of B consecutive windows of T characters (and one more, the last
 * window's next character). */
static int64_t validation_batches(const corpus *c, int64_t asked) {
    int64_t windows = (c->nval - 1) / tinygpt_ids_DIM1, most = windows / tinygpt_ids_DIM0;
    return asked < most ? asked : most;
}

/* Window r of validation batch b. */
static const int32_t *validation_window(const corpus *c, int64_t b, int64_t r) {
    return c->val + (b * tinygpt_ids_DIM0 + r) * tinygpt_ids_DIM1;
}

/* Validation loss with the forward entry: consecutive windows of the
 * validation text, the same every epoch. */
static int validate(dm_model *m, const corpus *c, int64_t batches, double *loss) {
    int64_t B = tinygpt_ids_DIM0, T = tinygpt_ids_DIM1;
    batches = validation_batches(c, batches);
    if (batches < 1) { fprintf(stderr, "tinygpt: the validation text is too short\n"); return -1; }
    int32_t *ids = tinygpt_ids(m), *next = tinygpt_next(m);
    double sum = 0;
    for (int64_t b = 0; b < batches; b++) {
        for (int64_t r = 0; r < B; r++) {
            const int32_t *w = validation_window(c, b, r);
            memcpy(ids + r * T, w, (size_t)T * sizeof *ids);
            memcpy(next + r * T, w + 1, (size_t)T * sizeof *next);
        }
        if (dm_forward(m) != 0) return fail("forward"), -1;
        sum += cross_entropy(tinygpt_logits(m), next, B * T, CORPUS_VOCAB);
    }
    *loss = sum / (double)batches;
    return 0;
}

/* A training batch: B windows at random offsets of the training text. */
static void draw_batch(dm_model *m, const corpus *c, uint64_t *rng) {
    int64_t B = tinygpt_ids_DIM0, T = tinygpt_ids_DIM1;
    int32_t *ids = tinygpt_ids(m), *next = tinygpt_next(m);
    for (int64_t r = 0; r < B; r++) {
        int64_t at = (int64_t)(next_random(rng) % (uint64_t)(c->ntrain - T - 1));
        memcpy(ids + r * T, c->train + at, (size_t)T * sizeof *ids);
        memcpy(next + r * T, c->train + at + 1, (size_t)T * sizeof *next);
    }
}

static void progress(int epoch, int epochs, int64_t done, int64_t total, double started, double loss) {
    double elapsed = now_seconds() - started;
    double eta = elapsed / (double)done * (double)(total - done);
    int width = 30, filled = (int)(width * done / total);
    fprintf(stderr, "\r  epoch %d/%d [%.*s%*s] %3d%%  ETA %4.0fs  loss %.4f ", epoch, epochs, filled,
            "==============================", width - filled, "", (int)(100 * done / total), eta, loss);
    fflush(stderr);
}

/* --dump DIR: what reference.py needs to replay the first steps in PyTorch. */
static FILE *dump_open(const options *o, const char *name, const char *mode) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", o->dump, name);
    FILE *f = fopen(path, mode);
    if (!f) fprintf(stderr, "tinygpt: cannot write %s\n", path);
    return f;
}

/* The validation windows of validate(), as ids then next per batch. */
static int dump_validation(const options *o, const corpus *c, int64_t batches) {
    int64_t B = tinygpt_ids_DIM0, T = tinygpt_ids_DIM1;
    batches = validation_batches(c, batches);
    FILE *f = dump_open(o, "validation.bin", "wb");
    if (!f) return -1;
    int ok = 1;
    for (int64_t b = 0; b < batches; b++)
        for (int part = 0; part < 2; part++)
            for (int64_t r = 0; r < B; r++)
                ok &= fwrite(validation_window(c, b, r) + part, sizeof(int32_t), (size_t)T, f) == (size_t)T;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int train(const options *o) {
    corpus c;
    if (corpus_load(&c, o->data) != 0) return 1;
    printf("corpus: %d files, %d fortunes, %lld training and %lld validation characters\n", c.files,
           c.fortunes, (long long)c.ntrain, (long long)c.nval);
    dm_model *m = dm_new(&tinygpt_model, o->seed);
    if (!m) return corpus_free(&c), fail("dm_new");
    int rc = 1;
    FILE *batches = NULL, *losses = NULL, *vlosses = NULL;
    if (o->threads && dm_set_threads(m, o->threads) != 0) { fail("--threads"); goto out; }
    if (o->load && dm_load(m, o->load) != 0) { fail(o->load); goto out; }
    if (dm_set_learning_rate(m, (float)o->lr) != 0) { fail("--lr"); goto out; }
    if (o->dump) {
        char path[4096];
        snprintf(path, sizeof path, "%s/init.safetensors", o->dump);
        if (dm_save(m, path) != 0) { fail(path); goto out; }
        if (!(batches = dump_open(o, "batches.bin", "wb")) || !(losses = dump_open(o, "losses.txt", "w")) ||
            !(vlosses = dump_open(o, "validation.txt", "w")) || dump_validation(o, &c, o->val_batches) != 0)
            goto out;
    }
    uint64_t rng = o->seed;
    int64_t tokens = (int64_t)tinygpt_ids_DIM0 * tinygpt_ids_DIM1;
    for (int epoch = 1; epoch <= o->epochs; epoch++) {
        double started = now_seconds(), sum = 0;
        for (int64_t s = 1; s <= o->steps; s++) {
            float loss;
            draw_batch(m, &c, &rng);
            if (batches && (fwrite(tinygpt_ids(m), sizeof(int32_t), (size_t)tokens, batches) != (size_t)tokens ||
                            fwrite(tinygpt_next(m), sizeof(int32_t), (size_t)tokens, batches) != (size_t)tokens)) {
                fprintf(stderr, "tinygpt: cannot write the batches\n");
                goto out;
            }
            if (dm_train_step(m, &loss) != 0) { fail("train step"); goto out; }
            if (losses) fprintf(losses, "%.9g\n", loss);
            sum += loss;
            progress(epoch, o->epochs, s, o->steps, started, sum / (double)s);
        }
        double seconds = now_seconds() - started, val;
        if (validate(m, &c, o->val_batches, &val) != 0) goto out;
        fprintf(stderr, "\n");
        if (vlosses) fprintf(vlosses, "%lld %.9g\n", (long long)(epoch * o->steps), val);
        printf("epoch %d: train loss %.4f, validation loss %.4f (%.3f bits/char), %.0f characters/s\n", epoch,
               sum / (double)o->steps, val, val / log(2.0), (double)(o->steps * tokens) / seconds);
        fflush(stdout);
        if (o->save && dm_save(m, o->save) != 0) { fail(o->save); goto out; }
    }
    if (o->save) printf("saved %s\n", o->save);
    rc = 0;
out:
    if (batches && fclose(batches) != 0) rc = 1;
    if (losses && fclose(losses) != 0) rc = 1;
    if (vlosses && fclose(vlosses) != 0) rc = 1;
    dm_free(m);
    corpus_free(&c);
    return rc;
}

/* Samples a character from the logits at temperature t. */
static int sample(const float *z, double t, uint64_t *rng) {
    double p[CORPUS_VOCAB], m = z[0], s = 0;
    for (int k = 1; k < CORPUS_VOCAB; k++) m = z[k] > m ? z[k] : m;
    for (int k = 0; k < CORPUS_VOCAB; k++) s += p[k] = exp((z[k] - m) / t);
    double u = (double)(next_random(rng) >> 11) * 0x1p-53 * s;
    for (int k = 0; k < CORPUS_VOCAB; k++)
        if ((u -= p[k]) < 0) return k;
    return CORPUS_VOCAB - 1;
}

/* The model sees the last T characters; causal attention makes position n-1's
 * logits depend on positions 0 .. n-1 only, so a short context is fine. */
static int generate(const options *o) {
    if (!o->load) { fprintf(stderr, "tinygpt: generate needs --load CHECKPOINT\n"); return 2; }
    dm_model *m = dm_new(&tinygpt_gen_model, o->seed);
    if (!m) return fail("dm_new");
    if (dm_load(m, o->load) != 0) { dm_free(m); return fail(o->load); }
    int T = tinygpt_gen_ids_DIM1, n = 0;
    int32_t context[tinygpt_gen_ids_DIM1], *ids = tinygpt_gen_ids(m);
    fputs(o->prompt, stdout);
    for (const char *p = o->prompt; *p; p++) {
        int id = corpus_encode((unsigned char)*p);
        if (id < 0) continue;
        if (n == T) memmove(context, context + 1, (size_t)--n * sizeof *context);
        context[n++] = id;
    }
    if (n == 0) context[n++] = CORPUS_VOCAB - 1;   /* no prompt: start after a newline */
    uint64_t rng = o->seed;
    for (int i = 0; i < o->length; i++) {
        memset(ids, 0, (size_t)T * sizeof *ids);
        memcpy(ids, context, (size_t)n * sizeof *ids);
        if (dm_forward(m) != 0) { dm_free(m); return fail("forward"); }
        int id = sample(tinygpt_gen_logits(m) + (int64_t)(n - 1) * CORPUS_VOCAB, o->temperature, &rng);
        putchar(corpus_decode(id));
        if (n == T) memmove(context, context + 1, (size_t)--n * sizeof *context);
        context[n++] = id;
    }
    putchar('\n');
    dm_free(m);
    return 0;
}

int main(int argc, char **argv) {
    options o;
    if (parse_options(argc, argv, &o) != 0) return 2;
    return o.generate ? generate(&o) : train(&o);
}
