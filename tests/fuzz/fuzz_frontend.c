/* fuzz_frontend.c: the compiler's front and middle end against arbitrary
 * bytes taken as a .dm file.
 *
 * Needs: libdmc built with the fuzzer's instrumentation (tests/reliability.mk).
 * For every input, in a fresh arena freed afterwards: the prelude and the
 * input are parsed, sema checks the program, and if that succeeds the
 * driver's pipeline runs (autodiff, optimizer, entries, simplify, with the
 * verifier after each pass as --verify-each does; inputs of odd length as
 * --no-train, the others with training), then the memory plan and
 * the text printers.  No LLVM code generation: it is far too slow for a fuzz
 * loop (the mutation test of make test covers it with whole dmc runs).
 *
 * Diagnostics go to /dev/null.  A crash, a sanitizer report, a leak, a
 * die() (exit 3) or a fatal() (exit 2) is a finding: bad input must only
 * ever produce diagnostics. */
#include "cg/cg.h"

#include <stdlib.h>
#include <string.h>

static FILE *null_output(void) {
    static FILE *null;
    if (!null) null = fopen("/dev/null", "w");
    if (!null) abort();
    return null;
}

static void verify_models(Models *models) {
    for (int i = 0; i < models->n; i++) model_verify(models->items[i]);
}

/* The driver's lower() (compiler/main.c) at -O2, with or without training. */
static void lower(Arena *a, Models *models, bool no_train) {
    verify_models(models);
    for (int i = 0; i < models->n; i++) {
        Model *m = models->items[i];
        if (m->loss_tensor >= 0 && !no_train) autodiff_model(a, m);
    }
    verify_models(models);
    for (int i = 0; i < models->n; i++) {
        Model *m = models->items[i];
        if (m->loss_tensor >= 0 && !no_train) optim_model(a, m);
    }
    verify_models(models);
    for (int i = 0; i < models->n; i++) {
        Model *m = models->items[i];
        entries_finish(a, m, m->loss_tensor >= 0 && !no_train);
    }
    verify_models(models);
    for (int i = 0; i < models->n; i++) {
        Model *m = models->items[i];
        Graph *graphs[] = {&m->forward, &m->gradients, &m->apply, &m->train_step};
        for (size_t g = 0; g < sizeof graphs / sizeof graphs[0]; g++)
            if (graphs[g]->n) simplify_graph(a, m, graphs[g]);
    }
    verify_models(models);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Arena *a = arena_new();
    FILE *null = null_output();
    Diag diag = {.max_errors = 20, .out = null, .color = false};
    Program prog = {0};

    SourceFile *prelude = source_from_string(a, "<prelude>", prelude_source);
    if (!parse_file(a, &diag, prelude, &prog)) die("the prelude does not parse");

    /* As source_read builds it: NUL-terminated, with the true size, so that
     * NUL bytes inside the input reach the scanner as they would from a file. */
    char *text = arena_alloc(a, size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    SourceFile *file = arena_alloc(a, sizeof *file);
    file->path = "fuzz.dm";
    file->text = text;
    file->size = size;

    bool ok = parse_file(a, &diag, file, &prog);
    if (ok) ast_dump(null, &prog);
    Models models = {0};
    Defines defines = {0};
    if (ok) ok = sema_program(a, &diag, &prog, &defines, NULL, &models);
    if (ok && diag.nerrors == 0) {
        lower(a, &models, size % 2 == 1); /* odd sizes as --no-train: both paths get fuzzed */
        for (int i = 0; i < models.n; i++) {
            model_print(null, models.items[i]);
            plan_model(a, models.items[i], 2);
        }
        dot_print(null, &models);
    } else {
        diag_finish(&diag);
    }
    arena_free(a);
    return 0;
}
