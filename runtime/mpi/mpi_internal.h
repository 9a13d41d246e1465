/* mpi_internal.h: what the files of libdmrt_mpi share (not installed, not
 * part of dm_mpi.h).  dm_mpi.c: the collectives over MPI; dm_mpi_shared.c:
 * instances in MPI-3 shared memory and the mean of their gradients there. */
#ifndef DM_MPI_INTERNAL_H
#define DM_MPI_INTERNAL_H

#include "dm_mpi.h"

/* The largest element count of one MPI call (MPI counts are int). */
#define CHUNK_ELEMENTS (1 << 28)

/* GCC's and Clang's vector extension: 8 floats (SSE or AVX as the target has). */
typedef float floats8 __attribute__((vector_size(32)));

/* A maximal byte range of the data region holding only tensors of some kinds. */
typedef struct run {
    uint8_t *begin;
    uint64_t bytes;
} run;

/* DM_EPEER with MPI's text for err. */
int mpi_error(int err, const char *what);
/* The start of m's data region. */
uint8_t *mpi_region(dm_model *m);
/* The runs of the tensors whose kind is in `kinds` (a set of 1 << dm_kind). */
int mpi_find_runs(dm_model *m, unsigned kinds, run **out, int *count);
/* sum[0 .. n) /= size, bit for bit the scalar IEEE division. */
void mpi_divide_by_ranks(float *sum, uint64_t n, int size);
/* "DM_ENUMERIC, a non-finite loss or gradient", ... */
const char *mpi_code_name(int rc);
/* The status agreement over comm; *loss (may be NULL) becomes the sum of the ranks' losses. */
int mpi_agree_loss(int rc, double *loss, MPI_Comm comm);

/* ---- dm_mpi_shared.c ---- */
typedef struct shared_model shared_model;
/* m's shared-memory record if dm_mpi_new placed it in a window and comm is
 * (congruent to) the group it was made for; else NULL: the MPI path. */
shared_model *shared_find(dm_model *m, MPI_Comm comm);
/* The status agreement and the mean of the gradients through shared memory
 * (rc: this rank's gradients entry's result; *loss: its loss in, the sum of
 * the ranks' losses out).  with_status 0: dm_mpi_allreduce_gradients (all
 * ranks succeeded). */
int shared_step(shared_model *s, int rc, double *loss, int with_status, const char *caller);
/* g[0 .. nin) are `nin` ranks' copies; for i in [lo, hi): the sum in rank
 * order, divided by `divisor` if divisor > 0 (mpi_divide_by_ranks's bits),
 * is written to out[0 .. nout)[i]. */
void shared_reduce_slice(float *const *g, int nin, float *const *out, int nout, uint64_t lo, uint64_t hi, int divisor);

#endif
