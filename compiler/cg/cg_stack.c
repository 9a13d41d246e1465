/* cg_stack.c: the stack each entry's generated code needs, for --stats and
 * --max-stack (docs/targets.md, "Stack").
 *
 * The frames come from the back end itself: every function gets the
 * attribute "warn-stack-size"="0", so LLVM's prologue inserter reports each
 * non-empty frame ("stack frame size (N) exceeds limit (0) in function 'f'")
 * to the context's diagnostic handler, which records it here instead of
 * printing it.  Each frame also counts what the report leaves out: the
 * return address a call pushes on x86, and up to 128 bytes of realignment
 * to 64 bytes (REALIGN).  The calls come from the module after code
 * generation (walk): a call runs its callee's chain, and that of any
 * function passed to it (an epilogue the kernel runs, a task handed to
 * dm_exec.parallel), on top of the caller's frame; a function whose
 * address is stored (a convolution's tile functions) may run below any of
 * the caller's calls.  An entry's stack is its frame plus the deepest of
 * that (the call graph of generated code has no cycles).  A task that the
 * runtime runs on another thread counts as if run on this one, so the
 * figure bounds every thread's stack.
 *
 * The back end leaves out of the frames the arrays that the kernels size
 * at run time (the matrix product's packed blocks and small-path copy of
 * B, im2col's chunks: variable-length arrays in gemm_block, small_block
 * and conv_*_task).  Their sizes follow from the shapes, which are
 * constants at every call of a kernel in generated code, by the rules the
 * kernels size them with (kernels/kernel_stack.h, included by both).  So
 * before optimisation, when generated code still calls dmk_matmul,
 * dmk_conv2d, ... with the constant shapes, each such call counts its
 * arrays (site_bytes), and the function that makes it (cg_share.c's
 * wrapper of the kernel, noinline, so it survives optimisation as itself)
 * carries the largest in its frame: every chain that reaches the arrays
 * passes through it, and each chain counts only the arrays of the kernel
 * calls on it.  Should a function with such calls be open to inlining, the
 * arrays go on top of the entry's deepest chain instead (an upper bound).
 * A variable-length array in any other function is not counted, and
 * --stats names it.  Measured on x86-64 by painting the stack
 * (tests/cli/stack_buffers.test.sh), the figure bounds the real use by a
 * few hundred bytes.
 *
 * Also not counted: memcpy and memset (the C library's, a few words), the
 * runtime's parallel() (its frame; tasks on other threads run on their
 * own stacks, each within this bound), and, for an entry called through the
 * runtime (dm_train_step), the runtime's own frames above it (about 1 KB
 * in the host's libdmrt, measured: run_entry keeps a 1 KB message buffer).
 *
 * Measuring needs the whole module in one context, so it takes
 * cg_compile_whole's path (cg_split.c compiles the helpers elsewhere). */
#include "cg/cg_internal.h"
#include "cg/kernels/kernel_stack.h"

#include <llvm-c/Object.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Frame {
    LLVMValueRef fn;
    uint64_t bytes;      /* its own frame, from the back end, and own */
    uint64_t own;        /* the kernels' arrays of its largest kernel call (a wrapper of cg_share.c) */
    uint64_t buffers;    /* the kernels' arrays in deepest */
    uint64_t deepest;    /* frame plus the deepest callee chain */
    int worst;           /* the callee on that chain, -1 at the bottom */
    int dynamic;         /* a function it may reach (itself included) with a stack allocation sized at run time, or -1 */
    int state;           /* 0 not visited, 1 on the walk, 2 done */
} Frame;

struct CgStack {
    Arena *a;
    const char **names; /* frame sizes reported by the back end, by name */
    uint64_t *sizes;
    int n, cap;
    struct CodeSym { const char *name; uint64_t bytes; } *code; /* the object's symbols (cg_stack_code) */
    int ncode, capcode;
    /* Before optimisation: the kernels' arrays of the largest call in each
     * function that calls a kernel (own), and of each exported function
     * with everything it names (entry): struct Buffers by name. */
    struct Buffers { const char *name; uint64_t bytes; } *own, *entry;
    int nown, capown, nentry, capentry;
    bool loose; /* a function with kernel calls that the inliner may copy into others: own cannot be placed */
    const char *uncounted; /* a function with a variable-length array that no rule sizes, or NULL */
    /* The matrix product's register tiles of the module (cg_tile.c: one per
     * level of --cpu=portable): a kernel call's arrays are the most of any. */
    Tile tiles[CG_MAX_LEVELS];
    int ntiles;
};

