/* metadata.c: an instance's metadata (string pairs saved in a checkpoint's
 * "__metadata__") and the report of what its last dm_load skipped.
 *
 * Both live in the instance header (struct dm_model), so they cost no
 * allocation and dm_init keeps its promise.  The metadata is packed as
 * "key\0value\0key\0value\0..." in m->meta (DM_METADATA_BYTES), in the order
 * the keys were first set; dm_load replaces it with the checkpoint's pairs,
 * dm_save writes it after "format" and "model".  Keys are non-empty UTF-8
 * without NUL, values UTF-8; "format" and "model" are reserved (dm_save
 * writes them). */
#include "rt.h"
#include <string.h>

/* Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
static bool valid_utf8(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int extra = c < 0x80                ? 0
                    : c >= 0xc2 && c <= 0xdf ? 1
                    : c >= 0xe0 && c <= 0xef ? 2
                    : c >= 0xf0 && c <= 0xf4 ? 3
                                             : -1;
        if (extra < 0)
            return false;
        unsigned lo = 0x80, hi = 0xbf; /* the second byte's range */
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
        p++;
        for (int k = 0; k < extra; k++, p++) {
            if (*p < (k ? 0x80u : lo) || *p > (k ? 0xbfu : hi))
                return false;
        }
    }
    return true;
}

bool rt_metadata_reserved(const char *key) {
    return strcmp(key, "format") == 0 || strcmp(key, "model") == 0;
}

bool rt_metadata_next(const dm_model *m, size_t *pos, const char **key, const char **value) {
    if (*pos >= m->meta_len)
        return false;
    *key = m->meta + *pos;
    *value = *key + strlen(*key) + 1;
    *pos = (size_t)(*value - m->meta) + strlen(*value) + 1;
    return true;
}

/* The byte offset of key's pair in m->meta, or -1. */
static long find(const dm_model *m, const char *key) {
    size_t pos = 0, at = 0;
    const char *k, *v;
    while (at = pos, rt_metadata_next(m, &pos, &k, &v))
        if (strcmp(k, key) == 0)
            return (long)at;
    return -1;
}

/* Removes the pair at `at` (from find). */
static void remove_pair(dm_model *m, size_t at) {
    size_t pos = at;
    const char *k, *v;
    rt_metadata_next(m, &pos, &k, &v);
    memmove(m->meta + at, m->meta + pos, m->meta_len - pos);
    m->meta_len -= pos - at;
    m->nmeta--;
}

/* Appends a pair that is known to fit. */
static void append_pair(dm_model *m, const char *key, const char *value) {
    size_t kl = strlen(key) + 1, vl = strlen(value) + 1;
    memcpy(m->meta + m->meta_len, key, kl);
    memcpy(m->meta + m->meta_len + kl, value, vl);
    m->meta_len += kl + vl;
    m->nmeta++;
}

int dm_set_metadata(dm_model *m, const char *key, const char *value) {
    int rc = rt_enter(m, "dm_set_metadata");
    if (rc != DM_OK)
        return rc;
    if (!key || !*key || !valid_utf8(key) || rt_metadata_reserved(key))
        return rt_error(DM_EINVAL,
                        "dm_set_metadata: the key must be non-empty UTF-8 other than \"format\" and \"model\"");
    if (value && !valid_utf8(value))
        return rt_error(DM_EINVAL, "dm_set_metadata: the value of '%s' is not valid UTF-8", key);
    long at = find(m, key);
    size_t freed = 0;
    if (at >= 0) {
        size_t pos = (size_t)at;
        const char *k, *v;
        rt_metadata_next(m, &pos, &k, &v);
        freed = pos - (size_t)at;
    }
    size_t need = value ? strlen(key) + strlen(value) + 2 : 0;
    if (m->meta_len - freed + need > DM_METADATA_BYTES)
        return rt_error(DM_ENOMEM, "dm_set_metadata: '%s' does not fit: an instance holds %d bytes of metadata "
                        "(DM_METADATA_BYTES), %zu are used", key, DM_METADATA_BYTES, m->meta_len - freed);
    if (at >= 0)
        remove_pair(m, (size_t)at);
    if (value)
        append_pair(m, key, value);
    return DM_OK;
}

const char *dm_get_metadata(const dm_model *m, const char *key) {
    if (rt_enter(m, "dm_get_metadata") != DM_OK)
        return NULL;
    if (!key) {
        rt_error(DM_EINVAL, "dm_get_metadata: NULL key");
        return NULL;
    }
    long at = find(m, key);
    if (at < 0) {
        rt_error(DM_EMISMATCH, "model '%s' has no metadata '%s'", m->desc->name, key);
        return NULL;
    }
    return m->meta + at + strlen(key) + 1;
}

int dm_metadata_count(const dm_model *m) {
    int rc = rt_enter(m, "dm_metadata_count");
    return rc != DM_OK ? rc : m->nmeta;
}

int dm_metadata_at(const dm_model *m, int i, const char **key, const char **value) {
    int rc = rt_enter(m, "dm_metadata_at");
    if (rc != DM_OK)
        return rc;
    if (i < 0 || i >= m->nmeta)
        return rt_error(DM_EINVAL, "dm_metadata_at: index %d, the instance has %d pairs", i, m->nmeta);
    size_t pos = 0;
    const char *k = NULL, *v = NULL;
    for (int n = 0; n <= i; n++)
        rt_metadata_next(m, &pos, &k, &v);
    if (key)
        *key = k;
    if (value)
        *value = v;
    return DM_OK;
}

/* ---- what dm_load skipped ----------------------------------------------------- */

void rt_skipped_reset(dm_model *m) {
    m->nskipped = 0;
    m->skipped[0] = 0;
}

/* Appends ", name" (bounded: past the buffer, ", ..." once). */
void rt_skipped_add(dm_model *m, const char *prefix, const char *name) {
    m->nskipped++;
    size_t n = strlen(m->skipped), size = sizeof m->skipped;
    if (n + strlen(prefix) + strlen(name) + 8 < size)
        rt_snprintf(m->skipped + n, size - n, "%s%s%s", n ? ", " : "", prefix, name);
    else if (n + 6 < size && !strstr(m->skipped, ", ..."))
        rt_snprintf(m->skipped + n, size - n, ", ...");
}

int dm_load_skipped(const dm_model *m, const char **names) {
    int rc = rt_enter(m, "dm_load_skipped");
    if (rc != DM_OK)
        return rc;
    if (names)
        *names = m->skipped;
    return m->nskipped;
}

/* dm_load's last step: the instance's metadata becomes the checkpoint's
 * (meta: its "__metadata__" object of strings, or NULL), less "format" and
 * "model"; pairs that cannot be kept (an empty or repeated key, a NUL
 * inside, bytes that are not UTF-8, or no room left) are reported as skipped, "__metadata__/<key>". */
void rt_metadata_replace(dm_model *m, const rt_json *meta) {
    m->meta_len = 0;
    m->nmeta = 0;
    for (int i = 0; meta && i < meta->count; i++) {
        const char *key = meta->keys[i];
        const rt_json *v = meta->items[i];
        if (rt_metadata_reserved(key))
            continue;
        bool ok = *key && v->kind == RT_JSON_STRING && strlen(v->string) == v->len && find(m, key) < 0 &&
                  valid_utf8(key) && valid_utf8(v->string) &&
                  m->meta_len + strlen(key) + v->len + 2 <= DM_METADATA_BYTES;
        if (ok)
            append_pair(m, key, v->string);
        else
            rt_skipped_add(m, "__metadata__/", key);
    }
}
