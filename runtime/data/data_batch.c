/* data_batch.c: the seeded shuffle and the batch iterator.
 *
 * dm_shuffle is Fisher-Yates driven by the runtime's generator (init.c,
 * docs/runtime.md) on the stream named "data/shuffle/<epoch>": for i from
 * n-1 down to 1, j = below(i + 1), swap order[i] and order[j].  The same
 * (seed, epoch) gives the same order on every machine.
 *
 * The iterator copies samples into the caller's batch buffers; its rule for
 * the last partial batch is documented in dm_data.h.  dm_count_correct
 * scores predictions (argmax, first on ties). */
#include "rt.h"
#include "dm_data.h"
#include <stdio.h>
#include <string.h>

void dm_shuffle(int64_t *order, int64_t n, uint64_t seed, uint64_t epoch) {
    char name[48];
    snprintf(name, sizeof name, "data/shuffle/%llu", (unsigned long long)epoch);
    rt_rng r;
    rt_rng_stream(&r, seed, name);
    for (int64_t i = 0; i < n; i++)
        order[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)rt_rng_below(&r, (uint64_t)i + 1);
        int64_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

void dm_batches_begin(dm_batches *it, const dm_dataset *ds, const int64_t *order, int64_t batch, int drop_last) {
    it->ds = ds;
    it->order = order;
    it->batch = batch > 0 ? batch : 1;
    it->next = 0;
    it->drop_last = drop_last;
}

int64_t dm_batches_count(const dm_dataset *ds, int64_t batch, int drop_last) {
    if (!ds || batch <= 0)
        return 0;
    return drop_last ? ds->count / batch : (ds->count + batch - 1) / batch;
}

int64_t dm_batches_next(dm_batches *it, float *x, int32_t *labels, float *one_hot) {
    const dm_dataset *ds = it->ds;
    int64_t left = ds->count - it->next;
    if (left <= 0 || (left < it->batch && it->drop_last))
        return 0;
    int64_t real = left < it->batch ? left : it->batch, d = ds->sample_size;
    for (int64_t k = 0; k < it->batch; k++) {
        int64_t i = k < real ? (it->order ? it->order[it->next + k] : it->next + k) : -1;
        if (x) {
            if (i >= 0)
                memcpy(x + k * d, ds->x + i * d, (size_t)d * sizeof *x);
            else
                memset(x + k * d, 0, (size_t)d * sizeof *x);
        }
        int32_t label = i >= 0 ? ds->y[i] : 0;
        if (labels)
            labels[k] = label;
        if (one_hot) {
            memset(one_hot + k * ds->classes, 0, (size_t)ds->classes * sizeof *one_hot);
            if (i >= 0)
                one_hot[k * ds->classes + label] = 1.0f;
        }
    }
    it->next += real;
    return real;
}

int64_t dm_count_correct(const float *scores, const int32_t *labels, int64_t n, int classes) {
    int64_t correct = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *row = scores + i * classes;
        int best = 0;
        for (int c = 1; c < classes; c++)
            if (row[c] > row[best])
                best = c;
        correct += best == labels[i];
    }
    return correct;
}
