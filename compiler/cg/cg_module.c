/* cg_module.c: cg_emit, the back end's driver.  Sets up the LLVM target
 * machine (the host by default, or --target/--cpu/--features), creates one
 * module for all the models of the file, links the kernels (C compiled to
 * bitcode at build time and embedded in dmc), generates every model's entries
 * and descriptor, verifies, optimises with the -O pipeline (all but the
 * kernels' prebuilt helpers) and writes an object, assembly or textual IR.
 *
 * Needs: models after simplify.  Guarantees: returns false with the reason on
 * stderr on any failure, leaving no partial output file (a regular file is
 * written beside its final name and renamed).  The code never calls malloc:
 * only memcpy/memset from libc; the kernels' buffers are on the stack (a few
 * hundred KiB at most). */
#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Core.h>
#include <llvm-c/Linker.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "cg/cg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernels' bitcode, one embedded file per name of the Makefile's
 * KERNELS (kernel_files.h, generated from that list; scripts/embed.sh), in
 * two sets: optimised by clang for 64-bit targets, unoptimised for 32-bit
 * ones (kernel32_*: the Makefile's KERNEL32_CFLAGS).  linalg is there once
 * per register tile (LINALG_TILES), of which a module links one (cg_tile.c). */
#define KERNEL_FILE(NAME)                                                                  \
    extern const unsigned char kernel_##NAME##_bc[], kernel32_##NAME##_bc[];               \
    extern const unsigned long kernel_##NAME##_bc_size, kernel32_##NAME##_bc_size;
#define LINALG_TILE(TILE) KERNEL_FILE(linalg_##TILE)
#include "kernel_files.h"
#undef KERNEL_FILE
#undef LINALG_TILE
typedef struct KernelFile {
    const char *name;
    const unsigned char *bytes;
    const unsigned long *size;
} KernelFile;
#define LINALG_TILE(TILE)
static const KernelFile kernels64[] = {
#define KERNEL_FILE(NAME) {#NAME, kernel_##NAME##_bc, &kernel_##NAME##_bc_size},
#include "kernel_files.h"
#undef KERNEL_FILE
};
static const KernelFile kernels32[] = {
#define KERNEL_FILE(NAME) {#NAME, kernel32_##NAME##_bc, &kernel32_##NAME##_bc_size},
#include "kernel_files.h"
#undef KERNEL_FILE
};
#undef LINALG_TILE
enum { NKERNEL_FILES = sizeof kernels64 / sizeof kernels64[0] };
/* linalg.c, one file per tile: named by the tile ("6x16"). */
#define KERNEL_FILE(NAME)
static const KernelFile linalg64[] = {
#define LINALG_TILE(TILE) {#TILE, kernel_linalg_##TILE##_bc, &kernel_linalg_##TILE##_bc_size},
#include "kernel_files.h"
#undef LINALG_TILE
};
static const KernelFile linalg32[] = {
#define LINALG_TILE(TILE) {#TILE, kernel32_linalg_##TILE##_bc, &kernel32_linalg_##TILE##_bc_size},
#include "kernel_files.h"
#undef LINALG_TILE
};
#undef KERNEL_FILE
enum { NLINALG_TILES = sizeof linalg64 / sizeof linalg64[0] };

/* The linalg.c of the tile (a name cg_tile.c returns). */
static const KernelFile *linalg_file(const char *tile, bool wide) {
    for (int i = 0; i < NLINALG_TILES; i++)
        if (strcmp(linalg64[i].name, tile) == 0) return wide ? &linalg64[i] : &linalg32[i];
    die("no linalg kernels for the tile %s (the Makefile's LINALG_TILES)", tile);
}

/* The entry points generated code may call (cg/kernels/kernels.def). */
static const char *const kernel_names[] = {
#define KERNEL(RESULT, NAME, PARAMETERS) #NAME,
#include "cg/kernels/kernels.def"
};
enum { NKERNELS = sizeof kernel_names / sizeof kernel_names[0] };

static bool is_kernel_name(const char *name) {
    for (int k = 0; k < NKERNELS; k++)
        if (strcmp(kernel_names[k], name) == 0) return true;
    return false;
}

LLVMValueRef cg_constant(Cg *cg, LLVMValueRef init, const char *name) {
    LLVMValueRef gv = LLVMAddGlobal(cg->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, 1);
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
    return gv;
}

LLVMValueRef cg_kernel(Cg *cg, const char *name) {
    if (!is_kernel_name(name)) die("%s is not a kernel of cg/kernels/kernels.def", name);
    LLVMValueRef fn = LLVMGetNamedFunction(cg->mod, name);
    if (!fn) die("kernel %s is not in the linked bitcode", name);
    return fn;
}

/* A call of fn (a kernel, an entry): its arguments' count and types must be
 * the function's, or the call would be undefined behaviour at run time. */
LLVMValueRef cg_call(Cg *cg, LLVMValueRef fn, LLVMValueRef *args, int nargs, const char *name) {
    LLVMTypeRef ty = LLVMGlobalGetValueType(fn);
    const char *fname = LLVMGetValueName(fn);
    unsigned want = LLVMCountParamTypes(ty);
    if (want != (unsigned)nargs) die("call of %s with %d arguments; it takes %u", fname, nargs, want);
    LLVMTypeRef params[32];
    if (want > sizeof params / sizeof params[0]) die("%s takes %u parameters", fname, want);
    LLVMGetParamTypes(ty, params);
    for (unsigned i = 0; i < want; i++)
        if (LLVMTypeOf(args[i]) != params[i]) {
            char *got = LLVMPrintTypeToString(LLVMTypeOf(args[i])), *wanted = LLVMPrintTypeToString(params[i]);
            die("call of %s: argument %u is %s; the parameter is %s", fname, i + 1, got, wanted);
        }
    if (LLVMGetReturnType(ty) == cg->void_t) name = "";
    return LLVMBuildCall2(cg->b, ty, fn, args, (unsigned)nargs, name);
}

/* Parse one embedded bitcode file and link it into the module; every
 * function it defines becomes internal and always-inline, so that the
 * constant shapes of each call site specialise it and unused ones vanish.
 * The kernels were compiled for the build machine's generic CPU: their
 * target attributes are dropped so they take the target machine's. */
static bool link_kernels(Cg *cg, const char *name, const unsigned char *bytes, unsigned long size) {
    LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRange((const char *)bytes, size, name, 0);
    LLVMModuleRef km;
    if (LLVMParseBitcodeInContext2(cg->ctx, buf, &km)) {
        LLVMDisposeMemoryBuffer(buf);
        fprintf(stderr, "dmc: cannot read the embedded kernels %s\n", name);
        return false;
    }
    LLVMDisposeMemoryBuffer(buf);
    LLVMSetTarget(km, LLVMGetTarget(cg->mod));
    LLVMSetDataLayout(km, LLVMGetDataLayoutStr(cg->mod));
    for (LLVMValueRef f = LLVMGetFirstFunction(km); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f)) continue;
        static const char *drop[] = {"target-cpu", "target-features", "tune-cpu"};
        for (int i = 0; i < 3; i++)
            LLVMRemoveStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, drop[i], (unsigned)strlen(drop[i]));
    }
    if (LLVMLinkModules2(cg->mod, km)) {
        fprintf(stderr, "dmc: cannot link the embedded kernels %s\n", name);
        return false;
    }
    return true;
}

