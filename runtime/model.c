/* model.c: instances of a compiled model: memory, lookup, entry calls.
 *
 * An instance is one block: the struct dm_model header at the first
 * DM_ALIGN boundary of the caller's memory, then the data region at the next
 * DM_ALIGN boundary after the header.  dm_init places it in the caller's
 * buffer without allocating; dm_new (model_hosted.c) mallocs the block
 * first.  The only other allocation is the thread pool (threads.c), created
 * on the first entry call with more than one thread and released by dm_free.
 * This file is part of the freestanding core: it calls nothing but the
 * C library's string functions.
 *
 * The header's size is the public DM_HEADER_SIZE, so a program can size a
 * static buffer at compile time (NAME_MEMORY_SIZE in the generated header).
 * A live instance carries RT_MAGIC, which dm_free clears: every function
 * taking an instance checks it first (rt_enter), so a call on a freed
 * instance whose memory is still there fails with DM_EINVAL. */
#include "rt.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define HEADER_BYTES ((size_t)DM_HEADER_SIZE)

int rt_enter(const dm_model *m, const char *caller) {
    rt_clear_error();
    if (!m)
        return rt_error(DM_EINVAL, "%s: NULL model", caller);
    if (m->magic != RT_MAGIC)
        return rt_error(DM_EINVAL, "%s: not a live instance (freed by dm_free, or not made by dm_new or dm_init)",
                        caller);
    return DM_OK;
}

size_t dm_memory_size(const dm_model_desc *d) {
    rt_clear_error();
    if (!d) {
        rt_error(DM_EINVAL, "dm_memory_size: NULL model description");
        return 0;
    }
    /* DM_ALIGN - 1 spare bytes: the caller's buffer may start anywhere. */
    return (size_t)DM_MEMORY_SIZE(d->data_size);
}

int rt_check_desc(const dm_model_desc *d) {
    if (!d)
        return rt_error(DM_EINVAL, "NULL model description");
    if (d->abi_version != DM_ABI_VERSION)
        return rt_error(DM_EABI, "model '%s' was compiled for runtime ABI %u, this runtime is ABI %d",
                        d->name ? d->name : "?", (unsigned)d->abi_version, DM_ABI_VERSION);
    if (d->ntensors < 0 || (d->ntensors > 0 && !d->tensors))
        return rt_error(DM_EINVAL, "model '%s': no tensor table", d->name ? d->name : "?");
    for (int i = 0; i < d->ntensors; i++) {
        const dm_tensor_desc *t = &d->tensors[i];
        if (!t->name || t->offset % DM_ALIGN != 0 || t->offset + t->bytes > d->data_size)
            return rt_error(DM_EINVAL, "model '%s': tensor %d ('%s') lies outside the data region",
                            d->name ? d->name : "?", i, t->name ? t->name : "?");
        if (t->rank > DM_MAX_RANK || (t->rank > 0 && !t->dims) || t->count < 0 ||
            t->bytes != (uint64_t)t->count * 4)
            return rt_error(DM_EINVAL, "model '%s': tensor '%s' has an inconsistent rank, dims, count or size",
                            d->name ? d->name : "?", t->name);
    }
    return rt_check_cpu(d);
}

static void init_params_and_state(dm_model *m) {
    const dm_model_desc *d = m->desc;
    for (int i = 0; i < d->ntensors; i++)
        if (d->tensors[i].kind == DM_PARAM || d->tensors[i].kind == DM_BUFFER || d->tensors[i].kind == DM_STATE)
            rt_init_tensor(m, &d->tensors[i]);
}

dm_model *dm_init(const dm_model_desc *d, void *mem, size_t size, uint64_t seed) {
    rt_clear_error();
    if (rt_check_desc(d) != DM_OK)
        return NULL;
    if (!mem) {
        rt_error(DM_EINVAL, "dm_init: NULL memory");
        return NULL;
    }
    if (d->data_size > SIZE_MAX / 2) {
        rt_error(DM_ENOMEM, "dm_init: model '%s' has a data region of %llu bytes, too large for this machine",
                 d->name, (unsigned long long)d->data_size);
        return NULL;
    }
    uintptr_t start = ((uintptr_t)mem + DM_ALIGN - 1) & ~(uintptr_t)(DM_ALIGN - 1);
    size_t need = (size_t)(start - (uintptr_t)mem) + HEADER_BYTES + (size_t)d->data_size;
    if (size < need) {
        rt_error(DM_ENOMEM, "dm_init: model '%s' needs %zu bytes at this address (dm_memory_size: %zu), got %zu",
                 d->name, need, dm_memory_size(d), size);
        return NULL;
    }
    dm_model *m = (dm_model *)start;
    memset(m, 0, sizeof *m);
    m->desc = d;
    m->code = rt_pick_code(d);
    m->data = (uint8_t *)start + HEADER_BYTES;
    m->seed = seed;
    m->loss_index = -1;
    for (int i = 0; i < d->ntensors; i++)
        if (d->tensors[i].kind == DM_LOSS && m->loss_index < 0)
            m->loss_index = i;
    rt_exec_reset(m, rt_default_threads());
    memset(m->data, 0, d->data_size);
    init_params_and_state(m);
    m->magic = RT_MAGIC;
    return m;
}

