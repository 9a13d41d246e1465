/* platform.h: what main.c needs from the machine it runs on: a line of
 * output, its name, and a report of the memory it used (platform_m4.c on the
 * Cortex-M4F, platform_host.c on the host). */
#ifndef PLATFORM_H
#define PLATFORM_H
void platform_write(const char *text);
const char *platform_name(void);
void platform_report_memory(void);
#endif
