/* options.h: the command line as the driver (main.c) parsed it; read by the
 * back end. */
#ifndef DMC_OPTIONS_H
#define DMC_OPTIONS_H

#include "front/front.h"

/* --fp-contract (cg/cg_contract.c). */
typedef enum { FP_CONTRACT_FAST, FP_CONTRACT_ON, FP_CONTRACT_OFF } FpContract;

typedef enum { EMIT_OBJ, EMIT_SHARED, EMIT_ASM, EMIT_LLVM, EMIT_IR, EMIT_HEADER, EMIT_DOT, EMIT_AST } EmitKind;

typedef struct Options {
    const char *input;
    const char *output;
    EmitKind emit;
    const char *dump_after;   /* pass name, or NULL */
    const char *passes;       /* --passes: comma-separated pass names; NULL: the default pipeline */
    int opt_level;            /* 0..3 (2 for -Os and -Oz) */
    int size_level;           /* 0; 1 for -Os, 2 for -Oz: every function optsize (and minsize) */
    Defines defines;
    const char *target, *cpu, *features;
    const char *model;
    const char *name;         /* --name: the one model's name in the outputs, or NULL */
    bool no_train;
    bool in_place_update;     /* --in-place-update (passes/inplace.c) */
    bool stats;
    bool check_numerics;
    bool verify_each;         /* run the verifier after every pass */
    FpContract fp_contract;   /* --fp-contract: which multiply-adds may fuse (default fast) */
    uint64_t max_memory;      /* --max-memory: bytes one instance may need (default 16 GiB) */
    uint64_t max_stack;       /* --max-stack: bytes of stack an entry may need (0: no limit) */
    WarningOptions warn;      /* -w, -Werror, -Wno-unused-param, ... */
} Options;

#endif
