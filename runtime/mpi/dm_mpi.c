/* dm_mpi.c: libdmrt_mpi, data-parallel training over MPI (dm_mpi.h).
 *
 * Needs: a model instance whose descriptor places tensors as the compiler
 * plans them (docs/codegen.md, "Memory plan": params, state, grads, ...
 * each family contiguous at 64-byte aligned offsets).  The functions here
 * find, from the descriptor alone, the maximal byte ranges ("runs") of the
 * data region that hold only tensors of the wanted kinds (padding between
 * them is never read by the entries), and move each run with one MPI call:
 * for a dmc model the gradients are one run (one MPI_Allreduce per step)
 * and the parameters with the optimizer state another (one MPI_Bcast).  A
 * descriptor laid out otherwise still works, with one call per run.
 *
 * Failures: MPI's own errors abort the job under the default error handler
 * (MPI_ERRORS_ARE_FATAL); with MPI_ERRORS_RETURN they become DM_EPEER with
 * MPI's message.  A rank whose entry fails is handled by the status
 * agreement (dm_mpi_agree), an allreduce before any collective that would
 * wait for it; a train step carries its loss along, so it synchronises the
 * ranks twice: the status, then the gradients. */
#include "dm_mpi.h"
#include "mpi_internal.h"
#include "rt.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    KIND_BIT_PARAM = 1 << DM_PARAM, KIND_BIT_BUFFER = 1 << DM_BUFFER, KIND_BIT_STATE = 1 << DM_STATE,
    KIND_BIT_GRAD = 1 << DM_GRAD
};

int mpi_error(int err, const char *what) {
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(err, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "MPI error %d", err);
    return rt_error(DM_EPEER, "%s: %s", what, text);
}

/* The start of the data region: a tensor's buffer minus its offset. */
uint8_t *mpi_region(dm_model *m) {
    const dm_model_desc *d = dm_desc(m);
    if (!d || d->ntensors == 0)
        return NULL;
    return (uint8_t *)dm_data(m, d->tensors[0].name) - d->tensors[0].offset;
}

/* The runs of the tensors whose kind is in `kinds` (a set of 1 << dm_kind),
 * in offset order; *out is malloc'd (free it), *count its length.  Empty
 * tensors neither start nor break a run; the scratch arena breaks one. */
