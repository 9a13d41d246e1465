/* cg_split.c: code generation on two threads.
 *
 * The kernels' prebuilt helpers (the blocked GEMM, the convolution tasks and
 * their register tiles) are the same machine code for every model compiled
 * for a target, and they are most of what the back end compiles.  So the
 * module is split in two after a cheap first pass (inlining the kernels'
 * entry points, folding their constant shapes, dropping the helpers no call
 * site needs): module A holds the helpers that are left, module B the rest.
 * A thread compiles A to assembly while this one runs the -O pipeline on B
 * and compiles it to assembly; the two texts then become one object (the
 * second as module-level assembly of an empty module, which LLVM's
 * assembler reads back).  The helpers stay local symbols of the object, as
 * in a single-module build, and B calls them by name.
 *
 * Assembly text joins only where local labels have one spelling (".L", as
 * in ELF): A's are renamed ".Ldmka_..." so they cannot meet B's; A's
 * private data is renamed likewise, and its ".file" line dropped.  Other
 * object formats, or a machine with one processor, take the one-module path
 * (cg_module.c).  Why texts and not two objects: LLVM's C API has no object
 * linker, and a relocatable link (ld -r) would need an external tool; the
 * assembler LLVM already runs for the one-module path joins the texts, and
 * the helpers stay local symbols of the one object.
 *
 * Needs: a verified module whose helpers carry the prebuilt attribute.
 * Guarantees: the same code as the one-module path (the helpers never took
 * part in the pipeline), or false with the reason on stderr. */
#include <llvm-c/BitReader.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "cg/cg_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An allocation's result, which is never NULL: running out of memory here
 * is fatal, as it is for the arena. */
static void *must(void *p) {
    if (!p) die("cg_split: out of memory");
    return p;
}

bool cg_split_applies(const char *triple) {
    static const char *other_formats[] = {"apple", "darwin", "macos", "ios", "windows", "win32", "cygwin",
                                          "mingw", "wasm", "aix", "xcoff"};
    for (size_t i = 0; i < sizeof other_formats / sizeof *other_formats; i++)
        if (strstr(triple, other_formats[i])) return false;
    return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/* fn's body replaced by a declaration of the same name (its uses kept). */
static void make_declaration(LLVMModuleRef mod, LLVMValueRef fn) {
    size_t len;
    char *name = must(strdup(LLVMGetValueName2(fn, &len)));
    LLVMValueRef decl = LLVMAddFunction(mod, "dmc.split.decl", LLVMGlobalGetValueType(fn));
    LLVMReplaceAllUsesWith(fn, decl);
    LLVMDeleteFunction(fn);
    LLVMSetValueName2(decl, name, len);
    LLVMSetVisibility(decl, LLVMHiddenVisibility);   /* defined in this object: a direct call */
    free(name);
}

/* Module A: the prebuilt helpers only, their data renamed so that nothing
 * of A can be confused with anything of B in one assembly text. */
static void keep_helpers(LLVMModuleRef a) {
    int n = 0, cap = 16;
    LLVMValueRef *kept = must(malloc(sizeof *kept * (size_t)cap));
    for (LLVMValueRef f = LLVMGetFirstFunction(a), next; f; f = next) {
        next = LLVMGetNextFunction(f);
        if (LLVMIsDeclaration(f)) continue;
        if (!cg_is_prebuilt(f)) {
            make_declaration(a, f);
            continue;
        }
        if (n == cap) kept = must(realloc(kept, sizeof *kept * (size_t)(cap *= 2)));
        kept[n++] = f;
    }
    /* Nothing in A calls them (B does): llvm.used keeps them through globaldce. */
    LLVMTypeRef ptr = LLVMPointerTypeInContext(LLVMGetModuleContext(a), 0);
    LLVMValueRef used = LLVMAddGlobal(a, LLVMArrayType2(ptr, (uint64_t)n), "llvm.used");
    LLVMSetInitializer(used, LLVMConstArray2(ptr, kept, (uint64_t)n));
    LLVMSetLinkage(used, LLVMAppendingLinkage);
    LLVMSetSection(used, "llvm.metadata");
    free(kept);
    for (LLVMValueRef g = LLVMGetFirstGlobal(a); g; g = LLVMGetNextGlobal(g)) {
        if (g == used) continue;
        size_t len;
        char *name = must(strdup(LLVMGetValueName2(g, &len)));
        char *renamed = must(malloc(len + 8));
        snprintf(renamed, len + 8, "dmka.%s", name);
        LLVMSetValueName2(g, renamed, strlen(renamed));
        LLVMLinkage l = LLVMGetLinkage(g);
        if (l != LLVMPrivateLinkage && l != LLVMInternalLinkage) LLVMSetLinkage(g, LLVMInternalLinkage);   /* B's: dropped below */
        free(name), free(renamed);
    }
}

/* Do the helpers call only helpers (and declarations, such as memcpy)?  A
 * call from a helper into B's code could meet a function B's pipeline
 * inlines away; such a module takes the one-module path. */
static bool helpers_self_contained(LLVMModuleRef mod) {
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f) || !cg_is_prebuilt(f)) continue;
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
            for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
                if (!LLVMIsACallInst(i)) continue;
                LLVMValueRef callee = LLVMGetCalledValue(i);
                if (LLVMIsAFunction(callee) && !LLVMIsDeclaration(callee) && !cg_is_prebuilt(callee)) return false;
            }
    }
    return true;
}

