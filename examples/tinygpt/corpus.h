/* corpus.h: the text tinygpt learns, as token ids.
 *
 * The corpus is every fortune of Debian's `fortunes` package (the plain
 * files of /usr/share/games/fortunes, by name, except ascii-art), one blank
 * line between fortunes.  Tokens are characters: the 95 printable ASCII
 * characters ' ' .. '~' are ids 0 .. 94 and the newline is 95 (a tab counts
 * as a space; every other byte, e.g. of a UTF-8 sequence, is dropped), so the
 * vocabulary needs no file and the model's V = 96 is a constant.  Every tenth
 * fortune goes to the validation text, the others to the training text. */
#ifndef TINYGPT_CORPUS_H
#define TINYGPT_CORPUS_H

#include <stdint.h>

#define CORPUS_VOCAB 96
#define CORPUS_DIR "/usr/share/games/fortunes"

typedef struct corpus {
    int32_t *train, *val;   /* token ids */
    int64_t ntrain, nval;
    int files, fortunes;
} corpus;

/* 0 on success; otherwise -1 with a message on stderr. */
int corpus_load(corpus *c, const char *dir);
void corpus_free(corpus *c);

/* A character's id, or -1 for a byte the vocabulary drops; and back. */
int corpus_encode(int byte);
int corpus_decode(int id);

#endif
