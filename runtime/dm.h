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
 * on failure; dm_last_error() then says why (a per-thread message) and
 * dm_last_error_code() gives the code (also after a function returning a
 * pointer failed).  Every function that can fail resets both on entry.
 *
 * DM_API marks the exported functions: libdmrt.so and a library made by
 * `dmc --emit=shared` export these and nothing else of the runtime. */
#ifndef DM_H
#define DM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define DM_API __attribute__((visibility("default")))
#define DM_UNUSED __attribute__((unused))   /* a generated header's accessors a program need not call */
#else
#define DM_API
#define DM_UNUSED
#endif

#define DM_ABI_VERSION 5
#define DM_MAX_RANK 8
#define DM_ALIGN 64

/* Bytes of an instance's header (the runtime's struct dm_model: bookkeeping,
 * the metadata and the last load's report), a multiple of DM_ALIGN. */
#define DM_HEADER_SIZE 4096
/* dm_memory_size() of a model whose data region has data_size bytes: DM_ALIGN - 1
 * spare bytes (the buffer may start anywhere), the header, the data region.
 * The generated header defines NAME_MEMORY_SIZE as this for the model, so
 *   static unsigned char buf[NAME_MEMORY_SIZE] __attribute__((aligned(NAME_MEMORY_ALIGN)));
 *   dm_model *m = dm_init(&NAME_model, buf, sizeof buf, seed);
 * needs no allocation. */
#define DM_MEMORY_SIZE(data_size) ((DM_ALIGN - 1) + DM_HEADER_SIZE + (data_size))
/* Room for an instance's metadata: the sum over its pairs of
 * strlen(key) + strlen(value) + 2 is at most this. */
#define DM_METADATA_BYTES 2048

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
    DM_EUNSUPPORTED = -8, /* the entry does not exist (e.g. training a --no-train object) */
    DM_ERANGE = -9     /* a class index (the labels of softmax_cross_entropy or one_hot) is
                          outside [0, classes); the entry changed nothing */,
    DM_EPEER = -10       /* another process of a distributed run failed, or MPI did (libdmrt_mpi) */
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
    DM_BUFFER = 6, /* persistent, not trained (batch norm's running statistics): initialised by
                      dm_new/dm_init, saved in checkpoints after the params, written only by
                      train step and gradients (the language's `update`) */
    DM_KIND_INT32_ = 0x7fffffff
} dm_kind;

/* The entries, in dm_model_desc's order; bit (1u << DM_ENTRY_...) of dm_tensor_desc.reads. */
typedef enum { DM_ENTRY_FORWARD = 0, DM_ENTRY_TRAIN_STEP = 1, DM_ENTRY_GRADIENTS = 2, DM_ENTRY_APPLY = 3 } dm_entry;

/* dm_tensor_desc.flags */
#define DM_TENSOR_HAS_RANGE 1u /* lo and hi bound every element (an i32 input used as labels or indices) */

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

/* One tensor of the model (ABI 5; docs/runtime.md, "The tensor table").  The
 * members a program reads (name, kind, dtype, rank, dims[k], count, offset,
 * bytes, param, reads, flags, lo, hi) read as before ABI 5; what changed: dims
 * and init point to constants shared between the tensors with the same shape
 * or initialiser (init NULL: zeros), rank, reads and flags are bytes, lo and
 * hi 32-bit (they bound i32 values), and param comes before rank. */
typedef struct dm_tensor_desc {
    const char *name;           /* the dotted parameter name, or the input/output name */
    const int64_t *dims;        /* DM_MAX_RANK values, zeros past rank (may be NULL when rank is 0) */
    const dm_init_desc *init;   /* DM_PARAM, DM_BUFFER, DM_STATE; NULL: zeros (gradients, inputs, most state) */
    int64_t count;              /* number of elements (1 for a scalar) */
    uint64_t offset;            /* byte offset in the data region, a multiple of 64 */
    uint64_t bytes;             /* count * element size */
    dm_kind kind;
    dm_dtype dtype;
    int param;                  /* DM_GRAD and per-parameter DM_STATE: index of the parameter's tensor; else -1 */
    uint8_t rank;               /* 0 .. DM_MAX_RANK */
    uint8_t reads;              /* bit 1u << DM_ENTRY_x: that entry reads this tensor (inputs: must be filled for it) */
    uint8_t flags;              /* DM_TENSOR_HAS_RANGE */
    int32_t lo, hi;             /* DM_TENSOR_HAS_RANGE: every element must lie in [lo, hi] */
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
    /* Called by an entry that finds a class index outside [0, classes),
     * before it has changed anything: sets dm_last_error's message (what
     * names the labels, e.g. "input 'y'"; at is the element's flat position
     * in their shape dims[0 .. rank)) and returns DM_ERANGE, which the entry
     * then returns. */
    int (*bad_label)(dm_exec *ex, const char *what, int rank, const int64_t *dims, int64_t at, int32_t value,
                     int64_t classes);
    /* Called by the gradients entry (and so by train_step) as soon as the
     * gradient tensors first .. first + count - 1 (descriptor indices of
     * consecutive DM_GRAD tensors) hold their final values: the entry
     * neither reads nor writes them again.  Each gradient is reported once
     * per call of the entry.  NULL: no call (the call sites test it).
     * libdmrt sets it while a hook is installed (dm_set_gradient_hook). */
    void (*grads_ready)(dm_exec *ex, int first, int count);
};

