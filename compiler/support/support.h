/* support.h: what every layer of the compiler uses: the arena, growable
 * arrays, fatal errors (util.c), source locations and diagnostics (diag.c). */
#ifndef DMC_SUPPORT_H
#define DMC_SUPPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DMC_VERSION "0.1.0"

/* ---- util.c: arena, growable arrays, strings, fatal errors ------------- */

/* One arena per compilation: everything the compiler allocates lives until
 * arena_free at the end of main. */
typedef struct Arena Arena;
Arena *arena_new(void);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t size);            /* zeroed, 16-byte aligned */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable array of T in the arena: `T *items; int n, cap;` fields named
 * by the caller.  VEC_PUSH(arena, v.items, v.n, v.cap, x). */
void *vec_grow(Arena *a, void *items, int n, int *cap, size_t elem);
#define VEC_PUSH(A, ITEMS, N, CAP, X) \
    ((ITEMS) = vec_grow((A), (ITEMS), (N), &(CAP), sizeof *(ITEMS)), (ITEMS)[(N)++] = (X))

/* The environment's mistakes (exit 2) and the compiler's own bugs (exit 3). */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define die(...) die_at(__FILE__, __LINE__, __VA_ARGS__)

/* Edit distance (insertions, deletions, substitutions and transpositions of
 * two neighbours), for "did you mean" suggestions. */
int edit_distance(const char *a, const char *b);

/* ---- source locations and diagnostics (diag.c) -------------------------- */

typedef struct SourceFile {
    const char *path;     /* as given on the command line, or "<prelude>" */
    const char *text;     /* NUL-terminated contents */
    size_t size;
} SourceFile;

/* 1-based line and column; len = number of columns the caret range covers
 * (at least 1).  file == NULL means "no location" (e.g. errors about -D). */
typedef struct Loc {
    const SourceFile *file;
    int line, col, len;
} Loc;

/* The warnings (docs/diagnostics.md, "Warnings"); each has a name for the
 * command line: -Wno-unused-param, -Werror=loss-constant. */
typedef enum {
    W_UNUSED_INPUT, W_UNUSED_PARAM, W_UNUSED_BINDING, W_UNUSED_ARGUMENT, W_UNTRAINED_PARAM, W_LOSS_CONSTANT,
    W_COUNT
} WarningKind;

/* What the -W options asked for (bit k = WarningKind k). */
typedef struct WarningOptions {
    bool none;            /* -w */
    bool all_errors;      /* -Werror */
    uint32_t off;         /* -Wno-NAME */
    uint32_t errors;      /* -Werror=NAME */
    uint32_t not_errors;  /* -Wno-error=NAME */
} WarningOptions;

typedef struct Diag {
    int nerrors;          /* errors reported so far (including suppressed) */
    int nwarnings;        /* warnings printed as warnings */
    int max_errors;       /* print at most this many (default 20), count the rest */
    FILE *out;            /* stderr, or a buffer in tests */
    bool color;
    WarningOptions warn;
    bool last_shown;      /* the last error or warning was printed (its notes are) */
} Diag;

/* Report "file:line:col: error: ...", the source line and a caret (range
 * loc.len).  Notes attach to the preceding error. */
void diag_error(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_verror(Diag *d, Loc loc, const char *fmt, va_list ap);
/* A warning of kind k, unless the options turned it off; an error under
 * -Werror.  The message gets the option's name: [-Wunused-param]. */
void diag_warning(Diag *d, WarningKind k, Loc loc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Applies one -w / -W... option; false (and why, in a buffer of n bytes) if
 * it is not one. */
bool diag_warning_option(WarningOptions *w, const char *arg, char *why, size_t n);
void diag_finish(Diag *d);   /* "N warnings and M errors generated", suppressed errors counted */
/* The closest of names[0..n) to name within a small edit distance, or NULL. */
const char *diag_suggest(const char *name, const char *const *names, int n);

#endif
