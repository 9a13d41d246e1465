/* safetensors.c: checkpoints (dm_save, dm_load) in the safetensors format.
 *
 * File: an 8-byte little-endian header length N, N bytes of JSON (padded
 * with spaces so the data starts at a multiple of 8), then the raw
 * little-endian tensor data.  The header maps each tensor name to
 * {"dtype", "shape", "data_offsets": [begin, end)} (offsets relative to the
 * data section) plus "__metadata__": {"format": "dmc", "model": NAME}.
 *
 * dm_save writes every DM_PARAM tensor, then every DM_BUFFER tensor, then
 * every DM_STATE tensor, in descriptor order, to a temporary file in the target's folder, syncs it
 * and renames it over the target: a crash or error never leaves a partial
 * checkpoint, and the old one survives any failure.  The target is the
 * file behind the path's symbolic links, if any (the link stays a link); a
 * path that is not a regular file (a device, a FIFO) is written in place,
 * never renamed over (rt_output_target).  The writing is the operating
 * system's part: rt_write_checkpoint, os/posix.c and os/windows.c.
 *
 * dm_save_buffer and dm_load_buffer do the same with memory: dm_save makes
 * the checkpoint's bytes with save_buffer, then writes them; dm_load reads
 * the file, then loads its bytes with load_buffer.
 *
 * dm_load reads the whole file and validates everything (structure, JSON,
 * dtypes, shapes, names, offsets, completeness) before it writes a byte of
 * the model, so on any error the model is unchanged.  State tensors are all
 * or nothing: a checkpoint without any resets the state to its initial
 * values (a weights-only file from PyTorch starts a fresh optimizer).
 *
 * "__metadata__" holds "format" and "model", then the instance's own pairs
 * (dm_set_metadata, metadata.c), then the pairs given to
 * dm_save_with_metadata (which win over an instance pair of the same key);
 * dm_load makes the checkpoint's pairs the instance's, so a loaded and
 * re-saved checkpoint keeps them.  dm_load_metadata reads one back without a
 * model.  dm_load records what it skipped (dm_load_skipped). */
#include "rt.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADER (100u << 20) /* 100 MB of JSON is not a checkpoint header */

/* ---- little-endian data ---------------------------------------------- */

/* Copies count 32-bit elements, converting between host and little-endian order. */
static void copy_le32(uint8_t *dst, const uint8_t *src, uint64_t count) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (uint64_t i = 0; i < count; i++) {
        dst[4 * i + 0] = src[4 * i + 3];
        dst[4 * i + 1] = src[4 * i + 2];
        dst[4 * i + 2] = src[4 * i + 1];
        dst[4 * i + 3] = src[4 * i + 0];
    }
#else
    memcpy(dst, src, count * 4);
#endif
}

/* ---- a growable text buffer for the header ------------------------------ */

typedef struct text {
    char *s;
    size_t len, cap;
    bool failed;
} text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(text *t, const char *fmt, ...) {
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if (t->s && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap ? t->cap * 2 : 1024) + (size_t)n + 1;
        char *s = realloc(t->s, cap);
        if (!s) {
            t->failed = true;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
}

/* A JSON string literal: quotes, backslashes and control characters escaped. */
static void text_add_string(text *t, const char *s) {
    text_add(t, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            text_add(t, "\\%c", c);
        else if (c < 0x20)
            text_add(t, "\\u%04x", c);
        else
            text_add(t, "%c", c);
    }
    text_add(t, "\"");
}

static const char *dtype_name(dm_dtype t) {
    return t == DM_I32 ? "I32" : "F32";
}

static bool saved_kind(dm_kind k) {
    return k == DM_PARAM || k == DM_BUFFER || k == DM_STATE;
}

/* The saved tensors in file order: params, buffers, then state, each in
 * descriptor order.  Buffers are required as params are: PyTorch's
 * state_dict holds them too (docs/runtime.md). */
static int saved_order(const dm_model_desc *d, int *order) {
    static const dm_kind kinds[] = {DM_PARAM, DM_BUFFER, DM_STATE};
    int n = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < d->ntensors; i++)
            if (d->tensors[i].kind == kinds[pass])
                order[n++] = i;
    return n;
}

