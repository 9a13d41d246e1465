/* mpi_train.c: trains a compiled model on synthetic data, either as one
 * plain process (--local: dm_train_step, the reference) or as one rank of an
 * MPI job (dm_mpi_train_step), for tests/mpi/mpi.test.sh and bench/mpi.sh.
 *
 *   mpi_train MODEL.so NAME [--local] [--steps N] [--seed S] [--threads N]
 *             [--save PATH] [--resume PATH] [--no-allreduce] [--print-keys]
 *             [--fail RANK:STEP:nan|label|exit|kill] [--time] [--overlap] [--private]
 *             [--print-node]
 *
 * MODEL.so is a dmc object linked with `cc -shared`; NAME_model its
 * descriptor.  The model has inputs x : f32[B, ...] and y : i32[B] and an
 * output probs : f32[B, K].  Sample k of the synthetic data set has
 * x[e] = u(k, e) in [-1, 1) and y = label(k) in [0, K), both from a hash, so
 * every process can make any sample.  Step s of a run on p ranks of batch B
 * trains on the samples s*p*B .. (s+1)*p*B - 1, rank r on its slice by
 * dm_mpi_shard; --local with batch p*B trains on the same samples.  At the
 * end rank 0 (or the local process) writes --save, a checkpoint whose
 * metadata "step" says how many steps are done, which --resume continues.
 * --overlap trains with dm_mpi_train_step_overlapped.  The ranks' instances
 * come from dm_mpi_new (in shared memory where ranks share a machine);
 * --private makes them with dm_new, so the gradients move by MPI_Allreduce;
 * --print-node prints each rank's dm_mpi_node_ranks. */
#include "dm_mpi.h"

#include <dlfcn.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct options {
    const char *so, *name, *save, *resume;
    int local, steps, threads, no_allreduce, print_keys, print_node, timing, overlap, private_memory;
    uint64_t seed;
    int fail_rank, fail_step; /* fail_step < 0: none */
    char fail_how[8];
} options;

static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Row `row` of the inputs := sample k. */
static void make_sample(int64_t k, float *x, int64_t features, int32_t *y, int64_t row, int classes) {
    for (int64_t e = 0; e < features; e++)
        x[row * features + e] = (float)((mix((uint64_t)k * 1000003u + (uint64_t)e + 1) >> 40) * 0x1.0p-23 - 1.0);
    y[row] = (int32_t)(mix(~(uint64_t)k) % (uint64_t)classes);
}

static int usage(void) {
    fprintf(stderr, "usage: mpi_train MODEL.so NAME [--local] [--steps N] [--seed S] [--threads N] [--save PATH] "
                    "[--resume PATH] [--no-allreduce] [--print-keys] [--fail RANK:STEP:nan|label|exit|kill] [--time] [--overlap] [--private] [--print-node]\n");
    return 2;
}

static int parse(int argc, char **argv, options *o) {
    *o = (options){.steps = 10, .seed = 1, .fail_step = -1};
    if (argc < 3)
        return usage();
    o->so = argv[1];
    o->name = argv[2];
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--local")) o->local = 1;
        else if (!strcmp(a, "--no-allreduce")) o->no_allreduce = 1;
        else if (!strcmp(a, "--print-keys")) o->print_keys = 1;
        else if (!strcmp(a, "--time")) o->timing = 1;
        else if (!strcmp(a, "--overlap")) o->overlap = 1;
        else if (!strcmp(a, "--private")) o->private_memory = 1;
        else if (!strcmp(a, "--print-node")) o->print_node = 1;
        else if (!strcmp(a, "--steps") && v) o->steps = atoi(v), i++;
        else if (!strcmp(a, "--threads") && v) o->threads = atoi(v), i++;
        else if (!strcmp(a, "--seed") && v) o->seed = strtoull(v, NULL, 10), i++;
        else if (!strcmp(a, "--save") && v) o->save = v, i++;
        else if (!strcmp(a, "--resume") && v) o->resume = v, i++;
        else if (!strcmp(a, "--fail") && v && sscanf(v, "%d:%d:%7s", &o->fail_rank, &o->fail_step, o->fail_how) == 3) i++;
        else return usage();
    }
    return 0;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* Each rank reports its own failure; the exit status is 1 everywhere. */
static int failed(const options *o, int rank, const char *what) {
    fprintf(stderr, "mpi_train: rank %d: %s: %s\n", rank, what, dm_last_error());
    if (!o->local)
        MPI_Finalize();
    return 1;
}

