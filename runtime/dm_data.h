/* dm_data.h: small data utilities of libdmrt for the examples: reading
 * MNIST / Fashion-MNIST IDX files (gzip-compressed or not), scaling and
 * normalising images, a seeded shuffle and a batch iterator.
 *
 * Self-contained (its own gzip/DEFLATE decoder, no zlib).  Every int function
 * returns 0 or a negative DM_E... code and sets dm_last_error() (dm.h); file
 * errors name the file and what is wrong with it.  See docs/runtime.md. */
#ifndef DM_DATA_H
#define DM_DATA_H

#include "dm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- files -------------------------------------------------------------- */

/* Reads a whole file into a malloc'd buffer (free it with free()); if it
 * starts with the gzip magic 1f 8b it is decompressed (every member, CRC-32
 * and length checked).  DM_EIO if it cannot be read, DM_EFORMAT if corrupt. */
DM_API int dm_read_file(const char *path, uint8_t **data, size_t *size);

/* Decompresses a gzip stream (RFC 1952 around RFC 1951 DEFLATE) held in
 * memory.  name is used in error messages only. */
DM_API int dm_gunzip(const uint8_t *in, size_t in_size, uint8_t **out, size_t *out_size, const char *name);

/* CRC-32 (ISO 3309 / gzip) of data, continuing from crc (start with 0). */
DM_API uint32_t dm_crc32(uint32_t crc, const uint8_t *data, size_t size);

/* ---- IDX files and datasets ----------------------------------------------- */

/* An IDX file of unsigned bytes (type 0x08): rank dims and the raw bytes. */
typedef struct dm_idx {
    int rank;
    int64_t dims[DM_MAX_RANK];
    int64_t count;   /* product of dims */
    uint8_t *bytes;  /* count values (points into the file buffer `file`) */
    uint8_t *file;   /* the whole decompressed file (freed by dm_idx_free) */
} dm_idx;

DM_API int  dm_idx_read(const char *path, dm_idx *idx);
DM_API void dm_idx_free(dm_idx *idx);

/* Samples with labels: images scaled from 0..255 to [0, 1]. */
typedef struct dm_dataset {
    int64_t count;              /* number of samples */
    int sample_rank;            /* 2 for 28x28 images */
    int64_t sample_dims[DM_MAX_RANK];
    int64_t sample_size;        /* floats per sample (784) */
    float *x;                   /* count * sample_size, row-major */
    int32_t *y;                 /* count labels */
    int classes;                /* 1 + the largest label */
} dm_dataset;

/* Loads an images IDX file (rank >= 2: count, then the sample's dims) and a
 * labels IDX file (rank 1, same count).  Either may be gzip-compressed. */
DM_API int  dm_dataset_load(dm_dataset *ds, const char *images_path, const char *labels_path);
DM_API void dm_dataset_free(dm_dataset *ds);

/* Mean and standard deviation (population) over every element of ds->x. */
DM_API void dm_dataset_stats(const dm_dataset *ds, float *mean, float *std);
/* x = (x - mean) / std for every element (std > 0). */
DM_API int  dm_dataset_normalize(dm_dataset *ds, float mean, float std);

/* ---- shuffling and batches -------------------------------------------------- */

/* order = a permutation of 0 .. n-1 drawn from (seed, epoch): Fisher-Yates
 * with the runtime's generator on the stream named "data/shuffle/<epoch>". */
DM_API void dm_shuffle(int64_t *order, int64_t n, uint64_t seed, uint64_t epoch);

/* Walks a dataset in batches of `batch` samples, in `order` (NULL: 0, 1, ...).
 * The last partial batch (count % batch samples): with drop_last it is
 * skipped (training a model compiled for a fixed batch); otherwise it is
 * returned padded with zero images and label 0, and dm_batches_next returns
 * how many leading rows are real. */
typedef struct dm_batches {
    const dm_dataset *ds;
    const int64_t *order;
    int64_t batch, next;
    int drop_last;
} dm_batches;

DM_API void dm_batches_begin(dm_batches *it, const dm_dataset *ds, const int64_t *order, int64_t batch, int drop_last);
/* Fills x (batch * sample_size floats) and, if not NULL, labels (batch
 * int32) and/or one_hot (batch * classes floats); returns the number of real
 * samples, 0 when the epoch is over. */
DM_API int64_t dm_batches_next(dm_batches *it, float *x, int32_t *labels, float *one_hot);
/* The number of batches dm_batches_next will return in one epoch. */
DM_API int64_t dm_batches_count(const dm_dataset *ds, int64_t batch, int drop_last);

/* How many of the first n rows of scores (n x classes, row-major: logits or
 * probabilities) have their largest value (the first, on ties) at the label. */
DM_API int64_t dm_count_correct(const float *scores, const int32_t *labels, int64_t n, int classes);

#ifdef __cplusplus
}
#endif
#endif