/* Extra "__metadata__" pairs given to dm_save_with_metadata. */
typedef struct metadata {
    int n;
    const char *const *keys, *const *values;
} metadata;

static bool overridden(const metadata *meta, const char *key) {
    for (int k = 0; k < meta->n; k++)
        if (strcmp(meta->keys[k], key) == 0)
            return true;
    return false;
}

static void add_pair(text *t, const char *key, const char *value) {
    text_add(t, ",");
    text_add_string(t, key);
    text_add(t, ":");
    text_add_string(t, value);
}

static char *build_header(const dm_model *m, const int *order, int n, const metadata *meta, size_t *len) {
    const dm_model_desc *d = m->desc;
    text t = {0};
    uint64_t offset = 0;
    text_add(&t, "{");
    for (int k = 0; k < n; k++) {
        const dm_tensor_desc *td = &d->tensors[order[k]];
        text_add_string(&t, td->name);
        text_add(&t, ":{\"dtype\":\"%s\",\"shape\":[", dtype_name(td->dtype));
        for (int r = 0; r < td->rank; r++)
            text_add(&t, "%s%lld", r ? "," : "", (long long)td->dims[r]);
        text_add(&t, "],\"data_offsets\":[%llu,%llu]},", (unsigned long long)offset,
                 (unsigned long long)(offset + td->bytes));
        offset += td->bytes;
    }
    text_add(&t, "\"__metadata__\":{\"format\":\"dmc\",\"model\":");
    text_add_string(&t, d->name ? d->name : "");
    size_t pos = 0;
    const char *key, *value;
    while (rt_metadata_next(m, &pos, &key, &value))
        if (!overridden(meta, key))
            add_pair(&t, key, value);
    for (int k = 0; k < meta->n; k++)
        add_pair(&t, meta->keys[k], meta->values[k]);
    text_add(&t, "}}");
    while (!t.failed && t.len % 8 != 0)
        text_add(&t, " ");
    if (t.failed) {
        free(t.s);
        return NULL;
    }
    *len = t.len;
    return t.s;
}

/* ---- dm_save_buffer, dm_save ------------------------------------------------ */

/* A checkpoint's bytes in memory: the header length, the header, the data. */
static void write_checkpoint(const dm_model *m, const int *order, int n, const char *header, size_t hlen,
                             uint8_t *out) {
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)((uint64_t)hlen >> (8 * i));
    memcpy(out + 8, header, hlen);
    out += 8 + hlen;
    for (int k = 0; k < n; k++) {
        const dm_tensor_desc *t = &m->desc->tensors[order[k]];
        copy_le32(out, m->data + t->offset, t->bytes / 4);
        out += t->bytes;
    }
}

/* The checkpoint of m (with the extra pairs meta) into buf: *written is its
 * size; buf NULL asks only that; a buf smaller than that is DM_ENOMEM, and
 * nothing is written.  caller names the public function in messages. */
static int save_buffer(const dm_model *m, const char *caller, const metadata *meta, void *buf, size_t size,
                       size_t *written) {
    const dm_model_desc *d = m->desc;
    int *order = malloc(((size_t)d->ntensors + 1) * sizeof *order);
    size_t hlen = 0;
    int n = order ? saved_order(d, order) : 0;
    char *header = order ? build_header(m, order, n, meta, &hlen) : NULL;
    if (!header) {
        free(order);
        return rt_error(DM_ENOMEM, "%s: out of memory", caller);
    }
    uint64_t total = 8 + (uint64_t)hlen;
    for (int k = 0; k < n; k++)
        total += d->tensors[order[k]].bytes;
    int rc = DM_OK;
    if (total > SIZE_MAX)
        rc = rt_error(DM_ENOMEM, "%s: a checkpoint of %llu bytes is too large for this machine", caller,
                      (unsigned long long)total);
    else if (buf && size < total)
        rc = rt_error(DM_ENOMEM, "%s: the checkpoint of model '%s' needs %llu bytes, the buffer has %zu", caller,
                      d->name, (unsigned long long)total, size);
    else if (buf)
        write_checkpoint(m, order, n, header, hlen, buf);
    if (written)
        *written = total > SIZE_MAX ? 0 : (size_t)total;
    free(order), free(header);
    return rc;
}