static int train(const options *o, dm_model *m, int rank, int size) {
    const dm_tensor_desc *xd = dm_tensor(m, "x"), *pd = dm_tensor(m, "probs");
    int64_t batch = xd->dims[0], features = xd->count / batch;
    int classes = (int)pd->dims[1];
    float *x = dm_data(m, "x");
    int32_t *y = dm_data(m, "y");
    int first = 0;
    if (o->resume) {
        int64_t step = 0;
        char text[32];
        int rc = 0;
        if (rank == 0 && ((rc = dm_load(m, o->resume)) != 0 ||
                          (rc = dm_load_metadata(o->resume, "step", text, sizeof text)) != 0))
            fprintf(stderr, "mpi_train: rank 0: --resume: %s\n", dm_last_error());
        else if (rank == 0)
            step = atoll(text);
        if (!o->local && (rc = dm_mpi_agree(rc, MPI_COMM_WORLD)) == 0)
            MPI_Bcast(&step, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
        if (rc != 0)
            return rc;
        first = (int)step;
    }
    if (!o->local) {
        int rc = dm_mpi_broadcast_params(m, MPI_COMM_WORLD, 0);
        if (rc != 0)
            return rc;
    }
    if (o->print_node) {
        int nodes, shared = dm_mpi_node_ranks(m, &nodes);
        printf("rank %d shares memory with %d ranks, %d nodes\n", rank, shared, nodes);
    }
    if (o->print_keys) {
        const int32_t *key = dm_data(m, "rng/dropout");
        printf("rank %d key %u\n", rank, key ? (unsigned)key[0] : 0u);
    }
    /* The samples of this run: global batch g of p*B holds g*p*B onwards. */
    int64_t global = batch * size, total = (int64_t)(first + o->steps) * global;
    int64_t *order = malloc(sizeof *order * (size_t)total), *shard = malloc(sizeof *shard * (size_t)total);
    for (int64_t k = 0; k < total; k++)
        order[k] = k;
    if (dm_mpi_shard(order, total, batch, rank, size, shard) != (first + o->steps) * batch)
        return DM_EINVAL;
    double started = 0;
    int rc = 0;
    for (int s = first; rc == 0 && s < first + o->steps; s++) {
        if (s == first + 2)
            started = now(); /* after two warm-up steps */
        for (int64_t j = 0; j < batch; j++)
            make_sample(shard[s * batch + j], x, features, y, j, classes);
        if (o->fail_step == s && o->fail_rank == rank) {
            if (!strcmp(o->fail_how, "nan")) x[0] = NAN;
            else if (!strcmp(o->fail_how, "label")) y[0] = -1;   /* DM_ERANGE before any gradient */
            else if (!strcmp(o->fail_how, "exit")) _exit(3);
            else raise(SIGKILL);
        }
        float loss = 0;
        if (o->local)
            rc = dm_train_step(m, &loss);
        else if (o->no_allreduce)
            rc = dm_train_step(m, &loss);
        else if (o->overlap)
            rc = dm_mpi_train_step_overlapped(m, MPI_COMM_WORLD, &loss);
        else
            rc = dm_mpi_train_step(m, MPI_COMM_WORLD, &loss);
        if (rc == 0 && rank == 0 && !o->timing)
            printf("step %d loss %.9g\n", s + 1, loss);
    }
    if (rc == 0 && o->timing && rank == 0 && o->steps > 2) {
        double per = (now() - started) / (o->steps - 2);
        printf("%d ranks x batch %lld: %.3f ms per step, %.0f samples/s\n", size, (long long)batch, per * 1e3,
               global / per);
    }
    free(order);
    free(shard);
    if (rc != 0)
        return rc;
    if (!o->local && !o->no_allreduce && (rc = dm_mpi_check_replicas(m, MPI_COMM_WORLD)) != 0)
        return rc;
    if (o->save) {
        char text[32];
        snprintf(text, sizeof text, "%d", first + o->steps);
        const char *keys[] = {"step"}, *values[] = {text};
        if (rank == 0)
            rc = dm_save_with_metadata(m, o->save, 1, keys, values);
        if (!o->local)
            rc = dm_mpi_agree(rc, MPI_COMM_WORLD);
    }
    return rc;
}

int main(int argc, char **argv) {
    options o;
    if (parse(argc, argv, &o) != 0)
        return 2;
    int rank = 0, size = 1;
    if (!o.local) {
        MPI_Init(&argc, &argv);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    }
    void *lib = dlopen(o.so, RTLD_NOW | RTLD_LOCAL);
    char symbol[256];
    snprintf(symbol, sizeof symbol, "%s_model", o.name);
    const dm_model_desc *d = lib ? dlsym(lib, symbol) : NULL;
    if (!d) {
        fprintf(stderr, "mpi_train: %s: %s\n", o.so, lib ? "no such model" : dlerror());
        if (!o.local)
            MPI_Abort(MPI_COMM_WORLD, 2);
        return 2;
    }
    dm_model *m = o.local || o.private_memory ? dm_new(d, o.seed) : dm_mpi_new(d, o.seed, MPI_COMM_WORLD);
    if (!m || !dm_tensor(m, "x") || !dm_tensor(m, "y") || !dm_tensor(m, "probs"))
        return failed(&o, rank, "the model (inputs x, y and output probs)");
    if (o.threads && dm_set_threads(m, o.threads) != 0)
        return failed(&o, rank, "--threads");
    int rc = train(&o, m, rank, size);
    if (rc != 0) {
        fprintf(stderr, "mpi_train: rank %d: training: %s\n", rank, dm_last_error());
        if (!o.local)
            dm_mpi_free(m); /* collective: every rank agreed on the failure */
        if (!o.local)
            MPI_Finalize();
        return 1;
    }
    if (o.local)
        dm_free(m);
    else
        dm_mpi_free(m);
    if (!o.local)
        MPI_Finalize();
    return 0;
}
