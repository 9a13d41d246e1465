/* rt_format.c: rt_snprintf (runtime/format.c, the freestanding core's
 * formatter) against the C library's snprintf, the oracle: every integer and
 * string conversion the runtime uses must give the same bytes and the same
 * return value, truncated or not; %g the same six digits for values away
 * from a rounding boundary (integers, powers of ten and of two, short
 * decimals; random values may differ in the last digit, format.c says why). */
#include "rt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define SAME(size, ...) do { \
    char a[64], b[64]; \
    memset(a, 'x', sizeof a), memset(b, 'x', sizeof b); \
    int na = rt_snprintf(a, size, __VA_ARGS__), nb = snprintf(b, size, __VA_ARGS__); \
    if (na != nb || memcmp(a, b, sizeof a) != 0) { \
        printf("FAIL %s: rt_snprintf \"%.*s\" (%d), snprintf \"%.*s\" (%d)\n", #__VA_ARGS__, (int)sizeof a, a, na, \
               (int)sizeof b, b, nb); \
        failures++; \
    } \
} while (0)

int main(void) {
    size_t sizes[] = {64, 1, 5};
    for (int k = 0; k < 3; k++) {
        size_t n = sizes[k];
        SAME(n, "plain %% text");
        SAME(n, "%s|%.*s|%c", "model", 3, "abcdef", 'q');
        SAME(n, "%d %d %i %u", 0, -2147483647 - 1, 42, 4294967295u);
        SAME(n, "%ld %lu %lld %llu", -5L, 7UL, -9223372036854775807LL - 1, 18446744073709551615ULL);
        SAME(n, "%zu %04x %x %08lx", (size_t)123456789, 10u, 0xdeadbeefu, 0x1234UL);
        SAME(n, "[%s]", "");
    }
    double values[] = {0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 0.001, 0.0001, 0.00001, 1e-10, 3.5, 100, 123456, 1234567,
                       999999, 1e6, 1e15, 1e300, 1e-300, 2.5e-7, 0.75, 1024, 65536, 6.103515625e-05,
                       16777216, 0.125, 1e-5, 42.5, -0.0625, INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        SAME(64, "%g", values[i]);
    if (failures)
        printf("%d failures\n", failures);
    else
        printf("ok\n");
    return failures != 0;
}
