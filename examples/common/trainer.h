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

/* The processes that train one model together (data parallel, --mpi):
 * identical replicas, each training on its shard of every global batch.
 * The trainer's own group is one process; trainer_mpi.c's is an MPI job. */
typedef struct trainer_group {
    int rank, size;
    /* The model instance (dm_new; over MPI dm_mpi_new) and its release. */
    dm_model *(*make)(const dm_model_desc *d, uint64_t seed);
    void (*release)(dm_model *m);
    /* Every replica becomes rank 0's (parameters and optimizer state). */
    int (*sync)(dm_model *m);
    /* One train step of the group; *loss the mean over the ranks. */
    int (*step)(dm_model *m, float *loss);
    /* rc where it failed, a "another rank failed" code elsewhere, 0 if all succeeded. */
    int (*agree)(int rc);
    /* v := rank 0's v (broadcast), and v := the sum over the ranks. */
    void (*broadcast)(int64_t *v, int n);
    void (*sum)(int64_t *v, int n);
    /* This rank's samples of an epoch's order (dm_mpi_shard's rule); NULL: all. */
    int64_t (*shard)(const int64_t *order, int64_t n, int64_t batch, int64_t *out);
    /* At the end, on every rank (MPI_Finalize). */
    void (*finish)(int status);
} trainer_group;

/* The MPI group (trainer_mpi.c, in the *_mpi builds only): MPI_Init. */
const trainer_group *trainer_mpi_group(void);

/* Parses argv, trains, evaluates, saves; returns the process exit status. */
int trainer_main(const trainer_spec *spec, int argc, char **argv);

/* The ten Fashion-MNIST classes, by label. */
extern const char *const fashion_classes[10];

#endif
