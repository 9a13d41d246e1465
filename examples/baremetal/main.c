/* main.c: training on a microcontroller (docs/targets.md, "Training on a
 * microcontroller").  The same file runs on a Cortex-M4F under
 * qemu-system-arm (platform_m4.c: semihosting, 256 KB of RAM by link.ld) and
 * on the host (platform_host.c), linked with the freestanding runtime
 * libdmrt_core.a: the model's memory is a static array, its parameters come
 * from dm_init's seeded initialisers, and no byte is allocated.
 *
 * The data: 8 x 8 images of four patterns (a horizontal bar, a vertical bar,
 * a diagonal, a frame) at a position and with noise drawn from an integer
 * generator, so that every pixel is a multiple of 1/256 (exact in float: the
 * host and the device see the same numbers).  Sample i is made from i alone,
 * so the data set (256 images) costs no RAM.
 *
 * It prints the loss every 32 steps, the accuracy on the 256 images, the
 * memory used and (built with -DDUMP_PARAMS) every parameter as bits, which
 * tests/cross/baremetal.test.sh compares with the host's. */
#include <stdint.h>
#include <string.h>

#include "patterns.h"
#include "platform.h"

#define SAMPLES 256
#define STEPS 320 /* 20 passes over the data */
#define BATCH patterns_x_DIM0

static unsigned char memory[patterns_MEMORY_SIZE] __attribute__((aligned(patterns_MEMORY_ALIGN)));

/* ---- output without stdio ---------------------------------------------- */
static char line[160];
static size_t used;

static void put(const char *s) {
    while (*s && used + 1 < sizeof line) line[used++] = *s++;
}
static void put_uint(unsigned long v) {
    char d[12];
    int n = 0;
    do d[n++] = (char)('0' + v % 10), v /= 10; while (v);
    while (n) { char c[2] = {d[--n], 0}; put(c); }
}
#ifdef DUMP_PARAMS
static void put_hex(uint32_t v) {
    char c[10] = " ";
    for (int i = 0; i < 8; i++) c[1 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
    c[9] = 0;
    put(c);
}
#endif
static void put_fixed(float v) { /* v >= 0 with 4 decimals */
    unsigned long u = (unsigned long)(v * 10000.0f + 0.5f);
    put_uint(u / 10000);
    put(".");
    for (unsigned long p = 1000; p; p /= 10) put_uint(u / p % 10);
}
static void end_line(void) {
    line[used++] = '\n';
    line[used] = 0;
    platform_write(line);
    used = 0;
}

/* ---- the data ------------------------------------------------------------ */
static uint32_t mix(uint32_t s) { /* a 32-bit integer hash (lowbias32) */
    s ^= s >> 16, s *= 0x7feb352du;
    s ^= s >> 15, s *= 0x846ca68bu;
    return s ^ (s >> 16);
}

static void make_sample(int i, float *pixels, int32_t *label) {
    uint32_t r = mix((uint32_t)i * 2654435761u + 1);
    int cls = i % 4, at = (int)(r >> 8) % 6 + 1; /* the pattern and its row / column */
    for (int p = 0; p < 64; p++) {
        int row = p / 8, col = p % 8;
        int on = cls == 0 ? row == at : cls == 1 ? col == at : cls == 2 ? row == col : row == 0 || row == 7 || col == 0 || col == 7;
        uint32_t noise = mix(r + (uint32_t)p) & 63; /* 0 .. 63 / 256 */
        pixels[p] = (float)(on ? 192 + (noise >> 1) : noise) / 256.0f;
    }
    *label = cls;
}

static void fill_batch(float *x, int32_t *y, int first) {
    for (int k = 0; k < BATCH; k++)
        make_sample((first + k) % SAMPLES, x + 64 * k, y + k);
}

static int fail(const char *what) {
    put(what), put(": "), put(dm_last_error()), end_line();
    return 1;
}

int main(void) {
    dm_model *m = dm_init(&patterns_model, memory, sizeof memory, 1);
    if (!m) return fail("dm_init");
    float *x = patterns_x(m), *probs = patterns_probs(m);
    int32_t *y = patterns_y(m);
    put("training patterns (64-64-32-4, batch 16, SGD, in-place updates) on "), put(platform_name()), end_line();
    float loss = 0, sum = 0;
    for (int step = 0; step < STEPS; step++) {
        fill_batch(x, y, step * BATCH);
        if (dm_train_step(m, &loss) != 0) return fail("dm_train_step");
        sum += loss;
        if ((step + 1) % 32 == 0) {
            put("step "), put_uint((unsigned long)step + 1), put("  loss "), put_fixed(sum / 32), end_line();
            sum = 0;
        }
    }
    int correct = 0;
    for (int first = 0; first < SAMPLES; first += BATCH) {
        fill_batch(x, y, first);
        if (dm_forward(m) != 0) return fail("dm_forward");
        for (int k = 0; k < BATCH; k++) {
            int best = 0;
            for (int c = 1; c < 4; c++) if (probs[4 * k + c] > probs[4 * k + best]) best = c;
            correct += best == y[k];
        }
    }
    put("accuracy "), put_uint((unsigned long)correct), put("/"), put_uint(SAMPLES), end_line();
    put("memory: model "), put_uint(sizeof memory), put(" bytes (data region "), put_uint(patterns_DATA_SIZE),
        put(", header and alignment "), put_uint(sizeof memory - patterns_DATA_SIZE), put(")"), end_line();
    platform_report_memory();
#ifdef DUMP_PARAMS
    for (int i = 0; i < dm_tensor_count(m); i++) {
        const dm_tensor_desc *t = dm_tensor_at(m, i);
        if (t->kind != DM_PARAM) continue;
        const uint8_t *p = (const uint8_t *)dm_data(m, t->name);
        put("param "), put(t->name), end_line();
        for (int64_t k = 0; k < t->count; k++) {
            uint32_t u;
            memcpy(&u, p + 4 * k, 4);
            put_hex(u);
            if (k % 8 == 7 || k + 1 == t->count) end_line();
        }
    }
#endif
    return 0;
}