/* A generated entry: computes on the data region, returns 0, DM_ERANGE or
 * (--check-numerics) DM_ENUMERIC. */
typedef int (*dm_entry_fn)(uint8_t *data, dm_exec *ex);

typedef struct dm_model_desc {
    uint32_t abi_version;      /* DM_ABI_VERSION */
    const char *name;          /* the model's name in the .dm file */
    uint64_t data_size;        /* bytes of the data region (tensors + scratch) */
    uint64_t scratch_offset, scratch_size; /* the planned arena inside the data region */
    int ntensors;
    const dm_tensor_desc *tensors; /* params first (in declaration order), then buffers, state, grads, inputs, outputs, loss */
    dm_entry_fn forward;
    dm_entry_fn train_step;    /* NULL in a --no-train object or a model without a loss */
    dm_entry_fn gradients;
    dm_entry_fn apply;
    uint64_t seed_stream;      /* reserved, 0 */
    const char *cpu_features;  /* the target features the code was compiled for ("avx2,fma,..."; NULL or "": none) */
    const char *cpu;           /* the --cpu the code was compiled for ("x86-64-v3"; NULL: not recorded) */
    /* dmc --cpu=portable (or a list of levels): the same model compiled for
     * faster CPU levels, best first, with this descriptor's tensor table and
     * memory layout.  dm_new/dm_init run the entries of the first variant
     * whose cpu_features the processor has, else this descriptor's own. */
    int nvariants;
    const struct dm_model_desc *const *variants;
} dm_model_desc;

typedef struct dm_model dm_model;

DM_API dm_model *dm_new(const dm_model_desc *d, uint64_t seed);       /* malloc'd; params initialised */
DM_API size_t    dm_memory_size(const dm_model_desc *d);               /* bytes of one instance */
DM_API dm_model *dm_init(const dm_model_desc *d, void *mem, size_t size, uint64_t seed); /* no malloc */
DM_API void      dm_free(dm_model *m);

DM_API void  *dm_data(dm_model *m, const char *name);  /* input, output or parameter buffer; NULL if no such */
DM_API float *dm_grad(dm_model *m, const char *param); /* d loss / d param after dm_gradients or dm_train_step */

DM_API int dm_forward(dm_model *m);                    /* inference: inputs -> outputs */
DM_API int dm_train_step(dm_model *m, float *loss);    /* forward + backward + optimizer update */
DM_API int dm_gradients(dm_model *m, float *loss);     /* forward + backward, no update */
DM_API int dm_apply(dm_model *m);                      /* optimizer update from the current gradients */

DM_API int dm_save(const dm_model *m, const char *path); /* safetensors: params, buffers, then optimizer state */
DM_API int dm_load(dm_model *m, const char *path);       /* safetensors; on any error the model is unchanged */
DM_API const char *dm_last_error(void);                 /* human-readable reason of the last failure */

/* Beyond the fixed contract. */
DM_API const dm_model_desc *dm_desc(const dm_model *m);
/* The --cpu of the code m runs: its descriptor's, or the variant dm_new
 * chose (a --cpu=portable object); "" if not recorded, NULL on error. */
DM_API const char *dm_cpu(const dm_model *m);
DM_API const dm_tensor_desc *dm_tensor(const dm_model *m, const char *name); /* NULL if no such */
/* The buffer of tensor `index` (descriptor order) of d in m, without a name
 * lookup: what the typed accessors of a generated header (NAME_x(m)) call.
 * NULL, with DM_EINVAL, if m is not an instance of d or index is out of range. */
DM_API void *dm_tensor_data(dm_model *m, const dm_model_desc *d, int index);
DM_API int  dm_reinit(dm_model *m, uint64_t seed);      /* draw the parameters again, zero the state */
DM_API int  dm_set_threads(dm_model *m, int threads);   /* default: $DM_THREADS, else 1 */

/* The gradient hook: overlapping the gradients' communication with the
 * backward pass (libdmrt_mpi; docs/runtime.md, "The gradient hook").  While
 * installed, dm_gradients and dm_train_step call hook(ctx, first, n, grads,
 * count) from the calling thread, in the middle of the entry, each time a
 * run of gradients is final: the descriptor tensors first .. first + n - 1
 * (consecutive DM_GRAD tensors; dm_tensor_at(m, first)->param is the first
 * one's parameter), whose data are grads[0 .. count), from the first
 * gradient's start to the last one's end (the alignment padding between
 * them included, which no entry reads).  Every gradient is reported exactly
 * once per call of the entry, with the value the entry returns with;
 * the entry never touches it again, so the hook may hand the memory to
 * another thread or an asynchronous transfer until the entry returns (and
 * must be done with it before the next entry runs).  An entry that fails
 * early (DM_ERANGE) reports nothing; a --check-numerics build reports every
 * gradient at the entry's end, after its check.  hook NULL removes it; a
 * model without one pays one pointer test per report. */