void dm_free(dm_model *m) {
    if (!m) {
        rt_clear_error();
        return;
    }
    if (rt_enter(m, "dm_free") != DM_OK) /* freed twice, or not an instance: leave it alone */
        return;
    rt_exec_teardown(m);
    void *block = m->block;
    m->block = NULL;
    m->magic = 0;
    rt_release_block(block); /* NULL for dm_init memory: the caller owns it */
}

int dm_reinit(dm_model *m, uint64_t seed) {
    int rc = rt_enter(m, "dm_reinit");
    if (rc != DM_OK)
        return rc;
    m->seed = seed;
    init_params_and_state(m);
    return DM_OK;
}

int rt_find_tensor(const dm_model_desc *d, const char *name) {
    for (int i = 0; i < d->ntensors; i++)
        if (strcmp(d->tensors[i].name, name) == 0)
            return i;
    return -1;
}

const dm_model_desc *dm_desc(const dm_model *m) {
    return rt_enter(m, "dm_desc") == DM_OK ? m->desc : NULL;
}

const char *dm_cpu(const dm_model *m) {
    if (rt_enter(m, "dm_cpu") != DM_OK)
        return NULL;
    return m->code->cpu ? m->code->cpu : "";
}

const dm_tensor_desc *dm_tensor(const dm_model *m, const char *name) {
    if (rt_enter(m, "dm_tensor") != DM_OK)
        return NULL;
    if (!name) {
        rt_error(DM_EINVAL, "dm_tensor: NULL name");
        return NULL;
    }
    int i = rt_find_tensor(m->desc, name);
    if (i < 0) {
        rt_error(DM_EINVAL, "model '%s' has no tensor '%s'", m->desc->name, name);
        return NULL;
    }
    return &m->desc->tensors[i];
}

void *dm_data(dm_model *m, const char *name) {
    const dm_tensor_desc *t = dm_tensor(m, name); /* rt_enter */
    return t ? m->data + t->offset : NULL;
}

void *dm_tensor_data(dm_model *m, const dm_model_desc *d, int index) {
    if (!m || !d) {
        rt_error(DM_EINVAL, "dm_tensor_data: NULL %s", m ? "model description" : "model");
        return NULL;
    }
    if (m->desc != d) {
        rt_error(DM_EINVAL, "dm_tensor_data: the instance is of model '%s', not '%s'", m->desc->name,
                 d->name ? d->name : "?");
        return NULL;
    }
    if (index < 0 || index >= d->ntensors) {
        rt_error(DM_EINVAL, "dm_tensor_data: model '%s' has no tensor %d", d->name, index);
        return NULL;
    }
    return m->data + d->tensors[index].offset;
}

/* The learning rate is the state tensor "opt/lr" (docs/decisions.md). */
static int learning_rate(const dm_model *m, const char *caller, float **rate) {
    int rc = rt_enter(m, caller);
    if (rc != DM_OK)
        return rc;
    int i = rt_find_tensor(m->desc, "opt/lr");
    if (i < 0 || m->desc->tensors[i].kind != DM_STATE || m->desc->tensors[i].dtype != DM_F32)
        return rt_error(DM_EUNSUPPORTED, "%s: model '%s' has no optimizer (compiled with --no-train, or no loss)",
                        caller, m->desc->name);
    *rate = (float *)(m->data + m->desc->tensors[i].offset);
    return DM_OK;
}

int dm_set_learning_rate(dm_model *m, float lr) {
    float *p = NULL;
    int rc = learning_rate(m, "dm_set_learning_rate", &p);
    if (rc != DM_OK)
        return rc;
    if (!(lr >= 0 && lr < INFINITY))
        return rt_error(DM_EINVAL, "dm_set_learning_rate: %g is not a finite, non-negative rate", (double)lr);
    *p = lr;
    return DM_OK;
}

float dm_learning_rate(const dm_model *m) {
    float *p = NULL;
    return learning_rate(m, "dm_learning_rate", &p) == DM_OK ? *p : NAN;
}

float *dm_grad(dm_model *m, const char *param) {
    if (rt_enter(m, "dm_grad") != DM_OK)
        return NULL;
    if (!param) {
        rt_error(DM_EINVAL, "dm_grad: NULL parameter name");
        return NULL;
    }
    const dm_model_desc *d = m->desc;
    int p = rt_find_tensor(d, param);
    if (p < 0 || d->tensors[p].kind != DM_PARAM) {
        rt_error(DM_EINVAL, "model '%s' has no parameter '%s'", d->name, param);
        return NULL;
    }
    for (int i = 0; i < d->ntensors; i++)
        if (d->tensors[i].kind == DM_GRAD && d->tensors[i].param == p)
            return (float *)(m->data + d->tensors[i].offset);
    /* A descriptor may name gradients only: "grad/<param>". */
    for (int i = 0; i < d->ntensors; i++) {
        const char *n = d->tensors[i].name;
        if (d->tensors[i].kind == DM_GRAD && strncmp(n, "grad/", 5) == 0 && strcmp(n + 5, param) == 0)
            return (float *)(m->data + d->tensors[i].offset);
    }
    rt_error(DM_EINVAL, "model '%s' has no gradient for '%s' (compiled with --no-train or --in-place-update?)", d->name,
             param);
    return NULL;
}