/* The attribute that marks the kernels' out-of-line helpers (see below). */
#define PREBUILT "dmc-prebuilt"

/* The dmk_ entry points become internal and always-inline.  The other
 * functions of the bitcode, the out-of-line helpers that the entry points
 * call (the blocked GEMM, im2col, the convolution tasks), take no constants
 * from a call site: clang already optimised them at -O2 when dmc was built,
 * and a second run of the pipeline gains nothing at run time but costs a
 * third of the compile time of a convolutional model (and grows them by a
 * half, which the back end pays for again).  They are marked, and
 * cg_emit keeps the pipeline off them (cg_hold_prebuilt). */
/* Every entry point of kernels.def is defined by the bitcode, and every dmk_
 * function the bitcode defines is one of them. */
static void check_kernels(Cg *cg) {
    for (int k = 0; k < NKERNELS; k++) {
        LLVMValueRef f = LLVMGetNamedFunction(cg->mod, kernel_names[k]);
        if (!f || LLVMIsDeclaration(f)) die("kernel %s of kernels.def is not in the bitcode", kernel_names[k]);
    }
    for (LLVMValueRef f = LLVMGetFirstFunction(cg->mod); f; f = LLVMGetNextFunction(f)) {
        const char *name = LLVMGetValueName(f);
        if (!LLVMIsDeclaration(f) && strncmp(name, "dmk_", 4) == 0 && !is_kernel_name(name))
            die("the bitcode defines %s, which kernels.def does not declare", name);
    }
}

