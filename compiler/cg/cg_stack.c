/* cg_stack.c: the stack each entry's generated code needs, for --stats and
 * --max-stack (docs/targets.md, "Stack").
 *
 * The frames come from the back end itself: every function gets the
 * attribute "warn-stack-size"="0", so LLVM's prologue inserter reports each
 * non-empty frame ("stack frame size (N) exceeds limit (0) in function 'f'")
 * to the context's diagnostic handler, which records it here instead of
 * printing it.  The calls come from the module after code generation: a
 * function that names another (a call, or a task function handed to
 * dm_exec.parallel or to the GEMM's task loop) may run it on top of its own
 * frame.  An entry's stack is then its frame plus the deepest chain below it
 * (the call graph of generated code has no cycles).
 *
 * What it cannot count: the variable-length arrays of the kernels' prebuilt
 * helpers (the matrix product's packed blocks, sized by the product at run
 * time, at most 640 KB: docs/targets.md), which the back end leaves out of
 * the frame; --stats names the function that has them, and --max-stack
 * checks the rest.  Nor memcpy and memset (the C library's, a few words),
 * the runtime's parallel() (its frame; tasks on other threads run on their
 * own stacks, each within this bound), and, for an entry called through the
 * runtime (dm_train_step), the runtime's own frames above it (tens of bytes
 * in libdmrt_core.a).
 *
 * Measuring needs the whole module in one context, so it takes
 * cg_compile_whole's path (cg_split.c compiles the helpers elsewhere). */
#include "cg/cg_internal.h"

#include <llvm-c/Object.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Frame {
    LLVMValueRef fn;
    uint64_t bytes;      /* its own frame, from the back end */
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
};

CgStack *cg_stack_new(Arena *a) {
    CgStack *s = arena_alloc(a, sizeof *s);
    s->a = a;
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

void cg_stack_listen(CgStack *s, LLVMModuleRef mod) {
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
        if (!LLVMIsDeclaration(f)) LLVMAddTargetDependentFunctionAttr(f, "warn-stack-size", "0");
    LLVMContextSetDiagnosticHandler(LLVMGetModuleContext(mod), on_diagnostic, s);
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

static void walk(Frame *frames, int n, int i) {
    Frame *f = &frames[i];
    if (f->state) return; /* done, or a cycle (none in generated code): counted once */
    f->state = 1;
    f->deepest = f->bytes;
    f->worst = -1;
    f->dynamic = -1;
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f->fn); b; b = LLVMGetNextBasicBlock(b))
        for (LLVMValueRef in = LLVMGetFirstInstruction(b); in; in = LLVMGetNextInstruction(in)) {
            if (LLVMIsAAllocaInst(in) && !LLVMIsConstant(LLVMGetOperand(in, 0)))
                f->dynamic = i; /* a variable-length array: not in the frame the back end reports */
            for (int k = 0; k < LLVMGetNumOperands(in); k++) {
                LLVMValueRef op = LLVMGetOperand(in, (unsigned)k);
                int j = op && LLVMIsAFunction(op) ? index_of(frames, n, op) : -1;
                if (j < 0 || j == i) continue;
                walk(frames, n, j);
                if (frames[j].state == 2 && f->bytes + frames[j].deepest > f->deepest)
                    f->deepest = f->bytes + frames[j].deepest, f->worst = j;
                if (frames[j].state == 2 && f->dynamic < 0)
                    f->dynamic = frames[j].dynamic;
            }
        }
    f->state = 2;
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
        if (!LLVMIsDeclaration(f)) frames[n++] = (Frame){.fn = f, .bytes = reported(s, f)};
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
            if (frames[i].dynamic >= 0)
                e->dynamic = arena_strdup(s->a, LLVMGetValueName2(frames[frames[i].dynamic].fn, &len));
            if (s->ncode) {
                bool *seen = arena_alloc(s->a, sizeof *seen * (size_t)(n + 1));
                e->code = reach_code(s, frames, n, i, seen, &e->functions);
            }
            for (int j = i; j >= 0; j = frames[j].worst) /* the largest frame on the deepest chain */
                if (frames[j].bytes > e->largest_bytes) {
                    e->largest_bytes = frames[j].bytes;
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
            fprintf(stderr, "model %s: entry %s: stack %llu bytes (largest frame: %s, %llu bytes)%s%s%s\n",
                    e->model->name, e->entry, (unsigned long long)e->bytes, e->largest ? e->largest : "none",
                    (unsigned long long)e->largest_bytes, e->dynamic ? ", plus buffers sized at run time in '" : "",
                    e->dynamic ? e->dynamic : "", e->dynamic ? "'" : "");
        if (opt->stats && e->code)
            fprintf(stderr, "model %s: entry %s: code %llu bytes in %d functions (a function shared by entries "
                    "counts in each)\n", e->model->name, e->entry, (unsigned long long)e->code, e->functions);
        if (opt->max_stack && e->bytes > opt->max_stack) {
            diag_error(&d, e->model->loc,
                       "entry '%s' of model '%s' needs %llu bytes of stack, more than the limit of %llu (--max-stack)",
                       e->entry, e->model->name, (unsigned long long)e->bytes, (unsigned long long)opt->max_stack);
            diag_note(&d, e->model->loc, "its largest frame is the kernel code '%s', %llu bytes", e->largest ? e->largest : "?",
                      (unsigned long long)e->largest_bytes);
            ok = false;
        }
    }
    if (!ok) diag_finish(&d);
    return ok;
}