CgStack *cg_stack_new(Arena *a, const char *const *tiles, int ntiles) {
    CgStack *s = arena_alloc(a, sizeof *s);
    s->a = a;
    for (int i = 0; i < ntiles && i < CG_MAX_LEVELS; i++) {
        long long mr = 0, nr = 0;
        if (sscanf(tiles[i], "%lldx%lld", &mr, &nr) != 2 || mr <= 0 || nr <= 0) die("tile %s is not MRxNR", tiles[i]);
        s->tiles[s->ntiles++] = (Tile){mr, nr};
    }
    if (!s->ntiles) die("the stack count needs the module's tiles");
    return s;
}

static void on_diagnostic(LLVMDiagnosticInfoRef info, void *arg) {
    CgStack *s = arg;
    char *text = LLVMGetDiagInfoDescription(info);
    const char *size = strstr(text, "stack frame size (");
    const char *fn = strstr(text, "in function '");
    if (size && fn) {
        if (s->n == s->cap) {
            int cap = s->cap ? 2 * s->cap : 64;
            const char **names = arena_alloc(s->a, sizeof *names * (size_t)cap);
            uint64_t *sizes = arena_alloc(s->a, sizeof *sizes * (size_t)cap);
            if (s->n) memcpy(names, s->names, sizeof *names * (size_t)s->n), memcpy(sizes, s->sizes, sizeof *sizes * (size_t)s->n);
            s->names = names, s->sizes = sizes, s->cap = cap;
        }
        fn += strlen("in function '");
        s->sizes[s->n] = strtoull(size + strlen("stack frame size ("), NULL, 10);
        s->names[s->n++] = arena_strndup(s->a, fn, strcspn(fn, "'"));
    } else if (LLVMGetDiagInfoSeverity(info) == LLVMDSError || LLVMGetDiagInfoSeverity(info) == LLVMDSWarning) {
        fprintf(stderr, "dmc: %s from LLVM: %s\n", LLVMGetDiagInfoSeverity(info) == LLVMDSError ? "error" : "warning",
                text);
    }
    LLVMDisposeMessage(text);
}

/* ---- the kernels' buffers, before optimisation ------------------------- */

/* The kernels' entry points (kernels.def): a call to one is a site, whose
 * body is not walked (its arrays are counted from the call's shapes). */
static const char *const kernel_names[] = {
#define KERNEL(RESULT, NAME, PARAMETERS) #NAME,
#include "cg/kernels/kernels.def"
#undef KERNEL
};

/* The kernel functions whose variable-length arrays kernel_stack.h sizes:
 * reached only through the entry points counted in site_bytes. */
static const char *const sized_arrays[] = {"gemm_block", "small_block", "conv_fwd_task", "conv_dx_task",
                                           "conv_dw_task"};

static bool named_in(const char *name, const char *const *names, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(name, names[i])) return true;
    return false;
}

static const char *name_of(LLVMValueRef fn) {
    size_t len;
    return LLVMGetValueName2(fn, &len);
}

/* Argument k of a call as a constant integer; false when it is not one. */
static bool constant_arg(LLVMValueRef call, int k, int64_t *v) {
    LLVMValueRef a = LLVMGetOperand(call, (unsigned)k);
    if (!a || !LLVMIsAConstantInt(a)) return false;
    *v = LLVMConstIntGetSExtValue(a);
    return true;
}

/* The bytes of run-time-sized arrays that a call of the kernel `name` may
 * allocate (kernel_stack.h), from its constant shapes (the parameter
 * order of kernels.def); the most any call allocates when a shape is not a
 * constant.  0 for a kernel without such arrays. */