static void internalise_kernels(Cg *cg, bool prebuilt) {
    unsigned kind = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
    unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
    for (LLVMValueRef f = LLVMGetFirstFunction(cg->mod); f; f = LLVMGetNextFunction(f)) {
        size_t len;
        const char *name = LLVMGetValueName2(f, &len);
        if (LLVMIsDeclaration(f)) continue;
        LLVMSetLinkage(f, LLVMInternalLinkage);   /* helpers shared by kernel files too: never exported */
        if (strncmp(name, "dmk_", 4) != 0) {   /* the module holds only the kernels yet */
            if (prebuilt)
                LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                                        LLVMCreateStringAttribute(cg->ctx, PREBUILT, sizeof PREBUILT - 1, "", 0));
            continue;
        }
        LLVMRemoveEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, noinline);
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(cg->ctx, kind, 0));
    }
}

/* While the -O pipeline runs, the prebuilt helpers are optnone (which the
 * pass manager honours by skipping every function pass on them) and
 * noinline (which optnone requires; they are out of line anyway); after it,
 * optnone goes again, so that the back end still compiles them at the full
 * level for the target machine. */
bool cg_is_prebuilt(LLVMValueRef fn) {
    return LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, PREBUILT, sizeof PREBUILT - 1) != NULL;
}

void cg_hold_prebuilt(LLVMContextRef ctx, LLVMModuleRef mod, bool hold) {
    unsigned optnone = LLVMGetEnumAttributeKindForName("optnone", 7);
    unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        if (!cg_is_prebuilt(f)) continue;
        if (!hold) {
            LLVMRemoveEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, optnone);
            continue;
        }
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, optnone, 0));
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, noinline, 0));
    }
}

/* LLVM only warns (on its error stream) about a CPU or feature name it does
 * not know, and may then abort in code generation ("64-bit code requested on
 * a subtarget that doesn't support it").  The C API cannot list the valid
 * names, so the warning is caught -- standard error goes to a temporary file
 * while the target machine is created -- and made a usage error.  A target
 * whose pointers are neither 64 nor 32 bits is refused: the embedded
 * kernels' bitcode exists for those two widths (docs/decisions.md,
 * "Cross-compilation"). */