int mpi_find_runs(dm_model *m, unsigned kinds, run **out, int *count) {
    const dm_model_desc *d = dm_desc(m);
    *out = NULL;
    *count = 0;
    if (!d)
        return DM_EINVAL;
    int n = d->ntensors, *order = malloc(sizeof *order * (size_t)(n + 1));
    run *runs = malloc(sizeof *runs * (size_t)(n + 1));
    if (!order || !runs) {
        free(order);
        free(runs);
        return rt_error(DM_ENOMEM, "libdmrt_mpi: out of memory for %d tensors", n);
    }
    for (int i = 0; i < n; i++) { /* insertion sort by offset: a few dozen tensors */
        int k = i;
        for (; k > 0 && d->tensors[order[k - 1]].offset > d->tensors[i].offset; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    uint8_t *base = mpi_region(m);
    uint64_t end = 0; /* of the open run */
    int nruns = 0, open = 0;
    for (int k = 0; k < n; k++) {
        const dm_tensor_desc *t = &d->tensors[order[k]];
        if (t->bytes == 0)
            continue;
        int wanted = (kinds >> t->kind) & 1;
        int scratch_between = d->scratch_size > 0 && end <= d->scratch_offset && d->scratch_offset < t->offset;
        if (!wanted || scratch_between)
            open = 0;
        if (!wanted)
            continue;
        if (!open)
            runs[nruns++] = (run){base + t->offset, 0};
        open = 1;
        end = t->offset + t->bytes;
        runs[nruns - 1].bytes = (uint64_t)(base + end - runs[nruns - 1].begin);
    }
    free(order);
    *out = runs;
    *count = nruns;
    return DM_OK;
}

uint32_t dm_mpi_rank_key(uint32_t key, int rank) {
    if (rank == 0)
        return key;
    uint64_t z = (uint64_t)key << 32 | (uint32_t)rank;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (uint32_t)(z >> 32);
}

/* FNV-1a over bytes, continued from h. */
static uint64_t fnv1a(uint64_t h, const uint8_t *p, uint64_t n) {
    for (uint64_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* Do all ranks run the same model?  A hash of the name, size and offset of
 * every parameter, state and gradient tensor (not the inputs: the batch
 * may differ), compared by MPI_MIN and MPI_MAX. */
static int same_model(dm_model *m, MPI_Comm comm, const char *caller) {
    const dm_model_desc *d = dm_desc(m);
    uint64_t h = 0xcbf29ce484222325ULL, low, high;
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        if (t->kind != DM_PARAM && t->kind != DM_BUFFER && t->kind != DM_STATE && t->kind != DM_GRAD)
            continue;
        uint64_t shape[2] = {t->bytes, t->offset};
        h = fnv1a(h, (const uint8_t *)t->name, strlen(t->name) + 1);
        h = fnv1a(h, (const uint8_t *)shape, sizeof shape);
    }
    int err;
    if ((err = MPI_Allreduce(&h, &low, 1, MPI_UINT64_T, MPI_MIN, comm)) != MPI_SUCCESS ||
        (err = MPI_Allreduce(&h, &high, 1, MPI_UINT64_T, MPI_MAX, comm)) != MPI_SUCCESS)
        return mpi_error(err, caller);
    if (low != high)
        return rt_error(DM_EMISMATCH, "%s: the ranks run different models (parameters, optimizer state or "
                        "gradients differ in names, sizes or places); this rank's is '%s'", caller, d->name);
    return DM_OK;
}

/* A generator state tensor (initialiser "seed": element 0 the key). */
static int is_generator(const dm_tensor_desc *t) {
    return t->kind == DM_STATE && t->dtype == DM_I32 && t->init && t->init->kind == DM_INIT_SEED && t->count >= 1;
}

int dm_mpi_broadcast_params(dm_model *m, MPI_Comm comm, int root) {
    if (!m)
        return rt_error(DM_EINVAL, "dm_mpi_broadcast_params: NULL model");
    int rank, size, err;
    if ((err = MPI_Comm_rank(comm, &rank)) != MPI_SUCCESS || (err = MPI_Comm_size(comm, &size)) != MPI_SUCCESS)
        return mpi_error(err, "dm_mpi_broadcast_params");
    if (root < 0 || root >= size)
        return rt_error(DM_EINVAL, "dm_mpi_broadcast_params: root %d is not a rank of a group of %d", root, size);
    int rc = same_model(m, comm, "dm_mpi_broadcast_params");
    if (rc != DM_OK)
        return rc;
    run *runs;
    int nruns;
    /* buffers too: replicas start equal; then each rank updates its own (docs/distributed.md) */
    rc = mpi_find_runs(m, KIND_BIT_PARAM | KIND_BIT_BUFFER | KIND_BIT_STATE, &runs, &nruns);
    for (int r = 0; rc == DM_OK && r < nruns; r++)
        for (uint64_t done = 0; rc == DM_OK && done < runs[r].bytes; done += CHUNK_ELEMENTS) {
            uint64_t left = runs[r].bytes - done;
            int n = left < CHUNK_ELEMENTS ? (int)left : CHUNK_ELEMENTS;
            if ((err = MPI_Bcast(runs[r].begin + done, n, MPI_BYTE, root, comm)) != MPI_SUCCESS)
                rc = mpi_error(err, "dm_mpi_broadcast_params: MPI_Bcast");
        }
    free(runs);
    if (rc != DM_OK)
        return rc;
    const dm_model_desc *d = dm_desc(m);
    for (int i = 0; i < d->ntensors; i++)
        if (is_generator(&d->tensors[i])) {
            uint32_t *key = dm_data(m, d->tensors[i].name);
            *key = dm_mpi_rank_key(*key, rank);
        }
    return DM_OK;
}

/* sum[0 .. n) /= size, the sums of `size` ranks becoming their mean.  The
 * same bits as a scalar division, element by element: when size is a power
 * of two, 1 / size is exact and x * (1 / size) is x / size correctly rounded
 * (both are the exact quotient rounded once); otherwise a division, which
 * IEEE rounds alike in a vector lane and in a scalar.  Written with vectors
 * of 8 floats (GCC's and Clang's vector extension; SSE or AVX as the target
 * has) because -O2 leaves the plain loop scalar: a scalar division of
 * fashion_mlp's 235 146 gradients took 0.08 ms, as long as the allreduce
 * itself (docs/distributed.md, "Where a step goes"). */
void mpi_divide_by_ranks(float *sum, uint64_t n, int size) {
    int power_of_two = (size & (size - 1)) == 0;
    float inverse = 1.0f / (float)size, divisor = (float)size;
    floats8 vinverse = {inverse, inverse, inverse, inverse, inverse, inverse, inverse, inverse};
    floats8 vdivisor = {divisor, divisor, divisor, divisor, divisor, divisor, divisor, divisor};
    uint64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        floats8 v;
        memcpy(&v, sum + i, sizeof v); /* no alignment assumed */
        v = power_of_two ? v * vinverse : v / vdivisor;
        memcpy(sum + i, &v, sizeof v);
    }
    for (; i < n; i++)
        sum[i] = power_of_two ? sum[i] * inverse : sum[i] / divisor;
}

/* The combining function of mean_of_two, the operation of the plain path on
 * 2 ranks: inout := (in + inout) / 2, in the vectors of divide_by_ranks.
 * With two ranks every element is combined exactly once on its way to the
 * result (a second combination would count a rank twice), so this is the
 * sum of the two values, rounded, then halved exactly: the bits of MPI_SUM
 * followed by divide_by_ranks, in one pass over the memory instead of two. */
static void halve_sum(void *in, void *inout, int *len, MPI_Datatype *type) {
    (void)type;
    const float *a = in;
    float *b = inout;
    floats8 half = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    int n = *len, i = 0;
    for (; i + 8 <= n; i += 8) {
        floats8 va, vb;
        memcpy(&va, a + i, sizeof va);
        memcpy(&vb, b + i, sizeof vb);
        vb = (va + vb) * half;
        memcpy(b + i, &vb, sizeof vb);
    }
    for (; i < n; i++)
        b[i] = (a[i] + b[i]) * 0.5f;
}

static MPI_Op mean_of_two = MPI_OP_NULL; /* made once per process, kept until MPI_Finalize */

/* ---- the gradients, in buckets ----------------------------------------------
 * The gradients are summed in buckets: runs of adjacent gradient tensors,
 * formed from the last one (the backward pass finishes those first) towards
 * the first, each closed once it holds BUCKET_BYTES, so the descriptor alone
 * fixes them.  Each bucket is one MPI_Iallreduce (more past CHUNK_ELEMENTS),
 * started in bucket order: the plain path starts them all once the
 * gradients entry has returned, the overlapped path as soon as the entry
 * reports (dm_set_gradient_hook) that all of a bucket's gradients, and of
 * every bucket before it, are final.  Both then wait for all.  The same
 * calls on the same counts and communicator: the same sums in the same
 * order, so the two paths give the same bits (tests/mpi/mpi.test.sh); and
 * every rank starts the same collectives in the same order, as MPI
 * requires, whatever the order of the reports.
 *
 * One exception, for speed: on exactly 2 ranks the plain path reduces its
 * buckets with the blocking MPI_Allreduce instead, adjacent buckets in one
 * call (so one call for a dmc model), and with mean_of_two (the sum halved
 * in the same pass) instead of MPI_SUM and a division.
 * Open MPI serves the blocking and the non-blocking call from different
 * components (coll/tuned and coll/libnbc), and on one 2-core machine the
 * blocking one took half the time (docs/distributed.md, "Where a step
 * goes").  The bits stay those of the overlapped path: with two ranks every
 * element of the sum is one addition of the two ranks' values, whatever the
 * algorithm, and IEEE addition is commutative; halving is exact.  With
 * three or more the algorithms add in different orders (measured: 4 652 of
 * a 34 186-float bucket differ in the last bits between the two on 3 ranks),
 * so there both paths keep MPI_Iallreduce. */
#define BUCKET_BYTES (64 * 1024)

typedef struct bucket {
    float *begin;
    uint64_t count;   /* floats from its first gradient's start to its last one's end */
    int missing;      /* its gradients not reported final yet */
    int req0, nreq;   /* its requests */
    int halved;       /* reduced by mean_of_two: already the mean */
} bucket;

typedef struct reducer {
    MPI_Comm comm;
    int size, nbuckets, started, nreq, err;
    bucket *bucket;     /* in starting order: the last gradients first */
    int *bucket_of;     /* per descriptor tensor: its bucket, or -1 */
    MPI_Request *req;
} reducer;

static void reducer_free(reducer *r) {
    free(r->bucket);
    free(r->bucket_of);
    free(r->req);
}

static int reducer_init(reducer *r, dm_model *m, MPI_Comm comm, const char *caller) {
    const dm_model_desc *d = dm_desc(m);
    int n = d->ntensors, err;
    *r = (reducer){.comm = comm};
    if ((err = MPI_Comm_size(comm, &r->size)) != MPI_SUCCESS)
        return mpi_error(err, caller);
    run *runs;
    int nruns, rc = mpi_find_runs(m, KIND_BIT_GRAD, &runs, &nruns);
    if (rc != DM_OK)
        return rc;
    if (nruns == 0) {
        free(runs);
        return rt_error(DM_EUNSUPPORTED, "%s: model '%s' has no gradients (compiled with --no-train or --in-place-update, or no loss)",
                        caller, d->name);
    }
    uint8_t *base = mpi_region(m);
    int maxreq = n + 1;
    for (int k = 0; k < nruns; k++)
        maxreq += (int)(runs[k].bytes / sizeof(float) / CHUNK_ELEMENTS) + 1;
    r->bucket = malloc(sizeof *r->bucket * (size_t)(n + 1));
    r->bucket_of = malloc(sizeof *r->bucket_of * (size_t)(n + 1));
    r->req = malloc(sizeof *r->req * (size_t)maxreq);
    if (!r->bucket || !r->bucket_of || !r->req) {
        free(runs);
        reducer_free(r);
        return rt_error(DM_ENOMEM, "%s: out of memory for %d tensors", caller, n);
    }
    for (int i = 0; i < n; i++)
        r->bucket_of[i] = -1;
    /* Walk each run's gradients from the end of the region down: the tensor
     * ending where the open bucket begins joins it while it is small. */
    for (int k = nruns - 1; k >= 0; k--) {
        uint8_t *low = runs[k].begin, *at = runs[k].begin + runs[k].bytes;
        int open = 0;
        while (at > low) {
            int best = -1; /* the gradient that ends last at or before `at` inside the run */
            for (int i = 0; i < n; i++) {
                const dm_tensor_desc *t = &d->tensors[i];
                uint8_t *b = base + t->offset, *e = b + t->bytes;
                if (t->kind == DM_GRAD && t->bytes > 0 && b >= low && e <= at &&
                    (best < 0 || t->offset > d->tensors[best].offset))
                    best = i;
            }
            if (best < 0)
                break;
            const dm_tensor_desc *t = &d->tensors[best];
            bucket *bk = open ? &r->bucket[r->nbuckets - 1] : NULL;
            if (!bk || (uint64_t)bk->count * sizeof(float) >= BUCKET_BYTES) {
                bk = &r->bucket[r->nbuckets++];
                *bk = (bucket){.begin = (float *)(base + t->offset + t->bytes), .count = 0};
                open = 1;
            }
            float *b = (float *)(base + t->offset);
            bk->count += (uint64_t)(bk->begin - b);
            bk->begin = b;
            bk->missing++;
            r->bucket_of[best] = r->nbuckets - 1;
            at = base + t->offset;
        }
    }
    free(runs);
    for (int b = 0; b < r->nbuckets; b++) {
        r->bucket[b].req0 = r->nreq;
        r->bucket[b].nreq = (int)((r->bucket[b].count + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS);
        r->nreq += r->bucket[b].nreq;
    }
    for (int q = 0; q < r->nreq; q++)
        r->req[q] = MPI_REQUEST_NULL;
    return DM_OK;
}

/* Starts the next bucket's sums (in place, MPI_SUM). */
static void start_next(reducer *r) {
    bucket *bk = &r->bucket[r->started++];
    for (int c = 0; c < bk->nreq; c++) {
        uint64_t done = (uint64_t)c * CHUNK_ELEMENTS, left = bk->count - done;
        int n = left < CHUNK_ELEMENTS ? (int)left : CHUNK_ELEMENTS;
        int err = MPI_Iallreduce(MPI_IN_PLACE, bk->begin + done, n, MPI_FLOAT, MPI_SUM, r->comm,
                                 &r->req[bk->req0 + c]);
        if (err != MPI_SUCCESS && r->err == MPI_SUCCESS)
            r->err = err;
    }
}

/* The plain path on 2 ranks: the next bucket and those adjacent to it in
 * memory (the buckets go down the gradients from the last one) as one
 * blocking mean_of_two, in calls of at most CHUNK_ELEMENTS: fewer
 * collectives, so fewer meetings of the ranks, and with two ranks the same
 * bits whatever the division into calls (each element is one addition). */
static void reduce_adjacent(reducer *r) {
    int first = r->started, last = first;
    while (last + 1 < r->nbuckets && r->bucket[last + 1].begin + r->bucket[last + 1].count == r->bucket[last].begin)
        last++;
    float *low = r->bucket[last].begin;
    uint64_t count = (uint64_t)(r->bucket[first].begin + r->bucket[first].count - low);
    for (uint64_t done = 0; done < count; done += CHUNK_ELEMENTS) {
        int n = count - done < CHUNK_ELEMENTS ? (int)(count - done) : CHUNK_ELEMENTS;
        int err = MPI_Allreduce(MPI_IN_PLACE, low + done, n, MPI_FLOAT, mean_of_two, r->comm);
        if (err != MPI_SUCCESS && r->err == MPI_SUCCESS)
            r->err = err;
    }
    for (int b = first; b <= last; b++)
        r->bucket[b].halved = 1;
    r->started = last + 1;
}

/* The gradient hook of the overlapped step: counts the reported gradients,
 * starts every bucket that became complete (in order), and lets MPI
 * progress the ones in flight (Open MPI moves data only inside MPI calls). */
static void grads_ready(void *ctx, int first, int n, float *grads, size_t count) {
    (void)grads, (void)count;
    reducer *r = ctx;
    for (int i = first; i < first + n; i++)
        if (r->bucket_of[i] >= 0)
            r->bucket[r->bucket_of[i]].missing--;
    while (r->started < r->nbuckets && r->bucket[r->started].missing <= 0)
        start_next(r);
    int flag, err;
    if (r->started > 0 && (err = MPI_Testall(r->bucket[r->started - 1].req0 + r->bucket[r->started - 1].nreq,
                                             r->req, &flag, MPI_STATUSES_IGNORE)) != MPI_SUCCESS &&
        r->err == MPI_SUCCESS)
        r->err = err;
}

/* Reduces the buckets not started yet (`blocking`, the plain path on 2
 * ranks: reduce_adjacent; else start_next), waits for all, then divides
 * the sums by the number of ranks (divide_by_ranks). */
static int reducer_finish(reducer *r, int blocking, const char *caller) {
    while (blocking && r->started < r->nbuckets)
        reduce_adjacent(r);
    while (r->started < r->nbuckets)
        start_next(r);
    int err = MPI_Waitall(r->nreq, r->req, MPI_STATUSES_IGNORE);
    if (r->err != MPI_SUCCESS)
        err = r->err;
    if (err != MPI_SUCCESS)
        return mpi_error(err, caller);
    for (int b = 0; r->size > 1 && b < r->nbuckets; b++)
        if (!r->bucket[b].halved)
            mpi_divide_by_ranks(r->bucket[b].begin, r->bucket[b].count, r->size);
    return DM_OK;
}

int dm_mpi_allreduce_gradients(dm_model *m, MPI_Comm comm) {
    if (!m)
        return rt_error(DM_EINVAL, "dm_mpi_allreduce_gradients: NULL model");
    shared_model *s = shared_find(m, comm);
    if (s)
        return shared_step(s, DM_OK, NULL, 0, "dm_mpi_allreduce_gradients");
    reducer r;
    int rc = reducer_init(&r, m, comm, "dm_mpi_allreduce_gradients");
    if (rc != DM_OK)
        return rc;
    int err;
    if (r.size == 2 && mean_of_two == MPI_OP_NULL && (err = MPI_Op_create(halve_sum, 1, &mean_of_two)) != MPI_SUCCESS)
        rc = mpi_error(err, "dm_mpi_allreduce_gradients: MPI_Op_create");
    else if (r.size == 2)
        rc = reducer_finish(&r, 1, "dm_mpi_allreduce_gradients: MPI_Allreduce");
    else
        rc = reducer_finish(&r, 0, "dm_mpi_allreduce_gradients: MPI_Iallreduce");
    reducer_free(&r);
    return rc;
}

const char *mpi_code_name(int rc) {
    switch (rc) {
    case DM_EINVAL: return "DM_EINVAL";
    case DM_ENOMEM: return "DM_ENOMEM";
    case DM_EIO: return "DM_EIO";
    case DM_EFORMAT: return "DM_EFORMAT";
    case DM_EMISMATCH: return "DM_EMISMATCH";
    case DM_ENUMERIC: return "DM_ENUMERIC, a non-finite loss or gradient";
    case DM_EABI: return "DM_EABI";
    case DM_EUNSUPPORTED: return "DM_EUNSUPPORTED";
    case DM_ERANGE: return "DM_ERANGE, a class index out of range";
    case DM_EPEER: return "DM_EPEER";
    default: return "an unknown code";
    }
}

/* The status agreement is one allreduce of (rc, rank, loss) triples (as
 * doubles: exact for both ints) with an operation of its own: the lowest
 * code, on ties the lowest rank, and the sum of the losses.  So a train
 * step synchronises twice: this, then the gradients. */
static void worst_status(void *in, void *inout, int *len, MPI_Datatype *type) {
    (void)type;
    const double *a = in;
    double *b = inout;
    for (int i = 0; i < *len; i++, a += 3, b += 3) {
        if (a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]))
            b[0] = a[0], b[1] = a[1];
        b[2] += a[2];
    }
}

int mpi_agree_loss(int rc, double *loss, MPI_Comm comm) {
    static MPI_Datatype triple = MPI_DATATYPE_NULL;
    static MPI_Op worst = MPI_OP_NULL;
    int rank, err;
    if ((err = MPI_Comm_rank(comm, &rank)) != MPI_SUCCESS)
        return mpi_error(err, "dm_mpi_agree");
    if (worst == MPI_OP_NULL) { /* made once per process, kept until MPI_Finalize */
        if ((err = MPI_Type_contiguous(3, MPI_DOUBLE, &triple)) != MPI_SUCCESS ||
            (err = MPI_Type_commit(&triple)) != MPI_SUCCESS ||
            (err = MPI_Op_create(worst_status, 1, &worst)) != MPI_SUCCESS)
            return mpi_error(err, "dm_mpi_agree");
    }
    int code = rc > 0 ? DM_EINVAL : rc;
    double v[3] = {code, rank, loss ? *loss : 0};
    char why[512];
    snprintf(why, sizeof why, "%s", rc != 0 ? dm_last_error() : "");
    if ((err = MPI_Allreduce(MPI_IN_PLACE, v, 1, triple, worst, comm)) != MPI_SUCCESS)
        return mpi_error(err, "dm_mpi_agree: MPI_Allreduce");
    if (loss)
        *loss = v[2];
    if (v[0] == 0)
        return DM_OK;
    if (rc != 0)
        return rt_error(code, "rank %d: %s", rank, why);
    return rt_error(DM_EPEER, "rank %d: stopping because rank %d failed (%s)", rank, (int)v[1], mpi_code_name((int)v[0]));
}

int dm_mpi_agree(int rc, MPI_Comm comm) {
    return mpi_agree_loss(rc, NULL, comm);
}

int dm_mpi_train_step(dm_model *m, MPI_Comm comm, float *loss) {
    float mine = 0;
    int rc = m ? dm_gradients(m, &mine) : rt_error(DM_EINVAL, "dm_mpi_train_step: NULL model");
    double sum = mine;
    int size, err;
    shared_model *s = m ? shared_find(m, comm) : NULL;
    if (s) { /* an instance of dm_mpi_new: the status and the mean through shared memory */
        if ((rc = shared_step(s, rc, &sum, 1, "dm_mpi_train_step")) != DM_OK)
            return rc;
    } else if ((rc = mpi_agree_loss(rc, &sum, comm)) != DM_OK ||
               (rc = dm_mpi_allreduce_gradients(m, comm)) != DM_OK)
        return rc;
    if ((err = MPI_Comm_size(comm, &size)) != MPI_SUCCESS)
        return mpi_error(err, "dm_mpi_train_step");
    if (loss)
        *loss = (float)(sum / size);
    return dm_apply(m);
}

/* The buckets start from the gradient hook while the entry runs; then the
 * rest start (all of them if the entry failed before reporting any), the
 * status agreement runs while they move, and every rank waits for them
 * before it looks at the status: the collectives are the same on every
 * rank whatever failed. */
int dm_mpi_train_step_overlapped(dm_model *m, MPI_Comm comm, float *loss) {
    const char *me = "dm_mpi_train_step_overlapped";
    if (!m)
        return rt_error(DM_EINVAL, "%s: NULL model", me);
    if (shared_find(m, comm)) /* the mean is the ranks' own work after the entry: nothing to overlap */
        return dm_mpi_train_step(m, comm, loss);
    reducer r;
    int rc = reducer_init(&r, m, comm, me);
    if (rc != DM_OK)
        return rc;
    float mine = 0;
    if ((rc = dm_set_gradient_hook(m, grads_ready, &r)) == DM_OK)
        rc = dm_gradients(m, &mine);
    while (r.started < r.nbuckets)
        start_next(&r);
    double sum = mine;
    rc = mpi_agree_loss(rc, &sum, comm);            /* reads the entry's message, which the next call clears */
    char why[1024];
    snprintf(why, sizeof why, "%s", dm_last_error());
    dm_set_gradient_hook(m, NULL, NULL);
    int moved = reducer_finish(&r, 0, "dm_mpi_train_step_overlapped: MPI_Iallreduce");
    reducer_free(&r);
    if (rc != DM_OK)
        return rt_error(rc, "%s", why);
    if (moved != DM_OK)
        return moved;
    if (loss)
        *loss = (float)(sum / r.size);
    return dm_apply(m);
}

int64_t dm_mpi_shard(const int64_t *order, int64_t n, int64_t batch, int rank, int size, int64_t *shard) {
    if (!order || !shard || n < 0 || batch < 1 || size < 1 || rank < 0 || rank >= size)
        return rt_error(DM_EINVAL, "dm_mpi_shard: bad arguments (n %lld, batch %lld, rank %d of %d)",
                        (long long)n, (long long)batch, rank, size);
    int64_t global = batch * size, batches = n / global;
    for (int64_t g = 0; g < batches; g++)
        memcpy(shard + g * batch, order + g * global + rank * batch, (size_t)batch * sizeof *shard);
    return batches * batch;
}

int dm_mpi_check_replicas(dm_model *m, MPI_Comm comm) {
    if (!m)
        return rt_error(DM_EINVAL, "dm_mpi_check_replicas: NULL model");
    const dm_model_desc *d = dm_desc(m);
    uint8_t *base = mpi_region(m);
    uint64_t h = 0xcbf29ce484222325ULL, low, high;
    for (int i = 0; base && i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        if (t->kind != DM_PARAM && t->kind != DM_STATE)
            continue;
        uint64_t skip = is_generator(t) ? 4 : 0; /* the per-rank key */
        h = fnv1a(h, base + t->offset + skip, t->bytes - skip);
    }
    int err;
    if ((err = MPI_Allreduce(&h, &low, 1, MPI_UINT64_T, MPI_MIN, comm)) != MPI_SUCCESS ||
        (err = MPI_Allreduce(&h, &high, 1, MPI_UINT64_T, MPI_MAX, comm)) != MPI_SUCCESS)
        return mpi_error(err, "dm_mpi_check_replicas");
    if (low != high)
        return rt_error(DM_EMISMATCH, "model '%s': the ranks' parameters or optimizer state differ", d->name);
    return DM_OK;
}
