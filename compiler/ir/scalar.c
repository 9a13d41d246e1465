/* scalar.c: the elementwise ops on numbers, evaluated from their one
 * definition in ops.def (the SCALAR column), in double precision.
 *
 * The reference interpreter applies these element by element and sema folds
 * built-in calls on plain numbers with them, so the two never disagree.  The
 * code generator lowers the same ops separately (cg_elem.c, in f32 with the
 * kernels' vectorisable functions) and is tested against the interpreter: a
 * definition shared with the code under test would check nothing.
 *
 * Needs: op of the named class.  Guarantees: pure functions of their
 * arguments; NaN and infinities propagate as C's <math.h> defines. */
#include "ir/ir.h"

#include <math.h>

double op_scalar_unary(Op op, const Attr *at, DType dt, double x) {
    double p0 = at->value, p1 = at->value2;
    (void)p0, (void)p1, (void)dt;
    switch (op) {
#define OP_UNARY(NAME, TEXT, SURFACE, I32, NPARAMS, P0, D0, P1, D1, SCALAR) \
    case OP_##NAME: return SCALAR;
#define OP OP_CASE
#include "ir/ops.def"
        break;
    }
    die("op_scalar_unary: %s is not unary", op_info[op].name);
}

double op_scalar_binary(Op op, DType dt, double x, double y) {
    (void)dt;
    switch (op) {
#define OP_BINARY(NAME, TEXT, I32, SCALAR) case OP_##NAME: return SCALAR;
#define OP OP_CASE
#include "ir/ops.def"
        break;
    }
    die("op_scalar_binary: %s is not binary", op_info[op].name);
}