static LLVMTargetMachineRef create_checked(LLVMTargetRef target, const char *triple, const char *cpu,
                                           const char *features, LLVMCodeGenOptLevel level) {
    fflush(stderr);
    FILE *caught = tmpfile();
    int saved = caught ? dup(2) : -1;
    if (saved >= 0) dup2(fileno(caught), 2);
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, level, LLVMRelocPIC,
                                                      LLVMCodeModelDefault);
    if (saved >= 0) {
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
    }
    char text[4096] = "";
    if (caught) {
        rewind(caught);
        size_t n = fread(text, 1, sizeof text - 1, caught);
        text[n] = 0;
        fclose(caught);
    }
    const char *bad = NULL;
    if (strstr(text, "is not a recognized processor")) bad = "CPU";
    else if (strstr(text, "is not a recognized feature")) bad = "feature";
    if (bad) {
        fprintf(stderr, "dmc: error: %s=%s: unknown %s for target '%s' (LLVM: %.*s)\n",
                bad[0] == 'C' ? "--cpu" : "--features", bad[0] == 'C' ? cpu : features, bad, triple,
                (int)strcspn(text, "\n"), text);
    } else if (text[0]) {
        fputs(text, stderr);   /* some other message: pass it on */
    }
    if (tm && !bad) {
        LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
        unsigned pointer = LLVMPointerSize(td);
        LLVMDisposeTargetData(td);
        if (pointer == 8 || pointer == 4) return tm;
        fprintf(stderr, "dmc: error: target '%s' has %u-byte pointers; dmc supports 32- and 64-bit targets only "
                        "(its kernels are compiled for those)\n", triple, pointer);
    }
    if (!tm && !bad) fprintf(stderr, "dmc: error: cannot create a target machine for '%s'\n", triple);
    if (tm) LLVMDisposeTargetMachine(tm);
    return NULL;
}

/* The features a Linux distribution's C library and its compiler assume for
 * a cross target, where LLVM's generic CPU assumes less: Debian's riscv64
 * is rv64gc with the lp64d ABI (LLVM then picks lp64d from +d), its armhf
 * ARMv7 with VFPv3-D16 and Thumb-2.  An object without them does not link
 * with that C library (soft-float against double-float modules).  i686 gets
 * SSE2, so that float arithmetic rounds to float after every operation as
 * on every other target (the x87 unit keeps wider intermediates). */
static const char *linux_features(const char *triple) {
    if (!strstr(triple, "-linux")) return "";
    if (strncmp(triple, "riscv64", 7) == 0) return "+m,+a,+f,+d,+c";
    if (strncmp(triple, "armv7", 5) == 0 && strstr(triple, "gnueabihf")) return "+vfp3d16,+thumb2";
    if (strncmp(triple, "i686", 4) == 0) return "+sse2";
    return "";
}

static unsigned pointer_size(LLVMTargetMachineRef tm) {
    if (!tm) return 0;
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    unsigned pointer = LLVMPointerSize(td);
    LLVMDisposeTargetData(td);
    return pointer;
}

static LLVMTargetMachineRef make_target_machine(Arena *a, const Options *opt, CgTarget *t, bool *avx512) {
    LLVMInitializeAllTargetInfos();
    LLVMInitializeAllTargets();
    LLVMInitializeAllTargetMCs();
    LLVMInitializeAllAsmPrinters();
    LLVMInitializeAllAsmParsers();   /* cg_split.c assembles text */
    bool host = !opt->target;
    char *triple = host ? LLVMGetDefaultTargetTriple() : LLVMCreateMessage(opt->target);
    char *norm = LLVMNormalizeTargetTriple(triple);
    LLVMDisposeMessage(triple);
    LLVMTargetRef target;
    char *err = NULL;
    if (LLVMGetTargetFromTriple(norm, &target, &err)) {
        fprintf(stderr, "dmc: error: unknown target '%s': %s\n", norm, err);
        LLVMDisposeMessage(err);
        LLVMDisposeMessage(norm);
        return NULL;
    }
    char *cpu = opt->cpu ? LLVMCreateMessage(opt->cpu) : host ? LLVMGetHostCPUName() : LLVMCreateMessage("generic");
    char *features = opt->features ? LLVMCreateMessage(opt->features)
                     : host && !opt->cpu ? LLVMGetHostCPUFeatures() : LLVMCreateMessage(linux_features(norm));
    *avx512 = strstr(features, "+avx512f") != NULL;
    static const LLVMCodeGenOptLevel level[] = {LLVMCodeGenLevelNone, LLVMCodeGenLevelLess,
                                                LLVMCodeGenLevelDefault, LLVMCodeGenLevelAggressive};
    int ol = opt->opt_level < 0 ? 0 : opt->opt_level > 3 ? 3 : opt->opt_level;
    LLVMTargetMachineRef tm = create_checked(target, norm, cpu, features, level[ol]);
    *t = (CgTarget){.pointer = pointer_size(tm), .target = target, .triple = arena_strdup(a, norm), .cpu = arena_strdup(a, cpu),
                    .features = arena_strdup(a, features), .level = level[ol]};
    if (tm) t->tile = cg_linalg_tile(tm, t->triple, t->pointer);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    LLVMDisposeMessage(norm);
    return tm;
}

