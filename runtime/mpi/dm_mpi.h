/* dm_mpi.h: data-parallel training of a dmc model over MPI (libdmrt_mpi).
 *
 * Every rank holds an identical replica of the model and trains on its own
 * shard of the data; after each rank's gradients entry the gradients are
 * averaged over the ranks (in MPI-3 shared memory for the ranks of one
 * machine whose instances come from dm_mpi_new, else by MPI_Allreduce over
 * the planned, contiguous gradient region), then every rank applies the
 * same update.  With a loss
 * that is a mean over the batch, p ranks with batch B each compute the same
 * step as one process with batch p * B on the same samples.
 *
 * A program links libdmrt_mpi.a before libdmrt.a and calls MPI_Init itself.
 * Every function is collective over comm (all ranks must call it, in the
 * same order) and returns 0 or a negative DM_E... code with dm_last_error()
 * set, the same code on every rank for a failure that the ranks agree on
 * (see dm_mpi_train_step).  libdmrt itself never depends on MPI.
 * docs/distributed.md is the guide. */
#ifndef DM_MPI_H
#define DM_MPI_H

#include <mpi.h>
#include <stdint.h>

#include "dm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Makes every rank's replica equal root's: the parameters and the whole
 * optimizer state (moments, step, learning rate, generator state) are
 * broadcast, after a check that every rank runs the same model
 * (DM_EMISMATCH on every rank if not; the batch may differ).  Then each
 * rank r > 0 derives its own dropout key from the root's (see
 * dm_mpi_rank_key), so dropout masks differ per rank, deterministically;
 * rank 0 keeps the root's key, so its state is the one a checkpoint stores
 * and a one-rank run is a plain run. */
int dm_mpi_broadcast_params(dm_model *m, MPI_Comm comm, int root);

/* Replaces every gradient by its mean over the ranks, in place (sums by
 * MPI_Iallreduce, one per bucket of gradients, then a division by the
 * number of ranks; on exactly 2 ranks one blocking MPI_Allreduce per bucket
 * whose operation halves the sum, which is faster in Open MPI and gives the
 * same bits).  Call it only
 * once every rank's dm_gradients succeeded (dm_mpi_agree), or a rank that
 * skips it leaves the others waiting. */
int dm_mpi_allreduce_gradients(dm_model *m, MPI_Comm comm);

/* One data-parallel train step: dm_gradients on this rank's inputs, an
 * agreement on the status (one small allreduce, which also sums the
 * losses; in shared memory a barrier), the mean of the gradients (one
 * allreduce; in shared memory each rank's slice, then a barrier), dm_apply.  *loss (may
 * be NULL) is the mean of the ranks' losses.  If any rank's gradients entry
 * fails (DM_ENUMERIC from --check-numerics code, ...), no rank applies the
 * step: the failing rank returns its own code, the others DM_EPEER, and
 * every message names the lowest failing rank and its code. */
int dm_mpi_train_step(dm_model *m, MPI_Comm comm, float *loss);

/* ---- beyond the fixed contract ------------------------------------------- */

/* dm_new for data-parallel training (collective over comm): on ranks that
 * share a machine (MPI_Comm_split_type, MPI_COMM_TYPE_SHARED), the instance
 * is placed (dm_init) in an MPI-3 shared-memory window, and the train steps
 * on comm (or a congruent communicator) average the gradients there, each
 * rank its slice of every rank's copy, instead of by MPI_Allreduce; across
 * machines the node leaders MPI_Allreduce the node sums (docs/distributed.md,
 * "Shared memory").  One rank per machine, one rank in all, or
 * DM_MPI_SHARED=0 in the environment: a plain dm_new.  NULL on every rank
 * if it fails on any.  Free with dm_mpi_free, collectively, before
 * MPI_Finalize. */
dm_model *dm_mpi_new(const dm_model_desc *d, uint64_t seed, MPI_Comm comm);
/* dm_free for an instance of dm_mpi_new (collective over its comm when it is
 * in shared memory); any other instance: dm_free. */
void dm_mpi_free(dm_model *m);
/* How many ranks share m's memory window (its node's, this rank included),
 * and the number of nodes of its group in *nodes (may be NULL); 0 (and *nodes
 * 0) if m is not in shared memory: its steps move the gradients by MPI. */
int dm_mpi_node_ranks(dm_model *m, int *nodes);

/* dm_mpi_train_step with the gradients' communication overlapped with the
 * backward pass, as PyTorch DDP's buckets: the gradients entry reports each
 * gradient once it is final (dm_set_gradient_hook), and each bucket of
 * gradients (about 64 KiB of adjacent tensors, the last ones first) starts
 * its MPI_Iallreduce as soon as it is complete, while the entry computes
 * the rest.  The same buckets and sums as dm_mpi_allreduce_gradients, so
 * the same bits as dm_mpi_train_step (on 2 ranks by the commutativity of
 * the one addition per element; docs/distributed.md); the same status
 * agreement. */
int dm_mpi_train_step_overlapped(dm_model *m, MPI_Comm comm, float *loss);

/* The status agreement dm_mpi_train_step uses, for loops of one's own: every
 * rank passes its local result rc; returns rc where it failed, DM_EPEER on
 * the ranks that succeeded while another failed, 0 if all succeeded. */
int dm_mpi_agree(int rc, MPI_Comm comm);

/* The data rule (docs/distributed.md): the shared order (every rank shuffles
 * with the same seed and epoch) is cut into global batches of size * batch
 * samples, the last partial one dropped; rank r takes the r-th slice of
 * `batch` samples of each.  Writes the rank's samples, in order, to shard
 * (room for n / size values) and returns how many (a multiple of batch).
 * Pure: needs no MPI call. */
int64_t dm_mpi_shard(const int64_t *order, int64_t n, int64_t batch, int rank, int size, int64_t *shard);

/* The dropout key of rank r derived from the shared key k: k itself for
 * r = 0, else the high 32 bits of SplitMix64's finaliser of (k << 32 | r). */
uint32_t dm_mpi_rank_key(uint32_t key, int rank);

/* Checks that every rank holds the same parameters and optimizer state
 * (the per-rank dropout keys aside): a 64-bit FNV-1a hash of the bytes,
 * compared by MPI_MIN and MPI_MAX.  DM_EMISMATCH on every rank if not. */
int dm_mpi_check_replicas(dm_model *m, MPI_Comm comm);

#ifdef __cplusplus
}
#endif
#endif
