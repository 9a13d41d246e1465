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

/* Levenshtein distance, for "did you mean" suggestions. */
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

typedef struct Diag {
    int nerrors;          /* errors reported so far (including suppressed) */
    int max_errors;       /* print at most this many (default 20), count the rest */
    FILE *out;            /* stderr, or a buffer in tests */
    bool color;
} Diag;

/* Report "file:line:col: error: ...", the source line and a caret (range
 * loc.len).  Notes attach to the preceding error. */
void diag_error(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_verror(Diag *d, Loc loc, const char *fmt, va_list ap);
void diag_finish(Diag *d);   /* prints "N errors generated" style trailer incl. suppressed count */
/* The closest of names[0..n) to name within a small edit distance, or NULL. */
const char *diag_suggest(const char *name, const char *const *names, int n);

#endif