bool cg_run_passes(LLVMModuleRef mod, const char *pipeline, LLVMTargetMachineRef tm) {
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(mod, pipeline, tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (!e) return true;
    char *msg = LLVMGetErrorMessage(e);
    fprintf(stderr, "dmc: internal error: LLVM passes failed: %s\n", msg);
    LLVMDisposeErrorMessage(msg);
    return false;
}

/* A function of generated code called from several places stays out of
 * line: it is one loop shared by sites that need the same one. */
static void keep_shared_out_of_line(LLVMModuleRef mod) {
    LLVMContextRef ctx = LLVMGetModuleContext(mod);
    unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
    unsigned always = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f) || cg_is_prebuilt(f) || LLVMGetEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, always))
            continue;
        int calls = 0;
        for (LLVMUseRef u = LLVMGetFirstUse(f); u && calls < 2; u = LLVMGetNextUse(u))
            calls++;
        if (calls >= 2)
            LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, noinline, 0));
    }
}

/* The -O pipeline of generated code.  First, functions of identical code
 * become one (mergefunc): the loops of layers of one shape (a bias and
 * relu, an Adam update) are generated once per site with their buffers as
 * parameters, so they are identical, and are then optimised and compiled
 * once instead of once per layer; a merged function is kept out of line. */
bool cg_optimise(LLVMTargetMachineRef tm, LLVMModuleRef mod, int opt_level) {
    if (!cg_run_passes(mod, "mergefunc", tm)) return false;
    keep_shared_out_of_line(mod);
    char pipeline[32];
    snprintf(pipeline, sizeof pipeline, "default<O%d>", opt_level < 0 ? 0 : opt_level > 3 ? 3 : opt_level);
    return cg_run_passes(mod, pipeline, tm);
}

/* The -O pipeline on everything but the prebuilt helpers. */
static bool optimise(LLVMTargetMachineRef tm, LLVMModuleRef mod, int opt_level) {
    cg_hold_prebuilt(LLVMGetModuleContext(mod), mod, true);
    bool ok = cg_optimise(tm, mod, opt_level);
    cg_hold_prebuilt(LLVMGetModuleContext(mod), mod, false);
    return ok;
}

bool cg_compile_whole(LLVMTargetMachineRef tm, LLVMModuleRef mod, int opt_level, bool assembly,
                      LLVMMemoryBufferRef *out) {
    if (!optimise(tm, mod, opt_level)) return false;
    char *err = NULL;
    if (!LLVMTargetMachineEmitToMemoryBuffer(tm, mod, assembly ? LLVMAssemblyFile : LLVMObjectFile, &err, out))
        return true;
    fprintf(stderr, "dmc: error: code generation failed: %s\n", err ? err : "unknown reason");
    LLVMDisposeMessage(err);
    return false;
}

/* A bare-metal target (an OS "none": thumbv7em-none-eabihf, riscv32-unknown-none-elf)
 * has no unwinder: the kernels' uwtable (clang's default for C on Linux)
 * would make the ARM back end emit EHABI tables naming the personality
 * routine __aeabi_unwind_cpp_pr0, which links libgcc's unwinder and newlib's
 * abort, raise and _kill into the program (docs/targets.md).  No generated
 * function throws: without uwtable they are marked .cantunwind. */
