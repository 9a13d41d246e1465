/* trainer.h: the training loop shared by the Fashion-MNIST examples.
 *
 * A classifier compiled by dmc with an input `x : f32[batch, ...]` (one image
 * per row, 784 values), an input `y : i32[batch]` (class indices), an output
 * `probs : f32[batch, classes]` and a loss is trained on the IDX files of a
 * data folder, evaluated on its test set after every epoch, and optionally
 * saved.  The command line is documented in docs/examples.md and by --help. */
#ifndef TRAINER_H
#define TRAINER_H

#include "dm.h"

typedef struct trainer_spec {
    const char *program;        /* the example's name, for messages */
    const dm_model_desc *model; /* the compiled model */
    int default_epochs;
    int cosine;                 /* default learning-rate schedule: 1 cosine, 0 constant */
} trainer_spec;

/* Parses argv, trains, evaluates, saves; returns the process exit status. */
int trainer_main(const trainer_spec *spec, int argc, char **argv);

/* The ten Fashion-MNIST classes, by label. */
extern const char *const fashion_classes[10];

#endif
