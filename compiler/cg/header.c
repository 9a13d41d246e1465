/* header.c: the generated C header NAME.h beside the object.  It includes
 * "dm.h", declares `extern const dm_model_desc NAME_model;` for every model,
 * and documents each model in a comment: every tensor (kind, dtype, shape,
 * name, offset) and the memory size.  #defines give the sizes:
 * NAME_DATA_SIZE (bytes of the data region), NAME_<TENSOR>_COUNT (elements)
 * and NAME_<TENSOR>_DIM<k>, with the tensor's name made a C identifier.
 * Typed accessors NAME_<TENSOR>(dm_model *) return `float *` or `int32_t *`
 * for every input, output, parameter and gradient (dm_tensor_data with the
 * descriptor index), so a C compiler catches a float written into an i32
 * input; one whose name another definition of the header already uses is
 * left out, with a comment.  The include guard names the models and
 * fingerprints the rest.
 *
 * Needs: models after simplify (the plan is recomputed, as in cg_emit).
 * Guarantees: returns false with the reason printed when the file cannot be
 * written. */
#include "cg/cg.h"
#include "dm.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *c_ident(Arena *a, const char *s) {
    char *r = arena_strdup(a, s);
    for (char *p = r; *p; p++)
        if (!isalnum((unsigned char)*p)) *p = '_';
    return r;
}

/* The C names a header defines, so that an accessor never redefines one. */
typedef struct Names { const char **items; int n, cap; } Names;

static bool name_taken(const Names *names, const char *s) {
    for (int i = 0; i < names->n; i++)
        if (strcmp(names->items[i], s) == 0) return true;
    return false;
}

static void take_name(Arena *a, Names *names, const char *s) { VEC_PUSH(a, names->items, names->n, names->cap, s); }

static bool has_macros(const Tensor *t) {
    return t->kind == TK_INPUT || t->kind == TK_OUTPUT || t->kind == TK_PARAM || t->kind == TK_BUFFER;
}

/* Every model's descriptor and macros, taken before any accessor. */
static void take_fixed_names(Arena *a, Names *names, const Model *m) {
    take_name(a, names, arena_printf(a, "%s_model", m->name));
    take_name(a, names, arena_printf(a, "%s_DATA_SIZE", m->name));
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[i];
        if (!has_macros(t)) continue;
        const char *id = c_ident(a, t->name);
        take_name(a, names, arena_printf(a, "%s_%s_COUNT", m->name, id));
        for (int k = 0; k < t->shape.rank; k++) take_name(a, names, arena_printf(a, "%s_%s_DIM%d", m->name, id, k));
    }
}

/* MODEL_TENSOR(m): the typed buffer of an input, output, parameter or
 * gradient, through its descriptor index (no name lookup).  Inputs, outputs
 * and parameters first, so a gradient's accessor yields to a tensor's. */
static void model_accessors(FILE *f, Arena *a, const Model *m, const ModelPlan *mp, Names *names) {
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < m->ntensors; i++) {
            const Tensor *t = &m->tensors[mp->order[i]];
            if (pass == 0 ? !has_macros(t) : t->kind != TK_GRAD) continue;
            const char *fn = arena_printf(a, "%s_%s", m->name, c_ident(a, t->name));
            if (name_taken(names, fn)) {
                fprintf(f, "/* no accessor for '%s': %s names something else */\n", t->name, fn);
                continue;
            }
            take_name(a, names, fn);
            const char *type = t->dtype == DT_I32 ? "int32_t" : "float";
            fprintf(f, "static inline DM_UNUSED %s *%s(dm_model *m) { return (%s *)dm_tensor_data(m, &%s_model, %d); }\n", type,
                    fn, type, m->name, i);
        }
    }
}

