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

/* link.c: --emit=shared, the object at `object` linked with the whole
 * runtime archive into the library at `output` by the system's cc.  False
 * with the reason on stderr when no runtime is found or the link fails. */
bool link_shared(Arena *a, const char *object, const char *output);
/* The runtime archive link_shared uses ($DMC_RUNTIME, beside dmc, ../lib), or NULL. */
const char *link_find_runtime(Arena *a);

#endif
