/* rt.h: the runtime's private interface, shared by the runtime .c files only (never
 * installed, never included by generated code or by users; dmc's driver uses
 * rt_output_target).
 *
 * It defines the instance header (struct dm_model), the error setter, the
 * seeded generator used by initialisation and data shuffling, the thread
 * pool and the strict JSON reader used by the checkpoint loader. */
#ifndef DM_RT_H
#define DM_RT_H

#include "dm.h"
#include <stdarg.h>
#include <stdbool.h>

/* ---- the instance (model.c) -------------------------------------------- */
#define RT_MAGIC 0x316c65646f6d6d64ULL /* "dmmodel1": a live instance; dm_free clears it */

struct dm_model {
    const dm_model_desc *desc;
    const dm_model_desc *code; /* whose entries run: desc or the variant of desc this CPU runs best (cpu.c) */
    uint8_t *data;      /* the data region, DM_ALIGN-aligned, desc->data_size bytes */
    void *block;        /* what dm_new malloc'd (freed by dm_free); NULL after dm_init */
    uint64_t magic;     /* RT_MAGIC while the instance lives (not in the first 16 bytes, which free() reuses) */
    uint64_t seed;      /* the seed the parameters were last drawn from */
    int loss_index;     /* the DM_LOSS tensor, -1 if none */
    dm_exec exec;       /* handed to every entry; exec.pool is a rt_pool* or NULL */
    dm_gradient_hook grad_hook; /* dm_set_gradient_hook's; exec.grads_ready calls it */
    void *grad_hook_ctx;
    int nmeta;          /* metadata pairs (metadata.c) */
    size_t meta_len;    /* bytes used in meta */
    char meta[DM_METADATA_BYTES]; /* "key\0value\0..." */
    int nskipped;       /* what the last dm_load skipped (dm_load_skipped) */
    char skipped[512];
};
_Static_assert(sizeof(struct dm_model) <= DM_HEADER_SIZE, "struct dm_model outgrew DM_HEADER_SIZE (dm.h)");
_Static_assert(DM_HEADER_SIZE % DM_ALIGN == 0, "DM_HEADER_SIZE must be a multiple of DM_ALIGN");

/* Every public function taking an instance starts here: clears the last
 * error, then DM_EINVAL (with caller's name) for NULL or an instance that is
 * not live (freed, never made).  DM_OK otherwise. */
int rt_enter(const dm_model *m, const char *caller);

/* DM_OK if d is a model description this runtime can run (ABI, tensor
 * table, the processor's features), else the error (model.c). */
int rt_check_desc(const dm_model_desc *d);

/* Resets the parameters and state of m to their initialisers (seed m->seed). */
void rt_init_tensor(const dm_model *m, const dm_tensor_desc *t);
/* The index of the tensor called name, or -1. */
int rt_find_tensor(const dm_model_desc *d, const char *name);

/* DM_EUNSUPPORTED naming the missing features if this processor lacks one the
 * model's code was compiled for (cpu.c; core.c checks nothing: a bare-metal
 * program is built for its processor); called by dm_init. */
int rt_check_cpu(const dm_model_desc *d);
/* The first of d's variants (dm.h) this processor has every feature of, else d. */
const dm_model_desc *rt_pick_code(const dm_model_desc *d);

/* ---- the two libraries (docs/runtime.md, "The freestanding core") ---------------
 * libdmrt_core.a is the files that need no operating system (model.c,
 * init.c, describe.c, labels.c, metadata.c, format.c) and core.c;
 * libdmrt.a is the same files and, instead of core.c, the hosted ones
 * (error.c, threads.c, cpu.c, model_hosted.c, files, checkpoints, data).
 * Each of the functions below has one definition in core.c and one in a
 * hosted file. */

/* The threads of a new instance: $DM_THREADS, else 1 (threads.c); 1 (core.c). */
int rt_default_threads(void);
/* dm_free's last step: frees what dm_new allocated (model_hosted.c); never
 * called with anything but NULL in the core, which has no dm_new. */
void rt_release_block(void *block);

/* ---- formatting without stdio (format.c) ------------------------------------ */
/* The formats rt_snprintf takes are C99's (%zu, %lld) on every target; for
 * MinGW-w64's GCC, "printf" means Microsoft's older set, "gnu_printf" C99's. */
#ifdef __MINGW32__
#define RT_PRINTF_FORMAT gnu_printf
#else
#define RT_PRINTF_FORMAT printf
#endif
int rt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(RT_PRINTF_FORMAT, 3, 4)));
int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---- errors (error.c; core.c keeps one message, not one per thread) ----------- */
/* Formats the per-thread last-error message, records code and returns it (for `return rt_error(...)`). */
int rt_error(int code, const char *fmt, ...) __attribute__((format(RT_PRINTF_FORMAT, 2, 3)));
/* No error (yet): "" and DM_OK.  Called on entry by every public function that can fail. */
void rt_clear_error(void);