static dm_entry_fn entry_fn(const dm_model_desc *d, int entry) {
    switch (entry) {
    case DM_ENTRY_FORWARD: return d->forward;
    case DM_ENTRY_TRAIN_STEP: return d->train_step;
    case DM_ENTRY_GRADIENTS: return d->gradients;
    case DM_ENTRY_APPLY: return d->apply;
    }
    return NULL;
}

static int run_entry(dm_model *m, int entry, const char *what) {
    int rc = rt_enter(m, what);
    if (rc != DM_OK)
        return rc;
    dm_entry_fn fn = entry_fn(m->code, entry);
    if (!fn && m->code->train_step) /* gradients or apply of an --in-place-update object */
        return rt_error(DM_EUNSUPPORTED, "%s: model '%s' has no such entry (compiled with --in-place-update: "
                        "dm_train_step only)", what, m->desc->name);
    if (!fn)
        return rt_error(DM_EUNSUPPORTED, "%s: model '%s' has no such entry (compiled with --no-train, or no loss)",
                        what, m->desc->name);
    rt_exec_prepare(m);
    rc = fn(m->data, &m->exec);
    if (rc == DM_ENUMERIC)
        return rt_error(rc, "%s: model '%s' produced a non-finite loss or gradient", what, m->desc->name);
    if (rc == DM_ERANGE) { /* ex.bad_label said which index: say where too */
        char why[1024]; /* the size of error.c's buffer */
        rt_snprintf(why, sizeof why, "%s", dm_last_error());
        return rt_error(rc, "%s: model '%s': %s", what, m->desc->name, why);
    }
    if (rc != DM_OK)
        return rt_error(rc, "%s: model '%s' failed with code %d", what, m->desc->name, rc);
    return DM_OK;
}

static void read_loss(const dm_model *m, float *loss) {
    if (!loss)
        return;
    if (m->loss_index < 0) {
        *loss = 0.0f;
        return;
    }
    const dm_tensor_desc *t = &m->desc->tensors[m->loss_index];
    memcpy(loss, m->data + t->offset, sizeof *loss);
}

int dm_forward(dm_model *m) {
    return run_entry(m, DM_ENTRY_FORWARD, "dm_forward");
}

int dm_train_step(dm_model *m, float *loss) {
    int rc = run_entry(m, DM_ENTRY_TRAIN_STEP, "dm_train_step");
    if (rc == DM_OK || rc == DM_ENUMERIC)
        read_loss(m, loss);
    return rc;
}

int dm_gradients(dm_model *m, float *loss) {
    int rc = run_entry(m, DM_ENTRY_GRADIENTS, "dm_gradients");
    if (rc == DM_OK || rc == DM_ENUMERIC)
        read_loss(m, loss);
    return rc;
}

int dm_apply(dm_model *m) {
    return run_entry(m, DM_ENTRY_APPLY, "dm_apply");
}

int dm_set_threads(dm_model *m, int threads) {
    int rc = rt_enter(m, "dm_set_threads");
    if (rc != DM_OK)
        return rc;
    if (threads < 1 || threads > 1024)
        return rt_error(DM_EINVAL, "dm_set_threads: %d threads (expected 1 .. 1024)", threads);
    rt_exec_teardown(m);
    rt_exec_reset(m, threads);
    return DM_OK;
}

/* exec.grads_ready while a hook is installed: the run's memory, for the hook. */
static void grads_ready(dm_exec *ex, int first, int count) {
    dm_model *m = (dm_model *)((uint8_t *)ex - offsetof(struct dm_model, exec));
    const dm_tensor_desc *a = &m->desc->tensors[first], *z = &m->desc->tensors[first + count - 1];
    m->grad_hook(m->grad_hook_ctx, first, count, (float *)(m->data + a->offset),
                 (size_t)((z->offset + z->bytes - a->offset) / sizeof(float)));
}

int dm_set_gradient_hook(dm_model *m, dm_gradient_hook hook, void *ctx) {
    int rc = rt_enter(m, "dm_set_gradient_hook");
    if (rc != DM_OK)
        return rc;
    m->grad_hook = hook;
    m->grad_hook_ctx = hook ? ctx : NULL;
    m->exec.grads_ready = hook ? grads_ready : NULL;
    return DM_OK;
}

int dm_threads(const dm_model *m) {
    int rc = rt_enter(m, "dm_threads");
    if (rc != DM_OK)
        return rc;
    return m->exec.threads;
}
