/* cg_tile.c: the register tile of the matrix product (kernels/linalg.c)
 * that fits the target machine's vector registers.
 *
 * linalg.c's micro-kernel keeps an MR x NR tile of C in registers; its
 * bitcode exists once per tile (the Makefile's LINALG_TILES) and cg_module
 * links the one this file names.  A tile too big for the registers spills
 * its accumulators to the stack in the innermost loop (8 x 32 floats, 16
 * AVX-512 registers, is 32 AVX2 ones where 16 exist), and the tile never
 * changes a result (linalg.c), so the choice is free to follow the machine.
 *
 * The target machine knows its registers, but the C API cannot ask it:
 * a --cpu (skylake-avx512, x86-64-v3, neoverse-n1) implies features that
 * the feature string does not list.  So the machine is shown a 16-float
 * addition and its assembly read: zmm registers for AVX-512, ymm for
 * AVX, NEON's ".4s" or "q" registers, RISC-V's vector instructions, or
 * none (scalar floating point). */
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "cg/cg_internal.h"

#include <stdlib.h>
#include <string.h>

/* The assembly of a[0:16] + b[0:16] for the machine, or NULL. */
static char *vector_probe(LLVMTargetMachineRef tm, const char *triple) {
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext("tile-probe", ctx);
    LLVMSetTarget(mod, triple);
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    char *layout = LLVMCopyStringRepOfTargetData(td);
    LLVMSetDataLayout(mod, layout);
    LLVMDisposeMessage(layout);
    LLVMDisposeTargetData(td);
    LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, 0), v16 = LLVMVectorType(LLVMFloatTypeInContext(ctx), 16);
    LLVMTypeRef params[] = {ptr, ptr};
    LLVMValueRef fn = LLVMAddFunction(mod, "probe", LLVMFunctionType(LLVMVoidTypeInContext(ctx), params, 2, 0));
    LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, fn, "entry"));
    LLVMValueRef x = LLVMBuildLoad2(b, v16, LLVMGetParam(fn, 0), "x");
    LLVMValueRef y = LLVMBuildLoad2(b, v16, LLVMGetParam(fn, 1), "y");
    LLVMBuildStore(b, LLVMBuildFAdd(b, x, y, "sum"), LLVMGetParam(fn, 0));
    LLVMBuildRetVoid(b);
    LLVMDisposeBuilder(b);
    LLVMMemoryBufferRef out = NULL;
    char *err = NULL, *text = NULL;
    if (!LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMAssemblyFile, &err, &out)) {
        size_t n = LLVMGetBufferSize(out);
        text = malloc(n + 1);
        if (text) memcpy(text, LLVMGetBufferStart(out), n), text[n] = 0;
        LLVMDisposeMemoryBuffer(out);
    }
    LLVMDisposeMessage(err);
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    return text;
}

const char *cg_linalg_tile(LLVMTargetMachineRef tm, const char *triple, unsigned pointer) {
    char *text = vector_probe(tm, triple);
    const char *tile = "4x4";   /* scalar registers, or a machine not known here */
    if (!text) return tile;
    if (strncmp(triple, "x86_64", 6) == 0 && pointer == 8) {
        /* 32 zmm: 8 x 32; 16 ymm: 6 x 16; 16 xmm (SSE2): 4 x 8 */
        tile = strstr(text, "zmm") ? "8x32" : strstr(text, "ymm") ? "6x16" : "4x8";
    } else if (strncmp(triple, "aarch64", 7) == 0 || strncmp(triple, "arm64", 5) == 0) {
        if (strstr(text, ".4s")) tile = "8x12";                    /* 32 NEON registers */
    } else if (strncmp(triple, "arm", 3) == 0 || strncmp(triple, "thumb", 5) == 0) {
        if (strstr(text, "vadd.f32\tq")) tile = "4x8";             /* 16 NEON q registers */
    } else if (strncmp(triple, "riscv", 5) == 0) {
        if (strstr(text, "vfadd")) tile = "8x12";                  /* 32 vector registers, at least 4 floats */
    }
    /* 32-bit x86 has 8 vector registers whatever their width: the 4 x 4 tile */
    free(text);
    return tile;
}