static uint64_t tile_site_bytes(Tile t, const char *name, LLVMValueRef call) {
    int64_t most = stack_array_bytes(COL_FLOATS + COL_SLACK) + gemm_block_bytes(t, TILE_MC(t.mr), TILE_NCB(t.nr), KC);
    int64_t v[13];
    if (!strcmp(name, "dmk_matmul")) {
        /* (c, a, b, M, N, K, ta, tb, ...) */
        for (int k = 0; k < 5; k++)
            if (!constant_arg(call, 3 + k, &v[k])) return (uint64_t)most;
        return (uint64_t)matmul_stack_bytes(t, v[0], v[1], v[2], (int32_t)v[3], (int32_t)v[4], 0);
    }
    if (!strcmp(name, "dmk_matmul_batched")) {
        /* (c, a, b, M, N, K, a_rs, a_cs, b_rs, b_cs, ...) */
        for (int k = 0; k < 7; k++)
            if (!constant_arg(call, 3 + k, &v[k])) return (uint64_t)most;
        return (uint64_t)matmul_strided_stack_bytes(t, v[0], v[1], v[2], v[3], v[4], v[6], 1);
    }
    int op = !strcmp(name, "dmk_conv2d") ? CONV_FORWARD : !strcmp(name, "dmk_conv2d_dx") ? CONV_DX
             : !strcmp(name, "dmk_conv2d_dw") ? CONV_DW : -1;
    if (op < 0) return 0;
    /* (out, in0, in1, N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw, ...) */
    for (int k = 0; k < 13; k++)
        if (!constant_arg(call, 3 + k, &v[k])) return (uint64_t)most;
    return (uint64_t)conv_stack_bytes(t, op, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10],
                                      v[11], v[12]);
}

/* The most of any of the module's tiles (the levels of --cpu=portable
 * each link their own linalg.c; a call is counted as its worst). */
static uint64_t site_bytes(const CgStack *s, const char *name, LLVMValueRef call) {
    uint64_t most = 0;
    for (int i = 0; i < s->ntiles; i++) {
        uint64_t b = tile_site_bytes(s->tiles[i], name, call);
        most = b > most ? b : most;
    }
    return most;
}

typedef struct Caller {
    LLVMValueRef fn;
    uint64_t own;       /* its largest kernel call's arrays */
    uint64_t buffers;   /* own plus the most of any function it names */
    int state; /* 0 not visited, 1 on the walk, 2 done */
} Caller;

static int caller_of(Caller *nodes, int n, LLVMValueRef fn) {
    for (int i = 0; i < n; i++)
        if (nodes[i].fn == fn) return i;
    return -1;
}

/* The buffers of nodes[i]: its largest site plus the most of any function it
 * names other than through a site (a callee, a task, an epilogue). */
static void buffers_of(const CgStack *s, Caller *nodes, int n, int i) {
    Caller *f = &nodes[i];
    if (f->state) return; /* done, or a cycle (none in generated code) */
    f->state = 1;
    uint64_t own = 0, below = 0;
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f->fn); b; b = LLVMGetNextBasicBlock(b))
        for (LLVMValueRef in = LLVMGetFirstInstruction(b); in; in = LLVMGetNextInstruction(in)) {
            LLVMValueRef callee = LLVMIsACallInst(in) ? LLVMGetCalledValue(in) : NULL;
            bool site = callee && LLVMIsAFunction(callee) &&
                        named_in(name_of(callee), kernel_names, sizeof kernel_names / sizeof *kernel_names);
            if (site) {
                uint64_t bytes = site_bytes(s, name_of(callee), in);
                own = bytes > own ? bytes : own;
            }
            for (int k = 0; k < LLVMGetNumOperands(in); k++) {
                LLVMValueRef op = LLVMGetOperand(in, (unsigned)k);
                if (!op || !LLVMIsAFunction(op) || (site && op == callee)) continue;
                int j = caller_of(nodes, n, op);
                if (j < 0 || j == i) continue;
                buffers_of(s, nodes, n, j);
                if (nodes[j].state == 2 && nodes[j].buffers > below) below = nodes[j].buffers;
            }
        }
    f->own = own;
    f->buffers = own + below;
    f->state = 2;
}

/* Listen for the frames; and count, while the kernels' calls still have
 * their constant shapes, the buffers of every exported function. */
