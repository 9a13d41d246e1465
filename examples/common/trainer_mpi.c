/* trainer_mpi.c: the trainer's group of processes over MPI (--mpi), in the
 * *_mpi builds of the Fashion-MNIST examples only (compiled with
 * -DTRAINER_MPI and linked with libdmrt_mpi.a).  Every member is one call
 * of libdmrt_mpi or of MPI on MPI_COMM_WORLD; see trainer.h. */
#include "trainer.h"

#include "dm_mpi.h"

/* In shared memory where ranks share a machine: the gradients are averaged there (docs/distributed.md). */
static dm_model *mpi_make(const dm_model_desc *d, uint64_t seed) { return dm_mpi_new(d, seed, MPI_COMM_WORLD); }
static int mpi_sync(dm_model *m) { return dm_mpi_broadcast_params(m, MPI_COMM_WORLD, 0); }
/* Overlapped: the same bits as dm_mpi_train_step, the allreduce partly hidden under the backward pass
 * (for an instance in shared memory, the plain step: the ranks average the gradients themselves). */
static int mpi_step(dm_model *m, float *loss) { return dm_mpi_train_step_overlapped(m, MPI_COMM_WORLD, loss); }
static int mpi_agree(int rc) { return dm_mpi_agree(rc, MPI_COMM_WORLD); }

static void mpi_broadcast(int64_t *v, int n) { MPI_Bcast(v, n, MPI_INT64_T, 0, MPI_COMM_WORLD); }
static void mpi_sum(int64_t *v, int n) { MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD); }

static trainer_group group;

static int64_t mpi_shard(const int64_t *order, int64_t n, int64_t batch, int64_t *out) {
    return dm_mpi_shard(order, n, batch, group.rank, group.size, out);
}

/* The trainer agrees on every failure, so all ranks arrive here together
 * and MPI_Finalize cannot wait for a rank stuck in a collective. */
static void mpi_finish(int status) {
    (void)status;
    MPI_Finalize();
}

const trainer_group *trainer_mpi_group(void) {
    MPI_Init(NULL, NULL);
    group = (trainer_group){.make = mpi_make, .release = dm_mpi_free, .sync = mpi_sync, .step = mpi_step,
                            .agree = mpi_agree, .broadcast = mpi_broadcast, .sum = mpi_sum, .shard = mpi_shard,
                            .finish = mpi_finish};
    MPI_Comm_rank(MPI_COMM_WORLD, &group.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &group.size);
    return &group;
}
