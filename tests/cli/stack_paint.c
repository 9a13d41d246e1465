/* stack_paint.c: how deep one entry of a compiled model really goes into
 * its stack, for tests/cli/stack_buffers.test.sh.
 *
 *   stack_paint SIZE forward|train_step|none
 *
 * Runs the entry (through the runtime, on one thread) on a thread whose
 * stack is SIZE bytes of our own, painted beforehand, and prints how many
 * bytes from its top were written: the thread's own start-up (the C
 * library's thread descriptor and TLS live there) and frames, the
 * runtime's, and the entry's.  "none" runs no entry: what the rest takes.
 * Link with -z now, so that no lazy binding of a library call runs the
 * dynamic linker's resolver (kilobytes of saved registers) on this stack. */
#define _POSIX_C_SOURCE 200809L /* pthread_attr_setstack */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include MODEL_HEADER

enum { PAINT = 0xA5 };

static dm_model *model;
static const char *entry;
static int status;

static void *run(void *arg) {
    (void)arg;
    float loss;
    if (!strcmp(entry, "forward")) status = dm_forward(model);
    else if (!strcmp(entry, "train_step")) status = dm_train_step(model, &loss);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    size_t size = (size_t)strtoull(argv[1], NULL, 10);
    entry = argv[2];
    model = dm_new(&MODEL_DESC, 1);
    if (!model || dm_set_threads(model, 1) != DM_OK) return 2;
    size = (size + 4095) / 4096 * 4096;   /* aligned_alloc: a whole number of pages */
    uint8_t *stack = aligned_alloc(4096, size);
    if (!stack) return 2;
    memset(stack, PAINT, size);
    pthread_attr_t attr;
    pthread_t thread;
    if (pthread_attr_init(&attr) || pthread_attr_setstack(&attr, stack, size) ||
        pthread_create(&thread, &attr, run, NULL) || pthread_join(thread, NULL))
        return 2;
    size_t low = 0;
    while (low < size && stack[low] == PAINT) low++;
    if (low == 0) return 3; /* the whole stack was used: it may have overflowed */
    printf("%zu\n", size - low);
    dm_free(model);
    free(stack);
    return status == DM_OK ? 0 : 4;
}