void cg_stack_listen(CgStack *s, LLVMModuleRef mod) {
    int n = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) n++;
    Caller *nodes = arena_alloc(s->a, sizeof *nodes * (size_t)(n + 1));
    n = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f)) continue;
        nodes[n++] = (Caller){.fn = f};
        /* by the name before any ".N" (a faster level's copy of the kernels, cg_levels.c) */
        char base[64];
        snprintf(base, sizeof base, "%.*s", (int)strcspn(name_of(f), "."), name_of(f));
        if (named_in(base, sized_arrays, sizeof sized_arrays / sizeof *sized_arrays)) continue;
        for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b))
            for (LLVMValueRef in = LLVMGetFirstInstruction(b); in; in = LLVMGetNextInstruction(in))
                if (LLVMIsAAllocaInst(in) && !LLVMIsConstant(LLVMGetOperand(in, 0)))
                    s->uncounted = arena_strdup(s->a, name_of(f)); /* no rule sizes it: --stats says so */
    }
    for (int i = 0; i < n; i++) {
        if (LLVMGetLinkage(nodes[i].fn) != LLVMExternalLinkage) continue;
        buffers_of(s, nodes, n, i);
        struct Buffers b = {arena_strdup(s->a, name_of(nodes[i].fn)), nodes[i].buffers};
        VEC_PUSH(s->a, s->entry, s->nentry, s->capentry, b);
    }
    /* The functions that call a kernel with arrays: cg_share.c's wrappers,
     * noinline, so each survives optimisation as itself, and every chain
     * that reaches the arrays passes through its wrapper's frame. */
    unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
    for (int i = 0; i < n; i++) {
        if (nodes[i].state != 2 || !nodes[i].own) continue;
        struct Buffers b = {arena_strdup(s->a, name_of(nodes[i].fn)), nodes[i].own};
        VEC_PUSH(s->a, s->own, s->nown, s->capown, b);
        if (LLVMGetLinkage(nodes[i].fn) != LLVMExternalLinkage &&
            !LLVMGetEnumAttributeAtIndex(nodes[i].fn, LLVMAttributeFunctionIndex, noinline))
            s->loose = true;
    }
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
        if (!LLVMIsDeclaration(f)) LLVMAddTargetDependentFunctionAttr(f, "warn-stack-size", "0");
    LLVMContextSetDiagnosticHandler(LLVMGetModuleContext(mod), on_diagnostic, s);
}

static uint64_t buffers_named(const struct Buffers *b, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(b[i].name, name)) return b[i].bytes;
    return 0;
}

static int index_of(Frame *frames, int n, LLVMValueRef fn);

/* The machine code of each function: its symbol's size in the object (ELF
 * records it; an object format that does not leaves the sizes unknown). */
void cg_stack_code(CgStack *s, LLVMMemoryBufferRef obj) {
    char *err = NULL;
    LLVMBinaryRef bin = LLVMCreateBinary(obj, NULL, &err);
    if (!bin) { LLVMDisposeMessage(err); return; }
    LLVMSymbolIteratorRef it = LLVMObjectFileCopySymbolIterator(bin);
    for (; !LLVMObjectFileIsSymbolIteratorAtEnd(bin, it); LLVMMoveToNextSymbol(it)) {
        uint64_t size = LLVMGetSymbolSize(it);
        if (size == 0) continue;
        struct CodeSym sym = {arena_strdup(s->a, LLVMGetSymbolName(it)), size};
        VEC_PUSH(s->a, s->code, s->ncode, s->capcode, sym);
    }
    LLVMDisposeSymbolIterator(it);
    LLVMDisposeBinary(bin);
}

static uint64_t code_of(const CgStack *s, LLVMValueRef fn) {
    size_t len;
    const char *name = LLVMGetValueName2(fn, &len);
    for (int i = 0; i < s->ncode; i++)
        if (strcmp(s->code[i].name, name) == 0) return s->code[i].bytes;
    return 0;
}

/* The code an entry runs: every function it may reach, each counted once. */
static uint64_t reach_code(const CgStack *s, Frame *frames, int n, int i, bool *seen, int *count) {
    if (seen[i]) return 0;
    seen[i] = true;
    ++*count;
    uint64_t code = code_of(s, frames[i].fn);
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(frames[i].fn); b; b = LLVMGetNextBasicBlock(b))
        for (LLVMValueRef in = LLVMGetFirstInstruction(b); in; in = LLVMGetNextInstruction(in))
            for (int k = 0; k < LLVMGetNumOperands(in); k++) {
                LLVMValueRef op = LLVMGetOperand(in, (unsigned)k);
                int j = op && LLVMIsAFunction(op) ? index_of(frames, n, op) : -1;
                if (j >= 0) code += reach_code(s, frames, n, j, seen, count);
            }
    return code;
}

static uint64_t reported(const CgStack *s, LLVMValueRef fn) {
    size_t len;
    const char *name = LLVMGetValueName2(fn, &len);
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0) return s->sizes[i];
    return 0; /* no frame of its own (or inlined everywhere and gone) */
}

static int index_of(Frame *frames, int n, LLVMValueRef fn) {
    for (int i = 0; i < n; i++)
        if (frames[i].fn == fn) return i;
    return -1;
}

static void walk(Frame *frames, int n, int i);

/* The most that functions named by instruction `in` of frames[i] other than
 * as its callee (a call's function arguments, or any operand of another
 * instruction) take, and with which arrays (*buf) and which one (*worst). */
