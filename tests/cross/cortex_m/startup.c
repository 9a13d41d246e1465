/* startup.c: the reset vector of a Cortex-M4F under QEMU (mps2-an386).
 * Enables the FPU (CPACR, before any floating-point instruction), puts the
 * stack at the top of the data SRAM (link.ld's __stack: newlib's own crt0
 * would take the address semihosting reports, which lies past the board's
 * RAM), zeroes .bss, opens the semihosting streams, runs main and exits
 * through semihosting with its status. */
#include <stdlib.h>

extern char __stack[], __bss_start__[], __bss_end__[];
extern int main(void);
extern void initialise_monitor_handles(void);

/* What newlib's exit calls where crt0 would provide them: nothing to run. */
void _init(void) {}
void _fini(void) {}

__attribute__((noreturn)) void start_c(void) {
    for (char *p = __bss_start__; p < __bss_end__; p++) *p = 0;
    initialise_monitor_handles();
    exit(main());
}

__attribute__((naked, noreturn)) void reset(void) {
    __asm__ volatile("ldr r0, =0xE000ED88\n"   /* CPACR */
                     "ldr r1, [r0]\n"
                     "orr r1, r1, #(0xF << 20)\n"   /* CP10, CP11: full access */
                     "str r1, [r0]\n"
                     "dsb\n"
                     "isb\n"
                     "ldr r0, =__stack\n"
                     "mov sp, r0\n"
                     "b start_c\n");
}

__attribute__((section(".vectors"), used)) void (*const vectors[2])(void) = {(void (*)(void))__stack, reset};
