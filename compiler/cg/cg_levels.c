/* cg_levels.c: --cpu=portable, or a list of x86-64 levels
 * (--cpu=x86-64,x86-64-v3,x86-64-v4): one object holding each model's code
 * for every level, of which the runtime runs the best the processor has.
 *
 * cg_emit (cg_module.c) generates the models once per level, each level in
 * its own module (so that the kernels' bitcode, the entries and their
 * helpers keep their names there), and links the faster levels' modules
 * into the baseline's.  Every function of a level carries that level as its
 * "target-cpu" attribute: the -O pipeline (the vectoriser's costs come from
 * the function's subtarget) and the back end compile it for that level
 * although the module's target machine is the baseline's.  A faster level's
 * descriptor is NAME_model.LEVEL (internal in the object); the baseline's,
 * the public NAME_model, lists them best first as its variants (dm.h), and
 * dm_new runs the first whose cpu_features the processor has.  The plan is
 * the same for every level (it does not depend on the CPU), so the
 * descriptors' tensor tables, and the memory of an instance, are identical.
 *
 * Needs: x86-64 level names only, because only theirs does the descriptor
 * know the features of (cg_desc.c): a variant that recorded none would be
 * run on any processor. */
#include <llvm-c/Core.h>
#include <llvm-c/Linker.h>
#include <llvm-c/TargetMachine.h>

#include "cg/cg_internal.h"

#include <stdio.h>
#include <string.h>

/* The levels dmc can compile side by side, lowest first. */
static const char *const known_levels[] = {"x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4"};
enum { NKNOWN = sizeof known_levels / sizeof known_levels[0] };

int cg_cpu_levels(const char *cpu, const char *features, const char *target, const char *levels[CG_MAX_LEVELS]) {
    if (!cpu) return 0;
    const char *given = cpu;
    if (strcmp(cpu, "portable") == 0) cpu = "x86-64,x86-64-v3,x86-64-v4";
    if (!strchr(cpu, ',')) return 0;
    char *host = target ? NULL : LLVMGetDefaultTargetTriple();
    bool x86_64 = strncmp(target ? target : host, "x86_64", 6) == 0;
    LLVMDisposeMessage(host);
    if (!x86_64) {
        fprintf(stderr, "dmc: error: --cpu=%s: several levels are for x86-64 targets only\n", given);
        return -1;
    }
    bool chosen[NKNOWN] = {0};
    for (const char *p = cpu; *p;) {
        size_t len = strcspn(p, ",");
        int k = 0;
        while (k < NKNOWN && !(strlen(known_levels[k]) == len && strncmp(known_levels[k], p, len) == 0)) k++;
        if (k == NKNOWN) {
            fprintf(stderr, "dmc: error: --cpu=%s: '%.*s' is not one of the levels x86-64, x86-64-v2, x86-64-v3, "
                            "x86-64-v4 (a list, or portable, compiles several)\n", cpu, (int)len, p);
            return -1;
        }
        chosen[k] = true;
        p += len;
        if (*p == ',') p++;
    }
    if (features) {
        fprintf(stderr, "dmc: error: --features cannot be given with several --cpu levels (--cpu=%s)\n", cpu);
        return -1;
    }
    int n = 0;
    for (int k = 0; k < NKNOWN; k++)
        if (chosen[k]) levels[n++] = known_levels[k];
    if (n < 2) {
        fprintf(stderr, "dmc: error: --cpu=%s names one level: give it alone\n", cpu);
        return -1;
    }
    return n;
}

/* Every function of the level's module is compiled for it; the vectoriser
 * uses the whole AVX-512 width where the level has it (as cg_emit does for
 * a host with AVX-512). */
void cg_mark_level(LLVMContextRef ctx, LLVMModuleRef mod, const char *level) {
    bool avx512 = strcmp(level, "x86-64-v4") == 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f)) continue;
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                                LLVMCreateStringAttribute(ctx, "target-cpu", 10, level, (unsigned)strlen(level)));
        if (avx512)
            LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                                    LLVMCreateStringAttribute(ctx, "prefer-vector-width", 19, "512", 3));
    }
}

static bool is_descriptor_of(const char *name, const Models *models, const char *level) {
    for (int i = 0; i < models->n; i++) {
        size_t n = strlen(models->items[i]->name);
        if (strncmp(name, models->items[i]->name, n) == 0 && strncmp(name + n, "_model.", 7) == 0 &&
            strcmp(name + n + 7, level) == 0)
            return true;
    }
    return false;
}

/* Local symbols have default visibility (the entries were hidden). */
static void internalise(LLVMValueRef v) {
    if (LLVMGetLinkage(v) == LLVMPrivateLinkage) return;
    LLVMSetLinkage(v, LLVMInternalLinkage);
    LLVMSetVisibility(v, LLVMDefaultVisibility);
}

/* The level's module joins the baseline's (and is consumed).  Its entries
 * and other definitions become internal, so that they cannot clash with
 * the baseline's of the same names (the linker renames internal symbols);
 * its descriptors resolve the baseline's references and are then made
 * internal too: the object exports only NAME_model. */
bool cg_link_level(LLVMModuleRef base, LLVMModuleRef mod, const Models *models, const char *level) {
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
        if (!LLVMIsDeclaration(f)) internalise(f);
    for (LLVMValueRef g = LLVMGetFirstGlobal(mod); g; g = LLVMGetNextGlobal(g))
        if (!LLVMIsDeclaration(g) && !is_descriptor_of(LLVMGetValueName(g), models, level)) internalise(g);
    if (LLVMLinkModules2(base, mod)) {
        fprintf(stderr, "dmc: internal error: cannot link the %s code into the object\n", level);
        return false;
    }
    for (LLVMValueRef g = LLVMGetFirstGlobal(base); g; g = LLVMGetNextGlobal(g))
        if (is_descriptor_of(LLVMGetValueName(g), models, level)) internalise(g);
    return true;
}
