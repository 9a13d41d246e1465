/* cg.h: the back end's surface: the object (cg_*.c) and the header (header.c). */
#ifndef DMC_CG_H
#define DMC_CG_H

#include "options.h"
#include "passes/passes.h"

/* cg_module.c and friends: compile the models into one object (or asm / LLVM IR)
 * at path; the header is written by header.c.  Return false on failure with
 * the reason printed. */
bool cg_emit(Arena *a, const Options *opt, Models *models, const char *path);
bool header_emit(Arena *a, const Options *opt, const Models *models, const char *path);

#endif