static uint64_t named_below(Frame *frames, int n, int i, LLVMValueRef in, uint64_t *buf, int *worst) {
    uint64_t most = 0;
    int ops = LLVMIsACallInst(in) ? (int)LLVMGetNumArgOperands(in) : LLVMGetNumOperands(in);
    for (int k = 0; k < ops; k++) {
        LLVMValueRef op = LLVMGetOperand(in, (unsigned)k);
        int j = op && LLVMIsAFunction(op) ? index_of(frames, n, op) : -1;
        if (j < 0 || j == i) continue;
        walk(frames, n, j);
        if (frames[j].state != 2) continue;
        if (frames[j].dynamic >= 0 && frames[i].dynamic < 0) frames[i].dynamic = frames[j].dynamic;
        if (frames[j].deepest > most) most = frames[j].deepest, *buf = frames[j].buffers, *worst = j;
    }
    return most;
}

/* frames[i].deepest: its frame, plus the deepest of its calls, plus the
 * deepest function whose address it takes otherwise.  A call's stack is
 * its callee's chain, plus that of a function passed to it (an epilogue,
 * which the kernel may run anywhere below; a task, which the runtime's
 * parallel() runs on this thread or on another's stack).  A function whose
 * address goes elsewhere (stored: a convolution's tile functions, a batch's
 * product function) may be called anywhere below, so it adds to the deepest
 * call; that bound is loose by the callee's chain when the function only
 * runs beside it. */
static void walk(Frame *frames, int n, int i) {
    Frame *f = &frames[i];
    if (f->state) return; /* done, or a cycle (none in generated code): counted once */
    f->state = 1;
    f->worst = -1;
    f->dynamic = -1;
    uint64_t call = 0, call_buf = 0, stored = 0, stored_buf = 0;
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f->fn); b; b = LLVMGetNextBasicBlock(b))
        for (LLVMValueRef in = LLVMGetFirstInstruction(b); in; in = LLVMGetNextInstruction(in)) {
            if (LLVMIsAAllocaInst(in) && !LLVMIsConstant(LLVMGetOperand(in, 0)))
                f->dynamic = i; /* a variable-length array: not in the frame the back end reports */
            uint64_t arg_buf = 0;
            int arg_worst = -1;
            uint64_t arg = named_below(frames, n, i, in, &arg_buf, &arg_worst);
            if (!LLVMIsACallInst(in)) {
                if (arg > stored) stored = arg, stored_buf = arg_buf;
                continue;
            }
            LLVMValueRef callee = LLVMGetCalledValue(in);
            int c = callee && LLVMIsAFunction(callee) ? index_of(frames, n, callee) : -1;
            uint64_t here = 0, here_buf = 0;
            if (c >= 0 && c != i) {
                walk(frames, n, c);
                if (frames[c].state == 2) {
                    here = frames[c].deepest, here_buf = frames[c].buffers;
                    if (frames[c].dynamic >= 0 && f->dynamic < 0) f->dynamic = frames[c].dynamic;
                }
            }
            if (here + arg > call)
                call = here + arg, call_buf = here_buf + arg_buf, f->worst = here >= arg && c != i ? c : arg_worst;
        }
    f->deepest = f->bytes + call + stored;
    f->buffers = f->own + call_buf + stored_buf;
    f->state = 2;
}

/* What a frame may take beyond the size the back end reports: a frame
 * realigned to 64 bytes (for 64-byte vectors, their spills and the
 * kernels' aligned arrays: the widest alignment generated code asks for)
 * rounds its locals up to 64 (up to 63 bytes more) and its stack pointer
 * down to 64 (up to 56 more, below a pointer aligned to 8).  Measured on
 * x86-64 (tests/cli/stack_paint.test.sh), without it the figure fell short
 * by up to 160 bytes. */
enum { REALIGN = 2 * 64 };

/* The bytes a call pushes besides the callee's frame: the return address
 * on x86, which the back end's frame sizes leave out (elsewhere it stays in
 * a register, and a callee that calls on saves it in its frame). */
static uint64_t return_address(LLVMModuleRef mod) {
    const char *triple = LLVMGetTarget(mod);
    if (!strncmp(triple, "x86_64", 6)) return 8;
    if (triple[0] == 'i' && triple[1] && !strncmp(triple + 2, "86", 2)) return 4;
    return 0;
}

static bool is_entry(const char *name) {
    return !strcmp(name, "forward") || !strcmp(name, "gradients") || !strcmp(name, "apply") ||
           !strcmp(name, "train_step");
}