/* The metadata pairs given to a save, checked. */
static int save_metadata(const char *caller, int nmeta, const char *const *keys, const char *const *values,
                         metadata *meta) {
    for (int k = 0; k < nmeta; k++)
        if (!keys || !values || !keys[k] || !values[k] || rt_metadata_reserved(keys[k]))
            return rt_error(DM_EINVAL, "%s: metadata %d is NULL or a reserved key", caller, k);
    *meta = (metadata){nmeta > 0 ? nmeta : 0, keys, values};
    return DM_OK;
}

int dm_save_buffer(const dm_model *m, void *buf, size_t size, size_t *written) {
    int rc = rt_enter(m, "dm_save_buffer");
    if (rc != DM_OK)
        return rc;
    if (!buf && !written)
        return rt_error(DM_EINVAL, "dm_save_buffer: NULL buffer and NULL size (nothing to do)");
    const metadata none = {0, NULL, NULL};
    return save_buffer(m, "dm_save_buffer", &none, buf, size, written);
}

int dm_save(const dm_model *m, const char *path) {
    return dm_save_with_metadata(m, path, 0, NULL, NULL);
}

/* The checkpoint is made in memory (save_buffer), then written: one copy of
 * it lives in memory during the save. */
int dm_save_with_metadata(const dm_model *m, const char *path, int nmeta, const char *const *keys,
                          const char *const *values) {
    int rc = rt_enter(m, "dm_save");
    if (rc != DM_OK)
        return rc;
    if (!path)
        return rt_error(DM_EINVAL, "dm_save: NULL path");
    metadata meta;
    rc = save_metadata("dm_save_with_metadata", nmeta, keys, values, &meta);
    size_t len = 0;
    if (rc == DM_OK)
        rc = save_buffer(m, "dm_save", &meta, NULL, 0, &len);
    uint8_t *bytes = rc == DM_OK ? malloc(len) : NULL;
    if (rc == DM_OK && !bytes)
        return rt_error(DM_ENOMEM, "dm_save: cannot allocate %zu bytes for the checkpoint", len);
    if (rc == DM_OK)
        rc = save_buffer(m, "dm_save", &meta, bytes, len, &len);
    if (rc == DM_OK)
        rc = rt_write_checkpoint(path, bytes, len);
    free(bytes);
    return rc;
}

/* ---- dm_load --------------------------------------------------------------- */

/* The element size of a safetensors dtype, 0 if the name is not one. */
static int dtype_size(const char *s) {
    static const struct { const char *name; int size; } types[] = {
        {"BOOL", 1}, {"U8", 1}, {"I8", 1}, {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2}, {"U16", 2},
        {"F16", 2}, {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4}, {"F64", 8}, {"I64", 8}, {"U64", 8},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(s, types[i].name) == 0)
            return types[i].size;
    return 0;
}

typedef struct entry {
    const char *name;
    const char *dtype;
    const rt_json *shape;
    uint64_t begin, end;
    int tensor; /* index in the model, -1 if unknown */
    bool skip;  /* state of a training checkpoint loaded by an inference-only instance, or PyTorch's num_batches_tracked */
} entry;