static void model_header(FILE *f, Arena *a, const Options *opt, const Model *m, Names *names) {
    static const char *kind_name[] = {"input", "output", "param", "grad", "state", "loss", "buffer"};
    ModelPlan *mp = plan_model(a, m, opt->opt_level);
    fprintf(f, "/* model %s: one instance needs %llu bytes of data (dm_memory_size gives the total)\n", m->name,
            (unsigned long long)mp->data_size);
    fprintf(f, " *   tensors %llu bytes, scratch %llu bytes\n", (unsigned long long)mp->scratch_offset,
            (unsigned long long)mp->scratch_size);
    fprintf(f, " *   entries: forward%s\n", model_entry_graph(m, ENTRY_TRAIN_STEP) ? ", train_step, gradients, apply" : "");
    fprintf(f, " *\n *   %-6s %-22s %-30s %s\n", "kind", "shape", "name", "offset");
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[mp->order[i]];
        fprintf(f, " *   %-6s %-22s %-30s %llu\n", kind_name[t->kind], shape_str(a, t->dtype, t->shape), t->name,
                (unsigned long long)mp->tensor_offset[mp->order[i]]);
    }
    fprintf(f, " */\nextern const dm_model_desc %s_model;\n", m->name);
    fprintf(f, "#define %s_DATA_SIZE %lluULL\n", m->name, (unsigned long long)mp->data_size);
    /* The whole instance, = dm_memory_size(&NAME_model): enough for a static buffer. */
    fprintf(f, "#define %s_MEMORY_SIZE %lluULL\n", m->name, (unsigned long long)DM_MEMORY_SIZE(mp->data_size));
    fprintf(f, "#define %s_MEMORY_ALIGN %d\n", m->name, DM_ALIGN);
    for (int i = 0; i < m->ntensors; i++) {
        const Tensor *t = &m->tensors[mp->order[i]];
        if (!has_macros(t)) continue;
        const char *id = c_ident(a, t->name);
        fprintf(f, "#define %s_%s_COUNT %lld\n", m->name, id, (long long)shape_count(t->shape));
        for (int k = 0; k < t->shape.rank; k++)
            fprintf(f, "#define %s_%s_DIM%d %lld\n", m->name, id, k, (long long)t->shape.dim[k]);
    }
    fprintf(f, "/* Typed buffers (float * or int32_t *), no name lookup; NULL if m is not an instance of %s_model. */\n",
            m->name);
    model_accessors(f, a, m, mp, names);
    fprintf(f, "\n");
}

static void write_header(FILE *f, Arena *a, const Options *opt, const Models *models);

/* Like cg_emit: a regular file is written beside its final name and renamed
 * (no partial header on failure); a device or symbolic link is written
 * through (lstat: a rename over /dev/stdout, a link, would replace it). */
bool header_emit(Arena *a, const Options *opt, const Models *models, const char *path) {
    struct stat st;
    char *tmp = NULL;
    FILE *f = NULL;
    if (strcmp(path, "/dev/stdout") != 0 && (lstat(path, &st) != 0 || S_ISREG(st.st_mode))) {
        tmp = arena_printf(a, "%s.h-XXXXXX", path);
        int fd = mkstemp(tmp);
        if (fd >= 0 && !(f = fdopen(fd, "w"))) close(fd), unlink(tmp);
    } else {
        f = fopen(path, "w");
    }
    if (!f) {
        fprintf(stderr, "dmc: error: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    write_header(f, a, opt, models);
    bool ok = !ferror(f);
    ok &= fclose(f) == 0;
    if (ok && tmp) {   /* mkstemp made it 0600: give it the usual mode of a new file */
        mode_t mask = umask(0);
        umask(mask);
        chmod(tmp, 0666 & ~mask);
    }
    if (ok && tmp && rename(tmp, path) != 0) ok = false;
    if (!ok) {
        fprintf(stderr, "dmc: error: cannot write %s: %s\n", path, strerror(errno));
        if (tmp) unlink(tmp);
    }
    return ok;
}

/* FNV-1a, 64 bits: the include guard's fingerprint of the header's body. */
static uint64_t fingerprint(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

/* The include guard names the models and fingerprints the declarations:
 * headers of different models never share it, whatever their file names,
 * and two builds of one model that differ (say in -D batch) do not either,
 * so including both is a redefinition the C compiler reports, not a header
 * silently skipped. */
static void write_header(FILE *f, Arena *a, const Options *opt, const Models *models) {
    const char *base = opt->input ? strrchr(opt->input, '/') : NULL;
    base = base ? base + 1 : opt->input ? opt->input : "model";
    char *body = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&body, &size);
    if (!mem) die("out of memory writing the header");
    Names names = {0};
    for (int i = 0; i < models->n; i++) take_fixed_names(a, &names, models->items[i]);
    for (int i = 0; i < models->n; i++) model_header(mem, a, opt, models->items[i], &names);
    if (fclose(mem) != 0) die("out of memory writing the header");
    const char *guard = "DMC";
    for (int i = 0; i < models->n; i++) guard = arena_printf(a, "%s_%s", guard, models->items[i]->name);
    guard = arena_printf(a, "%s_%016llX_H", guard, (unsigned long long)fingerprint(body, size));
    for (char *p = (char *)guard; *p; p++) *p = (char)toupper((unsigned char)*p);
    fprintf(f, "/* Generated by dmc %s from %s; do not edit. */\n", DMC_VERSION, base);
    fprintf(f, "#ifndef %s\n#define %s\n\n#include \"dm.h\"\n\n", guard, guard);
    fprintf(f, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    fwrite(body, 1, size, f);
    free(body);
    fprintf(f, "#ifdef __cplusplus\n}\n#endif\n#endif\n");
}
