/* main.c: the driver.  Reads the command line and the input (a source, or
 * the IR's text form), runs the passes (passes/pipeline.c), and writes the
 * requested output without ever leaving a partial file: every output goes to
 * a temporary file in the target's folder and is renamed into place only
 * when the whole compilation has succeeded.  The target is the file behind
 * the path's symbolic links; a path that is not a regular file (a device
 * such as /dev/null, a FIFO) is written in place and gets no header beside
 * it (rt_output_target, the rule dm_save follows too).
 *
 * Exit status: 0 ok, 1 errors in the input, 2 bad usage or I/O, 3 internal
 * error (die()). */
#include "cg/cg.h"

#include "rt.h"   /* rt_output_target: where a written file goes */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* %1$s: the passes with the front end, %2$s without (pipeline.c's table). */
static const char usage_text[] =
    "usage: dmc [options] FILE.dm | FILE.ir\n"
    "  FILE.ir             a model in the IR's text form (--emit=ir), read instead of a\n"
    "                      source; no pass runs on it unless --passes names it\n"
    "  -o PATH             output file (default: FILE.o; '-' is standard output for text).\n"
    "                      An object output also writes the C header beside it (PATH.h),\n"
    "                      unless PATH is a device or FIFO (written in place, e.g. /dev/null)\n"
    "  --emit=KIND         obj (default) | shared | asm | llvm | ir | header | dot | ast\n"
    "                      shared: a loadable library (FILE.so) holding the models and\n"
    "                      libdmrt, linked by cc ($DMC_CC) with libdmrt.a found beside\n"
    "                      dmc, in ../lib, or at $DMC_RUNTIME\n"
    "  --passes=LIST       run these passes in this order instead of the default\n"
    "                      pipeline (comma-separated: %2$s)\n"
    "  --dump-after=PASS   print the graph IR after a pass to stderr\n"
    "                      (%1$s)\n"
    "  -O0 .. -O3          optimisation level (default -O2); -Os, -Oz: -O2 favouring code size\n"
    "  -D NAME=VALUE       override a const (e.g. -D batch=128)\n"
    "  -Werror             make warnings errors (-Werror=NAME: only that one)\n"
    "  -Wno-NAME, -w       silence one warning, or all: unused-input, unused-param,\n"
    "                      unused-binding, unused-argument, untrained-param, loss-constant\n"
    "  --target=TRIPLE     cross-compile (default: the host; 32- or 64-bit targets)\n"
    "  --cpu=NAME          target CPU (default: the host's, or generic for a cross target)\n"
    "  --cpu=portable      x86-64, x86-64-v3 and x86-64-v4 code in one object; dm_new runs the best\n"
    "                      (or a list: --cpu=x86-64,x86-64-v4)\n"
    "  --features=LIST     target features, LLVM syntax (+avx2,-avx512f)\n"
    "  --fp-contract=MODE  fast (default): multiply-adds may fuse anywhere; on: only within\n"
    "                      one kernel expression; off: never, so every target computes\n"
    "                      bit-identical results\n"
    "  --model=NAME        only this model of a file with several\n"
    "  --name=NAME         compile the model under another name: its symbols, header and\n"
    "                      descriptor (NAME_model); parameter names, so checkpoints, stay.\n"
    "                      A file with several models needs --model to pick one\n"
    "  --no-train          inference only: no gradient or update code\n"
    "  --in-place-update   train_step applies each parameter's update as soon as its gradient\n"
    "                      is final, so no gradient tensors are kept (a smaller instance);\n"
    "                      no gradients or apply entry. Only for sgd without momentum\n"
    "  --check-numerics    training entries fail with DM_ENUMERIC on a non-finite loss or\n"
    "                      gradient, leaving parameters and optimizer state unchanged\n"
    "  --stats             per-node shape, FLOPs and bytes, the memory plan and each entry's\n"
    "                      stack and code size (objects), to stderr\n"
    "  --max-stack=SIZE    refuse a model an entry of which needs more than SIZE bytes of\n"
    "                      stack (as measured after code generation; --stats prints it)\n"
    "  --max-memory=SIZE   refuse a model whose instance needs more than SIZE bytes\n"
    "                      (suffixes K, M, G, T: powers of 1024; default 16G)\n"
    "  --verify-each       run the IR verifier after every pass\n"
    "  --list-builtins     print the built-in functions' names, one a line, and exit\n"
    "  -h, --help          this text;  --version  the version\n"
    "exit status: 0 ok, 1 errors in the input, 2 bad usage or I/O, 3 internal error\n";

