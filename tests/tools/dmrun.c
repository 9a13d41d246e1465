/* dmrun.c: a generic harness that runs any compiled model a fixed number of
 * training updates and records what happened, for tests that compare dmc with
 * another implementation (tests/torch/conformance.py).
 *
 * Build (one binary per model; the model's header defines NAME_model):
 *   cc -Iruntime -DDM_MODEL=NAME_model -include NAME.h tests/tools/dmrun.c \
 *      NAME.o libdmrt.a -lm -lpthread -o dmrun_NAME
 * Run:
 *   dmrun_NAME DIR [UPDATES]        (UPDATES defaults to 5; 0 = gradients only)
 *
 * It needs, in DIR:
 *   init.safetensors     the initial parameters (loaded with dm_load; a
 *                        weights-only file starts a fresh optimizer state)
 *   in.<input>.bin       every input of the model, raw little-endian f32/i32,
 *                        row-major, exactly count * 4 bytes
 * and writes to DIR:
 *   loaded.safetensors   dm_save right after dm_load (the checkpoint round trip)
 *   results.safetensors  what the run observed (see below)
 *   final.safetensors    dm_save after the last update
 *   reloaded.safetensors final.safetensors loaded into a second instance
 *                        (another seed) and saved again: must be identical
 *
 * The sequence: dm_forward (records "forward/<output>"); dm_gradients
 * (records "loss/0", every "grad/<param>" and "train/<output>"); dm_apply;
 * then dm_train_step UPDATES - 1 times (records "loss/<k>").  Before every
 * update k it records the model's i32 state tensors as "state/<k>/<name>"
 * (the dropout generator's {key, step}), and "state/<UPDATES>/<name>" at the
 * end, so a reference can draw the same dropout masks.  Last, dm_forward again
 * (records "eval/<output>": the inference entry with the trained parameters
 * and buffers, e.g. batch norm's running statistics).
 *
 * Exit status 0 on success; 1 with the runtime's reason on stderr otherwise. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"

#ifndef DM_MODEL
#error "compile with -DDM_MODEL=NAME_model -include NAME.h"
#endif

/* ---- a small in-memory safetensors writer ------------------------------- */

typedef struct record {
    char *name;
    dm_dtype dtype;
    int rank;
    int64_t dims[DM_MAX_RANK];
    uint64_t bytes;
    void *data;
} record;

typedef struct recorder {
    record *items;
    int n, cap;
} recorder;

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "dmrun: out of memory\n");
        exit(1);
    }
    return p;
}

static void record_tensor(recorder *r, const char *name, dm_dtype dtype, int rank, const int64_t *dims,
                          const void *data) {
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 32;
        record *items = realloc(r->items, (size_t)r->cap * sizeof *items);
        if (!items) {
            fprintf(stderr, "dmrun: out of memory\n");
            exit(1);
        }
        r->items = items;
    }
    record *e = &r->items[r->n++];
    e->name = xmalloc(strlen(name) + 1);
    strcpy(e->name, name);
    e->dtype = dtype;
    e->rank = rank;
    uint64_t count = 1;
    for (int i = 0; i < rank; i++) {
        e->dims[i] = dims[i];
        count *= (uint64_t)dims[i];
    }
    e->bytes = count * 4;
    e->data = xmalloc(e->bytes);
    memcpy(e->data, data, e->bytes);
}

static void record_scalar(recorder *r, const char *name, float value) {
    record_tensor(r, name, DM_F32, 0, NULL, &value);
}

static void recorder_free(recorder *r) {
    for (int i = 0; i < r->n; i++) free(r->items[i].name), free(r->items[i].data);
    free(r->items);
}

/* Writes every record as one safetensors file (this host is little-endian:
 * the tests run where the data was produced). */
static int recorder_write(const recorder *r, const char *path) {
    size_t cap = 256, len = 0;
    for (int i = 0; i < r->n; i++)
        cap += strlen(r->items[i].name) + 64 + 24 * (size_t)r->items[i].rank;
    char *h = xmalloc(cap);
    uint64_t offset = 0;
    len += (size_t)snprintf(h + len, cap - len, "{");
    for (int i = 0; i < r->n; i++) {
        const record *e = &r->items[i];
        len += (size_t)snprintf(h + len, cap - len, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", i ? "," : "",
                                e->name, e->dtype == DM_F32 ? "F32" : "I32");
        for (int d = 0; d < e->rank; d++)
            len += (size_t)snprintf(h + len, cap - len, "%s%lld", d ? "," : "", (long long)e->dims[d]);
        len += (size_t)snprintf(h + len, cap - len, "],\"data_offsets\":[%llu,%llu]}",
                                (unsigned long long)offset, (unsigned long long)(offset + e->bytes));
        offset += e->bytes;
    }
    len += (size_t)snprintf(h + len, cap - len, "}");
    while (len % 8) h[len++] = ' ';
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        free(h);
        return -1;
    }
    uint64_t n = len;
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(n >> (8 * i));
    int ok = fwrite(le, 1, 8, f) == 8 && fwrite(h, 1, len, f) == len;
    for (int i = 0; ok && i < r->n; i++)
        ok = fwrite(r->items[i].data, 1, r->items[i].bytes, f) == r->items[i].bytes;
    ok = (fclose(f) == 0) && ok;
    free(h);
    if (!ok) fprintf(stderr, "dmrun: %s: write failed\n", path);
    return ok ? 0 : -1;
}

