/* posix.c: posix.h's functions on Windows, for the runtime's unit tests. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

/* A new folder named by template's trailing XXXXXX, as POSIX's. */
char *mkdtemp(char *template) {
    size_t n = strlen(template);
    if (n < 6 || strcmp(template + n - 6, "XXXXXX") != 0) {
        errno = EINVAL;
        return NULL;
    }
    for (unsigned attempt = 0; attempt < 1000; attempt++) {
        snprintf(template + n - 6, 7, "%06lu", (unsigned long)((GetCurrentProcessId() * 7919u + GetTickCount() + attempt) % 1000000u));
        if (_mkdir(template) == 0)
            return template;
        if (errno != EEXIST)
            return NULL;
    }
    return NULL;
}

int setenv(const char *name, const char *value, int overwrite) {
    if (!overwrite && getenv(name))
        return 0;
    return _putenv_s(name, value) == 0 ? 0 : -1;
}

int unsetenv(const char *name) {
    return _putenv_s(name, "") == 0 ? 0 : -1; /* an empty value removes it on Windows */
}

/* The read-only-folder checks are POSIX permissions: skipped, as for root. */
int geteuid(void) {
    return 0;
}