static _Noreturn void usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "dmc: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run 'dmc --help' for usage)\n");
    exit(2);
}

static FpContract parse_fp_contract(const char *mode) {
    if (strcmp(mode, "fast") == 0) return FP_CONTRACT_FAST;
    if (strcmp(mode, "on") == 0) return FP_CONTRACT_ON;
    if (strcmp(mode, "off") == 0) return FP_CONTRACT_OFF;
    usage_error("--fp-contract=%s: expected off, on or fast", mode);
}

static bool starts_with(const char *s, const char *prefix, const char **rest) {
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0) return false;
    *rest = s + n;
    return true;
}

static EmitKind parse_emit(const char *kind) {
    static const struct { const char *name; EmitKind kind; } kinds[] = {
        {"obj", EMIT_OBJ}, {"shared", EMIT_SHARED}, {"asm", EMIT_ASM}, {"llvm", EMIT_LLVM}, {"ir", EMIT_IR},
        {"header", EMIT_HEADER}, {"dot", EMIT_DOT}, {"ast", EMIT_AST},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i].name) == 0) return kinds[i].kind;
    usage_error("unknown --emit kind '%s' (obj, shared, asm, llvm, ir, header, dot, ast)", kind);
}

static void add_define(Arena *a, Options *o, const char *text) {
    const char *eq = strchr(text, '=');
    if (!eq || eq == text || !eq[1]) usage_error("-D expects NAME=VALUE, got '%s'", text);
    Define d = {arena_strndup(a, text, (size_t)(eq - text)), arena_strdup(a, eq + 1), false};
    VEC_PUSH(a, o->defines.items, o->defines.n, o->defines.cap, d);
}

/* SIZE[K|M|G|T], binary multiples. */
static uint64_t parse_size(const char *option, const char *text) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    int shift = 0;
    switch (*end) {
    case 'K': shift = 10, end++; break;
    case 'M': shift = 20, end++; break;
    case 'G': shift = 30, end++; break;
    case 'T': shift = 40, end++; break;
    }
    if (errno || end == text || *end || text[0] == '-' || v == 0 || v > (UINT64_MAX >> shift))
        usage_error("%s", arena_printf(arena_new(), "%s expects a positive size such as 512M or 16G, got '%s'", option,
                                       text)); /* the process ends: the arena need not */
    return (uint64_t)v << shift;
}

/* --name=NAME: a C identifier outside the runtime's dm_ prefix, as a
 * model's name must be (sema checks the names in the file). */