int cg_stack_entries(CgStack *s, LLVMModuleRef mod, const Models *models, CgEntryStack **out) {
    int n = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) n++;
    Frame *frames = arena_alloc(s->a, sizeof *frames * (size_t)(n + 1));
    n = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
        if (!LLVMIsDeclaration(f)) {
            uint64_t bytes = reported(s, f), own = s->loose ? 0 : buffers_named(s->own, s->nown, name_of(f));
            frames[n++] = (Frame){.fn = f, .bytes = (bytes ? bytes + REALIGN : 0) + return_address(mod) + own,
                                  .own = own};
        }
    /* The entries: the exported functions "<model>_<entry>". */
    CgEntryStack *entries = arena_alloc(s->a, sizeof *entries * (size_t)(n + 1));
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (LLVMGetLinkage(frames[i].fn) != LLVMExternalLinkage) continue;
        size_t len;
        const char *name = LLVMGetValueName2(frames[i].fn, &len);
        for (int m = 0; m < models->n; m++) {
            size_t ml = strlen(models->items[m]->name);
            if (strncmp(name, models->items[m]->name, ml) != 0 || name[ml] != '_' || !is_entry(name + ml + 1)) continue;
            walk(frames, n, i);
            CgEntryStack *e = &entries[count++];
            *e = (CgEntryStack){.model = models->items[m], .entry = name + ml + 1, .bytes = frames[i].deepest};
            if (s->loose) { /* the arrays on top of the deepest chain: an upper bound */
                e->buffers = buffers_named(s->entry, s->nentry, name);
                e->bytes += e->buffers;
            }
            e->buffers += frames[i].buffers;
            if (frames[i].dynamic >= 0 && s->uncounted) e->dynamic = s->uncounted;
            if (s->ncode) {
                bool *seen = arena_alloc(s->a, sizeof *seen * (size_t)(n + 1));
                e->code = reach_code(s, frames, n, i, seen, &e->functions);
            }
            for (int j = i; j >= 0; j = frames[j].worst) /* the largest frame on the deepest chain */
                if (frames[j].bytes - frames[j].own > e->largest_bytes) {
                    e->largest_bytes = frames[j].bytes - frames[j].own;
                    e->largest = arena_strdup(s->a, LLVMGetValueName2(frames[j].fn, &len));
                }
            break;
        }
    }
    *out = entries;
    return count;
}

/* --stats: one line per entry; --max-stack: an error at the model for each
 * entry over the limit.  False if any is. */
bool cg_stack_report(const Options *opt, const CgEntryStack *entries, int n) {
    bool ok = true;
    Diag d = {.max_errors = 20, .out = stderr, .warn = opt->warn};
    for (int i = 0; i < n; i++) {
        const CgEntryStack *e = &entries[i];
        if (opt->stats)
            fprintf(stderr, "model %s: entry %s: stack %llu bytes (largest frame: %s, %llu bytes; kernel buffers "
                    "sized by the shapes: %llu bytes)%s%s%s\n",
                    e->model->name, e->entry, (unsigned long long)e->bytes, e->largest ? e->largest : "none",
                    (unsigned long long)e->largest_bytes, (unsigned long long)e->buffers,
                    e->dynamic ? ", plus buffers sized at run time in '" : "", e->dynamic ? e->dynamic : "",
                    e->dynamic ? "', not counted" : "");
        if (opt->stats && e->code)
            fprintf(stderr, "model %s: entry %s: code %llu bytes in %d functions (a function shared by entries "
                    "counts in each)\n", e->model->name, e->entry, (unsigned long long)e->code, e->functions);
        if (opt->max_stack && e->bytes > opt->max_stack) {
            diag_error(&d, e->model->loc,
                       "entry '%s' of model '%s' needs %llu bytes of stack, more than the limit of %llu (--max-stack)",
                       e->entry, e->model->name, (unsigned long long)e->bytes, (unsigned long long)opt->max_stack);
            diag_note(&d, e->model->loc, "its largest frame is the kernel code '%s', %llu bytes", e->largest ? e->largest : "?",
                      (unsigned long long)e->largest_bytes);
            if (e->buffers)
                diag_note(&d, e->model->loc, "%llu bytes of that are the kernels' buffers sized by the shapes (the "
                          "matrix product's packed blocks, im2col's chunks)", (unsigned long long)e->buffers);
            ok = false;
        }
    }
    if (!ok) diag_finish(&d);
    return ok;
}