static void format_shape(char *buf, size_t size, const int64_t *dims, int rank) {
    size_t n = (size_t)snprintf(buf, size, "[");
    for (int r = 0; r < rank && n < size; r++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", r ? ", " : "", (long long)dims[r]);
    if (n < size)
        snprintf(buf + n, size - n, "]");
}

static bool is_uint_array(const rt_json *v) {
    if (!v || v->kind != RT_JSON_ARRAY)
        return false;
    for (int i = 0; i < v->count; i++)
        if (v->items[i]->kind != RT_JSON_NUMBER || !v->items[i]->is_uint)
            return false;
    return true;
}

/* Checks one header member describing a tensor (syntax and offsets, not the model). */
static int check_entry(const char *path, const char *name, const rt_json *v, uint64_t data_bytes, entry *e) {
    if (v->kind != RT_JSON_OBJECT)
        return rt_error(DM_EFORMAT, "%s: tensor '%s': expected an object with dtype, shape, data_offsets", path, name);
    for (int i = 0; i < v->count; i++)
        if (strcmp(v->keys[i], "dtype") && strcmp(v->keys[i], "shape") && strcmp(v->keys[i], "data_offsets"))
            return rt_error(DM_EFORMAT, "%s: tensor '%s': unknown field '%s'", path, name, v->keys[i]);
    const rt_json *dtype = rt_json_get(v, "dtype"), *shape = rt_json_get(v, "shape"),
                  *offsets = rt_json_get(v, "data_offsets");
    if (!dtype || dtype->kind != RT_JSON_STRING)
        return rt_error(DM_EFORMAT, "%s: tensor '%s': missing or non-string dtype", path, name);
    int esize = dtype_size(dtype->string);
    if (!esize)
        return rt_error(DM_EFORMAT, "%s: tensor '%s': unknown dtype \"%s\"", path, name, dtype->string);
    if (!is_uint_array(shape))
        return rt_error(DM_EFORMAT, "%s: tensor '%s': shape must be an array of non-negative integers", path, name);
    if (!is_uint_array(offsets) || offsets->count != 2)
        return rt_error(DM_EFORMAT, "%s: tensor '%s': data_offsets must be [begin, end]", path, name);
    *e = (entry){0};
    e->name = name;
    e->dtype = dtype->string;
    e->shape = shape;
    e->begin = offsets->items[0]->uint;
    e->end = offsets->items[1]->uint;
    if (e->begin > e->end || e->end > data_bytes)
        return rt_error(DM_EFORMAT, "%s: tensor '%s': data_offsets [%llu, %llu] lie outside the data section (%llu bytes)",
                        path, name, (unsigned long long)e->begin, (unsigned long long)e->end,
                        (unsigned long long)data_bytes);
    uint64_t bytes = (uint64_t)esize;
    for (int i = 0; i < shape->count; i++) {
        uint64_t dim = shape->items[i]->uint;
        if (dim && bytes > UINT64_MAX / dim)
            return rt_error(DM_EFORMAT, "%s: tensor '%s': shape too large", path, name);
        bytes *= dim;
    }
    if (bytes != e->end - e->begin)
        return rt_error(DM_EFORMAT, "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes, the shape needs %llu",
                        path, name, (unsigned long long)e->begin, (unsigned long long)e->end,
                        (unsigned long long)(e->end - e->begin), (unsigned long long)bytes);
    return DM_OK;
}

static int cmp_begin(const void *a, const void *b) {
    const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* Overlapping data: sort by begin, then each non-empty range must end before the next starts. */
static int check_overlaps(const char *path, entry *entries, int n) {
    entry **sorted = malloc(((size_t)n + 1) * sizeof *sorted);
    if (!sorted)
        return rt_error(DM_ENOMEM, "%s: out of memory", path);
    for (int i = 0; i < n; i++)
        sorted[i] = &entries[i];
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_begin);
    int rc = DM_OK;
    const entry *prev = NULL;
    for (int i = 0; i < n && rc == DM_OK; i++) {
        if (sorted[i]->begin == sorted[i]->end)
            continue;
        if (prev && prev->end > sorted[i]->begin)
            rc = rt_error(DM_EFORMAT, "%s: tensors '%s' and '%s' overlap in the data section", path, prev->name,
                          sorted[i]->name);
        prev = sorted[i];
    }
    free(sorted);
    return rc;
}

/* Appends ", 'name'" to a list message (bounded). */
static void list_add(char *buf, size_t size, const char *name) {
    size_t n = strlen(buf);
    if (n + strlen(name) + 8 < size)
        snprintf(buf + n, size - n, "%s'%s'", n ? ", " : "", name);
    else if (n + 6 < size && !strstr(buf, ", ..."))
        snprintf(buf + n, size - n, ", ...");
}

/* The compiler's names for optimizer and generator state (docs/decisions.md). */
static bool is_state_name(const char *name) {
    return strncmp(name, "opt/", 4) == 0 || strncmp(name, "rng/", 4) == 0;
}

/* PyTorch's batch norm counter "<bn>.num_batches_tracked" (int64), beside a
 * model's buffer "<bn>.running_mean": dmc has no counter (docs/decisions.md),
 * so a PyTorch state_dict loads with it skipped. */
static bool is_batch_counter(const dm_model_desc *d, const char *name) {
    static const char suffix[] = ".num_batches_tracked";
    size_t n = strlen(name), k = sizeof suffix - 1;
    if (n <= k || strcmp(name + n - k, suffix) != 0 || n - k > 200)
        return false;
    char mean[256];
    snprintf(mean, sizeof mean, "%.*s.running_mean", (int)(n - k), name);
    int t = rt_find_tensor(d, mean);
    return t >= 0 && d->tensors[t].kind == DM_BUFFER;
}

/* Checks the entries against the model: names, dtypes, shapes, completeness. */
static int check_against_model(const char *path, const dm_model_desc *d, entry *entries, int n, bool *has_state) {
    char list[512] = "";
    int unknown = 0;
    bool model_has_state = false;
    for (int t = 0; t < d->ntensors; t++)
        model_has_state |= d->tensors[t].kind == DM_STATE;
    for (int i = 0; i < n; i++) {
        int t = rt_find_tensor(d, entries[i].name);
        entries[i].tensor = t >= 0 && saved_kind(d->tensors[t].kind) ? t : -1;
        /* An inference-only instance (no state at all) loads a training
         * checkpoint: the optimizer and generator state is not its business. */
        if (entries[i].tensor < 0 && ((!model_has_state && is_state_name(entries[i].name)) ||
                                      is_batch_counter(d, entries[i].name)))
            entries[i].skip = true;
        else if (entries[i].tensor < 0) {
            unknown++;
            list_add(list, sizeof list, entries[i].name);
        }
    }
    if (unknown)
        return rt_error(DM_EMISMATCH, "%s: unknown tensor%s %s: model '%s' has no such parameter or state",
                        path, unknown > 1 ? "s" : "", list, d->name);
    for (int i = 0; i < n; i++) {
        if (entries[i].skip)
            continue;
        const dm_tensor_desc *t = &d->tensors[entries[i].tensor];
        if (strcmp(entries[i].dtype, dtype_name(t->dtype)) != 0)
            return rt_error(DM_EMISMATCH, "%s: tensor '%s' has dtype %s, the model expects %s", path, t->name,
                            entries[i].dtype, dtype_name(t->dtype));
        const rt_json *shape = entries[i].shape;
        bool same = shape->count == t->rank;
        for (int r = 0; same && r < t->rank; r++)
            same = shape->items[r]->uint == (uint64_t)t->dims[r];
        if (!same) {
            char got[256], want[256];
            int64_t dims[DM_MAX_RANK];
            int rank = shape->count < DM_MAX_RANK ? shape->count : DM_MAX_RANK;
            for (int r = 0; r < rank; r++)
                dims[r] = (int64_t)shape->items[r]->uint;
            format_shape(got, sizeof got, dims, rank);
            if (shape->count > DM_MAX_RANK)
                snprintf(got, sizeof got, "rank %d", shape->count);
            format_shape(want, sizeof want, t->dims, t->rank);
            return rt_error(DM_EMISMATCH, "%s: tensor '%s' has shape %s, the model expects %s", path, t->name, got,
                            want);
        }
    }
    int missing = 0, states = 0, states_present = 0;
    const char *missing_state = NULL, *present_state = NULL;
    list[0] = 0;
    for (int t = 0; t < d->ntensors; t++) {
        if (!saved_kind(d->tensors[t].kind))
            continue;
        bool present = false;
        for (int i = 0; i < n && !present; i++)
            present = entries[i].tensor == t;
        if ((d->tensors[t].kind == DM_PARAM || d->tensors[t].kind == DM_BUFFER) && !present) {
            missing++;
            list_add(list, sizeof list, d->tensors[t].name);
        }
        if (d->tensors[t].kind == DM_STATE) {
            states++;
            if (present) {
                states_present++;
                present_state = d->tensors[t].name;
            } else if (!missing_state) {
                missing_state = d->tensors[t].name;
            }
        }
    }
    if (missing)
        return rt_error(DM_EMISMATCH, "%s: missing parameter%s %s of model '%s'", path, missing > 1 ? "s" : "", list,
                        d->name);
    if (states_present && states_present < states)
        return rt_error(DM_EMISMATCH,
                        "%s: has state tensor '%s' but not '%s': a checkpoint holds all of the model's state or none",
                        path, present_state, missing_state);
    *has_state = states_present > 0;
    return DM_OK;
}

/* Validates the parsed header; fills entries (n of them). */
static int check_header(const char *path, const rt_json *h, uint64_t data_bytes, entry *entries, int *n) {
    if (h->kind != RT_JSON_OBJECT)
        return rt_error(DM_EFORMAT, "%s: the header is not a JSON object", path);
    *n = 0;
    for (int i = 0; i < h->count; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(h->keys[i], h->keys[j]) == 0)
                return rt_error(DM_EFORMAT, "%s: tensor '%s' appears twice in the header", path, h->keys[i]);
        if (strcmp(h->keys[i], "__metadata__") == 0) {
            const rt_json *meta = h->items[i];
            bool ok = meta->kind == RT_JSON_OBJECT;
            for (int k = 0; ok && k < meta->count; k++)
                ok = meta->items[k]->kind == RT_JSON_STRING;
            if (!ok)
                return rt_error(DM_EFORMAT, "%s: __metadata__ must be an object of strings", path);
            continue;
        }
        int rc = check_entry(path, h->keys[i], h->items[i], data_bytes, &entries[*n]);
        if (rc != DM_OK)
            return rc;
        (*n)++;
    }
    return check_overlaps(path, entries, *n);
}

