/* cg_internal.h: LLVM code generation, shared between the files of cg/ only. */
#ifndef DMC_CG_INTERNAL_H
#define DMC_CG_INTERNAL_H

#include <llvm-c/Core.h>
#include "cg/cg.h"

#include <llvm-c/TargetMachine.h>

typedef struct Cg {
    Arena *arena;
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef i1, i8, i32, i64, f32, ptr, void_t;
    const Model *model;
    const ModelPlan *plan;
    const EntryPlan *ep;     /* the entry being generated */
    const char *prefix;      /* "<model>_<entry>": names of its helpers */
    LLVMValueRef fn, data;   /* the entry function and its data argument */
    LLVMValueRef ex;         /* its dm_exec argument (threads), possibly NULL at run time */
    bool check_numerics;     /* --check-numerics: training entries test the loss and gradients */
    LLVMValueRef *literal;   /* per node of the entry: constant global of an OP_LITERAL */
    struct SharedKernel *shared; int nshared, capshared;  /* cg_share.c's wrappers, for the module */
    const char *cpu, *features; /* the target machine's (the descriptor records what the code needs) */
    /* --cpu=portable (cg_levels.c): a faster level's module names its
     * descriptors NAME_model.LEVEL (level), the baseline's lists the
     * faster levels' (variants, best first). */
    const char *level;
    const char *const *variants; int nvariants;
    struct ElemScratch *elem_scratch; /* cg_elem.c's per-node tables, reused by every loop of an entry */
} Cg;

/* cg_module.c: the target machine's settings (cg_split.c makes a second). */
typedef struct CgTarget {
    LLVMTargetRef target;
    const char *triple, *cpu, *features;
    LLVMCodeGenOptLevel level;
    unsigned pointer;   /* bytes of a pointer: 8 or 4 (the kernels' bitcode set, cg_module.c) */
    const char *tile;   /* the matrix product's register tile for this machine (cg_tile.c) */
} CgTarget;
/* cg_tile.c: the register tile of kernels/linalg.c ("8x32", "6x16", ...:
 * the Makefile's LINALG_TILES) that fits the vector registers of tm. */
const char *cg_linalg_tile(LLVMTargetMachineRef tm, const char *triple, unsigned pointer);
/* cg_module.c: the kernels' prebuilt helpers (compiled by clang, never by
 * the -O pipeline): the test, and their hold (optnone) while a pipeline runs. */
bool cg_is_prebuilt(LLVMValueRef fn);
void cg_hold_prebuilt(LLVMContextRef ctx, LLVMModuleRef mod, bool hold);
bool cg_run_passes(LLVMModuleRef mod, const char *pipeline, LLVMTargetMachineRef tm);
/* cg_module.c: the -O pipeline of generated code (identical functions merged first). */
bool cg_optimise(LLVMTargetMachineRef tm, LLVMModuleRef mod, int opt_level);
/* cg_module.c: the -O pipeline and code generation of the whole module into *out. */
bool cg_compile_whole(LLVMTargetMachineRef tm, LLVMModuleRef mod, int opt_level, bool assembly,
                      LLVMMemoryBufferRef *out);
/* cg_split.c: the same on two threads (the helpers on one), where the
 * target's object format allows (ELF) and the machine has two processors;
 * only for 64-bit targets, the only ones with prebuilt helpers. */
bool cg_split_applies(const char *triple);
bool cg_split_compile(const CgTarget *t, LLVMTargetMachineRef tm, LLVMModuleRef mod, int opt_level, bool assembly,
                      LLVMMemoryBufferRef *out);
