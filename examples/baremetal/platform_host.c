/* platform_host.c: main.c on the host, for the comparison of
 * tests/cross/baremetal.test.sh. */
#include <stdio.h>

#include "platform.h"

void platform_write(const char *text) {
    fputs(text, stdout);
}

const char *platform_name(void) {
    return "the host";
}

void platform_report_memory(void) {
}
