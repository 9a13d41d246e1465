/* dmk.h: the interface between generated code and the kernels: the entry
 * points' prototypes (kernels.def), the epilogue callback and the constants
 * the entry points take.  Included by the kernel files (through kernels.h)
 * and by the code generator, so both sides read the same definitions. */
#ifndef DMK_H
#define DMK_H
#include <stdint.h>

#include "../../../runtime/dm.h"

/* An elementwise loop of generated code that a kernel runs on the elements
 * [first, end) of its output, in place, as soon as they are final (their
 * flat indices; plan.c's epilogues).  data is the instance's data region. */
typedef void (*Epilogue)(void *data, int64_t first, int64_t end);

/* dmk_reduce's kind. */
typedef enum { DMK_SUM = 0, DMK_MEAN = 1, DMK_MAX = 2 } DmkReduce;

#define KERNEL(RESULT, NAME, PARAMETERS) RESULT NAME PARAMETERS;
#include "kernels.def"

#endif