/* Parses a checkpoint's header: bytes[0 .. size) is the whole checkpoint,
 * source names it in messages (a path, or dm_load_buffer).  On success the
 * caller frees *header; *hlen is the header's length. */
static int parse_checkpoint(const char *source, const uint8_t *bytes, size_t size, uint64_t *hlen_out,
                            rt_json **header_out) {
    if (size < 8)
        return rt_error(DM_EFORMAT, "%s: %zu bytes, too short for a safetensors file (the header length alone is 8)",
                        source, size);
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++)
        hlen |= (uint64_t)bytes[i] << (8 * i);
    if (hlen > size - 8)
        return rt_error(DM_EFORMAT, "%s: header length %llu exceeds the file (%zu bytes): truncated or not safetensors",
                        source, (unsigned long long)hlen, size);
    if (hlen > MAX_HEADER)
        return rt_error(DM_EFORMAT, "%s: header length %llu is over the limit of %u bytes", source,
                        (unsigned long long)hlen, MAX_HEADER);
    char why[128];
    size_t at = 0;
    rt_json *header = rt_json_parse((const char *)bytes + 8, (size_t)hlen, why, sizeof why, &at);
    if (!header)
        return rt_error(DM_EFORMAT, "%s: the header is not valid JSON: %s at byte %zu of the header", source, why, at);
    *hlen_out = hlen, *header_out = header;
    return DM_OK;
}