/* Module B: everything but the helpers, which become declarations. */
static void drop_helpers(LLVMModuleRef b) {
    for (LLVMValueRef f = LLVMGetFirstFunction(b), next; f; f = next) {
        next = LLVMGetNextFunction(f);
        if (!LLVMIsDeclaration(f) && cg_is_prebuilt(f)) make_declaration(b, f);
    }
}

/* The text of an assembly buffer, as a NUL-terminated copy. */
static char *buffer_text(LLVMMemoryBufferRef buf) {
    size_t n = LLVMGetBufferSize(buf);
    char *s = must(malloc(n + 1));
    memcpy(s, LLVMGetBufferStart(buf), n);
    s[n] = 0;
    return s;
}

/* A's assembly with every local label ".L..." spelled ".Ldmka_..." and its
 * ".file" directive dropped. */
static char *rename_labels(const char *s) {
    size_t n = strlen(s), count = 0;
    for (const char *p = strstr(s, ".L"); p; p = strstr(p + 2, ".L")) count++;
    char *out = must(malloc(n + count * 5 + 1)), *o = out;
    for (const char *p = s; *p;) {
        const char *line_end = strchr(p, '\n');
        size_t line = line_end ? (size_t)(line_end - p) + 1 : strlen(p);
        const char *t = p;
        while (*t == ' ' || *t == '\t') t++;
        if (strncmp(t, ".file", 5) == 0 && (t[5] == ' ' || t[5] == '\t')) {
            p += line;
            continue;
        }
        for (const char *q = p; q < p + line; q++) {
            bool starts = q == p || !(q[-1] == '_' || q[-1] == '.' || q[-1] == '$' || (q[-1] >= '0' && q[-1] <= '9') ||
                                      ((q[-1] | 32) >= 'a' && (q[-1] | 32) <= 'z'));
            *o++ = *q;
            if (starts && q[0] == '.' && q[1] == 'L') {
                *o++ = 'L';
                memcpy(o, "dmka_", 5);
                o += 5;
                q++;
            }
        }
        p += line;
    }
    *o = 0;
    return out;
}

typedef struct HelperJob {
    const CgTarget *target;
    LLVMMemoryBufferRef bitcode;   /* module A, written in the main context */
    char *text;                    /* its assembly, or NULL */
    char *error;
} HelperJob;