static void drop_unwind_tables(const CgTarget *t, LLVMModuleRef mod) {
    if (!strstr(t->triple, "-none")) return;
    unsigned uwtable = LLVMGetEnumAttributeKindForName("uwtable", 7);
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
        LLVMRemoveEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, uwtable);
}

/* The models' code in mod.  level: a faster level of --cpu=portable
 * (cg_levels.c), whose descriptors are named for it; variants: for the
 * baseline, the faster levels, best first. */
static bool generate(Arena *a, const Options *opt, const CgTarget *t, Models *models, LLVMContextRef ctx,
                     LLVMModuleRef mod, const char *level, const char *const *variants, int nvariants) {
    Cg cg = {.arena = a, .ctx = ctx, .mod = mod, .b = LLVMCreateBuilderInContext(ctx),
             .check_numerics = opt->check_numerics, .cpu = t->cpu, .features = t->features,
             .level = level, .variants = variants, .nvariants = nvariants};
    cg.i1 = LLVMInt1TypeInContext(ctx);
    cg.i8 = LLVMInt8TypeInContext(ctx);
    cg.i32 = LLVMInt32TypeInContext(ctx);
    cg.i64 = LLVMInt64TypeInContext(ctx);
    cg.f32 = LLVMFloatTypeInContext(ctx);
    cg.ptr = LLVMPointerTypeInContext(ctx, 0);
    cg.void_t = LLVMVoidTypeInContext(ctx);
    /* 64-bit targets take the kernels clang optimised (their helpers are
     * prebuilt); 32-bit ones the unoptimised set, which the -O pipeline
     * optimises whole for the target. */
    bool wide = LLVMPointerSize(LLVMGetModuleDataLayout(mod)) == 8;
    const KernelFile *files = wide ? kernels64 : kernels32;
    bool ok = true;
    for (int i = 0; ok && i < NKERNEL_FILES; i++) ok = link_kernels(&cg, files[i].name, files[i].bytes, *files[i].size);
    const KernelFile *linalg = linalg_file(t->tile, wide);
    if (ok) ok = link_kernels(&cg, "linalg", linalg->bytes, *linalg->size);
    if (ok) {
        check_kernels(&cg);
        internalise_kernels(&cg, wide);
        LLVMValueRef *descs = arena_alloc(a, sizeof *descs * (size_t)(models->n + 1));
        for (int i = 0; i < models->n; i++) {
            cg.model = models->items[i];
            cg.plan = plan_model(a, cg.model, opt->opt_level);
            LLVMValueRef fns[ENTRY_COUNT] = {0};
            cg_entries(&cg, fns);
            descs[i] = cg_descriptor(&cg, fns);
        }
        if (opt->emit == EMIT_SHARED && !level) cg_model_table(&cg, descs, models->n);
        drop_unwind_tables(t, mod);
    }
    LLVMDisposeBuilder(cg.b);
    return ok;
}

/* The object, assembly or IR that opt asks for, in memory: the long part
 * of the output (code generation) writes no file. */