/* ---- the run ---------------------------------------------------------------- */

static int fail(const char *what) {
    fprintf(stderr, "dmrun: %s: %s\n", what, dm_last_error());
    return 1;
}

/* A printf into one of a few static buffers (paths under DIR: a call's
 * result lives until eight more calls have been made). */
static char *fmt(const char *format, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *format, ...) {
    static char ring[8][4096];
    static int next;
    char *s = ring[next++ % 8];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(s, sizeof ring[0], format, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof ring[0]) {
        fprintf(stderr, "dmrun: a path of %d bytes is too long\n", n);
        exit(1);
    }
    return s;
}

/* Fills every input of m from DIR/in.<name>.bin. */
static int read_inputs(dm_model *m, const char *dir) {
    const dm_model_desc *d = dm_desc(m);
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        if (t->kind != DM_INPUT) continue;
        char *full = fmt("%s/in.%s.bin", dir, t->name);
        FILE *f = fopen(full, "rb");
        if (!f) {
            fprintf(stderr, "dmrun: input '%s': cannot open %s\n", t->name, full);
            return 1;
        }
        size_t got = fread(dm_data(m, t->name), 1, t->bytes, f);
        int extra = fgetc(f);
        fclose(f);
        if (got != t->bytes || extra != EOF) {
            fprintf(stderr, "dmrun: input '%s': %s does not hold exactly %llu bytes\n", t->name, full,
                    (unsigned long long)t->bytes);
            return 1;
        }
    }
    return 0;
}

static void record_kind(recorder *r, dm_model *m, dm_kind kind, const char *prefix) {
    const dm_model_desc *d = dm_desc(m);
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        if (t->kind != kind) continue;
        if (kind == DM_STATE && t->dtype != DM_I32) continue;
        void *data = dm_data(m, t->name);
        if (!data) continue;
        char *name = fmt("%s%s", prefix, t->name);
        record_tensor(r, name, t->dtype, t->rank, t->dims, data);
    }
}

static void record_state(recorder *r, dm_model *m, int k) {
    char prefix[64];
    snprintf(prefix, sizeof prefix, "state/%d/", k);
    record_kind(r, m, DM_STATE, prefix);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s DIR [UPDATES]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    int updates = argc == 3 ? atoi(argv[2]) : 5;
    recorder rec = {0};

    dm_model *m = dm_new(&DM_MODEL, 1);
    if (!m) return fail("dm_new");
    if (dm_load(m, fmt("%s/init.safetensors", dir)) != 0) return fail("dm_load init.safetensors");
    if (dm_save(m, fmt("%s/loaded.safetensors", dir)) != 0) return fail("dm_save loaded.safetensors");
    if (read_inputs(m, dir)) return 1;

    if (dm_forward(m) != 0) return fail("dm_forward");
    record_kind(&rec, m, DM_OUTPUT, "forward/");

    const dm_model_desc *d = dm_desc(m);
    float loss = 0;
    record_state(&rec, m, 0);
    if (dm_gradients(m, &loss) != 0) return fail("dm_gradients");
    record_scalar(&rec, "loss/0", loss);
    record_kind(&rec, m, DM_OUTPUT, "train/");
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        if (t->kind != DM_PARAM) continue;
        float *g = dm_grad(m, t->name);
        if (!g) return fail("dm_grad");
        char *name = fmt("grad/%s", t->name);
        record_tensor(&rec, name, DM_F32, t->rank, t->dims, g);
    }
    if (updates > 0 && dm_apply(m) != 0) return fail("dm_apply");
    for (int k = 1; k < updates; k++) {
        char name[32];
        record_state(&rec, m, k);
        if (dm_train_step(m, &loss) != 0) return fail("dm_train_step");
        snprintf(name, sizeof name, "loss/%d", k);
        record_scalar(&rec, name, loss);
    }
    record_state(&rec, m, updates > 0 ? updates : 1);
    if (dm_forward(m) != 0) return fail("dm_forward (after training)");
    record_kind(&rec, m, DM_OUTPUT, "eval/");

    if (dm_save(m, fmt("%s/final.safetensors", dir)) != 0) return fail("dm_save final.safetensors");
    /* The final checkpoint, state included, into a fresh instance and out again. */
    dm_model *again = dm_new(&DM_MODEL, 2);
    if (!again) return fail("dm_new (second instance)");
    if (dm_load(again, fmt("%s/final.safetensors", dir)) != 0) return fail("dm_load final.safetensors");
    if (dm_save(again, fmt("%s/reloaded.safetensors", dir)) != 0) return fail("dm_save reloaded.safetensors");
    dm_free(again);
    int rc = recorder_write(&rec, fmt("%s/results.safetensors", dir)) ? 1 : 0;
    recorder_free(&rec);   /* (LeakSanitizer, under check-sanitize) */
    dm_free(m);
    return rc;
}