static const char *check_model_name(const char *name) {
    bool ok = (*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') || *name == '_';
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (!ok) usage_error("--name expects a C identifier (letters, digits, '_'), got '%s'", name);
    if (!strcmp(name, "dm") || !strcmp(name, "DM") || !strncmp(name, "dm_", 3) || !strncmp(name, "DM_", 3))
        usage_error("--name=%s: the runtime owns the names dm and dm_*", name);
    return name;
}

static void parse_args(Arena *a, int argc, char **argv, Options *o) {
    o->emit = EMIT_OBJ;
    o->max_memory = (uint64_t)16 << 30;
    o->opt_level = 2;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            printf(usage_text, pipeline_names(a, true), pipeline_names(a, false));
            exit(0);
        } else if (strcmp(arg, "--list-builtins") == 0) {
            const char *names[SEMA_MAX_BUILTINS];
            for (int k = 0, n = sema_builtin_names(names); k < n; k++) puts(names[k]);
            exit(0);
        } else if (strcmp(arg, "--version") == 0) {
            printf("dmc %s (LLVM 19)\n", DMC_VERSION);
            exit(0);
        } else if (strcmp(arg, "-o") == 0) {
            if (++i >= argc) usage_error("%s needs a path", arg);
            o->output = argv[i];
        } else if (starts_with(arg, "-o", &v) && *v) {
            o->output = v;
        } else if (strcmp(arg, "-D") == 0) {
            if (++i >= argc) usage_error("%s needs NAME=VALUE", arg);
            add_define(a, o, argv[i]);
        } else if (starts_with(arg, "-D", &v) && *v) {
            add_define(a, o, v);
        } else if (starts_with(arg, "-O", &v) && v[0] >= '0' && v[0] <= '3' && !v[1]) {
            o->opt_level = v[0] - '0';
            o->size_level = 0;
        } else if (strcmp(arg, "-Os") == 0 || strcmp(arg, "-Oz") == 0) {
            o->opt_level = 2;
            o->size_level = arg[2] == 's' ? 1 : 2;
        } else if (starts_with(arg, "--emit=", &v)) {
            o->emit = parse_emit(v);
        } else if (starts_with(arg, "--dump-after=", &v)) {
            o->dump_after = v;
        } else if (starts_with(arg, "--passes=", &v)) {
            o->passes = v;
        } else if (starts_with(arg, "--target=", &v)) {
            o->target = v;
        } else if (starts_with(arg, "--cpu=", &v)) {
            o->cpu = v;
        } else if (starts_with(arg, "--features=", &v)) {
            o->features = v;
        } else if (starts_with(arg, "--model=", &v)) {
            o->model = v;
        } else if (starts_with(arg, "--name=", &v)) {
            o->name = check_model_name(v);
        } else if (strcmp(arg, "--no-train") == 0) {
            o->no_train = true;
        } else if (strcmp(arg, "--in-place-update") == 0) {
            o->in_place_update = true;
        } else if (strcmp(arg, "--stats") == 0) {
            o->stats = true;
        } else if (strcmp(arg, "--check-numerics") == 0) {
            o->check_numerics = true;
        } else if (starts_with(arg, "--max-memory=", &v)) {
            o->max_memory = parse_size("--max-memory", v);
        } else if (starts_with(arg, "--max-stack=", &v)) {
            o->max_stack = parse_size("--max-stack", v);
        } else if (starts_with(arg, "--fp-contract=", &v)) {
            o->fp_contract = parse_fp_contract(v);
        } else if (strcmp(arg, "--verify-each") == 0) {
            o->verify_each = true;
        } else if (strcmp(arg, "-w") == 0 || starts_with(arg, "-W", &v)) {
            char why[256];
            if (!diag_warning_option(&o->warn, arg, why, sizeof why)) usage_error("%s", why);
        } else if (arg[0] == '-' && arg[1]) {
            usage_error("unknown option '%s'", arg);
        } else if (o->input) {
            usage_error("more than one input file ('%s')", arg);
        } else {
            o->input = arg;
        }
    }
    if (!o->input) usage_error("%s", "no input file");
    if (o->emit == EMIT_SHARED && o->target)
        usage_error("--emit=shared links with this machine's cc and libdmrt: not with --target=%s", o->target);
    /* --check-numerics checks every gradient before the first update; with
     * in-place updates there is no such point (docs/targets.md). */
    if (o->in_place_update && o->no_train) usage_error("%s", "--in-place-update changes the train step: --no-train has none");
    if (o->in_place_update && o->check_numerics)
        usage_error("%s", "--in-place-update and --check-numerics: the check needs every gradient before the first "
                          "update, and in-place updates start before the last gradient is computed");
    if (o->dump_after && !pipeline_is_pass(o->dump_after, true))
        usage_error("%s", arena_printf(a, "unknown pass '%s' for --dump-after (%s)", o->dump_after,
                                       pipeline_names(a, true)));
    const char *why = o->passes ? pipeline_check_list(a, o->passes, o->dump_after) : NULL;
    if (why) usage_error("%s", why);
}

/* FILE.dm -> FILE.ext in the same folder. */
static const char *replace_extension(Arena *a, const char *path, const char *ext) {
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    return arena_printf(a, "%.*s%s", (int)stem, path, ext);
}

/* The default output: objects and the other files a build consumes go
 * beside the input; the text meant for reading goes to standard output. */
static const char *default_output(Arena *a, const Options *o) {
    switch (o->emit) {
    case EMIT_OBJ: return replace_extension(a, o->input, ".o");
    case EMIT_SHARED: return replace_extension(a, o->input, ".so");
    case EMIT_ASM: return replace_extension(a, o->input, ".s");
    case EMIT_LLVM: return replace_extension(a, o->input, ".ll");
    case EMIT_HEADER: return replace_extension(a, o->input, ".h");
    case EMIT_IR: case EMIT_DOT: case EMIT_AST: return "-";
    }
    return "-";
}

