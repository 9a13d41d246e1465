/* format.c: rt_snprintf, the runtime's own formatter, so that the
 * freestanding core (libdmrt_core.a, docs/targets.md) formats its messages
 * without a C library's stdio (whose printf may allocate, and which a
 * bare-metal program may not have at all).
 *
 * It knows the conversions the runtime's messages use: %% %c %s %.*s, the
 * integers %d %i %u %x with the length modifiers l, ll and z, a zero-padded
 * width (%04x), and %g.  For everything but %g the output is exactly C's.
 * %g gives six significant digits as C's does, computed in double without
 * libm: the last digit may differ from the C library's for a value near a
 * rounding boundary, which a message can afford.  The hosted library formats
 * dm_last_error() with the C library (error.c); the core with this. */
#include "rt.h"

#include <stdarg.h>
#include <string.h>

typedef struct out {
    char *buf;
    size_t size, len; /* len counts every byte, written or not (snprintf's return) */
} out;

static void put(out *o, char c) {
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_str(out *o, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
}

static void put_uint(out *o, unsigned long long v, unsigned base, int width, bool negative) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (negative)
        put(o, '-');
    for (int pad = width - n - (negative ? 1 : 0); pad > 0; pad--)
        put(o, '0');
    while (n)
        put(o, digits[--n]);
}

/* Six significant digits: C's %g with the default precision. */
static void put_g(out *o, double x) {
    if (x != x) {
        put_str(o, "nan", 3);
        return;
    }
    if (x < 0 || (x == 0 && 1 / x < 0)) {
        put(o, '-');
        x = -x;
    }
    if (x > 1.7976931348623157e308) {
        put_str(o, "inf", 3);
        return;
    }
    if (x == 0) {
        put(o, '0');
        return;
    }
    int exp10 = 0;
    while (x >= 10) x /= 10, exp10++;
    while (x < 1) x *= 10, exp10--;
    unsigned long digits = (unsigned long)(x * 1e5 + 0.5); /* 100000 .. 1000000 */
    if (digits >= 1000000)
        digits /= 10, exp10++;
    char d[6];
    for (int i = 5; i >= 0; i--, digits /= 10)
        d[i] = (char)('0' + digits % 10);
    int last = 5; /* trailing zeros go */
    bool scientific = exp10 < -4 || exp10 >= 6;
    if (scientific) {
        while (last > 0 && d[last] == '0') last--;
        put(o, d[0]);
        if (last > 0) {
            put(o, '.');
            put_str(o, d + 1, (size_t)last);
        }
        put(o, 'e');
        put(o, exp10 < 0 ? '-' : '+');
        put_uint(o, (unsigned long long)(exp10 < 0 ? -exp10 : exp10), 10, 2, false);
        return;
    }
    int point = exp10 + 1; /* digits before the decimal point (<= 0: "0.000ddd") */
    while (last >= point && last > 0 && d[last] == '0') last--;
    if (point <= 0) {
        put_str(o, "0.", 2);
        for (int i = point; i < 0; i++) put(o, '0');
        put_str(o, d, (size_t)last + 1);
        return;
    }
    put_str(o, d, (size_t)point);
    if (last >= point) {
        put(o, '.');
        put_str(o, d + point, (size_t)(last - point + 1));
    }
}

int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
    out o = {buf, size, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        int width = 0, precision = -1, longs = 0;
        bool size_t_arg = false;
        while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
        if (p[0] == '.' && p[1] == '*') {
            precision = va_arg(ap, int);
            p += 2;
        }
        for (; *p == 'l'; p++) longs++;
        if (*p == 'z')
            size_t_arg = true, p++;
        switch (*p) {
        case '%': put(&o, '%'); break;
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            size_t n = strlen(s);
            if (precision >= 0 && (size_t)precision < n) n = (size_t)precision;
            put_str(&o, s, n);
            break;
        }
        case 'd':
        case 'i': {
            long long v = size_t_arg ? (long long)va_arg(ap, size_t)
                          : longs >= 2 ? va_arg(ap, long long)
                          : longs == 1 ? va_arg(ap, long) : va_arg(ap, int);
            put_uint(&o, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, 10, width, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = size_t_arg ? va_arg(ap, size_t)
                                   : longs >= 2 ? va_arg(ap, unsigned long long)
                                   : longs == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_uint(&o, v, *p == 'x' ? 16 : 10, width, false);
            break;
        }
        case 'g': put_g(&o, va_arg(ap, double)); break;
        case '\0': p--; break; /* a lone '%' at the end */
        default: put(&o, '%'), put(&o, *p); break; /* not one of ours: shown as written */
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int rt_snprintf(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = rt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