typedef void (*dm_gradient_hook)(void *ctx, int first, int n, float *grads, size_t count);
DM_API int dm_set_gradient_hook(dm_model *m, dm_gradient_hook hook, void *ctx);
DM_API int  dm_threads(const dm_model *m);

/* The optimizer's learning rate, kept in the instance (the state tensor
 * "opt/lr", saved in checkpoints): it starts at the .dm file's value and may
 * be changed between steps, e.g. by a schedule.  dm_learning_rate returns NaN
 * for a model without an optimizer. */
DM_API int   dm_set_learning_rate(dm_model *m, float lr);
DM_API float dm_learning_rate(const dm_model *m);

/* dm_save with extra string pairs in the checkpoint's "__metadata__" (e.g. a
 * training loop's epoch), for this save only, after the instance's own pairs
 * (dm_set_metadata; a key in both takes the value given here); "format" and
 * "model" are reserved. */
DM_API int dm_save_with_metadata(const dm_model *m, const char *path, int n, const char *const *keys,
                                 const char *const *values);
/* Checkpoints in memory: the same bytes as dm_save's file, and the same
 * checks as dm_load's (on any error the model is unchanged), so that a
 * program can ship its weights over any link.  dm_save_buffer writes the
 * checkpoint into buf (size bytes) and sets *written (if not NULL) to its
 * size; with buf NULL it only sets *written: the size to provide.  A buffer
 * too small is DM_ENOMEM, nothing written, *written still the size needed.
 * The size depends on the instance's metadata, not only on the model. */
DM_API int dm_save_buffer(const dm_model *m, void *buf, size_t size, size_t *written);
DM_API int dm_load_buffer(dm_model *m, const void *buf, size_t size);
/* Copies one "__metadata__" string of a checkpoint into buf (size bytes);
 * DM_EMISMATCH if the checkpoint has no such key. */
DM_API int dm_load_metadata(const char *path, const char *key, char *buf, size_t size);

/* The code of the last failure on this thread (DM_OK after a success): a
 * function that can fail resets it and dm_last_error() on entry. */
DM_API int dm_last_error_code(void);

/* The instance's metadata: string pairs (UTF-8; keys non-empty and not the
 * reserved "format" or "model") that dm_save writes in the checkpoint's
 * "__metadata__" and dm_load replaces with the checkpoint's, so they survive a
 * load and a save.  They live in the instance header (no allocation), at most
 * DM_METADATA_BYTES (DM_ENOMEM beyond).  dm_set_metadata with value NULL
 * removes the key.  dm_get_metadata returns NULL (DM_EMISMATCH) for a missing
 * key.  The strings returned stay valid until the instance's metadata changes
 * (dm_set_metadata, dm_load) or dm_free. */
DM_API int dm_set_metadata(dm_model *m, const char *key, const char *value);
DM_API const char *dm_get_metadata(const dm_model *m, const char *key);
DM_API int dm_metadata_count(const dm_model *m);
DM_API int dm_metadata_at(const dm_model *m, int i, const char **key, const char **value);

/* What the last successful dm_load of m left out: returns how many entries
 * of the checkpoint it ignored, and sets *names (if not NULL) to them,
 * comma-separated (cut with ", ..." past 500 bytes): optimizer and generator
 * state ("opt/...", "rng/...") loaded into an instance without any state (a
 * --no-train object), PyTorch's batch norm counters ("bn.num_batches_tracked"
 * beside a buffer "bn.running_mean"), and metadata pairs it could not keep
 * ("__metadata__/KEY": no room left, or not valid UTF-8).  0 and "" before
 * any load. */
DM_API int dm_load_skipped(const dm_model *m, const char **names);

/* Enumerating the tensors (index 0 .. dm_tensor_count - 1, descriptor order). */
DM_API int dm_tensor_count(const dm_model *m);
DM_API const dm_tensor_desc *dm_tensor_at(const dm_model *m, int i);
/* 1 if the entry reads the tensor (for an input: it must be filled before
 * that entry runs), 0 if not, a negative code on misuse. */
DM_API int dm_entry_reads(const dm_model *m, dm_entry entry, const char *name);
/* The valid range [lo, hi] of a tensor's elements (an i32 input used as class
 * labels or indices: [0, classes - 1]); DM_EUNSUPPORTED if it has none. */
DM_API int dm_tensor_range(const dm_model *m, const char *name, int64_t *lo, int64_t *hi);
/* Checks every ranged i32 input that the entry reads against its range:
 * DM_OK, or DM_ERANGE naming the input, the element and its value. */
DM_API int dm_check_inputs(const dm_model *m, dm_entry entry);

#ifdef __cplusplus
}
#endif
#endif
