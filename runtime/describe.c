/* describe.c: questions about a model's tensors that a generic program (a
 * data loader, a binding such as python/dmc.py) asks: enumerate them, which
 * entries read each one, the valid range of an i32 input used as labels or
 * indices, and whether the current inputs respect those ranges.
 *
 * Everything comes from the descriptor (dm_tensor_desc.reads, .flags, .lo,
 * .hi, filled by the compiler: docs/runtime.md "Describing the inputs"). */
#include "rt.h"
#include <string.h>

int dm_tensor_count(const dm_model *m) {
    int rc = rt_enter(m, "dm_tensor_count");
    return rc != DM_OK ? rc : m->desc->ntensors;
}

const dm_tensor_desc *dm_tensor_at(const dm_model *m, int i) {
    if (rt_enter(m, "dm_tensor_at") != DM_OK)
        return NULL;
    if (i < 0 || i >= m->desc->ntensors) {
        rt_error(DM_EINVAL, "dm_tensor_at: index %d, model '%s' has %d tensors", i, m->desc->name, m->desc->ntensors);
        return NULL;
    }
    return &m->desc->tensors[i];
}

static int check_entry_number(int entry, const char *caller) {  /* int: a bare-metal dm_entry may be one byte */
    if (entry < DM_ENTRY_FORWARD || entry > DM_ENTRY_APPLY)
        return rt_error(DM_EINVAL, "%s: %d is not an entry (DM_ENTRY_FORWARD .. DM_ENTRY_APPLY)", caller, entry);
    return DM_OK;
}

int dm_entry_reads(const dm_model *m, dm_entry entry, const char *name) {
    int rc = rt_enter(m, "dm_entry_reads");
    if (rc == DM_OK)
        rc = check_entry_number(entry, "dm_entry_reads");
    if (rc != DM_OK)
        return rc;
    int i = name ? rt_find_tensor(m->desc, name) : -1;
    if (i < 0)
        return rt_error(DM_EINVAL, "model '%s' has no tensor '%s'", m->desc->name, name ? name : "(NULL)");
    return (m->desc->tensors[i].reads >> entry) & 1;
}

int dm_tensor_range(const dm_model *m, const char *name, int64_t *lo, int64_t *hi) {
    int rc = rt_enter(m, "dm_tensor_range");
    if (rc != DM_OK)
        return rc;
    int i = name ? rt_find_tensor(m->desc, name) : -1;
    if (i < 0)
        return rt_error(DM_EINVAL, "model '%s' has no tensor '%s'", m->desc->name, name ? name : "(NULL)");
    const dm_tensor_desc *t = &m->desc->tensors[i];
    if (!(t->flags & DM_TENSOR_HAS_RANGE))
        return rt_error(DM_EUNSUPPORTED, "tensor '%s' of model '%s' has no range", name, m->desc->name);
    if (lo)
        *lo = t->lo;
    if (hi)
        *hi = t->hi;
    return DM_OK;
}

int dm_check_inputs(const dm_model *m, dm_entry entry) {
    int rc = rt_enter(m, "dm_check_inputs");
    if (rc == DM_OK)
        rc = check_entry_number(entry, "dm_check_inputs");
    if (rc != DM_OK)
        return rc;
    const dm_model_desc *d = m->desc;
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        bool ranged = t->kind == DM_INPUT && t->dtype == DM_I32 && (t->flags & DM_TENSOR_HAS_RANGE);
        if (!ranged || !((t->reads >> entry) & 1))
            continue;
        const uint8_t *base = m->data + t->offset;
        for (int64_t k = 0; k < t->count; k++) {
            int32_t v;
            memcpy(&v, base + 4 * k, 4);
            if (v < t->lo || v > t->hi)
                return rt_error(DM_ERANGE, "input '%s' of model '%s': element %lld is %d, outside [%lld, %lld]",
                                t->name, d->name, (long long)k, (int)v, (long long)t->lo, (long long)t->hi);
        }
    }
    return DM_OK;
}
