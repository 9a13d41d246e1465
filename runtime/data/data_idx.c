/* data_idx.c: reading data files: whole files (gunzipped when they start
 * with 1f 8b), IDX files of unsigned bytes (the MNIST / Fashion-MNIST
 * format), and labelled image datasets scaled to [0, 1].
 *
 * IDX: bytes 0-1 are zero, byte 2 the element type (0x08 = unsigned byte,
 * the only one these datasets use), byte 3 the rank; then one big-endian
 * 32-bit size per dimension; then the elements, row-major.  Every size is
 * checked against the file; errors name the file and the problem. */
#include "rt.h"
#include "dm_data.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int dm_read_file(const char *path, uint8_t **data, size_t *size) {
    rt_clear_error();
    if (!path || !data || !size)
        return rt_error(DM_EINVAL, "dm_read_file: NULL argument");
    uint8_t *buf;
    size_t n;
    int rc = rt_read_file(path, &buf, &n);
    if (rc != DM_OK)
        return rc;
    if (n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
        uint8_t *plain;
        size_t plain_size;
        rc = dm_gunzip(buf, n, &plain, &plain_size, path);
        free(buf);
        if (rc != DM_OK)
            return rc;
        buf = plain;
        n = plain_size;
    }
    *data = buf;
    *size = n;
    return DM_OK;
}

void dm_idx_free(dm_idx *idx) {
    if (!idx)
        return;
    free(idx->file);
    memset(idx, 0, sizeof *idx);
}

int dm_idx_read(const char *path, dm_idx *idx) {
    rt_clear_error();
    if (!idx)
        return rt_error(DM_EINVAL, "dm_idx_read: NULL argument");
    memset(idx, 0, sizeof *idx);
    uint8_t *file;
    size_t size;
    int rc = dm_read_file(path, &file, &size);
    if (rc != DM_OK)
        return rc;
    if (size < 4 || file[0] != 0 || file[1] != 0) {
        free(file);
        return rt_error(DM_EFORMAT, "%s: not an IDX file (it must start with two zero bytes, a type and a rank)", path);
    }
    if (file[2] != 0x08) {
        int type = file[2];
        free(file);
        return rt_error(DM_EFORMAT, "%s: IDX element type 0x%02x is not supported (only 0x08, unsigned bytes)", path,
                        type);
    }
    int rank = file[3];
    if (rank < 1 || rank > DM_MAX_RANK) {
        free(file);
        return rt_error(DM_EFORMAT, "%s: IDX rank %d (expected 1 to %d)", path, rank, DM_MAX_RANK);
    }
    if (size < 4 + 4 * (size_t)rank) {
        free(file);
        return rt_error(DM_EFORMAT, "%s: truncated: the file ends inside the IDX header", path);
    }
    uint64_t count = 1;
    for (int r = 0; r < rank; r++) {
        const uint8_t *p = file + 4 + 4 * r;
        idx->dims[r] = (int64_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
        count *= (uint64_t)idx->dims[r]; /* at most 8 factors below 2^32: checked below */
        if (count > ((uint64_t)1 << 40)) {
            free(file);
            return rt_error(DM_EFORMAT, "%s: IDX dimensions too large", path);
        }
    }
    size_t header = 4 + 4 * (size_t)rank;
    if (size - header != count) {
        free(file);
        return rt_error(DM_EFORMAT, "%s: %s: the IDX header promises %llu bytes of data, the file holds %zu", path,
                        size - header < count ? "truncated" : "trailing bytes", (unsigned long long)count,
                        size - header);
    }
    idx->rank = rank;
    idx->count = (int64_t)count;
    idx->file = file;
    idx->bytes = file + header;
    return DM_OK;
}

void dm_dataset_free(dm_dataset *ds) {
    if (!ds)
        return;
    free(ds->x);
    free(ds->y);
    memset(ds, 0, sizeof *ds);
}

int dm_dataset_load(dm_dataset *ds, const char *images_path, const char *labels_path) {
    rt_clear_error();
    if (!ds || !images_path || !labels_path)
        return rt_error(DM_EINVAL, "dm_dataset_load: NULL argument");
    memset(ds, 0, sizeof *ds);
    dm_idx images, labels;
    int rc = dm_idx_read(images_path, &images);
    if (rc != DM_OK)
        return rc;
    rc = dm_idx_read(labels_path, &labels);
    if (rc != DM_OK) {
        dm_idx_free(&images);
        return rc;
    }
    if (images.rank < 2)
        rc = rt_error(DM_EFORMAT, "%s: an image file needs rank >= 2 (count, then the image's dims), it has rank %d",
                      images_path, images.rank);
    else if (labels.rank != 1)
        rc = rt_error(DM_EFORMAT, "%s: a label file needs rank 1, it has rank %d", labels_path, labels.rank);
    else if (labels.dims[0] != images.dims[0])
        rc = rt_error(DM_EMISMATCH, "%s has %lld labels but %s has %lld images", labels_path,
                      (long long)labels.dims[0], images_path, (long long)images.dims[0]);
    if (rc == DM_OK) {
        ds->count = images.dims[0];
        ds->sample_rank = images.rank - 1;
        ds->sample_size = 1;
        for (int r = 1; r < images.rank; r++)
            ds->sample_size *= (ds->sample_dims[r - 1] = images.dims[r]);
        ds->x = malloc((size_t)images.count * sizeof *ds->x + 1);
        ds->y = malloc((size_t)labels.count * sizeof *ds->y + 1);
        if (!ds->x || !ds->y)
            rc = rt_error(DM_ENOMEM, "%s: out of memory for %lld images", images_path, (long long)ds->count);
    }
    if (rc == DM_OK) {
        float scale[256]; /* b / 255 rounded once to float (not b * (1/255), which rounds twice) */
        for (int b = 0; b < 256; b++)
            scale[b] = (float)((double)b / 255.0);
        for (int64_t i = 0; i < images.count; i++)
            ds->x[i] = scale[images.bytes[i]];
        int max = -1;
        for (int64_t i = 0; i < labels.count; i++) {
            ds->y[i] = labels.bytes[i];
            if (ds->y[i] > max)
                max = ds->y[i];
        }
        ds->classes = max + 1;
    }
    dm_idx_free(&images);
    dm_idx_free(&labels);
    if (rc != DM_OK)
        dm_dataset_free(ds);
    return rc;
}

void dm_dataset_stats(const dm_dataset *ds, float *mean, float *std) {
    int64_t n = ds->count * ds->sample_size;
    double s = 0, ss = 0;
    for (int64_t i = 0; i < n; i++)
        s += ds->x[i];
    double m = n ? s / (double)n : 0;
    for (int64_t i = 0; i < n; i++)
        ss += (ds->x[i] - m) * (ds->x[i] - m);
    *mean = (float)m;
    *std = (float)(n ? sqrt(ss / (double)n) : 0);
}

int dm_dataset_normalize(dm_dataset *ds, float mean, float std) {
    rt_clear_error();
    if (!ds || !(std > 0))
        return rt_error(DM_EINVAL, "dm_dataset_normalize: %s", ds ? "std must be > 0" : "NULL dataset");
    int64_t n = ds->count * ds->sample_size;
    for (int64_t i = 0; i < n; i++)
        ds->x[i] = (ds->x[i] - mean) / std;
    return DM_OK;
}
