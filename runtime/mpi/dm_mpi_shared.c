/* dm_mpi_shared.c: model instances in MPI-3 shared memory, and the mean of
 * their gradients computed there instead of by MPI_Allreduce.
 *
 * dm_mpi_new splits the group into nodes (MPI_Comm_split_type with
 * MPI_COMM_TYPE_SHARED: the ranks that can share memory), allocates one
 * window per node (MPI_Win_allocate_shared) and places each rank's whole
 * instance in its part of it (dm_init), after a small control block.  So
 * every rank of a node can read and write every other's gradients in place.
 * A train step on one node is then:
 *
 *   1. each rank writes its status and loss to its control block and
 *      arrives at a barrier (a counter per rank in shared memory: one cache
 *      line written, the others' read; no MPI call);
 *   2. every rank reads all statuses (the lowest code, on ties the lowest
 *      rank, as dm_mpi_agree) and sums the losses in rank order;
 *   3. rank i takes the i-th slice of the gradients (cache-line aligned),
 *      sums the ranks' copies in rank order, divides by the number of ranks
 *      (mpi_divide_by_ranks's bits) and writes the mean into every rank's
 *      copy;
 *   4. a second barrier: every copy holds the mean; each rank applies.
 *
 * Each rank reads and writes 2 (p - 1) / p of the gradient bytes once, and
 * the ranks meet twice per step through shared counters, where the MPI path
 * met twice in MPI calls (the status allreduce, the gradients' allreduce)
 * and moved the bytes through Open MPI's buffers.  On 2 ranks the result is
 * (a + b) * 0.5, the bits of the MPI path's halving operation.
 *
 * Several nodes (hierarchical): the status agreement is dm_mpi_agree's MPI
 * allreduce over the whole group; each rank sums its slice of its node's
 * gradients into the node leader's (node rank 0) copy; the leaders
 * MPI_Allreduce (MPI_SUM) those node sums and divide by the number of
 * ranks; each rank copies its slice of the leader's mean into the node's
 * other copies.  Node barriers separate the phases.
 *
 * Failures: a rank whose entry fails is in the status (step 2); every rank
 * returns without touching the gradients.  A rank that dies leaves the
 * others waiting at a barrier; the launcher ends the job (mpirun kills the
 * others when one exits without MPI_Finalize; srun --kill-on-bad-exit=1),
 * as it does for a rank stuck in an MPI collective.  The waits spin, then
 * yield the core (sched_yield) so a rank waiting on a loaded machine does
 * not take the time slice of the rank it waits for.
 *
 * Not thread safe: like MPI communicators, one thread per instance.
 * DM_MPI_SHARED=0 makes dm_mpi_new a plain dm_new (the MPI path);
 * DM_MPI_NODE_RANKS=k cuts the group into "nodes" of k consecutive ranks
 * instead of asking MPI, to test the hierarchical path on one machine. */
#include "dm_mpi.h"
#include "mpi_internal.h"
#include "rt.h"

#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes before the instance in each rank's part of the window: its control
 * block, alone on its cache lines (aligned to 128: two lines, against the
 * adjacent-line prefetcher), the rest unused. */
#define CONTROL_BYTES 256
/* MPI promises no alignment for a part of a shared window (Open MPI's are
 * 8-byte aligned under some settings): each part is asked for this much
 * more, and its control block starts at its first multiple of 128. */
#define CONTROL_ALIGN 128
/* Gradient slices start at multiples of this many floats (64 bytes): no two
 * ranks write one cache line. */
#define SLICE_ALIGN 16
/* Busy waits before each wait also yields the core. */
#ifndef SPINS_BEFORE_YIELD
#define SPINS_BEFORE_YIELD 2000
#endif

typedef struct control {
    alignas(128) _Atomic uint64_t arrived; /* the last barrier this rank reached */
    int32_t status;                        /* this step's gradients entry: 0 or a DM_E... code */
    int32_t leader_status;                 /* node rank 0 only: its MPI_Allreduce of the node sums */
    double loss;                           /* this step's loss */
} control;                                 /* 128 bytes (the alignment): two cache lines of its own */
_Static_assert(sizeof(control) <= CONTROL_BYTES, "the control block fits before the instance");