/* ---- class indices out of range (labels.c) ------------------------------ */
/* dm_exec.bad_label: the message of an entry's first bad class index. */
int rt_bad_label(dm_exec *ex, const char *what, int rank, const int64_t *dims, int64_t at, int32_t value,
                 int64_t classes);

/* ---- the seeded generator (init.c, documented in docs/runtime.md) --------- */
typedef struct rt_rng { uint64_t s[4]; } rt_rng;

uint64_t rt_splitmix64_next(uint64_t *state);
uint64_t rt_fnv1a64(const char *s);
void     rt_rng_seed(rt_rng *r, uint64_t seed);               /* xoshiro256** from SplitMix64(seed) */
void     rt_rng_stream(rt_rng *r, uint64_t seed, const char *name); /* the stream of one tensor */
uint64_t rt_rng_next(rt_rng *r);                               /* xoshiro256** */
double   rt_rng_uniform(rt_rng *r);                            /* [0, 1), 53 bits */
double   rt_rng_normal(rt_rng *r, double *spare, bool *has_spare); /* N(0, 1), Box-Muller */
uint64_t rt_rng_below(rt_rng *r, uint64_t n);                  /* uniform in [0, n), unbiased */

/* ---- threads (threads.c; core.c runs every entry on the calling thread) --------- */
/* Prepares m->exec for an entry call: creates the pool on first use. */
void rt_exec_prepare(dm_model *m);
/* Stops and frees the pool, if any; m->exec runs inline afterwards. */
void rt_exec_teardown(dm_model *m);
/* Sets m->exec to run inline with `threads` workers requested. */
void rt_exec_reset(dm_model *m, int threads);

/* ---- metadata and the load report (metadata.c) ---------------------------- */
bool rt_metadata_reserved(const char *key);   /* "format", "model": written by dm_save itself */
/* Iterates the instance's pairs: start with *pos = 0; false after the last. */
bool rt_metadata_next(const dm_model *m, size_t *pos, const char **key, const char **value);
void rt_skipped_reset(dm_model *m);
void rt_skipped_add(dm_model *m, const char *prefix, const char *name);
typedef struct rt_json rt_json;
/* dm_load: the instance's metadata becomes the checkpoint's (meta may be NULL). */
void rt_metadata_replace(dm_model *m, const rt_json *meta);

/* ---- files (file.c) ---------------------------------------------------------- */
/* Reads a whole regular file into a malloc'd buffer (*data, *size bytes). */
int rt_read_file(const char *path, uint8_t **data, size_t *size);

/* ---- writing files: the operating system's part (os/posix.c, os/windows.c) -- */
/* dm_save's write of a checkpoint's len bytes to path: through a temporary
 * file in the target's folder, synced and renamed over the target, so that a
 * crash or error leaves the old file whole; or in place when
 * rt_output_target says so. */
int rt_write_checkpoint(const char *path, const uint8_t *bytes, size_t len);
/* Where a write to path goes (docs/runtime.md, "Writing files"; on Windows,
 * docs/targets.md: links are not followed, no file is written in place): symbolic
 * links are followed (a chain too, relative targets from the link's folder)
 * to *target (malloc'd), the file that is replaced: a new or regular file,
 * by a temporary in *target's folder renamed over it.  *in_place: *target
 * exists and is not a regular file (a device, a FIFO): write it in place,
 * never rename over it.  A directory is DM_EIO.  Shared with dmc's driver,
 * so that its outputs follow the same rule. */
int rt_output_target(const char *path, char **target, int *in_place);

/* ---- strict JSON (json.c) -------------------------------------------------- */
typedef enum { RT_JSON_NULL, RT_JSON_BOOL, RT_JSON_NUMBER, RT_JSON_STRING, RT_JSON_ARRAY, RT_JSON_OBJECT } rt_json_kind;

struct rt_json {
    rt_json_kind kind;
    bool boolean;
    double number;
    bool is_uint;        /* RT_JSON_NUMBER written as a plain non-negative integer < 2^64 */
    uint64_t uint;
    char *string;        /* RT_JSON_STRING (NUL-terminated, UTF-8) */
    size_t len;          /* string length in bytes */
    int count;           /* RT_JSON_ARRAY / RT_JSON_OBJECT */
    rt_json **items;     /* the elements / the member values */
    char **keys;         /* RT_JSON_OBJECT: the member names */
    size_t pos;          /* byte offset in the text where the value starts */
};

/* Parses text[0 .. len) as exactly one JSON value (surrounding whitespace
 * allowed).  Returns NULL with a reason in err (and the byte offset in *at)
 * on any syntax error.  Free the result with rt_json_free. */
rt_json *rt_json_parse(const char *text, size_t len, char *err, size_t errsize, size_t *at);
void rt_json_free(rt_json *v);
const rt_json *rt_json_get(const rt_json *obj, const char *key);

#endif