/* ---- outputs that appear whole or not at all ---- */

typedef struct Pending {
    const char *tmp, *final;
} Pending;

typedef struct Outputs {
    Pending items[2];
    int n;
} Outputs;

static Outputs *live_outputs;   /* for the exit handler only: removes temporaries */

static void remove_temporaries(void) {
    for (int i = 0; live_outputs && i < live_outputs->n; i++) unlink(live_outputs->items[i].tmp);
}

/* A crash (an abort inside LLVM, a fault) or an interrupt must not leave
 * the temporaries behind either.  unlink() is async-signal-safe.  An abort
 * is an internal error (exit 3); a fault is handed back to the previous
 * handler (the default, or a sanitizer's) by returning into the faulting
 * instruction; an interrupt is raised again with the previous action. */
static const int cleanup_signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGINT, SIGTERM, SIGHUP};
static struct sigaction previous_actions[sizeof cleanup_signals / sizeof cleanup_signals[0]];

static void on_signal(int sig) {
    remove_temporaries();
    if (sig == SIGABRT) {
        static const char msg[] = "dmc: internal error: aborted\n";
        if (write(2, msg, sizeof msg - 1) < 0) _exit(3);
        _exit(3);
    }
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++)
        if (cleanup_signals[i] == sig) sigaction(sig, &previous_actions[i], NULL);
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) raise(sig);
}

static void install_signal_cleanup(void) {
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_signal;
    sigemptyset(&act.sa_mask);
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++)
        sigaction(cleanup_signals[i], &act, &previous_actions[i]);
}

/* Where the output `path` is written: a temporary path in the folder of the
 * file it names (through its symbolic links: *replaced, if asked), so that
 * rename() over that file is atomic; or, for a path that exists and is not a
 * regular file (a device, a FIFO: *in_place), the path itself, never renamed
 * over. */
static const char *reserve_output(Arena *a, Outputs *outs, const char *path, bool *in_place, const char **replaced) {
    char *target = NULL;
    int direct = 0;
    if (rt_output_target(path, &target, &direct) != DM_OK) fatal("cannot write %s", dm_last_error());
    const char *final = arena_strdup(a, target);
    free(target);
    if (in_place) *in_place = direct;
    if (replaced) *replaced = final;
    if (direct) return final;
    char *tmp = arena_printf(a, "%s.tmp-XXXXXX", final);
    int fd = mkstemp(tmp);
    if (fd < 0) fatal("cannot create %s: %s", final, strerror(errno));
    /* mkstemp's 0600 would outlive the rename: give the file the mode a
     * plain fopen would have (0666 less the umask). */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    close(fd);
    outs->items[outs->n++] = (Pending){tmp, final};
    return tmp;
}

static void commit_outputs(Outputs *outs) {
    for (int i = 0; i < outs->n; i++)
        if (rename(outs->items[i].tmp, outs->items[i].final) != 0)
            fatal("cannot write %s: %s", outs->items[i].final, strerror(errno));
    outs->n = 0;
}

/* `dmc m.dm -o m.dm` would replace the source with the object. */
static void refuse_input_as_output(const Options *o, const char *path) {
    struct stat in, out;
    if (strcmp(path, "-") != 0 && stat(o->input, &in) == 0 && stat(path, &out) == 0 && in.st_dev == out.st_dev &&
        in.st_ino == out.st_ino)
        usage_error("the output '%s' is the input file", path);
}

/* Text output: a FILE on standard output or on a reserved temporary. */
static FILE *open_text(Arena *a, Outputs *outs, const char *path) {
    if (strcmp(path, "-") == 0) return stdout;
    FILE *f = fopen(reserve_output(a, outs, path, NULL, NULL), "w");
    if (!f) fatal("cannot write %s: %s", path, strerror(errno));
    return f;
}

static void close_text(FILE *f, const char *path) {
    if (f == stdout) {
        if (fflush(f) != 0) fatal("cannot write standard output: %s", strerror(errno));
        return;
    }
    if (ferror(f) | (fclose(f) != 0)) fatal("cannot write %s: %s", path, strerror(errno));
}

/* ---- the pipeline ---- */

/* An input named *.ir is the IR's text form (read.c), anything else a source. */
static bool is_ir_input(const char *path) {
    size_t n = strlen(path);
    return n > 3 && strcmp(path + n - 3, ".ir") == 0;
}

