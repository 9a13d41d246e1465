/* dm.h: the dmc runtime (libdmrt), the only header a program using a compiled
 * model needs besides the model's own generated header.
 *
 * A model compiled by dmc is described by a dm_model_desc constant in the
 * object file (extern const dm_model_desc NAME_model; in NAME.h).  An
 * instance is one block of memory: a small header, then the model's data
 * region, 64-byte aligned, holding every tensor at the offset the compiler
 * planned (parameters, gradients, optimizer state, inputs, outputs, scratch).
 * The generated entry points compute on that region only; they never allocate.
 *
 * Every function returning int returns 0 on success and a negative DM_E... code
 * on failure; dm_last_error() then says why (a per-thread message). */
#ifndef DM_H
#define DM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DM_ABI_VERSION 1
#define DM_MAX_RANK 8
#define DM_ALIGN 64

/* Error codes. */
enum {
    DM_OK = 0,
    DM_EINVAL = -1,    /* a bad argument: NULL model, unknown name, wrong model */
    DM_ENOMEM = -2,    /* allocation failed or the caller's buffer is too small */
    DM_EIO = -3,       /* a file could not be opened, read or written */
    DM_EFORMAT = -4,   /* a checkpoint or data file is malformed */
    DM_EMISMATCH = -5, /* a checkpoint does not fit this model (names, shapes, dtypes) */
    DM_ENUMERIC = -6,  /* a non-finite loss or gradient (models built with --check-numerics) */
    DM_EABI = -7,      /* the object was compiled for another runtime ABI */
    DM_EUNSUPPORTED = -8 /* the entry does not exist (e.g. training a --no-train object) */
};

/* The enums of the descriptor structs are 4 bytes on every target, as dmc
 * lays them out: each has a member at INT32_MAX, since bare-metal ARM
 * compilers (arm-none-eabi-gcc) otherwise give an enum the smallest type
 * that holds its values (-fshort-enums). */
typedef enum { DM_F32 = 0, DM_I32 = 1, DM_DTYPE_INT32_ = 0x7fffffff } dm_dtype;

/* What a tensor of the model is for. */
typedef enum {
    DM_INPUT = 0,  /* filled by the caller before an entry runs */
    DM_OUTPUT = 1, /* written by forward (and by train step and gradients) */
    DM_PARAM = 2,  /* trainable, initialised by dm_new/dm_init, saved in checkpoints */
    DM_GRAD = 3,   /* d loss / d param; name "grad/<param>" */
    DM_STATE = 4,  /* optimizer or generator state, saved in checkpoints after the params */
    DM_LOSS = 5,   /* the scalar loss, name "loss" */
    DM_KIND_INT32_ = 0x7fffffff
} dm_kind;

/* How a parameter is initialised (the language's initialisers). */
typedef enum {
    DM_INIT_ZEROS = 0,
    DM_INIT_ONES = 1,
    DM_INIT_CONST = 2,   /* every element = a */
    DM_INIT_LITERAL = 3, /* copy data[0 .. count) */
    DM_INIT_UNIFORM = 4, /* U(a, b) */
    DM_INIT_NORMAL = 5,  /* N(mean a, std b) */
    DM_INIT_XAVIER = 6,  /* Glorot uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)) */
    DM_INIT_HE = 7,      /* Kaiming normal, fan-in: N(0, sqrt(2 / fan_in)) */
    DM_INIT_SEED = 8,    /* i32[2] generator state: element 0 = a key drawn from the seed, element 1 = 0 */
    DM_INIT_KIND_INT32_ = 0x7fffffff
} dm_init_kind;

typedef struct dm_init_desc {
    dm_init_kind kind;
    double a, b;
    int64_t fan_in, fan_out;
    const float *data; /* DM_INIT_LITERAL: the values, row-major */
} dm_init_desc;

typedef struct dm_tensor_desc {
    const char *name;   /* the dotted parameter name, or the input/output name */
    dm_kind kind;
    dm_dtype dtype;
    int rank;
    int64_t dims[DM_MAX_RANK];
    int64_t count;      /* number of elements (1 for a scalar) */
    uint64_t offset;    /* byte offset in the data region, a multiple of 64 */
    uint64_t bytes;     /* count * element size */
    int param;          /* DM_GRAD and per-parameter DM_STATE: index of the parameter's tensor; else -1 */
    dm_init_desc init;  /* DM_PARAM (and DM_STATE, usually zeros) */
} dm_tensor_desc;

