/* fuzz_load.c: the checkpoint loader (dm_load) against arbitrary bytes.
 *
 * Needs: the runtime (libdmrt), nothing of the compiler.  The model is a
 * small hand-written dm_model_desc (two f32 params, an i32 param, optimizer
 * state, a generator-seed state, a gradient, an input, the loss), so the
 * loader sees every dtype and kind it must handle.
 *
 * Checks, for every input (a failed check aborts: that is a finding):
 *   - dm_load returns 0 or a documented error code, with a message;
 *   - on failure the data region is byte for byte unchanged ("on any error
 *     the model is unchanged", dm.h);
 *   - on success only params and state changed, and dm_save + dm_load of the
 *     result into a second instance reproduces them exactly.
 *
 * Built three ways (tests/reliability.mk):
 *   - with -fsanitize=fuzzer: libFuzzer calls LLVMFuzzerTestOneInput;
 *   - with -DFUZZ_LOAD_MAIN: `replay_load FILE...` runs each file through the
 *     same checks (the regression replayer of make test), and
 *     `replay_load --seeds DIR` writes the seed corpus (a valid checkpoint,
 *     a weights-only one, and truncations). */
#include "dm.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const float bias_init[4] = {0.5f, -0.25f, 1.0f, 2.0f};

/* Offsets: every tensor 64-byte aligned, as the compiler's plan does. */
#define FUZZ_TENSORS(STATE)                                                                        \
    {"fc.W", (const int64_t[DM_MAX_RANK]){3, 4}, &(const dm_init_desc){DM_INIT_NORMAL, 0.0, 1.0, 3, 4, NULL}, 12, 0, 48, DM_PARAM, DM_F32, -1, 2, 0, 0, 0, 0},  \
    {"fc.b", (const int64_t[DM_MAX_RANK]){4}, &(const dm_init_desc){DM_INIT_LITERAL, 0, 0, 0, 0, bias_init}, 4, 64, 16, DM_PARAM, DM_F32, -1, 1, 0, 0, 0, 0},   \
    {"steps", NULL, NULL, 1, 128, 4, DM_PARAM, DM_I32, -1, 0, 0, 0, 0, 0},         \
    STATE                                                                                          \
    {"grad/fc.W", (const int64_t[DM_MAX_RANK]){3, 4}, NULL, 12, 384, 48, DM_GRAD, DM_F32, 0, 2, 0, 0, 0, 0},  \
    {"x", (const int64_t[DM_MAX_RANK]){2, 3}, NULL, 6, 448, 24, DM_INPUT, DM_F32, -1, 2, 0, 0, 0, 0},         \
    {"loss", NULL, NULL, 1, 512, 4, DM_LOSS, DM_F32, -1, 0, 0, 0, 0, 0},

#define FUZZ_STATE                                                                                      \
    {"opt/m/fc.W", (const int64_t[DM_MAX_RANK]){3, 4}, NULL, 12, 192, 48, DM_STATE, DM_F32, 0, 2, 0, 0, 0, 0},     \
    {"opt/m/fc.b", (const int64_t[DM_MAX_RANK]){4}, &(const dm_init_desc){DM_INIT_CONST, 0.125, 0, 0, 0, NULL}, 4, 256, 16, DM_STATE, DM_F32, 1, 1, 0, 0, 0, 0},      \
    {"dropout.seed", (const int64_t[DM_MAX_RANK]){2}, &(const dm_init_desc){DM_INIT_SEED, 0, 0, 0, 0, NULL}, 2, 320, 8, DM_STATE, DM_I32, -1, 1, 0, 0, 0, 0},

static const dm_tensor_desc full_tensors[] = {FUZZ_TENSORS(FUZZ_STATE)};
static const dm_tensor_desc weights_tensors[] = {FUZZ_TENSORS()};

static const dm_model_desc full_desc = {
    DM_ABI_VERSION, "fuzzed", 576, 576, 0, (int)(sizeof full_tensors / sizeof full_tensors[0]),
    full_tensors, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL};
/* The same parameters without optimizer state: writes weights-only seeds. */
static const dm_model_desc weights_desc = {
    DM_ABI_VERSION, "fuzzed", 576, 576, 0, (int)(sizeof weights_tensors / sizeof weights_tensors[0]),
    weights_tensors, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL};

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "fuzz_load: %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                        \
            fprintf(stderr, "\n");                                               \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* A scratch file per process, rewritten for every input (dm_load reads paths only). */