int dm_load_metadata(const char *path, const char *key, char *buf, size_t size) {
    rt_clear_error();
    if (!path || !key || !buf || size == 0)
        return rt_error(DM_EINVAL, "dm_load_metadata: NULL argument");
    uint8_t *file;
    size_t fsize;
    uint64_t hlen;
    rt_json *header;
    int rc = rt_read_file(path, &file, &fsize);
    if (rc != DM_OK)
        return rc;
    rc = parse_checkpoint(path, file, fsize, &hlen, &header);
    if (rc != DM_OK) {
        free(file);
        return rc;
    }
    const rt_json *value = NULL;
    if (header->kind == RT_JSON_OBJECT) {
        const rt_json *v = rt_json_get(rt_json_get(header, "__metadata__"), key);
        value = v && v->kind == RT_JSON_STRING ? v : NULL;
    }
    if (!value)
        rc = rt_error(DM_EMISMATCH, "%s: no metadata '%s'", path, key);
    else if (value->len >= size)
        rc = rt_error(DM_ENOMEM, "%s: metadata '%s' is longer than the buffer (%zu bytes)", path, key, size);
    else
        memcpy(buf, value->string, value->len + 1);
    rt_json_free(header);
    free(file);
    return rc;
}

/* dm_load and dm_load_buffer: everything is checked before the model changes. */
static int load_buffer(dm_model *m, const char *source, const uint8_t *bytes, size_t size) {
    uint64_t hlen;
    rt_json *header;
    int rc = parse_checkpoint(source, bytes, size, &hlen, &header);
    if (rc != DM_OK)
        return rc;
    entry *entries = malloc(((size_t)header->count + 1) * sizeof *entries);
    int n = 0;
    bool has_state = false;
    uint64_t data_bytes = size - 8 - hlen;
    if (!entries)
        rc = rt_error(DM_ENOMEM, "%s: out of memory", source);
    if (rc == DM_OK)
        rc = check_header(source, header, data_bytes, entries, &n);
    if (rc == DM_OK)
        rc = check_against_model(source, m->desc, entries, n, &has_state);
    if (rc == DM_OK) { /* everything checked: now, and only now, change the model */
        const uint8_t *data = bytes + 8 + hlen;
        rt_skipped_reset(m);
        for (int i = 0; i < n; i++) {
            if (entries[i].skip) {
                rt_skipped_add(m, "", entries[i].name);
                continue;
            }
            const dm_tensor_desc *t = &m->desc->tensors[entries[i].tensor];
            copy_le32(m->data + t->offset, data + entries[i].begin, t->bytes / 4);
        }
        if (!has_state)
            for (int t = 0; t < m->desc->ntensors; t++)
                if (m->desc->tensors[t].kind == DM_STATE)
                    rt_init_tensor(m, &m->desc->tensors[t]);
        rt_metadata_replace(m, rt_json_get(header, "__metadata__"));
    }
    free(entries);
    rt_json_free(header);
    return rc;
}

int dm_load_buffer(dm_model *m, const void *buf, size_t size) {
    int rc = rt_enter(m, "dm_load_buffer");
    if (rc != DM_OK)
        return rc;
    if (!buf)
        return rt_error(DM_EINVAL, "dm_load_buffer: NULL buffer");
    return load_buffer(m, "dm_load_buffer", buf, size);
}

int dm_load(dm_model *m, const char *path) {
    int rc = rt_enter(m, "dm_load");
    if (rc != DM_OK)
        return rc;
    if (!path)
        return rt_error(DM_EINVAL, "dm_load: NULL path");
    uint8_t *file;
    size_t size;
    rc = rt_read_file(path, &file, &size);
    if (rc != DM_OK)
        return rc;
    rc = load_buffer(m, path, file, size);
    free(file);
    return rc;
}
