/* corpus.c: Debian's fortunes as token ids (see corpus.h). */
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int corpus_encode(int byte) {
    if (byte == '\t') byte = ' ';
    if (byte >= ' ' && byte <= '~') return byte - ' ';
    if (byte == '\n') return CORPUS_VOCAB - 1;
    return -1;
}

int corpus_decode(int id) {
    return id == CORPUS_VOCAB - 1 ? '\n' : ' ' + id;
}

typedef struct ids { int32_t *v; int64_t n, cap; } ids;

static int push(ids *s, int32_t id) {
    if (s->n == s->cap) {
        int64_t cap = s->cap ? 2 * s->cap : 1 << 16;
        int32_t *v = realloc(s->v, (size_t)cap * sizeof *v);
        if (!v) return -1;
        s->v = v, s->cap = cap;
    }
    s->v[s->n++] = id;
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The fortune files of dir, sorted: plain files without a dot in the name
 * (the .dat indexes and .u8 links are not text) except ascii-art, whose
 * drawings are noise for a character model. */
static char **fortune_files(const char *dir, int *count) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    int n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        char path[4096];
        struct stat st;
        if (strchr(e->d_name, '.') || !strcmp(e->d_name, "ascii-art")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, (size_t)cap * sizeof *names);
            if (!grown) break;
            names = grown;
        }
        names[n++] = strdup(path);
    }
    closedir(d);
    if (names) qsort(names, (size_t)n, sizeof *names, by_name);
    *count = n;
    return names;
}

/* Appends the fortunes of one file ("%" lines separate them) to the
 * training or validation ids, every tenth fortune (counted over the whole
 * corpus) to the validation ids. */
static int read_fortunes(corpus *c, const char *path, ids *train, ids *val) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[8192];
    int open = 0, rc = 0;
    ids *into = train;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        if (!strcmp(line, "%\n") || !strcmp(line, "%")) {
            if (open) rc = push(into, CORPUS_VOCAB - 1);   /* the blank line after a fortune */
            open = 0;
            continue;
        }
        if (!open) {
            into = c->fortunes % 10 == 9 ? val : train;
            c->fortunes++, open = 1;
        }
        for (const char *p = line; *p && rc == 0; p++) {
            int id = corpus_encode((unsigned char)*p);
            if (id >= 0) rc = push(into, id);
        }
    }
    if (open && rc == 0) rc = push(into, CORPUS_VOCAB - 1);
    fclose(f);
    return rc;
}

int corpus_load(corpus *c, const char *dir) {
    memset(c, 0, sizeof *c);
    int n = 0;
    char **files = fortune_files(dir, &n);
    if (!files || n == 0) {
        fprintf(stderr, "tinygpt: no fortune files in %s (%s); install Debian's fortunes package\n", dir,
                files ? "empty" : strerror(errno));
        free(files);
        return -1;
    }
    ids train = {0}, val = {0};
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0 && read_fortunes(c, files[i], &train, &val) != 0) {
            fprintf(stderr, "tinygpt: cannot read %s\n", files[i]);
            rc = -1;
        }
        free(files[i]);
    }
    free(files);
    c->train = train.v, c->ntrain = train.n;
    c->val = val.v, c->nval = val.n;
    c->files = n;
    if (rc != 0) corpus_free(c);
    return rc;
}

void corpus_free(corpus *c) {
    free(c->train);
    free(c->val);
    memset(c, 0, sizeof *c);
}