/* The models of an IR input, only --model's if given. */
static bool read_ir(Arena *a, Diag *diag, const Options *o, Models *models) {
    SourceFile *file = source_read(a, o->input);
    if (!file) fatal("cannot read %s: %s", o->input, strerror(errno));
    if (file->size > PARSE_MAX_FILE) {   /* source_read kept its size, not its text */
        diag_error(diag, (Loc){0}, "%s: file too large: %zu bytes (the limit is %d MiB)", file->path, file->size,
                   PARSE_MAX_FILE >> 20);
        return false;
    }
    if (!ir_read(a, diag, file, models)) return false;
    if (!o->model) return true;
    for (int i = 0; i < models->n; i++)
        if (strcmp(models->items[i]->name, o->model) == 0) {
            models->items[0] = models->items[i];
            models->n = 1;
            return true;
        }
    diag_error(diag, (Loc){0}, "--model=%s: there is no model named '%s' in %s", o->model, o->model, o->input);
    return false;
}

static bool front_end(Arena *a, Diag *diag, const Options *o, Program *prog) {
    SourceFile *prelude = source_from_string(a, "<prelude>", prelude_source);
    if (!parse_file(a, diag, prelude, prog)) die("the prelude does not parse");
    SourceFile *file = source_read(a, o->input);
    if (!file) fatal("cannot read %s: %s", o->input, strerror(errno));
    return parse_file(a, diag, file, prog);
}

static void emit(Arena *a, const Options *o, Models *models, Outputs *outs) {
    const char *path = o->output ? o->output : default_output(a, o);
    refuse_input_as_output(o, path);
    FILE *f;
    switch (o->emit) {
    case EMIT_AST: die("--emit=ast is handled before sema");
    case EMIT_IR:
        f = open_text(a, outs, path);
        for (int i = 0; i < models->n; i++) model_print(f, models->items[i]);
        close_text(f, path);
        return;
    case EMIT_DOT:
        f = open_text(a, outs, path);
        dot_print(f, models);
        close_text(f, path);
        return;
    case EMIT_HEADER:
        if (strcmp(path, "-") == 0) path = "/dev/stdout";
        else path = reserve_output(a, outs, path, NULL, NULL);
        if (!header_emit(a, o, models, path)) exit(2);
        return;
    case EMIT_OBJ: {
        if (strcmp(path, "-") == 0) usage_error("%s", "an object cannot go to standard output");
        /* The header goes beside the file the object replaces (the end of
         * -o's links); a device or FIFO takes the object alone: no header
         * (`-o /dev/null` must not write /dev/null.h). */
        bool in_place = false;
        const char *replaced = path, *hdr_tmp = NULL;
        const char *obj_tmp = reserve_output(a, outs, path, &in_place, &replaced);
        if (!in_place) {
            const char *header = replace_extension(a, replaced, ".h");
            if (strcmp(header, replaced) == 0) header = arena_printf(a, "%s.h", replaced);
            refuse_input_as_output(o, header);
            hdr_tmp = reserve_output(a, outs, header, NULL, NULL);
        }
        if (!cg_emit(a, o, models, obj_tmp) || (hdr_tmp && !header_emit(a, o, models, hdr_tmp))) exit(2);
        return;
    }
    case EMIT_SHARED: {
        if (strcmp(path, "-") == 0) usage_error("%s", "a library cannot go to standard output");
        bool in_place = false;
        const char *replaced = path;
        const char *lib_tmp = reserve_output(a, outs, path, &in_place, &replaced);
        /* The object is an intermediate: reserved last (so an exit removes
         * it), then removed and dropped from the outputs to rename.  Beside
         * the library, or in the temporary folder when the library goes to
         * a device. */
        const char *obj_base = in_place ? arena_printf(a, "%s/dmc-shared", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp")
                                        : replaced;
        const char *obj_tmp = reserve_output(a, outs, arena_printf(a, "%s.o", obj_base), NULL, NULL);
        if (!cg_emit(a, o, models, obj_tmp) || !link_shared(a, obj_tmp, lib_tmp)) exit(2);
        unlink(obj_tmp);
        outs->n--;
        return;
    }
    case EMIT_ASM:
    case EMIT_LLVM:
        if (strcmp(path, "-") == 0) path = "/dev/stdout";
        else path = reserve_output(a, outs, path, NULL, NULL);
        if (!cg_emit(a, o, models, path)) exit(2);
        return;
    }
}

/* --name: the one model compiled takes the name in every output (symbols,
 * header, descriptor); its tensors keep theirs. */
static void rename_model(const Options *o, Models *models) {
    if (models->n != 1) {
        fprintf(stderr, "dmc: error: --name=%s renames one model, but %s defines %d (%s, %s%s); pick one with --model\n",
                o->name, o->input, models->n, models->items[0]->name, models->items[1]->name,
                models->n > 2 ? ", ..." : "");
        exit(2);
    }
    models->items[0]->name = o->name;
}

static const char *human_bytes(Arena *a, uint64_t n) {
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 6) v /= 1024, u++;
    return u ? arena_printf(a, "%.1f %s", v, units[u]) : arena_printf(a, "%llu bytes", (unsigned long long)n);
}