/* cg_module.c: a function of the linked kernels (compiler/cg/kernels). */
LLVMValueRef cg_kernel(Cg *cg, const char *name);
LLVMValueRef cg_call(Cg *cg, LLVMValueRef fn, LLVMValueRef *args, int nargs, const char *name);
/* A private, unnamed_addr constant global holding init. */
LLVMValueRef cg_constant(Cg *cg, LLVMValueRef init, const char *name);
/* cg_entry.c: the entry returns rc unless it is 0 (building continues where it is 0). */
void cg_return_if_failed(Cg *cg, LLVMValueRef rc, const char *what);
/* cg_grads.c: where a training entry reports its final gradients (dm_exec.grads_ready). */
typedef struct GradReports GradReports;
GradReports *cg_grad_reports(Cg *cg);
/* The reports after exec node `position`; the graph's node count: those at the entry's end. */
void cg_report_grads(Cg *cg, const GradReports *r, int position);
/* cg_entry.c: the entries of one model. */
void cg_entries(Cg *cg, LLVMValueRef fns[ENTRY_COUNT]);
LLVMValueRef cg_node_ptr(Cg *cg, int node);   /* where node's value lives */
const char *cg_node_name(Cg *cg, int node);
/* cg_labels.c: the checks of the class indices ls (ir/labels.c) that come
 * before node reader, or, for reader -1, at the entry's start. */
void cg_check_labels(Cg *cg, const Labels *ls, int reader);
/* cg_elem.c: one loop computing an elementwise root and its inline operands. */
void cg_elementwise(Cg *cg, int root);
/* cg_elem.c: root's loop as the epilogue of the kernel it reads (plan.c): void(data, first, end). */
LLVMValueRef cg_epilogue(Cg *cg, int root);
/* cg_kernels.c: a reduction, transpose or complex op as a kernel call. */
void cg_complex(Cg *cg, int node);
/* cg_share.c: kernel(args) through the one wrapper of its constant arguments. */
LLVMValueRef cg_call_shared(Cg *cg, LLVMValueRef kernel, LLVMValueRef *args, int nargs);
/* cg_contract.c: --fp-contract over the finished module. */
void cg_fp_contract(LLVMContextRef ctx, LLVMModuleRef mod, FpContract mode);
/* cg_stack.c: the stack of each entry (--stats, --max-stack).  Listen
 * before code generation, read the entries after it. */
typedef struct CgStack CgStack;
typedef struct CgEntryStack {
    const Model *model;
    const char *entry;        /* "forward", "train_step", ... */
    uint64_t bytes;           /* its frame and the deepest chain of calls below it, buffers included */
    uint64_t buffers;         /* of which the kernels' arrays sized by the shapes (kernel_stack.h) */
    const char *largest;      /* the function with the largest frame on that chain */
    uint64_t largest_bytes;
    const char *dynamic;      /* a function with stack sized at run time that no rule counts, or NULL */
    uint64_t code;            /* bytes of machine code of every function it may reach (0: unknown) */
    int functions;            /* how many functions that is */
} CgEntryStack;
/* tiles: the matrix product's register tiles the module links (cg_tile.c). */
CgStack *cg_stack_new(Arena *a, const char *const *tiles, int ntiles);
void cg_stack_listen(CgStack *s, LLVMModuleRef mod);
/* The code size of each function, from the object (call before cg_stack_entries). */
void cg_stack_code(CgStack *s, LLVMMemoryBufferRef obj);
int cg_stack_entries(CgStack *s, LLVMModuleRef mod, const Models *models, CgEntryStack **out);
bool cg_stack_report(const Options *opt, const CgEntryStack *entries, int n);
/* cg_levels.c: --cpu=portable or a list of x86-64 levels.  The levels named
 * by cpu, lowest first, when it names two or more (0: one CPU; -1: an
 * error, said on stderr; target: --target, NULL for the host); the level of each function of a module; the link
 * of a faster level's module into the baseline's. */
enum { CG_MAX_LEVELS = 4 };
int cg_cpu_levels(const char *cpu, const char *features, const char *target, const char *levels[CG_MAX_LEVELS]);
void cg_mark_level(LLVMContextRef ctx, LLVMModuleRef mod, const char *level);
bool cg_link_level(LLVMModuleRef base, LLVMModuleRef mod, const Models *models, const char *level);
/* cg_table.c: the descriptor's tensor table NAME_tensors (an internal global). */
LLVMValueRef cg_tensor_table(Cg *cg);
/* cg_desc.c: the model's descriptor constant NAME_model. */
LLVMValueRef cg_descriptor(Cg *cg, LLVMValueRef fns[ENTRY_COUNT]);
/* cg_desc.c: `dm_models`, the NULL-terminated table of the n descriptors (--emit=shared). */
void cg_model_table(Cg *cg, LLVMValueRef *descs, int n);

#endif