/* The runtime services a generated entry may call (threads). */
typedef struct dm_exec dm_exec;
typedef void (*dm_task_fn)(void *ctx, int task, int ntasks);
struct dm_exec {
    /* Run fn(ctx, i, ntasks) for i in [0, ntasks), possibly in parallel,
     * and return when all have finished.  Partitions are fixed by the caller. */
    void (*parallel)(dm_exec *ex, dm_task_fn fn, void *ctx, int ntasks);
    int threads; /* how many workers parallel() uses (>= 1) */
    void *pool;  /* the runtime's own */
};

/* A generated entry: computes on the data region, returns 0 or DM_ENUMERIC. */
typedef int (*dm_entry_fn)(uint8_t *data, dm_exec *ex);

typedef struct dm_model_desc {
    uint32_t abi_version;      /* DM_ABI_VERSION */
    const char *name;          /* the model's name in the .dm file */
    uint64_t data_size;        /* bytes of the data region (tensors + scratch) */
    uint64_t scratch_offset, scratch_size; /* the planned arena inside the data region */
    int ntensors;
    const dm_tensor_desc *tensors; /* params first (in declaration order), then state, grads, inputs, outputs, loss */
    dm_entry_fn forward;
    dm_entry_fn train_step;    /* NULL in a --no-train object or a model without a loss */
    dm_entry_fn gradients;
    dm_entry_fn apply;
    uint64_t seed_stream;      /* reserved, 0 */
} dm_model_desc;

typedef struct dm_model dm_model;

dm_model *dm_new(const dm_model_desc *d, uint64_t seed);       /* malloc'd; params initialised */
size_t    dm_memory_size(const dm_model_desc *d);               /* bytes of one instance */
dm_model *dm_init(const dm_model_desc *d, void *mem, size_t size, uint64_t seed); /* no malloc */
void      dm_free(dm_model *m);

void  *dm_data(dm_model *m, const char *name);  /* input, output or parameter buffer; NULL if no such */
float *dm_grad(dm_model *m, const char *param); /* d loss / d param after dm_gradients or dm_train_step */

int dm_forward(dm_model *m);                    /* inference: inputs -> outputs */
int dm_train_step(dm_model *m, float *loss);    /* forward + backward + optimizer update */
int dm_gradients(dm_model *m, float *loss);     /* forward + backward, no update */
int dm_apply(dm_model *m);                      /* optimizer update from the current gradients */

int dm_save(const dm_model *m, const char *path); /* safetensors: params, then optimizer state */
int dm_load(dm_model *m, const char *path);       /* safetensors; on any error the model is unchanged */
/* The same checkpoints in memory (to ship weights over any link): dm_save_buffer
 * writes the bytes dm_save would write into buf and sets *written; if buf is NULL
 * or smaller, it returns DM_ENOMEM and sets *written to the size needed.
 * dm_load_buffer accepts and rejects exactly what dm_load does. */
int dm_save_buffer(const dm_model *m, void *buf, size_t size, size_t *written);
int dm_load_buffer(dm_model *m, const void *bytes, size_t size);
const char *dm_last_error(void);                 /* human-readable reason of the last failure */

/* Beyond the fixed contract. */
const dm_model_desc *dm_desc(const dm_model *m);
const dm_tensor_desc *dm_tensor(const dm_model *m, const char *name); /* NULL if no such */
int  dm_reinit(dm_model *m, uint64_t seed);      /* draw the parameters again, zero the state */
int  dm_set_threads(dm_model *m, int threads);   /* default: $DM_THREADS, else 1 */
int  dm_threads(const dm_model *m);

/* The optimizer's learning rate, kept in the instance (the state tensor
 * "opt/lr", saved in checkpoints): it starts at the .dm file's value and may
 * be changed between steps, e.g. by a schedule.  dm_learning_rate returns NaN
 * for a model without an optimizer. */
int   dm_set_learning_rate(dm_model *m, float lr);
float dm_learning_rate(const dm_model *m);

/* dm_save with extra string pairs in the checkpoint's "__metadata__" (e.g. a
 * training loop's epoch); "format" and "model" are reserved. */
int dm_save_with_metadata(const dm_model *m, const char *path, int n, const char *const *keys,
                          const char *const *values);
/* Copies one "__metadata__" string of a checkpoint into buf (size bytes);
 * DM_EMISMATCH if the checkpoint has no such key. */
int dm_load_metadata(const char *path, const char *key, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
