/* error.c: the per-thread "last error" message behind dm_last_error().
 *
 * Every failing runtime function calls rt_error(code, fmt, ...), which
 * formats the reason into a thread-local buffer and returns the code.  The
 * message stays until the next failure on the same thread. */
#include "rt.h"
#include <stdarg.h>

static _Thread_local char last_error[1024];

int rt_error(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return code;
}

const char *dm_last_error(void) {
    return last_error;
}
