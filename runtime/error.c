/* error.c: the per-thread last error behind dm_last_error() and
 * dm_last_error_code().
 *
 * Every failing runtime function calls rt_error(code, fmt, ...), which
 * formats the reason into a thread-local buffer, records the code and returns
 * it.  Every public function that can fail calls rt_clear_error() first
 * (through rt_enter for the ones taking an instance), so after a call the
 * pair describes that call: "" and DM_OK if it succeeded (docs/runtime.md,
 * "Errors"). */
#include "rt.h"
#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[1024];
static _Thread_local int last_code;

int rt_error(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    last_code = code;
    return code;
}

void rt_clear_error(void) {
    last_error[0] = 0;
    last_code = DM_OK;
}

const char *dm_last_error(void) {
    return last_error;
}

int dm_last_error_code(void) {
    return last_code;
}