static bool write_all(int fd, const char *bytes, size_t size) {
    while (size > 0) {
        ssize_t n = write(fd, bytes, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes += n;
        size -= (size_t)n;
    }
    return true;
}

/* Writes the bytes to path.  A regular file is written beside its final name
 * and renamed, so a failure leaves no partial output; a device such as
 * /dev/stdout is written directly.  An interrupt (SIGINT, SIGTERM, SIGHUP)
 * is held off while the temporary exists, so that it cannot be left behind:
 * the driver's handler removes only its own temporaries. */
static bool write_bytes(Arena *a, const char *path, const char *bytes, size_t size) {
    sigset_t hold, saved;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGHUP);
    sigprocmask(SIG_BLOCK, &hold, &saved);
    /* Standard output is written where it points (opening /dev/stdout anew
     * would lose an append); a symbolic link or device is written through,
     * not replaced (a rename over /dev/stdout would replace the link). */
    struct stat st;
    bool to_stdout = strcmp(path, "/dev/stdout") == 0;
    bool direct = to_stdout || (lstat(path, &st) == 0 && !S_ISREG(st.st_mode));
    char *tmp = direct ? NULL : arena_printf(a, "%s.cg-XXXXXX", path);
    int fd = to_stdout ? dup(1) : direct ? open(path, O_WRONLY | O_TRUNC) : mkstemp(tmp);
    bool ok = fd >= 0 && write_all(fd, bytes, size);
    int saved_errno = errno;
    if (fd >= 0 && close(fd) != 0 && ok) ok = false, saved_errno = errno;
    if (ok && tmp) {   /* mkstemp made it 0600: give it the usual mode of a new file */
        mode_t mask = umask(0);
        umask(mask);
        chmod(tmp, 0666 & ~mask);
        if (rename(tmp, path) != 0) ok = false, saved_errno = errno;
    }
    if (!ok) fprintf(stderr, "dmc: error: cannot write %s: %s\n", path, strerror(saved_errno));
    if (!ok && tmp && fd >= 0) unlink(tmp);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    return ok;
}

/* The object, assembly or IR that opt asks for, in a memory buffer: the long
 * part of the output (code generation) writes no file.  Object and assembly
 * are compiled on two threads where cg_split.c applies. */
static bool render_output(const Options *opt, const CgTarget *t, LLVMTargetMachineRef tm, LLVMModuleRef mod,
                          LLVMMemoryBufferRef *out) {
    if (opt->emit == EMIT_LLVM) {
        if (!optimise(tm, mod, opt->opt_level)) return false;
        char *text = LLVMPrintModuleToString(mod);
        *out = LLVMCreateMemoryBufferWithMemoryRangeCopy(text, strlen(text), "ir");
        LLVMDisposeMessage(text);
        return true;
    }
    bool assembly = opt->emit == EMIT_ASM;
    bool measure = opt->stats || opt->max_stack; /* cg_stack.c needs the one-module path */
    if (!measure && cg_split_applies(t->triple) && t->pointer == 8)
        return cg_split_compile(t, tm, mod, opt->opt_level, assembly, out);
    return cg_compile_whole(tm, mod, opt->opt_level, assembly, out);
}

/* -Os, -Oz: every function of the module favours size, as clang marks a
 * function compiled at those levels; the -O2 pipeline and the back end read
 * the attributes (smaller inlining threshold, no unrolling, for minsize no
 * vectorising for speed). */
static void favour_size(LLVMContextRef ctx, LLVMModuleRef mod, int size_level) {
    if (!size_level) return;
    unsigned optsize = LLVMGetEnumAttributeKindForName("optsize", 7);
    unsigned minsize = LLVMGetEnumAttributeKindForName("minsize", 7);
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f)) continue;
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, optsize, 0));
        if (size_level > 1)
            LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, minsize, 0));
    }
}

static LLVMModuleRef new_module(const Options *opt, const CgTarget *t, LLVMTargetMachineRef tm, LLVMContextRef ctx) {
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext(opt->input ? opt->input : "dm", ctx);
    LLVMSetTarget(mod, t->triple);
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    char *layout = LLVMCopyStringRepOfTargetData(td);
    LLVMSetDataLayout(mod, layout);
    LLVMDisposeMessage(layout);
    LLVMDisposeTargetData(td);
    return mod;
}

/* --cpu=portable (cg_levels.c): the baseline levels[0] in mod, whose
 * descriptors list the faster levels best first; each faster level
 * generated in its own module, by its own target machine's settings, and
 * linked into mod. */
