/* parse.c: reading source files and running the flex scanner and bison
 * parser of grammar/ over them.
 *
 * Needs: the generated dm.tab.h / dm.lex.h.  Guarantees: a source file is read
 * whole into the arena (NUL-terminated; NUL bytes inside it are left for the
 * scanner to report with their location); a file larger than PARSE_MAX_FILE
 * is not read and parse_file reports it; parse_file appends every declaration
 * it could parse to the program and returns false if any error was reported
 * while parsing. */
#include "front/front.h"
#include "dm.tab.h"
#include "dm.lex.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

Loc parse_loc(const ParseCtx *p, YYLTYPE l) {
    int len = l.first_line == l.last_line && l.last_column > l.first_column ? l.last_column - l.first_column : 1;
    return (Loc){p->file, l.first_line, l.first_column, len};
}

SourceFile *source_from_string(Arena *a, const char *name, const char *text) {
    SourceFile *f = arena_alloc(a, sizeof *f);
    f->path = arena_strdup(a, name);
    f->size = strlen(text);
    f->text = arena_strndup(a, text, f->size);
    return f;
}

/* Too large a file keeps its size but not its text (see parse_file). */
static SourceFile *source_too_large(Arena *a, const char *path, size_t size) {
    SourceFile *f = arena_alloc(a, sizeof *f);
    f->path = arena_strdup(a, path);
    f->text = "";
    f->size = size;
    return f;
}

SourceFile *source_read(Arena *a, const char *path) {
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *in = is_stdin ? stdin : fopen(path, "rb");
    if (!in) return NULL;
    const char *name = is_stdin ? "<stdin>" : path;
    struct stat st;
    if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!is_stdin) fclose(in);
        errno = EISDIR;
        return NULL;
    }
    if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > PARSE_MAX_FILE) {
        if (!is_stdin) fclose(in);
        return source_too_large(a, name, (size_t)st.st_size);
    }
    /* Read at most one byte past the limit, so that a pipe cannot make us
     * swallow an endless stream either. */
    size_t cap = 4096, size = 0;
    char *buf = arena_alloc(a, cap + 1);
    for (;;) {
        if (size == cap) {
            if (cap > PARSE_MAX_FILE) break;
            char *bigger = arena_alloc(a, 2 * cap + 1);
            memcpy(bigger, buf, size);
            buf = bigger, cap *= 2;
        }
        size_t got = fread(buf + size, 1, cap - size, in);
        size += got;
        if (got == 0) break;
    }
    int err = ferror(in) ? errno : 0;
    if (!is_stdin) fclose(in);
    if (err) {
        errno = err;
        return NULL;
    }
    if (size > PARSE_MAX_FILE) return source_too_large(a, name, size);
    buf[size] = '\0';
    SourceFile *f = arena_alloc(a, sizeof *f);
    f->path = arena_strdup(a, name);
    f->text = buf;
    f->size = size;
    return f;
}

bool parse_file(Arena *a, Diag *d, const SourceFile *file, Program *prog) {
    int errors_before = d->nerrors;
    if (file->size > PARSE_MAX_FILE) {
        diag_error(d, (Loc){0}, "%s: file too large: %zu bytes (the limit is %d MiB)", file->path, file->size,
                   PARSE_MAX_FILE >> 20);
        return false;
    }
    ParseCtx *p = arena_alloc(a, sizeof *p);
    p->arena = a;
    p->diag = d;
    p->file = file;
    p->prog = prog;
    p->line = p->col = 1;
    yyscan_t scanner;
    if (yylex_init_extra(p, &scanner) != 0) fatal("out of memory");
    p->scanner = scanner;
    YY_BUFFER_STATE buffer = yy_scan_bytes(file->text, (int)file->size, scanner);
    int status = yyparse(scanner, p);
    yy_delete_buffer(buffer, scanner);
    yylex_destroy(scanner);
    return status == 0 && d->nerrors == errors_before;
}
