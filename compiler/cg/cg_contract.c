/* cg_contract.c: --fp-contract, whether a multiply and an add may become one
 * fused multiply-add (one rounding instead of two), as clang's option means it.
 *
 * The kernels' bitcode is compiled with -ffp-contract=on: where their C source
 * writes a*b+c in one expression, the bitcode holds llvm.fmuladd, which the
 * back end fuses where the target has FMA.  Generated elementwise code builds
 * every IR node as its own instruction.  Over the finished module:
 *   on    nothing changes: products and sums in one kernel expression may fuse;
 *   fast  every fmul, fadd and fsub may fuse with its neighbours (the
 *         `contract` flag), in kernels and generated code alike (the default,
 *         the fastest);
 *   off   nothing fuses: fmuladd becomes fmul then fadd, and no instruction
 *         carries `contract`.  Every target then rounds every operation the
 *         same way, so x86-64, aarch64, riscv64 and the rest compute
 *         bit-identical results (dmc's kernels use no libm: cg/kernels/math.c).
 * Needs: a verified module.  Guarantees: a verified module. */
#include <string.h>

#include "cg/cg_internal.h"

static bool is_fmuladd(LLVMValueRef inst) {
    if (LLVMGetInstructionOpcode(inst) != LLVMCall) return false;
    LLVMValueRef callee = LLVMGetCalledValue(inst);
    size_t len;
    const char *name = LLVMGetValueName2(callee, &len);
    return len >= 15 && strncmp(name, "llvm.fmuladd.", 13) == 0;
}

/* fmuladd(a, b, c) -> fadd(fmul(a, b), c), rounded twice. */
static void expand_fmuladd(LLVMBuilderRef b, LLVMValueRef inst) {
    LLVMPositionBuilderBefore(b, inst);
    LLVMValueRef prod = LLVMBuildFMul(b, LLVMGetOperand(inst, 0), LLVMGetOperand(inst, 1), "");
    LLVMValueRef sum = LLVMBuildFAdd(b, prod, LLVMGetOperand(inst, 2), "");
    LLVMReplaceAllUsesWith(inst, sum);
    LLVMInstructionEraseFromParent(inst);
}

static bool is_add_or_mul(LLVMValueRef inst) {
    LLVMOpcode op = LLVMGetInstructionOpcode(inst);
    return (op == LLVMFMul || op == LLVMFAdd || op == LLVMFSub) && LLVMCanValueUseFastMathFlags(inst);
}

void cg_fp_contract(LLVMContextRef ctx, LLVMModuleRef mod, FpContract mode) {
    if (mode == FP_CONTRACT_ON) return;
    LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb)) {
            LLVMValueRef next;
            for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = next) {
                next = LLVMGetNextInstruction(i);
                if (mode == FP_CONTRACT_OFF && is_fmuladd(i)) {
                    expand_fmuladd(b, i);
                } else if (is_add_or_mul(i)) {
                    LLVMFastMathFlags flags = LLVMGetFastMathFlags(i);
                    flags = mode == FP_CONTRACT_FAST ? flags | LLVMFastMathAllowContract
                                                     : flags & ~(LLVMFastMathFlags)LLVMFastMathAllowContract;
                    LLVMSetFastMathFlags(i, flags);
                }
            }
        }
    LLVMDisposeBuilder(b);
}
