/* platform_m4.c: main.c on a Cortex-M4F (QEMU's mps2-an386): the reset
 * vector, output and exit through semihosting (no C library stdio), and the
 * memory report.
 *
 * At reset the FPU is enabled (CPACR, before any floating-point
 * instruction), the stack pointer set to the top of RAM (link.ld), .data
 * copied from flash, .bss zeroed, and the RAM between the end of .bss and the
 * stack painted with a pattern: the stack's high-water mark is then the
 * lowest word no longer holding it (a measurement, not an estimate). */
#include <stdint.h>

#include "platform.h"

extern uint32_t __stack[], __bss_start__[], __bss_end__[], __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __ram_start__[];
extern int main(void);

#define PAINT 0x5aa5c33cu

/* Semihosting (ARM's "Semihosting for AArch32 and AArch64"): r0 the
 * operation, r1 its argument, BKPT 0xAB. */
static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* Standard output: SYS_OPEN of the special name ":tt" in mode 4 ("w");
 * QEMU writes it to its own standard output (SYS_WRITE0 would go to its
 * standard error). */
static uint32_t stdout_handle(void) {
    static uint32_t handle, opened;
    if (!opened) {
        uint32_t args[3] = {(uint32_t)(uintptr_t)":tt", 4, 3};
        handle = semihost(0x01, args); /* SYS_OPEN */
        opened = 1;
    }
    return handle;
}

void platform_write(const char *text) {
    uint32_t len = 0;
    while (text[len]) len++;
    uint32_t args[3] = {stdout_handle(), (uint32_t)(uintptr_t)text, len};
    semihost(0x05, args); /* SYS_WRITE */
}

const char *platform_name(void) {
    return "a Cortex-M4F (qemu-system-arm -M mps2-an386)";
}

static void put_line(const char *a, uint32_t n, const char *b) {
    char buf[120], digits[12];
    int len = 0, k = 0;
    for (; *a; a++) buf[len++] = *a;
    do digits[k++] = (char)('0' + n % 10), n /= 10; while (n);
    while (k) buf[len++] = digits[--k];
    for (; *b; b++) buf[len++] = *b;
    buf[len++] = '\n';
    buf[len] = 0;
    platform_write(buf);
}

void platform_report_memory(void) {
    uint32_t *p = __bss_end__;
    while (p < __stack && *p == PAINT) p++;
    uint32_t statics = (uint32_t)((char *)__bss_end__ - (char *)__ram_start__);
    uint32_t stack = (uint32_t)((char *)__stack - (char *)p);
    put_line("RAM: static data ", statics, " bytes (.data and .bss, the model's memory included)");
    put_line("RAM: stack high-water mark ", stack, " bytes (measured)");
    put_line("RAM: total ", statics + stack, " bytes of the 262144 link.ld gives");
}

__attribute__((noreturn)) void start_c(void) {
    for (uint32_t *s = __data_load__, *d = __data_start__; d < __data_end__;) *d++ = *s++;
    for (uint32_t *p = __bss_start__; p < __bss_end__; p++) *p = 0;
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = __bss_end__; p < sp - 16; p++) *p = PAINT; /* leave this function's frame alone */
    int status = main();
    /* SYS_EXIT with ADP_Stopped_ApplicationExit (0x20026); QEMU exits with
     * status 0 for it, 1 for any other reason (a failure of main). */
    semihost(0x18, (const void *)(uintptr_t)(status == 0 ? 0x20026 : 0x20024));
    for (;;) {
    }
}

__attribute__((naked, noreturn)) void reset(void) {
    __asm__ volatile("ldr r0, =0xE000ED88\n" /* CPACR */
                     "ldr r1, [r0]\n"
                     "orr r1, r1, #(0xF << 20)\n" /* CP10, CP11: full access */
                     "str r1, [r0]\n"
                     "dsb\n"
                     "isb\n"
                     "ldr r0, =__stack\n"
                     "mov sp, r0\n"
                     "b start_c\n");
}

__attribute__((section(".vectors"), used)) void (*const vectors[2])(void) = {(void (*)(void))__stack, reset};
