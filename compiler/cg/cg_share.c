/* cg_share.c: one specialised copy of a kernel for each distinct set of
 * constant arguments, called from every site that needs it.
 *
 * The kernels are always-inline so that the constant shapes of a call site
 * specialise them (cg_kernels.c).  Inlined at every site, a model of 800
 * identical layers would carry 800 copies of the same matmul.  Instead, a
 * call goes through a wrapper, `<kernel>.<k>`, whose body is the kernel
 * called with the site's constants (shapes, flags, constant shape arrays);
 * what differs between sites (buffer pointers, the entry's dm_exec, an
 * epilogue's loop) becomes the wrapper's parameters.  Sites whose constants
 * agree share one wrapper; the kernel is inlined into the wrapper once.
 *
 * Constants are compared by value: integers and floats by their value, a
 * constant array (a shape) by its contents, null by itself.  Functions (an
 * epilogue's loop) are passed, not compared: the kernel calls them through
 * the pointer, once per finished part of its output.  Buffer pointers carry
 * the 64-byte alignment the plan gives every buffer (plan.c).
 * Needs: the kernels linked (cg_module.c).  Guarantees: the same result as
 * calling the kernel directly. */
#include <stdio.h>
#include <string.h>

#include "cg/cg_internal.h"

typedef struct SharedKernel {
    const char *key;
    LLVMValueRef fn;
} SharedKernel;

/* Whether a is fixed in the wrapper's body (a constant other than a function). */
static bool is_fixed(LLVMValueRef a) {
    return LLVMIsConstant(a) && !LLVMIsAFunction(a);
}

/* The key of one fixed argument: its value as LLVM prints it; for a global
 * constant (a shape array), its initializer's. */
static const char *fixed_key(Cg *cg, LLVMValueRef a) {
    LLVMValueRef v = LLVMIsAGlobalVariable(a) ? LLVMGetInitializer(a) : a;
    char *text = LLVMPrintValueToString(v);
    const char *key = arena_strdup(cg->arena, text);
    LLVMDisposeMessage(text);
    return key;
}

static const char *call_key(Cg *cg, LLVMValueRef kernel, LLVMValueRef *args, int n) {
    size_t len;
    const char *key = arena_printf(cg->arena, "%s(", LLVMGetValueName2(kernel, &len));
    for (int i = 0; i < n; i++)
        key = arena_printf(cg->arena, "%s%s%s", key, i ? ", " : "", is_fixed(args[i]) ? fixed_key(cg, args[i]) : "_");
    return key;
}

/* The wrapper for this key: void(variable arguments...) calling the kernel. */
static LLVMValueRef make_wrapper(Cg *cg, LLVMValueRef kernel, LLVMValueRef *args, int n, int index) {
    LLVMTypeRef kty = LLVMGlobalGetValueType(kernel);
    LLVMTypeRef kparams[32], params[32];
    LLVMGetParamTypes(kty, kparams);
    int np = 0;
    for (int i = 0; i < n; i++)
        if (!is_fixed(args[i])) params[np++] = kparams[i];
    LLVMTypeRef ty = LLVMFunctionType(LLVMGetReturnType(kty), params, (unsigned)np, 0);
    size_t len;
    const char *name = arena_printf(cg->arena, "%s.%d", LLVMGetValueName2(kernel, &len), index);
    LLVMValueRef fn = LLVMAddFunction(cg->mod, name, ty);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
    unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    unsigned align = LLVMGetEnumAttributeKindForName("align", 5);
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(cg->ctx, noinline, 0));
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(cg->ctx, nounwind, 0));

    LLVMBasicBlockRef saved = LLVMGetInsertBlock(cg->b);
    LLVMPositionBuilderAtEnd(cg->b, LLVMAppendBasicBlockInContext(cg->ctx, fn, "entry"));
    LLVMValueRef inner[32];
    for (int i = 0, p = 0; i < n; i++) {
        if (is_fixed(args[i])) {
            inner[i] = args[i];
            continue;
        }
        inner[i] = LLVMGetParam(fn, (unsigned)p);
        /* Buffers of the data region are 64-byte aligned (plan.c); a slice
         * view inside one may not be. */
        LLVMValueRef at = LLVMIsAGetElementPtrInst(args[i]) && LLVMGetOperand(args[i], 0) == cg->data
                              ? LLVMGetOperand(args[i], 1) : NULL;
        if (at && LLVMIsAConstantInt(at) && LLVMConstIntGetZExtValue(at) % 64 == 0)
            LLVMAddAttributeAtIndex(fn, (unsigned)p + 1, LLVMCreateEnumAttribute(cg->ctx, align, 64));
        p++;
    }
    LLVMValueRef r = cg_call(cg, kernel, inner, n, "");   /* checked against kernels.def */
    if (LLVMGetReturnType(kty) == cg->void_t) LLVMBuildRetVoid(cg->b);
    else LLVMBuildRet(cg->b, r);
    LLVMPositionBuilderAtEnd(cg->b, saved);
    return fn;
}

LLVMValueRef cg_call_shared(Cg *cg, LLVMValueRef kernel, LLVMValueRef *args, int n) {
    if (n > 32) die("a kernel call with %d arguments", n);
    const char *key = call_key(cg, kernel, args, n);
    LLVMValueRef fn = NULL;
    for (int i = 0; i < cg->nshared && !fn; i++)
        if (strcmp(cg->shared[i].key, key) == 0) fn = cg->shared[i].fn;
    if (!fn) {
        fn = make_wrapper(cg, kernel, args, n, cg->nshared);
        VEC_PUSH(cg->arena, cg->shared, cg->nshared, cg->capshared, ((SharedKernel){key, fn}));
    }
    LLVMValueRef vars[32];
    int nv = 0;
    for (int i = 0; i < n; i++)
        if (!is_fixed(args[i])) vars[nv++] = args[i];
    return cg_call(cg, fn, vars, nv, "");
}