static bool generate_levels(Arena *a, const Options *opt, const CgTarget *base, Models *models, LLVMContextRef ctx,
                            LLVMModuleRef mod, const char *const *levels, int nlevels, const char **tiles) {
    const char *best_first[CG_MAX_LEVELS];
    for (int i = 1; i < nlevels; i++) best_first[nlevels - 1 - i] = levels[i];
    if (!generate(a, opt, base, models, ctx, mod, NULL, best_first, nlevels - 1)) return false;
    cg_mark_level(ctx, mod, levels[0]);
    for (int i = 1; i < nlevels; i++) {
        Options lopt = *opt;
        lopt.cpu = levels[i];
        CgTarget t;
        bool avx512;
        LLVMTargetMachineRef tm = make_target_machine(a, &lopt, &t, &avx512);
        if (!tm) return false;
        LLVMModuleRef lmod = new_module(opt, &t, tm, ctx);
        LLVMDisposeTargetMachine(tm);
        tiles[i] = t.tile;
        if (!generate(a, &lopt, &t, models, ctx, lmod, levels[i], NULL, 0)) return false;
        cg_mark_level(ctx, lmod, levels[i]);
        if (!cg_link_level(mod, lmod, models, levels[i])) return false;
    }
    return true;
}

bool cg_emit(Arena *a, const Options *opt, Models *models, const char *path) {
    const char *levels[CG_MAX_LEVELS];
    int nlevels = cg_cpu_levels(opt->cpu, opt->features, opt->target, levels);
    if (nlevels < 0) return false;
    Options base = *opt;
    if (nlevels) base.cpu = levels[0];
    opt = &base;
    CgTarget target;
    bool avx512 = false;
    LLVMTargetMachineRef tm = make_target_machine(a, opt, &target, &avx512);
    if (!tm) return false;
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = new_module(opt, &target, tm, ctx);

    const char *tiles[CG_MAX_LEVELS] = {target.tile};   /* each level's matrix product tile (cg_stack.c) */
    bool ok = nlevels ? generate_levels(a, opt, &target, models, ctx, mod, levels, nlevels, tiles)
                      : generate(a, opt, &target, models, ctx, mod, NULL, NULL, 0);
    /* LLVM's x86 tuning often prefers 256-bit vectors; dmc's loops are long
     * and regular, so let the vectoriser use the full AVX-512 width. */
    if (avx512)
        for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
            if (!LLVMIsDeclaration(f))
                LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                                        LLVMCreateStringAttribute(ctx, "prefer-vector-width", 19, "512", 3));
    char *err = NULL;
    if (ok && LLVMVerifyModule(mod, LLVMReturnStatusAction, &err)) {
        fprintf(stderr, "dmc: internal error: the generated LLVM module is invalid:\n%s\n", err);
        ok = false;
    }
    LLVMDisposeMessage(err);
    if (ok) cg_fp_contract(ctx, mod, opt->fp_contract);
    if (ok) favour_size(ctx, mod, opt->size_level);
    bool measure = ok && (opt->stats || opt->max_stack) && (opt->emit == EMIT_OBJ || opt->emit == EMIT_SHARED ||
                                                            opt->emit == EMIT_ASM);
    CgStack *stack = measure ? cg_stack_new(a, tiles, nlevels ? nlevels : 1) : NULL;
    if (stack) cg_stack_listen(stack, mod);
    LLVMMemoryBufferRef out = NULL;
    if (ok) ok = render_output(opt, &target, tm, mod, &out);
    if (ok && stack) { /* over --max-stack: an error in the input, as over --max-memory (status 1) */
        CgEntryStack *entries = NULL;
        if (opt->emit == EMIT_OBJ) cg_stack_code(stack, out);
        int n = cg_stack_entries(stack, mod, models, &entries);
        if (!cg_stack_report(opt, entries, n)) {
            if (out) LLVMDisposeMemoryBuffer(out);
            exit(1);
        }
    }
    if (ok) ok = write_bytes(a, path, LLVMGetBufferStart(out), LLVMGetBufferSize(out));
    if (out) LLVMDisposeMemoryBuffer(out);
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    LLVMDisposeTargetMachine(tm);
    return ok;
}