static const char *scratch_path(int which) {
    static char paths[2][256];
    if (!paths[which][0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
        snprintf(paths[which], sizeof paths[which], "%s/dm-fuzz-load-%d-%d.safetensors",
                 dir ? dir : "/tmp", (int)getpid(), which);
    }
    return paths[which];
}

static void remove_scratch(void) {
    unlink(scratch_path(0));
    unlink(scratch_path(1));
}

static bool write_bytes(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fwrite(data, 1, size, f) == size;
    return (fclose(f) == 0) && ok;
}

static bool saved_kind(dm_kind k) { return k == DM_PARAM || k == DM_STATE; }

/* Resets m to known contents: initialised params and state, and a pattern in
 * every other tensor (the loader must never write there). */
static void reset_model(dm_model *m, uint8_t *data) {
    CHECK(dm_reinit(m, 42) == 0, "dm_reinit: %s", dm_last_error());
    for (int i = 0; i < full_desc.ntensors; i++)
        if (!saved_kind(full_tensors[i].kind))
            memset(data + full_tensors[i].offset, 0xA5, full_tensors[i].bytes);
}

static bool documented_error(int rc) {
    return rc == DM_EIO || rc == DM_ENOMEM || rc == DM_EFORMAT || rc == DM_EMISMATCH;
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size) {
    static dm_model *model, *copy;
    static uint8_t *before;
    if (!model) {
        model = dm_new(&full_desc, 42);
        copy = dm_new(&full_desc, 7);
        before = malloc(full_desc.data_size);
        CHECK(model && copy && before, "dm_new: %s", dm_last_error());
        atexit(remove_scratch);
    }
    uint8_t *data = dm_data(model, "fc.W"); /* offset 0: the start of the data region */
    reset_model(model, data);
    memcpy(before, data, full_desc.data_size);

    if (!write_bytes(scratch_path(0), bytes, size)) {
        perror(scratch_path(0));
        abort();
    }
    int rc = dm_load(model, scratch_path(0));
    if (rc != 0) {
        CHECK(documented_error(rc), "dm_load returned %d (%s)", rc, dm_last_error());
        const char *why = dm_last_error();
        CHECK(why && *why, "dm_load failed (%d) without a message", rc);
        for (size_t i = 0; i < full_desc.data_size; i++)
            CHECK(data[i] == before[i], "dm_load failed (%s) but changed byte %zu of the data region",
                  why, i);
        return 0;
    }
    for (int t = 0; t < full_desc.ntensors; t++) {
        const dm_tensor_desc *d = &full_tensors[t];
        if (!saved_kind(d->kind))
            CHECK(memcmp(data + d->offset, before + d->offset, d->bytes) == 0,
                  "dm_load succeeded but wrote tensor '%s' (not a param or state)", d->name);
    }
    /* Round trip: what was loaded saves and loads back to the same bytes. */
    CHECK(dm_save(model, scratch_path(1)) == 0, "dm_save after a successful load: %s", dm_last_error());
    uint8_t *copy_data = dm_data(copy, "fc.W");
    reset_model(copy, copy_data);
    CHECK(dm_load(copy, scratch_path(1)) == 0, "reloading a saved checkpoint: %s", dm_last_error());
    for (int t = 0; t < full_desc.ntensors; t++) {
        const dm_tensor_desc *d = &full_tensors[t];
        if (saved_kind(d->kind))
            CHECK(memcmp(data + d->offset, copy_data + d->offset, d->bytes) == 0,
                  "tensor '%s' differs after dm_save + dm_load", d->name);
    }
    return 0;
}

#ifdef FUZZ_LOAD_MAIN
static uint8_t *read_bytes(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *size = n;
    return buf;
}

/* DIR/NAME <- the first `keep` bytes of data. */
static void write_seed(const char *dir, const char *name, const uint8_t *data, size_t keep) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!write_bytes(path, data, keep)) {
        perror(path);
        exit(1);
    }
}

static int write_seeds(const char *dir) {
    char path[1024];
    const dm_model_desc *descs[] = {&full_desc, &weights_desc};
    const char *names[] = {"valid", "weights-only"};
    for (int k = 0; k < 2; k++) {
        dm_model *m = dm_new(descs[k], 1234);
        snprintf(path, sizeof path, "%s/%s.safetensors", dir, names[k]);
        if (!m || dm_save(m, path) != 0) {
            fprintf(stderr, "replay_load: %s: %s\n", path, dm_last_error());
            return 1;
        }
        dm_free(m);
        size_t size;
        uint8_t *bytes = read_bytes(path, &size);
        if (!bytes || size < 16) return 1;
        size_t hlen = 0;
        for (int i = 0; i < 8; i++) hlen |= (size_t)bytes[i] << (8 * i);
        /* Truncations at the interesting boundaries: inside the length, the
         * header, the data. */
        size_t cuts[] = {0, 4, 8, 9, 8 + hlen / 2, 8 + hlen, 8 + hlen + (size - 8 - hlen) / 2, size - 1};
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            if (cuts[c] >= size) continue;
            char name[64];
            snprintf(name, sizeof name, "%s-cut%zu.safetensors", names[k], cuts[c]);
            write_seed(dir, name, bytes, cuts[c]);
        }
        free(bytes);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--seeds") == 0) return write_seeds(argv[2]);
    if (argc < 2) {
        fprintf(stderr, "usage: replay_load FILE...  |  replay_load --seeds DIR\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        size_t size;
        uint8_t *bytes = read_bytes(argv[i], &size);
        if (!bytes) {
            perror(argv[i]);
            return 2;
        }
        LLVMFuzzerTestOneInput(bytes, size);
        printf("ok %s\n", argv[i]);
        free(bytes);
    }
    return 0;
}
#endif
