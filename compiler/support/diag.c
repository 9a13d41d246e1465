/* diag.c: the user's mistakes, reported in one format everywhere:
 *
 *   mlp.dm:12:9: error: matmul shapes do not agree: f32[64, 784] @ f32[128, 10]
 *      12 |   h = x @ W2
 *         |         ^
 *
 * Needs: a Diag (out == NULL means stderr) and Locs whose file holds the text.
 * Guarantees: never reads outside the source text (a Loc past the end of its
 * line puts the caret just after the line), prints at most max_errors errors
 * (0 = 20) but counts them all, and a note is shown only when the error or
 * warning it belongs to was.  Warnings are filtered and promoted to errors as
 * the -W options say (gcc's conventions).  The format is documented in
 * docs/diagnostics.md. */
#include "support/support.h"

#include <string.h>

enum { DEFAULT_MAX_ERRORS = 20 };

/* Errors past the cap are counted, not printed; so are their notes. */
static int error_cap(const Diag *d) {
    return d->max_errors > 0 ? d->max_errors : DEFAULT_MAX_ERRORS;
}

static FILE *diag_out(const Diag *d) {
    return d->out ? d->out : stderr;
}

/* The bytes of line `line` (1-based) of f: start and length without '\n'. */
static bool source_line(const SourceFile *f, int line, const char **start, int *len) {
    if (!f || !f->text || line < 1) return false;
    const char *p = f->text, *end = f->text + f->size;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(p, '\n', end - p);
        if (!nl) return false;
        p = nl + 1;
    }
    const char *nl = memchr(p, '\n', end - p);
    *start = p;
    *len = (int)((nl ? nl : end) - p);
    if (*len > 0 && p[*len - 1] == '\r') (*len)--;   /* CRLF files */
    return true;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static int utf8_length(const unsigned char *s, int n) {
    int len;
    unsigned min;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) len = 2, min = 0x80;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) len = 3, min = 0x800;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4) len = 4, min = 0x10000;
    else return 0;
    if (len > n) return 0;
    unsigned cp = s[0] & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

enum { LINE_SHOWN_MAX = 200, WINDOW_BEFORE = 60, WINDOW_WIDTH = 160 };

/* Units of a line: a valid UTF-8 character, or one stray byte. */
static int unit_length(const unsigned char *s, int n) {
    int u = utf8_length(s, n);
    return u > 0 ? u : 1;
}

/* Print the source line, then under it a caret at byte column col covering
 * len bytes.  Each unit of the line (a tab, a UTF-8 character, a stray byte)
 * takes one column on screen; tabs are repeated in the caret line so they
 * line up, and bytes that are not printable text are shown as '?'.  Of a
 * line longer than LINE_SHOWN_MAX bytes only a window around the caret is
 * shown, between "..." marks. */
static void print_source(const Diag *d, FILE *out, Loc loc) {
    const char *line;
    int n;
    if (!source_line(loc.file, loc.line, &line, &n)) return;
    const unsigned char *s = (const unsigned char *)line;
    int col = loc.col < 1 ? 1 : loc.col;
    if (col > n + 1) col = n + 1;
    int len = loc.len < 1 ? 1 : loc.len;
    if (col - 1 + len > n) len = n - (col - 1) > 1 ? n - (col - 1) : 1;

    int start = 0, end = n;
    if (n > LINE_SHOWN_MAX) {
        start = col - 1 > WINDOW_BEFORE ? col - 1 - WINDOW_BEFORE : 0;
        while (start > 0 && (s[start] & 0xC0) == 0x80) start--;   /* not inside a character */
        end = start + WINDOW_WIDTH < n ? start + WINDOW_WIDTH : n;
        while (end < n && (s[end] & 0xC0) == 0x80) end++;
    }
    fprintf(out, "%5d | %s", loc.line, start > 0 ? "..." : "");
    for (int i = start; i < end; i += unit_length(s + i, n - i)) {
        int u = utf8_length(s + i, n - i);
        if (u > 1) fwrite(s + i, 1, u, out);
        else if (u == 1 && s[i] >= 0x20 && s[i] != 0x7F) fputc(s[i], out);
        else if (s[i] == '\t') fputc('\t', out);
        else fputc('?', out);
    }
    fprintf(out, "%s\n", end < n ? "..." : "");

    fprintf(out, "%5s | %s%s", "", start > 0 ? "   " : "", d->color ? "\033[1;32m" : "");
    int i = start;
    for (; i < col - 1; i += unit_length(s + i, n - i)) fputc(s[i] == '\t' ? '\t' : ' ', out);
    /* The range: one caret, then a '~' per further unit. */
    fputc('^', out);
    i += i < n ? unit_length(s + i, n - i) : 1;
    for (; i < col - 1 + len && i < end; i += unit_length(s + i, n - i)) fputc(s[i] == '\t' ? '\t' : '~', out);
    fprintf(out, "%s\n", d->color ? "\033[0m" : "");
}

static void report(Diag *d, const char *kind, Loc loc, const char *option, const char *fmt, va_list ap) {
    FILE *out = diag_out(d);
    const char *bold = d->color ? "\033[1m" : "", *reset = d->color ? "\033[0m" : "";
    const char *kind_color = !d->color ? "" : kind[0] == 'e' ? "\033[1;31m" : kind[0] == 'w' ? "\033[1;35m" : "\033[1;36m";
    if (loc.file) fprintf(out, "%s%s:%d:%d: ", bold, loc.file->path, loc.line, loc.col);
    else fprintf(out, "%sdmc: ", bold);
    fprintf(out, "%s%s:%s%s ", kind_color, kind, reset, bold);
    vfprintf(out, fmt, ap);
    if (option) fprintf(out, " [%s]", option);
    fprintf(out, "%s\n", reset);
    if (loc.file) print_source(d, out, loc);
}

