/* cpu.c: does this processor have the features a model's code was compiled
 * for?  dm_new and dm_init refuse a model whose descriptor lists a feature
 * the running CPU lacks (DM_EUNSUPPORTED, naming every missing feature)
 * instead of letting its first entry call die with SIGILL.
 *
 * The descriptor's cpu_features is the "+feature" list of the target
 * machine the compiler used ("sse2,avx,avx2,fma,avx512f,..."; LLVM's names).
 * On x86-64 every name in the table below is asked of the CPU through
 * __builtin_cpu_supports (cpuid, with the operating system's support for
 * the wider registers); a name the table does not know is not checked.  On
 * other architectures nothing is checked (docs/runtime.md).
 *
 * A --cpu=portable descriptor lists faster variants of its code (dm.h):
 * rt_pick_code gives the first the processor can run, else the descriptor
 * itself (its baseline, which rt_check_cpu checked).
 *
 * $DM_CPU_DISABLE (a comma-separated list of feature names) makes the
 * runtime treat those features as absent: to test this refusal, or to see
 * what an older machine would say and which variant it would run. */
#include "rt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is the name in a comma-separated list? */
static bool in_list(const char *list, const char *name, size_t len) {
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, name, len) == 0)
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

/* 1: the CPU has it, 0: it does not, -1: not checked here. */
static int cpu_has(const char *name, size_t len) {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define FEATURE(s) \
    if (len == sizeof(s) - 1 && strncmp(name, s, len) == 0) \
        return __builtin_cpu_supports(s) != 0;
    __builtin_cpu_init();
    /* The x86-64 levels' vector and bit-manipulation features, and a few
     * long-established extensions: names GCC and Clang detect alike. */
    FEATURE("cmov") FEATURE("mmx") FEATURE("popcnt") FEATURE("sse") FEATURE("sse2") FEATURE("sse3")
    FEATURE("ssse3") FEATURE("sse4.1") FEATURE("sse4.2") FEATURE("avx") FEATURE("avx2") FEATURE("fma")
    FEATURE("fma4") FEATURE("sse4a") FEATURE("xop") FEATURE("bmi") FEATURE("bmi2") FEATURE("aes")
    FEATURE("pclmul") FEATURE("avx512f") FEATURE("avx512vl") FEATURE("avx512bw") FEATURE("avx512dq")
    FEATURE("avx512cd") FEATURE("avx512vbmi") FEATURE("avx512ifma") FEATURE("avx512vpopcntdq")
    FEATURE("avx512vbmi2") FEATURE("avx512vnni") FEATURE("avx512bitalg")
#undef FEATURE
#endif
    (void)name, (void)len;
    return -1;
}

/* How many of the features in the list need the processor lacks (or
 * $DM_CPU_DISABLE hides); their names, comma-separated, in missing. */
static int missing_features(const char *need, char *missing, size_t size) {
    const char *disabled = getenv("DM_CPU_DISABLE");
    int nmissing = 0;
    missing[0] = 0;
    for (const char *p = need; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len > 0 && (in_list(disabled, p, len) || cpu_has(p, len) == 0)) {
            size_t n = strlen(missing);
            if (n + len + 8 < size)
                snprintf(missing + n, size - n, "%s%.*s", n ? ", " : "", (int)len, p);
            nmissing++;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return nmissing;
}

int rt_check_cpu(const dm_model_desc *d) {
    char missing[512];
    if (missing_features(d->cpu_features, missing, sizeof missing))
        return rt_error(DM_EUNSUPPORTED,
                        "model '%s' was compiled for CPU features this processor lacks: %s "
                        "(recompile it with --cpu=x86-64-v3, --cpu=x86-64 or --cpu=generic for older machines, "
                        "or with --cpu=portable)",
                        d->name ? d->name : "?", missing);
    return DM_OK;
}

/* A variant must be of this runtime's ABI and lay the data region out as d
 * does (dmc generates them so; checked because the choice is silent). */
const dm_model_desc *rt_pick_code(const dm_model_desc *d) {
    char missing[512];
    for (int i = 0; i < d->nvariants && d->variants; i++) {
        const dm_model_desc *v = d->variants[i];
        if (v && v->abi_version == DM_ABI_VERSION && v->data_size == d->data_size && v->ntensors == d->ntensors &&
            missing_features(v->cpu_features, missing, sizeof missing) == 0)
            return v;
    }
    return d;
}
