/* diag.c: the diagnostic format (docs/diagnostics.md) and the front end's
 * file-level limits, checked against hand-written expected text.
 *
 * The first case is the example of STYLE.md, character for character. */
#include "cg/cg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(cond) \
    do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

/* A Diag writing into a memory buffer. */
typedef struct Capture { Diag d; char *buf; size_t size; } Capture;

static void capture_start(Capture *c, int max_errors) {
    memset(c, 0, sizeof *c);
    c->d.out = open_memstream(&c->buf, &c->size);
    c->d.max_errors = max_errors;
}

static void expect_text(Capture *c, const char *expected, int line) {
    fclose(c->d.out);
    if (strcmp(c->buf, expected) != 0) {
        fprintf(stderr, "diag.c:%d: output differs\n--- expected\n%s--- got\n%s---\n", line, expected, c->buf);
        failures++;
    }
    free(c->buf);
}

static Loc at(const SourceFile *f, int line, int col, int len) {
    return (Loc){f, line, col, len};
}

int main(void) {
    Arena *a = arena_new();
    Capture c;

    /* STYLE.md's example: line 12, column 9, one column. */
    SourceFile *mlp = source_from_string(a, "mlp.dm", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n  h = x @ W2\n13\n");
    capture_start(&c, 0);
    diag_error(&c.d, at(mlp, 12, 9, 1), "matmul shapes do not agree: %s @ %s", "f32[64, 784]", "f32[128, 10]");
    expect_text(&c,
                "mlp.dm:12:9: error: matmul shapes do not agree: f32[64, 784] @ f32[128, 10]\n"
                "   12 |   h = x @ W2\n"
                "      |         ^\n", __LINE__);

    /* A range: '^' then a '~' under each further column; a note. */
    SourceFile *f = source_from_string(a, "t.dm", "model m {\n  input x : f32\n}");
    capture_start(&c, 0);
    diag_error(&c.d, at(f, 2, 3, 5), "bad %s", "input");
    diag_note(&c.d, at(f, 1, 7, 1), "model here");
    diag_finish(&c.d);
    expect_text(&c,
                "t.dm:2:3: error: bad input\n"
                "    2 |   input x : f32\n"
                "      |   ^~~~~\n"
                "t.dm:1:7: note: model here\n"
                "    1 | model m {\n"
                "      |       ^\n"
                "1 error generated.\n", __LINE__);

    /* Tabs are kept in the caret line; a range past the end of the line is
     * cut at the line's end; a column past it points just after it; the last
     * line without a newline is found; CR of a CRLF line is not shown. */
    SourceFile *tabs = source_from_string(a, "tabs.dm", "\tx =\t1\r\nend");
    capture_start(&c, 0);
    diag_error(&c.d, at(tabs, 1, 6, 1), "one");
    diag_error(&c.d, at(tabs, 1, 2, 100), "two");
    diag_error(&c.d, at(tabs, 2, 9, 1), "three");
    expect_text(&c,
                "tabs.dm:1:6: error: one\n"
                "    1 | \tx =\t1\n"
                "      | \t   \t^\n"
                "tabs.dm:1:2: error: two\n"
                "    1 | \tx =\t1\n"
                "      | \t^~~\t~\n"
                "tabs.dm:2:9: error: three\n"
                "    2 | end\n"
                "      |    ^\n", __LINE__);

    /* No file: no source line.  A line past the end of the file: none either. */
    capture_start(&c, 0);
    diag_error(&c.d, (Loc){0}, "-D %s: no such const", "batchh");
    diag_error(&c.d, at(f, 99, 1, 1), "far away");
    diag_finish(&c.d);
    expect_text(&c,
                "dmc: error: -D batchh: no such const\n"
                "t.dm:99:1: error: far away\n"
                "2 errors generated.\n", __LINE__);

    /* Non-text bytes of the line show as '?', one column each; UTF-8 text as is. */
    SourceFile *bytes = source_from_string(a, "b.dm", "a\x07\xff \xc3\xa9 z");
    capture_start(&c, 0);
    diag_error(&c.d, at(bytes, 1, 8, 1), "z");
    expect_text(&c,
                "b.dm:1:8: error: z\n"
                "    1 | a?? \xc3\xa9 z\n"
                "      |       ^\n", __LINE__);

    /* Of a long line, a window: 60 bytes before the caret, 160 in all. */
    char long_line[602], shown[400];
    memset(long_line, 'a', 300);
    long_line[300] = 'X';
    memset(long_line + 301, 'b', 300);
    long_line[601] = '\0';
    SourceFile *wide = source_from_string(a, "w.dm", long_line);
    capture_start(&c, 0);
    diag_error(&c.d, at(wide, 1, 301, 1), "x");
    snprintf(shown, sizeof shown, "w.dm:1:301: error: x\n    1 | ...%.60s%c%.99s...\n      |    %60s^\n",
             long_line, 'X', long_line + 301, "");
    expect_text(&c, shown, __LINE__);

    /* The cap: errors past it are counted, and their notes not shown. */
    capture_start(&c, 2);
    diag_error(&c.d, (Loc){0}, "e1");
    diag_note(&c.d, (Loc){0}, "n1");
    diag_error(&c.d, (Loc){0}, "e2");
    diag_error(&c.d, (Loc){0}, "e3");
    diag_note(&c.d, (Loc){0}, "n3");
    diag_finish(&c.d);
    expect_text(&c,
                "dmc: error: e1\n"
                "dmc: note: n1\n"
                "dmc: error: e2\n"
                "3 errors generated (1 not shown).\n", __LINE__);
    CHECK(c.d.nerrors == 3);

    /* No errors: no trailer. */
    capture_start(&c, 0);
    diag_finish(&c.d);
    expect_text(&c, "", __LINE__);

    /* Suggestions: the closest name within a small distance, never the name itself. */
    const char *const names[] = {"softmax", "sigmoid", "relu", "x", "y"};
    CHECK(diag_suggest("softmaks", names, 5) && strcmp(diag_suggest("softmaks", names, 5), "softmax") == 0);
    CHECK(diag_suggest("relu", names, 5) == NULL);
    CHECK(diag_suggest("z", names, 5) == NULL);          /* one letter from x and y: not a suggestion */
    CHECK(diag_suggest("convolution", names, 5) == NULL);

    /* A file over 16 MiB is an error at parse time, not a crash or a fatal. */
    char path[] = "/tmp/dmc_diag_test_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(ftruncate(fd, PARSE_MAX_FILE + 1) == 0);
        close(fd);
        SourceFile *big = source_read(a, path);
        CHECK(big != NULL);
        if (big) {
            CHECK(big->size == (size_t)PARSE_MAX_FILE + 1);
            Program prog = {0};
            capture_start(&c, 0);
            CHECK(!parse_file(a, &c.d, big, &prog));
            CHECK(c.d.nerrors == 1);
            fclose(c.d.out);
            CHECK(strstr(c.buf, "file too large") != NULL);
            free(c.buf);
        }
        unlink(path);
    }
    /* A directory cannot be read. */
    errno = 0;
    CHECK(source_read(a, "/tmp") == NULL && errno == EISDIR);

    /* A NUL byte is kept (and reported by the scanner with its place). */
    char path2[] = "/tmp/dmc_diag_test_XXXXXX";
    fd = mkstemp(path2);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, "model m {\n x = 1\0\n}\n", 19) == 19);
        close(fd);
        SourceFile *nul = source_read(a, path2);
        CHECK(nul && nul->size == 19);
        if (nul) {
            Program prog = {0};
            capture_start(&c, 0);
            CHECK(!parse_file(a, &c.d, nul, &prog));
            fclose(c.d.out);
            CHECK(strstr(c.buf, ":2:7: error: unexpected NUL byte") != NULL);
            free(c.buf);
        }
        unlink(path2);
    }

    arena_free(a);
    if (failures) fprintf(stderr, "%d failures\n", failures);
    return failures != 0;
}