void diag_verror(Diag *d, Loc loc, const char *fmt, va_list ap) {
    d->nerrors++;
    d->last_shown = d->nerrors <= error_cap(d);
    if (d->last_shown) report(d, "error", loc, NULL, fmt, ap);
}

void diag_error(Diag *d, Loc loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_verror(d, loc, fmt, ap);
    va_end(ap);
}

void diag_note(Diag *d, Loc loc, const char *fmt, ...) {
    if (!d->last_shown) return;   /* its error was not shown */
    va_list ap;
    va_start(ap, fmt);
    report(d, "note", loc, NULL, fmt, ap);
    va_end(ap);
}

/* ---- warnings ------------------------------------------------------------------ */

static const char *const warning_names[W_COUNT] = {
    [W_UNUSED_INPUT] = "unused-input",       [W_UNUSED_PARAM] = "unused-param",
    [W_UNUSED_BINDING] = "unused-binding",   [W_UNUSED_ARGUMENT] = "unused-argument",
    [W_UNTRAINED_PARAM] = "untrained-param", [W_LOSS_CONSTANT] = "loss-constant",
};

void diag_warning(Diag *d, WarningKind k, Loc loc, const char *fmt, ...) {
    uint32_t bit = 1u << k;
    d->last_shown = false;
    if (d->warn.none || (d->warn.off & bit)) return;
    bool error = (d->warn.errors & bit) || (d->warn.all_errors && !(d->warn.not_errors & bit));
    char option[64];
    snprintf(option, sizeof option, "-W%s%s", error ? "error=" : "", warning_names[k]);
    if (error) {
        d->nerrors++;
        if (d->nerrors > error_cap(d)) return;
    } else {
        d->nwarnings++;
    }
    d->last_shown = true;
    va_list ap;
    va_start(ap, fmt);
    report(d, error ? "error" : "warning", loc, option, fmt, ap);
    va_end(ap);
}

/* gcc's spellings, applied in command-line order (a later one wins): -w,
 * -Wall, -Werror, -Wno-error, -WNAME, -Wno-NAME, -Werror=NAME,
 * -Wno-error=NAME.  -w silences every warning, whatever else is given. */
bool diag_warning_option(WarningOptions *w, const char *arg, char *why, size_t n) {
    if (strcmp(arg, "-w") == 0) { w->none = true; return true; }
    if (strncmp(arg, "-W", 2) != 0) { snprintf(why, n, "unknown option '%s'", arg); return false; }
    if (strcmp(arg, "-Wall") == 0) { w->off = 0; return true; }
    if (strcmp(arg, "-Werror") == 0) { w->all_errors = true; return true; }
    if (strcmp(arg, "-Wno-error") == 0) { w->all_errors = false; return true; }
    const char *name = arg + 2;
    bool no = strncmp(name, "no-", 3) == 0;
    if (no) name += 3;
    bool error = strncmp(name, "error=", 6) == 0;
    if (error) name += 6;
    int k = -1;
    for (int i = 0; i < W_COUNT; i++)
        if (strcmp(warning_names[i], name) == 0) k = i;
    if (k < 0) {
        const char *near = diag_suggest(name, warning_names, W_COUNT);
        int prefix = (int)(name - arg);
        if (near) snprintf(why, n, "unknown warning option '%s'; did you mean '%.*s%s'?", arg, prefix, arg, near);
        else snprintf(why, n, "unknown warning option '%s' (the warnings: unused-input, unused-param, "
                      "unused-binding, unused-argument, untrained-param, loss-constant)", arg);
        return false;
    }
    uint32_t bit = 1u << k;
    if (error && no) w->not_errors |= bit, w->errors &= ~bit;
    else if (error) w->errors |= bit, w->not_errors &= ~bit, w->off &= ~bit;
    else if (no) w->off |= bit;
    else w->off &= ~bit;
    return true;
}

/* clang's trailer: "1 warning and 2 errors generated." */
void diag_finish(Diag *d) {
    if (d->nerrors == 0 && d->nwarnings == 0) return;
    FILE *out = diag_out(d);
    int cap = error_cap(d);
    if (d->nwarnings) fprintf(out, "%d warning%s", d->nwarnings, d->nwarnings == 1 ? "" : "s");
    if (d->nwarnings && d->nerrors) fprintf(out, " and ");
    if (d->nerrors) fprintf(out, "%d error%s", d->nerrors, d->nerrors == 1 ? "" : "s");
    fprintf(out, " generated");
    if (d->nerrors > cap) fprintf(out, " (%d not shown)", d->nerrors - cap);
    fprintf(out, ".\n");
    fflush(out);
}

/* A suggestion must be close for its length (a short name is near too many
 * others: `min` is two steps from `mean` and from `max`) and unambiguous:
 * at most 1 step for names of 2 to 5 bytes, 2 from 6 bytes, none for one
 * byte, and none when two names are equally close (`fc3`: `fc1` or `fc2`). */
const char *diag_suggest(const char *name, const char *const *names, int n) {
    size_t len = strlen(name);
    int limit = len < 2 ? 0 : len < 6 ? 1 : 2;
    const char *best = NULL;
    int best_distance = limit + 1;
    bool tie = false;
    for (int i = 0; i < n; i++) {
        if (!names[i] || strcmp(names[i], name) == 0) continue;
        int dist = edit_distance(name, names[i]);
        if (dist < best_distance) {
            best = names[i];
            best_distance = dist;
            tie = false;
        } else if (dist == best_distance && best && strcmp(best, names[i]) != 0) {
            tie = true;
        }
    }
    return tie ? NULL : best;
}
