/* trainer.c: the training loop of the Fashion-MNIST examples.
 *
 * Reads the IDX files with libdmrt's data utilities, normalises the images
 * with the training set's mean and standard deviation, and for every epoch
 * shuffles (a permutation drawn from the seed and the epoch number, so a
 * resumed run sees the same batches as an uninterrupted one), trains on full
 * batches of the size the model was compiled for (the last partial batch is
 * dropped), then evaluates on the whole test set (the last partial batch is
 * padded and only its real rows are counted).  With --save, a checkpoint
 * holding the parameters, the optimizer state and the epoch is written after
 * every epoch; --resume continues from such a checkpoint.
 *
 * With --mpi (the *_mpi builds, run under mpirun) the processes of the job
 * train one model together (docs/distributed.md): every rank shuffles the
 * same order, takes its slice of each global batch of size * batch samples
 * and runs the group's step (gradients averaged over the ranks); rank 0
 * alone loads --resume, prints and saves, and every decision that could
 * fail on one rank is agreed on by all, so they stop together. */
#include "trainer.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dm_data.h"

const char *const fashion_classes[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

typedef struct options {
    int epochs, threads;
    int stop_after;         /* 0: run to --epochs */
    int64_t batch_size;     /* 0: the compiled batch */
    int64_t train_limit;    /* 0: every training sample */
    uint64_t seed;
    int seed_given;
    int cosine;             /* the learning-rate schedule: 1 cosine, 0 constant */
    int mpi;                /* --mpi: train with the ranks of an MPI job */
    const char *data, *save, *resume;
} options;

/* The batch the model was compiled for: the first dimension of its input x. */
static long long compiled_batch(const dm_model_desc *d) {
    for (int i = 0; i < d->ntensors; i++)
        if (d->tensors[i].kind == DM_INPUT && !strcmp(d->tensors[i].name, "x") && d->tensors[i].rank > 0)
            return (long long)d->tensors[i].dims[0];
    return 0;
}

static void usage(const trainer_spec *spec, FILE *out) {
    fprintf(out,
            "usage: %s [options]\n"
            "  --epochs N        epochs to train (default %d; with --resume, the total)\n"
            "  --batch-size N    must equal the batch the model was compiled with (%lld);\n"
            "                    another batch needs a recompile: dmc -D batch=N (see docs/examples.md)\n"
            "  --threads N       worker threads (default: $DM_THREADS, else 1)\n"
            "  --seed S          initialisation, shuffling and dropout seed (default 1)\n"
            "  --data DIR        folder of the IDX files (default /usr/share/datasets/fashion-mnist)\n"
            "  --save PATH       write a checkpoint after every epoch\n"
            "  --resume PATH     continue from a checkpoint written by --save\n"
            "  --lr-schedule S   constant (the .dm file's rate throughout) or cosine (from that\n"
            "                    rate down to 0 over the run, step by step); default %s\n"
            "  --stop-after N    stop after epoch N, as if interrupted (the schedule still plans\n"
            "                    for --epochs; continue later with --resume)\n"
            "  --train-limit N   train on the first N samples only (quick runs and tests)\n"
            "  --mpi             data-parallel training with the ranks of an MPI job: run the\n"
            "                    program's _mpi build under mpirun (docs/distributed.md)\n",
            spec->program, spec->default_epochs, compiled_batch(spec->model),
            spec->cosine ? "cosine" : "constant");
}

static int64_t parse_count(const trainer_spec *spec, const char *flag, const char *text, int64_t min) {
    char *end;
    errno = 0;
    long long v = text ? strtoll(text, &end, 10) : 0;
    if (!text || errno || *end || v < min) {
        fprintf(stderr, "%s: %s expects an integer >= %lld, got '%s'\n", spec->program, flag, (long long)min,
                text ? text : "");
        exit(2);
    }
    return v;
}

static options parse_options(const trainer_spec *spec, int argc, char **argv) {
    options o = {.epochs = spec->default_epochs, .seed = 1, .cosine = spec->cosine,
                 .data = "/usr/share/datasets/fashion-mnist"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) usage(spec, stdout), exit(0);
        else if (!strcmp(a, "--epochs")) o.epochs = (int)parse_count(spec, a, v, 1), i++;
        else if (!strcmp(a, "--batch-size")) o.batch_size = parse_count(spec, a, v, 1), i++;
        else if (!strcmp(a, "--threads")) o.threads = (int)parse_count(spec, a, v, 1), i++;
        else if (!strcmp(a, "--seed")) o.seed = (uint64_t)parse_count(spec, a, v, 0), o.seed_given = 1, i++;
        else if (!strcmp(a, "--stop-after")) o.stop_after = (int)parse_count(spec, a, v, 1), i++;
        else if (!strcmp(a, "--train-limit")) o.train_limit = parse_count(spec, a, v, 1), i++;
        else if (!strcmp(a, "--mpi")) o.mpi = 1;
        else if (!strcmp(a, "--lr-schedule") && v && (!strcmp(v, "cosine") || !strcmp(v, "constant")))
            o.cosine = !strcmp(v, "cosine"), i++;
        else if (!strcmp(a, "--data") && v) o.data = v, i++;
        else if (!strcmp(a, "--save") && v) o.save = v, i++;
        else if (!strcmp(a, "--resume") && v) o.resume = v, i++;
        else {
            fprintf(stderr, "%s: unknown or incomplete option '%s'\n", spec->program, a);
            usage(spec, stderr);
            exit(2);
        }
    }
    return o;
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* Loads PREFIX-images-idx3-ubyte(.gz) and PREFIX-labels-idx1-ubyte(.gz). */
static int load_split(const char *dir, const char *prefix, dm_dataset *ds) {
    char images[4096], labels[4096];
    snprintf(images, sizeof images, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
    snprintf(labels, sizeof labels, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
    if (access(images, R_OK) != 0) images[strlen(images) - 3] = 0;   /* uncompressed copies */
    if (access(labels, R_OK) != 0) labels[strlen(labels) - 3] = 0;
    return dm_dataset_load(ds, images, labels);
}

/* The progress bar on a terminal: batches done, ETA, running loss. */
static void progress(int epoch, int epochs, int64_t done, int64_t total, double started, double loss) {
    double elapsed = now_seconds() - started;
    double eta = done ? elapsed / done * (total - done) : 0;
    int width = 30, filled = (int)(width * done / total);
    fprintf(stderr, "\r  epoch %d/%d [%.*s%*s] %3d%%  ETA %4.0fs  loss %.4f ", epoch, epochs, filled,
            "==============================", width - filled, "", (int)(100 * done / total), eta, loss);
    fflush(stderr);
}

/* Cosine annealing (Loshchilov and Hutter, 2017) without restarts: the
 * rate at step t of T falls from base to 0 along half a cosine. */
static float cosine_rate(double base, int64_t t, int64_t T) {
    return (float)(base * 0.5 * (1 + cos(3.14159265358979323846 * (double)t / (double)T)));
}

static int argmax(const float *row, int n) {
    int best = 0;
    for (int k = 1; k < n; k++)
        if (row[k] > row[best]) best = k;
    return best;
}

/* Test accuracy with the forward entry, over every test sample: rank r
 * scores the batches b with b % size == r, and the counts are summed. */
static int evaluate(const trainer_group *g, dm_model *m, const dm_dataset *test, int64_t batch, int classes,
                    double *accuracy) {
    float *x = dm_data(m, "x"), *probs = dm_data(m, "probs");
    int32_t labels[4096];
    int32_t *y = batch <= 4096 ? labels : malloc(batch * sizeof *y);
    dm_batches it;
    dm_batches_begin(&it, test, NULL, batch, 0);
    int64_t real, counts[2] = {0, 0}; /* correct, seen */
    int rc = 0;
    for (int64_t b = 0; rc == 0 && (real = dm_batches_next(&it, x, y, NULL)) > 0; b++) {
        if (b % g->size != g->rank) continue;
        if ((rc = dm_forward(m)) != 0) break;
        for (int64_t i = 0; i < real; i++) counts[0] += argmax(probs + i * classes, classes) == y[i];
        counts[1] += real;
    }
    if (y != labels) free(y);
    if ((rc = g->agree(rc)) != 0) return rc;
    g->sum(counts, 2);
    *accuracy = counts[1] ? 100.0 * counts[0] / counts[1] : 0;
    return rc;
}

static int fail(const trainer_spec *spec, const char *what) {
    fprintf(stderr, "%s: %s: %s\n", spec->program, what, dm_last_error());
    return 1;
}

/* ---- one process: the group of the plain builds ---------------------------- */
static int local_sync(dm_model *m) { (void)m; return 0; }
static int local_agree(int rc) { return rc; }
static void local_nothing(int64_t *v, int n) { (void)v, (void)n; }
static void local_finish(int status) { (void)status; }
static const trainer_group local_group = {
    .rank = 0, .size = 1, .make = dm_new, .release = dm_free, .sync = local_sync, .step = dm_train_step,
    .agree = local_agree, .broadcast = local_nothing, .sum = local_nothing, .shard = NULL, .finish = local_finish,
};

/* The group of this run: --mpi joins the MPI job. */
static const trainer_group *join(const trainer_spec *spec, const options *o) {
    if (!o->mpi) return &local_group;
#ifdef TRAINER_MPI
    return trainer_mpi_group();
#else
    fprintf(stderr, "%s: --mpi: this build has no MPI; run %s_mpi (built when Open MPI is installed) under "
            "mpirun (docs/distributed.md)\n", spec->program, spec->program);
    exit(2);
#endif
}

static int train(const trainer_spec *spec, const trainer_group *g, options o);

int trainer_main(const trainer_spec *spec, int argc, char **argv) {
    options o = parse_options(spec, argc, argv);
    const trainer_group *g = join(spec, &o);
    int status = train(spec, g, o);
    g->finish(status);
    return status;
}

static int train_model(const trainer_spec *spec, const trainer_group *g, options o, dm_model *m);

/* The instance is the group's (in shared memory for ranks on one machine:
 * dm_mpi_new), released on every rank whatever happened: all ranks return
 * together (below), and an MPI instance is freed collectively. */
static int train(const trainer_spec *spec, const trainer_group *g, options o) {
    dm_model *m = g->make(spec->model, o.seed);
    if (g->agree(m ? 0 : DM_ENOMEM) != 0) return fail(spec, "dm_new");
    int status = train_model(spec, g, o, m);
    g->release(m);
    return status;
}

static int train_model(const trainer_spec *spec, const trainer_group *g, options o, dm_model *m) {
    const dm_model_desc *d = spec->model;
    int talk = g->rank == 0; /* progress and results from rank 0 only */
    /* Every failure below is agreed on by the ranks (g->agree), or the same
     * on all of them (the model's shape, the options), so they stop together. */
    const dm_tensor_desc *xd = dm_tensor(m, "x"), *pd = dm_tensor(m, "probs");
    if (!xd || !pd || !dm_tensor(m, "y") || pd->rank != 2 || !d->train_step) {
        fprintf(stderr, "%s: the model needs inputs x and y, an output probs [batch, classes] and a loss\n",
                spec->program);
        return 1;
    }
    int64_t batch = xd->dims[0];
    int classes = (int)pd->dims[1];
    if (o.batch_size && o.batch_size != batch) {
        fprintf(stderr, "%s: this build's model has batch %lld; for --batch-size %lld recompile it with "
                "`dmc -D batch=%lld` (see docs/examples.md)\n", spec->program, (long long)batch,
                (long long)o.batch_size, (long long)o.batch_size);
        return 2;
    }
    if (g->agree(o.threads ? dm_set_threads(m, o.threads) : 0) != 0) return fail(spec, "--threads");

    int first_epoch = 1;
    if (o.resume) {
        /* Rank 0 reads the checkpoint (the others need not see the file). */
        char text[64];
        int64_t saved[2] = {0, (int64_t)o.seed}; /* epoch, seed */
        int rc = 0;
        if (talk && ((rc = dm_load(m, o.resume)) != 0 ||
                     (rc = dm_load_metadata(o.resume, "epoch", text, sizeof text)) != 0))
            fail(spec, "--resume");
        else if (talk) {
            saved[0] = atoi(text);
            if (dm_load_metadata(o.resume, "seed", text, sizeof text) == 0) {
                saved[1] = (int64_t)strtoull(text, NULL, 10);
                if (o.seed_given && (uint64_t)saved[1] != o.seed)
                    fprintf(stderr, "%s: note: the checkpoint was trained with seed %llu; continuing with it\n",
                            spec->program, (unsigned long long)saved[1]);
            }
        }
        if (g->agree(rc) != 0) return talk ? 1 : fail(spec, "--resume");
        g->broadcast(saved, 2);
        first_epoch = (int)saved[0] + 1;
        o.seed = (uint64_t)saved[1];
        if (talk) printf("resumed %s after epoch %d\n", o.resume, first_epoch - 1);
    }
    if (g->sync(m) != 0) return fail(spec, "--mpi");

    dm_dataset train = {0}, test = {0};
    int loaded = load_split(o.data, "train", &train);
    if (loaded == 0) loaded = load_split(o.data, "t10k", &test);
    if (g->agree(loaded) != 0) return fail(spec, "data");
    if (train.sample_size != xd->count / batch || test.sample_size != train.sample_size) {
        fprintf(stderr, "%s: the data has %lld values per sample, the model's x expects %lld\n", spec->program,
                (long long)train.sample_size, (long long)(xd->count / batch));
        return 1;
    }
    float mean, std;
    dm_dataset_stats(&train, &mean, &std);
    dm_dataset_normalize(&train, mean, std);
    dm_dataset_normalize(&test, mean, std);
    if (o.train_limit && o.train_limit < train.count) train.count = o.train_limit;

    /* This rank's samples of the epoch: all of them in one process, else
     * its slice of every global batch (a view of the data in shard order). */
    int64_t *order = malloc(train.count * sizeof *order), *shard = malloc(train.count * sizeof *shard);
    dm_dataset mine = train;
    int32_t *y = dm_data(m, "y");
    float *x = dm_data(m, "x");
    int tty = isatty(fileno(stderr));
    int64_t nbatches = dm_batches_count(&train, batch * g->size, 1);
    if (talk && g->size > 1)
        printf("%s: %d ranks, each on its slice of every batch of %lld\n", spec->program, g->size,
               (long long)(batch * g->size));
    if (talk)
        printf("%s: %lld training samples, %lld test samples, batch %lld, %d thread%s\n", spec->program,
               (long long)train.count, (long long)test.count, (long long)batch, dm_threads(m),
               dm_threads(m) > 1 ? "s" : "");
    fflush(stdout);
    const dm_tensor_desc *rate = dm_tensor(m, "opt/lr");   /* its init: the .dm file's learning rate */
    double accuracy = 0, base_rate = rate && rate->init ? rate->init->a : 0;
    int rc = 0;
    int last_epoch = o.stop_after && o.stop_after < o.epochs ? o.stop_after : o.epochs;
    for (int epoch = first_epoch; rc == 0 && epoch <= last_epoch; epoch++) {
        dm_shuffle(order, train.count, o.seed, (uint64_t)epoch);
        const int64_t *mine_order = order;
        if (g->shard) {
            mine.count = g->shard(order, train.count, batch, shard);
            mine_order = shard;
        }
        dm_batches it;
        dm_batches_begin(&it, &mine, mine_order, batch, 1);
        double started = now_seconds(), last_draw = 0, loss_sum = 0;
        int64_t done = 0;
        while (dm_batches_next(&it, x, y, NULL) > 0) {
            float loss;
            if (o.cosine && base_rate > 0 &&
                (rc = dm_set_learning_rate(m, cosine_rate(base_rate, (epoch - 1) * nbatches + done,
                                                          (int64_t)o.epochs * nbatches))) != 0)
                break;
            if ((rc = g->step(m, &loss)) != 0) break;
            loss_sum += loss;
            done++;
            if (talk && tty && (now_seconds() - last_draw > 0.1 || done == nbatches)) {
                progress(epoch, o.epochs, done, nbatches, started, loss_sum / done);
                last_draw = now_seconds();
            }
        }
        if (rc != 0) break;
        double train_time = now_seconds() - started;
        if (talk && tty) fprintf(stderr, "\r%*s\r", 90, "");
        if ((rc = evaluate(g, m, &test, batch, classes, &accuracy)) != 0) break;
        if (talk)
            printf("epoch %d/%d: loss %.4f, test accuracy %.2f%%, %.0f samples/s, %.1f s\n", epoch, o.epochs,
                   loss_sum / (done ? done : 1), accuracy, done * batch * g->size / train_time, train_time);
        fflush(stdout);
        if (o.save) { /* rank 0 writes (atomically); every rank learns whether it could */
            /* The normalisation goes along so that classify can repeat it. */
            char epoch_text[32], seed_text[32], mean_text[32], std_text[32];
            snprintf(epoch_text, sizeof epoch_text, "%d", epoch);
            snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)o.seed);
            snprintf(mean_text, sizeof mean_text, "%.9g", mean);
            snprintf(std_text, sizeof std_text, "%.9g", std);
            const char *keys[] = {"epoch", "seed", "mean", "std"};
            const char *values[] = {epoch_text, seed_text, mean_text, std_text};
            if (talk) rc = dm_save_with_metadata(m, o.save, 4, keys, values);
            if (g->agree(rc) != 0) {
                rc = fail(spec, "--save");
                break;
            }
        }
    }
    if (rc < 0) fail(spec, "training");
    if (rc == 0 && first_epoch > last_epoch)
        rc = evaluate(g, m, &test, batch, classes, &accuracy);
    if (rc == 0 && talk) printf("test accuracy: %.2f%%\n", accuracy);
    free(order);
    free(shard);
    dm_dataset_free(&train);
    dm_dataset_free(&test);
    return rc == 0 ? 0 : 1;
}