/* The memory cap: an instance's whole data region (tensors and the planned
 * scratch arena) must fit in o->max_memory. */
static bool check_memory(Arena *a, Diag *d, const Options *o, const Models *models) {
    bool ok = true;
    for (int i = 0; i < models->n; i++) {
        const Model *m = models->items[i];
        const ModelPlan *plan = plan_model(a, m, o->opt_level);
        if (plan->data_size <= o->max_memory) continue;
        diag_error(d, m->loc, "model '%s' needs %s per instance, more than the limit of %s (--max-memory)",
                   m->name, human_bytes(a, plan->data_size), human_bytes(a, o->max_memory));
        int largest = 0;
        for (int t = 1; t < m->ntensors; t++)
            if (shape_count(m->tensors[t].shape) > shape_count(m->tensors[largest].shape)) largest = t;
        const Tensor *t = &m->tensors[largest];
        diag_note(d, t->loc, "its largest tensor is '%s', %s (%s)", t->name, shape_str(a, t->dtype, t->shape),
                  human_bytes(a, (uint64_t)shape_count(t->shape) * (uint64_t)dtype_size(t->dtype)));
        ok = false;
    }
    return ok;
}

int main(int argc, char **argv) {
    Arena *a = arena_new();
    Options o = {0};
    parse_args(a, argc, argv, &o);

    /* static: the exit handler runs after main has returned (ASan: stack-use-after-return). */
    static Outputs outs;
    live_outputs = &outs;
    atexit(remove_temporaries);
    install_signal_cleanup();

    Diag diag = {.max_errors = 20, .out = stderr, .color = false, .warn = o.warn};
    Program prog = {0};
    Models models = {0};
    bool ir_input = is_ir_input(o.input);
    if (ir_input && o.emit == EMIT_AST) usage_error("%s", "--emit=ast needs a source file, not an IR input");
    if (ir_input && o.defines.n) usage_error("-D %s: an IR input has no consts to override", o.defines.items[0].name);
    if (ir_input && !o.passes) o.passes = "";
    bool ok = ir_input ? read_ir(a, &diag, &o, &models) : front_end(a, &diag, &o, &prog);
    if (ok && o.emit == EMIT_AST) {
        const char *path = o.output ? o.output : "-";
        refuse_input_as_output(&o, path);
        FILE *f = open_text(a, &outs, path);
        ast_dump(f, &prog);
        close_text(f, path);
        commit_outputs(&outs);
        arena_free(a);
        return 0;
    }

    if (ok && !ir_input) ok = sema_program(a, &diag, &prog, &o.defines, o.model, &models);
    if (ok && !diag.nerrors && o.name) rename_model(&o, &models);
    if (ok && !diag.nerrors) ok = pipeline_run(a, &diag, &o, &models);
    if (!ok || diag.nerrors) {
        diag_finish(&diag);
        arena_free(a);
        return 1;
    }
    if (!check_memory(a, &diag, &o, &models)) {
        diag_finish(&diag);
        arena_free(a);
        return 1;
    }
    if (o.stats)
        for (int i = 0; i < models.n; i++) plan_print_stats(stderr, models.items[i]);
    emit(a, &o, &models, &outs);
    commit_outputs(&outs);
    diag_finish(&diag);   /* the warnings' count */
    arena_free(a);
    return 0;
}