struct shared_model {
    dm_model *m;
    MPI_Comm made_for;  /* the caller's communicator */
    MPI_Comm comm;      /* a duplicate of it: the group */
    MPI_Comm node;      /* the ranks sharing the window */
    MPI_Comm leaders;   /* node rank 0 of every node; MPI_COMM_NULL elsewhere */
    MPI_Win win;
    int rank, size, node_rank, node_size, nodes;
    int usable;         /* the gradients are one run at the same place in every part */
    uint64_t count;     /* floats of the gradients */
    uint64_t epoch;     /* barriers passed */
    control **ctl;      /* per node rank, in this process's mapping */
    float **grads;      /* per node rank: its gradients */
    struct shared_model *next;
};

static shared_model *instances; /* every live dm_mpi_new instance of this process */

static void relax(unsigned spins) {
    if (spins >= SPINS_BEFORE_YIELD) {
        sched_yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Arrive at the next barrier of the node and wait for every other rank.
 * MPI_Win_sync orders this rank's stores to the window before the arrival
 * and the others' before what follows (MPI's unified model; on x86 a fence). */
static void node_barrier(shared_model *s) {
    uint64_t e = ++s->epoch;
    MPI_Win_sync(s->win);
    atomic_store_explicit(&s->ctl[s->node_rank]->arrived, e, memory_order_release);
    for (int r = 0; r < s->node_size; r++)
        for (unsigned spins = 0; atomic_load_explicit(&s->ctl[r]->arrived, memory_order_acquire) < e; spins++)
            relax(spins);
    MPI_Win_sync(s->win);
}

void shared_reduce_slice(float *const *g, int nin, float *const *out, int nout, uint64_t lo, uint64_t hi, int divisor) {
    int power_of_two = divisor > 0 && (divisor & (divisor - 1)) == 0;
    float inverse = divisor > 0 ? 1.0f / (float)divisor : 1.0f, by = (float)divisor;
    floats8 vinverse = {inverse, inverse, inverse, inverse, inverse, inverse, inverse, inverse};
    floats8 vby = {by, by, by, by, by, by, by, by};
    uint64_t i = lo;
    for (; i + 8 <= hi; i += 8) {
        floats8 acc, v;
        memcpy(&acc, g[0] + i, sizeof acc);
        for (int r = 1; r < nin; r++) {
            memcpy(&v, g[r] + i, sizeof v);
            acc += v;
        }
        if (divisor > 0)
            acc = power_of_two ? acc * vinverse : acc / vby;
        for (int o = 0; o < nout; o++)
            memcpy(out[o] + i, &acc, sizeof acc);
    }
    for (; i < hi; i++) {
        float acc = g[0][i];
        for (int r = 1; r < nin; r++)
            acc += g[r][i];
        if (divisor > 0)
            acc = power_of_two ? acc * inverse : acc / by;
        for (int o = 0; o < nout; o++)
            out[o][i] = acc;
    }
}

/* This rank's slice of the gradients: [*lo, *hi). */
static void my_slice(const shared_model *s, uint64_t *lo, uint64_t *hi) {
    uint64_t per = (s->count + (uint64_t)s->node_size - 1) / (uint64_t)s->node_size;
    per = (per + SLICE_ALIGN - 1) / SLICE_ALIGN * SLICE_ALIGN;
    *lo = per * (uint64_t)s->node_rank < s->count ? per * (uint64_t)s->node_rank : s->count;
    *hi = *lo + per < s->count ? *lo + per : s->count;
}

/* Steps 1 and 2 on one node: the agreed status, the losses summed in rank order. */
static int node_status(shared_model *s, int rc, double *loss) {
    control *me = s->ctl[s->node_rank];
    char why[512];
    snprintf(why, sizeof why, "%s", rc != 0 ? dm_last_error() : "");
    me->status = rc > 0 ? DM_EINVAL : rc;
    me->loss = loss ? *loss : 0;
    node_barrier(s);
    int worst = 0, who = -1;
    double sum = 0;
    for (int r = 0; r < s->node_size; r++) {
        if (s->ctl[r]->status < worst)
            worst = s->ctl[r]->status, who = r;
        sum += s->ctl[r]->loss;
    }
    if (loss)
        *loss = sum;
    if (worst == 0)
        return DM_OK;
    if (rc != 0)
        return rt_error(me->status, "rank %d: %s", s->rank, why);
    return rt_error(DM_EPEER, "rank %d: stopping because rank %d failed (%s)", s->rank, who, mpi_code_name(worst));
}

/* Several nodes: the node sums into the leader's copy, the leaders' MPI
 * allreduce and division, the mean copied back out. */
static int hierarchical_mean(shared_model *s, const char *caller) {
    uint64_t lo, hi;
    my_slice(s, &lo, &hi);
    shared_reduce_slice(s->grads, s->node_size, s->grads, 1, lo, hi, 0);
    node_barrier(s);
    if (s->node_rank == 0) {
        int err = MPI_SUCCESS;
        for (uint64_t done = 0; err == MPI_SUCCESS && done < s->count; done += CHUNK_ELEMENTS) {
            int n = s->count - done < CHUNK_ELEMENTS ? (int)(s->count - done) : CHUNK_ELEMENTS;
            err = MPI_Allreduce(MPI_IN_PLACE, s->grads[0] + done, n, MPI_FLOAT, MPI_SUM, s->leaders);
        }
        if (err == MPI_SUCCESS)
            mpi_divide_by_ranks(s->grads[0], s->count, s->size);
        s->ctl[0]->leader_status = err == MPI_SUCCESS ? 0 : mpi_error(err, caller);
    }
    node_barrier(s);
    if (s->ctl[0]->leader_status != 0) {
        if (s->node_rank == 0)
            return s->ctl[0]->leader_status;
        return rt_error(DM_EPEER, "%s: rank %d: the MPI_Allreduce of its node's leader failed", caller, s->rank);
    }
    if (s->node_size > 1)
        shared_reduce_slice(s->grads, 1, s->grads + 1, s->node_size - 1, lo, hi, 0);
    node_barrier(s);
    return DM_OK;
}

int shared_step(shared_model *s, int rc, double *loss, int with_status, const char *caller) {
    if (s->nodes > 1) {
        if (with_status && (rc = mpi_agree_loss(rc, loss, s->comm)) != DM_OK)
            return rc;
        node_barrier(s); /* the agreement was global; this orders the window's memory */
        return hierarchical_mean(s, caller);
    }
    if ((rc = with_status ? node_status(s, rc, loss) : (node_barrier(s), DM_OK)) != DM_OK)
        return rc;
    uint64_t lo, hi;
    my_slice(s, &lo, &hi);
    shared_reduce_slice(s->grads, s->node_size, s->grads, s->node_size, lo, hi, s->size);
    node_barrier(s);
    return DM_OK;
}

shared_model *shared_find(dm_model *m, MPI_Comm comm) {
    for (shared_model *s = instances; s; s = s->next)
        if (s->m == m) {
            int same = MPI_UNEQUAL;
            if (!s->usable)
                return NULL;
            if (comm == s->made_for)
                return s;
            MPI_Comm_compare(comm, s->comm, &same);
            return same == MPI_IDENT || same == MPI_CONGRUENT ? s : NULL;
        }
    return NULL;
}

static void release(shared_model *s) {
    if (s->win != MPI_WIN_NULL) {
        MPI_Win_unlock_all(s->win);
        MPI_Win_free(&s->win);
    }
    if (s->leaders != MPI_COMM_NULL)
        MPI_Comm_free(&s->leaders);
    if (s->node != MPI_COMM_NULL)
        MPI_Comm_free(&s->node);
    if (s->comm != MPI_COMM_NULL)
        MPI_Comm_free(&s->comm);
    free(s->ctl);
    free(s->grads);
    free(s);
}

/* Every rank's answer to "did it work here": rc where it failed, DM_EPEER elsewhere. */
static int all_ok(int rc, MPI_Comm comm) {
    return mpi_agree_loss(rc, NULL, comm);
}

/* A plain instance when no memory is to be shared; agreed on every rank. */
static dm_model *plain_new(const dm_model_desc *d, uint64_t seed, MPI_Comm comm) {
    dm_model *m = dm_new(d, seed);
    if (all_ok(m ? DM_OK : DM_ENOMEM, comm) != DM_OK) {
        dm_free(m);
        return NULL;
    }
    return m;
}

static int env_int(const char *name, int otherwise) {
    const char *v = getenv(name);
    return v && *v ? atoi(v) : otherwise;
}

/* The control block of a part of the window that starts at part. */
static uint8_t *control_of(uint8_t *part) {
    return part + (CONTROL_ALIGN - (uintptr_t)part % CONTROL_ALIGN) % CONTROL_ALIGN;
}

/* place's answer when no rank has a window: not an error code. */
#define NO_WINDOW 1

/* The window, the instance in it, and the peers' addresses.  All collective. */
static int place(shared_model *s, const dm_model_desc *d, uint64_t seed) {
    int err;
    size_t bytes = CONTROL_ALIGN + CONTROL_BYTES + dm_memory_size(d);
    MPI_Info info;
    uint8_t *base = NULL;
    MPI_Info_create(&info);
    MPI_Info_set(info, "alloc_shared_noncontig", "true"); /* each part on its own pages */
    /* A window that cannot be had (a small /dev/shm, an MPI without shared
     * windows) is no error: the instance is made by dm_new instead. */
    MPI_Comm_set_errhandler(s->node, MPI_ERRORS_RETURN);
    s->win = MPI_WIN_NULL;
    err = MPI_Win_allocate_shared((MPI_Aint)bytes, 1, info, s->node, &base, &s->win);
    MPI_Info_free(&info);
    int here = err == MPI_SUCCESS, node_ok = 0;
    if (!here)
        s->win = MPI_WIN_NULL; /* what a failed call leaves there is no window: never freed */
    MPI_Allreduce(&here, &node_ok, 1, MPI_INT, MPI_MIN, s->node);
    if (here && !node_ok)
        s->win = MPI_WIN_NULL; /* another rank of the node has none: cannot free it collectively, left */
    if (all_ok(node_ok ? DM_OK : DM_EUNSUPPORTED, s->comm) != DM_OK) {
        if (s->win != MPI_WIN_NULL)
            MPI_Win_free(&s->win);
        return NO_WINDOW;
    }
    MPI_Win_lock_all(MPI_MODE_NOCHECK, s->win);
    uint8_t *mine = control_of(base);
    memset(mine, 0, CONTROL_BYTES);
    s->m = dm_init(d, mine + CONTROL_BYTES, dm_memory_size(d), seed);
    int rc = all_ok(s->m ? DM_OK : DM_ENOMEM, s->comm);
    if (rc != DM_OK)
        return rc;
    run *runs;
    int nruns;
    long long offset = -1, low, high;
    if ((rc = all_ok(mpi_find_runs(s->m, 1u << DM_GRAD, &runs, &nruns), s->comm)) != DM_OK)
        return rc;
    if (nruns == 1) {
        offset = (long long)(runs[0].begin - mine);
        s->count = runs[0].bytes / sizeof(float);
    }
    free(runs);
    /* The same place after every part's control block (each 128-byte
     * aligned, so dm_init lays every instance out alike), then the same
     * answer on every rank: all take the shared path or none. */
    MPI_Allreduce(&offset, &low, 1, MPI_LONG_LONG, MPI_MIN, s->node);
    MPI_Allreduce(&offset, &high, 1, MPI_LONG_LONG, MPI_MAX, s->node);
    int usable_here = low == high && low >= 0 && offset % (long long)sizeof(float) == 0;
    MPI_Allreduce(&usable_here, &s->usable, 1, MPI_INT, MPI_MIN, s->comm);
    s->ctl = calloc((size_t)s->node_size, sizeof *s->ctl);
    s->grads = calloc((size_t)s->node_size, sizeof *s->grads);
    if (all_ok(s->ctl && s->grads ? DM_OK : rt_error(DM_ENOMEM, "dm_mpi_new: out of memory"), s->comm) != DM_OK)
        return DM_ENOMEM;
    for (int r = 0; r < s->node_size; r++) {
        MPI_Aint size;
        int unit;
        uint8_t *part;
        if ((err = MPI_Win_shared_query(s->win, r, &size, &unit, &part)) != MPI_SUCCESS)
            return mpi_error(err, "dm_mpi_new: MPI_Win_shared_query");
        s->ctl[r] = (control *)control_of(part);
        s->grads[r] = (float *)((uint8_t *)s->ctl[r] + (s->usable ? offset : 0));
    }
    MPI_Win_sync(s->win); /* the zeroed control blocks, before anyone waits on them */
    MPI_Barrier(s->node);
    MPI_Win_sync(s->win);
    return DM_OK;
}

dm_model *dm_mpi_new(const dm_model_desc *d, uint64_t seed, MPI_Comm comm) {
    int rank, size, err;
    if ((err = MPI_Comm_rank(comm, &rank)) != MPI_SUCCESS || (err = MPI_Comm_size(comm, &size)) != MPI_SUCCESS) {
        mpi_error(err, "dm_mpi_new");
        return NULL;
    }
    if (!d || dm_memory_size(d) == 0) {
        all_ok(rt_error(DM_EINVAL, "dm_mpi_new: NULL model description"), comm);
        return NULL;
    }
    int wanted = env_int("DM_MPI_SHARED", 1) != 0, all_want;
    MPI_Allreduce(&wanted, &all_want, 1, MPI_INT, MPI_MIN, comm);
    if (!all_want || size == 1)
        return plain_new(d, seed, comm);
    shared_model *s = calloc(1, sizeof *s);
    if (all_ok(s ? DM_OK : rt_error(DM_ENOMEM, "dm_mpi_new: out of memory"), comm) != DM_OK) {
        free(s);
        return NULL;
    }
    *s = (shared_model){.made_for = comm, .comm = MPI_COMM_NULL, .node = MPI_COMM_NULL, .leaders = MPI_COMM_NULL,
                        .win = MPI_WIN_NULL, .rank = rank, .size = size};
    MPI_Comm_dup(comm, &s->comm);
    int per_node = env_int("DM_MPI_NODE_RANKS", 0);
    if (per_node > 0)
        MPI_Comm_split(s->comm, rank / per_node, rank, &s->node);
    else
        MPI_Comm_split_type(s->comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &s->node);
    MPI_Comm_rank(s->node, &s->node_rank);
    MPI_Comm_size(s->node, &s->node_size);
    int leader = s->node_rank == 0;
    MPI_Allreduce(&leader, &s->nodes, 1, MPI_INT, MPI_SUM, s->comm);
    if (s->nodes == size) { /* one rank per node: nothing to share */
        release(s);
        return plain_new(d, seed, comm);
    }
    if (s->nodes > 1)
        MPI_Comm_split(s->comm, leader ? 0 : MPI_UNDEFINED, rank, &s->leaders);
    int placed = place(s, d, seed);
    if (placed == NO_WINDOW) {
        release(s);
        return plain_new(d, seed, comm);
    }
    if (placed != DM_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", dm_last_error());
        if (s->m)
            dm_free(s->m);
        release(s);
        rt_error(DM_ENOMEM, "%s", why);
        return NULL;
    }
    s->next = instances;
    instances = s;
    return s->m;
}

int dm_mpi_node_ranks(dm_model *m, int *nodes) {
    for (shared_model *s = instances; s; s = s->next)
        if (s->m == m && s->usable) {
            if (nodes)
                *nodes = s->nodes;
            return s->node_size;
        }
    if (nodes)
        *nodes = 0;
    return 0;
}

void dm_mpi_free(dm_model *m) {
    for (shared_model **at = &instances; *at; at = &(*at)->next)
        if ((*at)->m == m) {
            shared_model *s = *at;
            *at = s->next;
            dm_free(m);
            release(s);
            return;
        }
    dm_free(m);
}