/* The thread's side: module A in a context of its own, compiled to text. */
static void *compile_helpers(void *arg) {
    HelperJob *job = arg;
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = NULL;
    if (LLVMParseBitcodeInContext2(ctx, job->bitcode, &mod)) {
        job->error = must(strdup("cannot read the helpers' bitcode back"));
        LLVMContextDispose(ctx);
        return NULL;
    }
    cg_hold_prebuilt(ctx, mod, false);   /* the back end compiles them fully */
    const CgTarget *t = job->target;
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(t->target, t->triple, t->cpu, t->features, t->level,
                                                      LLVMRelocPIC, LLVMCodeModelDefault);
    LLVMMemoryBufferRef buf = NULL;
    char *err = NULL;
    if (!tm) job->error = must(strdup("cannot create a second target machine"));
    else if (LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMAssemblyFile, &err, &buf)) {
        job->error = must(strdup(err ? err : "unknown reason"));
        LLVMDisposeMessage(err);
    } else {
        char *text = buffer_text(buf);
        job->text = rename_labels(text);
        free(text);
        LLVMDisposeMemoryBuffer(buf);
    }
    if (tm) LLVMDisposeTargetMachine(tm);
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    return NULL;
}

bool cg_split_compile(const CgTarget *t, LLVMTargetMachineRef tm, LLVMModuleRef mod, int opt_level, bool assembly,
                      LLVMMemoryBufferRef *out) {
    /* The first pass: the kernels' entry points inlined at their constant
     * shapes, which decides which helpers are called at all. */
    LLVMContextRef ctx = LLVMGetModuleContext(mod);
    cg_hold_prebuilt(ctx, mod, true);
    if (!cg_run_passes(mod, "always-inline,function(sccp,simplifycfg),globaldce", tm)) return false;
    if (!helpers_self_contained(mod)) return cg_compile_whole(tm, mod, opt_level, assembly, out);
    LLVMModuleRef a = LLVMCloneModule(mod);
    keep_helpers(a);
    if (!cg_run_passes(a, "globaldce", tm)) {
        LLVMDisposeModule(a);
        return false;
    }
    HelperJob job = {.target = t, .bitcode = LLVMWriteBitcodeToMemoryBuffer(a)};
    LLVMDisposeModule(a);
    pthread_t thread;
    bool threaded = pthread_create(&thread, NULL, compile_helpers, &job) == 0;
    if (!threaded) compile_helpers(&job);

    drop_helpers(mod);
    bool ok = cg_optimise(tm, mod, opt_level);
    LLVMMemoryBufferRef mine = NULL;
    char *err = NULL;
    if (ok && LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMAssemblyFile, &err, &mine)) {
        fprintf(stderr, "dmc: error: code generation failed: %s\n", err ? err : "unknown reason");
        LLVMDisposeMessage(err);
        ok = false;
    }
    if (threaded) pthread_join(thread, NULL);
    LLVMDisposeMemoryBuffer(job.bitcode);
    if (ok && job.error) {
        fprintf(stderr, "dmc: error: code generation of the kernels failed: %s\n", job.error);
        ok = false;
    }
    if (ok) {
        char *text = buffer_text(mine);
        size_t n = strlen(text), m = strlen(job.text);
        char *all = must(malloc(n + m + 2));
        memcpy(all, text, n);
        all[n] = '\n';
        memcpy(all + n + 1, job.text, m + 1);
        free(text);
        if (assembly) {
            *out = LLVMCreateMemoryBufferWithMemoryRangeCopy(all, n + m + 1, "asm");
        } else {   /* the two texts assembled: an empty module whose module-level assembly they are */
            LLVMModuleRef joined = LLVMModuleCreateWithNameInContext("dmc.joined", ctx);
            LLVMSetTarget(joined, LLVMGetTarget(mod));
            LLVMSetDataLayout(joined, LLVMGetDataLayoutStr(mod));
            LLVMSetModuleInlineAsm2(joined, all, n + m + 1);
            if (LLVMTargetMachineEmitToMemoryBuffer(tm, joined, LLVMObjectFile, &err, out)) {
                fprintf(stderr, "dmc: error: assembling the object failed: %s\n", err ? err : "unknown reason");
                LLVMDisposeMessage(err);
                ok = false;
            }
            LLVMDisposeModule(joined);
        }
        free(all);
    }
    if (mine) LLVMDisposeMemoryBuffer(mine);
    free(job.text);
    free(job.error);
    return ok;
}
